//! placeholder: replaced by the drafts branch at merge.
//!
//! Just enough for the new-plan pages to save a plan: the drafts branch adds the plan's
//! status (draft, published, retired) and the rules around it.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::plan::seed::PlanDef;

/// Adds `def` as a new plan and returns its id; refuses a plan key or metric key that
/// exists already, so nothing of another plan is touched.
pub fn create_draft(conn: &Connection, def: &PlanDef, actor: &str) -> Result<i64> {
    let _ = actor;
    let plan: Option<i64> =
        conn.query_row("SELECT id FROM plan WHERE key = ?1", [&def.key], |r| r.get(0)).optional()?;
    if plan.is_some() {
        return Err(Error::Refused(format!("规划代码 {} 已被使用", def.key)));
    }
    for m in def.chapters.iter().flat_map(|c| &c.metrics) {
        let found: Option<i64> =
            conn.query_row("SELECT id FROM metric WHERE key = ?1", [&m.key], |r| r.get(0)).optional()?;
        if found.is_some() {
            return Err(Error::Refused(format!("指标代码 {} 已被使用", m.key)));
        }
    }
    super::seed::load(conn, def)?;
    Ok(conn.query_row("SELECT id FROM plan WHERE key = ?1", [&def.key], |r| r.get(0))?)
}
