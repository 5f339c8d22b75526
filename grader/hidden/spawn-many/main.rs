//! Hidden tests of spawn-many: `spawn_all` runs one task per input, all at once, and returns the
//! outputs in input order.
//!
//! - `outputs`: one output per input, in input order, while the tasks finish in reverse order
//!   (a turnstile forces it on every run); no inputs, one input.
//! - `tasks`: one Tasklings task per input (the runtime's process-wide metrics); all of them alive
//!   at the same time (a rendezvous: code that awaits each task before spawning the next waits it
//!   out once, then fails); no OS thread per input (threads counted while every task waits at a
//!   gate; Linux, macOS, Windows).
//! - `memory`: 100,000 inputs all waiting at once raise the process's peak resident memory by
//!   hundreds of bytes per task, not kilobytes (Linux, macOS, Windows).
//!
//! No wall-clock assertion anywhere: what is counted is tasks, threads, bytes and who met whom.
//! `meeting` holds the gate and the turnstile.

mod meeting;
mod memory;
mod outputs;
mod tasks;

use std::time::Duration;

use probes::harness::{self, Test};

/// How long a rendezvous, gate or turnstile waits without progress before it gives up. Correct
/// code never waits for it (its tasks arrive at once); code that runs the tasks one after
/// another waits it out once, then fails.
pub const PATIENCE: Duration = Duration::from_millis(1500);

/// Tests whose wrong answers wait out a meeting get room for it, and more.
const ROOM_FOR_A_MEETING: Duration = Duration::from_secs(20);

fn main() {
    harness::main(vec![
        Test::correctness(
            "returns_the_outputs_in_input_order",
            1.5,
            outputs::returns_the_outputs_in_input_order,
        )
        // Tasks start only once the code that spawned them reaches an `.await`: code that
        // returns without awaiting its tasks finds none of them finished, on every run.
        .env("TASKLINGS_LAZY_SPAWN", "1")
        .timeout(ROOM_FOR_A_MEETING),
        Test::correctness(
            "spawns_one_task_per_input",
            1.0,
            tasks::spawns_one_task_per_input,
        ),
        Test::correctness(
            "runs_every_task_at_the_same_time",
            1.5,
            tasks::runs_every_task_at_the_same_time,
        )
        .timeout(ROOM_FOR_A_MEETING),
        Test::correctness(
            "uses_no_thread_per_input",
            1.0,
            tasks::uses_no_thread_per_input,
        )
        .timeout(ROOM_FOR_A_MEETING),
        Test::correctness(
            "a_task_costs_hundreds_of_bytes_not_kilobytes",
            1.0,
            memory::a_task_costs_hundreds_of_bytes_not_kilobytes,
        )
        .timeout(ROOM_FOR_A_MEETING),
    ])
}
