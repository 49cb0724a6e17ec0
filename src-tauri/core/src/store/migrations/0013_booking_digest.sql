-- The morning refresh (import::bookings::refresh): each imported booking's
-- row as the file last gave it, reduced to a 64-bit digest, with a hash of
-- its booking_id to find it by. A row of the next file with the same digest
-- is unchanged and is skipped without being parsed or written. `details`
-- digests the row's person and their details alone: a changed row whose
-- details are the same leaves its person's details as they are.
--
-- Keyed by the appointment, so a bulk load appends in id order and any
-- other write to the booking (the desk, a sync pull) can drop its digest
-- by key: the next import then reads that row in full and the file's
-- values apply as they did before digests.
CREATE TABLE booking_digest (
    appointment_id INTEGER PRIMARY KEY,
    key_hash       INTEGER NOT NULL,
    digest         INTEGER NOT NULL,
    details        INTEGER NOT NULL
);
CREATE TRIGGER booking_digest_stale AFTER UPDATE ON appointment BEGIN
    DELETE FROM booking_digest WHERE appointment_id = OLD.id;
END;
CREATE TRIGGER booking_digest_gone AFTER DELETE ON appointment BEGIN
    DELETE FROM booking_digest WHERE appointment_id = OLD.id;
END;
