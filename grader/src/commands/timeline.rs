//! `grader timeline TRACE.json [-o OUT.html]`: draws a Chrome trace-event file as a
//! self-contained HTML page (see `crate::timeline`). Needs no exercise and no repository.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::commands::Outcome;
use crate::timeline;

/// Writes the timeline of `trace` to `output` (default: beside the trace, ending in `.html`)
/// and prints where, with what it drew.
pub fn run(trace: &Path, output: Option<PathBuf>) -> Result<Outcome> {
    let html = output.unwrap_or_else(|| trace.with_extension("html"));
    let title = trace.file_name().map_or_else(
        || trace.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let counts = timeline::write(trace, &html, &title)?;
    println!(
        "wrote {} ({} lane(s), {} poll(s), {} wake(s), {} instant(s)){}",
        html.display(),
        counts.lanes,
        counts.polls,
        counts.wakes,
        counts.instants,
        if counts.cut > 0 {
            format!(
                "; the first {} polls only, {} left out",
                counts.polls, counts.cut
            )
        } else {
            String::new()
        }
    );
    Ok(Outcome::Success)
}
