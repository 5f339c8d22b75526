//! `--format json`: the object docs/report-json.md describes, exactly —
//! `{"score", "max_score", "exercises": [{"exercise", "status", "score", "max_score",
//! "tests": [{"name", "kind", "status", "score", "max_score", "message", "duration_ms"}]}]}`.

use crate::results::Report;

/// The report as pretty-printed JSON, with a final newline.
pub fn render(report: &Report) -> String {
    // Serialising plain structs of strings and numbers can't fail; fall back to an empty object
    // rather than panic if it ever did.
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
