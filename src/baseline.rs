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
        for entry in &baseline.accepted {
            if let Some(bad) = entry.files.iter().find(|f| !is_sha256(&f.sha256)) {
                anyhow::bail!(
                    "{}: `{}` is not a SHA-256 (64 hex digits)",
                    path.display(),
                    bad.sha256
                );
            }
        }
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
