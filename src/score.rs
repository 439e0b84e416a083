//! Score: pairs of agents → how alike they are, part by part.
//!
//! The name says which role an agent plays, the description when to call it, the body how it works.
//! Each part gives a similarity in 0..=1 and the total is their weighted sum, raised to the share of
//! body blocks the two have in common when that is higher (a copy is a duplicate whatever its name).
//! strsim is used only on short strings: the words of names.

use crate::model::{Kind, ScoreBreakdown, ScoredPair};
use crate::normalize::{Features, NameParts, TYPO_PREFIX};
use rayon::prelude::*;

/// How much each part counts towards the total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub name: f32,
    pub description: f32,
    pub body: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            name: 0.35,
            description: 0.35,
            body: 0.30,
        }
    }
}

/// Pairs scoring below this are not kept: they could never join a cluster.
pub const KEEP_FLOOR: f32 = 0.15;

/// Scores one pair.
pub fn score_pair(a: &Features, b: &Features, weights: &Weights) -> ScoreBreakdown {
    let name = name_similarity(&a.name, &b.name);
    let description = a.description.cosine(&b.description);
    let body = a.body.cosine(&b.body);
    // Copies of one definition share every block, even where so many copies make their blocks
    // boilerplate that no shared block is counted.
    let shared_lines = if a.same_copy(b) {
        1.0
    } else {
        shared_blocks(&a.blocks, &b.blocks)
    };
    let weighted = weights.name * name + weights.description * description + weights.body * body;
    let total_weight = weights.name + weights.description + weights.body;
    ScoreBreakdown {
        name,
        description,
        body,
        shared_lines,
        boilerplate: (a.boilerplate_share + b.boilerplate_share) / 2.0,
        total: (weighted / total_weight).max(shared_lines),
    }
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
            (a + 1..n).filter_map(move |b| kept_pair(features, kinds, weights, a, b))
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
            bs.iter().enumerate().filter_map(move |(i, &b)| {
                // In a large library the candidates' features lie far apart in memory, and waiting
                // for them is most of a pair's cost: ask for the ones a few pairs ahead early.
                if let Some(&ahead) = bs.get(i + PREFETCH_AHEAD) {
                    prefetch(&features[ahead as usize]);
                }
                kept_pair(features, kinds, weights, a, b as usize)
            })
        })
        .collect()
}

/// The pair `(a, b)` scored, when both are of one kind and it scores at least [`KEEP_FLOOR`].
fn kept_pair(
    features: &[Features],
    kinds: &[Kind],
    weights: &Weights,
    a: usize,
    b: usize,
) -> Option<ScoredPair> {
    if kinds[a] != kinds[b] {
        return None;
    }
    let score = score_pair(&features[a], &features[b], weights);
    (score.total >= KEEP_FLOOR).then_some(ScoredPair { a, b, score })
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

/// Soft Jaccard over the role words of two names: words count as one when equal, or when long and
/// within a typo of each other (`electorn` / `electron`). Title words (`expert`, `pro`, `helper`) are
/// left out: two agents both called `helper` say nothing about doing the same job.
pub fn name_similarity(a: &NameParts, b: &NameParts) -> f32 {
    let (x, y) = (&a.core_keys, &b.core_keys);
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let mut used = 0u64; // names have far fewer than 64 words; later ones are never matched
    let mut matches = 0.0f32;
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
            .max_by(|p, q| p.1.total_cmp(&q.1));
        if let Some((j, sim)) = best.filter(|&(_, sim)| sim > 0.0) {
            used |= 1 << j;
            matches += sim;
        }
    }
    matches / (x.len() as f32 + y.len() as f32 - matches)
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
    fn shared_blocks_is_weighted_jaccard() {
        let a = vec![(1, 1.0), (2, 1.0)];
        let b = vec![(2, 1.0), (3, 2.0)];
        assert!((shared_blocks(&a, &b) - 0.25).abs() < 1e-6);
        assert_eq!(shared_blocks(&a, &a), 1.0);
    }
}
