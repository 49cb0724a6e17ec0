-- The person index carries every column the people's checks read (dose,
-- time, site, product, status): a fresh check reads a person's doses from
-- it in person order, with no look-up into the table and no sort. At 10
-- million bookings the check read the whole table instead (1.2 GB to
-- decrypt), then hashed, held and sorted every booking in memory. The kept
-- results' refresh judges each changed person from it the same way.
-- Same name: every `INDEXED BY appointment_by_person` stays as it is.
DROP INDEX appointment_by_person;
CREATE INDEX appointment_by_person
    ON appointment(person_id, dose_number, slot_minute, site_id, product, status);
