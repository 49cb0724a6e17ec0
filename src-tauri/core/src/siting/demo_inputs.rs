//! Siting inputs for the built-in demo: Ottawa's ONS neighbourhoods as areas
//! and Walmart and Sobeys pharmacies as candidates (derived by
//! assets/demo/derive_siting.py, which records the sources), loaded through
//! the areas and candidates importers.

use super::geo::haversine_km;
use crate::error::{Error, Result};
use crate::import::{import_into, ImportKind, Quiet};
use rusqlite::Transaction;

const AREAS_CSV: &str = include_str!("../../../../assets/demo/ottawa_areas.csv");
const CANDIDATES_CSV: &str = include_str!("../../../../assets/demo/ottawa_candidates.csv");

/// A candidate this close to an existing site is that site.
const SAME_PLACE_KM: f64 = 0.05;

/// Imports the demo areas and candidates into `tx`, skipping candidates
/// whose code or position matches a site already in the store (the demo
/// opens five of the same Walmart pharmacies).
pub fn load_demo_siting(tx: &Transaction<'_>) -> Result<()> {
    let existing = existing_sites(tx)?;
    let candidates = new_candidates(&existing)?;
    let dir = std::env::temp_dir().join(format!(
        "dosedesk-siting-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
    let result = (|| {
        for (kind, name, body) in [
            (ImportKind::Areas, "ottawa_areas.csv", AREAS_CSV),
            (
                ImportKind::Candidates,
                "ottawa_candidates.csv",
                candidates.as_str(),
            ),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, body).map_err(|e| Error::io(&path, &e))?;
            import_into(tx, kind, &path, &Quiet)?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// (code, lat, lon) of a site in the store.
type SiteAt = (String, Option<f64>, Option<f64>);

fn existing_sites(tx: &Transaction<'_>) -> Result<Vec<SiteAt>> {
    let mut stmt = tx.prepare("SELECT code, lat, lon FROM site")?;
    let rows = stmt.query_map([], |r| Ok((r.get("code")?, r.get("lat")?, r.get("lon")?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The embedded candidates file without the rows that duplicate a site.
fn new_candidates(existing: &[SiteAt]) -> Result<String> {
    let bad = |e: csv::Error| Error::InvalidInput(format!("embedded ottawa_candidates.csv: {e}"));
    let mut reader = csv::Reader::from_reader(CANDIDATES_CSV.as_bytes());
    let header = reader.headers().map_err(bad)?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(code), Some(lat), Some(lon)) = (column("site_code"), column("lat"), column("lon"))
    else {
        return Err(Error::InvalidInput(
            "embedded ottawa_candidates.csv: site_code, lat or lon missing".into(),
        ));
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).map_err(bad)?;
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let position = field(lat)
            .parse::<f64>()
            .ok()
            .zip(field(lon).parse::<f64>().ok());
        let duplicate = existing.iter().any(|(c, la, lo)| {
            c == field(code)
                || matches!((position, la, lo), (Some((plat, plon)), Some(la), Some(lo))
                    if haversine_km(plat, plon, *la, *lo) < SAME_PLACE_KM)
        });
        if !duplicate {
            out.write_record(&record).map_err(bad)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::InvalidInput(format!("embedded ottawa_candidates.csv: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| Error::InvalidInput(format!("embedded ottawa_candidates.csv: {e}")))
}
