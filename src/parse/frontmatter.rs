//! The frontmatter of a Markdown definition: split from the body, read strictly as YAML when it
//! can be and line by line when it cannot.

use super::lenient::read_lenient;
use super::yaml_guard::{strict_yaml, YamlWork};
use crate::model::Diagnostic;
use serde_yaml::{Mapping, Value};

/// Splits `---\n<yaml>\n---\n<body>`. The reason is returned when there is no usable frontmatter.
pub(crate) fn split_frontmatter(text: &str) -> Result<(&str, &str), String> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(
            "no YAML frontmatter (the file does not start with a `---` line), so not an agent \
             definition"
                .to_owned(),
        );
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
    Err(
        "frontmatter opened by `---` on line 1 never closes (no second `---` line): add a `---` \
         line after the last key"
            .to_owned(),
    )
}

/// Strict YAML first; the line reader when that fails.
pub(crate) fn read_frontmatter(
    yaml: &str,
    work: &YamlWork,
    diagnostics: &mut Vec<Diagnostic>,
) -> Mapping {
    match strict_yaml(yaml, work) {
        Ok(Value::Mapping(map)) => stringify_keys(map),
        Ok(Value::Null) => Mapping::new(),
        Ok(other) => {
            diagnostics.push(Diagnostic::LenientYaml {
                strict_error: format!(
                    "the frontmatter is a {} rather than key: value pairs",
                    yaml_type(&other)
                ),
            });
            read_lenient(yaml, work, diagnostics)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::LenientYaml {
                strict_error: e.to_string(),
            });
            read_lenient(yaml, work, diagnostics)
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
