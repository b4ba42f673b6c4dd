//! The coverage resource: `GET /api/coverage`, `/api/coverage.geojson`,
//! `/api/coverage.csv`, `/api/coverage.xlsx` and `/api/coverage/timeline`, each for a
//! commune (`?commune=`, its groups) or a region (`?region=`, its communes).

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::params::Area;
use super::session::Viewer;
use super::sheets::{self, Sheet};
use super::{etag, params};
use crate::coverage::Indicators;
use crate::coverage::region::{self, RegionReport};
use crate::coverage::report::{self, Report};
use crate::coverage::table::{self, Table};
use crate::store::regions::{self, Region};
use crate::store::{coverage, revision};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{
    CoverageAnswer, CoverageArea, CoverageTimeline, CsvOptions, GeoJsonFeatureCollection, Language,
};
use bytes::Bytes;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(coverage_json))
        .routes(routes!(coverage_geojson))
        .routes(routes!(coverage_csv))
        .routes(routes!(coverage_xlsx))
        .routes(routes!(timeline))
}

/// The region `code` (404 when there is none) and the communes its reader may see: a
/// region's unpublished communes are left out for visitors who are not signed in (a
/// commune's are 404 before this, in `guard_reads`). Looked up only when an answer is
/// computed: a cached answer costs no lookup.
async fn region_of(ctx: &AppContext, viewer: &Viewer, code: &str) -> ApiResult<(Region, Vec<String>)> {
    let region =
        regions::find(&ctx.pool, code).await?.ok_or_else(|| ApiError::not_found(format!("unknown region `{code}`")))?;
    let communes = regions::communes(&ctx.pool, code, viewer.is_anonymous()).await?;
    Ok((region, communes))
}

/// The ETag of a coverage answer: the data's revisions, the query and the date (the
/// default as-of date moves at midnight), and for a region who asks (visitors do not see
/// unpublished communes). It is also the key of the answer cache: the JSON, GeoJSON and
/// timeline answers are computed once per tag.
async fn tag(
    ctx: &AppContext,
    viewer: &Viewer,
    kind: &str,
    area: &Area,
    query: Option<&str>,
    as_of: NaiveDate,
) -> ApiResult<String> {
    let (tables, audience) = dependencies(viewer, area);
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    let revisions = revision::of_tables(&ctx.pool, &tables).await?;
    Ok(etag::weak(&[kind, &revisions, audience, query.unwrap_or(""), &as_of.to_string()]))
}

/// What an answer about `area`'s coverage depends on: every table whose change can change
/// it (the catalogue's sources, and the area's own coverage: a commune's, or every
/// commune's and the regions'), and who asks (visitors do not see a region's unpublished
/// communes). The coverage answers and the reports are tagged from it.
pub(super) fn dependencies(viewer: &Viewer, area: &Area) -> (Vec<String>, &'static str) {
    let mut tables: Vec<String> = crate::layers::Layer::coverage_sources().into_iter().map(String::from).collect();
    let audience = match area {
        Area::Commune(code) => {
            tables.push(format!("coverage:{code}"));
            "any"
        }
        Area::Region(_) => {
            tables.extend(["coverage:all", "region", "region_commune"].map(String::from));
            if viewer.is_anonymous() { "public" } else { "signed-in" }
        }
    };
    (tables, audience)
}

/// A coverage request with its parameters checked and its ETag computed.
struct CoverageRequest {
    params: HashMap<String, String>,
    area: Area,
    as_of: NaiveDate,
    tag: String,
    /// The client takes gzip: a cached answer is kept and sent compressed.
    gzip: bool,
}

/// Checks a request's parameters (`commune` or `region`, `as_of` and `extra`) and
/// computes its ETag; `Err` holds the 304 to send when the client already has this answer.
async fn begin(
    ctx: &AppContext,
    viewer: &Viewer,
    query: Option<&str>,
    headers: &HeaderMap,
    kind: &str,
    extra: &[&str],
) -> ApiResult<Result<CoverageRequest, Response>> {
    let allowed: Vec<&str> = ["commune", "region", "as_of"].iter().chain(extra).copied().collect();
    let params = params::parse(query, &allowed)?;
    let as_of = params::as_of(&params)?;
    let area = params::area(&params)?;
    let tag = tag(ctx, viewer, kind, &area, query, as_of).await?;
    if etag::matches(headers, &tag) {
        return Ok(Err(etag::not_modified(&tag)));
    }
    let gzip = super::compressed::accepts_gzip(headers);
    Ok(Ok(CoverageRequest { params, area, as_of, tag, gzip }))
}

/// A computed coverage answer.
enum Loaded {
    Commune(Box<Report>),
    Region(Box<RegionReport>),
}

async fn load(ctx: &AppContext, viewer: &Viewer, area: &Area, as_of: NaiveDate) -> ApiResult<Loaded> {
    match area {
        Area::Commune(code) => Ok(Loaded::Commune(Box::new(
            report::report(&ctx.pool, code, as_of)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))?,
        ))),
        Area::Region(code) => {
            let (region, communes) = region_of(ctx, viewer, code).await?;
            Ok(Loaded::Region(Box::new(region::report(&ctx.pool, &region, &communes, as_of).await?)))
        }
    }
}

fn respond(body: impl Into<axum::body::Body>, content_type: &'static str, tag: &str) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// Answers from the cache, or computes, caches and answers. With the cache on, a client
/// that takes gzip gets the answer compressed once and kept: a region's 600 KB answer,
/// compressed again for each of 50 clients, costs more CPU than computing it.
async fn cached(
    ctx: &AppContext,
    r: &CoverageRequest,
    content_type: &'static str,
    compute: impl AsyncFnOnce() -> ApiResult<Value>,
) -> ApiResult<Response> {
    let gzip_key = format!("{} gzip", r.tag);
    if r.gzip
        && let Some(body) = ctx.cache.get(&gzip_key)
    {
        return Ok(super::compressed::gzipped(respond(body, content_type, &r.tag)));
    }
    let body = ctx
        .cache
        .get_or_compute(&r.tag, async || -> ApiResult<Bytes> {
            Ok(Bytes::from(serde_json::to_vec(&compute().await?).map_err(anyhow::Error::from)?))
        })
        .await?;
    if r.gzip && ctx.cache.is_on() {
        let compressed = super::compressed::gzip(body).await?;
        ctx.cache.put(&gzip_key, compressed.clone());
        return Ok(super::compressed::gzipped(respond(compressed, content_type, &r.tag)));
    }
    Ok(respond(body, content_type, &r.tag))
}

/// The coverage of a commune's groups, or of a region's communes.
#[utoipa::path(
    get,
    path = "/api/coverage",
    tag = "coverage",
    params(CoverageArea),
    responses(
        (status = 200, description = "The indicators (weak ETag)", body = CoverageAnswer),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn coverage_json(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, &viewer, query.as_deref(), &headers, "json", &[]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    cached(&ctx, &r, "application/json", async || {
        let value = match load(&ctx, &viewer, &r.area, r.as_of).await? {
            Loaded::Commune(report) => serde_json::to_value(&report),
            Loaded::Region(report) => serde_json::to_value(&report),
        };
        Ok(value.map_err(anyhow::Error::from)?)
    })
    .await
}

/// The indicators as flat properties, for map styling (MapLibre expressions read flat
/// properties best).
fn flat(indicators: &Indicators, into: &mut Map<String, Value>) {
    if let Value::Object(values) = json!(indicators.values) {
        into.extend(values);
    }
    for (field, count) in &indicators.model_sites.by_field {
        into.insert(format!("model_sites_{field}"), json!(count));
    }
    for (name, target) in &indicators.targets {
        into.insert(format!("{name}_target"), json!(target.target));
        into.insert(format!("{name}_met"), json!(target.met));
    }
}

/// The coverage as polygons: a commune's groups, or a region's communes, with their
/// indicators as flat properties.
#[utoipa::path(
    get,
    path = "/api/coverage.geojson",
    tag = "coverage",
    params(CoverageArea),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection", body = GeoJsonFeatureCollection, content_type = "application/geo+json"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn coverage_geojson(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, &viewer, query.as_deref(), &headers, "geojson", &[]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    cached(&ctx, &r, "application/geo+json", async || match load(&ctx, &viewer, &r.area, r.as_of).await? {
        Loaded::Commune(report) => groups_collection(&ctx, &report).await,
        Loaded::Region(report) => communes_collection(&ctx, &report).await,
    })
    .await
}

/// A geometry stored as GeoJSON text, or null.
fn geometry(text: Option<&String>) -> ApiResult<Value> {
    match text {
        Some(text) => Ok(serde_json::from_str(text).map_err(anyhow::Error::from)?),
        None => Ok(Value::Null),
    }
}

/// A commune's groups as polygons with their indicators as flat properties.
async fn groups_collection(ctx: &AppContext, report: &Report) -> ApiResult<Value> {
    let geometries = coverage::group_geometries(&ctx.pool, &report.commune.code).await?;
    let mut features = Vec::with_capacity(report.groups.len());
    for line in &report.groups {
        let group = &line.group;
        // id, code, name, kind, households, population, then the indicators.
        let Value::Object(mut props) = json!(group) else { unreachable!("a struct serialises to an object") };
        flat(&line.indicators, &mut props);
        features.push(json!({
            "type": "Feature", "id": group.id, "geometry": geometry(geometries.get(&group.id))?, "properties": props,
        }));
    }
    let mut commune = Map::new();
    commune.insert("code".into(), json!(report.commune.code));
    commune.insert("name".into(), json!(report.commune.name));
    flat(&report.commune.indicators, &mut commune);
    Ok(json!({ "type": "FeatureCollection", "as_of": report.as_of, "commune": commune, "features": features }))
}

/// A region's communes as polygons with their indicators as flat properties.
async fn communes_collection(ctx: &AppContext, report: &RegionReport) -> ApiResult<Value> {
    let codes: Vec<String> = report.communes.iter().map(|c| c.code.clone()).collect();
    let geometries = coverage::commune_geometries(&ctx.pool, &codes).await?;
    let mut features = Vec::with_capacity(report.communes.len());
    for line in &report.communes {
        let mut props = Map::new();
        for (key, value) in
            [("code", &line.code), ("name", &line.name), ("kind", &line.kind), ("province", &line.province)]
        {
            props.insert(key.into(), json!(value));
        }
        props.insert("households".into(), json!(line.households));
        props.insert("population".into(), json!(line.population));
        flat(&line.indicators, &mut props);
        features.push(json!({
            "type": "Feature", "id": line.code, "geometry": geometry(geometries.get(&line.code))?, "properties": props,
        }));
    }
    let Value::Object(region) = json!(report.region) else { unreachable!("a struct serialises to an object") };
    Ok(json!({ "type": "FeatureCollection", "as_of": report.as_of, "region": region, "features": features }))
}

fn sheet(loaded: &Loaded, as_of: NaiveDate, english: bool) -> Sheet {
    let date = as_of.format("%d/%m/%Y");
    let (name, table, rows) = match loaded {
        Loaded::Commune(report) => (&report.commune.name, Table::Commune, table::rows(report, english)),
        Loaded::Region(report) => (&report.region.name, Table::Region, table::region_rows(report)),
    };
    let title = if english {
        format!("Coverage of {name} as of {date}")
    } else {
        format!("Kết quả công trình {name} tính đến ngày {date}")
    };
    Sheet { title, headers: table::headers(table, english), rows }
}

/// The coverage table as CSV.
#[utoipa::path(
    get,
    path = "/api/coverage.csv",
    tag = "coverage",
    params(CoverageArea, CsvOptions),
    responses(
        (status = 200, description = "The table (UTF-8 with a BOM), as an attachment", body = String, content_type = "text/csv"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn coverage_csv(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, &viewer, query.as_deref(), &headers, "csv", &["decimal", "lang"]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    let (comma, english) = (sheets::decimal_comma(&r.params)?, sheets::english(&r.params)?);
    let sheet = sheet(&load(&ctx, &viewer, &r.area, r.as_of).await?, r.as_of, english);
    let mut response = respond(sheets::csv(&sheet, comma)?, sheets::CSV, &r.tag);
    sheets::attachment(&mut response, "coverage", r.area.code(), r.as_of, "csv");
    Ok(response)
}

/// The coverage table as an Excel workbook.
#[utoipa::path(
    get,
    path = "/api/coverage.xlsx",
    tag = "coverage",
    params(CoverageArea, Language),
    responses(
        (status = 200, description = "The workbook, as an attachment", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn coverage_xlsx(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, &viewer, query.as_deref(), &headers, "xlsx", &["lang"]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    let english = sheets::english(&r.params)?;
    let sheet = sheet(&load(&ctx, &viewer, &r.area, r.as_of).await?, r.as_of, english);
    let mut response = respond(sheets::xlsx(&sheet, english, true)?, sheets::XLSX, &r.tag);
    sheets::attachment(&mut response, "coverage", r.area.code(), r.as_of, "xlsx");
    Ok(response)
}

/// The indicators at the end of each year.
#[utoipa::path(
    get,
    path = "/api/coverage/timeline",
    tag = "coverage",
    params(
        CoverageArea,
        ("from" = Option<i32>, Query, minimum = 1900, maximum = 2200, description = "The first year"),
        ("to" = Option<i32>, Query, minimum = 1900, maximum = 2200, description = "The last year (at most 100 after `from`)"),
    ),
    responses(
        (status = 200, description = "The years", body = CoverageTimeline),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn timeline(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, &viewer, query.as_deref(), &headers, "timeline", &["from", "to"]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    let (from, to) = (params::year(&r.params, "from")?, params::year(&r.params, "to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad("from", "must not be after `to`"));
    }
    if let (Some(f), Some(t)) = (from, to.or(Some(chrono::Datelike::year(&r.as_of))))
        && t - f > 100
    {
        return Err(ApiError::bad("from", "the timeline spans at most 100 years"));
    }
    let as_of = r.as_of;
    cached(&ctx, &r, "application/json", async || match &r.area {
        Area::Commune(code) => {
            let (settings, years) = report::timeline(&ctx.pool, code, from, to, as_of)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))?;
            Ok(json!({ "commune": code, "as_of": as_of, "settings": settings, "years": years }))
        }
        Area::Region(code) => {
            let (region, communes) = region_of(&ctx, &viewer, code).await?;
            let years = region::timeline(&ctx.pool, &region, &communes, (from, to), as_of).await?;
            Ok(json!({ "region": region.code, "as_of": as_of, "years": years }))
        }
    })
    .await
}
