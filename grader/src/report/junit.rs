//! `--format junit`: JUnit XML as cargo-nextest writes it (the Jenkins flavour that GitLab,
//! CodeGrade and most CI systems read).
//!
//! ```text
//! <testsuites name="tasklings" tests failures errors uuid timestamp time>
//!   <testsuite name=SLUG tests disabled="0" errors failures skipped>     one per exercise
//!     <testcase name=TEST classname=SLUG timestamp time>                 one per test
//!       <failure type="test failure|test timeout|compile error" message=FIRST-LINE>text</failure>
//!       <error type="execution failure" message=FIRST-LINE>text</error>
//!       <skipped message=WHY/>
//!       <system-out>what the test printed</system-out>
//! ```
//!
//! Like nextest: times in seconds with three decimals, `message` holds the first line and the
//! element text the whole message (some readers show only one of them), a passed test has no
//! child. Unlike nextest, a skipped test appears, as `<skipped>`: ours are tests that ran and
//! declared themselves not applicable ("needs 2 CPUs"), which a reader should see.

use std::fmt::Write as _;
use std::time::SystemTime;

use crate::report::printable;
use crate::results::{ExerciseResult, Report, TestKind, TestResult, TestStatus};

/// The report as JUnit XML; `started` is the run's start (the timestamps).
pub fn render(report: &Report, started: SystemTime) -> String {
    let timestamp = rfc3339(started);
    let all: Vec<_> = report.exercises.iter().flat_map(|e| &e.tests).collect();
    let count = |status: TestStatus| all.iter().filter(|t| t.status == status).count();
    let failures = count(TestStatus::Fail) + count(TestStatus::Timeout);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"tasklings\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\" \
         skipped=\"{}\" uuid=\"{}\" timestamp=\"{timestamp}\" time=\"{:.3}\">",
        all.len(),
        count(TestStatus::Error),
        count(TestStatus::Skipped),
        crate::report::uuid_v4(),
        report.elapsed_s
    );
    for exercise in &report.exercises {
        write_suite(&mut xml, exercise, &timestamp);
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// One exercise as a `<testsuite>`: counts, notes as properties, a `<testcase>` per test.
fn write_suite(xml: &mut String, exercise: &ExerciseResult, timestamp: &str) {
    let count = |status: TestStatus| exercise.tests.iter().filter(|t| t.status == status).count();
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" disabled=\"0\" errors=\"{}\" failures=\"{}\" \
         skipped=\"{}\">",
        attr(&exercise.exercise),
        exercise.tests.len(),
        count(TestStatus::Error),
        count(TestStatus::Fail) + count(TestStatus::Timeout),
        count(TestStatus::Skipped),
    );
    if !exercise.notes.is_empty() {
        let properties: String = exercise
            .notes
            .iter()
            .map(|note| format!("      <property name=\"note\" value=\"{}\"/>\n", attr(note)))
            .collect();
        let _ = writeln!(xml, "    <properties>\n{properties}    </properties>");
    }
    for test in &exercise.tests {
        write_case(xml, test, &exercise.exercise, timestamp);
    }
    xml.push_str("  </testsuite>\n");
}

/// One test as a `<testcase>`, with its failure, error or skip, and what it printed.
fn write_case(xml: &mut String, test: &TestResult, exercise: &str, timestamp: &str) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" timestamp=\"{timestamp}\" time=\"{:.3}\"",
        attr(&test.name),
        attr(exercise),
        test.duration_ms as f64 / 1000.0
    );
    let first_line = test.message.lines().next().unwrap_or("");
    let child = match test.status {
        TestStatus::Pass => None,
        TestStatus::Fail => Some(format!(
            "<failure type=\"{}\" message=\"{}\">{}</failure>",
            if test.kind == TestKind::Compile {
                "compile error"
            } else {
                "test failure"
            },
            attr(first_line),
            text(&test.message)
        )),
        TestStatus::Timeout => Some(format!(
            "<failure type=\"test timeout\" message=\"{}\">{}</failure>",
            attr(first_line),
            text(&test.message)
        )),
        TestStatus::Error => Some(format!(
            "<error type=\"execution failure\" message=\"{}\">{}</error>",
            attr(first_line),
            text(&test.message)
        )),
        TestStatus::Skipped => Some(format!("<skipped message=\"{}\"/>", attr(&test.message))),
    };
    let output = (!test.output.trim().is_empty())
        .then(|| format!("<system-out>{}</system-out>", text(&test.output)));
    match (child, output) {
        (None, None) => xml.push_str("/>\n"),
        (child, output) => {
            xml.push_str(">\n");
            for element in [child, output].into_iter().flatten() {
                let _ = writeln!(xml, "      {element}");
            }
            xml.push_str("    </testcase>\n");
        }
    }
}

/// Escaped for an attribute value (newlines kept as character references).
fn attr(value: &str) -> String {
    text(value)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// Escaped for element text, without characters XML forbids.
fn text(value: &str) -> String {
    printable(value)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `2024-01-09T07:50:12.664+00:00`.
pub fn rfc3339(time: SystemTime) -> String {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339_in_utc() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_786_612_664);
        assert_eq!(rfc3339(time), "2024-01-09T07:50:12.664+00:00");
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000+00:00"
        );
    }
}
