//! Report: a [`Report`] → text for people, JSON for tools, Markdown and HTML for consolidation
//! reports.
//!
//! One exporter per format behind one trait, and [`write_out_dir`] for `--out`.

mod explain;
mod html;
mod json;
mod markdown;
mod sarif;
mod text;

pub use explain::{explanation_json, explanation_text};

pub use html::{description_tokens, HtmlExporter};
pub use json::JsonExporter;
pub use markdown::MarkdownExporter;
pub use sarif::SarifExporter;
pub use text::TextExporter;

use crate::model::{ClusterReport, NameCollision, Report};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Turns a report into one output format.
pub trait Exporter {
    fn export(&self, report: &Report) -> String;

    /// Writes [`Exporter::export`]'s text to `out`. A format whose reports grow large writes them
    /// as it goes instead, without holding the whole text in memory first.
    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.export(report).as_bytes())
    }
}

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable summary for the terminal.
    Text,
    /// Machine-readable, with a stable contract (`version: 1`).
    Json,
    /// A consolidation report to read and commit.
    Markdown,
    /// One self-contained page to read in a browser (no script, no network).
    Html,
    /// SARIF 2.1.0, for code scanning (each cluster and name collision a result).
    Sarif,
}

pub fn exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Text => Box::new(TextExporter::default()),
        Format::Json => Box::new(JsonExporter),
        Format::Markdown => Box::new(MarkdownExporter),
        Format::Html => Box::new(HtmlExporter),
        Format::Sarif => Box::new(SarifExporter),
    }
}

/// The files `--out DIR` writes: per cluster `<merged-name>.md` and `<merged-name>.diff`, plus
/// `report.md`, `report.html` and `report.json`. Merged names are sanitized (`[a-z0-9-]`), so every path stays
/// inside `dir`; two clusters with one name get `-2`, `-3`, ….
pub fn out_files(report: &Report, dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let names = merged_file_stems(report);
    for (cluster, name) in report.clusters.iter().zip(&names) {
        let diffs: String = cluster
            .merged
            .diffs
            .iter()
            .map(|d| d.unified.as_str())
            .collect();
        let file = format!("{name}.{}", merged_extension(report, cluster));
        files.push((dir.join(file), cluster.merged.text.clone()));
        files.push((dir.join(format!("{name}.diff")), diffs));
    }
    files.push((
        dir.join("report.md"),
        markdown::export_linking_files(report, &names),
    ));
    files.push((dir.join("report.html"), HtmlExporter.export(report)));
    files.push((dir.join("report.json"), out_json(report)));
    files
}

/// The JSON report as `--out` writes it (and prints it, with `--format json`): each cluster also
/// names its `merged_file`, the merged definition written next to report.json.
pub fn out_json(report: &Report) -> String {
    json::export_with_merged_files(report, &merged_file_names(report))
}

/// [`out_json`], written to `out` as it is made.
pub fn write_out_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    json::write_with_merged_files(report, &merged_file_names(report), out)
}

fn merged_file_names(report: &Report) -> Vec<String> {
    merged_file_stems(report)
        .iter()
        .zip(&report.clusters)
        .map(|(n, c)| format!("{n}.{}", merged_extension(report, c)))
        .collect()
}

/// The extension of a cluster's merged file: the merged definition is written in the
/// representative's own format, and named so (`.toml` for a Codex agent, `.json` for a Kiro agent,
/// `.yaml` for a CrewAI entry, `.md` for the Markdown formats).
pub fn merged_extension(report: &Report, cluster: &ClusterReport) -> &'static str {
    use crate::parse::format::{detect, Syntax};
    match detect(&report.agents[cluster.cluster.representative].path).syntax {
        Syntax::Markdown => "md",
        Syntax::Toml => "toml",
        Syntax::Json => "json",
        Syntax::CrewAiYaml => "yaml",
    }
}

/// The file name (without `.md` / `.diff`) `--out` uses for each cluster, in cluster order; report.json
/// records them as `merged_file`, so `apply` finds the file the user may have edited.
/// Names are sanitized (`[a-z0-9-]`), kept short, never a Windows device name (`con`, `nul`, `com1`,
/// … get `-agent`), never `report`; two clusters with one name get `-2`, `-3`, ….
pub fn merged_file_stems(report: &Report) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    for cluster in &report.clusters {
        let base = safe_file_stem(&cluster.merged.name);
        let mut name = base.clone();
        let mut n = 1;
        while used.contains(&name) || name == "report" {
            n += 1;
            name = format!("{base}-{n}");
        }
        used.push(name);
    }
    used
}

/// A name made safe as a file name on every platform: [`crate::merge::sanitize_name`], at most 100
/// characters, and `-agent` after a Windows device name.
pub fn safe_file_stem(name: &str) -> String {
    let mut stem = crate::merge::sanitize_name(name);
    if stem.len() > 100 {
        stem.truncate(100);
        stem = stem.trim_end_matches('-').to_owned();
    }
    const DEVICES: [&str; 4] = ["con", "prn", "aux", "nul"];
    let is_device = DEVICES.contains(&stem.as_str())
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && matches!(stem.as_bytes()[3], b'1'..=b'9'));
    if is_device {
        stem.push_str("-agent");
    }
    stem
}

/// Writes the `--out` files (see [`crate::outdir`]): all or nothing, never through a link, never
/// over one of the files named in the report's inputs. Existing files are left alone unless `force`:
/// then nothing is written.
pub fn write_out_dir(report: &Report, dir: &Path, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let files = out_files(report, dir);
    crate::outdir::write_files(dir, &files, force, &report.inputs)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Which file each tool that sees a name collision loads, in one sentence: `Claude Code loads
/// a.md (project over user); Cursor: its read order decides`.
pub fn loads_summary(c: &NameCollision) -> String {
    c.loads
        .iter()
        .map(|l| match &l.loads {
            Some(path) => format!("{} loads {} ({})", l.tool, path.display(), l.why),
            None => format!("{}: {}", l.tool, l.why),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
