//! A small register with known counts, built through the store's public API.
//!
//! | serial    | registered | applicant | village (address)         | category | corr. | follow-up                                   | as of 10.07.2026 |
//! |-----------|------------|-----------|---------------------------|----------|-------|---------------------------------------------|------------------|
//! | 2025-0001 | 20.12.2025 | signed    | Манас                     | land     |       |                                             | (other year)     |
//! | 2026-0001 | 12.01.2026 | signed    | Көк-Жар айылы             | land     | yes   | Осмонов Б., 2 measures, reply 15.01 №01-12/5 | on time          |
//! | 2026-0002 | 14.01.2026 | signed    | Кок-Жар а. (same village) | land     |       | "Осмонов  Б.", reply 20.03                  | late             |
//! | 2026-0003 | 20.01.2026 | anonymous | —                         | water    |       |                                             | open, overdue    |
//! | 2026-0004 | 03.02.2026 | signed    | с. Ак-Суу                 | water    |       | "осмонов б."                                | open, overdue    |
//! | 2026-0005 | 17.02.2026 | signed    | Ак-Суу айылы              | roads    |       | closed today (after the deadline)           | late             |
//! | 2026-0006 | 02.03.2026 | anonymous | Көк-Жар айылы             | land     | yes   | Асанова А. at registration, reply 05.03     | on time          |
//! | 2026-0007 | 11.05.2026 | signed    | `<script>` (unknown)      | mystery  |       |                                             | open, overdue    |
//! | 2026-0008 | 29.06.2026 | signed    | Манас айылы               | land     | yes   | (hostile brief)                             | open, in time    |
//! | 2026-0009 | 06.07.2026 | signed    | Манас айылы               | roads    |       |                                             | (2026H2)         |

use crate::{HalfYear, Report, ReportOptions};
use chrono::{NaiveDate, NaiveDateTime};
use ishenim_page::PageRecord;
use ishenim_store::{ApprovedFields, DraftScope, EntryStatus, NewDraft, NewOpening, Store};

/// The brief of 2026-0008: what a hostile letter could carry.
pub const HOSTILE_BRIEF: &str = "<script>alert(\"x\")</script> & <img src=x onerror=alert(1)> пара";

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    day(y, m, d).and_hms_opt(10, 30, 0).expect("time")
}

fn page(n: u32) -> PageRecord {
    PageRecord::synthetic("box.pdf", n, &format!("box-{n}"), &format!("арыз {n}"))
}

struct Spec {
    at: NaiveDateTime,
    name: Option<&'static str>,
    address: Option<&'static str>,
    category: &'static str,
    corruption: bool,
    official: Option<&'static str>,
    brief: &'static str,
}

fn spec(
    at: NaiveDateTime,
    name: Option<&'static str>,
    address: Option<&'static str>,
    category: &'static str,
    corruption: bool,
) -> Spec {
    Spec {
        at,
        name,
        address,
        category,
        corruption,
        official: None,
        brief: "Жер тилкеси боюнча арыз",
    }
}

/// The register above in a temporary folder.
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The store.
    pub store: Store,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("data")).expect("open");
        let mut specs = vec![
            spec(
                at(2025, 12, 20),
                Some("Асанов"),
                Some("Манас айылы"),
                "land",
                false,
            ),
            spec(
                at(2026, 1, 12),
                Some("Бекова Айгүл"),
                Some("Көк-Жар айылы, Токтогул көчөсү 19"),
                "land",
                true,
            ),
            spec(
                at(2026, 1, 14),
                Some("Иванов П."),
                Some("Кок-Жар а., Ленин 4"),
                "land",
                false,
            ),
            spec(at(2026, 1, 20), None, None, "water", false),
            spec(
                at(2026, 2, 3),
                Some("Токтогулов"),
                Some("с. Ак-Суу, ул. Ленина 3"),
                "water",
                false,
            ),
            spec(
                at(2026, 2, 17),
                Some("Садыков"),
                Some("Ак-Суу айылы"),
                "roads",
                false,
            ),
            spec(at(2026, 3, 2), None, Some("Көк-Жар айылы"), "land", true),
            spec(
                at(2026, 5, 11),
                Some("Мамытов"),
                Some("<script>alert(1)</script>"),
                "mystery",
                false,
            ),
            spec(
                at(2026, 6, 29),
                Some("Жумабаев"),
                Some("Манас айылы"),
                "land",
                true,
            ),
            spec(
                at(2026, 7, 6),
                Some("Орозов"),
                Some("Манас айылы"),
                "roads",
                false,
            ),
        ];
        specs[6].official = Some("Асанова А.");
        specs[8].brief = HOSTILE_BRIEF;

        let opening = store
            .new_opening(NewOpening {
                opened_at: at(2025, 12, 19),
                members: vec!["Асанов Бакыт".into()],
                seal_removed: "1".into(),
                seal_applied: "2".into(),
                letters_found: specs.len() as u32,
                notes: String::new(),
            })
            .expect("opening");
        let file = store
            .add_file(opening, "box.pdf", b"report fixture")
            .expect("file")
            .id();
        let pages: Vec<PageRecord> = (1..=specs.len() as u32).map(page).collect();
        let page_ids = store.save_pages(file, &pages).expect("pages");
        let drafts: Vec<NewDraft> = page_ids
            .iter()
            .map(|p| NewDraft {
                page_ids: vec![*p],
                data: ishenim_store::LetterDraft::default(),
            })
            .collect();
        let saved = store
            .save_drafts(DraftScope::File(file), &drafts)
            .expect("drafts");
        let mut serials = Vec::new();
        for (s, d) in specs.iter().zip(&saved) {
            let f = ApprovedFields {
                applicant_name: s.name.map(str::to_string),
                anonymous: s.name.is_none(),
                address: s.address.map(str::to_string),
                phone: None,
                brief: s.brief.to_string(),
                category: s.category.to_string(),
                corruption: s.corruption,
                official: s.official.map(str::to_string),
            };
            serials.push(
                store
                    .approve_draft_at(d.id(), "reviewer", &f, s.at)
                    .expect("approve"),
            );
        }
        let s = &serials;
        let u = "clerk";
        store
            .assign_official(s[1], u, "Осмонов Б.")
            .expect("assign");
        store
            .record_measures(s[1], u, "Текшерүү дайындалды")
            .expect("measures");
        store
            .record_measures(s[1], u, "Эскертүү берилди")
            .expect("measures");
        store
            .record_reply(s[1], u, "01-12/5", day(2026, 1, 15))
            .expect("reply");
        store
            .assign_official(s[2], u, "Осмонов  Б.")
            .expect("assign");
        store
            .record_reply(s[2], u, "01-12/9", day(2026, 3, 20))
            .expect("reply");
        store
            .assign_official(s[4], u, "осмонов б.")
            .expect("assign");
        store
            .set_status(s[5], u, EntryStatus::Closed, Some("чечилди"))
            .expect("close");
        store
            .record_reply(s[6], u, "01-12/11", day(2026, 3, 5))
            .expect("reply");
        Fixture { _dir: dir, store }
    }

    /// The report of `half` as of `as_of`, built-in category labels.
    pub fn report(&self, half: &str, as_of: NaiveDate) -> Report {
        let half: HalfYear = half.parse().expect("half-year");
        Report::build(&self.store, half, &ReportOptions::new(as_of)).expect("report")
    }
}
