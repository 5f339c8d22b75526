//! The batch's progress on stderr: on a terminal, one indicatif bar redrawn in place,
//!
//! ```text
//!   [##########----------------]   23/57 graded · 2 running · 3m · ETA 4m
//! ```
//!
//! with each finished submission printed above it; elsewhere (a log, CI), only the finished
//! lines. The ETA counts only submissions graded *in this run*: what a resumed batch took from
//! its journal cost no time.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressDrawTarget, ProgressStyle};

/// Shared by the batch's workers.
pub struct ProgressBar {
    bar: indicatif::ProgressBar,
    terminal: bool,
    total: usize,
    /// Graded so far, resumed ones included (numbers the finished lines).
    done: AtomicUsize,
    running: AtomicUsize,
}

impl ProgressBar {
    /// `total` submissions, `already` of them done before this run (resumed).
    pub fn new(total: usize, already: usize) -> ProgressBar {
        let terminal = std::io::stderr().is_terminal();
        let target = if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let style = ProgressStyle::with_template(
            "  [{bar:28}] {pos:>4}/{len} graded · {msg} · {elapsed} · ETA {eta}",
        )
        .expect("the template is valid")
        .progress_chars("#-");
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), target)
            .with_style(style)
            .with_position(already as u64)
            .with_message("0 running");
        // The rate starts from here: resumed submissions were not graded in this run.
        bar.reset_eta();
        // Keeps the clock and ETA moving while long submissions run.
        bar.enable_steady_tick(Duration::from_millis(500));
        ProgressBar {
            bar,
            terminal,
            total,
            done: AtomicUsize::new(already),
            running: AtomicUsize::new(0),
        }
    }

    /// A submission started.
    pub fn started(&self) {
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.bar.set_message(format!("{running} running"));
    }

    /// A submission finished (`line` says how); `counted` is false when its result is not kept
    /// (interrupted, or it could not be graded).
    pub fn finished(&self, line: &str, counted: bool) {
        let running = self
            .running
            .fetch_sub(1, Ordering::SeqCst)
            .saturating_sub(1);
        let done =
            self.done.fetch_add(usize::from(counted), Ordering::SeqCst) + usize::from(counted);
        let line = format!("[{done}/{}] {line}", self.total);
        if self.terminal {
            self.bar.println(line);
        } else {
            eprintln!("{line}");
        }
        self.bar.set_message(format!("{running} running"));
        if counted {
            self.bar.inc(1);
        }
    }

    /// Erases the bar (before the closing summary).
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
