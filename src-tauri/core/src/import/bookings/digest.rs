//! A booking row's digest: the fields the import reads, as the file gave
//! them, hashed with keys that also cover what those fields mean to the
//! import (the store's site codes and products, the parser's rules). Two
//! rows with the same digest are the same booking written the same way, so
//! a row whose digest the store kept from the last import is unchanged
//! and need not be parsed or written again.

use super::{
    Known, BIRTH_DATE, COLUMNS, FAMILY_NAME, GIVEN_NAME, PERSON_ID, PHONE, PREFERRED_LANGUAGE,
};
use crate::import::csv_source::Row;
use crate::store::booking_digest::Kept;
use siphasher::sip::SipHasher13;
use std::hash::Hasher;

/// Raised whenever `parse` reads a field differently (a new rule, a new
/// column): every kept digest then differs, and the next import reads
/// every row in full once.
const RULES_VERSION: u64 = 1;

/// Fixed keys for the booking id's hash ("dosedesk", "bookings"): stored
/// hashes must come out the same in every run and every build.
const KEY_HASH_KEYS: (u64, u64) = (0x6b73_6564_6573_6f64, 0x7367_6e69_6b6f_6f62);

/// The hash a kept digest is found by.
pub(super) fn key_hash(booking_id: &str) -> u64 {
    let mut h = SipHasher13::new_with_keys(KEY_HASH_KEYS.0, KEY_HASH_KEYS.1);
    h.write(booking_id.as_bytes());
    h.finish()
}

/// Digests rows for one import.
pub(super) struct Digester {
    keys: (u64, u64),
}

impl Digester {
    /// Keys drawn from what decides a row's meaning besides its bytes: a
    /// site code's id, the products known, the rules' version. A change to
    /// any of them makes every row read in full at the next import.
    pub fn new(known: &Known) -> Self {
        let mut h = SipHasher13::new_with_keys(KEY_HASH_KEYS.1, RULES_VERSION);
        let mut sites: Vec<(&String, &i64)> = known.sites.iter().collect();
        sites.sort_unstable();
        for (code, id) in sites {
            write_field(&mut h, code.as_bytes());
            h.write(&id.to_le_bytes());
        }
        h.write(&[0xff]);
        // Sorted: `Known::products` comes from a hash set, in another
        // order in every process.
        let mut products: Vec<&String> = known.products.iter().collect();
        products.sort_unstable();
        for product in products {
            write_field(&mut h, product.as_bytes());
        }
        let k0 = h.finish();
        h.write(&[0xfe]);
        Digester {
            keys: (k0, h.finish()),
        }
    }

    /// The row's digests and its booking id's hash.
    pub fn kept(&self, row: &Row<'_>, booking_id: &str) -> Kept {
        Kept {
            key_hash: key_hash(booking_id),
            digest: self.row(row),
            details: self.details(row),
        }
    }

    /// The digest of every field the import reads.
    pub fn row(&self, row: &Row<'_>) -> u64 {
        self.of(row, 0..COLUMNS.len())
    }

    /// The digest of the row's person and their details alone.
    pub fn details(&self, row: &Row<'_>) -> u64 {
        self.of(row, DETAILS)
    }

    fn of(&self, row: &Row<'_>, cols: impl IntoIterator<Item = usize>) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.keys.0, self.keys.1);
        for col in cols {
            write_field(&mut h, row.raw(col));
        }
        h.finish()
    }
}

/// The columns that say who a booking is for and what the file tells of
/// them.
const DETAILS: [usize; 6] = [
    PERSON_ID,
    BIRTH_DATE,
    PHONE,
    GIVEN_NAME,
    FAMILY_NAME,
    PREFERRED_LANGUAGE,
];

/// A field with its length first, so no two rows' fields run together
/// into the same bytes.
fn write_field(h: &mut SipHasher13, bytes: &[u8]) {
    h.write(&(bytes.len() as u64).to_le_bytes());
    h.write(bytes);
}
