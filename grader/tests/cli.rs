//! The commands that don't grade (list, hint, new) and every usage or environment error: each
//! ends with the right exit status and a message that says what to do.

mod common;

use common::{grader, Pack};
use predicates::prelude::*;

#[test]
fn list_is_the_default_and_shows_the_path_in_order_with_the_next_step() {
    let pack = Pack::new();
    let output = pack.grader().assert().success().get_output().stdout.clone();
    let text = String::from_utf8(output).unwrap();
    let adder = text.find("adder").expect("adder is listed");
    let misbehave = text.find("misbehave").expect("misbehave is listed");
    assert!(adder < misbehave, "learning-path order:\n{text}");
    assert!(text.contains("not graded yet"), "{text}");
    assert!(
        text.contains("Next: read book/src/adder.md, then edit exercises/adder/src/lib.rs"),
        "{text}"
    );
}

#[test]
fn list_as_json_names_each_exercise_with_its_chapter() {
    let pack = Pack::new();
    let output = pack
        .grader()
        .args(["list", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    let slugs: Vec<&str> = report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exercise"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["adder", "misbehave"]);
    assert_eq!(report["exercises"][0]["chapter"], "book/src/adder.md");
}

#[test]
fn an_unknown_slug_suggests_the_closest_one() {
    let pack = Pack::new();
    pack.grader()
        .args(["run", "addr"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "there is no exercise `addr`: did you mean `adder`?",
        ))
        .stderr(predicate::str::contains("adder, misbehave"));
}

#[test]
fn hints_come_one_at_a_time_and_stop_at_the_last() {
    let pack = Pack::new();
    for expected in ["Hint 1 of 3", "Hint 2 of 3", "Hint 3 of 3", "Hint 3 of 3"] {
        pack.grader()
            .args(["hint", "adder"])
            .assert()
            .success()
            .stdout(predicate::str::contains(expected));
    }
    pack.grader()
        .args(["hint", "adder"])
        .assert()
        .stdout(predicate::str::contains("That was the last hint"))
        .stdout(predicate::str::contains("solutions/adder"));
    let state = common::json(pack.read(".tasklings/state.json").as_bytes());
    assert_eq!(state["version"], 1);
    assert_eq!(state["exercises"]["adder"]["hints_shown"], 3);
}

#[test]
fn a_malformed_manifest_names_the_key_everywhere() {
    let pack = Pack::new();
    let manifest = pack.read("exercises/adder/exercise.toml");
    pack.write(
        "exercises/adder/exercise.toml",
        &manifest.replace("hints = [", "hint = ["),
    );
    pack.grader()
        .args(["run", "adder", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unknown key `hint`"))
        .stdout(predicate::str::contains("did you mean `hints`?"));
    pack.grader()
        .args(["verify", "adder"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("exercise.toml is not usable"))
        .stdout(predicate::str::contains("unknown key `hint`"));
    pack.grader()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("broken exercise.toml"));

    pack.write(
        "exercises/adder/exercise.toml",
        &manifest.replace("order = 10", "order = \"ten\""),
    );
    pack.grader()
        .args(["verify", "adder"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("key `order`: expected an integer"));
    pack.write(
        "exercises/adder/exercise.toml",
        &manifest.replace("title = \"Adder\"\n", ""),
    );
    pack.grader()
        .args(["verify", "adder"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("missing key `title`"));
}

#[test]
fn no_cargo_on_path_says_how_to_install_rust() {
    let pack = Pack::new();
    pack.grader()
        .args(["run", "adder"])
        .env("PATH", "/nonexistent")
        .env_remove("CARGO")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "could not run `cargo`: it is not on PATH",
        ))
        .stderr(predicate::str::contains("rustup"));
}

#[test]
fn outside_a_repository_the_grader_says_where_to_run_it() {
    let elsewhere = tempfile::tempdir().unwrap();
    grader()
        .current_dir(elsewhere.path())
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not inside a Tasklings repository",
        ));
    grader()
        .args(["--root", "/nonexistent/tasklings", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("doesn't exist"));
}

#[test]
fn the_root_is_found_from_a_subfolder_and_from_the_environment() {
    let pack = Pack::new();
    grader()
        .current_dir(pack.path("exercises/adder/src"))
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("misbehave"));
    grader()
        .env("TASKLINGS_ROOT", pack.root())
        .current_dir(std::env::temp_dir())
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("misbehave"));
}

#[test]
fn usage_errors_exit_with_status_2() {
    let pack = Pack::new();
    pack.grader()
        .args(["run", "adder", "--format", "xml"])
        .assert()
        .code(2);
    pack.grader()
        .args(["run", "adder", "misbehave", "--submission", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--submission grades one exercise"));
    pack.grader()
        .args(["verify", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "verify` prints a report for people",
        ));
    pack.grader()
        .args(["run", "adder", "--submission", "/nonexistent/submission"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the submission folder /nonexistent/submission doesn't exist",
        ));
}

#[test]
fn new_scaffolds_an_exercise_that_verify_accepts_once_filled_in() {
    let pack = Pack::new();
    pack.grader()
        .args(["new", "worker-pool"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "created exercises/worker-pool/exercise.toml",
        ))
        .stdout(predicate::str::contains("cargo grade verify worker-pool"));
    for file in [
        "exercises/worker-pool/Cargo.toml",
        "exercises/worker-pool/src/lib.rs",
        "solutions/worker-pool/src/lib.rs",
        "grader/hidden/worker-pool/main.rs",
        "book/src/worker-pool.md",
    ] {
        assert!(pack.path(file).is_file(), "{file} was not created");
    }
    let manifest = pack.read("exercises/worker-pool/exercise.toml");
    assert!(
        manifest.contains("order = 30"),
        "after the pack's last (20):\n{manifest}"
    );

    // As scaffolded: the hints and the chapter are placeholders.
    pack.grader()
        .args(["verify", "worker-pool"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("TODO placeholder"))
        .stdout(predicate::str::contains("is still the stub"));

    pack.write(
        "exercises/worker-pool/exercise.toml",
        &manifest
            .replace("TODO: a first nudge", "Look at the return type.")
            .replace("TODO: a more direct hint", "It is a number.")
            .replace("TODO: the shape of the answer", "It is 42."),
    );
    pack.write(
        "book/src/worker-pool.md",
        "# Worker pool\n\nA real chapter now.\n",
    );
    pack.grader()
        .args(["verify", "worker-pool"])
        .assert()
        .success()
        .stdout(predicate::str::contains("the solution passes every test"))
        .stdout(predicate::str::contains(
            "the starter compiles and fails 1 of 1 tests",
        ))
        .stdout(predicate::str::contains("1 of 1 exercises are sound"));

    pack.grader()
        .args(["new", "worker-pool"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    pack.grader()
        .args(["new", "Worker_Pool"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("can't be a slug"));
}
