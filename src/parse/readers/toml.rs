//! TOML definitions: Codex agents (`.codex/agents/*.toml`: `name`, `description`,
//! `developer_instructions`, `model`, …) and Gemini CLI commands (`.gemini/commands/**/*.toml`:
//! `description`, `prompt`). The instructions become the body; every other key stays in the
//! mapping. Outside those folders the content decides: `developer_instructions` makes a Codex
//! agent, `prompt` a Gemini command.

use super::{Reader, Source};
use crate::model::{AgentFile, Format, Frontmatter, Kind};
use crate::parse::decode::text_of;
use crate::parse::{definition, Parts};
use serde_yaml::{Mapping, Value};

pub struct TomlReader;

impl Reader for TomlReader {
    fn read(&self, source: &Source, bytes: &[u8]) -> Result<Vec<AgentFile>, String> {
        let mut diagnostics = Vec::new();
        let text = text_of(bytes, &mut diagnostics)?;
        let table: toml::Table = text.parse().map_err(|e| describe_error(&e, &text))?;
        let (format, kind, body_key) = match (source.detected.format, source.detected.kind) {
            (Format::Gemini, _) => (Format::Gemini, Kind::Command, "prompt"),
            (_, Some(kind)) => (Format::Codex, kind, "developer_instructions"),
            (_, None) if table.contains_key("developer_instructions") => {
                (Format::Codex, Kind::Agent, "developer_instructions")
            }
            (_, None) if table.contains_key("prompt") => (Format::Gemini, Kind::Command, "prompt"),
            (_, None) => {
                return Err(
                    "TOML that is neither a Codex agent (no `developer_instructions`) \
                            nor a Gemini CLI command (no `prompt`); not read"
                        .to_owned(),
                )
            }
        };
        let body = table
            .get(body_key)
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let entries: Mapping = table
            .iter()
            .filter(|(k, _)| k.as_str() != body_key)
            .map(|(k, v)| (Value::String(k.clone()), yaml_of(v)))
            .collect();
        let parts = Parts {
            decided: Some((format, kind)),
            entry: None,
            frontmatter: Frontmatter { entries },
            body,
            diagnostics,
        };
        let has_body = table.get(body_key).is_some_and(|v| v.as_str().is_some());
        Ok(vec![definition(source, parts, bytes, &|f| {
            f == body_key && has_body
        })])
    }

    fn write(&self, like: &AgentFile, frontmatter: &Frontmatter, body: &str) -> String {
        let body_key = if like.format == Format::Gemini {
            "prompt"
        } else {
            "developer_instructions"
        };
        let mut table: toml::Table = frontmatter
            .entries
            .iter()
            .filter_map(|(k, v)| Some((crate::model::scalar_text(k)?, toml_of(v)?)))
            .collect();
        table.insert(body_key.to_owned(), toml::Value::String(body.to_owned()));
        let mut text = toml::to_string(&table).unwrap_or_default();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }
}

/// A TOML value as the YAML value the common model holds (dates as their text).
fn yaml_of(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::Number((*i).into()),
        toml::Value::Float(f) => Value::Number((*f).into()),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Sequence(items.iter().map(yaml_of).collect()),
        toml::Value::Table(t) => Value::Mapping(
            t.iter()
                .map(|(k, v)| (Value::String(k.clone()), yaml_of(v)))
                .collect(),
        ),
    }
}

/// A YAML value of the common model as TOML, for writing a merged definition back; `None` for a
/// null, which TOML cannot hold (the key is left out).
fn toml_of(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Sequence(items) => toml::Value::Array(items.iter().filter_map(toml_of).collect()),
        Value::Mapping(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| Some((crate::model::scalar_text(k)?, toml_of(v)?)))
                .collect(),
        ),
        Value::Tagged(tagged) => return toml_of(&tagged.value),
    })
}

fn describe_error(e: &toml::de::Error, text: &str) -> String {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    match line {
        Some(line) => format!("not valid TOML ({} at line {line}); not read", e.message()),
        None => format!("not valid TOML ({}); not read", e.message()),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Format, Kind};
    use crate::parse::parse_agent;
    use std::path::Path;

    const CODEX: &str = "name = \"api-reviewer\"\ndescription = \"Reviews HTTP APIs\"\n\
        model = \"gpt-5\"\nsandbox_mode = \"read-only\"\n\
        developer_instructions = \"\"\"\nYou review APIs.\n\n- Check status codes.\n\"\"\"\n";

    #[test]
    fn a_codex_agent_maps_onto_the_common_model() {
        let a = parse_agent(Path::new("p/.codex/agents/api.toml"), CODEX.as_bytes()).unwrap();
        assert_eq!((a.format, a.kind), (Format::Codex, Kind::Agent));
        assert_eq!(a.display_name(), "api-reviewer");
        assert_eq!(a.frontmatter.description().unwrap(), "Reviews HTTP APIs");
        assert_eq!(a.frontmatter.text("sandbox_mode").unwrap(), "read-only");
        assert_eq!(a.body, "You review APIs.\n\n- Check status codes.\n");
        assert!(a.frontmatter.get("developer_instructions").is_none());
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    }

    #[test]
    fn a_gemini_command_is_a_command_named_by_its_path() {
        let text = "description = \"Write a commit message\"\nprompt = \"Summarise {{args}}\"\n";
        let c = parse_agent(
            Path::new(".gemini/commands/git/commit.toml"),
            text.as_bytes(),
        )
        .unwrap();
        assert_eq!((c.format, c.kind), (Format::Gemini, Kind::Command));
        assert_eq!(c.display_name(), "git:commit");
        assert_eq!(c.body, "Summarise {{args}}");
    }

    #[test]
    fn outside_tool_folders_the_content_decides_and_bad_toml_is_named() {
        let a = parse_agent(Path::new("x/api.toml"), CODEX.as_bytes()).unwrap();
        assert_eq!(a.format, Format::Codex);
        let c = parse_agent(Path::new("x/c.toml"), b"prompt = \"p\"\n").unwrap();
        assert_eq!(c.kind, Kind::Command);
        let other = parse_agent(Path::new("x/Cargo.toml"), b"[package]\nname = \"x\"\n");
        assert!(other.unwrap_err().reason.contains("neither a Codex agent"));
        let bad = parse_agent(Path::new(".codex/agents/a.toml"), b"name = \"a\"\nx = [\n");
        let reason = bad.unwrap_err().reason;
        assert!(
            reason.starts_with("not valid TOML") && reason.contains("line"),
            "{reason}"
        );
    }

    #[test]
    fn a_merged_codex_agent_is_written_as_codex_toml() {
        let path = Path::new(".codex/agents/api.toml");
        let a = parse_agent(path, CODEX.as_bytes()).unwrap();
        let written = crate::parse::readers::write_like(&a, &a.frontmatter, &a.body);
        let again = parse_agent(path, written.as_bytes()).unwrap();
        assert_eq!(again.frontmatter, a.frontmatter);
        assert_eq!(again.body, a.body);
        assert!(written.contains("developer_instructions"), "{written}");
        assert!(!written.starts_with("---"), "{written}");
    }

    #[test]
    fn a_codex_agent_without_instructions_is_flagged_by_codex_rules() {
        let a = parse_agent(Path::new(".codex/agents/a.toml"), b"name = \"a\"\n").unwrap();
        let text: Vec<String> = a.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter().any(|t| t.contains("no `description`")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("no `developer_instructions`: Codex")),
            "{text:?}"
        );
        assert!(!text.iter().any(|t| t.contains("Claude Code")), "{text:?}");
    }
}
