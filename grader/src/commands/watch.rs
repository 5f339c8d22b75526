//! `grader watch [SLUG]`: re-grade the current exercise on every save, like rustlings' watch mode.
//!
//! Three threads feed one channel of [`Event`]s: a file watcher (notify) on `exercises/`, a key
//! reader on stdin, and the main loop's own timeouts. The main loop grades, prints, then waits:
//!
//! * a change under the current exercise's folder starts a new check once the files have been
//!   quiet for [`DEBOUNCE`] (an editor's save is often several events);
//! * changes that arrive *during* a check are dropped afterwards (the check already saw them, or
//!   the next save will trigger another);
//! * keys: `h` next hint, `n` next exercise (once this one passes), `r` re-grade now, `l` the
//!   learning path, `q` quit (Ctrl-C works too).
//!
//! When file watching can't start (some network or WSL file systems), or with `--manual`, only
//! `r` re-grades — the fallback rustlings users asked to be told about, so we say so.

use std::collections::VecDeque;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use notify::{EventKind, RecursiveMode, Watcher};

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

pub fn run(
    repo: &Repo,
    common: &Common,
    slug: Option<String>,
    (skip_timing, seed): (bool, Option<u64>),
    manual: bool,
) -> Result<Outcome> {
    if common.format != Format::Human || common.output.is_some() {
        bail!("`watch` is interactive: it prints for people, without --format or --output");
    }
    let Some(mut slug) = starting_exercise(repo, slug)? else {
        println!("Every exercise passes. Well done! (`cargo grade watch SLUG` re-opens one.)");
        return Ok(Outcome::Success);
    };
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing,
        seed,
        ..GradeOptions::default()
    };
    let style = Style::stdout();
    let (sender, events) = mpsc::channel();
    let _terminal = crate::terminal::KeyPresses::enter();
    start_key_reader(sender.clone());
    let (_watcher, notice) = start_file_watcher(repo, manual, sender);

    let mut pending_keys: VecDeque<u8> = VecDeque::new();
    loop {
        check(repo, &slug, &options, style)?;
        if interrupt::requested() {
            return Ok(Outcome::Success);
        }
        print_keys(repo, &slug, style, &notice);
        // Changes made while the check ran are not a reason for another one.
        drain_changes(&events, &mut pending_keys);
        // Wait for a reason to check again.
        loop {
            let event = match pending_keys.pop_front() {
                Some(key) => Event::Key(key),
                None => match events.recv_timeout(Duration::from_millis(200)) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) if interrupt::requested() => {
                        return Ok(Outcome::Success)
                    }
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return Ok(Outcome::Success),
                },
            };
            let next = match event {
                Event::Changed(path) if is_in_exercise(repo, &slug, &path) => {
                    debounce(&events, &mut pending_keys);
                    Next::Check
                }
                Event::Changed(_) | Event::InputClosed => Next::Wait,
                Event::Key(key) => on_key(repo, key, &mut slug, style)?,
            };
            match next {
                Next::Check => break,
                Next::Wait => {}
                Next::Quit => return Ok(Outcome::Success),
            }
        }
    }
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

/// The file watcher, unless `manual` or it can't start here; the notice that says so.
fn start_file_watcher(
    repo: &Repo,
    manual: bool,
    sender: Sender<Event>,
) -> (Option<notify::RecommendedWatcher>, String) {
    if manual {
        return (None, "manual mode: press r to re-grade".to_owned());
    }
    match watch_files(&repo.exercises_dir(), sender) {
        Ok(watcher) => (Some(watcher), String::new()),
        Err(error) => (
            None,
            format!(
                "file watching doesn't work here ({error}), so press r to re-grade after saving \
                 (or start with `cargo grade watch --manual`)"
            ),
        ),
    }
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

/// Grades `slug` and prints the result (on a fresh screen when stdout is a terminal).
fn check(repo: &Repo, slug: &str, options: &GradeOptions, style: Style) -> Result<()> {
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
        Err(_) if interrupt::requested() => return Ok(()),
        Err(error) => {
            // Keep watching: the learner may fix whatever this was (a deleted file, say).
            println!("{} {error:#}", style.fail("error:"));
            return Ok(());
        }
    };
    let report = Report::new(vec![result], started.elapsed().as_secs_f64());
    let state = state::update(repo, |state| state.record(&report.exercises[0]))?;
    let exercises = repo.exercises()?;
    let (guidance, revealed) =
        crate::guidance::for_learner(repo, &report, &exercises, &state, true);
    crate::guidance::record_revealed(repo, revealed)?;
    print!("{}", human::render(&report, style, &guidance));
    flush();
    Ok(())
}

fn print_keys(repo: &Repo, slug: &str, style: Style, notice: &str) {
    let keys = style.dim("h hint · n next · r re-grade · l list · q quit");
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

/// Watches `dir` recursively; content changes, creations, removals and renames become events.
fn watch_files(dir: &Path, sender: Sender<Event>) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else {
            return;
        };
        if matches!(
            event.kind,
            EventKind::Modify(_) | EventKind::Create(_) | EventKind::Remove(_)
        ) {
            for path in event.paths {
                let _ = sender.send(Event::Changed(path));
            }
        }
    })?;
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    watcher.watch(&dir, RecursiveMode::Recursive)?;
    Ok(watcher)
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
