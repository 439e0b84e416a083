//! Candidates: which pairs are worth scoring exactly.
//!
//! A small library is scored pair by pair. A large one cannot be: 100,000 agents make five billion
//! pairs. There each agent gets a handful of *keys*: the role words of its name, the heaviest words
//! of the role it declares, the heaviest terms of its description and of its body, and a bottom-k
//! sketch of its body blocks (copies share their smallest block hashes). An inverted index from key to agents then yields the pairs that share at
//! least two keys; keys held by too many agents say little and are skipped. Each agent keeps only
//! the candidates whose shared keys are rarest (top-k pruning). Only those pairs are scored.

use crate::model::Kind;
use crate::normalize::{Features, Term};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Up to this many agents every pair is scored; above it, the index picks the candidates.
pub const EXHAUSTIVE_UP_TO: usize = 500;
/// Terms of the description, and of the body, that become keys.
const DESCRIPTION_KEYS: usize = 8;
const BODY_KEYS: usize = 12;
/// The heaviest role words an agent declares ([`Features::role`]) that become keys: two agents
/// whose names differ (`cyber-sentinel`, `security-auditor`) but who declare one job share them.
const ROLE_KEYS: usize = 4;
const ROLE_TAG: u64 = 6;
/// Smallest block hashes kept as keys: near-copies share most of them. A block that is not
/// boilerplate stands in few files, so sharing one is enough to be scored.
const BLOCK_KEYS: usize = 8;
const BLOCK_KEY_WEIGHT: u32 = 2;
/// Pairs must share keys worth at least this much to be scored: two terms, or one role word of the
/// name (names carry the most signal: `python-pro` and `python-expert` may share little else).
const MIN_SHARED_WEIGHT: u32 = 2;
const NAME_KEY_WEIGHT: u32 = 2;
const NAME_TAG: u64 = 1;
const NAME_PREFIX_TAG: u64 = 5;

/// How the pairs to score were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Every pair of agents of the same kind.
    Exhaustive,
    /// Pairs sharing keys in the inverted index.
    Indexed,
}

/// The strategy for a library of `n` agents: exhaustive when small or when `force_exhaustive`.
pub fn strategy_for(n: usize, force_exhaustive: bool) -> Strategy {
    if force_exhaustive || n <= EXHAUSTIVE_UP_TO {
        Strategy::Exhaustive
    } else {
        Strategy::Indexed
    }
}

/// A key's posting list is skipped when it holds more agents than this. A key held by many times
/// more agents than one keeps as candidates cannot single out its duplicates, and a bound that does
/// not grow with the library keeps each agent's share of the work constant: the index then costs
/// time in proportion to the library, not to n·√n.
const MAX_POSTING: usize = 4 * TOP_K;

/// The keys of one agent. Each kind of key is salted so a name word never meets a body term.
fn keys(f: &Features, kind: Kind) -> Vec<(u64, u32)> {
    let salt = |tag: u64, h: u64| {
        h ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (kind as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
    };
    // Each name word, and the first letters of a long one: words that differ by a typo or a suffix
    // (`electorn`, `angularjs`) still match in the score when they start alike.
    let mut out: Vec<(u64, u32)> = Vec::new();
    for &(word, prefix) in &f.name.core_keys {
        out.push((salt(NAME_TAG, word as u64), NAME_KEY_WEIGHT));
        if let Some(prefix) = prefix {
            out.push((salt(NAME_PREFIX_TAG, prefix as u64), NAME_KEY_WEIGHT));
        }
    }
    out.extend(
        heaviest(&f.description.0, DESCRIPTION_KEYS)
            .into_iter()
            .map(|t| (salt(2, t), 1)),
    );
    out.extend(
        heaviest(&f.body.0, BODY_KEYS)
            .into_iter()
            .map(|t| (salt(3, t), 1)),
    );
    out.extend(
        heaviest(&f.role.0, ROLE_KEYS)
            .into_iter()
            .map(|t| (salt(ROLE_TAG, t), 1)),
    );
    let mut blocks: Vec<u64> = f.blocks.iter().map(|b| b.0).collect();
    blocks.sort_unstable();
    out.extend(
        blocks
            .into_iter()
            .take(BLOCK_KEYS)
            .map(|b| (salt(4, b), BLOCK_KEY_WEIGHT)),
    );
    out.sort_unstable();
    out.dedup_by_key(|k| k.0);
    out
}

fn heaviest(vector: &[(Term, f32)], k: usize) -> Vec<u64> {
    let mut v = vector.to_vec();
    let heavier = |a: &(Term, f32), b: &(Term, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // Only the `k` heaviest are ordered: a body has 256 terms, of which 12 become keys.
    if v.len() > k {
        v.select_nth_unstable_by(k, heavier);
        v.truncate(k);
    }
    v.sort_unstable_by(heavier);
    v.into_iter().map(|(t, _)| t as u64).collect()
}

/// Each agent keeps at most this many candidates, those sharing the most key weight, each shared key
/// counted by its rarity (ln of the library size over how many agents hold it): a near-copy or a
/// rewrite of one role shares more keys, and rarer ones, than the long tail of agents that merely
/// touch the same topic, and the tail grows with the library while copy groups do not. A pair is
/// scored when either side keeps the other.
const TOP_K: usize = 48;

/// For each agent `a`, the agents `b > a` to score against it: those sharing keys worth at least
/// [`MIN_SHARED_WEIGHT`] and among the [`TOP_K`] heaviest of `a` or of `b`, in order.
/// Copies of one definition (`first_copy`, see [`first_copies`]) are scored once, by their first
/// copy; each other copy only against its first copy.
pub fn indexed_candidates(
    features: &[Features],
    kinds: &[Kind],
    first_copy: &[u32],
) -> Vec<Vec<u32>> {
    indexed_candidates_with_progress(features, kinds, first_copy, || {})
}

/// [`indexed_candidates`], calling `done()` as each agent's candidates are chosen.
pub fn indexed_candidates_with_progress(
    features: &[Features],
    kinds: &[Kind],
    first_copy: &[u32],
    done: impl Fn() + Sync,
) -> Vec<Vec<u32>> {
    let copies = CopyGroups { first: first_copy };
    // Copies of one definition enter the index once, by their first copy: a definition copied
    // hundreds of times would otherwise put each of its keys over the posting cap, and no copy
    // would be proposed at all.
    let all_keys: Vec<Vec<(u64, u32)>> = features
        .par_iter()
        .zip(kinds.par_iter())
        .enumerate()
        .map(|(i, (f, &k))| {
            if copies.is_first(i) {
                keys(f, k)
            } else {
                Vec::new()
            }
        })
        .collect();
    let (postings, index) = inverted_index(&all_keys, MAX_POSTING);
    let n_plus_one = features.len() as f32 + 1.0;
    let kept: Vec<Vec<u32>> = all_keys
        .par_iter()
        .enumerate()
        .map_init(
            || SharedWeights::new(features.len()),
            |shared, (a, ks)| {
                for (k, weight) in ks {
                    let list = index.get(k).map_or(&[][..], |r| &postings[r.0..r.1]);
                    let rarity = *weight as f32 * (n_plus_one / list.len() as f32).ln();
                    for &b in list {
                        if b as usize != a {
                            shared.add(b, *weight, rarity);
                        }
                    }
                }
                done();
                shared.rarest(TOP_K)
            },
        )
        .collect();
    copies.link(either_side_keeps(kept))
}

/// Each agent's first copy: the lowest index holding its [`Features::copy_of`] in its scope (the
/// tool it is kept for: `scopes[i]`, agents of different tools are never clustered), itself when
/// it is the first or has no copies. Copies of one definition are scored once, by their first copy,
/// and share its result (see [`indexed_candidates`] and `cluster::group_with_copies`).
pub fn first_copies(features: &[Features], scopes: &[u32]) -> Vec<u32> {
    let mut first_of: FxHashMap<(u64, u32), u32> = FxHashMap::default();
    features
        .iter()
        .zip(scopes)
        .enumerate()
        .map(|(i, (f, &scope))| match f.copy_of {
            Some(fingerprint) => *first_of.entry((fingerprint, scope)).or_insert(i as u32),
            None => i as u32,
        })
        .collect()
}

/// Agents that are copies of one definition ([`Features::copy_of`]), by their first copy.
struct CopyGroups<'a> {
    /// Each agent's first copy (itself when it is the first or has none).
    first: &'a [u32],
}

impl CopyGroups<'_> {
    fn is_first(&self, i: usize) -> bool {
        self.first[i] as usize == i
    }

    /// The candidate pairs of first copies (as each agent's later agents), with every other copy
    /// paired with its first copy, which links the group. A copy is not paired with anything else:
    /// it shares its first copy's result (the clustering counts a pair of first copies for every
    /// pair of their copies), so a definition copied a hundred times costs a hundred pairs, not a
    /// hundred for each copy of every partner.
    fn link(&self, mut later: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
        for (copy, &first) in self.first.iter().enumerate() {
            if first as usize != copy {
                later[first as usize].push(copy as u32);
            }
        }
        later.par_iter_mut().for_each(|list| {
            list.sort_unstable();
            list.dedup();
        });
        later
    }
}

/// The agents of every key held by two to `limit` agents, key after key (each key's agents in
/// order), and where each key's agents lie in that list. The (key, agent) entries are sorted in
/// parallel, on all cores; only the agents are kept, a quarter of their room, for the rest of the
/// phase (at 100,000 agents, 3.6 million entries).
#[allow(clippy::type_complexity)]
fn inverted_index(
    all_keys: &[Vec<(u64, u32)>],
    limit: usize,
) -> (Vec<u32>, FxHashMap<u64, (usize, usize)>) {
    let mut entries: Vec<(u64, u32)> = all_keys
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, ks)| ks.iter().map(move |&(k, _)| (k, i as u32)))
        .collect();
    entries.par_sort_unstable();
    let mut index = FxHashMap::default();
    let mut agents = Vec::new();
    for list in entries.chunk_by(|x, y| x.0 == y.0) {
        // A key only one agent holds pairs it with no one: most block hashes and rare terms.
        if (2..=limit).contains(&list.len()) {
            index.insert(list[0].0, (agents.len(), agents.len() + list.len()));
            agents.extend(list.iter().map(|&(_, agent)| agent));
        }
    }
    (agents, index)
}

/// Key weight shared with each other agent, for one agent at a time: dense arrays, reset through
/// the list of entries they touched, so each agent costs only what it shares.
struct SharedWeights {
    /// The weight of the shared keys, for [`MIN_SHARED_WEIGHT`].
    weight: Vec<u32>,
    /// The same weighted by each key's rarity, for ranking.
    rarity: Vec<f32>,
    touched: Vec<u32>,
}

impl SharedWeights {
    fn new(n: usize) -> Self {
        SharedWeights {
            weight: vec![0; n],
            rarity: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, b: u32, weight: u32, rarity: f32) {
        let slot = &mut self.weight[b as usize];
        if *slot == 0 {
            self.touched.push(b);
        }
        *slot += weight;
        self.rarity[b as usize] += rarity;
    }

    /// The `k` agents sharing at least [`MIN_SHARED_WEIGHT`] whose shared keys are rarest in all
    /// (ties to the lower index), and a clean slate for the next agent.
    fn rarest(&mut self, k: usize) -> Vec<u32> {
        let mut found: Vec<(u32, u32, f32)> = self
            .touched
            .drain(..)
            .map(|b| {
                let i = b as usize;
                (
                    b,
                    std::mem::take(&mut self.weight[i]),
                    std::mem::take(&mut self.rarity[i]),
                )
            })
            .filter(|&(_, w, _)| w >= MIN_SHARED_WEIGHT)
            .collect();
        let rarer =
            |x: &(u32, u32, f32), y: &(u32, u32, f32)| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0));
        // Only the `k` kept are ordered: an agent touches hundreds.
        if found.len() > k {
            found.select_nth_unstable_by(k, rarer);
            found.truncate(k);
        }
        found.sort_unstable_by(rarer);
        // Collected from a borrow, into a list of its own length: collected from `found` itself
        // it would keep `found`'s allocation, as long as every agent touched, for each agent
        // (about 0.45 GB more at 100,000 real-sized agents).
        found.iter().map(|&(b, _, _)| b).collect()
    }
}

/// Pairs kept by either side, as each agent's list of later agents, sorted.
fn either_side_keeps(kept: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
    let mut later: Vec<Vec<u32>> = vec![Vec::new(); kept.len()];
    for (a, list) in kept.into_iter().enumerate() {
        for b in list {
            let (lo, hi) = ((a as u32).min(b), (a as u32).max(b));
            later[lo as usize].push(hi);
        }
    }
    later.par_iter_mut().for_each(|list| {
        list.sort_unstable();
        list.dedup();
    });
    later
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarest_keeps_the_rarest_shared_and_resets() {
        let mut shared = SharedWeights::new(7);
        for (b, w, r) in [
            (1, 1, 9.0),
            (2, 5, 5.0),
            (3, 2, 2.0),
            (4, 2, 2.0),
            (5, 1, 1.0),
            (5, 1, 1.0),
            (6, 2, 6.0),
        ] {
            shared.add(b, w, r);
        }
        // 1 shares too little weight however rare; 6 shares rarer keys than 2 though fewer; ties go
        // to the lower index.
        assert_eq!(shared.rarest(3), vec![6, 2, 3]);
        assert_eq!(shared.rarest(3), Vec::<u32>::new(), "the slate is clean");
    }

    #[test]
    fn the_index_holds_keys_two_to_limit_agents_hold() {
        // Key 7 is held by agents 0..=3, key 8 by 0 and 2, key 9 by agent 1 alone.
        let all_keys = vec![
            vec![(7, 1), (8, 1)],
            vec![(7, 1), (9, 1)],
            vec![(7, 1), (8, 1)],
            vec![(7, 1)],
        ];
        let agents_of = |limit: usize, key: u64| {
            let (agents, index) = inverted_index(&all_keys, limit);
            index
                .get(&key)
                .map(|&(start, end)| agents[start..end].to_vec())
        };
        assert_eq!(agents_of(4, 7), Some(vec![0, 1, 2, 3]));
        assert_eq!(agents_of(4, 8), Some(vec![0, 2]));
        assert_eq!(agents_of(4, 9), None, "one agent alone makes no pair");
        assert_eq!(agents_of(3, 7), None, "held by more agents than the limit");
        assert_eq!(agents_of(3, 8), Some(vec![0, 2]));
    }

    #[test]
    fn a_pair_kept_by_either_side_is_scored_once() {
        // 0 keeps 2; 2 keeps 0 and 1; 1 keeps nothing.
        let kept = vec![vec![2], vec![], vec![0, 1]];
        assert_eq!(either_side_keeps(kept), vec![vec![2], vec![2], vec![]]);
    }
}
