//! Operations through the real binary: register settings driving deadlines and anonymous
//! appeals, the follow-up history, `ishenim doctor`, rotated backups.

use crate::{command, root};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `ishenim --data DATA --user USER args...` in the repository root.
fn run_as(data: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["--data", s(data), "--user", user];
    all.extend_from_slice(args);
    command(&root(), &all).output().expect("run ishenim")
}

fn run(data: &Path, args: &[&str]) -> Output {
    run_as(data, "admin1", args)
}

/// Runs and expects exit 0; returns stdout.
fn ok(data: &Path, args: &[&str]) -> String {
    let o = run(data, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}{}", out(&o), err(&o));
    out(&o)
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn date(v: &Value) -> chrono::NaiveDate {
    let t = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_else(|e| panic!("{t:?}: {e}"))
}

/// A register with one opening and three drafts: L002 (anonymous), L005, L008.
fn register_with_three_drafts(data: &Path) {
    let id = ok(
        data,
        &[
            "opening",
            "new",
            "--members",
            "Асанов Бакыт,Токтогулова Айгүл,Иванов Пётр",
            "--seal-removed",
            "0041",
            "--seal-applied",
            "0042",
            "--letters",
            "3",
        ],
    );
    let id = id.trim();
    ok(
        data,
        &[
            "ingest",
            "--opening",
            id,
            "--jobs",
            "1",
            "samples/L002p1.tif",
            "samples/L005p1.tif",
            "samples/L008p1.tif",
        ],
    );
    let drafts = json_lines(&ok(data, &["drafts", "list", "--json"]));
    assert_eq!(drafts.len(), 3, "{drafts:?}");
}

#[test]
fn settings_are_validated_audited_and_drive_deadlines_anonymous_appeals_and_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    register_with_three_drafts(&data);

    // Defaults of law No. 67.
    let shown = json_lines(&ok(&data, &["settings", "show", "--json"]));
    let get = |list: &[Value], k: &str| -> Value {
        list.iter()
            .find(|v| v["key"] == k)
            .unwrap_or_else(|| panic!("{k} missing: {list:?}"))["value"]
            .clone()
    };
    assert_eq!(get(&shown, "registration_working_days"), "1");
    assert_eq!(get(&shown, "consideration_days"), "14");
    assert_eq!(get(&shown, "consideration_unit"), "calendar");
    assert_eq!(get(&shown, "anonymous_policy"), "register_and_consider");
    assert!(get(&shown, "backup_dir").is_null());
    let human = ok(&data, &["settings", "show"]);
    assert!(
        human.contains("Срок рассмотрения") && human.contains("Кароо мөөнөтү"),
        "{human}"
    );

    // Draft 2 (L005) under the defaults: 14 calendar days, rolled to a working day.
    ok(&data, &["drafts", "approve", "2"]);

    // Refusals: bad values, unknown keys, a reviewer account. Nothing changes.
    for bad in [
        vec!["settings", "set", "consideration_days", "0"],
        vec!["settings", "set", "consideration_days", "many"],
        vec!["settings", "set", "consideration_unit", "weeks"],
        vec!["settings", "set", "anonymous_policy", "ignore"],
        vec!["settings", "set", "backup_dir", "relative/dir"],
        vec!["settings", "set", "colour", "red"],
    ] {
        let o = run(&data, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?} refused: {}", out(&o));
    }
    let mut add = command(
        &root(),
        [
            "--data",
            s(&data),
            "user",
            "add",
            "reviewer1",
            "--role",
            "reviewer",
            "--password-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"long enough password\n")
        .expect("password");
    assert!(add.wait().expect("user add").success());
    let o = run_as(
        &data,
        "reviewer1",
        &["settings", "set", "consideration_days", "5"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("администратор"), "{}", err(&o));
    let after = json_lines(&ok(&data, &["settings", "show", "--json"]));
    assert_eq!(after, shown, "refusals changed nothing");

    // The proposed rule, counted in working days; anonymous appeals registered only.
    let set = ok(
        &data,
        &["settings", "set", "consideration_days", "5", "--json"],
    );
    let v: Value = serde_json::from_str(set.trim()).expect("set --json");
    assert_eq!(v["value"], "5");
    assert_eq!(v["updated_by"], "admin1");
    assert_eq!(v["is_default"], false);
    ok(&data, &["settings", "set", "consideration-unit", "working"]);
    ok(
        &data,
        &["settings", "set", "anonymous_policy", "register_only"],
    );
    ok(&data, &["drafts", "approve", "--all"]);

    let list = json_lines(&ok(&data, &["journal", "list", "--json"]));
    assert_eq!(list.len(), 3);
    let by_draft = |d: i64| -> &Value {
        list.iter()
            .find(|e| e["draft_id"] == d)
            .unwrap_or_else(|| panic!("draft {d}: {list:?}"))
    };
    let cal = ishenim_store::Calendar::new();
    let reg = |e: &Value| {
        date(&Value::from(
            &e["registered_at"].as_str().expect("at")[..10],
        ))
    };
    let named_default = by_draft(2);
    let d = date(&named_default["deadline"]);
    let raw = reg(named_default) + chrono::Days::new(14);
    assert_eq!(d, cal.roll_forward(raw), "14 calendar days");
    let named_working = by_draft(3);
    assert_eq!(
        date(&named_working["deadline"]),
        cal.add_working_days(reg(named_working), 5),
        "5 working days"
    );
    assert_eq!(named_working["status"], "registered");
    let anonymous = by_draft(1);
    assert_eq!(anonymous["anonymous"], true);
    assert_eq!(
        anonymous["status"], "closed",
        "register only: closed at once"
    );
    let serial = anonymous["serial"].as_str().expect("serial");
    let h = ok(&data, &["journal", "history", serial]);
    assert!(
        h.contains("register_only"),
        "the closing event names the setting: {h}"
    );

    // History: the first event of a column starts from the registered value.
    let sr = named_default["serial"].as_str().expect("serial");
    ok(
        &data,
        &["journal", "assign", sr, "--official", "Жумабеков Н."],
    );
    ok(
        &data,
        &[
            "journal",
            "extend",
            sr,
            "--days",
            "3",
            "--reason",
            "текшерүү",
        ],
    );
    let h = ok(&data, &["journal", "history", sr]);
    assert!(h.contains("official «» → «Жумабеков Н.»"), "{h}");
    let first = d.format("%d.%m.%Y").to_string();
    assert!(h.contains(&format!("deadline «{first}» → «")), "{h}");
    let items = json_lines(&ok(&data, &["journal", "history", sr, "--json"]));
    assert_eq!(items[0]["old"], "");
    assert_eq!(items[1]["old"], first.as_str());

    // Audit: every change by its key and user.
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let rows: Vec<(String, String)> = db
        .prepare("SELECT user, object FROM audit WHERE action = 'settings' ORDER BY id")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("audit");
    let want: Vec<(String, String)> = [
        "consideration_days",
        "consideration_unit",
        "anonymous_policy",
    ]
    .iter()
    .map(|k| ("admin1".to_string(), k.to_string()))
    .collect();
    assert_eq!(rows, want);
    assert!(ok(&data, &["journal", "verify"]).contains("journal ok"));
}
