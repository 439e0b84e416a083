//! Durable file operations: every change is a rename of a fully written, fsynced file, followed by an
//! fsync of the folder, so that a crash leaves each path either as it was or as it was meant to be.
//!
//! [`crash_point`] is called after every durable step: with `AGENT_DEDUP_CRASH_AFTER=N` in the
//! environment the process aborts at the N-th step, as a SIGKILL would. The crash tests use it to
//! stop `apply` deterministically at every step.

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
/// A symbolic link, a folder or anything else that is not a regular file is an error.
pub fn read_regular(path: &Path) -> io::Result<Option<(Vec<u8>, String)>> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
        Ok(meta) if !meta.file_type().is_file() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a symbolic link, a folder or a device): left alone",
        )),
        Ok(_) => {
            let bytes = fs::read(path)?;
            let hash = sha256_hex(&bytes);
            Ok(Some((bytes, hash)))
        }
    }
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

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
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
fn write_new_synced(
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
