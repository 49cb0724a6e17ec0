-- The capacity guard (`/v1/book`) counts a slot's bookings and reads a
-- site-day's shifts: each by an index, not a scan of the central copy.
CREATE INDEX row_state_appointment_slot ON row_state (site, ((data->>'slot_minute')::int8))
    WHERE tbl = 'appointment' AND NOT deleted;
CREATE INDEX row_state_shift_day ON row_state (site, (data->>'date'))
    WHERE tbl = 'shift' AND NOT deleted;
