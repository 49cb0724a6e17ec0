//! `book`: a first dose and its reserved second dose.

use crate::output::print_json;
use dosedesk_core::booking::{book_first_dose, BookRequest, CentralCheck};
use dosedesk_core::{Connection, Error};

#[derive(clap::Args)]
pub struct BookArgs {
    /// The person's id (the booking system's, or a local one). Without it,
    /// a name books a new person under a fresh id.
    #[arg(long)]
    person: Option<String>,
    /// Their given name.
    #[arg(long)]
    given_name: Option<String>,
    /// Their family name.
    #[arg(long)]
    family_name: Option<String>,
    /// The language to call them in (en, fr, …).
    #[arg(long)]
    language: Option<String>,
    /// Site code of the first dose.
    #[arg(long)]
    site: String,
    /// First-dose slot, YYYY-MM-DDTHH:MM.
    #[arg(long)]
    slot: String,
    /// Product code (PFIZER, MODERNA, ASTRAZENECA, …).
    #[arg(long, default_value = "PFIZER")]
    product: String,
    /// Birth date (YYYY-MM-DD), checked against the eligibility phases.
    #[arg(long)]
    birth_date: Option<String>,
    /// Phone number for rebooking calls.
    #[arg(long)]
    phone: Option<String>,
    /// Site of the second dose (default: the first dose's).
    #[arg(long)]
    second_site: Option<String>,
    /// Second-dose slot (default: the earliest free one in the product's interval).
    #[arg(long)]
    second_slot: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(conn: &mut Connection, args: &BookArgs) -> Result<(), Error> {
    let booked = book_first_dose(
        conn,
        &BookRequest {
            person_id: args.person.clone().unwrap_or_default(),
            birth_date: args.birth_date.clone(),
            phone: args.phone.clone(),
            site: args.site.clone(),
            slot: args.slot.clone(),
            product: args.product.clone(),
            second_site: args.second_site.clone(),
            second_slot: args.second_slot.clone(),
            given_name: args.given_name.clone(),
            family_name: args.family_name.clone(),
            preferred_language: args.language.clone(),
        },
    )?;
    if args.json {
        print_json(&booked);
    } else {
        println!(
            "booked {}: dose 1 at {} {}, dose 2 reserved at {} {}",
            booked.person_id,
            booked.first.site_code,
            booked.first.slot,
            booked.second.site_code,
            booked.second.slot
        );
        match &booked.central {
            CentralCheck::Passed => println!("the central copy confirmed the places"),
            CentralCheck::Unreachable(why) => println!(
                "the central copy could not confirm the places ({why}): the booking is kept here and checked at the next sync"
            ),
            CentralCheck::NotEnrolled => {}
        }
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct PeopleArgs {
    /// The start of a person id or of a name (given, family, either order;
    /// any case, accents or not).
    text: String,
    /// At most this many people.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `people`: find people already in the store.
pub fn people(conn: &Connection, args: &PeopleArgs) -> Result<(), Error> {
    let found = dosedesk_core::booking::find_people(conn, &args.text, args.limit)?;
    if args.json {
        print_json(&found);
        return Ok(());
    }
    for p in &found.people {
        let name = [&p.name.family_name, &p.name.given_name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let doses: Vec<String> = p
            .appointments
            .iter()
            .map(|a| {
                format!(
                    "dose {} {} {} {}",
                    a.dose_number, a.site_code, a.slot, a.status
                )
            })
            .collect();
        // Names come from elsewhere: `println!` prints them escaped.
        println!(
            "{}\t{}\t{}\t{}\t{}",
            p.person_id,
            if name.is_empty() { "(no name)" } else { &name },
            p.birth_date.as_deref().unwrap_or("-"),
            p.phone.as_deref().unwrap_or("-"),
            doses.join("; ")
        );
    }
    if found.people.is_empty() {
        println!("no one matches {:?}", args.text);
    }
    if found.more {
        println!("more people match: type more of the name");
    }
    Ok(())
}
