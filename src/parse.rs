//! Parse: bytes of one file → an [`AgentFile`], leniently.
//!
//! Real agent files are messy: descriptions with unquoted `: ` and raw `<example>` blocks fail a strict
//! YAML parser, yet Claude Code users expect them to work. So strict YAML is tried first and, when it
//! fails, the frontmatter is read line by line as `key: value`. Every repair becomes a [`Diagnostic`].
//! What cannot be read at all comes back as a [`Skipped`] with the reason.

use crate::model::{AgentFile, Diagnostic, Frontmatter, Kind, Skipped};
use serde_yaml::{Mapping, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Files larger than this are not agent definitions; they are skipped unread.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

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

const DOCUMENTED_COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
];
const DOCUMENTED_MODELS: &[&str] = &["sonnet", "opus", "haiku", "inherit"];

/// Reads one file from disk and parses it. I/O problems and unusable content become a `Skipped`.
pub fn read_agent_file(path: &Path) -> Result<AgentFile, Skipped> {
    let skip = |reason: String| Skipped {
        path: path.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| skip(format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(skip(format!(
            "file is {} bytes, over the {} byte limit for an agent definition",
            meta.len(),
            MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| skip(format!("cannot read: {e}")))?;
    parse_agent(path, &bytes)
}

/// Parses the bytes of one file. Pure: no I/O, so tests and fuzzers can call it directly.
pub fn parse_agent(path: &Path, bytes: &[u8]) -> Result<AgentFile, Skipped> {
    let skip = |reason: &str| Skipped {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    if bytes.is_empty() {
        return Err(skip("empty file"));
    }
    if bytes.contains(&0) {
        return Err(skip(
            "binary file (contains NUL bytes), not a Markdown agent definition",
        ));
    }
    let mut diagnostics = Vec::new();
    let text = decode_text(bytes, &mut diagnostics);
    let (frontmatter_text, body) = split_frontmatter(&text).map_err(|reason| skip(&reason))?;
    let entries = read_frontmatter(frontmatter_text, &mut diagnostics);
    let mut frontmatter = Frontmatter { entries };
    expand_escaped_newlines(&mut frontmatter, &mut diagnostics);
    let kind = kind_of(path);
    check_fields(&frontmatter, &mut diagnostics);
    Ok(AgentFile {
        path: path.to_owned(),
        kind,
        frontmatter,
        body: body.to_owned(),
        diagnostics,
        content_hash: content_hash(bytes),
    })
}

pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn kind_of(path: &Path) -> Kind {
    let is_skill = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("SKILL.md"));
    if is_skill {
        Kind::Skill
    } else {
        Kind::Agent
    }
}

/// Bytes → text with a BOM removed, line endings made `\n`, and mojibake repaired.
fn decode_text(bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> String {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => {
            diagnostics.push(Diagnostic::BomRemoved);
            rest
        }
        None => bytes,
    };
    let mut text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(e) => {
            diagnostics.push(Diagnostic::InvalidUtf8Replaced {
                first_bad_byte: e.valid_up_to(),
            });
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
        diagnostics.push(Diagnostic::CrlfNormalized);
    }
    let (repaired, lines) = repair_mojibake(&text);
    if lines > 0 {
        diagnostics.push(Diagnostic::MojibakeRepaired { lines });
        text = repaired;
    }
    text
}

/// Undoes UTF-8 that was decoded as Mac Roman (`üìã` → `📋`), where that is unambiguous.
///
/// In such mojibake every byte of a multi-byte UTF-8 character became one non-ASCII character, so it
/// shows up as runs of non-ASCII characters. A run is repaired only when all of it maps back to Mac
/// Roman bytes and those bytes are valid UTF-8: a lone accented letter (`é`) never is, so real
/// non-English text is left alone. Returns the text and how many lines changed.
pub fn repair_mojibake(text: &str) -> (String, usize) {
    if text.is_ascii() {
        return (text.to_owned(), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed_lines = 0;
    for line in text.split_inclusive('\n') {
        let repaired = repair_line(line);
        if repaired != line {
            changed_lines += 1;
        }
        out.push_str(&repaired);
    }
    (out, changed_lines)
}

fn repair_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut run = String::new();
    for c in line.chars() {
        if c.is_ascii() {
            out.push_str(&repair_run(&run));
            run.clear();
            out.push(c);
        } else {
            run.push(c);
        }
    }
    out.push_str(&repair_run(&run));
    out
}

fn repair_run(run: &str) -> String {
    if run.chars().count() < 2 {
        return run.to_owned();
    }
    let (bytes, _, unmappable) = encoding_rs::MACINTOSH.encode(run);
    if unmappable {
        return run.to_owned();
    }
    match std::str::from_utf8(&bytes) {
        Ok(fixed) if fixed != run => fixed.to_owned(),
        _ => run.to_owned(),
    }
}

/// Splits `---\n<yaml>\n---\n<body>`. The reason is returned when there is no usable frontmatter.
fn split_frontmatter(text: &str) -> Result<(&str, &str), String> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err("no YAML frontmatter (the file does not start with a `---` line)".to_owned());
    }
    let start = first.len();
    let mut offset = start;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok((&text[start..offset], &text[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err("frontmatter opened by `---` on line 1 never closes (no second `---` line)".to_owned())
}

/// Strict YAML first; the line reader when that fails.
fn read_frontmatter(yaml: &str, diagnostics: &mut Vec<Diagnostic>) -> Mapping {
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(map)) => stringify_keys(map),
        Ok(Value::Null) => Mapping::new(),
        Ok(other) => {
            diagnostics.push(Diagnostic::LenientYaml {
                strict_error: format!(
                    "the frontmatter is a {} rather than key: value pairs",
                    yaml_type(&other)
                ),
            });
            read_lenient(yaml, diagnostics)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::LenientYaml {
                strict_error: short_error(&e),
            });
            read_lenient(yaml, diagnostics)
        }
    }
}

fn yaml_type(value: &Value) -> &'static str {
    match value {
        Value::Sequence(_) => "list",
        Value::Mapping(_) => "mapping",
        Value::Tagged(_) => "tagged value",
        _ => "single value",
    }
}

fn short_error(e: &serde_yaml::Error) -> String {
    let message = e.to_string();
    let first = message.lines().next().unwrap_or("").trim();
    // The error counts lines from the start of the frontmatter; the file has `---` above it.
    match e.location() {
        Some(loc) => format!(
            "{} at line {} of the file",
            strip_location(first),
            loc.line() + 1
        ),
        None => first.to_owned(),
    }
}

fn strip_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// YAML allows keys of any type; a frontmatter key is always used as text.
fn stringify_keys(map: Mapping) -> Mapping {
    map.into_iter()
        .map(|(k, v)| match k {
            Value::String(_) => (k, v),
            other => (
                Value::String(crate::model::scalar_text(&other).unwrap_or_default()),
                v,
            ),
        })
        .collect()
}

/// One `key:` line and the lines that continue it.
struct RawEntry<'a> {
    key: &'a str,
    first: &'a str,
    rest: Vec<&'a str>,
}

/// Reads `key: value` lines the way users of Claude Code expect: a line that starts with a key begins
/// an entry, and every other line continues the entry above it.
fn read_lenient(yaml: &str, diagnostics: &mut Vec<Diagnostic>) -> Mapping {
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
        let value = entry_value(&entry);
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

fn entry_value(entry: &RawEntry) -> Value {
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
        if let Ok(Value::Mapping(m)) = serde_yaml::from_str::<Value>(&single) {
            if let Some(v) = m.into_iter().next().map(|(_, v)| v) {
                return v;
            }
        }
    }
    if rest.is_empty() {
        return single_line_value(entry.first);
    }
    let mut text = unquote(entry.first).to_owned();
    for line in rest {
        text.push('\n');
        text.push_str(line.trim());
    }
    Value::String(text.trim().to_owned())
}

/// A value on one line: numbers, booleans and `[a, b]` lists keep their type; the rest is text.
fn single_line_value(raw: &str) -> Value {
    let looks_typed = raw.starts_with('[')
        || raw.starts_with(['"', '\''])
        || raw.parse::<f64>().is_ok()
        || matches!(raw, "true" | "false" | "null" | "~");
    if looks_typed {
        if let Ok(v) = serde_yaml::from_str::<Value>(raw) {
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

/// Some files hold a literal backslash-n (`\n`) where a line break was meant; YAML only expands it in
/// double quotes, so after parsing any left in the description are artifacts.
fn expand_escaped_newlines(frontmatter: &mut Frontmatter, diagnostics: &mut Vec<Diagnostic>) {
    let key = Value::String("description".to_owned());
    if let Some(Value::String(s)) = frontmatter.entries.get_mut(&key) {
        if s.contains("\\n") {
            *s = s.replace("\\n", "\n").trim().to_owned();
            diagnostics.push(Diagnostic::EscapedNewlinesExpanded {
                field: "description".to_owned(),
            });
        }
    }
}

fn check_fields(frontmatter: &Frontmatter, diagnostics: &mut Vec<Diagnostic>) {
    match frontmatter.name() {
        None => diagnostics.push(Diagnostic::MissingField { field: "name" }),
        Some(name) if !is_valid_name(&name) => diagnostics.push(Diagnostic::InvalidName { name }),
        Some(_) => {}
    }
    if frontmatter.description().is_none() {
        diagnostics.push(Diagnostic::MissingField {
            field: "description",
        });
    }
    for (field, documented) in [("color", DOCUMENTED_COLORS), ("model", DOCUMENTED_MODELS)] {
        if let Some(value) = frontmatter.text(field) {
            let is_model_id = field == "model" && value.starts_with("claude-");
            if !documented.contains(&value.as_str()) && !is_model_id {
                diagnostics.push(Diagnostic::UndocumentedValue {
                    field: field.to_owned(),
                    value,
                });
            }
        }
    }
}

/// Claude Code names: lowercase letters, digits and hyphens, not starting with a hyphen.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> AgentFile {
        parse_agent(Path::new("a.md"), text.as_bytes()).expect("parses")
    }

    #[test]
    fn strict_yaml_is_read_without_diagnostics() {
        let a = parse("---\nname: py\ndescription: Python help\ntools: Read, Grep\n---\nBody\n");
        assert_eq!(a.frontmatter.name().as_deref(), Some("py"));
        assert_eq!(
            a.frontmatter.tools(),
            Some(vec!["Read".to_owned(), "Grep".to_owned()])
        );
        assert_eq!(a.body, "Body\n");
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    }

    #[test]
    fn unquoted_colon_and_examples_fall_back_to_lenient_reading() {
        let a = parse(
            "---\nname: be\ndescription: Use it. Examples: <example>user: 'hi' assistant: 'yo'</example>\nmodel: sonnet\n---\nB",
        );
        assert_eq!(
            a.frontmatter.description().as_deref(),
            Some("Use it. Examples: <example>user: 'hi' assistant: 'yo'</example>")
        );
        assert_eq!(a.frontmatter.text("model").as_deref(), Some("sonnet"));
        assert!(matches!(a.diagnostics[0], Diagnostic::LenientYaml { .. }));
    }

    #[test]
    fn dialogue_lines_continue_the_description() {
        let a = parse("---\nname: x\ndescription: Does x: well\nuser: hello\nassistant: hi\ncolor: red\n---\n");
        assert_eq!(
            a.frontmatter.description().as_deref(),
            Some("Does x: well\nuser: hello\nassistant: hi")
        );
        assert_eq!(a.frontmatter.text("color").as_deref(), Some("red"));
    }

    #[test]
    fn tools_as_list_and_unknown_keys_are_kept() {
        let a = parse(
            "---\nname: x\ndescription: d: e\ntools:\n  - Read\n  - Bash\ncategory: qa\n---\n",
        );
        assert_eq!(
            a.frontmatter.tools(),
            Some(vec!["Read".to_owned(), "Bash".to_owned()])
        );
        assert_eq!(a.frontmatter.text("category").as_deref(), Some("qa"));
    }

    #[test]
    fn literal_backslash_n_in_description_becomes_a_line_break() {
        let a = parse("---\nname: x\ndescription: One.\\n\\nTwo: three\n---\n");
        assert_eq!(
            a.frontmatter.description().as_deref(),
            Some("One.\n\nTwo: three")
        );
        assert!(a
            .diagnostics
            .iter()
            .any(|d| matches!(d, Diagnostic::EscapedNewlinesExpanded { .. })));
    }

    #[test]
    fn crlf_and_bom_are_normalized_and_reported() {
        let a = parse("\u{feff}---\r\nname: x\r\ndescription: y\r\n---\r\nBody\r\n");
        assert_eq!(a.frontmatter.name().as_deref(), Some("x"));
        assert_eq!(a.body, "Body\n");
        assert!(a.diagnostics.contains(&Diagnostic::BomRemoved));
        assert!(a.diagnostics.contains(&Diagnostic::CrlfNormalized));
    }

    #[test]
    fn mac_roman_mojibake_is_repaired_but_real_accents_are_not() {
        let (fixed, lines) = repair_mojibake("> \u{f8ff}üìã [ÂÖ±Êúâ] ok\ncafé — naïve\n");
        assert_eq!(fixed, "> 📋 [共有] ok\ncafé — naïve\n");
        assert_eq!(lines, 1);
    }

    #[test]
    fn missing_frontmatter_and_unclosed_frontmatter_are_skipped_with_reasons() {
        let no_fm = parse_agent(Path::new("n.md"), b"# Notes\n").unwrap_err();
        assert!(no_fm.reason.contains("no YAML frontmatter"));
        let open = parse_agent(Path::new("o.md"), b"---\nname: x\n").unwrap_err();
        assert!(open.reason.contains("never closes"));
        let binary = parse_agent(Path::new("b.md"), b"---\0\0").unwrap_err();
        assert!(binary.reason.contains("binary"));
    }

    #[test]
    fn missing_name_and_undocumented_values_are_flagged() {
        let a = parse("---\ndescription: d\ncolor: teal\nmodel: gpt\n---\n");
        let text: Vec<String> = a.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("no `name`")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("color: teal")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("model: gpt")), "{text:?}");
    }

    #[test]
    fn skill_files_are_skills() {
        let a = parse_agent(
            Path::new("s/py/SKILL.md"),
            b"---\nname: py\ndescription: d\n---\n",
        )
        .unwrap();
        assert_eq!(a.kind, Kind::Skill);
    }
}
