//! A plan's own header: title, issuer, document number, dates. The period and the metrics
//! come from the seed file; every edit here is in the audit log with old and new values.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

use crate::error::Result;
use crate::plan::Plan;
use crate::store::{self, audit};
use crate::web::auth::{Actor, Admin, CurrentUser, Principal};
use crate::web::flash::{self, Flash, Flashed};
use crate::web::{AppState, Layout, render};

#[derive(Template)]
#[template(path = "pages/admin/plan.html")]
struct PlanPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    form: PlanForm,
    errors: HashMap<&'static str, String>,
}

impl PlanPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

/// The form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct PlanForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    midterm_on: String,
}

impl PlanForm {
    fn of(p: &Plan) -> Self {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Self {
            title: p.title.clone(),
            issuer: p.issuer.clone(),
            document_number: p.document_number.clone(),
            issued_on: date(p.issued_on),
            midterm_on: date(p.midterm_on),
        }
    }

    /// The edited plan, or each field's problem.
    fn apply(&self, p: &Plan) -> std::result::Result<Plan, HashMap<&'static str, String>> {
        let mut errors = HashMap::new();
        if self.title.trim().is_empty() {
            errors.insert("title", "请填写规划名称".to_owned());
        }
        let mut date = |field: &'static str, v: &str| {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| errors.insert(field, format!("日期“{v}”无效"))).ok()
        };
        let issued_on = date("issued_on", &self.issued_on);
        let midterm_on = date("midterm_on", &self.midterm_on);
        if midterm_on.is_some_and(|m| m < p.period_start || m > p.period_end) {
            errors.insert("midterm_on", format!("中期评估日期应在规划期({} 至 {})内", p.period_start, p.period_end));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            title: self.title.trim().to_owned(),
            issuer: self.issuer.trim().to_owned(),
            document_number: self.document_number.trim().to_owned(),
            issued_on,
            midterm_on,
            ..p.clone()
        })
    }
}

fn page(state: &AppState, p: Principal, plan: Plan, form: PlanForm, errors: HashMap<&'static str, String>) -> PlanPage {
    PlanPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), format!("编辑规划:{}", plan.title)),
        plan,
        form,
        errors,
    }
}

pub async fn edit_plan(
    State(state): State<AppState>,
    Admin(p): Admin,
    Path(id): Path<i64>,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let plan = state.store.read(move |c| store::plans::get(c, id)).await?;
    let form = PlanForm::of(&plan);
    let mut page = page(&state, p, plan, form, HashMap::new());
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

pub async fn save_plan(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Path(id): Path<i64>,
    Form(form): Form<PlanForm>,
) -> Result<Response> {
    let plan = state.store.read(move |c| store::plans::get(c, id)).await?;
    match form.apply(&plan) {
        Ok(new) => {
            state
                .store
                .write(move |tx| {
                    let old = store::plans::get(tx, id)?;
                    let changes = store::plans::plan_changes(&old, &new);
                    if !changes.is_empty() {
                        store::plans::update_plan(tx, &new)?;
                        audit::record(tx, &actor, "plan_changed", &old.key, &changes.join(";"), &addr)?;
                    }
                    Ok(())
                })
                .await?;
            Ok(flash::redirect(&state, &format!("/admin/plans/{id}"), Flash::PlanSaved))
        }
        Err(errors) => {
            let page = page(&state, p, plan, form, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
