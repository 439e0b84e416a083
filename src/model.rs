//! The domain types every stage shares: what was read, what was scored, what was grouped and merged.
//!
//! Stages pass these along; none of them does I/O. Paths are kept exactly as the user gave them
//! (relative stays relative), because they are printed back in every report.

use serde::Serialize;
use serde_yaml::{Mapping, Value};
use std::fmt;
use std::path::PathBuf;

/// Whether a file defines a subagent or an Agent Skill. The two are never clustered together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Agent,
    Skill,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Agent => "agent",
            Kind::Skill => "skill",
        })
    }
}

/// Something the reader noticed, repaired or worked around in one file. Shown per file in every
/// report so that no repair happens silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    BomRemoved,
    CrlfNormalized,
    InvalidUtf8Replaced { first_bad_byte: usize },
    MojibakeRepaired { lines: usize },
    LenientYaml { strict_error: String },
    EscapedNewlinesExpanded { field: String },
    MissingField { field: &'static str },
    InvalidName { name: String },
    UndocumentedValue { field: String, value: String },
    DuplicateKey { key: String },
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
            MissingField { field } => write!(
                f,
                "no `{field}` in the frontmatter: Claude Code skips this file without a word"
            ),
            InvalidName { name } => write!(
                f,
                "name `{name}` is not lowercase letters, digits and hyphens as Claude Code expects"
            ),
            UndocumentedValue { field, value } => write!(
                f,
                "`{field}: {value}` is not a documented Claude Code value (kept as is)"
            ),
            DuplicateKey { key } => write!(f, "key `{key}` appears more than once; the last one is used"),
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
    pub frontmatter: Frontmatter,
    /// The Markdown body after the frontmatter: the system prompt.
    pub body: String,
    pub diagnostics: Vec<Diagnostic>,
    /// SHA-256 of the file's bytes as read, so a later step can tell whether it changed since.
    pub content_hash: String,
}

impl AgentFile {
    /// The name Claude Code would load this agent under, or the file stem when `name` is missing.
    pub fn display_name(&self) -> String {
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
    pub path: PathBuf,
    pub reason: String,
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
    /// Share of content lines the two bodies have in common (boilerplate left out): high for copies.
    pub shared_lines: f32,
    /// Share of each body's lines that were discounted as library-wide boilerplate (the mean of the two).
    pub boilerplate: f32,
    /// The weighted total the clustering uses.
    pub total: f32,
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

/// Two or more different files declaring one `name`: Claude Code loads only one of them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NameCollision {
    pub name: String,
    pub paths: Vec<PathBuf>,
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
