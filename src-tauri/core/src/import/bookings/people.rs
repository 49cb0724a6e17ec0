//! People's details (birth date, phone, name, language) from booking rows,
//! merged into `person` once at the end of an import, in key order: one
//! sorted pass instead of a random B-tree update per booking. A later row's
//! value replaces an earlier one; an empty field keeps what was there.

use crate::error::Result;
use crate::store::person;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Transaction};

/// The details of every row that gave any, in file order.
#[derive(Default)]
pub(super) struct People {
    details: Vec<Detail>,
    /// Person ids, phones, given and family names back to back; `Detail`
    /// points into it.
    text: Vec<u8>,
}

/// 24 bytes a row: millions of them are held until the end of the import.
#[derive(Clone, Copy)]
struct Detail {
    /// Where the person id starts in `text`; the phone, given name and
    /// family name follow it.
    at: u64,
    id_len: u16,
    phone_len: u16,
    given_len: u16,
    family_len: u16,
    /// Days from the common era; `NO_BIRTH_DATE` when not given.
    birth: i32,
    /// An ISO 639-1 code's two letters; zeros when not given.
    language: [u8; 2],
}

/// One booking row's details about its person.
#[derive(Clone, Copy, Default)]
pub(super) struct RowDetails<'a> {
    pub birth: Option<NaiveDate>,
    pub phone: Option<&'a str>,
    pub given_name: Option<&'a str>,
    pub family_name: Option<&'a str>,
    /// Checked by `parse`: two ASCII letters.
    pub language: Option<&'a str>,
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

    /// Keeps a row's details; rows with none are skipped.
    pub fn add(&mut self, person_id: &str, row: &RowDetails<'_>) {
        let texts = [row.phone, row.given_name, row.family_name];
        if row.birth.is_none() && row.language.is_none() && texts.iter().all(Option::is_none) {
            return;
        }
        // `parse` bounds every length far below u16::MAX.
        let len = |t: Option<&str>| t.map_or(0, str::len) as u16;
        let mut language = [0; 2];
        if let Some(code) = row.language {
            language.copy_from_slice(&code.as_bytes()[..2]);
            language.make_ascii_lowercase(); // "FR" is fr
        }
        self.details.push(Detail {
            at: self.text.len() as u64,
            id_len: person_id.len() as u16,
            phone_len: len(row.phone),
            given_len: len(row.given_name),
            family_len: len(row.family_name),
            birth: row.birth.map_or(NO_BIRTH_DATE, |d| d.num_days_from_ce()),
            language,
        });
        self.text.extend_from_slice(person_id.as_bytes());
        for t in texts.into_iter().flatten() {
            self.text.extend_from_slice(t.as_bytes());
        }
    }

    fn id(&self, d: &Detail) -> &[u8] {
        let at = d.at as usize;
        &self.text[at..at + usize::from(d.id_len)]
    }

    /// The `k`th text after the id (0 phone, 1 given name, 2 family name);
    /// `None` when empty.
    fn part(&self, d: &Detail, k: usize) -> Option<&str> {
        let lens = [d.phone_len, d.given_len, d.family_len].map(usize::from);
        let at = d.at as usize + usize::from(d.id_len) + lens[..k].iter().sum::<usize>();
        let bytes = &self.text[at..at + lens[k]];
        (!bytes.is_empty())
            .then(|| std::str::from_utf8(bytes).ok())
            .flatten()
    }

    fn language<'d>(&self, d: &'d Detail) -> Option<&'d str> {
        (d.language != [0; 2])
            .then(|| std::str::from_utf8(&d.language).ok())
            .flatten()
    }

    /// Sorts by person id, keeping file order within a person. SQLite's
    /// BINARY collation orders text by its bytes, as this does.
    fn sort(&mut self) {
        let mut details = std::mem::take(&mut self.details);
        details.sort_by(|a, b| self.id(a).cmp(self.id(b)));
        self.details = details;
    }

    /// Each person once, with the last of each detail given; in id order
    /// after `sort`.
    fn merged(&self) -> impl Iterator<Item = Merged<'_>> {
        let mut i = 0;
        std::iter::from_fn(move || {
            let id = self.id(self.details.get(i)?);
            let mut birth = NO_BIRTH_DATE;
            let mut m = Merged::default();
            while let Some(d) = self.details.get(i).filter(|d| self.id(d) == id) {
                if d.birth != NO_BIRTH_DATE {
                    birth = d.birth;
                }
                m.phone = self.part(d, 0).or(m.phone);
                m.given_name = self.part(d, 1).or(m.given_name);
                m.family_name = self.part(d, 2).or(m.family_name);
                m.language = self.language(d).or(m.language);
                i += 1;
            }
            m.birth = NaiveDate::from_num_days_from_ce_opt(birth).map(format_date);
            // Whole `&str`s went in, so an id is always UTF-8.
            m.id = std::str::from_utf8(id).unwrap_or_default();
            Some(m)
        })
    }

    /// Writes one row per person, in id order.
    pub fn write(mut self, tx: &Transaction<'_>, now: &str) -> Result<()> {
        // Details usually come in id order already; the sort then only
        // confirms it.
        self.sort();
        if person::is_empty(tx)? {
            // Nobody to merge with: plain inserts, many rows per statement,
            // and the name-key indexes built once at the end (one sort
            // instead of a random B-tree insert per person).
            let deferred = crate::store::bulk::drop_indexes(tx, "person")?;
            crate::store::bulk::insert_in_chunks(
                tx,
                person::insert_sql,
                self.merged(),
                |stmt, at, row| bind(stmt, at, row, now),
            )?;
            // The details are in the table now: freed before the index
            // builds' sorts take memory of their own.
            drop(self);
            return crate::store::bulk::recreate(tx, &deferred);
        }
        let mut upsert = tx.prepare(person::UPSERT)?;
        for m in self.merged() {
            upsert.execute(params![
                m.id,
                crate::store::new_uuid(),
                birth_text(&m.birth),
                m.phone,
                m.given_name,
                m.family_name,
                m.language,
                now,
                m.given_name.map(person::name_key),
                m.family_name.map(person::name_key),
            ])?;
        }
        Ok(())
    }
}

/// One person's details after the merge.
#[derive(Default)]
struct Merged<'a> {
    id: &'a str,
    birth: Option<[u8; 10]>,
    phone: Option<&'a str>,
    given_name: Option<&'a str>,
    family_name: Option<&'a str>,
    language: Option<&'a str>,
}

fn birth_text(birth: &Option<[u8; 10]>) -> Option<&str> {
    birth.as_ref().and_then(|b| std::str::from_utf8(b).ok())
}

/// Binds one person's `person::PARAMS` parameters from index `at` on, in
/// `person::UPSERT`'s order.
fn bind(stmt: &mut rusqlite::Statement<'_>, at: usize, m: &Merged<'_>, now: &str) -> Result<()> {
    stmt.raw_bind_parameter(at, m.id)?;
    stmt.raw_bind_parameter(at + 1, &crate::store::new_uuid()[..])?;
    stmt.raw_bind_parameter(at + 2, birth_text(&m.birth))?;
    stmt.raw_bind_parameter(at + 3, m.phone)?;
    stmt.raw_bind_parameter(at + 4, m.given_name)?;
    stmt.raw_bind_parameter(at + 5, m.family_name)?;
    stmt.raw_bind_parameter(at + 6, m.language)?;
    stmt.raw_bind_parameter(at + 7, now)?;
    stmt.raw_bind_parameter(at + 8, m.given_name.map(person::name_key))?;
    stmt.raw_bind_parameter(at + 9, m.family_name.map(person::name_key))?;
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
