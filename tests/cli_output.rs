//! Quiet by default: repeated warnings grouped by kind with a few examples (`--verbose` lists
//! every file); an `--out` folder that would be overwritten is refused before any work.

mod common;

use common::cmd_in;

/// `n` agents, each with an undocumented colour (one warning of one kind per file).
fn library(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    let roles = [
        "baker",
        "pilot",
        "gardener",
        "tailor",
        "cartographer",
        "glassblower",
        "beekeeper",
    ];
    for role in roles.iter().take(n) {
        std::fs::write(
            dir.path().join(format!("lib/{role}.md")),
            format!("---\nname: {role}\ndescription: Helps with the work of a {role}\ncolor: teal\n---\n\nYou are a {role}.\n"),
        )
        .unwrap();
    }
    dir
}

#[test]
fn repeated_warnings_are_grouped_with_a_few_examples_and_verbose_lists_all() {
    let dir = library(7);
    let out = cmd_in(dir.path())
        .args(["scan", "lib", "-q"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("7 × undocumented value"), "{text}");
    assert_eq!(text.matches("`color: teal`").count(), 3, "{text}");
    assert!(
        text.contains("… and 4 more (--verbose lists every file)"),
        "{text}"
    );
    let out = cmd_in(dir.path())
        .args(["scan", "lib", "-q", "--verbose"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("`color: teal`").count(), 7, "{text}");
}

#[test]
fn an_out_folder_with_earlier_files_is_refused_before_any_work() {
    let dir = library(3);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    for i in 0..40 {
        std::fs::write(out_dir.join(format!("agent-{i:02}.md")), "mine").unwrap();
    }
    std::fs::write(out_dir.join("notes.txt"), "not ours").unwrap();
    let out = cmd_in(dir.path())
        .args(["scan", "lib", "-q", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "no report printed before the refusal"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("already holds 40 report, agent or diff file(s)"),
        "{err}"
    );
    assert!(
        err.contains("agent-00.md") && err.contains("and 37 more"),
        "{err}"
    );
    assert!(err.len() < 400, "one short message: {err}");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("agent-00.md")).unwrap(),
        "mine"
    );
    // A folder holding only other files is fine; --force writes anyway.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "x").unwrap();
    cmd_in(dir.path())
        .args(["scan", "lib", "-q", "--out", "other"])
        .assert()
        .success();
    cmd_in(dir.path())
        .args(["scan", "lib", "-q", "--out", "out", "--force"])
        .assert()
        .success();
}

/// Merged definitions are written in their tool's format, so a Codex agent (`.toml`) or a CrewAI
/// file (`.yaml`) of an earlier run is refused like a Markdown one.
#[test]
fn earlier_merged_files_in_any_format_are_refused_before_any_work() {
    let dir = library(2);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("reviewer.toml"), "name = \"mine\"\n").unwrap();
    std::fs::write(out_dir.join("crew.yaml"), "mine: true\n").unwrap();
    let out = cmd_in(dir.path())
        .args(["scan", "lib", "-q", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("crew.yaml") && err.contains("reviewer.toml"),
        "{err}"
    );
}
