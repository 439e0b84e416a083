//! One reader per syntax, behind one trait: Claude-style Markdown with YAML frontmatter, TOML
//! (Codex agents, Gemini CLI commands), JSON (Kiro agents), CrewAI `agents.yaml`. Each maps its
//! format's fields onto the common model: `name`, `description`, `tools`, `model` in the
//! frontmatter mapping, the instructions in the body; every other key is kept as it was.

mod crewai;
mod json;
mod markdown;
mod toml;

use super::format::{Detected, Syntax};
use crate::model::{AgentFile, Frontmatter};
use std::path::{Path, PathBuf};

pub use markdown::markdown_body;

/// Where a file lies and what its path says about it.
pub struct Source<'a> {
    pub path: &'a Path,
    pub detected: Detected,
    /// Canonical folders a reference from inside the file (a Kiro `file://` prompt) may point
    /// into: the folders scanned. Nothing outside them is read.
    pub roots: &'a [PathBuf],
}

/// Reads the definitions one file holds, and writes one back in the same syntax.
pub trait Reader: Sync {
    /// Every definition in `bytes` (most formats hold one; a CrewAI file one per key), or why none
    /// could be read.
    fn read(&self, source: &Source, bytes: &[u8]) -> Result<Vec<AgentFile>, String>;

    /// A definition shaped like `like` (its format and, for CrewAI, its key), with this
    /// frontmatter and body, as its file would hold it: the common model mapped back.
    fn write(&self, like: &AgentFile, frontmatter: &Frontmatter, body: &str) -> String;
}

/// A merged definition written in the representative's own format.
pub fn write_like(like: &AgentFile, frontmatter: &Frontmatter, body: &str) -> String {
    reader_for(super::format::detect(&like.path).syntax).write(like, frontmatter, body)
}

/// The reader for a syntax.
pub fn reader_for(syntax: Syntax) -> &'static dyn Reader {
    match syntax {
        Syntax::Markdown => &markdown::MarkdownReader,
        Syntax::Toml => &toml::TomlReader,
        Syntax::Json => &json::JsonReader,
        Syntax::CrewAiYaml => &crewai::CrewAiReader,
    }
}
