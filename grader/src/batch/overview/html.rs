//! The page itself: one HTML document with its CSS inline, in four sections (see `overview`).
//! Every text that comes from a submission folder or a test (student and test names, titles)
//! is escaped; student names are folder names, and a folder may be called `<script>`.
//!
//! Cells carry a `class` naming the number they hold, so a reader of the DOM (the test in
//! `grader/tests/gradebook_html.rs`) can find each one.

use std::fmt::Write as _;

use super::{svg, ExerciseStats, Overview, TestStats};
use crate::batch::gradebook::number;
use crate::batch::journal::Entry;
use crate::results::ExerciseStatus;

/// The style sheet: readable on a laptop screen and printable.
const STYLE: &str = "
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; }
h1 { margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.summary { color: #444; }
.exercises { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
             gap: 1em; }
.exercise { border: 1px solid #ddd; border-radius: 6px; padding: .6em .8em; }
.exercise h3 { margin: 0 0 .4em; font-size: 1em; }
.exercise p { margin: .3em 0 0; font-size: .9em; color: #444; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .2em .7em; text-align: left; border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.st-pass { color: #2e7d32; } .st-fail, .st-compile_error, .st-timeout, .st-error { color: #c62828; }
code { font-size: .9em; } td code { white-space: nowrap; }
#exercises { margin-top: 1em; }
";

/// Escapes `text` for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The whole page.
pub(super) fn page(overview: &Overview<'_>) -> String {
    let students = overview.students.len();
    let submissions: usize = overview.exercises.iter().map(|e| e.submissions).sum();
    let passing: usize = overview.exercises.iter().map(|e| e.passing).sum();
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Gradebook: {students} students</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Gradebook</h1>\n<p class=\"summary\" id=\"summary\"><span class=\"students\">\
         {students}</span> students, <span class=\"submissions\">{submissions}</span> \
         submissions, <span class=\"passing\">{passing}</span> passing. Spreadsheet: \
         <a href=\"gradebook.csv\">gradebook.csv</a>, \
         <a href=\"gradebook.json\">gradebook.json</a>.</p>\n"
    );
    exercises(&mut html, &overview.exercises);
    tests(&mut html, &overview.tests);
    slowest(&mut html, overview);
    student_table(&mut html, overview);
    html.push_str("</body>\n</html>\n");
    html
}

/// Each exercise: a card with its distribution, then a table of the numbers.
fn exercises(html: &mut String, exercises: &[ExerciseStats]) {
    html.push_str(
        "<h2>Exercises</h2>\n<p>How the scores spread: submissions per tenth of the points \
         (0 = 0–9 %, …, 100 = full marks).</p>\n<div class=\"exercises\">\n",
    );
    for exercise in exercises {
        let slug = escape(&exercise.slug);
        let _ = writeln!(
            html,
            "<section class=\"exercise\" data-exercise=\"{slug}\"><h3>{} <code>{slug}</code>\
             </h3>{}<p>{} of {} pass; mean {} of {} points.</p></section>",
            escape(&exercise.title),
            svg::histogram(&exercise.slug, &exercise.bins),
            exercise.passing,
            exercise.submissions,
            mean(exercise.mean),
            number(exercise.max_score)
        );
    }
    html.push_str(
        "</div>\n<table id=\"exercises\">\n<tr><th>Exercise</th><th class=\"n\">Submissions\
         </th><th class=\"n\">Pass</th><th class=\"n\">Don't compile</th><th class=\"n\">\
         Not handed in</th><th class=\"n\">Mean score</th><th class=\"n\">Of</th></tr>\n",
    );
    for exercise in exercises {
        let _ = writeln!(
            html,
            "<tr data-exercise=\"{slug}\"><td><code>{slug}</code></td>\
             <td class=\"n submissions\">{}</td><td class=\"n passing\">{}</td>\
             <td class=\"n compile-errors\">{}</td><td class=\"n missing\">{}</td>\
             <td class=\"n mean\">{}</td><td class=\"n max\">{}</td></tr>",
            exercise.submissions,
            exercise.passing,
            exercise.compile_errors,
            exercise.missing,
            mean(exercise.mean),
            number(exercise.max_score),
            slug = escape(&exercise.slug)
        );
    }
    html.push_str("</table>\n");
}

/// A mean score, to one decimal.
fn mean(value: f64) -> String {
    format!("{value:.1}")
}

/// The hidden tests, most failed first.
fn tests(html: &mut String, tests: &[TestStats]) {
    html.push_str(
        "<h2>Which tests trip the class</h2>\n<p>Each hidden test: of the submissions that \
         built and ran it (skipped runs not counted), how many failed it, timed out or \
         errored.</p>\n<table id=\"tests\">\n<tr><th>Exercise</th><th>Test</th><th>Kind</th>\
         <th class=\"n\">Failed</th><th class=\"n\">Ran</th><th class=\"n\">Rate</th><th></th>\
         </tr>\n",
    );
    for test in tests {
        let timed_out = if test.timed_out > 0 {
            format!(" ({} timed out)", test.timed_out)
        } else {
            String::new()
        };
        let _ = writeln!(
            html,
            "<tr data-exercise=\"{}\" data-test=\"{}\"><td><code>{}</code></td><td><code>{}\
             </code></td><td>{}</td><td class=\"n failed\">{}{timed_out}</td>\
             <td class=\"n ran\">{}</td><td class=\"n rate\">{} %</td><td>{}</td></tr>",
            escape(&test.exercise),
            escape(&test.name),
            escape(&test.exercise),
            escape(&test.name),
            test.kind.as_str(),
            test.failed,
            test.ran,
            (test.rate() * 100.0).round(),
            svg::bar(test.rate(), "#c62828")
        );
    }
    html.push_str("</table>\n");
}

/// The slowest submissions to grade.
fn slowest(html: &mut String, overview: &Overview<'_>) {
    html.push_str(
        "<h2>Slowest submissions</h2>\n<p>Wall time of grading each (build and tests): where \
         a batch spends its time.</p>\n<table id=\"slowest\">\n<tr><th>Student</th>\
         <th>Exercise</th><th>Verdict</th><th class=\"n\">Time</th><th></th></tr>\n",
    );
    let longest = overview.slowest.first().map_or(1, |e| e.duration_ms.max(1));
    for entry in &overview.slowest {
        let status = entry.result.status.as_str();
        let _ = writeln!(
            html,
            "<tr><td class=\"student\">{}</td><td class=\"exercise\"><code>{}</code></td>\
             <td class=\"st-{status}\">{status}</td><td class=\"n duration\" data-ms=\"{}\">\
             {:.1} s</td><td>{}</td></tr>",
            link(overview, &entry.student, "txt", &entry.student),
            escape(&entry.exercise),
            entry.duration_ms,
            entry.duration_ms as f64 / 1000.0,
            svg::bar(entry.duration_ms as f64 / longest as f64, "#5472d3")
        );
    }
    html.push_str("</table>\n");
}

/// A link to `student`'s report of `kind` (txt or json).
fn link(overview: &Overview<'_>, student: &str, kind: &str, text: &str) -> String {
    let name = overview
        .names
        .get(student)
        .cloned()
        .unwrap_or_else(|| crate::batch::gradebook::file_name(student));
    format!(
        "<a href=\"students/{}.{kind}\">{}</a>",
        escape(&name),
        escape(text)
    )
}

/// Every student: a score per exercise, the total, and their reports.
fn student_table(html: &mut String, overview: &Overview<'_>) {
    html.push_str("<h2>Students</h2>\n<table id=\"students\">\n<tr><th>Student</th>");
    for slug in overview.order {
        if overview.exercises.iter().any(|e| &e.slug == slug) {
            let _ = write!(html, "<th class=\"n\"><code>{}</code></th>", escape(slug));
        }
    }
    html.push_str("<th class=\"n\">Total</th><th>Reports</th></tr>\n");
    for (student, entries) in &overview.students {
        let _ = write!(
            html,
            "<tr data-student=\"{}\"><td>{}</td>",
            escape(student),
            escape(student)
        );
        for exercise in &overview.exercises {
            let _ = write!(html, "{}", score_cell(entries, &exercise.slug));
        }
        let score: f64 = entries.iter().map(|e| e.result.score).sum();
        let max: f64 = entries.iter().map(|e| e.result.max_score).sum();
        let _ = writeln!(
            html,
            "<td class=\"n total\">{}/{}</td><td>{} {}</td></tr>",
            number(score),
            number(max),
            link(overview, student, "txt", "report"),
            link(overview, student, "json", "json")
        );
    }
    html.push_str("</table>\n");
}

/// A student's cell for `slug`: score/max in the verdict's colour, empty without an entry.
fn score_cell(entries: &[&Entry], slug: &str) -> String {
    match entries.iter().find(|e| e.exercise == slug) {
        Some(entry) => {
            let status = entry.result.status;
            let title = match status {
                ExerciseStatus::Pass => String::new(),
                other => format!(" title=\"{}\"", other.as_str()),
            };
            format!(
                "<td class=\"n score st-{}\" data-exercise=\"{}\"{title}>{}/{}</td>",
                status.as_str(),
                escape(slug),
                number(entry.result.score),
                number(entry.result.max_score)
            )
        }
        None => "<td></td>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
