//! `/metrics/{key}`: one metric, its 原文, its chart and its quarterly figures.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::auth::{CurrentUser, Reviewer};
use super::cache::{Page, Svg};
use super::deflate::{AcceptsGzip, Deflated};
use super::format::{metric_chart_svg, percent, value_text};
use super::{AppState, Lang, Layout, MetricRow, Reads, deflated_response, parse_as_of, render, view_of};
use crate::error::{Error, Result};
use crate::plan::bounds::{self, Flag};
use crate::plan::entry::Accepted;
use crate::plan::progress::{Assessment, effective_target, expected_value, progress};
use crate::plan::time::local_time;
use crate::plan::{Chapter, Metric, Plan, Quarter, Reported, fmt_num};
use crate::store;
use crate::store::values::View;

/// The page as one user sees it: the cached part, and the user's layout and CSRF token
/// (a reviewer's restore buttons carry it). Fields of the cached part read through `Deref`.
#[derive(Template)]
#[template(path = "pages/metrics/show.html")]
pub struct MetricPage {
    layout: Layout,
    csrf: String,
    /// English subtitles under the name and the chapter.
    lang: Lang,
    body: Arc<MetricBody>,
}

impl std::ops::Deref for MetricPage {
    type Target = MetricBody;

    fn deref(&self) -> &MetricBody {
        &self.body
    }
}

/// Everything on a metric's page that is the same for every user, cached with its plan.
pub struct MetricBody {
    plan: Plan,
    chapter: Option<Chapter>,
    metric: Metric,
    row: MetricRow,
    as_of: NaiveDate,
    chart: Chart,
    values: Vec<ValueRow>,
    /// Pending figures are shown in place of approved ones.
    pending: bool,
    history: Vec<HistoryRow>,
    /// Older changes exist than the page lists.
    more_history: bool,
    /// The metric this one continues: key, name and its plan's title.
    continues: Option<(String, String, String)>,
}

/// The chart in a body: kept deflated in a body that is cached (pages for signed-in users
/// are rendered around it per request), plain in one rendered once into a whole page
/// that is deflated as a whole (deflating it alone too only to inflate it was 3 % of
/// such a page's render).
enum Chart {
    Plain(String),
    Kept(Deflated),
}

impl Chart {
    fn bytes(&self) -> usize {
        match self {
            Self::Plain(s) => s.len(),
            Self::Kept(d) => d.bytes(),
        }
    }
}

impl std::fmt::Display for Chart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(s) => f.write_str(s),
            Self::Kept(d) => d.fmt(f),
        }
    }
}

impl super::cache::Weigh for Arc<MetricBody> {
    fn bytes(&self) -> usize {
        // The texts of the tables' rows, each String with its 24-byte header and the
        // allocator's rounding; the metric and plan as a row of the same size.
        let texts = |parts: &[&str]| parts.iter().map(|t| t.len() + 40).sum::<usize>();
        let values: usize = self
            .values
            .iter()
            .map(|v| texts(&[&v.quarter, &v.value, &v.expected, &v.progress, &v.note]) + 200 * v.flags.len())
            .sum();
        let history: usize =
            self.history.iter().map(|h| texts(&[&h.quarter, &h.change, &h.note, &h.actor, &h.at]) + 48).sum();
        let metric = texts(&[&self.metric.name, &self.metric.source, &self.metric.notes, &self.plan.title]);
        self.chart.bytes() + values + history + metric + 1500
    }
}

/// One recorded change, newest first.
pub struct HistoryRow {
    id: i64,
    quarter: String,
    action: &'static str,
    change: String,
    note: String,
    actor: String,
    at: String,
    restorable: bool,
    /// An imported figure's file, sheet and cell.
    source: String,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "新增",
        "update" => "修改",
        "import" => "导入",
        "approve" => "批准",
        "return" => "退回",
        "restore" => "恢复",
        "delete" => "删除",
        _ => "其他",
    }
}

fn history_rows(m: &Metric, changes: Vec<store::values::Change>) -> Vec<HistoryRow> {
    let text = |v: Option<f64>, d: Option<bool>| v.map_or("—".to_owned(), |v| value_text(m, v, d));
    changes
        .into_iter()
        .map(|c| HistoryRow {
            id: c.id,
            quarter: c.quarter.label_zh(),
            action: action_label(&c.action),
            change: match c.action.as_str() {
                "approve" | "return" => text(c.new_value, c.new_done),
                _ => format!("{} → {}", text(c.old_value, c.old_done), text(c.new_value, c.new_done)),
            },
            restorable: matches!(c.action.as_str(), "create" | "update" | "import" | "restore") || c.action == "delete",
            note: c.note,
            actor: c.actor,
            at: c.at,
            source: c.source.map_or_else(String::new, |s| {
                [s.file, s.sheet, s.cell].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")
            }),
        })
        .collect()
}

/// One quarter in the table under the chart.
pub struct ValueRow {
    quarter: String,
    pending: bool,
    value: String,
    expected: String,
    progress: String,
    note: String,
    /// Soft checks against the figures before it (see `plan::bounds::flags`).
    flags: Vec<Flag>,
}

/// Everything one metric's page and chart are made from.
struct Loaded {
    plan: Plan,
    chapter: Option<Chapter>,
    metric: Metric,
    values: Vec<Reported>,
    assessment: Assessment,
    history: Vec<store::values::Change>,
    /// The metric this one continues, its plan and its approved figures.
    earlier: Option<(Metric, Plan, Vec<Reported>)>,
}

/// Changes listed on the page; the API has them all.
const HISTORY_ON_PAGE: i64 = 100;

/// Reads metric `key` with its plan, naming the plan in `reads` before reading its data.
fn load(
    c: &rusqlite::Connection,
    reads: &mut Reads,
    state: &AppState,
    key: &str,
    as_of: Option<NaiveDate>,
    view: View,
    history: bool,
) -> Result<Loaded> {
    let metric = store::plans::metric_by_key(c, key)?;
    reads.plan(metric.plan_id);
    let plan = store::plans::get(c, metric.plan_id)?;
    let chapter = store::plans::chapters(c, plan.id)?.into_iter().find(|ch| ch.id == metric.chapter_id);
    let values = store::values::of_metric(c, metric.id, view)?;
    let as_of = as_of.unwrap_or_else(|| state.default_as_of(&plan));
    let assessment = plan.assess(&metric, &values, as_of);
    // One more than shown, to know whether there are more.
    let history = if history { store::values::history(c, metric.id, Some(HISTORY_ON_PAGE + 1))? } else { Vec::new() };
    let earlier = match store::drafts::continued(c, &metric)? {
        Some((old, old_plan)) => {
            reads.plan(old_plan.id);
            let values = store::values::of_metric(c, old.id, View::Approved)?;
            Some((old, old_plan, values))
        }
        None => None,
    };
    Ok(Loaded { plan, chapter, metric, values, assessment, history, earlier })
}

/// The metric's chart, from the cache while the data is unchanged.
async fn chart(state: &AppState, key: &str, as_of: Option<NaiveDate>, view: View) -> Result<Arc<Svg>> {
    let cache_key = format!("chart|{key}|{as_of:?}|{view:?}|{}", state.today());
    let (st, key) = (state.clone(), key.to_owned());
    state
        .cached_chart(cache_key, move |reads| {
            st.store.read_blocking(|c| Ok(chart_svg(&load(c, reads, &st, &key, as_of, view, false)?)))
        })
        .await
}

pub async fn show_metric(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    AcceptsGzip(gzip): AcceptsGzip,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let as_of = parse_as_of(q.get("as_of"))?;
    let view = view_of(&q);
    let st = state.clone();
    if user.0.is_none() {
        // Not signed in: the whole page is the same for every such visitor, kept whole.
        let cache_key = format!("metric-page|{key}|{as_of:?}|{view:?}|{}|{}", state.today(), lang.as_str());
        let page = state
            .cached_page(cache_key, move |reads| {
                let l = st.store.read_blocking(|c| load(c, reads, &st, &key, as_of, view, true))?;
                let body = Arc::new(body(l, view, false));
                let layout = Layout::new(&st, &CurrentUser(None), body.metric.name.clone())
                    .with_lang(lang)
                    .with_plan_nav(body.plan.id);
                let html = MetricPage { layout, csrf: String::new(), lang, body }.render()?;
                Ok(Page::new(String::new(), String::new(), &html))
            })
            .await?;
        return Ok(deflated_response("", &page.body, "", "text/html; charset=utf-8", gzip));
    }
    let cache_key = format!("metric|{key}|{as_of:?}|{view:?}|{}", state.today());
    let body = state
        .cached(&state.metric_pages, cache_key, move |reads| {
            let l = st.store.read_blocking(|c| load(c, reads, &st, &key, as_of, view, true))?;
            Ok(Arc::new(body(l, view, true)))
        })
        .await?;
    let csrf = user.0.as_ref().map(|p| p.csrf().to_owned()).unwrap_or_default();
    let layout = Layout::new(&state, &user, body.metric.name.clone()).with_lang(lang).with_plan_nav(body.plan.id);
    Ok(render(&MetricPage { layout, csrf, lang, body })?.into_response())
}

/// `keep`: the body is cached, its chart kept deflated.
fn body(l: Loaded, view: View, keep: bool) -> MetricBody {
    let values = value_rows(&l);
    let chart = chart_svg(&l);
    let more_history = l.history.len() as i64 > HISTORY_ON_PAGE;
    let mut changes = l.history;
    changes.truncate(HISTORY_ON_PAGE as usize);
    MetricBody {
        pending: view == View::WithPending,
        history: history_rows(&l.metric, changes),
        more_history,
        continues: l.earlier.as_ref().map(|(m, p, _)| (m.key.clone(), m.name.clone(), p.title.clone())),
        row: MetricRow::new(&l.metric, &l.assessment),
        as_of: l.assessment.as_of,
        plan: l.plan,
        chapter: l.chapter,
        metric: l.metric,
        chart: if keep { Chart::Kept(Deflated::new(&chart)) } else { Chart::Plain(chart) },
        values,
    }
}

/// The chart alone, cached by its content: an unchanged chart costs a 304.
pub async fn show_metric_chart(
    State(state): State<AppState>,
    AcceptsGzip(gzip): AcceptsGzip,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response> {
    let as_of = parse_as_of(q.get("as_of"))?;
    let chart = chart(&state, &key, as_of, view_of(&q)).await?;
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == chart.etag || t.trim() == "*"));
    let cache = [(header::ETAG, chart.etag.clone()), (header::CACHE_CONTROL, "no-cache".to_owned())];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, deflated_response("", &chart.svg, "", "image/svg+xml; charset=utf-8", gzip)).into_response())
}

fn chart_svg(l: &Loaded) -> String {
    match &l.earlier {
        None => metric_chart_svg(&l.plan, &l.metric, &l.assessment, &l.values, 760, 420),
        Some((_, plan, values)) => crate::report::chart::metric_chart_after(
            &l.plan,
            &l.metric,
            &l.assessment,
            &l.values,
            Some((plan, values)),
            (760, 420),
            crate::charts::metric_chart,
        ),
    }
}

fn value_rows(l: &Loaded) -> Vec<ValueRow> {
    let m = &l.metric;
    let a = &l.assessment;
    let target = effective_target(m);
    let target_date = l.plan.target_date_of(m);
    let earlier: Vec<(Quarter, f64)> = l.values.iter().map(|r| (r.quarter, r.value)).collect();
    l.values
        .iter()
        .map(|r| {
            let (expected, progress) = match (target, a.baseline) {
                (Some(t), Some(b)) => (
                    expected_value(m, b, target_date, r.quarter.end()).map(fmt_num).unwrap_or_else(|| "—".into()),
                    progress(m.direction, b.value, t, r.value).map(percent).unwrap_or_else(|_| "—".into()),
                ),
                _ => ("—".into(), "—".into()),
            };
            ValueRow {
                quarter: r.quarter.label_zh(),
                pending: r.pending,
                value: value_text(m, r.value, r.done),
                expected,
                progress,
                note: r.note.clone(),
                flags: bounds::flags(m, &earlier, r.quarter, r.value),
            }
        })
        .collect()
}

/// A reviewer puts back an earlier figure; the restore is itself a recorded change, and
/// approved at once, since a reviewer made it.
pub async fn restore_value(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path((key, id)): Path<(String, i64)>,
) -> Result<Response> {
    let actor = p.account.name.clone();
    let (k, zone) = (key.clone(), state.config.timezone);
    state
        .store
        .write(move |tx| {
            let m = store::plans::metric_by_key(tx, &k)?;
            let c = store::values::change(tx, m.id, id)?.ok_or_else(|| Error::not_found("没有这条历史记录"))?;
            let (value, done) = match c.action.as_str() {
                "delete" => (c.old_value, c.old_done),
                _ => (c.new_value, c.new_done),
            };
            let value = value.ok_or_else(|| Error::Refused("这条记录没有可恢复的数值".into()))?;
            if store::values::is_locked(tx, m.plan_id, c.quarter)? {
                return Err(Error::Refused("该季度已锁定,需先解锁才能恢复".into()));
            }
            let figure = Accepted { value, done, note: format!("恢复为 {} 的记录", local_time(&c.at, zone)) };
            store::values::enter(tx, m.id, c.quarter, &figure, &actor, "restore")?;
            store::values::approve(tx, m.id, c.quarter, &actor)
        })
        .await?;
    Ok(Redirect::to(&format!("/metrics/{key}")).into_response())
}
