//! The national instance the exact solver is measured on (issue 21): every
//! Canadian postal area (FSA) at its centroid with equal weight, and the
//! Walmart and Sobeys pharmacies as candidates. The files live in
//! `assets/national/` and `assets/demo/`; callers pass their text so the
//! app does not carry them.

use super::instance::{AreaInput, PointInput, SitingInput};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashSet};

/// `fsa_json`: {FSA: [lat, lon]}. `walmart_csv`: loc_id, loc_name, …, lat,
/// lon (stores without both coordinates are left out). `sobeys_csv`: id,
/// name, postal, …; each store sits at its FSA's centroid and stores sharing
/// an FSA are one candidate (a postal code whose FSA is unknown is left out).
pub fn canada_pharmacies(
    fsa_json: &str,
    walmart_csv: &str,
    sobeys_csv: &str,
) -> Result<SitingInput> {
    let centroids: BTreeMap<String, [f64; 2]> = serde_json::from_str(fsa_json)
        .map_err(|e| Error::InvalidInput(format!("fsa_centroids_canada.json: {e}")))?;
    let areas = centroids
        .iter()
        .map(|(fsa, [lat, lon])| AreaInput {
            area_id: fsa.clone(),
            name: None,
            lat: *lat,
            lon: *lon,
            population: 1,
            eligible: 1.0,
            weight: 1.0,
        })
        .collect();
    let mut points = Vec::new();
    for record in csv_records(walmart_csv, "walmart_locations.csv")? {
        let field = |name: &str| record.get(name).map(String::as_str).unwrap_or("");
        let (Ok(lat), Ok(lon)) = (field("lat").parse(), field("lon").parse()) else {
            continue;
        };
        points.push(candidate(
            format!("WM{}", field("loc_id")),
            field("loc_name"),
            lat,
            lon,
        ));
    }
    let mut seen = HashSet::new();
    for record in csv_records(sobeys_csv, "sobeys_locations.csv")? {
        let postal = record.get("postal").map(String::as_str).unwrap_or("");
        let fsa: String = postal.chars().take(3).collect::<String>().to_uppercase();
        let Some([lat, lon]) = centroids.get(&fsa) else {
            continue;
        };
        if seen.insert(fsa.clone()) {
            let name = format!("Sobeys pharmacies in {fsa}");
            points.push(candidate(format!("SB{fsa}"), &name, *lat, *lon));
        }
    }
    Ok(SitingInput { areas, points })
}

fn candidate(code: String, name: &str, lat: f64, lon: f64) -> PointInput {
    PointInput {
        site_code: code,
        name: name.to_owned(),
        kind: "pharmacy".into(),
        lat,
        lon,
        capacity_per_day: None,
        open: false,
    }
}

type Record = std::collections::HashMap<String, String>;

/// Each record's trimmed fields by header name (a row with extra fields, as
/// one Sobeys row has, keeps the ones under a header).
fn csv_records(text: &str, file: &str) -> Result<Vec<Record>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        Error::InvalidInput(format!("{file}:{line}: {e}"))
    };
    let headers = reader.headers().map_err(err)?.clone();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(err)?;
        out.push(
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_owned(), v.trim().to_owned()))
                .collect(),
        );
    }
    Ok(out)
}
