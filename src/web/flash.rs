//! The one-time message a page shows after a successful POST redirected to it ("已批准。",
//! "已保存:5 项…"). The redirect sets a short-lived cookie holding a code, never text, so
//! nobody can put words in the bureau's mouth; [`carry_flash`] hands it to the next page's
//! layout and clears it once a page has been shown.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use crate::error::{Error, Result};

const COOKIE: &str = "plantrack_flash";
/// Long enough to follow a redirect, short enough not to greet a later visit.
const MAX_AGE_SECS: u32 = 60;

/// What just happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// Figures saved from the entry grid: how many changed.
    Saved(usize),
    /// Figures imported from a sheet: how many changed.
    Imported(usize),
    Approved,
    Returned,
    Locked,
    Unlocked,
    UserAdded,
    RoleChanged,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    PasswordChanged,
    TokenRevoked,
    DefinitionSaved,
    PlanSaved,
    /// A new plan was saved as a draft from the proposal page.
    DraftSaved,
    /// The first administrator was created on the setup page.
    FirstAdminCreated,
}

impl Flash {
    const PLAIN: [Flash; 15] = [
        Flash::Approved,
        Flash::Returned,
        Flash::Locked,
        Flash::Unlocked,
        Flash::UserAdded,
        Flash::RoleChanged,
        Flash::UserDisabled,
        Flash::UserEnabled,
        Flash::PasswordReset,
        Flash::PasswordChanged,
        Flash::TokenRevoked,
        Flash::DefinitionSaved,
        Flash::PlanSaved,
        Flash::DraftSaved,
        Flash::FirstAdminCreated,
    ];

    /// The cookie's value.
    fn code(self) -> String {
        match self {
            Flash::Saved(n) => format!("saved-{n}"),
            Flash::Imported(n) => format!("imported-{n}"),
            plain => format!("{plain:?}").to_lowercase(),
        }
    }

    /// The flash a cookie's value names; anything else is ignored.
    fn parse(code: &str) -> Option<Self> {
        let count = |prefix: &str| code.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok());
        if let Some(n) = count("saved-") {
            return Some(Flash::Saved(n));
        }
        if let Some(n) = count("imported-") {
            return Some(Flash::Imported(n));
        }
        Self::PLAIN.into_iter().find(|f| f.code() == code)
    }

    /// What the page says.
    pub fn message(self) -> String {
        match self {
            Flash::Saved(n) => format!("已保存:{n} 项数值有变动,待审核人审核。"),
            Flash::Imported(n) => format!("导入完成:{n} 项数值有变动,待审核人审核。"),
            Flash::Approved => "已批准。".into(),
            Flash::Returned => "已退回填报员。".into(),
            Flash::Locked => "季度已锁定。".into(),
            Flash::Unlocked => "季度已解锁,解锁已记入审计日志。".into(),
            Flash::UserAdded => "用户已添加。".into(),
            Flash::RoleChanged => "角色已修改。".into(),
            Flash::UserDisabled => "用户已停用,其登录已全部退出。".into(),
            Flash::UserEnabled => "用户已启用。".into(),
            Flash::PasswordReset => "密码已重置,该用户的登录已全部退出。".into(),
            Flash::PasswordChanged => "密码已修改,其他设备上的登录已退出。".into(),
            Flash::TokenRevoked => "令牌已吊销。".into(),
            Flash::DefinitionSaved => "指标定义已保存,修改已记入审计日志。".into(),
            Flash::PlanSaved => "规划信息已保存,修改已记入审计日志。".into(),
            Flash::DraftSaved => "新规划已保存为草稿,已记入审计日志。请核对下面的指标。".into(),
            Flash::FirstAdminCreated => "管理员已创建,首次设置页面已关闭。请用刚设置的用户名和密码登录。".into(),
        }
    }
}

/// A 303 to `to` (a path the server built) that leaves `flash` for the page there.
pub fn redirect(state: &AppState, to: &str, flash: Flash) -> Response {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}", flash.code());
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The flash waiting for this request's page, if any: give it to the page's layout.
pub struct Flashed(pub Option<Flash>);

impl<S: Send + Sync> FromRequestParts<S> for Flashed {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(Flashed(parts.extensions.get::<Flash>().copied()))
    }
}

/// Reads the flash cookie into the request, and clears it once a page was shown.
pub async fn carry_flash(mut req: Request, next: Next) -> Response {
    let flash = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .find_map(Flash::parse);
    if let Some(f) = flash {
        req.extensions_mut().insert(f);
    }
    let mut res = next.run(req).await;
    if flash.is_some() && res.status().is_success() {
        let clear = format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&clear) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flash_survives_its_cookie_and_says_something_of_its_own() {
        let all: Vec<Flash> = Flash::PLAIN.into_iter().chain([Flash::Saved(0), Flash::Imported(17)]).collect();
        for f in &all {
            assert_eq!(Flash::parse(&f.code()), Some(*f), "{f:?}");
        }
        let messages: std::collections::HashSet<String> = all.iter().map(|f| f.message()).collect();
        assert_eq!(messages.len(), all.len());
        assert_eq!(Flash::Saved(5).message(), "已保存:5 项数值有变动,待审核人审核。");
    }

    #[test]
    fn a_cookie_carrying_anything_but_a_code_is_ignored() {
        for bad in ["", "saved-", "saved--1", "saved-x", "已批准", "<script>", "approved ", "Approved"] {
            assert_eq!(Flash::parse(bad), None, "{bad}");
        }
    }
}
