//! Dumps every pair of agents of a folder with the parts of its score, as TSV, for studying how the
//! parts separate duplicates from different roles:
//! `cargo run --release --example pairs -- DIR > pairs.tsv` (all n·(n−1)/2 pairs, so keep DIR small).

use agent_dedup::pipeline::{Library, ScanOptions};
use agent_dedup::score::{score_pair, Weights};
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: pairs DIR"));
    let library = Library::load(std::slice::from_ref(&dir), &ScanOptions::default()).expect("scan");
    println!("a\tb\ttotal\tname\tdescription\tbody\tshared\tboilerplate\tcounted\tname_a\tname_b");
    let key = |i: usize| agent_dedup::eval::label_key(&library.agents[i].path, &dir);
    let n = library.agents.len();
    // Each name's role words with their weights, `word:weight` separated by spaces.
    let words = |i: usize| {
        let name = &library.features[i].name;
        name.core
            .iter()
            .zip(&name.weights)
            .map(|(w, x)| format!("{w}:{x:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for a in 0..n {
        for b in a + 1..n {
            let s = score_pair(
                &library.features[a],
                &library.features[b],
                &Weights::default(),
            );
            println!(
                "{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{}{}{}\t{}\t{}",
                key(a),
                key(b),
                s.total,
                s.name,
                s.description,
                s.body,
                s.shared_lines,
                s.boilerplate,
                s.counted.name as u8,
                s.counted.description as u8,
                s.counted.body as u8,
                words(a),
                words(b)
            );
        }
    }
}
