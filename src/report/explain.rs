//! The output of `explain`: one pair, part by part.

use crate::pipeline::Explanation;
use crate::terminal;
use serde_json::{json, Value};
use std::fmt::Write;

pub fn explanation_text(e: &Explanation) -> String {
    let s = &e.score;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({})\n{} ({})\n",
        terminal::path(&e.a.path),
        terminal::escape(&e.a.display_name()),
        terminal::path(&e.b.path),
        terminal::escape(&e.b.display_name())
    );
    if !e.same_kind {
        let _ = writeln!(
            out,
            "One is an agent and the other a skill: they are never clustered together.\n"
        );
    }
    let verdict = if e.same_kind && s.total >= e.threshold {
        "would cluster"
    } else {
        "would not cluster"
    };
    let _ = writeln!(
        out,
        "score {:.2} ({verdict} at threshold {:.2})",
        s.total, e.threshold
    );
    let _ = writeln!(out, "  name         {:.2}  role words of the names (titles like expert/pro and prefixes count little)", s.name);
    let _ = writeln!(
        out,
        "  description  {:.2}  distinctive words of the descriptions, <example> blocks left out",
        s.description
    );
    let _ = writeln!(
        out,
        "  body         {:.2}  distinctive words of the bodies, boilerplate left out",
        s.body
    );
    let _ = writeln!(
        out,
        "  shared       {:.2}  share of body blocks the two have in common{}",
        s.shared_lines,
        if s.shared_lines > s.total - 1e-6 && s.shared_lines > 0.0 {
            " (sets the score: near-verbatim copy)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "  boilerplate  {:.0}%  of their body blocks recur across the library and were discounted",
        s.boilerplate * 100.0
    );
    if !e.shared_terms.is_empty() {
        let _ = writeln!(
            out,
            "\nshared distinctive terms: {}",
            terminal::escape(&e.shared_terms.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "word rarity judged over {} agent(s); tier if clustered: {}",
        e.library_size, e.tier_if_clustered
    );
    out
}

pub fn explanation_json(e: &Explanation) -> Value {
    json!({
        "a": e.a.path.display().to_string(),
        "b": e.b.path.display().to_string(),
        "score": e.score,
        "threshold": e.threshold,
        "would_cluster": e.same_kind && e.score.total >= e.threshold,
        "same_kind": e.same_kind,
        "shared_terms": e.shared_terms,
        "library_size": e.library_size,
        "tier_if_clustered": e.tier_if_clustered,
    })
}
