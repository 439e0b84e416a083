//! Which tool's file this is, and what it defines, from where it lies (and, for TOML, what it
//! holds). See the table in README.md; the facts are the tools' own documentation.
//!
//! A path is read component by component from the end: the nearest tool folder (`.claude`,
//! `.cursor`, `.github`, …) decides the tool, the folder below it the kind (`agents`, `commands`,
//! `rules`, `steering`, …). A Markdown file in no tool's folder is read as Claude Code's, as this
//! tool always did.

use crate::model::{Format, Kind};
use std::path::Path;

/// How a file's bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML frontmatter between `---` lines, then a Markdown body.
    Markdown,
    /// Codex agents, Gemini CLI commands.
    Toml,
    /// Kiro agents.
    Json,
    /// CrewAI `agents.yaml`: one agent per top-level key.
    CrewAiYaml,
}

/// What a path says about its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub format: Format,
    /// `None` where only the content can tell (a TOML file outside `.codex` and `.gemini`).
    pub kind: Option<Kind>,
    pub syntax: Syntax,
}

/// Instruction files: read by their tools as standing instructions for every session, not as an
/// agent one can call. Never compared with agents.
const INSTRUCTION_FILES: &[(&str, &str)] = &[
    ("AGENTS.md", "Codex, Amp and others"),
    ("CLAUDE.md", "Claude Code"),
    ("GEMINI.md", "Gemini CLI"),
];

/// Why a file is not read as a definition, when its name alone says so.
pub fn not_a_definition(path: &Path) -> Option<String> {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    if lower == "copilot-instructions.md" || lower.ends_with(".instructions.md") {
        return Some(format!(
            "instruction file: GitHub Copilot reads `{name}` as instructions for the files it \
             applies to, not as an agent; not compared with agents"
        ));
    }
    INSTRUCTION_FILES
        .iter()
        .find(|(f, _)| name.eq_ignore_ascii_case(f))
        .map(|(f, tools)| {
            format!(
                "instruction file: {tools} read `{f}` as standing instructions for every session, \
                 not as an agent; not compared with agents"
            )
        })
}

/// Whether a folder walk should read this file at all. Markdown anywhere (agents live in many
/// folders); TOML, JSON and YAML only where their tools keep agents and commands, so that a
/// project's `package.json` or `Cargo.toml` is not listed as skipped.
pub fn is_candidate(path: &Path) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    if name.ends_with(".md") || name.ends_with(".mdc") {
        return true;
    }
    if name == "agents.yaml" || name == "agents.yml" {
        return true;
    }
    match detect(path).syntax {
        Syntax::Toml => name.ends_with(".toml") && tool_folder(path).is_some(),
        Syntax::Json => name.ends_with(".json") && tool_folder(path).is_some(),
        _ => false,
    }
}

/// The format, kind and syntax a path implies.
pub fn detect(path: &Path) -> Detected {
    let name = file_name(path).to_ascii_lowercase();
    let folder = tool_folder(path);
    let sub = folder.as_ref().map(|f| f.sub.as_str()).unwrap_or("");
    let tool = folder.as_ref().map(|f| f.tool.as_str()).unwrap_or("");
    let md = |format, kind| Detected {
        format,
        kind: Some(kind),
        syntax: Syntax::Markdown,
    };
    if name == "agents.yaml" || name == "agents.yml" {
        return Detected {
            format: Format::CrewAi,
            kind: Some(Kind::Agent),
            syntax: Syntax::CrewAiYaml,
        };
    }
    if name.ends_with(".toml") {
        let (format, kind) = match (tool, sub) {
            ("gemini", _) => (Format::Gemini, Some(Kind::Command)),
            ("codex", _) => (Format::Codex, Some(Kind::Agent)),
            _ => (Format::Codex, None),
        };
        return Detected {
            format,
            kind,
            syntax: Syntax::Toml,
        };
    }
    if name.ends_with(".json") {
        return Detected {
            format: Format::Kiro,
            kind: Some(Kind::Agent),
            syntax: Syntax::Json,
        };
    }
    if name == "skill.md" {
        return md(Format::ClaudeCode, Kind::Skill);
    }
    if name.ends_with(".mdc") {
        return md(Format::Cursor, Kind::Rule);
    }
    if name.ends_with(".agent.md") || name.ends_with(".chatmode.md") {
        return md(Format::Copilot, Kind::Agent);
    }
    if name.ends_with(".prompt.md") {
        return md(Format::Copilot, Kind::Command);
    }
    let kind = match sub {
        "commands" | "command" | "prompts" => Kind::Command,
        "rules" | "steering" => Kind::Rule,
        _ => Kind::Agent,
    };
    let format = match tool {
        "" | "claude" => Format::ClaudeCode,
        "github" => Format::Copilot,
        "opencode" => Format::OpenCode,
        "gemini" => Format::Gemini,
        "cursor" => Format::Cursor,
        "qwen" => Format::Qwen,
        "factory" => Format::Factory,
        "kiro" => Format::Kiro,
        "codex" => Format::Codex,
        _ => Format::Markdown,
    };
    // A plugin's `commands/` folder holds Claude Code commands, whatever folder it is in.
    let kind = if folder.is_none() && parent_is(path, "commands") {
        Kind::Command
    } else {
        kind
    };
    md(format, kind)
}

/// The nearest tool folder above a file: `.claude/agents/x.md` → tool `claude`, sub `agents`.
struct ToolFolder {
    tool: String,
    sub: String,
    /// How many components of the path lie above the sub-folder's contents.
    depth: usize,
}

/// Folders below a tool folder that hold definitions.
const DEFINITION_FOLDERS: &[&str] = &[
    "agents",
    "agent",
    "droids",
    "commands",
    "command",
    "prompts",
    "chatmodes",
    "rules",
    "steering",
];

fn tool_folder(path: &Path) -> Option<ToolFolder> {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .collect();
    // The nearest `.<tool>/<definitions>` pair above the file (the file itself excluded).
    (0..parts.len().saturating_sub(2)).rev().find_map(|i| {
        // OpenCode's user folder is `~/.config/opencode/agents`.
        let config_dir = i > 0 && parts[i - 1] == ".config" && parts[i] == "opencode";
        let tool = if config_dir {
            "opencode"
        } else {
            parts[i].strip_prefix('.')?
        };
        let sub = &parts[i + 1];
        let known = DEFINITION_FOLDERS.contains(&sub.as_str());
        (known && !tool.is_empty() && tool != "." && tool != "agent-dedup").then(|| ToolFolder {
            tool: tool.to_owned(),
            sub: sub.clone(),
            depth: i + 2,
        })
    })
}

fn parent_is(path: &Path, folder: &str) -> bool {
    path.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n.eq_ignore_ascii_case(folder))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The tool folder a file belongs to, as a scope: files in one scope are loaded by one tool
/// (`.claude` of a project, `.cursor`, …). Clusters never span two scopes and mirror sets are
/// copies across them. Every Claude Code file (project, user, plugins, loose folders) is one
/// scope, because Claude Code loads them all together.
pub fn scope(path: &Path, format: Format) -> String {
    match format {
        Format::ClaudeCode => "claude-code".to_owned(),
        Format::Markdown => tool_folder(path)
            .map(|f| f.tool)
            .unwrap_or_else(|| "markdown".to_owned()),
        other => other.to_string(),
    }
}

/// The name a tool knows a file by when that is its path or file name rather than its `name`
/// field: Copilot agents, chat modes and prompt files (file name without the suffix), OpenCode
/// agents (path below the agents folder), commands (`a/b.md` is `/a:b`), rules (file name).
/// `None` where the `name` field names it.
pub fn path_identity(path: &Path, format: Format, kind: Kind) -> Option<String> {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    for suffix in [".agent.md", ".chatmode.md", ".prompt.md"] {
        if lower.ends_with(suffix) && format == Format::Copilot {
            return Some(name[..name.len() - suffix.len()].to_owned());
        }
    }
    let by_path = matches!(kind, Kind::Command | Kind::Rule)
        || (format == Format::OpenCode && kind == Kind::Agent)
        || (format == Format::Copilot && kind == Kind::Agent);
    if !by_path {
        return None;
    }
    Some(relative_id(path, kind))
}

/// `a/b.md` below the definitions folder, as a command or OpenCode id: `a:b` for commands, `a/b`
/// for agents; the extension dropped.
fn relative_id(path: &Path, kind: Kind) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let start = match tool_folder(path) {
        Some(folder) => folder.depth,
        None => parts.len().saturating_sub(1),
    };
    let mut rest: Vec<String> = parts[start.min(parts.len().saturating_sub(1))..].to_vec();
    if let Some(last) = rest.last_mut() {
        let stem = match last.rfind('.') {
            Some(dot) if dot > 0 => last[..dot].to_owned(),
            _ => last.clone(),
        };
        *last = stem;
    }
    let separator = if kind == Kind::Command { ":" } else { "/" };
    rest.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_and_format(path: &str) -> (Option<Kind>, Format) {
        let d = detect(Path::new(path));
        (d.kind, d.format)
    }

    #[test]
    fn each_tool_folder_gives_its_format_and_kind() {
        use Format::*;
        use Kind::*;
        let cases: &[(&str, Kind, Format)] = &[
            ("p/.claude/agents/a.md", Agent, ClaudeCode),
            ("p/.claude/commands/git/commit.md", Command, ClaudeCode),
            ("plugins/x/agents/a.md", Agent, ClaudeCode),
            ("plugins/x/commands/a.md", Command, ClaudeCode),
            ("plugins/x/skills/py/SKILL.md", Skill, ClaudeCode),
            ("loose/a.md", Agent, ClaudeCode),
            (".github/agents/Reviewer.agent.md", Agent, Copilot),
            (".github/chatmodes/plan.chatmode.md", Agent, Copilot),
            (".github/prompts/fix.prompt.md", Command, Copilot),
            (".opencode/agent/review.md", Agent, OpenCode),
            (".opencode/agents/review.md", Agent, OpenCode),
            ("home/.config/opencode/agents/review.md", Agent, OpenCode),
            (".gemini/agents/a.md", Agent, Gemini),
            (".gemini/commands/git/commit.toml", Command, Gemini),
            (".cursor/agents/a.md", Agent, Cursor),
            (".cursor/rules/style.mdc", Rule, Cursor),
            (".cursor/commands/a.md", Command, Cursor),
            (".qwen/agents/a.md", Agent, Qwen),
            (".factory/droids/a.md", Agent, Factory),
            (".kiro/agents/a.json", Agent, Kiro),
            (".kiro/steering/style.md", Rule, Kiro),
            (".codex/agents/a.toml", Agent, Codex),
            ("crew/config/agents.yaml", Agent, CrewAi),
            (".junie/agents/a.md", Agent, Markdown),
        ];
        for (path, kind, format) in cases {
            assert_eq!(kind_and_format(path), (Some(*kind), *format), "{path}");
        }
        assert_eq!(detect(Path::new("x/a.toml")).kind, None);
    }

    #[test]
    fn instruction_files_are_not_definitions() {
        for f in [
            "AGENTS.md",
            "x/CLAUDE.md",
            "GEMINI.md",
            "agents.md",
            ".github/copilot-instructions.md",
            ".github/instructions/rust.instructions.md",
        ] {
            assert!(not_a_definition(Path::new(f))
                .unwrap()
                .starts_with("instruction file"));
        }
        assert!(not_a_definition(Path::new("x/agent.md")).is_none());
    }

    #[test]
    fn tools_that_name_by_path_get_path_names() {
        let id = |p: &str| {
            let d = detect(Path::new(p));
            path_identity(Path::new(p), d.format, d.kind.unwrap())
        };
        assert_eq!(id(".github/agents/Reviewer.agent.md").unwrap(), "Reviewer");
        assert_eq!(id(".github/chatmodes/plan.chatmode.md").unwrap(), "plan");
        assert_eq!(id(".github/prompts/fix.prompt.md").unwrap(), "fix");
        assert_eq!(
            id("p/.opencode/agents/team/review.md").unwrap(),
            "team/review"
        );
        assert_eq!(
            id("p/.claude/commands/git/commit.md").unwrap(),
            "git:commit"
        );
        assert_eq!(
            id(".gemini/commands/git/commit.toml").unwrap(),
            "git:commit"
        );
        assert_eq!(id(".cursor/rules/style.mdc").unwrap(), "style");
        assert_eq!(id(".claude/agents/a.md"), None);
        assert_eq!(id(".gemini/agents/a.md"), None);
    }

    #[test]
    fn data_files_outside_tool_folders_are_not_candidates() {
        assert!(is_candidate(Path::new("x/.codex/agents/a.toml")));
        assert!(is_candidate(Path::new("x/.gemini/commands/a.toml")));
        assert!(is_candidate(Path::new("x/.kiro/agents/a.json")));
        assert!(is_candidate(Path::new("x/config/agents.yaml")));
        assert!(is_candidate(Path::new("x/.cursor/rules/a.mdc")));
        assert!(!is_candidate(Path::new("x/Cargo.toml")));
        assert!(!is_candidate(Path::new("x/package.json")));
        assert!(!is_candidate(Path::new("x/config.yaml")));
    }
}
