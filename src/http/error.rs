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
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
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
