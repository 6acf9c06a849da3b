//! The audit log page, newest first, filterable by action, person and date.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::Result;
use crate::plan::time::day_start_utc;
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
    /// The filter as typed, for the form.
    action: String,
    actor: String,
    from: String,
    to: String,
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
    let (from, to) = (parse_as_of(Some(&q.from))?, parse_as_of(Some(&q.to))?);
    // The dates are the bureau's days, as the times in the table are shown.
    let zone = state.config.timezone;
    let filter = Filter {
        action: q.action.trim().to_owned(),
        actor: q.actor.trim().to_owned(),
        since: from.map(|d| day_start_utc(d, zone)).unwrap_or_default(),
        before: to.and_then(|d| d.succ_opt()).map(|d| day_start_utc(d, zone)).unwrap_or_default(),
    };
    let entries = state.store.read(move |c| audit::list(c, &filter, LIMIT)).await?;
    let page = AuditPage {
        layout: Layout::new(&state, &CurrentUser(Some(p)), "审计日志"),
        entries,
        actions: ACTIONS,
        action: q.action.trim().to_owned(),
        actor: q.actor.trim().to_owned(),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        limit: LIMIT,
    };
    Ok(render(&page)?.into_response())
}
