//! A blocking call in a service, three ways, next to a heartbeat: is the worker still free?
//!
//!     cargo run -p runtime --example heartbeat
//!
//! One worker. A "heartbeat" task wakes every millisecond and counts. A "request" task makes a
//! blocking database call (it returns when `main` says so) — inline, on `spawn_blocking` but
//! waiting for it with a blocking `recv()`, and on `spawn_blocking` with `.await`. While the call
//! is under way, `main` counts heartbeats and takes `runtime::dump()`.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Duration;

use runtime::{Runtime, TaskState};

/// A synchronous database driver: blocks its thread until `main` releases it.
#[derive(Clone)]
struct Database {
    entered: mpsc::Sender<()>,
    release: Arc<Mutex<mpsc::Receiver<()>>>,
}

impl Database {
    fn query(&self) -> &'static str {
        self.entered.send(()).unwrap();
        self.release.lock().unwrap().recv().unwrap();
        "row 42"
    }
}

// ANCHOR: versions
/// Inline: the call blocks the worker that polls this task.
async fn inline(db: Database) -> &'static str {
    db.query()
}

/// On the blocking pool, but waited for with a blocking `recv()`: the worker still waits.
async fn pool_then_recv(db: Database) -> &'static str {
    let (tx, rx) = mpsc::channel();
    runtime::spawn_blocking(move || tx.send(db.query()).unwrap());
    rx.recv().unwrap()
}

/// On the blocking pool, awaited: the task parks at `.await`, the worker is free.
async fn pool_then_await(db: Database) -> &'static str {
    runtime::spawn_blocking(move || db.query()).await.unwrap()
}
// ANCHOR_END: versions

fn main() {
    let rt = Runtime::builder()
        .workers(1)
        .thread_name("service")
        .build()
        .expect("a thread can be started");
    let beats = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&beats);
    rt.spawn(async move {
        loop {
            counter.fetch_add(1, Relaxed);
            runtime::sleep(Duration::from_millis(1)).await;
        }
    });
    println!("one worker; a heartbeat task counts every 1 ms");
    watch(&rt, &beats, "inline", |db| rt.spawn(inline(db)));
    watch(&rt, &beats, "spawn_blocking + recv()", |db| {
        rt.spawn(pool_then_recv(db))
    });
    watch(&rt, &beats, "spawn_blocking + .await", |db| {
        rt.spawn(pool_then_await(db))
    });
}

/// Starts a request, and while its database call is under way counts heartbeats and prints
/// what the dump says about every task but the heartbeat.
fn watch(
    rt: &Runtime,
    beats: &AtomicU64,
    version: &str,
    start: impl FnOnce(Database) -> runtime::JoinHandle<&'static str>,
) {
    let (entered, in_call) = mpsc::channel();
    let (release, released) = mpsc::channel();
    let request = start(Database {
        entered,
        release: Arc::new(Mutex::new(released)),
    });
    let request_id = request.id();
    in_call.recv().unwrap(); // the database call has begun
    let before = beats.load(Relaxed);
    // Up to ~100 ms for five beats: a free worker gives them in ~5 ms, a blocked one never.
    for _ in 0..100 {
        if beats.load(Relaxed) >= before + 5 {
            break;
        }
        thread::sleep(Duration::from_millis(1));
    }
    let during = beats.load(Relaxed) - before;
    let dump = rt.dump();
    release.send(()).unwrap();
    let row = request.join().unwrap();
    println!("\n{version}: the heartbeat beat {during} times during the call; the dump:");
    let state_of = |id| dump.tasks.iter().find(|t| t.id == id).map(|t| t.state);
    println!("  the request: {}", state_of(request_id).expect("live"));
    for task in dump.tasks.iter().filter(|t| t.state == TaskState::Blocking) {
        println!(
            "  on the blocking pool: a closure spawned at {}",
            task.location
        );
    }
    println!("  (answer: {row})");
}
