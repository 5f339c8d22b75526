//! The Go contender: builds `runtime/benches/go` (Go 1.19, standard library only) into the
//! target directory when `go` is on PATH, with its build cache beside it, and names the binary
//! the driver runs with `GOMAXPROCS` set to the worker count.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built Go program.
pub struct GoProgram {
    pub binary: PathBuf,
    /// `go version`'s answer, e.g. "go1.19.8 linux/amd64".
    pub version: String,
}

/// Builds the Go program under `target_dir/compare-go`, or says why it can't.
pub fn build(target_dir: &Path) -> Result<GoProgram, String> {
    let version = Command::new("go")
        .arg("version")
        .output()
        .map_err(|e| format!("`go` is not on PATH ({e}); Go skipped"))?;
    if !version.status.success() {
        return Err("`go version` failed; Go skipped".into());
    }
    let version = String::from_utf8_lossy(&version.stdout)
        .trim()
        .trim_start_matches("go version ")
        .to_string();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/go");
    let out = target_dir.join("compare-go");
    let binary = out.join("compare-go");
    let build = Command::new("go")
        .args(["build", "-buildvcs=false", "-o"])
        .arg(&binary)
        .arg(".")
        .current_dir(&source)
        // Keep Go's caches inside the target dir, and make sure it never goes to the network:
        // the program uses the standard library only.
        .env("GOCACHE", out.join("gocache"))
        .env("GOPATH", out.join("gopath"))
        .env("GOPROXY", "off")
        .env("GO111MODULE", "on")
        .output()
        .map_err(|e| format!("cannot run `go build` ({e}); Go skipped"))?;
    if !build.status.success() {
        return Err(format!(
            "`go build` in {} failed; Go skipped:\n{}",
            source.display(),
            String::from_utf8_lossy(&build.stderr).trim()
        ));
    }
    Ok(GoProgram { binary, version })
}

/// Where cargo put this binary's build: `$CARGO_TARGET_DIR`, or the directory three levels
/// above the executable (`<target>/release/deps/compare-…`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| std::env::temp_dir().join("tasklings-compare"))
}
