//! The site-bound stage, planned before the region's: people booked beyond
//! a shift's places come to that clinic at their slot's hour, so spare room
//! elsewhere does not serve them. Each overbooked shift gets the vaccinators
//! its free stations and the day's staff pool allow; whoever is still over
//! capacity is left for the rebooking desk to move, and said so.

use super::model::{
    peak_vaccinators, Constraint, PlanInstance, PlanParams, Reinforcement, SiteMoves,
};
use super::staffing::{staff_for, StationStaff};
use std::collections::HashMap;

/// What the site-bound stage decided, and the instance the region's stage
/// then plans on: the reinforced shifts' vaccinators and doses included.
pub struct SiteBound {
    pub reinforcements: Vec<Reinforcement>,
    pub moves: Vec<SiteMoves>,
    pub instance: PlanInstance,
    /// Staff the reinforcements take from each day's pool.
    pub staff_used: Vec<u32>,
}

/// Worst overbooking first (most people), then earliest day, then site code,
/// so a shared staff pool goes where most people would otherwise be turned away.
pub fn plan_site_bound(inst: &PlanInstance, params: &PlanParams) -> SiteBound {
    let mut reinforced = inst.clone();
    let mut staff_used = vec![0u32; inst.days.len()];
    let mut order: Vec<usize> = (0..inst.overbooked.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&inst.overbooked[a], &inst.overbooked[b]);
        y.excess()
            .cmp(&x.excess())
            .then(x.day.cmp(&y.day))
            .then(inst.sites[x.site].code.cmp(&inst.sites[y.site].code))
    });
    let mut reinforcements = Vec::new();
    let mut moves = Vec::new();
    // Existing shifts by (site, day): a province has tens of thousands.
    let mut shifts_of: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, e) in inst.existing.iter().enumerate() {
        shifts_of.entry((e.site, e.day)).or_default().push(k);
    }
    for i in order {
        let ob = &inst.overbooked[i];
        let Some(shift) = reinforced.existing.get(ob.shift).cloned() else {
            continue;
        };
        let site = &inst.sites[ob.site];
        let same_day = shifts_of
            .get(&(ob.site, ob.day))
            .map_or(&[][..], Vec::as_slice);
        let busy = peak_vaccinators(
            same_day.iter().map(|&k| {
                let e = &reinforced.existing[k];
                (e.start, e.end, e.vaccinators)
            }),
            shift.start,
            shift.end,
        );
        let free = site.stations.saturating_sub(busy);
        let excess = ob.excess();
        // The fewest vaccinators serving everyone, or as many as stations allow.
        let mut wanted = 0;
        while wanted < free && ob.served_by(wanted) < excess {
            wanted += 1;
        }
        let rate = site.doses_per_vaccinator_hour;
        let before = staff_for(shift.vaccinators, rate, &params.ratios);
        let added_staff = |a: u32| {
            difference(
                staff_for(shift.vaccinators + a, rate, &params.ratios),
                before,
            )
        };
        let mut added = wanted;
        if let Some(pool) = params.staff_pool {
            let left = pool.saturating_sub(staff_used[ob.day]);
            while added > 0 && added_staff(added).total() > left {
                added -= 1;
            }
        }
        let served = ob.served_by(added);
        if added > 0 {
            let staff = added_staff(added);
            let capacity = ob.places_gained(added) * ob.slots_in_shift;
            staff_used[ob.day] += staff.total();
            let e = &mut reinforced.existing[ob.shift];
            e.vaccinators += added;
            e.capacity += capacity;
            reinforcements.push(Reinforcement {
                overbooked: i,
                added,
                capacity,
                staff,
                served,
            });
        }
        if served < excess {
            moves.push(SiteMoves {
                overbooked: i,
                people: excess - served,
                limit: if added < wanted {
                    Constraint::Staff
                } else {
                    Constraint::Stations
                },
            });
        }
    }
    SiteBound {
        reinforcements,
        moves,
        instance: reinforced,
        staff_used,
    }
}

/// Staff at each station in `after` beyond `before`.
fn difference(after: StationStaff, before: StationStaff) -> StationStaff {
    StationStaff {
        check_in: after.check_in.saturating_sub(before.check_in),
        screening: after.screening.saturating_sub(before.screening),
        vaccination: after.vaccination.saturating_sub(before.vaccination),
        observation: after.observation.saturating_sub(before.observation),
        observation_chairs: after
            .observation_chairs
            .saturating_sub(before.observation_chairs),
    }
}
