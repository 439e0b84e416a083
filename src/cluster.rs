//! Cluster: scored pairs → groups of agents that do the same job.
//!
//! Average-linkage agglomerative clustering: the two groups whose members are most alike *on
//! average* are joined first, and joining stops when no two groups are alike enough. Pairs that were
//! never scored (too different) count as 0, so one strong link cannot chain unrelated agents together
//! the way single linkage would.
//!
//! One rule widens that, for roles many people wrote independently (ten security auditors from ten
//! collections): each file agrees with most of the others, but a few outliers with weak links pull
//! the mean of a large group under the threshold. Two groups also join when at least half of the
//! pairs between them score the threshold, their mean is not far below it ([`MAJORITY_FLOOR`]),
//! and no pair between them was discounted as siblings of one collection or as naming different
//! subjects: a majority of strong links, not a chain of one.

use crate::model::{AgentFile, Cluster, ScoredPair, Tier};
use crate::normalize::{term_text, top_terms, Features, Term};
use crate::score::{score_pair, Weights};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Groups join while the mean score between their members is at least this.
    pub threshold: f32,
    /// A cluster is a `copy` when every pair shares at least this share of its body blocks.
    pub copy_threshold: f32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            threshold: 0.33,
            copy_threshold: 0.70,
        }
    }
}

/// Two groups whose mean link is under the threshold still join when at least this share of the
/// pairs between them score the threshold (and the rest of the rule holds; see the module
/// documentation).
pub const MAJORITY_SHARE: f32 = 0.5;

/// ... and when their mean link is at least this share of the threshold.
pub const MAJORITY_FLOOR: f32 = 0.75;

/// A candidate join in the queue: the mean link between two groups when it was computed.
#[derive(PartialEq)]
struct Join {
    mean: f32,
    a: usize,
    b: usize,
    sizes: (usize, usize),
}

impl Eq for Join {}

impl Ord for Join {
    fn cmp(&self, other: &Self) -> Ordering {
        // Highest mean first; on a tie the lower ids, so the result never depends on hash order.
        self.mean
            .total_cmp(&other.mean)
            .then_with(|| (other.a, other.b).cmp(&(self.a, self.b)))
    }
}

/// Near-verbatim copies: files linked, directly or through each other, by pairs sharing at least
/// `threshold` of their body blocks. Returns each file's group and the groups' members.
pub fn copy_groups(
    n: usize,
    pairs: &[ScoredPair],
    threshold: f32,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    connected(
        n,
        pairs
            .iter()
            .filter(|p| p.score.shared_lines >= threshold)
            .map(|p| (p.a, p.b)),
    )
}

/// The connected components of `n` nodes under `links`: each node's component, and the
/// components' members in index order, components numbered in order of their first member.
fn connected(
    n: usize,
    links: impl Iterator<Item = (usize, usize)>,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut parent: Vec<usize> = (0..n).collect();
    for (a, b) in links {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    // A root is the smallest index of its component, so components appear in order of first member.
    let mut node_of = vec![0; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut node_of_root = vec![usize::MAX; n];
    for i in 0..n {
        let r = root(&mut parent, i);
        if node_of_root[r] == usize::MAX {
            node_of_root[r] = members.len();
            members.push(Vec::new());
        }
        node_of[i] = node_of_root[r];
        members[node_of[i]].push(i);
    }
    (node_of, members)
}

impl PartialOrd for Join {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Groups `n` agents from their scored pairs. Returns only groups of two or more, each with its
/// members in index order, and the groups in order of their first member.
///
/// A mean is never above its largest term, and the majority rule needs pairs at the threshold, so
/// two groups can only join when some pair between them scores at least the threshold (or is a
/// copy, which joins first whatever the threshold). Clusters
/// therefore never straddle the components of that graph: each component is grouped on its own,
/// in parallel, from its own pairs, and the agents that no such pair reaches cost nothing.
pub fn group(n: usize, pairs: &[ScoredPair], options: &ClusterOptions) -> Vec<Vec<usize>> {
    let first_copy: Vec<u32> = (0..n as u32).collect();
    group_with_copies(n, pairs, &first_copy, options)
}

/// [`group`] for a library whose copies of one definition were scored once, by their first copy
/// (`first_copy[i]`, see `candidates::first_copies`), each copy scored only against its first:
/// a pair between copies of two definitions stands for every pair of their copies that was not
/// scored, so the mean link between the two is what scoring every pair would give when the copies
/// are alike in all but their paths.
pub fn group_with_copies(
    n: usize,
    pairs: &[ScoredPair],
    first_copy: &[u32],
    options: &ClusterOptions,
) -> Vec<Vec<usize>> {
    let stands_for = stands_for(pairs, first_copy);
    let could_join = |p: &&ScoredPair| {
        p.score.total >= options.threshold || p.score.shared_lines >= options.copy_threshold
    };
    let (component_of, components) =
        connected(n, pairs.iter().filter(could_join).map(|p| (p.a, p.b)));
    // Each agent's number within its component; that numbering keeps the global order, so ties
    // break the same way whichever component an agent is in.
    let mut local = vec![0u32; n];
    for members in &components {
        for (i, &m) in members.iter().enumerate() {
            local[m] = i as u32;
        }
    }
    let mut pairs_of: Vec<Vec<u32>> = vec![Vec::new(); components.len()];
    for (i, p) in pairs.iter().enumerate() {
        let c = component_of[p.a];
        if c == component_of[p.b] && components[c].len() > 1 {
            pairs_of[c].push(i as u32);
        }
    }
    let groups: Vec<Vec<usize>> = components
        .into_par_iter()
        .zip(pairs_of.into_par_iter())
        .filter(|(members, _)| members.len() > 1)
        .flat_map_iter(|(members, own)| {
            let links = own.iter().map(|&i| {
                let p = &pairs[i as usize];
                Link {
                    a: local[p.a] as usize,
                    b: local[p.b] as usize,
                    total: p.score.total,
                    shared: p.score.shared_lines,
                    discounted: p.score.siblings || p.score.different_subjects,
                    stands_for: stands_for.get(&(i as usize)).copied().unwrap_or(1.0),
                }
            });
            agglomerate(members.len(), links, options)
                .into_iter()
                .map(move |g| g.into_iter().map(|i| members[i]).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
        .collect();
    in_order(groups)
}

/// For each scored pair between copies of two definitions (a first copy's group of one or more)
/// that stands for more than itself, how many pairs of agents it stands for: the pairs between the
/// two groups over the pairs scored between them. Pairs not listed stand for themselves (1), as
/// every pair does when no agent has copies or every pair was scored.
fn stands_for(pairs: &[ScoredPair], first_copy: &[u32]) -> HashMap<usize, f32> {
    let mut copies = vec![0u32; first_copy.len()];
    for &first in first_copy {
        copies[first as usize] += 1;
    }
    let between = |p: &ScoredPair| {
        let (x, y) = (first_copy[p.a], first_copy[p.b]);
        let has_copies = copies[x as usize] > 1 || copies[y as usize] > 1;
        (x != y && has_copies).then_some((x.min(y), x.max(y)))
    };
    let mut scored: HashMap<(u32, u32), u32> = HashMap::new();
    for p in pairs {
        if let Some(groups) = between(p) {
            *scored.entry(groups).or_insert(0) += 1;
        }
    }
    pairs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (x, y) = between(p)?;
            let all = copies[x as usize] as f32 * copies[y as usize] as f32;
            Some((i, all / scored[&(x, y)] as f32))
        })
        .filter(|&(_, times)| times != 1.0)
        .collect()
}

/// The groups of two or more, each with its members in index order, in order of first member.
fn in_order(groups: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    groups.sort();
    groups
}

/// A scored pair as the agglomeration needs it, in a component's own numbering.
#[derive(Debug, Clone, Copy)]
struct Link {
    a: usize,
    b: usize,
    total: f32,
    shared: f32,
    /// The pair's score was discounted (siblings, or different subjects named).
    discounted: bool,
    /// How many pairs of agents the link stands for (see [`group_with_copies`]).
    stands_for: f32,
}

/// What a group's row holds about one neighbouring group: the links between them summed, as
/// [`agglomerate`] counts them (each pair of copy groups once).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The neighbour, as numbered when the entry was written.
    group: usize,
    /// The summed score.
    sum: f32,
    /// The summed count of pairs scoring at least the threshold.
    strong: f32,
    /// Whether any pair between the two was discounted.
    discounted: bool,
}

impl Entry {
    /// The priority of joining two groups of `weights` copy groups each, when they may join: their
    /// mean link (see the module documentation for when a mean under the threshold may join).
    fn join(&self, weights: usize, options: &ClusterOptions) -> Option<f32> {
        let mean = self.sum / weights as f32;
        let majority = !self.discounted
            && self.strong / weights as f32 >= MAJORITY_SHARE
            && mean >= MAJORITY_FLOOR * options.threshold;
        (mean >= options.threshold || majority).then_some(mean)
    }
}

/// Average-linkage agglomeration of `n` agents from their links (see [`group`]): every group made,
/// singletons included, in no particular order.
///
/// Near-verbatim copies are joined first and then act as one voice: a file copied into six plugin
/// folders should not outvote five agents written independently when the mean link is taken.
///
/// Each group keeps one row: the summed link to every neighbouring group (with the count of strong
/// links and whether any was discounted, for the majority rule), as that group was
/// numbered when the entry was written. Joining two groups concatenates their rows and folds the
/// entries whose groups have since merged (found through `parent`); a neighbour's own row is left
/// as it is until that neighbour joins something. Every pair's score sits in the rows of both its
/// groups, so a freshly folded row holds exact sums without touching any other row.
fn agglomerate(
    n: usize,
    links: impl Iterator<Item = Link> + Clone,
    options: &ClusterOptions,
) -> Vec<Vec<usize>> {
    let (node_of, mut members) = connected(
        n,
        links
            .clone()
            .filter(|l| l.shared >= options.copy_threshold)
            .map(|l| (l.a, l.b)),
    );
    let m = members.len();
    // `weight` is how many copy groups a group holds; a row entry is the sum, over pairs of copy
    // groups, of their mean pair score.
    let mut weight = vec![1usize; m];
    let mut degree = vec![0usize; m];
    for l in links.clone() {
        let (x, y) = (node_of[l.a], node_of[l.b]);
        if x != y {
            degree[x] += 1;
            degree[y] += 1;
        }
    }
    let mut rows: Vec<Vec<Entry>> = degree.into_iter().map(Vec::with_capacity).collect();
    for l in links {
        let (x, y) = (node_of[l.a], node_of[l.b]);
        if x != y {
            let pairs = (members[x].len() * members[y].len()) as f32;
            let entry = |group| Entry {
                group,
                sum: l.total * l.stands_for / pairs,
                strong: (l.total >= options.threshold) as u8 as f32 * l.stands_for / pairs,
                discounted: l.discounted,
            };
            rows[x].push(entry(y));
            rows[y].push(entry(x));
        }
    }
    let mut parent: Vec<usize> = (0..m).collect();
    let mut queue = BinaryHeap::new();
    for (x, row) in rows.iter_mut().enumerate() {
        *row = folded(std::mem::take(row), x, &mut parent);
        for e in row.iter().filter(|e| e.group > x) {
            if let Some(mean) = e.join(1, options) {
                queue.push(Join {
                    mean,
                    a: x,
                    b: e.group,
                    sizes: (1, 1),
                });
            }
        }
    }
    while let Some(join) = queue.pop() {
        let (a, b) = (join.a, join.b);
        if parent[a] != a || parent[b] != b || join.sizes != (weight[a], weight[b]) {
            continue; // stale: one side has grown or gone since this was queued
        }
        // Join b into a.
        parent[b] = a;
        let moved = std::mem::take(&mut members[b]);
        members[a].extend(moved);
        weight[a] += weight[b];
        let mut row = std::mem::take(&mut rows[a]);
        row.append(&mut rows[b]);
        rows[a] = folded(row, a, &mut parent);
        for e in &rows[a] {
            let k = e.group;
            if let Some(mean) = e.join(weight[a] * weight[k], options) {
                let (lo, hi) = (a.min(k), a.max(k));
                queue.push(Join {
                    mean,
                    a: lo,
                    b: hi,
                    sizes: (weight[lo], weight[hi]),
                });
            }
        }
    }
    members
}

/// A group's row with every entry renamed to the group its neighbour now belongs to, entries for
/// the same group summed (in row order, so sums never depend on anything but the input) and the
/// group's own entries dropped. Sorted by neighbour.
fn folded(mut row: Vec<Entry>, own: usize, parent: &mut [usize]) -> Vec<Entry> {
    for entry in &mut row {
        entry.group = root(parent, entry.group);
    }
    row.retain(|e| e.group != own);
    row.sort_by_key(|e| e.group); // stable: equal neighbours keep their order
    row.dedup_by(|later, kept| {
        let same = later.group == kept.group;
        if same {
            kept.sum += later.sum;
            kept.strong += later.strong;
            kept.discounted |= later.discounted;
        }
        same
    });
    row
}

/// The group `x` now belongs to, halving the path on the way.
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Clusters the agents and describes each cluster: representative, tier, score range, shared terms.
/// `first_copy` says which agents are copies scored by their first copy (see
/// [`group_with_copies`]).
pub fn cluster(
    agents: &[AgentFile],
    features: &[Features],
    pairs: &[ScoredPair],
    first_copy: &[u32],
    options: &ClusterOptions,
) -> Vec<Cluster> {
    let groups = group_with_copies(agents.len(), pairs, first_copy, options);
    // Hand each group only its own pairs: one pass over all pairs, not one per group.
    let mut group_of = vec![usize::MAX; agents.len()];
    for (g, members) in groups.iter().enumerate() {
        members.iter().for_each(|&m| group_of[m] = g);
    }
    let mut pairs_of: Vec<Vec<ScoredPair>> = vec![Vec::new(); groups.len()];
    for p in pairs {
        if group_of[p.a] != usize::MAX && group_of[p.a] == group_of[p.b] {
            pairs_of[group_of[p.a]].push(*p);
        }
    }
    groups
        .into_par_iter()
        .zip(pairs_of.into_par_iter())
        .map(|(members, own)| describe_group(members, &own, features, options))
        .collect()
}

/// Describes a group of agents (indices in order): its representative, tier, score range and shared
/// terms. Pairs of members missing from `pairs` count as scoring 0, except pairs of copies of one
/// definition ([`Features::same_copy`]), which a large library does not score one by one (see
/// `candidates`) and which count as what they would score: 1, sharing every block.
///
/// The work grows with the members and their pairs, not with the square of the members: a library
/// may hold thousands of copies of one file.
pub fn describe_group(
    members: Vec<usize>,
    pairs: &[ScoredPair],
    features: &[Features],
    options: &ClusterOptions,
) -> Cluster {
    let scores: HashMap<(usize, usize), &ScoredPair> = pairs
        .iter()
        .filter(|p| members.binary_search(&p.a).is_ok() && members.binary_search(&p.b).is_ok())
        .map(|p| ((p.a.min(p.b), p.a.max(p.b)), p))
        .collect();
    let lookup = |a: usize, b: usize| scores.get(&(a.min(b), a.max(b))).copied();
    let copies = |a: usize, b: usize| features[a].same_copy(&features[b]);
    let unscored = UnscoredPairs::count(&members, scores.values().copied(), features);
    let shared = SharedResults::of(&members, scores.values().copied(), features);
    let mut min_score = f32::MAX;
    let mut max_score = 0.0f32;
    let mut min_shared = f32::MAX;
    for p in scores.values() {
        min_score = min_score.min(p.score.total);
        max_score = max_score.max(p.score.total);
        min_shared = min_shared.min(p.score.shared_lines);
    }
    // Pairs standing for others (`shared`) count as the mean of those: within the range already.
    let others = unscored.others - shared.pairs;
    for (count, score) in [(unscored.copies, 1.0), (others, 0.0)] {
        if count > 0 {
            min_score = min_score.min(score);
            max_score = max_score.max(score);
            min_shared = min_shared.min(score);
        }
    }
    // The medoid: the member with the highest summed score to all others.
    let local: HashMap<usize, usize> = members.iter().enumerate().map(|(i, &m)| (m, i)).collect();
    let mut links: Vec<Vec<(usize, f32)>> = vec![Vec::new(); members.len()];
    for p in scores.values() {
        let (a, b) = (local[&p.a], local[&p.b]);
        links[a].push((b, p.score.total));
        links[b].push((a, p.score.total));
    }
    let mut sums: Vec<f32> = links
        .iter_mut()
        .enumerate()
        .map(|(i, row)| {
            row.sort_by_key(|l| l.0); // summed in member order, whatever the order of `pairs`
            let scored: f32 = row.iter().map(|l| l.1).sum();
            scored + unscored.copies_of[i] as f32 + shared.sums[i]
        })
        .collect();
    for (i, stand_in) in shared.stand_in.iter().enumerate() {
        if let Some(j) = *stand_in {
            sums[i] = sums[j];
        }
    }
    let representative = members[(0..members.len())
        .max_by(|&x, &y| {
            // On a tie (always so with two members) the fuller body, then the first path.
            sums[x]
                .total_cmp(&sums[y])
                .then(
                    features[members[x]]
                        .body_len
                        .cmp(&features[members[y]].body_len),
                )
                .then(y.cmp(&x))
        })
        .expect("a cluster has members")];
    let tier = if min_shared >= options.copy_threshold {
        Tier::Copy
    } else {
        Tier::Variant
    };
    let mut member_pairs: Vec<ScoredPair> = scores.values().map(|p| **p).collect();
    // Every member's score to the representative is reported: a copy of it left unscored, or a
    // copy scored only by its first copy (`stand_in`), gets its score, scored now.
    for (i, &m) in members.iter().enumerate() {
        let scored_by_its_first = shared.stand_in[i].is_some();
        if m != representative
            && lookup(m, representative).is_none()
            && (copies(m, representative) || scored_by_its_first)
        {
            member_pairs.push(ScoredPair {
                a: m.min(representative),
                b: m.max(representative),
                score: score_pair(&features[m], &features[representative], &Weights::default()),
            });
        }
    }
    member_pairs.sort_by_key(|p| (p.a, p.b));
    let copy_groups = copies_within(&members, &member_pairs, options.copy_threshold);
    Cluster {
        pairs: member_pairs,
        shared_terms: shared_terms(&members, features),
        copy_groups,
        members,
        representative,
        tier,
        min_score,
        max_score,
    }
}

/// How many pairs of a group's members were not scored, copies of one definition and others, and
/// for each member, how many of its copies it was not scored against.
struct UnscoredPairs {
    copies: usize,
    others: usize,
    copies_of: Vec<usize>,
}

impl UnscoredPairs {
    fn count<'a>(
        members: &[usize],
        scored: impl Iterator<Item = &'a ScoredPair>,
        features: &[Features],
    ) -> UnscoredPairs {
        let mut class_size: HashMap<u64, usize> = HashMap::new();
        for &m in members {
            if let Some(class) = features[m].copy_of {
                *class_size.entry(class).or_insert(0) += 1;
            }
        }
        let local: HashMap<usize, usize> =
            members.iter().enumerate().map(|(i, &m)| (m, i)).collect();
        let mut copies_of: Vec<usize> = members
            .iter()
            .map(|&m| {
                features[m]
                    .copy_of
                    .map_or(0, |class| class_size[&class] - 1)
            })
            .collect();
        let mut scored_pairs = 0;
        let mut scored_copies = 0;
        for p in scored {
            scored_pairs += 1;
            if features[p.a].same_copy(&features[p.b]) {
                scored_copies += 1;
                copies_of[local[&p.a]] -= 1;
                copies_of[local[&p.b]] -= 1;
            }
        }
        let pairs_of = |n: usize| n * n.saturating_sub(1) / 2;
        let copy_pairs: usize = class_size.values().map(|&n| pairs_of(n)).sum();
        let copies = copy_pairs - scored_copies;
        UnscoredPairs {
            copies,
            others: pairs_of(members.len()) - scored_pairs - copies,
            copies_of,
        }
    }
}

/// The pairs of a group's members that were not scored because copies of one definition were
/// scored once (see [`group_with_copies`]): between the copies of two definitions of which some
/// pair was scored, every pair not scored counts as the mean of those scored. `pairs` is how many
/// such pairs there are, `sums[i]` what they add to member `i`'s summed score (0 where all were
/// scored, so the exhaustive path is left as it is). A copy scored against nothing outside its
/// copies stands in for the member of its copies that was (`stand_in[i]`): it has that member's
/// summed score, exactly, so that ties between copies go to the first.
struct SharedResults {
    pairs: usize,
    sums: Vec<f32>,
    stand_in: Vec<Option<usize>>,
}

impl SharedResults {
    fn of<'a>(
        members: &[usize],
        scored: impl Iterator<Item = &'a ScoredPair>,
        features: &[Features],
    ) -> SharedResults {
        // Each member's copy group, numbered by its first member, and the groups' members.
        let mut first_of: HashMap<u64, usize> = HashMap::new();
        let mut class = vec![0usize; members.len()];
        let mut of_class: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
        for (i, &m) in members.iter().enumerate() {
            class[i] = features[m]
                .copy_of
                .map_or(i, |c| *first_of.entry(c).or_insert(i));
            of_class[class[i]].push(i);
        }
        let mut result = SharedResults {
            pairs: 0,
            sums: vec![0.0; members.len()],
            stand_in: vec![None; members.len()],
        };
        if first_of.is_empty() {
            return result;
        }
        let local: HashMap<usize, usize> =
            members.iter().enumerate().map(|(i, &m)| (m, i)).collect();
        let mut scored: Vec<(usize, usize, f32)> = scored
            .map(|p| (local[&p.a], local[&p.b], p.score.total))
            .filter(|&(a, b, _)| class[a] != class[b])
            .collect();
        scored.sort_by_key(|&(a, b, _)| (a, b)); // summed in one order, whatever the pairs' order
                                                 // Between each two groups: pairs scored and their sum; and each member's pairs scored with
                                                 // each other group.
        let mut between: std::collections::BTreeMap<(usize, usize), (usize, f32)> =
            Default::default();
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        let mut outside = vec![0usize; members.len()];
        for &(a, b, total) in &scored {
            outside[a] += 1;
            outside[b] += 1;
            let (x, y) = (class[a].min(class[b]), class[a].max(class[b]));
            let entry = between.entry((x, y)).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 += total;
            *seen.entry((a, class[b])).or_insert(0) += 1;
            *seen.entry((b, class[a])).or_insert(0) += 1;
        }
        for ((x, y), (count, sum)) in between {
            let all = of_class[x].len() * of_class[y].len();
            if count == all {
                continue;
            }
            result.pairs += all - count;
            let mean = sum / count as f32;
            for (own, other) in [(x, y), (y, x)] {
                for &i in &of_class[own] {
                    let missing = of_class[other].len() - seen.get(&(i, other)).unwrap_or(&0);
                    result.sums[i] += missing as f32 * mean;
                    if missing > 0 && outside[i] == 0 {
                        result.stand_in[i] =
                            of_class[own].iter().copied().find(|&j| outside[j] > 0);
                    }
                }
            }
        }
        result
    }
}

/// The near-verbatim copy groups (two or more files) among `members`, each in index order.
fn copies_within(members: &[usize], pairs: &[ScoredPair], threshold: f32) -> Vec<Vec<usize>> {
    let local: HashMap<usize, usize> = members.iter().enumerate().map(|(i, &m)| (m, i)).collect();
    let renumbered: Vec<ScoredPair> = pairs
        .iter()
        .map(|p| ScoredPair {
            a: local[&p.a],
            b: local[&p.b],
            score: p.score,
        })
        .collect();
    let (_, groups) = copy_groups(members.len(), &renumbered, threshold);
    let mut out: Vec<Vec<usize>> = groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|g| g.into_iter().map(|i| members[i]).collect())
        .collect();
    out.sort();
    out
}

/// Terms heavy in at least half of the members, heaviest first: what the cluster is about.
fn shared_terms(members: &[usize], features: &[Features]) -> Vec<String> {
    let mut weight: HashMap<Term, (usize, f32)> = HashMap::new();
    for &m in members {
        for (t, w) in top_terms(&features[m], 40) {
            let e = weight.entry(t).or_insert((0, 0.0));
            e.0 += 1;
            e.1 += w;
        }
    }
    let needed = members.len().div_ceil(2).max(2);
    let mut common: Vec<(Term, usize, f32)> = weight
        .into_iter()
        .filter(|(_, (n, _))| *n >= needed)
        .map(|(t, (n, w))| (t, n, w))
        .collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
    common.truncate(8);
    common
        .into_iter()
        .filter_map(|(t, _, _)| term_text(t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ScoreBreakdown;

    fn opts(threshold: f32) -> ClusterOptions {
        ClusterOptions {
            threshold,
            copy_threshold: 0.7,
        }
    }

    fn copy(a: usize, b: usize) -> ScoredPair {
        ScoredPair {
            a,
            b,
            score: ScoreBreakdown {
                total: 1.0,
                shared_lines: 1.0,
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_pair_of_first_copies_stands_for_the_pairs_of_their_copies() {
        // 0, 1, 2 are copies (first 0), 3 and 4 copies (first 3), 5 alone. Only the first copies
        // are scored against each other (0.5) and against 5 (0.45); each copy against its first.
        let first_copy = [0, 0, 0, 3, 3, 5];
        let pairs = vec![
            copy(0, 1),
            copy(0, 2),
            pair(0, 3, 0.5),
            pair(0, 5, 0.45),
            copy(3, 4),
            pair(3, 5, 0.45),
        ];
        // As if all 6 pairs between the groups {0,1,2} and {3,4} scored 0.5, and 5 scored 0.45
        // against each copy: one cluster at 0.4.
        assert_eq!(
            group_with_copies(6, &pairs, &first_copy, &opts(0.4)),
            vec![vec![0, 1, 2, 3, 4, 5]]
        );
        // Read as the only pairs scored, the means are 0.5 / 6 and lower: the copies stay apart.
        assert_eq!(
            group(6, &pairs, &opts(0.4)),
            vec![vec![0, 1, 2], vec![3, 4]]
        );
        // In the cluster's description the copies' pairs count as their first copies' pair: no
        // pair reads as unscored (0), and the first copy represents.
        let mut features = vec![Features::default(); 6];
        for (f, &first) in features.iter_mut().zip(&first_copy) {
            f.copy_of = (first != 5).then_some(first as u64);
        }
        let described = describe_group((0..6).collect(), &pairs, &features, &opts(0.4));
        assert_eq!((described.min_score, described.max_score), (0.45, 1.0));
        assert_eq!(described.representative, 0);
        // Each member's score to the representative is reported, the copies of 3 included.
        for m in 1..6 {
            assert!(
                described.pairs.iter().any(|p| (p.a, p.b) == (0, m)),
                "member {m}: {:?}",
                described.pairs
            );
        }
    }

    #[test]
    fn copies_left_unscored_count_as_copies() {
        // 0..4 are copies of one definition, linked only to 0 (as the index links them); 5 is
        // scored against each copy but unlinked to nothing else.
        let mut features = vec![Features::default(); 6];
        for f in &mut features[..5] {
            f.copy_of = Some(7);
            f.body_len = 10;
        }
        let star = (1..5).map(|c| copy(0, c));
        let only_copies = describe_group(
            (0..5).collect(),
            &star.clone().collect::<Vec<_>>(),
            &features,
            &opts(0.35),
        );
        assert_eq!(only_copies.tier, Tier::Copy);
        assert_eq!((only_copies.min_score, only_copies.max_score), (1.0, 1.0));
        assert_eq!(only_copies.copy_groups, vec![vec![0, 1, 2, 3, 4]]);
        let mut pairs: Vec<ScoredPair> = star.collect();
        pairs.extend((0..5).map(|c| pair(c, 5, 0.5)));
        let with_other = describe_group((0..6).collect(), &pairs, &features, &opts(0.35));
        assert_eq!(with_other.tier, Tier::Variant);
        assert_eq!((with_other.min_score, with_other.max_score), (0.5, 1.0));
        // Every member is reported with its score to the representative.
        let rep = with_other.representative;
        assert!(rep < 5, "a copy sums 4 + 0.5, the other 2.5");
        for m in (0..6).filter(|&m| m != rep) {
            assert!(
                with_other
                    .pairs
                    .iter()
                    .any(|p| (p.a, p.b) == (m.min(rep), m.max(rep))),
                "no pair of {m} with the representative {rep}"
            );
        }
        // Without the fingerprint the same pairs leave unscored pairs at 0: a variant from 0.
        let plain = vec![Features::default(); 5];
        let star: Vec<ScoredPair> = (1..5).map(|c| copy(0, c)).collect();
        let unknown = describe_group((0..5).collect(), &star, &plain, &opts(0.35));
        assert_eq!((unknown.tier, unknown.min_score), (Tier::Variant, 0.0));
    }

    #[test]
    fn copies_count_once_in_the_mean() {
        // 0, 1, 2 are copies of one file; 3 is close to it (0.8) and joins first. 4 is close to 3
        // (0.6) but not to the copies (0.2). Per copy group the mean from 4 to {copies, 3} is (0.2 + 0.6) / 2 = 0.4;
        // counted per file it would be (3 × 0.2 + 0.6) / 4 = 0.3, and the copies would outvote 3.
        let mut pairs = vec![copy(0, 1), copy(0, 2), copy(1, 2), pair(3, 4, 0.6)];
        for c in 0..3 {
            pairs.push(pair(c, 3, 0.8));
            pairs.push(pair(c, 4, 0.2));
        }
        assert_eq!(group(5, &pairs, &opts(0.35)), vec![vec![0, 1, 2, 3, 4]]);
        // At 0.55 the mean 0.4 is too far under the threshold for one strong link of two to carry it.
        assert_eq!(group(5, &pairs, &opts(0.55)), vec![vec![0, 1, 2, 3]]);
        assert_eq!(
            copy_groups(5, &pairs, 0.7).1,
            vec![vec![0, 1, 2], vec![3], vec![4]]
        );
    }

    fn pair(a: usize, b: usize, total: f32) -> ScoredPair {
        ScoredPair {
            a,
            b,
            score: ScoreBreakdown {
                total,
                ..Default::default()
            },
        }
    }

    #[test]
    fn close_pairs_join_and_far_ones_do_not() {
        let pairs = vec![
            pair(0, 1, 0.9),
            pair(1, 2, 0.8),
            pair(0, 2, 0.7),
            pair(3, 4, 0.2),
        ];
        assert_eq!(group(5, &pairs, &opts(0.5)), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn one_strong_link_does_not_chain_two_groups() {
        // {0,1} and {2,3} are tight; only 1-2 links them. Mean link between the groups is 0.9/4.
        let pairs = vec![pair(0, 1, 0.95), pair(2, 3, 0.95), pair(1, 2, 0.9)];
        assert_eq!(group(4, &pairs, &opts(0.5)), vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn a_majority_of_strong_links_joins_unless_a_pair_was_discounted() {
        // {0,1} and {2,3}: three of the four pairs between them score 0.4, one 0.05. The mean,
        // 0.31, is under the threshold 0.35, but most pairs are strong.
        let mut pairs = vec![
            pair(0, 1, 0.6),
            pair(2, 3, 0.6),
            pair(0, 2, 0.4),
            pair(0, 3, 0.4),
            pair(1, 2, 0.4),
            pair(1, 3, 0.05),
        ];
        assert_eq!(group(4, &pairs, &opts(0.35)), vec![vec![0, 1, 2, 3]]);
        // Only one strong pair of four: no majority.
        let mut one = pairs.clone();
        for p in &mut one[3..5] {
            p.score.total = 0.3;
        }
        assert_eq!(group(4, &one, &opts(0.35)), vec![vec![0, 1], vec![2, 3]]);
        // The weak pair is two siblings told apart: the majority does not outvote it.
        pairs[5].score.siblings = true;
        assert_eq!(group(4, &pairs, &opts(0.35)), vec![vec![0, 1], vec![2, 3]]);
        // Far under the threshold, a majority is not enough either.
        assert_eq!(
            group(4, &pairs[..5], &opts(0.55)),
            vec![vec![0, 1], vec![2, 3]]
        );
    }

    /// Average linkage, with the majority rule, the slow, obvious way: recompute every mean between
    /// groups before each join.
    fn naive_average_linkage(n: usize, pairs: &[ScoredPair], threshold: f32) -> Vec<Vec<usize>> {
        let find = |a: usize, b: usize| pairs.iter().find(|p| (p.a, p.b) == (a.min(b), a.max(b)));
        let score = |a: usize, b: usize| find(a, b).map_or(0.0, |p| p.score.total);
        let discounted = |a: usize, b: usize| {
            find(a, b).is_some_and(|p| p.score.siblings || p.score.different_subjects)
        };
        let mut groups: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        loop {
            let mut best: Option<(f32, usize, usize)> = None;
            for i in 0..groups.len() {
                for j in i + 1..groups.len() {
                    let cross: Vec<(usize, usize)> = groups[i]
                        .iter()
                        .flat_map(|&a| groups[j].iter().map(move |&b| (a, b)))
                        .collect();
                    let sum: f32 = cross.iter().map(|&(a, b)| score(a, b)).sum();
                    let pairs = cross.len() as f32;
                    let mean = sum / pairs;
                    let strong = cross
                        .iter()
                        .filter(|&&(a, b)| score(a, b) >= threshold)
                        .count();
                    let majority = strong as f32 / pairs >= MAJORITY_SHARE
                        && mean >= MAJORITY_FLOOR * threshold
                        && !cross.iter().any(|&(a, b)| discounted(a, b));
                    if (mean >= threshold || majority) && best.is_none_or(|(m, _, _)| mean > m) {
                        best = Some((mean, i, j));
                    }
                }
            }
            let Some((_, i, j)) = best else { break };
            let moved = groups.remove(j);
            groups[i].extend(moved);
        }
        in_order(groups)
    }

    proptest::proptest! {
        /// Scores are multiples of 1/8, so sums are exact either way and only the method differs.
        #[test]
        fn grouping_matches_naive_average_linkage(
            n in 2usize..12,
            scores in proptest::collection::vec(0u8..=8, 66),
            threshold in 1u8..8,
        ) {
            let mut pairs = Vec::new();
            let mut next = scores.iter();
            for a in 0..n {
                for b in a + 1..n {
                    let s = *next.next().unwrap();
                    if s > 0 {
                        pairs.push(pair(a, b, s as f32 / 8.0));
                    }
                }
            }
            let t = threshold as f32 / 8.0 + 0.01;
            proptest::prop_assert_eq!(group(n, &pairs, &opts(t)), naive_average_linkage(n, &pairs, t));
        }
    }

    #[test]
    fn grouping_does_not_depend_on_pair_order() {
        let mut pairs = vec![
            pair(0, 1, 0.6),
            pair(1, 2, 0.6),
            pair(0, 2, 0.6),
            pair(2, 3, 0.55),
        ];
        let first = group(4, &pairs, &opts(0.5));
        pairs.reverse();
        assert_eq!(group(4, &pairs, &opts(0.5)), first);
    }
}
