//! Probes: the instruments Tasklings' hidden tests use to grade *how* code runs, not only what it
//! returns, without trusting the wall clock.
//!
//! Hidden tests link this crate, the exercise under test and `runtime`; they never link the grader.

pub mod clock;
pub mod compare;
pub mod gauge;
pub mod harness;
pub mod live;
pub mod rendezvous;
pub mod threads;
