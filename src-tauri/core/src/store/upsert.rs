//! The counted upsert behind every simple importer: a table's row type says
//! its SQL and how it binds; this counts what the file inserted and changed.

use crate::error::Result;
use rusqlite::{Connection, Statement};

/// A row that one table upserts by its natural key. The SQL's `DO UPDATE`
/// carries a `WHERE … IS NOT …` so an identical row counts as unchanged.
pub(crate) trait Keyed {
    const TABLE: &'static str;
    const UPSERT: &'static str;
    /// Executes the upsert for this row; returns the rows SQLite touched (0 or 1).
    fn execute(&self, stmt: &mut Statement<'_>, now: &str) -> rusqlite::Result<usize>;
}

/// What an upsert pass wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub inserted: u64,
    pub updated: u64,
}

pub(crate) struct Upsert<'c, R: Keyed> {
    conn: &'c Connection,
    stmt: Statement<'c>,
    before: u64,
    touched: u64,
    now: String,
    _row: std::marker::PhantomData<R>,
}

impl<'c, R: Keyed> Upsert<'c, R> {
    pub(crate) fn prepare(conn: &'c Connection, now: &str) -> Result<Self> {
        Ok(Upsert {
            conn,
            stmt: conn.prepare(R::UPSERT)?,
            before: super::bulk::count_rows(conn, R::TABLE)?,
            touched: 0,
            now: now.to_owned(),
            _row: std::marker::PhantomData,
        })
    }

    pub(crate) fn put(&mut self, row: &R) -> Result<()> {
        self.touched += row.execute(&mut self.stmt, &self.now)? as u64;
        Ok(())
    }

    /// New rows are what the table grew by; the rest of the touched rows changed.
    pub(crate) fn finish(self) -> Result<Counts> {
        let inserted = super::bulk::count_rows(self.conn, R::TABLE)? - self.before;
        Ok(Counts {
            inserted,
            updated: self.touched - inserted,
        })
    }
}
