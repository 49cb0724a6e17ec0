-- A row's last writer is checked once per batch (the device is the one the
-- request authenticated), not by a foreign key per row: the key's check took
-- a lock on the device's row for every row written, a fifth of a first
-- push's time. Devices are never deleted, only revoked, so the reference
-- cannot dangle.
ALTER TABLE row_state DROP CONSTRAINT row_state_device_id_fkey;
