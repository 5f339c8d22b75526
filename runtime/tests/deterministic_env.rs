//! The environment variables of deterministic mode and tracing (`TASKLINGS_SEED`,
//! `TASKLINGS_SCHEDULE`, `TASKLINGS_REPLAY`, `TASKLINGS_TRACE`): an unchanged program —
//! `Runtime::new()`, `runtime::run` — runs under a seed. A binary of its own: its one test sets
//! environment variables, which is only sound while no other thread reads the environment.
#![cfg(not(tasklings_loom))]

use runtime::Runtime;
use std::path::{Path, PathBuf};

/// The book's spawn storm, smaller: one task spawns `n` children and adds up their results.
fn spawn_storm(n: u64) -> u64 {
    runtime::run(async move {
        let spawner = runtime::spawn(async move {
            let children: Vec<_> = (0..n)
                .map(|i| runtime::spawn(async move { i % 7 }))
                .collect();
            let mut total = 0;
            for child in children {
                total += child.await.unwrap();
            }
            total
        });
        spawner.await.unwrap()
    })
}

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this binary's only test, so no other thread reads the environment meanwhile.
    unsafe {
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("tasklings-env-{}-{name}", std::process::id()))
}

fn read(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("the trace was written");
    let _ = std::fs::remove_file(path);
    text
}

#[test]
fn the_environment_runs_an_unchanged_program_under_a_seed() {
    // Malformed values: an error naming the variable and what to write.
    set("TASKLINGS_SEED", Some("forty-two"));
    let error = Runtime::builder().build().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("TASKLINGS_SEED must be a whole number"),
        "{error}"
    );
    set("TASKLINGS_SEED", Some("42"));
    set("TASKLINGS_SCHEDULE", Some("fifo"));
    let error = Runtime::builder().build().unwrap_err();
    assert!(
        error.to_string().contains("`random` or `pct:DEPTH`"),
        "{error}"
    );
    set("TASKLINGS_SCHEDULE", Some("pct:3"));

    // Seed 42 twice: the same trace bytes; a runtime reports its schedule.
    let trace = temp("seeded.json");
    set("TASKLINGS_TRACE", trace.to_str());
    assert_eq!(spawn_storm(200), (0..200u64).map(|i| i % 7).sum());
    let first = read(&trace);
    assert_eq!(spawn_storm(200), (0..200u64).map(|i| i % 7).sum());
    assert_eq!(read(&trace), first, "same seed, same bytes");
    assert!(first.contains("seed 42, pct:3 schedule, 2 workers"));
    let rt = Runtime::new();
    assert_eq!(
        rt.workers(),
        2,
        "deterministic mode plays 2 workers unless told"
    );
    rt.block_on(async {
        let a = runtime::spawn(runtime::yield_now());
        let b = runtime::spawn(runtime::yield_now());
        let _ = (a.await, b.await);
    });
    let recorded = rt.schedule().expect("a schedule under TASKLINGS_SEED");
    drop(rt);
    let _ = std::fs::remove_file(&trace);

    // TASKLINGS_REPLAY replays it (and wins over the seed).
    set("TASKLINGS_REPLAY", Some(&recorded));
    let rt = Runtime::new();
    rt.block_on(async {
        let a = runtime::spawn(runtime::yield_now());
        let b = runtime::spawn(runtime::yield_now());
        let _ = (a.await, b.await);
    });
    assert_eq!(rt.schedule().as_deref(), Some(recorded.as_str()));
    drop(rt);
    let _ = std::fs::remove_file(&trace);
    set("TASKLINGS_REPLAY", None);
    set("TASKLINGS_SCHEDULE", None);

    // Normal mode traces too: a track per worker, real times.
    set("TASKLINGS_SEED", None);
    let normal = temp("normal.json");
    set("TASKLINGS_TRACE", normal.to_str());
    let rt = Runtime::builder().workers(2).build().unwrap();
    assert!(rt.schedule().is_none(), "no schedule in normal mode");
    let total = rt.block_on(async {
        let spawner = runtime::spawn(async {
            let children: Vec<_> = (0..100u64)
                .map(|i| runtime::spawn(async move { i }))
                .collect();
            let mut total = 0;
            for child in children {
                total += child.await.unwrap();
            }
            runtime::sleep(std::time::Duration::from_millis(1)).await;
            total
        });
        spawner.await.unwrap()
    });
    assert_eq!(total, 4950);
    drop(rt);
    let text = read(&normal);
    set("TASKLINGS_TRACE", None);
    for expected in [
        "\"name\":\"worker 1\"",
        "\"ph\":\"X\"",
        "\"name\":\"spawn\"",
        "\"name\":\"task end\"",
        "\"ph\":\"s\"",
        "\"ph\":\"f\"",
        "\"name\":\"timer fire\"",
        "tasklings: 2 workers",
    ] {
        assert!(
            text.contains(expected),
            "the normal-mode trace lacks {expected}"
        );
    }
}
