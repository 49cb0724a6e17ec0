-- A call at the rebooking desk is more than its outcome: who made it, when
-- to call back, and, for an accepted move, where the booking was, so a
-- stray click can be undone (the attempt is marked undone, never deleted:
-- it travels to the other laptops like any change).
ALTER TABLE contact_attempt ADD COLUMN caller TEXT;
ALTER TABLE contact_attempt ADD COLUMN call_back_at TEXT;
ALTER TABLE contact_attempt ADD COLUMN from_site_id INTEGER REFERENCES site(id);
ALTER TABLE contact_attempt ADD COLUMN from_slot_minute INTEGER;
ALTER TABLE contact_attempt ADD COLUMN undone_at TEXT;
