//! `grader batch`: a small class graded into a gradebook, and a batch stopped twice — Ctrl-C, then
//! a crash (SIGKILL) — that goes on where it left off without grading anything twice.

// Unix only: stops a batch with Unix signals (SIGINT, SIGKILL).
#![cfg(unix)]

mod class_fixture;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use class_fixture::{gradebook, json_file, run, shown, Class, Pack};

const GOOD_ADDER: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.wrapping_add(*v)) }\n";
const WRONG_ADDER: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.saturating_add(*v)) }\n";

#[test]
fn a_class_is_graded_into_a_gradebook_and_a_report_per_student() {
    let pack = Pack::new();
    let class = Class::new();
    let out = tempfile::tempdir().unwrap();
    class.write("ann", "adder", "src/lib.rs", GOOD_ADDER);
    class.write("bob", "adder", "src/lib.rs", WRONG_ADDER);
    class.write(
        "cid",
        "adder",
        "src/lib.rs",
        "pub fn add(a: u64) -> u64 { a + \"b\" }\n",
    );
    class.folder("dee", "misbehave"); // nothing for adder
    class.folder("dee", "not-an-exercise");

    let output = run(pack
        .grader()
        .args(["batch", "--exercise", "adder", "--jobs", "2"])
        .arg(class.dir())
        .arg("-o")
        .arg(out.path()));
    let log = shown(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "some submissions fail: {log}"
    );

    let csv = std::fs::read_to_string(out.path().join("gradebook.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("student,exercise,score,max_score,status,duration_ms")
    );
    let students: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(students, ["ann", "bob", "cid", "dee"], "{csv}");

    let rows = gradebook(out.path());
    let row = |student: &str| rows[&(student.to_owned(), "adder".to_owned())].clone();
    let keys: BTreeSet<String> = row("ann").as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "duration_ms",
            "exercise",
            "max_score",
            "score",
            "status",
            "student"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        (row("ann")["status"].as_str(), row("ann")["score"].as_f64()),
        (Some("pass"), Some(5.0))
    );
    assert_eq!(row("bob")["status"], "fail");
    assert_eq!(row("bob")["score"], 3.0);
    // Neither a compile error nor a missing submission shows "0 of 0".
    assert_eq!(row("cid")["status"], "compile_error");
    assert_eq!(
        (
            row("cid")["score"].as_f64(),
            row("cid")["max_score"].as_f64()
        ),
        (Some(0.0), Some(5.0))
    );
    assert_eq!(row("dee")["status"], "error");
    assert_eq!(row("dee")["max_score"], 5.0);

    // A report per student, in the JSON report's shape (docs/report-json.md), and the same for people.
    let bob = json_file(&out.path().join("students/bob.json"));
    assert_eq!(bob["score"], 3.0);
    let test = &bob["exercises"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "sums_a_slice_wrapping_on_overflow")
        .unwrap()
        .clone();
    assert_eq!(test["status"], "fail");
    assert!(test["message"].as_str().unwrap().contains("wrap"), "{test}");
    let cid = std::fs::read_to_string(out.path().join("students/cid.txt")).unwrap();
    assert!(
        cid.contains("src/lib.rs:1"),
        "paths as the student knows them: {cid}"
    );
    assert!(!cid.contains(".work"), "{cid}");
    let dee = std::fs::read_to_string(out.path().join("students/dee.txt")).unwrap();
    assert!(dee.contains("no submission"), "{dee}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`not-an-exercise`"),
        "{log}"
    );
    let about = json_file(&out.path().join("batch.json"));
    assert_eq!(about["rows"], 4);
    assert_eq!(about["graded_this_run"], 3);
}

/// The journal's lines as (student, exercise).
fn journaled(out: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(out.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|entry| {
            (
                entry["student"].as_str().unwrap().to_owned(),
                entry["exercise"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Starts a batch, waits until the journal holds more than `before` entries, stops it with
/// `signal`, and returns its output.
fn stop_after_one_more(
    pack: &Pack,
    class: &Class,
    out: &std::path::Path,
    before: usize,
    signal: i32,
) -> std::process::Output {
    let child = pack
        .grader()
        .args(["batch", "--jobs", "1"])
        .arg(class.dir())
        .arg("-o")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while journaled(out).len() <= before {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the batch journaled nothing"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: kill(2) on the pid of a child we started and have not waited for.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    child.wait_with_output().unwrap()
}

#[test]
fn a_stopped_batch_goes_on_where_it_left_off() {
    let pack = Pack::new();
    let class = Class::new();
    let out = tempfile::tempdir().unwrap();
    let students = ["s1", "s2", "s3", "s4", "s5", "s6"];
    for (i, student) in students.iter().enumerate() {
        let code = if i % 2 == 0 { GOOD_ADDER } else { WRONG_ADDER };
        class.write(
            student,
            "adder",
            "src/lib.rs",
            &format!("// {student}\n{code}"),
        );
    }

    // Ctrl-C: the batch stops, keeps what finished, says how to go on.
    let first = stop_after_one_more(&pack, &class, out.path(), 0, libc::SIGINT);
    let log = shown(&first);
    assert_eq!(first.status.code(), Some(2), "{log}");
    assert!(log.contains("run the same command again"), "{log}");
    let after_first = journaled(out.path()).len();
    assert!(after_first >= 1 && after_first < students.len(), "{log}");
    assert_eq!(
        gradebook(out.path()).len(),
        after_first,
        "partial gradebook: {log}"
    );

    // A crash: nothing is written on the way out.
    let second = stop_after_one_more(&pack, &class, out.path(), after_first, libc::SIGKILL);
    let log = shown(&second);
    assert!(
        log.contains(&format!(
            "resuming: {after_first} submission(s) already graded"
        )),
        "{log}"
    );
    let after_second = journaled(out.path()).len();

    // The rest.
    let third = run(pack
        .grader()
        .args(["batch", "--jobs", "2"])
        .arg(class.dir())
        .arg("-o")
        .arg(out.path()));
    let log = shown(&third);
    assert_eq!(third.status.code(), Some(1), "{log}");
    if after_second < students.len() {
        assert!(
            log.contains(&format!("resuming: {after_second} submission(s)")),
            "{log}"
        );
    }
    // Every submission graded exactly once over the three runs.
    let entries = journaled(out.path());
    let unique: BTreeSet<&(String, String)> = entries.iter().collect();
    assert_eq!(entries.len(), students.len(), "{entries:?}");
    assert_eq!(unique.len(), students.len());
    let rows = gradebook(out.path());
    assert_eq!(rows.len(), students.len());
    for (i, student) in students.iter().enumerate() {
        let expected = if i % 2 == 0 { "pass" } else { "fail" };
        assert_eq!(
            rows[&(student.to_string(), "adder".to_string())]["status"],
            expected
        );
    }
    // A changed submission is graded again; the others are not.
    class.write("s2", "adder", "src/lib.rs", GOOD_ADDER);
    let fourth = run(pack
        .grader()
        .arg("batch")
        .arg(class.dir())
        .arg("-o")
        .arg(out.path()));
    let log = shown(&fourth);
    assert!(
        log.contains("resuming: 5 submission(s) already graded"),
        "{log}"
    );
    assert_eq!(
        gradebook(out.path())[&("s2".into(), "adder".into())]["status"],
        "pass"
    );
}
