//! `/admin`: users, API tokens, metric definitions, new plans and the audit log. Admins only: every
//! handler takes the [`Admin`](super::auth::Admin) extractor.

mod audit;
mod definitions;
mod life;
mod new_plan;
mod plans;
mod proposal_form;
mod tokens;
mod users;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/users") }))
        .route("/admin/users", get(users::list_users).post(users::add_user))
        .route("/admin/users/{id}/role", post(users::change_role))
        .route("/admin/users/{id}/disable", post(users::disable_user))
        .route("/admin/users/{id}/enable", post(users::enable_user))
        .route("/admin/users/{id}/password", post(users::reset_password))
        .route("/admin/tokens", get(tokens::list_tokens).post(tokens::issue_token))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke_token))
        .route("/admin/metrics", get(definitions::list_definitions))
        .route("/admin/metrics/{key}", get(definitions::edit_definition).post(definitions::save_definition))
        .route("/admin/plans/new", get(new_plan::show_new_plan).post(new_plan::propose_from_text))
        .route("/admin/plans/new/upload", post(new_plan::propose_from_upload))
        .route("/admin/plans/new/save", post(new_plan::save_proposal))
        .route("/admin/plans/{id}", get(plans::edit_plan).post(plans::save_plan))
        .route("/admin/plans/{id}/metrics/new", get(life::new_metric).post(life::add_metric))
        .route("/admin/metrics/{key}/retire", post(life::retire_metric))
        .route("/admin/metrics/{key}/reactivate", post(life::reactivate_metric))
        .route("/admin/metrics/{key}/continues", post(life::set_continues))
        .route("/admin/audit", get(audit::show_audit))
}
