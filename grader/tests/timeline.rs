//! `grader timeline`: a trace-event file becomes one self-contained HTML page, checked in a real
//! headless Chromium — the browser lays the page out, a probe script (added to a copy, never to
//! the product) measures what it drew, and the counts of lanes, polls, wake arrows and instants
//! must match the trace as read here, independently of the grader's reader. A screenshot is
//! written to `target/tasklings/timeline-test/` for a person to look at.
//!
//! Chromium comes from `.ci/run`'s tools step (`apt-get install chromium`); a machine without it
//! fails this test with what to install (it never passes without the browser). Set
//! `TASKLINGS_CHROMIUM` to use another Chromium or Chrome binary.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What a trace holds, counted straight from its JSON.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    lanes: usize,
    polls: usize,
    wakes: usize,
    instants: usize,
}

/// Lanes: threads with an event or a name (a process's name is not a lane); polls: `X` and `B` events; instants: `i`/`I`;
/// wakes: flow ids with both a start and an end.
fn counts_of(trace: &Value) -> Counts {
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    let mut threads = HashSet::new();
    let (mut polls, mut instants) = (0, 0);
    let mut flows: HashMap<String, (bool, bool)> = HashMap::new();
    for event in events {
        let ph = event["ph"].as_str().unwrap_or_default();
        if event["name"] == "process_name" {
            continue;
        }
        threads.insert((event["pid"].to_string(), event["tid"].to_string()));
        match ph {
            "X" | "B" => polls += 1,
            "i" | "I" => instants += 1,
            "s" | "f" => {
                let ends = flows.entry(event["id"].to_string()).or_default();
                if ph == "s" {
                    ends.0 = true;
                } else {
                    ends.1 = true;
                }
            }
            _ => {}
        }
    }
    Counts {
        lanes: threads.len(),
        polls,
        wakes: flows.values().filter(|(s, f)| *s && *f).count(),
        instants,
    }
}

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("TASKLINGS_CHROMIUM") {
        return PathBuf::from(path);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new(name).arg("--version").output();
        if found.is_ok_and(|out| out.status.success()) {
            return PathBuf::from(name);
        }
    }
    panic!(
        "this test opens the timeline in a real browser and found none: install Chromium as \
         .ci/run's tools step does (`apt-get install chromium`), or set TASKLINGS_CHROMIUM to a \
         Chromium or Chrome binary"
    );
}

/// Runs headless Chromium on `page` with `args` and returns what it printed on stdout.
fn headless(page: &Path, args: &[&str]) -> String {
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args([
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("Chromium starts");
    assert!(
        output.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

/// Measures the laid-out page in the browser and leaves the numbers in the DOM: only elements
/// the browser actually drew with a size count.
const PROBE: &str = r#"<script>
const drawn = (selector) => [...document.querySelectorAll(selector)].filter((el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}).length;
const svg = document.querySelector('.viewport svg');
const wakes = [...document.querySelectorAll('svg path.wake')].filter((p) => p.getTotalLength() > 10);
document.body.setAttribute('data-measured', JSON.stringify({
  lanes: drawn('svg g.lane rect'),
  polls: drawn('svg g.poll rect'),
  wakes: wakes.length,
  instants: drawn('svg g.instant path'),
  svg_width: svg.getBoundingClientRect().width,
  labels: document.querySelectorAll('svg g.poll text').length,
}));
</script>"#;

fn measured(dom: &str) -> Value {
    let start = dom.find("data-measured=\"").expect("the probe ran") + "data-measured=\"".len();
    let end = start + dom[start..].find('"').unwrap();
    serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).unwrap()
}

fn check_self_contained(html: &str) {
    for banned in [
        "<script", "<link", "<img", "<iframe", "http:", "https:", "src=", "@import",
    ] {
        assert!(
            !html.contains(banned),
            "the page must be self-contained: it has {banned:?}"
        );
    }
    let urls: HashSet<&str> = html
        .match_indices("url(")
        .map(|(i, _)| &html[i..i + 11])
        .collect();
    assert!(
        urls.iter().all(|url| *url == "url(#arrow)"),
        "only the page's own arrow marker may be referenced: {urls:?}"
    );
}

/// Draws `trace` with the real CLI, checks the page, and opens it in Chromium; returns the
/// counts the browser measured and the screenshot's path.
fn draw_and_open(trace: &Path, name: &str) -> (Value, PathBuf) {
    let dir = common::target_dir().join("tasklings").join("timeline-test");
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join(format!("{name}.html"));
    let out = common::grader()
        .arg("timeline")
        .arg(trace)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(printed.starts_with("wrote "), "{printed}");
    let page = std::fs::read_to_string(&html).unwrap();
    check_self_contained(&page);

    let probed = dir.join(format!("{name}-probed.html"));
    std::fs::write(&probed, page.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let dom = headless(&probed, &["--dump-dom"]);
    let png = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    headless(
        &html,
        &[
            "--window-size=1400,700",
            &format!("--screenshot={}", png.display()),
        ],
    );
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 5_000, "the screenshot {} is empty", png.display());
    (measured(&dom), png)
}

#[test]
fn a_hand_written_trace_draws_every_lane_poll_wake_and_instant() {
    let trace_path = common::fixtures().join("traces").join("hand_written.json");
    let trace: Value =
        serde_json::from_str(&std::fs::read_to_string(&trace_path).unwrap()).unwrap();
    let expected = counts_of(&trace);
    let (got, png) = draw_and_open(&trace_path, "hand_written");
    let got_counts = Counts {
        lanes: got["lanes"].as_u64().unwrap() as usize,
        polls: got["polls"].as_u64().unwrap() as usize,
        wakes: got["wakes"].as_u64().unwrap() as usize,
        instants: got["instants"].as_u64().unwrap() as usize,
    };
    assert_eq!(
        got_counts,
        expected,
        "drawn in Chromium vs in the trace ({})",
        png.display()
    );
    assert!(
        got["labels"].as_u64().unwrap() > 0,
        "some polls are labelled by task"
    );
    println!("screenshot: {}", png.display());
}

/// The runtime's own trace of a spawn storm (the book's, smaller) under a seed: one task spawns
/// twelve on two simulated workers.
fn spawn_storm_trace(path: &Path) {
    let rt = runtime::Runtime::builder()
        .deterministic(42)
        .trace(path)
        .build()
        .expect("a deterministic runtime starts");
    let total = rt.block_on(async {
        let spawner = runtime::spawn(async {
            let children: Vec<_> = (0..12_u64)
                .map(|i| runtime::spawn(async move { i % 7 }))
                .collect();
            let mut total = 0;
            for child in children {
                total += child.await.expect("no panics here");
            }
            total
        });
        spawner.await.expect("no panics here")
    });
    assert_eq!(total, 31);
    drop(rt); // the trace is written when the runtime is dropped
}

#[test]
fn a_real_trace_from_the_runtime_draws_every_lane_poll_wake_and_instant() {
    let dir = common::target_dir().join("tasklings").join("timeline-test");
    std::fs::create_dir_all(&dir).unwrap();
    let trace_path = dir.join("spawn_storm.json");
    spawn_storm_trace(&trace_path);
    let trace: Value =
        serde_json::from_str(&std::fs::read_to_string(&trace_path).unwrap()).unwrap();
    let expected = counts_of(&trace);
    assert!(expected.polls >= 13 && expected.wakes >= 12, "{expected:?}");
    let (got, png) = draw_and_open(&trace_path, "spawn_storm");
    let got_counts = Counts {
        lanes: got["lanes"].as_u64().unwrap() as usize,
        polls: got["polls"].as_u64().unwrap() as usize,
        wakes: got["wakes"].as_u64().unwrap() as usize,
        instants: got["instants"].as_u64().unwrap() as usize,
    };
    assert_eq!(
        got_counts,
        expected,
        "drawn in Chromium vs in the trace ({})",
        png.display()
    );
    println!("screenshot: {}", png.display());
}

#[test]
fn a_file_that_is_not_a_trace_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.json");
    std::fs::write(&bad, "{\"hello\": 1}").unwrap();
    let out = common::grader().arg("timeline").arg(&bad).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("not a Chrome trace"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let missing = dir.path().join("missing.json");
    let out = common::grader()
        .arg("timeline")
        .arg(&missing)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("can't read the trace"), "{stderr}");
}
