//! Things to do and things not to do: an item from a list of things not to do (`## Never`,
//! `Avoid:`) says the opposite under another title, so it joins a list of things to do only written
//! as a don't, and a thing to do never joins a list of things not to do.

use super::draft::{DraftSection, Piece};
use crate::merge::outline::{self, Unit};

/// Words of a title over things not to do.
const NEGATIVE_TITLE_WORDS: &[&str] = &[
    "never",
    "don't",
    "dont",
    "avoid",
    "anti-pattern",
    "anti-patterns",
    "antipatterns",
    "mistakes",
    "pitfalls",
    "bad",
    "not",
];

/// Whether a section title lists things not to do (`## Never do this`, `Avoid:`, `Common
/// mistakes`): its items say the opposite of what they would say under another title.
pub(super) fn is_negative(title: &str) -> bool {
    title
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '.' | '(' | ')' | '*' | '#'))
        .any(|w| NEGATIVE_TITLE_WORDS.contains(&w))
}

fn section_is_negative(section: &DraftSection) -> bool {
    section
        .header
        .as_ref()
        .is_some_and(|h| is_negative(&h.title))
}

/// Whether a piece may join a section as to what it tells to do: a thing to do does not join a
/// list of things not to do; a thing not to do joins a list of things to do only when it can be
/// written as a don't ([`as_dont`]).
pub(super) fn polarity_fits(piece: &Piece, section: &DraftSection) -> bool {
    match (piece.negative, section_is_negative(section)) {
        (a, b) if a == b => true,
        (true, false) => as_dont(&piece.unit).is_some(),
        _ => false,
    }
}

/// An item from a list of things not to do, written for a list of things to do: `- Hardcode
/// secrets` becomes `- Don't hardcode secrets`. `None` when it cannot be said so simply (a bold
/// label, a contrast, or already a negation).
fn as_dont(unit: &Unit) -> Option<Unit> {
    if !unit.is_item() || is_contrast(unit) {
        return None;
    }
    let marker = outline::list_marker(&unit.source);
    let text = outline::after_marker(&unit.source);
    let first = text.split_whitespace().next()?.to_lowercase();
    let negated = ["don't", "never", "avoid", "no", "not", "do"].contains(&first.as_str());
    if text.starts_with(['*', '`', '[', '"']) || negated {
        return None;
    }
    Some(Unit {
        kind: unit.kind,
        source: format!("{marker} Don't {}", lower_first(text)),
        text: format!("Don't {}", lower_first(unit.text.trim_start())),
    })
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A thing not to do joining a list of things to do, written as a don't ([`as_dont`]).
pub(super) fn in_polarity_of(mut piece: Piece, section: &DraftSection) -> Piece {
    if piece.negative && !section_is_negative(section) {
        if let Some(unit) = as_dont(&piece.unit) {
            piece.unit = unit;
            piece.negative = false;
        }
    }
    piece
}

/// An item that sets a wrong way against a right one (`Keyword stuffing → Natural keywords`).
pub(super) fn is_contrast(unit: &Unit) -> bool {
    unit.text.contains('→') || unit.text.contains(" -> ") || unit.text.contains(" => ")
}

#[cfg(test)]
mod tests {

    use crate::merge::body::testing::merged;

    #[test]
    fn a_thing_not_to_do_joins_a_list_of_things_to_do_only_as_a_dont_and_no_second_identity() {
        let other = "You build.\n\n## Never do this\n- Hardcode secrets in pipeline configs\n\nYou are an elite engineer with ten years of pipelines.\n\n## Practices\n- Cache pipeline dependencies between runs\n";
        let (m, _) = merged(
            "You build pipelines.\n\n## Practices\n- Keep pipeline secrets in a vault\n- Run pipeline tests in parallel\n",
            &[other, other],
        );
        assert!(
            m.contains("- Don't hardcode secrets in pipeline configs"),
            "{m}"
        );
        assert!(!m.contains("- Hardcode secrets"), "{m}");
        assert!(!m.contains("elite engineer"), "{m}");
        let with_example = "You build.\n\n## Examples\n\n<example>\nuser: \"Fix my pipeline\"\nassistant: \"I'll use pipeline-pro.\"\n</example>\n\n<example>\nuser: \"Speed up CI\"\nassistant: \"I'll use pipeline-pro.\"\n</example>\n";
        assert!(
            m.contains("- Cache pipeline dependencies between runs"),
            "{m}"
        );
        let (e, _) = merged(
            "You build pipelines.\n\n## Practices\n- Keep pipeline secrets in a vault\n",
            &[with_example, with_example],
        );
        assert!(!e.contains("pipeline-pro"), "{e}");
    }
}
