//! What comes back: one output per input, in input order, whatever order the tasks finish in.

use spawn_many::spawn_all;

use crate::meeting::{Outcome, Turnstile};
use crate::PATIENCE;

/// Inputs of the ordered run: more than a handful, so a reversed or shuffled order can't be luck.
const N: usize = 40;

pub fn returns_the_outputs_in_input_order() {
    let none = spawn_all(Vec::<u32>::new(), |n| async move { n + 1 });
    assert!(
        none.is_empty(),
        "spawn_all(vec![], f) returned {} outputs; no inputs, no outputs",
        none.len()
    );

    let one = spawn_all(vec![String::from("solo")], |word| async move {
        word.to_uppercase()
    });
    assert!(
        one == ["SOLO"],
        "spawn_all(vec![\"solo\"], |w| async move {{ w.to_uppercase() }}) returned {one:?}, \
         expected [\"SOLO\"]{}",
        if one.is_empty() { EARLY_RETURN } else { "" }
    );

    // Task i finishes only after task i + 1 has: the last input's task finishes first, the
    // first input's last, on every run (see `meeting`). Strings, so that nothing can be
    // rebuilt from an index: each output must come from its own task.
    let turnstile = Turnstile::new(N, PATIENCE);
    let inputs: Vec<(usize, String)> = (0..N).map(|i| (i, format!("input {i}"))).collect();
    let outputs = {
        let turnstile = turnstile.clone();
        spawn_all(inputs, move |(index, text)| {
            let pass = turnstile.pass(index);
            async move {
                pass.await;
                format!("{text} done")
            }
        })
    };
    let expected: Vec<String> = (0..N).map(|i| format!("input {i} done")).collect();
    let reversed_finish = turnstile.outcome() == Outcome::Reached;

    assert!(
        outputs.len() == N,
        "spawn_all with {N} inputs returned {} outputs, expected one per input{}",
        outputs.len(),
        if outputs.len() < N { EARLY_RETURN } else { "" }
    );
    if outputs != expected {
        let mut sorted = outputs.clone();
        sorted.sort_by_key(|text| number_in(text));
        let same_outputs = sorted == expected;
        let reversed = outputs.iter().rev().eq(expected.iter());
        panic!(
            "spawn_all with inputs \"input 0\" … \"input {}\" (f appends \" done\") returned \
             {}, expected {}. {}",
            N - 1,
            summary(&outputs),
            summary(&expected),
            if reversed && reversed_finish {
                "That is the order the tasks finished in (this test makes the last input's task \
                 finish first): outputs must come back in the order of the inputs. Keep each \
                 JoinHandle in a Vec and await them in input order, or send (index, output) and \
                 put each output at its index."
            } else if same_outputs {
                "Every output is there, in the wrong order: output i must belong to input i, \
                 whatever order the tasks finish in (this test makes them finish last-first)."
            } else {
                "Some outputs are missing, doubled or not f's: each input's output must be what \
                 its own task's future returned."
            }
        );
    }
}

/// The likely reason for missing outputs.
const EARLY_RETURN: &str = " — it returned before every task had finished. Await every task: \
    a dropped JoinHandle detaches its task, and when runtime::run's future returns, the runtime \
    drops every task that hasn't finished (Go's main returning). (In this test a task starts only \
    when the code that spawned it reaches its next .await, so code that never awaits its tasks \
    finds none of them done, on every run.)";

/// The number in "input 12 done".
fn number_in(text: &str) -> usize {
    text.split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// The first and last few outputs: `["input 39 done", "input 38 done", … "input 0 done"]`.
fn summary(outputs: &[String]) -> String {
    if outputs.len() <= 6 {
        return format!("{outputs:?}");
    }
    let head = &outputs[..3];
    let tail = &outputs[outputs.len() - 2..];
    format!(
        "[{}, … {}] ({} outputs)",
        head.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        tail.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        outputs.len()
    )
}
