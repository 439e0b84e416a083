//! The journal: one JSON object per line, each written and fsynced *before* the operation it
//! describes, so that `undo` knows of every change a run may have made, even one killed halfway.
//!
//! Every entry names the paths involved, the temporary file it may have left behind, and the SHA-256
//! of the bytes that must come back; `undo` checks the file system against it, so it can run after a
//! crash at any point, and any number of times.

use super::fsops::{crash_point, sync_dir};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The format of the journal, in its first line.
pub const JOURNAL_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Entry {
    /// First line: what the run was and which folders it may touch.
    Start {
        journal: u32,
        tool_version: String,
        started: String,
        report: PathBuf,
        /// The scanned folders (resolved): every library path below lies in one of them.
        roots: Vec<PathBuf>,
        /// Where originals are kept (with `--delete`, only until the run finishes).
        archive: PathBuf,
        delete: bool,
    },
    /// A copy of the representative's original bytes, kept at `dst` before it is overwritten.
    Backup {
        cluster: String,
        src: PathBuf,
        dst: PathBuf,
        tmp: PathBuf,
        sha256: String,
    },
    /// A member moved out of the library into the archive.
    Move {
        cluster: String,
        src: PathBuf,
        dst: PathBuf,
        tmp: PathBuf,
        sha256: String,
    },
    /// The merged definition written over the representative; its original is at `backup`.
    Write {
        cluster: String,
        path: PathBuf,
        tmp: PathBuf,
        backup: PathBuf,
        sha256_before: String,
        sha256_after: String,
        bytes: usize,
    },
    /// Every operation of one cluster is done.
    Done { cluster: String },
    /// `--delete`: every cluster is done; the kept originals are removed next, for good.
    Commit,
    /// `--delete`: a kept original removed for good.
    Purge { path: PathBuf, sha256: String },
    /// The run ended normally.
    Finished,
}

/// Appends entries to a new journal, fsyncing each line before returning.
pub struct JournalWriter {
    file: File,
}

impl JournalWriter {
    /// Creates the journal (it must not exist) and makes its name durable.
    pub fn create(path: &Path) -> io::Result<JournalWriter> {
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(dir)?;
        }
        Ok(JournalWriter { file })
    }

    pub fn append(&mut self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_string(entry).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        crash_point();
        Ok(())
    }
}

/// Reads a journal. A last line cut short (a run killed while writing it) is ignored: the
/// operation it announced was never started. Any other unreadable line is an error.
pub fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let cannot = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "{}: cannot read the journal: {e}",
            super::paths::shown(path)
        )
    };
    let bytes = super::fsops::read_limited(path, super::fsops::MAX_JOURNAL_BYTES)
        .map_err(|e| cannot(&e))?;
    let text = String::from_utf8(bytes).map_err(|e| cannot(&e))?;
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(e) => entries.push(e),
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => {}
            Err(e) => anyhow::bail!(
                "{}: line {} is not a journal entry ({e}); is this a journal written by `agent-dedup apply`?",
                super::paths::shown(path),
                i + 1
            ),
        }
    }
    match entries.first() {
        Some(Entry::Start { journal, .. }) if *journal == JOURNAL_VERSION => Ok(entries),
        Some(Entry::Start { journal, .. }) => anyhow::bail!(
            "{}: journal format {journal} is not one this version reads ({JOURNAL_VERSION})",
            super::paths::shown(path)
        ),
        Some(_) => anyhow::bail!(
            "{}: does not start like a journal of `agent-dedup apply`",
            super::paths::shown(path)
        ),
        // Killed before the first line was complete: nothing was changed.
        None => Ok(entries),
    }
}
