//! Plans, chapters and metric definitions.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::{Error, Result};
use crate::plan::{Chapter, Direction, Frequency, Kind, Metric, Plan, Target};

const PLAN_COLS: &str =
    "id, key, title, issuer, document_number, issued_on, period_start, period_end, midterm_on, status";
const METRIC_COLS: &str = "id, plan_id, chapter_id, key, name, name_en, unit, kind, direction, baseline, baseline_date, \
     target_low, target_high, target_date, source, notes, min_value, max_value, continues, retired_on, retired_reason, frequency";

/// Every plan, newest period first.
pub fn list(conn: &Connection) -> Result<Vec<Plan>> {
    let sql = format!("SELECT {PLAN_COLS} FROM plan ORDER BY period_start DESC, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], plan_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One page of [`list`]: `limit` plans from the `offset`-th, in the same order.
pub fn page(conn: &Connection, offset: i64, limit: i64) -> Result<Vec<Plan>> {
    let sql = format!("SELECT {PLAN_COLS} FROM plan ORDER BY period_start DESC, id LIMIT ?1 OFFSET ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit, offset], plan_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many plans there are.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM plan")?.query_row([], |r| r.get(0))?)
}

/// Plans shown to someone who may (`drafts`) or may not see drafts: how many.
pub fn count_visible(conn: &Connection, drafts: bool) -> Result<i64> {
    let sql = "SELECT count(*) FROM plan WHERE ?1 OR status = 'published'";
    Ok(conn.prepare_cached(sql)?.query_row([drafts], |r| r.get(0))?)
}

/// One page of the plans shown to someone who may (`drafts`) or may not see drafts: the
/// ones in force on `today` first, then newest period first.
pub fn page_visible(conn: &Connection, offset: i64, limit: i64, today: NaiveDate, drafts: bool) -> Result<Vec<Plan>> {
    let sql = format!(
        "SELECT {PLAN_COLS} FROM plan WHERE ?4 OR status = 'published' \
         ORDER BY (period_start <= ?3 AND ?3 <= period_end) DESC, period_start DESC, id LIMIT ?1 OFFSET ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params![limit, offset, today.to_string(), drafts], plan_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The plan a page shows when none is named: the published plan in force on `today`, else
/// the newest published one. Never a draft, whoever asks: a draft is opened by name.
pub fn default_id(conn: &Connection, today: NaiveDate) -> Result<Option<i64>> {
    let today = today.to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM plan WHERE status = 'published' \
         ORDER BY (period_start <= ?1 AND ?1 <= period_end) DESC, period_start DESC, id LIMIT 1",
    )?;
    Ok(stmt.query_row([today], |r| r.get(0)).optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Plan> {
    let sql = format!("SELECT {PLAN_COLS} FROM plan WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], plan_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("没有编号为 {id} 的规划")))
}

pub fn chapters(conn: &Connection, plan_id: i64) -> Result<Vec<Chapter>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, plan_id, ord, title, title_en FROM chapter WHERE plan_id = ?1 ORDER BY ord")?;
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
    conn.prepare_cached(&sql)?
        .query_row([key], metric_row)
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
        draft: r.get::<_, String>(9)? == "draft",
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
        min: r.get(16)?,
        max: r.get(17)?,
        continues: r.get(18)?,
        retired: date(r, 19)?
            .map(|on| Ok::<_, rusqlite::Error>(crate::plan::Retired { on, reason: r.get(20)? }))
            .transpose()?,
        frequency: {
            let f: String = r.get(21)?;
            Frequency::parse(&f).ok_or_else(|| bad(21, f))?
        },
    })
}

/// A plan with everything its pages need, read in a fixed number of queries.
pub struct Snapshot {
    pub plan: Plan,
    pub chapters: Vec<Chapter>,
    pub metrics: Vec<Metric>,
    pub values: std::collections::HashMap<i64, Vec<crate::plan::Reported>>,
}

impl Snapshot {
    /// The values of one metric, oldest first.
    pub fn values_of(&self, metric_id: i64) -> &[crate::plan::Reported] {
        self.values.get(&metric_id).map_or(&[], Vec::as_slice)
    }
}

/// Reads plan `id` whole: four queries, however many metrics and quarters it has.
pub fn snapshot(conn: &Connection, id: i64, view: super::values::View) -> Result<Snapshot> {
    Ok(Snapshot {
        plan: get(conn, id)?,
        chapters: chapters(conn, id)?,
        metrics: metrics(conn, id)?,
        values: super::values::of_plan(conn, id, view)?,
    })
}

/// The editable part of a metric's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: String,
    pub name_en: Option<String>,
    pub unit: String,
    pub baseline: Option<f64>,
    pub baseline_date: Option<NaiveDate>,
    pub target: Option<Target>,
    pub target_date: Option<NaiveDate>,
    pub source: String,
    pub notes: String,
    pub frequency: Frequency,
}

impl Definition {
    pub fn of(m: &Metric) -> Self {
        Self {
            name: m.name.clone(),
            name_en: m.name_en.clone(),
            unit: m.unit.clone(),
            baseline: m.baseline,
            baseline_date: m.baseline_date,
            target: m.target,
            target_date: m.target_date,
            source: m.source.clone(),
            notes: m.notes.clone(),
            frequency: m.frequency,
        }
    }

    /// `字段: 旧 → 新` for every field that differs, for the audit log.
    pub fn changes(&self, new: &Definition) -> Vec<String> {
        let num = |v: Option<f64>| v.map_or("—".to_owned(), crate::plan::fmt_num);
        let date = |v: Option<NaiveDate>| v.map_or("—".to_owned(), |d| d.to_string());
        let target = |t: Option<Target>| t.map_or("—".to_owned(), |t| t.to_string());
        let pairs = [
            ("名称", self.name.clone(), new.name.clone()),
            ("英文名称", self.name_en.clone().unwrap_or_default(), new.name_en.clone().unwrap_or_default()),
            ("单位", self.unit.clone(), new.unit.clone()),
            ("基期值", num(self.baseline), num(new.baseline)),
            ("基期日期", date(self.baseline_date), date(new.baseline_date)),
            ("目标值", target(self.target), target(new.target)),
            ("目标日期", date(self.target_date), date(new.target_date)),
            ("规划原文", self.source.clone(), new.source.clone()),
            ("说明", self.notes.clone(), new.notes.clone()),
            ("填报频率", self.frequency.label_zh().to_owned(), new.frequency.label_zh().to_owned()),
        ];
        pairs.into_iter().filter(|(_, a, b)| a != b).map(|(f, a, b)| format!("{f}:{a} → {b}")).collect()
    }
}

pub fn update_definition(conn: &Connection, id: i64, d: &Definition) -> Result<()> {
    conn.execute(
        "UPDATE metric SET name = ?2, name_en = ?3, unit = ?4, baseline = ?5, baseline_date = ?6, target_low = ?7, \
         target_high = ?8, target_date = ?9, source = ?10, notes = ?11, \
         frequency_edited = CASE WHEN frequency != ?12 THEN 1 ELSE frequency_edited END, frequency = ?12 WHERE id = ?1",
        rusqlite::params![
            id,
            d.name,
            d.name_en,
            d.unit,
            d.baseline,
            d.baseline_date.map(|x| x.to_string()),
            d.target.map(|t| t.low),
            d.target.map(|t| t.high),
            d.target_date.map(|x| x.to_string()),
            d.source,
            d.notes,
            d.frequency.as_str()
        ],
    )?;
    Ok(())
}

/// `字段:旧 → 新` for every header field of a plan that differs, for the audit log.
pub fn plan_changes(old: &Plan, new: &Plan) -> Vec<String> {
    let date = |d: Option<NaiveDate>| d.map_or("—".to_owned(), |d| d.to_string());
    [
        ("名称", old.title.clone(), new.title.clone()),
        ("印发机关", old.issuer.clone(), new.issuer.clone()),
        ("文号", old.document_number.clone(), new.document_number.clone()),
        ("印发日期", date(old.issued_on), date(new.issued_on)),
        ("中期评估日期", date(old.midterm_on), date(new.midterm_on)),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(f, a, b)| format!("{f}:{a} → {b}"))
    .collect()
}

pub fn update_plan(conn: &Connection, p: &Plan) -> Result<()> {
    conn.execute(
        "UPDATE plan SET title = ?2, issuer = ?3, document_number = ?4, issued_on = ?5, midterm_on = ?6 WHERE id = ?1",
        rusqlite::params![
            p.id,
            p.title,
            p.issuer,
            p.document_number,
            p.issued_on.map(|d| d.to_string()),
            p.midterm_on.map(|d| d.to_string())
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rusqlite::trace::{TraceEvent, TraceEventCodes};

    use super::*;
    use crate::plan::seed;
    use crate::store::{migrations, seed as seed_store, values};

    const PLAN: &str = r#"
[plan]
key = "p"
title = "P"
period_start = 2021-01-01
period_end = 2025-12-31
[[chapters]]
title = "c"
"#;

    fn metric_toml(i: usize) -> String {
        format!(
            "[[chapters.metrics]]\nkey = \"m{i}\"\nname = \"指标{i}\"\nunit = \"个\"\nkind = \"count\"\n\
             direction = \"higher\"\nbaseline = 0\ntarget = 10\nsource = \"原文\"\n"
        )
    }

    /// Statements run by `snapshot` for a plan of `n` metrics with 20 quarters each.
    fn statements_for(n: usize) -> usize {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations::migrate(&mut conn).unwrap();
        let text = PLAN.to_owned() + &(0..n).map(metric_toml).collect::<String>();
        let def = seed::parse("t.toml", &text).unwrap();
        seed_store::load_all(&mut conn, &[def]).unwrap();
        for m in metrics(&conn, 1).unwrap() {
            for (i, q) in crate::plan::Quarter::range("2021Q1".parse().unwrap(), "2025Q4".parse().unwrap()).enumerate()
            {
                let r = crate::plan::Reported {
                    quarter: q,
                    value: i as f64,
                    done: None,
                    note: String::new(),
                    pending: false,
                };
                values::put_approved(&conn, m.id, &r, "t", "create").unwrap();
            }
        }
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |e: TraceEvent<'_>| {
                if matches!(e, TraceEvent::Stmt(..)) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
            }),
        )
        .unwrap();
        let snap = snapshot(&conn, 1, values::View::Approved).unwrap();
        assert_eq!(snap.metrics.len(), n);
        assert!(snap.metrics.iter().all(|m| snap.values_of(m.id).len() == 20));
        count.load(Ordering::Relaxed)
    }

    #[test]
    fn snapshot_runs_the_same_queries_for_two_metrics_as_for_two_hundred() {
        assert_eq!(statements_for(2), statements_for(200));
        assert_eq!(statements_for(2), 4);
    }
}
