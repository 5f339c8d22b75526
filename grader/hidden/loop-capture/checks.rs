//! The hidden tests' bodies: each hands `map_concurrently` the grader's `work` and judges what
//! came back, what `work` saw, and what the runtime counted.

use std::collections::HashMap;
use std::time::Duration;

use loop_capture::map_concurrently;
use probes::seeded::Rng;

use crate::gate::{Gate, Release};
use crate::work::{expected, multiplicities, output_of, show, Behaviour, Probe};

/// How long a gate waits for every call to be in flight before it gives up. Correct code gets
/// there in milliseconds; only code that runs the calls one after another waits this out (once).
const GATE_TIMEOUT: Duration = Duration::from_millis(1500);

/// `count` distinct inputs from `seed`.
fn distinct_inputs(seed: u64, count: usize) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::new();
    let mut inputs = Vec::with_capacity(count);
    while inputs.len() < count {
        let input = rng.below(1_000_000);
        if seen.insert(input) {
            inputs.push(input);
        }
    }
    inputs
}

fn positions(inputs: &[u64]) -> HashMap<u64, usize> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, &input)| (input, i))
        .collect()
}

/// Judges one call: `got` is what `map_concurrently(inputs, work)` returned, `probe` what its
/// `work` saw. `context` says what was special about this call, for the message.
fn check(inputs: &[u64], got: &[u64], probe: &Probe, context: &str) {
    let call = format!("map_concurrently({}, work){context}", show(inputs));
    let started = probe.live.started();
    let running = probe.live.live();
    if got.len() < inputs.len() {
        let why = if started < inputs.len() {
            format!(
                "only {started} call(s) of work had started when it returned. Wait for every \
                 task before reading the results (wg.add(1) before each spawn, wg.done() when \
                 each task ends, wg.wait().await after the loop — or await every JoinHandle): \
                 when runtime::run's future returns, the runtime drops every task that hasn't \
                 finished, like Go's main returning."
            )
        } else if got.is_empty() {
            format!(
                "all {started} call(s) of work ran, yet their outputs never reached the Vec you \
                 returned. Did each task push into a copy? Cloning a Vec (`results.clone()`) gives \
                 every task a Vec of its own, dropped with the task. Share ONE Vec through a \
                 handle cloned per task — Arc<Mutex<Vec<…>>> and Arc::clone — or let each task \
                 return its output through its JoinHandle."
            )
        } else {
            format!(
                "all {started} call(s) of work ran, but {} of their outputs were lost. Pushes into \
                 one Vec from tasks on several workers at once must take turns (a Mutex): a Vec \
                 shared without one (through `unsafe`, say) is a data race — pushes that overlap \
                 overwrite each other, or corrupt the Vec as it grows. (Or some tasks pushed into \
                 copies of the Vec.)",
                inputs.len() - got.len()
            )
        };
        panic!(
            "{call} returned {} output(s) for {} input(s): {why}",
            got.len(),
            inputs.len()
        );
    }
    if got.len() > inputs.len() {
        panic!(
            "{call} returned {} outputs for {} inputs: one output per input, no more. Are \
             outputs of an earlier call still in there? Results kept in a `static` (or a leaked \
             Vec) outlive the call that made them; make a fresh collection in every call.",
            got.len(),
            inputs.len()
        );
    }
    let wanted = multiplicities(inputs);
    let calls = probe.calls();
    let mut inputs_seen: Vec<(&u64, &usize)> = calls.iter().collect();
    inputs_seen.sort();
    for (input, times) in inputs_seen {
        let should = wanted.get(input).copied().unwrap_or(0);
        if *times != should {
            let count = |n: usize| match n {
                1 => "once".to_string(),
                n => format!("{n} times"),
            };
            let what = if should == 0 {
                format!("with {input}, which is not one of the inputs")
            } else {
                format!(
                    "{} with {input}, which occurs {} in the inputs",
                    count(*times),
                    count(should)
                )
            };
            panic!(
                "{call}: work was called {what}. Each input must be worked on exactly once, by \
                 its own task. A task that reads the loop's state when it runs (a shared index, \
                 say) rather than when it was spawned sees wherever the loop is by then — often \
                 its end. Give each task its own copy: `async move` copies this iteration's \
                 `input` into the task."
            );
        }
    }
    if let Some(missing) = inputs.iter().find(|input| !calls.contains_key(input)) {
        panic!(
            "{call}: work was never called with {missing}: every input needs its own call \
             (and task)."
        );
    }
    let want = expected(inputs);
    if got != want {
        let mut got_sorted = got.to_vec();
        let mut want_sorted = want.clone();
        got_sorted.sort_unstable();
        want_sorted.sort_unstable();
        let i = got
            .iter()
            .zip(&want)
            .position(|(a, b)| a != b)
            .expect("they differ");
        if got_sorted == want_sorted {
            panic!(
                "{call} returned the right outputs in the wrong order: outputs[{i}] is {}, but \
                 work({}) returned {} — outputs[i] must be the output of work(inputs[i]). Tasks \
                 finish in any order; keep each output's index with it (push (index, output) \
                 pairs and sort them by index, or write into slot `index`), or await the \
                 JoinHandles in the order you spawned them.",
                got[i], inputs[i], want[i]
            );
        }
        let origin = inputs
            .iter()
            .find(|&&input| output_of(input) == got[i])
            .map_or(String::from("no input's output"), |input| {
                format!("the output of work({input})")
            });
        panic!(
            "{call}: outputs[{i}] is {} ({origin}), but work({}) returned {}: outputs[i] must be \
             exactly what work(inputs[i]) returned.",
            got[i], inputs[i], want[i]
        );
    }
    if running != 0 {
        panic!(
            "{call} returned the right outputs, but {running} call(s) of work were still \
             running when it returned: return only after every task has finished."
        );
    }
}

/// Runs `map_concurrently(inputs, work)` with a fresh probe and judges it.
fn run_and_check(inputs: &[u64], behaviour: Behaviour, context: &str) -> Probe {
    let probe = Probe::new();
    let got = map_concurrently(inputs, probe.work(behaviour));
    check(inputs, &got, &probe, context);
    probe
}

/// Runs with `TASKLINGS_LAZY_SPAWN=1`: a task starts only when the code that spawned it reaches
/// its next `.await`, so reading results before waiting, `wg.add` inside the task and reading a
/// shared loop index late fail on every run.
pub fn returns_each_output_in_input_order() {
    let seeded: Vec<u64> = {
        let mut rng = Rng::new(220);
        (0..300).map(|_| rng.below(50_000)).collect()
    };
    let cases: [&[u64]; 6] = [
        &[],
        &[7],
        &[3, 1, 2],
        &[5, 5, 5, 9, 5],
        &[40, 30, 20, 10, 0],
        &seeded,
    ];
    for inputs in cases {
        run_and_check(
            inputs,
            Behaviour {
                yields: 1,
                ..Behaviour::default()
            },
            "",
        );
    }
}

/// The tasks finish last input first (all of them in flight first); results gathered in finishing
/// order come back reversed.
pub fn keeps_input_order_when_tasks_finish_in_reverse() {
    let inputs = distinct_inputs(221, 12);
    let gate = Gate::new(inputs.len(), Release::LastFirst, GATE_TIMEOUT);
    run_and_check(
        &inputs,
        Behaviour {
            gate: Some(gate),
            positions: positions(&inputs),
            ..Behaviour::default()
        },
        " (here the calls finish in reverse: the last input's first)",
    );
}

pub fn runs_every_call_at_once() {
    let inputs = distinct_inputs(222, 100);
    let gate = Gate::new(inputs.len(), Release::AllAtOnce, GATE_TIMEOUT);
    let probe = Probe::new();
    let got = map_concurrently(
        &inputs,
        probe.work(Behaviour {
            gate: Some(gate.clone()),
            ..Behaviour::default()
        }),
    );
    assert!(
        !gate.gave_up(),
        "map_concurrently({}, work): at most {} of the {} calls of work were in flight at once; \
         all of them must be. (The grader's work waits until every call has started, and gave up \
         after {GATE_TIMEOUT:?}.) Spawn every task first and wait afterwards: awaiting each \
         task's JoinHandle (or a WaitGroup) inside the loop runs the tasks one after another, \
         and so does one task that calls work for every input in turn.",
        show(&inputs),
        gate.max_waiting(),
        inputs.len()
    );
    check(&inputs, &got, &probe, "");
}

pub fn spawns_a_task_per_input_on_the_runtime() {
    let inputs = distinct_inputs(223, 40);
    // Outside any runtime, metrics() totals every runtime the process ever ran, dropped ones too.
    let before = runtime::metrics();
    run_and_check(
        &inputs,
        Behaviour {
            yields: 1,
            ..Behaviour::default()
        },
        "",
    );
    let spawned = runtime::metrics().spawned - before.spawned;
    assert!(
        spawned >= inputs.len() as u64,
        "map_concurrently({}, work) spawned {spawned} task(s) on the Tasklings runtime for {} \
         inputs: each call of work runs in a task of its own, spawned with runtime::spawn \
         inside runtime::run — not all of them in one task, and not on threads.",
        show(&inputs),
        inputs.len()
    );
}

/// Runs on four workers (`TASKLINGS_WORKERS=4`): in each round thousands of tasks wait at a gate
/// until all are in flight, then finish in one burst, so their results arrive on several workers
/// at once. A Vec that grows while they push pauses first (`slow_growth.rs`), which hands the
/// other workers the CPU right then: unsynchronised pushes (an `unsafe impl Sync` wrapper around
/// the Vec) lose results or corrupt the heap on every run, not only when the machine is quiet.
pub fn loses_nothing_under_contention() {
    const ROUNDS: u64 = 4;
    const TASKS: usize = 3000;
    crate::slow_growth::slow_down_growth();
    for round in 1..=ROUNDS {
        let inputs = distinct_inputs(230 + round, TASKS);
        let gate = Gate::new(TASKS, Release::AllAtOnce, GATE_TIMEOUT);
        run_and_check(
            &inputs,
            Behaviour {
                gate: Some(gate),
                ..Behaviour::default()
            },
            &format!(
                " (round {round} of {ROUNDS}: {TASKS} tasks on {} workers, finishing at once)",
                runtime::workers()
            ),
        );
    }
}

pub fn a_second_call_starts_afresh() {
    run_and_check(&[1, 2, 3], Behaviour::default(), "");
    let probe = Probe::new();
    let second = [10, 20];
    let got = map_concurrently(&second, probe.work(Behaviour::default()));
    if got.len() != second.len() && got.len() >= 3 {
        panic!(
            "map_concurrently([10, 20], work), called right after map_concurrently([1, 2, 3], \
             work), returned {} outputs: the first call's outputs are still in there. Results \
             kept in a `static` (or a leaked Vec) outlive the call; make a fresh collection in \
             every call.",
            got.len()
        );
    }
    check(
        &second,
        &got,
        &probe,
        " (called right after map_concurrently([1, 2, 3], work))",
    );
}
