//! `wc` for many files at once, on top of `process_files`: prints lines, words and bytes of each
//! file named on the command line, in the order given, then the total — like `wc FILE…`.
//!
//! ```text
//! cargo run -p file-processor --example wc -- src/lib.rs Cargo.toml missing.txt
//! cargo run -p file-processor --example wc -- --workers 8 /usr/include/*.h
//! ```
//!
//! Until `process_files` is written it stops at its `todo!()`.

use std::path::PathBuf;
use std::process::ExitCode;

use file_processor::process_files;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut workers = 4;
    if let Some(at) = args.iter().position(|arg| arg == "--workers") {
        let Some(value) = args.get(at + 1).and_then(|value| value.parse().ok()) else {
            eprintln!("--workers needs a number, e.g. --workers 8");
            return ExitCode::from(2);
        };
        workers = value;
        args.drain(at..at + 2);
    }
    if args.is_empty() {
        eprintln!("usage: wc [--workers N] FILE…");
        return ExitCode::from(2);
    }
    let paths: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();

    let mut total = (0, 0, 0);
    let mut failed = false;
    for result in process_files(&paths, workers) {
        match result {
            Ok(stats) => {
                println!(
                    "{:>8} {:>8} {:>10} {}",
                    stats.lines,
                    stats.words,
                    stats.bytes,
                    stats.path.display()
                );
                total.0 += stats.lines;
                total.1 += stats.words;
                total.2 += stats.bytes;
            }
            Err(error) => {
                eprintln!("wc: {}: {}", error.path.display(), error.message);
                failed = true;
            }
        }
    }
    if paths.len() > 1 {
        println!("{:>8} {:>8} {:>10} total", total.0, total.1, total.2);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
