//! A watched scan folder (`ishenim serve --inbox DIR`, `ishenim watch DIR`).
//!
//! Scanners that save to a folder (scan-to-folder, a network share) drop files into
//! `DIR/<opening id>/` or into `DIR/` itself (then the newest opening takes them). At every
//! [`Inbox::poll`] the folder is listed; a file that is complete ([`complete`]: same size
//! and time at two polls, not empty, not a temporary name, not open for writing, not
//! locked) is stored with [`ishenim_ingest::store_bytes`] — the very path of uploads, so
//! the same bytes are never stored twice — and only once the register holds it is it moved
//! to `DIR/done/`. A crash between the two leaves the file in place; the next poll finds
//! its bytes already in the register and just moves it.
//!
//! Nothing is ever deleted that the register does not hold: a file that cannot be stored
//! (too large, unreadable) goes to `DIR/failed/` with `NAME.reason.txt` beside it, and so
//! does a stored file the scan later puts into quarantine ([`Inbox::settle`]; the register
//! keeps it in quarantine too, with the retry button of the opening's page). Scanner work
//! folders use [`AfterStore::Remove`] instead: their pages need no second copy.
//!
//! Messages name files and ids, never letter text.

pub mod complete;
pub mod failed;
pub mod sane;

use complete::{busy, is_temporary, Seen};
use ishenim_ingest::{store_bytes, Summary};
use ishenim_store::{FileId, FileStatus, OpeningId, Store, StoreError};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why the inbox stopped (a file that merely fails is not an error: see [`Event`]).
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The folder cannot be listed or a file cannot be moved.
    #[error("{path}: {source}")]
    Io {
        /// Which path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The register refused a read or write.
    #[error(transparent)]
    Ingest(#[from] ishenim_ingest::IngestError),
    /// The register refused a read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InboxError + '_ {
    move |source| InboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, InboxError>;

/// What happens to a file once the register holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterStore {
    /// Moved to `DIR/done/` (a scan folder the office looks at).
    MoveToDone,
    /// Removed (a scanner work folder of Ishenim's own; the register has the bytes).
    Remove,
}

/// How the inbox decides and what it does.
#[derive(Debug, Clone, Copy)]
pub struct InboxOptions {
    /// Wait for two equal looks before taking a file. Off only for folders whose writer
    /// renames a page into place when it is whole (`scanimage --batch`).
    pub require_stable: bool,
    /// What to do with a stored file.
    pub after_store: AfterStore,
}

impl Default for InboxOptions {
    fn default() -> Self {
        InboxOptions {
            require_stable: true,
            after_store: AfterStore::MoveToDone,
        }
    }
}

/// Something the caller should tell the clerk (names and ids only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Stored (new or already held) and moved out of the folder.
    Taken {
        /// File name.
        name: String,
        /// The register's file.
        file: FileId,
        /// Its opening.
        opening: OpeningId,
        /// False when the register already held the same bytes.
        new: bool,
    },
    /// Not stored, or quarantined: moved to `failed/` with a reason file.
    Failed {
        /// File name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Left in the folder for now (said once per file).
    Waiting {
        /// File name (with its subfolder).
        name: String,
        /// Why.
        why: String,
    },
}

/// What one poll did.
#[derive(Debug, Default)]
pub struct Round {
    /// Events in order.
    pub events: Vec<Event>,
    /// Openings that got files to scan.
    pub openings: BTreeSet<OpeningId>,
    /// Files seen but not (yet) complete.
    pub waiting: usize,
}

/// The watched folder and what it has seen so far.
pub struct Inbox {
    dir: PathBuf,
    opts: InboxOptions,
    seen: HashMap<PathBuf, Seen>,
    /// Files moved to `done/` whose scan has not ended yet.
    moved: HashMap<FileId, PathBuf>,
    told: HashSet<(PathBuf, String)>,
    /// Look only at this opening's folder (storing one opening's leftover scanner pages
    /// must not take another opening's).
    only: Option<OpeningId>,
}

/// The folder stored files go to.
pub const DONE: &str = "done";
/// The folder files that failed go to (with `NAME.reason.txt`).
pub const FAILED: &str = "failed";

/// The newest opening of the register (by the time the box was opened): where files
/// dropped straight into `DIR/` go. Openings are never closed in the register, so the
/// newest one is the one being worked on.
pub fn newest_opening(store: &Store) -> Result<Option<OpeningId>> {
    let all = store.list_openings()?;
    Ok(all
        .iter()
        .max_by_key(|o| (o.opened_at, o.id.0))
        .map(|o| o.id))
}

impl Inbox {
    /// Watches `dir` (created with `done/` and `failed/` when missing).
    pub fn new(dir: &Path, opts: InboxOptions) -> Result<Inbox> {
        for d in [dir.to_path_buf(), dir.join(DONE), dir.join(FAILED)] {
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
        Ok(Inbox {
            dir: dir.to_path_buf(),
            opts,
            seen: HashMap::new(),
            moved: HashMap::new(),
            told: HashSet::new(),
            only: None,
        })
    }

    /// Restricts the inbox to `DIR/<opening>/` (files of `DIR/` and of other openings'
    /// folders are left where they are).
    pub fn only(mut self, opening: OpeningId) -> Inbox {
        self.only = Some(opening);
        self
    }

    /// The watched folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// One look at the folder: stores and moves every complete file. `root` is the opening
    /// of files directly in `DIR/` (`None`: the newest opening).
    pub fn poll(
        &mut self,
        store: &Store,
        root: Option<OpeningId>,
        sum: &mut Summary,
    ) -> Result<Round> {
        let mut round = Round::default();
        let root = match root {
            Some(o) => Some(o),
            None => newest_opening(store)?,
        };
        let found = self.list(store, root, &mut round)?;
        let mut ready = Vec::new();
        let mut now_seen = HashMap::new();
        for (path, opening, seen) in found {
            let stable = self.seen.get(&path) == Some(&seen) && seen.size > 0;
            now_seen.insert(path.clone(), seen);
            if stable || (!self.opts.require_stable && seen.size > 0) {
                ready.push((path, opening, seen));
            } else {
                round.waiting += 1;
            }
        }
        self.seen = now_seen;
        let paths: Vec<PathBuf> = ready.iter().map(|(p, _, _)| p.clone()).collect();
        let busy = busy(&paths);
        for (path, opening, seen) in ready {
            if busy.contains(&path) {
                round.waiting += 1;
                self.tell(&mut round, &path, "open for writing or locked");
                continue;
            }
            self.take(store, &path, opening, seen, sum, &mut round)?;
        }
        Ok(round)
    }

    /// Files of `DIR/` and `DIR/<opening id>/`, in name order, with their opening.
    fn list(
        &mut self,
        store: &Store,
        root: Option<OpeningId>,
        round: &mut Round,
    ) -> Result<Vec<(PathBuf, OpeningId, Seen)>> {
        let mut out = Vec::new();
        let mut entries = read_sorted(&self.dir)?;
        let mut subdirs = Vec::new();
        let only = self.only.map(|o| o.0.to_string());
        for (path, name, meta) in entries.drain(..) {
            if meta.is_dir() {
                if name != DONE && name != FAILED && only.as_ref().is_none_or(|o| *o == name) {
                    subdirs.push((path, name));
                }
                continue;
            }
            if only.is_some() {
                continue;
            }
            self.consider(path, &name, &meta, root, &mut out, round);
        }
        for (path, name) in subdirs {
            let Ok(id) = name.parse::<i64>() else {
                self.tell(round, &path, "not an opening number: left alone");
                continue;
            };
            let opening = match store.get_opening(OpeningId(id)) {
                Ok(o) => Some(o.id),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            };
            for (p, n, meta) in read_sorted(&path)? {
                if meta.is_file() {
                    self.consider(p, &n, &meta, opening, &mut out, round);
                }
            }
        }
        Ok(out)
    }

    fn consider(
        &mut self,
        path: PathBuf,
        name: &str,
        meta: &std::fs::Metadata,
        opening: Option<OpeningId>,
        out: &mut Vec<(PathBuf, OpeningId, Seen)>,
        round: &mut Round,
    ) {
        if !meta.is_file() || is_temporary(name) {
            return;
        }
        match opening {
            Some(o) => out.push((path, o, Seen::of(meta))),
            None => self.tell(round, &path, "no such opening in the register: left alone"),
        }
    }

    /// Says `why` about `path` once (not at every poll).
    fn tell(&mut self, round: &mut Round, path: &Path, why: &str) {
        if self.told.insert((path.to_path_buf(), why.to_string())) {
            round.events.push(Event::Waiting {
                name: self.relative(path),
                why: why.to_string(),
            });
        }
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Stores one complete file, then moves it out of the folder.
    fn take(
        &mut self,
        store: &Store,
        path: &Path,
        opening: OpeningId,
        seen: Seen,
        sum: &mut Summary,
        round: &mut Round,
    ) -> Result<()> {
        let name = file_name(path);
        let max = ishenim_intake::Limits::default().max_bytes;
        if seen.size > max {
            let reason = format!(
                "file is too large ({} MiB; the limit is {} MiB)",
                seen.size >> 20,
                max >> 20
            );
            return self.fail(path, &name, opening, &reason, round);
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return self.fail(path, &name, opening, &format!("cannot read: {e}"), round),
        };
        if bytes.len() as u64 != seen.size {
            // Changed while being read: look again at the next poll.
            round.waiting += 1;
            return Ok(());
        }
        sum.inputs += 1;
        let before = sum.stored_new;
        let id = store_bytes(store, opening, &name, &bytes, sum)?;
        let info = store.get_file(id)?;
        if info.status == FileStatus::Quarantined {
            let reason = format!(
                "quarantined earlier (file {id}): {}",
                info.reason.unwrap_or_default()
            );
            return self.fail(path, &name, opening, &reason, round);
        }
        self.seen.remove(path);
        match self.opts.after_store {
            AfterStore::MoveToDone => {
                let to = move_into(path, &self.dir.join(DONE), &name)?;
                if info.status == FileStatus::Stored {
                    self.moved.insert(id, to);
                }
            }
            // Gone already: another taker (a scan, the web's or the CLI's store-left)
            // stored and removed the same page.
            AfterStore::Remove => match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(path)(e)),
            },
        }
        if info.status == FileStatus::Stored {
            round.openings.insert(info.opening_id);
        }
        round.events.push(Event::Taken {
            name,
            file: id,
            opening: info.opening_id,
            new: sum.stored_new > before,
        });
        Ok(())
    }

    /// Moves a file the register does not hold to `failed/` with its reason beside it.
    fn fail(
        &mut self,
        path: &Path,
        name: &str,
        opening: OpeningId,
        reason: &str,
        round: &mut Round,
    ) -> Result<()> {
        self.seen.remove(path);
        to_failed(&self.dir, path, name, opening, reason)?;
        round.events.push(Event::Failed {
            name: name.to_string(),
            reason: reason.to_string(),
        });
        Ok(())
    }

    /// After a scan: files this inbox moved to `done/` that the scan quarantined go on to
    /// `failed/` with the reason; files read well are forgotten. Returns the events.
    pub fn settle(&mut self, store: &Store) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        let ids: Vec<FileId> = self.moved.keys().copied().collect();
        for id in ids {
            let info = store.get_file(id)?;
            match info.status {
                FileStatus::Stored => continue,
                FileStatus::Scanned | FileStatus::Drafted => {}
                FileStatus::Quarantined => {
                    if let Some(path) = self.moved.get(&id) {
                        let name = file_name(path);
                        let reason = format!(
                            "quarantined (file {id}; retry from the opening's page or \
                             `ishenim quarantine retry {id}`): {}",
                            info.reason.clone().unwrap_or_default()
                        );
                        if path.exists() {
                            to_failed(&self.dir, path, &name, info.opening_id, &reason)?;
                        }
                        events.push(Event::Failed { name, reason });
                    }
                }
            }
            self.moved.remove(&id);
        }
        Ok(events)
    }

    /// After a restart: the files in `done/` whose register file is still waiting to be
    /// read or was quarantined (a run stopped after moving them, before [`Inbox::settle`])
    /// are taken up again, so that quarantined ones go on to `failed/` now and unread ones
    /// when their scan ends. A `done/` file is matched by its bytes (SHA-256), and only
    /// files with the size of such a register file are read, so a large `done/` costs a
    /// listing. Returns the events of the settle.
    pub fn resume(&mut self, store: &Store) -> Result<Vec<Event>> {
        let mut open = store.list_quarantine()?;
        for o in store.list_openings()? {
            let pending = store.files_pending(o.id)?;
            open.extend(
                pending
                    .into_iter()
                    .filter(|f| f.status == FileStatus::Stored),
            );
        }
        let mut by_size: HashMap<u64, Vec<(String, FileId)>> = HashMap::new();
        for f in open {
            by_size.entry(f.size).or_default().push((f.sha256, f.id));
        }
        if by_size.is_empty() {
            return Ok(Vec::new());
        }
        for (path, _, meta) in read_sorted(&self.dir.join(DONE))? {
            let Some(candidates) = meta.is_file().then(|| by_size.get(&meta.len())).flatten()
            else {
                continue;
            };
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            if let Some((_, id)) = candidates.iter().find(|(s, _)| *s == sha) {
                self.moved.entry(*id).or_insert(path);
            }
        }
        self.settle(store)
    }

    /// Files moved to `done/` whose scan has not ended yet.
    pub fn unsettled(&self) -> usize {
        self.moved.len()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

type Entry = (PathBuf, String, std::fs::Metadata);

/// Entries of `dir` in name order; links are not followed (a link is neither a file nor a
/// folder here, so it is left alone).
fn read_sorted(dir: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        out.push((e.path(), e.file_name().to_string_lossy().into_owned(), meta));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Writes `failed/NAME.reason.txt` (the reason on its second line, the opening the file
/// was meant for on a line of its own: [`failed::list`] reads both back), then moves the
/// file beside it.
fn to_failed(dir: &Path, path: &Path, name: &str, opening: OpeningId, reason: &str) -> Result<()> {
    let failed = dir.join(FAILED);
    let target = free_name(&failed, name);
    let target_name = file_name(&target);
    let note = failed.join(format!("{target_name}{}", failed::NOTE_SUFFIX));
    let text = format!(
        "Файл кабыл алынган жок / Файл не принят: {target_name}\n{reason}\n\
         {}{opening}\n\
         Себебин оңдоп, файлды кайра папкага салыңыз / Исправьте причину и положите файл в папку снова.\n",
        failed::OPENING_PREFIX
    );
    std::fs::write(&note, text).map_err(io(&note))?;
    std::fs::rename(path, &target).map_err(io(path))?;
    sync_dir(&failed);
    Ok(())
}

/// Moves `path` into `to_dir` under `name` (or `stem-2.ext`, … when taken) and makes the
/// move durable.
fn move_into(path: &Path, to_dir: &Path, name: &str) -> Result<PathBuf> {
    let target = free_name(to_dir, name);
    std::fs::rename(path, &target).map_err(io(path))?;
    sync_dir(to_dir);
    if let Some(parent) = path.parent() {
        sync_dir(parent);
    }
    Ok(target)
}

/// A name in `dir` not taken yet: `name`, then `stem-2.ext`, `stem-3.ext`, …
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2u32..)
        .map(|n| dir.join(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn store_with_opening(dir: &Path) -> (Store, OpeningId) {
        let store = Store::open(&dir.join("data")).expect("store");
        let o = store
            .new_opening(ishenim_store::NewOpening {
                opened_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
                    .and_then(|d| d.and_hms_opt(10, 0, 0))
                    .expect("date"),
                members: vec!["A".into()],
                seal_removed: "1".into(),
                seal_applied: "2".into(),
                letters_found: 1,
                notes: String::new(),
            })
            .expect("opening");
        (store, o)
    }

    #[test]
    fn a_file_is_taken_at_the_second_equal_look_and_never_twice() {
        let t = tempfile::tempdir().expect("tempdir");
        let (store, o) = store_with_opening(t.path());
        let inbox_dir = t.path().join("inbox");
        let mut inbox = Inbox::new(&inbox_dir, InboxOptions::default()).expect("inbox");
        std::fs::write(inbox_dir.join("a.png"), b"first bytes").expect("write");
        std::fs::write(inbox_dir.join("b.png.part"), b"partial").expect("write");
        let mut sum = Summary::default();
        let r = inbox.poll(&store, None, &mut sum).expect("poll");
        assert!(r.events.is_empty() && r.waiting == 1, "first look only");
        let r = inbox.poll(&store, None, &mut sum).expect("poll");
        assert_eq!(r.openings.into_iter().collect::<Vec<_>>(), vec![o]);
        assert!(inbox_dir.join("done/a.png").is_file());
        assert!(inbox_dir.join("b.png.part").is_file(), "temp names stay");
        // The same bytes again (a crash between store and move): moved, not stored again.
        std::fs::write(inbox_dir.join("a.png"), b"first bytes").expect("write");
        inbox.poll(&store, None, &mut sum).expect("poll");
        inbox.poll(&store, None, &mut sum).expect("poll");
        assert!(inbox_dir.join("done/a-2.png").is_file());
        assert_eq!(store.list_files(o).expect("files").len(), 1);
        assert_eq!((sum.stored_new, sum.already_stored), (1, 1));
    }

    #[test]
    fn after_a_restart_a_quarantined_file_in_done_goes_on_to_failed() {
        let t = tempfile::tempdir().expect("tempdir");
        let (store, _) = store_with_opening(t.path());
        let inbox_dir = t.path().join("inbox");
        let mut first = Inbox::new(&inbox_dir, InboxOptions::default()).expect("inbox");
        std::fs::write(inbox_dir.join("bad.png"), b"not a picture").expect("write");
        std::fs::write(inbox_dir.join("good.png"), b"other bytes").expect("write");
        let mut sum = Summary::default();
        first.poll(&store, None, &mut sum).expect("poll");
        let r = first.poll(&store, None, &mut sum).expect("poll");
        let id = |name: &str| {
            r.events.iter().find_map(|e| match e {
                Event::Taken { name: n, file, .. } if n == name => Some(*file),
                _ => None,
            })
        };
        let (bad, good) = (id("bad.png").expect("bad"), id("good.png").expect("good"));
        // The run stops here; the reader then quarantines one file without this inbox.
        drop(first);
        store.quarantine(bad, "cannot decode").expect("quarantine");
        let mut second = Inbox::new(&inbox_dir, InboxOptions::default()).expect("inbox");
        let events = second.resume(&store).expect("resume");
        assert!(matches!(&events[..], [Event::Failed { name, .. }] if name == "bad.png"));
        assert!(inbox_dir.join("failed/bad.png").is_file());
        assert!(inbox_dir.join("failed/bad.png.reason.txt").is_file());
        assert!(inbox_dir.join("done/good.png").is_file());
        assert_eq!(second.unsettled(), 1, "the unread one is still watched");
        assert_eq!(
            store.get_file(good).expect("file").status,
            FileStatus::Stored
        );
    }

    #[test]
    fn an_unknown_opening_folder_is_left_alone() {
        let t = tempfile::tempdir().expect("tempdir");
        let (store, _) = store_with_opening(t.path());
        let inbox_dir = t.path().join("inbox");
        let mut inbox = Inbox::new(&inbox_dir, InboxOptions::default()).expect("inbox");
        std::fs::create_dir_all(inbox_dir.join("99")).expect("mkdir");
        std::fs::write(inbox_dir.join("99/a.png"), b"x").expect("write");
        let mut sum = Summary::default();
        for _ in 0..3 {
            inbox.poll(&store, None, &mut sum).expect("poll");
        }
        assert!(inbox_dir.join("99/a.png").is_file());
        assert_eq!(sum.inputs, 0);
    }

    /// A scan killed with the server: the whole pages left in the opening's work folder are
    /// stored now (identical pages once), a half page nobody writes is removed, one still
    /// being written stays, and another opening's folder is not touched.
    #[test]
    fn pages_a_killed_scan_left_are_stored_once_and_half_pages_removed() {
        let t = tempfile::tempdir().expect("tempdir");
        let (store, o1) = store_with_opening(t.path());
        let o2 = store
            .new_opening(ishenim_store::NewOpening {
                opened_at: chrono::NaiveDate::from_ymd_opt(2026, 2, 5)
                    .and_then(|d| d.and_hms_opt(10, 0, 0))
                    .expect("date"),
                members: vec!["B".into()],
                seal_removed: "3".into(),
                seal_applied: "4".into(),
                letters_found: 1,
                notes: String::new(),
            })
            .expect("opening");
        let w1 = work_dir(&store, o1);
        let w2 = work_dir(&store, o2);
        std::fs::create_dir_all(&w1).expect("mkdir");
        std::fs::create_dir_all(&w2).expect("mkdir");
        std::fs::write(w1.join("b1-p0001.png"), b"page bytes").expect("write");
        std::fs::write(w1.join("b1-p0002.png"), b"page bytes").expect("write");
        std::fs::write(w1.join("b1-p0003.png"), b"other page").expect("write");
        std::fs::write(w1.join("b1-p0004.png.part"), b"half").expect("write");
        let mut writing = std::fs::File::create(w1.join("b2-p0001.png.part")).expect("part");
        std::io::Write::write_all(&mut writing, b"still coming").expect("write");
        std::fs::write(w2.join("b9-p0001.png"), b"not this opening").expect("write");
        assert_eq!(left_pages(&store, o1), LeftPages { pages: 3, parts: 2 });

        let mut sum = Summary::default();
        let r = store_left_pages(&store, o1, &mut sum).expect("store");
        assert_eq!(count_taken(&r), 3);
        assert_eq!(r.openings.iter().copied().collect::<Vec<_>>(), vec![o1]);
        assert_eq!(
            store.list_files(o1).expect("files").len(),
            2,
            "identical once"
        );
        assert!(store.list_files(o2).expect("files").is_empty());
        assert_eq!(left_pages(&store, o1), LeftPages { pages: 0, parts: 1 });
        assert!(
            w1.join("b2-p0001.png.part").is_file(),
            "still written: kept"
        );
        assert!(
            w2.join("b9-p0001.png").is_file(),
            "another opening's page stays"
        );
        drop(writing);
        let r = store_left_pages(&store, o1, &mut sum).expect("again");
        assert!(r.events.is_empty());
        assert_eq!(left_pages(&store, o1), LeftPages::default());
        assert_eq!(
            store.list_files(o1).expect("files").len(),
            2,
            "nothing twice"
        );
    }

    #[test]
    fn a_scan_stalls_only_when_nothing_moves() {
        let limit = std::time::Duration::from_millis(80);
        let mut watch = Progress::new(limit);
        assert!(!watch.stalled((1, 10), 0), "a new file is progress");
        std::thread::sleep(limit * 2);
        assert!(!watch.stalled((1, 20), 0), "a growing page is progress");
        std::thread::sleep(limit * 2);
        assert!(!watch.stalled((0, 0), 1), "a page taken is progress");
        std::thread::sleep(limit * 2);
        assert!(
            watch.stalled((0, 0), 1),
            "nothing moved for twice the limit"
        );
    }

    #[test]
    fn free_names_do_not_overwrite() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::write(t.path().join("a.png"), b"1").expect("write");
        std::fs::write(t.path().join("a-2.png"), b"1").expect("write");
        assert_eq!(free_name(t.path(), "a.png"), t.path().join("a-3.png"));
        assert_eq!(free_name(t.path(), "b"), t.path().join("b"));
    }
}

/// The scanner settings of the register (`scanner_*`), with `device`/`source` given on the
/// command line taking precedence. `source` `auto` asks the device for its sources.
pub fn scan_settings(
    store: &Store,
    device: Option<&str>,
    source: Option<&str>,
) -> std::result::Result<sane::ScanSettings, ScanError> {
    let get = |k: &str| store.setting(k).map_err(ScanError::Store);
    let device = match device {
        Some(d) => d.to_string(),
        None => get("scanner_device")?.ok_or(ScanError::NotSet)?,
    };
    let source = match source.map(str::to_string).or(get("scanner_source")?) {
        Some(s) if s != "auto" => Some(s),
        _ => sane::pick_source(&sane::sources(&device).map_err(ScanError::Scanner)?),
    };
    let resolution = get("scanner_resolution")?
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    Ok(sane::ScanSettings {
        device,
        source,
        mode: get("scanner_mode")?,
        resolution,
        stall_after: sane::stall_after(),
    })
}

/// Why a scan into an opening could not run or ended early.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No scanner chosen yet.
    #[error(
        "no scanner is set (admin page, or `ishenim settings set scanner_device NAME`) / \
             сканер тандалган эмес / сканер не выбран"
    )]
    NotSet,
    /// The scanner said no.
    #[error("{}", .0.message())]
    Scanner(sane::Problem),
    /// The register refused.
    #[error(transparent)]
    Store(StoreError),
    /// Storing pages failed.
    #[error(transparent)]
    Inbox(#[from] InboxError),
}

/// Runs one `scanimage --batch` into the opening: pages land in
/// `<data>/scanner/<opening>/`, and every `poll` the pages already whole are stored
/// (the upload path) and removed from there; `on_round` is called after each look that
/// took pages, also pages the register already held (identical pages: a live count of
/// pages must still move), and `Round::openings` names those with new pages to read (the
/// caller scans them, or queues the ingest worker). Returns how the
/// batch ended: the pages stored before a jam stay stored. When `cancel` becomes true the
/// scanner is stopped ([`sane::Batch::cancel`]), the whole pages it wrote are still stored,
/// and the outcome says [`sane::Problem::Cancelled`]. A scanner that writes nothing and
/// takes no page for [`sane::ScanSettings::stall_after`] is stopped the same way and the
/// outcome says [`sane::Problem::Stalled`]: a hung driver must not hang the opening.
pub fn scan_into(
    store: &Store,
    opening: OpeningId,
    settings: &sane::ScanSettings,
    poll: std::time::Duration,
    cancel: &std::sync::atomic::AtomicBool,
    sum: &mut Summary,
    mut on_round: impl FnMut(&Round),
) -> std::result::Result<sane::Outcome, ScanError> {
    let work = store.data_dir().join("scanner");
    let mut inbox = Inbox::new(
        &work,
        InboxOptions {
            require_stable: false,
            after_store: AfterStore::Remove,
        },
    )?;
    let dir = work.join(opening.0.to_string());
    let prefix = format!(
        "b{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    // Pages a stopped scan left behind go in first; its half pages cannot be finished.
    let r = inbox.poll(store, Some(opening), sum)?;
    remove_parts(&dir)?;
    let mut taken = count_taken(&r);
    if !r.events.is_empty() {
        on_round(&r);
    }
    let mut batch = sane::Batch::start(settings, &dir, &prefix).map_err(ScanError::Scanner)?;
    let mut stopped = None;
    let mut watch = Progress::new(settings.stall_after);
    loop {
        if stopped.is_none() {
            if cancel.load(std::sync::atomic::Ordering::SeqCst) {
                stopped = Some(sane::Problem::Cancelled);
            } else if watch.stalled(batch.written(), taken) {
                stopped = Some(sane::Problem::Stalled);
            }
            if stopped.is_some() {
                batch.cancel(std::time::Duration::from_secs(3));
            }
        }
        let ended = batch.finished();
        let r = inbox.poll(store, Some(opening), sum)?;
        taken += count_taken(&r);
        if !r.events.is_empty() {
            on_round(&r);
        }
        if ended {
            break;
        }
        std::thread::sleep(poll);
    }
    let mut outcome = batch.wait(taken);
    if stopped.is_some() {
        outcome.problem = stopped;
    }
    Ok(outcome)
}

/// When a scan last moved: a file of the batch appeared or grew, or a page was taken.
struct Progress {
    last: ((usize, u64), usize),
    since: std::time::Instant,
    limit: std::time::Duration,
}

impl Progress {
    fn new(limit: std::time::Duration) -> Progress {
        Progress {
            last: ((0, 0), 0),
            since: std::time::Instant::now(),
            limit,
        }
    }

    /// True when nothing moved for longer than the limit.
    fn stalled(&mut self, written: (usize, u64), taken: usize) -> bool {
        if (written, taken) != self.last {
            self.last = (written, taken);
            self.since = std::time::Instant::now();
        }
        self.since.elapsed() > self.limit
    }
}

fn count_taken(r: &Round) -> usize {
    r.events
        .iter()
        .filter(|e| matches!(e, Event::Taken { .. }))
        .count()
}

/// An opening's scanner work folder, `<data>/scanner/<opening>/`, where `scanimage`
/// writes the pages of a scan into that opening.
pub fn work_dir(store: &Store, opening: OpeningId) -> PathBuf {
    store.data_dir().join("scanner").join(opening.0.to_string())
}

/// What a scan that did not end (the server was killed or the power went) left in an
/// opening's work folder: the running scan stores its pages as they come, so whole pages
/// here mean nobody will store them until the next scan, unless the clerk is told.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftPages {
    /// Whole pages (not empty, not a temporary name) not yet in the register.
    pub pages: usize,
    /// Pages `scanimage` was still writing when it stopped (`*.part`).
    pub parts: usize,
}

/// True while a process (a `scanimage` of this or another Ishenim process) names the
/// opening's work folder on its command line: a scan is writing there and stores its
/// own pages, so nobody else should take them.
pub fn scan_running_into(store: &Store, opening: OpeningId) -> bool {
    let dir = work_dir(store, opening);
    let needle = format!("{}/", dir.display());
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    procs
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|c| {
            c.split(|b| *b == 0)
                .any(|arg| String::from_utf8_lossy(arg).contains(&needle))
        })
}

/// Counts what [`LeftPages`] describes; a missing folder is an empty one.
pub fn left_pages(store: &Store, opening: OpeningId) -> LeftPages {
    let mut left = LeftPages::default();
    let Ok(entries) = read_sorted(&work_dir(store, opening)) else {
        return left;
    };
    for (_, name, meta) in entries {
        if !meta.is_file() {
            continue;
        }
        if name.ends_with(".part") {
            left.parts += 1;
        } else if !is_temporary(&name) && meta.len() > 0 {
            left.pages += 1;
        }
    }
    left
}

/// Stores the whole pages left in the opening's work folder now — one look, the very
/// look a scan makes at its start, so a page goes to the register (or, when refused, to
/// `<data>/scanner/failed/` with its reason) and only then leaves the folder — and removes
/// the `*.part` pages no process is writing any more (a half page cannot be finished).
/// Only this opening's folder is looked at. The caller queues the reading of
/// `Round::openings`.
pub fn store_left_pages(store: &Store, opening: OpeningId, sum: &mut Summary) -> Result<Round> {
    let mut inbox = Inbox::new(
        &store.data_dir().join("scanner"),
        InboxOptions {
            require_stable: false,
            after_store: AfterStore::Remove,
        },
    )?
    .only(opening);
    let round = inbox.poll(store, Some(opening), sum)?;
    remove_parts(&work_dir(store, opening))?;
    Ok(round)
}

/// Removes `*.part` files of `dir` that no process has open for writing.
fn remove_parts(dir: &Path) -> Result<()> {
    let parts: Vec<PathBuf> = match read_sorted(dir) {
        Ok(e) => e
            .into_iter()
            .filter(|(_, n, m)| m.is_file() && n.ends_with(".part"))
            .map(|(p, _, _)| p)
            .collect(),
        Err(_) => return Ok(()),
    };
    let busy = busy(&parts);
    for p in parts.iter().filter(|p| !busy.contains(*p)) {
        match std::fs::remove_file(p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(p)(e)),
        }
    }
    sync_dir(dir);
    Ok(())
}
