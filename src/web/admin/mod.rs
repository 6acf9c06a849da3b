//! `/admin`: users, API tokens, metric definitions and the audit log. Admins only: every
//! handler takes the [`Admin`](super::auth::Admin) extractor.

mod audit;
mod definitions;
mod plans;
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
        .route("/admin/plans/{id}", get(plans::edit_plan).post(plans::save_plan))
        .route("/admin/audit", get(audit::show_audit))
}

/// `?done=code` after a successful POST redirected back.
#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

impl DoneQuery {
    fn message(&self) -> &'static str {
        done_message(self.done.as_deref())
    }
}

/// Messages shown after a successful POST redirects back (`?done=code`): codes, not text,
/// so a link cannot put words in the bureau's mouth.
fn done_message(code: Option<&str>) -> &'static str {
    match code {
        Some("added") => "用户已添加。",
        Some("role") => "角色已修改。",
        Some("disabled") => "用户已停用,其登录已全部退出。",
        Some("enabled") => "用户已启用。",
        Some("password") => "密码已重置,该用户的登录已全部退出。",
        Some("revoked") => "令牌已吊销。",
        Some("saved") => "指标定义已保存,修改已记入审计日志。",
        Some("plan") => "规划信息已保存,修改已记入审计日志。",
        _ => "",
    }
}
