//! The one error type. Every fallible path in the server ends here, and `web` turns it
//! into a proper response: a styled page for people, JSON under `/api`.
//!
//! Policy: 4xx errors carry a message meant for the user (in Chinese) and are not logged;
//! 5xx errors are logged with their cause and the user sees only a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::plan::entry::{ItemError, Problem};
use crate::plan::seed::SeedError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error("数据库版本 {found} 比本程序支持的版本 {supported} 新:请升级 plantrack 后再打开,数据库未被修改")]
    NewerSchema { found: i64, supported: i64 },
    #[error("{0}")]
    Refused(String),
    /// Figures refused item by item; the batch was not saved.
    #[error("{} 项数值未通过检查,全部未保存", .0.len())]
    Invalid(Vec<ItemError>),
    /// A request axum refused before any handler ran (malformed form, wrong method, …).
    #[error("{1}")]
    Rejected(u16, String),
    #[error("数据库错误:{0}")]
    Db(#[from] rusqlite::Error),
    #[error("页面渲染错误:{0}")]
    Template(#[from] askama::Error),
    #[error("文件错误:{0}")]
    Io(#[from] std::io::Error),
    /// The server could not listen on its address: a problem of the machine, not of a request.
    #[error("无法监听地址 {addr}:{source}(端口可能已被占用或无权使用,可用 --addr 指定其他地址)")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("内部错误:{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::plan::quarter::QuarterParseError> for Error {
    fn from(e: crate::plan::quarter::QuarterParseError) -> Self {
        Error::BadRequest(e.to_string())
    }
}

impl Error {
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound(what.into())
    }

    /// The error for a response refused with `status` before any handler ran.
    pub fn from_status(status: axum::http::StatusCode, message: String) -> Self {
        match status.as_u16() {
            401 => Error::Unauthorized(message),
            403 => Error::Forbidden(message),
            404 => Error::NotFound(message),
            409 => Error::Refused(message),
            429 => Error::TooManyRequests(message),
            400..=499 => Error::Rejected(status.as_u16(), message),
            _ => Error::Internal(message),
        }
    }

    /// HTTP status this error becomes.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) => 404,
            Error::BadRequest(_) => 400,
            Error::Unauthorized(_) => 401,
            Error::Forbidden(_) => 403,
            Error::TooManyRequests(_) => 429,
            Error::Refused(_) => 409,
            Error::Invalid(_) => 422,
            Error::Rejected(status, _) => *status,
            Error::Seed(_)
            | Error::NewerSchema { .. }
            | Error::Db(_)
            | Error::Template(_)
            | Error::Io(_)
            | Error::Bind { .. }
            | Error::Internal(_) => 500,
        }
    }

    /// What the user may be told: internals stay in the log.
    pub fn public_message(&self) -> String {
        if self.status() >= 500 {
            "服务器内部错误,请稍后重试或联系管理员。".to_owned()
        } else {
            self.to_string()
        }
    }
}

/// Carried by an error response until the web layer's error-page middleware turns it into
/// a page with the full layout, which needs the state that `IntoResponse` does not have.
#[derive(Clone)]
pub struct ErrorMessage(pub String);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.public_message();
        let mut res = (status, message.clone()).into_response();
        res.extensions_mut().insert(ErrorMessage(message));
        res
    }
}

/// [`Error`] rendered as JSON, for `/api`: `{"error": "…"}` with the same status, and for a
/// refused figure also the field and, on a conflict, the figure that stands.
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A refused figure says which field and why; a conflict or a lock is a 409.
        if let Error::Invalid(errors) = &self.0
            && let Some(first) = errors.first()
        {
            let status = match first.problem {
                Problem::Conflict { .. } | Problem::Locked => StatusCode::CONFLICT,
                Problem::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let mut body = serde_json::json!({ "error": first.problem.message(), "field": first.problem.field() });
            if let Problem::Conflict { current, by, .. } = &first.problem {
                body["current"] = serde_json::json!(current);
                body["changed_by"] = serde_json::json!(by);
            }
            return (status, Json(body)).into_response();
        }
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self.0, "api request failed");
        }
        (status, Json(serde_json::json!({ "error": self.0.public_message() }))).into_response()
    }
}
