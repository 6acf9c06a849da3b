//! The audit log: sign-ins, failed sign-ins, user, token and definition changes. Rows are
//! written in the same transaction as the change they record and are never altered.

use rusqlite::{Connection, params};

use crate::error::Result;

/// One audit row.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub addr: String,
}

/// Actions, with their Chinese labels for the audit page.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("login_throttled", "登录被限制"),
    ("logout", "退出"),
    ("user_created", "新增用户"),
    ("role_changed", "修改角色"),
    ("user_disabled", "停用用户"),
    ("user_enabled", "启用用户"),
    ("password_reset", "重置密码"),
    ("password_changed", "修改密码"),
    ("token_issued", "签发令牌"),
    ("token_revoked", "吊销令牌"),
    ("metric_changed", "修改指标定义"),
    ("plan_changed", "修改规划信息"),
    ("plan_drafted", "新建规划草稿"),
    ("plan_published", "发布规划"),
    ("metric_added", "新增指标"),
    ("metric_retired", "停用指标"),
    ("metric_reactivated", "恢复指标"),
    ("quarter_locked", "锁定季度"),
    ("quarter_unlocked", "解锁季度"),
    ("import_applied", "导入数据"),
    ("setup_admin_created", "首次设置:创建管理员"),
    ("setup_code_wrong", "首次设置:设置码错误"),
    ("setup_throttled", "首次设置:尝试过多"),
];

pub fn action_label(action: &str) -> &str {
    ACTIONS.iter().find(|(a, _)| *a == action).map_or(action, |(_, l)| l)
}

pub fn record(conn: &Connection, actor: &str, action: &str, subject: &str, detail: &str, addr: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO audit (actor, action, subject, detail, addr) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![actor, action, subject, detail, addr],
    )?;
    Ok(())
}

/// What the audit page filters by; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: String,
    pub actor: String,
    /// Rows at or after this instant, and before that one, written like stored times
    /// (`2026-11-28T16:00:00.000Z`) so they compare as text.
    pub since: String,
    pub before: String,
}

/// The newest `limit` rows matching `f`.
pub fn list(conn: &Connection, f: &Filter, limit: i64) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, action, subject, detail, addr FROM audit \
         WHERE (?1 = '' OR action = ?1) AND (?2 = '' OR actor = ?2 OR subject = ?2) \
         AND (?3 = '' OR at >= ?3) AND (?4 = '' OR at < ?4) \
         ORDER BY id DESC LIMIT ?5",
    )?;
    let rows = stmt.query_map(params![f.action, f.actor, f.since, f.before, limit], |r| {
        Ok(Entry {
            at: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            subject: r.get(3)?,
            detail: r.get(4)?,
            addr: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
