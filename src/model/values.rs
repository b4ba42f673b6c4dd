//! Checking and normalising attribute values sent by editors and read from imported files,
//! against the type of their catalogue field. Pure: the caller passes today's date.
//!
//! Values are read leniently where a planner's file writes them differently from the API:
//! an enum may be given by its value or its Vietnamese or English label (`"Bê tông"` for
//! `concrete`), a date as `YYYY-MM-DD`, `dd/mm/yyyy` or an ISO date-time, a number as text
//! with a decimal comma, and a VND amount with thousands dots (`2.500.000`).

use super::Term;
use super::field::{Field, FieldType};
use super::limits::{self, shown};
use chrono::NaiveDate;
use serde_json::Value;

/// Checks `value` for `field` and returns it in the API's form (`null` stays `null`; an empty
/// string is `null` for every type but text). The error says what is expected.
///
/// ```
/// use kheo::layers;
/// use kheo::model::values::normalise;
/// use chrono::NaiveDate;
/// use serde_json::json;
/// let roads = layers::find("roads").unwrap();
/// let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
/// assert_eq!(normalise(roads.field("surface").unwrap(), &json!("Bê tông"), today), Ok(json!("concrete")));
/// assert_eq!(normalise(roads.field("paved_on").unwrap(), &json!("05/03/2024"), today), Ok(json!("2024-03-05")));
/// assert_eq!(normalise(roads.field("people_vnd").unwrap(), &json!("2.500.000"), today), Ok(json!(2500000)));
/// assert!(normalise(roads.field("paved_on").unwrap(), &json!("2027-01-01"), today).is_err());
/// ```
pub fn normalise(field: &Field, value: &Value, today: NaiveDate) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    if !matches!(field.ty, FieldType::Text) && value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(Value::Null);
    }
    match field.ty {
        FieldType::Text => {
            let text = match value {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err("must be text".into()),
            };
            let max = limits::max_chars(field).unwrap_or(usize::MAX);
            // Counting stops just past the limit: a megabyte of text is not walked twice.
            let chars = text.chars().take(max + 1).count();
            if chars > max {
                return Err(format!(
                    "is {} characters long; at most {max} are accepted (`{}`)",
                    text.chars().count(),
                    shown(&text, 40)
                ));
            }
            Ok(Value::String(text))
        }
        FieldType::Integer => integer(value).map(Value::from).ok_or_else(|| "must be a whole number".into()),
        FieldType::Number => number(value)
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .ok_or_else(|| "must be a number such as 3.5".into()),
        FieldType::Date => {
            let text = value.as_str().ok_or("must be a date written YYYY-MM-DD")?;
            let date = date(text)
                .ok_or_else(|| format!("`{}` is not a date; write YYYY-MM-DD or dd/mm/yyyy", shown(text, 40)))?;
            if date > today {
                return Err(format!("{date} is in the future (today is {today})"));
            }
            Ok(Value::String(date.format("%Y-%m-%d").to_string()))
        }
        FieldType::Enum(terms) => {
            let text = value.as_str().ok_or("must be text")?.trim();
            let key = fold(text);
            if let Some(term) = terms.iter().find(|t| t.value == text || fold(t.value) == key) {
                return Ok(Value::String(term.value.to_string()));
            }
            // A label, or one of its parts as planners shorten it: "Đường trục thôn" for
            // "Đường trục thôn, tổ dân phố", "Nhựa" for "Nhựa (asphalt)". A part that fits
            // two values is refused rather than guessed.
            let fits: Vec<&Term> = terms
                .iter()
                .filter(|t| [t.vi, t.en].iter().any(|label| label_parts(label).any(|part| fold(part) == key)))
                .collect();
            match fits[..] {
                [term] => Ok(Value::String(term.value.to_string())),
                [] => {
                    let allowed: Vec<String> = terms.iter().map(|t| format!("{} ({})", t.value, t.vi)).collect();
                    Err(format!("`{}` is not one of {}", shown(text, 80), allowed.join(", ")))
                }
                _ => {
                    let which: Vec<String> = fits.iter().map(|t| format!("{} ({})", t.value, t.vi)).collect();
                    Err(format!("`{}` could be {}: write which", shown(text, 80), which.join(" or ")))
                }
            }
        }
    }
}

/// A label whole, then its parts between commas, slashes and brackets: "Đường trục thôn,
/// tổ dân phố" gives itself, "Đường trục thôn" and "tổ dân phố".
fn label_parts(label: &str) -> impl Iterator<Item = &str> {
    std::iter::once(label).chain(label.split([',', '/', '(', ')']).map(str::trim).filter(|p| !p.is_empty()))
}

/// Lower case, for comparing labels; diacritics are kept (`Đất` is not `Dat`... but case is).
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64))
        }
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| {
                // Thousands grouped by dots, commas or spaces: 2.500.000, 2,500,000, 2 500 000.
                let groups: Vec<&str> = s.split(['.', ',', ' ', '\u{a0}']).collect();
                let grouped = groups.len() > 1
                    && (1..=3).contains(&groups[0].len())
                    && groups[1..].iter().all(|g| g.len() == 3)
                    && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
                if grouped { groups.concat().parse().ok() } else { None }
            })
        }
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    let n = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<f64>()
                .ok()
                .or_else(|| s.replacen(',', ".", 1).parse::<f64>().ok())
                .filter(|_| !s.contains(['e', 'E', 'i', 'n', 'N']))
        }
        _ => None,
    }?;
    n.is_finite().then_some(n)
}

/// `YYYY-MM-DD`, `dd/mm/yyyy`, `d/m/yyyy` or the date of an ISO date-time.
fn date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, "%d/%m/%Y").ok())
        .or_else(|| {
            text.get(..10)
                .filter(|_| text.len() > 10 && text.as_bytes()[10] == b'T')
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
}

/// Vietnam's time zone, UTC+7 all year (no daylight saving): the planners' "today" and
/// the day of an instant.
pub const VIETNAM: chrono::FixedOffset = match chrono::FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    // Evaluated when compiling: a wrong offset is a build error, never a panic at run time.
    None => panic!("UTC+7 is a valid offset"),
};

/// Parses `YYYY-MM-DD`: a date as the API writes it, strictly (the importer's lenient
/// reading is [`normalise`]).
///
/// ```
/// assert!(kheo::model::values::parse_date("2024-02-29").is_ok());
/// assert!(kheo::model::values::parse_date("2023-02-29").is_err());
/// assert!(kheo::model::values::parse_date("29/02/2024").is_err());
/// ```
pub fn parse_date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|_| value.len() == 10)
        .ok_or_else(|| "must be a date written YYYY-MM-DD".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::field::AsOf;
    use crate::model::vocab::{ROAD_CLASSES, ROAD_SURFACES};
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    /// Fields like the roads' of the catalogue (the model knows no layer).
    fn road_field(name: &'static str) -> Field {
        let ty = match name {
            "surface" => FieldType::Enum(ROAD_SURFACES),
            "class" => FieldType::Enum(ROAD_CLASSES),
            "paved_on" => FieldType::Date,
            "width_m" => FieldType::Number,
            "people_vnd" => FieldType::Integer,
            _ => FieldType::Text,
        };
        let as_of =
            (name == "surface").then_some(AsOf { since: "paved_on", before: "surface_before", fallback: "earth" });
        Field { name, ty, vi: name, en: name, as_of, required: false }
    }

    fn check(field: &'static str, value: Value) -> Result<Value, String> {
        normalise(&road_field(field), &value, today())
    }

    #[test]
    fn enums_take_values_and_labels_in_both_languages() {
        assert_eq!(check("surface", json!("concrete")), Ok(json!("concrete")));
        assert_eq!(check("surface", json!("bê tông")), Ok(json!("concrete")));
        assert_eq!(check("surface", json!("Concrete")), Ok(json!("concrete")));
        let error = check("surface", json!("gold")).unwrap_err();
        assert!(error.contains("concrete (Bê tông)"), "{error}");
    }

    #[test]
    fn dates_in_three_spellings_and_never_after_today() {
        assert_eq!(check("paved_on", json!("2024-03-05")), Ok(json!("2024-03-05")));
        assert_eq!(check("paved_on", json!("5/3/2024")), Ok(json!("2024-03-05")));
        assert_eq!(check("paved_on", json!("2024-03-05T08:00:00Z")), Ok(json!("2024-03-05")));
        assert_eq!(check("paved_on", json!("2026-11-24")), Ok(json!("2026-11-24")));
        assert!(check("paved_on", json!("2026-11-25")).unwrap_err().contains("future"));
        assert!(check("paved_on", json!("2024-02-30")).is_err());
        assert!(check("paved_on", json!(20240305)).is_err());
    }

    #[test]
    fn numbers_with_decimal_commas_and_grouped_thousands() {
        assert_eq!(check("width_m", json!("3,5")), Ok(json!(3.5)));
        assert_eq!(check("width_m", json!(4)), Ok(json!(4.0)));
        assert_eq!(check("people_vnd", json!("2.500.000")), Ok(json!(2_500_000)));
        assert_eq!(check("people_vnd", json!(1200.0)), Ok(json!(1200)));
        assert!(check("people_vnd", json!("2.5")).is_err());
        assert!(check("width_m", json!("NaN")).is_err());
        assert!(check("width_m", json!(true)).is_err());
    }

    #[test]
    fn texts_are_limited_in_characters_not_bytes() {
        let name = "Đ".repeat(500);
        assert_eq!(check("name", json!(name)), Ok(json!(name)), "500 two-byte letters are 500 characters");
        let error = check("name", json!("x".repeat(1024 * 1024))).unwrap_err();
        assert!(error.contains("1048576 characters long; at most 500"), "{error}");
        assert!(error.len() < 200, "the message does not echo the text: {error}");
        assert!(check("note", json!("x".repeat(5_000))).is_ok());
        assert!(check("note", json!("x".repeat(5_001))).unwrap_err().contains("at most 5000"));
        let error = check("surface", json!("y".repeat(10_000))).unwrap_err();
        assert!(error.len() < 400, "{error}");
    }

    #[test]
    fn empty_values_are_null_except_for_text() {
        assert_eq!(check("paved_on", json!("")), Ok(Value::Null));
        assert_eq!(check("name", json!(" Ngõ 3 ")), Ok(json!("Ngõ 3")));
        assert_eq!(check("name", Value::Null), Ok(Value::Null));
    }

    #[test]
    fn enums_take_a_part_of_a_label_as_planners_shorten_it_and_refuse_an_ambiguous_one() {
        assert_eq!(check("class", json!("Đường trục thôn")), Ok(json!("hamlet_axis")));
        assert_eq!(check("class", json!("đường ngõ xóm")), Ok(json!("alley")));
        assert_eq!(check("surface", json!("Nhựa")), Ok(json!("asphalt")));
        assert_eq!(check("surface", json!("đá lát")), Ok(json!("paving")));
        assert_eq!(check("class", json!("lane")), Ok(json!("alley")));
        assert!(check("class", json!("Đường")).is_err(), "a part of no label");
    }
}
