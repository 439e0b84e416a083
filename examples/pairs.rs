//! Dumps every pair of agents of a folder with the parts of its score, as TSV, for studying how the
//! parts separate duplicates from different roles:
//! `cargo run --release --example pairs -- DIR > pairs.tsv` (all n·(n−1)/2 pairs, so keep DIR small).

use agent_dedup::pipeline::{Library, ScanOptions};
use agent_dedup::score::{score_pair, Weights};
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: pairs DIR"));
    let library = Library::load(std::slice::from_ref(&dir), &ScanOptions::default()).expect("scan");
    println!("a\tb\ttotal\tname\tdescription\tbody\tshared\tboilerplate");
    let key = |i: usize| agent_dedup::eval::label_key(&library.agents[i].path, &dir);
    let n = library.agents.len();
    for a in 0..n {
        for b in a + 1..n {
            let s = score_pair(
                &library.features[a],
                &library.features[b],
                &Weights::default(),
            );
            println!(
                "{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}",
                key(a),
                key(b),
                s.total,
                s.name,
                s.description,
                s.body,
                s.shared_lines,
                s.boilerplate
            );
        }
    }
}
