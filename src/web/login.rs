//! `/login` and `/logout`: the sign-in form, throttled sign-in, and where to go after it.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::auth::{Actor, CSRF_COOKIE, ClientAddr, CurrentUser, SESSION_COOKIE, SignedIn, now};
use super::flash::Flashed;
use super::{AppState, Layout, off_workers, render};
use crate::auth;
use crate::error::Result;
use crate::store::{self, audit};

/// Failures older than this no longer count toward throttling.
const THROTTLE_WINDOW_SECS: i64 = 24 * 3600;

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
