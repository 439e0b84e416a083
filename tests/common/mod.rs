//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

pub mod scanned;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

pub const SEEDS: [&str; 5] = [
    "corpus/seeds/backend-architect.md",
    "corpus/seeds/backend-engineer.md",
    "corpus/seeds/backend-system-architect-escaped-newlines.md",
    "corpus/seeds/backend-system-architect-mojibake.md",
    "corpus/seeds/backend-systems-engineer.md",
];

pub const UNRELATED: [&str; 3] = [
    "tests/fixtures/unrelated/sourdough-baker.md",
    "tests/fixtures/unrelated/tax-form-checker.md",
    "tests/fixtures/unrelated/telescope-guide.md",
];

/// The binary, run from the crate root so that `corpus/...` paths resolve.
pub fn cmd() -> Command {
    let mut c = Command::cargo_bin("agent-dedup").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The binary, run from `dir`.
pub fn cmd_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("agent-dedup").expect("binary builds");
    c.current_dir(dir);
    c
}

/// `scan ARGS --format json -q`, asserting success, parsed.
pub fn scan_json(args: &[&str]) -> Value {
    serde_json::from_slice(&scan_stdout(cmd(), args, "json"))
        .expect("scan --format json prints JSON")
}

/// [`scan_json`] run from `dir`.
pub fn scan_json_in(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_slice(&scan_stdout(cmd_in(dir), args, "json"))
        .expect("scan --format json prints JSON")
}

/// What `scan ARGS --format FORMAT -q` prints, run as `command`, asserting success.
pub fn scan_stdout(mut command: Command, args: &[&str], format: &str) -> Vec<u8> {
    let out = command
        .arg("scan")
        .args(args)
        .args(["--format", format, "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scan {args:?} --format {format} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn clusters(report: &Value) -> &Vec<Value> {
    report["clusters"].as_array().expect("clusters is an array")
}

pub fn members(cluster: &Value) -> BTreeSet<String> {
    cluster["members"]
        .as_array()
        .expect("members is an array")
        .iter()
        .map(|m| m.as_str().expect("member is a path").to_owned())
        .collect()
}

/// Splits `---\n<yaml>\n---\n<body>` and parses the YAML strictly.
pub fn strict_frontmatter(text: &str) -> serde_yaml::Mapping {
    let rest = text
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("merged file does not start with `---`:\n{text}"));
    let end = rest
        .find("\n---\n")
        .unwrap_or_else(|| panic!("merged frontmatter never closes:\n{text}"));
    serde_yaml::from_str::<serde_yaml::Mapping>(&rest[..end]).unwrap_or_else(|e| {
        panic!(
            "merged frontmatter is not strict YAML ({e}):\n{}",
            &rest[..end]
        )
    })
}

/// Checks the two fields Claude Code needs: a valid `name` and a non-empty `description`.
pub fn assert_loadable_frontmatter(text: &str) -> serde_yaml::Mapping {
    let fm = strict_frontmatter(text);
    let name = fm
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("merged frontmatter has no string `name`: {fm:?}"));
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "name `{name}` is not lowercase letters, digits and hyphens"
    );
    let description = fm
        .get("description")
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("merged frontmatter has no string `description`: {fm:?}"));
    assert!(!description.trim().is_empty(), "description is empty");
    fm
}

/// Every file under `dir` (recursively), relative path → bytes.
pub fn snapshot_dir(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Copies `src` (a folder) into `dst` recursively.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let p = entry.unwrap().path();
        let target = dst.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}
