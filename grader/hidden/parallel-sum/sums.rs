//! What comes back: edge cases, wrapping, uneven splits, random slices.

use std::panic::{catch_unwind, AssertUnwindSafe};

use parallel_sum::parallel_sum_by;

use crate::reference::{wrapping_sum, Rng};

pub fn sums_an_empty_slice_to_zero() {
    for workers in [0, 1, 4] {
        assert_eq!(
            sum_of(&[], workers),
            0,
            "parallel_sum(&[], {workers}) must be 0: the sum of nothing is 0"
        );
    }
    let nothing: &[u8] = &[];
    let sum = parallel_sum_by(nothing, 4, |_| {
        panic!("parallel_sum_by called f on an empty slice: there is no item to call it on")
    });
    assert_eq!(sum, 0, "parallel_sum_by on an empty slice must be 0");
}

pub fn sums_a_single_item() {
    for workers in [1, 2, 16] {
        for n in [42, -7, i64::MIN] {
            assert_eq!(
                sum_of(&[n], workers),
                n,
                "parallel_sum(&[{n}], {workers}) must be {n}"
            );
        }
    }
}

pub fn handles_fewer_items_than_workers() {
    for (numbers, workers) in [(&[1, 2, 3][..], 8), (&[5][..], 100), (&[10, -20][..], 3)] {
        let want = wrapping_sum(numbers);
        assert_eq!(
            sum_of(numbers, workers),
            want,
            "parallel_sum({numbers:?}, {workers}) must be {want}: with fewer items than workers, \
             some workers get nothing to do (and a chunk size of len / workers would be 0)"
        );
    }
    let words = ["a", "bb", "ccc"];
    assert_eq!(
        parallel_sum_by(&words, 10, |w| w.len() as i64),
        6,
        "parallel_sum_by over 3 items with 10 workers must add up f of all 3"
    );
}

pub fn treats_zero_workers_as_one() {
    let numbers: Vec<i64> = (1..=10).collect();
    assert_eq!(
        sum_of(&numbers, 0),
        55,
        "parallel_sum(1..=10, 0) must be 55: workers == 0 is treated as 1 (`workers.max(1)`) — \
         dividing by 0 or making chunks of size 0 panics"
    );
    let gauge = probes::Gauge::new();
    let sum = parallel_sum_by(&numbers, 0, |n| {
        let _in_flight = gauge.enter();
        std::thread::yield_now();
        *n
    });
    assert_eq!(sum, 55, "parallel_sum_by(1..=10, 0, identity) must be 55");
    assert!(
        gauge.peak() <= 1,
        "with workers == 0 (treated as 1), {} calls of f ran at once; at most 1 may",
        gauge.peak()
    );
}

pub fn sums_slices_that_split_unevenly() {
    for len in 0..=40i64 {
        // Distinct powers-of-two-ish values, so a missing or doubled item changes the sum.
        let numbers: Vec<i64> = (1..=len).map(|k| k * 1_000 + k * k).collect();
        let want = wrapping_sum(&numbers);
        for workers in 1..=9 {
            let got = sum_of(&numbers, workers);
            assert_eq!(
                got,
                want,
                "parallel_sum of {len} numbers with {workers} workers returned {got}, expected \
                 {want}: {}",
                explain_difference(&numbers, got, want)
            );
        }
    }
}

/// Turns a wrong sum into a guess at what went wrong, from which items it is missing.
fn explain_difference(numbers: &[i64], got: i64, want: i64) -> String {
    let missing = want.wrapping_sub(got);
    let tail: Vec<i64> = (1..numbers.len())
        .map(|k| wrapping_sum(&numbers[numbers.len() - k..]))
        .collect();
    if let Some(k) = tail.iter().position(|t| *t == missing) {
        format!(
            "the last {} item(s) are missing — does the last, shorter chunk get summed?",
            k + 1
        )
    } else if tail.contains(&got.wrapping_sub(want)) {
        "the last items are counted twice — do two chunks overlap?".to_string()
    } else {
        "some items are missing or counted twice — do the chunks cover the slice exactly once?"
            .to_string()
    }
}

pub fn wraps_on_overflow() {
    let cases: [(&[i64], i64); 4] = [
        (&[i64::MAX, 1], i64::MIN),
        (&[i64::MIN, -1], i64::MAX),
        (&[i64::MAX, i64::MAX, 2], 0),
        (&[i64::MIN, i64::MIN], 0),
    ];
    for (numbers, want) in cases {
        for workers in [1, 2, 3] {
            let got = match catch_unwind(|| parallel_sum::parallel_sum(numbers, workers)) {
                Ok(got) => got,
                Err(payload) => panic!("{}", overflow_panic(numbers, workers, &*payload)),
            };
            assert_eq!(
                got, want,
                "parallel_sum({numbers:?}, {workers}) must wrap around to {want}, got {got}"
            );
        }
    }
    let big = vec![i64::MAX; 1_001];
    assert_eq!(
        sum_of(&big, 4),
        wrapping_sum(&big),
        "1001 × i64::MAX must wrap like a sequential wrapping sum"
    );
    assert_eq!(
        parallel_sum_by(&[(); 3], 2, |()| i64::MAX),
        wrapping_sum(&[i64::MAX; 3]),
        "parallel_sum_by must wrap too"
    );
}

pub fn matches_a_sequential_sum_on_random_slices() {
    const SEED: u64 = 0x7A5C_11A6_5EED;
    let mut rng = Rng::new(SEED);
    for case in 0..60 {
        let len = match case % 3 {
            0 => rng.below(50),
            1 => rng.below(2_000),
            _ => rng.below(20_000),
        } as usize;
        let workers = rng.below(17) as usize;
        // Half the cases use small numbers (no overflow), half any i64 (overflow galore).
        let numbers: Vec<i64> = if case % 2 == 0 {
            (0..len).map(|_| rng.below(2_001) as i64 - 1_000).collect()
        } else {
            (0..len).map(|_| rng.next_u64() as i64).collect()
        };
        let want = wrapping_sum(&numbers);
        let got = sum_of(&numbers, workers);
        assert_eq!(
            got, want,
            "random case {case} (seed {SEED:#x}): {len} numbers, {workers} workers: got {got}, \
             expected {want}"
        );
    }
}

pub fn sum_by_adds_up_f_of_every_item() {
    let words: Vec<String> = (0..100).map(|k| "x".repeat(k % 7)).collect();
    let want: i64 = words.iter().map(|w| w.len() as i64).sum();
    for workers in [1, 3, 8] {
        assert_eq!(
            parallel_sum_by(&words, workers, |w| w.len() as i64),
            want,
            "parallel_sum_by(words, {workers}, len) must add up the lengths of all 100 words"
        );
    }
}

/// `parallel_sum(numbers, workers)`, with a panic turned into a message that names the call.
fn sum_of(numbers: &[i64], workers: usize) -> i64 {
    match catch_unwind(AssertUnwindSafe(|| {
        parallel_sum::parallel_sum(numbers, workers)
    })) {
        Ok(sum) => sum,
        Err(payload) => {
            let message = panic_message(&*payload);
            let shown = if numbers.len() <= 8 {
                format!("{numbers:?}")
            } else {
                format!("{} numbers", numbers.len())
            };
            panic!(
                "parallel_sum({shown}, {workers}) panicked instead of returning the sum: \
                 {message}{}",
                if message.contains("overflow") {
                    " (addition must wrap on overflow: use i64::wrapping_add — `+` and `.sum()` \
                     panic in debug builds — both within a chunk and when combining the partial \
                     sums)"
                } else if message.contains("divide by zero") && workers == 0 {
                    " (workers == 0 is treated as 1: `workers.max(1)`)"
                } else if message.contains("scoped thread") || message.contains("Any {") {
                    " (a panic on one of the threads it started, passed on by `join`: an \
                     overflow? use i64::wrapping_add)"
                } else {
                    ""
                }
            )
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|m| m.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// What to tell the learner when a sum of overflowing numbers panicked.
fn overflow_panic(numbers: &[i64], workers: usize, payload: &(dyn std::any::Any + Send)) -> String {
    let message = panic_message(payload);
    if message.contains("not yet implemented") {
        return format!("parallel_sum({numbers:?}, {workers}) panicked: {message}");
    }
    format!(
        "parallel_sum({numbers:?}, {workers}) panicked ({message}): addition must wrap on \
         overflow — use i64::wrapping_add (`+` and `.sum()` panic on overflow in debug builds), \
         both within a chunk and when combining the partial sums"
    )
}
