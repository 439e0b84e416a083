//! Libraries kept for many tools: every format read, the right kind for each file, mirrors kept
//! apart, which copy loads. Every fixture is written here, small, for the test.

mod common;

use common::{cmd_in, scan_json_in as scan};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Five different agents, each with the `## Role` heading every generated library shares.
const AGENTS: [(&str, &str, &str); 5] = [
    (
        "api-reviewer",
        "Reviews HTTP API changes for breaking changes",
        "You check pull requests that touch HTTP handlers.\n\n## Steps\n\n- Compare status codes \
         against the published contract.\n- Flag renamed JSON fields as breaking.\n",
    ),
    (
        "sql-tuner",
        "Speeds up slow Postgres queries",
        "You read EXPLAIN ANALYZE output and propose indexes.\n\n## Steps\n\n- Find sequential \
         scans on large tables.\n- Suggest a covering index and measure again.\n",
    ),
    (
        "release-notes-writer",
        "Writes release notes from merged pull requests",
        "You turn a list of merged changes into notes users read.\n\n## Steps\n\n- Group changes \
         by feature, fix and deprecation.\n- Lead with what users must do.\n",
    ),
    (
        "accessibility-auditor",
        "Audits web pages for WCAG problems",
        "You test pages with a screen reader and the keyboard only.\n\n## Steps\n\n- Check every \
         image has alternative text.\n- Check focus order follows the layout.\n",
    ),
    (
        "incident-commander",
        "Runs a production incident until it is resolved",
        "You coordinate responders during an outage.\n\n## Steps\n\n- Name one owner per \
         workstream.\n- Post a status update every thirty minutes.\n",
    ),
];

fn body(text: &str) -> String {
    format!("## Role\n\n{text}")
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Each agent in the dialect of ten tools' folders.
fn mirrored_library(root: &Path) {
    for (name, description, text) in AGENTS {
        let body = body(text);
        let md = |extra: &str| {
            format!("---\nname: {name}\ndescription: {description}\n{extra}---\n\n{body}")
        };
        write(
            root,
            &format!(".claude/agents/{name}.md"),
            &md("tools: Read, Grep\nmodel: sonnet\n"),
        );
        write(
            root,
            &format!(".cursor/agents/{name}.md"),
            &md("readonly: true\n"),
        );
        write(
            root,
            &format!(".gemini/agents/{name}.md"),
            &md("kind: local\n"),
        );
        write(root, &format!(".junie/agents/{name}.md"), &md(""));
        write(root, &format!(".kilo/agents/{name}.md"), &md(""));
        write(root, &format!(".agentsmesh/agents/{name}.md"), &md(""));
        let title = name.replace('-', " ").to_uppercase();
        write(
            root,
            &format!(".github/agents/{name}.agent.md"),
            &format!(
                "---\nname: {title}\ndescription: {description}\ntools: ['read']\n---\n\n{body}"
            ),
        );
        write(
            root,
            &format!(".opencode/agents/{name}.md"),
            &format!(
                "---\ndescription: {description}\nmode: subagent\ntemperature: 0.1\ncolor: '#336699'\n---\n\n{body}"
            ),
        );
        let kiro = serde_json::json!({"name": name, "description": description, "prompt": body,
            "tools": ["read"]});
        write(
            root,
            &format!(".kiro/agents/{name}.json"),
            &kiro.to_string(),
        );
        let codex = format!(
            "name = \"{name}\"\ndescription = \"{description}\"\ndeveloper_instructions = '''\n{body}'''\n"
        );
        write(root, &format!(".codex/agents/{name}.toml"), &codex);
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_library_mirrored_into_ten_tools_is_mirror_sets_not_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    mirrored_library(dir.path());
    let report = scan(dir.path(), &["."]);
    assert_eq!(report["parsed"], 50, "{:#?}", report["skipped"]);
    assert!(
        report["clusters"].as_array().unwrap().is_empty(),
        "different agents clustered: {:#}",
        report["clusters"]
    );
    // The copies count once in the statistics: only the headings every agent shares are
    // boilerplate, judged over five agents, not fifty files.
    assert_eq!(
        report["boilerplate"]["blocks"], 2,
        "{:#}",
        report["boilerplate"]
    );
    assert_eq!(
        report["boilerplate"]["min_files"], 4,
        "{:#}",
        report["boilerplate"]
    );
    let sets = report["mirror_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 5, "{sets:#?}");
    for set in sets {
        assert_eq!(set["paths"].as_array().unwrap().len(), 10, "{set:#}");
        assert_eq!(set["tools"].as_array().unwrap().len(), 10, "{set:#}");
    }
    // Each file judged by its own tool: no warnings for display names, hex colours or dialect keys.
    for agent in report["agents"].as_array().unwrap() {
        assert!(
            agent["diagnostics"].as_array().unwrap().is_empty(),
            "{agent:#}"
        );
    }
    let formats: BTreeSet<String> = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["format"].as_str().unwrap().to_owned())
        .collect();
    let want = [
        "claude-code",
        "codex",
        "copilot",
        "cursor",
        "gemini",
        "kiro",
        "markdown",
        "opencode",
    ];
    assert_eq!(formats, want.iter().map(|s| s.to_string()).collect());
}

/// A real duplicate inside one tool's folder is still found, and applying it touches only that
/// folder: no other tool's copy is archived.
#[test]
fn a_consolidation_acts_within_one_tools_folder() {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    mirrored_library(&proj);
    let (name, description, text) = AGENTS[0];
    let copy = format!(
        "---\nname: {name}-v2\ndescription: {description}\ntools: Read, Grep\n---\n\n{}",
        body(text)
    );
    write(&proj, ".claude/agents/old/api-reviewer-v2.md", &copy);
    let out_dir = dir.path().join("out");
    let report = scan(dir.path(), &["proj", "--out", out_dir.to_str().unwrap()]);
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:#?}");
    let members = strings(&clusters[0]["members"]);
    assert_eq!(members.len(), 2, "{members:?}");
    assert!(
        members.iter().all(|m| m.contains(".claude/agents/")),
        "{members:?}"
    );
    let out = cmd_in(dir.path())
        .args(["apply", "--dry-run"])
        .arg(out_dir.join("report.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(!plan.trim().is_empty());
    for line in plan.lines() {
        for tool in [
            ".cursor",
            ".gemini",
            ".github",
            ".kiro",
            ".codex",
            ".opencode",
            ".junie",
        ] {
            assert!(
                !line.contains(tool),
                "a dry run touches another tool: {line}"
            );
        }
    }
}

#[test]
fn commands_rules_skills_and_instructions_are_never_agents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (name, description, text) = AGENTS[1];
    let agent = format!(
        "---\nname: {name}\ndescription: {description}\n---\n\n{}",
        body(text)
    );
    write(root, &format!(".claude/agents/{name}.md"), &agent);
    // The same text as a command, a skill, a Cursor rule and a Kiro steering file.
    write(
        root,
        ".claude/commands/db/tune.md",
        &format!("---\ndescription: {description}\n---\n\n{}", body(text)),
    );
    write(root, &format!(".claude/skills/{name}/SKILL.md"), &agent);
    write(
        root,
        ".cursor/rules/sql.mdc",
        &format!(
            "---\ndescription: {description}\nglobs: *.sql\nalwaysApply: false\n---\n\n{}",
            body(text)
        ),
    );
    write(
        root,
        ".kiro/steering/sql.md",
        &format!(
            "---\ninclusion: fileMatch\nfileMatchPattern: '*.sql'\n---\n\n{}",
            body(text)
        ),
    );
    write(
        root,
        ".github/chatmodes/plan.chatmode.md",
        "---\ndescription: Plan a change\ntools: ['search']\n---\nPlan first.\n",
    );
    write(
        root,
        ".github/prompts/fix-tests.prompt.md",
        "---\ndescription: Fix failing tests\n---\nFix them.\n",
    );
    write(
        root,
        ".gemini/commands/git/commit.toml",
        "description = \"Commit message\"\nprompt = \"Write one.\"\n",
    );
    write(
        root,
        "crew/config/agents.yaml",
        "analyst:\n  role: Analyst\n  goal: Find trends\n  backstory: You read charts.\n",
    );
    write(root, "AGENTS.md", "# Project rules\n\nUse cargo.\n");
    write(root, ".claude/CLAUDE.md", "Be brief.\n");
    let report = scan(root, &["."]);
    assert!(
        report["clusters"].as_array().unwrap().is_empty(),
        "{:#}",
        report["clusters"]
    );
    let by_path = |suffix: &str| {
        report["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} not read"))
            .clone()
    };
    let kind = |suffix: &str| by_path(suffix)["kind"].as_str().unwrap().to_owned();
    assert_eq!(kind("db/tune.md"), "command");
    assert_eq!(kind("SKILL.md"), "skill");
    assert_eq!(kind("sql.mdc"), "rule");
    assert_eq!(kind("steering/sql.md"), "rule");
    assert_eq!(kind("fix-tests.prompt.md"), "command");
    assert_eq!(kind("plan.chatmode.md"), "agent");
    assert_eq!(kind("commit.toml"), "command");
    assert_eq!(by_path("agents.yaml")["name"], "analyst");
    assert_eq!(by_path("db/tune.md")["name"], "db:tune");
    assert_eq!(by_path("plan.chatmode.md")["name"], "plan");
    assert_eq!(by_path("fix-tests.prompt.md")["name"], "fix-tests");
    assert_eq!(by_path("git/commit.toml")["name"], "git:commit");
    // No "no `name`, Claude Code skips this file" for files whose tool needs no name.
    for suffix in [
        "db/tune.md",
        "sql.mdc",
        "steering/sql.md",
        "plan.chatmode.md",
        "fix-tests.prompt.md",
    ] {
        assert!(
            by_path(suffix)["diagnostics"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{suffix}"
        );
    }
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_owned(),
                s["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for name in ["AGENTS.md", "CLAUDE.md"] {
        let (_, reason) = skipped.iter().find(|(p, _)| p.ends_with(name)).unwrap();
        assert!(reason.starts_with("instruction file"), "{reason}");
    }
}

/// Claude Code: the project's agent wins over the user's; `--installed` finds both from the
/// standard places, and `--fail-on-collisions` exits 1.
#[test]
fn installed_reports_what_loads_and_fails_on_collisions() {
    let home = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let (name, description, text) = AGENTS[2];
    let agent = format!(
        "---\nname: {name}\ndescription: {description}\n---\n\n{}",
        body(text)
    );
    write(home.path(), &format!(".claude/agents/{name}.md"), &agent);
    write(project.path(), &format!(".claude/agents/{name}.md"), &agent);
    let run = |extra: &[&str]| {
        cmd_in(project.path())
            .env("HOME", home.path())
            .args(["scan", "--installed", "--format", "json", "-q"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let collisions = report["name_collisions"].as_array().unwrap();
    assert_eq!(collisions.len(), 1, "{collisions:#?}");
    let load = &collisions[0]["loads"][0];
    assert_eq!(load["tool"], "Claude Code");
    assert!(
        load["loads"]
            .as_str()
            .unwrap()
            .starts_with("./.claude/agents/"),
        "{load:#}"
    );
    assert_eq!(load["shadowed"].as_array().unwrap().len(), 1);
    assert_eq!(load["why"], "project level wins over user level");
    assert_eq!(run(&["--fail-on-collisions"]).status.code(), Some(1));
    // A copy for another tool is no collision: no tool sees both.
    std::fs::remove_file(home.path().join(format!(".claude/agents/{name}.md"))).unwrap();
    write(project.path(), &format!(".gemini/agents/{name}.md"), &agent);
    assert_eq!(run(&["--fail-on-collisions"]).status.code(), Some(0));
}

/// Gemini CLI commands of one name: `scan --installed` reads the user's and the project's
/// commands folders and says the project's loads; `--fail-on-collisions` fails on it.
#[test]
fn installed_gemini_commands_the_projects_wins() {
    let home = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let command = "description = \"Commit staged work\"\nprompt = \"Write a commit message.\"\n";
    write(home.path(), ".gemini/commands/git/commit.toml", command);
    write(project.path(), ".gemini/commands/git/commit.toml", command);
    let run = |extra: &[&str]| {
        cmd_in(project.path())
            .env("HOME", home.path())
            .args(["scan", "--installed", "--format", "json", "-q"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let collisions = report["name_collisions"].as_array().unwrap();
    assert_eq!(collisions.len(), 1, "{collisions:#?}");
    assert_eq!(collisions[0]["name"], "command /git:commit");
    let load = &collisions[0]["loads"][0];
    assert_eq!(load["tool"], "Gemini CLI");
    assert_eq!(
        load["loads"], "./.gemini/commands/git/commit.toml",
        "{load:#}"
    );
    assert_eq!(load["why"], "project level wins over user level");
    assert_eq!(run(&["--fail-on-collisions"]).status.code(), Some(1));
}

/// A cluster of Codex agents is merged into a Codex agent: `apply` writes TOML over the
/// representative, which Codex (and this tool) reads again.
#[test]
fn a_codex_cluster_is_applied_as_toml() {
    let dir = tempfile::tempdir().unwrap();
    let (name, description, text) = AGENTS[3];
    for (file, extra) in [("a", "model = \"gpt-5\"\n"), ("b", "")] {
        let codex = format!(
            "name = \"{name}-{file}\"\ndescription = \"{description}\"\n{extra}\
             developer_instructions = '''\n{}'''\n",
            body(text)
        );
        write(
            dir.path(),
            &format!("proj/.codex/agents/{file}.toml"),
            &codex,
        );
    }
    let report = scan(dir.path(), &["proj", "--out", "out"]);
    assert_eq!(report["clusters"].as_array().unwrap().len(), 1);
    let merged = report["clusters"][0]["merged"].as_str().unwrap();
    assert!(merged.contains("developer_instructions = "), "{merged}");
    // Written in the representative's format, and named so.
    let merged_file = report["clusters"][0]["merged_file"].as_str().unwrap();
    assert!(merged_file.ends_with(".toml"), "{merged_file}");
    let written = std::fs::read_to_string(dir.path().join("out").join(merged_file)).unwrap();
    assert_eq!(written, merged);
    let out = cmd_in(dir.path())
        .args(["apply", "out/report.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = scan(dir.path(), &["proj/.codex"]);
    assert_eq!(again["parsed"], 1, "{again:#}");
    let agent = &again["agents"][0];
    assert_eq!(agent["format"], "codex");
    assert!(
        agent["diagnostics"].as_array().unwrap().is_empty(),
        "{agent:#}"
    );
}

/// `apply` never rewrites a CrewAI `agents.yaml`, which holds other agents too.
#[test]
fn apply_refuses_to_rewrite_a_crewai_file() {
    let dir = tempfile::tempdir().unwrap();
    let entry = |key: &str| {
        format!(
            "{key}:\n  role: Researcher\n  goal: Find and summarise sources on a topic\n  \
             backstory: You read papers and write short summaries with citations.\n\
             writer:\n  role: Writer\n  goal: Write the report\n  backstory: You write prose.\n"
        )
    };
    write(
        dir.path(),
        "proj/crew-a/config/agents.yaml",
        &entry("researcher"),
    );
    write(
        dir.path(),
        "proj/crew-b/config/agents.yaml",
        &entry("research-lead"),
    );
    let before = std::fs::read(dir.path().join("proj/crew-a/config/agents.yaml")).unwrap();
    let report = scan(dir.path(), &["proj", "--out", "out"]);
    assert!(!report["clusters"].as_array().unwrap().is_empty());
    let out = cmd_in(dir.path())
        .args(["apply", "out/report.json"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CrewAI") || stderr.contains("listed twice"),
        "{stderr}"
    );
    let after = std::fs::read(dir.path().join("proj/crew-a/config/agents.yaml")).unwrap();
    assert_eq!(before, after);
    assert!(dir.path().join("proj/crew-b/config/agents.yaml").exists());
}
