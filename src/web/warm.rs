//! Pages rendered before anyone asks: after a start, and again each day once the day
//! changes (every page's key names the day, so at midnight every page goes stale at once).
//!
//! A district's first visitor then finds its dashboard and report kept, however many plans
//! the server holds: a fresh 50-metric dashboard costs milliseconds, and sixty-four
//! visitors each opening a different plan in the first second after a start would
//! otherwise wait in line for two cores. Published plans in force come first, dashboards
//! before reports, until the page budget is nearly spent (beyond it, warming would only
//! push out what it warmed). One page at a time, and only while a core is free of
//! visitors' renders: a visitor's render never waits behind more than the one page being
//! warmed (pages served from the cache still share the cores with it).

use std::time::{Duration, Instant};

use super::{AppState, Lang, dashboard, evaluation};
use crate::store::{self, values::View};

/// What one warming did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warmed {
    pub plans: usize,
    pub pages: usize,
    /// Stopped at the page budget before every plan's pages were kept.
    pub budget_reached: bool,
}

/// Warms now and after every change of day, until the task is aborted.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let day = state.today();
            let started = Instant::now();
            // At a start the caches hold at most what the first visitors asked for.
            match new_day(&state).await {
                Ok(w) => tracing::info!(
                    "页面预热完成 pages warmed: {} plans, {} pages in {:.1} s{}",
                    w.plans,
                    w.pages,
                    started.elapsed().as_secs_f64(),
                    if w.budget_reached { " (page budget reached; raise --cache-mb to keep more)" } else { "" }
                ),
                Err(e) => tracing::warn!("页面预热失败 warming pages failed: {e}"),
            }
            // Checked each minute rather than slept to midnight: a clock set back or forward,
            // or a demo's fixed day, needs no arithmetic to get right.
            while state.today() == day {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
        }
    })
}

/// A new day: yesterday's pages can never be served again (their keys name the day), but
/// they would hold the budget, and the cache's clock drops pages not yet used first, which
/// would be the ones just warmed. They are dropped, then today's are warmed.
pub async fn new_day(state: &AppState) -> crate::Result<Warmed> {
    state.forget_pages();
    warm(state).await
}

/// Renders every published plan's dashboard and report (default date, approved figures,
/// Chinese), those in force today first, into the page cache.
pub async fn warm(state: &AppState) -> crate::Result<Warmed> {
    let today = state.today();
    let plans = state.store.read(move |c| store::plans::page_visible(c, 0, i64::MAX, today, false)).await?;
    let mut done = Warmed { plans: plans.len(), pages: 0, budget_reached: false };
    for report in [false, true] {
        for plan in &plans {
            // Nine tenths: the last pages warmed would push out the first.
            if state.pages.bytes() >= state.pages.budget() / 10 * 9 {
                done.budget_reached = true;
                return Ok(done);
            }
            if state.today() != today {
                return Ok(done);
            }
            state.renders.wait_for_a_free_core().await;
            let kept = if report {
                let key = evaluation::key(state, plan.id, None);
                state.cached_page(key, evaluation::render_page(state, plan.id, None)).await
            } else {
                let (lang, view) = (Lang::default(), View::Approved);
                let key = dashboard::key(state, plan.id, None, view, lang);
                state.cached_page(key, dashboard::render(state, plan.id, None, view, lang)).await
            };
            match kept {
                Ok(_) => done.pages += 1,
                // A plan whose page cannot be rendered shows its error to whoever opens it.
                Err(e) => tracing::warn!("预热 plan {} 失败: {e}", plan.id),
            }
        }
    }
    Ok(done)
}
