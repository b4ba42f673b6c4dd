//! The one error type of the HTTP layer, and how each error becomes a JSON response
//! `{"error": "...", "detail": ...}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter that is malformed or not allowed: 400, naming it.
    #[error("parameter `{parameter}` {message}")]
    BadParameter { parameter: String, message: String },
    /// 404: an unknown layer, commune, group or feature.
    #[error("{0}")]
    NotFound(String),
    /// Any other client error with its status (401, 403, 409, 412, 413, 422, 428, 429):
    /// the message says what is wrong, `detail` where (a field, the geometry, a feature).
    #[error("{message}")]
    Client { status: StatusCode, message: String, detail: Value },
    /// 429 or 503 with `Retry-After`: too many of something at once; the same request may
    /// succeed later.
    #[error("{message}")]
    RetryLater { status: StatusCode, message: String, retry_after_s: u64 },
    /// 503 with `Retry-After`: the database does not answer (down, restarting, or every
    /// connection busy).
    #[error("the database is unavailable; try again in a few seconds")]
    Unavailable,
    /// 500: a fault on our side; the details go to the log, not to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad(parameter: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadParameter { parameter: parameter.into(), message: message.into() }
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::NotFound(what.into())
    }

    /// A client error with a status, a message and where it applies.
    pub fn client(status: StatusCode, message: impl Into<String>, detail: Value) -> ApiError {
        ApiError::Client { status, message: message.into(), detail }
    }

    /// 401: the request needs a signed-in account.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::UNAUTHORIZED, message, Value::Null)
    }

    /// 403: signed in, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::FORBIDDEN, message, Value::Null)
    }

    /// 429 or 503 with `Retry-After: retry_after_s`.
    pub fn retry_later(status: StatusCode, message: impl Into<String>, retry_after_s: u64) -> ApiError {
        ApiError::RetryLater { status, message: message.into(), retry_after_s }
    }

    /// 422: the data sent is not valid; `detail` says where (`{"field": ...}`, `{"geometry": ...}`).
    pub fn invalid(message: impl Into<String>, detail: Value) -> ApiError {
        ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, message, detail)
    }
}

/// Seconds a client is asked to wait when the database is unavailable: about the time a
/// restarted PostgreSQL takes to accept connections again.
pub const UNAVAILABLE_RETRY_AFTER_S: u64 = 2;

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        if is_unavailable(&error) {
            tracing::warn!(error = %error, "the database is unavailable");
            return ApiError::Unavailable;
        }
        if let Some(db) = error.as_database_error() {
            // Class 23 (integrity constraints) and 22 (data exceptions) are the database
            // refusing a value that was sent: the client's to fix, never a 500.
            let code = db.code().unwrap_or_default();
            if code.starts_with("23") || code.starts_with("22") {
                return refused_value(db, &code);
            }
        }
        ApiError::Internal(error.into())
    }
}

/// Whether `error` means that the database cannot serve now, so that the same request may
/// succeed later (503): no connection within the pool's timeout, a connection refused or
/// cut, the server shutting down or restarting (SQLSTATE 57P01-57P03), a connection
/// exception (class 08), too many connections or no resources (class 53), a deadlock or a
/// serialization failure (40001, 40P01).
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => true,
        // A connection cut in the middle of a message.
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            code.starts_with("08")
                || code.starts_with("53")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "40001" | "40P01")
        }
        _ => false,
    }
}

/// A value the database refused, said without its internals (no constraint names, no
/// PostgreSQL text): what is wrong and, when the database says, which field.
fn refused_value(db: &dyn sqlx::error::DatabaseError, code: &str) -> ApiError {
    tracing::info!(code, message = db.message(), constraint = db.constraint(), "the database refused a value");
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
    let field = pg.and_then(|e| e.column()).map(str::to_string).or_else(|| {
        // PostgreSQL names a column's CHECK `<table>_<column>_check`.
        let table = pg.and_then(|e| e.table())?;
        let constraint = db.constraint()?;
        constraint.strip_prefix(table)?.strip_prefix('_')?.strip_suffix("_check").map(str::to_string)
    });
    let field = field.map(|f| if f == "geom" { "geometry".to_string() } else { f });
    let reason = refusal_reason(code);
    let status = if code == "23505" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    match field {
        Some(field) => ApiError::client(status, format!("`{field}`: {reason}"), json!({ "field": field })),
        None => ApiError::client(status, format!("the value was refused: {reason}"), Value::Null),
    }
}

/// What a refused value's SQLSTATE (class 22 or 23) means, for people.
pub fn refusal_reason(code: &str) -> &'static str {
    match code {
        "23505" => "this value is already taken",
        "23502" => "a required value is missing",
        "23503" => "it refers to something that does not exist",
        "23514" => "the value is outside what is allowed",
        "22003" => "the number is too large",
        "22007" | "22008" => "the date is out of range",
        "22001" => "the text is too long",
        "22021" | "22P05" => "the text holds a character that cannot be stored (NUL)",
        _ => "the value is not valid",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail): (StatusCode, Value) = match &self {
            ApiError::BadParameter { parameter, .. } => (StatusCode::BAD_REQUEST, json!({ "parameter": parameter })),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, Value::Null),
            ApiError::Client { status, detail, .. } => (*status, detail.clone()),
            ApiError::RetryLater { status, retry_after_s, .. } => (*status, json!({ "retry_after_s": retry_after_s })),
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, json!({ "retry_after_s": UNAVAILABLE_RETRY_AFTER_S }))
            }
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, Value::Null)
            }
        };
        let message = match &self {
            ApiError::Internal(_) => "internal error; see the server log".to_string(),
            other => other.to_string(),
        };
        let retry_after = match &self {
            ApiError::RetryLater { retry_after_s, .. } => Some(*retry_after_s),
            ApiError::Unavailable => Some(UNAVAILABLE_RETRY_AFTER_S),
            _ => None,
        };
        let mut response = (status, Json(json!({ "error": message, "detail": detail }))).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
