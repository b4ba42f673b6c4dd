//! The council report: `GET /api/report?commune=C[&as_of=YYYY-MM-DD][&format=docx|pdf][&lang=vi|en]`,
//! or `?region=R` for a region's, a Word (default) or PDF file named
//! `bao-cao-<code>-<date>.<ext>`, with a weak ETag from the same data revisions as the
//! coverage answers.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::params::Area;
use super::session::Viewer;
use super::{etag, params, sheets};
use crate::report::{self, Format};
use crate::store::{communes, regions, revision};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::collections::HashMap;
use tokio::sync::Semaphore;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(report_file))
}

/// Reports made at once, from reading their data to writing their file: a commune's holds
/// a 300 dpi map (some 30 MB while it is drawn), a region's the figures of all its
/// communes year by year, and each reads with several pool connections. So the server's
/// memory and the pool stay bounded however many are asked for; the others wait.
static RENDERING: Semaphore = Semaphore::const_new(2);

fn format_of(p: &HashMap<String, String>) -> ApiResult<Format> {
    match p.get("format") {
        None => Ok(Format::Docx),
        Some(value) => Format::parse(value).ok_or_else(|| ApiError::bad("format", "must be `docx` or `pdf`")),
    }
}

/// The ETag: what the area's coverage answer depends on (`coverage::dependencies`), the
/// photos (the model sites' photos are in a commune's report), the query and the date (the
/// default date moves at midnight).
async fn tag(
    ctx: &AppContext,
    viewer: &Viewer,
    area: &Area,
    query: Option<&str>,
    as_of: NaiveDate,
) -> ApiResult<String> {
    let (mut tables, audience) = super::coverage::dependencies(viewer, area);
    if let Area::Commune(_) = area {
        tables.push("photo".to_string());
    }
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    let revisions = revision::of_tables(&ctx.pool, &tables).await?;
    Ok(etag::weak(&["report", &revisions, audience, query.unwrap_or(""), &as_of.to_string()]))
}

/// The council report of a commune, or the report of a region: a Word (default) or PDF
/// file.
#[utoipa::path(
    get,
    path = "/api/report",
    tag = "reports",
    params(super::openapi::schemas::ReportQuery),
    responses(
        (status = 200, description = "The report, as an attachment `bao-cao-<commune or region>-<date>.<ext>`", 
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/pdf"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn report_file(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = params::parse(query.as_deref(), &["commune", "region", "as_of", "format", "lang"])?;
    let area = params::area(&p)?;
    let as_of = params::as_of(&p)?;
    let format = format_of(&p)?;
    let english = sheets::english(&p)?;
    let (body, tag) = match &area {
        Area::Commune(code) => {
            // Unpublished communes are 404 for visitors before this (`session::guard_reads`).
            if !communes::exists(&ctx.pool, code).await? {
                return Err(ApiError::not_found(format!("unknown commune `{code}`")));
            }
            let tag = tag(&ctx, &viewer, &area, query.as_deref(), as_of).await?;
            if etag::matches(&headers, &tag) {
                return Ok(etag::not_modified(&tag));
            }
            let _turn = turn().await?;
            let sources = report::sources(&ctx.pool, code, as_of)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))?;
            let code = code.clone();
            (
                render(move || {
                    report::write(&sources, format, english).map_err(|e| format!("the report of {code}: {e}"))
                })
                .await?,
                tag,
            )
        }
        Area::Region(code) => {
            let region = regions::find(&ctx.pool, code)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("unknown region `{code}`")))?;
            let tag = tag(&ctx, &viewer, &area, query.as_deref(), as_of).await?;
            if etag::matches(&headers, &tag) {
                return Ok(etag::not_modified(&tag));
            }
            let _turn = turn().await?;
            let codes = regions::communes(&ctx.pool, code, viewer.is_anonymous()).await?;
            let sources = report::region_sources(&ctx.pool, &region, &codes, as_of).await?;
            let code = code.clone();
            (
                render(move || {
                    report::write_region(&sources, format, english).map_err(|e| format!("the report of {code}: {e}"))
                })
                .await?,
                tag,
            )
        }
    };

    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    // The code is at most 40 characters of the query; anything a header cannot carry is
    // left out of the name rather than failing the download.
    let safe: String = area.code().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    let name = format!("attachment; filename=\"bao-cao-{safe}-{as_of}.{}\"", format.extension());
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Waits for a report's turn (see [`RENDERING`]), held until its file is written.
async fn turn() -> ApiResult<tokio::sync::SemaphorePermit<'static>> {
    Ok(RENDERING.acquire().await.map_err(|e| anyhow::anyhow!("the report queue: {e}"))?)
}

/// Writes a report off the async threads (in its turn: see [`turn`]).
async fn render(write: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static) -> ApiResult<Vec<u8>> {
    let body = tokio::task::spawn_blocking(write)
        .await
        .map_err(|e| anyhow::anyhow!("the report's rendering stopped: {e}"))?
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(body)
}
