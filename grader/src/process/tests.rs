//! The runner on real processes. The learner process is this test binary itself, started again
//! with `TASKLINGS_RUNNER_SCENARIO` naming what it should do (see [`scenario`]), so the same
//! tests run on every system — under Wine too — without a shell.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use super::*;

const SCENARIO_ENV: &str = "TASKLINGS_RUNNER_SCENARIO";

/// Runs this test binary as a learner process playing `scenario`.
fn play(scenario: &str, timeout_ms: u64) -> Finished {
    let spec = ProcessSpec {
        program: std::env::current_exe().unwrap(),
        args: [
            "process::tests::scenario",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ]
        .map(OsString::from)
        .to_vec(),
        cwd: std::env::temp_dir(),
        env: vec![(SCENARIO_ENV.into(), scenario.into())],
    };
    run(
        &spec,
        "the-nonce",
        &Limits::with_timeout(Duration::from_millis(timeout_ms)),
        &Sandbox::none(),
        &|line| line.contains("final"),
    )
    .unwrap()
}

/// The learner side: does nothing in an ordinary test run; when started by [`play`], acts out
/// its scenario and exits without returning to the test harness.
#[test]
fn scenario() {
    let Ok(scenario) = std::env::var(SCENARIO_ENV) else {
        return;
    };
    std::env::remove_var(SCENARIO_ENV);
    match scenario.as_str() {
        "channel" => {
            let channel = wire::ResultChannel::from_grader().unwrap();
            channel.send(wire::Record::Dump {
                name: "final".into(),
                text: "hello".into(),
            });
            println!("printed");
        }
        "echo-env" => {
            println!(
                "[{}]",
                std::env::var("TASKLINGS_SECRET_FOR_TEST").unwrap_or_default()
            );
        }
        "hang-with-child" => {
            // A child that outlives this process unless the whole tree is killed; it holds the
            // output pipe open and writes its pid where the test can find it.
            // Never waited for on purpose: the runner must kill it.
            #[allow(clippy::zombie_processes)]
            let child = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["process::tests::scenario", "--exact", "--nocapture"])
                .env(SCENARIO_ENV, "sleep")
                .spawn()
                .unwrap();
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).unwrap();
            std::fs::write(pid_file(line.trim()), child.id().to_string()).unwrap();
            std::thread::sleep(Duration::from_secs(1000));
        }
        "sleep" => std::thread::sleep(Duration::from_secs(1000)),
        "flood" => {
            let line = "tasklings ".repeat(100) + "\n";
            let mut out = std::io::stdout().lock();
            while out.write_all(line.as_bytes()).is_ok() {}
        }
        "abort" => std::process::abort(),
        "linger-after-verdict" => {
            let channel = wire::ResultChannel::from_grader().unwrap();
            channel.send(wire::Record::Dump {
                name: "final".into(),
                text: String::new(),
            });
            std::thread::sleep(Duration::from_secs(1000));
        }
        other => panic!("no scenario named {other}"),
    }
    let _ = std::io::stdout().flush();
    std::process::exit(0);
}

fn pid_file(nonce: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tasklings-runner-test-{nonce}.pid"))
}

#[test]
fn the_result_channel_and_stdin_reach_the_child() {
    let finished = play("channel", 30_000);
    assert_eq!(finished.ending, Ending::Exited(0));
    assert_eq!(finished.records.len(), 1, "{:?}", finished.records);
    let record = wire::Line::decode(&finished.records[0], "the-nonce");
    assert!(
        matches!(record, Some(wire::Record::Dump { ref text, .. }) if text == "hello"),
        "{:?}",
        finished.records
    );
    assert!(finished.output.contains("printed\n"), "{}", finished.output);
}

#[test]
fn a_process_that_hangs_is_killed_with_everything_it_started() {
    // The "hang-with-child" scenario reads the nonce to name its pid file.
    let nonce = format!("{}-{:?}", std::process::id(), Instant::now());
    let nonce: String = nonce.chars().filter(char::is_ascii_alphanumeric).collect();
    let spec = ProcessSpec {
        program: std::env::current_exe().unwrap(),
        args: ["process::tests::scenario", "--exact", "--nocapture"]
            .map(OsString::from)
            .to_vec(),
        cwd: std::env::temp_dir(),
        env: vec![(SCENARIO_ENV.into(), "hang-with-child".into())],
    };
    let limits = Limits::with_timeout(Duration::from_millis(3_000));
    let finished = run(&spec, &nonce, &limits, &Sandbox::none(), &|_| false).unwrap();
    assert_eq!(finished.ending, Ending::TimedOut);
    let pid: u32 = std::fs::read_to_string(pid_file(&nonce))
        .expect("the scenario wrote its child's pid")
        .parse()
        .unwrap();
    let _ = std::fs::remove_file(pid_file(&nonce));
    let gone = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        !alive(pid)
    });
    assert!(gone, "the child {pid} outlived its killed parent");
}

#[test]
fn a_flood_of_output_is_stopped_and_only_its_ends_are_kept() {
    let finished = play("flood", 60_000);
    assert_eq!(finished.ending, Ending::OutputLimit);
    assert!(finished.output_bytes > 16 * 1024 * 1024);
    assert!(finished.output.contains("bytes of output cut"));
    assert!(finished.output.len() < 40 * 1024);
}

#[test]
fn a_crash_is_named() {
    let finished = play("abort", 30_000);
    assert_eq!(finished.ending, Ending::Crashed(Crash::Abort));
}

#[test]
fn the_environment_is_cleared() {
    std::env::set_var("TASKLINGS_SECRET_FOR_TEST", "x");
    let finished = play("echo-env", 30_000);
    assert!(finished.output.contains("[]\n"), "{}", finished.output);
}

#[test]
fn a_process_that_lingers_after_its_verdict_is_stopped_after_the_grace() {
    let finished = play("linger-after-verdict", 60_000);
    assert_eq!(finished.ending, Ending::KilledAfterVerdict);
    assert_eq!(finished.records.len(), 1);
}

/// Whether process `pid` still runs (a zombie, dead but not yet reaped, counts as gone).
#[cfg(target_os = "linux")]
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[cfg(all(unix, not(target_os = "linux")))]
fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

#[cfg(windows)]
fn alive(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    // SAFETY: opens a handle by pid (null when there is no such process) and closes it.
    unsafe {
        let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if process.is_null() {
            return false;
        }
        let mut code = 0u32;
        let running = GetExitCodeProcess(process, &mut code) != 0 && code == STILL_ACTIVE as u32;
        CloseHandle(process);
        running
    }
}
