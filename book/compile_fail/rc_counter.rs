// Sharing a counter with `Rc<Cell<_>>`: single-threaded reference counting and mutation.
use std::cell::Cell;
use std::rc::Rc;

fn main() {
    let counter = Rc::new(Cell::new(0));
    runtime::run(async {
        let counter = Rc::clone(&counter);
        runtime::spawn(async move {
            counter.set(counter.get() + 1);
        });
    });
}
