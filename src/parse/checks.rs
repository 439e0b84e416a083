//! Warnings: each file judged by the documented rules of the tool that loads it.

use crate::model::{Diagnostic, Format, Frontmatter, Kind};

const DOCUMENTED_COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
];
const DOCUMENTED_MODELS: &[&str] = &["sonnet", "opus", "haiku", "inherit"];

/// What each tool needs of a file, and what it does without: a file is judged by its own tool's
/// rules, so a Copilot display name with capitals or an OpenCode hex colour is no fault.
struct Needs {
    fields: &'static [&'static str],
    consequence: &'static str,
    /// Whether `name` must be lowercase words joined by hyphens.
    slug_name: bool,
    /// Whether `color` and `model` are checked against Claude Code's documented values.
    claude_values: bool,
}

fn needs(format: Format, kind: Kind) -> Needs {
    let none = Needs {
        fields: &[],
        consequence: "",
        slug_name: false,
        claude_values: false,
    };
    match (format, kind) {
        (Format::ClaudeCode, Kind::Agent | Kind::Skill) => Needs {
            fields: &["name", "description"],
            consequence: "Claude Code skips this file without a word",
            slug_name: true,
            claude_values: true,
        },
        (Format::Markdown, Kind::Agent) => Needs {
            fields: &["name", "description"],
            consequence: "tools that read Claude-style agents skip a file without it",
            slug_name: true,
            ..none
        },
        (Format::Copilot | Format::OpenCode | Format::Cursor, Kind::Agent) => Needs {
            fields: &["description"],
            consequence: "the tool cannot tell when to use this agent",
            ..none
        },
        (Format::Gemini | Format::Qwen | Format::Factory, Kind::Agent) => Needs {
            fields: &["name", "description"],
            consequence: "the tool does not load an agent without it",
            ..none
        },
        (Format::Codex, Kind::Agent) => Needs {
            fields: &["name", "description", "developer_instructions"],
            consequence: "Codex does not load an agent without it",
            ..none
        },
        (Format::Kiro, Kind::Agent) => Needs {
            fields: &["prompt"],
            consequence: "the Kiro agent has no instructions",
            ..none
        },
        (Format::CrewAi, _) => Needs {
            fields: &["role", "goal", "backstory"],
            consequence: "CrewAI requires it for every agent",
            ..none
        },
        (Format::Gemini, Kind::Command) => Needs {
            fields: &["prompt"],
            consequence: "Gemini CLI has nothing to send for this command",
            ..none
        },
        _ => none,
    }
}

/// Warnings by the rules of the file's own tool. `present` says whether a field the format keeps
/// outside the frontmatter mapping (a TOML agent's instructions, a JSON agent's prompt) was given.
pub fn check_fields(
    format: Format,
    kind: Kind,
    frontmatter: &Frontmatter,
    present: &dyn Fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let needs = needs(format, kind);
    for &field in needs.fields {
        let given = match field {
            "name" => frontmatter.name().is_some(),
            "description" => frontmatter.description().is_some(),
            other => present(other),
        };
        if !given {
            diagnostics.push(Diagnostic::MissingField {
                field,
                consequence: needs.consequence,
            });
        }
    }
    if needs.slug_name {
        if let Some(name) = frontmatter.name().filter(|n| !is_valid_name(n)) {
            diagnostics.push(Diagnostic::InvalidName {
                name,
                tool: if format == Format::ClaudeCode {
                    "Claude Code"
                } else {
                    "Claude-style agents"
                },
            });
        }
    }
    if !needs.claude_values {
        return;
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

/// Claude Code names: lowercase letters and digits in words joined by single hyphens (no hyphen at
/// either end, none doubled), as the Agent Skills specification spells out and as
/// `merge::sanitize_name` writes them.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(format: Format, kind: Kind, yaml: &str) -> Vec<String> {
        let entries = serde_yaml::from_str(yaml).unwrap();
        let mut diagnostics = Vec::new();
        let frontmatter = Frontmatter { entries };
        check_fields(format, kind, &frontmatter, &|_| false, &mut diagnostics);
        diagnostics.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn each_file_is_judged_by_its_own_tools_rules() {
        // Claude Code: a display name and an undocumented colour are faults there.
        let claude = warnings(
            Format::ClaudeCode,
            Kind::Agent,
            "name: Code Reviewer\ndescription: d\ncolor: '#ff0000'",
        );
        assert_eq!(claude.len(), 2, "{claude:?}");
        // Copilot display names and OpenCode hex colours are valid in their tools.
        assert!(warnings(
            Format::Copilot,
            Kind::Agent,
            "name: Code Reviewer\ndescription: d"
        )
        .is_empty());
        assert!(warnings(
            Format::OpenCode,
            Kind::Agent,
            "description: d\ncolor: '#ff0000'\nmode: subagent"
        )
        .is_empty());
        // A command needs no name; a rule needs nothing.
        assert!(warnings(Format::ClaudeCode, Kind::Command, "description: d").is_empty());
        assert!(warnings(Format::Cursor, Kind::Rule, "globs: '*.rs'").is_empty());
        let copilot = warnings(Format::Copilot, Kind::Agent, "name: X");
        assert_eq!(
            copilot,
            ["no `description`: the tool cannot tell when to use this agent"]
        );
        let claude = warnings(Format::ClaudeCode, Kind::Agent, "description: d");
        assert_eq!(
            claude,
            ["no `name`: Claude Code skips this file without a word"]
        );
    }

    #[test]
    fn valid_names_are_words_joined_by_single_hyphens() {
        for ok in ["a", "py", "backend-architect", "k8s-helper-2"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "../x", "é"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }
}
