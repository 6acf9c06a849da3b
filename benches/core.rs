//! `cargo bench --bench core`: the arithmetic, the charts, the evaluation report and the
//! real router's pages, on the real seed plan with 20 quarters of figures, and the dashboard
//! again on a scale database (40 plans × 50 metrics × 20 quarters) to show how cost grows:
//! uncached (`*_uncached`: a 50-metric dashboard and report rendered afresh), cached, and
//! cached while another plan is saved.
//!
//! Every fixture is built once, before its bench is timed.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::NaiveDate;
use divan::Bencher;
use plantrack::charts::{self, MetricChart};
use plantrack::plan::progress::{Assessment, effective_target, expected_path};
use plantrack::plan::{Chapter, Direction, Metric, Plan, Reported};
use plantrack::report::{self, FigureCounts};
use plantrack::scale::{self, ScaleSpec};
use plantrack::setup::{self, Seeds};
use plantrack::store::{self, values::View};
use plantrack::web::Config;
use rusqlite::Connection;
use tempfile::TempDir;
use tower::ServiceExt;

fn main() {
    divan::main();
}

/// The metric the single-metric benches use.
const KEY: &str = "severe-convection-warning-lead-time";
const QUARTERS: usize = 20;

/// The real seed plan with 20 quarters of plausible figures, in memory.
struct RealPlan {
    plan: Plan,
    chapters: Vec<Chapter>,
    metrics: Vec<Metric>,
    values: HashMap<i64, Vec<Reported>>,
}

impl RealPlan {
    fn values_of(&self, m: &Metric) -> &[Reported] {
        self.values.get(&m.id).map_or(&[], Vec::as_slice)
    }

    fn as_of(&self) -> NaiveDate {
        self.plan.period_end
    }

    fn assess(&self, m: &Metric) -> Assessment {
        self.plan.assess(m, self.values_of(m), self.as_of())
    }
}

static REAL: LazyLock<RealPlan> = LazyLock::new(|| {
    let mut conn = Connection::open_in_memory().unwrap();
    store::migrations::migrate(&mut conn).unwrap();
    let defs = store::seed::parse_all(&store::seed::embedded()).unwrap();
    store::seed::load_all(&mut conn, &defs).unwrap();
    let snap = store::plans::snapshot(&conn, 1, View::Approved).unwrap();
    let p = &snap.plan;
    let values = snap
        .metrics
        .iter()
        .map(|m| (m.id, scale::series(m, p.period_start, p.default_baseline_date(), p.period_end, QUARTERS)))
        .collect();
    let real = RealPlan { plan: snap.plan, chapters: snap.chapters, metrics: snap.metrics, values };
    assert_eq!(real.metrics.len(), 36);
    assert!(real.metrics.iter().all(|m| real.values_of(m).len() == QUARTERS));
    real
});

/// `plan::progress::assess` for every metric of the real plan (36 × 20 quarters).
#[divan::bench]
fn assess_real_plan(b: Bencher) {
    let real = &*REAL;
    b.bench(|| {
        for m in &real.metrics {
            black_box(real.assess(black_box(m)));
        }
    });
}

/// The dashboard's rows without the page: `assess` and `MetricRow::new` (texts and the
/// bullet-graph SVG) for every metric of the real plan, to tell row cost from page cost.
#[divan::bench]
fn dashboard_rows(b: Bencher) {
    let real = &*REAL;
    b.bench(|| {
        for m in &real.metrics {
            black_box(plantrack::web::MetricRow::new(m, &real.assess(black_box(m))));
        }
    });
}

/// One metric's progress chart, 760×420 with 20 figures, as `/metrics/{key}/chart.svg` draws it.
#[divan::bench]
fn metric_chart_svg(b: Bencher) {
    let real = &*REAL;
    let plan = &real.plan;
    let m = real.metrics.iter().find(|m| m.key == KEY).unwrap();
    let a = real.assess(m);
    let target_date = m.target_date.unwrap_or(plan.period_end);
    let target = effective_target(m);
    let points: Vec<(NaiveDate, f64)> = real.values_of(m).iter().map(|r| (r.quarter.end(), r.value)).collect();
    assert_eq!(points.len(), QUARTERS);
    let expected = a.baseline.map(|b| expected_path(m, b, target_date)).unwrap_or_default();
    // The clamped trend line the page draws.
    let projection = a.projection.and_then(|p| p.line).map(|[from, to]| (from, to));
    let chart = MetricChart {
        title: &m.name,
        unit: &m.unit,
        lower_is_better: m.direction == Direction::Lower,
        period: (plan.period_start, plan.period_end),
        baseline: a.baseline.map(|b| (b.date, b.value)),
        target: target.map(|t| (target_date, t.low, t.high)),
        values: &points,
        expected: &expected,
        projection,
        earlier: None,
        width: 760,
        height: 420,
    };
    b.bench(|| black_box(charts::metric_chart(black_box(&chart))));
}

/// `report::build`: the evaluation of the real plan at its end from 20 quarters of figures.
#[divan::bench]
fn evaluation_report(b: Bencher) {
    let real = &*REAL;
    let figures = FigureCounts { approved: 36 * QUARTERS, pending: 0, missing: 0 };
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    b.bench(|| {
        black_box(report::build(
            &real.plan,
            &real.chapters,
            &real.metrics,
            black_box(&real.values),
            figures,
            real.as_of(),
            today,
        ))
    });
}

/// The real router over a database on disk, called in-process on a current-thread runtime.
struct Server {
    _dir: TempDir,
    app: Router,
    store: store::Store,
    rt: tokio::runtime::Runtime,
    /// The id of one synthetic plan (scale databases only).
    scale_plan: Option<i64>,
}

impl Server {
    fn new(scale: Option<&ScaleSpec>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, info) = setup::prepare(&dir.path().join("bench.db"), &Seeds::Embedded, false).unwrap();
        let scale_plan = store
            .with_conn(|c| {
                if let Some(spec) = scale {
                    scale::generate(c, spec)?;
                }
                scale::fill_existing(c, QUARTERS, 1)?;
                let hash = plantrack::auth::hash_password("bench-password-123")?;
                store::accounts::create(c, "bench", plantrack::auth::Role::Editor, &hash)?;
                let plans = store::plans::list(c)?;
                Ok(plans.iter().find(|p| p.key == "scale-district-20").map(|p| p.id))
            })
            .unwrap();
        let config = Config { public_read: true, ..Default::default() };
        let app = plantrack::app(plantrack::AppState::new(store.clone(), info, config));
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Self { _dir: dir, app, store, rt, scale_plan }
    }

    /// GETs `path` and reads the whole body; returns its length.
    fn get(&self, path: &str) -> usize {
        self.get_with(path, None)
    }

    /// GETs `path` as a browser does, taking gzip; returns the compressed body's length.
    fn get_gzip(&self, path: &str) -> usize {
        self.get_with(path, Some("gzip, deflate, br"))
    }

    fn get_with(&self, path: &str, accept_encoding: Option<&str>) -> usize {
        self.rt.block_on(async {
            let mut req = Request::get(path);
            if let Some(ae) = accept_encoding {
                req = req.header("accept-encoding", ae);
            }
            let req = req.body(Body::empty()).unwrap();
            let res = self.app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "GET {path}");
            axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().len()
        })
    }

    /// Checks `path` answers, then times it as served in steady state: pages and charts
    /// come from the server's page cache while the data is unchanged.
    fn bench(&self, b: Bencher, path: &str) {
        assert!(self.get(path) > 0);
        b.bench(|| black_box(self.get(path)));
    }

    /// Times `path` rendered afresh: before every iteration (untimed) the store's
    /// generation moves on, as after any save, so no cached page or chart is served.
    /// One iteration per sample, since divan makes a sample's inputs before timing it.
    fn bench_uncached(&self, b: Bencher, path: &str) {
        assert!(self.get(path) > 0);
        b.with_inputs(|| self.invalidate()).bench_local_values(|()| black_box(self.get(path)));
    }

    /// `Store::with_conn` counts as a write (it may write), which is what invalidates.
    fn invalidate(&self) {
        self.store.with_conn(|_| Ok(())).unwrap();
    }

    /// Saves a figure of the real plan (plan 1) through the store's writer, as a save does:
    /// only plan 1's pages go stale.
    fn save_in_plan_1(&self) {
        let n = SAVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let figure =
            plantrack::plan::entry::Accepted { value: 40.0 + (n % 100) as f64 / 10.0, done: None, note: String::new() };
        self.rt
            .block_on(self.store.write(move |tx| {
                let m = store::plans::metric_by_key(tx, KEY)?;
                store::values::enter(tx, m.id, "2025Q4".parse().unwrap(), &figure, "bench", "update")
            }))
            .unwrap();
    }
}

static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

static REAL_DB: LazyLock<Server> = LazyLock::new(|| Server::new(None));
static SCALE_DB: LazyLock<Server> = LazyLock::new(|| Server::new(Some(&ScaleSpec::default())));

/// The real router on the real plan (36 metrics × 20 quarters, each figure corrected once).
/// `*_uncached`: rendered afresh, as after a save; the others: steady state from the cache
/// (`*_gzip`: as a browser asks, taking gzip; else a client that does not, which gets the
/// kept body inflated).
mod http_real_plan {
    use super::*;

    #[divan::bench]
    fn dashboard_gzip(b: Bencher) {
        assert!(REAL_DB.get_gzip("/") > 0);
        b.bench(|| black_box(REAL_DB.get_gzip("/")));
    }

    /// The dashboard's reads alone: `store::plans::list` and `snapshot` (the real plan).
    #[divan::bench]
    fn dashboard_queries(b: Bencher) {
        let store = &REAL_DB.store;
        b.bench(|| {
            store
                .read_blocking(|c| Ok((store::plans::list(c)?, store::plans::snapshot(c, 1, View::Approved)?)))
                .map(black_box)
                .unwrap()
        });
    }

    #[divan::bench]
    fn dashboard(b: Bencher) {
        REAL_DB.bench(b, "/");
    }

    #[divan::bench(sample_size = 1)]
    fn dashboard_uncached(b: Bencher) {
        REAL_DB.bench_uncached(b, "/");
    }

    #[divan::bench]
    fn metric_page(b: Bencher) {
        REAL_DB.bench(b, &format!("/metrics/{KEY}"));
    }

    #[divan::bench(sample_size = 1)]
    fn metric_page_uncached(b: Bencher) {
        REAL_DB.bench_uncached(b, &format!("/metrics/{KEY}"));
    }

    #[divan::bench]
    fn metric_chart(b: Bencher) {
        REAL_DB.bench(b, &format!("/metrics/{KEY}/chart.svg"));
    }

    #[divan::bench(sample_size = 1)]
    fn metric_chart_uncached(b: Bencher) {
        REAL_DB.bench_uncached(b, &format!("/metrics/{KEY}/chart.svg"));
    }

    #[divan::bench]
    fn evaluation_page(b: Bencher) {
        REAL_DB.bench(b, "/plans/1/evaluation");
    }

    #[divan::bench(sample_size = 1)]
    fn evaluation_page_uncached(b: Bencher) {
        REAL_DB.bench_uncached(b, "/plans/1/evaluation");
    }
}

/// The same pages on a database with 40 more plans × 50 metrics × 20 quarters (and their
/// history), to show what grows with the data and what does not.
mod http_scale_db {
    use super::*;

    /// The real plan's dashboard, with 41 plans in the database.
    #[divan::bench]
    fn dashboard(b: Bencher) {
        SCALE_DB.bench(b, "/");
    }

    #[divan::bench(sample_size = 1)]
    fn dashboard_uncached(b: Bencher) {
        SCALE_DB.bench_uncached(b, "/");
    }

    /// A 50-metric synthetic plan's dashboard.
    #[divan::bench]
    fn dashboard_scale_plan(b: Bencher) {
        SCALE_DB.bench(b, &format!("/?plan={}", SCALE_DB.scale_plan.expect("scale plan")));
    }

    #[divan::bench(sample_size = 1)]
    fn dashboard_scale_plan_uncached(b: Bencher) {
        SCALE_DB.bench_uncached(b, &format!("/?plan={}", SCALE_DB.scale_plan.expect("scale plan")));
    }

    #[divan::bench(sample_size = 1)]
    fn metric_page_uncached(b: Bencher) {
        SCALE_DB.bench_uncached(b, &format!("/metrics/{KEY}"));
    }

    #[divan::bench(sample_size = 1)]
    fn evaluation_page_scale_plan_uncached(b: Bencher) {
        SCALE_DB.bench_uncached(b, &format!("/plans/{}/evaluation", SCALE_DB.scale_plan.expect("scale plan")));
    }

    /// A 50-metric plan's dashboard and report while another plan (plan 1) is saved before
    /// every request: they stay cached.
    #[divan::bench(sample_size = 1)]
    fn dashboard_scale_plan_after_a_save_elsewhere(b: Bencher) {
        let path = format!("/?plan={}", SCALE_DB.scale_plan.expect("scale plan"));
        assert!(SCALE_DB.get(&path) > 0);
        b.with_inputs(|| SCALE_DB.save_in_plan_1()).bench_local_values(|()| black_box(SCALE_DB.get_gzip(&path)));
    }

    #[divan::bench(sample_size = 1)]
    fn evaluation_page_scale_plan_after_a_save_elsewhere(b: Bencher) {
        let path = format!("/plans/{}/evaluation", SCALE_DB.scale_plan.expect("scale plan"));
        assert!(SCALE_DB.get(&path) > 0);
        b.with_inputs(|| SCALE_DB.save_in_plan_1()).bench_local_values(|()| black_box(SCALE_DB.get_gzip(&path)));
    }

    /// The real plan's dashboard with a save of its own before every request: rendered afresh.
    #[divan::bench(sample_size = 1)]
    fn dashboard_after_a_save_in_its_plan(b: Bencher) {
        assert!(SCALE_DB.get("/") > 0);
        b.with_inputs(|| SCALE_DB.save_in_plan_1()).bench_local_values(|()| black_box(SCALE_DB.get_gzip("/")));
    }
}
