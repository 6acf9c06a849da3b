//! The audit log page, newest first, filterable by action, person and date.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::Result;
use crate::store::audit::{self, ACTIONS, Entry, Filter};
use crate::web::auth::{Admin, CurrentUser};
use crate::web::{AppState, Layout, parse_as_of, render};

/// Rows shown at most; narrow the filter for older ones.
const LIMIT: i64 = 500;

#[derive(Template)]
#[template(path = "pages/admin/audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<Entry>,
    actions: &'static [(&'static str, &'static str)],
    filter: Filter,
    limit: i64,
}

impl AuditPage {
    fn label<'a>(&self, action: &'a str) -> &'a str {
        audit::action_label(action)
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn show_audit(
    State(state): State<AppState>,
    Admin(p): Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    // Dates are checked like any other, so a typo gets a message rather than no rows.
    let from = parse_as_of(Some(&q.from))?.map(|d| d.to_string()).unwrap_or_default();
    let to = parse_as_of(Some(&q.to))?.map(|d| d.to_string()).unwrap_or_default();
    let filter = Filter { action: q.action.trim().to_owned(), actor: q.actor.trim().to_owned(), from, to };
    let f = filter.clone();
    let entries = state.store.read(move |c| audit::list(c, &f, LIMIT)).await?;
    let page = AuditPage {
        layout: Layout::new(&state, &CurrentUser(Some(p)), "审计日志"),
        entries,
        actions: ACTIONS,
        filter,
        limit: LIMIT,
    };
    Ok(render(&page)?.into_response())
}
