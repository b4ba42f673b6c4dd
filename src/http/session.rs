//! Signing in and out (`/api/session`), the extractors that tell handlers who is asking,
//! and the guard that closes reads to anonymous visitors when the policy says so.
//!
//! The session token travels only in an HttpOnly, SameSite=Strict cookie; writes must also
//! carry the session's CSRF token in the `X-CSRF-Token` header, which a page of another site
//! cannot read, so a forged form or `fetch` from elsewhere is refused even if a browser
//! sent the cookie along.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use crate::auth::{User, password};
use crate::store::{sessions, users};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

pub const COOKIE: &str = "kheo_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn router() -> Router<AppContext> {
    Router::new().route("/api/session", get(current).post(sign_in).delete(sign_out))
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
        if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
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

/// Compares two secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn session_body(user: &User, csrf: &str) -> Value {
    json!({ "user": user, "csrf_token": csrf })
}

async fn current(Viewer(found): Viewer) -> Json<Value> {
    Json(match found {
        Some((user, csrf)) => session_body(&user, &csrf),
        None => json!({ "user": null }),
    })
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// The client's IP address: the peer's, or with `KHEO_TRUST_PROXY` the last address of
/// `X-Forwarded-For` (the one the proxy in front of kheo appended); "unknown" when the server
/// was not started with connect info.
struct ClientAddress(String);

impl FromRequestParts<AppContext> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<ClientAddress, Self::Rejection> {
        if ctx.policy.trust_proxy
            && let Some(forwarded) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            return Ok(ClientAddress(forwarded.to_string()));
        }
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddress(address.unwrap_or_else(|| "unknown".into())))
    }
}

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

    let (failures, retry_after) = sessions::recent_failures(&ctx.pool, &username, &address).await?;
    if failures >= sessions::MAX_FAILED_ATTEMPTS {
        let mut response = ApiError::client(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many failed sign-ins; try again in {} minutes", (retry_after.max(1) + 59) / 60),
            json!({ "retry_after_s": retry_after.max(1) }),
        )
        .into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        return Ok(response);
    }

    let account = users::find(&ctx.pool, &username).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone()).unwrap_or_else(|| password::decoy_hash().into());
    let given = credentials.password;
    let matches = tokio::task::spawn_blocking(move || password::verify(&given, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let account = account.filter(|_| matches);
    sessions::record_attempt(&ctx.pool, &username, &address, account.is_some()).await?;
    let Some(account) = account else {
        tracing::info!(username, address, "failed sign-in");
        return Err(ApiError::unauthorized("wrong user name or password"));
    };

    let token = password::random_token();
    let csrf = password::random_token();
    sessions::create(&ctx.pool, &account.user.username, &token, &csrf).await?;
    tracing::info!(username, "signed in");
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        sessions::SESSION_LIFETIME.as_secs(),
        if ctx.policy.secure_cookies { "; Secure" } else { "" }
    );
    let mut response = Json(session_body(&account.user, &csrf)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

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
    let commune = request
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(name, _)| name == "commune").map(|(_, v)| v));
    if let Some(code) = commune {
        match crate::store::communes::published(&ctx.pool, &code).await {
            Ok(Some(false)) => return ApiError::not_found(format!("unknown commune `{code}`")).into_response(),
            Ok(_) => {}
            Err(error) => return ApiError::from(error).into_response(),
        }
    }
    next.run(request).await
}
