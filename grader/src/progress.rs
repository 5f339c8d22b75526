//! The one-line progress display on stderr while the grader builds and runs ("building: runtime
//! (12 crates)", "running tests: 4 of 9"): an indicatif spinner with the elapsed time, ticking on
//! its own thread so it moves while cargo compiles one long crate. Shown only when stderr is a
//! terminal; otherwise silent, so logs and `--format json` stay clean.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress line shared by the threads of one grading run.
#[derive(Clone)]
pub struct Progress {
    /// `None`: hidden. Inside, the spinner of the current phase (between `start` and `clear`).
    line: Option<Arc<Mutex<Option<ProgressBar>>>>,
}

/// How often the spinner turns.
const TICK: Duration = Duration::from_millis(120);

impl Progress {
    /// Draws on stderr when it is a terminal.
    pub fn on_stderr() -> Progress {
        if std::io::stderr().is_terminal() {
            Progress {
                line: Some(Arc::default()),
            }
        } else {
            Progress::hidden()
        }
    }

    /// Draws nothing.
    pub fn hidden() -> Progress {
        Progress { line: None }
    }

    /// Starts a new phase for `label` (an exercise's slug), with its own clock.
    pub fn start(&self, label: &str) {
        self.with_line(|line| {
            if let Some(old) = line.take() {
                old.finish_and_clear();
            }
            // `wide_msg` takes what the terminal has left, so a long status is cut, not wrapped.
            let style = ProgressStyle::with_template("{spinner} {prefix} {wide_msg} {elapsed}")
                .expect("the template is valid")
                .tick_chars("|/-\\ ");
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(style)
                .with_prefix(label.to_owned());
            spinner.enable_steady_tick(TICK);
            *line = Some(spinner);
        });
    }

    /// Replaces the status text (drawn at the next tick: cargo reports artifacts faster than
    /// anyone reads).
    pub fn status(&self, status: &str) {
        self.with_line(|line| {
            if let Some(spinner) = line {
                spinner.set_message(status.to_owned());
            }
        });
    }

    /// Erases the line (before printing results).
    pub fn clear(&self) {
        self.with_line(|line| {
            if let Some(spinner) = line.take() {
                spinner.finish_and_clear();
            }
        });
    }

    fn with_line(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        if let Some(line) = &self.line {
            f(&mut line.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }
}
