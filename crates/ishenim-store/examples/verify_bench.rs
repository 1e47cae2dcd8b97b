//! Store benchmark: builds a journal of N entries (default 100,000) in a temp dir through the
//! public API (bulk transactions), then times `verify`, a single approval round trip, and
//! storing a file with its pages.
//!
//! `cargo run --release -p ishenim-store --example verify_bench [-- N]`

use ishenim_page::PageRecord;
use ishenim_store::{ApprovedFields, DraftScope, NewDraft, NewOpening, Store};
use std::time::Instant;

fn page(n: u32) -> PageRecord {
    PageRecord {
        file: "bulk".into(),
        page: n,
        stem: format!("bulk-{n}"),
        blank: false,
        rotation: 0,
        skew_deg: 0.0,
        dpi: 300,
        lang: "kir+rus".into(),
        mean_conf: 88.0,
        text: "Урматтуу айыл өкмөтү, биздин көчөдөгү жолду оңдоп берүүңүздөрдү суранабыз.".into(),
        words: Vec::new(),
        timings_ms: Default::default(),
        size: [2480, 3508],
        warnings: Vec::new(),
        unread: Vec::new(),
        qr: Vec::new(),
    }
}

fn fields(i: usize) -> ApprovedFields {
    ApprovedFields {
        applicant_name: Some(format!("Асанов Бакыт {i}")),
        anonymous: false,
        address: Some("Ак-Суу айылы, Ленин көчөсү 12".into()),
        phone: Some("+996700123456".into()),
        brief: "Көчөдөгү жолду оңдоо боюнча суроо".into(),
        category: "roads".into(),
        corruption: false,
        official: None,
    }
}

/// Single approvals timed after the bulk build.
const ROUND_TRIPS: usize = 21;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let s = Store::open(dir.path())?;
    let o = s.new_opening(NewOpening {
        opened_at: chrono::Local::now().naive_local(),
        members: vec!["A".into(), "B".into()],
        seal_removed: "1".into(),
        seal_applied: "2".into(),
        letters_found: n as u32,
        notes: String::new(),
    })?;

    let t = Instant::now();
    let f = s.add_file(o, "bulk.pdf", b"bulk")?.id();
    let recs: Vec<_> = (1..=n as u32 + ROUND_TRIPS as u32).map(page).collect();
    let pages = s.save_pages(f, &recs)?;
    let drafts: Vec<_> = pages
        .iter()
        .map(|p| NewDraft {
            page_ids: vec![*p],
            data: ishenim_store::LetterDraft {
                summary: "x".into(),
                ..Default::default()
            },
        })
        .collect();
    let ids: Vec<_> = s
        .save_drafts(DraftScope::File(f), &drafts)?
        .into_iter()
        .map(|d| d.id())
        .collect();
    let items: Vec<_> = ids[..n]
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, fields(i)))
        .collect();
    let res = s.approve_drafts(&items, "bench")?;
    let ok = res.iter().filter(|r| r.is_ok()).count();
    println!("built {ok} entries in {:.2?}", t.elapsed());

    let t = Instant::now();
    let r = s.verify()?;
    println!(
        "verify: {} rows in {:.3?} (ok = {})",
        r.rows_checked,
        t.elapsed(),
        r.ok
    );

    let mut times = Vec::new();
    for (k, id) in ids[n..].iter().enumerate() {
        let t = Instant::now();
        s.approve_draft(*id, "bench", &fields(n + k))?;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "approval round trip over {} approvals: median {:.2?}, max {:.2?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() - 1]
    );

    // Storing one scanned file: blob + row, then its page record + status, then a draft.
    let bytes = vec![7u8; 2_000_000];
    let t = Instant::now();
    let f2 = s.add_file(o, "scan.jpg", &bytes)?.id();
    let p2 = s.save_pages(f2, &[page(1)])?;
    s.save_drafts(
        DraftScope::File(f2),
        &[NewDraft {
            page_ids: p2,
            data: ishenim_store::LetterDraft::default(),
        }],
    )?;
    println!(
        "store one 2 MB scan (file + page + draft): {:.2?}",
        t.elapsed()
    );
    Ok(())
}
