//! `/plans/{id}/entry/{quarter}`: the quarterly entry grid, like the bureau's sheet.
//! The whole form saves in one transaction or not at all; a refused form comes back with
//! every typed value kept and the reason beside each wrong field.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::auth::{CurrentUser, Editor, Principal};
use super::flash::{self, Flash, Flashed};
use super::format::{baseline_text, target_text, value_text};
use super::{AppState, Lang, Layout, render};
use crate::error::{Error, Result};
use crate::plan::entry::Input;
use crate::plan::entry::{ItemError, Outcome, Problem};
use crate::plan::progress::baseline_point;
use crate::plan::{Chapter, Frequency, Kind, Metric, Plan, Quarter, Reported, ReviewStatus, fmt_num};
use crate::store::entry::Item;
use crate::store::{
    self,
    values::{Stored, View},
};

#[derive(Template)]
#[template(path = "pages/entry/form.html")]
struct EntryPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    quarter: Quarter,
    quarters: Vec<Quarter>,
    locked: bool,
    chapters: Vec<(Chapter, Vec<EntryRow>)>,
    /// Summary above the grid after a refused save.
    error: String,
    /// English subtitles under names and chapter titles.
    lang: Lang,
}

/// One metric's line in the grid.
struct EntryRow {
    key: String,
    name: String,
    name_en: Option<String>,
    unit: String,
    milestone: bool,
    /// Reported once a year: this quarter's figure is the year's (年度).
    annual: bool,
    baseline: String,
    target: String,
    /// The last approved figure before this quarter (with its quarter when older than
    /// the quarter before), and what stands unapproved for the quarter before.
    previous: String,
    previous_note: String,
    value: String,
    done: bool,
    note: String,
    version: i64,
    state: String,
    review_note: String,
    error: String,
    error_field: &'static str,
}

/// The quarter staff report now: the last one that has ended, kept within the plan.
pub fn default_quarter(plan: &Plan, today: NaiveDate) -> Quarter {
    let last = Quarter::last_closed(today);
    last.clamp(Quarter::containing(plan.period_start), Quarter::containing(plan.period_end))
}

/// `/plans/{id}/entry[?quarter=…]`: to the chosen quarter, or the one due now.
pub async fn show_entry_default(
    State(state): State<AppState>,
    Editor(_): Editor,
    Path(plan_id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response> {
    let plan = state.store.read(move |c| store::plans::get(c, plan_id)).await?;
    let q = match query.get("quarter") {
        Some(s) => s.parse()?,
        None => default_quarter(&plan, state.today()),
    };
    Ok(Redirect::to(&format!("/plans/{plan_id}/entry/{q}")).into_response())
}

pub async fn show_entry(
    State(state): State<AppState>,
    Editor(p): Editor,
    lang: Lang,
    Path((plan_id, quarter)): Path<(i64, String)>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let q: Quarter = quarter.parse()?;
    let mut page = build(&state, p, lang, plan_id, q, HashMap::new(), &[]).await?;
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

/// Loads the grid; `typed` (by key) replaces stored figures, `errors` mark rows.
async fn build(
    state: &AppState,
    p: Principal,
    lang: Lang,
    plan_id: i64,
    q: Quarter,
    typed: HashMap<String, (Input, i64)>,
    errors: &[(String, Problem)],
) -> Result<EntryPage> {
    let (plan, chapters, metrics, now, before, approved, locked) = state
        .store
        .read(move |c| {
            let plan = store::plans::get(c, plan_id)?;
            Ok((
                plan,
                store::plans::chapters(c, plan_id)?,
                store::plans::metrics(c, plan_id)?,
                store::values::of_plan_quarter(c, plan_id, q)?,
                store::values::of_plan_quarter(c, plan_id, q.prev())?,
                store::values::of_plan(c, plan_id, View::Approved)?,
                store::values::is_locked(c, plan_id, q)?,
            ))
        })
        .await?;
    let mut groups: Vec<(Chapter, Vec<EntryRow>)> = chapters.into_iter().map(|c| (c, Vec::new())).collect();
    // A metric retired before the quarter began is no longer entered; an annual metric is
    // entered with the fourth quarter only, labelled 年度 there.
    for m in metrics.iter().filter(|m| m.tracked_on(q.start()) && m.frequency.reports_in(q)) {
        let last_approved = approved.get(&m.id).and_then(|v| v.iter().rev().find(|r| r.quarter < q));
        let previous = Previous { q, approved: last_approved, before: before.get(&m.id) };
        let row = entry_row(m, &plan, now.get(&m.id), &previous, typed.get(&m.key), errors);
        if let Some((_, rows)) = groups.iter_mut().find(|(c, _)| c.id == m.chapter_id) {
            rows.push(row);
        }
    }
    let error = if errors.is_empty() {
        String::new()
    } else {
        format!("有 {} 处需要修改,本次填报全部未保存。请按提示修改后重新保存。", errors.len())
    };
    let csrf = p.csrf().to_owned();
    let user = CurrentUser(Some(p));
    let layout = Layout::new(state, &user, format!("填报 {}", q.label_zh()))
        .with_lang(lang)
        .with_plan_nav(plan_id)
        .with_returned(state, &user)
        .await?;
    Ok(EntryPage {
        csrf,
        layout,
        quarters: plan.quarters().collect(),
        plan,
        quarter: q,
        locked,
        chapters: groups,
        error,
        lang,
    })
}

/// What the 上季度 column is made from.
struct Previous<'a> {
    /// The quarter being entered.
    q: Quarter,
    /// The last approved figure before it.
    approved: Option<&'a Reported>,
    /// The quarter before's stored figure, approved or not.
    before: Option<&'a Stored>,
}

impl Previous<'_> {
    fn text(&self, m: &Metric) -> String {
        match self.approved {
            None => "—".into(),
            Some(r) if r.quarter == self.q.prev() => value_text(m, r.value, r.done),
            Some(r) => format!("{}({})", value_text(m, r.value, r.done), r.quarter.label_zh()),
        }
    }

    /// Says so when the quarter before has a figure that is not (yet) the approved one.
    fn note(&self, m: &Metric) -> String {
        match self.before {
            Some(s) if s.status == ReviewStatus::Pending => {
                format!("上季度另有待审核数值 {}", value_text(m, s.value, s.done))
            }
            Some(s) if s.status == ReviewStatus::Returned => {
                format!("上季度数值 {} 已退回", value_text(m, s.value, s.done))
            }
            _ => String::new(),
        }
    }
}

fn entry_row(
    m: &Metric,
    plan: &Plan,
    now: Option<&Stored>,
    previous: &Previous,
    typed: Option<&(Input, i64)>,
    errors: &[(String, Problem)],
) -> EntryRow {
    let problem = errors.iter().find(|(k, _)| *k == m.key).map(|(_, p)| p);
    let (value, done, note, version) = match (typed, now) {
        (Some((i, v)), _) => (i.value.clone(), i.done, i.note.clone(), *v),
        (None, Some(s)) => (fmt_num(s.value), s.done == Some(true), s.note.clone(), s.version),
        (None, None) => (String::new(), false, String::new(), 0),
    };
    let (state, review_note) = match now {
        Some(s) if s.status == ReviewStatus::Returned => (s.status.label_zh(), s.review_note.clone()),
        Some(s) => (s.status.label_zh(), String::new()),
        None => ("未填报", String::new()),
    };
    let error = match problem {
        Some(p) => p.message(),
        None => String::new(),
    };
    EntryRow {
        key: m.key.clone(),
        name: m.name.clone(),
        name_en: m.name_en.clone(),
        unit: m.unit.clone(),
        milestone: m.kind == Kind::Milestone,
        annual: m.frequency == Frequency::Annual,
        baseline: baseline_text(m, baseline_point(m, plan.default_baseline_date(), &[])),
        target: target_text(m),
        previous: previous.text(m),
        previous_note: previous.note(m),
        value,
        done,
        note,
        version,
        state: state.to_owned(),
        review_note,
        error,
        error_field: problem.map_or("", Problem::field),
    }
}

/// Fields are `v.KEY` (value), `d.KEY` (milestone done), `n.KEY` (note), `ver.KEY` (the
/// version shown; a script that sends none skips the conflict check, as the API does).
pub async fn save_entry(
    State(state): State<AppState>,
    Editor(p): Editor,
    lang: Lang,
    Path((plan_id, quarter)): Path<(i64, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let q: Quarter = quarter.parse()?;
    let mut typed: HashMap<String, (Input, Option<i64>)> = HashMap::new();
    for (name, value) in fields {
        let Some((kind, key)) = name.split_once('.') else { continue };
        let entry = typed.entry(key.to_owned()).or_default();
        match kind {
            "v" => entry.0.value = value,
            "n" => entry.0.note = value,
            "d" => entry.0.done = !value.is_empty(),
            "ver" => entry.1 = Some(value.parse().map_err(|_| Error::BadRequest("表单版本字段无效".into()))?),
            _ => {}
        }
    }
    let actor = p.account.name.clone();
    let t = typed.clone();
    let today = state.today();
    let result = state
        .store
        .write(move |tx| {
            let plan = store::plans::get(tx, plan_id)?;
            let metrics = store::plans::metrics(tx, plan_id)?;
            let items: Vec<Item> = metrics
                .into_iter()
                .filter_map(|m| {
                    let (input, seen) = t.get(&m.key)?.clone();
                    Some(Item { metric: m, quarter: q, input, seen_version: seen })
                })
                .collect();
            let outcomes = store::entry::save_all(tx, &plan, &items, &actor, today, "update")?;
            Ok(outcomes.iter().filter(|o| **o != Outcome::Unchanged).count())
        })
        .await;
    match result {
        Ok(n) => Ok(flash::redirect(&state, &format!("/plans/{plan_id}/entry/{q}"), Flash::Saved(n))),
        Err(Error::Invalid(errors)) => {
            let keyed = keyed_errors(&state, plan_id, &typed, errors).await?;
            let conflict = keyed.iter().any(|(_, p)| matches!(p, Problem::Conflict { .. }));
            let typed = typed.into_iter().map(|(k, (i, v))| (k, (i, v.unwrap_or(0)))).collect();
            let page = build(&state, p, lang, plan_id, q, typed, &keyed).await?;
            let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Item errors by metric key: items were built in the plan's metric order, filtered to
/// the keys present in the form.
async fn keyed_errors(
    state: &AppState,
    plan_id: i64,
    typed: &HashMap<String, (Input, Option<i64>)>,
    errors: Vec<ItemError>,
) -> Result<Vec<(String, Problem)>> {
    let metrics = state.store.read(move |c| store::plans::metrics(c, plan_id)).await?;
    let keys: Vec<String> = metrics.into_iter().map(|m| m.key).filter(|k| typed.contains_key(k)).collect();
    Ok(errors.into_iter().filter_map(|e| keys.get(e.index).map(|k| (k.clone(), e.problem))).collect())
}
