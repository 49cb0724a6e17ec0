-- An imported tally that would take its site-day above what the day's
-- shifts could give, or far above the site's recent days, is held: kept and
-- shown as awaiting confirmation, but counted in no total until a person
-- confirms it (the same value entered again with confirmation).
ALTER TABLE dose_count ADD COLUMN held_at TEXT;

-- The tallies that count: the one place the rule is written for queries
-- (the triggers below repeat it, as triggers cannot read a view's WHERE).
CREATE VIEW counted_dose_count AS
SELECT * FROM dose_count WHERE withdrawn_at IS NULL AND held_at IS NULL;

DROP TRIGGER dose_count_ai;
DROP TRIGGER dose_count_au;
DROP TRIGGER dose_count_ad;

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

-- Held tallies are few: the dashboard and briefing count them at once.
CREATE INDEX dose_count_held ON dose_count(date) WHERE held_at IS NOT NULL;
