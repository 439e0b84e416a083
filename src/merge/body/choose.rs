//! Choosing what to add (step 4 of the merge): a candidate the body already says is dropped;
//! points several members make come first, one wording each; then new sections, whole or not at
//! all; then single-member points that fit a list of their topic, by how many new words they bring
//! per byte. Every addition stays within the budgets: the body's growth limit, and the bytes
//! single-member points may add.

use super::decision::preview;
use super::draft::{cost, draft_len, DraftSection, Piece, Tally, Target};
use super::place::{
    best_child, best_fit, covered, fits_as_item, item_words, place, place_new_sections,
    reads_as_neighbour, section_words_of, NEW_SECTION_POINTS,
};
use super::polarity::polarity_fits;
use super::render::{in_form_of, with_marker};
use crate::merge::outline::{self, Unit, UnitKind};
use crate::merge::points::{self, PointIndex, Terms};
use rustc_hash::FxHashMap;
use std::rc::Rc;

/// How many members make each candidate's point (the representative counted when its draft does).
pub(super) fn count_support(
    candidates: &mut [(Piece, Target)],
    draft: &[DraftSection],
    members: usize,
) {
    // Members copy each other: each distinct text is looked up once, with the members writing it.
    let mut index = PointIndex::default();
    let mut texts: Vec<Rc<Terms>> = Vec::new();
    let mut writers: Vec<Vec<usize>> = Vec::new();
    let mut candidate_text: Vec<usize> = Vec::with_capacity(candidates.len());
    {
        let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
        let draft_pieces = draft.iter().flat_map(|d| &d.pieces);
        for (k, p) in draft_pieces.map(|p| (None, p)).chain(
            candidates
                .iter()
                .enumerate()
                .map(|(k, (p, _))| (Some(k), p)),
        ) {
            let id = *ids.entry(p.unit.text.as_str()).or_insert_with(|| {
                texts.push(p.terms.clone());
                writers.push(Vec::new());
                index.insert(&p.terms)
            });
            writers[id].push(p.member);
            if k.is_some() {
                candidate_text.push(id);
            }
        }
    }
    let mut support: Vec<Option<(usize, usize)>> = vec![None; texts.len()];
    let mut who = vec![false; members];
    let mut count = |index: &mut PointIndex, id: usize, full: bool| {
        who.iter_mut().for_each(|w| *w = false);
        let mut mark = |j: usize| {
            for &m in &writers[j] {
                who[m] = true;
            }
        };
        if full {
            index.each_saying(&texts[id], &mut mark);
        } else {
            index.each_same(&texts[id], &mut mark);
        }
        who.iter().filter(|&&w| w).count()
    };
    for (piece, &id) in candidates.iter_mut().map(|(p, _)| p).zip(&candidate_text) {
        if support[id].is_none() {
            support[id] = Some((count(&mut index, id, false), count(&mut index, id, true)));
        }
        (piece.support, piece.full_support) = support[id].expect("just counted");
    }
}

/// A single-member point is worth adding when it brings at least this many words the body lacks…
const MIN_NEW_WORDS: usize = 2;

/// …and they are at least this share of its words.
const MIN_NEW_SHARE: f32 = 0.34;

/// What the body says so far (the draft and the points placed in new sections): its points,
/// indexed by their words, and all its words.
#[derive(Default)]
struct Said {
    points: PointIndex,
    words: Terms,
}

impl Said {
    /// Adds a piece's point; the piece learns its number.
    fn add(&mut self, piece: &mut Piece) {
        piece.said_as = Some(self.points.insert(&piece.terms));
        self.words.extend(piece.terms.iter().copied());
    }

    /// Notes a point left out as an echo of an item ([`echoes_an_item`]): that item makes it, so a
    /// point the same as this one is said already. Its words are not the body's, though.
    fn echoed(&mut self, piece: &Piece) {
        self.points.insert(&piece.terms);
    }

    /// The first point made whose every word `terms` holds, and more: `terms` can stand in its
    /// place, saying it fully.
    fn fuller_than(&mut self, terms: &Terms) -> Option<usize> {
        self.points.first_within(terms)
    }

    /// Whether a point is already made, in other words, in fewer or in more.
    fn says(&mut self, terms: &Terms) -> bool {
        self.points.any_same(terms)
    }

    /// [`Said::says`], but a point several members say in full that elaborates on one made (`Component
    /// design` / `Component design: plan the hierarchy for reuse`) is not made yet: the body must
    /// keep every point two or more members make. Code is never such an elaboration.
    fn says_piece(&mut self, piece: &Piece) -> bool {
        if piece.full_support >= 2 && piece.unit.kind != UnitKind::Code {
            self.points.any_saying(&piece.terms)
        } else {
            self.points.any_same(&piece.terms)
        }
    }

    /// How many of a point's words the body (and `also`, words about to join it) lacks, if that
    /// is enough to be worth adding.
    fn adds(&self, terms: &Terms, also: &Terms) -> Option<usize> {
        let new = terms
            .iter()
            .filter(|t| !self.words.contains(t) && !also.contains(t))
            .count();
        (new >= MIN_NEW_WORDS && new as f32 >= MIN_NEW_SHARE * terms.len() as f32).then_some(new)
    }
}

/// Points one member alone makes add at most this share of the representative's body…
const SINGLE_SHARE: f32 = 0.15;

/// …or this many bytes when that is more (a short body can still take an item or two)…
const SINGLE_MIN_BYTES: usize = 240;

/// …and at most this many of them go into one section: the body stays the representative's.
const SINGLE_PER_SECTION: usize = 2;

/// How many bytes the points one member alone makes may add to a representative's body of
/// `rep_len` bytes.
pub(super) fn single_budget(rep_len: usize) -> usize {
    ((rep_len as f32 * SINGLE_SHARE) as usize).max(SINGLE_MIN_BYTES)
}

/// Adds the candidates to the draft (see the module's step 4). `budget` bounds the body's length;
/// `single_budget` the bytes points of one member alone may add.
pub(super) fn choose(
    draft: &mut Vec<DraftSection>,
    mut new_sections: Vec<DraftSection>,
    candidates: Vec<(Piece, Target)>,
    budget: usize,
    single_budget: usize,
    tally: &mut Tally,
) {
    let mut length = draft_len(draft);
    // New sections hold no points yet: what is said is the draft's.
    let mut said = Said::default();
    for p in draft.iter_mut().flat_map(|d| &mut d.pieces) {
        said.add(p);
    }
    let mut open: Vec<(Piece, Target)> = Vec::new();
    for (p, t) in candidates {
        if said.says_piece(&p) {
            tally.already_said += 1;
        } else {
            open.push((p, t));
        }
    }
    // Another member's paragraphs do not join the introduction (one identity), and in a body whose
    // items are sentences, a new section of bare keywords (`Fuzzing`, `Gas estimation`) is not the
    // representative's voice.
    let sentences = median_item_words(draft) > 3;
    open.retain(|(p, t)| {
        let intro = matches!(t, Target::Draft(0))
            && draft[0].header.is_none()
            && p.unit.kind == UnitKind::Paragraph;
        let keyword =
            matches!(t, Target::New(_)) && sentences && p.unit.is_item() && item_words(&p.unit) < 3;
        if intro {
            tally.introductions += 1;
        } else if keyword {
            tally.bare_keywords.push(preview(&p.unit.text));
        }
        !intro && !keyword
    });
    let mut taken = vec![false; open.len()];
    let mut settled = vec![false; open.len()];
    // (1) Points several members make, most shared first: one wording each, the first met.
    let mut shared: Vec<usize> = (0..open.len())
        .filter(|&i| open[i].0.support >= 2)
        .collect();
    shared.sort_by_key(|&i| std::cmp::Reverse(open[i].0.support));
    for i in shared {
        settled[i] = true;
        let (piece, target) = &open[i];
        if said.says_piece(piece) {
            tally.already_said += 1;
            continue;
        }
        // A fuller wording of a point made takes its place: the point is said once.
        let shorter_id = said.fuller_than(&piece.terms).filter(|&id| {
            draft
                .iter()
                .chain(new_sections.iter())
                .flat_map(|d| d.pieces.iter())
                .find(|p| p.said_as == Some(id))
                .is_some_and(|p| can_stand_for(&piece.unit, &p.unit))
        });
        if let (None, Target::Draft(d)) = (shorter_id, *target) {
            let dest = best_child(draft, d, &piece.terms);
            if !reads_as_neighbour(&piece.unit, &draft[dest]) || !polarity_fits(piece, &draft[dest])
            {
                tally.bare_keywords.push(preview(&piece.unit.text));
                continue;
            }
            if echoes_an_item(piece, &draft[dest]) {
                tally.echoes.push(preview(&piece.unit.text));
                said.echoed(piece);
                continue;
            }
        }
        let shorter = shorter_id.and_then(|id| find_said(draft, &mut new_sections, id));
        // (The shorter wording is part of `length`.)
        let new_length = length + cost(&piece.unit) - shorter.as_ref().map_or(0, |p| cost(&p.unit));
        if new_length > budget {
            tally.left_out.push(preview(&piece.unit.text));
            continue;
        }
        length = new_length;
        taken[i] = true;
        let mut piece = piece.clone();
        said.add(&mut piece);
        match shorter {
            Some(p) => {
                tally.reworded.push(preview(&p.unit.text));
                p.unit = in_place_of(piece.unit, &p.unit);
                p.terms = piece.terms;
                p.said_as = piece.said_as;
            }
            None => place(draft, &mut new_sections, piece, *target),
        }
    }
    // (2) Single-member points: only whole items that fit a list of the section of their topic,
    // at most a few per section and within `single_budget`, by how many new words they bring per
    // byte. A new section (a topic two or more members have and the body lacks) is offered first,
    // whole or not at all; the points of a section that is not added may still fit a section of
    // the body as items. The rest are named in the decisions.
    let section_words: Vec<Terms> = draft.iter().map(section_words_of).collect();
    let mut singles: Vec<usize> = Vec::new();
    let mut homeless: Vec<usize> = Vec::new();
    let mut bundles: Vec<Vec<usize>> = vec![Vec::new(); new_sections.len()];
    for i in (0..open.len()).filter(|&i| !settled[i]) {
        match open[i].1 {
            Target::Draft(_) => singles.push(i),
            // A new section is a list: one member's paragraphs and code are not added to it.
            Target::New(n) if covered(&new_sections[n]) && open[i].0.unit.is_item() => {
                bundles[n].push(i)
            }
            Target::New(_) => homeless.push(i),
        }
    }
    let mut single_left = single_budget;
    let mut bundles: Vec<(f32, Vec<usize>)> = bundles
        .into_iter()
        .filter(|b| !b.is_empty())
        .map(|b| (gain_per_byte(&b, &open, &mut said), b))
        .collect();
    bundles.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1[0].cmp(&b.1[0])));
    for (_, bundle) in bundles {
        let fresh = fresh_points(&bundle, &open, &mut said, tally);
        let Some(&first) = fresh.first() else {
            continue;
        };
        let Target::New(n) = open[first].1 else {
            unreachable!("bundles gather points of new sections")
        };
        let size: usize = fresh.iter().map(|&i| cost(&open[i].0.unit)).sum();
        let enough = new_sections[n].pieces.len() + fresh.len() >= NEW_SECTION_POINTS;
        if !enough || size > single_left || length + size > budget {
            homeless.extend(fresh);
            continue;
        }
        length += size;
        single_left -= size;
        for &i in &fresh {
            taken[i] = true;
            let mut piece = open[i].0.clone();
            said.add(&mut piece);
            place(draft, &mut new_sections, piece, open[i].1);
        }
    }
    for i in homeless {
        let p = &open[i].0;
        let fit = best_fit(draft, &section_words, &p.terms)
            .filter(|&d| fits_as_item(&p.unit, &p.terms, &draft[d], &section_words[d]))
            .filter(|&d| polarity_fits(p, &draft[d]));
        match fit {
            Some(d) => {
                open[i].1 = Target::Draft(d);
                singles.push(i);
            }
            None => tally.one_members_sections.push(preview(&p.unit.text)),
        }
    }
    let mut offers: Vec<(f32, usize)> = Vec::new();
    for i in singles {
        let (p, Target::Draft(d)) = &open[i] else {
            continue;
        };
        let dest = best_child(draft, *d, &p.terms);
        if fits_as_item(&p.unit, &p.terms, &draft[dest], &section_words[dest])
            && polarity_fits(p, &draft[dest])
        {
            offers.push((gain_per_byte(&[i], &open, &mut said), i));
        } else {
            tally.not_fitting.push(preview(&p.unit.text));
        }
    }
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut added_to: FxHashMap<usize, usize> = FxHashMap::default();
    for (_, i) in offers {
        if fresh_points(&[i], &open, &mut said, tally).is_empty() {
            continue;
        }
        let (p, target) = &open[i];
        let Target::Draft(d) = *target else {
            continue;
        };
        let dest = best_child(draft, d, &p.terms);
        let size = cost(&p.unit);
        let count = added_to.entry(dest).or_default();
        if *count >= SINGLE_PER_SECTION || size > single_left || length + size > budget {
            tally.left_out.push(preview(&p.unit.text));
            continue;
        }
        if echoes_an_item(p, &draft[dest]) {
            tally.echoes.push(preview(&p.unit.text));
            said.echoed(p);
            continue;
        }
        *count += 1;
        length += size;
        single_left -= size;
        taken[i] = true;
        let mut piece = p.clone();
        said.add(&mut piece);
        place(draft, &mut new_sections, piece, *target);
    }
    for (i, (p, _)) in open.iter().enumerate() {
        if taken[i] {
            *tally.added.entry(p.member).or_default() += 1;
        }
    }
    place_new_sections(draft, new_sections, tally);
}

/// Whether an item of `section` already makes the point of `piece`, an item, in other words
/// ([`points::echoes`]): a list says each point once. Only the section the item would join: a
/// point left out here may still be placed elsewhere, and the room it leaves is taken by others,
/// so a wider test reshuffles whole bodies. A point one member alone makes is not added either when
/// it names a part of an item (it would be a second, thinner bullet for one subject); a point
/// several members make is kept then, in its own words.
pub(super) fn echoes_an_item(piece: &Piece, section: &DraftSection) -> bool {
    let part = piece.support < 2;
    piece.unit.is_item()
        && section.pieces.iter().any(|p| {
            p.unit.is_item()
                && points::echoes(&p.unit.text, &p.terms, &piece.unit.text, &piece.terms, part)
        })
}

/// How many words the body lacks that `points` (indexes into `open`) bring, per byte.
fn gain_per_byte(points: &[usize], open: &[(Piece, Target)], said: &mut Said) -> f32 {
    let nothing = Terms::default();
    let gain: usize = points
        .iter()
        .map(|&i| said.adds(&open[i].0.terms, &nothing).unwrap_or(0))
        .sum();
    let size: usize = points.iter().map(|&i| cost(&open[i].0.unit)).sum();
    gain as f32 / size.max(1) as f32
}

/// Of `points` (indexes into `open`), those that say something the body (and the points before
/// them) does not: the others are counted as already said, or as adding too little.
fn fresh_points(
    points: &[usize],
    open: &[(Piece, Target)],
    said: &mut Said,
    tally: &mut Tally,
) -> Vec<usize> {
    let mut fresh_words = Terms::default();
    let mut fresh_points = PointIndex::default();
    let mut fresh = Vec::new();
    for &i in points {
        let p = &open[i].0;
        if said.says(&p.terms) || fresh_points.any_same(&p.terms) {
            tally.already_said += 1;
        } else if said.adds(&p.terms, &fresh_words).is_none() {
            tally.adds_little.push(preview(&p.unit.text));
        } else {
            fresh_words.extend(p.terms.iter().copied());
            fresh_points.insert(&p.terms);
            fresh.push(i);
        }
    }
    fresh
}

/// The middle number of words of the draft's list items (0 without items).
fn median_item_words(draft: &[DraftSection]) -> usize {
    let mut words: Vec<usize> = draft
        .iter()
        .flat_map(|d| &d.pieces)
        .filter(|p| p.unit.is_item())
        .map(|p| item_words(&p.unit))
        .collect();
    words.sort_unstable();
    words.get(words.len() / 2).copied().unwrap_or(0)
}

/// The piece placed as point `id` of [`Said`].
fn find_said<'a>(
    draft: &'a mut [DraftSection],
    new_sections: &'a mut [DraftSection],
    id: usize,
) -> Option<&'a mut Piece> {
    draft
        .iter_mut()
        .chain(new_sections.iter_mut())
        .flat_map(|d| d.pieces.iter_mut())
        .find(|p| p.said_as == Some(id))
}

/// Whether `fuller` may take the place of `shorter`: a list item that of a list item, a
/// paragraph that of a paragraph.
fn can_stand_for(fuller: &Unit, shorter: &Unit) -> bool {
    (fuller.is_item() && shorter.is_item())
        || (fuller.kind == UnitKind::Paragraph && shorter.kind == UnitKind::Paragraph)
}

/// `fuller` written where `shorter` stood: a list item with its marker and in its list's form.
fn in_place_of(fuller: Unit, shorter: &Unit) -> Unit {
    if !fuller.is_item() {
        return fuller;
    }
    let source = with_marker(
        &in_form_of(&fuller.source, &shorter.source),
        outline::list_marker(&shorter.source),
    );
    Unit {
        kind: shorter.kind,
        source,
        text: fuller.text,
    }
}

#[cfg(test)]
mod tests {

    use crate::merge::body::testing::merged;
    use crate::merge::body::GROWTH_LIMIT;

    #[test]
    fn one_members_point_joins_a_list_only_in_the_form_its_items_are_written_in() {
        let rep = "You keep services secure.\n\n## Detection\n- Identify exposed secrets in each service\n- Detect injection flaws in each service handler\n- Find insecure service dependencies\n";
        let other = "You audit services.\n\n## Detection\n- Remediation guidance for each service flaw\n- Service Scanners: dependency checks of each service\n- Flag weak service dependencies before release\n- **Dependency pinning**: require a reviewed version of each service dependency\n";
        let (m, decisions) = merged(rep, &[other]);
        // An instruction joins the list of instructions, and so does a labelled one, without its
        // label; a noun phrase and a labelled entry about the same services would read as another
        // author's lines, and are named instead.
        assert!(m.contains("Flag weak service dependencies"), "{m}");
        assert!(
            m.contains("\n- Require a reviewed version of each service dependency"),
            "{m}"
        );
        assert!(!m.contains("Dependency pinning"), "{m}");
        assert!(!m.contains("Remediation guidance"), "{m}");
        assert!(!m.contains("Service Scanners"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped
                .iter()
                .any(|d| d.contains("Remediation guidance")),
            "{body:?}"
        );
    }

    #[test]
    fn one_members_point_joins_only_as_an_item_of_the_list_of_its_topic_and_only_a_few() {
        let rep = "You keep services reliable.\n\n## Monitoring\n- Alert on error rates of each service\n- Track latency of each service endpoint\n\n## Deployment\n1. Build the release\n2. Ship the release\n";
        let other = "You run services.\n\n## Monitoring\n- Alert on saturation of each service queue\n- Page the on-call owner of each service on every alert\n- Keep dashboards of each service latency for a year\n- Plan capacity for every database\n\n## Deployment\n- Tag every release in git\n\nAlso write a haiku about the release.\n\n- Sign every artefact\n";
        let (m, decisions) = merged(rep, &[other]);
        // Two whole items about monitoring services join the monitoring list, no more; the item
        // about databases shares too little with the section.
        let monitoring = m.split("## Deployment").next().unwrap();
        assert_eq!(monitoring.matches("\n- ").count(), 4, "{m}");
        assert!(!m.contains("Plan capacity"), "{m}");
        // A bullet does not become a step of the representative's numbered procedure, and a
        // paragraph is not spliced into a list.
        assert!(
            !m.contains("Tag every release") && !m.contains("haiku"),
            "{m}"
        );
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("Tag every release")),
            "{body:?}"
        );
    }

    #[test]
    fn a_section_only_one_member_has_is_not_added() {
        let (m, decisions) = merged(
            "You review code.\n\n## Checks\n- Check error handling in every function\n",
            &["You review.\n\n## Release notes\n- Summarise user facing changes\n- Credit every contributor by name\n- Link the migration guide\n"],
        );
        assert!(
            !m.contains("Release notes") && !m.contains("contributor"),
            "{m}"
        );
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("only one member has"), "{}", body.why);
    }

    #[test]
    fn a_fuller_wording_several_members_share_is_kept_and_replaces_the_short_one() {
        let fuller = "- Use connection pooling for every database and cache server";
        let (m, decisions) = merged(
            "Intro.\n\n## Practices\n1. Use connection pooling\n2. Log every slow query\n",
            &[
                &format!("Intro.\n\n## Practices\n{fuller}\n"),
                &format!("Intro.\n\n## Practices\n{fuller}\n"),
            ],
        );
        assert_eq!(
            m,
            "Intro.\n\n## Practices\n\n1. Use connection pooling for every database and cache server\n2. Log every slow query",
            "the fuller wording takes the short step's place and number"
        );
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("reworded"), "{}", body.why);
        // One member alone elaborating on a point adds nothing: the point is made.
        let (m, _) = merged(
            "Intro.\n\n## Practices\n- Use connection pooling\n",
            &[&format!("Intro.\n\n## Practices\n{fuller}\n")],
        );
        assert!(!m.contains("cache server"), "{m}");
    }

    #[test]
    fn a_shared_elaboration_that_keeps_part_of_a_point_is_added_beside_it() {
        let (m, _) = merged(
            "Intro.\n\n## Design\n- Component design and composition\n",
            &[
                "Intro.\n\n## Design\n- Component design: plan the hierarchy for reuse\n",
                "Intro.\n\n## Design\n- Component design: plan the hierarchy for reuse\n",
            ],
        );
        assert!(m.contains("- Component design and composition\n- Component design: plan the hierarchy for reuse"), "{m}");
    }

    #[test]
    fn growth_is_capped_at_the_limit() {
        let rep = "- alpha beta\n";
        let others: Vec<String> = (0..50)
            .map(|i| format!("- unique{i} words{i} here{i} more{i}\n"))
            .collect();
        let refs: Vec<&str> = others.iter().map(String::as_str).collect();
        let (m, _) = merged(rep, &refs);
        let longest = others.iter().map(|o| o.trim().len()).max().unwrap();
        assert!(
            m.len() as f32 <= longest as f32 * GROWTH_LIMIT + 1.0,
            "{} > {longest}×{GROWTH_LIMIT}",
            m.len()
        );
    }
}
