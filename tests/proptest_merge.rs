//! Properties of parsing and merging, over generated agent files: random (and hostile) names,
//! descriptions with `: `, `<example>`, quotes, `#`, line breaks and Unicode, tools as lists or
//! strings, extra keys, and Markdown bodies of headings, bullets, numbered items, paragraphs and
//! code fences. Frontmatter is written both as strict YAML and the messy way people write it.
//!
//! - parse → render → parse keeps every key, value and the body;
//! - merged frontmatter is always strict YAML with a valid name;
//! - merging a file with itself gives that file back (see `self_merge_gives_the_file_back`);
//! - merging is deterministic and does not depend on the order the files are given in.

use agent_dedup::merge::{merge, render, sanitize_name};
use agent_dedup::model::{AgentFile, Diagnostic};
use agent_dedup::parse::{is_valid_name, parse_agent};
use agent_dedup::pipeline::{merge_files, ScanOptions};
use proptest::prelude::*;
use proptest::sample::select;
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

// ------------------------------------------------------------------------------------- generators

const WORDS: &[&str] = &[
    "review",
    "code",
    "python",
    "rust",
    "api",
    "design",
    "test",
    "deploy",
    "the",
    "and",
    "for",
    "with",
    "security",
    "database",
    "query",
    "latency",
    "café",
    "naïve",
    "共有",
    "📋",
    "Überblick",
    "don't",
    "\"quoted\"",
    "'single'",
    "#hash",
    "50%",
    "a:b",
    "x-y",
    "C++",
    "`code`",
    "*star*",
    "&amp",
    "|pipe",
    ">gt",
    "@at",
    "!bang",
    "{brace}",
    "[list]",
    "null",
    "true",
    "0.5",
    "~",
    // Mac Roman mojibake of `é`, of `📋`, and of `√©` (mojibake of mojibake).
    "caf√©",
    "üìã",
    "‚àö¬©",
    "\t",
    "model: opus",
    "user: hi",
    "- not a list",
];

fn words(range: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(WORDS), range).prop_map(|w| w.join(" "))
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}",
        1 => select(&[
            "../../etc/x", "/etc/passwd", "a/b\\c", "Backend Architect", "名前", "UPPER_case",
            "-leading", "trailing-", "a: b", "- item", "#comment", "'quoted'", "\"dq\"", "null",
            "123", "true", "x y z", "..", "", "   ", "a--b",
        ][..])
        .prop_map(str::to_owned),
        1 => "\\PC{1,20}",
    ]
}

fn description() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => words(1..8),
        1 => Just(": ".to_owned()),
        1 => Just("Examples: ".to_owned()),
        1 => words(1..4).prop_map(|w| format!(
            "<example>Context: {w}\nuser: \"Help me: {w}\"\nassistant: 'I will use the agent'\n</example>"
        )),
        1 => Just("\n".to_owned()),
        1 => Just("\\n".to_owned()),
        1 => Just(" # not a comment".to_owned()),
        1 => "\\PC{1,10}",
        // Deeper than the YAML parser is let go: read as text, and written back as text.
        1 => (1usize..300, select(&["[", "{", "[{"][..])).prop_map(|(n, b)| b.repeat(n)),
    ];
    prop::collection::vec(piece, 1..8).prop_map(|p| p.concat())
}

/// A value of a key Claude Code does not interpret: text, a number, a boolean, a list or a mapping.
fn extra_value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        3 => words(1..4).prop_map(Value::from),
        1 => any::<i32>().prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
    ];
    prop_oneof![
        3 => scalar.clone(),
        1 => prop::collection::vec(scalar.clone(), 1..3).prop_map(Value::Sequence),
        1 => prop::collection::vec(("[a-z]{1,6}", scalar), 1..3).prop_map(|kv| {
            Value::Mapping(kv.into_iter().map(|(k, v)| (Value::from(k), v)).collect())
        }),
    ]
}

#[derive(Debug, Clone)]
enum Tools {
    Absent,
    List(Vec<String>),
    Text(Vec<String>),
}

fn tools() -> impl Strategy<Value = Tools> {
    let tool = select(
        &[
            "Read",
            "Write",
            "Edit",
            "Bash",
            "Grep",
            "Glob",
            "WebFetch",
            "Task",
            "mcp__github__create_issue",
        ][..],
    )
    .prop_map(str::to_owned);
    prop_oneof![
        Just(Tools::Absent),
        prop::collection::vec(tool.clone(), 1..5).prop_map(Tools::List),
        prop::collection::vec(tool, 1..5).prop_map(Tools::Text),
    ]
}

fn body() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        (1usize..4, words(1..5)).prop_map(|(l, w)| format!("{} {w}", "#".repeat(l))),
        prop::collection::vec(words(1..8), 1..4).prop_map(|items| {
            items
                .iter()
                .map(|i| format!("- {i}"))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        // Numbered from 1 mostly, from elsewhere sometimes (a list that goes on after a code block).
        (
            prop_oneof![4 => Just(1usize), 1 => 2usize..20],
            prop::collection::vec(words(1..8), 1..4),
        )
            .prop_map(|(start, items)| {
                items
                    .iter()
                    .enumerate()
                    .map(|(n, i)| format!("{}. {i}", start + n))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        words(3..30),
        (select(&["", "rust", "sh", "yaml"][..]), words(1..6))
            .prop_map(|(lang, code)| format!("```{lang}\n{code}\n---\n```")),
        words(1..6).prop_map(|w| format!("You are {w}.")),
    ];
    prop::collection::vec(block, 0..8).prop_map(|blocks| {
        let mut out: Vec<String> = Vec::new();
        for b in blocks {
            // A block that starts indented continues the list above it: not a block of its own.
            let b = b.trim_start().to_owned();
            // Two lists in a row are joined by the merge (see `known_issue_adjacent_lists_are_joined`):
            // keep a paragraph between them.
            let is_list =
                |s: &str| s.starts_with("- ") || s.starts_with(|c: char| c.is_ascii_digit());
            if out.last().is_some_and(|prev| is_list(prev)) && is_list(&b) {
                out.push("Then this paragraph.".to_owned());
            }
            out.push(b);
        }
        out.join("\n\n")
    })
}

/// One generated agent file: its fields and how the frontmatter is written.
#[derive(Debug, Clone)]
struct Spec {
    name: Option<String>,
    description: Option<String>,
    tools: Tools,
    model: Option<String>,
    color: Option<String>,
    extra: Vec<(String, Value)>,
    body: String,
    strict: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::option::weighted(0.9, name()),
        prop::option::weighted(0.9, description()),
        tools(),
        prop::option::of(select(&["sonnet", "opus", "haiku", "inherit", "gpt-4"][..])),
        prop::option::of(select(&["red", "blue", "teal", "#ff0000"][..])),
        prop::collection::vec(
            (
                select(
                    &[
                        "category",
                        "license",
                        "when_to_use",
                        "x-custom",
                        "maxTurns",
                        "user",
                        "metadata",
                    ][..],
                ),
                extra_value(),
            ),
            0..3,
        ),
        body(),
        any::<bool>(),
    )
        .prop_map(
            |(name, description, tools, model, color, extra, body, strict)| Spec {
                name,
                description,
                tools,
                model: model.map(str::to_owned),
                color: color.map(str::to_owned),
                extra: extra.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                body,
                strict,
            },
        )
}

impl Spec {
    /// The file as a person might have written it.
    fn text(&self) -> String {
        let mut fields: Vec<(String, Value)> = Vec::new();
        if let Some(n) = &self.name {
            fields.push(("name".into(), n.clone().into()));
        }
        if let Some(d) = &self.description {
            fields.push(("description".into(), d.clone().into()));
        }
        match &self.tools {
            Tools::Absent => {}
            Tools::List(t) => fields.push((
                "tools".into(),
                Value::Sequence(t.iter().map(|s| s.clone().into()).collect()),
            )),
            Tools::Text(t) => fields.push(("tools".into(), t.join(", ").into())),
        }
        for (k, v) in [("model", &self.model), ("color", &self.color)] {
            if let Some(v) = v {
                fields.push((k.into(), v.clone().into()));
            }
        }
        for (k, v) in &self.extra {
            fields.push((k.clone(), v.clone()));
        }
        let yaml = if self.strict {
            let map: Mapping = fields.into_iter().map(|(k, v)| (k.into(), v)).collect();
            serde_yaml::to_string(&map).unwrap()
        } else {
            // Unquoted `key: value` lines, lists as `- item` lines: what fails a strict parser.
            let mut out = String::new();
            for (k, v) in fields {
                match v {
                    Value::Sequence(items) => {
                        out.push_str(&format!("{k}:\n"));
                        for i in items {
                            let item = agent_dedup::model::scalar_text(&i).unwrap();
                            out.push_str(&format!("  - {item}\n"));
                        }
                    }
                    Value::String(text) => out.push_str(&format!("{k}: {text}\n")),
                    other => {
                        // Nested values as YAML blocks under the key, numbers and booleans as is.
                        let yaml = serde_yaml::to_string(&other).unwrap();
                        if matches!(other, Value::Mapping(_)) {
                            out.push_str(&format!("{k}:\n"));
                            for line in yaml.lines() {
                                out.push_str(&format!("  {line}\n"));
                            }
                        } else {
                            out.push_str(&format!("{k}: {yaml}"));
                        }
                    }
                }
            }
            out
        };
        format!("---\n{yaml}---\n\n{}\n", self.body)
    }
}

// --------------------------------------------------------------------------------------- helpers

fn parse(path: &str, text: &str) -> AgentFile {
    parse_agent(Path::new(path), text.as_bytes())
        .unwrap_or_else(|s| panic!("generated file not read ({}):\n{text}", s.reason))
}

fn strict_frontmatter(text: &str) -> Mapping {
    let rest = text
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("no opening `---`:\n{text}"));
    let end = rest
        .find("\n---\n")
        .unwrap_or_else(|| panic!("frontmatter never closes:\n{text}"));
    serde_yaml::from_str::<Mapping>(&rest[..end + 1])
        .unwrap_or_else(|e| panic!("not strict YAML ({e}):\n{}", &rest[..end + 1]))
}

fn keys(m: &Mapping) -> Vec<String> {
    m.keys()
        .map(|k| k.as_str().unwrap_or("<non-string key>").to_owned())
        .collect()
}

/// The body's non-blank lines, each with its runs of white space made one space (the merge writes
/// `2. \t x` as `2. x`) and its ends trimmed.
fn lines(body: &str) -> Vec<String> {
    body.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// [`lines`], with the number of each numbered list item made `N` (the merge renumbers every list
/// to run 1..n) and lines in another language than the body left out (the merge keeps one).
fn lines_up_to_numbers(body: &str) -> Vec<String> {
    lines(body)
        .into_iter()
        .map(|l| {
            let digits = l.chars().take_while(char::is_ascii_digit).count();
            let rest = &l[digits..];
            let marker = rest.starts_with(['.', ')'])
                && rest[1..].chars().next().is_none_or(char::is_whitespace);
            if digits > 0 && marker {
                format!("N{}", &l[digits..])
            } else {
                l
            }
        })
        .collect()
}

fn distinct(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|i| seen.insert(i.clone()))
        .collect()
}

/// `cases` unless `PROPTEST_CASES` asks for more (a long hunt: `PROPTEST_CASES=20000`).
fn config(cases: u32) -> ProptestConfig {
    let asked = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: asked.unwrap_or(cases),
        // Shrinking stops early enough to keep a failing run short.
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

// ------------------------------------------------------------------------------------ properties

proptest! {
    #![proptest_config(config(256))]

    /// parse → write (`merge::render` of the parsed frontmatter and body) → parse keeps every key (in
    /// order), every value and the body (up to the white space around it), and reads strictly.
    #[test]
    fn parse_render_parse_keeps_every_key_and_value(spec in spec()) {
        let text = spec.text();
        let first = parse("a.md", &text);
        let written = render(&first.frontmatter, &first.body);
        let second = parse("a.md", &written);
        prop_assert_eq!(keys(&second.frontmatter.entries), keys(&first.frontmatter.entries));
        for (k, v) in &first.frontmatter.entries {
            prop_assert_eq!(second.frontmatter.entries.get(k), Some(v), "key {:?}\n{}", k, written);
        }
        prop_assert_eq!(second.body.trim(), first.body.trim());
        prop_assert!(
            !second.diagnostics.iter().any(|d| matches!(d, Diagnostic::LenientYaml { .. })),
            "written frontmatter read leniently: {:?}\n{}", second.diagnostics, written
        );
    }

    /// Merging a file with itself (two copies, as the pipeline would pass them) gives the file back:
    /// - `name`: the same when it is valid, else `sanitize_name` of it (or of the file stem);
    /// - `description`: the same (`""` when the file has none), when it has at most three examples;
    /// - `tools`: absent stays absent; a list or string gives the same tools, in order, each once;
    /// - `model`, `color` and every other key: the same value;
    /// - no key that the file lacks, except `name` and `description` (always written);
    /// - the body: the same lines in the same order, up to blank lines and white space within and
    ///   around lines (the merge writes a loose list, `- a\n\n- b`, as a tight one, `- a\n- b`, and
    ///   `2. \t x` as `2. x`), and up to list numbers: since issue 12 every list is renumbered to
    ///   run 1..n (a list that starts at 4 is a list whose first steps went missing), except a
    ///   procedure that goes on after a code block. Skipped when the body mixes languages: the
    ///   merge then keeps the lines in the body's language only, on purpose.
    #[test]
    fn self_merge_gives_the_file_back(spec in spec()) {
        let a = parse("dir/a.md", &spec.text());
        let b = AgentFile { path: PathBuf::from("dir/b.md"), ..a.clone() };
        let merged = merge(&[&a, &b], 0, &[1]);
        let fm = &merged.frontmatter;
        let own = a.display_name();
        let want_name = if is_valid_name(&own) { own.clone() } else { sanitize_name(&own) };
        prop_assert_eq!(&merged.name, &want_name);
        prop_assert_eq!(fm.text("name"), Some(want_name.clone()));
        let want_description = a.frontmatter.description().unwrap_or_default();
        let got_description = fm.text("description").unwrap_or_default();
        // The merge renames the agent inside its own description; when the name is kept, no change,
        // unless it has more than three examples: since issue 12 a merged description keeps three.
        if want_name == own && agent_dedup::merge::examples(&want_description).len() <= 3 {
            prop_assert_eq!(&got_description, &want_description);
        }
        prop_assert_eq!(fm.tools(), a.frontmatter.tools().map(distinct));
        for (key, value) in &a.frontmatter.entries {
            let k = key.as_str().unwrap_or_default();
            if ["name", "description", "tools"].contains(&k) {
                continue;
            }
            if k == "model" {
                prop_assert_eq!(fm.text("model"), a.frontmatter.text("model"));
            } else {
                prop_assert_eq!(fm.get(k), Some(value), "key {}", k);
            }
        }
        for key in keys(&fm.entries) {
            prop_assert!(
                key == "name" || key == "description" || a.frontmatter.get(&key).is_some(),
                "merged adds key {:?}", key
            );
        }
        let mixed = merged.decisions.iter().any(|d| d.field == "body" && d.why.contains("another language"));
        // A body that has one topic under two headings is folded into one section on purpose
        // (one section per topic), and the decision says so.
        let folded = merged.decisions.iter().any(|d| d.field == "body" && d.why.contains("folded into the first"));
        if !mixed && !folded {
            prop_assert_eq!(lines_up_to_numbers(&merged.body), lines_up_to_numbers(&a.body), "{:?}", merged.body);
        }
    }

    /// Whatever the members, the merged frontmatter is strict YAML with a valid `name` and a string
    /// `description`, and the merged file reads back without repairs to its frontmatter.
    #[test]
    fn merged_frontmatter_is_strict_yaml_with_a_valid_name(
        specs in prop::collection::vec(spec(), 1..5),
        rep in any::<prop::sample::Index>(),
    ) {
        let agents: Vec<AgentFile> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| parse(&format!("m/{i}.md"), &s.text()))
            .collect();
        let members: Vec<&AgentFile> = agents.iter().collect();
        let rep = rep.index(members.len());
        let order: Vec<usize> = (0..members.len()).filter(|&i| i != rep).collect();
        let merged = merge(&members, rep, &order);
        prop_assert!(is_valid_name(&merged.name), "invalid name {:?}", merged.name);
        let fm = strict_frontmatter(&merged.text);
        prop_assert_eq!(fm.get("name").and_then(Value::as_str), Some(merged.name.as_str()));
        prop_assert!(fm.get("description").is_some_and(Value::is_string));
        let back = parse("merged.md", &merged.text);
        prop_assert!(
            !back.diagnostics.iter().any(|d| matches!(
                d,
                Diagnostic::LenientYaml { .. } | Diagnostic::InvalidName { .. } | Diagnostic::DuplicateKey { .. }
            )),
            "{:?}\n{}", back.diagnostics, merged.text
        );
    }
}

proptest! {
    // Each case writes files and runs the pipeline: fewer cases.
    #![proptest_config(config(48))]

    /// `merge_files` gives the same merged file and decisions whatever order the files are named in,
    /// and the same again when run twice.
    #[test]
    fn merging_is_deterministic_and_independent_of_input_order(
        specs in prop::collection::vec(spec(), 2..5),
        shuffle in any::<u64>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p = dir.path().join(format!("agent-{i}.md"));
                std::fs::write(&p, s.text()).unwrap();
                p
            })
            .collect();
        let run = |files: &[PathBuf]| {
            let (report, skipped) = merge_files(files, &ScanOptions::default()).unwrap();
            prop_assert!(skipped.is_empty(), "{:?}", skipped);
            prop_assert_eq!(report.clusters.len(), 1);
            let m = &report.clusters[0].merged;
            Ok((m.text.clone(), m.decisions.clone(), report.clusters[0].cluster.members.clone()))
        };
        let first = run(&paths)?;
        prop_assert_eq!(&run(&paths)?, &first, "two runs differ");
        let mut shuffled = paths.clone();
        // A rotation and a reversal reach every position for up to four files.
        shuffled.rotate_left((shuffle % paths.len() as u64) as usize);
        prop_assert_eq!(&run(&shuffled)?, &first, "order {:?}", shuffled);
        shuffled.reverse();
        prop_assert_eq!(&run(&shuffled)?, &first, "order {:?}", shuffled);
    }
}

// ------------------------------------------------------------------ known issues (found by the above)
//
// Minimal inputs on which merging a file with itself does not give it back. They need a change in
// `src/merge/body/render.rs` (`render`); run them with `cargo test --test proptest_merge -- --ignored`.

fn self_merge_body(body: &str) -> String {
    let a = parse(
        "a.md",
        &format!("---\nname: a\ndescription: d\n---\n\n{body}\n"),
    );
    let b = AgentFile {
        path: PathBuf::from("b.md"),
        ..a.clone()
    };
    merge(&[&a, &b], 0, &[1]).body
}

/// Found by `self_merge_gives_the_file_back`, fixed with issue 12: two lists in a row (a bullet
/// list then a numbered one) stay two lists.
#[test]
fn adjacent_lists_of_two_kinds_stay_apart() {
    assert_eq!(
        lines(&self_merge_body("- review\n\n1. review")),
        ["- review", "1. review"]
    );
}

/// A list runs 1..n (since issue 12: a list that starts at 2 has lost its first step), but a
/// procedure that goes on after a code block keeps its numbers.
#[test]
fn lists_run_from_one_unless_they_go_on_after_code() {
    assert_eq!(lines(&self_merge_body("2. review")), ["1. review"]);
    assert_eq!(
        lines(&self_merge_body(
            "1. one\n2. two\n\n```sh\nx\n```\n\n3. three\n4. four"
        )),
        ["1. one", "2. two", "```sh", "x", "```", "3. three", "4. four"]
    );
}
