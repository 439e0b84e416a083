//! The pipeline, stage by stage: discover → parse → normalize → score → cluster → merge.
//!
//! Each stage lives in its own module; this one only runs them in order, with a progress bar per
//! phase, and assembles the [`Report`].

use crate::candidates::{self, Strategy};
use crate::cluster::{self, ClusterOptions};
use crate::diff;
use crate::discover::{self, BadInputPath, DiscoverOptions};
use crate::loads;
use crate::merge;
use crate::mirrors;
use crate::model::{
    AgentFile, Cluster, ClusterReport, Kind, Report, ScoreBreakdown, ScoredPair, Settings, Skipped,
    Tier,
};
use crate::normalize::{self, Features, Vocabulary};
use crate::parse;
use crate::parse::format;
use crate::progress::Progress;
use crate::score::{self, Weights};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Everything a scan can be told.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub discover: DiscoverOptions,
    /// How to choose the pairs to score; `None` picks by library size.
    pub strategy: Option<Strategy>,
    /// Compute a diff from each member to its merged file (for `--out` and Markdown reports).
    pub diffs: bool,
    pub weights: Weights,
    pub cluster: ClusterOptions,
    pub progress: Progress,
    /// Which of the files found are read (excludes, kinds).
    pub select: crate::config::Selection,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            discover: DiscoverOptions::default(),
            strategy: None,
            diffs: true,
            weights: Weights::default(),
            cluster: ClusterOptions::default(),
            progress: Progress::hidden(),
            select: Default::default(),
        }
    }
}

impl ScanOptions {
    fn settings(&self) -> Settings {
        Settings {
            threshold: self.cluster.threshold,
            copy_threshold: self.cluster.copy_threshold,
            weight_name: self.weights.name,
            weight_description: self.weights.description,
            weight_body: self.weights.body,
            weight_role: self.weights.role,
        }
    }
}

/// Agents read from disk, with their features: the common start of `scan`, `merge` and `explain`.
pub struct Library {
    pub scanned: usize,
    pub agents: Vec<AgentFile>,
    pub skipped: Vec<Skipped>,
    pub features: Vec<Features>,
    pub vocabulary: Vocabulary,
    /// Agents kept for several tools at once; counted once in the statistics.
    pub mirror_sets: Vec<crate::model::MirrorSet>,
}

impl Library {
    /// Discovers, reads and featurizes every agent under `inputs`, in one pass over the files: each
    /// body is let go as soon as its file is read, so the text of the library is never all in
    /// memory; only cluster members are read again, to be merged.
    pub fn load(inputs: &[PathBuf], options: &ScanOptions) -> Result<Library, BadInputPath> {
        let bar = options.progress.phase("discover", 0);
        let discovered = discover::discover(inputs, options.discover);
        bar.finish(); // before `?`: a bar dropped unfinished would stay drawn above the error
        let mut discovered = discovered?;
        discovered
            .files
            .retain(|f| !options.select.excluded(f, inputs));
        let scanned = discovered.files.len() + discovered.skipped.len();
        let roots = reference_roots(inputs);
        let block_terms = normalize::BlockTerms::default();
        let read = read_all(&discovered.files, &roots, options, &block_terms);
        normalize::forget_what_threads_read();
        let (agents, mut skipped) = (read.agents, read.skipped);
        skipped.extend(discovered.skipped);
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        let mirror_sets = mirrors::mirror_sets_by_body_key(&agents, &read.body_keys);
        let counted = mirrors::counted(agents.len(), &mirror_sets);
        let bar = options.progress.phase("featurize", agents.len() as u64);
        let (features, vocabulary) =
            normalize::featurize_extracted(read.extracted, block_terms, &agents, &counted);
        bar.inc(agents.len() as u64);
        bar.finish();
        Ok(Library {
            scanned,
            agents,
            skipped,
            features,
            vocabulary,
            mirror_sets,
        })
    }

    /// The report of a run over this library.
    fn into_report(
        self,
        inputs: &[PathBuf],
        clusters: Vec<ClusterReport>,
        options: &ScanOptions,
        pairs_scored: usize,
    ) -> Report {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let description_cost =
            crate::cost::description_cost(&self.agents, &clusters, home.as_deref());
        Report {
            description_cost,
            inputs: inputs.to_vec(),
            scanned: self.scanned,
            name_collisions: loads::name_collisions(&self.agents, home.as_deref()),
            mirror_sets: self.mirror_sets,
            skipped: self.skipped,
            clusters,
            settings: options.settings(),
            boilerplate_blocks: self.vocabulary.boilerplate_blocks,
            boilerplate_threshold: self.vocabulary.boilerplate_threshold,
            pairs_scored,
            agents: self.agents,
            accepted: Default::default(),
            references: Vec::new(),
        }
    }

    pub fn index_of(&self, path: &Path) -> Option<usize> {
        self.agents.iter().position(|a| a.path == path)
    }

    /// Each agent's first copy in its tool's scope (see [`candidates::first_copies`]).
    pub fn first_copies(&self) -> Vec<u32> {
        candidates::first_copies(&self.features, &self.scopes())
    }

    fn kinds(&self) -> Vec<Kind> {
        self.agents.iter().map(|a| a.kind).collect()
    }

    /// Each agent's tool scope as a number: agents of different tools are never clustered, since
    /// each tool loads its own copy (a consolidation acts within one tool's folder at a time).
    fn scopes(&self) -> Vec<u32> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        self.agents
            .iter()
            .map(|a| {
                let next = ids.len() as u32;
                *ids.entry(format::scope(&a.path, a.format)).or_insert(next)
            })
            .collect()
    }
}

/// The folders a reference inside a file (a Kiro `file://` prompt) may lead into: the folders
/// given, and the folders of the files given, canonical.
fn reference_roots(inputs: &[PathBuf]) -> Vec<PathBuf> {
    inputs
        .iter()
        .filter_map(|input| {
            let folder = if input.is_dir() {
                input.as_path()
            } else {
                input.parent().filter(|p| !p.as_os_str().is_empty())?
            };
            std::fs::canonicalize(folder).ok()
        })
        .chain(std::fs::canonicalize(".").ok().filter(|_| {
            inputs
                .iter()
                .any(|i| !i.is_dir() && i.parent().is_none_or(|p| p.as_os_str().is_empty()))
        }))
        .collect()
}

/// The agents of a library as [`read_all`] leaves them: without their bodies, which are held
/// as what comparing them needs.
struct Read {
    agents: Vec<AgentFile>,
    /// Each agent's [`mirrors::body_key`].
    body_keys: Vec<u64>,
    extracted: Vec<normalize::Extracted>,
    skipped: Vec<Skipped>,
}

/// Reads, parses and [`normalize::extract`]s files in parallel, each body let go once extracted;
/// the order of `files` is kept (a file holding several definitions gives them in its own order).
/// Definitions of kinds not selected are skipped.
fn read_all(
    files: &[PathBuf],
    roots: &[PathBuf],
    options: &ScanOptions,
    block_terms: &normalize::BlockTerms,
) -> Read {
    let bar = options.progress.phase("read", files.len() as u64);
    type Definitions = Vec<(AgentFile, u64, normalize::Extracted)>;
    let results: Vec<(Definitions, Vec<Skipped>)> = files
        .par_iter()
        .map(|path| {
            let result = parse::read_definitions(path, roots);
            bar.inc(1);
            let mut definitions = match result {
                Ok(definitions) => definitions,
                Err(skip) => return (Vec::new(), vec![skip]),
            };
            let mut not_selected = Vec::new();
            options
                .select
                .keep_kinds(&mut definitions, &mut not_selected);
            let extracted = definitions
                .into_iter()
                .map(|mut agent| {
                    let (extracted, body_key) =
                        normalize::extract_with_body_key(&agent, block_terms);
                    agent.body = String::new();
                    (agent, body_key, extracted)
                })
                .collect();
            (extracted, not_selected)
        })
        .collect();
    bar.finish();
    let mut read = Read {
        agents: Vec::new(),
        body_keys: Vec::new(),
        extracted: Vec::new(),
        skipped: Vec::new(),
    };
    for (definitions, skipped) in results {
        for (agent, body_key, extracted) in definitions {
            read.agents.push(agent);
            read.body_keys.push(body_key);
            read.extracted.push(extracted);
        }
        read.skipped.extend(skipped);
    }
    read
}

/// Scans `inputs`: finds the clusters and proposes a merge for each.
pub fn scan(inputs: &[PathBuf], options: &ScanOptions) -> Result<Report, BadInputPath> {
    scan_keeping_pairs(inputs, options, false).map(|(report, _)| report)
}

/// [`scan`], also returning every scored pair (those at or above [`score::KEEP_FLOOR`]).
pub fn scan_with_pairs(
    inputs: &[PathBuf],
    options: &ScanOptions,
) -> Result<(Report, Vec<ScoredPair>), BadInputPath> {
    scan_keeping_pairs(inputs, options, true)
}

/// The scan; the pairs are returned when `keep_pairs`, else let go before merging.
fn scan_keeping_pairs(
    inputs: &[PathBuf],
    options: &ScanOptions,
    keep_pairs: bool,
) -> Result<(Report, Vec<ScoredPair>), BadInputPath> {
    let mut library = Library::load(inputs, options)?;
    let first_copy = library.first_copies();
    let mut pairs = score_library(&library, &first_copy, options);
    let phase = options.progress.phase("cluster", pairs.len() as u64);
    let clusters = cluster::cluster(
        &library.agents,
        &library.features,
        &pairs,
        &first_copy,
        &options.cluster,
    );
    phase.inc(pairs.len() as u64);
    phase.finish();
    // Merging reads the members again and needs neither features nor the pairs (each cluster keeps
    // its own): their memory goes to the merges.
    library.features = Vec::new();
    let pairs_scored = pairs.len();
    if !keep_pairs {
        pairs = Vec::new();
    }
    let clusters = merge_clusters(&library.agents, clusters, &first_copy, options);
    let report = library.into_report(inputs, clusters, options, pairs_scored);
    Ok((report, pairs))
}

/// The candidate pairs scored, those across tools left out.
fn score_library(library: &Library, first_copy: &[u32], options: &ScanOptions) -> Vec<ScoredPair> {
    let scopes = library.scopes();
    let mut pairs = score_library_all_tools(library, first_copy, options);
    pairs.retain(|p| scopes[p.a] == scopes[p.b]);
    pairs
}

fn score_library_all_tools(
    library: &Library,
    first_copy: &[u32],
    options: &ScanOptions,
) -> Vec<ScoredPair> {
    let n = library.agents.len();
    let kinds = library.kinds();
    match options
        .strategy
        .unwrap_or_else(|| candidates::strategy_for(n, false))
    {
        Strategy::Exhaustive => {
            let bar = options
                .progress
                .phase("score", (n * n.saturating_sub(1) / 2) as u64);
            let pairs = score::score_all_pairs_with_progress(
                &library.features,
                &kinds,
                &options.weights,
                |k| bar.inc(k),
            );
            bar.finish();
            pairs
        }
        Strategy::Indexed => {
            let bar = options.progress.phase("candidates", n as u64);
            let candidates = candidates::indexed_candidates_with_progress(
                &library.features,
                &kinds,
                first_copy,
                || bar.inc(1),
            );
            bar.finish();
            let total: usize = candidates.iter().map(Vec::len).sum();
            let bar = options.progress.phase("score", total as u64);
            let pairs = score::score_candidate_pairs_with_progress(
                &library.features,
                &kinds,
                &options.weights,
                &candidates,
                |k| bar.inc(k),
            );
            bar.finish();
            pairs
        }
    }
}

/// Merges every cluster, numbers them `c1`, `c2`, … (largest first) and attaches the diffs.
fn merge_clusters(
    agents: &[AgentFile],
    mut clusters: Vec<Cluster>,
    first_copy: &[u32],
    options: &ScanOptions,
) -> Vec<ClusterReport> {
    let bar = options.progress.phase("merge", clusters.len() as u64);
    clusters.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.cmp(&b.members))
    });
    let names = unique_names(agents, &clusters);
    let mut reports: Vec<ClusterReport> = clusters
        .into_par_iter()
        .zip(names)
        // One cache of word sets per piece of work: clusters share much of their text.
        .map_init(merge::TermCache::default, |cache, (cluster, name)| {
            let report = merge_cluster(agents, cluster, name, first_copy, options.diffs, cache);
            bar.inc(1);
            report
        })
        .collect();
    bar.finish();
    reports.sort_by(|a, b| {
        b.cluster
            .members
            .len()
            .cmp(&a.cluster.members.len())
            .then(a.cluster.members.cmp(&b.cluster.members))
    });
    for (i, report) in reports.iter_mut().enumerate() {
        report.id = format!("c{}", i + 1);
    }
    reports
}

/// The merged name of every cluster, in order: each cluster's proposal ([`merge::propose_name`]),
/// unless a merged file named earlier or an agent outside the cluster already has it (a clash
/// `apply` would create in the library). Then a member's name, the job word before the name
/// (`data-analyst`), and only as a last resort a number.
fn unique_names(agents: &[AgentFile], clusters: &[Cluster]) -> Vec<merge::NameChoice> {
    let mut holders: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in agents.iter().enumerate() {
        holders
            .entry(merge::sanitize_name(&a.display_name()))
            .or_default()
            .push(i);
    }
    let mut assigned: std::collections::HashSet<String> = std::collections::HashSet::new();
    clusters
        .iter()
        .map(|c| {
            let members: Vec<&AgentFile> = c.members.iter().map(|&i| &agents[i]).collect();
            let rep = c
                .members
                .iter()
                .position(|&m| m == c.representative)
                .expect("representative is a member");
            let mut choice = merge::propose_name(&members, rep);
            let taken = |name: &str| {
                assigned.contains(name)
                    || holders
                        .get(name)
                        .is_some_and(|h| h.iter().any(|i| !c.members.contains(i)))
            };
            if taken(&choice.name) {
                let wanted = choice.name.clone();
                let alternatives = merge::alternative_names(&members, rep, &wanted);
                let name = alternatives
                    .into_iter()
                    .chain((2..).map(|n| format!("{wanted}-{n}")))
                    .find(|n| !taken(n))
                    .expect("numbers never run out");
                let holder = if assigned.contains(&wanted) {
                    "the merged file of another cluster".to_owned()
                } else {
                    holders[&wanted]
                        .iter()
                        .find(|i| !c.members.contains(i))
                        .map(|&i| format!("`{}`", agents[i].path.display()))
                        .unwrap_or_default()
                };
                choice.why = format!(
                    "{}; `{wanted}` is already the name of {holder}, so `{name}`, to keep names unique after `apply`",
                    choice.why
                );
                choice.dropped.push(wanted);
                choice.dropped.retain(|d| *d != name);
                choice.name = name;
            }
            assigned.insert(choice.name.clone());
            choice
        })
        .collect()
}

fn merge_cluster(
    agents: &[AgentFile],
    cluster: Cluster,
    name: merge::NameChoice,
    first_copy: &[u32],
    with_diffs: bool,
    cache: &mut merge::TermCache,
) -> ClusterReport {
    let loaded: Vec<Reread> = cluster
        .members
        .iter()
        .map(|&i| reread_member(&agents[i], with_diffs))
        .collect();
    // Members that are no longer what the scan read are left out; when none is left, the merge is
    // made of what the scan read of their frontmatter, without bodies (the warnings say so).
    let mut kept: Vec<usize> = (0..loaded.len()).filter(|&i| !loaded[i].left_out).collect();
    if kept.is_empty() {
        kept = (0..loaded.len()).collect();
    }
    let members: Vec<&AgentFile> = kept.iter().map(|&i| &loaded[i].agent).collect();
    let kept_members: Vec<usize> = kept.iter().map(|&i| cluster.members[i]).collect();
    // The representative, or when it was left out, the member most like it.
    let by_similarity = by_similarity_to(
        &cluster.members,
        cluster.representative,
        &cluster.pairs,
        first_copy,
    );
    let representative_at = cluster
        .members
        .iter()
        .position(|&m| m == cluster.representative)
        .expect("representative is a member");
    let rep_position = std::iter::once(representative_at)
        .chain(by_similarity)
        .find(|i| kept.contains(i))
        .unwrap_or(kept[0]);
    let representative = cluster.members[rep_position];
    let rep = kept.iter().position(|&i| i == rep_position).expect("kept");
    let order = by_similarity_to(&kept_members, representative, &cluster.pairs, first_copy);
    let mut merged = merge::merge_named(&members, rep, &order, name, cache);
    in_own_format(members[rep], &mut merged);
    merged
        .decisions
        .extend(loaded.iter().filter_map(|r| r.warning.clone()));
    merged.diffs = loaded
        .iter()
        .filter(|r| with_diffs && !r.left_out)
        .map(|r| member_diff(&r.agent.path, &r.original, &merged.name, &merged.text))
        .collect();
    ClusterReport {
        id: String::new(),
        cluster,
        merged,
    }
}

/// The merged definition written in the representative's own format and dialect: TOML, JSON or
/// CrewAI YAML where it is one of those, and without a `name` key where its tool names it by its
/// path (commands, rules, OpenCode agents) and it had none.
fn in_own_format(representative: &AgentFile, merged: &mut crate::model::MergedAgent) {
    let named_by_path = parse::format::path_identity(
        &representative.path,
        representative.format,
        representative.kind,
    )
    .is_some();
    let mut changed = false;
    if named_by_path && representative.frontmatter.get("name").is_none() {
        changed = merged.frontmatter.entries.remove("name").is_some();
    }
    if changed
        || parse::format::detect(&representative.path).syntax != parse::format::Syntax::Markdown
    {
        merged.text = parse::readers::write_like(representative, &merged.frontmatter, &merged.body);
    }
}

/// A cluster member read again from disk, for merging and diffing.
#[derive(Debug)]
pub struct Reread {
    /// The member with its body, or as the scan left it (without its body) when it is left out.
    pub agent: AgentFile,
    /// Its text, for diffs: empty unless asked for, and when it is left out.
    pub original: String,
    /// Why it is left out of the merge.
    pub warning: Option<crate::model::MergeDecision>,
    /// Whether it is left out of the merge: it cannot be read again, or is no longer the file, or
    /// the bytes, that the scan read.
    pub left_out: bool,
}

/// Reads a member again, by the rules of the scan's first read (a regular file, opened without
/// blocking, at most [`parse::MAX_FILE_BYTES`]), and only when it is still the file the scan read,
/// with the same bytes: a member replaced after the read (by a named pipe, a link to a file outside
/// the library, a file grown huge, or an edit) is left out of the merge with a warning, and nothing
/// of what replaced it is kept. `original`, the text, is only kept for diffs when `with_original`.
pub fn reread_member(scanned: &AgentFile, with_original: bool) -> Reread {
    let left_out = |why: String| Reread {
        agent: scanned.clone(),
        original: String::new(),
        warning: Some(crate::model::MergeDecision {
            field: "warning".into(),
            chose: scanned.path.display().to_string(),
            why: format!("{why}; left out of the merge (scan again to include it)"),
            dropped: vec![],
        }),
        left_out: true,
    };
    let (bytes, file_id) = match parse::read_file(&scanned.path) {
        Ok(read) => read,
        Err(skip) => return left_out(format!("{} when read again to merge", skip.reason)),
    };
    if scanned.file_id.is_some() && file_id != scanned.file_id {
        return left_out(
            "is no longer the file the scan read (replaced, or made a link, during the scan)"
                .into(),
        );
    }
    let Some(agent) = unchanged(scanned, &bytes) else {
        return left_out("changed while it was being scanned".into());
    };
    let original = if with_original {
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    } else {
        String::new()
    };
    Reread {
        agent,
        original,
        warning: None,
        left_out: false,
    }
}

/// The scanned agent with its body back, when `bytes` are the bytes the scan read: parsing is
/// pure, so the frontmatter and diagnostics the scan kept are what a new full parse would give, and
/// only the body (freed after featurizing) needs reading again.
fn unchanged(scanned: &AgentFile, bytes: &[u8]) -> Option<AgentFile> {
    if parse::content_hash(bytes) != scanned.content_hash {
        return None;
    }
    let body = parse::body_again(scanned, bytes)?;
    Some(AgentFile {
        body,
        ..scanned.clone()
    })
}

/// Positions in `members` of the non-representatives, most similar to the representative first. A
/// member not scored against the representative has the score of its first copy against the
/// representative's copies (`first_copy`; copies of one definition are scored once).
fn by_similarity_to(
    members: &[usize],
    representative: usize,
    pairs: &[ScoredPair],
    first_copy: &[u32],
) -> Vec<usize> {
    let scores_with = |is_representative: &dyn Fn(usize) -> bool, key: &dyn Fn(usize) -> usize| {
        let mut score: HashMap<usize, f32> = HashMap::new();
        for p in pairs {
            let other = match (is_representative(p.a), is_representative(p.b)) {
                (true, false) => p.b,
                (false, true) => p.a,
                _ => continue,
            };
            score.entry(key(other)).or_insert(p.score.total);
        }
        score
    };
    let direct = scores_with(&|m| m == representative, &|m| m);
    let first = |m: usize| first_copy[m] as usize;
    let by_copies = scores_with(&|m| first(m) == first(representative), &first);
    let score: HashMap<usize, f32> = members
        .iter()
        .filter_map(|&m| {
            let s = direct.get(&m).or_else(|| by_copies.get(&first(m)))?;
            Some((m, *s))
        })
        .collect();
    let mut order: Vec<usize> = (0..members.len())
        .filter(|&i| members[i] != representative)
        .collect();
    order.sort_by(|&x, &y| {
        let (sx, sy) = (
            score.get(&members[x]).unwrap_or(&0.0),
            score.get(&members[y]).unwrap_or(&0.0),
        );
        sy.total_cmp(sx).then(x.cmp(&y))
    });
    order
}

fn member_diff(
    path: &Path,
    original: &str,
    merged_name: &str,
    merged_text: &str,
) -> crate::model::MemberDiff {
    // The path as a label, escaped: a newline in a file name must not end the diff's header line.
    let label = crate::terminal::path(path);
    crate::model::MemberDiff {
        path: path.to_owned(),
        unified: diff::unified(&label, original, &format!("{merged_name}.md"), merged_text),
    }
}

/// Merges an explicit set of files into one cluster, whatever their scores.
pub fn merge_files(
    files: &[PathBuf],
    options: &ScanOptions,
) -> Result<(Report, Vec<Skipped>), BadInputPath> {
    let library = Library::load(files, options)?;
    let pairs = score_library_all(&library, options);
    let members: Vec<usize> = (0..library.agents.len()).collect();
    let mut clusters = Vec::new();
    if members.len() >= 2 {
        let groups = vec![members];
        let forced = ClusterOptions {
            threshold: f32::MIN,
            ..options.cluster
        };
        let c = cluster_as_given(&library, &pairs, groups, &forced);
        let every_pair_scored: Vec<u32> = (0..library.agents.len() as u32).collect();
        clusters = merge_clusters(&library.agents, c, &every_pair_scored, options);
    }
    let skipped = library.skipped.clone();
    let report = library.into_report(files, clusters, options, pairs.len());
    Ok((report, skipped))
}

/// Every pair scored, none left out: for merging a set the user chose.
fn score_library_all(library: &Library, options: &ScanOptions) -> Vec<ScoredPair> {
    let n = library.agents.len();
    let mut pairs = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let score =
                score::score_pair(&library.features[a], &library.features[b], &options.weights);
            pairs.push(ScoredPair { a, b, score });
        }
    }
    pairs
}

fn cluster_as_given(
    library: &Library,
    pairs: &[ScoredPair],
    groups: Vec<Vec<usize>>,
    options: &ClusterOptions,
) -> Vec<Cluster> {
    groups
        .into_iter()
        .map(|members| cluster::describe_group(members, pairs, &library.features, options))
        .collect()
}

/// Why two agents match, or not: the parts of their score in the context of a library.
pub struct Explanation {
    pub a: AgentFile,
    pub b: AgentFile,
    pub score: ScoreBreakdown,
    pub threshold: f32,
    pub same_kind: bool,
    /// Distinctive terms both use, heaviest first.
    pub shared_terms: Vec<String>,
    /// How many files the statistics came from.
    pub library_size: usize,
    pub tier_if_clustered: Tier,
    /// What a scan of the same library does with the two: the other members of each one's cluster
    /// (empty when it stays alone), and whether that is one cluster.
    pub scan: ScanVerdict,
}

/// Where a scan of the library puts the two agents of an explanation. Average linkage judges a
/// join by every member, so a pair above the threshold can still end apart (and, rarely, a pair
/// below it together).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScanVerdict {
    pub together: bool,
    pub cluster_of_a: Vec<PathBuf>,
    pub cluster_of_b: Vec<PathBuf>,
}

/// Scores `a` against `b`, with term rarity and boilerplate judged over `library` (plus the two).
pub fn explain(
    a: &Path,
    b: &Path,
    library: &[PathBuf],
    options: &ScanOptions,
) -> Result<Explanation, BadInputPath> {
    let mut inputs: Vec<PathBuf> = library.to_vec();
    inputs.push(a.to_owned());
    inputs.push(b.to_owned());
    let lib = Library::load(&inputs, options)?;
    let find = |p: &Path| {
        lib.index_of(p).ok_or_else(|| BadInputPath {
            path: p.to_owned(),
            problem: match lib.skipped.iter().find(|s| s.path == p) {
                Some(s) => format!("cannot be compared: {}", s.reason),
                None => "not read as an agent".to_owned(),
            },
        })
    };
    let (ia, ib) = (find(a)?, find(b)?);
    let score = score::score_pair(&lib.features[ia], &lib.features[ib], &options.weights);
    let pair = ScoredPair {
        a: ia.min(ib),
        b: ia.max(ib),
        score,
    };
    let described = cluster::describe_group(
        vec![pair.a, pair.b],
        &[pair],
        &lib.features,
        &options.cluster,
    );
    let scan = scan_verdict(&lib, options, ia, ib);
    Ok(Explanation {
        scan,
        same_kind: lib.agents[ia].kind == lib.agents[ib].kind,
        a: lib.agents[ia].clone(),
        b: lib.agents[ib].clone(),
        score,
        threshold: options.cluster.threshold,
        shared_terms: described.shared_terms,
        library_size: lib.agents.len(),
        tier_if_clustered: described.tier,
    })
}

/// Clusters the library as `scan` would and says where `a` and `b` end.
fn scan_verdict(lib: &Library, options: &ScanOptions, a: usize, b: usize) -> ScanVerdict {
    let first_copy = lib.first_copies();
    let pairs = score_library(lib, &first_copy, options);
    let groups =
        cluster::group_with_copies(lib.agents.len(), &pairs, &first_copy, &options.cluster);
    let group_of = |x: usize| groups.iter().find(|g| g.contains(&x));
    let others = |x: usize| -> Vec<PathBuf> {
        group_of(x).map_or_else(Vec::new, |g| {
            g.iter()
                .filter(|&&m| m != x)
                .map(|&m| lib.agents[m].path.clone())
                .collect()
        })
    };
    ScanVerdict {
        together: group_of(a).is_some_and(|g| g.contains(&b)),
        cluster_of_a: others(a),
        cluster_of_b: others(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(path: &str, name: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: d\n---\nBody\n");
        parse::parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    fn group(members: Vec<usize>) -> Cluster {
        Cluster {
            representative: members[0],
            members,
            tier: Tier::Variant,
            min_score: 0.5,
            max_score: 0.5,
            shared_terms: vec![],
            copy_groups: vec![],
            pairs: vec![],
        }
    }

    #[test]
    fn merged_names_are_unique_in_a_scan_and_clash_with_no_agent_outside_the_cluster() {
        let agents = vec![
            named("a/data-analyst.md", "data-analyst"),
            named("b/data-analyst.md", "data-analyst"),
            named("c/data-analyst.md", "data-analyst"),
            named("d/bi-analyst.md", "bi-analyst"),
            named("e/seo-writer.md", "seo-writer"),
            named("f/seo-writer.md", "seo-writer"),
        ];
        // Two clusters whose members are called `data-analyst` (and `bi-analyst`).
        let clusters = [group(vec![0, 3]), group(vec![1, 2])];
        let names: Vec<String> = unique_names(&agents, &clusters)
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names.len(), 2);
        assert_ne!(names[0], names[1], "{names:?}");
        // `data-analyst` is held by c/ and b/ outside the first cluster: it takes another name.
        assert_ne!(names[0], "data-analyst");
        // A cluster whose name an agent outside it (`seo-writer` in f/) already has.
        let alone = unique_names(&agents, &[group(vec![4, 3])]);
        assert_ne!(alone[0].name, "seo-writer", "{alone:?}");
        assert!(alone[0].why.contains("already the name of"), "{alone:?}");
    }

    fn scanned(path: &Path, text: &str) -> AgentFile {
        std::fs::write(path, text).unwrap();
        let mut agent = parse::read_agent_file(path).unwrap();
        agent.body = String::new(); // as `Library::load` leaves it
        agent
    }

    #[test]
    fn one_pass_over_the_files_gives_the_features_of_the_whole_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let template = "## Team rules\n\nAlways report in the shared channel with a summary.\n";
        let files: Vec<PathBuf> = (0..9)
            .map(|i| {
                let path = dir.path().join(format!("a{i}.md"));
                let text = format!(
                    "---\nname: a{i}\ndescription: Reviews area{i}.\n---\nTopic{i} covers area{i}.\n\n{template}"
                );
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let library = Library::load(&files, &ScanOptions::default()).unwrap();
        assert!(
            library.agents.iter().all(|a| a.body.is_empty()),
            "bodies let go"
        );
        let whole: Vec<AgentFile> = files
            .iter()
            .map(|f| parse::read_agent_file(f).unwrap())
            .collect();
        let (expected, vocabulary) = normalize::featurize(&whole);
        assert_eq!(
            vocabulary.boilerplate_blocks, 2,
            "the template, counted by hash"
        );
        assert_eq!(
            library.vocabulary.boilerplate_blocks,
            vocabulary.boilerplate_blocks
        );
        assert_eq!(format!("{:?}", library.features), format!("{expected:?}"));
    }

    #[test]
    fn members_replaced_after_the_read_are_neither_merged_nor_diffed() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|n| {
                let path = dir.path().join(format!("{n}.md"));
                let text = format!(
                    "---\nname: reviewer\ndescription: Reviews code.\n---\n\nYou review code.\n\n{n} checks {n}.\n"
                );
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let library = Library::load(&files, &ScanOptions::default()).unwrap();
        let options = ClusterOptions::default();
        let group = || cluster::describe_group(vec![0, 1, 2], &[], &library.features, &options);
        let merge = || {
            let members: Vec<&AgentFile> = library.agents.iter().collect();
            let name = merge::propose_name(&members, 0);
            merge_cluster(
                &library.agents,
                group(),
                name,
                &[0, 1, 2],
                true,
                &mut merge::TermCache::default(),
            )
        };
        let representative = group().representative;
        let replaced = &files[representative];
        std::fs::write(
            replaced,
            "---\nname: x\ndescription: OUTSIDE\n---\nOUTSIDE\n",
        )
        .unwrap();
        let report = merge();
        assert!(
            !report.merged.text.contains("OUTSIDE"),
            "{}",
            report.merged.text
        );
        let diffed: Vec<&PathBuf> = report.merged.diffs.iter().map(|d| &d.path).collect();
        assert_eq!(diffed.len(), 2);
        assert!(!diffed.contains(&replaced));
        let warning = report
            .merged
            .decisions
            .iter()
            .find(|d| d.field == "warning");
        assert!(warning.is_some_and(|w| w.chose == replaced.display().to_string()));
        // Every member replaced: the scan's own reading of their frontmatter, and no body.
        for path in &files {
            std::fs::write(path, "OUTSIDE").unwrap();
        }
        let report = merge();
        assert!(!report.merged.text.contains("OUTSIDE"));
        assert!(report.merged.diffs.is_empty());
        assert!(report.merged.text.contains("Reviews code."));
    }

    #[test]
    fn an_unchanged_member_reads_as_a_full_parse_would() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        let text = "\u{feff}---\r\nname: a\r\ndescription: Use it: now\r\n---\r\n# A\r\n\r\nBody ‚Äî text\r\n";
        let agent = scanned(&path, text);
        let again = reread_member(&agent, true);
        let full = parse::read_agent_file(&path).unwrap();
        assert!(again.warning.is_none());
        assert_eq!(again.agent.body, full.body);
        assert_eq!(again.agent.frontmatter, full.frontmatter);
        assert_eq!(again.agent.diagnostics, full.diagnostics);
        assert_eq!(again.original, text.replace("\r\n", "\n"));
        assert!(reread_member(&agent, false).original.is_empty());

        std::fs::write(&path, "---\nname: a\ndescription: d\n---\nNew body\n").unwrap();
        let changed = reread_member(&agent, true);
        assert!(changed.left_out);
        assert!(changed.warning.unwrap().why.starts_with("changed while"));
        assert!(changed.agent.body.is_empty() && changed.original.is_empty());
    }
}
