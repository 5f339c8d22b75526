//! How `watch` learns that the learner saved a file: the system's file events (notify), or,
//! where those don't arrive — network file systems, some containers, WSL's mounts of Windows
//! folders — polling the editable files' digests ([`Poller`]).
//!
//! Events can fail silently: the watch starts, and nothing ever comes. So a [`Probe`] writes a
//! file of its own in the watched folder at start and waits (up to [`PROBE_GRACE`]) for its
//! event; when none comes, `watch` polls instead and says so. `--poll` skips events altogether.
//! Either way every change arrives as a path through one callback, so `watch` doesn't care which.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::files::Digest;

/// How often the poller reads the files: quick enough to feel like a save's reaction, rare
/// enough that reading a few small files costs nothing.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How long the probe's event may take to arrive before we decide events don't work. Events
/// come within milliseconds where they work; this is far above that on a busy machine.
pub const PROBE_GRACE: Duration = Duration::from_secs(3);

/// What to call with each changed path (from a watcher's or the poller's thread).
pub type OnChange = Arc<dyn Fn(PathBuf) + Send + Sync>;

/// File events on `dir` (recursive): content changes, creations, removals and renames go to
/// `on_change`, except the probe's own file, whose events only tell the `probe` they arrive.
pub fn watch_events(
    dir: &Path,
    on_change: OnChange,
    probe: Option<&Probe>,
) -> notify::Result<notify::RecommendedWatcher> {
    let probe_path = probe.map(|p| p.path.clone());
    let probe_seen = probe.map(|p| Arc::clone(&p.seen));
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else {
            return;
        };
        if !matches!(
            event.kind,
            EventKind::Modify(_) | EventKind::Create(_) | EventKind::Remove(_)
        ) {
            return;
        }
        for path in event.paths {
            if probe_path.as_ref().is_some_and(|probe| *probe == path) {
                if let Some(seen) = &probe_seen {
                    seen.store(true, Ordering::SeqCst);
                }
            } else {
                on_change(path);
            }
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// A file written in the watched folder to find out whether its event arrives; removed when
/// dropped.
pub struct Probe {
    path: PathBuf,
    seen: Arc<AtomicBool>,
    written: Option<Instant>,
}

impl Probe {
    /// A probe for `dir` (nothing written yet: start the watcher first, then [`Probe::write`]).
    pub fn new(dir: &Path) -> Probe {
        Probe {
            path: dir.join(format!(".tasklings-watch-probe-{}", std::process::id())),
            seen: Arc::new(AtomicBool::new(false)),
            written: None,
        }
    }

    /// Writes the probe file. Where it can't be written (a read-only folder), there is nothing
    /// to learn, and the probe counts as seen.
    pub fn write(&mut self) {
        if std::fs::write(&self.path, b"tasklings watch: do file events arrive here?").is_err() {
            self.seen.store(true, Ordering::SeqCst);
        }
        self.written = Some(Instant::now());
    }

    /// True when the probe's event arrived, waiting for it until `grace` after it was written.
    pub fn arrived_within(&self, grace: Duration) -> bool {
        let deadline = self.written.unwrap_or_else(Instant::now) + grace;
        while !self.seen.load(Ordering::SeqCst) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if self.written.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Reads `files` every [`POLL_INTERVAL`] on a thread of its own and reports each one whose
/// digest changed (or which appeared or disappeared). Stops when dropped.
pub struct Poller {
    stop: Arc<AtomicBool>,
}

impl Poller {
    /// Starts polling; `None` when no thread can be started.
    pub fn start(files: Vec<PathBuf>, on_change: OnChange) -> Option<Poller> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let mut last: Vec<Option<String>> = files.iter().map(|f| digest(f)).collect();
        std::thread::Builder::new()
            .name("watch-poll".into())
            .spawn(move || {
                while !stopped.load(Ordering::SeqCst) {
                    std::thread::sleep(POLL_INTERVAL);
                    for (file, last) in files.iter().zip(last.iter_mut()) {
                        let now = digest(file);
                        if now != *last {
                            *last = now;
                            on_change(file.clone());
                        }
                    }
                }
            })
            .ok()?;
        Some(Poller { stop })
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The digest of a file's content, `None` when it can't be read (not there).
fn digest(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let mut digest = Digest::new();
    digest.write(&bytes);
    Some(digest.hex())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A callback that sends each path to a channel.
    fn channel() -> (OnChange, mpsc::Receiver<PathBuf>) {
        let (sender, paths) = mpsc::channel();
        let on_change: OnChange = Arc::new(move |path| {
            let _ = sender.send(path);
        });
        (on_change, paths)
    }

    /// Only stops a broken test from hanging; never reached when things work.
    const LIMIT: Duration = Duration::from_secs(120);

    #[test]
    fn the_poller_reports_a_changed_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let (watched, other) = (dir.path().join("lib.rs"), dir.path().join("other.rs"));
        std::fs::write(&watched, "old").unwrap();
        let (on_change, paths) = channel();
        let _poller = Poller::start(vec![watched.clone()], on_change).unwrap();
        std::fs::write(&other, "not watched").unwrap();
        std::fs::write(&watched, "new").unwrap();
        assert_eq!(paths.recv_timeout(LIMIT).unwrap(), watched);
        std::fs::remove_file(&watched).unwrap();
        assert_eq!(paths.recv_timeout(LIMIT).unwrap(), watched);
    }

    #[test]
    fn a_probe_in_the_watched_folder_is_seen_and_not_reported_as_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let dir = std::fs::canonicalize(dir.path()).unwrap();
        let (on_change, paths) = channel();
        let mut probe = Probe::new(&dir);
        let _watcher = watch_events(&dir, on_change, Some(&probe)).unwrap();
        probe.write();
        assert!(probe.arrived_within(LIMIT));
        drop(probe);
        assert!(
            std::fs::read_dir(&dir).unwrap().next().is_none(),
            "probe removed"
        );
        // The probe's own events (written, removed) are not changes of the learner's.
        std::fs::write(dir.join("lib.rs"), "x").unwrap();
        let first = paths.recv_timeout(LIMIT).unwrap();
        assert_eq!(first, dir.join("lib.rs"));
    }

    #[test]
    fn a_probe_whose_event_never_comes_is_not_seen() {
        // The watcher watches one folder and the probe is written in another: its events really
        // don't arrive, as on a file system that sends none.
        let (watched, elsewhere) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (on_change, _paths) = channel();
        let mut probe = Probe::new(elsewhere.path());
        let _watcher = watch_events(watched.path(), on_change, Some(&probe)).unwrap();
        probe.write();
        assert!(!probe.arrived_within(Duration::from_millis(300)));
    }
}
