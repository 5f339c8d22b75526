//! Writers of the result model: one file per output format, all reading the same
//! [`Report`](crate::results::Report).
//!
//! * `human` — coloured text for a person at a terminal (or plain in a file);
//! * `json` — the `--format json` object of docs/report-json.md, exactly;
//! * `junit` — JUnit XML shaped as cargo-nextest writes it (for CI systems, CodeGrade, GitLab);
//! * `gradescope` — Gradescope's `results.json`;
//! * `classroom` — GitHub Classroom's command-grader result and workflow (legacy: Classroom was
//!   discontinued in August 2026).

pub mod classroom;
pub mod gradescope;
pub mod human;
pub mod json;
pub mod junit;

use std::path::Path;

use anyhow::{Context, Result};

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people: verdicts, failures with their messages, a hint, what to do next.
    Human,
    /// One JSON object: score, max_score, exercises[] with tests[] (docs/report-json.md).
    Json,
    /// JUnit XML as cargo-nextest writes it.
    Junit,
    /// Gradescope's results.json.
    Gradescope,
}

/// Prints `text` to stdout, or writes it to `output` (atomically: a reader never sees half a
/// file, and a crash leaves the previous file).
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("can't create {}", parent.display()))?;
            }
            crate::files::write_atomically(path, text.as_bytes())
                .with_context(|| format!("can't write {}", path.display()))
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed stdout (`| head`) is not worth an error.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

/// `text` without characters that XML 1.0 forbids or terminals interpret (ANSI escapes), and
/// with NUL bytes replaced — for writers whose readers choke on them.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Skip an ANSI escape: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            '\0' => out.push('\u{FFFD}'),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to at most `max` characters, keeping the start and the end.
pub fn truncate_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(40) / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    format!(
        "{head}\n[... {} characters cut ...]\n{tail}",
        count - 2 * keep
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_strips_escapes_and_control_characters() {
        assert_eq!(
            printable("\x1b[31mred\x1b[0m\x07 a\0b\tc\n"),
            "red a\u{FFFD}b\tc\n"
        );
    }

    #[test]
    fn truncate_middle_keeps_both_ends() {
        let text = "a".repeat(100) + &"b".repeat(100);
        let cut = truncate_middle(&text, 80);
        assert!(cut.starts_with("aaaa") && cut.ends_with("bbbb"), "{cut}");
        assert!(cut.chars().count() < 120);
    }
}
