#!/usr/bin/env bash
# Tasklings autograder: Gradescope runs this once, as root, when it builds the autograder image
# (network available). Everything grading needs is installed and compiled here, so that
# run_autograder grades offline and builds only the submission.
#
# Written by `grader gradescope package`; the zip is extracted into /autograder/source.
set -euo pipefail

SOURCE="${TASKLINGS_AUTOGRADER_DIR:-/autograder}/source"
cd "$SOURCE"
# Everything is built into source/target, where run_autograder looks.
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR

# A C toolchain to link Rust programs, and curl for rustup (skipped when present: the script can
# be run again, or locally with run-locally.sh).
if command -v apt-get >/dev/null && ! { command -v cc && command -v curl; } >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends ca-certificates curl gcc libc6-dev
fi

# Rust, at the version rust-toolchain.toml pins (rustup reads it on first use).
if ! command -v cargo >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
        | sh -s -- -y --profile minimal --default-toolchain none
fi
export PATH="$HOME/.cargo/bin:$PATH"
rustup show active-toolchain || rustup toolchain install

# Every dependency, downloaded now: grading runs offline. (Not --locked: a package of some of the
# exercises has fewer members than the repository's Cargo.lock knows, and cargo drops those; the
# versions of everything else stay as the lock pins them.)
cargo fetch --offline 2>/dev/null || cargo fetch

# The grader, then each exercise's hidden tests built once against its starter code, so the
# dependencies are compiled into the image and a submission rebuilds only its own crate.
cargo build --release --offline -p grader
./target/release/grader --root "$SOURCE" gradescope prepare

# Learner code runs as other users (see the grader's isolation): it must not read the hidden
# tests' sources. (The grader makes its own build folder, target/tasklings, private itself.)
chmod -R go-rwx "$SOURCE/grader/hidden"
