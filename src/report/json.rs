//! `--format json`: the stable contract (`version: 1`). Fields may be added, never renamed or removed.

use super::Exporter;
use crate::model::{AgentFile, ClusterReport, Report, ScoredPair};
use serde_json::{json, Value};

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, report: &Report) -> String {
        let mut text =
            serde_json::to_string_pretty(&to_json(report)).expect("JSON values always serialize");
        text.push('\n');
        text
    }
}

pub fn to_json(report: &Report) -> Value {
    json!({
        "version": 1,
        "inputs": report.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "scanned": report.scanned,
        "parsed": report.agents.len(),
        "settings": report.settings,
        "boilerplate": { "blocks": report.boilerplate_blocks, "min_files": report.boilerplate_threshold },
        "pairs_scored": report.pairs_scored,
        "agents": report.agents.iter().map(agent_json).collect::<Vec<_>>(),
        "skipped": report.skipped,
        "clusters": report.clusters.iter().map(|c| cluster_json(c, &report.agents)).collect::<Vec<_>>(),
        "name_collisions": report.name_collisions,
    })
}

/// The JSON `--out` writes as report.json: [`to_json`], plus each cluster's `merged_file`, the name
/// of the merged definition written beside it (which `apply` reads, with the user's edits).
pub fn to_json_with_merged_files(report: &Report, merged_files: &[String]) -> Value {
    let mut value = to_json(report);
    if let Some(clusters) = value["clusters"].as_array_mut() {
        for (cluster, file) in clusters.iter_mut().zip(merged_files) {
            cluster["merged_file"] = Value::String(file.clone());
        }
    }
    value
}

fn agent_json(agent: &AgentFile) -> Value {
    json!({
        "path": agent.path.display().to_string(),
        "name": agent.display_name(),
        "kind": agent.kind,
        "sha256": agent.content_hash,
        "diagnostics": agent.diagnostics.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
    })
}

fn cluster_json(c: &ClusterReport, agents: &[AgentFile]) -> Value {
    let path = |i: usize| agents[i].path.display().to_string();
    json!({
        "id": c.id,
        "tier": c.cluster.tier,
        "members": c.cluster.members.iter().map(|&i| path(i)).collect::<Vec<_>>(),
        "representative": path(c.cluster.representative),
        "merged_name": c.merged.name,
        "min_score": round(c.cluster.min_score),
        "max_score": round(c.cluster.max_score),
        "shared_terms": c.cluster.shared_terms,
        "copy_groups": c.cluster.copy_groups.iter().map(|g| g.iter().map(|&i| path(i)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "pairs": c.cluster.pairs.iter().map(|p| pair_json(p, agents)).collect::<Vec<_>>(),
        "decisions": c.merged.decisions,
        "merged": c.merged.text,
    })
}

fn pair_json(p: &ScoredPair, agents: &[AgentFile]) -> Value {
    let s = &p.score;
    json!({
        "a": agents[p.a].path.display().to_string(),
        "b": agents[p.b].path.display().to_string(),
        "total": round(s.total),
        "name": round(s.name),
        "description": round(s.description),
        "body": round(s.body),
        "shared_lines": round(s.shared_lines),
        "boilerplate": round(s.boilerplate),
    })
}

/// Three decimals: enough to compare, short enough to read.
fn round(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}
