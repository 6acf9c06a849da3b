//! The one error type. Every fallible path in the server ends here, and `web` turns it
//! into a proper response: a styled page for people, JSON under `/api`.
//!
//! Policy: 4xx errors carry a message meant for the user (in Chinese) and are not logged;
//! 5xx errors are logged with their cause and the user sees only a generic message.

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
    Invalid(Vec<crate::store::entry::ItemError>),
    /// A request axum refused before any handler ran (malformed form, wrong method, …).
    #[error("{1}")]
    Rejected(u16, String),
    #[error("数据库错误:{0}")]
    Db(#[from] rusqlite::Error),
    #[error("页面渲染错误:{0}")]
    Template(#[from] askama::Error),
    #[error("文件错误:{0}")]
    Io(#[from] std::io::Error),
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
