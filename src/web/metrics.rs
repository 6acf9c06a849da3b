//! `/metrics/{key}`: one metric, its 原文, its chart and its quarterly figures.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;

use super::auth::CurrentUser;
use super::format::{percent, value_text};
use super::{AppState, Layout, MetricRow, parse_as_of, render};
use crate::charts;
use crate::error::Result;
use crate::plan::progress::{Assessment, assess, effective_target, expected_progress};
use crate::plan::{Chapter, Direction, Metric, Plan, Reported, fmt_num};
use crate::store;

#[derive(Template)]
#[template(path = "pages/metrics/show.html")]
pub struct MetricPage {
    layout: Layout,
    plan: Plan,
    chapter: Option<Chapter>,
    metric: Metric,
    row: MetricRow,
    as_of: NaiveDate,
    chart: String,
    values: Vec<ValueRow>,
}

/// One quarter in the table under the chart.
pub struct ValueRow {
    quarter: String,
    value: String,
    expected: String,
    progress: String,
    note: String,
}

/// Everything one metric's page and chart are made from.
struct Loaded {
    plan: Plan,
    chapter: Option<Chapter>,
    metric: Metric,
    values: Vec<Reported>,
    assessment: Assessment,
}

async fn load(state: &AppState, key: String, as_of: Option<NaiveDate>) -> Result<Loaded> {
    let st = state.clone();
    state
        .store
        .read(move |c| {
            let metric = store::plans::metric_by_key(c, &key)?;
            let plan = store::plans::get(c, metric.plan_id)?;
            let chapter = store::plans::chapters(c, plan.id)?.into_iter().find(|ch| ch.id == metric.chapter_id);
            let values = store::values::of_metric(c, metric.id)?;
            let as_of = as_of.unwrap_or_else(|| st.default_as_of(&plan));
            let assessment = assess(&metric, &values, as_of, plan.default_baseline_date(), plan.period_end);
            Ok(Loaded { plan, chapter, metric, values, assessment })
        })
        .await
}

pub async fn show_metric(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Html<String>> {
    let as_of = parse_as_of(q.get("as_of"))?;
    let l = load(&state, key, as_of).await?;
    let layout = Layout::new(&state, &user, l.metric.name.clone());
    tokio::task::spawn_blocking(move || {
        let chart = chart_svg(&l);
        let values = value_rows(&l);
        render(&MetricPage {
            layout,
            row: MetricRow::new(&l.metric, &l.assessment),
            as_of: l.assessment.as_of,
            plan: l.plan,
            chapter: l.chapter,
            metric: l.metric,
            chart,
            values,
        })
    })
    .await
    .map_err(|e| crate::Error::Internal(e.to_string()))?
}

/// The chart alone, cached by its content: an unchanged chart costs a 304.
pub async fn show_metric_chart(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response> {
    let as_of = parse_as_of(q.get("as_of"))?;
    let l = load(&state, key, as_of).await?;
    let svg =
        tokio::task::spawn_blocking(move || chart_svg(&l)).await.map_err(|e| crate::Error::Internal(e.to_string()))?;
    let etag = format!("\"{:016x}\"", crate::fnv64(svg.as_bytes()));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, "no-cache".to_owned())];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}

fn chart_svg(l: &Loaded) -> String {
    let m = &l.metric;
    let a = &l.assessment;
    let target_date = m.target_date.unwrap_or(l.plan.period_end);
    let target = effective_target(m);
    let points: Vec<(NaiveDate, f64)> =
        l.values.iter().filter(|r| r.quarter.end() <= a.as_of).map(|r| (r.quarter.end(), r.value)).collect();
    let baseline = a.baseline.filter(|b| !b.from_report).map(|b| (b.date, b.value));
    let expected = match (target, a.baseline) {
        (Some(t), Some(b)) => Some(((b.date, b.value), (target_date, t.met_at(m.direction)))),
        _ => None,
    };
    let projection = match (a.projection, points.last()) {
        (Some(p), Some(&(last_date, _))) if last_date < target_date => {
            let years = (target_date - last_date).num_days() as f64 / 365.25;
            Some((
                (last_date, p.value_at_target_date - p.slope_per_year * years),
                (target_date, p.value_at_target_date),
            ))
        }
        _ => None,
    };
    charts::metric_chart(&charts::MetricChart {
        title: &m.name,
        unit: &m.unit,
        lower_is_better: m.direction == Direction::Lower,
        period: (l.plan.period_start, l.plan.period_end),
        baseline,
        target: target.map(|t| (target_date, t.low, t.high)),
        values: &points,
        expected,
        projection,
        width: 760,
        height: 420,
    })
}

fn value_rows(l: &Loaded) -> Vec<ValueRow> {
    let m = &l.metric;
    let a = &l.assessment;
    let target = effective_target(m);
    let target_date = m.target_date.unwrap_or(l.plan.period_end);
    l.values
        .iter()
        .map(|r| {
            let (expected, progress) = match (target, a.baseline) {
                (Some(t), Some(b)) => {
                    let e = expected_progress(b.date, target_date, r.quarter.end());
                    let goal = t.met_at(m.direction);
                    let p = crate::plan::progress::progress(m.direction, b.value, t, r.value);
                    (fmt_num(b.value + (goal - b.value) * e), p.map(percent).unwrap_or_else(|_| "—".into()))
                }
                _ => ("—".into(), "—".into()),
            };
            ValueRow {
                quarter: r.quarter.label_zh(),
                value: value_text(m, r.value, r.done),
                expected,
                progress,
                note: r.note.clone(),
            }
        })
        .collect()
}
