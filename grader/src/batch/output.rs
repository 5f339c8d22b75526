//! Everything a batch leaves in OUT, written in one place for `batch` and `batch merge`, so a
//! merged output is made by the same code, from the same entries, as a one-machine one:
//!
//! ```text
//! OUT/gradebook.csv, .json     the gradebook (`gradebook`)
//! OUT/students/<name>.json|txt each student's report (`gradebook`)
//! OUT/gradebook.html           the page for the instructor (`overview`)
//! OUT/class.json               what this output covers: the shard, the whole roster, the
//!                              students graded here, the exercises and their hidden tests
//! OUT/results.jsonl            every result in the gradebook, whole (the journal's line format)
//! ```
//!
//! `class.json` and `results.jsonl` are what `batch merge` reads. The journal is not: it is a
//! log for resuming, and may hold grades of files since changed or exercises not selected.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::batch::gradebook::{self, Row};
use crate::batch::journal::Entry;
use crate::batch::overview;
use crate::files::write_atomically;

/// The version of `class.json` and `results.jsonl` this grader writes and reads.
const FORMAT: u32 = 1;

/// `OUT/class.json`: which part of which class an output holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// `K/N` when the output is one shard of a class; none for a whole class (or a merge).
    pub shard: Option<String>,
    /// Every student of the class (the submissions folder's student folders), sorted.
    pub roster: Vec<String>,
    /// The students graded in this output, sorted: the shard's slice of `roster`.
    pub students: Vec<String>,
    /// The exercises graded, in learning-path order.
    pub exercises: Vec<String>,
    /// Each exercise's hidden tests, as a digest (`maximum::hidden_digest`): outputs graded
    /// against different tests are not merged.
    pub hidden: BTreeMap<String, String>,
}

/// Writes the gradebook, the students' reports, the page, `class.json` and `results.jsonl`
/// for `entries` (the graded students' entries, every selected exercise each), and returns the
/// gradebook's rows.
pub fn write(out: &Path, coverage: &Coverage, entries: &[Entry]) -> Result<Vec<Row>> {
    let order = &coverage.exercises;
    let rows = gradebook::rows(entries, order);
    let names = report_names(&coverage.roster);
    gradebook::write(out, &rows)?;
    gradebook::write_student_reports(out, entries, order, &names)?;
    overview::write(out, entries, order, &names)?;

    let mut sorted: Vec<&Entry> = entries.iter().collect();
    let position = |slug: &str| order.iter().position(|s| s == slug);
    sorted.sort_by(|a, b| {
        (&a.student, position(&a.exercise)).cmp(&(&b.student, position(&b.exercise)))
    });
    let mut lines = Vec::new();
    for entry in sorted {
        serde_json::to_writer(&mut lines, entry).context("can't serialise a result")?;
        lines.push(b'\n');
    }
    let path = out.join("results.jsonl");
    write_atomically(&path, &lines).with_context(|| format!("can't write {}", path.display()))?;
    let mut json = serde_json::to_string_pretty(coverage).context("can't serialise class.json")?;
    json.push('\n');
    let path = out.join("class.json");
    write_atomically(&path, json.as_bytes())
        .with_context(|| format!("can't write {}", path.display()))?;
    Ok(rows)
}

/// Reads what [`write`] wrote into `out`.
pub fn read(out: &Path) -> Result<(Coverage, Vec<Entry>)> {
    let path = out.join("class.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "{} is not the output of a batch (it has no class.json): give the folders that \
             `cargo grade batch DIR --shard K/N --output OUT` wrote",
            out.display()
        ),
        Err(error) => return Err(error).with_context(|| format!("can't read {}", path.display())),
    };
    let coverage: Coverage = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a batch's class.json", path.display()))?;
    if coverage.format != FORMAT {
        bail!(
            "{} was written by another version of the grader (format {}, this one reads {FORMAT}): \
             grade every shard with the same grader",
            path.display(),
            coverage.format
        );
    }
    let path = out.join("results.jsonl");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("can't read {}", path.display()))?;
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let entry: Entry = serde_json::from_str(line).with_context(|| {
            format!("line {} of {} is not a result", number + 1, path.display())
        })?;
        entries.push(entry);
    }
    Ok((coverage, entries))
}

/// Report file names for every student of `roster`: [`gradebook::file_name`], made unique
/// when two names sanitise alike. Computed over the whole class, so each shard names a
/// student's report as a one-machine batch would.
pub fn report_names(roster: &[String]) -> BTreeMap<String, String> {
    let mut sorted: Vec<&String> = roster.iter().collect();
    sorted.sort();
    let mut names = BTreeMap::new();
    let mut used = std::collections::BTreeSet::new();
    for student in sorted {
        let base = gradebook::file_name(student);
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        names.insert(student.clone(), name);
    }
    names
}

impl Coverage {
    /// The coverage of `students` of the class `roster` (both sorted here), graded on
    /// `exercises` whose hidden tests have the digests `hidden`.
    pub fn new(
        shard: Option<String>,
        mut roster: Vec<String>,
        mut students: Vec<String>,
        exercises: Vec<String>,
        hidden: BTreeMap<String, String>,
    ) -> Coverage {
        roster.sort();
        students.sort();
        Coverage {
            format: FORMAT,
            shard,
            roster,
            students,
            exercises,
            hidden,
        }
    }
}
