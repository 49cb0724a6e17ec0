-- Sync: every change to a row that travels is recorded in the same
-- transaction as the write, as a range of local row ids (`sync_change`); a
-- bulk load, whose triggers are set aside, records one range for all it
-- wrote. Rows written by a pull are not recorded again: the pull holds a row
-- in `sync_quiet` for the length of its transaction, which no other
-- connection sees.
CREATE TABLE sync_change (
    seq INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    lo  INTEGER NOT NULL,
    hi  INTEGER NOT NULL CHECK (hi >= lo)
);
CREATE INDEX sync_change_by_table ON sync_change(tbl, lo);
CREATE TABLE sync_quiet (one INTEGER PRIMARY KEY CHECK (one = 1));

-- A deleted row that travels leaves its natural key (JSON), so the push can
-- tell the server. Only shifts are ever deleted (a plan's undo).
CREATE TABLE sync_tombstone (
    seq INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    key TEXT NOT NULL
);

-- The server's version of each row as this laptop last saw it: a push
-- names it, so the server can tell a change made on top of the latest
-- value from one made on top of an older one (a conflict).
CREATE TABLE sync_row (
    tbl     TEXT NOT NULL,
    wire_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (tbl, wire_id)
) WITHOUT ROWID;

-- Conflicts the server reported: both values, until a manager chooses.
CREATE TABLE sync_conflict (
    id             INTEGER PRIMARY KEY,
    server_id      INTEGER NOT NULL UNIQUE,
    tbl            TEXT NOT NULL,
    wire_id        TEXT NOT NULL,
    site           TEXT,
    kind           TEXT NOT NULL,
    local_data     TEXT,            -- JSON; NULL when this side deleted the row
    server_data    TEXT,            -- JSON; NULL when the server has no such row
    server_version INTEGER NOT NULL,
    detected_at    TEXT NOT NULL,
    resolved_at    TEXT,
    resolution     TEXT CHECK (resolution IS NULL OR resolution = 'local' OR resolution = 'server')
);

-- Bookings made in the app have no booking_id: a pulled change finds them
-- by their uuid. Imported ones are found by booking_id.
CREATE INDEX appointment_local_by_uuid ON appointment(uuid) WHERE booking_id IS NULL;
CREATE INDEX contact_attempt_by_uuid ON contact_attempt(uuid);
CREATE INDEX plan_by_uuid ON plan(uuid);

CREATE TRIGGER sync_site_i AFTER INSERT ON site
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('site', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_site_u AFTER UPDATE ON site
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('site', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_shift_i AFTER INSERT ON shift
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('shift', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_shift_u AFTER UPDATE ON shift
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('shift', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_supply_i AFTER INSERT ON supply
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('supply', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_supply_u AFTER UPDATE ON supply
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('supply', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_plan_i AFTER INSERT ON plan
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('plan', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_plan_u AFTER UPDATE ON plan
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('plan', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_appointment_i AFTER INSERT ON appointment
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('appointment', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_appointment_u AFTER UPDATE ON appointment
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('appointment', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_dose_count_i AFTER INSERT ON dose_count
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('dose_count', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_dose_count_u AFTER UPDATE ON dose_count
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('dose_count', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_contact_attempt_i AFTER INSERT ON contact_attempt
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('contact_attempt', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_contact_attempt_u AFTER UPDATE ON contact_attempt
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('contact_attempt', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_shift_d AFTER DELETE ON shift
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_tombstone (tbl, key)
    SELECT 'shift', json_object('site', code, 'date', OLD.date, 'start', OLD.start)
    FROM site WHERE id = OLD.site_id;
END;
-- A person's details travel inside their appointments' rows, and a call's
-- outcome is seen where its appointment is: changing either sends the rows
-- that carry or follow it.
CREATE TRIGGER sync_person_i AFTER INSERT ON person
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi)
    SELECT 'appointment', id, id FROM appointment WHERE person_id = NEW.person_id;
END;
CREATE TRIGGER sync_person_u AFTER UPDATE ON person
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi)
    SELECT 'appointment', id, id FROM appointment WHERE person_id = NEW.person_id;
END;
CREATE TRIGGER sync_appointment_moved AFTER UPDATE OF site_id ON appointment
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) AND OLD.site_id IS NOT NEW.site_id BEGIN
    INSERT INTO sync_change (tbl, lo, hi)
    SELECT 'contact_attempt', id, id FROM contact_attempt WHERE appointment_id = NEW.id;
END;

-- Bundles carried in from laptops with no network: each batch waits here,
-- as it was signed by the laptop that made it, until a sync forwards it.
CREATE TABLE sync_outbox (
    seq         INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL UNIQUE,
    device      TEXT NOT NULL,
    body        TEXT NOT NULL,      -- the batch's JSON, exactly as signed
    signature   TEXT NOT NULL,      -- HMAC-SHA256 of body, hex
    received_at TEXT NOT NULL
);
