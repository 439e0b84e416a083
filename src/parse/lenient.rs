//! The lenient reader: frontmatter that is not strict YAML read line by line as `key: value`, the
//! way users of Claude Code expect (unquoted `: `, raw `<example>` dialogue).

use super::yaml_guard::{strict_yaml, YamlWork};
use crate::model::Diagnostic;
use serde_yaml::{Mapping, Value};

/// Keys Claude Code and Agent Skills document; anything else is kept too, but these always start a new
/// entry in the lenient reader even where a looser rule would not.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "permissionMode",
    "maxTurns",
    "skills",
    "mcpServers",
    "hooks",
    "memory",
    "background",
    "effort",
    "isolation",
    "initialPrompt",
    "color",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
    "when_to_use",
    "argument-hint",
    "disable-model-invocation",
    "user-invocable",
    "context",
    "category",
];

/// Labels of the dialogue inside `<example>` blocks (`user: "..."`). At the start of a line they
/// continue the description rather than start a new key.
const DIALOGUE_LABELS: &[&str] = &[
    "user",
    "assistant",
    "context",
    "commentary",
    "example",
    "examples",
    "human",
    "ai",
];

/// One `key:` line and the lines that continue it.
struct RawEntry<'a> {
    key: &'a str,
    first: &'a str,
    rest: Vec<&'a str>,
}

/// Reads `key: value` lines the way users of Claude Code expect: a line that starts with a key begins
/// an entry, and every other line continues the entry above it.
pub(super) fn read_lenient(
    yaml: &str,
    work: &YamlWork,
    diagnostics: &mut Vec<Diagnostic>,
) -> Mapping {
    let mut entries: Vec<RawEntry> = Vec::new();
    for line in yaml.lines() {
        match key_line(line) {
            Some((key, first)) => entries.push(RawEntry {
                key,
                first,
                rest: Vec::new(),
            }),
            None => {
                if let Some(last) = entries.last_mut() {
                    last.rest.push(line);
                }
            }
        }
    }
    let mut map = Mapping::new();
    for entry in entries {
        let value = entry_value(&entry, work);
        if map
            .insert(Value::String(entry.key.to_owned()), value)
            .is_some()
        {
            diagnostics.push(Diagnostic::DuplicateKey {
                key: entry.key.to_owned(),
            });
        }
    }
    map
}

/// `key: value` at the start of a line, with a key of letters, digits, `_` and `-`.
fn key_line(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = line.split_once(':')?;
    let valid = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let is_dialogue = DIALOGUE_LABELS.iter().any(|l| key.eq_ignore_ascii_case(l));
    if is_dialogue && !KNOWN_KEYS.contains(&key) {
        return None;
    }
    Some((key, rest.trim()))
}

fn entry_value(entry: &RawEntry, work: &YamlWork) -> Value {
    let rest: Vec<&str> = entry
        .rest
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if entry.first.is_empty()
        && !rest.is_empty()
        && rest.iter().all(|l| l.trim_start().starts_with("- "))
    {
        let items = rest
            .iter()
            .map(|l| Value::String(unquote(l.trim_start()[2..].trim()).to_owned()));
        return Value::Sequence(items.collect());
    }
    // Block scalars and nested mappings are valid YAML on their own: let the strict parser read them.
    if entry.first.is_empty() || entry.first.starts_with(['|', '>']) {
        let mut single = format!("{}: {}\n", entry.key, entry.first);
        for line in &entry.rest {
            single.push_str(line);
            single.push('\n');
        }
        if let Ok(Value::Mapping(m)) = strict_yaml(&single, work) {
            if let Some(v) = m.into_iter().next().map(|(_, v)| v) {
                return v;
            }
        }
    }
    if rest.is_empty() {
        return single_line_value(entry.first, work);
    }
    let mut text = unquote(entry.first).to_owned();
    for line in rest {
        text.push('\n');
        text.push_str(line.trim());
    }
    Value::String(text.trim().to_owned())
}

/// A value on one line: numbers, booleans and `[a, b]` lists keep their type; the rest is text.
fn single_line_value(raw: &str, work: &YamlWork) -> Value {
    let looks_typed = raw.starts_with('[')
        || raw.starts_with(['"', '\''])
        || raw.parse::<f64>().is_ok()
        || matches!(raw, "true" | "false" | "null" | "~");
    if looks_typed {
        if let Ok(v) = strict_yaml(raw, work) {
            if !matches!(v, Value::Mapping(_) | Value::Tagged(_)) {
                return v;
            }
        }
    }
    Value::String(unquote(raw).to_owned())
}

fn unquote(raw: &str) -> &str {
    for q in ['"', '\''] {
        if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
            return &raw[1..raw.len() - 1];
        }
    }
    raw
}
