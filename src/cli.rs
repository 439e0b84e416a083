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
1 new duplicates or collisions found with --fail-on-duplicates / --fail-on-collisions, a cluster apply refused, or a file undo could not restore; \
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
    /// Record findings of a report as accepted ("not duplicates", "intended collision") in the
    /// baseline, so later scans report them apart and --fail-on-* ignore them.
    Accept(AcceptArgs),
    /// Print a shell completion script (for example: `agent-dedup completions bash >
    /// ~/.local/share/bash-completion/completions/agent-dedup`).
    Completions(CompletionsArgs),
    /// Print the manual page, in roff (for example: `agent-dedup man > agent-dedup.1; man ./agent-dedup.1`).
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Writes the completion script for `shell`, generated from the command-line definition.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "agent-dedup", out);
}

/// Writes the manual page (roff), generated from the command-line definition, with a section per
/// subcommand.
pub fn write_man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = <Cli as clap::CommandFactory>::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        writeln!(
            out,
            ".SH \"{}\"",
            format!("agent-dedup {name}").to_uppercase()
        )?;
        let page = clap_mangen::Man::new(sub.clone().bin_name(format!("agent-dedup {name}")));
        page.render_synopsis_section(&mut SkipHeading(out))?;
        page.render_description_section(&mut SkipHeading(out))?;
        page.render_options_section(&mut SkipHeading(out))?;
    }
    man.render_version_section(out)?;
    man.render_authors_section(out)
}

/// Passes roff through, turning each subcommand's section headings (`.SH`) into subsections
/// (`.SS`), so that they nest under the subcommand's own section.
struct SkipHeading<'a>(&'a mut dyn std::io::Write);

impl std::io::Write for SkipHeading<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf).replace(".SH ", ".SS ");
        self.0.write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Settings shared by every command that reads a library.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Output format: text for people, json for tools, markdown or html for a consolidation report.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// Agents join a cluster while their mean score to its members is at least this (0 to 1).
    /// Lower finds more, looser duplicates; higher only close ones.
    /// [default: 0.33, or `threshold` in .agent-dedup.toml]
    #[arg(long, value_parser = unit_interval)]
    pub threshold: Option<f32>,

    /// Leave out files matching this glob (as given, or relative to the folder scanned; `*`
    /// crosses folders). Repeat for several; added to `exclude` in .agent-dedup.toml.
    #[arg(long, value_name = "GLOB", value_parser = glob)]
    pub exclude: Vec<String>,

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

    /// List every skipped file and every repair or warning in the text report (by default they
    /// are grouped by kind, with counts and a few examples).
    #[arg(long, short)]
    pub verbose: bool,

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

    /// Weight of the roles the agents declare (body title, `You are a …` sentence, description's
    /// first clause) in a pair's score.
    #[arg(long, default_value_t = Weights::default().role, value_parser = unit_interval, hide_short_help = true)]
    pub weight_role: f32,
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
    /// Folders (searched recursively for *.md, and the TOML, JSON and YAML agent files of the
    /// tools that use them) and files to scan.
    #[arg(required_unless_present = "installed")]
    pub paths: Vec<PathBuf>,

    /// Also scan the standard places of this machine and project: ./.claude/agents,
    /// ~/.claude/agents, installed plugins (~/.claude/plugins), skills, the other tools'
    /// agent folders, and the commands folders of Claude Code, Gemini CLI, Cursor and Copilot
    /// (prompt files) present here and in $HOME. The collisions then say what loads and what is
    /// shadowed.
    #[arg(long)]
    pub installed: bool,

    /// Write merged definitions, diffs, report.md, report.html and report.json into this folder,
    /// which must lie outside the scanned folders (later scans skip it). Without it nothing is
    /// written.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Let --out replace files that already exist there.
    #[arg(long, requires = "out")]
    pub force: bool,

    /// Exit with code 1 when any cluster of duplicates is found that the baseline does not
    /// accept (for CI).
    #[arg(long)]
    pub fail_on_duplicates: bool,

    /// Exit with code 1 when any name collision is found that the baseline does not accept.
    #[arg(long)]
    pub fail_on_collisions: bool,

    /// The configuration file. Default: the nearest .agent-dedup.toml in the first folder scanned
    /// or its parents.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The baseline of accepted findings. Default: `baseline` in the configuration, else the
    /// nearest .agent-dedup-baseline.json in the first folder scanned or its parents.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

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
    /// keeping their paths relative to the scanned folder. It must lie outside the scanned folders
    /// (later scans skip it); undo then needs it named again with its own --archive.
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

    /// The folder apply may change files in: every folder the report says was scanned must lie
    /// inside it. Default: the current folder. The report itself can never widen it.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The journal apply wrote: .agent-dedup/journal-<timestamp>.jsonl in the scanned folder. Undo
    /// puts files back only inside the folder holding that .agent-dedup folder.
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,

    /// Print what would be put back, and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Also put originals back over files changed since the apply (those changes are lost).
    #[arg(long)]
    pub force: bool,

    /// The archive apply moved the originals to, when it was given `--archive` outside the
    /// scanned folder: undo takes an archive outside the folder holding the journal only from here.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("findings").required(true).multiple(true).args(["clusters", "collisions"])))]
pub struct AcceptArgs {
    /// Ids of clusters (c1, c2, … in the report) whose files are not duplicates.
    #[arg(value_name = "CLUSTER_ID")]
    pub clusters: Vec<String>,

    /// A name collision that is intended (the name the files share). Repeat for several.
    #[arg(long = "collision", value_name = "NAME")]
    pub collisions: Vec<String>,

    /// The JSON report the ids come from (`scan --format json`, or report.json of `--out`). Run
    /// accept from the folder scan ran in: the report's paths are as you gave them.
    #[arg(long, value_name = "REPORT.json")]
    pub report: PathBuf,

    /// The baseline file to add to (created when missing).
    #[arg(long, value_name = "FILE", default_value = crate::baseline::BASELINE_FILE)]
    pub baseline: PathBuf,

    /// Why: kept in the baseline for the next reader.
    #[arg(long)]
    pub reason: Option<String>,
}

fn glob(s: &str) -> Result<String, String> {
    crate::config::exclude_set(&[s.to_owned()]).map(|_| s.to_owned())
}

fn unit_interval(s: &str) -> Result<f32, String> {
    let x: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{x} is outside 0 to 1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The threshold's default is written in its help by hand (it can also come from the config
    /// file, so clap does not know it); the help must say the default the scan really uses.
    #[test]
    fn threshold_help_names_the_default_the_scan_uses() {
        let mut cli = Cli::command();
        let scan = cli.find_subcommand_mut("scan").expect("scan subcommand");
        let help = scan.render_long_help().to_string();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let default = crate::cluster::ClusterOptions::default().threshold;
        assert!(
            help.contains(&format!("[default: {default}, or `threshold`")),
            "scan --help does not name the default threshold {default}:\n{help}"
        );
    }
}
