//! Any bytes, read as an agent file: the parser must never panic, hang or blow up memory; what it
//! reads must write back (`merge::render`) and read again to the same frontmatter, and go through
//! the normalizer and the merge, whose output must read back as strict YAML with a valid name.
//!
//! cargo +nightly fuzz run parse -- -max_len=16384 -timeout=10
#![no_main]

use agent_dedup::model::Diagnostic;
use agent_dedup::{merge, normalize, parse};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(agent) = parse::parse_agent(Path::new("fuzz.md"), data) else {
        return;
    };
    // What was read can be written back and read again to the same keys and values.
    let written = merge::render(&agent.frontmatter, &agent.body);
    let again = parse::parse_agent(Path::new("again.md"), written.as_bytes())
        .expect("the frontmatter written back reads again");
    assert_eq!(
        again.frontmatter, agent.frontmatter,
        "written back:\n{written}"
    );
    let _ = normalize::featurize(std::slice::from_ref(&agent));
    let merged = merge::merge(&[&agent, &agent], 0, &[1]);
    assert!(
        parse::is_valid_name(&merged.name),
        "merged name {:?} is not valid",
        merged.name
    );
    let back = parse::parse_agent(Path::new("merged.md"), merged.text.as_bytes())
        .expect("the merged file reads back");
    assert!(
        !back
            .diagnostics
            .iter()
            .any(|d| matches!(d, Diagnostic::LenientYaml { .. })),
        "the merged frontmatter is not strict YAML: {:?}\n{}",
        back.diagnostics,
        merged.text
    );
    assert_eq!(
        back.frontmatter.name().as_deref(),
        Some(merged.name.as_str())
    );
});
