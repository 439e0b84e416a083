//! `apply` killed at every step: the library is always as before or restorable with `undo`, and no
//! agent's content is ever lost.
//!
//! `AGENT_DEDUP_CRASH_AFTER=N` makes apply abort (no cleanup, like SIGKILL) after its N-th durable
//! step (a journal line, a temporary file written, a rename, a folder fsync, …); the test tries every
//! N until a run finishes, then kills a few runs for real with SIGKILL after random delays.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Snapshot = BTreeMap<String, Vec<u8>>;

/// A scratch folder, on a RAM disk when there is one: a killed process's writes survive it either
/// way (fsync only matters when the machine loses power), and a run takes milliseconds instead of
/// a disk's fsync time, so every step can be tried.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("agent-dedup")
}

/// A scanned copy of the sample library: `lib/` and `out/` (from `scan lib --out out`).
struct Base {
    dir: tempfile::TempDir,
    original: Snapshot,
}

fn base() -> Base {
    let dir = scratch();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/library");
    copy_dir(&corpus, &dir.path().join("lib"));
    let scan = Command::new(bin())
        .current_dir(dir.path())
        .args(["scan", "lib", "--out", "out", "-q"])
        .output()
        .unwrap();
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let original = library(&dir.path().join("lib"));
    Base { dir, original }
}

impl Base {
    fn copy(&self) -> tempfile::TempDir {
        let work = scratch();
        copy_dir(self.dir.path(), work.path());
        work
    }
}

/// The library's files, agent-dedup's own folder left out.
fn library(lib: &Path) -> Snapshot {
    snapshot_dir(lib)
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with(".agent-dedup"))
        .collect()
}

fn apply(work: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(work)
        .args(["apply", "out/report.json"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn journals(lib: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(lib.join(".agent-dedup")) {
        Err(_) => Vec::new(),
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect(),
    }
}

/// Every original file is, byte for byte, at its place in the library or at its relative path in
/// an archive.
fn assert_nothing_lost(lib: &Path, original: &Snapshot, label: &str) {
    let archives: Vec<PathBuf> = std::fs::read_dir(lib.join(".agent-dedup/archive"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    for (rel, bytes) in original {
        let here = std::fs::read(lib.join(rel)).ok().as_ref() == Some(bytes);
        let archived = archives
            .iter()
            .any(|a| std::fs::read(a.join(rel)).ok().as_ref() == Some(bytes));
        assert!(here || archived, "{label}: the content of {rel} is nowhere");
    }
}

fn undo(journal: &Path) -> (Option<i32>, String) {
    let out = Command::new(bin())
        .args(["undo", journal.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// After a crash: nothing lost; then `undo` (twice) puts the library back byte for byte.
fn assert_restorable(work: &Path, original: &Snapshot, label: &str) {
    let lib = work.join("lib");
    assert_nothing_lost(&lib, original, label);
    for journal in journals(&lib) {
        for round in 1..=2 {
            let (code, stderr) = undo(&journal);
            assert_eq!(code, Some(0), "{label}: undo #{round} failed: {stderr}");
        }
    }
    assert_same(original, &library(&lib), label);
}

fn assert_same(original: &Snapshot, now: &Snapshot, label: &str) {
    let a: Vec<&String> = original.keys().collect();
    let b: Vec<&String> = now.keys().collect();
    assert_eq!(a, b, "{label}: file lists differ");
    for (k, v) in original {
        assert!(now[k] == *v, "{label}: {k} differs");
    }
}

#[test]
fn apply_killed_at_every_step_is_restorable() {
    let base = base();
    let mut steps = 0;
    for n in 1..5_000 {
        let work = base.copy();
        let status = apply(work.path(), &[])
            .env("AGENT_DEDUP_CRASH_AFTER", n.to_string())
            .status()
            .unwrap();
        let label = format!("killed after step {n}");
        if status.success() {
            steps = n;
            eprintln!(
                "apply finished after {n} steps; killed at each of the {} before",
                n - 1
            );
            assert_restorable(work.path(), &base.original, "finished run");
            break;
        }
        assert_ne!(
            status.code(),
            Some(2),
            "{label}: apply failed instead of crashing"
        );
        assert_restorable(work.path(), &base.original, &label);
    }
    assert!(
        steps > 50,
        "apply finished after {steps} steps: the crash points are not being reached"
    );
}

#[test]
fn apply_delete_killed_before_its_commit_is_restorable() {
    let base = base();
    for n in 1..5_000 {
        let work = base.copy();
        let status = apply(work.path(), &["--delete", "--cluster", "c2"])
            .env("AGENT_DEDUP_CRASH_AFTER", n.to_string())
            .status()
            .unwrap();
        let label = format!("--delete killed after step {n}");
        let lib = work.path().join("lib");
        let committed = journals(&lib).iter().any(|j| {
            std::fs::read_to_string(j)
                .unwrap()
                .contains(r#""op":"commit""#)
        });
        if committed {
            // The deletion was decided: undo restores what was not deleted yet, and says the rest.
            for j in journals(&lib) {
                let (code, stderr) = undo(&j);
                assert!(matches!(code, Some(0 | 1)), "{label}: {stderr}");
            }
        } else {
            // Deleting only happens after the commit: until then everything is kept.
            let archives = lib.join(".agent-dedup");
            let kept: Snapshot = snapshot_dir(&archives)
                .into_iter()
                .filter(|(rel, _)| !rel.ends_with(".jsonl"))
                .map(|(rel, bytes)| {
                    let rel = rel
                        .split_once('/')
                        .map(|(_, r)| r.to_owned())
                        .unwrap_or(rel);
                    (rel, bytes)
                })
                .collect();
            for (rel, bytes) in &base.original {
                let here = std::fs::read(lib.join(rel)).ok().as_ref() == Some(bytes);
                assert!(
                    here || kept.get(rel) == Some(bytes),
                    "{label}: {rel} is nowhere"
                );
            }
            for j in journals(&lib) {
                let (code, stderr) = undo(&j);
                assert_eq!(code, Some(0), "{label}: {stderr}");
            }
            assert_same(&base.original, &library(&lib), &label);
        }
        if status.success() {
            assert!(n > 10, "the crash points are not being reached");
            return;
        }
    }
    panic!("apply --delete never finished");
}

/// A small deterministic generator (xorshift), seeded from the clock; the seed is in every message.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn apply_killed_by_sigkill_is_restorable() {
    let base = base();
    // How long a whole run takes here, so the kills land inside it.
    let work = base.copy();
    let started = Instant::now();
    assert!(apply(work.path(), &[]).status().unwrap().success());
    let full = started.elapsed().as_micros() as u64;

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    for i in 0..25 {
        let work = base.copy();
        let delay = rng.below(full + full / 4);
        let mut child = apply(work.path(), &[]).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let label = format!("SIGKILL #{i} after {delay} µs of a {full} µs run (seed {seed})");
        assert_restorable(work.path(), &base.original, &label);
    }
}
