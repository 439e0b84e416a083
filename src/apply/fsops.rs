//! Durable file operations: every change is a rename of a fully written, fsynced file, followed by an
//! fsync of the folder, so that a crash leaves each path either as it was or as it was meant to be.
//!
//! [`crash_point`] is called after every durable step: with `AGENT_DEDUP_CRASH_AFTER=N` in the
//! environment the process aborts at the N-th step, as a SIGKILL would. The crash tests use it to
//! stop `apply` deterministically at every step.

use crate::parse::MAX_FILE_BYTES;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The environment variable that makes [`crash_point`] abort the process after that many steps.
pub const CRASH_AFTER_VAR: &str = "AGENT_DEDUP_CRASH_AFTER";

static STEPS: AtomicUsize = AtomicUsize::new(0);

/// Marks the end of one durable step. Aborts the process (no cleanup, no destructors, like a
/// SIGKILL) when `AGENT_DEDUP_CRASH_AFTER` says this is the step to die after.
pub fn crash_point() {
    static LIMIT: OnceLock<Option<usize>> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| std::env::var(CRASH_AFTER_VAR).ok()?.trim().parse().ok());
    let done = STEPS.fetch_add(1, Ordering::SeqCst) + 1;
    if limit.is_some_and(|n| done >= n) {
        std::process::abort();
    }
}

/// Hex SHA-256 of some bytes, as the report records it (`agents[].sha256`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bytes of a regular file and their SHA-256, or `None` when nothing is there.
/// A symbolic link, a folder or anything else that is not a regular file is an error, and so is a
/// file over [`MAX_FILE_BYTES`] (no agent definition, merged or kept, is that large). The file is
/// opened without following a link and without blocking, so that a link or a named pipe swapped in
/// after the check is refused too, never read through or waited on.
pub fn read_regular(path: &Path) -> io::Result<Option<(Vec<u8>, String)>> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(meta) if !meta.file_type().is_file() => return Err(not_regular(&meta.file_type())),
        Ok(_) => {}
    }
    let file = match open_untrusted(path, false) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        other => other?,
    };
    let bytes = read_capped(file, MAX_FILE_BYTES)?;
    let hash = sha256_hex(&bytes);
    Ok(Some((bytes, hash)))
}

/// The most bytes read from a report (a scan of 100,000 agents writes a few hundred megabytes).
pub const MAX_REPORT_BYTES: u64 = 1 << 30;
/// The most bytes read from a journal (a few hundred bytes per file an apply touched).
pub const MAX_JOURNAL_BYTES: u64 = 256 << 20;

/// Reads a report or a journal named on the command line: only a regular file (a named pipe would
/// block, `/dev/zero` never ends), at most `limit` bytes. Links are followed: the command line
/// is trusted to name the file it means.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let read = open_untrusted(path, true).and_then(|file| read_capped(file, limit));
    read.map_err(|e| match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => io::Error::new(
            e.kind(),
            format!("{e}: not read; give the file agent-dedup wrote"),
        ),
        _ => e,
    })
}

/// Opens a file to read without blocking on a named pipe (it is refused by its type just after)
/// and, unless `follow`, without following a symbolic link in its last component.
fn open_untrusted(path: &Path, follow: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | nofollow);
    }
    #[cfg(not(unix))]
    let _ = follow;
    match options.open(path) {
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) && !follow => {
            Err(not_regular(&fs::symlink_metadata(path)?.file_type()))
        }
        other => other,
    }
}

/// The whole of an opened file, provided it is a regular file of at most `limit` bytes (checked
/// before reading, and again after: a file may grow while it is read).
fn read_capped(file: File, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn not_regular(file_type: &fs::FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "not a regular file ({})",
            crate::parse::file_type_name(file_type)
        ),
    )
}

fn too_large(len: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{len} bytes, over the limit of {limit} bytes"),
    )
}

/// Fsyncs a folder, so that the names created, renamed or removed in it survive a crash.
/// (On platforms where folders cannot be opened this way, there is nothing more to do.)
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
    }
    Ok(())
}

/// The folder holding `path` (`.` for a bare name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether a file can be created, renamed or removed in `folder` (or, when it does not exist yet, in
/// the nearest folder above it, where it would be created): asked of the system without changing
/// anything, so that apply can refuse a cluster before its first operation rather than fail halfway.
pub fn can_create_in(folder: &Path) -> io::Result<()> {
    let mut dir = folder;
    loop {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is a file, not a folder", dir.display()),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => dir = p,
                _ => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        // SAFETY: a NUL-terminated path; access(2) only reads it.
        if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The lock on agent-dedup's folder, held while it lives.
pub struct FolderLock {
    _file: Option<File>,
}

/// Takes the lock every apply and undo holds on agent-dedup's folder while it changes files, so
/// that two never work on one library at once. `None` when another process holds it. Released
/// when the returned lock is dropped or the process ends, however it ends (even by SIGKILL).
/// (Where there is no `flock`, nothing is locked.)
pub fn lock_folder(dir: &Path) -> io::Result<Option<FolderLock>> {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        let file = File::open(dir)?;
        // SAFETY: flock(2) on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Ok(None);
            }
            return Err(e);
        }
        Ok(Some(FolderLock { _file: Some(file) }))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(Some(FolderLock { _file: None }))
    }
}

/// Creates `dir` and any missing parents, fsyncing each parent that gained an entry.
pub fn create_dir_durable(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(p) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_durable(p)?;
    }
    match fs::create_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => return Ok(()),
        other => other?,
    }
    sync_dir(parent(dir))?;
    crash_point();
    Ok(())
}

/// Writes `bytes` to `tmp` (which must not exist), with the given permissions, and fsyncs it.
pub(crate) fn write_new_synced(
    tmp: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(tmp)?;
    file.write_all(bytes)?;
    if let Some(p) = permissions {
        file.set_permissions(p)?;
    }
    file.sync_all()?;
    Ok(())
}

/// Replaces (or creates) `path` with `bytes` atomically: written to `tmp` in the same folder, fsynced,
/// renamed over `path`, folder fsynced. `tmp` must be a name nobody else uses (see the journal).
pub fn write_atomic(
    path: &Path,
    tmp: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
) -> io::Result<()> {
    write_new_synced(tmp, bytes, permissions)?;
    crash_point();
    if let Err(e) = fs::rename(tmp, path) {
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    crash_point();
    sync_dir(parent(path))?;
    crash_point();
    Ok(())
}

/// Moves `src` to `dst` durably. A rename when both are on one file system; otherwise a copy through
/// `tmp` (in `dst`'s folder), then the removal of `src`: at every moment the bytes exist at one of the
/// two paths at least.
pub fn move_durable(src: &Path, dst: &Path, tmp: &Path) -> io::Result<()> {
    match fs::rename(src, dst) {
        Ok(()) => {
            crash_point();
            sync_dir(parent(dst))?;
            if parent(dst) != parent(src) {
                sync_dir(parent(src))?;
            }
            crash_point();
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(e),
        Err(_) => {
            // Most likely another file system (EXDEV): copy, then remove.
            let bytes = fs::read(src)?;
            let permissions = fs::metadata(src)?.permissions();
            write_atomic(dst, tmp, &bytes, Some(permissions))?;
            fs::remove_file(src)?;
            crash_point();
            sync_dir(parent(src))?;
            crash_point();
            Ok(())
        }
    }
}

/// Removes a file durably; a file already gone is fine.
pub fn remove_durable(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        other => other?,
    }
    crash_point();
    sync_dir(parent(path))?;
    crash_point();
    Ok(())
}

/// Removes `dir` and the empty folders under it, leaving any folder that still holds a file.
pub fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&entry.path());
            }
        }
    }
    let _ = fs::remove_dir(dir);
}
