//! Criterion benches for the hot stages of a scan, through the library API, on a synthetic library
//! of 2,000 agents (`examples/synth.rs --n 2000 --seed 1`, written to `target/synth-bench/2000` the
//! first time and reused after).
//!
//! ```text
//! cargo bench --bench stages                 # all stages, about a minute and a half
//! cargo bench --bench stages -- score        # one stage (criterion's name filter)
//! ```
//!
//! Each stage is measured alone on the output of the stages before it, computed once in setup:
//! parse (every file's bytes, one after the other, no I/O), featurize (the whole library), candidates
//! (the inverted index), score (the candidate pairs; and `score_pair` on 10,000 of them one by one),
//! cluster (`cluster::group` over the scored pairs) and merge (the five largest clusters).
//! featurize, candidates and score_candidate_pairs run on rayon's pool, as in a scan; the others
//! run on one thread.
//!
//! Not run by `cargo test` (benches are built only by `cargo bench` or `cargo test --benches`; under
//! the latter criterion runs each bench once, as a smoke test).

use agent_dedup::candidates::{first_copies, indexed_candidates};
use agent_dedup::cluster::{self, ClusterOptions};
use agent_dedup::discover::{discover, DiscoverOptions};
use agent_dedup::merge;
use agent_dedup::model::{AgentFile, Cluster, Kind, ScoredPair};
use agent_dedup::normalize::{featurize, Features};
use agent_dedup::parse::parse_agent;
use agent_dedup::score::{score_candidate_pairs, score_pair, Weights};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const N: usize = 2000;
const SEED: u64 = 1;
/// How many candidate pairs `score_pair` is timed on, one after the other.
const SINGLE_PAIRS: usize = 10_000;
/// How many of the largest clusters the merge bench merges.
const MERGED_CLUSTERS: usize = 5;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The synthetic library, generated once with the `synth` example (built if need be).
fn library_dir() -> PathBuf {
    let dir = target_dir().join("synth-bench").join(N.to_string());
    if dir.join("truth.tsv").is_file() {
        return dir;
    }
    let synth = target_dir().join("release/examples/synth");
    if !synth.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--quiet", "--example", "synth"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo to build the synth example");
        assert!(status.success(), "building the synth example failed");
    }
    let _ = std::fs::remove_dir_all(&dir); // a half-written library from an interrupted run
    let status = Command::new(&synth)
        .args(["--n", &N.to_string(), "--seed", &SEED.to_string(), "--out"])
        .arg(&dir)
        .status()
        .expect("run the synth example");
    assert!(status.success(), "synth failed to write {}", dir.display());
    dir
}

/// Everything the stages need, computed once.
struct Fixture {
    files: Vec<(PathBuf, Vec<u8>)>,
    agents: Vec<AgentFile>,
    features: Vec<Features>,
    kinds: Vec<Kind>,
    candidates: Vec<Vec<u32>>,
    pairs: Vec<ScoredPair>,
    /// The largest clusters, each with the member order the pipeline would merge in.
    largest: Vec<(Cluster, usize, Vec<usize>)>,
}

fn fixture() -> Fixture {
    let dir = library_dir();
    let found = discover(std::slice::from_ref(&dir), DiscoverOptions::default()).expect("discover");
    let files: Vec<(PathBuf, Vec<u8>)> = found
        .files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read a synthetic file");
            (p, bytes)
        })
        .collect();
    let agents: Vec<AgentFile> = files
        .iter()
        .filter_map(|(p, b)| parse_agent(p, b).ok())
        .collect();
    let (features, _) = featurize(&agents);
    let kinds: Vec<Kind> = agents.iter().map(|a| a.kind).collect();
    let first_copy = first_copies(&features, &vec![0; features.len()]);
    let candidates = indexed_candidates(&features, &kinds, &first_copy);
    let pairs = score_candidate_pairs(&features, &kinds, &Weights::default(), &candidates);
    let mut clusters = cluster::cluster(
        &agents,
        &features,
        &pairs,
        &first_copy,
        &ClusterOptions::default(),
    );
    clusters.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.cmp(&b.members))
    });
    let largest = clusters
        .into_iter()
        .take(MERGED_CLUSTERS)
        .map(|c| {
            let rep = c
                .members
                .iter()
                .position(|&m| m == c.representative)
                .expect("representative is a member");
            let order = merge_order(&c, &pairs);
            (c, rep, order)
        })
        .collect();
    eprintln!(
        "stages fixture: {} files, {} agents, {} candidate pairs, {} scored pairs kept, from {}",
        files.len(),
        agents.len(),
        candidates.iter().map(Vec::len).sum::<usize>(),
        pairs.len(),
        dir.display()
    );
    Fixture {
        files,
        agents,
        features,
        kinds,
        candidates,
        pairs,
        largest,
    }
}

/// Positions of the non-representatives in `cluster.members`, most similar to the representative
/// first (what `pipeline.rs` hands to `merge`).
fn merge_order(cluster: &Cluster, pairs: &[ScoredPair]) -> Vec<usize> {
    let rep = cluster.representative;
    let score: HashMap<usize, f32> = pairs
        .iter()
        .filter_map(|p| match (p.a == rep, p.b == rep) {
            (true, _) => Some((p.b, p.score.total)),
            (_, true) => Some((p.a, p.score.total)),
            _ => None,
        })
        .collect();
    let m = &cluster.members;
    let mut order: Vec<usize> = (0..m.len()).filter(|&i| m[i] != rep).collect();
    order.sort_by(|&x, &y| {
        let (sx, sy) = (
            score.get(&m[x]).unwrap_or(&0.0),
            score.get(&m[y]).unwrap_or(&0.0),
        );
        sy.total_cmp(sx).then(x.cmp(&y))
    });
    order
}

fn stages(c: &mut Criterion) {
    let fx = fixture();
    let weights = Weights::default();
    let options = ClusterOptions::default();

    let mut g = c.benchmark_group("stages");
    // Most of these take tens to hundreds of milliseconds per iteration: few, flat samples.
    g.sampling_mode(SamplingMode::Flat);

    g.throughput(Throughput::Elements(fx.files.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for (path, bytes) in &fx.files {
                let _ = black_box(parse_agent(path, bytes));
            }
        })
    });

    g.throughput(Throughput::Elements(fx.agents.len() as u64));
    g.bench_function("featurize", |b| b.iter(|| black_box(featurize(&fx.agents))));

    g.bench_function("candidates", |b| {
        let first_copy = first_copies(&fx.features, &vec![0; fx.features.len()]);
        b.iter(|| black_box(indexed_candidates(&fx.features, &fx.kinds, &first_copy)))
    });

    let candidate_pairs: usize = fx.candidates.iter().map(Vec::len).sum();
    g.throughput(Throughput::Elements(candidate_pairs as u64));
    g.bench_function("score_candidate_pairs", |b| {
        b.iter(|| {
            black_box(score_candidate_pairs(
                &fx.features,
                &fx.kinds,
                &weights,
                &fx.candidates,
            ))
        })
    });

    let single: Vec<(usize, usize)> = fx
        .candidates
        .iter()
        .enumerate()
        .flat_map(|(a, bs)| bs.iter().map(move |&b| (a, b as usize)))
        .take(SINGLE_PAIRS)
        .collect();
    g.throughput(Throughput::Elements(single.len() as u64));
    g.bench_function("score_pair", |b| {
        b.iter(|| {
            for &(x, y) in &single {
                black_box(score_pair(&fx.features[x], &fx.features[y], &weights));
            }
        })
    });

    g.throughput(Throughput::Elements(fx.pairs.len() as u64));
    g.bench_function("cluster_group", |b| {
        b.iter(|| black_box(cluster::group(fx.agents.len(), &fx.pairs, &options)))
    });

    let members: Vec<(Vec<&AgentFile>, usize, &Vec<usize>)> = fx
        .largest
        .iter()
        .map(|(c, rep, order)| {
            (
                c.members.iter().map(|&i| &fx.agents[i]).collect(),
                *rep,
                order,
            )
        })
        .collect();
    let merged_files: usize = members.iter().map(|(m, _, _)| m.len()).sum();
    eprintln!(
        "stages fixture: merge bench merges {} clusters of {:?} members",
        members.len(),
        members.iter().map(|(m, _, _)| m.len()).collect::<Vec<_>>()
    );
    g.throughput(Throughput::Elements(merged_files as u64));
    g.bench_function("merge_largest_clusters", |b| {
        b.iter(|| {
            for (m, rep, order) in &members {
                black_box(merge::merge(m, *rep, order));
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // Small samples and a few seconds each, so that `cargo bench` finishes in a couple of minutes.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
