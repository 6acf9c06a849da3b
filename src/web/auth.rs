//! Who is asking: sessions and API tokens, CSRF checks, and the sign-in pages.
//!
//! [`authenticate`] runs before every handler. It resolves the principal from a Bearer
//! token or the session cookie, refuses any state-changing request whose CSRF token does
//! not match, and sends anonymous visitors to the sign-in page (401 under `/api`) unless
//! the server runs with `--public-read` and the request only reads.

use std::net::SocketAddr;

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Form, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::flash::Flashed;
use super::{AppState, Layout, off_workers, render};
use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::store::{self, accounts::Account, audit};

pub const SESSION_COOKIE: &str = "plantrack_session";
/// Double-submit token for forms shown before sign-in (the sign-in form itself).
pub const CSRF_COOKIE: &str = "plantrack_csrf";
/// Failures older than this no longer count toward throttling.
const THROTTLE_WINDOW_SECS: i64 = 24 * 3600;
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

/// Longest `next` followed after sign-in; longer ones are not a page of ours.
const NEXT_MAX_LEN: usize = 2048;

/// Where to go after sign-in: `next` if it is a path on this server, else `/`.
///
/// Only `/` followed by the characters of a URL path and query (RFC 3986, ASCII,
/// percent-encoded otherwise) passes, and never `//` at the start. Browsers strip tabs and
/// newlines and read `\` as `/` before they parse a URL, so `/\t/evil.example` or
/// `/\evil.example` would take the user to another host; and a control character would make
/// the `Location` header itself invalid. The paths we send to sign-in come from request
/// URIs, which are ASCII and percent-encoded, so they come back through this.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn is_local_path(n: &str) -> bool {
    const PUNCTUATION: &[u8] = b"-._~!$&'()*+,;=:@/?%";
    n.len() <= NEXT_MAX_LEN
        && n.starts_with('/')
        && !n.starts_with("//")
        && n.bytes().all(|b| b.is_ascii_alphanumeric() || PUNCTUATION.contains(&b))
}

#[derive(Template)]
#[template(path = "pages/auth/login.html")]
pub struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    name: String,
    message: String,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn show_login(
    State(state): State<AppState>,
    jar: CookieJar,
    Flashed(flash): Flashed,
    Query(q): Query<LoginQuery>,
) -> Result<Response> {
    let (jar, csrf) = pre_session_csrf(&state, jar);
    let mut page = LoginPage {
        layout: Layout::new(&state, &CurrentUser(None), "登录"),
        csrf,
        next: safe_next(q.next.as_deref()),
        name: String::new(),
        message: String::new(),
    };
    // Said once after the first start's setup page created the administrator.
    page.layout.flash = flash;
    Ok((jar, render(&page)?).into_response())
}

/// The CSRF token of a form shown before sign-in, from its cookie or a new one.
pub(super) fn pre_session_csrf(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    if let Some(c) = jar.get(CSRF_COOKIE).filter(|c| c.value().len() == 64) {
        let v = c.value().to_owned();
        return (jar, v);
    }
    let token = auth::new_token();
    let cookie = base_cookie(state, CSRF_COOKIE, token.clone());
    (jar.add(cookie), token)
}

fn base_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    c
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let name = form.name.trim().to_owned();
    let password = form.password;
    // Verifying a password is deliberately slow: it runs before the writer's turn is
    // taken, which is held only for the writes. The throttle is checked again inside
    // that write, so guesses sent in parallel cannot slip past it.
    let (n, a) = (name.clone(), addr.clone());
    let (wait, found) = state
        .store
        .read(move |c| Ok((throttle(c, &n, &a, now())?, store::accounts::with_hash_by_name(c, &n)?)))
        .await?;
    let good = match wait {
        Some(_) => false,
        None => {
            // A missing account is verified against a dummy hash: as slow as a wrong password.
            let hash = found.as_ref().map(|(_, h)| h.clone());
            off_workers(move || Ok(auth::verify_password(&password, hash.as_deref().unwrap_or(auth::dummy_hash()))))
                .await?
        }
    };
    let outcome = {
        let (name, addr) = (name.clone(), addr.clone());
        state
            .store
            .write(move |tx| {
                let t = now();
                if let Some(wait) = throttle(tx, &name, &addr, t)? {
                    audit::record(tx, &name, "login_throttled", &name, &format!("需等待 {wait} 秒"), &addr)?;
                    return Ok(Outcome::Throttled(wait));
                }
                match found {
                    Some((account, _)) if good && !account.disabled => {
                        store::accounts::record_attempt(tx, &name, &addr, true, t)?;
                        let (token, csrf) = (auth::new_token(), auth::new_token());
                        store::accounts::create_session(tx, account.id, &auth::token_hash(&token), &csrf, t, &addr)?;
                        audit::record(tx, &account.name, "login", &account.name, "", &addr)?;
                        Ok(Outcome::SignedIn(token))
                    }
                    found => {
                        store::accounts::record_attempt(tx, &name, &addr, false, t)?;
                        let why = match found {
                            Some((a, _)) if good && a.disabled => "账户已停用",
                            Some(_) => "密码错误",
                            None => "无此用户",
                        };
                        audit::record(tx, &name, "login_failed", &name, why, &addr)?;
                        Ok(Outcome::Failed)
                    }
                }
            })
            .await?
    };
    let next = safe_next(Some(&form.next));
    match outcome {
        Outcome::SignedIn(token) => {
            let jar = jar.add(base_cookie(&state, SESSION_COOKIE, token)).remove(Cookie::from(CSRF_COOKIE));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Outcome::Failed | Outcome::Throttled(_) => {
            let (status, message) = match outcome {
                Outcome::Throttled(wait) => {
                    (StatusCode::TOO_MANY_REQUESTS, format!("登录失败次数过多,请 {} 后再试", wait_text(wait)))
                }
                _ => (StatusCode::UNAUTHORIZED, "用户名或密码错误,或账户已停用".to_owned()),
            };
            let (jar, csrf) = pre_session_csrf(&state, jar);
            let page =
                LoginPage { layout: Layout::new(&state, &CurrentUser(None), "登录"), csrf, next, name, message };
            Ok((status, jar, render(&page)?).into_response())
        }
    }
}

/// Seconds a sign-in as `name` from `addr` must still wait at `t`, if any.
fn throttle(c: &rusqlite::Connection, name: &str, addr: &str, t: i64) -> Result<Option<i64>> {
    let by_name = store::accounts::failures_of_account(c, name, t, THROTTLE_WINDOW_SECS)?;
    let by_addr = store::accounts::failures_from_address(c, addr, t, THROTTLE_WINDOW_SECS)?;
    Ok(auth::throttle_wait(by_name.0, auth::ACCOUNT_FREE_FAILURES, t - by_name.1).max(auth::throttle_wait(
        by_addr.0,
        auth::ADDRESS_FREE_FAILURES,
        t - by_addr.1,
    )))
}

enum Outcome {
    SignedIn(String),
    Failed,
    Throttled(i64),
}

fn wait_text(secs: i64) -> String {
    if secs < 60 { format!("{secs} 秒") } else { format!("{} 分钟", (secs + 59) / 60) }
}

pub async fn sign_out(
    State(state): State<AppState>,
    SignedIn(p): SignedIn,
    Actor { name, addr }: Actor,
    jar: CookieJar,
) -> Result<Response> {
    if let Some((id, _)) = p.session {
        state
            .store
            .write(move |tx| {
                store::accounts::end_session(tx, id)?;
                audit::record(tx, &name, "logout", &name, "", &addr)
            })
            .await?;
    }
    Ok((jar.remove(Cookie::from(SESSION_COOKIE)), Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{NEXT_MAX_LEN, safe_next};

    /// Where a browser on our page goes for `Location: next`: the WHATWG parser, which
    /// strips tabs and newlines and reads `\` as `/`, as browsers do.
    fn followed(next: &str) -> url::Url {
        url::Url::parse("http://plantrack.test/login?next=x").unwrap().join(next).unwrap()
    }

    #[test]
    fn keeps_our_own_paths() {
        for n in ["/", "/metrics/fibre-bandwidth", "/plans/1/entry/2024Q3?view=pending&x=%E4%B8%AD", "/a:b@c;d=e"] {
            assert_eq!(safe_next(Some(n)), n);
        }
    }

    #[test]
    fn the_oracle_sees_what_browsers_see() {
        for trick in ["/\t/evil.example", "/\\evil.example", "\n//evil.example/x"] {
            assert_eq!(followed(trick).host_str(), Some("evil.example"), "{trick:?}");
        }
    }

    #[test]
    fn sends_anything_else_home() {
        let long = format!("/{}", "a".repeat(NEXT_MAX_LEN));
        for n in [
            "",
            "evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            " /x",
            "/x y",
            "/\r\nSet-Cookie: a=b",
            "/\0",
            "/\u{7f}",
            "/\u{3000}/evil",
            "/\u{a0}",
            "/\u{2028}",
            "/中文",
            "https://evil.example/",
            "javascript:alert(1)",
            "/x#frag",
            &long,
        ] {
            assert_eq!(safe_next(Some(n)), "/", "{n:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    /// Strings built to look like paths, with the characters that trick browsers mixed in.
    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("/".to_owned()),
            Just("\\".to_owned()),
            Just("%".to_owned()),
            Just("evil.example".to_owned()),
            Just(":".to_owned()),
            Just("@".to_owned()),
            Just("?".to_owned()),
            Just("#".to_owned()),
            "[\\t\\r\\n\\x00-\\x1f\\x7f \\u{a0}\\u{3000}\\u{2028}\\u{feff}]",
            "[a-zA-Z0-9._~-]{0,6}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn whatever_comes_in_the_answer_stays_on_this_server(next in prop_oneof![hostile(), any::<String>()]) {
            let out = safe_next(Some(&next));
            prop_assert!(out == next || out == "/");
            prop_assert!(out.starts_with('/') && !out.starts_with("//"));
            prop_assert!(!out.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\'));
            prop_assert!(axum::http::HeaderValue::from_str(&out).is_ok());
            let to = followed(&out);
            prop_assert_eq!(to.origin(), followed("/").origin());
            prop_assert_eq!(to.host_str(), Some("plantrack.test"));
        }
    }
}
