//! The one error type of the HTTP layer, and how each error becomes a JSON response
//! `{"error": "...", "detail": ...}`.

use axum::Json;
use axum::http::StatusCode;
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
    /// 503: the database does not answer.
    #[error("the database is unavailable")]
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

    /// 422: the data sent is not valid; `detail` says where (`{"field": ...}`, `{"geometry": ...}`).
    pub fn invalid(message: impl Into<String>, detail: Value) -> ApiError {
        ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, message, detail)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        if let Some(db) = error.as_database_error() {
            // Class 23 (integrity constraints) and 22 (data exceptions) are the database
            // refusing a value that was sent: the client's to fix, never a 500.
            let code = db.code().unwrap_or_default();
            if code.starts_with("23") || code.starts_with("22") {
                let mut detail = serde_json::Map::new();
                if let Some(constraint) = db.constraint() {
                    detail.insert("constraint".into(), constraint.into());
                }
                if let Some(column) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().and_then(|e| e.column())
                {
                    detail.insert("field".into(), column.into());
                }
                let status = if code == "23505" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
                return ApiError::client(status, format!("the value was refused: {}", db.message()), detail.into());
            }
        }
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => ApiError::Unavailable,
            other => ApiError::Internal(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail): (StatusCode, Value) = match &self {
            ApiError::BadParameter { parameter, .. } => (StatusCode::BAD_REQUEST, json!({ "parameter": parameter })),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, Value::Null),
            ApiError::Client { status, detail, .. } => (*status, detail.clone()),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, Value::Null)
            }
        };
        let message = match &self {
            ApiError::Internal(_) => "internal error; see the server log".to_string(),
            other => other.to_string(),
        };
        (status, Json(json!({ "error": message, "detail": detail }))).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
