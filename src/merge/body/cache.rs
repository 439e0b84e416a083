//! What the merge reads from the texts it meets (word sets, languages, section topics, ties to a
//! project), each computed once per text: members of a cluster repeat most of each other's units
//! word for word, and clusters share boilerplate.

use crate::merge::points::{self, Language, Terms};
use crate::merge::topics::{self, Topic};
use rustc_hash::FxHashMap;
use std::rc::Rc;

/// What the merge reads from the texts it meets (word sets, languages, section topics, ties to a
/// project), each computed once: members of a cluster repeat most of each other's units word for
/// word, and clusters share boilerplate. One is kept across the merges one worker does (see
/// `pipeline`), up to a bound.
#[derive(Default)]
pub struct TermCache {
    /// By a unit's plain text.
    texts: FxHashMap<String, TextFacts>,
    /// By a unit's Markdown source.
    sources: FxHashMap<String, Rc<SourceFacts>>,
    /// By a section title.
    topics: FxHashMap<String, Rc<Topic>>,
}

/// What a unit's Markdown source says about where it belongs.
pub(super) struct SourceFacts {
    /// What ties it to one project, if anything ([`points::project_specific`]).
    pub(super) project: Option<String>,
    /// The words in it that could be an agent's name ([`points::name_words`]).
    pub(super) name_words: Vec<String>,
}

#[derive(Clone)]
pub(super) struct TextFacts {
    pub(super) terms: Rc<Terms>,
    pub(super) language: Language,
}

/// How many texts a [`TermCache`] holds before it starts afresh: some tens of megabytes at most.
const CACHE_TEXTS: usize = 1 << 15;

impl TermCache {
    pub(super) fn make_room(&mut self) {
        if self.texts.len() + self.sources.len() + self.topics.len() >= CACHE_TEXTS {
            self.texts.clear();
            self.sources.clear();
            self.topics.clear();
        }
    }

    pub(super) fn facts(&mut self, text: &str) -> &TextFacts {
        if !self.texts.contains_key(text) {
            let facts = TextFacts {
                terms: Rc::new(points::terms_of(text)),
                language: points::language(text),
            };
            self.texts.insert(text.to_owned(), facts);
        }
        &self.texts[text]
    }

    pub(super) fn terms(&mut self, text: &str) -> Rc<Terms> {
        self.facts(text).terms.clone()
    }

    pub(super) fn language(&mut self, text: &str) -> Language {
        self.facts(text).language
    }

    pub(super) fn source(&mut self, source: &str) -> Rc<SourceFacts> {
        if let Some(facts) = self.sources.get(source) {
            return facts.clone();
        }
        let facts = Rc::new(SourceFacts {
            project: points::project_specific(source),
            name_words: points::name_words(source),
        });
        self.sources.insert(source.to_owned(), facts.clone());
        facts
    }

    pub(super) fn topic(&mut self, title: &str) -> Rc<Topic> {
        if let Some(topic) = self.topics.get(title) {
            return topic.clone();
        }
        let topic = Rc::new(topics::topic(title));
        self.topics.insert(title.to_owned(), topic.clone());
        topic
    }
}
