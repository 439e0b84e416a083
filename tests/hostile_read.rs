//! Reading a hostile library safely, beyond the first read (`tests/hostile.rs`): members changed
//! between the scan's read and its merge, output that nobody reads, and text that would take over
//! the terminal.

mod common;

use agent_dedup::parse::{read_agent_file, MAX_FILE_BYTES};
use agent_dedup::pipeline::reread_member;
use common::cmd_in;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BODY: &str = "You review Python code for correctness and style.\n\n## Checks\n\n\
- Type hints on public functions.\n- No bare `except:` clauses.\n- Tests for every bug fixed.\n";

fn agent_text(name: &str) -> String {
    format!("---\nname: {name}\ndescription: Reviews Python code.\n---\n\n{BODY}")
}

/// A member as the scan leaves it after reading: parsed, its body freed.
fn scanned(path: &Path) -> agent_dedup::model::AgentFile {
    let mut agent = read_agent_file(path).unwrap();
    agent.body = String::new();
    agent
}

/// Reads `agent` again on another thread; `None` when that takes longer than a few seconds (a hang).
fn reread_in_time(agent: &agent_dedup::model::AgentFile) -> Option<agent_dedup::pipeline::Reread> {
    let agent = agent.clone();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(reread_member(&agent, true));
    });
    receive.recv_timeout(Duration::from_secs(10)).ok()
}

/// Item 5 of issue 10: a member replaced between the read and the merge by a named pipe, a link to
/// a file outside the library, or a file grown past the limit is left out of the merge with a
/// warning, never read through, never waited on.
#[cfg(unix)]
#[test]
fn a_member_replaced_after_the_read_is_left_out_of_the_merge() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, agent_text("secret-key-holder")).unwrap();

    type Replace<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, Replace); 4] = [
        ("pipe.md", &|p: &Path| {
            std::fs::remove_file(p).unwrap();
            let made = Command::new("mkfifo").arg(p).status().unwrap();
            assert!(made.success());
        }),
        ("link.md", &|p: &Path| {
            std::fs::remove_file(p).unwrap();
            std::os::unix::fs::symlink(&secret, p).unwrap();
        }),
        ("grown.md", &|p: &Path| {
            let mut text = agent_text("grown").into_bytes();
            text.resize(MAX_FILE_BYTES as usize * 3, b'a');
            std::fs::write(p, text).unwrap();
        }),
        ("edited.md", &|p: &Path| {
            std::fs::write(
                p,
                agent_text("edited").replace("Type hints", "secret words"),
            )
            .unwrap();
        }),
    ];
    for (name, replace) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, agent_text(name.trim_end_matches(".md"))).unwrap();
        let agent = scanned(&path);
        replace(&path);
        let again = reread_in_time(&agent)
            .unwrap_or_else(|| panic!("{name}: reading the member again hung"));
        let warning = again
            .warning
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no warning"));
        assert!(again.left_out, "{name}: still merged: {warning:?}");
        assert!(warning.why.contains("left out"), "{name}: {warning:?}");
        assert!(
            !again.original.contains("secret") && !again.agent.body.contains("secret"),
            "{name}: the replacement's text was read: {again:?}"
        );
        assert!(again.agent.body.is_empty() && again.original.is_empty());
    }
    // A member as the scan read it comes back whole.
    let same = dir.path().join("same.md");
    std::fs::write(&same, agent_text("same")).unwrap();
    let again = reread_in_time(&scanned(&same)).unwrap();
    assert!(!again.left_out && again.warning.is_none());
    assert_eq!(again.agent.body, format!("\n{BODY}"));
}

/// A pipe whose reader has gone away: every write to it fails with a broken pipe.
#[cfg(unix)]
fn closed_pipe() -> Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the read end is ours and used nowhere else.
    unsafe { libc::close(fds[0]) };
    // SAFETY: the write end is ours; the `Stdio` becomes its only owner.
    unsafe { Stdio::from_raw_fd(fds[1]) }
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("agent-dedup")
}

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Item 6 of issue 10: `scan --out out | head -1` still writes `out/`, and `--fail-on-duplicates`
/// still exits 1, when the reader of stdout has gone.
#[cfg(unix)]
#[test]
fn a_closed_stdout_keeps_the_out_files_and_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    for format in ["text", "json", "markdown"] {
        let _ = std::fs::remove_dir_all(&out_dir);
        let status = Command::new(binary())
            .current_dir(crate_root())
            .args(["scan", "corpus/seeds", "-q", "--format", format, "--out"])
            .arg(&out_dir)
            .stdout(closed_pipe())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0), "--format {format}");
        assert!(
            out_dir.join("report.json").is_file(),
            "--format {format}: out/ not written"
        );
        let status = Command::new(binary())
            .current_dir(crate_root())
            .args(["scan", "corpus/seeds", "-q", "--fail-on-duplicates"])
            .args(["--format", format])
            .stdout(closed_pipe())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1), "--format {format}: CI gate lost");
    }
}

/// Item 6 of issue 10: an unwritable stderr (`2>/dev/full`) is no reason to panic (exit 101).
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_stderr_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let run = |args: &[&str]| {
        Command::new(binary())
            .current_dir(crate_root())
            .args(args)
            .stdout(Stdio::null())
            .stderr(full())
            .status()
            .unwrap()
            .code()
    };
    let out = out_dir.to_str().unwrap();
    assert_eq!(
        run(&["scan", "corpus/seeds", "--timings", "--out", out]),
        Some(0)
    );
    assert!(out_dir.join("report.json").is_file());
    assert_eq!(run(&["scan", "no/such/folder"]), Some(2));
    assert_eq!(run(&["scan", "corpus/seeds", "--out", out]), Some(2));
}

/// Bytes and characters that must never reach a terminal raw.
fn assert_inert(what: &str, text: &str) {
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}', '\u{2066}'] {
        assert!(
            !text.contains(bad),
            "{what} prints {bad:?} raw:\n{}",
            text.escape_debug()
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("FORGED")),
        "{what}: a name forged a line:\n{text}"
    );
}

/// Item 9 of issue 10: file names, frontmatter names, descriptions and messages with escape
/// sequences, newlines and direction overrides are printed escaped.
#[cfg(unix)]
#[test]
fn names_and_text_from_files_cannot_take_over_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let hostile_name = "evil\u{1b}]0;owned\u{7}\u{1b}[2K\u{202e}dm.\nFORGED c9 copy";
    let text = format!(
        "---\nname: \"py\\e[31m\\rreviewer\\u202e\"\ndescription: \"Reviews\\e]0;title\\a code.\\nFORGED line\"\ncolor: \"\\e[5m\"\n---\n\n{BODY}"
    );
    let text = format!("{text}\nStay calm.\u{1b}[2J\u{1b}]0;cleared\u{7}\n");
    for name in [
        format!("{hostile_name}-1.md"),
        format!("{hostile_name}-2.md"),
    ] {
        std::fs::write(lib.join(name), &text).unwrap();
    }
    std::fs::write(lib.join(format!("{hostile_name}-empty.md")), "").unwrap();
    std::fs::write(lib.join("plain.md"), &text).unwrap();
    for format in ["text", "markdown"] {
        let out = cmd_in(dir.path())
            .args(["scan", "lib", "-q", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains("evil\\u{1b}]0;owned"), "{stdout}");
        assert_inert(&format!("scan --format {format}"), &stdout);
        assert_inert("its stderr", &String::from_utf8_lossy(&out.stderr));
    }
    let a = format!("lib/{hostile_name}-1.md");
    let out = cmd_in(dir.path())
        .args(["explain", &a, "lib/plain.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_inert("explain", &String::from_utf8_lossy(&out.stdout));
    let out = cmd_in(dir.path())
        .args(["scan", &format!("lib/{hostile_name}-missing.md")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("evil\\u{1b}"), "{stderr}");
    assert_inert("an error message", &stderr);
}
