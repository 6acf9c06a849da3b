//! `/plans/{id}/review`: figures waiting for review, what is missing, and quarter locks.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

use super::auth::{Actor, CurrentUser, Reviewer, SignedIn};
use super::entry::default_quarter;
use super::flash::{self, Flash, Flashed};
use super::format::value_text;
use super::{AppState, Layout, render};
use crate::error::{Error, Result};
use crate::plan::{Metric, Plan, Quarter, ReviewStatus};
use crate::store::{self, audit};

#[derive(Template)]
#[template(path = "pages/review/index.html")]
struct ReviewPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    waiting: Vec<WaitingRow>,
    missing_quarter: Quarter,
    missing: Vec<Metric>,
    quarters: Vec<(Quarter, bool)>,
    error: String,
}

struct WaitingRow {
    key: String,
    name: String,
    unit: String,
    quarter: Quarter,
    approved: String,
    entered: String,
    note: String,
    returned: bool,
    review_note: String,
    by: String,
    at: String,
}

pub async fn show_review(
    State(state): State<AppState>,
    SignedIn(p): SignedIn,
    Path(plan_id): Path<i64>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let mut page = build(&state, p, plan_id, String::new()).await?;
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

async fn build(state: &AppState, p: super::auth::Principal, plan_id: i64, error: String) -> Result<ReviewPage> {
    let today = chrono::Local::now().date_naive();
    let (plan, metrics, waiting, present, locked) = state
        .store
        .read(move |c| {
            let plan = store::plans::get(c, plan_id)?;
            let q = default_quarter(&plan, today);
            Ok((
                plan,
                store::plans::metrics(c, plan_id)?,
                store::values::unapproved_of_plan(c, plan_id)?,
                store::values::of_plan_quarter(c, plan_id, q)?,
                store::values::locked_quarters(c, plan_id)?,
            ))
        })
        .await?;
    let by_id: HashMap<i64, &Metric> = metrics.iter().map(|m| (m.id, m)).collect();
    let waiting = waiting
        .into_iter()
        .filter_map(|s| {
            let m = by_id.get(&s.metric_id)?;
            Some(WaitingRow {
                key: m.key.clone(),
                name: m.name.clone(),
                unit: m.unit.clone(),
                quarter: s.quarter,
                approved: s.approved_value.map(|v| value_text(m, v, s.approved_done)).unwrap_or_else(|| "—".into()),
                entered: value_text(m, s.value, s.done),
                note: s.note,
                returned: s.status == ReviewStatus::Returned,
                review_note: s.review_note,
                by: s.recorded_by,
                at: s.recorded_at,
            })
        })
        .collect();
    let missing_quarter = default_quarter(&plan, today);
    let missing = metrics.iter().filter(|m| !present.contains_key(&m.id)).cloned().collect();
    let last = Quarter::last_closed(today).min(Quarter::containing(plan.period_end));
    let quarters = plan.quarters().filter(|q| *q <= last).map(|q| (q, locked.contains(&q))).collect();
    Ok(ReviewPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "审核"),
        plan,
        waiting,
        missing_quarter,
        missing,
        quarters,
        error,
    })
}

#[derive(Deserialize)]
pub struct ReviewForm {
    key: String,
    quarter: String,
    #[serde(default)]
    reason: String,
}

pub async fn approve_value(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response> {
    let q: Quarter = f.quarter.parse()?;
    let actor = p.account.name.clone();
    state
        .store
        .write(move |tx| on_pending(tx, plan_id, &f.key, q, |id| store::values::approve(tx, id, q, &actor)))
        .await?;
    Ok(flash::redirect(&state, &format!("/plans/{plan_id}/review"), Flash::Approved))
}

pub async fn approve_all(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
) -> Result<Response> {
    let actor = p.account.name.clone();
    state
        .store
        .write(move |tx| {
            for s in store::values::unapproved_of_plan(tx, plan_id)?
                .into_iter()
                .filter(|s| s.status == ReviewStatus::Pending)
            {
                store::values::approve(tx, s.metric_id, s.quarter, &actor)?;
            }
            Ok(())
        })
        .await?;
    Ok(flash::redirect(&state, &format!("/plans/{plan_id}/review"), Flash::Approved))
}

pub async fn return_value(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response> {
    let q: Quarter = f.quarter.parse()?;
    let reason = f.reason.trim().to_owned();
    if reason.is_empty() {
        let page = build(&state, p, plan_id, "退回时必须填写原因,以便填报员修改。".into()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let actor = p.account.name.clone();
    state
        .store
        .write(move |tx| on_pending(tx, plan_id, &f.key, q, |id| store::values::send_back(tx, id, q, &reason, &actor)))
        .await?;
    Ok(flash::redirect(&state, &format!("/plans/{plan_id}/review"), Flash::Returned))
}

#[derive(Deserialize)]
pub struct LockForm {
    quarter: String,
    lock: String,
}

pub async fn set_lock(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
    Form(f): Form<LockForm>,
) -> Result<Response> {
    let q: Quarter = f.quarter.parse()?;
    let lock = f.lock == "1";
    let refused = state
        .store
        .write(move |tx| {
            let plan = store::plans::get(tx, plan_id)?;
            let open = store::values::unapproved_of_plan(tx, plan_id)?.into_iter().filter(|s| s.quarter == q).count();
            if lock && open > 0 {
                return Ok(Some(format!("{} 还有 {open} 项数值未审核,审核完毕后才能锁定", q.label_zh())));
            }
            store::values::set_locked(tx, plan_id, q, lock, &actor)?;
            let action = if lock { "quarter_locked" } else { "quarter_unlocked" };
            audit::record(tx, &actor, action, &format!("{} {}", plan.key, q), "", &addr)?;
            Ok(None)
        })
        .await?;
    match refused {
        None => Ok(flash::redirect(
            &state,
            &format!("/plans/{plan_id}/review"),
            if lock { Flash::Locked } else { Flash::Unlocked },
        )),
        Some(reason) => {
            let page = build(&state, p, plan_id, reason).await?;
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
    }
}

/// Runs `review` on the metric's id if its figure for `q` awaits review; someone else may
/// have reviewed it since the page was loaded.
fn on_pending(
    conn: &rusqlite::Connection,
    plan_id: i64,
    key: &str,
    q: Quarter,
    review: impl FnOnce(i64) -> Result<()>,
) -> Result<()> {
    let m = store::plans::metric_by_key(conn, key)?;
    if m.plan_id != plan_id {
        return Err(Error::not_found(format!("本规划没有指标“{key}”")));
    }
    match store::values::get(conn, m.id, q)? {
        Some(s) if s.status == ReviewStatus::Pending => review(m.id),
        _ => Err(Error::Refused("该数值不在待审核状态(可能已被他人处理)".into())),
    }
}
