//! Merging bodies topic by topic, as a maintainer would: one voice, each point once.
//!
//! 1. Every member is read into an outline ([`super::outline`]): introduction, sections, units.
//! 2. The representative's outline is the draft. Its units in another language than its body are
//!    dropped, and so are lines that delegate to (or contrast with) an agent the merge absorbs.
//! 3. Each other member's section is aligned with the draft section of the same topic (by title,
//!    see [`super::topics`], or by content: most of its points already made there). Its units are
//!    candidates for that section; a section of a topic the draft lacks is a candidate new section.
//!    Other members' introductions (a second identity) and closing lines are not carried over, nor
//!    an alternative to an exclusive topic the draft has (a second output format), nor units in
//!    another language, units tied to one member's project, or lines naming absorbed agents.
//! 4. A candidate the draft already says is dropped; of candidates that make one point, one wording
//!    is kept, the one most members share. Points two or more members make are added first, then
//!    new sections carrying them, then single-member points by how many new words they bring, then
//!    whole new sections of single-member points, while the body stays within [`GROWTH_LIMIT`] times
//!    the longest member. A new section needs at least two points: fewer is a fragment, not a
//!    topic; nor is the remnant of another member's section, when the draft says most of it
//!    already (the points of such sections that several members make go to the section they fit
//!    best, and a remnant stays a section only when one of them fits nowhere).
//! 5. The draft is written back: the representative's sections in its order, new sections after
//!    them, its closing last; every list renumbered.
//!
//! Where each step lives: [`skeleton`] picks the body the merge builds on; [`keep`] decides
//! which units belong in a merged body at all; [`align`](mod@align) finds where another member's
//! section goes; [`choose`](mod@choose) picks the candidates to add, within the budgets; [`place`]
//! (with [`polarity`]) puts each where it reads as one of its neighbours;
//! [`render`](mod@render) writes the draft back; [`decision`] tells the report what was done.
//! [`draft`] holds the types they share, [`cache`] what is read from each text once.

mod align;
mod cache;
mod choose;
mod decision;
mod draft;
mod keep;
mod place;
mod polarity;
mod render;
mod skeleton;

pub use cache::TermCache;

use super::fold;
use super::outline::{HeaderKind, Outline, UnitKind};
use super::points;
use super::topics;
use crate::model::{AgentFile, MergeDecision};
use align::{align, is_part_of_a_section};
use choose::{choose, count_support, single_budget};
use decision::{body_decision, preview};
use draft::{DraftPoints, DraftSection, Piece, Tally, Target};
use keep::{is_closing_line, keep_unit, Absorbed};
use polarity::is_negative;
use render::{render, title_naming};
use skeleton::{body_language, closing_of, skeleton_of};

/// The merged body stays within this multiple of the longest member's body.
pub const GROWTH_LIMIT: f32 = 2.0;

/// Names the merge knows: the merged agent's, and those of the members it absorbs.
pub struct Names<'a> {
    pub merged: &'a str,
    /// Each member's name, in member order.
    pub members: &'a [String],
}

/// Merges the bodies of `members` (`outlines`: each one's body read as an outline, in member
/// order); `order` lists the non-representatives, most similar first.
pub fn merge_bodies(
    members: &[&AgentFile],
    mut outlines: Vec<Outline>,
    representative: usize,
    order: &[usize],
    names: &Names,
    decisions: &mut Vec<MergeDecision>,
    cache: &mut TermCache,
) -> String {
    cache.make_room();
    let chosen = representative;
    let representative = skeleton_of(&outlines, representative, cache);
    let mut tally = Tally {
        folds: fold::fold_repeated_topics(&mut outlines[representative], &mut |t| cache.topic(t)),
        ..Tally::default()
    };
    let reordered: Vec<usize>;
    let order = if representative == chosen {
        order
    } else {
        // The chosen representative's points come first, as the most similar member's would.
        reordered = std::iter::once(chosen)
            .chain(order.iter().copied().filter(|&m| m != representative))
            .collect();
        &reordered
    };
    let language = body_language(&outlines[representative], cache);
    let absorbed = Absorbed::new(names, representative);
    let rep = &outlines[representative];
    let closing_start = closing_of(rep, cache);
    let mut draft: Vec<DraftSection> = Vec::new();
    for section in &rep.sections {
        let pieces: Vec<Piece> = section
            .units
            .iter()
            .filter_map(|u| keep_unit(u, representative, &absorbed, language, &mut tally, cache))
            .collect();
        draft.push(DraftSection {
            topic: section
                .title()
                .map(|t| (*cache.topic(t)).clone())
                .unwrap_or_default(),
            header: section.header.clone(),
            titles_only: pieces.is_empty(),
            pieces,
            members: vec![representative],
            listed: 0,
            top_level: true,
        });
    }
    let mut draft_points = DraftPoints::new(&draft);
    let mut new_sections: Vec<DraftSection> = Vec::new();
    let mut candidates: Vec<(Piece, Target)> = Vec::new();
    for &m in order.iter().filter(|&&m| m != representative) {
        let outline = &outlines[m];
        let closing = closing_of(outline, cache);
        let mut last_target: Option<Target> = None;
        let mut negative = false;
        let parents = outline.parents();
        for (s, section) in outline.sections.iter().enumerate() {
            if let Some(title) = section.title() {
                negative = is_negative(title);
            }
            let target = match (&section.header, s >= closing) {
                (None, _) => {
                    // The introduction: its paragraphs are another identity.
                    tally.introductions += section
                        .units
                        .iter()
                        .filter(|u| u.kind == UnitKind::Paragraph)
                        .count();
                    Some(Target::Draft(0))
                }
                (Some(_), true) => {
                    tally.closings += section.units.len();
                    continue;
                }
                (Some(h), false) if h.kind == HeaderKind::Loose => last_target,
                // Another member's closing or pointers elsewhere (`## Remember`, `## Delegates
                // to`), wherever in its body: one closing, the representative's, and no agents
                // of another library.
                (Some(h), false)
                    if matches!(
                        cache.topic(&h.title).known,
                        Some(topics::CLOSING) | Some(topics::REFERENCES)
                    ) =>
                {
                    tally.closings += section.units.len();
                    continue;
                }
                // A section titled in another language is another language's section, whatever
                // technical words its items share with the body (`## 고가용성`, `- [ ] Sentinel 구성`).
                (Some(h), false)
                    if points::foreign_language(cache.language(&h.title), language) =>
                {
                    tally.other_language.push(preview(&h.title));
                    tally
                        .other_language
                        .extend(section.units.iter().map(|u| preview(&u.text)));
                    continue;
                }
                (Some(_), false) => align(
                    section,
                    m,
                    &draft,
                    &mut draft_points,
                    &mut new_sections,
                    &mut tally,
                    cache,
                ),
            };
            if let Some(Target::New(i)) = target {
                new_sections[i].top_level |= !is_part_of_a_section(section, parents[s].is_some());
            }
            last_target = target;
            let Some(target) = target else { continue };
            for (place, u) in section.units.iter().enumerate() {
                if section.header.is_none() && u.kind == UnitKind::Paragraph {
                    continue;
                }
                if is_closing_line(u) {
                    tally.closings += 1;
                    continue;
                }
                if let Some(mut piece) = keep_unit(u, m, &absorbed, language, &mut tally, cache) {
                    piece.negative = negative;
                    piece.at = (place, candidates.len());
                    candidates.push((piece, target));
                }
            }
        }
    }
    // Most points already made are made word for word (members copy each other): found by their
    // text, they need no comparison with every point of the draft.
    let said_verbatim: rustc_hash::FxHashSet<&str> = draft
        .iter()
        .flat_map(|d| d.pieces.iter().map(|p| p.unit.text.as_str()))
        .collect();
    let before = candidates.len();
    candidates.retain(|(p, _)| !said_verbatim.contains(p.unit.text.as_str()));
    tally.already_said += before - candidates.len();
    count_support(&mut candidates, &draft, members.len());
    let longest = members
        .iter()
        .map(|m| m.body.trim().len())
        .max()
        .unwrap_or(0);
    let budget = (longest as f32 * GROWTH_LIMIT) as usize;
    let rep_len = members[representative].body.trim().len();
    choose(
        &mut draft,
        new_sections,
        candidates,
        budget,
        single_budget(rep_len),
        &mut tally,
    );
    let title = rep.title.as_ref().map(|t| {
        let (title, renamed) = title_naming(&t.source, &t.text, names);
        if renamed {
            tally.retitled = Some(t.text.clone());
        }
        title
    });
    let body = render(rep, title.as_deref(), &draft, closing_start, representative);
    decisions.push(body_decision(members, representative, chosen, &tally));
    body
}

/// What the tests of the body merge share: members made from bodies, and their merge.
#[cfg(test)]
mod testing {
    use super::*;
    use crate::merge::outline;
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, name: &str, body: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: d\n---\n{body}");
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    /// Merges `rep` (named `rep-agent`) with `others` (named `other-0`, `other-1`, …).
    pub(super) fn merged(rep: &str, others: &[&str]) -> (String, Vec<MergeDecision>) {
        let mut files = vec![agent("r.md", "rep-agent", rep)];
        files.extend(
            others
                .iter()
                .enumerate()
                .map(|(i, b)| agent(&format!("{i}.md"), &format!("other-{i}"), b)),
        );
        let refs: Vec<&AgentFile> = files.iter().collect();
        let order: Vec<usize> = (1..files.len()).collect();
        let member_names: Vec<String> = files.iter().map(|f| f.display_name()).collect();
        let names = Names {
            merged: "rep-agent",
            members: &member_names,
        };
        let mut decisions = Vec::new();
        let outlines = files.iter().map(|f| outline::outline(&f.body)).collect();
        let body = merge_bodies(
            &refs,
            outlines,
            0,
            &order,
            &names,
            &mut decisions,
            &mut TermCache::default(),
        );
        (body, decisions)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::merged;

    #[test]
    fn a_section_titled_in_another_language_is_not_carried_over() {
        let (m, decisions) = merged(
            "You review the code of the team.\n\n## Checks\n- Check error handling in every function\n",
            &["Intro.\n\n## 고가용성\n- [ ] Sentinel 구성\n- [ ] failover 테스트\n- [ ] backup RDB AOF 정책\n"],
        );
        assert!(!m.contains("Sentinel") && !m.contains("고가용성"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("고가용성")),
            "{body:?}"
        );
    }
}
