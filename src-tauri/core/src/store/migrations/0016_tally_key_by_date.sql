-- A tally's key leads with its date. Tallies arrive in date order (a day's
-- file, a province's export), so each new key now lands at the end of the
-- key's index instead of in one of thousands of places (one per site); at 30
-- million tallies that index had outgrown any page cache and was read,
-- decrypted and written again page by page. The date index it leads with
-- made `dose_count_by_date` redundant.
--
-- SQLite cannot change a table's constraint in place: the table is rebuilt
-- (ids kept, so history and sync's records still name the same tallies).
-- History is set aside and made again after: a parent cannot be dropped
-- under rows that reference it while foreign keys are on, and a copy
-- beside it would reference it by name.

CREATE TABLE dose_count_v16 (
    id           INTEGER PRIMARY KEY,
    uuid         BLOB NOT NULL,
    site_id      INTEGER NOT NULL REFERENCES site(id),
    date         TEXT NOT NULL,
    shift        TEXT NOT NULL DEFAULT '',   -- free label; '' when not given
    dose_number  INTEGER NOT NULL CHECK (dose_number BETWEEN 1 AND 3),
    product      TEXT NOT NULL DEFAULT '',   -- product code; '' when not given
    doses        INTEGER NOT NULL CHECK (doses >= 0),
    source       TEXT NOT NULL DEFAULT 'import' CHECK (source = 'import' OR source = 'local'),
    updated_at   TEXT NOT NULL,
    withdrawn_at TEXT,
    held_at      TEXT
);
INSERT INTO dose_count_v16 (id, uuid, site_id, date, shift, dose_number, product, doses, source,
                            updated_at, withdrawn_at, held_at)
SELECT id, uuid, site_id, date, shift, dose_number, product, doses, source,
       updated_at, withdrawn_at, held_at
FROM dose_count ORDER BY id;

CREATE TEMP TABLE dose_count_history_v15 AS SELECT * FROM dose_count_history;

DROP VIEW counted_dose_count;
DROP TABLE dose_count_history;
DROP TABLE dose_count;
ALTER TABLE dose_count_v16 RENAME TO dose_count;

CREATE TABLE dose_count_history (
    id            INTEGER PRIMARY KEY,
    dose_count_id INTEGER NOT NULL REFERENCES dose_count(id),
    doses         INTEGER NOT NULL,
    source        TEXT NOT NULL,
    replaced_at   TEXT NOT NULL
);
INSERT INTO dose_count_history (id, dose_count_id, doses, source, replaced_at)
SELECT id, dose_count_id, doses, source, replaced_at FROM temp.dose_count_history_v15 ORDER BY id;
DROP TABLE temp.dose_count_history_v15;

CREATE UNIQUE INDEX dose_count_key ON dose_count(date, site_id, shift, dose_number, product);
CREATE INDEX dose_count_held ON dose_count(date) WHERE held_at IS NOT NULL;
CREATE INDEX dose_count_history_by_tally ON dose_count_history(dose_count_id, id);

CREATE VIEW counted_dose_count AS
SELECT * FROM dose_count WHERE withdrawn_at IS NULL AND held_at IS NULL;

-- The triggers as 0005 and 0006 left them (dropping the table dropped them).
CREATE TRIGGER dose_count_ai AFTER INSERT ON dose_count
WHEN NEW.withdrawn_at IS NULL AND NEW.held_at IS NULL BEGIN
    INSERT INTO site_day (site_id, date, administered) VALUES (NEW.site_id, NEW.date, NEW.doses)
    ON CONFLICT (site_id, date) DO UPDATE SET administered = administered + excluded.administered;
END;
CREATE TRIGGER dose_count_au AFTER UPDATE OF site_id, date, doses, withdrawn_at, held_at ON dose_count BEGIN
    UPDATE site_day SET administered = administered - OLD.doses
    WHERE OLD.withdrawn_at IS NULL AND OLD.held_at IS NULL AND site_id = OLD.site_id AND date = OLD.date;
    INSERT INTO site_day (site_id, date, administered)
    SELECT NEW.site_id, NEW.date, NEW.doses WHERE NEW.withdrawn_at IS NULL AND NEW.held_at IS NULL
    ON CONFLICT (site_id, date) DO UPDATE SET administered = administered + excluded.administered;
END;
CREATE TRIGGER dose_count_ad AFTER DELETE ON dose_count
WHEN OLD.withdrawn_at IS NULL AND OLD.held_at IS NULL BEGIN
    UPDATE site_day SET administered = administered - OLD.doses
    WHERE site_id = OLD.site_id AND date = OLD.date;
END;
CREATE TRIGGER sync_dose_count_i AFTER INSERT ON dose_count
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('dose_count', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_dose_count_u AFTER UPDATE ON dose_count
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('dose_count', NEW.id, NEW.id);
END;
