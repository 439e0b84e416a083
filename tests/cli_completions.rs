//! `completions SHELL` and `man`: generated from the command-line definition, so they know every
//! subcommand and flag.

mod common;

use common::cmd;

fn stdout_of(args: &[&str]) -> String {
    let out = cmd().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completion_scripts_know_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for word in [
            "scan",
            "accept",
            "completions",
            "fail-on-collisions",
            "exclude",
        ] {
            assert!(script.contains(word), "{shell} script lacks `{word}`");
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let script = stdout_of(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agent-dedup.bash");
    std::fs::write(&file, script).unwrap();
    match std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("NOTICE: no bash here; syntax check skipped"),
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    cmd()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("tcsh"));
}

#[test]
fn the_man_page_has_a_section_per_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH agent-dedup"),
        "{}",
        &page[..200]
    );
    for section in [
        "AGENT\\-DEDUP SCAN",
        "AGENT\\-DEDUP ACCEPT",
        "AGENT\\-DEDUP APPLY",
    ] {
        assert!(
            page.contains(section) || page.contains(&section.replace("\\-", "-")),
            "no section {section}"
        );
    }
    assert!(page.contains("fail\\-on\\-collisions") || page.contains("fail-on-collisions"));
}
