//! How much of the exhaustive path's answer the inverted index keeps, on one library:
//! `cargo run --release --example fast_vs_exhaustive -- DIR [THRESHOLD]`
//!
//! Scores every pair (slow: n·(n−1)/2 pairs; 10,000 agents take a minute or two on two cores) and
//! only the index's candidates, then prints:
//! - duplicate pairs: of the pairs the exhaustive path scores at or above the threshold, the share
//!   the index proposes (and so scores identically);
//! - clustered pairs: of the pairs of agents the exhaustive path puts in one cluster, the share the
//!   fast path puts in one cluster too, and how many it clusters that the exhaustive path does not;
//! - with a `truth.tsv` in DIR (as `synth` writes): the same for the clustered pairs of copies of one
//!   base, the duplicates that are known to be duplicates, and for the pairs of different bases.

use agent_dedup::candidates::indexed_candidates;
use agent_dedup::cluster::{group_with_copies, ClusterOptions};
use agent_dedup::model::{Kind, ScoredPair};
use agent_dedup::pipeline::{Library, ScanOptions};
use agent_dedup::score::{score_all_pairs, score_candidate_pairs, Weights};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

/// Two agents, by index.
type Pair = (usize, usize);

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .expect("usage: fast_vs_exhaustive DIR [THRESHOLD]"),
    );
    let options = ClusterOptions {
        threshold: args
            .next()
            .map_or(ClusterOptions::default().threshold, |t| {
                t.parse().expect("THRESHOLD is a number")
            }),
        ..ClusterOptions::default()
    };
    let library = Library::load(std::slice::from_ref(&dir), &ScanOptions::default()).expect("scan");
    let kinds: Vec<Kind> = library.agents.iter().map(|a| a.kind).collect();
    let weights = Weights::default();
    let n = library.agents.len();

    let started = Instant::now();
    let first_copy = library.first_copies();
    let candidates = indexed_candidates(&library.features, &kinds, &first_copy);
    let fast = score_candidate_pairs(&library.features, &kinds, &weights, &candidates);
    let fast_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let all = score_all_pairs(&library.features, &kinds, &weights);
    let all_secs = started.elapsed().as_secs_f64();

    let duplicates = |pairs: &[ScoredPair]| -> HashSet<(usize, usize)> {
        pairs
            .iter()
            .filter(|p| p.score.total >= options.threshold)
            .map(|p| (p.a, p.b))
            .collect()
    };
    let (dup_all, dup_fast) = (duplicates(&all), duplicates(&fast));
    println!("{n} agents; threshold {}", options.threshold);
    println!(
        "scored: exhaustive {} pairs kept of {} in {all_secs:.1} s; index {} kept of {} candidates in {fast_secs:.1} s",
        all.len(),
        n * n.saturating_sub(1) / 2,
        fast.len(),
        candidates.iter().map(Vec::len).sum::<usize>(),
    );
    println!(
        "duplicate pairs: exhaustive {}, index finds {} ({:.4})",
        dup_all.len(),
        dup_all.intersection(&dup_fast).count(),
        share(dup_all.intersection(&dup_fast).count(), dup_all.len()),
    );

    let clustered = |pairs: &[ScoredPair]| -> HashSet<(usize, usize)> {
        group_with_copies(n, pairs, &first_copy, &options)
            .iter()
            .flat_map(|g| {
                g.iter()
                    .enumerate()
                    .flat_map(move |(i, &a)| g[i + 1..].iter().map(move |&b| (a, b)))
            })
            .collect()
    };
    let (co_all, co_fast) = (clustered(&all), clustered(&fast));
    let kept = co_all.intersection(&co_fast).count();
    println!(
        "clustered pairs: exhaustive {}, fast path keeps {kept} ({:.4}) and adds {}",
        co_all.len(),
        share(kept, co_all.len()),
        co_fast.difference(&co_all).count(),
    );

    if let Ok(truth) = std::fs::read_to_string(dir.join("truth.tsv")) {
        let base: std::collections::HashMap<&str, &str> =
            truth.lines().filter_map(|l| l.split_once('\t')).collect();
        let base_of = |i: usize| {
            let path = library.agents[i].path.strip_prefix(&dir).ok()?;
            base.get(path.to_str()?).copied()
        };
        let (copies, others): (Vec<&Pair>, Vec<&Pair>) = co_all
            .iter()
            .partition(|&&(a, b)| base_of(a).is_some() && base_of(a) == base_of(b));
        let copies_kept = copies.iter().filter(|p| co_fast.contains(p)).count();
        println!(
            "clustered copy pairs (one base in truth.tsv): exhaustive {}, fast path keeps {copies_kept} ({:.4})",
            copies.len(),
            share(copies_kept, copies.len()),
        );
        let others_kept = others.iter().filter(|p| co_fast.contains(p)).count();
        println!(
            "clustered pairs of different bases: exhaustive {}, fast path keeps {others_kept} ({:.4})",
            others.len(),
            share(others_kept, others.len()),
        );
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}
