//! Dumps each agent's name words and the role words of the heads of its declared phrases (title,
//! identity sentence, description's first clause), as TSV: for studying the declared role offline.
//! `cargo run --profile fast --example declared_heads -- DIR > heads.tsv`

use agent_dedup::normalize::name_parts;
use agent_dedup::pipeline::{Library, ScanOptions};
use agent_dedup::role::{declared_phrases, Declared};
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: declared_heads DIR"));
    let library = Library::load(std::slice::from_ref(&dir), &ScanOptions::default()).expect("scan");
    let list = agent_dedup::words::words();
    for a in &library.agents {
        let bytes = std::fs::read(&a.path).expect("read");
        let agent = agent_dedup::parse::parse_agent(&a.path, &bytes).expect("parse");
        let description = agent.frontmatter.description().unwrap_or_default();
        let blocks = agent_dedup::markdown::blocks(&agent.body);
        let heads: Vec<String> = declared_phrases(&description, &blocks)
            .iter()
            .map(|p| {
                let d = Declared::split(p, |w| list.is_filler(w));
                name_parts(&d.head).core.join(" ")
            })
            .collect();
        println!(
            "{}\t{}\t{}",
            agent_dedup::eval::label_key(&a.path, &dir),
            name_parts(&agent_dedup::normalize::role_name(&agent))
                .core
                .join(" "),
            heads.join("|")
        );
    }
}
