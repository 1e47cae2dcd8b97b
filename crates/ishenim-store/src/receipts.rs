//! Receipt codes for anonymous follow-up (schema version 3).
//!
//! The store never sees a code, only its keyed hash (64 hex digits, computed by the caller
//! with `ishenim-receipt` and the secret from [`Store::receipt_secret`]) and, once the code
//! is linked to an entry, its first four symbols for the notice board. Issued codes are
//! recorded with the time of issue only; nothing records which slip went to whom.
//!
//! A status lookup answers with the box date, the serial and the stage — never the
//! applicant, the text, the official or the measures — and stops `receipt_expiry_months`
//! (a register setting, default 6) after the appeal left consideration.

use crate::journal::{load_views, EntryStatus, EntryView, Serial};
use crate::users::audit_tx;
use crate::{fmt_ts, now, required, Result, Store, StoreError};
use chrono::{Months, NaiveDate, NaiveDateTime};
use rand::TryRngCore;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// Default of the `receipt_expiry_months` setting.
pub const DEFAULT_EXPIRY_MONTHS: u32 = 6;

/// The stage of a coded appeal, as the writer may learn it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStage {
    /// Registered, nobody assigned yet.
    Registered,
    /// An official is considering it; `until` is the deadline.
    UnderConsideration,
    /// Answered (`answered_on`, `outgoing_no`).
    Answered,
    /// Closed.
    Closed,
    /// Sent on to another body.
    Forwarded,
}

/// What a status lookup may reveal about one appeal, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptStatus {
    /// The date the box was opened (the date of receipt).
    pub box_date: NaiveDate,
    /// The registration number, `2026-0001`.
    pub registration_number: Serial,
    /// The stage.
    pub stage: ReceiptStage,
    /// Consideration deadline (under consideration).
    pub until: Option<NaiveDate>,
    /// Date of the reply (answered).
    pub answered_on: Option<NaiveDate>,
    /// Outgoing number of the reply (answered).
    pub outgoing_no: Option<String>,
    /// First symbols of the code (for the notice board).
    pub code_prefix: String,
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

impl ReceiptStatus {
    /// The stage in words: `lang` `ky` (Kyrgyz) or anything else (Russian).
    pub fn stage_text(&self, lang: &str) -> String {
        let ky = lang == "ky";
        let date = |d: Option<NaiveDate>| d.map(dmy).unwrap_or_default();
        match self.stage {
            ReceiptStage::Registered if ky => "Катталды".into(),
            ReceiptStage::Registered => "Зарегистрировано".into(),
            ReceiptStage::UnderConsideration if ky => {
                format!("{} чейин каралууда", date(self.until))
            }
            ReceiptStage::UnderConsideration => {
                format!("На рассмотрении до {}", date(self.until))
            }
            ReceiptStage::Answered if ky => format!(
                "{} жооп берилди, чыгыш № {}",
                date(self.answered_on),
                self.outgoing_no.as_deref().unwrap_or("—")
            ),
            ReceiptStage::Answered => format!(
                "Дан ответ {}, исх. № {}",
                date(self.answered_on),
                self.outgoing_no.as_deref().unwrap_or("—")
            ),
            ReceiptStage::Closed if ky => "Жабылды".into(),
            ReceiptStage::Closed => "Закрыто".into(),
            ReceiptStage::Forwarded if ky => "Башка органга жөнөтүлдү".into(),
            ReceiptStage::Forwarded => "Направлено в другой орган".into(),
        }
    }
}

/// What the register knows of a code before it is linked (for the reviewer's warnings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptCheck {
    /// True when the code was printed on a slip of this register.
    pub issued: bool,
    /// Entries the code is already linked to.
    pub used_by: Vec<Serial>,
}

fn check_hash(hash: &str) -> Result<String> {
    let h = hash.trim().to_ascii_lowercase();
    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid(
            "a receipt hash is 64 hex digits".into(),
        ));
    }
    Ok(h)
}

fn check_prefix(prefix: &str) -> Result<String> {
    let p = prefix.trim().to_ascii_uppercase();
    if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(StoreError::Invalid(
            "a code prefix is up to 6 letters or digits".into(),
        ));
    }
    Ok(p)
}

/// Links `hash` to the entry inside the approval transaction (a code never issued here is
/// recorded as such: a warning for the reviewer, not an error).
pub(crate) fn link_in_tx(
    tx: &Transaction<'_>,
    entry_id: i64,
    hash: &str,
    prefix: &str,
    user: &str,
    at: NaiveDateTime,
) -> Result<()> {
    let hash = check_hash(hash)?;
    let prefix = check_prefix(prefix)?;
    tx.prepare_cached("INSERT OR IGNORE INTO receipts (hash, issued_at) VALUES (?1, NULL)")?
        .execute([&hash])?;
    tx.prepare_cached(
        "INSERT INTO receipt_links (hash, entry_id, code_prefix, linked_at, linked_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![hash, entry_id, prefix, fmt_ts(at), user])?;
    Ok(())
}

fn expiry_months(c: &Connection) -> Result<u32> {
    let v: Option<String> = c
        .prepare_cached("SELECT value FROM settings WHERE key = 'receipt_expiry_months'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    match v {
        None => Ok(DEFAULT_EXPIRY_MONTHS),
        Some(v) => v
            .parse()
            .map_err(|_| StoreError::Malformed(format!("setting receipt_expiry_months = {v:?}"))),
    }
}

/// The stage of an entry, and the day it left consideration (for the expiry).
fn stage_of(
    c: &Connection,
    entry_id: i64,
    v: &EntryView,
) -> Result<(ReceiptStage, Option<NaiveDate>)> {
    let stage = match v.status {
        EntryStatus::Registered => ReceiptStage::Registered,
        EntryStatus::Assigned => ReceiptStage::UnderConsideration,
        EntryStatus::Answered => ReceiptStage::Answered,
        EntryStatus::Redirected => ReceiptStage::Forwarded,
        EntryStatus::Closed => ReceiptStage::Closed,
    };
    if v.status.is_open() {
        return Ok((stage, None));
    }
    let last: Option<String> = c
        .prepare_cached(
            "SELECT at FROM events WHERE entry_id = ?1 AND status IS NOT NULL
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([entry_id], |r| r.get(0))
        .optional()?;
    let closed = match last {
        Some(t) => Some(crate::parse_ts(&t)?.date()),
        None => Some(v.registered_at.date()),
    };
    Ok((stage, closed))
}

/// Statuses of the entries linked to `cond` (a condition on `receipt_links`), without
/// those whose lookup has expired on `today`.
fn statuses(
    c: &Connection,
    cond: &str,
    p: &[&dyn rusqlite::ToSql],
    today: NaiveDate,
) -> Result<Vec<ReceiptStatus>> {
    let months = expiry_months(c)?;
    let links: Vec<(i64, String)> = {
        let mut st = c.prepare(&format!(
            "SELECT entry_id, code_prefix FROM receipt_links WHERE {cond} ORDER BY entry_id"
        ))?;
        let it = st.query_map(p, |r| Ok((r.get(0)?, r.get(1)?)))?;
        it.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::new();
    for (eid, prefix) in links {
        let Some(v) = load_views(c, "id = ?1", &[&eid])?.pop() else {
            continue;
        };
        let (stage, closed) = stage_of(c, eid, &v)?;
        if let Some(day) = closed {
            let end = day.checked_add_months(Months::new(months)).unwrap_or(day);
            if today > end {
                continue;
            }
        }
        out.push(ReceiptStatus {
            box_date: v.box_date,
            registration_number: v.serial,
            stage,
            until: (stage == ReceiptStage::UnderConsideration).then_some(v.deadline),
            answered_on: (stage == ReceiptStage::Answered)
                .then_some(v.reply_date)
                .flatten(),
            outgoing_no: (stage == ReceiptStage::Answered)
                .then(|| v.reply_no.clone())
                .flatten(),
            code_prefix: prefix,
        });
    }
    Ok(out)
}

impl Store {
    /// The register's secret key for receipt hashes (32 bytes), made from the OS random
    /// generator the first time it is asked for. It travels with backups, so restored
    /// registers still know their codes.
    pub fn receipt_secret(&self) -> Result<Vec<u8>> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let have: Option<Vec<u8>> = tx
            .query_row("SELECT secret FROM receipt_secret WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        let secret = match have {
            Some(s) => s,
            None => {
                let mut b = vec![0u8; 32];
                rand::rngs::OsRng
                    .try_fill_bytes(&mut b)
                    .map_err(|e| StoreError::Malformed(format!("OS random generator: {e}")))?;
                tx.execute(
                    "INSERT INTO receipt_secret (id, secret, created_at) VALUES (1, ?1, ?2)",
                    params![b, fmt_ts(now())],
                )?;
                b
            }
        };
        tx.commit()?;
        Ok(secret)
    }

    /// Records printed codes by their hashes (one transaction; audited with the count
    /// only). A hash already known is [`StoreError::Conflict`] and nothing is written.
    pub fn issue_receipts(&self, hashes: &[String], user: &str) -> Result<()> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = fmt_ts(now());
        for h in hashes {
            let h = check_hash(h)?;
            let n = tx
                .prepare_cached("INSERT OR IGNORE INTO receipts (hash, issued_at) VALUES (?1, ?2)")?
                .execute(params![h, at])?;
            if n == 0 {
                return Err(StoreError::Conflict(
                    "a receipt code was issued twice".into(),
                ));
            }
        }
        audit_tx(
            &tx,
            &user,
            "receipts_issue",
            &format!("{} codes", hashes.len()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Number of codes issued (printed) so far.
    pub fn receipts_issued(&self) -> Result<u64> {
        let c = self.conn()?;
        let n: i64 = c.query_row(
            "SELECT COUNT(*) FROM receipts WHERE issued_at IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Whether a code was issued here and which entries already use it.
    pub fn receipt_check(&self, hash: &str) -> Result<ReceiptCheck> {
        let hash = check_hash(hash)?;
        let c = self.conn()?;
        let issued: Option<Option<String>> = c
            .query_row(
                "SELECT issued_at FROM receipts WHERE hash = ?1",
                [&hash],
                |r| r.get(0),
            )
            .optional()?;
        let mut st = c.prepare(
            "SELECT e.year, e.number FROM receipt_links l JOIN entries e ON e.id = l.entry_id
             WHERE l.hash = ?1 ORDER BY e.year, e.number",
        )?;
        let used_by = st
            .query_map([&hash], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, u32>(1)?)))?
            .map(|r| r.map(|(year, number)| Serial { year, number }))
            .collect::<rusqlite::Result<_>>()?;
        Ok(ReceiptCheck {
            issued: issued.flatten().is_some(),
            used_by,
        })
    }

    /// The status lookup: every appeal linked to `hash` whose lookup has not expired on
    /// `today` (usually one; empty for an unknown code). Audited as `receipt_lookup` with
    /// the first 8 hex digits of the hash and the count found — never the code, and the
    /// caller must not pass who asked beyond a role name (`public`, a login).
    pub fn receipt_lookup(
        &self,
        hash: &str,
        who: &str,
        today: NaiveDate,
    ) -> Result<Vec<ReceiptStatus>> {
        let hash = check_hash(hash)?;
        let who = required("user", who)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = statuses(&tx, "hash = ?1", &[&hash], today)?;
        audit_tx(
            &tx,
            &who,
            "receipt_lookup",
            &format!("hash {} found {}", &hash[..8], found.len()),
        )?;
        tx.commit()?;
        Ok(found)
    }

    /// Every coded appeal whose lookup has not expired on `today`, for the notice board
    /// (the caller prints the code prefixes and stages only).
    pub fn receipt_board(&self, today: NaiveDate) -> Result<Vec<ReceiptStatus>> {
        let c = self.conn()?;
        statuses(&c, "1 = 1", &[], today)
    }

    /// Links a code to an existing entry after registration (a code confirmed later).
    /// Audited as `receipt_link`; the link is append-only.
    pub fn link_receipt(&self, serial: Serial, hash: &str, prefix: &str, user: &str) -> Result<()> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let eid: i64 = tx
            .query_row(
                "SELECT id FROM entries WHERE year = ?1 AND number = ?2",
                params![serial.year, serial.number],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("journal entry {serial}")))?;
        let dup: Option<i64> = tx
            .query_row(
                "SELECT id FROM receipt_links WHERE entry_id = ?1 AND hash = ?2",
                params![eid, check_hash(hash)?],
                |r| r.get(0),
            )
            .optional()?;
        if dup.is_some() {
            return Err(StoreError::Conflict(format!(
                "entry {serial} already has this code"
            )));
        }
        link_in_tx(&tx, eid, hash, prefix, &user, now())?;
        audit_tx(&tx, &user, "receipt_link", &format!("entry {serial}"))?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::{drafts, fields};
    use crate::testutil::store;
    use crate::EntryField;

    fn h(n: u8) -> String {
        format!("{:02x}", n).repeat(32)
    }

    fn link(n: u8) -> ReceiptLink {
        ReceiptLink {
            hash: h(n),
            prefix: "K7QM".into(),
        }
    }

    use crate::ReceiptLink;

    fn today() -> NaiveDate {
        now().date()
    }

    #[test]
    fn the_secret_is_made_once_and_kept() {
        let (_d, s) = store();
        let a = s.receipt_secret().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, vec![0u8; 32]);
        assert_eq!(s.receipt_secret().unwrap(), a);
        let again = Store::open(s.data_dir()).unwrap();
        assert_eq!(again.receipt_secret().unwrap(), a);
    }

    #[test]
    fn a_linked_code_follows_its_entry_through_every_stage() {
        let (_d, s) = store();
        let d = drafts(&s, 2);
        s.issue_receipts(&[h(1), h(2)], "clerk").unwrap();
        assert_eq!(s.receipts_issued().unwrap(), 2);
        assert_eq!(
            s.receipt_check(&h(1)).unwrap(),
            ReceiptCheck {
                issued: true,
                used_by: vec![]
            }
        );
        let serial = s
            .approve_draft_with_receipt(d[0], "rev", &fields("Асанов"), Some(&link(1)))
            .unwrap();
        assert_eq!(s.receipt_check(&h(1)).unwrap().used_by, vec![serial]);
        let st = s.receipt_lookup(&h(1), "public", today()).unwrap();
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].stage, ReceiptStage::Registered);
        assert_eq!(st[0].registration_number, serial);
        assert_eq!(st[0].stage_text("ky"), "Катталды");
        // Amendments keep the link; nothing personal is in the answer.
        s.amend_entry(serial, "rev", EntryField::Brief, Some("Жол"), "так")
            .unwrap();
        s.assign_official(serial, "admin", "Бекова Г.").unwrap();
        let st = s.receipt_lookup(&h(1), "public", today()).unwrap();
        assert_eq!(st[0].stage, ReceiptStage::UnderConsideration);
        assert!(st[0].until.is_some());
        let json = serde_json::to_string(&st[0]).unwrap();
        for secret in ["Асанов", "Бекова", "Жол", "rev", "admin"] {
            assert!(!json.contains(secret), "{json}");
        }
        let reply = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        s.record_reply(serial, "clerk", "01-15/77", reply).unwrap();
        let st = s.receipt_lookup(&h(1), "public", today()).unwrap();
        assert_eq!(st[0].stage, ReceiptStage::Answered);
        assert_eq!(st[0].answered_on, Some(reply));
        assert_eq!(st[0].outgoing_no.as_deref(), Some("01-15/77"));
        assert!(st[0].stage_text("ru").contains("01.12.2026"));
        s.set_status(serial, "admin", EntryStatus::Redirected, None)
            .unwrap();
        let st = s.receipt_lookup(&h(1), "public", today()).unwrap();
        assert_eq!(st[0].stage, ReceiptStage::Forwarded);
        // Unknown code: nothing. The audit has the prefix of the hash only.
        assert!(s
            .receipt_lookup(&h(3), "public", today())
            .unwrap()
            .is_empty());
        let audit = s.list_audit(50).unwrap();
        let lookups: Vec<_> = audit
            .iter()
            .filter(|a| a.action == "receipt_lookup")
            .collect();
        assert_eq!(lookups.len(), 5);
        assert!(lookups
            .iter()
            .all(|a| !a.object.contains(&h(1)) && !a.object.contains(&h(3))));
        assert!(lookups[0]
            .object
            .starts_with(&format!("hash {}", &h(3)[..8])));
        assert_eq!(s.receipt_board(today()).unwrap().len(), 1);
        assert!(s.verify().unwrap().ok);
    }

    #[test]
    fn never_issued_and_reused_codes_are_linked_and_reported() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        let a = s
            .approve_draft_with_receipt(d[0], "rev", &fields("А"), Some(&link(9)))
            .unwrap();
        assert_eq!(
            s.receipt_check(&h(9)).unwrap(),
            ReceiptCheck {
                issued: false,
                used_by: vec![a]
            }
        );
        let b = s
            .approve_draft_with_receipt(d[1], "rev", &fields("Б"), Some(&link(9)))
            .unwrap();
        assert_eq!(s.receipt_check(&h(9)).unwrap().used_by, vec![a, b]);
        assert_eq!(s.receipt_lookup(&h(9), "public", today()).unwrap().len(), 2);
        // Linking later, once; the same link twice is refused.
        let c = s.approve_draft(d[2], "rev", &fields("В")).unwrap();
        s.link_receipt(c, &h(4), "ABCD", "rev").unwrap();
        assert!(matches!(
            s.link_receipt(c, &h(4), "ABCD", "rev"),
            Err(StoreError::Conflict(_))
        ));
        // Issuing a known code twice writes nothing.
        s.issue_receipts(&[h(5)], "clerk").unwrap();
        assert!(s.issue_receipts(&[h(6), h(5)], "clerk").is_err());
        assert!(!s.receipt_check(&h(6)).unwrap().issued);
    }

    #[test]
    fn a_bad_link_leaves_no_entry() {
        let (_d, s) = store();
        let d = drafts(&s, 1);
        let bad = ReceiptLink {
            hash: "nothex".into(),
            prefix: "K7QM".into(),
        };
        assert!(s
            .approve_draft_with_receipt(d[0], "rev", &fields("А"), Some(&bad))
            .is_err());
        assert_eq!(s.journal_count().unwrap(), 0);
        let serial = s
            .approve_draft_with_receipt(d[0], "rev", &fields("А"), Some(&link(1)))
            .unwrap();
        assert_eq!(serial.number, 1, "the failed approval used no number");
    }

    #[test]
    fn lookups_stop_months_after_closing() {
        let (_d, s) = store();
        let d = drafts(&s, 1);
        let serial = s
            .approve_draft_with_receipt(d[0], "rev", &fields("А"), Some(&link(1)))
            .unwrap();
        let later = |m: u32| today().checked_add_months(Months::new(m)).unwrap();
        // Open appeals never expire.
        assert_eq!(s.receipt_lookup(&h(1), "p", later(30)).unwrap().len(), 1);
        s.set_status(serial, "admin", EntryStatus::Closed, None)
            .unwrap();
        assert_eq!(s.receipt_lookup(&h(1), "p", later(6)).unwrap().len(), 1);
        assert!(s.receipt_lookup(&h(1), "p", later(7)).unwrap().is_empty());
        s.set_setting("receipt_expiry_months", "1", "admin")
            .unwrap();
        assert!(s.receipt_lookup(&h(1), "p", later(2)).unwrap().is_empty());
        assert!(s
            .set_setting("receipt_expiry_months", "0", "admin")
            .is_err());
        assert!(s.receipt_board(later(2)).unwrap().is_empty());
    }
}
