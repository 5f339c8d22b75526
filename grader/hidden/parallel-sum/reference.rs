//! What the answers should be, and inputs that are random but the same on every run.

/// The sequential wrapping sum every answer is checked against.
pub fn wrapping_sum(numbers: &[i64]) -> i64 {
    let mut sum = 0i64;
    for n in numbers {
        sum = sum.wrapping_add(*n);
    }
    sum
}

/// SplitMix64: a tiny, well-mixed generator. Seeded, so a failing case names its seed and
/// reproduces exactly.
pub struct Rng(u64);

impl Rng {
    pub fn seeded(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0; the tiny modulo bias doesn't matter here).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// Any i64, overflow-prone sums included.
    pub fn any_i64(&mut self) -> i64 {
        self.next_u64() as i64
    }
}
