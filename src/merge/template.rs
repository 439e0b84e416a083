//! Templates: agent files whose text is placeholders to fill in (a plugin kit's `example.md`:
//! "You are a specialized agent for [domain/task]", "**Capability 1**: Description", "Describe the
//! expected output format here."). Their text is no content to merge into a real agent.

use super::outline::{self, UnitKind};

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

/// One placeholder of the body when it is a template (to name in the decisions), else `None`.
pub fn template_placeholder(body: &str) -> Option<String> {
    let o = outline::outline(body);
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

    #[test]
    fn a_kit_template_is_recognised() {
        let body = "# Sample Agent\n\nYou are an agent for [your field].\n\n## Skills\n\n- **Skill 1**: Description\n- **Option 2**: Description\n\n## When to use\n\n- Condition 1\n- Condition 2\n\n## Output\n\nDescribe the report format here.\n";
        assert!(template_placeholder(body).is_some());
        assert!(template_placeholder("# Sample\n\nAgent instructions here.\n").is_some());
    }

    #[test]
    fn a_real_agent_with_a_fill_in_report_or_checklist_is_no_template() {
        let body = "You review pull requests for a web team.\n\n## Checks\n\n- [ ] Error handling covers every failure path\n- [x] Tests exist for new code\n- See [the style guide](https://example.com/style)\n- Step 1 of a release is tagging it\n\n## Report\n\nWrite the summary first, then the findings.\n\n```\n## Review of [PR title]\n- Finding: [description]\n```\n";
        assert_eq!(template_placeholder(body), None);
    }
}
