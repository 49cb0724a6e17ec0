-- Booking exports may name people and say which language to call them in
-- (FORMATS.md: given_name, family_name, preferred_language): the rebooking
-- desk finds and greets people by name. Personal health information, kept
-- with the rest of the person's details.
ALTER TABLE person ADD COLUMN given_name TEXT;
ALTER TABLE person ADD COLUMN family_name TEXT;
ALTER TABLE person ADD COLUMN preferred_language TEXT;
