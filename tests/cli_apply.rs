//! `agent-dedup apply` and `undo`: the consolidation carried out on a copy of the sample library,
//! and put back byte for byte.

mod common;

use common::scanned::*;
use common::*;
use serde_json::Value;
use std::path::Path;

// ------------------------------------------------------------------------------- apply and undo

#[test]
fn apply_then_undo_restores_the_library_byte_for_byte() {
    let s = Setup::new();
    let before = s.library();
    let ids: Vec<String> = clusters(&s.report)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 3, "the sample library has several clusters");

    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let after = s.library();
    let archive = std::fs::read_dir(s.path("lib/.agent-dedup/archive"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for id in &ids {
        let rep = s.representative(id);
        let merged_file = s.cluster(id)["merged_file"].as_str().unwrap();
        assert_eq!(
            after[&in_lib(&rep)],
            std::fs::read(s.path("out").join(merged_file)).unwrap(),
            "{rep} holds the merged definition"
        );
        assert_eq!(
            std::fs::read(archive.join(in_lib(&rep))).unwrap(),
            before[&in_lib(&rep)],
            "the representative's original is kept in the archive"
        );
        for m in s.others(id) {
            assert!(!after.contains_key(&in_lib(&m)), "{m} left the library");
            assert_eq!(
                std::fs::read(archive.join(in_lib(&m))).unwrap(),
                before[&in_lib(&m)],
                "{m} is in the archive at its relative path"
            );
            assert!(
                run.stdout.contains(&format!("move {m} -> ")),
                "{}",
                run.stdout
            );
        }
    }
    assert!(run.stderr.contains("agent-dedup undo"), "{}", run.stderr);

    let journal = s.journal();
    let undo = s.run(&["undo", journal.to_str().unwrap()]);
    assert_eq!(undo.code, Some(0), "{undo:?}");
    assert_same(&before, &s.library());

    // Twice is harmless: nothing left to do, nothing changed.
    let again = s.run(&["undo", journal.to_str().unwrap()]);
    assert_eq!(again.code, Some(0), "{again:?}");
    assert!(
        !again.stdout.contains("restore") && !again.stdout.contains("move"),
        "{}",
        again.stdout
    );
    assert_same(&before, &s.library());
}

#[test]
fn dry_run_changes_nothing_and_lists_every_operation() {
    let s = Setup::new();
    let before = snapshot_dir(s.dir.path());
    let run = s.run(&["apply", "out/report.json", "--dry-run"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_same(&before, &snapshot_dir(s.dir.path()));
    assert!(!s.path("lib/.agent-dedup").exists());

    let ops: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.starts_with("dry run"))
        .collect();
    for line in &ops {
        let verb = line.split(' ').next().unwrap();
        assert!(
            ["create", "copy", "move", "write"].contains(&verb),
            "not a plain operation: {line}"
        );
    }
    let mut expected = 1; // the journal
    for c in clusters(&s.report) {
        let id = c["id"].as_str().unwrap();
        let rep = s.representative(id);
        assert!(
            ops.iter().any(
                |l| l.starts_with(&format!("write {rep} (merged definition of {id}"))
                    && l.ends_with(" bytes)")
            ),
            "{}",
            run.stdout
        );
        assert!(ops
            .iter()
            .any(|l| l.starts_with(&format!("copy {rep} -> lib/.agent-dedup/archive/"))));
        for m in s.others(id) {
            let rel = in_lib(&m);
            assert!(
                ops.iter().any(|l| l
                    .starts_with(&format!("move {m} -> lib/.agent-dedup/archive/"))
                    && l.ends_with(&rel)),
                "{}",
                run.stdout
            );
        }
        expected += 2 + s.others(id).len();
    }
    assert_eq!(ops.len(), expected, "{}", run.stdout);
}

#[test]
fn a_changed_member_refuses_its_cluster_and_the_others_go_ahead() {
    let s = Setup::new();
    let changed = s.others("c2")[0].clone();
    let mut bytes = std::fs::read(s.path(&changed)).unwrap();
    bytes.extend_from_slice(b"\nOne more line written after the scan.\n");
    std::fs::write(s.path(&changed), &bytes).unwrap();
    let before = s.library();

    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("c2 refused") && run.stderr.contains(&changed),
        "says which cluster and which file: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("changed since the scan"),
        "{}",
        run.stderr
    );
    let after = s.library();
    for m in members(s.cluster("c2")) {
        assert_eq!(after[&in_lib(&m)], before[&in_lib(&m)], "{m} untouched");
    }
    for m in s.others("c1") {
        assert!(!after.contains_key(&in_lib(&m)), "c1 was applied");
    }
    // The refusal is undoable like any run.
    let undo = s.run(&["undo", s.journal().to_str().unwrap()]);
    assert_eq!(undo.code, Some(0), "{undo:?}");
    assert_same(&before, &s.library());
}

#[test]
fn cluster_flag_limits_the_run() {
    let s = Setup::new();
    let before = s.library();
    let run = s.run(&[
        "apply",
        "out/report.json",
        "--cluster",
        "c3",
        "--cluster",
        "c1",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let after = s.library();
    for c in clusters(&s.report) {
        let id = c["id"].as_str().unwrap();
        for m in s.others(id) {
            let applied = id == "c1" || id == "c3";
            assert_eq!(
                !after.contains_key(&in_lib(&m)),
                applied,
                "{m} of {id} moved only when {id} was chosen"
            );
        }
    }
    assert_eq!(
        after[&in_lib(&s.representative("c2"))],
        before[&in_lib(&s.representative("c2"))]
    );

    let unknown = s.run(&["apply", "out/report.json", "--cluster", "c99"]);
    assert_eq!(unknown.code, Some(2), "{unknown:?}");
    assert!(unknown.stderr.contains("c99"), "{}", unknown.stderr);
}

#[test]
fn delete_removes_the_other_members_for_good() {
    let s = Setup::new();
    let before = s.library();
    let run = s.run(&["apply", "out/report.json", "--delete", "--cluster", "c2"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    for m in s.others("c2") {
        assert!(
            run.stdout.contains(&format!("delete {m}")),
            "{}",
            run.stdout
        );
    }
    let after = s.library();
    for m in s.others("c2") {
        assert!(!after.contains_key(&in_lib(&m)), "{m} deleted");
    }
    // Nothing kept: only the journal is left in agent-dedup's folder.
    let left: Vec<String> = snapshot_dir(&s.path("lib/.agent-dedup"))
        .into_keys()
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].ends_with(".jsonl"));
    assert_eq!(after.len(), before.len() - s.others("c2").len());

    // Undo says what it cannot bring back.
    let undo = s.run(&["undo", s.journal().to_str().unwrap()]);
    assert_eq!(undo.code, Some(1), "{undo:?}");
    assert!(undo.stderr.contains("--delete"), "{}", undo.stderr);
}

#[test]
fn the_edited_merged_file_is_used() {
    let s = Setup::new();
    let file = s.cluster("c1")["merged_file"].as_str().unwrap().to_owned();
    let edited = "---\nname: python-expert\ndescription: Edited by hand after the scan.\n---\n\nYou are the one Python expert.\n";
    std::fs::write(s.path("out").join(&file), edited).unwrap();
    let run = s.run(&["apply", "out/report.json", "--cluster", "c1"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let rep = s.representative("c1");
    assert_eq!(std::fs::read_to_string(s.path(&rep)).unwrap(), edited);
    assert!(
        run.stdout.contains(&format!("from out/{file}")),
        "{}",
        run.stdout
    );

    // An edit that Claude Code could not load refuses the cluster.
    let file = s.cluster("c3")["merged_file"].as_str().unwrap().to_owned();
    std::fs::write(s.path("out").join(&file), "just prose, no frontmatter\n").unwrap();
    let before = s.library();
    let run = s.run(&["apply", "out/report.json", "--cluster", "c3"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("c3 refused"), "{}", run.stderr);
    assert_same(&before, &s.library());
}

#[test]
fn a_format_json_report_uses_its_merged_text() {
    let s = Setup::new();
    let out = cmd_in(s.dir.path())
        .args(["scan", "lib", "--format", "json", "-q"])
        .output()
        .unwrap();
    std::fs::write(s.path("report.json"), &out.stdout).unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c2 = clusters(&report).iter().find(|c| c["id"] == "c2").unwrap();
    assert!(
        c2.get("merged_file").is_none(),
        "only --out writes merged files"
    );
    let run = s.run(&["apply", "report.json", "--cluster", "c2"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let rep = c2["representative"].as_str().unwrap();
    assert_eq!(
        std::fs::read_to_string(s.path(rep)).unwrap(),
        c2["merged"].as_str().unwrap()
    );
}

#[test]
fn an_existing_archive_file_stops_its_cluster_unless_force() {
    let s = Setup::new();
    let member = s.others("c2")[0].clone();
    let taken = s.path("keep").join(in_lib(&member));
    std::fs::create_dir_all(taken.parent().unwrap()).unwrap();
    std::fs::write(&taken, "already here\n").unwrap();
    let before = s.library();

    let run = s.run(&[
        "apply",
        "out/report.json",
        "--cluster",
        "c2",
        "--archive",
        "keep",
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "already here\n");
    assert_same(&before, &s.library());

    let run = s.run(&[
        "apply",
        "out/report.json",
        "--cluster",
        "c2",
        "--archive",
        "keep",
        "--force",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(std::fs::read(&taken).unwrap(), before[&in_lib(&member)]);
}

// ------------------------------------------------------------------------------- hostile input

/// Rewrites the report, runs apply on it, and checks it is refused whole with nothing changed.
fn assert_tampered_report_refused(expect: &str, edit: impl Fn(&mut Value, &Path)) {
    let s = Setup::new();
    std::fs::create_dir(s.path("outside")).unwrap();
    std::fs::write(
        s.path("outside/x.md"),
        "---\nname: x\ndescription: not in the library\n---\n\nbody\n",
    )
    .unwrap();
    let mut report = s.report.clone();
    edit(&mut report, s.dir.path());
    std::fs::write(
        s.path("out/report.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    let before = snapshot_dir(s.dir.path());
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains(expect),
        "expected `{expect}`: {}",
        run.stderr
    );
    assert_same(&before, &snapshot_dir(s.dir.path()));
    assert!(!s.path("lib/.agent-dedup").exists());
}

/// Makes `path` a member of c1 (the representative, when `rep`), known to the agents with its real hash.
fn point_c1_at(report: &mut Value, path: &str, bytes: &[u8], rep: bool) {
    let sha = sha256_hex(bytes);
    report["agents"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"path": path, "name": "x", "kind": "agent", "sha256": sha}));
    let c1 = &mut report["clusters"][0];
    c1["members"].as_array_mut().unwrap().push(path.into());
    if rep {
        c1["representative"] = path.into();
    }
}

#[test]
fn a_report_pointing_outside_the_library_is_refused() {
    let outside = b"---\nname: x\ndescription: not in the library\n---\n\nbody\n";
    let outside_msg = "outside the scanned folders";
    assert_tampered_report_refused(outside_msg, |r, _| {
        point_c1_at(r, "lib/../outside/x.md", outside, false)
    });
    assert_tampered_report_refused(outside_msg, |r, _| {
        point_c1_at(r, "lib/../outside/x.md", outside, true)
    });
    assert_tampered_report_refused(outside_msg, |r, root| {
        let abs = root.join("outside/x.md");
        point_c1_at(r, abs.to_str().unwrap(), outside, false)
    });
    assert_tampered_report_refused(outside_msg, |r, _| {
        point_c1_at(r, "../../x.md", outside, false)
    });
    assert_tampered_report_refused("not a plain file name", |r, _| {
        r["clusters"][0]["merged_file"] = "../outside/x.md".into();
    });
    assert_tampered_report_refused("not one of its members", |r, _| {
        r["clusters"][0]["representative"] = "lib/community/helper.md".into();
    });
    assert_tampered_report_refused("not among the report's agents", |r, _| {
        r["clusters"][0]["members"]
            .as_array_mut()
            .unwrap()
            .push("lib/not-scanned.md".into());
    });
    assert_tampered_report_refused("listed twice", |r, _| {
        let m = r["clusters"][0]["members"][0].clone();
        r["clusters"][1]["members"].as_array_mut().unwrap().push(m);
    });
}

#[cfg(unix)]
#[test]
fn a_member_replaced_by_a_link_out_of_the_library_is_refused() {
    let s = Setup::new();
    std::fs::create_dir(s.path("outside")).unwrap();
    let member = s.others("c2")[0].clone();
    std::fs::rename(s.path(&member), s.path("outside/x.md")).unwrap();
    std::os::unix::fs::symlink(s.path("outside/x.md"), s.path(&member)).unwrap();
    let before = snapshot_dir(&s.path("outside"));
    let run = s.run(&["apply", "out/report.json"]);
    // The library changed since the scan; the report was not edited: its cluster is refused, named
    // for what it is, and the others go ahead (issue 10, item 13).
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("c2 refused")
            && run.stderr.contains(&member)
            && run.stderr.contains("symbolic link"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("edited"), "{}", run.stderr);
    assert_same(&before, &snapshot_dir(&s.path("outside")));
    assert!(std::fs::symlink_metadata(s.path(&member))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!s.path(&s.others("c1")[0]).exists(), "c1 was applied");
}

/// Replaces the `name:` line of a file.
fn rename_agent(path: &Path, name_line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let i = lines.iter().position(|l| l.starts_with("name:")).unwrap();
    lines[i] = name_line.to_owned();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn hostile_agent_names_write_nothing_outside_the_target_folders() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/library");
    let root = dir.path().join("a/b");
    copy_dir(&corpus, &root.join("lib"));
    for (file, name) in [
        ("plugins/ci-tools/agents/test-automator.md", "name: ../../x"),
        ("plugins/devflow/agents/test-automator.md", "name: ../../x"),
        (
            "plugins/qa-kit/agents/test-automator.md",
            "name: /abs/../../x",
        ),
        ("community/security-auditor.md", "name: CON"),
        ("plugins/secops/agents/security-auditor.md", "name: CON"),
        (
            "community/postgresql-expert.md",
            "name: \"nul\\0\\x07\\u001b[2J\"",
        ),
        (
            "team-alpha/agents/pg-specialist.md",
            "name: \"nul\\0\\x07\\u001b[2J\"",
        ),
    ] {
        rename_agent(&root.join("lib").join(file), name);
    }
    let whole_before = snapshot_dir(dir.path());

    // Scan and apply from a/b: `../../x` would be the top of the temporary folder.
    let scan = cmd_in(&root)
        .args(["scan", "lib", "--out", "out", "-q"])
        .output()
        .unwrap();
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(root.join("out/report.json")).unwrap()).unwrap();
    let files: Vec<&str> = clusters(&report)
        .iter()
        .map(|c| c["merged_file"].as_str().unwrap())
        .collect();
    for f in &files {
        assert!(
            f.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
            "{f}"
        );
        let stem = f.trim_end_matches(".md");
        for device in ["con", "nul", "aux", "prn", "com1", "lpt1"] {
            assert_ne!(stem, device, "Windows device name as a file name");
        }
        assert!(root.join("out").join(f).is_file());
    }
    assert!(files.contains(&"con-agent.md"), "{files:?}");

    let apply = cmd_in(&root)
        .args(["apply", "out/report.json"])
        .output()
        .unwrap();
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&apply.stderr)
    );
    let stdout = String::from_utf8_lossy(&apply.stdout);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "control characters printed"
    );

    // Every file now under the temporary folder is one that was there, or lies in lib/ or out/.
    for path in snapshot_dir(dir.path()).keys() {
        assert!(
            whole_before.contains_key(path)
                || path.starts_with("a/b/lib/")
                || path.starts_with("a/b/out/"),
            "written outside the target folders: {path}"
        );
    }
    assert!(!dir.path().join("x").exists() && !dir.path().join("a/x").exists());
}

#[test]
fn merged_file_names_are_safe_everywhere() {
    use agent_dedup::report::safe_file_stem;
    assert_eq!(safe_file_stem("CON"), "con-agent");
    assert_eq!(safe_file_stem("nul"), "nul-agent");
    assert_eq!(safe_file_stem("Com1"), "com1-agent");
    assert_eq!(safe_file_stem("lpt9"), "lpt9-agent");
    assert_eq!(safe_file_stem("com10"), "com10");
    assert_eq!(safe_file_stem("../../etc/x"), "etc-x");
    assert_eq!(safe_file_stem("/abs"), "abs");
    assert_eq!(safe_file_stem("a\0b\u{7}c"), "a-b-c");
    assert!(safe_file_stem(&"long-".repeat(100)).len() <= 100);
}

#[cfg(unix)]
#[test]
fn a_member_replaced_by_a_link_inside_the_library_is_refused() {
    let s = Setup::new();
    let member = s.others("c2")[0].clone();
    let moved = s.path("lib/moved.md");
    std::fs::rename(s.path(&member), &moved).unwrap();
    std::os::unix::fs::symlink(&moved, s.path(&member)).unwrap();
    let before = snapshot_dir(&s.path("lib"));
    let run = s.run(&["apply", "out/report.json", "--cluster", "c2"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    assert!(std::fs::symlink_metadata(s.path(&member))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_same(&before, &snapshot_dir(&s.path("lib")));
}

#[cfg(unix)]
#[test]
fn a_tool_folder_linked_out_of_the_library_is_refused() {
    let s = Setup::new();
    std::fs::create_dir(s.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink(s.path("elsewhere"), s.path("lib/.agent-dedup")).unwrap();
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("link out of the scanned folder"),
        "{}",
        run.stderr
    );
    assert!(snapshot_dir(&s.path("elsewhere")).is_empty());
}

#[test]
fn undo_leaves_a_file_changed_after_the_apply_unless_force() {
    let s = Setup::new();
    let before = s.library();
    assert_eq!(s.run(&["apply", "out/report.json"]).code, Some(0));
    let rep = s.representative("c1");
    std::fs::write(s.path(&rep), "edited after the apply\n").unwrap();
    let journal = s.journal();
    let journal = journal.to_str().unwrap();

    let dry = s.run(&["undo", journal, "--dry-run"]);
    assert_eq!(dry.code, Some(1), "{dry:?}");
    assert!(dry.stdout.contains("move "), "{}", dry.stdout);
    assert!(
        !s.library().contains_key(&in_lib(&s.others("c1")[0])),
        "dry run changed nothing"
    );

    let run = s.run(&["undo", journal]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("changed since the apply") && run.stderr.contains(&in_lib(&rep)),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(s.path(&rep)).unwrap(),
        "edited after the apply\n"
    );
    let mut expected = before.clone();
    expected.insert(in_lib(&rep), b"edited after the apply\n".to_vec());
    assert_same(&expected, &s.library());

    let forced = s.run(&["undo", journal, "--force"]);
    assert_eq!(forced.code, Some(0), "{forced:?}");
    assert_same(&before, &s.library());
}
