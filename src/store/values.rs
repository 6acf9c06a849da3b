//! Reported quarterly values. Their history is written by triggers (see migrations).

use std::collections::HashMap;

use rusqlite::{Connection, Row, params};

use crate::error::Result;
use crate::plan::Reported;

/// Every value of a plan's metrics in one query, by metric id, oldest quarter first.
pub fn of_plan(conn: &Connection, plan_id: i64) -> Result<HashMap<i64, Vec<Reported>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.metric_id, v.quarter, v.value, v.done, v.note FROM reported_value v \
         JOIN metric m ON m.id = v.metric_id WHERE m.plan_id = ?1 ORDER BY v.metric_id, v.quarter",
    )?;
    let mut out: HashMap<i64, Vec<Reported>> = HashMap::new();
    for row in stmt.query_map([plan_id], |r| Ok((r.get::<_, i64>(0)?, reported(r, 1)?)))? {
        let (id, v) = row?;
        out.entry(id).or_default().push(v);
    }
    Ok(out)
}

/// One metric's values, oldest quarter first.
pub fn of_metric(conn: &Connection, metric_id: i64) -> Result<Vec<Reported>> {
    let mut stmt = conn.prepare_cached(
        "SELECT quarter, value, done, note FROM reported_value WHERE metric_id = ?1 ORDER BY quarter",
    )?;
    let rows = stmt.query_map([metric_id], |r| reported(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records a value for a quarter, replacing any earlier one (the trigger keeps the old).
pub fn put(conn: &Connection, metric_id: i64, v: &Reported, actor: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO reported_value (metric_id, quarter, value, done, note, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (metric_id, quarter) DO UPDATE SET value = excluded.value, done = excluded.done, \
         note = excluded.note, recorded_by = excluded.recorded_by, \
         recorded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        params![metric_id, v.quarter.to_string(), v.value, v.done, v.note, actor],
    )?;
    Ok(())
}

/// Number of values in the database.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM reported_value", [], |r| r.get(0))?)
}

fn reported(r: &Row, at: usize) -> rusqlite::Result<Reported> {
    let q: String = r.get(at)?;
    Ok(Reported {
        quarter: q.parse().map_err(|e: crate::plan::quarter::QuarterParseError| {
            rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, Box::new(e))
        })?,
        value: r.get(at + 1)?,
        done: r.get(at + 2)?,
        note: r.get(at + 3)?,
    })
}
