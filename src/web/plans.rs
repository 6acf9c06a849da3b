//! `/plans`: every plan, a page at a time, each linked to its dashboard. Lists of plans are
//! paged everywhere (here, `/api/plans`, the admin's definitions), so a bureau with
//! thousands of plans gets pages of the same size as one with two.

use std::collections::HashMap;
use std::sync::Mutex;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::auth::CurrentUser;
use super::cache::Page;
use super::deflate::AcceptsGzip;
use super::{AppState, Layout, page_response};
use crate::error::{Error, Result};
use chrono::NaiveDate;

use crate::plan::Plan;
use crate::plan::progress::{Status, count_statuses};
use crate::store::{self, Scope};

/// Plans on one page of `/plans` unless `per_page` says otherwise.
pub const PER_PAGE: i64 = 50;
/// The most a request may ask for on one page.
pub const MAX_PER_PAGE: i64 = 200;

/// A page of a list: `?page=` counts from 1; `?per_page=` up to [`MAX_PER_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// Reads `page` and `per_page`, refusing what is not a whole number in range.
    pub fn from_query(q: &HashMap<String, String>, default_per_page: i64) -> Result<Self> {
        let number = |name: &str, default: i64, max: i64| -> Result<i64> {
            match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => s
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| Error::BadRequest(format!("{name}“{s}”无效,应为 1 到 {max} 的整数"))),
            }
        };
        Ok(Self { page: number("page", 1, 1_000_000)?, per_page: number("per_page", default_per_page, MAX_PER_PAGE)? })
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Pages needed for `total` items (at least one, empty).
    pub fn pages(&self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// A plan's figures at a glance: how many metrics stand at each status, as its dashboard
/// counts them at its default date. Kept per plan while the plan is unchanged, so a page
/// of `/plans` made again after one plan's save assesses that plan alone.
#[derive(Default)]
pub(crate) struct Counts(Mutex<HashMap<(i64, NaiveDate), Counted>>);

/// A plan's counts with the plan's stamp they were made at.
type Counted = (u64, Vec<(Status, usize)>);

/// Entries kept at most: a day's plans of a very large bureau.
const COUNTS_KEPT: usize = 10_000;

impl Counts {
    fn of(&self, state: &AppState, c: &rusqlite::Connection, plan: &Plan) -> Result<Vec<(Status, usize)>> {
        let as_of = state.default_as_of(plan);
        let key = (plan.id, as_of);
        let stamp = state.store.stamp(Scope::Plan(plan.id));
        if let Some((s, counts)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && *s == stamp
        {
            return Ok(counts.clone());
        }
        let snap = store::plans::snapshot(c, plan.id, store::values::View::Approved)?;
        let counts = count_statuses(
            snap.metrics
                .iter()
                .filter(|m| m.tracked_on(as_of))
                .map(|m| plan.assess(m, snap.values_of(m.id), as_of).status),
        );
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= COUNTS_KEPT {
            kept.clear();
        }
        kept.insert(key, (stamp, counts.clone()));
        Ok(counts)
    }
}

/// One plan's row of `/plans`.
struct PlanRow {
    plan: Plan,
    /// 草稿, 未开始, 执行中 or 已结束.
    state: &'static str,
    counts: Vec<(Status, usize)>,
}

impl PlanRow {
    fn metrics(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// Where a plan stands on `today`.
pub fn plan_state(plan: &Plan, today: NaiveDate) -> &'static str {
    if plan.draft {
        "草稿"
    } else if today < plan.period_start {
        "未开始"
    } else if today > plan.period_end {
        "已结束"
    } else {
        "执行中"
    }
}

#[derive(Template)]
#[template(path = "pages/plans/index.html")]
struct PlansPage {
    plans: Vec<PlanRow>,
    total: i64,
    paging: Paging,
    pages: i64,
}

impl PlansPage {
    /// The address of page `page` at this page's size.
    fn link(&self, page: i64) -> String {
        match self.paging.per_page {
            PER_PAGE => format!("/plans?page={page}"),
            n => format!("/plans?page={page}&per_page={n}"),
        }
    }
}

pub async fn list_plans(
    State(state): State<AppState>,
    user: CurrentUser,
    AcceptsGzip(gzip): AcceptsGzip,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let paging = Paging::from_query(&q, PER_PAGE)?;
    let drafts = user.0.as_ref().is_some_and(|p| p.account.role.may_administer());
    let today = state.today();
    let key = format!("plans|{}|{}|{drafts}|{today}", paging.page, paging.per_page);
    let st = state.clone();
    let page = state
        .cached_page(key, move |reads| {
            reads.scope(Scope::PlanList);
            st.store.read_blocking(|c| {
                let total = store::plans::count_visible(c, drafts)?;
                let plans = store::plans::page_visible(c, paging.offset(), paging.per_page, today, drafts)?;
                let plans = plans
                    .into_iter()
                    .map(|plan| {
                        reads.plan(plan.id);
                        let counts = st.plan_counts.of(&st, c, &plan)?;
                        Ok(PlanRow { state: plan_state(&plan, today), counts, plan })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let body = PlansPage { plans, total, paging, pages: paging.pages(total) }.render()?;
                Ok(Page::new("规划列表".into(), String::new(), &body))
            })
        })
        .await?;
    page_response(Layout::new(&state, &user, page.title.clone()), &page, gzip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn paging_reads_its_numbers_and_refuses_the_rest() {
        assert_eq!(Paging::from_query(&q(&[]), 50).unwrap(), Paging { page: 1, per_page: 50 });
        let p = Paging::from_query(&q(&[("page", "3"), ("per_page", "20")]), 50).unwrap();
        assert_eq!((p.offset(), p.pages(41), p.pages(0)), (40, 3, 1));
        for bad in [("page", "0"), ("page", "x"), ("per_page", "0"), ("per_page", "201"), ("page", "-1")] {
            assert!(Paging::from_query(&q(&[bad]), 50).is_err(), "{bad:?}");
        }
    }
}
