//! The one-line progress display on stderr while the grader builds and runs ("building: runtime
//! (12 crates)", "running tests: 4 of 9"), redrawn in place with a spinner and the elapsed time by
//! a ticker thread (so it moves while cargo compiles one long crate). Shown only when stderr is a
//! terminal; otherwise silent, so logs and `--format json` stay clean.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError, Weak};
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
    /// Whether the line is shown (between `start` and `clear`).
    active: bool,
    drawn: bool,
    frame: usize,
}

/// The spinner's frames, one per tick.
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
/// How often the ticker redraws.
const TICK: Duration = Duration::from_millis(120);

impl Progress {
    /// Draws on stderr when it is a terminal.
    pub fn on_stderr() -> Progress {
        if std::io::stderr().is_terminal() {
            let line = Arc::new(Mutex::new(Line {
                label: String::new(),
                status: String::new(),
                started: Instant::now(),
                active: false,
                drawn: false,
                frame: 0,
            }));
            start_ticker(Arc::downgrade(&line));
            Progress { inner: Some(line) }
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
            line.active = true;
            line.draw();
        }
    }

    /// Replaces the status text.
    pub fn status(&self, status: &str) {
        if let Some(inner) = &self.inner {
            let mut line = inner.lock().unwrap_or_else(PoisonError::into_inner);
            // Drawn by the next tick: cargo reports artifacts faster than anyone reads.
            line.status = status.to_owned();
        }
    }

    /// Erases the line (before printing results).
    pub fn clear(&self) {
        if let Some(inner) = &self.inner {
            let mut line = inner.lock().unwrap_or_else(PoisonError::into_inner);
            line.active = false;
            if line.drawn {
                eprint!("\r\x1b[2K");
                let _ = std::io::stderr().flush();
                line.drawn = false;
            }
        }
    }
}

impl Line {
    fn draw(&mut self) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let spinner = FRAMES[self.frame % FRAMES.len()];
        let mut text = format!("{spinner} {} {} {elapsed:.1}s", self.label, self.status);
        if let Some(width) = terminal_width() {
            text = text.chars().take(width.saturating_sub(1)).collect();
        }
        eprint!("\r\x1b[2K{text}");
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }
}

/// Redraws the line every [`TICK`] while it is active; ends when the `Progress` is dropped.
fn start_ticker(line: Weak<Mutex<Line>>) {
    let _ticker = std::thread::Builder::new()
        .name("progress".into())
        .spawn(move || loop {
            std::thread::sleep(TICK);
            let Some(line) = line.upgrade() else {
                return;
            };
            let mut line = line.lock().unwrap_or_else(PoisonError::into_inner);
            if line.active {
                line.frame += 1;
                line.draw();
            }
        });
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
