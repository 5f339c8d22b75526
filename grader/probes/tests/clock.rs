//! Start logs on tokio's paused clock: exact virtual times, strict sliding windows, pace.

use std::time::Duration;

use probes::clock::{block_on_paused, StartLog};
use tokio::time::{sleep, Instant};

const SECOND: Duration = Duration::from_secs(1);

/// Starts one call per entry of `offsets_ms` (virtual milliseconds after now), each recording its
/// start in the log; returns the log and the origin.
async fn starts_at(offsets_ms: &[u64]) -> (StartLog, Instant) {
    let log = StartLog::new();
    let origin = Instant::now();
    let tasks: Vec<_> = offsets_ms
        .iter()
        .map(|ms| {
            let log = log.clone();
            let at = origin + Duration::from_millis(*ms);
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                log.record();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (log, origin)
}

#[test]
fn the_paused_clock_is_virtual_and_exact() {
    block_on_paused(async {
        let origin = Instant::now();
        sleep(Duration::from_secs(3_600)).await;
        assert_eq!(origin.elapsed(), Duration::from_secs(3_600));
    });
}

#[test]
fn a_limiter_spaced_evenly_passes_rate_and_pace() {
    block_on_paused(async {
        // 3 per second, spaced 334 ms apart: never 4 in a window, and the pace is kept.
        let offsets: Vec<u64> = (0..10).map(|k| k * 334).collect();
        let (log, origin) = starts_at(&offsets).await;
        assert_eq!(log.len(), 10);
        assert_eq!(log.max_in_window(SECOND), 3);
        assert_eq!(log.check_rate(3, SECOND), Ok(()));
        assert_eq!(log.check_pace(origin, 3, SECOND), Ok(()));
    });
}

#[test]
fn a_full_token_bucket_bursts_past_a_strict_window() {
    block_on_paused(async {
        // A bucket of 3 that starts full: 3 at once, then refills one every 333 ms. The window
        // starting at 0 sees the burst plus the first refill.
        let (log, _) = starts_at(&[0, 0, 0, 334, 667, 1000]).await;
        assert_eq!(log.max_in_window(SECOND), 5);
        let error = log.check_rate(3, SECOND).unwrap_err();
        assert!(
            error.contains("5 calls started within one window"),
            "{error}"
        );
    });
}

#[test]
fn fixed_buckets_are_not_enough() {
    block_on_paused(async {
        // 3 at the end of one second and 3 at the start of the next: fine per calendar second,
        // 6 in the window [900 ms, 1900 ms).
        let (log, _) = starts_at(&[900, 950, 990, 1000, 1010, 1020]).await;
        assert_eq!(log.max_in_window(SECOND), 6);
        assert!(log.check_rate(3, SECOND).is_err());
    });
}

#[test]
fn waiting_a_whole_window_after_each_batch_breaks_the_pace() {
    block_on_paused(async {
        // 2 per second allowed, so calls 3 and 4 may start by 2 s; this one lets a batch of 2
        // finish (500 ms) and then waits 2 more seconds.
        let (log, origin) = starts_at(&[0, 0, 2500, 2500]).await;
        assert_eq!(log.check_rate(2, SECOND), Ok(()));
        let error = log.check_pace(origin, 2, SECOND).unwrap_err();
        assert!(error.starts_with("call 3 started 2.500 s"), "{error}");
    });
}

#[test]
fn the_pace_forgives_a_nanosecond_of_rounding_per_call() {
    block_on_paused(async {
        let step = SECOND / 3 + Duration::from_nanos(1);
        let log = StartLog::new();
        let origin = Instant::now();
        for k in 0..30u32 {
            log.record_at(origin + step * k);
        }
        assert_eq!(log.check_pace(origin, 3, SECOND), Ok(()));
    });
}
