//! Subjects: which specific technology, platform or language an agent's name leads with, and which
//! concerns (facets) it narrows its role to, so that two agents of one kind of role but different
//! jobs are told apart.
//!
//! Collections and rewrites share most of their words whatever the job: `fullstack-nextjs-go` and
//! `fullstack-nuxtjs-go` are written from one template, `performance-optimizer` and
//! `go-performance-optimizer` say the same things about profiling. What tells them apart is one
//! word of the name that the other agent never mentions. The words that can do so come from the word
//! list (`data/words.toml`, sections `[subjects]` and `[facets]`), not from any library.
//!
//! Two agents name *different subjects* when
//! - the first subject one's name holds (its head: `react` in `react-typescript-expert`) is neither
//!   in the other's name nor in its description (`gcp-security` / `security-engineer`;
//!   `react-typescript-expert` / `typescript-sage`), or
//! - one's name holds a facet the other neither names nor describes (`k8s-security-reviewer` /
//!   `k8s-reviewer`, `gcp-migration` / `gcp-architect`).
//!
//! A subject counts as mentioned when something built on it is (`flutter-expert` mentions Dart;
//! section `[frameworks]`): a general agent names its language's one framework as often as a
//! narrow one does (`java-expert` names Spring), so naming one is no evidence of a narrower job. A
//! subject both mention is no evidence either way (`react-expert` / `react-typescript-expert`:
//! both lead with React), nor is a subject in a description only: general agents list many.

use crate::normalize::{name_parts, term_hash, term_id, terms, Term};
use crate::words;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// The subjects and facets one agent mentions, as ids into the word list's subjects and facets
/// (facets numbered after the subjects).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subjects {
    /// Subjects and facets its name holds, in the order of the name.
    named: Vec<u16>,
    /// Subjects and facets its description mentions, sorted, each once.
    described: Vec<u16>,
    /// Whether it has a description at all: what one without says is unknown, not absent.
    has_description: bool,
}

/// How a name word and a description term map to subject ids.
struct Table {
    by_name_word: HashMap<String, u16>,
    by_term: HashMap<Term, u16>,
    /// Ids below this are subjects; the others facets.
    facets_from: u16,
    /// By id: the subject it is built on (`fastapi` → `python`).
    built_on: Vec<Option<u16>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let list = words::words();
        let mut table = Table {
            by_name_word: HashMap::default(),
            by_term: HashMap::default(),
            facets_from: list.subjects().len() as u16,
            built_on: Vec::new(),
        };
        let id_of = |word: &str| list.subjects().iter().position(|s| s == word);
        table.built_on = (list.subjects().iter())
            .map(|s| list.built_on(s).and_then(id_of).map(|id| id as u16))
            .chain(list.facets().iter().map(|_| None))
            .collect();
        for (id, word) in list.subjects().iter().chain(list.facets()).enumerate() {
            let id = id as u16;
            // A word is found as a name and a description read it: stemmed, its doer read as its
            // deed (`orchestrator`), one-letter languages kept in names only.
            for core in name_parts(word).core {
                table.by_name_word.entry(core).or_insert(id);
            }
            for term in terms(word).into_iter().chain([word.clone()]) {
                table.by_term.entry(term_id(term_hash(&term))).or_insert(id);
            }
        }
        table
    })
}

impl Subjects {
    /// The subjects of an agent from its name's core words (as [`name_parts`] gives them) and its
    /// description's terms.
    pub fn of(name_core: &[String], description_terms: impl Iterator<Item = Term>) -> Subjects {
        let t = table();
        let named = name_core
            .iter()
            .filter_map(|w| t.by_name_word.get(w).copied())
            .collect();
        let mut has_description = false;
        let mut described: Vec<u16> = description_terms
            .inspect(|_| has_description = true)
            .filter_map(|term| t.by_term.get(&term).copied())
            .collect();
        described.sort_unstable();
        described.dedup();
        Subjects {
            named,
            described,
            has_description,
        }
    }

    fn head(&self) -> Option<u16> {
        let facets_from = table().facets_from;
        self.named.iter().copied().find(|&id| id < facets_from)
    }

    fn facets(&self) -> impl Iterator<Item = u16> + '_ {
        let facets_from = table().facets_from;
        self.named
            .iter()
            .copied()
            .filter(move |&id| id >= facets_from)
    }

    /// Whether the name or description mentions `id`, or something built on it (`flutter` is
    /// Dart).
    fn mentions(&self, id: u16) -> bool {
        let built_on = &table().built_on;
        let said = self.named.iter().chain(&self.described);
        self.named.contains(&id)
            || self.described.binary_search(&id).is_ok()
            || said.into_iter().any(|&x| built_on[x as usize] == Some(id))
    }

    /// True when this agent's name leads with a subject, or holds a facet, that `other`'s name and
    /// description never mention (see the module documentation). Against an agent without a
    /// description only the names speak: two heads that differ.
    fn names_what_other_lacks(&self, other: &Subjects) -> bool {
        if !other.has_description {
            return matches!((self.head(), other.head()), (Some(x), Some(y)) if x != y);
        }
        self.head().is_some_and(|h| !other.mentions(h)) || self.facets().any(|f| !other.mentions(f))
    }
}

/// True when the two agents name different subjects (see the module documentation). Only agents
/// whose names both hold role words are compared: a name or description one lacks is no evidence.
pub fn different_subjects(a: &Subjects, b: &Subjects) -> bool {
    a.names_what_other_lacks(b) || b.names_what_other_lacks(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{hashed_terms, normalize_text};

    fn agent(name: &str, description: &str) -> Subjects {
        let terms = hashed_terms(&normalize_text(description));
        Subjects::of(&name_parts(name).core, terms.into_iter().map(term_id))
    }

    #[test]
    fn names_leading_with_different_subjects_differ() {
        let next = agent(
            "shop-nextjs-go",
            "Full-stack apps with Next.js and a Go API.",
        );
        let nuxt = agent("shop-nuxtjs-go", "Full-stack apps with Nuxt and a Go API.");
        assert!(different_subjects(&next, &nuxt));
        let ts = agent("typescript-mentor", "Master TypeScript's type system.");
        let react_ts = agent("React_TypeScript_Expert", "React with TypeScript.");
        assert!(
            different_subjects(&ts, &react_ts),
            "react is never mentioned"
        );
    }

    #[test]
    fn a_subject_the_other_never_mentions_marks_a_narrower_job() {
        let general = agent(
            "performance-optimizer",
            "Find bottlenecks and tune memory use.",
        );
        let go = agent("go-performance-optimizer", "Profile Go applications.");
        assert!(different_subjects(&general, &go));
        let gcp = agent("gcp-security", "IAM and compliance on GCP.");
        let security = agent(
            "security-engineer",
            "Vulnerability management and DevSecOps.",
        );
        assert!(different_subjects(&gcp, &security));
        // The general one mentions Go: the narrower one is one of its subjects.
        let polyglot = agent(
            "performance-optimizer",
            "Profiling for Python, Go and Java code.",
        );
        assert!(!different_subjects(&polyglot, &go));
    }

    #[test]
    fn one_subject_in_more_words_is_one_subject() {
        let react = agent("React_Expert", "Deep expert in the React library.");
        let react_ts = agent(
            "react-typescript-expert",
            "Deep expert in React with TypeScript.",
        );
        assert!(!different_subjects(&react, &react_ts));
        // A further subject counts only as the head: `iac-terraform-cloudformation` is a
        // Terraform agent that covers CloudFormation too.
        let both = agent(
            "iac-terraform-cloudformation",
            "Terraform and CloudFormation.",
        );
        assert!(!different_subjects(
            &both,
            &agent("terraform-architect", "Terraform modules.")
        ));
        let golang = agent("golang-guru", "Idiomatic code.");
        let go = agent("go-expert", "Idiomatic Go code.");
        assert!(
            !different_subjects(&golang, &go),
            "spellings are one subject"
        );
        let plain = agent("code-reviewer", "Reviews code.");
        assert!(!different_subjects(
            &plain,
            &agent("code-review-expert", "")
        ));
    }

    #[test]
    fn a_facet_one_name_adds_marks_a_different_job_unless_the_other_describes_it() {
        let reviewer = agent(
            "k8s-reviewer",
            "Reviews Kubernetes manifests for best practice.",
        );
        let security = agent("k8s-security-reviewer", "Kubernetes RBAC and pod security.");
        assert!(different_subjects(&reviewer, &security));
        let architect = agent("gcp-architect", "Design GCP landing zones.");
        assert!(different_subjects(
            &architect,
            &agent("gcp-migration", "Move to GCP.")
        ));
        let broad = agent(
            "gcp-architect",
            "Design GCP landing zones and plan migrations.",
        );
        assert!(!different_subjects(
            &broad,
            &agent("gcp-migration", "Move to GCP.")
        ));
        let debugger = agent("remix-debugger", "Find hydration errors in Remix apps.");
        assert!(different_subjects(
            &debugger,
            &agent("remix-builder", "Build Remix apps.")
        ));
        let orchestrator = agent("crew_orchestrator_poetry", "Coordinates poetry agents.");
        assert!(different_subjects(
            &agent("crew_poetry", "Poetry meter and rhyme."),
            &orchestrator
        ));
    }

    #[test]
    fn agents_naming_no_subject_never_differ_by_subject() {
        let a = agent("api-designer", "Designs REST APIs.");
        let b = agent("rest-api-architect", "");
        assert!(!different_subjects(&a, &b));
        assert_eq!(Subjects::default(), agent("", ""));
    }

    #[test]
    fn a_framework_mentioned_is_its_base_mentioned() {
        let flutter = agent("flutter-expert", "Cross-platform Flutter apps.");
        let dart = agent("dart-flutter-expert", "Dart and Flutter apps.");
        assert!(!different_subjects(&flutter, &dart));
    }

    #[test]
    fn a_missing_description_is_no_evidence_but_names_still_speak() {
        let go = agent("go-performance-optimizer", "Profile Go applications.");
        let undescribed = agent("performance-optimizer", "");
        assert!(!different_subjects(&go, &undescribed));
        assert!(different_subjects(
            &agent("rust-pro", ""),
            &agent("go-pro", "")
        ));
        assert!(!different_subjects(
            &agent("go-pro", ""),
            &agent("golang-expert", "")
        ));
    }
}
