//! `std::thread::scope`: a WaitGroup you cannot forget, for threads that borrow.
//!
//!     cargo run -p runtime --example scoped_threads

const WORDS: [&str; 6] = [
    "goroutine",
    "task",
    "thread",
    "worker",
    "scheduler",
    "waitgroup",
];

// ANCHOR: scope
fn lengths(words: &[&str]) -> Vec<usize> {
    let mut lengths = vec![0; words.len()];
    std::thread::scope(|s| {
        for (word, length) in words.iter().zip(lengths.iter_mut()) {
            // Each thread borrows one word and one slot of `lengths`: no Arc, no 'static.
            s.spawn(move || *length = word.len());
        }
    }); // every thread spawned in the scope has been joined here, even on panic
    lengths
}
// ANCHOR_END: scope

// ANCHOR: results
fn total_letters(words: &[&str]) -> usize {
    std::thread::scope(|s| {
        let handles: Vec<_> = words.iter().map(|w| s.spawn(move || w.len())).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("len does not panic"))
            .sum()
    })
}
// ANCHOR_END: results

fn main() {
    println!("{:?}", lengths(&WORDS));
    println!("{} letters in all", total_letters(&WORDS));
}
