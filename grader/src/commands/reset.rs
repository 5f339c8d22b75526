//! `grader reset SLUG` and `grader reset --all`: put exercises back as they shipped, from their
//! pristine copies (`starters`), after the learner confirms — keeping the learner's files as a
//! backup under `.tasklings/backups/<when>/<slug>/`, which the reset names. `.tasklings/` is
//! where the learner's progress lives; unlike `target/`, `cargo clean` leaves it alone.
//!
//! The grader never changes a learner's files unless asked: on a terminal it asks, `--yes`
//! answers for a script, and without either it refuses and says how to go on.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use clap::{ArgGroup, Args};

use crate::commands::{Common, Outcome};
use crate::interrupt;
use crate::repo::{Exercise, Repo};
use crate::report::Format;
use crate::starters::{self, EditableFile, FileState};
use crate::state;
use crate::style::Style;

/// `grader reset`'s arguments: one exercise or `--all` (the usage line says `<SLUG|--all>`).
#[derive(Clone, Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["slug", "all"])))]
pub struct ResetArgs {
    /// The exercise to put back as it shipped.
    pub slug: Option<String>,
    /// Every exercise you changed.
    #[arg(long)]
    pub all: bool,
    /// Don't ask first (what a script or a pipe needs: without a terminal, reset asks for this).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// An exercise to reset and its editable files.
struct Planned {
    slug: String,
    files: Vec<EditableFile>,
}

/// Resets the exercises `args` names, once the learner agrees.
pub fn run(repo: &Repo, common: &Common, args: ResetArgs) -> Result<Outcome> {
    if common.format != Format::Human || common.output.is_some() {
        bail!("`reset` talks to people: it takes no --format or --output");
    }
    let exercises = match &args.slug {
        Some(slug) => vec![repo.exercise(slug)?],
        None => repo.exercises()?,
    };
    let plan = plan(repo, &exercises)?;
    let style = Style::stdout();
    if plan.is_empty() {
        match &args.slug {
            Some(slug) => println!("`{slug}` is as it shipped: there is nothing to reset."),
            None => println!("Every exercise is as it shipped: there is nothing to reset."),
        }
        return Ok(Outcome::Success);
    }
    let backup = backup_dir(repo)?;
    println!("This puts the starter back in:");
    for planned in &plan {
        println!("  {}", describe(repo, planned));
    }
    println!(
        "Your versions will be kept in {}.",
        repo.relative(&backup).display()
    );
    if !confirmed(args.yes)? {
        println!("Nothing was changed.");
        return Ok(Outcome::Success);
    }
    for planned in &plan {
        let into = backup.join(&planned.slug);
        starters::restore(&planned.files, &into)?;
        state::update(repo, |state| state.forget_verdict(&planned.slug))?;
        let kept = planned
            .files
            .iter()
            .filter(|f| f.state == FileState::Edited)
            .map(|f| repo.relative(&into.join(&f.relative)).display().to_string())
            .collect::<Vec<_>>();
        let kept = if kept.is_empty() {
            String::new()
        } else {
            format!("; yours is in {}", kept.join(", "))
        };
        println!(
            "{} {} is back to its starter{kept}",
            style.pass("✓"),
            style.bold(&planned.slug)
        );
    }
    let first = &plan[0].slug;
    println!(
        "\n{} `cargo grade run {first}` grades it afresh (or `cargo grade watch {first}`).",
        style.bold("Next:")
    );
    Ok(Outcome::Success)
}

/// The exercises that differ from their starter; an error when one has no pristine copy.
fn plan(repo: &Repo, exercises: &[Exercise]) -> Result<Vec<Planned>> {
    let mut plan = Vec::new();
    for exercise in exercises {
        let manifest = exercise.manifest()?;
        let files = starters::compare(exercise, manifest);
        if let Some(missing) = files.iter().find(|f| f.state == FileState::NoStarter) {
            bail!(
                "{} is missing, so there is no pristine starter of `{}` to restore (it ships with \
                 the repository: `git checkout -- {}` brings it back, or copy it from a fresh \
                 clone)",
                repo.relative(&missing.starter).display(),
                exercise.slug,
                repo.relative(&starters::dir(exercise)).display()
            );
        }
        if !starters::is_untouched(&files) {
            plan.push(Planned {
                slug: exercise.slug.clone(),
                files,
            });
        }
    }
    Ok(plan)
}

/// "parallel-sum: src/lib.rs (changed)".
fn describe(repo: &Repo, planned: &Planned) -> String {
    let files: Vec<String> = planned
        .files
        .iter()
        .filter(|f| f.state != FileState::Untouched)
        .map(|f| {
            let what = if f.state == FileState::Deleted {
                "deleted"
            } else {
                "changed"
            };
            format!("{} ({what})", repo.relative(&f.path).display())
        })
        .collect();
    format!("{}: {}", planned.slug, files.join(", "))
}

/// A new folder for this reset's backups: `.tasklings/backups/<UTC time>` (`-2`, `-3`… when a
/// reset in the same second made one).
fn backup_dir(repo: &Repo) -> Result<PathBuf> {
    let parent = repo.state_dir().join("backups");
    // `2026-12-06T16-20-05Z`: RFC 3339 to the second, with `-` for `:` (not allowed in Windows
    // file names).
    let stamp = crate::report::junit::rfc3339(SystemTime::now())[..19].replace(':', "-") + "Z";
    let mut dir = parent.join(&stamp);
    let mut n = 2;
    while dir.exists() {
        dir = parent.join(format!("{stamp}-{n}"));
        n += 1;
    }
    Ok(dir)
}

/// `--yes`, or the learner's "y" on a terminal. Without a terminal there is no one to ask.
fn confirmed(yes: bool) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "reset overwrites your files, and there is no terminal to ask you first: run it in a \
             terminal, or add --yes (your versions are still kept as a backup)"
        );
    }
    print!("Reset? [y/N] ");
    std::io::stdout()
        .flush()
        .context("can't write to the terminal")?;
    // Read on a thread of its own, so that Ctrl-C (which only sets a flag) ends the wait.
    let (sender, answer) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        let _ = sender.send(line);
    });
    loop {
        match answer.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                let line = line.trim().to_ascii_lowercase();
                return Ok(line == "y" || line == "yes");
            }
            Err(mpsc::RecvTimeoutError::Timeout) if !interrupt::requested() => {}
            Err(_) => {
                println!();
                return Ok(false);
            }
        }
    }
}
