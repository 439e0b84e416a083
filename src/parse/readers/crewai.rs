//! CrewAI `agents.yaml`: one agent per top-level key, each with `role`, `goal`, `backstory`
//! (required), `llm`, `tools`, …. The key is the agent's name, its goal the description, its
//! backstory the body; `role` and the other keys stay as they are. Read as strict YAML with the
//! same guards as frontmatter.

use super::{Reader, Source};
use crate::model::{scalar_text, AgentFile, Frontmatter};
use crate::parse::decode::text_of;
use crate::parse::yaml_guard::{strict_yaml, YamlWork};
use crate::parse::{definition, Parts};
use serde_yaml::{Mapping, Value};

pub struct CrewAiReader;

impl Reader for CrewAiReader {
    fn read(&self, source: &Source, bytes: &[u8]) -> Result<Vec<AgentFile>, String> {
        let mut diagnostics = Vec::new();
        let text = text_of(bytes, &mut diagnostics)?;
        let work = YamlWork::per_file();
        let document = strict_yaml(&text, &work)
            .map_err(|e| format!("not a CrewAI agents file: its YAML cannot be read ({e})"))?;
        let Value::Mapping(agents) = document else {
            return Err(
                "not a CrewAI agents file: not a mapping of agent names to their settings"
                    .to_owned(),
            );
        };
        let definitions = agents
            .into_iter()
            .filter_map(|(key, value)| match value {
                Value::Mapping(fields) => Some((scalar_text(&key)?, fields)),
                _ => None,
            })
            .map(|(key, fields)| agent(source, bytes, key, fields, diagnostics.clone()))
            .collect();
        Ok(definitions)
    }

    /// One entry, `key: {role, goal, backstory, …}`: the representative's key, its goal from the
    /// description and its backstory from the body.
    fn write(&self, like: &AgentFile, frontmatter: &Frontmatter, body: &str) -> String {
        let entries = &frontmatter.entries;
        let mut fields = Mapping::new();
        if let Some(role) = entries.get("role") {
            fields.insert("role".into(), role.clone());
        }
        if let Some(goal) = entries.get("description") {
            fields.insert("goal".into(), goal.clone());
        }
        fields.insert("backstory".into(), Value::String(body.trim().to_owned()));
        for (k, v) in entries {
            if !matches!(k.as_str(), Some("name" | "description" | "role")) {
                fields.insert(k.clone(), v.clone());
            }
        }
        let key = like.entry.clone().unwrap_or_else(|| like.display_name());
        let mut document = Mapping::new();
        document.insert(Value::String(key), Value::Mapping(fields));
        serde_yaml::to_string(&document).unwrap_or_default()
    }
}

fn agent(
    source: &Source,
    bytes: &[u8],
    key: String,
    fields: Mapping,
    diagnostics: Vec<crate::model::Diagnostic>,
) -> AgentFile {
    let text = |k: &str| fields.get(k).and_then(scalar_text);
    let body = text("backstory").unwrap_or_default();
    let mut entries = Mapping::new();
    entries.insert("name".into(), Value::String(key.clone()));
    if let Some(goal) = text("goal") {
        entries.insert("description".into(), Value::String(goal));
    }
    for (k, v) in &fields {
        let kept = !matches!(
            k.as_str(),
            Some("goal" | "backstory" | "name" | "description")
        );
        if kept {
            entries.insert(k.clone(), v.clone());
        }
    }
    let present = |f: &str| match f {
        "goal" => fields.get("goal").is_some(),
        "backstory" => fields.get("backstory").is_some(),
        "role" => fields.get("role").is_some(),
        _ => false,
    };
    let parts = Parts {
        decided: None,
        entry: Some(key),
        frontmatter: Frontmatter { entries },
        body,
        diagnostics,
    };
    definition(source, parts, bytes, &present)
}

#[cfg(test)]
mod tests {
    use crate::model::{Format, Kind};
    use crate::parse::parse_definitions;
    use std::path::Path;

    #[test]
    fn one_agent_per_key() {
        let text = "researcher:\n  role: Senior researcher\n  goal: Find sources on {topic}\n  \
            backstory: You dig through papers.\n  llm: gpt-4o\nwriter:\n  role: Writer\n  \
            goal: Write the report\n";
        let agents =
            parse_definitions(Path::new("crew/config/agents.yaml"), text.as_bytes(), &[]).unwrap();
        assert_eq!(agents.len(), 2);
        let r = &agents[0];
        assert_eq!((r.format, r.kind), (Format::CrewAi, Kind::Agent));
        assert_eq!(r.display_name(), "researcher");
        assert_eq!(r.entry.as_deref(), Some("researcher"));
        assert_eq!(
            r.frontmatter.description().unwrap(),
            "Find sources on {topic}"
        );
        assert_eq!(r.frontmatter.text("role").unwrap(), "Senior researcher");
        assert_eq!(r.body, "You dig through papers.");
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let w: Vec<String> = agents[1]
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(w, ["no `backstory`: CrewAI requires it for every agent"]);
    }

    #[test]
    fn a_merged_entry_is_written_as_crewai_yaml() {
        let text = "researcher:\n  role: R\n  goal: G\n  backstory: B\n  llm: gpt-4o\n";
        let path = Path::new("config/agents.yaml");
        let a = parse_definitions(path, text.as_bytes(), &[])
            .unwrap()
            .remove(0);
        let written = crate::parse::readers::write_like(&a, &a.frontmatter, &a.body);
        assert_eq!(written, text);
    }

    #[test]
    fn a_file_that_is_not_a_mapping_is_skipped() {
        let p = Path::new("config/agents.yaml");
        assert!(parse_definitions(p, b"- a\n- b\n", &[])
            .unwrap_err()
            .reason
            .contains("not a mapping"));
        assert!(parse_definitions(p, b"a: 1\n", &[])
            .unwrap_err()
            .reason
            .contains("no agent"));
    }
}
