//! GitHub Classroom: the repository's workflow template is what `grader classroom --workflow`
//! writes, and the workflow's grading steps, run here as a runner would run them (bash, a
//! `$GITHUB_OUTPUT` file, `cargo grade` = the grader), give the reporter what it reads: exit
//! status 0 or 1 as the verdict, and a base64 result of the command-grader shape whose points add
//! up the way the reporter adds them.

// Unix only: runs the workflow steps with bash, as a Linux runner does.
#![cfg(unix)]

mod class_fixture;

use std::process::Command;

use class_fixture::{run, shown, workspace_root, Pack};
use serde_json::Value;

/// The `(id, run)` of every step of a workflow that has both, in order.
fn steps(workflow: &str) -> Vec<(String, String)> {
    let mut steps = Vec::new();
    let mut id = None;
    for line in workflow.lines() {
        let line = line.trim();
        if line.starts_with("- name:") {
            id = None;
        } else if let Some(value) = line.strip_prefix("id:") {
            id = Some(value.trim().to_owned());
        } else if let Some(command) = line.strip_prefix("run:") {
            if let Some(id) = id.take() {
                steps.push((id, command.trim().to_owned()));
            }
        }
    }
    steps
}

/// The reporter's `runners:` and the `<ID>_RESULTS` variables it is given.
fn reporter(workflow: &str) -> (Vec<String>, Vec<String>) {
    let runners = workflow
        .lines()
        .find_map(|l| l.trim().strip_prefix("runners:"))
        .expect("a reporter step with runners")
        .split(',')
        .map(|r| r.trim().to_owned())
        .collect();
    let variables = workflow
        .lines()
        .filter_map(|l| {
            l.trim()
                .split_once("_RESULTS:")
                .map(|(name, _)| name.to_owned())
        })
        .collect();
    (runners, variables)
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let mut out = Vec::new();
    for chunk in text.trim().as_bytes().chunks(4) {
        let digits: Vec<u8> = chunk
            .iter()
            .take_while(|&&c| c != b'=')
            .map(|&c| value(c))
            .collect();
        let n = digits
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | (u32::from(d) << (18 - 6 * i)));
        for i in 0..digits.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[test]
fn the_template_is_what_the_grader_writes_for_this_repository() {
    let template =
        std::fs::read_to_string(workspace_root().join(".github/classroom/classroom.yml")).unwrap();
    let output = run(class_fixture::grader()
        .arg("--root")
        .arg(workspace_root())
        .args(["classroom", "--workflow"]));
    assert!(output.status.success(), "{}", shown(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        template,
        "regenerate it: cargo grade classroom --workflow -o .github/classroom/classroom.yml"
    );
    let (runners, variables) = reporter(&template);
    let ids: Vec<String> = steps(&template)
        .into_iter()
        .filter(|(_, run)| run.starts_with("cargo grade classroom"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(runners, ids, "the reporter reads every grading step");
    let upper: Vec<String> = ids.iter().map(|id| id.to_uppercase()).collect();
    assert_eq!(variables, upper);
    assert!(ids
        .iter()
        .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric())));
}

#[test]
fn the_workflow_steps_run_here_as_on_a_runner() {
    let pack = Pack::new();
    // The student solved `adder` and left `misbehave` as it came.
    std::fs::copy(
        pack.path("solutions/adder/src/lib.rs"),
        pack.path("exercises/adder/src/lib.rs"),
    )
    .unwrap();
    let generated = run(pack.grader().args(["classroom", "--workflow"]));
    assert!(generated.status.success(), "{}", shown(&generated));
    let workflow = String::from_utf8_lossy(&generated.stdout).into_owned();
    let grading: Vec<(String, String)> = steps(&workflow)
        .into_iter()
        .filter(|(_, run)| run.starts_with("cargo grade classroom"))
        .collect();
    assert_eq!(grading.len(), 2, "{workflow}");

    let mut total = 0.0;
    let mut max = 0.0;
    let mut statuses = Vec::new();
    for (id, command) in &grading {
        let github_output = pack.path(&format!("github-output-{id}"));
        std::fs::write(&github_output, "").unwrap();
        // The runner's shell, with `cargo grade` being the grader under test.
        let script = format!(
            "cargo() {{ if [ \"$1\" = grade ]; then shift; \"$GRADER\" \"$@\"; else command cargo \"$@\"; fi; }}\n\
             set -e\n{command}\n"
        );
        let output = run(Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(pack.root())
            .env("GRADER", env!("CARGO_BIN_EXE_grader"))
            .env("TASKLINGS_ROOT", pack.root())
            .env("GITHUB_OUTPUT", &github_output)
            .env("CARGO_TARGET_DIR", class_fixture::target_dir())
            .env("NO_COLOR", "1"));
        let log = shown(&output);
        let text = std::fs::read_to_string(&github_output).unwrap();
        let encoded = text
            .lines()
            .find_map(|l| l.strip_prefix("result="))
            .unwrap_or_else(|| panic!("no result= in $GITHUB_OUTPUT: {text}\n{log}"));
        let result: Value = serde_json::from_slice(&decode_base64(encoded)).unwrap();
        check_shape(&result);
        // The exit status is the verdict.
        let passed = result["status"] == "pass";
        assert_eq!(output.status.success(), passed, "{id}: {result}\n{log}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("points"),
            "the report is in the log: {log}"
        );
        // As notify-classroom.js adds them up.
        max += result["max_score"].as_f64().unwrap();
        total += result["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["score"].as_f64().unwrap())
            .sum::<f64>();
        statuses.push((id.clone(), result["status"].as_str().unwrap().to_owned()));
    }
    assert_eq!(
        statuses,
        [
            ("adder".to_owned(), "pass".to_owned()),
            ("misbehave".to_owned(), "fail".to_owned())
        ]
    );
    assert_eq!((total, max), (5.0, 18.0), "Points {total}/{max}");
}

/// The command-grader result: integers where Classroom wants them.
fn check_shape(result: &Value) {
    assert_eq!(result["version"], 1);
    assert!(["pass", "fail", "error"].contains(&result["status"].as_str().unwrap()));
    assert!(result["max_score"].is_u64(), "integer max_score: {result}");
    let tests = result["tests"].as_array().unwrap();
    assert!(!tests.is_empty());
    for test in tests {
        assert!(test["name"].is_string());
        assert!(["pass", "fail", "error"].contains(&test["status"].as_str().unwrap()));
        assert!(test["score"].is_u64(), "integer score: {test}");
        assert!(test["message"].is_null() || test["message"].is_string());
        assert!(test["duration"].is_u64());
        for key in ["test_code", "filename"] {
            assert!(test[key].is_string(), "{key}: {test}");
        }
        assert!(test["line_no"].is_u64());
    }
    let scores: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
    assert!(scores <= result["max_score"].as_u64().unwrap());
    if result["status"] == "pass" {
        assert_eq!(scores, result["max_score"].as_u64().unwrap());
    }
}
