// A global counter, as Go programs often have. Every access to a `static mut` is unsafe (E0133):
// the compiler can't rule out two threads touching it at once. (And with `unsafe`, the race is
// real, and undefined behaviour. Use a `static COUNTER: AtomicU64`.)
use std::thread;

static mut COUNTER: u64 = 0;

fn main() {
    let handles: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..1000 {
                    COUNTER += 1;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}
