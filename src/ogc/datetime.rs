//! The `datetime` parameter of OGC API - Features, read at the precision of kheo's data:
//! works are dated by day, in Vietnam's time (UTC+7).

use chrono::{DateTime, NaiveDate};

/// What `datetime` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datetime {
    /// The works as they were on that day: those done by then (and undated ones), with the
    /// attributes they had then, exactly as `/api/layers/{layer}/features?as_of=` does.
    Instant(NaiveDate),
    /// The works dated within the days from `start` to `end` (both included; `None` is an
    /// open end). Undated works are left out unless both ends are open.
    Interval { start: Option<NaiveDate>, end: Option<NaiveDate> },
}

/// Parses `2019-12-31`, `2019-12-31T10:00:00Z`, or an interval of those with `/` where
/// `..` or nothing is an open end.
///
/// ```
/// use kheo::ogc::datetime::{parse, Datetime};
/// use chrono::NaiveDate;
/// let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// assert_eq!(parse("2019-12-31"), Ok(Datetime::Instant(d("2019-12-31"))));
/// // 20:00 UTC is already the next day in Vietnam.
/// assert_eq!(parse("2019-12-31T20:00:00Z"), Ok(Datetime::Instant(d("2020-01-01"))));
/// assert_eq!(parse("../2020-06-30"), Ok(Datetime::Interval { start: None, end: Some(d("2020-06-30")) }));
/// assert_eq!(parse("2020-01-01/"), Ok(Datetime::Interval { start: Some(d("2020-01-01")), end: None }));
/// assert!(parse("2021-01-01/2020-01-01").is_err());
/// assert!(parse("2019").is_err());
/// ```
pub fn parse(value: &str) -> Result<Datetime, String> {
    match value.split_once('/') {
        None => instant(value).map(Datetime::Instant),
        Some((start, end)) => {
            let start = open_or_instant(start)?;
            let end = open_or_instant(end)?;
            if let (Some(s), Some(e)) = (start, end)
                && s > e
            {
                return Err(format!("starts on {s}, after its end {e}"));
            }
            Ok(Datetime::Interval { start, end })
        }
    }
}

fn open_or_instant(value: &str) -> Result<Option<NaiveDate>, String> {
    if value.is_empty() || value == ".." { Ok(None) } else { instant(value).map(Some) }
}

/// A day: `YYYY-MM-DD`, or an RFC 3339 date-time taken as its day in Vietnam.
fn instant(value: &str) -> Result<NaiveDate, String> {
    if value.len() == 10 {
        return crate::model::values::parse_date(value)
            .map_err(|_| format!("`{value}` is not a date: write YYYY-MM-DD or an RFC 3339 date-time"));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&crate::model::values::VIETNAM).date_naive())
        .map_err(|_| {
            format!("`{value}` is not a date nor a date-time: write 2020-12-31, 2020-12-31T00:00:00Z, or an interval start/end with `..` for an open end")
        })
}
