//! The book's examples, run: every example in `runtime/examples/` runs here (with short inputs
//! where the book's take long), and its output must match the copy committed in
//! `book/generated/` — up to what legitimately varies between runs, which each run declares
//! (see [`Vary`]). Every `book/compile_fail/*.rs` must fail to compile with exactly the error
//! committed beside it (`.stderr`). So the book can't show an output the code no longer prints.
//!
//! Regenerate everything (release build, one run at a time, book-sized inputs):
//!
//!     book/generate.sh
//!
//! which is `TASKLINGS_BOOK=update cargo test --release -p runtime --test book_examples -- --test-threads=1`.
//! Check only: `cargo test -p runtime --test book_examples`.
//!
//! The example binaries are found next to this test's executable (`target/<profile>/examples/`),
//! where `cargo test` puts them; when one is missing or older than its sources (a run of this
//! test alone, `--test book_examples`, doesn't build examples) the test builds them first.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// What may differ between two correct runs of an example, so the check ignores it. Each rule
/// names the flakiness it removes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Vary {
    /// Clock readings: a number followed by `ns`, `µs`, `us`, `ms` or `s` (machine speed, load).
    Timings,
    /// Every number: measurements (memory, counters, ratios), machine sizes (CPU counts) and the
    /// input sizes that the check shrinks; and runs of spaces (columns padded to those numbers).
    Numbers,
    /// The order of lines: tasks that finish at nearly the same moment, on different workers.
    LineOrder,
    /// Counts that follow from the machine's CPU count: the numbers on the lines that start
    /// with `available_parallelism` or `runtime::workers()`.
    CpuCount,
}

/// One run of an example, as the book shows it.
struct Run {
    example: &'static str,
    /// Arguments of the run the book shows.
    args: &'static [&'static str],
    /// Smaller arguments for the check (then `Vary::Numbers` must be declared); `None`: the book's.
    quick: Option<&'static [&'static str]>,
    env: &'static [(&'static str, &'static str)],
    /// The output file, `book/generated/<output>.txt`.
    output: &'static str,
    /// Prints measurements: the generated file starts with a line naming the machine.
    measured: bool,
    /// Its output has a different shape without Linux's `/proc` ("n/a" for memory): elsewhere
    /// the check only runs it.
    needs_proc: bool,
    /// Draws its measurements (`--svg FILE --note TEXT`) as `book/src/charts/<output>.svg`, in
    /// the same run that prints the text.
    chart: bool,
    vary: &'static [Vary],
}

const fn run(example: &'static str, vary: &'static [Vary]) -> Run {
    Run {
        example,
        args: &[],
        quick: None,
        env: &[],
        output: example,
        measured: false,
        needs_proc: false,
        chart: false,
        vary,
    }
}

const fn measured(
    example: &'static str,
    args: &'static [&'static str],
    quick: &'static [&'static str],
    vary: &'static [Vary],
) -> Run {
    Run {
        example,
        args,
        quick: Some(quick),
        env: &[],
        output: example,
        measured: true,
        needs_proc: false,
        chart: false,
        vary,
    }
}

use Vary::*;

/// Every run of every example. The book includes `book/generated/<output>.txt`.
const RUNS: &[Run] = &[
    // Tasks vs OS threads
    Run {
        needs_proc: true,
        ..measured(
            "tasks_vs_threads",
            &["100000", "2000"],
            &["500", "10"],
            &[Numbers],
        )
    },
    // Your first task
    run("first_task", &[LineOrder]),
    run("main_returns", &[]),
    // Spawning 10,000 tasks
    Run {
        args: &["10000", "1000"],
        measured: true,
        // Numbers: times, and the machine's worker count.
        ..run("ten_thousand", &[Numbers])
    },
    // The scheduler
    measured("scheduler_tour", &["100000"], &["2000"], &[Numbers]),
    measured("no_preemption", &["300"], &["100"], &[Numbers]),
    // Workers
    run("workers", &[CpuCount]),
    Run {
        env: &[("TASKLINGS_WORKERS", "3")],
        output: "workers-env3",
        ..run("workers", &[CpuCount])
    },
    // Lifecycle, WaitGroup, loop capture
    run("lifecycle", &[]),
    run("waitgroup", &[LineOrder]),
    measured("add_inside_task", &["1000"], &["200"], &[Numbers]),
    run("scoped_threads", &[]),
    run("joinset", &[LineOrder]),
    run("loop_capture", &[]),
    // Concurrency vs parallelism
    Run {
        env: &[("TASKLINGS_WORKERS", "1")],
        output: "concurrency_vs_parallelism-1",
        chart: true,
        ..measured("concurrency_vs_parallelism", &[], &["20000"], &[Numbers])
    },
    Run {
        env: &[("TASKLINGS_WORKERS", "2")],
        output: "concurrency_vs_parallelism-2",
        chart: true,
        ..measured("concurrency_vs_parallelism", &[], &["20000"], &[Numbers])
    },
    // CPU-, memory-, I/O-bound
    Run {
        chart: true,
        ..measured("bound_by", &["256"], &["4"], &[Numbers])
    },
    measured("io_bound", &["20", "100"], &["4", "20"], &[Numbers]),
    // Races and their fixes
    measured("lost_update", &["10000000"], &["20000"], &[Numbers]),
    run("loom_lost_update", &[]),
    run("fixing_races", &[]),
    measured("sync_costs", &["1000000"], &["20000"], &[Numbers]),
    // Leaks and cancellation
    run("task_leak", &[]),
    run("cancellation", &[LineOrder]),
    run("drop_abort_detach", &[]),
    // URL fetcher and scraper
    Run {
        args: &["100"],
        quick: Some(&["20"]),
        measured: true,
        ..run("url_fetcher", &[Numbers])
    },
    Run {
        args: &["3"],
        ..run("web_scraper", &[])
    },
    // Best practices, patterns, debugging
    run("guard_scope", &[]),
    run("fire_and_forget", &[LineOrder]),
    run("fan_out_fan_in", &[]),
    run("worker_pool", &[]),
    run("semaphore", &[]),
    run("deadlock", &[Timings]),
    // Spawning 10,000 tasks: finished in any order, returned in spawn order (spawn-many)
    run("finish_order", &[Timings]),
    // The life of a task: stopping the losers (task-lifecycle's exercise)
    run("abort_then_await", &[]),
    // WaitGroup: the lost wake-up (before the wait-group exercise)
    run("lost_wakeup", &[]),
    // The loop-variable mistake: tasks that fill one Vec (before the loop-capture exercise)
    run("loop_capture_results", &[]),
    // The scheduler: a future polled by hand (before the mini-executor exercise)
    run("poll_by_hand", &[]),
    // CPU-, memory-, I/O-bound: keep-responsive
    // Numbers: the heartbeat's count while the worker is free, and source line numbers.
    run("heartbeat", &[Numbers]),
    // Fixing races and Debugging: the bank-transfers exercise's deadlock
    run("bank_deadlock", &[Timings]),
    // Best practices: stop at the first error, dropping the calls still running (first-error)
    run("first_error", &[]),
    // Timeouts, deadlines and tickers (before the deadlines exercise). All but the first run on
    // tokio's paused clock: their virtual times are exact.
    run("tasklings_timeout", &[]),
    run("timeout", &[]),
    run("deadline_chain", &[]),
    run("ticker", &[]),
    run("backoff", &[]),
    // Timings: the real time an hour of virtual sleep took.
    run("paused_clock", &[Timings]),
    // Task leaks and cancellation: stopping gracefully (before the graceful-shutdown exercise)
    // Numbers: how often an unbiased select! picks each branch is random.
    run("graceful_stop", &[Numbers]),
    // Channels and select (before the pipeline exercise); Patterns: a pipeline
    run("rendezvous", &[]),
    run("closing", &[]),
    run("select", &[]),
    run("select_cancel", &[]),
    run("pipeline", &[]),
    // Patterns: jobs that answer (before the worker-pool exercise)
    run("job_handles", &[]),
    // URL fetcher: two limits at once (before the web-crawler exercise). Numbers: start times.
    run("host_limits", &[Numbers]),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("runtime/ is inside the repository")
        .to_path_buf()
}

fn updating() -> bool {
    std::env::var("TASKLINGS_BOOK").is_ok_and(|mode| mode == "update")
}

/// `target/<profile>/` of this test's build.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // target/<profile>/deps/book_examples-<hash>
    exe.parent()
        .and_then(Path::parent)
        .expect("the test executable lives in target/<profile>/deps")
        .to_path_buf()
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time among the files under `dir` (recursively).
fn newest_under(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let time = if path.is_dir() {
                newest_under(&path)
            } else {
                modified(&path).unwrap_or(SystemTime::UNIX_EPOCH)
            };
            newest = newest.max(time);
        }
    }
    newest
}

/// The example's executable, built first if it is missing or older than what it is built from.
fn example_binary(example: &str) -> PathBuf {
    let binary = profile_dir().join("examples").join(example);
    let sources = [
        newest_under(&repo().join("runtime/src")),
        newest_under(&repo().join("runtime/examples")),
        modified(&repo().join("runtime/Cargo.toml")).unwrap_or(SystemTime::UNIX_EPOCH),
    ];
    let fresh = modified(&binary).is_some_and(|built| sources.iter().all(|s| *s <= built));
    if !fresh {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(repo())
            .args(["build", "--quiet", "-p", "runtime", "--example", example]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        // Build into the target directory this test came from.
        if let Some(target) = profile_dir().parent() {
            build.env("CARGO_TARGET_DIR", target);
        }
        let status = build.status().expect("cargo can be started");
        assert!(status.success(), "building example {example} failed");
    }
    binary
}

/// Runs `binary` with `args` and `env`; its stdout, or a panic with its stderr.
fn output_of(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    const LIMIT: Duration = Duration::from_secs(180);
    let mut command = Command::new(binary);
    command
        .args(args)
        .env_remove("TASKLINGS_WORKERS")
        .env_remove("RUST_BACKTRACE")
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the example") {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} {args:?} ran for more than {LIMIT:?}: killed",
                binary.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = out.join().expect("reader").expect("stdout is UTF-8");
    let err = err.join().expect("reader").unwrap_or_default();
    assert!(
        status.success(),
        "{} {args:?} failed ({status}):\n--- stdout\n{out}\n--- stderr\n{err}",
        binary.display()
    );
    out
}

/// Replaces every number that follows `keep_prefix`-less text with `N`, where `is_wanted`
/// (given the text after the number) says so.
fn replace_numbers(text: &str, is_wanted: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if starts_number {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || chars[j] == '.' || chars[j] == ',')
            {
                j += 1;
            }
            // A trailing '.' or ',' ends a sentence, it is not part of the number.
            while j > i + 1 && matches!(chars[j - 1], '.' | ',') {
                j -= 1;
            }
            let rest: String = chars[j..].iter().take(4).collect();
            if is_wanted(&rest) {
                out.push('N');
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_time_unit(rest: &str) -> bool {
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    ["ns", "µs", "us", "ms", "s"].iter().any(|unit| {
        rest.strip_prefix(unit)
            .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
    })
}

/// The comparable form of an output: without the machine header, with `vary` applied.
fn normalize(text: &str, vary: &[Vary]) -> String {
    let mut text: String = text
        .lines()
        .filter(|line| !line.starts_with("# measured on"))
        .map(|line| format!("{line}\n"))
        .collect();
    for rule in vary {
        text = match rule {
            Timings => replace_numbers(&text, is_time_unit),
            Numbers => {
                // Every digit run, even inside a word ("x1.93"), and the column padding that
                // depends on the numbers' widths.
                let mut out = String::new();
                let mut last_was_number = false;
                for ch in text.chars() {
                    if ch.is_ascii_digit() || (last_was_number && (ch == '.' || ch == ',')) {
                        if !last_was_number {
                            out.push('N');
                        }
                        last_was_number = true;
                    } else {
                        last_was_number = false;
                        if !(ch == ' ' && out.ends_with(' ')) {
                            out.push(ch);
                        }
                    }
                }
                out
            }
            CpuCount => text
                .lines()
                .map(|line| {
                    if line.starts_with("available_parallelism")
                        || line.starts_with("runtime::workers()")
                    {
                        replace_numbers(line, |_| true) + "\n"
                    } else {
                        format!("{line}\n")
                    }
                })
                .collect(),
            LineOrder => {
                let mut lines: Vec<&str> = text.lines().collect();
                lines.sort_unstable();
                lines.iter().map(|line| format!("{line}\n")).collect()
            }
        };
    }
    text
}

/// "measured on <CPU> (<n> CPUs), <date>, <profile> build, load average <l>" — for outputs that
/// carry numbers.
fn machine_header() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let days = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let (year, month, day) = civil_from_days(days);
    // The machines this runs on are often shared: the load says how quiet this one was.
    let load = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .map_or(String::new(), |l| format!(", load average {l}"));
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!(
        "# measured on {cpu} ({cpus} CPUs), {year:04}-{month:02}-{day:02}, {profile} build{load}\n"
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Runs (or, in update mode, regenerates) every run of `example`.
fn check_example(example: &str) {
    let runs: Vec<&Run> = RUNS.iter().filter(|run| run.example == example).collect();
    assert!(!runs.is_empty(), "no run of example {example} in RUNS");
    let binary = example_binary(example);
    for run in runs {
        let file = repo()
            .join("book/generated")
            .join(format!("{}.txt", run.output));
        let chart = repo()
            .join("book/src/charts")
            .join(format!("{}.svg", run.output));
        if updating() {
            let header = machine_header();
            let mut args: Vec<String> = run.args.iter().map(|a| a.to_string()).collect();
            if run.chart {
                let note = header.trim_start_matches("# ").trim_end().to_string();
                args.extend([
                    "--svg".into(),
                    chart.display().to_string(),
                    "--note".into(),
                    note,
                ]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut text = output_of(&binary, &args, run.env);
            if run.measured {
                text = header + &text;
            }
            fs::write(&file, text).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
            continue;
        }
        if run.chart {
            check_chart(&binary, run, &chart);
        }
        if run.quick.is_some_and(|quick| quick != run.args) {
            assert!(
                run.vary.contains(&Numbers),
                "{}: a quick run changes the numbers, so it must declare Vary::Numbers",
                run.output
            );
        }
        let actual = output_of(&binary, run.quick.unwrap_or(run.args), run.env);
        if run.needs_proc && !Path::new("/proc/self/status").exists() {
            continue; // it ran; its output here differs from the Linux one the book shows
        }
        let committed = fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!("{}: {e}; run book/generate.sh to create it", file.display())
        });
        let (actual, expected) = (
            normalize(&actual, run.vary),
            normalize(&committed, run.vary),
        );
        assert_eq!(
            actual, expected,
            "{} prints something else than book/generated/{}.txt (compared after ignoring {:?}): \
             run book/generate.sh and review the diff",
            run.example, run.output, run.vary
        );
    }
}

/// A charting run draws a chart (an SVG document, one per run: the quick arguments, into a
/// temporary file), and the book's copy of it is committed.
fn check_chart(binary: &Path, run: &Run, committed: &Path) {
    assert!(
        committed.is_file(),
        "{} is missing: run book/generate.sh",
        committed.display()
    );
    let drawn = std::env::temp_dir().join(format!(
        "tasklings-chart-{}-{}.svg",
        std::process::id(),
        run.output
    ));
    let mut args: Vec<&str> = run.quick.unwrap_or(run.args).to_vec();
    let path = drawn.display().to_string();
    args.extend(["--svg", &path, "--note", "check"]);
    output_of(binary, &args, run.env);
    let svg = fs::read_to_string(&drawn).unwrap_or_else(|e| panic!("{}: {e}", drawn.display()));
    let _ = fs::remove_file(&drawn);
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>") && svg.contains("<rect"),
        "{} --svg wrote no chart:\n{svg}",
        run.example
    );
}

macro_rules! examples {
    ($($example:ident),* $(,)?) => {
        $(
            #[test]
            fn $example() {
                check_example(stringify!($example));
            }
        )*
        /// Every example that has a test above.
        const TESTED: &[&str] = &[$(stringify!($example)),*];
    };
}

examples!(
    tasks_vs_threads,
    first_task,
    main_returns,
    ten_thousand,
    scheduler_tour,
    no_preemption,
    workers,
    lifecycle,
    waitgroup,
    add_inside_task,
    scoped_threads,
    joinset,
    loop_capture,
    concurrency_vs_parallelism,
    bound_by,
    io_bound,
    lost_update,
    loom_lost_update,
    fixing_races,
    sync_costs,
    task_leak,
    cancellation,
    drop_abort_detach,
    url_fetcher,
    web_scraper,
    guard_scope,
    fire_and_forget,
    fan_out_fan_in,
    worker_pool,
    semaphore,
    deadlock,
    finish_order,
    abort_then_await,
    lost_wakeup,
    loop_capture_results,
    poll_by_hand,
    heartbeat,
    bank_deadlock,
    first_error,
    tasklings_timeout,
    timeout,
    deadline_chain,
    ticker,
    backoff,
    paused_clock,
    graceful_stop,
    rendezvous,
    closing,
    select,
    select_cancel,
    pipeline,
    job_handles,
    host_limits,
);

fn files_with_extension(dir: &Path, extension: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

fn whole_book() -> String {
    fn walk(dir: &Path, text: &mut String) {
        for entry in fs::read_dir(dir).expect("book/src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, text);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                *text += &fs::read_to_string(&path).expect("a chapter is readable");
            }
        }
    }
    let mut text = String::new();
    walk(&repo().join("book/src"), &mut text);
    text
}

#[test]
fn every_example_is_run_here_and_shown_in_the_book() {
    let book = whole_book();
    let mut problems = Vec::new();
    for example in files_with_extension(&repo().join("runtime/examples"), "rs") {
        if !TESTED.contains(&example.as_str()) {
            problems.push(format!(
                "runtime/examples/{example}.rs has no test in book_examples.rs"
            ));
        }
        // Shown either by anchor or, for an output-only example, by its command.
        let included = book.contains(&format!("runtime/examples/{example}.rs"));
        let command_shown = book.contains(&format!("--example {example} "))
            || book.contains(&format!("--example {example}\n"));
        if !included && !command_shown {
            problems.push(format!(
                "runtime/examples/{example}.rs: no chapter includes it or shows its command"
            ));
        }
    }
    for run in RUNS {
        if !book.contains(&format!("generated/{}.txt", run.output)) {
            problems.push(format!(
                "book/generated/{}.txt is included by no chapter",
                run.output
            ));
        }
    }
    for run in RUNS.iter().filter(|run| run.chart) {
        if !book.contains(&format!("charts/{}.svg", run.output)) {
            problems.push(format!(
                "book/src/charts/{}.svg is shown by no chapter",
                run.output
            ));
        }
    }
    for case in files_with_extension(&repo().join("book/compile_fail"), "rs") {
        if !book.contains(&format!("compile_fail/{case}.stderr")) {
            problems.push(format!(
                "book/compile_fail/{case}.stderr is included by no chapter"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn normalizing_ignores_only_what_varies() {
    let text = "took 12.5 ms, 3 tasks, 7µs\nb\na\n";
    assert_eq!(
        normalize(text, &[Timings]),
        "took N ms, 3 tasks, Nµs\nb\na\n"
    );
    assert_eq!(
        normalize(text, &[Numbers]),
        "took N ms, N tasks, Nµs\nb\na\n"
    );
    assert_eq!(
        normalize(text, &[LineOrder]),
        "a\nb\ntook 12.5 ms, 3 tasks, 7µs\n"
    );
    assert_eq!(normalize("page/10 x2\n", &[Timings]), "page/10 x2\n");
    assert_eq!(
        normalize("x1.93 at   12 ms.\n", &[Numbers]),
        "xN at N ms.\n"
    );
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(20_784), (2026, 11, 27));
}

// ---------------------------------------------------------------------------------------------
// Compile errors shown in the book.

/// The `runtime` library this test was built against (the newest, if several builds are there).
fn runtime_rlib() -> PathBuf {
    let deps = profile_dir().join("deps");
    fs::read_dir(&deps)
        .expect("target/<profile>/deps exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().is_some_and(|name| {
                let name = name.to_string_lossy();
                name.starts_with("libruntime-") && name.ends_with(".rlib")
            })
        })
        .max_by_key(|path| modified(path))
        .expect("libruntime-*.rlib next to this test")
}

/// Where a snippet of rustc's output comes from.
#[derive(Clone, Copy)]
enum Snippet {
    /// The compile-fail case itself: kept as it is.
    Case,
    /// The runtime's sources: their line numbers move whenever the runtime is edited.
    Runtime,
    /// The standard library: its location and lines depend on whether rust-src is installed.
    StandardLibrary,
}

/// rustc's errors for one compile-fail case, with what varies between machines normalised:
/// the repository's absolute path (→ relative), line/column numbers inside the runtime's own
/// sources (→ `LL:CC`, `LL |`), which move whenever the runtime is edited, and the standard
/// library's paths and snippets (→ `$RUST/library/…:LL:CC`, no snippet), which differ with and
/// without the rust-src component.
fn compile_errors(case: &str) -> String {
    let source = format!("book/compile_fail/{case}.rs");
    let out_dir =
        std::env::temp_dir().join(format!("tasklings-book-{}-{case}", std::process::id()));
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let deps = profile_dir().join("deps");
    let output = Command::new(rustc)
        .current_dir(repo())
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "bin",
            "--emit",
            "metadata",
        ])
        .args(["--color", "never", "-A", "warnings"])
        .arg("--crate-name")
        .arg(case)
        .arg("--out-dir")
        .arg(&out_dir)
        .arg("--extern")
        .arg(format!("runtime={}", runtime_rlib().display()))
        .arg("-L")
        .arg(format!("dependency={}", deps.display()))
        .arg(&source)
        .output()
        .expect("rustc can be started");
    let _ = fs::remove_dir_all(&out_dir);
    assert!(
        !output.status.success(),
        "{source} compiled, but the book shows it failing"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let root = format!("{}/", repo().display());
    let mut lines = Vec::new();
    // Where the current snippet comes from: from its `-->` line to the next message.
    let mut snippet = Snippet::Case;
    for line in stderr.replace(&root, "").lines() {
        let trimmed = line.trim_start();
        let gutter = trimmed
            .split_once(" |")
            .filter(|(number, _)| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()));
        if trimmed.starts_with("--> ") || trimmed.starts_with("::: ") {
            let (location, _) = line.split_once(".rs:").unwrap_or((line, ""));
            if let Some((_, in_library)) = location.split_once("/library/") {
                // `/rustc/<hash>/library/…`, or the local copy when rust-src is installed.
                snippet = Snippet::StandardLibrary;
                let arrow = &line[..line.len() - trimmed.len() + 4];
                lines.push(format!("{arrow}$RUST/library/{in_library}.rs:LL:CC"));
                continue;
            }
            snippet = if trimmed.contains("runtime/src/") {
                lines.push(format!("{location}.rs:LL:CC"));
                Snippet::Runtime
            } else {
                lines.push(line.to_string());
                Snippet::Case
            };
            continue;
        }
        if !line.starts_with(' ') && !line.is_empty() && gutter.is_none() {
            snippet = Snippet::Case; // a new error, note or help
        }
        match snippet {
            Snippet::Runtime => match gutter {
                Some((_, rest)) => lines.push(format!("LL |{rest}")),
                None => lines.push(line.to_string()),
            },
            // Shown only when the rust-src component is installed: left out, so the output is
            // the same either way.
            Snippet::StandardLibrary if gutter.is_some() || trimmed.starts_with('|') => {}
            _ => lines.push(line.to_string()),
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn compile_errors_match_the_book() {
    let dir = repo().join("book/compile_fail");
    let mut stale = Vec::new();
    for case in files_with_extension(&dir, "rs") {
        let actual = compile_errors(&case);
        let file = dir.join(format!("{case}.stderr"));
        if updating() {
            fs::write(&file, &actual).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
            continue;
        }
        let committed = fs::read_to_string(&file).unwrap_or_default();
        if committed != actual {
            stale.push(format!("book/compile_fail/{case}.stderr:\n--- committed\n{committed}--- rustc now\n{actual}"));
        }
    }
    assert!(
        stale.is_empty(),
        "rustc's errors changed; run book/generate.sh and review the diff:\n{}",
        stale.join("\n")
    );
}
