-- The people who sign in to an encrypted store, with the same three roles
-- as sync's devices. Their keys (the data key wrapped by their passphrase)
-- are in the store's key file; this table says what each may do.
CREATE TABLE app_user (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('manager', 'clinic', 'official')),
    sites       TEXT NOT NULL DEFAULT '[]',  -- JSON array of site codes (clinic)
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    disabled_at TEXT
) WITHOUT ROWID;
