//! Signing in and out (`/api/session`), the extractors that tell handlers who is asking,
//! and the guard that closes reads to anonymous visitors when the policy says so.
//!
//! The session token travels only in an HttpOnly, SameSite=Strict cookie; writes must also
//! carry the session's CSRF token in the `X-CSRF-Token` header, which a page of another site
//! cannot read, so a forged form or `fetch` from elsewhere is refused even if a browser
//! sent the cookie along.

use super::AppContext;
use super::client::ClientAddress;
use super::error::{ApiError, ApiResult};
use crate::auth::{User, password};
use crate::store::{sessions, users};
use axum::Json;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{self, SessionAnswer};
use serde::Deserialize;
use serde_json::{Value, json};

pub const COOKIE: &str = "kheo_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(current, sign_in, sign_out))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_SIGN_IN_BYTES))
}

/// The session token in the request's cookies, if any.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Who is asking: the account and CSRF token of the request's session, if it has one.
pub struct Viewer(pub Option<(User, String)>);

impl FromRequestParts<AppContext> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> ApiResult<Viewer> {
        if let Some(found) = parts.extensions.get::<SessionFound>() {
            return Ok(Viewer(found.0.clone()));
        }
        let found = match session_token(&parts.headers) {
            Some(token) => sessions::find(&ctx.pool, &token).await?,
            None => None,
        };
        parts.extensions.insert(SessionFound(found.clone()));
        Ok(Viewer(found))
    }
}

impl Viewer {
    /// Not signed in: sees published communes only.
    pub fn is_anonymous(&self) -> bool {
        self.0.is_none()
    }
}

/// A session looked up once per request.
#[derive(Clone)]
struct SessionFound(Option<(User, String)>);

/// A signed-in account making a write: 401 without a session, 403 without the session's
/// CSRF token in `X-CSRF-Token`. Handlers then check the commune with [`Writer::may_edit`].
pub struct Writer(pub User);

impl FromRequestParts<AppContext> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> ApiResult<Writer> {
        let Viewer(found) = Viewer::from_request_parts(parts, ctx).await?;
        let Some((user, csrf)) = found else {
            return Err(ApiError::unauthorized("sign in first (POST /api/session): writes need an account"));
        };
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !password::constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
            return Err(ApiError::forbidden(
                "missing or wrong X-CSRF-Token header: send the csrf_token given when signing in",
            ));
        }
        Ok(Writer(user))
    }
}

impl Writer {
    /// 403 unless the account may change features of commune `code`.
    pub fn may_edit(&self, code: &str) -> ApiResult<()> {
        if self.0.may_edit(code) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("{} is not an editor of commune {code}", self.0.username)))
        }
    }

    /// 403 unless the account is an admin.
    pub fn admin(&self, what: &str) -> ApiResult<()> {
        if self.0.is_admin() { Ok(()) } else { Err(ApiError::forbidden(format!("only an admin may {what}"))) }
    }
}

fn session_body(user: &User, csrf: &str) -> Value {
    json!({ "user": user, "csrf_token": csrf })
}

/// Who is signed in, and the CSRF token of the session.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "session",
    responses((status = 200, description = "The account and its CSRF token, or `{\"user\": null}`", body = SessionAnswer))
)]
async fn current(Viewer(found): Viewer) -> Response {
    no_store(
        Json(match found {
            Some((user, csrf)) => session_body(&user, &csrf),
            None => json!({ "user": null }),
        })
        .into_response(),
    )
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// The largest sign-in body: a name of at most 40 characters and a password fit in far less.
pub const MAX_SIGN_IN_BYTES: usize = 4 * 1024;
/// How long a sign-in waits for a free password check before the server says it is busy.
const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

fn wrong_credentials() -> ApiError {
    ApiError::unauthorized("wrong user name or password")
}

/// `POST /api/session`. The attempt is counted before the password is checked (so a burst
/// of guesses cannot all pass the limit), the check waits for one of a few permits (so a
/// burst cannot take the server's memory), and a name that cannot exist is refused before
/// the database is asked.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    request_body(content = schemas::Credentials, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in: the session cookie (`Set-Cookie: kheo_session=...; HttpOnly; SameSite=Strict`) and the CSRF token for writes", body = SessionAnswer,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 401, description = "Wrong user name or password"),
        (status = 413, description = "A body over 4 KiB"),
        (status = 429, description = "Too many failed sign-ins (`Retry-After`)"),
    )
)]
async fn sign_in(
    State(ctx): State<AppContext>,
    ClientAddress(address): ClientAddress,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let credentials: Credentials = serde_json::from_slice(&body).map_err(|e| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("the body must be JSON {{\"username\": ..., \"password\": ...}}: {e}"),
            Value::Null,
        )
    })?;
    let username = credentials.username.trim().to_lowercase();
    if !crate::auth::valid_username(&username) {
        return Err(wrong_credentials());
    }

    let attempt = match sessions::begin_attempt(&ctx.pool, &username, &address).await? {
        sessions::Admission::Admitted(id) => id,
        sessions::Admission::Refused { retry_after_s } => {
            let minutes = (retry_after_s + 59) / 60;
            let message = format!("too many failed sign-ins; try again in {minutes} minutes");
            return Err(ApiError::retry_later(StatusCode::TOO_MANY_REQUESTS, message, retry_after_s.unsigned_abs()));
        }
    };

    let account = users::find(&ctx.pool, &username).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone()).unwrap_or_else(|| password::decoy_hash().into());
    let Some(matches) = ctx.password_checks.verify(credentials.password, stored, CHECK_WAIT).await else {
        sessions::attempt_abandoned(&ctx.pool, attempt).await?;
        let message = "the server is checking too many sign-ins at once; try again in a second".to_string();
        return Err(ApiError::retry_later(StatusCode::SERVICE_UNAVAILABLE, message, 1));
    };
    let Some(account) = account.filter(|_| matches) else {
        tracing::info!(username, address, "failed sign-in");
        return Err(wrong_credentials());
    };
    sessions::attempt_succeeded(&ctx.pool, attempt).await?;

    let token = password::random_token();
    let csrf = password::random_token();
    sessions::create(&ctx.pool, &account.user.username, &token, &csrf).await?;
    tracing::info!(username, "signed in");
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        sessions::SESSION_LIFETIME.as_secs(),
        if ctx.policy.secure_cookies { "; Secure" } else { "" }
    );
    let mut response = no_store(Json(session_body(&account.user, &csrf)).into_response());
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?);
    Ok(response)
}

/// Answers that carry a CSRF token (or say who is signed in) are kept by no cache.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Signs out: the session ends and its cookie is cleared.
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    responses((status = 204, description = "Signed out"))
)]
async fn sign_out(State(ctx): State<AppContext>, _writer: Writer, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session_token(&headers) {
        sessions::delete(&ctx.pool, &token).await?;
    }
    let cookie = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?);
    Ok(response)
}

/// Reads by visitors who are not signed in: with `KHEO_ANONYMOUS_READ=false` every `/api`
/// read but the session's needs a session (401); otherwise a request naming an unpublished
/// commune (`?commune=`) answers as if it did not exist (404). Reads across communes
/// leave the unpublished ones out in their handlers (see [`Viewer::is_anonymous`]).
pub async fn guard_reads(State(ctx): State<AppContext>, mut request: Request, next: Next) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path();
    if !is_read || !path.starts_with("/api/") || path == "/api/session" {
        return next.run(request).await;
    }
    let found = match session_token(request.headers()) {
        Some(token) => match sessions::find(&ctx.pool, &token).await {
            Ok(found) => found,
            Err(error) => return ApiError::from(error).into_response(),
        },
        None => None,
    };
    let signed_in = found.is_some();
    // The handlers' `Viewer` reads it from here instead of looking it up again.
    request.extensions_mut().insert(SessionFound(found));
    if signed_in {
        return next.run(request).await;
    }
    if !ctx.policy.anonymous_read {
        return ApiError::unauthorized("this server does not serve anonymous visitors: sign in first").into_response();
    }
    // A query the handler will refuse (a NUL, a repeated name) names no commune to check.
    let pairs = super::params::pairs(request.uri().query()).unwrap_or_default();
    let commune = pairs.into_iter().find(|(name, _)| name == "commune").map(|(_, v)| v);
    if let Some(code) = commune {
        match crate::store::communes::published(&ctx.pool, &code).await {
            Ok(Some(false)) => return ApiError::not_found(format!("unknown commune `{code}`")).into_response(),
            Ok(_) => {}
            Err(error) => return ApiError::from(error).into_response(),
        }
    }
    next.run(request).await
}
