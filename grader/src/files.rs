//! File-system chores every part of the grader shares, written once: walking a folder, a digest
//! of files that stays the same across Rust versions, writing a file atomically, locking one.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One entry that a [`walk`] found: anything but a folder (a file, or a symbolic link, which is
/// listed and never followed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The path below the walked folder.
    pub relative: PathBuf,
    /// The full path.
    pub path: PathBuf,
    /// A regular file (not a symbolic link or anything else).
    pub is_file: bool,
}

impl Found {
    /// The relative path with `/` separators on every system (for manifests, zips, messages).
    pub fn slashed(&self) -> String {
        self.relative.to_string_lossy().replace('\\', "/")
    }
}

/// Everything under `dir` that is not a folder, sorted by relative path. `enter(relative, name)`
/// says whether to descend into the folder `name` found at `relative` (empty at the top).
/// Symbolic links are never followed.
pub fn walk(dir: &Path, enter: impl Fn(&Path, &str) -> bool) -> io::Result<Vec<Found>> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let here = dir.join(&relative);
        for entry in std::fs::read_dir(&here)? {
            let entry = entry?;
            let name = entry.file_name();
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                if enter(&relative, &name.to_string_lossy()) {
                    pending.push(relative.join(&name));
                }
            } else {
                found.push(Found {
                    relative: relative.join(&name),
                    path: entry.path(),
                    is_file: file_type.is_file(),
                });
            }
        }
    }
    found.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(found)
}

/// 64-bit FNV-1a over named chunks: a digest that stays the same across Rust versions and
/// systems (std's `DefaultHasher` promises neither), for caches and journals, not security.
#[derive(Clone, Debug)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    /// A digest of nothing yet.
    pub fn new() -> Digest {
        Digest::default()
    }

    /// Adds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Adds a named chunk (the name and the bytes each end with a 0 byte, so that two files
    /// can't run together into the same digest).
    pub fn write_named(&mut self, name: &str, bytes: &[u8]) {
        self.write(name.as_bytes());
        self.write(&[0]);
        self.write(bytes);
        self.write(&[0]);
    }

    /// Sixteen hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The digest of every file under `dir` (names with `/` and contents), skipping folders whose
/// name is in `skip` at any depth. Unreadable files count as empty.
pub fn digest_dir(dir: &Path, skip: &[&str]) -> String {
    let mut digest = Digest::new();
    let found = walk(dir, |_, name| !skip.contains(&name)).unwrap_or_default();
    for file in found {
        digest.write_named(
            &file.slashed(),
            &std::fs::read(&file.path).unwrap_or_default(),
        );
    }
    digest.hex()
}

/// Writes `bytes` to `path` so that readers see the old content or the new, never a mix:
/// a temporary file beside it, synced, renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Makes `dir` (created if needed) reachable by its owner only: on Unix mode 0700. Windows
/// folders inherit the user profile's access rules, which already keep other users out.
pub fn restrict_to_owner(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// An exclusive lock on `file` (released when it is closed); `Ok(false)` when not `blocking`
/// and another process or handle holds it. An advisory `flock` on Unix, `LockFileEx` on Windows.
pub fn lock(file: &File, blocking: bool) -> io::Result<bool> {
    if blocking {
        file.lock()?;
        return Ok(true);
    }
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(error)) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_lists_files_sorted_and_skips_the_folders_it_is_told_to() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["b.rs", "src/lib.rs", "target/x", "src/wrong/lib.rs"] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file).unwrap();
        }
        let found = walk(dir.path(), |_, name| name != "target" && name != "wrong").unwrap();
        let names: Vec<String> = found.iter().map(Found::slashed).collect();
        assert_eq!(names, ["b.rs", "src/lib.rs"]);
    }

    #[test]
    fn the_digest_is_fnv_1a_and_sees_names_and_contents() {
        // FNV-1a's published test value for "a".
        let mut digest = Digest::new();
        digest.write(b"a");
        assert_eq!(digest.hex(), "af63dc4c8601ec8c");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "1").unwrap();
        let before = digest_dir(dir.path(), &[]);
        std::fs::write(dir.path().join("a"), "2").unwrap();
        assert_ne!(before, digest_dir(dir.path(), &[]));
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomically(&path, b"old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_held_lock_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let open = || File::create(dir.path().join("slot.lock")).unwrap();
        let (first, second) = (open(), open());
        assert!(lock(&first, false).unwrap());
        assert!(!lock(&second, false).unwrap());
        drop(first);
        assert!(lock(&second, false).unwrap());
    }
}
