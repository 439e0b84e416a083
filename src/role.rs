//! Role: the job an agent declares for itself, in the few words where it says so.
//!
//! Names alone miss duplicates whose authors named them differently (`cyber-sentinel` and
//! `security-auditor`, `quality-guardian` and `code-reviewer`); bodies written by different people
//! agree little word for word. But nearly every agent says what it is in a short phrase: the title
//! of its body (`# Security Auditor`), the sentence that gives it its identity (`You are a senior
//! code reviewer with …`, `As a database architect, …`, `I'm your dependency management
//! specialist`) and the first clause of its description (`Expert cybersecurity specialist focused on
//! vulnerability identification`). The role words of those phrases, read like the words of a name
//! (filler words dropped, doers read as deeds, synonyms made one), together with the name's own, make
//! the agent's *role*.

use crate::markdown::{Block, BlockKind};

/// At most this many words of an identity sentence or a description's first clause are read: the
/// role is said at the start, and what follows lists what the agent does in detail.
pub const CLAUSE_WORDS: usize = 14;

/// An identity sentence is looked for in the body's first blocks only: further down, `you are`
/// speaks to the user or sits in an example.
const IDENTITY_BLOCKS: usize = 24;

/// A phrase in which an agent declares its role, split where the role ends and what it does in
/// detail begins (`senior code reviewer` | `with expertise in many languages`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The role itself: the words before the first connective ([`CONNECTIVES`]), or, when those are
    /// only a title (`expert in …`), the words after it up to the next one.
    pub head: String,
    /// The rest of the phrase.
    pub tail: String,
}

/// What every agent is, after `AI` (`You are a specialized AI agent with …`): `AI` there says
/// nothing about the role.
const GENERIC_KINDS: [&str; 3] = ["agent", "assistant", "model"];

/// Words that end the naming of a role and start saying what it does in detail.
const CONNECTIVES: [&str; 23] = [
    "who",
    "that",
    "which",
    "whose",
    "with",
    "focused",
    "focusing",
    "specializing",
    "specialising",
    "specialized",
    "specialised",
    "dedicated",
    "responsible",
    "ensuring",
    "helping",
    "using",
    "combining",
    "in",
    "for",
    "on",
    "of",
    "to",
    "you",
];

impl Declared {
    /// `phrase` split at its connectives, `is_title(word)` telling the words that only style a role
    /// (`expert`, `senior`).
    pub fn split(phrase: &str, is_title: impl Fn(&str) -> bool) -> Declared {
        let words: Vec<&str> = phrase.split_whitespace().collect();
        let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
        let is_connective = |w: &&str| {
            let bare = bare(w);
            CONNECTIVES.contains(&bare.as_str()) || bare.is_empty()
        };
        // Whether each word names something: not a connective, not a title, and not the `AI` of
        // `an AI agent` / `AI assistant` (what every agent is, not its role).
        let names: Vec<bool> = (0..words.len())
            .map(|i| {
                let word = bare(words[i]);
                let generic_ai = word == "ai"
                    && words
                        .get(i + 1)
                        .is_some_and(|next| GENERIC_KINDS.contains(&bare(next).as_str()));
                !word.is_empty()
                    && !is_title(&word)
                    && !CONNECTIVES.contains(&word.as_str())
                    && !generic_ai
            })
            .collect();
        let segments: Vec<&[&str]> = words.split_inclusive(is_connective).collect();
        // The head runs to the end of the first segment that names something (`expert with deep
        // expertise in` | `database design`), or is the first segment when none does.
        let mut head_len = 0;
        for segment in &segments {
            let start = head_len;
            head_len += segment.len();
            if names[start..head_len].iter().any(|&n| n) {
                break;
            }
        }
        if !names.iter().any(|&n| n) {
            head_len = segments.first().map_or(0, |s| s.len());
        }
        // The connective that ends the head starts the tail.
        if head_len > 1 && is_connective(&words[head_len - 1]) {
            head_len -= 1;
        }
        Declared {
            head: words[..head_len].join(" "),
            tail: words[head_len..].join(" "),
        }
    }
}

/// The phrases in which an agent declares its role, besides its name: the title of its body, its
/// identity sentence and the first clause of its description, each cut to its first words.
pub fn declared_phrases(description: &str, blocks: &[Block]) -> Vec<String> {
    let mut out = body_phrases(blocks);
    let clause = first_clause(description);
    if !clause.is_empty() {
        out.push(clause);
    }
    out
}

/// The phrases of [`declared_phrases`] the body alone gives (its title, its identity sentence),
/// in that order: a pure function of the body, so a copy of a body can reuse them.
pub fn body_phrases(blocks: &[Block]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(title) = title(blocks) {
        out.push(title.to_owned());
    }
    if let Some(identity) = blocks
        .iter()
        .take(IDENTITY_BLOCKS)
        .filter(|b| matches!(b.kind, BlockKind::Paragraph | BlockKind::ListItem))
        .find_map(|b| identity_clause(&b.text))
    {
        out.push(identity);
    }
    out
}

/// The body's title: its first block, when that is a top-level heading. HTML comments before it
/// (notes to the maintainer, which no reader sees) do not count as the first block.
pub fn title(blocks: &[Block]) -> Option<&str> {
    let first = blocks.iter().find(|b| !is_comment(b))?;
    (first.kind == BlockKind::Heading(1)).then_some(first.text.as_str())
}

/// An HTML comment block (`<!-- … -->`): text for whoever edits the file, not part of the prompt's
/// structure.
fn is_comment(block: &Block) -> bool {
    block.kind == BlockKind::Other && block.source.starts_with("<!--")
}

/// Words that open an identity sentence, lowercase, each followed by the role.
const IDENTITY_OPENERS: [&str; 7] = [
    "you are ",
    "you're ",
    "as a ",
    "as an ",
    "i am ",
    "i'm ",
    "this agent is ",
];

/// The role an identity sentence gives (`You are a senior code reviewer with expertise in …` →
/// `senior code reviewer with expertise in …`), cut at the end of its sentence and to
/// [`CLAUSE_WORDS`] words. The opener must start a sentence of the text.
pub fn identity_clause(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let start = IDENTITY_OPENERS
        .iter()
        .filter_map(|opener| find_at_sentence_start(&lower, opener).map(|at| at + opener.len()))
        .min()?;
    let rest = &lower[start..];
    let rest = rest
        .strip_prefix("a ")
        .or_else(|| rest.strip_prefix("an "))
        .or_else(|| rest.strip_prefix("the "))
        .or_else(|| rest.strip_prefix("your "))
        .unwrap_or(rest);
    let clause = leading_words(sentence(rest), CLAUSE_WORDS);
    (!clause.is_empty()).then_some(clause)
}

/// Where `needle` first stands at the start of a sentence of `text` (the text's start, or after
/// `.`, `!`, `?`, `:`, a dash or an opening parenthesis and spaces).
fn find_at_sentence_start(text: &str, needle: &str) -> Option<usize> {
    text.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let before = text[..i].trim_end();
        before.is_empty() || before.ends_with(['.', '!', '?', ':', '-', '—', '–', '('])
    })
}

/// The first clause of a description (`Use this agent when you need to review code for quality.
/// It …` → `use this agent when you need to review code for quality`), its `<example>` blocks left
/// out, lowercase, cut to [`CLAUSE_WORDS`] words.
pub fn first_clause(description: &str) -> String {
    let prose = crate::normalize::description_prose(description).to_lowercase();
    let clause = sentence(prose.trim_start());
    let mut words = clause.split_whitespace().peekable();
    while words.next_if(|w| DESCRIPTION_OPENERS.contains(w)).is_some() {}
    words.take(CLAUSE_WORDS).collect::<Vec<_>>().join(" ")
}

/// Words that open descriptions whatever the role (`Use this agent when you need to …`, `MUST BE
/// USED for …`, `Use PROACTIVELY to …`): left out of the first clause.
const DESCRIPTION_OPENERS: [&str; 22] = [
    "use",
    "used",
    "must",
    "be",
    "should",
    "this",
    "agent",
    "subagent",
    "when",
    "whenever",
    "you",
    "need",
    "want",
    "to",
    "for",
    "proactively",
    "immediately",
    "it",
    "the",
    "a",
    "an",
    "if",
];

/// Text up to the end of its first sentence: a `.`, `!` or `?` followed by a space or the end (so
/// `node.js` and `3.10` stay whole), a `;` or a line break.
fn sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let next_is_gap = bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        match b {
            b'\n' | b';' => return &text[..i],
            b'.' | b'!' | b'?' if next_is_gap => return &text[..i],
            _ => {}
        }
    }
    text
}

/// The first `n` words of `text`, separated by single spaces.
fn leading_words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::blocks;

    #[test]
    fn a_phrase_splits_into_the_role_and_what_it_does() {
        let is_title = |w: &str| ["senior", "expert", "a", "agent"].contains(&w);
        let split = |phrase: &str| {
            let d = Declared::split(phrase, is_title);
            (d.head, d.tail)
        };
        assert_eq!(
            split("senior kite reviewer with an eye for knots"),
            (
                "senior kite reviewer".into(),
                "with an eye for knots".into()
            )
        );
        assert_eq!(
            split("expert in kite design for beginners"),
            ("expert in kite design".into(), "for beginners".into()),
            "a head of titles only reads on to the subject"
        );
        assert_eq!(
            split("kite flyer and knot tyer who checks lines"),
            ("kite flyer and knot tyer".into(), "who checks lines".into())
        );
        assert_eq!(split("kite flyer"), ("kite flyer".into(), String::new()));
        assert_eq!(
            split("senior ai agent with expert in kite design for beginners"),
            (
                "senior ai agent with expert in kite design".into(),
                "for beginners".into()
            ),
            "`AI agent` is what every agent is: the head reads on, past titles, to the subject"
        );
        assert_eq!(
            split("ai kite flyer for beginners"),
            ("ai kite flyer".into(), "for beginners".into()),
            "AI as a subject stays"
        );
    }

    #[test]
    fn an_identity_sentence_gives_the_role_after_its_opener() {
        assert_eq!(
            identity_clause("You are a senior code reviewer. You check every diff.").as_deref(),
            Some("senior code reviewer")
        );
        assert_eq!(
            identity_clause("As an API designer, you shape contracts first.").as_deref(),
            Some("api designer, you shape contracts first")
        );
        assert_eq!(
            identity_clause("Hello. I'm your release manager; I cut tags.").as_deref(),
            Some("release manager")
        );
        assert_eq!(
            identity_clause("You are the Gardener - keeper of the lawn.").as_deref(),
            Some("gardener - keeper of the lawn")
        );
    }

    #[test]
    fn an_opener_inside_a_sentence_is_not_an_identity() {
        assert_eq!(identity_clause("Tell me what you are building."), None);
        assert_eq!(identity_clause("Works as a linter for YAML."), None);
        assert_eq!(identity_clause("Nothing about roles here."), None);
    }

    #[test]
    fn a_long_identity_is_cut_to_its_first_words() {
        let long = "You are a tester of one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
        let clause = identity_clause(long).unwrap();
        assert_eq!(clause.split(' ').count(), CLAUSE_WORDS);
        assert!(clause.starts_with("tester of one"));
    }

    #[test]
    fn the_first_clause_of_a_description_ends_at_its_first_sentence() {
        assert_eq!(
            first_clause("Expert in Node.js and Python 3.10 tooling. Use it often."),
            "expert in node.js and python 3.10 tooling"
        );
        assert_eq!(
            first_clause("<example>user: hi</example> Builds dashboards; fast"),
            "builds dashboards"
        );
        assert_eq!(first_clause(""), "");
    }

    #[test]
    fn the_title_is_a_first_top_level_heading_only() {
        let titled = blocks("# Kite Flyer\n\nYou are a kite flyer.\n");
        assert_eq!(title(&titled), Some("Kite Flyer"));
        assert_eq!(title(&blocks("Intro.\n\n# Later heading\n")), None);
        assert_eq!(title(&blocks("## Second level\n")), None);
        assert_eq!(
            title(&blocks(
                "<!-- note: kept short -->\n\n# Kite Flyer\n\nFlies kites.\n"
            )),
            Some("Kite Flyer"),
            "a comment before the title"
        );
    }

    #[test]
    fn declared_phrases_gather_title_identity_and_description() {
        let body = blocks(
            "# Kite Flyer\n\n```\nyou are not this\n```\n\nIntro line. You are an expert kite flyer who reads the wind.\n",
        );
        assert_eq!(
            declared_phrases("Flies kites in strong wind. More.", &body),
            vec![
                "Kite Flyer".to_owned(),
                "expert kite flyer who reads the wind".to_owned(),
                "flies kites in strong wind".to_owned()
            ]
        );
        assert!(declared_phrases("", &blocks("Plain text.\n")).is_empty());
    }
}
