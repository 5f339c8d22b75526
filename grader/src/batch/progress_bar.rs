//! The batch's progress on stderr: on a terminal, one bar redrawn in place,
//!
//! ```text
//!   [##########----------------]  23/57 graded · 2 running · 3m12s · ETA 4m40s
//! ```
//!
//! with each finished submission printed above it; elsewhere (a log, CI), only the finished
//! lines. The ETA is the mean time per submission graded *in this run* (what a resumed batch
//! skipped took no time) times what is left, divided by nothing more clever: submissions are
//! graded N at a time, and the mean already reflects that.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Shared by the batch's workers.
pub struct ProgressBar {
    state: Mutex<State>,
    terminal: bool,
}

struct State {
    total: usize,
    done: usize,
    done_here: usize,
    running: usize,
    started: Instant,
    drawn: bool,
}

impl ProgressBar {
    /// `total` submissions, `already` of them done before this run (resumed).
    pub fn new(total: usize, already: usize) -> ProgressBar {
        ProgressBar {
            state: Mutex::new(State {
                total,
                done: already,
                done_here: 0,
                running: 0,
                started: Instant::now(),
                drawn: false,
            }),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A submission started.
    pub fn started(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.running += 1;
        self.draw(&mut state, None);
    }

    /// A submission finished (`line` says how); `counted` is false when its result is not kept
    /// (interrupted).
    pub fn finished(&self, line: &str, counted: bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.running = state.running.saturating_sub(1);
        if counted {
            state.done += 1;
            state.done_here += 1;
        }
        let prefix = format!("[{}/{}]", state.done, state.total);
        self.draw(&mut state, Some(&format!("{prefix} {line}")));
    }

    /// Redraws the bar, so its clock and ETA move while long submissions run.
    pub fn tick(&self) {
        if self.terminal {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            self.draw(&mut state, None);
        }
    }

    /// Erases the bar (before the closing summary).
    pub fn clear(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if self.terminal && state.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            state.drawn = false;
        }
    }

    fn draw(&self, state: &mut State, line: Option<&str>) {
        let mut stderr = std::io::stderr().lock();
        if !self.terminal {
            if let Some(line) = line {
                let _ = writeln!(stderr, "{line}");
            }
            return;
        }
        if state.drawn {
            let _ = write!(stderr, "\r\x1b[2K");
        }
        if let Some(line) = line {
            let _ = writeln!(stderr, "{line}");
        }
        let _ = write!(stderr, "{}", state.bar());
        let _ = stderr.flush();
        state.drawn = true;
    }
}

impl State {
    fn bar(&self) -> String {
        const WIDTH: usize = 28;
        let filled = (self.done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        let elapsed = self.started.elapsed();
        let eta = eta(
            elapsed,
            self.done_here,
            self.total.saturating_sub(self.done),
        )
        .map_or_else(|| "ETA …".to_owned(), |left| format!("ETA {}", clock(left)));
        format!(
            "  [{}{}] {:>4}/{} graded · {} running · {} · {eta}",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.done,
            self.total,
            self.running,
            clock(elapsed)
        )
    }
}

/// Time left: the mean time per submission graded so far, times what is left.
pub fn eta(elapsed: Duration, done_here: usize, left: usize) -> Option<Duration> {
    if done_here == 0 {
        return None;
    }
    Some(elapsed.mul_f64(left as f64 / done_here as f64))
}

/// "4m05s", "52s", "1h02m".
pub fn clock(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        s if s >= 3600 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_is_the_mean_so_far_times_what_is_left() {
        assert_eq!(eta(Duration::from_secs(60), 0, 10), None);
        assert_eq!(
            eta(Duration::from_secs(60), 3, 6),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn clocks_read_naturally() {
        assert_eq!(clock(Duration::from_secs(52)), "52s");
        assert_eq!(clock(Duration::from_secs(245)), "4m05s");
        assert_eq!(clock(Duration::from_secs(3720)), "1h02m");
    }
}
