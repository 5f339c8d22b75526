//! The HTML timeline: a Chrome trace-event file (what `TASKLINGS_TRACE` makes the runtime
//! write) drawn as one self-contained web page — workers as lanes, polls as boxes labelled by
//! task, wake arrows, instants (spawn, steal, park, unpark, timer fire, task end) and a legend.
//!
//! `trace` reads the file, `layout` places things on a time axis that keeps order readable,
//! `svg` draws, `page` wraps the drawing in HTML. Used by `cargo grade timeline` and by the
//! grader when a test fails under a seed (`docs/protocol.md`, "Seeds").

mod layout;
mod page;
mod svg;
mod trace;

use std::path::Path;

use anyhow::{Context, Result};

pub use trace::TraceError;

/// The most polls one page draws; a longer trace shows its beginning and says what it left out.
pub const MAX_POLLS: usize = 4_000;

/// What a timeline shows, in numbers (the page's summary line says the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub lanes: usize,
    pub polls: usize,
    pub wakes: usize,
    pub instants: usize,
    /// Polls left out (see [`MAX_POLLS`]).
    pub cut: usize,
}

/// The HTML page for the trace in `text`, titled `title`.
pub fn render(text: &str, title: &str) -> Result<(String, Counts), TraceError> {
    let mut trace = trace::parse(text)?;
    let cut = trace.keep_first(MAX_POLLS);
    let layout = layout::Layout::new(&trace);
    let html = page::html(&trace, &layout, &page::Heading { title, cut });
    let counts = Counts {
        lanes: trace.lanes.len(),
        polls: trace.slices.len(),
        wakes: trace.flows.len(),
        instants: trace.marks.len(),
        cut,
    };
    Ok((html, counts))
}

/// Reads the trace at `trace`, writes its timeline to `html` (atomically) and says what it drew.
pub fn write(trace: &Path, html: &Path, title: &str) -> Result<Counts> {
    let text = std::fs::read_to_string(trace)
        .with_context(|| format!("can't read the trace {}", trace.display()))?;
    let (page, counts) =
        render(&text, title).with_context(|| format!("{} is not a trace", trace.display()))?;
    if let Some(parent) = html.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("can't create the folder {}", parent.display()))?;
    }
    crate::files::write_atomically(html, page.as_bytes())
        .with_context(|| format!("can't write {}", html.display()))?;
    Ok(counts)
}
