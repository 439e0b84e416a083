//! The HTML report in a real browser: headless Chromium loads the report of `corpus/`, of a
//! 1,000-agent synthetic library and of a library of hostile files; screenshots must not be blank,
//! the counts must be in the DOM, and nothing from an agent file may run or become markup.
//!
//! Skipped, with a notice, when no Chromium is installed (`.ci/run` installs it). Set
//! `AGENT_DEDUP_CHROMIUM` to a browser binary to choose one, and `AGENT_DEDUP_SCREENSHOTS` to a
//! folder to keep the screenshots (as in `docs/`).

mod common;

use common::{clusters, cmd, scan_json, scan_stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A headless Chromium with a profile of its own, kept off the network.
struct Browser {
    exe: PathBuf,
    profile: tempfile::TempDir,
}

impl Browser {
    /// `None` (with a notice) when no Chromium is installed.
    fn find() -> Option<Browser> {
        let exe = std::env::var_os("AGENT_DEDUP_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| {
                ["chromium", "chromium-browser", "google-chrome"]
                    .iter()
                    .find_map(|name| on_path(name))
            });
        match exe {
            Some(exe) => Some(Browser {
                exe,
                profile: tempfile::tempdir().unwrap(),
            }),
            None => {
                eprintln!(
                    "NOTICE: browser test skipped: no chromium on PATH (apt-get install chromium, or set AGENT_DEDUP_CHROMIUM)"
                );
                None
            }
        }
    }

    /// Runs the browser on `page` with `args`; its stdout, and how long the run took. One browser
    /// at a time, so that the tests' timings are not of three browsers sharing the machine.
    fn run(&self, page: &Path, args: &[String]) -> (String, Duration) {
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let url = format!("file://{}", page.canonicalize().unwrap().display());
        let started = Instant::now();
        let mut child = Command::new(&self.exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
            ])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .args(args)
            .arg(&url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
        // A browser that hangs fails the test instead of hanging it.
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap();
                panic!("chromium did not finish with {page:?} in 120 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let elapsed = started.elapsed();
        (reader.join().unwrap(), elapsed)
    }

    /// The DOM after the page loaded, serialized, and the wall time of the whole browser run.
    fn dump_dom(&self, page: &Path) -> (String, Duration) {
        self.run(page, &["--dump-dom".to_owned()])
    }

    /// A PNG of the page's first screen at `width`×`height`.
    fn screenshot(&self, page: &Path, png: &Path, width: u32, height: u32) -> Screenshot {
        self.run(
            page,
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={width},{height}"),
            ],
        );
        let shot = Screenshot::read(png);
        if let Some(dir) = std::env::var_os("AGENT_DEDUP_SCREENSHOTS") {
            std::fs::copy(png, Path::new(&dir).join(png.file_name().unwrap())).unwrap();
        }
        shot
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A decoded screenshot, as RGB(A) rows.
struct Screenshot {
    width: usize,
    channels: usize,
    pixels: Vec<u8>,
}

impl Screenshot {
    fn read(path: &Path) -> Screenshot {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(path).expect("chromium wrote the screenshot"),
        ));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        pixels.truncate(info.buffer_size());
        Screenshot {
            width: info.width as usize,
            channels: info.color_type.samples(),
            pixels,
        }
    }

    fn luminance(&self) -> impl Iterator<Item = f64> + '_ {
        self.pixels.chunks(self.channels).map(|p| {
            if p.len() >= 3 {
                0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64
            } else {
                p[0] as f64
            }
        })
    }

    /// Variance of the pixels' luminance (0 for a page of one colour).
    fn variance(&self) -> f64 {
        let n = (self.pixels.len() / self.channels) as f64;
        let mean = self.luminance().sum::<f64>() / n;
        self.luminance().map(|l| (l - mean).powi(2)).sum::<f64>() / n
    }

    /// Mean luminance of the top `rows` rows: the page's header bar.
    fn top_luminance(&self, rows: usize) -> f64 {
        let take = self.width * rows;
        self.luminance().take(take).sum::<f64>() / take as f64
    }

    /// Asserts the page was drawn: several colours, and its dark header, which the style sheet
    /// draws only when the Content-Security-Policy let the sheet apply.
    fn assert_rendered(&self, what: &str) {
        let variance = self.variance();
        assert!(
            variance > 200.0,
            "{what}: screenshot looks blank (luminance variance {variance:.0})"
        );
        let top = self.top_luminance(8);
        assert!(
            top < 80.0,
            "{what}: no dark header bar (mean luminance {top:.0}): was the style sheet blocked?"
        );
    }
}

/// `scan ARGS --format html`, written to `dir/report.html`.
fn html_report(args: &[&str], dir: &Path) -> PathBuf {
    let page = dir.join("report.html");
    std::fs::write(&page, scan_stdout(cmd(), args, "html")).unwrap();
    page
}

/// The overview figure labelled `label`, as the DOM shows it.
fn stat(dom: &str, label: &str) -> String {
    let end = dom
        .find(&format!("</b><span>{label}</span>"))
        .unwrap_or_else(|| panic!("no `{label}` figure in the page"));
    let start = dom[..end].rfind("<b>").unwrap() + 3;
    dom[start..end].to_owned()
}

/// The page shows the numbers of the JSON report of the same scan.
fn assert_counts(dom: &str, json: &serde_json::Value) {
    let agents = json["agents"].as_array().unwrap();
    let n_agents = agents.iter().filter(|a| a["kind"] == "agent").count();
    assert_eq!(stat(dom, "agents read"), n_agents.to_string());
    assert_eq!(stat(dom, "files seen"), json["scanned"].to_string());
    assert_eq!(
        stat(dom, "files skipped"),
        json["skipped"].as_array().unwrap().len().to_string()
    );
    let n_clusters = clusters(json).len();
    assert_eq!(stat(dom, "clusters of duplicates"), n_clusters.to_string());
    assert_eq!(
        dom.matches("<section class=\"cluster\" id=\"c").count(),
        n_clusters
    );
    for c in clusters(json) {
        assert!(dom.contains(&format!("id=\"{}\"", c["id"].as_str().unwrap())));
    }
    assert_eq!(
        stat(dom, "name collisions"),
        json["name_collisions"]
            .as_array()
            .unwrap()
            .len()
            .to_string()
    );
    // One square per file read in the map.
    let map = &dom[dom.find("<section id=\"map\"").unwrap()..];
    let map = &map[..map.find("</section>").unwrap()];
    assert_eq!(map.matches("<rect").count(), agents.len());
}

#[test]
fn the_corpus_report_renders_with_its_counts() {
    let Some(browser) = Browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = html_report(&["corpus/"], dir.path());
    let (dom, _) = browser.dump_dom(&page);
    assert_counts(&dom, &scan_json(&["corpus/"]));
    assert!(dom.contains("<h2>Map of the library</h2>"));
    browser
        .screenshot(&page, &dir.path().join("report-corpus.png"), 1100, 1700)
        .assert_rendered("corpus report");
    browser
        .screenshot(&page, &dir.path().join("report-corpus-phone.png"), 390, 800)
        .assert_rendered("corpus report on a phone-sized window");
}

/// The synthetic library's generator, built by `cargo test` beside the binary under test (or
/// built now, when only this test target was built).
fn synth_binary() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_agent-dedup"));
    let profile_dir = bin.parent().unwrap();
    let synth = profile_dir.join("examples/synth");
    if !synth.is_file() {
        let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
            "debug" => "dev",
            other => other,
        };
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--profile",
                profile,
                "--example",
                "synth",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "cannot build examples/synth");
    }
    synth
}

#[test]
fn a_thousand_agent_report_renders_whole_and_stays_small() {
    let Some(browser) = Browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("library");
    let made = Command::new(synth_binary())
        .args(["--n", "1000", "--seed", "1", "--out"])
        .arg(&library)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let lib = library.to_str().unwrap();
    let page = html_report(&[lib], dir.path());
    // How fast the page loads is measured in BENCHMARKS.md, not here: a timed test fails on a busy
    // machine. What makes it load fast is bounded instead: its size (4.2 MB when measured).
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(
        size < 6_000_000,
        "the 1,000-agent page is {:.1} MB; a page this size loads slowly",
        size as f64 / 1e6
    );
    let (dom, _) = browser.dump_dom(&page);
    let json = scan_json(&[lib]);
    assert!(
        clusters(&json).len() > 50,
        "the synthetic library has many clusters"
    );
    assert_counts(&dom, &json);
    browser
        .screenshot(&page, &dir.path().join("report-synth-1000.png"), 1100, 1400)
        .assert_rendered("1,000-agent report");
}

/// Markup an attacker would put in an agent file: each piece, if it ran or became an element,
/// would change the title or add the marker.
const PAYLOAD: &str = "<script>document.title='PWNED'</script><img src=x onerror=document.title='PWNED'><b id=pwned-marker>x</b>";

fn hostile_agent(name: &str, extra: &str) -> String {
    format!(
        "---\nname: {name}{PAYLOAD}\ndescription: Reviews code {PAYLOAD} for security flaws. \"<svg onload=document.title='PWNED'>\"\n\
tools: Read, Grep\n---\n\nYou are a code reviewer.{PAYLOAD}\n\n## Checks\n\n- Look for injection {PAYLOAD}\n\
- Look for unsafe deserialization\n- Look for secrets in code\n- </pre></details></section><script>document.title='PWNED'</script>\n\
- Check every input for validation and length limits\n- {extra}\n"
    )
}

#[test]
fn a_hostile_agent_file_runs_nothing_and_adds_no_markup() {
    let Some(browser) = Browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("library");
    std::fs::create_dir_all(library.join("b")).unwrap();
    std::fs::write(
        library.join("reviewer.md"),
        hostile_agent("reviewer", "Report every finding with its line"),
    )
    .unwrap();
    // The same name in a second file (a collision), a near copy (a cluster), markup in the path.
    std::fs::write(
        library.join("b/reviewer<img src=x onerror=document.title='PWNED'>.md"),
        hostile_agent("reviewer", "Report each finding with a line number"),
    )
    .unwrap();
    let lib = library.to_str().unwrap();
    let json = scan_json(&[lib]);
    assert_eq!(clusters(&json).len(), 1, "the hostile files form a cluster");
    assert_eq!(json["name_collisions"].as_array().unwrap().len(), 1);
    let page = html_report(&[lib], dir.path());
    let (dom, _) = browser.dump_dom(&page);
    assert!(
        dom.contains("<title>agent-dedup report</title>"),
        "the title changed"
    );
    assert!(!dom.contains("PWNED</title>"));
    assert!(
        !dom.contains("id=\"pwned-marker\""),
        "agent markup became an element"
    );
    for tag in ["<script", "<img", "<svg onload", "onerror=\"", "<b id"] {
        assert!(
            !dom.contains(tag),
            "agent markup `{tag}` is in the DOM as markup"
        );
    }
    // What the files said is shown, as text.
    assert!(dom.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"));
    assert_counts(&dom, &json);
    browser
        .screenshot(&page, &dir.path().join("report-hostile.png"), 900, 700)
        .assert_rendered("hostile report");
}
