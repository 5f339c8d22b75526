//! Probes: the instruments Tasklings' hidden tests use to grade *how* code runs, not only what it
//! returns, without trusting the wall clock.
//!
//! Hidden tests link this crate, the exercise under test and `runtime`; they never link the grader.
//!
//! | question a test asks | instrument | evidence |
//! |---|---|---|
//! | never more than N at once? | [`Gauge`] | peak of calls in flight, counted |
//! | really N at once? | [`Rendezvous`] | N callers wait for one another; wrong code times out once |
//! | nothing left running after return? | [`LiveWork`] | live count 0 at return and after a grace |
//! | how many threads did the work? | [`ThreadLog`], [`threads::os_threads`] | thread ids per call; OS thread count |
//! | busy-waiting? | [`threads::CpuMeter`] | CPU time per wall time over a call whose work only waits |
//! | how much memory per task? | [`memory::peak_growth_during`] | rise of the process's peak resident set over a call |
//! | rate and pace kept? | [`clock::StartLog`] on [`clock::paused_runtime`] | exact virtual start times |
//! | fast enough? | [`compare::Compare`] | best of k, interleaved, against a baseline of the same run, as a ratio |
//! | the same inputs on every run? | [`seeded::Rng`] | a seeded generator: a failure names its seed |
//! | wrong under some interleaving? | [`explore::Explore`] | many seeded schedules of the deterministic runtime; the first failing one named, replayable |
//! | woken, leaked, or woken for nothing? | [`WakerProbe`] | a waker's live copies and wakes, counted; a hook inside its next clone |
//! | is the worker free while work runs? | [`heartbeat::Heartbeat`] | a task that must be polled when asked; a stuck worker never polls it |
//!
//! Every instrument's verdict is one-sided where timing enters: a slow or busy machine can make
//! wrong code *pass* a check it should fail (a spinner that gets little CPU), never make correct
//! code fail one. No instrument compares against an absolute time.
//!
//! The handles ([`Gauge`], [`Rendezvous`], [`LiveWork`], [`ThreadLog`], [`clock::StartLog`]) are
//! cheap to clone, and clones share one state: keep one, move the other into the closure under test.

pub mod clock;
pub mod compare;
pub mod explore;
pub mod gauge;
pub mod harness;
pub mod heartbeat;
pub mod live;
pub mod memory;
pub mod rendezvous;
pub mod seeded;
pub mod threads;
pub mod waker;

pub use clock::StartLog;
pub use compare::{cpus, Compare, Comparison};
pub use explore::Explore;
pub use gauge::{Gauge, GaugeGuard};
pub use live::{LiveToken, LiveWork};
pub use rendezvous::Rendezvous;
pub use threads::ThreadLog;
pub use waker::WakerProbe;
