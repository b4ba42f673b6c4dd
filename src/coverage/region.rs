//! Coverage of a region: one line per commune with every indicator of its own report, and
//! the region's totals. Totals are sums of the communes' stated lengths, counts and money
//! (never averages of percentages), and its shares are computed from those sums, so a
//! region's figures are exactly the sums of its communes' reports.

use super::indicators::{INDICATORS, Level, Measures};
use super::{Indicators, Settings, SiteCounts, Tally, Values};
use crate::store::coverage::{self, CommuneRow};
use crate::store::regions::Region;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};

/// A commune's line of a region report.
#[derive(Debug, Clone, Serialize)]
pub struct CommuneLine {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub province: String,
    /// Its groups' households; `null` (unknown) when no group says.
    pub households: Option<i64>,
    pub population: Option<i64>,
    #[serde(flatten)]
    pub indicators: Indicators,
}

/// How many communes meet a target, of those with a value for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TargetsMet {
    pub met: i64,
    pub of: i64,
}

/// The region's totals.
#[derive(Debug, Clone, Serialize)]
pub struct RegionTotals {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The number of communes in the report.
    pub communes: i64,
    pub households: Option<i64>,
    pub population: Option<i64>,
    /// Every indicator of the region level, by id.
    #[serde(flatten)]
    pub values: Values,
    pub model_sites: SiteCounts,
    /// Per indicator with a target in some commune: how many communes meet their own.
    pub targets_met: BTreeMap<String, TargetsMet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionReport {
    pub as_of: NaiveDate,
    pub region: RegionTotals,
    pub communes: Vec<CommuneLine>,
}

/// One year of a region's timeline: the totals' values, and each commune's timeline values.
#[derive(Debug, Clone, Serialize)]
pub struct RegionYear {
    pub year: i32,
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub values: Values,
    pub communes: Vec<CommuneYear>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommuneYear {
    pub code: String,
    #[serde(flatten)]
    pub values: Values,
}

/// What the region's communes are, loaded once for a report or a timeline.
struct Parts {
    communes: Vec<CommuneRow>,
    settings: HashMap<String, Settings>,
    households: HashMap<String, (Option<i64>, Option<i64>)>,
}

async fn parts(pool: &PgPool, codes: &[String]) -> Result<Parts, sqlx::Error> {
    let communes = coverage::communes(pool, codes).await?;
    let settings = coverage::settings_of(pool, codes).await?;
    let households = coverage::households_of(pool, codes).await?;
    Ok(Parts { communes, settings, households })
}

/// The indicators of a commune from its tally, as its own report gives them.
fn commune_indicators(parts: &Parts, code: &str, tally: Option<&Tally>, as_of: NaiveDate) -> Indicators {
    let settings = parts.settings.get(code).cloned().unwrap_or_else(Settings::defaults).in_year(as_of.year());
    Indicators::from_tally(tally.unwrap_or(&Tally::default()), &settings)
}

/// The totals of the communes' lines.
fn totals(region: &Region, lines: &[CommuneLine]) -> RegionTotals {
    let mut measures = Measures::default();
    let mut sites = SiteCounts::default();
    let mut targets_met: BTreeMap<String, TargetsMet> = BTreeMap::new();
    for line in lines {
        measures.add(&Measures::of_commune(|id| line.indicators.value(id)));
        sites.total += line.indicators.model_sites.total;
        for (k, v) in &line.indicators.model_sites.by_field {
            *sites.by_field.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &line.indicators.model_sites.by_recognition {
            *sites.by_recognition.entry(k.clone()).or_default() += v;
        }
        for (id, target) in &line.indicators.targets {
            let entry = targets_met.entry(id.clone()).or_default();
            if let Some(met) = target.met {
                entry.of += 1;
                entry.met += i64::from(met);
            }
        }
    }
    RegionTotals {
        code: region.code.clone(),
        name: region.name.clone(),
        kind: region.kind.clone(),
        communes: lines.len() as i64,
        households: lines.iter().filter_map(|l| l.households).reduce(|a, b| a + b),
        population: lines.iter().filter_map(|l| l.population).reduce(|a, b| a + b),
        values: Values::of(&measures, |i| i.at(Level::Region)),
        model_sites: sites,
        targets_met,
    }
}

/// The coverage of `region`'s communes `codes` at `as_of`.
pub async fn report(
    pool: &PgPool,
    region: &Region,
    codes: &[String],
    as_of: NaiveDate,
) -> Result<RegionReport, sqlx::Error> {
    let parts = parts(pool, codes).await?;
    let tallies = coverage::commune_tallies(pool, codes, &[as_of]).await?;
    let communes: Vec<CommuneLine> = parts
        .communes
        .iter()
        .map(|c| {
            let (households, population) = parts.households.get(&c.code).copied().unwrap_or((None, None));
            CommuneLine {
                code: c.code.clone(),
                name: c.name.clone(),
                kind: c.kind.clone(),
                province: c.province.clone(),
                households,
                population,
                indicators: commune_indicators(&parts, &c.code, tallies.get(&(as_of, c.code.clone())), as_of),
            }
        })
        .collect();
    Ok(RegionReport { as_of, region: totals(region, &communes), communes })
}

/// The region's figures at the end of each year from `from` to `to`, the last at `as_of`.
pub async fn timeline(
    pool: &PgPool,
    region: &Region,
    codes: &[String],
    (from, to): (Option<i32>, Option<i32>),
    as_of: NaiveDate,
) -> Result<Vec<RegionYear>, sqlx::Error> {
    let parts = parts(pool, codes).await?;
    let to = to.unwrap_or(as_of.year());
    let from = match from {
        Some(year) => year,
        None => coverage::first_year_of(pool, codes).await?.unwrap_or(to).clamp(to - 30, to),
    };
    let dates: Vec<(i32, NaiveDate)> =
        (from..=to).filter_map(|year| Some((year, NaiveDate::from_ymd_opt(year, 12, 31)?.min(as_of)))).collect();
    let only_dates: Vec<NaiveDate> = dates.iter().map(|(_, d)| *d).collect();
    let tallies = coverage::commune_tallies(pool, codes, &only_dates).await?;
    Ok(dates
        .into_iter()
        .map(|(year, date)| {
            let lines: Vec<CommuneLine> = parts
                .communes
                .iter()
                .map(|c| CommuneLine {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    kind: c.kind.clone(),
                    province: c.province.clone(),
                    households: None,
                    population: None,
                    indicators: commune_indicators(&parts, &c.code, tallies.get(&(date, c.code.clone())), date),
                })
                .collect();
            let totals = totals(region, &lines);
            let communes = lines
                .iter()
                .map(|l| CommuneYear {
                    code: l.code.clone(),
                    values: Values(
                        INDICATORS
                            .iter()
                            .filter(|i| i.outputs.timeline && i.at(Level::Commune))
                            .map(|i| (i.id, l.indicators.value(i.id)))
                            .collect(),
                    ),
                })
                .collect();
            RegionYear { year, as_of: date, values: totals.values, communes }
        })
        .collect())
}
