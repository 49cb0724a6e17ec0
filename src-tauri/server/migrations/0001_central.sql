-- The central copy. Rows travel whole (JSON) under a table name and a wire
-- id every laptop computes alike; the server orders every change it
-- accepts with one sequence and keeps every value it replaced.

CREATE TABLE device (
    id            serial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('manager', 'clinic', 'official')),
    sites         text[] NOT NULL DEFAULT '{}',
    -- SHA-256 of the one-time enrolment token, until it is used.
    token_hash    bytea UNIQUE,
    enrolled_at   timestamptz,
    -- SHA-256 of the device credential (also the key of its bundles' signatures).
    secret_hash   bytea UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

-- Every accepted change takes the next version. Pushes take a transaction
-- advisory lock before drawing versions and hold it to commit, so versions
-- become visible in order: a pull by cursor never skips one committed late.
CREATE SEQUENCE row_version;

CREATE TABLE row_state (
    tbl          text NOT NULL,
    id           text NOT NULL,
    version      bigint NOT NULL,
    site         text,
    -- Every site the row was ever at: a clinic that saw it is told when it
    -- moves away.
    seen_sites   text[] NOT NULL DEFAULT '{}',
    person_level boolean NOT NULL,
    -- The row this one follows (a call's appointment): its site is always
    -- that row's site, so a call is seen wherever its booking is.
    parent       text,
    deleted      boolean NOT NULL DEFAULT false,
    data         jsonb NOT NULL,
    device_id    integer REFERENCES device(id),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tbl, id)
);
CREATE UNIQUE INDEX row_state_by_version ON row_state (version);
CREATE INDEX row_state_by_parent ON row_state (parent) WHERE parent IS NOT NULL;

-- Every value a change replaced.
CREATE TABLE row_history (
    tbl         text NOT NULL,
    id          text NOT NULL,
    version     bigint NOT NULL,
    deleted     boolean NOT NULL,
    data        jsonb NOT NULL,
    device_id   integer,
    replaced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX row_history_by_row ON row_history (tbl, id);

-- Each batch's reply, so a batch retried after a lost reply applies once.
CREATE TABLE push_batch (
    device_id  integer NOT NULL REFERENCES device(id),
    batch_id   text NOT NULL,
    reply      jsonb NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, batch_id)
);

-- A change made on top of a stale value: both kept until a manager chooses.
CREATE TABLE conflict (
    id            bigserial PRIMARY KEY,
    tbl           text NOT NULL,
    row_id        text NOT NULL,
    site          text,
    person_level  boolean NOT NULL,
    kind          text NOT NULL,
    local_data    jsonb,            -- NULL: the device deleted the row
    base_version  bigint,
    device_id     integer NOT NULL REFERENCES device(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    resolution    text CHECK (resolution IN ('local', 'server')),
    resolved_by   integer REFERENCES device(id)
);
CREATE INDEX conflict_open ON conflict (id) WHERE resolved_at IS NULL;
