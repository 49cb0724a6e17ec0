//! `book`: a first dose and its reserved second dose.

use crate::output::print_json;
use dosedesk_core::booking::{book_first_dose, BookRequest, CentralCheck};
use dosedesk_core::{Connection, Error};

#[derive(clap::Args)]
pub struct BookArgs {
    /// The person's id (the booking system's, or a local one).
    #[arg(long)]
    person: String,
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
            person_id: args.person.clone(),
            birth_date: args.birth_date.clone(),
            phone: args.phone.clone(),
            site: args.site.clone(),
            slot: args.slot.clone(),
            product: args.product.clone(),
            second_site: args.second_site.clone(),
            second_slot: args.second_slot.clone(),
            given_name: None,
            family_name: None,
            preferred_language: None,
        },
    )?;
    if args.json {
        print_json(&booked);
    } else {
        println!(
            "booked {}: dose 1 at {} {}, dose 2 reserved at {} {}",
            args.person,
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
