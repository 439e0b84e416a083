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

/// What a labelled item says after its label (`**Environment protection**: Require approvals`
/// → `Require approvals`), first letter raised; `None` without a label. Works on the text as
/// written (Markdown) or plain.
pub fn without_label(text: &str) -> Option<String> {
    let plain = text.trim().trim_start_matches(['*', '_', '`']);
    label_of(plain)?;
    let (at, len) = label_cut(plain)?;
    let rest = plain[at + len..].trim_start_matches(['*', '_', ' ']).trim();
    let mut chars = rest.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The label an item opens with: a few words (`**Risk**`, `Supply Chain Security`) followed by
/// `:`, or ` - ` / ` – ` / ` — `, with more text after it.
fn label_of(text: &str) -> Option<&str> {
    let plain = text.trim_start_matches(['*', '_', '`']);
    let (at, len) = label_cut(plain)?;
    let label = plain[..at].trim_end_matches(['*', '_', '`', ':']);
    let rest = plain[at + len..].trim();
    let words = label.split_whitespace().count();
    let short = (1..=MAX_LABEL_WORDS).contains(&words);
    (short && !rest.is_empty() && !label.ends_with('.')).then_some(label)
}

/// Where the first separator of a label stands (`: `, `:** `, ` - `, …), and its length.
fn label_cut(plain: &str) -> Option<(usize, usize)> {
    [": ", ":** ", "** - ", " - ", " – ", " — ", "**: "]
        .iter()
        .filter_map(|sep| plain.find(sep).map(|at| (at, sep.len())))
        .min_by_key(|&(at, _)| at)
}

/// Whether an item reads in a list of form `list`: written in it, or, in a list of instructions,
/// labelled with an instruction after the label (the label then goes: `Environment protection:
/// Require approvals` joins as `Require approvals`). Only there: after a label that names a
/// subject (`Core Web Vitals: LCP, FID, CLS`), a phrase says little without it.
pub fn fits_form(text: &str, list: ItemForm) -> bool {
    form_of(text) == list || unlabels_into(text, list)
}

/// Whether a labelled item reads as an item of a list of instructions without its label.
pub fn unlabels_into(text: &str, list: ItemForm) -> bool {
    list == ItemForm::Instruction
        && form_of(text) == ItemForm::Labelled
        && without_label(text).is_some_and(|rest| {
            form_of(&rest) == ItemForm::Instruction && opens_with_a_sure_verb(&rest)
        })
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

/// The verbs of instruction_verbs.txt, and of them those that are as often nouns (marked `~`).
struct Verbs {
    all: HashSet<&'static str>,
    also_nouns: HashSet<&'static str>,
}

fn verbs() -> &'static Verbs {
    static VERBS: OnceLock<Verbs> = OnceLock::new();
    VERBS.get_or_init(|| {
        let entries: Vec<&'static str> = include_str!("instruction_verbs.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        Verbs {
            all: entries.iter().map(|w| w.trim_end_matches('~')).collect(),
            also_nouns: entries.iter().filter_map(|w| w.strip_suffix('~')).collect(),
        }
    })
}

fn instruction_verbs() -> &'static HashSet<&'static str> {
    &verbs().all
}

/// Whether the text opens with a verb that is seldom anything else (`Provide`, `Ensure`; not
/// `Test` or `Design`).
fn opens_with_a_sure_verb(text: &str) -> bool {
    let first = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .find(|w| !w.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    opens_with_an_instruction_verb(text) && !verbs().also_nouns.contains(first.as_str())
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
    fn a_labelled_item_joins_a_list_of_another_form_without_its_label_when_the_rest_fits() {
        assert_eq!(
            without_label("**Environment protection**: require approvals").as_deref(),
            Some("Require approvals")
        );
        assert_eq!(without_label("Identify secrets"), None);
        assert!(fits_form(
            "Environment protection: Require approvals for production",
            ItemForm::Instruction
        ));
        assert!(!fits_form(
            "Security Scans: SAST, DAST, dependency analysis",
            ItemForm::Instruction
        ));
        assert!(fits_form("Identify secrets", ItemForm::Instruction));
        // `Test` after a label is as likely a noun: the label stays, and so does the form.
        assert!(!fits_form(
            "Test Data: Test fixtures, factories",
            ItemForm::Instruction
        ));
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
