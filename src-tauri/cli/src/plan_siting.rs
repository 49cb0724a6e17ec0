//! `dosedesk-cli plan sites`: choose new distribution points among the
//! imported candidates (areas.csv and candidates.csv).

use crate::progress::Bar;
use dosedesk_core::locale::Lang;
use dosedesk_core::siting::{plan_from_db, Objective, SiteMap, SitingOptions, SitingReport};
use dosedesk_core::{Connection, Error};

#[derive(clap::Args)]
pub struct PlanSitingArgs {
    /// New points to choose (lock-ins included).
    #[arg(long)]
    pub k: usize,
    /// An area counts as covered when a point is within this many km.
    #[arg(long, value_name = "KM")]
    pub radius_km: f64,
    /// coverage: most eligible × weight within the radius; distance: least
    /// eligible-weighted mean distance.
    #[arg(long, default_value = "coverage", value_parser = ["coverage", "distance"])]
    pub objective: String,
    /// Candidate codes that must be chosen.
    #[arg(long, value_delimiter = ',', value_name = "CODE,..")]
    pub lock: Vec<String>,
    /// Candidate codes that must not be chosen.
    #[arg(long, value_delimiter = ',', value_name = "CODE,..")]
    pub exclude: Vec<String>,
    /// Respect capacities: a point serves at most capacity_per_day × D people.
    #[arg(long, value_name = "D")]
    pub capacity_days: Option<f64>,
    /// Seconds the exact solver (HiGHS) may take; past them the best plan
    /// found is given with how far from the best possible it may be. A
    /// large p-median (over 150,000 area × point pairs) is solved exactly
    /// only with 60 s or more; below that it gets a proven bound. Ctrl-C
    /// stops the search sooner with the best plan found.
    #[arg(long, value_name = "SECONDS", default_value_t = dosedesk_core::siting::DEFAULT_TIME_LIMIT_SECONDS)]
    pub time_limit: f64,
    /// Also draw the map to this file: PNG (1920×960) or SVG, by extension.
    #[arg(long, value_name = "PATH")]
    pub map: Option<std::path::PathBuf>,
    /// The map's language.
    #[arg(long, default_value = "en", value_parser = ["en", "fr"])]
    pub lang: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(conn: &Connection, args: &PlanSitingArgs) -> Result<(), Error> {
    let objective = Objective::parse(&args.objective)
        .ok_or_else(|| Error::InvalidInput(format!("unknown objective {}", args.objective)))?;
    let options = SitingOptions {
        k: args.k,
        radius_km: args.radius_km,
        objective,
        lock: args.lock.clone(),
        exclude: args.exclude.clone(),
        capacity_days: args.capacity_days,
        time_limit_seconds: args.time_limit,
    };
    let bar = Bar::solving("plan sites");
    let report = plan_from_db(conn, &options, &bar);
    bar.finish();
    let report = report?;
    if let Some(path) = &args.map {
        let lang = Lang::parse(&args.lang).unwrap_or_default();
        dosedesk_core::charts::export_drawing(conn, &SiteMap::new(&report), lang, path)?;
    }
    if args.json {
        crate::output::print_json(&report);
    } else {
        print_text(&report);
    }
    Ok(())
}

fn print_text(r: &SitingReport) {
    let km = |d: Option<f64>| d.map_or("-".to_owned(), |d| format!("{d:.2} km"));
    println!(
        "{} new sites ({:?}, radius {} km{})",
        r.chosen.len(),
        r.objective,
        r.radius_km,
        r.capacity_days
            .map(|d| format!(", capacity over {d} days"))
            .unwrap_or_default()
    );
    for (i, c) in r.chosen.iter().enumerate() {
        let gain = match (r.objective, c.gain) {
            (_, None) => "first point".to_owned(),
            (Objective::Coverage, Some(g)) => format!("+{g:.0} weighted people covered"),
            (Objective::Distance, Some(g)) => format!("mean distance -{g:.2} km"),
        };
        let lock = if c.locked { " [locked]" } else { "" };
        println!("  {}. {:<10} {}{lock}  {gain}", i + 1, c.site_code, c.name);
    }
    let share = |x: f64| {
        if r.weighted_total > 0.0 {
            100.0 * x / r.weighted_total
        } else {
            0.0
        }
    };
    println!(
        "covered (eligible × weight): {:.0} ({:.1}%) -> {:.0} ({:.1}%)",
        r.covered_before,
        share(r.covered_before),
        r.covered_after,
        share(r.covered_after)
    );
    println!(
        "mean distance: {} -> {}",
        km(r.mean_distance_km_before),
        km(r.mean_distance_km_after)
    );
    println!("{}", quality(r));
    if let Some(u) = r.unserved_eligible_after {
        println!("eligible people beyond every point's capacity: {u:.0}");
    }
    if !r.uncovered_hotspots.is_empty() {
        println!("hotspots still not covered:");
        for h in &r.uncovered_hotspots {
            // With capacities a hotspot near a point may still be only
            // partly served: the points within reach are full.
            let served = match r.capacity_days {
                Some(_) => format!(", {:.0}% served within the radius", 100.0 * h.covered_share),
                None => String::new(),
            };
            println!(
                "  {:<8} {:<40} {:>7.0} eligible, nearest {}{served}",
                h.area_id,
                h.name.as_deref().unwrap_or(""),
                h.eligible,
                km(h.distance_km)
            );
        }
    }
}

/// What is known of the plan's quality, in a manager's words.
fn quality(r: &SitingReport) -> String {
    let optimal = "no other choice of points does better";
    crate::output::plan_quality(r.gap, r.cancelled, &r.method, optimal, "choice")
}
