//! The hash chain over journal entries, amendments and events (see the crate docs for the
//! encoding). The column lists that are hashed belong to the row structs of `rows.rs`.

use crate::journal::Serial;
use crate::rows::{AmendmentRecord, Chained, EntryRecord, EventRecord};
use crate::{Result, Store, StoreError};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Current chain encoding version, stored in each row's `chain_v`.
pub(crate) const CHAIN_V: i64 = 1;
const DOMAIN: &[u8] = b"ishenim-chain\0";

/// The three kinds of chained rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Entry,
    Amendment,
    Event,
}

impl Kind {
    fn tag(self) -> u8 {
        match self {
            Kind::Entry => b'E',
            Kind::Amendment => b'A',
            Kind::Event => b'V',
        }
    }
    fn table(self) -> &'static str {
        match self {
            Kind::Entry => "entries",
            Kind::Amendment => "amendments",
            Kind::Event => "events",
        }
    }
    fn cols(self) -> &'static [&'static str] {
        match self {
            Kind::Entry => EntryRecord::COLS,
            Kind::Amendment => AmendmentRecord::COLS,
            Kind::Event => EventRecord::COLS,
        }
    }
}

fn push_value(buf: &mut Vec<u8>, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => buf.push(0),
        ValueRef::Integer(i) => {
            buf.push(1);
            buf.extend_from_slice(&i.to_be_bytes());
        }
        ValueRef::Real(f) => {
            buf.push(2);
            buf.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        ValueRef::Text(t) => {
            buf.push(3);
            buf.extend_from_slice(&(t.len() as u32).to_be_bytes());
            buf.extend_from_slice(t);
        }
        ValueRef::Blob(b) => {
            buf.push(4);
            buf.extend_from_slice(&(b.len() as u32).to_be_bytes());
            buf.extend_from_slice(b);
        }
    }
}

/// Hash one row: `values` are the row's columns in the kind's order.
pub(crate) fn row_hash<'a>(
    kind: Kind,
    version: i64,
    prev: &[u8; 32],
    values: impl IntoIterator<Item = ValueRef<'a>>,
    buf: &mut Vec<u8>,
) -> [u8; 32] {
    buf.clear();
    buf.extend_from_slice(DOMAIN);
    buf.push(version.clamp(0, 255) as u8);
    buf.push(kind.tag());
    buf.extend_from_slice(prev);
    for v in values {
        push_value(buf, v);
    }
    Sha256::digest(&buf[..]).into()
}

/// Hash a row about to be inserted (owned values).
pub(crate) fn hash_new(kind: Kind, prev: &[u8; 32], values: &[Value]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(512);
    row_hash(
        kind,
        CHAIN_V,
        prev,
        values.iter().map(ValueRef::from),
        &mut buf,
    )
}

/// The last row of the chain: what to print on paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// Position in the chain (1 = first row).
    pub seq: i64,
    /// Which row: `serial 2026-0042`, `amendment 17` or `event 5`.
    pub label: String,
    /// SHA-256 of the row, lowercase hex.
    pub hash: String,
}

/// The first row where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenRow {
    /// Which row: `serial 2026-0042`, `amendment 17`, `event 5`, or `chain position 12`.
    pub row: String,
    /// What is wrong, in plain words (English; the CLI may translate the label).
    pub reason: String,
}

/// Result of [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// True when every check passed.
    pub ok: bool,
    /// Chained rows (entries + amendments + events) that were checked.
    pub rows_checked: u64,
    /// The head as stored (last row), `None` for an empty journal.
    pub head: Option<ChainHead>,
    /// The first problem found.
    pub first_broken: Option<BrokenRow>,
}

/// Tip of the chain inside a write transaction: (last seq, last hash).
pub(crate) fn tip(c: &Connection) -> Result<(i64, [u8; 32])> {
    let mut best: (i64, [u8; 32]) = (0, [0u8; 32]);
    for t in ["entries", "amendments", "events"] {
        let sql = format!("SELECT seq, hash FROM {t} ORDER BY seq DESC LIMIT 1");
        let row: Option<(i64, Vec<u8>)> = {
            use rusqlite::OptionalExtension;
            c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
        };
        if let Some((seq, h)) = row {
            if seq > best.0 {
                let arr: [u8; 32] = h.as_slice().try_into().map_err(|_| {
                    StoreError::Malformed(format!("{t} row at chain position {seq}: bad hash"))
                })?;
                best = (seq, arr);
            }
        }
    }
    Ok(best)
}

struct Row {
    kind: Kind,
    id: i64,
    label: String,
    version: i64,
    enc_hash: Option<[u8; 32]>, // computed later
    stored: Vec<u8>,
    values: Vec<Value>,
    serial: Option<Serial>,
}

fn load_rows(c: &Connection, kind: Kind, out: &mut BTreeMap<i64, Vec<Row>>) -> Result<()> {
    let cols = kind.cols();
    let mut select: Vec<&str> = cols.to_vec();
    select.push("hash");
    let sql = format!(
        "SELECT {} FROM {} ORDER BY seq",
        select.join(", "),
        kind.table()
    );
    let mut st = c.prepare(&sql)?;
    let mut rows = st.query([])?;
    let seq_idx = 1;
    let v_idx = cols.len() - 1;
    while let Some(r) = rows.next()? {
        let mut values = Vec::with_capacity(cols.len());
        for i in 0..cols.len() {
            // Not `r.get::<_, Value>`: rusqlite panics on text that is not UTF-8, which a
            // damaged or hand-edited file (or a restored archive) may hold. Such text is kept
            // as a blob, so the row's hash no longer matches and the row is named as broken.
            values.push(match r.get_ref(i)? {
                ValueRef::Text(t) => match std::str::from_utf8(t) {
                    Ok(s) => Value::Text(s.to_owned()),
                    Err(_) => Value::Blob(t.to_vec()),
                },
                v => Value::from(v),
            });
        }
        let stored: Vec<u8> = match r.get_ref(cols.len())? {
            ValueRef::Blob(b) => b.to_vec(),
            _ => Vec::new(),
        };
        let id = match values[0] {
            Value::Integer(i) => i,
            _ => -1,
        };
        let seq = match values[seq_idx] {
            Value::Integer(i) => i,
            _ => -1,
        };
        let version = match values[v_idx] {
            Value::Integer(i) => i,
            _ => -1,
        };
        let (label, serial) = match kind {
            Kind::Entry => {
                let (y, n) = match (&values[2], &values[3]) {
                    (Value::Integer(y), Value::Integer(n)) => (*y, *n),
                    _ => (0, 0),
                };
                let s = Serial {
                    year: y as i32,
                    number: n.clamp(0, u32::MAX as i64) as u32,
                };
                (format!("serial {s}"), Some(s))
            }
            Kind::Amendment => (format!("amendment {id}"), None),
            Kind::Event => (format!("event {id}"), None),
        };
        out.entry(seq).or_default().push(Row {
            kind,
            id,
            label,
            version,
            enc_hash: None,
            stored,
            values,
            serial,
        });
    }
    Ok(())
}

/// Verify the chain on one connection (used by [`Store::verify`] and by restore).
pub(crate) fn verify_conn(c: &Connection, expected_head: Option<&str>) -> Result<VerifyReport> {
    // One read transaction so the three tables are seen at the same instant.
    c.execute_batch("BEGIN DEFERRED")?;
    let res = verify_inner(c, expected_head);
    let _ = c.execute_batch("COMMIT");
    res
}

fn verify_inner(c: &Connection, expected_head: Option<&str>) -> Result<VerifyReport> {
    let mut by_seq: BTreeMap<i64, Vec<Row>> = BTreeMap::new();
    load_rows(c, Kind::Entry, &mut by_seq)?;
    load_rows(c, Kind::Amendment, &mut by_seq)?;
    load_rows(c, Kind::Event, &mut by_seq)?;

    let mut report = VerifyReport {
        ok: true,
        rows_checked: 0,
        head: None,
        first_broken: None,
    };
    let fail = |report: &mut VerifyReport, row: String, reason: String| {
        if report.first_broken.is_none() {
            report.ok = false;
            report.first_broken = Some(BrokenRow { row, reason });
        }
    };

    let mut prev = [0u8; 32];
    let mut expected_seq = 1i64;
    let mut prev_label = String::from("the start of the journal");
    let mut buf = Vec::with_capacity(1024);
    let mut found_expected = expected_head.is_none();
    let expected_head = expected_head.map(|h| h.trim().to_ascii_lowercase());
    // Serial continuity per year: (year) -> last number seen in chain order.
    let mut last_number: BTreeMap<i32, u32> = BTreeMap::new();
    let mut last_head: Option<ChainHead> = None;

    for (seq, rows) in by_seq.iter_mut() {
        let seq = *seq;
        if rows.len() > 1 {
            let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
            let reason = format!(
                "chain position {seq} is used by several rows ({})",
                labels.join(", ")
            );
            fail(&mut report, rows[0].label.clone(), reason);
        }
        let row = &mut rows[0];
        report.rows_checked += 1;
        if seq != expected_seq {
            let (name, reason) = gap(row, seq, expected_seq, &prev_label, &last_number);
            fail(&mut report, name, reason);
        }
        if row.version != 1 {
            fail(
                &mut report,
                row.label.clone(),
                format!("unknown chain version {}", row.version),
            );
        }
        let h = row_hash(
            row.kind,
            row.version,
            &prev,
            row.values.iter().map(ValueRef::from),
            &mut buf,
        );
        row.enc_hash = Some(h);
        if row.stored.as_slice() != h.as_slice() {
            fail(
                &mut report,
                row.label.clone(),
                "content or position does not match its hash (row edited, moved or inserted)"
                    .to_string(),
            );
        }
        if let Some(s) = row.serial {
            let last = last_number.get(&s.year).copied().unwrap_or(0);
            if let Some(reason) = serial_break(s, last) {
                fail(&mut report, row.label.clone(), reason);
            }
            last_number.insert(s.year, s.number.max(last));
        }
        let hex_h = hex::encode(h);
        if let Some(e) = &expected_head {
            if *e == hex_h {
                found_expected = true;
            }
        }
        prev = h;
        prev_label = row.label.clone();
        expected_seq = seq + 1;
        last_head = Some(ChainHead {
            seq,
            label: row.label.clone(),
            hash: hex::encode(&row.stored),
        });
        let _ = row.id;
    }
    report.head = last_head;
    if !found_expected {
        fail(
            &mut report,
            "recorded head".to_string(),
            "the head recorded on paper is not in the chain (rows were rewritten or removed)"
                .to_string(),
        );
    }
    Ok(report)
}

/// The broken row and the reason when `row`, at chain position `seq`, follows
/// `prev_label` but `expected_seq` was due: rows are missing before it. The deleted entry
/// is named when the serials show which one it was.
fn gap(
    row: &Row,
    seq: i64,
    expected_seq: i64,
    prev_label: &str,
    last_number: &BTreeMap<i32, u32>,
) -> (String, String) {
    let missing_serial = row.serial.and_then(|s| {
        let last = last_number.get(&s.year).copied().unwrap_or(0);
        (s.number > last.saturating_add(1)).then_some(Serial {
            year: s.year,
            number: last + 1,
        })
    });
    let (name, what) = match missing_serial {
        Some(m) => (format!("serial {m}"), "entry deleted".to_string()),
        None => (
            format!("chain position {expected_seq}"),
            "row deleted or moved".to_string(),
        ),
    };
    let reason = format!(
        "{what}: chain positions {expected_seq}..{} missing between {prev_label} and {}",
        seq - 1,
        row.label
    );
    (name, reason)
}

/// Why serial `s` cannot follow number `last` of its year, if it cannot: the number
/// after `last` is missing (an entry deleted), or `s` comes out of order.
fn serial_break(s: Serial, last: u32) -> Option<String> {
    if s.number == last.saturating_add(1) {
        return None;
    }
    Some(if s.number > last.saturating_add(1) {
        format!(
            "serial {} is missing before it (entry deleted)",
            Serial {
                year: s.year,
                number: last + 1
            }
        )
    } else {
        format!("serial number out of order (after {}-{:04})", s.year, last)
    })
}

impl Store {
    /// Recompute the whole hash chain and the serial sequence; name the first broken row.
    ///
    /// Detects rows edited, deleted, inserted or swapped with the triggers dropped. It
    /// cannot detect the removal of the *last* rows or a full recomputation of the chain:
    /// for that, compare against a head printed earlier with [`Store::verify_against`].
    pub fn verify(&self) -> Result<VerifyReport> {
        let c = self.conn()?;
        verify_conn(&c, None)
    }

    /// Like [`Store::verify`], and also require that `recorded_hash` (a head hash printed
    /// on an earlier journal printout or export, hex) is the hash of some row of the
    /// recomputed chain.
    pub fn verify_against(&self, recorded_hash: &str) -> Result<VerifyReport> {
        let c = self.conn()?;
        verify_conn(&c, Some(recorded_hash))
    }

    /// The current head of the chain (label and hash of the last row), without verifying.
    pub fn chain_head(&self) -> Result<Option<ChainHead>> {
        let c = self.conn()?;
        let (seq, hash) = tip(&c)?;
        if seq == 0 {
            return Ok(None);
        }
        let label = label_of_seq(&c, seq)?;
        Ok(Some(ChainHead {
            seq,
            label,
            hash: hex::encode(hash),
        }))
    }
}

fn label_of_seq(c: &Connection, seq: i64) -> Result<String> {
    use rusqlite::OptionalExtension;
    if let Some((y, n)) = c
        .query_row(
            "SELECT year, number FROM entries WHERE seq = ?1",
            [seq],
            |r| Ok((r.get::<_, i32>(0)?, r.get::<_, u32>(1)?)),
        )
        .optional()?
    {
        return Ok(format!("serial {}", Serial { year: y, number: n }));
    }
    if let Some(id) = c
        .query_row("SELECT id FROM amendments WHERE seq = ?1", [seq], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
    {
        return Ok(format!("amendment {id}"));
    }
    if let Some(id) = c
        .query_row("SELECT id FROM events WHERE seq = ?1", [seq], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
    {
        return Ok(format!("event {id}"));
    }
    Ok(format!("chain position {seq}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_length_prefixed() {
        // ("ab","c") and ("a","bc") must hash differently.
        let p = [0u8; 32];
        let a = hash_new(
            Kind::Entry,
            &p,
            &[Value::Text("ab".into()), Value::Text("c".into())],
        );
        let b = hash_new(
            Kind::Entry,
            &p,
            &[Value::Text("a".into()), Value::Text("bc".into())],
        );
        assert_ne!(a, b);
        // NULL differs from empty text, and kind matters.
        let n = hash_new(Kind::Entry, &p, &[Value::Null]);
        let e = hash_new(Kind::Entry, &p, &[Value::Text(String::new())]);
        assert_ne!(n, e);
        assert_ne!(n, hash_new(Kind::Event, &p, &[Value::Null]));
        // Previous hash matters.
        assert_ne!(n, hash_new(Kind::Entry, &[1u8; 32], &[Value::Null]));
    }

    /// Found by the `backup_import` fuzz target (`tests/fuzz/chain_invalid_utf8.tar`): a
    /// journal row whose text is not UTF-8 made verification panic inside rusqlite; it is a
    /// broken row.
    #[test]
    fn text_that_is_not_utf8_is_a_broken_row_not_a_panic() {
        let (_d, s) = crate::testutil::store();
        let ids = crate::journal::tests::drafts(&s, 1);
        let serial = s
            .approve_draft(ids[0], "rev", &crate::journal::tests::fields("Асанов"))
            .unwrap();
        assert!(s.verify().unwrap().ok);
        let c = Connection::open(s.db_path()).unwrap();
        c.execute_batch(
            "DROP TRIGGER entries_no_update; UPDATE entries SET brief = CAST(x'd0ff41' AS TEXT);",
        )
        .unwrap();
        let r = s.verify().unwrap();
        assert!(!r.ok);
        assert_eq!(r.first_broken.unwrap().row, format!("serial {serial}"));
    }

    #[test]
    fn known_answer_v1() {
        // Pins the v1 encoding: changing it breaks every stored chain.
        let h = hash_new(
            Kind::Amendment,
            &[0u8; 32],
            &[Value::Integer(1), Value::Text("x".into()), Value::Null],
        );
        let mut expect = Vec::new();
        expect.extend_from_slice(b"ishenim-chain\0");
        expect.push(1);
        expect.push(b'A');
        expect.extend_from_slice(&[0u8; 32]);
        expect.push(1);
        expect.extend_from_slice(&1i64.to_be_bytes());
        expect.push(3);
        expect.extend_from_slice(&1u32.to_be_bytes());
        expect.push(b'x');
        expect.push(0);
        let want: [u8; 32] = Sha256::digest(&expect).into();
        assert_eq!(h, want);
    }
}
