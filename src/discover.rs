//! Discover: the paths a user names → the Markdown files that may hold agents.
//!
//! Directories are walked with `ignore` (the walker behind ripgrep), so `.gitignore` is honoured.
//! Hidden folders are searched, because agents live in `.claude/agents/`; `.git` is not.

use crate::model::Skipped;
use ignore::WalkBuilder;
use std::path::{Component, Path, PathBuf};

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
///
/// Symbolic links met inside a folder are never walked through. A link to a file inside one of the
/// folders given is read (once: under the file's own path when the walk finds that too); a link that
/// points outside them, is broken or loops is listed in `skipped` with the reason, so that nothing
/// is dropped silently and no link can make the scan read a file the user did not point it at.
/// An input that does not exist, cannot be read, or is neither a file nor a folder is an error.
pub fn discover(inputs: &[PathBuf], options: DiscoverOptions) -> Result<Discovered, BadInputPath> {
    let mut named = Vec::new();
    let mut walked = Walked::default();
    let bad = |input: &PathBuf, problem: String| BadInputPath {
        path: input.clone(),
        problem,
    };
    let mut dirs = Vec::new();
    for input in inputs {
        if input.to_str().is_none() {
            return Err(bad(input, NOT_UTF8.to_owned()));
        }
        let meta =
            std::fs::metadata(input).map_err(|e| bad(input, describe_input_error(input, &e)))?;
        if meta.is_file() {
            std::fs::File::open(input).map_err(|e| bad(input, describe_input_error(input, &e)))?;
            named.push(input.clone());
        } else if meta.is_dir() {
            std::fs::read_dir(input).map_err(|e| bad(input, describe_input_error(input, &e)))?;
            match crate::outdir::output_folder_reason(input) {
                Some(reason) => walked.skipped.push(Skipped {
                    path: input.clone(),
                    reason,
                }),
                None => dirs.push(input),
            }
        } else {
            return Err(bad(
                input,
                format!(
                    "{}, neither a file nor a folder (give agent files or folders that hold them)",
                    crate::parse::file_type_name(&meta.file_type())
                ),
            ));
        }
    }
    // Where a symbolic link may point and still be followed: inside any folder given.
    let roots: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .collect();
    let walks: Vec<Vec<PathBuf>> = dirs
        .iter()
        .map(|dir| walk_dir(dir, &roots, options, &mut walked))
        .collect();
    // A file named directly keeps the spelling the user gave it, even when a folder walk finds it
    // too; a file found both itself and through a link keeps its own path.
    let mut all: Vec<(PathBuf, PathBuf)> = named.into_iter().map(with_canonical).collect();
    for (dir, found) in dirs.iter().zip(walks) {
        let canonical_dir = std::fs::canonicalize(dir).ok();
        let canonical = |file| walked_canonical(file, dir, canonical_dir.as_deref());
        all.extend(found.into_iter().map(canonical));
    }
    all.extend(walked.linked.into_iter().map(with_canonical));
    let mut files = unique_files(all);
    sort_paths(&mut files);
    walked.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    walked.skipped.dedup();
    Ok(Discovered {
        files,
        skipped: walked.skipped,
    })
}

/// What walking the folders found besides the files in them: links to follow, entries skipped.
#[derive(Default)]
struct Walked {
    /// Links to files inside the folders given, read through the link.
    linked: Vec<PathBuf>,
    skipped: Vec<Skipped>,
}

/// Drops second spellings of one file (`a/x.md` and `./a/x.md`, or a file named both directly and
/// inside a folder given), keeping the first. Each file comes with its canonical path.
fn unique_files(files: Vec<(PathBuf, PathBuf)>) -> Vec<PathBuf> {
    let mut seen = rustc_hash::FxHashSet::default();
    files
        .into_iter()
        .filter_map(|(path, canonical)| seen.insert(canonical).then_some(path))
        .collect()
}

/// Sorts paths in `Path`'s own order (component by component), several times faster on 100,000
/// paths: each is compared as one byte string, [`sort_key`], instead of component by component.
fn sort_paths(paths: &mut [PathBuf]) {
    let prefixed = paths
        .iter()
        .any(|p| matches!(p.components().next(), Some(Component::Prefix(_))));
    if prefixed {
        // A Windows prefix (`C:`) orders by its parsed parts, not its bytes.
        paths.sort();
    } else {
        paths.sort_by_cached_key(|p| sort_key(p));
    }
}

/// A path's components as bytes that order as the components do: each a byte for its kind, in the
/// order of [`Component`] (root, `.`, `..`, a name), then the name, then a 0, which no name holds,
/// so that a name sorts before the longer names it begins.
fn sort_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for component in path.components() {
        let (kind, name): (u8, &[u8]) = match component {
            Component::Prefix(_) => (0, component.as_os_str().as_encoded_bytes()),
            Component::RootDir => (1, b""),
            Component::CurDir => (2, b""),
            Component::ParentDir => (3, b""),
            Component::Normal(name) => (4, name.as_encoded_bytes()),
        };
        key.push(kind);
        key.extend_from_slice(name);
        key.push(0);
    }
    key
}

/// A path with its canonical form, asked of the file system (the path itself when that fails).
fn with_canonical(path: PathBuf) -> (PathBuf, PathBuf) {
    let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    (path, canonical)
}

/// The canonical form of a file that the walk of `root` found, as [`with_canonical`] gives it but
/// without a system call per file (a tenth of a second per 10,000 files): the walk follows no
/// links, so below the root every folder is real, and the canonical root joined with the rest of
/// the path is the answer.
fn walked_canonical(
    path: PathBuf,
    root: &Path,
    canonical_root: Option<&Path>,
) -> (PathBuf, PathBuf) {
    match (canonical_root, path.strip_prefix(root)) {
        (Some(canonical_root), Ok(rest)) => {
            let canonical = canonical_root.join(rest);
            (path, canonical)
        }
        _ => with_canonical(path),
    }
}

fn describe_input_error(path: &Path, e: &std::io::Error) -> String {
    if link_loops(path) {
        return "a symbolic link that loops back on itself (fix or remove the link)".to_owned();
    }
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        if let Some(folder) = unsearchable_folder(path) {
            return format!(
                "permission denied: the folder {} cannot be entered (give yourself access, e.g. \
                 `chmod u+x {}`, or leave it out)",
                folder.display(),
                folder.display()
            );
        }
    }
    describe_io_error(e)
}

/// The folder on the way to `path` that cannot be searched (no `x` permission), if one is why
/// `path` cannot be reached: its own metadata can be read, the entry below it cannot.
pub(crate) fn unsearchable_folder(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut ancestors: Vec<&Path> = absolute.ancestors().skip(1).collect();
    ancestors.reverse(); // from the top down
    ancestors
        .windows(2)
        .find_map(|pair| {
            let (folder, entry) = (pair[0], pair[1]);
            let denied = std::fs::symlink_metadata(entry)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied);
            (denied && std::fs::symlink_metadata(folder).is_ok()).then(|| folder.to_owned())
        })
        .or_else(|| {
            // The folder holding the file itself.
            let parent = absolute.parent()?;
            let denied = std::fs::symlink_metadata(&absolute)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied);
            denied.then(|| parent.to_owned())
        })
}

/// Why a path that is not UTF-8 is not read.
const NOT_UTF8: &str = "its name is not valid UTF-8: a report could not name it exactly (and \
    `apply` could not find it again), so it is not read; rename it to a UTF-8 name to scan it";

fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "no such file or directory (check the path you gave)".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (give yourself read access, e.g. `chmod u+r`, or leave it out)"
                .to_owned()
        }
        _ => e.to_string(),
    }
}

/// The Markdown files in the folder `root`; links and entries that cannot be read go to `found`.
fn walk_dir(
    root: &Path,
    roots: &[PathBuf],
    options: DiscoverOptions,
    found: &mut Walked,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let left_out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .require_git(false)
        .follow_links(false)
        .filter_entry({
            let left_out = std::sync::Arc::clone(&left_out);
            move |entry| {
                let skip = left_out_of_walk(entry);
                if let Some(skipped) = skip.clone().flatten() {
                    left_out.lock().expect("not poisoned").push(skipped);
                }
                skip.is_none()
            }
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let Some(file_type) = entry.file_type() else {
                    continue;
                };
                let path = entry.path();
                if file_type.is_file() {
                    if is_markdown(path) || is_agent_saved_as_text(path) {
                        files.push(entry.into_path());
                    }
                } else if file_type.is_symlink() {
                    follow_link(path, roots, found);
                } else if !file_type.is_dir() && is_markdown(path) {
                    found.skipped.push(Skipped {
                        path: path.to_owned(),
                        reason: format!(
                            "not a regular file ({}); only regular files are read",
                            crate::parse::file_type_name(&file_type)
                        ),
                    });
                }
            }
            Err(e) => found.skipped.push(Skipped {
                path: error_path(&e).unwrap_or_else(|| root.to_owned()),
                reason: describe_walk_error(&e),
            }),
        }
    }
    found
        .skipped
        .append(&mut left_out.lock().expect("not poisoned"));
    files
}

/// Entries the walk does not enter or read: `None` for the others; `Some(None)` for those left
/// out silently (`.git`, agent-dedup's own folder); `Some(Some(..))` for those listed as skipped
/// with the reason (output folders of agent-dedup, names that are not UTF-8).
fn left_out_of_walk(entry: &ignore::DirEntry) -> Option<Option<Skipped>> {
    let path = entry.path();
    if is_tool_folder(path) {
        return Some(None);
    }
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    let skipped = |reason: String| {
        Some(Some(Skipped {
            path: path.to_owned(),
            reason,
        }))
    };
    if entry.file_name().to_str().is_none() {
        // Only folders and candidate files are worth a line in the report.
        return if is_dir || is_markdown(path) {
            skipped(NOT_UTF8.to_owned())
        } else {
            Some(None)
        };
    }
    if is_dir {
        if let Some(reason) = crate::outdir::output_folder_reason(path) {
            return skipped(reason);
        }
    }
    None
}

/// A symbolic link met in a walk: read when it leads to a file inside the folders given, reported
/// when it leads outside them, nowhere, or round in a loop. Links to folders inside are left alone
/// (the walk reads those folders under their own path); links to folders outside are reported.
fn follow_link(link: &Path, roots: &[PathBuf], found: &mut Walked) {
    let written = std::fs::read_link(link).ok();
    let candidate = is_markdown(link) || written.as_deref().is_some_and(is_markdown);
    let skip = |found: &mut Walked, reason: String| {
        found.skipped.push(Skipped {
            path: link.to_owned(),
            reason,
        })
    };
    let shown = written
        .as_deref()
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    match std::fs::canonicalize(link) {
        Err(_) if !candidate => {}
        Err(_) if link_loops(link) => skip(
            found,
            format!(
                "symbolic link loop (`{shown}` leads back to itself); nothing to read (fix or remove the link)"
            ),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => skip(
            found,
            format!(
                "broken symbolic link: its target `{shown}` does not exist (fix or remove the link)"
            ),
        ),
        Err(e) => skip(
            found,
            format!("symbolic link to `{shown}` could not be followed: {e}"),
        ),
        Ok(target) => {
            let is_dir = target.is_dir();
            if !roots.iter().any(|root| target.starts_with(root)) {
                if candidate || is_dir {
                    skip(
                        found,
                        format!(
                            "symbolic link to `{}`, outside the folders scanned: not followed \
                             (name the target on the command line to scan it)",
                            target.display()
                        ),
                    );
                }
            } else if !is_dir && candidate {
                found.linked.push(link.to_owned());
            }
        }
    }
}

/// Whether following `path` (and the links it leads to) comes back to a link already passed, or
/// goes through more links than any system follows.
fn link_loops(path: &Path) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut current = path.to_owned();
    for _ in 0..64 {
        let Ok(target) = std::fs::read_link(&current) else {
            return false;
        };
        if !seen.insert(current.clone()) {
            return true;
        }
        current = match current.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    true
}

/// What went wrong in a walk, for the `skipped` list.
fn describe_walk_error(e: &ignore::Error) -> String {
    match io_error(e) {
        Some(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "folder could not be read: permission denied, so the files in it were not scanned \
             (give yourself access, e.g. `chmod u+rx`, or leave it out)"
                .to_owned()
        }
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "vanished while the folder was walked (moved or deleted during the scan); run the scan again"
                .to_owned()
        }
        _ => format!("cannot walk: {e}"),
    }
}

fn io_error(e: &ignore::Error) -> Option<&std::io::Error> {
    match e {
        ignore::Error::Io(io) => Some(io),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_error(err),
        ignore::Error::Partial(errs) => errs.iter().find_map(io_error),
        _ => None,
    }
}

/// Version-control folders and this tool's own archive never hold agents to compare.
fn is_tool_folder(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == ".git" || n == ".agent-dedup")
}

/// Whether a walk reads this file: Markdown anywhere, and the TOML, JSON and YAML files of the
/// formats read where their tools keep them (`parse::format::is_candidate`).
fn is_markdown(path: &Path) -> bool {
    crate::parse::format::is_candidate(path)
}

/// A Markdown agent saved under a plain-text name (`reviewer.txt`, `reviewer.markdown`): read when
/// it opens with YAML frontmatter that sets `name` or `description`, so that a folder of agents
/// exported as text is not scanned as empty. Only such names are opened (the first 4 KB of each):
/// the other files of a folder are never read.
fn is_agent_saved_as_text(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !(name.ends_with(".txt") || name.ends_with(".markdown")) {
        return false;
    }
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 4096), &mut head));
    read.is_ok() && opens_with_agent_frontmatter(&String::from_utf8_lossy(&head))
}

/// Whether `text` starts with a `---` fence whose block sets `name:` or `description:` at the top
/// level (the block may run past the text given: only its opening matters).
fn opens_with_agent_frontmatter(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    lines
        .take_while(|line| line.trim_end() != "---")
        .any(|line| line.starts_with("name:") || line.starts_with("description:"))
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
    fn agents_saved_as_text_are_read_and_other_text_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files = [
            (
                "reviewer.txt",
                "---\nname: reviewer\ndescription: Reviews\n---\nBody\n",
            ),
            (
                "\u{feff}planner.markdown",
                "\u{feff}---\ndescription: Plans\n---\n",
            ),
            ("notes.txt", "Shopping list\n---\nname: not frontmatter\n"),
            ("config.txt", "---\ntitle: a page\n---\n"),
            ("data.csv", "---\nname: x\n---\n"),
        ];
        for (name, text) in files {
            std::fs::write(root.join(name.trim_start_matches('\u{feff}')), text).unwrap();
        }
        let found = discover(&[root.to_owned()], DiscoverOptions::default()).unwrap();
        let names: Vec<_> = found
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["planner.markdown", "reviewer.txt"]);
    }

    #[test]
    fn paths_sort_as_path_orders_them() {
        let spellings = [
            "a", "a/b", "a-b", "a.b", "a/b/c", "a//b", "a/./b", "a/../b", "./a", "../a", "/a", "/",
            "ab", "a b", "A", "é", "a/é", "", ".", "..", "a/", "a\\b", "z/a",
        ];
        let mut paths: Vec<PathBuf> = spellings.iter().map(PathBuf::from).collect();
        let mut want = paths.clone();
        want.sort();
        sort_paths(&mut paths);
        assert_eq!(paths, want);
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
    fn a_file_under_two_folders_given_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.md"), "---\n").unwrap();
        let inputs = [dir.path().to_owned(), dir.path().join("./sub")];
        let found = discover(&inputs, DiscoverOptions::default()).unwrap();
        assert_eq!(found.files, vec![dir.path().join("sub/a.md")]);
    }

    #[test]
    fn relative_inputs_give_relative_paths() {
        let found = discover(&[PathBuf::from("src")], DiscoverOptions::default()).unwrap();
        assert!(found.files.iter().all(|p| p.is_relative()));
    }

    #[cfg(unix)]
    fn symlink(target: &str, link: &Path) {
        std::os::unix::fs::symlink(target, link).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_read_inside_and_reported_outside() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "---\n").unwrap();
        std::fs::create_dir(outside.path().join("agents")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("real.md"), "---\n").unwrap();
        std::fs::write(root.join("notes.txt"), "---\n").unwrap();
        symlink("../real.md", &root.join("sub/again.md")); // inside, to a file also walked: once
        symlink("../notes.txt", &root.join("sub/notes.md")); // inside, to a file not walked: read
        symlink(
            outside.path().join("secret.md").to_str().unwrap(),
            &root.join("out.md"),
        );
        symlink(
            outside.path().join("agents").to_str().unwrap(),
            &root.join("shared"),
        );
        symlink("nowhere.md", &root.join("broken.md"));
        symlink("loop-b.md", &root.join("loop-a.md"));
        symlink("loop-a.md", &root.join("loop-b.md"));
        symlink("self.md", &root.join("self.md"));
        symlink("..", &root.join("sub/up")); // a folder inside: not walked twice
        symlink("nowhere", &root.join("dangling")); // not a candidate: ignored
        let found = discover(&[root.to_owned()], DiscoverOptions::default()).unwrap();
        let rel = |p: &PathBuf| p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let files: Vec<String> = found.files.iter().map(rel).collect();
        assert_eq!(files, vec!["real.md", "sub/notes.md"]);
        let skipped: Vec<(String, String)> = found
            .skipped
            .iter()
            .map(|s| (rel(&s.path), s.reason.clone()))
            .collect();
        let names: Vec<&str> = skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "broken.md",
                "loop-a.md",
                "loop-b.md",
                "out.md",
                "self.md",
                "shared"
            ],
            "{skipped:#?}"
        );
        let reason = |name: &str| &skipped.iter().find(|(p, _)| p == name).unwrap().1;
        assert!(
            reason("broken.md").contains("broken symbolic link"),
            "{skipped:?}"
        );
        assert!(reason("loop-a.md").contains("loop"), "{skipped:?}");
        assert!(reason("self.md").contains("loop"), "{skipped:?}");
        assert!(
            reason("out.md").contains("outside the folders scanned"),
            "{skipped:?}"
        );
        assert!(reason("shared").contains("not followed"), "{skipped:?}");
        // The same link is followed when the folder it points into is scanned too.
        let both = discover(
            &[root.to_owned(), outside.path().to_owned()],
            DiscoverOptions::default(),
        )
        .unwrap();
        assert!(both.files.iter().any(|p| p.ends_with("secret.md")));
        assert!(!both.skipped.iter().any(|s| s.path.ends_with("out.md")));
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_input_folder_is_walked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/a.md"), "---\n").unwrap();
        symlink("real", &dir.path().join("link"));
        let found = discover(&[dir.path().join("link")], DiscoverOptions::default()).unwrap();
        assert_eq!(found.files, vec![dir.path().join("link/a.md")]);
        assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    }

    #[cfg(unix)]
    #[test]
    fn inputs_that_are_loops_or_pipes_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        symlink("loop.md", &dir.path().join("loop.md"));
        let err = discover(&[dir.path().join("loop.md")], DiscoverOptions::default()).unwrap_err();
        assert!(err.problem.contains("loops"), "{err}");
        let fifo = dir.path().join("pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err =
                discover(std::slice::from_ref(&fifo), DiscoverOptions::default()).unwrap_err();
            assert!(err.problem.contains("named pipe"), "{err}");
            // Met in a folder, it is reported, never opened (which would block).
            let found = discover(&[dir.path().to_owned()], DiscoverOptions::default()).unwrap();
            assert!(found
                .skipped
                .iter()
                .any(|s| s.path == fifo && s.reason.contains("not a regular file")));
        }
    }
}
