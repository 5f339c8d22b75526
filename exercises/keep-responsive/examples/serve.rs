//! Runs your `handle` on a runtime with one worker, beside a heartbeat task, and shows where
//! each backend call ran and how often the heartbeat got its turn.
//!
//!     cargo run -p keep-responsive --example serve
//!
//! The blocking calls sleep 20 ms; the heartbeat wants to tick every millisecond. With the
//! starter, the heartbeat stalls while the requests run and every call runs on the worker
//! (`service-0`); once the work is where it belongs, the heartbeat keeps ticking and the
//! blocking calls run on `service-blocking`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use keep_responsive::{handle, Backend, Request};

/// A backend that sleeps where a real one would wait, and remembers which thread ran what.
#[derive(Default)]
struct Sleepy {
    calls: Mutex<Vec<(String, String)>>,
}

impl Sleepy {
    fn note(&self, call: &str) {
        let thread = thread::current().name().unwrap_or("<unnamed>").to_string();
        let mut calls = self.calls.lock().unwrap();
        if !calls.iter().any(|(c, t)| c == call && *t == thread) {
            calls.push((call.to_string(), thread));
        }
    }
}

impl Backend for Sleepy {
    fn load_profile(&self, user: u64) -> String {
        self.note("load_profile");
        thread::sleep(Duration::from_millis(20));
        format!("profile of user {user}")
    }

    fn score(&self, item: u64) -> u32 {
        self.note("score");
        let mut h = item;
        for _ in 0..2_000 {
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        }
        (h % 1_000) as u32
    }

    fn audit(&self, _line: String) {
        self.note("audit");
        thread::sleep(Duration::from_millis(20));
    }
}

fn main() {
    let rt = runtime::Runtime::builder()
        .workers(1)
        .thread_name("service")
        .build()
        .expect("a thread can be started");
    let ticks = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let (t, d) = (Arc::clone(&ticks), Arc::clone(&done));
    rt.spawn(async move {
        while !d.load(Relaxed) {
            t.fetch_add(1, Relaxed);
            runtime::sleep(Duration::from_millis(1)).await;
        }
    });
    let backend = Arc::new(Sleepy::default());
    let clock = Instant::now();
    let before = ticks.load(Relaxed);
    let requests: Vec<_> = (1..=3)
        .map(|user| {
            let request = Request {
                user,
                items: (0..2_000).collect(),
            };
            rt.spawn(handle(Arc::clone(&backend), request))
        })
        .collect();
    for request in requests {
        let response = request.join().expect("handle doesn't panic");
        println!(
            "user {}: score {}, {}",
            response.user, response.score, response.profile
        );
    }
    let (ms, beats) = (clock.elapsed().as_millis(), ticks.load(Relaxed) - before);
    done.store(true, Relaxed);
    println!("\nthe heartbeat ticked {beats} times in the {ms} ms the requests took");
    println!("(a free worker ticks about once per millisecond; a stalled one not at all)\n");
    for (call, thread) in backend.calls.lock().unwrap().iter() {
        println!("{call:>12} ran on {thread}");
    }
}
