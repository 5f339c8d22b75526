//! `grader watch`: re-grade the current exercise on every save.

use anyhow::{bail, Result};

use crate::commands::{Common, Outcome};
use crate::repo::Repo;

pub fn run(
    _repo: &Repo,
    _common: &Common,
    _slug: Option<String>,
    _skip_timing: bool,
    _manual: bool,
) -> Result<Outcome> {
    bail!("`watch` is not in this build yet; use `cargo grade run SLUG`")
}
