//! `exercise.toml`: what the grader knows about an exercise, and the checks that name the key at
//! fault when a manifest is wrong.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

/// The manifest of one exercise, `exercises/<slug>/exercise.toml`.
///
/// ```toml
/// title = "Parallel sum"             # required: shown in the learning path
/// order = 10                         # required: position in the learning path (ascending)
/// chapter = "book/src/parallelism.md"  # required: the chapter to read first (repo-relative)
/// editable = ["src/lib.rs"]          # required: the only files taken from a submission
/// hints = ["a nudge", "more direct", "the shape of the answer"]   # required: 3 to 5
/// ```
///
/// Keys the grader adds (all optional):
///
/// * `timing = false` — the exercise has no timing checks worth running on a learner's machine
///   by default; same effect as `--skip-timing` for this exercise. Default `true`.
/// * `optimised = true` — the learner's crate and the hidden tests are built at opt-level 1
///   instead of 0 (see `scratch::EXERCISE_LEVEL`): for an exercise whose hidden tests run
///   the learner's own hot loop over much data. Default `false`.
///
/// Points and timeouts belong to each hidden test (`probes::harness::Test`), not here: the
/// hidden tests are the single source of what is graded.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub title: String,
    pub order: i64,
    pub chapter: String,
    pub editable: Vec<String>,
    pub hints: Vec<String>,
    #[serde(default = "default_timing")]
    pub timing: bool,
    /// Build the exercise's crate and hidden tests optimised (`optimised = true`).
    #[serde(default)]
    pub optimised: bool,
    /// What the untouched starter does: fails its tests (most exercises), or does not compile
    /// (a fix-it exercise, whose first job is to make the compiler accept the code).
    #[serde(default)]
    pub starter: Starter,
    /// For a fix-it exercise: the rustc error code the starter must fail with (`E0373`), which
    /// its chapter explains and the grader points to when a build fails with it.
    #[serde(default)]
    pub starter_error: Option<String>,
}

/// How an exercise's untouched starter code behaves (`starter` in `exercise.toml`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Starter {
    /// It compiles, and hidden tests fail (the default).
    #[default]
    Fails,
    /// It does not compile: the learner fixes it (rustlings' kind of exercise).
    DoesNotCompile,
}

fn default_timing() -> bool {
    true
}

/// Every key a manifest may hold, and whether it must.
const KEYS: &[(&str, bool)] = &[
    ("title", true),
    ("order", true),
    ("chapter", true),
    ("editable", true),
    ("hints", true),
    ("timing", false),
    ("optimised", false),
    ("starter", false),
    ("starter_error", false),
];

/// The fewest and most hints an exercise should have (`grader verify` checks it).
pub const HINTS_RANGE: std::ops::RangeInclusive<usize> = 3..=5;

/// A manifest that can't be used, naming the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: can't read it: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: missing key `{key}` ({what})")]
    MissingKey {
        path: PathBuf,
        key: &'static str,
        what: &'static str,
    },
    #[error("{path}: unknown key `{key}`{suggestion} (known keys: {known})")]
    UnknownKey {
        path: PathBuf,
        key: String,
        suggestion: String,
        known: String,
    },
    #[error("{path}: key `{key}`: {problem}")]
    BadValue {
        path: PathBuf,
        key: String,
        problem: String,
    },
}

impl Manifest {
    /// Reads and checks a manifest. The error names the key at fault.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_owned(),
            source,
        })?;
        Manifest::parse(&text, path)
    }

    /// Parses and checks manifest text; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, ManifestError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| ManifestError::Syntax {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })?;
        let known: Vec<&str> = KEYS.iter().map(|(key, _)| *key).collect();
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                let suggestion = crate::suggest::closest(key, known.iter().copied())
                    .map(|k| format!(" — did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(ManifestError::UnknownKey {
                    path: path.to_owned(),
                    key: key.clone(),
                    suggestion,
                    known: known.join(", "),
                });
            }
        }
        for (key, required) in KEYS {
            if *required && !table.contains_key(*key) {
                return Err(ManifestError::MissingKey {
                    path: path.to_owned(),
                    key,
                    what: describe(key),
                });
            }
        }
        // Types, one key at a time, so the message names the key.
        for (key, value) in &table {
            let expected = match key.as_str() {
                "title" | "chapter" | "starter_error" => value.is_str(),
                "starter" => value
                    .as_str()
                    .is_some_and(|v| matches!(v, "fails" | "does-not-compile")),
                "order" => value.is_integer(),
                "timing" | "optimised" => value.is_bool(),
                "editable" | "hints" => value
                    .as_array()
                    .is_some_and(|items| items.iter().all(toml::Value::is_str)),
                _ => true,
            };
            if !expected {
                return Err(ManifestError::BadValue {
                    path: path.to_owned(),
                    key: key.clone(),
                    problem: format!("expected {}, found {}", describe(key), value.type_str()),
                });
            }
        }
        let manifest: Manifest =
            table
                .try_into()
                .map_err(|e: toml::de::Error| ManifestError::Syntax {
                    path: path.to_owned(),
                    message: e.message().to_owned(),
                })?;
        manifest.check(path)?;
        Ok(manifest)
    }

    /// Rules on values that every command relies on (hint counts are `verify`'s business).
    fn check(&self, path: &Path) -> Result<(), ManifestError> {
        let bad = |key: &str, problem: String| ManifestError::BadValue {
            path: path.to_owned(),
            key: key.to_owned(),
            problem,
        };
        if self.title.trim().is_empty() {
            return Err(bad("title", "is empty".into()));
        }
        if self.editable.is_empty() {
            return Err(bad(
                "editable",
                "lists no file: name the files a learner edits, e.g. [\"src/lib.rs\"]".into(),
            ));
        }
        for file in &self.editable {
            if let Some(problem) = editable_problem(file) {
                return Err(bad("editable", format!("`{file}` {problem}")));
            }
        }
        match (self.starter, &self.starter_error) {
            (Starter::DoesNotCompile, None) => {
                return Err(bad(
                    "starter_error",
                    "is missing: a starter that does not compile names the rustc error code \
                     its chapter explains, e.g. starter_error = \"E0373\""
                        .into(),
                ))
            }
            (Starter::Fails, Some(_)) => {
                return Err(bad(
                    "starter_error",
                    "is only for starter = \"does-not-compile\"".into(),
                ))
            }
            (_, Some(code)) if !is_error_code(code) => {
                return Err(bad(
                    "starter_error",
                    format!("`{code}` is not a rustc error code such as \"E0373\""),
                ))
            }
            _ => {}
        }
        if !self.chapter.ends_with(".md") {
            return Err(bad(
                "chapter",
                format!("`{}` is not a Markdown file (book/src/….md)", self.chapter),
            ));
        }
        Ok(())
    }
}

/// Why a path may not be editable, if it may not: it must stay inside the crate and must not be
/// a file that changes how the crate is built (a submission could otherwise run code in the
/// build or rewrite the tests).
fn editable_problem(file: &str) -> Option<&'static str> {
    let path = Path::new(file);
    if file.trim().is_empty() {
        return Some("is empty");
    }
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Some("must be a relative path inside the exercise, without `..`");
    }
    let first = path
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    match first.as_deref() {
        Some("Cargo.toml" | "Cargo.lock" | "build.rs" | "exercise.toml") => {
            Some("decides how the exercise is built or graded and can't be editable")
        }
        Some(".cargo" | "hidden" | "target") => {
            Some("is owned by the grader and can't be editable")
        }
        _ => None,
    }
}

/// `E` and four digits, as rustc names its errors.
fn is_error_code(code: &str) -> bool {
    code.len() == 5 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit())
}

fn describe(key: &str) -> &'static str {
    match key {
        "title" => "a string: the exercise's name in the learning path",
        "order" => "an integer: its position in the learning path",
        "chapter" => "a string: the book chapter to read first, e.g. \"book/src/parallelism.md\"",
        "editable" => "an array of strings: the files a learner edits, e.g. [\"src/lib.rs\"]",
        "hints" => "an array of strings: 3 to 5 hints, from a nudge to the shape of the answer",
        "timing" => "a boolean: whether timing checks run by default",
        "optimised" => "a boolean: build the exercise and its hidden tests at opt-level 1",
        "starter" => "\"fails\" (the default) or \"does-not-compile\" (a fix-it exercise)",
        "starter_error" => {
            "a string: the rustc error code a fix-it starter fails with, e.g. \"E0373\""
        }
        _ => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "Parallel sum"
order = 10
chapter = "book/src/parallelism.md"
editable = ["src/lib.rs"]
hints = ["a", "b", "c"]
"#;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::parse(text, Path::new("exercise.toml"))
    }

    #[test]
    fn a_complete_manifest_parses_with_defaults() {
        let manifest = parse(GOOD).unwrap();
        assert_eq!(manifest.order, 10);
        assert!(manifest.timing);
    }

    #[test]
    fn an_unknown_key_is_named_with_a_suggestion() {
        let error = parse(&GOOD.replace("hints =", "hint ="))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown key `hint`"), "{error}");
        assert!(error.contains("did you mean `hints`"), "{error}");
    }

    #[test]
    fn a_missing_key_is_named() {
        let error = parse(&GOOD.replace("order = 10\n", ""))
            .unwrap_err()
            .to_string();
        assert!(error.contains("missing key `order`"), "{error}");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key() {
        let error = parse(&GOOD.replace("order = 10", "order = \"ten\""))
            .unwrap_err()
            .to_string();
        assert!(error.contains("key `order`"), "{error}");
        assert!(error.contains("expected an integer"), "{error}");
    }

    #[test]
    fn a_fix_it_starter_names_its_error_code() {
        let fix_it = format!("{GOOD}starter = \"does-not-compile\"\n");
        let error = parse(&fix_it).unwrap_err().to_string();
        assert!(error.contains("key `starter_error`"), "{error}");
        let manifest = parse(&format!("{fix_it}starter_error = \"E0373\"\n")).unwrap();
        assert_eq!(manifest.starter, Starter::DoesNotCompile);
        let error = parse(&format!("{fix_it}starter_error = \"borrow\"\n"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a rustc error code"), "{error}");
        let error = parse(&format!("{GOOD}starter = \"broken\"\n"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("key `starter`"), "{error}");
    }

    #[test]
    fn editable_files_stay_inside_the_crate_and_out_of_the_build() {
        for file in [
            "../x.rs",
            "/etc/passwd",
            "Cargo.toml",
            "build.rs",
            "hidden/main.rs",
        ] {
            let text = GOOD.replace("[\"src/lib.rs\"]", &format!("[\"{file}\"]"));
            let error = parse(&text).unwrap_err().to_string();
            assert!(error.contains("key `editable`"), "{file}: {error}");
        }
    }
}
