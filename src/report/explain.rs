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
    let verdict = if would_cluster(e) {
        "would cluster"
    } else {
        "would not cluster"
    };
    let side = if e.same_kind && s.total >= e.threshold {
        "above"
    } else {
        "below"
    };
    let _ = writeln!(
        out,
        "score {:.2} ({side} the threshold {:.2}; {verdict} in a scan of the same library)",
        s.total, e.threshold
    );
    let absent = "  (one of the two has none: not counted)";
    let _ = writeln!(out, "  name         {:.2}  role words of the names (filler words like expert/guru and collection marks count little){}", s.name, if s.counted.name { "" } else { absent });
    let _ = writeln!(
        out,
        "  description  {:.2}  distinctive words of the descriptions, <example> blocks left out{}",
        s.description,
        if s.counted.description { "" } else { absent }
    );
    let _ = writeln!(
        out,
        "  body         {:.2}  distinctive words of the bodies, boilerplate left out{}",
        s.body,
        if s.counted.body { "" } else { absent }
    );
    let _ = writeln!(
        out,
        "  role         {:.2}  roles declared in the body's title, its `You are a …` sentence and the description's first clause{}",
        s.role,
        if s.counted.role { "" } else { absent }
    );
    if s.different_subjects {
        let _ = writeln!(
            out,
            "  subjects     one names a technology, platform or concern the other never mentions: text counted at {:.0}%",
            crate::score::SUBJECT_DISCOUNT * 100.0
        );
    } else if s.siblings {
        let _ = writeln!(
            out,
            "  siblings     one collection, names with different subjects: text counted at {:.0}%",
            crate::score::SIBLING_DISCOUNT * 100.0
        );
    }
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
    let _ = writeln!(out, "{}", scan_sentence(e));
    out
}

/// The verdict: what a scan of the same library does with the two.
fn would_cluster(e: &Explanation) -> bool {
    e.same_kind && e.scan.together
}

/// What a scan of the same library does with the two, in a sentence.
fn scan_sentence(e: &Explanation) -> String {
    let v = &e.scan;
    let with = |others: &[std::path::PathBuf]| match others.len() {
        0 => "alone".to_owned(),
        1 => format!("with {}", others[0].display()),
        n => format!("with {} and {} other(s)", others[0].display(), n - 1),
    };
    if v.together {
        format!(
            "a scan of the same library clusters them together ({} member(s))",
            v.cluster_of_a.len() + 1
        )
    } else {
        format!(
            "a scan of the same library keeps them apart: the first {}, the second {}",
            with(&v.cluster_of_a),
            with(&v.cluster_of_b)
        )
    }
}

pub fn explanation_json(e: &Explanation) -> Value {
    json!({
        "a": e.a.path.display().to_string(),
        "b": e.b.path.display().to_string(),
        "score": e.score,
        "threshold": e.threshold,
        "would_cluster": would_cluster(e),
        "same_kind": e.same_kind,
        "shared_terms": e.shared_terms,
        "library_size": e.library_size,
        "tier_if_clustered": e.tier_if_clustered,
        "scan": e.scan,
    })
}
