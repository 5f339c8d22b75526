//! How many schedules an exploration runs before it finds each of the catalogue's interleaving
//! bugs (mirrored in `tests/scenarios`), under uniform random scheduling and under PCT:
//! for each policy, 101 explorations starting at different seeds, each counting the schedules
//! up to and including its first failing one; the median and the worst are printed.
//!
//!     cargo run --release -p probes --example schedules_to_failure

#[path = "../tests/scenarios/mod.rs"]
mod scenarios;

use runtime::{Policy, Runtime};

const EXPLORATIONS: u64 = 101;
/// An exploration that finds nothing in this many schedules counts as this many.
const GIVE_UP: u64 = 1_000;

fn schedules_until_failure(
    policy: Policy,
    start: u64,
    scenario: fn(&Runtime) -> Result<(), String>,
) -> u64 {
    for n in 1..=GIVE_UP {
        let rt = Runtime::builder()
            .deterministic(start * GIVE_UP + n)
            .policy(policy)
            .build()
            .expect("a deterministic runtime starts");
        if scenario(&rt).is_err() {
            return n;
        }
    }
    GIVE_UP
}

fn main() {
    let policies = [
        ("uniform random", Policy::Random),
        ("PCT depth 2", Policy::Pct { depth: 2 }),
        ("PCT depth 3", Policy::Pct { depth: 3 }),
    ];
    print!("| bug |");
    for (name, _) in &policies {
        print!(" {name}: median (worst) |");
    }
    println!("\n|---|{}", "---|".repeat(policies.len()));
    for (bug, scenario) in scenarios::BUGGY {
        print!("| {bug} |");
        for (_, policy) in &policies {
            let mut counts: Vec<u64> = (0..EXPLORATIONS)
                .map(|start| schedules_until_failure(*policy, start, scenario))
                .collect();
            counts.sort_unstable();
            print!(
                " {} ({}) |",
                counts[counts.len() / 2],
                counts[counts.len() - 1]
            );
        }
        println!();
    }
    println!(
        "\n{EXPLORATIONS} explorations per cell, each from its own first seed; schedules counted up \
         to and including the first failing one (gave up at {GIVE_UP})."
    );
}
