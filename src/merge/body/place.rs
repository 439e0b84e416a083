//! Placing the chosen points: which section a point goes to (the child of a section that only
//! titles others, the section whose words it shares most), whether it reads as one of that
//! section's items, and where in the section it goes; and which new sections join the draft.

use super::choose::echoes_an_item;
use super::decision::preview;
use super::draft::{DraftSection, Piece, Tally, Target};
use super::polarity::{in_polarity_of, is_contrast, polarity_fits};
use crate::merge::form;
use crate::merge::outline::{self, HeaderKind, Unit, UnitKind};
use crate::merge::points::{self, Terms};

/// A new section needs this many points of its own: fewer is a fragment, not a topic.
pub(super) const NEW_SECTION_POINTS: usize = 2;

/// New sections join the draft when two or more members have the topic and it holds enough points;
/// else their points go to the draft section they fit best (a point several members make is not
/// lost for want of a section) or are named as fragments.
pub(super) fn place_new_sections(
    draft: &mut Vec<DraftSection>,
    new_sections: Vec<DraftSection>,
    tally: &mut Tally,
) {
    let mut section_words: Vec<Terms> = draft.iter().map(section_words_of).collect();
    for mut section in new_sections {
        in_written_order(&mut section);
        let tail = is_remnant(&section) || !section.top_level;
        let fits: Vec<Option<usize>> = section
            .pieces
            .iter()
            .map(|p| fit_of(p, tail, draft, &section_words))
            .collect();
        // A remnant under a heading is kept as a section only when a point several members make
        // has nowhere else to go: a stub reads worse than a point in its place, but better than a
        // shared point lost. Under a lead-in (`When invoked:`) it never is: the lead-in would
        // announce a whole list and give two stray items of it.
        let lead_in = section
            .header
            .as_ref()
            .is_some_and(|h| h.kind == HeaderKind::LeadIn);
        let remnant_needed = || {
            !lead_in
                && section
                    .pieces
                    .iter()
                    .zip(&fits)
                    .any(|(p, fit)| p.support >= 2 && fit.is_none())
        };
        if section.pieces.len() >= NEW_SECTION_POINTS
            && covered(&section)
            && (!is_remnant(&section) || remnant_needed())
            && section.top_level
        {
            section_words.push(section_words_of(&section));
            draft.push(section);
            continue;
        }
        let title = section
            .header
            .as_ref()
            .map(|h| h.title.clone())
            .unwrap_or_default();
        for p in section.pieces {
            // Placing a point adds its words to its section: the fits found above may have changed.
            let fit = fit_of(&p, tail, draft, &section_words);
            match fit {
                Some(d) if echoes_an_item(&p, &draft[d]) => {
                    tally.echoes.push(preview(&p.unit.text));
                    if let Some(n) = tally.added.get_mut(&p.member) {
                        *n -= 1;
                    }
                }
                Some(d) => {
                    section_words[d].extend(p.terms.iter().copied());
                    let p = in_polarity_of(p, &draft[d]);
                    insert(&mut draft[d], p);
                }
                None => {
                    tally
                        .fragments
                        .push(format!("{title}: {}", preview(&p.unit.text)));
                    if let Some(n) = tally.added.get_mut(&p.member) {
                        *n -= 1;
                    }
                }
            }
        }
    }
}

/// The draft section a point of a new section that does not join the draft goes to, if any: only a
/// point several members make, where it reads as one of the section's items. The tail of another
/// member's list (`tail`) is a step or two of its own procedure, or its code, and a sub-title's
/// points are parts of another member's section: an item of it joins a list only when it is about
/// that list's section.
fn fit_of(p: &Piece, tail: bool, draft: &[DraftSection], section_words: &[Terms]) -> Option<usize> {
    if p.support < 2 {
        return None;
    }
    best_fit(draft, section_words, &p.terms).filter(|&d| {
        reads_as_neighbour(&p.unit, &draft[d])
            && polarity_fits(p, &draft[d])
            && (!tail
                || (p.unit.is_item()
                    && fits_as_item(&p.unit, &p.terms, &draft[d], &section_words[d])))
    })
}

/// Puts the steps of a new section that is a procedure back in the order their members wrote them:
/// points are added most shared first, which would make `Query the context` step 6 of `When
/// invoked:`. Other lists keep that order (the most shared point first).
fn in_written_order(section: &mut DraftSection) {
    let steps =
        !section.pieces.is_empty() && section.pieces.iter().all(|p| p.unit.kind == UnitKind::Step);
    if steps {
        section.pieces.sort_by_key(|p| p.at);
    }
}

/// Whether a new section would carry only the remnant of the section it comes from (fewer than
/// half of its points, the rest being said elsewhere in the draft or too little to add): a lead-in
/// (`When invoked:`, `Process:`) would announce a whole list and give two stray items of it, and a
/// heading (`## Concurrency Excellence` over two bullets) would be a stub at the end of the body,
/// a second section of topics the draft already covers. Its points go where they fit, as the
/// points of a section too small.
fn is_remnant(section: &DraftSection) -> bool {
    section.header.is_some() && section.pieces.len() * 2 < section.listed
}

/// Whether two or more members cover a new section's topic: they have sections of it, or a point
/// of it is made by several.
pub(super) fn covered(section: &DraftSection) -> bool {
    section.members.len() >= 2 || section.pieces.iter().any(|p| p.support >= 2)
}

/// Words of a list item, without its marker and a bold label's stars.
pub(super) fn item_words(unit: &Unit) -> usize {
    unit.text.split_whitespace().count()
}

/// Whether a unit reads as one of a section's items: not a bare keyword (a word or two) in a list
/// of sentences, nor a lead-in whose list is not coming, nor code in the middle of a list.
pub(super) fn reads_as_neighbour(unit: &Unit, section: &DraftSection) -> bool {
    if unit.kind == UnitKind::Paragraph && unit.text.trim_end().ends_with(':') {
        return false;
    }
    // `Ignore mobile users → Mobile-first design` is a don't and a do: it reads as one only among
    // items written so; among plain items it would read as advice to ignore mobile users.
    let items: Vec<&Unit> = section
        .pieces
        .iter()
        .map(|p| &p.unit)
        .filter(|u| u.is_item())
        .collect();
    // A list (the section as its first writer, the representative, wrote it: items only) takes
    // items, or a one-line paragraph that becomes one; not code nor a paragraph of several lines.
    let list = is_list(section);
    let one_line = unit.kind == UnitKind::Paragraph && !unit.source.trim().contains('\n');
    // Code with its lead sentence goes after the list (`insert` puts it at the section's end),
    // when it is about the section's subject.
    if list && unit.kind == UnitKind::Code {
        let terms = points::terms_of(&unit.text);
        return about_the_section(&terms, section, &section_words_of(section));
    }
    if list && !unit.is_item() && !(one_line && reads_as_item(&unit.source)) {
        return false;
    }
    if unit.is_item() && !items.is_empty() {
        let arrows = items.iter().filter(|u| is_contrast(u)).count();
        if is_contrast(unit) != (arrows * 2 > items.len()) {
            return false;
        }
    }
    if !unit.is_item() || item_words(unit) >= 3 {
        return true;
    }
    // A short item joins a list of short items (a list of tools, of languages).
    let mut lengths: Vec<usize> = section
        .pieces
        .iter()
        .filter(|p| p.unit.is_item())
        .map(|p| item_words(&p.unit))
        .collect();
    lengths.sort_unstable();
    lengths
        .get(lengths.len() / 2)
        .is_some_and(|&median| median <= 3)
}

/// Whether a one-line paragraph would read as an item of a list: one sentence, not all bold (a
/// motto, `**Protect the data. Prevent the breach.**`), and not a figure of a sample report
/// (`Total Issues: 7`, `Coverage: 85%`), which says what one run found, not what to do.
fn reads_as_item(source: &str) -> bool {
    let line = source.trim();
    let bold = line.starts_with("**")
        && line.trim_end_matches(['.', ':']).ends_with("**")
        && line.matches("**").count() == 2;
    let sentences = line
        .trim_end()
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && line[i + 1..].starts_with(' ')
                && line[i + 1..].trim_start().starts_with(char::is_uppercase)
        })
        .count()
        + 1;
    let figure = line.rsplit_once(':').is_some_and(|(label, value)| {
        let value = value.trim();
        !label.trim().is_empty()
            && value.starts_with(|c: char| c.is_ascii_digit())
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | ' ' | '/' | '-'))
    });
    !bold && sentences == 1 && !figure
}

/// Whether a section is a list as its first writer (the representative, for its own sections)
/// wrote it: their pieces are all items.
fn is_list(section: &DraftSection) -> bool {
    section.pieces.first().is_some_and(|first| {
        section
            .pieces
            .iter()
            .filter(|p| p.member == first.member)
            .all(|p| p.unit.is_item())
    })
}

/// Whether a point one member alone makes fits `section` as a whole item among its items: it is a
/// list item, the section has a list, the point reads like its items, and it is about the
/// section's subject (two words or more in common with the section's title and points, `words`).
pub(super) fn fits_as_item(
    unit: &Unit,
    terms: &Terms,
    section: &DraftSection,
    words: &Terms,
) -> bool {
    // A titled step of a procedure (`2. **Postmortem**:` over its own list) takes no items of
    // another member's: they would read as further steps.
    let titled_list = section.header.as_ref().is_some_and(|h| {
        matches!(
            h.kind,
            HeaderKind::Heading(_) | HeaderKind::Bold | HeaderKind::LeadIn
        )
    });
    // One member's bullet point is no step of a procedure: it does not join a numbered list.
    let items = || section.pieces.iter().filter(|p| p.unit.is_item());
    let among_steps = items().next().is_some() && items().all(|p| p.unit.kind == UnitKind::Step);
    titled_list
        && !(unit.kind == UnitKind::Bullet && among_steps)
        && unit.is_item()
        && section.pieces.iter().any(|p| p.unit.is_item())
        && reads_as_neighbour(unit, section)
        && in_the_lists_form(unit, section)
        && about_the_section(terms, section, words)
}

/// Whether an item is written in the form of the section's list ([`form`]): one member's point
/// does not join a list of instructions as a noun phrase or a labelled entry, which would read as
/// another author's line.
fn in_the_lists_form(unit: &Unit, section: &DraftSection) -> bool {
    list_form(section).is_none_or(|list| form::fits_form(&unit.text, list))
}

/// The form of the section's list ([`form::dominant_form`]), when it has one.
fn list_form(section: &DraftSection) -> Option<form::ItemForm> {
    let items = section
        .pieces
        .iter()
        .filter(|p| p.unit.is_item())
        .map(|p| p.unit.text.as_str());
    form::dominant_form(items)
}

/// Whether a point is about a section's subject: it shares a word with the section's title, or
/// two with one of its points (`words`: the title's and the points' words, a quick first check).
fn about_the_section(terms: &Terms, section: &DraftSection, words: &Terms) -> bool {
    if terms.iter().filter(|t| words.contains(t)).count() < 2 {
        return false;
    }
    let title = section
        .header
        .as_ref()
        .map(|h| points::terms_of(&h.title))
        .unwrap_or_default();
    terms.iter().any(|t| title.contains(t))
        || section
            .pieces
            .iter()
            .any(|p| terms.iter().filter(|t| p.terms.contains(t)).count() >= 2)
}

/// Puts a chosen piece where it goes.
pub(super) fn place(
    draft: &mut [DraftSection],
    new_sections: &mut [DraftSection],
    piece: Piece,
    target: Target,
) {
    match target {
        Target::Draft(d) => {
            let d = best_child(draft, d, &piece.terms);
            let piece = in_section_form(piece, &draft[d]);
            let piece = in_polarity_of(piece, &draft[d]);
            insert(&mut draft[d], piece);
        }
        Target::New(n) => insert(&mut new_sections[n], piece),
    }
}

/// A one-line paragraph joining a section that is a list becomes one of its items (the list's
/// marker and numbering are set when it is written), and a labelled item joining a list of
/// instructions loses its label when the rest is an instruction: a point reads in its neighbours'
/// form.
fn in_section_form(mut piece: Piece, section: &DraftSection) -> Piece {
    let one_line = !piece.unit.source.trim().contains('\n');
    let list = is_list(section);
    if piece.unit.kind == UnitKind::Paragraph && one_line && list {
        piece.unit = Unit {
            kind: UnitKind::Bullet,
            source: format!("- {}", piece.unit.source.trim()),
            text: piece.unit.text.clone(),
        };
    }
    if piece.unit.is_item() && one_line {
        if let Some(rest) = list_form(section).and_then(|list| unlabelled_in(&piece.unit, list)) {
            let marker = outline::list_marker(&piece.unit.source);
            piece.unit = Unit {
                kind: piece.unit.kind,
                source: format!("{marker} {rest}"),
                text: form::without_label(&piece.unit.text).unwrap_or(rest),
            };
        }
    }
    piece
}

/// A labelled item's words after its label, when it joins a list of instructions and they are one
/// ([`form::unlabels_into`]).
fn unlabelled_in(unit: &Unit, list: form::ItemForm) -> Option<String> {
    if !form::unlabels_into(&unit.text, list) {
        return None;
    }
    form::without_label(outline::after_marker(&unit.source))
}

/// Adds a piece to a section: a list item after the section's last list item (so that it joins
/// the list, not a paragraph after it), or first under a lead-in that has no list yet (a lead-in
/// announces a list: `Final delivery includes:` is not followed by another member's paragraph,
/// its items after that); anything else at the end.
fn insert(section: &mut DraftSection, piece: Piece) {
    let after_list = section.pieces.iter().rposition(|p| p.unit.is_item());
    let lead_in = section
        .header
        .as_ref()
        .is_some_and(|h| h.kind == HeaderKind::LeadIn);
    match after_list {
        _ if !piece.unit.is_item() => section.pieces.push(piece),
        Some(i) => section.pieces.insert(i + 1, piece),
        None if lead_in => section.pieces.insert(0, piece),
        None => section.pieces.push(piece),
    }
}

/// In a section that only titles the sections after it (`Your core responsibilities include:`
/// followed by bold titles, `## Responsibilities` followed by `###` headings), the child holding
/// the point closest to this one (sharing at least a quarter of their words), else the child
/// whose title and points share most of its words (one or more); else the section itself. Points
/// placed there before do not make it a list: each would stand as a stray item before `### 1.`.
pub(super) fn best_child(draft: &[DraftSection], d: usize, terms: &Terms) -> usize {
    if !draft[d].titles_only {
        return d;
    }
    let level = match draft[d].header.as_ref().map(|h| &h.kind) {
        Some(HeaderKind::Heading(level)) => Some(*level),
        _ => None,
    };
    let children = draft[d + 1..]
        .iter()
        .take_while(|s| {
            s.header.as_ref().is_some_and(|h| match h.kind {
                HeaderKind::Bold | HeaderKind::LeadIn | HeaderKind::GroupItem { .. } => true,
                HeaderKind::Heading(l) => level.is_some_and(|parent| l > parent),
                HeaderKind::Loose => false,
            })
        })
        .count();
    let children = d + 1..d + 1 + children;
    let closest = children
        .clone()
        .filter_map(|c| {
            let closest = draft[c]
                .pieces
                .iter()
                .map(|p| points::jaccard(&p.terms, terms))
                .fold(0.0f32, f32::max);
            (closest >= 0.25).then_some((c, closest))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    if let Some((c, _)) = closest {
        return c;
    }
    children
        .map(|c| {
            let words = section_words_of(&draft[c]);
            (c, terms.iter().filter(|t| words.contains(t)).count())
        })
        .filter(|&(_, n)| n >= 1)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(d, |(c, _)| c)
}

/// The titled section of the draft whose words (`words`, by section) a point shares most (at
/// least two).
pub(super) fn best_fit(draft: &[DraftSection], words: &[Terms], terms: &Terms) -> Option<usize> {
    (0..draft.len())
        .filter(|&d| {
            draft[d]
                .header
                .as_ref()
                .is_some_and(|h| h.kind != HeaderKind::Loose)
        })
        .map(|d| (d, terms.iter().filter(|t| words[d].contains(t)).count()))
        .filter(|&(_, n)| n >= 2)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(d, _)| d)
}

/// The words of a section: its title's and its points'.
pub(super) fn section_words_of(section: &DraftSection) -> Terms {
    let mut words = section
        .header
        .as_ref()
        .map(|h| points::terms_of(&h.title))
        .unwrap_or_default();
    for p in &section.pieces {
        words.extend(p.terms.iter().copied());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::body::draft::test_piece;
    use crate::merge::body::testing::merged;
    use crate::merge::outline::Header;
    use crate::merge::topics::Topic;

    #[test]
    fn steps_of_a_new_procedure_keep_the_order_they_were_written_in() {
        let step = |at: (usize, usize), kind: UnitKind, text: &str| Piece {
            at,
            ..test_piece(kind, &format!("1. {text}"), text)
        };
        let section = |pieces: Vec<Piece>| DraftSection {
            header: Some(Header {
                kind: HeaderKind::LeadIn,
                source: "When the hive swarms:".to_owned(),
                title: "When the hive swarms".to_owned(),
            }),
            topic: Topic::default(),
            pieces,
            members: vec![1, 2],
            listed: 3,
            top_level: true,
            titles_only: false,
        };
        // Added most shared first: the last step came first. First steps of two members' procedures
        // come before second steps.
        let mut procedure = section(vec![
            step((2, 7), UnitKind::Step, "Shake the swarm into a box"),
            step((0, 5), UnitKind::Step, "Find the queen"),
            step((1, 6), UnitKind::Step, "Bring an empty box"),
            step((0, 9), UnitKind::Step, "Light the smoker"),
        ]);
        in_written_order(&mut procedure);
        let order: Vec<usize> = procedure.pieces.iter().map(|p| p.at.1).collect();
        assert_eq!(order, [5, 9, 6, 7]);
        // A bulleted list keeps the most shared point first.
        let mut list = section(vec![
            step((1, 7), UnitKind::Bullet, "Smoker"),
            step((0, 5), UnitKind::Bullet, "Veil"),
        ]);
        in_written_order(&mut list);
        assert_eq!(list.pieces[0].at.1, 7);
    }

    #[test]
    fn a_point_for_a_section_that_only_titles_others_goes_to_the_child_of_its_subject() {
        let section = |title: &str, level: u8, items: &[&str]| DraftSection {
            header: Some(Header {
                kind: HeaderKind::Heading(level),
                source: format!("{} {title}", "#".repeat(level as usize)),
                title: title.to_owned(),
            }),
            topic: Topic::default(),
            pieces: items
                .iter()
                .map(|i| Piece {
                    member: 0,
                    ..test_piece(UnitKind::Bullet, &format!("- {i}"), i)
                })
                .collect(),
            members: vec![0],
            listed: 0,
            top_level: true,
            titles_only: items.is_empty(),
        };
        let mut draft = vec![
            section("Duties", 2, &[]),
            section("1. Watering", 3, &["Water the seed beds at dawn"]),
            section("2. Pruning", 3, &["Prune the roses in March"]),
        ];
        let apples = points::terms_of("Prune apple trees in winter");
        assert_eq!(best_child(&draft, 0, &apples), 2);
        // A point that went to the titling section before does not draw the next ones there.
        let stray = draft[1].pieces[0].clone();
        draft[0].pieces.push(stray);
        assert_eq!(best_child(&draft, 0, &apples), 2);
        // One word in common is enough to choose among the children.
        let hoses = points::terms_of("Coil the watering hoses");
        assert_eq!(best_child(&draft, 0, &hoses), 1);
        // A section with points of its own takes the point itself.
        assert_eq!(best_child(&draft, 1, &apples), 1);
    }

    #[test]
    fn mottos_several_sentences_and_report_figures_do_not_read_as_items() {
        assert!(reads_as_item(
            "Water the seedlings every morning before nine."
        ));
        assert!(reads_as_item("Use mulch (e.g. straw) on every bed."));
        assert!(reads_as_item("Keep soil moisture: 20-30% in summer beds"));
        assert!(!reads_as_item(
            "**Grow the soil. Feed the plant. Share the harvest.**"
        ));
        assert!(!reads_as_item("**Every bed gets compost**"));
        assert!(!reads_as_item("Grow the soil. Feed the plant."));
        assert!(!reads_as_item("Total Beds Weeded: 7"));
        assert!(!reads_as_item("Germination rate: 85%"));
    }

    #[test]
    fn items_joining_a_lead_in_come_right_under_it() {
        let piece = |kind: UnitKind, source: &str| {
            test_piece(kind, source, source.trim_start_matches("- "))
        };
        let section = |kind: HeaderKind| DraftSection {
            header: Some(Header {
                kind,
                source: "Harvest includes:".to_owned(),
                title: "Harvest includes".to_owned(),
            }),
            topic: Topic::default(),
            pieces: vec![piece(UnitKind::Paragraph, "Label every crate by field.")],
            members: vec![1],
            listed: 2,
            top_level: true,
            titles_only: false,
        };
        let mut lead_in = section(HeaderKind::LeadIn);
        insert(&mut lead_in, piece(UnitKind::Bullet, "- Pick ripe plums"));
        insert(
            &mut lead_in,
            piece(UnitKind::Bullet, "- Sort plums by size"),
        );
        let order: Vec<&str> = lead_in
            .pieces
            .iter()
            .map(|p| p.unit.source.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "- Pick ripe plums",
                "- Sort plums by size",
                "Label every crate by field."
            ]
        );
        // Under a heading, a paragraph may open the section: items go after it.
        let mut heading = section(HeaderKind::Heading(2));
        insert(&mut heading, piece(UnitKind::Bullet, "- Pick ripe plums"));
        assert_eq!(heading.pieces[0].unit.source, "Label every crate by field.");
    }

    #[test]
    fn the_tail_of_another_members_lead_in_list_is_not_a_section() {
        let rep = "You tend bees.\n\n## Workflow\n1. Open the hive gently at noon\n2. Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let other = "Intro.\n\nWhen invoked:\n1. Open the hive gently at noon\n2. Inspect every frame for brood\n3. Carry a smoker with dry pine needles\n4. Bring the hive tool of hardened steel\n5. Log swarm signs in the yard book\n6. Report colony weight to the keeper\n";
        let (m, decisions) = merged(rep, &[other, other]);
        assert!(!m.contains("When invoked"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("swarm signs")),
            "{body:?}"
        );
        // The whole list, most of it new, is a section (under a heading, in a body of headings).
        let rep = "You tend bees.\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let (m, _) = merged(rep, &[other, other]);
        assert!(m.contains("## When invoked\n"), "{m}");
    }

    #[test]
    fn the_remnant_of_another_members_section_is_no_stub_at_the_end() {
        let rep = "You tend bees.\n\n## Workflow\n1. Open the hive gently at noon\n2. Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        // Three of its five points are said already: the two left are a remnant, not a topic.
        let other = "Intro.\n\n## Colony Care\n- Open the hive gently at noon\n- Inspect every frame for brood\n- Smoker with dry pine needles\n- Requeen aggressive colonies each autumn\n- Mark the queen with a dot of paint\n";
        let second = "Intro two.\n\n## Colony Care\n- Open the hive gently at noon\n";
        let (m, decisions) = merged(rep, &[other, second]);
        assert!(!m.contains("Colony Care"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("Requeen")),
            "{body:?}"
        );
        // Most of it new, it is a section.
        let rep = "You tend bees.\n\n## Workflow\n1. Light the smoker before dawn each day\n2. Walk the apiary rows slowly and calmly\n\n## Tools\n- Brush with soft bristles for the frames\n- Frame grip of cast iron, oiled\n";
        let (m, decisions) = merged(rep, &[other, second]);
        assert!(m.contains("## Colony Care\n"), "{m}\n{decisions:?}");
    }

    #[test]
    fn a_dont_and_do_item_joins_only_a_list_of_such_items() {
        let other =
            "You advise.\n\n## Practices\n- Skip rate limits → Rate-limit every public endpoint\n";
        let (m, _) = merged(
            "You build APIs.\n\n## Practices\n- Validate request bodies against a schema\n- Version every public API\n",
            &[other, other],
        );
        assert!(!m.contains("Skip rate limits"), "{m}");
        let (m, _) = merged(
            "You build APIs.\n\n## Practices\n- Trust clients → Validate request bodies against a schema\n- Break clients → Version every public API\n",
            &[other, other],
        );
        assert!(
            m.contains("- Skip rate limits → Rate-limit every public endpoint"),
            "{m}"
        );
    }

    #[test]
    fn shared_code_goes_after_a_list_of_its_subject_only() {
        let other = "You test.\n\n## Fixtures\n- Build fixtures with factories for each model\n\nA fixture factory for each model:\n\n```python\ndef make_model_fixture(**fields):\n    return Model(**fields)\n```\n\nA release banner:\n\n```text\n*** RELEASE ***\n```\n";
        let (m, _) = merged(
            "You test code.\n\n## Fixtures\n- Keep fixtures small for each model\n- Name fixtures after the model they build\n",
            &[other, other],
        );
        assert!(
            m.contains("- Name fixtures after the model they build\n\nA fixture factory for each model:\n\n```python"),
            "{m}"
        );
        assert!(!m.contains("RELEASE"), "{m}");
    }

    #[test]
    fn shared_points_join_the_matching_subsection_in_their_neighbours_form() {
        let other = "You test.\n\n## Responsibilities\n\nPlan the coverage of every critical path before release.\n\n- Design fixtures and factories for test data\n";
        let (m, _) = merged(
            "You test software.\n\n## Responsibilities\n\n### Test architecture\n- Establish testing patterns and conventions\n- Plan test data management\n\n### Coverage analysis\n- Analyze current test coverage\n- Identify untested critical paths\n",
            &[other, other],
        );
        // The point about test data goes under test architecture, the point about coverage under
        // coverage analysis, as a bullet like its neighbours; nothing stray under the parent.
        assert!(
            m.contains(
                "- Plan test data management\n- Design fixtures and factories for test data"
            ),
            "{m}"
        );
        assert!(
            m.contains("- Identify untested critical paths\n- Plan the coverage of every critical path before release."),
            "{m}"
        );
        assert!(
            m.contains("## Responsibilities\n\n### Test architecture"),
            "{m}"
        );
    }

    #[test]
    fn a_topic_two_members_have_and_the_representative_lacks_is_added_before_its_closing() {
        let other = "Other intro.\n\n## Deployment checklist\n- Tag the release in git\n- Run database migrations first\n- Watch error rates after deploying\n\n## Glossary\n- SLO means service level objective\n\nRemember: ship small changes.\n";
        let (m, decisions) = merged(
            "Intro.\n\n## Rules\n- Write tests first\n\nClosing line of the representative.\n",
            &[other, "Third intro.\n\n## Deployment checklist\n- Tag the release in git\n- Roll back when error rates rise\n"],
        );
        assert!(
            m.contains("## Deployment checklist\n\n- Tag the release"),
            "{m}"
        );
        assert!(
            !m.contains("Glossary"),
            "a one-point section is a fragment: {m}"
        );
        assert!(m.ends_with("Closing line of the representative."), "{m}");
        assert!(!m.contains("Other intro") && !m.contains("Remember"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.dropped.iter().any(|d| d.contains("SLO")), "{body:?}");
    }
}
