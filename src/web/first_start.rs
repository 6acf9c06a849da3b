//! `/setup`: the first start. A database with no account would open on a sign-in form that
//! nobody can pass; instead, while no account exists, anonymous visitors are sent here, to
//! a form that creates the first administrator. It is protected by a setup code that only
//! the person who started the server has: printed in the terminal at start-up (as Jupyter
//! and Gitea do), kept in memory only, good for one use. Once any account exists the page
//! is gone for good: 404, and a restart opens it only on a database still without accounts.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::auth::{ClientAddr, CurrentUser, now};
use super::flash::{self, Flash};
use super::login::pre_session_csrf;
use super::{AppState, Layout, off_workers, render};
use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::store::{self, audit};

/// Who the audit log names for tries at the setup page (no account exists to name).
const ACTOR: &str = "首次设置";

/// The setup code and the wrong tries against it. Open (holding a code) only from a start
/// on a database without accounts until the first administrator is created; then closed
/// for the life of the process.
#[derive(Default)]
pub struct Gate {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    code: Option<String>,
    /// Wrong codes so far and when the last came: one code for everyone, so one count.
    failures: u32,
    last_failure: i64,
}

/// What a typed code is worth now.
#[derive(Debug, PartialEq, Eq)]
enum Try {
    Closed,
    Wait(i64),
    Wrong,
    Right,
}

impl Gate {
    /// A new code, to be printed for the operator. Only start-up calls this.
    pub(super) fn open(&self) -> String {
        let code = auth::new_code(4);
        self.lock().code = Some(code.clone());
        code
    }

    pub(super) fn is_open(&self) -> bool {
        self.lock().code.is_some()
    }

    fn close(&self) {
        self.lock().code = None;
    }

    /// Checks `typed` against the code, compared in constant time. Wrong codes are
    /// throttled like a sign-in to one account: a few are free, then each waits twice as
    /// long as the one before. Guessing an 80-bit code is hopeless anyway; the wait keeps
    /// a script from even trying, and a restart (a new code) clears it for the operator.
    fn attempt(&self, typed: &str, t: i64) -> Try {
        let mut inner = self.lock();
        let Some(code) = &inner.code else { return Try::Closed };
        if let Some(wait) = auth::throttle_wait(inner.failures, auth::ACCOUNT_FREE_FAILURES, t - inner.last_failure) {
            return Try::Wait(wait);
        }
        if auth::code_matches(typed, code) {
            return Try::Right;
        }
        inner.failures += 1;
        inner.last_failure = t;
        Try::Wrong
    }

    /// Closes the gate if `typed` is still its code: the one use of the code. Called inside
    /// the write that creates the administrator, where only one request runs at a time.
    fn consume(&self, typed: &str) -> bool {
        let mut inner = self.lock();
        let right = inner.code.as_deref().is_some_and(|code| auth::code_matches(typed, code));
        if right {
            inner.code = None;
        }
        right
    }

    /// Nothing held here can be left half-changed by a panic, so a poisoned lock is taken.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Template)]
#[template(path = "pages/auth/setup.html")]
struct SetupPage {
    layout: Layout,
    csrf: String,
    /// What was typed, given back after a refusal (never the passwords).
    code: String,
    name: String,
    errors: HashMap<&'static str, String>,
    min_chars: usize,
}

impl SetupPage {
    fn new(state: &AppState, csrf: String) -> Self {
        Self {
            layout: Layout::new(state, &CurrentUser(None), "首次设置"),
            csrf,
            code: String::new(),
            name: String::new(),
            errors: HashMap::new(),
            min_chars: auth::MIN_PASSWORD_CHARS,
        }
    }

    /// The form's fields, each with what was typed (never a password) and its message.
    fn fields(&self) -> [Field<'_>; 4] {
        let field = |id: &'static str, label: String, kind, autocomplete| Field {
            id,
            label,
            kind,
            autocomplete,
            value: match id {
                "code" => &self.code,
                "name" => &self.name,
                _ => "",
            },
            error: self.errors.get(id).map_or("", String::as_str),
        };
        [
            field("code", "设置码(见启动服务器的终端)".into(), "text", "off"),
            field("name", "管理员用户名".into(), "text", "username"),
            field("password", format!("密码(至少 {} 个字符)", self.min_chars), "password", "new-password"),
            field("confirm", "再次输入密码".into(), "password", "new-password"),
        ]
    }
}

/// One input of the setup form.
struct Field<'a> {
    id: &'static str,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    value: &'a str,
    error: &'a str,
}

fn gone() -> Error {
    Error::not_found("页面不存在")
}

pub async fn show_setup(State(state): State<AppState>, jar: CookieJar) -> Result<Response> {
    if !state.first_start.is_open() {
        return Err(gone());
    }
    // An account may have been added from the command line while the server ran.
    if state.store.read(store::accounts::count).await? > 0 {
        state.first_start.close();
        return Ok(Redirect::to("/login").into_response());
    }
    let (jar, csrf) = pre_session_csrf(&state, jar);
    Ok((jar, render(&SetupPage::new(&state, csrf))?).into_response())
}

#[derive(Deserialize)]
pub struct SetupForm {
    code: String,
    name: String,
    password: String,
    confirm: String,
}

pub async fn create_first_admin(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Form(form): Form<SetupForm>,
) -> Result<Response> {
    let name = form.name.trim().to_owned();
    let (status, page) = match state.first_start.attempt(&form.code, now()) {
        Try::Closed => return Err(gone()),
        Try::Wait(wait) => {
            let detail = format!("设置码错误次数过多,需等待 {wait} 秒");
            record(&state, &name, "setup_throttled", detail, addr).await?;
            (
                StatusCode::TOO_MANY_REQUESTS,
                refusal(&state, jar, &name, "code", format!("错误次数过多,请 {wait} 秒后再试")),
            )
        }
        Try::Wrong => {
            record(&state, &name, "setup_code_wrong", "设置码错误".into(), addr).await?;
            let message = "设置码不正确:请核对启动服务器时终端中显示的设置码".to_owned();
            (StatusCode::FORBIDDEN, refusal(&state, jar, &name, "code", message))
        }
        Try::Right => match problems(&name, &form.password, &form.confirm) {
            Some((field, message)) => {
                let (jar, mut page) = refusal(&state, jar, &name, field, message);
                page.code = form.code;
                (StatusCode::UNPROCESSABLE_ENTITY, (jar, page))
            }
            None => return create(&state, form.code, name, form.password, addr).await,
        },
    };
    let (jar, page) = page;
    Ok((status, jar, render(&page)?).into_response())
}

/// The form again with `message` beside `field`.
fn refusal(
    state: &AppState,
    jar: CookieJar,
    name: &str,
    field: &'static str,
    message: String,
) -> (CookieJar, SetupPage) {
    let (jar, csrf) = pre_session_csrf(state, jar);
    let mut page = SetupPage::new(state, csrf);
    page.name = name.to_owned();
    page.errors.insert(field, message);
    (jar, page)
}

/// The first field that is not acceptable and why, by the rules every account follows.
fn problems(name: &str, password: &str, confirm: &str) -> Option<(&'static str, String)> {
    if let Some(m) = auth::name_problem(name) {
        return Some(("name", m));
    }
    if let Some(m) = auth::password_problem(name, password) {
        return Some(("password", m));
    }
    (password != confirm).then(|| ("confirm", "两次输入的密码不一致".to_owned()))
}

/// Creates the administrator and uses up the code in one write: of two browsers sending
/// the code at once, the second finds an account and the code gone, and creates nothing.
async fn create(state: &AppState, code: String, name: String, password: String, addr: String) -> Result<Response> {
    // Hashing is deliberately slow: done before the writer's turn is taken.
    let hash = off_workers(move || auth::hash_password(&password)).await?;
    let st = state.clone();
    state
        .store
        .write(move |tx| {
            let done = || Error::Refused("首次设置已经完成,本页面不再可用:请登录".into());
            if store::accounts::count(tx)? > 0 {
                st.first_start.close();
                return Err(done());
            }
            store::accounts::create(tx, &name, Role::Admin, &hash)?;
            audit::record(tx, ACTOR, "setup_admin_created", &name, "角色:管理员;设置码已用,首次设置页面已关闭", &addr)?;
            // Last, so a refused insert leaves the code for another try. Should the commit
            // itself fail (a full disk), the page stays closed: a restart prints a new code.
            if !st.first_start.consume(&code) {
                return Err(done());
            }
            Ok(())
        })
        .await?;
    Ok(flash::redirect(state, "/login", Flash::FirstAdminCreated))
}

/// Audits a refused try.
async fn record(state: &AppState, name: &str, action: &'static str, detail: String, addr: String) -> Result<()> {
    let subject = name.to_owned();
    state.store.write(move |tx| audit::record(tx, ACTOR, action, &subject, &detail, &addr)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_works_once_and_wrong_codes_are_throttled() {
        let gate = Gate::default();
        assert_eq!(gate.attempt("anything", 0), Try::Closed);
        let code = gate.open();
        for i in 0..auth::ACCOUNT_FREE_FAILURES {
            assert_eq!(gate.attempt("0000-0000-0000-0000", i64::from(i)), Try::Wrong);
        }
        assert_eq!(gate.attempt(&code, 5), Try::Wait(auth::FIRST_DELAY_SECS - 1), "even the right code waits");
        assert_eq!(gate.attempt(&code.to_lowercase(), 4 + auth::FIRST_DELAY_SECS), Try::Right);
        assert!(gate.consume(&code));
        assert!(!gate.is_open());
        assert!(!gate.consume(&code), "used up");
        assert_eq!(gate.attempt(&code, 1000), Try::Closed);
    }

    #[test]
    fn a_wrong_code_consumes_nothing() {
        let gate = Gate::default();
        let code = gate.open();
        assert!(!gate.consume("0000-0000-0000-0000"));
        assert!(gate.is_open());
        assert!(gate.consume(&code));
    }

    #[test]
    fn names_and_passwords_follow_the_usual_rules() {
        assert_eq!(problems("a b", "long enough pw", "long enough pw").unwrap().0, "name");
        assert_eq!(problems("chief", "short", "short").unwrap().0, "password");
        assert_eq!(problems("chief", "long enough pw", "long enough pW").unwrap().0, "confirm");
        assert_eq!(problems("局长", "long enough pw", "long enough pw"), None);
    }
}
