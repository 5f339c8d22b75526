//! What the suite measures: the shapes, their sizes in each mode, which contenders run them,
//! and the goals issue 3 sets for the Tasklings runtime.
//!
//! | shape | one operation is | n, m |
//! |---|---|---|
//! | `spawn_local` | a no-op task spawned from inside a task, run, counted | n tasks (std: threads) |
//! | `spawn_remote` | a no-op task spawned from the measuring thread | n tasks |
//! | `chained_spawn` | a hop: each task spawns the next and exits | n hops |
//! | `yield_many` | one yield | n tasks × m yields |
//! | `ping_pong` | a pair: A spawned, A spawns B, ping A→B, pong B→A | n pairs × m batches |
//! | `fork_join` | a fork of fib(n) by spawn-and-await, no cutoff | n = fib's argument |
//! | `mem_parked` | a task spawned and parked on a shared gate (and its resident bytes) | n tasks |
//! | `wake_latency` | send → the parked task running, p50 over n events | n events, m µs apart |

use crate::job::{Impl, Shape};

/// How big a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// The sizes of the issue (`cargo bench`): a few minutes.
    Full,
    /// `--quick`: the same shapes, smaller, under a minute, for CI.
    Quick,
    /// What `cargo test` runs (no `--bench` argument, debug build): a few seconds, to check
    /// that every contender still works.
    Smoke,
}

impl Size {
    pub fn name(self) -> &'static str {
        match self {
            Size::Full => "full",
            Size::Quick => "quick",
            Size::Smoke => "smoke",
        }
    }

    /// Runs per contender unless `--runs` says otherwise.
    pub fn default_runs(self) -> usize {
        match self {
            Size::Full => 5,
            Size::Quick => 3,
            Size::Smoke => 1,
        }
    }

    /// Untimed iterations before the timed one unless `--warmup` says otherwise.
    pub fn default_warmup(self) -> u32 {
        match self {
            Size::Full | Size::Quick => 1,
            Size::Smoke => 0,
        }
    }
}

/// One row group of the report: a shape at one size, and who runs it with which `n`.
#[derive(Clone, Debug)]
pub struct Case {
    pub shape: Shape,
    pub n: u64,
    pub m: u64,
    /// Each contender and its own `n` (std::thread runs fewer tasks than the others).
    pub contenders: Vec<(Impl, u64)>,
}

impl Case {
    /// The row label: the shape name, plus the size where one shape appears at several sizes.
    pub fn label(&self) -> String {
        match self.shape {
            Shape::MemParked => format!("{} {}", self.shape.name(), short_count(self.n)),
            _ => self.shape.name().to_string(),
        }
    }

    /// What one operation is and how many make a run, for the report's notes.
    pub fn describe(&self) -> String {
        let (n, m) = (short_count(self.n), self.m);
        match self.shape {
            Shape::SpawnLocal => format!("ns per task: {n} no-op tasks spawned from a task"),
            Shape::SpawnRemote => format!("ns per task: {n} no-op tasks spawned from outside"),
            Shape::ChainedSpawn => {
                format!("ns per hop: a chain of {n} tasks, each spawns the next")
            }
            Shape::YieldMany => format!("ns per yield: {n} tasks x {m} yields"),
            Shape::PingPong => format!("ns per pair: {n} spawn+ping+pong pairs x {m} batches"),
            Shape::ForkJoin => format!(
                "ns per fork: fib({}) by spawn-and-await, {} forks, no cutoff",
                self.n,
                crate::report::ns_text(forks(self.n) as f64)
            ),
            Shape::MemParked => {
                format!("resident bytes per task, {n} tasks parked on one gate (ns: spawn+park)")
            }
            Shape::WakeLatency => {
                format!("ns from send to the parked task running, p50 of {n} events {m} us apart")
            }
        }
    }

    /// Whether the ratios and goals compare resident bytes per task rather than time.
    pub fn compares_bytes(&self) -> bool {
        self.shape == Shape::MemParked
    }
}

/// The sizes of one run: how many tasks (or rounds) each shape uses.
struct Sizes {
    spawn: u64,
    thread: u64,
    remote: u64,
    chain: u64,
    yields: u64,
    batches: u64,
    fib: u64,
    events: u64,
    parked: &'static [u64],
}

impl Sizes {
    fn of(size: Size) -> Sizes {
        // (full, quick, smoke) sizes.
        let pick = |full: u64, quick: u64, smoke: u64| match size {
            Size::Full => full,
            Size::Quick => quick,
            Size::Smoke => smoke,
        };
        Sizes {
            spawn: pick(1_000_000, 200_000, 2_000),
            thread: pick(10_000, 2_000, 50),
            remote: pick(100_000, 50_000, 2_000),
            chain: pick(100_000, 50_000, 1_000),
            yields: pick(1_000, 250, 20),
            batches: pick(100, 20, 2),
            fib: pick(30, 25, 12),
            events: pick(1_000, 100, 10),
            parked: match size {
                Size::Full => &[100_000, 1_000_000],
                Size::Quick => &[100_000],
                Size::Smoke => &[1_000],
            },
        }
    }
}

fn case(shape: Shape, n: u64, m: u64, contenders: &[(Impl, u64)]) -> Case {
    Case {
        shape,
        n,
        m,
        contenders: contenders.to_vec(),
    }
}

/// The cases of a run of the given size, every shape in report order.
pub fn plan(size: Size) -> Vec<Case> {
    let sizes = Sizes::of(size);
    let mut cases = spawn_cases(&sizes);
    cases.extend(scheduling_cases(&sizes));
    cases.extend(memory_and_latency_cases(&sizes));
    cases
}

/// How fast tasks are created: from a task, from outside, in a chain.
fn spawn_cases(s: &Sizes) -> Vec<Case> {
    use Impl::{Go, Rayon, Std, Tasklings, Tokio};
    vec![
        case(
            Shape::SpawnLocal,
            s.spawn,
            0,
            &[
                (Tasklings, s.spawn),
                (Tokio, s.spawn),
                (Rayon, s.spawn),
                (Std, s.thread),
                (Go, s.spawn),
            ],
        ),
        case(
            Shape::SpawnRemote,
            s.remote,
            0,
            &[(Tasklings, s.remote), (Tokio, s.remote), (Rayon, s.remote)],
        ),
        case(
            Shape::ChainedSpawn,
            s.chain,
            0,
            &[
                (Tasklings, s.chain),
                (Tokio, s.chain),
                (Rayon, s.chain),
                (Std, s.thread),
                (Go, s.chain),
            ],
        ),
    ]
}

/// How fast running tasks are switched: yields, wake-ups, fork-join.
fn scheduling_cases(s: &Sizes) -> Vec<Case> {
    use Impl::{Go, Rayon, Tasklings, Tokio};
    vec![
        case(
            Shape::YieldMany,
            200,
            s.yields,
            &[(Tasklings, 200), (Tokio, 200), (Go, 200)],
        ),
        case(
            Shape::PingPong,
            1_000,
            s.batches,
            &[(Tasklings, 1_000), (Tokio, 1_000), (Go, 1_000)],
        ),
        case(
            Shape::ForkJoin,
            s.fib,
            0,
            &[
                (Tasklings, s.fib),
                (Tokio, s.fib),
                (Rayon, s.fib),
                (Go, s.fib),
            ],
        ),
    ]
}

/// What a parked task costs in memory, and how long a wake-up takes to run it.
fn memory_and_latency_cases(s: &Sizes) -> Vec<Case> {
    use Impl::{Go, Std, Tasklings, Tokio};
    let mut cases: Vec<Case> = s
        .parked
        .iter()
        .map(|&n| {
            case(
                Shape::MemParked,
                n,
                0,
                &[(Tasklings, n), (Tokio, n), (Go, n)],
            )
        })
        .collect();
    cases.push(case(
        Shape::WakeLatency,
        s.events,
        1_000,
        &[
            (Tasklings, s.events),
            (Tokio, s.events),
            (Std, s.events),
            (Go, s.events),
        ],
    ));
    cases
}

/// A goal for the Tasklings row of a shape.
#[derive(Clone, Copy, Debug)]
pub enum Goal {
    /// Paired median ratio of the shape's metric to tokio's, at most this.
    VsTokio(f64),
    /// Paired median ratio to Go's, at most this.
    VsGo(f64),
    /// Resident bytes per parked task, at most this.
    BytesPerTask(f64),
}

impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Goal::VsTokio(x) => write!(f, "<= {x}x tokio"),
            Goal::VsGo(x) => write!(f, "<= {x}x go"),
            Goal::BytesPerTask(b) => write!(f, "<= {b} B/task"),
        }
    }
}

/// Issue 3's goals for each shape (none for the shapes it only asks to report).
pub fn goals(shape: Shape) -> &'static [Goal] {
    match shape {
        Shape::SpawnLocal => &[Goal::VsTokio(0.25), Goal::VsGo(0.5)],
        Shape::MemParked => &[Goal::BytesPerTask(128.0)],
        Shape::ForkJoin => &[Goal::VsTokio(0.5)],
        Shape::YieldMany | Shape::PingPong | Shape::ChainedSpawn => &[Goal::VsTokio(1.0)],
        Shape::SpawnRemote | Shape::WakeLatency => &[],
    }
}

/// fib(n), computed sequentially: what the fork-join versions must return.
pub fn fib(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

/// How many forks fib(n) by spawn-and-await makes: one per call with n >= 2.
pub fn forks(n: u64) -> u64 {
    // The internal nodes of the call tree: fib(n + 1) - 1 (1,346,268 for fib(30)).
    fib(n + 1) - 1
}

/// 1000000 → "1M", 100000 → "100k", 1234 → "1234".
pub fn short_count(n: u64) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}
