//! Coverage reports: a commune, its groups and the unassigned rest at one date, and the
//! same year by year.

use super::{INDICATORS, Indicators, Level, Settings, Tally, Values};
use crate::store::coverage::{self, CommuneRow, GroupRow, Quality, Tallies};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::PgPool;

/// One group's line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    #[serde(flatten)]
    pub group: GroupRow,
    #[serde(flatten)]
    pub indicators: Indicators,
}

/// The commune's totals: the groups plus the unassigned rest.
#[derive(Debug, Clone, Serialize)]
pub struct CommuneReport {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub province: String,
    /// The groups' households; `null` (unknown, never 0) when no group says.
    pub households: Option<i64>,
    pub population: Option<i64>,
    #[serde(flatten)]
    pub indicators: Indicators,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: NaiveDate,
    pub commune: CommuneReport,
    pub settings: Settings,
    pub groups: Vec<GroupReport>,
    /// Works of the commune that lie outside every group.
    pub unassigned: Indicators,
    /// Groups that overlap, and the commune's area no group covers.
    pub quality: Option<Quality>,
}

/// One year of the timeline: the indicators at the end of that year (or at the as-of
/// date for the last year).
#[derive(Debug, Clone, Serialize)]
pub struct YearReport {
    pub year: i32,
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub commune: Indicators,
    pub groups: Vec<YearGroup>,
}

/// A group's figures in a year of the timeline: the indicators of the catalogue's
/// timeline.
#[derive(Debug, Clone, Serialize)]
pub struct YearGroup {
    pub code: String,
    #[serde(flatten)]
    pub values: Values,
}

struct Parts {
    commune: CommuneRow,
    groups: Vec<GroupRow>,
    settings: Settings,
}

async fn parts(pool: &PgPool, code: &str) -> Result<Option<Parts>, sqlx::Error> {
    let Some(commune) = coverage::commune(pool, code).await? else { return Ok(None) };
    let groups = coverage::groups(pool, code).await?;
    let settings = coverage::settings(pool, code).await?;
    Ok(Some(Parts { commune, groups, settings }))
}

/// Groups, unassigned and total tallies of one date.
fn split(tallies: &Tallies, date: NaiveDate, groups: &[GroupRow]) -> (Vec<Tally>, Tally, Tally) {
    let empty = Tally::default();
    let per_group: Vec<Tally> =
        groups.iter().map(|g| tallies.get(&(date, Some(g.id))).unwrap_or(&empty).clone()).collect();
    let unassigned = tallies.get(&(date, None)).unwrap_or(&empty).clone();
    let mut total = unassigned.clone();
    for t in &per_group {
        total.add(t);
    }
    // Pieces of groups of this commune that are not in `groups` cannot exist (pieces are
    // rebuilt when groups change); count anything else as unassigned all the same.
    for ((d, g), t) in tallies {
        if *d == date && g.is_some_and(|id| !groups.iter().any(|x| x.id == id)) {
            total.add(t);
        }
    }
    (per_group, unassigned, total)
}

/// The sum of the values that are known; `None` when none is.
pub fn known_sum(values: impl Iterator<Item = Option<i32>>) -> Option<i64> {
    values.flatten().map(i64::from).reduce(|a, b| a + b)
}

/// The coverage of commune `code` at `as_of`; `None` when there is no such commune.
pub async fn report(pool: &PgPool, code: &str, as_of: NaiveDate) -> Result<Option<Report>, sqlx::Error> {
    let Some(Parts { commune, groups, settings }) = parts(pool, code).await? else { return Ok(None) };
    let settings = settings.in_year(as_of.year());
    let tallies = coverage::tallies(pool, code, &[as_of]).await?;
    let (per_group, unassigned, total) = split(&tallies, as_of, &groups);
    let quality = coverage::quality(pool, code).await?;
    let group_reports = groups
        .iter()
        .zip(&per_group)
        .map(|(g, t)| GroupReport { group: g.clone(), indicators: Indicators::from_tally(t, &settings) })
        .collect();
    Ok(Some(Report {
        as_of,
        commune: CommuneReport {
            households: known_sum(groups.iter().map(|g| g.households)),
            population: known_sum(groups.iter().map(|g| g.population)),
            code: commune.code,
            name: commune.name,
            kind: commune.kind,
            province: commune.province,
            indicators: Indicators::from_tally(&total, &settings),
        },
        unassigned: Indicators::from_tally(&unassigned, &settings),
        groups: group_reports,
        settings,
        quality,
    }))
}

/// The indicators of commune `code` at the end of each year from `from` to `to`, the
/// last one at `as_of`. `None` when there is no such commune.
pub async fn timeline(
    pool: &PgPool,
    code: &str,
    from: Option<i32>,
    to: Option<i32>,
    as_of: NaiveDate,
) -> Result<Option<(Settings, Vec<YearReport>)>, sqlx::Error> {
    let Some(Parts { groups, settings, .. }) = parts(pool, code).await? else { return Ok(None) };
    let to = to.unwrap_or(as_of.year());
    let from = match from {
        Some(year) => year,
        None => coverage::first_year(pool, code).await?.unwrap_or(to).clamp(to - 30, to),
    };
    let dates: Vec<(i32, NaiveDate)> =
        (from..=to).filter_map(|year| Some((year, NaiveDate::from_ymd_opt(year, 12, 31)?.min(as_of)))).collect();
    let only_dates: Vec<NaiveDate> = dates.iter().map(|(_, d)| *d).collect();
    let tallies = coverage::tallies(pool, code, &only_dates).await?;
    let years = dates
        .into_iter()
        .map(|(year, date)| {
            let (per_group, _, total) = split(&tallies, date, &groups);
            // Each year with the targets of its own year on the roadmap.
            YearReport {
                year,
                as_of: date,
                commune: Indicators::from_tally(&total, &settings.in_year(year)),
                groups: groups
                    .iter()
                    .zip(&per_group)
                    .map(|(g, t)| {
                        let measures = t.measures(&settings);
                        let values = INDICATORS
                            .iter()
                            .filter(|i| i.outputs.timeline && i.at(Level::Group))
                            .map(|i| (i.id, i.value(&measures)))
                            .collect();
                        YearGroup { code: g.code.clone(), values: Values(values) }
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Some((settings, years)))
}
