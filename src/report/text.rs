//! The default output: a summary a person reads in the terminal.

use super::Exporter;
use crate::model::{ClusterReport, Kind, Report, ScoreBreakdown, Tier};
use std::fmt::Write;

pub struct TextExporter;

impl Exporter for TextExporter {
    fn export(&self, report: &Report) -> String {
        let mut out = String::new();
        summary(&mut out, report);
        for cluster in &report.clusters {
            cluster_block(&mut out, report, cluster);
        }
        collisions(&mut out, report);
        mirror_sets(&mut out, report);
        description_cost(&mut out, report);
        skipped(&mut out, report);
        diagnostics(&mut out, report);
        out
    }
}

fn summary(out: &mut String, r: &Report) {
    let copies = r
        .clusters
        .iter()
        .filter(|c| c.cluster.tier == Tier::Copy)
        .count();
    let _ = writeln!(
        out,
        "Scanned {} file(s): {} agent(s) and {} skill(s) read, {} skipped.",
        r.scanned,
        r.agent_count(Kind::Agent),
        r.agent_count(Kind::Skill),
        r.skipped.len()
    );
    let (commands, rules) = (r.agent_count(Kind::Command), r.agent_count(Kind::Rule));
    if commands + rules > 0 {
        let _ = writeln!(
            out,
            "Also {commands} command(s) and {rules} rule(s), each compared only with its own kind."
        );
    }
    let _ = writeln!(
        out,
        "Found {} cluster(s) of duplicates ({} copy, {} variant) and {} name collision(s).",
        r.clusters.len(),
        copies,
        r.clusters.len() - copies,
        r.name_collisions.len()
    );
    if r.boilerplate_blocks > 0 {
        let _ = writeln!(
            out,
            "{} block(s) of text recur in {} or more files and were discounted as boilerplate.",
            r.boilerplate_blocks, r.boilerplate_threshold
        );
    }
}

fn cluster_block(out: &mut String, r: &Report, c: &ClusterReport) {
    let members = &c.cluster.members;
    let _ = writeln!(
        out,
        "\n{}  {}  {} {}s  score {:.2}–{:.2}  → merged as `{}`",
        c.id,
        c.cluster.tier,
        members.len(),
        r.agents[members[0]].kind,
        c.cluster.min_score,
        c.cluster.max_score,
        c.merged.name
    );
    if !c.cluster.shared_terms.is_empty() {
        let _ = writeln!(
            out,
            "    shared terms: {}",
            c.cluster.shared_terms.join(", ")
        );
    }
    let width = members
        .iter()
        .map(|&m| r.agents[m].path.display().to_string().len())
        .max()
        .unwrap_or(0);
    for &m in members {
        let path = r.agents[m].path.display().to_string();
        if m == c.cluster.representative {
            let _ = writeln!(out, "  * {path:<width$}  representative");
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
            let _ = writeln!(out, "    {path:<width$}  {score}");
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
        let _ = writeln!(
            out,
            "    {}: {chose}{ellipsis} ({}){dropped}",
            d.field, d.why
        );
    }
}

/// `0.71 = name 1.00, description 0.55, body 0.62, shared lines 0.10`
pub fn breakdown(s: &ScoreBreakdown) -> String {
    format!(
        "{:.2} = name {:.2}, description {:.2}, body {:.2}, shared blocks {:.2}",
        s.total, s.name, s.description, s.body, s.shared_lines
    )
}

fn collisions(out: &mut String, r: &Report) {
    if r.name_collisions.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nName collisions (a tool that sees several files of one name loads only one):"
    );
    for c in &r.name_collisions {
        let paths: Vec<String> = c.paths.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(out, "  {}: {}", c.name, paths.join(", "));
        for l in &c.loads {
            let _ = match &l.loads {
                Some(path) => writeln!(out, "    {} loads {} ({})", l.tool, path.display(), l.why),
                None => writeln!(out, "    {}: {}", l.tool, l.why),
            };
        }
    }
}

fn mirror_sets(out: &mut String, r: &Report) {
    if r.mirror_sets.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nMirror sets ({}): one definition kept for several tools; each tool loads its own \
         copy, so they are not merged:",
        r.mirror_sets.len()
    );
    for m in &r.mirror_sets {
        let _ = writeln!(
            out,
            "  {} ({} copies: {})",
            m.name,
            m.paths.len(),
            m.tools.join(", ")
        );
    }
}

fn description_cost(out: &mut String, r: &Report) {
    if r.description_cost.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nAgent listing per session (names and descriptions, about {} characters a token):",
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
        let _ = writeln!(
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

fn skipped(out: &mut String, r: &Report) {
    if r.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nSkipped ({}):", r.skipped.len());
    for s in &r.skipped {
        let _ = writeln!(out, "  {}: {}", s.path.display(), s.reason);
    }
}

fn diagnostics(out: &mut String, r: &Report) {
    let noted: Vec<_> = r
        .agents
        .iter()
        .filter(|a| !a.diagnostics.is_empty())
        .collect();
    if noted.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nRepairs and warnings ({} files):", noted.len());
    for a in noted {
        let _ = writeln!(out, "  {}", a.path.display());
        for d in &a.diagnostics {
            let _ = writeln!(out, "    - {d}");
        }
    }
}
