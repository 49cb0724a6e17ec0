-- Booking-check results kept per site-day and per person, so the Checks and
-- Rebooking views read a few rows instead of re-checking tens of millions of
-- bookings each time they open. Triggers only mark what a change touched as
-- dirty; checks::refresh re-checks just those site-days and people (the rules
-- live in Rust, in one place) and the totals follow by trigger. When the
-- results are not valid (a new store, a bulk import, a changed product
-- interval or eligibility phase), refresh recomputes everything once.

CREATE TABLE check_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    -- 1 when check_site_day / check_person hold every site-day's / person's result.
    site_days_valid  INTEGER NOT NULL DEFAULT 0,
    people_valid     INTEGER NOT NULL DEFAULT 0,
    overbooked_slots          INTEGER NOT NULL DEFAULT 0,
    excess_bookings           INTEGER NOT NULL DEFAULT 0,
    outside_shift_bookings    INTEGER NOT NULL DEFAULT 0,
    duplicate_people          INTEGER NOT NULL DEFAULT 0,
    orphan_first_doses        INTEGER NOT NULL DEFAULT 0,
    second_dose_out_of_window INTEGER NOT NULL DEFAULT 0,
    not_yet_eligible          INTEGER NOT NULL DEFAULT 0
);
INSERT INTO check_state (id) VALUES (1);

-- Site-days with a slot finding; days with none have no row.
CREATE TABLE check_site_day (
    site_id                INTEGER NOT NULL,
    date                   TEXT NOT NULL,
    overbooked_slots       INTEGER NOT NULL,
    excess_bookings        INTEGER NOT NULL,
    outside_shift_bookings INTEGER NOT NULL,
    PRIMARY KEY (site_id, date)
) WITHOUT ROWID;
CREATE INDEX check_site_day_by_excess ON check_site_day(excess_bookings DESC, date)
    WHERE excess_bookings > 0;

-- The over-capacity slots of those site-days, for the rebooking desk.
CREATE TABLE check_slot (
    site_id         INTEGER NOT NULL,
    slot_minute     INTEGER NOT NULL,  -- the slot's start, minutes since 1970-01-01 local
    excess_bookings INTEGER NOT NULL,
    PRIMARY KEY (site_id, slot_minute)
) WITHOUT ROWID;
CREATE INDEX check_slot_by_minute ON check_slot(slot_minute);

-- People with a finding; everyone else has no row.
CREATE TABLE check_person (
    person_id        TEXT PRIMARY KEY,
    duplicate        INTEGER NOT NULL,  -- 0 or 1: booked twice for one dose
    orphan_first     INTEGER NOT NULL,  -- 0 or 1: a first dose and no second
    out_of_window    INTEGER NOT NULL,  -- 0 or 1: second dose outside the interval
    not_yet_eligible INTEGER NOT NULL   -- first-dose bookings before eligibility
) WITHOUT ROWID;

CREATE TABLE check_dirty_site_day (
    site_id INTEGER NOT NULL,
    date    TEXT NOT NULL,
    PRIMARY KEY (site_id, date)
) WITHOUT ROWID;

CREATE TABLE check_dirty_person (
    person_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Results → totals, while the results are valid (a full recompute sets the
-- totals itself, and would otherwise pay a trigger per row).
CREATE TRIGGER check_site_day_ai AFTER INSERT ON check_site_day
WHEN (SELECT site_days_valid FROM check_state) = 1 BEGIN
    UPDATE check_state SET
        overbooked_slots = overbooked_slots + NEW.overbooked_slots,
        excess_bookings = excess_bookings + NEW.excess_bookings,
        outside_shift_bookings = outside_shift_bookings + NEW.outside_shift_bookings;
END;
CREATE TRIGGER check_site_day_ad AFTER DELETE ON check_site_day
WHEN (SELECT site_days_valid FROM check_state) = 1 BEGIN
    UPDATE check_state SET
        overbooked_slots = overbooked_slots - OLD.overbooked_slots,
        excess_bookings = excess_bookings - OLD.excess_bookings,
        outside_shift_bookings = outside_shift_bookings - OLD.outside_shift_bookings;
END;
CREATE TRIGGER check_person_ai AFTER INSERT ON check_person
WHEN (SELECT people_valid FROM check_state) = 1 BEGIN
    UPDATE check_state SET
        duplicate_people = duplicate_people + NEW.duplicate,
        orphan_first_doses = orphan_first_doses + NEW.orphan_first,
        second_dose_out_of_window = second_dose_out_of_window + NEW.out_of_window,
        not_yet_eligible = not_yet_eligible + NEW.not_yet_eligible;
END;
CREATE TRIGGER check_person_ad AFTER DELETE ON check_person
WHEN (SELECT people_valid FROM check_state) = 1 BEGIN
    UPDATE check_state SET
        duplicate_people = duplicate_people - OLD.duplicate,
        orphan_first_doses = orphan_first_doses - OLD.orphan_first,
        second_dose_out_of_window = second_dose_out_of_window - OLD.out_of_window,
        not_yet_eligible = not_yet_eligible - OLD.not_yet_eligible;
END;

-- What a change touches. Only active bookings (booked, attended) are checked.
CREATE TRIGGER appointment_check_ai AFTER INSERT ON appointment
WHEN NEW.status = 'booked' OR NEW.status = 'attended' BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT NEW.site_id, date(NEW.slot_minute / 1440 * 86400, 'unixepoch')
    WHERE (SELECT site_days_valid FROM check_state) = 1;
    INSERT OR IGNORE INTO check_dirty_person
    SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1;
END;
CREATE TRIGGER appointment_check_au
AFTER UPDATE OF person_id, site_id, slot_minute, dose_number, product, status ON appointment
WHEN OLD.status = 'booked' OR OLD.status = 'attended'
  OR NEW.status = 'booked' OR NEW.status = 'attended' BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT OLD.site_id, date(OLD.slot_minute / 1440 * 86400, 'unixepoch')
    WHERE (SELECT site_days_valid FROM check_state) = 1
    UNION SELECT NEW.site_id, date(NEW.slot_minute / 1440 * 86400, 'unixepoch')
    WHERE (SELECT site_days_valid FROM check_state) = 1;
    INSERT OR IGNORE INTO check_dirty_person
    SELECT OLD.person_id WHERE (SELECT people_valid FROM check_state) = 1
    UNION SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1;
END;
CREATE TRIGGER appointment_check_ad AFTER DELETE ON appointment
WHEN OLD.status = 'booked' OR OLD.status = 'attended' BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT OLD.site_id, date(OLD.slot_minute / 1440 * 86400, 'unixepoch')
    WHERE (SELECT site_days_valid FROM check_state) = 1;
    INSERT OR IGNORE INTO check_dirty_person
    SELECT OLD.person_id WHERE (SELECT people_valid FROM check_state) = 1;
END;

CREATE TRIGGER shift_check_ai AFTER INSERT ON shift BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT NEW.site_id, NEW.date WHERE (SELECT site_days_valid FROM check_state) = 1;
END;
CREATE TRIGGER shift_check_au
AFTER UPDATE OF site_id, date, start, end, vaccinators, capacity ON shift BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT OLD.site_id, OLD.date WHERE (SELECT site_days_valid FROM check_state) = 1
    UNION SELECT NEW.site_id, NEW.date WHERE (SELECT site_days_valid FROM check_state) = 1;
END;
CREATE TRIGGER shift_check_ad AFTER DELETE ON shift BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT OLD.site_id, OLD.date WHERE (SELECT site_days_valid FROM check_state) = 1;
END;

-- A site's speed changes every slot capacity of its shifts.
CREATE TRIGGER site_minutes_check_au AFTER UPDATE OF minutes_per_dose ON site BEGIN
    INSERT OR IGNORE INTO check_dirty_site_day
    SELECT DISTINCT site_id, date FROM shift
    WHERE site_id = NEW.id AND (SELECT site_days_valid FROM check_state) = 1;
END;

-- Rules that bear on everyone: re-check all people.
CREATE TRIGGER site_kind_check_au AFTER UPDATE OF kind ON site BEGIN
    UPDATE check_state SET people_valid = 0;
END;
CREATE TRIGGER product_interval_check_au
AFTER UPDATE OF min_interval_days, max_interval_days ON product BEGIN
    UPDATE check_state SET people_valid = 0;
END;
CREATE TRIGGER eligibility_check_ai AFTER INSERT ON eligibility_phase BEGIN
    UPDATE check_state SET people_valid = 0;
END;
CREATE TRIGGER eligibility_check_au AFTER UPDATE ON eligibility_phase BEGIN
    UPDATE check_state SET people_valid = 0;
END;
CREATE TRIGGER eligibility_check_ad AFTER DELETE ON eligibility_phase BEGIN
    UPDATE check_state SET people_valid = 0;
END;

-- A birth date decides eligibility.
CREATE TRIGGER person_check_ai AFTER INSERT ON person
WHEN NEW.birth_date IS NOT NULL BEGIN
    INSERT OR IGNORE INTO check_dirty_person
    SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1;
END;
CREATE TRIGGER person_check_au AFTER UPDATE OF birth_date ON person BEGIN
    INSERT OR IGNORE INTO check_dirty_person
    SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1;
END;

-- The Dashboard's reconciliation sorts every site-day of a date range by its
-- gap; with the counts in the index it reads no table rows (120 → 14 ms over
-- 3,000 sites × 6 weeks).
DROP INDEX site_day_by_date;
CREATE INDEX site_day_by_date ON site_day(date, site_id, administered, attended);
