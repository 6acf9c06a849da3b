//! `/plans/{id}/sheets`: import figures from CSV or XLSX, export them in the same layout.
//!
//! An import is checked first (a dry run: every row's outcome or error, with its row
//! number) and applied only when asked, in one transaction: all rows or none. The checked
//! rows stay on the server ([`super::uploads`]); the apply request names them and they are
//! checked again, so nothing the browser holds is trusted. A row the sheet reader could not line up with its header
//! (see [`crate::sheet::SheetRow::error`]) is an error like any other, so the check fails.
//! In the wide layout every figure is named by its cell (`F7`). A metric name matching none
//! exactly gets the closest metric proposed once, at the check ([`names::closest`]); the
//! proposal is kept with the checked rows and applied only for the names the clerk ticked.
//! Each applied figure records its file, worksheet and cell beside its history row.

use askama::Template;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::auth::{Actor, CurrentUser, Editor, Principal, SignedIn};
use super::download::attachment;
use super::flash::{self, Flash, Flashed};
use super::{AppState, Layout, off_workers, render};
use crate::error::{Error, Result};
use crate::plan::entry::Input;
use crate::plan::entry::{Outcome, Problem};
use crate::plan::{Metric, Plan, Quarter, names};
use crate::report::tables::{self, Export};
use crate::sheet::{self, SheetRow};
use crate::store::entry::Item;
use crate::store::values::{Source, Stored};
use crate::store::{self, audit};

mod summary;
use summary::{Checked, summarise};

#[derive(Template)]
#[template(path = "pages/sheets/index.html")]
struct SheetsPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    quarters: Vec<Quarter>,
    default_quarter: Quarter,
    /// After a dry run: each row's outcome.
    checked: Option<Checked>,
    error: String,
}

/// The parts of a sheet row that are checked and applied.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct PayloadRow {
    row: usize,
    /// The figure's cell in a wide sheet (`F7`); empty for a row of the long layout.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cell: String,
    /// The worksheet read, for an XLSX file; empty for CSV.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sheet: String,
    metric: String,
    quarter: String,
    value: String,
    note: String,
    /// Why the reader could not take the row as one figure. A sheet with such a row offers
    /// no apply form, so an apply request normally carries none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The metric proposed when `metric` names none exactly: found once, at the check, so
    /// what the clerk confirms is what was shown, never guessed again.
    #[serde(skip)]
    proposal: Option<names::Proposal>,
}

impl PayloadRow {
    /// Where the row is in the sheet, for messages: its cell, or its row number.
    fn place(&self) -> String {
        if self.cell.is_empty() { format!("第 {} 行", self.row) } else { format!("单元格 {}", self.cell) }
    }
}

async fn page(state: &AppState, p: Principal, plan_id: i64) -> Result<SheetsPage> {
    let plan = state.store.read(move |c| store::plans::get(c, plan_id)).await?;
    Ok(SheetsPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "导入与导出"),
        quarters: plan.quarters().collect(),
        default_quarter: super::entry::default_quarter(&plan, state.today()),
        plan,
        checked: None,
        error: String::new(),
    })
}

pub async fn show_sheets(
    State(state): State<AppState>,
    SignedIn(p): SignedIn,
    Path(plan_id): Path<i64>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let mut page = page(&state, p, plan_id).await?;
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

/// Step one: read the uploaded file and check every row without saving.
pub async fn check_import(
    State(state): State<AppState>,
    Editor(p): Editor,
    Path(plan_id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response> {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) =
        multipart.next_field().await.map_err(|e| Error::BadRequest(format!("上传内容无法读取:{e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|e| Error::BadRequest(format!("上传内容无法读取:{e}")))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let session = session_of(&p)?;
    let mut page = page(&state, p.clone(), plan_id).await?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        page.error = "请选择要导入的 CSV 或 XLSX 文件".into();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let is_xlsx = name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04");
    // Parsing a large sheet takes CPU time: never on the async workers.
    let rows = off_workers(move || {
        Ok(if is_xlsx { sheet::read_xlsx_sheet(&bytes) } else { sheet::read_csv(&bytes).map(|r| (String::new(), r)) })
    })
    .await?;
    let (sheet_name, rows) = match rows {
        Ok(rows) => rows,
        Err(e) => {
            page.error = format!("文件 {name} 无法读取:{e}");
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let mut payload: Vec<PayloadRow> =
        rows.iter().map(|r| PayloadRow { sheet: sheet_name.clone(), ..PayloadRow::from(r) }).collect();
    let metrics = state.store.read(move |c| store::plans::metrics(c, plan_id)).await?;
    propose(&metrics, &mut payload);
    let checked = check(&state, &p, plan_id, payload.clone()).await?;
    let status = if checked.ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let token =
        if checked.ok() { state.uploads.keep(session, plan_id, name.clone(), payload.clone()) } else { String::new() };
    page.checked = Some(summarise(name, &payload, checked, token));
    Ok((status, render(&page)?).into_response())
}

impl From<&SheetRow> for PayloadRow {
    fn from(r: &SheetRow) -> Self {
        Self {
            row: r.row,
            cell: r.cell.clone(),
            sheet: String::new(),
            metric: r.metric.clone(),
            quarter: r.quarter.clone(),
            value: r.value.clone(),
            note: r.note.clone(),
            error: r.error.clone(),
            proposal: None,
        }
    }
}

/// Proposes the closest metric for each row whose name matches none exactly.
fn propose(metrics: &[Metric], rows: &mut [PayloadRow]) {
    let mut found: HashMap<String, Option<names::Proposal>> = HashMap::new();
    for r in rows.iter_mut().filter(|r| r.error.is_none()) {
        let wanted = r.metric.trim();
        if wanted.is_empty() || metrics.iter().any(|m| m.key == wanted || m.name == wanted) {
            continue;
        }
        r.proposal = found.entry(wanted.to_owned()).or_insert_with(|| names::closest(metrics, wanted)).clone();
    }
}

type RowResult = std::result::Result<Option<Outcome>, String>;

/// What checking or applying the rows found.
struct RowChecks {
    /// Each row's outcome (`None`: skipped, blank value) or error, by index in the rows
    /// (a wide sheet's row holds many figures, so its row number names none alone).
    results: Vec<(usize, RowResult)>,
    /// The figure stored before the rows were saved, by index, for rows naming one.
    before: HashMap<usize, Stored>,
}

impl RowChecks {
    fn ok(&self) -> bool {
        self.results.iter().all(|(_, r)| r.is_ok())
    }
}

/// Each row's outcome or error, from a dry run.
async fn check(state: &AppState, p: &Principal, plan_id: i64, rows: Vec<PayloadRow>) -> Result<RowChecks> {
    let actor = p.account.name.clone();
    let today = state.today();
    let dry_run = |rows: Vec<PayloadRow>| {
        let actor = actor.clone();
        state.store.dry_run(move |tx| apply_rows(tx, plan_id, &rows, &actor, today, None))
    };
    let mut checks = dry_run(rows.clone()).await?;
    if checks.ok() {
        return Ok(checks);
    }
    // A refusal fails the whole batch, which leaves the rows that passed without an outcome
    // of their own. Checking them again alone gives it: refused rows write nothing, so the
    // others see the same figures as in the first run.
    let passed: Vec<usize> = checks.results.iter().filter(|(_, r)| matches!(r, Ok(Some(_)))).map(|(i, _)| *i).collect();
    if passed.is_empty() {
        return Ok(checks);
    }
    let again = dry_run(passed.iter().map(|&i| rows[i].clone()).collect()).await?;
    // The second run numbers its rows from 0: back to the indexes of the first.
    let outcomes: HashMap<usize, RowResult> = again.results.into_iter().map(|(i, r)| (passed[i], r)).collect();
    for (i, result) in &mut checks.results {
        if let (Ok(Some(_)), Some(outcome)) = (&*result, outcomes.get(i)) {
            *result = outcome.clone();
        }
    }
    Ok(checks)
}

/// Resolves and saves `rows`; returns each row's result and the figures they replace. The
/// caller decides whether the transaction stands.
fn apply_rows(
    tx: &rusqlite::Connection,
    plan_id: i64,
    rows: &[PayloadRow],
    actor: &str,
    today: chrono::NaiveDate,
    file: Option<&str>,
) -> Result<RowChecks> {
    let plan = store::plans::get(tx, plan_id)?;
    let metrics = store::plans::metrics(tx, plan_id)?;
    // Read before saving, for the check page to show what each row replaces.
    let stored: HashMap<(i64, Quarter), Stored> =
        store::values::stored_of_plan(tx, plan_id)?.into_iter().map(|s| ((s.metric_id, s.quarter), s)).collect();
    let mut before = HashMap::new();
    let mut results: Vec<(usize, RowResult)> = Vec::new();
    let mut items = Vec::new();
    let mut item_rows = Vec::new();
    let mut seen: HashMap<(i64, Quarter), usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        // A misread row is not resolved: its metric, quarter and value may be shifted cells.
        if let Some(e) = &r.error {
            results.push((i, Err(e.clone())));
            continue;
        }
        match resolve(&metrics, r) {
            Err(e) => results.push((i, Err(e))),
            Ok(None) => results.push((i, Ok(None))),
            Ok(Some((m, q))) => {
                if let Some(s) = stored.get(&(m.id, q)) {
                    before.insert(i, s.clone());
                }
                if let Some(first) = seen.insert((m.id, q), i) {
                    results.push((i, Err(format!("与{}重复(同一指标同一季度)", rows[first].place()))));
                    continue;
                }
                let input = Input { value: r.value.clone(), done: false, note: r.note.clone() };
                items.push(Item { metric: m.clone(), quarter: q, input, seen_version: None });
                item_rows.push(i);
                results.push((i, Ok(Some(Outcome::Unchanged))));
            }
        }
    }
    let outcomes = match store::entry::save_all(tx, &plan, &items, actor, today, "import") {
        Ok(o) => {
            // Each figure saved keeps where it came from, beside its history row.
            for ((item, &i), outcome) in items.iter().zip(&item_rows).zip(&o) {
                if let (Some(file), Outcome::Created | Outcome::Changed) = (file, outcome) {
                    let r = &rows[i];
                    let cell = if r.cell.is_empty() { format!("第 {} 行", r.row) } else { r.cell.clone() };
                    let source = Source { file: file.to_owned(), sheet: r.sheet.clone(), cell };
                    store::values::record_source(tx, item.metric.id, item.quarter, &source)?;
                }
            }
            o.into_iter().map(Ok).collect::<Vec<_>>()
        }
        // The rows that passed keep `Unchanged` here; `check` finds their real outcomes.
        Err(Error::Invalid(errors)) => {
            let mut out: Vec<std::result::Result<Outcome, Problem>> = vec![Ok(Outcome::Unchanged); items.len()];
            for e in errors {
                out[e.index] = Err(e.problem);
            }
            out
        }
        Err(e) => return Err(e),
    };
    for (row, outcome) in item_rows.into_iter().zip(outcomes) {
        if let Some(slot) = results.iter_mut().find(|(r, res)| *r == row && matches!(res, Ok(Some(_)))) {
            slot.1 = outcome.map(Some).map_err(|p| p.message());
        }
    }
    Ok(RowChecks { results, before })
}

/// The metric and quarter of a row; `None` for a row without a value (a template row).
fn resolve<'a>(metrics: &'a [Metric], r: &PayloadRow) -> std::result::Result<Option<(&'a Metric, Quarter)>, String> {
    let wanted = r.metric.trim();
    let m = metrics
        .iter()
        .find(|m| m.key == wanted)
        .or_else(|| metrics.iter().find(|m| m.name == wanted))
        .or_else(|| r.proposal.as_ref().and_then(|p| metrics.iter().find(|m| m.key == p.key)))
        .ok_or_else(|| format!("本规划没有指标“{wanted}”(按指标代码或名称查找,也没有名称相近的指标)"))?;
    let q: Quarter = r.quarter.parse().map_err(|e: crate::plan::quarter::QuarterParseError| e.to_string())?;
    if r.value.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some((m, q)))
}

/// Imports go through the sign-in session, to which their checked rows are tied.
fn session_of(p: &Principal) -> Result<i64> {
    p.session.as_ref().map(|(id, _)| *id).ok_or_else(|| Error::Forbidden("导入需在网页上登录后进行".into()))
}

/// The apply form: `upload`, the token of a checked upload, and one `accept` per name in the
/// sheet whose proposed metric the clerk ticked (a list, so read as pairs).
type ApplyForm = Vec<(String, String)>;

/// The rows to apply: a row whose metric was only proposed goes in under that metric when its
/// name was ticked, and is left out otherwise.
fn confirmed(rows: Vec<PayloadRow>, accepted: &[&str]) -> Vec<PayloadRow> {
    rows.into_iter()
        .filter_map(|mut r| match r.proposal.take() {
            None => Some(r),
            Some(p) if accepted.contains(&r.metric.as_str()) => {
                r.metric = p.key;
                Some(r)
            }
            Some(_) => None,
        })
        .collect()
}

/// Step two: apply the checked rows in one transaction, all or none.
pub async fn apply_import(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Editor(p): Editor,
    Path(plan_id): Path<i64>,
    Form(form): Form<ApplyForm>,
) -> Result<Response> {
    let session = session_of(&p)?;
    let upload = form.iter().find(|(k, _)| k == "upload").map(|(_, v)| v.clone()).unwrap_or_default();
    let accepted: Vec<&str> = form.iter().filter(|(k, _)| k == "accept").map(|(_, v)| v.as_str()).collect();
    let Some(pending) = state.uploads.get(&upload, session, plan_id) else {
        let mut page = page(&state, p, plan_id).await?;
        page.error = "这次导入已过期或不存在(检查结果保留 30 分钟),全部未保存,请重新上传文件。".into();
        return Ok((StatusCode::GONE, render(&page)?).into_response());
    };
    let rows = confirmed(pending.rows, &accepted);
    let file = pending.file.clone();
    let today = state.today();
    let r = rows.clone();
    let applied = state
        .store
        .write(move |tx| {
            let checks = apply_rows(tx, plan_id, &r, &actor, today, Some(&file))?;
            if !checks.ok() {
                return Err(Error::Refused("导入内容未通过检查,全部未保存".into()));
            }
            let changed =
                checks.results.iter().filter(|(_, o)| matches!(o, Ok(Some(o)) if *o != Outcome::Unchanged)).count();
            audit::record(
                tx,
                &actor,
                "import_applied",
                &format!("规划 {plan_id}"),
                &format!("{changed} 项数值有变动"),
                &addr,
            )?;
            Ok(changed)
        })
        .await;
    match applied {
        Ok(n) => {
            state.uploads.forget(&upload);
            Ok(flash::redirect(&state, &format!("/plans/{plan_id}/sheets"), Flash::Imported(n)))
        }
        Err(Error::Refused(_)) => {
            // Figures changed since the check: show the check again, as it stands now.
            let checked = check(&state, &p, plan_id, rows.clone()).await?;
            let mut page = page(&state, p, plan_id).await?;
            page.error = "导入内容在检查后已不再有效(可能有人修改了数值),全部未保存,请查看下表。".into();
            // Still kept: if the rows pass now, the same check can be confirmed again.
            let token = if checked.ok() { upload.clone() } else { String::new() };
            page.checked = Some(summarise(pending.file, &rows, checked, token));
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    /// `long`, `wide` or `template`.
    #[serde(default)]
    layout: String,
    /// `csv` or `xlsx`.
    #[serde(default)]
    format: String,
    quarter: Option<String>,
}

pub async fn export(
    State(state): State<AppState>,
    SignedIn(_): SignedIn,
    Path(plan_id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    let quarter = match &q.quarter {
        Some(s) => Some(s.parse::<Quarter>()?),
        None => None,
    };
    let what = Export::parse(&q.layout, quarter)?;
    let (plan, table) = state.store.read(move |c| tables::export(c, plan_id, what)).await?;
    let stem = what.file_stem(&plan);
    match q.format.as_str() {
        "xlsx" => {
            let name = what.sheet_name();
            let bytes = off_workers(move || sheet::write_xlsx(&[table.sheet(&name)]).map_err(Error::Internal)).await?;
            Ok(attachment(
                bytes,
                &format!("{stem}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ))
        }
        "csv" | "" => {
            let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
            Ok(attachment(sheet::write_csv(&header, &table.rows), &format!("{stem}.csv"), "text/csv; charset=utf-8"))
        }
        other => Err(Error::BadRequest(format!("未知的文件格式“{other}”,应为 csv 或 xlsx"))),
    }
}
