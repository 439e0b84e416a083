//! `scan --format sarif`: a SARIF 2.1.0 log that the official schema accepts, one result per
//! cluster and per name collision, on the files involved.

mod common;

use common::{clusters, cmd, scan_json};
use serde_json::Value;

/// The official SARIF 2.1.0 schema (see tests/fixtures/sarif/NOTICE.md), formats checked too.
fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/sarif/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid(log: &Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
}

fn sarif(args: &[&str]) -> Value {
    serde_json::from_slice(&common::scan_stdout(cmd(), args, "sarif")).expect("SARIF is JSON")
}

#[test]
fn the_corpus_log_is_valid_sarif_with_one_result_per_finding() {
    let log = sarif(&["corpus/"]);
    assert_valid(&log);
    let report = scan_json(&["corpus/"]);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let collisions = report["name_collisions"].as_array().unwrap();
    assert_eq!(results.len(), clusters(&report).len() + collisions.len());
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["duplicate-copy", "duplicate-variant", "name-collision"]
    );
    let uris = |result: &Value| -> std::collections::BTreeSet<String> {
        result["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    for (result, cluster) in results.iter().zip(clusters(&report)) {
        let rule = format!("duplicate-{}", cluster["tier"].as_str().unwrap());
        assert_eq!(result["ruleId"], rule.as_str());
        assert_eq!(uris(result), common::members(cluster));
        assert_eq!(result["properties"]["clusterId"], cluster["id"]);
    }
    for (result, collision) in results[clusters(&report).len()..].iter().zip(collisions) {
        assert_eq!(result["ruleId"], "name-collision");
        let paths: std::collections::BTreeSet<String> = collision["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(uris(result), paths);
    }
}

#[test]
fn odd_file_names_and_an_empty_scan_are_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let agent = "---\nname: reviewer\ndescription: Reviews pull requests for security flaws and style\n---\n\nYou review code for injection, secrets and unsafe input handling.\n";
    std::fs::write(dir.path().join("a b<%>.md"), agent).unwrap();
    std::fs::write(dir.path().join("é #1.md"), agent).unwrap();
    let path = dir.path().to_str().unwrap();
    let log = sarif(&[path]);
    assert_valid(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);
    let empty = tempfile::tempdir().unwrap();
    let log = sarif(&[empty.path().to_str().unwrap()]);
    assert_valid(&log);
    assert!(log["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn the_schema_check_rejects_a_broken_log() {
    let mut log = sarif(&["corpus/"]);
    log["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator().is_valid(&log), "a result without a message");
    let mut log = sarif(&["corpus/"]);
    log["version"] = "2.0.0".into();
    assert!(!validator().is_valid(&log), "another version");
}
