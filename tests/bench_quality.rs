//! Clustering and merge quality on the labelled public libraries beside the checkout
//! (`../shared/bench/dev`), with default settings. CI has them; a checkout without them skips.

use agent_dedup::eval::{self, Labels};
use agent_dedup::model::Kind;
use agent_dedup::pipeline::{scan, ScanOptions};
use std::path::PathBuf;

fn bench_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/dev");
    if dir.join("labels.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
}

#[test]
fn default_settings_cluster_the_labelled_libraries_well() {
    let Some(dir) = bench_dir() else { return };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let labels = Labels::parse(&read("labels.tsv"), Some(&read("related.tsv"))).unwrap();
    let files = dir.join("files");
    let report = scan(std::slice::from_ref(&files), &ScanOptions::default()).unwrap();
    let cluster_of = eval::cluster_of(&report, &files);
    let scores = eval::evaluate(&labels, &cluster_of);
    assert!(scores.pairwise.f1 >= 0.90, "pairwise {:?}", scores.pairwise);
    assert!(scores.bcubed.f1 >= 0.95, "B-cubed {:?}", scores.bcubed);

    // The five seeds: one cluster, nothing of another role in it.
    let seeds: Vec<&String> = labels
        .roles
        .keys()
        .filter(|p| p.starts_with("seeds/"))
        .collect();
    let seed_cluster = cluster_of
        .get(seeds[0])
        .copied()
        .expect("the seeds are clustered");
    assert!(seeds
        .iter()
        .all(|s| cluster_of.get(*s) == Some(&seed_cluster)));
    let roles_in_it: Vec<&String> = cluster_of
        .iter()
        .filter(|(_, &c)| c == seed_cluster)
        .map(|(p, _)| &labels.roles[p])
        .collect();
    assert!(
        roles_in_it.iter().all(|r| *r == &labels.roles[seeds[0]]),
        "{roles_in_it:?}"
    );

    // Skills never sit with agents.
    for c in &report.clusters {
        let kinds: Vec<Kind> = c
            .cluster
            .members
            .iter()
            .map(|&m| report.agents[m].kind)
            .collect();
        assert!(
            kinds.iter().all(|k| *k == kinds[0]),
            "{} mixes skills and agents",
            c.id
        );
    }

    let quality = eval::merge_quality(&report);
    assert_eq!(
        quality.strict_yaml, 1.0,
        "every merged file loads in Claude Code"
    );
    assert!(quality.max_length_ratio <= 2.2, "{quality:?}");
    // How the merged files read (issue 12; figures in BENCHMARKS.md): the points two or more
    // members make are kept, no more topics repeated or points repeated than in the members
    // themselves, descriptions within budget.
    let figures = eval::merge_quality::merge_figures(&report);
    assert!(figures.shared_points_kept >= 0.97, "{figures:?}");
    assert!(
        figures.merged.topics_repeated <= figures.members.topics_repeated,
        "{figures:?}"
    );
    assert!(
        figures.merged.repeated_points <= figures.members.repeated_points,
        "{figures:?}"
    );
    assert!(figures.max_length_ratio <= 2.0, "{figures:?}");
    assert_eq!(figures.description_within_budget, 1.0, "{figures:?}");
    assert!(figures.max_examples <= 3, "{figures:?}");
}
