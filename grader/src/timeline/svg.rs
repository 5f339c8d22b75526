//! The drawing: one inline SVG element, no script, no reference outside itself.
//!
//! Every drawn thing carries a class the page's legend names and a `<title>` (the browser shows
//! it when the pointer rests there): lanes `lane`, polls `poll` (a box coloured and labelled by
//! task), instants `instant` (with `data-kind`), wakes `wake` (an arrow from the poll that woke a
//! task to that task's next poll). Tests count these classes in the browser's DOM.

use std::fmt::Write as _;

use super::layout::{Layout, LABELS, MIN_BOX, ROW, TOP};
use super::page::{escape, micros_text};
use super::trace::{Mark, Trace};

/// Colours of tasks, chosen by a hash of the task's id so a task keeps its colour in every
/// picture of the same program. Light enough for dark labels.
const TASK_COLOURS: [&str; 12] = [
    "#8ecae6", "#ffb703", "#90be6d", "#f4a261", "#cdb4db", "#e9c46a", "#a8dadc", "#f28482",
    "#b5e48c", "#ffafcc", "#bde0fe", "#d4a373",
];

/// The kinds of instant a runtime writes, how each is recognised (a word in its name, first
/// match wins: "unpark" before "park") and its colour.
pub const MARK_KINDS: [(&str, &str, &str); 7] = [
    ("unpark", "unpark", "#1565c0"),
    ("park", "park", "#546e7a"),
    ("steal", "steal", "#ef6c00"),
    ("timer", "timer fire", "#6a1b9a"),
    ("spawn", "spawn", "#2e7d32"),
    ("end", "task end", "#c62828"),
    ("", "other", "#757575"),
];

/// The kind of a mark: the first of [`MARK_KINDS`] whose word its name contains.
pub fn mark_kind(mark: &Mark) -> usize {
    let name = mark.name.to_lowercase();
    MARK_KINDS
        .iter()
        .position(|(word, _, _)| name.contains(word))
        .unwrap_or(MARK_KINDS.len() - 1)
}

/// The whole `<svg>` element.
pub fn svg(trace: &Trace, layout: &Layout) -> String {
    let mut out = String::new();
    let (width, height) = (layout.width.ceil(), layout.height.ceil());
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-label=\"timeline\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L8,4 L0,8 z\" \
         fill=\"#222\"/></marker></defs>\n"
    );
    lanes(&mut out, trace, layout);
    axis(&mut out, trace, layout);
    polls(&mut out, trace, layout);
    marks(&mut out, trace, layout);
    wakes(&mut out, trace, layout);
    out.push_str("</svg>\n");
    out
}

fn lanes(out: &mut String, trace: &Trace, layout: &Layout) {
    for (index, (lane, &(top, height))) in trace.lanes.iter().zip(&layout.lanes).enumerate() {
        let shade = if index % 2 == 0 { "#f6f6f6" } else { "#eef1f5" };
        let name = escape(&lane.name);
        let _ = writeln!(
            out,
            "<g class=\"lane\" data-lane=\"{index}\"><rect x=\"0\" y=\"{top}\" width=\"{w}\" \
             height=\"{height}\" fill=\"{shade}\"/><text class=\"lane-name\" x=\"8\" y=\"{y}\">\
             {name}</text><title>{name}</title></g>",
            w = layout.width,
            y = top + height / 2.0 + 4.0,
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{LABELS}\" y1=\"{TOP}\" x2=\"{LABELS}\" y2=\"{}\" stroke=\"#bbb\"/>",
        layout.height
    );
}

/// A ruler above the lanes: labelled ticks at least 90 pixels apart, and a break mark where a
/// long gap was drawn shortened.
fn axis(out: &mut String, trace: &Trace, layout: &Layout) {
    let first = trace
        .slices
        .iter()
        .map(|s| s.start)
        .chain(trace.marks.iter().map(|m| m.ts))
        .fold(f64::INFINITY, f64::min);
    if !first.is_finite() {
        return;
    }
    let y = TOP - 14.0;
    let mut last_x = f64::NEG_INFINITY;
    let mut moments: Vec<f64> = trace.slices.iter().map(|s| s.start).collect();
    moments.sort_by(f64::total_cmp);
    moments.dedup();
    for ts in moments {
        let x = layout.x(ts);
        if x - last_x < 90.0 {
            continue;
        }
        last_x = x;
        let _ = writeln!(
            out,
            "<g class=\"tick\"><line x1=\"{x}\" y1=\"{y}\" x2=\"{x}\" y2=\"{TOP}\" \
             stroke=\"#999\"/><text x=\"{tx}\" y=\"{ty}\">{label}</text></g>",
            tx = x + 2.0,
            ty = y + 2.0,
            label = escape(&micros_text(ts - first)),
        );
    }
    for gap in &layout.breaks {
        let _ = writeln!(
            out,
            "<g class=\"break\"><text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">≈ +{label}</text>\
             <title>a gap of {label} with nothing in it, drawn shortened</title></g>",
            x = gap.x,
            y = TOP - 2.0,
            label = escape(&micros_text(gap.micros)),
        );
    }
}

fn polls(out: &mut String, trace: &Trace, layout: &Layout) {
    for (slice, &(left, right)) in trace.slices.iter().zip(&layout.boxes) {
        let (top, _) = layout.lanes[slice.lane];
        let y = top + 7.0 + ROW * slice.depth as f64;
        let width = right - left;
        let colour = TASK_COLOURS[hash(&slice.task) % TASK_COLOURS.len()];
        let mut tip = format!(
            "{} — {} from {}",
            slice.name,
            micros_text(slice.end - slice.start),
            micros_text(slice.start)
        );
        for (key, value) in &slice.details {
            let _ = write!(tip, "\n{key}: {value}");
        }
        let _ = write!(
            out,
            "<g class=\"poll\" data-task=\"{task}\"><rect x=\"{left:.1}\" y=\"{y}\" \
             width=\"{width:.1}\" height=\"{h}\" rx=\"3\" fill=\"{colour}\"/>",
            task = escape(&slice.task),
            h = ROW - 4.0,
        );
        // Roughly 6.5 pixels per character at the page's 11-pixel font.
        let fits = ((width - 4.0) / 6.5).floor().max(0.0) as usize;
        let label = fit_label(&slice.name, fits);
        if !label.is_empty() {
            let _ = write!(
                out,
                "<text class=\"label\" x=\"{:.1}\" y=\"{}\">{}</text>",
                left + 3.0,
                y + ROW / 2.0 + 2.0,
                escape(&label)
            );
        }
        let _ = writeln!(out, "<title>{}</title></g>", escape(&tip));
    }
}

/// The name cut to `room` characters (with an ellipsis), or nothing when too little fits.
fn fit_label(name: &str, room: usize) -> String {
    let count = name.chars().count();
    if count <= room {
        name.to_owned()
    } else if room >= 3 {
        name.chars().take(room - 1).chain(['…']).collect()
    } else {
        String::new()
    }
}

fn marks(out: &mut String, trace: &Trace, layout: &Layout) {
    for mark in &trace.marks {
        let (word, _, colour) = MARK_KINDS[mark_kind(mark)];
        let kind = if word.is_empty() { "other" } else { word };
        let x = layout.x(mark.ts);
        let mut tip = format!("{} at {}", mark.name, micros_text(mark.ts));
        for (key, value) in &mark.details {
            let _ = write!(tip, "\n{key}: {value}");
        }
        let spans: Vec<(f64, f64)> = match mark.lane {
            Some(lane) => vec![layout.lanes[lane]],
            None => layout.lanes.clone(),
        };
        for (top, height) in spans {
            let y = top + height - 4.0;
            let _ = writeln!(
                out,
                "<g class=\"instant\" data-kind=\"{kind}\"><path d=\"M{x:.1},{a:.1} l4,4 l-4,4 \
                 l-4,-4 z\" fill=\"{colour}\"/><title>{tip}</title></g>",
                a = y - 8.0,
                tip = escape(&tip),
            );
        }
    }
}

fn wakes(out: &mut String, trace: &Trace, layout: &Layout) {
    let middle = |index: usize| {
        let slice = &trace.slices[index];
        layout.lanes[slice.lane].0 + 7.0 + ROW * slice.depth as f64 + (ROW - 4.0) / 2.0
    };
    for flow in &trace.flows {
        let (from, to) = (&trace.slices[flow.from], &trace.slices[flow.to]);
        let (x1, y1) = (layout.inside(flow.from, flow.from_ts), middle(flow.from));
        let (x2, y2) = (layout.boxes[flow.to].0, middle(flow.to));
        let path = if from.lane == to.lane {
            // On one lane: an arc over the boxes between.
            let lift = (ROW * 0.9).min((x2 - x1).abs() / 2.0 + MIN_BOX);
            format!(
                "M{x1:.1},{y1:.1} C{x1:.1},{a:.1} {x2:.1},{a:.1} {x2:.1},{y2:.1}",
                a = y1 - lift - 8.0
            )
        } else {
            let bend = ((x2 - x1).abs() / 2.0).max(12.0);
            format!(
                "M{x1:.1},{y1:.1} C{c1:.1},{y1:.1} {c2:.1},{y2:.1} {x2:.1},{y2:.1}",
                c1 = x1 + bend,
                c2 = x2 - bend
            )
        };
        let _ = writeln!(
            out,
            "<path class=\"wake\" d=\"{path}\" marker-end=\"url(#arrow)\"><title>wake: {} → {}\
             </title></path>",
            escape(&from.name),
            escape(&to.name)
        );
    }
}

/// FNV-1a: a stable hash (the same colour for a task on every run and every platform).
fn hash(text: &str) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % 1_000_003) as usize
}
