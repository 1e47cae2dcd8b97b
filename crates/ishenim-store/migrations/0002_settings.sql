-- Ishenim store, schema version 2: register settings.
-- The `settings` key/value table (version 1) records who changed a value and when, the
-- anonymous-appeal policy gets its explicit spelling (`register` meant "register and
-- consider"), and every default is present again if a row was removed by hand.
-- Additive only: nothing that version 1 wrote is changed except that one spelling.

ALTER TABLE settings ADD COLUMN updated_at TEXT;
ALTER TABLE settings ADD COLUMN updated_by TEXT;

UPDATE settings SET value = 'register_and_consider'
    WHERE key = 'anonymous_policy' AND value = 'register';

INSERT OR IGNORE INTO settings (key, value) VALUES
    ('registration_working_days', '1'),
    ('consideration_days', '14'),
    ('consideration_unit', 'calendar'),
    ('anonymous_policy', 'register_and_consider');
