//! Who is asking: sessions and API tokens, CSRF checks, and the extractors handlers take
//! (the sign-in pages are in `login`).
//!
//! [`authenticate`] runs before every handler. It resolves the principal from a Bearer
//! token or the session cookie, refuses any state-changing request whose CSRF token does
//! not match, and sends anonymous visitors to the sign-in page (401 under `/api`) unless
//! the server runs with `--public-read` and the request only reads.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use super::AppState;
use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::store::{self, accounts::Account};

pub const SESSION_COOKIE: &str = "plantrack_session";
/// Double-submit token for forms shown before sign-in (the sign-in form itself).
pub const CSRF_COOKIE: &str = "plantrack_csrf";
/// `last_seen` is written at most this often, so reading pages costs no write each time.
const TOUCH_EVERY_SECS: i64 = 60;

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account: Account,
    /// The session and its CSRF token; `None` for an API token.
    pub session: Option<(i64, String)>,
}

impl Principal {
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |(_, c)| c.as_str())
    }
}

/// The principal if any: every handler can take it.
pub struct CurrentUser(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(CurrentUser(parts.extensions.get::<Principal>().cloned()))
    }
}

/// A signed-in administrator, or 403.
pub struct Admin(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        require(parts, Role::may_administer, "管理员").map(Admin)
    }
}

/// The principal if its role passes `may` (a policy of [`Role`]); else 403, or 401 when
/// nobody is signed in.
fn require(parts: &Parts, may: fn(Role) -> bool, what: &str) -> Result<Principal> {
    match parts.extensions.get::<Principal>() {
        Some(p) if may(p.account.role) => Ok(p.clone()),
        Some(_) => Err(Error::Forbidden(format!("此操作需要{what}权限"))),
        None => Err(Error::Unauthorized("请先登录".into())),
    }
}

/// A signed-in editor (or admin), or 403: enters figures.
pub struct Editor(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Editor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        require(parts, Role::may_enter, "填报员").map(Editor)
    }
}

/// A signed-in reviewer (or admin), or 403: approves, returns, locks and restores.
pub struct Reviewer(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Reviewer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        require(parts, Role::may_review, "审核人").map(Reviewer)
    }
}

/// A signed-in user of any role, or 401.
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        parts.extensions.get::<Principal>().cloned().map(SignedIn).ok_or_else(|| Error::Unauthorized("请先登录".into()))
    }
}

/// The client's address, as audit records give it (empty where the server was not told,
/// as in tests that call the router directly).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

fn client_addr(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default()
}

/// Who did this, from where: the signed-in account's name and the client's address, as
/// every audit record names them; 401 when nobody is signed in. Role checks stay with the
/// role extractors ([`Admin`], [`Editor`], [`Reviewer`]).
pub struct Actor {
    pub name: String,
    pub addr: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let p = parts.extensions.get::<Principal>().ok_or_else(|| Error::Unauthorized("请先登录".into()))?;
        Ok(Actor { name: p.account.name.clone(), addr: client_addr(parts) })
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// See the module doc.
pub async fn authenticate(State(state): State<AppState>, jar: CookieJar, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    match check(&state, &jar, req).await {
        Ok((req, principal)) => {
            let mut res = next.run(req).await;
            if let Some(p) = principal {
                res.extensions_mut().insert(p);
            }
            res
        }
        Err(Refusal::Redirect(to)) => Redirect::to(&to).into_response(),
        Err(Refusal::Error(e)) if api => crate::error::ApiError(e).into_response(),
        Err(Refusal::Error(e)) => e.into_response(),
    }
}

enum Refusal {
    Redirect(String),
    Error(Error),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Error(e)
    }
}

async fn check(state: &AppState, jar: &CookieJar, req: Request) -> Result<(Request, Option<Principal>), Refusal> {
    let path = req.uri().path().to_owned();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let principal = match bearer {
        Some(token) => {
            let account = state
                .store
                .read(move |c| store::accounts::account_by_token(c, &auth::token_hash(&token)))
                .await?
                .filter(|a| !a.disabled)
                .ok_or_else(|| Error::Unauthorized("API 令牌无效或已吊销".into()))?;
            Some(Principal { account, session: None })
        }
        None => match jar.get(SESSION_COOKIE) {
            Some(c) => session_principal(state, c.value().to_owned()).await?,
            None => None,
        },
    };

    let mut req = req;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let expected = match &principal {
            Some(Principal { session: None, .. }) => None, // a Bearer token is no ambient credential
            Some(p) => Some(p.csrf().to_owned()),
            None => Some(jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default()),
        };
        if let Some(expected) = expected {
            let (given, rebuilt) = csrf_of(req).await?;
            req = rebuilt;
            if expected.is_empty() || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
                return Err(Error::Forbidden("表单已过期或来源无效(CSRF 校验失败),请刷新页面后重试".into()).into());
            }
        }
    }

    // While no account exists, the one-time setup page stands where sign-in would.
    let setup = principal.is_none() && state.first_start.is_open();
    if setup && path == "/login" {
        return Err(Refusal::Redirect("/setup".into()));
    }
    let public = path == "/login" || path == "/setup" || path.starts_with("/static/");
    if principal.is_none() && !public {
        let reads = matches!(*req.method(), Method::GET | Method::HEAD);
        let private = path.starts_with("/admin") || path.starts_with("/account");
        if !(state.config.public_read && reads && !private) {
            if path.starts_with("/api/") {
                return Err(Error::Unauthorized("需要登录或 API 令牌(Authorization: Bearer …)".into()).into());
            }
            if setup {
                return Err(Refusal::Redirect("/setup".into()));
            }
            let next = req.uri().path_and_query().map_or("/".to_owned(), |p| p.to_string());
            return Err(Refusal::Redirect(format!("/login?next={}", urlencode(&next))));
        }
    }
    if let Some(p) = &principal {
        req.extensions_mut().insert(p.clone());
    }
    Ok((req, principal))
}

/// The principal of a session cookie, ending the session if it expired or its user was
/// disabled.
async fn session_principal(state: &AppState, token: String) -> Result<Option<Principal>> {
    let (idle, max) = (state.config.session_idle_secs, state.config.session_max_secs);
    let found = state.store.read(move |c| store::accounts::session_by_token(c, &auth::token_hash(&token))).await?;
    let Some(s) = found else {
        return Ok(None);
    };
    let (id, t) = (s.id, now());
    // Session bookkeeping is a write like any other, but no page shows it.
    if s.account.disabled || t - s.last_seen > idle || t - s.created_at > max {
        state.store.write_unseen(move |tx| store::accounts::end_session(tx, id)).await?;
        return Ok(None);
    }
    if t - s.last_seen >= TOUCH_EVERY_SECS {
        state.store.write_unseen(move |tx| store::accounts::touch_session(tx, id, t)).await?;
    }
    Ok(Some(Principal { account: s.account, session: Some((s.id, s.csrf)) }))
}

/// The CSRF token a request carries: the `X-CSRF-Token` header, a `csrf` query parameter
/// (for multipart uploads), or the `csrf` field of a urlencoded form. The body is read and
/// put back.
async fn csrf_of(req: Request) -> Result<(String, Request)> {
    let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    if let Some(t) = header_token {
        return Ok((t, req));
    }
    if let Some(t) = req.uri().query().and_then(|q| form_field(q.as_bytes(), "csrf")) {
        return Ok((t, req));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((String::new(), req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| Error::BadRequest("请求内容过大或不完整".into()))?;
    let token = form_field(&bytes, "csrf").unwrap_or_default();
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
