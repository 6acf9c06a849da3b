//! `/plans/{id}/review`: figures waiting for review, what is missing, and quarter locks.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

use super::auth::{Actor, CurrentUser, Principal, Reviewer, SignedIn};
use super::entry::default_quarter;
use super::flash::{self, Flash, Flashed};
use super::format::{target_text, value_text};
use super::{AppState, Lang, Layout, render};
use crate::error::{Error, Result};
use crate::plan::bounds::{self, Flag};
use crate::plan::{Kind, Metric, Plan, Quarter, Reported, ReviewStatus, fmt_num};
use crate::store::values::{Stored, View};
use crate::store::{self, audit};

mod series;
pub use series::approve_series;

#[derive(Template)]
#[template(path = "pages/review/index.html")]
struct ReviewPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    waiting: Vec<WaitingRow>,
    /// Pending figures grouped by metric, each approvable as a series.
    series: Vec<series::SeriesRow>,
    missing_quarter: Quarter,
    missing: Vec<Metric>,
    quarters: Vec<(Quarter, bool)>,
    error: String,
    /// English subtitles under names.
    lang: Lang,
}

/// A figure waiting for review, with what a reviewer needs to judge it.
struct WaitingRow {
    key: String,
    name: String,
    name_en: Option<String>,
    unit: String,
    quarter: Quarter,
    /// The last approved figure up to this quarter, and the quarter it was for.
    approved: String,
    approved_quarter: String,
    target: String,
    entered: String,
    /// Entered minus the last approved figure, signed.
    change: String,
    flags: Vec<Flag>,
    note: String,
    returned: bool,
    review_note: String,
    /// Who entered it (a return does not change this).
    by: String,
    at: String,
}

impl WaitingRow {
    /// The row's id: the page returns here after a review.
    fn anchor(&self) -> String {
        format!("w-{}-{}", self.key, self.quarter)
    }
}

/// Rows for `unapproved` figures, in the plan's metric order, each against the metric's
/// approved figures (`approved`, by metric id, oldest first).
fn waiting_rows(
    metrics: &[Metric],
    unapproved: Vec<Stored>,
    approved: &HashMap<i64, Vec<Reported>>,
) -> Vec<WaitingRow> {
    let by_id: HashMap<i64, &Metric> = metrics.iter().map(|m| (m.id, m)).collect();
    unapproved
        .into_iter()
        .filter_map(|s| {
            let m = by_id.get(&s.metric_id)?;
            let history = approved.get(&m.id).map_or(&[][..], Vec::as_slice);
            let last = history.iter().rev().find(|r| r.quarter <= s.quarter);
            let earlier: Vec<(Quarter, f64)> = history.iter().map(|r| (r.quarter, r.value)).collect();
            let change = match (m.kind, last) {
                (Kind::Milestone, _) | (_, None) => String::new(),
                (_, Some(l)) if s.value == l.value => "不变".into(),
                (_, Some(l)) => signed(s.value - l.value),
            };
            Some(WaitingRow {
                key: m.key.clone(),
                name: m.name.clone(),
                name_en: m.name_en.clone(),
                unit: if m.kind == Kind::Milestone { String::new() } else { m.unit.clone() },
                quarter: s.quarter,
                approved: last.map_or_else(|| "—".into(), |l| value_text(m, l.value, l.done)),
                approved_quarter: last.map(|l| l.quarter.label_zh()).unwrap_or_default(),
                target: target_text(m),
                entered: value_text(m, s.value, s.done),
                change,
                flags: bounds::flags(m, &earlier, s.quarter, s.value),
                note: s.note,
                returned: s.status == ReviewStatus::Returned,
                review_note: s.review_note,
                by: s.entered_by,
                at: s.recorded_at,
            })
        })
        .collect()
}

fn signed(v: f64) -> String {
    if v > 0.0 { format!("+{}", fmt_num(v)) } else { fmt_num(v) }
}

pub async fn show_review(
    State(state): State<AppState>,
    SignedIn(p): SignedIn,
    lang: Lang,
    Path(plan_id): Path<i64>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let mut page = build(&state, p, lang, plan_id, String::new()).await?;
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

async fn build(state: &AppState, p: Principal, lang: Lang, plan_id: i64, error: String) -> Result<ReviewPage> {
    let today = state.today();
    let (plan, metrics, waiting, approved, present, locked) = state
        .store
        .read(move |c| {
            let plan = store::plans::get(c, plan_id)?;
            let q = default_quarter(&plan, today);
            Ok((
                plan,
                store::plans::metrics(c, plan_id)?,
                store::values::unapproved_of_plan(c, plan_id)?,
                store::values::of_plan(c, plan_id, View::Approved)?,
                store::values::of_plan_quarter(c, plan_id, q)?,
                store::values::locked_quarters(c, plan_id)?,
            ))
        })
        .await?;
    let unapproved = waiting.clone();
    let waiting = waiting_rows(&metrics, waiting, &approved);
    let series = series::series_rows(&plan, &metrics, &unapproved, &approved, &waiting);
    let missing_quarter = default_quarter(&plan, today);
    // A metric retired before the quarter began is not missing its figure, nor an annual
    // metric outside the fourth quarter.
    let missing = metrics
        .iter()
        .filter(|m| {
            !present.contains_key(&m.id)
                && m.tracked_on(missing_quarter.start())
                && m.frequency.reports_in(missing_quarter)
        })
        .cloned()
        .collect();
    let last = Quarter::last_closed(today).min(Quarter::containing(plan.period_end));
    let quarters = plan.quarters().filter(|q| *q <= last).map(|q| (q, locked.contains(&q))).collect();
    Ok(ReviewPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "审核").with_lang(lang).with_plan_nav(plan_id),
        plan,
        waiting,
        series,
        missing_quarter,
        missing,
        quarters,
        error,
        lang,
    })
}

#[derive(Deserialize)]
pub struct ReviewForm {
    key: String,
    quarter: String,
    #[serde(default)]
    reason: String,
    /// The row to come back to (the page's own anchor).
    #[serde(default)]
    back_to: String,
}

/// The review page, scrolled to `anchor` when it is one of the page's own ids. Anything
/// else is dropped: it goes into a `Location` header.
fn review_url(plan_id: i64, anchor: &str) -> String {
    let ok = !anchor.is_empty()
        && anchor.len() <= 120
        && anchor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { format!("/plans/{plan_id}/review#{anchor}") } else { format!("/plans/{plan_id}/review") }
}

pub async fn approve_value(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response> {
    let q: Quarter = f.quarter.parse()?;
    let actor = p.account.name.clone();
    let back_to = f.back_to.clone();
    state
        .store
        .write(move |tx| on_pending(tx, plan_id, &f.key, q, |id| store::values::approve(tx, id, q, &actor)))
        .await?;
    Ok(flash::redirect(&state, &review_url(plan_id, &back_to), Flash::Approved))
}

#[derive(Template)]
#[template(path = "pages/review/approve_all.html")]
struct ApproveAllPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    pending: Vec<WaitingRow>,
    flagged: usize,
    error: String,
}

/// `GET …/review/approve-all`: what "approve all" would approve, to confirm.
pub async fn confirm_approve_all(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
) -> Result<Response> {
    Ok(render(&approve_all_page(&state, p, plan_id, String::new()).await?)?.into_response())
}

async fn approve_all_page(state: &AppState, p: Principal, plan_id: i64, error: String) -> Result<ApproveAllPage> {
    let (plan, metrics, waiting, approved) = state
        .store
        .read(move |c| {
            Ok((
                store::plans::get(c, plan_id)?,
                store::plans::metrics(c, plan_id)?,
                store::values::unapproved_of_plan(c, plan_id)?,
                store::values::of_plan(c, plan_id, View::Approved)?,
            ))
        })
        .await?;
    let pending: Vec<WaitingRow> =
        waiting_rows(&metrics, waiting, &approved).into_iter().filter(|w| !w.returned).collect();
    Ok(ApproveAllPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "全部批准"),
        flagged: pending.iter().filter(|w| !w.flags.is_empty()).count(),
        plan,
        pending,
        error,
    })
}

#[derive(Deserialize)]
pub struct ApproveAllForm {
    /// How many figures the confirmation page named: if others came in since, the
    /// reviewer confirms again.
    count: usize,
}

pub async fn approve_all(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    Path(plan_id): Path<i64>,
    Form(f): Form<ApproveAllForm>,
) -> Result<Response> {
    let actor = p.account.name.clone();
    let approved = state
        .store
        .write(move |tx| {
            let pending: Vec<Stored> = store::values::unapproved_of_plan(tx, plan_id)?
                .into_iter()
                .filter(|s| s.status == ReviewStatus::Pending)
                .collect();
            if pending.len() != f.count {
                return Ok(false);
            }
            for s in pending {
                store::values::approve(tx, s.metric_id, s.quarter, &actor)?;
            }
            Ok(true)
        })
        .await?;
    if approved {
        return Ok(flash::redirect(&state, &format!("/plans/{plan_id}/review"), Flash::Approved));
    }
    let error = "待审核的数值在确认后有变化,均未批准:请核对下表后重新确认。".to_owned();
    let page = approve_all_page(&state, p, plan_id, error).await?;
    Ok((StatusCode::CONFLICT, render(&page)?).into_response())
}

pub async fn return_value(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    lang: Lang,
    Path(plan_id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response> {
    let q: Quarter = f.quarter.parse()?;
    let reason = f.reason.trim().to_owned();
    if reason.is_empty() {
        let page = build(&state, p, lang, plan_id, "退回时必须填写原因,以便填报员修改。".into()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let actor = p.account.name.clone();
    let back_to = f.back_to.clone();
    state
        .store
        .write(move |tx| on_pending(tx, plan_id, &f.key, q, |id| store::values::send_back(tx, id, q, &reason, &actor)))
        .await?;
    Ok(flash::redirect(&state, &review_url(plan_id, &back_to), Flash::Returned))
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
    lang: Lang,
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
            let page = build(&state, p, lang, plan_id, reason).await?;
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
