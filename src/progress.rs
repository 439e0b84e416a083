//! Progress bars for the long phases, on stderr, and only when stderr is a terminal: piped output
//! and CI logs stay clean. `--timings` adds one line per finished phase with its wall time and the
//! memory in use, for finding where a slow run spends them.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// Hands out one [`Phase`] per pipeline stage.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    bars: bool,
    timings: bool,
}

impl Progress {
    /// Bars are shown when `quiet` is false and stderr is a terminal; timings when asked for.
    pub fn for_terminal(quiet: bool, timings: bool) -> Self {
        Progress {
            bars: !quiet && std::io::stderr().is_terminal(),
            timings,
        }
    }

    pub fn hidden() -> Self {
        Progress {
            bars: false,
            timings: false,
        }
    }

    /// Starts the phase `name` of `len` steps, drawn with a count and an ETA.
    pub fn phase(&self, name: &'static str, len: u64) -> Phase {
        let bar = if self.bars {
            let style = ProgressStyle::with_template(
                "{prefix:>10.bold} [{bar:30}] {human_pos}/{human_len} ({eta}) {msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> ");
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
                .with_style(style);
            bar.set_prefix(name);
            bar
        } else {
            ProgressBar::hidden()
        };
        Phase {
            name,
            bar,
            started: self.timings.then(Instant::now),
        }
    }
}

/// One running phase. Cheap to share between threads: `inc` is an atomic add.
#[derive(Debug)]
pub struct Phase {
    name: &'static str,
    bar: ProgressBar,
    started: Option<Instant>,
}

impl Phase {
    /// `steps` more steps are done.
    pub fn inc(&self, steps: u64) {
        self.bar.inc(steps);
    }

    /// The phase is done: its bar is cleared, and with `--timings` its wall time is printed.
    pub fn finish(self) {
        self.bar.finish_and_clear();
        if let Some(started) = self.started {
            crate::terminal::eprint_line(&format!(
                "{:>10} {:>8.3} s{}",
                self.name,
                started.elapsed().as_secs_f64(),
                memory_in_use().unwrap_or_default()
            ));
        }
    }
}

/// The process's resident memory now and at its peak so far, where the system tells (Linux).
fn memory_in_use() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    let (now, peak) = (field("VmRSS:")?, field("VmHWM:")?);
    Some(format!(
        "   memory {:>5} MB (peak {:>5} MB)",
        now / 1024,
        peak / 1024
    ))
}
