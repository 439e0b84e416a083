//! How a merged definition reads: the figures of issue 12, for the merged files of every variant
//! cluster and, as the reference, for the members themselves (human-written files are not perfect
//! either).
//!
//! Units and sections are read with the merge's outline (`merge::outline`): a section is a heading,
//! a bold title line, a lead-in line ending in `:` or a titled list item; a unit is a list item, a
//! paragraph or a code block. Each figure:
//!
//! - **topics repeated**: share of files in which two section titles name one topic
//!   (`merge::topics`: one lexicon topic, or most title words shared);
//! - **repeated points**: share of units (of three content words or more) that repeat another
//!   unit of the same file: most words of the shorter in the longer ([`repeats`]);
//! - **fragments** (merged files): sections the merge added (titles the representative lacks)
//!   with fewer than two units;
//! - **broken numbering**: numbered lists whose items do not run 1..n, and runs of numbered
//!   headings (`### 3. …`) under one parent that do not;
//! - **points kept**: the members' units grouped into points (units that [`repeats`] links, across
//!   members); a point is kept when a unit of the merged body holds two thirds of the words of one
//!   of its units ([`keeps`]). Reported for points two or more members make, and for all. The
//!   introduction's paragraphs (the identity) and the closing paragraphs are not points: a file
//!   has one of each, and the merge keeps the representative's on purpose;
//! - **length**: merged body / longest member body;
//! - **frontmatter**: strict YAML with a valid `name` and a `description`;
//! - **description**: estimated tokens (characters / 4) of the merged description against the
//!   longest member's plus 10%, and its `<example>` blocks (at most 3).

use crate::merge::outline::{self, HeaderKind, Outline};
use crate::merge::points::{terms_of, Terms};
use crate::merge::{description_tokens, examples, topics};
use crate::model::{Report, Tier};
use serde::Serialize;

/// Units of fewer content words are too short to count as points of their own (`Rust`, `Go`).
const MIN_POINT_WORDS: usize = 3;
/// One unit repeats another when this share of the shorter's words are in the longer…
const REPEAT_HOLDS: f32 = 0.8;
/// …or when they share this share of all their words.
const REPEAT_OVERLAP: f32 = 0.6;

/// Whether two units make one point: most words of the shorter are in the longer, or most of all.
pub fn repeats(a: &Terms, b: &Terms) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return false;
    }
    let common = short.intersection(long).count();
    let union = a.len() + b.len() - common;
    common as f32 >= REPEAT_HOLDS * short.len() as f32
        || common as f32 >= REPEAT_OVERLAP * union as f32
}

/// A merged unit keeps a point when it holds two thirds of its words, or repeats it.
const KEEPS: f32 = 0.66;

/// Whether the merged unit `merged` keeps the point `point`.
pub fn keeps(merged: &Terms, point: &Terms) -> bool {
    let common = point.intersection(merged).count();
    (!point.is_empty() && common as f32 >= KEEPS * point.len() as f32) || repeats(merged, point)
}

/// The figures of one file's body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileFigures {
    pub topic_repeated: bool,
    pub points: usize,
    pub repeated_points: usize,
    pub numbered_runs: usize,
    pub broken_runs: usize,
}

/// Reads one body.
pub fn file_figures(body: &str) -> FileFigures {
    let o = outline::outline(body);
    let topic_repeated = first_repeated_titles(&o).is_some();
    let units = point_terms(&o);
    let repeated = (0..units.len())
        .filter(|&i| (0..units.len()).any(|j| j != i && repeats(&units[i], &units[j])))
        .count();
    let (numbered_runs, broken_runs) = numbering(body);
    FileFigures {
        topic_repeated,
        points: units.len(),
        repeated_points: repeated,
        numbered_runs,
        broken_runs,
    }
}

/// The first two titles of one scope that name one topic, for `eval --show`.
fn repeated_titles(body: &str) -> String {
    match first_repeated_titles(&outline::outline(body)) {
        Some((a, b)) => format!(": `{a}` / `{b}`"),
        None => String::new(),
    }
}

/// The first two section titles under one heading that name one topic. Titles in one scope only:
/// `Check for:` under two different checks is not one topic said twice.
fn first_repeated_titles(o: &Outline) -> Option<(&str, &str)> {
    let titles: Vec<(&str, Option<usize>)> = o
        .sections
        .iter()
        .zip(o.parents())
        .filter_map(|(s, p)| Some((s.title()?, p)))
        .collect();
    titles.iter().enumerate().find_map(|(i, &(a, pa))| {
        titles[i + 1..]
            .iter()
            .find(|&&(b, pb)| pa == pb && topics::same_topic(a, b))
            .map(|&(b, _)| (a, b))
    })
}

/// The word sets of the units long enough to be points.
fn point_terms(o: &Outline) -> Vec<Terms> {
    point_units(o)
        .map(|u| terms_of(&u.text))
        .filter(|t| t.len() >= MIN_POINT_WORDS)
        .collect()
}

/// The units that make points: all but the identity paragraphs of the introduction, the closing
/// paragraphs, which a file has once (a merge keeps the representative's, on purpose), and HTML
/// comments, which are notes to a file's maintainers, not instructions (a merge leaves them out).
fn point_units(o: &Outline) -> impl Iterator<Item = &outline::Unit> {
    let closing = o.closing_start();
    o.units()
        .filter(move |(s, u)| !(*s == 0 && u.kind == outline::UnitKind::Paragraph) && *s < closing)
        .filter(|(_, u)| !outline::is_html_comment(&u.source))
        .map(|(_, u)| u)
}

/// Numbered lists and runs of numbered headings: how many, and how many do not run 1..n.
pub fn numbering(body: &str) -> (usize, usize) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let (mut runs, mut broken) = (0, 0);
    // Ordered lists, at any depth: each item's number as written.
    let mut lists: Vec<Option<Vec<u64>>> = Vec::new();
    // Numbered headings: per level, the numbers met since a heading of a higher level.
    let mut headings: Vec<(u8, Vec<u64>)> = Vec::new();
    let mut close_headings = |above: u8, headings: &mut Vec<(u8, Vec<u64>)>| {
        while headings.last().is_some_and(|(l, _)| *l >= above) {
            let (_, numbers) = headings.pop().expect("checked");
            runs += 1;
            broken += usize::from(!runs_one_to_n(&numbers));
        }
    };
    let mut heading_level: Option<u8> = None;
    let mut heading_text = String::new();
    let mut list_runs = (0usize, 0usize);
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::List(start)) => lists.push(start.map(|_| Vec::new())),
            Event::Start(Tag::Item) => {
                if let Some(Some(numbers)) = lists.last_mut() {
                    let marker = outline::list_marker(&body[range]);
                    numbers.push(marker.trim_end_matches(['.', ')']).parse().unwrap_or(0));
                }
            }
            Event::End(TagEnd::List(_)) => {
                if let Some(Some(numbers)) = lists.pop() {
                    list_runs.0 += 1;
                    list_runs.1 += usize::from(!runs_one_to_n(&numbers));
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading_level = Some(level as u8);
                heading_text.clear();
            }
            Event::Text(t) | Event::Code(t) if heading_level.is_some() => heading_text.push_str(&t),
            Event::End(TagEnd::Heading(_)) => {
                let level = heading_level.take().expect("inside a heading");
                close_headings(level + 1, &mut headings);
                let number = leading_number(&heading_text);
                match (headings.last_mut(), number) {
                    (Some((l, numbers)), Some(n)) if *l == level => numbers.push(n),
                    (_, Some(n)) => {
                        close_headings(level, &mut headings);
                        headings.push((level, vec![n]));
                    }
                    (_, None) => close_headings(level, &mut headings),
                }
            }
            _ => {}
        }
    }
    close_headings(0, &mut headings);
    (runs + list_runs.0, broken + list_runs.1)
}

/// `3. Title`, `3) Title`, `Step 3: …` → 3.
fn leading_number(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t.strip_prefix("Step ").unwrap_or(t);
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let after = t[digits.len()..].chars().next();
    (!digits.is_empty() && matches!(after, Some('.' | ')' | ':')))
        .then(|| digits.parse().ok())
        .flatten()
}

fn runs_one_to_n(numbers: &[u64]) -> bool {
    numbers.iter().enumerate().all(|(i, &n)| n == i as u64 + 1)
}

/// The figures over a set of files (merged files, or members).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SetFigures {
    pub files: usize,
    /// Share of files in which two section titles name one topic.
    pub topics_repeated: f64,
    /// Share of points that repeat another point of the same file.
    pub repeated_points: f64,
    pub numbered_runs: usize,
    /// Numbered lists and numbered heading runs that do not run 1..n.
    pub broken_numbering: usize,
}

fn set_figures(files: &[FileFigures]) -> SetFigures {
    let points: usize = files.iter().map(|f| f.points).sum();
    let repeated: usize = files.iter().map(|f| f.repeated_points).sum();
    SetFigures {
        files: files.len(),
        topics_repeated: share(
            files.iter().filter(|f| f.topic_repeated).count(),
            files.len(),
        ),
        repeated_points: share(repeated, points),
        numbered_runs: files.iter().map(|f| f.numbered_runs).sum(),
        broken_numbering: files.iter().map(|f| f.broken_runs).sum(),
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Points of a cluster's members, and how many the merged body keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PointsKept {
    pub shared: usize,
    pub shared_kept: usize,
    pub all: usize,
    pub all_kept: usize,
}

/// Groups the members' units into points and counts those the merged body keeps.
pub fn points_kept(members: &[&str], merged: &str) -> PointsKept {
    points_lost(members, merged).0
}

/// [`points_kept`], with the text of one unit of each point two or more members make that the
/// merged body lost (for finding what the merge drops).
pub fn points_lost(members: &[&str], merged: &str) -> (PointsKept, Vec<String>) {
    let outlines: Vec<Outline> = members.iter().map(|b| outline::outline(b)).collect();
    let mut texts = Vec::new();
    let mut units: Vec<(usize, Terms)> = Vec::new();
    for (m, o) in outlines.iter().enumerate() {
        for u in point_units(o) {
            let t = terms_of(&u.text);
            if t.len() >= MIN_POINT_WORDS {
                units.push((m, t));
                texts.push(u.text.clone());
            }
        }
    }
    let merged_units = point_terms(&outline::outline(merged));
    // Points: units linked by `repeats`, transitively (a union-find over the units).
    let mut parent: Vec<usize> = (0..units.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..units.len() {
        for j in i + 1..units.len() {
            if repeats(&units[i].1, &units[j].1) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..units.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out = PointsKept::default();
    let mut lost = Vec::new();
    for group in groups.values() {
        let mut who: Vec<usize> = group.iter().map(|&i| units[i].0).collect();
        who.sort_unstable();
        who.dedup();
        let kept = group
            .iter()
            .any(|&i| merged_units.iter().any(|m| keeps(m, &units[i].1)));
        out.all += 1;
        out.all_kept += usize::from(kept);
        if who.len() >= 2 {
            out.shared += 1;
            out.shared_kept += usize::from(kept);
            if !kept {
                lost.push(texts[group[0]].clone());
            }
        }
    }
    (out, lost)
}

/// The member whose body the merge was built on: the one whose section titles, in its order,
/// the merged file opens with for longest (the skeleton's sections come first, in its order;
/// added ones after), the representative (`rep_at`) on a tie. It is the representative's unless
/// another member's body already said much more of what the members share.
pub fn skeleton(merged: &str, bodies: &[&str], rep_at: usize) -> usize {
    let merged = outline::outline(merged);
    let titles: Vec<&str> = merged.sections.iter().filter_map(|s| s.title()).collect();
    let run = |body: &str| {
        let own = outline::outline(body);
        // Its sections the merge did not keep (another closing, another language) do not count.
        let kept = own
            .sections
            .iter()
            .filter_map(|s| s.title())
            .filter(|t| titles.contains(t));
        titles.iter().zip(kept).take_while(|(a, b)| *a == b).count()
    };
    let rep_run = run(bodies[rep_at]);
    (0..bodies.len())
        .map(|i| (i, run(bodies[i])))
        .fold(
            (rep_at, rep_run),
            |best, (i, n)| if n > best.1 { (i, n) } else { best },
        )
        .0
}

/// Sections of `merged` whose titles the body it was built on (its skeleton) lacks, with fewer
/// than two units.
pub fn fragments(merged: &str, skeleton: &str) -> usize {
    let rep = outline::outline(skeleton);
    let rep_titles: Vec<&str> = rep.sections.iter().filter_map(|s| s.title()).collect();
    outline::outline(merged)
        .sections
        .iter()
        .filter(|s| {
            s.header
                .as_ref()
                .is_some_and(|h| h.kind != HeaderKind::Loose)
        })
        .filter(|s| {
            let title = s.title().unwrap_or_default();
            !rep_titles.contains(&title)
        })
        .filter(|s| s.units.len() < 2)
        .count()
}

/// Every figure over the variant clusters of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeFigures {
    pub clusters: usize,
    pub merged: SetFigures,
    /// The same figures for the members themselves, as the reference.
    pub members: SetFigures,
    pub fragments: usize,
    pub shared_points: usize,
    /// Share of the points two or more members make that the merged body keeps.
    pub shared_points_kept: f64,
    pub distinct_points: usize,
    /// Share of all distinct points that the merged body keeps.
    pub distinct_points_kept: f64,
    pub max_length_ratio: f64,
    pub mean_length_ratio: f64,
    /// Share of merged files whose frontmatter is strict YAML with a valid name and a description.
    pub strict_yaml: f64,
    /// Share of merged descriptions within the longest member's tokens + 10%.
    pub description_within_budget: f64,
    /// Share of merged descriptions with at most three examples.
    pub examples_within_limit: f64,
    pub max_examples: usize,
    /// Mean per cluster: the members' descriptions' tokens together (what they cost in context before
    /// the merge), the longest member's, and the merged description's.
    pub mean_tokens_members: f64,
    pub mean_tokens_longest_member: f64,
    pub mean_tokens_merged: f64,
    /// The merged files that miss a target, each as `name: what` (`eval --show` lists them).
    pub flagged: Vec<String>,
}

/// Measures every variant cluster of `report` (members read again from disk).
pub fn merge_figures(report: &Report) -> MergeFigures {
    let mut merged_files = Vec::new();
    let mut member_files = Vec::new();
    let mut f = MergeFigures::default();
    let (mut kept, mut ratio_sum, mut yaml, mut within, mut few_examples) =
        (PointsKept::default(), 0.0, 0, 0, 0);
    let (mut tokens_members, mut tokens_longest, mut tokens_merged) = (0usize, 0usize, 0usize);
    for c in report
        .clusters
        .iter()
        .filter(|c| c.cluster.tier == Tier::Variant)
    {
        f.clusters += 1;
        let agents: Vec<crate::model::AgentFile> = c
            .cluster
            .members
            .iter()
            .map(|&m| {
                crate::parse::read_agent_file(&report.agents[m].path)
                    .unwrap_or_else(|_| report.agents[m].clone())
            })
            .collect();
        let bodies: Vec<&str> = agents.iter().map(|a| a.body.as_str()).collect();
        let merged = &c.merged.body;
        let figures = file_figures(merged);
        let name = &c.merged.name;
        let rep_at = c
            .cluster
            .members
            .iter()
            .position(|&m| m == c.cluster.representative)
            .unwrap_or(0);
        let skeleton_at = skeleton(merged, &bodies, rep_at);
        if figures.topic_repeated {
            let inherited = if file_figures(&agents[skeleton_at].body).topic_repeated {
                " (so does the body it was built on)"
            } else {
                ""
            };
            f.flagged.push(format!(
                "{name}: topics repeated{}{inherited}",
                repeated_titles(merged)
            ));
        }
        if figures.broken_runs > 0 {
            f.flagged.push(format!(
                "{name}: {} broken numbered run(s)",
                figures.broken_runs
            ));
        }
        merged_files.push(figures);
        member_files.extend(bodies.iter().map(|b| file_figures(b)));
        let fragments = fragments(merged, bodies[skeleton_at]);
        if fragments > 0 {
            f.flagged.push(format!("{name}: {fragments} fragment(s)"));
        }
        f.fragments += fragments;
        let (k, lost) = points_lost(&bodies, merged);
        for point in lost {
            let short: String = point.chars().take(90).collect();
            f.flagged
                .push(format!("{name}: lost shared point: {short}"));
        }
        kept.shared += k.shared;
        kept.shared_kept += k.shared_kept;
        kept.all += k.all;
        kept.all_kept += k.all_kept;
        let longest = bodies
            .iter()
            .map(|b| b.trim().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let ratio = merged.trim().len() as f64 / longest as f64;
        f.max_length_ratio = f.max_length_ratio.max(ratio);
        ratio_sum += ratio;
        yaml += usize::from(super::loads_in_claude_code(&c.merged.text));
        let descriptions: Vec<usize> = agents
            .iter()
            .map(|a| description_tokens(&a.frontmatter.description().unwrap_or_default()))
            .collect();
        let longest_description = descriptions.iter().copied().max().unwrap_or(0);
        let merged_description = c.merged.frontmatter.description().unwrap_or_default();
        let after = description_tokens(&merged_description);
        within += usize::from(after as f64 <= longest_description as f64 * 1.1);
        let n_examples = examples(&merged_description).len();
        few_examples += usize::from(n_examples <= 3);
        f.max_examples = f.max_examples.max(n_examples);
        tokens_members += descriptions.iter().sum::<usize>();
        tokens_longest += longest_description;
        tokens_merged += after;
    }
    f.merged = set_figures(&merged_files);
    f.members = set_figures(&member_files);
    f.shared_points = kept.shared;
    f.shared_points_kept = share(kept.shared_kept, kept.shared);
    f.distinct_points = kept.all;
    f.distinct_points_kept = share(kept.all_kept, kept.all);
    let n = f.clusters.max(1) as f64;
    f.mean_length_ratio = ratio_sum / n;
    f.strict_yaml = share(yaml, f.clusters);
    f.description_within_budget = share(within, f.clusters);
    f.examples_within_limit = share(few_examples, f.clusters);
    f.mean_tokens_members = tokens_members as f64 / n;
    f.mean_tokens_longest_member = tokens_longest as f64 / n;
    f.mean_tokens_merged = tokens_merged as f64 / n;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_topics_are_found_and_distinct_ones_are_not() {
        let repeated = file_figures(
            "Your core responsibilities:\n- a b c\n- d e f\n\nYour primary responsibilities:\n- g h i\n- j k l\n",
        );
        assert!(repeated.topic_repeated);
        let distinct =
            file_figures("## Responsibilities\n- design apis\n\n## Methodology\n1. read code\n");
        assert!(!distinct.topic_repeated);
    }

    #[test]
    fn one_lead_in_under_two_headings_is_not_a_repeated_topic() {
        let scoped = file_figures(
            "## SQL injection\nCheck for:\n- built queries\n- raw input\n\n## XSS\nCheck for:\n- unescaped output\n- inline scripts\n",
        );
        assert!(!scoped.topic_repeated);
        let same_scope = file_figures(
            "## Review\nCheck for:\n- built queries\n- raw input\n\nChecks:\n- unescaped output\n- inline scripts\n",
        );
        assert!(same_scope.topic_repeated);
    }

    #[test]
    fn repeated_points_count_each_unit_that_has_a_repeat() {
        let f = file_figures(
            "- Optimize database queries and connection pooling\n- Optimize the database queries and pooling of connections\n- Write clear commit messages for every change\n",
        );
        assert_eq!(f.points, 3);
        assert_eq!(f.repeated_points, 2);
    }

    #[test]
    fn numbering_must_run_from_one() {
        assert_eq!(numbering("1. a\n2. b\n3. c\n"), (1, 0));
        assert_eq!(numbering("1. a\n2. b\n4. c\n"), (1, 1));
        assert_eq!(numbering("3. a\n4. b\n"), (1, 1));
        assert_eq!(numbering("- a\n- b\n"), (0, 0));
        // Headings numbered 2, 3, 1 under one parent.
        assert_eq!(
            numbering("## Steps\n### 2. b\n### 3. c\n### 1. a\n## Other\n### 1. x\n### 2. y\n"),
            (2, 1)
        );
    }

    #[test]
    fn points_two_members_make_are_counted_and_found() {
        let a =
            "- Optimize database queries and indexes\n- Review pull requests carefully every day\n";
        let b = "- Optimize slow database queries and indexes\n- Plan capacity for the next year\n";
        let kept = points_kept(&[a, b], "- Optimize database queries and indexes\n");
        assert_eq!(kept.shared, 1);
        assert_eq!(kept.shared_kept, 1);
        assert_eq!(kept.all, 3);
        assert_eq!(kept.all_kept, 1);
    }

    #[test]
    fn added_sections_with_one_unit_are_fragments() {
        let rep = "## Rules\n- a b c\n";
        let merged = "## Rules\n- a b c\n\n## Approach\n1. only one step here\n\n## Output\n- x y z\n- u v w\n";
        assert_eq!(fragments(merged, rep), 1);
    }

    #[test]
    fn the_skeleton_is_the_member_whose_titles_the_merged_file_opens_with() {
        let rep = "## Rules\n- a b c\n";
        let other = "## Setup\n- d e f\n\n## Checks\n- g h i\n\n## Rules\n- a b c\n";
        let on_other = "## Setup\n- d e f\n\n## Checks\n- g h i\n\n## Rules\n- a b c\n";
        assert_eq!(skeleton(on_other, &[rep, other], 0), 1);
        // Sections added after the representative's own do not make another member the skeleton.
        let on_rep = "## Rules\n- a b c\n\n## Setup\n- d e f\n\n## Checks\n- g h i\n";
        assert_eq!(skeleton(on_rep, &[rep, other], 0), 0);
    }
}
