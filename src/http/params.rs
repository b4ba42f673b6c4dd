//! Query-string parsing shared by the handlers: every parameter once, none unknown.

use super::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The pairs of a query string, refusing repeated names and NUL characters (`%00`, which
/// no value holds and PostgreSQL refuses in text).
pub fn pairs(query: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| ApiError::bad("query", "is not a valid URL query string"))?;
    let mut seen = std::collections::HashSet::new();
    for (name, value) in &pairs {
        if name.contains('\0') || value.contains('\0') {
            let shown: String = name.replace('\0', "%00").chars().take(40).collect();
            return Err(ApiError::bad(shown, "must not contain a NUL character (%00)"));
        }
        if !seen.insert(name.as_str()) {
            return Err(ApiError::bad(name, "is given more than once"));
        }
    }
    Ok(pairs)
}

/// The parameters of a query string, all of them among `allowed`.
pub fn parse(query: Option<&str>, allowed: &[&str]) -> ApiResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for (name, value) in pairs(query)? {
        if !allowed.contains(&name.as_str()) {
            return Err(ApiError::bad(&name, format!("is not known here; use {}", allowed.join(", "))));
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// Whether `code` has the shape of a region code (`nghe-an`, `hoang-mai-cu`).
pub fn is_region_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether `code` has the shape of a commune code: 1 to 16 characters (the document's
/// `minLength`/`maxLength`, which count characters, not bytes), none of them a control
/// character. Statistics codes are five digits (`17131`); imported communes may bring
/// codes of their own, so the shape is all that is checked here.
pub fn is_commune_code(code: &str) -> bool {
    (1..=16).contains(&code.chars().count()) && !code.chars().any(char::is_control)
}

/// A required commune code.
pub fn commune(params: &HashMap<String, String>) -> ApiResult<String> {
    match params.get("commune") {
        Some(code) if is_commune_code(code) => Ok(code.clone()),
        Some(_) => Err(ApiError::bad("commune", "must be a commune code such as 17131")),
        None => Err(ApiError::bad("commune", "is required (a commune code such as 17131)")),
    }
}

/// What an answer is about: a commune's code, or a region's (`commune=` or `region=`).
pub enum Area {
    Commune(String),
    Region(String),
}

impl Area {
    pub fn code(&self) -> &str {
        match self {
            Area::Commune(code) | Area::Region(code) => code,
        }
    }
}

/// `commune=` or `region=`, exactly one.
pub fn area(params: &HashMap<String, String>) -> ApiResult<Area> {
    match (params.contains_key("commune"), params.get("region")) {
        (true, Some(_)) => Err(ApiError::bad("region", "give `commune` or `region`, not both")),
        (true, None) => Ok(Area::Commune(commune(params)?)),
        (false, Some(code)) if is_region_code(code) => Ok(Area::Region(code.clone())),
        (false, Some(_)) => Err(ApiError::bad("region", "must be a region code such as nghe-an")),
        (false, None) => {
            Err(ApiError::bad("commune", "is required (a commune code such as 17131), or `region` (a region code)"))
        }
    }
}

/// The `as_of` date, today in Vietnam (UTC+7) when absent.
pub fn as_of(params: &HashMap<String, String>) -> ApiResult<NaiveDate> {
    match params.get("as_of") {
        Some(value) => crate::store::features::parse_date(value).map_err(|m| ApiError::bad("as_of", m)),
        None => Ok(today_in_vietnam()),
    }
}

/// Today's date where the planners are.
pub fn today_in_vietnam() -> NaiveDate {
    chrono::Utc::now().with_timezone(&crate::model::values::VIETNAM).date_naive()
}

/// An optional year between 1900 and 2200.
pub fn year(params: &HashMap<String, String>, name: &str) -> ApiResult<Option<i32>> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => match v.parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => Ok(Some(y)),
            _ => Err(ApiError::bad(name, "must be a year such as 2020")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::is_commune_code;

    #[test]
    fn a_commune_code_is_one_to_sixteen_characters_without_controls() {
        assert!(is_commune_code("17131"));
        assert!(is_commune_code(&"Đ".repeat(16)), "16 characters of 2 bytes each: the document counts characters");
        assert!(!is_commune_code(&"Đ".repeat(17)));
        assert!(!is_commune_code(""));
        assert!(!is_commune_code("171\n31"));
        assert!(!is_commune_code("17131\0"));
    }
}
