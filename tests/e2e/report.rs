//! `ishenim report`: the half-year analysis through the real binary on a small register
//! built with the store's public API (registration dates in the past, so no OCR is needed):
//! CSV, HTML, XLSX and JSON outputs, hostile text escaped, the audit record, usage errors.

use crate::ok_utf8 as ok;
use chrono::{NaiveDate, NaiveDateTime};
use ishenim_page::PageRecord;
use ishenim_store::{ApprovedFields, DraftScope, NewDraft, NewOpening, Store};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    day(y, m, d).and_hms_opt(9, 0, 0).expect("time")
}

fn page(n: u32) -> PageRecord {
    PageRecord::synthetic("box.pdf", n, &format!("box-{n}"), &format!("арыз {n}"))
}

/// Registration time, applicant (None: anonymous), address, category, corruption, brief.
type Row = (
    NaiveDateTime,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    bool,
    &'static str,
);

/// Five appeals in 2026H1 (Jan ×2, Mar, Jun ×2) and one in 2026H2:
/// 2026-0001 Jan, Манас, land, corruption, hostile brief, Осмонов, reply on time;
/// 2026-0002 Jan, anonymous, water, open (overdue on 10.07.2026);
/// 2026-0003 Mar, с. Ак-Суу, land, reply late;
/// 2026-0004 Jun, Манас, roads, corruption, open (in time on 10.07.2026);
/// 2026-0005 Jun, no address, land, open (in time);
/// 2026-0006 Jul, Манас, land.
fn register(data: &Path) -> Store {
    let s = Store::open(data).expect("open");
    let o = s
        .new_opening(NewOpening {
            opened_at: at(2026, 1, 5),
            members: vec!["Асанов Бакыт".into()],
            seal_removed: "1".into(),
            seal_applied: "2".into(),
            letters_found: 6,
            notes: String::new(),
        })
        .expect("opening");
    let f = s.add_file(o, "box.pdf", b"e2e report").expect("file").id();
    let pages = s
        .save_pages(f, &(1..=6).map(page).collect::<Vec<_>>())
        .expect("pages");
    let drafts: Vec<NewDraft> = pages
        .iter()
        .map(|p| NewDraft {
            page_ids: vec![*p],
            data: ishenim_store::LetterDraft::default(),
        })
        .collect();
    let saved = s.save_drafts(DraftScope::File(f), &drafts).expect("drafts");
    let rows: [Row; 6] = [
        (
            at(2026, 1, 12),
            Some("Бекова"),
            Some("Манас айылы, Ленин көчөсү 5"),
            "land",
            true,
            "<script>alert('x')</script> жер үчүн пара",
        ),
        (at(2026, 1, 20), None, None, "water", false, "Суу жок"),
        (
            at(2026, 3, 2),
            Some("Иванов"),
            Some("с. Ак-Суу, ул. Ленина 3"),
            "land",
            false,
            "Жер",
        ),
        (
            at(2026, 6, 30),
            Some("Орозов"),
            Some("Манас айылы"),
            "roads",
            true,
            "Жол",
        ),
        (at(2026, 6, 29), Some("Садыков"), None, "land", false, "Жер"),
        (
            at(2026, 7, 6),
            Some("Жумабаев"),
            Some("Манас айылы"),
            "land",
            false,
            "Жер",
        ),
    ];
    let mut serials = Vec::new();
    for (r, d) in rows.iter().zip(&saved) {
        let fields = ApprovedFields {
            applicant_name: r.1.map(str::to_string),
            anonymous: r.1.is_none(),
            address: r.2.map(str::to_string),
            phone: None,
            brief: r.5.to_string(),
            category: r.3.to_string(),
            corruption: r.4,
            official: None,
        };
        serials.push(
            s.approve_draft_at(d.id(), "reviewer", &fields, r.0)
                .expect("approve"),
        );
    }
    s.assign_official(serials[0], "clerk", "Осмонов Б.")
        .expect("assign");
    s.record_measures(serials[0], "clerk", "Иш прокуратурага жөнөтүлдү")
        .expect("measures");
    s.record_reply(serials[0], "clerk", "01-5/1", day(2026, 1, 16))
        .expect("reply");
    s.record_reply(serials[2], "clerk", "01-5/2", day(2026, 5, 4))
        .expect("reply");
    s
}

fn run(data: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--user", "analyst"];
    all.extend_from_slice(args);
    crate::run_in(data.parent().expect("parent"), data, &all)
}

const H1: &[&str] = &["report", "--half", "2026H1", "--as-of", "2026-07-10"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = H1.to_vec();
    v.extend_from_slice(extra);
    v
}

#[test]
fn report_csv_html_xlsx_json_from_the_real_binary() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let store = register(&data);
    let head = store.chain_head().expect("head").expect("non-empty");

    // CSV (Russian) on stdout.
    let csv = ok(&run(&data, &args(&["--format", "csv", "--lang", "ru"])));
    assert!(
        csv.starts_with("Полугодовой анализ обращений граждан\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Всего обращений,5,\"100,0 %\"\r\n"), "{csv}");
    assert!(
        csv.contains("Январь,2,1\r\n") && csv.contains("Июнь,2,1\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Апрель,0,0\r\n"));
    assert!(csv.contains("Манас,2,\"40,0 %\"\r\n"), "{csv}");
    assert!(csv.contains("Ак-Суу,1,\"20,0 %\"\r\n"));
    assert!(csv.contains("Отвечено в срок,1,"));
    assert!(csv.contains("Отвечено с нарушением срока,1,"));
    assert!(csv.contains("На рассмотрении, срок истёк\",1,"), "{csv}");
    assert!(csv.contains("Осмонов Б.,1,1,0,0,0\r\n"));
    assert!(csv.contains("Иш прокуратурага жөнөтүлдү"));
    assert!(csv.contains(&head.hash));
    assert!(
        !csv.contains("Жумабаев") && !csv.contains("2026-0006"),
        "July is H2"
    );

    // Kyrgyz HTML page to a file.
    let html_path = tmp.path().join("report.html");
    let o = run(
        &data,
        &args(&[
            "--format",
            "html",
            "--out",
            html_path.to_str().expect("utf-8"),
        ]),
    );
    assert_eq!(ok(&o), "", "nothing on stdout with --out");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2026H1") && err.contains("5 appeals"), "{err}");
    assert!(
        !err.contains("пара") && !err.contains("Бекова"),
        "no content on stderr"
    );
    let html = std::fs::read_to_string(&html_path).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ky\">"));
    assert!(html.contains("Кайрылуулардын жарым жылдык талдоосу"));
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"), "hostile brief escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; жер үчүн пара"));
    assert!(html.contains(&head.hash) && html.contains(&head.label));

    // XLSX to a file: a zip with the workbook parts.
    let xlsx_path = tmp.path().join("report.xlsx");
    ok(&run(
        &data,
        &args(&[
            "--format",
            "xlsx",
            "--out",
            xlsx_path.to_str().expect("utf-8"),
        ]),
    ));
    let x = std::fs::read(&xlsx_path).expect("xlsx");
    assert_eq!(&x[..4], b"PK\x03\x04");
    let names = String::from_utf8_lossy(&x);
    assert!(names.contains("xl/workbook.xml") && names.contains("xl/sharedStrings.xml"));

    // JSON data.
    let json: Value =
        serde_json::from_str(&ok(&run(&data, &args(&["--format", "json"])))).expect("json");
    assert_eq!(json["half"], "2026H1");
    assert_eq!(json["total"], 5);
    assert_eq!(json["corruption"], 2);
    assert_eq!(json["anonymous"], 1);
    assert_eq!(json["deadlines"]["open_in_time"], 2);
    assert_eq!(json["corruption_cases"][0]["serial"], "2026-0001");

    // H2 holds the July appeal only.
    let h2: Value = serde_json::from_str(&ok(&run(
        &data,
        &["report", "--half", "2026h2", "--format", "json"],
    )))
    .expect("json");
    assert_eq!(h2["total"], 1);

    // Every run is audited as `report` with the half-year, by the --user.
    let audit = store.list_audit(20).expect("audit");
    let reports: Vec<_> = audit.iter().filter(|a| a.action == "report").collect();
    assert_eq!(reports.len(), 5, "{audit:?}");
    assert!(reports.iter().all(|a| a.user == "analyst"));
    assert_eq!(reports[0].object, "2026H2");
    assert_eq!(reports[1].object, "2026H1");
}

#[test]
fn report_usage_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    // No register: refused, and none is created.
    let o = run(&data, &["report", "--half", "2026H1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!data.exists());
    register(&data);
    for bad in [
        vec!["report", "--half", "2026H3"],
        vec!["report", "--half", "2026"],
        vec!["report", "--half", "2026H1", "--format", "pdf"],
        vec!["report", "--half", "2026H1", "--lang", "en"],
        vec!["report"],
    ] {
        let o = run(&data, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
    let o = run(&data, &["report", "--half", "2026H3"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("2026H1"));
}
