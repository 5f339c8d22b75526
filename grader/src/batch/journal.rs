//! The batch journal, `OUT/journal.jsonl`: one line per graded (student, exercise), appended and
//! flushed to disk (fsync) as each finishes, so a crash, a power cut or Ctrl-C loses at most the
//! submissions being graded at that moment. Re-running the same command reads it back and
//! grades only what is missing (or what changed since: each line records a digest of the
//! submitted files).
//!
//! A line cut short by a crash is dropped on reading, and cut off the file before anything is
//! appended, so the next line starts clean. Later lines win over earlier ones for the same
//! (student, exercise).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::results::ExerciseResult;

/// One graded (student, exercise).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    pub student: String,
    pub exercise: String,
    /// Digest of the files that were graded (`intake::Taken::digest`).
    pub digest: String,
    /// Wall time of grading it (intake, build, tests).
    pub duration_ms: u64,
    /// The whole result, the fields the JSON report leaves out included.
    #[serde(with = "whole_result")]
    pub result: ExerciseResult,
}

/// Stores an [`ExerciseResult`] with what its report serialisation skips (the title, the notes,
/// each test's output), so a resumed batch writes the same reports as an uninterrupted one.
mod whole_result {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::results::ExerciseResult;

    #[derive(Serialize)]
    struct Stored<'a> {
        #[serde(flatten)]
        result: &'a ExerciseResult,
        title: &'a str,
        notes: &'a [String],
        /// Each test's output, in the order of `result.tests`.
        outputs: Vec<&'a str>,
    }

    #[derive(Deserialize)]
    struct Restored {
        #[serde(flatten)]
        result: ExerciseResult,
        title: String,
        notes: Vec<String>,
        outputs: Vec<String>,
    }

    pub fn serialize<S: Serializer>(
        result: &ExerciseResult,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Stored {
            result,
            title: &result.title,
            notes: &result.notes,
            outputs: result.tests.iter().map(|t| t.output.as_str()).collect(),
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ExerciseResult, D::Error> {
        let Restored {
            mut result,
            title,
            notes,
            outputs,
        } = Restored::deserialize(deserializer)?;
        result.title = title;
        result.notes = notes;
        for (test, output) in result.tests.iter_mut().zip(outputs) {
            test.output = output;
        }
        Ok(result)
    }
}

/// The digest of the entry of a student who handed nothing in for an exercise (such entries
/// are never journaled: they are made again on each run).
pub const MISSING: &str = "missing";

/// Journaled entries by (student, exercise).
pub type Entries = BTreeMap<(String, String), Entry>;

/// The journal file, open for appending.
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens (or creates) the journal at `path`, returning it with the entries it already
    /// holds, keyed by (student, exercise). `fresh` starts it over.
    pub fn open(path: &Path, fresh: bool) -> Result<(Journal, Entries)> {
        let mut file = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .with_context(|| format!("can't open the journal {}", path.display()))?;
        let mut entries = BTreeMap::new();
        if fresh {
            file.set_len(0)
                .with_context(|| format!("can't empty {}", path.display()))?;
        } else {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .with_context(|| format!("can't read {}", path.display()))?;
            let complete = bytes
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |end| end + 1);
            for line in bytes[..complete].split(|&b| b == b'\n') {
                if let Ok(entry) = serde_json::from_slice::<Entry>(line) {
                    entries.insert((entry.student.clone(), entry.exercise.clone()), entry);
                }
            }
            if complete < bytes.len() {
                // A line cut short by a crash: drop it, so the next append starts a line.
                file.set_len(complete as u64)
                    .with_context(|| format!("can't repair {}", path.display()))?;
            }
        }
        file.seek(SeekFrom::End(0))
            .with_context(|| format!("can't seek in {}", path.display()))?;
        Ok((
            Journal {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            },
            entries,
        ))
    }

    /// Appends `entry` as one line and waits until it is on disk.
    pub fn append(&self, entry: &Entry) -> Result<()> {
        let mut line = serde_json::to_vec(entry).context("can't serialise a journal entry")?;
        line.push(b'\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .with_context(|| format!("can't append to the journal {}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ExerciseStatus, TestResult, TestStatus};

    fn entry(student: &str, score: f64) -> Entry {
        let mut test = TestResult::compile_failure(TestStatus::Fail, "a message".into(), 2.0);
        test.output = "what it printed".into();
        Entry {
            student: student.into(),
            exercise: "adder".into(),
            digest: "d".into(),
            duration_ms: 5,
            result: ExerciseResult {
                exercise: "adder".into(),
                status: ExerciseStatus::Pass,
                score,
                max_score: 2.0,
                tests: vec![test],
                title: "Adder".into(),
                notes: vec!["a note".into()],
            },
        }
    }

    #[test]
    fn entries_survive_reopening_and_later_lines_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (journal, entries) = Journal::open(&path, false).unwrap();
        assert!(entries.is_empty());
        journal.append(&entry("ann", 1.0)).unwrap();
        journal.append(&entry("ann", 2.0)).unwrap();
        journal.append(&entry("bob", 0.0)).unwrap();
        drop(journal);
        let (_, entries) = Journal::open(&path, false).unwrap();
        assert_eq!(entries.len(), 2);
        let ann = &entries[&("ann".to_owned(), "adder".to_owned())];
        assert_eq!(ann.result.score, 2.0);
        assert_eq!(ann.result.notes, vec!["a note".to_owned()]);
        assert_eq!(ann.result.title, "Adder");
        assert_eq!(ann.result.tests[0].output, "what it printed");
        assert_eq!(ann.result.tests[0].message, "a message");
    }

    #[test]
    fn a_line_cut_short_is_dropped_and_the_next_append_starts_clean() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (journal, _) = Journal::open(&path, false).unwrap();
        journal.append(&entry("ann", 1.0)).unwrap();
        drop(journal);
        let mut file = File::options().append(true).open(&path).unwrap();
        file.write_all(br#"{"student":"bob","exerc"#).unwrap();
        drop(file);
        let (journal, entries) = Journal::open(&path, false).unwrap();
        assert_eq!(entries.len(), 1);
        journal.append(&entry("cid", 1.0)).unwrap();
        drop(journal);
        let (_, entries) = Journal::open(&path, false).unwrap();
        let students: Vec<&str> = entries.keys().map(|(s, _)| s.as_str()).collect();
        assert_eq!(students, ["ann", "cid"]);
    }

    #[test]
    fn fresh_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (journal, _) = Journal::open(&path, false).unwrap();
        journal.append(&entry("ann", 1.0)).unwrap();
        drop(journal);
        let (_, entries) = Journal::open(&path, true).unwrap();
        assert!(entries.is_empty());
    }
}
