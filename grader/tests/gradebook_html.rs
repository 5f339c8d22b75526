//! `gradebook.html`, the page a batch writes for the instructor, opened in a real headless
//! Chromium: it renders (the charts have a size, bars with submissions are drawn, nothing runs
//! off the side), every number on it matches `gradebook.json` and the students' reports, its
//! links lead to the reports, a student named like markup stays text, and it loads nothing
//! from anywhere. A screenshot is taken on the way (TASKLINGS_SCREENSHOT=FILE keeps it).
//!
//! Needs Chromium (`apt-get install -y chromium`; `.ci/run` installs it); TASKLINGS_CHROMIUM
//! names another binary.

// Unix only: class grading, whose sandbox is Unix-only.
#![cfg(unix)]

mod class_fixture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use class_fixture::{gradebook, json_file, run, shown, Class, Pack};
use serde_json::Value;

const GOOD_ADDER: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.wrapping_add(*v)) }\n";
const WRONG_ADDER: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.saturating_add(*v)) }\n";
/// A student whose folder name is markup: it must show as text.
const MARKUP: &str = "<b>zoe & \"co\"";

/// What the probe script reads from the rendered page (the test's own script, added to a copy
/// of the page: the page itself runs none). Its JSON goes into `<pre id="probe">`,
/// percent-encoded so that the dumped DOM holds it verbatim.
const PROBE: &str = r#"<script>
(function () {
  const all = (root, sel) => Array.from(root.querySelectorAll(sel));
  const text = (root, sel) => { const e = root.querySelector(sel); return e ? e.textContent.trim() : null; };
  const size = e => { const b = e.getBoundingClientRect(); return [b.width, b.height]; };
  const out = {
    summary: ['students', 'submissions', 'passing'].map(c => text(document, '#summary .' + c)),
    exercises: all(document, '#exercises tr[data-exercise]').map(r => ({
      slug: r.dataset.exercise,
      numbers: ['submissions', 'passing', 'compile-errors', 'missing', 'mean', 'max'].map(c => text(r, '.' + c)),
    })),
    histograms: all(document, 'svg.histogram').map(s => ({
      slug: s.dataset.exercise, size: size(s),
      bars: all(s, 'rect.bar').map(b => [Number(b.dataset.count), size(b)[1]]),
    })),
    tests: all(document, '#tests tr[data-test]').map(r => ({
      exercise: r.dataset.exercise, test: r.dataset.test,
      numbers: ['failed', 'ran', 'rate'].map(c => text(r, '.' + c)),
    })),
    slowest: all(document, '#slowest tr').filter(r => r.querySelector('td')).map(r => ({
      student: text(r, '.student'), exercise: text(r, '.exercise'),
      ms: Number(r.querySelector('.duration').dataset.ms), shown: text(r, '.duration'),
    })),
    students: all(document, '#students tr[data-student]').map(r => ({
      student: r.dataset.student, shown: r.cells[0].textContent, total: text(r, '.total'),
      links: all(r, 'a').map(a => a.getAttribute('href')),
    })),
    markup_elements: all(document, "body b").length,
    overflows: document.documentElement.scrollWidth > window.innerWidth,
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = encodeURIComponent(JSON.stringify(out));
  document.body.appendChild(pre);
})();
</script>"#;

/// The Chromium binary: TASKLINGS_CHROMIUM, else the first of the usual names on PATH.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("TASKLINGS_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            if dir.join(name).is_file() {
                return dir.join(name);
            }
        }
    }
    panic!(
        "this test needs Chromium: `apt-get install -y chromium` (.ci/run's tools step installs \
         it), or name a binary in TASKLINGS_CHROMIUM"
    );
}

/// Runs headless Chromium with `args` on `page` (1200×1600 window); returns what it printed.
fn headless(page: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        // As root (CI), Chromium's own sandbox can't start; the page is our own file.
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args(["--hide-scrollbars", "--window-size=1200,1600"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    // A guard against a browser that never ends, not a measurement: generous on a busy machine.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("Chromium didn't finish with {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "Chromium failed: {}",
        shown(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Undoes `encodeURIComponent`.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            decoded.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).unwrap()
}

/// What the probe read from the page at `out/gradebook.html` as Chromium rendered it.
fn probed(out: &Path) -> Value {
    let page = std::fs::read_to_string(out.join("gradebook.html")).unwrap();
    // The copy runs the probe: the page's policy (no script at all) is lifted for it alone.
    let policy_start = page
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let policy_end = policy_start + page[policy_start..].find('>').unwrap() + 1;
    let copy = format!("{}{}", &page[..policy_start], &page[policy_end..])
        .replace("</body>", &format!("{PROBE}</body>"));
    let probe_page = out.join("probe.html"); // beside the page: the same relative links
    std::fs::write(&probe_page, copy).unwrap();
    let dom = headless(&probe_page, &["--dump-dom".to_owned()]);
    let start = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    serde_json::from_str(&percent_decoded(&dom[start..end])).unwrap()
}

/// The bin of a score, as the page bins them: tenths of the maximum, full marks apart.
fn bin(score: f64, max: f64) -> usize {
    let share = if max > 0.0 { score / max } else { 1.0 };
    if share >= 1.0 {
        10
    } else {
        ((share * 10.0).floor() as usize).min(9)
    }
}

fn as_f64(value: &Value) -> f64 {
    value.as_f64().unwrap()
}

/// Grades a class of four (a pass, a fail, a compile error named like markup, a missing
/// submission) into `out`.
fn graded_class(pack: &Pack, out: &Path) {
    let class = Class::new();
    class.write("ann", "adder", "src/lib.rs", GOOD_ADDER);
    class.write("bob", "adder", "src/lib.rs", WRONG_ADDER);
    class.write(
        MARKUP,
        "adder",
        "src/lib.rs",
        "pub fn add(a: u64) -> u64 { a }\n",
    );
    class.folder("dee", "misbehave");
    let output = run(pack
        .grader()
        .args(["batch", "--jobs", "2", "--exercise", "adder"])
        .arg(class.dir())
        .arg("-o")
        .arg(out));
    assert_eq!(output.status.code(), Some(1), "{}", shown(&output));
}

#[test]
fn the_page_renders_in_chromium_and_its_numbers_are_the_gradebooks() {
    let pack = Pack::new();
    let out = tempfile::tempdir().unwrap();
    graded_class(&pack, out.path());
    let page = std::fs::read_to_string(out.path().join("gradebook.html")).unwrap();
    for outside in [
        "http:", "https:", "<script", "<link", " src=", "@import", "url(",
    ] {
        assert!(
            !page.contains(outside),
            "self-contained, yet `{outside}`:\n{page}"
        );
    }
    // As written (no probe): Chromium parses it, under its own no-request policy.
    let dom = headless(
        &out.path().join("gradebook.html"),
        &["--dump-dom".to_owned()],
    );
    assert!(
        dom.contains("id=\"tests\"") && dom.contains("class=\"histogram\""),
        "{dom}"
    );

    let seen = probed(out.path());
    assert_eq!(
        seen["overflows"], false,
        "nothing runs off a 1200 px window: {seen:#}"
    );
    assert_eq!(
        seen["markup_elements"], 0,
        "a name is text, not markup: {seen:#}"
    );
    let rows = gradebook(out.path());
    exercises_match(&seen, &rows);
    tests_match(&seen, out.path());
    slowest_match(&seen, &rows);
    students_match(&seen, &rows, out.path());

    let screenshot = std::env::var_os("TASKLINGS_SCREENSHOT")
        .map_or_else(|| out.path().join("gradebook.png"), PathBuf::from);
    headless(
        &out.path().join("gradebook.html"),
        &[format!("--screenshot={}", screenshot.display())],
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1200, "a screenshot of the window");
}

/// The summary, the exercise table and the histograms against gradebook.json.
fn exercises_match(seen: &Value, rows: &BTreeMap<(String, String), Value>) {
    let all: Vec<&Value> = rows.values().collect();
    let passing = all.iter().filter(|r| r["status"] == "pass").count();
    let students = rows
        .keys()
        .map(|(s, _)| s)
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        seen["summary"],
        serde_json::json!([
            students.len().to_string(),
            all.len().to_string(),
            passing.to_string()
        ])
    );
    let exercise = &seen["exercises"][0];
    assert_eq!(exercise["slug"], "adder");
    let count = |status: &str| all.iter().filter(|r| r["status"] == status).count();
    let mean = all.iter().map(|r| as_f64(&r["score"])).sum::<f64>() / all.len() as f64;
    let max = all
        .iter()
        .map(|r| as_f64(&r["max_score"]))
        .fold(0.0, f64::max);
    let numbers: Vec<String> = exercise["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        numbers,
        [
            all.len().to_string(),
            count("pass").to_string(),
            count("compile_error").to_string(),
            "1".to_owned(), // dee handed nothing in
            format!("{mean:.1}"),
            format!("{max}"),
        ]
    );
    let histogram = &seen["histograms"][0];
    let size = histogram["size"].as_array().unwrap();
    assert!(
        as_f64(&size[0]) > 100.0 && as_f64(&size[1]) > 50.0,
        "{histogram}"
    );
    let mut bins = [0u64; 11];
    for row in &all {
        bins[bin(as_f64(&row["score"]), as_f64(&row["max_score"]))] += 1;
    }
    let bars = histogram["bars"].as_array().unwrap();
    for (bar, expected) in bars.iter().zip(bins) {
        assert_eq!(bar[0].as_u64(), Some(expected), "{histogram}");
        assert_eq!(
            as_f64(&bar[1]) > 0.0,
            expected > 0,
            "drawn iff counted: {histogram}"
        );
    }
    assert_eq!(bars.len(), 11);
}

/// The failure rate of each hidden test against the students' reports.
fn tests_match(seen: &Value, out: &Path) {
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for entry in std::fs::read_dir(out.join("students")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "json") {
            let report = json_file(&entry.path());
            for test in report["exercises"][0]["tests"].as_array().unwrap() {
                if test["kind"] == "compile" || test["status"] == "skipped" {
                    continue;
                }
                let counts = expected
                    .entry(test["name"].as_str().unwrap().to_owned())
                    .or_default();
                counts.1 += 1;
                counts.0 += u64::from(test["status"] != "pass");
            }
        }
    }
    let shown: BTreeMap<String, (u64, u64)> = seen["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let number = |i: usize| {
                t["numbers"][i]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            (
                t["test"].as_str().unwrap().to_owned(),
                (number(0), number(1)),
            )
        })
        .collect();
    assert_eq!(shown, expected, "{seen:#}");
    let rates: Vec<f64> = seen["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["numbers"][2]
                .as_str()
                .unwrap()
                .trim_end_matches(" %")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(
        rates.windows(2).all(|w| w[0] >= w[1]),
        "most failed first: {rates:?}"
    );
    assert!(rates[0] > 0.0, "bob's wrong adder fails a test: {rates:?}");
}

/// The slowest submissions: gradebook.json's durations, slowest first.
fn slowest_match(seen: &Value, rows: &BTreeMap<(String, String), Value>) {
    let slowest = seen["slowest"].as_array().unwrap();
    let mut durations: Vec<u64> = rows
        .values()
        .filter(|r| r["duration_ms"].as_u64() > Some(0))
        .map(|r| r["duration_ms"].as_u64().unwrap())
        .collect();
    durations.sort_unstable_by(|a, b| b.cmp(a));
    let shown: Vec<u64> = slowest.iter().map(|s| s["ms"].as_u64().unwrap()).collect();
    assert_eq!(shown, durations, "three graded submissions, slowest first");
    for row in slowest {
        let key = (
            row["student"].as_str().unwrap().to_owned(),
            row["exercise"].as_str().unwrap().to_owned(),
        );
        let ms = rows[&key]["duration_ms"].as_u64().unwrap();
        assert_eq!(row["ms"].as_u64(), Some(ms), "{row}");
        assert_eq!(row["shown"], format!("{:.1} s", ms as f64 / 1000.0));
    }
}

/// A line per student with their total and links to reports that exist.
fn students_match(seen: &Value, rows: &BTreeMap<(String, String), Value>, out: &Path) {
    let students = seen["students"].as_array().unwrap();
    let names: Vec<&str> = students
        .iter()
        .map(|s| s["student"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = rows.keys().map(|(s, _)| s.as_str()).collect();
    expected.dedup();
    assert_eq!(names, expected);
    for student in students {
        let name = student["student"].as_str().unwrap();
        assert_eq!(student["shown"], name, "shown as text");
        let row = &rows[&(name.to_owned(), "adder".to_owned())];
        assert_eq!(
            student["total"],
            format!("{}/{}", as_f64(&row["score"]), as_f64(&row["max_score"]))
        );
        let links = student["links"].as_array().unwrap();
        assert_eq!(links.len(), 2, "{student}");
        for link in links {
            let target = out.join(link.as_str().unwrap());
            assert!(target.is_file(), "{name}'s link {link} leads nowhere");
        }
    }
}
