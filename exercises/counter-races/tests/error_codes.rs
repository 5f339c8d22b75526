//! Counters the compiler refuses to share between threads, checked by rustc's error *code* and a
//! stable phrase rather than its whole output: these errors carry notes that point into the
//! standard library, whose line numbers and wording move between releases.
//!
//! Each case in `tests/error_codes/` says what it expects in its first lines:
//! `// error-code: E0277` and `// message: <a phrase of the error's message>`. The test compiles it
//! with `rustc --error-format=json` (the pinned toolchain, picked by rustup from this directory)
//! and looks for an error diagnostic with that code and phrase.
//!
//! These tests never call the exercise's functions, so they pass before it is solved.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One compile-fail case and what it must fail with.
struct Case {
    path: PathBuf,
    code: String,
    phrase: String,
}

/// An error rustc reported: its code (if any) and message.
#[derive(Debug)]
struct Reported {
    code: Option<String>,
    message: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/error_codes");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
            let field = |name: &str| {
                text.lines()
                    .find_map(|line| line.strip_prefix(&format!("// {name}: ")))
                    .unwrap_or_else(|| panic!("{} has no `// {name}: …` line", path.display()))
                    .trim()
                    .to_owned()
            };
            Case {
                code: field("error-code"),
                phrase: field("message"),
                path,
            }
        })
        .collect()
}

/// Type-checks `path` as a binary crate (no code generated) and returns the errors rustc reported.
fn compile(path: &Path, out_dir: &Path) -> Vec<Reported> {
    let output = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "bin",
            "--emit=metadata",
        ])
        .arg("--error-format=json")
        .arg("--out-dir")
        .arg(out_dir)
        .arg(path)
        .output()
        .expect("rustc can be run");
    assert!(
        !output.status.success(),
        "{} compiled, but it must not",
        path.display()
    );
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|diagnostic| diagnostic["level"] == "error")
        .map(|diagnostic| Reported {
            code: diagnostic["code"]["code"].as_str().map(str::to_owned),
            message: diagnostic["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        })
        .collect()
}

#[test]
fn counters_that_cannot_be_shared_fail_with_the_expected_error_code() {
    let out_dir = tempfile::tempdir().expect("a temporary directory");
    let cases = cases();
    assert!(!cases.is_empty(), "no cases in tests/error_codes/");
    for case in cases {
        let errors = compile(&case.path, out_dir.path());
        assert!(
            errors
                .iter()
                .any(|error| error.code.as_deref() == Some(case.code.as_str())
                    && error.message.contains(&case.phrase)),
            "{} should fail with {} (\"…{}…\"), but rustc reported {errors:#?}",
            case.path.display(),
            case.code,
            case.phrase
        );
    }
}
