//! Small-cell suppression for any breakdown in a briefing: counts from 1 to 9
//! are shown as `<10`, and enough other counts are hidden as `x` that no
//! suppressed count can be worked out from what is shown; when no choice
//! does that, the breakdown is not shown at all.
//!
//! A reader knows more than "the total minus the shown ones": `<10` is 1 to
//! 9, `x` is 10 or more (smaller ones show as `<10`), and the hidden counts
//! add up to the total less the shown ones. With `<10`, `x` and a total of
//! 61 beside a shown 50, the two hidden counts add up to 11, so they are 1
//! and 10. A count is safe only when these facts leave it more than one
//! value.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cell {
    Shown(i64),
    /// A count from 1 to 9.
    Small,
    /// A count of 10 or more, hidden so that a small count elsewhere cannot
    /// be worked out.
    Hidden,
}

/// The cells of a breakdown and its total as they may be published; None
/// when no choice of hidden counts keeps every small count from being
/// worked out, and the breakdown must not be shown. The total is taken as
/// known exactly, as the page shows the same count elsewhere (a briefing's
/// bookings by age add up to its bookings in the days ahead); under 10 it
/// is printed `<10`, like any small count.
pub fn suppress(counts: &[i64]) -> Option<(Vec<Cell>, Cell)> {
    let total: i64 = counts.iter().sum();
    let small = |n: i64| (1..=9).contains(&n);
    let mut cells: Vec<Cell> = counts
        .iter()
        .map(|&n| {
            if small(n) {
                Cell::Small
            } else {
                Cell::Shown(n)
            }
        })
        .collect();
    while some_count_follows(&cells, total) {
        // Hide one more shown count: the smallest above 10 (hiding a 10
        // adds no doubt, as `x` says 10 or more), else a 10. Zeros stay:
        // an `x` is never a zero.
        let shown = |min: i64| {
            cells
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c {
                    Cell::Shown(n) if *n >= min => Some((*n, i)),
                    _ => None,
                })
                .min()
        };
        let (_, i) = shown(11).or_else(|| shown(10))?;
        cells[i] = Cell::Hidden;
    }
    let total_cell = if small(total) {
        Cell::Small
    } else {
        Cell::Shown(total)
    };
    Some((cells, total_cell))
}

/// Whether a reader can work out some `<10` or `x` exactly from the shown
/// counts and the `total`: each hidden count is at least the total
/// less the most the others can be, and at most the total less the least
/// they can be.
fn some_count_follows(cells: &[Cell], total: i64) -> bool {
    let range = |cell: &Cell| match *cell {
        Cell::Shown(n) => (n, n),
        Cell::Small => (1, 9),
        Cell::Hidden => (10, total),
    };
    let (least, most) = cells
        .iter()
        .map(range)
        .fold((0, 0), |(a, b), (lo, hi)| (a + lo, b + hi));
    cells
        .iter()
        .filter(|c| !matches!(c, Cell::Shown(_)))
        .any(|c| {
            let (lo, hi) = range(c);
            let at_least = lo.max(total - (most - hi));
            let at_most = hi.min(total - (least - lo));
            at_least >= at_most
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every value each cell can take given only what a reader knows: shown
    /// counts as they are, `<10` from 1 to 9, `x` from 10 up, and all adding
    /// up to the total (public: the page shows it elsewhere). Brute force:
    /// for each cell, the sums the other cells can make, listed one cell at
    /// a time; no count is above `most`.
    fn possible_values(cells: &[Cell], total: i64, most: i64) -> Vec<Vec<i64>> {
        let values = |cell: &Cell| -> Vec<i64> {
            match *cell {
                Cell::Shown(n) => vec![n],
                Cell::Small => (1..=9).collect(),
                Cell::Hidden => (10..=most).collect(),
            }
        };
        let ceiling = most * cells.len() as i64;
        (0..cells.len())
            .map(|i| {
                let mut sums = vec![false; ceiling as usize + 1];
                sums[0] = true;
                for (j, cell) in cells.iter().enumerate() {
                    if j == i {
                        continue;
                    }
                    let mut next = vec![false; sums.len()];
                    for (s, _) in sums.iter().enumerate().filter(|(_, &r)| r) {
                        for v in values(cell) {
                            if let Some(slot) = next.get_mut(s + v as usize) {
                                *slot = true;
                            }
                        }
                    }
                    sums = next;
                }
                values(&cells[i])
                    .into_iter()
                    .filter(|&v| total >= v && sums.get((total - v) as usize) == Some(&true))
                    .collect()
            })
            .collect()
    }

    fn count() -> impl Strategy<Value = i64> {
        prop_oneof![Just(0i64), 1..=9i64, 10..=12i64, 10..=150i64]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Whatever the counts (up to the briefing's 7 age groups), what is
        /// published is true, and every `<10` and `x` can still be more
        /// than one value given everything else on the page.
        #[test]
        fn no_suppressed_count_can_be_worked_out(counts in prop::collection::vec(count(), 1..=7)) {
            let sum: i64 = counts.iter().sum();
            let most = sum.max(10) + 10;
            let follows = |cells: &[Cell]| {
                possible_values(cells, sum, most)
                    .iter()
                    .zip(cells)
                    .any(|(values, cell)| !matches!(cell, Cell::Shown(_)) && values.len() < 2)
            };
            let Some((cells, total)) = suppress(&counts) else {
                // Withheld only when even hiding every count of 10 or more
                // would leave a small one to be worked out.
                let all_hidden: Vec<Cell> = counts
                    .iter()
                    .map(|&n| match n {
                        0 => Cell::Shown(0),
                        1..=9 => Cell::Small,
                        _ => Cell::Hidden,
                    })
                    .collect();
                prop_assert!(follows(&all_hidden), "{:?} withheld needlessly", counts);
                return Ok(());
            };
            for (cell, &n) in cells.iter().zip(&counts) {
                match cell {
                    Cell::Shown(v) => prop_assert!(*v == n && !(1..=9).contains(&n)),
                    Cell::Small => prop_assert!((1..=9).contains(&n)),
                    Cell::Hidden => prop_assert!(n >= 10),
                }
            }
            match total {
                Cell::Shown(t) => prop_assert!(t == sum && !(1..=9).contains(&sum)),
                Cell::Small => prop_assert!((1..=9).contains(&sum)),
                Cell::Hidden => prop_assert!(false, "the total is public"),
            }
            let possible = possible_values(&cells, sum, most);
            for (i, (cell, &n)) in cells.iter().zip(&counts).enumerate() {
                prop_assert!(possible[i].contains(&n), "cell {} can't be its own count", i);
                if !matches!(cell, Cell::Shown(_)) {
                    prop_assert!(
                        possible[i].len() > 1,
                        "cell {} of {:?} is {:?}: published {:?} {:?}",
                        i, counts, possible[i], cells, total
                    );
                }
            }
            prop_assert!(!follows(&cells));
            // Nothing is hidden when no count is small.
            if !counts.iter().any(|n| (1..=9).contains(n)) {
                prop_assert!(cells.iter().all(|c| matches!(c, Cell::Shown(_))));
            }
        }
    }

    #[test]
    fn known_answers() {
        use Cell::*;
        // One small count: the smallest count above 10 is hidden with it.
        assert_eq!(
            suppress(&[5, 0, 30, 40]),
            Some((vec![Small, Shown(0), Hidden, Shown(40)], Shown(75)))
        );
        assert_eq!(
            suppress(&[12, 0, 30]),
            Some((vec![Shown(12), Shown(0), Shown(30)], Shown(42)))
        );
        // Hiding the 10 would leave <10 + x = 11: 1 and 10. The 50 goes.
        assert_eq!(
            suppress(&[1, 10, 50]),
            Some((vec![Small, Shown(10), Hidden], Shown(61)))
        );
        // <10 + x = 11 whatever is hidden: not shown.
        assert_eq!(suppress(&[1, 10]), None);
        // A total under 10 split in two: 3 + 4 = 7 leaves each 1 to 6.
        assert_eq!(
            suppress(&[3, 0, 4]),
            Some((vec![Small, Shown(0), Small], Small))
        );
        // All 5 bookings in one group: the group is the total.
        assert_eq!(suppress(&[0, 5, 0]), None);
    }
}
