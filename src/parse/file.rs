//! File safety, shared by every format: what is opened, how much is read, and which bytes are
//! not text worth reading.

use crate::model::{FileId, Skipped};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Files larger than this (1 MiB) are not agent definitions; they are skipped unread. The largest
/// real agent files are about 30 KB, so this leaves room for thirty times that while keeping every
/// later stage fast: merging bodies compares blocks pairwise, and two 4 MB copies took two minutes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The bytes of one file, read the safe way: a file is opened without blocking (a named pipe would
/// block), only a regular file is read, and at most [`MAX_FILE_BYTES`] (+1, to tell that a file is
/// over) are read, even when the file grows between the size check and the read. For any later
/// reading of a file too (diffs).
pub fn read_file_bytes(path: &Path) -> Result<Vec<u8>, Skipped> {
    read_file(path).map(|(bytes, _)| bytes)
}

/// [`read_file_bytes`], with which file was read (so a later re-read can tell it is the same one).
pub fn read_file(path: &Path) -> Result<(Vec<u8>, Option<FileId>), Skipped> {
    let skip = |reason: String| Skipped {
        path: path.to_owned(),
        reason,
    };
    // Opened first and asked its type and size after: the path is looked up once, not twice.
    let file = open_without_blocking(path).map_err(|e| skip(why_not_opened(path, &e)))?;
    let meta = file.metadata().map_err(|e| skip(describe_read_error(&e)))?;
    if let Some(reason) = not_readable(&meta) {
        return Err(skip(reason));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| skip(describe_read_error(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(skip(format!(
            "{} (it grew while being read)",
            too_large(bytes.len() as u64)
        )));
    }
    Ok((bytes, FileId::of(&meta)))
}

/// Opens a file for reading. On Unix without blocking, so that a named pipe with no writer opens
/// at once (to be refused by its type), and without making a terminal ours.
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Why a file could not be opened, said as when its metadata was read before opening it: a pipe,
/// a folder or a file over the limit is named as such even where opening it failed.
fn why_not_opened(path: &Path, open_error: &std::io::Error) -> String {
    if open_error.kind() == std::io::ErrorKind::PermissionDenied {
        if let Some(folder) = crate::discover::unsearchable_folder(path) {
            return format!(
                "could not be read: permission denied: the folder {} cannot be entered (give \
                 yourself access, e.g. `chmod u+x {}`)",
                folder.display(),
                folder.display()
            );
        }
    }
    match std::fs::metadata(path) {
        Err(e) => describe_read_error(&e),
        Ok(meta) => not_readable(&meta).unwrap_or_else(|| describe_read_error(open_error)),
    }
}

/// Why a file of this type and size is not read, if it is not.
fn not_readable(meta: &std::fs::Metadata) -> Option<String> {
    if !meta.is_file() {
        return Some(format!(
            "not a regular file ({}); only regular files are read",
            file_type_name(&meta.file_type())
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Some(too_large(meta.len()));
    }
    None
}

fn too_large(len: u64) -> String {
    format!(
        "file is {len} bytes, over the {MAX_FILE_BYTES} byte limit for an agent definition; not read \
         (an agent definition is a few kilobytes: is this really one?)"
    )
}

/// Why a file could not be read, and what to do about it.
fn describe_read_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => {
            "could not be read: the file no longer exists (moved or deleted while the scan \
                     ran, or a broken link); run the scan again"
                .to_owned()
        }
        PermissionDenied => {
            "could not be read: permission denied (give yourself read access, e.g. `chmod u+r`)"
                .to_owned()
        }
        _ => format!("could not be read: {e}"),
    }
}

/// A file type in words, for reasons that name it.
pub fn file_type_name(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Hex SHA-256 of the file, as `apply` checks it before touching the file. Written digit by digit:
/// `format!` per byte took as long as the hashing.
pub fn content_hash(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        hex.push(HEX[usize::from(b >> 4)] as char);
        hex.push(HEX[usize::from(b & 0xF)] as char);
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn pipes_folders_missing_and_large_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let reason = |path: &Path| read_file_bytes(path).unwrap_err().reason;
        let fifo = dir.path().join("pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Opening it must not wait for a writer.
            assert!(reason(&fifo).contains("not a regular file (a named pipe)"));
        }
        assert!(reason(dir.path()).contains("not a regular file (a folder)"));
        assert!(reason(&dir.path().join("gone.md")).contains("no longer exists"));
        let big = dir.path().join("big.md");
        std::fs::write(&big, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(reason(&big).contains("over the 1048576 byte limit"));
        std::fs::write(&big, b"---\n").unwrap();
        assert_eq!(read_file_bytes(&big).unwrap(), b"---\n");
    }

    #[test]
    fn content_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
