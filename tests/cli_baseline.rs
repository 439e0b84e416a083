//! The baseline of accepted findings: `accept` records them by content hash, later scans report
//! them apart, and `--fail-on-duplicates` / `--fail-on-collisions` fail only on new ones.

mod common;

use common::{clusters, cmd_in};
use serde_json::Value;
use std::path::Path;

fn agent(name: &str, extra: &str) -> String {
    format!(
        "---\nname: {name}\ndescription: Reviews pull requests for security flaws, unsafe input handling and leaked secrets\n---\n\n\
You are a code reviewer.\n\n## Checks\n\n- Look for injection in every query\n- Look for secrets committed to the repository\n\
- Check input validation and length limits\n- {extra}\n"
    )
}

/// Two near-copies that share a name: one cluster and one name collision.
fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib/a")).unwrap();
    std::fs::create_dir_all(dir.path().join("lib/b")).unwrap();
    std::fs::write(
        dir.path().join("lib/a/reviewer.md"),
        agent("reviewer", "Report each finding with its line"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("lib/b/reviewer.md"),
        agent("reviewer", "Report every finding with a line number"),
    )
    .unwrap();
    dir
}

fn json_report(dir: &Path) -> Value {
    let out = cmd_in(dir)
        .args(["scan", "lib", "--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(dir.join("report.json"), &out.stdout).unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn gate(dir: &Path) -> assert_cmd::assert::Assert {
    cmd_in(dir)
        .args([
            "scan",
            "lib",
            "-q",
            "--fail-on-duplicates",
            "--fail-on-collisions",
        ])
        .assert()
}

#[test]
fn accepted_findings_no_longer_fail_ci_until_a_file_changes() {
    let dir = library();
    let root = dir.path();
    let report = json_report(root);
    assert_eq!(clusters(&report).len(), 1);
    gate(root).code(1);

    cmd_in(root)
        .args([
            "accept",
            "c1",
            "--report",
            "report.json",
            "--reason",
            "two on purpose",
        ])
        .assert()
        .success();
    let baseline: Value =
        serde_json::from_slice(&std::fs::read(root.join(".agent-dedup-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["accepted"][0]["kind"], "cluster");
    assert_eq!(baseline["accepted"][0]["reason"], "two on purpose");
    assert_eq!(
        baseline["accepted"][0]["files"][0]["sha256"],
        report["agents"][0]["sha256"]
    );
    // The collision is still new.
    gate(root).code(1);
    cmd_in(root)
        .args(["scan", "lib", "-q", "--fail-on-duplicates"])
        .assert()
        .success();

    cmd_in(root)
        .args([
            "accept",
            "--collision",
            "reviewer",
            "--report",
            "report.json",
        ])
        .assert()
        .success();
    gate(root)
        .success()
        .stdout(predicates::str::contains("Accepted in the baseline"))
        .stdout(predicates::str::contains("name collisions: reviewer"));
    let report = json_report(root);
    assert_eq!(report["accepted"]["clusters"], serde_json::json!(["c1"]));
    assert_eq!(
        report["accepted"]["name_collisions"],
        serde_json::json!(["reviewer"])
    );

    // Accepting again adds nothing.
    cmd_in(root)
        .args(["accept", "c1", "--report", "report.json"])
        .assert()
        .success()
        .stderr(predicates::str::contains("already"));

    // An edited file is a new finding.
    let edited = root.join("lib/b/reviewer.md");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("- Check the logging of errors\n");
    std::fs::write(&edited, text).unwrap();
    gate(root).code(1);
}

#[test]
fn the_baseline_is_found_above_the_folder_scanned_or_named() {
    let dir = library();
    let root = dir.path();
    json_report(root);
    let accept = || {
        let mut c = cmd_in(root);
        c.args(["accept", "c1", "--collision", "reviewer"]).args([
            "--report",
            "report.json",
            "--baseline",
            "ci/accepted.json",
        ]);
        c
    };
    accept()
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ci/accepted.json"));
    std::fs::create_dir(root.join("ci")).unwrap();
    accept().assert().success();
    gate(root).code(1);
    cmd_in(root)
        .args([
            "scan",
            "lib",
            "-q",
            "--fail-on-duplicates",
            "--fail-on-collisions",
        ])
        .args(["--baseline", "ci/accepted.json"])
        .assert()
        .success();
    std::fs::write(
        root.join(".agent-dedup.toml"),
        "baseline = \"ci/accepted.json\"\n",
    )
    .unwrap();
    gate(root).success();
    std::fs::remove_file(root.join(".agent-dedup.toml")).unwrap();
    std::fs::rename(
        root.join("ci/accepted.json"),
        root.join(".agent-dedup-baseline.json"),
    )
    .unwrap();
    gate(root).success();
}

#[test]
fn findings_accepted_in_the_configuration_count_too() {
    let dir = library();
    let root = dir.path();
    let report = json_report(root);
    let files: Vec<String> = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{{ path = {}, sha256 = {} }}", a["path"], a["sha256"]))
        .collect();
    let toml = format!(
        "[[accepted]]\nkind = \"cluster\"\nfiles = [{0}]\n\n[[accepted]]\nkind = \"collision\"\nname = \"reviewer\"\nfiles = [{0}]\n",
        files.join(", ")
    );
    std::fs::write(root.join("lib/.agent-dedup.toml"), toml).unwrap();
    gate(root).success();
}

#[test]
fn accepted_findings_are_suppressed_in_sarif() {
    let dir = library();
    let root = dir.path();
    json_report(root);
    cmd_in(root)
        .args(["accept", "c1", "--report", "report.json"])
        .assert()
        .success();
    let out = cmd_in(root)
        .args(["scan", "lib", "-q", "--format", "sarif"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let cluster = results
        .iter()
        .find(|r| r["ruleId"] != "name-collision")
        .unwrap();
    assert_eq!(cluster["suppressions"][0]["status"], "accepted");
    let collision = results
        .iter()
        .find(|r| r["ruleId"] == "name-collision")
        .unwrap();
    assert!(collision.get("suppressions").is_none());
}

#[test]
fn unknown_ids_changed_files_and_bad_baselines_are_errors() {
    let dir = library();
    let root = dir.path();
    json_report(root);
    cmd_in(root)
        .args(["accept", "c9", "--report", "report.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no cluster `c9`"))
        .stderr(predicates::str::contains("it has: c1"));
    cmd_in(root)
        .args(["accept", "--report", "report.json"])
        .assert()
        .code(2);
    std::fs::write(root.join("lib/a/reviewer.md"), agent("reviewer", "changed")).unwrap();
    cmd_in(root)
        .args(["accept", "c1", "--report", "report.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("changed since the scan"));
    assert!(!root.join(".agent-dedup-baseline.json").exists());
    std::fs::write(root.join(".agent-dedup-baseline.json"), "{\"version\": 1, \"accepted\": [{\"kind\": \"cluster\", \"files\": [{\"sha256\": \"xyz\"}]}]}").unwrap();
    cmd_in(root)
        .args(["scan", "lib", "-q"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(".agent-dedup-baseline.json"))
        .stderr(predicates::str::contains("not a SHA-256"));
}
