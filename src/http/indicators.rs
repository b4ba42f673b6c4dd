//! `GET /api/indicators`: the indicator catalogue, from which the page builds its
//! choropleth choices, dashboard columns and slides, and by which every output rounds.

use super::AppContext;
use super::layers::Titles;
use crate::coverage::indicators::{self, INDICATORS, Indicator};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(catalogue))
}

/// How an indicator is shown: the JSON value divided by `divisor`, rounded (`rounding`)
/// to `decimals`, then `unit`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisplayInfo {
    pub divisor: f64,
    pub decimals: u32,
    pub unit: Titles,
}

/// A row of the indicator catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorInfo {
    pub id: &'static str,
    /// Where it is reported: `group`, `commune`, `region`.
    #[schema(value_type = Vec<String>)]
    pub levels: &'static [indicators::Level],
    /// `length`, `pct`, `count`, `money` or `work`.
    #[schema(value_type = String)]
    pub kind: indicators::Kind,
    /// Decimals of the value in the JSON answers.
    pub decimals: u32,
    /// Always `half_away_from_zero`.
    pub rounding: &'static str,
    pub display: DisplayInfo,
    pub title: Titles,
    /// For narrow table headers.
    pub short: Titles,
    /// Whether a commune may set a target for it (`targets` in the coverage answers).
    pub target: bool,
    /// Whether it is also reported per road class (`by_class`).
    pub road: bool,
    /// For a share: the length indicator it is a share of.
    pub share_of: Option<&'static str>,
    /// Which outputs show it: `table` (CSV, XLSX), `choropleth`, `dashboard`, `slides`,
    /// `timeline`.
    #[schema(value_type = Object)]
    pub outputs: indicators::Outputs,
}

impl From<&'static Indicator> for IndicatorInfo {
    fn from(i: &'static Indicator) -> IndicatorInfo {
        IndicatorInfo {
            id: i.id,
            levels: i.levels,
            kind: i.kind,
            decimals: i.decimals,
            rounding: i.rounding,
            display: DisplayInfo {
                divisor: i.display.divisor,
                decimals: i.display.decimals,
                unit: Titles { vi: i.display.unit_vi, en: i.display.unit_en },
            },
            title: Titles { vi: i.title_vi, en: i.title_en },
            short: Titles { vi: i.short_vi, en: i.short_en },
            target: i.target,
            road: i.road,
            share_of: i.share_of,
            outputs: i.outputs,
        }
    }
}

/// The indicator catalogue.
#[utoipa::path(
    get,
    path = "/api/indicators",
    operation_id = "list_indicators",
    tag = "coverage",
    responses((status = 200, description = "Every indicator: its levels, kind, rounding, display and titles", body = Vec<IndicatorInfo>))
)]
async fn catalogue() -> Json<Vec<IndicatorInfo>> {
    Json(INDICATORS.iter().map(IndicatorInfo::from).collect())
}
