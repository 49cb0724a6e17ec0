//! Bookings into a store that holds some: the morning refresh. The export
//! is mostly what was imported yesterday, so each row's digest is compared
//! with the one kept from the last import (`booking_digest`) before any
//! parsing: a row that matches is unchanged and is neither parsed nor
//! written. The others (changed, new, or bookings changed in the app since
//! their import) are checked in full and written, and the triggers keep
//! the daily totals, the check marks and the sync log current for exactly
//! those. Imported bookings the file no longer has are kept and listed.

use super::digest::{self, Digester};
use super::people::People;
use super::{details, parse, Known, BOOKING_ID, COLUMNS, PERSON_ID, STATUSES};
use crate::error::{Error, Result};
use crate::import::csv_source::{CsvSource, Row};
use crate::import::{Progress, Stage, Written};
use crate::store::appointment::{self, ImportWrite, ImportedBooking};
use crate::store::booking_digest::{self, Kept};
use rusqlite::Transaction;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub(super) fn refresh(
    tx: &Transaction<'_>,
    mut src: CsvSource,
    path: &Path,
    known: &Known,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let digester = Digester::new(known);
    let mut previous = Previous::new(booking_digest::all(tx)?);
    // Rows read in full, by their id's hash: a repeat is confirmed in the
    // store (64-bit hashes of 10M ids: an exact set would not fit the
    // memory budget).
    let mut read: HashMap<u64, u32> = HashMap::new();
    // People whose rows tell something new of them (a row whose details
    // changed, a booking that moved to someone else or is missing from the
    // file): their details are merged again from all their rows in the
    // file, in file order, on top of what the store holds, as a full import
    // would. Everyone else's rows say what they said last time, so merging
    // them again would change nothing.
    let mut people: HashSet<String> = HashSet::new();
    let (mut unchanged, mut read_in_full) = (0u64, 0u64);
    let (mut inserted, mut updated) = (0u64, 0u64);
    while let Some(row) = src.next_row(progress)? {
        let line = row.line.min(u64::from(u32::MAX)) as u32;
        let booking_id = row.req(BOOKING_ID)?;
        let (key_hash, digest) = (digest::key_hash(booking_id), digester.row(&row));
        let kept_details = match previous.meet(key_hash, digest, line) {
            Meeting::Unchanged => {
                unchanged += 1;
                continue;
            }
            Meeting::Repeated(first) => return Err(repeated(&row, booking_id, first)),
            Meeting::MetBefore(first) if met_this_booking(tx, booking_id, &previous, key_hash)? => {
                return Err(repeated(&row, booking_id, first));
            }
            Meeting::Changed { details } => Some(details),
            Meeting::MetBefore(_) | Meeting::New => None,
        };
        let b = parse(&row, known)?;
        let kept = Kept {
            key_hash,
            digest,
            details: digester.details(&row),
        };
        if let Some(first) = read.insert(kept.key_hash, line) {
            if appointment::person_of_booking(tx, b.booking_id)?.is_some() {
                return Err(repeated(&row, booking_id, first));
            }
        }
        let booking = ImportedBooking {
            booking_id: b.booking_id,
            person_id: b.person_id,
            site_id: b.site_id,
            slot_minute: b.slot_minute,
            dose_number: b.dose_number,
            product: &known.products[usize::from(b.product)],
            status: STATUSES[usize::from(b.status)],
            booked_at: b.booked_at,
        };
        let was_for = match appointment::import_row(tx, &booking, now)? {
            ImportWrite::Inserted => {
                inserted += 1;
                None
            }
            ImportWrite::Updated { was_for } => {
                updated += 1;
                Some(was_for)
            }
            ImportWrite::Same => None,
        };
        // Unless the row names the same person with the same details as
        // last time: the booking's person now, and the one it had.
        if kept_details != Some(kept.details) {
            for person in [Some(b.person_id), was_for.as_deref()]
                .into_iter()
                .flatten()
            {
                if !people.contains(person) {
                    people.insert(person.to_owned());
                }
            }
        }
        booking_digest::put(tx, b.booking_id, kept)?;
        read_in_full += 1;
    }
    let missing = missing_from_file(tx, &previous, unchanged + read_in_full)?;
    // A missing booking's person no longer has its row's details.
    for booking_id in &missing {
        if let Some(person) = appointment::person_of_booking(tx, booking_id)? {
            people.insert(person);
        }
    }
    progress.stage(Stage::People);
    if !people.is_empty() {
        let read_first = src.sha256();
        details_of(path, &people, &read_first, progress)?.write(tx, now)?;
    }
    Ok((
        src,
        Written {
            inserted,
            updated,
            warnings: Vec::new(),
            missing,
        },
    ))
}

/// The details every row of the file gives about `people`, in file order:
/// a person's unchanged rows count as much as their changed ones (a later
/// row's value replaces an earlier one, as in a full import). A second
/// read of the file, made only when someone's details changed; every row
/// passed the checks on the first read or on an earlier import. A file
/// that is not the one read first (`read_first`, its SHA-256) is refused.
fn details_of(
    path: &Path,
    people: &HashSet<String>,
    read_first: &str,
    progress: &dyn Progress,
) -> Result<People> {
    let mut src = CsvSource::open(path, COLUMNS)?;
    let mut out = People::default();
    while let Some(row) = src.next_row(progress)? {
        let person_id = row.req(PERSON_ID)?;
        if people.contains(person_id) {
            out.add(person_id, &details(&row)?);
        }
    }
    if src.sha256() != read_first {
        return Err(Error::Import {
            file: src.file_name().to_owned(),
            line: 1,
            column: None,
            message: "the file changed while it was being imported; nothing was imported \
                      (import it again once it is written whole)"
                .into(),
        });
    }
    Ok(out)
}

/// Whether the kept digest this row's id hash met earlier in the file is
/// this very booking's (then the file repeats it), and not another
/// booking's whose id has the same 64-bit hash.
fn met_this_booking(
    tx: &Transaction<'_>,
    booking_id: &str,
    previous: &Previous,
    key_hash: u64,
) -> Result<bool> {
    let stored = booking_digest::of_booking(tx, booking_id)?;
    Ok(stored.is_some_and(|d| previous.holds(key_hash, d)))
}

fn repeated(row: &Row<'_>, booking_id: &str, first: u32) -> Error {
    row.error(
        BOOKING_ID,
        format!("duplicate booking_id {booking_id:?}: already on line {first}"),
    )
}

/// Imported bookings in the store that the file does not have, by
/// booking id. `in_file` rows of the file are bookings the store now holds.
fn missing_from_file(
    tx: &Transaction<'_>,
    previous: &Previous,
    in_file: u64,
) -> Result<Vec<String>> {
    let held = booking_digest::imported_bookings(tx)?;
    if held <= in_file {
        return Ok(Vec::new());
    }
    let unmet = previous.unmet_keys();
    // Bookings changed in the app since their import have no digest; they
    // are looked for (one pass over the table) only when the digests
    // cannot account for every missing booking.
    let without_digest = held - in_file > unmet.len() as u64;
    booking_digest::booking_ids_unmet(tx, &unmet, without_digest)
}

/// What a row's digest found among those kept from the last import.
#[derive(Debug, PartialEq, Eq)]
enum Meeting {
    /// The same booking, written the same way: nothing to do.
    Unchanged,
    /// The same booking, written the same way, already met on that line.
    Repeated(u32),
    /// A kept digest with this id's hash was already met on that line: a
    /// repeat if it is this booking's.
    MetBefore(u32),
    /// Written otherwise since the last import; `details` is the digest of
    /// its person and details then.
    Changed { details: u64 },
    /// New, or changed in the app since its import.
    New,
}

/// The digests kept from the last import, sorted by key hash, with the
/// start of each bucket of hashes sharing their top bits: a row finds its
/// digest in one or two cache lines (a binary search over ten million
/// would take two dozen misses). About 22 bytes a booking.
struct Previous {
    kept: Vec<Kept>,
    /// The file line each kept digest was met on; 0 until met.
    met: Vec<u32>,
    /// `starts[b]..starts[b + 1]` are the digests in bucket `b`.
    starts: Vec<u32>,
    shift: u32,
}

impl Previous {
    fn new(mut kept: Vec<Kept>) -> Self {
        kept.sort_unstable_by_key(|k| k.key_hash);
        // About four digests a bucket; at least two buckets, so the shift
        // stays below 64.
        let bits = (kept.len() / 4)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(1, 28);
        let shift = 64 - bits;
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for k in &kept {
            starts[(k.key_hash >> shift) as usize + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        Previous {
            met: vec![0; kept.len()],
            kept,
            starts,
            shift,
        }
    }

    /// Indexes of the kept digests whose key hash is `key`.
    fn with_key(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        self.bucket(key)
            .filter(move |&i| self.kept[i].key_hash == key)
    }

    /// The indexes of `key`'s bucket.
    fn bucket(&self, key: u64) -> std::ops::Range<usize> {
        let b = (key >> self.shift) as usize;
        self.starts[b] as usize..self.starts[b + 1] as usize
    }

    fn holds(&self, key: u64, digest: u64) -> bool {
        self.with_key(key).any(|i| self.kept[i].digest == digest)
    }

    /// Looks a row up and marks what it met with its line.
    fn meet(&mut self, key_hash: u64, digest: u64, line: u32) -> Meeting {
        let same = self
            .with_key(key_hash)
            .find(|&i| self.kept[i].digest == digest);
        if let Some(i) = same {
            return match self.met[i] {
                0 => {
                    self.met[i] = line;
                    Meeting::Unchanged
                }
                first => Meeting::Repeated(first),
            };
        }
        let (mut earlier, mut details, mut found) = (None, None, 0);
        for i in self.bucket(key_hash) {
            if self.kept[i].key_hash != key_hash {
                continue;
            }
            match self.met[i] {
                0 => self.met[i] = line,
                first => earlier = earlier.or(Some(first)),
            }
            details = Some(self.kept[i].details);
            found += 1;
        }
        match (earlier, details) {
            (Some(first), _) => Meeting::MetBefore(first),
            // One kept digest with this hash: this booking's, but for a
            // 64-bit collision, which only costs its person's details a
            // second merge.
            (None, Some(details)) if found == 1 => Meeting::Changed { details },
            _ => Meeting::New,
        }
    }

    /// Key hashes of the kept digests no row met.
    fn unmet_keys(&self) -> Vec<u64> {
        self.kept
            .iter()
            .zip(&self.met)
            .filter(|(_, &line)| line == 0)
            .map(|(k, _)| k.key_hash)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(key_hash: u64, digest: u64) -> Kept {
        Kept {
            key_hash,
            digest,
            details: digest / 2,
        }
    }

    #[test]
    fn a_row_meets_its_own_digest_once_and_a_repeat_names_the_first_line() {
        let mut previous = Previous::new(vec![kept(7, 1), kept(u64::MAX, 2), kept(0, 3)]);
        assert_eq!(previous.meet(u64::MAX, 2, 5), Meeting::Unchanged);
        assert_eq!(previous.meet(u64::MAX, 2, 9), Meeting::Repeated(5));
        assert_eq!(previous.meet(7, 99, 10), Meeting::Changed { details: 0 });
        assert_eq!(previous.meet(7, 1, 11), Meeting::Repeated(10));
        assert_eq!(previous.meet(7, 98, 12), Meeting::MetBefore(10));
        assert_eq!(previous.meet(8, 1, 13), Meeting::New);
        assert_eq!(previous.unmet_keys(), vec![0]);
    }

    #[test]
    fn every_kept_digest_is_found_whatever_the_bucket_size() {
        // Hashes spread over the whole range and bunched at its ends and
        // in one bucket, for sizes around the bucket table's steps.
        for n in [0usize, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 1000] {
            let keys: Vec<u64> = (0..n as u64)
                .map(|i| match i % 4 {
                    0 => i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    1 => u64::MAX - i,
                    2 => i,
                    _ => 0x8000_0000_0000_0000 + i,
                })
                .collect();
            let mut previous = Previous::new(keys.iter().map(|&k| kept(k, !k)).collect());
            for (line, &k) in keys.iter().enumerate() {
                assert!(previous.holds(k, !k), "n = {n}: {k:#x} not found");
                assert_eq!(previous.meet(k, !k, line as u32 + 1), Meeting::Unchanged);
            }
            assert!(previous.unmet_keys().is_empty(), "n = {n}");
            assert!(!previous.holds(0x1234_5678, 0), "n = {n}");
        }
    }

    #[test]
    fn key_hashes_are_stable_across_builds() {
        // Stored in every store: a change here would make every kept digest
        // unreachable (harmless, but the next refresh would read in full).
        use digest::key_hash;
        assert_ne!(key_hash("B-0000001"), key_hash("B-0000002"));
        assert_eq!(key_hash(""), 0x21ec_b1be_7717_9943);
    }
}
