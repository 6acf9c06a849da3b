//! `/plans/{id}/evaluation`: the mid-term or final evaluation, from approved figures, for
//! the screen and for paper (A4 print stylesheet), with XLSX and Word downloads and a
//! comparison of two dates.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::auth::CurrentUser;
use super::cache::Page;
use super::deflate::AcceptsGzip;
use super::format::{metric_chart_svg, percent, value_text};
use super::{AppState, Layout, Reads, off_workers, page_response, render};
use crate::charts;
use crate::error::{Error, Result};
use crate::plan::progress::Status;
use crate::plan::text::{baseline_text, target_text};
use crate::plan::{Direction, Metric, Plan, Quarter, Reported, fmt_num};
use crate::report::{self, ChangeCause, Report, Row, StatusChange, status_rgb};
use crate::store::{self, values::View};

#[derive(Template)]
#[template(path = "pages/reports/evaluation.html")]
struct EvaluationPage {
    plan: Plan,
    as_of: NaiveDate,
    kind: &'static str,
    generated_on: NaiveDate,
    figures: report::FigureCounts,
    counts: Vec<(Status, usize)>,
    summary_chart: String,
    chapters: Vec<ChapterRows>,
    attention: Vec<(EvalRow, String)>,
    missing: Vec<EvalRow>,
    stale: Vec<EvalRow>,
    /// The quarter before the as-of date's: a figure older than this is stale.
    current_from: Quarter,
    dates: Vec<NaiveDate>,
}

impl EvaluationPage {
    fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// A chapter's title, its status counts and its lines.
type ChapterRows = (String, Vec<(Status, usize)>, Vec<EvalRow>);

/// One metric's line, as text.
#[derive(Clone)]
struct EvalRow {
    key: String,
    name: String,
    unit: String,
    baseline: String,
    target: String,
    value: String,
    /// The value as a sentence would say it: 45分钟, 完成 65%.
    value_with_unit: String,
    /// The quarter the value was reported for.
    quarter: String,
    /// The value is older than the quarter before the as-of date's (数据滞后).
    stale: bool,
    progress: String,
    expected: String,
    status: Status,
    projected: String,
    reach: String,
    sentence: String,
    spark: String,
}

/// `spark`: draw the row's sparkline (only the chapters' tables show one).
fn eval_row(plan: &Plan, r: &Row, spark: bool) -> EvalRow {
    let m = &r.metric;
    let a = &r.assessment;
    let points: Vec<(NaiveDate, f64)> = r.values.iter().map(|v| (v.quarter.end(), v.value)).collect();
    let target = crate::plan::progress::effective_target(m);
    EvalRow {
        key: m.key.clone(),
        name: m.name.clone(),
        unit: m.unit.clone(),
        baseline: baseline_text(m, a.baseline),
        target: target_text(m),
        value: a.latest.as_ref().map(|l| value_text(m, l.value, l.done)).unwrap_or_else(|| "—".into()),
        value_with_unit: a.latest.as_ref().map(|l| value_with_unit(m, l)).unwrap_or_else(|| "—".into()),
        quarter: a.latest.as_ref().map(|l| l.quarter.label_zh()).unwrap_or_else(|| "—".into()),
        stale: a.is_stale(),
        progress: a.progress.map(percent).unwrap_or_else(|_| "—".into()),
        expected: a.expected.map(percent).unwrap_or_else(|| "—".into()),
        status: a.status,
        projected: a.forecast().map(fmt_num).unwrap_or_else(|| "—".into()),
        reach: report::xlsx::reach_text(a),
        sentence: r.sentence.clone(),
        spark: if !spark {
            String::new()
        } else {
            charts::sparkline(&charts::Sparkline {
                values: &points,
                period: (plan.period_start, plan.period_end),
                baseline: a.baseline.map(|b| (b.date, b.value)),
                target: target.map(|t| (t.low, t.high)),
                lower_is_better: m.direction == Direction::Lower,
                width: 120,
                height: 32,
                label: format!("{} 各季度报告值", m.name),
            })
        },
    }
}

/// A reported figure with its unit; a milestone's words (完成 65%) carry none.
fn value_with_unit(m: &Metric, r: &Reported) -> String {
    crate::plan::text::with_unit(&value_text(m, r.value, r.done), &m.unit)
}

/// The evaluation date a request asks for: a quarter end, `final`, or the mid-term date.
fn as_of_of(plan: &Plan, raw: Option<&String>) -> Result<NaiveDate> {
    let date = match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => plan.midterm_on.map(|d| Quarter::containing(d).end()).unwrap_or(plan.period_end),
        Some("final") => plan.period_end,
        Some("midterm") => plan.midterm_on.unwrap_or(plan.period_end),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Error::BadRequest(format!("评估日期“{s}”无效,应为季度末日期(如 2023-06-30)或 final")))?,
    };
    if Quarter::containing(date).end() != date {
        return Err(Error::BadRequest(format!(
            "评估日期 {date} 不是季度末:请选择 3月31日、6月30日、9月30日或12月31日"
        )));
    }
    if date < plan.period_start || date > plan.period_end {
        return Err(Error::BadRequest(format!("评估日期 {date} 不在规划期内")));
    }
    Ok(date)
}

/// Reads what the report needs and builds it: a fixed number of queries.
fn load(c: &rusqlite::Connection, plan_id: i64, raw_as_of: Option<&String>, today: NaiveDate) -> Result<Report> {
    let snap = store::plans::snapshot(c, plan_id, View::Approved)?;
    let as_of = as_of_of(&snap.plan, raw_as_of)?;
    let figures = store::values::figure_counts(c, plan_id, Quarter::containing(as_of))?;
    // A report as of a date before a metric's retirement shows it, as it did then.
    let metrics: Vec<_> = snap.metrics.iter().filter(|m| m.tracked_on(as_of)).cloned().collect();
    Ok(report::build(&snap.plan, &snap.chapters, &metrics, &snap.values, figures, as_of, today))
}

async fn load_async(state: &AppState, plan_id: i64, raw_as_of: Option<String>) -> Result<Report> {
    let today = state.today();
    state.store.read(move |c| load(c, plan_id, raw_as_of.as_ref(), today)).await
}

pub async fn show_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    AcceptsGzip(gzip): AcceptsGzip,
    Path(plan_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let raw = q.get("as_of").cloned();
    let page = state.cached_page(key(&state, plan_id, raw.as_deref()), render_page(&state, plan_id, raw)).await?;
    page_response(Layout::new(&state, &user, page.title.clone()), &page, gzip)
}

/// The cache key of a report: the date asked for, and the day (the report names the day it
/// was generated).
pub(super) fn key(state: &AppState, plan_id: i64, raw_as_of: Option<&str>) -> String {
    format!("evaluation|{plan_id}|{raw_as_of:?}|{}", state.today())
}

/// Renders a report's body (off the async workers; see [`AppState::cached_page`]).
pub(super) fn render_page(
    state: &AppState,
    plan_id: i64,
    raw_as_of: Option<String>,
) -> impl FnOnce(&mut Reads) -> Result<Page> + Send + 'static {
    let st = state.clone();
    move |reads| {
        reads.plan(plan_id);
        let r = st.store.read_blocking(|c| load(c, plan_id, raw_as_of.as_ref(), st.today()))?;
        let kind = r.kind_zh();
        let head = format!(
            "<link rel=\"stylesheet\" media=\"print\" href=\"/plans/{}/evaluation-print.css?as_of={}\">",
            r.plan.id, r.as_of
        );
        Ok(Page::new(format!("{kind} {}", r.plan.title), head, &page(&r).render()?))
    }
}

fn page(r: &Report) -> EvaluationPage {
    let bars: Vec<(&str, usize, (u8, u8, u8))> =
        r.counts.iter().map(|(s, n)| (s.label_zh(), *n, status_rgb(*s))).collect();
    let summary_chart =
        charts::status_bars(&charts::StatusBars { title: "按状态统计", bars: &bars, width: 560, height: 220 });
    let rows_of = |rows: &[Row]| rows.iter().map(|row| eval_row(&r.plan, row, true)).collect::<Vec<_>>();
    let attention = r
        .attention()
        .into_iter()
        .map(|row| {
            (
                eval_row(&r.plan, row, false),
                metric_chart_svg(&r.plan, &row.metric, &row.assessment, &row.values, 640, 340),
            )
        })
        .collect();
    EvaluationPage {
        kind: r.kind_zh(),
        as_of: r.as_of,
        generated_on: r.generated_on,
        figures: r.figures,
        counts: r.counts.clone(),
        summary_chart,
        chapters: r.chapters.iter().map(|c| (c.chapter.title.clone(), c.counts.clone(), rows_of(&c.rows))).collect(),
        attention,
        missing: r.missing().into_iter().map(|row| eval_row(&r.plan, row, false)).collect(),
        stale: r.stale().into_iter().map(|row| eval_row(&r.plan, row, false)).collect(),
        current_from: Quarter::containing(r.as_of).prev(),
        dates: report::quarter_ends(&r.plan),
        plan: r.plan.clone(),
    }
}

pub async fn download_evaluation(
    State(state): State<AppState>,
    Path(plan_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let r = load_async(&state, plan_id, q.get("as_of").cloned()).await?;
    let name = format!("{}-evaluation-{}.xlsx", r.plan.key, r.as_of);
    let bytes = off_workers(move || report::xlsx::workbook(&r).map_err(Error::Internal)).await?;
    Ok(super::download::attachment(bytes, &name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
}

/// The evaluation as a Word document (GB/T 9704 layout), charts drawn with the CJK font
/// found on this machine, if any.
pub async fn download_evaluation_docx(
    State(state): State<AppState>,
    Path(plan_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let r = load_async(&state, plan_id, q.get("as_of").cloned()).await?;
    let name = format!("{}{}报告-{}.docx", r.plan.title, r.kind_zh(), r.as_of);
    // Finding the font reads font files the first time: off the async workers too.
    let bytes =
        off_workers(move || report::docx::document(&r, crate::fonts::cjk().map(|f| &f.font)).map_err(Error::Internal))
            .await?;
    Ok(super::download::attachment(bytes, &name, report::docx::MIME))
}

#[derive(Template)]
#[template(path = "pages/reports/compare.html")]
struct ComparePage {
    layout: Layout,
    plan: Plan,
    from: NaiveDate,
    to: NaiveDate,
    /// Changes a newer figure brought, then changes of the date alone.
    new_figures: Vec<ChangeRow>,
    date_only: Vec<ChangeRow>,
    unchanged: usize,
    dates: Vec<NaiveDate>,
}

/// One changed status, with the figure each evaluation stood on, as text.
struct ChangeRow {
    key: String,
    name: String,
    from: Status,
    to: Status,
    from_value: Figure,
    to_value: Figure,
    cause: ChangeCause,
}

/// A figure with its unit and quarter, and whether it is stale at its evaluation's date.
struct Figure {
    value: String,
    unit: String,
    quarter: String,
    stale: bool,
}

fn figure(m: &Metric, r: Option<&Reported>, stale: bool) -> Figure {
    match r {
        Some(r) => {
            Figure { value: value_text(m, r.value, r.done), unit: m.unit.clone(), quarter: r.quarter.label_zh(), stale }
        }
        None => Figure { value: "—".into(), unit: String::new(), quarter: "无已审核数据".into(), stale: false },
    }
}

fn change_row(c: &StatusChange) -> ChangeRow {
    ChangeRow {
        key: c.metric.key.clone(),
        name: c.metric.name.clone(),
        from: c.from,
        to: c.to,
        from_value: figure(&c.metric, c.from_latest.as_ref(), c.from_stale),
        to_value: figure(&c.metric, c.to_latest.as_ref(), c.to_stale),
        cause: c.cause,
    }
}

pub async fn compare_evaluations(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let earlier = load_async(&state, plan_id, Some(q.get("from").cloned().unwrap_or_else(|| "midterm".into()))).await?;
    let later = load_async(&state, plan_id, Some(q.get("to").cloned().unwrap_or_else(|| "final".into()))).await?;
    let changes = report::compare(&earlier, &later);
    let of = |cause| changes.iter().filter(|c| c.cause == cause).map(change_row).collect::<Vec<_>>();
    let page = ComparePage {
        layout: Layout::new(&state, &user, "评估对比"),
        unchanged: later.rows().count() - changes.len(),
        from: earlier.as_of,
        to: later.as_of,
        new_figures: of(ChangeCause::NewFigure),
        date_only: of(ChangeCause::DateOnly),
        dates: report::quarter_ends(&later.plan),
        plan: later.plan,
    };
    Ok(render(&page)?.into_response())
}

/// Escapes `s` for a CSS string literal.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => out.push_str(&format!("\\{:x} ", c as u32)),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Print margins for one report: plan title and date at the top of every page, page
/// numbers at the bottom, in the text's own typeface (margin boxes do not inherit the
/// body's). A stylesheet of its own, since the CSP allows no inline style.
pub async fn evaluation_print_css(
    State(state): State<AppState>,
    Path(plan_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let raw = q.get("as_of").cloned();
    let (plan, as_of) = state
        .store
        .read(move |c| {
            let plan = store::plans::get(c, plan_id)?;
            let as_of = as_of_of(&plan, raw.as_ref())?;
            Ok((plan, as_of))
        })
        .await?;
    let kind = plan.evaluation_kind_zh(as_of);
    let head = css_string(&format!("{} · {kind} · 截至 {as_of}", plan.title));
    let font = "font-family: \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", \"WenQuanYi Micro Hei\", sans-serif; \
                font-size: 8pt; color: #555;";
    let css = format!(
        "@page {{ @top-left {{ content: {head}; {font} }} \
         @bottom-right {{ content: \"第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页\"; {font} }} }}\n"
    );
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response())
}
