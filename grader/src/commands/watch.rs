//! `grader watch [SLUG]`: re-grade the current exercise on every save, like rustlings' watch mode.
//!
//! Threads feed one channel of [`Event`]s: the file changes (`changes`: notify's events on
//! `exercises/`, or polling the editable files), a key reader on stdin, and the main loop's own
//! timeouts. The main loop grades, prints, then waits:
//!
//! * a change under the current exercise's folder starts a new check once the files have been
//!   quiet for [`DEBOUNCE`] (an editor's save is often several events);
//! * changes that arrive *during* a check are dropped afterwards (the check already saw them, or
//!   the next save will trigger another);
//! * keys: `h` next hint, `n` next exercise (once this one passes), `r` re-grade now, `v` the
//!   last report with every failure in full, `l` the learning path, `q` quit (Ctrl-C works too).
//!
//! The report fits one screen (`report::human::Detail::OneScreen`) unless `--verbose`.
//!
//! Where file events can't start, or a probe finds that they don't arrive (some network, WSL or
//! container file systems), watch polls the files instead, and with `--poll` from the start;
//! with `--manual`, only `r` re-grades. Whatever it does, it says so under the keys — the
//! fallback rustlings users asked to be told about.

use std::collections::VecDeque;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::Args;

use crate::changes::{self, OnChange, Poller, Probe};
use crate::commands::{hint, list, Common, Outcome};
use crate::grading::{self, GradeOptions};
use crate::interrupt;
use crate::progress::Progress;
use crate::repo::Repo;
use crate::report::human;
use crate::report::Format;
use crate::results::Report;
use crate::scratch::Source;
use crate::state;
use crate::style::Style;

/// `grader watch`'s arguments.
#[derive(Clone, Debug, Args)]
pub struct WatchArgs {
    /// The exercise to start with (default: the first one that doesn't pass yet).
    pub slug: Option<String>,
    /// Run only correctness tests: faster feedback.
    #[arg(long)]
    pub skip_timing: bool,
    /// Don't watch files; re-grade only when you press r.
    #[arg(long, conflicts_with = "poll")]
    pub manual: bool,
    /// Read the editable files for changes every half second instead of waiting for the
    /// system's file events (for network, WSL or container file systems that send none; watch
    /// also switches by itself when it finds that none arrive).
    #[arg(long)]
    pub poll: bool,
    /// Show every failure in full (by default the report fits a screen; v shows the last one in
    /// full).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Run every Tasklings runtime deterministically with this seed (as `run --seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// Quiet time after the last file event before a check starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What wakes the main loop.
enum Event {
    /// A file changed at this path.
    Changed(PathBuf),
    /// A key was pressed.
    Key(u8),
    /// Stdin is closed: no more keys will come.
    InputClosed,
}

/// What the main loop does after an event.
enum Next {
    /// Grade (the same exercise, or the one just switched to).
    Check,
    /// Keep waiting.
    Wait,
    /// Leave watch mode.
    Quit,
}

/// Watches until the learner quits.
pub fn run(repo: &Repo, common: &Common, args: WatchArgs) -> Result<Outcome> {
    if common.format != Format::Human || common.output.is_some() {
        bail!("`watch` is interactive: it prints for people, without --format or --output");
    }
    let Some(mut slug) = starting_exercise(repo, args.slug.clone())? else {
        println!("Every exercise passes. Well done! (`cargo grade watch SLUG` re-opens one.)");
        return Ok(Outcome::Success);
    };
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing: args.skip_timing,
        seed: args.seed,
        ..GradeOptions::default()
    };
    let detail = if args.verbose {
        human::Detail::Full
    } else {
        human::Detail::OneScreen {
            everything: "press v to see them in full".to_owned(),
        }
    };
    let style = Style::stdout();
    let (sender, events) = mpsc::channel();
    let _terminal = crate::terminal::KeyPresses::enter();
    start_key_reader(sender.clone());
    let mut changes = Changes::start(repo, &args, sender);

    let mut pending_keys: VecDeque<u8> = VecDeque::new();
    loop {
        let shown = check(repo, &slug, &options, style, &detail)?;
        if interrupt::requested() {
            return Ok(Outcome::Success);
        }
        changes.settle(repo);
        print_keys(repo, &slug, style, &changes.notice);
        // Changes made while the check ran are not a reason for another one.
        drain_changes(&events, &mut pending_keys);
        if !wait_for_reason(repo, &events, &mut pending_keys, &mut slug, shown.as_ref())? {
            return Ok(Outcome::Success);
        }
    }
}

/// Waits for a reason to check again: a change in the exercise, `r`, or `n` to the next one.
/// False when the learner quits.
fn wait_for_reason(
    repo: &Repo,
    events: &Receiver<Event>,
    pending_keys: &mut VecDeque<u8>,
    slug: &mut String,
    shown: Option<&Shown>,
) -> Result<bool> {
    let style = Style::stdout();
    loop {
        let event = match pending_keys.pop_front() {
            Some(key) => Event::Key(key),
            None => match events.recv_timeout(Duration::from_millis(200)) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) if interrupt::requested() => return Ok(false),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
            },
        };
        let next = match event {
            Event::Changed(path) if is_in_exercise(repo, slug, &path) => {
                debounce(events, pending_keys);
                Next::Check
            }
            Event::Changed(_) | Event::InputClosed => Next::Wait,
            Event::Key(key) if key.eq_ignore_ascii_case(&b'v') => {
                show_in_full(shown, style);
                Next::Wait
            }
            Event::Key(key) => on_key(repo, key, slug, style)?,
        };
        match next {
            Next::Check => return Ok(true),
            Next::Wait => {}
            Next::Quit => return Ok(false),
        }
    }
}

/// The last report again, every failure in full.
fn show_in_full(shown: Option<&Shown>, style: Style) {
    if let Some(shown) = shown {
        println!();
        print!("{}", human::render(&shown.report, style, &shown.guidance));
        flush();
    }
}

/// Where file changes come from, and what the learner should be told about it.
struct Changes {
    /// The file events, while they are used (held: dropping it stops them).
    _watcher: Option<notify::RecommendedWatcher>,
    /// The poller, once polling (held: dropping it stops the thread).
    _poller: Option<Poller>,
    /// Waiting to learn whether file events arrive (until the first check has been shown).
    probe: Option<Probe>,
    on_change: OnChange,
    files: Vec<PathBuf>,
    notice: String,
}

impl Changes {
    /// File events (with a probe to check they arrive), polling with `--poll` or when events
    /// can't start, or nothing with `--manual`.
    fn start(repo: &Repo, args: &WatchArgs, sender: Sender<Event>) -> Changes {
        let on_change: OnChange = Arc::new(move |path| {
            let _ = sender.send(Event::Changed(path));
        });
        let dir = repo.exercises_dir();
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let mut changes = Changes {
            _watcher: None,
            _poller: None,
            probe: None,
            files: editable_files(repo, &dir),
            on_change,
            notice: String::new(),
        };
        if args.manual {
            changes.notice = "manual mode: press r to re-grade".to_owned();
        } else if args.poll {
            changes.poll("--poll: watch reads your files for changes every half second");
        } else {
            let mut probe = Probe::new(&dir);
            match changes::watch_events(&dir, Arc::clone(&changes.on_change), Some(&probe)) {
                Ok(watcher) => {
                    probe.write();
                    changes._watcher = Some(watcher);
                    changes.probe = Some(probe);
                }
                Err(error) => changes.poll(&format!(
                    "file watching doesn't work here ({error}), so watch reads your files for \
                     changes every half second"
                )),
            }
        }
        changes
    }

    /// Once: when the probe's event didn't arrive, polls instead of waiting for events.
    fn settle(&mut self, repo: &Repo) {
        let Some(probe) = self.probe.take() else {
            return;
        };
        if !probe.arrived_within(changes::PROBE_GRACE) {
            self._watcher = None;
            self.poll(&format!(
                "file events don't arrive from {} (a network, WSL or container file system?), \
                 so watch reads your files for changes every half second instead",
                repo.relative(&repo.exercises_dir()).display()
            ));
        }
    }

    fn poll(&mut self, notice: &str) {
        self._poller = Poller::start(self.files.clone(), Arc::clone(&self.on_change));
        self.notice = if self._poller.is_some() {
            notice.to_owned()
        } else {
            "can't watch your files here: press r to re-grade after saving".to_owned()
        };
    }
}

/// Every exercise's editable files under `dir` (the exercises folder as file events name it),
/// so that polling follows `n` to the next exercise.
fn editable_files(repo: &Repo, dir: &Path) -> Vec<PathBuf> {
    let exercises = repo.exercises().unwrap_or_default();
    exercises
        .iter()
        .filter_map(|e| Some((e, e.manifest.as_ref().ok()?)))
        .flat_map(|(e, manifest)| manifest.editable.iter().map(|f| dir.join(&e.slug).join(f)))
        .collect()
}

/// The exercise named, or the learner's current one (`None`: every exercise passes).
fn starting_exercise(repo: &Repo, slug: Option<String>) -> Result<Option<String>> {
    Ok(match slug {
        Some(slug) => Some(repo.exercise(&slug)?.slug),
        None => state::load(repo)
            .current(&repo.exercises()?)
            .map(|e| e.slug.clone()),
    })
}

/// What a key press does: h hint, l list, n next exercise, r re-grade, q quit.
fn on_key(repo: &Repo, key: u8, slug: &mut String, style: Style) -> Result<Next> {
    match key.to_ascii_lowercase() {
        b'q' => Ok(Next::Quit),
        b'r' => Ok(Next::Check),
        b'h' => {
            let exercise = repo.exercise(slug)?;
            print!("\n{}", hint::reveal_next(repo, &exercise, style)?);
            flush();
            Ok(Next::Wait)
        }
        b'l' => {
            println!();
            let common = Common {
                format: Format::Human,
                output: None,
                hidden: None,
            };
            let _listed = list::run(repo, &common)?;
            Ok(Next::Wait)
        }
        b'n' => next_exercise(repo, slug),
        _ => Ok(Next::Wait),
    }
}

/// Moves on to the next exercise once this one passes.
fn next_exercise(repo: &Repo, slug: &mut String) -> Result<Next> {
    let state = state::load(repo);
    if !state.passes(slug) {
        println!(
            "\n`{slug}` doesn't pass yet: finish it first (or start `cargo grade watch \
             OTHER-SLUG` to jump ahead)."
        );
        flush();
        return Ok(Next::Wait);
    }
    match state.current(&repo.exercises()?) {
        Some(next) => {
            *slug = next.slug.clone();
            Ok(Next::Check)
        }
        None => {
            println!("\nEvery exercise passes. Well done! Press q to quit.");
            flush();
            Ok(Next::Wait)
        }
    }
}

/// A report on the screen, kept for `v`.
struct Shown {
    report: Report,
    guidance: human::Guidance,
}

/// Grades `slug` and prints the result (on a fresh screen when stdout is a terminal).
fn check(
    repo: &Repo,
    slug: &str,
    options: &GradeOptions,
    style: Style,
    detail: &human::Detail,
) -> Result<Option<Shown>> {
    if std::io::stdout().is_terminal() {
        print!("\x1b[2J\x1b[H");
    }
    println!("Checking `{slug}`…");
    flush();
    let exercise = repo.exercise(slug)?;
    let started = Instant::now();
    let progress = Progress::on_stderr();
    let graded = grading::grade(repo, &exercise, &Source::Learner, options, &progress);
    progress.clear();
    let result = match graded {
        Ok(result) => result,
        Err(_) if interrupt::requested() => return Ok(None),
        Err(error) => {
            // Keep watching: the learner may fix whatever this was (a deleted file, say).
            println!("{} {error:#}", style.fail("error:"));
            return Ok(None);
        }
    };
    let report = Report::new(vec![result], started.elapsed().as_secs_f64());
    let state = state::update(repo, |state| state.record(&report.exercises[0]))?;
    let exercises = repo.exercises()?;
    let (guidance, revealed) =
        crate::guidance::for_learner(repo, &report, &exercises, &state, true);
    crate::guidance::record_revealed(repo, revealed)?;
    print!("{}", human::render_with(&report, style, &guidance, detail));
    flush();
    Ok(Some(Shown { report, guidance }))
}

fn print_keys(repo: &Repo, slug: &str, style: Style, notice: &str) {
    let keys = style.dim("h hint · n next · r re-grade · v all · l list · q quit");
    println!(
        "\nWatching {} for changes. {keys}",
        repo.relative(&repo.exercise_dir(slug)).display()
    );
    if !notice.is_empty() {
        println!("{} {notice}", style.warn("note:"));
    }
    flush();
}

/// Waits until no file event has arrived for [`DEBOUNCE`]; keys pressed meanwhile are kept.
fn debounce(events: &Receiver<Event>, keys: &mut VecDeque<u8>) {
    let mut quiet_until = Instant::now() + DEBOUNCE;
    loop {
        let left = quiet_until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        match events.recv_timeout(left) {
            Ok(Event::Changed(_)) => quiet_until = Instant::now() + DEBOUNCE,
            Ok(Event::Key(key)) => keys.push_back(key),
            Ok(Event::InputClosed) => {}
            Err(_) => return,
        }
    }
}

/// Drops the file events that are waiting; keeps keys.
fn drain_changes(events: &Receiver<Event>, keys: &mut VecDeque<u8>) {
    while let Ok(event) = events.try_recv() {
        if let Event::Key(key) = event {
            keys.push_back(key);
        }
    }
}

fn is_in_exercise(repo: &Repo, slug: &str, path: &Path) -> bool {
    let dir = repo.exercise_dir(slug);
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    path.strip_prefix(&dir)
        .is_ok_and(|rest| !rest.starts_with("target"))
}

/// Reads keys from stdin on a thread of its own. `q` also asks a running check to stop.
fn start_key_reader(sender: Sender<Event>) {
    let spawned = std::thread::Builder::new()
        .name("watch-keys".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut byte = [0u8; 1];
            loop {
                match stdin.read(&mut byte) {
                    Ok(0) | Err(_) => {
                        let _ = sender.send(Event::InputClosed);
                        return;
                    }
                    Ok(_) => {
                        if byte[0].eq_ignore_ascii_case(&b'q') {
                            interrupt::request();
                        }
                        if sender.send(Event::Key(byte[0])).is_err() {
                            return;
                        }
                    }
                }
            }
        });
    if spawned.is_err() {
        eprintln!("warning: can't read keys; press Ctrl-C to quit");
    }
}

fn flush() {
    let _ = std::io::stdout().flush();
}
