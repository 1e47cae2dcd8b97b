//! Redaction boxes a reviewer chose for an entry's pages (issue 18): the set a redacted
//! copy blacks out instead of the automatic boxes from the draft's field spans.
//!
//! Every save is a new row (who, when, which boxes) and is audited in the same
//! transaction; the newest row of a page wins, and a row without boxes puts the page back
//! on the automatic boxes. Boxes are checked here, so every caller (web, CLI) gets the
//! same limits: inside the page, at least [`MIN_BOX_SIDE`] pixels a side, at most
//! [`MAX_BOXES_PER_PAGE`] a page.

use crate::journal::entry_id_of;
use crate::users::audit_tx;
use crate::{fmt_ts, now, parse_ts, required, PageId, Result, Serial, Store, StoreError};
use chrono::NaiveDateTime;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;

/// A box `[x0, y0, x1, y1]` in pixels of the stored original (x1, y1 exclusive).
pub type RedactionBox = [u32; 4];

/// Smallest side of a box in pixels (a smaller box hides nothing readable and is most
/// likely a click that was meant as a drag).
pub const MIN_BOX_SIDE: u32 = 4;
/// Most boxes on one page (the automatic ones of a letter are a few dozen at most).
pub const MAX_BOXES_PER_PAGE: usize = 200;

/// Why a set of boxes was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BoxFault {
    /// A box reaches outside the page, or its corners are swapped.
    #[error("a box is outside the page")]
    Outside,
    /// A box is smaller than [`MIN_BOX_SIDE`] on a side.
    #[error("a box is smaller than {MIN_BOX_SIDE} pixels")]
    TooSmall,
    /// More than [`MAX_BOXES_PER_PAGE`] boxes.
    #[error("more than {MAX_BOXES_PER_PAGE} boxes on a page")]
    TooMany,
    /// The page is not one of the entry's pages.
    #[error("the page is not a page of this entry")]
    NotThisEntry,
}

impl BoxFault {
    /// Short stable name (message keys of the web).
    pub fn key(self) -> &'static str {
        match self {
            BoxFault::Outside => "outside",
            BoxFault::TooSmall => "too_small",
            BoxFault::TooMany => "too_many",
            BoxFault::NotThisEntry => "not_this_entry",
        }
    }
}

/// Checks `boxes` against a page of `size` (width, height in pixels).
pub fn check_boxes(size: [u32; 2], boxes: &[RedactionBox]) -> std::result::Result<(), BoxFault> {
    if boxes.len() > MAX_BOXES_PER_PAGE {
        return Err(BoxFault::TooMany);
    }
    for b in boxes {
        if b[0] >= b[2] || b[1] >= b[3] || b[2] > size[0] || b[3] > size[1] {
            return Err(BoxFault::Outside);
        }
        if b[2] - b[0] < MIN_BOX_SIDE || b[3] - b[1] < MIN_BOX_SIDE {
            return Err(BoxFault::TooSmall);
        }
    }
    Ok(())
}

/// The reviewer's set of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedBoxes {
    /// The boxes to black out.
    pub boxes: Vec<RedactionBox>,
    /// Who saved them.
    pub saved_by: String,
    /// When.
    pub saved_at: NaiveDateTime,
}

impl From<BoxFault> for StoreError {
    fn from(f: BoxFault) -> StoreError {
        StoreError::Invalid(f.to_string())
    }
}

impl Store {
    /// Saves the reviewer's boxes of `page` of entry `serial` (`None`: back to the
    /// automatic boxes), audited as `redaction_boxes` with ids and counts only.
    pub fn save_redaction(
        &self,
        serial: Serial,
        page: PageId,
        boxes: Option<&[RedactionBox]>,
        user: &str,
    ) -> Result<()> {
        let user = required("user", user)?;
        let view = self.entry_current_view(serial)?;
        if !view.page_ids.contains(&page) {
            return Err(BoxFault::NotThisEntry.into());
        }
        if let Some(b) = boxes {
            let size = self.page_record(page)?.size;
            check_boxes(size, b)?;
        }
        let json = boxes.map(serde_json::to_string).transpose()?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let eid = entry_id_of(&tx, serial)?;
        tx.execute(
            "INSERT INTO redaction_boxes (entry_id, page_id, boxes, saved_at, saved_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![eid, page.0, json, fmt_ts(now()), user],
        )?;
        let what = match boxes {
            Some(b) => format!("boxes {}", b.len()),
            None => "automatic".to_string(),
        };
        audit_tx(
            &tx,
            &user,
            "redaction_boxes",
            &format!("entry {serial} page {page} {what}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The reviewer's boxes of each page of entry `serial` that has them (pages on the
    /// automatic boxes are absent).
    pub fn redactions(&self, serial: Serial) -> Result<BTreeMap<PageId, SavedBoxes>> {
        let c = self.conn()?;
        let eid = entry_id_of(&c, serial)?;
        let mut st = c.prepare(
            "SELECT page_id, boxes, saved_by, saved_at FROM redaction_boxes r
             WHERE entry_id = ?1 AND id = (SELECT MAX(id) FROM redaction_boxes
                 WHERE entry_id = r.entry_id AND page_id = r.page_id)",
        )?;
        let rows = st.query_map([eid], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (page, boxes, saved_by, at) = row?;
            if let Some(json) = boxes {
                out.insert(
                    PageId(page),
                    SavedBoxes {
                        boxes: serde_json::from_str(&json)?,
                        saved_by,
                        saved_at: parse_ts(&at)?,
                    },
                );
            }
        }
        Ok(out)
    }

    /// How many times boxes of entry `serial` were saved (for the history shown).
    pub fn redaction_saves(&self, serial: Serial) -> Result<u64> {
        let c = self.conn()?;
        let eid = entry_id_of(&c, serial)?;
        let n: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM redaction_boxes WHERE entry_id = ?1",
                [eid],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        Ok(n.max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::{drafts, fields};
    use crate::testutil::store;

    #[test]
    fn boxes_are_checked_against_the_page() {
        let size = [100, 200];
        assert_eq!(check_boxes(size, &[[0, 0, 100, 200]]), Ok(()));
        assert_eq!(
            check_boxes(size, &[[0, 0, 101, 10]]),
            Err(BoxFault::Outside)
        );
        assert_eq!(
            check_boxes(size, &[[50, 0, 10, 10]]),
            Err(BoxFault::Outside)
        );
        assert_eq!(check_boxes(size, &[[5, 5, 8, 50]]), Err(BoxFault::TooSmall));
        let many = vec![[0, 0, 10, 10]; MAX_BOXES_PER_PAGE + 1];
        assert_eq!(check_boxes(size, &many), Err(BoxFault::TooMany));
        assert_eq!(check_boxes(size, &many[1..]), Ok(()));
    }

    #[test]
    fn the_newest_save_of_a_page_wins_and_is_audited() {
        let (_d, s) = store();
        let d = drafts(&s, 2);
        let serial = s.approve_draft(d[0], "rev", &fields("Асанов")).unwrap();
        let page = s.entry_current_view(serial).unwrap().page_ids[0];
        assert!(s.redactions(serial).unwrap().is_empty());
        s.save_redaction(serial, page, Some(&[[10, 10, 200, 60]]), "rev")
            .unwrap();
        s.save_redaction(
            serial,
            page,
            Some(&[[10, 10, 200, 60], [5, 500, 900, 560]]),
            "com",
        )
        .unwrap();
        let r = s.redactions(serial).unwrap();
        assert_eq!(r[&page].boxes.len(), 2);
        assert_eq!(r[&page].saved_by, "com");
        // An empty set is a choice too (nothing hidden on this page).
        s.save_redaction(serial, page, Some(&[]), "rev").unwrap();
        assert!(s.redactions(serial).unwrap()[&page].boxes.is_empty());
        // Back to the automatic boxes.
        s.save_redaction(serial, page, None, "rev").unwrap();
        assert!(s.redactions(serial).unwrap().is_empty());
        assert_eq!(s.redaction_saves(serial).unwrap(), 4);
        let audit: Vec<_> = s
            .list_audit(20)
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "redaction_boxes")
            .collect();
        assert_eq!(audit.len(), 4);
        assert!(audit[0].object.ends_with("automatic"));
        assert!(audit[1]
            .object
            .contains(&format!("entry {serial} page {page} boxes 0")));
        // Rows are never changed.
        let c = s.conn().unwrap();
        assert!(c.execute("DELETE FROM redaction_boxes", []).is_err());
    }

    #[test]
    fn boxes_outside_the_page_or_of_another_entry_are_refused() {
        let (_d, s) = store();
        let d = drafts(&s, 2);
        let serial = s.approve_draft(d[0], "rev", &fields("Асанов")).unwrap();
        let other = s.approve_draft(d[1], "rev", &fields("Бекова")).unwrap();
        let page = s.entry_current_view(serial).unwrap().page_ids[0];
        let foreign = s.entry_current_view(other).unwrap().page_ids[0];
        // The test pages are 2480 × 3508.
        assert!(matches!(
            s.save_redaction(serial, page, Some(&[[0, 0, 2481, 10]]), "rev"),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.save_redaction(serial, foreign, Some(&[[0, 0, 20, 20]]), "rev"),
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(s.redaction_saves(serial).unwrap(), 0);
    }
}
