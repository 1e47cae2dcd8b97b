//! Letter drafts: saved idempotently, reviewed FIFO, regrouped, rejected (approval is in
//! `journal/approve.rs`).

use crate::journal::Serial;
use crate::users::audit_tx;
use crate::{
    fmt_ts, now, parse_ts, required, DraftId, FileId, OpeningId, PageId, Result, Store, StoreError,
};
use chrono::NaiveDateTime;
use ishenim_draft::LetterDraft;
use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A draft to save: the letter's pages in order and the draft crate's proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDraft {
    /// Pages of the letter in reading order (at least one).
    pub page_ids: Vec<PageId>,
    /// The draft crate's output, kept as JSON. The store copies the applicant's name and
    /// anonymity, address, phone, summary, category and corruption flag into columns of
    /// their own (for lists and approval) and keeps the rest as is.
    pub data: LetterDraft,
}

/// Which files a [`Store::save_drafts`] call covers (they are marked `drafted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftScope {
    /// One file (letters inside one multi-page file).
    File(FileId),
    /// All scanned files of an opening (letters grouped across a batch of single pages).
    Opening(OpeningId),
}

/// Result of saving one draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "draft", rename_all = "snake_case")]
pub enum SaveDraftOutcome {
    /// A new draft.
    New(DraftId),
    /// Its pages already belong to this draft (a re-run after a crash): nothing saved.
    Known(DraftId),
}

impl SaveDraftOutcome {
    /// The draft id either way.
    pub fn id(self) -> DraftId {
        match self {
            SaveDraftOutcome::New(id) | SaveDraftOutcome::Known(id) => id,
        }
    }
}

/// Review state of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    /// Waiting for a reviewer.
    Pending,
    /// Registered in the journal.
    Approved,
    /// Rejected (not an appeal, duplicate, ...), with a reason.
    Rejected,
    /// Emptied by a regroup; its pages moved to other drafts.
    Superseded,
}

impl DraftStatus {
    /// Every status, in the order the CLI lists them.
    pub const ALL: [DraftStatus; 4] = [
        DraftStatus::Pending,
        DraftStatus::Approved,
        DraftStatus::Rejected,
        DraftStatus::Superseded,
    ];

    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Pending => "pending",
            DraftStatus::Approved => "approved",
            DraftStatus::Rejected => "rejected",
            DraftStatus::Superseded => "superseded",
        }
    }

    /// The status from its database (and command-line) spelling.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => DraftStatus::Pending,
            "approved" => DraftStatus::Approved,
            "rejected" => DraftStatus::Rejected,
            "superseded" => DraftStatus::Superseded,
            _ => return Err(StoreError::Malformed(format!("draft status {s:?}"))),
        })
    }
}

/// Where a draft stands in the review queue (see [`Store::queue_position`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePosition {
    /// Drafts waiting.
    pub pending: u64,
    /// The oldest pending draft (the next to review).
    pub first: Option<DraftId>,
    /// The pending draft before the given one.
    pub prev: Option<DraftId>,
    /// The pending draft after the given one.
    pub next: Option<DraftId>,
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Id.
    pub id: DraftId,
    /// Opening the letter came from.
    pub opening_id: OpeningId,
    /// Pages in reading order.
    pub page_ids: Vec<PageId>,
    /// The draft as proposed (and re-drafted, with the reviewer's typed pages).
    pub data: LetterDraft,
    /// Applicant name read from `data`.
    pub applicant_name: Option<String>,
    /// Anonymous flag read from `data`.
    pub anonymous: bool,
    /// Phone read from `data`.
    pub phone: Option<String>,
    /// Category key read from `data`.
    pub category: Option<String>,
    /// Corruption flag read from `data`.
    pub corruption: bool,
    /// Review state.
    pub status: DraftStatus,
    /// When saved.
    pub created_at: NaiveDateTime,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// Rejection reason.
    pub reason: Option<String>,
    /// Serial of the journal entry, once approved.
    pub serial: Option<Serial>,
}

/// Columns the store copies out of a draft (empty text is no value).
pub(crate) struct Extracted {
    pub applicant_name: Option<String>,
    pub anonymous: bool,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub summary: Option<String>,
    pub category: Option<String>,
    pub corruption: bool,
}

fn some_text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub(crate) fn extract(d: &LetterDraft) -> Extracted {
    Extracted {
        applicant_name: some_text(d.applicant.name.as_deref()),
        anonymous: d.applicant.anonymous,
        address: some_text(d.address.as_deref()),
        phone: some_text(d.phone.as_deref()),
        summary: some_text(Some(&d.summary)),
        category: some_text(Some(&d.category)),
        corruption: d.corruption.flag,
    }
}

const SELECT: &str = "SELECT d.id, d.opening_id, d.data, d.applicant_name, d.anonymous, d.phone,
    d.category, d.corruption, d.status, d.created_at, d.decided_by, d.decided_at, d.reason,
    e.year, e.number
    FROM drafts d LEFT JOIN entries e ON e.draft_id = d.id";

struct RawDraft {
    d: Draft,
    data: String,
    status: String,
    created: String,
    decided: Option<String>,
    serial: Option<(i32, u32)>,
}

fn draft_row(r: &Row<'_>) -> rusqlite::Result<RawDraft> {
    let year: Option<i32> = r.get(13)?;
    let number: Option<u32> = r.get(14)?;
    Ok(RawDraft {
        d: Draft {
            id: DraftId(r.get(0)?),
            opening_id: OpeningId(r.get(1)?),
            page_ids: Vec::new(),
            data: LetterDraft::default(),
            applicant_name: r.get(3)?,
            anonymous: r.get(4)?,
            phone: r.get(5)?,
            category: r.get(6)?,
            corruption: r.get(7)?,
            status: DraftStatus::Pending,
            created_at: NaiveDateTime::default(),
            decided_by: r.get(10)?,
            decided_at: None,
            reason: r.get(12)?,
            serial: None,
        },
        data: r.get(2)?,
        status: r.get(8)?,
        created: r.get(9)?,
        decided: r.get(11)?,
        serial: year.zip(number),
    })
}

pub(crate) fn draft_pages(tx: &rusqlite::Connection, id: DraftId) -> Result<Vec<PageId>> {
    let mut st =
        tx.prepare_cached("SELECT page_id FROM draft_pages WHERE draft_id = ?1 ORDER BY ord")?;
    let ids = st
        .query_map([id.0], |r| r.get(0).map(PageId))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}

fn finish(c: &rusqlite::Connection, raw: RawDraft) -> Result<Draft> {
    let mut d = raw.d;
    d.data = LetterDraft::from_stored_json(&raw.data)?;
    d.status = DraftStatus::parse(&raw.status)?;
    d.created_at = parse_ts(&raw.created)?;
    d.decided_at = raw.decided.as_deref().map(parse_ts).transpose()?;
    d.serial = raw.serial.map(|(year, number)| Serial { year, number });
    d.page_ids = draft_pages(c, d.id)?;
    Ok(d)
}

pub(crate) fn load_draft(c: &rusqlite::Connection, id: DraftId) -> Result<Draft> {
    let raw = c
        .query_row(&format!("{SELECT} WHERE d.id = ?1"), [id.0], draft_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
    finish(c, raw)
}

fn insert_draft(
    tx: &Transaction<'_>,
    opening: OpeningId,
    pages: &[PageId],
    data: &LetterDraft,
) -> Result<DraftId> {
    let x = extract(data);
    tx.execute(
        "INSERT INTO drafts (opening_id, data, applicant_name, anonymous, phone, category,
            corruption, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
        params![
            opening.0,
            serde_json::to_string(data)?,
            x.applicant_name,
            x.anonymous,
            x.phone,
            x.category,
            x.corruption,
            fmt_ts(now())
        ],
    )?;
    let id = DraftId(tx.last_insert_rowid());
    let mut ins =
        tx.prepare_cached("INSERT INTO draft_pages (page_id, draft_id, ord) VALUES (?1, ?2, ?3)")?;
    for (i, p) in pages.iter().enumerate() {
        ins.execute(params![p.0, id.0, i as i64])?;
    }
    Ok(id)
}

fn pending_status(tx: &rusqlite::Connection, id: DraftId) -> Result<(OpeningId, DraftStatus)> {
    let (o, s): (i64, String) = tx
        .query_row(
            "SELECT opening_id, status FROM drafts WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
    Ok((OpeningId(o), DraftStatus::parse(&s)?))
}

impl Store {
    /// Save the drafts of `scope` and mark its scanned files `drafted`, all in one
    /// transaction. Idempotent: a draft any of whose pages already belongs to a draft is
    /// not saved again ([`SaveDraftOutcome::Known`] with that draft), so re-running an
    /// interrupted ingest never creates a letter twice. Pages must belong to the scope's
    /// opening, and a page may appear in only one of the given drafts.
    pub fn save_drafts(
        &self,
        scope: DraftScope,
        drafts: &[NewDraft],
    ) -> Result<Vec<SaveDraftOutcome>> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let opening = match scope {
            DraftScope::File(f) => OpeningId(
                tx.query_row("SELECT opening_id FROM files WHERE id = ?1", [f.0], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("file {f}")))?,
            ),
            DraftScope::Opening(o) => {
                let ok: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM openings WHERE id = ?1)",
                    [o.0],
                    |r| r.get(0),
                )?;
                if !ok {
                    return Err(StoreError::NotFound(format!("opening {o}")));
                }
                o
            }
        };
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(drafts.len());
        for d in drafts {
            if d.page_ids.is_empty() {
                return Err(StoreError::Invalid(
                    "a draft needs at least one page".into(),
                ));
            }
            let mut taken: Option<DraftId> = None;
            for p in &d.page_ids {
                if !seen.insert(*p) {
                    return Err(StoreError::Invalid(format!(
                        "page {p} is given in two drafts"
                    )));
                }
                let row: Option<(i64, Option<i64>)> = tx
                    .query_row(
                        "SELECT f.opening_id, dp.draft_id FROM pages p
                         JOIN files f ON f.id = p.file_id
                         LEFT JOIN draft_pages dp ON dp.page_id = p.id WHERE p.id = ?1",
                        [p.0],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let (o, in_draft) = row.ok_or_else(|| StoreError::NotFound(format!("page {p}")))?;
                if o != opening.0 {
                    return Err(StoreError::Invalid(format!(
                        "page {p} belongs to another opening"
                    )));
                }
                if taken.is_none() {
                    taken = in_draft.map(DraftId);
                }
            }
            match taken {
                Some(id) => out.push(SaveDraftOutcome::Known(id)),
                None => out.push(SaveDraftOutcome::New(insert_draft(
                    &tx,
                    opening,
                    &d.page_ids,
                    &d.data,
                )?)),
            }
        }
        let ts = fmt_ts(now());
        match scope {
            DraftScope::File(f) => tx.execute(
                "UPDATE files SET status = 'drafted', updated_at = ?2 WHERE id = ?1 AND status = 'scanned'",
                params![f.0, ts],
            )?,
            DraftScope::Opening(o) => tx.execute(
                "UPDATE files SET status = 'drafted', updated_at = ?2
                 WHERE opening_id = ?1 AND status = 'scanned'",
                params![o.0, ts],
            )?,
        };
        tx.commit()?;
        Ok(out)
    }

    /// One draft with its pages and JSON.
    pub fn get_draft(&self, id: DraftId) -> Result<Draft> {
        let c = self.conn()?;
        load_draft(&c, id)
    }

    /// Drafts waiting for review, oldest first (FIFO).
    pub fn pending_drafts(&self) -> Result<Vec<Draft>> {
        self.list_drafts(Some(DraftStatus::Pending))
    }

    /// The review queue's position: number of pending drafts and the ids of the pending
    /// drafts just before and after `at` (the first pending one when `at` is `None`).
    /// Cheap with any journal size: it reads ids only.
    pub fn queue_position(&self, at: Option<DraftId>) -> Result<QueuePosition> {
        let c = self.conn()?;
        let pending: i64 = c.query_row(
            "SELECT COUNT(*) FROM drafts WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?;
        let first = |sql: &str, p: i64| -> Result<Option<DraftId>> {
            Ok(c.prepare_cached(sql)?
                .query_row([p], |r| r.get::<_, i64>(0))
                .optional()?
                .map(DraftId))
        };
        let at_id = at.map(|d| d.0).unwrap_or(0);
        Ok(QueuePosition {
            pending: pending.max(0) as u64,
            first: first(
                "SELECT id FROM drafts WHERE status = 'pending' AND id >= ?1 ORDER BY id LIMIT 1",
                0,
            )?,
            prev: first(
                "SELECT id FROM drafts WHERE status = 'pending' AND id < ?1 ORDER BY id DESC LIMIT 1",
                at_id,
            )?,
            next: first(
                "SELECT id FROM drafts WHERE status = 'pending' AND id > ?1 ORDER BY id LIMIT 1",
                at_id,
            )?,
        })
    }

    /// Drafts with the given status (all when `None`), oldest first.
    pub fn list_drafts(&self, status: Option<DraftStatus>) -> Result<Vec<Draft>> {
        let c = self.conn()?;
        let raws: Vec<RawDraft> = match status {
            Some(s) => {
                let mut st = c.prepare(&format!("{SELECT} WHERE d.status = ?1 ORDER BY d.id"))?;
                let rows = st.query_map([s.as_str()], draft_row)?;
                rows.collect::<rusqlite::Result<_>>()?
            }
            None => {
                let mut st = c.prepare(&format!("{SELECT} ORDER BY d.id"))?;
                let rows = st.query_map([], draft_row)?;
                rows.collect::<rusqlite::Result<_>>()?
            }
        };
        raws.into_iter().map(|r| finish(&c, r)).collect()
    }

    /// Reject a pending draft (not an appeal, duplicate, unreadable, ...). Consumes no serial.
    pub fn reject_draft(&self, id: DraftId, user: &str, reason: &str) -> Result<()> {
        let user = required("user", user)?;
        let reason = required("rejection reason", reason)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, status) = pending_status(&tx, id)?;
        if status != DraftStatus::Pending {
            return Err(StoreError::Conflict(format!(
                "draft {id} is {}, not pending",
                status.as_str()
            )));
        }
        let ts = fmt_ts(now());
        tx.execute(
            "UPDATE drafts SET status = 'rejected', decided_by = ?2, decided_at = ?3, reason = ?4
             WHERE id = ?1",
            params![id.0, user, ts, reason],
        )?;
        audit_tx(&tx, &user, "reject", &format!("draft {id}"))?;
        tx.commit()?;
        Ok(())
    }

    /// Replace the JSON of a pending draft (e.g. after re-running the draft crate on a
    /// regrouped page set). The extracted columns follow.
    pub fn set_draft_data(&self, id: DraftId, data: &LetterDraft) -> Result<()> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, status) = pending_status(&tx, id)?;
        if status != DraftStatus::Pending {
            return Err(StoreError::Conflict(format!("draft {id} is not pending")));
        }
        let x = extract(data);
        tx.execute(
            "UPDATE drafts SET data = ?2, applicant_name = ?3, anonymous = ?4, phone = ?5,
                category = ?6, corruption = ?7 WHERE id = ?1",
            params![
                id.0,
                serde_json::to_string(data)?,
                x.applicant_name,
                x.anonymous,
                x.phone,
                x.category,
                x.corruption
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Regroup: move `pages` (each in a pending draft of one opening) to the end of
    /// `target` (a pending draft of the same opening), or to a new draft when `target` is
    /// `None`. Drafts left without pages become `superseded`. Returns the target draft.
    /// A new draft holds only where its pages came from (`regrouped_from`): re-draft it with
    /// [`Store::set_draft_data`].
    pub fn move_pages(
        &self,
        pages: &[PageId],
        target: Option<DraftId>,
        user: &str,
    ) -> Result<DraftId> {
        let user = required("user", user)?;
        if pages.is_empty() {
            return Err(StoreError::Invalid("no pages to move".into()));
        }
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut sources: Vec<DraftId> = Vec::new();
        let mut opening: Option<OpeningId> = None;
        let mut uniq = HashSet::new();
        for p in pages {
            if !uniq.insert(*p) {
                return Err(StoreError::Invalid(format!("page {p} given twice")));
            }
            let d: i64 = tx
                .query_row(
                    "SELECT draft_id FROM draft_pages WHERE page_id = ?1",
                    [p.0],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("page {p} in a draft")))?;
            let d = DraftId(d);
            let (o, s) = pending_status(&tx, d)?;
            if s != DraftStatus::Pending {
                return Err(StoreError::Conflict(format!(
                    "page {p} belongs to draft {d}, which is {}",
                    s.as_str()
                )));
            }
            if opening.is_some_and(|x| x != o) {
                return Err(StoreError::Invalid(
                    "pages come from different openings".into(),
                ));
            }
            opening = Some(o);
            if !sources.contains(&d) {
                sources.push(d);
            }
        }
        let opening = opening.ok_or_else(|| StoreError::Invalid("no pages to move".into()))?;
        let target = match target {
            Some(t) => {
                let (o, s) = pending_status(&tx, t)?;
                if s != DraftStatus::Pending || o != opening {
                    return Err(StoreError::Conflict(format!(
                        "draft {t} is not a pending draft of opening {opening}"
                    )));
                }
                t
            }
            None => {
                let data = LetterDraft {
                    regrouped_from: sources.iter().map(|d| d.0).collect(),
                    ..LetterDraft::default()
                };
                let x = extract(&data);
                tx.execute(
                    "INSERT INTO drafts (opening_id, data, anonymous, corruption, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
                    params![opening.0, serde_json::to_string(&data)?, x.anonymous, x.corruption, fmt_ts(now())],
                )?;
                DraftId(tx.last_insert_rowid())
            }
        };
        let start: i64 = tx.query_row(
            "SELECT COALESCE(MAX(ord), -1) + 1 FROM draft_pages WHERE draft_id = ?1",
            [target.0],
            |r| r.get(0),
        )?;
        for (ord, p) in (start..).zip(pages) {
            tx.execute(
                "UPDATE draft_pages SET draft_id = ?2, ord = ?3 WHERE page_id = ?1",
                params![p.0, target.0, ord],
            )?;
        }
        for d in &sources {
            if *d == target {
                continue;
            }
            let left: i64 = tx.query_row(
                "SELECT COUNT(*) FROM draft_pages WHERE draft_id = ?1",
                [d.0],
                |r| r.get(0),
            )?;
            if left == 0 {
                tx.execute(
                    "UPDATE drafts SET status = 'superseded' WHERE id = ?1",
                    [d.0],
                )?;
            }
        }
        audit_tx(&tx, &user, "regroup", &format!("draft {target}"))?;
        tx.commit()?;
        Ok(target)
    }

    /// Split a pending draft: `at` and every page after it go to a new draft (returned).
    pub fn split_draft(&self, draft: DraftId, at: PageId, user: &str) -> Result<DraftId> {
        let d = self.get_draft(draft)?;
        let pos = d
            .page_ids
            .iter()
            .position(|p| *p == at)
            .ok_or_else(|| StoreError::Invalid(format!("page {at} is not in draft {draft}")))?;
        if pos == 0 {
            return Err(StoreError::Invalid(
                "cannot split before the first page".into(),
            ));
        }
        self.move_pages(&d.page_ids[pos..], None, user)
    }

    /// Merge `from` into `into` (pages of `from` appended); `from` becomes superseded.
    pub fn merge_drafts(&self, into: DraftId, from: DraftId, user: &str) -> Result<DraftId> {
        if into == from {
            return Err(StoreError::Invalid(
                "cannot merge a draft into itself".into(),
            ));
        }
        let d = self.get_draft(from)?;
        self.move_pages(&d.page_ids, Some(into), user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::page;
    use crate::openings::sample_opening;
    use crate::testutil::store;
    use serde_json::json;

    fn setup(s: &Store, pages: u32) -> (OpeningId, FileId, Vec<PageId>) {
        let o = s.new_opening(sample_opening()).unwrap();
        let f = s.add_file(o, "batch.pdf", b"batch").unwrap().id();
        let recs: Vec<_> = (1..=pages).map(|i| page("batch", i, "текст")).collect();
        let ids = s.save_pages(f, &recs).unwrap();
        (o, f, ids)
    }

    #[test]
    fn every_draft_status_parses_back_from_its_spelling() {
        for st in DraftStatus::ALL {
            assert_eq!(DraftStatus::parse(st.as_str()).ok(), Some(st));
        }
        assert!(DraftStatus::parse("all").is_err());
    }

    #[test]
    fn save_is_idempotent_and_marks_drafted() {
        let (_d, s) = store();
        let (_o, f, p) = setup(&s, 4);
        let data = LetterDraft::from_stored(
            json!({"applicant": {"name": "Асанов Бакыт", "anonymous": false},
            "phone": "+996700123456", "category": "land", "corruption": {"flag": true}}),
        );
        let drafts = vec![
            NewDraft {
                page_ids: vec![p[0], p[1]],
                data: data.clone(),
            },
            NewDraft {
                page_ids: vec![p[2], p[3]],
                data: LetterDraft::default(),
            },
        ];
        let first = s.save_drafts(DraftScope::File(f), &drafts).unwrap();
        assert!(matches!(first[0], SaveDraftOutcome::New(_)));
        let again = s.save_drafts(DraftScope::File(f), &drafts).unwrap();
        assert_eq!(
            again,
            vec![
                SaveDraftOutcome::Known(first[0].id()),
                SaveDraftOutcome::Known(first[1].id())
            ]
        );
        assert_eq!(s.pending_drafts().unwrap().len(), 2);
        let d = s.get_draft(first[0].id()).unwrap();
        assert_eq!(d.applicant_name.as_deref(), Some("Асанов Бакыт"));
        assert!(d.corruption);
        assert_eq!(d.category.as_deref(), Some("land"));
        assert_eq!(d.page_ids, vec![p[0], p[1]]);
        assert_eq!(s.get_file(f).unwrap().status, crate::FileStatus::Drafted);
        let dup = vec![NewDraft {
            page_ids: vec![p[0], p[0]],
            data: LetterDraft::default(),
        }];
        assert!(matches!(
            s.save_drafts(DraftScope::File(f), &dup),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn regroup_split_merge_reject() {
        let (_d, s) = store();
        let (o, _f, p) = setup(&s, 4);
        let out = s
            .save_drafts(
                DraftScope::Opening(o),
                &[NewDraft {
                    page_ids: p.clone(),
                    data: LetterDraft::default(),
                }],
            )
            .unwrap();
        let a = out[0].id();
        let b = s.split_draft(a, p[2], "reviewer").unwrap();
        assert_eq!(s.get_draft(a).unwrap().page_ids, vec![p[0], p[1]]);
        assert_eq!(s.get_draft(b).unwrap().page_ids, vec![p[2], p[3]]);
        assert!(s.split_draft(a, p[0], "reviewer").is_err());
        s.merge_drafts(a, b, "reviewer").unwrap();
        assert_eq!(s.get_draft(a).unwrap().page_ids, p);
        assert_eq!(s.get_draft(b).unwrap().status, DraftStatus::Superseded);
        s.reject_draft(a, "reviewer", "not an appeal").unwrap();
        assert!(matches!(
            s.reject_draft(a, "reviewer", "again"),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.move_pages(&[p[0]], None, "reviewer"),
            Err(StoreError::Conflict(_))
        ));
        assert!(s.pending_drafts().unwrap().is_empty());
        let d = s.get_draft(a).unwrap();
        assert_eq!(d.status, DraftStatus::Rejected);
        assert_eq!(d.reason.as_deref(), Some("not an appeal"));
    }
}
