//! Merging bodies: the representative's structure as the skeleton, the others' new content added once.
//!
//! A body is read as sections: a heading, or a lead-in line such as `Your approach:` followed by a
//! list, and the blocks under it. Each other member's blocks (list items, paragraphs, code) are
//! candidates. A candidate is dropped when one block of the draft already says it; of the rest, those
//! that stand for the most other lines per byte are added first (see `choose`), each under the
//! section whose heading matches its own (or in a new section at the end), until the merged body
//! reaches [`GROWTH_LIMIT`] times the longest member: past that a consolidation is a concatenation. Other members' introductions ("You are a …") are not carried over: the merged
//! agent has one identity, the representative's.

use crate::markdown::{self, Block, BlockKind};
use crate::model::{AgentFile, MergeDecision};
use crate::normalize::{hashed_terms, normalize_text};
use rustc_hash::{FxHashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A block counts as already said when this share of its words stand in one block of the draft.
const COVERED: f32 = 0.75;
/// A block stands for another, as a paraphrase of the same point, when it holds half of its words.
const PARAPHRASE: f32 = 0.5;
/// Two headings name the same section when their words overlap this much (Jaccard).
const SAME_HEADING: f32 = 0.5;
/// The merged body stays within this multiple of the longest member's body.
pub const GROWTH_LIMIT: f32 = 2.0;

/// The words of a block's text, shared between the blocks that have that text.
type Terms = Rc<HashSet<u64>>;

/// The word sets of the texts met in merges, each computed once: the members of a cluster repeat
/// most of each other's blocks word for word, clusters share boilerplate, and normalizing text is
/// the costly part. One is kept across the merges one worker does (see `pipeline`), up to a bound.
#[derive(Default)]
pub struct TermCache {
    sets: FxHashMap<String, Terms>,
}

/// How many texts a [`TermCache`] holds before it starts afresh: some tens of megabytes at most.
const CACHE_TEXTS: usize = 1 << 15;

impl TermCache {
    /// Empties a full cache; called between merges.
    fn make_room(&mut self) {
        if self.sets.len() >= CACHE_TEXTS {
            self.sets.clear();
        }
    }

    fn terms(&mut self, text: &str) -> Terms {
        if let Some(terms) = self.sets.get(text) {
            return terms.clone();
        }
        let terms = Rc::new(term_set(text));
        self.sets.insert(text.to_owned(), terms.clone());
        terms
    }
}

#[derive(Debug, Clone)]
struct Section {
    /// A heading, or a lead-in paragraph ending in `:` before a list; `None` for the preamble.
    heading: Option<Block>,
    /// The heading's words, for matching sections across members.
    heading_terms: Terms,
    blocks: Vec<Block>,
}

impl Section {
    fn new(heading: Option<Block>, cache: &mut TermCache) -> Section {
        let heading_terms = heading
            .as_ref()
            .map(|h| cache.terms(&h.text))
            .unwrap_or_default();
        Section {
            heading,
            heading_terms,
            blocks: Vec::new(),
        }
    }
}

/// Reads a body as sections. A level-1 heading that opens the body is its title and stays in the
/// preamble, so nothing is ever placed above it.
fn sections(body: &str, cache: &mut TermCache) -> Vec<Section> {
    let mut blocks = markdown::blocks(body).into_iter().enumerate().peekable();
    let mut out = vec![Section::new(None, cache)];
    while let Some((i, block)) = blocks.next() {
        let is_title = i == 0 && block.heading_level() == Some(1);
        let is_lead_in = block.kind == BlockKind::Paragraph
            && block.text.trim_end().ends_with(':')
            && blocks
                .peek()
                .is_some_and(|(_, next)| next.kind == BlockKind::ListItem);
        if (block.heading_level().is_some() && !is_title) || is_lead_in {
            out.push(Section::new(Some(block), cache));
        } else {
            out.last_mut()
                .expect("starts with the preamble")
                .blocks
                .push(block);
        }
    }
    out
}

fn term_set(text: &str) -> HashSet<u64> {
    hashed_terms(&normalize_text(text)).into_iter().collect()
}

/// Whether `other` holds at least `share` (at most 1) of `block`'s words: whether the words in
/// common, divided by `block.len()`, reach `share`. Counting stops as soon as the answer is known:
/// comparing a block with every other is the costly part of choosing what to add.
fn holds(other: &HashSet<u64>, block: &HashSet<u64>, share: f32) -> bool {
    if block.is_empty() {
        return true;
    }
    let needed = fewest_in_common(block.len(), share);
    if needed > other.len() {
        return false;
    }
    let (mut found, mut missing) = (0, 0);
    for term in block {
        if other.contains(term) {
            found += 1;
        } else {
            missing += 1;
        }
        if found >= needed {
            return true;
        }
        if missing > block.len() - needed {
            return false;
        }
    }
    found >= needed
}

/// The fewest words in common with a block of `len` words that make `common as f32 / len as f32`
/// reach `share` (at most 1): found by that very division, so no rounding can make it differ.
fn fewest_in_common(len: usize, share: f32) -> usize {
    let reaches = |k: usize| k as f32 / len as f32 >= share;
    let mut k = ((share * len as f32) as usize).min(len);
    while k > 0 && reaches(k - 1) {
        k -= 1;
    }
    while !reaches(k) {
        k += 1;
    }
    k
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f32 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / union as f32
}

/// Where a candidate block goes: an existing section of the draft, or a new one with this heading.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Existing(usize),
    New(Option<Block>),
}

struct Candidate {
    member: usize,
    block: Block,
    terms: Terms,
    target: Target,
}

/// What happened to the other members' blocks, for the report.
#[derive(Default)]
struct Tally {
    added: BTreeMap<usize, usize>,
    already_said: usize,
    introductions: usize,
    left_out: Vec<String>,
}

/// Merges the bodies of `members`; `order` lists the non-representatives, most similar first.
pub fn merge_bodies(
    members: &[&AgentFile],
    representative: usize,
    order: &[usize],
    decisions: &mut Vec<MergeDecision>,
    cache: &mut TermCache,
) -> String {
    cache.make_room();
    let mut draft = sections(&members[representative].body, cache);
    let longest = members
        .iter()
        .map(|m| m.body.trim().len())
        .max()
        .unwrap_or(0);
    let budget = (longest as f32 * GROWTH_LIMIT) as usize;
    let mut tally = Tally::default();
    let candidates = collect_candidates(members, representative, order, &draft, &mut tally, cache);
    let chosen = choose(candidates, &draft, budget, &mut tally, cache);
    place(&mut draft, chosen, cache);
    let body = render(&draft);
    decisions.push(body_decision(members, representative, &tally));
    body
}

fn collect_candidates(
    members: &[&AgentFile],
    representative: usize,
    order: &[usize],
    draft: &[Section],
    tally: &mut Tally,
    cache: &mut TermCache,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for &i in order.iter().filter(|&&i| i != representative) {
        for section in sections(&members[i].body, cache) {
            let target = match &section.heading {
                None => Target::Existing(0),
                Some(h) => match matching_section(draft, &section.heading_terms) {
                    Some(t) => Target::Existing(t),
                    None => Target::New(Some(h.clone())),
                },
            };
            for block in section.blocks {
                let is_intro = section.heading.is_none()
                    && matches!(
                        block.kind,
                        BlockKind::Paragraph | BlockKind::Heading(_) | BlockKind::Other
                    );
                if is_intro {
                    tally.introductions += 1;
                    continue;
                }
                let terms = cache.terms(&block.text);
                if !terms.is_empty() {
                    out.push(Candidate {
                        member: i,
                        block,
                        terms,
                        target: target.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Picks the candidates to add. Each candidate *covers* every candidate whose words it holds (itself
/// included); the one that covers the most uncovered lines per byte is taken first, and so on while
/// the budget lasts: a set cover, so that one full bullet stands for its shorter paraphrases.
/// Returns them in their original order (member, then position), the order they are placed in.
fn choose(
    candidates: Vec<Candidate>,
    draft: &[Section],
    budget: usize,
    tally: &mut Tally,
    cache: &mut TermCache,
) -> Vec<Candidate> {
    let mut length: usize = draft
        .iter()
        .flat_map(|s| s.heading.iter().chain(&s.blocks))
        .map(cost)
        .sum();
    let before = candidates.len();
    let open = not_yet_said(candidates, draft, cache);
    tally.already_said += before - open.len();
    let lines: Vec<usize> = open
        .iter()
        .map(|c| {
            c.block
                .source
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
                .max(1)
        })
        .collect();
    let mut covered = vec![false; open.len()];
    let mut taken = vec![false; open.len()];
    // First one line for every topic (a block stands for those that share half its words), then,
    // while the budget lasts, the lines that are close paraphrases rather than repeats.
    for (threshold, covers) in [PARAPHRASE, COVERED].into_iter().zip(cover_sets(&open)) {
        let mut loosely_covered = vec![false; open.len()];
        for i in (0..open.len()).filter(|&i| taken[i]) {
            covers[i].iter().for_each(|&j| loosely_covered[j] = true);
        }
        loop {
            let gain = |i: usize| {
                covers[i]
                    .iter()
                    .filter(|&&j| !loosely_covered[j])
                    .map(|&j| lines[j])
                    .sum::<usize>()
            };
            let best = (0..open.len())
                .filter(|&i| !taken[i] && length + cost(&open[i].block) <= budget)
                .map(|i| (i, gain(i) as f32 / cost(&open[i].block) as f32))
                .filter(|&(_, value)| value > 0.0)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            let Some((i, _)) = best else { break };
            taken[i] = true;
            length += cost(&open[i].block);
            for &j in &covers[i] {
                loosely_covered[j] = true;
            }
        }
        if threshold == COVERED {
            covered = loosely_covered;
        }
    }
    let mut chosen = Vec::new();
    for (i, c) in open.into_iter().enumerate() {
        if taken[i] {
            *tally.added.entry(c.member).or_default() += 1;
            chosen.push(c);
        } else if covered[i] {
            tally.already_said += 1;
        } else {
            tally.left_out.push(preview(&c.block.text));
        }
    }
    chosen
}

/// The candidates that no block of the draft already says (holds [`COVERED`] of their words).
fn not_yet_said(
    candidates: Vec<Candidate>,
    draft: &[Section],
    cache: &mut TermCache,
) -> Vec<Candidate> {
    let blocks = || draft.iter().flat_map(|s| s.heading.iter().chain(&s.blocks));
    // Most candidates that are said are said word for word (members copy each other's blocks):
    // found by their text, they need no comparison with every block of the draft.
    let texts: HashSet<&str> = blocks().map(|b| b.text.as_str()).collect();
    let said: Vec<Terms> = blocks().map(|b| cache.terms(&b.text)).collect();
    candidates
        .into_iter()
        .filter(|c| {
            !texts.contains(c.block.text.as_str())
                && !said.iter().any(|s| holds(s, &c.terms, COVERED))
        })
        .collect()
}

/// For each candidate, the candidates whose words it holds (itself included): at [`PARAPHRASE`]
/// and at [`COVERED`] or more.
fn cover_sets(open: &[Candidate]) -> [Vec<Vec<usize>>; 2] {
    let mut paraphrased = vec![Vec::new(); open.len()];
    let mut covered = vec![Vec::new(); open.len()];
    for (i, holder) in open.iter().enumerate() {
        for (j, held) in open.iter().enumerate() {
            let same = i == j || Rc::ptr_eq(&holder.terms, &held.terms);
            if same || holds(&holder.terms, &held.terms, PARAPHRASE) {
                paraphrased[i].push(j);
                if same || holds(&holder.terms, &held.terms, COVERED) {
                    covered[i].push(j);
                }
            }
        }
    }
    [paraphrased, covered]
}

/// Bytes a block takes in the merged body, with the blank line before it.
fn cost(block: &Block) -> usize {
    block.source.len() + 2
}

fn preview(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{short}…")
    } else {
        short
    }
}

/// Puts chosen blocks into the draft: list items join the list of their section, other blocks go
/// to its end; blocks for new sections go into sections appended in order of first use.
fn place(draft: &mut Vec<Section>, chosen: Vec<Candidate>, cache: &mut TermCache) {
    let level = usual_section_level(draft);
    for c in chosen {
        let index = match c.target {
            Target::Existing(i) => i,
            Target::New(heading) => match new_section_like(draft, heading.as_ref(), cache) {
                Some(i) => i,
                None => {
                    let heading = heading.map(|h| as_section_heading(&h, level));
                    draft.push(Section::new(heading, cache));
                    draft.len() - 1
                }
            },
        };
        let blocks = &mut draft[index].blocks;
        let after_list = blocks.iter().rposition(|b| b.kind == BlockKind::ListItem);
        let mut block = c.block;
        match after_list.filter(|_| block.kind == BlockKind::ListItem) {
            Some(p) => blocks.insert(p + 1, block),
            None => {
                // An item that starts a list here starts it at 1: it keeps its text, not its place.
                if block.kind == BlockKind::ListItem {
                    block.source = first_of_list(&block.source);
                }
                blocks.push(block)
            }
        }
    }
}

/// A section already in the draft with the same heading (one an earlier block opened).
fn new_section_like(
    draft: &[Section],
    heading: Option<&Block>,
    cache: &mut TermCache,
) -> Option<usize> {
    matching_section(draft, &cache.terms(&heading?.text))
}

/// The section of the draft whose heading (or lead-in) has words like `wanted`.
fn matching_section(draft: &[Section], wanted: &HashSet<u64>) -> Option<usize> {
    draft
        .iter()
        .enumerate()
        .filter(|(_, s)| s.heading.is_some())
        .map(|(i, s)| (i, jaccard(wanted, &s.heading_terms)))
        .filter(|&(_, sim)| sim >= SAME_HEADING)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// The heading level the representative uses most for its sections (`##` when it has none).
fn usual_section_level(draft: &[Section]) -> u8 {
    let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
    for level in draft
        .iter()
        .filter_map(|s| s.heading.as_ref()?.heading_level())
        .filter(|&l| l > 1)
    {
        *counts.entry(level).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(2, |(l, _)| l)
}

/// Headings from other members take the representative's section level; lead-ins stay as written.
fn as_section_heading(heading: &Block, level: u8) -> Block {
    if heading.heading_level().is_none() {
        return heading.clone();
    }
    Block {
        kind: BlockKind::Heading(level),
        source: format!("{} {}", "#".repeat(level as usize), heading.text),
        text: heading.text.clone(),
    }
}

fn render(draft: &[Section]) -> String {
    let mut out = String::new();
    for section in draft {
        let has_lead_in = section
            .heading
            .as_ref()
            .is_some_and(|h| h.heading_level().is_none());
        let mut previous: Option<String> = None;
        for (position, block) in section.heading.iter().chain(&section.blocks).enumerate() {
            let continues_list = block.kind == BlockKind::ListItem
                && position > 0
                && previous_was_item(
                    &section.blocks,
                    position,
                    has_lead_in || section.heading.is_some(),
                );
            let source = match previous.as_deref().filter(|_| continues_list) {
                Some(prev) => same_marker_as(&block.source, prev),
                None => block.source.clone(),
            };
            // A list follows its lead-in line (`Your approach:`) without a blank line.
            let tight = continues_list
                || (has_lead_in && position == 1 && block.kind == BlockKind::ListItem);
            if !out.is_empty() {
                out.push_str(if tight { "\n" } else { "\n\n" });
            }
            out.push_str(&source);
            previous = Some(source);
        }
    }
    out
}

/// Whether the block before `position` (counting the heading as position 0) is a list item.
fn previous_was_item(blocks: &[Block], position: usize, has_heading: bool) -> bool {
    let index = if has_heading {
        position.checked_sub(2)
    } else {
        position.checked_sub(1)
    };
    index
        .and_then(|i| blocks.get(i))
        .is_some_and(|b| b.kind == BlockKind::ListItem)
}

/// Rewrites a list item's marker to continue the item before it (`-`, `*`, or the next number), so
/// an item from another member does not break or misnumber the list it joins.
fn same_marker_as(item: &str, previous: &str) -> String {
    let (_, body) = split_marker(item);
    let (prev_marker, _) = split_marker(previous);
    let digits = prev_marker.trim_end_matches(['.', ')']);
    let marker = match digits.parse::<u64>() {
        Ok(n) => format!("{}{}", n + 1, &prev_marker[digits.len()..]),
        Err(_) => prev_marker.to_owned(),
    };
    format!("{marker} {body}")
}

/// A numbered item that starts a list starts it at 1 (an item taken from the middle of another
/// member's list keeps its text, not its place).
fn first_of_list(item: &str) -> String {
    let (marker, body) = split_marker(item);
    let digits = marker.trim_end_matches(['.', ')']);
    match digits.parse::<u64>() {
        Ok(n) if n != 1 => format!("1{} {body}", &marker[digits.len()..]),
        _ => item.to_owned(),
    }
}

fn split_marker(item: &str) -> (&str, &str) {
    let trimmed = item.trim_start();
    match trimmed.split_once(' ') {
        Some((marker, rest)) => (marker, rest.trim_start()),
        None => (trimmed, ""),
    }
}

fn body_decision(members: &[&AgentFile], representative: usize, tally: &Tally) -> MergeDecision {
    let added: Vec<String> = tally
        .added
        .iter()
        .map(|(i, n)| format!("{n} from {}", members[*i].path.display()))
        .collect();
    let added = if added.is_empty() {
        "nothing new from the others".to_owned()
    } else {
        added.join(", ")
    };
    let mut why = format!(
        "the representative's sections in its order; blocks the others add, under the matching section: {added}. \
         {} block(s) already said were not repeated; {} introduction paragraph(s) of other members were not carried over (one identity)",
        tally.already_said, tally.introductions
    );
    if !tally.left_out.is_empty() {
        why.push_str(&format!(
            "; {} block(s) were left out to keep the body within {GROWTH_LIMIT}× the longest member",
            tally.left_out.len()
        ));
    }
    MergeDecision {
        field: "body".into(),
        chose: format!("{}'s structure", members[representative].path.display()),
        why,
        dropped: tally.left_out.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, body: &str) -> AgentFile {
        let text = format!("---\nname: x\ndescription: d\n---\n{body}");
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    fn merged(rep: &str, others: &[&str]) -> String {
        let mut files = vec![agent("r.md", rep)];
        files.extend(
            others
                .iter()
                .enumerate()
                .map(|(i, b)| agent(&format!("{i}.md"), b)),
        );
        let refs: Vec<&AgentFile> = files.iter().collect();
        let order: Vec<usize> = (1..files.len()).collect();
        merge_bodies(&refs, 0, &order, &mut Vec::new(), &mut TermCache::default())
    }

    #[test]
    fn new_items_join_the_matching_section_and_repeats_are_dropped() {
        let m = merged(
            "You are a helper.\n\n## Rules\n- Always write tests first\n- Keep functions short\n",
            &["You are an assistant for code.\n\n## Rules\n- always write the tests first\n- Document public APIs clearly\n\n## Output\nReturn a summary table of findings.\n"],
        );
        assert_eq!(
            m,
            "You are a helper.\n\n## Rules\n\n- Always write tests first\n- Keep functions short\n- Document public APIs clearly\n\n## Output\n\nReturn a summary table of findings."
        );
    }

    #[test]
    fn lead_ins_act_as_headings_and_numbering_continues() {
        let m = merged(
            "Intro.\n\nYour approach:\n1. Read the code\n2. Write a plan\n",
            &["Other intro.\n\n## Approach\n1. Read the code\n2. Measure before optimizing anything\n"],
        );
        assert_eq!(m, "Intro.\n\nYour approach:\n1. Read the code\n2. Write a plan\n3. Measure before optimizing anything");
    }

    #[test]
    fn nothing_goes_above_the_title() {
        let m = merged(
            "# Title\n\nIntro.\n\n- one thing\n",
            &["- another distinct thing entirely\n"],
        );
        assert!(m.starts_with("# Title\n"), "{m}");
        assert!(
            m.contains("- one thing\n- another distinct thing entirely"),
            "{m}"
        );
    }

    #[test]
    fn growth_is_capped_at_the_limit() {
        let rep = "- alpha beta\n";
        let others: Vec<String> = (0..50)
            .map(|i| format!("- unique{i} words{i} here{i} more{i}\n"))
            .collect();
        let refs: Vec<&str> = others.iter().map(String::as_str).collect();
        let m = merged(rep, &refs);
        let longest = others.iter().map(|o| o.trim().len()).max().unwrap();
        assert!(
            m.len() as f32 <= longest as f32 * GROWTH_LIMIT + 1.0,
            "{} > {longest}×{GROWTH_LIMIT}",
            m.len()
        );
    }

    #[test]
    fn list_markers_follow_the_list_joined() {
        assert_eq!(same_marker_as("- new", "3. old"), "4. new");
        assert_eq!(same_marker_as("2. new", "* old"), "* new");
        assert_eq!(
            first_of_list("4. taken from the middle"),
            "1. taken from the middle"
        );
        assert_eq!(first_of_list("- bullet"), "- bullet");
    }
}
