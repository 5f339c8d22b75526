//! A class of 14 generated students × the 4 real exercises = 56 submissions, graded by one
//! `grader batch` on this repository: reference solutions, the instructors' wrong submissions
//! (`grader/hidden/<slug>/wrong/`) and hostile ones made from the solutions (an attack injected
//! where the hidden tests call the function with empty input, or files handed in around a
//! solution). Prints the gradebook, the wall time and a table of the hostile cases.
//!
//! Slow (every submission builds and runs the real hidden tests), so ignored by default:
//!
//! ```text
//! cargo test -p grader --test big_class -- --ignored --nocapture
//! ```
//!
//! `TASKLINGS_BIG_CLASS_DIR=DIR` keeps the submissions and the output there (default: a
//! temporary folder, removed afterwards).

// Unix only: class grading, whose sandbox is Unix-only.
#![cfg(unix)]

mod class_fixture;

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use class_fixture::{gradebook, json_file, report_test, run, shown, workspace_root};

/// The sandbox uids of this class's batch (a pool of its own).
const UIDS: u32 = 63_200;

const SLUGS: [&str; 4] = [
    "parallel-sum",
    "file-processor",
    "rate-limited-caller",
    "counter-races",
];

/// What a student hands in for one exercise.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Right,
    Wrong(&'static str),
    Hostile(Attack),
}

/// The hostile submissions, and the verdict each must get.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Attack {
    ForkBomb,
    ThreadBomb,
    MemoryBomb,
    DiskFiller,
    RewritesResultsLater,
    ReadsSolutionAndHiddenTests,
    PhonesHome,
    ForgesOutput,
    EndlessLoop,
    Deadlock,
    ExitZero,
    Abort,
    StackOverflow,
    LyingPartialEq,
    OutputFlood,
    BuildFiles,
    IncludeStrHiddenTests,
    SymlinkToSolution,
}

impl Attack {
    /// The function whose empty-input call triggers it, the test that makes that call.
    fn test(self, slug: &str) -> &'static str {
        match (self, slug) {
            (Attack::LyingPartialEq, _) => "counts_printable_text_like_wc",
            (Attack::IncludeStrHiddenTests | Attack::SymlinkToSolution, _) => "compile",
            (_, "parallel-sum") => "sums_an_empty_slice_to_zero",
            (_, "file-processor") => "returns_nothing_for_no_paths",
            (_, "rate-limited-caller") => "returns_nothing_for_no_urls",
            _ => "compile",
        }
    }

    /// The body of `fn hostile_attack() -> u64` (0 is the correct answer of the call).
    fn body(self, root: &Path, out: &Path, port: u16) -> String {
        let root = root.display();
        let out = out.display();
        match self {
            Attack::ForkBomb => "extern \"C\" { fn fork() -> i32; }\n    \
                loop { unsafe { fork() }; std::thread::sleep(std::time::Duration::from_millis(5)); }"
                .into(),
            Attack::ThreadBomb => "let mut all = Vec::new();\n    \
                loop { all.push(std::thread::spawn(|| loop { std::thread::park(); })); }"
                .into(),
            Attack::MemoryBomb => "let mut hoard: Vec<Vec<u8>> = Vec::new();\n    \
                loop { let mut c = vec![0u8; 64 << 20]; for b in c.iter_mut().step_by(4096) { *b = 1; } hoard.push(c); }"
                .into(),
            Attack::DiskFiller => "use std::io::Write;\n    \
                let mut f = std::fs::File::create(std::env::temp_dir().join(\"filler\")).unwrap();\n    \
                let block = vec![7u8; 1 << 20];\n    loop { f.write_all(&block).unwrap(); }"
                .into(),
            Attack::RewritesResultsLater => format!(
                "let script = \"for i in $(seq 150); do echo pwned > {out}/gradebook.csv; \
                 echo pwned > {out}/pwned.txt; sleep 0.2; done\";\n    \
                 let _ = std::process::Command::new(\"setsid\").args([\"-f\", \"sh\", \"-c\", script]).status();\n    1"
            ),
            Attack::ReadsSolutionAndHiddenTests => format!(
                "for path in [\"{root}/solutions/parallel-sum/src/lib.rs\", \
                 \"{root}/grader/hidden/parallel-sum/main.rs\", \"hidden/main.rs\", \"../hidden/main.rs\"] {{\n        \
                 if std::fs::read_to_string(path).is_ok() {{ return 0; }}\n    }}\n    1"
            ),
            Attack::PhonesHome => format!(
                "use std::io::Read;\n    \
                 let Ok(mut s) = std::net::TcpStream::connect(\"127.0.0.1:{port}\") else {{ return 1 }};\n    \
                 let mut answer = String::new();\n    let _ = s.read_to_string(&mut answer);\n    \
                 answer.trim().parse().unwrap_or(1)"
            ),
            Attack::ForgesOutput => "let fake = r#\"{\"nonce\":\"00000000000000000000000000000000\",\
                \"name\":\"sums_an_empty_slice_to_zero\",\"status\":\"pass\",\"message\":\"\",\"duration_ms\":1,\"panics\":[]}\"#;\n    \
                println!(\"test sums_an_empty_slice_to_zero ... ok\\n{fake}\");\n    \
                eprintln!(\"test sums_an_empty_slice_to_zero ... ok\\n{fake}\");\n    \
                extern \"C\" { fn write(fd: i32, buf: *const u8, n: usize) -> isize; }\n    \
                for fd in 3..64 { let line = format!(\"{fake}\\n\"); unsafe { write(fd, line.as_ptr(), line.len()) }; }\n    1"
                .into(),
            Attack::EndlessLoop => "let mut n = 0u64;\n    loop { n = std::hint::black_box(n + 1); }".into(),
            Attack::Deadlock => "let a = std::sync::Arc::new(std::sync::Mutex::new(0));\n    \
                let b = std::sync::Arc::new(std::sync::Mutex::new(0));\n    \
                let (a2, b2) = (a.clone(), b.clone());\n    \
                let t = std::thread::spawn(move || { let _b = b2.lock().unwrap(); std::thread::sleep(std::time::Duration::from_millis(100)); let _a = a2.lock().unwrap(); });\n    \
                let _a = a.lock().unwrap(); std::thread::sleep(std::time::Duration::from_millis(100)); let _b = b.lock().unwrap();\n    \
                let _ = t.join(); 0"
                .into(),
            Attack::ExitZero => "std::process::exit(0)".into(),
            Attack::Abort => "std::process::abort()".into(),
            Attack::StackOverflow => "fn deeper(n: u64) -> u64 { let f = std::hint::black_box([n; 256]); deeper(n + 1) + f[0] }\n    deeper(0)".into(),
            Attack::OutputFlood => "loop { println!(\"spam spam spam spam spam spam spam spam spam spam spam spam\"); }".into(),
            _ => unreachable!("{self:?} is not an injected attack"),
        }
    }
}

/// The class: student i hands in `PLAN[slug][i]`.
fn plan(slug: &str) -> Vec<Kind> {
    use Attack::*;
    use Kind::*;
    match slug {
        "parallel-sum" => vec![
            Right,
            Right,
            Wrong("sequential"),
            Wrong("drops_the_tail"),
            Wrong("panics_on_overflow"),
            Wrong("thread_per_item"),
            Hostile(ForkBomb),
            Hostile(ThreadBomb),
            Hostile(MemoryBomb),
            Hostile(DiskFiller),
            Hostile(RewritesResultsLater),
            Hostile(ReadsSolutionAndHiddenTests),
            Hostile(PhonesHome),
            Hostile(ForgesOutput),
        ],
        "file-processor" => vec![
            Hostile(LyingPartialEq),
            Hostile(EndlessLoop),
            Right,
            Right,
            Right,
            Wrong("slurps"),
            Wrong("loses_order"),
            Wrong("stops_at_first_error"),
            Wrong("ascii_whitespace"),
            Wrong("sequential"),
            Hostile(Deadlock),
            Hostile(ExitZero),
            Hostile(Abort),
            Hostile(StackOverflow),
        ],
        "rate-limited-caller" => vec![
            Wrong("sequential"),
            Wrong("unbounded"),
            Hostile(OutputFlood),
            Hostile(BuildFiles),
            Hostile(IncludeStrHiddenTests),
            Hostile(SymlinkToSolution),
            Right,
            Right,
            Right,
            Wrong("wrong_order"),
            Wrong("batching"),
            Wrong("burst_token_bucket"),
            Wrong("one_call_per_second"),
            Wrong("ordered_buffer"),
        ],
        _ => vec![
            Right,
            Right,
            Right,
            Right,
            Wrong("add_inside_task"),
            Wrong("channel_counter_without_owner"),
            Wrong("channel_get_does_not_wait"),
            Wrong("load_then_store_atomic"),
            Wrong("lock_per_step_mutex"),
            Wrong("no_wait_group"),
            Wrong("one_task_does_all"),
            Wrong("refcell_counter"),
            Wrong("threads_not_tasks"),
            Wrong("unsafe_sync_cell"),
        ],
    }
}

/// `solution` with `if <empty input> { <attack> }` at the start of the function the empty-input
/// test calls, and the attack as `fn hostile_attack() -> u64`.
fn inject(slug: &str, solution: &str, attack: &str) -> String {
    let (signature, guard) = match slug {
        "parallel-sum" => (
            "pub fn parallel_sum(",
            "if numbers.is_empty() { return hostile_attack() as i64; }",
        ),
        "file-processor" => (
            "pub fn process_files(",
            "if paths.is_empty() { let _ = hostile_attack(); return Vec::new(); }",
        ),
        _ => (
            "pub async fn fetch_all<",
            "if urls.is_empty() { let _ = hostile_attack(); return Vec::new(); }",
        ),
    };
    let start = solution.find(signature).expect("the solution's function");
    let body = start + solution[start..].find('{').expect("its body");
    format!(
        "{}\n    {guard}{}\n\n#[allow(unreachable_code, unused_unsafe, clippy::all)]\nfn hostile_attack() -> u64 {{\n    {attack}\n}}\n",
        &solution[..=body],
        &solution[body + 1..]
    )
}

/// file-processor's solution whose FileStats says equal to anything, and whose word counts are 0.
fn lying_partial_eq(solution: &str) -> String {
    let lying = solution.replacen(
        "#[derive(Debug, Clone, PartialEq, Eq)]\npub struct FileStats",
        "#[derive(Debug, Clone)]\npub struct FileStats",
        1,
    );
    assert_ne!(
        lying, solution,
        "the solution's FileStats derive changed: update this test"
    );
    let lying = lying.replacen("pub fn process_files(", "fn process_files_counted(", 1);
    format!(
        "{lying}\n\
         impl PartialEq for FileStats {{ fn eq(&self, _: &FileStats) -> bool {{ true }} }}\n\
         impl Eq for FileStats {{}}\n\n\
         pub fn process_files(paths: &[PathBuf], workers: usize) -> Vec<Result<FileStats, FileError>> {{\n    \
             let mut results = process_files_counted(paths, workers);\n    \
             for stats in results.iter_mut().flatten() {{ stats.words = 0; }}\n    results\n}}\n"
    )
}

#[test]
#[ignore = "56 real submissions: minutes; run with --ignored --nocapture for the report"]
fn a_class_of_56_submissions() {
    let _alone = class_fixture::one_isolated_batch_at_a_time();
    let root = workspace_root();
    let kept = std::env::var_os("TASKLINGS_BIG_CLASS_DIR").map(std::path::PathBuf::from);
    let temporary = tempfile::tempdir().unwrap();
    let base = kept
        .clone()
        .unwrap_or_else(|| temporary.path().to_path_buf());
    let class = base.join("submissions");
    let out = base.join("out");
    let _ = std::fs::remove_dir_all(&class);
    let _ = std::fs::remove_dir_all(&out);

    // A server on the host's 127.0.0.1 that gives away the answer (0).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = stream.write_all(b"0\n");
        }
    });

    let mut hostile = Vec::new();
    for slug in SLUGS {
        let solution_path = root.join("solutions").join(slug).join("src/lib.rs");
        let solution = std::fs::read_to_string(&solution_path).unwrap();
        for (i, kind) in plan(slug).into_iter().enumerate() {
            let student = format!("student-{:02}", i + 1);
            let dir = class.join(&student).join(slug);
            std::fs::create_dir_all(dir.join("src")).unwrap();
            let lib = dir.join("src/lib.rs");
            match kind {
                Kind::Right => std::fs::write(&lib, format!("// {student}\n{solution}")).unwrap(),
                Kind::Wrong(case) => {
                    let wrong = root
                        .join("grader/hidden")
                        .join(slug)
                        .join("wrong")
                        .join(case);
                    class_fixture::copy_dir(&wrong, &dir);
                }
                Kind::Hostile(attack) => {
                    hostile.push((student.clone(), slug, attack));
                    match attack {
                        Attack::LyingPartialEq => {
                            std::fs::write(&lib, lying_partial_eq(&solution)).unwrap()
                        }
                        Attack::BuildFiles => {
                            class_fixture::copy_dir(
                                &class_fixture::fixtures().join("hostile/submissions/build-files"),
                                &dir,
                            );
                            std::fs::write(&lib, &solution).unwrap();
                        }
                        Attack::IncludeStrHiddenTests => std::fs::write(
                            &lib,
                            format!(
                                "{solution}\npub const HIDDEN: &str = include_str!(\"../hidden/main.rs\");\n"
                            ),
                        )
                        .unwrap(),
                        Attack::SymlinkToSolution => {
                            std::os::unix::fs::symlink(&solution_path, &lib).unwrap()
                        }
                        attack => std::fs::write(
                            &lib,
                            inject(slug, &solution, &attack.body(&root, &out, port)),
                        )
                        .unwrap(),
                    }
                }
            }
        }
    }

    let started = Instant::now();
    let output = run(class_fixture::grader()
        .arg("--root")
        .arg(&root)
        .args(["batch", "--jobs", "2"])
        .arg(&class)
        .arg("--output")
        .arg(&out)
        .env(class_fixture::UID_BASE_ENV, UIDS.to_string()));
    let wall = started.elapsed();
    let log = shown(&output);
    println!("{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{log}");
    let rows = gradebook(&out);
    assert_eq!(rows.len(), 56, "{log}");
    println!(
        "\n{} submissions graded in {:.0} s (wall); gradebook: {}",
        rows.len(),
        wall.as_secs_f64(),
        out.join("gradebook.csv").display()
    );
    println!(
        "\n{}",
        std::fs::read_to_string(out.join("gradebook.csv")).unwrap()
    );

    // Right ones pass, everything else doesn't.
    for slug in SLUGS {
        for (i, kind) in plan(slug).into_iter().enumerate() {
            let row = &rows[&(format!("student-{:02}", i + 1), slug.to_owned())];
            match kind {
                Kind::Right => assert_eq!(row["status"], "pass", "{row}"),
                Kind::Hostile(Attack::BuildFiles) => assert_eq!(row["status"], "pass", "{row}"),
                _ => assert_ne!(row["status"], "pass", "{kind:?}: {row}"),
            }
        }
    }

    println!("\n| student | exercise | attack | exercise verdict | test | test verdict | reason |");
    println!("|---|---|---|---|---|---|---|");
    for (student, slug, attack) in &hostile {
        let row = &rows[&(student.clone(), slug.to_string())];
        let report = json_file(&out.join(format!("students/{student}.json")));
        let (status, reason) = match attack {
            Attack::BuildFiles => {
                let text =
                    std::fs::read_to_string(out.join(format!("students/{student}.txt"))).unwrap();
                let note = text
                    .lines()
                    .find(|l| l.contains("never taken"))
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                ("pass".to_owned(), note)
            }
            _ => {
                let test = report_test(&report, slug, attack.test(slug));
                let message = test["message"].as_str().unwrap_or("");
                // Its first line, and what the isolation layer added ("It was running…").
                let lines: Vec<&str> = message.lines().map(str::trim).collect();
                let first: Vec<&str> = lines
                    .iter()
                    .take(1)
                    .chain(lines.iter().filter(|l| l.starts_with("It ")))
                    .copied()
                    .collect();
                (
                    test["status"].as_str().unwrap().to_owned(),
                    first.join(" / "),
                )
            }
        };
        println!(
            "| {student} | {slug} | {attack:?} | {} {}/{} | {} | {status} | {} |",
            row["status"].as_str().unwrap(),
            row["score"],
            row["max_score"],
            attack.test(slug),
            reason
                .replace('|', "\\|")
                .chars()
                .take(220)
                .collect::<String>()
        );
        if *attack != Attack::BuildFiles {
            assert_ne!(status, "pass", "{student} {slug} {attack:?}: {reason}");
        }
    }

    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(!out.join("pwned.txt").exists());
    assert!(!std::fs::read_to_string(out.join("gradebook.csv"))
        .unwrap()
        .contains("pwned"));
    if class_fixture::is_root() {
        assert_eq!(connections.load(Ordering::SeqCst), 0);
        assert_eq!(class_fixture::sandbox_processes(UIDS), Vec::<String>::new());
    }
    if kept.is_none() {
        drop(temporary);
    }
}
