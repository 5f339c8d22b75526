//! Turns the runs into the report: one result model ([`Summary`] per contender and case) and
//! three writers — an aligned text table, Markdown (for the book's performance chapter) and
//! JSON lines (for CI and scripts).

use std::fmt::Write as _;

use crate::job::{Impl, Measurement};
use crate::shapes::{goals, Case, Goal};
use crate::stats::{paired_ratio, Spread};

/// Every run of one contender in one case, in round order.
pub struct Row {
    pub imp: Impl,
    pub n: u64,
    pub runs: Vec<Result<Measurement, String>>,
}

/// A case and its rows.
pub struct CaseResult {
    pub case: Case,
    pub rows: Vec<Row>,
}

/// What the report says about one contender in one case.
pub struct Summary<'a> {
    pub case: &'a Case,
    pub imp: Impl,
    pub n: u64,
    pub ok_runs: usize,
    pub time: Option<Spread>,
    pub bytes: Option<Spread>,
    pub peak_kb: Option<Spread>,
    pub p99: Option<Spread>,
    pub vs_tokio: Option<Spread>,
    pub vs_go: Option<Spread>,
    /// Tasklings rows only: each goal and whether it was met (`None`: no data to tell).
    pub goals: Vec<(Goal, Option<bool>)>,
    pub error: Option<String>,
}

/// The metric ratios are taken on: bytes per task for memory shapes, else time per op.
fn primary(case: &Case, m: &Measurement) -> Option<f64> {
    if case.compares_bytes() {
        m.bytes_per_task
    } else {
        Some(m.ns_per_op)
    }
}

/// Summarises every row of every case; `judge_goals` is false for runs too small to mean
/// anything (smoke sizes), whose rows then carry no goals.
pub fn summarise(results: &[CaseResult], judge_goals: bool) -> Vec<Summary<'_>> {
    let mut out = Vec::new();
    for result in results {
        let case = &result.case;
        let series = |imp: Impl| -> Option<Vec<Option<f64>>> {
            let row = result.rows.iter().find(|r| r.imp == imp)?;
            Some(
                row.runs
                    .iter()
                    .map(|r| r.as_ref().ok().and_then(|m| primary(case, m)))
                    .collect(),
            )
        };
        let (tokio, go) = (series(Impl::Tokio), series(Impl::Go));
        for row in &result.rows {
            let ok: Vec<&Measurement> = row.runs.iter().filter_map(|r| r.as_ref().ok()).collect();
            let mine = series(row.imp).unwrap_or_default();
            let ratio = |reference: &Option<Vec<Option<f64>>>| {
                reference.as_ref().and_then(|r| paired_ratio(&mine, r))
            };
            let mut summary = Summary {
                case,
                imp: row.imp,
                n: row.n,
                ok_runs: ok.len(),
                time: Spread::of(ok.iter().map(|m| m.ns_per_op)),
                bytes: Spread::of(ok.iter().filter_map(|m| m.bytes_per_task)),
                peak_kb: Spread::of(ok.iter().map(|m| m.peak_rss_kb as f64)),
                p99: Spread::of(ok.iter().filter_map(|m| m.p99_ns)),
                vs_tokio: ratio(&tokio),
                vs_go: ratio(&go),
                goals: Vec::new(),
                error: row.runs.iter().find_map(|r| r.as_ref().err().cloned()),
            };
            if judge_goals && row.imp == Impl::Tasklings {
                summary.goals = goals(case.shape)
                    .iter()
                    .map(|&goal| (goal, met(&summary, goal)))
                    .collect();
            }
            out.push(summary);
        }
    }
    out
}

fn met(s: &Summary<'_>, goal: Goal) -> Option<bool> {
    match goal {
        Goal::VsTokio(x) => Some(s.vs_tokio?.median <= x),
        Goal::VsGo(x) => Some(s.vs_go?.median <= x),
        Goal::BytesPerTask(b) => Some(s.bytes?.median <= b),
    }
}

/// The header of a report: machine, workers, runs, command.
pub struct Header {
    pub machine: String,
    pub workers: usize,
    pub runs: usize,
    pub warmup: u32,
    pub size: &'static str,
    pub command: String,
    /// 1-minute load average before the first run and after the last.
    pub load: (String, String),
    pub notes: Vec<String>,
}

/// One JSON object per line, one line per contender and case.
pub fn json(summaries: &[Summary<'_>]) -> String {
    let mut out = String::new();
    for s in summaries {
        let mut line = format!(
            "{{\"shape\": {}, \"impl\": {}, \"n\": {}",
            quote(s.case.shape.name()),
            quote(s.imp.name()),
            s.n
        );
        if s.case.m != 0 {
            let _ = write!(line, ", \"m\": {}", s.case.m);
        }
        let field = |line: &mut String, key: &str, value: Option<f64>| {
            let _ = write!(line, ", \"{key}\": {}", number(value));
        };
        field(&mut line, "median_ns_per_op", s.time.map(|t| t.median));
        field(&mut line, "min_ns_per_op", s.time.map(|t| t.min));
        field(&mut line, "max_ns_per_op", s.time.map(|t| t.max));
        if s.case.compares_bytes() {
            field(&mut line, "bytes_per_task", s.bytes.map(|b| b.median));
            field(&mut line, "min_bytes_per_task", s.bytes.map(|b| b.min));
            field(&mut line, "max_bytes_per_task", s.bytes.map(|b| b.max));
        }
        if s.p99.is_some() {
            field(&mut line, "p99_ns", s.p99.map(|p| p.median));
        }
        field(&mut line, "peak_rss_kb", s.peak_kb.map(|p| p.median));
        let _ = write!(line, ", \"runs\": {}", s.ok_runs);
        field(&mut line, "ratio_to_tokio", s.vs_tokio.map(|r| r.median));
        field(&mut line, "ratio_to_go", s.vs_go.map(|r| r.median));
        let metric = if s.case.compares_bytes() {
            "bytes_per_task"
        } else {
            "ns_per_op"
        };
        let _ = write!(line, ", \"ratio_metric\": {}", quote(metric));
        if !s.goals.is_empty() {
            let goals: Vec<String> = s
                .goals
                .iter()
                .map(|(g, met)| {
                    let met = met.map_or("null".to_string(), |m| m.to_string());
                    format!("{{\"goal\": {}, \"met\": {met}}}", quote(&g.to_string()))
                })
                .collect();
            let _ = write!(line, ", \"goals\": [{}]", goals.join(", "));
        }
        if let Some(e) = &s.error {
            let _ = write!(line, ", \"error\": {}", quote(e));
        }
        line.push('}');
        out.push_str(&line);
        out.push('\n');
    }
    out
}

const COLUMNS: [&str; 10] = [
    "shape",
    "impl",
    "median",
    "min–max",
    "runs",
    "vs tokio",
    "vs go",
    "peak RSS",
    "B/task",
    "goal / note",
];

/// The table's cells, one `Vec` per row.
fn cells(summaries: &[Summary<'_>], runs: usize) -> Vec<[String; 10]> {
    let mut rows = Vec::new();
    let mut last_label = String::new();
    for s in summaries {
        let label = s.case.label();
        let shown_label = if label == last_label {
            String::new()
        } else {
            label.clone()
        };
        last_label = label;
        let ratio = |r: Option<Spread>| {
            r.map_or("–".to_string(), |r| {
                if (r.max - r.min).abs() < 1e-9 {
                    ratio_text(r.median)
                } else {
                    format!(
                        "{} ({}–{})",
                        ratio_text(r.median),
                        ratio_text(r.min),
                        ratio_text(r.max)
                    )
                }
            })
        };
        let mut notes: Vec<String> = s
            .goals
            .iter()
            .map(|(g, met)| {
                let verdict = match met {
                    Some(true) => "met",
                    Some(false) => "MISSED",
                    None => "n/a",
                };
                format!("{g}: {verdict}")
            })
            .collect();
        if let Some(p99) = s.p99 {
            notes.push(format!("p99 {} ns", ns_text(p99.median)));
        }
        if s.n != s.case.n {
            notes.push(format!("n = {}", s.n));
        }
        if let Some(e) = &s.error {
            notes.push(format!("failed: {e}"));
        }
        rows.push([
            shown_label,
            s.imp.name().to_string(),
            s.time.map_or("–".into(), |t| ns_text(t.median)),
            s.time.map_or("–".into(), |t| {
                format!("{}–{}", ns_text(t.min), ns_text(t.max))
            }),
            if s.ok_runs == runs {
                runs.to_string()
            } else {
                format!("{}/{runs}", s.ok_runs)
            },
            ratio(s.vs_tokio),
            ratio(s.vs_go),
            s.peak_kb.map_or("–".into(), |p| mib_text(p.median)),
            if s.case.compares_bytes() {
                s.bytes.map_or("–".into(), |b| format!("{:.0}", b.median))
            } else {
                String::new()
            },
            notes.join("; "),
        ]);
    }
    rows
}

/// The aligned text table, with the legend and goals below it.
pub fn table(header: &Header, summaries: &[Summary<'_>]) -> String {
    let rows = cells(summaries, header.runs);
    let mut widths = COLUMNS.map(|c| c.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w - cell.chars().count();
            // Numbers right-aligned, words left-aligned.
            if (2..=8).contains(&i) {
                let _ = write!(l, "{}{cell}  ", " ".repeat(pad));
            } else {
                let _ = write!(l, "{cell}{}  ", " ".repeat(pad));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    let mut out = format!("{}\n{}\n\n", header.machine, run_line(header));
    out += &line(&COLUMNS.map(String::from));
    for row in &rows {
        out += &line(row);
    }
    out +=
        "\nmedian and min–max over runs, in the shape's unit; vs tokio / vs go: median (min–max)\n";
    out += "of round-by-round ratios in this run (mem_parked: of bytes per task)\n";
    for line in legend(summaries) {
        let _ = writeln!(out, "  {line}");
    }
    let goals = goal_lines(summaries);
    if !goals.is_empty() {
        out += "\ngoals (Tasklings, from this run):\n";
        for line in goals {
            let _ = writeln!(out, "  {line}");
        }
    }
    for note in &header.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// The Markdown table with a header line naming the machine.
pub fn markdown(header: &Header, summaries: &[Summary<'_>]) -> String {
    let mut out = format!(
        "**Machine:** {}  \n**Run:** {}\n\n",
        header.machine,
        run_line(header)
    );
    out += &format!("| {} |\n", COLUMNS.join(" | "));
    out += "|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n";
    for row in cells(summaries, header.runs) {
        let row: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        out += &format!("| {} |\n", row.join(" | "));
    }
    out += "\nMedian and min–max over the runs, in each shape's unit (below). *vs tokio* and *vs go*: \
            median (min–max) of the round-by-round ratios in this run; for `mem_parked`, of bytes \
            per task.\n\n";
    for line in legend(summaries) {
        let _ = writeln!(out, "- {line}");
    }
    let goals = goal_lines(summaries);
    if !goals.is_empty() {
        out += "\n**Goals** (Tasklings, from this run):\n\n";
        for line in goals {
            let _ = writeln!(out, "- {line}");
        }
    }
    if !header.notes.is_empty() {
        out.push('\n');
        for note in &header.notes {
            let _ = writeln!(out, "Note: {note}  ");
        }
    }
    out
}

fn run_line(header: &Header) -> String {
    format!(
        "{} workers · {} runs per contender ({} sizes), {} untimed warm-up iteration(s) per run, \
         each run a fresh process, contenders interleaved · load average {} at start, {} at end · \
         `{}`",
        header.workers,
        header.runs,
        header.size,
        header.warmup,
        header.load.0,
        header.load.1,
        header.command
    )
}

/// One line per case: what its unit is.
fn legend(summaries: &[Summary<'_>]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for s in summaries {
        let line = format!("{}: {}", s.case.label(), s.case.describe());
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

/// The goals block: each Tasklings goal with its number and verdict.
fn goal_lines(summaries: &[Summary<'_>]) -> Vec<String> {
    let mut lines = Vec::new();
    for s in summaries {
        for (goal, met) in &s.goals {
            let value = match goal {
                Goal::VsTokio(_) => s
                    .vs_tokio
                    .map(|r| format!("{}x tokio", ratio_text(r.median))),
                Goal::VsGo(_) => s.vs_go.map(|r| format!("{}x go", ratio_text(r.median))),
                Goal::BytesPerTask(_) => s.bytes.map(|b| format!("{:.0} B/task", b.median)),
            };
            let verdict = match met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "not measured",
            };
            lines.push(format!(
                "{} {goal}: {} — {verdict}",
                s.case.label(),
                value.unwrap_or_else(|| "no data".into())
            ));
        }
    }
    lines
}

/// 12.34 / 123.4 / 1,234.
pub fn ns_text(ns: f64) -> String {
    if !ns.is_finite() {
        return "–".into();
    }
    if ns < 10.0 {
        return format!("{ns:.2}");
    }
    if ns < 100.0 {
        return format!("{ns:.1}");
    }
    let digits = format!("{ns:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio_text(r: f64) -> String {
    if r < 0.1 {
        format!("{r:.3}")
    } else {
        format!("{r:.2}")
    }
}

fn mib_text(kb: f64) -> String {
    format!("{:.1} MiB", kb / 1024.0)
}

fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{v:.0}")
            } else {
                format!("{v:.3}")
            }
        }
        _ => "null".into(),
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
