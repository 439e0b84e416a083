//! The inverted index is a speed-up, not a different answer: on libraries small enough for both, the
//! indexed and the exhaustive paths give the same clusters.

use agent_dedup::candidates::Strategy;
use agent_dedup::pipeline::{scan, ScanOptions};
use std::path::PathBuf;

fn clusters(dir: &PathBuf, strategy: Strategy) -> Vec<Vec<PathBuf>> {
    let options = ScanOptions {
        strategy: Some(strategy),
        ..ScanOptions::default()
    };
    let report = scan(std::slice::from_ref(dir), &options).unwrap();
    let mut out: Vec<Vec<PathBuf>> = report
        .clusters
        .iter()
        .map(|c| {
            c.cluster
                .members
                .iter()
                .map(|&m| report.agents[m].path.clone())
                .collect()
        })
        .collect();
    out.sort();
    out
}

fn same_clusters_both_ways(dir: PathBuf) {
    let exhaustive = clusters(&dir, Strategy::Exhaustive);
    assert!(
        !exhaustive.is_empty(),
        "{} has duplicates to find",
        dir.display()
    );
    assert_eq!(
        clusters(&dir, Strategy::Indexed),
        exhaustive,
        "{}",
        dir.display()
    );
}

#[test]
fn indexed_and_exhaustive_agree_on_the_sample_library() {
    same_clusters_both_ways(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"));
}

#[test]
fn indexed_and_exhaustive_agree_on_the_labelled_libraries() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/dev/files");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    same_clusters_both_ways(dir);
}
