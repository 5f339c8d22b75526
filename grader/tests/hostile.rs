//! The hostile catalogue, graded as a class: good students, wrong ones and hostile ones in one
//! `grader batch`, two at a time. Every attack must end as a failed or timed-out test (or a
//! refused submission) with a reason the instructor can read, the good student must still pass
//! everything, the batch must finish, and afterwards nothing of the learners may still run or
//! have touched the results. See `fixtures/hostile/README.md` for the attacks.

// Unix only: class grading, whose sandbox is Unix-only.
#![cfg(unix)]

mod class_fixture;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use class_fixture::{fixtures, gradebook, json_file, report_test, run, shown, Class, Pack};

/// One batch at a time: each test ends by checking that no sandbox process is left, which another
/// test's running batch would spoil.
static ONE_BATCH_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The sandbox uids each test's batch runs its learner code as (a pool of its own, so that "no
/// sandbox process is left" counts only its own).
const UIDS_OF_THE_CLASS: u32 = 62_000;
const UIDS_WITHOUT_NAMESPACES: u32 = 62_600;

/// A server on the host's 127.0.0.1 that answers "42" to anyone: `phones_home` asks it.
fn answer_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream;
            let _ = stream.write_all(b"42\n");
        }
    });
    (port, connections)
}

#[test]
fn hostile_submissions_fail_with_reasons_and_harm_no_one() {
    let _alone = ONE_BATCH_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let pack = Pack::with_hostile_exercise();
    let class = Class::new();
    let out = tempfile::tempdir().unwrap();
    let (port, connections) = answer_server();

    // Good: every exercise solved.
    for slug in ["adder", "misbehave", "hostile"] {
        class.copy("good", slug, &pack.path(&format!("solutions/{slug}")));
    }
    // The grader's own misbehaviour catalogue, reused as a student.
    class.copy(
        "misbehaving",
        "misbehave",
        &fixtures().join("submissions/misbehaving"),
    );
    // The attacks that need isolation.
    let template =
        std::fs::read_to_string(fixtures().join("hostile/submissions/attacks/src/lib.rs.template"))
            .unwrap();
    let attacks = template
        .replace("{{PACK}}", &pack.root().display().to_string())
        .replace("{{OUT}}", &out.path().display().to_string())
        .replace("{{PORT}}", &port.to_string());
    class.write("attacker", "hostile", "src/lib.rs", &attacks);
    // Build files handed in with a correct adder.
    class.copy(
        "builder",
        "adder",
        &fixtures().join("hostile/submissions/build-files"),
    );
    std::fs::create_dir_all(class.dir().join("builder/adder/src")).unwrap();
    std::fs::copy(
        pack.path("solutions/adder/src/lib.rs"),
        class.dir().join("builder/adder/src/lib.rs"),
    )
    .unwrap();
    // Reads the hidden tests at compile time.
    class.copy(
        "peeker",
        "hostile",
        &fixtures().join("hostile/submissions/peeks-at-compile-time"),
    );
    // A constant the compiler would need 16 GiB of memory for.
    class.write(
        "bomber",
        "adder",
        "src/lib.rs",
        "pub static BIG: [u8; 1 << 34] = [1; 1 << 34];\n\
         pub fn add(a: u64, b: u64) -> u64 { a + b + BIG[0] as u64 - 1 }\n",
    );
    // Hands in a symbolic link to the solution.
    std::fs::create_dir_all(class.dir().join("linker/adder/src")).unwrap();
    std::os::unix::fs::symlink(
        pack.path("solutions/adder/src/lib.rs"),
        class.dir().join("linker/adder/src/lib.rs"),
    )
    .unwrap();

    let output = run(pack
        .grader()
        .arg("batch")
        .arg(class.dir())
        .arg("--output")
        .arg(out.path())
        .args(["--jobs", "2"])
        .args(["--memory-limit", "768M", "--process-limit", "96"])
        .args(["--file-size-limit", "16M", "--tmp-size", "64M"])
        .env(class_fixture::UID_BASE_ENV, UIDS_OF_THE_CLASS.to_string()));
    let log = shown(&output);
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    // Some submissions fail: exit status 1, not a grader error.
    assert_eq!(output.status.code(), Some(1), "{log}");
    let gradebook_bytes = std::fs::read(out.path().join("gradebook.csv")).unwrap();
    let rows = gradebook(out.path());
    let row = |student: &str, slug: &str| {
        rows.get(&(student.to_owned(), slug.to_owned()))
            .unwrap_or_else(|| panic!("no row for {student} {slug}: {log}"))
            .clone()
    };
    let report = |student: &str| json_file(&out.path().join(format!("students/{student}.json")));
    let message = |student: &str, slug: &str, test: &str| {
        let test = report_test(&report(student), slug, test).clone();
        (
            test["status"].as_str().unwrap().to_owned(),
            test["message"].as_str().unwrap().to_owned(),
        )
    };

    // The good student is unharmed: everything passes, the timing check included.
    for slug in ["adder", "misbehave", "hostile"] {
        let good = row("good", slug);
        assert_eq!(good["status"], "pass", "good {slug}: {good}\n{log}");
        assert_eq!(good["score"], good["max_score"], "{good}");
    }

    // The reused catalogue: each case a failure or a timeout, with its reason.
    for (test, status, reason) in [
        ("loops_forever", "timeout", "timed out"),
        ("deadlocks", "timeout", "timed out"),
        ("exits_early", "fail", "exited before the test finished"),
        ("aborts", "fail", "SIGABRT"),
        ("overflows_the_stack", "fail", "stack overflow"),
        ("floods_output", "fail", "output"),
        ("forges_a_pass", "fail", "exited before the test finished"),
    ] {
        let (got, text) = message("misbehaving", "misbehave", test);
        assert_eq!(got, status, "misbehaving {test}: {text}");
        assert!(text.contains(reason), "misbehaving {test}: {text}");
    }

    // The attacks.
    let isolated = class_fixture::is_root();
    let expectations: Vec<(&str, &str, &[&str])> = vec![
        ("fork_bomb", "timeout", &["processes and threads", "96"]),
        ("thread_bomb", "fail", &["failed to spawn thread"]),
        ("memory_bomb", "fail", &["out of memory"]),
        ("disk_filler", "fail", &["SIGXFSZ"]),
        ("rewrites_results_later", "fail", &["should return 42"]),
        ("reads_hidden_tests", "fail", &["should return 7340033"]),
        ("phones_home", "fail", &["should return 42"]),
        ("answer_compared_as_a_number", "fail", &["left: 41"]),
    ];
    for (test, status, reasons) in expectations {
        if !isolated && matches!(test, "reads_hidden_tests" | "phones_home") {
            continue; // needs root: without it, learner code may read and connect (documented)
        }
        let (got, text) = message("attacker", "hostile", test);
        assert_eq!(got, status, "attacker {test}: {text}\n{log}");
        for reason in reasons {
            assert!(text.contains(reason), "attacker {test}: {text}");
        }
    }
    if isolated {
        let (_, text) = message("attacker", "hostile", "rewrites_results_later");
        assert!(
            text.contains("outside its process group; the grader killed them"),
            "{text}"
        );
        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "learner code reached a server on the host"
        );
    }

    // Build files are ignored, and the report says which.
    let builder = row("builder", "adder");
    assert_eq!(builder["status"], "pass", "{builder}\n{log}");
    let builder_text = std::fs::read_to_string(out.path().join("students/builder.txt")).unwrap();
    for file in [
        "`.cargo/config.toml`",
        "`.config/nextest.toml`",
        "`Cargo.toml`",
        "`build.rs`",
        "`rust-toolchain.toml`",
    ] {
        assert!(builder_text.contains(file), "{file} in:\n{builder_text}");
    }
    assert!(
        builder_text.contains("never taken from a submission"),
        "{builder_text}"
    );

    // Reading files at compile time and symbolic links are refused before anything is built.
    let peeker = row("peeker", "hostile");
    assert_eq!(peeker["status"], "compile_error", "{peeker}");
    let (_, text) = message("peeker", "hostile", "compile");
    assert!(
        text.contains("`include_str!` reads a file at compile time"),
        "{text}"
    );
    let peeker_report = std::fs::read_to_string(out.path().join("students/peeker.json")).unwrap();
    assert!(!peeker_report.contains("SECRET_ANSWER"), "{peeker_report}");
    // The compiler itself is limited while it compiles a submission.
    let (_, text) = message("bomber", "adder", "compile");
    assert!(text.contains("more memory than available"), "{text}");
    assert_eq!(row("bomber", "adder")["status"], "compile_error");
    let (_, text) = message("linker", "adder", "compile");
    assert!(text.contains("symbolic link"), "{text}");
    assert_eq!(row("linker", "adder")["score"], 0.0);

    // Nothing of the learners outlives the batch or touches its results.
    std::thread::sleep(Duration::from_secs(2));
    if isolated {
        assert_eq!(
            class_fixture::sandbox_processes(UIDS_OF_THE_CLASS),
            Vec::<String>::new()
        );
    }
    assert!(!out.path().join("pwned.txt").exists());
    assert_eq!(
        std::fs::read(out.path().join("gradebook.csv")).unwrap(),
        gradebook_bytes,
        "the gradebook changed after the batch ended"
    );
    let mut journal = String::new();
    std::fs::File::open(out.path().join("journal.jsonl"))
        .unwrap()
        .read_to_string(&mut journal)
        .unwrap();
    assert!(!journal.contains("pwned"), "{journal}");
    assert_eq!(rows.len(), 7 * 3, "{log}");
}

/// The level Gradescope's containers allow (root without CAP_SYS_ADMIN): an own uid per test and
/// the limits, but no namespaces. The attacks that only limits and the uid stop are stopped the
/// same; the repository, the submissions and the output are closed to other users by their
/// permissions, as the grader's warnings ask. The network is reachable at this level
/// (documented), so `phones_home` is not asserted.
#[test]
fn without_namespaces_an_own_uid_and_limits_still_stop_the_attacks() {
    if !class_fixture::is_root() {
        eprintln!("skipped: a uid of its own per test needs root");
        return;
    }
    let _alone = ONE_BATCH_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let pack = Pack::with_hostile_exercise();
    let class = Class::new();
    let out = tempfile::tempdir().unwrap();
    class.copy("good", "hostile", &pack.path("solutions/hostile"));
    let template =
        std::fs::read_to_string(fixtures().join("hostile/submissions/attacks/src/lib.rs.template"))
            .unwrap();
    let attacks = template
        .replace("{{PACK}}", &pack.root().display().to_string())
        .replace("{{OUT}}", &out.path().display().to_string())
        .replace("{{PORT}}", "9");
    class.write("attacker", "hostile", "src/lib.rs", &attacks);
    // As the grader's warnings ask at this level: the repository, the submissions and the
    // output closed to other users.
    for dir in [pack.root(), class.dir(), out.path()] {
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    }

    let output = run(pack
        .grader()
        .arg("batch")
        .arg(class.dir())
        .arg("--output")
        .arg(out.path())
        .args(["--isolation", "separate-user", "--jobs", "2"])
        .args(["--memory-limit", "768M", "--process-limit", "96"])
        .args(["--file-size-limit", "16M"])
        .env(
            class_fixture::UID_BASE_ENV,
            UIDS_WITHOUT_NAMESPACES.to_string(),
        ));
    let log = shown(&output);
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        log.contains("isolation: own uid per test and resource limits"),
        "{log}"
    );
    assert!(!log.contains("is readable by other users"), "{log}");
    let gradebook_bytes = std::fs::read(out.path().join("gradebook.csv")).unwrap();
    let rows = gradebook(out.path());
    assert_eq!(
        rows[&("good".into(), "hostile".into())]["status"],
        "pass",
        "{log}"
    );
    let report = json_file(&out.path().join("students/attacker.json"));
    for (test, status, reason) in [
        ("fork_bomb", "timeout", "processes and threads"),
        ("thread_bomb", "fail", "failed to spawn thread"),
        ("memory_bomb", "fail", "out of memory"),
        ("disk_filler", "fail", "SIGXFSZ"),
        ("rewrites_results_later", "fail", "the grader killed them"),
        ("reads_hidden_tests", "fail", "should return 7340033"),
        ("answer_compared_as_a_number", "fail", "left: 41"),
    ] {
        let found = report_test(&report, "hostile", test);
        let text = found["message"].as_str().unwrap();
        assert_eq!(found["status"], status, "{test}: {text}\n{log}");
        assert!(text.contains(reason), "{test}: {text}");
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        class_fixture::sandbox_processes(UIDS_WITHOUT_NAMESPACES),
        Vec::<String>::new()
    );
    assert!(!out.path().join("pwned.txt").exists());
    assert_eq!(
        std::fs::read(out.path().join("gradebook.csv")).unwrap(),
        gradebook_bytes
    );
}
