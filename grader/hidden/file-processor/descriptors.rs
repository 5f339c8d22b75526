//! Which files this process has open: its descriptors, and the file behind each one.
//!
//! The named-pipe checks (`fifo.rs`) need to see a file the code under test still holds after
//! its pipe was released. The code runs in this process, so its open files are this process's
//! descriptors. A descriptor is matched to a pipe by the file's identity — device and inode from
//! `fstat`, the same on every Unix — rather than by the path it was opened under, which only
//! Linux's `/proc` shows. Listing the descriptors is what differs:
//!
//! | platform | descriptors from |
//! |---|---|
//! | Linux | the entries of `/proc/self/fd` |
//! | macOS | `proc_pidinfo(PROC_PIDLISTFDS)`, the kernel's list of the process's descriptors (`/dev/fd` there shows only 0–2 unless fdesc is mounted) |
//! | other Unix | the entries of `/dev/fd` |
//!
//! A descriptor closed between the listing and its `fstat` is skipped: it is no longer open.

use std::path::Path;

/// A file's identity: (device, inode).
pub type FileId = (u64, u64);

/// The identity of the file at `path` (following symbolic links), or `None` if it can't be read.
pub fn id_of_path(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.dev(), metadata.ino()))
}

/// The identity of the file open as `fd` in this process, or `None` if `fd` isn't open.
pub fn id_of_descriptor(fd: i32) -> Option<FileId> {
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes one `stat` through the pointer, valid for writes of that size for the
    // call; a descriptor that isn't open makes it fail with EBADF, touching nothing.
    if unsafe { libc::fstat(fd, stat.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: fstat returned 0, so it filled in the struct.
    let stat = unsafe { stat.assume_init() };
    // The field types differ between Unixes (dev_t is i32 on macOS, u64 on Linux).
    #[allow(clippy::unnecessary_cast)]
    Some((stat.st_dev as u64, stat.st_ino as u64))
}

/// The descriptors open in this process now.
#[cfg(target_os = "linux")]
pub fn open_descriptors() -> Vec<i32> {
    listed_in("/proc/self/fd")
}

/// The descriptors open in this process now.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn open_descriptors() -> Vec<i32> {
    listed_in("/dev/fd")
}

/// Descriptor numbers named by the entries of `dir`.
#[cfg(not(target_os = "macos"))]
fn listed_in(dir: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

/// The descriptors open in this process now.
#[cfg(target_os = "macos")]
pub fn open_descriptors() -> Vec<i32> {
    let entry = std::mem::size_of::<libc::proc_fdinfo>();
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    // With no buffer, PROC_PIDLISTFDS returns the bytes the list needs now; room for a few more
    // covers descriptors opened between the two calls.
    // SAFETY: a null buffer of size 0 is allowed: the call only reports the size.
    let needed =
        unsafe { libc::proc_pidinfo(pid, libc::PROC_PIDLISTFDS, 0, std::ptr::null_mut(), 0) };
    let Ok(needed) = usize::try_from(needed) else {
        return Vec::new();
    };
    let mut list: Vec<libc::proc_fdinfo> = Vec::with_capacity(needed / entry + 16);
    let room = i32::try_from(list.capacity() * entry).unwrap_or(i32::MAX);
    // SAFETY: the buffer has room for `capacity` entries, `room` bytes, and proc_pidinfo writes at
    // most that many bytes, returning how many it wrote.
    let written = unsafe {
        libc::proc_pidinfo(
            pid,
            libc::PROC_PIDLISTFDS,
            0,
            list.as_mut_ptr().cast(),
            room,
        )
    };
    let Ok(written) = usize::try_from(written) else {
        return Vec::new();
    };
    // SAFETY: proc_pidinfo initialised `written` bytes: whole entries, within the capacity.
    unsafe { list.set_len((written / entry).min(list.capacity())) };
    // Every kind of descriptor: `id_of_descriptor` tells the pipes apart by their identity.
    list.iter().map(|info| info.proc_fd).collect()
}
