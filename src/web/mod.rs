//! The HTML side: routes, page handlers and the response for errors.

mod account;
mod admin;
pub(crate) mod auth;
pub(crate) mod cache;
mod dashboard;
pub(crate) mod deflate;
mod download;
pub(crate) mod drafts;
mod entry;
mod evaluation;
mod first_start;
mod flash;
mod flight;
mod format;
pub(crate) mod lang;
mod layout;
mod login;
mod metrics;
pub(crate) mod plans;
mod review;
pub mod server;
mod sheets;
mod uploads;
pub mod warm;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::Error;
use crate::plan::Plan;
use crate::plan::time::{self, Tz};
use crate::setup::DbInfo;
use crate::store::Store;

pub use format::MetricRow;
pub use lang::Lang;
pub use layout::{Layout, LayoutUser, render};
pub(crate) use layout::{deflated_response, page_response};

/// Largest request body accepted (imports included).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// How the operator runs the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Dashboards, charts, reports and the read API are public (still read-only).
    pub public_read: bool,
    /// The server is behind TLS: cookies get `Secure`.
    pub secure_cookies: bool,
    /// A session ends after this long without a request…
    pub session_idle_secs: i64,
    /// …and this long after sign-in, whatever happens.
    pub session_max_secs: i64,
    /// The bureau's time zone: pages show every stored (UTC) time in it.
    pub timezone: Tz,
    /// Bytes of rendered pages kept at most, deflated (`--cache-mb`); `None`: enough for
    /// every published plan's dashboard and report ([`page_budget_for`]).
    pub page_budget: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_read: false,
            secure_cookies: false,
            session_idle_secs: 2 * 3600,
            session_max_secs: 12 * 3600,
            timezone: time::BUREAU_ZONE,
            page_budget: None,
        }
    }
}

/// Shared by every handler. One `Arc`, so that handing it to a request (axum clones the
/// state for every extractor and middleware) is one atomic count, not one per field: two
/// cores bouncing a dozen counts' cache lines cost 4 % of a cold render in `perf`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    pub info: DbInfo,
    pub config: Config,
    pages: cache::PageCache<Arc<cache::Page>>,
    charts: cache::PageCache<Arc<cache::Svg>>,
    metric_pages: cache::PageCache<Arc<metrics::MetricBody>>,
    json: cache::PageCache<Arc<str>>,
    /// At most one render per stale key, and renders run in parallel up to the cores.
    renders: flight::Renders,
    /// Renders the caches have made since start (each a miss).
    rendered: AtomicU64,
    /// Checked imports waiting for confirmation.
    uploads: uploads::Uploads<sheets::PayloadRow>,
    /// The setup code of a first start, while no account exists.
    first_start: first_start::Gate,
    /// Draft plans and their metrics, as last read.
    hidden: drafts::HiddenCache,
    /// Each plan's status counts for `/plans`.
    plan_counts: plans::Counts,
}

impl AppState {
    /// A demo database is always readable without signing in (`--public-read`): it holds
    /// nothing but example figures, and a newcomer should see them at once.
    pub fn new(store: Store, info: DbInfo, mut config: Config) -> Self {
        config.public_read |= info.demo;
        let page_budget = match config.page_budget {
            Some(b) => b,
            // A count it cannot read leaves the least budget; the error shows on the first page.
            None => cache::page_budget_for(store.read_blocking(|c| crate::store::plans::count(c)).unwrap_or(0)),
        };
        Self(Arc::new(Shared {
            store,
            info,
            config,
            pages: cache::PageCache::new(page_budget),
            charts: cache::PageCache::new(CHART_BUDGET),
            metric_pages: cache::PageCache::new(METRIC_BUDGET),
            json: cache::PageCache::new(JSON_BUDGET),
            renders: Default::default(),
            rendered: Default::default(),
            uploads: Default::default(),
            first_start: Default::default(),
            hidden: Default::default(),
            plan_counts: Default::default(),
        }))
    }

    /// On a database without any account, opens the one-time setup page (`/setup`) and
    /// returns its code for the operator to read in the terminal; `None` when an account
    /// exists. The code lives only in this process: a restart makes a new one.
    pub fn open_first_start(&self) -> Result<Option<String>, Error> {
        let accounts = self.store.read_blocking(|c| crate::store::accounts::count(c))?;
        Ok((accounts == 0).then(|| self.first_start.open()))
    }

    /// The page cached under `key` while what it was made from is unchanged, or `render`
    /// it (off the async workers) and keep it. `render` names each plan it reads through
    /// [`Reads`] before reading it.
    pub(crate) async fn cached_page(
        &self,
        key: String,
        render: impl FnOnce(&mut Reads) -> Result<cache::Page, Error> + Send + 'static,
    ) -> Result<Arc<cache::Page>, Error> {
        self.cached(&self.pages, key, move |reads| render(reads).map(Arc::new)).await
    }

    /// The chart cached under `key`, or `render` it and keep it, with its `ETag`.
    pub(crate) async fn cached_chart(
        &self,
        key: String,
        render: impl FnOnce(&mut Reads) -> Result<String, Error> + Send + 'static,
    ) -> Result<Arc<cache::Svg>, Error> {
        self.cached(&self.charts, key, move |reads| {
            let svg = render(reads)?;
            let etag = format!("\"{:016x}\"", crate::hash::fnv64(svg.as_bytes()));
            Ok(Arc::new(cache::Svg { svg: deflate::Deflated::new(&svg), etag }))
        })
        .await
    }

    /// A JSON answer cached under `key`, or `render` it and keep it.
    pub(crate) async fn cached_json(
        &self,
        key: String,
        render: impl FnOnce(&mut Reads) -> Result<String, Error> + Send + 'static,
    ) -> Result<Arc<str>, Error> {
        self.cached(&self.json, key, move |reads| render(reads).map(Arc::from)).await
    }

    /// Looks `key` up in `cache`; on a miss, the first request renders it while later ones
    /// for the same key wait for it, and other keys render beside it, up to the cores.
    async fn cached<V: Clone + cache::Weigh + Send + 'static>(
        &self,
        cache: &cache::PageCache<V>,
        key: String,
        render: impl FnOnce(&mut Reads) -> Result<V, Error> + Send + 'static,
    ) -> Result<V, Error> {
        if let Some(v) = cache.get(&key, &self.store) {
            return Ok(v);
        }
        let _turn = self.renders.turn(&key).await;
        if let Some(v) = cache.get(&key, &self.store) {
            return Ok(v);
        }
        let _core = self.renders.core().await?;
        let store = self.store.clone();
        let (made_from, v) = off_workers(move || {
            let mut reads = Reads { store, made_from: Vec::new() };
            let v = render(&mut reads)?;
            Ok((reads.made_from, v))
        })
        .await?;
        self.rendered.fetch_add(1, Ordering::Relaxed);
        // A render that named nothing it read could never go stale: it is not kept.
        debug_assert!(!made_from.is_empty(), "render of {key} named none of the data it read");
        if !made_from.is_empty() {
            cache.put(&key, made_from, v.clone());
        }
        Ok(v)
    }

    /// Drops every kept page, chart and JSON answer: each is rendered again when asked for.
    pub(crate) fn forget_pages(&self) {
        self.pages.clear();
        self.charts.clear();
        self.metric_pages.clear();
        self.json.clear();
    }

    /// How many pages, charts and JSON answers the caches have rendered since start: one
    /// per miss. Tests count it to see what a write left cached.
    pub fn rendered(&self) -> u64 {
        self.rendered.load(Ordering::Relaxed)
    }

    /// Today in the bureau's time zone (`--timezone`), whatever the server's own zone: the
    /// quarter due, the default evaluation date and the report's date depend on it. A demo
    /// database lives on its own date ([`DbInfo::demo_today`]) instead, so every page that
    /// asks what is due (entry, review, imports, the dashboard's plan, the report's date)
    /// agrees with its figures rather than with the calendar.
    pub fn today(&self) -> NaiveDate {
        self.info.demo_today().unwrap_or_else(|| chrono::Utc::now().with_timezone(&self.config.timezone).date_naive())
    }

    /// The date a plan is assessed at unless the request names one: today, kept within
    /// the plan period; a demo database is viewed at the end of its figures (a quarter
    /// before its own today, whose figures are still due).
    pub fn default_as_of(&self, plan: &Plan) -> NaiveDate {
        let today = self.info.demo_as_of.unwrap_or_else(|| self.today());
        today.clamp(plan.period_start, plan.period_end)
    }
}

/// Bytes of charts kept at most, deflated (about 1.5 KB each).
const CHART_BUDGET: usize = 4 << 20;
/// Bytes of metric pages' user-independent parts kept at most (for signed-in users, whose
/// page is rendered around them per request; about 20 KB each).
const METRIC_BUDGET: usize = 8 << 20;
/// Bytes of JSON answers kept at most (pages of `/api/plans`).
const JSON_BUDGET: usize = 1 << 20;

/// What a render read: each plan (or the plans list) with its stamp taken before reading
/// it, so a change made meanwhile leaves the result stale rather than kept as current.
pub(crate) struct Reads {
    store: Store,
    made_from: cache::MadeFrom,
}

impl Reads {
    /// Call before reading `scope`'s data.
    pub(crate) fn scope(&mut self, scope: crate::store::Scope) {
        if !self.made_from.iter().any(|(s, _)| *s == scope) {
            self.made_from.push((scope, self.store.stamp(scope)));
        }
    }

    /// Call before reading plan `id`'s data.
    pub(crate) fn plan(&mut self, id: i64) {
        self.scope(crate::store::Scope::Plan(id));
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }
}

/// The pages' routes; [`crate::app`] adds the API and [`with_middleware`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route("/plans", get(plans::list_plans))
        .route("/metrics/{key}", get(metrics::show_metric))
        .route("/metrics/{key}/chart.svg", get(metrics::show_metric_chart))
        .route("/static/style.css", get(style_css))
        .route("/lang/{code}", get(lang::choose_lang))
        .route("/login", get(login::show_login).post(login::sign_in))
        .route("/setup", get(first_start::show_setup).post(first_start::create_first_admin))
        .route("/logout", post(login::sign_out))
        .route("/plans/{id}/entry", get(entry::show_entry_default))
        .route("/plans/{id}/entry/{quarter}", get(entry::show_entry).post(entry::save_entry))
        .route("/plans/{id}/review", get(review::show_review))
        .route("/plans/{id}/review/approve", post(review::approve_value))
        .route("/plans/{id}/review/approve-series", post(review::approve_series))
        .route("/plans/{id}/review/approve-all", get(review::confirm_approve_all).post(review::approve_all))
        .route("/plans/{id}/review/return", post(review::return_value))
        .route("/plans/{id}/locks", post(review::set_lock))
        .route("/metrics/{key}/history/{id}/restore", post(metrics::restore_value))
        .route("/plans/{id}/evaluation", get(evaluation::show_evaluation))
        .route("/plans/{id}/evaluation.xlsx", get(evaluation::download_evaluation))
        .route("/plans/{id}/evaluation.docx", get(evaluation::download_evaluation_docx))
        .route("/plans/{id}/evaluation-print.css", get(evaluation::evaluation_print_css))
        .route("/plans/{id}/evaluation/compare", get(evaluation::compare_evaluations))
        .route("/plans/{id}/sheets", get(sheets::show_sheets))
        .route("/plans/{id}/import", post(sheets::check_import))
        .route("/plans/{id}/import/apply", post(sheets::apply_import))
        .route("/plans/{id}/export", get(sheets::export))
        .route("/plans/{id}/publish", get(drafts::confirm_publish).post(drafts::publish))
        .route("/plans/{id}/seed.toml", get(drafts::download_seed))
        .route("/account/password", get(account::show_password_form).post(account::change_password))
        .merge(admin::router())
        .fallback(|| async { Error::not_found("页面不存在") })
}

/// Wraps `routes` in what every request passes through: sign-in and CSRF, error pages,
/// body and time limits, security headers.
pub fn with_middleware(routes: Router<AppState>, state: AppState) -> Router {
    routes
        // Inside `authenticate`, which says who is asking.
        .layer(middleware::from_fn_with_state(state.clone(), drafts::hide_drafts))
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        // Extractors (forms, uploads) have a 2 MB limit of their own by default.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Limits and time-outs inside the error pages, so their refusals get the page (or
        // JSON under /api) like any other error.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(middleware::from_fn_with_state(state.clone(), render_error_pages))
        .layer(middleware::from_fn(flash::carry_flash))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .with_state(state)
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

/// Renders the error page for any response that carries an [`ErrorMessage`], and gives
/// axum's own plain-text rejections (a malformed form, a wrong method, a body too large)
/// the same page, or JSON under `/api`, with a message in Chinese.
async fn render_error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let message = match res.extensions().get::<crate::error::ErrorMessage>() {
        Some(crate::error::ErrorMessage(m)) => m.clone(),
        None if (status.is_client_error() || status.is_server_error()) && is_plain_text(&res) => {
            rejection_message(status).to_owned()
        }
        None => return res,
    };
    if api {
        return crate::error::ApiError(Error::from_status(status, message)).into_response();
    }
    let user = auth::CurrentUser(res.extensions().get::<auth::Principal>().cloned());
    let page = ErrorPage {
        layout: Layout::new(&state, &user, format!("{} 错误", status.as_u16())),
        status: status.as_u16(),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => res,
    }
}

fn is_plain_text(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|v| v.starts_with("text/plain"))
}

/// What to tell the user when axum refused a request before any handler ran.
fn rejection_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "页面不存在",
        405 => "不支持此请求方法",
        408 => "请求超时,请重试",
        413 => "提交的内容过大",
        415 => "提交的内容类型不受支持",
        422 => "提交的内容不完整或格式错误",
        400..=499 => "请求格式有误",
        _ => "服务器内部错误,请稍后重试或联系管理员。",
    }
}

async fn style_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../templates/static/style.css"),
    )
}

/// Runs CPU-heavy work (rendering, password hashing, parsing) on a blocking thread, so
/// the async workers keep answering other requests meanwhile.
pub(crate) async fn off_workers<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(e.to_string()))?
}

/// `pending=1` asks for pending figures in place of approved ones.
pub fn view_of(q: &std::collections::HashMap<String, String>) -> crate::store::values::View {
    match q.get("pending").map(String::as_str) {
        Some("1" | "true" | "on") => crate::store::values::View::WithPending,
        _ => crate::store::values::View::Approved,
    }
}

/// Reads an optional `as_of=YYYY-MM-DD` query value.
pub fn parse_as_of(raw: Option<&String>) -> Result<Option<NaiveDate>, Error> {
    match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::BadRequest(format!("日期“{s}”无效,应为 YYYY-MM-DD,例如 2023-06-30"))),
    }
}
