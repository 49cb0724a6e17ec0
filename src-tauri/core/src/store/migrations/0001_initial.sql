-- DoseDesk schema, version 1: the whole first-cut data model of ARCHITECTURE.md.
-- Rows that may travel between machines carry a 16-byte UUID (`uuid`) and
-- `updated_at`; row ids stay local. Dates are TEXT `YYYY-MM-DD`, local times
-- TEXT `HH:MM`. Appointment times are INTEGER minutes since 1970-01-01T00:00
-- local time (`slot_minute`): compact and fast to group at province scale.
-- CHECKs on the bulk tables compare with OR, not `IN (...)`: SQLite builds a
-- temporary table for an IN list every time a row is inserted.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE site (
    id               INTEGER PRIMARY KEY,
    uuid             BLOB NOT NULL UNIQUE,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('mass_clinic','temporary_clinic','pharmacy','physician','mobile')),
    -- 'open' sites run clinics; 'candidate' ones are proposed distribution points.
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','candidate')),
    address          TEXT,
    postal_code      TEXT,
    lat              REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
    lon              REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
    stations         INTEGER CHECK (stations IS NULL OR stations >= 0),
    minutes_per_dose REAL NOT NULL DEFAULT 5 CHECK (minutes_per_dose > 0),
    capacity_per_day INTEGER CHECK (capacity_per_day IS NULL OR capacity_per_day >= 0),
    opens            TEXT NOT NULL DEFAULT '08:00',
    closes           TEXT NOT NULL DEFAULT '20:00',
    updated_at       TEXT NOT NULL
);

CREATE TABLE shift (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB NOT NULL UNIQUE,
    site_id     INTEGER NOT NULL REFERENCES site(id),
    date        TEXT NOT NULL,
    start       TEXT NOT NULL,
    end         TEXT NOT NULL CHECK (end > start),
    vaccinators INTEGER NOT NULL CHECK (vaccinators >= 0),
    capacity    INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    source      TEXT NOT NULL DEFAULT 'import' CHECK (source IN ('import','local','plan')),
    updated_at  TEXT NOT NULL,
    UNIQUE (site_id, date, start)
);
CREATE INDEX shift_by_date ON shift(date, site_id);

CREATE TABLE product (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    min_interval_days INTEGER NOT NULL CHECK (min_interval_days >= 0),
    max_interval_days INTEGER NOT NULL CHECK (max_interval_days >= min_interval_days),
    updated_at        TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO product (code, name, min_interval_days, max_interval_days, updated_at) VALUES
    ('PFIZER', 'Pfizer-BioNTech Comirnaty', 21, 112, '2021-01-01T00:00:00Z'),
    ('MODERNA', 'Moderna Spikevax', 28, 112, '2021-01-01T00:00:00Z'),
    ('ASTRAZENECA', 'AstraZeneca Vaxzevria', 56, 112, '2021-01-01T00:00:00Z');

-- Personal health information: only what rebooking needs, kept local. A row
-- exists for people whose booking rows gave a birth date or a phone number;
-- appointments name people by the booking system's id either way.
CREATE TABLE person (
    person_id  TEXT PRIMARY KEY,          -- the booking system's opaque id
    uuid       BLOB NOT NULL,
    birth_date TEXT,
    phone      TEXT,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE appointment (
    id          INTEGER PRIMARY KEY,
    -- Not indexed: a random 16-byte key would slow bulk import; sync adds the index.
    uuid        BLOB NOT NULL,
    booking_id  TEXT,                     -- the booking system's id; NULL for none
    person_id   TEXT NOT NULL,            -- the booking system's person id
    site_id     INTEGER NOT NULL REFERENCES site(id),
    slot_minute INTEGER NOT NULL,         -- minutes since 1970-01-01T00:00 local
    dose_number INTEGER NOT NULL CHECK (dose_number BETWEEN 1 AND 3),
    product     TEXT NOT NULL REFERENCES product(code),
    status      TEXT NOT NULL CHECK (status = 'booked' OR status = 'cancelled' OR status = 'attended'
                                     OR status = 'no_show' OR status = 'rescheduled'),
    source      TEXT NOT NULL DEFAULT 'import' CHECK (source = 'import' OR source = 'local'),
    booked_at   TEXT,
    updated_at  TEXT NOT NULL
);
-- A person's doses are linked through (person_id, dose_number): dose 2 of a
-- person follows their dose 1. Deriving the link keeps it right whatever order
-- the booking system's rows arrive in.
CREATE UNIQUE INDEX appointment_by_booking_id ON appointment(booking_id);
-- Covers the capacity checks: slot counts come from the index alone.
CREATE INDEX appointment_by_site_slot ON appointment(site_id, slot_minute, status);
CREATE INDEX appointment_by_person ON appointment(person_id, dose_number);

CREATE TABLE dose_count (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB NOT NULL,
    site_id     INTEGER NOT NULL REFERENCES site(id),
    date        TEXT NOT NULL,
    shift       TEXT NOT NULL DEFAULT '',   -- free label; '' when not given
    dose_number INTEGER NOT NULL CHECK (dose_number BETWEEN 1 AND 3),
    product     TEXT NOT NULL DEFAULT '',   -- product code; '' when not given
    doses       INTEGER NOT NULL CHECK (doses >= 0),
    source      TEXT NOT NULL DEFAULT 'import' CHECK (source = 'import' OR source = 'local'),
    updated_at  TEXT NOT NULL,
    UNIQUE (site_id, date, shift, dose_number, product)
);
CREATE INDEX dose_count_by_date ON dose_count(date);

-- Earlier values of a corrected tally (a correction never loses what it replaced).
CREATE TABLE dose_count_history (
    id            INTEGER PRIMARY KEY,
    dose_count_id INTEGER NOT NULL REFERENCES dose_count(id),
    doses         INTEGER NOT NULL,
    source        TEXT NOT NULL,
    replaced_at   TEXT NOT NULL
);

-- One imported release of the province's vaccine_doses.csv.
CREATE TABLE provincial_release (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE provincial_day (
    release_id                      INTEGER NOT NULL REFERENCES provincial_release(id),
    report_date                     TEXT NOT NULL,
    previous_day_doses              INTEGER,
    previous_day_at_least_one       INTEGER,
    previous_day_fully_vaccinated   INTEGER,
    total_doses                     INTEGER,
    total_individuals_at_least_one  INTEGER,
    total_doses_in_fully_vaccinated INTEGER,
    total_individuals_fully         INTEGER,
    PRIMARY KEY (release_id, report_date)
) WITHOUT ROWID;

CREATE TABLE supply (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB NOT NULL UNIQUE,
    date       TEXT NOT NULL,
    product    TEXT NOT NULL REFERENCES product(code),
    doses      INTEGER NOT NULL CHECK (doses > 0),
    status     TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('expected','received')),
    updated_at TEXT NOT NULL,
    UNIQUE (date, product, status)
);

CREATE TABLE area (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB NOT NULL UNIQUE,
    area_id    TEXT NOT NULL UNIQUE,
    name       TEXT,
    lat        REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon        REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    population INTEGER NOT NULL CHECK (population >= 0),
    eligible   INTEGER CHECK (eligible IS NULL OR eligible >= 0),
    weight     REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
    updated_at TEXT NOT NULL
);

-- Who may book from when: an age cohort, optionally only at one kind of site.
CREATE TABLE eligibility_phase (
    id         INTEGER PRIMARY KEY,
    min_age    INTEGER NOT NULL CHECK (min_age >= 0),
    from_date  TEXT NOT NULL,
    site_kind  TEXT,
    label      TEXT NOT NULL
);

CREATE TABLE contact_attempt (
    id             INTEGER PRIMARY KEY,
    uuid           BLOB NOT NULL UNIQUE,
    appointment_id INTEGER NOT NULL REFERENCES appointment(id),
    attempted_at   TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('reached_accepted','reached_declined','unreachable','wrong_number')),
    proposed_site_id     INTEGER REFERENCES site(id),
    proposed_slot_minute INTEGER,
    note           TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX contact_attempt_by_appointment ON contact_attempt(appointment_id);

CREATE TABLE plan (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('shifts','sites')),
    name       TEXT NOT NULL,
    inputs     TEXT NOT NULL,   -- JSON
    outputs    TEXT NOT NULL,   -- JSON
    applied_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Provenance: every imported file, so numbers can name their sources.
CREATE TABLE import_log (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
