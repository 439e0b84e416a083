//! `--format json`: the stable contract (`version: 1`). Fields may be added, never renamed or removed.
//!
//! The report is serialized straight from borrowed views of the [`Report`], without building a JSON
//! tree first: a scan of 100,000 agents makes a large report.

use super::Exporter;
use crate::model::{
    AgentFile, ClusterReport, Kind, MergeDecision, NameCollision, Report, ScoredPair, Settings,
    Skipped, Tier,
};
use serde::{Serialize, Serializer};
use std::io::{self, Write};
use std::path::Path;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, report: &Report) -> String {
        render(&view(report, None))
    }

    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_view(&view(report, None), out)
    }
}

/// The JSON `--out` writes as report.json: the same, plus each cluster's `merged_file`, the name of
/// the merged definition written beside it (which `apply` reads, with the user's edits).
pub fn export_with_merged_files(report: &Report, merged_files: &[String]) -> String {
    render(&view(report, Some(merged_files)))
}

/// [`export_with_merged_files`], written to `out` as it is made.
pub fn write_with_merged_files(
    report: &Report,
    merged_files: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    write_view(&view(report, Some(merged_files)), out)
}

fn render(view: &JsonReport) -> String {
    let mut text = Vec::new();
    write_view(view, &mut text).expect("the report serializes");
    String::from_utf8(text).expect("JSON is UTF-8")
}

/// Pretty-printed, with a final line break. The serializer writes a few bytes at a time: it writes
/// them into a buffer of a known type, which takes them without a dynamic call each.
fn write_view(view: &JsonReport, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, view)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// A path as the user gave it, written as a JSON string without first making a `String` of it.
#[derive(Clone, Copy)]
struct JsonPath<'a>(&'a Path);

impl Serialize for JsonPath<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.display())
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    inputs: Vec<String>,
    scanned: usize,
    parsed: usize,
    settings: &'a Settings,
    boilerplate: Boilerplate,
    pairs_scored: usize,
    agents: Vec<JsonAgent<'a>>,
    skipped: &'a [Skipped],
    clusters: Vec<JsonCluster<'a>>,
    name_collisions: &'a [NameCollision],
}

#[derive(Serialize)]
struct Boilerplate {
    blocks: usize,
    min_files: usize,
}

#[derive(Serialize)]
struct JsonAgent<'a> {
    path: JsonPath<'a>,
    name: String,
    kind: Kind,
    sha256: &'a str,
    diagnostics: Vec<String>,
}

#[derive(Serialize)]
struct JsonCluster<'a> {
    id: &'a str,
    tier: Tier,
    members: Vec<JsonPath<'a>>,
    representative: JsonPath<'a>,
    merged_name: &'a str,
    min_score: f64,
    max_score: f64,
    shared_terms: &'a [String],
    copy_groups: Vec<Vec<JsonPath<'a>>>,
    pairs: Vec<JsonPair<'a>>,
    decisions: &'a [MergeDecision],
    merged: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_file: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonPair<'a> {
    a: JsonPath<'a>,
    b: JsonPath<'a>,
    total: f64,
    name: f64,
    description: f64,
    body: f64,
    shared_lines: f64,
    boilerplate: f64,
}

fn view<'a>(report: &'a Report, merged_files: Option<&'a [String]>) -> JsonReport<'a> {
    JsonReport {
        version: 1,
        inputs: report
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        scanned: report.scanned,
        parsed: report.agents.len(),
        settings: &report.settings,
        boilerplate: Boilerplate {
            blocks: report.boilerplate_blocks,
            min_files: report.boilerplate_threshold,
        },
        pairs_scored: report.pairs_scored,
        agents: report.agents.iter().map(agent).collect(),
        skipped: &report.skipped,
        clusters: report
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cluster(
                    c,
                    &report.agents,
                    merged_files.and_then(|f| f.get(i)).map(String::as_str),
                )
            })
            .collect(),
        name_collisions: &report.name_collisions,
    }
}

fn agent(agent: &AgentFile) -> JsonAgent<'_> {
    JsonAgent {
        path: JsonPath(&agent.path),
        name: agent.display_name(),
        kind: agent.kind,
        sha256: &agent.content_hash,
        diagnostics: agent.diagnostics.iter().map(|d| d.to_string()).collect(),
    }
}

fn cluster<'a>(
    c: &'a ClusterReport,
    agents: &'a [AgentFile],
    merged_file: Option<&'a str>,
) -> JsonCluster<'a> {
    let path = |i: usize| JsonPath(&agents[i].path);
    JsonCluster {
        id: &c.id,
        tier: c.cluster.tier,
        members: c.cluster.members.iter().map(|&i| path(i)).collect(),
        representative: path(c.cluster.representative),
        merged_name: &c.merged.name,
        min_score: round(c.cluster.min_score),
        max_score: round(c.cluster.max_score),
        shared_terms: &c.cluster.shared_terms,
        copy_groups: c
            .cluster
            .copy_groups
            .iter()
            .map(|g| g.iter().map(|&i| path(i)).collect())
            .collect(),
        pairs: c.cluster.pairs.iter().map(|p| pair(p, agents)).collect(),
        decisions: &c.merged.decisions,
        merged: &c.merged.text,
        merged_file,
    }
}

fn pair<'a>(p: &ScoredPair, agents: &'a [AgentFile]) -> JsonPair<'a> {
    let s = &p.score;
    JsonPair {
        a: JsonPath(&agents[p.a].path),
        b: JsonPath(&agents[p.b].path),
        total: round(s.total),
        name: round(s.name),
        description: round(s.description),
        body: round(s.body),
        shared_lines: round(s.shared_lines),
        boilerplate: round(s.boilerplate),
    }
}

/// Three decimals: enough to compare, short enough to read.
fn round(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}
