//! `grader new SLUG`: scaffolds an exercise from `grader/templates/`: the exercise crate
//! (Cargo.toml, exercise.toml, src/lib.rs whose bodies are `todo!` calls, and its pristine copy
//! in `.starter/`), its solution, its hidden tests and a chapter stub. `grader verify SLUG`
//! accepts the result once the hints and the chapter are written. Adding an exercise never
//! changes the grader's code: the workspace's `exercises/*` glob picks the crate up.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::commands::Outcome;
use crate::repo::Repo;

/// The first line of a chapter stub; `verify` rejects a chapter that still has it.
pub const CHAPTER_STUB_MARKER: &str = "<!-- tasklings: chapter stub";

const EXERCISE_CARGO_TOML: &str = include_str!("../../templates/exercise/Cargo.toml");
const EXERCISE_TOML: &str = include_str!("../../templates/exercise/exercise.toml");
const EXERCISE_LIB: &str = include_str!("../../templates/exercise/src/lib.rs");
const SOLUTION_LIB: &str = include_str!("../../templates/solution/src/lib.rs");
const HIDDEN_MAIN: &str = include_str!("../../templates/hidden/main.rs");
const CHAPTER: &str = include_str!("../../templates/chapter.md");

pub fn run(repo: &Repo, slug: &str, title: Option<String>) -> Result<Outcome> {
    if !is_slug(slug) {
        bail!(
            "`{slug}` can't be a slug: use lowercase letters and digits in words joined by `-`, \
             starting with a letter (e.g. `worker-pool`)"
        );
    }
    let title = title.unwrap_or_else(|| title_of(slug));
    let chapter = format!("book/src/{slug}.md");
    let files: Vec<(PathBuf, &str)> = vec![
        (
            repo.exercise_dir(slug).join("Cargo.toml"),
            EXERCISE_CARGO_TOML,
        ),
        (repo.exercise_dir(slug).join("exercise.toml"), EXERCISE_TOML),
        (repo.exercise_dir(slug).join("src/lib.rs"), EXERCISE_LIB),
        // The pristine copy `reset` restores; `verify` checks it equals src/lib.rs.
        (
            repo.exercise_dir(slug)
                .join(crate::starters::STARTER_DIR)
                .join("src/lib.rs"),
            EXERCISE_LIB,
        ),
        (repo.solution_dir(slug).join("src/lib.rs"), SOLUTION_LIB),
        (repo.hidden_dir(slug, None).join("main.rs"), HIDDEN_MAIN),
        (repo.root().join(&chapter), CHAPTER),
    ];
    for dir in [
        repo.exercise_dir(slug),
        repo.solution_dir(slug),
        repo.hidden_dir(slug, None),
    ] {
        if dir.exists() {
            bail!(
                "{} already exists: `{slug}` is taken (`cargo grade list` shows the exercises)",
                repo.relative(&dir).display()
            );
        }
    }
    if repo.root().join(&chapter).exists() {
        bail!("{chapter} already exists: pick another slug, or move that chapter first");
    }

    let order = repo
        .exercises()?
        .iter()
        .filter_map(|e| e.manifest.as_ref().ok().map(|m| m.order))
        .max()
        .map_or(10, |last| last + 10);
    let (inherited, lints) = inherited_keys(repo)?;
    let fill = |template: &str| {
        template
            .replace("{{slug}}", slug)
            .replace("{{crate}}", &slug.replace('-', "_"))
            .replace("{{title}}", &title.replace('"', "'"))
            .replace("{{order}}", &order.to_string())
            .replace("{{chapter}}", &chapter)
            .replace("{{inherited}}", &inherited)
            .replace("{{lints}}", &lints)
    };
    for (path, template) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("can't create {}", parent.display()))?;
        }
        std::fs::write(path, fill(template))
            .with_context(|| format!("can't write {}", path.display()))?;
        println!("created {}", repo.relative(path).display());
    }
    println!(
        "\nNext: write the exercise's API in exercises/{slug}/src/lib.rs (and copy it to \
         exercises/{slug}/.starter/src/lib.rs, which `reset` restores), the solution in \
         solutions/{slug}/src/lib.rs, the hidden tests in grader/hidden/{slug}/main.rs, the hints in \
         exercises/{slug}/exercise.toml and the chapter {chapter} (add it to book/src/SUMMARY.md); \
         then `cargo grade verify {slug}`."
    );
    Ok(Outcome::Success)
}

/// The `[package]` keys the workspace lets members inherit, and a `[lints]` table when it has
/// shared lints, so the new crate looks like its siblings.
fn inherited_keys(repo: &Repo) -> Result<(String, String)> {
    let path = repo.root().join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("can't read {}", path.display()))?;
    let manifest: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let workspace = manifest.get("workspace").and_then(toml::Value::as_table);
    let package = workspace
        .and_then(|w| w.get("package"))
        .and_then(toml::Value::as_table);
    let mut inherited = String::new();
    for key in ["edition", "rust-version", "license", "publish"] {
        if package.is_some_and(|p| p.contains_key(key)) {
            inherited.push_str(&format!("{key}.workspace = true\n"));
        } else if key == "edition" {
            inherited.push_str("edition = \"2021\"\n");
        }
    }
    let lints = if workspace.is_some_and(|w| w.contains_key("lints")) {
        "\n[lints]\nworkspace = true\n".to_owned()
    } else {
        String::new()
    };
    Ok((inherited, lints))
}

fn is_slug(slug: &str) -> bool {
    slug.starts_with(|c: char| c.is_ascii_lowercase())
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `worker-pool` → `Worker pool`.
fn title_of(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_kebab_case_words() {
        assert!(is_slug("worker-pool"));
        assert!(is_slug("leaks2"));
        for bad in ["Worker", "worker_pool", "-x", "x-", "a--b", "2x", ""] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn titles_come_from_slugs() {
        assert_eq!(title_of("worker-pool"), "Worker pool");
    }

    #[test]
    fn the_chapter_template_starts_with_the_stub_marker() {
        assert!(CHAPTER.starts_with(CHAPTER_STUB_MARKER));
    }
}
