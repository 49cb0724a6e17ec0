//! The siting map's wording in English and French.

use super::instance::Objective;
use crate::locale::Lang;

pub struct MapWords {
    pub point: &'static str,
    pub points: &'static str,
    pub radius: &'static str,
    pub coverage: &'static str,
    pub distance: &'static str,
    pub covered_label: &'static str,
    pub weighted_people: &'static str,
    pub mean_distance: &'static str,
    pub areas: &'static str,
    pub covered: &'static str,
    pub not_covered: &'static str,
    pub hotspot: &'static str,
    pub sites: &'static str,
    pub open: &'static str,
    pub chosen: &'static str,
    pub candidate: &'static str,
    pub mass_clinic: &'static str,
    pub pharmacy: &'static str,
    pub other: &'static str,
    pub ring: &'static str,
    /// French puts a space before the colon and the percent sign.
    pub colon: &'static str,
    pub percent: &'static str,
}

impl MapWords {
    pub fn objective(&self, objective: Objective) -> &'static str {
        match objective {
            Objective::Coverage => self.coverage,
            Objective::Distance => self.distance,
        }
    }

    pub fn new_points(&self, k: usize) -> &'static str {
        if k == 1 {
            self.point
        } else {
            self.points
        }
    }
}

pub fn map_words(lang: Lang) -> &'static MapWords {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

static EN: MapWords = MapWords {
    point: "new distribution point",
    points: "new distribution points",
    radius: "radius",
    coverage: "objective: maximal coverage",
    distance: "objective: shortest mean distance",
    covered_label: "Covered (eligible × weight)",
    weighted_people: "weighted people",
    mean_distance: "mean distance",
    areas: "Areas (circle area ∝ population)",
    covered: "Covered",
    not_covered: "Not covered",
    hotspot: "Hotspot, not covered",
    sites: "Sites",
    open: "Existing open site",
    chosen: "New point (chosen)",
    candidate: "Candidate, not chosen",
    mass_clinic: "Mass clinic",
    pharmacy: "Pharmacy",
    other: "Other site",
    ring: "Coverage radius",
    colon: ":",
    percent: "%",
};

static FR: MapWords = MapWords {
    point: "nouveau point de distribution",
    points: "nouveaux points de distribution",
    radius: "rayon",
    coverage: "objectif : couverture maximale",
    distance: "objectif : distance moyenne minimale",
    covered_label: "Couverts (admissibles × poids)",
    weighted_people: "personnes pondérées",
    mean_distance: "distance moyenne",
    areas: "Secteurs (surface ∝ population)",
    covered: "Couvert",
    not_covered: "Non couvert",
    hotspot: "Prioritaire, non couvert",
    sites: "Sites",
    open: "Site ouvert existant",
    chosen: "Nouveau point (choisi)",
    candidate: "Candidat non retenu",
    mass_clinic: "Clinique de masse",
    pharmacy: "Pharmacie",
    other: "Autre site",
    ring: "Rayon de couverture",
    colon: "\u{a0}:",
    percent: "\u{a0}%",
};
