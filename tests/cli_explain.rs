//! `agent-dedup explain`: why two agents match, part by part.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn explain(args: &[&str]) -> String {
    let out = cmd().arg("explain").args(args).arg("-q").output().unwrap();
    assert!(
        out.status.success(),
        "explain {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const A: &str = "corpus/seeds/backend-system-architect-mojibake.md";
const B: &str = "corpus/seeds/backend-systems-engineer.md";

#[test]
fn two_seeds_would_cluster_and_every_part_is_shown() {
    let text = explain(&[A, B]);
    assert!(text.contains(A) && text.contains(B), "{text}");
    for part in ["name", "description", "body", "shared", "boilerplate"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(part)),
            "no `{part}` line in:\n{text}"
        );
    }
    assert!(text.contains("would cluster"), "{text}");
    assert!(!text.contains("would not cluster"), "{text}");
}

#[test]
fn seed_and_unrelated_agent_would_not_cluster() {
    let text = explain(&[A, UNRELATED[0]]);
    assert!(text.contains("would not cluster"), "{text}");
}

#[test]
fn json_has_a_total_score_consistent_with_the_verdict() {
    for (other, expect) in [(B, true), (UNRELATED[0], false)] {
        let out = cmd()
            .args(["explain", A, other, "--format", "json", "-q"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).expect("explain --format json is JSON");
        assert!(v.is_object());
        let total = v["score"]["total"]
            .as_f64()
            .expect("score.total is a number");
        assert!((0.0..=1.0).contains(&total), "total {total}");
        let threshold = v["threshold"].as_f64().unwrap();
        assert_eq!(v["would_cluster"], expect, "{v:#}");
        assert_eq!(total >= threshold, expect, "{v:#}");
    }
}

/// The score of a pair does not depend on how the user spells the paths: from inside the folder,
/// `explain a.md b.md` must judge against the same library as `explain dir/a.md dir/b.md`.
#[test]
fn score_does_not_depend_on_the_working_directory() {
    let json = |c: &mut assert_cmd::Command, a: &str, b: &str| -> Value {
        let out = c
            .args(["explain", a, b, "--format", "json", "-q"])
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let from_root = json(&mut cmd(), A, B);
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/seeds");
    let from_inside = json(
        &mut cmd_in(&seeds),
        A.trim_start_matches("corpus/seeds/"),
        B.trim_start_matches("corpus/seeds/"),
    );
    assert_eq!(from_root["library_size"], from_inside["library_size"]);
    assert_eq!(from_root["score"], from_inside["score"]);
}

#[test]
fn missing_file_exits_2_and_names_it() {
    cmd()
        .args(["explain", A, "no/such/agent.md", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/agent.md"));
}

#[test]
fn the_verdict_is_what_a_scan_of_the_same_library_does() {
    let out = cmd()
        .args([
            "explain",
            A,
            B,
            "--library",
            "corpus/seeds",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["scan"]["together"], true, "{v:#}");
    assert_eq!(v["would_cluster"], true);
    let others: Vec<&str> = v["scan"]["cluster_of_a"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        others
            .iter()
            .any(|p| p.ends_with("backend-systems-engineer.md")),
        "{others:?}"
    );
    assert_eq!(
        others.len(),
        4,
        "the five seeds are one cluster: {others:?}"
    );
    let text = explain(&[A, B, "--library", "corpus/seeds"]);
    assert!(
        text.contains("a scan of the same library clusters them together (5 member(s))"),
        "{text}"
    );
}

/// `explain` says when one agent names a subject the other never mentions, and the JSON carries it.
#[test]
fn a_subject_one_agent_never_mentions_is_shown_and_discounts() {
    let dir = tempfile::tempdir().unwrap();
    let body = "## Approach\n\nProfile first, then fix the hottest path, then measure again.\n";
    let write = |file: &str, name: &str, description: &str| {
        let text = format!("---\nname: {name}\ndescription: {description}\n---\n{body}");
        std::fs::write(dir.path().join(file), text).unwrap();
    };
    write(
        "a.md",
        "performance-optimizer",
        "Find bottlenecks and tune memory use.",
    );
    write(
        "b.md",
        "go-performance-optimizer",
        "Profile and tune Go services.",
    );
    let (a, b) = (dir.path().join("a.md"), dir.path().join("b.md"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let text = explain(&[a, b]);
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("subjects")),
        "{text}"
    );
    let out = cmd()
        .args(["explain", a, b, "--format", "json", "-q"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["score"]["different_subjects"], true, "{v:#}");
}
