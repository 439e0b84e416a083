//! The domain types every stage shares: what was read, what was scored, what was grouped and merged.
//!
//! Stages pass these along; none of them does I/O. Paths are kept exactly as the user gave them
//! (relative stays relative), because they are printed back in every report.

use serde::Serialize;
use serde_yaml::{Mapping, Value};
use std::fmt;
use std::path::PathBuf;

/// What a file defines: a subagent, an Agent Skill, a slash command (or prompt file) or a rule
/// (Cursor rules, Kiro steering). Files of different kinds are never clustered together.
/// Instruction files (`AGENTS.md`, `CLAUDE.md`, `GEMINI.md`) are not read at all: they are skipped
/// with that reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Agent,
    Skill,
    Command,
    Rule,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Agent => "agent",
            Kind::Skill => "skill",
            Kind::Command => "command",
            Kind::Rule => "rule",
        })
    }
}

/// Which tool's dialect a file is written in, from where it lies and what it holds. It decides how
/// the file is read (Markdown with frontmatter, TOML, JSON, CrewAI YAML), which rules its warnings
/// follow, how it is named, and in which dialect a merge of it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Claude Code (`.claude/agents`, plugins, `SKILL.md`, `.claude/commands`), and any Markdown
    /// agent outside another tool's folder.
    ClaudeCode,
    /// GitHub Copilot custom agents (`*.agent.md`), VS Code chat modes and prompt files.
    Copilot,
    #[serde(rename = "opencode")]
    OpenCode,
    /// Gemini CLI: Markdown subagents and TOML commands.
    Gemini,
    /// Cursor agents, commands and `.mdc` rules.
    Cursor,
    Qwen,
    /// Factory droids.
    Factory,
    /// Kiro: JSON agents and Markdown steering files.
    Kiro,
    /// Codex agents in TOML.
    Codex,
    /// CrewAI `agents.yaml`, one agent per key.
    #[serde(rename = "crewai")]
    CrewAi,
    /// Claude-style Markdown in the agents folder of a tool not listed here (`.junie/agents`,
    /// `.kilo/agents`, …): read and judged as Claude Code's, loaded by nobody we know of.
    Markdown,
}

impl Format {
    /// The tool, in words, for messages and reports.
    pub fn tool_name(self) -> &'static str {
        match self {
            Format::ClaudeCode => "Claude Code",
            Format::Copilot => "GitHub Copilot",
            Format::OpenCode => "OpenCode",
            Format::Gemini => "Gemini CLI",
            Format::Cursor => "Cursor",
            Format::Qwen => "Qwen Code",
            Format::Factory => "Factory",
            Format::Kiro => "Kiro",
            Format::Codex => "Codex",
            Format::CrewAi => "CrewAI",
            Format::Markdown => "its tool",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::ClaudeCode => "claude-code",
            Format::Copilot => "copilot",
            Format::OpenCode => "opencode",
            Format::Gemini => "gemini",
            Format::Cursor => "cursor",
            Format::Qwen => "qwen",
            Format::Factory => "factory",
            Format::Kiro => "kiro",
            Format::Codex => "codex",
            Format::CrewAi => "crewai",
            Format::Markdown => "markdown",
        })
    }
}

/// Something the reader noticed, repaired or worked around in one file. Shown per file in every
/// report so that no repair happens silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    BomRemoved,
    CrlfNormalized,
    InvalidUtf8Replaced {
        first_bad_byte: usize,
    },
    MojibakeRepaired {
        lines: usize,
    },
    LenientYaml {
        strict_error: String,
    },
    EscapedNewlinesExpanded {
        field: String,
    },
    /// A field the file's own tool needs; `consequence` says what that tool does without it.
    MissingField {
        field: &'static str,
        consequence: &'static str,
    },
    InvalidName {
        name: String,
        tool: &'static str,
    },
    UndocumentedValue {
        field: String,
        value: String,
    },
    DuplicateKey {
        key: String,
    },
    /// A prompt kept in another file (`file://…`) that was not read, and why.
    ReferenceNotRead {
        reference: String,
        why: String,
    },
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Diagnostic::*;
        match self {
            BomRemoved => write!(f, "UTF-8 byte order mark removed"),
            CrlfNormalized => write!(f, "CRLF line endings read as LF"),
            InvalidUtf8Replaced { first_bad_byte } => write!(
                f,
                "not valid UTF-8 (first bad byte at offset {first_bad_byte}); bad bytes replaced with U+FFFD"
            ),
            MojibakeRepaired { lines } => write!(
                f,
                "mojibake repaired on {lines} line(s): UTF-8 that had been decoded as Mac Roman"
            ),
            LenientYaml { strict_error } => write!(
                f,
                "frontmatter is not strict YAML ({strict_error}); read line by line as `key: value`"
            ),
            EscapedNewlinesExpanded { field } => {
                write!(f, "literal \\n escapes in `{field}` read as line breaks")
            }
            MissingField { field, consequence } => write!(f, "no `{field}`: {consequence}"),
            InvalidName { name, tool } => write!(
                f,
                "name `{name}` is not lowercase letters, digits and hyphens as {tool} expects"
            ),
            UndocumentedValue { field, value } => write!(
                f,
                "`{field}: {value}` is not a documented Claude Code value (kept as is)"
            ),
            DuplicateKey { key } => write!(f, "key `{key}` appears more than once; the last one is used"),
            ReferenceNotRead { reference, why } => {
                write!(f, "prompt `{reference}` not read: {why}; compared without it")
            }
        }
    }
}

impl Diagnostic {
    /// A short label of what kind of repair or warning this is, for summaries that group them.
    pub fn kind(&self) -> &'static str {
        use Diagnostic::*;
        match self {
            BomRemoved => "byte order mark removed",
            CrlfNormalized => "CRLF line endings",
            InvalidUtf8Replaced { .. } => "invalid UTF-8 replaced",
            MojibakeRepaired { .. } => "mojibake repaired",
            LenientYaml { .. } => "frontmatter not strict YAML",
            EscapedNewlinesExpanded { .. } => "literal \\n escapes expanded",
            MissingField { .. } => "missing field",
            InvalidName { .. } => "name not lowercase-hyphenated",
            UndocumentedValue { .. } => "undocumented value",
            DuplicateKey { .. } => "duplicate key",
            ReferenceNotRead { .. } => "prompt file not read",
        }
    }
}

/// The YAML frontmatter of one file, in the order its keys were written. Unknown keys are kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frontmatter {
    pub entries: Mapping,
}

impl Frontmatter {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key)
    }

    /// A scalar field as text (numbers and booleans are written out); `None` when absent or not a scalar.
    pub fn text(&self, key: &str) -> Option<String> {
        scalar_text(self.get(key)?)
    }

    pub fn name(&self) -> Option<String> {
        self.text("name").filter(|s| !s.trim().is_empty())
    }

    pub fn description(&self) -> Option<String> {
        self.text("description").filter(|s| !s.trim().is_empty())
    }

    /// `tools`, as a comma-separated string or a YAML list. `None` means the key is absent, which in
    /// Claude Code means the agent inherits every tool.
    pub fn tools(&self) -> Option<Vec<String>> {
        let items: Vec<String> = match self.get("tools")? {
            Value::Sequence(seq) => seq.iter().filter_map(scalar_text).collect(),
            other => scalar_text(other)?.split(',').map(str::to_owned).collect(),
        };
        Some(
            items
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        )
    }
}

pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One agent or skill file, read and repaired.
#[derive(Debug, Clone)]
pub struct AgentFile {
    /// As the user gave it: relative stays relative.
    pub path: PathBuf,
    pub kind: Kind,
    pub format: Format,
    /// For a file holding several agents (CrewAI `agents.yaml`), the key of this one.
    pub entry: Option<String>,
    pub frontmatter: Frontmatter,
    /// The Markdown body after the frontmatter: the system prompt.
    pub body: String,
    pub diagnostics: Vec<Diagnostic>,
    /// SHA-256 of the file's bytes as read, so a later step can tell whether it changed since.
    pub content_hash: String,
    /// The file that was read, where the system tells: a later read must find the same one.
    pub file_id: Option<FileId>,
}

/// Which file on disk a path led to when it was read (device and inode, on Unix). A path that
/// leads to another file later (replaced, or made a link) is caught by it before a byte is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    pub device: u64,
    pub inode: u64,
}

impl FileId {
    pub fn of(meta: &std::fs::Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                device: meta.dev(),
                inode: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }
}

impl AgentFile {
    /// The name the file's tool knows it by: the `name` field for most agents (the file stem when it
    /// is missing), the path or file name where the tool names it so (commands, OpenCode agents,
    /// Copilot agents, chat modes and prompt files, rules), the key for a CrewAI agent.
    pub fn display_name(&self) -> String {
        if let Some(entry) = &self.entry {
            return entry.clone();
        }
        if let Some(id) = crate::parse::format::path_identity(&self.path, self.format, self.kind) {
            return id;
        }
        self.frontmatter.name().unwrap_or_else(|| {
            let stem = if self.kind == Kind::Skill {
                self.path.parent().and_then(|p| p.file_name())
            } else {
                self.path.file_stem()
            };
            stem.map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }
}

/// A file that was found but could not be used, and why. Never dropped silently.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skipped {
    /// Written lossily in reports: a name that is not UTF-8 is skipped for that reason, and still
    /// listed (its bad bytes shown as U+FFFD).
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    pub reason: String,
}

fn lossy_path<S: serde::Serializer>(path: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&path.display())
}

/// How similar two agents are, part by part. Every part is in 0..=1.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct ScoreBreakdown {
    /// Role words in the names (plugin prefixes and words like `expert` or `pro` count little).
    pub name: f32,
    /// The description's prose, `<example>` blocks left out.
    pub description: f32,
    /// The body's distinctive wording, with library-wide boilerplate left out.
    pub body: f32,
    /// The roles the two declare in their body's title, identity sentence (`You are a …`) and
    /// description's first clause (see `role`).
    #[serde(default)]
    pub role: f32,
    /// Share of content lines the two bodies have in common (boilerplate left out): high for copies.
    pub shared_lines: f32,
    /// Share of each body's lines that were discounted as library-wide boilerplate (the mean of the two).
    pub boilerplate: f32,
    /// The weighted total the clustering uses.
    pub total: f32,
    /// Which parts had evidence on both sides and so counted in the total: a part one agent lacks
    /// (no role words in its name, no description, a body all boilerplate) neither votes for nor
    /// against the pair, and the total is weighed over the others.
    pub counted: Counted,
    /// Set when the two are siblings of one collection whose names each name a subject the other
    /// does not: their text was discounted (see `score::SIBLING_DISCOUNT`).
    #[serde(default)]
    pub siblings: bool,
    /// Set when one name leads with a subject or holds a facet the other agent never mentions
    /// (`go-performance-optimizer` / `performance-optimizer`): their text was discounted (see
    /// `score::SUBJECT_DISCOUNT` and `subjects`).
    #[serde(default)]
    pub different_subjects: bool,
}

/// The parts of a [`ScoreBreakdown`] that counted in its total.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counted {
    pub name: bool,
    pub description: bool,
    pub body: bool,
    pub role: bool,
}

impl Default for Counted {
    fn default() -> Self {
        Counted {
            name: true,
            description: true,
            body: true,
            role: true,
        }
    }
}

/// A scored pair, by index into the list of parsed agents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub a: usize,
    pub b: usize,
    pub score: ScoreBreakdown,
}

/// How close the members of a cluster are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Near-verbatim: one file copied around, perhaps with a renamed `name`.
    Copy,
    /// The same job, written differently.
    Variant,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Copy => "copy",
            Tier::Variant => "variant",
        })
    }
}

/// A group of agents that do the same job, by index into the list of parsed agents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub members: Vec<usize>,
    /// The member closest to all the others.
    pub representative: usize,
    pub tier: Tier,
    pub min_score: f32,
    pub max_score: f32,
    /// Words that are frequent in this cluster and rare in the library: why it holds together.
    pub shared_terms: Vec<String>,
    /// Groups of members that are near-verbatim copies of each other (two or more each). A
    /// `variant` cluster may hold copy groups; a `copy` cluster is one.
    pub copy_groups: Vec<Vec<usize>>,
    /// The scored pairs among the members, by (a, b); pairs too different to keep are absent.
    pub pairs: Vec<ScoredPair>,
}

/// Two or more different files under one name, where one tool would see both: it loads only one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NameCollision {
    pub name: String,
    pub paths: Vec<PathBuf>,
    /// For each tool that sees two or more of the files: which one it loads.
    pub loads: Vec<ToolLoad>,
}

/// What one tool loads among files of one name, by its documented precedence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ToolLoad {
    pub tool: String,
    /// The file it loads; `None` when the files tie and the tool's read order decides.
    pub loads: Option<PathBuf>,
    /// The files it sees under that name and does not load.
    pub shadowed: Vec<PathBuf>,
    pub why: String,
}

/// One agent kept for several tools: the same name (or file stem) and body in different tools'
/// folders. Each tool loads its own copy, so these are reported, never merged.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MirrorSet {
    pub name: String,
    pub kind: Kind,
    /// The tools (scopes) that hold a copy, sorted.
    pub tools: Vec<String>,
    pub paths: Vec<PathBuf>,
    /// The copies, by index into the list of parsed agents.
    #[serde(skip)]
    pub members: Vec<usize>,
}

/// One decision the merge took, said so that a person can check it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MergeDecision {
    pub field: String,
    pub chose: String,
    pub why: String,
    /// Values of other members that did not make it into the merged file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
}

/// A suggested consolidated definition for one cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedAgent {
    pub name: String,
    pub frontmatter: Frontmatter,
    pub body: String,
    pub decisions: Vec<MergeDecision>,
    /// The whole file as it would be written: `---`, strict YAML, `---`, body.
    pub text: String,
    /// A unified diff from each member (in member order) to the merged file.
    pub diffs: Vec<MemberDiff>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberDiff {
    pub path: PathBuf,
    pub unified: String,
}

/// One cluster as reported: who is in it, how they score, and the merge proposed for it.
#[derive(Debug, Clone)]
pub struct ClusterReport {
    /// Stable within one report: `c1`, `c2`, … by size, then by first path.
    pub id: String,
    pub cluster: Cluster,
    pub merged: MergedAgent,
}

/// The settings a scan ran with, echoed in reports so that a result can be reproduced.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Settings {
    pub threshold: f32,
    pub copy_threshold: f32,
    pub weight_name: f32,
    pub weight_description: f32,
    pub weight_body: f32,
    pub weight_role: f32,
}

/// Everything a scan found: the input of every exporter.
#[derive(Debug, Clone)]
pub struct Report {
    pub inputs: Vec<PathBuf>,
    /// Files seen (candidates found by the walk, plus entries it could not walk into).
    pub scanned: usize,
    pub agents: Vec<AgentFile>,
    pub skipped: Vec<Skipped>,
    pub clusters: Vec<ClusterReport>,
    pub name_collisions: Vec<NameCollision>,
    /// Agents kept for several tools at once (see [`MirrorSet`]).
    pub mirror_sets: Vec<MirrorSet>,
    /// Per tool, what listing its agents' names and descriptions costs, and what the
    /// consolidation saves.
    pub description_cost: Vec<crate::cost::ToolCost>,
    pub settings: Settings,
    /// How many distinct body blocks were discounted as boilerplate, and from how many files on.
    pub boilerplate_blocks: usize,
    pub boilerplate_threshold: usize,
    pub pairs_scored: usize,
    /// The findings a baseline of accepted findings covers (empty without one).
    pub accepted: crate::baseline::AcceptedFindings,
    /// Reference folders: read and compared against, never changed by `apply`.
    pub references: Vec<PathBuf>,
}

impl Report {
    pub fn agent_count(&self, kind: Kind) -> usize {
        self.agents.iter().filter(|a| a.kind == kind).count()
    }
}
