//! Apply: carry out the consolidation a scan proposed, safely, and undo it.
//!
//! `apply REPORT.json` reads a report (`scan --out DIR` writes `DIR/report.json` and the merged files
//! next to it; `scan --format json` puts the merged text in `clusters[].merged`) and, cluster by
//! cluster, writes the merged definition over the representative and moves the other members into an
//! archive (or, with `--delete`, deletes them).
//!
//! Safety, in order:
//! - The report is untrusted: the folder apply may change comes from the command line (`--root`,
//!   else the current folder). Every folder the report says was scanned (its `inputs`) must lie in
//!   it once resolved, and every path the report names must be spelled as a scan spells it: one of
//!   those inputs, then plain names (no `..`), through no linked folder. A report that names
//!   anything else is refused whole.
//! - Every member must still have the SHA-256 the scan recorded; a cluster with a changed, missing or
//!   linked member is refused (the others go ahead).
//! - No existing file is overwritten except the representatives, unless `--force`.
//! - Every operation is written to a journal and fsynced before it is carried out; each write goes to
//!   a temporary file in the same folder, is fsynced and renamed into place, and the folder is fsynced.
//!   The representative's original is copied into the archive before it is overwritten.
//!   So a run killed at any point leaves every original byte in the library or in the archive, and
//!   [`undo`] puts them back, as often as it is run.

pub mod fsops;
pub mod journal;
pub mod paths;
mod undo;

pub use undo::{undo, UndoOptions, UndoOutcome};

use fsops::{create_dir_durable, read_regular};
use journal::{Entry, JournalWriter};
use paths::{inside, is_plain_file_name, resolve, shown};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder, beside the scanned library, where apply keeps its journals and archives.
pub const TOOL_DIR: &str = ".agent-dedup";

/// What `apply` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Only these clusters (ids such as `c2`); every cluster when empty.
    pub clusters: Vec<String>,
    /// Where the other members go; default `.agent-dedup/archive/<timestamp>/` in the scanned folder.
    pub archive: Option<PathBuf>,
    /// Delete the other members (and the representatives' originals) once every cluster is done.
    pub delete: bool,
    /// Only print the operations.
    pub dry_run: bool,
    /// Replace files that already exist where the archive would put its copies.
    pub force: bool,
    /// The folder apply may change files in (every scanned folder must lie inside it); the
    /// current folder when `None`. From the command line: the report cannot widen it.
    pub root: Option<PathBuf>,
}

/// A cluster left as it was, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub cluster: String,
    pub reason: String,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct ApplyOutcome {
    /// Clusters applied (or, in a dry run, that would be).
    pub applied: Vec<String>,
    pub refused: Vec<Refusal>,
    /// The journal written (none in a dry run, or when no cluster could be applied).
    pub journal: Option<PathBuf>,
    /// Where the originals were kept (none with `--delete`).
    pub archive: Option<PathBuf>,
}

// ------------------------------------------------------------------------------- the report, read

#[derive(Debug, Deserialize)]
struct ReportIn {
    version: u64,
    #[serde(default)]
    inputs: Vec<String>,
    #[serde(default)]
    agents: Vec<AgentIn>,
    #[serde(default)]
    clusters: Vec<ClusterIn>,
    /// Reference folders (`reference` in .agent-dedup.toml): never changed.
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct AgentIn {
    path: String,
    sha256: String,
}

#[derive(Debug, Deserialize)]
struct ClusterIn {
    id: String,
    members: Vec<String>,
    representative: String,
    #[serde(default)]
    merged: Option<String>,
    /// Written by `scan --out`: the merged file next to report.json, which the user may have edited.
    #[serde(default)]
    merged_file: Option<String>,
}

// ------------------------------------------------------------------------------------ the plan

/// A folder the scan read: every library path must lie in one.
#[derive(Debug)]
struct Root {
    /// Resolved (absolute, links followed).
    path: PathBuf,
    /// As the report spells it, for messages.
    shown: PathBuf,
}

/// One of the report's `inputs`: how the scan spelled it (every path it found there begins so) and
/// the folder it stands for, resolved.
#[derive(Debug)]
struct Input {
    spelled: PathBuf,
    /// The folder itself, or the folder holding an input file.
    folder: PathBuf,
    /// An input file: its paths are the input itself.
    is_file: bool,
}

#[derive(Debug)]
struct Member {
    /// As the report spells it.
    shown: PathBuf,
    /// Absolute: the resolved folder of its input joined with the plain names below it. Not
    /// resolved further: [`linked_folder`] checks that no folder on the way is a link.
    path: PathBuf,
    /// The scanned folder it lies in (resolved).
    root: PathBuf,
    sha256: String,
    /// Where its original goes in the archive, resolved and as shown.
    archive: PathBuf,
    archive_shown: PathBuf,
}

#[derive(Debug)]
struct ClusterPlan {
    id: String,
    representative: Member,
    others: Vec<Member>,
    merged: Vec<u8>,
    /// Where the merged text comes from, for messages.
    merged_source: String,
}

/// Everything checked and decided before anything is touched.
struct Plan {
    report: PathBuf,
    /// The current folder, for messages.
    cwd: PathBuf,
    roots: Vec<Root>,
    /// agent-dedup's folder, where the journal lies (resolved).
    tool_dir: PathBuf,
    archive: PathBuf,
    archive_shown: PathBuf,
    journal: PathBuf,
    journal_shown: PathBuf,
    started: String,
    clusters: Vec<ClusterPlan>,
    refused: Vec<Refusal>,
}

/// Runs `apply`. Operations are printed to `out` as they are done (or, with `dry_run`, as they would
/// be); refusals are returned. An error means the report could not be used (nothing was changed) or
/// a file operation failed (the message names the journal to undo with).
pub fn apply(
    report_path: &Path,
    options: &ApplyOptions,
    out: &mut dyn Write,
) -> anyhow::Result<ApplyOutcome> {
    let cwd = std::env::current_dir()?;
    let plan = make_plan(report_path, options, &cwd)?;
    let mut outcome = ApplyOutcome {
        refused: plan.refused.clone(),
        ..ApplyOutcome::default()
    };
    if options.dry_run {
        if !plan.clusters.is_empty() {
            let _ = writeln!(out, "dry run: nothing is changed; apply would do:");
            let _ = writeln!(
                out,
                "create {} (journal of the run, for undo)",
                shown(&plan.journal_shown)
            );
        }
        for cluster in &plan.clusters {
            for line in operations(cluster, options.delete) {
                let _ = writeln!(out, "{line}");
            }
            outcome.applied.push(cluster.id.clone());
        }
        return Ok(outcome);
    }
    if plan.clusters.is_empty() {
        return Ok(outcome);
    }
    execute(&plan, options, out, &mut outcome)?;
    Ok(outcome)
}

/// Reads the report: a regular file (never a pipe or a device), of a size a scan could write.
fn read_report(report_path: &Path) -> anyhow::Result<ReportIn> {
    let bytes = fsops::read_limited(report_path, fsops::MAX_REPORT_BYTES)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the report: {e}", shown(report_path)))?;
    let report: ReportIn = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a report of `agent-dedup scan --format json` or `--out` ({e})",
            shown(report_path)
        )
    })?;
    if report.version != 1 {
        anyhow::bail!(
            "{}: report version {} is not one this version of agent-dedup reads (1)",
            shown(report_path),
            report.version
        );
    }
    Ok(report)
}

/// The one folder apply may change files in, from the command line (`--root`, else the current
/// folder), resolved: the report cannot move it.
fn trusted_root(options: &ApplyOptions, cwd: &Path) -> anyhow::Result<PathBuf> {
    let given = options.root.as_deref().unwrap_or(Path::new("."));
    let resolved = std::fs::canonicalize(cwd.join(given))
        .map_err(|e| anyhow::anyhow!("--root {}: {e}", shown(given)))?;
    if !resolved.is_dir() {
        anyhow::bail!("--root {}: not a folder", shown(given));
    }
    Ok(resolved)
}

fn make_plan(report_path: &Path, options: &ApplyOptions, cwd: &Path) -> anyhow::Result<Plan> {
    let report = read_report(report_path)?;
    let bound = trusted_root(options, cwd)?;
    let (inputs, roots) = roots(&report, cwd, &bound, options.root.as_deref())?;
    let hashes: BTreeMap<&str, &str> = report
        .agents
        .iter()
        .map(|a| (a.path.as_str(), a.sha256.as_str()))
        .collect();
    let selected = selected_clusters(&report, options, report_path)?;
    // A cluster with a file in a reference folder is refused whole: apply never changes those.
    let mut in_reference = Vec::new();
    let selected: Vec<&ClusterIn> = selected
        .into_iter()
        .filter(|c| match in_reference_folder(c, &report.references, cwd) {
            Some(reason) => {
                in_reference.push(Refusal {
                    cluster: c.id.clone(),
                    reason,
                });
                false
            }
            None => true,
        })
        .collect();

    let (base, base_shown) = common_folder(&roots, cwd);
    let tool_dir = base.join(TOOL_DIR);
    check_tool_dir(&tool_dir, &base_shown.join(TOOL_DIR))?;
    let started = timestamp(std::time::SystemTime::now());
    let (archive_shown, journal_shown) = tool_paths(&base_shown, options, &started);
    let archive = resolve(&archive_shown, cwd)
        .map_err(|e| anyhow::anyhow!("{}: {e}", shown(&archive_shown)))?;
    let journal = base
        .join(TOOL_DIR)
        .join(journal_shown.file_name().expect("a file name"));
    check_archive(options, &archive, &archive_shown, &roots, &tool_dir)?;

    // Every path the report names is checked before anything else: a report that points outside
    // the scanned folders was edited, and none of it is trusted.
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for cluster in &selected {
        if !cluster.members.contains(&cluster.representative) {
            anyhow::bail!(
                "{}: cluster {}: the representative {} is not one of its members: the report was edited",
                shown(report_path),
                cluster.id,
                shown(Path::new(&cluster.representative))
            );
        }
        let mut members = Vec::new();
        for m in &cluster.members {
            let member = check_member(m, &inputs, &roots, &base, &hashes, &archive, &archive_shown)
                .map_err(|e| {
                    anyhow::anyhow!("{}: cluster {}: {e}", shown(report_path), cluster.id)
                })?;
            if !seen.insert(member.path.clone()) {
                anyhow::bail!(
                    "{}: {} is listed twice (cluster {}): the report was edited",
                    shown(report_path),
                    shown(&member.shown),
                    cluster.id
                );
            }
            members.push(member);
        }
        if let Some(name) = &cluster.merged_file {
            let merged_kind = [".md", ".toml", ".json", ".yaml"];
            if !is_plain_file_name(name) || !merged_kind.iter().any(|ext| name.ends_with(ext)) {
                anyhow::bail!(
                    "{}: cluster {}: merged_file `{}` is not a plain file name: the report was edited",
                    shown(report_path),
                    cluster.id,
                    shown(Path::new(name))
                );
            }
        }
        checked.push((*cluster, members));
    }

    // Then each cluster on its own: its merged text, its files as the scan saw them, its targets free.
    let report_dir = match report_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut clusters = Vec::new();
    let mut refused = in_reference;
    for (cluster, mut members) in checked {
        let rep_index = members
            .iter()
            .position(|m| m.shown == Path::new(&cluster.representative))
            .expect("checked above");
        let representative = members.remove(rep_index);
        let plan = merged_text(cluster, &report_dir).and_then(|(merged, merged_source)| {
            let plan = ClusterPlan {
                id: cluster.id.clone(),
                representative,
                others: members,
                merged,
                merged_source,
            };
            check_cluster(&plan, options, cwd)?;
            Ok(plan)
        });
        match plan {
            Ok(plan) => clusters.push(plan),
            Err(reason) => refused.push(Refusal {
                cluster: cluster.id.clone(),
                reason,
            }),
        }
    }
    Ok(Plan {
        report: resolve(report_path, cwd)?,
        cwd: cwd.to_owned(),
        roots,
        tool_dir,
        archive,
        archive_shown,
        journal,
        journal_shown,
        started,
        clusters,
        refused,
    })
}

/// Why a cluster cannot be applied when one of its members lies in a reference folder.
fn in_reference_folder(cluster: &ClusterIn, references: &[String], cwd: &Path) -> Option<String> {
    let folders: Vec<PathBuf> = references
        .iter()
        .filter_map(|r| resolve(Path::new(r), cwd).ok())
        .collect();
    cluster.members.iter().find_map(|m| {
        let path = resolve(Path::new(m), cwd).ok()?;
        folders.iter().find(|f| inside(&path, f)).map(|f| {
            format!(
                "{} is in the reference folder {}, which apply never changes: consolidate this cluster by hand",
                shown(Path::new(m)),
                shown(f)
            )
        })
    })
}

/// The clusters asked for (every one when `--cluster` is not given); unknown ids are a usage error.
fn selected_clusters<'a>(
    report: &'a ReportIn,
    options: &ApplyOptions,
    report_path: &Path,
) -> anyhow::Result<Vec<&'a ClusterIn>> {
    let mut ids = HashSet::new();
    for c in &report.clusters {
        if !ids.insert(c.id.as_str()) {
            anyhow::bail!(
                "{}: two clusters have the id `{}`: the report was edited",
                shown(report_path),
                c.id
            );
        }
    }
    for wanted in &options.clusters {
        if !ids.contains(wanted.as_str()) {
            let known: Vec<&str> = report.clusters.iter().map(|c| c.id.as_str()).collect();
            anyhow::bail!(
                "no cluster `{wanted}` in {} (it has: {})",
                shown(report_path),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    Ok(report
        .clusters
        .iter()
        .filter(|c| options.clusters.is_empty() || options.clusters.contains(&c.id))
        .collect())
}

/// agent-dedup's folder must be a plain folder (or not exist yet): never a link, which would put
/// the journal and archive wherever it points.
fn check_tool_dir(tool_dir: &Path, tool_shown: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(tool_dir) {
        Ok(meta) if meta.file_type().is_symlink() => anyhow::bail!(
            "{} is a symbolic link (a link out of the scanned folder, or to nothing): apply keeps \
             its journal and archive only in a plain folder; remove the link, then run apply again",
            shown(tool_shown)
        ),
        Ok(meta) if !meta.is_dir() => anyhow::bail!(
            "{} is {}, not a folder: apply keeps its journal and archive in that folder; move it \
             away, then run apply again",
            shown(tool_shown),
            crate::parse::file_type_name(&meta.file_type())
        ),
        _ => Ok(()),
    }
}

/// `--archive` must be a folder (or not exist yet), outside every scanned folder (where the next
/// scan would read the originals as agents) unless inside agent-dedup's own folder, and must not
/// hold a scanned folder.
fn check_archive(
    options: &ApplyOptions,
    archive: &Path,
    archive_shown: &Path,
    roots: &[Root],
    tool_dir: &Path,
) -> anyhow::Result<()> {
    if options.archive.is_none() && !inside(archive, tool_dir) {
        anyhow::bail!(
            "{} leads out of {} (a symbolic link inside it?): apply keeps its archive there only \
             in plain folders; remove the link, then run apply again",
            shown(archive_shown),
            TOOL_DIR
        );
    }
    if options.archive.is_some() {
        if let Ok(meta) = std::fs::metadata(archive_shown) {
            if !meta.is_dir() {
                anyhow::bail!(
                    "--archive {}: not a folder (it is {}): name a folder; it is created when missing",
                    shown(archive_shown),
                    crate::parse::file_type_name(&meta.file_type())
                );
            }
        }
        if !inside(archive, tool_dir) {
            if let Some(root) = roots.iter().find(|r| inside(archive, &r.path)) {
                anyhow::bail!(
                    "--archive {} lies inside the scanned folder {}: the next scan would read the \
                     archived originals as agents; choose a folder outside it (the default, in {}, \
                     is never scanned)",
                    shown(archive_shown),
                    shown(&root.shown),
                    TOOL_DIR
                );
            }
        }
    }
    if let Some(root) = roots.iter().find(|r| inside(&r.path, archive)) {
        anyhow::bail!(
            "the archive {} would hold the scanned folder {}: choose another --archive",
            shown(archive_shown),
            shown(&root.shown)
        );
    }
    Ok(())
}

/// The scanned folders: each input, or the folder holding an input file, resolved; each must lie
/// inside `bound`, the folder the command line allows. Folders inside another input are covered by
/// it. Also each input as the scan spelled it, for matching the report's paths.
fn roots(
    report: &ReportIn,
    cwd: &Path,
    bound: &Path,
    root_flag: Option<&Path>,
) -> anyhow::Result<(Vec<Input>, Vec<Root>)> {
    let mut inputs = Vec::new();
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    for input in &report.inputs {
        let given = Path::new(input);
        let gone = |e: std::io::Error| {
            anyhow::anyhow!(
                "{}: the scanned path is gone or unreadable ({e}); run apply from the folder scan ran in",
                shown(given)
            )
        };
        let meta = std::fs::metadata(cwd.join(given)).map_err(gone)?;
        let (folder, shown_root) = if meta.is_dir() {
            (
                std::fs::canonicalize(cwd.join(given)).map_err(gone)?,
                given.to_owned(),
            )
        } else {
            let parent = match given.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
                _ => PathBuf::from("."),
            };
            (
                std::fs::canonicalize(cwd.join(&parent)).map_err(gone)?,
                parent,
            )
        };
        if !inside(&folder, bound) {
            anyhow::bail!(
                "{}: the report says this was scanned, but it lies outside {} (the folder apply may \
                 change: {}): refusing the whole report (run apply from the folder scan ran in, or \
                 pass --root)",
                shown(given),
                shown(bound),
                if root_flag.is_some() { "--root" } else { "the current folder, or --root" }
            );
        }
        inputs.push(Input {
            spelled: given.to_owned(),
            folder: folder.clone(),
            is_file: !meta.is_dir(),
        });
        found.push((folder, shown_root));
    }
    if found.is_empty() {
        anyhow::bail!("the report names no scanned folder (`inputs` is empty)");
    }
    let all: Vec<PathBuf> = found.iter().map(|(p, _)| p.clone()).collect();
    let mut roots: Vec<Root> = Vec::new();
    for (path, shown_root) in found {
        let covered = all.iter().any(|o| *o != path && inside(&path, o));
        if covered || roots.iter().any(|r| r.path == path) {
            continue;
        }
        roots.push(Root {
            path,
            shown: shown_root,
        });
    }
    Ok((inputs, roots))
}

/// The deepest folder holding every scanned folder, resolved and as shown: agent-dedup's folder
/// goes there, so that the journal's own place proves every folder `undo` may restore into.
fn common_folder(roots: &[Root], cwd: &Path) -> (PathBuf, PathBuf) {
    if let [only] = roots {
        return (only.path.clone(), only.shown.clone());
    }
    let mut common = roots[0].path.clone();
    for root in &roots[1..] {
        while !inside(&root.path, &common) {
            if !common.pop() {
                break;
            }
        }
    }
    let shown = match common.strip_prefix(cwd) {
        Ok(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Ok(p) => p.to_owned(),
        Err(_) => common.clone(),
    };
    (common, shown)
}

/// The archive and journal paths (as shown; relative ones are resolved against the current folder).
/// Default ones get a `-2`, `-3`, … suffix when a run in the same second already took the name.
fn tool_paths(base: &Path, options: &ApplyOptions, stamp: &str) -> (PathBuf, PathBuf) {
    let tool = base.join(TOOL_DIR);
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            stamp.to_owned()
        } else {
            format!("{stamp}-{n}")
        };
        let journal = tool.join(format!("journal-{suffix}.jsonl"));
        let archive = match &options.archive {
            Some(dir) => dir.clone(),
            None if options.delete => tool.join(format!("deleting-{suffix}")),
            None => tool.join("archive").join(&suffix),
        };
        // Shown paths are relative to the current folder, as the process sees them.
        let free = |p: &Path| std::fs::symlink_metadata(p).is_err();
        if free(&journal) && (options.archive.is_some() || free(&archive)) {
            return (archive, journal);
        }
        n += 1;
    }
}

/// One member path from the report: known to the scan, spelled as the scan spells paths (an input,
/// then plain names: no `..`, no `.`), inside a scanned folder, with its place in the archive.
/// An error here means the report was edited (or belongs to another folder).
fn check_member(
    given: &str,
    inputs: &[Input],
    roots: &[Root],
    base: &Path,
    hashes: &BTreeMap<&str, &str>,
    archive: &Path,
    archive_shown: &Path,
) -> anyhow::Result<Member> {
    let shown_path = PathBuf::from(given);
    let sha256 = hashes.get(given).ok_or_else(|| {
        anyhow::anyhow!(
            "{} is not among the report's agents: the report was edited",
            shown(&shown_path)
        )
    })?;
    let outside = || {
        anyhow::anyhow!(
            "{} lies outside the scanned folders: refusing the whole report (was it edited?)",
            shown(&shown_path)
        )
    };
    // The longest input the path begins with: a scan names every file it finds so.
    let input = inputs
        .iter()
        .filter(|i| shown_path.starts_with(&i.spelled))
        .max_by_key(|i| i.spelled.components().count())
        .ok_or_else(outside)?;
    let rest = shown_path
        .strip_prefix(&input.spelled)
        .expect("starts with it");
    if !rest
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        anyhow::bail!(
            "{}: `..` or `.` in a report path could lead outside the scanned folders (a scan never \
             writes them): refusing the whole report (was it edited?)",
            shown(&shown_path)
        );
    }
    // In a folder a scan reads only the files a folder walk reads (`*.md` anywhere; TOML, JSON and
    // YAML only in their tools' folders): a report naming anything else there was edited.
    if !input.is_file && !crate::parse::format::is_candidate(&shown_path) {
        anyhow::bail!(
            "{} is not a file a scan reads in a folder (an agent definition: `.md`, or a tool's \
             TOML, JSON or YAML agent file in its folder): refusing the whole report (was it edited?)",
            shown(&shown_path)
        );
    }
    let path = match (input.is_file, rest.as_os_str().is_empty()) {
        (true, true) => input
            .folder
            .join(input.spelled.file_name().ok_or_else(outside)?),
        (false, false) => input.folder.join(rest),
        _ => return Err(outside()),
    };
    let root = roots
        .iter()
        .find(|r| inside(&path, &r.path) && path != r.path)
        .ok_or_else(outside)?;
    if inside(&path, &root.path.join(TOOL_DIR)) {
        anyhow::bail!(
            "{} lies in agent-dedup's own folder, which a scan never reads: the report was edited",
            shown(&shown_path)
        );
    }
    if inside(&path, archive) {
        anyhow::bail!(
            "{} lies in the archive folder {}: choose another --archive",
            shown(&shown_path),
            shown(archive_shown)
        );
    }
    let relative = path
        .strip_prefix(base)
        .expect("every root is inside the base")
        .to_owned();
    // The archive is absolute: resolving it needs no current folder.
    let in_archive = resolve(&archive.join(&relative), Path::new("/"))?;
    if !inside(&in_archive, archive) {
        anyhow::bail!(
            "{}: its archive copy would land outside {} (a link in the archive?)",
            shown(&shown_path),
            shown(archive_shown)
        );
    }
    Ok(Member {
        shown: shown_path,
        root: root.path.clone(),
        path,
        sha256: sha256.to_string(),
        archive: in_archive,
        archive_shown: archive_shown.join(relative),
    })
}

/// The merged definition to write: the file `--out` wrote (as the user may have edited it), else
/// the text in the report. It must still be a definition Claude Code loads, of a size the scan reads.
fn merged_text(cluster: &ClusterIn, report_dir: &Path) -> Result<(Vec<u8>, String), String> {
    let (bytes, source) = match &cluster.merged_file {
        Some(name) => {
            let path = report_dir.join(name);
            match read_regular(&path) {
                Ok(Some((bytes, _))) => (bytes, shown(&path)),
                Ok(None) => {
                    return Err(format!(
                        "its merged definition {} is gone (scan again to write it, or restore it)",
                        shown(&path)
                    ))
                }
                Err(e) => return Err(format!("cannot read {}: {e}", shown(&path))),
            }
        }
        None => match &cluster.merged {
            Some(text) if text.len() as u64 > crate::parse::MAX_FILE_BYTES => {
                return Err(format!(
                    "its merged definition in the report is {} bytes, over the limit of {} bytes \
                     of an agent definition",
                    text.len(),
                    crate::parse::MAX_FILE_BYTES
                ))
            }
            Some(text) => (text.clone().into_bytes(), "the report".to_owned()),
            None => return Err("the report holds no merged definition for it".to_owned()),
        },
    };
    // Read as the representative's own format: a merged Codex agent is TOML, a Kiro agent JSON.
    let like = Path::new(&cluster.representative);
    if crate::parse::format::detect(like).syntax == crate::parse::format::Syntax::CrewAiYaml {
        return Err(format!(
            "its members are entries of a CrewAI agents file, which holds other agents too: \
             not rewritten; copy the merged entry from {source} into the file by hand"
        ));
    }
    match crate::parse::parse_agent(like, &bytes) {
        Err(skipped) => Err(format!(
            "the merged definition in {source} is not a loadable agent definition: {}",
            skipped.reason
        )),
        Ok(agent) => {
            let missing: Vec<String> = agent
                .diagnostics
                .iter()
                .filter(|d| matches!(d, crate::model::Diagnostic::MissingField { .. }))
                .map(|d| d.to_string())
                .collect();
            if missing.is_empty() {
                Ok((bytes, source))
            } else {
                Err(format!(
                    "the merged definition in {source} is incomplete: {}",
                    missing.join("; ")
                ))
            }
        }
    }
}

fn all_members(plan: &ClusterPlan) -> impl Iterator<Item = &Member> {
    std::iter::once(&plan.representative).chain(plan.others.iter())
}

/// Whether a cluster can be applied now: every member as the scan saw it, every archive place
/// free, every folder it writes in writable. All checked before the cluster's first operation, so
/// that a cluster is done whole or not at all.
fn check_cluster(plan: &ClusterPlan, options: &ApplyOptions, cwd: &Path) -> Result<(), String> {
    for m in all_members(plan) {
        current_bytes(m)?;
    }
    if !options.force {
        for m in all_members(plan) {
            if std::fs::symlink_metadata(&m.archive).is_ok() {
                return Err(format!(
                    "{} already exists: nothing is overwritten (choose another --archive, or pass --force)",
                    shown(&m.archive_shown)
                ));
            }
        }
    }
    let rep = &plan.representative;
    let mut needs: Vec<(&Path, String)> = vec![(
        fsops::parent(&rep.path),
        format!("to write the merged definition over {}", shown(&rep.shown)),
    )];
    for m in &plan.others {
        let verb = if options.delete { "delete" } else { "move" };
        needs.push((
            fsops::parent(&m.path),
            format!("to {verb} {}", shown(&m.shown)),
        ));
    }
    for m in all_members(plan) {
        needs.push((
            fsops::parent(&m.archive),
            format!("to keep the original of {}", shown(&m.shown)),
        ));
    }
    for (folder, purpose) in needs {
        if let Err(e) = fsops::can_create_in(folder) {
            let folder_shown = shown(folder.strip_prefix(cwd).unwrap_or(folder));
            return Err(format!(
                "cannot write in the folder {folder_shown} ({e}), needed {purpose}: nothing of this \
                 cluster was changed; give yourself write access (e.g. `chmod u+w {folder_shown}`) \
                 and run apply again, or leave the cluster out with --cluster"
            ));
        }
    }
    Ok(())
}

/// The folder on the way from a member's scanned folder to the member that is a symbolic link, if
/// one is: the scan never walks through one, so it was swapped in since (or the report was edited).
fn linked_folder(m: &Member) -> Option<PathBuf> {
    m.path
        .ancestors()
        .skip(1)
        .take_while(|a| *a != m.root && inside(a, &m.root))
        .find(|a| std::fs::symlink_metadata(a).is_ok_and(|meta| meta.file_type().is_symlink()))
        .map(Path::to_owned)
}

/// A member's bytes, provided they are still those the scan hashed, in a regular file reached
/// through no link.
fn current_bytes(m: &Member) -> Result<Vec<u8>, String> {
    if let Some(folder) = linked_folder(m) {
        return Err(format!(
            "{}: the folder {} on its way is a symbolic link now: apply never works through links \
             (scan again)",
            shown(&m.shown),
            shown(&folder)
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(&m.path) {
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&m.path).unwrap_or_default();
            return Err(format!(
                "{} is a symbolic link now (to {}), not a regular file: apply only moves regular \
                 files it can restore; scan again",
                shown(&m.shown),
                shown(&target)
            ));
        }
        if !meta.is_file() {
            return Err(format!(
                "{} is not a regular file ({}): apply only moves files it can restore",
                shown(&m.shown),
                crate::parse::file_type_name(&meta.file_type())
            ));
        }
    }
    match read_regular(&m.path) {
        // Still an agent definition, as every member the scan reported is: apply never moves or
        // overwrites any other file, whatever a report says of it.
        Ok(Some((bytes, hash))) if hash == m.sha256 => {
            match crate::parse::parse_agent(&m.shown, &bytes) {
                Ok(_) => Ok(bytes),
                Err(skipped) => Err(format!(
                    "{} is not an agent definition ({}), so no scan made it a member: the report \
                     was edited",
                    shown(&m.shown),
                    skipped.reason
                )),
            }
        }
        Ok(Some(_)) => Err(format!(
            "{} changed since the scan (its SHA-256 differs): scan again",
            shown(&m.shown)
        )),
        Ok(None) => Err(format!("{} no longer exists: scan again", shown(&m.shown))),
        Err(e) => Err(format!("{}: {e}", shown(&m.shown))),
    }
}

/// The operations of one cluster, as printed.
fn operations(plan: &ClusterPlan, delete: bool) -> Vec<String> {
    let rep = &plan.representative;
    let mut lines = Vec::new();
    if !delete {
        lines.push(format!(
            "copy {} -> {} (original of {}'s representative, kept for undo)",
            shown(&rep.shown),
            shown(&rep.archive_shown),
            plan.id
        ));
    }
    for m in &plan.others {
        lines.push(if delete {
            format!("delete {}", shown(&m.shown))
        } else {
            format!("move {} -> {}", shown(&m.shown), shown(&m.archive_shown))
        });
    }
    lines.push(format!(
        "write {} (merged definition of {} from {}, {} bytes)",
        shown(&rep.shown),
        plan.id,
        plan.merged_source,
        plan.merged.len()
    ));
    lines
}

// ------------------------------------------------------------------------------------ the run

/// A temporary file beside `target`, named so that nothing else uses it; the journal records it
/// before it is created, so `undo` can remove it after a crash.
fn temp_beside(target: &Path, n: &mut usize) -> PathBuf {
    *n += 1;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(
        ".{name}.agent-dedup-{}-{n}.tmp",
        std::process::id()
    ))
}

fn execute(
    plan: &Plan,
    options: &ApplyOptions,
    out: &mut dyn Write,
    outcome: &mut ApplyOutcome,
) -> anyhow::Result<()> {
    let journal_path = &plan.journal;
    let io = |what: &str, e: std::io::Error| {
        anyhow::anyhow!(
            "{what}: {e}\nthe library may be partly changed: run `agent-dedup undo {}` to restore it",
            shown(&plan.journal_shown)
        )
    };
    let tool_shown = fsops::parent(&plan.journal_shown);
    create_dir_durable(&plan.tool_dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", shown(tool_shown)))?;
    let busy = || {
        anyhow::anyhow!(
            "another agent-dedup apply or undo is working in {} now: wait until it ends, then run \
             apply again (nothing was changed)",
            shown(tool_shown)
        )
    };
    let _lock = fsops::lock_folder(&plan.tool_dir)
        .map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", shown(tool_shown)))?
        .ok_or_else(busy)?;
    let mut journal = JournalWriter::create(journal_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => busy(),
        _ => anyhow::anyhow!(
            "cannot create the journal {}: {e}",
            shown(&plan.journal_shown)
        ),
    })?;
    outcome.journal = Some(plan.journal_shown.clone());
    if !options.delete {
        outcome.archive = Some(plan.archive_shown.clone());
    }
    let _ = writeln!(
        out,
        "create {} (journal of the run, for undo)",
        shown(&plan.journal_shown)
    );
    journal
        .append(&Entry::Start {
            journal: journal::JOURNAL_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started: plan.started.clone(),
            report: plan.report.clone(),
            roots: plan.roots.iter().map(|r| r.path.clone()).collect(),
            archive: plan.archive.clone(),
            delete: options.delete,
        })
        .map_err(|e| io("cannot write the journal", e))?;
    if options.archive.is_some() && !options.delete {
        mark_archive(&plan.archive).map_err(|e| {
            io(
                &format!("cannot write in the archive {}", shown(&plan.archive_shown)),
                e,
            )
        })?;
    }

    let mut tmp_n = 0;
    let mut kept = Vec::new();
    for cluster in &plan.clusters {
        // Checked again right before: a file may have changed since the plan was made.
        let rep_bytes = match current_bytes(&cluster.representative)
            .and_then(|b| check_cluster(cluster, options, &plan.cwd).map(|_| b))
        {
            Ok(b) => b,
            Err(reason) => {
                let _ = writeln!(out, "{}: refused: {reason}", cluster.id);
                outcome.refused.push(Refusal {
                    cluster: cluster.id.clone(),
                    reason,
                });
                continue;
            }
        };
        let lines = operations(cluster, options.delete);
        let mut line = lines.iter();
        let mut say = |out: &mut dyn Write| {
            if let Some(l) = line.next() {
                let _ = writeln!(out, "{l}");
            }
        };
        let rep = &cluster.representative;

        // 1. The representative's original, copied into the archive.
        let tmp = temp_beside(&rep.archive, &mut tmp_n);
        journal
            .append(&Entry::Backup {
                cluster: cluster.id.clone(),
                src: rep.path.clone(),
                dst: rep.archive.clone(),
                tmp: tmp.clone(),
                sha256: rep.sha256.clone(),
            })
            .map_err(|e| io("cannot write the journal", e))?;
        let permissions = std::fs::metadata(&rep.path).ok().map(|m| m.permissions());
        let parent = rep.archive.parent().expect("archive paths have a folder");
        create_dir_durable(parent)
            .map_err(|e| io(&format!("cannot create {}", shown(parent)), e))?;
        fsops::write_atomic(&rep.archive, &tmp, &rep_bytes, permissions.clone())
            .map_err(|e| io(&format!("cannot write {}", shown(&rep.archive_shown)), e))?;
        kept.push((rep.archive.clone(), rep.sha256.clone()));
        if !options.delete {
            say(out);
        }

        // 2. The other members, moved into the archive.
        for m in &cluster.others {
            let tmp = temp_beside(&m.archive, &mut tmp_n);
            journal
                .append(&Entry::Move {
                    cluster: cluster.id.clone(),
                    src: m.path.clone(),
                    dst: m.archive.clone(),
                    tmp: tmp.clone(),
                    sha256: m.sha256.clone(),
                })
                .map_err(|e| io("cannot write the journal", e))?;
            let parent = m.archive.parent().expect("archive paths have a folder");
            create_dir_durable(parent)
                .map_err(|e| io(&format!("cannot create {}", shown(parent)), e))?;
            fsops::move_durable(&m.path, &m.archive, &tmp)
                .map_err(|e| io(&format!("cannot move {}", shown(&m.shown)), e))?;
            kept.push((m.archive.clone(), m.sha256.clone()));
            say(out);
        }

        // 3. The merged definition, written over the representative.
        let tmp = temp_beside(&rep.path, &mut tmp_n);
        journal
            .append(&Entry::Write {
                cluster: cluster.id.clone(),
                path: rep.path.clone(),
                tmp: tmp.clone(),
                backup: rep.archive.clone(),
                sha256_before: rep.sha256.clone(),
                sha256_after: fsops::sha256_hex(&cluster.merged),
                bytes: cluster.merged.len(),
            })
            .map_err(|e| io("cannot write the journal", e))?;
        fsops::write_atomic(&rep.path, &tmp, &cluster.merged, permissions)
            .map_err(|e| io(&format!("cannot write {}", shown(&rep.shown)), e))?;
        say(out);

        journal
            .append(&Entry::Done {
                cluster: cluster.id.clone(),
            })
            .map_err(|e| io("cannot write the journal", e))?;
        outcome.applied.push(cluster.id.clone());
    }

    if options.delete && !outcome.applied.is_empty() {
        journal
            .append(&Entry::Commit)
            .map_err(|e| io("cannot write the journal", e))?;
        for (path, sha256) in &kept {
            journal
                .append(&Entry::Purge {
                    path: path.clone(),
                    sha256: sha256.clone(),
                })
                .map_err(|e| io("cannot write the journal", e))?;
            fsops::remove_durable(path)
                .map_err(|e| io(&format!("cannot delete {}", shown(path)), e))?;
        }
        fsops::remove_empty_dirs(&plan.archive);
    }
    journal
        .append(&Entry::Finished)
        .map_err(|e| io("cannot write the journal", e))?;
    Ok(())
}

/// Leaves agent-dedup's marker in an archive given with `--archive`, so that a later scan of a
/// folder holding it does not read the archived originals as agents.
fn mark_archive(archive: &Path) -> std::io::Result<()> {
    create_dir_durable(archive)?;
    let marker = archive.join(crate::outdir::OUTPUT_MARKER);
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&marker)
    {
        Ok(mut file) => file.write_all(
            b"The originals agent-dedup apply moved out of a library. agent-dedup scan never reads \
              this folder as input; `agent-dedup undo JOURNAL --archive THIS-FOLDER` puts them back.\n",
        ),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

// ------------------------------------------------------------------------------------ helpers

/// UTC time as `YYYYMMDDTHHMMSSZ`: sortable, and valid in a file name everywhere.
pub fn timestamp(at: std::time::SystemTime) -> String {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let t = |s: u64| timestamp(std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
        assert_eq!(t(0), "19700101T000000Z");
        assert_eq!(t(951_782_400), "20000229T000000Z");
        assert_eq!(t(1_709_210_096), "20240229T123456Z");
    }
}
