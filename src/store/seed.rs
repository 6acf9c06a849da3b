//! Loading seed plans into the database.
//!
//! Loading is idempotent and never overwrites: a plan, chapter or metric that exists (by
//! key or title) is left exactly as it is, so a unit or target corrected by a user stays
//! corrected. Only what is missing is added.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::plan::Kind;
use crate::plan::seed::{self, MetricDef, PlanDef};

/// The seed files compiled into the binary: every `seeds/*.toml` at build time.
pub static EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_seeds.rs"));

/// What loading one plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub plan_key: String,
    pub plan_created: bool,
    pub metrics_added: usize,
    pub metrics_kept: usize,
}

/// Parses `(file name, text)` pairs; the first mistake refuses them all.
pub fn parse_all(files: &[(String, String)]) -> Result<Vec<PlanDef>> {
    Ok(parse_named(files)?.into_iter().map(|(_, def)| def).collect())
}

/// [`parse_all`], each plan with the name of its file, for messages that name it.
pub fn parse_named(files: &[(String, String)]) -> Result<Vec<(String, PlanDef)>> {
    files.iter().map(|(name, text)| Ok((name.clone(), seed::parse(name, text)?))).collect()
}

/// Reads every `*.toml` in `dir`, sorted by name.
pub fn read_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::BadRequest(format!("无法读取种子目录 {}:{e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    names.into_iter().map(|p| Ok((p.display().to_string(), std::fs::read_to_string(&p)?))).collect()
}

/// The embedded seeds as `(file name, text)` pairs.
pub fn embedded() -> Vec<(String, String)> {
    EMBEDDED.iter().map(|(n, t)| (format!("seeds/{n}"), (*t).to_owned())).collect()
}

/// Loads every plan in one transaction: all of them or nothing.
pub fn load_all(conn: &mut Connection, plans: &[PlanDef]) -> Result<Vec<Loaded>> {
    let named: Vec<_> = plans.iter().map(|p| (format!("(规划 {})", p.key), p.clone())).collect();
    load_named(conn, &named)
}

/// Loads `(file name, plan)` pairs in one transaction, oldest period first so that a plan
/// whose metrics continue an older plan's finds them: all of them or nothing.
pub fn load_named(conn: &mut Connection, plans: &[(String, PlanDef)]) -> Result<Vec<Loaded>> {
    let mut order: Vec<&(String, PlanDef)> = plans.iter().collect();
    order.sort_by_key(|(_, p)| p.period_start);
    super::in_transaction(conn, |tx| order.iter().map(|(file, p)| load_file(tx, file, p)).collect())
}

/// Adds what is missing of `def` to the database.
pub fn load(conn: &Connection, def: &PlanDef) -> Result<Loaded> {
    load_file(conn, &format!("(规划 {})", def.key), def)
}

/// [`load`], naming `file` in a refusal.
pub fn load_file(conn: &Connection, file: &str, def: &PlanDef) -> Result<Loaded> {
    let existing: Option<(i64, String, String, String, Option<String>)> = conn
        .query_row("SELECT id, title, period_start, period_end, seed_title FROM plan WHERE key = ?1", [&def.key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let plan_created = existing.is_none();
    let plan_id = match existing {
        Some((id, title, start, end, seed_title)) => {
            let period = (def.period_start.to_string(), def.period_end.to_string());
            // The title as first loaded: an administrator may have retitled the plan since,
            // and its own seed must still load. A plan loaded before titles were kept is
            // compared by its period alone.
            let title_differs = seed_title.is_some_and(|t| t != def.title);
            if period != (start.clone(), end.clone()) || title_differs {
                return Err(Error::Refused(format!(
                    "种子文件 {file}:plan.key “{}” 已是现有规划“{title}”({start} 至 {end})的代码,而本文件是“{}”\
                     ({} 至 {}):像是复制了旧种子文件却没有改 plan.key。请把 plan.key 改为新规划自己的代码后再加载。未写入任何内容。",
                    def.key, def.title, def.period_start, def.period_end
                )));
            }
            id
        }
        None => insert_plan(conn, def, false)?,
    };

    let mut loaded = Loaded { plan_key: def.key.clone(), plan_created, metrics_added: 0, metrics_kept: 0 };
    let mut ord: i64 =
        conn.query_row("SELECT coalesce(max(ord) + 1, 0) FROM metric WHERE plan_id = ?1", [plan_id], |r| r.get(0))?;
    for (c_ord, chapter) in def.chapters.iter().enumerate() {
        let chapter_id = chapter_id(conn, plan_id, c_ord as i64, &chapter.title, chapter.title_en.as_deref())?;
        for m in &chapter.metrics {
            match owner_of(conn, &m.key)? {
                Some((owner_id, _)) if owner_id == plan_id => {
                    // Bounds came after the first seeds: an existing metric gets the seed's
                    // when it has none (no page edits them, so none is a user's).
                    // Frequencies came later still: the seed's, unless an administrator set one.
                    let reset = conn.execute(
                        "UPDATE metric SET frequency = ?2 WHERE key = ?1 AND frequency_edited = 0 AND frequency != ?2",
                        params![m.key, m.frequency.as_str()],
                    )?;
                    if reset > 0 {
                        // A figure's due quarters change with it: the history says who did it.
                        let detail = format!("填报频率改为{}(种子文件 {file})", m.frequency.label_zh());
                        super::audit::record(conn, "种子文件", "metric_changed", &m.key, &detail, "")?;
                    }
                    conn.execute(
                        "UPDATE metric SET min_value = ?2, max_value = ?3 \
                         WHERE key = ?1 AND min_value IS NULL AND max_value IS NULL AND (?2 IS NOT NULL OR ?3 IS NOT NULL)",
                        params![m.key, m.min, m.max],
                    )?;
                    loaded.metrics_kept += 1
                }
                Some((_, other)) => {
                    return Err(Error::Refused(format!(
                        "种子文件 {file}:指标代码 {} 已被规划 {other} 使用:指标代码在所有规划中必须唯一,\
                         请为本规划的指标另取代码。未写入任何内容。",
                        m.key
                    )));
                }
                None => {
                    insert_metric(conn, def, plan_id, chapter_id, ord, m).map_err(|e| in_file(e, file))?;
                    ord += 1;
                    loaded.metrics_added += 1;
                }
            }
        }
    }
    Ok(loaded)
}

fn in_file(e: Error, file: &str) -> Error {
    match e {
        Error::Refused(m) => Error::Refused(format!("种子文件 {file}:{m}")),
        other => other,
    }
}

/// The id and key of the plan that has metric `key`, if any.
pub(crate) fn owner_of(conn: &Connection, key: &str) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT m.plan_id, p.key FROM metric m JOIN plan p ON p.id = m.plan_id WHERE m.key = ?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Inserts `def`'s header (not its chapters), a draft or published; returns its id.
pub(crate) fn insert_plan(conn: &Connection, def: &PlanDef, draft: bool) -> Result<i64> {
    conn.execute(
        "INSERT INTO plan (key, title, issuer, document_number, issued_on, period_start, period_end, midterm_on, source, \
         status, seed_title) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?2)",
        params![
            def.key,
            def.title,
            def.issuer,
            def.document_number,
            def.issued_on.map(|d| d.to_string()),
            def.period_start.to_string(),
            def.period_end.to_string(),
            def.midterm_on.map(|d| d.to_string()),
            def.source,
            if draft { "draft" } else { "published" }
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Inserts metric `m` of plan `def` (stored as `plan_id`). A metric that continues an older
/// plan's is checked against it and, without a baseline of its own, starts from the older
/// metric's last approved figure.
pub(crate) fn insert_metric(
    conn: &Connection,
    def: &PlanDef,
    plan_id: i64,
    chapter_id: i64,
    ord: i64,
    m: &MetricDef,
) -> Result<i64> {
    let mut baseline = (m.baseline, m.baseline_date);
    if let Some(old) = m.continues.as_deref() {
        let last = super::drafts::check_continues(conn, &m.key, &m.unit, old, def.period_start)?;
        if m.baseline.is_none()
            && m.kind != Kind::Milestone
            && let Some((v, d)) = last
        {
            baseline = (Some(v), d);
        }
    }
    conn.execute(
        "INSERT INTO metric (plan_id, chapter_id, ord, key, name, name_en, unit, kind, direction, baseline, \
         baseline_date, target_low, target_high, target_date, source, notes, min_value, max_value, continues, \
         retired_on, retired_reason, frequency) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
        params![
            plan_id,
            chapter_id,
            ord,
            m.key,
            m.name,
            m.name_en,
            m.unit,
            m.kind.as_str(),
            m.direction.as_str(),
            baseline.0,
            baseline.1.to_string(),
            m.target.map(|t| t.low),
            m.target.map(|t| t.high),
            m.target_date.to_string(),
            m.source,
            m.notes,
            m.min,
            m.max,
            m.continues,
            m.retired.as_ref().map(|r| r.on.to_string()),
            m.retired.as_ref().map_or("", |r| r.reason.as_str()),
            m.frequency.as_str()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn chapter_id(
    conn: &Connection,
    plan_id: i64,
    ord: i64,
    title: &str,
    title_en: Option<&str>,
) -> Result<i64> {
    let found: Option<i64> = conn
        .query_row("SELECT id FROM chapter WHERE plan_id = ?1 AND title = ?2", params![plan_id, title], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO chapter (plan_id, ord, title, title_en) VALUES (?1, ?2, ?3, ?4)",
        params![plan_id, ord, title, title_en],
    )?;
    Ok(conn.last_insert_rowid())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"
[plan]
key = "p"
title = "P"
period_start = 2021-01-01
period_end = 2025-12-31

[[chapters]]
title = "第一章"

[[chapters.metrics]]
key = "stations"
name = "预警工作站"
unit = "个"
kind = "count"
direction = "higher"
target = 381
source = "实现381个村(社区)预警工作站全覆盖"
"#;

    fn bounds(conn: &Connection) -> (Option<f64>, Option<f64>) {
        conn.query_row("SELECT min_value, max_value FROM metric WHERE key = 'stations'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    }

    #[test]
    fn a_later_seed_fills_in_bounds_a_metric_has_none_of_and_changes_none_it_has() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::migrate(&mut conn).unwrap();
        let parse = |text: &str| crate::plan::seed::parse("s.toml", text).unwrap();
        load_all(&mut conn, &[parse(SEED)]).unwrap();
        assert_eq!(bounds(&conn), (None, None));
        let with_max = SEED.replace("target = 381\n", "target = 381\nmax = 381\n");
        load_all(&mut conn, &[parse(&with_max)]).unwrap();
        assert_eq!(bounds(&conn), (None, Some(381.0)));
        load_all(&mut conn, &[parse(&SEED.replace("target = 381\n", "target = 381\nmax = 400\n"))]).unwrap();
        assert_eq!(bounds(&conn), (None, Some(381.0)), "bounds already set stay");
    }
}
