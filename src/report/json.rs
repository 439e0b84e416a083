//! `--format json`: the stable contract (`version: 1`). Fields may be added, never renamed or removed.
//!
//! The report is serialized straight from borrowed views of the [`Report`], without building a JSON
//! tree first: a scan of 100,000 agents makes a large report.

use super::Exporter;
use crate::model::{
    AgentFile, ClusterReport, Format, Kind, MergeDecision, MirrorSet, NameCollision, Report,
    ScoredPair, Settings, Skipped, Tier,
};
use rayon::prelude::*;
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
    write_report(view, &mut buffered)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// Writes `view` exactly as `serde_json::to_writer_pretty` does (tested), except that the clusters,
/// most of a large report (their merged texts), are rendered in parallel. Pretty JSON nests
/// simply: a value rendered on its own reads as it does nested once its line breaks are followed by
/// the nesting's indentation (line breaks inside strings are escaped, so every raw one is layout).
fn write_report(view: &JsonReport, out: &mut impl Write) -> io::Result<()> {
    let v = view;
    out.write_all(b"{")?;
    write_field(out, "version", &v.version, true)?;
    write_field(out, "inputs", &v.inputs, false)?;
    write_field(out, "scanned", &v.scanned, false)?;
    write_field(out, "parsed", &v.parsed, false)?;
    write_field(out, "settings", &v.settings, false)?;
    write_field(out, "boilerplate", &v.boilerplate, false)?;
    write_field(out, "pairs_scored", &v.pairs_scored, false)?;
    write_field(out, "agents", &v.agents, false)?;
    write_field(out, "skipped", &v.skipped, false)?;
    write_key(out, "clusters", false)?;
    write_clusters(&v.clusters, out)?;
    write_field(out, "name_collisions", &v.name_collisions, false)?;
    write_field(out, "mirror_sets", &v.mirror_sets, false)?;
    write_field(out, "references", &v.references, false)?;
    write_field(out, "accepted", &v.accepted, false)?;
    write_field(out, "description_cost", &v.description_cost, false)?;
    out.write_all(b"\n}")
}

/// `"key": ` on a line of its own, at the first level of the report.
fn write_key(out: &mut impl Write, key: &str, first: bool) -> io::Result<()> {
    out.write_all(if first { b"\n  " } else { b",\n  " })?;
    serde_json::to_writer(&mut *out, key)?;
    out.write_all(b": ")
}

fn write_field(
    out: &mut impl Write,
    key: &str,
    value: &impl Serialize,
    first: bool,
) -> io::Result<()> {
    write_key(out, key, first)?;
    let mut nested = Indented { out, indent: "  " };
    serde_json::to_writer_pretty(&mut nested, value)?;
    Ok(())
}

/// How many clusters are rendered at once: enough to keep every core busy, few enough that their
/// text held at once stays small. Clusters come largest first, and the largest of a 100,000-agent
/// library render to a megabyte each (their pairs): 1,024 at once held 0.1 GB more at the peak.
const CLUSTERS_AT_ONCE: usize = 64;

/// The clusters, a list at the report's first level: each element indented by two levels.
fn write_clusters(clusters: &[JsonCluster], out: &mut impl Write) -> io::Result<()> {
    if clusters.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let mut first = true;
    for batch in clusters.chunks(CLUSTERS_AT_ONCE) {
        // Rendered in parallel; indenting and writing are left to one thread.
        let rendered: Vec<String> = batch
            .par_iter()
            .map(|c| serde_json::to_string_pretty(c).expect("a cluster serializes"))
            .collect();
        for text in rendered {
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            first = false;
            let mut nested = Indented {
                out: &mut *out,
                indent: "    ",
            };
            nested.write_all(text.as_bytes())?;
        }
    }
    out.write_all(b"\n  ]")
}

/// A writer that puts `indent` after every line break it passes on.
struct Indented<'w, W: Write> {
    out: &'w mut W,
    indent: &'static str,
}

impl<W: Write> Write for Indented<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.out.write_all(&rest[..=i])?;
            self.out.write_all(self.indent.as_bytes())?;
            rest = &rest[i + 1..];
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A path as the user gave it, written as a JSON string without first making a `String` of it.
#[derive(Clone, Copy)]
struct JsonPath<'a>(&'a Path);

impl Serialize for JsonPath<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `display()` of a path that is UTF-8 is its text; formatting it costs a lossy decoding.
        match self.0.to_str() {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(&self.0.display()),
        }
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
    mirror_sets: &'a [MirrorSet],
    references: Vec<String>,
    accepted: JsonAccepted,
    description_cost: DescriptionCost<'a>,
}

/// The findings a baseline accepts: cluster ids and collision names, sorted.
#[derive(Serialize)]
struct JsonAccepted {
    clusters: Vec<String>,
    name_collisions: Vec<String>,
}

#[derive(Serialize)]
struct DescriptionCost<'a> {
    chars_per_token: usize,
    tools: &'a [crate::cost::ToolCost],
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
    format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<&'a str>,
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
    role: f64,
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
        mirror_sets: &report.mirror_sets,
        references: report
            .references
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        accepted: JsonAccepted {
            clusters: sorted(&report.accepted.clusters, |id| (id.len(), id.to_owned())),
            name_collisions: sorted(&report.accepted.collisions, |name| (0, name.to_owned())),
        },
        description_cost: DescriptionCost {
            chars_per_token: crate::cost::CHARS_PER_TOKEN,
            tools: &report.description_cost,
        },
    }
}

/// A set as a sorted list (cluster ids by length first, so c2 comes before c10).
fn sorted(
    set: &std::collections::HashSet<String>,
    key: impl Fn(&str) -> (usize, String),
) -> Vec<String> {
    let mut list: Vec<String> = set.iter().cloned().collect();
    list.sort_by_key(|s| key(s));
    list
}

fn agent(agent: &AgentFile) -> JsonAgent<'_> {
    JsonAgent {
        path: JsonPath(&agent.path),
        name: agent.display_name(),
        kind: agent.kind,
        format: agent.format,
        entry: agent.entry.as_deref(),
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
        role: round(s.role),
        shared_lines: round(s.shared_lines),
        boilerplate: round(s.boilerplate),
    }
}

/// Three decimals: enough to compare, short enough to read.
fn round(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{self, ScanOptions};
    use std::path::PathBuf;

    /// The hand-nested writing gives serde_json's own pretty output, byte for byte.
    fn assert_as_serde_writes(report: &Report) {
        for merged_files in [None, Some(vec!["x.md".to_owned(); report.clusters.len()])] {
            let view = view(report, merged_files.as_deref());
            let mut expected = serde_json::to_string_pretty(&view).unwrap();
            expected.push('\n');
            assert_eq!(render(&view), expected);
        }
    }

    #[test]
    fn clusters_rendered_apart_read_as_one_serialization() {
        let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let report = pipeline::scan(&[corpus], &ScanOptions::default()).unwrap();
        assert!(report.clusters.len() > 1);
        assert_as_serde_writes(&report);
    }

    #[test]
    fn an_empty_report_reads_as_one_serialization() {
        let dir = std::env::temp_dir().join(format!("agent-dedup-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let report = pipeline::scan(std::slice::from_ref(&dir), &ScanOptions::default()).unwrap();
        assert!(report.clusters.is_empty());
        assert_as_serde_writes(&report);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
