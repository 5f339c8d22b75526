//! Peak resident memory. One test in this binary, so that no other test's allocations move the
//! process's peak while it measures.

use probes::memory::{peak_growth_during, peak_resident};

const MIB: u64 = 1 << 20;

/// Where the probe must answer (`memory.rs`'s table).
const SUPPORTED: bool = cfg!(any(target_os = "linux", target_os = "macos", windows));

#[test]
fn peak_growth_sees_pages_written_and_not_pages_merely_reserved() {
    let Some(start) = peak_resident() else {
        // Not Linux, macOS or Windows: the probe says so instead of guessing.
        if SUPPORTED {
            panic!("peak_resident() is None on a system it supports");
        }
        let ((), growth) = peak_growth_during(|| ());
        assert_eq!(growth, None);
        return;
    };
    assert!(start > 0, "a running process has a resident set");

    // 64 MiB written: all of it resident at once, so the peak rises by about that much.
    let (sum, growth) = peak_growth_during(|| {
        let pages = vec![1u8; 64 << 20];
        pages.iter().map(|&b| u64::from(b)).sum::<u64>()
    });
    assert_eq!(sum, 64 << 20);
    let growth = growth.expect("measurable where peak_resident is");
    assert!(
        growth.bytes >= 48 * MIB,
        "64 MiB written, yet the peak rose by only {} MiB ({growth:?})",
        growth.bytes / MIB
    );
    assert!(
        growth.bytes <= 128 * MIB,
        "64 MiB written, yet the peak rose by {} MiB",
        growth.bytes / MIB
    );

    // Reserved but never written: no resident pages, so (almost) no growth. Where the peak
    // can't be reset, it is still at the 64 MiB reached above, so the growth is 0 either way.
    let (len, growth) = peak_growth_during(|| {
        let reserved: Vec<u8> = Vec::with_capacity(256 << 20);
        std::hint::black_box(&reserved);
        reserved.capacity()
    });
    assert!(len >= 256 << 20);
    let growth = growth.expect("measurable where peak_resident is");
    assert!(
        growth.bytes <= 16 * MIB,
        "256 MiB reserved and never written raised the peak by {} MiB",
        growth.bytes / MIB
    );
}
