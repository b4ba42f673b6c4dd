//! How a figure is written out in a document: ONE formatter, beside the one rounding of
//! the indicator catalogue ([`Indicator::shown`]), so that the council report reads exactly
//! what the page, the CSV and the XLSX show.
//!
//! Vietnamese: `.` groups thousands and `,` marks the decimals, the unit after a
//! non-breaking space (`80,7 %`, `41,00 km`, `2.300.612.009 đồng`, `1.234,5`). English:
//! `80.7%`, `41.00 km`, `2,300,612,009 VND`. Dates are `dd/mm/yyyy` in both, whatever the
//! reader's locale (the page does the same in web/js/format.js).

use super::indicators::Indicator;
use chrono::NaiveDate;

/// Between a number and its unit: a figure never breaks across lines.
pub const NBSP: char = '\u{a0}';

/// `value` with `decimals` decimals, thousands grouped, the Vietnamese or English way.
/// The value is rounded by `format!` (half to even on the binary value): give it a value
/// already rounded by [`Indicator::shown`], as [`Indicator::text`] does.
///
/// ```
/// use kheo::coverage::format::number;
/// assert_eq!(number(2300612009.0, 0, false), "2.300.612.009");
/// assert_eq!(number(1234.5, 1, false), "1.234,5");
/// assert_eq!(number(1234.5, 1, true), "1,234.5");
/// assert_eq!(number(-0.0001, 2, false), "0,00");
/// ```
pub fn number(value: f64, decimals: usize, english: bool) -> String {
    let (group, point) = if english { (',', '.') } else { ('.', ',') };
    let digits = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    // No "-0,00": a sign only when a digit that is shown is not zero.
    if value < 0.0 && digits.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// A date as `dd/mm/yyyy`.
///
/// ```
/// let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
/// assert_eq!(kheo::coverage::format::date(d), "28/11/2026");
/// ```
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The text shown where a figure has no value (a share without roads).
pub const NO_VALUE: &str = "–";

impl Indicator {
    /// A stored value (as the JSON carries it) as people read it, with its unit:
    /// [`Indicator::shown`], then [`number`]. `–` without a value.
    ///
    /// ```
    /// use kheo::coverage::indicators::find;
    /// let text = |id, v| find(id).unwrap().text(Some(v), false);
    /// assert_eq!(text("concrete_pct", 80.7), "80,7\u{a0}%");
    /// assert_eq!(text("road_m", 41000.04), "41,00\u{a0}km");
    /// assert_eq!(text("people_vnd", 2300612009.0), "2.300.612.009\u{a0}đồng");
    /// assert_eq!(text("model_sites", 50.0), "50");
    /// assert_eq!(find("concrete_pct").unwrap().text(Some(80.7), true), "80.7%");
    /// assert_eq!(find("lit_pct").unwrap().text(None, false), "–");
    /// ```
    pub fn text(&self, stored: Option<f64>, english: bool) -> String {
        match stored.and_then(|v| self.shown(v)) {
            Some(shown) => self.with_unit(number(shown, self.display.decimals as usize, english), english),
            None => NO_VALUE.to_string(),
        }
    }

    /// The figure without its unit, for table cells under a header that names the unit.
    pub fn bare(&self, stored: Option<f64>, english: bool) -> String {
        match stored.and_then(|v| self.shown(v)) {
            Some(shown) => number(shown, self.display.decimals as usize, english),
            None => NO_VALUE.to_string(),
        }
    }

    fn with_unit(&self, figure: String, english: bool) -> String {
        match self.unit(english) {
            "" => figure,
            // English writes a share as 80.7%, every other unit after a space.
            "%" if english => format!("{figure}%"),
            unit => format!("{figure}{NBSP}{unit}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::indicators::find;

    #[test]
    fn thousands_are_grouped_at_every_length() {
        let vi = |v: f64| number(v, 0, false);
        assert_eq!(vi(0.0), "0");
        assert_eq!(vi(999.0), "999");
        assert_eq!(vi(1000.0), "1.000");
        assert_eq!(vi(45_000_000.0), "45.000.000");
        assert_eq!(vi(-1_234_567.0), "-1.234.567");
        assert_eq!(number(683.94, 1, false), "683,9");
    }

    #[test]
    fn a_figure_is_rounded_once_half_away_from_zero_then_written() {
        // 49.25 % is shown 49,3 (the catalogue's rounding), never 49,2.
        assert_eq!(find("concrete_pct").unwrap().text(Some(49.25), false), "49,3\u{a0}%");
        // 3958.4 m is 3,96 km.
        assert_eq!(find("road_m").unwrap().text(Some(3958.4), false), "3,96\u{a0}km");
        assert_eq!(find("workdays").unwrap().text(Some(1234.55), false), "1.234,6");
        assert_eq!(find("state_vnd").unwrap().text(Some(5.0e9), true), "5,000,000,000\u{a0}VND");
        assert_eq!(find("road_m").unwrap().bare(Some(50800.0), false), "50,80");
    }
}
