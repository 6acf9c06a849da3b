//! User accounts: add, change role, disable or enable, reset password.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::store::{self, accounts::Account, audit};
use crate::web::auth::{Actor, Admin, CurrentUser, Principal};
use crate::web::flash::{self, Flash, Flashed};
use crate::web::{AppState, Layout, off_workers, render};

#[derive(Template)]
#[template(path = "pages/admin/users.html")]
struct UsersPage {
    layout: Layout,
    csrf: String,
    me: i64,
    users: Vec<Account>,
    roles: [Role; 4],
    error: String,
    form: NewUserForm,
    field_errors: HashMap<&'static str, String>,
    min_chars: usize,
}

impl UsersPage {
    fn field_error(&self, field: &str) -> &str {
        self.field_errors.get(field).map_or("", String::as_str)
    }
}

#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn page(state: &AppState, p: Principal, error: String, form: NewUserForm) -> Result<UsersPage> {
    let users = state.store.read(store::accounts::list).await?;
    Ok(UsersPage {
        csrf: p.csrf().to_owned(),
        me: p.account.id,
        layout: Layout::new(state, &CurrentUser(Some(p)), "用户管理"),
        users,
        roles: Role::ALL,
        error,
        form,
        field_errors: HashMap::new(),
        min_chars: auth::MIN_PASSWORD_CHARS,
    })
}

pub async fn list_users(State(state): State<AppState>, Admin(p): Admin, Flashed(flash): Flashed) -> Result<Response> {
    let mut page = page(&state, p, String::new(), NewUserForm::default()).await?;
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

pub async fn add_user(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Form(form): Form<NewUserForm>,
) -> Result<Response> {
    let mut errors = HashMap::new();
    let name = form.name.trim().to_owned();
    if let Some(m) = auth::name_problem(&name) {
        errors.insert("name", m);
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.insert("role", "请选择角色".to_owned());
    }
    if let Some(m) = auth::password_problem(&name, &form.password) {
        errors.insert("password", m);
    }
    if let (true, Some(role)) = (errors.is_empty(), role) {
        let password = form.password.clone();
        let n = name.clone();
        let hash = off_workers(move || auth::hash_password(&password)).await?;
        let created = state
            .store
            .write(move |tx| {
                let account = store::accounts::create(tx, &n, role, &hash)?;
                audit::record(tx, &actor, "user_created", &account.name, &format!("角色:{}", role.label_zh()), &addr)
            })
            .await;
        match created {
            Ok(()) => return Ok(flash::redirect(&state, "/admin/users", Flash::UserAdded)),
            Err(Error::Refused(m)) => {
                errors.insert("name", m);
            }
            Err(e) => return Err(e),
        }
    }
    let form = NewUserForm { password: String::new(), ..form };
    let mut page = page(&state, p, "新用户未添加,请修改标出的字段。".into(), form).await?;
    page.field_errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response> {
    let role = Role::parse(&form.role).ok_or_else(|| Error::BadRequest(format!("未知角色“{}”", form.role)))?;
    let outcome = state
        .store
        .write(move |tx| {
            let target = store::accounts::get(tx, id)?;
            if target.role == Role::Admin && role != Role::Admin && store::accounts::other_active_admins(tx, id)? == 0 {
                return Ok(Some("不能取消最后一位管理员的管理员角色".to_owned()));
            }
            store::accounts::set_role(tx, id, role)?;
            let detail = format!("{} → {}", target.role.label_zh(), role.label_zh());
            audit::record(tx, &actor, "role_changed", &target.name, &detail, &addr)?;
            Ok(None)
        })
        .await?;
    finish(&state, p, outcome, Flash::RoleChanged).await
}

pub async fn disable_user(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Path(id): Path<i64>,
) -> Result<Response> {
    set_disabled(state, Actor { name: actor, addr }, p, id, true).await
}

pub async fn enable_user(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Path(id): Path<i64>,
) -> Result<Response> {
    set_disabled(state, Actor { name: actor, addr }, p, id, false).await
}

async fn set_disabled(state: AppState, who: Actor, p: Principal, id: i64, disabled: bool) -> Result<Response> {
    let (Actor { name: actor, addr }, me) = (who, p.account.id);
    let outcome = state
        .store
        .write(move |tx| {
            let target = store::accounts::get(tx, id)?;
            if disabled && target.id == me {
                return Ok(Some("不能停用自己的账户".to_owned()));
            }
            store::accounts::set_disabled(tx, id, disabled)?;
            let action = if disabled { "user_disabled" } else { "user_enabled" };
            audit::record(tx, &actor, action, &target.name, "", &addr)?;
            Ok(None)
        })
        .await?;
    finish(&state, p, outcome, if disabled { Flash::UserDisabled } else { Flash::UserEnabled }).await
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let target = state.store.read(move |c| store::accounts::get(c, id)).await?;
    if let Some(m) = auth::password_problem(&target.name, &form.password) {
        return finish(&state, p, Some(format!("{} 的新密码未设置:{m}", target.name)), Flash::PasswordReset).await;
    }
    // Hashing is deliberately slow: done before the writer's turn.
    let hash = off_workers(move || auth::hash_password(&form.password)).await?;
    state
        .store
        .write(move |tx| {
            store::accounts::set_password_hash(tx, id, &hash, None)?;
            audit::record(tx, &actor, "password_reset", &target.name, "该用户的会话已全部结束", &addr)
        })
        .await?;
    finish(&state, p, None, Flash::PasswordReset).await
}

/// Redirects after a good POST; re-renders the page with the reason after a refused one.
async fn finish(state: &AppState, p: Principal, refused: Option<String>, done: Flash) -> Result<Response> {
    match refused {
        None => Ok(flash::redirect(state, "/admin/users", done)),
        Some(reason) => {
            let page = page(state, p, reason, NewUserForm::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
