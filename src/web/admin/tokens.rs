//! API tokens: an admin issues one for a user (shown once) and revokes it.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth;
use crate::error::{Error, Result};
use crate::store::{self, accounts::Account, accounts::Token, audit};
use crate::web::auth::{Actor, Admin, CurrentUser, Principal};
use crate::web::flash::{self, Flash, Flashed};
use crate::web::{AppState, Layout, render};

#[derive(Template)]
#[template(path = "pages/admin/tokens.html")]
struct TokensPage {
    layout: Layout,
    csrf: String,
    tokens: Vec<Token>,
    users: Vec<Account>,
    /// A token just issued: shown this once, never stored.
    issued: Option<(String, String)>,
    error: String,
}

async fn page(state: &AppState, p: Principal) -> Result<TokensPage> {
    let (tokens, users) = state.store.read(|c| Ok((store::accounts::tokens(c)?, store::accounts::list(c)?))).await?;
    Ok(TokensPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "API 令牌"),
        tokens,
        users,
        issued: None,
        error: String::new(),
    })
}

pub async fn list_tokens(State(state): State<AppState>, Admin(p): Admin, Flashed(flash): Flashed) -> Result<Response> {
    let mut page = page(&state, p).await?;
    page.layout.flash = flash;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct IssueForm {
    user: String,
    #[serde(default)]
    label: String,
}

pub async fn issue_token(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Form(form): Form<IssueForm>,
) -> Result<Response> {
    let token = auth::new_token();
    let (t, label) = (token.clone(), form.label.trim().to_owned());
    let user = form.user.clone();
    let issued = state
        .store
        .write(move |tx| {
            let account = store::accounts::by_name(tx, &user)?;
            store::accounts::create_token(tx, account.id, &auth::token_hash(&t), &label, &actor)?;
            audit::record(tx, &actor, "token_issued", &account.name, &label, &addr)?;
            Ok(account.name)
        })
        .await;
    let mut page = page(&state, p).await?;
    match issued {
        Ok(name) => {
            page.issued = Some((name, token));
            Ok(render(&page)?.into_response())
        }
        Err(Error::NotFound(m)) => {
            page.error = m;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(_): Admin,
    Path(id): Path<i64>,
) -> Result<Response> {
    state
        .store
        .write(move |tx| {
            let (owner, label) = store::accounts::revoke_token(tx, id)?;
            audit::record(tx, &actor, "token_revoked", &owner, &label, &addr)
        })
        .await?;
    Ok(flash::redirect(&state, "/admin/tokens", Flash::TokenRevoked))
}
