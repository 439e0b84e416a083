//! Whether a member's unit belongs in the merged body at all, before any comparison: not in another
//! language, not the member's metadata, identity or closing line, not naming an agent the merge
//! absorbs, not tied to one member's project. A member's mention of its own name becomes the merged
//! name.

use super::cache::TermCache;
use super::decision::preview;
use super::draft::{Piece, Tally};
use super::Names;
use crate::merge::outline::{self, Unit, UnitKind};
use crate::merge::points::{self, Language};

/// The members a merge absorbs (every member not named like the representative or the merged
/// agent), and a finder for the members' names in their text.
pub(super) struct Absorbed<'a> {
    names: &'a Names<'a>,
    representative: usize,
    /// By member: whether the merged agent replaces an agent of that name.
    is_absorbed: Vec<bool>,
    /// Finds the members' names (by member index) in a text.
    finder: points::NameFinder,
}

impl<'a> Absorbed<'a> {
    pub(super) fn new(names: &'a Names<'a>, representative: usize) -> Absorbed<'a> {
        let rep_name = &names.members[representative];
        let is_absorbed = names
            .members
            .iter()
            .enumerate()
            .map(|(i, n)| i != representative && n != rep_name && n != names.merged)
            .collect();
        let all: Vec<&str> = names.members.iter().map(String::as_str).collect();
        Absorbed {
            names,
            representative,
            is_absorbed,
            finder: points::NameFinder::new(&all),
        }
    }
}

/// The sentence before a code block's fence (empty when the unit opens with the fence).
fn code_lead(text: &str) -> &str {
    let fence = text
        .lines()
        .map(str::trim_start)
        .position(|l| l.starts_with("```") || l.starts_with("~~~"));
    match fence {
        Some(line) => {
            let end: usize = text.lines().take(line).map(|l| l.len() + 1).sum();
            &text[..end.min(text.len())]
        }
        None => "",
    }
}

/// A unit as the merged body would hold it (a piece of member `member`), or `None` when it does
/// not belong there: in another
/// language; naming an agent the merge absorbs (delegating to it, contrasting with it); from a
/// non-representative, tied to its own project. A member's mention of its own name becomes the
/// merged name.
pub(super) fn keep_unit(
    unit: &Unit,
    member: usize,
    absorbed: &Absorbed,
    language: Language,
    tally: &mut Tally,
    cache: &mut TermCache,
) -> Option<Piece> {
    let facts = cache.facts(&unit.text);
    let terms = facts.terms.clone();
    // A code block is in a programming language: only the sentence that introduces it says which
    // natural language the unit is in (`-d`, `-o`, `de` in a shell command are no French).
    let unit_language = if unit.kind == UnitKind::Code {
        points::language(code_lead(&unit.text))
    } else {
        facts.language
    };
    if points::foreign_language(unit_language, language)
        || (member != absorbed.representative
            && points::other_script_in_latin_body(
                &unit.text,
                unit.kind == UnitKind::Code,
                language,
            ))
    {
        tally.other_language.push(preview(&unit.text));
        return None;
    }
    if is_frontmatter_line(unit) {
        tally.frontmatter_lines.push(preview(&unit.text));
        return None;
    }
    if outline::is_html_comment(&unit.source) {
        tally.maintainer_notes.push(preview(&unit.source));
        return None;
    }
    let identity = unit.kind == UnitKind::Paragraph && {
        let t = unit.text.trim_start().to_lowercase();
        t.starts_with("you are ") || t.starts_with("you're ")
    };
    if member != absorbed.representative && unit.source.trim_start().starts_with("<example") {
        // Another member's `<example>` of how it is invoked names that member's agent.
        tally.naming_members.push(preview(&unit.text));
        return None;
    }
    if member != absorbed.representative && identity {
        // A second identity: one agent, the representative's.
        tally.introductions += 1;
        return None;
    }
    let quoted = {
        let t = if unit.is_item() {
            outline::after_marker(&unit.source).trim()
        } else {
            unit.text.trim()
        };
        t.len() > 2 && t.starts_with(['"', '“']) && t.ends_with(['"', '”'])
    };
    if member != absorbed.representative
        && ((unit.kind == UnitKind::Paragraph && unit.text.trim_end().ends_with(':')) || quoted)
    {
        // A lead-in whose list is not a unit of it: nothing would follow it. A quoted request
        // (`"Build a lending protocol"`) is another member's example, not a point.
        tally.bare_keywords.push(preview(&unit.text));
        return None;
    }
    let names = absorbed.names;
    let own = names.members[member].as_str();
    let source = cache.source(&unit.source);
    let mentioned = absorbed
        .finder
        .mentioned_among(&source.name_words, &unit.source);
    if mentioned
        .iter()
        .any(|&j| absorbed.is_absorbed[j] && names.members[j] != own)
    {
        tally.naming_members.push(preview(&unit.text));
        return None;
    }
    if member != absorbed.representative {
        if let Some(what) = &source.project {
            tally
                .project_specific
                .push(format!("{} ({what})", preview(&unit.text)));
            return None;
        }
    }
    let mut unit = unit.clone();
    let mut terms = terms;
    if own != names.merged && mentioned.contains(&member) {
        unit.source = crate::merge::replace_word(&unit.source, own, names.merged);
        unit.text = crate::merge::replace_word(&unit.text, own, names.merged);
        terms = cache.terms(&unit.text);
    }
    Some(Piece {
        member,
        unit,
        terms,
        support: 1,
        full_support: 1,
        said_as: None,
        negative: false,
        at: (0, 0),
    })
}

/// Frontmatter keys a body sometimes repeats as plain lines (`agentName: …`, `version: 1.0`).
const FRONTMATTER_KEYS: &[&str] = &[
    "name",
    "agentname",
    "agent_name",
    "agent",
    "displayname",
    "description",
    "version",
    "tools",
    "model",
    "color",
    "author",
    "category",
    "tags",
    "temperature",
    "type",
];

/// A paragraph of `key: value` lines whose keys are all frontmatter keys: a member's metadata
/// written into its body, which names that member and contradicts the merged frontmatter.
fn is_frontmatter_line(unit: &Unit) -> bool {
    unit.kind == UnitKind::Paragraph
        && unit.source.lines().all(|line| {
            line.trim().split_once(':').is_some_and(|(key, value)| {
                let key = key.trim().to_ascii_lowercase();
                FRONTMATTER_KEYS.contains(&key.as_str()) && !value.trim().is_empty()
            })
        })
        // One `Description: …` line can be prose; several keys, or a key that only metadata
        // uses, cannot.
        && (unit.source.trim().lines().count() >= 2
            || ["agentname", "agent_name", "displayname", "version"].iter().any(|k| {
                unit.source.trim().to_ascii_lowercase().starts_with(&format!("{k}:"))
            }))
}

/// A closing line of another member in the middle of its body (`Remember: …`), or a question put
/// to the user: one closing line, the representative's.
pub(super) fn is_closing_line(unit: &Unit) -> bool {
    unit.kind == UnitKind::Paragraph
        && (unit
            .text
            .trim_start()
            .to_lowercase()
            .starts_with("remember")
            || unit.text.trim_end().ends_with('?'))
}

#[cfg(test)]
mod tests {

    use crate::merge::body::testing::merged;

    #[test]
    fn html_comments_are_notes_to_maintainers_and_not_written() {
        let (m, decisions) = merged(
            "You review code.\n\n<!-- DESIGN DECISION: why this agent exists -->\n\n## Checks\n- Check error handling in every function\n- Check naming of every function\n",
            &["You review.\n\n## Checks\n<!-- tested with three repositories\n     of our team -->\n\n- Check error handling in every function\n"],
        );
        assert!(!m.contains("<!--") && !m.contains("DESIGN DECISION"), "{m}");
        assert!(m.contains("Check naming of every function"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("HTML comment"), "{}", body.why);
    }

    #[test]
    fn frontmatter_lines_in_a_body_and_lead_ins_without_their_list_are_not_written() {
        let (m, decisions) = merged(
            "agentName: Helper Bot\nversion: 1.0.0\n\nYou review code.\n\n## Checks\n- Check error handling in every function\n\nThese include:\n\n## Style\n- Keep functions short and named well\n",
            &["agentName: Other Bot\nversion: 2.0\n\nYou review.\n\n## Checks\n- Check error handling in every function\n"],
        );
        assert!(!m.contains("agentName") && !m.contains("version:"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("frontmatter"), "{}", body.why);
        // A one-line `Description: …` sentence is prose, not metadata.
        let (m, _) = merged(
            "You write docs.\n\nDescription: every page opens with what the reader will learn.\n",
            &[],
        );
        assert!(m.contains("Description: every page"), "{m}");
    }

    #[test]
    fn other_languages_absorbed_names_and_project_paths_are_not_carried_over() {
        let (m, decisions) = merged(
            "You are a reviewer of code written by the team.\n\n## Rules\n- Check error handling in every function\n- Hand security questions to other-0 when unsure\n",
            &["Intro.\n\n## Rules\n- Vous devez vérifier les tests de chaque module avec soin\n- Run flake8 on acme/app/models.py before merging\n- Check error handling: logs never contain secrets\n"],
        );
        assert!(!m.contains("other-0"), "{m}");
        assert!(!m.contains("Vous"), "{m}");
        assert!(!m.contains("flake8"), "{m}");
        assert!(
            m.contains("Check error handling: logs never contain secrets"),
            "{m}"
        );
        let why = &decisions.iter().find(|d| d.field == "body").unwrap().why;
        assert!(
            why.contains("another language")
                && why.contains("own project")
                && why.contains("replaces"),
            "{why}"
        );
    }

    /// A code block is written in a programming language, not in another natural language: the
    /// representative's commands stay under their headings.
    #[test]
    fn the_representatives_code_blocks_are_kept_whatever_their_words() {
        let rep = "You test the security of web applications you are allowed to test.\n\n**Information Gathering:**\n```bash\n# Subdomain enumeration\nsubfinder -d example.com -o subdomains.txt\namass enum -d example.com\n# Network reconnaissance\nnmap -sV -sC -p- target.com -oA scan\n```\n\n**Reflected XSS:**\n```html\n<script>alert(document.domain)</script>\n<img src=x onerror=alert(1)>\n```\n";
        let (m, decisions) = merged(
            rep,
            &["You are a tester.\n\n## Checks\n- Check every form for injection flaws\n"],
        );
        assert!(m.contains("nmap -sV -sC -p- target.com -oA scan"), "{m}");
        assert!(m.contains("<img src=x onerror=alert(1)>"), "{m}");
        assert!(
            !decisions.iter().any(|d| d.why.contains("another language")),
            "{decisions:?}"
        );
    }
}
