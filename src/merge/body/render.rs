//! Writing the draft back (step 5 of the merge): the representative's sections in its order, new
//! sections before its closing, each under a header in the representative's style; every list
//! renumbered, and items joining a list written in that list's form.

use super::draft::{DraftSection, Piece};
use super::keep::is_closing_line;
use super::Names;
use crate::merge::outline::{self, Header, HeaderKind, Outline, UnitKind};
use crate::merge::points::{self};
use std::collections::BTreeMap;

/// The body's level-1 title (`source` as written, `text` its words): when it names a member the
/// merge replaces (every word of its name is in it) and not the merged agent, the merged name as a
/// title, so that the file names one agent (`# Backend Engineer`, the title of `backend-engineer`,
/// above a `backend-system-architect`); else as written. Returns whether it was renamed.
pub(super) fn title_naming(source: &str, text: &str, names: &Names) -> (String, bool) {
    let words_of_name = |name: &str| points::terms_of(&name.replace(['-', '_'], " "));
    let title_words = points::terms_of(text);
    let title_letters = points::letters_of(text);
    // Every word of the name in the title, or the name's letters in a row (`ci-cd-expert` in `CI/CD
    // Expert Agent`, where `CI/CD` is one word).
    let names_it = |name: &str| {
        let words = words_of_name(name);
        let letters = points::letters_of(name);
        (!words.is_empty() && words.is_subset(&title_words))
            || (letters.len() >= 6 && title_letters.contains(&letters))
    };
    let merged = names.merged;
    let names_a_member = names.members.iter().any(|m| m != merged && names_it(m));
    if names_it(merged) || !names_a_member {
        return (source.to_owned(), false);
    }
    // Each word of the merged name as the old title spelled it (`CI/CD` for `cicd`), else
    // capitalized.
    let title: Vec<String> = merged
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            text.split_whitespace()
                .find(|t| points::letters_of(t) == w)
                .map_or_else(|| upper_first(w), str::to_owned)
        })
        .collect();
    (format!("# {}", title.join(" ")), true)
}

/// Writes the draft: title, the representative's sections up to its closing, the new sections,
/// the closing.
pub(super) fn render(
    rep: &Outline,
    title: Option<&str>,
    draft: &[DraftSection],
    closing_start: usize,
    representative: usize,
) -> String {
    let heading_level = usual_heading_level(draft);
    let rep_sections = rep.sections.len();
    let closing_start = closing_start.min(rep_sections);
    let moved = with_closing_line_last(draft, rep_sections, closing_start);
    let draft = moved.as_deref().unwrap_or(draft);
    let order: Vec<usize> = (0..closing_start)
        .chain(rep_sections..draft.len())
        .chain(closing_start..rep_sections)
        .collect();
    let mut out = String::new();
    if let Some(title) = title {
        out.push_str(title);
    }
    // The marker and number of the titled list item just written, while a list of them goes on.
    let mut group: Option<(String, u64)> = None;
    // The number of the numbered list item just written at the top level: a titled item or the
    // items after it (a step with a nested list splits one procedure in the outline) go on from it.
    let mut last_step: Option<(String, u64)> = None;
    for (k, &d) in order.iter().enumerate() {
        let section = &draft[d];
        let is_new = d >= rep_sections;
        if dangles(section, order.get(k + 1).map(|&n| &draft[n])) {
            continue;
        }
        let header = section
            .header
            .as_ref()
            .filter(|h| h.kind != HeaderKind::Loose);
        let mut indent = 0;
        // Whether the section's first list item may follow its header without a blank line.
        let mut tight_header = false;
        let continues_steps = match (
            header,
            section
                .header
                .as_ref()
                .is_some_and(|h| h.kind == HeaderKind::Loose)
                && !is_new,
        ) {
            (None, true) => group.clone().or(last_step.clone()),
            _ => None,
        };
        match header {
            None => group = None,
            Some(h) => {
                let (text, joins_list) = match (&h.kind, is_new) {
                    (HeaderKind::GroupItem { marker }, false) => {
                        let previous = group.as_ref().or(last_step.as_ref());
                        let (marker, continues) = next_group_marker(marker, previous);
                        indent = marker.len() + 1;
                        group = Some((marker.clone(), marker_number(&marker).unwrap_or(0)));
                        tight_header = true;
                        (format!("{marker} {}", h.source), continues)
                    }
                    _ => {
                        group = None;
                        let text = if is_new {
                            new_header(h, heading_level)
                        } else {
                            h.source.clone()
                        };
                        tight_header = !text.starts_with('#');
                        (text, false)
                    }
                };
                if !out.is_empty() {
                    out.push_str(if joins_list { "\n" } else { "\n\n" });
                }
                out.push_str(&text);
            }
        }
        let start = continues_steps
            .filter(|(marker, _)| outline::is_numbered(marker))
            .map(|(_, n)| n);
        let units = render_units(&section.pieces, representative, start);
        last_step = units
            .last()
            .filter(|_| indent == 0 && section.pieces.last().is_some_and(|p| p.unit.is_item()))
            .map(|(text, _)| outline::list_marker(text).to_owned())
            .filter(|marker| outline::is_numbered(marker))
            .map(|marker| (marker.clone(), marker_number(&marker).unwrap_or(0)));
        for (k, (text, continues_list)) in units.into_iter().enumerate() {
            let opens_list = k == 0
                && tight_header
                && section.pieces[0].unit.is_item()
                && may_interrupt_paragraph(&text);
            if !out.is_empty() {
                out.push_str(if continues_list || opens_list {
                    "\n"
                } else {
                    "\n\n"
                });
            }
            out.push_str(&indent_by(&text, indent));
        }
    }
    out
}

/// The representative's closing line at the end of its last section (`**Remember**: …` after that
/// section's list, or a question to the user) stays the last line: with sections added after that
/// section, it is taken out into a section of its own, written after them (`None`: nothing to
/// move).
fn with_closing_line_last(
    draft: &[DraftSection],
    rep_sections: usize,
    closing_start: usize,
) -> Option<Vec<DraftSection>> {
    let last = closing_start.checked_sub(1)?;
    if draft.len() <= rep_sections {
        return None;
    }
    let pieces = &draft[last].pieces;
    let held = pieces
        .iter()
        .rev()
        .take_while(|p| is_closing_line(&p.unit))
        .count();
    if held == 0 || held == pieces.len() {
        return None;
    }
    let mut draft = draft.to_vec();
    let tail = draft[last].pieces.split_off(pieces.len() - held);
    let mut closing = draft[last].clone();
    closing.header = None;
    closing.pieces = tail;
    draft.push(closing);
    Some(draft)
}

/// A lead-in or bold title left with nothing under it (its points were all dropped), and no titled
/// items after it that it introduces: written, it would announce what never comes.
fn dangles(section: &DraftSection, next: Option<&DraftSection>) -> bool {
    let introduces = |kind: &HeaderKind| match kind {
        HeaderKind::GroupItem { .. } => true,
        HeaderKind::LeadIn | HeaderKind::Bold => {
            matches!(
                section.header.as_ref().map(|h| &h.kind),
                Some(HeaderKind::Bold)
            ) && !matches!(kind, HeaderKind::Bold)
        }
        _ => false,
    };
    section.pieces.is_empty()
        && section
            .header
            .as_ref()
            .is_some_and(|h| matches!(h.kind, HeaderKind::LeadIn | HeaderKind::Bold))
        && !next
            .and_then(|n| n.header.as_ref())
            .is_some_and(|h| introduces(&h.kind))
}

/// The marker of a titled list item: the next number when it follows one of its list.
fn next_group_marker(marker: &str, previous: Option<&(String, u64)>) -> (String, bool) {
    match previous {
        Some((prev, n)) if outline::is_numbered(marker) && outline::is_numbered(prev) => {
            (format!("{}{}", n + 1, &marker[marker.len() - 1..]), true)
        }
        Some((prev, _)) if !outline::is_numbered(marker) && !outline::is_numbered(prev) => {
            (prev.clone(), true)
        }
        _ if outline::is_numbered(marker) => (format!("1{}", &marker[marker.len() - 1..]), false),
        _ => (marker.to_owned(), false),
    }
}

/// A list may follow a paragraph without a blank line when it is a bulleted list or starts at 1.
fn may_interrupt_paragraph(item: &str) -> bool {
    let marker = outline::list_marker(item);
    !outline::is_numbered(marker) || marker_number(marker) == Some(1)
}

/// Each unit's text, list markers rewritten so that every list runs 1..n (a procedure of the
/// representative's that goes on after a code block keeps its numbers) and items joining a list
/// take its form, with whether it continues the list of the unit before it.
/// `start`: the number of the step before, when the section's first items go on with a procedure
/// of the representative's that a titled step interrupted.
fn render_units(
    pieces: &[Piece],
    representative: usize,
    start: Option<u64>,
) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    // The marker of the list being written, the number of its last item, and its first item
    // (whose form the others take).
    let mut list: Option<(String, u64, String)> = start.and_then(|n| {
        let first = pieces.first().filter(|p| p.unit.is_item())?;
        let marker = outline::list_marker(&first.unit.source).to_owned();
        let own_step = first.member == representative && outline::is_numbered(&marker);
        own_step.then(|| (marker, n, first.unit.source.clone()))
    });
    let mut after_code = false;
    for p in pieces {
        if !p.unit.is_item() {
            list = None;
            after_code = p.unit.kind == UnitKind::Code;
            out.push((p.unit.source.clone(), false));
            continue;
        }
        let own = outline::list_marker(&p.unit.source).to_owned();
        let is_rep = p.member == representative;
        // The representative's item with another kind of marker starts a list of its own.
        let continued = list.clone().filter(|(marker, _, _)| {
            !is_rep || outline::is_numbered(marker) == outline::is_numbered(&own)
        });
        let (marker, number, first, source) = match continued.clone() {
            Some((marker, n, first)) => {
                let source = in_form_of(&p.unit.source, &first);
                (marker, n + 1, first, source)
            }
            // A procedure of the representative's that goes on after a code block keeps its
            // numbers; every other list runs from 1.
            None => {
                let number = if is_rep && after_code {
                    marker_number(&own).unwrap_or(1)
                } else {
                    1
                };
                let source = p.unit.source.clone();
                (own.clone(), number, source.clone(), source)
            }
        };
        after_code = false;
        let text = if outline::is_numbered(&marker) {
            with_marker(&source, &format!("{number}{}", &marker[marker.len() - 1..]))
        } else {
            with_marker(&source, &marker)
        };
        out.push((text, continued.is_some()));
        list = Some((marker, number, first));
    }
    out
}

/// The task box of a checklist item (`[ ] `, `[x] `), if it has one.
fn task_box(item: &str) -> Option<&'static str> {
    let text = outline::after_marker(item);
    ["[ ] ", "[x] ", "[X] "]
        .into_iter()
        .find(|b| text.starts_with(b))
}

/// An item joining a list in that list's form: a task box when the list's items have one, none
/// when they do not; no bold label (`**Voice search**: …`) in a list of plain items.
pub(super) fn in_form_of(item: &str, first_of_list: &str) -> String {
    let marker = outline::list_marker(item);
    let item = match (task_box(item), task_box(first_of_list)) {
        (Some(b), None) => format!("{marker} {}", &outline::after_marker(item)[b.len()..]),
        (None, Some(b)) => format!("{marker} {b}{}", outline::after_marker(item)),
        _ => item.to_owned(),
    };
    let text = outline::after_marker(&item);
    let plain_list = !outline::after_marker(first_of_list).starts_with("**");
    match text.strip_prefix("**").and_then(|t| t.split_once("**")) {
        Some((label, rest)) if plain_list && !label.is_empty() && !label.contains('\n') => {
            format!("{marker} {label}{rest}")
        }
        _ => item,
    }
}

pub(super) fn marker_number(marker: &str) -> Option<u64> {
    marker[..marker.len().saturating_sub(1)].parse().ok()
}

/// A list item with its marker replaced.
pub(super) fn with_marker(item: &str, marker: &str) -> String {
    format!("{marker} {}", outline::after_marker(item))
}

fn indent_by(text: &str, indent: usize) -> String {
    if indent == 0 {
        return text.to_owned();
    }
    let pad = " ".repeat(indent);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The heading level of the representative's top sections (below its title), if it uses headings.
fn usual_heading_level(draft: &[DraftSection]) -> Option<u8> {
    let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
    for section in draft {
        if let Some(HeaderKind::Heading(level)) = section.header.as_ref().map(|h| &h.kind) {
            if *level > 1 {
                *counts.entry(*level).or_default() += 1;
            }
        }
    }
    // The shallowest level: a new section is a section of the body, not a part of the one
    // before it.
    counts.into_keys().next()
}

/// A lead-in of this many words or fewer (`Design considerations:`) names a topic and becomes a
/// heading in a body of headings; a longer one (`When you deploy to production, check:`) is a
/// sentence, and stays one.
const LEAD_IN_TITLE_WORDS: usize = 4;

/// A new section's header in the representative's style: a heading at its usual level, else a
/// bold title. A lead-in line stays a lead-in, but for a short one in a body of headings: after the
/// last section it would read as the tail of that section.
fn new_header(header: &Header, heading_level: Option<u8>) -> String {
    // A number from the member's own sequence (`### 2. Standards`) would break the merged one.
    let title = group_title(header);
    let digits = title.chars().take_while(char::is_ascii_digit).count();
    let title = match title[digits..].strip_prefix(['.', ')']) {
        Some(rest) if digits > 0 => rest.trim().to_owned(),
        _ => title,
    };
    let short = title.split_whitespace().count() <= LEAD_IN_TITLE_WORDS;
    match (heading_level, &header.kind) {
        (Some(level), HeaderKind::LeadIn) if short => {
            format!("{} {}", "#".repeat(level as usize), upper_first(&title))
        }
        (_, HeaderKind::LeadIn) => header.source.clone(),
        (Some(level), _) => format!("{} {title}", "#".repeat(level as usize)),
        (None, _) => format!("**{title}:**"),
    }
}

/// The text with its first letter raised (`design considerations` → `Design considerations`).
fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The title of a header; for a titled list item (`**API Design**: When building APIs, you
/// will:`), its bold part.
fn group_title(header: &Header) -> String {
    let source = header.source.trim();
    if let Some(rest) = source.strip_prefix("**") {
        if let Some(end) = rest.find("**") {
            return outline::clean_title(&rest[..end]);
        }
    }
    header.title.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::body::testing::merged;

    #[test]
    fn a_short_lead_in_of_an_added_section_becomes_a_heading_in_a_body_of_headings() {
        let other = "Other.\n\n## Pages\n- Render pages on the server\n\nDesign considerations:\n- Split the cache of pages by locale\n- Version the cache of pages on deploy\n";
        let (m, _) = merged(
            "You build sites.\n\n## Pages\n- Render pages on the server\n- Stream pages to slow clients\n",
            &[other, other],
        );
        assert!(m.contains("\n## Design considerations\n"), "{m}");
        assert!(!m.contains("Design considerations:"), "{m}");
    }

    #[test]
    fn added_sections_go_before_the_representatives_closing_sections() {
        let other = "Other.\n\n## Caching\n- Cache computed pages at the edge\n- Expire cached pages on every deploy\n\n## Remember\n- Be kind\n";
        let (m, _) = merged(
            "You build sites.\n\n## Pages\n- Render pages on the server\n\n## Resources\n- The framework handbook\n\n## Remember\n- Measure first\n\nShip small changes.\n",
            &[other, other],
        );
        let caching = m.find("## Caching").expect("two members have the topic");
        assert!(caching < m.find("## Resources").unwrap(), "{m}");
        assert!(
            m.ends_with("## Remember\n\n- Measure first\n\nShip small changes."),
            "{m}"
        );
        assert!(
            !m.contains("Be kind"),
            "one closing, the representative's: {m}"
        );
    }

    #[test]
    fn a_closing_line_at_the_end_of_the_last_section_stays_the_last_line() {
        let other = "Other.\n\n## Caching\n- Cache computed pages at the edge\n- Expire cached pages on every deploy\n";
        let (m, _) = merged(
            "You build sites.\n\n## Pages\n- Render pages on the server\n- Stream pages to slow clients\n\n## Release notes\n\n```markdown\n## 1.2.0\n- Faster pages\n```\n\n**Remember**: measure before you tune.\n",
            &[other, other],
        );
        let caching = m.find("## Caching").expect("two members have the topic");
        assert!(caching < m.find("**Remember**").unwrap(), "{m}");
        assert!(m.ends_with("**Remember**: measure before you tune."), "{m}");
    }

    #[test]
    fn a_lead_in_whose_points_were_all_dropped_is_not_written() {
        let (m, _) = merged(
            "You review code.\n\nAsk other-0 about:\n- Everything other-0 knows about security\n\n## Checks\n- Check error handling in every function\n",
            &["You review.\n\n## Checks\n- Check error handling in every function\n"],
        );
        assert!(!m.contains("Ask other-0"), "{m}");
        assert!(m.contains("## Checks"), "{m}");
    }

    #[test]
    fn a_step_with_a_nested_list_does_not_restart_the_numbering() {
        let (m, _) = merged(
            "Intro.\n\n## Workflow\n1. Plan the release\n2. Build the artefacts\n3. Publish them:\n   - to the registry\n   - to the mirror\n4. Announce the release\n5. Watch the error rates\n",
            &["Intro.\n\n## Workflow\n- Plan the release\n"],
        );
        assert!(
            m.contains("2. Build the artefacts\n3. Publish them:"),
            "{m}"
        );
        assert!(
            m.contains("4. Announce the release\n5. Watch the error rates"),
            "{m}"
        );
    }

    #[test]
    fn titled_items_of_a_representative_keep_their_nested_lists() {
        let rep = "Your responsibilities:\n\n1. **API Design**: you will:\n   - Design REST APIs\n   - Version them\n2. **Databases**: you will:\n   - Model data\n   - Index it\n";
        let (m, _) = merged(rep, &[]);
        assert_eq!(m, rep.trim_end());
    }

    #[test]
    fn a_title_naming_a_replaced_member_names_the_merged_agent() {
        let members = [
            "backend-engineer".to_owned(),
            "backend-system-architect".to_owned(),
        ];
        let names = Names {
            merged: "backend-system-architect",
            members: &members,
        };
        let title = |t: &str| title_naming(&format!("# {t}"), t, &names);
        assert_eq!(
            title("Backend Engineer"),
            ("# Backend System Architect".to_owned(), true)
        );
        assert_eq!(
            title("Senior Backend System Architect"),
            ("# Senior Backend System Architect".to_owned(), false)
        );
        // A title that names no member (a topic) stays.
        assert_eq!(title("Code review"), ("# Code review".to_owned(), false));
        // A name written with other separators in the title is still named by it.
        let members = ["ci-cd-expert".to_owned(), "cicd-specialist".to_owned()];
        let names = Names {
            merged: "cicd-specialist",
            members: &members,
        };
        assert_eq!(
            title_naming("# CI/CD Expert Agent", "CI/CD Expert Agent", &names),
            ("# CI/CD Specialist".to_owned(), true)
        );
    }

    #[test]
    fn items_joining_a_list_take_its_form() {
        assert_eq!(
            in_form_of("- [ ] Check logs", "- Read code"),
            "- Check logs"
        );
        assert_eq!(
            in_form_of("- Check logs", "- [ ] Read code"),
            "- [ ] Check logs"
        );
        assert_eq!(
            in_form_of("- **Voice search**: questions", "1. Keyword research"),
            "- Voice search: questions"
        );
        assert_eq!(
            in_form_of("- **Security**: audits", "- **Speed**: caching"),
            "- **Security**: audits"
        );
    }
}
