//! Files, pages and the quarantine: the resumable, idempotent intake.

use crate::blobs::{blob_path, hash_file, sha256_hex, write_blob};
use crate::{
    fmt_ts, now, parse_ts, required, FileId, OpeningId, PageId, Result, Store, StoreError,
};
use chrono::NaiveDateTime;
use ishenim_page::PageRecord;
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a file is in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Original stored; not yet scanned.
    Stored,
    /// Pages saved; not yet drafted.
    Scanned,
    /// Its pages are in drafts.
    Drafted,
    /// Could not be processed; see the reason; retryable.
    Quarantined,
}

impl FileStatus {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Stored => "stored",
            FileStatus::Scanned => "scanned",
            FileStatus::Drafted => "drafted",
            FileStatus::Quarantined => "quarantined",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "stored" => FileStatus::Stored,
            "scanned" => FileStatus::Scanned,
            "drafted" => FileStatus::Drafted,
            "quarantined" => FileStatus::Quarantined,
            _ => return Err(StoreError::Malformed(format!("file status {s:?}"))),
        })
    }
}

/// Result of [`Store::add_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "file", rename_all = "snake_case")]
pub enum AddFileOutcome {
    /// The file was new and is now stored.
    New(FileId),
    /// The same bytes were stored before (possibly under another name or opening).
    Known(FileId),
}

impl AddFileOutcome {
    /// The file id either way.
    pub fn id(self) -> FileId {
        match self {
            AddFileOutcome::New(id) | AddFileOutcome::Known(id) => id,
        }
    }
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Id.
    pub id: FileId,
    /// The opening it was first added under.
    pub opening_id: OpeningId,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// File name as uploaded (no directories are trusted from it).
    pub original_name: String,
    /// Size in bytes.
    pub size: u64,
    /// Pipeline status.
    pub status: FileStatus,
    /// Quarantine reason (kept after a retry until the next quarantine).
    pub reason: Option<String>,
    /// How many times it was sent back from quarantine.
    pub retries: u32,
    /// When it was stored.
    pub added_at: NaiveDateTime,
    /// Last status change.
    pub updated_at: NaiveDateTime,
    /// Pages saved for it.
    pub pages: u32,
}

/// A saved page without its full record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    /// Id (used in drafts).
    pub id: PageId,
    /// File it came from.
    pub file_id: FileId,
    /// Page number in the file, from 1.
    pub page_no: u32,
    /// Scanner stem (`name` or `name-3`); the draft crate refers to pages by stem.
    pub stem: String,
    /// Blank backside.
    pub blank: bool,
    /// Mean OCR confidence.
    pub mean_conf: f64,
    /// Tesseract language string used.
    pub lang: String,
}

const FILE_SELECT: &str = "SELECT f.id, f.opening_id, f.sha256, f.original_name, f.size, f.status,
    f.reason, f.retries, f.added_at, f.updated_at,
    (SELECT COUNT(*) FROM pages p WHERE p.file_id = f.id) FROM files f";

type RawFile = (FileInfo, String, String, String);

fn file_row(r: &Row<'_>) -> rusqlite::Result<RawFile> {
    Ok((
        FileInfo {
            id: FileId(r.get(0)?),
            opening_id: OpeningId(r.get(1)?),
            sha256: r.get(2)?,
            original_name: r.get(3)?,
            size: r.get::<_, i64>(4)?.max(0) as u64,
            status: FileStatus::Stored,
            reason: r.get(6)?,
            retries: r.get(7)?,
            added_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
            pages: r.get(10)?,
        },
        r.get(5)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn finish_file(t: RawFile) -> Result<FileInfo> {
    let (mut f, status, added, updated) = t;
    f.status = FileStatus::parse(&status)?;
    f.added_at = parse_ts(&added)?;
    f.updated_at = parse_ts(&updated)?;
    Ok(f)
}

const PAGE_SELECT: &str = "SELECT id, file_id, page_no, stem, blank, mean_conf, lang FROM pages";

fn page_row(r: &Row<'_>) -> rusqlite::Result<PageInfo> {
    Ok(PageInfo {
        id: PageId(r.get(0)?),
        file_id: FileId(r.get(1)?),
        page_no: r.get(2)?,
        stem: r.get(3)?,
        blank: r.get(4)?,
        mean_conf: r.get(5)?,
        lang: r.get(6)?,
    })
}

/// Keep only the last path component of an uploaded name.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).collect();
    if base.is_empty() {
        "unnamed".to_string()
    } else {
        base
    }
}

impl Store {
    /// Store an uploaded original under `opening`. Idempotent by SHA-256 over the whole
    /// store: the same bytes again return [`AddFileOutcome::Known`] and change no row (but
    /// put the stored original back if it went missing or was damaged, so giving the same
    /// file again repairs what [`Store::check_blobs`] reports).
    /// The blob is durable on disk before the row that references it commits.
    pub fn add_file(
        &self,
        opening: OpeningId,
        original_name: &str,
        bytes: &[u8],
    ) -> Result<AddFileOutcome> {
        let sha = sha256_hex(bytes);
        let name = clean_name(original_name);
        let mut c = self.conn()?;
        let known: Option<i64> = c
            .query_row("SELECT id FROM files WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(id) = known {
            // Kept as it is when intact (size and hash checked); rewritten when not.
            write_blob(self.files_dir(), &sha, bytes)?;
            return Ok(AddFileOutcome::Known(FileId(id)));
        }
        let exists: bool = c.query_row(
            "SELECT EXISTS(SELECT 1 FROM openings WHERE id = ?1)",
            [opening.0],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NotFound(format!("opening {opening}")));
        }
        write_blob(self.files_dir(), &sha, bytes)?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: Option<i64> = tx
            .query_row("SELECT id FROM files WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(id) = known {
            return Ok(AddFileOutcome::Known(FileId(id)));
        }
        let ts = fmt_ts(now());
        tx.execute(
            "INSERT INTO files (opening_id, sha256, original_name, size, status, added_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'stored', ?5, ?5)",
            params![opening.0, sha, name, bytes.len() as i64, ts],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(AddFileOutcome::New(FileId(id)))
    }

    /// One file.
    pub fn get_file(&self, id: FileId) -> Result<FileInfo> {
        let c = self.conn()?;
        let t = c
            .query_row(&format!("{FILE_SELECT} WHERE f.id = ?1"), [id.0], file_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("file {id}")))?;
        finish_file(t)
    }

    /// Find a stored file by the SHA-256 (hex) of its bytes.
    pub fn find_file_by_sha256(&self, sha256: &str) -> Result<Option<FileInfo>> {
        let c = self.conn()?;
        let t = c
            .query_row(
                &format!("{FILE_SELECT} WHERE f.sha256 = ?1"),
                [sha256.trim().to_ascii_lowercase()],
                file_row,
            )
            .optional()?;
        t.map(finish_file).transpose()
    }

    fn files_where(&self, cond: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<FileInfo>> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!("{FILE_SELECT} WHERE {cond} ORDER BY f.id"))?;
        let rows = st.query_map(p, file_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(finish_file(r?)?);
        }
        Ok(out)
    }

    /// All files of an opening, in the order they were added.
    pub fn list_files(&self, opening: OpeningId) -> Result<Vec<FileInfo>> {
        self.files_where("f.opening_id = ?1", &[&opening.0])
    }

    /// Files of `opening` an interrupted ingest still has to process: `stored` (scan them)
    /// and `scanned` (draft them), oldest first. Quarantined files are not included.
    pub fn files_pending(&self, opening: OpeningId) -> Result<Vec<FileInfo>> {
        self.files_where(
            "f.opening_id = ?1 AND f.status IN ('stored', 'scanned')",
            &[&opening.0],
        )
    }

    /// Path of the stored original (read it to scan; never write to it).
    pub fn file_path(&self, id: FileId) -> Result<PathBuf> {
        let f = self.get_file(id)?;
        Ok(blob_path(self.files_dir(), &f.sha256))
    }

    /// The stored original's bytes, checked against its SHA-256.
    pub fn read_file(&self, id: FileId) -> Result<Vec<u8>> {
        let f = self.get_file(id)?;
        let p = blob_path(self.files_dir(), &f.sha256);
        let bytes = std::fs::read(&p).map_err(|e| StoreError::io(&p, e))?;
        if sha256_hex(&bytes) != f.sha256 {
            return Err(StoreError::Malformed(format!(
                "stored original of file {id} does not match its SHA-256"
            )));
        }
        Ok(bytes)
    }

    /// Check every referenced blob exists and matches its hash; returns the ids of files
    /// whose original is missing or damaged.
    pub fn check_blobs(&self) -> Result<Vec<FileId>> {
        let files: Vec<(i64, String)> = {
            let c = self.conn()?;
            let mut st = c.prepare("SELECT id, sha256 FROM files ORDER BY id")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut bad = Vec::new();
        for (id, sha) in files {
            let p = blob_path(self.files_dir(), &sha);
            match hash_file(&p) {
                Ok((h, _)) if h == sha => {}
                _ => bad.push(FileId(id)),
            }
        }
        Ok(bad)
    }

    /// Save the scanner's pages of `file` and mark it `scanned`, in one transaction (a crash
    /// never leaves half a file). Returns the page ids in the order of `records`.
    ///
    /// Idempotent: if the file is already scanned or drafted, the existing page ids are
    /// returned and `records` is ignored. A quarantined file must be retried first.
    pub fn save_pages(&self, file: FileId, records: &[PageRecord]) -> Result<Vec<PageId>> {
        if records.is_empty() {
            return Err(StoreError::Invalid(
                "a file needs at least one page; quarantine it instead".into(),
            ));
        }
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let status: String = tx
            .query_row("SELECT status FROM files WHERE id = ?1", [file.0], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("file {file}")))?;
        match FileStatus::parse(&status)? {
            FileStatus::Stored => {}
            FileStatus::Scanned | FileStatus::Drafted => {
                let mut st =
                    tx.prepare("SELECT id FROM pages WHERE file_id = ?1 ORDER BY page_no")?;
                let ids = st
                    .query_map([file.0], |r| r.get(0).map(PageId))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                return Ok(ids);
            }
            FileStatus::Quarantined => {
                return Err(StoreError::Conflict(format!(
                    "file {file} is quarantined; retry it first"
                )))
            }
        }
        let mut ids = Vec::with_capacity(records.len());
        {
            let mut ins = tx.prepare(
                "INSERT INTO pages (file_id, page_no, stem, blank, mean_conf, lang, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for r in records {
                let json = serde_json::to_string(r)?;
                let mean = if r.mean_conf.is_finite() {
                    f64::from(r.mean_conf)
                } else {
                    0.0
                };
                ins.execute(params![file.0, r.page, r.stem, r.blank, mean, r.lang, json])
                    .map_err(|e| match StoreError::from(e) {
                        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                        {
                            StoreError::Invalid(format!(
                                "page {} appears twice in file {file}",
                                r.page
                            ))
                        }
                        other => other,
                    })?;
                ids.push(PageId(tx.last_insert_rowid()));
            }
        }
        tx.execute(
            "UPDATE files SET status = 'scanned', updated_at = ?2 WHERE id = ?1",
            params![file.0, fmt_ts(now())],
        )?;
        tx.commit()?;
        Ok(ids)
    }

    /// Pages of one file, by page number.
    pub fn pages_of_file(&self, file: FileId) -> Result<Vec<PageInfo>> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!(
            "{PAGE_SELECT} WHERE file_id = ?1 ORDER BY page_no"
        ))?;
        let rows = st.query_map([file.0], page_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Pages of all files of an opening, in intake order (file, then page number).
    pub fn pages_of_opening(&self, opening: OpeningId) -> Result<Vec<PageInfo>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT p.id, p.file_id, p.page_no, p.stem, p.blank, p.mean_conf, p.lang
             FROM pages p JOIN files f ON f.id = p.file_id
             WHERE f.opening_id = ?1 ORDER BY p.file_id, p.page_no",
        )?;
        let rows = st.query_map([opening.0], page_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One page without its record.
    pub fn page_info(&self, page: PageId) -> Result<PageInfo> {
        let c = self.conn()?;
        c.query_row(&format!("{PAGE_SELECT} WHERE id = ?1"), [page.0], page_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("page {page}")))
    }

    /// The full scanner record of a page.
    pub fn page_record(&self, page: PageId) -> Result<PageRecord> {
        let c = self.conn()?;
        let json: String = c
            .query_row("SELECT record FROM pages WHERE id = ?1", [page.0], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("page {page}")))?;
        Ok(serde_json::from_str(&json)?)
    }

    /// Put a file into quarantine with a one-line reason (no appeal text). Allowed from
    /// `stored` or `scanned`; a drafted file is past the point of failure.
    pub fn quarantine(&self, file: FileId, reason: &str) -> Result<()> {
        let reason = required("quarantine reason", reason)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let status: String = tx
            .query_row("SELECT status FROM files WHERE id = ?1", [file.0], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("file {file}")))?;
        if FileStatus::parse(&status)? == FileStatus::Drafted {
            return Err(StoreError::Conflict(format!(
                "file {file} is already drafted"
            )));
        }
        let ts = fmt_ts(now());
        tx.execute(
            "UPDATE files SET status = 'quarantined', reason = ?2, updated_at = ?3 WHERE id = ?1",
            params![file.0, reason, ts],
        )?;
        tx.execute(
            "INSERT INTO file_log (file_id, at, event, reason) VALUES (?1, ?2, 'quarantined', ?3)",
            params![file.0, ts, reason],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every quarantined file, oldest first, with reason and retry count.
    pub fn list_quarantine(&self) -> Result<Vec<FileInfo>> {
        self.files_where("f.status = 'quarantined'", &[])
    }

    /// Send a quarantined file back into the pipeline (`stored`, or `scanned` if its pages
    /// were saved) and count the retry. Returns the new status.
    pub fn retry_quarantined(&self, file: FileId) -> Result<FileStatus> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (status, pages): (String, i64) = tx
            .query_row(
                "SELECT status, (SELECT COUNT(*) FROM pages WHERE file_id = files.id)
                 FROM files WHERE id = ?1",
                [file.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("file {file}")))?;
        if FileStatus::parse(&status)? != FileStatus::Quarantined {
            return Err(StoreError::Conflict(format!(
                "file {file} is not quarantined"
            )));
        }
        let next = if pages > 0 {
            FileStatus::Scanned
        } else {
            FileStatus::Stored
        };
        let ts = fmt_ts(now());
        tx.execute(
            "UPDATE files SET status = ?2, retries = retries + 1, updated_at = ?3 WHERE id = ?1",
            params![file.0, next.as_str(), ts],
        )?;
        tx.execute(
            "INSERT INTO file_log (file_id, at, event) VALUES (?1, ?2, 'retry')",
            params![file.0, ts],
        )?;
        tx.commit()?;
        Ok(next)
    }

    /// History of a file's quarantines and retries: `(when, event, reason)`.
    pub fn file_history(
        &self,
        file: FileId,
    ) -> Result<Vec<(NaiveDateTime, String, Option<String>)>> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT at, event, reason FROM file_log WHERE file_id = ?1 ORDER BY id")?;
        let rows = st.query_map([file.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (at, ev, reason) = r?;
            out.push((parse_ts(&at)?, ev, reason));
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) fn page(file: &str, n: u32, text: &str) -> PageRecord {
    PageRecord {
        blank: text.is_empty(),
        lang: "kir+rus".into(),
        ..PageRecord::synthetic(file, n, &format!("{file}-{n}"), text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openings::sample_opening;
    use crate::testutil::store;

    #[test]
    fn adding_a_known_file_again_restores_its_missing_or_damaged_original() {
        let (_d, s) = store();
        let o = s.new_opening(sample_opening()).unwrap();
        let AddFileOutcome::New(id) = s.add_file(o, "scan.jpg", b"original-bytes").unwrap() else {
            panic!("expected new")
        };
        let sha = s.get_file(id).unwrap().sha256;
        let path = blob_path(s.files_dir(), &sha);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(s.check_blobs().unwrap(), vec![id]);
        assert!(s.read_file(id).is_err());
        assert_eq!(
            s.add_file(o, "again.jpg", b"original-bytes").unwrap(),
            AddFileOutcome::Known(id)
        );
        assert!(
            s.check_blobs().unwrap().is_empty(),
            "missing original restored"
        );
        std::fs::write(&path, b"damaged-bytes!").unwrap();
        assert_eq!(s.check_blobs().unwrap(), vec![id]);
        s.add_file(o, "again.jpg", b"original-bytes").unwrap();
        assert_eq!(s.read_file(id).unwrap(), b"original-bytes");
        assert!(
            s.check_blobs().unwrap().is_empty(),
            "damaged original replaced"
        );
        assert_eq!(s.list_files(o).unwrap().len(), 1, "no new row");
    }

    #[test]
    fn add_file_is_idempotent_by_hash() {
        let (_d, s) = store();
        let o = s.new_opening(sample_opening()).unwrap();
        let a = s.add_file(o, "../../etc/scan1.jpg", b"bytes-1").unwrap();
        let AddFileOutcome::New(id) = a else {
            panic!("expected new")
        };
        assert_eq!(
            s.add_file(o, "other-name.jpg", b"bytes-1").unwrap(),
            AddFileOutcome::Known(id)
        );
        let f = s.get_file(id).unwrap();
        assert_eq!(f.original_name, "scan1.jpg");
        assert_eq!(f.status, FileStatus::Stored);
        assert_eq!(s.read_file(id).unwrap(), b"bytes-1");
        assert_eq!(s.list_files(o).unwrap().len(), 1);
        assert!(s.check_blobs().unwrap().is_empty());
        assert!(matches!(
            s.add_file(OpeningId(77), "x", b"zz"),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            s.find_file_by_sha256(&f.sha256).unwrap().map(|f| f.id),
            Some(id)
        );
    }

    #[test]
    fn pages_and_status_in_one_step_and_idempotent() {
        let (_d, s) = store();
        let o = s.new_opening(sample_opening()).unwrap();
        let f = s.add_file(o, "a.pdf", b"pdf").unwrap().id();
        assert_eq!(s.files_pending(o).unwrap().len(), 1);
        let recs = vec![page("a", 1, "Салам"), page("a", 2, "")];
        let ids = s.save_pages(f, &recs).unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(s.get_file(f).unwrap().status, FileStatus::Scanned);
        assert_eq!(s.save_pages(f, &recs).unwrap(), ids);
        assert_eq!(s.page_record(ids[0]).unwrap().text, "Салам");
        let pages = s.pages_of_opening(o).unwrap();
        assert_eq!(pages.len(), 2);
        assert!(pages[1].blank);
        assert!(matches!(s.save_pages(f, &[]), Err(StoreError::Invalid(_))));
        // Duplicate page numbers roll back the whole file.
        let g = s.add_file(o, "b.pdf", b"pdf2").unwrap().id();
        let dup = vec![page("b", 1, "x"), page("b", 1, "y")];
        assert!(s.save_pages(g, &dup).is_err());
        assert!(s.pages_of_file(g).unwrap().is_empty());
        assert_eq!(s.get_file(g).unwrap().status, FileStatus::Stored);
    }

    #[test]
    fn quarantine_and_retry_are_recorded() {
        let (_d, s) = store();
        let o = s.new_opening(sample_opening()).unwrap();
        let good = s.add_file(o, "good.png", b"good").unwrap().id();
        let bad = s.add_file(o, "bad.png", b"bad").unwrap().id();
        s.quarantine(bad, "truncated: PNG ends early").unwrap();
        assert!(matches!(
            s.quarantine(bad, " "),
            Err(StoreError::Invalid(_))
        ));
        let q = s.list_quarantine().unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].reason.as_deref(), Some("truncated: PNG ends early"));
        assert!(matches!(
            s.save_pages(bad, &[page("bad", 1, "x")]),
            Err(StoreError::Conflict(_))
        ));
        let pending: Vec<_> = s.files_pending(o).unwrap().iter().map(|f| f.id).collect();
        assert_eq!(pending, vec![good]);
        assert_eq!(s.retry_quarantined(bad).unwrap(), FileStatus::Stored);
        assert!(matches!(
            s.retry_quarantined(bad),
            Err(StoreError::Conflict(_))
        ));
        let f = s.get_file(bad).unwrap();
        assert_eq!((f.status, f.retries), (FileStatus::Stored, 1));
        assert_eq!(s.file_history(bad).unwrap().len(), 2);
        // The retry count survives a reopen (it is in the database).
        let s2 = Store::open(s.data_dir()).unwrap();
        assert_eq!(s2.get_file(bad).unwrap().retries, 1);
    }
}
