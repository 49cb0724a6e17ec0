//! The planner checked by an independent validator on seeded random
//! instances, against the exact optimum on small ones, and on the demo.

use super::exact::optimum;
use super::oracle;
use super::planner::{
    plan, plan_greedy, Constraint, PlanInstance, PlanMethod, PlanOutcome, PlanParams, PlannedShift,
};
use super::staffing::StationStaff;
use super::synthetic::random_instance;
use super::*;
use crate::import::Quiet;
use crate::test_oracles::excess_by_site_day;

/// Staff at each station one shift needs beyond another, recomputed here.
fn staff_beyond(vaccinators: u32, added: u32, rate: f64, params: &PlanParams) -> StationStaff {
    let (a, b) = (
        oracle::staff(vaccinators + added, rate, &params.ratios),
        oracle::staff(vaccinators, rate, &params.ratios),
    );
    StationStaff {
        check_in: a.check_in.saturating_sub(b.check_in),
        screening: a.screening.saturating_sub(b.screening),
        vaccination: a.vaccination.saturating_sub(b.vaccination),
        observation: a.observation.saturating_sub(b.observation),
        observation_chairs: a.observation_chairs.saturating_sub(b.observation_chairs),
    }
}

/// The site rule: every overbooked shift's people are either served by the
/// vaccinators added there (recomputed slot by slot from the places each
/// added vaccinator gives) or listed to move, and a move names a limit that
/// really binds (no free station left, or no staff left in the day's pool).
/// Returns the vaccinators and doses added per existing shift.
fn validate_site_rule(
    inst: &PlanInstance,
    params: &PlanParams,
    out: &PlanOutcome,
) -> Result<(Vec<u32>, Vec<i64>), String> {
    let mut added = vec![0u32; inst.existing.len()];
    let mut doses = vec![0i64; inst.existing.len()];
    let mut staff_by_day = vec![0u32; inst.days.len()];
    for (i, ob) in inst.overbooked.iter().enumerate() {
        let mine: Vec<_> = out
            .reinforcements
            .iter()
            .filter(|r| r.overbooked == i)
            .collect();
        let moves: Vec<_> = out.moves.iter().filter(|m| m.overbooked == i).collect();
        if mine.len() > 1 || moves.len() > 1 {
            return Err(format!("overbooked {i}: listed more than once"));
        }
        let excess: i64 = ob.slots.iter().map(|(_, e)| e).sum();
        let served = match mine.first() {
            Some(r) => {
                let gained = ob.slot_places[r.added as usize] - ob.slot_places[0];
                let served: i64 = ob.slots.iter().map(|(_, e)| (*e).min(gained)).sum();
                let e = &inst.existing[ob.shift];
                let rate = inst.sites[ob.site].doses_per_vaccinator_hour;
                if r.added == 0
                    || r.served != served
                    || r.capacity != gained * ob.slots_in_shift
                    || r.staff != staff_beyond(e.vaccinators, r.added, rate, params)
                {
                    return Err(format!(
                        "overbooked {i}: reinforcement {r:?} does not add up"
                    ));
                }
                added[ob.shift] += r.added;
                doses[ob.shift] += r.capacity;
                staff_by_day[ob.day] += r.staff.total();
                served
            }
            None => 0,
        };
        let left = excess - served;
        match (left > 0, moves.first()) {
            (false, None) => {}
            (true, Some(m)) if m.people == left => {}
            _ => return Err(format!("overbooked {i}: {left} left over, moves {moves:?}")),
        }
    }
    // A move's limit must bind once every reinforcement is in place.
    for m in &out.moves {
        let ob = &inst.overbooked[m.overbooked];
        let e = &inst.existing[ob.shift];
        let site = &inst.sites[ob.site];
        match m.limit {
            Constraint::Stations => {
                // Free all through the shift: one more vaccinator would have fitted.
                let free_throughout = (e.start..e.end).step_by(5).all(|minute| {
                    let busy: u32 = inst
                        .existing
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| x.site == ob.site && x.day == ob.day)
                        .filter(|(_, x)| x.start <= minute && minute < x.end)
                        .map(|(k, x)| x.vaccinators + added[k])
                        .sum();
                    busy < site.stations
                });
                if free_throughout {
                    return Err(format!("moves at {}: a station was free", site.code));
                }
            }
            Constraint::Staff => {
                let pool = params.staff_pool.ok_or("a staff limit with no pool")?;
                let one_more = staff_beyond(
                    e.vaccinators + added[ob.shift],
                    1,
                    site.doses_per_vaccinator_hour,
                    params,
                );
                if staff_by_day[ob.day] + one_more.total() <= pool {
                    return Err(format!("moves at {}: the pool had staff left", site.code));
                }
            }
            other => return Err(format!("moves limited by {other:?}")),
        }
    }
    Ok((added, doses))
}

/// Checks a plan against the instance without the planner's own code paths
/// (windows, doses and staff come from `oracle`): the site rule, capacity, supply,
/// hours, stations, per-site daily shift limits, the staff pool, and that
/// unmet demand names a constraint that really binds.
fn validate(inst: &PlanInstance, params: &PlanParams, out: &PlanOutcome) -> Result<(), String> {
    let n = inst.days.len();
    if out.days.len() != n {
        return Err("one outcome per day".into());
    }
    let (added, added_doses) = validate_site_rule(inst, params, out)?;
    // The instance as the region's stage must see it: reinforced shifts included.
    let mut reinforced = inst.clone();
    for (k, e) in reinforced.existing.iter_mut().enumerate() {
        e.vaccinators += added[k];
        e.capacity += added_doses[k];
    }
    let reinforcement_staff = |d: usize| -> u32 {
        out.reinforcements
            .iter()
            .filter(|r| inst.overbooked[r.overbooked].day == d)
            .map(|r| r.staff.total())
            .sum()
    };
    let inst_before = inst;
    let inst = &reinforced;
    let check_shifts = |shifts: &[&PlannedShift]| -> Result<(), String> {
        for d in 0..n {
            let today: Vec<&&PlannedShift> = shifts.iter().filter(|s| s.day == d).collect();
            if let Some(pool) = params.staff_pool {
                let staff: u32 =
                    today.iter().map(|s| s.staff.total()).sum::<u32>() + reinforcement_staff(d);
                if staff > pool {
                    return Err(format!("day {d}: {staff} staff > pool {pool}"));
                }
            }
            for (si, site) in inst.sites.iter().enumerate() {
                let mine: Vec<&&&PlannedShift> = today.iter().filter(|s| s.site == si).collect();
                let existing: Vec<_> = inst
                    .existing
                    .iter()
                    .filter(|e| e.site == si && e.day == d)
                    .collect();
                let count = mine.len() + existing.len();
                if !mine.is_empty() && count > params.max_shifts_per_site_day as usize {
                    return Err(format!("site {si} day {d}: {count} shifts"));
                }
                let mut windows: Vec<(u32, u32, u32)> = existing
                    .iter()
                    .map(|e| (e.start, e.end, e.vaccinators))
                    .collect();
                for s in &mine {
                    if s.start < site.opens || s.end > site.closes || s.end <= s.start {
                        return Err(format!(
                            "site {si} day {d}: {}–{} outside hours",
                            s.start, s.end
                        ));
                    }
                    if existing.iter().any(|e| e.start == s.start) {
                        return Err(format!("site {si} day {d}: start {} taken", s.start));
                    }
                    let rate = site.doses_per_vaccinator_hour;
                    if s.staff != oracle::staff(s.vaccinators, rate, &params.ratios)
                        || s.vaccinators == 0
                    {
                        return Err("staff does not match vaccinators".into());
                    }
                    let doses = oracle::doses(s.vaccinators, s.end - s.start, rate);
                    if doses != s.capacity {
                        return Err(format!("capacity {} ≠ {doses}", s.capacity));
                    }
                    windows.push((s.start, s.end, s.vaccinators));
                }
                for minute in (site.opens..site.closes).step_by(5) {
                    let busy: u32 = windows
                        .iter()
                        .filter(|(a, b, _)| *a <= minute && minute < *b)
                        .map(|w| w.2)
                        .sum();
                    // The schedule as it stood may already exceed the stations.
                    let existing_busy: u32 = inst_before
                        .existing
                        .iter()
                        .filter(|e| e.site == si && e.day == d)
                        .filter(|e| e.start <= minute && minute < e.end)
                        .map(|e| e.vaccinators)
                        .sum();
                    if busy > site.stations.max(existing_busy) {
                        return Err(format!("site {si} day {d} {minute}: {busy} vaccinators"));
                    }
                }
            }
        }
        Ok(())
    };
    let main: Vec<&PlannedShift> = out.shifts.iter().collect();
    check_shifts(&main)?;
    let all: Vec<&PlannedShift> = out.shifts.iter().chain(&out.surplus_shifts).collect();
    check_shifts(&all)?;
    let base = oracle::capacity_by_day(inst_before);
    // Doses left at the end of each day, from the plan's doses and the
    // arrivals: a day's unused shift is excused by supply only when the
    // doses it would give are all taken by that day or a later one (the
    // last day keeps the closing reserve for bookings just after the range).
    let left_after: Vec<i64> = inst
        .days
        .iter()
        .zip(&out.days)
        .scan(inst.opening_on_hand, |left, (day, planned)| {
            *left += day.arrivals - planned.planned;
            Some(*left)
        })
        .collect();
    let mut on_hand = inst.opening_on_hand;
    for (d, day) in out.days.iter().enumerate() {
        let extra: i64 = out
            .shifts
            .iter()
            .filter(|s| s.day == d)
            .map(|s| s.capacity)
            .sum::<i64>()
            + out
                .reinforcements
                .iter()
                .filter(|r| inst.overbooked[r.overbooked].day == d)
                .map(|r| r.capacity)
                .sum::<i64>();
        let demand = inst.days[d].demand;
        if day.capacity_before != base[d] || day.capacity_after != base[d] + extra {
            return Err(format!("day {d}: capacity figures wrong"));
        }
        let avail = on_hand + inst.days[d].arrivals;
        if day.planned > demand || day.planned > day.capacity_after || day.planned > avail {
            return Err(format!(
                "day {d}: planned {} beyond demand, capacity or supply",
                day.planned
            ));
        }
        on_hand = avail - day.planned;
        if on_hand < 0 || on_hand != day.on_hand {
            return Err(format!(
                "day {d}: on hand {on_hand} (reported {})",
                day.on_hand
            ));
        }
        if day.unmet != demand - day.planned {
            return Err(format!("day {d}: unmet wrong"));
        }
        if day.unmet > 0 && day.binding.is_empty() {
            return Err(format!(
                "day {d}: {} unmet with no binding constraint",
                day.unmet
            ));
        }
        // Capacity ≥ demand where feasible: unless every dose on hand is
        // given by this day or a later one, the day must have had no usable
        // shift left.
        // Doses day d could still give without taking one from a later day.
        let last = n - 1;
        let spare = (d..n)
            .map(|t| left_after[t] - if t == last { inst.closing_reserve } else { 0 })
            .min()
            .unwrap_or(0)
            .max(0);
        if day.unmet > 0 && day.binding.contains(&Constraint::Supply) != (spare < day.unmet) {
            return Err(format!(
                "day {d}: {} unmet with {spare} doses spare, yet binding {:?}",
                day.unmet, day.binding
            ));
        }
        let supply_binds = spare == 0;
        if day.capacity_after < demand && !supply_binds {
            let used: Vec<&PlannedShift> = out.shifts.iter().filter(|s| s.day == d).collect();
            let staff_used: u32 =
                used.iter().map(|s| s.staff.total()).sum::<u32>() + reinforcement_staff(d);
            let usable = oracle::windows(inst, params.shift_minutes, d)
                .into_iter()
                .any(|c| {
                    let taken = used.iter().any(|s| s.site == c.site && s.start == c.start);
                    let per_site = used.iter().filter(|s| s.site == c.site).count()
                        + inst
                            .existing
                            .iter()
                            .filter(|e| e.site == c.site && e.day == d)
                            .count();
                    let staff = oracle::staff(
                        1,
                        inst.sites[c.site].doses_per_vaccinator_hour,
                        &params.ratios,
                    )
                    .total();
                    !taken
                        && per_site < params.max_shifts_per_site_day as usize
                        && params.staff_pool.is_none_or(|p| staff_used + staff <= p)
                });
            if usable {
                return Err(format!(
                    "day {d}: demand unmet while a shift was still usable (binding {:?}, plan by {:?}, gap {:?}, left after {:?})",
                    day.binding, out.solve.method, out.solve.gap, &left_after[d..]
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn every_plan_on_random_instances_passes_the_validator() {
    let (mut reinforced, mut moved, mut unproven) = (0, 0, 0);
    for seed in 0..150 {
        let (sites, days) = if seed % 3 == 0 {
            (12, 30)
        } else {
            (2 + (seed % 2) as usize, 4)
        };
        let (inst, mut params) = random_instance(seed, sites, days);
        // The rules hold at any time limit; at 1.5 s some of the larger
        // plans are stopped unproven (and must pass as well).
        params.time_limit_seconds = 1.5;
        let out = plan(&inst, &params);
        unproven += usize::from(out.solve.gap.is_some_and(|g| g > 0.0));
        if let Err(e) = validate(&inst, &params, &out) {
            panic!("seed {seed}: {e}");
        }
        reinforced += out.reinforcements.len();
        moved += out.moves.len();
    }
    // The site rule was exercised both ways.
    assert!(
        reinforced > 20 && moved > 5 && unproven > 0,
        "{reinforced} reinforced, {moved} moves, {unproven} unproven"
    );
}

#[test]
fn greedy_is_within_five_percent_of_the_optimum_on_small_instances() {
    let (mut greedy, mut best, mut compared) = (0u32, 0u32, 0);
    for seed in 1000..1150 {
        let (inst, params) = random_instance(seed, 2, 3);
        let Some(opt) = optimum(&inst, &params) else {
            continue;
        };
        let out = plan_greedy(&inst, &params);
        let delivered: i64 = out.days.iter().map(|d| d.planned).sum();
        let committed: i64 = out
            .days
            .iter()
            .zip(&inst.days)
            .map(|(o, d)| o.planned.min(d.committed))
            .sum();
        assert_eq!(
            committed, opt.committed,
            "seed {seed}: promised doses given"
        );
        assert_eq!(delivered, opt.delivered, "seed {seed}: doses given");
        assert!(
            out.shifts.len() as u32 >= opt.shifts,
            "seed {seed}: beat the optimum?"
        );
        greedy += out.shifts.len() as u32;
        best += opt.shifts;
        compared += 1;
    }
    assert!(compared >= 100, "only {compared} instances enumerable");
    assert!(
        f64::from(greedy) <= 1.05 * f64::from(best),
        "greedy {greedy} shifts vs optimum {best}"
    );
}

/// Promised doses given, all doses given and extra shifts, counted from the outcome.
fn key_of(inst: &PlanInstance, out: &PlanOutcome) -> (i64, i64, u32) {
    let delivered: i64 = out.days.iter().map(|d| d.planned).sum();
    let committed: i64 = out
        .days
        .iter()
        .zip(&inst.days)
        .map(|(o, d)| o.planned.min(d.committed.clamp(0, d.demand.max(0))))
        .sum();
    (committed, delivered, out.shifts.len() as u32)
}

#[test]
fn the_exact_plan_equals_the_enumerated_optimum_on_small_instances() {
    let (mut compared, mut improved) = (0, 0);
    // The bench's small instances, where the greedy sometimes adds a shift too many.
    for seed in 10_000..10_200u64 {
        let sites = 2 + (seed % 2) as usize;
        let days = if sites == 2 { 4 } else { 2 };
        let (inst, params) = random_instance(seed, sites, days);
        let Some(opt) = optimum(&inst, &params) else {
            continue;
        };
        let out = plan(&inst, &params);
        assert_eq!(
            key_of(&inst, &out),
            (opt.committed, opt.delivered, opt.shifts),
            "seed {seed}: (promised, doses, shifts)"
        );
        assert_eq!(out.solve.gap, Some(0.0), "seed {seed}: proven optimal");
        if let Err(e) = validate(&inst, &params, &out) {
            panic!("seed {seed}: {e}");
        }
        if out.solve.method == PlanMethod::Highs {
            improved += 1;
        }
        compared += 1;
    }
    assert!(compared >= 100, "only {compared} instances enumerable");
    // The greedy is not always optimal here (see the test above): HiGHS's
    // plan must have replaced it somewhere, or this compared nothing new.
    assert!(improved > 0, "HiGHS never beat the greedy");
}

#[test]
fn the_exact_plan_is_never_worse_than_the_greedy_and_its_gap_is_honest() {
    let (mut solved, mut with_gap) = (0, 0);
    for seed in [3u64, 6, 9, 12, 15] {
        let (inst, params) = random_instance(seed, 12, 30);
        let greedy = plan_greedy(&inst, &params);
        let out = plan(&inst, &params);
        if let Err(e) = validate(&inst, &params, &out) {
            panic!("seed {seed}: {e}");
        }
        let (g, x) = (key_of(&inst, &greedy), key_of(&inst, &out));
        // Lexicographic: more promised doses, then more doses, then fewer shifts.
        assert!(
            (x.0, x.1, std::cmp::Reverse(x.2)) >= (g.0, g.1, std::cmp::Reverse(g.2)),
            "seed {seed}: {x:?} worse than the greedy's {g:?}"
        );
        let gap = out.solve.gap.expect("a bound");
        let bound = out.solve.bound.expect("a bound");
        assert!(bound >= out.solve.score - 1e-9 && (0.0..1.0).contains(&gap));
        // The score is the documented rule, recomputed.
        let worth = 2 * x.0 + (x.1 - x.0);
        assert!((out.solve.score - worth as f64).abs() < 1.0, "seed {seed}");
        solved += 1;
        if gap > 0.0 {
            with_gap += 1;
        }
    }
    assert_eq!(solved, 5);
    eprintln!("{with_gap} of 5 stopped with a gap");
}

#[test]
fn a_zero_time_limit_keeps_the_greedy_plan() {
    let (inst, mut params) = random_instance(3, 12, 30);
    params.time_limit_seconds = 0.0;
    let out = plan(&inst, &params);
    let greedy = plan_greedy(&inst, &params);
    assert_eq!(key_of(&inst, &out), key_of(&inst, &greedy));
    assert_eq!(out.shifts, greedy.shifts);
    assert_eq!(out.solve.method, PlanMethod::Greedy);
    // Whatever bound the solver had when stopped is no closer than the truth.
    if let (Some(b), Some(g)) = (out.solve.bound, out.solve.gap) {
        assert!(b >= out.solve.score && g >= 0.0);
    }
}

/// A solve stopped by its time limit (on a busy laptop; CI once) returns
/// the best plan it had, which may leave a day short while a shift could
/// still serve it. Such an answer — the greedy's plan with one day's extra
/// shifts and doses taken away — is topped up before it is shown.
#[test]
fn an_answer_that_leaves_a_usable_shift_out_is_topped_up() {
    let mut tried = 0;
    for seed in [3u64, 6, 9, 12, 15] {
        let (inst, params) = random_instance(seed, 12, 30);
        let greedy = plan_greedy(&inst, &params);
        let Some(day) = greedy.shifts.first().map(|s| s.day) else {
            continue;
        };
        let shifts: Vec<PlannedShift> = greedy
            .shifts
            .iter()
            .filter(|s| s.day != day)
            .cloned()
            .collect();
        let mut planned: Vec<i64> = greedy.days.iter().map(|d| d.planned).collect();
        planned[day] = 0;
        let out = super::planner::plan_from_answer(&inst, &params, shifts, planned);
        if let Err(e) = validate(&inst, &params, &out) {
            panic!("seed {seed}, day {day} left short: {e}");
        }
        assert!(
            out.shifts.iter().any(|s| s.day == day),
            "seed {seed}: day {day} got no shift back"
        );
        tried += 1;
    }
    assert!(tried >= 3, "only {tried} greedy plans had extra shifts");
}

#[test]
fn a_short_day_gets_the_largest_shifts_first_and_the_last_trimmed() {
    let (mut inst, params) = random_instance(7, 2, 1);
    inst.existing.clear();
    for s in &mut inst.sites {
        s.stations = 10;
        s.doses_per_vaccinator_hour = 12.0;
    }
    inst.days[0].demand = 300;
    inst.days[0].committed = 0;
    inst.opening_on_hand = 10_000;
    let params = PlanParams {
        staff_pool: None,
        ..params
    };
    let out = plan(&inst, &params);
    // 2-hour shifts of up to 10 vaccinators give 240 doses: two shifts,
    // the second trimmed to 3 vaccinators (72 ≥ 60).
    assert_eq!(out.shifts.len(), 2);
    assert_eq!(out.shifts[0].vaccinators, 10);
    assert_eq!(out.shifts[1].vaccinators, 3);
    assert_eq!(out.days[0].unmet, 0);
}

#[test]
fn supply_binds_and_is_named() {
    let (mut inst, params) = random_instance(8, 2, 2);
    inst.existing.clear();
    for s in &mut inst.sites {
        s.stations = 10;
    }
    inst.days[0].demand = 200;
    inst.days[1].demand = 200;
    inst.days[0].committed = 0;
    inst.days[1].committed = 0;
    inst.days[0].arrivals = 0;
    inst.days[1].arrivals = 0;
    inst.opening_on_hand = 150;
    let params = PlanParams {
        staff_pool: None,
        ..params
    };
    let out = plan(&inst, &params);
    assert_eq!(out.days[0].planned, 150);
    assert_eq!(out.days[1].planned, 0);
    assert!(out.days[1].binding.contains(&Constraint::Supply));
    assert!(validate(&inst, &params, &out).is_ok());
}

fn demo() -> rusqlite::Connection {
    let mut conn = crate::store::open_in_memory().expect("open");
    crate::demo::load(&mut conn, &Quiet).expect("demo");
    conn
}

fn april() -> ShiftPlanRequest {
    ShiftPlanRequest {
        from: "2021-04-01".into(),
        to: "2021-04-30".into(),
        params: PlanParams::default(),
        demand: DemandParams::default(),
    }
}

#[test]
fn demo_april_plan_is_consistent() {
    let conn = demo();
    let plan = plan_shifts(&conn, &april(), &crate::job::Quiet).expect("plan");
    assert_eq!(plan.days.len(), 30);
    assert!(plan.supply_known);
    let booked: i64 = plan.days.iter().map(|d| d.demand.booked).sum();
    assert!(booked > 10_000, "the demo's April bookings: {booked}");
    assert!(plan.totals.new_bookings > 0);
    for d in &plan.days {
        assert!(d.on_hand >= 0, "{}: on hand {}", d.date, d.on_hand);
        assert_eq!(d.unmet, d.demand_total - d.doses_planned);
        assert!(d.capacity_after >= d.capacity_before);
    }
    let added: i64 = plan.extra_shifts.iter().map(|s| s.capacity).sum();
    assert_eq!(added, plan.added_capacity);
    // The same instance through the validator, with a staff pool that binds.
    let req = april();
    let from = crate::time::parse_date(&req.from).expect("date");
    let to = crate::time::parse_date(&req.to).expect("date");
    let loaded = load::load(&conn, from, to, &req.demand).expect("load");
    let mut inst = loaded.instance;
    inst.opening_on_hand += 50_000; // room for extra shifts
    let params = PlanParams {
        staff_pool: Some(45),
        max_shifts_per_site_day: 3,
        ..PlanParams::default()
    };
    let out = super::planner::plan(&inst, &params);
    assert!(!out.shifts.is_empty());
    validate(&inst, &params, &out).expect("valid demo plan");
    assert!(plan.unmet_demand == 0 || !plan.binding.is_empty());
    for s in &plan.extra_shifts {
        assert!(
            s.start.as_str() >= "08:00" && s.end.as_str() <= "20:00",
            "{s:?}"
        );
    }
}

#[test]
fn scenarios_save_compare_apply_and_undo() {
    let mut conn = demo();
    let req = april();
    let plan = plan_shifts(&conn, &req, &crate::job::Quiet).expect("plan");
    // A roomier scenario: more doses than the demo's shipments.
    conn.execute(
        "INSERT INTO supply (uuid, date, product, doses, status, updated_at)
         VALUES (randomblob(16), '2021-04-06', 'PFIZER', 20000, 'expected', '2021-03-22T00:00:00Z')",
        [],
    )
    .expect("supply");
    let more = plan_shifts(&conn, &req, &crate::job::Quiet).expect("plan with more supply");
    assert!(more.extra_shifts.len() >= plan.extra_shifts.len());
    assert!(more.unmet_demand <= plan.unmet_demand);
    let a = scenario::save(&conn, "demo supply", &req, &plan).expect("save");
    let b = scenario::save(&conn, "20k more Pfizer", &req, &more).expect("save");
    let side = scenario::compare(&conn, &[a, b]).expect("compare");
    assert_eq!(side[1].shifts_added, more.extra_shifts.len());
    assert_eq!(scenario::list(&conn).expect("list").len(), 2);

    let shifts_before: i64 = conn
        .query_row("SELECT count(*) FROM shift", [], |r| r.get(0))
        .expect("count");
    let created = scenario::apply(&mut conn, b).expect("apply");
    assert_eq!(created.len(), more.extra_shifts.len());
    assert!(!created.is_empty(), "20,000 more doses add shifts");
    let applied = scenario::compare(&conn, &[b]).expect("compare");
    assert!(applied[0].applied_at.is_some());
    assert_eq!(
        scenario::apply(&mut conn, b).expect_err("twice").code(),
        "conflict"
    );
    // Planning again sees the new shifts as existing capacity.
    let after = plan_shifts(&conn, &req, &crate::job::Quiet).expect("replan");
    assert!(after.totals.capacity_before > more.totals.capacity_before);
    let removed = scenario::undo(&mut conn, b).expect("undo");
    assert_eq!(removed, created.len());
    let shifts_after: i64 = conn
        .query_row("SELECT count(*) FROM shift", [], |r| r.get(0))
        .expect("count");
    assert_eq!(shifts_before, shifts_after);
    assert_eq!(
        scenario::undo(&mut conn, b).expect_err("twice").code(),
        "conflict"
    );
}

#[test]
fn undo_refuses_to_strand_a_booking() {
    let mut conn = demo();
    let plan = ShiftPlan {
        extra_shifts: vec![ExtraShift {
            kind: ShiftKind::NewShift,
            site_code: "CHL".into(),
            date: "2021-04-06".into(),
            start: "20:00".into(),
            end: "21:00".into(),
            vaccinators: 1,
            capacity: 12,
            staff: oracle::staff(1, 12.0, &Default::default()),
            bottleneck: staffing::Station::Vaccination,
            reason: None,
        }],
        ..plan_shifts(
            &conn,
            &ShiftPlanRequest {
                to: "2021-04-01".into(),
                ..april()
            },
            &crate::job::Quiet,
        )
        .expect("plan")
    };
    let id = scenario::save(&conn, "evening", &april(), &plan).expect("save");
    scenario::apply(&mut conn, id).expect("apply");
    let slot = crate::time::minute_of(
        crate::time::parse_local_datetime("2021-04-06T20:30").expect("time"),
    );
    conn.execute(
        "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product, status, updated_at)
         SELECT randomblob(16), 'PX', id, ?1, 1, 'PFIZER', 'booked', 'now' FROM site WHERE code = 'CHL'",
        [slot],
    )
    .expect("book");
    assert_eq!(
        scenario::undo(&mut conn, id).expect_err("stranded").code(),
        "conflict"
    );
}

#[test]
fn bad_requests_are_refused() {
    let conn = crate::store::open_in_memory().expect("open");
    let mut req = april();
    req.to = "2021-03-01".into();
    assert_eq!(
        plan_shifts(&conn, &req, &crate::job::Quiet)
            .expect_err("backwards")
            .code(),
        "invalid_input"
    );
    req = april();
    req.demand.uptake = 1.5;
    assert_eq!(
        plan_shifts(&conn, &req, &crate::job::Quiet)
            .expect_err("uptake")
            .code(),
        "invalid_input"
    );
    // An empty store: no demand, nothing to add, supply unknown.
    let plan = plan_shifts(&conn, &april(), &crate::job::Quiet).expect("empty");
    assert!(plan.extra_shifts.is_empty() && !plan.supply_known);
}

/// A hand-built store where every demand part, the supply and the measured
/// rate can be counted by hand.
#[test]
fn demand_supply_and_rate_from_a_small_store() {
    let conn = crate::store::open_in_memory().expect("open");
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, stations, minutes_per_dose, opens, closes, updated_at)
         VALUES (randomblob(16), 'A', 'Clinic A', 'mass_clinic', 4, 5, '08:00', '12:00', 'x');
         INSERT INTO eligibility_phase (min_age, from_date, site_kind, label) VALUES (80, '2021-03-20', NULL, '80+');
         INSERT INTO eligibility_phase (min_age, from_date, site_kind, label) VALUES (40, '2021-03-20', 'pharmacy', '40+ pharmacies');
         INSERT INTO person (person_id, uuid, birth_date, updated_at) VALUES ('P1', randomblob(16), '1930-01-01', 'x');
         INSERT INTO supply (uuid, date, product, doses, status, updated_at) VALUES
           (randomblob(16), '2021-02-28', 'PFIZER', 1000, 'received', 'x'),
           (randomblob(16), '2021-03-23', 'PFIZER', 500, 'expected', 'x'),
           (randomblob(16), '2021-03-26', 'PFIZER', 200, 'expected', 'x');",
    )
    .expect("seed");
    let minute =
        |s: &str| crate::time::minute_of(crate::time::parse_local_datetime(s).expect("time"));
    for day in 1..=5 {
        let date = format!("2021-03-0{day}");
        conn.execute(
            "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
             VALUES (randomblob(16), 1, ?1, '09:00', '11:00', 2, 'x')",
            [&date],
        )
        .expect("shift");
        // 50 doses on 4 vaccinator-hours: busy (nominal 48).
        conn.execute(
            "INSERT INTO dose_count (uuid, site_id, date, dose_number, product, doses, updated_at)
             VALUES (randomblob(16), 1, ?1, 1, 'PFIZER', 50, 'x')",
            [&date],
        )
        .expect("tally");
    }
    // P1: first dose attended, no second. P2: both doses, the second on the 22nd.
    for (person, dose, slot, status) in [
        ("P1", 1, "2021-03-01T09:00", "attended"),
        ("P2", 1, "2021-03-01T09:05", "attended"),
        ("P2", 2, "2021-03-22T09:05", "booked"),
    ] {
        conn.execute(
            "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product, status, updated_at)
             VALUES (randomblob(16), ?1, 1, ?2, ?3, 'PFIZER', ?4, 'x')",
            rusqlite::params![person, minute(slot), dose, status],
        )
        .expect("appointment");
    }
    let (from, to) = (
        crate::time::parse_date("2021-03-21").expect("date"),
        crate::time::parse_date("2021-03-24").expect("date"),
    );
    let params = DemandParams {
        uptake: 0.5,
        spread_days: 4,
        population_by_cohort: Some(vec![demand::Cohort {
            label: "80+".into(),
            min_age: 80,
            max_age: None,
            population: 100,
        }]),
    };
    let loaded = load::load(&conn, from, to, &params).expect("load");
    let parts: Vec<(i64, i64, i64)> = loaded
        .demand
        .iter()
        .map(|d| (d.booked, d.second_doses_due, d.new_bookings))
        .collect();
    // The 22nd: P2's booked second dose; P1's second dose (1 March + 21
    // days) and the 48 walk-ins' (50 tallied − 2 attended appointments).
    // The 23rd and 24th: the 50 tallied on 2 and 3 March, with no booking.
    // New bookings: 100 × 0.5 − 2 booked (P1, and P2 counted in proportion
    // for lack of a birth date) = 48 over 4 days from the 21st.
    assert_eq!(
        parts,
        vec![(0, 0, 12), (1, 49, 12), (0, 50, 12), (0, 50, 12)]
    );
    // 1000 received less 250 used (the tallies beat the 2 appointments).
    assert_eq!(loaded.supply.opening_on_hand, 750);
    assert_eq!(loaded.supply.arrivals, vec![0, 0, 500, 0]);
    assert_eq!(loaded.supply.closing_reserve, 0);
    // 250 doses over 20 vaccinator-hours on five busy days.
    assert_eq!(loaded.rates[0].source, "history");
    assert!((loaded.rates[0].doses_per_vaccinator_hour - 12.5).abs() < 1e-9);
    assert_eq!(loaded.instance.sites[0].stations, 4);
}

/// Ottawa's March 2021 incident as the demo plants it: NSP and EVJ booked
/// about 500 over capacity a day for three days. The plan must put more
/// vaccinators there on those days (or state the moves), each line saying
/// why; once applied, the checks find exactly the moves' people still over.
#[test]
fn the_incident_gets_capacity_at_the_overbooked_clinics() {
    let mut conn = demo();
    let (from, to) = ("2021-03-23", "2021-03-25");
    let oracle = excess_by_site_day(&conn, from, to);
    let incident: Vec<_> = oracle.keys().cloned().collect();
    assert_eq!(incident.len(), 6, "NSP and EVJ on three days: {oracle:?}");
    for (code, _) in &incident {
        assert!(code == "NSP" || code == "EVJ", "{code}");
    }
    let req = ShiftPlanRequest {
        from: from.into(),
        to: to.into(),
        params: PlanParams::default(),
        demand: DemandParams::default(),
    };
    let plan = plan_shifts(&conn, &req, &crate::job::Quiet).expect("plan");
    for ((code, date), excess) in &oracle {
        let lines: Vec<&ExtraShift> = plan
            .extra_shifts
            .iter()
            .filter(|s| &s.site_code == code && &s.date == date)
            .collect();
        assert!(
            !lines.is_empty(),
            "{code} {date}: nothing planned for {excess} over capacity"
        );
        let stated: i64 = lines
            .iter()
            .map(|s| match &s.reason {
                Some(ShiftReason::Overbooked {
                    booked_over_capacity,
                    ..
                }) => *booked_over_capacity,
                other => panic!("{code} {date}: reason {other:?}"),
            })
            .sum();
        assert_eq!(stated, *excess, "{code} {date}: the reasons' people");
        assert!(lines.iter().all(|s| s.kind == ShiftKind::MoreVaccinators));
    }
    // Apply the plan: what the checks still find over capacity is what the
    // plan said must move, site-day by site-day.
    let id = scenario::save(&conn, "incident", &req, &plan).expect("save");
    scenario::apply(&mut conn, id).expect("apply");
    let after = excess_by_site_day(&conn, from, to);
    for key in oracle.keys() {
        let to_move: i64 = plan
            .moves_needed
            .iter()
            .filter(|m| m.site_code == key.0 && m.date == key.1)
            .map(|m| m.people)
            .sum();
        assert_eq!(
            after.get(key).copied().unwrap_or(0),
            to_move,
            "{key:?} after applying"
        );
    }
    let total_before: i64 = oracle.values().sum();
    let total_after: i64 = after.values().sum();
    assert!(
        total_after < total_before / 2,
        "{total_before} → {total_after}"
    );
    // Undo gives the shifts their staffing back: the excess returns.
    scenario::undo(&mut conn, id).expect("undo");
    assert_eq!(excess_by_site_day(&conn, from, to), oracle);
}

/// Of equally good shifts, the planner spreads them over sites rather than
/// filling the first site by code.
#[test]
fn ties_spread_over_sites() {
    let (mut inst, params) = random_instance(11, 2, 1);
    inst.existing.clear();
    for s in &mut inst.sites {
        s.stations = 4;
        s.doses_per_vaccinator_hour = 12.0;
        s.opens = 8 * 60;
        s.closes = 16 * 60;
    }
    let params = PlanParams {
        staff_pool: None,
        shift_minutes: 120,
        max_shifts_per_site_day: 4,
        ..params
    };
    // Two full 2-hour shifts of 4 vaccinators (96 doses each).
    inst.days[0].demand = 192;
    inst.days[0].committed = 0;
    inst.opening_on_hand = 10_000;
    let out = plan(&inst, &params);
    assert_eq!(out.shifts.len(), 2, "{:?}", out.shifts);
    assert_ne!(out.shifts[0].site, out.shifts[1].site, "{:?}", out.shifts);
}

/// Cancel stops the solver within moments, not at its time limit, and the
/// plan is the best found by then: never worse than the greedy's, checked
/// by the plan's own rules, with its gap. (With a staff pool and ample
/// supply, 20 sites × 120 days is not proven optimal in 5 s.)
#[test]
fn a_cancelled_solve_stops_at_once_with_the_best_plan_found() {
    use crate::job::CancelAfter;
    use std::time::Duration;
    let (mut inst, mut params) = random_instance(6, 20, 120);
    inst.opening_on_hand = 1_000_000_000;
    assert!(params.staff_pool.is_some(), "seed 6 draws a staff pool");
    params.time_limit_seconds = 300.0;
    let person = CancelAfter::new(Duration::from_millis(700));
    let out = planner::plan_watched(&inst, &params, &person);
    let since = person.solving_since().expect("the solver said it started");
    let solving = since.elapsed();
    eprintln!("cancelled run solving {solving:?}, gap {:?}", out.solve.gap);
    assert!(out.solve.cancelled, "the solve was not reported cancelled");
    // The answer comes within moments of Cancel, wherever HiGHS is in its
    // search (it hears a stop only between stages: 1.3 s in here).
    assert!(
        solving < Duration::from_millis(2_000),
        "cancelled 0.7 s in, the solve ran {solving:?} of its 300 s"
    );
    if let Err(e) = validate(&inst, &params, &out) {
        panic!("the cancelled plan breaks a rule: {e}");
    }
    let greedy = plan_greedy(&inst, &params);
    let (g, x) = (key_of(&inst, &greedy), key_of(&inst, &out));
    assert!(
        (x.0, x.1, std::cmp::Reverse(x.2)) >= (g.0, g.1, std::cmp::Reverse(g.2)),
        "{x:?} worse than the greedy's {g:?}"
    );
    // How far it may be from the best is still said, and is honest.
    let (bound, gap) = (out.solve.bound, out.solve.gap);
    if let (Some(b), Some(g)) = (bound, gap) {
        assert!(b >= out.solve.score - 1e-9 && (0.0..1.0).contains(&g));
    }
    assert!(gap != Some(0.0), "a search stopped at 0.7 s claims a proof");
    // Progress was the seconds spent of the 300 s limit, reported while
    // HiGHS was still in its root relaxation.
    let updates = person.updates.lock().expect("lock").clone();
    assert!(!updates.is_empty(), "no progress before Cancel");
    assert!(updates
        .iter()
        .all(|&(done, total)| total == 300_000 && done <= total));
}

/// Without Cancel, the same watched solve runs to its time limit and no further.
#[test]
fn a_watched_solve_honours_its_time_limit() {
    let (mut inst, mut params) = random_instance(6, 20, 120);
    inst.opening_on_hand = 1_000_000_000;
    params.time_limit_seconds = 2.0;
    let person = crate::job::CancelAfter::new(std::time::Duration::from_secs(3600));
    let out = planner::plan_watched(&inst, &params, &person);
    let solving = person.solving_since().expect("solver started").elapsed();
    assert!(!out.solve.cancelled);
    assert!(
        solving.as_secs_f64() < 2.0 + 5.0,
        "a 2 s limit ran {solving:?}"
    );
    let updates = person.updates.lock().expect("lock").clone();
    let last = updates.last().expect("progress").0;
    assert!(last >= 1_000, "progress reached only {last} ms of 2,000");
    assert!(updates
        .iter()
        .all(|&(done, total)| total == 2_000 && done <= total));
    assert!(
        updates.windows(2).all(|w| w[0].0 < w[1].0),
        "progress went back"
    );
}
