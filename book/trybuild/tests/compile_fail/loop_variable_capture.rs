// Go's loop-variable capture (before Go 1.22 every goroutine saw the same `i`):
//
//     for i := 0; i < 3; i++ { go func() { fmt.Println(i) }() }
//
// Rust refuses (E0373): the closure borrows `i`, which dies at the end of each iteration while the
// thread may run on. `move` gives each thread its own `i`.
use std::thread;

fn main() {
    let mut handles = Vec::new();
    for i in 0..3 {
        handles.push(thread::spawn(|| println!("task {i}")));
    }
    for handle in handles {
        handle.join().unwrap();
    }
}
