//! Words: what the field writes several ways, and the filler words of agent names.
//!
//! The list ships as `data/words.toml` (compiled in) so a maintainer can extend it without touching
//! code: synonyms (`golang` → `go`), phrases made one term (`machine learning` → `ml`), the filler
//! words of names (`expert`, `guru`, `ninja`: how an agent is styled, not what it does), and the
//! specific subjects (`python`, `gcp`, `nuxt`) and facets (`security`, `migration`) that tell two
//! agents of one kind of role apart (see `subjects`). More entries
//! can be added before the first text is read, from a config file, with [`install_extra`].
//!
//! The file is a small subset of TOML, one entry a line: `[section]` headers, `key = ["a", "b"]`
//! (a list may run over several lines) and `#` comments.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

/// The word list shipped with the tool.
const SHIPPED: &str = include_str!("../data/words.toml");

/// Entries of a word list, as written: what [`WordList::parse`] reads and [`install_extra`] adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordList {
    /// `(canonical, other spellings)`.
    pub synonyms: Vec<(String, Vec<String>)>,
    /// `(term, phrases)`: each phrase is words separated by single spaces.
    pub phrases: Vec<(String, Vec<String>)>,
    /// Filler words of names.
    pub filler: Vec<String>,
    /// Specific subjects an agent can be about: languages, frameworks, platforms, tools.
    pub subjects: Vec<String>,
    /// Concerns that make a narrower job of a role: `security`, `test`, `migration`.
    pub facets: Vec<String>,
    /// `(subject, the subjects built on it)`: `python` → `django`, `fastapi`; `dart` → `flutter`.
    pub frameworks: Vec<(String, Vec<String>)>,
    /// `(word, its kin)`: words that name one kind of work in a role's name (`security-scanner`,
    /// `security-auditor`), though in running text they differ. Read so in names and declared
    /// roles only.
    pub kin: Vec<(String, Vec<String>)>,
}

impl WordList {
    /// Reads a word list (see the module documentation for the format). Errors name the line.
    pub fn parse(text: &str) -> Result<WordList, String> {
        let mut list = WordList::default();
        let mut section = String::new();
        let mut lines = text.lines().enumerate();
        while let Some((i, raw)) = lines.next() {
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.trim().to_owned();
                if !matches!(
                    section.as_str(),
                    "synonyms"
                        | "phrases"
                        | "filler"
                        | "subjects"
                        | "facets"
                        | "frameworks"
                        | "kin"
                ) {
                    return Err(format!(
                        "line {}: unknown section [{section}] (expected synonyms, phrases, filler, subjects, facets, frameworks or kin)",
                        i + 1
                    ));
                }
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("line {}: expected `key = [\"word\", ...]`", i + 1))?;
            let mut value = value.trim().to_owned();
            // A list may run over several lines, up to its closing bracket.
            while value.starts_with('[') && !value.ends_with(']') {
                let (_, more) = lines
                    .next()
                    .ok_or_else(|| format!("line {}: list never closed", i + 1))?;
                value.push(' ');
                value.push_str(strip_comment(more).trim());
            }
            let words = parse_list(&value).map_err(|e| format!("line {}: {e}", i + 1))?;
            let key = key.trim().trim_matches('"').to_owned();
            match section.as_str() {
                "synonyms" => list.synonyms.push((checked_word(&key, i)?, words)),
                "phrases" => list.phrases.push((checked_word(&key, i)?, words)),
                "filler" => list.filler.extend(words),
                "subjects" => list.subjects.extend(words),
                "facets" => list.facets.extend(words),
                "frameworks" => list.frameworks.push((checked_word(&key, i)?, words)),
                "kin" => list.kin.push((checked_word(&key, i)?, words)),
                _ => return Err(format!("line {}: entry outside a section", i + 1)),
            }
        }
        let built_on =
            (list.frameworks.iter().flat_map(|f| &f.1)).chain(list.kin.iter().flat_map(|k| &k.1));
        let listed = (list.filler.iter().chain(&list.subjects))
            .chain(&list.facets)
            .chain(built_on);
        for word in list.synonyms.iter().flat_map(|s| &s.1).chain(listed) {
            if !is_word(word) {
                return Err(format!(
                    "{word:?} is not one lowercase word of letters and digits"
                ));
            }
        }
        for phrase in list.phrases.iter().flat_map(|p| &p.1) {
            if phrase.split(' ').count() < 2 || !phrase.split(' ').all(is_word) {
                return Err(format!(
                    "phrase {phrase:?}: expected two or more lowercase words separated by single spaces"
                ));
            }
        }
        Ok(list)
    }
}

fn strip_comment(line: &str) -> &str {
    // Words never hold `#` (see `is_word`), so the first one starts a comment.
    line.split_once('#').map_or(line, |(before, _)| before)
}

fn checked_word(word: &str, line: usize) -> Result<String, String> {
    if is_word(word) {
        Ok(word.to_owned())
    } else {
        Err(format!(
            "line {}: {word:?} is not one lowercase word of letters and digits",
            line + 1
        ))
    }
}

fn is_word(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() && !c.is_uppercase())
}

/// `["a", "b c"]` → `a`, `b c`.
fn parse_list(value: &str) -> Result<Vec<String>, String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .ok_or_else(|| format!("expected a list in brackets, found {value}"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.strip_prefix('"')
                .and_then(|i| i.strip_suffix('"'))
                .map(str::to_owned)
                .ok_or_else(|| format!("expected a quoted word, found {item}"))
        })
        .collect()
}

/// The word list in force: the shipped one and whatever was installed on top, ready for lookups.
#[derive(Debug, Default)]
pub struct Words {
    canonical: HashMap<String, String>,
    /// By first word: the rest of each phrase starting with it and its term, longest first.
    phrases: HashMap<String, Vec<(Vec<String>, String)>>,
    filler: HashSet<String>,
    /// Subjects and facets, in their canonical spelling, each once, in the order listed.
    subjects: Vec<String>,
    facets: Vec<String>,
    /// Each subject built on another, with that one (canonical spellings).
    built_on: HashMap<String, String>,
    /// Every canonical word and spelling: adjacent name words whose concatenation is one of these
    /// are read as that word (`Graph`+`QL`, `Next`+`JS`).
    known: HashSet<String>,
    /// `(kin, word)`: a name word and the word of its kind of work it is read as.
    kin: Vec<(String, String)>,
}

impl Words {
    fn build(lists: &[&WordList]) -> Words {
        let mut words = Words::default();
        for list in lists {
            for (canonical, spellings) in &list.synonyms {
                words.known.insert(canonical.clone());
                for s in spellings {
                    words.canonical.insert(s.clone(), canonical.clone());
                    words.known.insert(s.clone());
                }
            }
            for (term, phrases) in &list.phrases {
                words.known.insert(term.clone());
                for phrase in phrases {
                    let mut parts = phrase.split(' ').map(str::to_owned);
                    let first = parts.next().expect("parse checked two words or more");
                    let entry = words.phrases.entry(first).or_default();
                    entry.push((parts.collect(), term.clone()));
                    entry.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
                }
            }
            words.filler.extend(list.filler.iter().cloned());
            for (word, kin) in &list.kin {
                (words.kin).extend(kin.iter().map(|k| (k.clone(), word.clone())));
            }
        }
        // Subjects and facets are read once every synonym is known, in the spelling text reads as.
        for list in lists {
            for (base, built) in &list.frameworks {
                let base = words.canonical(base).to_owned();
                for framework in built {
                    let framework = words.canonical(framework).to_owned();
                    words.built_on.insert(framework, base.clone());
                }
            }
        }
        let framework_subjects: Vec<String> = (words.built_on.iter())
            .flat_map(|(framework, base)| [base.clone(), framework.clone()])
            .collect();
        for list in lists {
            for (from, into) in [(&list.subjects, 0), (&list.facets, 1)] {
                for word in from {
                    let canonical = words.canonical(word).to_owned();
                    let kept = if into == 0 {
                        &mut words.subjects
                    } else {
                        &mut words.facets
                    };
                    if !kept.contains(&canonical) {
                        kept.push(canonical);
                    }
                }
            }
        }
        let mut framework_subjects = framework_subjects;
        framework_subjects.sort();
        for subject in framework_subjects {
            if !words.subjects.contains(&subject) {
                words.subjects.push(subject);
            }
        }
        words
    }

    /// The subject `subject` is built on (`fastapi` → `python`), canonical spellings.
    pub fn built_on(&self, subject: &str) -> Option<&str> {
        self.built_on.get(subject).map(String::as_str)
    }

    /// The specific subjects (languages, frameworks, platforms, tools), canonical spellings.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// The facets: concerns that make a narrower job of a role (`security`, `migration`).
    pub fn facets(&self) -> &[String] {
        &self.facets
    }

    /// One name for what the field writes several ways (`golang` → `go`); other words as they are.
    pub fn canonical<'a>(&'a self, word: &'a str) -> &'a str {
        self.canonical.get(word).map_or(word, String::as_str)
    }

    /// The phrase term `words` start with and how many words it takes (`machine learning …` →
    /// `ml`, 2), the longest phrase first.
    pub fn phrase_at(&self, words: &[&str]) -> Option<(&str, usize)> {
        let (first, rest) = words.split_first()?;
        let candidates = self.phrases.get(*first)?;
        candidates
            .iter()
            .find(|(tail, _)| {
                tail.len() <= rest.len() && tail.iter().zip(rest).all(|(t, w)| t == w)
            })
            .map(|(tail, term)| (term.as_str(), tail.len() + 1))
    }

    /// True for the filler words of names (`expert`, `guru`), in any spelling the list knows.
    pub fn is_filler(&self, word: &str) -> bool {
        self.filler.contains(word)
    }

    /// Every filler word.
    pub fn filler(&self) -> impl Iterator<Item = &str> {
        self.filler.iter().map(String::as_str)
    }

    /// Name words and the word of their kind of work each is read as (`scanner` → `audit`), as
    /// listed: the caller reads both the way it reads name words.
    pub fn kin(&self) -> impl Iterator<Item = (&str, &str)> {
        self.kin.iter().map(|(k, w)| (k.as_str(), w.as_str()))
    }

    /// True when `word` is a word the list knows, as a canonical name or another spelling.
    pub fn is_known(&self, word: &str) -> bool {
        self.known.contains(word)
    }
}

static EXTRA: OnceLock<WordList> = OnceLock::new();
static WORDS: OnceLock<Words> = OnceLock::new();

/// The word list in force. The first call fixes it: entries installed later are refused.
pub fn words() -> &'static Words {
    WORDS.get_or_init(|| {
        let shipped = WordList::parse(SHIPPED).expect("the shipped data/words.toml is valid");
        match EXTRA.get() {
            Some(extra) => Words::build(&[&shipped, extra]),
            None => Words::build(&[&shipped]),
        }
    })
}

/// Adds entries (from a config file) to the shipped list. Must be called once, before any text is
/// read: every term already computed would otherwise disagree with those computed after.
pub fn install_extra(extra: WordList) -> Result<(), String> {
    if WORDS.get().is_some() {
        return Err("extra words must be installed before any agent is read".into());
    }
    EXTRA
        .set(extra)
        .map_err(|_| "extra words were already installed".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_parses_and_answers() {
        let shipped = WordList::parse(SHIPPED).unwrap();
        assert!(shipped.synonyms.len() > 10 && shipped.filler.len() > 20);
        let w = words();
        assert_eq!(w.canonical("golang"), "go");
        assert_eq!(w.canonical("k8s"), "kubernetes");
        assert_eq!(w.canonical("python"), "python");
        assert!(w.is_filler("guru") && w.is_filler("ninja") && !w.is_filler("python"));
        assert_eq!(w.phrase_at(&["machine", "learning", "x"]), Some(("ml", 2)));
        assert_eq!(
            w.phrase_at(&["infrastructure", "as", "code"]),
            Some(("iac", 3))
        );
        assert_eq!(w.phrase_at(&["machine"]), None);
        assert!(w.is_known("graphql") && w.is_known("nextjs"));
        assert!(w.subjects().iter().any(|s| s == "go") && w.subjects().len() > 50);
        assert!(w.facets().iter().any(|f| f == "security"));
        assert!(w.kin().any(|k| k == ("scan", "audit")));
        assert_eq!(
            w.canonical("scan"),
            "scan",
            "kin are not synonyms in running text"
        );
        assert_eq!(w.built_on("fastapi"), Some("python"));
        assert_eq!(
            w.built_on("nuxtjs"),
            None,
            "looked up by canonical spelling"
        );
        assert_eq!(w.built_on("nuxt"), Some("vue"));
        assert!(
            !w.subjects().iter().any(|s| s == "golang"),
            "subjects are kept in their canonical spelling"
        );
    }

    #[test]
    fn the_longest_phrase_wins() {
        let list = WordList::parse(
            "[phrases]\nsre = [\"site reliability\", \"site reliability engineering\"]\n",
        )
        .unwrap();
        let w = Words::build(&[&list]);
        assert_eq!(
            w.phrase_at(&["site", "reliability", "engineering"]),
            Some(("sre", 3))
        );
        assert_eq!(
            w.phrase_at(&["site", "reliability", "team"]),
            Some(("sre", 2))
        );
    }

    #[test]
    fn extra_entries_add_to_the_shipped_ones() {
        let shipped = WordList::parse(SHIPPED).unwrap();
        let extra = WordList::parse(
            "# ours\n[synonyms]\nterraform = [\"tf\"]\n[filler]\nwords = [\n  \"overlord\", # a style\n]\n",
        )
        .unwrap();
        let w = Words::build(&[&shipped, &extra]);
        assert_eq!(w.canonical("tf"), "terraform");
        assert_eq!(w.canonical("golang"), "go", "the shipped entries stay");
        assert!(w.is_filler("overlord") && w.is_filler("guru"));
        let extra = WordList::parse(
            "[subjects]\nwords = [\"golang\", \"zig\"]\n[facets]\nwords = [\"cost\"]\n",
        )
        .unwrap();
        let w = Words::build(&[&shipped, &extra]);
        assert!(w.subjects().iter().any(|s| s == "zig"));
        assert_eq!(w.subjects().iter().filter(|s| *s == "go").count(), 1);
        assert_eq!(w.facets().iter().filter(|f| *f == "cost").count(), 1);
        let extra = WordList::parse("[kin]\naudit = [\"vet\"]\n").unwrap();
        let w = Words::build(&[&shipped, &extra]);
        assert!(w.kin().any(|k| k == ("vet", "audit")) && w.kin().any(|k| k == ("scan", "audit")));
        let extra = WordList::parse("[frameworks]\nzig = [\"zigzag\"]\n").unwrap();
        let w = Words::build(&[&shipped, &extra]);
        assert_eq!(w.built_on("zigzag"), Some("zig"));
        assert!(
            w.subjects().iter().any(|s| s == "zigzag"),
            "a framework is a subject"
        );
    }

    #[test]
    fn bad_lists_are_refused_with_the_line() {
        let err = |text: &str| WordList::parse(text).unwrap_err();
        assert!(err("[colours]\n").contains("line 1: unknown section"));
        assert!(err("[synonyms]\ngo = \"golang\"\n").contains("line 2: expected a list"));
        assert!(err("[synonyms]\nGo = [\"golang\"]\n").contains("line 2"));
        assert!(err("[phrases]\nml = [\"machine\"]\n").contains("two or more"));
        assert!(err("[filler]\nwords = [\"a-b\"]\n").contains("not one lowercase word"));
        assert!(err("[filler]\nwords = [\"x\",\n").contains("never closed"));
        assert!(err("go = [\"golang\"]\n").contains("outside a section"));
        assert!(err("[kin]\naudit = [\"Scan\"]\n").contains("not one lowercase word"));
    }
}
