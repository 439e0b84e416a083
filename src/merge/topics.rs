//! What a section title is about, so that "Core responsibilities", "Your primary responsibilities:"
//! and "Your core responsibilities include:" are found to be one topic.
//!
//! A title's topic is a lexicon topic (`topics.txt`: a small data file of the words agent prompts
//! use for their usual sections) when one of its phrases is in the title, plus the title's other
//! content words. Two titles name the same topic when both have the same lexicon topic and their
//! other words do not disagree, or, without a lexicon topic, when they share most of their words.

use crate::normalize::{normalize_text, terms};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// A section title, read for its topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topic {
    /// The lexicon topic the title names, if any (`responsibilities`, `approach`, …).
    pub known: Option<&'static str>,
    /// Whether an agent should have this topic once only (`output`: one format).
    pub exclusive: bool,
    /// The title's content words (stemmed) other than the lexicon topic's and generic ones.
    pub rest: BTreeSet<String>,
}

struct LexiconTopic {
    name: &'static str,
    exclusive: bool,
    /// Each phrase as its stemmed words.
    phrases: Vec<Vec<String>>,
    /// Every word of every phrase.
    words: BTreeSet<String>,
}

fn stems(text: &str) -> Vec<String> {
    terms(&normalize_text(text))
}

fn lexicon() -> &'static [LexiconTopic] {
    static LEXICON: OnceLock<Vec<LexiconTopic>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        include_str!("topics.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(':'))
            .map(|(name, phrases)| {
                let phrases: Vec<Vec<String>> = phrases
                    .split(',')
                    .map(stems)
                    .filter(|p| !p.is_empty())
                    .collect();
                LexiconTopic {
                    name: name.trim().trim_end_matches('*'),
                    exclusive: name.trim().ends_with('*'),
                    words: phrases.iter().flatten().cloned().collect(),
                    phrases,
                }
            })
            .collect()
    })
}

fn generic_words() -> &'static BTreeSet<String> {
    static WORDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("generic_title_words.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split(','))
            .flat_map(stems)
            .collect()
    })
}

/// The topic of a section title.
pub fn topic(title: &str) -> Topic {
    let ordered = stems(title);
    let position = |w: &String| ordered.iter().rposition(|o| o == w).unwrap_or(0);
    let words: BTreeSet<String> = ordered.iter().cloned().collect();
    // The topic whose matching phrase is longest (`technology stack` over `stack`); on a tie, the
    // one named last, as English puts the head noun last (`Response approach` is an approach).
    let known = lexicon()
        .iter()
        .filter_map(|t| {
            let (longest, last) = t
                .phrases
                .iter()
                .filter(|p| p.iter().all(|w| words.contains(w)))
                .map(|p| (p.len(), p.iter().map(position).max().unwrap_or(0)))
                .max()?;
            Some((t, longest, last))
        })
        .max_by(|a, b| {
            (a.1, a.2)
                .cmp(&(b.1, b.2))
                .then(std::cmp::Ordering::Greater)
        });
    let known = known.map(|(t, len, _)| (t, len));
    let generic = generic_words();
    let content: BTreeSet<String> = words.into_iter().filter(|w| !generic.contains(w)).collect();
    let rest: BTreeSet<String> = content
        .iter()
        .filter(|w| known.is_none_or(|(t, _)| !t.words.contains(*w)))
        .cloned()
        .collect();
    // A lexicon word among several others does not make the title about that topic (`Data
    // processing & security` is not a process): at most one other word.
    if rest.len() > 1 {
        return Topic {
            known: None,
            exclusive: false,
            rest: content,
        };
    }
    Topic {
        known: known.map(|(t, _)| t.name),
        exclusive: known.is_some_and(|(t, _)| t.exclusive),
        rest,
    }
}

impl Topic {
    /// How surely two titles name one topic, 0 to 1.
    pub fn similarity(&self, other: &Topic) -> f32 {
        // The other words must not disagree: one title's words all in the other's (`Build
        // optimization` / `Matrix build optimization`), not two qualifiers side by side (`Python
        // security scanner` / `Docker security scanner`).
        let nested = self.rest.is_subset(&other.rest) || other.rest.is_subset(&self.rest);
        let overlap = if nested {
            jaccard(&self.rest, &other.rest)
        } else {
            0.0
        };
        match (self.known, other.known) {
            (Some(a), Some(b)) if a == b => {
                // `Best practices` and `Security best practices` are one topic; `API best
                // practices` and `Security best practices` are two.
                if self.rest.is_empty() || other.rest.is_empty() || overlap >= SAME_TOPIC {
                    1.0
                } else {
                    overlap
                }
            }
            // A title the lexicon places (`Architectural patterns`) and one it does not (`System
            // architecture`) are about different things, whatever words they share.
            (Some(_), Some(_)) | (Some(_), None) | (None, Some(_)) => 0.0,
            (None, None) => overlap,
        }
    }
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f32 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / union as f32
}

/// Two titles name one topic at this similarity or more.
pub const SAME_TOPIC: f32 = 0.5;

/// The lexicon topic of a body's closing section (`## Remember`, `## Final notes`).
pub const CLOSING: &str = "closing";
/// The lexicon topic of sections that point elsewhere (`## Resources`, `## Related agents`).
pub const REFERENCES: &str = "references";

/// Whether two section titles name one topic.
pub fn same_topic(a: &str, b: &str) -> bool {
    same_topic_of(a, &topic(a), b, &topic(b))
}

/// [`same_topic`], with the titles' topics read beforehand.
pub fn same_topic_of(a: &str, topic_a: &Topic, b: &str, topic_b: &Topic) -> bool {
    !in_one_series(a, b) && topic_a.similarity(topic_b) >= SAME_TOPIC
}

/// Words that set sibling titles apart as stages or as opposites (`Before refactoring` / `After
/// refactoring`, `DO comment` / `DON'T comment`): titles that differ in them are two sections of a
/// series, not one topic said twice.
const SERIES_WORDS: &[&str] = &[
    "before", "during", "after", "do", "don't", "dont", "do not", "pre", "post", "when not",
];

/// Whether two titles are steps of one series: both numbered with different numbers (`Example 1`
/// / `Example 2`, `2. Standards` / `3. Best practices`), or different in a stage or polarity word.
fn in_one_series(a: &str, b: &str) -> bool {
    let numbers = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (na, nb) = (numbers(a), numbers(b));
    if !na.is_empty() && !nb.is_empty() && na != nb {
        return true;
    }
    let marks = |t: &str| -> Vec<&str> {
        let lower = format!(" {} ", t.to_lowercase().replace(['’', '\''], "'"));
        SERIES_WORDS
            .iter()
            .copied()
            .filter(|w| lower.contains(&format!(" {w} ")))
            .collect()
    };
    marks(a) != marks(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reworded_titles_of_one_topic_match() {
        for (a, b) in [
            (
                "Your core responsibilities include",
                "Your primary responsibilities",
            ),
            ("Methodology", "When approaching any backend task"),
            ("Your approach", "Methodology"),
            ("Technology Stack Expertise", "Technical skills"),
            ("Output Format", "Response format"),
            ("Best practices", "Security best practices"),
        ] {
            assert!(same_topic(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn different_topics_do_not_match() {
        for (a, b) in [
            ("Core responsibilities", "Methodology"),
            ("API best practices", "Security best practices"),
            ("Architectural patterns", "Database patterns"),
            ("Memory integration", "Framework support"),
            ("System architecture", "Architectural patterns"),
            ("Data processing & security", "Methodology"),
            ("Capabilities", "Response approach"),
            ("Workflow", "Work examples"),
            ("Example 1", "Example 2"),
            ("2. Standards compliance", "3. Best practices"),
            ("Before refactoring", "After refactoring"),
            ("DO comment", "DON'T comment"),
        ] {
            assert!(!same_topic(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn titles_without_a_lexicon_topic_match_by_their_words() {
        assert!(same_topic(
            "When providing solutions, include",
            "When providing solutions"
        ));
        assert!(!same_topic("Database design", "Frontend design system"));
        assert!(!same_topic(
            "Python security scanner",
            "Docker security scanner"
        ));
    }

    #[test]
    fn output_formats_are_exclusive() {
        assert!(topic("Output format").exclusive);
        assert!(!topic("Methodology").exclusive);
    }
}
