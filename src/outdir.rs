//! `--out DIR`: where a scan may write, and how.
//!
//! The folder is named on the command line, so it is trusted; what is in it is not. So:
//! - DIR may not lie inside a scanned folder: a scan never writes among the files it reads.
//! - Nothing in DIR is written through: a symbolic link, a folder or a device where a file would go
//!   stops the run (even with `--force`), and every file is created new (`O_EXCL`, which follows no
//!   link) under a temporary name, then renamed into place.
//! - All or nothing: every file is written to its temporary name first; only when all are written
//!   are they renamed. A full disk leaves the folder as it was, never a file cut short.
//! - DIR gets a marker file, [`OUTPUT_MARKER`], and a later scan leaves any folder holding it (or
//!   holding a report.json of ours) out of its input: merged files never become agents of the
//!   library they were merged from.

use crate::apply::fsops::{sync_dir, write_new_synced};
use crate::apply::paths::{inside, resolve, shown};
use std::io;
use std::path::{Path, PathBuf};

/// The file `scan --out` and `apply --archive` leave in the folders they write, so that a later scan
/// does not read their merged files or archived originals as agents.
pub const OUTPUT_MARKER: &str = ".agent-dedup-output";

const MARKER_TEXT: &str =
    "This folder was written by agent-dedup (`scan --out` or `apply --archive`).\n\
agent-dedup scan never reads it as input. Delete this file to have it scanned.\n";

/// How report.json begins: `{`, then `version` and `inputs`, in the order the exporter writes them.
const REPORT_START: &[u8] = b"{\n  \"version\": 1,\n  \"inputs\": ";

/// Whether `dir` was written by agent-dedup, and so is no input: the reason to give, if it is.
pub fn output_folder_reason(dir: &Path) -> Option<String> {
    if std::fs::symlink_metadata(dir.join(OUTPUT_MARKER)).is_ok() {
        return Some(format!(
            "written by agent-dedup (it holds {OUTPUT_MARKER}): merged files or archived originals \
             are never read as input (delete {OUTPUT_MARKER} to scan it)"
        ));
    }
    // A folder written by an older version, without the marker: report.md beside a report.json of
    // ours (a report.json alone may be a `--format json` saved in a library folder by hand).
    let report = dir.join("report.json");
    let is_file = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
    let is_ours =
        is_file(&dir.join("report.md")) && is_file(&report) && starts_with(&report, REPORT_START);
    is_ours.then(|| {
        "an `agent-dedup scan --out` folder (it holds agent-dedup's report.json and report.md): \
         its merged files are never read as input"
            .to_owned()
    })
}

fn starts_with(path: &Path, prefix: &[u8]) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(prefix.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(prefix.len() as u64).read_to_end(&mut head))
        .is_ok()
        && head == prefix
}

/// Refuses an `--out` folder that is not a folder, or that lies inside a folder being scanned.
/// Checked before the scan, so that a long scan does not end in a refusal.
pub fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    if let Ok(meta) = std::fs::metadata(out) {
        if !meta.is_dir() {
            anyhow::bail!(
                "--out {}: not a folder (it is {}): name a folder; it is created when missing",
                shown(out),
                crate::parse::file_type_name(&meta.file_type())
            );
        }
    } else if std::fs::symlink_metadata(out).is_ok() {
        anyhow::bail!(
            "--out {}: a symbolic link to nothing: name a folder (or remove the link)",
            shown(out)
        );
    }
    let cwd = std::env::current_dir()?;
    let resolved = resolve(out, &cwd).map_err(|e| anyhow::anyhow!("--out {}: {e}", shown(out)))?;
    for input in inputs {
        let Ok(canonical) = std::fs::canonicalize(input) else {
            continue; // the scan names an input it cannot read
        };
        // A file named directly makes its folder one the scan reads from.
        let (folder, what) = if canonical.is_dir() {
            (canonical, "the scanned folder".to_owned())
        } else {
            let parent = canonical.parent().map(Path::to_owned).unwrap_or(canonical);
            (
                parent,
                format!("the folder of the scanned file {}", shown(input)),
            )
        };
        if inside(&resolved, &folder) {
            anyhow::bail!(
                "--out {} lies inside {what}{}: a scan never writes among the files it reads; \
                 choose a folder outside it",
                shown(out),
                if what == "the scanned folder" {
                    format!(" {}", shown(input))
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(())
}

/// The extensions of the files `--out` writes: reports (`md`, `html`, `json`), merged definitions
/// in each tool's format (`md`, `toml`, `json`, `yaml`) and diffs.
const OUT_EXTENSIONS: [&str; 6] = ["md", "diff", "html", "json", "toml", "yaml"];

/// A file that `--out` would write but that already exists.
#[derive(Debug)]
pub struct WouldOverwrite(pub Vec<PathBuf>);

/// How many of the files [`WouldOverwrite`] names: enough to recognise the folder, short enough
/// to read (a folder of an earlier run may hold hundreds).
const NAMED: usize = 3;

/// `a, b, c and 37 more`
fn first_few(paths: &[PathBuf]) -> String {
    let list: Vec<String> = paths.iter().take(NAMED).map(|p| shown(p)).collect();
    match paths.len().saturating_sub(NAMED) {
        0 => list.join(", "),
        n => format!("{} and {n} more", list.join(", ")),
    }
}

impl std::fmt::Display for WouldOverwrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refusing to overwrite {} existing file(s): {} (choose an empty --out folder, or pass --force)",
            self.0.len(),
            first_few(&self.0)
        )
    }
}

/// Before any work: refuses a `--out` folder holding files the run could write over. Which names
/// it writes depends on the clusters found, so any file with an extension `--out` writes counts
/// (`report.*`, merged files in each tool's format, diffs). A missing folder holds none.
pub fn refuse_overwrite_early(dir: &Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    // Regular files only: a link or anything else where a file would go is named, as such, by the
    // check made when writing (`outdir`).
    let mut existing: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| OUT_EXTENSIONS.contains(&e))
        })
        .collect();
    existing.sort();
    if existing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "{}: refusing to write into a folder that already holds {} report, agent or diff file(s) this run could overwrite: {} (choose an empty --out folder, or pass --force)",
        shown(dir),
        existing.len(),
        first_few(&existing)
    )
}

impl std::error::Error for WouldOverwrite {}

/// Writes `files` (paths inside `dir`, with their text) and the marker, all or nothing.
/// An existing regular file is replaced only with `force`, and never one of `inputs` (files named
/// on the command line); anything else in the way stops the run before anything is written.
pub fn write_files(
    dir: &Path,
    files: &[(PathBuf, String)],
    force: bool,
    inputs: &[PathBuf],
) -> anyhow::Result<()> {
    create_out_dir(dir)?;
    let named: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut existing = Vec::new();
    for (path, _) in files {
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => anyhow::bail!("cannot write {}: {e}", shown(path)),
            Ok(meta) if !meta.is_file() => anyhow::bail!(
                "{} is {} where --out would write a file: nothing is written through or over it \
                 (remove it, or choose another --out folder)",
                shown(path),
                crate::parse::file_type_name(&meta.file_type())
            ),
            Ok(_) => {
                let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                if named.contains(&canonical) {
                    anyhow::bail!(
                        "{} is one of the scanned files: --out never replaces an input; choose \
                         another --out folder",
                        shown(path)
                    );
                }
                existing.push(path.clone());
            }
        }
    }
    if !existing.is_empty() && !force {
        return Err(WouldOverwrite(existing).into());
    }
    let marker = dir.join(OUTPUT_MARKER);
    let mut all: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(p, text)| (p.as_path(), text.as_bytes()))
        .collect();
    match std::fs::symlink_metadata(&marker) {
        Ok(meta) if !meta.is_file() => anyhow::bail!(
            "{} is {}, not agent-dedup's marker file: remove it, or choose another --out folder",
            shown(&marker),
            crate::parse::file_type_name(&meta.file_type())
        ),
        _ => all.push((&marker, MARKER_TEXT.as_bytes())),
    }
    write_all_or_nothing(dir, &all)
}

fn create_out_dir(dir: &Path) -> anyhow::Result<()> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        let file_in_the_way = dir
            .ancestors()
            .any(|a| std::fs::metadata(a).is_ok_and(|m| !m.is_dir()));
        if file_in_the_way {
            anyhow::bail!(
                "--out {}: not a folder (a file is in the way): name a folder",
                shown(dir)
            );
        }
        anyhow::bail!("cannot create {}: {e}", shown(dir));
    }
    Ok(())
}

/// Every file to a new temporary name first (fsynced), then each renamed over its target: a
/// failure before the renames removes the temporary files and leaves the folder as it was.
fn write_all_or_nothing(dir: &Path, files: &[(&Path, &[u8])]) -> anyhow::Result<()> {
    let mut written: Vec<(PathBuf, &Path)> = Vec::new();
    let clean = |written: &[(PathBuf, &Path)]| {
        for (tmp, _) in written {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (n, (path, bytes)) in files.iter().enumerate() {
        let tmp = temp_name(path, n);
        if let Err(e) = write_new_synced(&tmp, bytes, None) {
            let _ = std::fs::remove_file(&tmp);
            clean(&written);
            anyhow::bail!(
                "cannot write {}: {e} (nothing in {} was changed)",
                shown(path),
                shown(dir)
            );
        }
        written.push((tmp, path));
    }
    for (i, (tmp, path)) in written.iter().enumerate() {
        // A rename replaces a link that appeared since the check; it never writes through one.
        if let Err(e) = std::fs::rename(tmp, path) {
            clean(&written[i..]);
            anyhow::bail!(
                "cannot write {}: {e} ({} of the {} files were written)",
                shown(path),
                i,
                written.len()
            );
        }
    }
    sync_dir(dir).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", shown(dir)))?;
    Ok(())
}

/// A hidden temporary name beside `path`, unique to this process.
fn temp_name(path: &Path, n: usize) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.agent-dedup-{}-{n}.tmp",
        std::process::id()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_the_marker_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let files = vec![
            (out.join("a.md"), "a\n".to_owned()),
            (out.join("report.json"), "{}\n".to_owned()),
        ];
        write_files(&out, &files, false, &[]).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [OUTPUT_MARKER, "a.md", "report.json"]);
        assert!(output_folder_reason(&out).is_some());
        // Again: refused without force, done with it.
        assert!(write_files(&out, &files, false, &[]).is_err());
        write_files(&out, &files, true, &[]).unwrap();
    }

    #[test]
    fn an_input_file_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("a.md");
        std::fs::write(&input, "original\n").unwrap();
        let files = vec![(input.clone(), "merged\n".to_owned())];
        let err = write_files(dir.path(), &files, true, std::slice::from_ref(&input)).unwrap_err();
        assert!(err.to_string().contains("scanned files"), "{err}");
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "original\n");
    }

    #[test]
    fn a_report_json_of_ours_marks_an_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.json"), "{\"other\": 1}").unwrap();
        assert!(output_folder_reason(dir.path()).is_none());
        let mut ours = REPORT_START.to_vec();
        ours.extend_from_slice(b"[]\n}\n");
        std::fs::write(dir.path().join("report.json"), ours).unwrap();
        assert!(
            output_folder_reason(dir.path()).is_none(),
            "a saved report alone"
        );
        std::fs::write(dir.path().join("report.md"), "# report\n").unwrap();
        assert!(output_folder_reason(dir.path()).is_some());
    }
}
