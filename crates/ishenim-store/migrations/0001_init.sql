-- Ishenim store, schema version 1.
-- Only the store crate speaks SQL. Registration data is append-only (triggers below);
-- the hash chain in `chain.rs` catches changes made with the triggers dropped.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES
    ('registration_working_days', '1'),
    ('consideration_days', '14'),
    ('consideration_unit', 'calendar'),
    ('anonymous_policy', 'register');

-- Box openings (the opening protocol / journal of box openings).
CREATE TABLE openings (
    id            INTEGER PRIMARY KEY,
    opened_at     TEXT NOT NULL,
    members       TEXT NOT NULL,                 -- JSON array of names
    seal_removed  TEXT NOT NULL,
    seal_applied  TEXT NOT NULL,
    letters_found INTEGER NOT NULL CHECK (letters_found >= 0),
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE TRIGGER openings_no_delete BEFORE DELETE ON openings
BEGIN SELECT RAISE(ABORT, 'openings are never deleted'); END;

-- Uploaded originals, stored unmodified under files/ab/<sha256>.
CREATE TABLE files (
    id            INTEGER PRIMARY KEY,
    opening_id    INTEGER NOT NULL REFERENCES openings(id),
    sha256        TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    original_name TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size >= 0),
    status        TEXT NOT NULL CHECK (status IN ('stored', 'scanned', 'drafted', 'quarantined')),
    reason        TEXT,
    retries       INTEGER NOT NULL DEFAULT 0,
    added_at      TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX files_opening ON files (opening_id, status);
CREATE TRIGGER files_no_delete BEFORE DELETE ON files
BEGIN SELECT RAISE(ABORT, 'files are never deleted'); END;
CREATE TRIGGER files_hash_fixed BEFORE UPDATE OF sha256, size, opening_id ON files
BEGIN SELECT RAISE(ABORT, 'a stored file never changes'); END;

-- History of quarantine and retries (kept in the database, not in memory).
CREATE TABLE file_log (
    id      INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    at      TEXT NOT NULL,
    event   TEXT NOT NULL,
    reason  TEXT
);
CREATE INDEX file_log_file ON file_log (file_id, id);

-- Scanned pages: the `ishenim scan --json` record plus key columns.
CREATE TABLE pages (
    id        INTEGER PRIMARY KEY,
    file_id   INTEGER NOT NULL REFERENCES files(id),
    page_no   INTEGER NOT NULL,
    stem      TEXT NOT NULL,
    blank     INTEGER NOT NULL,
    mean_conf REAL NOT NULL,
    lang      TEXT NOT NULL,
    record    TEXT NOT NULL,
    UNIQUE (file_id, page_no)
);
CREATE TRIGGER pages_no_delete BEFORE DELETE ON pages
BEGIN SELECT RAISE(ABORT, 'pages are never deleted'); END;

-- Letter drafts (working state before approval).
CREATE TABLE drafts (
    id             INTEGER PRIMARY KEY,
    opening_id     INTEGER NOT NULL REFERENCES openings(id),
    data           TEXT NOT NULL,
    applicant_name TEXT,
    anonymous      INTEGER NOT NULL,
    phone          TEXT,
    category       TEXT,
    corruption     INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
    created_at     TEXT NOT NULL,
    decided_by     TEXT,
    decided_at     TEXT,
    reason         TEXT
);
CREATE INDEX drafts_status ON drafts (status, id);
CREATE TRIGGER drafts_decided_final BEFORE UPDATE ON drafts
WHEN OLD.status IN ('approved', 'rejected')
BEGIN SELECT RAISE(ABORT, 'a decided draft never changes'); END;
CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts are never deleted'); END;

-- A page belongs to at most one draft: this is what makes draft saving idempotent.
CREATE TABLE draft_pages (
    page_id  INTEGER PRIMARY KEY REFERENCES pages(id),
    draft_id INTEGER NOT NULL REFERENCES drafts(id),
    ord      INTEGER NOT NULL
);
CREATE INDEX draft_pages_draft ON draft_pages (draft_id, ord);

-- The journal. `seq` is the position in the one hash chain shared with amendments and events.
CREATE TABLE entries (
    id               INTEGER PRIMARY KEY,
    seq              INTEGER NOT NULL UNIQUE,
    year             INTEGER NOT NULL,
    number           INTEGER NOT NULL CHECK (number >= 1),
    registered_at    TEXT NOT NULL,
    box_date         TEXT NOT NULL,
    opening_id       INTEGER NOT NULL REFERENCES openings(id),
    draft_id         INTEGER NOT NULL UNIQUE REFERENCES drafts(id),
    page_ids         TEXT NOT NULL,
    applicant_name   TEXT,
    anonymous        INTEGER NOT NULL,
    address          TEXT,
    phone            TEXT,
    brief            TEXT NOT NULL,
    category         TEXT NOT NULL,
    corruption       INTEGER NOT NULL,
    official         TEXT,
    registration_due TEXT NOT NULL,
    deadline         TEXT NOT NULL,
    approved_by      TEXT NOT NULL,
    chain_v          INTEGER NOT NULL,
    hash             BLOB NOT NULL,
    UNIQUE (year, number)
);

CREATE TABLE amendments (
    id        INTEGER PRIMARY KEY,
    seq       INTEGER NOT NULL UNIQUE,
    entry_id  INTEGER NOT NULL REFERENCES entries(id),
    at        TEXT NOT NULL,
    user      TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason    TEXT NOT NULL,
    chain_v   INTEGER NOT NULL,
    hash      BLOB NOT NULL
);
CREATE INDEX amendments_entry ON amendments (entry_id, seq);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    seq        INTEGER NOT NULL UNIQUE,
    entry_id   INTEGER NOT NULL REFERENCES entries(id),
    at         TEXT NOT NULL,
    user       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('assign', 'measures', 'reply', 'status', 'extend')),
    official   TEXT,
    measures   TEXT,
    reply_no   TEXT,
    reply_date TEXT,
    status     TEXT CHECK (status IS NULL OR status IN ('registered', 'assigned', 'answered', 'redirected', 'closed')),
    deadline   TEXT,
    reason     TEXT,
    chain_v    INTEGER NOT NULL,
    hash       BLOB NOT NULL
);
CREATE INDEX events_entry ON events (entry_id, seq);

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only: record an amendment'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;
CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Working-day calendar overrides: 'holiday' makes a day non-working (Orozo Ait, Kurman Ait,
-- a holiday moved by decree), 'workday' makes a day working (a weekend day moved by decree,
-- or a fixed holiday cancelled).
CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    login      TEXT NOT NULL UNIQUE,
    phc        TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('clerk', 'reviewer', 'commission', 'admin')),
    lang       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Who viewed, approved, amended or exported what. Never appeal text.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    user   TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
