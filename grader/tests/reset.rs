//! `grader reset`: an exercise goes back to its pristine starter (`exercises/<slug>/.starter/`),
//! the learner's version is kept as a backup the command names, and nothing changes without a
//! "yes" — from a terminal, or `--yes`.

mod common;

use std::path::PathBuf;

use common::Pack;
use predicates::prelude::*;

const MY_WORK: &str = "// my work\npub fn add(a: u64, b: u64) -> u64 { a + b }\n";

/// The backups a reset made: `.tasklings/backups/<when>/<slug>/<file>`.
fn backups(pack: &Pack, slug: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(pack.path(".tasklings/backups")) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path().join(slug).join("src/lib.rs"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
}

#[test]
fn reset_without_a_terminal_or_yes_refuses_and_changes_nothing() {
    let pack = Pack::new();
    pack.write("exercises/adder/src/lib.rs", MY_WORK);
    pack.grader()
        .args(["reset", "adder"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "adder: exercises/adder/src/lib.rs (changed)",
        ))
        .stderr(predicate::str::contains(
            "there is no terminal to ask you first",
        ))
        .stderr(predicate::str::contains("add --yes"));
    assert_eq!(pack.read("exercises/adder/src/lib.rs"), MY_WORK);
    assert!(backups(&pack, "adder").is_empty());
}

#[test]
fn reset_yes_restores_the_starter_keeps_a_named_backup_and_forgets_the_verdict() {
    let pack = Pack::new();
    pack.write("exercises/adder/src/lib.rs", MY_WORK);
    // Progress as a passing run leaves it, with two hints shown.
    pack.write(
        ".tasklings/state.json",
        r#"{"version": 1, "exercises": {"adder": {"status": "pass", "score": 5.0,
            "max_score": 5.0, "hints_shown": 2, "graded_at": 1}}}"#,
    );
    let output = pack
        .grader()
        .args(["reset", "adder", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("adder is back to its starter"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    assert_eq!(
        pack.read("exercises/adder/src/lib.rs"),
        pack.read("exercises/adder/.starter/src/lib.rs")
    );
    let kept = backups(&pack, "adder");
    assert_eq!(kept.len(), 1, "{text}");
    assert_eq!(std::fs::read_to_string(&kept[0]).unwrap(), MY_WORK);
    let named = kept[0].strip_prefix(pack.root()).unwrap();
    assert!(
        text.contains(&named.display().to_string()),
        "the backup {} is named:\n{text}",
        named.display()
    );
    let state = common::json(pack.read(".tasklings/state.json").as_bytes());
    assert_eq!(
        state["exercises"]["adder"]["status"],
        serde_json::Value::Null
    );
    assert_eq!(state["exercises"]["adder"]["hints_shown"], 2);
    pack.grader()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("not graded yet"));

    // Once more: nothing to do, and no empty backup.
    pack.grader()
        .args(["reset", "adder", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("`adder` is as it shipped"));
    assert_eq!(backups(&pack, "adder").len(), 1);
}

#[test]
fn reset_all_restores_every_changed_exercise_with_one_confirmation() {
    let pack = Pack::new();
    pack.write("exercises/adder/src/lib.rs", MY_WORK);
    std::fs::remove_file(pack.path("exercises/misbehave/src/lib.rs")).unwrap();
    pack.grader()
        .args(["reset", "--all", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "adder: exercises/adder/src/lib.rs (changed)",
        ))
        .stdout(predicate::str::contains(
            "misbehave: exercises/misbehave/src/lib.rs (deleted)",
        ));
    for slug in ["adder", "misbehave"] {
        assert_eq!(
            pack.read(&format!("exercises/{slug}/src/lib.rs")),
            pack.read(&format!("exercises/{slug}/.starter/src/lib.rs")),
            "{slug}"
        );
    }
    assert_eq!(backups(&pack, "adder").len(), 1);
    assert!(
        backups(&pack, "misbehave").is_empty(),
        "a deleted file has no backup"
    );
    pack.grader()
        .args(["reset", "--all", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Every exercise is as it shipped"));
}

#[test]
fn reset_names_a_missing_pristine_copy_and_what_to_do() {
    let pack = Pack::new();
    pack.write("exercises/adder/src/lib.rs", MY_WORK);
    std::fs::remove_dir_all(pack.path("exercises/adder/.starter")).unwrap();
    pack.grader()
        .args(["reset", "adder", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "exercises/adder/.starter/src/lib.rs is missing",
        ))
        .stderr(predicate::str::contains(
            "git checkout -- exercises/adder/.starter",
        ));
    assert_eq!(pack.read("exercises/adder/src/lib.rs"), MY_WORK);
    pack.grader()
        .args(["reset"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--all"));
}

#[test]
fn verify_names_an_editable_file_that_differs_from_its_pristine_copy() {
    let pack = Pack::new();
    pack.write(
        "exercises/adder/.starter/src/lib.rs",
        "// an older starter\n",
    );
    pack.grader()
        .args(["verify", "adder"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "src/lib.rs differs from its pristine copy in exercises/adder/.starter",
        ))
        .stdout(predicate::str::contains(
            "cp exercises/adder/src/lib.rs exercises/adder/.starter/src/lib.rs",
        ))
        .stdout(predicate::str::contains("cargo grade reset adder"));
}

/// On a terminal, reset asks; "n" changes nothing and "y" resets.
#[cfg(unix)]
#[test]
fn on_a_terminal_reset_asks_first() {
    use std::io::Write;
    use std::os::fd::{FromRawFd, OwnedFd};

    let pack = Pack::new();
    pack.write("exercises/adder/src/lib.rs", MY_WORK);
    for (answer, resets) in [("n\n", false), ("y\n", true)] {
        let (mut controller, mut terminal): (libc::c_int, libc::c_int) = (-1, -1);
        // SAFETY: openpty writes two new descriptors into the integers we pass; the null
        // pointers ask for no name and default settings.
        let opened = unsafe {
            libc::openpty(
                &mut controller,
                &mut terminal,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(opened, 0, "openpty failed");
        // SAFETY: both descriptors were just opened by openpty and are owned by nothing else.
        let (controller, terminal) = unsafe {
            (
                OwnedFd::from_raw_fd(controller),
                OwnedFd::from_raw_fd(terminal),
            )
        };
        let mut keys = std::fs::File::from(controller);
        // The terminal keeps the line until the grader reads it.
        keys.write_all(answer.as_bytes()).unwrap();
        let output = common::grader_command()
            .arg("--root")
            .arg(pack.root())
            .args(["reset", "adder"])
            .stdin(std::process::Stdio::from(terminal))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        assert!(text.contains("Reset? [y/N]"), "{text}");
        let restored = pack.read("exercises/adder/src/lib.rs") != MY_WORK;
        assert_eq!(restored, resets, "answer {answer:?}:\n{text}");
        if !resets {
            assert!(text.contains("Nothing was changed."), "{text}");
        }
    }
}
