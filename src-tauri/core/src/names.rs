//! Synthetic names for the demo and generated stores: common given and
//! family names in Ontario, English and French. They name nobody: each
//! person's pair is drawn from the lists by their number.

const GIVEN_EN: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Nancy",
    "Anthony",
    "Lisa",
    "Mark",
    "Margaret",
    "Paul",
    "Sandra",
    "Steven",
    "Ashley",
    "Andrew",
    "Emily",
    "Kevin",
    "Donna",
    "Brian",
    "Michelle",
    "Priya",
    "Wei",
    "Fatima",
    "Mohamed",
    "Aaliyah",
    "Omar",
    "Mei",
    "Arjun",
    "Grace",
    "Liam",
];

const GIVEN_FR: &[&str] = &[
    "Marie",
    "Jean",
    "Louise",
    "Pierre",
    "Françoise",
    "Michel",
    "Sylvie",
    "André",
    "Nathalie",
    "Claude",
    "Isabelle",
    "Luc",
    "Chantal",
    "François",
    "Geneviève",
    "Denis",
    "Josée",
    "Réjean",
    "Hélène",
    "Gilles",
    "Mélanie",
    "Stéphane",
    "Julie",
    "Éric",
    "Céline",
    "Benoît",
    "Aurélie",
    "Gaétan",
    "Monique",
    "Yves",
];

const FAMILY_EN: &[&str] = &[
    "Smith",
    "Brown",
    "Tremblay",
    "Martin",
    "Roy",
    "Wilson",
    "MacDonald",
    "Taylor",
    "Campbell",
    "Anderson",
    "Jones",
    "Leblanc",
    "Thompson",
    "White",
    "Williams",
    "Johnson",
    "Lee",
    "Clark",
    "Walker",
    "Young",
    "Patel",
    "Singh",
    "Wang",
    "Nguyen",
    "Ali",
    "Hassan",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Stewart",
    "Reid",
    "Scott",
    "Ross",
    "Fraser",
    "Kaur",
    "Chen",
];

const FAMILY_FR: &[&str] = &[
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Séguin",
    "Lalonde",
    "Charbonneau",
    "Lafleur",
    "Brisson",
];

/// Person `n`'s given name, family name and preferred language: French
/// for about one person in six (Ottawa's francophone share), English
/// otherwise.
pub fn synthetic(n: u64) -> (&'static str, &'static str, &'static str) {
    // A multiplicative hash, so neighbouring numbers do not share names.
    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pick = |list: &'static [&'static str], shift: u32| {
        list[((h >> shift) % list.len() as u64) as usize]
    };
    if (h >> 59).is_multiple_of(6) {
        (pick(GIVEN_FR, 7), pick(FAMILY_FR, 23), "fr")
    } else {
        (pick(GIVEN_EN, 7), pick(FAMILY_EN, 23), "en")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn about_one_in_six_is_french_and_names_vary() {
        let people: Vec<_> = (1..=6_000).map(super::synthetic).collect();
        let french = people.iter().filter(|p| p.2 == "fr").count();
        assert!((700..1_300).contains(&french), "{french} of 6,000");
        let pairs: std::collections::HashSet<_> = people.iter().map(|p| (p.0, p.1)).collect();
        assert!(pairs.len() > 800, "{} different names", pairs.len());
        assert!(people.iter().all(|p| !p.0.is_empty() && !p.1.is_empty()));
    }
}
