//! `--format sarif`: SARIF 2.1.0, the format code-scanning services (GitHub code scanning, Azure
//! DevOps, many editors) read, so duplicates and name collisions show on pull requests.
//!
//! One result per cluster and per name collision, each with every file involved as a location (the
//! representative, or the first path, first). Each result carries a fingerprint of the files'
//! contents ([`crate::baseline`]), so a service can tell a finding it has seen from a new one.

use super::Exporter;
use crate::baseline;
use crate::model::{ClusterReport, NameCollision, Report, Tier};
use serde_json::{json, Value};
use std::path::Path;

pub struct SarifExporter;

/// A rule: what one kind of finding means. The ids are documented in the README.
struct Rule {
    id: &'static str,
    name: &'static str,
    short: &'static str,
    full: &'static str,
    level: &'static str,
}

/// The rules, in the order results refer to them by index.
const RULES: [Rule; 3] = [
    Rule {
        id: "duplicate-copy",
        name: "DuplicateAgentCopy",
        short: "Near-verbatim copies of one agent definition",
        full:
            "Two or more agent files are near-verbatim copies of each other (the same file copied \
into several folders, perhaps with a renamed `name`). Keep one: the report proposes a merged \
definition, and `agent-dedup apply` carries it out.",
        level: "warning",
    },
    Rule {
        id: "duplicate-variant",
        name: "DuplicateAgentVariant",
        short: "Agent definitions that do the same job, written differently",
        full: "Two or more agent files describe the same role in different words. Each adds its \
description to every conversation; a merged definition keeps what each says once.",
        level: "note",
    },
    Rule {
        id: "name-collision",
        name: "AgentNameCollision",
        short: "Several files declare one agent name",
        full: "Two or more different files declare the same `name` where one tool sees them all. \
That tool loads only one of them (the message says which, by its documented precedence), so the \
others are silently ignored. Rename or merge them.",
        level: "warning",
    },
];

impl Exporter for SarifExporter {
    fn export(&self, r: &Report) -> String {
        let mut text = serde_json::to_string_pretty(&sarif(r)).expect("SARIF serializes");
        text.push('\n');
        text
    }
}

/// The whole SARIF log of one scan.
pub fn sarif(r: &Report) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.short },
                "fullDescription": { "text": rule.full },
                "help": { "text": rule.full },
                "defaultConfiguration": { "level": rule.level },
            })
        })
        .collect();
    let mut results: Vec<Value> = r.clusters.iter().map(|c| cluster_result(r, c)).collect();
    results.extend(r.name_collisions.iter().map(|c| collision_result(r, c)));
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "agent-dedup",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn rule_index(id: &str) -> usize {
    RULES
        .iter()
        .position(|r| r.id == id)
        .expect("a defined rule")
}

fn result(
    rule: &str,
    message: String,
    paths: Vec<&Path>,
    fingerprint: String,
    properties: Value,
    accepted: bool,
) -> Value {
    let locations: Vec<Value> = paths.into_iter().map(location).collect();
    let mut result = json!({
        "ruleId": rule,
        "ruleIndex": rule_index(rule),
        "level": RULES[rule_index(rule)].level,
        "message": { "text": message },
        "locations": locations,
        "partialFingerprints": { "agentDedupFindingHash/v1": fingerprint },
        "properties": properties,
    });
    if accepted {
        // Accepted in the baseline: still reported, marked as suppressed outside the source.
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "accepted in the agent-dedup baseline",
        }]);
    }
    result
}

fn cluster_result(r: &Report, c: &ClusterReport) -> Value {
    let rule = match c.cluster.tier {
        Tier::Copy => "duplicate-copy",
        Tier::Variant => "duplicate-variant",
    };
    let rep = c.cluster.representative;
    let mut paths = vec![r.agents[rep].path.as_path()];
    paths.extend(
        c.cluster
            .members
            .iter()
            .filter(|&&m| m != rep)
            .map(|&m| r.agents[m].path.as_path()),
    );
    let message = format!(
        "{}: {} {} files do the same job (score {:.2}–{:.2}): {}. Proposed merge: `{}`.",
        c.id,
        c.cluster.members.len(),
        c.cluster.tier,
        c.cluster.min_score,
        c.cluster.max_score,
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        c.merged.name
    );
    result(
        rule,
        message,
        paths,
        baseline::cluster_fingerprint(r, c),
        json!({ "clusterId": c.id, "tier": c.cluster.tier, "mergedName": c.merged.name,
                "minScore": c.cluster.min_score, "maxScore": c.cluster.max_score }),
        r.accepted.cluster(&c.id),
    )
}

fn collision_result(r: &Report, c: &NameCollision) -> Value {
    let message = format!(
        "{} files declare the name `{}`: {}. {}.",
        c.paths.len(),
        c.name,
        c.paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        super::loads_summary(c)
    );
    result(
        "name-collision",
        message,
        c.paths.iter().map(|p| p.as_path()).collect(),
        baseline::collision_fingerprint(r, c),
        json!({ "name": c.name }),
        r.accepted.collision(&c.name),
    )
}

fn location(path: &Path) -> Value {
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": uri(path) },
        "region": { "startLine": 1 },
    }})
}

/// A path as a URI reference: relative paths stay relative (code scanning resolves them against
/// the repository), absolute ones become `file://` URIs; anything but unreserved characters and
/// `/` is percent-encoded.
pub fn uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./");
    let mut out = String::with_capacity(text.len());
    if text.starts_with('/') {
        out.push_str("file://");
    }
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri(Path::new("./agents/a b.md")), "agents/a%20b.md");
        assert_eq!(uri(Path::new("/tmp/x<y>.md")), "file:///tmp/x%3Cy%3E.md");
        assert_eq!(uri(Path::new("é.md")), "%C3%A9.md");
    }

    #[test]
    fn each_cluster_and_collision_is_one_result_on_its_files() {
        let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let report = crate::pipeline::scan(&[corpus], &Default::default()).unwrap();
        let log = sarif(&report);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(
            results.len(),
            report.clusters.len() + report.name_collisions.len()
        );
        for (res, c) in results.iter().zip(&report.clusters) {
            assert_eq!(
                res["locations"].as_array().unwrap().len(),
                c.cluster.members.len()
            );
            let first = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert_eq!(first, uri(&report.agents[c.cluster.representative].path));
            let rule = &log["runs"][0]["tool"]["driver"]["rules"]
                [res["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], res["ruleId"]);
        }
    }
}
