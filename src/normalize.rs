//! Normalize: agents → comparable features.
//!
//! Text is folded (Unicode NFKC, lowercase, markup and punctuation gone), cut into terms (common
//! spellings of one technology made one, English stems), and weighted by how rare each term is in the
//! library (TF-IDF). Blocks of body text that recur across much of the library, such as a template a
//! collection pastes into every agent, are boilerplate: they are left out of the body's features.

use crate::markdown;
use crate::model::{AgentFile, Kind};
use crate::role;
use crate::subjects::Subjects;
use crate::words;
use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_64;

/// A term as features hold it: the low 32 bits of its hash. Half the size of the full hash, which
/// matters with every agent's vectors in memory; in a vocabulary of 100,000 terms about one pair of
/// terms shares an id, which blurs a score by a hair.
pub type Term = u32;

/// The [`Term`] of a term hash.
pub fn term_id(hash: u64) -> Term {
    hash as Term
}

/// A sparse vector of terms and weights, sorted by term, with unit length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec(pub Vec<(Term, f32)>);

impl SparseVec {
    pub fn cosine(&self, other: &SparseVec) -> f32 {
        let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
        let (a, b) = (&self.0, &other.0);
        // Without branches: which list steps on is a coin toss to the processor, and a missed
        // guess costs more than the arithmetic. Adding 0.0 leaves the sum as the branching loop made it.
        while i < a.len() && j < b.len() {
            let ((x, wx), (y, wy)) = (a[i], b[j]);
            dot += if x == y { wx * wy } else { 0.0 };
            i += (x <= y) as usize;
            j += (y <= x) as usize;
        }
        dot.clamp(0.0, 1.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Builds a unit-length TF-IDF vector from term counts (sublinear term frequency), keeping the
    /// `keep` heaviest terms: they carry nearly all of a cosine, and a short vector is fast to compare.
    fn tf_idf(counts: &[(Term, u32)], keep: usize, idf: impl Fn(Term) -> f32) -> SparseVec {
        let mut v: Vec<(Term, f32)> = counts
            .iter()
            .map(|&(t, n)| (t, (1.0 + (n as f32).ln()) * idf(t)))
            .filter(|&(_, w)| w > 0.0)
            .collect();
        // The `keep` heaviest (by weight, then by term: one set whatever the order found), then
        // sorted by term before summing, so that the float sum, and so every score, is the same
        // on every run. Only the kept terms need ordering by weight, and not even they.
        if v.len() > keep {
            v.select_nth_unstable_by(keep, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(keep);
        }
        // Every agent's vectors are held for the rest of the scan: not the room of every term.
        v.shrink_to_fit();
        v.sort_unstable_by_key(|&(t, _)| t);
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        SparseVec(v)
    }
}

/// The words of a name, split into the role it names and the title words around it
/// (`senior-python-expert` → core `python`, titles `senior`, `expert`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameParts {
    pub core: Vec<String>,
    pub titles: Vec<String>,
    /// Each core word's term, and the term of its first [`TYPO_PREFIX`] letters when it is that long:
    /// the scorer compares these and reads the words themselves only when they may match.
    pub core_keys: Vec<(Term, Option<Term>)>,
    /// How much each core word says about this agent's role, in 0..=1: less for a word that many
    /// names of the agent's collection carry (`geepers_`, `lang-`), set once the library is known.
    pub weights: Vec<f32>,
}

/// How many leading letters two name words must share to count as one word with a typo.
pub const TYPO_PREFIX: usize = 5;

/// The keys of one name word (see [`NameParts::core_keys`]).
fn word_keys(word: &str) -> (Term, Option<Term>) {
    let prefix = (word.len() >= TYPO_PREFIX).then(|| {
        let end = word
            .char_indices()
            .nth(TYPO_PREFIX)
            .map_or(word.len(), |(i, _)| i);
        term_id(term_hash(&word[..end]))
    });
    (term_id(term_hash(word)), prefix)
}

/// Everything the scorer needs to know about one agent.
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub name: NameParts,
    /// The description's prose (`<example>` blocks left out).
    pub description: SparseVec,
    /// The body's terms, boilerplate blocks left out.
    pub body: SparseVec,
    /// The role words of the phrases in which the agent declares its role (see [`crate::role`]).
    pub role: SparseVec,
    /// The body's blocks that are not boilerplate, hashed, with their rarity as weight.
    pub blocks: Vec<(u64, f32)>,
    /// Share of the body's blocks that were boilerplate.
    pub boilerplate_share: f32,
    /// Length of the body in bytes: between equally central members, the fuller one represents.
    pub body_len: usize,
    /// The agent's collection (see [`collections`]).
    pub collection: u32,
    /// The specific subjects and facets its name and description mention (see `subjects`).
    pub subjects: Subjects,
    /// A hash of the whole normalized body (boilerplate included) and description, with the kind:
    /// two agents with one `copy_of` are copies of one definition, renamed perhaps, whatever
    /// their line endings, spacing or markup. `None` for an agent without body text.
    pub copy_of: Option<u64>,
}

impl Features {
    /// Whether the two are copies of one definition (see [`Features::copy_of`]).
    pub fn same_copy(&self, other: &Features) -> bool {
        self.copy_of.is_some() && self.copy_of == other.copy_of
    }
}

/// What one agent's text holds before library-wide statistics are known: every agent's is held
/// at once, and not its text. The body is kept as the hashes of its blocks, in order; the terms of
/// each distinct block are kept once, in [`BlockTerms`] (a library repeats its blocks: 8.4 million
/// blocks of a 100,000-agent library were 194,000 distinct ones).
pub struct Extracted {
    body_len: usize,
    copy_of: Option<u64>,
    name: NameParts,
    subjects: Subjects,
    description_terms: Vec<(Term, u32)>,
    role_terms: Vec<(Term, u32)>,
    /// The hash of each block's normalized text, in order (see [`BlockTerms`]).
    blocks: Vec<u64>,
}

/// The terms of every distinct body block read, by the hash of the block's normalized text
/// (a block's terms depend on that text alone). Filled by every reading thread at once, so it is
/// cut into shards, each behind its own lock.
pub struct BlockTerms {
    /// Unique in the process, never 0: what each thread's memory of a block notes once it put
    /// the block in this table.
    id: u64,
    shards: Vec<std::sync::Mutex<HashMap<u64, Box<[Term]>>>>,
}

impl Default for BlockTerms {
    fn default() -> Self {
        static TABLES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        BlockTerms {
            id: TABLES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            shards: (0..BLOCK_SHARDS).map(|_| Default::default()).collect(),
        }
    }
}

/// Enough shards that two threads seldom wait for one another.
const BLOCK_SHARDS: usize = 64;

impl BlockTerms {
    fn shard(&self, hash: u64) -> std::sync::MutexGuard<'_, HashMap<u64, Box<[Term]>>> {
        // The high bits: the map inside the shard uses the low ones.
        let shard = &self.shards[(hash >> 58) as usize % BLOCK_SHARDS];
        shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn insert(&self, hash: u64, terms: &[Term]) {
        self.shard(hash).entry(hash).or_insert_with(|| terms.into());
    }

    /// The table, read only from now on: no more locks.
    fn into_map(self) -> HashMap<u64, Box<[Term]>> {
        let mut all = HashMap::default();
        for shard in self.shards {
            all.extend(shard.into_inner().unwrap_or_else(|p| p.into_inner()));
        }
        all
    }
}

/// Library-wide statistics, for reports.
#[derive(Debug, Default)]
pub struct Vocabulary {
    pub boilerplate_blocks: usize,
    pub boilerplate_threshold: usize,
}

/// Turns every agent into features. Work per agent runs in parallel.
pub fn featurize(agents: &[AgentFile]) -> (Vec<Features>, Vocabulary) {
    let blocks = BlockTerms::default();
    let extracted = agents.par_iter().map(|a| extract(a, &blocks)).collect();
    featurize_extracted(extracted, blocks, agents, &vec![true; agents.len()])
}

/// [`featurize`], emptying each agent's body as soon as it is read: a large library is compared
/// from its features alone, and holding every body while the library-wide statistics are counted
/// would double the memory a scan needs. `done` is called once per agent read.
pub fn featurize_releasing_bodies(
    agents: &mut [AgentFile],
    done: impl Fn() + Sync,
) -> (Vec<Features>, Vocabulary) {
    let counted = vec![true; agents.len()];
    featurize_counting(agents, &counted, done)
}

/// [`featurize_releasing_bodies`], with the library-wide statistics (rarity, boilerplate) taken
/// over the agents `counted` marks only: the copies of an agent kept for several tools count
/// once (`mirrors::counted`), so that mirroring never makes different agents look alike.
pub fn featurize_counting(
    agents: &mut [AgentFile],
    counted: &[bool],
    done: impl Fn() + Sync,
) -> (Vec<Features>, Vocabulary) {
    let blocks = BlockTerms::default();
    let extracted = agents
        .par_iter_mut()
        .map(|agent| {
            let e = extract(agent, &blocks);
            agent.body = String::new();
            done();
            e
        })
        .collect();
    featurize_extracted(extracted, blocks, agents, counted)
}

/// The features of agents already [`extract`]ed (in the order of `agents`, whose bodies are no
/// longer needed), with the library-wide statistics taken over the agents `counted` marks.
pub fn featurize_extracted(
    extracted: Vec<Extracted>,
    blocks: BlockTerms,
    agents: &[AgentFile],
    counted: &[bool],
) -> (Vec<Features>, Vocabulary) {
    from_extracted(extracted, blocks.into_map(), &collections(agents), counted)
}

/// Each agent's collection: the folder just below the one all agents share (`dev/files/acme+agents/
/// x/y.md` is in `acme+agents` when `dev/files` holds every agent), or the library itself for an
/// agent directly in it. Collections write their agents from one template and name them alike; what
/// they all share says little about any one of them.
pub fn collections(agents: &[AgentFile]) -> Vec<u32> {
    let folders: Vec<Vec<std::path::Component>> = agents
        .iter()
        .map(|a| {
            let parent = a.path.parent().unwrap_or(std::path::Path::new(""));
            parent.components().collect()
        })
        .collect();
    let shared = folders.first().map_or(0, |first| {
        folders.iter().fold(first.len(), |len, f| {
            first[..len]
                .iter()
                .zip(f)
                .take_while(|(x, y)| x == y)
                .count()
        })
    });
    let mut ids: HashMap<Option<&std::ffi::OsStr>, u32> = HashMap::default();
    folders
        .iter()
        .map(|f| {
            let key = f.get(shared).map(|c| c.as_os_str());
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        })
        .collect()
}

/// The distinct body blocks of a library, numbered: each agent's blocks are looked up by hash
/// once, and every later pass (block rarity, boilerplate, the body's terms, twice) reads an array
/// by number instead of three or four hash tables by hash (8.4 million blocks at 100,000 agents).
struct NumberedBlocks {
    /// Each block's hash, by number.
    hashes: Vec<u64>,
    /// Each block's terms, by number.
    terms: Vec<Box<[Term]>>,
    /// Each agent's blocks, by number, in order.
    of_agent: Vec<Vec<u32>>,
}

impl NumberedBlocks {
    /// Numbers the blocks of `block_terms`, and of each agent (taking its list of hashes). A hash
    /// that `block_terms` lacks (it never does when it was filled by [`extract`]) is a block
    /// without terms.
    fn new(extracted: &mut [Extracted], block_terms: HashMap<u64, Box<[Term]>>) -> NumberedBlocks {
        let mut hashes = Vec::with_capacity(block_terms.len());
        let mut terms = Vec::with_capacity(block_terms.len());
        let mut number: HashMap<u64, u32> = HashMap::default();
        number.reserve(block_terms.len());
        for (hash, t) in block_terms {
            number.insert(hash, hashes.len() as u32);
            hashes.push(hash);
            terms.push(t);
        }
        let mut of_agent: Vec<Option<Vec<u32>>> = extracted
            .par_iter_mut()
            .map(|e| {
                let ids: Option<Vec<u32>> =
                    e.blocks.iter().map(|h| number.get(h).copied()).collect();
                if ids.is_some() {
                    e.blocks = Vec::new(); // let go: the numbers stand for them from now on
                }
                ids
            })
            .collect();
        for (e, ids) in extracted.iter_mut().zip(&mut of_agent) {
            if ids.is_none() {
                let numbered = std::mem::take(&mut e.blocks).into_iter().map(|h| {
                    *number.entry(h).or_insert_with(|| {
                        hashes.push(h);
                        terms.push(Box::default());
                        hashes.len() as u32 - 1
                    })
                });
                *ids = Some(numbered.collect());
            }
        }
        NumberedBlocks {
            hashes,
            terms,
            of_agent: of_agent
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
        }
    }
}

/// Library-wide statistics (term and block rarity, boilerplate) and then each agent's features.
fn from_extracted(
    mut extracted: Vec<Extracted>,
    block_terms: HashMap<u64, Box<[Term]>>,
    collections: &[u32],
    counted: &[bool],
) -> (Vec<Features>, Vocabulary) {
    let n = counted.iter().filter(|&&c| c).count();
    let numbered = NumberedBlocks::new(&mut extracted, block_terms);
    let of_agent: Vec<&[u32]> = numbered.of_agent.iter().map(Vec::as_slice).collect();
    let distinct_blocks = |blocks: &&[u32]| {
        let mut ids: Vec<u32> = blocks.to_vec();
        ids.sort_unstable();
        ids.dedup(); // a block said twice in one file is still one file
        ids
    };
    let block_df = document_frequency_of(&of_agent, counted, distinct_blocks);
    let threshold = boilerplate_threshold(n);
    let mut boilerplate = vec![false; numbered.hashes.len()];
    for (&id, &df) in &block_df {
        boilerplate[id as usize] |= df as usize >= threshold;
    }
    for id in collection_templates(&of_agent, collections, distinct_blocks) {
        boilerplate[id as usize] = true;
    }
    let block_df: Vec<u32> = {
        let mut by_id = vec![0; numbered.hashes.len()];
        for (id, df) in block_df {
            by_id[id as usize] = df;
        }
        by_id
    };
    set_name_weights(&mut extracted, collections);
    // Each body's term counts, boilerplate left out. Worked out twice, for the rarity of terms and
    // then for each body's vector, rather than held for every agent in between: they would weigh
    // more than the features.
    let body_terms = |blocks: &[u32]| {
        count_terms(
            blocks
                .iter()
                .filter(|&&id| !boilerplate[id as usize])
                .flat_map(|&id| &numbered.terms[id as usize][..]),
        )
    };
    let desc_df = document_frequency_of(&extracted, counted, |e| {
        e.description_terms.iter().map(|t| t.0).collect()
    });
    let body_df = document_frequency_of(&of_agent, counted, |blocks| {
        body_terms(blocks).into_iter().map(|t| t.0).collect()
    });
    let role_df = document_frequency_of(&extracted, counted, |e| {
        e.role_terms.iter().map(|t| t.0).collect()
    });
    let idf =
        |df: &HashMap<Term, u32>, t: Term| inverse_frequency(n, df.get(&t).copied().unwrap_or(1));
    let features = extracted
        .into_par_iter()
        .zip(of_agent.par_iter())
        .zip(collections.par_iter())
        .map(|((e, &block_ids), &collection)| {
            let description = SparseVec::tf_idf(&e.description_terms, DESCRIPTION_TERMS, |t| {
                idf(&desc_df, t)
            });
            let body_vec =
                SparseVec::tf_idf(&body_terms(block_ids), BODY_TERMS, |t| idf(&body_df, t));
            let role = SparseVec::tf_idf(&e.role_terms, usize::MAX, |t| idf(&role_df, t));
            let mut blocks: Vec<(u64, f32)> = block_ids
                .iter()
                .filter(|&&id| !boilerplate[id as usize])
                .map(|&id| {
                    let id = id as usize;
                    (numbered.hashes[id], inverse_frequency(n, block_df[id]))
                })
                .collect();
            blocks.sort_unstable_by_key(|b| b.0);
            blocks.dedup_by_key(|b| b.0);
            blocks.shrink_to_fit();
            let boiler = block_ids
                .iter()
                .filter(|&&id| boilerplate[id as usize])
                .count();
            Features {
                name: e.name,
                subjects: e.subjects,
                description,
                body: body_vec,
                role,
                body_len: e.body_len,
                collection,
                copy_of: e.copy_of,
                blocks,
                boilerplate_share: if block_ids.is_empty() {
                    0.0
                } else {
                    boiler as f32 / block_ids.len() as f32
                },
            }
        })
        .collect();
    let vocabulary = Vocabulary {
        boilerplate_blocks: boilerplate.iter().filter(|&&b| b).count(),
        boilerplate_threshold: threshold,
    };
    (features, vocabulary)
}

/// How many of its heaviest terms a description and a body keep. Two bodies written by different
/// people share their subject's everyday vocabulary more than their rarest words: 256 terms
/// rather than 128 raised dev2's pairwise recall from 0.60 to 0.63 at about the same precision.
const DESCRIPTION_TERMS: usize = 48;
const BODY_TERMS: usize = 256;

/// A block is boilerplate when it stands in at least this many files. Copies of one agent share
/// every block too, but a copy group stays small while a library grows; a template grows with it. The
/// square root sits between the two: 6 files in a library of 36, 26 in 662, 100 in 10,000.
pub fn boilerplate_threshold(files: usize) -> usize {
    ((files as f64).sqrt().ceil() as usize).max(4)
}

/// The blocks of each collection's template: blocks that stand in [`boilerplate_threshold`] of the
/// collection's distinct bodies. Copies of one agent (the same body in several plugin folders) count
/// once, so a file copied six times does not make its own blocks a template.
fn collection_templates<D, B: std::hash::Hash + Eq + Copy>(
    extracted: &[D],
    collections: &[u32],
    distinct_blocks: impl Fn(&D) -> Vec<B>,
) -> HashSet<B> {
    let mut bodies: HashMap<u32, HashSet<u64>> = HashMap::default();
    let mut block_df: HashMap<(u32, B), u32> = HashMap::default();
    for (e, &c) in extracted.iter().zip(collections) {
        let blocks = distinct_blocks(e);
        let body = {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            blocks.hash(&mut h);
            h.finish()
        };
        if bodies.entry(c).or_default().insert(body) {
            for b in blocks {
                *block_df.entry((c, b)).or_insert(0) += 1;
            }
        }
    }
    block_df
        .into_iter()
        .filter(|&((c, _), df)| df as usize >= boilerplate_threshold(bodies[&c].len()))
        .map(|((_, b), _)| b)
        .collect()
}

/// Weighs each agent's name words by how common they are in its collection's names: a word that
/// many names of one collection carry (`geepers_react`, `geepers_api`, …; `lang-python`, `lang-go`,
/// …) marks the collection, not the role. A word in at most [`NAME_MARK_FROM`] of the names weighs
/// 1, falling to [`NAME_MARK_WEIGHT`] at [`NAME_MARK_FULL`]. Collections of fewer than
/// [`NAME_MARK_MIN_NAMES`] names are left alone: in a folder of five agents of one role their
/// shared word is the role.
fn set_name_weights(extracted: &mut [Extracted], collections: &[u32]) {
    let mut names: HashMap<u32, usize> = HashMap::default();
    let mut df: HashMap<(u32, &str), usize> = HashMap::default();
    for (e, &c) in extracted.iter().zip(collections) {
        *names.entry(c).or_insert(0) += 1;
        let mut words: Vec<&str> = e.name.core.iter().map(String::as_str).collect();
        words.sort_unstable();
        words.dedup();
        for w in words {
            *df.entry((c, w)).or_insert(0) += 1;
        }
    }
    let weights: Vec<Vec<f32>> = extracted
        .iter()
        .zip(collections)
        .map(|(e, &c)| {
            let size = names[&c];
            e.name
                .core
                .iter()
                .map(|w| name_word_weight(df[&(c, w.as_str())], size))
                .collect()
        })
        .collect();
    for (e, w) in extracted.iter_mut().zip(weights) {
        e.name.weights = w;
    }
}

const NAME_MARK_MIN_NAMES: usize = 12;
const NAME_MARK_FROM: f32 = 0.15;
const NAME_MARK_FULL: f32 = 0.30;
const NAME_MARK_WEIGHT: f32 = 0.2;

/// The weight of a name word held by `df` of a collection's `names` names (see [`set_name_weights`]).
fn name_word_weight(df: usize, names: usize) -> f32 {
    if names < NAME_MARK_MIN_NAMES || df < 4 {
        return 1.0;
    }
    let share = df as f32 / names as f32;
    let t = ((share - NAME_MARK_FROM) / (NAME_MARK_FULL - NAME_MARK_FROM)).clamp(0.0, 1.0);
    1.0 - t * (1.0 - NAME_MARK_WEIGHT)
}

/// Term rarity judged over a library of at least this many agents. In a folder of five agents of one
/// role every shared word is in every file and would weigh nothing; a word shared by five agents is
/// still telling when the wider world of agents is in view.
const MIN_LIBRARY: usize = 50;

fn inverse_frequency(n: usize, df: u32) -> f32 {
    ((n.max(MIN_LIBRARY) as f32 + 1.0) / df.max(1) as f32)
        .ln()
        .max(0.0)
}

/// [`document_frequency`] over the documents `counted` marks.
fn document_frequency_of<'a, D, K>(
    docs: &'a [D],
    counted: &[bool],
    keys: impl Fn(&'a D) -> Vec<K> + Sync,
) -> HashMap<K, u32>
where
    D: Sync,
    K: std::hash::Hash + Eq + Send,
{
    let kept: Vec<&'a D> = docs
        .iter()
        .zip(counted)
        .filter_map(|(d, &c)| c.then_some(d))
        .collect();
    document_frequency(&kept, |d: &&'a D| keys(d))
}

/// In how many documents each key stands, counted in parallel. Each document's keys must be
/// distinct.
fn document_frequency<'a, D, K>(
    docs: &'a [D],
    keys: impl Fn(&'a D) -> Vec<K> + Sync,
) -> HashMap<K, u32>
where
    D: Sync,
    K: std::hash::Hash + Eq + Send,
{
    docs.par_iter()
        .fold(HashMap::default, |mut df, doc| {
            for key in keys(doc) {
                *df.entry(key).or_insert(0) += 1;
            }
            df
        })
        .reduce(HashMap::default, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            for (key, n) in b {
                *a.entry(key).or_insert(0) += n;
            }
            a
        })
}

/// How often each term occurs, by term. Sorted and counted in runs: for the few hundred terms of
/// a body, cheaper than a hash map that grows as it fills.
fn count_terms<'a>(terms: impl Iterator<Item = &'a Term>) -> Vec<(Term, u32)> {
    let mut all: Vec<Term> = terms.copied().collect();
    all.sort_unstable();
    all.chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
        .collect()
}

/// What `agent`'s text holds for comparing it (see [`Extracted`]); the terms of its body blocks
/// go to `block_terms`. Its body is not needed afterwards.
pub fn extract(agent: &AgentFile, block_terms: &BlockTerms) -> Extracted {
    extract_with_body_key(agent, block_terms).0
}

/// [`extract`], with the body's [`mirrors::body_key`](crate::mirrors::body_key) besides.
pub fn extract_with_body_key(agent: &AgentFile, block_terms: &BlockTerms) -> (Extracted, u64) {
    let description = agent.frontmatter.description().unwrap_or_default();
    let body = with_body_read(&agent.body, block_terms, |read| read.clone());
    let mut phrases = body.phrases;
    let clause = role::first_clause(&description);
    if !clause.is_empty() {
        phrases.push(clause);
    }
    let role_terms = role_terms(&phrases);
    let blocks = body.blocks;
    let description_terms =
        count_terms(term_ids(&normalize_text(&description_prose(&description))).iter());
    let name = with_remembered(&NAMES, &role_name(agent), name_parts, NameParts::clone);
    let extracted = Extracted {
        body_len: body.len,
        copy_of: copy_fingerprint(agent.kind, &description_terms, &blocks),
        subjects: Subjects::of(&name.core, description_terms.iter().map(|t| t.0)),
        name,
        description_terms,
        role_terms,
        blocks,
    };
    (extracted, body.key)
}

/// What is worked out from a body's text alone: nothing of the file's path, name or frontmatter.
#[derive(Clone)]
struct BodyRead {
    /// The hash of each block's normalized text, in order (too short blocks left out).
    blocks: Vec<u64>,
    /// [`role::body_phrases`].
    phrases: Vec<String>,
    /// The length of the trimmed body.
    len: usize,
    /// [`crate::mirrors::body_key`].
    key: u64,
    /// The [`BlockTerms`] table the blocks' terms were put in when the body was read.
    table: u64,
}

/// Reads a body: its blocks (their terms put in `block_terms`), role phrases and keys.
fn read_body(body: &str, block_terms: &BlockTerms) -> BodyRead {
    let mut blocks = Vec::new();
    let body_blocks = markdown::text_blocks(body);
    for block in &body_blocks {
        with_block_terms(&block.text, |hash, terms, stamp| {
            // Once per table and thread: a block this thread already put in this table is not
            // looked up again (locking the table for every block of a library cost a tenth of
            // reading it).
            if *stamp != block_terms.id {
                block_terms.insert(hash, terms);
                *stamp = block_terms.id;
            }
            blocks.push(hash);
        });
    }
    BodyRead {
        blocks,
        phrases: role::body_phrases(&body_blocks),
        len: body.trim().len(),
        key: crate::mirrors::body_key(body),
        table: block_terms.id,
    }
}

/// By a 128-bit hash of the whole body text: the bodies a thread has seen once, and what it read
/// of those it has seen more than once (see [`with_body_read`]).
#[derive(Default)]
struct Bodies {
    seen_once: HashSet<u128>,
    read: HashMap<u128, BodyRead>,
}

thread_local! {
    static BODIES: std::cell::RefCell<Bodies> = Default::default();
}

/// Calls `use_it` with [`read_body`] of `body`. Libraries hold the same body many times over
/// (copies across tools and collections): each thread remembers what it read of a body it has
/// seen before, up to a bound, so that a further copy skips the Markdown parse and the terms. A
/// body seen for the first time only has its hash noted: in a library of few copies, remembering
/// every body read cost memory for nothing. A body remembered from another table is read again, so
/// that its blocks' terms go into this one.
fn with_body_read<R>(
    body: &str,
    block_terms: &BlockTerms,
    use_it: impl FnOnce(&BodyRead) -> R,
) -> R {
    const REMEMBERED: usize = 1 << 12;
    const NOTED: usize = 1 << 15;
    BODIES.with(|bodies| {
        let bodies = &mut *bodies.borrow_mut();
        let key = xxhash_rust::xxh3::xxh3_128(body.as_bytes());
        if let Some(read) = bodies.read.get(&key) {
            if read.table == block_terms.id {
                return use_it(read);
            }
        }
        let read = read_body(body, block_terms);
        if bodies.read.contains_key(&key) || !bodies.seen_once.insert(key) {
            if bodies.read.len() >= REMEMBERED && !bodies.read.contains_key(&key) {
                bodies.read.clear();
            }
            let result = use_it(&read);
            bodies.read.insert(key, read);
            return result;
        }
        if bodies.seen_once.len() >= NOTED {
            bodies.seen_once.clear();
        }
        use_it(&read)
    })
}

/// The role words of an agent's declared phrases ([`role::declared_phrases`]), read as the words of
/// a name are, with their counts: the words naming the role itself (the phrase's head) count twice,
/// the words saying what it does in detail once. The name's own words are left out: the name part
/// compares them already.
fn role_terms(phrases: &[String]) -> Vec<(Term, u32)> {
    let mut ids: Vec<Term> = Vec::new();
    for phrase in phrases {
        with_remembered(&ROLE_PHRASES, phrase, phrase_role_terms, |terms| {
            ids.extend_from_slice(terms)
        });
    }
    count_terms(ids.iter())
}

/// The role terms of one declared phrase, the head's twice (see [`role_terms`]).
fn phrase_role_terms(phrase: &str) -> Box<[Term]> {
    let list = words::words();
    let is_title = |w: &str| {
        list.is_filler(w) || is_stop_word(w) || filler_stems().contains(stemmer().stem(w).as_ref())
    };
    let declared = role::Declared::split(phrase, is_title);
    let head = name_parts(&declared.head).core_keys;
    let tail = name_parts(&declared.tail).core_keys;
    head.iter().chain(&head).chain(&tail).map(|k| k.0).collect()
}

/// By the hash of a block's text: the hash of its normalized text, its terms and the caller's
/// stamp, or `None` when it is too short (see [`with_block_terms`]).
type Seen = HashMap<u64, Option<(u64, Box<[Term]>, u64)>>;
thread_local! {
    static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(HashMap::default());
}

/// Lets go of what every thread of the pool remembers of the bodies, blocks, phrases and names it read
/// (tens of megabytes at 100,000 agents, held by threads that outlive the read): once a library
/// is read, it is not needed, and the features need the room.
pub fn forget_what_threads_read() {
    rayon::broadcast(|_| {
        SEEN.with(|m| std::mem::take(&mut *m.borrow_mut()));
        BODIES.with(|m| std::mem::take(&mut *m.borrow_mut()));
        ROLE_PHRASES.with(|m| std::mem::take(&mut *m.borrow_mut()));
        NAMES.with(|m| std::mem::take(&mut *m.borrow_mut()));
    });
}

/// What each thread worked out for the phrases and names it has read (a library repeats its
/// identity sentences, titles and names in every copy; stemming them again cost a tenth of the
/// read), up to a bound.
type Remembered<T> = std::thread::LocalKey<std::cell::RefCell<HashMap<String, T>>>;
thread_local! {
    static ROLE_PHRASES: std::cell::RefCell<HashMap<String, Box<[Term]>>> = Default::default();
    static NAMES: std::cell::RefCell<HashMap<String, NameParts>> = Default::default();
}

/// Calls `use_it` with `work(key)`, worked out once per thread while remembered.
fn with_remembered<T, R>(
    memory: &'static Remembered<T>,
    key: &str,
    work: impl FnOnce(&str) -> T,
    use_it: impl FnOnce(&T) -> R,
) -> R {
    const REMEMBERED: usize = 1 << 14;
    memory.with(|memory| {
        let mut memory = memory.borrow_mut();
        if !memory.contains_key(key) {
            if memory.len() >= REMEMBERED {
                memory.clear();
            }
            let value = work(key);
            memory.insert(key.to_owned(), value);
        }
        use_it(&memory[key])
    })
}

/// [`Features::copy_of`]: the hash of the kind, the description's terms and every block of the
/// body in order, boilerplate included (a copy made hundreds of times makes its own blocks
/// boilerplate, and must still be known for a copy).
fn copy_fingerprint(kind: Kind, description: &[(Term, u32)], blocks: &[u64]) -> Option<u64> {
    if blocks.is_empty() {
        return None;
    }
    let mut bytes = Vec::with_capacity(1 + description.len() * 8 + blocks.len() * 8);
    bytes.push(kind as u8);
    // The description's length first: no description can run into the body.
    bytes.extend_from_slice(&(description.len() as u64).to_le_bytes());
    for &(term, count) in description {
        bytes.extend_from_slice(&term.to_le_bytes());
        bytes.extend_from_slice(&count.to_le_bytes());
    }
    for hash in blocks {
        bytes.extend_from_slice(&hash.to_le_bytes());
    }
    Some(xxh3_64(&bytes))
}

/// Calls `f(hash, terms, stamp)` with the hash of a block's normalized text and its terms, unless
/// the block is too short to say anything. Libraries are full of copies, so the same block comes
/// back again and again: each thread remembers what it worked out for the blocks it has seen (by a
/// hash of their text), up to a bound, with a `stamp` of the caller's own (0 at first) for it.
fn with_block_terms(text: &str, f: impl FnOnce(u64, &[Term], &mut u64)) {
    const REMEMBERED: usize = 1 << 17;
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let key = xxh3_64(text.as_bytes());
        if seen.len() >= REMEMBERED && !seen.contains_key(&key) {
            seen.clear();
        }
        let worked_out = seen.entry(key).or_insert_with(|| {
            let normalized = normalize_text(text);
            (normalized.len() >= 3).then(|| {
                let terms = term_ids(&normalized).into_boxed_slice();
                (xxh3_64(normalized.as_bytes()), terms, 0)
            })
        });
        if let Some((hash, terms, stamp)) = worked_out {
            f(*hash, terms, stamp);
        }
    })
}

/// The [`Term`]s of normalized text, in order.
fn term_ids(normalized: &str) -> Vec<Term> {
    let mut out = Vec::new();
    for_each_hashed_term(normalized, |_, hash| out.push(term_id(hash)));
    out
}

/// The name without a prefix that only says where the file lives. Plugin collections often prefix
/// the plugin's folder name to the agent's name (`plugins/api-kit/agents/backend-architect.md` with
/// `name: api-kit-backend-architect`); such a prefix says nothing about the role. A file named as
/// its agent is (`business/business-analyst.md`, `03-database/database-designer.md`) keeps its
/// whole name: there the folder is a category the role falls in, and its word is the role's.
pub fn role_name(agent: &AgentFile) -> String {
    let name = agent.display_name();
    let lower = name.to_lowercase();
    let stem = agent
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase());
    if stem.as_deref() == Some(lower.as_str()) {
        return name;
    }
    let folder_names = agent
        .path
        .ancestors()
        .skip(1)
        .take(4)
        .filter_map(|p| p.file_name())
        .map(|n| {
            // A number that orders the folders (`01-frontend`, `07_qa-kit`) is not part of its name.
            let n = n.to_string_lossy().to_lowercase();
            let unnumbered = n.trim_start_matches(|c: char| c.is_ascii_digit());
            match unnumbered.strip_prefix(['-', '_', '.', ' ']) {
                Some(rest) if unnumbered.len() < n.len() && !rest.is_empty() => rest.to_owned(),
                _ => n,
            }
        });
    for folder in folder_names {
        if let Some(rest) = lower
            .strip_prefix(&folder)
            .and_then(|r| r.strip_prefix(['-', '_', ':']))
        {
            // Only when a role is left: `04-kubernetes/agents/kubernetes-expert.md` names its role,
            // not its folder.
            if !name_parts(rest).core.is_empty() {
                return rest.to_owned();
            }
        }
    }
    if let Some(stem) = stem {
        if lower.len() > stem.len()
            && lower.ends_with(&stem)
            && lower[..lower.len() - stem.len()].ends_with(['-', '_', ':'])
        {
            return stem;
        }
    }
    name
}

/// The heaviest terms of an agent's description and body together, for saying what a cluster shares.
pub fn top_terms(features: &Features, k: usize) -> Vec<(Term, f32)> {
    let mut weights: HashMap<Term, f32> = HashMap::default();
    for &(t, w) in features.description.0.iter().chain(features.body.0.iter()) {
        *weights.entry(t).or_insert(0.0) += w;
    }
    let mut top: Vec<(Term, f32)> = weights.into_iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(k);
    top
}

/// The readable term (the stem) behind a term, for any term this process has read.
pub fn term_text(term: Term) -> Option<String> {
    dictionary().lock().ok()?.get(&term).cloned()
}

/// Every term read so far, by hash. Terms are added when a thread first stems a word, which is rare
/// once a library's vocabulary has been seen, so the lock is seldom taken.
fn dictionary() -> &'static std::sync::Mutex<HashMap<Term, String>> {
    static DICTIONARY: OnceLock<std::sync::Mutex<HashMap<Term, String>>> = OnceLock::new();
    DICTIONARY.get_or_init(|| std::sync::Mutex::new(HashMap::default()))
}

/// The description without its `<example>` and `<commentary>` blocks: what the agent is for, rather
/// than sample dialogue.
pub fn description_prose(description: &str) -> String {
    let mut out = String::with_capacity(description.len());
    let mut rest = description;
    while let Some(start) = rest.find("<example>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</example>") {
            Some(end) => rest = &rest[start + end + "</example>".len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// NFKC, lowercase, one spelling for technology names whose punctuation carries meaning (`c#`,
/// `c++`, `.net`, `node.js`), and everything that is not a letter or digit turned into a space.
pub fn normalize_text(text: &str) -> String {
    let mut folded: String = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        // Most text is already in NFKC; the quick check is far cheaper than normalizing again.
        text.chars().flat_map(char::to_lowercase).collect()
    } else {
        text.nfkc().flat_map(char::to_lowercase).collect()
    };
    // Technology names whose punctuation carries meaning, made words before punctuation goes.
    const SPELLED_OUT: [(&str, &str); 6] = [
        ("c#", " csharp "),
        ("c++", " cpp "),
        ("f#", " fsharp "),
        (".net", " dotnet "),
        ("node.js", " nodejs "),
        ("ci/cd", " cicd "),
    ];
    for (from, to) in SPELLED_OUT {
        if folded.contains(from) {
            folded = folded.replace(from, to);
        }
    }
    let mut out = String::with_capacity(folded.len());
    if folded.is_ascii() {
        // The common case, a byte at a time: letters and digits kept, runs of anything else one space.
        let mut gap = false;
        for &b in folded.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(b as char);
            } else {
                gap = true;
            }
        }
        return out;
    }
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// English function words (NLTK's list): they say nothing about what an agent does, and in a small
/// library they are too few documents away from looking distinctive.
fn is_stop_word(word: &str) -> bool {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS
        .get_or_init(|| stop_words::get("en").iter().copied().collect())
        .contains(word)
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Terms of normalized text: canonical names, English stems, single letters dropped.
pub fn terms(normalized: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(normalized, |term| out.push(term.into_owned()));
    out
}

/// Calls `f` with each term of normalized text, in order (see [`terms`]).
fn for_each_term(normalized: &str, mut f: impl FnMut(std::borrow::Cow<'_, str>)) {
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let list = words::words();
    let mut i = 0;
    while i < words.len() {
        if let Some((term, len)) = list.phrase_at(&words[i..]) {
            // Stemmed like a word, so `dev ops` and `devops` make one term.
            f(stemmer().stem(term));
            i += len;
            continue;
        }
        let word = list.canonical(words[i]);
        if word.chars().count() >= 2 && !is_stop_word(word) {
            f(stemmer().stem(word));
        }
        i += 1;
    }
}

pub fn term_hash(term: &str) -> u64 {
    xxh3_64(term.as_bytes())
}

/// Hashes of the terms of normalized text, the same as hashing [`terms`]. Stemming is the costly
/// part of reading a library and the same few thousand words come back in every file, so each thread
/// remembers the hash of every word it has stemmed.
pub fn hashed_terms(normalized: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for_each_hashed_term(normalized, |_, hash| out.push(hash));
    out
}

/// Calls `f(words, hash)` for each term of normalized text: the word (or two-word name) it came from
/// and the term's hash.
fn for_each_hashed_term(normalized: &str, mut f: impl FnMut(&str, u64)) {
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<String, Option<u64>>> = std::cell::RefCell::new(HashMap::default());
    }
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
        let list = words::words();
        let mut i = 0;
        while i < words.len() {
            if let Some((term, len)) = list.phrase_at(&words[i..]) {
                f(term, term_hash(&stemmer().stem(term)));
                i += len;
                continue;
            }
            let hash = match seen.get(words[i]) {
                Some(known) => *known,
                None => {
                    let mut term = None;
                    for_each_term(words[i], |t| term = Some(t.into_owned()));
                    let hash = term.as_deref().map(term_hash);
                    if let (Some(term), Some(hash)) = (term, hash) {
                        if let Ok(mut d) = dictionary().lock() {
                            d.entry(term_id(hash)).or_insert(term);
                        }
                    }
                    seen.insert(words[i].to_owned(), hash);
                    hash
                }
            };
            if let Some(hash) = hash {
                f(words[i], hash);
            }
            i += 1;
        }
    })
}

/// Splits a name into its core (the role) and its filler words (`senior-python-expert` → core
/// `python`, titles `senior`, `expert`; `SEO Specialist` → `seo`; `lang-c-pro` → `lang`, `c`). Core
/// words are normalized like any other term, except that one-letter words are kept: in a name they
/// are languages (`c`, `r`). Filler words come from the word list (`data/words.toml`).
pub fn name_parts(name: &str) -> NameParts {
    let list = words::words();
    let normalized = normalize_text(&spaced_name(name));
    let written: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let joined = join_known_words(&written);
    let joined: Vec<&str> = joined.iter().map(String::as_str).collect();
    let mut parts = NameParts::default();
    let mut i = 0;
    while i < joined.len() {
        if let Some((term, len)) = list.phrase_at(&joined[i..]) {
            parts.push_core(kin_of(name_stem(term)));
            i += len;
            continue;
        }
        let word = list.canonical(joined[i]);
        let stem = name_stem(word);
        if list.is_filler(word) || filler_stems().contains(&stem) {
            parts.titles.push(word.to_owned());
        } else if !is_stop_word(word) {
            parts.push_core(kin_of(stem));
        }
        i += 1;
    }
    parts
}

impl NameParts {
    fn push_core(&mut self, term: String) {
        self.core_keys.push(word_keys(&term));
        self.core.push(term);
        self.weights.push(1.0);
    }
}

/// The stem of a name word, the doer read as the deed: `auditor` as `audit`, `scanner` as `scan`,
/// `optimizer` as `optim`, so that `security-auditor` and `security-audit-expert` name one role.
/// Only long words ending in `-er` or `-or` are read so (`docker` stays itself); both sides of a
/// comparison are read the same way, so a word still matches itself.
fn name_stem(word: &str) -> String {
    let stem = stemmer().stem(word).into_owned();
    let doer = word.len() >= 7 && word.is_ascii() && (word.ends_with("er") || word.ends_with("or"));
    if !doer {
        return stem;
    }
    let mut deed = &word[..word.len() - 2];
    let bytes = deed.as_bytes();
    if bytes.len() >= 2 && bytes[bytes.len() - 1] == bytes[bytes.len() - 2] {
        deed = &deed[..deed.len() - 1]; // planner → plan, scanner → scan
    }
    let plain = stemmer().stem(deed).into_owned();
    let with_e = stemmer().stem(&format!("{deed}e")).into_owned(); // optimiz → optimize → optim
    [stem, plain, with_e]
        .into_iter()
        .min_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
        .expect("three candidates")
}

/// The stem of a name word read as its kind of work (`scan` as `audit`, `profil` as `optim`; the
/// word list's `[kin]`), or as it is.
fn kin_of(stem: String) -> String {
    static KIN: OnceLock<HashMap<String, String>> = OnceLock::new();
    let kin = KIN.get_or_init(|| {
        words::words()
            .kin()
            .map(|(k, w)| (name_stem(k), name_stem(w)))
            .filter(|(k, w)| k != w)
            .collect()
    });
    kin.get(&stem).cloned().unwrap_or(stem)
}

/// The stems of the filler words, so that `experts` or `developers` are filler too.
fn filler_stems() -> &'static HashSet<String> {
    static STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    STEMS.get_or_init(|| {
        words::words()
            .filler()
            .map(|w| stemmer().stem(w).into_owned())
            .collect()
    })
}

/// A name with its words separated. A name written with separators (`SEO Specialist`,
/// `React_Expert`, `k8s-architect`) already says where its words end, and a run of capitals in it is
/// one word (`SEO`, `AIOps`); a name in one run of letters (`PostgreSQLPro`) is cut where its case
/// changes.
fn spaced_name(name: &str) -> String {
    if name.chars().any(|c| !c.is_alphanumeric()) {
        return name.to_owned();
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Adjacent words joined where together they make a word the word list knows (`graph ql` →
/// `graphql`, `next js` → `nextjs`, `postgre sql` → `postgresql`): names cut at their capitals.
fn join_known_words(words: &[&str]) -> Vec<String> {
    let list = words::words();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        match words.get(i + 1).map(|next| format!("{}{next}", words[i])) {
            Some(joined) if list.is_known(&joined) => {
                out.push(joined);
                i += 2;
            }
            _ => {
                out.push(words[i].to_owned());
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_folds_case_width_and_markup() {
        assert_eq!(
            normalize_text("**Ｈello**, World! C# and C++ on .NET"),
            "hello world csharp and cpp on dotnet"
        );
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let ascii = "Use it -- for C# & C++ (on .NET), node.js; CI/CD_pipelines  2x!";
        assert_eq!(
            normalize_text(ascii),
            "use it for csharp cpp on dotnet nodejs cicd pipelines 2x"
        );
        // The same text with one non-ASCII letter takes the Unicode path.
        assert_eq!(
            normalize_text(&format!("{ascii} é")),
            format!("{} é", normalize_text(ascii))
        );
    }

    #[test]
    fn a_remembered_block_gives_what_working_it_out_gives() {
        let text = "Reviews **Go** services for race conditions.";
        let normalized = normalize_text(text);
        let expected: Vec<Term> = hashed_terms(&normalized).into_iter().map(term_id).collect();
        assert_eq!(term_ids(&normalized), expected);
        for _ in 0..2 {
            let mut got = None;
            with_block_terms(text, |hash, terms, _| got = Some((hash, terms.to_vec())));
            assert_eq!(
                got,
                Some((xxh3_64(normalized.as_bytes()), expected.clone()))
            );
        }
        let mut short = false;
        with_block_terms("a!", |_, _, _| short = true);
        assert!(!short, "too short to say anything");
    }

    #[test]
    fn a_copy_of_a_body_reads_as_the_body_read_afresh_and_keeps_its_own_frontmatter() {
        use crate::parse::parse_agent;
        let body = "# Go Reviewer\n\nYou are a reviewer of Go services.\n\nCheck the locks.\n";
        let agent = |name: &str, description: &str| {
            let text = format!("---\nname: {name}\ndescription: {description}\n---\n{body}");
            parse_agent(std::path::Path::new(&format!("{name}.md")), text.as_bytes()).unwrap()
        };
        let summary = |e: &Extracted| {
            let phrase_terms = e.role_terms.clone();
            (
                e.blocks.clone(),
                phrase_terms,
                e.body_len,
                e.copy_of,
                e.description_terms.clone(),
            )
        };
        let first = agent("go-reviewer", "Reviews Go code.");
        let other = agent("lock-checker", "Audits locking in services.");
        let table = BlockTerms::default();
        let (fresh, fresh_key) = extract_with_body_key(&first, &table);
        let (fresh_other, _) = extract_with_body_key(&other, &BlockTerms::default());
        // Seen once, twice, then remembered: every read gives what the first gave.
        for _ in 0..3 {
            let (again, key) = extract_with_body_key(&first, &table);
            assert_eq!(summary(&again), summary(&fresh));
            assert_eq!(key, fresh_key);
            assert_eq!(key, crate::mirrors::body_key(&first.body));
            let (copy, _) = extract_with_body_key(&other, &table);
            assert_eq!(summary(&copy), summary(&fresh_other));
            assert_eq!(copy.name.core, fresh_other.name.core);
        }
        assert_ne!(fresh.description_terms, fresh_other.description_terms);
        // A new table gets the blocks' terms even when the body is remembered.
        let new_table = BlockTerms::default();
        extract_with_body_key(&first, &new_table);
        assert_eq!(new_table.into_map().len(), table.into_map().len());
    }

    #[test]
    fn hashed_terms_agree_with_terms() {
        let text = "the golang reviewers use machine learning for k8s";
        let expected: Vec<u64> = terms(text).iter().map(|t| term_hash(t)).collect();
        assert_eq!(hashed_terms(text), expected);
        assert_eq!(hashed_terms(text), expected, "and again, from the cache");
    }

    #[test]
    fn terms_unify_spellings_and_stem() {
        assert_eq!(
            terms("golang k8s machine learning reviewers"),
            vec!["go", "kubernet", "ml", "review"]
        );
    }

    #[test]
    fn names_split_into_role_and_titles() {
        let p = name_parts("senior-python-expert");
        assert_eq!(p.core, vec!["python"]);
        assert_eq!(p.titles, vec!["senior", "expert"]);
        assert_eq!(name_parts("PostgreSQLPro").core, vec!["postgr"]);
        assert_eq!(name_parts("golang-pro").core, name_parts("go-expert").core);
    }

    #[test]
    fn names_read_capitals_snake_case_and_one_letter_words() {
        let core = |name: &str| name_parts(name).core;
        assert_eq!(core("SEO Specialist"), core("seo-specialist"));
        assert_eq!(core("SEO Specialist"), vec!["seo"]);
        assert_eq!(core("AI Engineer"), vec!["ai"]);
        assert_eq!(core("React_TypeScript_Expert"), vec!["react", "typescript"]);
        assert_eq!(core("NextJS_Expert"), core("nextjs-expert"));
        assert_eq!(core("GraphQLWizard"), vec!["graphql"]);
        assert_eq!(core("lang-c-specialist"), vec!["lang", "c"]);
        assert_ne!(core("lang-c-specialist"), core("lang-r-specialist"));
        assert_eq!(core("golang-guru"), core("go-expert"));
        assert_eq!(core("sre-engineer"), core("site-reliability-engineer"));
        assert_eq!(core("k8s-architect"), core("kubernetes-expert"));
        assert_eq!(core("ci-cd-expert"), core("cicd-specialist"));
        assert_eq!(core("ML_Engineer"), core("machine-learning-engineer"));
    }

    #[test]
    fn a_plugin_prefix_is_dropped_from_a_numbered_folder_too() {
        use crate::parse::parse_agent;
        use std::path::Path;
        let agent = |path: &str| {
            let text = b"---\nname: qa-kit-test-automator\ndescription: d\n---\nBody\n";
            parse_agent(Path::new(path), text).unwrap()
        };
        assert_eq!(
            role_name(&agent("plugins/qa-kit/agents/x.md")),
            "test-automator"
        );
        assert_eq!(
            role_name(&agent("07-plugins/03-qa-kit/agents/x.md")),
            "test-automator"
        );
        assert_eq!(
            role_name(&agent("plugins/other/agents/x.md")),
            "qa-kit-test-automator"
        );
        let named = |path: &str, name: &str| {
            let text = format!("---\nname: {name}\ndescription: d\n---\nBody\n");
            role_name(&parse_agent(Path::new(path), text.as_bytes()).unwrap())
        };
        assert_eq!(
            named("04-kubernetes/agents/x.md", "kubernetes-expert"),
            "kubernetes-expert",
            "a folder named for the role leaves the name whole"
        );
        assert_eq!(
            named("business/business-analyst.md", "business-analyst"),
            "business-analyst",
            "a file named as its agent keeps the folder's word"
        );
        assert_eq!(
            named(
                "agents/03-database/database-designer.md",
                "database-designer"
            ),
            "database-designer"
        );
    }

    #[test]
    fn a_phrase_of_the_word_list_is_stemmed_like_a_word() {
        assert_eq!(terms("dev ops teams"), terms("devops teams"));
        assert_eq!(name_parts("postgre-sql").core, name_parts("postgres").core);
        assert_eq!(
            name_parts("technical-writer").core,
            name_parts("documentation-specialist").core
        );
    }

    #[test]
    fn agents_that_declare_one_role_in_other_words_share_their_role_words() {
        use crate::parse::parse_agent;
        use std::path::Path;
        let agent = |i: usize, name: &str, description: &str, body: &str| {
            let text = format!("---\nname: {name}\ndescription: {description}\n---\n{body}\n");
            parse_agent(Path::new(&format!("{i}.md")), text.as_bytes()).unwrap()
        };
        let agents = [
            agent(
                0,
                "kite-sentinel",
                "Guards the sky.",
                "You are a meticulous kite auditor who checks every line.",
            ),
            agent(
                1,
                "line-checker",
                "Kite audit specialist focused on tangled lines.",
                "# Line Checker\n\nWorks on lines.",
            ),
            agent(
                2,
                "kite-painter",
                "Paints kites in bright colours.",
                "You are a kite painter with a fine brush.",
            ),
            agent(3, "no-role", "", "Plain notes only."),
        ];
        let (f, _) = featurize(&agents);
        let auditors = f[0].role.cosine(&f[1].role);
        assert!(auditors > 0.3, "{auditors}");
        assert!(f[0].role.cosine(&f[2].role) < auditors);
        assert!(f[3].role.is_empty(), "no declared role, no role words");
    }

    #[test]
    fn a_doer_in_a_name_is_read_as_the_deed() {
        let core = |name: &str| name_parts(name).core;
        assert_eq!(core("security-auditor"), core("security-audit-expert"));
        assert_eq!(core("vulnerability-scanner"), core("vulnerability-scan"));
        assert_eq!(
            core("performance-optimizer"),
            core("performance-optimization")
        );
        assert_eq!(
            core("docker-captain"),
            vec!["docker"],
            "short words stay themselves"
        );
    }

    #[test]
    fn a_word_most_names_of_a_collection_carry_weighs_little() {
        assert_eq!(name_word_weight(3, 100), 1.0, "a handful of names");
        assert_eq!(name_word_weight(10, 100), 1.0, "a tenth of them");
        assert!(name_word_weight(40, 100) < 0.25, "a collection's mark");
        assert_eq!(name_word_weight(5, 5), 1.0, "a small folder's shared role");
    }

    #[test]
    fn collections_are_the_folders_below_the_shared_one() {
        use crate::parse::parse_agent;
        use std::path::Path;
        let agent = |path: &str| {
            parse_agent(
                Path::new(path),
                b"---\nname: a\ndescription: d\n---\nBody\n",
            )
            .unwrap()
        };
        let agents = [
            agent("lib/acme/agents/a.md"),
            agent("lib/acme/b.md"),
            agent("lib/other/c.md"),
            agent("lib/d.md"),
        ];
        assert_eq!(collections(&agents), vec![0, 0, 1, 2]);
    }

    #[test]
    fn description_prose_drops_examples() {
        let d = "Use for X. Examples: <example>user: hi</example> and <example>more</example> done";
        assert_eq!(description_prose(d), "Use for X. Examples:  and  done");
    }

    #[test]
    fn cosine_of_identical_vectors_is_one_and_of_disjoint_is_zero() {
        let v = SparseVec::tf_idf(&[(1, 2), (2, 1)], 10, |_| 1.0);
        assert!((v.cosine(&v) - 1.0).abs() < 1e-5);
        let other = SparseVec::tf_idf(&[(3, 1)], 10, |_| 1.0);
        assert_eq!(v.cosine(&other), 0.0);
    }

    #[test]
    fn a_block_shared_by_many_files_is_boilerplate() {
        use crate::parse::parse_agent;
        use std::path::Path;
        let template = "## Team rules\n\nAlways report in the shared channel with a summary.\n";
        let agents: Vec<AgentFile> = (0..9)
            .map(|i| {
                let text = format!("---\nname: a{i}\ndescription: d\n---\nTopic{i} covers area{i} and field{i}.\n\n{template}");
                parse_agent(Path::new(&format!("{i}.md")), text.as_bytes()).unwrap()
            })
            .collect();
        let (features, vocab) = featurize(&agents);
        assert_eq!(vocab.boilerplate_blocks, 2, "the heading and the paragraph");
        assert!(features[0].boilerplate_share > 0.6);
        assert!(features[0].body.cosine(&features[1].body) < 0.2);
    }
}
