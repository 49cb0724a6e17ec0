//! What the bulk loads into an empty table share (bookings, dose counts):
//! a parser thread that checks rows and hands them over in batches while
//! the transaction's thread writes them, the rows' text kept back to back,
//! and the file line of each written row for the error that names a
//! repeated key's first copy.

use crate::error::{Error, Result};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Rows the parser hands over at a time.
pub(super) const BATCH_ROWS: usize = 8192;
/// Batches in flight: enough to keep both threads busy, little memory.
const BATCHES_IN_FLIGHT: usize = 4;

/// Runs `parse` on a thread of its own, sending batches to `write` on this
/// one (which holds the transaction), and returns both results. A writer
/// error stops the parser (its sends fail) and is the one reported; when
/// the parser fails, the writer just sees the batches end.
pub(super) fn parse_beside_writing<B: Send, P: Send, W>(
    what: &str,
    parse: impl FnOnce(SyncSender<B>) -> Result<P> + Send,
    write: impl FnOnce(Receiver<B>) -> Result<W>,
) -> Result<(W, P)> {
    let (sender, batches) = sync_channel::<B>(BATCHES_IN_FLIGHT);
    let (written, parsed) = std::thread::scope(|scope| {
        let parser = scope.spawn(move || parse(sender));
        let written = write(batches);
        let parsed = parser.join().unwrap_or_else(|_| {
            Err(Error::Internal(format!(
                "the {what} import's parser thread stopped unexpectedly; nothing was imported"
            )))
        });
        (written, parsed)
    });
    let written = written?;
    Ok((written, parsed?))
}

/// Sends one batch to the writer; `Err(Cancelled)` when the writer has
/// stopped (its own error is the one reported).
pub(super) fn hand_over<B>(batches: &SyncSender<B>, batch: B) -> Result<()> {
    batches.send(batch).map_err(|_| Error::Cancelled)
}

/// A byte range of a [`Text`].
pub(super) type Span = (u32, u32);

/// A batch's strings, back to back in one allocation.
pub(super) struct Text(String);

impl Text {
    pub fn with_capacity(bytes: usize) -> Self {
        Text(String::with_capacity(bytes))
    }

    pub fn span(&mut self, s: &str) -> Span {
        let start = self.0.len() as u32;
        self.0.push_str(s);
        (start, self.0.len() as u32)
    }

    pub fn get(&self, (start, end): Span) -> &str {
        self.0.get(start as usize..end as usize).unwrap_or_default()
    }
}

/// The file line of each row written, by row id (ids follow the file's
/// order from 1 in an empty table). Kept as the few places where a row's
/// line is not the previous row's plus one (a quoted newline, a blank
/// line), not as one number a row: tens of millions of rows cost nothing.
#[derive(Default)]
pub(super) struct Lines {
    /// (id, line) of each row that does not follow on from the one before.
    steps: Vec<(u64, u64)>,
}

impl Lines {
    /// Notes row `id`'s line; ids come in increasing order.
    pub fn note(&mut self, id: u64, line: u64) {
        match self.steps.last() {
            Some(&(i, l)) if id > i && l + (id - i) == line => {}
            _ => self.steps.push((id, line)),
        }
    }

    /// The line of row `id` (rows after the last one noted are taken to
    /// follow on); `None` before the first.
    pub fn line_of(&self, id: u64) -> Option<u64> {
        let at = self.steps.partition_point(|&(i, _)| i <= id);
        let &(i, l) = self.steps.get(at.checked_sub(1)?)?;
        Some(l + (id - i))
    }
}

/// Sums per site-day taken while parsing, for `day_totals::set_*`: kept
/// as a list that adds each row to the last entry when they share their
/// site-day (rows come grouped by day) and is sorted and merged whenever it
/// doubles, so it stays near one entry a site-day whatever the rows' order.
/// A hash map of millions of site-days took twice the memory.
pub(super) struct SiteDaySums<const N: usize> {
    /// (site id and day number in one key, sums), sorted and merged up to
    /// `merged`.
    sums: Vec<(u64, [i64; N])>,
    merged: usize,
}

impl<const N: usize> SiteDaySums<N> {
    pub fn new() -> Self {
        SiteDaySums {
            sums: Vec::new(),
            merged: 0,
        }
    }

    /// Site ids are row ids (from 1); day numbers count from 1970-01-01 to
    /// dates an import accepts (2020 to 2100), so both fit 32 bits and the
    /// key sorts as the pair does.
    pub fn add(&mut self, site_id: i64, day: i64, values: [i64; N]) {
        let key = (site_id as u64) << 32 | (day as u64 & 0xffff_ffff);
        if let Some(last) = self.sums.last_mut().filter(|(k, _)| *k == key) {
            for (sum, v) in last.1.iter_mut().zip(values) {
                *sum += v;
            }
            return;
        }
        if self.sums.len() == self.sums.capacity() && self.sums.len() >= 2 * self.merged.max(1024) {
            self.merge();
        }
        self.sums.push((key, values));
    }

    fn merge(&mut self) {
        self.sums.sort_unstable_by_key(|&(k, _)| k);
        let mut out = 0;
        for i in 0..self.sums.len() {
            if out > 0 && self.sums[out - 1].0 == self.sums[i].0 {
                let values = self.sums[i].1;
                for (sum, v) in self.sums[out - 1].1.iter_mut().zip(values) {
                    *sum += v;
                }
            } else {
                self.sums[out] = self.sums[i];
                out += 1;
            }
        }
        self.sums.truncate(out);
        self.merged = out;
    }

    /// Every site-day once, in key order: ((site id, day number), sums).
    pub fn into_sorted(mut self) -> impl ExactSizeIterator<Item = ((i64, i64), [i64; N])> {
        self.merge();
        self.sums
            .into_iter()
            .map(|(k, v)| (((k >> 32) as i64, i64::from(k as u32 as i32)), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_again_across_gaps_with_few_steps() {
        // Rows 1..=1000 on lines 2.., except that a quoted newline puts row
        // 300 and the rest one line further and a blank line pushes row 700
        // on by two more.
        let line = |id: u64| id + 1 + u64::from(id >= 300) + 2 * u64::from(id >= 700);
        let mut lines = Lines::default();
        for id in 1..=1000 {
            lines.note(id, line(id));
        }
        assert_eq!(lines.steps.len(), 3);
        for id in 1..=1000 {
            assert_eq!(lines.line_of(id), Some(line(id)), "row {id}");
        }
        assert_eq!(lines.line_of(0), None);
    }

    #[test]
    fn site_day_sums_equal_a_map_of_them_whatever_the_order() {
        // Grouped by day, then the same rows shuffled by a fixed stride.
        let rows: Vec<(i64, i64, i64)> =
            (0..50_000i64).map(|i| (i % 37, i / 500, i % 11)).collect();
        let shuffled = (0..rows.len()).map(|i| rows[i * 7919 % rows.len()]);
        for order in [rows.clone(), shuffled.collect()] {
            let mut expected = std::collections::BTreeMap::new();
            let mut sums = SiteDaySums::<2>::new();
            for &(site, day, doses) in &order {
                let e = expected.entry((site, day)).or_insert([0, 0]);
                e[0] += doses;
                e[1] += 1;
                sums.add(site, day, [doses, 1]);
            }
            let expected: Vec<_> = expected.into_iter().collect();
            assert_eq!(sums.into_sorted().collect::<Vec<_>>(), expected);
        }
    }
}
