//! `.agent-dedup.toml`: found beside or above the folder scanned (or `--config`), its settings under
//! the command line's; excludes, formats, reference folders.

mod common;

use common::{clusters, cmd_in};
use serde_json::Value;
use std::path::Path;

fn agent(name: &str, role: &str) -> String {
    format!(
        "---\nname: {name}\ndescription: Reviews {role} pull requests for security flaws, unsafe input handling and leaked secrets\n---\n\n\
You are a {role} code reviewer.\n\n## Checks\n\n- Look for injection in every query\n- Look for secrets committed to the repository\n\
- Check input validation and length limits\n- Report each finding with its file and line\n"
    )
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A library of two near-copies (one cluster), one unrelated agent and a skill.
fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lib/team/reviewer.md", &agent("reviewer", "backend"));
    write(
        root,
        "lib/drafts/reviewer-copy.md",
        &agent("reviewer-copy", "backend"),
    );
    write(
        root,
        "lib/baker.md",
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/unrelated/sourdough-baker.md"),
        )
        .unwrap(),
    );
    write(
        root,
        "lib/skills/pdf/SKILL.md",
        "---\nname: pdf\ndescription: Fill PDF forms\n---\n\nUse pdftk.\n",
    );
    dir
}

fn scan_json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_slice(&common::scan_stdout(cmd_in(dir), args, "json")).unwrap()
}

fn paths(report: &Value) -> Vec<String> {
    report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_threshold_comes_from_the_file_and_the_flag_wins() {
    let dir = library();
    let report = scan_json(dir.path(), &["lib"]);
    let default = agent_dedup::cluster::ClusterOptions::default().threshold;
    assert_eq!(
        report["settings"]["threshold"].as_f64().unwrap() as f32,
        default
    );
    write(dir.path(), "lib/.agent-dedup.toml", "threshold = 0.8\n");
    let report = scan_json(dir.path(), &["lib"]);
    assert!((report["settings"]["threshold"].as_f64().unwrap() - 0.8).abs() < 1e-6);
    let report = scan_json(dir.path(), &["lib", "--threshold", "0.5"]);
    assert_eq!(report["settings"]["threshold"], 0.5);
}

#[test]
fn the_file_is_found_in_a_parent_folder_or_named_with_config() {
    let dir = library();
    write(dir.path(), ".agent-dedup.toml", "threshold = 0.6\n");
    let report = scan_json(dir.path(), &["lib/team"]);
    assert!((report["settings"]["threshold"].as_f64().unwrap() - 0.6).abs() < 1e-6);
    write(dir.path(), "other.toml", "threshold = 0.7\n");
    let report = scan_json(dir.path(), &["lib", "--config", "other.toml"]);
    assert!((report["settings"]["threshold"].as_f64().unwrap() - 0.7).abs() < 1e-6);
}

#[test]
fn excludes_from_the_file_and_the_flag_leave_files_out() {
    let dir = library();
    let all = scan_json(dir.path(), &["lib"]);
    assert!(paths(&all).contains(&"lib/drafts/reviewer-copy.md".to_owned()));
    assert_eq!(clusters(&all).len(), 1);
    let flagged = scan_json(dir.path(), &["lib", "--exclude", "drafts/**"]);
    assert!(!paths(&flagged).iter().any(|p| p.contains("drafts")));
    assert!(clusters(&flagged).is_empty());
    write(
        dir.path(),
        "lib/.agent-dedup.toml",
        "exclude = [\"**/baker.md\"]\n",
    );
    let both = scan_json(dir.path(), &["lib", "--exclude", "drafts/**"]);
    assert_eq!(paths(&both).len(), 2, "{:?}", paths(&both));
}

#[test]
fn formats_choose_the_kinds_read_and_say_why_others_are_skipped() {
    let dir = library();
    write(
        dir.path(),
        "lib/.agent-dedup.toml",
        "formats = [\"agent\"]\n",
    );
    let report = scan_json(dir.path(), &["lib"]);
    assert!(!paths(&report).iter().any(|p| p.ends_with("SKILL.md")));
    let skipped = report["skipped"].as_array().unwrap();
    let skill = skipped
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with("SKILL.md"))
        .expect("the skill is listed as skipped");
    assert!(skill["reason"].as_str().unwrap().contains("formats"));
}

#[test]
fn a_bad_file_is_an_error_naming_it() {
    let dir = library();
    write(dir.path(), "lib/.agent-dedup.toml", "threshhold = 0.5\n");
    cmd_in(dir.path())
        .args(["scan", "lib"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(".agent-dedup.toml"))
        .stderr(predicates::str::contains("threshhold"));
    cmd_in(dir.path())
        .args(["scan", "lib", "--config", "missing.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing.toml"));
    cmd_in(dir.path())
        .args(["scan", "lib", "--exclude", "a[", "--config", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a["));
}

#[test]
fn reference_folders_are_compared_against_and_never_changed_by_apply() {
    let dir = library();
    let root = dir.path();
    // An installed plugin holds a copy of the team's reviewer, and two copies of its own agent.
    write(
        root,
        "vendor/plugin/reviewer.md",
        &agent("reviewer", "backend"),
    );
    write(
        root,
        "vendor/plugin/a/linter.md",
        &agent("linter", "frontend"),
    );
    write(
        root,
        "vendor/plugin/b/linter.md",
        &agent("linter", "frontend"),
    );
    write(
        root,
        "lib/.agent-dedup.toml",
        "reference = [\"../vendor\"]\n",
    );
    let report = scan_json(root, &["lib", "--exclude", "drafts/**"]);
    assert_eq!(report["inputs"], serde_json::json!(["lib"]));
    // Relative to the configuration file (found by its resolved path).
    let references = report["references"].as_array().unwrap();
    assert_eq!(references.len(), 1);
    assert!(references[0].as_str().unwrap().ends_with("lib/../vendor"));
    let found = clusters(&report);
    assert_eq!(
        found.len(),
        1,
        "only the cluster the library is in: {found:#?}"
    );
    let members = common::members(&found[0]);
    assert!(members.contains("lib/team/reviewer.md"));
    assert!(members
        .iter()
        .any(|m| m.ends_with("lib/../vendor/plugin/reviewer.md")));
    let names: Vec<&str> = report["name_collisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["reviewer"],
        "the plugin's own collision is left out"
    );

    std::fs::write(root.join("report.json"), report.to_string()).unwrap();
    let before = std::fs::read(root.join("vendor/plugin/reviewer.md")).unwrap();
    cmd_in(root)
        .args(["apply", "report.json"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("reference folder"));
    assert_eq!(
        std::fs::read(root.join("vendor/plugin/reviewer.md")).unwrap(),
        before
    );
    assert!(root.join("lib/team/reviewer.md").exists());
}
