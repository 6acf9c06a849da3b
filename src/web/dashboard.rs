//! `/`: the plan at a glance, every metric grouped by chapter with its bullet graph.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;

use super::auth::CurrentUser;
use super::cache::Page;
use super::deflate::AcceptsGzip;
use super::flash::Flashed;
use super::{AppState, Lang, Layout, MetricRow, Reads, page_response, parse_as_of, view_of};
use crate::error::{Error, Result};
use crate::plan::progress::{Status, count_statuses};
use crate::plan::{Chapter, Plan};
use crate::store;
use crate::store::values::View;

#[derive(Template)]
#[template(path = "pages/dashboard/content.html")]
pub struct DashboardPage {
    plan: Plan,
    as_of: NaiveDate,
    /// Pending figures are shown in place of approved ones.
    pending: bool,
    counts: Vec<(Status, usize)>,
    chapters: Vec<(Chapter, Vec<MetricRow>)>,
    /// English subtitles under names and chapter titles.
    lang: Lang,
}

impl DashboardPage {
    fn total(&self) -> usize {
        self.chapters.iter().map(|(_, rows)| rows.len()).sum()
    }
}

pub async fn show_dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    AcceptsGzip(gzip): AcceptsGzip,
    Query(q): Query<HashMap<String, String>>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let plan_id = match q.get("plan").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => s.parse::<i64>().map_err(|_| Error::BadRequest(format!("规划编号“{s}”无效")))?,
        // Known before the cached body, since the links to the plan's pages are per user.
        None => {
            let today = state.today();
            state.store.default_plan(today).await?.ok_or_else(|| Error::not_found("数据库中还没有规划"))?
        }
    };
    let as_of = parse_as_of(q.get("as_of"))?;
    let view = view_of(&q);
    let page =
        state.cached_page(key(&state, plan_id, as_of, view, lang), render(&state, plan_id, as_of, view, lang)).await?;
    let mut layout = Layout::new(&state, &user, page.title.clone())
        .with_lang(lang)
        .with_plan_nav(plan_id)
        .with_returned(&state, &user)
        .await?;
    layout.flash = flash;
    page_response(layout, &page, gzip)
}

/// The cache key of a dashboard: everything its body depends on besides the plan's data.
pub(super) fn key(state: &AppState, plan_id: i64, as_of: Option<NaiveDate>, view: View, lang: Lang) -> String {
    // The default date depends on the day.
    format!("dashboard|{plan_id}|{as_of:?}|{view:?}|{}|{}", state.today(), lang.as_str())
}

/// Renders a dashboard's body (off the async workers; see [`AppState::cached_page`]).
pub(super) fn render(
    state: &AppState,
    plan_id: i64,
    as_of: Option<NaiveDate>,
    view: View,
    lang: Lang,
) -> impl FnOnce(&mut Reads) -> Result<Page> + Send + 'static {
    let st = state.clone();
    move |reads| {
        st.store.read_blocking(|c| {
            reads.plan(plan_id);
            let snap = store::plans::snapshot(c, plan_id, view)?;
            let plan = snap.plan.clone();
            let as_of = as_of.unwrap_or_else(|| st.default_as_of(&plan));
            let mut groups: Vec<(Chapter, Vec<MetricRow>)> =
                snap.chapters.iter().map(|ch| (ch.clone(), Vec::new())).collect();
            let mut statuses = Vec::with_capacity(snap.metrics.len());
            // A retired metric is gone from what is current, kept in a look back.
            for m in snap.metrics.iter().filter(|m| m.tracked_on(as_of)) {
                let a = plan.assess(m, snap.values_of(m.id), as_of);
                statuses.push(a.status);
                if let Some((_, rows)) = groups.iter_mut().find(|(ch, _)| ch.id == m.chapter_id) {
                    rows.push(MetricRow::new(m, &a));
                }
            }
            let body = DashboardPage {
                counts: count_statuses(statuses.into_iter()),
                as_of,
                pending: view == View::WithPending,
                chapters: groups,
                plan: plan.clone(),
                lang,
            }
            .render()?;
            Ok(Page::new(plan.title, String::new(), &body))
        })
    }
}
