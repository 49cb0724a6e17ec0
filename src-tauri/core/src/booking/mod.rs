//! Local booking: a first dose with its second dose reserved (`book`),
//! cancellations (`cancel`), finding a person by name or id (`find`) and
//! the Bookings view's lists (`queries`).
//!
//! The capacity check and the inserts run in one IMMEDIATE transaction: the
//! write lock is taken before anything is read, so two windows, or the app
//! and the CLI, racing for the last place in a slot are served one after the
//! other and the second finds the slot full. Nothing is ever overbooked
//! from one store; across laptops, the server's capacity guard does the
//! same for every booking made while it is reachable.

mod book;
mod cancel;
mod find;
mod nearest;
pub use nearest::{nearest_free, FreeSlot};
pub mod queries;

pub(crate) use book::free_places_at;
pub use book::{
    book_first_dose, book_first_dose_via, BookRequest, Booked, BookedDose, CentralCheck,
};
pub use cancel::{cancel, LinkedSecond};
pub use find::{find_people, PeopleFound, PersonMatch, MIN_SEARCH};

#[cfg(test)]
mod tests;
