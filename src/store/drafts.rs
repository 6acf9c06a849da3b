//! A plan's life: drafted (seen by administrators only), published, and its seed file
//! back; which older metric a new one continues.
//!
//! Every function runs in the caller's transaction (inside `Store::write`) and records
//! what it did in the audit log; a refusal writes nothing.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{audit, plans, seed};
use crate::error::{Error, Result};
use crate::plan::seed::{ChapterDef, MetricDef, PlanDef};
use crate::plan::{Quarter, Target};

/// Inserts `def` as a draft plan with its chapters and metrics; returns its id. Refused
/// when its key or any of its metric keys is taken (keys are unique across plans).
pub fn create_draft(
    conn: &rusqlite::Connection,
    def: &crate::plan::seed::PlanDef,
    actor: &str,
    addr: &str,
) -> Result<i64> {
    let taken: Option<String> =
        conn.query_row("SELECT title FROM plan WHERE key = ?1", [&def.key], |r| r.get(0)).optional()?;
    if let Some(title) = taken {
        return Err(Error::Refused(format!(
            "规划代码 {} 已被规划“{title}”使用,请另取一个代码。未写入任何内容。",
            def.key
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for m in def.chapters.iter().flat_map(|c| &c.metrics) {
        if !seen.insert(m.key.as_str()) {
            return Err(Error::Refused(format!("指标代码 {} 在本规划中重复。未写入任何内容。", m.key)));
        }
        if let Some((_, other)) = seed::owner_of(conn, &m.key)? {
            return Err(Error::Refused(format!(
                "指标代码 {} 已被规划 {other} 使用:指标代码在所有规划中必须唯一。未写入任何内容。",
                m.key
            )));
        }
    }
    let plan_id = seed::insert_plan(conn, def, true)?;
    let mut ord = 0;
    for (c_ord, chapter) in def.chapters.iter().enumerate() {
        let chapter_id = seed::chapter_id(conn, plan_id, c_ord as i64, &chapter.title, chapter.title_en.as_deref())?;
        for m in &chapter.metrics {
            seed::insert_metric(conn, def, plan_id, chapter_id, ord, m)?;
            ord += 1;
        }
    }
    let detail = format!("{}({} 至 {}),{ord} 个指标,草稿", def.title, def.period_start, def.period_end);
    audit::record(conn, actor, "plan_drafted", &def.key, &detail, addr)?;
    Ok(plan_id)
}

/// Publishes draft `plan_id`: from now on everyone who may read sees it.
pub fn publish(conn: &Connection, plan_id: i64, actor: &str) -> Result<()> {
    let plan = plans::get(conn, plan_id)?;
    if !plan.draft {
        return Err(Error::Refused(format!("规划“{}”已发布", plan.title)));
    }
    let metrics: i64 = conn.query_row("SELECT count(*) FROM metric WHERE plan_id = ?1", [plan_id], |r| r.get(0))?;
    if metrics == 0 {
        return Err(Error::Refused(format!("规划“{}”还没有指标,不能发布", plan.title)));
    }
    conn.execute("UPDATE plan SET status = 'published' WHERE id = ?1", [plan_id])?;
    audit::record(conn, actor, "plan_published", &plan.key, &plan.title, "")
}

/// Whether plan `id` is a draft; `None` when there is no such plan.
pub fn is_draft(conn: &Connection, id: i64) -> Result<Option<bool>> {
    Ok(conn
        .prepare_cached("SELECT status = 'draft' FROM plan WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The ids of draft plans: what only administrators see.
pub fn draft_ids(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM plan WHERE status = 'draft'")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The keys of draft plans' metrics.
pub fn draft_metric_keys(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT m.key FROM metric m JOIN plan p ON p.id = m.plan_id WHERE p.status = 'draft'")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Plan `plan_id` as a seed file describes it: what `plan::seed::to_toml` writes back.
pub fn plan_def(conn: &Connection, plan_id: i64) -> Result<PlanDef> {
    let plan = plans::get(conn, plan_id)?;
    let source: String = conn.query_row("SELECT source FROM plan WHERE id = ?1", [plan_id], |r| r.get(0))?;
    let metrics = plans::metrics(conn, plan_id)?;
    let chapters = plans::chapters(conn, plan_id)?
        .into_iter()
        .map(|ch| ChapterDef {
            metrics: metrics.iter().filter(|m| m.chapter_id == ch.id).map(|m| MetricDef::of_stored(m, &plan)).collect(),
            title: ch.title,
            title_en: ch.title_en,
        })
        .filter(|ch| !ch.metrics.is_empty())
        .collect();
    Ok(PlanDef {
        key: plan.key,
        title: plan.title,
        issuer: plan.issuer,
        document_number: plan.document_number,
        issued_on: plan.issued_on,
        period_start: plan.period_start,
        period_end: plan.period_end,
        midterm_on: plan.midterm_on,
        source,
        chapters,
    })
}

/// Checks that metric `key` (of a plan starting `plan_start`, measured in `unit`) may
/// continue `old`: a metric of another plan that started earlier, in the same unit (one
/// chart draws both, and the old figure may become the new baseline). Returns `old`'s last
/// approved figure and the end of its quarter, the baseline the new metric starts from when
/// it has none of its own.
pub fn check_continues(
    conn: &Connection,
    key: &str,
    unit: &str,
    old: &str,
    plan_start: NaiveDate,
) -> Result<Option<(f64, NaiveDate)>> {
    let found: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT m.id, p.period_start, m.unit FROM metric m JOIN plan p ON p.id = m.plan_id WHERE m.key = ?1",
            [old],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((old_id, old_start, old_unit)) = found else {
        return Err(Error::Refused(format!("指标 {key} 接续的指标代码 {old} 不存在")));
    };
    if old_start.as_str() >= plan_start.to_string().as_str() {
        return Err(Error::Refused(format!("指标 {key} 只能接续更早规划的指标,{old} 所在规划并不更早")));
    }
    if old_unit.trim() != unit.trim() {
        return Err(Error::Refused(format!(
            "指标 {key} 的单位“{unit}”与所接续的 {old} 的单位“{old_unit}”不同:两者的数值不能画在一张图上,也不能作为基期值"
        )));
    }
    last_approved(conn, old_id)
}

/// A metric's last approved figure and the end of its quarter.
fn last_approved(conn: &Connection, metric_id: i64) -> Result<Option<(f64, NaiveDate)>> {
    let row: Option<(String, f64)> = conn
        .prepare_cached(
            "SELECT quarter, approved_value FROM reported_value \
             WHERE metric_id = ?1 AND approved_value IS NOT NULL ORDER BY quarter DESC LIMIT 1",
        )?
        .query_row([metric_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.and_then(|(q, v)| q.parse::<Quarter>().ok().map(|q| (v, q.end()))))
}

/// The metric `m` continues, with its plan: `(metric, plan)`.
pub fn continued(
    conn: &Connection,
    m: &crate::plan::Metric,
) -> Result<Option<(crate::plan::Metric, crate::plan::Plan)>> {
    let Some(old) = m.continues.as_deref() else { return Ok(None) };
    let Ok(old) = plans::metric_by_key(conn, old) else { return Ok(None) };
    let plan = plans::get(conn, old.plan_id)?;
    Ok(Some((old, plan)))
}

/// Sets or clears (`None`) the metric `key` continues, checked as a seed's `continues`.
pub fn set_continues(conn: &Connection, key: &str, old: Option<&str>, actor: &str, addr: &str) -> Result<()> {
    let m = plans::metric_by_key(conn, key)?;
    if m.continues.as_deref() == old {
        return Ok(());
    }
    if let Some(old) = old {
        let plan = plans::get(conn, m.plan_id)?;
        check_continues(conn, key, &m.unit, old, plan.period_start)?;
    }
    conn.execute("UPDATE metric SET continues = ?2 WHERE id = ?1", params![m.id, old])?;
    let detail = format!("接续:{} → {}", m.continues.as_deref().unwrap_or("—"), old.unwrap_or("—"));
    audit::record(conn, actor, "metric_changed", key, &detail, addr)
}

/// For each of `names`, the metrics of plans that started before `new_plan_start` a new
/// metric of that name may continue: the same name first, then names containing it or
/// contained in it; newest plan first, at most 20 each. `(key, name, plan title)`.
/// The older plans' metrics are read once for all the names (a proposal has fifty rows,
/// and matching by containment cannot use an index).
pub fn continuation_candidates(
    conn: &Connection,
    new_plan_start: NaiveDate,
    names: &[&str],
) -> Result<Vec<Vec<(String, String, String)>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.key, m.name, p.title FROM metric m JOIN plan p ON p.id = m.plan_id \
         WHERE p.period_start < ?1 ORDER BY p.period_start DESC, m.ord",
    )?;
    let older: Vec<(String, String, String)> = stmt
        .query_map([new_plan_start.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(names
        .iter()
        .map(|name| {
            let name = name.trim();
            if name.is_empty() {
                return Vec::new();
            }
            let mut found: Vec<&(String, String, String)> =
                older.iter().filter(|(_, n, _)| n.contains(name) || name.contains(n.as_str())).collect();
            // Stable: within each group the newest plan stays first.
            found.sort_by_key(|(_, n, _)| n != name);
            found.into_iter().take(20).cloned().collect()
        })
        .collect())
}

/// Retires metric `key` on `on` for `reason`: gone from what is current, its figures kept.
pub fn retire(conn: &Connection, key: &str, on: NaiveDate, reason: &str, actor: &str, addr: &str) -> Result<()> {
    let m = plans::metric_by_key(conn, key)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::BadRequest("请填写停用原因".into()));
    }
    if let Some(r) = &m.retired {
        return Err(Error::Refused(format!("指标“{}”已于 {} 停用", m.name, r.on)));
    }
    let plan = plans::get(conn, m.plan_id)?;
    if on < plan.period_start || on > plan.period_end {
        return Err(Error::BadRequest(format!("停用日期应在规划期({} 至 {})内", plan.period_start, plan.period_end)));
    }
    conn.execute(
        "UPDATE metric SET retired_on = ?2, retired_reason = ?3 WHERE id = ?1",
        params![m.id, on.to_string(), reason],
    )?;
    audit::record(conn, actor, "metric_retired", key, &format!("{on} 停用:{reason}"), addr)
}

/// Tracks metric `key` again, as if never retired.
pub fn reactivate(conn: &Connection, key: &str, actor: &str, addr: &str) -> Result<()> {
    let m = plans::metric_by_key(conn, key)?;
    let Some(r) = m.retired else {
        return Err(Error::Refused(format!("指标“{}”并未停用", m.name)));
    };
    conn.execute("UPDATE metric SET retired_on = NULL, retired_reason = '' WHERE id = ?1", [m.id])?;
    audit::record(conn, actor, "metric_reactivated", key, &format!("撤销 {} 的停用:{}", r.on, r.reason), addr)
}

/// Adds metric `m` to chapter `chapter_id` of plan `plan_id`, after its last metric.
pub fn add_metric(
    conn: &Connection,
    plan_id: i64,
    chapter_id: i64,
    m: &MetricDef,
    actor: &str,
    addr: &str,
) -> Result<()> {
    if let Some((_, other)) = seed::owner_of(conn, &m.key)? {
        return Err(Error::Refused(format!("指标代码 {} 已被规划 {other} 使用,请另取一个代码", m.key)));
    }
    if !plans::chapters(conn, plan_id)?.iter().any(|c| c.id == chapter_id) {
        return Err(Error::BadRequest("所选章节不属于本规划".into()));
    }
    let def = plan_def(conn, plan_id)?;
    let ord: i64 =
        conn.query_row("SELECT coalesce(max(ord) + 1, 0) FROM metric WHERE plan_id = ?1", [plan_id], |r| r.get(0))?;
    seed::insert_metric(conn, &def, plan_id, chapter_id, ord, m)?;
    let target = m.target.map_or("—".to_owned(), |t: Target| t.to_string());
    let detail = format!("新增指标“{}”({}),目标 {target}", m.name, m.unit);
    audit::record(conn, actor, "metric_added", &m.key, &detail, addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations;

    const OLD: &str = r#"
[plan]
key = "old"
title = "十四五"
period_start = 2021-01-01
period_end = 2025-12-31
[[chapters]]
title = "c"
[[chapters.metrics]]
key = "lead-time"
name = "预警提前量"
unit = "分钟"
kind = "level"
direction = "higher"
baseline = 30
target = 45
source = "原文"
"#;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations::migrate(&mut conn).unwrap();
        let def = crate::plan::seed::parse("old.toml", OLD).unwrap();
        seed::load_all(&mut conn, &[def]).unwrap();
        conn
    }

    #[test]
    fn candidates_put_the_same_name_first_and_only_older_plans() {
        let conn = db();
        let d = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        let one = |start, name| continuation_candidates(&conn, start, &[name]).unwrap().remove(0);
        let found = one(d(2026), "预警提前量");
        assert_eq!(found, vec![("lead-time".into(), "预警提前量".into(), "十四五".into())]);
        assert_eq!(one(d(2026), "强对流预警提前量").len(), 1);
        assert_eq!(one(d(2026), "提前量").len(), 1);
        assert!(one(d(2026), "雷达").is_empty());
        assert!(one(d(2021), "预警提前量").is_empty(), "not older");
    }

    #[test]
    fn a_draft_with_a_taken_key_writes_nothing() {
        let conn = db();
        let mut def = crate::plan::seed::parse("old.toml", OLD).unwrap();
        def.key = "new".into();
        let e = create_draft(&conn, &def, "admin", "").unwrap_err();
        assert!(e.to_string().contains("lead-time"), "{e}");
        let plans: i64 = conn.query_row("SELECT count(*) FROM plan", [], |r| r.get(0)).unwrap();
        assert_eq!(plans, 1);
    }
}
