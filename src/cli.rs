//! The command line, as clap reads it. Every flag is documented where it is defined.

use crate::report::Format;
use crate::score::Weights;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "agent-dedup",
    version,
    about = "Find near-duplicate AI agent definitions, explain why they match, and propose merged definitions.",
    long_about = "Find near-duplicate AI agent definitions (Claude Code subagents: Markdown with YAML \
frontmatter), explain why they match, and propose merged definitions with a diff from each original.\n\n\
Read-only unless --out is given, or you run apply (undone with undo). Exit codes: 0 success; \
1 duplicates found with --fail-on-duplicates, a cluster apply refused, or a file undo could not restore; \
2 usage error or unreadable input."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan folders or files for duplicated agents: what is duplicated, and why.
    Scan(ScanArgs),
    /// Merge an explicit set of agent files into one suggested definition.
    Merge(MergeArgs),
    /// Explain why two agents match (or do not): the parts of their score.
    Explain(ExplainArgs),
    /// Measure clustering and merge quality against a labelled folder.
    Eval(EvalArgs),
    /// Carry out a scan's consolidation: write each merged definition over its representative and
    /// archive (or delete) the other members. Journaled, so `undo` can put everything back.
    Apply(ApplyArgs),
    /// Put back, byte for byte, every file an `apply` run changed, from its journal.
    Undo(UndoArgs),
}

/// Settings shared by every command that reads a library.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Output format: text for people, json for tools, markdown for a consolidation report.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// Agents join a cluster while their mean score to its members is at least this (0 to 1).
    /// Lower finds more, looser duplicates; higher only close ones.
    #[arg(long, default_value_t = crate::cluster::ClusterOptions::default().threshold, value_parser = unit_interval)]
    pub threshold: f32,

    /// Also read files that .gitignore, .ignore and similar files exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// Score every pair of agents, however large the library. By default libraries of more than
    /// 500 agents are scored only on the pairs an inverted index of distinctive terms proposes.
    #[arg(long)]
    pub exhaustive: bool,

    /// Use the inverted index whatever the library's size (for comparing the two paths).
    #[arg(long, conflicts_with = "exhaustive", hide = true)]
    pub indexed: bool,

    /// No progress bars (they are drawn on stderr, and only when it is a terminal).
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the wall time of each phase (read, featurize, candidates, score, cluster, merge,
    /// report) on stderr when it ends, with the memory in use (on Linux): for finding where a slow
    /// scan spends its time and memory.
    #[arg(long, hide_short_help = true)]
    pub timings: bool,

    /// Weight of the names in a pair's score (relative to the other weights).
    #[arg(long, default_value_t = Weights::default().name, value_parser = unit_interval, hide_short_help = true)]
    pub weight_name: f32,

    /// Weight of the descriptions in a pair's score.
    #[arg(long, default_value_t = Weights::default().description, value_parser = unit_interval, hide_short_help = true)]
    pub weight_description: f32,

    /// Weight of the bodies in a pair's score.
    #[arg(long, default_value_t = Weights::default().body, value_parser = unit_interval, hide_short_help = true)]
    pub weight_body: f32,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The labelled folder: label paths are relative to it.
    pub dir: PathBuf,

    /// `path<TAB>role` lines, one per file (a `path<TAB>role` header line is allowed).
    #[arg(long, value_name = "FILE")]
    pub labels: PathBuf,

    /// `role_a<TAB>role_b` lines: pairs of roles where either answer is fine.
    #[arg(long, value_name = "FILE")]
    pub related: Option<PathBuf>,

    /// How many of the worst false merges and misses to list.
    #[arg(long, default_value_t = 10)]
    pub show: usize,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Folders (searched recursively for *.md) and files to scan.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Write merged definitions, diffs, report.md and report.json into this folder.
    /// Without it nothing is written.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Let --out replace files that already exist there.
    #[arg(long, requires = "out")]
    pub force: bool,

    /// Exit with code 1 when any cluster of duplicates is found (for CI).
    #[arg(long)]
    pub fail_on_duplicates: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The agent files to merge (two or more).
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,

    /// Also print a unified diff from each file to the merged definition.
    #[arg(long)]
    pub diff: bool,

    /// Write the merged definition, its diffs and the reports into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Let --out replace files that already exist there.
    #[arg(long, requires = "out")]
    pub force: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The first agent file.
    pub a: PathBuf,
    /// The second agent file.
    pub b: PathBuf,

    /// The library the two belong to: its agents set how rare each word is, what counts as
    /// boilerplate and which collection each agent is in, and it is clustered as `scan` would to
    /// say where the two end. Give the folder you scan, for the scan's verdict. Default: the
    /// folders holding the two files.
    #[arg(long, value_name = "DIR")]
    pub library: Vec<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The report to carry out: DIR/report.json written by `scan --out DIR` (the merged files next
    /// to it are used, with any edits you made), or the output of `scan --format json`. Run apply
    /// from the folder scan ran in: the report's paths are as you gave them.
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,

    /// Only this cluster (its id in the report, such as c2). Repeat for several; default: every
    /// cluster.
    #[arg(long = "cluster", value_name = "ID")]
    pub clusters: Vec<String>,

    /// Move the other members (and a copy of each representative's original) into this folder,
    /// keeping their paths relative to the scanned folder.
    /// Default: .agent-dedup/archive/<timestamp>/ in the scanned folder.
    #[arg(long, value_name = "DIR", conflicts_with = "delete")]
    pub archive: Option<PathBuf>,

    /// Delete the other members instead of archiving them. Originals are kept until every cluster
    /// is done, then removed: a finished run cannot be undone.
    #[arg(long)]
    pub delete: bool,

    /// Print every file operation apply would do, and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Replace files that already exist where the archive would put its copies.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The journal apply wrote: .agent-dedup/journal-<timestamp>.jsonl in the scanned folder.
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,

    /// Print what would be put back, and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Also put originals back over files changed since the apply (those changes are lost).
    #[arg(long)]
    pub force: bool,
}

fn unit_interval(s: &str) -> Result<f32, String> {
    let x: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{x} is outside 0 to 1"))
    }
}
