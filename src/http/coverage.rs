//! The coverage resource: `GET /api/coverage`, `/api/coverage.geojson`,
//! `/api/coverage.csv` and `/api/coverage/timeline`.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::{etag, params};
use crate::coverage::report::{self, Report};
use crate::coverage::table::{self, Cell};
use crate::coverage::{INDICATORS, Indicators};
use crate::store::{coverage, revision};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};
use bytes::Bytes;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppContext> {
    Router::new()
        .route("/api/coverage", get(coverage_json))
        .route("/api/coverage.geojson", get(coverage_geojson))
        .route("/api/coverage.csv", get(coverage_csv))
        .route("/api/coverage.xlsx", get(coverage_xlsx))
        .route("/api/coverage/timeline", get(timeline))
}

/// Every table whose change can change a coverage answer.
const SOURCES: &[&str] =
    &["commune", "residential_group", "road", "flower_route", "lighting_line", "model_site", "commune_setting"];

/// The ETag of a coverage answer: the data's revisions, the query and the date (the
/// default as-of date moves at midnight). It is also the key of the answer cache: the
/// JSON, GeoJSON and timeline answers are computed once per tag.
async fn tag(ctx: &AppContext, kind: &str, code: &str, query: Option<&str>, as_of: NaiveDate) -> ApiResult<String> {
    let rebuilt = format!("coverage:{code}");
    let tables: Vec<&str> = SOURCES.iter().copied().chain([rebuilt.as_str()]).collect();
    let revisions = revision::of_tables(&ctx.pool, &tables).await?;
    Ok(etag::weak(&[kind, &revisions, query.unwrap_or(""), &as_of.to_string()]))
}

/// A coverage request with its parameters checked and its ETag computed.
struct CoverageRequest {
    params: HashMap<String, String>,
    code: String,
    as_of: NaiveDate,
    tag: String,
}

/// Checks a request's parameters (`commune`, `as_of` and `extra`) and computes its ETag;
/// `Err` holds the 304 to send when the client already has this answer.
async fn begin(
    ctx: &AppContext,
    query: Option<&str>,
    headers: &HeaderMap,
    kind: &str,
    extra: &[&str],
) -> ApiResult<Result<CoverageRequest, Response>> {
    let allowed: Vec<&str> = ["commune", "as_of"].iter().chain(extra).copied().collect();
    let params = params::parse(query, &allowed)?;
    let (code, as_of) = (params::commune(&params)?, params::as_of(&params)?);
    let tag = tag(ctx, kind, &code, query, as_of).await?;
    if etag::matches(headers, &tag) {
        return Ok(Err(etag::not_modified(&tag)));
    }
    Ok(Ok(CoverageRequest { params, code, as_of, tag }))
}

async fn load(ctx: &AppContext, code: &str, as_of: NaiveDate) -> ApiResult<Report> {
    report::report(&ctx.pool, code, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))
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

async fn coverage_json(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, query.as_deref(), &headers, "json", &[]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    if let Some(body) = ctx.cache.get(&r.tag) {
        return Ok(respond(body, "application/json", &r.tag));
    }
    let report = load(&ctx, &r.code, r.as_of).await?;
    let body = Bytes::from(serde_json::to_vec(&report).map_err(anyhow::Error::from)?);
    ctx.cache.put(&r.tag, body.clone());
    Ok(respond(body, "application/json", &r.tag))
}

/// The indicators as flat properties, for map styling (MapLibre expressions read flat
/// properties best).
fn flat(indicators: &Indicators, into: &mut Map<String, Value>) {
    for name in INDICATORS {
        let value = match *name {
            // Counts and money stay whole numbers.
            "model_sites" => json!(indicators.model_sites.total),
            "people_vnd" => json!(indicators.people_vnd),
            "state_vnd" => json!(indicators.state_vnd),
            _ => json!(indicators.value(name)),
        };
        into.insert((*name).to_string(), value);
    }
    for (field, count) in &indicators.model_sites.by_field {
        into.insert(format!("model_sites_{field}"), json!(count));
    }
    for (name, target) in &indicators.targets {
        into.insert(format!("{name}_target"), json!(target.target));
        into.insert(format!("{name}_met"), json!(target.met));
    }
}

async fn coverage_geojson(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, query.as_deref(), &headers, "geojson", &[]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    if let Some(body) = ctx.cache.get(&r.tag) {
        return Ok(respond(body, "application/geo+json", &r.tag));
    }
    let report = load(&ctx, &r.code, r.as_of).await?;
    let geometries = coverage::group_geometries(&ctx.pool, &r.code).await?;
    let mut features = Vec::with_capacity(report.groups.len());
    for line in &report.groups {
        let group = &line.group;
        let geometry: Value = match geometries.get(&group.id) {
            Some(text) => serde_json::from_str(text).map_err(anyhow::Error::from)?,
            None => Value::Null,
        };
        // id, code, name, kind, households, population, then the indicators.
        let Value::Object(mut props) = json!(group) else { unreachable!("a struct serialises to an object") };
        flat(&line.indicators, &mut props);
        features.push(json!({ "type": "Feature", "id": group.id, "geometry": geometry, "properties": props }));
    }
    let mut commune = Map::new();
    commune.insert("code".into(), json!(report.commune.code));
    commune.insert("name".into(), json!(report.commune.name));
    flat(&report.commune.indicators, &mut commune);
    let body = json!({
        "type": "FeatureCollection",
        "as_of": report.as_of,
        "commune": commune,
        "features": features,
    });
    let body = Bytes::from(serde_json::to_vec(&body).map_err(anyhow::Error::from)?);
    ctx.cache.put(&r.tag, body.clone());
    Ok(respond(body, "application/geo+json", &r.tag))
}

async fn coverage_csv(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let r = match begin(&ctx, query.as_deref(), &headers, "csv", &["decimal", "lang"]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    // Excel in a Vietnamese locale reads "80,7" as a number and expects ";" between cells.
    let comma = match r.params.get("decimal").map(String::as_str) {
        None | Some("point") => false,
        Some("comma") => true,
        Some(_) => return Err(ApiError::bad("decimal", "must be `point` or `comma`")),
    };
    let english = english(&r.params)?;
    let report = load(&ctx, &r.code, r.as_of).await?;

    let text = |cell: &Cell| -> String {
        match cell {
            // Group names are typed by users: no formula reaches Excel (OWASP's rule).
            Cell::Text(t) => crate::spreadsheet::csv_text(t).into_owned(),
            Cell::Empty => String::new(),
            Cell::Number(v, decimals) => {
                let t = format!("{v:.decimals$}");
                if comma { t.replace('.', ",") } else { t }
            }
        }
    };
    let mut writer = csv::WriterBuilder::new().delimiter(if comma { b';' } else { b',' }).from_writer(Vec::new());
    writer.write_record(table::headers(english)).map_err(anyhow::Error::from)?;
    for row in table::rows(&report, english) {
        writer.write_record(row.iter().map(text)).map_err(anyhow::Error::from)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec(); // the BOM: Excel then reads UTF-8
    body.extend(writer.into_inner().map_err(|e| anyhow::anyhow!("writing the CSV: {e}"))?);

    let mut response = respond(body, "text/csv; charset=utf-8", &r.tag);
    attachment(&mut response, &r.code, r.as_of, "csv");
    Ok(response)
}

/// `vi` (default) or `en`.
fn english(p: &HashMap<String, String>) -> ApiResult<bool> {
    match p.get("lang").map(String::as_str) {
        None | Some("vi") => Ok(false),
        Some("en") => Ok(true),
        Some(_) => Err(ApiError::bad("lang", "must be `vi` or `en`")),
    }
}

fn attachment(response: &mut Response, code: &str, as_of: NaiveDate, extension: &str) {
    let value = format!("attachment; filename=\"kheo-coverage-{code}-{as_of}.{extension}\"");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

/// The same table as the CSV, as an Excel workbook: numbers stay numbers, so Excel shows
/// them in the reader's own locale (80,7 in Vietnamese).
async fn coverage_xlsx(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    use rust_xlsxwriter::{Format, Workbook};
    let r = match begin(&ctx, query.as_deref(), &headers, "xlsx", &["lang"]).await? {
        Ok(request) => request,
        Err(not_modified) => return Ok(not_modified),
    };
    let english = english(&r.params)?;
    let (code, as_of) = (&r.code, r.as_of);
    let report = load(&ctx, code, as_of).await?;

    let xlsx = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("writing the workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(if english { "Coverage" } else { "Do phu" }).map_err(xlsx)?;
    let title = if english {
        format!("Coverage of {} as of {}", report.commune.name, as_of.format("%d/%m/%Y"))
    } else {
        format!("Kết quả công trình {} tính đến ngày {}", report.commune.name, as_of.format("%d/%m/%Y"))
    };
    sheet.write_string_with_format(0, 0, &title, &Format::new().set_bold().set_font_size(14)).map_err(xlsx)?;
    let header = Format::new().set_bold().set_text_wrap().set_background_color("#E8EEF4");
    for (col, text) in table::headers(english).into_iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, text, &header).map_err(xlsx)?;
        sheet.set_column_width(col as u16, if col == 1 { 28 } else { 14 }).map_err(xlsx)?;
    }
    let formats = [
        Format::new().set_num_format("#,##0"),
        Format::new().set_num_format("0.0"),
        Format::new(),
        Format::new().set_num_format("#,##0.000"),
    ];
    let rows = table::rows(&report, english);
    let last = rows.len() - 1;
    for (r, row) in rows.iter().enumerate() {
        let r_index = 3 + r as u32;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            let mut format = match cell {
                Cell::Number(_, 0) => formats[0].clone(),
                Cell::Number(_, 1) => formats[1].clone(),
                Cell::Number(_, _) => formats[3].clone(),
                _ => formats[2].clone(),
            };
            if r == last {
                format = format.set_bold();
            }
            match cell {
                Cell::Text(t) => sheet.write_string_with_format(r_index, col, t, &format).map_err(xlsx)?,
                Cell::Number(v, _) => sheet.write_number_with_format(r_index, col, *v, &format).map_err(xlsx)?,
                Cell::Empty => sheet.write_blank(r_index, col, &format).map_err(xlsx)?,
            };
        }
    }
    sheet.set_freeze_panes(3, 2).map_err(xlsx)?;
    let body = workbook.save_to_buffer().map_err(xlsx)?;
    let mut response = respond(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &r.tag);
    attachment(&mut response, code, as_of, "xlsx");
    Ok(response)
}

async fn timeline(State(ctx): State<AppContext>, RawQuery(query): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let p = params::parse(query.as_deref(), &["commune", "from", "to", "as_of"])?;
    let (code, as_of) = (params::commune(&p)?, params::as_of(&p)?);
    let (from, to) = (params::year(&p, "from")?, params::year(&p, "to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad("from", "must not be after `to`"));
    }
    if let (Some(f), Some(t)) = (from, to.or(Some(chrono::Datelike::year(&as_of))))
        && t - f > 100
    {
        return Err(ApiError::bad("from", "the timeline spans at most 100 years"));
    }
    let tag = tag(&ctx, "timeline", &code, query.as_deref(), as_of).await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    if let Some(body) = ctx.cache.get(&tag) {
        return Ok(respond(body, "application/json", &tag));
    }
    let (settings, years) = report::timeline(&ctx.pool, &code, from, to, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))?;
    let body = json!({ "commune": code, "as_of": as_of, "settings": settings, "years": years });
    let body = Bytes::from(serde_json::to_vec(&body).map_err(anyhow::Error::from)?);
    ctx.cache.put(&tag, body.clone());
    Ok(respond(body, "application/json", &tag))
}
