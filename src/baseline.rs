//! Baseline: findings a person has looked at and accepted ("these are not duplicates", "this
//! name collision is intended"), so that later scans report them apart and CI fails only on new
//! ones.
//!
//! A finding is recorded by the SHA-256 of the contents of its files, not by their paths or by
//! cluster ids (which change from scan to scan). A cluster is accepted while every one of its
//! members has a content hash an accepted entry lists: a file edited since, or a new file joining
//! the cluster, makes it a new finding to look at again. A name collision is accepted the same way,
//! for its name.
//!
//! The file (`.agent-dedup-baseline.json`, written by `agent-dedup accept`):
//!
//! ```json
//! { "version": 1,
//!   "accepted": [
//!     { "kind": "cluster", "reason": "not duplicates", "files": [ { "path": "a.md", "sha256": "…" } ] },
//!     { "kind": "collision", "name": "reviewer", "reason": "intended", "files": [ … ] } ] }
//! ```
//! Paths are for people reading the file; only the hashes are matched.

use crate::model::{ClusterReport, NameCollision, Report};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The file name `accept` writes and scans look for.
pub const BASELINE_FILE: &str = ".agent-dedup-baseline.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    #[serde(default)]
    pub accepted: Vec<Accepted>,
}

/// What kind of finding an entry accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// The files are not duplicates of each other.
    Cluster,
    /// The files may share their name.
    Collision,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    pub kind: FindingKind,
    /// For a collision: the name the files share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    pub files: Vec<AcceptedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedFile {
    /// Where the file was when it was accepted: for people; not matched.
    #[serde(default)]
    pub path: String,
    pub sha256: String,
}

/// Which findings of one report a baseline accepts (cluster ids, collision names).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcceptedFindings {
    pub clusters: HashSet<String>,
    pub collisions: HashSet<String>,
}

impl AcceptedFindings {
    pub fn cluster(&self, id: &str) -> bool {
        self.clusters.contains(id)
    }

    pub fn collision(&self, name: &str) -> bool {
        self.collisions.contains(name)
    }
}

impl Baseline {
    /// Reads a baseline file; a file that is not one is an error naming it.
    pub fn read(path: &Path) -> anyhow::Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read the baseline: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: not a baseline file ({e}); `agent-dedup accept` writes one",
                path.display()
            )
        })?;
        if baseline.version != 1 {
            anyhow::bail!(
                "{}: baseline version {} is not supported (this agent-dedup reads version 1)",
                path.display(),
                baseline.version
            );
        }
        check_entries(&baseline.accepted)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(baseline)
    }

    /// Writes the baseline as pretty JSON, through a temporary file renamed into place.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        let tmp = path.with_file_name(format!(
            ".{}.tmp-{}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        let cannot = |e: std::io::Error| anyhow::anyhow!("{}: cannot write: {e}", path.display());
        std::fs::write(&tmp, text).map_err(cannot)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            cannot(e)
        })?;
        Ok(())
    }

    /// Adds `entry` unless an entry already accepts the same files.
    pub fn add(&mut self, entry: Accepted) -> bool {
        let hashes = |e: &Accepted| -> Vec<String> {
            let mut h: Vec<String> = e.files.iter().map(|f| f.sha256.clone()).collect();
            h.sort();
            h
        };
        let new = hashes(&entry);
        let known = self
            .accepted
            .iter()
            .any(|e| e.kind == entry.kind && e.name == entry.name && hashes(e) == new);
        if !known {
            self.accepted.push(entry);
        }
        !known
    }

    /// The findings of `report` this baseline accepts.
    pub fn accepts(&self, report: &Report) -> AcceptedFindings {
        let hash_of = hash_by_path(report);
        let mut found = AcceptedFindings::default();
        for c in &report.clusters {
            let hashes: Vec<&str> = c
                .cluster
                .members
                .iter()
                .map(|&m| report.agents[m].content_hash.as_str())
                .collect();
            if self.covers(FindingKind::Cluster, None, &hashes) {
                found.clusters.insert(c.id.clone());
            }
        }
        for c in &report.name_collisions {
            let hashes: Option<Vec<&str>> = c
                .paths
                .iter()
                .map(|p| hash_of.get(p.as_path()).copied())
                .collect();
            if hashes.is_some_and(|h| self.covers(FindingKind::Collision, Some(&c.name), &h)) {
                found.collisions.insert(c.name.clone());
            }
        }
        found
    }

    /// Whether one entry of `kind` (and `name`) lists every hash of `hashes`.
    fn covers(&self, kind: FindingKind, name: Option<&str>, hashes: &[&str]) -> bool {
        self.accepted
            .iter()
            .filter(|e| e.kind == kind && (name.is_none() || e.name.as_deref() == name))
            .any(|e| {
                let listed: HashSet<&str> = e.files.iter().map(|f| f.sha256.as_str()).collect();
                hashes.iter().all(|h| listed.contains(h))
            })
    }
}

fn hash_by_path(report: &Report) -> HashMap<&Path, &str> {
    report
        .agents
        .iter()
        .map(|a| (a.path.as_path(), a.content_hash.as_str()))
        .collect()
}

/// Every hash a SHA-256, every collision with its name.
pub fn check_entries(entries: &[Accepted]) -> Result<(), String> {
    for entry in entries {
        if let Some(bad) = entry.files.iter().find(|f| !is_sha256(&f.sha256)) {
            return Err(format!("`{}` is not a SHA-256 (64 hex digits)", bad.sha256));
        }
        if entry.kind == FindingKind::Collision && entry.name.is_none() {
            return Err("an accepted collision needs the `name` its files share".into());
        }
    }
    Ok(())
}

/// The baseline a scan uses: `--baseline FILE`, else the configuration's `baseline`, else the
/// nearest `.agent-dedup-baseline.json` upwards from the first path scanned; plus the findings the
/// configuration accepts. A baseline named but missing is an error; none found is an empty one.
pub fn for_scan(
    explicit: Option<&Path>,
    config: Option<&crate::config::Config>,
    first_input: &Path,
) -> anyhow::Result<Baseline> {
    let named = explicit
        .map(Path::to_owned)
        .or_else(|| config.and_then(|c| c.baseline.as_ref().map(|b| c.resolve(b))));
    let found = named.or_else(|| crate::config::find_upwards(first_input, BASELINE_FILE));
    let mut baseline = match found {
        Some(path) => Baseline::read(&path)?,
        None => Baseline::default(),
    };
    if let Some(c) = config {
        baseline.accepted.extend(c.accepted.iter().cloned());
    }
    Ok(baseline)
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A stable identity of a finding across scans: SHA-256 of its files' sorted content hashes (and,
/// for a collision, its name). Used as SARIF's fingerprint.
fn fingerprint<'a>(tag: &str, hashes: impl Iterator<Item = &'a str>) -> String {
    let mut sorted: Vec<&str> = hashes.collect();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    h.update(tag.as_bytes());
    for s in sorted {
        h.update(b"\n");
        h.update(s.as_bytes());
    }
    format!("{:x}", h.finalize())
}

pub fn cluster_fingerprint(r: &Report, c: &ClusterReport) -> String {
    fingerprint(
        "cluster",
        c.cluster
            .members
            .iter()
            .map(|&m| r.agents[m].content_hash.as_str()),
    )
}

pub fn collision_fingerprint(r: &Report, c: &NameCollision) -> String {
    let hash_of = hash_by_path(r);
    fingerprint(
        &format!("collision\n{}", c.name),
        c.paths
            .iter()
            .map(|p| hash_of.get(p.as_path()).copied().unwrap_or("")),
    )
}

/// The parts of a JSON report (`scan --format json`, `report.json`) that `accept` reads.
#[derive(Debug, Deserialize)]
struct ReportIn {
    #[serde(default)]
    agents: Vec<AgentIn>,
    #[serde(default)]
    clusters: Vec<ClusterIn>,
    #[serde(default)]
    name_collisions: Vec<CollisionIn>,
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
}

#[derive(Debug, Deserialize)]
struct CollisionIn {
    name: String,
    paths: Vec<String>,
}

/// What `agent-dedup accept` is asked to record.
pub struct AcceptRequest<'a> {
    /// The JSON report the ids and names come from.
    pub report: &'a Path,
    /// Cluster ids: "these are not duplicates".
    pub clusters: &'a [String],
    /// Collision names: "this collision is intended".
    pub collisions: &'a [String],
    /// The baseline file to add them to (created when missing).
    pub baseline: &'a Path,
    pub reason: Option<&'a str>,
}

/// Adds the findings asked for to the baseline file; returns how many were new. The files are
/// recorded by the content hashes the report gives them; a file that changed since the scan is an
/// error (scan again, look again).
pub fn accept(request: &AcceptRequest) -> anyhow::Result<usize> {
    let path = request.report;
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the report: {e}", path.display()))?;
    let report: ReportIn = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a report of `agent-dedup scan --format json` or `--out` ({e})",
            path.display()
        )
    })?;
    let hashes: HashMap<&str, &str> = report
        .agents
        .iter()
        .map(|a| (a.path.as_str(), a.sha256.as_str()))
        .collect();
    let files = |paths: &[String]| -> anyhow::Result<Vec<AcceptedFile>> {
        paths
            .iter()
            .map(|p| {
                let sha256 = hashes.get(p.as_str()).filter(|h| is_sha256(h)).ok_or_else(|| {
                    anyhow::anyhow!("{}: no SHA-256 for {p}: the report was edited", path.display())
                })?;
                if let Ok(bytes) = std::fs::read(p) {
                    if crate::parse::content_hash(&bytes) != *sha256 {
                        anyhow::bail!("{p}: changed since the scan: scan again and look again before accepting");
                    }
                }
                Ok(AcceptedFile {
                    path: p.clone(),
                    sha256: sha256.to_string(),
                })
            })
            .collect()
    };
    let reason = |default: &str| request.reason.unwrap_or(default).to_owned();
    let mut entries = Vec::new();
    for id in request.clusters {
        let cluster = report
            .clusters
            .iter()
            .find(|c| &c.id == id)
            .ok_or_else(|| {
                let known: Vec<&str> = report.clusters.iter().map(|c| c.id.as_str()).collect();
                anyhow::anyhow!(
                    "no cluster `{id}` in {} (it has: {})",
                    path.display(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )
            })?;
        entries.push(Accepted {
            kind: FindingKind::Cluster,
            name: None,
            reason: reason("not duplicates"),
            files: files(&cluster.members)?,
        });
    }
    for name in request.collisions {
        let collision = report
            .name_collisions
            .iter()
            .find(|c| &c.name == name)
            .ok_or_else(|| anyhow::anyhow!("no name collision `{name}` in {}", path.display()))?;
        entries.push(Accepted {
            kind: FindingKind::Collision,
            name: Some(name.clone()),
            reason: reason("intended collision"),
            files: files(&collision.paths)?,
        });
    }
    let mut baseline = if request.baseline.exists() {
        Baseline::read(request.baseline)?
    } else {
        Baseline {
            version: 1,
            accepted: Vec::new(),
        }
    };
    let added = entries
        .into_iter()
        .filter(|e| baseline.add(e.clone()))
        .count();
    baseline.write(request.baseline)?;
    Ok(added)
}
