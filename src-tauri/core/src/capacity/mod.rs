//! How many doses a shift, or one 5-minute slot of it, can give (FORMATS.md).

mod slots;
pub use slots::{capacity_of_slot, free_places, slot_capacities, slot_capacity_at, ShiftSpec};
pub(crate) use slots::{capacity_on_day, shift_slots, ShiftSlots};

use crate::time::SLOT_MINUTES;

/// A shift's doses: its explicit capacity, else vaccinators × minutes ÷
/// minutes per dose, rounded down.
pub fn shift_capacity(
    vaccinators: i64,
    shift_minutes: i64,
    minutes_per_dose: f64,
    explicit: Option<i64>,
) -> i64 {
    explicit.unwrap_or_else(|| {
        ((vaccinators * shift_minutes) as f64 / minutes_per_dose + 1e-9).floor() as i64
    })
}

/// A shift's explicit capacity once `added` vaccinators join it: scaled in
/// proportion to its vaccinators (none recorded: unchanged). A shift without
/// an explicit capacity keeps none: its places follow its vaccinators.
pub fn reinforced_capacity(explicit: Option<i64>, vaccinators: i64, added: i64) -> Option<i64> {
    explicit.map(|c| {
        if vaccinators > 0 {
            c * (vaccinators + added) / vaccinators
        } else {
            c
        }
    })
}

/// Number of 5-minute slots a shift covers.
pub fn slots_in_shift(shift_minutes: i64) -> i64 {
    (shift_minutes + SLOT_MINUTES - 1) / SLOT_MINUTES
}

/// Doses one slot of a shift can give: vaccinators × 5 ÷ minutes per dose,
/// rounded down; or an explicit shift capacity spread evenly, rounded down.
pub fn slot_capacity(
    vaccinators: i64,
    shift_minutes: i64,
    minutes_per_dose: f64,
    explicit: Option<i64>,
) -> i64 {
    match explicit {
        Some(cap) => cap / slots_in_shift(shift_minutes).max(1),
        None => ((vaccinators * SLOT_MINUTES) as f64 / minutes_per_dose + 1e-9).floor() as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_formats_rules() {
        // 6 vaccinators, 6-hour shift, 5 minutes a dose: 432 doses, 6 a slot.
        assert_eq!(shift_capacity(6, 360, 5.0, None), 432);
        assert_eq!(slot_capacity(6, 360, 5.0, None), 6);
        // 4 vaccinators at 7 minutes a dose: 20/7 = 2.86 → 2 a slot.
        assert_eq!(slot_capacity(4, 360, 7.0, None), 2);
        // Explicit 100 over 72 slots: 1 a slot, rounded down.
        assert_eq!(slot_capacity(6, 360, 5.0, Some(100)), 1);
        assert_eq!(shift_capacity(6, 360, 5.0, Some(100)), 100);
        // 3 vaccinators at 2.5 minutes: exactly 6, despite float error.
        assert_eq!(slot_capacity(3, 60, 2.5, None), 6);
    }
}
