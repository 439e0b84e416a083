//! Synthetic agent library for scale tests.
//!
//! ```text
//! cargo run --release --example synth -- --n 100000 --seed 1 --out DIR
//! ```
//!
//! Builds distinct *bases* by splicing the agents in `corpus/`: the intro of one agent plus 2-5
//! `## ` sections taken from other agents (bodies without `## ` headings are split at lead lines
//! such as `Your core responsibilities:`; an intro or section longer than 40 lines is split too,
//! at lead lines, `### ` headings or blank lines, and a base then takes proportionally more
//! sections, 4-10 from the real agents of `../shared/bench/dev`, so that it keeps its length while
//! no one reused part is most of it), under a generated name (`graphql-reviewer`, then
//! `<domain>-<topic>-<role>`), a description built from the sections' first lines, and one
//! generated `## <subject> checklist` section so that not every line of a large library repeats
//! hundreds of times (`--splice-only` leaves it out). Each base has a unique name and a unique
//! combination of intro and sections, and bases are picked to share as few intro/section pairs and
//! triples as possible.
//!
//! Then copies some bases the way people copy agents between libraries: renamed (plugin prefixes
//! like `acme-tools-`, suffixes like `-v2`), descriptions reworded, shortened or extended, 5-30% of
//! bullets dropped, bullets reordered within a list, words swapped for synonyms, 1-3 lines pulled
//! in from other agents, model/tools/color tweaked; copies are made from the base or from an
//! earlier copy. Any file may get CRLF line endings (10%) or a UTF-8 BOM (5%). 40% of the files
//! are singletons (`--singletons`); copy groups hold 2-7 files, the base included.
//!
//! Writes `DIR/collection-NNN/agents/<name>.md` (bases and some copies) and
//! `DIR/plugins/<plugin>/agents/<name>.md` (most copies), at most 1000 files per folder, and
//! `DIR/truth.tsv`: `file<TAB>base` lines sorted by file, no header (the `path<TAB>role` format
//! `agent-dedup eval --labels` reads), `file` relative to DIR, `base` the name of the base the file
//! was made from (a singleton is its own base).
//!
//! Deterministic: the same `--n`, `--seed` and corpus give byte-identical output. All randomness
//! comes from the SplitMix64 generator below (no crate whose algorithm could change under us);
//! planning is sequential, and copy groups are generated in parallel, each from its own stream.

use anyhow::{bail, Context, Result};
use clap::Parser;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(
    name = "synth",
    about = "Write a deterministic synthetic library of agent files with near-duplicate copy groups and a truth.tsv"
)]
struct Args {
    /// How many agent files to write.
    #[arg(long, default_value_t = 1000)]
    n: usize,

    /// Seed: the same --n and --seed give byte-identical output.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Output folder; created if missing, and it must be empty.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Folder of real agents to build on (searched recursively for *.md; SKILL.md skipped).
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))]
    corpus: PathBuf,

    /// Bases are only spliced corpus text: no generated `## <subject> checklist` section. Every
    /// line of a large library then repeats in hundreds of files.
    #[arg(long)]
    splice_only: bool,

    /// Print the intros and sections taken from the corpus, then stop (nothing is written).
    #[arg(long)]
    dump_corpus: bool,

    /// Share of files that are singletons (a base written once, with no copies).
    #[arg(long, default_value_t = 0.4)]
    singletons: f64,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synth: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    if !(0.0..=1.0).contains(&args.singletons) {
        bail!("--singletons must be between 0 and 1");
    }
    let corpus_dir = args
        .corpus
        .canonicalize()
        .with_context(|| format!("corpus folder {}", args.corpus.display()))?;
    let corpus = Corpus::load(&corpus_dir)?;
    if args.dump_corpus {
        for (kind, chunks) in [("intro", &corpus.intros), ("section", &corpus.sections)] {
            for (i, c) in chunks.iter().enumerate() {
                println!(
                    "=== {kind} {i} (family {}) summary: {}",
                    c.family, c.summary
                );
                for l in &c.lines {
                    println!("{l}");
                }
            }
        }
        return Ok(());
    }

    prepare_out(&args.out)?;
    let mut rng = Rng::new(args.seed, 0);
    let sizes = group_sizes(args.n, args.singletons, &mut rng);
    let bases = plan_bases(&corpus, sizes.len(), &mut rng)?;
    let mut placer = Placer::default();
    let groups: Vec<GroupPlan> = sizes
        .iter()
        .zip(bases)
        .map(|(&size, base)| placer.place_group(base, size, &mut rng))
        .collect();

    for folder in placer.folders.iter().filter(|f| f.count > 0) {
        let dir = args.out.join(&folder.rel);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }

    let syn = Synonyms::new();
    let mut truth: Vec<(String, String)> = groups
        .par_iter()
        .enumerate()
        .map(|(gi, plan)| -> Result<Vec<(String, String)>> {
            let mut rng = Rng::new(args.seed, 1 + gi as u64);
            let files = build_group(&corpus, &syn, plan, !args.splice_only, &mut rng);
            let mut rows = Vec::with_capacity(files.len());
            for (rel, bytes) in files {
                let path = args.out.join(&rel);
                std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                rows.push((rel, plan.base.name.clone()));
            }
            Ok(rows)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    truth.sort();
    let mut tsv = String::with_capacity(truth.len() * 80);
    for (file, base) in &truth {
        tsv.push_str(file);
        tsv.push('\t');
        tsv.push_str(base);
        tsv.push('\n');
    }
    std::fs::write(args.out.join("truth.tsv"), tsv)?;

    let singles = groups.iter().filter(|g| g.members.len() == 1).count();
    let folders = placer.folders.iter().filter(|f| f.count > 0).count();
    let biggest = placer.folders.iter().map(|f| f.count).max().unwrap_or(0);
    eprintln!(
        "synth: {} files from {} corpus agents ({} intros, {} sections, {}-{} a base): {} bases = {} singletons + {} copy groups; {} folders (largest {}); {} in {:.2}s",
        truth.len(),
        corpus.agents,
        corpus.intros.len(),
        corpus.sections.len(),
        corpus.sections_per_base.0,
        corpus.sections_per_base.1,
        groups.len(),
        singles,
        groups.len() - singles,
        folders,
        biggest,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn prepare_out(out: &Path) -> Result<()> {
    if out.exists() {
        let mut entries =
            std::fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: give a new or empty folder so that the output is exactly one run's",
                out.display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))
}

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, one stream per purpose.

struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        Rng(mix(seed.wrapping_mul(0xD605_BBB5_8C8A_BBFD))
            ^ mix(stream.wrapping_add(0x632B_E59B_D9B4_E019)))
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The corpus: intros and `## ` sections of the real agents, near-duplicates folded together.

struct Chunk {
    /// Family of near-identical source agents this chunk came from.
    family: usize,
    tools: Option<String>,
    model: Option<String>,
    lines: Vec<String>,
    /// Section heading text (without `## `); empty for intros.
    heading: String,
    /// First content line, cleaned up, for generated descriptions.
    summary: String,
}

struct Corpus {
    agents: usize,
    intros: Vec<Chunk>,
    sections: Vec<Chunk>,
    /// Families that own at least one section, with their section ids.
    section_families: Vec<(usize, Vec<usize>)>,
    /// Bullet texts (marker stripped) with the section they come from, for pulled-in lines.
    bullets: Vec<(usize, String)>,
    /// How many sections a base takes (lowest, highest); see [`sections_per_base`].
    sections_per_base: (usize, usize),
}

/// How many sections a base takes: 2-5 of the corpus's parts as written, and proportionally more
/// where long parts were split ([`LONGEST_PART`]), so that bases are as long on average as they
/// were before the split (a real-sized library stays real-sized). 2-5 when nothing was split.
fn sections_per_base(sources: &[Source]) -> (usize, usize) {
    let mean = |sizes: &mut dyn Iterator<Item = usize>| {
        let (sum, count) = sizes.fold((0, 0), |(s, c), x| (s + x, c + 1));
        sum as f64 / count.max(1) as f64
    };
    let whole_intro = mean(&mut sources.iter().map(|s| s.whole.intro));
    let whole_section = mean(
        &mut sources
            .iter()
            .flat_map(|s| s.whole.sections.iter().copied()),
    );
    let intro = mean(&mut sources.iter().map(|s| text_len(&s.intro)));
    let section = mean(
        &mut sources
            .iter()
            .flat_map(|s| s.sections.iter().map(|(_, l)| text_len(l))),
    );
    let whole_body = whole_intro + 3.5 * whole_section;
    let per_base = if section > 0.0 {
        ((whole_body - intro) / section).max(3.5)
    } else {
        3.5
    };
    let lo = (per_base * 2.0 / 3.5).round() as usize;
    let hi = (per_base * 5.0 / 3.5).round() as usize;
    (lo.max(2), hi.max(lo.max(2)))
}

struct Source {
    tools: Option<String>,
    model: Option<String>,
    intro: Vec<String>,
    sections: Vec<(String, Vec<String>)>,
    words: HashSet<String>,
    whole: Whole,
}

/// The bytes of a source's intro and sections before long ones are split ([`LONGEST_PART`]).
struct Whole {
    intro: usize,
    sections: Vec<usize>,
}

impl Corpus {
    fn load(root: &Path) -> Result<Corpus> {
        let mut files = Vec::new();
        collect_md(root, &mut files)?;
        let mut sources = Vec::new();
        for path in &files {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            if let Some(src) = parse_source(&String::from_utf8_lossy(&bytes)) {
                sources.push(src);
            }
        }
        if sources.len() < 3 {
            bail!(
                "{}: need at least 3 agent files with frontmatter, found {}",
                root.display(),
                sources.len()
            );
        }

        // Families: agents whose bodies are near-identical (copies already in the corpus).
        let mut parent: Vec<usize> = (0..sources.len()).collect();
        fn find(p: &mut [usize], x: usize) -> usize {
            let mut r = x;
            while p[r] != r {
                r = p[r];
            }
            p[x] = r;
            r
        }
        for a in 0..sources.len() {
            for b in a + 1..sources.len() {
                if jaccard(&sources[a].words, &sources[b].words) >= 0.5 {
                    let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
        let family: Vec<usize> = (0..sources.len()).map(|i| find(&mut parent, i)).collect();

        // Chunks, dropping any that nearly repeat an earlier one (shared boilerplate, copies).
        let mut intros: Vec<Chunk> = Vec::new();
        let mut intro_words: Vec<HashSet<String>> = Vec::new();
        let mut sections: Vec<Chunk> = Vec::new();
        let mut section_words: Vec<HashSet<String>> = Vec::new();
        for (i, src) in sources.iter().enumerate() {
            let push = |lines: &[String],
                        heading: &str,
                        out: &mut Vec<Chunk>,
                        seen: &mut Vec<HashSet<String>>| {
                let w = words(&lines.join("\n"));
                if w.len() < 5 || seen.iter().any(|s| jaccard(s, &w) >= 0.6) {
                    return;
                }
                seen.push(w);
                out.push(Chunk {
                    family: family[i],
                    tools: src.tools.clone(),
                    model: src.model.clone(),
                    lines: lines.to_vec(),
                    heading: heading.to_owned(),
                    summary: summary_of(lines),
                });
            };
            if !src.intro.is_empty() {
                push(&src.intro, "", &mut intros, &mut intro_words);
            }
            for (heading, lines) in &src.sections {
                push(lines, heading, &mut sections, &mut section_words);
            }
        }
        let mut by_family: Vec<(usize, Vec<usize>)> = Vec::new();
        for (s, chunk) in sections.iter().enumerate() {
            match by_family.iter_mut().find(|(f, _)| *f == chunk.family) {
                Some((_, v)) => v.push(s),
                None => by_family.push((chunk.family, vec![s])),
            }
        }
        if intros.is_empty() || by_family.len() < 3 {
            bail!(
                "{}: too few distinct intros or sections to splice",
                root.display()
            );
        }
        let mut bullets = Vec::new();
        for (s, chunk) in sections.iter().enumerate() {
            let kinds = classify(&chunk.lines);
            for (line, kind) in chunk.lines.iter().zip(&kinds) {
                if let Kind::Bullet { ordered: false, .. } = kind {
                    let text = strip_marker(line.trim_start());
                    if text.len() >= 20 {
                        bullets.push((s, text.to_owned()));
                    }
                }
            }
        }
        Ok(Corpus {
            sections_per_base: sections_per_base(&sources),
            agents: sources.len(),
            intros,
            sections,
            section_families: by_family,
            bullets,
        })
    }
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_md(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md")
            && !path
                .file_name()
                .is_some_and(|n| n.eq_ignore_ascii_case("SKILL.md"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Frontmatter fields we reuse, and the body split at `## ` headings (outside code fences).
fn parse_source(raw: &str) -> Option<Source> {
    let text = raw
        .strip_prefix('\u{feff}')
        .unwrap_or(raw)
        .replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    if lines.first()?.trim_end() != "---" {
        return None;
    }
    let close = 1 + lines[1..].iter().position(|l| l.trim_end() == "---")?;
    let mut tools = None;
    let mut model = None;
    for line in &lines[1..close] {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            let plain = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " ,_-()*:".contains(c));
            match key.trim() {
                "tools" if plain => tools = Some(value.to_owned()),
                "model" if plain => model = Some(value.to_owned()),
                _ => {}
            }
        }
    }
    let body: Vec<String> = lines[close + 1..]
        .iter()
        .map(|l| l.trim_end().to_owned())
        .collect();
    let mut intro = Vec::new();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    let mut fence = false;
    for line in body.iter() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
        }
        if !fence && line.starts_with("## ") {
            sections.push((line[3..].trim().to_owned(), vec![line.clone()]));
        } else if let Some((_, s)) = sections.last_mut() {
            s.push(line.clone());
        } else {
            intro.push(line.clone());
        }
    }
    if sections.is_empty() {
        (intro, sections) = pseudo_sections(&intro);
    }
    trim_blank(&mut intro);
    for (_, s) in &mut sections {
        trim_blank(s);
    }
    sections.retain(|(_, s)| s.len() >= 2);
    let whole = Whole {
        intro: text_len(&intro),
        sections: sections.iter().map(|(_, s)| text_len(s)).collect(),
    };
    if intro.len() > LONGEST_PART {
        // A long preamble before the first `## ` is split at its lead lines too: kept whole, it
        // would be the intro of every base built on it.
        let (lead, mut before) = pseudo_sections(&intro);
        intro = lead;
        before.append(&mut sections);
        sections = before;
    }
    if intro.len() > LONGEST_PART {
        // No lead line to split at: the intro keeps its first part, the rest become sections.
        let mut pieces = split_long_section(("Overview".to_owned(), intro)).into_iter();
        intro = pieces.next().map(|(_, lines)| lines).unwrap_or_default();
        let mut rest: Vec<_> = pieces.collect();
        rest.append(&mut sections);
        sections = rest;
    }
    trim_blank(&mut intro);
    for (_, s) in &mut sections {
        trim_blank(s);
    }
    sections = sections.into_iter().flat_map(split_long_section).collect();
    sections.retain(|(_, s)| s.len() >= 2);
    let words = words(&body.join("\n"));
    Some(Source {
        tools,
        model,
        intro,
        sections,
        words,
        whole,
    })
}

/// Bytes of a part's lines, each with its line end.
fn text_len(lines: &[String]) -> usize {
    lines.iter().map(|l| l.len() + 1).sum()
}

/// The most lines an intro or a section of the corpus keeps whole. At 100,000 agents each intro
/// and section is reused by dozens of bases; where one reused part is most of a base (a 192-line
/// preamble, a 400-line `## Capabilities`), the bases built on it are 56-88% the same text, which
/// both tools rightly cluster while `truth.tsv` counts them as different bases (see BENCHMARKS.md,
/// "Why the largest cluster passes 100"). Longer parts are split at their `### ` headings, lead
/// lines or blank lines, so that no reused part is much of any base.
const LONGEST_PART: usize = 40;

/// A section longer than [`LONGEST_PART`] lines, cut into sections of at most about that length:
/// at its `### ` headings (each made a `## ` section), else at blank lines between paragraphs or
/// lists, the later pieces headed `## <heading> (continued)`.
fn split_long_section((heading, lines): (String, Vec<String>)) -> Vec<(String, Vec<String>)> {
    if lines.len() <= LONGEST_PART {
        return vec![(heading, lines)];
    }
    let kinds = classify(&lines);
    let mut out: Vec<(String, Vec<String>)> = vec![(heading.clone(), Vec::new())];
    for (i, (line, kind)) in lines.iter().zip(&kinds).enumerate() {
        let sub = i > 0 && *kind == Kind::Heading && line.starts_with("### ");
        let current = &out.last().expect("one piece at least").1;
        let full = current.len() >= LONGEST_PART
            && *kind == Kind::Blank
            && !matches!(
                kinds.get(i + 1),
                Some(Kind::Blank) | Some(Kind::Code) | None
            );
        if sub {
            let head = line[4..].trim().to_owned();
            out.push((head.clone(), vec![format!("## {head}")]));
        } else if full {
            let head = format!("{heading} (continued)");
            out.push((head.clone(), vec![format!("## {head}")]));
        } else {
            out.last_mut()
                .expect("one piece at least")
                .1
                .push(line.clone());
        }
    }
    for (_, s) in &mut out {
        trim_blank(s);
    }
    // A piece that is only its heading (a `## ` right before its first `### `) says nothing.
    out.retain(|(_, s)| s.iter().skip(1).any(|l| !l.trim().is_empty()));
    out
}

/// A body without `## ` headings (many real agents are one long list) is split at its lead lines,
/// short unindented lines ending in `:` such as `Your core responsibilities:` or
/// `**Database Design**:`; each becomes a section headed `## Core responsibilities`. What comes
/// before the first lead line stays the intro. Without this, such a body would be one huge intro
/// that every base built on it shares.
fn pseudo_sections(body: &[String]) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let kinds = classify(body);
    let mut intro = Vec::new();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for (line, kind) in body.iter().zip(&kinds) {
        let lead = !line.starts_with([' ', '\t'])
            && matches!(kind, Kind::Text | Kind::Bullet { .. })
            && line.trim_end().trim_end_matches("**").ends_with(':')
            && line.split_whitespace().count() <= 15;
        if lead {
            let text = strip_marker(line.trim()).replace("**", "");
            let text = text.trim().trim_end_matches(':');
            let head = match text.split_once(':') {
                Some((h, _)) if !h.trim().is_empty() => h.trim(),
                _ => text,
            };
            let head = head
                .strip_prefix("Your ")
                .map(capitalize)
                .unwrap_or_else(|| head.to_owned());
            sections.push((head.clone(), vec![format!("## {head}"), String::new()]));
        } else if let Some((_, s)) = sections.last_mut() {
            if !(line.trim().is_empty() && s.last().is_some_and(|l| l.trim().is_empty())) {
                s.push(line.clone());
            }
        } else {
            intro.push(line.clone());
        }
    }
    for (_, s) in &mut sections {
        // Bullets that were nested under a numbered lead line move to the left margin.
        let indent = s
            .iter()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        for l in s.iter_mut().skip(2) {
            if l.len() >= indent && l[..indent].trim().is_empty() {
                l.drain(..indent);
            }
        }
    }
    (intro, sections)
}

fn trim_blank(lines: &mut Vec<String>) {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let lead = lines.iter().take_while(|l| l.trim().is_empty()).count();
    lines.drain(..lead);
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// The first sentence of a chunk's first real line, markup stripped, at most ~110 bytes.
fn summary_of(lines: &[String]) -> String {
    let kinds = classify(lines);
    for (line, kind) in lines.iter().zip(&kinds) {
        if matches!(kind, Kind::Code | Kind::Heading | Kind::Blank) {
            continue;
        }
        let mut t = strip_marker(line.trim_start())
            .trim_start_matches(['>', '#', ' '])
            .replace("**", "");
        t = t.trim().trim_end_matches([':', '.', ';', ',']).to_owned();
        if t.split_whitespace().count() < 4 {
            continue;
        }
        if let Some(end) = t.find(". ") {
            t.truncate(end);
        }
        if t.len() > 110 {
            let mut cut = 110;
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            cut = t[..cut].rfind(' ').unwrap_or(cut);
            t.truncate(cut);
            if t.matches('`').count() % 2 == 1 {
                t.truncate(t.rfind('`').unwrap_or(t.len()));
            }
            t = t.trim_end_matches([',', ';', ':', ' ', '(']).to_owned();
        }
        return capitalize(&t);
    }
    String::new()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown line kinds.

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Blank,
    Code,
    Heading,
    Bullet { indent: usize, ordered: bool },
    Text,
}

fn bullet_of(line: &str) -> Option<(usize, bool)> {
    let t = line.trim_start();
    let indent = line.len() - t.len();
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") {
        return Some((indent, false));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 4 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
    {
        return Some((indent, true));
    }
    None
}

fn classify(lines: &[String]) -> Vec<Kind> {
    let mut fence = false;
    lines
        .iter()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fence = !fence;
                return Kind::Code;
            }
            if fence {
                return Kind::Code;
            }
            if t.is_empty() {
                return Kind::Blank;
            }
            if let Some((indent, ordered)) = bullet_of(line) {
                return Kind::Bullet { indent, ordered };
            }
            if line.starts_with("    ") || line.starts_with('\t') {
                return Kind::Code;
            }
            if t.starts_with('#') {
                return Kind::Heading;
            }
            Kind::Text
        })
        .collect()
}

fn strip_marker(t: &str) -> &str {
    if let Some(rest) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))
    {
        return rest;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") ")) {
        return &t[digits + 2..];
    }
    t
}

/// `prefix` (indent and marker, e.g. `"   - "` or `"2. "`) and text of a bullet line.
fn split_bullet(line: &str) -> (&str, &str) {
    let t = line.trim_start();
    let rest = strip_marker(t);
    let cut = line.len() - rest.len();
    (&line[..cut], rest)
}

fn renumber(prefix: &str, n: usize) -> String {
    let indent = prefix.len() - prefix.trim_start().len();
    let close = if prefix.trim_end().ends_with(')') {
        ')'
    } else {
        '.'
    };
    format!("{}{}{} ", &prefix[..indent], n, close)
}

// ---------------------------------------------------------------------------------------------
// Word lists.

const DOMAINS: &[(&str, &str)] = &[
    ("graphql", "GraphQL"),
    ("rest-api", "REST API"),
    ("grpc", "gRPC"),
    ("kubernetes", "Kubernetes"),
    ("helm", "Helm"),
    ("terraform", "Terraform"),
    ("ansible", "Ansible"),
    ("docker", "Docker"),
    ("postgres", "PostgreSQL"),
    ("mysql", "MySQL"),
    ("sqlite", "SQLite"),
    ("redis", "Redis"),
    ("kafka", "Kafka"),
    ("rabbitmq", "RabbitMQ"),
    ("elasticsearch", "Elasticsearch"),
    ("mongodb", "MongoDB"),
    ("dynamodb", "DynamoDB"),
    ("snowflake", "Snowflake"),
    ("dbt", "dbt"),
    ("airflow", "Airflow"),
    ("spark", "Spark"),
    ("pandas", "pandas"),
    ("numpy", "NumPy"),
    ("pytorch", "PyTorch"),
    ("tensorflow", "TensorFlow"),
    ("llm", "LLM"),
    ("rag", "RAG"),
    ("vectordb", "vector database"),
    ("react", "React"),
    ("vue", "Vue"),
    ("angular", "Angular"),
    ("svelte", "Svelte"),
    ("nextjs", "Next.js"),
    ("nuxt", "Nuxt"),
    ("tailwind", "Tailwind"),
    ("css", "CSS"),
    ("accessibility", "accessibility"),
    ("i18n", "i18n"),
    ("ios", "iOS"),
    ("android", "Android"),
    ("flutter", "Flutter"),
    ("swift", "Swift"),
    ("kotlin", "Kotlin"),
    ("java", "Java"),
    ("spring", "Spring"),
    ("scala", "Scala"),
    ("golang", "Go"),
    ("rust", "Rust"),
    ("cpp", "C++"),
    ("csharp", "C#"),
    ("dotnet", ".NET"),
    ("python", "Python"),
    ("django", "Django"),
    ("fastapi", "FastAPI"),
    ("flask", "Flask"),
    ("node", "Node.js"),
    ("typescript", "TypeScript"),
    ("deno", "Deno"),
    ("ruby", "Ruby"),
    ("rails", "Rails"),
    ("php", "PHP"),
    ("laravel", "Laravel"),
    ("elixir", "Elixir"),
    ("haskell", "Haskell"),
    ("bash", "Bash"),
    ("powershell", "PowerShell"),
    ("linux", "Linux"),
    ("nginx", "nginx"),
    ("aws", "AWS"),
    ("gcp", "GCP"),
    ("azure", "Azure"),
    ("cloudflare", "Cloudflare"),
    ("serverless", "serverless"),
    ("lambda", "Lambda"),
    ("ci", "CI"),
    ("github-actions", "GitHub Actions"),
    ("gitlab", "GitLab"),
    ("jenkins", "Jenkins"),
    ("git", "Git"),
    ("monorepo", "monorepo"),
    ("bazel", "Bazel"),
    ("webpack", "webpack"),
    ("vite", "Vite"),
    ("security", "security"),
    ("oauth", "OAuth"),
    ("iam", "IAM"),
    ("secrets", "secrets"),
    ("compliance", "compliance"),
    ("gdpr", "GDPR"),
    ("observability", "observability"),
    ("prometheus", "Prometheus"),
    ("grafana", "Grafana"),
    ("opentelemetry", "OpenTelemetry"),
    ("logging", "logging"),
    ("incident", "incident"),
    ("sre", "SRE"),
    ("performance", "performance"),
    ("caching", "caching"),
    ("database", "database"),
    ("migration", "migration"),
    ("schema", "schema"),
    ("api", "API"),
    ("sdk", "SDK"),
    ("cli", "CLI"),
    ("docs", "docs"),
    ("changelog", "changelog"),
    ("release", "release"),
    ("payments", "payments"),
    ("stripe", "Stripe"),
    ("billing", "billing"),
    ("search", "search"),
    ("seo", "SEO"),
    ("analytics", "analytics"),
    ("ab-testing", "A/B testing"),
    ("etl", "ETL"),
    ("data-quality", "data quality"),
    ("blockchain", "blockchain"),
    ("solidity", "Solidity"),
    ("unity", "Unity"),
    ("gamedev", "game"),
    ("embedded", "embedded"),
    ("firmware", "firmware"),
    ("iot", "IoT"),
    ("wasm", "WebAssembly"),
    ("websocket", "WebSocket"),
    ("auth", "auth"),
    ("frontend", "frontend"),
    ("backend", "backend"),
    ("mobile", "mobile"),
    ("ux", "UX"),
    ("design-system", "design system"),
];

const ROLES: &[&str] = &[
    "reviewer",
    "specialist",
    "expert",
    "architect",
    "engineer",
    "developer",
    "auditor",
    "helper",
    "assistant",
    "optimizer",
    "debugger",
    "tester",
    "migrator",
    "consultant",
    "planner",
    "writer",
    "analyst",
    "advisor",
    "operator",
    "maintainer",
    "mentor",
    "coach",
    "designer",
    "integrator",
    "troubleshooter",
    "strategist",
    "guardian",
    "builder",
    "refactorer",
    "profiler",
    "documenter",
    "triager",
    "automator",
    "scaffolder",
    "validator",
    "linter",
    "modeler",
    "tuner",
    "steward",
    "champion",
];

const QUALIFIERS: &[&str] = &[
    "senior",
    "staff",
    "principal",
    "junior",
    "async",
    "cloud",
    "legacy",
    "modern",
    "distributed",
    "secure",
    "pragmatic",
    "strict",
    "friendly",
    "enterprise",
    "startup",
    "full-stack",
    "realtime",
    "batch",
    "edge",
    "hybrid",
    "multi-tenant",
    "zero-trust",
    "offline",
    "minimal",
    "polyglot",
    "remote",
    "lean",
    "careful",
    "rapid",
    "incremental",
];

const VENDORS: &[&str] = &[
    "acme", "devflow", "nimbus", "orbit", "zenith", "atlas", "forge", "nova", "vertex", "quantum",
    "polar", "summit", "harbor", "beacon", "cobalt", "ember", "fjord", "granite", "helix", "ion",
    "juniper", "krypton", "lumen", "meridian", "nebula", "onyx", "prism", "quasar", "ridge",
    "sierra",
];

const PRODUCTS: &[&str] = &[
    "tools",
    "kit",
    "pack",
    "suite",
    "agents",
    "ops",
    "labs",
    "works",
    "hub",
    "studio",
    "stack",
    "toolkit",
    "core",
    "extras",
    "plus",
    "essentials",
    "starter",
    "bundle",
    "collection",
    "addons",
];

const SUFFIXES: &[&str] = &[
    "-v2", "-v3", "-pro", "-plus", "-copy", "-2", "-new", "-custom", "-local", "-fork", "-agent",
    "-old", "-beta", "-next",
];

const TEAM_PREFIXES: &[&str] = &["my-", "team-", "custom-", "local-", "our-", "internal-"];

const MODELS: &[&str] = &["sonnet", "opus", "haiku", "inherit"];
const COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
];
const TOOLS: &[&str] = &[
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "Bash",
    "Grep",
    "Glob",
    "WebFetch",
    "WebSearch",
    "TodoWrite",
];

const APPENDED: &[&str] = &[
    "Use proactively after significant code changes.",
    "Invoke it before opening a pull request.",
    "Works best when given a concrete task and the relevant files.",
    "Prefer this agent over general-purpose help for these tasks.",
    "Ask it for a short plan before large changes.",
    "Keeps answers short unless asked for detail.",
    "MUST BE USED for anything in this area.",
    "Also reviews related configuration files.",
    "Reports back with a summary and a list of open questions.",
    "Does not modify files unless asked to.",
];

/// Single-word synonyms, used in both directions. No word appears twice.
const SYNONYM_PAIRS: &[(&str, &str)] = &[
    ("check", "verify"),
    ("fix", "repair"),
    ("fixes", "repairs"),
    ("bug", "defect"),
    ("bugs", "defects"),
    ("fast", "quick"),
    ("big", "large"),
    ("improve", "enhance"),
    ("issue", "problem"),
    ("issues", "problems"),
    ("show", "display"),
    ("find", "locate"),
    ("build", "construct"),
    ("remove", "delete"),
    ("keep", "retain"),
    ("avoid", "prevent"),
    ("simple", "straightforward"),
    ("careful", "thorough"),
    ("important", "critical"),
    ("need", "require"),
    ("choose", "select"),
    ("explain", "describe"),
    ("suggest", "recommend"),
    ("add", "introduce"),
    ("get", "obtain"),
    ("often", "frequently"),
    ("every", "each"),
    ("task", "job"),
    ("tasks", "jobs"),
    ("goal", "objective"),
    ("step", "stage"),
    ("steps", "stages"),
    ("expert", "specialist"),
    ("engineer", "developer"),
    ("tool", "utility"),
    ("usually", "typically"),
    ("main", "primary"),
    ("whole", "entire"),
    ("ask", "request"),
    ("quickly", "rapidly"),
    ("small", "compact"),
    ("ensure", "guarantee"),
    ("use", "employ"),
    ("good", "solid"),
    ("bad", "poor"),
    ("tests", "checks"),
    ("errors", "failures"),
    ("changes", "edits"),
    ("short", "brief"),
    ("concrete", "specific"),
    ("obvious", "evident"),
    ("concise", "succinct"),
    ("robust", "resilient"),
    ("mistakes", "slips"),
    ("begin", "commence"),
    ("understand", "grasp"),
    ("helpful", "useful"),
    ("focus", "concentrate"),
    ("prefer", "favour"),
];

struct Synonyms(HashMap<&'static str, &'static str>);

impl Synonyms {
    fn new() -> Synonyms {
        let mut map = HashMap::new();
        for &(a, b) in SYNONYM_PAIRS {
            let fresh = map.insert(a, b).is_none() & map.insert(b, a).is_none();
            debug_assert!(fresh, "synonym table lists {a} or {b} twice");
        }
        Synonyms(map)
    }

    /// Swaps each known word outside backticks with probability `rate`, keeping capitalization.
    fn apply(&self, line: &str, rate: f64, rng: &mut Rng) -> String {
        let bytes = line.as_bytes();
        let mut out = String::with_capacity(line.len() + 16);
        let mut tick = false;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'`' {
                tick = !tick;
            }
            if tick || !c.is_ascii_alphabetic() {
                // Copy one UTF-8 character.
                let len = utf8_len(c);
                out.push_str(&line[i..i + len]);
                i += len;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &line[start..i];
            let prev = if start > 0 { bytes[start - 1] } else { b' ' };
            let next = bytes.get(i).copied().unwrap_or(b' ');
            let after = bytes.get(i + 1).copied().unwrap_or(b' ');
            let glued = b"-_/@\\$.<{[".contains(&prev)
                || b"-_/@\\(".contains(&next)
                || (next == b'.' && after.is_ascii_alphanumeric())
                || next >= 0x80
                || prev >= 0x80;
            let replacement = if glued { None } else { self.swap(word) };
            match replacement {
                Some(r) if rng.chance(rate) => out.push_str(&r),
                _ => out.push_str(word),
            }
        }
        out
    }

    fn swap(&self, word: &str) -> Option<String> {
        let first_upper = word.as_bytes()[0].is_ascii_uppercase();
        let rest_lower = word[1..].bytes().all(|b| b.is_ascii_lowercase());
        if !rest_lower {
            return None;
        }
        let lower = word.to_ascii_lowercase();
        let syn = self.0.get(lower.as_str())?;
        Some(if first_upper {
            capitalize(syn)
        } else {
            (*syn).to_owned()
        })
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

// ---------------------------------------------------------------------------------------------
// Planning (sequential, cheap): group sizes, distinct bases, folders and file names.

fn group_sizes(n: usize, singleton_share: f64, rng: &mut Rng) -> Vec<usize> {
    let mut singles = (n as f64 * singleton_share).round() as usize;
    let mut rest = n - singles.min(n);
    let mut sizes = Vec::new();
    while rest > 0 {
        let mut s = rng.range(2, 7).min(rest);
        if rest - s == 1 {
            s = if s < 7 { s + 1 } else { s - 1 };
        }
        if s == 1 {
            singles += 1;
        } else {
            sizes.push(s);
        }
        rest -= s;
    }
    sizes.extend(std::iter::repeat_n(1, singles.min(n)));
    rng.shuffle(&mut sizes);
    sizes
}

struct BasePlan {
    name: String,
    /// What the agent is about, for descriptions: e.g. "GraphQL schema".
    subject: String,
    /// Display form of the domain alone, and a topic (in the name or not).
    domain: String,
    topic: String,
    role: String,
    intro: usize,
    sections: Vec<usize>,
}

/// A set of u64 keys with a cheap multiplicative hash (keys are already well spread).
type FastSet = HashSet<u64, std::hash::BuildHasherDefault<MulHasher>>;
type FastMap = HashMap<u64, u32, std::hash::BuildHasherDefault<MulHasher>>;

#[derive(Default)]
struct MulHasher(u64);
impl std::hash::Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = mix(self.0 ^ v);
    }
}

/// Picks `count` bases with unique names and unique section combinations, spreading the use of
/// intro/section pairs and triples as evenly as it can so bases overlap each other little.
fn plan_bases(corpus: &Corpus, count: usize, rng: &mut Rng) -> Result<Vec<BasePlan>> {
    const CANDIDATES: usize = 12;
    let mut combos: FastSet = FastSet::default();
    let mut triples: FastSet = FastSet::default();
    let mut pairs: FastMap = FastMap::default();
    let mut names: HashSet<String> = HashSet::new();
    let mut subjects: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(count);
    let mut families: Vec<usize> = (0..corpus.section_families.len()).collect();
    for _ in 0..count {
        let mut best: Option<(u64, usize, Vec<usize>, u64)> = None;
        let mut tries = 0;
        while tries < CANDIDATES || (best.is_none() && tries < 10_000) {
            tries += 1;
            let intro = rng.below(corpus.intros.len());
            let fam = corpus.intros[intro].family;
            let max_k = corpus
                .section_families
                .iter()
                .filter(|(f, _)| *f != fam)
                .count()
                .min(corpus.sections_per_base.1);
            let (lo, hi) = corpus.sections_per_base;
            let k = rng.range(lo, hi).min(max_k);
            // Partial shuffle: k families other than the intro's.
            let mut sections = Vec::with_capacity(k);
            let mut j = 0;
            while sections.len() < k && j < families.len() {
                let r = j + rng.below(families.len() - j);
                families.swap(j, r);
                let (f, ids) = &corpus.section_families[families[j]];
                if *f != fam {
                    sections.push(*rng.pick(ids));
                }
                j += 1;
            }
            let mut comps: Vec<u64> = sections.iter().map(|&s| s as u64 + 1).collect();
            comps.push(100_000 + intro as u64);
            comps.sort_unstable();
            let key = comps
                .iter()
                .fold(0xcbf2_9ce4_8422_2325u64, |h, &c| mix(h ^ c));
            if combos.contains(&key) {
                continue;
            }
            let mut score = 0u64;
            for a in 0..comps.len() {
                for b in a + 1..comps.len() {
                    score += *pairs.get(&(comps[a] << 20 | comps[b])).unwrap_or(&0) as u64;
                    for c in b + 1..comps.len() {
                        if triples.contains(&(comps[a] << 40 | comps[b] << 20 | comps[c])) {
                            score += 1_000_000;
                        }
                    }
                }
            }
            // Normalize by size so long bases are not penalized for having more pairs.
            let score = score * 10 / (comps.len() * (comps.len() - 1) / 2) as u64;
            if best.as_ref().is_none_or(|b| score < b.0) {
                best = Some((score, intro, sections, key));
            }
        }
        let Some((_, intro, sections, key)) = best else {
            bail!("the corpus is too small for {count} distinct bases");
        };
        combos.insert(key);
        let mut comps: Vec<u64> = sections.iter().map(|&s| s as u64 + 1).collect();
        comps.push(100_000 + intro as u64);
        comps.sort_unstable();
        for a in 0..comps.len() {
            for b in a + 1..comps.len() {
                *pairs.entry(comps[a] << 20 | comps[b]).or_insert(0) += 1;
                for c in b + 1..comps.len() {
                    triples.insert(comps[a] << 40 | comps[b] << 20 | comps[c]);
                }
            }
        }
        let (name, subject, domain, topic, role) = base_name(rng, &mut names, &mut subjects);
        out.push(BasePlan {
            name,
            subject,
            domain,
            topic,
            role,
            intro,
            sections,
        });
    }
    Ok(out)
}

/// A unique name. `<domain>-<role>` (e.g. `graphql-reviewer`) for the first base of a domain, then
/// `<domain>-<topic>-<role>` with a (domain, topic) subject no other base has, and once those run
/// short `<qualifier>-<domain>-<topic>-<role>`. Returns name, subject, domain, topic and role.
fn base_name(
    rng: &mut Rng,
    used: &mut HashSet<String>,
    subjects: &mut HashSet<String>,
) -> (String, String, String, String, String) {
    for attempt in 0.. {
        let (d, dd) = *rng.pick(DOMAINS);
        let t = *rng.pick(TOPICS);
        let td = t.replace('-', " ");
        let role = *rng.pick(ROLES);
        let (name, subject, key) = match attempt {
            0..=3 => (format!("{d}-{role}"), dd.to_owned(), d.to_owned()),
            4..=31 => (
                format!("{d}-{t}-{role}"),
                format!("{dd} {td}"),
                format!("{d}/{t}"),
            ),
            32..=63 => {
                let q = *rng.pick(QUALIFIERS);
                (
                    format!("{q}-{d}-{t}-{role}"),
                    format!("{dd} {td}"),
                    String::new(),
                )
            }
            _ => {
                let q = *rng.pick(QUALIFIERS);
                let k = rng.range(2, 9999);
                (
                    format!("{q}-{d}-{t}-{role}-{k}"),
                    format!("{dd} {td}"),
                    String::new(),
                )
            }
        };
        if !key.is_empty() && subjects.contains(&key) {
            continue;
        }
        if used.insert(name.clone()) {
            subjects.insert(key);
            return (name, subject, dd.to_owned(), td, role.to_owned());
        }
    }
    unreachable!()
}

struct Folder {
    rel: String,
    plugin: Option<String>,
    count: usize,
    cap: usize,
}

#[derive(Default)]
struct Placer {
    folders: Vec<Folder>,
    open_collections: Vec<usize>,
    open_plugins: Vec<usize>,
    plugin_names: HashSet<String>,
    paths: HashSet<String>,
}

struct MemberPlan {
    rel: String,
    name: String,
    parent: usize,
    plugin: Option<String>,
}

struct GroupPlan {
    base: BasePlan,
    members: Vec<MemberPlan>,
}

const OPEN_COLLECTIONS: usize = 3;
const OPEN_PLUGINS: usize = 12;

impl Placer {
    fn new_folder(&mut self, plugin: bool, rng: &mut Rng) -> usize {
        let folder = if plugin {
            let mut name = String::new();
            for attempt in 0.. {
                name = format!("{}-{}", rng.pick(VENDORS), rng.pick(PRODUCTS));
                if attempt >= 20 {
                    name = format!("{name}-{}", rng.range(2, 99));
                }
                if self.plugin_names.insert(name.clone()) {
                    break;
                }
            }
            Folder {
                rel: format!("plugins/{name}/agents"),
                plugin: Some(name),
                count: 0,
                cap: rng.range(10, 300),
            }
        } else {
            let k = self.folders.iter().filter(|f| f.plugin.is_none()).count() + 1;
            Folder {
                rel: format!("collection-{k:03}/agents"),
                plugin: None,
                count: 0,
                cap: rng.range(600, 1000),
            }
        };
        self.folders.push(folder);
        self.folders.len() - 1
    }

    /// A random open folder of the kind not used by this group yet (opening one if needed).
    fn folder(&mut self, plugin: bool, exclude: &[usize], rng: &mut Rng) -> usize {
        loop {
            let open = if plugin {
                &self.open_plugins
            } else {
                &self.open_collections
            };
            let free: Vec<usize> = open
                .iter()
                .copied()
                .filter(|f| !exclude.contains(f))
                .collect();
            if !free.is_empty() {
                return *rng.pick(&free);
            }
            let f = self.new_folder(plugin, rng);
            if plugin {
                &mut self.open_plugins
            } else {
                &mut self.open_collections
            }
            .push(f);
        }
    }

    fn take(&mut self, f: usize, name: &str, rng: &mut Rng) -> Option<String> {
        let rel = format!("{}/{}.md", self.folders[f].rel, name);
        if !self.paths.insert(rel.clone()) {
            return None;
        }
        let folder = &mut self.folders[f];
        folder.count += 1;
        if folder.count >= folder.cap {
            let plugin = folder.plugin.is_some();
            let replacement = self.new_folder(plugin, rng);
            let open = if plugin {
                &mut self.open_plugins
            } else {
                &mut self.open_collections
            };
            open.retain(|&x| x != f);
            open.push(replacement);
        }
        Some(rel)
    }

    fn place_group(&mut self, base: BasePlan, size: usize, rng: &mut Rng) -> GroupPlan {
        while self.open_collections.len() < OPEN_COLLECTIONS {
            let f = self.new_folder(false, rng);
            self.open_collections.push(f);
        }
        while self.open_plugins.len() < OPEN_PLUGINS {
            let f = self.new_folder(true, rng);
            self.open_plugins.push(f);
        }
        let mut used = Vec::with_capacity(size);
        let mut members: Vec<MemberPlan> = Vec::with_capacity(size);
        for j in 0..size {
            let parent = if j <= 1 || rng.chance(0.7) {
                0
            } else {
                rng.below(j)
            };
            let plugin = j > 0
                && (rng.chance(0.75) || self.open_collections.iter().all(|f| used.contains(f)));
            let f = self.folder(plugin, &used, rng);
            used.push(f);
            let plugin_name = self.folders[f].plugin.clone();
            let mut placed = None;
            for attempt in 0..12 {
                let mut name = if j == 0 {
                    base.name.clone()
                } else {
                    copy_name(
                        rng,
                        &base.name,
                        &members[parent].name,
                        parent,
                        plugin_name.as_deref(),
                    )
                };
                if attempt >= 8 {
                    name = format!("{name}-{}", attempt - 6);
                }
                if let Some(rel) = self.take(f, &name, rng) {
                    placed = Some((rel, name));
                    break;
                }
            }
            let (rel, name) = placed.unwrap_or_else(|| {
                let name = format!("{}-{}", base.name, j + 100);
                (
                    self.take(f, &name, rng).expect("unique fallback name"),
                    name,
                )
            });
            members.push(MemberPlan {
                rel,
                name,
                parent,
                plugin: plugin_name,
            });
        }
        GroupPlan { base, members }
    }
}

fn copy_name(
    rng: &mut Rng,
    base: &str,
    parent: &str,
    parent_idx: usize,
    plugin: Option<&str>,
) -> String {
    if parent_idx != 0 && rng.chance(0.3) {
        return parent.to_owned();
    }
    let prefix = |rng: &mut Rng| match plugin {
        Some(p) => format!("{p}-"),
        None => (*rng.pick(TEAM_PREFIXES)).to_owned(),
    };
    let r = rng.unit();
    if r < 0.35 {
        base.to_owned()
    } else if r < 0.65 {
        format!("{}{base}", prefix(rng))
    } else if r < 0.9 {
        format!("{base}{}", rng.pick(SUFFIXES))
    } else {
        let p = prefix(rng);
        format!("{p}{base}{}", rng.pick(SUFFIXES))
    }
}

// ---------------------------------------------------------------------------------------------
// Content (parallel, one RNG stream per group).

#[derive(Clone)]
struct Doc {
    name: String,
    description: String,
    tools: Option<String>,
    model: Option<String>,
    color: Option<String>,
    body: Vec<String>,
}

fn build_group(
    corpus: &Corpus,
    syn: &Synonyms,
    plan: &GroupPlan,
    domain_section: bool,
    rng: &mut Rng,
) -> Vec<(String, Vec<u8>)> {
    let base = base_doc(corpus, &plan.base, domain_section, rng);
    let mut docs: Vec<Doc> = Vec::with_capacity(plan.members.len());
    let mut out = Vec::with_capacity(plan.members.len());
    for (j, m) in plan.members.iter().enumerate() {
        let doc = if j == 0 {
            base.clone()
        } else {
            let mut d = docs[m.parent].clone();
            let renamed = m.name != d.name;
            d.name = m.name.clone();
            mutate(
                &mut d,
                renamed,
                corpus,
                syn,
                &plan.base,
                m.plugin.as_deref(),
                rng,
            );
            d
        };
        let crlf = rng.chance(0.1);
        let bom = rng.chance(0.05);
        out.push((m.rel.clone(), render(&doc, crlf, bom)));
        docs.push(doc);
    }
    out
}

fn base_doc(corpus: &Corpus, plan: &BasePlan, domain_section: bool, rng: &mut Rng) -> Doc {
    let intro = &corpus.intros[plan.intro];
    let mut body: Vec<String> = intro.lines.clone();
    let own = if domain_section {
        rng.range(0, plan.sections.len())
    } else {
        usize::MAX
    };
    for (k, &s) in plan.sections.iter().enumerate() {
        if k == own {
            body.push(String::new());
            body.extend(subject_section(plan, rng));
        }
        body.push(String::new());
        body.extend(corpus.sections[s].lines.iter().cloned());
    }
    if own == plan.sections.len() {
        body.push(String::new());
        body.extend(subject_section(plan, rng));
    }
    let (d, r) = (&plan.subject, &plan.role);
    let mut description = match rng.below(5) {
        0 => format!("Use this agent for {d} work that needs a {r}."),
        1 => format!("{} {r}.", capitalize(d)),
        2 => format!("Acts as a {r} for {d} projects."),
        3 => format!("Use proactively when a task touches {d} and needs a {r}."),
        _ => format!("{} for {d}.", capitalize(r)),
    };
    for &s in plan.sections.iter().take(2) {
        let summary = &corpus.sections[s].summary;
        if !summary.is_empty() {
            description.push(' ');
            description.push_str(summary);
            description.push('.');
        }
    }
    if rng.chance(0.5) {
        let heads: Vec<String> = plan
            .sections
            .iter()
            .map(|&s| corpus.sections[s].heading.to_lowercase())
            .collect();
        // The first five at most: a description lists what matters most, not every heading.
        let heads = &heads[..heads.len().min(5)];
        let (last, rest) = heads.split_last().expect("at least two sections");
        description.push_str(&format!(" Covers {} and {last}.", rest.join(", ")));
    }
    let tools = match rng.below(10) {
        0..=5 => intro.tools.clone(),
        6..=8 => {
            let mut pool: Vec<&str> = TOOLS.to_vec();
            rng.shuffle(&mut pool);
            let k = rng.range(3, 6);
            Some(pool[..k].join(", "))
        }
        _ => None,
    };
    let model = if rng.chance(0.6) {
        intro.model.clone()
    } else {
        Some((*rng.pick(MODELS)).to_owned())
    };
    let color = if rng.chance(0.75) {
        Some((*rng.pick(COLORS)).to_owned())
    } else {
        None
    };
    Doc {
        name: plan.name.clone(),
        description,
        tools,
        model,
        color,
        body,
    }
}

/// A section no other base has: 3-6 bullets from templates filled with the base's domain and
/// topic and random artifacts, concerns, practices and metrics.
fn subject_section(plan: &BasePlan, rng: &mut Rng) -> Vec<String> {
    let subject = capitalize(&format!("{} {}", plan.domain, plan.topic));
    let (d, t) = (plan.domain.as_str(), plan.topic.as_str());
    let heading = match rng.below(5) {
        0 => format!("## {subject} checklist"),
        1 => format!("## {subject} notes"),
        2 => format!("## Working on {d} {t}"),
        3 => format!("## {subject} specifics"),
        _ => format!("## House rules for {d} {t}"),
    };
    let mut out = vec![heading, String::new()];
    if rng.chance(0.4) {
        out.push(format!(
            "These points apply whenever a task touches {d} {t}; they override the general advice above."
        ));
        out.push(String::new());
    }
    let mut order: Vec<usize> = (0..SUBJECT_TEMPLATES.len()).collect();
    rng.shuffle(&mut order);
    for &k in &order[..rng.range(3, 6)] {
        let mut line = String::from("- ");
        let template = SUBJECT_TEMPLATES[k];
        let mut rest = template;
        let (p, q) = *rng.pick(PRACTICES);
        while let Some(open) = rest.find('{') {
            line.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            line.push_str(match &rest[open + 1..close] {
                "D" => d,
                "T" => t,
                "A" => ARTIFACTS[rng.below(ARTIFACTS.len())],
                "C" => CONCERNS[rng.below(CONCERNS.len())],
                "P" => p,
                "Q" => q,
                "M" => METRICS[rng.below(METRICS.len())],
                other => other,
            });
            rest = &rest[close + 1..];
        }
        line.push_str(rest);
        out.push(line);
    }
    out
}

const TOPICS: &[&str] = &[
    "schema",
    "migrations",
    "testing",
    "performance",
    "deploys",
    "forms",
    "routing",
    "state",
    "queries",
    "pipelines",
    "monitoring",
    "upgrades",
    "builds",
    "releases",
    "costs",
    "alerts",
    "backups",
    "indexes",
    "jobs",
    "workers",
    "webhooks",
    "streams",
    "plugins",
    "configs",
    "charts",
    "modules",
    "components",
    "hooks",
    "models",
    "features",
    "experiments",
    "dashboards",
    "reports",
    "contracts",
    "events",
    "queues",
    "sessions",
    "tokens",
    "permissions",
    "invoices",
    "imports",
    "exports",
    "sync",
    "storage",
    "networking",
    "containers",
    "clusters",
    "functions",
    "notebooks",
    "datasets",
    "prompts",
    "evals",
    "error-handling",
    "refactors",
    "onboarding",
    "benchmarks",
    "fixtures",
    "linting",
    "typing",
    "packaging",
    "localization",
    "templates",
    "clients",
    "rollouts",
];

const SUBJECT_TEMPLATES: &[&str] = &[
    "Check every change to {T} against the {D} {A} before merging",
    "Flag {C} in {D} {T} early and say how to reproduce them",
    "Prefer {P} over {Q} when touching {T}",
    "Keep the {D} {A} small enough to review in one sitting",
    "Record {M} before and after any change to {T}",
    "Ask which {D} version is in use and where the {A} lives before suggesting fixes",
    "Treat {C} as a release blocker for {T}",
    "Link each finding about {T} to the line in the {A} that causes it",
    "When {T} fail in CI, compare the {A} with the last green run first",
    "Explain {D} trade-offs around {T} in terms of {M}",
    "Never silence {C}; add a test that shows them instead",
    "Update the {A} in the same pull request as the change to {T}",
    "Watch {M} for a day after shipping {D} {T} changes",
    "Document why the {A} differs between environments",
    "Look for {C} first when {D} {T} misbehave under load",
];

const ARTIFACTS: &[&str] = &[
    "config",
    "manifests",
    "schema file",
    "changelog",
    "test suite",
    "lock file",
    "CI job",
    "runbook",
    "dashboard",
    "migration scripts",
    "API spec",
    "README",
    "build script",
    "Dockerfile",
    "feature flags",
    "fixtures",
    "release notes",
    "architecture notes",
];

const CONCERNS: &[&str] = &[
    "race conditions",
    "silent data loss",
    "N+1 queries",
    "memory leaks",
    "missing retries",
    "unbounded queues",
    "stale caches",
    "leaked credentials",
    "breaking API changes",
    "flaky tests",
    "slow cold starts",
    "missing indexes",
    "unclear error messages",
    "time zone bugs",
    "dependency drift",
    "unpinned versions",
    "unchecked user input",
    "missing timeouts",
];

const PRACTICES: &[(&str, &str)] = &[
    ("explicit configuration", "implicit defaults"),
    ("small pull requests", "big-bang rewrites"),
    ("feature flags", "long-lived branches"),
    ("typed interfaces", "stringly-typed data"),
    ("idempotent jobs", "one-off scripts"),
    ("structured logs", "print debugging"),
    ("boring, proven tools", "the newest framework"),
    ("measured changes", "guesswork"),
];

const METRICS: &[&str] = &[
    "p95 latency",
    "error rate",
    "build time",
    "bundle size",
    "memory use",
    "query plans",
    "test run time",
    "cost per request",
    "queue depth",
    "cache hit rate",
];

/// One copy's edits. A copy that is neither renamed nor verbatim always gets at least one edit.
fn mutate(
    doc: &mut Doc,
    renamed: bool,
    corpus: &Corpus,
    syn: &Synonyms,
    base: &BasePlan,
    plugin: Option<&str>,
    rng: &mut Rng,
) {
    if rng.chance(0.08) {
        return; // verbatim copy (only the place, maybe the name or line endings differ)
    }
    let mut edits = 0;
    for _ in 0..4 {
        if rng.chance(0.55) {
            edit_description(doc, syn, plugin, rng);
            edits += 1;
        }
        if rng.chance(0.5) {
            drop_bullets(&mut doc.body, rng);
            edits += 1;
        }
        if rng.chance(0.35) {
            reorder_bullets(&mut doc.body, rng);
            edits += 1;
        }
        if rng.chance(0.5) {
            let rate = 0.15 + 0.35 * rng.unit();
            let kinds = classify(&doc.body);
            for (line, kind) in doc.body.iter_mut().zip(kinds) {
                if !matches!(kind, Kind::Code | Kind::Blank) {
                    *line = syn.apply(line, rate, rng);
                }
            }
            edits += 1;
        }
        if rng.chance(0.3) {
            pull_lines(&mut doc.body, corpus, base, rng);
            edits += 1;
        }
        if rng.chance(0.3) {
            tweak_frontmatter(doc, rng);
            edits += 1;
        }
        if edits > 0 || renamed {
            break;
        }
    }
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..b.len() {
        if (b[i] == b'.' || b[i] == b'!' || b[i] == b'?') && b.get(i + 1) == Some(&b' ') {
            out.push(text[start..=i].trim().to_owned());
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim().to_owned());
    }
    out
}

fn edit_description(doc: &mut Doc, syn: &Synonyms, plugin: Option<&str>, rng: &mut Rng) {
    let mut parts = sentences(&doc.description);
    match rng.below(4) {
        0 if !parts.is_empty() => {
            // Reword one sentence.
            let i = rng.below(parts.len());
            let mut s = syn.apply(&parts[i], 0.8, rng);
            for (from, to) in [
                ("Use this agent", "Invoke this agent"),
                ("Use proactively", "Use this proactively"),
                ("Acts as", "Serves as"),
                ("work that needs", "tasks that need"),
            ] {
                if s.contains(from) && rng.chance(0.7) {
                    s = s.replacen(from, to, 1);
                }
            }
            parts[i] = s;
        }
        1 if parts.len() >= 2 => {
            let i = rng.range(1, parts.len() - 1);
            parts.remove(i);
        }
        2 => {
            let extra = match plugin {
                Some(p) if rng.chance(0.4) => format!("Part of the {p} plugin."),
                _ => (*rng.pick(APPENDED)).to_owned(),
            };
            parts.push(extra);
        }
        _ => {
            let extra = (*rng.pick(APPENDED)).to_owned();
            let i = rng.below(parts.len() + 1);
            parts.insert(i, extra);
        }
    }
    doc.description = parts.join(" ");
}

fn drop_bullets(body: &mut Vec<String>, rng: &mut Rng) {
    let kinds = classify(body);
    let bullets: Vec<usize> = (0..body.len())
        .filter(|&i| matches!(kinds[i], Kind::Bullet { .. }))
        .collect();
    if bullets.len() < 3 {
        return;
    }
    let share = 0.05 + 0.25 * rng.unit();
    let k = ((bullets.len() as f64 * share).round() as usize).max(1);
    let mut pick = bullets.clone();
    rng.shuffle(&mut pick);
    let drop: HashSet<usize> = pick[..k].iter().copied().collect();
    let mut i = 0;
    body.retain(|_| {
        i += 1;
        !drop.contains(&(i - 1))
    });
    renumber_lists(body);
}

/// Consecutive ordered bullets at one indent are numbered 1., 2., ... again.
fn renumber_lists(body: &mut [String]) {
    let kinds = classify(body);
    let mut i = 0;
    while i < body.len() {
        if let Kind::Bullet {
            indent,
            ordered: true,
        } = kinds[i]
        {
            let mut n = 1;
            while i < body.len()
                && kinds[i]
                    == (Kind::Bullet {
                        indent,
                        ordered: true,
                    })
            {
                let (prefix, text) = split_bullet(&body[i]);
                body[i] = format!("{}{}", renumber(prefix, n), text);
                n += 1;
                i += 1;
            }
        } else {
            i += 1;
        }
    }
}

fn reorder_bullets(body: &mut [String], rng: &mut Rng) {
    let kinds = classify(body);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if let Kind::Bullet { .. } = kinds[i] {
            let start = i;
            while i < body.len() && kinds[i] == kinds[start] {
                i += 1;
            }
            if i - start >= 3 {
                runs.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    if runs.is_empty() {
        return;
    }
    let how_many = rng.range(1, runs.len().min(2));
    rng.shuffle(&mut runs);
    for &(start, end) in &runs[..how_many] {
        let prefixes: Vec<String> = body[start..end]
            .iter()
            .map(|l| split_bullet(l).0.to_owned())
            .collect();
        let mut texts: Vec<String> = body[start..end]
            .iter()
            .map(|l| split_bullet(l).1.to_owned())
            .collect();
        let before = texts.clone();
        rng.shuffle(&mut texts);
        if texts == before {
            texts.swap(0, 1);
        }
        for (k, text) in texts.into_iter().enumerate() {
            body[start + k] = format!("{}{}", prefixes[k], text);
        }
    }
}

fn pull_lines(body: &mut Vec<String>, corpus: &Corpus, base: &BasePlan, rng: &mut Rng) {
    if corpus.bullets.is_empty() {
        return;
    }
    for _ in 0..rng.range(1, 3) {
        let mut text = None;
        for _ in 0..10 {
            let (s, t) = rng.pick(&corpus.bullets);
            if !base.sections.contains(s) && !body.iter().any(|l| l.ends_with(t.as_str())) {
                text = Some(t.clone());
                break;
            }
        }
        let Some(text) = text else { continue };
        let kinds = classify(body);
        let targets: Vec<usize> = (0..body.len())
            .filter(|&i| matches!(kinds[i], Kind::Bullet { ordered: false, .. }))
            .collect();
        if targets.is_empty() {
            body.push(String::new());
            body.push(format!("- {text}"));
        } else {
            let t = *rng.pick(&targets);
            let prefix = split_bullet(&body[t]).0.to_owned();
            body.insert(t + 1, format!("{prefix}{text}"));
        }
    }
}

fn tweak_frontmatter(doc: &mut Doc, rng: &mut Rng) {
    match rng.below(3) {
        0 => {
            let current = doc.model.clone();
            let others: Vec<&str> = MODELS
                .iter()
                .copied()
                .filter(|m| Some(*m) != current.as_deref())
                .collect();
            doc.model = Some((*rng.pick(&others)).to_owned());
        }
        1 => {
            let mut tools: Vec<String> = doc
                .tools
                .as_deref()
                .unwrap_or("Read, Grep, Glob")
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect();
            if tools.len() > 2 && rng.chance(0.5) {
                let i = rng.below(tools.len());
                tools.remove(i);
            } else {
                let missing: Vec<&str> = TOOLS
                    .iter()
                    .copied()
                    .filter(|t| !tools.iter().any(|x| x == t))
                    .collect();
                if !missing.is_empty() {
                    tools.push((*rng.pick(&missing)).to_owned());
                }
            }
            doc.tools = Some(tools.join(", "));
        }
        _ => {
            doc.color = if doc.color.is_some() && rng.chance(0.3) {
                None
            } else {
                Some((*rng.pick(COLORS)).to_owned())
            };
        }
    }
}

fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render(doc: &Doc, crlf: bool, bom: bool) -> Vec<u8> {
    let mut s = String::with_capacity(4096);
    if bom {
        s.push('\u{feff}');
    }
    let nl = if crlf { "\r\n" } else { "\n" };
    let line = |s: &mut String, text: &str| {
        s.push_str(text);
        s.push_str(nl);
    };
    line(&mut s, "---");
    line(&mut s, &format!("name: {}", doc.name));
    line(
        &mut s,
        &format!("description: {}", yaml_quote(&doc.description)),
    );
    if let Some(t) = &doc.tools {
        line(&mut s, &format!("tools: {t}"));
    }
    if let Some(m) = &doc.model {
        line(&mut s, &format!("model: {m}"));
    }
    if let Some(c) = &doc.color {
        line(&mut s, &format!("color: {c}"));
    }
    line(&mut s, "---");
    line(&mut s, "");
    for l in &doc.body {
        line(&mut s, l);
    }
    s.into_bytes()
}
