//! Clustering and merge quality on the labelled public libraries beside the checkout
//! (`../shared/bench/dev` and `../shared/bench/dev2`), with default settings: one set of defaults
//! for both. CI has them; a checkout without them skips.

use agent_dedup::eval::{self, Labels, Scores};
use agent_dedup::model::{Kind, Report};
use agent_dedup::pipeline::{scan, ScanOptions};
use std::collections::HashMap;
use std::path::PathBuf;

fn bench_dir(set: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/bench")
        .join(set);
    if dir.join("labels.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
}

/// Scans a labelled set with default settings and scores it.
fn scanned(dir: &std::path::Path) -> (Labels, Report, HashMap<String, usize>, Scores) {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let labels = Labels::parse(&read("labels.tsv"), Some(&read("related.tsv"))).unwrap();
    let files = dir.join("files");
    let report = scan(std::slice::from_ref(&files), &ScanOptions::default()).unwrap();
    let cluster_of = eval::cluster_of(&report, &files);
    let scores = eval::evaluate(&labels, &cluster_of);
    (labels, report, cluster_of, scores)
}

/// Skills never sit with agents.
fn assert_kinds_apart(report: &Report) {
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
}

/// The second library, other authors and naming habits. The target (pairwise F1 0.90,
/// B-cubed 0.94) is not reached yet: this holds what is (pairwise 0.859, B-cubed 0.928; precision
/// 0.98, 0.88 inside one collection) against going back; `dev2_reaches_the_target` says how far
/// there is to go.
#[test]
fn default_settings_hold_on_a_library_of_other_authors() {
    let Some(dir) = bench_dir("dev2") else { return };
    let (_, report, _, scores) = scanned(&dir);
    assert!(scores.pairwise.f1 >= 0.85, "pairwise {:?}", scores.pairwise);
    assert!(scores.bcubed.f1 >= 0.92, "B-cubed {:?}", scores.bcubed);
    assert!(scores.pairwise.precision >= 0.96, "{:?}", scores.pairwise);
    // Siblings an author split on purpose stay apart.
    assert!(
        scores.within_folder.precision >= 0.85,
        "{:?}",
        scores.within_folder
    );
    assert_kinds_apart(&report);
}

#[test]
#[ignore = "the target of issue 11, not reached yet (pairwise F1 0.859, B-cubed 0.928)"]
fn dev2_reaches_the_target() {
    let Some(dir) = bench_dir("dev2") else { return };
    let (_, _, _, scores) = scanned(&dir);
    assert!(scores.pairwise.f1 >= 0.90, "pairwise {:?}", scores.pairwise);
    assert!(scores.bcubed.f1 >= 0.94, "B-cubed {:?}", scores.bcubed);
}

#[test]
fn merged_topics_repeat_no_more_than_the_members() {
    let Some(dir) = bench_dir("dev") else { return };
    let (_, report, _, _) = scanned(&dir);
    let figures = eval::merge_quality::merge_figures(&report);
    assert!(
        figures.merged.topics_repeated <= figures.members.topics_repeated,
        "{figures:?}"
    );
}

#[test]
fn default_settings_cluster_the_labelled_libraries_well() {
    let Some(dir) = bench_dir("dev") else { return };
    let (labels, report, cluster_of, scores) = scanned(&dir);
    // Now 0.961 and 0.982; issue 11 allows no more than a point lost from 0.964 / 0.984.
    assert!(
        scores.pairwise.f1 >= 0.955,
        "pairwise {:?}",
        scores.pairwise
    );
    assert!(scores.bcubed.f1 >= 0.975, "B-cubed {:?}", scores.bcubed);
    assert!(
        scores.within_folder.precision >= 0.92,
        "{:?}",
        scores.within_folder
    );

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

    assert_kinds_apart(&report);

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
    // Topics repeated: `merged_topics_repeat_no_more_than_the_members` holds issue 12's target.
    assert!(
        figures.merged.repeated_points <= figures.members.repeated_points,
        "{figures:?}"
    );
    assert!(figures.max_length_ratio <= 2.0, "{figures:?}");
    assert_eq!(figures.description_within_budget, 1.0, "{figures:?}");
    assert!(figures.max_examples <= 3, "{figures:?}");
}
