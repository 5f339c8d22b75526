//! The binary's end of the result channel on each system: check that the number names an open
//! channel, stop processes started later from inheriting it, and own it as a `File`.

use std::fs::File;

/// Unix: `number` is a file descriptor the grader left open across `exec`.
#[cfg(unix)]
pub fn take_channel(number: u64) -> Result<File, String> {
    use std::os::fd::{FromRawFd, RawFd};

    let fd = RawFd::try_from(number).map_err(|_| "not a file descriptor".to_owned())?;
    // SAFETY: fcntl on an arbitrary integer is memory-safe; a bad descriptor gives -1/EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if fd < 3 || flags < 0 {
        return Err("not an open file descriptor".to_owned());
    }
    // SAFETY: as above; FD_CLOEXEC keeps processes that test code starts from inheriting it.
    unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) };
    // SAFETY: the grader handed this descriptor to this process for its exclusive use, it is
    // open (checked above), and nothing else in the process wraps it.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// Windows: `number` is the value of a pipe handle the grader made inheritable for this process.
#[cfg(windows)]
pub fn take_channel(number: u64) -> Result<File, String> {
    use std::os::windows::io::{FromRawHandle, RawHandle};
    use windows_sys::Win32::Foundation::{
        GetHandleInformation, SetHandleInformation, HANDLE, HANDLE_FLAG_INHERIT,
    };

    let value = usize::try_from(number).map_err(|_| "not a handle value".to_owned())?;
    let handle = value as HANDLE;
    let mut flags = 0u32;
    // SAFETY: GetHandleInformation only reads the process's handle table; an invalid value
    // makes it return 0.
    if value == 0 || unsafe { GetHandleInformation(handle, &mut flags) } == 0 {
        return Err("not an open handle".to_owned());
    }
    // SAFETY: as above, on a handle just checked to be open; clearing the flag keeps processes
    // that test code starts (std's Command inherits every inheritable handle) from getting it.
    unsafe { SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0) };
    // SAFETY: the grader handed this handle to this process for its exclusive use, it is open
    // (checked above), and nothing else in the process wraps it.
    Ok(unsafe { File::from_raw_handle(handle as RawHandle) })
}

#[cfg(not(any(unix, windows)))]
pub fn take_channel(_number: u64) -> Result<File, String> {
    Err("result channels need Unix or Windows".to_owned())
}
