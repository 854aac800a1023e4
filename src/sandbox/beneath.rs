//! cria's own writes (and the reads they depend on) inside a repository that sandboxed code may
//! have changed. A test run may replace `sub/` with a symlink to a folder outside, or a file with
//! a link, between the moment cria recorded a path and the moment it writes; so every access
//! here walks the path again at that moment, one component at a time from `/`, each step opened
//! relative to the last with `O_NOFOLLOW`: a symlink anywhere on the way is refused, never
//! followed. The repository root is canonical (it has no links of its own), so any link met is
//! one that appeared since.
//!
//! Reads and writes touch regular files only: a FIFO or device planted in the repository is
//! refused instead of blocking cria forever.

use std::ffi::CString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Component, Path};

/// The file `rel` (relative, no `..`) under `root`, if it is a regular file; `NotFound` when it
/// does not exist.
pub fn read(root: &Path, rel: &str) -> io::Result<Vec<u8>> {
    let (dir, name) = parent(root, rel, false)?;
    let fd = openat(
        &dir,
        &name,
        libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
        0,
    )
    .map_err(|e| refused(rel, e))?;
    let mut file = File::from(fd);
    regular(&file, rel)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Replace (or create) `rel` under `root` with `bytes` atomically: a temporary file in the same
/// folder, synced, given the old file's mode, renamed over it. Missing folders are created.
pub fn write(root: &Path, rel: &str, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = parent(root, rel, true)?;
    let mode = match stat_at(&dir, &name) {
        Ok(st) if st.st_mode & libc::S_IFMT == libc::S_IFREG => Some(st.st_mode & 0o7777),
        Ok(st) if st.st_mode & libc::S_IFMT == libc::S_IFLNK => {
            return Err(io::Error::other(format!(
                "{rel} is a symlink; cria does not write through links"
            )))
        }
        Ok(_) => return Err(io::Error::other(format!("{rel} is not a regular file"))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let tmp = temp_name(&name)?;
    let fd = openat(
        &dir,
        &tmp,
        libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        0o666,
    )?;
    let mut file = File::from(fd);
    let written = (|| {
        file.write_all(bytes)?;
        if let Some(mode) = mode {
            // SAFETY: fchmod on an fd we own.
            check(unsafe { libc::fchmod(file.as_raw_fd(), mode) })?;
        }
        file.sync_all()?;
        // SAFETY: both names are NUL-terminated and relative to the same directory fd.
        check(unsafe {
            libc::renameat(
                dir.as_raw_fd(),
                tmp.as_ptr(),
                dir.as_raw_fd(),
                name.as_ptr(),
            )
        })
    })();
    if written.is_err() {
        // SAFETY: as above; the temporary file is ours.
        unsafe { libc::unlinkat(dir.as_raw_fd(), tmp.as_ptr(), 0) };
    }
    written?;
    let _ = File::from(dir).sync_all();
    Ok(())
}

/// Remove `rel` under `root` (a missing file is fine), then the folders on its path that this
/// left empty, deepest first, as `git rm` does (so undoing the creation of `tests/issue.rs`
/// leaves no empty `tests/`); never `root`, and never follows a link on the way.
pub fn remove(root: &Path, rel: &str) -> io::Result<()> {
    if !unlink(root, rel, 0)? {
        return Ok(());
    }
    for folder in Path::new(rel).ancestors().skip(1) {
        let Some(folder) = folder.to_str().filter(|f| !f.is_empty() && *f != ".") else {
            break;
        };
        // A folder that still holds anything (ENOTEMPTY), or is not one, ends the walk.
        if !matches!(unlink(root, folder, libc::AT_REMOVEDIR), Ok(true)) {
            break;
        }
    }
    Ok(())
}

/// `unlinkat` of `rel` under `root` with `flags`: whether it removed something (a missing
/// entry is fine, and false).
fn unlink(root: &Path, rel: &str, flags: libc::c_int) -> io::Result<bool> {
    let (dir, name) = match parent(root, rel, false) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        other => other?,
    };
    // SAFETY: a NUL-terminated name relative to a directory fd we own.
    match check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), flags) }) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
        Ok(()) => {
            let _ = File::from(dir).sync_all();
            Ok(true)
        }
    }
}

/// Read a file the model named, following links (reading outside the repository is allowed)
/// but only if it is a regular file: a FIFO or a device would block or never end.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let c = cstring(path.as_os_str().as_encoded_bytes())?;
    // SAFETY: a NUL-terminated path.
    let raw = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC,
        )
    };
    check(raw)?;
    // SAFETY: `raw` is a new fd that nothing else owns.
    let mut file = File::from(unsafe { OwnedFd::from_raw_fd(raw) });
    regular(&file, &path.display().to_string())?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn regular(file: &File, what: &str) -> io::Result<()> {
    if file.metadata()?.is_file() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{what} is not a regular file (a FIFO, device or socket); cria only reads files"
        )))
    }
}

/// The directory holding `rel` under `root`, opened by a walk that follows no link, and the
/// file's own name. `create` makes missing directories on the way.
fn parent(root: &Path, rel: &str, create: bool) -> io::Result<(OwnedFd, CString)> {
    let rel_path = Path::new(rel);
    let mut names: Vec<&std::ffi::OsStr> = Vec::new();
    for comp in root.components().chain(rel_path.components()) {
        match comp {
            Component::RootDir => {}
            Component::Normal(n) => names.push(n),
            Component::CurDir => {}
            _ => {
                return Err(io::Error::other(format!(
                    "{rel}: not a plain path inside the repository"
                )))
            }
        }
    }
    if !root.is_absolute() || rel_path.is_absolute() || names.len() < root.components().count() {
        return Err(io::Error::other(format!(
            "{rel}: not a file inside the repository"
        )));
    }
    let name = names.pop().ok_or_else(|| io::Error::other("empty path"))?;
    let slash = cstring(b"/")?;
    // SAFETY: a NUL-terminated path.
    let raw = unsafe {
        libc::open(
            slash.as_ptr(),
            libc::O_DIRECTORY | libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    check(raw)?;
    // SAFETY: a new fd that nothing else owns.
    let mut dir = unsafe { OwnedFd::from_raw_fd(raw) };
    let flags = libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_RDONLY | libc::O_CLOEXEC;
    for part in names {
        let c = cstring(part.as_encoded_bytes())?;
        dir = match openat(&dir, &c, flags, 0) {
            Err(e) if create && e.kind() == io::ErrorKind::NotFound => {
                // SAFETY: a NUL-terminated name relative to a directory fd we own.
                match check(unsafe { libc::mkdirat(dir.as_raw_fd(), c.as_ptr(), 0o777) }) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                    _ => {}
                }
                openat(&dir, &c, flags, 0).map_err(|e| refused(rel, e))?
            }
            other => other.map_err(|e| refused(rel, e))?,
        };
    }
    Ok((dir, cstring(name.as_encoded_bytes())?))
}

/// `ELOOP`/`ENOTDIR` from an `O_NOFOLLOW` open mean a link (or a file) stands where a folder or
/// file was: say so plainly.
fn refused(rel: &str, e: io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(libc::ELOOP) | Some(libc::ENOTDIR) => io::Error::other(format!(
            "{rel}: a symlink (or a file) stands on its path now; cria does not follow links \
             inside the repository when it writes"
        )),
        _ => e,
    }
}

fn openat(dir: &OwnedFd, name: &CString, flags: libc::c_int, mode: u32) -> io::Result<OwnedFd> {
    // SAFETY: a NUL-terminated name relative to a directory fd we own.
    let raw = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags, mode) };
    check(raw)?;
    // SAFETY: a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

fn stat_at(dir: &OwnedFd, name: &CString) -> io::Result<libc::stat> {
    // SAFETY: fstatat fills the zeroed struct; the name is relative to our directory fd.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &mut st,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    })?;
    Ok(st)
}

fn temp_name(name: &CString) -> io::Result<CString> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut bytes = format!(".cria-{}-{nanos}-", std::process::id()).into_bytes();
    bytes.extend(name.as_bytes().iter().take(64));
    cstring(&bytes)
}

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| io::Error::other("a path holds a NUL byte"))
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[path = "beneath_tests.rs"]
mod tests;
