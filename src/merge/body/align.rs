//! Where another member's section goes (step 3 of the merge): the draft section of its topic (by
//! title, or by content when most of its points are made there already), a new section shared with
//! other members' sections of that topic, or nowhere (an alternative to an exclusive topic the
//! draft has, a lead-in that names no topic).

use super::cache::TermCache;
use super::decision::preview;
use super::draft::{DraftPoints, DraftSection, Tally, Target};
use super::render::marker_number;
use crate::merge::outline::{Header, HeaderKind, Section};
use crate::merge::points::Terms;
use crate::merge::topics::{self};
use std::rc::Rc;

/// A section of another member joins a draft section when this share of its points is already made
/// there (and at least two), whatever the titles say.
const SAME_CONTENT: f32 = 0.5;

/// Where another member's section goes: the draft section of its topic, an alternative to an
/// exclusive topic the draft has (`None`: dropped), or a new section (shared with other members'
/// sections of the same topic).
pub(super) fn align(
    section: &Section,
    member: usize,
    draft: &[DraftSection],
    draft_points: &mut DraftPoints,
    new_sections: &mut Vec<DraftSection>,
    tally: &mut Tally,
    cache: &mut TermCache,
) -> Option<Target> {
    let header = section
        .header
        .as_ref()
        .expect("only titled sections are aligned");
    let topic = cache.topic(&header.title);
    let by_title = draft_points.title_similarity(&header.title, &topic, draft);
    // A title of the same topic outranks any match by content: the points already made need
    // looking up only when no title matches.
    let made = if by_title.iter().any(|&t| t >= topics::SAME_TOPIC) {
        Vec::new()
    } else {
        let units: Vec<Rc<Terms>> = section.units.iter().map(|u| cache.terms(&u.text)).collect();
        draft_points.made_by_section(&units, draft.len())
    };
    let units = section.units.len();
    // New sections hold no points yet while sections are aligned: they match by title only.
    let best = |sections: &[DraftSection], by_title: &[f32], made: &[usize]| {
        sections
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.header
                    .as_ref()
                    .is_some_and(|h| h.kind != HeaderKind::Loose)
            })
            .map(|(i, d)| {
                let title = by_title
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| topic.similarity(&d.topic));
                let made = made.get(i).copied().unwrap_or(0);
                (i, topic_match(title, units, made))
            })
            .filter(|&(_, score)| score > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    };
    if let Some((i, _)) = best(draft, &by_title, &made) {
        if topic.exclusive && draft[i].topic.known == topic.known {
            tally.alternatives.push(header.title.clone());
            return None;
        }
        return Some(Target::Draft(i));
    }
    if topic.exclusive
        && draft
            .iter()
            .any(|d| d.topic.known.is_some() && d.topic.known == topic.known)
    {
        tally.alternatives.push(header.title.clone());
        return None;
    }
    if !names_a_topic(header) {
        // A lead-in that is a sentence (`You engage when users:`, `This shows:`) names no topic a
        // section of the merged agent could have.
        tally.not_topics.push(preview(&header.title));
        return None;
    }
    if let Some((i, _)) = best(new_sections, &[], &[]) {
        if !new_sections[i].members.contains(&member) {
            new_sections[i].members.push(member);
        }
        new_sections[i].listed = new_sections[i].listed.max(units);
        return Some(Target::New(i));
    }
    new_sections.push(DraftSection {
        header: Some(header.clone()),
        topic: (*topic).clone(),
        pieces: Vec::new(),
        members: vec![member],
        listed: units,
        top_level: false,
        titles_only: false,
    });
    Some(Target::New(new_sections.len() - 1))
}

/// Words a title that names a topic opens with (`Orchestration`, `Key practices:`) and one that
/// points back at what came before (`This shows:`, `These include:`) does not.
const BACK_REFERENCES: &[&str] = &["this", "that", "these", "those", "it", "here", "such"];

/// Whether a header names a topic: a heading or bold title, or a lead-in of a few words that does
/// not point back at the sentence before it.
fn names_a_topic(header: &Header) -> bool {
    let words: Vec<String> = header
        .title
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    let points_back = words
        .first()
        .is_some_and(|w| BACK_REFERENCES.contains(&w.as_str()));
    match header.kind {
        HeaderKind::LeadIn => words.len() <= 5 && !points_back,
        _ => !points_back,
    }
}

/// How well a section matches a draft section, from how alike their titles' topics are and how
/// many of its `units` points the draft section already makes: more than 1 for titles of one
/// topic, else the share of its points the draft section already makes when that is
/// [`SAME_CONTENT`] or more, else 0.
fn topic_match(by_title: f32, units: usize, made: usize) -> f32 {
    if by_title >= topics::SAME_TOPIC {
        return 1.0 + by_title;
    }
    if units == 0 {
        return 0.0;
    }
    let share = made as f32 / units as f32;
    if made >= 2 && share >= SAME_CONTENT {
        share
    } else {
        0.0
    }
}

/// Whether a member's section is a part of a larger one of its own rather than a topic: a bold
/// sub-title under a heading (`**Setup:**` under `## Deployment`), or a step of a procedure that
/// titles its own list (`2. **Identify infrastructure:**` with its bullets). Written as a section of
/// the merge, a step would stand alone as `## Identify infrastructure`, its procedure gone.
pub(super) fn is_part_of_a_section(section: &Section, under_a_parent: bool) -> bool {
    match section.header.as_ref().map(|h| &h.kind) {
        Some(HeaderKind::Bold) => under_a_parent,
        Some(HeaderKind::GroupItem { marker }) => {
            marker_number(marker).is_some()
                && opens_with_a_step_verb(section.title().unwrap_or_default())
        }
        _ => false,
    }
}

/// Verbs a step of a procedure opens with (`Identify infrastructure`, `Apply best practices`). A
/// numbered item titled by a noun phrase (`6. **DevOps Integration**`) is a topic of a numbered
/// list of topics, and stays one.
const STEP_VERBS: &[&str] = &[
    "analyse",
    "analyze",
    "apply",
    "assess",
    "build",
    "check",
    "choose",
    "collect",
    "configure",
    "confirm",
    "create",
    "define",
    "deploy",
    "determine",
    "document",
    "establish",
    "evaluate",
    "gather",
    "generate",
    "identify",
    "implement",
    "inspect",
    "investigate",
    "plan",
    "prepare",
    "provide",
    "read",
    "review",
    "run",
    "select",
    "set",
    "test",
    "understand",
    "update",
    "validate",
    "verify",
    "write",
];

fn opens_with_a_step_verb(title: &str) -> bool {
    let first = title
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    STEP_VERBS.contains(&first.as_str())
}

#[cfg(test)]
mod tests {

    use crate::merge::body::testing::merged;

    #[test]
    fn a_bold_sub_title_of_other_members_is_no_heading_of_the_merge() {
        let rep = "You tend bees.\n\n## Workflow\n- Open the hive gently at noon\n- Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let other = "Intro.\n\n## Honey\n\n**Bad extraction:**\n- Heating combs above forty degrees\n- Leaving wax cappings in the bucket\n";
        let (m, _) = merged(rep, &[other, other]);
        assert!(!m.contains("## Bad extraction"), "{m}");
        // The same title as a section of its own body is a section.
        let other = "Intro.\n\n**Bad extraction:**\n- Heating combs above forty degrees\n- Leaving wax cappings in the bucket\n";
        let (m, _) = merged(rep, &[other, other]);
        assert!(m.contains("## Bad extraction"), "{m}");
    }

    #[test]
    fn a_step_of_another_members_procedure_is_no_section_but_a_numbered_topic_is() {
        let rep = "You tend bees.\n\n## Workflow\n- Open the hive gently at noon\n- Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let step = "Intro.\n\n## Process\n\n1. **Check the weather:**\n   - Calm wind below ten knots\n   - Warm afternoon sunshine\n";
        let (m, decisions) = merged(rep, &[step, step]);
        assert!(!m.contains("Check the weather"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("Calm wind")),
            "{body:?}"
        );
        // A numbered list of topics titled by nouns keeps its topics as sections.
        let topic = "Intro.\n\n## Areas\n\n1. **Swarm prevention:**\n   - Calm wind below ten knots\n   - Warm afternoon sunshine\n";
        let (m, _) = merged(rep, &[topic, topic]);
        assert!(m.contains("## Swarm prevention"), "{m}");
    }

    #[test]
    fn a_sentence_lead_in_of_another_member_is_no_section() {
        let other = "You tune images.\n\nThis shows:\n- Dramatic size reduction of images\n- Security hardening of images\n";
        let (m, decisions) = merged(
            "You build images.\n\n## Images\n- Use small base images\n",
            &[other, other],
        );
        assert!(!m.contains("This shows"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("name no topic"), "{}", body.why);
    }

    #[test]
    fn sections_of_one_topic_become_one_and_each_point_is_made_once() {
        let (m, _) = merged(
            "You are a helper.\n\nYour core responsibilities:\n- Review pull requests for correctness\n- Keep functions short\n",
            &[
                "You are an assistant.\n\nYour primary responsibilities include:\n- review the pull requests for correctness\n- Document every public API with examples\n",
                "You are a bot.\n\n## Responsibilities\n- Document each public API with examples\n- Measure latency before optimizing anything\n",
            ],
        );
        // The point two members make joins the representative's list; the one point a single
        // member makes about something else is left out (named in the decisions).
        assert_eq!(
            m,
            "You are a helper.\n\nYour core responsibilities:\n- Review pull requests for correctness\n- Keep functions short\n- Document every public API with examples"
        );
    }

    #[test]
    fn added_steps_are_renumbered_and_a_second_output_format_is_not_added() {
        let other = "Intro.\n\n## Methodology\n3. Measure before optimizing anything\n\n## Response format\n- JSON with severity levels\n- One line per finding\n- Totals at the end\n";
        let (m, _) = merged(
            "Intro.\n\n## Approach\n1. Read the code\n2. Write a plan\n\n## Output format\n- A table of findings\n",
            &[other, other],
        );
        assert!(
            m.contains("1. Read the code\n2. Write a plan\n3. Measure before optimizing anything"),
            "{m}"
        );
        assert!(!m.contains("JSON with severity"), "{m}");
    }
}
