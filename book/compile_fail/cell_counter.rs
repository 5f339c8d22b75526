// A `Cell` counter borrowed by scoped threads: `Cell` allows mutation through `&`, on one thread.
use std::cell::Cell;

fn main() {
    let counter = Cell::new(0);
    std::thread::scope(|s| {
        s.spawn(|| counter.set(counter.get() + 1));
        s.spawn(|| counter.set(counter.get() + 1));
    });
    println!("{}", counter.get());
}
