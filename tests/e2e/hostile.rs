//! The hostile-input corpus (`tests/hostile/`, 72 files: bombs, truncations, wrong formats,
//! encrypted PDFs, dangerous names, …) ingested as ONE batch together with a real letter,
//! through the real binary: every bad file ends in quarantine (or is refused before storing)
//! with a reason naming its failure, every good file is stored and read, the letter becomes a
//! draft, nothing crashes, and the store verifies.

use crate::{root, NewOpening};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn expected() -> HashMap<String, String> {
    let tsv =
        std::fs::read_to_string(root().join("tests/hostile/expected.tsv")).expect("expected.tsv");
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    crate::run_in(dir, Path::new("data"), args)
}

#[test]
fn the_hostile_corpus_in_one_batch_is_quarantined_with_reasons_and_the_rest_is_stored() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let input = dir.join("batch");
    std::fs::create_dir(&input).expect("mkdir");
    let want = expected();
    for name in want.keys() {
        std::fs::copy(root().join("tests/hostile").join(name), input.join(name))
            .unwrap_or_else(|e| panic!("copy {name}: {e}"));
    }
    std::fs::copy(
        root().join("samples/L001p1.jpg"),
        input.join("zz-letter.jpg"),
    )
    .expect("copy letter");
    let o = run(
        dir,
        &NewOpening {
            members: "A,B",
            seal_removed: "1",
            seal_applied: "2",
            letters: "1",
            at: None,
        }
        .args(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let opening = String::from_utf8_lossy(&o.stdout).trim().to_string();

    // Walking a folder skips text files (ground truth, notes); named files are always read,
    // so the text files of the corpus are named explicitly.
    let mut args: Vec<String> = ["ingest", "--opening", &opening, "--json", "batch"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    for name in want.keys().filter(|n| n.ends_with(".txt")) {
        args.push(format!("batch/{name}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(dir, &args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "some inputs failed: exit 1; stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sum: Value = serde_json::from_slice(&o.stdout).expect("summary JSON");
    let problems: HashMap<String, String> = sum["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap_or_default();
            let name = Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, p["reason"].as_str().unwrap_or_default().to_string())
        })
        .collect();

    let mut wrong = Vec::new();
    for (name, outcome) in &want {
        match (outcome.strip_prefix("err:"), problems.get(name)) {
            (Some(code), Some(reason))
                if reason.contains(code)
                    || (code == "too_large" && reason.contains("too large")) => {}
            (Some(code), other) => wrong.push(format!("{name}: expected {code}, got {other:?}")),
            (None, Some(reason)) => {
                wrong.push(format!("{name}: expected stored, got problem {reason:?}"))
            }
            (None, None) => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let bad = want.values().filter(|v| v.starts_with("err:")).count();
    assert_eq!(problems.len(), bad, "exactly the bad files have problems");
    // Files with the same bytes (the dangerous names share one image) are stored once.
    let mut distinct = std::collections::HashSet::new();
    for (name, outcome) in &want {
        if outcome.starts_with("ok:") {
            distinct.insert(std::fs::read(input.join(name)).expect("read"));
        }
    }
    distinct.insert(std::fs::read(input.join("zz-letter.jpg")).expect("read"));
    assert_eq!(
        sum["files_scanned"].as_u64(),
        Some(distinct.len() as u64),
        "every good file was read: {sum}"
    );
    assert!(
        sum["drafts_new"].as_u64().unwrap_or(0) >= 1,
        "the letter became a draft"
    );

    // Nothing is lost: the quarantine lists each stored bad file with its reason, and the
    // register is consistent.
    let q = run(dir, &["quarantine", "list"]);
    let qtext = String::from_utf8_lossy(&q.stdout);
    let in_quarantine = problems
        .values()
        .filter(|r| !r.contains("too large"))
        .count();
    assert!(
        qtext.lines().count() >= in_quarantine,
        "quarantine list: {qtext}"
    );
    let v = run(dir, &["journal", "verify"]);
    assert!(
        v.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&v.stdout)
    );
    // A rerun changes nothing and still stores no duplicate.
    let again = run(dir, &args);
    let sum2: Value = serde_json::from_slice(&again.stdout).expect("summary JSON");
    assert_eq!(sum2["stored_new"].as_u64(), Some(0));
    assert_eq!(sum2["drafts_new"].as_u64(), Some(0));
}
