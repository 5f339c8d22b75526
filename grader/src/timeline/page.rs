//! The HTML page around the drawing: a title, what the trace says about itself (its seed, its
//! schedule), a summary, the legend, zoom buttons and how to read the picture.
//!
//! Self-contained by construction: one file with inline CSS and inline SVG, no script, no font,
//! no image, no link — it opens from a disk, an e-mail or an archive years later. Zoom is plain
//! CSS: radio buttons choose the SVG's width, and the SVG's `viewBox` scales everything with it.

use std::fmt::Write as _;

use super::layout::Layout;
use super::svg::{self, MARK_KINDS};
use super::trace::Trace;

/// What the page shows above the drawing.
pub struct Heading<'a> {
    /// Usually the trace file's name, or "test NAME of SLUG".
    pub title: &'a str,
    /// Polls left out because the trace is longer than a page can hold.
    pub cut: usize,
}

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 6px; }
.summary, .about, .note, .cut { margin: 4px 0; }
.about dt { display: inline; font-weight: 600; } .about dd { display: inline; margin: 0 14px 0 4px; }
.about dd code { word-break: break-all; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 0; align-items: center; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.zoom { margin: 6px 0; } .zoom label { margin-right: 10px; }
.viewport { overflow: auto; border: 1px solid #ccc; max-height: 80vh; }
svg { display: block; font: 11px system-ui, sans-serif; }
svg .lane-name { font-weight: 600; fill: #333; }
svg .label { fill: #111; pointer-events: none; }
svg .tick text, svg .break text { fill: #555; font-size: 10px; }
svg .poll rect { stroke: #0006; stroke-width: 0.6; }
svg .poll:hover rect { stroke: #000; stroke-width: 2; }
svg .wake { fill: none; stroke: #222; stroke-width: 1.2; opacity: 0.75; }
svg .wake:hover { stroke-width: 2.5; opacity: 1; }
#zoom-fit:checked ~ .viewport svg { max-width: 100%; height: auto; }
";

/// The whole HTML document.
pub fn html(trace: &Trace, layout: &Layout, heading: &Heading<'_>) -> String {
    let mut page = String::new();
    let title = escape(heading.title);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Timeline: {title}</title>\n<style>{STYLE}{zoom}</style>\n</head>\n<body>\n\
         <h1>Timeline: {title}</h1>\n",
        zoom = zoom_css(layout.width),
    );
    summary(&mut page, trace, heading);
    legend(&mut page, trace);
    page.push_str(
        "<div class=\"zoom\">Zoom: \
         <input type=\"radio\" name=\"zoom\" id=\"zoom-fit\" checked><label for=\"zoom-fit\">fit \
         the window (when wider)</label>\
         <input type=\"radio\" name=\"zoom\" id=\"zoom-1\"><label for=\"zoom-1\">1×</label>\
         <input type=\"radio\" name=\"zoom\" id=\"zoom-3\"><label for=\"zoom-3\">3×</label>\n\
         <div class=\"viewport\">\n",
    );
    page.push_str(&svg::svg(trace, layout));
    page.push_str(
        "</div>\n</div>\n<p class=\"note\">Each lane is a worker; each box is one poll of a task \
         (rest the pointer on it for the task, its id and where it was spawned). An arrow runs \
         from the poll that woke a task to that task's next poll. The time axis keeps order, \
         not proportion: events at the same moment are drawn apart, in order, and long idle \
         gaps are shortened (marked ≈).</p>\n</body>\n</html>\n",
    );
    page
}

/// The widths the zoom buttons choose, in CSS (the radio buttons sit before the viewport).
fn zoom_css(width: f64) -> String {
    format!(
        "#zoom-1:checked ~ .viewport svg {{ width: {one}px; height: auto; }}\n\
         #zoom-3:checked ~ .viewport svg {{ width: {three}px; height: auto; }}\n",
        one = width.ceil(),
        three = (width * 3.0).ceil()
    )
}

fn summary(page: &mut String, trace: &Trace, heading: &Heading<'_>) {
    let _ = writeln!(
        page,
        "<p class=\"summary\" data-lanes=\"{lanes}\" data-polls=\"{polls}\" data-wakes=\"{wakes}\" \
         data-instants=\"{marks}\">{lanes} lane(s) · {polls} poll(s) · {wakes} wake(s) · \
         {marks} instant(s)</p>",
        lanes = trace.lanes.len(),
        polls = trace.slices.len(),
        wakes = trace.flows.len(),
        marks = trace.marks.len(),
    );
    if heading.cut > 0 {
        let _ = writeln!(
            page,
            "<p class=\"cut\">The trace is longer than one page draws well: this shows its first \
             {} polls and leaves out the {} after them (open the JSON in Perfetto, \
             ui.perfetto.dev, for all of it).</p>",
            trace.slices.len(),
            heading.cut
        );
    }
    if !trace.about.is_empty() {
        page.push_str("<dl class=\"about\">");
        for (key, value) in &trace.about {
            let _ = write!(
                page,
                "<dt>{}</dt><dd><code>{}</code></dd>",
                escape(key),
                escape(value)
            );
        }
        page.push_str("</dl>\n");
    }
}

/// The legend: what a box, an arrow and each kind of instant present in this trace look like.
fn legend(page: &mut String, trace: &Trace) {
    page.push_str(
        "<div class=\"legend\">\
         <span><svg width=\"28\" height=\"14\"><rect x=\"1\" y=\"1\" width=\"26\" height=\"12\" \
         rx=\"3\" fill=\"#8ecae6\" stroke=\"#0006\"/></svg>a poll (colour: the task)</span>\
         <span><svg width=\"30\" height=\"14\"><path d=\"M1,7 L22,7\" stroke=\"#222\" \
         stroke-width=\"1.2\"/><path d=\"M20,3 L28,7 L20,11 z\" fill=\"#222\"/></svg>a wake: \
         the poll that woke a task → its next poll</span>",
    );
    let mut present = vec![false; MARK_KINDS.len()];
    for mark in &trace.marks {
        present[svg::mark_kind(mark)] = true;
    }
    for ((_, label, colour), present) in MARK_KINDS.iter().zip(present) {
        if present {
            let _ = write!(
                page,
                "<span class=\"legend-instant\"><svg width=\"12\" height=\"12\"><path \
                 d=\"M6,1 l5,5 l-5,5 l-5,-5 z\" fill=\"{colour}\"/></svg>{label}</span>"
            );
        }
    }
    page.push_str("</div>\n");
}

/// Text safe inside HTML and SVG, attribute values included.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A span of the trace's microseconds, in the unit that reads best.
pub fn micros_text(micros: f64) -> String {
    let abs = micros.abs();
    if abs >= 1_000_000.0 {
        format!("{:.3} s", micros / 1_000_000.0)
    } else if abs >= 1_000.0 {
        format!("{:.3} ms", micros / 1_000.0)
    } else if micros.fract() == 0.0 {
        format!("{micros} µs")
    } else {
        format!("{micros:.3} µs")
    }
}
