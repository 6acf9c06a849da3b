//! Metric definitions: name, unit, baseline, target, source sentence. Every saved edit is
//! written to the audit log, field by field, in the same transaction.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

use crate::error::Result;
use crate::plan::metric::check_target;
use crate::plan::{Frequency, Kind, Metric, Plan, Target, fmt_num, number};
use crate::store::{self, audit, plans::Definition};
use crate::web::auth::{Actor, Admin, CurrentUser};
use crate::web::flash::{self, Flash, Flashed};
use crate::web::plans::Paging;
use crate::web::{AppState, Layout, render};

#[derive(Template)]
#[template(path = "pages/admin/definitions.html")]
struct DefinitionsPage {
    layout: Layout,
    plans: Vec<(Plan, Vec<Metric>)>,
    page: i64,
    pages: i64,
}

/// Plans (with all their metrics) on one page of `/admin/metrics`.
const PLANS_PER_PAGE: i64 = 10;

/// `/admin/metrics?page=`: the plans a page at a time, each with its metrics.
pub async fn list_definitions(
    State(state): State<AppState>,
    Admin(p): Admin,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let paging = Paging::from_query(&q, PLANS_PER_PAGE)?;
    let (plans, total) = state
        .store
        .read(move |c| {
            let plans = store::plans::page(c, paging.offset(), paging.per_page)?
                .into_iter()
                .map(|plan| Ok((store::plans::metrics(c, plan.id)?, plan)))
                .map(|r: Result<_>| r.map(|(m, p)| (p, m)))
                .collect::<Result<Vec<_>>>()?;
            Ok((plans, store::plans::count(c)?))
        })
        .await?;
    let page = DefinitionsPage {
        layout: Layout::new(&state, &CurrentUser(Some(p)), "指标定义"),
        plans,
        page: paging.page,
        pages: paging.pages(total),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "pages/admin/definition.html")]
struct DefinitionPage {
    layout: Layout,
    csrf: String,
    metric: Metric,
    form: DefinitionForm,
    errors: HashMap<&'static str, String>,
}

impl DefinitionPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }

    fn target_editable(&self) -> bool {
        matches!(self.metric.kind, Kind::Level | Kind::Count)
    }
}

/// The form as typed, kept as text so a refused form comes back exactly as it was.
#[derive(Deserialize, Default, Clone)]
pub struct DefinitionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    baseline: String,
    #[serde(default)]
    baseline_date: String,
    #[serde(default)]
    target_low: String,
    #[serde(default)]
    target_high: String,
    #[serde(default)]
    target_date: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    notes: String,
    /// `quarterly` or `annual`; absent (an older form) keeps the metric's.
    #[serde(default)]
    frequency: String,
}

impl DefinitionForm {
    fn of(m: &Metric) -> Self {
        let num = |v: Option<f64>| v.map(fmt_num).unwrap_or_default();
        let date = |v: Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        Self {
            name: m.name.clone(),
            name_en: m.name_en.clone().unwrap_or_default(),
            unit: m.unit.clone(),
            baseline: num(m.baseline),
            baseline_date: date(m.baseline_date),
            target_low: num(m.target.map(|t| t.low)),
            target_high: num(m.target.map(|t| t.high)),
            target_date: date(m.target_date),
            source: m.source.clone(),
            notes: m.notes.clone(),
            frequency: m.frequency.as_str().to_owned(),
        }
    }

    /// The definition, or every field's problem.
    fn parse(&self, m: &Metric) -> Result<Definition, HashMap<&'static str, String>> {
        let mut errors = HashMap::new();
        let mut required = |field: &'static str, v: &str, what: &str| {
            if v.trim().is_empty() {
                errors.insert(field, format!("请填写{what}"));
            }
        };
        required("name", &self.name, "名称");
        required("unit", &self.unit, "单位");
        required("source", &self.source, "规划原文");
        let mut optional_number = |field: &'static str, v: &str| {
            if v.trim().is_empty() {
                return None;
            }
            number::parse(v).map_err(|e| errors.insert(field, e)).ok()
        };
        let baseline = optional_number("baseline", &self.baseline);
        let (low, high) = if matches!(m.kind, Kind::Level | Kind::Count) {
            (optional_number("target_low", &self.target_low), optional_number("target_high", &self.target_high))
        } else {
            (m.target.map(|t| t.low), m.target.map(|t| t.high))
        };
        let target = match (low, high) {
            (Some(l), Some(h)) => Some(Target { low: l, high: h }),
            (Some(v), None) | (None, Some(v)) => Some(Target::single(v)),
            (None, None) => None,
        };
        let mut date = |field: &'static str, v: &str| {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| errors.insert(field, format!("日期“{v}”无效"))).ok()
        };
        let baseline_date = date("baseline_date", &self.baseline_date);
        let target_date = date("target_date", &self.target_date);
        if let (Some(b), Some(t)) = (baseline_date, target_date)
            && t <= b
        {
            errors.insert("target_date", "目标日期必须晚于基期日期".into());
        }
        let frequency = match self.frequency.trim() {
            "" => m.frequency,
            f => Frequency::parse(f).unwrap_or_else(|| {
                errors.insert("frequency", format!("未知填报频率“{f}”"));
                m.frequency
            }),
        };
        if let Err((field, message)) = check_target(m.kind, baseline, target) {
            errors.entry(if field == "target" { "target_low" } else { "baseline" }).or_insert(message);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let trimmed = |s: &str| s.trim().to_owned();
        Ok(Definition {
            name: trimmed(&self.name),
            name_en: Some(trimmed(&self.name_en)).filter(|s| !s.is_empty()),
            unit: trimmed(&self.unit),
            baseline,
            baseline_date,
            target,
            target_date,
            source: trimmed(&self.source),
            notes: trimmed(&self.notes),
            frequency,
        })
    }
}

pub async fn edit_definition(
    State(state): State<AppState>,
    Admin(p): Admin,
    Path(key): Path<String>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let metric = state.store.read(move |c| store::plans::metric_by_key(c, &key)).await?;
    let mut page = DefinitionPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(&state, &CurrentUser(Some(p)), format!("编辑指标:{}", metric.name)),
        form: DefinitionForm::of(&metric),
        metric,
        errors: HashMap::new(),
    };
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

pub async fn save_definition(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Path(key): Path<String>,
    Form(form): Form<DefinitionForm>,
) -> Result<Response> {
    let k = key.clone();
    let metric = state.store.read(move |c| store::plans::metric_by_key(c, &k)).await?;
    match form.parse(&metric) {
        Ok(new) => {
            let id = metric.id;
            let subject = metric.key.clone();
            state
                .store
                .write(move |tx| {
                    // Re-read inside the transaction, so the audit's "old" is what was replaced.
                    let current = store::plans::metric_by_key(tx, &subject)?;
                    let changes = Definition::of(&current).changes(&new);
                    if !changes.is_empty() {
                        store::plans::update_definition(tx, id, &new)?;
                        audit::record(tx, &actor, "metric_changed", &subject, &changes.join(";"), &addr)?;
                    }
                    Ok(())
                })
                .await?;
            Ok(flash::redirect(&state, &format!("/admin/metrics/{key}"), Flash::DefinitionSaved))
        }
        Err(errors) => {
            let page = DefinitionPage {
                csrf: p.csrf().to_owned(),
                layout: Layout::new(&state, &CurrentUser(Some(p)), format!("编辑指标:{}", metric.name)),
                metric,
                form,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
