//! In-process timing of the region-wide daily chart: query and SVG, on an
//! existing store. Prints figures; never fails on speed.
//!
//!   cargo run --release -p dosedesk-core --example chart_bench -- DB FROM TO [REPS]

use dosedesk_core::charts::{svg, ChartKind, ChartRequest};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, from, to, rest @ ..] = &args[..] else {
        return Err("usage: chart_bench DB FROM TO [REPS]".into());
    };
    let reps: usize = rest.first().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let date = |s: &str| dosedesk_core::time::parse_date(s).ok_or(format!("bad date {s}"));
    let req = ChartRequest {
        kind: ChartKind::Daily,
        from: date(from)?,
        to: date(to)?,
        site: None,
        lang: Default::default(),
    };
    let db = std::path::Path::new(db);
    dosedesk_core::store::encryption::unlock_from_environment(db)?;
    let conn = dosedesk_core::store::open(db)?;
    let first = Instant::now();
    let chart = svg(&conn, &req)?;
    let cold = first.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let c = svg(&conn, &req)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(c);
    }
    times.sort_by(f64::total_cmp);
    let dose_counts: i64 = conn.query_row("SELECT count(*) FROM dose_count", [], |r| r.get(0))?;
    println!(
        "chart   daily, region-wide, {from}..{to} ({} days) over {dose_counts} dose counts: query+SVG in process  first {cold:.1} ms, median {:.1} ms, max {:.1} ms ({reps} runs, SVG {} KB)",
        chart.days.len(),
        times[times.len() / 2],
        times[times.len() - 1],
        chart.svg.len() / 1024
    );
    Ok(())
}
