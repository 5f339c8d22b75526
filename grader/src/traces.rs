//! The picture of a failing schedule: when a test failed under a seed (its exploration stopped
//! at one, or `--seed` chose it), the grader runs that test once more with that seed and
//! `TASKLINGS_TRACE` set, and draws the trace it leaves as an HTML timeline
//! (`crate::timeline`) at `target/tasklings/traces/<slug>/<test>.html`, beside the JSON. The
//! test's message then ends with the page's path.
//!
//! Only for code the grader runs unconfined (a learner's own exercise, `run --submission`
//! without isolation): a sandboxed process may not write the grader's folders, and a class's
//! report has no reader to open a page.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::protocol::{self, HiddenBinary, ListedTest};
use crate::results::{TestResult, TestStatus};
use crate::sandbox::Sandbox;

/// Where the trace and timeline of `test` of `slug` go.
pub fn paths(grader_dir: &Path, slug: &str, test: &str) -> (PathBuf, PathBuf) {
    let dir = grader_dir.join("traces").join(slug);
    (
        dir.join(format!("{test}.json")),
        dir.join(format!("{test}.html")),
    )
}

/// For every failed test whose failure names a seed: replays it with tracing on, draws the
/// timeline and adds its path to the test's message. `seed` is `--seed`'s, used when the
/// verdict names none (a test that explores nothing but ran under that seed).
pub fn draw_failures(
    binary: &HiddenBinary,
    tests: &[ListedTest],
    results: &mut [TestResult],
    seed: Option<u64>,
    (grader_dir, slug): (&Path, &str),
) {
    for (test, result) in tests.iter().zip(results.iter_mut()) {
        if !matches!(result.status, TestStatus::Fail | TestStatus::Timeout) {
            continue;
        }
        let Some((seed, policy)) = result
            .seeded
            .as_ref()
            .map(|s| (s.seed, Some(s.policy.clone())))
            .or(seed.map(|seed| (seed, None)))
        else {
            continue;
        };
        let (json, html) = paths(grader_dir, slug, &test.name);
        let note = match replay(binary, test, seed, policy, &json) {
            Ok(()) => match crate::timeline::write(&json, &html, &format!("{slug}: {}", test.name))
            {
                Ok(_) => format!(
                    "The timeline of that schedule (open it in a browser): {}",
                    html.display()
                ),
                Err(error) => format!("(Its timeline could not be drawn: {error:#}.)"),
            },
            Err(why) => format!("(Its timeline could not be drawn: {why}.)"),
        };
        let _ = write!(result.message, "\n\n{note}");
    }
}

/// Runs `test` alone under `seed` with a trace file, and checks that the trace was written.
fn replay(
    binary: &HiddenBinary,
    test: &ListedTest,
    seed: u64,
    policy: Option<String>,
    json: &Path,
) -> Result<(), String> {
    if let Some(dir) = json.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("can't create {}: {e}", dir.display()))?;
    }
    let _ = std::fs::remove_file(json);
    let mut traced = binary.clone();
    traced
        .env
        .retain(|(key, _)| key != "TASKLINGS_SEED" && key != "TASKLINGS_SCHEDULE");
    traced
        .env
        .push(("TASKLINGS_SEED".into(), seed.to_string().into()));
    if let Some(policy) = policy {
        traced
            .env
            .push(("TASKLINGS_SCHEDULE".into(), policy.into()));
    }
    traced.env.push((
        OsString::from("TASKLINGS_TRACE"),
        json.as_os_str().to_owned(),
    ));
    // The replay's verdict is not the grade (the first run's is); only its trace is used.
    let _ = protocol::run_test(&traced, test, &Sandbox::none());
    if json.is_file() {
        Ok(())
    } else {
        Err("the replay wrote no trace (did the test build a Tasklings runtime?)".to_owned())
    }
}
