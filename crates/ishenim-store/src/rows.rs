//! One struct per chained journal row (entry, amendment, event). Each owns its column list
//! in chain order and names every value it writes, so the hash, the `INSERT` and the
//! verifier cannot drift apart: [`append`] refuses a row whose names are not its list.
//! The lists are chain encoding version 1: never reorder them (registers already hashed
//! with them would no longer verify); a new column means a new `chain_v`.

use crate::chain::{hash_new, tip, Kind, CHAIN_V};
use crate::journal::ApprovedFields;
use crate::{Result, StoreError};
use rusqlite::types::Value;
use rusqlite::Transaction;

/// A row of a chained table.
pub(crate) trait Chained {
    /// Which part of the chain it is.
    const KIND: Kind;
    /// Its table.
    const TABLE: &'static str;
    /// Columns hashed, in order: `id`, `seq`, the row's own columns, `chain_v` (never `hash`).
    const COLS: &'static [&'static str];
    /// The row's own columns (those between `seq` and `chain_v`), named, in order.
    fn named(&self) -> Vec<(&'static str, Value)>;
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
}

/// A correction of a registration field.
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
}

/// A follow-up event (assignment, measures, reply, status, extension).
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own<R: Chained>(r: &R) -> (Vec<&'static str>, &'static [&'static str]) {
        let names = r.named().into_iter().map(|(n, _)| n).collect();
        (names, &R::COLS[2..R::COLS.len() - 1])
    }

    #[test]
    fn every_row_names_exactly_its_chained_columns() {
        let e = EntryRecord {
            year: 2026,
            number: 1,
            registered_at: String::new(),
            box_date: String::new(),
            opening_id: 1,
            draft_id: 1,
            page_ids: "[]".into(),
            fields: ApprovedFields {
                applicant_name: None,
                anonymous: true,
                address: None,
                phone: None,
                brief: String::new(),
                category: String::new(),
                corruption: false,
                official: None,
            },
            registration_due: String::new(),
            deadline: String::new(),
            approved_by: String::new(),
        };
        let (names, cols) = own(&e);
        assert_eq!(names, cols);
        let a = AmendmentRecord {
            entry_id: 1,
            at: String::new(),
            user: String::new(),
            field: String::new(),
            old_value: None,
            new_value: None,
            reason: String::new(),
        };
        let (names, cols) = own(&a);
        assert_eq!(names, cols);
        let v = EventRecord {
            entry_id: 1,
            at: String::new(),
            user: String::new(),
            kind: String::new(),
            official: None,
            measures: None,
            reply_no: None,
            reply_date: None,
            status: None,
            deadline: None,
            reason: None,
        };
        let (names, cols) = own(&v);
        assert_eq!(names, cols);
    }
}
