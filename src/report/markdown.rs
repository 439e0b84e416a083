//! `--format markdown`: a consolidation report a person can read, review and commit.

use super::Exporter;
use crate::model::{ClusterReport, Kind, Report};
use crate::terminal::{self, escape};
use std::fmt::Write;

pub struct MarkdownExporter;

/// Values not kept that a decision lists in the Markdown report (JSON lists them all).
const DROPPED_SHOWN: usize = 8;

impl Exporter for MarkdownExporter {
    fn export(&self, r: &Report) -> String {
        export(r, None)
    }
}

/// The report as `--out` writes it next to the merged files: each cluster links its
/// `<stem>.md` and `<stem>.diff` instead of inlining them, so that the report of a large library
/// stays small enough to read (`stems` in cluster order, as `--out` names the files).
pub fn export_linking_files(r: &Report, stems: &[String]) -> String {
    export(r, Some(stems))
}

fn export(r: &Report, stems: Option<&[String]>) -> String {
    {
        let mut out = String::new();
        let _ = writeln!(out, "# Agent consolidation report\n");
        let inputs: Vec<String> = r
            .inputs
            .iter()
            .map(|p| format!("`{}`", terminal::path(p)))
            .collect();
        let _ = writeln!(
            out,
            "Scanned {} ({} files): {} agents and {} skills read, {} skipped. {} cluster(s) of duplicates, {} name collision(s).\n",
            inputs.join(", "),
            r.scanned,
            r.agent_count(Kind::Agent),
            r.agent_count(Kind::Skill),
            r.skipped.len(),
            r.clusters.len(),
            r.name_collisions.len()
        );
        summary_table(&mut out, r);
        for (i, c) in r.clusters.iter().enumerate() {
            cluster_section(
                &mut out,
                r,
                c,
                stems.and_then(|s| s.get(i)).map(String::as_str),
            );
        }
        collisions(&mut out, r);
        mirror_sets(&mut out, r);
        description_cost(&mut out, r);
        problems(&mut out, r);
        // Paths, names and values were escaped where they stand, so that none can start a line of
        // its own; the merged texts and diffs keep their lines, and lose only what could act on a
        // terminal showing the report.
        terminal::escape_keeping_lines(&out).into_owned()
    }
}

fn summary_table(out: &mut String, r: &Report) {
    if r.clusters.is_empty() {
        let _ = writeln!(out, "No duplicates found.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| cluster | tier | members | score | merged name |\n|---|---|---|---|---|"
    );
    for c in &r.clusters {
        let accepted = if r.accepted.cluster(&c.id) {
            " (accepted)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {}{accepted} | {} | {} | {:.2}–{:.2} | `{}` |",
            c.id,
            c.cluster.tier,
            c.cluster.members.len(),
            c.cluster.min_score,
            c.cluster.max_score,
            c.merged.name
        );
    }
    out.push('\n');
}

fn cluster_section(out: &mut String, r: &Report, c: &ClusterReport, stem: Option<&str>) {
    let _ = writeln!(
        out,
        "## {}: `{}` ({}, {} members)\n",
        c.id,
        c.merged.name,
        c.cluster.tier,
        c.cluster.members.len()
    );
    if !c.cluster.shared_terms.is_empty() {
        let _ = writeln!(
            out,
            "Held together by: {}.\n",
            c.cluster.shared_terms.join(", ")
        );
    }
    if c.cluster.tier == crate::model::Tier::Variant {
        for group in &c.cluster.copy_groups {
            let paths: Vec<String> = group
                .iter()
                .map(|&m| format!("`{}`", terminal::path(&r.agents[m].path)))
                .collect();
            let _ = writeln!(
                out,
                "Near-verbatim copies within it: {}.\n",
                paths.join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "| member | name | score to representative |\n|---|---|---|"
    );
    for &m in &c.cluster.members {
        let a = &r.agents[m];
        let score = if m == c.cluster.representative {
            "representative".to_owned()
        } else {
            c.cluster
                .pairs
                .iter()
                .find(|p| {
                    (p.a == m || p.b == m)
                        && (p.a == c.cluster.representative || p.b == c.cluster.representative)
                })
                .map(|p| super::text::breakdown(&p.score))
                .unwrap_or_else(|| "below the scoring floor".to_owned())
        };
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} |",
            terminal::path(&a.path),
            escape(&a.display_name()),
            score
        );
    }
    let _ = writeln!(out, "\n### Decisions\n");
    for d in &c.merged.decisions {
        let _ = write!(
            out,
            "- **{}**: {} — {}",
            escape(&d.field),
            escape(&d.chose.replace('\n', " ")),
            escape(&d.why)
        );
        if !d.dropped.is_empty() {
            let _ = write!(
                out,
                " Not kept: {}",
                d.dropped
                    .iter()
                    .take(DROPPED_SHOWN)
                    .map(|x| format!("`{}`", escape(&x.replace('`', "'"))))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            // The whole list is in report.json; here it would make a large library's report
            // too long to read.
            let more = d.dropped.len().saturating_sub(DROPPED_SHOWN);
            if more > 0 {
                let _ = write!(out, " and {more} more (all listed in report.json)");
            }
            out.push('.');
        }
        out.push('\n');
    }
    if let Some(stem) = stem {
        let ext = super::merged_extension(r, c);
        let _ = writeln!(
            out,
            "\nMerged definition: [`{stem}.{ext}`]({stem}.{ext}). Diff from each member: [`{stem}.diff`]({stem}.diff).\n"
        );
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>Merged definition</summary>\n\n````markdown\n{}````\n\n</details>\n",
        c.merged.text
    );
    for d in &c.merged.diffs {
        let _ = writeln!(
            out,
            "<details><summary>Diff from <code>{}</code></summary>\n\n````diff\n{}````\n\n</details>\n",
            terminal::path(&d.path),
            d.unified
        );
    }
}

fn collisions(out: &mut String, r: &Report) {
    if r.name_collisions.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Name collisions\n\nA tool that sees several files of one name loads only one.\n"
    );
    for c in &r.name_collisions {
        let paths: Vec<String> = c
            .paths
            .iter()
            .map(|p| format!("`{}`", terminal::path(p)))
            .collect();
        let _ = writeln!(out, "- `{}`: {}", escape(&c.name), paths.join(", "));
        for l in &c.loads {
            let _ = match &l.loads {
                Some(path) => writeln!(
                    out,
                    "  - {} loads `{}` ({})",
                    l.tool,
                    terminal::path(path),
                    escape(&l.why)
                ),
                None => writeln!(out, "  - {}: {}", l.tool, escape(&l.why)),
            };
        }
    }
    out.push('\n');
}

fn mirror_sets(out: &mut String, r: &Report) {
    if r.mirror_sets.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Mirror sets\n\nOne definition kept for several tools: each tool loads its own copy, \
         so these are not merged.\n"
    );
    for m in &r.mirror_sets {
        let _ = writeln!(out, "- `{}`: {}", m.name, m.tools.join(", "));
    }
    out.push('\n');
}

fn description_cost(out: &mut String, r: &Report) {
    if r.description_cost.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Agent listing per session\n\nNames and descriptions every session lists, at about {} \
         characters a token.\n\n| tool | agents | tokens | after the consolidation | costliest |\n|---|---|---|---|---|",
        crate::cost::CHARS_PER_TOKEN
    );
    for t in &r.description_cost {
        let costliest: Vec<String> = t
            .costliest
            .iter()
            .take(3)
            .map(|a| format!("`{}` {}", a.name, a.tokens))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {} | {} |",
            t.tool,
            t.agents,
            t.tokens,
            match t.warning_at {
                Some(at) if t.tokens > at => format!(" (over the {at}-token warning)"),
                _ => String::new(),
            },
            t.tokens_after,
            costliest.join(", ")
        );
    }
    out.push('\n');
}

fn problems(out: &mut String, r: &Report) {
    if !r.skipped.is_empty() {
        let _ = writeln!(out, "## Skipped files\n");
        for s in &r.skipped {
            let _ = writeln!(
                out,
                "- `{}`: {}",
                terminal::path(&s.path),
                escape(&s.reason)
            );
        }
        out.push('\n');
    }
    let noted: Vec<_> = r
        .agents
        .iter()
        .filter(|a| !a.diagnostics.is_empty())
        .collect();
    if !noted.is_empty() {
        let _ = writeln!(out, "## Repairs and warnings\n");
        for a in noted {
            let list: Vec<String> = a.diagnostics.iter().map(|d| d.to_string()).collect();
            let _ = writeln!(
                out,
                "- `{}`: {}",
                terminal::path(&a.path),
                escape(&list.join("; "))
            );
        }
    }
}
