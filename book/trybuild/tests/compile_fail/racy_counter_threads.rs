// Go's racy counter, written literally:
//
//     counter := 0
//     for i := 0; i < 2; i++ {
//         go func() { for j := 0; j < 1000; j++ { counter++ } }()
//     }
//
// Rust refuses (E0373): a spawned thread may outlive `main`'s stack frame, so it can't borrow
// `counter` from it — and two threads can't both borrow it mutably (E0499). (Adding `move`
// "fixes" the errors by giving each thread its own *copy* of the integer: it compiles and counts
// nothing shared. Share an Arc<AtomicU64> instead.)
use std::thread;

fn main() {
    let mut counter = 0;
    let mut handles = Vec::new();
    for _ in 0..2 {
        handles.push(thread::spawn(|| {
            for _ in 0..1000 {
                counter += 1;
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    println!("{counter}");
}
