//! `undo JOURNAL`: puts back, byte for byte, every file an `apply` run changed or moved, whether the
//! run finished or was killed halfway. Entries are undone last first; each one is checked against the
//! file system, so undo does only what is still needed and can be run again at any time.

use super::fsops::{self, read_regular, remove_durable};
use super::journal::{self, Entry};
use super::paths::{inside, resolve, shown};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What `undo` was asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct UndoOptions {
    /// Also put back originals over files that changed after the apply (their new content is lost).
    pub force: bool,
    /// Only print what would be restored.
    pub dry_run: bool,
}

/// What an undo did.
#[derive(Debug, Clone, Default)]
pub struct UndoOutcome {
    /// Files put back (or that would be, in a dry run).
    pub restored: usize,
    /// Files already as they were before the apply.
    pub unchanged: usize,
    /// Temporary files of an interrupted run removed.
    pub cleaned: usize,
    /// Files that could not be put back, and why.
    pub problems: Vec<String>,
}

pub fn undo(
    journal_path: &Path,
    options: &UndoOptions,
    out: &mut dyn Write,
) -> anyhow::Result<UndoOutcome> {
    let cwd = std::env::current_dir()?;
    let entries = journal::read(journal_path)?;
    let mut outcome = UndoOutcome::default();
    let (roots, archive) = match entries.first() {
        Some(Entry::Start { roots, archive, .. }) => (roots.clone(), archive.clone()),
        _ => {
            let _ = writeln!(
                out,
                "{}: the run stopped before it changed anything: nothing to undo",
                shown(journal_path)
            );
            return Ok(outcome);
        }
    };
    check_paths(&entries, &roots, &archive, &cwd)
        .map_err(|e| anyhow::anyhow!("{}: {e}", shown(journal_path)))?;
    let purged: HashSet<&PathBuf> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Purge { path, .. } => Some(path),
            _ => None,
        })
        .collect();
    let mut undoer = Undoer {
        cwd,
        options: *options,
        out,
        outcome: &mut outcome,
        purged,
    };
    for entry in entries.iter().rev() {
        match entry {
            Entry::Backup { tmp, .. } => undoer.remove_tmp(tmp)?,
            Entry::Move {
                src,
                dst,
                tmp,
                sha256,
                ..
            } => {
                undoer.remove_tmp(tmp)?;
                undoer.undo_move(src, dst, sha256)?;
            }
            Entry::Write {
                path,
                tmp,
                backup,
                sha256_before,
                sha256_after,
                ..
            } => {
                undoer.remove_tmp(tmp)?;
                undoer.undo_write(path, backup, sha256_before, sha256_after)?;
            }
            _ => {}
        }
    }
    Ok(outcome)
}

struct Undoer<'a> {
    cwd: PathBuf,
    options: UndoOptions,
    out: &'a mut dyn Write,
    outcome: &'a mut UndoOutcome,
    purged: HashSet<&'a PathBuf>,
}

impl Undoer<'_> {
    /// A journal path for messages: relative to the current folder when it lies inside it.
    fn show(&self, p: &Path) -> String {
        shown(p.strip_prefix(&self.cwd).unwrap_or(p))
    }

    fn say(&mut self, line: String) {
        let _ = writeln!(self.out, "{line}");
    }

    fn remove_tmp(&mut self, tmp: &Path) -> anyhow::Result<()> {
        if std::fs::symlink_metadata(tmp).is_ok() {
            self.say(format!(
                "remove {} (left by the interrupted run)",
                self.show(tmp)
            ));
            if !self.options.dry_run {
                remove_durable(tmp)
                    .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", self.show(tmp)))?;
            }
            self.outcome.cleaned += 1;
        }
        Ok(())
    }

    fn lost(&mut self, path: &Path, kept: &Path, what: &str) {
        let why = if self.purged.contains(&kept.to_path_buf()) {
            "it was deleted for good by `apply --delete`".to_owned()
        } else {
            format!("its copy {} is {what}", self.show(kept))
        };
        self.outcome
            .problems
            .push(format!("{}: cannot be restored: {why}", self.show(path)));
    }

    fn changed(&mut self, path: &Path) {
        self.outcome.problems.push(format!(
            "{}: changed since the apply; left as it is (pass --force to put the original back over it)",
            self.show(path)
        ));
    }

    /// A member moved into the archive: moved back, unless it is already there.
    fn undo_move(&mut self, src: &Path, dst: &Path, sha256: &str) -> anyhow::Result<()> {
        match read_regular(src) {
            Ok(Some((_, h))) if h == sha256 => {
                self.outcome.unchanged += 1;
                return Ok(());
            }
            Ok(Some(_)) if !self.options.force => {
                self.changed(src);
                return Ok(());
            }
            Ok(_) => {}
            Err(e) => {
                self.outcome
                    .problems
                    .push(format!("{}: {e}", self.show(src)));
                return Ok(());
            }
        }
        match read_regular(dst) {
            Ok(Some((_, h))) if h == sha256 => {
                self.say(format!("move {} -> {}", self.show(dst), self.show(src)));
                if !self.options.dry_run {
                    if let Some(dir) = src.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    let tmp = undo_temp(src)?;
                    fsops::move_durable(dst, src, &tmp).map_err(|e| {
                        anyhow::anyhow!(
                            "cannot move {} back to {}: {e}",
                            self.show(dst),
                            self.show(src)
                        )
                    })?;
                }
                self.outcome.restored += 1;
            }
            Ok(Some(_)) => self.lost(src, dst, "no longer the original (its SHA-256 differs)"),
            Ok(None) => self.lost(src, dst, "missing"),
            Err(e) => self.lost(src, dst, &format!("unreadable ({e})")),
        }
        Ok(())
    }

    /// The representative overwritten with the merged definition: its original put back.
    fn undo_write(
        &mut self,
        path: &Path,
        backup: &Path,
        before: &str,
        after: &str,
    ) -> anyhow::Result<()> {
        match read_regular(path) {
            Ok(Some((_, h))) if h == before => {
                self.outcome.unchanged += 1;
                return Ok(());
            }
            Ok(Some((_, h))) if h != after && !self.options.force => {
                self.changed(path);
                return Ok(());
            }
            Ok(_) => {}
            Err(e) => {
                self.outcome
                    .problems
                    .push(format!("{}: {e}", self.show(path)));
                return Ok(());
            }
        }
        match read_regular(backup) {
            Ok(Some((bytes, h))) if h == before => {
                self.say(format!(
                    "restore {} (from {})",
                    self.show(path),
                    self.show(backup)
                ));
                if !self.options.dry_run {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    let permissions = std::fs::metadata(backup).ok().map(|m| m.permissions());
                    let tmp = undo_temp(path)?;
                    fsops::write_atomic(path, &tmp, &bytes, permissions)
                        .map_err(|e| anyhow::anyhow!("cannot restore {}: {e}", self.show(path)))?;
                }
                self.outcome.restored += 1;
            }
            Ok(Some(_)) => self.lost(path, backup, "no longer the original (its SHA-256 differs)"),
            Ok(None) => self.lost(path, backup, "missing"),
            Err(e) => self.lost(path, backup, &format!("unreadable ({e})")),
        }
        Ok(())
    }
}

/// The temporary file undo writes through, beside `target`; one left by an interrupted undo is removed.
fn undo_temp(target: &Path) -> anyhow::Result<PathBuf> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.agent-dedup-undo.tmp"));
    remove_durable(&tmp).map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", shown(&tmp)))?;
    Ok(tmp)
}

/// A journal is a file on disk like any other: before acting on it, every path in it must be one
/// apply could have written: library files inside the roots, kept copies inside the archive,
/// temporary files beside their target.
fn check_paths(
    entries: &[Entry],
    roots: &[PathBuf],
    archive: &Path,
    cwd: &Path,
) -> anyhow::Result<()> {
    let plain = |p: &Path| {
        p.is_absolute()
            && p.components().all(|c| {
                matches!(
                    c,
                    Component::RootDir | Component::Prefix(_) | Component::Normal(_)
                )
            })
    };
    for root in roots.iter().chain(std::iter::once(&archive.to_path_buf())) {
        if !plain(root) || root.parent().is_none() {
            anyhow::bail!("{} is not a folder apply could have used", shown(root));
        }
    }
    let within = |p: &Path, folders: &[PathBuf]| -> anyhow::Result<()> {
        let resolved = resolve(p, cwd).map_err(|e| anyhow::anyhow!("{}: {e}", shown(p)))?;
        if plain(p)
            && folders.iter().any(|f| {
                inside(&resolved, &resolve(f, cwd).unwrap_or_else(|_| f.clone())) && p != f
            })
        {
            Ok(())
        } else {
            anyhow::bail!(
                "{} is outside the folders the journal names: refusing the whole journal (was it edited?)",
                shown(p)
            )
        }
    };
    let beside = |tmp: &Path, target: &Path| -> anyhow::Result<()> {
        let name = tmp
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if tmp.parent() == target.parent()
            && name.starts_with('.')
            && name.ends_with(".tmp")
            && name.contains(".agent-dedup-")
        {
            Ok(())
        } else {
            anyhow::bail!(
                "{} is not a temporary file apply could have written: refusing the whole journal",
                shown(tmp)
            )
        }
    };
    let archive = [archive.to_path_buf()];
    for entry in entries {
        match entry {
            Entry::Backup { src, dst, tmp, .. } | Entry::Move { src, dst, tmp, .. } => {
                within(src, roots)?;
                within(dst, &archive)?;
                beside(tmp, dst)?;
            }
            Entry::Write {
                path, tmp, backup, ..
            } => {
                within(path, roots)?;
                within(backup, &archive)?;
                beside(tmp, path)?;
            }
            Entry::Purge { path, .. } => within(path, &archive)?,
            _ => {}
        }
    }
    Ok(())
}
