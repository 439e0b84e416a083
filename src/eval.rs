//! Eval: how right the clusters are, against a labelled folder.
//!
//! Labels are `path<TAB>role` lines (paths relative to the scanned folder); an optional related file
//! lists `role_a<TAB>role_b` pairs where either answer is fine. Metrics:
//! - pairwise precision/recall/F1 over all pairs of labelled files, pairs across related roles
//!   excluded;
//! - B-cubed precision/recall/F1, averaged over files.
//!
//! A labelled file in no cluster (or not read at all) is a cluster of its own.

pub mod merge_quality;

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The answer key.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    /// Path (relative to the labelled folder, `/`-separated) → role.
    pub roles: BTreeMap<String, String>,
    /// Unordered pairs of roles where either answer counts as fine.
    pub related: HashSet<(String, String)>,
}

impl Labels {
    /// Reads `path<TAB>role` lines; a first line `path<TAB>role` is a header and skipped.
    pub fn parse(labels: &str, related: Option<&str>) -> Result<Labels, String> {
        let mut out = Labels::default();
        for (i, line) in labels.lines().enumerate() {
            if line.trim().is_empty() || (i == 0 && line.trim() == "path\trole") {
                continue;
            }
            let (path, role) = line.split_once('\t').ok_or_else(|| {
                format!(
                    "labels line {}: expected `path<TAB>role`, found {line:?}",
                    i + 1
                )
            })?;
            out.roles
                .insert(path.trim().to_owned(), role.trim().to_owned());
        }
        for (i, line) in related.unwrap_or("").lines().enumerate() {
            if line.trim().is_empty() || (i == 0 && line.trim() == "role_a\trole_b") {
                continue;
            }
            let (a, b) = line.split_once('\t').ok_or_else(|| {
                format!(
                    "related line {}: expected `role_a<TAB>role_b`, found {line:?}",
                    i + 1
                )
            })?;
            out.related.insert(ordered(a.trim(), b.trim()));
        }
        Ok(out)
    }

    fn is_related(&self, a: &str, b: &str) -> bool {
        a != b && self.related.contains(&ordered(a, b))
    }
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

/// A pair the clustering got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairError {
    pub a: String,
    pub b: String,
    pub role_a: String,
    pub role_b: String,
}

/// Precision over one kind of pair: how many pairs were clustered together and how many of them
/// share a role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Precision {
    pub predicted_pairs: usize,
    pub correct: usize,
    /// `correct / predicted_pairs`; 1 when nothing was clustered.
    pub precision: f64,
}

impl Precision {
    fn add(&mut self, correct: bool) {
        self.predicted_pairs += 1;
        self.correct += correct as usize;
        self.precision = self.correct as f64 / self.predicted_pairs as f64;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    pub pairwise: Prf,
    /// Pairwise precision over the pairs of files in one top-level folder (one collection): where
    /// a shared template can make different jobs look alike.
    pub within_folder: Precision,
    /// Pairwise precision over the pairs of files in different top-level folders.
    pub across_folders: Precision,
    pub bcubed: Prf,
    pub labelled_files: usize,
    pub true_pairs: usize,
    pub predicted_pairs: usize,
    pub false_merges: Vec<PairError>,
    pub misses: Vec<PairError>,
}

/// Scores a clustering: `cluster_of` maps a labelled path to its cluster id (absent: its own).
pub fn evaluate(labels: &Labels, cluster_of: &HashMap<String, usize>) -> Scores {
    let files: Vec<(&String, &String)> = labels.roles.iter().collect();
    // Files in no cluster get ids of their own, past every real id.
    let first_free = cluster_of.values().max().map_or(0, |m| m + 1);
    let ids: Vec<usize> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| cluster_of.get(*p).copied().unwrap_or(first_free + i))
        .collect();
    let mut scores = Scores {
        labelled_files: files.len(),
        within_folder: Precision {
            precision: 1.0,
            ..Precision::default()
        },
        across_folders: Precision {
            precision: 1.0,
            ..Precision::default()
        },
        ..Scores::default()
    };
    let mut hits = 0usize;
    for i in 0..files.len() {
        for j in i + 1..files.len() {
            let (role_a, role_b) = (files[i].1, files[j].1);
            if labels.is_related(role_a, role_b) {
                continue;
            }
            let same_role = role_a == role_b;
            let together = ids[i] == ids[j];
            scores.true_pairs += same_role as usize;
            scores.predicted_pairs += together as usize;
            hits += (same_role && together) as usize;
            if together {
                if top_folder(files[i].0) == top_folder(files[j].0) {
                    scores.within_folder.add(same_role);
                } else {
                    scores.across_folders.add(same_role);
                }
            }
            if same_role != together {
                let error = PairError {
                    a: files[i].0.clone(),
                    b: files[j].0.clone(),
                    role_a: role_a.clone(),
                    role_b: role_b.clone(),
                };
                if together {
                    scores.false_merges.push(error);
                } else {
                    scores.misses.push(error);
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    scores.pairwise = Prf::new(
        ratio(hits, scores.predicted_pairs),
        ratio(hits, scores.true_pairs),
    );
    scores.bcubed = bcubed(&files, &ids);
    scores
}

/// The first folder of a label path (`acme/agents/x.md` → `acme`); a file at the top is a folder
/// of its own.
fn top_folder(path: &str) -> &str {
    path.split_once('/').map_or(path, |(first, _)| first)
}

fn bcubed(files: &[(&String, &String)], ids: &[usize]) -> Prf {
    let mut cluster_size: HashMap<usize, usize> = HashMap::new();
    let mut role_size: HashMap<&str, usize> = HashMap::new();
    let mut both: HashMap<(usize, &str), usize> = HashMap::new();
    for (i, (_, role)) in files.iter().enumerate() {
        *cluster_size.entry(ids[i]).or_default() += 1;
        *role_size.entry(role.as_str()).or_default() += 1;
        *both.entry((ids[i], role.as_str())).or_default() += 1;
    }
    let n = files.len().max(1) as f64;
    let (mut p, mut r) = (0.0, 0.0);
    for (i, (_, role)) in files.iter().enumerate() {
        let shared = both[&(ids[i], role.as_str())] as f64;
        p += shared / cluster_size[&ids[i]] as f64;
        r += shared / role_size[role.as_str()] as f64;
    }
    Prf::new(p / n, r / n)
}

/// How good the proposed merges are, over every cluster of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeQuality {
    pub clusters: usize,
    /// Share of the members' content lines whose words stand (80% or more) in one block of the merged body.
    pub lines_represented: f64,
    /// Share of the members' content lines whose words stand (80% or more) anywhere in the merged body.
    pub lines_covered: f64,
    /// Share of the members' content lines at least half of whose words stand in one block: the point
    /// is made, perhaps in another member's words.
    pub lines_paraphrased: f64,
    /// Merged body length / longest member body, the worst cluster and the mean.
    pub max_length_ratio: f64,
    pub mean_length_ratio: f64,
    /// Share of merged files whose frontmatter a strict YAML parser accepts, with a valid name and a description.
    pub strict_yaml: f64,
}

/// Measures every merge in `report`.
pub fn merge_quality(report: &crate::model::Report) -> MergeQuality {
    let mut q = MergeQuality {
        clusters: report.clusters.len(),
        ..MergeQuality::default()
    };
    if report.clusters.is_empty() {
        return q;
    }
    let (mut lines, mut represented, mut covered, mut paraphrased, mut valid, mut ratio_sum) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0.0f64);
    for c in &report.clusters {
        let merged_blocks: Vec<HashSet<String>> = crate::markdown::blocks(&c.merged.body)
            .iter()
            .map(|b| term_set(&b.text))
            .collect();
        let merged_words: HashSet<String> = merged_blocks.iter().flatten().cloned().collect();
        let mut longest = 1usize;
        for &m in &c.cluster.members {
            // A scan frees bodies once compared; read the member again.
            let reread = crate::parse::read_agent_file(&report.agents[m].path)
                .map(|a| a.body)
                .unwrap_or_default();
            let body = if report.agents[m].body.is_empty() {
                &reread
            } else {
                &report.agents[m].body
            };
            longest = longest.max(body.trim().len());
            for line in content_lines(body) {
                lines += 1;
                let terms = term_set(&line);
                let found = terms.is_empty()
                    || merged_blocks
                        .iter()
                        .any(|b| terms.intersection(b).count() * 5 >= terms.len() * 4);
                represented += found as usize;
                covered +=
                    (terms.intersection(&merged_words).count() * 5 >= terms.len() * 4) as usize;
                paraphrased += (terms.is_empty()
                    || merged_blocks
                        .iter()
                        .any(|b| terms.intersection(b).count() * 2 >= terms.len()))
                    as usize;
            }
        }
        let ratio = c.merged.body.trim().len() as f64 / longest as f64;
        q.max_length_ratio = q.max_length_ratio.max(ratio);
        ratio_sum += ratio;
        valid += loads_in_claude_code(&c.merged.text) as usize;
    }
    q.lines_represented = if lines == 0 {
        1.0
    } else {
        represented as f64 / lines as f64
    };
    q.lines_covered = if lines == 0 {
        1.0
    } else {
        covered as f64 / lines as f64
    };
    q.lines_paraphrased = if lines == 0 {
        1.0
    } else {
        paraphrased as f64 / lines as f64
    };
    q.mean_length_ratio = ratio_sum / report.clusters.len() as f64;
    q.strict_yaml = valid as f64 / report.clusters.len() as f64;
    q
}

/// Non-empty lines of a body, markup and case folded away.
fn content_lines(body: &str) -> impl Iterator<Item = String> + '_ {
    body.lines()
        .map(crate::normalize::normalize_text)
        .filter(|l| !l.is_empty())
}

fn term_set(text: &str) -> HashSet<String> {
    crate::normalize::terms(&crate::normalize::normalize_text(text))
        .into_iter()
        .collect()
}

/// True when the frontmatter parses as strict YAML with a valid `name` and a `description`.
pub fn loads_in_claude_code(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("---\n") else {
        return false;
    };
    let Some(end) = rest.find("\n---\n") else {
        return false;
    };
    match serde_yaml::from_str::<serde_yaml::Mapping>(&rest[..end + 1]) {
        Ok(map) => {
            let name = map.get("name").and_then(|v| v.as_str()).unwrap_or("");
            let description = map
                .get("description")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            crate::parse::is_valid_name(name) && !description.trim().is_empty()
        }
        Err(_) => false,
    }
}

/// Which cluster each clustered file of `report` is in, by its label key (see [`label_key`]).
pub fn cluster_of(report: &crate::model::Report, root: &Path) -> HashMap<String, usize> {
    report
        .clusters
        .iter()
        .enumerate()
        .flat_map(|(id, c)| c.cluster.members.iter().map(move |&m| (m, id)))
        .map(|(m, id)| (label_key(&report.agents[m].path, root), id))
        .collect()
}

/// The path of a scanned file relative to the labelled folder, `/`-separated, as labels write it.
pub fn label_key(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(rows: &[(&str, &str)], related: &[(&str, &str)]) -> Labels {
        let text: String = rows.iter().map(|(p, r)| format!("{p}\t{r}\n")).collect();
        let rel: String = related.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
        Labels::parse(&text, Some(&rel)).unwrap()
    }

    fn clusters(groups: &[&[&str]]) -> HashMap<String, usize> {
        groups
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.iter().map(move |p| (p.to_string(), i)))
            .collect()
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let l = labels(&[("a", "x"), ("b", "x"), ("c", "y")], &[]);
        let s = evaluate(&l, &clusters(&[&["a", "b"]]));
        assert_eq!(
            s.pairwise,
            Prf {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0
            }
        );
        assert_eq!(s.bcubed.f1, 1.0);
    }

    #[test]
    fn worked_example_by_hand() {
        // Roles: a,b,c are x; d is y. Clusters: {a,b,d}, {c}.
        // Pairs: ab (x,x) together → hit; ac, bc same role apart → 2 misses; ad, bd together, differ →
        // 2 false merges; cd apart, differ → fine. Precision 1/3, recall 1/3, F1 1/3.
        let l = labels(&[("a", "x"), ("b", "x"), ("c", "x"), ("d", "y")], &[]);
        let s = evaluate(&l, &clusters(&[&["a", "b", "d"]]));
        assert!((s.pairwise.precision - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.pairwise.recall - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.false_merges.len(), 2);
        assert_eq!(s.misses.len(), 2);
        // B-cubed precision: a,b: 2/3 each; d: 1/3; c: 1 → (2/3+2/3+1/3+1)/4 = 2/3.
        // B-cubed recall: a,b: 2/3 each; c: 1/3; d: 1 → 2/3.
        assert!((s.bcubed.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.bcubed.recall - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn precision_is_split_by_top_level_folder() {
        // a/1 and a/2 in folder a, b/1 in folder b, all clustered together: one pair within a
        // folder, two across.
        let l = labels(&[("a/1", "x"), ("a/2", "y"), ("b/1", "x")], &[]);
        let s = evaluate(&l, &clusters(&[&["a/1", "a/2", "b/1"]]));
        assert_eq!(s.within_folder.predicted_pairs, 1);
        assert_eq!(s.across_folders.predicted_pairs, 2);
        assert_eq!(s.within_folder.precision, 0.0, "a/1 ~ a/2 differ");
        assert_eq!(
            s.across_folders.precision, 0.5,
            "a/1 ~ b/1 right, a/2 ~ b/1 wrong"
        );
        let none = evaluate(&l, &HashMap::new());
        assert_eq!(
            none.within_folder.precision, 1.0,
            "nothing clustered, nothing wrong"
        );
    }

    #[test]
    fn related_roles_count_neither_way() {
        let l = labels(
            &[("a", "debugger"), ("b", "error-detective")],
            &[("error-detective", "debugger")],
        );
        let together = evaluate(&l, &clusters(&[&["a", "b"]]));
        assert_eq!(together.predicted_pairs, 0);
        assert!(together.false_merges.is_empty());
    }

    #[test]
    fn unclustered_files_are_singletons() {
        let l = labels(&[("a", "x"), ("b", "x")], &[]);
        let s = evaluate(&l, &HashMap::new());
        assert_eq!(s.pairwise.recall, 0.0);
        assert_eq!(s.misses.len(), 1);
    }

    #[test]
    fn label_keys_are_relative_with_slashes() {
        assert_eq!(
            label_key(
                Path::new("bench/dev/files/x/a.md"),
                Path::new("bench/dev/files")
            ),
            "x/a.md"
        );
    }
}
