//! The merged `description`: the representative's, its trigger phrases completed from the others,
//! with at most three `<example>` blocks chosen to cover different situations.
//!
//! Claude Code puts every agent's description into the main context each session, so a long one
//! costs every user every turn: the merged description stays within the longest member's size plus
//! a tenth ([`TOKEN_SLACK`]), measured in estimated tokens ([`description_tokens`]).

use super::points::{self, jaccard, terms_of, Terms};
use super::{distinct, first_sentence, replace_word};
use crate::model::{AgentFile, MergeDecision};
use crate::normalize::description_prose;

/// At most this many `<example>` blocks.
pub const MAX_EXAMPLES: usize = 3;
/// At most this many trigger phrases added from the others.
const MAX_PHRASES: usize = 6;
/// The merged description may be this much longer than the longest member's.
pub const TOKEN_SLACK: f64 = 0.10;
/// Two examples are one situation when they share this share of their words (Jaccard).
const SAME_SITUATION: f32 = 0.4;

/// An estimate of the tokens a text costs in a model's context: one per four characters, the usual
/// rule of thumb for English (no tokenizer is bundled; the estimate is for comparing sizes).
pub fn description_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
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

struct Example {
    text: String,
    terms: Terms,
    from_representative: bool,
}

/// See the module documentation.
pub fn merge_description(
    members: &[&AgentFile],
    representative: usize,
    name: &str,
    decisions: &mut Vec<MergeDecision>,
) -> String {
    let chosen_representative = representative;
    let representative = description_source(members, representative);
    let rep = members[representative];
    let original = rep.frontmatter.description().unwrap_or_default();
    let rep_name = rep.display_name();
    let absorbed: Vec<String> = members
        .iter()
        .map(|m| m.display_name())
        .filter(|n| *n != rep_name && n != name)
        .collect();
    let renamed = |text: &str, own: &str| {
        if own == name {
            text.to_owned()
        } else {
            replace_word(text, own, name)
        }
    };
    // The prose, without sentences that send the user to an agent this merge replaces.
    let mut dropped_sentences = Vec::new();
    let prose = description_prose(&original);
    let kept_prose: Vec<&str> = sentences(&prose)
        .into_iter()
        .filter(|s| {
            let names_other = absorbed.iter().any(|n| points::mentions(s, n));
            if names_other {
                dropped_sentences.push(first_sentence(s));
            }
            !names_other
        })
        .collect();
    let prose = renamed(&clean_prose(&kept_prose.concat()), &rep_name);
    let pool = example_pool(members, representative, name, &absorbed);
    let longest = members
        .iter()
        .filter_map(|m| m.frontmatter.description())
        .map(|d| description_tokens(&d))
        .max()
        .unwrap_or(0);
    let limit = (longest as f64 * (1.0 + TOKEN_SLACK)).floor() as usize;
    let mut phrases = missing_phrases(members, representative, &original);
    let mut chosen = choose_examples(&pool);
    // Nothing to change: the representative's description is kept as written.
    let rep_examples = pool.iter().filter(|e| e.from_representative).count();
    let unchanged = dropped_sentences.is_empty()
        && phrases.is_empty()
        && rep_name == name
        && chosen.len() == rep_examples
        && chosen.iter().all(|&i| pool[i].from_representative);
    let mut description = if unchanged {
        original.clone()
    } else {
        compose(&prose, &phrases, &chosen, &pool)
    };
    // Within the size limit: first fewer phrases, then fewer examples (the others' first).
    while !unchanged && description_tokens(&description) > limit {
        if phrases.pop().is_none() {
            let last_other = chosen.iter().rposition(|&i| !pool[i].from_representative);
            match last_other.or_else(|| chosen.len().checked_sub(1)) {
                Some(k) => {
                    chosen.remove(k);
                }
                None => break,
            }
        }
        description = compose(&prose, &phrases, &chosen, &pool);
    }
    let from_others = chosen
        .iter()
        .filter(|&&i| !pool[i].from_representative)
        .count();
    let left_out: Vec<String> = (0..pool.len())
        .filter(|i| !chosen.contains(i))
        .map(|i| {
            let text = pool[i]
                .text
                .replace("<example>", "")
                .replace("</example>", "");
            first_sentence(&text)
        })
        .collect();
    let mut why = format!(
        "the representative's, with {} of {} example(s) covering different situations ({} from other members){}; about {} tokens (characters / 4), against {} for the representative and {} for the longest member's",
        chosen.len(),
        pool.len(),
        from_others,
        if phrases.is_empty() {
            String::new()
        } else {
            format!(", and trigger phrases from the others: {}", phrases.join(", "))
        },
        description_tokens(&description),
        description_tokens(&original),
        longest
    );
    if representative != chosen_representative {
        why = format!(
            "the representative has no description of its own, so {}'s, the fullest of the others': {}",
            rep.path.display(),
            why.trim_start_matches("the representative's, ")
        );
    }
    if !dropped_sentences.is_empty() {
        why.push_str("; sentences naming an agent this merge replaces were dropped");
    }
    let mut dropped: Vec<String> = members
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
    dropped.extend(dropped_sentences);
    dropped.extend(left_out.into_iter().map(|e| format!("example: {e}")));
    decisions.push(MergeDecision {
        field: "description".into(),
        chose: first_sentence(&description_prose(&description)),
        why,
        dropped: distinct(dropped.into_iter()),
    });
    description
}

/// The member whose description the merged one is built from: the representative's, unless it has
/// none (a collection whose agents are bodies only); then the other member whose description says
/// the most in prose (examples aside). A merged description made of trigger phrases alone ("Use it
/// for …") would tell Claude Code nothing of what the agent is.
fn description_source(members: &[&AgentFile], representative: usize) -> usize {
    let prose_len = |m: &AgentFile| {
        m.frontmatter
            .description()
            .map_or(0, |d| description_prose(&d).trim().len())
    };
    if prose_len(members[representative]) > 0 {
        return representative;
    }
    (0..members.len())
        .filter(|&i| prose_len(members[i]) > 0)
        .max_by_key(|&i| (prose_len(members[i]), std::cmp::Reverse(i)))
        .unwrap_or(representative)
}

/// Sentences of a text, each with the white space after it.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        if ends {
            let mut end = i + 1;
            while end < bytes.len() && bytes[end].is_ascii_whitespace() {
                end += 1;
            }
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Prose with the remains of removed examples tidied: list dashes and an `Examples:` with nothing
/// after it.
fn clean_prose(prose: &str) -> String {
    let mut text = prose.trim().to_owned();
    loop {
        let before = text.len();
        text = text.trim_end_matches(['-', ' ', '\n', '\t']).to_owned();
        for tail in [
            "Examples include:",
            "Examples:",
            "For example:",
            "Example:",
            "e.g.:",
        ] {
            if let Some(stripped) = text.strip_suffix(tail) {
                text = stripped.trim_end().to_owned();
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

/// Every example of every member, each once, its agent's old name made the merged name. An example
/// that names another agent this merge replaces is left out: it would send the user to itself.
fn example_pool(
    members: &[&AgentFile],
    representative: usize,
    name: &str,
    absorbed: &[String],
) -> Vec<Example> {
    let order =
        std::iter::once(representative).chain((0..members.len()).filter(|&i| i != representative));
    let mut pool: Vec<Example> = Vec::new();
    for i in order {
        let own = members[i].display_name();
        for example in examples(&members[i].frontmatter.description().unwrap_or_default()) {
            let text = if own == name {
                example
            } else {
                replace_word(&example, &own, name)
            };
            if absorbed
                .iter()
                .any(|n| *n != own && points::mentions(&text, n))
            {
                continue;
            }
            let terms = situation(&text);
            if pool.iter().any(|e| jaccard(&e.terms, &terms) >= 0.999) {
                continue;
            }
            pool.push(Example {
                text,
                terms,
                from_representative: i == representative,
            });
        }
    }
    pool
}

/// The words of an example's situation: its context and the user's request, without the labels
/// every example repeats and without the assistant's answer (which names the agent).
fn situation(example: &str) -> Terms {
    let lower = example.to_lowercase();
    let end = lower.find("assistant:").unwrap_or(lower.len());
    let labels = terms_of("example context user commentary");
    terms_of(&lower[..end])
        .into_iter()
        .filter(|t| !labels.contains(t))
        .collect()
}

/// Up to [`MAX_EXAMPLES`]: the representative's (its author chose them), then of the others' the
/// one least like any chosen, as long as it is not the same situation.
fn choose_examples(pool: &[Example]) -> Vec<usize> {
    let mut chosen: Vec<usize> = (0..pool.len())
        .filter(|&i| pool[i].from_representative)
        .take(MAX_EXAMPLES)
        .collect();
    while chosen.len() < MAX_EXAMPLES {
        let closest = |i: usize| {
            chosen
                .iter()
                .map(|&c| jaccard(&pool[c].terms, &pool[i].terms))
                .fold(0.0f32, f32::max)
        };
        let next = (0..pool.len())
            .filter(|i| !chosen.contains(i))
            .map(|i| (i, closest(i)))
            .filter(|&(_, sim)| sim < SAME_SITUATION)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        match next {
            Some((i, _)) => chosen.push(i),
            None => break,
        }
    }
    chosen.sort_unstable();
    chosen
}

/// Prose, the trigger phrases added (into a list of the prose when it has one, else in a sentence
/// of their own), then the examples.
fn compose(prose: &str, phrases: &[String], chosen: &[usize], pool: &[Example]) -> String {
    let woven = weave(prose, phrases);
    let mut text = woven.clone().unwrap_or_else(|| prose.to_owned());
    if !phrases.is_empty() && woven.is_none() {
        if !text.is_empty() && !text.ends_with(['.', '!', '?']) {
            text.push('.');
        }
        if !text.is_empty() {
            text.push(' ');
        }
        // Without a description of its own the phrases are all it says: "Also" would follow nothing.
        let lead = if text.is_empty() {
            "Use it for"
        } else {
            "Also use it for"
        };
        text.push_str(&format!("{lead} {}.", join_phrases(phrases)));
    }
    if !chosen.is_empty() {
        text.push_str(if text.is_empty() {
            "Examples:"
        } else {
            "\n\nExamples:"
        });
        for &i in chosen {
            text.push_str("\n\n");
            text.push_str(pool[i].text.trim());
        }
    }
    text
}

/// The prose with the phrases woven into its last list of uses, before the list's last item
/// (`Activate for Java development, Spring Boot, or enterprise architecture.` takes `Spring
/// Framework` as `…, Spring Boot, Spring Framework, or enterprise architecture.`): one sentence as
/// its author would have written it, not a keyword tail. `None` when the prose has no such list:
/// three or more items, the last after `and`/`or`, none of them a verb (`building, reviewing, or
/// debugging`: nouns would break it), in a sentence not cut short.
fn weave(prose: &str, phrases: &[String]) -> Option<String> {
    if phrases.is_empty() || !phrases.iter().all(|p| is_noun_item(p)) {
        return None;
    }
    let mut offset = prose.len();
    for sentence in sentences(prose).into_iter().rev() {
        offset -= sentence.len();
        let body = sentence.trim_end();
        if body.ends_with("...") || body.ends_with('…') {
            continue;
        }
        if let Some(at) = list_end(body) {
            let at = offset + at;
            let woven = format!("{}, {}{}", &prose[..at], phrases.join(", "), &prose[at..]);
            return Some(woven);
        }
    }
    None
}

/// Where a sentence's list of three or more noun items ends: the byte before its `, and`/`, or`
/// (or ` and`/` or` without the serial comma), where further items go.
fn list_end(sentence: &str) -> Option<usize> {
    let conjunction = [" and ", " or "]
        .iter()
        .filter_map(|c| sentence.rfind(c))
        .max()?;
    let before = &sentence[..conjunction];
    let at = if before.ends_with(',') {
        conjunction - 1
    } else {
        conjunction
    };
    let items: Vec<&str> = sentence[..at].split(',').collect();
    // The first piece is the sentence's start ("Expert in X"), not an item of its own.
    if items.len() < 2 || items[1..].iter().any(|i| i.contains(['(', ')', ':', ';'])) {
        return None;
    }
    let last = sentence[conjunction..]
        .trim_start_matches([' ', ','])
        .split_once(' ')
        .map_or("", |(_, rest)| rest);
    let nouns = items[1..]
        .iter()
        .copied()
        .chain([last])
        .all(|item| is_noun_item(item.trim()));
    nouns.then_some(at)
}

/// Whether a list item reads as a thing (`Spring Boot`, `component testing`), not an action
/// (`reviewing`, `improving agent performance`, `builds APIs`) nor a clause, and is short enough to
/// be an item. A list of actions takes no things, nor a list of things actions.
fn is_noun_item(item: &str) -> bool {
    let words = item.split_whitespace().count();
    let gerund = item
        .split_whitespace()
        .next()
        .is_some_and(|w| w.len() > 4 && w.to_lowercase().ends_with("ing"));
    (1..=8).contains(&words) && !gerund && reads_as_a_use(item)
}

fn join_phrases(phrases: &[String]) -> String {
    match phrases {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Phrases of the other members' descriptions that say when to use them (the items of their
/// lists: "including API design, database architecture, …") and that the representative's does
/// not say: those several members use first.
fn missing_phrases(members: &[&AgentFile], representative: usize, original: &str) -> Vec<String> {
    let mut covered = terms_of(&description_prose(original));
    let proses: Vec<(usize, Terms)> = members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != representative)
        .map(|(i, m)| {
            let d = m.frontmatter.description().unwrap_or_default();
            (i, terms_of(&description_prose(&d)))
        })
        .collect();
    let mut found: Vec<(String, Terms, usize, usize)> = Vec::new();
    for (i, m) in members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != representative)
    {
        let d = m.frontmatter.description().unwrap_or_default();
        for phrase in list_items(&description_prose(&d)) {
            // A phrase in another script than the representative's description (`리소스 관리`
            // in an English one) would be a second language in one sentence.
            if other_script(&phrase) && !other_script(original) {
                continue;
            }
            if !reads_as_a_use(&phrase) {
                continue;
            }
            let terms = terms_of(&phrase);
            if terms.is_empty() || found.iter().any(|f| f.1 == terms) {
                continue;
            }
            let support = proses
                .iter()
                .filter(|(_, p)| holds_phrase(p, &terms))
                .count();
            found.push((phrase, terms, support, i));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.2));
    // With two or more other members, a phrase only one of them uses is that member's own angle on
    // the job, as a point only one member makes is in the body: the description takes the uses
    // several share. A pair's other member is alone by necessity; its phrases all count.
    let least_support = if proses.len() >= 2 { 2 } else { 1 };
    let mut written = points::letters_of(&description_prose(original));
    let mut out = Vec::new();
    let mut added = Terms::default();
    for (phrase, terms, support, _) in found {
        if out.len() == MAX_PHRASES {
            break;
        }
        // `Core Data` after `CoreData`: the same name spaced otherwise.
        let spelled = points::letters_of(&phrase);
        if support < least_support || written.contains(&spelled) {
            continue;
        }
        // Half of it said by a phrase added before ("performance issues" after "performance",
        // "optimizing performance" after "performance tuning") would say it twice in one sentence.
        let said = terms.iter().filter(|t| added.contains(t)).count();
        if holds_phrase(&covered, &terms) || said * 2 >= terms.len() {
            continue;
        }
        covered.extend(terms.iter().copied());
        added.extend(terms.iter().copied());
        written.push(' ');
        written.push_str(&spelled);
        out.push(phrase);
    }
    out
}

/// Verbs that open a phrase of what an agent does rather than of what it is used for
/// ("configure", "create process flows", "handles subscriptions"): after "use it for" they break
/// the sentence. Words that are nouns as often (`design`, `test`, `review`, `build`) are not here.
const VERBS: &[&str] = &[
    "add",
    "prioritize",
    "advise",
    "analyse",
    "analyze",
    "apply",
    "assess",
    "automate",
    "conduct",
    "configure",
    "convert",
    "coordinate",
    "create",
    "debug",
    "define",
    "deploy",
    "detect",
    "develop",
    "enforce",
    "ensure",
    "establish",
    "evaluate",
    "explain",
    "generate",
    "guide",
    "handle",
    "help",
    "identify",
    "implement",
    "improve",
    "integrate",
    "maintain",
    "make",
    "manage",
    "measure",
    "migrate",
    "modernize",
    "monitor",
    "optimise",
    "optimize",
    "orchestrate",
    "perform",
    "prevent",
    "provide",
    "recommend",
    "refactor",
    "resolve",
    "streamline",
    "track",
    "transform",
    "troubleshoot",
    "upgrade",
    "validate",
    "write",
];

/// Words that say nothing as a phrase of their own: adjectives ("maintainable") and the broad
/// nouns every description of the field uses ("development", "performance").
const SAYS_NOTHING_ALONE: &[&str] = &[
    "accessible",
    "advanced",
    "clean",
    "complex",
    "efficient",
    "fast",
    "maintainable",
    "modern",
    "performant",
    "reliable",
    "responsive",
    "review",
    "reviews",
    "robust",
    "scalable",
    "secure",
    "architecture",
    "deployment",
    "deployments",
    "design",
    "development",
    "documentation",
    "implementation",
    "integration",
    "maintenance",
    "management",
    "optimisation",
    "optimization",
    "performance",
    "quality",
    "security",
    "support",
    "testing",
    "tests",
];

/// Words that open a clause, not a thing to use an agent for ("when onboarding developers").
const CLAUSE_OPENERS: &[&str] = &[
    "after", "before", "by", "for", "if", "to", "when", "whenever", "where", "while", "with",
];

/// Whether a phrase reads as an item after "use it for": not opened by a verb (`create …`,
/// `handles …`; `creating …` does) or by a clause word (`when …`), and not one broad word alone.
fn reads_as_a_use(phrase: &str) -> bool {
    let lower = phrase.to_lowercase();
    let mut words = lower.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let verb_forms = [
        Some(first),
        first.strip_suffix('s'),
        first.strip_suffix("es"),
    ];
    let opens_with_verb = verb_forms.iter().flatten().any(|w| VERBS.contains(w))
        || first
            .strip_suffix("ies")
            .is_some_and(|stem| VERBS.contains(&format!("{stem}y").as_str()));
    let says_nothing = words.next().is_none() && SAYS_NOTHING_ALONE.contains(&first);
    !opens_with_verb && !says_nothing && !CLAUSE_OPENERS.contains(&first)
}

/// Whether a text has letters of another script than the Latin one.
fn other_script(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_alphabetic() && !c.is_ascii() && !('\u{c0}'..='\u{24f}').contains(&c))
}

/// Whether `words` hold a phrase: all its words, or two thirds of a longer one.
fn holds_phrase(words: &Terms, phrase: &Terms) -> bool {
    let common = phrase.iter().filter(|t| words.contains(t)).count();
    common == phrase.len() || (phrase.len() > 2 && common * 3 >= phrase.len() * 2)
}

/// The items of the lists in a text: after `including`, `such as`, `e.g.` or `:`, separated by
/// commas (at least three of them), each of one to six words.
fn list_items(prose: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in sentences(prose) {
        // ASCII lowercasing keeps byte offsets, so they index the sentence itself.
        let lower = sentence.to_ascii_lowercase();
        let start = [
            "including ",
            "include ",
            "includes ",
            "such as ",
            "e.g. ",
            ": ",
        ]
        .iter()
        .filter_map(|m| lower.rfind(m).map(|i| i + m.len()))
        .max()
        .unwrap_or(0);
        let segment = &sentence[start..];
        let items: Vec<&str> = segment.split([',', ';']).collect();
        if items.len() < 3 {
            continue;
        }
        // Without a word that opens the list, the first item is the sentence's own start
        // ("Expert in testing, mocking, …", "This agent builds X, Y, …"): no phrase of the list.
        let skip = usize::from(start == 0);
        // A description cut short in its source ("… and endpoint documenta...") ends in a word cut
        // short: the last item is no phrase.
        let trimmed = sentence.trim_end();
        let cut = usize::from(trimmed.ends_with("...") || trimmed.ends_with('…'));
        let take = items.len().saturating_sub(skip + cut);
        for item in items.into_iter().skip(skip).take(take) {
            let item = item.trim().trim_end_matches(['.', '!', '?', ':']).trim();
            let item = ["and ", "or ", "etc"]
                .iter()
                .fold(item, |s, p| s.strip_prefix(p).unwrap_or(s))
                .trim();
            let words = item.split_whitespace().count();
            // A comma inside parentheses cuts them: `DApps (Solidity, Rust)` gives `rust)`.
            let balanced = item.matches('(').count() == item.matches(')').count();
            if (1..=6).contains(&words) && balanced && !item.contains(['<', '>', '"', '\'']) {
                out.push(lowercase_first(item));
            }
        }
    }
    out
}

/// `Designing microservices` → `designing microservices`; `API design`, `BigQuery operations`
/// and `React Server Components` (names, as capitals inside a word or on other words show) stay.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    let inner_capitals = text
        .split_whitespace()
        .enumerate()
        .any(|(i, w)| w.chars().skip(usize::from(i == 0)).any(char::is_uppercase));
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() && !inner_capitals => a
            .to_lowercase()
            .chain(text[a.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, name: &str, description: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: {description:?}\n---\nBody\n");
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    fn example(user: &str) -> String {
        format!("<example>Context: x\nuser: \"{user}\"\nassistant: \"I will help\"</example>")
    }

    #[test]
    fn at_most_three_examples_of_different_situations() {
        let rep = agent(
            "a.md",
            "api-designer",
            &format!(
                "Use for API design. {}",
                example("Design a REST API for orders")
            ),
        );
        let others: String = [
            "Design a REST API for the orders service",
            "Why is the checkout endpoint slow under load",
            "Version our public API without breaking clients",
            "Document the endpoints of the billing service in OpenAPI",
        ]
        .iter()
        .map(|u| example(u))
        .collect::<Vec<_>>()
        .join(" ");
        let other = agent("b.md", "api-helper", &format!("Helps with APIs. {others}"));
        let mut decisions = Vec::new();
        let d = merge_description(&[&rep, &other], 0, "api-designer", &mut decisions);
        let kept = examples(&d);
        assert_eq!(kept.len(), 3, "{d}");
        assert!(kept[0].contains("Design a REST API for orders"));
        // The reworded copy of the representative's example is the same situation: not kept.
        assert!(!d.contains("orders service"), "{d}");
    }

    #[test]
    fn a_representative_without_a_description_takes_the_fullest_of_the_others() {
        let body_only = parse_agent(
            Path::new("core/kiln-keeper.md"),
            b"---\nmodel: sonnet\n---\nYou keep kilns.\n",
        )
        .unwrap();
        let short = agent("b.md", "kiln-helper", "Helps with kilns.");
        let full = agent(
            "c.md",
            "kiln-operator",
            "Runs pottery kilns: loading, firing schedules and cooling. Use when a firing is planned.",
        );
        let mut decisions = Vec::new();
        let d = merge_description(
            &[&body_only, &short, &full],
            0,
            "kiln-keeper",
            &mut decisions,
        );
        assert!(d.starts_with("Runs pottery kilns"), "{d}");
        let decision = decisions.iter().find(|d| d.field == "description").unwrap();
        assert!(decision.why.contains("c.md"), "{decision:?}");
    }

    #[test]
    fn trigger_phrases_missing_from_the_representative_are_added() {
        let rep = agent(
            "a.md",
            "backend",
            "Use this agent to design backend systems.",
        );
        let other = agent(
            "b.md",
            "backend-2",
            "Use it for backend work including API design, database architecture, caching, and server optimization.",
        );
        let d = merge_description(&[&rep, &other], 0, "backend", &mut Vec::new());
        assert!(
            d.starts_with("Use this agent to design backend systems. Also use it for "),
            "{d}"
        );
        assert!(
            d.contains("database architecture") && d.contains("caching"),
            "{d}"
        );
    }

    #[test]
    fn list_phrases_are_items_of_a_list_not_the_start_of_the_sentence_or_cut_parentheses() {
        let items = list_items(
            "Expert in test strategy, test pyramids, flaky tests and coverage goals. \
             Builds DApps (Solidity, Rust), wallets, token contracts and NFT marketplaces.",
        );
        assert!(items.contains(&"test pyramids".to_owned()), "{items:?}");
        assert!(items.contains(&"wallets".to_owned()), "{items:?}");
        assert!(
            !items
                .iter()
                .any(|i| i.contains("expert") || i.contains("rust)") || i.contains("DApps")),
            "{items:?}"
        );
        // After a word that opens the list, the first item is one.
        let items = list_items("Helps with backend work including API design, caching, queues.");
        assert_eq!(items, ["API design", "caching", "queues"]);
    }

    #[test]
    fn list_phrases_keep_names_as_written_and_leave_out_words_cut_short() {
        let items = list_items(
            "Builds APIs including Designing microservices, BigQuery operations, React Server Components, auth, endpoint documenta...",
        );
        assert_eq!(
            items,
            [
                "designing microservices",
                "BigQuery operations",
                "React Server Components",
                "auth"
            ]
        );
    }

    #[test]
    fn trigger_phrases_join_the_representatives_own_list() {
        let rep = agent(
            "a.md",
            "kiln",
            "Runs pottery kilns. Activate for firing schedules, glaze chemistry, or kiln repair.",
        );
        let other = agent(
            "b.md",
            "kiln-2",
            "Kiln helper for the studio potter who fires stoneware and porcelain every week of the \
             year, for many jobs, including cone packs, shelf wash, and thermocouple checks.",
        );
        let d = merge_description(&[&rep, &other], 0, "kiln", &mut Vec::new());
        assert_eq!(
            d,
            "Runs pottery kilns. Activate for firing schedules, glaze chemistry, cone packs, \
             shelf wash, thermocouple checks, or kiln repair."
        );
        // A list of actions takes no things: the phrases get a sentence of their own.
        let rep = agent(
            "a.md",
            "kiln",
            "Use when loading, firing, or cooling a kiln.",
        );
        let d = merge_description(&[&rep, &other], 0, "kiln", &mut Vec::new());
        assert!(
            d.starts_with(
                "Use when loading, firing, or cooling a kiln. Also use it for cone packs"
            ),
            "{d}"
        );
    }

    #[test]
    fn phrases_in_another_script_are_not_added_to_a_latin_description() {
        let rep = agent("a.md", "k8s", "Helps run Kubernetes clusters.");
        let other = agent(
            "b.md",
            "k8s-2",
            "쿠버네티스 전문가: 리소스 관리, 고가용성, 이미지 정책, RBAC audits, network policies.",
        );
        let d = merge_description(&[&rep, &other], 0, "k8s", &mut Vec::new());
        assert!(!other_script(&d), "{d}");
        assert!(d.contains("RBAC audits"), "{d}");
    }

    #[test]
    fn added_phrases_read_as_uses_and_say_each_thing_once() {
        let rep = agent("a.md", "web", "Builds web applications.");
        let other = agent(
            "b.md",
            "web-2",
            "Helps including configure, create process flows, handles sessions, maintainable, \
             development, when onboarding, performance tuning, optimizing performance, rate limiting, and creating dashboards.",
        );
        let d = merge_description(&[&rep, &other], 0, "web", &mut Vec::new());
        assert_eq!(
            d,
            "Builds web applications. Also use it for performance tuning, rate limiting and \
             creating dashboards."
        );
    }

    #[test]
    fn with_several_other_members_only_phrases_two_of_them_use_are_added_each_spelling_once() {
        let rep = agent("a.md", "ios", "Builds iOS apps with CoreData.");
        let b = agent(
            "b.md",
            "ios-2",
            "Builds apps including Core Data, CloudKit sync, widget design, and push notifications.",
        );
        let c = agent(
            "c.md",
            "ios-3",
            "Builds apps including CloudKit sync, push notifications, and in-app purchases.",
        );
        let d = merge_description(&[&rep, &b, &c], 0, "ios", &mut Vec::new());
        assert_eq!(
            d,
            "Builds iOS apps with CoreData. Also use it for CloudKit sync and push notifications."
        );
        // A pair: the other member's phrases count, but `Core Data` is `CoreData` spaced otherwise.
        let d = merge_description(&[&rep, &b], 0, "ios", &mut Vec::new());
        assert!(
            d.contains("widget design") && !d.contains("Core Data"),
            "{d}"
        );
    }

    #[test]
    fn a_representative_without_description_gets_no_bare_trigger_phrases() {
        let rep = agent("a.md", "reviewer", "");
        let other = agent(
            "b.md",
            "reviewer-2",
            "Reviews code including security checks, performance issues, naming, and test coverage.",
        );
        let d = merge_description(&[&rep, &other], 0, "reviewer", &mut Vec::new());
        assert!(d.starts_with("Reviews code"), "{d}");
        assert!(!d.contains("Also") && !d.contains("Use it for"), "{d}");
    }

    #[test]
    fn sentences_sending_the_user_to_an_absorbed_agent_are_dropped() {
        let rep = agent(
            "a.md",
            "ci-checker",
            "Checks CI pipelines. Use ci-reviewer for general checks.",
        );
        let other = agent("b.md", "ci-reviewer", "Reviews CI pipelines.");
        let d = merge_description(&[&rep, &other], 0, "ci-checker", &mut Vec::new());
        assert_eq!(d, "Checks CI pipelines.");
    }

    #[test]
    fn the_description_stays_within_the_longest_members_plus_a_tenth() {
        let long_examples: String = (0..6)
            .map(|i| example(&format!("situation number {i} about topic{i} and thing{i}")))
            .collect();
        let rep = agent("a.md", "x-helper", "Short.");
        let other = agent("b.md", "y-helper", &format!("Other. {long_examples}"));
        let longest = description_tokens(&other.frontmatter.description().unwrap());
        let d = merge_description(&[&rep, &other], 0, "x-helper", &mut Vec::new());
        assert!(description_tokens(&d) as f64 <= longest as f64 * 1.1, "{d}");
        assert!(examples(&d).len() <= MAX_EXAMPLES);
    }
}
