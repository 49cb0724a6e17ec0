-- Products and the province's releases travel too: a booking or a tally
-- names a product, so a clinic laptop must hold every product the manager
-- added; an official's briefing quotes the province's figures.
--
-- Sync records changes as ranges of local row ids, and a product is keyed by
-- its code alone (no row id): each code gets a number here, kept whether or
-- not capture is silenced, so a pulled product has one too.
CREATE TABLE product_sync_id (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE REFERENCES product(code)
);
INSERT INTO product_sync_id (code) SELECT code FROM product ORDER BY code;

CREATE TRIGGER sync_product_i AFTER INSERT ON product BEGIN
    INSERT INTO product_sync_id (code) VALUES (NEW.code) ON CONFLICT (code) DO NOTHING;
    INSERT INTO sync_change (tbl, lo, hi)
    SELECT 'product', id, id FROM product_sync_id
    WHERE code = NEW.code AND NOT EXISTS (SELECT 1 FROM sync_quiet);
END;
CREATE TRIGGER sync_product_u AFTER UPDATE ON product
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi)
    SELECT 'product', id, id FROM product_sync_id WHERE code = NEW.code;
END;

-- A release is written once, with its days, in one transaction; it is
-- never changed afterwards.
CREATE TRIGGER sync_provincial_release_i AFTER INSERT ON provincial_release
WHEN NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO sync_change (tbl, lo, hi) VALUES ('provincial_release', NEW.id, NEW.id);
END;
-- A pulled release is found by its file's checksum.
CREATE INDEX provincial_release_by_sha256 ON provincial_release(sha256);

-- A laptop enrolled before this version sends what it holds of both at its
-- next sync, as enrolment does for a new laptop: products from a manager's,
-- releases from a manager's or an official's (the roles that may write them).
INSERT INTO sync_change (tbl, lo, hi)
SELECT 'product', min(id), max(id) FROM product_sync_id
WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'sync.role' AND value = 'manager')
HAVING count(*) > 0;
INSERT INTO sync_change (tbl, lo, hi)
SELECT 'provincial_release', min(id), max(id) FROM provincial_release
WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'sync.role' AND value IN ('manager', 'official'))
HAVING count(*) > 0;

-- A tally travels with its history (the values corrections replaced, and
-- who wrote them): read by tally, here and on every view of corrections.
CREATE INDEX dose_count_history_by_tally ON dose_count_history(dose_count_id, id);
