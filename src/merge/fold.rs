//! One section per topic in the skeleton: when the body a merge is built on has two sections of one
//! topic side by side under one heading (`## Documentation principles` … `## Documentation best
//! practices`), the second is folded into the first before anything is added, as a maintainer
//! would: its items join the first's (each once), its sub-sections follow the first's, and it keeps
//! the first's place. The title is the first's, unless the second's is the more general one (`##
//! Best practices` folded into `## Security best practices` is a section of best practices).
//!
//! Not folded: sections of a series (`Problem:` / `Solution:` pairs repeated down a list of
//! pitfalls, `Before` / `After`, numbered titles), titled list items, sections in the closing, and
//! a second section whose sub-sections are numbered while the first has sub-sections too (the two
//! runs of numbers would not run 1..n).

use super::outline::{HeaderKind, Outline, Section, Unit, UnitKind};
use super::points::{self, Terms};
use super::topics::{self, Topic};
use std::rc::Rc;

/// A fold done: the title of the section folded away and the title of the one it joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub folded: String,
    pub into: String,
}

/// Folds every section that repeats the topic of an earlier sibling into it; returns the folds.
/// `topic_of` reads a title's topic ([`topics::topic`]); the merge passes its cache, which it asks
/// for the same titles afterwards, and each title is read once however many folds there are.
pub fn fold_repeated_topics(
    outline: &mut Outline,
    topic_of: &mut dyn FnMut(&str) -> Rc<Topic>,
) -> Vec<Fold> {
    let mut folds = Vec::new();
    // Each fold removes a section, so this ends.
    while let Some((first, second)) = first_foldable(outline, topic_of) {
        folds.push(fold(outline, first, second));
    }
    folds
}

/// The first pair of sibling sections of one topic that may be folded.
fn first_foldable(
    outline: &Outline,
    topic_of: &mut dyn FnMut(&str) -> Rc<Topic>,
) -> Option<(usize, usize)> {
    let parents = outline.parents();
    let closing = outline.closing_start();
    let sections = &outline.sections;
    // Each title's topic, looked up once: a body can have dozens of sibling sections.
    let topic_of: Vec<Option<Rc<Topic>>> = sections
        .iter()
        .map(|s| s.title().map(&mut *topic_of))
        .collect();
    (1..closing).find_map(|i| {
        let a = sections[i].title()?;
        let ta = topic_of[i].as_ref()?;
        (i + 1..closing)
            .filter(|&j| parents[j] == parents[i] && same_kind(&sections[i], &sections[j]))
            .find(|&j| {
                let (Some(b), Some(tb)) = (sections[j].title(), topic_of[j].as_ref()) else {
                    return false;
                };
                // A heading with nothing under it, neither points nor sub-sections, brings
                // nothing to gather: folding would only delete it.
                let holds_something = !sections[j].units.is_empty() || parents.contains(&Some(j));
                holds_something
                    && surely_one_topic(a, ta, b, tb)
                    && !in_a_series(outline, &parents, i, j)
                    && may_move(outline, i, j)
            })
            .map(|j| (i, j))
    })
}

/// Whether two titles surely name one topic: [`topics::same_topic`], and either a topic of the
/// lexicon (`Key capabilities` / `Core competencies`) or the same words (`Test characteristics` and
/// `The testing pyramid` share a word, not a topic).
fn surely_one_topic(a: &str, ta: &Topic, b: &str, tb: &Topic) -> bool {
    (ta.known.is_some() || ta.rest == tb.rest) && topics::same_topic_of(a, ta, b, tb)
}

/// Headings of one level, two bold titles or two lead-ins: one can take the other's place.
fn same_kind(a: &Section, b: &Section) -> bool {
    match (&a.header, &b.header) {
        (Some(a), Some(b)) => {
            matches!(
                (&a.kind, &b.kind),
                (HeaderKind::Heading(x), HeaderKind::Heading(y)) if x == y
            ) || matches!(
                (&a.kind, &b.kind),
                (HeaderKind::Bold, HeaderKind::Bold) | (HeaderKind::LeadIn, HeaderKind::LeadIn)
            )
        }
        _ => false,
    }
}

/// Whether sections `i` and `j` are two turns of one pattern: one title, with other titled
/// siblings between them (`Solution:` after each `Problem: …`).
fn in_a_series(outline: &Outline, parents: &[Option<usize>], i: usize, j: usize) -> bool {
    let title = |k: usize| outline.sections[k].title().map(str::to_lowercase);
    title(i) == title(j) && (i + 1..j).any(|p| parents[p] == parents[i] && title(p).is_some())
}

/// The end (exclusive) of what belongs to section `k`: for a heading, the sections up to the next
/// heading of its level or above; for a bold title or lead-in, the paragraphs that end its list.
/// Never past the body's closing.
fn subtree_end(outline: &Outline, k: usize) -> usize {
    let sections = &outline.sections;
    let closing = outline.closing_start();
    let end = match sections[k].header.as_ref().map(|h| &h.kind) {
        Some(HeaderKind::Heading(level)) => (k + 1..sections.len())
            .find(|&s| {
                matches!(
                    sections[s].header.as_ref().map(|h| &h.kind),
                    Some(HeaderKind::Heading(l)) if l <= level
                )
            })
            .unwrap_or(sections.len()),
        _ => (k + 1..sections.len())
            .find(|&s| !sections[s].is_loose())
            .unwrap_or(sections.len()),
    };
    end.min(closing).max(k + 1)
}

/// Whether section `j` can move into section `i` and still read right: bold titles and lead-ins
/// fold when both are lists and the second introduces no titles after it, and numbered
/// sub-sections do not join another run of sub-sections.
fn may_move(outline: &Outline, i: usize, j: usize) -> bool {
    let sections = &outline.sections;
    let is_heading = matches!(
        sections[j].header.as_ref().map(|h| &h.kind),
        Some(HeaderKind::Heading(_))
    );
    if !is_heading {
        let introduces = sections.get(j + 1).is_some_and(|n| {
            matches!(
                n.header.as_ref().map(|h| &h.kind),
                Some(HeaderKind::LeadIn | HeaderKind::GroupItem { .. })
            )
        });
        // A bold title over code or prose is a part of a walk-through (`**Impact:**` under each
        // exploit), not a topic: only lists are folded.
        let is_list = |k: usize| {
            sections[k].units.iter().any(Unit::is_item)
                && sections[k].units.iter().all(|u| u.kind != UnitKind::Code)
        };
        return is_list(i) && is_list(j) && !introduces;
    }
    let children_of = |k: usize| k + 1..subtree_end(outline, k);
    // The second's items join the first's own, which come before its sub-sections: below a bold
    // title or lead-in of the first they would read as part of it.
    let titled_parts = children_of(i).any(|c| {
        !matches!(
            sections[c].header.as_ref().map(|h| &h.kind),
            Some(HeaderKind::Heading(_))
        )
    });
    if titled_parts && !sections[j].units.is_empty() {
        return false;
    }
    let numbered = children_of(j).any(|c| {
        sections[c]
            .title()
            .is_some_and(|t| t.trim_start().starts_with(|ch: char| ch.is_ascii_digit()))
    });
    !numbered || children_of(i).is_empty()
}

/// Folds section `second` (and what belongs to it) into section `first`.
fn fold(outline: &mut Outline, first: usize, second: usize) -> Fold {
    let end = subtree_end(outline, second);
    let first_end = subtree_end(outline, first);
    let mut moved: Vec<Section> = outline.sections.drain(second..end).collect();
    let folded = moved.remove(0);
    let into_title = outline.sections[first]
        .title()
        .unwrap_or_default()
        .to_owned();
    let folded_title = folded.title().unwrap_or_default().to_owned();
    let target = &mut outline.sections[first];
    if more_general(&folded_title, &into_title) {
        target.header = folded.header.clone();
    }
    let said: Vec<Terms> = target
        .units
        .iter()
        .map(|u| points::terms_of(&u.text))
        .collect();
    let fresh: Vec<Unit> = folded
        .units
        .into_iter()
        .filter(|u| {
            let terms = points::terms_of(&u.text);
            // Said when a unit of the first holds its words (not when it holds the first's: a
            // report template holds the words of the line naming where reports go).
            !said.iter().any(|s| points::says(s, &terms))
        })
        .collect();
    target.units.extend(fresh);
    // The folded section's sub-sections follow the first's own.
    let at = first_end.min(second);
    outline.sections.splice(at..at, moved);
    Fold {
        folded: folded_title,
        into: into_title,
    }
}

/// Whether title `a` names the topic of `b` more generally: its words beyond the topic are fewer,
/// and all among `b`'s (`Best practices` / `Security best practices`).
fn more_general(a: &str, b: &str) -> bool {
    let (a, b) = (topics::topic(a), topics::topic(b));
    a.rest.len() < b.rest.len() && a.rest.is_subset(&b.rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::outline::outline;

    /// Folds with topics read afresh (no cache).
    fn fold_repeated_topics(o: &mut Outline) -> Vec<Fold> {
        super::fold_repeated_topics(o, &mut |t| Rc::new(topics::topic(t)))
    }

    fn titles(o: &Outline) -> Vec<String> {
        o.sections
            .iter()
            .filter_map(|s| s.title().map(str::to_owned))
            .collect()
    }

    fn items(o: &Outline, title: &str) -> Vec<String> {
        o.sections
            .iter()
            .find(|s| s.title() == Some(title))
            .map(|s| s.units.iter().map(|u| u.text.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_empty_heading_is_not_folded_away() {
        let mut o = outline("## user: hi |pipe\n\n## |pipe user: hi\n");
        assert!(fold_repeated_topics(&mut o).is_empty());
        assert_eq!(titles(&o).len(), 2);
    }

    #[test]
    fn a_second_section_of_one_topic_joins_the_first_in_its_place() {
        let mut o = outline(
            "You tend a greenhouse.\n\n## Watering principles\n\n- Water at dawn\n- Never let pots stand in water\n\n## Pests\n\n- Check leaves weekly\n- Use neem oil\n\n## Watering best practices\n\n- Water at dawn\n- Use rainwater where it is collected\n\n## Notes\n\n- Keep a log\n- Label every tray\n",
        );
        let folds = fold_repeated_topics(&mut o);
        assert_eq!(
            folds,
            vec![Fold {
                folded: "Watering best practices".into(),
                into: "Watering principles".into()
            }]
        );
        assert_eq!(titles(&o), ["Watering principles", "Pests", "Notes"]);
        // Each item once: the repeated one is not said twice.
        assert_eq!(
            items(&o, "Watering principles"),
            [
                "Water at dawn",
                "Never let pots stand in water",
                "Use rainwater where it is collected"
            ]
        );
    }

    #[test]
    fn sub_sections_follow_the_first_and_the_general_title_wins() {
        let mut o = outline(
            "Intro.\n\n## Greenhouse best practices\n\n### Light\n\n- Six hours a day\n- Shade in July\n\n## Soil\n\n- Loam\n- Compost\n\n## Best practices\n\n### Air\n\n- Open vents at noon\n- Close them at dusk\n",
        );
        fold_repeated_topics(&mut o);
        assert_eq!(titles(&o), ["Best practices", "Light", "Air", "Soil"]);
    }

    #[test]
    fn a_series_of_pairs_and_different_topics_are_not_folded() {
        let body = "Intro.\n\n## Pitfalls\n\n**Problem: wilting**\n\n- Wilting leaves\n- Dry soil\n\n**Solution:**\n\n- Water deeper\n- Mulch the beds\n\n**Problem: yellowing**\n\n- Yellow leaves\n- Soggy soil\n\n**Solution:**\n\n- Water less\n- Drain the pots\n\n## Responsibilities\n\n- Tend plants\n- Order seed\n\n## Methodology\n\n- Observe first\n- Act second\n";
        let mut o = outline(body);
        let before = o.clone();
        assert!(fold_repeated_topics(&mut o).is_empty());
        assert_eq!(o, before);
    }

    #[test]
    fn a_template_that_holds_an_item_s_words_is_kept() {
        let mut o = outline(
            "Intro.\n\n## Output locations\n\n- Harvest logs: `logs/harvest/DATE.md`\n- Seed orders: `orders/`\n\n## Beds\n\n- Raised\n- Mulched\n\n## Report format\n\nWrite the harvest log like this:\n\n```markdown\n# Harvest logs DATE\n| bed | crop | kg |\n```\n",
        );
        fold_repeated_topics(&mut o);
        assert_eq!(titles(&o), ["Report format", "Beds"]);
        let units = items(&o, "Report format");
        assert_eq!(units.len(), 3, "{units:?}");
        assert!(units[2].contains("| bed | crop | kg |"));
    }

    #[test]
    fn bold_parts_of_two_walk_throughs_are_not_folded() {
        let mut o = outline(
            "Intro.\n\n## Blight\n\n**Impact demonstration:**\n\n```\nleaves lost: 40%\n```\n\n## Rot\n\n**Steps:**\n\n- Dig\n- Burn\n\n**Impact:**\n\n```\nroots lost: 10%\n```\n",
        );
        assert!(fold_repeated_topics(&mut o).is_empty());
        let mut o = outline(
            "Intro.\n\n**Tools:**\n\n- Shears\n- Trowel\n\n**Seeds:**\n\n- Kale\n- Chard\n\n**Tooling:**\n\n- Dibber\n- Shears\n",
        );
        fold_repeated_topics(&mut o);
        assert_eq!(titles(&o), ["Tools", "Seeds"]);
        assert_eq!(items(&o, "Tools"), ["Shears", "Trowel", "Dibber"]);
    }

    #[test]
    fn titles_sharing_a_word_are_not_one_topic_and_items_never_join_a_bold_part() {
        let mut o = outline(
            "Intro.\n\n## Soil\n\n### The soil pyramid\n\n- Sand\n- Silt\n\n### What to know about soil\n\n- Test the pH\n- Feed in spring\n",
        );
        assert!(fold_repeated_topics(&mut o).is_empty());
        let mut o = outline(
            "Intro.\n\n## Watering principles\n\n- Water at dawn\n\n**In summer:**\n\n- Twice a day\n- Mulch\n\n## Pests\n\n- Neem\n- Traps\n\n## Watering best practices\n\n- Use rainwater\n- Check drainage\n",
        );
        assert!(fold_repeated_topics(&mut o).is_empty());
    }

    #[test]
    fn numbered_sub_sections_do_not_join_another_run() {
        let mut o = outline(
            "Intro.\n\n## Planting process\n\n### 1. Sow\n\n- Sow thinly\n- Cover lightly\n\n### 2. Prick out\n\n- At two leaves\n- Into cells\n\n## Harvest workflow\n\n### 1. Cut\n\n- At dawn\n- With clean shears\n\n### 2. Cool\n\n- In shade\n- Within the hour\n",
        );
        assert!(fold_repeated_topics(&mut o).is_empty());
    }
}
