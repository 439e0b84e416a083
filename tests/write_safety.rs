//! The write side of agent-dedup against hostile input (issue 10): nothing a library, a report or a
//! journal says makes `scan --out`, `apply` or `undo` write outside where the command line told them,
//! read their own output back as input, hang on a special file, or end a run halfway with a cluster
//! half done. Each test names the item of the issue it guards.

mod common;

use common::scanned::*;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary through `sh` with `limits` (shell commands such as `ulimit -v …`) first, and
/// kills it when it has not ended after `seconds`: `None` as the code then.
fn run_limited(dir: &Path, limits: &str, args: &[&str], seconds: u64) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("agent-dedup");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{limits}\nexec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return Run {
                code: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            };
        }
        if started.elapsed() > Duration::from_secs(seconds) {
            let _ = child.kill();
            let _ = child.wait();
            return Run {
                code: None,
                stdout: String::new(),
                stderr: format!("still running after {seconds} s: killed"),
            };
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// A folder made unwritable for this test (read-only permissions; for root, which ignores them,
/// the immutable attribute). Dropping it makes the folder writable again.
#[cfg(unix)]
struct Unwritable(PathBuf);

#[cfg(unix)]
impl Unwritable {
    /// `None` when the folder cannot be made unwritable here (root on a file system without
    /// `chattr`): the assertions about it are skipped, with a note.
    fn make(dir: &Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let guard = Unwritable(dir.to_owned());
        if !writable(dir) {
            return Some(guard);
        }
        let _ = Command::new("chattr").arg("+i").arg(dir).status();
        if !writable(dir) {
            return Some(guard);
        }
        eprintln!(
            "note: {} stays writable (root without chattr?); skipping",
            dir.display()
        );
        None
    }
}

#[cfg(unix)]
impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[cfg(unix)]
fn writable(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, "x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

// ------------------------------------------------------------------ 1. scan --out and symbolic links

#[cfg(unix)]
#[test]
fn scan_out_never_writes_through_a_symbolic_link() {
    let s = Setup::new();
    let name = clusters(&s.report)[0]["merged_file"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::create_dir(s.path("victim")).unwrap();
    std::fs::create_dir(s.path("fresh")).unwrap();
    // A dangling link named like a merged file: `exists()` says no, and a plain write creates its
    // target outside the folder.
    symlink("../victim/authorized_keys", &s.path("fresh").join(&name));
    let run = s.run(&["scan", "lib", "--out", "fresh", "-q"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains(&name) && run.stderr.contains("symbolic link"),
        "names the link: {}",
        run.stderr
    );
    assert!(
        !s.path("victim/authorized_keys").exists(),
        "written through the link"
    );

    // With --force and a target behind the link: still refused, the target untouched.
    std::fs::write(s.path("victim/authorized_keys"), "ssh-ed25519 KEEP\n").unwrap();
    let run = s.run(&["scan", "lib", "--out", "fresh", "-q", "--force"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(s.path("victim/authorized_keys")).unwrap(),
        "ssh-ed25519 KEEP\n"
    );
    assert!(std::fs::symlink_metadata(s.path("fresh").join(&name))
        .unwrap()
        .file_type()
        .is_symlink());

    // A folder where a file would go is refused too, and nothing else is written first.
    std::fs::remove_file(s.path("fresh").join(&name)).unwrap();
    std::fs::create_dir(s.path("fresh/report.md")).unwrap();
    let run = s.run(&["scan", "lib", "--out", "fresh", "-q", "--force"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("report.md"), "{}", run.stderr);
    assert!(!s.path("fresh").join(&name).exists());
}

// ------------------------------------------------------- 2. apply trusts only its command line

/// Adds `path` (with its real SHA-256) to the report's agents and to cluster c1, as its
/// representative when `rep`.
fn add_to_c1(report: &mut Value, path: &str, bytes: &[u8], rep: bool) {
    report["agents"].as_array_mut().unwrap().push(
        serde_json::json!({"path": path, "name": "x", "kind": "agent", "sha256": sha256_hex(bytes)}),
    );
    let c1 = clusters_mut(report)
        .iter_mut()
        .find(|c| c["id"] == "c1")
        .unwrap();
    c1["members"].as_array_mut().unwrap().push(path.into());
    if rep {
        c1["representative"] = path.into();
    }
}

fn clusters_mut(report: &mut Value) -> &mut Vec<Value> {
    report["clusters"].as_array_mut().unwrap()
}

/// Replaces the spelling of one library path everywhere in the report.
fn respell(report: &mut Value, from: &str, to: &str) {
    for a in report["agents"].as_array_mut().unwrap() {
        if a["path"] == from {
            a["path"] = to.into();
        }
    }
    for c in clusters_mut(report) {
        for m in c["members"].as_array_mut().unwrap() {
            if m == from {
                *m = to.into();
            }
        }
        if c["representative"] == from {
            c["representative"] = to.into();
        }
    }
}

#[test]
fn apply_refuses_scanned_folders_outside_its_root() {
    let s = Setup::new();
    let victim = b"---\nname: x\ndescription: a file outside the library\n---\n\nbody\n";
    // Outside the current folder (the default root).
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("x.md"), victim).unwrap();
    let outer_x = outer.path().join("x.md");
    let mut report = s.report.clone();
    report["inputs"]
        .as_array_mut()
        .unwrap()
        .push(outer.path().to_str().unwrap().into());
    add_to_c1(&mut report, outer_x.to_str().unwrap(), victim, true);
    s.write_report(&report);
    let before = s.library();
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("outside"), "{}", run.stderr);
    assert_eq!(std::fs::read(&outer_x).unwrap(), victim);
    assert_same(&before, &s.library());

    // Inside the current folder but outside `--root lib`.
    std::fs::create_dir(s.path("other")).unwrap();
    std::fs::write(s.path("other/x.md"), victim).unwrap();
    let mut report = s.report.clone();
    report["inputs"]
        .as_array_mut()
        .unwrap()
        .push("other".into());
    add_to_c1(&mut report, "other/x.md", victim, false);
    s.write_report(&report);
    let run = s.run(&["apply", "out/report.json", "--root", "lib"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("other") && run.stderr.contains("outside"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(s.path("other/x.md")).unwrap(), victim);
    assert_same(&before, &s.library());

    // The untampered report applies under --root lib.
    s.write_report(&s.report);
    let run = s.run(&["apply", "out/report.json", "--root", "lib"]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[cfg(unix)]
#[test]
fn apply_refuses_dot_dot_and_linked_folders_in_report_paths() {
    let s = Setup::new();
    let member = s.others("c1")[0].clone();
    let (folder, file) = member.rsplit_once('/').unwrap();
    let before = s.library();

    // `lib/a/../a/x.md` names a file inside the library, but no scan writes it so.
    let last = folder.rsplit('/').next().unwrap();
    let dotted = format!("{folder}/../{last}/{file}");
    let mut report = s.report.clone();
    respell(&mut report, &member, &dotted);
    s.write_report(&report);
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains(".."), "{}", run.stderr);
    assert_same(&before, &s.library());

    // A linked folder, even one pointing inside the library.
    symlink(s.root().join(folder), &s.path("lib/alias"));
    let linked = format!("lib/alias/{file}");
    let mut report = s.report.clone();
    respell(&mut report, &member, &linked);
    s.write_report(&report);
    let run = s.run(&["apply", "out/report.json", "--cluster", "c1"]);
    assert!(matches!(run.code, Some(1 | 2)), "{run:?}");
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    std::fs::remove_file(s.path("lib/alias")).unwrap();
    assert_same(&before, &s.library());
}

// ------------------------------------------------------- 3. undo trusts only the journal's place

fn journal_line(value: Value) -> String {
    serde_json::to_string(&value).unwrap() + "\n"
}

#[test]
fn undo_restores_only_under_the_folder_holding_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join("lib/.agent-dedup")).unwrap();
    std::fs::create_dir_all(root.join("elsewhere/arch")).unwrap();
    let payload = b"planted by a hand-written journal\n";
    std::fs::write(root.join("elsewhere/arch/evil.md"), payload).unwrap();
    let elsewhere = root.join("elsewhere");
    let journal = [
        journal_line(serde_json::json!({"op": "start", "journal": 1, "tool_version": "0.1.0",
            "started": "20250101T000000Z", "report": root.join("r.json"),
            "roots": [elsewhere], "archive": elsewhere.join("arch"), "delete": false})),
        journal_line(serde_json::json!({"op": "move", "cluster": "c1",
            "src": elsewhere.join("target.md"), "dst": elsewhere.join("arch/evil.md"),
            "tmp": elsewhere.join("arch/.evil.md.agent-dedup-1-1.tmp"), "sha256": sha256_hex(payload)})),
        journal_line(serde_json::json!({"op": "done", "cluster": "c1"})),
        journal_line(serde_json::json!({"op": "finished"})),
    ]
    .concat();
    let in_place = root.join("lib/.agent-dedup/journal-20250101T000000Z.jsonl");
    std::fs::write(&in_place, &journal).unwrap();
    let run = run_in(&root, &["undo", in_place.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("outside"), "{}", run.stderr);
    assert!(
        !elsewhere.join("target.md").exists(),
        "restored outside lib/"
    );

    // Placed in the library's own folder, naming paths inside it: still only agent definitions
    // are put back (the archived "original" here is not one).
    let lib = root.join("lib");
    std::fs::create_dir_all(lib.join(".agent-dedup/archive/x")).unwrap();
    std::fs::write(lib.join(".agent-dedup/archive/x/keys"), payload).unwrap();
    let inside = [
        journal_line(serde_json::json!({"op": "start", "journal": 1, "tool_version": "0.1.0",
            "started": "20250101T000000Z", "report": root.join("r.json"),
            "roots": [lib], "archive": lib.join(".agent-dedup/archive/x"), "delete": false})),
        journal_line(serde_json::json!({"op": "move", "cluster": "c1",
            "src": lib.join("authorized_keys"), "dst": lib.join(".agent-dedup/archive/x/keys"),
            "tmp": lib.join(".agent-dedup/archive/x/.keys.agent-dedup-1-1.tmp"), "sha256": sha256_hex(payload)})),
        journal_line(serde_json::json!({"op": "finished"})),
    ]
    .concat();
    std::fs::write(&in_place, inside).unwrap();
    let run = run_in(&root, &["undo", in_place.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("not an agent definition"),
        "{}",
        run.stderr
    );
    assert!(!lib.join("authorized_keys").exists());

    // A journal that is not in a `.agent-dedup` folder proves nothing.
    let loose = root.join("elsewhere/journal-20250101T000000Z.jsonl");
    std::fs::write(&loose, &journal).unwrap();
    let run = run_in(&root, &["undo", loose.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains(".agent-dedup"), "{}", run.stderr);
    assert!(
        !elsewhere.join("target.md").exists(),
        "restored outside lib/"
    );
}

#[test]
fn undo_takes_an_archive_outside_the_library_only_from_the_command_line() {
    let s = Setup::new();
    let before = s.library();
    let run = s.run(&["apply", "out/report.json", "--archive", "keep"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let journal = s.journals().pop().unwrap();
    let journal = journal.to_str().unwrap();

    let run = s.run(&["undo", journal]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("--archive"),
        "says what to do: {}",
        run.stderr
    );

    let run = s.run(&["undo", journal, "--archive", "keep"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_same(&before, &s.library());
}

// -------------------------------------- 4. no output among the inputs, and none read back as input

#[test]
fn out_inside_a_scanned_folder_is_refused_even_with_force() {
    let s = Setup::new();
    let before = s.library();
    for out in ["lib", "lib/community", "lib/new-folder"] {
        let run = s.run(&["scan", "lib", "--out", out, "--force", "-q"]);
        assert_eq!(run.code, Some(2), "{out}: {run:?}");
        assert!(
            run.stderr.contains("inside") && run.stderr.contains("lib"),
            "{out}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("pass --force"), "{}", run.stderr);
        assert_same(&before, &s.library());
    }
    let run = s.run(&["apply", "out/report.json", "--archive", "lib/keep"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("inside"), "{}", run.stderr);
    assert_same(&before, &s.library());
}

fn agent_paths(report: &Value) -> Vec<String> {
    report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn output_folders_are_never_read_as_input() {
    let s = Setup::new();
    // An --out folder left inside the library (by hand), with its marker; then as an older
    // version wrote it, without the marker: known by its report.json and report.md.
    copy_dir(&s.path("out"), &s.path("lib/old-out"));
    for round in ["with the marker", "without the marker"] {
        let scan = run_in(s.dir.path(), &["scan", "lib", "--format", "json", "-q"]);
        assert_eq!(scan.code, Some(0), "{scan:?}");
        let report: Value = serde_json::from_str(&scan.stdout).unwrap();
        assert!(
            !agent_paths(&report)
                .iter()
                .any(|p| p.starts_with("lib/old-out")),
            "{round}: merged files read back as agents"
        );
        let skipped = report["skipped"].as_array().unwrap();
        assert!(
            skipped.iter().any(|s| s["path"] == "lib/old-out"
                && s["reason"].as_str().unwrap().contains("agent-dedup")),
            "{round}: {skipped:?}"
        );
        // The marker's name is part of the contract (README), so it is spelled out here.
        let _ = std::fs::remove_file(s.path("lib/old-out/.agent-dedup-output"));
    }
    std::fs::remove_dir_all(s.path("lib/old-out")).unwrap();

    // An archive outside the library: a scan of the whole folder leaves it out.
    let run = s.run(&["apply", "out/report.json", "--archive", "keep"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let scan = run_in(s.dir.path(), &["scan", ".", "--format", "json", "-q"]);
    assert_eq!(scan.code, Some(0), "{scan:?}");
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    let paths = agent_paths(&report);
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("./keep") || p.starts_with("./out")),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p.starts_with("./lib")), "{paths:?}");
}

// ------------------------------------------------------------------------- 7. a truncated journal

#[test]
fn a_truncated_journal_says_so_lists_what_it_misses_and_exits_1() {
    let s = Setup::new();
    assert_eq!(s.run(&["apply", "out/report.json"]).code, Some(0));
    let journal = s.journals().pop().unwrap();
    let text = std::fs::read_to_string(&journal).unwrap();
    // The start and the first backup only: every move after it is gone from the journal.
    let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&journal, cut).unwrap();
    let moved = s.others("c2")[0].clone();
    let run = s.run(&["undo", journal.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("finished"),
        "says the journal is incomplete: {said}"
    );
    let rel = moved.strip_prefix("lib/").unwrap();
    assert!(
        run.stderr.contains(rel) && run.stderr.contains("not restored"),
        "lists the archived file the journal does not cover: {}",
        run.stderr
    );

    // A line taken out of the middle, `finished` kept: the archived file it named is listed.
    let s = Setup::new();
    assert_eq!(s.run(&["apply", "out/report.json"]).code, Some(0));
    let journal = s.journals().pop().unwrap();
    let text = std::fs::read_to_string(&journal).unwrap();
    let moved = s.others("c2")[0].clone();
    let rel = moved.strip_prefix("lib/").unwrap().to_owned();
    let kept: String = text
        .lines()
        .filter(|l| !(l.contains(r#""op":"move""#) && l.contains(&rel)))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(kept.len() < text.len());
    std::fs::write(&journal, kept).unwrap();
    let run = s.run(&["undo", journal.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains(&rel), "{}", run.stderr);

    // An emptied journal: its archive still says what was moved.
    std::fs::write(&journal, "").unwrap();
    let run = s.run(&["undo", journal.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(&rel) && run.stderr.contains("not restored"),
        "{}",
        run.stderr
    );
}

// --------------------------------------------------------------------- 8. special files, big files

#[cfg(unix)]
#[test]
fn special_and_huge_files_given_to_apply_and_undo_are_refused_at_once() {
    let s = Setup::new();
    // A memory limit, so that a reader of /dev/zero fails instead of taking the machine's memory.
    let limits = "ulimit -v 4000000 2>/dev/null";
    if mkfifo(&s.path("pipe.json")) {
        let run = run_limited(s.dir.path(), limits, &["apply", "pipe.json"], 20);
        assert_eq!(run.code, Some(2), "{run:?}");
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
        std::fs::create_dir_all(s.path("lib/.agent-dedup")).unwrap();
        let journal = "lib/.agent-dedup/journal-20250101T000000Z.jsonl";
        assert!(mkfifo(&s.path(journal)));
        let run = run_limited(s.dir.path(), limits, &["undo", journal], 20);
        assert_eq!(run.code, Some(2), "{run:?}");
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
    for device in ["/dev/zero", "/dev/urandom"] {
        for command in ["apply", "undo"] {
            let run = run_limited(s.dir.path(), limits, &[command, device], 20);
            assert_eq!(run.code, Some(2), "{command} {device}: {run:?}");
        }
    }
    // A report far larger than any scan writes (sparse: it takes no disk).
    let big = std::fs::File::create(s.path("big.json")).unwrap();
    big.set_len(5 << 30).unwrap();
    let run = run_limited(s.dir.path(), limits, &["apply", "big.json"], 20);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("bytes"), "{}", run.stderr);
}

// ------------------------------------------------------------------------- 10. non-UTF-8 names

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_are_refused_at_scan_with_a_reason() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/library");
    copy_dir(&corpus, &dir.path().join("lib"));
    // A copy of an agent under a Latin-1 name: a copy the scan would cluster.
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-python-pro.md");
    std::fs::copy(
        dir.path().join("lib/community/python-pro.md"),
        dir.path().join("lib/community").join(name),
    )
    .unwrap();
    let run = run_in(dir.path(), &["scan", "lib", "--out", "out", "-q"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert!(
        !agent_paths(&report).iter().any(|p| p.contains('\u{fffd}')),
        "a lossy path in the report"
    );
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("UTF-8")),
        "{skipped:?}"
    );
    let run = run_in(dir.path(), &["apply", "out/report.json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

// --------------------------------------------------------- 11. every operation checked beforehand

#[cfg(unix)]
#[test]
fn an_unwritable_folder_refuses_its_cluster_before_any_change() {
    let s = Setup::new();
    let rep = s.representative("c1");
    let folder = rep.rsplit_once('/').unwrap().0.to_owned();
    let in_folder = |id: &str| {
        members(s.cluster(id))
            .iter()
            .any(|m| m.rsplit_once('/').unwrap().0 == folder)
    };
    let free: Vec<String> = clusters(&s.report)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .filter(|id| !in_folder(id))
        .collect();
    assert!(!free.is_empty(), "a cluster with no file in {folder}");
    let before = s.library();
    let Some(guard) = Unwritable::make(&s.path(&folder)) else {
        return;
    };
    let run = s.run(&["apply", "out/report.json"]);
    drop(guard);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("c1 refused") && run.stderr.contains(&folder),
        "names the cluster and the folder: {}",
        run.stderr
    );
    let after = s.library();
    for m in members(s.cluster("c1")) {
        let rel = m.strip_prefix("lib/").unwrap();
        assert_eq!(after.get(rel), before.get(rel), "{m} of c1 untouched");
    }
    for id in &free {
        for m in s.others(id) {
            assert!(
                !after.contains_key(m.strip_prefix("lib/").unwrap()),
                "{id} applied"
            );
        }
    }
}

// ------------------------------------------------------------------- 13. messages and exit codes

#[cfg(unix)]
#[test]
fn an_undo_that_cannot_put_a_file_back_exits_1_and_restores_the_rest() {
    let s = Setup::new();
    let before = s.library();
    assert_eq!(s.run(&["apply", "out/report.json"]).code, Some(0));
    let moved = s.others("c1")[0].clone();
    let folder = moved.rsplit_once('/').unwrap().0.to_owned();
    let Some(guard) = Unwritable::make(&s.path(&folder)) else {
        return;
    };
    let journal = s.journals().pop().unwrap();
    let run = s.run(&["undo", journal.to_str().unwrap()]);
    drop(guard);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(moved.strip_prefix("lib/").unwrap()),
        "{}",
        run.stderr
    );
    // Everything outside that folder is back.
    let after = s.library();
    for (rel, bytes) in &before {
        if !format!("lib/{rel}").starts_with(&format!("{folder}/")) {
            assert_eq!(after.get(rel), Some(bytes), "{rel} restored");
        }
    }
    // Once the folder is writable again, undo finishes the job.
    let run = s.run(&["undo", journal.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_same(&before, &s.library());
}

#[test]
fn a_file_where_a_folder_is_expected_is_named() {
    let s = Setup::new();
    std::fs::write(s.path("afile"), "x").unwrap();
    let before = s.library();
    let run = s.run(&["apply", "out/report.json", "--archive", "afile"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("afile") && run.stderr.contains("not a folder"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Not a directory"), "{}", run.stderr);
    assert_same(&before, &s.library());

    let run = s.run(&["scan", "lib", "--out", "afile", "-q"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("afile") && run.stderr.contains("not a folder"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(s.path("afile")).unwrap(), "x");
}

#[cfg(unix)]
#[test]
fn a_dangling_tool_folder_link_is_named() {
    let s = Setup::new();
    symlink("nowhere", &s.path("lib/.agent-dedup"));
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains(".agent-dedup") && run.stderr.contains("symbolic link"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("File exists"), "{}", run.stderr);
    assert!(!s.path("lib/nowhere").exists());

    // A link one level down, to a folder outside: refused too, nothing written there.
    std::fs::remove_file(s.path("lib/.agent-dedup")).unwrap();
    std::fs::create_dir(s.path("lib/.agent-dedup")).unwrap();
    std::fs::create_dir(s.path("elsewhere")).unwrap();
    symlink(s.path("elsewhere"), &s.path("lib/.agent-dedup/archive"));
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(snapshot_dir(&s.path("elsewhere")).is_empty());
}

#[cfg(unix)]
#[test]
fn a_second_apply_while_one_runs_is_told_so() {
    use std::os::unix::io::AsRawFd;
    let s = Setup::new();
    std::fs::create_dir(s.path("lib/.agent-dedup")).unwrap();
    // What a running apply holds: a lock on agent-dedup's folder.
    let held = std::fs::File::open(s.path("lib/.agent-dedup")).unwrap();
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let before = s.library();
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("another"), "{}", run.stderr);
    assert_same(&before, &s.library());
    drop(held);
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn an_oversized_merged_file_refuses_its_cluster() {
    let s = Setup::new();
    let file = s.cluster("c1")["merged_file"].as_str().unwrap().to_owned();
    let mut text = std::fs::read_to_string(s.path("out").join(&file)).unwrap();
    while text.len() < 2 << 20 {
        text.push_str("Another line of a merged definition that grew far too long.\n");
    }
    std::fs::write(s.path("out").join(&file), &text).unwrap();
    let before = s.library();
    let run = s.run(&["apply", "out/report.json", "--cluster", "c1"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("c1 refused")
            && run.stderr.contains(&file)
            && run.stderr.contains("limit"),
        "{}",
        run.stderr
    );
    assert_same(&before, &s.library());
}

#[cfg(unix)]
#[test]
fn a_full_disk_leaves_no_truncated_out_file() {
    let s = Setup::new();
    let before = snapshot_dir(&s.path("out"));
    let report_kb = before["report.json"].len() / 1024;
    assert!(report_kb >= 4, "report.json is {report_kb} KB");
    // Writes past half of report.json's size fail (EFBIG, as ENOSPC would) instead of ending the
    // process.
    let limits = format!("trap '' XFSZ\nulimit -f {}", report_kb / 2);
    let run = run_limited(
        s.dir.path(),
        &limits,
        &["scan", "lib", "--out", "out", "--force", "-q"],
        120,
    );
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    assert_same(&before, &snapshot_dir(&s.path("out")));
}

/// A file in a folder that can be listed but not entered (no `x`): the message names the folder and
/// the permission that is missing, not the file's read permission.
#[cfg(unix)]
#[test]
fn a_file_in_a_folder_without_search_permission_names_the_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let agent = "---\nname: a\ndescription: An agent.\n---\n\nBody.\n";
    std::fs::write(locked.join("a.md"), agent).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600)).unwrap();
    let restore = || std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755));
    if std::fs::metadata(locked.join("a.md")).is_ok() {
        eprintln!("note: the folder can be entered anyway (root?); skipping");
        restore().unwrap();
        return;
    }
    // Named on the command line: a usage error naming the folder.
    let named = run_in(dir.path(), &["scan", "locked/a.md", "-q"]);
    // Met in a folder walk (the folder can be listed): skipped, naming the folder.
    let walked = run_in(dir.path(), &["scan", "locked", "--format", "json", "-q"]);
    restore().unwrap();
    assert_eq!(named.code, Some(2), "{named:?}");
    assert!(
        named.stderr.contains("chmod u+x") && named.stderr.contains("locked"),
        "{}",
        named.stderr
    );
    assert!(!named.stderr.contains("chmod u+r"), "{}", named.stderr);
    assert_eq!(walked.code, Some(0), "{walked:?}");
    let report: Value = serde_json::from_str(&walked.stdout).unwrap();
    let reasons: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("chmod u+x") && r.contains("locked")),
        "{reasons:?}"
    );
}

/// Files named directly: their folder is read from, so `--out` may not lie there (scan and merge).
#[test]
fn out_in_the_folder_of_a_named_file_is_refused() {
    let s = Setup::new();
    let c1: Vec<String> = members(s.cluster("c1")).into_iter().collect();
    let folder = c1[0].rsplit_once('/').unwrap().0.to_owned();
    let before = s.library();
    for command in ["scan", "merge"] {
        let mut args = vec![command];
        args.extend(c1.iter().map(String::as_str));
        args.extend(["--out", folder.as_str(), "-q"]);
        let run = s.run(&args);
        assert_eq!(run.code, Some(2), "{command}: {run:?}");
        assert!(run.stderr.contains("inside"), "{command}: {}", run.stderr);
        assert_same(&before, &s.library());
    }
}

/// With several scanned folders, agent-dedup's folder goes in the deepest folder holding them all,
/// so that the journal's place proves every folder undo restores into.
#[test]
fn several_scanned_folders_share_one_journal_folder_that_undo_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/library");
    copy_dir(&corpus, &dir.path().join("lib"));
    let scan = run_in(
        dir.path(),
        &["scan", "lib/community", "lib/plugins", "--out", "out", "-q"],
    );
    assert_eq!(scan.code, Some(0), "{scan:?}");
    let before = snapshot_dir(&dir.path().join("lib"));
    let run = run_in(dir.path(), &["apply", "out/report.json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("create lib/.agent-dedup/journal-"),
        "{}",
        run.stdout
    );
    let journal = std::fs::read_dir(dir.path().join("lib/.agent-dedup"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap();
    let undo = run_in(dir.path(), &["undo", journal.to_str().unwrap()]);
    assert_eq!(undo.code, Some(0), "{undo:?}");
    let after: Snapshot = snapshot_dir(&dir.path().join("lib"))
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with(".agent-dedup"))
        .collect();
    assert_same(&before, &after);
}

/// Inside the root, a report may still name only what a scan could have made a member: a `.md`
/// file in a scanned folder that is an agent definition. Anything else is left alone.
#[test]
fn apply_touches_only_agent_definitions() {
    let s = Setup::new();
    let before = s.library();
    // A file that is not Markdown, with its real SHA-256.
    let secret = b"not an agent: a key, a config, anything\n";
    std::fs::write(s.path("lib/community/keys.txt"), secret).unwrap();
    let mut report = s.report.clone();
    add_to_c1(&mut report, "lib/community/keys.txt", secret, true);
    s.write_report(&report);
    let run = s.run(&["apply", "out/report.json"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains(".md"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(s.path("lib/community/keys.txt")).unwrap(),
        secret
    );
    std::fs::remove_file(s.path("lib/community/keys.txt")).unwrap();

    // A Markdown file the scan skipped (no frontmatter), made the representative.
    let notes = std::fs::read(s.path("lib/community/NOTES.md")).unwrap();
    let mut report = s.report.clone();
    add_to_c1(&mut report, "lib/community/NOTES.md", &notes, true);
    s.write_report(&report);
    let run = s.run(&["apply", "out/report.json", "--cluster", "c1"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("NOTES.md") && run.stderr.contains("not an agent definition"),
        "{}",
        run.stderr
    );
    assert_same(&before, &s.library());
}
