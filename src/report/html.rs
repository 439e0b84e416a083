//! `--format html` (and `report.html` with `--out`): one self-contained page a maintainer reads in a
//! browser, on a laptop or a phone.
//!
//! No network and no script: the styles are inline, the picture of the library is inline SVG, and
//! the unified / side-by-side switch of the diffs is two radio buttons and CSS. Agent files are
//! untrusted, so every piece of text from them is escaped ([`escape`]); on top of that a
//! Content-Security-Policy allows nothing but the page's own style sheet (by its hash), so even an
//! escaping mistake could not run a script.

use super::Exporter;
use crate::model::{AgentFile, ClusterReport, Kind, Report, ScoreBreakdown, Tier};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn export(&self, r: &Report) -> String {
        let mut out = String::with_capacity(1 << 16);
        head(&mut out, r);
        overview(&mut out, r);
        library_map(&mut out, r);
        cluster_table(&mut out, r);
        for c in &r.clusters {
            cluster_section(&mut out, r, c);
        }
        collisions(&mut out, r);
        skipped(&mut out, r);
        warnings(&mut out, r);
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// Text made safe inside an element or a quoted attribute: no character of it can open a tag, an
/// attribute or an entity.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's only style sheet. The policy allows it by its hash, so it must be written exactly so.
const STYLE: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#fff;--soft:#f4f6f9;--copy:#d9480f;--variant:#1c7ed6;--del:#ffe3e3;--add:#d3f9d8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{position:sticky;top:0;z-index:2;background:var(--fg);color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header h1{font-size:1.05rem;margin:0}
header nav a{color:#fff;margin-right:.8rem}
.switch label{cursor:pointer;padding:.15rem .5rem;border:1px solid #fff;border-radius:3px;margin-left:.3rem;font-size:.85rem}
.vh{position:absolute;opacity:0;pointer-events:none}
#view-unified:checked ~ header .switch label[for=view-unified],#view-side:checked ~ header .switch label[for=view-side]{background:#fff;color:var(--fg)}
main{max-width:1200px;margin:0 auto;padding:0 1rem 3rem}
h2{margin:2rem 0 .6rem;font-size:1.3rem;border-bottom:2px solid var(--line)}
h3{margin:1.2rem 0 .4rem;font-size:1rem}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.6rem}
.stat{background:var(--soft);border-radius:6px;padding:.5rem .7rem}
.stat b{display:block;font-size:1.5rem}
.stat span{color:var(--muted);font-size:.85rem}
.muted{color:var(--muted)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
td code{word-break:break-all}
.tier{display:inline-block;border-radius:3px;padding:0 .35rem;color:#fff;font-size:.8rem}
.tier.copy{background:var(--copy)}.tier.variant{background:var(--variant)}.tier.accepted{background:#495057}
.cluster{border:1px solid var(--line);border-radius:8px;padding:.2rem 1rem 1rem;margin:1.2rem 0}
.cluster h2{border:0;margin-top:.8rem}
.s0{background:#f8f9fa}.s1{background:#eef4fc}.s2{background:#e0ecfa}.s3{background:#cfe2f7}.s4{background:#bad5f3}.s5{background:#a3c6ee}.s6{background:#89b5e8}.s7{background:#6ea3e1}.s8{background:#5190d9}.s9{background:#347dd1;color:#fff}
details{margin:.4rem 0;border:1px solid var(--line);border-radius:6px;padding:.2rem .6rem}
summary{cursor:pointer}
pre.file{white-space:pre-wrap;word-break:break-word;background:var(--soft);padding:.6rem;margin:.4rem 0}
.diff{margin:.4rem 0;font-size:.8rem}
.diff pre{margin:0;padding:0 .3rem;white-space:pre-wrap;word-break:break-word;min-width:0}
.diff .dh,.diff .hk{font-family:ui-monospace,monospace;color:var(--muted);background:var(--soft);padding:0 .3rem}
.diff .del{background:var(--del)}.diff .add{background:var(--add)}
.diff .none{display:none}
#view-side:checked ~ main .diff .chg{display:grid;grid-template-columns:1fr 1fr;column-gap:3px}
#view-side:checked ~ main .diff .none{display:block}
.map svg{width:100%;height:auto;max-width:1000px}
.map a:hover rect{stroke:#000;stroke-width:1.5}
.legend span{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;vertical-align:-1px;margin:0 .2rem 0 .8rem}
.legend .lc{background:var(--copy)}.legend .lv{background:var(--variant)}.legend .ls{background:#dee2e6}.legend .lx{background:#fff;border:2px solid #e03131}
.heat svg{max-width:100%;height:auto}
ul.decisions li{margin:.2rem 0}
.dropped{color:#a61e4d}
@media (max-width:640px){body{font-size:14px}main{padding:0 .5rem 2rem}.cluster{padding:.2rem .5rem .6rem}th,td{padding:.2rem .3rem}}
"#;

/// `'sha256-…'`: the hash a Content-Security-Policy names to allow one inline element.
fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648), for the policy's hash.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The policy: nothing may load or run but the style sheet above. Agent text is escaped anyway;
/// this is the second lock.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE)
    )
}

fn head(out: &mut String, r: &Report) {
    let inputs: Vec<String> = r.inputs.iter().map(|p| p.display().to_string()).collect();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
<meta name=\"referrer\" content=\"no-referrer\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>agent-dedup report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<input type=\"radio\" name=\"diff-view\" id=\"view-unified\" class=\"vh\" checked>\
<input type=\"radio\" name=\"diff-view\" id=\"view-side\" class=\"vh\">\n\
<header><h1>agent-dedup: {}</h1><nav><a href=\"#overview\">Overview</a><a href=\"#map\">Map</a>\
<a href=\"#clusters\">Clusters</a><a href=\"#collisions\">Collisions</a><a href=\"#problems\">Problems</a></nav>\
<span class=\"switch\">Diffs:<label for=\"view-unified\">unified</label><label for=\"view-side\">side by side</label></span></header>\n<main>\n",
        escape(&content_security_policy()),
        escape(&inputs.join(", "))
    );
}

/// Descriptions are what Claude Code keeps in context for every agent; about four characters make
/// a token. Returns the estimate for the library as it is and after every cluster is merged.
pub fn description_tokens(r: &Report) -> (usize, usize) {
    let tokens = |text: Option<String>| text.map_or(0, |t| t.chars().count().div_ceil(4));
    let before: usize = r
        .agents
        .iter()
        .map(|a| tokens(a.frontmatter.description()))
        .sum();
    let mut after = before;
    for c in &r.clusters {
        let members: usize = c
            .cluster
            .members
            .iter()
            .map(|&m| tokens(r.agents[m].frontmatter.description()))
            .sum();
        after = after - members + tokens(c.merged.frontmatter.description());
    }
    (before, after)
}

fn stat(out: &mut String, value: impl std::fmt::Display, label: &str) {
    let _ = write!(
        out,
        "<div class=\"stat\"><b>{}</b><span>{}</span></div>",
        escape(&value.to_string()),
        label
    );
}

fn overview(out: &mut String, r: &Report) {
    let copies = r
        .clusters
        .iter()
        .filter(|c| c.cluster.tier == Tier::Copy)
        .count();
    let in_clusters: usize = r.clusters.iter().map(|c| c.cluster.members.len()).sum();
    let (before, after) = description_tokens(r);
    out.push_str("<section id=\"overview\"><h2>Overview</h2><div class=\"stats\">");
    stat(out, r.scanned, "files seen");
    stat(out, r.agent_count(Kind::Agent), "agents read");
    stat(out, r.agent_count(Kind::Skill), "skills read");
    stat(out, r.skipped.len(), "files skipped");
    stat(out, r.clusters.len(), "clusters of duplicates");
    stat(out, copies, "copy clusters (near-verbatim)");
    stat(out, r.clusters.len() - copies, "variant clusters");
    stat(out, in_clusters, "files in a cluster");
    stat(out, r.name_collisions.len(), "name collisions");
    stat(out, format!("≈{before}"), "description tokens now");
    stat(out, format!("≈{after}"), "description tokens after merging");
    out.push_str("</div>");
    let _ = writeln!(
        out,
        "<p class=\"muted\">Token counts are estimates (characters ÷ 4) of the descriptions Claude Code \
keeps in context for every agent. Threshold {:.2}; {} pairs scored; {} block(s) recurring in {} or \
more files discounted as boilerplate.</p></section>",
        r.settings.threshold, r.pairs_scored, r.boilerplate_blocks, r.boilerplate_threshold
    );
}

/// The score of member `m` to the cluster's representative, if that pair was kept.
fn score_to_representative(c: &ClusterReport, m: usize) -> Option<&ScoreBreakdown> {
    let rep = c.cluster.representative;
    c.cluster
        .pairs
        .iter()
        .find(|p| (p.a == m && p.b == rep) || (p.b == m && p.a == rep))
        .map(|p| &p.score)
}

/// A picture of the whole library: one square per file, each cluster a block of squares (largest
/// first), coloured by tier and shaded by score to its representative; then every file no cluster
/// holds. A red outline marks a file whose name another file also declares. Each block links to
/// its cluster.
fn library_map(out: &mut String, r: &Report) {
    const WIDTH: usize = 990;
    // Squares as large as fit about 990 × 300 pixels of map, within 6 to 24 pixels.
    let cell_size = ((WIDTH * 300) as f64 / r.agents.len().max(1) as f64)
        .sqrt()
        .clamp(6.0, 24.0) as usize;
    let step = cell_size + 1;
    let gap = cell_size / 2 + 2;
    let colliding: std::collections::HashSet<&std::path::Path> = r
        .name_collisions
        .iter()
        .flat_map(|c| c.paths.iter().map(|p| p.as_path()))
        .collect();
    let mut clustered = vec![false; r.agents.len()];
    let mut shelves = Shelves::new(WIDTH, gap);
    let mut body = String::new();
    for c in &r.clusters {
        let n = c.cluster.members.len();
        let cols = (n as f64).sqrt().ceil() as usize;
        let (bx, by) = shelves.place(cols * step, n.div_ceil(cols) * step);
        let _ = write!(
            body,
            "<a href=\"#{}\"><title>{}: {} cluster of {}, merged as {}</title>",
            escape(&c.id),
            escape(&c.id),
            c.cluster.tier,
            n,
            escape(&c.merged.name)
        );
        let hue = if c.cluster.tier == Tier::Copy {
            "217,72,15"
        } else {
            "28,126,214"
        };
        for (i, &m) in c.cluster.members.iter().enumerate() {
            clustered[m] = true;
            let score = if m == c.cluster.representative {
                1.0
            } else {
                score_to_representative(c, m).map_or(0.0, |s| s.total)
            };
            let opacity = 0.35 + 0.65 * score.clamp(0.0, 1.0);
            cell(
                &mut body,
                (bx + (i % cols) * step, by + (i / cols) * step, cell_size),
                &format!("rgba({hue},{opacity:.2})"),
                colliding.contains(r.agents[m].path.as_path()),
            );
        }
        body.push_str("</a>");
    }
    let alone: Vec<&AgentFile> = r
        .agents
        .iter()
        .zip(&clustered)
        .filter(|(_, &c)| !c)
        .map(|(a, _)| a)
        .collect();
    if !alone.is_empty() {
        // Files without duplicates start on a shelf of their own, as wide as the map.
        let cols = WIDTH / step;
        let (bx, by) = shelves.place(WIDTH, alone.len().div_ceil(cols) * step);
        for (i, a) in alone.iter().enumerate() {
            let _ = write!(
                body,
                "<g><title>{}</title>",
                escape(&a.path.display().to_string())
            );
            cell(
                &mut body,
                (bx + (i % cols) * step, by + (i / cols) * step, cell_size),
                "#dee2e6",
                colliding.contains(a.path.as_path()),
            );
            body.push_str("</g>");
        }
    }
    let height = shelves.height();
    let _ = writeln!(
        out,
        "<section id=\"map\" class=\"map\"><h2>Map of the library</h2>\
<p class=\"legend\">One square per file.<span class=\"lc\"></span>copy cluster<span class=\"lv\"></span>variant cluster\
<span class=\"ls\"></span>no duplicate<span class=\"lx\"></span>name collision. Paler squares score lower \
to their cluster's representative. Select a block to open its cluster.</p>\
<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {}\" role=\"img\" aria-label=\"{} files, {} clusters\">{body}</svg></section>",
        height.max(1),
        r.agents.len(),
        r.clusters.len()
    );
}

/// Shelf packing: blocks placed left to right, on a new shelf when the width is used up.
struct Shelves {
    width: usize,
    gap: usize,
    x: usize,
    y: usize,
    shelf: usize,
}

impl Shelves {
    fn new(width: usize, gap: usize) -> Shelves {
        Shelves {
            width,
            gap,
            x: 0,
            y: 0,
            shelf: 0,
        }
    }

    /// Where a block `w` wide and `h` high goes (its top left corner).
    fn place(&mut self, w: usize, h: usize) -> (usize, usize) {
        if self.x > 0 && self.x + w > self.width {
            self.x = 0;
            self.y += self.shelf + self.gap;
            self.shelf = 0;
        }
        let at = (self.x, self.y);
        self.x += w + self.gap;
        self.shelf = self.shelf.max(h);
        at
    }

    fn height(&self) -> usize {
        self.y + self.shelf
    }
}

/// One square, `(x, y, size)`.
fn cell(out: &mut String, (x, y, size): (usize, usize, usize), fill: &str, collision: bool) {
    let stroke = if collision {
        " stroke=\"#e03131\" stroke-width=\"2\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<rect x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\" rx=\"2\" fill=\"{fill}\"{stroke}/>"
    );
}

/// Marks a finding the baseline accepts.
fn accepted_badge(accepted: bool) -> &'static str {
    if accepted {
        " <span class=\"tier accepted\">accepted</span>"
    } else {
        ""
    }
}

fn tier_badge(tier: Tier) -> String {
    format!("<span class=\"tier {tier}\">{tier}</span>")
}

fn cluster_table(out: &mut String, r: &Report) {
    out.push_str("<section id=\"clusters\"><h2>Clusters</h2>");
    if r.clusters.is_empty() {
        out.push_str("<p>No duplicates found.</p></section>\n");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th>cluster</th><th>tier</th><th class=\"n\">members</th>\
<th class=\"n\">score</th><th>merged name</th><th>shared terms</th></tr></thead><tbody>",
    );
    for c in &r.clusters {
        let _ = write!(
            out,
            "<tr><td><a href=\"#{id}\">{id}</a>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}–{:.2}</td>\
<td><code>{}</code></td><td>{}</td></tr>",
            accepted_badge(r.accepted.cluster(&c.id)),
            tier_badge(c.cluster.tier),
            c.cluster.members.len(),
            c.cluster.min_score,
            c.cluster.max_score,
            escape(&c.merged.name),
            escape(&c.cluster.shared_terms.join(", ")),
            id = escape(&c.id),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// A class from `s0` to `s9` shading a score's cell.
fn shade(score: f32) -> String {
    format!("s{}", ((score.clamp(0.0, 1.0) * 10.0) as usize).min(9))
}

fn cluster_section(out: &mut String, r: &Report, c: &ClusterReport) {
    let id = escape(&c.id);
    let _ = write!(
        out,
        "<section class=\"cluster\" id=\"{id}\"><h2>{id}: <code>{}</code> {}{} <span class=\"muted\">{} {}s, score {:.2}–{:.2}</span></h2>",
        escape(&c.merged.name),
        tier_badge(c.cluster.tier),
        accepted_badge(r.accepted.cluster(&c.id)),
        c.cluster.members.len(),
        r.agents[c.cluster.members[0]].kind,
        c.cluster.min_score,
        c.cluster.max_score
    );
    if !c.cluster.shared_terms.is_empty() {
        let _ = write!(
            out,
            "<p>Held together by: {}.</p>",
            escape(&c.cluster.shared_terms.join(", "))
        );
    }
    member_table(out, r, c);
    heat_map(out, c);
    decisions(out, c);
    let _ = write!(
        out,
        "<details><summary>Merged definition <code>{}.{}</code></summary><pre class=\"file\">{}</pre></details>",
        escape(&c.merged.name),
        super::merged_extension(r, c),
        escape(&c.merged.text)
    );
    for d in &c.merged.diffs {
        let _ = write!(
            out,
            "<details><summary>Diff from <code>{}</code></summary>",
            escape(&d.path.display().to_string())
        );
        if d.unified.is_empty() {
            out.push_str("<p>Identical to the merged definition.</p>");
        } else {
            diff(out, &d.unified);
        }
        out.push_str("</details>");
    }
    out.push_str("</section>\n");
}

fn member_table(out: &mut String, r: &Report, c: &ClusterReport) {
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th class=\"n\">#</th><th>member</th><th>name</th><th class=\"n\">total</th>\
<th class=\"n\">name</th><th class=\"n\">description</th><th class=\"n\">body</th><th class=\"n\">role</th><th class=\"n\">shared blocks</th></tr></thead><tbody>",
    );
    for (k, &m) in c.cluster.members.iter().enumerate() {
        let a = &r.agents[m];
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td><code>{}</code></td><td><code>{}</code></td>",
            k + 1,
            escape(&a.path.display().to_string()),
            escape(&a.display_name())
        );
        if m == c.cluster.representative {
            out.push_str("<td colspan=\"6\">representative (closest to all others)</td></tr>");
            continue;
        }
        match score_to_representative(c, m) {
            Some(s) => {
                for part in [
                    s.total,
                    s.name,
                    s.description,
                    s.body,
                    s.role,
                    s.shared_lines,
                ] {
                    let _ = write!(out, "<td class=\"n {}\">{part:.2}</td>", shade(part));
                }
                out.push_str("</tr>");
            }
            None => out.push_str("<td colspan=\"6\">below the scoring floor</td></tr>"),
        }
    }
    out.push_str("</tbody></table></div>");
}

/// Members × members, each square shaded by the pair's total score (blank: below the floor).
/// Clusters larger than [`HEAT_LIMIT`] show their first members only.
fn heat_map(out: &mut String, c: &ClusterReport) {
    const HEAT_LIMIT: usize = 60;
    let members = &c.cluster.members[..c.cluster.members.len().min(HEAT_LIMIT)];
    if members.len() < 3 {
        return; // two members: the table above says it all
    }
    let cell = (240 / members.len()).clamp(8, 28);
    let side = members.len() * cell;
    let mut score = vec![0.0f32; members.len() * members.len()];
    let pos = |m: usize| members.iter().position(|&x| x == m);
    for p in &c.cluster.pairs {
        if let (Some(i), Some(j)) = (pos(p.a), pos(p.b)) {
            score[i * members.len() + j] = p.score.total;
            score[j * members.len() + i] = p.score.total;
        }
    }
    let _ = write!(
        out,
        "<div class=\"heat\"><h3>Scores between members</h3><p class=\"muted\">Row and column <i>k</i> are member #<i>k</i> of the table; darker is closer.</p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side}\" height=\"{side}\" viewBox=\"0 0 {side} {side}\" role=\"img\" aria-label=\"pairwise scores\">"
    );
    for i in 0..members.len() {
        for j in 0..members.len() {
            let s = if i == j {
                1.0
            } else {
                score[i * members.len() + j]
            };
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"rgba(28,126,214,{:.2})\"><title>#{} ~ #{}: {s:.2}</title></rect>",
                j * cell,
                i * cell,
                cell - 1,
                cell - 1,
                0.08 + 0.92 * s.clamp(0.0, 1.0),
                i + 1,
                j + 1,
            );
        }
    }
    out.push_str("</svg>");
    if members.len() < c.cluster.members.len() {
        let _ = write!(
            out,
            "<p class=\"muted\">The first {HEAT_LIMIT} of {} members.</p>",
            c.cluster.members.len()
        );
    }
    out.push_str("</div>");
}

fn decisions(out: &mut String, c: &ClusterReport) {
    out.push_str("<h3>Decisions</h3><ul class=\"decisions\">");
    for d in &c.merged.decisions {
        let _ = write!(
            out,
            "<li><b>{}</b>: <code>{}</code> — {}",
            escape(&d.field),
            escape(&d.chose),
            escape(&d.why)
        );
        if !d.dropped.is_empty() {
            let dropped: Vec<String> = d
                .dropped
                .iter()
                .map(|x| format!("<code>{}</code>", escape(x)))
                .collect();
            let _ = write!(
                out,
                " <span class=\"dropped\">Left out: {}</span>",
                dropped.join(", ")
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

/// One piece of a unified diff, as the page lays it out.
#[derive(Debug, PartialEq)]
enum DiffPart<'a> {
    /// `--- old` / `+++ new` lines, or a `\ No newline` note.
    Note(&'a str),
    /// `@@ -a,b +c,d @@`
    Hunk(&'a str),
    /// Lines both sides share.
    Same(Vec<&'a str>),
    /// Lines removed and the lines added in their place (either may be empty).
    Change(Vec<&'a str>, Vec<&'a str>),
}

/// Reads a unified diff into the parts that both views show: context, and each run of removed
/// lines with the added lines that follow it (side by side, they face each other).
fn diff_parts(unified: &str) -> Vec<DiffPart<'_>> {
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut in_hunk = false;
    for line in unified.lines() {
        if line.starts_with("@@") {
            in_hunk = true;
            parts.push(DiffPart::Hunk(line));
            continue;
        }
        if !in_hunk || line.starts_with('\\') {
            parts.push(DiffPart::Note(line));
            continue;
        }
        match (line.as_bytes().first(), parts.last_mut()) {
            (Some(b'-'), Some(DiffPart::Change(del, add))) if add.is_empty() => del.push(line),
            (Some(b'-'), _) => parts.push(DiffPart::Change(vec![line], vec![])),
            (Some(b'+'), Some(DiffPart::Change(_, add))) => add.push(line),
            (Some(b'+'), _) => parts.push(DiffPart::Change(vec![], vec![line])),
            (_, Some(DiffPart::Same(same))) => same.push(line),
            _ => parts.push(DiffPart::Same(vec![line])),
        }
    }
    parts
}

fn lines_pre(out: &mut String, class: &str, lines: &[&str]) {
    let _ = write!(out, "<pre class=\"{class}\">");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&escape(l));
    }
    out.push_str("</pre>");
}

/// A diff both views share: in the unified view every part stacks; in the side-by-side view (CSS)
/// removed lines face the lines added in their place, and context lines, the same on both sides,
/// span both columns (written once: diffs are most of a large report).
fn diff(out: &mut String, unified: &str) {
    out.push_str("<div class=\"diff\">");
    for part in diff_parts(unified) {
        match part {
            DiffPart::Note(l) => {
                let _ = write!(out, "<div class=\"dh\">{}</div>", escape(l));
            }
            DiffPart::Hunk(l) => {
                let _ = write!(out, "<div class=\"hk\">{}</div>", escape(l));
            }
            DiffPart::Same(lines) => {
                lines_pre(out, "ctx", &lines);
            }
            DiffPart::Change(del, add) => {
                out.push_str("<div class=\"chg\">");
                lines_pre(out, if del.is_empty() { "none" } else { "del" }, &del);
                lines_pre(out, if add.is_empty() { "none" } else { "add" }, &add);
                out.push_str("</div>");
            }
        }
    }
    out.push_str("</div>");
}

fn collisions(out: &mut String, r: &Report) {
    out.push_str("<section id=\"collisions\"><h2>Name collisions</h2>");
    if r.name_collisions.is_empty() {
        out.push_str("<p>None: every name is declared once.</p></section>\n");
        return;
    }
    let _ = write!(
        out,
        "<p>{} name(s) declared by more than one file where one tool sees them all; that tool loads only one of them.</p><ul>",
        r.name_collisions.len()
    );
    for c in &r.name_collisions {
        let paths: Vec<String> = c
            .paths
            .iter()
            .map(|p| format!("<code>{}</code>", escape(&p.display().to_string())))
            .collect();
        let _ = write!(
            out,
            "<li><code>{}</code>{}: {}<br><small>{}</small></li>",
            escape(&c.name),
            accepted_badge(r.accepted.collision(&c.name)),
            paths.join(", "),
            escape(&super::loads_summary(c))
        );
    }
    out.push_str("</ul></section>\n");
}

/// Skipped files grouped by reason, each group listing its files.
fn skipped(out: &mut String, r: &Report) {
    out.push_str("<section id=\"problems\"><h2>Skipped files</h2>");
    if r.skipped.is_empty() {
        out.push_str("<p>None: every file found was read.</p>");
    }
    let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in &r.skipped {
        by_reason
            .entry(&s.reason)
            .or_default()
            .push(s.path.display().to_string());
    }
    grouped_lists(out, by_reason);
}

/// Repairs and warnings grouped by kind, each group listing its files with the full message.
fn warnings(out: &mut String, r: &Report) {
    out.push_str("<h2>Repairs and warnings</h2>");
    let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in &r.agents {
        for d in &a.diagnostics {
            by_kind
                .entry(d.kind())
                .or_default()
                .push(format!("{}: {d}", a.path.display()));
        }
    }
    if by_kind.is_empty() {
        out.push_str("<p>None.</p>");
    }
    grouped_lists(out, by_kind);
    out.push_str("</section>\n");
}

fn grouped_lists(out: &mut String, groups: BTreeMap<&str, Vec<String>>) {
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (label, items) in groups {
        let _ = write!(
            out,
            "<details><summary>{} × {}</summary><ul>",
            items.len(),
            escape(label)
        );
        for item in items {
            let _ = write!(out, "<li><code>{}</code></li>", escape(&item));
        }
        out.push_str("</ul></details>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        let hostile = r#"<script>alert(1)</script><img src=x onerror="a()"> & 'q'"#;
        let safe = escape(hostile);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('"'));
        assert!(!safe.contains('\''));
        assert_eq!(
            escape("a<b & \"c\""),
            "a&lt;b &amp; &quot;c&quot;",
            "entities as HTML defines them"
        );
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn the_policy_allows_exactly_the_page_style_sheet() {
        let page = HtmlExporter.export(&crate::pipeline::scan(&[], &Default::default()).unwrap());
        let style = page
            .split("<style>")
            .nth(1)
            .and_then(|s| s.split("</style>").next())
            .unwrap();
        assert_eq!(style, STYLE);
        assert!(page.contains(&escape(&content_security_policy())));
        assert!(content_security_policy().contains(&csp_hash(style)));
        assert!(content_security_policy().contains("script-src 'none'"));
    }

    #[test]
    fn a_diff_reads_into_context_and_facing_changes() {
        let unified = crate::diff::unified(
            "a.md",
            "one\ntwo\nthree\nfour\n",
            "m.md",
            "one\n2\nthree\nfour\nfive\n",
        );
        let parts = diff_parts(&unified);
        assert_eq!(
            parts,
            vec![
                DiffPart::Note("--- a.md"),
                DiffPart::Note("+++ m.md"),
                DiffPart::Hunk("@@ -1,4 +1,5 @@"),
                DiffPart::Same(vec![" one"]),
                DiffPart::Change(vec!["-two"], vec!["+2"]),
                DiffPart::Same(vec![" three", " four"]),
                DiffPart::Change(vec![], vec!["+five"]),
            ]
        );
    }

    #[test]
    fn a_removed_line_that_looks_like_a_header_stays_a_removal() {
        let parts = diff_parts("--- a\n+++ b\n@@ -1 +1 @@\n--- x\n+++ y\n");
        assert_eq!(parts[3], DiffPart::Change(vec!["--- x"], vec!["+++ y"]));
    }

    /// Without a browser: markup in a file's name, description, body and path comes out as text.
    #[test]
    fn markup_from_agent_files_is_written_as_text() {
        let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
        let dir = tempfile::tempdir().unwrap();
        for (file, extra) in [("a<u>.md", "Check one"), ("c.md", "Check two")] {
            std::fs::write(
                dir.path().join(file),
                format!(
                    "---\nname: x{payload}\ndescription: Reviews code for flaws {payload}\n---\n\n\
                     You review code.{payload}\n\n- Look for injection\n- Look for secrets\n- {extra}\n"
                ),
            )
            .unwrap();
        }
        let report = crate::pipeline::scan(&[dir.path().to_owned()], &Default::default()).unwrap();
        assert_eq!(report.clusters.len(), 1, "the two files cluster");
        let page = HtmlExporter.export(&report);
        for markup in ["<script", "<img", "<u>", "onerror=alert(2)>"] {
            assert!(
                !page.contains(markup),
                "`{markup}` reached the page as markup"
            );
        }
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("a&lt;u&gt;.md"));
    }

    #[test]
    fn token_estimate_replaces_members_by_the_merged_description() {
        let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/seeds");
        let report = crate::pipeline::scan(&[corpus], &Default::default()).unwrap();
        assert_eq!(report.clusters.len(), 1);
        let (before, after) = description_tokens(&report);
        let merged = report.clusters[0].merged.frontmatter.description().unwrap();
        let alone: usize = report
            .agents
            .iter()
            .enumerate()
            .filter(|(i, _)| !report.clusters[0].cluster.members.contains(i))
            .filter_map(|(_, a)| a.frontmatter.description())
            .map(|d| d.chars().count().div_ceil(4))
            .sum();
        assert_eq!(after, alone + merged.chars().count().div_ceil(4));
        assert!(after < before, "{after} < {before}");
    }
}
