//! People's details (birth date, phone) from booking rows, merged into
//! `person` once at the end of an import, in key order: one sorted pass
//! instead of a random B-tree update per booking. A later row's birth date
//! or phone replaces an earlier one; an empty field keeps what was there.

use crate::error::Result;
use crate::store::person;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Transaction};

/// The details of every row that gave any, in file order.
#[derive(Default)]
pub(super) struct People {
    details: Vec<Detail>,
    /// Person ids and phones back to back; `Detail` points into it.
    text: Vec<u8>,
}

/// 16 bytes a row: millions of them are held until the end of the import.
#[derive(Clone, Copy)]
struct Detail {
    /// Where the person id starts in `text`; the phone follows it.
    at: u64,
    id_len: u16,
    phone_len: u16,
    /// Days from the common era; `NO_BIRTH_DATE` when not given.
    birth: i32,
}

const NO_BIRTH_DATE: i32 = i32::MIN;

impl People {
    /// Room for about `rows` details, so the vectors never copy themselves
    /// while large (the import's peak memory would double for a moment).
    pub fn with_capacity(rows: usize) -> Self {
        People {
            details: Vec::with_capacity(rows),
            text: Vec::with_capacity(rows * 24),
        }
    }

    /// Keeps a row's details; rows with neither are skipped.
    pub fn add(&mut self, person_id: &str, birth: Option<NaiveDate>, phone: Option<&str>) {
        if birth.is_none() && phone.is_none() {
            return;
        }
        // `parse` bounds both lengths far below u16::MAX.
        let (id, phone) = (person_id.as_bytes(), phone.unwrap_or_default().as_bytes());
        self.details.push(Detail {
            at: self.text.len() as u64,
            id_len: id.len() as u16,
            phone_len: phone.len() as u16,
            birth: birth.map_or(NO_BIRTH_DATE, |d| d.num_days_from_ce()),
        });
        self.text.extend_from_slice(id);
        self.text.extend_from_slice(phone);
    }

    fn id(&self, d: &Detail) -> &[u8] {
        let at = d.at as usize;
        &self.text[at..at + usize::from(d.id_len)]
    }

    fn phone(&self, d: &Detail) -> Option<&str> {
        let at = d.at as usize + usize::from(d.id_len);
        let bytes = &self.text[at..at + usize::from(d.phone_len)];
        (!bytes.is_empty())
            .then(|| std::str::from_utf8(bytes).ok())
            .flatten()
    }

    /// Sorts by person id, keeping file order within a person. SQLite's
    /// BINARY collation orders text by its bytes, as this does.
    fn sort(&mut self) {
        let mut details = std::mem::take(&mut self.details);
        details.sort_by(|a, b| self.id(a).cmp(self.id(b)));
        self.details = details;
    }

    /// Each person once, with the last birth date and phone given; in id
    /// order after `sort`.
    fn merged(&self) -> impl Iterator<Item = Merged<'_>> {
        let mut i = 0;
        std::iter::from_fn(move || {
            let id = self.id(self.details.get(i)?);
            let (mut birth, mut phone) = (NO_BIRTH_DATE, None);
            while let Some(d) = self.details.get(i).filter(|d| self.id(d) == id) {
                if d.birth != NO_BIRTH_DATE {
                    birth = d.birth;
                }
                phone = self.phone(d).or(phone);
                i += 1;
            }
            let birth = NaiveDate::from_num_days_from_ce_opt(birth).map(format_date);
            // Whole `&str`s went in, so an id is always UTF-8.
            Some((std::str::from_utf8(id).unwrap_or_default(), birth, phone))
        })
    }

    /// Writes one row per person, in id order.
    pub fn write(mut self, tx: &Transaction<'_>, now: &str) -> Result<()> {
        // Details usually come in id order already; the sort then only
        // confirms it.
        self.sort();
        if person::is_empty(tx)? {
            // Nobody to merge with: plain inserts, many rows per statement.
            return crate::store::bulk::insert_in_chunks(
                tx,
                person::insert_sql,
                self.merged(),
                |stmt, at, row| bind(stmt, at, row, now),
            );
        }
        let mut upsert = tx.prepare(person::UPSERT)?;
        for (id, birth, phone) in self.merged() {
            upsert.execute(params![
                id,
                crate::store::new_uuid(),
                birth_text(&birth),
                phone,
                now
            ])?;
        }
        Ok(())
    }
}

type Merged<'a> = (&'a str, Option<[u8; 10]>, Option<&'a str>);

fn birth_text(birth: &Option<[u8; 10]>) -> Option<&str> {
    birth.as_ref().and_then(|b| std::str::from_utf8(b).ok())
}

/// Binds one person's five parameters from index `at` on.
fn bind(stmt: &mut rusqlite::Statement<'_>, at: usize, row: &Merged<'_>, now: &str) -> Result<()> {
    let (id, birth, phone) = row;
    stmt.raw_bind_parameter(at, *id)?;
    stmt.raw_bind_parameter(at + 1, &crate::store::new_uuid()[..])?;
    stmt.raw_bind_parameter(at + 2, birth_text(birth))?;
    stmt.raw_bind_parameter(at + 3, *phone)?;
    stmt.raw_bind_parameter(at + 4, now)?;
    Ok(())
}

/// `YYYY-MM-DD` without a heap allocation (millions of them per import).
fn format_date(d: NaiveDate) -> [u8; 10] {
    let mut out = *b"0000-00-00";
    let year = d.year().clamp(0, 9999) as u32;
    for (i, v) in [
        (0, year / 100),
        (2, year % 100),
        (5, d.month()),
        (8, d.day()),
    ] {
        out[i] = b'0' + (v / 10) as u8;
        out[i + 1] = b'0' + (v % 10) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_as_iso() {
        for (y, m, d) in [(1925, 1, 5), (2004, 12, 31), (1, 2, 3)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(
                std::str::from_utf8(&format_date(date)).expect("ascii"),
                date.to_string()
            );
        }
    }
}
