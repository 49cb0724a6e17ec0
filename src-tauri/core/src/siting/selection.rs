//! Which candidates a run must, may and must not choose, with the options
//! checked first so every refusal names its reason.

use super::instance::{SitingInput, SitingOptions};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// Which candidates must, may and must not be chosen (point indices).
pub(crate) struct Selection {
    pub locked: Vec<usize>,
    pub allowed: Vec<usize>,
    pub excluded: Vec<usize>,
}

impl Selection {
    /// Candidates a run of `k` points picks beyond its lock-ins.
    pub fn to_choose(&self, k: usize) -> usize {
        k.saturating_sub(self.locked.len()).min(self.allowed.len())
    }
}

pub(crate) fn select(input: &SitingInput, options: &SitingOptions) -> Result<Selection> {
    if input.areas.is_empty() {
        return Err(Error::InvalidInput(
            "no population areas: import areas.csv first".into(),
        ));
    }
    if !(options.radius_km.is_finite() && options.radius_km > 0.0) {
        return Err(Error::InvalidInput(format!(
            "radius {} km: must be a positive number",
            options.radius_km
        )));
    }
    if !(options.time_limit_seconds.is_finite() && options.time_limit_seconds >= 0.0) {
        return Err(Error::InvalidInput(format!(
            "time limit {} s: must be zero or more seconds",
            options.time_limit_seconds
        )));
    }
    if let Some(days) = options.capacity_days {
        if !(days.is_finite() && days > 0.0) {
            return Err(Error::InvalidInput(format!(
                "capacity days {days}: must be a positive number"
            )));
        }
    }
    let by_code: HashMap<&str, usize> = input
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (p.site_code.as_str(), i))
        .collect();
    let resolve = |codes: &[String], what: &str| -> Result<Vec<usize>> {
        let mut out: Vec<usize> = Vec::new();
        for code in codes {
            let p = *by_code
                .get(code.as_str())
                .ok_or_else(|| Error::NotFound(format!("{what} {code}: no such candidate site")))?;
            if input.points[p].open {
                return Err(Error::InvalidInput(format!(
                    "{what} {code}: already an open site, not a candidate"
                )));
            }
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    };
    let locked = resolve(&options.lock, "lock")?;
    let excluded = resolve(&options.exclude, "exclude")?;
    if let Some(p) = locked.iter().find(|p| excluded.contains(p)) {
        return Err(Error::InvalidInput(format!(
            "{} is both locked in and excluded",
            input.points[*p].site_code
        )));
    }
    if locked.len() > options.k {
        return Err(Error::InvalidInput(format!(
            "{} candidates locked in but k is {}",
            locked.len(),
            options.k
        )));
    }
    let allowed: Vec<usize> = (0..input.points.len())
        .filter(|p| !input.points[*p].open && !locked.contains(p) && !excluded.contains(p))
        .collect();
    if locked.len() + allowed.len() < options.k {
        return Err(Error::InvalidInput(format!(
            "k is {} but only {} candidates may be chosen",
            options.k,
            locked.len() + allowed.len()
        )));
    }
    Ok(Selection {
        locked,
        allowed,
        excluded,
    })
}
