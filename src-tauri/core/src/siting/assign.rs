//! Capacity-limited assignment. Exact capacitated assignment is a
//! transportation problem; a greedy pass suffices for planning: over all
//! (area, point) pairs from nearest to farthest, each area sends as many of
//! its remaining people as the point still has room for. Ties break by point
//! then area index, so results are deterministic.

/// `pairs` are (km, area, point). `left` holds each area's people still
/// unassigned and is drawn down; `caps` is each point's room (may be
/// infinite). Returns (area, point, people, km) for every assignment made.
pub(crate) fn greedy_by_distance(
    mut pairs: Vec<(f64, usize, usize)>,
    left: &mut [f64],
    caps: &[f64],
) -> Vec<(usize, usize, f64, f64)> {
    pairs.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cmp(&y.2)).then(x.1.cmp(&y.1)));
    let mut room = caps.to_vec();
    let mut out = Vec::new();
    for (km, a, p) in pairs {
        if left[a] <= 0.0 {
            continue;
        }
        let amount = left[a].min(room[p]);
        if amount > 0.0 {
            left[a] -= amount;
            room[p] -= amount;
            out.push((a, p, amount, km));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_pairs_fill_first_and_capacity_is_never_exceeded() {
        // Area 0 (100 people) is 1 km from point 0 (room 60) and 5 km from
        // point 1; area 1 (50 people) is 2 km from point 0 and 3 km from point 1.
        let pairs = vec![(1.0, 0, 0), (5.0, 0, 1), (2.0, 1, 0), (3.0, 1, 1)];
        let mut left = vec![100.0, 50.0];
        let out = greedy_by_distance(pairs, &mut left, &[60.0, f64::INFINITY]);
        assert_eq!(
            out,
            vec![(0, 0, 60.0, 1.0), (1, 1, 50.0, 3.0), (0, 1, 40.0, 5.0)]
        );
        assert_eq!(left, vec![0.0, 0.0]);
    }
}
