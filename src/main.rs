//! The `agent-dedup` binary: parse the command line, run the pipeline, print or write the report.

use agent_dedup::apply::{self, ApplyOptions, UndoOptions};
use agent_dedup::baseline;
use agent_dedup::candidates::Strategy;
use agent_dedup::cli::{
    AcceptArgs, ApplyArgs, Cli, Command, CommonArgs, EvalArgs, ExplainArgs, MergeArgs, ScanArgs,
    UndoArgs,
};
use agent_dedup::cluster::ClusterOptions;
use agent_dedup::config::{self, Config, Selection};
use agent_dedup::discover::DiscoverOptions;
use agent_dedup::eval;
use agent_dedup::model::ScoreBreakdown;
use agent_dedup::pipeline::{self, ScanOptions};
use agent_dedup::progress::Progress;
use agent_dedup::report::{self, Exporter, Format};
use agent_dedup::score::Weights;
use agent_dedup::terminal::{self, eprint_line};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: featurizing and merging make millions of small,
/// short-lived strings and vectors from two threads at once, where it measured faster (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Two settings of memory, each measured on the 100,000-agent scan (BENCHMARKS.md):
/// - mimalloc hands the memory it frees back to the system at once (purge delay 0). Each phase
///   frees much of what it made (the extracted bodies, the candidate index, the features) and the
///   peak is what a scan is judged by: on the real-sized 100,000 agents the peak fell from
///   1,176 MB (memory kept for reuse, delay -1) to 959 MB (10 ms: 1,027 MB; 50 ms: 1,046 MB), for
///   3.4 s more system time: the pages handed back return as fresh pages the kernel must zero.
/// - No transparent huge pages: on a fault the kernel would zero, and at times first compact, two
///   megabytes at once, which made a tenth of the run system time and its length vary by a second.
///
/// A scan is one batch that ends soon, so peak memory is what counts.
fn tune_memory() {
    /// `mi_option_purge_delay` in mimalloc.h (the same place in its v2 and v3), in milliseconds.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one option of the allocator in use; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    #[cfg(target_os = "linux")]
    // SAFETY: a flag on this process only; a kernel without it returns an error, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Exit code when `--fail-on-duplicates` or `--fail-on-collisions` finds something new.
const FOUND_DUPLICATES: u8 = 1;
/// Exit code when `apply` refuses a cluster or `undo` cannot restore a file.
const REFUSED: u8 = 1;
/// Exit code for usage errors, unreadable input and failed writes.
const ERROR: u8 = 2;

/// Prints to stdout; a reader that went away (`| head`) only ends the printing (see [`emit_with`]).
fn emit(text: &str) -> anyhow::Result<()> {
    emit_with(|out| out.write_all(text.as_bytes()))
}

/// Writes to stdout through a large buffer, for reports written as they are made (a JSON report of
/// 100,000 agents is hundreds of megabytes): the serializer's small writes reach the system in
/// large chunks. A reader that went away (`scan --out out | head -1`) stops the printing but not
/// the run: the `--out` files are still written and the exit code is the one the run earned.
fn emit_with(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let stdout = terminal::StopOnClosedPipe::new(std::io::stdout().lock());
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout);
    write(&mut out)
        .and_then(|_| out.flush())
        .map_err(|e| anyhow::anyhow!("cannot write to standard output: {e}"))
}

fn main() -> ExitCode {
    tune_memory();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprint_line(&format!("agent-dedup: error: {e:#}"));
            ExitCode::from(ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Merge(args) => merge(args),
        Command::Explain(args) => explain(args),
        Command::Eval(args) => evaluate(args),
        Command::Apply(args) => apply_report(args),
        Command::Undo(args) => undo(args),
        Command::Accept(args) => accept(args),
        Command::Completions(args) => {
            emit_with(|out| {
                agent_dedup::cli::write_completions(args.shell, out);
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            emit_with(agent_dedup::cli::write_man_page)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `accept`: adds the findings to the baseline; 2 when an id is unknown or a file changed.
fn accept(args: AcceptArgs) -> anyhow::Result<ExitCode> {
    let added = baseline::accept(&baseline::AcceptRequest {
        report: &args.report,
        clusters: &args.clusters,
        collisions: &args.collisions,
        baseline: &args.baseline,
        reason: args.reason.as_deref(),
    })?;
    let asked = args.clusters.len() + args.collisions.len();
    eprint_line(&format!(
        "accepted {added} finding(s) in {}{}",
        args.baseline.display(),
        if added < asked {
            format!(" ({} already were)", asked - added)
        } else {
            String::new()
        }
    ));
    Ok(ExitCode::SUCCESS)
}

/// `apply`: 0 every selected cluster applied (or would be, with --dry-run); 1 some refused (the
/// others applied); 2 the report is unusable or a file operation failed.
fn apply_report(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let options = ApplyOptions {
        clusters: args.clusters,
        archive: args.archive,
        delete: args.delete,
        dry_run: args.dry_run,
        force: args.force,
        root: args.root,
    };
    let outcome = apply::apply(&args.report, &options, &mut std::io::stdout().lock())?;
    for r in &outcome.refused {
        eprint_line(&format!("agent-dedup: {} refused: {}", r.cluster, r.reason));
    }
    let verb = if args.dry_run {
        "would apply"
    } else {
        "applied"
    };
    eprint_line(&format!(
        "{verb} {} cluster(s){}",
        outcome.applied.len(),
        if outcome.refused.is_empty() {
            String::new()
        } else {
            format!(", refused {}", outcome.refused.len())
        }
    ));
    if let Some(archive) = &outcome.archive {
        eprint_line(&format!("originals kept in {}", archive.display()));
    }
    if let Some(journal) = &outcome.journal {
        eprint_line(&format!("to undo: agent-dedup undo {}", journal.display()));
    }
    Ok(if outcome.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(REFUSED)
    })
}

/// `undo`: 0 everything is back (or already was); 1 some files could not be put back; 2 error.
fn undo(args: UndoArgs) -> anyhow::Result<ExitCode> {
    let options = UndoOptions {
        force: args.force,
        dry_run: args.dry_run,
        archive: args.archive,
    };
    let outcome = apply::undo(&args.journal, &options, &mut std::io::stdout().lock())?;
    for p in &outcome.problems {
        eprint_line(&format!("agent-dedup: {p}"));
    }
    let verb = if args.dry_run {
        "would restore"
    } else {
        "restored"
    };
    eprint_line(&format!(
        "{verb} {} file(s); {} already as before{}",
        outcome.restored,
        outcome.unchanged,
        if outcome.problems.is_empty() {
            String::new()
        } else {
            format!("; {} could not be restored", outcome.problems.len())
        }
    ));
    Ok(if outcome.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(REFUSED)
    })
}

fn options(common: &CommonArgs) -> ScanOptions {
    ScanOptions {
        strategy: if common.exhaustive {
            Some(Strategy::Exhaustive)
        } else if common.indexed {
            Some(Strategy::Indexed)
        } else {
            None
        },
        discover: DiscoverOptions {
            no_ignore: common.no_ignore,
        },
        cluster: ClusterOptions {
            threshold: common
                .threshold
                .unwrap_or(ClusterOptions::default().threshold),
            ..ClusterOptions::default()
        },
        progress: Progress::for_terminal(common.quiet, common.timings),
        weights: Weights {
            name: common.weight_name,
            description: common.weight_description,
            body: common.weight_body,
            role: common.weight_role,
        },
        diffs: true,
        select: Selection {
            exclude: config::exclude_set(&common.exclude)
                .expect("--exclude globs are checked as the command line is read"),
            kinds: None,
        },
    }
}

/// The scan's options with the configuration file's settings under the command line's; and the
/// reference folders to read besides the paths given.
fn scan_options(
    args: &ScanArgs,
    config: Option<&Config>,
) -> anyhow::Result<(ScanOptions, Vec<PathBuf>)> {
    let mut options = options(&args.common);
    // Diffs are written by --out and shown in Markdown and HTML; text and JSON do without them.
    options.diffs =
        args.out.is_some() || matches!(args.common.format, Format::Markdown | Format::Html);
    let mut globs = args.common.exclude.clone();
    let mut references = Vec::new();
    if let Some(config) = config {
        if let (None, Some(t)) = (args.common.threshold, config.threshold) {
            options.cluster.threshold = t;
        }
        globs.extend(config.exclude.iter().cloned());
        options.select.kinds = config.kinds().map_err(anyhow::Error::msg)?;
        for r in &config.reference {
            let folder = config.resolve(r);
            if !folder.is_dir() {
                anyhow::bail!(
                    "{}: reference folder {} is not a folder",
                    config.dir.join(config::CONFIG_FILE).display(),
                    folder.display()
                );
            }
            references.push(folder);
        }
    }
    options.select.exclude = config::exclude_set(&globs).map_err(anyhow::Error::msg)?;
    Ok((options, references))
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let mut paths = args.paths.clone();
    if args.installed {
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let places =
            agent_dedup::loads::installed_places(std::path::Path::new("."), home.as_deref());
        if places.is_empty() && paths.is_empty() {
            eprint_line(&format!(
                "agent-dedup: no agent folders in the standard places ({}); nothing to scan",
                agent_dedup::loads::STANDARD_PLACES.join(", ")
            ));
            return Ok(ExitCode::SUCCESS);
        }
        paths.extend(places);
    }
    let first = paths[0].clone();
    let config = config::for_scan(args.config.as_deref(), &first)?;
    let (options, references) = scan_options(&args, config.as_ref())?;
    let baseline = baseline::for_scan(args.baseline.as_deref(), config.as_ref(), &first)?;
    let inputs: Vec<PathBuf> = paths.iter().chain(&references).cloned().collect();
    if let Some(dir) = &args.out {
        agent_dedup::outdir::check_out_dir(dir, &inputs)?;
    }
    refuse_out_early(args.out.as_deref(), args.force)?;
    let mut report = pipeline::scan(&inputs, &options)?;
    if report.scanned == 0 {
        // Say why an empty result is empty, rather than let it pass for "no duplicates".
        eprint_line(
            "agent-dedup: no agent files found: folders are searched for *.md (and for *.txt or \
             *.markdown files that open with YAML frontmatter); name other files directly",
        );
    }
    config::separate_references(&mut report, &paths, &references);
    report.accepted = baseline.accepts(&report);
    let phase = options.progress.phase("report", 0);
    let printed = emit_with(|out| write_export(&report, &args.common, args.out.is_some(), out));
    phase.finish();
    // Whatever became of the printing, the files asked for are written.
    if let Some(dir) = &args.out {
        write_out(&report, dir, args.force)?;
    }
    printed?;
    let new_clusters = report
        .clusters
        .iter()
        .any(|c| !report.accepted.cluster(&c.id));
    let new_collisions = report
        .name_collisions
        .iter()
        .any(|c| !report.accepted.collision(&c.name));
    // The report of a large library is millions of small allocations, which take a good part of
    // a second to free one by one (measured: ~0.5 s for 100,000 agents); the program ends here, and
    // the system takes its memory back at once.
    std::mem::forget(report);
    Ok(
        if (args.fail_on_duplicates && new_clusters) || (args.fail_on_collisions && new_collisions)
        {
            ExitCode::from(FOUND_DUPLICATES)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// Writes the report in `format` to `to`; with `--out`, JSON also names each cluster's
/// `merged_file` (as report.json does).
fn write_export(
    report: &agent_dedup::model::Report,
    common: &CommonArgs,
    out: bool,
    to: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match common.format {
        Format::Json if out => report::write_out_json(report, to),
        Format::Text => report::TextExporter {
            verbose: common.verbose,
        }
        .write_to(report, to),
        format => report::exporter(format).write_to(report, to),
    }
}

/// `--out DIR` without `--force` into a folder holding files it could overwrite: refused before
/// any work (and checked again, file by file, when writing).
fn refuse_out_early(out: Option<&std::path::Path>, force: bool) -> anyhow::Result<()> {
    match out {
        Some(dir) if !force => agent_dedup::outdir::refuse_overwrite_early(dir),
        _ => Ok(()),
    }
}

fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.out {
        agent_dedup::outdir::check_out_dir(dir, &args.files)?;
    }
    refuse_out_early(args.out.as_deref(), args.force)?;
    let (report, skipped) = pipeline::merge_files(&args.files, &options(&args.common))?;
    if let Some(s) = skipped.first() {
        anyhow::bail!("{}: cannot be merged: {}", s.path.display(), s.reason);
    }
    if let Some(skill) = report
        .agents
        .iter()
        .find(|a| a.kind != report.agents[0].kind)
    {
        anyhow::bail!(
            "{}: is a {} and {} is a {}: skills and agents are never merged together",
            skill.path.display(),
            skill.kind,
            report.agents[0].path.display(),
            report.agents[0].kind
        );
    }
    let cluster = report
        .clusters
        .first()
        .ok_or_else(|| anyhow::anyhow!("merge needs at least two agent files"))?;
    let printed = match args.common.format {
        Format::Text => {
            let mut text = cluster.merged.text.clone();
            if args.diff {
                for d in &cluster.merged.diffs {
                    text.push('\n');
                    text.push_str(&d.unified);
                }
            }
            // The merged file as it is when redirected; on a terminal, its bytes from the members'
            // files cannot act on the terminal.
            if std::io::stdout().is_terminal() {
                text = terminal::escape_keeping_lines(&text).into_owned();
            }
            emit(&text)
        }
        _ => emit_with(|out| write_export(&report, &args.common, args.out.is_some(), out)),
    };
    if let Some(dir) = &args.out {
        write_out(&report, dir, args.force)?;
    }
    printed?;
    Ok(ExitCode::SUCCESS)
}

fn write_out(
    report: &agent_dedup::model::Report,
    dir: &std::path::Path,
    force: bool,
) -> anyhow::Result<()> {
    let written = report::write_out_dir(report, dir, force)?;
    eprint_line(&format!(
        "wrote {} file(s) to {}",
        written.len(),
        dir.display()
    ));
    Ok(())
}

fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    for file in [&args.a, &args.b] {
        if !file.is_file() {
            anyhow::bail!(
                "{}: no such file (explain compares two agent files)",
                file.display()
            );
        }
    }
    let library = if args.library.is_empty() {
        default_library(&args.a, &args.b)
    } else {
        args.library.clone()
    };
    let e = pipeline::explain(&args.a, &args.b, &library, &options(&args.common))?;
    match args.common.format {
        Format::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report::explanation_json(&e))?
        ))?,
        _ => emit(&report::explanation_text(&e))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Without `--library`, term rarity and boilerplate are judged over the folders holding the files.
fn default_library(a: &std::path::Path, b: &std::path::Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = [a, b]
        .iter()
        .map(|p| match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        })
        .collect();
    dirs.dedup();
    dirs
}

/// A pair's score parts on one line; parts that did not count (one side lacks them) in brackets.
fn parts_line(parts: Option<ScoreBreakdown>) -> String {
    let Some(p) = parts else {
        return "not scored (no candidate, or below the floor)".to_owned();
    };
    let part = |label: &str, value: f32, counted: bool| {
        if counted {
            format!("{label} {value:.2}")
        } else {
            format!("[{label} none]")
        }
    };
    format!(
        "{}  {}  {}  {}  shared {:.2}",
        part("name", p.name, p.counted.name),
        part("description", p.description, p.counted.description),
        part("body", p.body, p.counted.body),
        part("role", p.role, p.counted.role),
        p.shared_lines
    )
}

fn evaluate(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    };
    let related = args.related.as_ref().map(read).transpose()?;
    let labels = eval::Labels::parse(&read(&args.labels)?, related.as_deref())
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.labels.display()))?;
    let started = std::time::Instant::now();
    let (report, pairs) =
        pipeline::scan_with_pairs(std::slice::from_ref(&args.dir), &options(&args.common))?;
    let seconds = started.elapsed().as_secs_f64();
    let key = |i: usize| eval::label_key(&report.agents[i].path, &args.dir);
    let cluster_of = eval::cluster_of(&report, &args.dir);
    let mut scores = eval::evaluate(&labels, &cluster_of);
    let quality = eval::merge_quality(&report);
    let figures = eval::merge_quality::merge_figures(&report);
    let parts_of: std::collections::HashMap<(String, String), ScoreBreakdown> = pairs
        .iter()
        .map(|p| ((key(p.a), key(p.b)), p.score))
        .collect();
    // A pair never scored (no candidate, or below the floor) has no parts.
    let parts = |e: &eval::PairError| {
        parts_of
            .get(&(e.a.clone(), e.b.clone()))
            .or_else(|| parts_of.get(&(e.b.clone(), e.a.clone())))
            .copied()
    };
    let score = |e: &eval::PairError| parts(e).map_or(0.0, |p| p.total);
    for list in [&mut scores.false_merges, &mut scores.misses] {
        list.sort_by(|x, y| {
            score(y)
                .total_cmp(&score(x))
                .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
        });
    }
    let (false_merges, misses) = (scores.false_merges.len(), scores.misses.len());
    scores.false_merges.truncate(args.show);
    scores.misses.truncate(args.show);
    if args.common.format == Format::Json {
        let with_scores = |l: &Vec<eval::PairError>| -> Vec<serde_json::Value> {
            l.iter().map(|e| serde_json::json!({"a": e.a, "b": e.b, "role_a": e.role_a, "role_b": e.role_b, "score": score(e), "parts": parts(e)})).collect()
        };
        let out = serde_json::json!({
            "pairwise": scores.pairwise, "bcubed": scores.bcubed,
            "within_folder": scores.within_folder, "across_folders": scores.across_folders,
            "labelled_files": scores.labelled_files, "true_pairs": scores.true_pairs, "predicted_pairs": scores.predicted_pairs,
            "false_merges": false_merges, "misses": misses,
            "worst_false_merges": with_scores(&scores.false_merges), "worst_misses": with_scores(&scores.misses),
            "merge_quality": quality, "merge_figures": figures, "seconds": seconds, "clusters": report.clusters.len(), "settings": report.settings,
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&out)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    use std::fmt::Write;
    let mut text = String::new();
    let p = &scores.pairwise;
    let b = &scores.bcubed;
    let _ = writeln!(
        text,
        "{} labelled files, {} clusters, {:.2} s",
        scores.labelled_files,
        report.clusters.len(),
        seconds
    );
    let _ = writeln!(
        text,
        "pairwise  precision {:.3}  recall {:.3}  F1 {:.3}  ({} true pairs, {} predicted)",
        p.precision, p.recall, p.f1, scores.true_pairs, scores.predicted_pairs
    );
    let _ = writeln!(
        text,
        "          precision {:.3} within one top-level folder ({} pairs), {:.3} across folders ({} pairs)",
        scores.within_folder.precision,
        scores.within_folder.predicted_pairs,
        scores.across_folders.precision,
        scores.across_folders.predicted_pairs
    );
    let _ = writeln!(
        text,
        "B-cubed   precision {:.3}  recall {:.3}  F1 {:.3}",
        b.precision, b.recall, b.f1
    );
    let _ = writeln!(
        text,
        "merges    member lines represented: {:.1}% in one block, {:.1}% as a paraphrase, {:.1}% word for word anywhere; body ≤ {:.2}× the longest member (mean {:.2}×), {:.0}% strict YAML",
        quality.lines_represented * 100.0,
        quality.lines_paraphrased * 100.0,
        quality.lines_covered * 100.0, quality.max_length_ratio, quality.mean_length_ratio, quality.strict_yaml * 100.0
    );
    write_merge_figures(&mut text, &figures);
    if args.show > 0 && !figures.flagged.is_empty() {
        let _ = writeln!(text, "\nmerged files missing a target:");
        for line in figures.flagged.iter().take(args.show) {
            let _ = writeln!(text, "  {line}");
        }
    }
    for (title, list) in [
        (
            format!("worst false merges ({false_merges} in all)"),
            &scores.false_merges,
        ),
        (format!("closest misses ({misses} in all)"), &scores.misses),
    ] {
        let _ = writeln!(text, "\n{title}:");
        for e in list {
            let _ = writeln!(
                text,
                "  {:.2}  {} ({})  ~  {} ({})",
                score(e),
                e.a,
                e.role_a,
                e.b,
                e.role_b
            );
            let _ = writeln!(text, "        {}", parts_line(parts(e)));
        }
    }
    emit(&terminal::escape_keeping_lines(&text))?;
    Ok(ExitCode::SUCCESS)
}

/// The merge figures of `eval` (see `eval::merge_quality`), merged files against their members.
fn write_merge_figures(text: &mut String, f: &eval::merge_quality::MergeFigures) {
    use std::fmt::Write;
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let _ = writeln!(
        text,
        "merged files of {} variant clusters (members as reference):",
        f.clusters
    );
    let _ = writeln!(
        text,
        "  topics repeated   {} of files (members {})\n  repeated points   {} of points (members {})\n  broken numbering  {} of {} numbered runs (members {} of {})\n  fragments         {} added section(s) with fewer than two points",
        pct(f.merged.topics_repeated),
        pct(f.members.topics_repeated),
        pct(f.merged.repeated_points),
        pct(f.members.repeated_points),
        f.merged.broken_numbering,
        f.merged.numbered_runs,
        f.members.broken_numbering,
        f.members.numbered_runs,
        f.fragments
    );
    let _ = writeln!(
        text,
        "  points kept       {} of {} points two or more members make; {} of all {} distinct points",
        pct(f.shared_points_kept),
        f.shared_points,
        pct(f.distinct_points_kept),
        f.distinct_points
    );
    let _ = writeln!(
        text,
        "  length            at most {:.2}× the longest member (mean {:.2}×); frontmatter strict YAML {}",
        f.max_length_ratio,
        f.mean_length_ratio,
        pct(f.strict_yaml)
    );
    let _ = writeln!(
        text,
        "  description       {} within the longest member's tokens + 10%, {} with at most 3 examples (max {}); mean tokens: members together {:.0}, longest member {:.0}, merged {:.0}",
        pct(f.description_within_budget),
        pct(f.examples_within_limit),
        f.max_examples,
        f.mean_tokens_members,
        f.mean_tokens_longest_member,
        f.mean_tokens_merged
    );
}
