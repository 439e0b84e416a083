//! agent-dedup: find near-duplicate AI agent definitions, explain why they match, and propose merged
//! definitions.
//!
//! The pipeline, one module per stage:
//! [`discover`] → [`parse`] → [`normalize`] → [`score`] → [`cluster`] → [`merge`] (+ [`diff`]) →
//! [`report`]. [`pipeline`] runs them in order; [`model`] holds the types they share. [`outdir`] writes
//! `--out`; [`apply`] carries a report out, journaled, and undoes it.
//!
//! ```no_run
//! use agent_dedup::pipeline::{scan, ScanOptions};
//! let report = scan(&["corpus".into()], &ScanOptions::default()).unwrap();
//! for c in &report.clusters {
//!     println!("{} {} members, merged as {}", c.id, c.cluster.members.len(), c.merged.name);
//! }
//! ```

pub mod apply;
pub mod baseline;
pub mod candidates;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod cost;
pub mod diff;
pub mod discover;
pub mod eval;
pub mod loads;
pub mod markdown;
pub mod merge;
pub mod mirrors;
pub mod model;
pub mod normalize;
pub mod outdir;
pub mod parse;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod role;
pub mod score;
pub mod subjects;
pub mod terminal;
pub mod words;
