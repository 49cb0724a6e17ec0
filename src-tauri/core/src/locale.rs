//! English and French (Canada) formatting of numbers and dates, for charts
//! and briefings. The UI formats its own strings with the same rules.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code.to_ascii_lowercase().as_str() {
            "en" | "en-ca" => Some(Lang::En),
            "fr" | "fr-ca" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// `106,508` in English, `106 508` in French (a no-break space, as fr-CA writes it).
    pub fn group(self, n: i64) -> String {
        let sep = match self {
            Lang::En => ',',
            Lang::Fr => '\u{a0}',
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// `104%` / `104 %` (French puts a no-break space before the sign).
    pub fn percent(self, n: i64) -> String {
        match self {
            Lang::En => format!("{}%", self.group(n)),
            Lang::Fr => format!("{}\u{a0}%", self.group(n)),
        }
    }

    /// A share as a percentage with two decimals, rounded up so a gap is
    /// never understated: 0.00389 → `0.39%` / `0,39 %`.
    pub fn percent2_up(self, share: f64) -> String {
        let hundredths = (share * 10_000.0 - 1e-9).ceil().max(0.0) as i64;
        let mark = if self == Lang::Fr { ',' } else { '.' };
        let number = format!(
            "{}{mark}{:02}",
            self.group(hundredths / 100),
            hundredths % 100
        );
        match self {
            Lang::En => format!("{number}%"),
            Lang::Fr => format!("{number}\u{a0}%"),
        }
    }

    /// One decimal: `419.7` / `419,7`.
    pub fn decimal1(self, x: f64) -> String {
        let whole = x.trunc() as i64;
        let tenth = ((x.abs() - x.abs().trunc()) * 10.0).round() as i64;
        let (whole, tenth) = if tenth == 10 {
            (whole + x.signum() as i64, 0)
        } else {
            (whole, tenth)
        };
        let mark = if self == Lang::Fr { ',' } else { '.' };
        format!("{}{mark}{tenth}", self.group(whole))
    }

    /// `March 24, 2021` / `24 mars 2021`.
    pub fn date_long(self, d: NaiveDate) -> String {
        match self {
            Lang::En => format!(
                "{} {}, {}",
                MONTHS_EN[d.month0() as usize],
                d.day(),
                d.year()
            ),
            Lang::Fr => format!(
                "{} {} {}",
                d.day(),
                MONTHS_FR[d.month0() as usize],
                d.year()
            ),
        }
    }

    /// `Mar 24` / `24 mars`: axis labels.
    pub fn date_short(self, d: NaiveDate) -> String {
        match self {
            Lang::En => format!("{} {}", &MONTHS_EN[d.month0() as usize][..3], d.day()),
            Lang::Fr => format!("{} {}", d.day(), MONTHS_FR_SHORT[d.month0() as usize]),
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_FR_SHORT: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_per_locale() {
        assert_eq!(Lang::En.group(106_508), "106,508");
        assert_eq!(Lang::Fr.group(106_508), "106\u{a0}508");
        assert_eq!(Lang::En.group(-1_000), "-1,000");
        assert_eq!(Lang::En.group(999), "999");
        assert_eq!(Lang::Fr.decimal1(419.66), "419,7");
        assert_eq!(Lang::En.decimal1(9.96), "10.0");
        // Gaps round up, never down to a smaller promise.
        assert_eq!(Lang::En.percent2_up(0.00389), "0.39%");
        assert_eq!(Lang::En.percent2_up(0.000_01), "0.01%");
        assert_eq!(Lang::En.percent2_up(0.0), "0.00%");
        assert_eq!(Lang::En.percent2_up(0.05), "5.00%");
        assert_eq!(Lang::Fr.percent2_up(0.12341), "12,35\u{a0}%");
        let d = NaiveDate::from_ymd_opt(2021, 3, 24).expect("date");
        assert_eq!(Lang::Fr.date_long(d), "24 mars 2021");
        assert_eq!(Lang::En.date_long(d), "March 24, 2021");
        assert_eq!(Lang::En.date_short(d), "Mar 24");
    }
}
