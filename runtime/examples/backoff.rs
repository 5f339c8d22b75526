//! Retries with exponential backoff, with and without jitter: three clients whose first calls
//! fail together (the server is down for its first two seconds) retry in step without jitter,
//! and spread out with it. On tokio's paused clock: the times are virtual and exact, and the
//! "random" jitter comes from a seeded generator, so every run prints the same.
//!
//!     cargo run -p runtime --example backoff

use std::time::Duration;

use tokio::time::{self, Instant};

const BASE: Duration = Duration::from_millis(100);
const CAP: Duration = Duration::from_secs(1);

// ANCHOR: backoff
/// The backoff after the `failures`-th failure: `base · 2^(failures − 1)`, at most `cap`.
/// Saturating arithmetic: no overflow, however many failures.
fn backoff(base: Duration, cap: Duration, failures: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(failures - 1))
        .min(cap)
}
// ANCHOR_END: backoff

/// A server that is down until `up_from`: a call that starts before then fails after 50 ms, a
/// later one answers after 50 ms.
async fn server(up_from: Instant) -> Result<(), &'static str> {
    let down = Instant::now() < up_from;
    time::sleep(Duration::from_millis(50)).await;
    if down {
        Err("503 Service Unavailable")
    } else {
        Ok(())
    }
}

// ANCHOR: retry
/// Calls the server until it answers; each attempt may take 500 ms at most, and after the n-th
/// failure the client waits `jitter(backoff(n))`. Returns when each attempt started.
async fn call_until_up(
    up_from: Instant,
    mut jitter: impl FnMut(Duration) -> Duration,
) -> Vec<Duration> {
    let start = Instant::now();
    let mut attempts = Vec::new();
    let mut failures = 0;
    loop {
        attempts.push(start.elapsed());
        match time::timeout(Duration::from_millis(500), server(up_from)).await {
            Ok(Ok(())) => return attempts,
            Ok(Err(_)) | Err(_) => failures += 1, // an error, or too slow
        }
        time::sleep(jitter(backoff(BASE, CAP, failures))).await;
    }
}
// ANCHOR_END: retry

// ANCHOR: jitter
/// "Full jitter": a wait drawn uniformly from zero to the whole backoff, in whole milliseconds.
fn full_jitter(seed: u64) -> impl FnMut(Duration) -> Duration {
    let mut rng = SplitMix64(seed);
    move |backoff| Duration::from_millis(rng.next() % (backoff.as_millis() as u64 + 1))
}
// ANCHOR_END: jitter

/// SplitMix64: a tiny seeded generator (not for cryptography).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn print(client: usize, attempts: &[Duration]) {
    let times: Vec<String> = attempts
        .iter()
        .map(|at| format!("{:.3}", at.as_secs_f64()))
        .collect();
    println!("  client {client}: {}", times.join("  "));
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let backoffs: Vec<String> = (1..=6)
        .map(|n| format!("{:?}", backoff(BASE, CAP, n)))
        .collect();
    println!("backoffs: {}, …", backoffs.join(", "));

    // ANCHOR: main
    let up_from = Instant::now() + Duration::from_secs(2);
    println!("attempts start at (s), without jitter:");
    let (a, b, c) = tokio::join!(
        call_until_up(up_from, |backoff| backoff),
        call_until_up(up_from, |backoff| backoff),
        call_until_up(up_from, |backoff| backoff),
    );
    for (client, attempts) in [a, b, c].iter().enumerate() {
        print(client, attempts);
    }

    let up_from = Instant::now() + Duration::from_secs(2);
    println!("with full jitter:");
    let (a, b, c) = tokio::join!(
        call_until_up(up_from, full_jitter(1)),
        call_until_up(up_from, full_jitter(2)),
        call_until_up(up_from, full_jitter(3)),
    );
    for (client, attempts) in [a, b, c].iter().enumerate() {
        print(client, attempts);
    }
    // ANCHOR_END: main
}
