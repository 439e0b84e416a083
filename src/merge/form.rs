//! How a list item is written: the shape a reader takes in before its words.
//!
//! One author writes a list in one form: every item an instruction (`Identify exposed secrets`),
//! or every item a labelled entry (`**Snyk**: dependency scanning`), or every item a noun phrase
//! (`Remediation guidance with code examples`). Another member's point spliced into a list in
//! another form is what makes a merged body read as a patchwork, so a point that one member alone
//! makes joins a list only in the list's form (see `body::fits_as_item`).

use std::collections::HashSet;
use std::sync::OnceLock;

/// The form of a list item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemForm {
    /// Opens with a short label and a colon or dash: `**Risk:** …`, `Snyk / Dependabot: …`.
    Labelled,
    /// Opens with a verb in the imperative: `Review data encryption practices`.
    Instruction,
    /// Anything else: a noun phrase, a gerund, a sentence with a subject.
    Phrase,
}

/// Labels are short: `Supply Chain Security:` is one, a sentence that ends in a colon is not.
const MAX_LABEL_WORDS: usize = 5;

/// Share of a list's items that must have one form for the list to have that form.
const DOMINANT_SHARE: f32 = 0.75;

/// A list needs this many items before its form says anything.
const MIN_ITEMS_FOR_A_FORM: usize = 3;

/// The form of an item, given its plain text (without the list marker).
pub fn form_of(text: &str) -> ItemForm {
    let text = text.trim();
    match label_of(text) {
        // `Code Review: …` is a label even though `code`… and `Design Patterns: …` though `design`
        // is a verb: a label in title case is a label.
        Some(label) if is_title_case(label) => ItemForm::Labelled,
        _ if opens_with_an_instruction_verb(text) => ItemForm::Instruction,
        Some(_) => ItemForm::Labelled,
        None => ItemForm::Phrase,
    }
}

/// The form most of a list's items have, when at least three quarters of three or more items
/// share it; `None` for a short or mixed list, which takes items of any form.
pub fn dominant_form<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<ItemForm> {
    let forms: Vec<ItemForm> = items.into_iter().map(form_of).collect();
    if forms.len() < MIN_ITEMS_FOR_A_FORM {
        return None;
    }
    [ItemForm::Labelled, ItemForm::Instruction, ItemForm::Phrase]
        .into_iter()
        .find(|form| {
            let count = forms.iter().filter(|f| *f == form).count();
            count as f32 >= DOMINANT_SHARE * forms.len() as f32
        })
}

/// The label an item opens with: a few words (`**Risk**`, `Supply Chain Security`) followed by
/// `:`, or ` - ` / ` – ` / ` — `, with more text after it.
fn label_of(text: &str) -> Option<&str> {
    let plain = text.trim_start_matches(['*', '_', '`']);
    let cut = [": ", ":** ", "** - ", " - ", " – ", " — ", "**: "]
        .iter()
        .filter_map(|sep| plain.find(sep).map(|at| (at, sep.len())))
        .min_by_key(|&(at, _)| at);
    let (at, len) = cut?;
    let label = plain[..at].trim_end_matches(['*', '_', '`', ':']);
    let rest = plain[at + len..].trim();
    let words = label.split_whitespace().count();
    let short = (1..=MAX_LABEL_WORDS).contains(&words);
    (short && !rest.is_empty() && !label.ends_with('.')).then_some(label)
}

/// Whether every word of two or more opens with a capital (`Supply Chain Security`, `Snyk /
/// Dependabot`): words that are not letters (`/`, `&`) do not count.
fn is_title_case(label: &str) -> bool {
    let words: Vec<&str> = label
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    words.len() >= 2 && words.iter().all(|w| w.starts_with(char::is_uppercase))
}

/// Whether the first word of the text is a verb of instruction_verbs.txt (`Set up` counts as one).
fn opens_with_an_instruction_verb(text: &str) -> bool {
    let mut words = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase);
    let Some(first) = words.next() else {
        return false;
    };
    let verbs = instruction_verbs();
    verbs.contains(first.as_str())
        || words
            .next()
            .is_some_and(|second| verbs.contains(format!("{first} {second}").as_str()))
}

fn instruction_verbs() -> &'static HashSet<&'static str> {
    static VERBS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    VERBS.get_or_init(|| {
        include_str!("instruction_verbs.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_labels_and_phrases_are_told_apart() {
        assert_eq!(form_of("Identify exposed secrets"), ItemForm::Instruction);
        assert_eq!(
            form_of("Set up alerting for the queue"),
            ItemForm::Instruction
        );
        assert_eq!(
            form_of("**Risk:** users reach data that is not theirs"),
            ItemForm::Labelled
        );
        assert_eq!(
            form_of("Supply Chain Security: dependency scanning, SBOMs"),
            ItemForm::Labelled
        );
        assert_eq!(
            form_of("Code Security Review: secure coding patterns"),
            ItemForm::Labelled
        );
        // A verb first reads as an instruction, whatever follows a dash.
        assert_eq!(
            form_of("Prioritize by severity - fix critical first"),
            ItemForm::Instruction
        );
        assert_eq!(
            form_of("Remediation guidance with secure code examples"),
            ItemForm::Phrase
        );
        assert_eq!(form_of("Validating all inputs"), ItemForm::Phrase);
    }

    #[test]
    fn a_sentence_ending_in_a_colon_is_no_label() {
        assert_eq!(
            form_of("When the schema changes in a way that breaks readers of the old one: stop"),
            ItemForm::Phrase
        );
        assert_eq!(form_of("Caching: Redis or Memcached"), ItemForm::Labelled);
    }

    #[test]
    fn a_list_has_a_form_only_when_most_of_three_or_more_items_share_it() {
        let instructions = [
            "Identify secrets",
            "Detect attack vectors",
            "Find weak deps",
        ];
        assert_eq!(dominant_form(instructions), Some(ItemForm::Instruction));
        let mixed = ["Identify secrets", "Attack vectors", "**Deps**: weak ones"];
        assert_eq!(dominant_form(mixed), None);
        assert_eq!(dominant_form(["Identify secrets", "Detect attacks"]), None);
    }
}
