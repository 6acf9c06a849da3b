//! Loading seed plans into the database.
//!
//! Loading is idempotent and never overwrites: a plan, chapter or metric that exists (by
//! key or title) is left exactly as it is, so a unit or target corrected by a user stays
//! corrected. Only what is missing is added.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::plan::seed::{self, PlanDef};

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
    files.iter().map(|(name, text)| seed::parse(name, text).map_err(Error::from)).collect()
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
    super::in_transaction(conn, |tx| plans.iter().map(|p| load(tx, p)).collect())
}

/// Adds what is missing of `def` to the database.
pub fn load(conn: &Connection, def: &PlanDef) -> Result<Loaded> {
    let existing: Option<i64> =
        conn.query_row("SELECT id FROM plan WHERE key = ?1", [&def.key], |r| r.get(0)).optional()?;
    let plan_created = existing.is_none();
    let plan_id = match existing {
        Some(id) => id,
        None => {
            conn.execute(
                "INSERT INTO plan (key, title, issuer, document_number, issued_on, period_start, period_end, midterm_on, source) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    def.key,
                    def.title,
                    def.issuer,
                    def.document_number,
                    def.issued_on.map(|d| d.to_string()),
                    def.period_start.to_string(),
                    def.period_end.to_string(),
                    def.midterm_on.map(|d| d.to_string()),
                    def.source
                ],
            )?;
            conn.last_insert_rowid()
        }
    };

    let mut loaded = Loaded { plan_key: def.key.clone(), plan_created, metrics_added: 0, metrics_kept: 0 };
    let mut ord: i64 =
        conn.query_row("SELECT coalesce(max(ord) + 1, 0) FROM metric WHERE plan_id = ?1", [plan_id], |r| r.get(0))?;
    for (c_ord, chapter) in def.chapters.iter().enumerate() {
        let chapter_id = chapter_id(conn, plan_id, c_ord as i64, &chapter.title, chapter.title_en.as_deref())?;
        for m in &chapter.metrics {
            let owner: Option<(i64, String)> = conn
                .query_row(
                    "SELECT m.plan_id, p.key FROM metric m JOIN plan p ON p.id = m.plan_id WHERE m.key = ?1",
                    [&m.key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match owner {
                Some((owner_id, _)) if owner_id == plan_id => {
                    // Bounds came after the first seeds: an existing metric gets the seed's
                    // when it has none (no page edits them, so none is a user's).
                    // Frequencies came later still: the seed's, unless an administrator set one.
                    conn.execute(
                        "UPDATE metric SET frequency = ?2 WHERE key = ?1 AND frequency_edited = 0 AND frequency != ?2",
                        params![m.key, m.frequency.as_str()],
                    )?;
                    conn.execute(
                        "UPDATE metric SET min_value = ?2, max_value = ?3 \
                         WHERE key = ?1 AND min_value IS NULL AND max_value IS NULL AND (?2 IS NOT NULL OR ?3 IS NOT NULL)",
                        params![m.key, m.min, m.max],
                    )?;
                    loaded.metrics_kept += 1
                }
                Some((_, other)) => {
                    return Err(Error::Refused(format!(
                        "种子规划 {} 的指标代码 {} 已被规划 {other} 使用:指标代码在所有规划中必须唯一",
                        def.key, m.key
                    )));
                }
                None => {
                    conn.execute(
                        "INSERT INTO metric (plan_id, chapter_id, ord, key, name, name_en, unit, kind, direction, baseline, \
                         baseline_date, target_low, target_high, target_date, source, notes, min_value, max_value, frequency) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
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
                            m.baseline,
                            m.baseline_date.to_string(),
                            m.target.map(|t| t.low),
                            m.target.map(|t| t.high),
                            m.target_date.to_string(),
                            m.source,
                            m.notes,
                            m.min,
                            m.max,
                            m.frequency.as_str()
                        ],
                    )?;
                    ord += 1;
                    loaded.metrics_added += 1;
                }
            }
        }
    }
    Ok(loaded)
}

fn chapter_id(conn: &Connection, plan_id: i64, ord: i64, title: &str, title_en: Option<&str>) -> Result<i64> {
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
