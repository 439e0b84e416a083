//! Score: pairs of agents → how alike they are, part by part.
//!
//! The name says which role an agent plays, the description when to call it, the body how it works.
//! Each part gives a similarity in 0..=1 and the total is their weighted sum, raised to the share of
//! body blocks the two have in common when that is higher (a copy is a duplicate whatever its name).
//! strsim is used only on short strings: the words of names.

use crate::model::{Counted, Kind, ScoreBreakdown, ScoredPair};
use crate::normalize::{Features, NameParts, SparseVec, Term, TYPO_PREFIX};
use crate::subjects::different_subjects;
use rayon::prelude::*;

/// How much each part counts towards the total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub name: f32,
    pub description: f32,
    pub body: f32,
    pub role: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            name: 0.35,
            description: 0.35,
            body: 0.30,
            role: 0.40,
        }
    }
}

/// Pairs scoring below this are not kept: they could never join a cluster.
pub const KEEP_FLOOR: f32 = 0.15;

/// Scores one pair. A part that one of the two lacks (a name of filler words only, no
/// description, a body that is all boilerplate) is left out and the weights of the others rescaled:
/// no evidence is not evidence against. The score is also at least the share of shared blocks.
pub fn score_pair(a: &Features, b: &Features, weights: &Weights) -> ScoreBreakdown {
    score_parts(
        a,
        b,
        weights,
        |a, b| a.body.cosine(&b.body),
        |a, b| shared_blocks(&a.blocks, &b.blocks),
    )
}

/// [`score_pair`] of `a.features` against `b`, with `a`'s body terms and blocks looked up in its
/// tables rather than merged with `b`'s lists: the same figures (each sum is added in the same
/// order), for less work when `a` is scored against many agents.
fn score_prepared(a: &Prepared, b: &Features, weights: &Weights) -> ScoreBreakdown {
    score_parts(
        a.features,
        b,
        weights,
        |_, b| a.body.cosine_with(&b.body),
        |a_features, b| {
            // Most candidates share no block with `a`: then the share is 0 whatever the weights
            // (0 over any total), and the lists need not be merged.
            if a.blocks.shares_any(&b.blocks) {
                shared_blocks(&a_features.blocks, &b.blocks)
            } else {
                0.0
            }
        },
    )
}

/// The body's cosine and the share of shared blocks are worked out by the callers' functions,
/// which give the same figures whichever way they work.
fn score_parts(
    a: &Features,
    b: &Features,
    weights: &Weights,
    body_cosine: impl FnOnce(&Features, &Features) -> f32,
    shared_block_share: impl FnOnce(&Features, &Features) -> f32,
) -> ScoreBreakdown {
    let counted = Counted {
        name: !a.name.core.is_empty() && !b.name.core.is_empty(),
        description: !a.description.is_empty() && !b.description.is_empty(),
        body: !a.body.is_empty() && !b.body.is_empty(),
        role: !a.role.is_empty() && !b.role.is_empty(),
    };
    let name = if counted.name {
        name_similarity(&a.name, &b.name)
    } else {
        0.0
    };
    let role = a.role.cosine(&b.role);
    let description = a.description.cosine(&b.description);
    let body = body_cosine(a, b);
    // Copies of one definition share every block, even where so many copies make their blocks
    // boilerplate that no shared block is counted.
    let shared_lines = if a.same_copy(b) {
        1.0
    } else {
        shared_block_share(a, b)
    };
    let parts = [
        (counted.name, weights.name, name),
        (counted.description, weights.description, description),
        (counted.body, weights.body, body),
        (counted.role, weights.role, role),
    ];
    let (weighted, total_weight) = parts
        .iter()
        .filter(|(has, _, _)| *has)
        .fold((0.0f32, 0.0f32), |(sum, w), &(_, weight, s)| {
            (sum + weight * s, w + weight)
        });
    let siblings = counted.name && a.collection == b.collection && each_names_its_own(a, b);
    let different_subjects = counted.name && different_subjects(&a.subjects, &b.subjects);
    // The stronger of the discounts that apply (either can be set to 1 to leave it out).
    let discount = [
        (siblings, SIBLING_DISCOUNT),
        (different_subjects, SUBJECT_DISCOUNT),
    ]
    .iter()
    .filter(|d| d.0)
    .fold(1.0f32, |least, d| least.min(d.1));
    let weighted_mean = if total_weight > 0.0 {
        weighted / total_weight * discount
    } else {
        0.0
    };
    ScoreBreakdown {
        name,
        description,
        body,
        role,
        shared_lines,
        boilerplate: (a.boilerplate_share + b.boilerplate_share) / 2.0,
        total: weighted_mean.max(shared_lines),
        counted,
        siblings,
        different_subjects,
    }
}

/// What the weighted score of two siblings (see [`each_names_its_own`]) is multiplied by. A
/// collection writes its agents from one template, and an author who split `netlify-deployer` from
/// `vercel-deployer` meant them apart: their descriptions and bodies must agree beyond what the
/// template makes them agree. Near-verbatim copies are not affected (the shared blocks still set
/// their score).
pub const SIBLING_DISCOUNT: f32 = 0.8;

/// What the weighted score of two agents naming different subjects (see `subjects`) is multiplied
/// by: one of them is about a technology, platform or concern the other never mentions, and the
/// words they share are those of the kind of role, not of the job.
pub const SUBJECT_DISCOUNT: f32 = 0.65;

/// A name word weighs at least this to count as naming a subject of its own.
const OWN_WORD_WEIGHT: f32 = 0.5;

/// True when each name holds a role word the other lacks (`fullstack-nextjs-go` /
/// `fullstack-nuxtjs-go`, `lang-c` / `lang-r`): the two name different subjects, not one subject
/// in more or fewer words (`react` / `react-component`).
fn each_names_its_own(a: &Features, b: &Features) -> bool {
    let own = |x: &NameParts, y: &NameParts| {
        x.core_keys.iter().enumerate().any(|(i, k)| {
            x.weights.get(i).copied().unwrap_or(1.0) >= OWN_WORD_WEIGHT
                && !y.core_keys.iter().any(|o| o.0 == k.0)
        })
    };
    own(&a.name, &b.name) && own(&b.name, &a.name)
}

/// Scores every pair of agents of the same kind, in parallel, keeping those at or above
/// [`KEEP_FLOOR`]. Pairs come out sorted by (a, b), so the result does not depend on thread timing.
pub fn score_all_pairs(
    features: &[Features],
    kinds: &[Kind],
    weights: &Weights,
) -> Vec<ScoredPair> {
    score_all_pairs_with_progress(features, kinds, weights, |_| {})
}

/// [`score_all_pairs`], calling `done(k)` as each agent's `k` pairs are scored.
pub fn score_all_pairs_with_progress(
    features: &[Features],
    kinds: &[Kind],
    weights: &Weights,
    done: impl Fn(u64) + Sync,
) -> Vec<ScoredPair> {
    let n = features.len();
    (0..n)
        .into_par_iter()
        .flat_map_iter(|a| {
            done((n - a - 1) as u64);
            let prepared = Prepared::new(&features[a]);
            (a + 1..n).filter_map(move |b| kept_pair(&prepared, features, kinds, weights, a, b))
        })
        .collect()
}

/// Scores the candidate pairs: `candidates[a]` lists the agents `b > a` to score against `a`.
/// Pairs come out sorted by (a, b), like [`score_all_pairs`].
pub fn score_candidate_pairs(
    features: &[Features],
    kinds: &[Kind],
    weights: &Weights,
    candidates: &[Vec<u32>],
) -> Vec<ScoredPair> {
    score_candidate_pairs_with_progress(features, kinds, weights, candidates, |_| {})
}

/// [`score_candidate_pairs`], calling `done(k)` as each agent's `k` candidates are scored.
pub fn score_candidate_pairs_with_progress(
    features: &[Features],
    kinds: &[Kind],
    weights: &Weights,
    candidates: &[Vec<u32>],
    done: impl Fn(u64) + Sync,
) -> Vec<ScoredPair> {
    candidates
        .par_iter()
        .enumerate()
        .flat_map_iter(|(a, bs)| {
            done(bs.len() as u64);
            // Built only for an agent with candidates: most have a few dozen.
            let prepared = (!bs.is_empty()).then(|| Prepared::new(&features[a]));
            bs.iter().enumerate().filter_map(move |(i, &b)| {
                // In a large library the candidates' features lie far apart in memory, and waiting
                // for them is most of a pair's cost: ask for the ones a few pairs ahead early.
                if let Some(&ahead) = bs.get(i + PREFETCH_AHEAD) {
                    prefetch(&features[ahead as usize]);
                }
                let prepared = prepared
                    .as_ref()
                    .expect("built for an agent with candidates");
                kept_pair(prepared, features, kinds, weights, a, b as usize)
            })
        })
        .collect()
}

/// The pair `(a, b)` scored, when both are of one kind and it scores at least [`KEEP_FLOOR`];
/// `prepared` is agent `a`'s.
fn kept_pair(
    prepared: &Prepared,
    features: &[Features],
    kinds: &[Kind],
    weights: &Weights,
    a: usize,
    b: usize,
) -> Option<ScoredPair> {
    if kinds[a] != kinds[b] {
        return None;
    }
    let score = score_prepared(prepared, &features[b], weights);
    (score.total >= KEEP_FLOOR).then_some(ScoredPair { a, b, score })
}

/// One agent laid out to be scored against many others: its body's terms and its blocks in open
/// hash tables, so that each other agent's lists are looked up (a few hundred independent probes)
/// instead of merged with its own (a chain of dependent steps, most of a pair's cost).
struct Prepared<'a> {
    features: &'a Features,
    body: TermTable,
    blocks: KeySet,
}

impl<'a> Prepared<'a> {
    fn new(features: &'a Features) -> Self {
        Prepared {
            features,
            body: TermTable::new(&features.body.0),
            blocks: KeySet::new(features.blocks.iter().map(|b| b.0)),
        }
    }
}

/// Slots per entry of [`TermTable`] and [`KeySet`], a power of two: sparse enough that most probes
/// end at their first slot.
const SLOTS_PER_ENTRY: usize = 8;

/// The slots for `len` entries, a power of two.
fn slot_count(len: usize) -> usize {
    (len * SLOTS_PER_ENTRY)
        .next_power_of_two()
        .max(SLOTS_PER_ENTRY)
}

/// A vector's weights by term, in an open hash table with linear probing. Terms are hashes
/// already: their low bits pick the slot.
struct TermTable {
    terms: Vec<Term>,
    weights: Vec<f32>,
    /// A term the vector lacks, marking empty slots.
    empty: Term,
    mask: usize,
    /// The vector's terms by their high bits: most terms of another vector are not in this one,
    /// and one bit read without a branch says so for nearly all of them.
    filter: HighBits,
}

/// A set of hashes kept as one bit per value of their high bits ([`HIGH_BITS`] of them): a hash
/// whose bit is clear is not in the set; one whose bit is set may be (about one in 64 that are not
/// share a bit with a vector of 256 terms).
struct HighBits(Vec<u64>);

/// How many high bits of a hash [`HighBits`] reads: 2^14 bits, 2 KB.
const HIGH_BITS: u32 = 14;

impl HighBits {
    fn new(hashes: impl Iterator<Item = u64>, width: u32) -> Self {
        let mut bits = vec![0u64; (1 << HIGH_BITS) / 64];
        for hash in hashes {
            let bit = Self::bit(hash, width);
            bits[bit / 64] |= 1 << (bit % 64);
        }
        HighBits(bits)
    }

    /// The bit of a hash `width` bits wide.
    fn bit(hash: u64, width: u32) -> usize {
        (hash >> (width - HIGH_BITS)) as usize
    }

    fn may_hold(&self, hash: u64, width: u32) -> bool {
        let bit = Self::bit(hash, width);
        self.0[bit / 64] >> (bit % 64) & 1 == 1
    }
}

impl TermTable {
    /// `vector` must be sorted by term with each term once, as a [`SparseVec`]'s is.
    fn new(vector: &[(Term, f32)]) -> Self {
        let empty = unused_key(vector.iter().map(|e| e.0 as u64)) as Term; // at most 2^32 terms
        let slots = slot_count(vector.len());
        let mut table = TermTable {
            terms: vec![empty; slots],
            weights: vec![0.0; slots],
            empty,
            mask: slots - 1,
            filter: HighBits::new(vector.iter().map(|e| e.0 as u64), Term::BITS),
        };
        for &(term, weight) in vector {
            let mut slot = term as usize & table.mask;
            while table.terms[slot] != empty {
                slot = (slot + 1) & table.mask;
            }
            table.terms[slot] = term;
            table.weights[slot] = weight;
        }
        table
    }

    fn weight(&self, term: Term) -> Option<f32> {
        let mut slot = term as usize & self.mask;
        loop {
            let found = self.terms[slot];
            if found == self.empty {
                return None;
            }
            if found == term {
                return Some(self.weights[slot]);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// [`SparseVec::cosine`] of the table's vector with `other`: the products of the shared terms
    /// added in the order of the terms, as the merge of the two lists adds them (the terms they do
    /// not share add 0.0 there, which changes no sum), so the figure is the same to the bit.
    fn cosine_with(&self, other: &SparseVec) -> f32 {
        const CHUNK: usize = 64;
        let mut dot = 0.0f32;
        let mut maybe = [0u8; CHUNK];
        for chunk in other.0.chunks(CHUNK) {
            // The terms this vector may hold, picked out without branches; then looked up, and
            // the products of those it holds added in order.
            let mut kept = 0;
            for (i, &(term, _)) in chunk.iter().enumerate() {
                maybe[kept] = i as u8;
                kept += self.filter.may_hold(term as u64, Term::BITS) as usize;
            }
            for &i in &maybe[..kept] {
                let (term, weight) = chunk[i as usize];
                if let Some(mine) = self.weight(term) {
                    dot += mine * weight;
                }
            }
        }
        dot.clamp(0.0, 1.0)
    }
}

/// A set of 64-bit keys (block hashes) in an open hash table with linear probing.
struct KeySet {
    keys: Vec<u64>,
    /// A key the set lacks, marking empty slots.
    empty: u64,
    mask: usize,
    /// The keys by their high bits (see [`TermTable::filter`]).
    filter: HighBits,
}

impl KeySet {
    fn new(keys: impl Iterator<Item = u64> + Clone) -> Self {
        let empty = unused_key(keys.clone());
        let slots = slot_count(keys.clone().count());
        let mut set = KeySet {
            keys: vec![empty; slots],
            empty,
            mask: slots - 1,
            filter: HighBits::new(keys.clone(), u64::BITS),
        };
        for key in keys {
            let mut slot = key as usize & set.mask;
            while set.keys[slot] != empty && set.keys[slot] != key {
                slot = (slot + 1) & set.mask;
            }
            set.keys[slot] = key;
        }
        set
    }

    fn contains(&self, key: u64) -> bool {
        let mut slot = key as usize & self.mask;
        loop {
            let found = self.keys[slot];
            if found == self.empty {
                return false;
            }
            if found == key {
                return true;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Whether any of `blocks` is in the set.
    fn shares_any(&self, blocks: &[(u64, f32)]) -> bool {
        blocks
            .iter()
            .any(|b| self.filter.may_hold(b.0, u64::BITS) && self.contains(b.0))
    }
}

/// The smallest value none of `keys` is (0 nearly always): of `n` keys, one of 0..=n is free.
fn unused_key(keys: impl Iterator<Item = u64> + Clone) -> u64 {
    let n = keys.clone().count() as u64;
    let mut used: Vec<u64> = keys.filter(|&k| k <= n).collect();
    used.sort_unstable();
    used.dedup();
    (0..=n)
        .find(|k| used.binary_search(k).is_err())
        .expect("n keys leave one of 0..=n free")
}

/// How many candidates ahead [`score_candidate_pairs`] asks for features.
const PREFETCH_AHEAD: usize = 4;

/// Hints the processor to fetch an agent's feature lists into cache, a 64-byte line at a time.
fn prefetch(f: &Features) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        fn lines<T>(list: &[T]) {
            let bytes = std::mem::size_of_val(list);
            for offset in (0..bytes).step_by(64) {
                // SAFETY: the address lies inside `list`; a prefetch is only a hint and never faults.
                unsafe { _mm_prefetch::<_MM_HINT_T0>((list.as_ptr() as *const i8).add(offset)) };
            }
        }
        lines(&f.name.core_keys);
        lines(&f.description.0);
        lines(&f.body.0);
        lines(&f.blocks);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = f;
}

/// Soft Jaccard over the role words of two names, each word weighted by what it says about its
/// agent's role ([`NameParts::weights`]; a word both names share counts with the higher of its two
/// weights): words count as one when equal, or when long and within a typo of each other
/// (`electorn` / `electron`). Filler words (`expert`, `pro`, `helper`) are left out: two agents
/// both called `helper` say nothing about doing the same job.
pub fn name_similarity(a: &NameParts, b: &NameParts) -> f32 {
    let (x, y) = (&a.core_keys, &b.core_keys);
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let weight = |parts: &NameParts, i: usize| parts.weights.get(i).copied().unwrap_or(1.0);
    let mut used = 0u64; // names have far fewer than 64 words; later ones are never matched
    let (mut shared, mut union) = (0.0f32, 0.0f32);
    for (i, key) in x.iter().enumerate() {
        let best = y
            .iter()
            .enumerate()
            .take(64)
            .filter(|(j, _)| used & (1 << j) == 0)
            .map(|(j, other)| {
                // Words are compared by their terms; only words that start alike are read, for a
                // typo. (Two different words sharing a 32-bit term is rare enough to ignore.)
                let sim = if key.0 == other.0 {
                    1.0
                } else if key.1.is_some() && key.1 == other.1 {
                    word_similarity(&a.core[i], &b.core[j])
                } else {
                    0.0
                };
                (j, sim)
            })
            .max_by(|p, q| p.1.total_cmp(&q.1).then(q.0.cmp(&p.0)));
        match best.filter(|&(_, sim)| sim > 0.0) {
            Some((j, sim)) => {
                used |= 1 << j;
                let w = weight(a, i).max(weight(b, j));
                shared += sim * w;
                union += (2.0 - sim) * w;
            }
            None => union += weight(a, i),
        }
    }
    union += (0..y.len().min(64))
        .filter(|j| used & (1 << j) == 0)
        .map(|j| weight(b, j))
        .sum::<f32>()
        + (64..y.len()).map(|j| weight(b, j)).sum::<f32>();
    if union > 0.0 {
        shared / union
    } else {
        0.0
    }
}

/// Name words match when equal, or when they start alike (the first [`TYPO_PREFIX`] letters) and
/// differ by at most two edits with a Jaro-Winkler similarity of 0.9 or more (`electorn`/`electron`,
/// `angular`/`angularjs`). The shared start keeps this cheap, and lets the candidate index find
/// such pairs by the prefix alone.
fn word_similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let starts_alike = a.len() >= TYPO_PREFIX
        && b.len() >= TYPO_PREFIX
        && a.len().abs_diff(b.len()) <= 2
        && a.chars().take(TYPO_PREFIX).eq(b.chars().take(TYPO_PREFIX));
    if !starts_alike || strsim::damerau_levenshtein(a, b) > 2 {
        return 0.0;
    }
    let jw = strsim::jaro_winkler(a, b) as f32;
    if jw >= 0.9 {
        jw
    } else {
        0.0
    }
}

/// Weighted Jaccard of the body blocks two agents share (each block weighted by its rarity).
fn shared_blocks(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j) = (0, 0);
    let (mut shared, mut total) = (0.0f32, 0.0f32);
    // Without branches, as in `SparseVec::cosine`; the sums are added in the same order.
    while i < a.len() && j < b.len() {
        let ((x, wx), (y, wy)) = (a[i], b[j]);
        total += if x <= y { wx } else { wy };
        shared += if x == y { wx } else { 0.0 };
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    total += a[i..].iter().map(|x| x.1).sum::<f32>() + b[j..].iter().map(|x| x.1).sum::<f32>();
    if total > 0.0 {
        shared / total
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::name_parts;

    #[test]
    fn same_role_different_titles_match_fully() {
        assert_eq!(
            name_similarity(&name_parts("python-pro"), &name_parts("python-expert")),
            1.0
        );
        assert_eq!(
            name_similarity(&name_parts("golang-pro"), &name_parts("go-developer")),
            1.0
        );
    }

    #[test]
    fn different_roles_sharing_a_prefix_of_letters_do_not_match() {
        assert_eq!(
            name_similarity(&name_parts("java-pro"), &name_parts("javascript-pro")),
            0.0
        );
        assert_eq!(
            name_similarity(&name_parts("ml-engineer"), &name_parts("mlops-engineer")),
            0.0
        );
    }

    #[test]
    fn names_of_only_title_words_say_nothing() {
        assert_eq!(
            name_similarity(&name_parts("helper"), &name_parts("helper")),
            0.0
        );
    }

    #[test]
    fn kin_words_of_one_kind_of_work_match_in_names() {
        let same = |a: &str, b: &str| name_similarity(&name_parts(a), &name_parts(b));
        assert_eq!(same("payments-scanner", "payments-auditor"), 1.0);
        assert_eq!(same("query-profiler", "query-tuning-expert"), 1.0);
        assert_eq!(same("Schema_Modeler", "schema-designer"), 1.0);
        assert_eq!(same("deps-updater", "dependency-updater"), 1.0);
        // Kin only within its kind of work; and two words of a phrase are one subject.
        assert!((same("payments-scanner", "payments-optimizer") - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(same("react-native-helper", "react-helper"), 0.0);
    }

    #[test]
    fn typos_in_long_words_still_match() {
        assert!(name_similarity(&name_parts("electorn-pro"), &name_parts("electron-pro")) > 0.9);
    }

    #[test]
    fn plugin_prefix_lowers_but_keeps_the_match() {
        let s = name_similarity(
            &name_parts("ci-tools-test-automator"),
            &name_parts("test-automator"),
        );
        assert!(s > 0.3 && s < 1.0, "{s}");
    }

    #[test]
    fn a_part_one_agent_lacks_neither_helps_nor_hurts() {
        use crate::normalize::SparseVec;
        let with = |description: SparseVec| Features {
            name: name_parts("python-pro"),
            description,
            body: SparseVec(vec![(1, 0.6), (2, 0.8)]),
            ..Features::default()
        };
        let described = with(SparseVec(vec![(7, 1.0)]));
        let undescribed = with(SparseVec::default());
        let s = score_pair(&described, &undescribed, &Weights::default());
        assert!(!s.counted.description && s.counted.name && s.counted.body);
        assert!(
            (s.total - 1.0).abs() < 1e-5,
            "name and body agree fully: {s:?}"
        );
        let both = score_pair(&described, &described, &Weights::default());
        assert!(both.counted.description && (both.total - 1.0).abs() < 1e-5);
    }

    #[test]
    fn siblings_naming_different_subjects_need_more_than_their_template() {
        use crate::normalize::SparseVec;
        let agent = |name: &str, collection: u32| Features {
            name: name_parts(name),
            description: SparseVec(vec![(1, 1.0)]),
            body: SparseVec(vec![(2, 1.0)]),
            collection,
            ..Features::default()
        };
        let w = Weights::default();
        let siblings = score_pair(
            &agent("netlify-deployer", 1),
            &agent("vercel-deployer", 1),
            &w,
        );
        let strangers = score_pair(
            &agent("netlify-deployer", 1),
            &agent("vercel-deployer", 2),
            &w,
        );
        assert!(siblings.siblings && !strangers.siblings);
        assert!((siblings.total - SIBLING_DISCOUNT * strangers.total).abs() < 1e-6);
        let narrower = score_pair(&agent("react", 1), &agent("react-component", 1), &w);
        assert!(
            !narrower.siblings,
            "one subject in more words is not two subjects"
        );
    }

    #[test]
    fn agents_naming_different_subjects_need_more_than_shared_role_words() {
        use crate::normalize::{hashed_terms, normalize_text, term_id, SparseVec};
        use crate::subjects::Subjects;
        let agent = |name: &str, description: &str, collection: u32| {
            let name = name_parts(name);
            let terms = hashed_terms(&normalize_text(description));
            Features {
                subjects: Subjects::of(&name.core, terms.into_iter().map(term_id)),
                name,
                description: SparseVec(vec![(1, 1.0)]),
                body: SparseVec(vec![(2, 1.0)]),
                collection,
                ..Features::default()
            }
        };
        let w = Weights::default();
        let general = agent("performance-optimizer", "Find bottlenecks.", 1);
        let go = agent("go-performance-optimizer", "Profile Go services.", 2);
        let plain = agent("performance-engineer", "Find bottlenecks.", 2);
        let narrower = score_pair(&general, &go, &w);
        let same = score_pair(&general, &plain, &w);
        assert!(narrower.different_subjects && !same.different_subjects);
        let undiscounted =
            (w.name * narrower.name + w.description + w.body) / (w.name + w.description + w.body);
        assert!((narrower.total - SUBJECT_DISCOUNT * undiscounted).abs() < 1e-6);
        // Siblings that also name different subjects get the stronger discount, once.
        let netlify = agent("netlify-deployer", "Deploys sites.", 1);
        let vercel = agent("vercel-deployer", "Deploys sites.", 1);
        let both = score_pair(&netlify, &vercel, &w);
        assert!(both.siblings && both.different_subjects);
        let undiscounted =
            (w.name * both.name + w.description + w.body) / (w.name + w.description + w.body);
        assert!((both.total - SUBJECT_DISCOUNT.min(SIBLING_DISCOUNT) * undiscounted).abs() < 1e-6);
    }

    #[test]
    fn a_word_that_marks_a_collection_counts_little() {
        let mut marked = name_parts("geepers-react");
        marked.weights = vec![0.2, 1.0];
        let plain = name_parts("react-specialist");
        assert!(name_similarity(&marked, &plain) > 0.8);
        assert!((name_similarity(&name_parts("geepers-react"), &plain) - 0.5).abs() < 1e-6);
    }

    /// Vectors and block lists drawn from small ranges (so that they share entries, and use the
    /// values a table could take for its empty mark), by a fixed pseudo-random sequence.
    fn random_features(seed: &mut u64) -> Features {
        let mut next = |range: u64| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 33) % range
        };
        let len = next(300) as usize;
        let spread = [4, 64, 600, 1 << 31][next(4) as usize];
        let mut terms: Vec<(Term, f32)> = (0..len)
            .map(|_| (next(spread) as Term, (next(1000) + 1) as f32 / 997.0))
            .collect();
        terms.sort_unstable_by_key(|t| t.0);
        terms.dedup_by_key(|t| t.0);
        let mut blocks: Vec<(u64, f32)> = (0..next(120))
            .map(|_| (next(spread * 2), (next(50) + 1) as f32 / 7.0))
            .collect();
        blocks.sort_unstable_by_key(|b| b.0);
        blocks.dedup_by_key(|b| b.0);
        Features {
            body: SparseVec(terms),
            blocks,
            ..Features::default()
        }
    }

    #[test]
    fn prepared_agents_score_as_pairs_do_to_the_bit() {
        let mut seed = 7;
        let agents: Vec<Features> = (0..60).map(|_| random_features(&mut seed)).collect();
        let weights = Weights::default();
        for a in &agents {
            let prepared = Prepared::new(a);
            for b in &agents {
                let (merged, looked_up) = (
                    score_pair(a, b, &weights),
                    score_prepared(&prepared, b, &weights),
                );
                assert_eq!(merged.body.to_bits(), looked_up.body.to_bits());
                assert_eq!(
                    merged.shared_lines.to_bits(),
                    looked_up.shared_lines.to_bits()
                );
                assert_eq!(format!("{merged:?}"), format!("{looked_up:?}"));
            }
        }
    }

    #[test]
    fn tables_mark_empty_slots_with_a_key_they_lack() {
        assert_eq!(unused_key([5u64, 9].into_iter()), 0);
        assert_eq!(unused_key([0u64, 1, 3].into_iter()), 2);
        assert_eq!(unused_key((0u64..64).into_iter()), 64);
        let table = TermTable::new(&[(0, 0.5), (1, 0.25), (2, 0.25)]);
        assert_eq!(table.empty, 3);
        assert_eq!(table.weight(0), Some(0.5));
        assert_eq!(table.weight(3), None);
        let set = KeySet::new([0u64, 2].into_iter());
        assert!(set.contains(0) && set.contains(2) && !set.contains(1));
    }

    #[test]
    fn shared_blocks_is_weighted_jaccard() {
        let a = vec![(1, 1.0), (2, 1.0)];
        let b = vec![(2, 1.0), (3, 2.0)];
        assert!((shared_blocks(&a, &b) - 0.25).abs() < 1e-6);
        assert_eq!(shared_blocks(&a, &a), 1.0);
    }
}
