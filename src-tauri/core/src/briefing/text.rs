//! Briefing wording in English and French. `{n}`-style placeholders are
//! filled by `fill`.

use crate::locale::Lang;

pub struct Words {
    pub title: &'static str,
    pub as_of: &'static str,
    pub demo: &'static str,
    pub doses_to_date: &'static str,
    pub doses_on: &'static str,
    pub avg7: &'static str,
    pub record: &'static str,
    pub next7: &'static str,
    pub overbooked: &'static str,
    pub excess: &'static str,
    pub unreachable: &'static str,
    pub orphans: &'static str,
    pub none_yet: &'static str,
    pub chart: &'static str,
    pub next7_table: &'static str,
    pub booked: &'static str,
    pub capacity: &'static str,
    pub by_age: &'static str,
    pub age_total: &'static str,
    pub age_unknown: &'static str,
    pub plan: &'static str,
    pub shift_plan: &'static str,
    pub no_shift_plan: &'static str,
    pub site_plan: &'static str,
    pub no_site_plan: &'static str,
    pub sources: &'static str,
    pub cut_off: &'static str,
    pub aggregate: &'static str,
    pub provincial: &'static str,
    /// Imported tallies held until confirmed (one; `{n}`).
    pub held_one: &'static str,
    pub held_many: &'static str,
}

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// Replaces `{name}` with its value.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

static EN: Words = Words {
    title: "Vaccination clinics — briefing",
    as_of: "Figures as of the end of {date} · {sites} sites",
    demo: "DEMO DATA — built-in demonstration, not real figures",
    doses_to_date: "Doses given to date",
    doses_on: "Doses given on {date}",
    avg7: "7-day average",
    record: "Record day",
    next7: "Next 7 days: booked / capacity",
    overbooked: "Over-capacity slots ahead",
    excess: "Excess bookings ahead",
    unreachable: "Unreachable residents still expected",
    orphans: "First doses with no second dose",
    none_yet: "no tallies yet",
    chart: "Daily doses against bookings and capacity",
    next7_table: "Bookings against capacity, next 7 days",
    booked: "Booked",
    capacity: "Capacity",
    by_age: "Bookings in the next 7 days by age",
    age_total: "Total",
    age_unknown: "Age not known",
    plan: "Current plan",
    shift_plan: "Extra shifts (\u{201c}{name}\u{201d}, saved {date}): {n} shifts, +{capacity} doses of capacity, {unmet} doses of demand unmet; binding: {binding}.",
    no_shift_plan: "Extra shifts: no plan saved.",
    site_plan: "New distribution points (\u{201c}{name}\u{201d}, saved {date}): {codes}; weighted population covered {before} → {after}.",
    no_site_plan: "New distribution points: no plan saved.",
    sources: "Sources (SHA-256 of each imported file)",
    cut_off: "Data cut-off: {time}.",
    aggregate: "Aggregate figures only; no personal information. Counts from 1 to 9 are shown as <10; x marks a count hidden so that a small one cannot be worked out.",
    provincial: "Ontario: {total} doses reported to {date}; record {record} on {record_date}.",
    held_one: "1 tally awaiting confirmation is held out of every figure on this page.",
    held_many: "{n} tallies awaiting confirmation are held out of every figure on this page.",
};

static FR: Words = Words {
    title: "Cliniques de vaccination — note d'information",
    as_of: "Chiffres à la fin du {date} · {sites} sites",
    demo: "DONNÉES DE DÉMONSTRATION — chiffres fictifs",
    doses_to_date: "Doses administrées à ce jour",
    doses_on: "Doses administrées le {date}",
    avg7: "Moyenne sur 7 jours",
    record: "Jour record",
    next7: "7 prochains jours : rendez-vous / capacité",
    overbooked: "Plages en surcapacité à venir",
    excess: "Rendez-vous excédentaires à venir",
    unreachable: "Résidents injoignables encore attendus",
    orphans: "Premières doses sans deuxième dose",
    none_yet: "aucun décompte",
    chart: "Doses par jour, rendez-vous et capacité",
    next7_table: "Rendez-vous et capacité, 7 prochains jours",
    booked: "Rendez-vous",
    capacity: "Capacité",
    by_age: "Rendez-vous des 7 prochains jours par âge",
    age_total: "Total",
    age_unknown: "Âge inconnu",
    plan: "Plan en cours",
    shift_plan: "Quarts supplémentaires (« {name} », enregistré le {date}) : {n} quarts, +{capacity} doses de capacité, {unmet} doses de demande non satisfaite; contrainte : {binding}.",
    no_shift_plan: "Quarts supplémentaires : aucun plan enregistré.",
    site_plan: "Nouveaux points de distribution (« {name} », enregistré le {date}) : {codes}; population pondérée couverte {before} → {after}.",
    no_site_plan: "Nouveaux points de distribution : aucun plan enregistré.",
    sources: "Sources (SHA-256 de chaque fichier importé)",
    cut_off: "Données arrêtées au {time}.",
    aggregate: "Chiffres agrégés seulement; aucun renseignement personnel. Les nombres de 1 à 9 sont indiqués <10; x marque un nombre masqué pour qu'un petit nombre ne puisse pas être déduit.",
    provincial: "Ontario : {total} doses déclarées au {date}; record de {record} le {record_date}.",
    held_one: "1 décompte en attente de confirmation est exclu de tous les chiffres de cette page.",
    held_many: "{n} décomptes en attente de confirmation sont exclus de tous les chiffres de cette page.",
};
