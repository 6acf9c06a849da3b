//! The JSON API under `/api`. Errors are JSON too: `{"error": "…"}` with the status.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{ApiError, Error};
use crate::plan::bounds::{self, Flag};
use crate::plan::progress::{Assessment, BaselinePoint, NoProjection, NotApplicable, Projection, Status};
use crate::plan::{Metric, Plan, Quarter, Reported};
use crate::store::{self, Scope};
use crate::web::auth::{CurrentUser, Editor};
use crate::web::plans::{PER_PAGE, Paging};
use crate::web::{AppState, parse_as_of, view_of};

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list_plans))
        .route("/plans/{id}/metrics", get(list_metrics))
        .route("/metrics/{key}", get(show_metric))
        .route("/metrics/{key}/history", get(metric_history))
        .route("/metrics/{key}/values/{quarter}", put(put_value))
        .fallback(|| async { ApiError(Error::not_found("接口不存在")) })
}

/// A metric with what is computed for it at `as_of`.
#[derive(Serialize)]
struct MetricOut {
    #[serde(flatten)]
    metric: Metric,
    as_of: NaiveDate,
    status: Status,
    status_label: &'static str,
    /// Share of the way from baseline to target; `null` with `progress_na` saying why.
    progress: Option<f64>,
    progress_na: Option<NotApplicable>,
    progress_na_reason: Option<&'static str>,
    expected_progress: Option<f64>,
    exceeded: bool,
    baseline_in_use: Option<BaselinePoint>,
    latest: Option<Reported>,
    /// `latest` is older than the quarter before the as-of date's quarter (数据滞后).
    stale: bool,
    /// The quarter since which the reported figures meet the target.
    reached: Option<Quarter>,
    projection: Option<Projection>,
    /// Why `projection` is `null`: `too_few_figures`, or `one_off` (一次性建设类指标).
    projection_na: Option<NoProjection>,
    projection_na_reason: Option<&'static str>,
}

impl MetricOut {
    fn new(metric: Metric, a: Assessment) -> Self {
        Self {
            as_of: a.as_of,
            status: a.status,
            status_label: a.status.label_zh(),
            progress: a.progress.ok(),
            progress_na: a.progress.err(),
            progress_na_reason: a.progress.err().map(|n| n.reason_zh()),
            expected_progress: a.expected,
            exceeded: a.exceeded,
            baseline_in_use: a.baseline,
            stale: a.is_stale(),
            reached: a.reached,
            latest: a.latest,
            projection: a.projection,
            projection_na: a.projection_na,
            projection_na_reason: a.projection_na.map(|n| n.reason_zh()),
            metric,
        }
    }
}

/// One page of plans, newest period first, with how many there are in all.
#[derive(Serialize)]
struct PlansOut {
    plans: Vec<Plan>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// `GET /api/plans?page=&per_page=`: a page of plans (50 unless `per_page` says, up to 200).
async fn list_plans(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_query(&q, PER_PAGE)?;
    // Drafts only for administrators, as everywhere.
    let drafts = user.0.as_ref().is_some_and(|p| p.account.role.may_administer());
    let key = format!("api-plans|{}|{}|{drafts}", paging.page, paging.per_page);
    let json = state
        .cached_json(key, move |reads| {
            reads.scope(Scope::PlanList);
            let out = reads.store().read_blocking(|c| {
                Ok(PlansOut {
                    total: store::plans::count_visible(c, drafts)?,
                    plans: store::plans::page_visible(c, paging.offset(), paging.per_page, NaiveDate::MIN, drafts)?,
                    page: paging.page,
                    per_page: paging.per_page,
                })
            })?;
            serde_json::to_string(&out).map_err(|e| Error::Internal(e.to_string()))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], String::from(&*json)).into_response())
}

#[derive(Serialize)]
struct PlanMetrics {
    plan: Plan,
    as_of: NaiveDate,
    metrics: Vec<MetricOut>,
}

async fn list_metrics(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<PlanMetrics> {
    let id: i64 = id.parse().map_err(|_| Error::BadRequest(format!("规划编号“{id}”无效")))?;
    let as_of = parse_as_of(q.get("as_of"))?;
    let view = view_of(&q);
    let st = state.clone();
    let out = state
        .store
        .read(move |c| {
            let snap = store::plans::snapshot(c, id, view)?;
            let plan = snap.plan.clone();
            let as_of = as_of.unwrap_or_else(|| st.default_as_of(&plan));
            let metrics = snap
                .metrics
                .iter()
                .filter(|m| m.tracked_on(as_of))
                .map(|m| {
                    let a = plan.assess(m, snap.values_of(m.id), as_of);
                    MetricOut::new(m.clone(), a)
                })
                .collect();
            Ok(PlanMetrics { plan, as_of, metrics })
        })
        .await?;
    Ok(Json(out))
}

#[derive(Serialize)]
struct MetricDetail {
    #[serde(flatten)]
    metric: MetricOut,
    values: Vec<ValueOut>,
}

#[derive(Serialize)]
struct ValueOut {
    quarter: Quarter,
    quarter_end: NaiveDate,
    value: f64,
    done: Option<bool>,
    note: String,
    pending: bool,
    /// The stored figure's version: send it back with a `PUT` to refuse a change made since.
    version: i64,
    /// Soft checks against the figures before it, by stable code (`jump`,
    /// `away_from_target`, `beyond_twice_target`) with a message.
    flags: Vec<Flag>,
}

async fn show_metric(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<MetricDetail> {
    let as_of = parse_as_of(q.get("as_of"))?;
    let view = view_of(&q);
    let st = state.clone();
    let out = state
        .store
        .read(move |c| {
            let metric = store::plans::metric_by_key(c, &key)?;
            let plan = store::plans::get(c, metric.plan_id)?;
            let (values, versions): (Vec<Reported>, Vec<i64>) =
                store::values::of_metric_versioned(c, metric.id, view)?.into_iter().unzip();
            let as_of = as_of.unwrap_or_else(|| st.default_as_of(&plan));
            let a = plan.assess(&metric, &values, as_of);
            let earlier: Vec<(Quarter, f64)> = values.iter().map(|r| (r.quarter, r.value)).collect();
            let values = values
                .into_iter()
                .zip(versions)
                .map(|(r, version)| ValueOut {
                    version,
                    flags: bounds::flags(&metric, &earlier, r.quarter, r.value),
                    quarter_end: r.quarter.end(),
                    quarter: r.quarter,
                    value: r.value,
                    done: r.done,
                    note: r.note,
                    pending: r.pending,
                })
                .collect();
            Ok(MetricDetail { metric: MetricOut::new(metric, a), values })
        })
        .await?;
    Ok(Json(out))
}

async fn metric_history(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Vec<store::values::Change>> {
    let out = state
        .store
        .read(move |c| {
            let m = store::plans::metric_by_key(c, &key)?;
            store::values::history(c, m.id, None)
        })
        .await?;
    Ok(Json(out))
}

/// `PUT /api/metrics/{key}/values/{quarter}` with `{"value": "92", "note": "…"}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PutBody {
    value: serde_json::Value,
    #[serde(default)]
    note: String,
    #[serde(default)]
    done: bool,
    /// The version last read; a figure changed since then is a 409.
    version: Option<i64>,
}

#[derive(Serialize)]
struct PutOut {
    metric: String,
    quarter: Quarter,
    outcome: crate::plan::entry::Outcome,
    value: Option<f64>,
    status: Option<crate::plan::ReviewStatus>,
    version: Option<i64>,
    /// The saved figure's soft checks (it was saved with a note if any).
    flags: Vec<Flag>,
}

async fn put_value(
    State(state): State<AppState>,
    Editor(p): Editor,
    Path((key, quarter)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<PutOut> {
    let q: Quarter =
        quarter.parse().map_err(|e: crate::plan::quarter::QuarterParseError| Error::BadRequest(e.to_string()))?;
    let body: PutBody = serde_json::from_slice(&body).map_err(|e| {
        Error::BadRequest(format!("请求体应为 JSON 对象,如 {{\"value\": \"92\", \"note\": \"…\"}}:{e}"))
    })?;
    let value = match body.value {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Null => String::new(),
        other => return Err(Error::BadRequest(format!("value 应为数字或字符串,收到 {other}")).into()),
    };
    let input = crate::plan::entry::Input { value, done: body.done, note: body.note };
    let actor = p.account.name.clone();
    let today = state.today();
    let out = state
        .store
        .write(move |tx| {
            let metric = store::plans::metric_by_key(tx, &key)?;
            let plan = store::plans::get(tx, metric.plan_id)?;
            let item = crate::store::entry::Item { metric, quarter: q, input, seen_version: body.version };
            let outcome =
                crate::store::entry::save_all(tx, &plan, std::slice::from_ref(&item), &actor, today, "update")?[0];
            let stored = store::values::get(tx, item.metric.id, q)?;
            let flags = match &stored {
                Some(s) => {
                    bounds::flags(&item.metric, &store::values::approved_before(tx, item.metric.id, q)?, q, s.value)
                }
                None => Vec::new(),
            };
            Ok(PutOut {
                flags,
                metric: key,
                quarter: q,
                outcome,
                value: stored.as_ref().map(|s| s.value),
                status: stored.as_ref().map(|s| s.status),
                version: stored.map(|s| s.version),
            })
        })
        .await?;
    Ok(Json(out))
}
