//! The one-line progress display on stderr while the grader builds and runs ("building: runtime
//! (12 crates)", "running tests: 4 of 9"), redrawn in place with the elapsed time. Shown only when
//! stderr is a terminal; otherwise silent, so logs and `--format json` stay clean.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A progress line shared by the threads of one grading run.
#[derive(Clone)]
pub struct Progress {
    inner: Option<Arc<Mutex<Line>>>,
}

struct Line {
    label: String,
    status: String,
    started: Instant,
    drawn: bool,
    last_draw: Option<Instant>,
}

impl Progress {
    /// Draws on stderr when it is a terminal.
    pub fn on_stderr() -> Progress {
        if std::io::stderr().is_terminal() {
            Progress {
                inner: Some(Arc::new(Mutex::new(Line {
                    label: String::new(),
                    status: String::new(),
                    started: Instant::now(),
                    drawn: false,
                    last_draw: None,
                }))),
            }
        } else {
            Progress::hidden()
        }
    }

    /// Draws nothing.
    pub fn hidden() -> Progress {
        Progress { inner: None }
    }

    /// Starts a new phase for `label` (an exercise's slug).
    pub fn start(&self, label: &str) {
        if let Some(inner) = &self.inner {
            let mut line = inner.lock().unwrap_or_else(PoisonError::into_inner);
            line.label = label.to_owned();
            line.status.clear();
            line.started = Instant::now();
            line.draw(true);
        }
    }

    /// Replaces the status text.
    pub fn status(&self, status: &str) {
        if let Some(inner) = &self.inner {
            let mut line = inner.lock().unwrap_or_else(PoisonError::into_inner);
            line.status = status.to_owned();
            line.draw(false);
        }
    }

    /// Erases the line (before printing results).
    pub fn clear(&self) {
        if let Some(inner) = &self.inner {
            let mut line = inner.lock().unwrap_or_else(PoisonError::into_inner);
            if line.drawn {
                eprint!("\r\x1b[2K");
                let _ = std::io::stderr().flush();
                line.drawn = false;
            }
        }
    }
}

impl Line {
    fn draw(&mut self, force: bool) {
        // At most ~20 redraws a second: cargo reports artifacts faster than anyone reads.
        let now = Instant::now();
        if !force
            && self
                .last_draw
                .is_some_and(|last| now - last < Duration::from_millis(50))
        {
            return;
        }
        self.last_draw = Some(now);
        let elapsed = self.started.elapsed().as_secs_f64();
        let mut text = format!("  {} {} {elapsed:.1}s", self.label, self.status);
        if let Some(width) = terminal_width() {
            text = text.chars().take(width.saturating_sub(1)).collect();
        }
        eprint!("\r\x1b[2K{text}");
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }
}

fn terminal_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills a winsize struct that we own; stderr is a terminal here.
    unsafe {
        let mut size: libc::winsize = std::mem::zeroed();
        if libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0 {
            Some(usize::from(size.ws_col))
        } else {
            None
        }
    }
}
