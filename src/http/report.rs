//! The council report: `GET /api/report?commune=C[&as_of=YYYY-MM-DD][&format=docx|pdf][&lang=vi|en]`,
//! a Word (default) or PDF file named `bao-cao-<code>-<date>.<ext>`, with a weak ETag
//! from the same data revisions as the coverage answers.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::{etag, params, sheets};
use crate::report::{self, Format};
use crate::store::{communes, revision};
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

/// Reports rendered at once: each holds a 300 dpi map (some 30 MB while it is drawn), so
/// the server's memory stays bounded however many are asked for; the others wait.
static RENDERING: Semaphore = Semaphore::const_new(2);

fn format_of(p: &HashMap<String, String>) -> ApiResult<Format> {
    match p.get("format") {
        None => Ok(Format::Docx),
        Some(value) => Format::parse(value).ok_or_else(|| ApiError::bad("format", "must be `docx` or `pdf`")),
    }
}

/// The ETag: the revisions of every table a coverage answer depends on (the catalogue's),
/// the commune's own, the photos' (the model sites' photos are in it), the query and the
/// date (the default date moves at midnight).
async fn tag(ctx: &AppContext, code: &str, query: Option<&str>, as_of: NaiveDate) -> ApiResult<String> {
    let mut tables: Vec<String> = crate::layers::Layer::coverage_sources().into_iter().map(String::from).collect();
    tables.push(format!("coverage:{code}"));
    tables.push("photo".to_string());
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    let revisions = revision::of_tables(&ctx.pool, &tables).await?;
    Ok(etag::weak(&["report", &revisions, query.unwrap_or(""), &as_of.to_string()]))
}

/// The council report of a commune: a Word (default) or PDF file.
#[utoipa::path(
    get,
    path = "/api/report",
    tag = "reports",
    params(super::openapi::schemas::ReportQuery),
    responses(
        (status = 200, description = "The report, as an attachment `bao-cao-<code>-<date>.<ext>`", 
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/pdf"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn report_file(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = params::parse(query.as_deref(), &["commune", "as_of", "format", "lang"])?;
    let code = params::commune(&p)?;
    let as_of = params::as_of(&p)?;
    let format = format_of(&p)?;
    let english = sheets::english(&p)?;
    // Unpublished communes are 404 for visitors before this (`session::guard_reads`).
    if !communes::exists(&ctx.pool, &code).await? {
        return Err(ApiError::not_found(format!("unknown commune `{code}`")));
    }
    let tag = tag(&ctx, &code, query.as_deref(), as_of).await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let sources = report::sources(&ctx.pool, &code, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("unknown commune `{code}`")))?;
    let permit = RENDERING.acquire().await.map_err(|e| anyhow::anyhow!("the report queue: {e}"))?;
    let body = tokio::task::spawn_blocking(move || report::write(&sources, format, english))
        .await
        .map_err(|e| anyhow::anyhow!("the report's rendering stopped: {e}"))?
        .map_err(|e| anyhow::anyhow!("the report of {code}: {e}"))?;
    drop(permit);

    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    // The code is at most 16 characters of the query; anything a header cannot carry is
    // left out of the name rather than failing the download.
    let safe: String = code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    let name = format!("attachment; filename=\"bao-cao-{safe}-{as_of}.{}\"", format.extension());
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
