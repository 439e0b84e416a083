//! Parse: the bytes of one file → the definitions it holds ([`AgentFile`]s), leniently.
//!
//! Which tool's file it is, and what kind of definition, comes from its path ([`format`]); one
//! reader per syntax ([`readers`]) turns its bytes into the common model. What every format
//! shares has modules of its own: reading files safely ([`file`]), decoding and repairs
//! ([`decode`]), YAML with guards against blow-ups ([`yaml_guard`], [`flow_depth`]), the lenient
//! `key: value` reader for frontmatter that is not strict YAML ([`lenient`]), and the warnings
//! each tool's rules give ([`checks`]). Every repair becomes a [`Diagnostic`]; what cannot be
//! read at all comes back as a [`Skipped`] with the reason.

mod checks;
mod decode;
mod file;
mod flow_depth;
pub mod format;
mod frontmatter;
mod lenient;
pub mod readers;
mod yaml_guard;

pub use checks::is_valid_name;
pub use decode::repair_mojibake;
pub use file::{content_hash, file_type_name, read_file, read_file_bytes, MAX_FILE_BYTES};
pub use yaml_guard::{MAX_YAML_FLOW_DEPTH, YAML_VALUE_ALLOWANCE};

use crate::model::{AgentFile, Diagnostic, Format, Frontmatter, Kind, Skipped};
use format::Syntax;
use readers::{reader_for, Source};
use std::path::{Path, PathBuf};

/// Reads one file from disk and parses it: its first definition. I/O problems and unusable
/// content become a `Skipped` whose reason says what went wrong and, where there is something to
/// do, what to do. A `file://` reference in it may point into the file's own folder only; see
/// [`read_definitions`] for wider roots.
pub fn read_agent_file(path: &Path) -> Result<AgentFile, Skipped> {
    let roots = own_folder(path);
    first(path, read_definitions(path, &roots))
}

/// Every definition one file holds (a CrewAI `agents.yaml` holds several). A reference from
/// inside the file to another file is followed only into `roots` (canonical folders).
pub fn read_definitions(path: &Path, roots: &[PathBuf]) -> Result<Vec<AgentFile>, Skipped> {
    if let Some(reason) = format::not_a_definition(path) {
        return Err(skipped(path, reason));
    }
    let (bytes, file_id) = file::read_file(path)?;
    let mut agents = parse_definitions(path, &bytes, roots)?;
    for agent in &mut agents {
        agent.file_id = file_id;
    }
    Ok(agents)
}

/// Parses the bytes of one file, as [`read_definitions`] does. Pure but for a `file://` reference
/// (read only inside `roots`), so tests and fuzzers can call it directly.
pub fn parse_definitions(
    path: &Path,
    bytes: &[u8],
    roots: &[PathBuf],
) -> Result<Vec<AgentFile>, Skipped> {
    if let Some(reason) = format::not_a_definition(path) {
        return Err(skipped(path, reason));
    }
    let source = Source {
        path,
        detected: format::detect(path),
        roots,
    };
    let definitions = reader_for(source.detected.syntax)
        .read(&source, bytes)
        .map_err(|reason| skipped(path, reason))?;
    if definitions.is_empty() {
        return Err(skipped(path, "holds no agent definition".to_owned()));
    }
    Ok(definitions)
}

/// Parses the bytes of one file: its first definition. Pure: no I/O, so tests and fuzzers can
/// call it directly.
pub fn parse_agent(path: &Path, bytes: &[u8]) -> Result<AgentFile, Skipped> {
    first(path, parse_definitions(path, bytes, &[]))
}

/// The body of `scanned` read from `bytes`, which are known to be the bytes it was read from:
/// for Markdown without reading the frontmatter again (the merge re-reads cluster members for
/// their bodies; strict YAML parsing is most of the cost of a full parse).
pub fn body_again(scanned: &AgentFile, bytes: &[u8]) -> Option<String> {
    if format::detect(&scanned.path).syntax == Syntax::Markdown {
        return readers::markdown_body(bytes);
    }
    let roots = own_folder(&scanned.path);
    let definitions = parse_definitions(&scanned.path, bytes, &roots).ok()?;
    definitions
        .into_iter()
        .find(|d| d.entry == scanned.entry)
        .map(|d| d.body)
}

/// The parts a reader found, before the checks every format shares.
pub(crate) struct Parts {
    /// The format and kind, when the content decided them rather than the path.
    pub decided: Option<(Format, Kind)>,
    pub entry: Option<String>,
    pub frontmatter: Frontmatter,
    pub body: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A definition from what a reader found: its format and kind settled, its warnings judged by its
/// own tool's rules. `present` answers for fields the format keeps outside the mapping.
pub(crate) fn definition(
    source: &Source,
    parts: Parts,
    bytes: &[u8],
    present: &dyn Fn(&str) -> bool,
) -> AgentFile {
    let (format, kind) = parts.decided.unwrap_or((
        source.detected.format,
        source.detected.kind.unwrap_or(Kind::Agent),
    ));
    let mut diagnostics = parts.diagnostics;
    checks::check_fields(format, kind, &parts.frontmatter, present, &mut diagnostics);
    AgentFile {
        path: source.path.to_owned(),
        kind,
        format,
        entry: parts.entry,
        frontmatter: parts.frontmatter,
        body: parts.body,
        diagnostics,
        content_hash: content_hash(bytes),
        file_id: None,
    }
}

fn first(path: &Path, all: Result<Vec<AgentFile>, Skipped>) -> Result<AgentFile, Skipped> {
    all?.into_iter()
        .next()
        .ok_or_else(|| skipped(path, "holds no agent definition".to_owned()))
}

fn skipped(path: &Path, reason: String) -> Skipped {
    Skipped {
        path: path.to_owned(),
        reason,
    }
}

/// The canonical folder a file lies in, as the only root its references may point into.
fn own_folder(path: &Path) -> Vec<PathBuf> {
    path.parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .and_then(|p| std::fs::canonicalize(p).ok())
        .into_iter()
        .collect()
}
