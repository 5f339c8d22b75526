//! Seeded latency profiles for the sliding-window check.
//!
//! A limiter can look right under one friendly latency pattern and break the rate under another.
//! A limiter keyed to fixed one-second windows passes when every call is quick (its windows fill
//! at their start), yet lets nearly `2 × per_second` calls start within one second when slow calls
//! hold the slots until just before a window ends and the next window opens right after. A token
//! bucket that starts full passes when the slots, not the rate, are the limit, and bursts after
//! an idle stretch otherwise. A per-batch sleep passes when each batch starts at once, and
//! crowds two batches together when a batch waited for its slots. So the rate is checked under
//! many patterns, each generated from a seed by `probes::seeded` (the same urls, latencies and
//! limits on every machine and every run: a failure names its profile and seed and reproduces):
//!
//! | kind             | slots (`max_concurrent`)   | latencies                                        |
//! |------------------|----------------------------|--------------------------------------------------|
//! | long first calls | 1 to `per_second + 1`      | the first calls 0.6–1.6 s, then quick ones       |
//! | one slot         | 1                          | mostly quick, now and then 0.7–1.3 s             |
//! | many slots       | every url at once          | anything from 1 ms to 2 s                        |
//! | burst after idle | `per_second` to twice that | the first calls 1.5–3 s, then a quick burst      |
//! | window edges     | 1 to `per_second + 2`      | 1 s, 1 s ± 1–3 ms, 2 s, ½ s, ⅓ s, ¼ s, ⅙ s, 1 ms |
//! | a beat late      | 1 or 2                     | mostly 1–3 ms, now and then 1–4 ms past a        |
//! |                  |                            | multiple of 1/`per_second`                       |
//! | mix              | 1 to 8                     | a per-call mix of all of the above               |
//!
//! Every profile's rate is 1 to 7 per second, and its calls run on tokio's paused clock, so each
//! start time is exact: a verdict depends on the code alone.

use std::fmt;

use probes::seeded::Rng;

use crate::instrumented::url;

/// The kinds of latency pattern, in the order they are checked.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    LongFirstCalls,
    OneSlot,
    ManySlots,
    BurstAfterIdle,
    WindowEdges,
    BeatLate,
    Mix,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::LongFirstCalls,
        Kind::OneSlot,
        Kind::ManySlots,
        Kind::BurstAfterIdle,
        Kind::WindowEdges,
        Kind::BeatLate,
        Kind::Mix,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::LongFirstCalls => "long first calls",
            Kind::OneSlot => "one slot",
            Kind::ManySlots => "many slots",
            Kind::BurstAfterIdle => "burst after idle",
            Kind::WindowEdges => "window edges",
            Kind::BeatLate => "a beat late",
            Kind::Mix => "mix",
        }
    }
}

/// Profiles generated per kind: 7 kinds × 8 = 56 profiles.
const PER_KIND: u64 = 8;

/// Latencies (ms) that make calls end exactly on, or a millisecond either side of, the edges of
/// one-second windows that begin where earlier calls started.
const EDGES_MS: [u64; 12] = [1000, 999, 1001, 998, 1003, 2000, 500, 333, 250, 167, 2, 1];

/// One generated input for `fetch_all_rate_limited`.
pub struct Profile {
    pub kind: Kind,
    pub seed: u64,
    pub max_concurrent: usize,
    pub per_second: u32,
    pub urls: Vec<String>,
    /// Each url's latency in ms, in the order of `urls` (also written in each url).
    pub latencies_ms: Vec<u64>,
}

impl fmt::Display for Profile {
    /// `profile "long first calls", seed 0x5EED0003 (2 slots, 3 per second, latencies in ms:
    /// 812, 1530, 20, …)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let latencies: Vec<String> = self.latencies_ms.iter().map(u64::to_string).collect();
        write!(
            f,
            "profile \"{}\", seed {:#X} ({} url(s), max_concurrent {}, per_second {}; latencies \
             in ms, in url order: {})",
            self.kind.name(),
            self.seed,
            self.urls.len(),
            self.max_concurrent,
            self.per_second,
            latencies.join(", ")
        )
    }
}

/// Every profile, kind by kind; the same list on every run.
pub fn all() -> Vec<Profile> {
    let mut profiles = Vec::new();
    for (number, kind) in (0u64..).zip(Kind::ALL) {
        for index in 0..PER_KIND {
            profiles.push(generate(kind, 0x5EED_0000 + (number << 8) + index));
        }
    }
    profiles
}

/// The profile of `kind` that `seed` gives.
pub fn generate(kind: Kind, seed: u64) -> Profile {
    let mut rng = Rng::new(seed);
    let rate = between(&mut rng, 1, 7) as usize;
    let per_second = rate as u32;
    let (max_concurrent, latencies_ms) = match kind {
        Kind::LongFirstCalls => {
            let slots = between(&mut rng, 1, rate as u64 + 1) as usize;
            let count = rate * between(&mut rng, 3, 5) as usize;
            let latencies = (0..count)
                .map(|index| {
                    if index < slots {
                        between(&mut rng, 600, 1600)
                    } else {
                        between(&mut rng, 1, 150)
                    }
                })
                .collect();
            (slots, latencies)
        }
        Kind::OneSlot => {
            let latencies = (0..4 * rate + 2)
                .map(|_| {
                    if rng.chance(250) {
                        between(&mut rng, 700, 1300)
                    } else {
                        between(&mut rng, 1, 80)
                    }
                })
                .collect();
            (1, latencies)
        }
        Kind::ManySlots => {
            let count = rate * between(&mut rng, 2, 5) as usize + 1;
            let latencies = (0..count).map(|_| between(&mut rng, 1, 2000)).collect();
            (count, latencies)
        }
        Kind::BurstAfterIdle => {
            let slots = between(&mut rng, rate as u64, 2 * rate as u64) as usize;
            let latencies = (0..slots + 3 * rate)
                .map(|index| {
                    if index < slots {
                        between(&mut rng, 1500, 3000)
                    } else {
                        between(&mut rng, 1, 100)
                    }
                })
                .collect();
            (slots, latencies)
        }
        Kind::WindowEdges => {
            let slots = between(&mut rng, 1, rate as u64 + 2) as usize;
            let latencies = (0..4 * rate + 3).map(|_| edge(&mut rng)).collect();
            (slots, latencies)
        }
        Kind::BeatLate => {
            // A slot frees a few ms after a multiple of 1/per_second: a limiter keeping a grid
            // of ticks (a tokio interval counts a tick up to 5 ms late as on time) starts that
            // call late and the next ones on the old grid, a little closer together.
            let beat = 1000u64.div_ceil(rate as u64);
            let slots = between(&mut rng, 1, 2) as usize;
            let latencies = (0..6 * rate + 4)
                .map(|_| {
                    if rng.chance(150) {
                        beat * between(&mut rng, 1, 3) + between(&mut rng, 1, 4)
                    } else {
                        between(&mut rng, 1, 3)
                    }
                })
                .collect();
            (slots, latencies)
        }
        Kind::Mix => {
            let slots = between(&mut rng, 1, 8) as usize;
            let latencies = (0..between(&mut rng, 10, 30))
                .map(|_| match rng.below(4) {
                    0 => between(&mut rng, 1, 100),
                    1 => between(&mut rng, 100, 900),
                    2 => between(&mut rng, 900, 2500),
                    _ => edge(&mut rng),
                })
                .collect();
            (slots, latencies)
        }
    };
    Profile {
        kind,
        seed,
        max_concurrent,
        per_second,
        urls: (0..)
            .zip(&latencies_ms)
            .map(|(index, &ms)| url(index, ms))
            .collect(),
        latencies_ms,
    }
}

/// A number in `low..=high`.
fn between(rng: &mut Rng, low: u64, high: u64) -> u64 {
    low + rng.below(high - low + 1)
}

fn edge(rng: &mut Rng) -> u64 {
    EDGES_MS[rng.below(EDGES_MS.len() as u64) as usize]
}
