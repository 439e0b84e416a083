//! Paths from untrusted files (a report, a journal) made absolute and checked to lie inside the
//! folders they may touch.

use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};

/// `path` made absolute (against `cwd`), with every symbolic link resolved in the part that exists
/// and `.` / `..` folded in the part that does not (which holds no link, since it does not exist).
/// Two resolved paths compare as the file system sees them, so [`inside`] cannot be fooled by `..`
/// or by a link pointing elsewhere.
pub fn resolve(path: &Path, cwd: &Path) -> io::Result<PathBuf> {
    if path.as_os_str().is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty path"));
    }
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        cwd.join(path)
    };
    let mut existing = absolute.clone();
    let mut rest: Vec<OsString> = Vec::new();
    let base = loop {
        match std::fs::canonicalize(&existing) {
            Ok(c) => break c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = existing
                    .file_name()
                    .map(|n| n.to_owned())
                    .unwrap_or_else(|| OsString::from(".."));
                rest.push(name);
                if !existing.pop() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    };
    let mut out = base;
    for part in rest.iter().rev() {
        match Path::new(part).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            _ => out.push(part),
        }
    }
    Ok(out)
}

/// Whether `path` is `root` or lies under it (both resolved with [`resolve`]).
pub fn inside(path: &Path, root: &Path) -> bool {
    path.starts_with(root)
}

/// A file name from an untrusted file that is safe to join to a folder: one plain component, no
/// separators, no `..`, no NUL or control characters.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control())
        && matches!(
            Path::new(name).components().collect::<Vec<_>>().as_slice(),
            [Component::Normal(_)]
        )
}

/// A path for messages: control characters (which could rewrite the terminal) shown escaped.
pub fn shown(path: &Path) -> String {
    crate::terminal::path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_folds_dot_dot_in_missing_parts() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("lib")).unwrap();
        let r = resolve(Path::new("lib/missing/../../x"), &root).unwrap();
        assert_eq!(r, root.join("x"));
        assert!(!inside(&r, &root.join("lib")));
        let r = resolve(Path::new("lib/new/a.md"), &root).unwrap();
        assert!(inside(&r, &root.join("lib")));
    }

    #[cfg(unix)]
    #[test]
    fn resolve_follows_links_out_of_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("lib")).unwrap();
        std::fs::create_dir(root.join("outside")).unwrap();
        std::os::unix::fs::symlink(root.join("outside"), root.join("lib/link")).unwrap();
        let r = resolve(Path::new("lib/link/a.md"), &root).unwrap();
        assert!(!inside(&r, &root.join("lib")));
    }

    #[test]
    fn plain_file_names() {
        assert!(is_plain_file_name("code-reviewer.md"));
        for bad in [
            "", ".", "..", "../x.md", "/abs.md", "a/b.md", "a\\b.md", "c:x", "a\0b", "a\nb",
        ] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }
}
