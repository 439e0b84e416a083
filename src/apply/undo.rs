//! `undo JOURNAL`: puts back, byte for byte, every file an `apply` run changed or moved, whether the
//! run finished or was killed halfway. Entries are undone last first; each one is checked against the
//! file system, so undo does only what is still needed and can be run again at any time.
//!
//! A journal is a file like any other, so it is not trusted: undo restores only inside the folder
//! its own place proves (`<folder>/.agent-dedup/journal-*.jsonl`), into paths under that folder
//! reached through no link, from an archive under it or the one named with `--archive`.

use super::fsops::{self, read_regular, remove_durable};
use super::journal::{self, Entry};
use super::paths::{inside, resolve, shown};
use super::TOOL_DIR;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What `undo` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct UndoOptions {
    /// Also put back originals over files that changed after the apply (their new content is lost).
    pub force: bool,
    /// Only print what would be restored.
    pub dry_run: bool,
    /// The archive to restore from, when apply was given one outside the journal's folder.
    pub archive: Option<PathBuf>,
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
    let (root, tool_dir) = proven_root(journal_path, &cwd)?;
    let entries = journal::read(journal_path)?;
    let mut outcome = UndoOutcome::default();
    let (roots, journal_archive) = match entries.first() {
        Some(Entry::Start { roots, archive, .. }) => (roots.clone(), archive.clone()),
        _ => {
            // No first line: the run was killed before it, or the journal was emptied. Its default
            // archive, named after the journal, tells which.
            let archives = default_archives(journal_path, &tool_dir);
            let mut found = Vec::new();
            for archive in &archives {
                files_under(archive, &mut found);
            }
            found.sort();
            if found.is_empty() {
                let _ = writeln!(
                    out,
                    "{}: the run stopped before it changed anything: nothing to undo",
                    shown(journal_path)
                );
            }
            for file in found {
                outcome.problems.push(format!(
                    "{}: in the archive of an empty journal (cut short?): not restored (move it \
                     back by hand if it belongs in the library)",
                    shown(file.strip_prefix(&cwd).unwrap_or(&file))
                ));
            }
            return Ok(outcome);
        }
    };
    let refuse = |e: anyhow::Error| anyhow::anyhow!("{}: {e}", shown(journal_path));
    let archive = archive_folder(&journal_archive, options, &root, &cwd).map_err(refuse)?;
    check_paths(&entries, &roots, &root, &archive, &cwd).map_err(refuse)?;
    let _lock = if options.dry_run {
        None
    } else {
        Some(
            fsops::lock_folder(&tool_dir)
                .map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", shown(&tool_dir)))?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "another agent-dedup apply or undo is working in {} now: wait until it \
                         ends, then run undo again (nothing was changed)",
                        shown(fsops::parent(journal_path))
                    )
                })?,
        )
    };
    let finished = entries.iter().any(|e| matches!(e, Entry::Finished));
    if !finished {
        let _ = writeln!(
            out,
            "{}: the journal has no `finished` entry: the apply was interrupted, or the journal was \
             cut short; archived files it does not name are listed at the end",
            shown(journal_path)
        );
    }
    let purged: HashSet<&PathBuf> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Purge { path, .. } => Some(path),
            _ => None,
        })
        .collect();
    let mut undoer = Undoer {
        cwd,
        options: options.clone(),
        out,
        outcome: &mut outcome,
        purged,
    };
    for entry in entries.iter().rev() {
        match entry {
            Entry::Backup { tmp, .. } => undoer.remove_tmp(tmp),
            Entry::Move {
                src,
                dst,
                tmp,
                sha256,
                ..
            } => {
                undoer.remove_tmp(tmp);
                undoer.undo_move(src, dst, sha256);
            }
            Entry::Write {
                path,
                tmp,
                backup,
                sha256_before,
                sha256_after,
                ..
            } => {
                undoer.remove_tmp(tmp);
                undoer.undo_write(path, backup, sha256_before, sha256_after);
            }
            _ => {}
        }
    }
    // A default archive holds this run's files only: any it does not name was lost from the
    // journal. Another archive may hold other runs' files too: looked at only when the journal
    // is known to be incomplete.
    let own_archive = default_archives(journal_path, &tool_dir).contains(&archive);
    if !finished || own_archive {
        undoer.list_uncovered(&archive, &entries);
    }
    Ok(outcome)
}

/// The folder a journal's place proves: `<folder>/.agent-dedup/journal-<…>.jsonl`, the journal a
/// regular file and `.agent-dedup` a plain folder (not links, which would let a journal placed
/// anywhere claim any folder). Returns the folder (resolved) and its `.agent-dedup`.
fn proven_root(journal_path: &Path, cwd: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let misplaced = || {
        anyhow::anyhow!(
            "{}: not where apply writes its journals (<folder>/{TOOL_DIR}/journal-<timestamp>.jsonl): \
             undo puts files back only inside the folder whose {TOOL_DIR} holds the journal; give \
             the journal where apply wrote it",
            shown(journal_path)
        )
    };
    let absolute = cwd.join(journal_path);
    let name = absolute
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(misplaced)?;
    if !name.starts_with("journal-") || !name.ends_with(".jsonl") {
        return Err(misplaced());
    }
    let tool_dir = absolute.parent().ok_or_else(misplaced)?;
    if tool_dir.file_name() != Some(std::ffi::OsStr::new(TOOL_DIR)) {
        return Err(misplaced());
    }
    for (path, what) in [(tool_dir, "folder"), (absolute.as_path(), "journal")] {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            anyhow::bail!(
                "{}: the {what} {} is a symbolic link: give the journal in the {TOOL_DIR} folder \
                 where apply wrote it",
                shown(journal_path),
                shown(path)
            );
        }
    }
    let folder = tool_dir.parent().ok_or_else(misplaced)?;
    let root =
        std::fs::canonicalize(folder).map_err(|e| anyhow::anyhow!("{}: {e}", shown(folder)))?;
    let tool_dir = root.join(TOOL_DIR);
    Ok((root, tool_dir))
}

/// The archive to restore from: the one named with `--archive`, else the journal's, which must lie
/// under the proven folder.
fn archive_folder(
    journal_archive: &Path,
    options: &UndoOptions,
    root: &Path,
    cwd: &Path,
) -> anyhow::Result<PathBuf> {
    if let Some(given) = &options.archive {
        return resolve(given, cwd).map_err(|e| anyhow::anyhow!("--archive {}: {e}", shown(given)));
    }
    let archive = resolve(journal_archive, cwd).unwrap_or_else(|_| journal_archive.to_owned());
    if !inside(&archive, root) || archive == root {
        anyhow::bail!(
            "the journal's archive {} lies outside {}, the folder holding the journal: if apply \
             kept the originals there (`apply --archive`), pass `--archive {}` to undo",
            shown(journal_archive),
            shown(root),
            shown(journal_archive)
        );
    }
    Ok(archive)
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

    fn problem(&mut self, line: String) {
        self.outcome.problems.push(line);
    }

    fn remove_tmp(&mut self, tmp: &Path) {
        if std::fs::symlink_metadata(tmp).is_ok() {
            self.say(format!(
                "remove {} (left by the interrupted run)",
                self.show(tmp)
            ));
            if !self.options.dry_run {
                if let Err(e) = remove_durable(tmp) {
                    let line = format!("{}: cannot be removed: {e}", self.show(tmp));
                    self.problem(line);
                    return;
                }
            }
            self.outcome.cleaned += 1;
        }
    }

    fn lost(&mut self, path: &Path, kept: &Path, what: &str) {
        let why = if self.purged.contains(&kept.to_path_buf()) {
            "it was deleted for good by `apply --delete`".to_owned()
        } else {
            format!("its copy {} is {what}", self.show(kept))
        };
        let line = format!("{}: cannot be restored: {why}", self.show(path));
        self.problem(line);
    }

    fn changed(&mut self, path: &Path) {
        let line = format!(
            "{}: changed since the apply; left as it is (pass --force to put the original back over it)",
            self.show(path)
        );
        self.problem(line);
    }

    /// A member moved into the archive: moved back, unless it is already there.
    fn undo_move(&mut self, src: &Path, dst: &Path, sha256: &str) {
        match read_regular(src) {
            Ok(Some((_, h))) if h == sha256 => {
                self.outcome.unchanged += 1;
                return;
            }
            Ok(Some(_)) if !self.options.force => return self.changed(src),
            Ok(_) => {}
            Err(e) => return self.problem(format!("{}: {e}", self.show(src))),
        }
        match read_regular(dst) {
            Ok(Some((bytes, _))) if !is_agent(&bytes) => self.lost(src, dst, NOT_AN_AGENT),
            Ok(Some((_, h))) if h == sha256 => {
                self.say(format!("move {} -> {}", self.show(dst), self.show(src)));
                if !self.options.dry_run {
                    if let Err(e) = move_back(dst, src) {
                        let line = format!(
                            "{}: cannot be moved back from {}: {e} (undo can be run again once \
                             that is fixed)",
                            self.show(src),
                            self.show(dst)
                        );
                        return self.problem(line);
                    }
                }
                self.outcome.restored += 1;
            }
            Ok(Some(_)) => self.lost(src, dst, "no longer the original (its SHA-256 differs)"),
            Ok(None) => self.lost(src, dst, "missing"),
            Err(e) => self.lost(src, dst, &format!("unreadable ({e})")),
        }
    }

    /// The representative overwritten with the merged definition: its original put back.
    fn undo_write(&mut self, path: &Path, backup: &Path, before: &str, after: &str) {
        match read_regular(path) {
            Ok(Some((_, h))) if h == before => {
                self.outcome.unchanged += 1;
                return;
            }
            Ok(Some((_, h))) if h != after && !self.options.force => return self.changed(path),
            Ok(_) => {}
            Err(e) => return self.problem(format!("{}: {e}", self.show(path))),
        }
        match read_regular(backup) {
            Ok(Some((bytes, _))) if !is_agent(&bytes) => self.lost(path, backup, NOT_AN_AGENT),
            Ok(Some((bytes, h))) if h == before => {
                self.say(format!(
                    "restore {} (from {})",
                    self.show(path),
                    self.show(backup)
                ));
                if !self.options.dry_run {
                    if let Err(e) = write_back(path, backup, &bytes) {
                        let line = format!(
                            "{}: cannot be restored from {}: {e} (undo can be run again once that \
                             is fixed)",
                            self.show(path),
                            self.show(backup)
                        );
                        return self.problem(line);
                    }
                }
                self.outcome.restored += 1;
            }
            Ok(Some(_)) => self.lost(path, backup, "no longer the original (its SHA-256 differs)"),
            Ok(None) => self.lost(path, backup, "missing"),
            Err(e) => self.lost(path, backup, &format!("unreadable ({e})")),
        }
    }

    /// Every file in the archive that no entry names is an original the journal lost track of (it
    /// was cut short or edited), and stays where it is; each is a problem.
    fn list_uncovered(&mut self, archive: &Path, entries: &[Entry]) {
        let mut named: HashSet<&Path> = HashSet::new();
        for entry in entries {
            match entry {
                Entry::Backup { dst, tmp, .. } | Entry::Move { dst, tmp, .. } => {
                    named.insert(dst);
                    named.insert(tmp);
                }
                Entry::Purge { path, .. } => {
                    named.insert(path);
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        files_under(archive, &mut found);
        found.sort();
        for file in found {
            let ours = file.file_name() == Some(std::ffi::OsStr::new(crate::outdir::OUTPUT_MARKER));
            if !ours && !named.contains(file.as_path()) {
                let line = format!(
                    "{}: in the archive but not named by the journal: not restored (move it back \
                     by hand if it belongs in the library)",
                    self.show(&file)
                );
                self.problem(line);
            }
        }
    }
}

/// Apply only ever moves agent definitions, so undo only ever puts back agent definitions: a journal
/// cannot make it write anything else (a key, a config file) into the library.
fn is_agent(bytes: &[u8]) -> bool {
    crate::parse::parse_agent(Path::new("archived"), bytes).is_ok()
}

const NOT_AN_AGENT: &str = "not an agent definition, which is all apply archives: not put back";

/// The archives apply names after a journal (`journal-<stamp>.jsonl`): `archive/<stamp>/`, and
/// `deleting-<stamp>/` with `--delete`.
fn default_archives(journal_path: &Path, tool_dir: &Path) -> Vec<PathBuf> {
    let name = journal_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stamp = name
        .strip_prefix("journal-")
        .and_then(|n| n.strip_suffix(".jsonl"))
        .unwrap_or_default();
    if stamp.is_empty() {
        return Vec::new();
    }
    vec![
        tool_dir.join("archive").join(stamp),
        tool_dir.join(format!("deleting-{stamp}")),
    ]
}

/// Every file under `dir`, links not followed.
fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() => files_under(&entry.path(), found),
            Ok(_) => found.push(entry.path()),
            Err(_) => {}
        }
    }
}

fn move_back(dst: &Path, src: &Path) -> anyhow::Result<()> {
    if let Some(dir) = src.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = undo_temp(src)?;
    fsops::move_durable(dst, src, &tmp)?;
    Ok(())
}

fn write_back(path: &Path, backup: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let permissions = std::fs::metadata(backup).ok().map(|m| m.permissions());
    let tmp = undo_temp(path)?;
    fsops::write_atomic(path, &tmp, bytes, permissions)?;
    Ok(())
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

/// Before acting on a journal, every path in it must be one apply could have written inside the
/// proven folder `root`: library files under `root` (and under the scanned folders the journal
/// names, themselves under `root`), outside agent-dedup's folder; kept copies inside the archive;
/// temporary files beside their target; and none reached through a linked folder.
fn check_paths(
    entries: &[Entry],
    roots: &[PathBuf],
    root: &Path,
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
    for scanned in roots {
        let resolved = resolve(scanned, cwd).unwrap_or_else(|_| scanned.clone());
        if !plain(scanned) || !inside(&resolved, root) {
            anyhow::bail!(
                "the journal names the scanned folder {}, outside {} (the folder holding the \
                 journal): refusing the whole journal (was it edited, or the folder moved?)",
                shown(scanned),
                shown(root)
            );
        }
    }
    let tool_dir = root.join(TOOL_DIR);
    // Inside `folder`, and spelled as resolved: a folder on the way swapped for a link since the
    // apply resolves elsewhere.
    let within = |p: &Path, folder: &Path, what: &str| -> anyhow::Result<()> {
        let parent = fsops::parent(p);
        let resolved = resolve(parent, cwd).map_err(|e| anyhow::anyhow!("{}: {e}", shown(p)))?;
        let in_library = what == "library" && inside(p, &tool_dir);
        if plain(p) && inside(p, folder) && p != folder && resolved == parent && !in_library {
            Ok(())
        } else {
            anyhow::bail!(
                "{} is outside the {what} folder {} (or reached through a link): refusing the whole \
                 journal (was it edited?)",
                shown(p),
                shown(folder)
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
    for entry in entries {
        match entry {
            Entry::Backup { src, dst, tmp, .. } | Entry::Move { src, dst, tmp, .. } => {
                within(src, root, "library")?;
                within(dst, archive, "archive")?;
                beside(tmp, dst)?;
            }
            Entry::Write {
                path, tmp, backup, ..
            } => {
                within(path, root, "library")?;
                within(backup, archive, "archive")?;
                beside(tmp, path)?;
            }
            Entry::Purge { path, .. } => within(path, archive, "archive")?,
            _ => {}
        }
    }
    Ok(())
}
