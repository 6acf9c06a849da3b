//! Plans, chapters and metric definitions.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::{Error, Result};
use crate::plan::{Chapter, Direction, Kind, Metric, Plan, Target};

const PLAN_COLS: &str = "id, key, title, issuer, document_number, issued_on, period_start, period_end, midterm_on";
const METRIC_COLS: &str = "id, plan_id, chapter_id, key, name, name_en, unit, kind, direction, baseline, baseline_date, \
     target_low, target_high, target_date, source, notes";

/// Every plan, newest period first.
pub fn list(conn: &Connection) -> Result<Vec<Plan>> {
    let sql = format!("SELECT {PLAN_COLS} FROM plan ORDER BY period_start DESC, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], plan_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Plan> {
    let sql = format!("SELECT {PLAN_COLS} FROM plan WHERE id = ?1");
    conn.query_row(&sql, [id], plan_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("没有编号为 {id} 的规划")))
}

pub fn chapters(conn: &Connection, plan_id: i64) -> Result<Vec<Chapter>> {
    let mut stmt = conn.prepare_cached("SELECT id, plan_id, ord, title, title_en FROM chapter WHERE plan_id = ?1 ORDER BY ord")?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok(Chapter { id: r.get(0)?, plan_id: r.get(1)?, ord: r.get(2)?, title: r.get(3)?, title_en: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A plan's metrics in the plan's order.
pub fn metrics(conn: &Connection, plan_id: i64) -> Result<Vec<Metric>> {
    let sql = format!("SELECT {METRIC_COLS} FROM metric WHERE plan_id = ?1 ORDER BY ord");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([plan_id], metric_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn metric_by_key(conn: &Connection, key: &str) -> Result<Metric> {
    let sql = format!("SELECT {METRIC_COLS} FROM metric WHERE key = ?1");
    conn.query_row(&sql, [key], metric_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("没有代码为“{key}”的指标")))
}

fn date(r: &Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    })
    .transpose()
}

fn required_date(r: &Row, i: usize) -> rusqlite::Result<NaiveDate> {
    date(r, i)?.ok_or(rusqlite::Error::InvalidColumnType(i, "date".into(), rusqlite::types::Type::Null))
}

fn plan_row(r: &Row) -> rusqlite::Result<Plan> {
    Ok(Plan {
        id: r.get(0)?,
        key: r.get(1)?,
        title: r.get(2)?,
        issuer: r.get(3)?,
        document_number: r.get(4)?,
        issued_on: date(r, 5)?,
        period_start: required_date(r, 6)?,
        period_end: required_date(r, 7)?,
        midterm_on: date(r, 8)?,
    })
}

fn metric_row(r: &Row) -> rusqlite::Result<Metric> {
    let bad = |i: usize, s: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("unknown value {s}").into())
    };
    let kind: String = r.get(7)?;
    let direction: String = r.get(8)?;
    let low: Option<f64> = r.get(11)?;
    let high: Option<f64> = r.get(12)?;
    Ok(Metric {
        id: r.get(0)?,
        plan_id: r.get(1)?,
        chapter_id: r.get(2)?,
        key: r.get(3)?,
        name: r.get(4)?,
        name_en: r.get(5)?,
        unit: r.get(6)?,
        kind: Kind::parse(&kind).ok_or_else(|| bad(7, kind.clone()))?,
        direction: Direction::parse(&direction).ok_or_else(|| bad(8, direction.clone()))?,
        baseline: r.get(9)?,
        baseline_date: date(r, 10)?,
        target: low.zip(high).map(|(low, high)| Target { low, high }),
        target_date: date(r, 13)?,
        source: r.get(14)?,
        notes: r.get(15)?,
    })
}
