//! `grader batch --shard K/N` and `grader batch merge`: a class of four graded on "two machines"
//! (two shards, each into its own output) and merged comes out as the same gradebook, reports
//! and page as the class graded by one batch — but for the grading durations, which the
//! comparison removes. Merges that can't be right are refused, naming who is missing or
//! graded twice.

// Unix only: class grading, whose sandbox is Unix-only.
#![cfg(unix)]

mod class_fixture;

use std::path::Path;

use class_fixture::{gradebook, json_file, run, shown, Class, Pack};

const GOOD_ADDER: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.wrapping_add(*v)) }\n";
const WRONG_ADDER: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.saturating_add(*v)) }\n";

/// `value` without its `duration_ms` fields, at any depth: the one thing that differs between
/// two gradings of the same submission (wall time on a busy machine).
fn without_durations(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(key, _)| key.as_str() != "duration_ms")
            .map(|(key, value)| (key.clone(), without_durations(value)))
            .collect(),
        serde_json::Value::Array(items) => items.iter().map(without_durations).collect(),
        other => other.clone(),
    }
}

/// Grades `class` into `out`, with `extra` arguments; returns the grader's log.
fn batch(pack: &Pack, class: &Class, out: &Path, extra: &[&str]) -> String {
    let output = run(pack
        .grader()
        .args(["batch", "--jobs", "2"])
        .args(extra)
        .arg(class.dir())
        .arg("-o")
        .arg(out));
    let log = shown(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "some submissions fail: {log}"
    );
    log
}

/// `batch merge` of `outputs` into `out`: its exit status and log.
fn merge(pack: &Pack, outputs: &[&Path], out: &Path) -> (Option<i32>, String) {
    let output = run(pack
        .grader()
        .args(["batch", "merge"])
        .args(outputs)
        .arg("-o")
        .arg(out));
    (output.status.code(), shown(&output))
}

#[test]
fn two_shards_merged_are_the_class_graded_on_one_machine() {
    let pack = Pack::new();
    let class = Class::new();
    class.write("ann", "adder", "src/lib.rs", GOOD_ADDER);
    class.write("bob", "adder", "src/lib.rs", WRONG_ADDER);
    class.write(
        "cid",
        "adder",
        "src/lib.rs",
        "pub fn add(a: u64) -> u64 { a }\n",
    );
    class.folder("dee", "misbehave"); // nothing for adder: a row all the same
    let work = tempfile::tempdir().unwrap();
    let out = |name: &str| work.path().join(name);

    batch(&pack, &class, &out("whole"), &["--exercise", "adder"]);
    let first = batch(
        &pack,
        &class,
        &out("1"),
        &["--exercise", "adder", "--shard", "1/2"],
    );
    assert!(
        first.contains("shard 1/2: 2 of the class's 4 students"),
        "{first}"
    );
    batch(
        &pack,
        &class,
        &out("2"),
        &["--exercise", "adder", "--shard", "2/2"],
    );
    // The name-sorted roster dealt round-robin.
    let students = |dir: &str| -> Vec<String> {
        gradebook(&out(dir))
            .keys()
            .map(|(s, _)| s.clone())
            .collect()
    };
    assert_eq!(students("1"), ["ann", "cid"]);
    assert_eq!(students("2"), ["bob", "dee"]);

    let (status, log) = merge(&pack, &[&out("2"), &out("1")], &out("merged"));
    assert_eq!(status, Some(1), "a class with failures: {log}");
    let same = |file: &str| {
        let (one, merged) = (
            json_file(&out("whole").join(file)),
            json_file(&out("merged").join(file)),
        );
        assert_eq!(
            without_durations(&merged),
            without_durations(&one),
            "{file}"
        );
    };
    same("gradebook.json");
    for student in ["ann", "bob", "cid", "dee"] {
        same(&format!("students/{student}.json"));
        let text = |dir: &str| {
            std::fs::read_to_string(out(dir).join(format!("students/{student}.txt"))).unwrap()
        };
        assert_eq!(
            text("merged").lines().count(),
            text("whole").lines().count(),
            "{student}"
        );
    }
    let csv = std::fs::read_to_string(out("merged").join("gradebook.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(out("merged").join("gradebook.html").is_file());
    let merged = json_file(&out("merged").join("class.json"));
    assert_eq!(merged["shard"], serde_json::Value::Null);
    assert_eq!(
        merged["students"],
        json_file(&out("whole").join("class.json"))["students"]
    );

    refusals(&pack, &|name| out(name));
}

/// What `merge` refuses, each with the names that say what to do.
fn refusals(pack: &Pack, out: &dyn Fn(&str) -> std::path::PathBuf) {
    // A shard short: its students are named, with the shard that should have held them.
    let (status, log) = merge(pack, &[&out("1")], &out("short"));
    assert_eq!(status, Some(2), "{log}");
    assert!(
        log.contains("2 student(s) of the class are in no output: bob, dee (shard 2/2)"),
        "{log}"
    );

    // A shard given twice.
    class_fixture::copy_dir(&out("1"), &out("1-again"));
    let (status, log) = merge(
        pack,
        &[&out("1"), &out("2"), &out("1-again")],
        &out("twice"),
    );
    assert_eq!(status, Some(2), "{log}");
    assert!(
        log.contains("2 student(s) are graded in more than one output: ann (in"),
        "{log}"
    );
    assert!(log.contains("1-again (shard 1/2)"), "{log}");

    // A shard whose batch didn't finish (a grade short).
    let results = out("1-again").join("results.jsonl");
    let text = std::fs::read_to_string(&results).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("\"student\":\"cid\""))
        .collect();
    std::fs::write(&results, kept.join("\n") + "\n").unwrap();
    let (status, log) = merge(pack, &[&out("1-again"), &out("2")], &out("unfinished"));
    assert_eq!(status, Some(2), "{log}");
    assert!(
        log.contains("did not finish: it holds no grade (or more than one) for cid adder"),
        "{log}"
    );

    // Not a batch's output at all, and an output merged into itself.
    let (status, log) = merge(pack, &[&out("1"), out("nowhere").as_path()], &out("lost"));
    assert_eq!(status, Some(2), "{log}");
    assert!(
        log.contains("is not the output of a batch (it has no class.json)"),
        "{log}"
    );
    let (status, log) = merge(pack, &[&out("1"), &out("2")], &out("1"));
    assert_eq!(status, Some(2), "{log}");
    assert!(log.contains("is also one of the outputs to merge"), "{log}");
}

#[test]
fn a_shard_that_is_not_one_is_refused_before_grading() {
    let pack = Pack::new();
    let class = Class::new();
    class.write("ann", "adder", "src/lib.rs", GOOD_ADDER);
    let out = tempfile::tempdir().unwrap();
    for wrong in ["0/2", "3/2", "2"] {
        let output = run(pack
            .grader()
            .args(["batch", "--shard", wrong])
            .arg(class.dir())
            .arg("-o")
            .arg(out.path()));
        let log = shown(&output);
        assert_eq!(output.status.code(), Some(2), "{log}");
        assert!(log.contains("write K/N with 1 ≤ K ≤ N"), "{log}");
    }
    let output = run(pack.grader().args(["batch", "merge", "-o"]).arg(out.path()));
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
}

#[test]
fn the_matrix_workflow_grades_every_shard_once_and_merges_them() {
    let path = class_fixture::workspace_root().join("grader/templates/github/class-shards.yml");
    let workflow = std::fs::read_to_string(path).unwrap();
    let count: usize = workflow
        .lines()
        .find_map(|l| l.trim().strip_prefix("SHARDS:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let matrix: Vec<String> = (1..=count).map(|k| k.to_string()).collect();
    assert!(
        workflow.contains(&format!("shard: [{}]", matrix.join(", "))),
        "the matrix lists shards 1..={count}: {workflow}"
    );
    assert!(
        workflow.contains("--shard ${{ matrix.shard }}/$SHARDS --output shard-${{ matrix.shard }}")
    );
    assert!(
        workflow.contains("path: shard-${{ matrix.shard }}"),
        "each shard's output is uploaded"
    );
    assert!(workflow.contains("needs: grade"));
    assert!(
        workflow.contains("cargo grade batch merge shards/tasklings-shard-* --output gradebook")
    );
}
