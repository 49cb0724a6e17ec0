-- Daily totals per site and for the region, kept current by triggers so the
-- charts and the dashboard read one row per day instead of summing tens of
-- millions of tallies and appointments. Bulk imports drop the triggers and
-- call day_totals::rebuild instead (see import/bookings.rs).

-- Doses one shift can give: the sum of its 5-minute slots' capacities
-- (FORMATS.md), the same rule as capacity::slot_capacity.
CREATE VIEW shift_doses AS
SELECT s.id, s.site_id, s.date,
       ((m.minutes + 4) / 5) *
       CASE WHEN s.capacity IS NOT NULL THEN s.capacity / max((m.minutes + 4) / 5, 1)
            ELSE CAST(s.vaccinators * 5 / site.minutes_per_dose + 1e-9 AS INTEGER) END AS doses
FROM shift s
JOIN site ON site.id = s.site_id
JOIN (SELECT id,
             (CAST(substr(end, 1, 2) AS INTEGER) * 60 + CAST(substr(end, 4, 2) AS INTEGER))
           - (CAST(substr(start, 1, 2) AS INTEGER) * 60 + CAST(substr(start, 4, 2) AS INTEGER)) AS minutes
      FROM shift) m ON m.id = s.id;

CREATE TABLE site_day (
    site_id      INTEGER NOT NULL REFERENCES site(id),
    date         TEXT NOT NULL,
    administered INTEGER NOT NULL DEFAULT 0,  -- clinic tallies (dose_count)
    booked       INTEGER NOT NULL DEFAULT 0,  -- active appointments (booked or attended)
    attended     INTEGER NOT NULL DEFAULT 0,  -- appointments marked attended
    capacity     INTEGER NOT NULL DEFAULT 0,  -- doses the day's shifts can give
    PRIMARY KEY (site_id, date)
) WITHOUT ROWID;
CREATE INDEX site_day_by_date ON site_day(date);

CREATE TABLE region_day (
    date         TEXT PRIMARY KEY,
    administered INTEGER NOT NULL DEFAULT 0,
    booked       INTEGER NOT NULL DEFAULT 0,
    attended     INTEGER NOT NULL DEFAULT 0,
    capacity     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- site_day → region_day
CREATE TRIGGER site_day_ai AFTER INSERT ON site_day BEGIN
    INSERT INTO region_day (date, administered, booked, attended, capacity)
    VALUES (NEW.date, NEW.administered, NEW.booked, NEW.attended, NEW.capacity)
    ON CONFLICT (date) DO UPDATE SET
        administered = administered + excluded.administered, booked = booked + excluded.booked,
        attended = attended + excluded.attended, capacity = capacity + excluded.capacity;
END;
CREATE TRIGGER site_day_au AFTER UPDATE ON site_day BEGIN
    UPDATE region_day SET
        administered = administered + NEW.administered - OLD.administered,
        booked = booked + NEW.booked - OLD.booked,
        attended = attended + NEW.attended - OLD.attended,
        capacity = capacity + NEW.capacity - OLD.capacity
    WHERE date = NEW.date;
END;
CREATE TRIGGER site_day_ad AFTER DELETE ON site_day BEGIN
    UPDATE region_day SET
        administered = administered - OLD.administered, booked = booked - OLD.booked,
        attended = attended - OLD.attended, capacity = capacity - OLD.capacity
    WHERE date = OLD.date;
END;

-- dose_count → site_day
CREATE TRIGGER dose_count_ai AFTER INSERT ON dose_count BEGIN
    INSERT INTO site_day (site_id, date, administered) VALUES (NEW.site_id, NEW.date, NEW.doses)
    ON CONFLICT (site_id, date) DO UPDATE SET administered = administered + excluded.administered;
END;
CREATE TRIGGER dose_count_au AFTER UPDATE OF site_id, date, doses ON dose_count BEGIN
    UPDATE site_day SET administered = administered - OLD.doses
    WHERE site_id = OLD.site_id AND date = OLD.date;
    INSERT INTO site_day (site_id, date, administered) VALUES (NEW.site_id, NEW.date, NEW.doses)
    ON CONFLICT (site_id, date) DO UPDATE SET administered = administered + excluded.administered;
END;
CREATE TRIGGER dose_count_ad AFTER DELETE ON dose_count BEGIN
    UPDATE site_day SET administered = administered - OLD.doses
    WHERE site_id = OLD.site_id AND date = OLD.date;
END;

-- appointment → site_day (slot_minute counts minutes since 1970-01-01 local)
CREATE TRIGGER appointment_ai AFTER INSERT ON appointment
WHEN NEW.status = 'booked' OR NEW.status = 'attended' BEGIN
    INSERT INTO site_day (site_id, date, booked, attended)
    VALUES (NEW.site_id, date(NEW.slot_minute * 60, 'unixepoch'), 1, NEW.status = 'attended')
    ON CONFLICT (site_id, date) DO UPDATE SET
        booked = booked + 1, attended = attended + excluded.attended;
END;
CREATE TRIGGER appointment_au AFTER UPDATE OF site_id, slot_minute, status ON appointment BEGIN
    UPDATE site_day SET booked = booked - 1, attended = attended - (OLD.status = 'attended')
    WHERE (OLD.status = 'booked' OR OLD.status = 'attended')
      AND site_id = OLD.site_id AND date = date(OLD.slot_minute * 60, 'unixepoch');
    INSERT INTO site_day (site_id, date, booked, attended)
    SELECT NEW.site_id, date(NEW.slot_minute * 60, 'unixepoch'), 1, NEW.status = 'attended'
    WHERE NEW.status = 'booked' OR NEW.status = 'attended'
    ON CONFLICT (site_id, date) DO UPDATE SET
        booked = booked + 1, attended = attended + excluded.attended;
END;
CREATE TRIGGER appointment_ad AFTER DELETE ON appointment
WHEN OLD.status = 'booked' OR OLD.status = 'attended' BEGIN
    UPDATE site_day SET booked = booked - 1, attended = attended - (OLD.status = 'attended')
    WHERE site_id = OLD.site_id AND date = date(OLD.slot_minute * 60, 'unixepoch');
END;

-- shift → site_day. AFTER triggers only: a BEFORE trigger's writes would
-- survive an UPDATE OR IGNORE that then skips the row. The doses expression
-- is the one of the shift_doses view, over OLD or NEW.
CREATE TRIGGER shift_ai AFTER INSERT ON shift BEGIN
    INSERT INTO site_day (site_id, date, capacity)
    VALUES (NEW.site_id, NEW.date, ((((CAST(substr(NEW.end, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.end, 4, 2) AS INTEGER)) - (CAST(substr(NEW.start, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.start, 4, 2) AS INTEGER))) + 4) / 5) * CASE WHEN NEW.capacity IS NOT NULL THEN NEW.capacity / max(((((CAST(substr(NEW.end, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.end, 4, 2) AS INTEGER)) - (CAST(substr(NEW.start, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.start, 4, 2) AS INTEGER))) + 4) / 5), 1)
             ELSE CAST(NEW.vaccinators * 5 / (SELECT minutes_per_dose FROM site WHERE id = NEW.site_id) + 1e-9 AS INTEGER) END)
    ON CONFLICT (site_id, date) DO UPDATE SET capacity = capacity + excluded.capacity;
END;
CREATE TRIGGER shift_au AFTER UPDATE OF site_id, date, start, end, vaccinators, capacity ON shift BEGIN
    UPDATE site_day SET capacity = capacity - (((((CAST(substr(OLD.end, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.end, 4, 2) AS INTEGER)) - (CAST(substr(OLD.start, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.start, 4, 2) AS INTEGER))) + 4) / 5) * CASE WHEN OLD.capacity IS NOT NULL THEN OLD.capacity / max(((((CAST(substr(OLD.end, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.end, 4, 2) AS INTEGER)) - (CAST(substr(OLD.start, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.start, 4, 2) AS INTEGER))) + 4) / 5), 1)
             ELSE CAST(OLD.vaccinators * 5 / (SELECT minutes_per_dose FROM site WHERE id = OLD.site_id) + 1e-9 AS INTEGER) END)
    WHERE site_id = OLD.site_id AND date = OLD.date;
    INSERT INTO site_day (site_id, date, capacity)
    VALUES (NEW.site_id, NEW.date, ((((CAST(substr(NEW.end, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.end, 4, 2) AS INTEGER)) - (CAST(substr(NEW.start, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.start, 4, 2) AS INTEGER))) + 4) / 5) * CASE WHEN NEW.capacity IS NOT NULL THEN NEW.capacity / max(((((CAST(substr(NEW.end, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.end, 4, 2) AS INTEGER)) - (CAST(substr(NEW.start, 1, 2) AS INTEGER) * 60 + CAST(substr(NEW.start, 4, 2) AS INTEGER))) + 4) / 5), 1)
             ELSE CAST(NEW.vaccinators * 5 / (SELECT minutes_per_dose FROM site WHERE id = NEW.site_id) + 1e-9 AS INTEGER) END)
    ON CONFLICT (site_id, date) DO UPDATE SET capacity = capacity + excluded.capacity;
END;
CREATE TRIGGER shift_ad AFTER DELETE ON shift BEGIN
    UPDATE site_day SET capacity = capacity - (((((CAST(substr(OLD.end, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.end, 4, 2) AS INTEGER)) - (CAST(substr(OLD.start, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.start, 4, 2) AS INTEGER))) + 4) / 5) * CASE WHEN OLD.capacity IS NOT NULL THEN OLD.capacity / max(((((CAST(substr(OLD.end, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.end, 4, 2) AS INTEGER)) - (CAST(substr(OLD.start, 1, 2) AS INTEGER) * 60 + CAST(substr(OLD.start, 4, 2) AS INTEGER))) + 4) / 5), 1)
             ELSE CAST(OLD.vaccinators * 5 / (SELECT minutes_per_dose FROM site WHERE id = OLD.site_id) + 1e-9 AS INTEGER) END)
    WHERE site_id = OLD.site_id AND date = OLD.date;
END;
-- A site's minutes per dose changes every one of its shifts' capacity.
CREATE TRIGGER site_minutes_au AFTER UPDATE OF minutes_per_dose ON site BEGIN
    UPDATE site_day SET capacity =
        coalesce((SELECT sum(doses) FROM shift_doses d WHERE d.site_id = site_day.site_id
                  AND d.date = site_day.date), 0)
    WHERE site_id = NEW.id;
END;

-- Backfill from what the store already holds.
INSERT INTO site_day (site_id, date, administered, booked, attended, capacity)
SELECT site_id, date, sum(administered), sum(booked), sum(attended), sum(capacity) FROM (
    SELECT site_id, date, doses AS administered, 0 AS booked, 0 AS attended, 0 AS capacity
    FROM dose_count
    UNION ALL
    SELECT site_id, date(slot_minute * 60, 'unixepoch'), 0, 1, status = 'attended', 0
    FROM appointment WHERE status = 'booked' OR status = 'attended'
    UNION ALL
    SELECT site_id, date, 0, 0, 0, doses FROM shift_doses
) GROUP BY site_id, date;

-- Days of a series (regional tallies or the provincial series) that the
-- figures flagged as implausible and a user has confirmed as real.
CREATE TABLE confirmed_day (
    series       TEXT NOT NULL CHECK (series = 'regional' OR series = 'provincial'),
    date         TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    PRIMARY KEY (series, date)
) WITHOUT ROWID;
