//! Item 12 of issue 10: one agent copied hundreds of times into a library large enough for the
//! candidate index (more than 500 agents). Every key of the copies is then held by more files than
//! the index keeps a key for, yet the copies must still form one `copy` cluster, and the indexed
//! path must give the clusters the exhaustive path gives (README, "candidates").

mod common;

use common::{cmd_in, members};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// A small deterministic generator, so that the library is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }

    /// A made-up word of three syllables: thousands of them, none shared by chance very often.
    fn word(&mut self) -> String {
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "bal", "cor", "dem", "fin",
            "gar", "hul", "jes", "kim", "lun", "mor", "nix", "pol", "quo", "rin",
        ];
        (0..3).map(|_| SYLLABLES[self.next(24)]).collect()
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut s: Vec<String> = (0..words).map(|_| self.word()).collect();
        s[0] = format!("You {}", s[0]);
        format!("{}.", s.join(" "))
    }
}

const REVIEWER: &str = "---\nname: code-reviewer\ndescription: Reviews pull requests for \
correctness, security and style before they are merged.\nmodel: sonnet\n---\n\nYou are a senior \
code reviewer.\n\n## What you check\n\n- Every changed function has a test.\n- No secrets or \
credentials in the diff.\n- Errors are handled, not swallowed.\n\n## How you report\n\nOne finding \
per line, with the file and line, most severe first.\n";

/// `copies` copies of one reviewer (half renamed per plugin, some saved with CRLF line endings and
/// trailing blanks: the same agent once normalized) among `others` agents that are all different.
fn build_library(root: &Path, copies: usize, others: usize) -> BTreeSet<String> {
    let mut rng = Lcg(7);
    let mut copy_paths = BTreeSet::new();
    for i in 0..copies {
        let rel = format!("lib/plugins/p{i:03}/agents/code-reviewer.md");
        let mut text = REVIEWER.to_owned();
        if i % 2 == 1 {
            text = text.replace(
                "name: code-reviewer",
                &format!("name: p{i:03}-code-reviewer"),
            );
        }
        if i % 5 == 0 {
            text = text.replace('\n', "\r\n") + "\r\n\r\n";
        }
        let path = root.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        copy_paths.insert(rel);
    }
    for i in 0..others {
        let name = format!("{}-{}", rng.word(), rng.word());
        let text = format!(
            "---\nname: {name}\ndescription: {}\n---\n\n{}\n\n## {}\n\n- {}\n- {}\n",
            rng.sentence(12),
            rng.sentence(20),
            rng.word(),
            rng.sentence(10),
            rng.sentence(10)
        );
        let path = root.join(format!("lib/others/{i:03}-{name}.md"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    copy_paths
}

fn scan(root: &Path, extra: &[&str]) -> Value {
    let out = cmd_in(root)
        .args(["scan", "lib", "-q", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cluster_sets(report: &Value) -> BTreeSet<BTreeSet<String>> {
    report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(members)
        .collect()
}

fn check(copies: usize, others: usize) {
    let dir = tempfile::tempdir().unwrap();
    let copy_paths = build_library(dir.path(), copies, others);
    let indexed = scan(dir.path(), &[]);
    assert_eq!(indexed["parsed"], copies + others);
    let cluster = indexed["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| members(c).contains(copy_paths.first().unwrap()))
        .unwrap_or_else(|| panic!("{copies} copies: no cluster holds them"));
    assert_eq!(
        members(cluster),
        copy_paths,
        "{copies} copies: not all in one cluster"
    );
    assert_eq!(cluster["tier"], "copy", "{copies} copies");
    let exhaustive = scan(dir.path(), &["--exhaustive"]);
    assert_eq!(
        cluster_sets(&indexed),
        cluster_sets(&exhaustive),
        "{copies} copies: the indexed and the exhaustive paths differ"
    );
}

#[test]
fn hundreds_of_copies_are_one_copy_cluster_in_both_paths() {
    check(250, 400);
    check(150, 500);
}

/// `copies` copies of each of `variants` definitions of one reviewer, alike but each with a line of
/// its own, in folders of their own; returns how many files.
fn build_variant_copies(root: &Path, variants: usize, copies: usize) -> usize {
    for v in 0..variants {
        let text = REVIEWER.replace(
            "## How you report",
            &format!("- Variant {v} also checks item {v} of the list.\n\n## How you report"),
        );
        for c in 0..copies {
            let path = root.join(format!("lib/plugins/p{c:03}/agents/code-reviewer-{v}.md"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &text).unwrap();
        }
    }
    variants * copies
}

/// Issue 15: a library made mostly of copies (each of 662 agents copied 151 times) drove the
/// candidates past 1.5 GB, each copy being paired with every copy of every definition alike. Copies
/// of one definition are now scored once, by their first copy: the pairs scored grow with the
/// copies and the pairs of definitions, not with the pairs of copies, and the clusters are still
/// those of scoring every pair.
#[test]
fn copies_of_alike_definitions_are_scored_once_per_definition() {
    let variants = 6;
    for copies in [100, 200] {
        let dir = tempfile::tempdir().unwrap();
        let files = build_variant_copies(dir.path(), variants, copies);
        let indexed = scan(dir.path(), &[]);
        let exhaustive = scan(dir.path(), &["--exhaustive"]);
        let scored = |report: &Value| report["pairs_scored"].as_u64().unwrap() as usize;
        let definition_pairs = variants * (variants - 1) / 2;
        assert!(
            scored(&indexed) <= files + definition_pairs,
            "{copies} copies: {} pairs scored for {files} files",
            scored(&indexed)
        );
        assert!(
            scored(&exhaustive) > files * (files - 1) / 4,
            "the variants are alike: scoring every pair keeps most pairs"
        );
        assert_eq!(
            cluster_sets(&indexed),
            cluster_sets(&exhaustive),
            "{copies} copies"
        );
        assert_eq!(
            cluster_sets(&indexed).len(),
            1,
            "one reviewer, {copies} copies"
        );
    }
}
