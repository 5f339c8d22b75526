//! `grader watch`: re-grades on save, reacts to keys, quits cleanly.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::Pack;

/// Lines of the watcher's output, read on a thread so the test can wait with a limit.
struct Output {
    lines: mpsc::Receiver<String>,
    seen: String,
}

impl Output {
    /// Reads until a line contains `text`. The limit only stops a broken watcher from hanging
    /// the suite; it is far above any real check.
    fn wait_for(&mut self, text: &str) {
        self.wait_for_line(|line| line.contains(text), text);
    }

    /// Reads until a line satisfies `wanted` (described by `what` in the failure message).
    fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool, what: &str) {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(600)) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                    if wanted(&line) {
                        return;
                    }
                }
                Err(_) => panic!("never saw {what:?}; the watcher printed:\n{}", self.seen),
            }
        }
    }
}

/// A running `grader watch` on a pack: its output lines and its stdin (the keys).
struct Watcher {
    child: std::process::Child,
    output: Output,
    keys: std::process::ChildStdin,
}

impl Watcher {
    /// Starts `grader watch ARGS…` with piped stdin and stdout.
    fn start(pack: &Pack, args: &[&str]) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_grader"))
            .arg("--root")
            .arg(pack.root())
            .arg("watch")
            .args(args)
            .env("CARGO_TARGET_DIR", common::target_dir())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let keys = child.stdin.take().unwrap();
        Watcher {
            child,
            output: Output {
                lines,
                seen: String::new(),
            },
            keys,
        }
    }

    fn press(&mut self, key: &[u8]) {
        self.keys.write_all(key).unwrap();
        self.keys.flush().unwrap();
    }

    fn quit(mut self) {
        self.press(b"q");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "watch ended with {status}");
    }
}

#[test]
fn watch_regrades_on_save_shows_hints_and_quits_on_q() {
    let pack = Pack::new();
    let mut watch = Watcher::start(&pack, &["adder"]);
    watch.output.wait_for("adder (Adder) fails: 0 of 5 points");
    watch
        .output
        .wait_for("Watching exercises/adder for changes");

    watch.press(b"h");
    watch.output.wait_for("Hint 2 of 3 for adder");

    let solution = pack.read("solutions/adder/src/lib.rs");
    pack.write("exercises/adder/src/lib.rs", &solution);
    watch.output.wait_for("adder (Adder) passes: 5 of 5 points");
    watch.output.wait_for("Press n to go on with `misbehave`");
    // File events arrive here: the probe saw its own, and watch didn't switch to polling.
    assert!(
        !watch.output.seen.contains("every half second"),
        "{}",
        watch.output.seen
    );
    watch.quit();
}

/// With --poll, watch reads the files instead of waiting for file events, says so, and still
/// sees a save. The report fits a screen; v shows every failure in full.
#[test]
fn watch_poll_sees_a_save_and_v_shows_every_failure() {
    let pack = Pack::new();
    let mut watch = Watcher::start(&pack, &["adder", "--poll"]);
    watch.output.wait_for("adder (Adder) fails: 0 of 5 points");
    // adds_two_numbers and adds_zero panic at the same `todo!`: the second gets one line.
    watch
        .output
        .wait_for("  ✗ adds_zero failed: not yet implemented: add 7 and 0");
    watch
        .output
        .wait_for("failures were shortened to a line; press v to see them in full");
    watch
        .output
        .wait_for("Watching exercises/adder for changes");
    watch
        .output
        .wait_for("--poll: watch reads your files for changes every half second");

    watch.press(b"v");
    watch.output.wait_for_line(
        |line| line == "      not yet implemented: add 7 and 0",
        "adds_zero's message in full",
    );

    let solution = pack.read("solutions/adder/src/lib.rs");
    pack.write("exercises/adder/src/lib.rs", &solution);
    watch.output.wait_for("adder (Adder) passes: 5 of 5 points");
    watch.quit();
}
