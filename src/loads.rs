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
    "./.claude/commands",
    "~/.claude/commands",
    "./.gemini/commands",
    "~/.gemini/commands",
    "./.cursor/commands",
    "~/.cursor/commands",
    "./.github/prompts",
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
pub const TOOLS: &[Format] = &[
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

/// How a tool orders files of one name: by level and folder (lower wins), or not at all, where the
/// tool documents no precedence and its read order decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Ordered(u8, Level),
    ReadOrder,
}

/// How `tool` sees `agent`, if it does: under which name, and how it ranks.
fn seen_by(tool: Format, agent: &AgentFile, name: &str, level: Level) -> Option<(String, Rank)> {
    let ordered = |name: String, order, level| Some((name, Rank::Ordered(order, level)));
    match (tool, agent.format, agent.kind) {
        // Claude Code: project > user > plugin. Skills the other way round: personal first.
        (Format::ClaudeCode, Format::ClaudeCode, Kind::Agent) => ordered(name.to_owned(), 0, level),
        (Format::ClaudeCode, Format::ClaudeCode, Kind::Skill) => {
            let rank = match level {
                Level::User => Level::Project,
                Level::Project => Level::User,
                Level::Plugin => Level::Plugin,
            };
            ordered(format!("skill {name}"), 0, rank)
        }
        // A plugin's commands are namespaced (`/plugin:name`): they meet only the same plugin's.
        // Between the project's and the user's commands of one name Claude Code documents no
        // order.
        (Format::ClaudeCode, Format::ClaudeCode, Kind::Command) => {
            let name = match plugin_name(&agent.path) {
                Some(plugin) if level == Level::Plugin => format!("{plugin}:{name}"),
                _ => name.to_owned(),
            };
            Some((format!("command /{name}"), Rank::ReadOrder))
        }
        // Gemini CLI: "If a command in the project directory has the same name as a command in
        // the user directory, the project command will always be used" (geminicli.com, custom
        // commands).
        (Format::Gemini, Format::Gemini, Kind::Command) => {
            ordered(format!("command /{name}"), 0, level)
        }
        // Cursor commands, Copilot prompt files: no documented order.
        (Format::Cursor | Format::Copilot, format, Kind::Command) if format == tool => {
            Some((format!("command /{name}"), Rank::ReadOrder))
        }
        // Cursor rules and Kiro steering files, known by file name: no documented order.
        (Format::Cursor | Format::Kiro, format, Kind::Rule) if format == tool => {
            Some((format!("rule {name}"), Rank::ReadOrder))
        }
        // Cursor reads its own agents, and Claude Code's and Codex's project and user agents:
        // `.cursor` > `.claude` > `.codex`, project > user.
        (Format::Cursor, Format::Cursor, Kind::Agent) => ordered(name.to_owned(), 0, level),
        (Format::Cursor, Format::ClaudeCode, Kind::Agent)
            if level != Level::Plugin && in_folder(&agent.path, ".claude", "agents") =>
        {
            ordered(name.to_owned(), 1, level)
        }
        (Format::Cursor, Format::Codex, Kind::Agent) => ordered(name.to_owned(), 2, level),
        (tool, format, Kind::Agent) if tool == format && tool != Format::ClaudeCode => {
            ordered(name.to_owned(), 0, level)
        }
        _ => None,
    }
}

/// One file a tool sees under a name: its index in the library, where it lies, how it ranks.
#[derive(Clone, Copy)]
struct Sighting {
    index: usize,
    level: Level,
    rank: Rank,
}

/// What each modelled tool sees, by the name it knows each file by: the files of each name in
/// the order the tool prefers them (winner first). Levels cost a system call or two per file, so
/// only files whose name another file shares are asked for theirs: for the rest only whether
/// they are a plugin's matters (Cursor does not read plugins' agents).
fn sightings(
    agents: &[AgentFile],
    home: Option<&Path>,
) -> Vec<(Format, BTreeMap<String, Vec<Sighting>>)> {
    let home = home.and_then(|h| std::fs::canonicalize(h).ok());
    let names: Vec<String> = agents
        .iter()
        .map(|a| a.display_name().trim().to_owned())
        .collect();
    let mut count: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for name in &names {
        *count.entry(name.as_str()).or_default() += 1;
    }
    let levels: Vec<Level> = (0..agents.len())
        .map(|i| {
            let path = &agents[i].path;
            if count[names[i].as_str()] > 1 {
                level(path, home.as_deref())
            } else if in_plugin(path) {
                Level::Plugin
            } else {
                Level::Project
            }
        })
        .collect();
    TOOLS
        .iter()
        .map(|&tool| {
            let mut seen: BTreeMap<String, Vec<Sighting>> = BTreeMap::new();
            for (index, agent) in agents.iter().enumerate() {
                if names[index].is_empty() {
                    continue;
                }
                if let Some((name, rank)) = seen_by(tool, agent, &names[index], levels[index]) {
                    let level = levels[index];
                    seen.entry(name)
                        .or_default()
                        .push(Sighting { index, level, rank });
                }
            }
            for files in seen.values_mut() {
                files.sort_by_key(|s| s.rank);
            }
            (tool, seen)
        })
        .collect()
}

/// For each modelled tool, the agents (kind agent) it lists to its model: one file per name it
/// knows, the one it loads (where its read order decides, the first this scan read), shadowed
/// copies left out. Plugins' agents of one name are namespaced, so each of those is listed.
pub fn listed_agents(agents: &[AgentFile], home: Option<&Path>) -> Vec<(Format, Vec<usize>)> {
    sightings(agents, home)
        .into_iter()
        .map(|(tool, seen)| {
            let mut listed = Vec::new();
            for files in seen.values() {
                let files: Vec<&Sighting> = files
                    .iter()
                    .filter(|s| agents[s.index].kind == Kind::Agent)
                    .collect();
                let distinct = files.len() > 1 && only_distinct_plugins(agents, &files);
                let take = if distinct { files.len() } else { 1 };
                listed.extend(files.iter().take(take).map(|s| s.index));
            }
            listed.sort_unstable();
            listed.dedup();
            (tool, listed)
        })
        .collect()
}

/// Every name collision among `agents`, with what each tool that sees both files loads. `home`
/// is the user's home folder (`$HOME`), for telling user-level files from project ones.
pub fn name_collisions(agents: &[AgentFile], home: Option<&Path>) -> Vec<NameCollision> {
    let mut by_name: BTreeMap<String, (Vec<PathBuf>, Vec<ToolLoad>)> = BTreeMap::new();
    for (tool, seen) in sightings(agents, home) {
        for (name, mut files) in seen {
            files.dedup_by(|a, b| {
                let (a, b) = (&agents[a.index], &agents[b.index]);
                a.path == b.path && a.entry == b.entry
            });
            let refs: Vec<&Sighting> = files.iter().collect();
            if files.len() < 2 || only_distinct_plugins(agents, &refs) {
                continue;
            }
            let load = decide(tool, agents, &files);
            let entry = by_name.entry(name).or_default();
            for s in &files {
                let path = &agents[s.index].path;
                if !entry.0.contains(path) {
                    entry.0.push(path.clone());
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
fn only_distinct_plugins(agents: &[AgentFile], files: &[&Sighting]) -> bool {
    let mut plugins = Vec::new();
    for s in files {
        let plugin = plugin_root(&agents[s.index].path);
        if s.level != Level::Plugin || plugins.contains(&plugin) {
            return false;
        }
        plugins.push(plugin);
    }
    true
}

/// What `tool` loads among `files` (sorted, winner first), and why.
fn decide(tool: Format, agents: &[AgentFile], files: &[Sighting]) -> ToolLoad {
    let path = |s: &Sighting| agents[s.index].path.clone();
    let paths = |from: usize| files[from..].iter().map(path).collect();
    let undecided = |why: String| ToolLoad {
        tool: tool.tool_name().to_owned(),
        loads: None,
        shadowed: paths(0),
        why,
    };
    let (first, runner) = (&files[0], &files[1]);
    let Rank::Ordered(_, level) = first.rank else {
        let kind = agents[first.index].kind;
        return undecided(format!(
            "{} documents no precedence among {kind}s of one name: the tool's read order \
             decides which of these {} files loads",
            tool.tool_name(),
            files.len()
        ));
    };
    let tied = files.iter().filter(|s| s.rank == first.rank).count();
    if tied > 1 {
        return undecided(format!(
            "{tied} files at one level ({}): {} loads one of them, by the order it reads \
             files in, and ignores the others",
            level.word(),
            tool.tool_name()
        ));
    }
    let why = if runner.level != level {
        format!(
            "{} level wins over {} level",
            level.word(),
            runner.level.word()
        )
    } else {
        format!(
            "`{}` wins over `{}`",
            tool_folder(&path(first)),
            tool_folder(&path(runner))
        )
    };
    ToolLoad {
        tool: tool.tool_name().to_owned(),
        loads: Some(path(first)),
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
    plugin_root(path).is_some()
}

/// The plugin a file belongs to: the folder holding the nearest `agents/` or `commands/` above
/// the file, when that folder is marked as a plugin (`.claude-plugin/`) or lies under `plugins/`.
fn plugin_root(path: &Path) -> Option<&Path> {
    let parts = path.ancestors().skip(1).find(|p| {
        p.file_name()
            .is_some_and(|n| n == "agents" || n == "commands")
    })?;
    let plugin = parts.parent()?;
    let marked = plugin.join(".claude-plugin").is_dir();
    let under_plugins = plugin
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "plugins");
    (marked || under_plugins).then_some(plugin)
}

/// The name of the plugin a file belongs to, which namespaces its commands.
fn plugin_name(path: &Path) -> Option<String> {
    plugin_root(path)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
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

    /// Writes `text` at `rel` below `root` and reads it as the walk would.
    fn written(root: &Path, rel: &str, text: &str) -> AgentFile {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        parse_agent(&path, text.as_bytes()).unwrap()
    }

    const COMMAND: &str = "---\ndescription: d\n---\nDo it.\n";

    #[test]
    fn gemini_commands_the_projects_over_the_users() {
        let (home, project) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let toml = "description = \"d\"\nprompt = \"Do it.\"\n";
        let agents = vec![
            written(home.path(), ".gemini/commands/git/commit.toml", toml),
            written(project.path(), ".gemini/commands/git/commit.toml", toml),
        ];
        let c = name_collisions(&agents, Some(home.path()));
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].name, "command /git:commit");
        let l = loads(&c[0], "Gemini CLI");
        assert_eq!(l.loads.as_ref(), Some(&agents[1].path));
        assert_eq!(l.shadowed, [agents[0].path.clone()]);
        assert_eq!(l.why, "project level wins over user level");
    }

    /// Claude Code, Cursor, Copilot: no documented order among commands of one name, so the
    /// collision is reported and no winner named.
    #[test]
    fn commands_without_a_documented_order_are_left_to_read_order() {
        let (home, project) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "Claude Code",
                ".claude/commands/git/commit.md",
                ".claude/commands/git/commit.md",
                "command /git:commit",
            ),
            (
                "Cursor",
                ".cursor/commands/fix.md",
                ".cursor/commands/fix.md",
                "command /fix",
            ),
            // Copilot knows a prompt file by its file name, whatever folder it is in.
            (
                "GitHub Copilot",
                ".github/prompts/fix.prompt.md",
                ".github/prompts/web/fix.prompt.md",
                "command /fix",
            ),
        ];
        for (tool, first, second, name) in cases {
            let agents = vec![
                written(home.path(), first, COMMAND),
                written(project.path(), second, COMMAND),
            ];
            let c = name_collisions(&agents, Some(home.path()));
            assert_eq!(c.len(), 1, "{tool}: {c:?}");
            assert_eq!(c[0].name, *name, "{tool}");
            let l = loads(&c[0], tool);
            assert_eq!(l.loads, None, "{tool}");
            assert_eq!(l.shadowed.len(), 2, "{tool}");
            assert!(
                l.why.contains("the tool's read order decides"),
                "{tool}: {}",
                l.why
            );
            assert_eq!(c[0].loads.len(), 1, "{tool}: only its own tool sees both");
        }
    }

    #[test]
    fn plugin_commands_are_namespaced_and_meet_no_one_elses() {
        let root = tempfile::tempdir().unwrap();
        let agents = vec![
            written(root.path(), "p/.claude/commands/commit.md", COMMAND),
            written(root.path(), "m/plugins/kit/commands/commit.md", COMMAND),
            written(root.path(), "m/plugins/tools/commands/commit.md", COMMAND),
            // An agent of the same name is in another namespace than the command.
            written(
                root.path(),
                "p/.claude/agents/commit.md",
                "---\nname: commit\ndescription: d\n---\nB\n",
            ),
        ];
        let c = name_collisions(&agents, None);
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn kiro_steering_files_of_one_name_are_left_to_read_order() {
        let home = tempfile::tempdir().unwrap();
        let text = "---\ninclusion: always\n---\nUse tabs.\n";
        let agents = vec![
            written(home.path(), ".kiro/steering/style.md", text),
            written(&home.path().join("work/p"), ".kiro/steering/style.md", text),
        ];
        let c = name_collisions(&agents, Some(home.path()));
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].name, "rule style");
        let l = loads(&c[0], "Kiro");
        assert_eq!(l.loads, None);
        assert!(l.why.contains("the tool's read order decides"), "{}", l.why);
    }

    /// The listing each tool shows: Cursor lists `.claude` agents it does not shadow, never a
    /// shadowed copy; Claude Code lists its own.
    #[test]
    fn listed_agents_leave_shadowed_copies_out() {
        let agents = vec![
            agent(Path::new("p/.claude/agents/api.md"), "api"),
            agent(Path::new("p/.claude/agents/sql.md"), "sql"),
            agent(Path::new("p/.cursor/agents/api.md"), "api"),
            agent(Path::new("a/plugins/one/agents/api.md"), "api"),
            agent(Path::new("a/plugins/two/agents/lint.md"), "lint"),
        ];
        let listed: BTreeMap<Format, Vec<usize>> =
            listed_agents(&agents, None).into_iter().collect();
        assert_eq!(listed[&Format::Cursor], [1, 2]);
        // Claude Code: the project's `api` shadows the plugin's.
        assert_eq!(listed[&Format::ClaudeCode], [0, 1, 4]);
        assert!(listed[&Format::Gemini].is_empty());
    }
}
