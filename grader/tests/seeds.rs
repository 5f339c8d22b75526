//! A failure under a seed, end to end through the real CLI on a real exercise: counter-races'
//! `wrong/add_inside_task` fails `count_concurrently_waits_for_every_task` under a named seed,
//! the message gives the replay command, the grader draws that schedule's timeline (a
//! self-contained page whose lanes and polls come from the trace beside it), and `--seed`
//! replays it with the same words.

mod common;

use std::path::PathBuf;

const TEST: &str = "count_concurrently_waits_for_every_task";

fn grade(extra: &[&str]) -> (String, serde_json::Value) {
    let root = common::workspace_root();
    let output = common::grader()
        .arg("--root")
        .arg(&root)
        .args(["run", "counter-races", "--submission"])
        .arg(root.join("grader/hidden/counter-races/wrong/add_inside_task"))
        .args(["--test", TEST, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = common::json(&output.stdout);
    let test = common::test(&report, TEST).clone();
    (
        test["message"].as_str().unwrap_or_default().to_owned(),
        test,
    )
}

#[test]
fn a_failure_names_its_seed_replays_with_it_and_is_drawn() {
    let (message, test) = grade(&[]);
    assert_eq!(test["status"], "fail", "{test:#}");
    assert!(message.contains("schedule seed 1 "), "{message}");
    let replay = format!("cargo grade run counter-races --test {TEST} --seed 1");
    assert!(message.contains(&replay), "{message}");

    let html: PathBuf = common::target_dir()
        .join("tasklings/traces/counter-races")
        .join(format!("{TEST}.html"));
    assert!(message.contains(&html.display().to_string()), "{message}");
    let page = std::fs::read_to_string(&html).expect("the timeline is written");
    assert!(
        !page.contains("<script") && !page.contains("http"),
        "self-contained"
    );
    // The failing schedule: block_on's future polled once, spawning the tasks; none ran.
    assert!(page.contains("seed 1"), "the page names the seed");
    assert!(page.contains("data-polls=\"1\""), "one poll, block_on's");
    assert!(
        page.matches("data-kind=\"spawn\"").count() >= 8,
        "eight spawns"
    );

    let (replayed, _) = grade(&["--seed", "1"]);
    assert_eq!(replayed, message, "--seed 1 replays the same failure");
}
