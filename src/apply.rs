//! Apply: carry out the consolidation a scan proposed, safely, and undo it.
//!
//! `apply REPORT.json` reads a report (`scan --out DIR` writes `DIR/report.json` and the merged files
//! next to it; `scan --format json` puts the merged text in `clusters[].merged`) and, cluster by
//! cluster, writes the merged definition over the representative and moves the other members into an
//! archive (or, with `--delete`, deletes them).
//!
//! Safety, in order:
//! - Every path the report names must lie inside a folder the scan read (its `inputs`), resolved
//!   through `..` and symbolic links; a report that names anything else is refused whole.
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
    /// The sub-folder of the archive its files go to (empty with a single root).
    prefix: PathBuf,
}

#[derive(Debug)]
struct Member {
    /// As the report spells it.
    shown: PathBuf,
    /// Resolved.
    path: PathBuf,
    /// Absolute but not resolved: the name in its folder, which must not be a link.
    given: PathBuf,
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
    roots: Vec<Root>,
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

fn make_plan(report_path: &Path, options: &ApplyOptions, cwd: &Path) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(report_path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the report: {e}", shown(report_path)))?;
    let report: ReportIn = serde_json::from_str(&text).map_err(|e| {
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
    let roots = roots(&report, cwd)?;
    let hashes: BTreeMap<&str, &str> = report
        .agents
        .iter()
        .map(|a| (a.path.as_str(), a.sha256.as_str()))
        .collect();

    // Which clusters: unknown ids are a usage error.
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
    let selected: Vec<&ClusterIn> = report
        .clusters
        .iter()
        .filter(|c| options.clusters.is_empty() || options.clusters.contains(&c.id))
        .collect();
    // A cluster with a file in a reference folder is refused whole: apply never changes those.
    let (in_reference, selected): (Vec<Refusal>, Vec<&ClusterIn>) = {
        let mut refusals = Vec::new();
        let mut rest = Vec::new();
        for c in selected {
            match in_reference_folder(c, &report.references, cwd) {
                Some(reason) => refusals.push(Refusal {
                    cluster: c.id.clone(),
                    reason,
                }),
                None => rest.push(c),
            }
        }
        (refusals, rest)
    };

    let started = timestamp(std::time::SystemTime::now());
    let (archive_shown, journal_shown) = tool_paths(&roots[0], options, &started);
    let archive = resolve(&archive_shown, cwd)
        .map_err(|e| anyhow::anyhow!("{}: {e}", shown(&archive_shown)))?;
    let journal = resolve(&journal_shown, cwd)
        .map_err(|e| anyhow::anyhow!("{}: {e}", shown(&journal_shown)))?;
    let tool_dir = roots[0].path.join(TOOL_DIR);
    if !inside(&journal, &tool_dir) || (options.archive.is_none() && !inside(&archive, &tool_dir)) {
        anyhow::bail!(
            "{} is a link out of the scanned folder: apply keeps its journal and archive there only when it is a plain folder",
            shown(&roots[0].shown.join(TOOL_DIR))
        );
    }
    if let Some(root) = roots.iter().find(|r| inside(&r.path, &archive)) {
        anyhow::bail!(
            "the archive {} would hold the scanned folder {}: choose another --archive",
            shown(&archive_shown),
            shown(&root.shown)
        );
    }

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
            let member =
                check_member(m, &roots, &hashes, &archive, &archive_shown, cwd).map_err(|e| {
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
            if !is_plain_file_name(name) || !name.ends_with(".md") {
                anyhow::bail!(
                    "{}: cluster {}: merged_file `{}` is not a plain file name: the report was edited",
                    shown(report_path),
                    cluster.id,
                    shown(Path::new(name))
                );
            }
        }
        checked.push((cluster, members));
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
            check_cluster(&plan, options)?;
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
        roots,
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

/// The scanned folders: each input, or the folder holding an input file. Folders inside another
/// input are covered by it.
fn roots(report: &ReportIn, cwd: &Path) -> anyhow::Result<Vec<Root>> {
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    for input in &report.inputs {
        let given = Path::new(input);
        let path = std::fs::canonicalize(cwd.join(given)).map_err(|e| {
            anyhow::anyhow!(
                "{}: the scanned path is gone or unreadable ({e}); run apply from the folder scan ran in",
                shown(given)
            )
        })?;
        let (path, shown_root) = if path.is_dir() {
            (path, given.to_owned())
        } else {
            let parent = match given.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
                _ => PathBuf::from("."),
            };
            (path.parent().map(Path::to_owned).unwrap_or(path), parent)
        };
        found.push((path, shown_root));
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
            prefix: PathBuf::new(),
        });
    }
    if roots.len() > 1 {
        let mut used = HashSet::new();
        for root in &mut roots {
            let base = root
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .filter(|n| is_plain_file_name(n))
                .unwrap_or_else(|| "root".to_owned());
            let mut name = base.clone();
            let mut n = 1;
            while !used.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            root.prefix = PathBuf::from(name);
        }
    }
    Ok(roots)
}

/// The archive and journal paths (as shown; relative ones are resolved against the current folder).
/// Default ones get a `-2`, `-3`, … suffix when a run in the same second already took the name.
fn tool_paths(first: &Root, options: &ApplyOptions, stamp: &str) -> (PathBuf, PathBuf) {
    let tool = first.shown.join(TOOL_DIR);
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

/// One member path from the report: known to the scan, inside a scanned folder, with its place in
/// the archive. An error here means the report was edited (or belongs to another folder).
fn check_member(
    given: &str,
    roots: &[Root],
    hashes: &BTreeMap<&str, &str>,
    archive: &Path,
    archive_shown: &Path,
    cwd: &Path,
) -> anyhow::Result<Member> {
    let shown_path = PathBuf::from(given);
    let sha256 = hashes.get(given).ok_or_else(|| {
        anyhow::anyhow!(
            "{} is not among the report's agents: the report was edited",
            shown(&shown_path)
        )
    })?;
    let path =
        resolve(&shown_path, cwd).map_err(|e| anyhow::anyhow!("{}: {e}", shown(&shown_path)))?;
    let root = roots
        .iter()
        .find(|r| inside(&path, &r.path) && path != r.path)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{} lies outside the scanned folders: refusing the whole report (was it edited?)",
                shown(&shown_path)
            )
        })?;
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
    let relative = root
        .prefix
        .join(path.strip_prefix(&root.path).expect("inside the root"));
    let in_archive = resolve(&archive.join(&relative), cwd)?;
    if !inside(&in_archive, archive) {
        anyhow::bail!(
            "{}: its archive copy would land outside {} (a link in the archive?)",
            shown(&shown_path),
            shown(archive_shown)
        );
    }
    Ok(Member {
        given: cwd.join(&shown_path),
        shown: shown_path,
        path,
        sha256: sha256.to_string(),
        archive: in_archive,
        archive_shown: archive_shown.join(relative),
    })
}

/// The merged definition to write: the file `--out` wrote (as the user may have edited it), else
/// the text in the report. It must still be a definition Claude Code loads.
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
            Some(text) => (text.clone().into_bytes(), "the report".to_owned()),
            None => return Err("the report holds no merged definition for it".to_owned()),
        },
    };
    match crate::parse::parse_agent(Path::new(&source), &bytes) {
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

/// Whether a cluster can be applied now: every member as the scan saw it, every archive place free.
fn check_cluster(plan: &ClusterPlan, options: &ApplyOptions) -> Result<(), String> {
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
    Ok(())
}

/// A member's bytes, provided they are still those the scan hashed.
fn current_bytes(m: &Member) -> Result<Vec<u8>, String> {
    if std::fs::symlink_metadata(&m.given).is_ok_and(|meta| !meta.file_type().is_file()) {
        return Err(format!(
            "{} is not a regular file (a link?): apply only moves files it can restore",
            shown(&m.shown)
        ));
    }
    match read_regular(&m.path) {
        Ok(Some((bytes, hash))) if hash == m.sha256 => Ok(bytes),
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
    if let Some(dir) = journal_path.parent() {
        create_dir_durable(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", shown(dir)))?;
    }
    let mut journal = JournalWriter::create(journal_path).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the journal {}: {e}",
            shown(&plan.journal_shown)
        )
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

    let mut tmp_n = 0;
    let mut kept = Vec::new();
    for cluster in &plan.clusters {
        // Checked again right before: a file may have changed since the plan was made.
        let rep_bytes = match current_bytes(&cluster.representative)
            .and_then(|b| check_cluster(cluster, options).map(|_| b))
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
