-- Ishenim store, schema version 4: redaction boxes chosen by a reviewer (issue 18).
-- One row per save, per entry and page; the newest row of a page is the set the redacted
-- copy blacks out (a NULL set: back to the automatic boxes). Rows are never changed, so
-- who chose what and when stays readable. Additive only.
CREATE TABLE redaction_boxes (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries(id),
    page_id  INTEGER NOT NULL REFERENCES pages(id),
    boxes    TEXT,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
);
CREATE INDEX redaction_boxes_page ON redaction_boxes(entry_id, page_id, id);

CREATE TRIGGER redaction_boxes_no_update BEFORE UPDATE ON redaction_boxes
    BEGIN SELECT RAISE(ABORT, 'redaction boxes are append-only'); END;
CREATE TRIGGER redaction_boxes_no_delete BEFORE DELETE ON redaction_boxes
    BEGIN SELECT RAISE(ABORT, 'redaction boxes are append-only'); END;
