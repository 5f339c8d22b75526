//! What the answers should be, and inputs that are random but the same on every run.

/// The sequential wrapping sum every answer is checked against.
pub fn wrapping_sum(numbers: &[i64]) -> i64 {
    let mut sum = 0i64;
    for n in numbers {
        sum = sum.wrapping_add(*n);
    }
    sum
}

/// Seeded, so a failing case names its seed and reproduces exactly.
pub use probes::seeded::Rng;
