// error-code: E0277
// message: cannot be shared between threads safely
//
// A `Cell` lets you change a value through a shared reference — on one thread. It is not `Sync`,
// so two threads can't both hold `&Cell`: the compiler stops the lost update here (E0277).
use std::cell::Cell;
use std::thread;

fn main() {
    let counter = Cell::new(0_u64);
    thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..1000 {
                    counter.set(counter.get() + 1);
                }
            });
        }
    });
    println!("{}", counter.get());
}
