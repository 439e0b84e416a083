//! The configuration file, `.agent-dedup.toml`: settings a team keeps with its library instead of
//! repeating them on every command line.
//!
//! Found in the first scanned folder or the nearest of its parents (or named with `--config`).
//! Command-line flags win over it.
//!
//! ```toml
//! threshold = 0.4                        # as --threshold
//! exclude = ["**/drafts/**", "old-*.md"] # as --exclude (added to the flag's globs)
//! formats = ["agent"]                    # kinds of file to read: "agent", "skill" (default: all)
//! reference = ["~/.claude/plugins"]      # read and compared against, never changed by apply
//! baseline = ".agent-dedup-baseline.json"  # accepted findings (default: that name, found like this file)
//!
//! [[accepted]]                           # accepted findings may also be written here
//! kind = "cluster"
//! reason = "two reviewers on purpose"
//! files = [{ path = "a.md", sha256 = "…" }, { path = "b.md", sha256 = "…" }]
//! ```
//!
//! Relative paths in it (`reference`, `baseline`) are relative to the folder holding it.

use crate::baseline::Accepted;
use crate::model::{AgentFile, Kind, Report, Skipped};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = ".agent-dedup.toml";

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub threshold: Option<f32>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub formats: Option<Vec<String>>,
    #[serde(default)]
    pub reference: Vec<PathBuf>,
    pub baseline: Option<PathBuf>,
    #[serde(default)]
    pub accepted: Vec<Accepted>,
    /// The folder holding the file, which its relative paths are relative to.
    #[serde(skip)]
    pub dir: PathBuf,
}

impl Config {
    /// Reads and checks a configuration file; any problem is an error naming the file.
    pub fn read(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("{}: cannot read the configuration: {e}", path.display())
        })?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
        if let Some(t) = config.threshold {
            if !(0.0..=1.0).contains(&t) {
                anyhow::bail!("{}: threshold {t} is outside 0 to 1", path.display());
            }
        }
        config
            .kinds()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        exclude_set(&config.exclude).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        crate::baseline::check_entries(&config.accepted)
            .map_err(|e| anyhow::anyhow!("{}: accepted: {e}", path.display()))?;
        config.dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        Ok(config)
    }

    /// The kinds of file `formats` asks for; `None` reads every kind.
    pub fn kinds(&self) -> Result<Option<Vec<Kind>>, String> {
        let Some(formats) = &self.formats else {
            return Ok(None);
        };
        formats
            .iter()
            .map(|f| match f.as_str() {
                "agent" => Ok(Kind::Agent),
                "skill" => Ok(Kind::Skill),
                other => Err(format!(
                    "formats: `{other}` is not a format agent-dedup reads (it reads: agent, skill)"
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A path written in the file, as the program should open it: `~/` is the home folder, a
    /// relative path is relative to the file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if let Ok(rest) = path.strip_prefix("~") {
            if let Some(home) = std::env::var_os("HOME") {
                return PathBuf::from(home).join(rest);
            }
        }
        if path.is_absolute() || self.dir == Path::new(".") {
            path.to_owned()
        } else {
            self.dir.join(path)
        }
    }
}

/// The configuration a scan uses: `--config FILE`, else the nearest `.agent-dedup.toml` upwards
/// from the first path scanned, else none.
pub fn for_scan(explicit: Option<&Path>, first_input: &Path) -> anyhow::Result<Option<Config>> {
    match explicit {
        Some(path) => Config::read(path).map(Some),
        None => find_upwards(first_input, CONFIG_FILE)
            .map(|p| Config::read(&p))
            .transpose(),
    }
}

/// After a scan of the inputs and the reference folders together: the report names the inputs as
/// scanned and the references as such, and leaves out the clusters and name collisions that only
/// reference files are in (nothing the user could change); clusters are numbered again.
pub fn separate_references(report: &mut Report, inputs: &[PathBuf], references: &[PathBuf]) {
    report.inputs = inputs.to_vec();
    report.references = references.to_vec();
    if references.is_empty() {
        return;
    }
    let is_reference = |p: &Path| references.iter().any(|r| p.starts_with(r));
    let agents = &report.agents;
    report.clusters.retain(|c| {
        c.cluster
            .members
            .iter()
            .any(|&m| !is_reference(&agents[m].path))
    });
    for (i, c) in report.clusters.iter_mut().enumerate() {
        c.id = format!("c{}", i + 1);
    }
    report
        .name_collisions
        .retain(|c| c.paths.iter().any(|p| !is_reference(p)));
}

/// The nearest file called `name` in `start` (a folder, or the folder holding a file) or its
/// parents.
pub fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let start = if start.is_file() {
        start.parent()?.to_owned()
    } else {
        start
    };
    start
        .ancestors()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Compiles exclude globs (`*` crosses folders; `**/x/**` any folder named x).
pub fn exclude_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        set.add(Glob::new(g).map_err(|e| format!("exclude `{g}`: {e}"))?);
    }
    set.build().map_err(|e| e.to_string())
}

/// Which of the files found a scan reads: excludes, and the kinds of file to keep.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub exclude: GlobSet,
    /// `None`: every kind.
    pub kinds: Option<Vec<Kind>>,
}

impl Selection {
    /// Whether an exclude glob matches `path`, as given or relative to one of the `inputs` it is
    /// under (so `drafts/**` works whichever way the folder was named).
    pub fn excluded(&self, path: &Path, inputs: &[PathBuf]) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        self.exclude.is_match(path)
            || inputs
                .iter()
                .filter_map(|input| path.strip_prefix(input).ok())
                .any(|relative| self.exclude.is_match(relative))
    }

    /// Moves the files of kinds not asked for from `agents` to `skipped`, saying why.
    pub fn keep_kinds(&self, agents: &mut Vec<AgentFile>, skipped: &mut Vec<Skipped>) {
        let Some(kinds) = &self.kinds else {
            return;
        };
        agents.retain(|a| {
            let keep = kinds.contains(&a.kind);
            if !keep {
                skipped.push(Skipped {
                    path: a.path.clone(),
                    reason: format!(
                        "a {}: not among the formats to read (`formats` in {CONFIG_FILE})",
                        a.kind
                    ),
                });
            }
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_reads_and_resolves_paths_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            format!(
                "threshold = 0.5\nexclude = [\"**/drafts/**\"]\nformats = [\"agent\"]\nreference = [\"vendor\"]\n\
                 baseline = \"b.json\"\n[[accepted]]\nkind = \"cluster\"\nfiles = [{{ path = \"a.md\", sha256 = \"{}\" }}]\n",
                "0f".repeat(32)
            ),
        )
        .unwrap();
        let config = Config::read(&path).unwrap();
        assert_eq!(config.threshold, Some(0.5));
        assert_eq!(config.kinds().unwrap(), Some(vec![Kind::Agent]));
        assert_eq!(
            config.resolve(&config.reference[0]),
            dir.path().join("vendor")
        );
        assert_eq!(config.accepted.len(), 1);
    }

    #[test]
    fn mistakes_are_errors_naming_the_file_and_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        for (text, problem) in [
            ("treshold = 0.5\n", "treshold"),
            ("threshold = 2.0\n", "outside 0 to 1"),
            ("formats = [\"yaml\"]\n", "`yaml` is not a format"),
            ("exclude = [\"a[\"]\n", "exclude `a[`"),
            ("threshold = \n", "threshold"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Config::read(&path).unwrap_err().to_string();
            assert!(err.starts_with(&path.display().to_string()), "{err}");
            assert!(err.contains(problem), "{text:?}: {err}");
        }
    }

    #[test]
    fn excludes_match_paths_as_given_or_under_an_input() {
        let selection = Selection {
            exclude: exclude_set(&["drafts/**".into(), "**/old-*.md".into()]).unwrap(),
            kinds: None,
        };
        let inputs = [PathBuf::from("lib")];
        assert!(selection.excluded(Path::new("lib/drafts/a.md"), &inputs));
        assert!(selection.excluded(Path::new("lib/x/old-a.md"), &inputs));
        assert!(!selection.excluded(Path::new("lib/x/a.md"), &inputs));
    }

    #[test]
    fn the_nearest_file_upwards_is_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "").unwrap();
        let found = find_upwards(&dir.path().join("a/b"), CONFIG_FILE).unwrap();
        assert_eq!(found, dir.path().canonicalize().unwrap().join(CONFIG_FILE));
        std::fs::write(dir.path().join("a").join(CONFIG_FILE), "").unwrap();
        let nearer = find_upwards(&dir.path().join("a/b"), CONFIG_FILE).unwrap();
        assert_eq!(
            nearer,
            dir.path()
                .canonicalize()
                .unwrap()
                .join("a")
                .join(CONFIG_FILE)
        );
    }
}
