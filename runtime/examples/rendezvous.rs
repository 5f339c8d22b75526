//! Go's unbuffered channel is a rendezvous: a send returns only once a receiver has taken the
//! value. std's `sync_channel(0)` and crossbeam's `bounded(0)` are the same; tokio's bounded
//! channel needs room for one message at least.
//!
//!     cargo run -p runtime --example rendezvous

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

// ANCHOR: sync_zero
fn main() {
    // Go's `make(chan string)`: no room at all. A send pairs up with a receive.
    let (tx, rx) = mpsc::sync_channel::<&str>(0);
    println!(
        "sync_channel(0): try_send with nobody receiving: {:?}",
        tx.try_send("early")
    );

    let receiving = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&receiving);
    let receiver = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50)); // the sender is blocked meanwhile
        flag.store(true, Ordering::SeqCst); // "I am about to receive"
        rx.recv()
    });
    tx.send("hello").expect("the receiver is alive"); // returns once the value is taken
    println!(
        "sync_channel(0): send returned after the receiver came: {}",
        receiving.load(Ordering::SeqCst)
    );
    println!("the receiver got {:?}", receiver.join().expect("no panic"));

    // Go's `make(chan string, 1)`: one value fits, nobody needs to be there.
    let (tx, rx) = mpsc::sync_channel::<&str>(1);
    println!(
        "sync_channel(1): try_send with nobody receiving: {:?}",
        tx.try_send("early")
    );
    println!("sync_channel(1): then the receiver gets {:?}", rx.recv());
    // ANCHOR_END: sync_zero

    // ANCHOR: crossbeam_zero
    // crossbeam: the same rendezvous, and both halves can be cloned (many senders, many receivers).
    let (tx, rx) = crossbeam::channel::bounded::<u32>(0);
    println!(
        "crossbeam bounded(0): try_send with nobody receiving: {:?}",
        tx.try_send(7)
    );
    let second_receiver = rx.clone();
    let receiver = thread::spawn(move || second_receiver.recv());
    tx.send(7).expect("a receiver is waiting");
    println!(
        "crossbeam bounded(0): a cloned receiver got {:?}",
        receiver.join().expect("no panic")
    );
    // ANCHOR_END: crossbeam_zero

    // ANCHOR: tokio_zero
    // tokio's bounded channel has no rendezvous mode: capacity 0 is a programming error.
    std::panic::set_hook(Box::new(|_| {})); // keep the expected panic's report off stderr
    let zero = std::panic::catch_unwind(|| tokio::sync::mpsc::channel::<u32>(0));
    let message = zero
        .err()
        .and_then(|panic| panic.downcast_ref::<&str>().copied());
    println!("tokio mpsc::channel(0) panics: {message:?}");
    // ANCHOR_END: tokio_zero
}
