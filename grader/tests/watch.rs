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
        loop {
            match self.lines.recv_timeout(Duration::from_secs(600)) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                    if line.contains(text) {
                        return;
                    }
                }
                Err(_) => panic!("never saw {text:?}; the watcher printed:\n{}", self.seen),
            }
        }
    }
}

#[test]
fn watch_regrades_on_save_shows_hints_and_quits_on_q() {
    let pack = Pack::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_grader"))
        .arg("--root")
        .arg(pack.root())
        .args(["watch", "adder"])
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
    let mut output = Output {
        lines,
        seen: String::new(),
    };
    let mut keys = child.stdin.take().unwrap();

    output.wait_for("adder (Adder) fails: 0 of 5 points");
    output.wait_for("Watching exercises/adder for changes");

    keys.write_all(b"h").unwrap();
    keys.flush().unwrap();
    output.wait_for("Hint 2 of 3 for adder");

    let solution = pack.read("solutions/adder/src/lib.rs");
    pack.write("exercises/adder/src/lib.rs", &solution);
    output.wait_for("adder (Adder) passes: 5 of 5 points");
    output.wait_for("Press n to go on with `misbehave`");

    keys.write_all(b"q").unwrap();
    keys.flush().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "watch ended with {status}");
}
