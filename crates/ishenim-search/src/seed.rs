//! Registering letters without scanning, through the store's public API: for tests, the
//! recall test and the benchmark (`examples/search_bench.rs`). Not used by the program.

use chrono::NaiveDateTime;
use ishenim_page::PageRecord;
use ishenim_store::{
    Applicant, ApprovedFields, Corruption, DraftId, DraftScope, LetterDraft, NewDraft, NewOpening,
    Serial, Store,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// A letter as a reviewer would approve it.
#[derive(Debug, Clone)]
pub struct SeedLetter {
    /// Text of each page (at least one).
    pub pages: Vec<String>,
    /// Registration fields.
    pub fields: ApprovedFields,
    /// Registration time (`None`: now, in one batch).
    pub at: Option<NaiveDateTime>,
}

fn page(n: u32, text: &str) -> PageRecord {
    PageRecord::synthetic("seed.pdf", n, &format!("seed-{n}"), text)
}

static BATCH: AtomicU64 = AtomicU64::new(0);

/// Stores the letters as one multi-page file of a new box opening at `opened_at` and saves
/// one pending draft per letter (with the fields in the draft's JSON, so
/// `ishenim drafts approve --all` takes them). Returns the draft ids in order.
pub fn add_drafts(
    store: &Store,
    opened_at: NaiveDateTime,
    letters: &[SeedLetter],
) -> ishenim_store::Result<Vec<DraftId>> {
    let o = store.new_opening(NewOpening {
        opened_at,
        members: vec!["Комиссия".into()],
        seal_removed: "1".into(),
        seal_applied: "2".into(),
        letters_found: letters.len() as u32,
        notes: String::new(),
    })?;
    let n = BATCH.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let bytes = format!("seed batch {n} {nanos} opening {o} {}", std::process::id());
    let f = store.add_file(o, "seed.pdf", bytes.as_bytes())?.id();
    let mut recs = Vec::new();
    for l in letters {
        for p in &l.pages {
            recs.push(page(recs.len() as u32 + 1, p));
        }
    }
    let ids = store.save_pages(f, &recs)?;
    let mut next = 0usize;
    let drafts: Vec<NewDraft> = letters
        .iter()
        .map(|l| {
            let page_ids = ids[next..next + l.pages.len()].to_vec();
            next += l.pages.len();
            let x = &l.fields;
            NewDraft {
                page_ids,
                data: LetterDraft {
                    applicant: Applicant {
                        name: x.applicant_name.clone(),
                        anonymous: x.anonymous,
                        co_signers: Vec::new(),
                    },
                    address: x.address.clone(),
                    phone: x.phone.clone(),
                    summary: x.brief.clone(),
                    category: x.category.clone(),
                    corruption: Corruption {
                        flag: x.corruption,
                        ..Corruption::default()
                    },
                    ..LetterDraft::default()
                },
            }
        })
        .collect();
    Ok(store
        .save_drafts(DraftScope::File(f), &drafts)?
        .into_iter()
        .map(|o| o.id())
        .collect())
}

/// [`add_drafts`], then approves every letter as `user` (at its `at` when given, one
/// transaction each; else all now in one transaction). Returns the serials in order.
pub fn register(
    store: &Store,
    opened_at: NaiveDateTime,
    letters: &[SeedLetter],
    user: &str,
) -> ishenim_store::Result<Vec<Serial>> {
    let ids = add_drafts(store, opened_at, letters)?;
    if letters.iter().all(|l| l.at.is_none()) {
        let items: Vec<(DraftId, ApprovedFields)> = ids
            .iter()
            .zip(letters)
            .map(|(id, l)| (*id, l.fields.clone()))
            .collect();
        return store.approve_drafts(&items, user)?.into_iter().collect();
    }
    ids.iter()
        .zip(letters)
        .map(|(id, l)| match l.at {
            Some(at) => store.approve_draft_at(*id, user, &l.fields, at),
            None => store.approve_draft(*id, user, &l.fields),
        })
        .collect()
}
