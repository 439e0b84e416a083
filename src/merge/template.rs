//! Templates: agent files whose text is placeholders to fill in (a plugin kit's `example.md`:
//! "You are a specialized agent for [domain/task]", "**Capability 1**: Description", "Describe the
//! expected output format here."). Their text is no content to merge into a real agent.

use super::outline::{self, Outline, UnitKind};

/// A body is a template when this many of its prose units are placeholders…
const MIN_PLACEHOLDERS: usize = 3;
/// …and they are at least this share of its prose units.
const MIN_SHARE: f32 = 0.4;

/// Words that, followed by a number, stand for an item still to be written (`Condition 1`).
const SLOT_WORDS: &[&str] = &[
    "capability",
    "condition",
    "step",
    "item",
    "example",
    "option",
    "feature",
    "task",
    "rule",
    "point",
];

/// One placeholder of the body (read as an outline) when it is a template (to name in the
/// decisions), else `None`.
pub fn template_placeholder(o: &Outline) -> Option<String> {
    let prose: Vec<&str> = o
        .units()
        .filter(|(_, u)| u.kind != UnitKind::Code)
        .map(|(_, u)| u.source.as_str())
        .collect();
    let placeholders: Vec<&str> = prose
        .iter()
        .copied()
        .filter(|u| is_placeholder(u))
        .collect();
    // A body of placeholders only (`Agent instructions here.`) is one, however short.
    let enough = (placeholders.len() >= MIN_PLACEHOLDERS
        && placeholders.len() as f32 >= MIN_SHARE * prose.len() as f32)
        || (!placeholders.is_empty() && placeholders.len() == prose.len());
    enough.then(|| placeholders[0].trim().chars().take(60).collect())
}

/// A unit that is a slot to fill in rather than text: a bracketed placeholder (`[domain/task]`,
/// not a link or a task box), a numbered slot (`Condition 1`), a bare `Description`, or an
/// instruction to the template's user (`Describe … here`).
fn is_placeholder(source: &str) -> bool {
    if cannot_be_placeholder(outline::after_marker(source.trim())) {
        return false;
    }
    let text = outline::after_marker(source.trim()).replace("**", "");
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let numbered_slot = words
        .windows(2)
        .any(|w| SLOT_WORDS.contains(&w[0]) && w[1].chars().all(|c| c.is_ascii_digit()));
    let bare_description =
        lower.trim_end_matches('.').ends_with(": description") || lower.trim() == "description";
    // `Describe the output format here.`, `Agent instructions here.`
    let here = lower.trim_end_matches('.').ends_with(" here")
        && (words.len() <= 4
            || ["describe", "add", "insert", "replace", "write", "list"]
                .iter()
                .any(|w| words.first() == Some(w)));
    numbered_slot || bare_description || here || has_bracket_slot(&text)
}

/// Whether a unit's text (after its list marker) has none of what [`is_placeholder`] looks for: a
/// slot word and a digit (a numbered slot), a bracket, `description`, a closing `here`. Looked for
/// byte by byte, ignoring ASCII case: lowercasing maps ASCII letters to ASCII letters and other
/// characters to others, but for `İ` and the Kelvin sign (texts with them are looked at in full).
/// Most units of a real agent have none of it, and need no lowercase copy or splitting into words.
fn cannot_be_placeholder(text: &str) -> bool {
    if text.contains(['\u{130}', '\u{212a}']) {
        return false;
    }
    if text.contains("**") {
        // Looked at as `is_placeholder` does, without the bold stars (removing them can join words).
        return cannot_be_placeholder_plain(&text.replace("**", ""));
    }
    cannot_be_placeholder_plain(text)
}

/// [`cannot_be_placeholder`] of a text without bold stars.
fn cannot_be_placeholder_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let contains = |word: &[u8]| {
        bytes
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    let numbered =
        bytes.iter().any(u8::is_ascii_digit) && SLOT_WORDS.iter().any(|w| contains(w.as_bytes()));
    let before_dots = text.trim_end_matches('.').as_bytes();
    let ends_here = before_dots.len() >= 5
        && before_dots[before_dots.len() - 5..].eq_ignore_ascii_case(b" here");
    !(numbered || bytes.contains(&b'[') || contains(b"description") || ends_here)
}

/// `[words]` not followed by `(` (a link) and not a task box (`[ ]`, `[x]`).
fn has_bracket_slot(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            return false;
        };
        let inside = &after[..close];
        let link = after[close + 1..].starts_with('(');
        let task_box = matches!(inside.trim(), "" | "x" | "X");
        if !link && !task_box && inside.chars().any(char::is_alphabetic) {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholder(body: &str) -> Option<String> {
        template_placeholder(&outline::outline(body))
    }

    #[test]
    fn a_kit_template_is_recognised() {
        let body = "# Sample Agent\n\nYou are an agent for [your field].\n\n## Skills\n\n- **Skill 1**: Description\n- **Option 2**: Description\n\n## When to use\n\n- Condition 1\n- Condition 2\n\n## Output\n\nDescribe the report format here.\n";
        assert!(placeholder(body).is_some());
        assert!(placeholder("# Sample\n\nAgent instructions here.\n").is_some());
    }

    #[test]
    fn a_real_agent_with_a_fill_in_report_or_checklist_is_no_template() {
        let body = "You review pull requests for a web team.\n\n## Checks\n\n- [ ] Error handling covers every failure path\n- [x] Tests exist for new code\n- See [the style guide](https://example.com/style)\n- Step 1 of a release is tagging it\n\n## Report\n\nWrite the summary first, then the findings.\n\n```\n## Review of [PR title]\n- Finding: [description]\n```\n";
        assert_eq!(placeholder(body), None);
    }

    #[test]
    fn a_unit_is_looked_at_closely_only_when_it_could_be_a_placeholder() {
        for could in [
            "Condition 1",
            "You are an agent for [your field].",
            "**Skill**: Description",
            "Describe the report format HERE.",
            "Skill: DESCRIPTION",
            "Généré pour [domaine]",
            "Tas\u{212a} 1",
            "Describe the report — format here",
        ] {
            assert!(!cannot_be_placeholder(could), "{could}");
        }
        for plain in [
            "Review every pull request for error handling.",
            "Keep functions short; name them well",
            "Put the summary there",
            "Écrivez le résumé — puis les détails",
        ] {
            assert!(cannot_be_placeholder(plain), "{plain}");
            assert!(!is_placeholder(plain), "{plain}");
        }
    }
}
