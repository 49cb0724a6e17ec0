//! Chart wording in English and French.

use crate::locale::Lang;

pub struct Words {
    pub daily_title: &'static str,
    pub cumulative_title: &'static str,
    pub sites_title: &'static str,
    pub all_sites: &'static str,
    pub doses: &'static str,
    pub administered: &'static str,
    pub booked: &'static str,
    pub capacity: &'static str,
    pub avg7: &'static str,
    pub record: &'static str,
    pub flagged: &'static str,
    pub regional_cumulative: &'static str,
    pub share: &'static str,
    pub share_axis: &'static str,
    pub no_provincial: &'static str,
    pub no_data: &'static str,
    pub busiest: &'static str,
}

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

static EN: Words = Words {
    daily_title: "Daily doses administered",
    cumulative_title: "Doses administered to date",
    sites_title: "Daily doses by site",
    all_sites: "all sites",
    doses: "Doses",
    administered: "Doses administered",
    booked: "Booked appointments",
    capacity: "Capacity",
    avg7: "7-day average",
    record: "Record",
    flagged: "Flagged day (not a record)",
    regional_cumulative: "Regional doses, cumulative",
    share: "Share of Ontario's doses",
    share_axis: "Share of Ontario (%)",
    no_provincial: "No provincial series loaded",
    no_data: "No data in this range",
    busiest: "busiest sites of",
};

static FR: Words = Words {
    daily_title: "Doses administrées par jour",
    cumulative_title: "Doses administrées à ce jour",
    sites_title: "Doses par jour et par site",
    all_sites: "tous les sites",
    doses: "Doses",
    administered: "Doses administrées",
    booked: "Rendez-vous pris",
    capacity: "Capacité",
    avg7: "Moyenne sur 7 jours",
    record: "Record",
    flagged: "Jour signalé (pas un record)",
    regional_cumulative: "Doses de la région, cumul",
    share: "Part des doses de l'Ontario",
    share_axis: "Part de l'Ontario (%)",
    no_provincial: "Aucune série provinciale chargée",
    no_data: "Aucune donnée pour cette période",
    busiest: "sites les plus actifs sur",
};
