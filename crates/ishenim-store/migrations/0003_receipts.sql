-- Ishenim store, schema version 3: receipt codes for anonymous follow-up (issue 17).
-- The register never holds a code: only its keyed hash (HMAC-SHA-256 with the register's
-- secret, hex). Nothing records which slip went to whom. Additive only.

-- The register's secret key for the keyed hashes (one row, made at first use).
CREATE TABLE receipt_secret (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    secret     BLOB NOT NULL CHECK (length(secret) = 32),
    created_at TEXT NOT NULL
);

-- Codes printed on slips, and codes a reviewer confirmed that were never printed here
-- (issued_at NULL).
CREATE TABLE receipts (
    hash      TEXT PRIMARY KEY CHECK (length(hash) = 64),
    issued_at TEXT
);

-- A code linked to a journal entry at registration. Linked to the entry row, which never
-- changes, so amendments and events keep the link. `code_prefix` (the first four symbols,
-- 20 of the 55 bits) is what the notice board prints.
CREATE TABLE receipt_links (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL REFERENCES receipts(hash),
    entry_id    INTEGER NOT NULL REFERENCES entries(id),
    code_prefix TEXT NOT NULL,
    linked_at   TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    UNIQUE (hash, entry_id)
);
CREATE INDEX receipt_links_entry ON receipt_links(entry_id);

CREATE TRIGGER receipt_links_no_update BEFORE UPDATE ON receipt_links
    BEGIN SELECT RAISE(ABORT, 'receipt links are append-only'); END;
CREATE TRIGGER receipt_links_no_delete BEFORE DELETE ON receipt_links
    BEGIN SELECT RAISE(ABORT, 'receipt links are append-only'); END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
    BEGIN SELECT RAISE(ABORT, 'receipts are never deleted'); END;

INSERT OR IGNORE INTO settings (key, value) VALUES ('receipt_expiry_months', '6');
