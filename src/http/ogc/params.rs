//! The query parameters of `/ogc`: every one checked, an unknown one refused by name.

use super::format::Format;
use crate::http::error::{ApiError, ApiResult};
use crate::layers::Layer;
use crate::ogc::crs::{CRS84, Crs};
use crate::ogc::datetime::{self, Datetime};
use crate::store::features::{self, Filter};
use crate::store::ogc::{ItemsQuery, PageAt};
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;
use utoipa::IntoParams;

/// The default page size of `/items`.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest page size of `/items`.
pub const MAX_LIMIT: i64 = 10_000;

/// The parameter of every document but the items (documentation only, like [`ItemsParams`]).
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `json` or `html` (by default from the `Accept` header: HTML for browsers).
    #[param(pattern = "^(json|html)$")]
    pub f: Option<String>,
}

/// The parameters of `/items` (documentation only: the handler reads the raw query, to
/// refuse unknown names and to take the layer's attributes as filters).
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemsParams {
    /// Features per page, 1 to 10,000.
    #[param(minimum = 1, maximum = 10000, default = 100)]
    pub limit: Option<i64>,
    /// `minx,miny,maxx,maxy` in `bbox-crs` (CRS84 by default: lon,lat).
    #[param(example = "105.68,19.23,105.72,19.27")]
    pub bbox: Option<String>,
    /// The CRS of `bbox`, a URI from the collection's `crs` list.
    #[param(rename = "bbox-crs")]
    pub bbox_crs: Option<String>,
    /// The CRS of the answer, a URI from the collection's `crs` list; named in `Content-Crs`.
    #[param(example = "http://www.opengis.net/def/crs/EPSG/0/9208")]
    pub crs: Option<String>,
    /// A day (the works as they were then, with the attributes they had) or an interval
    /// `start/end` with `..` for an open end (the works dated in it; undated works are left
    /// out unless both ends are open). Days in Vietnam's time.
    #[param(example = "2022-12-31")]
    pub datetime: Option<String>,
    /// A CQL2 text filter over the queryables.
    #[param(example = "surface = 'concrete' AND S_INTERSECTS(geometry, BBOX(105.68,19.23,105.72,19.27))")]
    pub filter: Option<String>,
    /// `cql2-text` (the default and the only one).
    #[param(rename = "filter-lang", pattern = "^cql2-text$")]
    pub filter_lang: Option<String>,
    /// The CRS of the filter's geometries (CRS84 by default).
    #[param(rename = "filter-crs")]
    pub filter_crs: Option<String>,
    /// The key after which the page starts (the `next` links carry it).
    pub after: Option<String>,
    /// The key before which the page ends (the `prev` links carry it).
    pub before: Option<String>,
    /// `json` (GeoJSON) or `html`.
    pub f: Option<String>,
    /// The commune's statistics code; like every queryable, an attribute name is an
    /// equality filter (`surface=concrete`).
    pub commune: Option<String>,
}

/// Parameters of `/items` that are not attributes.
const ITEMS_PARAMETERS: &[&str] = &[
    "limit",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
    "after",
    "before",
    "f",
    "commune",
];

/// Parses a query that may hold only `f` (and `crs` when `crs_allowed`).
fn only(query: Option<&str>, allowed: &[&str]) -> ApiResult<std::collections::HashMap<String, String>> {
    crate::http::params::parse(query, allowed)
}

/// The format of a document whose only parameter is `f`.
pub fn format_only(query: Option<&str>, headers: &HeaderMap) -> ApiResult<Format> {
    let params = only(query, &["f"])?;
    Format::choose(params.get("f").map(String::as_str), headers)
}

/// The format and CRS of one item (`f`, `crs`).
pub fn item_params(query: Option<&str>, headers: &HeaderMap) -> ApiResult<(Format, Crs)> {
    let params = only(query, &["f", "crs"])?;
    let crs = params.get("crs").map(|v| crs_param("crs", v)).transpose()?.unwrap_or(CRS84);
    Ok((Format::choose(params.get("f").map(String::as_str), headers)?, crs))
}

fn crs_param(name: &str, value: &str) -> ApiResult<Crs> {
    Crs::parse(value).ok_or_else(|| {
        ApiError::bad(name, format!("`{value}` is not a CRS kheo serves; use one of {}", Crs::all_uris().join(", ")))
    })
}

/// A checked items request: what to select, and the query pairs to repeat in links.
pub struct ItemsRequest {
    pub query: ItemsQuery,
    pub format: Format,
    /// The request's parameters but `after`, `before` and `f`, for the page links.
    pub kept: Vec<(String, String)>,
}

/// Parses and checks the query of `/collections/{layer}/items`.
pub fn items(layer: &Layer, query: Option<&str>, headers: &HeaderMap, published_only: bool) -> ApiResult<ItemsRequest> {
    let pairs = crate::http::params::pairs(query)?;
    let mut filter = Filter { published_only, ..Filter::default() };
    let mut out = ItemsQuery {
        filter: Filter::default(),
        interval: None,
        bbox: None,
        cql: None,
        crs: CRS84,
        page: PageAt::First,
        limit: DEFAULT_LIMIT,
    };
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let bbox_crs = get("bbox-crs").map(|v| crs_param("bbox-crs", v)).transpose()?.unwrap_or(CRS84);
    let filter_crs = get("filter-crs").map(|v| crs_param("filter-crs", v)).transpose()?.unwrap_or(CRS84);
    let mut kept = Vec::new();
    for (name, value) in &pairs {
        match name.as_str() {
            "limit" => {
                out.limit = match value.parse::<i64>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                    _ => return Err(ApiError::bad("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
                }
            }
            "bbox" => out.bbox = Some((bbox(value, &bbox_crs)?, bbox_crs)),
            "bbox-crs" | "filter-crs" => {}
            "crs" => out.crs = crs_param("crs", value)?,
            "datetime" => match datetime::parse(value).map_err(|m| ApiError::bad("datetime", m))? {
                Datetime::Instant(day) => filter.as_of = Some(day),
                Datetime::Interval { start, end } => {
                    if start.is_some() || end.is_some() {
                        out.interval = Some((start, end));
                    }
                }
            },
            "filter" => {
                let expr = cql(value)?;
                for (geometry, position) in expr.geometries() {
                    check_range(&filter_crs, geometry.bounds()).map_err(|m| {
                        ApiError::client(
                            StatusCode::BAD_REQUEST,
                            format!("parameter `filter`: the geometry of S_INTERSECTS at character {position} {m}"),
                            json!({ "parameter": "filter", "position": position }),
                        )
                    })?;
                }
                out.cql = Some((expr, filter_crs));
            }
            "filter-lang" => {
                if value != "cql2-text" {
                    return Err(ApiError::bad("filter-lang", "must be cql2-text, the one filter language kheo reads"));
                }
            }
            "after" => out.page = PageAt::After(cursor("after", value)?),
            "before" => out.page = PageAt::Before(cursor("before", value)?),
            "f" => {}
            "commune" => {
                if !crate::http::params::is_commune_code(value) {
                    return Err(ApiError::bad("commune", "must be a commune code such as 17131"));
                }
                filter.commune = Some(value.clone());
            }
            other => match layer.field(other) {
                Some(field) => {
                    let parsed = features::parse_field_value(field.ty, value).map_err(|m| ApiError::bad(other, m))?;
                    filter.fields.push((field.name, parsed));
                }
                None => {
                    let mut names: Vec<&str> = ITEMS_PARAMETERS.to_vec();
                    names.extend(layer.fields().map(|f| f.name));
                    return Err(ApiError::bad(other, format!("is not known here; use {}", names.join(", "))));
                }
            },
        }
        if !matches!(name.as_str(), "after" | "before" | "f") {
            kept.push((name.clone(), value.clone()));
        }
    }
    if get("after").is_some() && get("before").is_some() {
        return Err(ApiError::bad(
            "before",
            "cannot be given with `after`: a page starts after a key or ends before one",
        ));
    }
    if get("filter").is_none() && get("filter-crs").is_some() {
        return Err(ApiError::bad("filter-crs", "needs `filter`"));
    }
    if get("bbox").is_none() && get("bbox-crs").is_some() {
        return Err(ApiError::bad("bbox-crs", "needs `bbox`"));
    }
    out.filter = filter;
    let format = Format::choose(get("f"), headers)?;
    Ok(ItemsRequest { query: out, format, kept })
}

/// A page cursor: a feature key as the `next`/`prev` links carry it.
fn cursor(name: &str, value: &str) -> ApiResult<String> {
    if value.is_empty() || value.len() > 64 {
        return Err(ApiError::bad(name, "must be a feature key, as the next and prev links give it"));
    }
    Ok(value.to_string())
}

/// `bbox` in `crs`'s axis order: four numbers, within the CRS's range.
fn bbox(value: &str, crs: &Crs) -> ApiResult<[f64; 4]> {
    let bad = |m: String| ApiError::bad("bbox", m);
    let numbers: Vec<f64> = value
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("must be four numbers: min x, min y, max x, max y (in bbox-crs)".into()))?;
    if numbers.len() == 6 {
        return Err(bad("has six numbers (3D); kheo's data is 2D: give four".into()));
    }
    let [a, b, c, d]: [f64; 4] =
        numbers.try_into().map_err(|_| bad("must be four numbers: min x, min y, max x, max y (in bbox-crs)".into()))?;
    if ![a, b, c, d].iter().all(|v| v.is_finite()) {
        return Err(bad("must be finite numbers".into()));
    }
    if a > c || b > d {
        return Err(bad("its minimum exceeds its maximum (a box across the antimeridian is not supported)".into()));
    }
    check_range(crs, [a, b, c, d]).map_err(bad)?;
    Ok([a, b, c, d])
}

/// Coordinates a CRS can take: degrees within their range; metres within 10,000 km of a
/// projection's origin, past which a transverse Mercator makes no sense (and PROJ fails).
pub fn check_range(crs: &Crs, [a, b, c, d]: [f64; 4]) -> Result<(), String> {
    if crs.projected {
        let ok = |v: f64| v.abs() <= 10_000_000.0;
        if ![a, b, c, d].into_iter().all(ok) {
            return Err("is in metres, which must lie within 10,000 km of the projection's origin".into());
        }
        return Ok(());
    }
    let (lon, lat) = if crs.latitude_first { ([b, d], [a, c]) } else { ([a, c], [b, d]) };
    if !lon.iter().all(|v| (-180.0..=180.0).contains(v)) || !lat.iter().all(|v| (-90.0..=90.0).contains(v)) {
        let order = if crs.latitude_first { "latitude, longitude" } else { "longitude, latitude" };
        return Err(format!("is {order} in this CRS: longitudes lie within ±180, latitudes within ±90"));
    }
    Ok(())
}

/// A CQL2 text filter, or a 400 saying where it fails.
fn cql(value: &str) -> ApiResult<crate::ogc::cql2::Expr> {
    crate::ogc::cql2::parse_text(value).map_err(|e| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("parameter `filter`: {e}"),
            json!({ "parameter": "filter", "position": e.position }),
        )
    })
}
