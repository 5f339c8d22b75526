//! `grader classroom [SLUG…]`: one grading step of a GitHub Classroom workflow
//! (`.github/classroom/classroom.yml`). Grades the exercises in this repository — the student's
//! — prints the report for the job log, appends `result=<base64>` to `$GITHUB_OUTPUT` for the
//! grading reporter (`classroom`), and exits 0 when everything passes, 1 when not, 2 when it
//! could not grade: the exit status is the verdict.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::commands::{Common, Outcome};
use crate::grading::{self, GradeOptions};
use crate::progress::Progress;
use crate::repo::Repo;
use crate::report::human::{self, Guidance};
use crate::results::Report;
use crate::scratch::Source;
use crate::style::Style;

/// `grader classroom`'s arguments.
#[derive(Clone, Debug, Args)]
pub struct ClassroomArgs {
    /// Exercises to grade (all when none is named).
    pub slugs: Vec<String>,
    /// The step's points in Classroom (an integer; default: the exercises' points, rounded).
    #[arg(long, value_name = "N")]
    pub max_score: Option<u64>,
    /// Run only correctness tests (timing checks are reported as skipped).
    #[arg(long)]
    pub skip_timing: bool,
    /// Print the GitHub Actions workflow that grades these exercises (all when none is named)
    /// instead of grading: copy it to .github/workflows/classroom.yml in the template repository.
    #[arg(long)]
    pub workflow: bool,
}

pub fn run(repo: &Repo, common: &Common, args: ClassroomArgs) -> Result<Outcome> {
    let exercises = repo.select(&args.slugs)?;
    if exercises.is_empty() {
        bail!("there are no exercises to grade");
    }
    if args.workflow {
        let slugs: Vec<String> = exercises.iter().map(|e| e.slug.clone()).collect();
        crate::report::emit(
            &crate::report::classroom::workflow(&slugs),
            common.output.as_deref(),
        )?;
        return Ok(Outcome::Success);
    }
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing: args.skip_timing,
        ..GradeOptions::default()
    };
    let started = Instant::now();
    let mut results = Vec::new();
    for exercise in &exercises {
        results.push(grading::grade(
            repo,
            exercise,
            &Source::Learner,
            &options,
            &Progress::hidden(),
        )?);
    }
    let report = Report::new(results, started.elapsed().as_secs_f64());

    let result = crate::report::classroom::result(&report, args.max_score);
    let json = serde_json::to_string(&result).context("can't serialise the Classroom result")?;
    let guidance = Guidance {
        hints: Default::default(),
        next: format!(
            "{} of {} points ({} in Classroom).",
            report.score, report.max_score, result["max_score"]
        ),
    };
    print!("{}", human::render(&report, Style::stdout(), &guidance));
    let _ = std::io::stdout().flush();

    if let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
        let mut file = std::fs::File::options()
            .append(true)
            .create(true)
            .open(&path)
            .with_context(|| format!("can't open $GITHUB_OUTPUT ({})", path.to_string_lossy()))?;
        writeln!(
            file,
            "result={}",
            crate::report::classroom::base64(json.as_bytes())
        )
        .context("can't write to $GITHUB_OUTPUT")?;
    }
    if let Some(path) = &common.output {
        crate::report::emit(&format!("{json}\n"), Some(path))?;
    }
    Ok(if report.all_pass() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
