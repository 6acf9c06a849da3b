//! `/account/password`: a user changes their own password, which ends their other sessions.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{Actor, CurrentUser, SignedIn};
use super::flash::{self, Flash, Flashed};
use super::{AppState, Layout, off_workers, render};
use crate::auth;
use crate::error::{Error, Result};
use crate::store::{self, audit};

#[derive(Template)]
#[template(path = "pages/auth/password.html")]
struct PasswordPage {
    layout: Layout,
    csrf: String,
    message: String,
    min_chars: usize,
}

pub async fn show_password_form(
    State(state): State<AppState>,
    SignedIn(p): SignedIn,
    Flashed(flash): Flashed,
) -> Result<Response> {
    let mut page = PasswordPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(&state, &CurrentUser(Some(p)), "修改密码"),
        message: String::new(),
        min_chars: auth::MIN_PASSWORD_CHARS,
    };
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Actor { name, addr }: Actor,
    SignedIn(p): SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let id = p.account.id;
    let keep = p.session.as_ref().map(|(s, _)| *s);
    let problem = if form.new != form.confirm {
        Some("两次输入的新密码不一致".to_owned())
    } else {
        auth::password_problem(&name, &form.new)
    };
    let problem = match problem {
        Some(m) => Some(m),
        None => {
            let (current, new) = (form.current, form.new);
            let n = name.clone();
            let (_, old_hash) = state
                .store
                .read(move |c| store::accounts::with_hash_by_name(c, &n))
                .await?
                .ok_or_else(|| Error::Unauthorized("请先登录".into()))?;
            // Verifying and hashing are deliberately slow: done before the writer's turn.
            let new_hash = off_workers(move || {
                Ok(if auth::verify_password(&current, &old_hash) { Some(auth::hash_password(&new)?) } else { None })
            })
            .await?;
            match new_hash {
                None => Some("当前密码不正确".to_owned()),
                Some(hash) => {
                    state
                        .store
                        .write(move |tx| {
                            store::accounts::set_password_hash(tx, id, &hash, keep)?;
                            audit::record(tx, &name, "password_changed", &name, "其他会话已结束", &addr)
                        })
                        .await?;
                    None
                }
            }
        }
    };
    match problem {
        None => Ok(flash::redirect(&state, "/account/password", Flash::PasswordChanged)),
        Some(message) => {
            let page = PasswordPage {
                csrf: p.csrf().to_owned(),
                layout: Layout::new(&state, &CurrentUser(Some(p)), "修改密码"),
                message,
                min_chars: auth::MIN_PASSWORD_CHARS,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
