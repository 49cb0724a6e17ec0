//! `dosedesk-cli plan scenarios | compare | apply | undo`: saved shift plans.

use crate::output::print_json;
use dosedesk_core::shift_plan::scenario::{self, ScenarioSummary};
use dosedesk_core::{Connection, Error};

#[derive(clap::Args)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct CompareArgs {
    /// Saved scenario ids (see `plan scenarios`), shown in this order.
    #[arg(required = true, num_args = 1.., value_name = "ID")]
    pub ids: Vec<i64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct IdArg {
    /// A saved scenario's id.
    pub id: i64,
}

pub fn list(conn: &Connection, args: &ListArgs) -> Result<(), Error> {
    let all = scenario::list(conn)?;
    if args.json {
        print_json(&all);
        return Ok(());
    }
    if all.is_empty() {
        println!("no saved shift plans (plan shifts … --save NAME saves one)");
    }
    for s in &all {
        println!(
            "{:>4}  {:<24} {} – {}  {:>4} shifts  {:>8} unmet  {}",
            s.id,
            s.name,
            s.from,
            s.to,
            s.shifts_added,
            s.unmet_demand,
            match &s.applied_at {
                Some(at) => format!("applied {at}"),
                None => "not applied".to_owned(),
            }
        );
    }
    Ok(())
}

pub fn compare(conn: &Connection, args: &CompareArgs) -> Result<(), Error> {
    let all = scenario::compare(conn, &args.ids)?;
    if args.json {
        print_json(&all);
    } else {
        println!("{}", side_by_side(&all).trim_end_matches('\n'));
    }
    Ok(())
}

/// A row of the comparison: its label and how a scenario shows in it.
type Row = (&'static str, fn(&ScenarioSummary) -> String);

/// One row per figure, one column per scenario.
pub fn side_by_side(all: &[ScenarioSummary]) -> String {
    let rows: [Row; 10] = [
        ("id", |s| s.id.to_string()),
        ("name", |s| s.name.clone()),
        ("range", |s| format!("{} – {}", s.from, s.to)),
        ("extra shifts", |s| s.shifts_added.to_string()),
        ("added capacity", |s| s.added_capacity.to_string()),
        ("staff-hours", |s| format!("{:.0}", s.staff_hours)),
        ("doses planned", |s| s.doses_planned.to_string()),
        ("unmet demand", |s| s.unmet_demand.to_string()),
        ("binding", |s| {
            if s.binding.is_empty() {
                "none".to_owned()
            } else {
                s.binding.join(", ")
            }
        }),
        ("applied", |s| {
            s.applied_at.clone().unwrap_or_else(|| "no".into())
        }),
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(_, f)| all.iter().map(f).collect())
        .collect();
    let width = |col: usize| {
        cells
            .iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..all.len()).map(width).collect();
    let mut out = String::new();
    for ((label, _), row) in rows.iter().zip(&cells) {
        out.push_str(&format!("{label:<15}"));
        for (cell, w) in row.iter().zip(&widths) {
            out.push_str(&format!("  {cell:>w$}"));
        }
        out.push('\n');
    }
    out
}

pub fn apply(conn: &mut Connection, args: &IdArg) -> Result<(), Error> {
    let created = scenario::apply(conn, args.id)?;
    println!(
        "applied scenario {}: {} shifts created",
        args.id,
        created.len()
    );
    Ok(())
}

pub fn undo(conn: &mut Connection, args: &IdArg) -> Result<(), Error> {
    let removed = scenario::undo(conn, args.id)?;
    println!("undid scenario {}: {removed} shifts removed", args.id);
    Ok(())
}
