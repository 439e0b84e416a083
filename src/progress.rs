//! Progress bars for the long phases, on stderr, and only when stderr is a terminal: piped output
//! and CI logs stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Hands out one bar per phase, or hidden bars when progress is off.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Shown when `quiet` is false and stderr is a terminal.
    pub fn for_terminal(quiet: bool) -> Self {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    pub fn hidden() -> Self {
        Progress { enabled: false }
    }

    /// A bar for one named phase of `len` steps, with a count and an ETA.
    pub fn phase(&self, name: &'static str, len: u64) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let style =
            ProgressStyle::with_template("{prefix:>10.bold} [{bar:30}] {pos}/{len} ({eta}) {msg}")
                .expect("the template is valid")
                .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(style);
        bar.set_prefix(name);
        bar
    }
}
