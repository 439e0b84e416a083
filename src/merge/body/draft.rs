//! The draft: the merged body while it is built. The representative's sections (then sections of
//! topics only others have) hold pieces, units placed in them; a candidate is another member's unit
//! with where it would go; the tally keeps what happened to every unit, for the report.

use crate::merge::fold;
use crate::merge::outline::{Header, Unit};
use crate::merge::points::{PointIndex, Terms};
use crate::merge::topics::Topic;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The points of the representative's draft, indexed by their words, with the section of each:
/// which draft sections already make a point is a look-up, not a comparison with every point.
pub(super) struct DraftPoints {
    index: PointIndex,
    section_of: Vec<usize>,
    /// By a title of another member's section, how alike its topic is to each draft section's
    /// (members of a cluster mostly share their titles).
    by_title: FxHashMap<String, Rc<Vec<f32>>>,
}

impl DraftPoints {
    pub(super) fn new(draft: &[DraftSection]) -> DraftPoints {
        let mut points = DraftPoints {
            index: PointIndex::default(),
            section_of: Vec::new(),
            by_title: FxHashMap::default(),
        };
        for (d, section) in draft.iter().enumerate() {
            for p in &section.pieces {
                points.index.insert(&p.terms);
                points.section_of.push(d);
            }
        }
        points
    }

    /// How alike the topic of `title` is to each draft section's ([`Topic::similarity`]).
    pub(super) fn title_similarity(
        &mut self,
        title: &str,
        topic: &Topic,
        draft: &[DraftSection],
    ) -> Rc<Vec<f32>> {
        if let Some(found) = self.by_title.get(title) {
            return found.clone();
        }
        let found = Rc::new(draft.iter().map(|d| topic.similarity(&d.topic)).collect());
        self.by_title.insert(title.to_owned(), Rc::clone(&found));
        found
    }

    /// For each draft section, how many of `units` it already makes.
    pub(super) fn made_by_section(&mut self, units: &[Rc<Terms>], sections: usize) -> Vec<usize> {
        let mut made = vec![0; sections];
        let mut seen: Vec<usize> = Vec::new();
        for u in units {
            seen.clear();
            let section_of = &self.section_of;
            self.index.each_same(u, |p| seen.push(section_of[p]));
            seen.sort_unstable();
            seen.dedup();
            for &d in &seen {
                made[d] += 1;
            }
        }
        made
    }
}

/// A unit placed in the draft, or a candidate for it.
#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub(super) member: usize,
    pub(super) unit: Unit,
    pub(super) terms: Rc<Terms>,
    /// How many members (this one included) make this point.
    pub(super) support: usize,
    /// How many members (this one included) say all of it (their own wording holds most of its
    /// words): fewer than `support` when it elaborates on a point others make shortly.
    pub(super) full_support: usize,
    /// Its number among what the body says (`Said`, in `choose`), once placed.
    pub(super) said_as: Option<usize>,
    /// Whether it comes from a section of things not to do (`## Never`, `Avoid:`).
    pub(super) negative: bool,
    /// For another member's unit: its place in its section, and among all candidates (members in
    /// order, each in the order it wrote them), so that steps of a new section keep the order of
    /// their procedures: first steps first.
    pub(super) at: (usize, usize),
}

#[derive(Debug, Clone)]
pub(super) struct DraftSection {
    pub(super) header: Option<Header>,
    pub(super) topic: Topic,
    pub(super) pieces: Vec<Piece>,
    /// For a new section: the members whose sections of this topic it gathers.
    pub(super) members: Vec<usize>,
    /// For a new section: the most units one member's section of it has (how long the list its
    /// lead-in introduces is where it comes from).
    pub(super) listed: usize,
    /// For a new section: whether a member has it as a section of its body, not as a bold
    /// sub-title inside a section under a heading (`**Setup:**` under `## Deployment`).
    pub(super) top_level: bool,
    /// For a section of the skeleton: whether it had nothing of its own, only titling the
    /// sections after it (`## Responsibilities` over `### 1. Analysis`).
    pub(super) titles_only: bool,
}

/// Where a candidate goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Draft(usize),
    New(usize),
}

/// What happened to the other members' units, for the report.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) added: BTreeMap<usize, usize>,
    pub(super) already_said: usize,
    pub(super) introductions: usize,
    pub(super) closings: usize,
    pub(super) other_language: Vec<String>,
    pub(super) project_specific: Vec<String>,
    pub(super) naming_members: Vec<String>,
    pub(super) alternatives: Vec<String>,
    pub(super) fragments: Vec<String>,
    pub(super) adds_little: Vec<String>,
    /// Points of one member that are no whole item of a list of the section of their topic.
    pub(super) not_fitting: Vec<String>,
    /// Points of a section only one member has.
    pub(super) one_members_sections: Vec<String>,
    /// Points too short to stand among their neighbours (a word or two in a list of sentences), or
    /// lead-ins without their list.
    pub(super) bare_keywords: Vec<String>,
    /// Titles of other members' sections that name no topic (`This shows:`).
    pub(super) not_topics: Vec<String>,
    /// Lines repeating a member's frontmatter in its body (`agentName: …`).
    pub(super) frontmatter_lines: Vec<String>,
    /// HTML comments: notes to a file's maintainers (`<!-- DESIGN DECISION: … -->`).
    pub(super) maintainer_notes: Vec<String>,
    /// The representative's title, when it named another agent than the merged one.
    pub(super) retitled: Option<String>,
    /// Points made in fuller words by several other members, and so reworded.
    pub(super) reworded: Vec<String>,
    /// Items making the point of an item of their section in other words.
    pub(super) echoes: Vec<String>,
    /// Sections of the skeleton folded into an earlier one of their topic.
    pub(super) folds: Vec<fold::Fold>,
    pub(super) left_out: Vec<String>,
}

/// Bytes a unit takes in the merged body, with the blank line before it.
pub(super) fn cost(unit: &Unit) -> usize {
    unit.source.len() + 2
}

pub(super) fn draft_len(draft: &[DraftSection]) -> usize {
    draft
        .iter()
        .map(|d| {
            d.header.as_ref().map_or(0, |h| h.source.len() + 2)
                + d.pieces.iter().map(|p| cost(&p.unit)).sum::<usize>()
        })
        .sum()
}

#[cfg(test)]
/// For tests: a unit of another member's, as the merge holds it (`source` as written, `text`
/// plain).
pub(super) fn test_piece(kind: crate::merge::outline::UnitKind, source: &str, text: &str) -> Piece {
    Piece {
        member: 1,
        unit: Unit {
            kind,
            source: source.to_owned(),
            text: text.to_owned(),
        },
        terms: Rc::new(crate::merge::points::terms_of(text)),
        support: 1,
        full_support: 1,
        said_as: None,
        negative: false,
        at: (0, 0),
    }
}
