//! Small-cell suppression for any breakdown in a briefing: counts from 1 to 9
//! are shown as `<10`, and enough other cells are hidden that a suppressed
//! count cannot be worked out from the total.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cell {
    Shown(i64),
    /// A count from 1 to 9.
    Small,
    /// Hidden so that a small count elsewhere cannot be derived by subtraction.
    Hidden,
}

/// The cells of a breakdown and its total, as they may be published.
pub fn suppress(counts: &[i64]) -> (Vec<Cell>, Cell) {
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
    if small(total) {
        // Every non-zero cell is then small or would reveal the total.
        for (cell, &n) in cells.iter_mut().zip(counts) {
            if n > 0 {
                *cell = Cell::Small;
            }
        }
        return (cells, Cell::Small);
    }
    let suppressed = cells
        .iter()
        .filter(|c| !matches!(c, Cell::Shown(_)))
        .count();
    if suppressed == 1 {
        // One hidden cell equals the total minus the shown ones: hide the
        // smallest other non-zero count too.
        if let Some((i, _)) = counts
            .iter()
            .enumerate()
            .filter(|(i, &n)| n > 0 && matches!(cells[*i], Cell::Shown(_)))
            .min_by_key(|(_, &n)| n)
        {
            cells[i] = Cell::Hidden;
        }
    }
    (cells, Cell::Shown(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A suppressed count can be worked out only when it is the one
    /// unknown: every other cell and the total shown.
    fn derivable(cells: &[Cell], total: Cell) -> bool {
        let unknown = cells
            .iter()
            .filter(|c| !matches!(c, Cell::Shown(_)))
            .count();
        unknown == 1 && matches!(total, Cell::Shown(_))
    }

    #[test]
    fn small_counts_never_show_and_never_follow_from_the_total() {
        let mut rng = Rng::new(11);
        for _ in 0..20_000 {
            let len = 1 + rng.below(6) as usize;
            let counts: Vec<i64> = (0..len)
                .map(|_| match rng.below(4) {
                    0 => 0,
                    1 => 1 + rng.below(9) as i64,
                    _ => rng.below(200) as i64,
                })
                .collect();
            let (cells, total) = suppress(&counts);
            for (cell, &n) in cells.iter().zip(&counts) {
                match cell {
                    Cell::Shown(v) => {
                        assert_eq!(*v, n);
                        assert!(!(1..=9).contains(&n), "{counts:?}");
                    }
                    Cell::Small => assert!(n > 0, "{counts:?}"),
                    Cell::Hidden => assert!(n >= 10, "{counts:?}"),
                }
            }
            if cells.iter().any(|c| !matches!(c, Cell::Shown(_))) {
                assert!(
                    !derivable(&cells, total),
                    "{counts:?} → {cells:?} {total:?}"
                );
            }
        }
        assert_eq!(
            suppress(&[5, 0, 30, 40]),
            (
                vec![Cell::Small, Cell::Shown(0), Cell::Hidden, Cell::Shown(40)],
                Cell::Shown(75)
            )
        );
        assert_eq!(
            suppress(&[12, 0, 30]),
            (
                vec![Cell::Shown(12), Cell::Shown(0), Cell::Shown(30)],
                Cell::Shown(42)
            )
        );
    }
}
