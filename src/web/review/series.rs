//! Reviewing a back-fill a metric at a time: five years of imported figures are judged as a
//! series, not cell by cell. Each metric with pending figures gets a row with its approved
//! series and the series the pending figures would make, drawn side by side, and one button
//! that approves exactly the figures the reviewer saw: the form names each by quarter and
//! stored version, and a figure entered or changed since refuses the whole (409).

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

use super::{WaitingRow, build};
use crate::charts;
use crate::error::Result;
use crate::plan::bounds::Flag;
use crate::plan::progress::effective_target;
use crate::plan::{Direction, Metric, Plan, Quarter, Reported, ReviewStatus};
use crate::store::values::Stored;
use crate::store::{self};
use crate::web::auth::Reviewer;
use crate::web::flash::{self, Flash};
use crate::web::{AppState, Lang, render};

/// One metric's pending figures, as a series.
pub(super) struct SeriesRow {
    pub key: String,
    pub name: String,
    pub count: usize,
    /// The first and last quarter pending: `2021年第一季度 至 2025年第四季度`.
    pub span: String,
    pub approved_spark: String,
    pub new_spark: String,
    /// Plausibility flags on the pending figures, each with its quarter: a reviewer who
    /// approves the series from this row has seen them without the figure table.
    pub flags: Vec<SeriesFlag>,
    /// What the approve form sends back: each pending figure's `quarter:version`.
    pub figures: String,
}

/// A flag of one pending figure, shown in its metric's row.
pub(super) struct SeriesFlag {
    pub quarter: String,
    /// The figure's row in the table below.
    pub anchor: String,
    pub flag: Flag,
}

/// `quarter:version` of each figure, in quarter order: what a reviewer saw and approves.
fn fingerprint<'a>(figures: impl Iterator<Item = &'a Stored>) -> String {
    let mut parts: Vec<(Quarter, i64)> = figures.map(|s| (s.quarter, s.version)).collect();
    parts.sort();
    parts.iter().map(|(q, v)| format!("{q}:{v}")).collect::<Vec<_>>().join(",")
}

fn pending_of(unapproved: &[Stored], metric_id: i64) -> impl Iterator<Item = &Stored> {
    unapproved.iter().filter(move |s| s.metric_id == metric_id && s.status == ReviewStatus::Pending)
}

/// A row per metric with pending figures, in the plan's metric order.
pub(super) fn series_rows(
    plan: &Plan,
    metrics: &[Metric],
    unapproved: &[Stored],
    approved: &HashMap<i64, Vec<Reported>>,
    waiting: &[WaitingRow],
) -> Vec<SeriesRow> {
    metrics
        .iter()
        .filter_map(|m| {
            let pending: Vec<&Stored> = pending_of(unapproved, m.id).collect();
            let (first, last) = (pending.iter().map(|s| s.quarter).min()?, pending.iter().map(|s| s.quarter).max()?);
            let old: BTreeMap<Quarter, f64> =
                approved.get(&m.id).into_iter().flatten().map(|r| (r.quarter, r.value)).collect();
            let mut new = old.clone();
            new.extend(pending.iter().map(|s| (s.quarter, s.value)));
            let spark = |series: &BTreeMap<Quarter, f64>, what: &str| {
                let points: Vec<(NaiveDate, f64)> = series.iter().map(|(q, v)| (q.end(), *v)).collect();
                charts::sparkline(&charts::Sparkline {
                    values: &points,
                    period: (plan.period_start, plan.period_end),
                    baseline: m.baseline.map(|b| (m.baseline_date.unwrap_or(plan.default_baseline_date()), b)),
                    target: effective_target(m).map(|t| (t.low, t.high)),
                    lower_is_better: m.direction == Direction::Lower,
                    width: 140,
                    height: 36,
                    label: format!("{} {what}", m.name),
                })
            };
            let flags = waiting
                .iter()
                .filter(|w| w.key == m.key && !w.returned)
                .flat_map(|w| {
                    let (quarter, anchor) = (w.quarter.label_zh(), w.anchor());
                    w.flags.iter().map(move |f| SeriesFlag {
                        quarter: quarter.clone(),
                        anchor: anchor.clone(),
                        flag: f.clone(),
                    })
                })
                .collect();
            Some(SeriesRow {
                key: m.key.clone(),
                name: m.name.clone(),
                count: pending.len(),
                span: if first == last {
                    first.label_zh()
                } else {
                    format!("{} 至 {}", first.label_zh(), last.label_zh())
                },
                approved_spark: spark(&old, "已审核数值"),
                new_spark: spark(&new, "批准待审核数值后"),
                flags,
                figures: fingerprint(pending.into_iter()),
            })
        })
        .collect()
}

#[derive(Deserialize)]
pub struct SeriesForm {
    key: String,
    /// The figures the page showed, as [`SeriesRow::figures`].
    figures: String,
}

/// Approves one metric's pending figures, exactly those the page showed.
pub async fn approve_series(
    State(state): State<AppState>,
    Reviewer(p): Reviewer,
    lang: Lang,
    Path(plan_id): Path<i64>,
    Form(f): Form<SeriesForm>,
) -> Result<Response> {
    let actor = p.account.name.clone();
    let key = f.key.clone();
    let approved = state
        .store
        .write(move |tx| {
            let m = store::plans::metric_by_key(tx, &f.key)?;
            if m.plan_id != plan_id {
                return Err(crate::error::Error::not_found(format!("本规划没有指标 {}", f.key)));
            }
            let unapproved = store::values::unapproved_of_plan(tx, plan_id)?;
            let pending: Vec<&Stored> = pending_of(&unapproved, m.id).collect();
            if pending.is_empty() || fingerprint(pending.iter().copied()) != f.figures {
                return Ok(false);
            }
            let quarters: Vec<Quarter> = pending.iter().map(|s| s.quarter).collect();
            store::values::approve_many(tx, m.id, &quarters, &actor)?;
            Ok(true)
        })
        .await?;
    if approved {
        return Ok(flash::redirect(&state, &format!("/plans/{plan_id}/review#series"), Flash::Approved));
    }
    let error = format!("指标 {key} 的待审核数值在页面显示后有变化,均未批准:请查看最新的序列后重新批准。");
    let page = build(&state, p, lang, plan_id, error).await?;
    Ok((StatusCode::CONFLICT, render(&page)?).into_response())
}
