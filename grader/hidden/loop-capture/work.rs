//! The grader's `work`: an async function whose outputs the learner can't guess, which counts its
//! calls per input, holds a live token while it runs, and may wait at a [`Gate`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use probes::LiveWork;

use crate::gate::Gate;

/// What `work(input)` returns: a well-mixed function of the input (SplitMix64's finaliser), so
/// outputs are neither sorted like their inputs nor guessable, and different inputs give
/// different outputs.
pub fn output_of(input: u64) -> u64 {
    let mut z = input ^ 0x5DEE_CE66_D1CE_4E5B;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The outputs a correct `map_concurrently(inputs, work)` returns.
pub fn expected(inputs: &[u64]) -> Vec<u64> {
    inputs.iter().map(|&input| output_of(input)).collect()
}

/// The test's side of one `work`: what its calls did.
#[derive(Clone, Default)]
pub struct Probe {
    calls: Arc<Mutex<HashMap<u64, usize>>>,
    /// Every call is live work while it runs (a dropped call — its task dropped mid-`.await` —
    /// counts as finished).
    pub live: LiveWork,
}

/// How each call behaves besides returning [`output_of`] its input.
#[derive(Clone, Default)]
pub struct Behaviour {
    /// `runtime::yield_now().await` this many times, plus `input % 3`: the calls finish in an
    /// order of their own.
    pub yields: usize,
    /// Wait at this gate first, as the call of the input's position (see `positions`).
    pub gate: Option<Gate>,
    /// The position of each input in the test's `inputs` (inputs distinct) — for a
    /// `Release::LastFirst` gate.
    pub positions: HashMap<u64, usize>,
}

impl Probe {
    pub fn new() -> Probe {
        Probe::default()
    }

    /// A `work` function to hand to `map_concurrently`.
    pub fn work(
        &self,
        behaviour: Behaviour,
    ) -> impl Fn(u64) -> std::pin::Pin<Box<dyn Future<Output = u64> + Send>> + Send + Sync + 'static
    {
        let probe = self.clone();
        let behaviour = Arc::new(behaviour);
        move |input| {
            let probe = probe.clone();
            let behaviour = Arc::clone(&behaviour);
            Box::pin(async move {
                let _live = probe.live.start();
                *probe.lock().entry(input).or_insert(0) += 1;
                if let Some(gate) = &behaviour.gate {
                    let position = behaviour.positions.get(&input).copied().unwrap_or(0);
                    gate.pass(position).await;
                }
                for _ in 0..behaviour.yields + (input % 3) as usize {
                    runtime::yield_now().await;
                }
                output_of(input)
            })
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, usize>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many times `work` was called with each input.
    pub fn calls(&self) -> HashMap<u64, usize> {
        self.lock().clone()
    }
}

/// How many times each input occurs in `inputs`.
pub fn multiplicities(inputs: &[u64]) -> HashMap<u64, usize> {
    let mut counts = HashMap::new();
    for &input in inputs {
        *counts.entry(input).or_insert(0) += 1;
    }
    counts
}

/// `inputs` shortened for a message.
pub fn show(inputs: &[u64]) -> String {
    const SHOWN: usize = 8;
    if inputs.len() <= SHOWN {
        format!("{inputs:?}")
    } else {
        let head: Vec<String> = inputs[..SHOWN].iter().map(u64::to_string).collect();
        format!("[{}, … ({} inputs)]", head.join(", "), inputs.len())
    }
}
