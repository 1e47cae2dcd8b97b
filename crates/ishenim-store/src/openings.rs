//! Box openings: the opening protocol ("act of opening") and the journal of box openings.

use crate::{fmt_ts, now, parse_ts, required, OpeningId, Result, Store, StoreError};
use chrono::NaiveDateTime;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// Data of a new box opening (what the commission writes in the opening act).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewOpening {
    /// Date and time the box was opened (local time).
    pub opened_at: NaiveDateTime,
    /// Commission members present (at least one).
    pub members: Vec<String>,
    /// Number of the seal removed.
    pub seal_removed: String,
    /// Number of the new seal applied.
    pub seal_applied: String,
    /// Number of letters found in the box.
    pub letters_found: u32,
    /// Free notes of the commission.
    pub notes: String,
}

/// A stored box opening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    /// Its id (printed by `ishenim opening new`).
    pub id: OpeningId,
    /// Date and time the box was opened.
    pub opened_at: NaiveDateTime,
    /// Commission members present.
    pub members: Vec<String>,
    /// Seal removed.
    pub seal_removed: String,
    /// Seal applied.
    pub seal_applied: String,
    /// Letters found.
    pub letters_found: u32,
    /// Notes.
    pub notes: String,
    /// When the record was created.
    pub created_at: NaiveDateTime,
    /// Files stored for this opening (all statuses).
    pub files: u32,
    /// Drafts made from this opening (all statuses).
    pub drafts: u32,
    /// Journal entries registered from this opening.
    pub entries: u32,
}

const SELECT: &str = "SELECT o.id, o.opened_at, o.members, o.seal_removed, o.seal_applied,
    o.letters_found, o.notes, o.created_at,
    (SELECT COUNT(*) FROM files f WHERE f.opening_id = o.id),
    (SELECT COUNT(*) FROM drafts d WHERE d.opening_id = o.id),
    (SELECT COUNT(*) FROM entries e WHERE e.opening_id = o.id)
    FROM openings o";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Opening, String, String, String)> {
    Ok((
        Opening {
            id: OpeningId(r.get(0)?),
            opened_at: NaiveDateTime::default(),
            members: Vec::new(),
            seal_removed: r.get(3)?,
            seal_applied: r.get(4)?,
            letters_found: r.get(5)?,
            notes: r.get(6)?,
            created_at: NaiveDateTime::default(),
            files: r.get(8)?,
            drafts: r.get(9)?,
            entries: r.get(10)?,
        },
        r.get(1)?,
        r.get(2)?,
        r.get(7)?,
    ))
}

fn finish(t: (Opening, String, String, String)) -> Result<Opening> {
    let (mut o, opened, members, created) = t;
    o.opened_at = parse_ts(&opened)?;
    o.created_at = parse_ts(&created)?;
    o.members = serde_json::from_str(&members)?;
    Ok(o)
}

impl Store {
    /// Record a box opening; returns its id. Members, seal numbers must not be empty.
    pub fn new_opening(&self, o: NewOpening) -> Result<OpeningId> {
        let members: Vec<String> = o
            .members
            .iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        if members.is_empty() {
            return Err(StoreError::Invalid(
                "at least one commission member is required".into(),
            ));
        }
        let seal_removed = required("seal removed", &o.seal_removed)?;
        let seal_applied = required("seal applied", &o.seal_applied)?;
        let c = self.conn()?;
        c.execute(
            "INSERT INTO openings (opened_at, members, seal_removed, seal_applied, letters_found,
                notes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                fmt_ts(o.opened_at),
                serde_json::to_string(&members)?,
                seal_removed,
                seal_applied,
                o.letters_found,
                o.notes.trim(),
                fmt_ts(now())
            ],
        )?;
        Ok(OpeningId(c.last_insert_rowid()))
    }

    /// One opening, with counts of its files, drafts and entries.
    pub fn get_opening(&self, id: OpeningId) -> Result<Opening> {
        let c = self.conn()?;
        let t = c
            .query_row(&format!("{SELECT} WHERE o.id = ?1"), [id.0], from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("opening {id}")))?;
        finish(t)
    }

    /// All openings, oldest first (the journal of box openings).
    pub fn list_openings(&self) -> Result<Vec<Opening>> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!("{SELECT} ORDER BY o.id"))?;
        let rows = st.query_map([], from_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(finish(r?)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) fn sample_opening() -> NewOpening {
    NewOpening {
        opened_at: chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default(),
        members: vec!["Асанов А.".into(), "Бекова Б.".into()],
        seal_removed: "0041".into(),
        seal_applied: "0042".into(),
        letters_found: 3,
        notes: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::store;

    #[test]
    fn create_get_list() {
        let (_d, s) = store();
        let id = s.new_opening(sample_opening()).unwrap();
        let o = s.get_opening(id).unwrap();
        assert_eq!(o.members.len(), 2);
        assert_eq!(o.seal_applied, "0042");
        assert_eq!(o.files, 0);
        assert_eq!(s.list_openings().unwrap().len(), 1);
        assert!(matches!(
            s.get_opening(OpeningId(99)),
            Err(StoreError::NotFound(_))
        ));
        let mut bad = sample_opening();
        bad.members = vec![" ".into()];
        assert!(matches!(s.new_opening(bad), Err(StoreError::Invalid(_))));
    }
}
