//! `batch merge OUT1 OUT2 … --output OUT`: the outputs of a class's shards (`--shard K/N`, see
//! `shard`) made into one, as if one machine had graded the class.
//!
//! Each output's `class.json` says which students it graded out of which roster, and its
//! `results.jsonl` holds their whole results (`output`). The merge checks that the outputs fit
//! together — the same exercises against the same hidden tests, every student of the class in
//! exactly one output, every student graded on every exercise — and refuses otherwise, naming
//! the students and the outputs concerned. It then writes the merged output with `output::write`,
//! the code a one-machine batch writes its own with: the gradebook, the students' reports and
//! the page come out the same but for the grading durations, which are each machine's own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::batch::gradebook::Row;
use crate::batch::journal::Entry;
use crate::batch::output::{self, Coverage};
use crate::batch::shard::Shard;

/// How many names an error message lists before "and N more".
const NAMED: usize = 12;

/// One output given to the merge.
struct Part {
    dir: PathBuf,
    coverage: Coverage,
    entries: Vec<Entry>,
}

impl Part {
    /// The output as the instructor named it, with its shard: "out-2 (shard 2/4)".
    fn describe(&self) -> String {
        match &self.coverage.shard {
            Some(shard) => format!("{} (shard {shard})", self.dir.display()),
            None => self.dir.display().to_string(),
        }
    }
}

/// Merges the batch outputs `dirs` into `out`; returns the merged gradebook's rows.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Vec<Row>> {
    if dirs.is_empty() {
        bail!("name the shards' outputs: `cargo grade batch merge OUT1 OUT2 … --output OUT`");
    }
    for dir in dirs {
        if same_folder(dir, out) {
            bail!(
                "the merged output {} is also one of the outputs to merge: write it to a new \
                 folder",
                out.display()
            );
        }
    }
    let parts: Vec<Part> = dirs
        .iter()
        .map(|dir| {
            let (coverage, entries) = output::read(dir)?;
            Ok(Part {
                dir: dir.clone(),
                coverage,
                entries,
            })
        })
        .collect::<Result<_>>()?;
    same_exercises(&parts)?;
    let students = one_output_each(&parts)?;
    every_grade_present(&parts)?;

    let first = &parts[0].coverage;
    let coverage = Coverage::new(
        None,
        students.clone(),
        students,
        first.exercises.clone(),
        first.hidden.clone(),
    );
    std::fs::create_dir_all(out).with_context(|| format!("can't create {}", out.display()))?;
    let entries: Vec<Entry> = parts.iter().flat_map(|p| p.entries.clone()).collect();
    let rows = output::write(out, &coverage, &entries)?;
    write_about(out, &parts, &coverage, rows.len())?;
    Ok(rows)
}

/// Whether `a` and `b` name the same folder (as far as can be told before `b` exists).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Every output graded the same exercises against the same hidden tests.
fn same_exercises(parts: &[Part]) -> Result<()> {
    let first = &parts[0];
    for part in &parts[1..] {
        if part.coverage.exercises != first.coverage.exercises {
            bail!(
                "{} graded {} but {} graded {}: grade every shard with the same --exercise \
                 options and the same repository",
                first.describe(),
                first.coverage.exercises.join(", "),
                part.describe(),
                part.coverage.exercises.join(", ")
            );
        }
        let differ: Vec<&str> = first
            .coverage
            .exercises
            .iter()
            .filter(|slug| first.coverage.hidden.get(*slug) != part.coverage.hidden.get(*slug))
            .map(String::as_str)
            .collect();
        if !differ.is_empty() {
            bail!(
                "{} and {} graded {} against different hidden tests: grade every shard from \
                 the same checkout (and the same --hidden folder)",
                first.describe(),
                part.describe(),
                differ.join(", ")
            );
        }
    }
    Ok(())
}

/// The class (every roster's students) when each of them is in exactly one output.
fn one_output_each(parts: &[Part]) -> Result<Vec<String>> {
    let shards: BTreeSet<usize> = parts
        .iter()
        .filter_map(|p| p.coverage.shard.as_ref())
        .filter_map(|s| s.parse::<Shard>().ok().map(Shard::count))
        .collect();
    if shards.len() > 1 {
        let described: Vec<String> = parts.iter().map(Part::describe).collect();
        bail!(
            "these outputs split the class in different numbers of shards ({}): merge the \
             outputs of one run, whose shards are 1/N … N/N",
            described.join(", ")
        );
    }
    let mut graded_in: BTreeMap<&str, Vec<&Part>> = BTreeMap::new();
    for part in parts {
        for student in &part.coverage.students {
            graded_in.entry(student).or_default().push(part);
        }
    }
    let twice: Vec<String> = graded_in
        .iter()
        .filter(|(_, parts)| parts.len() > 1)
        .map(|(student, parts)| {
            let places: Vec<String> = parts.iter().map(|p| p.describe()).collect();
            format!("{student} (in {})", places.join(" and "))
        })
        .collect();
    if !twice.is_empty() {
        bail!(
            "{} student(s) are graded in more than one output: {}. Give each shard's output \
             once, and only outputs of one run's shards",
            twice.len(),
            listed(&twice)
        );
    }
    let roster: BTreeSet<&str> = parts
        .iter()
        .flat_map(|p| p.coverage.roster.iter().map(String::as_str))
        .collect();
    let missing: Vec<&str> = roster
        .iter()
        .copied()
        .filter(|s| !graded_in.contains_key(s))
        .collect();
    if !missing.is_empty() {
        bail!("{}", missing_message(parts, &missing));
    }
    Ok(roster.into_iter().map(str::to_owned).collect())
}

/// Says which students no output grades, and which shard should have.
fn missing_message(parts: &[Part], missing: &[&str]) -> String {
    let mut by_shard: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for student in missing {
        // The shard that owns the student, by a roster that lists them (they all agree when
        // the shards read the same folder).
        let owner = parts.iter().find_map(|p| {
            let count = p.coverage.shard.as_ref()?.parse::<Shard>().ok()?.count();
            let position = p.coverage.roster.iter().position(|s| s == student)?;
            Some(Shard::of(position, count).to_string())
        });
        let key = owner.map_or_else(|| "no shard".to_owned(), |s| format!("shard {s}"));
        by_shard.entry(key).or_default().push((*student).to_owned());
    }
    let groups: Vec<String> = by_shard
        .iter()
        .map(|(shard, students)| format!("{} ({shard})", listed(students)))
        .collect();
    format!(
        "{} student(s) of the class are in no output: {}. Add the output of each shard named \
         (run `cargo grade batch DIR --shard K/N --output OUT` for one that is lost); if the \
         shards read different submission folders, grade them again from the same one",
        missing.len(),
        groups.join("; ")
    )
}

/// Every output holds one grade per (student, exercise) it covers, and nothing else.
fn every_grade_present(parts: &[Part]) -> Result<()> {
    for part in parts {
        let mut held: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for entry in &part.entries {
            *held.entry((&entry.student, &entry.exercise)).or_default() += 1;
        }
        let mut ungraded = Vec::new();
        for student in &part.coverage.students {
            for slug in &part.coverage.exercises {
                if held.remove(&(student.as_str(), slug.as_str())) != Some(1) {
                    ungraded.push(format!("{student} {slug}"));
                }
            }
        }
        if !ungraded.is_empty() {
            bail!(
                "{} did not finish: it holds no grade (or more than one) for {}. Run its batch \
                 command again (it goes on where it stopped), then merge",
                part.describe(),
                listed(&ungraded)
            );
        }
        if let Some(((student, slug), _)) = held.into_iter().next() {
            bail!(
                "{}'s results.jsonl holds a grade of {student} for {slug}, whom its class.json \
                 doesn't list: the output was changed by hand; grade that shard again",
                part.describe()
            );
        }
    }
    Ok(())
}

/// `names` joined with commas, the first [`NAMED`] of them and how many more.
fn listed(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMED {
        text.push_str(&format!(" and {} more", names.len() - NAMED));
    }
    text
}

/// `OUT/batch.json` of a merge: what was merged from where.
fn write_about(out: &Path, parts: &[Part], coverage: &Coverage, rows: usize) -> Result<()> {
    let merged_from: Vec<serde_json::Value> = parts
        .iter()
        .map(|p| {
            json!({
                "output": p.dir,
                "shard": p.coverage.shard,
                "students": p.coverage.students.len(),
            })
        })
        .collect();
    let about = json!({
        "merged_from": merged_from,
        "students": coverage.students.len(),
        "exercises": coverage.exercises,
        "rows": rows,
    });
    let path = out.join("batch.json");
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&about).unwrap_or_default()
    );
    crate::files::write_atomically(&path, text.as_bytes())
        .with_context(|| format!("can't write {}", path.display()))
}
