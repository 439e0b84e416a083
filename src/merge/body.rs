//! Merging bodies topic by topic, as a maintainer would: one voice, each point once.
//!
//! 1. Every member is read into an outline ([`super::outline`]): introduction, sections, units.
//! 2. The representative's outline is the draft. Its units in another language than its body are
//!    dropped, and so are lines that delegate to (or contrast with) an agent the merge absorbs.
//! 3. Each other member's section is aligned with the draft section of the same topic (by title,
//!    see [`super::topics`], or by content: most of its points already made there). Its units are
//!    candidates for that section; a section of a topic the draft lacks is a candidate new section.
//!    Other members' introductions (a second identity) and closing lines are not carried over, nor
//!    an alternative to an exclusive topic the draft has (a second output format), nor units in
//!    another language, units tied to one member's project, or lines naming absorbed agents.
//! 4. A candidate the draft already says is dropped; of candidates that make one point, one wording
//!    is kept, the one most members share. Points two or more members make are added first, then
//!    new sections carrying them, then single-member points by how many new words they bring, then
//!    whole new sections of single-member points, while the body stays within [`GROWTH_LIMIT`] times
//!    the longest member. A new section needs at least three points: fewer is a fragment, not a
//!    topic (the points of it that several members make go to the section they fit best).
//! 5. The draft is written back: the representative's sections in its order, new sections after
//!    them, its closing last; every list renumbered.

use super::fold;
use super::outline::{self, Header, HeaderKind, Outline, Section, Unit, UnitKind};
use super::points::{self, Language, PointIndex, Terms};
use super::topics::{self, Topic};
use crate::model::{AgentFile, MergeDecision};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The merged body stays within this multiple of the longest member's body.
pub const GROWTH_LIMIT: f32 = 2.0;
/// A section of another member joins a draft section when this share of its points is already made
/// there (and at least two), whatever the titles say.
const SAME_CONTENT: f32 = 0.5;
/// A new section needs this many points of its own: fewer is a fragment, not a topic.
const NEW_SECTION_POINTS: usize = 2;

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
struct SourceFacts {
    /// What ties it to one project, if anything ([`points::project_specific`]).
    project: Option<String>,
    /// The words in it that could be an agent's name ([`points::name_words`]).
    name_words: Vec<String>,
}

#[derive(Clone)]
struct TextFacts {
    terms: Rc<Terms>,
    language: Language,
}

/// How many texts a [`TermCache`] holds before it starts afresh: some tens of megabytes at most.
const CACHE_TEXTS: usize = 1 << 15;

impl TermCache {
    fn make_room(&mut self) {
        if self.texts.len() + self.sources.len() + self.topics.len() >= CACHE_TEXTS {
            self.texts.clear();
            self.sources.clear();
            self.topics.clear();
        }
    }

    fn facts(&mut self, text: &str) -> &TextFacts {
        if !self.texts.contains_key(text) {
            let facts = TextFacts {
                terms: Rc::new(points::terms_of(text)),
                language: points::language(text),
            };
            self.texts.insert(text.to_owned(), facts);
        }
        &self.texts[text]
    }

    fn terms(&mut self, text: &str) -> Rc<Terms> {
        self.facts(text).terms.clone()
    }

    fn language(&mut self, text: &str) -> Language {
        self.facts(text).language
    }

    fn source(&mut self, source: &str) -> Rc<SourceFacts> {
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

    fn topic(&mut self, title: &str) -> Rc<Topic> {
        if let Some(topic) = self.topics.get(title) {
            return topic.clone();
        }
        let topic = Rc::new(topics::topic(title));
        self.topics.insert(title.to_owned(), topic.clone());
        topic
    }
}

/// Names the merge knows: the merged agent's, and those of the members it absorbs.
pub struct Names<'a> {
    pub merged: &'a str,
    /// Each member's name, in member order.
    pub members: &'a [String],
}

/// The members a merge absorbs (every member not named like the representative or the merged
/// agent), and a finder for the members' names in their text.
struct Absorbed<'a> {
    names: &'a Names<'a>,
    representative: usize,
    /// By member: whether the merged agent replaces an agent of that name.
    is_absorbed: Vec<bool>,
    /// Finds the members' names (by member index) in a text.
    finder: points::NameFinder,
}

impl<'a> Absorbed<'a> {
    fn new(names: &'a Names<'a>, representative: usize) -> Absorbed<'a> {
        let rep_name = &names.members[representative];
        let is_absorbed = names
            .members
            .iter()
            .enumerate()
            .map(|(i, n)| i != representative && n != rep_name && n != names.merged)
            .collect();
        let all: Vec<&str> = names.members.iter().map(String::as_str).collect();
        Absorbed {
            names,
            representative,
            is_absorbed,
            finder: points::NameFinder::new(&all),
        }
    }
}

/// The points of the representative's draft, indexed by their words, with the section of each:
/// which draft sections already make a point is a look-up, not a comparison with every point.
struct DraftPoints {
    index: PointIndex,
    section_of: Vec<usize>,
    /// By a title of another member's section, how alike its topic is to each draft section's
    /// (members of a cluster mostly share their titles).
    by_title: FxHashMap<String, Rc<Vec<f32>>>,
}

impl DraftPoints {
    fn new(draft: &[DraftSection]) -> DraftPoints {
        let mut points = DraftPoints {
            index: PointIndex::default(),
            section_of: Vec::new(),
            by_title: FxHashMap::default(),
        };
        for (d, section) in draft.iter().enumerate() {
            for p in &section.pieces {
                points.index.insert(&p.terms);
                points.section_of.push(d);
            }
        }
        points
    }

    /// How alike the topic of `title` is to each draft section's ([`Topic::similarity`]).
    fn title_similarity(
        &mut self,
        title: &str,
        topic: &Topic,
        draft: &[DraftSection],
    ) -> Rc<Vec<f32>> {
        if let Some(found) = self.by_title.get(title) {
            return found.clone();
        }
        let found = Rc::new(draft.iter().map(|d| topic.similarity(&d.topic)).collect());
        self.by_title.insert(title.to_owned(), Rc::clone(&found));
        found
    }

    /// For each draft section, how many of `units` it already makes.
    fn made_by_section(&mut self, units: &[Rc<Terms>], sections: usize) -> Vec<usize> {
        let mut made = vec![0; sections];
        let mut seen: Vec<usize> = Vec::new();
        for u in units {
            seen.clear();
            let section_of = &self.section_of;
            self.index.each_same(u, |p| seen.push(section_of[p]));
            seen.sort_unstable();
            seen.dedup();
            for &d in &seen {
                made[d] += 1;
            }
        }
        made
    }
}

/// A unit placed in the draft, or a candidate for it.
#[derive(Debug, Clone)]
struct Piece {
    member: usize,
    unit: Unit,
    terms: Rc<Terms>,
    /// How many members (this one included) make this point.
    support: usize,
    /// How many members (this one included) say all of it (their own wording holds most of its
    /// words): fewer than `support` when it elaborates on a point others make shortly.
    full_support: usize,
    /// Its number among what the body says ([`Said`]), once placed.
    said_as: Option<usize>,
    /// Whether it comes from a section of things not to do (`## Never`, `Avoid:`).
    negative: bool,
    /// For another member's unit: its place in its section, and among all candidates (members in
    /// order, each in the order it wrote them), so that steps of a new section keep the order of
    /// their procedures: first steps first.
    at: (usize, usize),
}

#[derive(Debug, Clone)]
struct DraftSection {
    header: Option<Header>,
    topic: Topic,
    pieces: Vec<Piece>,
    /// For a new section: the members whose sections of this topic it gathers.
    members: Vec<usize>,
    /// For a new section: the most units one member's section of it has (how long the list its
    /// lead-in introduces is where it comes from).
    listed: usize,
    /// For a new section: whether a member has it as a section of its body, not as a bold
    /// sub-title inside a section under a heading (`**Setup:**` under `## Deployment`).
    top_level: bool,
    /// For a section of the skeleton: whether it had nothing of its own, only titling the
    /// sections after it (`## Responsibilities` over `### 1. Analysis`).
    titles_only: bool,
}

/// Where a candidate goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Draft(usize),
    New(usize),
}

/// What happened to the other members' units, for the report.
#[derive(Default)]
struct Tally {
    added: BTreeMap<usize, usize>,
    already_said: usize,
    introductions: usize,
    closings: usize,
    other_language: Vec<String>,
    project_specific: Vec<String>,
    naming_members: Vec<String>,
    alternatives: Vec<String>,
    fragments: Vec<String>,
    adds_little: Vec<String>,
    /// Points of one member that are no whole item of a list of the section of their topic.
    not_fitting: Vec<String>,
    /// Points of a section only one member has.
    one_members_sections: Vec<String>,
    /// Points too short to stand among their neighbours (a word or two in a list of sentences), or
    /// lead-ins without their list.
    bare_keywords: Vec<String>,
    /// Titles of other members' sections that name no topic (`This shows:`).
    not_topics: Vec<String>,
    /// Lines repeating a member's frontmatter in its body (`agentName: …`).
    frontmatter_lines: Vec<String>,
    /// The representative's title, when it named another agent than the merged one.
    retitled: Option<String>,
    /// Points made in fuller words by several other members, and so reworded.
    reworded: Vec<String>,
    /// Items making the point of an item of their section in other words.
    echoes: Vec<String>,
    /// Sections of the skeleton folded into an earlier one of their topic.
    folds: Vec<fold::Fold>,
    left_out: Vec<String>,
}

/// Merges the bodies of `members`; `order` lists the non-representatives, most similar first.
pub fn merge_bodies(
    members: &[&AgentFile],
    representative: usize,
    order: &[usize],
    names: &Names,
    decisions: &mut Vec<MergeDecision>,
    cache: &mut TermCache,
) -> String {
    cache.make_room();
    let mut outlines: Vec<Outline> = members.iter().map(|m| outline::outline(&m.body)).collect();
    let chosen = representative;
    let representative = skeleton_of(&outlines, representative, cache);
    let mut tally = Tally {
        folds: fold::fold_repeated_topics(&mut outlines[representative]),
        ..Tally::default()
    };
    let reordered: Vec<usize>;
    let order = if representative == chosen {
        order
    } else {
        // The chosen representative's points come first, as the most similar member's would.
        reordered = std::iter::once(chosen)
            .chain(order.iter().copied().filter(|&m| m != representative))
            .collect();
        &reordered
    };
    let language = body_language(&outlines[representative], cache);
    let absorbed = Absorbed::new(names, representative);
    let rep = &outlines[representative];
    let closing_start = closing_of(rep, cache);
    let mut draft: Vec<DraftSection> = Vec::new();
    for section in &rep.sections {
        let pieces: Vec<Piece> = section
            .units
            .iter()
            .filter_map(|u| keep_unit(u, representative, &absorbed, language, &mut tally, cache))
            .collect();
        draft.push(DraftSection {
            topic: section
                .title()
                .map(|t| (*cache.topic(t)).clone())
                .unwrap_or_default(),
            header: section.header.clone(),
            titles_only: pieces.is_empty(),
            pieces,
            members: vec![representative],
            listed: 0,
            top_level: true,
        });
    }
    let mut draft_points = DraftPoints::new(&draft);
    let mut new_sections: Vec<DraftSection> = Vec::new();
    let mut candidates: Vec<(Piece, Target)> = Vec::new();
    for &m in order.iter().filter(|&&m| m != representative) {
        let outline = &outlines[m];
        let closing = closing_of(outline, cache);
        let mut last_target: Option<Target> = None;
        let mut negative = false;
        let parents = outline.parents();
        for (s, section) in outline.sections.iter().enumerate() {
            if let Some(title) = section.title() {
                negative = is_negative(title);
            }
            let target = match (&section.header, s >= closing) {
                (None, _) => {
                    // The introduction: its paragraphs are another identity.
                    tally.introductions += section
                        .units
                        .iter()
                        .filter(|u| u.kind == UnitKind::Paragraph)
                        .count();
                    Some(Target::Draft(0))
                }
                (Some(_), true) => {
                    tally.closings += section.units.len();
                    continue;
                }
                (Some(h), false) if h.kind == HeaderKind::Loose => last_target,
                // Another member's closing or pointers elsewhere (`## Remember`, `## Delegates
                // to`), wherever in its body: one closing, the representative's, and no agents
                // of another library.
                (Some(h), false)
                    if matches!(
                        cache.topic(&h.title).known,
                        Some(topics::CLOSING) | Some(topics::REFERENCES)
                    ) =>
                {
                    tally.closings += section.units.len();
                    continue;
                }
                // A section titled in another language is another language's section, whatever
                // technical words its items share with the body (`## 고가용성`, `- [ ] Sentinel 구성`).
                (Some(h), false)
                    if points::foreign_language(cache.language(&h.title), language) =>
                {
                    tally.other_language.push(preview(&h.title));
                    tally
                        .other_language
                        .extend(section.units.iter().map(|u| preview(&u.text)));
                    continue;
                }
                (Some(_), false) => align(
                    section,
                    m,
                    &draft,
                    &mut draft_points,
                    &mut new_sections,
                    &mut tally,
                    cache,
                ),
            };
            if let Some(Target::New(i)) = target {
                new_sections[i].top_level |= !is_part_of_a_section(section, parents[s].is_some());
            }
            last_target = target;
            let Some(target) = target else { continue };
            for (place, u) in section.units.iter().enumerate() {
                if section.header.is_none() && u.kind == UnitKind::Paragraph {
                    continue;
                }
                if is_closing_line(u) {
                    tally.closings += 1;
                    continue;
                }
                if let Some(mut piece) = keep_unit(u, m, &absorbed, language, &mut tally, cache) {
                    piece.negative = negative;
                    piece.at = (place, candidates.len());
                    candidates.push((piece, target));
                }
            }
        }
    }
    // Most points already made are made word for word (members copy each other): found by their
    // text, they need no comparison with every point of the draft.
    let said_verbatim: rustc_hash::FxHashSet<&str> = draft
        .iter()
        .flat_map(|d| d.pieces.iter().map(|p| p.unit.text.as_str()))
        .collect();
    let before = candidates.len();
    candidates.retain(|(p, _)| !said_verbatim.contains(p.unit.text.as_str()));
    tally.already_said += before - candidates.len();
    count_support(&mut candidates, &draft, members.len());
    let longest = members
        .iter()
        .map(|m| m.body.trim().len())
        .max()
        .unwrap_or(0);
    let budget = (longest as f32 * GROWTH_LIMIT) as usize;
    let rep_len = members[representative].body.trim().len();
    choose(
        &mut draft,
        new_sections,
        candidates,
        budget,
        single_budget(rep_len),
        &mut tally,
    );
    let title = rep.title.as_ref().map(|t| {
        let (title, renamed) = title_naming(&t.source, &t.text, names);
        if renamed {
            tally.retitled = Some(t.text.clone());
        }
        title
    });
    let body = render(rep, title.as_deref(), &draft, closing_start, representative);
    decisions.push(body_decision(members, representative, chosen, &tally));
    body
}

/// A member's body is taken as the merge's skeleton instead of the representative's when it holds
/// this many times the words two or more members use…
const RICHER_SKELETON: f32 = 1.5;
/// …and at least this many more of them: a few words more is no richer body.
const RICHER_BY_WORDS: usize = 40;

/// The member whose body is the skeleton: the representative's, unless another member's already
/// says much more of what the members share (its words that two or more members use). A short
/// representative among long members would otherwise take most of the body from others as
/// additions, and a body built mostly of additions reads as a patchwork.
fn skeleton_of(outlines: &[Outline], representative: usize, cache: &mut TermCache) -> usize {
    // The words of each body, from its units' (which the merge reads anyway, so they are cached).
    let terms: Vec<Terms> = outlines
        .iter()
        .map(|o| {
            let mut words = Terms::default();
            for (_, u) in o.units() {
                words.extend(cache.terms(&u.text).iter().copied());
            }
            words
        })
        .collect();
    let mut holders: FxHashMap<u64, usize> = FxHashMap::default();
    for set in &terms {
        for &t in set.iter() {
            *holders.entry(t).or_default() += 1;
        }
    }
    let shared = |set: &Terms| set.iter().filter(|t| holders[*t] >= 2).count();
    let rep_shared = shared(&terms[representative]);
    let (best, best_shared) = terms
        .iter()
        .enumerate()
        .map(|(i, set)| (i, shared(set)))
        .max_by_key(|&(i, n)| (n, i == representative))
        .unwrap_or((representative, rep_shared));
    if best_shared as f32 >= RICHER_SKELETON * rep_shared as f32
        && best_shared >= rep_shared + RICHER_BY_WORDS
    {
        best
    } else {
        representative
    }
}

/// The language of a body: the language of three quarters of its prose units or more, else
/// `Unknown` (a body that mixes two languages throughout has no other language to keep out).
fn body_language(outline: &Outline, cache: &mut TermCache) -> Language {
    let mut counts: Vec<(Language, usize)> = Vec::new();
    let mut total = 0;
    for (_, u) in outline.units() {
        if u.kind == UnitKind::Code {
            continue;
        }
        let language = cache.language(&u.text);
        if language == Language::Unknown {
            continue;
        }
        total += 1;
        match counts.iter_mut().find(|(l, _)| *l == language) {
            Some((_, n)) => *n += 1,
            None => counts.push((language, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n * 4 >= total * 3)
        .map_or(Language::Unknown, |(l, _)| l)
}

/// The sentence before a code block's fence (empty when the unit opens with the fence).
fn code_lead(text: &str) -> &str {
    let fence = text
        .lines()
        .map(str::trim_start)
        .position(|l| l.starts_with("```") || l.starts_with("~~~"));
    match fence {
        Some(line) => {
            let end: usize = text.lines().take(line).map(|l| l.len() + 1).sum();
            &text[..end.min(text.len())]
        }
        None => "",
    }
}

/// A unit as the merged body would hold it (a piece of member `member`), or `None` when it does
/// not belong there: in another
/// language; naming an agent the merge absorbs (delegating to it, contrasting with it); from a
/// non-representative, tied to its own project. A member's mention of its own name becomes the
/// merged name.
fn keep_unit(
    unit: &Unit,
    member: usize,
    absorbed: &Absorbed,
    language: Language,
    tally: &mut Tally,
    cache: &mut TermCache,
) -> Option<Piece> {
    let facts = cache.facts(&unit.text);
    let terms = facts.terms.clone();
    // A code block is in a programming language: only the sentence that introduces it says which
    // natural language the unit is in (`-d`, `-o`, `de` in a shell command are no French).
    let unit_language = if unit.kind == UnitKind::Code {
        points::language(code_lead(&unit.text))
    } else {
        facts.language
    };
    if points::foreign_language(unit_language, language) {
        tally.other_language.push(preview(&unit.text));
        return None;
    }
    if is_frontmatter_line(unit) {
        tally.frontmatter_lines.push(preview(&unit.text));
        return None;
    }
    let identity = unit.kind == UnitKind::Paragraph && {
        let t = unit.text.trim_start().to_lowercase();
        t.starts_with("you are ") || t.starts_with("you're ")
    };
    if member != absorbed.representative && unit.source.trim_start().starts_with("<example") {
        // Another member's `<example>` of how it is invoked names that member's agent.
        tally.naming_members.push(preview(&unit.text));
        return None;
    }
    if member != absorbed.representative && identity {
        // A second identity: one agent, the representative's.
        tally.introductions += 1;
        return None;
    }
    let quoted = {
        let t = if unit.is_item() {
            outline::after_marker(&unit.source).trim()
        } else {
            unit.text.trim()
        };
        t.len() > 2 && t.starts_with(['"', '“']) && t.ends_with(['"', '”'])
    };
    if member != absorbed.representative
        && ((unit.kind == UnitKind::Paragraph && unit.text.trim_end().ends_with(':')) || quoted)
    {
        // A lead-in whose list is not a unit of it: nothing would follow it. A quoted request
        // (`"Build a lending protocol"`) is another member's example, not a point.
        tally.bare_keywords.push(preview(&unit.text));
        return None;
    }
    let names = absorbed.names;
    let own = names.members[member].as_str();
    let source = cache.source(&unit.source);
    let mentioned = absorbed
        .finder
        .mentioned_among(&source.name_words, &unit.source);
    if mentioned
        .iter()
        .any(|&j| absorbed.is_absorbed[j] && names.members[j] != own)
    {
        tally.naming_members.push(preview(&unit.text));
        return None;
    }
    if member != absorbed.representative {
        if let Some(what) = &source.project {
            tally
                .project_specific
                .push(format!("{} ({what})", preview(&unit.text)));
            return None;
        }
    }
    let mut unit = unit.clone();
    let mut terms = terms;
    if own != names.merged && mentioned.contains(&member) {
        unit.source = super::replace_word(&unit.source, own, names.merged);
        unit.text = super::replace_word(&unit.text, own, names.merged);
        terms = cache.terms(&unit.text);
    }
    Some(Piece {
        member,
        unit,
        terms,
        support: 1,
        full_support: 1,
        said_as: None,
        negative: false,
        at: (0, 0),
    })
}

/// Where a body's closing starts: its trailing loose paragraphs ([`Outline::closing_start`]), and
/// the sections titled as a closing or as pointers elsewhere just before them (`## Remember`,
/// `## Resources`, `## Related agents`): what the merge adds goes before them, and another
/// member's closing sections are not carried over.
fn closing_of(outline: &Outline, cache: &mut TermCache) -> usize {
    let mut start = outline.closing_start();
    while start > 1
        && outline.sections[start - 1].title().is_some_and(|t| {
            matches!(
                cache.topic(t).known,
                Some(topics::CLOSING) | Some(topics::REFERENCES)
            )
        })
    {
        start -= 1;
    }
    start
}

/// Frontmatter keys a body sometimes repeats as plain lines (`agentName: …`, `version: 1.0`).
const FRONTMATTER_KEYS: &[&str] = &[
    "name",
    "agentname",
    "agent_name",
    "agent",
    "displayname",
    "description",
    "version",
    "tools",
    "model",
    "color",
    "author",
    "category",
    "tags",
    "temperature",
    "type",
];

/// A paragraph of `key: value` lines whose keys are all frontmatter keys: a member's metadata
/// written into its body, which names that member and contradicts the merged frontmatter.
fn is_frontmatter_line(unit: &Unit) -> bool {
    unit.kind == UnitKind::Paragraph
        && unit.source.lines().all(|line| {
            line.trim().split_once(':').is_some_and(|(key, value)| {
                let key = key.trim().to_ascii_lowercase();
                FRONTMATTER_KEYS.contains(&key.as_str()) && !value.trim().is_empty()
            })
        })
        // One `Description: …` line can be prose; several keys, or a key that only metadata
        // uses, cannot.
        && (unit.source.trim().lines().count() >= 2
            || ["agentname", "agent_name", "displayname", "version"].iter().any(|k| {
                unit.source.trim().to_ascii_lowercase().starts_with(&format!("{k}:"))
            }))
}

/// A closing line of another member in the middle of its body (`Remember: …`), or a question put
/// to the user: one closing line, the representative's.
fn is_closing_line(unit: &Unit) -> bool {
    unit.kind == UnitKind::Paragraph
        && (unit
            .text
            .trim_start()
            .to_lowercase()
            .starts_with("remember")
            || unit.text.trim_end().ends_with('?'))
}

/// Where another member's section goes: the draft section of its topic, an alternative to an
/// exclusive topic the draft has (`None`: dropped), or a new section (shared with other members'
/// sections of the same topic).
fn align(
    section: &Section,
    member: usize,
    draft: &[DraftSection],
    draft_points: &mut DraftPoints,
    new_sections: &mut Vec<DraftSection>,
    tally: &mut Tally,
    cache: &mut TermCache,
) -> Option<Target> {
    let header = section
        .header
        .as_ref()
        .expect("only titled sections are aligned");
    let topic = cache.topic(&header.title);
    let by_title = draft_points.title_similarity(&header.title, &topic, draft);
    // A title of the same topic outranks any match by content: the points already made need
    // looking up only when no title matches.
    let made = if by_title.iter().any(|&t| t >= topics::SAME_TOPIC) {
        Vec::new()
    } else {
        let units: Vec<Rc<Terms>> = section.units.iter().map(|u| cache.terms(&u.text)).collect();
        draft_points.made_by_section(&units, draft.len())
    };
    let units = section.units.len();
    // New sections hold no points yet while sections are aligned: they match by title only.
    let best = |sections: &[DraftSection], by_title: &[f32], made: &[usize]| {
        sections
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.header
                    .as_ref()
                    .is_some_and(|h| h.kind != HeaderKind::Loose)
            })
            .map(|(i, d)| {
                let title = by_title
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| topic.similarity(&d.topic));
                let made = made.get(i).copied().unwrap_or(0);
                (i, topic_match(title, units, made))
            })
            .filter(|&(_, score)| score > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    };
    if let Some((i, _)) = best(draft, &by_title, &made) {
        if topic.exclusive && draft[i].topic.known == topic.known {
            tally.alternatives.push(header.title.clone());
            return None;
        }
        return Some(Target::Draft(i));
    }
    if topic.exclusive
        && draft
            .iter()
            .any(|d| d.topic.known.is_some() && d.topic.known == topic.known)
    {
        tally.alternatives.push(header.title.clone());
        return None;
    }
    if !names_a_topic(header) {
        // A lead-in that is a sentence (`You engage when users:`, `This shows:`) names no topic a
        // section of the merged agent could have.
        tally.not_topics.push(preview(&header.title));
        return None;
    }
    if let Some((i, _)) = best(new_sections, &[], &[]) {
        if !new_sections[i].members.contains(&member) {
            new_sections[i].members.push(member);
        }
        new_sections[i].listed = new_sections[i].listed.max(units);
        return Some(Target::New(i));
    }
    new_sections.push(DraftSection {
        header: Some(header.clone()),
        topic: (*topic).clone(),
        pieces: Vec::new(),
        members: vec![member],
        listed: units,
        top_level: false,
        titles_only: false,
    });
    Some(Target::New(new_sections.len() - 1))
}

/// Words a title that names a topic opens with (`Orchestration`, `Key practices:`) and one that
/// points back at what came before (`This shows:`, `These include:`) does not.
const BACK_REFERENCES: &[&str] = &["this", "that", "these", "those", "it", "here", "such"];

/// Whether a header names a topic: a heading or bold title, or a lead-in of a few words that does
/// not point back at the sentence before it.
fn names_a_topic(header: &Header) -> bool {
    let words: Vec<String> = header
        .title
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    let points_back = words
        .first()
        .is_some_and(|w| BACK_REFERENCES.contains(&w.as_str()));
    match header.kind {
        HeaderKind::LeadIn => words.len() <= 5 && !points_back,
        _ => !points_back,
    }
}

/// How well a section matches a draft section, from how alike their titles' topics are and how
/// many of its `units` points the draft section already makes: more than 1 for titles of one
/// topic, else the share of its points the draft section already makes when that is
/// [`SAME_CONTENT`] or more, else 0.
fn topic_match(by_title: f32, units: usize, made: usize) -> f32 {
    if by_title >= topics::SAME_TOPIC {
        return 1.0 + by_title;
    }
    if units == 0 {
        return 0.0;
    }
    let share = made as f32 / units as f32;
    if made >= 2 && share >= SAME_CONTENT {
        share
    } else {
        0.0
    }
}

/// How many members make each candidate's point (the representative counted when its draft does).
fn count_support(candidates: &mut [(Piece, Target)], draft: &[DraftSection], members: usize) {
    // Members copy each other: each distinct text is looked up once, with the members writing it.
    let mut index = PointIndex::default();
    let mut texts: Vec<Rc<Terms>> = Vec::new();
    let mut writers: Vec<Vec<usize>> = Vec::new();
    let mut candidate_text: Vec<usize> = Vec::with_capacity(candidates.len());
    {
        let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
        let draft_pieces = draft.iter().flat_map(|d| &d.pieces);
        for (k, p) in draft_pieces.map(|p| (None, p)).chain(
            candidates
                .iter()
                .enumerate()
                .map(|(k, (p, _))| (Some(k), p)),
        ) {
            let id = *ids.entry(p.unit.text.as_str()).or_insert_with(|| {
                texts.push(p.terms.clone());
                writers.push(Vec::new());
                index.insert(&p.terms)
            });
            writers[id].push(p.member);
            if k.is_some() {
                candidate_text.push(id);
            }
        }
    }
    let mut support: Vec<Option<(usize, usize)>> = vec![None; texts.len()];
    let mut who = vec![false; members];
    let mut count = |index: &mut PointIndex, id: usize, full: bool| {
        who.iter_mut().for_each(|w| *w = false);
        let mut mark = |j: usize| {
            for &m in &writers[j] {
                who[m] = true;
            }
        };
        if full {
            index.each_saying(&texts[id], &mut mark);
        } else {
            index.each_same(&texts[id], &mut mark);
        }
        who.iter().filter(|&&w| w).count()
    };
    for (piece, &id) in candidates.iter_mut().map(|(p, _)| p).zip(&candidate_text) {
        if support[id].is_none() {
            support[id] = Some((count(&mut index, id, false), count(&mut index, id, true)));
        }
        (piece.support, piece.full_support) = support[id].expect("just counted");
    }
}

/// Bytes a unit takes in the merged body, with the blank line before it.
fn cost(unit: &Unit) -> usize {
    unit.source.len() + 2
}

fn draft_len(draft: &[DraftSection]) -> usize {
    draft
        .iter()
        .map(|d| {
            d.header.as_ref().map_or(0, |h| h.source.len() + 2)
                + d.pieces.iter().map(|p| cost(&p.unit)).sum::<usize>()
        })
        .sum()
}

/// A single-member point is worth adding when it brings at least this many words the body lacks…
const MIN_NEW_WORDS: usize = 2;
/// …and they are at least this share of its words.
const MIN_NEW_SHARE: f32 = 0.34;

/// What the body says so far (the draft and the points placed in new sections): its points,
/// indexed by their words, and all its words.
#[derive(Default)]
struct Said {
    points: PointIndex,
    words: Terms,
}

impl Said {
    /// Adds a piece's point; the piece learns its number.
    fn add(&mut self, piece: &mut Piece) {
        piece.said_as = Some(self.points.insert(&piece.terms));
        self.words.extend(piece.terms.iter().copied());
    }

    /// Notes a point left out as an echo of an item ([`echoes_an_item`]): that item makes it, so a
    /// point the same as this one is said already. Its words are not the body's, though.
    fn echoed(&mut self, piece: &Piece) {
        self.points.insert(&piece.terms);
    }

    /// The first point made whose every word `terms` holds, and more: `terms` can stand in its
    /// place, saying it fully.
    fn fuller_than(&mut self, terms: &Terms) -> Option<usize> {
        self.points.first_within(terms)
    }

    /// Whether a point is already made, in other words, in fewer or in more.
    fn says(&mut self, terms: &Terms) -> bool {
        self.points.any_same(terms)
    }

    /// [`Said::says`], but a point several members say in full that elaborates on one made (`Component
    /// design` / `Component design: plan the hierarchy for reuse`) is not made yet: the body must
    /// keep every point two or more members make. Code is never such an elaboration.
    fn says_piece(&mut self, piece: &Piece) -> bool {
        if piece.full_support >= 2 && piece.unit.kind != UnitKind::Code {
            self.points.any_saying(&piece.terms)
        } else {
            self.points.any_same(&piece.terms)
        }
    }

    /// How many of a point's words the body (and `also`, words about to join it) lacks, if that
    /// is enough to be worth adding.
    fn adds(&self, terms: &Terms, also: &Terms) -> Option<usize> {
        let new = terms
            .iter()
            .filter(|t| !self.words.contains(t) && !also.contains(t))
            .count();
        (new >= MIN_NEW_WORDS && new as f32 >= MIN_NEW_SHARE * terms.len() as f32).then_some(new)
    }
}

/// Points one member alone makes add at most this share of the representative's body…
const SINGLE_SHARE: f32 = 0.15;
/// …or this many bytes when that is more (a short body can still take an item or two)…
const SINGLE_MIN_BYTES: usize = 240;
/// …and at most this many of them go into one section: the body stays the representative's.
const SINGLE_PER_SECTION: usize = 2;

/// How many bytes the points one member alone makes may add to a representative's body of
/// `rep_len` bytes.
fn single_budget(rep_len: usize) -> usize {
    ((rep_len as f32 * SINGLE_SHARE) as usize).max(SINGLE_MIN_BYTES)
}

/// Adds the candidates to the draft (see the module's step 4). `budget` bounds the body's length;
/// `single_budget` the bytes points of one member alone may add.
fn choose(
    draft: &mut Vec<DraftSection>,
    mut new_sections: Vec<DraftSection>,
    candidates: Vec<(Piece, Target)>,
    budget: usize,
    single_budget: usize,
    tally: &mut Tally,
) {
    let mut length = draft_len(draft);
    // New sections hold no points yet: what is said is the draft's.
    let mut said = Said::default();
    for p in draft.iter_mut().flat_map(|d| &mut d.pieces) {
        said.add(p);
    }
    let mut open: Vec<(Piece, Target)> = Vec::new();
    for (p, t) in candidates {
        if said.says_piece(&p) {
            tally.already_said += 1;
        } else {
            open.push((p, t));
        }
    }
    // Another member's paragraphs do not join the introduction (one identity), and in a body whose
    // items are sentences, a new section of bare keywords (`Fuzzing`, `Gas estimation`) is not the
    // representative's voice.
    let sentences = median_item_words(draft) > 3;
    open.retain(|(p, t)| {
        let intro = matches!(t, Target::Draft(0))
            && draft[0].header.is_none()
            && p.unit.kind == UnitKind::Paragraph;
        let keyword =
            matches!(t, Target::New(_)) && sentences && p.unit.is_item() && item_words(&p.unit) < 3;
        if intro {
            tally.introductions += 1;
        } else if keyword {
            tally.bare_keywords.push(preview(&p.unit.text));
        }
        !intro && !keyword
    });
    let mut taken = vec![false; open.len()];
    let mut settled = vec![false; open.len()];
    // (1) Points several members make, most shared first: one wording each, the first met.
    let mut shared: Vec<usize> = (0..open.len())
        .filter(|&i| open[i].0.support >= 2)
        .collect();
    shared.sort_by_key(|&i| std::cmp::Reverse(open[i].0.support));
    for i in shared {
        settled[i] = true;
        let (piece, target) = &open[i];
        if said.says_piece(piece) {
            tally.already_said += 1;
            continue;
        }
        // A fuller wording of a point made takes its place: the point is said once.
        let shorter_id = said.fuller_than(&piece.terms).filter(|&id| {
            draft
                .iter()
                .chain(new_sections.iter())
                .flat_map(|d| d.pieces.iter())
                .find(|p| p.said_as == Some(id))
                .is_some_and(|p| can_stand_for(&piece.unit, &p.unit))
        });
        if let (None, Target::Draft(d)) = (shorter_id, *target) {
            let dest = best_child(draft, d, &piece.terms);
            if !reads_as_neighbour(&piece.unit, &draft[dest]) || !polarity_fits(piece, &draft[dest])
            {
                tally.bare_keywords.push(preview(&piece.unit.text));
                continue;
            }
            if echoes_an_item(piece, &draft[dest]) {
                tally.echoes.push(preview(&piece.unit.text));
                said.echoed(piece);
                continue;
            }
        }
        let shorter = shorter_id.and_then(|id| find_said(draft, &mut new_sections, id));
        // (The shorter wording is part of `length`.)
        let new_length = length + cost(&piece.unit) - shorter.as_ref().map_or(0, |p| cost(&p.unit));
        if new_length > budget {
            tally.left_out.push(preview(&piece.unit.text));
            continue;
        }
        length = new_length;
        taken[i] = true;
        let mut piece = piece.clone();
        said.add(&mut piece);
        match shorter {
            Some(p) => {
                tally.reworded.push(preview(&p.unit.text));
                p.unit = in_place_of(piece.unit, &p.unit);
                p.terms = piece.terms;
                p.said_as = piece.said_as;
            }
            None => place(draft, &mut new_sections, piece, *target),
        }
    }
    // (2) Single-member points: only whole items that fit a list of the section of their topic,
    // at most a few per section and within `single_budget`, by how many new words they bring per
    // byte. A new section (a topic two or more members have and the body lacks) is offered first,
    // whole or not at all; the points of a section that is not added may still fit a section of
    // the body as items. The rest are named in the decisions.
    let section_words: Vec<Terms> = draft.iter().map(section_words_of).collect();
    let mut singles: Vec<usize> = Vec::new();
    let mut homeless: Vec<usize> = Vec::new();
    let mut bundles: Vec<Vec<usize>> = vec![Vec::new(); new_sections.len()];
    for i in (0..open.len()).filter(|&i| !settled[i]) {
        match open[i].1 {
            Target::Draft(_) => singles.push(i),
            // A new section is a list: one member's paragraphs and code are not added to it.
            Target::New(n) if covered(&new_sections[n]) && open[i].0.unit.is_item() => {
                bundles[n].push(i)
            }
            Target::New(_) => homeless.push(i),
        }
    }
    let mut single_left = single_budget;
    let mut bundles: Vec<(f32, Vec<usize>)> = bundles
        .into_iter()
        .filter(|b| !b.is_empty())
        .map(|b| (gain_per_byte(&b, &open, &mut said), b))
        .collect();
    bundles.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1[0].cmp(&b.1[0])));
    for (_, bundle) in bundles {
        let fresh = fresh_points(&bundle, &open, &mut said, tally);
        let Some(&first) = fresh.first() else {
            continue;
        };
        let Target::New(n) = open[first].1 else {
            unreachable!("bundles gather points of new sections")
        };
        let size: usize = fresh.iter().map(|&i| cost(&open[i].0.unit)).sum();
        let enough = new_sections[n].pieces.len() + fresh.len() >= NEW_SECTION_POINTS;
        if !enough || size > single_left || length + size > budget {
            homeless.extend(fresh);
            continue;
        }
        length += size;
        single_left -= size;
        for &i in &fresh {
            taken[i] = true;
            let mut piece = open[i].0.clone();
            said.add(&mut piece);
            place(draft, &mut new_sections, piece, open[i].1);
        }
    }
    for i in homeless {
        let p = &open[i].0;
        let fit = best_fit(draft, &section_words, &p.terms)
            .filter(|&d| fits_as_item(&p.unit, &p.terms, &draft[d], &section_words[d]))
            .filter(|&d| polarity_fits(p, &draft[d]));
        match fit {
            Some(d) => {
                open[i].1 = Target::Draft(d);
                singles.push(i);
            }
            None => tally.one_members_sections.push(preview(&p.unit.text)),
        }
    }
    let mut offers: Vec<(f32, usize)> = Vec::new();
    for i in singles {
        let (p, Target::Draft(d)) = &open[i] else {
            continue;
        };
        let dest = best_child(draft, *d, &p.terms);
        if fits_as_item(&p.unit, &p.terms, &draft[dest], &section_words[dest])
            && polarity_fits(p, &draft[dest])
        {
            offers.push((gain_per_byte(&[i], &open, &mut said), i));
        } else {
            tally.not_fitting.push(preview(&p.unit.text));
        }
    }
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut added_to: FxHashMap<usize, usize> = FxHashMap::default();
    for (_, i) in offers {
        if fresh_points(&[i], &open, &mut said, tally).is_empty() {
            continue;
        }
        let (p, target) = &open[i];
        let Target::Draft(d) = *target else {
            continue;
        };
        let dest = best_child(draft, d, &p.terms);
        let size = cost(&p.unit);
        let count = added_to.entry(dest).or_default();
        if *count >= SINGLE_PER_SECTION || size > single_left || length + size > budget {
            tally.left_out.push(preview(&p.unit.text));
            continue;
        }
        if echoes_an_item(p, &draft[dest]) {
            tally.echoes.push(preview(&p.unit.text));
            said.echoed(p);
            continue;
        }
        *count += 1;
        length += size;
        single_left -= size;
        taken[i] = true;
        let mut piece = p.clone();
        said.add(&mut piece);
        place(draft, &mut new_sections, piece, *target);
    }
    for (i, (p, _)) in open.iter().enumerate() {
        if taken[i] {
            *tally.added.entry(p.member).or_default() += 1;
        }
    }
    place_new_sections(draft, new_sections, tally);
}

/// Whether an item of `section` already makes the point of `piece`, an item, in other words
/// ([`points::echoes`]): a list says each point once. Only the section the item would join: a
/// point left out here may still be placed elsewhere, and the room it leaves is taken by others,
/// so a wider test reshuffles whole bodies. A point one member alone makes is not added either when
/// it names a part of an item (it would be a second, thinner bullet for one subject); a point
/// several members make is kept then, in its own words.
fn echoes_an_item(piece: &Piece, section: &DraftSection) -> bool {
    let part = piece.support < 2;
    piece.unit.is_item()
        && section.pieces.iter().any(|p| {
            p.unit.is_item()
                && points::echoes(&p.unit.text, &p.terms, &piece.unit.text, &piece.terms, part)
        })
}

/// How many words the body lacks that `points` (indexes into `open`) bring, per byte.
fn gain_per_byte(points: &[usize], open: &[(Piece, Target)], said: &mut Said) -> f32 {
    let nothing = Terms::default();
    let gain: usize = points
        .iter()
        .map(|&i| said.adds(&open[i].0.terms, &nothing).unwrap_or(0))
        .sum();
    let size: usize = points.iter().map(|&i| cost(&open[i].0.unit)).sum();
    gain as f32 / size.max(1) as f32
}

/// Of `points` (indexes into `open`), those that say something the body (and the points before
/// them) does not: the others are counted as already said, or as adding too little.
fn fresh_points(
    points: &[usize],
    open: &[(Piece, Target)],
    said: &mut Said,
    tally: &mut Tally,
) -> Vec<usize> {
    let mut fresh_words = Terms::default();
    let mut fresh_points = PointIndex::default();
    let mut fresh = Vec::new();
    for &i in points {
        let p = &open[i].0;
        if said.says(&p.terms) || fresh_points.any_same(&p.terms) {
            tally.already_said += 1;
        } else if said.adds(&p.terms, &fresh_words).is_none() {
            tally.adds_little.push(preview(&p.unit.text));
        } else {
            fresh_words.extend(p.terms.iter().copied());
            fresh_points.insert(&p.terms);
            fresh.push(i);
        }
    }
    fresh
}

/// New sections join the draft when two or more members have the topic and it holds enough points;
/// else their points go to the draft section they fit best (a point several members make is not
/// lost for want of a section) or are named as fragments.
fn place_new_sections(
    draft: &mut Vec<DraftSection>,
    new_sections: Vec<DraftSection>,
    tally: &mut Tally,
) {
    let mut section_words: Vec<Terms> = draft.iter().map(section_words_of).collect();
    for mut section in new_sections {
        in_written_order(&mut section);
        if section.pieces.len() >= NEW_SECTION_POINTS
            && covered(&section)
            && !is_tail(&section)
            && section.top_level
        {
            section_words.push(section_words_of(&section));
            draft.push(section);
            continue;
        }
        let title = section
            .header
            .as_ref()
            .map(|h| h.title.clone())
            .unwrap_or_default();
        // The tail of another member's list is a step or two of its own procedure, or its code, and
        // a sub-title's points are parts of another member's section: an item joins a list only
        // when it is about that list's section.
        let tail = is_tail(&section) || !section.top_level;
        for p in section.pieces {
            let fit = best_fit(draft, &section_words, &p.terms).filter(|&d| {
                p.support >= 2
                    && reads_as_neighbour(&p.unit, &draft[d])
                    && polarity_fits(&p, &draft[d])
                    && (!tail
                        || (p.unit.is_item()
                            && fits_as_item(&p.unit, &p.terms, &draft[d], &section_words[d])))
            });
            match fit {
                Some(d) if echoes_an_item(&p, &draft[d]) => {
                    tally.echoes.push(preview(&p.unit.text));
                    if let Some(n) = tally.added.get_mut(&p.member) {
                        *n -= 1;
                    }
                }
                Some(d) => {
                    section_words[d].extend(p.terms.iter().copied());
                    let p = in_polarity_of(p, &draft[d]);
                    insert(&mut draft[d], p);
                }
                None => {
                    tally
                        .fragments
                        .push(format!("{title}: {}", preview(&p.unit.text)));
                    if let Some(n) = tally.added.get_mut(&p.member) {
                        *n -= 1;
                    }
                }
            }
        }
    }
}

/// Whether a member's section is a part of a larger one of its own rather than a topic: a bold
/// sub-title under a heading (`**Setup:**` under `## Deployment`), or a step of a procedure that
/// titles its own list (`2. **Identify infrastructure:**` with its bullets). Written as a section of
/// the merge, a step would stand alone as `## Identify infrastructure`, its procedure gone.
fn is_part_of_a_section(section: &Section, under_a_parent: bool) -> bool {
    match section.header.as_ref().map(|h| &h.kind) {
        Some(HeaderKind::Bold) => under_a_parent,
        Some(HeaderKind::GroupItem { marker }) => {
            marker_number(marker).is_some()
                && opens_with_a_step_verb(section.title().unwrap_or_default())
        }
        _ => false,
    }
}

/// Verbs a step of a procedure opens with (`Identify infrastructure`, `Apply best practices`). A
/// numbered item titled by a noun phrase (`6. **DevOps Integration**`) is a topic of a numbered
/// list of topics, and stays one.
const STEP_VERBS: &[&str] = &[
    "analyse",
    "analyze",
    "apply",
    "assess",
    "build",
    "check",
    "choose",
    "collect",
    "configure",
    "confirm",
    "create",
    "define",
    "deploy",
    "determine",
    "document",
    "establish",
    "evaluate",
    "gather",
    "generate",
    "identify",
    "implement",
    "inspect",
    "investigate",
    "plan",
    "prepare",
    "provide",
    "read",
    "review",
    "run",
    "select",
    "set",
    "test",
    "understand",
    "update",
    "validate",
    "verify",
    "write",
];

fn opens_with_a_step_verb(title: &str) -> bool {
    let first = title
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    STEP_VERBS.contains(&first.as_str())
}

/// Puts the steps of a new section that is a procedure back in the order their members wrote them:
/// points are added most shared first, which would make `Query the context` step 6 of `When
/// invoked:`. Other lists keep that order (the most shared point first).
fn in_written_order(section: &mut DraftSection) {
    let steps =
        !section.pieces.is_empty() && section.pieces.iter().all(|p| p.unit.kind == UnitKind::Step);
    if steps {
        section.pieces.sort_by_key(|p| p.at);
    }
}

/// Whether a new section under a lead-in (`When invoked:`, `Process:`, `Provide:`) would carry
/// only the tail of the list its lead-in introduces where it comes from (fewer than half of it,
/// the rest being said elsewhere): written, the lead-in would announce a whole list and give two
/// stray items of it. Its points go where they fit, as the points of a section too small.
fn is_tail(section: &DraftSection) -> bool {
    let lead_in = section
        .header
        .as_ref()
        .is_some_and(|h| h.kind == HeaderKind::LeadIn);
    lead_in && section.pieces.len() * 2 < section.listed
}

/// Whether two or more members cover a new section's topic: they have sections of it, or a point
/// of it is made by several.
fn covered(section: &DraftSection) -> bool {
    section.members.len() >= 2 || section.pieces.iter().any(|p| p.support >= 2)
}

/// The middle number of words of the draft's list items (0 without items).
fn median_item_words(draft: &[DraftSection]) -> usize {
    let mut words: Vec<usize> = draft
        .iter()
        .flat_map(|d| &d.pieces)
        .filter(|p| p.unit.is_item())
        .map(|p| item_words(&p.unit))
        .collect();
    words.sort_unstable();
    words.get(words.len() / 2).copied().unwrap_or(0)
}

/// Words of a list item, without its marker and a bold label's stars.
fn item_words(unit: &Unit) -> usize {
    unit.text.split_whitespace().count()
}

/// Whether a unit reads as one of a section's items: not a bare keyword (a word or two) in a list
/// of sentences, nor a lead-in whose list is not coming, nor code in the middle of a list.
fn reads_as_neighbour(unit: &Unit, section: &DraftSection) -> bool {
    if unit.kind == UnitKind::Paragraph && unit.text.trim_end().ends_with(':') {
        return false;
    }
    // `Ignore mobile users → Mobile-first design` is a don't and a do: it reads as one only among
    // items written so; among plain items it would read as advice to ignore mobile users.
    let items: Vec<&Unit> = section
        .pieces
        .iter()
        .map(|p| &p.unit)
        .filter(|u| u.is_item())
        .collect();
    // A list (the section as its first writer, the representative, wrote it: items only) takes
    // items, or a one-line paragraph that becomes one; not code nor a paragraph of several lines.
    let list = is_list(section);
    let one_line = unit.kind == UnitKind::Paragraph && !unit.source.trim().contains('\n');
    // Code with its lead sentence goes after the list (`insert` puts it at the section's end),
    // when it is about the section's subject.
    if list && unit.kind == UnitKind::Code {
        let terms = points::terms_of(&unit.text);
        return about_the_section(&terms, section, &section_words_of(section));
    }
    if list && !unit.is_item() && !(one_line && reads_as_item(&unit.source)) {
        return false;
    }
    if unit.is_item() && !items.is_empty() {
        let arrows = items.iter().filter(|u| is_contrast(u)).count();
        if is_contrast(unit) != (arrows * 2 > items.len()) {
            return false;
        }
    }
    if !unit.is_item() || item_words(unit) >= 3 {
        return true;
    }
    // A short item joins a list of short items (a list of tools, of languages).
    let mut lengths: Vec<usize> = section
        .pieces
        .iter()
        .filter(|p| p.unit.is_item())
        .map(|p| item_words(&p.unit))
        .collect();
    lengths.sort_unstable();
    lengths
        .get(lengths.len() / 2)
        .is_some_and(|&median| median <= 3)
}

/// Whether a one-line paragraph would read as an item of a list: one sentence, not all bold (a
/// motto, `**Protect the data. Prevent the breach.**`), and not a figure of a sample report
/// (`Total Issues: 7`, `Coverage: 85%`), which says what one run found, not what to do.
fn reads_as_item(source: &str) -> bool {
    let line = source.trim();
    let bold = line.starts_with("**")
        && line.trim_end_matches(['.', ':']).ends_with("**")
        && line.matches("**").count() == 2;
    let sentences = line
        .trim_end()
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && line[i + 1..].starts_with(' ')
                && line[i + 1..].trim_start().starts_with(char::is_uppercase)
        })
        .count()
        + 1;
    let figure = line.rsplit_once(':').is_some_and(|(label, value)| {
        let value = value.trim();
        !label.trim().is_empty()
            && value.starts_with(|c: char| c.is_ascii_digit())
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | ' ' | '/' | '-'))
    });
    !bold && sentences == 1 && !figure
}

/// Words of a title over things not to do.
const NEGATIVE_TITLE_WORDS: &[&str] = &[
    "never",
    "don't",
    "dont",
    "avoid",
    "anti-pattern",
    "anti-patterns",
    "antipatterns",
    "mistakes",
    "pitfalls",
    "bad",
    "not",
];

/// Whether a section title lists things not to do (`## Never do this`, `Avoid:`, `Common
/// mistakes`): its items say the opposite of what they would say under another title.
fn is_negative(title: &str) -> bool {
    title
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '.' | '(' | ')' | '*' | '#'))
        .any(|w| NEGATIVE_TITLE_WORDS.contains(&w))
}

fn section_is_negative(section: &DraftSection) -> bool {
    section
        .header
        .as_ref()
        .is_some_and(|h| is_negative(&h.title))
}

/// Whether a piece may join a section as to what it tells to do: a thing to do does not join a
/// list of things not to do; a thing not to do joins a list of things to do only when it can be
/// written as a don't ([`as_dont`]).
fn polarity_fits(piece: &Piece, section: &DraftSection) -> bool {
    match (piece.negative, section_is_negative(section)) {
        (a, b) if a == b => true,
        (true, false) => as_dont(&piece.unit).is_some(),
        _ => false,
    }
}

/// An item from a list of things not to do, written for a list of things to do: `- Hardcode
/// secrets` becomes `- Don't hardcode secrets`. `None` when it cannot be said so simply (a bold
/// label, a contrast, or already a negation).
fn as_dont(unit: &Unit) -> Option<Unit> {
    if !unit.is_item() || is_contrast(unit) {
        return None;
    }
    let marker = outline::list_marker(&unit.source);
    let text = outline::after_marker(&unit.source);
    let first = text.split_whitespace().next()?.to_lowercase();
    let negated = ["don't", "never", "avoid", "no", "not", "do"].contains(&first.as_str());
    if text.starts_with(['*', '`', '[', '"']) || negated {
        return None;
    }
    Some(Unit {
        kind: unit.kind,
        source: format!("{marker} Don't {}", lower_first(text)),
        text: format!("Don't {}", lower_first(unit.text.trim_start())),
    })
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A thing not to do joining a list of things to do, written as a don't ([`as_dont`]).
fn in_polarity_of(mut piece: Piece, section: &DraftSection) -> Piece {
    if piece.negative && !section_is_negative(section) {
        if let Some(unit) = as_dont(&piece.unit) {
            piece.unit = unit;
            piece.negative = false;
        }
    }
    piece
}

/// Whether a section is a list as its first writer (the representative, for its own sections)
/// wrote it: their pieces are all items.
fn is_list(section: &DraftSection) -> bool {
    section.pieces.first().is_some_and(|first| {
        section
            .pieces
            .iter()
            .filter(|p| p.member == first.member)
            .all(|p| p.unit.is_item())
    })
}

/// An item that sets a wrong way against a right one (`Keyword stuffing → Natural keywords`).
fn is_contrast(unit: &Unit) -> bool {
    unit.text.contains('→') || unit.text.contains(" -> ") || unit.text.contains(" => ")
}

/// Whether a point one member alone makes fits `section` as a whole item among its items: it is a
/// list item, the section has a list, the point reads like its items, and it is about the
/// section's subject (two words or more in common with the section's title and points, `words`).
fn fits_as_item(unit: &Unit, terms: &Terms, section: &DraftSection, words: &Terms) -> bool {
    // A titled step of a procedure (`2. **Postmortem**:` over its own list) takes no items of
    // another member's: they would read as further steps.
    let titled_list = section.header.as_ref().is_some_and(|h| {
        matches!(
            h.kind,
            HeaderKind::Heading(_) | HeaderKind::Bold | HeaderKind::LeadIn
        )
    });
    // One member's bullet point is no step of a procedure: it does not join a numbered list.
    let items = || section.pieces.iter().filter(|p| p.unit.is_item());
    let among_steps = items().next().is_some() && items().all(|p| p.unit.kind == UnitKind::Step);
    titled_list
        && !(unit.kind == UnitKind::Bullet && among_steps)
        && unit.is_item()
        && section.pieces.iter().any(|p| p.unit.is_item())
        && reads_as_neighbour(unit, section)
        && about_the_section(terms, section, words)
}

/// Whether a point is about a section's subject: it shares a word with the section's title, or
/// two with one of its points (`words`: the title's and the points' words, a quick first check).
fn about_the_section(terms: &Terms, section: &DraftSection, words: &Terms) -> bool {
    if terms.iter().filter(|t| words.contains(t)).count() < 2 {
        return false;
    }
    let title = section
        .header
        .as_ref()
        .map(|h| points::terms_of(&h.title))
        .unwrap_or_default();
    terms.iter().any(|t| title.contains(t))
        || section
            .pieces
            .iter()
            .any(|p| terms.iter().filter(|t| p.terms.contains(t)).count() >= 2)
}

/// The piece placed as point `id` of [`Said`].
fn find_said<'a>(
    draft: &'a mut [DraftSection],
    new_sections: &'a mut [DraftSection],
    id: usize,
) -> Option<&'a mut Piece> {
    draft
        .iter_mut()
        .chain(new_sections.iter_mut())
        .flat_map(|d| d.pieces.iter_mut())
        .find(|p| p.said_as == Some(id))
}

/// Whether `fuller` may take the place of `shorter`: a list item that of a list item, a
/// paragraph that of a paragraph.
fn can_stand_for(fuller: &Unit, shorter: &Unit) -> bool {
    (fuller.is_item() && shorter.is_item())
        || (fuller.kind == UnitKind::Paragraph && shorter.kind == UnitKind::Paragraph)
}

/// `fuller` written where `shorter` stood: a list item with its marker and in its list's form.
fn in_place_of(fuller: Unit, shorter: &Unit) -> Unit {
    if !fuller.is_item() {
        return fuller;
    }
    let source = with_marker(
        &in_form_of(&fuller.source, &shorter.source),
        outline::list_marker(&shorter.source),
    );
    Unit {
        kind: shorter.kind,
        source,
        text: fuller.text,
    }
}

/// Puts a chosen piece where it goes.
fn place(
    draft: &mut [DraftSection],
    new_sections: &mut [DraftSection],
    piece: Piece,
    target: Target,
) {
    match target {
        Target::Draft(d) => {
            let d = best_child(draft, d, &piece.terms);
            let piece = in_section_form(piece, &draft[d]);
            let piece = in_polarity_of(piece, &draft[d]);
            insert(&mut draft[d], piece);
        }
        Target::New(n) => insert(&mut new_sections[n], piece),
    }
}

/// A one-line paragraph joining a section that is a list becomes one of its items (the list's
/// marker and numbering are set when it is written): a point reads in its neighbours' form.
fn in_section_form(mut piece: Piece, section: &DraftSection) -> Piece {
    let one_line = !piece.unit.source.trim().contains('\n');
    let list = is_list(section);
    if piece.unit.kind == UnitKind::Paragraph && one_line && list {
        piece.unit = Unit {
            kind: UnitKind::Bullet,
            source: format!("- {}", piece.unit.source.trim()),
            text: piece.unit.text.clone(),
        };
    }
    piece
}

/// Adds a piece to a section: a list item after the section's last list item (so that it joins
/// the list, not a paragraph after it), or first under a lead-in that has no list yet (a lead-in
/// announces a list: `Final delivery includes:` is not followed by another member's paragraph,
/// its items after that); anything else at the end.
fn insert(section: &mut DraftSection, piece: Piece) {
    let after_list = section.pieces.iter().rposition(|p| p.unit.is_item());
    let lead_in = section
        .header
        .as_ref()
        .is_some_and(|h| h.kind == HeaderKind::LeadIn);
    match after_list {
        _ if !piece.unit.is_item() => section.pieces.push(piece),
        Some(i) => section.pieces.insert(i + 1, piece),
        None if lead_in => section.pieces.insert(0, piece),
        None => section.pieces.push(piece),
    }
}

/// In a section that only titles the sections after it (`Your core responsibilities include:`
/// followed by bold titles, `## Responsibilities` followed by `###` headings), the child holding
/// the point closest to this one (sharing at least a quarter of their words), else the child
/// whose title and points share most of its words (one or more); else the section itself. Points
/// placed there before do not make it a list: each would stand as a stray item before `### 1.`.
fn best_child(draft: &[DraftSection], d: usize, terms: &Terms) -> usize {
    if !draft[d].titles_only {
        return d;
    }
    let level = match draft[d].header.as_ref().map(|h| &h.kind) {
        Some(HeaderKind::Heading(level)) => Some(*level),
        _ => None,
    };
    let children = draft[d + 1..]
        .iter()
        .take_while(|s| {
            s.header.as_ref().is_some_and(|h| match h.kind {
                HeaderKind::Bold | HeaderKind::LeadIn | HeaderKind::GroupItem { .. } => true,
                HeaderKind::Heading(l) => level.is_some_and(|parent| l > parent),
                HeaderKind::Loose => false,
            })
        })
        .count();
    let children = d + 1..d + 1 + children;
    let closest = children
        .clone()
        .filter_map(|c| {
            let closest = draft[c]
                .pieces
                .iter()
                .map(|p| points::jaccard(&p.terms, terms))
                .fold(0.0f32, f32::max);
            (closest >= 0.25).then_some((c, closest))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    if let Some((c, _)) = closest {
        return c;
    }
    children
        .map(|c| {
            let words = section_words_of(&draft[c]);
            (c, terms.iter().filter(|t| words.contains(t)).count())
        })
        .filter(|&(_, n)| n >= 1)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(d, |(c, _)| c)
}

/// The titled section of the draft whose words (`words`, by section) a point shares most (at
/// least two).
fn best_fit(draft: &[DraftSection], words: &[Terms], terms: &Terms) -> Option<usize> {
    (0..draft.len())
        .filter(|&d| {
            draft[d]
                .header
                .as_ref()
                .is_some_and(|h| h.kind != HeaderKind::Loose)
        })
        .map(|d| (d, terms.iter().filter(|t| words[d].contains(t)).count()))
        .filter(|&(_, n)| n >= 2)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(d, _)| d)
}

/// The words of a section: its title's and its points'.
fn section_words_of(section: &DraftSection) -> Terms {
    let mut words = section
        .header
        .as_ref()
        .map(|h| points::terms_of(&h.title))
        .unwrap_or_default();
    for p in &section.pieces {
        words.extend(p.terms.iter().copied());
    }
    words
}

fn preview(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{short}…")
    } else {
        short
    }
}

// --------------------------------------------------------------------------------------- render

/// The body's level-1 title (`source` as written, `text` its words): when it names a member the
/// merge replaces (every word of its name is in it) and not the merged agent, the merged name as a
/// title, so that the file names one agent (`# Backend Engineer`, the title of `backend-engineer`,
/// above a `backend-system-architect`); else as written. Returns whether it was renamed.
fn title_naming(source: &str, text: &str, names: &Names) -> (String, bool) {
    let words_of_name = |name: &str| points::terms_of(&name.replace(['-', '_'], " "));
    let title_words = points::terms_of(text);
    let names_it = |name: &str| {
        let words = words_of_name(name);
        !words.is_empty() && words.is_subset(&title_words)
    };
    let merged = names.merged;
    let names_a_member = names.members.iter().any(|m| m != merged && names_it(m));
    if names_it(merged) || !names_a_member {
        return (source.to_owned(), false);
    }
    let title: Vec<String> = merged
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    (format!("# {}", title.join(" ")), true)
}

/// Writes the draft: title, the representative's sections up to its closing, the new sections,
/// the closing.
fn render(
    rep: &Outline,
    title: Option<&str>,
    draft: &[DraftSection],
    closing_start: usize,
    representative: usize,
) -> String {
    let heading_level = usual_heading_level(draft);
    let rep_sections = rep.sections.len();
    let closing_start = closing_start.min(rep_sections);
    let order: Vec<usize> = (0..closing_start)
        .chain(rep_sections..draft.len())
        .chain(closing_start..rep_sections)
        .collect();
    let mut out = String::new();
    if let Some(title) = title {
        out.push_str(title);
    }
    // The marker and number of the titled list item just written, while a list of them goes on.
    let mut group: Option<(String, u64)> = None;
    // The number of the numbered list item just written at the top level: a titled item or the
    // items after it (a step with a nested list splits one procedure in the outline) go on from it.
    let mut last_step: Option<(String, u64)> = None;
    for (k, &d) in order.iter().enumerate() {
        let section = &draft[d];
        let is_new = d >= rep_sections;
        if dangles(section, order.get(k + 1).map(|&n| &draft[n])) {
            continue;
        }
        let header = section
            .header
            .as_ref()
            .filter(|h| h.kind != HeaderKind::Loose);
        let mut indent = 0;
        // Whether the section's first list item may follow its header without a blank line.
        let mut tight_header = false;
        let continues_steps = match (
            header,
            section
                .header
                .as_ref()
                .is_some_and(|h| h.kind == HeaderKind::Loose)
                && !is_new,
        ) {
            (None, true) => group.clone().or(last_step.clone()),
            _ => None,
        };
        match header {
            None => group = None,
            Some(h) => {
                let (text, joins_list) = match (&h.kind, is_new) {
                    (HeaderKind::GroupItem { marker }, false) => {
                        let previous = group.as_ref().or(last_step.as_ref());
                        let (marker, continues) = next_group_marker(marker, previous);
                        indent = marker.len() + 1;
                        group = Some((marker.clone(), marker_number(&marker).unwrap_or(0)));
                        tight_header = true;
                        (format!("{marker} {}", h.source), continues)
                    }
                    _ => {
                        group = None;
                        let text = if is_new {
                            new_header(h, heading_level)
                        } else {
                            h.source.clone()
                        };
                        tight_header = !text.starts_with('#');
                        (text, false)
                    }
                };
                if !out.is_empty() {
                    out.push_str(if joins_list { "\n" } else { "\n\n" });
                }
                out.push_str(&text);
            }
        }
        let start = continues_steps
            .filter(|(marker, _)| outline::is_numbered(marker))
            .map(|(_, n)| n);
        let units = render_units(&section.pieces, representative, start);
        last_step = units
            .last()
            .filter(|_| indent == 0 && section.pieces.last().is_some_and(|p| p.unit.is_item()))
            .map(|(text, _)| outline::list_marker(text).to_owned())
            .filter(|marker| outline::is_numbered(marker))
            .map(|marker| (marker.clone(), marker_number(&marker).unwrap_or(0)));
        for (k, (text, continues_list)) in units.into_iter().enumerate() {
            let opens_list = k == 0
                && tight_header
                && section.pieces[0].unit.is_item()
                && may_interrupt_paragraph(&text);
            if !out.is_empty() {
                out.push_str(if continues_list || opens_list {
                    "\n"
                } else {
                    "\n\n"
                });
            }
            out.push_str(&indent_by(&text, indent));
        }
    }
    out
}

/// A lead-in or bold title left with nothing under it (its points were all dropped), and no titled
/// items after it that it introduces: written, it would announce what never comes.
fn dangles(section: &DraftSection, next: Option<&DraftSection>) -> bool {
    let introduces = |kind: &HeaderKind| match kind {
        HeaderKind::GroupItem { .. } => true,
        HeaderKind::LeadIn | HeaderKind::Bold => {
            matches!(
                section.header.as_ref().map(|h| &h.kind),
                Some(HeaderKind::Bold)
            ) && !matches!(kind, HeaderKind::Bold)
        }
        _ => false,
    };
    section.pieces.is_empty()
        && section
            .header
            .as_ref()
            .is_some_and(|h| matches!(h.kind, HeaderKind::LeadIn | HeaderKind::Bold))
        && !next
            .and_then(|n| n.header.as_ref())
            .is_some_and(|h| introduces(&h.kind))
}

/// The marker of a titled list item: the next number when it follows one of its list.
fn next_group_marker(marker: &str, previous: Option<&(String, u64)>) -> (String, bool) {
    match previous {
        Some((prev, n)) if outline::is_numbered(marker) && outline::is_numbered(prev) => {
            (format!("{}{}", n + 1, &marker[marker.len() - 1..]), true)
        }
        Some((prev, _)) if !outline::is_numbered(marker) && !outline::is_numbered(prev) => {
            (prev.clone(), true)
        }
        _ if outline::is_numbered(marker) => (format!("1{}", &marker[marker.len() - 1..]), false),
        _ => (marker.to_owned(), false),
    }
}

/// A list may follow a paragraph without a blank line when it is a bulleted list or starts at 1.
fn may_interrupt_paragraph(item: &str) -> bool {
    let marker = outline::list_marker(item);
    !outline::is_numbered(marker) || marker_number(marker) == Some(1)
}

/// Each unit's text, list markers rewritten so that every list runs 1..n (a procedure of the
/// representative's that goes on after a code block keeps its numbers) and items joining a list
/// take its form, with whether it continues the list of the unit before it.
/// `start`: the number of the step before, when the section's first items go on with a procedure
/// of the representative's that a titled step interrupted.
fn render_units(
    pieces: &[Piece],
    representative: usize,
    start: Option<u64>,
) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    // The marker of the list being written, the number of its last item, and its first item
    // (whose form the others take).
    let mut list: Option<(String, u64, String)> = start.and_then(|n| {
        let first = pieces.first().filter(|p| p.unit.is_item())?;
        let marker = outline::list_marker(&first.unit.source).to_owned();
        let own_step = first.member == representative && outline::is_numbered(&marker);
        own_step.then(|| (marker, n, first.unit.source.clone()))
    });
    let mut after_code = false;
    for p in pieces {
        if !p.unit.is_item() {
            list = None;
            after_code = p.unit.kind == UnitKind::Code;
            out.push((p.unit.source.clone(), false));
            continue;
        }
        let own = outline::list_marker(&p.unit.source).to_owned();
        let is_rep = p.member == representative;
        // The representative's item with another kind of marker starts a list of its own.
        let continued = list.clone().filter(|(marker, _, _)| {
            !is_rep || outline::is_numbered(marker) == outline::is_numbered(&own)
        });
        let (marker, number, first, source) = match continued.clone() {
            Some((marker, n, first)) => {
                let source = in_form_of(&p.unit.source, &first);
                (marker, n + 1, first, source)
            }
            // A procedure of the representative's that goes on after a code block keeps its
            // numbers; every other list runs from 1.
            None => {
                let number = if is_rep && after_code {
                    marker_number(&own).unwrap_or(1)
                } else {
                    1
                };
                let source = p.unit.source.clone();
                (own.clone(), number, source.clone(), source)
            }
        };
        after_code = false;
        let text = if outline::is_numbered(&marker) {
            with_marker(&source, &format!("{number}{}", &marker[marker.len() - 1..]))
        } else {
            with_marker(&source, &marker)
        };
        out.push((text, continued.is_some()));
        list = Some((marker, number, first));
    }
    out
}

/// The task box of a checklist item (`[ ] `, `[x] `), if it has one.
fn task_box(item: &str) -> Option<&'static str> {
    let text = outline::after_marker(item);
    ["[ ] ", "[x] ", "[X] "]
        .into_iter()
        .find(|b| text.starts_with(b))
}

/// An item joining a list in that list's form: a task box when the list's items have one, none
/// when they do not; no bold label (`**Voice search**: …`) in a list of plain items.
fn in_form_of(item: &str, first_of_list: &str) -> String {
    let marker = outline::list_marker(item);
    let item = match (task_box(item), task_box(first_of_list)) {
        (Some(b), None) => format!("{marker} {}", &outline::after_marker(item)[b.len()..]),
        (None, Some(b)) => format!("{marker} {b}{}", outline::after_marker(item)),
        _ => item.to_owned(),
    };
    let text = outline::after_marker(&item);
    let plain_list = !outline::after_marker(first_of_list).starts_with("**");
    match text.strip_prefix("**").and_then(|t| t.split_once("**")) {
        Some((label, rest)) if plain_list && !label.is_empty() && !label.contains('\n') => {
            format!("{marker} {label}{rest}")
        }
        _ => item,
    }
}

fn marker_number(marker: &str) -> Option<u64> {
    marker[..marker.len().saturating_sub(1)].parse().ok()
}

/// A list item with its marker replaced.
fn with_marker(item: &str, marker: &str) -> String {
    format!("{marker} {}", outline::after_marker(item))
}

fn indent_by(text: &str, indent: usize) -> String {
    if indent == 0 {
        return text.to_owned();
    }
    let pad = " ".repeat(indent);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The heading level of the representative's top sections (below its title), if it uses headings.
fn usual_heading_level(draft: &[DraftSection]) -> Option<u8> {
    let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
    for section in draft {
        if let Some(HeaderKind::Heading(level)) = section.header.as_ref().map(|h| &h.kind) {
            if *level > 1 {
                *counts.entry(*level).or_default() += 1;
            }
        }
    }
    // The shallowest level: a new section is a section of the body, not a part of the one
    // before it.
    counts.into_keys().next()
}

/// A new section's header in the representative's style: a heading at its usual level, else a
/// bold title; a lead-in line stays a lead-in.
fn new_header(header: &Header, heading_level: Option<u8>) -> String {
    // A number from the member's own sequence (`### 2. Standards`) would break the merged one.
    let title = group_title(header);
    let digits = title.chars().take_while(char::is_ascii_digit).count();
    let title = match title[digits..].strip_prefix(['.', ')']) {
        Some(rest) if digits > 0 => rest.trim().to_owned(),
        _ => title,
    };
    match (heading_level, &header.kind) {
        (_, HeaderKind::LeadIn) => header.source.clone(),
        (Some(level), _) => format!("{} {title}", "#".repeat(level as usize)),
        (None, _) => format!("**{title}:**"),
    }
}

/// The title of a header; for a titled list item (`**API Design**: When building APIs, you
/// will:`), its bold part.
fn group_title(header: &Header) -> String {
    let source = header.source.trim();
    if let Some(rest) = source.strip_prefix("**") {
        if let Some(end) = rest.find("**") {
            return outline::clean_title(&rest[..end]);
        }
    }
    header.title.clone()
}

fn body_decision(
    members: &[&AgentFile],
    representative: usize,
    chosen: usize,
    tally: &Tally,
) -> MergeDecision {
    let added: Vec<String> = tally
        .added
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| format!("{n} from {}", members[*i].path.display()))
        .collect();
    let added = if added.is_empty() {
        "nothing new from the others".to_owned()
    } else {
        added.join(", ")
    };
    let mut why = format!(
        "the representative's sections in its order, each other member's points under the section of the same topic, sections of topics it lacks after them: {added}. \
         {} point(s) already made were not repeated; {} introduction paragraph(s) and {} closing line(s) of other members were not carried over (one identity, one closing)",
        tally.already_said, tally.introductions, tally.closings
    );
    if representative != chosen {
        why = format!(
            "{}'s body says much more of what the members share than the representative's ({} is the name and description), so it is the skeleton: {why}",
            members[representative].path.display(),
            members[chosen].path.display()
        );
    }
    let mut dropped = Vec::new();
    if !tally.folds.is_empty() {
        let folds: Vec<String> = tally
            .folds
            .iter()
            .map(|f| format!("`{}` into `{}`", f.folded, f.into))
            .collect();
        why.push_str(&format!(
            "; section(s) of a topic the skeleton already has, folded into the first (one section per topic): {}",
            folds.join(", ")
        ));
    }
    if let Some(old) = &tally.retitled {
        why.push_str(&format!(
            "; the title `{old}` named another agent than the merged one: it is the merged name now"
        ));
        dropped.push(format!("title: {old}"));
    }
    let mut note = |what: &str, list: &[String]| {
        if !list.is_empty() {
            why.push_str(&format!("; {} {what}", list.len()));
            dropped.extend(list.iter().cloned());
        }
    };
    note(
        "unit(s) in another language than the body",
        &tally.other_language,
    );
    note(
        "line(s) naming an agent this merge replaces (delegating to it or contrasting with it)",
        &tally.naming_members,
    );
    note(
        "unit(s) tied to one member's own project (local files, its paths or repository)",
        &tally.project_specific,
    );
    note(
        "alternative section(s) to one the representative has and an agent needs once (such as its output format)",
        &tally.alternatives,
    );
    note(
        "point(s) of sections too small to add (fewer than two points, or the tail of a list another member's lead-in introduces)",
        &tally.fragments,
    );
    note(
        "point(s) reworded in the fuller words several other members use",
        &tally.reworded,
    );
    note(
        "item(s) making the point of an item of their section in other words (shared words side by side)",
        &tally.echoes,
    );
    note(
        "point(s) of one member that add too little (a word or two) to what is said",
        &tally.adds_little,
    );
    note(
        "point(s) of one member that are no whole item of a list in the section of their topic",
        &tally.not_fitting,
    );
    note(
        "line(s) repeating a member's frontmatter in its body (`agentName:`, `version:`)",
        &tally.frontmatter_lines,
    );
    note(
        "lead-in(s) of other members that name no topic (a sentence, or pointing back), with their points",
        &tally.not_topics,
    );
    note(
        "point(s) of section(s) only one member has",
        &tally.one_members_sections,
    );
    note(
        "line(s) that would not read as items of their section (a bare word or two, a lead-in without its list)",
        &tally.bare_keywords,
    );
    note(
        &format!("point(s) left out to keep the body within {GROWTH_LIMIT}× the longest member"),
        &tally.left_out,
    );
    MergeDecision {
        field: "body".into(),
        chose: format!("{}'s structure", members[representative].path.display()),
        why,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, name: &str, body: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: d\n---\n{body}");
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    /// Merges `rep` (named `rep-agent`) with `others` (named `other-0`, `other-1`, …).
    fn merged(rep: &str, others: &[&str]) -> (String, Vec<MergeDecision>) {
        let mut files = vec![agent("r.md", "rep-agent", rep)];
        files.extend(
            others
                .iter()
                .enumerate()
                .map(|(i, b)| agent(&format!("{i}.md"), &format!("other-{i}"), b)),
        );
        let refs: Vec<&AgentFile> = files.iter().collect();
        let order: Vec<usize> = (1..files.len()).collect();
        let member_names: Vec<String> = files.iter().map(|f| f.display_name()).collect();
        let names = Names {
            merged: "rep-agent",
            members: &member_names,
        };
        let mut decisions = Vec::new();
        let body = merge_bodies(
            &refs,
            0,
            &order,
            &names,
            &mut decisions,
            &mut TermCache::default(),
        );
        (body, decisions)
    }

    #[test]
    fn one_members_point_joins_only_as_an_item_of_the_list_of_its_topic_and_only_a_few() {
        let rep = "You keep services reliable.\n\n## Monitoring\n- Alert on error rates of each service\n- Track latency of each service endpoint\n\n## Deployment\n1. Build the release\n2. Ship the release\n";
        let other = "You run services.\n\n## Monitoring\n- Alert on saturation of each service queue\n- Page the on-call owner of each service on every alert\n- Keep dashboards of each service latency for a year\n- Plan capacity for every database\n\n## Deployment\n- Tag every release in git\n\nAlso write a haiku about the release.\n\n- Sign every artefact\n";
        let (m, decisions) = merged(rep, &[other]);
        // Two whole items about monitoring services join the monitoring list, no more; the item
        // about databases shares too little with the section.
        let monitoring = m.split("## Deployment").next().unwrap();
        assert_eq!(monitoring.matches("\n- ").count(), 4, "{m}");
        assert!(!m.contains("Plan capacity"), "{m}");
        // A bullet does not become a step of the representative's numbered procedure, and a
        // paragraph is not spliced into a list.
        assert!(
            !m.contains("Tag every release") && !m.contains("haiku"),
            "{m}"
        );
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("Tag every release")),
            "{body:?}"
        );
    }

    /// A body of `sections` sections of five items each, on invented topics of one job.
    fn rich_body(intro: &str, sections: &[&str]) -> String {
        let mut body = format!("{intro}\n");
        for (s, title) in sections.iter().enumerate() {
            body.push_str(&format!("\n## {title}\n"));
            const SYLLABLES: [&str; 8] = ["ba", "ke", "lo", "mi", "nu", "ra", "si", "to"];
            for item in &SYLLABLES[..5] {
                // Invented words, one set an item: the members share words, not filler.
                let word = |k: usize| format!("{}{item}{}n", SYLLABLES[s], SYLLABLES[k]);
                body.push_str(&format!(
                    "- Check the {title} {} against {} and {} before {}\n",
                    word(0),
                    word(1),
                    word(2),
                    word(3)
                ));
            }
        }
        body
    }

    #[test]
    fn a_member_saying_much_more_of_what_all_share_is_the_skeleton_and_the_report_says_so() {
        let titles = ["Glazing", "Firing", "Stacking", "Cooling", "Packing"];
        let rich = rich_body("You run a pottery kiln.", &titles);
        let also_rich = rich_body("You keep a kiln running.", &titles[..4]);
        let short = "You fire pottery.\n\n## Firing\n- Check the Firing kebaban against kebaken\n";
        let (m, decisions) = merged(short, &[&rich, &also_rich]);
        assert!(m.starts_with("You run a pottery kiln."), "{m}");
        assert!(!m.contains("You fire pottery"), "one identity: {m}");
        assert_eq!(m.matches("## Firing").count(), 1, "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.chose.starts_with("0.md"), "{body:?}");
        assert!(body.why.contains("says much more"), "{body:?}");
        // A representative about as rich as the others keeps its body.
        let (m, decisions) = merged(&also_rich, &[&rich, short]);
        assert!(m.starts_with("You keep a kiln running."), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.chose.starts_with("r.md"), "{body:?}");
    }

    /// A unit of another member's, as the merge holds it (`source` as written, `text` plain).
    fn test_piece(kind: UnitKind, source: &str, text: &str) -> Piece {
        Piece {
            member: 1,
            unit: Unit {
                kind,
                source: source.to_owned(),
                text: text.to_owned(),
            },
            terms: Rc::new(points::terms_of(text)),
            support: 1,
            full_support: 1,
            said_as: None,
            negative: false,
            at: (0, 0),
        }
    }

    #[test]
    fn steps_of_a_new_procedure_keep_the_order_they_were_written_in() {
        let step = |at: (usize, usize), kind: UnitKind, text: &str| Piece {
            at,
            ..test_piece(kind, &format!("1. {text}"), text)
        };
        let section = |pieces: Vec<Piece>| DraftSection {
            header: Some(Header {
                kind: HeaderKind::LeadIn,
                source: "When the hive swarms:".to_owned(),
                title: "When the hive swarms".to_owned(),
            }),
            topic: Topic::default(),
            pieces,
            members: vec![1, 2],
            listed: 3,
            top_level: true,
            titles_only: false,
        };
        // Added most shared first: the last step came first. First steps of two members' procedures
        // come before second steps.
        let mut procedure = section(vec![
            step((2, 7), UnitKind::Step, "Shake the swarm into a box"),
            step((0, 5), UnitKind::Step, "Find the queen"),
            step((1, 6), UnitKind::Step, "Bring an empty box"),
            step((0, 9), UnitKind::Step, "Light the smoker"),
        ]);
        in_written_order(&mut procedure);
        let order: Vec<usize> = procedure.pieces.iter().map(|p| p.at.1).collect();
        assert_eq!(order, [5, 9, 6, 7]);
        // A bulleted list keeps the most shared point first.
        let mut list = section(vec![
            step((1, 7), UnitKind::Bullet, "Smoker"),
            step((0, 5), UnitKind::Bullet, "Veil"),
        ]);
        in_written_order(&mut list);
        assert_eq!(list.pieces[0].at.1, 7);
    }

    #[test]
    fn a_point_for_a_section_that_only_titles_others_goes_to_the_child_of_its_subject() {
        let section = |title: &str, level: u8, items: &[&str]| DraftSection {
            header: Some(Header {
                kind: HeaderKind::Heading(level),
                source: format!("{} {title}", "#".repeat(level as usize)),
                title: title.to_owned(),
            }),
            topic: Topic::default(),
            pieces: items
                .iter()
                .map(|i| Piece {
                    member: 0,
                    ..test_piece(UnitKind::Bullet, &format!("- {i}"), i)
                })
                .collect(),
            members: vec![0],
            listed: 0,
            top_level: true,
            titles_only: items.is_empty(),
        };
        let mut draft = vec![
            section("Duties", 2, &[]),
            section("1. Watering", 3, &["Water the seed beds at dawn"]),
            section("2. Pruning", 3, &["Prune the roses in March"]),
        ];
        let apples = points::terms_of("Prune apple trees in winter");
        assert_eq!(best_child(&draft, 0, &apples), 2);
        // A point that went to the titling section before does not draw the next ones there.
        let stray = draft[1].pieces[0].clone();
        draft[0].pieces.push(stray);
        assert_eq!(best_child(&draft, 0, &apples), 2);
        // One word in common is enough to choose among the children.
        let hoses = points::terms_of("Coil the watering hoses");
        assert_eq!(best_child(&draft, 0, &hoses), 1);
        // A section with points of its own takes the point itself.
        assert_eq!(best_child(&draft, 1, &apples), 1);
    }

    #[test]
    fn mottos_several_sentences_and_report_figures_do_not_read_as_items() {
        assert!(reads_as_item(
            "Water the seedlings every morning before nine."
        ));
        assert!(reads_as_item("Use mulch (e.g. straw) on every bed."));
        assert!(reads_as_item("Keep soil moisture: 20-30% in summer beds"));
        assert!(!reads_as_item(
            "**Grow the soil. Feed the plant. Share the harvest.**"
        ));
        assert!(!reads_as_item("**Every bed gets compost**"));
        assert!(!reads_as_item("Grow the soil. Feed the plant."));
        assert!(!reads_as_item("Total Beds Weeded: 7"));
        assert!(!reads_as_item("Germination rate: 85%"));
    }

    #[test]
    fn items_joining_a_lead_in_come_right_under_it() {
        let piece = |kind: UnitKind, source: &str| {
            test_piece(kind, source, source.trim_start_matches("- "))
        };
        let section = |kind: HeaderKind| DraftSection {
            header: Some(Header {
                kind,
                source: "Harvest includes:".to_owned(),
                title: "Harvest includes".to_owned(),
            }),
            topic: Topic::default(),
            pieces: vec![piece(UnitKind::Paragraph, "Label every crate by field.")],
            members: vec![1],
            listed: 2,
            top_level: true,
            titles_only: false,
        };
        let mut lead_in = section(HeaderKind::LeadIn);
        insert(&mut lead_in, piece(UnitKind::Bullet, "- Pick ripe plums"));
        insert(
            &mut lead_in,
            piece(UnitKind::Bullet, "- Sort plums by size"),
        );
        let order: Vec<&str> = lead_in
            .pieces
            .iter()
            .map(|p| p.unit.source.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "- Pick ripe plums",
                "- Sort plums by size",
                "Label every crate by field."
            ]
        );
        // Under a heading, a paragraph may open the section: items go after it.
        let mut heading = section(HeaderKind::Heading(2));
        insert(&mut heading, piece(UnitKind::Bullet, "- Pick ripe plums"));
        assert_eq!(heading.pieces[0].unit.source, "Label every crate by field.");
    }

    #[test]
    fn the_tail_of_another_members_lead_in_list_is_not_a_section() {
        let rep = "You tend bees.\n\n## Workflow\n1. Open the hive gently at noon\n2. Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let other = "Intro.\n\nWhen invoked:\n1. Open the hive gently at noon\n2. Inspect every frame for brood\n3. Carry a smoker with dry pine needles\n4. Bring the hive tool of hardened steel\n5. Log swarm signs in the yard book\n6. Report colony weight to the keeper\n";
        let (m, decisions) = merged(rep, &[other, other]);
        assert!(!m.contains("When invoked"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("swarm signs")),
            "{body:?}"
        );
        // The whole list, most of it new, is a section.
        let rep = "You tend bees.\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let (m, _) = merged(rep, &[other, other]);
        assert!(m.contains("When invoked:"), "{m}");
    }

    #[test]
    fn a_bold_sub_title_of_other_members_is_no_heading_of_the_merge() {
        let rep = "You tend bees.\n\n## Workflow\n- Open the hive gently at noon\n- Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let other = "Intro.\n\n## Honey\n\n**Bad extraction:**\n- Heating combs above forty degrees\n- Leaving wax cappings in the bucket\n";
        let (m, _) = merged(rep, &[other, other]);
        assert!(!m.contains("## Bad extraction"), "{m}");
        // The same title as a section of its own body is a section.
        let other = "Intro.\n\n**Bad extraction:**\n- Heating combs above forty degrees\n- Leaving wax cappings in the bucket\n";
        let (m, _) = merged(rep, &[other, other]);
        assert!(m.contains("## Bad extraction"), "{m}");
    }

    #[test]
    fn a_step_of_another_members_procedure_is_no_section_but_a_numbered_topic_is() {
        let rep = "You tend bees.\n\n## Workflow\n- Open the hive gently at noon\n- Inspect every frame for brood\n\n## Tools\n- Smoker with dry pine needles\n- Hive tool of hardened steel\n";
        let step = "Intro.\n\n## Process\n\n1. **Check the weather:**\n   - Calm wind below ten knots\n   - Warm afternoon sunshine\n";
        let (m, decisions) = merged(rep, &[step, step]);
        assert!(!m.contains("Check the weather"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("Calm wind")),
            "{body:?}"
        );
        // A numbered list of topics titled by nouns keeps its topics as sections.
        let topic = "Intro.\n\n## Areas\n\n1. **Swarm prevention:**\n   - Calm wind below ten knots\n   - Warm afternoon sunshine\n";
        let (m, _) = merged(rep, &[topic, topic]);
        assert!(m.contains("## Swarm prevention"), "{m}");
    }

    #[test]
    fn a_dont_and_do_item_joins_only_a_list_of_such_items() {
        let other =
            "You advise.\n\n## Practices\n- Skip rate limits → Rate-limit every public endpoint\n";
        let (m, _) = merged(
            "You build APIs.\n\n## Practices\n- Validate request bodies against a schema\n- Version every public API\n",
            &[other, other],
        );
        assert!(!m.contains("Skip rate limits"), "{m}");
        let (m, _) = merged(
            "You build APIs.\n\n## Practices\n- Trust clients → Validate request bodies against a schema\n- Break clients → Version every public API\n",
            &[other, other],
        );
        assert!(
            m.contains("- Skip rate limits → Rate-limit every public endpoint"),
            "{m}"
        );
    }

    #[test]
    fn a_thing_not_to_do_joins_a_list_of_things_to_do_only_as_a_dont_and_no_second_identity() {
        let other = "You build.\n\n## Never do this\n- Hardcode secrets in pipeline configs\n\nYou are an elite engineer with ten years of pipelines.\n\n## Practices\n- Cache pipeline dependencies between runs\n";
        let (m, _) = merged(
            "You build pipelines.\n\n## Practices\n- Keep pipeline secrets in a vault\n- Run pipeline tests in parallel\n",
            &[other, other],
        );
        assert!(
            m.contains("- Don't hardcode secrets in pipeline configs"),
            "{m}"
        );
        assert!(!m.contains("- Hardcode secrets"), "{m}");
        assert!(!m.contains("elite engineer"), "{m}");
        let with_example = "You build.\n\n## Examples\n\n<example>\nuser: \"Fix my pipeline\"\nassistant: \"I'll use pipeline-pro.\"\n</example>\n\n<example>\nuser: \"Speed up CI\"\nassistant: \"I'll use pipeline-pro.\"\n</example>\n";
        assert!(
            m.contains("- Cache pipeline dependencies between runs"),
            "{m}"
        );
        let (e, _) = merged(
            "You build pipelines.\n\n## Practices\n- Keep pipeline secrets in a vault\n",
            &[with_example, with_example],
        );
        assert!(!e.contains("pipeline-pro"), "{e}");
    }

    #[test]
    fn shared_code_goes_after_a_list_of_its_subject_only() {
        let other = "You test.\n\n## Fixtures\n- Build fixtures with factories for each model\n\nA fixture factory for each model:\n\n```python\ndef make_model_fixture(**fields):\n    return Model(**fields)\n```\n\nA release banner:\n\n```text\n*** RELEASE ***\n```\n";
        let (m, _) = merged(
            "You test code.\n\n## Fixtures\n- Keep fixtures small for each model\n- Name fixtures after the model they build\n",
            &[other, other],
        );
        assert!(
            m.contains("- Name fixtures after the model they build\n\nA fixture factory for each model:\n\n```python"),
            "{m}"
        );
        assert!(!m.contains("RELEASE"), "{m}");
    }

    #[test]
    fn a_section_only_one_member_has_is_not_added() {
        let (m, decisions) = merged(
            "You review code.\n\n## Checks\n- Check error handling in every function\n",
            &["You review.\n\n## Release notes\n- Summarise user facing changes\n- Credit every contributor by name\n- Link the migration guide\n"],
        );
        assert!(
            !m.contains("Release notes") && !m.contains("contributor"),
            "{m}"
        );
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("only one member has"), "{}", body.why);
    }

    #[test]
    fn added_sections_go_before_the_representatives_closing_sections() {
        let other = "Other.\n\n## Caching\n- Cache computed pages at the edge\n- Expire cached pages on every deploy\n\n## Remember\n- Be kind\n";
        let (m, _) = merged(
            "You build sites.\n\n## Pages\n- Render pages on the server\n\n## Resources\n- The framework handbook\n\n## Remember\n- Measure first\n\nShip small changes.\n",
            &[other, other],
        );
        let caching = m.find("## Caching").expect("two members have the topic");
        assert!(caching < m.find("## Resources").unwrap(), "{m}");
        assert!(
            m.ends_with("## Remember\n\n- Measure first\n\nShip small changes."),
            "{m}"
        );
        assert!(
            !m.contains("Be kind"),
            "one closing, the representative's: {m}"
        );
    }

    #[test]
    fn frontmatter_lines_in_a_body_and_lead_ins_without_their_list_are_not_written() {
        let (m, decisions) = merged(
            "agentName: Helper Bot\nversion: 1.0.0\n\nYou review code.\n\n## Checks\n- Check error handling in every function\n\nThese include:\n\n## Style\n- Keep functions short and named well\n",
            &["agentName: Other Bot\nversion: 2.0\n\nYou review.\n\n## Checks\n- Check error handling in every function\n"],
        );
        assert!(!m.contains("agentName") && !m.contains("version:"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("frontmatter"), "{}", body.why);
        // A one-line `Description: …` sentence is prose, not metadata.
        let (m, _) = merged(
            "You write docs.\n\nDescription: every page opens with what the reader will learn.\n",
            &[],
        );
        assert!(m.contains("Description: every page"), "{m}");
    }

    #[test]
    fn a_lead_in_whose_points_were_all_dropped_is_not_written() {
        let (m, _) = merged(
            "You review code.\n\nAsk other-0 about:\n- Everything other-0 knows about security\n\n## Checks\n- Check error handling in every function\n",
            &["You review.\n\n## Checks\n- Check error handling in every function\n"],
        );
        assert!(!m.contains("Ask other-0"), "{m}");
        assert!(m.contains("## Checks"), "{m}");
    }

    #[test]
    fn a_sentence_lead_in_of_another_member_is_no_section() {
        let other = "You tune images.\n\nThis shows:\n- Dramatic size reduction of images\n- Security hardening of images\n";
        let (m, decisions) = merged(
            "You build images.\n\n## Images\n- Use small base images\n",
            &[other, other],
        );
        assert!(!m.contains("This shows"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("name no topic"), "{}", body.why);
    }

    #[test]
    fn shared_points_join_the_matching_subsection_in_their_neighbours_form() {
        let other = "You test.\n\n## Responsibilities\n\nPlan the coverage of every critical path before release.\n\n- Design fixtures and factories for test data\n";
        let (m, _) = merged(
            "You test software.\n\n## Responsibilities\n\n### Test architecture\n- Establish testing patterns and conventions\n- Plan test data management\n\n### Coverage analysis\n- Analyze current test coverage\n- Identify untested critical paths\n",
            &[other, other],
        );
        // The point about test data goes under test architecture, the point about coverage under
        // coverage analysis, as a bullet like its neighbours; nothing stray under the parent.
        assert!(
            m.contains(
                "- Plan test data management\n- Design fixtures and factories for test data"
            ),
            "{m}"
        );
        assert!(
            m.contains("- Identify untested critical paths\n- Plan the coverage of every critical path before release."),
            "{m}"
        );
        assert!(
            m.contains("## Responsibilities\n\n### Test architecture"),
            "{m}"
        );
    }

    #[test]
    fn sections_of_one_topic_become_one_and_each_point_is_made_once() {
        let (m, _) = merged(
            "You are a helper.\n\nYour core responsibilities:\n- Review pull requests for correctness\n- Keep functions short\n",
            &[
                "You are an assistant.\n\nYour primary responsibilities include:\n- review the pull requests for correctness\n- Document every public API with examples\n",
                "You are a bot.\n\n## Responsibilities\n- Document each public API with examples\n- Measure latency before optimizing anything\n",
            ],
        );
        // The point two members make joins the representative's list; the one point a single
        // member makes about something else is left out (named in the decisions).
        assert_eq!(
            m,
            "You are a helper.\n\nYour core responsibilities:\n- Review pull requests for correctness\n- Keep functions short\n- Document every public API with examples"
        );
    }

    #[test]
    fn a_topic_two_members_have_and_the_representative_lacks_is_added_before_its_closing() {
        let other = "Other intro.\n\n## Deployment checklist\n- Tag the release in git\n- Run database migrations first\n- Watch error rates after deploying\n\n## Glossary\n- SLO means service level objective\n\nRemember: ship small changes.\n";
        let (m, decisions) = merged(
            "Intro.\n\n## Rules\n- Write tests first\n\nClosing line of the representative.\n",
            &[other, "Third intro.\n\n## Deployment checklist\n- Tag the release in git\n- Roll back when error rates rise\n"],
        );
        assert!(
            m.contains("## Deployment checklist\n\n- Tag the release"),
            "{m}"
        );
        assert!(
            !m.contains("Glossary"),
            "a one-point section is a fragment: {m}"
        );
        assert!(m.ends_with("Closing line of the representative."), "{m}");
        assert!(!m.contains("Other intro") && !m.contains("Remember"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.dropped.iter().any(|d| d.contains("SLO")), "{body:?}");
    }

    #[test]
    fn added_steps_are_renumbered_and_a_second_output_format_is_not_added() {
        let other = "Intro.\n\n## Methodology\n3. Measure before optimizing anything\n\n## Response format\n- JSON with severity levels\n- One line per finding\n- Totals at the end\n";
        let (m, _) = merged(
            "Intro.\n\n## Approach\n1. Read the code\n2. Write a plan\n\n## Output format\n- A table of findings\n",
            &[other, other],
        );
        assert!(
            m.contains("1. Read the code\n2. Write a plan\n3. Measure before optimizing anything"),
            "{m}"
        );
        assert!(!m.contains("JSON with severity"), "{m}");
    }

    #[test]
    fn a_step_with_a_nested_list_does_not_restart_the_numbering() {
        let (m, _) = merged(
            "Intro.\n\n## Workflow\n1. Plan the release\n2. Build the artefacts\n3. Publish them:\n   - to the registry\n   - to the mirror\n4. Announce the release\n5. Watch the error rates\n",
            &["Intro.\n\n## Workflow\n- Plan the release\n"],
        );
        assert!(
            m.contains("2. Build the artefacts\n3. Publish them:"),
            "{m}"
        );
        assert!(
            m.contains("4. Announce the release\n5. Watch the error rates"),
            "{m}"
        );
    }

    #[test]
    fn other_languages_absorbed_names_and_project_paths_are_not_carried_over() {
        let (m, decisions) = merged(
            "You are a reviewer of code written by the team.\n\n## Rules\n- Check error handling in every function\n- Hand security questions to other-0 when unsure\n",
            &["Intro.\n\n## Rules\n- Vous devez vérifier les tests de chaque module avec soin\n- Run flake8 on acme/app/models.py before merging\n- Check error handling: logs never contain secrets\n"],
        );
        assert!(!m.contains("other-0"), "{m}");
        assert!(!m.contains("Vous"), "{m}");
        assert!(!m.contains("flake8"), "{m}");
        assert!(
            m.contains("Check error handling: logs never contain secrets"),
            "{m}"
        );
        let why = &decisions.iter().find(|d| d.field == "body").unwrap().why;
        assert!(
            why.contains("another language")
                && why.contains("own project")
                && why.contains("replaces"),
            "{why}"
        );
    }

    /// A code block is written in a programming language, not in another natural language: the
    /// representative's commands stay under their headings.
    #[test]
    fn the_representatives_code_blocks_are_kept_whatever_their_words() {
        let rep = "You test the security of web applications you are allowed to test.\n\n**Information Gathering:**\n```bash\n# Subdomain enumeration\nsubfinder -d example.com -o subdomains.txt\namass enum -d example.com\n# Network reconnaissance\nnmap -sV -sC -p- target.com -oA scan\n```\n\n**Reflected XSS:**\n```html\n<script>alert(document.domain)</script>\n<img src=x onerror=alert(1)>\n```\n";
        let (m, decisions) = merged(
            rep,
            &["You are a tester.\n\n## Checks\n- Check every form for injection flaws\n"],
        );
        assert!(m.contains("nmap -sV -sC -p- target.com -oA scan"), "{m}");
        assert!(m.contains("<img src=x onerror=alert(1)>"), "{m}");
        assert!(
            !decisions.iter().any(|d| d.why.contains("another language")),
            "{decisions:?}"
        );
    }

    #[test]
    fn a_section_titled_in_another_language_is_not_carried_over() {
        let (m, decisions) = merged(
            "You review the code of the team.\n\n## Checks\n- Check error handling in every function\n",
            &["Intro.\n\n## 고가용성\n- [ ] Sentinel 구성\n- [ ] failover 테스트\n- [ ] backup RDB AOF 정책\n"],
        );
        assert!(!m.contains("Sentinel") && !m.contains("고가용성"), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(
            body.dropped.iter().any(|d| d.contains("고가용성")),
            "{body:?}"
        );
    }

    #[test]
    fn titled_items_of_a_representative_keep_their_nested_lists() {
        let rep = "Your responsibilities:\n\n1. **API Design**: you will:\n   - Design REST APIs\n   - Version them\n2. **Databases**: you will:\n   - Model data\n   - Index it\n";
        let (m, _) = merged(rep, &[]);
        assert_eq!(m, rep.trim_end());
    }

    #[test]
    fn a_fuller_wording_several_members_share_is_kept_and_replaces_the_short_one() {
        let fuller = "- Use connection pooling for every database and cache server";
        let (m, decisions) = merged(
            "Intro.\n\n## Practices\n1. Use connection pooling\n2. Log every slow query\n",
            &[
                &format!("Intro.\n\n## Practices\n{fuller}\n"),
                &format!("Intro.\n\n## Practices\n{fuller}\n"),
            ],
        );
        assert_eq!(
            m,
            "Intro.\n\n## Practices\n\n1. Use connection pooling for every database and cache server\n2. Log every slow query",
            "the fuller wording takes the short step's place and number"
        );
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.why.contains("reworded"), "{}", body.why);
        // One member alone elaborating on a point adds nothing: the point is made.
        let (m, _) = merged(
            "Intro.\n\n## Practices\n- Use connection pooling\n",
            &[&format!("Intro.\n\n## Practices\n{fuller}\n")],
        );
        assert!(!m.contains("cache server"), "{m}");
    }

    #[test]
    fn a_shared_elaboration_that_keeps_part_of_a_point_is_added_beside_it() {
        let (m, _) = merged(
            "Intro.\n\n## Design\n- Component design and composition\n",
            &[
                "Intro.\n\n## Design\n- Component design: plan the hierarchy for reuse\n",
                "Intro.\n\n## Design\n- Component design: plan the hierarchy for reuse\n",
            ],
        );
        assert!(m.contains("- Component design and composition\n- Component design: plan the hierarchy for reuse"), "{m}");
    }

    #[test]
    fn a_title_naming_a_replaced_member_names_the_merged_agent() {
        let members = [
            "backend-engineer".to_owned(),
            "backend-system-architect".to_owned(),
        ];
        let names = Names {
            merged: "backend-system-architect",
            members: &members,
        };
        let title = |t: &str| title_naming(&format!("# {t}"), t, &names);
        assert_eq!(
            title("Backend Engineer"),
            ("# Backend System Architect".to_owned(), true)
        );
        assert_eq!(
            title("Senior Backend System Architect"),
            ("# Senior Backend System Architect".to_owned(), false)
        );
        // A title that names no member (a topic) stays.
        assert_eq!(title("Code review"), ("# Code review".to_owned(), false));
    }

    #[test]
    fn growth_is_capped_at_the_limit() {
        let rep = "- alpha beta\n";
        let others: Vec<String> = (0..50)
            .map(|i| format!("- unique{i} words{i} here{i} more{i}\n"))
            .collect();
        let refs: Vec<&str> = others.iter().map(String::as_str).collect();
        let (m, _) = merged(rep, &refs);
        let longest = others.iter().map(|o| o.trim().len()).max().unwrap();
        assert!(
            m.len() as f32 <= longest as f32 * GROWTH_LIMIT + 1.0,
            "{} > {longest}×{GROWTH_LIMIT}",
            m.len()
        );
    }

    #[test]
    fn items_joining_a_list_take_its_form() {
        assert_eq!(
            in_form_of("- [ ] Check logs", "- Read code"),
            "- Check logs"
        );
        assert_eq!(
            in_form_of("- Check logs", "- [ ] Read code"),
            "- [ ] Check logs"
        );
        assert_eq!(
            in_form_of("- **Voice search**: questions", "1. Keyword research"),
            "- Voice search: questions"
        );
        assert_eq!(
            in_form_of("- **Security**: audits", "- **Speed**: caching"),
            "- **Security**: audits"
        );
    }
}
