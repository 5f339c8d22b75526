//! Three ways to share state between tasks correctly: a Mutex, atomics, and a channel to an
//! owner task.
//!
//!     cargo run -p runtime --example fixing_races

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

const PAGES: [&str; 4] = [
    "the quick brown fox",
    "jumps over the lazy dog",
    "the dog sleeps",
    "the fox runs",
];

// ANCHOR: mutex
async fn word_counts() {
    // A Mutex owns the data: the only way to the map is through the guard `lock` returns.
    let counts = Arc::new(Mutex::new(BTreeMap::<String, u32>::new()));
    let tasks: Vec<_> = PAGES
        .iter()
        .map(|page| {
            let counts = Arc::clone(&counts);
            runtime::spawn(async move {
                for word in page.split_whitespace() {
                    // Lock, update, unlock (the guard drops at the end of the statement).
                    *counts
                        .lock()
                        .expect("not poisoned")
                        .entry(word.into())
                        .or_default() += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("no panic");
    }
    println!("word counts: {:?}", counts.lock().expect("not poisoned"));
}
// ANCHOR_END: mutex

// ANCHOR: atomic
async fn total_bytes() {
    // One number, updated in one indivisible step: an atomic read-modify-write.
    let bytes = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = PAGES
        .iter()
        .map(|page| {
            let bytes = Arc::clone(&bytes);
            runtime::spawn(async move {
                bytes.fetch_add(page.len() as u64, Ordering::Relaxed);
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("no panic");
    }
    // Relaxed is enough: only the number matters, and the awaits above order the reads.
    println!("bytes: {}", bytes.load(Ordering::Relaxed));
}
// ANCHOR_END: atomic

// ANCHOR: channel
async fn longest_page() {
    // One owner task holds the state; others send it messages. No lock: only it touches `longest`.
    enum Message {
        Offer(&'static str),
        Ask(tokio::sync::oneshot::Sender<&'static str>),
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let owner = runtime::spawn(async move {
        let mut longest = "";
        while let Some(message) = rx.recv().await {
            match message {
                Message::Offer(page) if page.len() > longest.len() => longest = page,
                Message::Offer(_) => {}
                Message::Ask(reply) => {
                    let _ = reply.send(longest); // the asker may have given up: fine
                }
            }
        }
        // Every Sender is gone: nobody can ask any more, the owner ends.
    });
    for page in PAGES {
        tx.send(Message::Offer(page)).expect("the owner is running");
    }
    let (reply, answer) = tokio::sync::oneshot::channel();
    tx.send(Message::Ask(reply)).expect("the owner is running");
    println!(
        "longest page: {:?}",
        answer.await.expect("the owner replies")
    );
    drop(tx);
    owner.await.expect("no panic");
}
// ANCHOR_END: channel

fn main() {
    runtime::run(async {
        word_counts().await;
        total_bytes().await;
        longest_page().await;
    });
}
