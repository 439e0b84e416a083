//! Claude-style Markdown: YAML frontmatter between `---` lines, then the body. Claude Code, Copilot,
//! OpenCode, Gemini CLI, Cursor, Qwen Code, Factory and Kiro steering files are all written so;
//! their dialects differ in keys, not in syntax.

use super::{Reader, Source};
use crate::model::{AgentFile, Diagnostic, Format, Frontmatter, Kind};
use crate::parse::decode::{
    decode_text, expand_escaped_newlines, repair_escaped_mojibake, text_of,
};
use crate::parse::frontmatter::{read_frontmatter, split_frontmatter};
use crate::parse::yaml_guard::YamlWork;
use crate::parse::{definition, Parts};

pub struct MarkdownReader;

impl Reader for MarkdownReader {
    fn read(&self, source: &Source, bytes: &[u8]) -> Result<Vec<AgentFile>, String> {
        let mut diagnostics = Vec::new();
        let text = text_of(bytes, &mut diagnostics)?;
        let (frontmatter_text, body) = split_frontmatter(&text)?;
        let work = YamlWork::per_file();
        let entries = read_frontmatter(frontmatter_text, &work, &mut diagnostics);
        let entries = repair_escaped_mojibake(entries, &mut diagnostics);
        let mut frontmatter = Frontmatter { entries };
        expand_escaped_newlines(&mut frontmatter, &mut diagnostics);
        // Cursor reads a rule's `globs: *.ts, *.tsx` as text, not YAML: no fault there.
        if source.detected.format == Format::Cursor && source.detected.kind == Some(Kind::Rule) {
            diagnostics.retain(|d| !matches!(d, Diagnostic::LenientYaml { .. }));
        }
        let parts = Parts {
            decided: None,
            entry: None,
            frontmatter,
            body: body.to_owned(),
            diagnostics,
        };
        let agent = definition(source, parts, bytes, &|_| false);
        Ok(vec![agent])
    }

    fn write(&self, _like: &AgentFile, frontmatter: &Frontmatter, body: &str) -> String {
        crate::merge::render(frontmatter, body)
    }
}

/// The body the Markdown reader reads from `bytes`, without reading the frontmatter again: for a
/// second reading of a file whose bytes are known to be those it accepted (the merge re-reads
/// cluster members for their bodies; strict YAML parsing is most of the cost of a full parse).
pub fn markdown_body(bytes: &[u8]) -> Option<String> {
    let text = decode_text(bytes, &mut Vec::new());
    let (_, body) = split_frontmatter(&text).ok()?;
    Some(body.to_owned())
}

#[cfg(test)]
mod tests {
    use crate::model::{AgentFile, Diagnostic, Frontmatter, Kind};
    use crate::parse::decode::repair_mojibake;
    use crate::parse::flow_depth::flow_depth;
    use crate::parse::parse_agent;
    use crate::parse::yaml_guard::MAX_YAML_FLOW_DEPTH;
    use serde_yaml::Mapping;
    use std::path::Path;

    fn parse(text: &str) -> AgentFile {
        parse_agent(Path::new("a.md"), text.as_bytes()).expect("parses")
    }

    /// Parses a hostile text, failing if that takes seconds. Not a speed measurement: the inputs
    /// these tests use make an unbounded parser work for minutes or run out of memory, so a bound
    /// this loose separates the two on any machine, however loaded.
    fn parse_without_blowup(text: &str) -> AgentFile {
        let start = std::time::Instant::now();
        let parsed = parse(text);
        let took = start.elapsed();
        assert!(
            took.as_secs() < 5,
            "took {took:?}: the parser's work is not bounded"
        );
        parsed
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

    fn lenient_reason(a: &AgentFile) -> String {
        a.diagnostics
            .iter()
            .find_map(|d| match d {
                Diagnostic::LenientYaml { strict_error } => Some(strict_error.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_billion_laughs_alias_bomb_is_not_expanded() {
        let mut text = String::from(
            "---\nname: bomb\ndescription: d\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n",
        );
        let mut prev = "a".to_owned();
        for i in 0..9 {
            let n = format!("l{i}");
            text.push_str(&format!(
                "{n}: &{n} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
            prev = n;
        }
        text.push_str("---\nBody\n");
        let a = parse_without_blowup(&text);
        assert_eq!(a.frontmatter.name().as_deref(), Some("bomb"));
        assert!(lenient_reason(&a).contains("alias"), "{:?}", a.diagnostics);
    }

    #[test]
    fn a_quadratic_alias_blowup_is_not_expanded() {
        // 30 KB that serde_yaml alone expands to 9 million values (3.6 GB, 30 s).
        let items = vec!["x"; 3000].join(",");
        let aliases = vec!["*a"; 3000].join(",");
        let text =
            format!("---\nname: quad\ndescription: d\na: &a [{items}]\nb: [{aliases}]\n---\n");
        let a = parse_without_blowup(&text);
        assert_eq!(a.frontmatter.name().as_deref(), Some("quad"));
        assert!(lenient_reason(&a).contains("alias"), "{:?}", a.diagnostics);
        // Within one entry, read by the lenient reader, too.
        let text = format!(
            "---\nname: quad\nb: [{aliases}, &a [{items}]]\nc:\n  - &b [{items}]\n  - [{}]\n---\n",
            vec!["*b"; 3000].join(",")
        );
        parse_without_blowup(&text);
    }

    #[test]
    fn a_few_aliases_are_still_read_strictly() {
        let a = parse("---\nname: x\ndescription: &d Does x.\nsummary: *d\ntools: &t [Read]\nmore: [*t, *t]\n---\n");
        assert_eq!(a.frontmatter.text("summary").as_deref(), Some("Does x."));
        assert!(lenient_reason(&a).is_empty(), "{:?}", a.diagnostics);
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        for open in ["[", "{a: ", "- "] {
            let text = format!(
                "---\nname: deep\ndescription: d\ntools: {}\n---\n",
                open.repeat(100_000)
            );
            let a = parse_without_blowup(&text);
            assert_eq!(a.frontmatter.name().as_deref(), Some("deep"), "{open}");
        }
        // 100 levels is deep but fine.
        let text = format!(
            "---\nname: x\ndescription: d\nt: {}{}\n---\n",
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(lenient_reason(&parse(&text)).is_empty());
    }

    #[test]
    fn a_repeated_key_keeps_the_last_value_and_says_so() {
        let a = parse("---\nname: x\ndescription: first\ndescription: second\n---\n");
        assert_eq!(a.frontmatter.description().as_deref(), Some("second"));
        assert!(a.diagnostics.contains(&Diagnostic::DuplicateKey {
            key: "description".to_owned()
        }));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_its_offset_counts_the_bom() {
        let a = parse_agent(
            Path::new("a.md"),
            b"\xEF\xBB\xBF---\nname: x\xFF\ndescription: d\n---\n",
        )
        .unwrap();
        assert!(a
            .diagnostics
            .contains(&Diagnostic::InvalidUtf8Replaced { first_bad_byte: 14 }));
        assert_eq!(a.frontmatter.name().as_deref(), Some("x\u{FFFD}"));
    }

    #[test]
    fn utf16_is_named_as_such() {
        let skip = parse_agent(Path::new("a.md"), b"\xFF\xFE-\0-\0-\0").unwrap_err();
        assert!(skip.reason.contains("UTF-16"), "{}", skip.reason);
    }

    #[test]
    fn empty_and_comment_only_frontmatter_is_strict_and_empty() {
        for text in [
            "---\n---\nBody\n",
            "---\n# just a comment\n---\nBody\n",
            "---\n\n...\nBody\n",
        ] {
            let a = parse(text);
            assert!(a.frontmatter.entries.is_empty(), "{text:?}");
            assert!(
                lenient_reason(&a).is_empty(),
                "{text:?}: {:?}",
                a.diagnostics
            );
        }
    }

    /// Found by `cargo fuzz` (fuzz/fuzz_targets/parse.rs): a tagged mapping key nested in a value
    /// was read strictly, and `merge::render` then panicked because it cannot be written back.
    #[test]
    fn fuzz_regression_tagged_key_cannot_be_written_back() {
        for bytes in [
            &b"---\n::\n !\t:\n---"[..],
            b"---\nname: x\ndescription: d\nmeta:\n  - ! a: b\n  - !custom {[1]: 2}\n---\n",
            b"---\nname: x\ndescription: !tag d\n---\n",
        ] {
            let a = parse_agent(Path::new("f.md"), bytes).unwrap();
            assert!(
                serde_yaml::to_string(&a.frontmatter.entries).is_ok(),
                "{:?}",
                a.frontmatter
            );
            let merged = crate::merge::merge(&[&a, &a], 0, &[1]);
            assert!(merged.text.starts_with("---\n"));
        }
        let a = parse("---\nname: x\ndescription: !tag d\n---\n");
        assert!(
            lenient_reason(&a).contains("YAML tags"),
            "{:?}",
            a.diagnostics
        );
        assert_eq!(a.frontmatter.description().as_deref(), Some("!tag d"));
    }

    /// Found by `cargo fuzz`: a `tools` value holding a run of `[` (read leniently) was written back
    /// as a block scalar, which the first depth check, counting every `[`, then refused to read
    /// strictly, so reading the file written back gave a different value.
    #[test]
    fn fuzz_regression_brackets_in_a_written_value_read_back_the_same() {
        let value = format!("R{}net\nmore", "[".repeat(200));
        let mut entries = Mapping::new();
        entries.insert("name".into(), "x".into());
        entries.insert("tools".into(), value.clone().into());
        entries.insert(
            "description".into(),
            format!("{} d", "{".repeat(300)).into(),
        );
        let written = crate::merge::render(
            &Frontmatter {
                entries: entries.clone(),
            },
            "Body",
        );
        let a = parse(&written);
        assert_eq!(a.frontmatter.entries, entries, "{written}");
        assert!(lenient_reason(&a).is_empty(), "{:?}", a.diagnostics);
    }

    /// Found by `cargo fuzz`: mojibake spelled with a YAML escape (`\uF8FF`) was not repaired on the
    /// first reading but was on the second, once the value had been written back with the character
    /// itself.
    #[test]
    fn fuzz_regression_mojibake_behind_yaml_escapes_is_repaired_too() {
        let a = parse("---\nname: x\ndescription: \"\\uF8FF\u{fc}\u{ec}\u{e3} notes\"\n---\n");
        assert_eq!(a.frontmatter.description().as_deref(), Some("📋 notes"));
        assert!(a
            .diagnostics
            .contains(&Diagnostic::MojibakeRepaired { lines: 1 }));
        let again = parse(&crate::merge::render(&a.frontmatter, &a.body));
        assert_eq!(again.frontmatter, a.frontmatter);
    }

    /// Whatever `flow_depth` makes of it, the YAML parser's work on one file is bounded: here a text
    /// on which it understates the depth, repeated in entries the lenient reader parses one by one.
    #[test]
    fn yaml_work_is_bounded_per_file_even_where_flow_depth_understates() {
        let trap = format!("&a : :[[[\n '\n:[: {}", "[".repeat(3000));
        assert!(flow_depth(&trap) <= MAX_YAML_FLOW_DEPTH);
        let mut text = String::from("---\nname: x\ndescription: d\n");
        for i in 0..200 {
            text.push_str(&format!("k{i}:\n"));
            for line in trap.lines() {
                text.push_str(&format!("  {line}\n"));
            }
        }
        text.push_str("---\n");
        let a = parse_without_blowup(&text);
        assert_eq!(a.frontmatter.name().as_deref(), Some("x"));
    }
}
