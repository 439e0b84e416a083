//! The fixture of the apply and undo tests: a scanned copy of the sample library.

use super::{clusters, cmd_in, copy_dir, members, snapshot_dir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub type Snapshot = BTreeMap<String, Vec<u8>>;

/// A temporary folder holding `lib/` (a copy of the sample library) and `out/` (written by
/// `scan lib --out out`), with the report parsed.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub report: Value,
}

impl Setup {
    pub fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/library");
        copy_dir(&corpus, &dir.path().join("lib"));
        Setup::scanned(dir)
    }

    /// Scans `lib/` inside `dir` with `--out out`.
    pub fn scanned(dir: tempfile::TempDir) -> Setup {
        let out = cmd_in(dir.path())
            .args(["scan", "lib", "--out", "out", "-q", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap())
                .unwrap();
        Setup { dir, report }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The library's files (rel path → bytes), agent-dedup's own folder left out.
    pub fn library(&self) -> Snapshot {
        library_snapshot(&self.path("lib"))
    }

    pub fn cluster(&self, id: &str) -> &Value {
        clusters(&self.report)
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no cluster {id}"))
    }

    pub fn others(&self, id: &str) -> Vec<String> {
        let c = self.cluster(id);
        members(c)
            .into_iter()
            .filter(|m| m != c["representative"].as_str().unwrap())
            .collect()
    }

    pub fn representative(&self, id: &str) -> String {
        self.cluster(id)["representative"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }

    /// The canonical path of the temporary folder.
    pub fn root(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap()
    }

    /// Replaces out/report.json with `report`.
    pub fn write_report(&self, report: &Value) {
        std::fs::write(
            self.path("out/report.json"),
            serde_json::to_string_pretty(report).unwrap(),
        )
        .unwrap();
    }

    /// Every journal apply wrote, oldest first.
    pub fn journals(&self) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(self.path("lib/.agent-dedup"))
            .map(|d| {
                d.map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }

    /// The one journal apply wrote.
    pub fn journal(&self) -> PathBuf {
        let dir = self.path("lib/.agent-dedup");
        let journals: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        assert_eq!(journals.len(), 1, "journals: {journals:?}");
        journals[0].clone()
    }
}

#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn library_snapshot(lib: &Path) -> Snapshot {
    snapshot_dir(lib)
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with(".agent-dedup"))
        .collect()
}

/// A library path from the report (`lib/...`) relative to `lib/`.
pub fn in_lib(path: &str) -> String {
    path.strip_prefix("lib/").unwrap().to_owned()
}

pub fn assert_same(before: &Snapshot, after: &Snapshot) {
    let a: Vec<&String> = before.keys().collect();
    let b: Vec<&String> = after.keys().collect();
    assert_eq!(a, b, "file lists differ");
    for (k, v) in before {
        assert!(after[k] == *v, "{k} differs");
    }
}

/// Runs the binary in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = cmd_in(dir).args(args).output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Hex SHA-256, as reports record it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    agent_dedup::apply::fsops::sha256_hex(bytes)
}
