-- The audit log: who did what to the store, and who looked at whom.
-- Append-only here (the triggers refuse an edit or a removal made through
-- any SQLite connection that keeps them), and hash-chained: each entry's
-- hash covers its own fields and the previous entry's hash, so an entry
-- edited, removed or reordered by other means breaks the chain
-- (`dosedesk-cli audit --verify`). It stays on this laptop: it never syncs.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,   -- UTC, RFC 3339
    actor     TEXT NOT NULL,   -- the signed-in user, else the system account
    action    TEXT NOT NULL,   -- e.g. import, book, tally, export, view_person, refused
    subject   TEXT NOT NULL,   -- what it was about: a file, a person id, a site-day
    detail    TEXT NOT NULL,   -- JSON
    prev_hash TEXT NOT NULL,   -- the hash of entry id - 1 (64 zeros for the first)
    hash      TEXT NOT NULL    -- SHA-256, hex, of the fields above (audit.rs)
);

CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: entries are never changed');
END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: entries are never removed');
END;
