//! Helpers shared by the integration tests and the benchmark example.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use ishenim_page::PageRecord;
use ishenim_store::LetterDraft;
use ishenim_store::{
    ApprovedFields, DraftId, DraftScope, FileId, NewDraft, NewOpening, OpeningId, Store,
};
use serde_json::json;

pub fn opening() -> NewOpening {
    NewOpening {
        opened_at: NaiveDate::from_ymd_opt(2026, 6, 1)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("date"),
        members: vec!["Асанов А.".into(), "Бекова Б.".into(), "Осмонов О.".into()],
        seal_removed: "0041".into(),
        seal_applied: "0042".into(),
        letters_found: 10,
        notes: String::new(),
    }
}

pub fn page(file: &str, n: u32) -> PageRecord {
    PageRecord {
        lang: "kir+rus".into(),
        mean_conf: 88.0,
        ..PageRecord::synthetic(file, n, &format!("{file}-{n}"), "Урматтуу айыл өкмөтү")
    }
}

pub fn draft_json(i: usize) -> LetterDraft {
    LetterDraft::from_stored(json!({
        "applicant": {"name": format!("Асанов Бакыт {i}"), "anonymous": false},
        "address": "Ак-Суу айылы",
        "phone": "+996700123456",
        "summary": "Жол оңдоо боюнча суроо",
        "category": "roads",
        "corruption": {"flag": i.is_multiple_of(17), "score": 0.1, "reasons": []}
    }))
}

pub fn fields(i: usize) -> ApprovedFields {
    ApprovedFields {
        applicant_name: Some(format!("Асанов Бакыт {i}")),
        anonymous: false,
        address: Some("Ак-Суу айылы".into()),
        phone: Some("+996700123456".into()),
        brief: "Жол оңдоо боюнча суроо".into(),
        category: "roads".into(),
        corruption: false,
        official: None,
    }
}

/// A fixed registration time so tests do not depend on the clock's year.
pub fn at() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 6, 2)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("date")
}

/// One opening, one file with `n` pages, `n` one-page pending drafts (bulk, few transactions).
pub fn bulk_drafts(s: &Store, n: usize) -> (OpeningId, FileId, Vec<DraftId>) {
    let o = s.new_opening(opening()).expect("opening");
    let f = s
        .add_file(o, "bulk.pdf", format!("bulk-{n}").as_bytes())
        .expect("add")
        .id();
    let recs: Vec<_> = (1..=n as u32).map(|i| page("bulk", i)).collect();
    let pages = s.save_pages(f, &recs).expect("pages");
    let nd: Vec<_> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| NewDraft {
            page_ids: vec![*p],
            data: draft_json(i),
        })
        .collect();
    let ids = s
        .save_drafts(DraftScope::File(f), &nd)
        .expect("drafts")
        .into_iter()
        .map(|o| o.id())
        .collect();
    (o, f, ids)
}

/// Serial numbers of one year, sorted.
pub fn numbers(s: &Store, year: i32) -> Vec<u32> {
    let mut v: Vec<u32> = s
        .journal_list(Some(year))
        .expect("list")
        .iter()
        .map(|e| e.serial.number)
        .collect();
    v.sort_unstable();
    v
}
