//! `grader new SLUG`: scaffolds an exercise.

use anyhow::{bail, Result};

use crate::commands::Outcome;
use crate::repo::Repo;

pub fn run(_repo: &Repo, _slug: &str, _title: Option<String>) -> Result<Outcome> {
    bail!("`new` is not in this build yet")
}
