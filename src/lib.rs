//! plantrack: tracks a five-year plan's quantitative targets against reported figures.
//!
//! `plan` holds the domain and its pure arithmetic, `store` the SQLite database, `web` and
//! `api` the HTTP side, `charts` the plotters SVGs. [`app`] builds the real router, so the
//! integration tests drive exactly what `serve` runs.

pub(crate) mod api;
pub mod auth;
pub mod charts;
pub(crate) mod demo;
pub mod error;
pub mod fonts;
pub(crate) mod hash;
pub mod plan;
pub mod report;
pub mod scale;
pub mod setup;
pub mod sheet;
pub mod store;
pub mod web;

pub use error::{Error, Result};
pub use web::AppState;

/// The real router, as `serve` runs it: the pages and the JSON API behind one middleware
/// stack. Composed here so that `web` and `api` need not know of each other's routes.
pub fn app(state: AppState) -> axum::Router {
    web::with_middleware(web::routes().nest("/api", api::router()), state)
}
