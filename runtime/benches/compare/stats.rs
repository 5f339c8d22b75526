//! Medians, spreads and paired ratios over the runs of one case.
//!
//! Runs are interleaved (round r runs every contender once before round r + 1 starts), so round
//! r of two contenders ran close in time and saw about the same machine. A ratio is therefore
//! taken round by round — contender / reference within one round — and the report gives the
//! median of those paired ratios with their spread, which drift on a shared machine moves far
//! less than it moves absolute times.

use std::time::Duration;

use crate::job::{proc_status_kb, Measurement};

/// Median, minimum and maximum of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for an empty sample. The median of an even count is the mean of the middle two.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let mid = v.len() / 2;
        let median = if v.len() % 2 == 1 {
            v[mid]
        } else {
            (v[mid - 1] + v[mid]) / 2.0
        };
        Some(Spread {
            median,
            min: v[0],
            max: v[v.len() - 1],
        })
    }
}

/// The paired ratios `a[r] / b[r]` over the rounds where both ran, summarised.
pub fn paired_ratio(a: &[Option<f64>], b: &[Option<f64>]) -> Option<Spread> {
    Spread::of(
        a.iter()
            .zip(b)
            .filter_map(|(x, y)| Some(x.as_ref()? / y.as_ref()?)),
    )
}

/// The measurement of a latency run: p50 as `ns_per_op`, p99 beside it.
pub fn latency_measurement(delays: &[Duration]) -> Measurement {
    let mut ns: Vec<f64> = delays.iter().map(|d| d.as_nanos() as f64).collect();
    ns.sort_by(f64::total_cmp);
    let at = |q: usize| ns.get(ns.len() * q / 100).copied().unwrap_or(f64::NAN);
    Measurement {
        ns_per_op: at(50),
        p99_ns: Some(at(99)),
        peak_rss_kb: proc_status_kb("VmHWM"),
        bytes_per_task: None,
    }
}
