//! Draft plans are seen by administrators only: [`hide_drafts`] answers 404 to anyone
//! else for every address that names a draft plan or one of its metrics, before any
//! handler or cached page is reached. Also publishing a draft and a plan's seed file.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::{Actor, Admin, CurrentUser, Principal};
use super::cache::MadeFrom;
use super::flash::{self, Flash};
use super::{AppState, Layout, render};
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::store::{self, Scope};

/// What only administrators see: draft plans and their metrics.
#[derive(Debug, Default)]
pub(crate) struct Hidden {
    pub plans: HashSet<i64>,
    pub metrics: HashSet<String>,
}

/// [`Hidden`] as last read, with the stamps it was read at.
#[derive(Default)]
pub(crate) struct HiddenCache(Mutex<Option<(MadeFrom, Arc<Hidden>)>>);

impl AppState {
    /// [`Hidden`] if what was last read is still current.
    pub(crate) fn hidden_now(&self) -> Option<Arc<Hidden>> {
        let kept = self.hidden.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref().filter(|(made_from, _)| self.store.unchanged(made_from)).map(|(_, h)| h.clone())
    }

    /// [`Hidden`], read again when a plan was added, retitled or published, or a draft's
    /// metrics changed.
    pub(crate) async fn hidden(&self) -> Result<Arc<Hidden>> {
        if let Some(h) = self.hidden_now() {
            return Ok(h);
        }
        let store = self.store.clone();
        let (made_from, hidden) = self
            .store
            .read(move |c| {
                // Each stamp before the data it covers: a plan drafted or published meanwhile
                // changes the list's, a metric added to a draft meanwhile that draft's.
                let mut made_from = vec![(Scope::PlanList, store.stamp(Scope::PlanList))];
                let ids = store::drafts::draft_ids(c)?;
                made_from.extend(ids.iter().map(|&id| (Scope::Plan(id), store.stamp(Scope::Plan(id)))));
                let keys = store::drafts::draft_metric_keys(c)?;
                Ok((made_from, Hidden { plans: ids.into_iter().collect(), metrics: keys.into_iter().collect() }))
            })
            .await?;
        let hidden = Arc::new(hidden);
        *self.hidden.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((made_from, hidden.clone()));
        Ok(hidden)
    }
}

/// The plan id and metric key an address names: `/plans/{id}/…`, `?plan={id}`,
/// `/metrics/{key}/…`, under `/api` too.
fn named(path: &str, query: Option<&str>) -> (Option<i64>, Option<String>) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let after = |name: &str| segments.windows(2).find(|w| w[0] == name).map(|w| w[1]);
    let mut plan = after("plans").and_then(|s| s.parse().ok());
    if plan.is_none() {
        plan = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|kv| kv.strip_prefix("plan="))
            .and_then(|v| v.trim().parse().ok());
    }
    let metric = after("metrics").map(percent_decoded);
    (plan, metric)
}

fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Answers 404, as for a plan that does not exist, to anyone but an administrator who asks
/// for a draft plan's page, chart, export or API answer.
pub(crate) async fn hide_drafts(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let admin = req.extensions().get::<Principal>().is_some_and(|p| p.account.role.may_administer());
    let (plan, metric) = named(req.uri().path(), req.uri().query());
    if plan.is_none() && metric.is_none() {
        return next.run(req).await;
    }
    let hidden = match state.hidden().await {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    let is_hidden =
        plan.is_some_and(|id| hidden.plans.contains(&id)) || metric.is_some_and(|k| hidden.metrics.contains(&k));
    if is_hidden && !admin {
        return Error::not_found("页面不存在").into_response();
    }
    next.run(req).await
}

#[derive(Template)]
#[template(path = "pages/plans/publish.html")]
struct PublishPage {
    layout: Layout,
    csrf: String,
    plan: Plan,
    metrics: usize,
}

/// The confirmation before a draft is published.
pub async fn confirm_publish(State(state): State<AppState>, Admin(p): Admin, Path(id): Path<i64>) -> Result<Response> {
    let (plan, metrics) =
        state.store.read(move |c| Ok((store::plans::get(c, id)?, store::plans::metrics(c, id)?.len()))).await?;
    if !plan.draft {
        return Err(Error::Refused(format!("规划“{}”已发布", plan.title)));
    }
    let page = PublishPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(&state, &CurrentUser(Some(p)), format!("发布规划:{}", plan.title)),
        plan,
        metrics,
    };
    Ok(render(&page)?.into_response())
}

pub async fn publish(
    State(state): State<AppState>,
    Actor { name: actor, .. }: Actor,
    Admin(_): Admin,
    Path(id): Path<i64>,
) -> Result<Response> {
    state.store.write(move |tx| store::drafts::publish(tx, id, &actor)).await?;
    Ok(flash::redirect(&state, &format!("/?plan={id}"), Flash::PlanSaved))
}

/// `/plans/{id}/seed.toml`: the plan as a seed file, drafts too (administrators only).
pub async fn download_seed(State(state): State<AppState>, Admin(_): Admin, Path(id): Path<i64>) -> Result<Response> {
    let def = state.store.read(move |c| store::drafts::plan_def(c, id)).await?;
    let text = crate::plan::seed::to_toml(&def);
    Ok(super::download::attachment(text.into_bytes(), &format!("{}.toml", def.key), "application/toml; charset=utf-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_their_plan_and_metric() {
        assert_eq!(named("/plans/7/evaluation", None), (Some(7), None));
        assert_eq!(named("/", Some("as_of=2025-01-01&plan=3")), (Some(3), None));
        assert_eq!(named("/api/plans/4/metrics", None), (Some(4), None));
        assert_eq!(named("/metrics/a-b/chart.svg", Some("plan=x")), (None, Some("a-b".into())));
        assert_eq!(named("/api/metrics/%61b/history", None), (None, Some("ab".into())));
        assert_eq!(named("/plans", Some("page=2")), (None, None));
        assert_eq!(named("/admin/metrics", None), (None, None));
    }
}
