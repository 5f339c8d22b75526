//! The plain GitHub Actions workflow (`grader/templates/github/tasklings.yml`): its grading step,
//! run here as a runner runs it (bash, a `$GITHUB_STEP_SUMMARY` file, `cargo grade` = the
//! grader), writes the job summary and the CTRF report the upload step takes — the summary a
//! table of exercises and tests, the report valid against CTRF's published schema — and its exit
//! status is the verdict.

// Unix only: runs the workflow's step with bash, as a Linux runner does.
#![cfg(unix)]

mod class_fixture;
mod validators;

use std::process::Command;

use class_fixture::{run, shown, workspace_root, Pack};

/// A step of the workflow: its name, and its `id`, `if`, `uses`, `run` and `with: path`.
#[derive(Debug, Default)]
struct Step {
    name: String,
    id: Option<String>,
    condition: Option<String>,
    uses: Option<String>,
    run: Option<String>,
    path: Option<String>,
}

/// The steps of a workflow as GitHub lists them (enough YAML for our own template: one job,
/// `key: value` lines, and `run:` on one line).
fn steps(workflow: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for line in workflow.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("- name:") {
            steps.push(Step {
                name: name.trim().to_owned(),
                ..Step::default()
            });
            continue;
        }
        let Some(step) = steps.last_mut() else {
            continue;
        };
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = Some(value.trim().to_owned());
        match key {
            "id" => step.id = value,
            "if" => step.condition = value,
            "uses" => step.uses = value,
            "run" => step.run = value,
            "path" => step.path = value,
            _ => {}
        }
    }
    steps
}

fn template() -> String {
    std::fs::read_to_string(workspace_root().join("grader/templates/github/tasklings.yml")).unwrap()
}

#[test]
fn the_workflow_grades_on_push_and_keeps_the_report_whatever_the_verdict() {
    let workflow = template();
    assert!(
        workflow.contains("\non: [push, workflow_dispatch]\n"),
        "{workflow}"
    );
    assert!(
        !workflow.to_lowercase().contains("classroom"),
        "no Classroom: {workflow}"
    );
    let steps = steps(&workflow);
    let grade = steps
        .iter()
        .find(|s| s.id.as_deref() == Some("grade"))
        .unwrap();
    assert_eq!(grade.name, "Grade");
    let command = grade.run.as_deref().unwrap();
    assert!(command.starts_with("cargo grade run "), "{command}");
    assert!(command.contains("--also github-summary=\"$GITHUB_STEP_SUMMARY\""));
    let upload = steps
        .iter()
        .find(|s| s.uses.as_deref() == Some("actions/upload-artifact@v4"))
        .expect("an upload step");
    assert_eq!(upload.condition.as_deref(), Some("always()"), "{upload:?}");
    let artifact = upload.path.as_deref().unwrap();
    assert!(
        command.contains(&format!("--also ctrf={artifact}")),
        "the upload takes the file the grading step writes: {command}"
    );
}

#[test]
fn the_grading_step_runs_here_as_on_a_runner() {
    let pack = Pack::new();
    // The learner's repository: `adder` half done; `misbehave` left out (its hidden tests are
    // the grader's misbehaviour catalogue, graded elsewhere).
    for gone in [
        "exercises/misbehave",
        "solutions/misbehave",
        "grader/hidden/misbehave",
    ] {
        std::fs::remove_dir_all(pack.path(gone)).unwrap();
    }
    std::fs::copy(
        class_fixture::fixtures().join("submissions/adder-partial/src/lib.rs"),
        pack.path("exercises/adder/src/lib.rs"),
    )
    .unwrap();
    let workflow = template();
    let steps = steps(&workflow);
    let grade = steps
        .iter()
        .find(|s| s.id.as_deref() == Some("grade"))
        .unwrap();
    let summary = pack.path("step-summary.md");
    std::fs::write(&summary, "").unwrap();
    // The runner's shell, with `cargo grade` being the grader under test.
    let script = format!(
        "cargo() {{ if [ \"$1\" = grade ]; then shift; \"$GRADER\" \"$@\"; else command cargo \"$@\"; fi; }}\n\
         set -e\n{}\n",
        grade.run.as_deref().unwrap()
    );
    let output = run(Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(pack.root())
        .env("GRADER", env!("CARGO_BIN_EXE_grader"))
        .env("TASKLINGS_ROOT", pack.root())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("CARGO_TARGET_DIR", class_fixture::target_dir())
        .env("NO_COLOR", "1"));
    let log = shown(&output);
    // The verdict: adder fails one test, so the step (and the job) fails.
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("sums_a_slice_wrapping_on_overflow"),
        "the human report is in the log: {log}"
    );

    let markdown = std::fs::read_to_string(&summary).unwrap();
    println!("{markdown}");
    assert!(
        markdown.starts_with("## Tasklings: 0 of 1 exercise pass, 3 of 5 points"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Exercise | Result | Points |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| adder | ❌ fails | 3 / 5 |"),
        "{markdown}"
    );
    assert!(markdown.contains("| `adds_two_numbers` | correctness | ✅ pass | 1 / 1 |"));
    assert!(markdown
        .contains("| `sums_a_slice_wrapping_on_overflow` | correctness | ❌ fail | 0 / 2 |"));
    assert!(
        markdown.contains("attempt to add with overflow"),
        "{markdown}"
    );

    let upload = steps
        .iter()
        .find(|s| s.uses.as_deref() == Some("actions/upload-artifact@v4"))
        .unwrap();
    let report = pack.root().join(upload.path.as_deref().unwrap());
    validators::check_ctrf(&report);
}
