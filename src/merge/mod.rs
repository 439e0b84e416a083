//! Merge: a cluster → one suggested definition, with every decision written down.
//!
//! The frontmatter follows fixed rules (see [`merge_frontmatter`]) and is written as strict YAML, so
//! Claude Code loads it. The body takes the representative's structure as its skeleton; every other
//! member's blocks (paragraphs, list items, code) that the skeleton does not already say are added
//! once, under the section whose heading matches theirs, or in a section of their own at the end.

mod body;
mod description;
mod fold;
mod form;
pub mod outline;
pub mod points;
mod template;
pub mod topics;

use crate::model::{AgentFile, Frontmatter, MergeDecision, MergedAgent};
use crate::normalize::{description_prose, normalize_text};
use crate::parse::is_valid_name;
pub use body::{TermCache, GROWTH_LIMIT};
pub use description::{description_tokens, examples};
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, HashSet};

/// Merges the members of one cluster. `members` must be in a fixed order (the pipeline keeps them
/// sorted by path) and `representative` indexes into it; `order` lists the other members from the most
/// to the least similar to the representative, which is the order their content is added in.
pub fn merge(members: &[&AgentFile], representative: usize, order: &[usize]) -> MergedAgent {
    merge_with(members, representative, order, &mut TermCache::default())
}

/// [`merge`], with the word sets of texts met in earlier merges: a library's clusters share much
/// of their text (boilerplate), so a worker merging many clusters keeps one cache for them all.
pub fn merge_with(
    members: &[&AgentFile],
    representative: usize,
    order: &[usize],
    cache: &mut TermCache,
) -> MergedAgent {
    let name = propose_name(members, representative);
    merge_named(members, representative, order, name, cache)
}

/// [`merge_with`], under a name chosen beforehand (by [`propose_name`], then made unique across a
/// scan by the pipeline).
pub fn merge_named(
    members: &[&AgentFile],
    representative: usize,
    order: &[usize],
    name: NameChoice,
    cache: &mut TermCache,
) -> MergedAgent {
    let mut decisions = Vec::new();
    // Each body is read once: the template check and the body merge share the outlines.
    let outlines: Vec<outline::Outline> =
        members.iter().map(|m| outline::outline(&m.body)).collect();
    let (representative, order) =
        skip_templates(members, &outlines, representative, order, &mut decisions);
    let order = &order[..];
    let member_names: Vec<String> = members.iter().map(|m| m.display_name()).collect();
    let NameChoice { name, why, dropped } = name;
    decisions.push(MergeDecision {
        field: "name".into(),
        chose: name.clone(),
        why,
        dropped,
    });
    let frontmatter = merge_frontmatter(members, representative, &name, &mut decisions);
    let names = body::Names {
        merged: &name,
        members: &member_names,
    };
    let body = body::merge_bodies(
        members,
        outlines,
        representative,
        order,
        &names,
        &mut decisions,
        cache,
    );
    let text = render(&frontmatter, &body);
    MergedAgent {
        name,
        frontmatter,
        body,
        decisions,
        text,
        diffs: Vec::new(),
    }
}

/// Members whose text is a template (placeholders to fill in, see [`template`]) give the merge no
/// content: the representative is the first member that is not one (when there is one), and
/// templates are left out of the members whose points are added. Returns the representative and
/// the order of the others.
fn skip_templates(
    members: &[&AgentFile],
    outlines: &[outline::Outline],
    representative: usize,
    order: &[usize],
    decisions: &mut Vec<MergeDecision>,
) -> (usize, Vec<usize>) {
    let placeholders: Vec<Option<String>> = outlines
        .iter()
        .map(template::template_placeholder)
        .collect();
    if placeholders.iter().all(Option::is_none) {
        return (representative, order.to_vec());
    }
    let by_closeness = std::iter::once(representative).chain(order.iter().copied());
    let real: Vec<usize> = by_closeness
        .filter(|&i| placeholders[i].is_none())
        .collect();
    let templates: Vec<String> = (0..members.len())
        .filter_map(|i| {
            let example = placeholders[i].as_ref()?;
            Some(format!("{} (`{example}`)", members[i].path.display()))
        })
        .collect();
    let Some((&skeleton, others)) = real.split_first() else {
        decisions.push(MergeDecision {
            field: "template".into(),
            chose: "the representative, as written".into(),
            why: "every member is a template: placeholders to fill in, not an agent; there is nothing to merge, fill the placeholders in before use".into(),
            dropped: templates,
        });
        return (representative, order.to_vec());
    };
    decisions.push(MergeDecision {
        field: "template".into(),
        chose: format!("{}'s text", members[skeleton].path.display()),
        why:
            "member(s) whose text is a template (placeholders to fill in) give the merge no content"
                .into(),
        dropped: templates,
    });
    (skeleton, others.to_vec())
}

/// The whole file: `---`, the frontmatter as strict YAML, `---`, the body.
pub fn render(frontmatter: &Frontmatter, body: &str) -> String {
    let yaml = serde_yaml::to_string(&frontmatter.entries)
        .expect("a mapping of strings always serializes");
    format!("---\n{yaml}---\n\n{}\n", body.trim())
}

/// Makes any text a valid Claude Code name: lowercase ASCII letters, digits and single hyphens.
pub fn sanitize_name(raw: &str) -> String {
    let lowered: String = normalize_text(raw)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let joined = lowered
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if joined.is_empty() {
        "merged-agent".to_owned()
    } else {
        joined
    }
}

/// A merged agent's name, why it was chosen, and the members' names it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameChoice {
    pub name: String,
    pub why: String,
    pub dropped: Vec<String>,
}

/// The name: the part all names end with when members differ only by a prefix (copies renamed per
/// plugin), else the name most members use, else the representative's; never a bare generic word
/// (`analyst`, `tester`): such a name gets the word that says which job (`data-analyst`). Only the
/// members' names are read, so the pipeline can name every cluster of a scan before merging.
pub fn propose_name(members: &[&AgentFile], representative: usize) -> NameChoice {
    let names: Vec<String> = members
        .iter()
        .map(|m| sanitize_name(&m.display_name()))
        .collect();
    let rep_name = names[representative].clone();
    let suffix = common_suffix(&names);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &names {
        *counts.entry(n).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    let (mut chosen, mut why) = if let Some(suffix) = suffix.filter(|s| {
        // One word left over names the job only when a member is called just that
        // (`debugger` and `acme-debugger`); `diag` of `x-diag` and `x-system-diag` does not.
        names.len() > 1 && names.iter().any(|n| n != s) && (s.contains('-') || names.contains(s))
    }) {
        (
            suffix,
            "every member's name ends with it; the rest are prefixes such as plugin names"
                .to_owned(),
        )
    } else if top > 1
        && counts.values().filter(|&&c| c == top).count() == 1
        && counts[rep_name.as_str()] != top
    {
        let most = counts
            .iter()
            .find(|(_, &c)| c == top)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default();
        (most, format!("used by {top} of {} members", names.len()))
    } else {
        (
            rep_name,
            "the representative's name (the member closest to all others)".to_owned(),
        )
    };
    if is_bare_generic(&chosen) {
        let specific = std::iter::once(&names[representative])
            .chain(&names)
            .find(|n| !is_bare_generic(n))
            .cloned()
            .or_else(|| job_word(members, &chosen).map(|w| format!("{w}-{chosen}")));
        if let Some(specific) = specific {
            why = format!(
                "`{chosen}` alone does not say which job; {specific} does (from the members' names and descriptions)"
            );
            chosen = specific;
        }
    }
    let original = members[representative].display_name();
    let why = if !is_valid_name(&original) && chosen == names[representative] {
        format!("{why}; made valid for Claude Code from `{original}`")
    } else {
        why
    };
    let dropped = distinct(names.iter().filter(|n| **n != chosen).cloned());
    NameChoice {
        name: chosen,
        why,
        dropped,
    }
}

/// Other names for a cluster whose proposed name is taken: the members' own names (the
/// representative's first), then the job word before it (`data-analyst`); none a bare generic word.
pub fn alternative_names(
    members: &[&AgentFile],
    representative: usize,
    wanted: &str,
) -> Vec<String> {
    let own = std::iter::once(representative)
        .chain(0..members.len())
        .map(|i| sanitize_name(&members[i].display_name()));
    let qualified = job_word(members, wanted).map(|w| format!("{w}-{wanted}"));
    distinct(
        own.chain(qualified)
            .filter(|n| n != wanted && !is_bare_generic(n)),
    )
}

/// Role nouns that name no job on their own (a small general list, `generic_roles.txt`).
fn generic_roles() -> &'static HashSet<String> {
    static ROLES: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    ROLES.get_or_init(|| {
        include_str!("generic_roles.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split(','))
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty())
            .collect()
    })
}

/// A one-word name that is a role noun only: `analyst`, `tester`, `expert`.
pub fn is_bare_generic(name: &str) -> bool {
    !name.contains('-') && generic_roles().contains(name)
}

/// The word that says which job a cluster does: the word its members' names and descriptions use
/// most, other than `generic` itself and other role or function words.
fn job_word(members: &[&AgentFile], generic: &str) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (weight, text) in members.iter().flat_map(|m| {
        [
            (3, m.display_name().replace(['-', '_'], " ")),
            (
                1,
                description_prose(&m.frontmatter.description().unwrap_or_default()),
            ),
        ]
    }) {
        let mut seen = HashSet::new();
        for word in normalize_text(&text).split(' ') {
            let word = word.to_owned();
            if word.len() < 3
                || generic.split('-').any(|g| g == word)
                || generic_roles().contains(&word)
                || crate::normalize::terms(&word).is_empty()
                || !word.chars().all(|c| c.is_ascii_alphanumeric())
                || !seen.insert(word.clone())
            {
                continue;
            }
            *counts.entry(word).or_default() += weight;
        }
    }
    // Most used; on a tie, the first in alphabetical order (a fixed choice).
    counts
        .into_iter()
        .filter(|(w, _)| !DESCRIPTION_FILLER.contains(&w.as_str()))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(w, _)| w)
}

/// Words of descriptions that say when to use an agent, not what it does.
const DESCRIPTION_FILLER: &[&str] = &[
    "use",
    "agent",
    "when",
    "need",
    "needs",
    "help",
    "helps",
    "task",
    "tasks",
    "user",
    "users",
    "proactively",
    "specialist",
    "expert",
    "examples",
    "example",
    "context",
    "assistant",
];

/// The longest run of whole hyphen-separated words that every name ends with, if it says more than
/// a title word such as `expert`.
fn common_suffix(names: &[String]) -> Option<String> {
    let split: Vec<Vec<&str>> = names.iter().map(|n| n.split('-').collect()).collect();
    let shortest = split.iter().map(Vec::len).min()?;
    let mut k = 0;
    while k < shortest
        && split
            .iter()
            .all(|w| w[w.len() - 1 - k] == split[0][split[0].len() - 1 - k])
    {
        k += 1;
    }
    let words = &split[0][split[0].len() - k..];
    let meaningful = !crate::normalize::name_parts(&words.join("-"))
        .core
        .is_empty();
    (k > 0 && meaningful).then(|| words.join("-"))
}

pub(crate) fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(v.clone())).collect()
}

/// Frontmatter rules, in the order the keys are written:
/// - `name`: see [`choose_name`];
/// - `description`: see [`description::merge_description`];
/// - `tools`: the union of the members' lists when the representative or at least half of the
///   members list tools, else omitted (the members inherit every tool);
/// - `model`: the value most members declare, `inherit` on a tie;
/// - `color` and any other key: the representative's, omitted when it has none;
/// - a second name (`agentName`, `displayName`, `title`): omitted, `name` names the merged agent;
pub fn merge_frontmatter(
    members: &[&AgentFile],
    representative: usize,
    name: &str,
    decisions: &mut Vec<MergeDecision>,
) -> Frontmatter {
    let mut out = Mapping::new();
    out.insert("name".into(), name.into());
    let description = description::merge_description(members, representative, name, decisions);
    out.insert("description".into(), description.into());
    if let Some(tools) = merge_tools(members, representative, decisions) {
        out.insert("tools".into(), tools.into());
    }
    if let Some(model) = merge_model(members, decisions) {
        out.insert("model".into(), model.into());
    }
    for (key, value) in other_keys(members, representative, name, decisions) {
        out.insert(key.into(), value);
    }
    Frontmatter { entries: out }
}

/// Replaces `word` where it stands as a whole name (not inside a longer name such as `x-word-y`).
pub(crate) fn replace_word(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() {
        return text.to_owned();
    }
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_name_char) || after.is_some_and(is_name_char) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(". ").map(|i| i + 1).unwrap_or(flat.len());
    let sentence = &flat[..end];
    if sentence.chars().count() > 160 {
        format!("{}…", sentence.chars().take(160).collect::<String>())
    } else {
        sentence.to_owned()
    }
}

fn merge_tools(
    members: &[&AgentFile],
    representative: usize,
    decisions: &mut Vec<MergeDecision>,
) -> Option<String> {
    let inheriting: Vec<String> = members
        .iter()
        .filter(|m| m.frontmatter.tools().is_none())
        .map(|m| m.path.display().to_string())
        .collect();
    let order =
        std::iter::once(representative).chain((0..members.len()).filter(|&i| i != representative));
    let union = distinct(order.flat_map(|i| members[i].frontmatter.tools().unwrap_or_default()));
    // A member without `tools` inherits every tool, mostly because its writer did not choose. The
    // lists the others chose say what the job needs: they win when the body's writer (the
    // representative) or most members made one, and the members that chose none are named.
    let listed_by_most = inheriting.len() * 2 <= members.len();
    let representative_lists = members[representative].frontmatter.tools().is_some();
    if union.is_empty() || !(representative_lists || listed_by_most) {
        decisions.push(MergeDecision {
            field: "tools".into(),
            chose: "(omitted: every tool inherited)".into(),
            why: format!(
                "{} omit(s) `tools` and so inherit every tool, the representative among them: a list would take tools away from them",
                inheriting.join(", ")
            ),
            dropped: if union.is_empty() { vec![] } else { vec![union.join(", ")] },
        });
        return None;
    }
    let why = if inheriting.is_empty() {
        "every member lists its tools: the union, so no member loses one".to_owned()
    } else {
        format!(
            "the union of the lists members chose; {} list(s) no tools and so inherited every tool: add what it needs beyond these",
            inheriting.join(", ")
        )
    };
    decisions.push(MergeDecision {
        field: "tools".into(),
        chose: union.join(", "),
        why,
        dropped: vec![],
    });
    Some(union.join(", "))
}

fn merge_model(members: &[&AgentFile], decisions: &mut Vec<MergeDecision>) -> Option<String> {
    let declared: Vec<String> = members
        .iter()
        .filter_map(|m| m.frontmatter.text("model"))
        .collect();
    if declared.is_empty() {
        return None;
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &declared {
        *counts.entry(m).or_default() += 1;
    }
    let top = *counts.values().max().expect("non-empty");
    let leaders: Vec<&str> = counts
        .iter()
        .filter(|(_, &c)| c == top)
        .map(|(m, _)| *m)
        .collect();
    let (chosen, why) = if leaders.len() == 1 {
        (
            leaders[0].to_owned(),
            format!(
                "declared by {top} of the {} members that declare a model",
                declared.len()
            ),
        )
    } else {
        (
            "inherit".to_owned(),
            format!(
                "members disagree evenly ({}): inherit the caller's model",
                leaders.join(" / ")
            ),
        )
    };
    let dropped = distinct(declared.into_iter().filter(|m| *m != chosen));
    decisions.push(MergeDecision {
        field: "model".into(),
        chose: chosen.clone(),
        why,
        dropped,
    });
    Some(chosen)
}

/// `color` and every key not handled above, in the order first seen (representative first).
/// Keys some libraries use for a display name beside `name` (compared in lowercase).
const NAME_LIKE_KEYS: &[&str] = &[
    "agentname",
    "agent_name",
    "agent-name",
    "displayname",
    "display_name",
    "title",
];

fn other_keys(
    members: &[&AgentFile],
    representative: usize,
    name: &str,
    decisions: &mut Vec<MergeDecision>,
) -> Vec<(String, Value)> {
    const HANDLED: &[&str] = &["name", "description", "tools", "model"];
    let order: Vec<usize> = std::iter::once(representative)
        .chain((0..members.len()).filter(|&i| i != representative))
        .collect();
    let mut keys: Vec<String> = Vec::new();
    for &i in &order {
        for key in members[i]
            .frontmatter
            .entries
            .keys()
            .filter_map(|k| k.as_str())
        {
            if !HANDLED.contains(&key) && !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        }
    }
    let mut out = Vec::new();
    for key in keys {
        let values: Vec<(usize, &Value)> = order
            .iter()
            .filter_map(|&i| members[i].frontmatter.get(&key).map(|v| (i, v)))
            .collect();
        let (source, value) = values[0];
        let omitted = |why: String| MergeDecision {
            field: key.clone(),
            chose: "(omitted)".into(),
            why,
            dropped: distinct(
                values
                    .iter()
                    .filter_map(|(_, v)| crate::model::scalar_text(v)),
            ),
        };
        if NAME_LIKE_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
            // A second name beside `name:` names one member (or the agent before the merge).
            decisions.push(omitted(format!(
                "`name: {name}` names the merged agent; a second name would contradict it"
            )));
            continue;
        }
        if source != representative {
            // Colour and every other key are the representative's alone: a key only other members
            // set is their own (a plugin kit's `difficulty`, `activation_triggers`, another
            // tool's `temperature`), and none means none.
            decisions.push(omitted(format!(
                "the representative sets no `{key}`; another member's would carry its own settings into the merged agent"
            )));
            continue;
        }
        let dropped = distinct(
            values[1..]
                .iter()
                .filter(|(_, v)| *v != value)
                .map(|(_, v)| crate::model::scalar_text(v).unwrap_or_else(|| yaml_inline(v))),
        );
        let chose = crate::model::scalar_text(value).unwrap_or_else(|| yaml_inline(value));
        let why = "the representative's".to_owned();
        decisions.push(MergeDecision {
            field: key.clone(),
            chose,
            why,
            dropped,
        });
        out.push((key, value.clone()));
    }
    out
}

fn yaml_inline(value: &Value) -> String {
    serde_yaml::to_string(value)
        .unwrap_or_default()
        .trim()
        .replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, text: &str) -> AgentFile {
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    #[test]
    fn name_drops_plugin_prefixes_shared_by_copies() {
        assert_eq!(
            common_suffix(&["ci-test-automator".into(), "qa-kit-test-automator".into()]).as_deref(),
            Some("test-automator")
        );
        assert_eq!(
            common_suffix(&["python-expert".into(), "rust-expert".into()]),
            None
        );
    }

    #[test]
    fn a_merged_name_is_never_a_bare_role_word() {
        let a = agent(
            "a/analyst.md",
            "---\nname: analyst\ndescription: Analyzes sales data and builds data dashboards.\n---\n",
        );
        let b = agent(
            "b/analyst.md",
            "---\nname: analyst\ndescription: Explores data for trends.\n---\n",
        );
        assert_eq!(propose_name(&[&a, &b], 0).name, "data-analyst");
        let c = agent("c.md", "---\nname: acme-diag\ndescription: d\n---\n");
        let d = agent("d.md", "---\nname: acme-system-diag\ndescription: d\n---\n");
        // `diag` is the only word both end with, and no member is called just that.
        assert_eq!(propose_name(&[&c, &d], 1).name, "acme-system-diag");
    }

    #[test]
    fn sanitized_names_are_valid() {
        assert_eq!(
            sanitize_name("Backend Architect_v2"),
            "backend-architect-v2"
        );
        assert_eq!(sanitize_name("../../etc/x"), "etc-x");
        assert!(is_valid_name(&sanitize_name("  ")));
    }

    #[test]
    fn tools_are_the_union_of_the_chosen_lists_unless_most_members_inherit_all() {
        let a = agent("a.md", "---\nname: a\ndescription: d\ntools: Read\n---\n");
        let b = agent("b.md", "---\nname: b\ndescription: d\n---\n");
        let b2 = agent("b2.md", "---\nname: b\ndescription: d\n---\n");
        // The representative chose its tools: its list stands, and the decision names the member
        // that inherited every tool.
        let m = merge(&[&a, &b], 0, &[1]);
        assert_eq!(m.frontmatter.text("tools").as_deref(), Some("Read"));
        let tools = m.decisions.iter().find(|d| d.field == "tools").unwrap();
        assert!(tools.why.contains("b.md"), "{tools:?}");
        // The representative and most members inherit every tool: no list.
        let m = merge(&[&b, &a, &b2], 0, &[1, 2]);
        assert!(m.frontmatter.get("tools").is_none());
        let c = agent(
            "c.md",
            "---\nname: c\ndescription: d\ntools: [Bash, Read]\n---\n",
        );
        let m = merge(&[&a, &c], 0, &[1]);
        assert_eq!(m.frontmatter.text("tools").as_deref(), Some("Read, Bash"));
    }

    #[test]
    fn model_is_the_majority_or_inherit_on_a_tie() {
        let s = |p| agent(p, "---\nname: a\ndescription: d\nmodel: sonnet\n---\n");
        let o = agent("o.md", "---\nname: a\ndescription: d\nmodel: opus\n---\n");
        let (a, b) = (s("a.md"), s("b.md"));
        assert_eq!(
            merge(&[&a, &b, &o], 0, &[1, 2])
                .frontmatter
                .text("model")
                .as_deref(),
            Some("sonnet")
        );
        assert_eq!(
            merge(&[&a, &o], 0, &[1])
                .frontmatter
                .text("model")
                .as_deref(),
            Some("inherit")
        );
    }

    #[test]
    fn rendered_frontmatter_is_strict_yaml_even_with_colons_and_examples() {
        let a = agent(
            "a.md",
            "---\nname: a\ndescription: Use it: now. <example>user: 'Deploy: the payment service'</example>\n---\nBody\n",
        );
        let b = agent(
            "b.md",
            "---\nname: b\ndescription: Other: text long enough to leave room for the examples of both agents in the merged one <example>user: \"Why is search slow?\"</example>\n---\nBody\n",
        );
        let m = merge(&[&a, &b], 0, &[1]);
        let yaml = m.text.split("---\n").nth(1).unwrap();
        let parsed: Mapping = serde_yaml::from_str(yaml).expect("strict YAML");
        assert_eq!(parsed.get("name").and_then(|v| v.as_str()), Some("a"));
        assert!(parsed
            .get("description")
            .and_then(|v| v.as_str())
            .unwrap()
            .contains("user: \"Why is search slow?\""));
    }

    #[test]
    fn only_whole_names_are_replaced() {
        assert_eq!(
            replace_word("use the b agent, not b-x or ab", "b", "a"),
            "use the a agent, not b-x or ab"
        );
    }

    #[test]
    fn a_template_member_gives_no_content_and_is_not_the_skeleton() {
        let template = agent(
            "kit/agents/sample.md",
            "---\nname: sample\ndescription: Short description of the agent\n---\nYou are an agent for [your field].\n\n## Skills\n\n- **Skill 1**: Description\n- **Option 2**: Description\n\n## When to use\n\n- Condition 1\n- Condition 2\n",
        );
        let real = agent(
            "a/log-reviewer.md",
            "---\nname: log-reviewer\ndescription: Reviews logs for errors.\n---\nYou review application logs.\n\n## Skills\n\n- Spot error bursts in application logs\n",
        );
        // The template is the representative the clustering chose; the real agent is the skeleton.
        let m = merge(&[&template, &real], 0, &[1]);
        assert!(m.body.contains("Spot error bursts"), "{}", m.body);
        assert!(
            !m.body.contains("Condition 1") && !m.body.contains("[your field]"),
            "{}",
            m.body
        );
        assert_eq!(
            m.frontmatter.description().as_deref(),
            Some("Reviews logs for errors.")
        );
        let decision = m.decisions.iter().find(|d| d.field == "template").unwrap();
        assert!(decision.dropped[0].contains("sample.md"), "{decision:?}");
        // Only templates: nothing to merge, and the report says so.
        let m = merge(&[&template, &template], 0, &[1]);
        let decision = m.decisions.iter().find(|d| d.field == "template").unwrap();
        assert!(
            decision.why.contains("every member is a template"),
            "{decision:?}"
        );
    }

    #[test]
    fn a_second_name_in_the_frontmatter_is_not_carried_over() {
        let a = agent(
            "a.md",
            "---\nname: log-reviewer\nagentName: Log Reviewer Pro\nversion: 1.0.0\ndescription: Reviews logs.\n---\nYou review logs.\n",
        );
        let b = agent(
            "b.md",
            "---\nname: log-auditor\ndescription: Audits logs.\n---\nYou audit logs.\n",
        );
        let m = merge(&[&a, &b], 0, &[1]);
        assert!(
            m.frontmatter.get("agentName").is_none(),
            "{:?}",
            m.frontmatter
        );
        assert!(
            m.frontmatter.get("version").is_some(),
            "{:?}",
            m.frontmatter
        );
        assert!(m
            .decisions
            .iter()
            .any(|d| d.field == "agentName" && d.chose == "(omitted)"));
    }

    #[test]
    fn keys_only_other_members_set_are_not_carried_over_and_the_report_names_them() {
        let rep = agent(
            "rep.md",
            "---
name: log-reviewer
description: Reviews logs.
category: ops
---
You review logs.
",
        );
        let other = agent(
            "kit.md",
            "---
name: log-auditor
description: Audits logs.
category: quality
difficulty: advanced
temperature: 0.3
---
You audit logs.
",
        );
        let m = merge(&[&rep, &other], 0, &[1]);
        let kept = |key: &str| m.frontmatter.get(key).is_some();
        assert!(kept("category"), "{:?}", m.frontmatter);
        assert!(
            !kept("difficulty") && !kept("temperature"),
            "{:?}",
            m.frontmatter
        );
        for key in ["difficulty", "temperature"] {
            let d = m.decisions.iter().find(|d| d.field == key).unwrap();
            assert_eq!(d.chose, "(omitted)");
        }
        let category = m.decisions.iter().find(|d| d.field == "category").unwrap();
        assert_eq!(category.dropped, vec!["quality".to_string()]);
    }
}
