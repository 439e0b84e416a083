//! Hostile and broken input: a library holding every kind of bad file next to a few good agents.
//!
//! The fixtures are built at test time in a temporary folder (a 50 MB file, an unreadable file,
//! symbolic link loops, a named pipe and CRLF bytes do not belong in git). `scan --format json` over
//! the folder must not panic, hang or blow up; it must report every good agent, name every bad file
//! in `skipped` (or, when the file is still usable, in that agent's `diagnostics`) with a reason, and
//! exit 0. Only an unusable path given on the command line exits 2.

mod common;

use agent_dedup::discover::{discover, DiscoverOptions};
use agent_dedup::parse::{read_agent_file, MAX_FILE_BYTES};
use common::cmd_in;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the scan must say about one fixture.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Read as an agent, with no diagnostic required.
    Good,
    /// Read as an agent, with a diagnostic containing this text.
    Diagnostic(&'static str),
    /// In `skipped`, with a reason containing this text.
    Skipped(&'static str),
}

fn agent(name: &str, description: &str, body: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\nmodel: sonnet\n---\n\n{body}\n")
}

const PYTHON_BODY: &str = "You review Python code for correctness and style.\n\n## Checks\n\n\
- Type hints on public functions.\n- No bare `except:` clauses.\n- Tests for every bug fixed.\n";
const SQL_BODY: &str = "You tune slow SQL queries on PostgreSQL.\n\n## Method\n\n1. Read the \
EXPLAIN ANALYZE plan.\n2. Look for sequential scans on large tables.\n3. Propose an index and \
measure again.\n";
const DOCS_BODY: &str = "You write user documentation for command-line tools.\n\n## Style\n\n\
Short sentences, one idea per paragraph, an example for every option.\n";
const PATH_NAME_BODY: &str = "You audit Terraform modules for security misconfigurations: open \
security groups, unencrypted buckets, wildcard IAM policies and missing state locking.\n\n\
## Output\n\n- One finding per line, with the resource address.\n- A fix for each finding.\n";

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// The billion-laughs alias bomb: nine levels of nine aliases each, 10⁹ strings when expanded.
fn alias_bomb() -> String {
    let mut yaml = String::from("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let prev = format!("*lol{}", level - 1);
        yaml.push_str(&format!(
            "lol{level}: &lol{level} [{}]\n",
            vec![prev; 9].join(", ")
        ));
    }
    yaml
}

/// One list of 3,000 aliases to a list of 3,000 values: 30 KB that expand to 9 million values.
fn quadratic_aliases() -> String {
    format!(
        "items: &items [{}]\ncopies: [{}]\n",
        vec!["x"; 3000].join(", "),
        vec!["*items"; 3000].join(", ")
    )
}

/// `📋 [共有] checklist` in UTF-8, decoded as Mac Roman (`üìã [ÂÖ±Êúâ] checklist`), as an old Mac
/// tool might have saved it.
fn mojibake() -> String {
    let (decoded, _, _) = encoding_rs::MACINTOSH.decode("📋 [共有] checklist".as_bytes());
    decoded.into_owned()
}

/// Builds the library under `root/lib` (and, for links to point at, `root/outside`) and returns what
/// is expected of each file, by path relative to `root`.
fn build_library(root: &Path) -> BTreeMap<String, Expect> {
    let lib = root.join("lib");
    let mut expect = BTreeMap::new();
    let mut add = |rel: &str, bytes: Vec<u8>, e: Expect| {
        write(&lib.join(rel), bytes);
        expect.insert(format!("lib/{rel}"), e);
    };

    // Good agents.
    add(
        "good/python-reviewer.md",
        agent("python-reviewer", "Reviews Python code.", PYTHON_BODY).into(),
        Expect::Good,
    );
    add(
        "good/sql-tuner.md",
        agent("sql-tuner", "Tunes slow SQL queries.", SQL_BODY).into(),
        Expect::Good,
    );
    add(
        "good/docs-writer.md",
        agent("docs-writer", "Writes CLI documentation.", DOCS_BODY).into(),
        Expect::Good,
    );
    // Two copies of one agent whose name tries to climb out of any output folder.
    for plugin in ["a", "b"] {
        add(
            &format!("plugins/{plugin}/agents/terraform-auditor.md"),
            agent("../../etc/x", "Audits Terraform modules.", PATH_NAME_BODY).into(),
            Expect::Diagnostic("not lowercase letters, digits and hyphens"),
        );
    }
    // Two different agents declaring one name.
    add(
        "team1/release-helper.md",
        agent(
            "release-helper",
            "Prepares release notes.",
            "You draft release notes from merged pull requests, grouped by feature and fix.",
        )
        .into(),
        Expect::Good,
    );
    add(
        "team2/release-helper.md",
        agent(
            "release-helper",
            "Bumps versions.",
            "You bump semantic versions in Cargo.toml and package.json and tag the commit.",
        )
        .into(),
        Expect::Good,
    );

    // Usable, with a diagnostic.
    let mut bad_utf8 =
        agent("bad-bytes", "Has bytes that are not UTF-8.", "Body \u{1}").into_bytes();
    bad_utf8.extend_from_slice(b" caf\xE9 \xFF\xFE tail\n");
    add(
        "invalid-utf8.md",
        bad_utf8,
        Expect::Diagnostic("not valid UTF-8"),
    );
    add(
        "alias-bomb.md",
        format!(
            "---\nname: alias-bomb\ndescription: Expands a billion times.\n{}---\nBody.\n",
            alias_bomb()
        )
        .into(),
        Expect::Diagnostic("alias"),
    );
    add(
        "quadratic-aliases.md",
        format!(
            "---\nname: quadratic-aliases\ndescription: Expands quadratically.\n{}---\nBody.\n",
            quadratic_aliases()
        )
        .into(),
        Expect::Diagnostic("alias"),
    );
    add(
        "deep-nesting.md",
        format!(
            "---\nname: deep-nesting\ndescription: Nested ten thousand times.\ntools: {}\n---\nBody.\n",
            "[".repeat(10_000)
        )
        .into(),
        Expect::Diagnostic("nested too deep"),
    );
    add(
        "deep-markdown.md",
        agent(
            "deep-markdown",
            "A body nested thousands of times.",
            &format!(
                "{}quote\n\n{}\n",
                ">".repeat(10_000),
                (0..500)
                    .map(|i| format!("{}- item {i}", "  ".repeat(i)))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )
        .into(),
        Expect::Good,
    );
    add(
        "repeated-key.md",
        "---\nname: repeated-key\ndescription: First.\ndescription: Second.\n---\nBody.\n".into(),
        Expect::Diagnostic("appears more than once"),
    );
    add(
        "crlf-bom.md",
        format!(
            "\u{feff}{}",
            agent("crlf-bom", "Windows line endings.", "Line one.\nLine two.")
                .replace('\n', "\r\n")
        )
        .into(),
        Expect::Diagnostic("byte order mark removed"),
    );
    add(
        "mojibake.md",
        agent("mojibake", "Saved through the wrong encoding.", &mojibake()).into(),
        Expect::Diagnostic("mojibake repaired"),
    );

    // Unusable: skipped with a reason.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i * 7919 % 251) as u8));
    add("binary.md", png, Expect::Skipped("binary"));
    add("empty.md", Vec::new(), Expect::Skipped("empty file"));
    add(
        "unclosed.md",
        "---\nname: unclosed\ndescription: Never closes.\n\n# Body\n\nText.\n".into(),
        Expect::Skipped("never closes"),
    );
    add(
        "no-frontmatter.md",
        "# Just notes\n\nNot an agent.\n".into(),
        Expect::Skipped("no YAML frontmatter"),
    );
    add(
        "utf16.md",
        "\u{feff}---\nname: x\n---\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect(),
        Expect::Skipped("UTF-16"),
    );
    // 50 MB of text (not zeros, so that only the size can be the reason).
    let huge = lib.join("huge.md");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&huge).unwrap());
        f.write_all(agent("huge", "Far too big.", "").as_bytes())
            .unwrap();
        let line = "All work and no play makes Jack a dull boy.\n".repeat(1000);
        while f.get_ref().metadata().unwrap().len() < 50 * 1024 * 1024 {
            f.write_all(line.as_bytes()).unwrap();
            f.flush().unwrap();
        }
    }
    expect.insert("lib/huge.md".into(), Expect::Skipped("byte limit"));

    // Links and special files.
    #[cfg(unix)]
    {
        let outside = root.join("outside");
        write(
            &outside.join("secret.md"),
            agent("outside-secret", "Must not be read.", "Secret body."),
        );
        write(
            &outside.join("agents/also-secret.md"),
            agent("outside-folder-secret", "Must not be read.", "Secret body."),
        );
        symlink(outside.join("secret.md"), &lib.join("outside.md"));
        expect.insert(
            "lib/outside.md".into(),
            Expect::Skipped("outside the folders"),
        );
        symlink("../outside/agents", &lib.join("shared-agents"));
        expect.insert("lib/shared-agents".into(), Expect::Skipped("not followed"));
        symlink("loop-b.md", &lib.join("loop-a.md"));
        symlink("loop-a.md", &lib.join("loop-b.md"));
        expect.insert("lib/loop-a.md".into(), Expect::Skipped("loop"));
        expect.insert("lib/loop-b.md".into(), Expect::Skipped("loop"));
        symlink("no-such-agent.md", &lib.join("broken.md"));
        expect.insert(
            "lib/broken.md".into(),
            Expect::Skipped("broken symbolic link"),
        );
        // A link to a good agent inside the library: read once, under the agent's own path.
        symlink("good/sql-tuner.md", &lib.join("sql-tuner-link.md"));
        let fifo = lib.join("pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            expect.insert("lib/pipe.md".into(), Expect::Skipped("not a regular file"));
        } else {
            eprintln!("note: mkfifo unavailable; the named-pipe fixture is left out");
        }
    }
    expect
}

/// Makes `path` unreadable; false when this process can read it anyway (root, or a file system
/// without permissions), in which case the assertions about it are skipped.
#[cfg(unix)]
fn make_unreadable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let still_readable = if path.is_dir() {
        std::fs::read_dir(path).is_ok()
    } else {
        std::fs::read(path).is_ok()
    };
    if still_readable {
        eprintln!(
            "note: {} is still readable after chmod 000 (running as root?); \
             the permission-denied assertions are skipped",
            path.display()
        );
    }
    !still_readable
}

#[cfg(unix)]
fn make_readable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

fn scan_json(dir: &Path, args: &[&str]) -> (Value, String, Option<i32>, Duration) {
    let start = Instant::now();
    let out = cmd_in(dir)
        .arg("scan")
        .args(args)
        .args(["--format", "json", "-q"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan {args:?} printed no JSON ({e}); exit {:?}, stderr:\n{stderr}",
            out.status.code()
        )
    });
    (json, stderr, out.status.code(), elapsed)
}

fn by_path(report: &Value, list: &str) -> BTreeMap<String, Value> {
    report[list]
        .as_array()
        .unwrap_or_else(|| panic!("`{list}` is not an array"))
        .iter()
        .map(|v| (v["path"].as_str().unwrap().to_owned(), v.clone()))
        .collect()
}

#[test]
fn a_hostile_library_is_scanned_to_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut expect = build_library(root);
    #[cfg(unix)]
    let (unreadable_file, unreadable_dir) = {
        let file = root.join("lib/unreadable.md");
        write(&file, agent("unreadable", "Cannot be read.", "Body."));
        let dir = root.join("lib/locked");
        write(
            &dir.join("inside.md"),
            agent("locked-inside", "Cannot be reached.", "Body."),
        );
        let (f, d) = (make_unreadable(&file), make_unreadable(&dir));
        // Where permissions do not bite (root), both are simply read.
        if f {
            expect.insert(
                "lib/unreadable.md".into(),
                Expect::Skipped("permission denied"),
            );
        } else {
            expect.insert("lib/unreadable.md".into(), Expect::Good);
        }
        if d {
            expect.insert("lib/locked".into(), Expect::Skipped("permission denied"));
        } else {
            expect.insert("lib/locked/inside.md".into(), Expect::Good);
        }
        (file, dir)
    };

    let (report, stderr, code, elapsed) = scan_json(root, &["lib"]);

    #[cfg(unix)]
    {
        make_readable(&unreadable_file);
        make_readable(&unreadable_dir);
    }
    assert_eq!(
        code,
        Some(0),
        "a scan that completes exits 0; stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr:\n{stderr}");
    assert!(
        elapsed < Duration::from_secs(60),
        "the scan took {elapsed:?}: something is expanding or re-reading"
    );
    let agents = by_path(&report, "agents");
    let skipped = by_path(&report, "skipped");
    let mut problems = Vec::new();
    for (path, e) in &expect {
        match *e {
            Expect::Good | Expect::Diagnostic(_) if !agents.contains_key(path) => {
                problems.push(format!(
                    "{path}: expected as an agent; skipped as {:?}",
                    skipped.get(path)
                ))
            }
            Expect::Diagnostic(text) => {
                let diagnostics = agents[path]["diagnostics"].as_array().unwrap();
                if !diagnostics
                    .iter()
                    .any(|d| d.as_str().unwrap().contains(text))
                {
                    problems.push(format!(
                        "{path}: no diagnostic with {text:?}: {diagnostics:?}"
                    ));
                }
            }
            Expect::Good => {}
            Expect::Skipped(text) => match skipped.get(path) {
                None => problems.push(format!(
                    "{path}: expected in `skipped` ({text:?}); agent: {}",
                    agents.contains_key(path)
                )),
                Some(s) if !s["reason"].as_str().unwrap().contains(text) => {
                    problems.push(format!("{path}: reason {} lacks {text:?}", s["reason"]))
                }
                Some(_) => {}
            },
        }
    }
    // Nothing else was read or skipped: no file outside the library, no link read twice.
    for path in agents.keys().chain(skipped.keys()) {
        if !expect.contains_key(path) {
            problems.push(format!(
                "{path}: reported, but not a fixture expected there"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let all = serde_json::to_string(&report).unwrap();
    assert!(
        !all.contains("outside-secret") && !all.contains("outside-folder-secret"),
        "a file outside the library was read through a link"
    );
    assert_eq!(report["parsed"].as_u64().unwrap() as usize, agents.len());
    assert_eq!(
        report["scanned"].as_u64().unwrap() as usize,
        agents.len() + skipped.len(),
        "every file seen is either parsed or skipped"
    );

    // Every reason and diagnostic is a sentence, not a bare error code.
    for s in skipped.values() {
        let reason = s["reason"].as_str().unwrap();
        assert!(
            reason.len() > 10,
            "terse reason for {}: {reason}",
            s["path"]
        );
    }

    // The rest of the library is still processed: the copies cluster, under a sanitized name.
    let clusters = report["clusters"].as_array().unwrap();
    let terraform = clusters
        .iter()
        .find(|c| {
            c["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m.as_str().unwrap().ends_with("terraform-auditor.md"))
        })
        .unwrap_or_else(|| panic!("the two terraform copies did not cluster: {clusters:#?}"));
    let merged_name = terraform["merged_name"].as_str().unwrap();
    assert!(
        agent_dedup::parse::is_valid_name(merged_name) && !merged_name.contains(".."),
        "merged name {merged_name:?} is not sanitized"
    );
    let merged = terraform["merged"].as_str().unwrap();
    common::assert_loadable_frontmatter(merged);

    // Two files declaring one name are a collision.
    let collisions = report["name_collisions"].as_array().unwrap();
    assert!(
        collisions
            .iter()
            .any(|c| c["name"] == "release-helper" && c["paths"].as_array().unwrap().len() == 2),
        "{collisions:#?}"
    );
}

#[test]
fn merged_files_stay_inside_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for plugin in ["a", "b"] {
        write(
            &root.join(format!("lib/{plugin}/terraform-auditor.md")),
            agent("../../etc/x", "Audits Terraform modules.", PATH_NAME_BODY),
        );
    }
    std::fs::create_dir_all(root.join("deep/er")).unwrap();
    let out = cmd_in(&root.join("deep/er"))
        .args(["scan", "../../lib", "-q", "--out", "out"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = common::snapshot_dir(&root.join("deep/er/out"));
    assert!(!written.is_empty());
    for name in written.keys() {
        assert!(
            !name.contains('/') && !name.contains(".."),
            "{name} is not directly inside the output folder"
        );
    }
    // Nothing appeared anywhere else.
    let everything = common::snapshot_dir(root);
    for path in everything.keys() {
        assert!(
            path.starts_with("lib/") || path.starts_with("deep/er/out/"),
            "unexpected file written: {path}"
        );
    }
}

#[test]
fn a_file_that_vanishes_after_discovery_is_skipped_with_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let keep = tmp.path().join("keep.md");
    let gone = tmp.path().join("gone.md");
    write(&keep, agent("keep", "Stays.", "Body."));
    write(&gone, agent("gone", "Goes.", "Body."));
    let found = discover(&[tmp.path().to_owned()], DiscoverOptions::default()).unwrap();
    assert_eq!(found.files, vec![gone.clone(), keep.clone()]);
    std::fs::remove_file(&gone).unwrap();
    let skip = read_agent_file(&gone).unwrap_err();
    assert_eq!(skip.path, gone);
    assert!(
        skip.reason.contains("no longer exists") && skip.reason.contains("run the scan again"),
        "{}",
        skip.reason
    );
    assert!(read_agent_file(&keep).is_ok());
}

#[test]
fn a_file_larger_than_the_limit_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("big.md");
    // Sparse: the size is what counts; reading it would take 50 MB of memory.
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let start = Instant::now();
    let skip = read_agent_file(&path).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(
        skip.reason.contains(&MAX_FILE_BYTES.to_string()),
        "{}",
        skip.reason
    );
    // Just at the limit is read.
    let at_limit = tmp.path().join("limit.md");
    let mut text = agent("limit", "Just fits.", "").into_bytes();
    text.resize(MAX_FILE_BYTES as usize, b'x');
    write(&at_limit, &text);
    assert!(read_agent_file(&at_limit).is_ok());
}

/// Paths given on the command line that cannot be used are errors (exit 2) naming the path.
#[test]
fn unusable_input_paths_exit_2_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(&root.join("ok/a.md"), agent("a", "Fine.", "Body."));
    let mut cases: Vec<(PathBuf, &str)> = vec![(PathBuf::from("missing"), "no such file")];
    #[cfg(unix)]
    {
        symlink("self-loop", &root.join("self-loop"));
        cases.push((PathBuf::from("self-loop"), "loops"));
        let fifo = root.join("pipe.md");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            cases.push((PathBuf::from("pipe.md"), "named pipe"));
        }
        let locked = root.join("locked.md");
        write(&locked, agent("locked", "Locked.", "Body."));
        if make_unreadable(&locked) {
            cases.push((PathBuf::from("locked.md"), "permission denied"));
        }
    }
    for (path, problem) in cases {
        let out = cmd_in(root)
            .args(["scan", "ok"])
            .arg(&path)
            .args(["--format", "json", "-q"])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
        assert!(
            stderr.contains(&path.display().to_string()) && stderr.contains(problem),
            "{}: stderr does not name the path and the problem ({problem}): {stderr}",
            path.display()
        );
    }
}

/// Two copies of an agent as large as the limit allows (distinct lines, so nothing is boilerplate
/// or deduplicated cheaply) are read, clustered and merged in bounded time.
#[test]
fn copies_at_the_size_limit_are_merged_in_bounded_time() {
    let tmp = tempfile::tempdir().unwrap();
    let size = if cfg!(debug_assertions) {
        MAX_FILE_BYTES / 4
    } else {
        MAX_FILE_BYTES
    } as usize;
    let mut text = agent("big-copy", "As large as allowed.", "");
    let mut i = 0u64;
    while text.len() < size - 200 {
        // Pseudo-random words, so that every line is its own.
        let words: Vec<String> = (0..10)
            .map(|j| {
                format!(
                    "w{:x}",
                    (i * 31 + j).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 44
                )
            })
            .collect();
        let marker = if i % 3 == 0 { "- " } else { "" };
        text.push_str(&format!("{marker}{}\n\n", words.join(" ")));
        i += 1;
    }
    write(&tmp.path().join("lib/a/big-copy.md"), &text);
    write(&tmp.path().join("lib/b/big-copy.md"), &text);
    write(
        &tmp.path().join("lib/sql-tuner.md"),
        agent("sql-tuner", "Tunes slow SQL queries.", SQL_BODY),
    );
    let (report, stderr, code, elapsed) = scan_json(tmp.path(), &["lib"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["parsed"], 3, "{:?}", report["skipped"]);
    assert!(
        elapsed < Duration::from_secs(60),
        "two {size}-byte copies took {elapsed:?} to scan"
    );
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:#?}");
    eprintln!("two {size}-byte copies: scanned in {elapsed:?}");
}

/// Every input `cargo fuzz` found a crash with (`tests/fixtures/hostile/fuzz/`), run through the
/// checks of the fuzz target (`fuzz/fuzz_targets/parse.rs`).
#[test]
fn fuzz_crash_inputs_stay_fixed() {
    use agent_dedup::model::Diagnostic;
    use agent_dedup::{merge, normalize, parse};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/fuzz");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    for input in inputs {
        let bytes = std::fs::read(&input).unwrap();
        let Ok(agent) = parse::parse_agent(Path::new("fuzz.md"), &bytes) else {
            continue;
        };
        let written = merge::render(&agent.frontmatter, &agent.body);
        let again = parse::parse_agent(Path::new("again.md"), written.as_bytes()).unwrap();
        assert_eq!(
            again.frontmatter,
            agent.frontmatter,
            "{}: written back as\n{written}",
            input.display()
        );
        let _ = normalize::featurize(std::slice::from_ref(&agent));
        let merged = merge::merge(&[&agent, &agent], 0, &[1]);
        assert!(parse::is_valid_name(&merged.name), "{}", input.display());
        let back = parse::parse_agent(Path::new("merged.md"), merged.text.as_bytes()).unwrap();
        assert!(
            !back
                .diagnostics
                .iter()
                .any(|d| matches!(d, Diagnostic::LenientYaml { .. })),
            "{}: {:?}",
            input.display(),
            back.diagnostics
        );
    }
}
