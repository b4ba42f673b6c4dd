//! The coverage resource: `GET /api/coverage`, `/api/coverage.geojson`,
//! `/api/coverage.csv` and `/api/coverage/timeline`.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::{etag, params};
use crate::coverage::report::{self, Report};
use crate::coverage::{INDICATORS, Indicators};
use crate::store::{coverage, revision};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppContext> {
    Router::new()
        .route("/api/coverage", get(coverage_json))
        .route("/api/coverage.geojson", get(coverage_geojson))
        .route("/api/coverage.csv", get(coverage_csv))
        .route("/api/coverage/timeline", get(timeline))
}

/// Every table whose change can change a coverage answer.
const SOURCES: &[&str] =
    &["commune", "residential_group", "road", "flower_route", "lighting_line", "model_site", "commune_setting"];

/// The ETag of a coverage answer: the data's revisions, the query and the date (the
/// default as-of date moves at midnight).
async fn tag(ctx: &AppContext, kind: &str, query: Option<&str>, as_of: NaiveDate) -> ApiResult<String> {
    let revisions = revision::of_tables(&ctx.pool, SOURCES).await?;
    Ok(etag::weak(&[kind, &revisions, query.unwrap_or(""), &as_of.to_string()]))
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
    let p = params::parse(query.as_deref(), &["commune", "as_of"])?;
    let (code, as_of) = (params::commune(&p)?, params::as_of(&p)?);
    let tag = tag(&ctx, "json", query.as_deref(), as_of).await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let report = load(&ctx, &code, as_of).await?;
    let body = serde_json::to_vec(&report).map_err(anyhow::Error::from)?;
    Ok(respond(body, "application/json", &tag))
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
    let p = params::parse(query.as_deref(), &["commune", "as_of"])?;
    let (code, as_of) = (params::commune(&p)?, params::as_of(&p)?);
    let tag = tag(&ctx, "geojson", query.as_deref(), as_of).await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let report = load(&ctx, &code, as_of).await?;
    let geometries = coverage::group_geometries(&ctx.pool, &code).await?;
    let mut features = Vec::with_capacity(report.groups.len());
    for group in &report.groups {
        let geometry: Value = match geometries.get(&group.id) {
            Some(text) => serde_json::from_str(text).map_err(anyhow::Error::from)?,
            None => Value::Null,
        };
        let mut props = Map::new();
        props.insert("id".into(), json!(group.id));
        props.insert("code".into(), json!(group.code));
        props.insert("name".into(), json!(group.name));
        props.insert("kind".into(), json!(group.kind));
        props.insert("households".into(), json!(group.households));
        props.insert("population".into(), json!(group.population));
        flat(&group.indicators, &mut props);
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
    Ok(respond(serde_json::to_vec(&body).map_err(anyhow::Error::from)?, "application/geo+json", &tag))
}

/// Column titles of the CSV, Vietnamese then English.
const CSV_COLUMNS: &[(&str, &str)] = &[
    ("Mã", "Code"),
    ("Tên", "Name"),
    ("Số hộ", "Households"),
    ("Đường được tính (km)", "Counted roads (km)"),
    ("Bê tông (km)", "Concrete (km)"),
    ("Tỷ lệ bê tông (%)", "Concrete (%)"),
    ("Cứng hóa (km)", "Hardened (km)"),
    ("Tỷ lệ cứng hóa (%)", "Hardened (%)"),
    ("Được chiếu sáng (km)", "Lit (km)"),
    ("Tỷ lệ chiếu sáng (%)", "Lit (%)"),
    ("Đường hoa (km)", "Flower routes (km)"),
    ("Mô hình Dân vận khéo", "Model sites"),
    ("Nhân dân đóng góp (đồng)", "People's contribution (VND)"),
    ("Ngân sách (đồng)", "State budget (VND)"),
    ("Ngày công", "Workdays"),
];

async fn coverage_csv(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = params::parse(query.as_deref(), &["commune", "as_of", "decimal", "lang"])?;
    let (code, as_of) = (params::commune(&p)?, params::as_of(&p)?);
    // Excel in a Vietnamese locale reads "80,7" as a number and expects ";" between cells.
    let comma = match p.get("decimal").map(String::as_str) {
        None | Some("point") => false,
        Some("comma") => true,
        Some(_) => return Err(ApiError::bad("decimal", "must be `point` or `comma`")),
    };
    let english = match p.get("lang").map(String::as_str) {
        None | Some("vi") => false,
        Some("en") => true,
        Some(_) => return Err(ApiError::bad("lang", "must be `vi` or `en`")),
    };
    let tag = tag(&ctx, "csv", query.as_deref(), as_of).await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let report = load(&ctx, &code, as_of).await?;

    let number = |value: Option<f64>, decimals: usize| -> String {
        match value {
            None => String::new(),
            Some(v) => {
                let text = format!("{v:.decimals$}");
                if comma { text.replace('.', ",") } else { text }
            }
        }
    };
    let row = |code: &str, name: &str, households: Option<i64>, i: &Indicators| -> Vec<String> {
        vec![
            code.to_string(),
            name.to_string(),
            households.map(|h| h.to_string()).unwrap_or_default(),
            number(Some(i.road_m / 1000.0), 3),
            number(Some(i.concrete_m / 1000.0), 3),
            number(i.concrete_pct, 1),
            number(Some(i.hardened_m / 1000.0), 3),
            number(i.hardened_pct, 1),
            number(Some(i.lit_m / 1000.0), 3),
            number(i.lit_pct, 1),
            number(Some(i.flower_m / 1000.0), 3),
            i.model_sites.total.to_string(),
            i.people_vnd.to_string(),
            i.state_vnd.to_string(),
            number(Some(i.workdays), 1),
        ]
    };
    let mut writer = csv::WriterBuilder::new().delimiter(if comma { b';' } else { b',' }).from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, r: Vec<String>| w.write_record(r).map_err(anyhow::Error::from);
    write(&mut writer, CSV_COLUMNS.iter().map(|(vi, en)| if english { *en } else { *vi }.to_string()).collect())?;
    for g in &report.groups {
        write(&mut writer, row(&g.code, &g.name, g.households.map(i64::from), &g.indicators))?;
    }
    let outside = if english { "Outside every group" } else { "Ngoài các tổ dân phố, thôn" };
    write(&mut writer, row("", outside, None, &report.unassigned))?;
    let c = &report.commune;
    write(&mut writer, row(&c.code, &c.name, Some(c.households), &c.indicators))?;
    let mut body = "\u{feff}".as_bytes().to_vec(); // the BOM: Excel then reads UTF-8
    body.extend(writer.into_inner().map_err(|e| anyhow::anyhow!("writing the CSV: {e}"))?);

    let mut response = respond(body, "text/csv; charset=utf-8", &tag);
    let filename = format!("attachment; filename=\"kheo-coverage-{code}-{as_of}.csv\"");
    if let Ok(v) = HeaderValue::from_str(&filename) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
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
    let tag = tag(&ctx, "timeline", query.as_deref(), as_of).await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let (settings, years) = report::timeline(&ctx.pool, &code, from, to, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))?;
    let body = json!({ "commune": code, "as_of": as_of, "settings": settings, "years": years });
    Ok(respond(serde_json::to_vec(&body).map_err(anyhow::Error::from)?, "application/json", &tag))
}
