-- A tally can be withdrawn (a wrong row): it stays, with its history, but
-- no longer counts. The day totals' triggers count only tallies that are
-- not withdrawn, so every figure, chart, reconciliation and briefing
-- (all read from site_day / region_day) leaves it out at once.
ALTER TABLE dose_count ADD COLUMN withdrawn_at TEXT;

DROP TRIGGER dose_count_ai;
DROP TRIGGER dose_count_au;
DROP TRIGGER dose_count_ad;

CREATE TRIGGER dose_count_ai AFTER INSERT ON dose_count
WHEN NEW.withdrawn_at IS NULL BEGIN
    INSERT INTO site_day (site_id, date, administered) VALUES (NEW.site_id, NEW.date, NEW.doses)
    ON CONFLICT (site_id, date) DO UPDATE SET administered = administered + excluded.administered;
END;
CREATE TRIGGER dose_count_au AFTER UPDATE OF site_id, date, doses, withdrawn_at ON dose_count BEGIN
    UPDATE site_day SET administered = administered - OLD.doses
    WHERE OLD.withdrawn_at IS NULL AND site_id = OLD.site_id AND date = OLD.date;
    INSERT INTO site_day (site_id, date, administered)
    SELECT NEW.site_id, NEW.date, NEW.doses WHERE NEW.withdrawn_at IS NULL
    ON CONFLICT (site_id, date) DO UPDATE SET administered = administered + excluded.administered;
END;
CREATE TRIGGER dose_count_ad AFTER DELETE ON dose_count
WHEN OLD.withdrawn_at IS NULL BEGIN
    UPDATE site_day SET administered = administered - OLD.doses
    WHERE site_id = OLD.site_id AND date = OLD.date;
END;
