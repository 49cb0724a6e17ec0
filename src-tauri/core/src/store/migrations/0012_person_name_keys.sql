-- Finding a person by name (the Book view, the Bookings view) at province
-- scale: each name's search key (lowercase, accents dropped: see
-- store::person::name_key), indexed, so "gagn" reads a range of an index,
-- not millions of people. The keys of people stored before this are filled
-- by the same Rust function right after this script (store::migrate).
ALTER TABLE person ADD COLUMN given_key TEXT;
ALTER TABLE person ADD COLUMN family_key TEXT;
-- One column each: a search's other name is read from the row, and a bulk
-- import builds these in two thirds of the time two-column keys take.
CREATE INDEX person_by_family_key ON person(family_key) WHERE family_key IS NOT NULL;
CREATE INDEX person_by_given_key ON person(given_key) WHERE given_key IS NOT NULL;
