//! Merge: a cluster → one suggested definition, with every decision written down.
//!
//! The frontmatter follows fixed rules (see [`merge_frontmatter`]) and is written as strict YAML, so
//! Claude Code loads it. The body takes the representative's structure as its skeleton; every other
//! member's blocks (paragraphs, list items, code) that the skeleton does not already say are added
//! once, under the section whose heading matches theirs, or in a section of their own at the end.

mod body;

use crate::model::{AgentFile, Frontmatter, MergeDecision, MergedAgent};
use crate::normalize::{description_prose, hashed_terms, normalize_text};
use crate::parse::is_valid_name;
pub use body::{TermCache, GROWTH_LIMIT};
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
    let mut decisions = Vec::new();
    let name = choose_name(members, representative, &mut decisions);
    let frontmatter = merge_frontmatter(members, representative, &name, &mut decisions);
    let body = body::merge_bodies(members, representative, order, &mut decisions, cache);
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

/// The name: the part all names end with when members differ only by a prefix (copies renamed per
/// plugin), else the name most members use, else the representative's.
fn choose_name(
    members: &[&AgentFile],
    representative: usize,
    decisions: &mut Vec<MergeDecision>,
) -> String {
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
    let (chosen, why) =
        if let Some(suffix) = suffix.filter(|s| names.len() > 1 && names.iter().any(|n| n != s)) {
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
    let original = members[representative].display_name();
    let why = if !is_valid_name(&original) && chosen == names[representative] {
        format!("{why}; made valid for Claude Code from `{original}`")
    } else {
        why
    };
    let dropped = distinct(names.iter().filter(|n| **n != chosen).cloned());
    decisions.push(MergeDecision {
        field: "name".into(),
        chose: chosen.clone(),
        why,
        dropped,
    });
    chosen
}

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

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(v.clone())).collect()
}

/// Frontmatter rules, in the order the keys are written:
/// - `name`: see [`choose_name`];
/// - `description`: the representative's, plus each `<example>` block of the others that it lacks;
/// - `tools`: omitted when any member omits it (that member inherits every tool), else the union;
/// - `model`: the value most members declare, `inherit` on a tie;
/// - `color`: the representative's;
/// - any other key: the representative's value, else the first member's that has one.
pub fn merge_frontmatter(
    members: &[&AgentFile],
    representative: usize,
    name: &str,
    decisions: &mut Vec<MergeDecision>,
) -> Frontmatter {
    let mut out = Mapping::new();
    out.insert("name".into(), name.into());
    let description = merge_description(members, representative, name, decisions);
    out.insert("description".into(), description.into());
    if let Some(tools) = merge_tools(members, representative, decisions) {
        out.insert("tools".into(), tools.into());
    }
    if let Some(model) = merge_model(members, decisions) {
        out.insert("model".into(), model.into());
    }
    for (key, value) in other_keys(members, representative, decisions) {
        out.insert(key.into(), value);
    }
    Frontmatter { entries: out }
}

fn merge_description(
    members: &[&AgentFile],
    representative: usize,
    name: &str,
    decisions: &mut Vec<MergeDecision>,
) -> String {
    let rep = members[representative];
    let mut description = rep.frontmatter.description().unwrap_or_default();
    // Two examples are one when half their words are the same (the same request, reworded).
    let comparable =
        |e: &str| -> HashSet<u64> { hashed_terms(&normalize_text(e)).into_iter().collect() };
    let same =
        |a: &HashSet<u64>, b: &HashSet<u64>| a.intersection(b).count() * 2 >= a.union(b).count();
    let mut kept: Vec<HashSet<u64>> = examples(&description)
        .iter()
        .map(|e| comparable(e))
        .collect();
    let mut added = Vec::new();
    for (i, member) in members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != representative)
    {
        let own_name = member.display_name();
        for example in examples(&member.frontmatter.description().unwrap_or_default()) {
            let normalized = comparable(&example);
            if kept.iter().any(|k| same(k, &normalized)) {
                continue;
            }
            kept.push(normalized);
            // The example calls its own agent by its old name; the merged agent has a new one.
            added.push((i, replace_word(&example, &own_name, name)));
        }
    }
    let old_name = rep.display_name();
    if old_name != name {
        description = replace_word(&description, &old_name, name);
    }
    let why = if added.is_empty() {
        "the representative's; the others add no example it lacks".to_owned()
    } else {
        let from = distinct(
            added
                .iter()
                .map(|(i, _)| members[*i].path.display().to_string()),
        );
        format!(
            "the representative's, plus {} example(s) it lacked, from {}",
            added.len(),
            from.join(", ")
        )
    };
    if !added.is_empty() {
        if !description.contains("<example>") {
            description.push_str("\n\nExamples:");
        }
        for (_, example) in added {
            description.push_str("\n\n");
            description.push_str(example.trim());
        }
    }
    let dropped = members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != representative)
        .filter_map(|(_, m)| {
            m.frontmatter
                .description()
                .map(|d| first_sentence(&description_prose(&d)))
        })
        .filter(|d| !d.is_empty())
        .collect();
    decisions.push(MergeDecision {
        field: "description".into(),
        chose: first_sentence(&description_prose(&description)),
        why,
        dropped,
    });
    description
}

/// Replaces `word` where it stands as a whole name (not inside a longer name such as `x-word-y`).
fn replace_word(text: &str, word: &str, with: &str) -> String {
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

fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(". ").map(|i| i + 1).unwrap_or(flat.len());
    let sentence = &flat[..end];
    if sentence.chars().count() > 160 {
        format!("{}…", sentence.chars().take(160).collect::<String>())
    } else {
        sentence.to_owned()
    }
}

/// `<example>…</example>` blocks of a description, as written.
pub fn examples(description: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = description;
    while let Some(start) = rest.find("<example>") {
        let Some(len) = rest[start..].find("</example>") else {
            break;
        };
        let end = start + len + "</example>".len();
        out.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out
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
    if !inheriting.is_empty() {
        let listed = distinct(
            members
                .iter()
                .filter_map(|m| m.frontmatter.tools())
                .flatten(),
        );
        decisions.push(MergeDecision {
            field: "tools".into(),
            chose: "(omitted: every tool inherited)".into(),
            why: format!(
                "{} omit(s) `tools` and so inherit every tool; a list would take tools away from them",
                inheriting.join(", ")
            ),
            dropped: if listed.is_empty() { vec![] } else { vec![listed.join(", ")] },
        });
        return None;
    }
    let order =
        std::iter::once(representative).chain((0..members.len()).filter(|&i| i != representative));
    let union = distinct(order.flat_map(|i| members[i].frontmatter.tools().unwrap_or_default()));
    decisions.push(MergeDecision {
        field: "tools".into(),
        chose: union.join(", "),
        why: "every member lists its tools: the union, so no member loses one".into(),
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
fn other_keys(
    members: &[&AgentFile],
    representative: usize,
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
        if key == "color" && source != representative {
            // Colour is the representative's alone: none means none.
            decisions.push(MergeDecision {
                field: key.clone(),
                chose: "(omitted)".into(),
                why: "the representative sets no colour".into(),
                dropped: distinct(
                    values
                        .iter()
                        .filter_map(|(_, v)| crate::model::scalar_text(v)),
                ),
            });
            continue;
        }
        let dropped = distinct(
            values[1..]
                .iter()
                .filter(|(_, v)| *v != value)
                .map(|(_, v)| crate::model::scalar_text(v).unwrap_or_else(|| yaml_inline(v))),
        );
        let chose = crate::model::scalar_text(value).unwrap_or_else(|| yaml_inline(value));
        let why = if source == representative {
            "the representative's".to_owned()
        } else {
            format!("only {} sets it", members[source].path.display())
        };
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
    fn sanitized_names_are_valid() {
        assert_eq!(
            sanitize_name("Backend Architect_v2"),
            "backend-architect-v2"
        );
        assert_eq!(sanitize_name("../../etc/x"), "etc-x");
        assert!(is_valid_name(&sanitize_name("  ")));
    }

    #[test]
    fn tools_are_omitted_when_any_member_inherits_all() {
        let a = agent("a.md", "---\nname: a\ndescription: d\ntools: Read\n---\n");
        let b = agent("b.md", "---\nname: b\ndescription: d\n---\n");
        let m = merge(&[&a, &b], 0, &[1]);
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
            "---\nname: b\ndescription: Other: text <example>user: \"Why is search slow?\"</example>\n---\nBody\n",
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
}
