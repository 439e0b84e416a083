//! `agent-dedup merge`: one suggested definition from an explicit set of files.

mod common;

use common::*;
use predicates::prelude::*;

fn merge(args: &[&str]) -> String {
    let out = cmd().arg("merge").args(args).arg("-q").output().unwrap();
    assert!(
        out.status.success(),
        "merge {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("merge prints UTF-8")
}

const THREE: [&str; 3] = [
    "corpus/seeds/backend-architect.md",
    "corpus/seeds/backend-engineer.md",
    "corpus/seeds/backend-systems-engineer.md",
];

#[test]
fn merged_definition_has_strict_loadable_frontmatter_and_a_body() {
    let text = merge(&THREE);
    assert_loadable_frontmatter(&text);
    let body = text
        .splitn(3, "---\n")
        .nth(2)
        .expect("frontmatter is closed");
    assert!(
        body.trim().len() > 200,
        "merged body is (nearly) empty: {body:?}"
    );
    // Without --diff, no diff is printed.
    assert!(
        !text.contains("\n--- corpus/"),
        "diff printed without --diff"
    );
}

#[test]
fn argument_order_does_not_change_the_output() {
    let [a, b, c] = THREE;
    let first = merge(&[a, b, c, "--diff"]);
    for order in [[c, b, a], [b, c, a], [c, a, b]] {
        let args = [order[0], order[1], order[2], "--diff"];
        assert!(
            merge(&args) == first,
            "merge output depends on argument order: {order:?}"
        );
    }
}

#[test]
fn diff_adds_a_unified_diff_from_each_input() {
    let plain = merge(&THREE);
    let with_diff = merge(&[THREE[0], THREE[1], THREE[2], "--diff"]);
    assert!(
        with_diff.starts_with(&plain),
        "--diff changed the merged definition itself"
    );
    let diffs = &with_diff[plain.len()..];
    for path in THREE {
        let header = format!("\n--- {path}\n+++ ");
        assert!(
            diffs.contains(&header),
            "no `--- {path}` / `+++` header in:\n{diffs}"
        );
    }
    assert!(
        diffs.lines().any(|l| l.starts_with("@@ -")),
        "no hunk header"
    );
    assert_eq!(diffs.matches("\n+++ ").count(), THREE.len());
}

#[test]
fn merging_a_file_with_only_one_other_works() {
    let [a, b, _] = THREE;
    let text = merge(&[a, b, "--diff"]);
    assert_loadable_frontmatter(&text);
    for path in [a, b] {
        assert!(
            text.contains(&format!("\n--- {path}\n+++ ")),
            "no diff from {path}"
        );
    }
}

#[test]
fn merging_a_single_file_is_a_usage_error() {
    cmd()
        .args(["merge", THREE[0]])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
}

#[test]
fn missing_file_exits_2_and_names_it() {
    cmd()
        .args(["merge", THREE[0], "no/such/agent.md", "-q"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("no/such/agent.md"));
}

#[test]
fn unreadable_agent_exits_2_and_names_it() {
    cmd()
        .args([
            "merge",
            THREE[0],
            "corpus/library/community/rust-pro.md",
            "-q",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "corpus/library/community/rust-pro.md",
        ));
}
