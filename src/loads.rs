//! Which copy loads: for every name two or more files declare, which file each tool actually
//! loads, by that tool's documented precedence (see README, "What loads"). A collision is
//! reported only where one tool would see both files: a Cursor agent and a Copilot agent of one
//! name never meet.
//!
//! Levels are read from where a file lies: under `$HOME` it is the user's (`~/.claude/agents`),
//! in a plugin's `agents/` folder a plugin's, else the project's (a loose folder of agents counts
//! as a project's agents folder). Managed settings and `--agents` are not files a scan sees.

use crate::model::{AgentFile, Format, Kind, NameCollision, ToolLoad};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The standard places `scan --installed` reads, `~` for the home folder, `.` for the project.
pub const STANDARD_PLACES: &[&str] = &[
    "./.claude/agents",
    "./.claude/skills",
    "~/.claude/agents",
    "~/.claude/skills",
    "~/.claude/plugins",
    "./.cursor/agents",
    "~/.cursor/agents",
    "./.github/agents",
    "~/.copilot/agents",
    "./.opencode/agents",
    "./.opencode/agent",
    "~/.config/opencode/agents",
    "~/.config/opencode/agent",
    "./.gemini/agents",
    "~/.gemini/agents",
    "./.qwen/agents",
    "~/.qwen/agents",
    "./.factory/droids",
    "~/.factory/droids",
    "./.kiro/agents",
    "~/.kiro/agents",
    "./.codex/agents",
    "~/.codex/agents",
];

/// The standard places that exist, `project` standing for `.` and `home` for `~`. A place is
/// given once even when the project is the home folder.
pub fn installed_places(project: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut places: Vec<PathBuf> = Vec::new();
    let mut seen = Vec::new();
    for place in STANDARD_PLACES {
        let path = match (place.strip_prefix("~/"), place.strip_prefix("./")) {
            (Some(rest), _) => match home {
                Some(home) => home.join(rest),
                None => continue,
            },
            (_, Some(rest)) => project.join(rest),
            _ => continue,
        };
        if !path.is_dir() {
            continue;
        }
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.contains(&canonical) {
            seen.push(canonical);
            places.push(path);
        }
    }
    places
}

/// Where a definition sits for its tool; earlier levels win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Project,
    User,
    Plugin,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Project => "project",
            Level::User => "user",
            Level::Plugin => "plugin",
        }
    }
}

/// The tools whose loading is modelled, each with the files it reads.
const TOOLS: &[Format] = &[
    Format::ClaudeCode,
    Format::Cursor,
    Format::Copilot,
    Format::OpenCode,
    Format::Gemini,
    Format::Qwen,
    Format::Factory,
    Format::Kiro,
    Format::Codex,
];

/// How `tool` sees `agent`, if it does: under which name, and how high it ranks (lower wins).
fn seen_by(
    tool: Format,
    agent: &AgentFile,
    name: &str,
    level: Level,
) -> Option<(String, (u8, Level))> {
    let name = name.to_owned();
    match (tool, agent.format, agent.kind) {
        // Claude Code: project > user > plugin. Skills the other way round: personal first.
        (Format::ClaudeCode, Format::ClaudeCode, Kind::Agent) => Some((name, (0, level))),
        (Format::ClaudeCode, Format::ClaudeCode, Kind::Skill) => {
            let rank = match level {
                Level::User => Level::Project,
                Level::Project => Level::User,
                Level::Plugin => Level::Plugin,
            };
            Some((format!("skill {name}"), (0, rank)))
        }
        // Cursor reads its own agents, and Claude Code's and Codex's project and user agents:
        // `.cursor` > `.claude` > `.codex`, project > user.
        (Format::Cursor, Format::Cursor, Kind::Agent) => Some((name, (0, level))),
        (Format::Cursor, Format::ClaudeCode, Kind::Agent)
            if level != Level::Plugin && in_folder(&agent.path, ".claude", "agents") =>
        {
            Some((name, (1, level)))
        }
        (Format::Cursor, Format::Codex, Kind::Agent) => Some((name, (2, level))),
        (tool, format, Kind::Agent) if tool == format && tool != Format::ClaudeCode => {
            Some((name, (0, level)))
        }
        _ => None,
    }
}

/// Every name collision among `agents`, with what each tool that sees both files loads. `home`
/// is the user's home folder (`$HOME`), for telling user-level files from project ones.
pub fn name_collisions(agents: &[AgentFile], home: Option<&Path>) -> Vec<NameCollision> {
    let home = home.and_then(|h| std::fs::canonicalize(h).ok());
    // Only a name two files share can collide: the levels (a system call or two each) are asked
    // for those files alone.
    let names: Vec<String> = agents
        .iter()
        .map(|a| a.display_name().trim().to_owned())
        .collect();
    let mut count: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for name in &names {
        *count.entry(name.as_str()).or_default() += 1;
    }
    let candidates: Vec<(usize, Level)> = (0..agents.len())
        .filter(|&i| !names[i].is_empty() && count[names[i].as_str()] > 1)
        .map(|i| (i, level(&agents[i].path, home.as_deref())))
        .collect();
    let mut by_name: BTreeMap<String, (Vec<PathBuf>, Vec<ToolLoad>)> = BTreeMap::new();
    for &tool in TOOLS {
        let mut seen: BTreeMap<String, Vec<(u8, Level, &AgentFile)>> = BTreeMap::new();
        for &(i, level) in &candidates {
            let agent = &agents[i];
            if let Some((name, (order, level))) = seen_by(tool, agent, &names[i], level) {
                seen.entry(name).or_default().push((order, level, agent));
            }
        }
        for (name, mut files) in seen {
            files.dedup_by(|a, b| a.2.path == b.2.path && a.2.entry == b.2.entry);
            if files.len() < 2 || only_distinct_plugins(&files) {
                continue;
            }
            files.sort_by_key(|(order, level, _)| (*order, *level));
            let load = decide(tool, &files);
            let entry = by_name.entry(name).or_default();
            for (_, _, a) in &files {
                if !entry.0.contains(&a.path) {
                    entry.0.push(a.path.clone());
                }
            }
            entry.1.push(load);
        }
    }
    by_name
        .into_iter()
        .map(|(name, (mut paths, loads))| {
            paths.sort();
            NameCollision { name, paths, loads }
        })
        .collect()
}

/// Whether every file is a different plugin's: plugin agents are namespaced (`plugin:name`), so
/// each loads under its own name.
fn only_distinct_plugins(files: &[(u8, Level, &AgentFile)]) -> bool {
    let mut plugins = Vec::new();
    for (_, level, agent) in files {
        let plugin = agent.path.parent().and_then(Path::parent);
        if *level != Level::Plugin || plugins.contains(&plugin) {
            return false;
        }
        plugins.push(plugin);
    }
    true
}

/// What `tool` loads among `files` (sorted, winner first), and why.
fn decide(tool: Format, files: &[(u8, Level, &AgentFile)]) -> ToolLoad {
    let (order, level, first) = files[0];
    let tied = files
        .iter()
        .filter(|(o, l, _)| (*o, *l) == (order, level))
        .count();
    let paths = |from: usize| files[from..].iter().map(|f| f.2.path.clone()).collect();
    if tied > 1 {
        return ToolLoad {
            tool: tool.tool_name().to_owned(),
            loads: None,
            shadowed: paths(0),
            why: format!(
                "{tied} files at one level ({}): {} loads one of them, by the order it reads \
                 files in, and ignores the others",
                level.word(),
                tool.tool_name()
            ),
        };
    }
    let (_, runner_level, runner) = files[1];
    let why = if runner_level != level {
        format!(
            "{} level wins over {} level",
            level.word(),
            runner_level.word()
        )
    } else {
        format!(
            "`{}` wins over `{}`",
            tool_folder(&first.path),
            tool_folder(&runner.path)
        )
    };
    ToolLoad {
        tool: tool.tool_name().to_owned(),
        loads: Some(first.path.clone()),
        shadowed: paths(1),
        why,
    }
}

/// The tool folder a path lies in (`.cursor`, `.claude`), for saying why one wins.
fn tool_folder(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .rfind(|c| c.starts_with('.') && c.len() > 1 && c != "..")
        .unwrap_or_else(|| "the folder".to_owned())
}

/// The level of a file: the user's when it lies in the home folder's tool folders, a plugin's
/// when in a plugin's `agents/` (a folder with `.claude-plugin/`, or under `plugins/`), else the
/// project's.
pub fn level(path: &Path, home: Option<&Path>) -> Level {
    if in_plugin(path) {
        return Level::Plugin;
    }
    if let Some(home) = home {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        if let Ok(rest) = canonical.strip_prefix(home) {
            let first = rest.components().next();
            // `~/.claude/agents`, `~/.cursor/agents`, `~/.config/opencode/agents`, …; a project
            // kept somewhere under the home folder is still a project.
            if first.is_some_and(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
                return Level::User;
            }
        }
    }
    Level::Project
}

fn in_plugin(path: &Path) -> bool {
    let Some(agents) = path.parent() else {
        return false;
    };
    if agents.file_name().is_none_or(|n| n != "agents") {
        return false;
    }
    let plugin = agents.parent();
    let marked = plugin.is_some_and(|p| p.join(".claude-plugin").is_dir());
    let under_plugins = plugin
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .is_some_and(|n| n == "plugins");
    marked || under_plugins
}

fn in_folder(path: &Path, tool: &str, sub: &str) -> bool {
    let parts: Vec<_> = path.components().map(|c| c.as_os_str()).collect();
    parts.windows(2).any(|w| w[0] == tool && w[1] == sub)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_agent;

    fn agent(path: &Path, name: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: d\n---\nBody\n");
        parse_agent(path, text.as_bytes()).unwrap()
    }

    fn loads<'a>(c: &'a NameCollision, tool: &str) -> &'a ToolLoad {
        c.loads.iter().find(|l| l.tool == tool).unwrap()
    }

    #[test]
    fn claude_code_project_beats_user_beats_plugin() {
        let home = tempfile::tempdir().unwrap();
        let user = home.path().join(".claude/agents/api.md");
        std::fs::create_dir_all(user.parent().unwrap()).unwrap();
        std::fs::write(&user, "x").unwrap();
        let agents = vec![
            agent(&user, "api"),
            agent(Path::new("proj/.claude/agents/api.md"), "api"),
            agent(Path::new("market/plugins/kit/agents/api.md"), "api"),
        ];
        let c = name_collisions(&agents, Some(home.path()));
        assert_eq!(c.len(), 1);
        let l = loads(&c[0], "Claude Code");
        assert_eq!(
            l.loads.as_deref(),
            Some(Path::new("proj/.claude/agents/api.md"))
        );
        assert_eq!(l.shadowed.len(), 2);
        assert_eq!(l.shadowed[0], user, "user before plugin");
        assert_eq!(l.why, "project level wins over user level");
        // Without the project copy, the user's wins over the plugin's.
        let c = name_collisions(&[agents[0].clone(), agents[2].clone()], Some(home.path()));
        assert_eq!(
            loads(&c[0], "Claude Code").loads.as_deref(),
            Some(user.as_path())
        );
    }

    #[test]
    fn two_files_at_one_level_load_by_read_order() {
        let agents = vec![
            agent(Path::new("p/.claude/agents/a.md"), "api"),
            agent(Path::new("p/.claude/agents/team/b.md"), "api"),
        ];
        let c = name_collisions(&agents, None);
        let l = loads(&c[0], "Claude Code");
        assert_eq!(l.loads, None);
        assert!(
            l.why.contains("by the order it reads files in"),
            "{}",
            l.why
        );
    }

    #[test]
    fn cursor_prefers_its_own_folder_then_claude_then_codex() {
        let codex = "name = \"api\"\ndescription = \"d\"\ndeveloper_instructions = \"x\"\n";
        let agents = vec![
            parse_agent(Path::new("p/.codex/agents/api.toml"), codex.as_bytes()).unwrap(),
            agent(Path::new("p/.claude/agents/api.md"), "api"),
            agent(Path::new("p/.cursor/agents/api.md"), "api"),
        ];
        let c = name_collisions(&agents, None);
        assert_eq!(c.len(), 1);
        let tools: Vec<&str> = c[0].loads.iter().map(|l| l.tool.as_str()).collect();
        // Claude Code and Codex each see one file: only Cursor sees a collision.
        assert_eq!(tools, ["Cursor"]);
        let l = loads(&c[0], "Cursor");
        assert_eq!(
            l.loads.as_deref(),
            Some(Path::new("p/.cursor/agents/api.md"))
        );
        assert_eq!(l.why, "`.cursor` wins over `.claude`");
        let c = name_collisions(&agents[..2], None);
        let l = loads(&c[0], "Cursor");
        assert_eq!(
            l.loads.as_deref(),
            Some(Path::new("p/.claude/agents/api.md"))
        );
    }

    #[test]
    fn files_no_tool_sees_together_do_not_collide() {
        let agents = vec![
            agent(Path::new("p/.gemini/agents/api.md"), "api"),
            agent(Path::new("p/.qwen/agents/api.md"), "api"),
            agent(Path::new("p/.github/agents/api.agent.md"), "API"),
            agent(Path::new("p/.kiro/steering/api.md"), "api"),
            agent(Path::new("a/plugins/one/agents/api.md"), "api"),
            agent(Path::new("a/plugins/two/agents/api.md"), "api"),
        ];
        // Two plugins' agents of one name are namespaced (`one:api`, `two:api`): both load.
        let c = name_collisions(&agents, None);
        assert!(c.is_empty(), "{c:?}");
    }

    /// Every other tool: its project folder's agent over the same agent in the user's folder.
    #[test]
    fn each_tool_loads_the_projects_agent_over_the_users() {
        let home = tempfile::tempdir().unwrap();
        let md = "---\nname: api\ndescription: d\n---\nB\n";
        let codex = "name = \"api\"\ndescription = \"d\"\ndeveloper_instructions = \"B\"\n";
        let kiro = r#"{"name": "api", "description": "d", "prompt": "B"}"#;
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "Gemini CLI",
                ".gemini/agents/api.md",
                ".gemini/agents/api.md",
                md,
            ),
            (
                "Qwen Code",
                ".qwen/agents/api.md",
                ".qwen/agents/api.md",
                md,
            ),
            (
                "Factory",
                ".factory/droids/api.md",
                ".factory/droids/api.md",
                md,
            ),
            (
                "OpenCode",
                ".config/opencode/agents/api.md",
                ".opencode/agents/api.md",
                md,
            ),
            (
                "Cursor",
                ".cursor/agents/api.md",
                ".cursor/agents/api.md",
                md,
            ),
            (
                "Kiro",
                ".kiro/agents/api.json",
                ".kiro/agents/api.json",
                kiro,
            ),
            (
                "Codex",
                ".codex/agents/api.toml",
                ".codex/agents/api.toml",
                codex,
            ),
        ];
        for (tool, user, project, text) in cases {
            let user = home.path().join(user);
            std::fs::create_dir_all(user.parent().unwrap()).unwrap();
            std::fs::write(&user, text).unwrap();
            let project = Path::new("p").join(project);
            let agents = vec![
                parse_agent(&user, text.as_bytes()).unwrap(),
                parse_agent(&project, text.as_bytes()).unwrap(),
            ];
            let c = name_collisions(&agents, Some(home.path()));
            assert_eq!(c.len(), 1, "{tool}: {c:?}");
            let l = loads(&c[0], tool);
            assert_eq!(l.loads.as_deref(), Some(project.as_path()), "{tool}");
            assert_eq!(l.shadowed, std::slice::from_ref(&user), "{tool}");
            assert_eq!(l.why, "project level wins over user level", "{tool}");
        }
    }

    #[test]
    fn copilot_names_by_file_and_project_beats_user() {
        let home = tempfile::tempdir().unwrap();
        let user = home.path().join(".copilot/agents/review.agent.md");
        std::fs::create_dir_all(user.parent().unwrap()).unwrap();
        std::fs::write(&user, "x").unwrap();
        let text = "---\nname: Code Review\ndescription: d\n---\nB\n";
        let agents = vec![
            parse_agent(&user, text.as_bytes()).unwrap(),
            parse_agent(
                Path::new("p/.github/agents/review.agent.md"),
                text.as_bytes(),
            )
            .unwrap(),
        ];
        // Identity is the file name, whatever the display name says.
        let c = name_collisions(&agents, Some(home.path()));
        assert_eq!(c[0].name, "review");
        let l = loads(&c[0], "GitHub Copilot");
        assert_eq!(
            l.loads.as_deref(),
            Some(Path::new("p/.github/agents/review.agent.md"))
        );
    }
}
