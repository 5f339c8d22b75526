"""Tasklings' autograder for Classroom 50.

Classroom 50's runner calls this once per submission, from the student's checkout (a Tasklings
repository), with CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL, RELEASE_URL and REVIEW_URL
in the environment. It grades the exercise the assignment is named after (or the exercises in
TASKLINGS_EXERCISES, or all of them) with `cargo grade run`, which from one grading run prints
the report to the log and writes

* ./result.json      -- Classroom 50's result.json contract (`--format classroom50`), and
* ./release-body.md  -- the tables of exercises and tests, for the submission's Release.

Exit status: 0 when grading ran end to end, whatever the verdict (it is in result.json); 1 when
the grader could not grade, which the runner reports as an error.

Install: `gh teacher autograder` or copy this file to CLASSROOM/autograders/ASSIGNMENT/
autograder.py in your classroom50 repository, and give the assignment the runtime block
{"rust": "1.95.0"} (the toolchain rust-toolchain.toml pins). See README.md beside this file.
"""

import os
import subprocess
import sys
from pathlib import Path


def grader_command():
    """`cargo grade`, or a grader binary named by TASKLINGS_GRADER (for a local try)."""
    binary = os.environ.get("TASKLINGS_GRADER")
    return [binary] if binary else ["cargo", "grade"]


def exercises():
    """The assignment's exercise, the ones TASKLINGS_EXERCISES names, or none (= all)."""
    named = os.environ.get("TASKLINGS_EXERCISES", "").split()
    if named:
        return named
    assignment = os.environ.get("ASSIGNMENT", "")
    if assignment and Path("exercises", assignment).is_dir():
        return [assignment]
    return []


def committed_at():
    """The graded commit's committer date in UTC, `2026-06-01T14:32:01Z` (the contract's
    `datetime`: the submission instant, the same on every regrade). Empty when git can't say."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ"],
            env={**os.environ, "TZ": "UTC"},
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main():
    env = {**os.environ, "TASKLINGS_SUBMITTED_AT": committed_at()}
    command = grader_command() + [
        "run",
        *exercises(),
        "--also",
        "classroom50=result.json",
        "--also",
        "github-summary=release-body.md",
    ]
    print("$ " + " ".join(command), flush=True)
    try:
        status = subprocess.run(command, env=env, check=False).returncode
    except OSError as error:
        print(f"::error::can't start the grader: {error}", file=sys.stderr)
        return 1
    # 0: everything passes, 1: something doesn't -- both are verdicts in result.json.
    if status in (0, 1) and Path("result.json").is_file():
        return 0
    print(f"::error::the grader could not grade (exit status {status})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
