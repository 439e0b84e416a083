//! Unified diffs from each member to its merged definition, with `similar`.

use similar::TextDiff;

/// A unified diff (3 lines of context) from `old` to `new`, headed with the two labels.
pub fn unified(old_label: &str, old: &str, new_label: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_removed_and_added_lines_under_headers() {
        let d = unified("a.md", "one\ntwo\n", "merged.md", "one\nthree\n");
        assert!(d.starts_with("--- a.md\n+++ merged.md\n"), "{d}");
        assert!(d.contains("-two\n") && d.contains("+three\n"), "{d}");
    }

    #[test]
    fn identical_texts_give_an_empty_diff() {
        assert_eq!(unified("a", "x\n", "b", "x\n"), "");
    }
}
