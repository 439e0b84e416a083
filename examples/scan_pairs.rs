//! Dumps the pairs a scan scores (the candidate pairs of a large library, or all pairs), with the
//! parts of their score and each file's label key, as TSV: for studying the clustering offline.
//! `cargo run --profile fast --example scan_pairs -- DIR [--all] > pairs.tsv`

use agent_dedup::candidates::{indexed_candidates, strategy_for, Strategy};
use agent_dedup::model::Kind;
use agent_dedup::pipeline::{Library, ScanOptions};
use agent_dedup::score::{score_pair, Weights};
use std::path::PathBuf;

/// A name's role words with their weights, `word:weight` separated by spaces.
fn words(f: &agent_dedup::normalize::Features) -> String {
    f.name
        .core
        .iter()
        .zip(&f.name.weights)
        .map(|(w, x)| format!("{w}:{x:.2}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: scan_pairs DIR"));
    let library = Library::load(std::slice::from_ref(&dir), &ScanOptions::default()).expect("scan");
    let n = library.agents.len();
    let kinds: Vec<Kind> = library.agents.iter().map(|a| a.kind).collect();
    let key = |i: usize| agent_dedup::eval::label_key(&library.agents[i].path, &dir);
    if std::env::args().any(|a| a == "--vectors") {
        // One line an agent: key, then description, body and role vectors as `term:weight` lists,
        // then the name's role words as terms.
        let list = |v: &agent_dedup::normalize::SparseVec| {
            v.0.iter()
                .map(|(t, w)| format!("{t}:{w:.4}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        for (i, f) in library.features.iter().enumerate() {
            let name: Vec<String> = f.name.core_keys.iter().map(|k| k.0.to_string()).collect();
            println!(
                "{}\t{}\t{}\t{}\t{}",
                key(i),
                list(&f.description),
                list(&f.body),
                list(&f.role),
                name.join(" ")
            );
        }
        return;
    }
    let all = std::env::args().any(|a| a == "--all");
    let candidates: Vec<Vec<u32>> = match strategy_for(n, all) {
        Strategy::Exhaustive => (0..n).map(|a| (a as u32 + 1..n as u32).collect()).collect(),
        Strategy::Indexed => indexed_candidates(&library.features, &kinds, &library.first_copies()),
    };
    println!("a\tb\ttotal\tname\tdescription\tbody\trole\tshared\tcounted\tsiblings\tsubjects\tcoll_a\tcoll_b\tname_a\tname_b");
    for (a, bs) in candidates.iter().enumerate() {
        for &b in bs {
            let b = b as usize;
            if kinds[a] != kinds[b] {
                continue;
            }
            let (fa, fb) = (&library.features[a], &library.features[b]);
            let s = score_pair(fa, fb, &Weights::default());
            println!(
                "{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{}{}{}{}\t{}\t{}\t{}\t{}\t{}\t{}",
                key(a), key(b), s.total, s.name, s.description, s.body, s.role, s.shared_lines,
                s.counted.name as u8, s.counted.description as u8, s.counted.body as u8,
                s.counted.role as u8, s.siblings as u8, s.different_subjects as u8,
                fa.collection, fb.collection, words(fa), words(fb),
            );
        }
    }
}
