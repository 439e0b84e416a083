//! The merged definition of the five seeds, as a reviewed snapshot.
//!
//! The merge is still being tuned: when it changes on purpose, regenerate with
//! `INSTA_UPDATE=always cargo test --test snapshot_merge` and review the `.snap` diff.

mod common;

use common::*;

#[test]
fn merged_seeds() {
    let mut files = SEEDS.to_vec();
    files.sort();
    let out = cmd().arg("merge").args(&files).arg("-q").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_loadable_frontmatter(&text);
    insta::assert_snapshot!("merged_seeds", text);
}
