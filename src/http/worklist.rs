//! The work list resource: `GET /api/worklist` (JSON), `/api/worklist.csv` and
//! `/api/worklist.xlsx`, `?commune=C[&group=G][&as_of=D]`: the roads still to concrete,
//! per group, with their estimated cost.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::params;
use super::sheets::{self, Sheet};
use crate::coverage::table::Cell;
use crate::coverage::worklist::{self, WorkList};
use crate::layers::{self, FieldType};
use crate::store::{communes, coverage, worklist as store};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{CsvOptions, Language, WorkListArea};
use std::collections::HashMap;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(worklist_json)).routes(routes!(worklist_csv)).routes(routes!(worklist_xlsx))
}

/// The work list of a request's commune (and group) at its date.
async fn load(ctx: &AppContext, params: &HashMap<String, String>) -> ApiResult<WorkList> {
    let (code, as_of) = (params::commune(params)?, params::as_of(params)?);
    if !communes::exists(&ctx.pool, &code).await? {
        return Err(ApiError::not_found(format!("unknown commune `{code}`")));
    }
    let mut groups = coverage::groups(&ctx.pool, &code).await?;
    let group = match params.get("group") {
        Some(wanted) => {
            groups.retain(|g| &g.code == wanted);
            let found = groups
                .first()
                .ok_or_else(|| ApiError::not_found(format!("unknown group `{wanted}` in commune `{code}`")))?;
            Some(found.id)
        }
        None => None,
    };
    let settings = coverage::settings(&ctx.pool, &code).await?;
    let roads = store::roads_left(&ctx.pool, &code, &settings.counted_classes, as_of, group).await?;
    Ok(worklist::work_list(&code, as_of, &settings, &groups, &roads))
}

/// No caching by shared caches: the list changes with every edit and is cheap.
fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The roads of a commune still to concrete, by group, with their estimated cost.
#[utoipa::path(
    get,
    path = "/api/worklist",
    tag = "communes",
    params(WorkListArea),
    responses((status = 200, description = "The work list", body = super::openapi::schemas::WorkList))
)]
async fn worklist_json(State(ctx): State<AppContext>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let params = params::parse(query.as_deref(), &["commune", "group", "as_of"])?;
    Ok(private(Json(load(&ctx, &params).await?).into_response()))
}

/// The label of a value of a roads field, in a language.
fn label(field: &str, value: &str, english: bool) -> String {
    let terms = layers::find("roads").and_then(|l| l.field(field)).and_then(|f| match f.ty {
        FieldType::Enum(terms) => Some(terms),
        _ => None,
    });
    match terms.and_then(|terms| terms.iter().find(|t| t.value == value)) {
        Some(term) if english => term.en.to_string(),
        Some(term) => term.vi.to_string(),
        None => value.to_string(),
    }
}

/// The work list as a table: one row per road and group, then a total row.
fn sheet(list: &WorkList, english: bool) -> Sheet {
    let headers: &[(&str, &str)] = &[
        ("Mã tổ", "Group code"),
        ("Tổ", "Group"),
        ("Mã đường", "Road id"),
        ("Tên đường", "Road"),
        ("Loại đường", "Class"),
        ("Mặt đường hiện nay", "Surface now"),
        ("Chiều dài (m)", "Length (m)"),
        ("Bề rộng (m)", "Width (m)"),
        ("Diện tích (m²)", "Area (m²)"),
        ("Dự toán (đồng)", "Estimated cost (VND)"),
        ("Nhân dân đóng góp dự kiến (đồng)", "People's expected share (VND)"),
    ];
    let outside = if english { "Outside every group" } else { "Ngoài các tổ dân phố, thôn" };
    let mut rows = Vec::new();
    for group in &list.groups {
        for road in &group.roads {
            rows.push(vec![
                Cell::Text(group.code.clone().unwrap_or_default()),
                Cell::Text(group.name.clone().unwrap_or_else(|| outside.to_string())),
                Cell::Number(road.road_id as f64, 0),
                Cell::Text(road.name.clone()),
                Cell::Text(label("class", &road.class, english)),
                Cell::Text(label("surface", &road.surface, english)),
                Cell::Number(road.length_m, 1),
                Cell::Number(road.width_m, 1),
                Cell::Number(road.area_m2, 1),
                Cell::Number(road.cost_vnd as f64, 0),
                Cell::Number(road.people_vnd as f64, 0),
            ]);
        }
    }
    let total = if english { "Total" } else { "Tổng cộng" };
    rows.push(vec![
        Cell::Text(String::new()),
        Cell::Text(total.to_string()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Number(list.left_m, 1),
        Cell::Empty,
        Cell::Empty,
        Cell::Number(list.cost_vnd as f64, 0),
        Cell::Number(list.people_vnd as f64, 0),
    ]);
    let date = list.as_of.format("%d/%m/%Y");
    let title = if english {
        format!("Roads to concrete, commune {}, as of {date}", list.commune)
    } else {
        format!("Danh mục đường chưa bê tông hóa, xã/phường {}, tính đến ngày {date}", list.commune)
    };
    Sheet { title, headers: headers.iter().map(|(vi, en)| if english { en } else { vi }.to_string()).collect(), rows }
}

/// The work list as CSV.
#[utoipa::path(
    get,
    path = "/api/worklist.csv",
    tag = "communes",
    params(WorkListArea, CsvOptions),
    responses((status = 200, description = "The table, as CSV", body = String, content_type = "text/csv"))
)]
async fn worklist_csv(State(ctx): State<AppContext>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let params = params::parse(query.as_deref(), &["commune", "group", "as_of", "decimal", "lang"])?;
    let (comma, english) = (sheets::decimal_comma(&params)?, sheets::english(&params)?);
    let list = load(&ctx, &params).await?;
    let mut response =
        ([(header::CONTENT_TYPE, sheets::CSV)], sheets::csv(&sheet(&list, english), comma)?).into_response();
    sheets::attachment(&mut response, "worklist", &list.commune, list.as_of, "csv");
    Ok(private(response))
}

/// The work list as an Excel workbook.
#[utoipa::path(
    get,
    path = "/api/worklist.xlsx",
    tag = "communes",
    params(WorkListArea, Language),
    responses((status = 200, description = "The workbook", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
)]
async fn worklist_xlsx(State(ctx): State<AppContext>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let params = params::parse(query.as_deref(), &["commune", "group", "as_of", "lang"])?;
    let english = sheets::english(&params)?;
    let list = load(&ctx, &params).await?;
    let mut response =
        ([(header::CONTENT_TYPE, sheets::XLSX)], sheets::xlsx(&sheet(&list, english), english, true)?).into_response();
    sheets::attachment(&mut response, "worklist", &list.commune, list.as_of, "xlsx");
    Ok(private(response))
}
