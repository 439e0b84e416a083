//! `agent-dedup scan`: what a user sees when they point it at a library.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The answer key of the sample library: path (relative to `corpus/`) → role.
fn answer_key() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let text = std::fs::read_to_string(root.join("library/.expected.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (path, role) = l.split_once('\t').expect("path<TAB>role");
            (format!("corpus/{path}"), role.to_owned())
        })
        .collect()
}

fn kinds(report: &Value) -> BTreeMap<String, String> {
    report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_owned(),
                a["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn seed_set() -> BTreeSet<String> {
    SEEDS.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------- clustering

#[test]
fn seeds_form_exactly_one_cluster_with_all_five() {
    let report = scan_json(&["corpus/seeds"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["parsed"], 5);
    let clusters = clusters(&report);
    assert_eq!(clusters.len(), 1, "clusters: {clusters:#?}");
    assert_eq!(members(&clusters[0]), seed_set());
    let rep = clusters[0]["representative"].as_str().unwrap();
    assert!(SEEDS.contains(&rep), "representative {rep} is not a member");
}

#[test]
fn whole_corpus_keeps_seeds_together_and_pure() {
    let report = scan_json(&["corpus"]);
    let key = answer_key();
    let with_seeds: Vec<&Value> = clusters(&report)
        .iter()
        .filter(|c| members(c).iter().any(|m| m.starts_with("corpus/seeds/")))
        .collect();
    assert_eq!(
        with_seeds.len(),
        1,
        "seeds are split over several clusters: {with_seeds:#?}"
    );
    let seeds_cluster = members(with_seeds[0]);
    for m in &seeds_cluster {
        assert_eq!(
            key.get(m).map(String::as_str),
            Some("backend"),
            "{m} is in the backend cluster but its role is {:?}",
            key.get(m)
        );
    }
    assert_eq!(seeds_cluster, seed_set());
}

/// Every file of the answer key is accounted for, and no cluster holds two roles.
/// (Two files sharing the generic name `helper` but doing unrelated jobs must not be merged.)
#[test]
fn whole_corpus_no_cluster_mixes_roles() {
    let report = scan_json(&["corpus"]);
    let key = answer_key();
    for c in clusters(&report) {
        let roles: BTreeSet<&str> = members(c)
            .iter()
            .map(|m| {
                key.get(m)
                    .unwrap_or_else(|| panic!("{m} is not in the answer key"))
                    .as_str()
            })
            .collect();
        assert_eq!(
            roles.len(),
            1,
            "cluster {} mixes roles {roles:?}: {:?}",
            c["id"],
            members(c)
        );
    }
}

#[test]
fn whole_corpus_never_mixes_skills_and_agents() {
    let report = scan_json(&["corpus"]);
    let kinds = kinds(&report);
    assert_eq!(
        kinds
            .get("corpus/library/skills/python-packaging/SKILL.md")
            .map(String::as_str),
        Some("skill")
    );
    assert!(
        kinds
            .iter()
            .filter(|(p, _)| !p.ends_with("SKILL.md"))
            .all(|(_, k)| k == "agent"),
        "a non-SKILL.md file is reported as a skill: {kinds:#?}"
    );
    for c in clusters(&report) {
        let in_cluster: BTreeSet<&str> = members(c).iter().map(|m| kinds[m].as_str()).collect();
        assert_eq!(
            in_cluster.len(),
            1,
            "cluster {} mixes kinds: {:?}",
            c["id"],
            members(c)
        );
    }
}

#[test]
fn whole_corpus_skips_unreadable_files_with_a_reason() {
    let report = scan_json(&["corpus"]);
    let skipped: BTreeMap<String, String> = report["skipped"]
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
    for path in [
        "corpus/library/community/NOTES.md",
        "corpus/library/community/rust-pro.md",
    ] {
        let reason = skipped
            .get(path)
            .unwrap_or_else(|| panic!("{path} not in skipped: {skipped:#?}"));
        assert!(!reason.trim().is_empty(), "{path} skipped without a reason");
    }
    // A skipped file is not also reported as parsed, and nothing is lost silently.
    let parsed = kinds(&report);
    for path in skipped.keys() {
        assert!(
            !parsed.contains_key(path),
            "{path} is both parsed and skipped"
        );
    }
    assert_eq!(
        report["scanned"].as_u64().unwrap(),
        (parsed.len() + skipped.len()) as u64
    );
    assert_eq!(report["parsed"].as_u64().unwrap(), parsed.len() as u64);
}

#[test]
fn whole_corpus_reports_helper_name_collision() {
    let report = scan_json(&["corpus"]);
    let helper = report["name_collisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "helper")
        .expect("the `helper` name collision is reported");
    let paths: BTreeSet<&str> = helper["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "corpus/library/community/helper.md",
            "corpus/library/plugins/web-kit/agents/helper.md",
        ])
    );
}

#[test]
fn whole_corpus_plugin_copies_are_one_copy_cluster() {
    let report = scan_json(&["corpus"]);
    let copies: BTreeSet<String> = [
        "corpus/library/plugins/ci-tools/agents/test-automator.md",
        "corpus/library/plugins/devflow/agents/test-automator.md",
        "corpus/library/plugins/qa-kit/agents/test-automator.md",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let holding: Vec<&Value> = clusters(&report)
        .iter()
        .filter(|c| !members(c).is_disjoint(&copies))
        .collect();
    assert_eq!(holding.len(), 1, "copies split: {holding:#?}");
    let c = holding[0];
    assert!(members(c).is_superset(&copies), "{:?}", members(c));
    // The cluster may also hold an independently written agent of the same role (the answer key
    // puts `team-alpha/agents/test-engineer.md` with them); the three copies are one copy group.
    let groups: Vec<BTreeSet<String>> = c["copy_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g.as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert!(groups.contains(&copies), "{groups:?}");
    if members(c) == copies {
        assert_eq!(c["tier"], "copy");
    }
}

/// Adding unrelated agents to a scan must not split a cluster of true duplicates.
#[test]
fn seeds_stay_one_cluster_when_scanned_with_unrelated_agents() {
    let report = scan_json(&["tests/fixtures/unrelated", "corpus/seeds"]);
    let clusters = clusters(&report);
    assert_eq!(
        clusters.len(),
        1,
        "clusters: {:#?}",
        clusters.iter().map(members).collect::<Vec<_>>()
    );
    assert_eq!(members(&clusters[0]), seed_set());
}

// ---------------------------------------------------------------- paths and determinism

#[test]
fn json_paths_are_printed_as_given() {
    let report = scan_json(&["corpus/seeds"]);
    let mut paths: Vec<String> = Vec::new();
    paths.extend(
        report["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["path"].as_str().unwrap().to_owned()),
    );
    for c in clusters(&report) {
        paths.extend(members(c));
        paths.push(c["representative"].as_str().unwrap().to_owned());
    }
    for n in report["name_collisions"].as_array().unwrap() {
        paths.extend(
            n["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned()),
        );
    }
    assert!(paths.len() >= 10);
    for p in &paths {
        assert!(
            p.starts_with("corpus/seeds/") && !Path::new(p).is_absolute(),
            "path not printed as given: {p}"
        );
    }

    // From another working directory the same files come back relative to it.
    let out = cmd_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))
        .args(["scan", "seeds", "--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let agents: BTreeSet<String> = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = SEEDS
        .iter()
        .map(|s| s.trim_start_matches("corpus/").to_owned())
        .collect();
    assert_eq!(agents, expected);
    for c in clusters(&report) {
        assert!(members(c).is_subset(&expected), "{:?}", members(c));
    }
}

/// A file reached twice (a folder and, spelled differently, one of its files) is one agent: it is
/// not a name collision with itself, nor a duplicate of itself.
#[test]
fn overlapping_inputs_read_each_file_once() {
    let report = scan_json(&["corpus/seeds", "./corpus/seeds/backend-engineer.md"]);
    assert_eq!(report["parsed"], 5, "{:#?}", report["agents"]);
    assert_eq!(report["scanned"], 5);
    for n in report["name_collisions"].as_array().unwrap() {
        assert_ne!(
            n["name"], "backend-engineer",
            "a file collides with itself: {n}"
        );
    }
}

#[test]
fn two_runs_print_identical_json() {
    let run = || {
        cmd()
            .args(["scan", "corpus", "--format", "json", "-q"])
            .output()
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert!(a.status.success() && b.status.success());
    assert!(!a.stdout.is_empty());
    assert!(a.stdout == b.stdout, "two scans of corpus/ differ");
}

/// Copies every file of `corpus/` into `dst`, in reverse order, renaming every folder and file (but
/// `SKILL.md`, whose name makes it a skill) so that sorting puts them in the opposite order.
/// Returns new path (relative to `dst`) → original path.
fn reversed_copy(dst: &Path) -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = snapshot_dir(&root.join("corpus"))
        .into_keys()
        .filter(|p| p.ends_with(".md"))
        .map(PathBuf::from)
        .collect();
    files.sort();
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .flat_map(|f| {
            f.ancestors()
                .skip(1)
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    let dirs: Vec<PathBuf> = dirs.into_iter().collect();
    let rank = |d: &Path| dirs.len() - dirs.iter().position(|x| x == d).unwrap();
    let mut mapping = BTreeMap::new();
    for (i, f) in files.iter().enumerate().rev() {
        let mut new = PathBuf::new();
        let mut so_far = PathBuf::new();
        for comp in f.parent().unwrap().components() {
            so_far.push(comp);
            new.push(format!(
                "{:02}-{}",
                rank(&so_far),
                comp.as_os_str().to_string_lossy()
            ));
        }
        let name = f.file_name().unwrap().to_string_lossy();
        if name == "SKILL.md" {
            new.push("SKILL.md");
        } else {
            new.push(format!("{:02}-{name}", files.len() - i));
        }
        std::fs::create_dir_all(dst.join(new.parent().unwrap())).unwrap();
        std::fs::copy(root.join("corpus").join(f), dst.join(&new)).unwrap();
        mapping.insert(
            new.to_string_lossy().into_owned(),
            format!("corpus/{}", f.to_string_lossy()),
        );
    }
    mapping
}

/// Clusters as sets of original paths, with their tier. (Not the merged name: in a two-member
/// cluster either member may be the representative, and the tie is broken by order.)
fn cluster_summary(
    report: &Value,
    to_original: impl Fn(&str) -> String,
) -> BTreeSet<(BTreeSet<String>, String)> {
    clusters(report)
        .iter()
        .map(|c| {
            (
                members(c).iter().map(|m| to_original(m)).collect(),
                c["tier"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn folder_order_and_naming_do_not_change_clusters() {
    let original = scan_json(&["corpus"]);
    let tmp = tempfile::tempdir().unwrap();
    let mapping = reversed_copy(tmp.path());
    let out = cmd_in(tmp.path())
        .args(["scan", ".", "--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let copied: Value = serde_json::from_slice(&out.stdout).unwrap();

    let expected = cluster_summary(&original, |p| p.to_owned());
    let got = cluster_summary(&copied, |p| {
        let rel = p.trim_start_matches("./");
        mapping
            .get(rel)
            .unwrap_or_else(|| panic!("unknown path {p}"))
            .clone()
    });
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

// ---------------------------------------------------------------- errors and exit codes

#[test]
fn missing_path_exits_2_and_names_it() {
    cmd()
        .args(["scan", "no/such/dir", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"));
}

#[test]
fn threshold_outside_unit_interval_is_a_usage_error() {
    cmd()
        .args(["scan", "corpus/seeds", "--threshold", "7"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("--threshold"));
}

#[test]
fn fail_on_duplicates_exits_1_when_duplicates_are_found() {
    cmd()
        .args(["scan", "corpus/seeds", "-q", "--fail-on-duplicates"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("backend"));
}

#[test]
fn fail_on_duplicates_exits_0_on_unrelated_agents() {
    let report = scan_json(&["tests/fixtures/unrelated"]);
    assert_eq!(report["parsed"], 3, "the fixtures must all parse");
    assert!(clusters(&report).is_empty());
    cmd()
        .args([
            "scan",
            "tests/fixtures/unrelated",
            "-q",
            "--fail-on-duplicates",
        ])
        .assert()
        .code(0);
}

#[test]
fn without_fail_on_duplicates_duplicates_exit_0() {
    cmd().args(["scan", "corpus/seeds", "-q"]).assert().code(0);
}

// ---------------------------------------------------------------- --out

#[test]
fn out_writes_merged_files_diffs_and_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let output = cmd()
        .args(["scan", "corpus", "-q", "--format", "json", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let clusters = clusters(&report);
    assert!(!clusters.is_empty());

    // One file name per cluster: its merged name, with `-2`, `-3`, ... when two clusters share one.
    let mut file_names: Vec<String> = Vec::new();
    for c in clusters {
        let base = c["merged_name"].as_str().unwrap();
        let mut name = base.to_owned();
        let mut n = 1;
        while file_names.contains(&name) || name == "report" {
            n += 1;
            name = format!("{base}-{n}");
        }
        file_names.push(name);
    }
    let written = snapshot_dir(&out_dir);
    // Plus the marker that keeps later scans from reading the folder as input.
    let mut expected: BTreeSet<String> = BTreeSet::from([
        "report.md".to_owned(),
        "report.json".to_owned(),
        "report.html".to_owned(),
        agent_dedup::outdir::OUTPUT_MARKER.to_owned(),
    ]);
    for name in &file_names {
        expected.insert(format!("{name}.md"));
        expected.insert(format!("{name}.diff"));
    }
    assert_eq!(written.keys().cloned().collect::<BTreeSet<_>>(), expected);

    for (c, name) in clusters.iter().zip(&file_names) {
        let merged = String::from_utf8(written[&format!("{name}.md")].clone()).unwrap();
        let fm = assert_loadable_frontmatter(&merged);
        assert_eq!(
            fm.get("name").and_then(|v| v.as_str()),
            c["merged_name"].as_str()
        );
        assert_eq!(merged, c["merged"].as_str().unwrap());
        let diff = String::from_utf8(written[&format!("{name}.diff")].clone()).unwrap();
        for m in members(c) {
            assert!(
                diff.contains(&format!("--- {m}\n")),
                "{name}.diff has no diff from {m}"
            );
        }
    }
    // report.json is the same report that was printed.
    let on_disk: Value = serde_json::from_slice(&written["report.json"]).unwrap();
    assert_eq!(on_disk, report);
    let md = String::from_utf8(written["report.md"].clone()).unwrap();
    assert!(md.starts_with("# "));
    // report.md links each cluster's files rather than inlining them (a large library's report
    // stays readable).
    for name in &file_names {
        assert!(md.contains(&format!("]({name}.md)")), "{md}");
        assert!(md.contains(&format!("]({name}.diff)")), "{md}");
    }
    assert!(!md.contains("````diff"), "{md}");
}

#[test]
fn out_refuses_to_overwrite_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    cmd()
        .args(["scan", "corpus/seeds", "-q", "--out"])
        .arg(&out_dir)
        .assert()
        .success();
    // Mark every file so that an overwrite would show.
    for (rel, _) in snapshot_dir(&out_dir) {
        std::fs::write(out_dir.join(&rel), format!("sentinel {rel}")).unwrap();
    }
    let before = snapshot_dir(&out_dir);

    cmd()
        .args(["scan", "corpus/seeds", "-q", "--out"])
        .arg(&out_dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        snapshot_dir(&out_dir),
        before,
        "files changed without --force"
    );

    cmd()
        .args(["scan", "corpus/seeds", "-q", "--force", "--out"])
        .arg(&out_dir)
        .assert()
        .success();
    let after = snapshot_dir(&out_dir);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (rel, bytes) in &after {
        assert!(
            !bytes.starts_with(b"sentinel"),
            "{rel} not rewritten with --force"
        );
    }
}

#[test]
fn force_requires_out() {
    cmd()
        .args(["scan", "corpus/seeds", "-q", "--force"])
        .assert()
        .code(2);
}

#[test]
fn without_out_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/seeds"),
        &tmp.path().join("seeds"),
    );
    let before = snapshot_dir(tmp.path());
    for format in ["text", "json", "markdown"] {
        cmd_in(tmp.path())
            .args(["scan", "seeds", "-q", "--format", format])
            .assert()
            .success()
            .stdout(predicate::str::is_empty().not());
    }
    assert_eq!(
        snapshot_dir(tmp.path()),
        before,
        "scan without --out wrote files"
    );
}

// ---------------------------------------------------------------- markdown

#[test]
fn markdown_report_has_a_heading_and_every_cluster() {
    let report = scan_json(&["corpus"]);
    let ids: Vec<String> = clusters(&report)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 2);
    let out = cmd()
        .args(["scan", "corpus", "-q", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("# "),
        "markdown starts with: {:?}",
        &md[..40.min(md.len())]
    );
    for id in &ids {
        assert!(
            md.contains(&format!("## {id}:")),
            "markdown report has no section for cluster {id}"
        );
    }
}

#[test]
fn a_folder_without_agent_files_says_so_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "Nothing to see\n").unwrap();
    cmd()
        .arg("scan")
        .arg(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Scanned 0 file(s)"))
        .stderr(predicate::str::contains("no agent files found"));
}

#[test]
fn a_folder_of_agents_saved_as_text_is_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in SEEDS {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(seed);
        let name = from.file_stem().unwrap().to_str().unwrap().to_owned() + ".txt";
        std::fs::copy(&from, tmp.path().join(name)).unwrap();
    }
    let report = scan_json(&[tmp.path().to_str().unwrap()]);
    assert_eq!(clusters(&report).len(), 1);
    assert_eq!(members(&clusters(&report)[0]).len(), SEEDS.len());
}
