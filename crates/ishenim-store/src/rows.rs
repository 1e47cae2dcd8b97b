//! One struct per chained journal row (entry, amendment, event). Each owns its column list
//! in chain order and names every value it writes, so the hash, the `INSERT` and the
//! verifier cannot drift apart: [`append`] refuses a row whose names are not its list.
//! The lists are chain encoding version 1: never reorder them (registers already hashed
//! with them would no longer verify); a new column means a new `chain_v`.

use crate::chain::{hash_new, tip, Kind, CHAIN_V};
use crate::journal::ApprovedFields;
use crate::{Result, StoreError};
use rusqlite::types::Value;
use rusqlite::{Row, Transaction};

/// A row of a chained table.
pub(crate) trait Chained: Sized {
    /// Which part of the chain it is.
    const KIND: Kind;
    /// Its table.
    const TABLE: &'static str;
    /// Columns hashed, in order: `id`, `seq`, the row's own columns, `chain_v` (never `hash`).
    const COLS: &'static [&'static str];
    /// The row's own columns (those between `seq` and `chain_v`), named, in order.
    fn named(&self) -> Vec<(&'static str, Value)>;
    /// Reads the row's own columns back by name, from a row of [`select`].
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self>;
}

/// A chained row as read back: its place in the chain, its hash and the record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored<R> {
    pub id: i64,
    pub seq: i64,
    pub hash: Vec<u8>,
    pub record: R,
}

/// `SELECT id, seq, <the row's own columns>, hash FROM <table>`, from the struct's own
/// list, so that a reader cannot restate the columns; add `WHERE …` after it.
pub(crate) fn select<R: Chained>() -> String {
    format!(
        "SELECT {}, hash FROM {}",
        R::COLS[..R::COLS.len() - 1].join(", "),
        R::TABLE
    )
}

/// A row of [`select`] as its struct.
pub(crate) fn read<R: Chained>(r: &Row<'_>) -> rusqlite::Result<Stored<R>> {
    Ok(Stored {
        id: r.get("id")?,
        seq: r.get("seq")?,
        hash: r.get("hash")?,
        record: R::from_row(r)?,
    })
}

/// Appends a chained row: takes the next `seq` and `id`, hashes the values after the
/// chain's tip and inserts them with the hash. Returns `(id, seq)`.
pub(crate) fn append<R: Chained>(tx: &Transaction<'_>, row: &R) -> Result<(i64, i64)> {
    let named = row.named();
    let own = &R::COLS[2..R::COLS.len() - 1];
    if named.len() != own.len() || named.iter().zip(own).any(|((n, _), c)| n != c) {
        return Err(StoreError::Malformed(format!(
            "{}: the row's columns are not the chained list",
            R::TABLE
        )));
    }
    let (last_seq, prev) = tip(tx)?;
    let seq = last_seq + 1;
    let id: i64 = tx.query_row(
        &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", R::TABLE),
        [],
        |r| r.get(0),
    )?;
    let mut values = Vec::with_capacity(R::COLS.len() + 1);
    values.push(Value::Integer(id));
    values.push(Value::Integer(seq));
    values.extend(named.into_iter().map(|(_, v)| v));
    values.push(Value::Integer(CHAIN_V));
    let hash = hash_new(R::KIND, &prev, &values);
    values.push(Value::Blob(hash.to_vec()));
    let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}, hash) VALUES ({})",
        R::TABLE,
        R::COLS.join(", "),
        placeholders.join(", ")
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values.iter()))?;
    Ok((id, seq))
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt(s: Option<String>) -> Value {
    s.map(Value::Text).unwrap_or(Value::Null)
}

/// A journal entry as registered (dates and times already in their stored spelling).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EntryRecord {
    pub year: i32,
    pub number: i64,
    pub registered_at: String,
    pub box_date: String,
    pub opening_id: i64,
    pub draft_id: i64,
    /// The page ids as a JSON array.
    pub page_ids: String,
    /// The registration fields the reviewer confirmed (one struct, not a restatement).
    pub fields: ApprovedFields,
    pub registration_due: String,
    pub deadline: String,
    pub approved_by: String,
}

impl Chained for EntryRecord {
    const KIND: Kind = Kind::Entry;
    const TABLE: &'static str = "entries";
    const COLS: &'static [&'static str] = &[
        "id",
        "seq",
        "year",
        "number",
        "registered_at",
        "box_date",
        "opening_id",
        "draft_id",
        "page_ids",
        "applicant_name",
        "anonymous",
        "address",
        "phone",
        "brief",
        "category",
        "corruption",
        "official",
        "registration_due",
        "deadline",
        "approved_by",
        "chain_v",
    ];

    fn named(&self) -> Vec<(&'static str, Value)> {
        let e = self;
        let f = &e.fields;
        vec![
            ("year", Value::Integer(i64::from(e.year))),
            ("number", Value::Integer(e.number)),
            ("registered_at", text(&e.registered_at)),
            ("box_date", text(&e.box_date)),
            ("opening_id", Value::Integer(e.opening_id)),
            ("draft_id", Value::Integer(e.draft_id)),
            ("page_ids", text(&e.page_ids)),
            ("applicant_name", opt(f.applicant_name.clone())),
            ("anonymous", Value::Integer(i64::from(f.anonymous))),
            ("address", opt(f.address.clone())),
            ("phone", opt(f.phone.clone())),
            ("brief", text(&f.brief)),
            ("category", text(&f.category)),
            ("corruption", Value::Integer(i64::from(f.corruption))),
            ("official", opt(f.official.clone())),
            ("registration_due", text(&e.registration_due)),
            ("deadline", text(&e.deadline)),
            ("approved_by", text(&e.approved_by)),
        ]
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(EntryRecord {
            year: r.get("year")?,
            number: r.get("number")?,
            registered_at: r.get("registered_at")?,
            box_date: r.get("box_date")?,
            opening_id: r.get("opening_id")?,
            draft_id: r.get("draft_id")?,
            page_ids: r.get("page_ids")?,
            fields: ApprovedFields {
                applicant_name: r.get("applicant_name")?,
                anonymous: r.get("anonymous")?,
                address: r.get("address")?,
                phone: r.get("phone")?,
                brief: r.get("brief")?,
                category: r.get("category")?,
                corruption: r.get("corruption")?,
                official: r.get("official")?,
            },
            registration_due: r.get("registration_due")?,
            deadline: r.get("deadline")?,
            approved_by: r.get("approved_by")?,
        })
    }
}

/// A correction of a registration field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AmendmentRecord {
    pub entry_id: i64,
    pub at: String,
    pub user: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: String,
}

impl Chained for AmendmentRecord {
    const KIND: Kind = Kind::Amendment;
    const TABLE: &'static str = "amendments";
    const COLS: &'static [&'static str] = &[
        "id",
        "seq",
        "entry_id",
        "at",
        "user",
        "field",
        "old_value",
        "new_value",
        "reason",
        "chain_v",
    ];

    fn named(&self) -> Vec<(&'static str, Value)> {
        let a = self;
        vec![
            ("entry_id", Value::Integer(a.entry_id)),
            ("at", text(&a.at)),
            ("user", text(&a.user)),
            ("field", text(&a.field)),
            ("old_value", opt(a.old_value.clone())),
            ("new_value", opt(a.new_value.clone())),
            ("reason", text(&a.reason)),
        ]
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(AmendmentRecord {
            entry_id: r.get("entry_id")?,
            at: r.get("at")?,
            user: r.get("user")?,
            field: r.get("field")?,
            old_value: r.get("old_value")?,
            new_value: r.get("new_value")?,
            reason: r.get("reason")?,
        })
    }
}

/// A follow-up event (assignment, measures, reply, status, extension).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventRecord {
    pub entry_id: i64,
    pub at: String,
    pub user: String,
    pub kind: String,
    pub official: Option<String>,
    pub measures: Option<String>,
    pub reply_no: Option<String>,
    pub reply_date: Option<String>,
    pub status: Option<String>,
    pub deadline: Option<String>,
    pub reason: Option<String>,
}

impl Chained for EventRecord {
    const KIND: Kind = Kind::Event;
    const TABLE: &'static str = "events";
    const COLS: &'static [&'static str] = &[
        "id",
        "seq",
        "entry_id",
        "at",
        "user",
        "kind",
        "official",
        "measures",
        "reply_no",
        "reply_date",
        "status",
        "deadline",
        "reason",
        "chain_v",
    ];

    fn named(&self) -> Vec<(&'static str, Value)> {
        let e = self;
        vec![
            ("entry_id", Value::Integer(e.entry_id)),
            ("at", text(&e.at)),
            ("user", text(&e.user)),
            ("kind", text(&e.kind)),
            ("official", opt(e.official.clone())),
            ("measures", opt(e.measures.clone())),
            ("reply_no", opt(e.reply_no.clone())),
            ("reply_date", opt(e.reply_date.clone())),
            ("status", opt(e.status.clone())),
            ("deadline", opt(e.deadline.clone())),
            ("reason", opt(e.reason.clone())),
        ]
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(EventRecord {
            entry_id: r.get("entry_id")?,
            at: r.get("at")?,
            user: r.get("user")?,
            kind: r.get("kind")?,
            official: r.get("official")?,
            measures: r.get("measures")?,
            reply_no: r.get("reply_no")?,
            reply_date: r.get("reply_date")?,
            status: r.get("status")?,
            deadline: r.get("deadline")?,
            reason: r.get("reason")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::{drafts, fields};
    use crate::testutil::store;

    fn own<R: Chained>(r: &R) -> (Vec<&'static str>, &'static [&'static str]) {
        let names = r.named().into_iter().map(|(n, _)| n).collect();
        (names, &R::COLS[2..R::COLS.len() - 1])
    }

    fn entry(opening_id: i64, draft_id: i64) -> EntryRecord {
        EntryRecord {
            year: 2026,
            number: 1,
            registered_at: "2026-03-02T09:00:00".into(),
            box_date: "2026-03-01".into(),
            opening_id,
            draft_id,
            page_ids: "[1]".into(),
            fields: ApprovedFields {
                official: Some("Бекова".into()),
                ..fields("Асанов")
            },
            registration_due: "2026-03-04".into(),
            deadline: "2026-03-16".into(),
            approved_by: "reviewer".into(),
        }
    }

    fn amendment(entry_id: i64) -> AmendmentRecord {
        AmendmentRecord {
            entry_id,
            at: "2026-03-03T10:00:00".into(),
            user: "reviewer".into(),
            field: "phone".into(),
            old_value: None,
            new_value: Some("+996555000000".into()),
            reason: "typo".into(),
        }
    }

    fn event(entry_id: i64) -> EventRecord {
        EventRecord {
            entry_id,
            at: "2026-03-04T11:00:00".into(),
            user: "clerk".into(),
            kind: "reply".into(),
            official: None,
            measures: Some("checked".into()),
            reply_no: Some("01-12/5".into()),
            reply_date: Some("2026-03-04".into()),
            status: Some("answered".into()),
            deadline: None,
            reason: Some("why".into()),
        }
    }

    #[test]
    fn every_row_names_exactly_its_chained_columns() {
        let (names, cols) = own(&entry(1, 1));
        assert_eq!(names, cols);
        let (names, cols) = own(&amendment(1));
        assert_eq!(names, cols);
        let (names, cols) = own(&event(1));
        assert_eq!(names, cols);
    }

    /// Reads back the one row of `R` at `id`.
    fn stored<R: Chained>(c: &rusqlite::Connection, id: i64) -> Stored<R> {
        c.query_row(&format!("{} WHERE id = ?1", select::<R>()), [id], read::<R>)
            .expect("row")
    }

    #[test]
    fn every_row_reads_back_as_it_was_written() {
        let (_d, s) = store();
        let draft = drafts(&s, 1)[0];
        let mut c = s.conn().expect("conn");
        let opening: i64 = c
            .query_row(
                "SELECT opening_id FROM drafts WHERE id = ?1",
                [draft.0],
                |r| r.get(0),
            )
            .expect("opening");
        let tx = c.transaction().expect("tx");
        let e = entry(opening, draft.0);
        let (eid, eseq) = append(&tx, &e).expect("entry");
        let (aid, aseq) = append(&tx, &amendment(eid)).expect("amendment");
        let (vid, vseq) = append(&tx, &event(eid)).expect("event");
        tx.commit().expect("commit");

        let back = stored::<EntryRecord>(&c, eid);
        assert_eq!((back.id, back.seq, back.record), (eid, eseq, e));
        assert_eq!(back.hash.len(), 32);
        let back = stored::<AmendmentRecord>(&c, aid);
        assert_eq!(
            (back.id, back.seq, back.record),
            (aid, aseq, amendment(eid))
        );
        let back = stored::<EventRecord>(&c, vid);
        assert_eq!((back.id, back.seq, back.record), (vid, vseq, event(eid)));
        drop(c);
        let report = s.verify().expect("verify");
        assert!(report.ok && report.rows_checked == 3, "{report:?}");
    }
}
