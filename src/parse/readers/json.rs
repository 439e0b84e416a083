//! JSON definitions: Kiro agents (`.kiro/agents/*.json`: `name`, `description`, `prompt`,
//! `tools`, `allowedTools`, `resources`, …). The prompt becomes the body: written inline, or kept
//! in another file as `file://path` (relative to the agent's folder), which is read only when it
//! lies inside the folders scanned, never through a link out of them.

use super::{Reader, Source};
use crate::model::{AgentFile, Diagnostic, Frontmatter};
use crate::parse::decode::text_of;
use crate::parse::{definition, read_file_bytes, Parts};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

pub struct JsonReader;

impl Reader for JsonReader {
    fn read(&self, source: &Source, bytes: &[u8]) -> Result<Vec<AgentFile>, String> {
        let mut diagnostics = Vec::new();
        let text = text_of(bytes, &mut diagnostics)?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("not valid JSON ({e}); not read"))?;
        let serde_json::Value::Object(object) = json else {
            return Err("JSON that is not an object, so not a Kiro agent; not read".to_owned());
        };
        if !["name", "description", "prompt"]
            .iter()
            .any(|k| object.contains_key(*k))
        {
            return Err(
                "JSON without `name`, `description` or `prompt`, so not a Kiro agent; not read"
                    .to_owned(),
            );
        }
        let prompt = object.get("prompt").and_then(serde_json::Value::as_str);
        let body = match prompt {
            Some(p) => match p.strip_prefix("file://") {
                Some(reference) => referenced_prompt(source, reference, &mut diagnostics),
                None => p.to_owned(),
            },
            None => String::new(),
        };
        let entries: Mapping = object
            .iter()
            .filter(|(k, _)| k.as_str() != "prompt")
            .map(|(k, v)| (Value::String(k.clone()), yaml_of(v)))
            .collect();
        let parts = Parts {
            decided: None,
            entry: None,
            frontmatter: Frontmatter { entries },
            body,
            diagnostics,
        };
        Ok(vec![definition(source, parts, bytes, &|f| {
            f == "prompt" && prompt.is_some()
        })])
    }

    /// The prompt is written inline, also where the representative kept it in a file: the merge
    /// changed it, and the file it named may be shared.
    fn write(&self, _like: &AgentFile, frontmatter: &Frontmatter, body: &str) -> String {
        let mut object = serde_json::Map::new();
        for (k, v) in &frontmatter.entries {
            if let (Some(key), Ok(value)) = (crate::model::scalar_text(k), serde_json::to_value(v))
            {
                object.insert(key, value);
            }
        }
        object.insert(
            "prompt".to_owned(),
            serde_json::Value::String(body.to_owned()),
        );
        let mut text = serde_json::to_string_pretty(&object).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The text of a `file://` prompt, or empty with a diagnostic saying why it was not read.
fn referenced_prompt(
    source: &Source,
    reference: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let mut not_read = |why: String| {
        diagnostics.push(Diagnostic::ReferenceNotRead {
            reference: format!("file://{reference}"),
            why,
        });
        String::new()
    };
    let folder = source.path.parent().unwrap_or(Path::new(""));
    let target = folder.join(reference);
    let canonical = match std::fs::canonicalize(&target) {
        Ok(c) => c,
        Err(e) => return not_read(format!("`{}` cannot be opened ({e})", target.display())),
    };
    if !inside(&canonical, source.roots) {
        return not_read(format!(
            "it leads to `{}`, outside the folders scanned (no file outside them is read)",
            canonical.display()
        ));
    }
    match read_file_bytes(&canonical) {
        Err(skip) => not_read(skip.reason),
        Ok(bytes) => match text_of(&bytes, &mut Vec::new()) {
            Ok(text) => text,
            Err(reason) => not_read(reason),
        },
    }
}

/// Whether a canonical path lies inside one of the canonical `roots`.
fn inside(canonical: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|root| canonical.starts_with(root))
}

/// A JSON value as the YAML value the common model holds.
fn yaml_of(value: &serde_json::Value) -> Value {
    serde_yaml::to_value(value).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use crate::model::{Diagnostic, Format, Kind};
    use crate::parse::{parse_agent, parse_definitions};
    use std::path::Path;

    #[test]
    fn a_kiro_agent_with_an_inline_prompt() {
        let text = r#"{"name": "docs-writer", "description": "Writes docs",
            "prompt": "You write docs.", "tools": ["read", "write"], "allowedTools": ["read"]}"#;
        let a = parse_agent(Path::new("p/.kiro/agents/docs.json"), text.as_bytes()).unwrap();
        assert_eq!((a.format, a.kind), (Format::Kiro, Kind::Agent));
        assert_eq!(a.display_name(), "docs-writer");
        assert_eq!(a.body, "You write docs.");
        assert_eq!(a.frontmatter.tools().unwrap(), ["read", "write"]);
        assert!(a.frontmatter.get("prompt").is_none());
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    }

    #[test]
    fn a_file_prompt_is_read_inside_the_root_and_never_outside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let agents = root.join(".kiro/agents");
        std::fs::create_dir_all(agents.join("prompts")).unwrap();
        std::fs::write(agents.join("prompts/docs.md"), "You write docs.\n").unwrap();
        std::fs::write(dir.path().join("secret.md"), "outside\n").unwrap();
        let roots = vec![std::fs::canonicalize(&root).unwrap()];
        let read = |prompt: &str| {
            let text = format!(r#"{{"name": "d", "description": "x", "prompt": "{prompt}"}}"#);
            let path = agents.join("d.json");
            parse_definitions(&path, text.as_bytes(), &roots)
                .unwrap()
                .remove(0)
        };
        assert_eq!(read("file://./prompts/docs.md").body, "You write docs.\n");
        let out = read("file://../../../secret.md");
        assert_eq!(out.body, "");
        assert!(matches!(
            &out.diagnostics[..],
            [Diagnostic::ReferenceNotRead { why, .. }] if why.contains("outside the folders scanned")
        ));
        #[cfg(unix)]
        {
            let link = agents.join("prompts/link.md");
            std::os::unix::fs::symlink(dir.path().join("secret.md"), &link).unwrap();
            let linked = read("file://./prompts/link.md");
            assert_eq!(linked.body, "", "a link out of the root is not followed");
        }
    }

    #[test]
    fn a_merged_kiro_agent_is_written_as_kiro_json() {
        let text = r#"{"name": "d", "description": "x", "prompt": "P", "tools": ["read"]}"#;
        let path = Path::new(".kiro/agents/d.json");
        let a = parse_agent(path, text.as_bytes()).unwrap();
        let written = crate::parse::readers::write_like(&a, &a.frontmatter, "New prompt");
        let again = parse_agent(path, written.as_bytes()).unwrap();
        assert_eq!(again.frontmatter, a.frontmatter);
        assert_eq!(again.body, "New prompt");
    }

    #[test]
    fn json_that_is_no_agent_is_skipped_with_the_reason() {
        let p = Path::new(".kiro/agents/x.json");
        assert!(parse_agent(p, b"[1]")
            .unwrap_err()
            .reason
            .contains("not an object"));
        assert!(parse_agent(p, b"{\"a\": 1}")
            .unwrap_err()
            .reason
            .contains("not a Kiro agent"));
        assert!(parse_agent(p, b"{")
            .unwrap_err()
            .reason
            .starts_with("not valid JSON"));
    }
}
