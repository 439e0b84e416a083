//! What a unit says, and whether it belongs in the merged agent at all.
//!
//! - **Same point**: two units make one point when most of the content words (stemmed, common
//!   spellings unified) of the shorter stand in the longer: a reworded bullet, a sentence with a
//!   word more or less. See [`says`].
//! - **Language**: a unit in another natural language than the body it would join is not carried
//!   over (a second identity in French, a line in Japanese in an English prompt). See [`language`].
//! - **Project-specific**: links to local files, file paths of one codebase and links to one
//!   repository belong to the project a member was written for. See [`project_specific`].

use crate::normalize::{hashed_terms, normalize_text};
use rustc_hash::FxHashSet;

/// The content words of a text, hashed.
pub type Terms = FxHashSet<u64>;

pub fn terms_of(text: &str) -> Terms {
    hashed_terms(&normalize_text(text)).into_iter().collect()
}

/// `said` already says `point` when it holds this share of `point`'s words…
const HOLDS: f32 = 0.66;
/// …or when the two share this share of all their words (Jaccard): a paraphrase with a few words
/// swapped either way.
const OVERLAP: f32 = 0.5;

/// Whether `said` makes the point `point` makes (it holds most of its words, or the two share most
/// of theirs). Not symmetric: a long bullet says what a short one does, not the reverse.
pub fn says(said: &Terms, point: &Terms) -> bool {
    if point.is_empty() {
        return true;
    }
    let common = said.intersection(point).count();
    let union = said.len() + point.len() - common;
    common as f32 >= HOLDS * point.len() as f32 || common as f32 >= OVERLAP * union as f32
}

/// The share of all their words two units share.
pub fn jaccard(a: &Terms, b: &Terms) -> f32 {
    let common = a.intersection(b).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        1.0
    } else {
        common as f32 / union as f32
    }
}

/// Whether two units make one point, either way round.
pub fn same_point(a: &Terms, b: &Terms) -> bool {
    says(a, b) || says(b, a)
}

// ----------------------------------------------------------------------------------- language

/// A natural language, as far as telling a unit's apart from its body's goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Written in Latin letters, with the stop words of one language (an ISO 639-1 code).
    Latin(&'static str),
    /// Mostly in another script: CJK, Hangul, Cyrillic, Arabic, …
    OtherScript,
    /// Too little text to tell.
    Unknown,
}

/// Latin-script languages told apart by their stop words (NLTK's lists).
const LATIN_LANGUAGES: &[&str] = &["en", "fr", "de", "es", "pt", "it", "nl"];

/// The language of a text: its script, then, in Latin letters, the language whose stop words it
/// uses most (at least three, and more than English's).
pub fn language(text: &str) -> Language {
    let (mut latin, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_ascii() || ('\u{c0}'..='\u{24f}').contains(&c) {
            latin += 1;
        } else {
            other += 1;
        }
    }
    if other > latin && other >= 4 {
        return Language::OtherScript;
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() < 4 {
        return Language::Unknown;
    }
    let hits = |code: &str| {
        let list = stop_words_of(code);
        words.iter().filter(|w| list.contains(w.as_str())).count()
    };
    let english = hits("en");
    let best = LATIN_LANGUAGES
        .iter()
        .map(|&code| (code, hits(code)))
        .max_by(|a, b| a.1.cmp(&b.1).then(std::cmp::Ordering::Greater))
        .expect("languages listed");
    if best.0 != "en" && best.1 >= 3 && best.1 > english {
        Language::Latin(best.0)
    } else if english >= 1 {
        Language::Latin("en")
    } else {
        // No function words at all (`Check C++ standard version requirements`): a list item's
        // keywords, in no telling language.
        Language::Unknown
    }
}

fn stop_words_of(code: &str) -> &'static FxHashSet<&'static str> {
    use std::sync::OnceLock;
    static LISTS: OnceLock<Vec<(&'static str, FxHashSet<&'static str>)>> = OnceLock::new();
    let lists = LISTS.get_or_init(|| {
        LATIN_LANGUAGES
            .iter()
            .map(|&c| (c, stop_words::get(c).iter().copied().collect()))
            .collect()
    });
    &lists
        .iter()
        .find(|(c, _)| *c == code)
        .expect("a listed language")
        .1
}

/// Whether a unit is in another language than `body` (known for both, and different).
pub fn foreign(unit: &str, body: Language) -> bool {
    let own = language(unit);
    own != Language::Unknown && body != Language::Unknown && own != body
}

// --------------------------------------------------------------------------- project-specific

/// What in a unit ties it to the project its author wrote it for, if anything: a link to a local
/// file, a path in a codebase (`src/app/models.py`, `./share.md`, `~/work/x`), a link to one
/// repository. URLs of documentation and sites are general, and kept.
pub fn project_specific(source: &str) -> Option<String> {
    local_link(source)
        .or_else(|| repository_link(source))
        .or_else(|| codebase_path(source))
}

/// `[text](./file.md)`, `[text](docs/x.md)`: a Markdown link to a file next to the member.
fn local_link(source: &str) -> Option<String> {
    let mut rest = source;
    while let Some(i) = rest.find("](") {
        let target = &rest[i + 2..];
        let end = target.find(')').unwrap_or(target.len());
        let link = target[..end].trim();
        let is_web = link.contains("://") || link.starts_with("mailto:") || link.starts_with('#');
        if !link.is_empty() && !is_web {
            return Some(link.to_owned());
        }
        rest = &target[end..];
    }
    None
}

/// `github.com/owner/repo` (or GitLab, Bitbucket): one project's repository.
fn repository_link(source: &str) -> Option<String> {
    for host in ["github.com/", "gitlab.com/", "bitbucket.org/"] {
        if let Some(i) = source.find(host) {
            let path: String = source[i + host.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || "-_./".contains(*c))
                .collect();
            if path
                .trim_matches('/')
                .split('/')
                .filter(|p| !p.is_empty())
                .count()
                >= 2
            {
                return Some(format!("{host}{}", path.trim_end_matches(['/', '.'])));
            }
        }
    }
    None
}

/// A path into a codebase: relative with a directory and a file (`src/app/models.py`), starting
/// with `./`, `../` or `~/`, or under a home folder.
fn codebase_path(source: &str) -> Option<String> {
    let is_path_char = |c: char| c.is_alphanumeric() || "-_./~".contains(c);
    for token in source.split(|c: char| !is_path_char(c)) {
        let token = token.trim_end_matches('.');
        if token.contains("://") || !token.contains('/') {
            continue;
        }
        let anchored = token.starts_with("./")
            || token.starts_with("../")
            || token.starts_with("~/")
            || token.starts_with("/home/")
            || token.starts_with("/Users/");
        let segments: Vec<&str> = token.split('/').filter(|s| !s.is_empty()).collect();
        let file = segments.last().is_some_and(|s| {
            s.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && (1..=5).contains(&ext.len())
                    && ext.chars().all(|c| c.is_ascii_alphanumeric())
            })
        });
        // Two folders deep and ending in a file: `src/app/models.py`, not `CI/CD` or `and/or`.
        if anchored && segments.len() >= 2 || (segments.len() >= 3 && file) {
            return Some(token.to_owned());
        }
    }
    None
}

// ------------------------------------------------------------------------------- agent names

/// Whether `text` mentions the agent `name` as a name (whole word; a one-word name only when it is
/// set apart: `` `tester` ``, `tester agent`, `@tester`), so that the word used as a word does not count.
pub fn mentions(text: &str, name: &str) -> bool {
    if name.len() < 3 {
        return false;
    }
    // `geepers-diag` is also written `geepers_diag`.
    let lower = text.to_lowercase().replace('_', "-");
    let name = name.to_lowercase().replace('_', "-");
    let is_name_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let one_word = !name.contains(['-', '_']);
    let mut from = 0;
    while let Some(i) = lower[from..].find(&name).map(|i| i + from) {
        let before = lower[..i].chars().next_back();
        let after_text = &lower[i + name.len()..];
        let after = after_text.chars().next();
        from = i + name.len();
        if before.is_some_and(is_name_char) || after.is_some_and(is_name_char) {
            continue;
        }
        if !one_word
            || before.is_some_and(|c| c == '`' || c == '@')
            || after_text.trim_start().starts_with("agent")
            || after_text.trim_start().starts_with("subagent")
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reworded_points_are_one_point() {
        let a = terms_of("Implement caching strategies (Redis, Memcached) and CDN integration");
        let b = terms_of("Implement caching strategies with Redis and Memcached");
        assert!(same_point(&a, &b));
        let c = terms_of("Design database schemas for relational systems");
        assert!(!same_point(&a, &c));
        // A short point said inside a longer one; not the reverse.
        let short = terms_of("Use connection pooling");
        let long =
            terms_of("Use connection pooling effectively for every database and cache server");
        assert!(says(&long, &short));
        assert!(!says(&short, &long));
    }

    #[test]
    fn languages_are_told_apart() {
        assert_eq!(
            language("You are a senior engineer who reviews the code of the team."),
            Language::Latin("en")
        );
        assert_eq!(
            language("Vous êtes un ingénieur qui relit le code de votre équipe et des autres."),
            Language::Latin("fr")
        );
        assert_eq!(
            language("> 📋 [共有メモリファイル](./share.md) を参照してプロジェクト全体の情報を確認してください。"),
            Language::OtherScript
        );
        assert_eq!(language("Use `cargo`"), Language::Unknown);
        assert_eq!(
            language("Check C++ standard version requirements"),
            Language::Unknown
        );
        assert!(foreign(
            "Vous êtes un ingénieur qui relit le code de votre équipe.",
            Language::Latin("en")
        ));
        assert!(!foreign("- Redis, Kafka", Language::Latin("en")));
    }

    #[test]
    fn project_specific_content_is_found() {
        assert_eq!(
            project_specific("See [notes](./share.md)").as_deref(),
            Some("./share.md")
        );
        assert!(project_specific("Run `flake8 myproj/app/models.py`").is_some());
        assert!(project_specific("Clone github.com/acme/payments first").is_some());
        assert!(project_specific("Set up CI/CD and/or pipelines").is_none());
        assert!(project_specific("Read https://docs.python.org/3/library/ first").is_none());
        assert!(project_specific("Endpoints like /api/users").is_none());
    }

    #[test]
    fn agent_names_are_found_as_names_only() {
        assert!(mentions(
            "Use cicd-reviewer for general checks",
            "cicd-reviewer"
        ));
        assert!(!mentions("Use cicd-reviewer-pro for it", "cicd-reviewer"));
        assert!(mentions(
            "Unlike geepers_diag (general diagnostics)",
            "geepers-diag"
        ));
        assert!(mentions("Hand off to the `tester` when done", "tester"));
        assert!(mentions("ask the tester agent", "tester"));
        assert!(!mentions(
            "write tests like a careful tester would",
            "tester"
        ));
    }
}
