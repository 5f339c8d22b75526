#!/usr/bin/env bash
# Runs a Tasklings autograder zip the way Gradescope does, on this machine, before you upload it:
#
#   grader/templates/gradescope/run-locally.sh autograder.zip SUBMISSION_DIR [WORK_DIR]
#
# WORK_DIR (default: a new temporary folder) gets the /autograder tree: source/ (the zip,
# extracted), run_autograder, submission/ (a copy of SUBMISSION_DIR) and results/. setup.sh runs
# once per WORK_DIR (it installs nothing that is already there, and compiles into source/target);
# then run_autograder grades the submission and results/results.json is printed.
#
# Run as root to get the isolation Gradescope's container gives (own uid per test); set
# TASKLINGS_CPUS=1 to see the results of Gradescope's default of half a CPU (taskset).
set -euo pipefail

zip="${1:?usage: run-locally.sh autograder.zip SUBMISSION_DIR [WORK_DIR]}"
submission="${2:?usage: run-locally.sh autograder.zip SUBMISSION_DIR [WORK_DIR]}"
work="${3:-$(mktemp -d -t tasklings-autograder-XXXXXX)}"
export TASKLINGS_AUTOGRADER_DIR="$work"

if [ ! -e "$work/source/.setup-done" ]; then
    rm -rf "$work/source"
    mkdir -p "$work/source"
    unzip -q "$zip" -d "$work/source"
    cp "$work/source/run_autograder" "$work/run_autograder"
    (cd "$work/source" && bash ./setup.sh)
    touch "$work/source/.setup-done"
fi

rm -rf "$work/submission" "$work/results"
mkdir -p "$work/submission" "$work/results"
cp -R "$submission/." "$work/submission/"
cd "$work"
if [ -n "${TASKLINGS_CPUS:-}" ]; then
    taskset -c "0-$((TASKLINGS_CPUS - 1))" ./run_autograder || true
else
    ./run_autograder || true
fi
cat "$work/results/results.json"
echo "(the /autograder tree: $work)" >&2
