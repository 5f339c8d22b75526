//! A private filesystem view and network for one learner process (root with CAP_SYS_ADMIN).
//!
//! Between fork and exec the child leaves the grader's mount, network and IPC namespaces and
//! builds itself a new root on a small tmpfs, then `pivot_root`s into it:
//!
//! ```text
//! /usr /etc /proc /sys        read-only binds of the host's (programs, libraries, /proc/self)
//! /bin /sbin /lib /lib64 …    the same, or the host's symlinks into /usr
//! /dev                        a tmpfs with null, zero, full, random, urandom bound in,
//!                             fd/stdin/stdout/stderr links into /proc/self, a small shm/
//! /tmp                        a tmpfs of the policy's size, owned by the test's uid: its
//!                             working folder, HOME and TMPDIR
//! /tasklings/N/hidden         the test binary, read-only
//! ```
//!
//! Nothing else exists in it: not the repository, the hidden tests' sources, the solutions, other
//! students' submissions, the grader's scratch and build folders or the results. The network
//! namespace holds only a loopback interface, brought up so that tests serving HTTP on
//! 127.0.0.1 work; nothing outside is reachable. All of it disappears with the test's last
//! process.
//!
//! [`Plan::new`] prepares every path and option in the parent (the child may not allocate);
//! [`Plan::enter`] makes the system calls in the child.

use std::ffi::{CStr, CString};
use std::io;
use std::path::{Path, PathBuf};

use super::unix::{check, cstring};

/// Host folders bound read-only into the new root, when they exist (and are folders).
const READ_ONLY_DIRS: &[&str] = &[
    "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt",
];
/// Bound with everything mounted below them (read-only at the top).
const READ_ONLY_TREES: &[&str] = &["/proc", "/sys"];
/// Device nodes bound into the private /dev.
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom"];
/// Links in the private /dev.
const DEV_LINKS: &[(&str, &str)] = &[
    ("/proc/self/fd", "fd"),
    ("/proc/self/fd/0", "stdin"),
    ("/proc/self/fd/1", "stdout"),
    ("/proc/self/fd/2", "stderr"),
];

/// One bind mount: `source` (host path) onto `target` (inside the new root, as a host path
/// before `pivot_root`).
struct Bind {
    source: CString,
    target: CString,
    is_file: bool,
    recursive: bool,
    read_only: bool,
}

/// Everything [`Plan::enter`] needs, as C strings.
pub struct Plan {
    new_root: CString,
    put_old: CString,
    dirs: Vec<CString>,
    symlinks: Vec<(CString, CString)>,
    binds: Vec<Bind>,
    tmp: CString,
    tmp_options: CString,
    dev: CString,
    devices: Vec<(CString, CString)>,
    dev_links: Vec<(CString, CString)>,
    shm: CString,
}

/// The host's folders the private root shows read-only: a bind for each folder (recursive for
/// whole trees), a symbolic link where the host has one (`/lib` → `usr/lib`).
fn host_views(
    inside: &dyn Fn(&Path) -> io::Result<CString>,
    dirs: &mut Vec<CString>,
    symlinks: &mut Vec<(CString, CString)>,
    binds: &mut Vec<Bind>,
) -> io::Result<()> {
    let host = |path: &Path| cstring(path.as_os_str());
    let read_only = |path: &Path, recursive: bool| -> io::Result<Bind> {
        Ok(Bind {
            source: host(path)?,
            target: inside(path)?,
            is_file: false,
            recursive,
            read_only: true,
        })
    };
    for dir in READ_ONLY_DIRS {
        let path = Path::new(dir);
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(path)?;
                symlinks.push((host(&target)?, inside(path)?));
            }
            Ok(meta) if meta.is_dir() => {
                dirs.push(inside(path)?);
                binds.push(read_only(path, false)?);
            }
            _ => {}
        }
    }
    for tree in READ_ONLY_TREES {
        let path = Path::new(tree);
        if path.is_dir() {
            dirs.push(inside(path)?);
            binds.push(read_only(path, true)?);
        }
    }
    Ok(())
}

impl Plan {
    /// A plan whose new root is mounted on `new_root` (an empty folder), holding `binary`
    /// (real path, path inside) when given, with a /tmp of `tmp_bytes` owned by `ids`.
    pub fn new(
        new_root: &Path,
        binary: Option<(PathBuf, PathBuf)>,
        ids: (libc::uid_t, libc::gid_t),
        tmp_bytes: u64,
    ) -> io::Result<Plan> {
        let inside = |path: &Path| -> io::Result<CString> {
            let relative = path.strip_prefix("/").unwrap_or(path);
            cstring(new_root.join(relative).as_os_str())
        };
        let host = |path: &Path| cstring(path.as_os_str());

        let mut dirs = Vec::new();
        let mut symlinks = Vec::new();
        let mut binds = Vec::new();
        host_views(&inside, &mut dirs, &mut symlinks, &mut binds)?;
        if let Some((real, path_inside)) = binary {
            let mut ancestors: Vec<&Path> = path_inside
                .ancestors()
                .skip(1)
                .filter(|a| *a != Path::new("/") && !a.as_os_str().is_empty())
                .collect();
            ancestors.reverse();
            for ancestor in ancestors {
                dirs.push(inside(ancestor)?);
            }
            binds.push(Bind {
                source: host(&real)?,
                target: inside(&path_inside)?,
                is_file: true,
                recursive: false,
                read_only: true,
            });
        }
        let tmp = Path::new("/tmp");
        let dev = Path::new("/dev");
        dirs.push(inside(tmp)?);
        dirs.push(inside(dev)?);
        dirs.push(inside(Path::new("/.old"))?);

        let dev_dir = new_root.join("dev");
        let devices = DEVICES
            .iter()
            .filter(|name| Path::new("/dev").join(name).exists())
            .map(|name| {
                Ok((
                    host(&dev.join(name))?,
                    cstring(dev_dir.join(name).as_os_str())?,
                ))
            })
            .collect::<io::Result<Vec<_>>>()?;
        let dev_links = DEV_LINKS
            .iter()
            .map(|(target, name)| {
                Ok((
                    host(Path::new(target))?,
                    cstring(dev_dir.join(name).as_os_str())?,
                ))
            })
            .collect::<io::Result<Vec<_>>>()?;

        let (uid, gid) = ids;
        Ok(Plan {
            new_root: host(new_root)?,
            put_old: inside(Path::new("/.old"))?,
            dirs,
            symlinks,
            binds,
            tmp: inside(tmp)?,
            tmp_options: CString::new(format!("size={tmp_bytes},mode=0700,uid={uid},gid={gid}"))
                .map_err(io::Error::other)?,
            dev: inside(dev)?,
            devices,
            dev_links,
            shm: cstring(dev_dir.join("shm").as_os_str())?,
        })
    }

    /// In the child: new namespaces, the new root, pivot into it, loopback up. System calls
    /// only.
    pub fn enter(&self) -> io::Result<()> {
        // SAFETY: system calls on integers and null pointers only.
        unsafe {
            check(libc::unshare(
                libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWIPC,
            ))?;
            // Our mounts must not propagate back to the host.
            check(libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ))?;
        }
        self.build_root()?;
        self.build_dev()?;
        self.pivot()?;
        loopback_up()
    }

    /// The skeleton on a small tmpfs: its folders and links, the read-only binds, the private
    /// /tmp.
    fn build_root(&self) -> io::Result<()> {
        mount_tmpfs(
            &self.new_root,
            c"size=1m,mode=0755",
            libc::MS_NOSUID | libc::MS_NODEV,
        )?;
        for dir in &self.dirs {
            mkdir(dir, 0o755)?;
        }
        for (target, link) in &self.symlinks {
            // SAFETY: NUL-terminated strings owned by `self`, alive for the call.
            check(unsafe { libc::symlink(target.as_ptr(), link.as_ptr()) })?;
        }
        for bind in &self.binds {
            bind.mount()?;
        }
        mount_tmpfs(
            &self.tmp,
            &self.tmp_options,
            libc::MS_NOSUID | libc::MS_NODEV,
        )
    }

    /// A minimal /dev: the few devices a program needs, its links, and /dev/shm.
    fn build_dev(&self) -> io::Result<()> {
        mount_tmpfs(
            &self.dev,
            c"size=1m,mode=0755",
            libc::MS_NOSUID | libc::MS_NOEXEC,
        )?;
        for (source, target) in &self.devices {
            touch(target)?;
            // SAFETY: NUL-terminated strings owned by `self`, alive for the call.
            check(unsafe {
                libc::mount(
                    source.as_ptr(),
                    target.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND,
                    std::ptr::null(),
                )
            })?;
        }
        for (target, link) in &self.dev_links {
            // SAFETY: as above.
            check(unsafe { libc::symlink(target.as_ptr(), link.as_ptr()) })?;
        }
        mkdir(&self.shm, 0o755)?;
        // SAFETY: as above.
        check(unsafe { libc::chmod(self.shm.as_ptr(), 0o1777) })
    }

    /// The skeleton made read-only (the test writes only to /tmp), then the root switched to it
    /// and the old one detached.
    fn pivot(&self) -> io::Result<()> {
        // SAFETY: system calls on NUL-terminated strings owned by `self` or static, and
        // integers; none allocates.
        unsafe {
            check(libc::mount(
                std::ptr::null(),
                self.new_root.as_ptr(),
                std::ptr::null(),
                libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
                c"size=1m,mode=0755".as_ptr().cast(),
            ))?;
            check(libc::syscall(
                libc::SYS_pivot_root,
                self.new_root.as_ptr(),
                self.put_old.as_ptr(),
            ) as libc::c_int)?;
            check(libc::chdir(c"/".as_ptr()))?;
            check(libc::umount2(c"/.old".as_ptr(), libc::MNT_DETACH))
        }
    }
}

impl Bind {
    /// The bind mount, then (read-only) its remount without write or setuid.
    fn mount(&self) -> io::Result<()> {
        if self.is_file {
            touch(&self.target)?;
        }
        let recursive = if self.recursive { libc::MS_REC } else { 0 };
        // SAFETY: system calls on NUL-terminated strings owned by `self`, alive for the call.
        unsafe {
            check(libc::mount(
                self.source.as_ptr(),
                self.target.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND | recursive,
                std::ptr::null(),
            ))?;
            if self.read_only {
                check(libc::mount(
                    std::ptr::null(),
                    self.target.as_ptr(),
                    std::ptr::null(),
                    libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID,
                    std::ptr::null(),
                ))?;
            }
        }
        Ok(())
    }
}

/// Whether namespaces work here: a child that builds a (binary-less) private root and exits.
pub fn available(stage_root: &Path) -> bool {
    let probe_root = stage_root.join("probe");
    if std::fs::create_dir_all(&probe_root).is_err() {
        return false;
    }
    let works = (|| -> io::Result<bool> {
        let plan = Plan::new(&probe_root, None, (0, 0), 1 << 20)?;
        let mut command = std::process::Command::new("/proc/self/exe");
        command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        // SAFETY: `enter` makes system calls only; `_exit` ends the child before exec, which
        // the parent sees as a successful start.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, move || {
                plan.enter()?;
                libc::_exit(0);
            });
        }
        let status = command.spawn()?.wait()?;
        Ok(status.success())
    })()
    .unwrap_or(false);
    let _ = std::fs::remove_dir(&probe_root);
    works
}

/// A tmpfs mounted on `target` with `options`.
fn mount_tmpfs(target: &CStr, options: &CStr, flags: libc::c_ulong) -> io::Result<()> {
    // SAFETY: `&CStr`s are live NUL-terminated strings for the whole call.
    check(unsafe {
        libc::mount(
            c"tasklings".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            flags,
            options.as_ptr().cast(),
        )
    })
}

/// mkdir that accepts an existing folder (a path listed twice).
fn mkdir(path: &CStr, mode: libc::mode_t) -> io::Result<()> {
    // SAFETY: a NUL-terminated path we own.
    if unsafe { libc::mkdir(path.as_ptr(), mode) } == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EEXIST) {
        Ok(())
    } else {
        Err(error)
    }
}

/// Creates an empty file to bind a file onto.
fn touch(path: &CStr) -> io::Result<()> {
    // SAFETY: open/close on a NUL-terminated path we own.
    unsafe {
        let fd = libc::open(
            path.as_ptr(),
            libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
            0o644,
        );
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        libc::close(fd);
    }
    Ok(())
}

/// Brings up `lo` in the new network namespace (it starts down).
fn loopback_up() -> io::Result<()> {
    // SAFETY: a socket used only for two ioctls on a zeroed ifreq we own, then closed.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        let mut request: libc::ifreq = std::mem::zeroed();
        for (slot, byte) in request.ifr_name.iter_mut().zip(b"lo\0") {
            *slot = *byte as libc::c_char;
        }
        let result = (|| {
            check(libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut request))?;
            request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            check(libc::ioctl(fd, libc::SIOCSIFFLAGS, &request))
        })();
        libc::close(fd);
        result
    }
}
