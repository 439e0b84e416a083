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
use rustc_hash::{FxHashMap, FxHashSet};

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
    let (small, large) = if said.len() <= point.len() {
        (said, point)
    } else {
        (point, said)
    };
    let common = small.iter().filter(|t| large.contains(t)).count();
    holds(said.len(), point.len(), common)
}

/// [`says`], from the sizes of the two word sets and the number of words they share.
fn holds(said: usize, point: usize, common: usize) -> bool {
    if point == 0 {
        return true;
    }
    let union = said + point - common;
    common as f32 >= HOLDS * point as f32 || common as f32 >= OVERLAP * union as f32
}

/// [`same_point`], from the sizes of the two word sets and the number of words they share.
fn same_point_counts(a: usize, b: usize, common: usize) -> bool {
    holds(a, b, common) || holds(b, a, common)
}

/// Two items of one list echo each other, making one point in other words, when they share at
/// least this many content words…
const ECHO_WORDS: usize = 3;
/// …this share of all their words (below [`OVERLAP`], where they are one point outright)…
const ECHO_OVERLAP: f32 = 0.3;

/// Whether item `b` makes the point of item `a` in other words: they share a few content words, a
/// fair share of all, and two of them side by side (`caching strategies`, `error handling`), and
/// most of `b`'s words outside brackets (its examples) are `a`'s: `Implement caching strategies at
/// multiple layers (application, CDN)` echoes `Implement caching strategies (Redis) and CDN
/// integration`; `Check error handling: logs never contain secrets` does not echo `Check error
/// handling in every function` (it says something more), nor `Integration testing: test functions
/// together` `Unit testing: test functions alone` (two words shared).
///
/// The words any instruction is phrased with (`ensure`, `implement`, `proper`, `robust`, see
/// `generic_prompt_words.txt`) are left out on both sides: `Ensure proper error handling and
/// monitoring` and `Implement robust error handling, monitoring and observability` share their
/// subject, and the prompt words around it would otherwise hide that.
///
/// With `part`, an item of two words or more that all stand in `a` echoes it too (`Recommend
/// appropriate load testing` in a list saying `Implement testing strategies (unit, load testing)`).
pub fn echoes(a: &str, a_terms: &Terms, b: &str, b_terms: &Terms, part: bool) -> bool {
    let generic = generic_prompt_terms();
    let subject = |t: &&u64| !generic.contains(*t);
    let (a_len, b_len) = (
        a_terms.iter().filter(subject).count(),
        b_terms.iter().filter(subject).count(),
    );
    // Sizes alone rule most pairs out: the words they share are at most the smaller set. An item
    // whose few words all stand in the other says nothing it does not.
    let (small, large) = (a_len.min(b_len), a_len.max(b_len));
    let contained = |n: usize| part && n >= 2 && n == b_len;
    let too_few = |n: usize| n < ECHO_WORDS && !contained(n);
    if too_few(small) || (!contained(small) && (small as f32) < ECHO_OVERLAP * large as f32) {
        return false;
    }
    let (fewer, more) = if a_len <= b_len {
        (a_terms, b_terms)
    } else {
        (b_terms, a_terms)
    };
    let common = fewer
        .iter()
        .filter(subject)
        .filter(|t| more.contains(t))
        .count();
    let union = a_len + b_len - common;
    if too_few(common) || (!contained(common) && (common as f32) < ECHO_OVERLAP * union as f32) {
        return false;
    }
    let outside = terms_of(&without_brackets(b));
    let outside_len = outside.iter().filter(subject).count();
    let new = outside
        .iter()
        .filter(subject)
        .filter(|t| !a_terms.contains(t))
        .count();
    if new * 2 > outside_len {
        return false;
    }
    let pairs = |text: &str| -> FxHashSet<(u64, u64)> {
        let terms: Vec<u64> = hashed_terms(&normalize_text(text))
            .into_iter()
            .filter(|t| !generic.contains(t))
            .collect();
        terms
            .windows(2)
            .filter(|w| w[0] != w[1])
            .map(|w| (w[0], w[1]))
            .collect()
    };
    let a_pairs = pairs(a);
    pairs(b).iter().any(|p| a_pairs.contains(p))
}

/// A text's letters and digits, lowercased: how names are compared whatever their separators and
/// spacing (`ci-cd-expert` / `CI/CD Expert`, `Core Data` / `CoreData`).
pub fn letters_of(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The terms of the words any instruction is phrased with (see [`echoes`]).
fn generic_prompt_terms() -> &'static Terms {
    static TERMS: std::sync::OnceLock<Terms> = std::sync::OnceLock::new();
    TERMS.get_or_init(|| {
        include_str!("generic_prompt_words.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split(','))
            .flat_map(|w| terms_of(w.trim()))
            .collect()
    })
}

/// A text without what it says in brackets.
fn without_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A unit holding a point's words says more than it, not the same in fuller words, when it has
/// more than this many times its words.
pub const ELABORATION: usize = 3;

/// Word sets indexed by their words, so that the ones making a given point are found by looking
/// up that point's words instead of comparing it with every set: a merge compares each of
/// thousands of units with every other, and most pairs share no word at all.
#[derive(Debug, Default, Clone)]
pub struct PointIndex {
    /// Each set's size, by the number [`PointIndex::insert`] gave it.
    sizes: Vec<u32>,
    /// For each word, the sets that hold it.
    postings: FxHashMap<u64, Vec<u32>>,
    /// Sets with no word at all: they make every point (see [`says`]).
    empty: Vec<u32>,
    /// Scratch space for one look-up: words shared with each set, and the sets touched.
    shared: Vec<u32>,
    touched: Vec<u32>,
}

impl PointIndex {
    /// Adds a set; returns its number (0, 1, … in order of insertion).
    pub fn insert(&mut self, terms: &Terms) -> usize {
        let id = self.sizes.len() as u32;
        self.sizes.push(terms.len() as u32);
        self.shared.push(0);
        if terms.is_empty() {
            self.empty.push(id);
        }
        for &t in terms {
            self.postings.entry(t).or_default().push(id);
        }
        id as usize
    }

    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// Every set sharing a word with `terms`, with its size and the number of words shared.
    fn sharing(&mut self, terms: &Terms) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        for t in terms {
            if let Some(ids) = self.postings.get(t) {
                for &id in ids {
                    if self.shared[id as usize] == 0 {
                        self.touched.push(id);
                    }
                    self.shared[id as usize] += 1;
                }
            }
        }
        let (sizes, shared) = (&self.sizes, &mut self.shared);
        self.touched.drain(..).map(move |id| {
            let common = std::mem::take(&mut shared[id as usize]) as usize;
            (id as usize, sizes[id as usize] as usize, common)
        })
    }

    /// Calls `f` with the number of every set that makes the same point as `terms`
    /// ([`same_point`]), each once, in no particular order.
    pub fn each_same(&mut self, terms: &Terms, mut f: impl FnMut(usize)) {
        if terms.is_empty() {
            // Nothing to say: every set says it.
            (0..self.sizes.len()).for_each(f);
            return;
        }
        self.empty.iter().for_each(|&id| f(id as usize));
        let n = terms.len();
        for (id, size, common) in self.sharing(terms) {
            if same_point_counts(size, n, common) {
                f(id);
            }
        }
    }

    /// Calls `f` with the number of every set that says what `terms` says ([`says`]: it holds
    /// most of its words), each once, in no particular order.
    pub fn each_saying(&mut self, terms: &Terms, mut f: impl FnMut(usize)) {
        if terms.is_empty() {
            (0..self.sizes.len()).for_each(f);
            return;
        }
        let n = terms.len();
        for (id, size, common) in self.sharing(terms) {
            if holds(size, n, common) {
                f(id);
            }
        }
    }

    /// Whether any set makes the same point as `terms`.
    pub fn any_same(&mut self, terms: &Terms) -> bool {
        let mut found = false;
        self.each_same(terms, |_| found = true);
        found
    }

    /// The first set (by number) whose every word `terms` holds, and more.
    pub fn first_within(&mut self, terms: &Terms) -> Option<usize> {
        let n = terms.len();
        self.sharing(terms)
            .filter(|&(_, size, common)| common == size && size < n)
            .map(|(id, _, _)| id)
            .fold(None, |first: Option<usize>, id| {
                Some(first.map_or(id, |f| f.min(id)))
            })
    }

    /// Whether any set says what `terms` says ([`says`]: it holds most of its words). A set that
    /// `terms` holds, with a few more words (a short bullet `terms` elaborates on), does not; one
    /// with [`ELABORATION`] times fewer words is taken as said (a block of many points that
    /// happens to hold a bullet's words is not a fuller wording of it).
    pub fn any_saying(&mut self, terms: &Terms) -> bool {
        if terms.is_empty() {
            return !self.sizes.is_empty();
        }
        let n = terms.len();
        // `Iterator::any` would stop early and leave the scratch counts dirty.
        self.sharing(terms).fold(false, |found, (_, size, common)| {
            found || holds(size, n, common) || (holds(n, size, common) && n > ELABORATION * size)
        })
    }
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
    // How many of the text's words are stop words of each language, in `LATIN_LANGUAGES` order.
    let mut hits = [0usize; LATIN_LANGUAGES.len()];
    let mut words = 0;
    let mut lowered = String::new();
    for word in text
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty())
    {
        words += 1;
        let word = if word.chars().any(char::is_uppercase) {
            lowered.clear();
            lowered.extend(word.chars().flat_map(char::to_lowercase));
            lowered.as_str()
        } else {
            word
        };
        if let Some(&languages) = stop_words().get(word) {
            for (k, hit) in hits.iter_mut().enumerate() {
                *hit += usize::from(languages & (1 << k) != 0);
            }
        }
    }
    if words < 4 {
        return Language::Unknown;
    }
    let english = hits[0];
    let best = LATIN_LANGUAGES
        .iter()
        .zip(hits)
        .max_by(|a, b| a.1.cmp(&b.1).then(std::cmp::Ordering::Greater))
        .expect("languages listed");
    if *best.0 != "en" && best.1 >= 3 && best.1 > english {
        Language::Latin(best.0)
    } else if english >= 1 {
        Language::Latin("en")
    } else {
        // No function words at all (`Check C++ standard version requirements`): a list item's
        // keywords, in no telling language.
        Language::Unknown
    }
}

/// Every stop word of the listed languages, with the languages it is one of (bit `k` for
/// `LATIN_LANGUAGES[k]`): one look-up per word instead of one per language.
fn stop_words() -> &'static FxHashMap<&'static str, u8> {
    use std::sync::OnceLock;
    static WORDS: OnceLock<FxHashMap<&'static str, u8>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: FxHashMap<&'static str, u8> = FxHashMap::default();
        for (k, &code) in LATIN_LANGUAGES.iter().enumerate() {
            for &word in stop_words::get(code) {
                *words.entry(word).or_default() |= 1 << k;
            }
        }
        words
    })
}

/// Whether a unit is in another language than `body` (known for both, and different).
pub fn foreign(unit: &str, body: Language) -> bool {
    foreign_language(language(unit), body)
}

/// Whether a unit in language `own` is in another language than `body` (known for both).
pub fn foreign_language(own: Language, body: Language) -> bool {
    own != Language::Unknown && body != Language::Unknown && own != body
}

/// Whether a text holds words in a script a Latin-script body does not use (Hangul, Han, Kana,
/// Cyrillic, Arabic, …): `Virtual threads 사용 시 Semaphore 보호` is mostly Latin letters, but a
/// reader of an English agent cannot read it, and a code block commented in Korean is another
/// author's. Greek letters are left alone (`μs`, `λ` are notation in any language), and so is what
/// prose quotes (`` `你好` ``, "こんにちは": a localization agent's example, not its language).
pub fn other_script_in_latin_body(text: &str, is_code: bool, body: Language) -> bool {
    if !matches!(body, Language::Latin(_)) {
        return false;
    }
    let is_other = |c: char| {
        c.is_alphabetic()
            && !c.is_ascii()
            && !('\u{c0}'..='\u{24f}').contains(&c)
            && !('\u{370}'..='\u{3ff}').contains(&c)
            && !('\u{1e00}'..='\u{1eff}').contains(&c)
    };
    let mut quoted: Option<char> = None;
    let mut count = 0;
    for c in text.chars() {
        if !is_code {
            match quoted {
                Some(q) if c == q || (q == '“' && c == '”') => quoted = None,
                Some(_) => continue,
                None if matches!(c, '`' | '"' | '“') => quoted = Some(c),
                None => {}
            }
        }
        if quoted.is_none() && is_other(c) {
            count += 1;
            if count >= 2 {
                return true;
            }
        }
    }
    false
}

// --------------------------------------------------------------------------- project-specific

/// What in a unit ties it to the project its author wrote it for, if anything: a link to a local
/// file, a path in a codebase (`src/app/models.py`, `./share.md`, `~/work/x`), a link to one
/// repository. URLs of documentation and sites are general, and kept.
pub fn project_specific(source: &str) -> Option<String> {
    local_link(source)
        .or_else(|| repository_link(source))
        .or_else(|| codebase_path(source))
        .or_else(|| agent_of_its_library(source))
}

/// Words that hand work to another agent.
const HANDING_OVER: &[&str] = &[
    "delegate",
    "consult",
    "hand off",
    "handoff",
    "escalate",
    "coordinate with",
    "collaborate with",
];

/// A line that hands work to an agent by its name (`` Delegate to `go-test-engineer` ``, ``
/// `code-reviewer`: for quality checks ``): that agent belongs to the member's own library, and the
/// merged agent's user may have no agent of that name.
fn agent_of_its_library(source: &str) -> Option<String> {
    // A name in backticks or bold, made of words joined by hyphens or underscores.
    let is_name = |name: &&str| {
        name.len() > 2
            && name.contains(['-', '_'])
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    };
    let mut names = ["`", "**"]
        .iter()
        .flat_map(|delimiter| source.split(delimiter).skip(1).step_by(2))
        .map(str::trim)
        .filter(is_name)
        .peekable();
    // Most units set no such name apart: they need no lowercase copy.
    names.peek()?;
    let lower = source.to_lowercase();
    let hands_over = HANDING_OVER.iter().any(|w| lower.contains(w));
    names
        .find(|name| {
            hands_over
                || lower.contains(&format!("{name}` agent"))
                || lower.contains(&format!("{name}** agent"))
        })
        .map(|name| format!("hands work to `{name}`, an agent of its own library"))
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
    if !source.contains('/') {
        // Every path has one; most units have none, and need no splitting into tokens.
        return None;
    }
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
    NameFinder::new(&[name]).mentioned(text).contains(&0)
}

/// Finds which of some agents' names a text mentions (see [`mentions`]), reading the text once
/// however many names there are: a merge checks every unit of every member against the names of
/// all the members.
pub struct NameFinder {
    /// Each name as searched for (lowercase, `_` written `-`), or `None` when too short to tell.
    names: Vec<Option<String>>,
    /// The names made of name characters only, by their searched form: such a name is mentioned
    /// where it is a whole word of the text, so the text's words are looked up.
    by_word: FxHashMap<String, Vec<usize>>,
    /// The other names (with a space, a dot…), searched for one by one.
    by_search: Vec<usize>,
}

/// Letters and digits of the Latin script, `-` and `_`. A letter of another script ends a name:
/// Korean and Japanese write particles right after a word (`reviewer-agent로`, "to
/// reviewer-agent"), and the name is still mentioned.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || c == '_'
        || (c.is_alphabetic() && ('\u{c0}'..='\u{24f}').contains(&c))
}

/// Lowercase, with `geepers_diag` written `geepers-diag`.
fn searched_form(text: &str) -> String {
    text.to_lowercase().replace('_', "-")
}

impl NameFinder {
    pub fn new(names: &[&str]) -> NameFinder {
        let mut finder = NameFinder {
            names: Vec::with_capacity(names.len()),
            by_word: FxHashMap::default(),
            by_search: Vec::new(),
        };
        for (i, name) in names.iter().enumerate() {
            let form = (name.len() >= 3).then(|| searched_form(name));
            match &form {
                Some(f) if !f.is_empty() && f.chars().all(is_name_char) => {
                    finder.by_word.entry(f.clone()).or_default().push(i)
                }
                Some(_) => finder.by_search.push(i),
                None => {}
            }
            finder.names.push(form);
        }
        finder
    }

    /// The indices (into the names given to [`NameFinder::new`]) of the names `text` mentions, in
    /// no particular order, possibly repeated.
    pub fn mentioned(&self, text: &str) -> Vec<usize> {
        self.mentioned_among(&name_words(text), text)
    }

    /// [`NameFinder::mentioned`], given the text's [`name_words`] (which may be kept from an
    /// earlier merge: they do not depend on the names searched for).
    pub fn mentioned_among(&self, words: &[String], text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        for word in words {
            if let Some(ids) = self.by_word.get(word) {
                found.extend(ids);
            }
        }
        if self.by_search.is_empty() {
            return found;
        }
        let lower = searched_form(text);
        for &i in &self.by_search {
            let name = self.names[i]
                .as_deref()
                .expect("searched names are long enough");
            let mut from = 0;
            while let Some(s) = lower[from..].find(name).map(|s| s + from) {
                let end = s + name.len();
                from = end;
                let before = lower[..s].chars().next_back();
                let after = lower[end..].chars().next();
                if !before.is_some_and(is_name_char)
                    && !after.is_some_and(is_name_char)
                    && set_apart(&lower, s, end)
                {
                    found.push(i);
                    break;
                }
            }
        }
        found
    }
}

/// The words of a text that stand as an agent's name would (see [`mentions`]): lowercase, `_`
/// written `-`; words of several parts (`code-reviewer`), and single words set apart.
pub fn name_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    if !text.contains(['-', '_', '`', '@'])
        && !text
            .as_bytes()
            .windows(5)
            .any(|w| w.eq_ignore_ascii_case(b"agent"))
    {
        // No word of several parts, none set apart.
        return words;
    }
    let lower = searched_form(text);
    let mut start = None;
    for (i, c) in lower.char_indices().chain([(lower.len(), ' ')]) {
        match (is_name_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if set_apart(&lower, s, i) {
                    words.push(lower[s..i].to_owned());
                }
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// Whether the whole word `lower[start..end]` stands as an agent's name: a name of several words
/// always does; one word only when set apart (`` `tester` ``, `@tester`, `tester agent`).
fn set_apart(lower: &str, start: usize, end: usize) -> bool {
    let word = &lower[start..end];
    if word.contains('-') {
        return true;
    }
    let before = lower[..start].chars().next_back();
    let after = lower[end..].trim_start();
    before.is_some_and(|c| c == '`' || c == '@')
        || after.starts_with("agent")
        || after.starts_with("subagent")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_mentioned_with_a_particle_of_another_script_after_it() {
        assert!(mentions(
            "전략 결정은 plan-strategist로 위임.",
            "plan-strategist"
        ));
        assert!(mentions("Délègue à plan-strategist.", "plan-strategist"));
        assert!(!mentions("Use plan-strategisté here.", "plan-strategist"));
    }

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
    fn words_of_another_script_in_a_latin_body_are_told() {
        let en = Language::Latin("en");
        assert!(other_script_in_latin_body(
            "Virtual threads 사용 시 Semaphore 보호",
            false,
            en
        ));
        assert!(other_script_in_latin_body(
            "// ✅ HARDENED: 민감 정보 마스킹\nlog.info(\"x\");",
            true,
            en
        ));
        // Notation, accents, emoji and quoted examples are no other language.
        assert!(!other_script_in_latin_body(
            "Keep p99 under 200 μs (λ ≥ 2) ✅",
            false,
            en
        ));
        assert!(!other_script_in_latin_body(
            "Réviser le code déjà écrit",
            false,
            en
        ));
        assert!(!other_script_in_latin_body(
            "Translate `你好` and \"こんにちは\" with the glossary",
            false,
            en
        ));
        // A body in another script keeps its own letters.
        assert!(!other_script_in_latin_body(
            "사용 시 보호",
            false,
            Language::OtherScript
        ));
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
    fn handing_work_to_an_agent_of_its_own_library_is_project_specific() {
        assert!(project_specific("- For test plans: Delegate to `unit-test-writer`").is_some());
        assert!(project_specific("- Ask the **perf-tuner** agent about latency").is_some());
        assert_eq!(
            project_specific("- Use `docker-compose` for local stacks"),
            None
        );
        assert_eq!(project_specific("- Delegate small tasks to juniors"), None);
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
    fn the_index_finds_what_comparing_with_every_set_finds() {
        let texts = [
            "Implement caching strategies with Redis and Memcached",
            "Implement caching strategies (Redis, Memcached) and CDN integration",
            "Use connection pooling",
            "Use connection pooling effectively for every database and cache server",
            "Design database schemas for relational systems",
            "the of and",
            "Review pull requests for correctness",
        ];
        let sets: Vec<Terms> = texts.iter().map(|t| terms_of(t)).collect();
        assert!(sets[5].is_empty(), "stop words only: no content words");
        let mut index = PointIndex::default();
        for set in &sets[..5] {
            index.insert(set);
        }
        for query in &sets {
            let mut found = Vec::new();
            index.each_same(query, |id| found.push(id));
            found.sort_unstable();
            let expected: Vec<usize> = (0..5).filter(|&i| same_point(&sets[i], query)).collect();
            assert_eq!(found, expected);
            let saying = (0..5).any(|i| {
                says(&sets[i], query)
                    || (says(query, &sets[i]) && query.len() > ELABORATION * sets[i].len())
            });
            assert_eq!(index.any_saying(query), saying);
        }
        // A fuller wording is not said by the short one, and it holds every word of it.
        let mut short = PointIndex::default();
        short.insert(&sets[2]);
        assert!(!short.any_saying(&sets[3]));
        assert!(short.any_same(&sets[3]));
        assert_eq!(short.first_within(&sets[3]), Some(0));
        assert_eq!(short.first_within(&sets[4]), None);
    }

    #[test]
    fn a_set_without_words_makes_every_point_but_says_nothing() {
        let mut index = PointIndex::default();
        index.insert(&Terms::default());
        let point = terms_of("Review pull requests for correctness");
        assert!(index.any_same(&point), "as `same_point` has it");
        assert!(!index.any_saying(&point));
    }

    #[test]
    fn a_name_finder_finds_what_mentions_finds() {
        let names = [
            "cicd-reviewer",
            "geepers_diag",
            "tester",
            "Backend Engineer",
            "ab",
        ];
        let finder = NameFinder::new(&names);
        for text in [
            "Use cicd-reviewer for general checks",
            "Use cicd-reviewer-pro for it",
            "Unlike geepers-diag (general diagnostics)",
            "Hand off to the `tester` when done; ask the Tester agent",
            "write tests like a careful tester would",
            "The backend engineer agent and the Backend Engineer",
            "ab ab `ab`",
        ] {
            let mut found = finder.mentioned(text);
            found.sort_unstable();
            found.dedup();
            let expected: Vec<usize> = (0..names.len())
                .filter(|&i| {
                    // The reference: one name at a time, as `mentions` reads it.
                    let lower = text.to_lowercase().replace('_', "-");
                    let name = names[i].to_lowercase().replace('_', "-");
                    names[i].len() >= 3
                        && lower.match_indices(&name).any(|(at, _)| {
                            let before = lower[..at].chars().next_back();
                            let after = &lower[at + name.len()..];
                            !before.is_some_and(is_name_char)
                                && !after.chars().next().is_some_and(is_name_char)
                                && (name.contains('-')
                                    || before.is_some_and(|c| c == '`' || c == '@')
                                    || after.trim_start().starts_with("agent")
                                    || after.trim_start().starts_with("subagent"))
                        })
                })
                .collect();
            assert_eq!(found, expected, "{text}");
        }
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

    #[test]
    fn items_naming_one_subject_in_other_words_echo_each_other() {
        let echo = |a: &str, b: &str| echoes(a, &terms_of(a), b, &terms_of(b), false);
        let part = |a: &str, b: &str| echoes(a, &terms_of(a), b, &terms_of(b), true);
        assert!(echo(
            "Plan watering schedules (drip, soaker hoses) and rain capture",
            "Plan watering schedules for every bed (drip, sprinklers, rain capture)"
        ));
        assert!(echo(
            "Keep proper pest control plans (traps, neem, scouting)",
            "Recommend suitable pest control plans including scouting"
        ));
        // Two words side by side are not enough: a pair of items in one series.
        assert!(!echo(
            "Seed trays: sow seeds in compost",
            "Seed beds: sow seeds outdoors"
        ));
        // The shared words open it, but it says something more: two points.
        assert!(!echo(
            "Check the beds in every greenhouse",
            "Check the beds: slugs never reach seedlings"
        ));
        // The words of any instruction hide no shared subject…
        assert!(echo(
            "Ensure proper drip irrigation, mulching and weeding",
            "Implement robust drip irrigation, weeding and rain capture"
        ));
        // An item whose few words all stand in the other, apart from how it asks, when parts count.
        let (plans, control) = (
            "Keep proper pest control plans (traps, neem, scouting)",
            "Recommend appropriate pest control",
        );
        assert!(part(plans, control));
        assert!(!echo(plans, control));
        // …nor make one: these share only how they are asked.
        assert!(!echo(
            "Ensure proper and robust pruning of the roses",
            "Implement proper and robust watering of the lawn"
        ));
        // Words shared, but not side by side: two points.
        assert!(!echo(
            "Order compost, mulch and seed for the beds",
            "Spread the mulch on beds after seed has come up, then compost"
        ));
    }
}
