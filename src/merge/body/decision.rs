//! What the report says about the body: the decision naming the skeleton, what was added from whom,
//! and every unit left out with the reason.

use super::draft::Tally;
use super::GROWTH_LIMIT;
use crate::model::{AgentFile, MergeDecision};

pub(super) fn preview(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{short}…")
    } else {
        short
    }
}

// --------------------------------------------------------------------------------------- render

pub(super) fn body_decision(
    members: &[&AgentFile],
    representative: usize,
    chosen: usize,
    tally: &Tally,
) -> MergeDecision {
    let added: Vec<String> = tally
        .added
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| format!("{n} from {}", members[*i].path.display()))
        .collect();
    let added = if added.is_empty() {
        "nothing new from the others".to_owned()
    } else {
        added.join(", ")
    };
    let mut why = format!(
        "the representative's sections in its order, each other member's points under the section of the same topic, sections of topics it lacks after them: {added}. \
         {} point(s) already made were not repeated; {} introduction paragraph(s) and {} closing line(s) of other members were not carried over (one identity, one closing)",
        tally.already_said, tally.introductions, tally.closings
    );
    if representative != chosen {
        why = format!(
            "{}'s body says much more of what the members share than the representative's ({} is the name and description), so it is the skeleton: {why}",
            members[representative].path.display(),
            members[chosen].path.display()
        );
    }
    let mut dropped = Vec::new();
    if !tally.folds.is_empty() {
        let folds: Vec<String> = tally
            .folds
            .iter()
            .map(|f| format!("`{}` into `{}`", f.folded, f.into))
            .collect();
        why.push_str(&format!(
            "; section(s) of a topic the skeleton already has, folded into the first (one section per topic): {}",
            folds.join(", ")
        ));
    }
    if let Some(old) = &tally.retitled {
        why.push_str(&format!(
            "; the title `{old}` named another agent than the merged one: it is the merged name now"
        ));
        dropped.push(format!("title: {old}"));
    }
    let mut note = |what: &str, list: &[String]| {
        if !list.is_empty() {
            why.push_str(&format!("; {} {what}", list.len()));
            dropped.extend(list.iter().cloned());
        }
    };
    note(
        "unit(s) in another language than the body",
        &tally.other_language,
    );
    note(
        "line(s) naming an agent this merge replaces (delegating to it or contrasting with it)",
        &tally.naming_members,
    );
    note(
        "unit(s) tied to one member's own project (local files, its paths or repository)",
        &tally.project_specific,
    );
    note(
        "alternative section(s) to one the representative has and an agent needs once (such as its output format)",
        &tally.alternatives,
    );
    note(
        "point(s) of sections too small to add (fewer than two points, or the tail of a list another member's lead-in introduces)",
        &tally.fragments,
    );
    note(
        "point(s) reworded in the fuller words several other members use",
        &tally.reworded,
    );
    note(
        "item(s) making the point of an item of their section in other words (shared words side by side)",
        &tally.echoes,
    );
    note(
        "point(s) of one member that add too little (a word or two) to what is said",
        &tally.adds_little,
    );
    note(
        "point(s) of one member that are no whole item of a list in the section of their topic",
        &tally.not_fitting,
    );
    note(
        "HTML comment(s): notes to a member file's maintainers, not instructions to the agent (the merged file is a new file)",
        &tally.maintainer_notes,
    );
    note(
        "line(s) repeating a member's frontmatter in its body (`agentName:`, `version:`)",
        &tally.frontmatter_lines,
    );
    note(
        "lead-in(s) of other members that name no topic (a sentence, or pointing back), with their points",
        &tally.not_topics,
    );
    note(
        "point(s) of section(s) only one member has",
        &tally.one_members_sections,
    );
    note(
        "line(s) that would not read as items of their section (a bare word or two, a lead-in without its list)",
        &tally.bare_keywords,
    );
    note(
        &format!("point(s) left out to keep the body within {GROWTH_LIMIT}× the longest member"),
        &tally.left_out,
    );
    MergeDecision {
        field: "body".into(),
        chose: format!("{}'s structure", members[representative].path.display()),
        why,
        dropped,
    }
}
