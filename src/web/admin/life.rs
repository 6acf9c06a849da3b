//! A published plan's metrics change: one added, one retired (and back), one marked as
//! carrying on an older plan's. Each change is audited; bad input changes nothing.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::plan::seed::{self, MetricDef};
use crate::plan::{Chapter, Plan};
use crate::store;
use crate::web::auth::{Actor, Admin, CurrentUser, Principal};
use crate::web::flash::{self, Flash};
use crate::web::{AppState, Layout, render};

#[derive(Deserialize)]
pub struct RetireForm {
    #[serde(default)]
    retired_on: String,
    #[serde(default)]
    reason: String,
}

/// Retires a metric on a date, for a reason.
pub async fn retire_metric(
    State(state): State<AppState>,
    Actor { name, addr }: Actor,
    Admin(_): Admin,
    Path(key): Path<String>,
    Form(form): Form<RetireForm>,
) -> Result<Response> {
    let raw = form.retired_on.trim().to_owned();
    let on = NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .map_err(|_| Error::BadRequest(format!("停用日期“{raw}”无效,应为 YYYY-MM-DD")))?;
    let k = key.clone();
    state.store.write(move |tx| store::drafts::retire(tx, &k, on, &form.reason, &name, &addr)).await?;
    Ok(flash::redirect(&state, &format!("/admin/metrics/{key}"), Flash::DefinitionSaved))
}

/// Undoes a retirement.
pub async fn reactivate_metric(
    State(state): State<AppState>,
    Actor { name, addr }: Actor,
    Admin(_): Admin,
    Path(key): Path<String>,
) -> Result<Response> {
    let k = key.clone();
    state.store.write(move |tx| store::drafts::reactivate(tx, &k, &name, &addr)).await?;
    Ok(flash::redirect(&state, &format!("/admin/metrics/{key}"), Flash::DefinitionSaved))
}

#[derive(Deserialize)]
pub struct ContinuesForm {
    #[serde(default)]
    continues: String,
}

/// Sets (or, empty, clears) the older metric this one continues.
pub async fn set_continues(
    State(state): State<AppState>,
    Actor { name, addr }: Actor,
    Admin(_): Admin,
    Path(key): Path<String>,
    Form(form): Form<ContinuesForm>,
) -> Result<Response> {
    let k = key.clone();
    let old = Some(form.continues.trim().to_owned()).filter(|s| !s.is_empty());
    state.store.write(move |tx| store::drafts::set_continues(tx, &k, old.as_deref(), &name, &addr)).await?;
    Ok(flash::redirect(&state, &format!("/admin/metrics/{key}"), Flash::DefinitionSaved))
}

/// The add-a-metric form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct NewMetricForm {
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    baseline: String,
    #[serde(default)]
    target_low: String,
    #[serde(default)]
    target_high: String,
    #[serde(default)]
    source: String,
}

impl NewMetricForm {
    /// The metric as a seed file would describe it, checked by the seed's own rules
    /// (kinds, targets, bounds), or the field and its problem.
    fn parse(&self, plan: &Plan) -> std::result::Result<MetricDef, (&'static str, String)> {
        let mut metric = toml::Table::new();
        let text = |s: &str| toml::Value::String(s.trim().to_owned());
        for (field, v) in [
            ("key", &self.key),
            ("name", &self.name),
            ("unit", &self.unit),
            ("kind", &self.kind),
            ("direction", &self.direction),
            ("source", &self.source),
        ] {
            metric.insert(field.into(), text(v));
        }
        let number = |field: &'static str, v: &str| -> std::result::Result<Option<f64>, (&'static str, String)> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>().ok().filter(|n| n.is_finite()).map(Some).ok_or((field, format!("“{v}”不是数字")))
        };
        if let Some(b) = number("baseline", &self.baseline)? {
            metric.insert("baseline".into(), toml::Value::Float(b));
        }
        match (number("target_low", &self.target_low)?, number("target_high", &self.target_high)?) {
            (Some(lo), Some(hi)) => {
                metric.insert("target".into(), toml::Value::Array(vec![lo.into(), hi.into()]));
            }
            (Some(t), None) => {
                metric.insert("target".into(), toml::Value::Float(t));
            }
            (None, Some(_)) => return Err(("target_low", "区间目标请同时填写下限".into())),
            (None, None) => {}
        }
        let def = crate::plan::seed::PlanDef {
            key: plan.key.clone(),
            title: plan.title.clone(),
            issuer: String::new(),
            document_number: String::new(),
            issued_on: None,
            period_start: plan.period_start,
            period_end: plan.period_end,
            midterm_on: None,
            source: String::new(),
            chapters: Vec::new(),
        };
        let mut file = toml::Table::new();
        let text = seed::to_toml(&def);
        let head: toml::Table = toml::from_str(&text).map_err(|e| ("key", e.to_string()))?;
        file.extend(head);
        let mut chapter = toml::Table::new();
        chapter.insert("title".into(), "c".into());
        chapter.insert("metrics".into(), toml::Value::Array(vec![toml::Value::Table(metric)]));
        file.insert("chapters".into(), toml::Value::Array(vec![toml::Value::Table(chapter)]));
        let parsed =
            seed::parse("表单", &toml::to_string(&file).map_err(|e| ("key", e.to_string()))?).map_err(|e| {
                let field = match e.field.as_str() {
                    "key" => "key",
                    "name" => "name",
                    "unit" => "unit",
                    "kind" => "kind",
                    "direction" => "direction",
                    "baseline" => "baseline",
                    "source" => "source",
                    _ => "target_low",
                };
                (field, e.message)
            })?;
        parsed.chapters.into_iter().flat_map(|c| c.metrics).next().ok_or(("key", "缺少指标".into()))
    }
}

#[derive(Template)]
#[template(path = "pages/admin/new_metric.html")]
struct NewMetricPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    chapters: Vec<Chapter>,
    form: NewMetricForm,
    errors: HashMap<&'static str, String>,
}

impl NewMetricPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

async fn page(
    state: &AppState,
    p: Principal,
    plan_id: i64,
    form: NewMetricForm,
    errors: HashMap<&'static str, String>,
) -> Result<NewMetricPage> {
    let (plan, chapters) =
        state.store.read(move |c| Ok((store::plans::get(c, plan_id)?, store::plans::chapters(c, plan_id)?))).await?;
    Ok(NewMetricPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), format!("新增指标:{}", plan.title)),
        plan,
        chapters,
        form,
        errors,
    })
}

pub async fn new_metric(State(state): State<AppState>, Admin(p): Admin, Path(id): Path<i64>) -> Result<Response> {
    let form = NewMetricForm { kind: "level".into(), direction: "higher".into(), ..Default::default() };
    Ok(render(&page(&state, p, id, form, HashMap::new()).await?)?.into_response())
}

pub async fn add_metric(
    State(state): State<AppState>,
    Actor { name, addr }: Actor,
    Admin(p): Admin,
    Path(id): Path<i64>,
    Form(form): Form<NewMetricForm>,
) -> Result<Response> {
    let plan = state.store.read(move |c| store::plans::get(c, id)).await?;
    let refuse = |field: &'static str, message: String| HashMap::from([(field, message)]);
    let chapter_id = form.chapter.trim().parse::<i64>().ok();
    let parsed = match (chapter_id, form.parse(&plan)) {
        (None, _) => Err(refuse("chapter", "请选择章节".into())),
        (_, Err((field, message))) => Err(refuse(field, message)),
        (Some(c), Ok(m)) => Ok((c, m)),
    };
    let errors = match parsed {
        Ok((chapter_id, m)) => {
            let key = m.key.clone();
            match state.store.write(move |tx| store::drafts::add_metric(tx, id, chapter_id, &m, &name, &addr)).await {
                Ok(()) => return Ok(flash::redirect(&state, &format!("/admin/metrics/{key}"), Flash::DefinitionSaved)),
                Err(Error::Refused(message) | Error::BadRequest(message)) => refuse("key", message),
                Err(e) => return Err(e),
            }
        }
        Err(errors) => errors,
    };
    let page = page(&state, p, id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}
