-- The triggers that mark site-days and people for the next check relied on
-- INSERT OR IGNORE to mark a site-day once. Inside a trigger fired by an
-- upsert (INSERT … ON CONFLICT DO UPDATE: re-imported bookings, shifts and
-- people, pulled rows) SQLite applies the outer statement's conflict
-- handling instead, so the second change to an already marked site-day
-- failed the whole import with "UNIQUE constraint failed:
-- check_dirty_site_day". They now insert only what is not marked yet.
DROP TRIGGER appointment_check_ai;
DROP TRIGGER appointment_check_au;
DROP TRIGGER appointment_check_ad;
DROP TRIGGER shift_check_ai;
DROP TRIGGER shift_check_au;
DROP TRIGGER shift_check_ad;
DROP TRIGGER site_minutes_check_au;
DROP TRIGGER person_check_ai;
DROP TRIGGER person_check_au;

CREATE TRIGGER appointment_check_ai AFTER INSERT ON appointment
WHEN NEW.status = 'booked' OR NEW.status = 'attended' BEGIN
    INSERT INTO check_dirty_site_day
    SELECT m.site_id, m.date FROM
        (SELECT NEW.site_id AS site_id, date(NEW.slot_minute / 1440 * 86400, 'unixepoch') AS date) m
    WHERE (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = m.site_id AND d.date = m.date);
    INSERT INTO check_dirty_person
    SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_person d WHERE d.person_id = NEW.person_id);
END;
CREATE TRIGGER appointment_check_au
AFTER UPDATE OF person_id, site_id, slot_minute, dose_number, product, status ON appointment
WHEN OLD.status = 'booked' OR OLD.status = 'attended'
  OR NEW.status = 'booked' OR NEW.status = 'attended' BEGIN
    INSERT INTO check_dirty_site_day
    SELECT m.site_id, m.date FROM
        (SELECT OLD.site_id AS site_id, date(OLD.slot_minute / 1440 * 86400, 'unixepoch') AS date
         UNION SELECT NEW.site_id, date(NEW.slot_minute / 1440 * 86400, 'unixepoch')) m
    WHERE (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = m.site_id AND d.date = m.date);
    INSERT INTO check_dirty_person
    SELECT m.person_id FROM (SELECT OLD.person_id AS person_id UNION SELECT NEW.person_id) m
    WHERE (SELECT people_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_person d WHERE d.person_id = m.person_id);
END;
CREATE TRIGGER appointment_check_ad AFTER DELETE ON appointment
WHEN OLD.status = 'booked' OR OLD.status = 'attended' BEGIN
    INSERT INTO check_dirty_site_day
    SELECT m.site_id, m.date FROM
        (SELECT OLD.site_id AS site_id, date(OLD.slot_minute / 1440 * 86400, 'unixepoch') AS date) m
    WHERE (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = m.site_id AND d.date = m.date);
    INSERT INTO check_dirty_person
    SELECT OLD.person_id WHERE (SELECT people_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_person d WHERE d.person_id = OLD.person_id);
END;

CREATE TRIGGER shift_check_ai AFTER INSERT ON shift BEGIN
    INSERT INTO check_dirty_site_day
    SELECT NEW.site_id, NEW.date WHERE (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = NEW.site_id AND d.date = NEW.date);
END;
CREATE TRIGGER shift_check_au
AFTER UPDATE OF site_id, date, start, end, vaccinators, capacity ON shift BEGIN
    INSERT INTO check_dirty_site_day
    SELECT m.site_id, m.date FROM
        (SELECT OLD.site_id AS site_id, OLD.date AS date UNION SELECT NEW.site_id, NEW.date) m
    WHERE (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = m.site_id AND d.date = m.date);
END;
CREATE TRIGGER shift_check_ad AFTER DELETE ON shift BEGIN
    INSERT INTO check_dirty_site_day
    SELECT OLD.site_id, OLD.date WHERE (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = OLD.site_id AND d.date = OLD.date);
END;

CREATE TRIGGER site_minutes_check_au AFTER UPDATE OF minutes_per_dose ON site BEGIN
    INSERT INTO check_dirty_site_day
    SELECT DISTINCT s.site_id, s.date FROM shift s
    WHERE s.site_id = NEW.id AND (SELECT site_days_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_site_day d
                      WHERE d.site_id = s.site_id AND d.date = s.date);
END;

CREATE TRIGGER person_check_ai AFTER INSERT ON person
WHEN NEW.birth_date IS NOT NULL BEGIN
    INSERT INTO check_dirty_person
    SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_person d WHERE d.person_id = NEW.person_id);
END;
CREATE TRIGGER person_check_au AFTER UPDATE OF birth_date ON person BEGIN
    INSERT INTO check_dirty_person
    SELECT NEW.person_id WHERE (SELECT people_valid FROM check_state) = 1
      AND NOT EXISTS (SELECT 1 FROM check_dirty_person d WHERE d.person_id = NEW.person_id);
END;
