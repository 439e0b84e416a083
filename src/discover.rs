//! Discover: the paths a user names → the Markdown files that may hold agents.
//!
//! Directories are walked with `ignore` (the walker behind ripgrep), so `.gitignore` is honoured.
//! Hidden folders are searched, because agents live in `.claude/agents/`; `.git` is not.

use crate::model::Skipped;
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// Options for walking the input paths.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiscoverOptions {
    /// Also read files that `.gitignore` and friends exclude.
    pub no_ignore: bool,
}

/// What the walk found: candidate files, and entries it could not walk into.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// An input path the user gave that does not exist or cannot be read: a usage error (exit 2).
#[derive(Debug)]
pub struct BadInputPath {
    pub path: PathBuf,
    pub problem: String,
}

impl std::fmt::Display for BadInputPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for BadInputPath {}

/// Walks every input path. A file named directly is taken whatever its extension; inside
/// directories only `*.md` files are candidates. Output is sorted so that runs are reproducible.
pub fn discover(inputs: &[PathBuf], options: DiscoverOptions) -> Result<Discovered, BadInputPath> {
    let mut named = Vec::new();
    let mut walked = Discovered::default();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| BadInputPath {
            path: input.clone(),
            problem: describe_io_error(&e),
        })?;
        if meta.is_file() {
            named.push(input.clone());
        } else {
            walk_dir(input, options, &mut walked);
        }
    }
    // A file named directly keeps the spelling the user gave it, even when a folder walk finds it too.
    named.append(&mut walked.files);
    let mut files = unique_files(named);
    files.sort();
    Ok(Discovered {
        files,
        skipped: walked.skipped,
    })
}

/// Drops second spellings of one file (`a/x.md` and `./a/x.md`, or a file named both directly and
/// inside a folder given), keeping the first.
fn unique_files(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    files
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect()
}

fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "no such file or directory (check the path you gave)".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

fn walk_dir(root: &Path, options: DiscoverOptions, found: &mut Discovered) {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| !is_tool_folder(entry.path()))
        .build();
    for entry in walker {
        match entry {
            Ok(entry)
                if entry.file_type().is_some_and(|t| t.is_file()) && is_markdown(entry.path()) =>
            {
                found.files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(e) => found.skipped.push(Skipped {
                path: error_path(&e).unwrap_or_else(|| root.to_owned()),
                reason: format!("cannot walk: {e}"),
            }),
        }
    }
}

/// Version-control folders and this tool's own archive never hold agents to compare.
fn is_tool_folder(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == ".git" || n == ".agent-dedup")
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_in_nested_and_hidden_folders_but_not_git() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in [
            ".claude/agents/a.md",
            "plugins/x/agents/b.md",
            "notes.txt",
            ".git/c.md",
        ] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "---\n").unwrap();
        }
        let found = discover(&[root.to_owned()], DiscoverOptions::default()).unwrap();
        let rel: Vec<_> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_owned())
            .collect();
        assert_eq!(
            rel,
            vec![
                PathBuf::from(".claude/agents/a.md"),
                PathBuf::from("plugins/x/agents/b.md")
            ]
        );
    }

    #[test]
    fn a_missing_input_is_an_error_naming_the_path() {
        let err =
            discover(&[PathBuf::from("no/such/dir")], DiscoverOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with("no/such/dir: no such file"));
    }

    #[test]
    fn a_file_given_twice_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, "---\n").unwrap();
        let inputs = [
            dir.path().to_owned(),
            file.clone(),
            dir.path().join(".").join("a.md"),
        ];
        let found = discover(&inputs, DiscoverOptions::default()).unwrap();
        assert_eq!(found.files, vec![file.clone()]);
        let walked_first = [dir.path().join("."), PathBuf::from(&file)];
        assert_eq!(
            discover(&walked_first, DiscoverOptions::default())
                .unwrap()
                .files,
            vec![file.clone()]
        );
    }

    #[test]
    fn relative_inputs_give_relative_paths() {
        let found = discover(&[PathBuf::from("src")], DiscoverOptions::default()).unwrap();
        assert!(found.files.iter().all(|p| p.is_relative()));
    }
}
