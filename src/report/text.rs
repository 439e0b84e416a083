//! The default output: a summary a person reads in the terminal.

use super::Exporter;
use crate::model::{ClusterReport, Kind, Report, ScoreBreakdown, Tier};
use crate::terminal;

/// Writes one line of the report with every control character in it escaped: names, paths and
/// values come from untrusted files, and none of them may end a line or act on the terminal.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        push_line($out, &format!($($arg)*))
    };
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(&terminal::escape(line));
    out.push('\n');
}

/// The terminal summary. Skipped files and repairs are grouped by kind with a few examples each,
/// so that 265 identical warnings take four lines; `verbose` lists every file.
#[derive(Debug, Default)]
pub struct TextExporter {
    pub verbose: bool,
}

/// How many files a group names when not verbose.
const EXAMPLES: usize = 3;

impl Exporter for TextExporter {
    fn export(&self, report: &Report) -> String {
        let mut out = String::new();
        summary(&mut out, report);
        for cluster in &report.clusters {
            if !report.accepted.cluster(&cluster.id) {
                cluster_block(&mut out, report, cluster);
            }
        }
        collisions(&mut out, report);
        mirror_sets(&mut out, report);
        accepted(&mut out, report);
        description_cost(&mut out, report);
        skipped(&mut out, report, self.verbose);
        diagnostics(&mut out, report, self.verbose);
        out
    }
}

fn summary(out: &mut String, r: &Report) {
    let copies = r
        .clusters
        .iter()
        .filter(|c| c.cluster.tier == Tier::Copy)
        .count();
    say!(
        out,
        "Scanned {} file(s): {} agent(s) and {} skill(s) read, {} skipped.",
        r.scanned,
        r.agent_count(Kind::Agent),
        r.agent_count(Kind::Skill),
        r.skipped.len()
    );
    let (commands, rules) = (r.agent_count(Kind::Command), r.agent_count(Kind::Rule));
    if commands + rules > 0 {
        say!(
            out,
            "Also {commands} command(s) and {rules} rule(s), each compared only with its own kind."
        );
    }
    say!(
        out,
        "Found {} cluster(s) of duplicates ({} copy, {} variant) and {} name collision(s).",
        r.clusters.len(),
        copies,
        r.clusters.len() - copies,
        r.name_collisions.len()
    );
    let accepted = r.accepted.clusters.len() + r.accepted.collisions.len();
    if accepted > 0 {
        say!(
            out,
            "{accepted} of them accepted in the baseline, listed at the end."
        );
    }
    if r.boilerplate_blocks > 0 {
        say!(
            out,
            "{} block(s) of text recur in {} or more files and were discounted as boilerplate.",
            r.boilerplate_blocks,
            r.boilerplate_threshold
        );
    }
}

fn cluster_block(out: &mut String, r: &Report, c: &ClusterReport) {
    let members = &c.cluster.members;
    out.push('\n');
    say!(
        out,
        "{}  {}  {} {}s  score {:.2}–{:.2}  → merged as `{}`",
        c.id,
        c.cluster.tier,
        members.len(),
        r.agents[members[0]].kind,
        c.cluster.min_score,
        c.cluster.max_score,
        c.merged.name
    );
    if !c.cluster.shared_terms.is_empty() {
        say!(
            out,
            "    shared terms: {}",
            c.cluster.shared_terms.join(", ")
        );
    }
    let width = members
        .iter()
        .map(|&m| terminal::path(&r.agents[m].path).chars().count())
        .max()
        .unwrap_or(0);
    for &m in members {
        let path = terminal::path(&r.agents[m].path);
        if m == c.cluster.representative {
            say!(out, "  * {path:<width$}  representative");
        } else {
            let score = c
                .cluster
                .pairs
                .iter()
                .find(|p| {
                    (p.a == m && p.b == c.cluster.representative)
                        || (p.b == m && p.a == c.cluster.representative)
                })
                .map(|p| breakdown(&p.score))
                .unwrap_or_else(|| "below the scoring floor".to_owned());
            say!(out, "    {path:<width$}  {score}");
        }
    }
    for d in &c.merged.decisions {
        let dropped = match d.dropped.len() {
            0 => String::new(),
            n if n <= 3 => format!(" [not kept: {}]", d.dropped.join("; ")),
            n => format!(
                " [not kept: {}; and {} more: see --format markdown]",
                d.dropped[..2].join("; "),
                n - 2
            ),
        };
        let chose: String = d.chose.chars().take(70).collect();
        let ellipsis = if d.chose.chars().count() > 70 {
            "…"
        } else {
            ""
        };
        say!(
            out,
            "    {}: {chose}{ellipsis} ({}){dropped}",
            d.field,
            d.why
        );
    }
}

/// `0.71 = name 1.00, description 0.55, body 0.62, role 0.40, shared blocks 0.10`
pub fn breakdown(s: &ScoreBreakdown) -> String {
    format!(
        "{:.2} = name {:.2}, description {:.2}, body {:.2}, role {:.2}, shared blocks {:.2}",
        s.total, s.name, s.description, s.body, s.role, s.shared_lines
    )
}

fn collisions(out: &mut String, r: &Report) {
    if r.name_collisions
        .iter()
        .all(|c| r.accepted.collision(&c.name))
    {
        return;
    }
    out.push('\n');
    say!(
        out,
        "Name collisions (a tool that sees several files of one name loads only one):"
    );
    for c in r
        .name_collisions
        .iter()
        .filter(|c| !r.accepted.collision(&c.name))
    {
        let paths: Vec<String> = c.paths.iter().map(|p| p.display().to_string()).collect();
        say!(out, "  {}: {}", c.name, paths.join(", "));
        for l in &c.loads {
            match &l.loads {
                Some(path) => say!(out, "    {} loads {} ({})", l.tool, path.display(), l.why),
                None => say!(out, "    {}: {}", l.tool, l.why),
            };
        }
    }
}

fn mirror_sets(out: &mut String, r: &Report) {
    if r.mirror_sets.is_empty() {
        return;
    }
    out.push('\n');
    say!(
        out,
        "Mirror sets ({}): one definition kept for several tools; each tool loads its own \
         copy, so they are not merged:",
        r.mirror_sets.len()
    );
    for m in &r.mirror_sets {
        say!(
            out,
            "  {} ({} copies: {})",
            m.name,
            m.paths.len(),
            m.tools.join(", ")
        );
    }
}

/// Findings the baseline accepts: one line each, apart from the new ones.
fn accepted(out: &mut String, r: &Report) {
    let clusters: Vec<&ClusterReport> = r
        .clusters
        .iter()
        .filter(|c| r.accepted.cluster(&c.id))
        .collect();
    let collisions: Vec<&str> = r
        .name_collisions
        .iter()
        .filter(|c| r.accepted.collision(&c.name))
        .map(|c| c.name.as_str())
        .collect();
    if clusters.is_empty() && collisions.is_empty() {
        return;
    }
    out.push('\n');
    say!(out, "Accepted in the baseline (not counted as new):");
    for c in clusters {
        let paths: Vec<String> = c
            .cluster
            .members
            .iter()
            .map(|&m| r.agents[m].path.display().to_string())
            .collect();
        say!(out, "  {}: {}", c.id, paths.join(", "));
    }
    if !collisions.is_empty() {
        say!(out, "  name collisions: {}", collisions.join(", "));
    }
}

fn description_cost(out: &mut String, r: &Report) {
    if r.description_cost.is_empty() {
        return;
    }
    out.push('\n');
    say!(
        out,
        "Agent listing per session (names and descriptions, about {} characters a token):",
        crate::cost::CHARS_PER_TOKEN
    );
    for t in &r.description_cost {
        let warning = match t.warning_at {
            Some(at) if t.tokens > at => format!(", over the {at}-token warning"),
            _ => String::new(),
        };
        let costliest: Vec<String> = t
            .costliest
            .iter()
            .take(3)
            .map(|a| format!("{} {}", a.name, a.tokens))
            .collect();
        say!(
            out,
            "  {}: ~{} tokens for {} agent(s){warning}; the consolidation saves ~{} (→ ~{}). \
             Costliest: {}",
            t.tool,
            t.tokens,
            t.agents,
            t.saving,
            t.tokens_after,
            costliest.join(", ")
        );
    }
}

fn skipped(out: &mut String, r: &Report, verbose: bool) {
    if r.skipped.is_empty() {
        return;
    }
    out.push('\n');
    say!(out, "Skipped ({}):", r.skipped.len());
    if verbose {
        for s in &r.skipped {
            say!(out, "  {}: {}", s.path.display(), s.reason);
        }
        return;
    }
    let by_reason = grouped(
        r.skipped
            .iter()
            .map(|s| (s.reason.as_str(), s.path.display().to_string())),
    );
    for (reason, paths) in by_reason {
        say!(out, "  {} × {reason}", paths.len());
        examples(out, &paths);
    }
}

/// `(label, line)` pairs gathered by label, the largest group first (then in order of appearance).
fn grouped<'a>(items: impl Iterator<Item = (&'a str, String)>) -> Vec<(&'a str, Vec<String>)> {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (label, line) in items {
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, lines)) => lines.push(line),
            None => groups.push((label, vec![line])),
        }
    }
    groups.sort_by_key(|(_, lines)| std::cmp::Reverse(lines.len()));
    groups
}

/// The first few of `lines`, indented, and how many more there are.
fn examples(out: &mut String, lines: &[String]) {
    for line in lines.iter().take(EXAMPLES) {
        say!(out, "      {line}");
    }
    if lines.len() > EXAMPLES {
        say!(
            out,
            "      … and {} more (--verbose lists every file)",
            lines.len() - EXAMPLES
        );
    }
}

fn diagnostics(out: &mut String, r: &Report, verbose: bool) {
    let noted: Vec<_> = r
        .agents
        .iter()
        .filter(|a| !a.diagnostics.is_empty())
        .collect();
    if noted.is_empty() {
        return;
    }
    out.push('\n');
    say!(out, "Repairs and warnings ({} files):", noted.len());
    if verbose {
        for a in noted {
            say!(out, "  {}", a.path.display());
            for d in &a.diagnostics {
                say!(out, "    - {d}");
            }
        }
        return;
    }
    let by_kind = grouped(noted.iter().flat_map(|a| {
        a.diagnostics
            .iter()
            .map(move |d| (d.kind(), format!("{}: {d}", a.path.display())))
    }));
    for (kind, lines) in by_kind {
        say!(out, "  {} × {kind}", lines.len());
        examples(out, &lines);
    }
}
