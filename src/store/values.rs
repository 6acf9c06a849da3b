//! Reported quarterly values, their review state, quarter locks and their history.
//! The history is written by triggers (see migrations); every write here sets `action`
//! and `recorded_by` so the trigger records what happened and who did it.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::Result;
use crate::plan::entry::Accepted;
use crate::plan::{Quarter, Reported, ReviewStatus};

/// Which figures a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Approved figures only: what dashboards and reports show by default.
    Approved,
    /// Pending figures in place of the approved ones, marked as pending.
    WithPending,
}

/// The figure a view shows, as SQL over `reported_value v`: a pending entry in the
/// pending view, else the approved figure (NULL when there is none).
const SHOWN: &str = "CASE WHEN ?2 AND v.status = 'pending' THEN v.value ELSE v.approved_value END";
const SHOWN_DONE: &str = "CASE WHEN ?2 AND v.status = 'pending' THEN v.done ELSE v.approved_done END";

/// Every figure of a plan's metrics in one query, by metric id, oldest quarter first.
pub fn of_plan(conn: &Connection, plan_id: i64, view: View) -> Result<HashMap<i64, Vec<Reported>>> {
    let sql = format!(
        "SELECT v.metric_id, v.quarter, {SHOWN}, {SHOWN_DONE}, v.note, ?2 AND v.status = 'pending' FROM reported_value v \
         JOIN metric m ON m.id = v.metric_id WHERE m.plan_id = ?1 AND {SHOWN} IS NOT NULL"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut out: HashMap<i64, Vec<Reported>> = HashMap::new();
    let rows =
        stmt.query_map(params![plan_id, view == View::WithPending], |r| Ok((r.get::<_, i64>(0)?, reported(r, 1)?)))?;
    for row in rows {
        let (id, v) = row?;
        out.entry(id).or_default().push(v);
    }
    // Sorting here is cheaper than an ORDER BY that SQLite sorts in a temporary table.
    for v in out.values_mut() {
        v.sort_by_key(|r| r.quarter);
    }
    Ok(out)
}

/// One metric's figures, oldest quarter first.
pub fn of_metric(conn: &Connection, metric_id: i64, view: View) -> Result<Vec<Reported>> {
    Ok(of_metric_versioned(conn, metric_id, view)?.into_iter().map(|(r, _)| r).collect())
}

/// [`of_metric`] with each figure's stored version, read in the same query so the two
/// always agree: a client that changes a figure sends the version back, and a change made
/// in between is refused rather than overwritten. The version is the stored row's: in the
/// approved view it also covers an entry awaiting review that the view does not show.
pub fn of_metric_versioned(conn: &Connection, metric_id: i64, view: View) -> Result<Vec<(Reported, i64)>> {
    let sql = format!(
        "SELECT v.quarter, {SHOWN}, {SHOWN_DONE}, v.note, ?2 AND v.status = 'pending', v.version FROM reported_value v \
         WHERE v.metric_id = ?1 AND {SHOWN} IS NOT NULL ORDER BY v.quarter"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![metric_id, view == View::WithPending], |r| Ok((reported(r, 0)?, r.get(5)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn reported(r: &Row, at: usize) -> rusqlite::Result<Reported> {
    Ok(Reported {
        quarter: quarter(r, at)?,
        value: r.get(at + 1)?,
        done: r.get(at + 2)?,
        note: r.get(at + 3)?,
        pending: r.get(at + 4)?,
    })
}

fn quarter(r: &Row, at: usize) -> rusqlite::Result<Quarter> {
    // Read in place: a plan's figures are a thousand rows, each quarter a short string.
    r.get_ref(at)?.as_str()?.parse().map_err(|e: crate::plan::quarter::QuarterParseError| {
        rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn review_status(r: &Row, at: usize) -> rusqlite::Result<ReviewStatus> {
    let s: String = r.get(at)?;
    ReviewStatus::parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, format!("review status {s}").into())
    })
}

/// A stored figure with its review state, as entry and review pages need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub metric_id: i64,
    pub quarter: Quarter,
    pub value: f64,
    pub done: Option<bool>,
    pub note: String,
    pub status: ReviewStatus,
    pub approved_value: Option<f64>,
    pub approved_done: Option<bool>,
    pub review_note: String,
    pub version: i64,
    /// Who made the last write (an entry, an approval, a return).
    pub recorded_by: String,
    pub recorded_at: String,
    /// Who entered the figure as it stands (approvals and returns do not change this).
    pub entered_by: String,
}

/// Who entered figure `v` as it stands: the history's last entry (not a review) of it.
macro_rules! entered_by {
    () => {
        "coalesce((SELECT h.actor FROM value_history h WHERE h.metric_id = v.metric_id AND h.quarter = v.quarter \
         AND h.action IN ('create', 'update', 'import', 'restore') ORDER BY h.id DESC LIMIT 1), v.recorded_by)"
    };
}

/// The columns of [`Stored`], over `reported_value v`.
const STORED_COLS: &str = concat!(
    "v.metric_id, v.quarter, v.value, v.done, v.note, v.status, v.approved_value, v.approved_done, v.review_note, \
     v.version, v.recorded_by, v.recorded_at, ",
    entered_by!()
);

fn stored(r: &Row) -> rusqlite::Result<Stored> {
    Ok(Stored {
        metric_id: r.get(0)?,
        quarter: quarter(r, 1)?,
        value: r.get(2)?,
        done: r.get(3)?,
        note: r.get(4)?,
        status: review_status(r, 5)?,
        approved_value: r.get(6)?,
        approved_done: r.get(7)?,
        review_note: r.get(8)?,
        version: r.get(9)?,
        recorded_by: r.get(10)?,
        entered_by: r.get(12)?,
        recorded_at: r.get(11)?,
    })
}

pub fn get(conn: &Connection, metric_id: i64, q: Quarter) -> Result<Option<Stored>> {
    let sql = format!("SELECT {STORED_COLS} FROM reported_value v WHERE metric_id = ?1 AND quarter = ?2");
    Ok(conn.query_row(&sql, params![metric_id, q.to_string()], stored).optional()?)
}

/// A plan's stored figures for one quarter, by metric id.
pub fn of_plan_quarter(conn: &Connection, plan_id: i64, q: Quarter) -> Result<HashMap<i64, Stored>> {
    let sql = format!(
        "SELECT {STORED_COLS} FROM reported_value v WHERE quarter = ?2 AND metric_id IN (SELECT id FROM metric WHERE plan_id = ?1)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![plan_id, q.to_string()], stored)?;
    rows.map(|r| r.map(|s| (s.metric_id, s)).map_err(Into::into)).collect()
}

/// Every stored figure of a plan, in no particular order: one query for all quarters.
pub fn stored_of_plan(conn: &Connection, plan_id: i64) -> Result<Vec<Stored>> {
    let sql = format!(
        "SELECT {STORED_COLS} FROM reported_value v WHERE metric_id IN (SELECT id FROM metric WHERE plan_id = ?1)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([plan_id], stored)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A plan's figures that are not approved (pending or returned), oldest first.
pub fn unapproved_of_plan(conn: &Connection, plan_id: i64) -> Result<Vec<Stored>> {
    let sql = format!(
        "SELECT {STORED_COLS} FROM reported_value v WHERE status != 'approved' \
         AND metric_id IN (SELECT id FROM metric WHERE plan_id = ?1) ORDER BY quarter, metric_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([plan_id], stored)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The best earlier figure of a metric (entered, approved or not): a cumulative count may
/// not fall below it without a note.
pub fn earlier_max(conn: &Connection, metric_id: i64, q: Quarter) -> Result<Option<(Quarter, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT quarter, value FROM reported_value WHERE metric_id = ?1 AND quarter < ?2 ORDER BY value DESC, quarter LIMIT 1",
    )?;
    Ok(stmt.query_row(params![metric_id, q.to_string()], |r| Ok((quarter(r, 0)?, r.get(1)?))).optional()?)
}

/// Figures returned to `editor` (who entered them), counted by plan and quarter, for the
/// notice that tells an editor what to correct.
pub fn returned_to(conn: &Connection, editor: &str) -> Result<Vec<(i64, Quarter, usize)>> {
    let sql = concat!(
        "SELECT m.plan_id, v.quarter, count(*) FROM reported_value v JOIN metric m ON m.id = v.metric_id \
         WHERE v.status = 'returned' AND ",
        entered_by!(),
        " = ?1 GROUP BY m.plan_id, v.quarter ORDER BY m.plan_id, v.quarter"
    );
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([editor], |r| Ok((r.get(0)?, quarter(r, 1)?, r.get::<_, i64>(2)? as usize)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A metric's approved figures for quarters before `q`, oldest first: what a new figure
/// is compared with.
pub fn approved_before(conn: &Connection, metric_id: i64, q: Quarter) -> Result<Vec<(Quarter, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT quarter, approved_value FROM reported_value WHERE metric_id = ?1 AND quarter < ?2 \
         AND approved_value IS NOT NULL ORDER BY quarter",
    )?;
    let rows = stmt.query_map(params![metric_id, q.to_string()], |r| Ok((quarter(r, 0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A new or changed entry: pending review. `action` is `create`, `update`, `import` or `restore`.
pub fn enter(
    conn: &Connection,
    metric_id: i64,
    q: Quarter,
    figure: &Accepted,
    actor: &str,
    action: &str,
) -> Result<()> {
    enter_many(conn, metric_id, &[(q, figure)], actor, action)
}

/// [`enter`] for several quarters of one metric in one statement: the same rows, the same
/// history (the triggers fire per row), less per-statement work (scale-data).
pub fn enter_many(
    conn: &Connection,
    metric_id: i64,
    figures: &[(Quarter, &Accepted)],
    actor: &str,
    action: &str,
) -> Result<()> {
    if figures.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..figures.len())
        .map(|i| {
            let p = 4 + 4 * i;
            format!(
                "(?1, ?{p}, ?{}, ?{}, ?{}, ?2, CASE WHEN ?3 = 'update' THEN 'create' ELSE ?3 END)",
                p + 1,
                p + 2,
                p + 3
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO reported_value (metric_id, quarter, value, done, note, recorded_by, action) VALUES {} \
         ON CONFLICT (metric_id, quarter) DO UPDATE SET value = excluded.value, done = excluded.done, \
         note = excluded.note, recorded_by = excluded.recorded_by, status = 'pending', review_note = '', \
         version = version + 1, action = CASE WHEN ?3 = 'create' THEN 'update' ELSE ?3 END, \
         recorded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        rows.join(", ")
    );
    let quarters: Vec<String> = figures.iter().map(|(q, _)| q.to_string()).collect();
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![&metric_id, &actor, &action];
    for ((_, f), q) in figures.iter().zip(&quarters) {
        args.extend([q as &dyn rusqlite::ToSql, &f.value, &f.done, &f.note]);
    }
    // Cached: a save runs this once per figure, and scale-data a million times.
    conn.prepare_cached(&sql)?.execute(args.as_slice())?;
    Ok(())
}

/// Records an approved figure directly: the demo and restores by a reviewer.
pub fn put_approved(conn: &Connection, metric_id: i64, v: &Reported, actor: &str, action: &str) -> Result<()> {
    let figure = Accepted { value: v.value, done: v.done, note: v.note.clone() };
    enter(conn, metric_id, v.quarter, &figure, actor, action)?;
    approve(conn, metric_id, v.quarter, actor)
}

pub fn approve(conn: &Connection, metric_id: i64, q: Quarter, actor: &str) -> Result<()> {
    approve_many(conn, metric_id, &[q], actor)
}

/// [`approve`] for several quarters of one metric in one statement.
pub fn approve_many(conn: &Connection, metric_id: i64, quarters: &[Quarter], actor: &str) -> Result<()> {
    if quarters.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (0..quarters.len()).map(|i| format!("?{}", 3 + i)).collect();
    let sql = format!(
        "UPDATE reported_value SET status = 'approved', approved_value = value, approved_done = done, review_note = '', \
         action = 'approve', recorded_by = ?2, version = version + 1 WHERE metric_id = ?1 AND quarter IN ({})",
        marks.join(", ")
    );
    let quarters: Vec<String> = quarters.iter().map(Quarter::to_string).collect();
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![&metric_id, &actor];
    args.extend(quarters.iter().map(|q| q as &dyn rusqlite::ToSql));
    conn.prepare_cached(&sql)?.execute(args.as_slice())?;
    Ok(())
}

/// Returns an entry to its editor with `reason`; the approved figure, if any, stays.
pub fn send_back(conn: &Connection, metric_id: i64, q: Quarter, reason: &str, actor: &str) -> Result<()> {
    conn.execute(
        "UPDATE reported_value SET status = 'returned', review_note = ?3, action = 'return', recorded_by = ?4, \
         version = version + 1 WHERE metric_id = ?1 AND quarter = ?2",
        params![metric_id, q.to_string(), reason, actor],
    )?;
    Ok(())
}

/// Deletes a figure, recording who did it first.
pub fn delete(conn: &Connection, metric_id: i64, q: Quarter, actor: &str) -> Result<()> {
    let q = q.to_string();
    conn.execute(
        "UPDATE reported_value SET action = 'delete', recorded_by = ?3 WHERE metric_id = ?1 AND quarter = ?2",
        params![metric_id, q, actor],
    )?;
    conn.execute("DELETE FROM reported_value WHERE metric_id = ?1 AND quarter = ?2", params![metric_id, q])?;
    Ok(())
}

/// One recorded change of a figure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    pub id: i64,
    pub quarter: Quarter,
    pub action: String,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub old_done: Option<bool>,
    pub new_done: Option<bool>,
    /// The figure's review state after the change (none recorded for some deletions).
    pub status: Option<ReviewStatus>,
    pub note: String,
    pub actor: String,
    pub at: String,
    /// Where an imported figure came from; `None` for every other change.
    pub source: Option<Source>,
}

/// The file, worksheet and cell an imported figure was read from (who imported it and when
/// are the change's own actor and time).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Source {
    pub file: String,
    /// Empty for a CSV file.
    pub sheet: String,
    /// `F7`, or `第 12 行` for a row of the long layout.
    pub cell: String,
}

/// Records where the figure just imported for `metric_id` and `q` came from, beside the
/// history row its import wrote.
pub fn record_source(conn: &Connection, metric_id: i64, q: Quarter, source: &Source) -> Result<()> {
    conn.execute(
        "INSERT INTO import_source (history_id, file, sheet, cell) \
         SELECT max(id), ?3, ?4, ?5 FROM value_history WHERE metric_id = ?1 AND quarter = ?2 AND action = 'import' \
         HAVING max(id) IS NOT NULL",
        params![metric_id, q.to_string(), source.file, source.sheet, source.cell],
    )?;
    Ok(())
}

/// Recorded changes of a metric's figures, newest first: the latest `limit`, or all.
pub fn history(conn: &Connection, metric_id: i64, limit: Option<i64>) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLS} FROM {CHANGES} WHERE h.metric_id = ?1 ORDER BY h.id DESC LIMIT ?2"
    ))?;
    changes(&mut stmt, params![metric_id, limit.unwrap_or(-1)])
}

/// One recorded change of a metric's figures.
pub fn change(conn: &Connection, metric_id: i64, id: i64) -> Result<Option<Change>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {CHANGE_COLS} FROM {CHANGES} WHERE h.metric_id = ?1 AND h.id = ?2"))?;
    Ok(changes(&mut stmt, params![metric_id, id])?.pop())
}

const CHANGE_COLS: &str = "h.id, h.quarter, h.action, h.old_value, h.new_value, h.old_done, h.new_done, h.status, h.note, \
     h.actor, h.at, s.file, s.sheet, s.cell";
/// A change with where it was imported from, if it was: one look-up per row, not one per column.
const CHANGES: &str = "value_history h LEFT JOIN import_source s ON s.history_id = h.id";

fn changes(stmt: &mut rusqlite::CachedStatement, args: impl rusqlite::Params) -> Result<Vec<Change>> {
    let rows = stmt.query_map(args, |r| {
        Ok(Change {
            id: r.get(0)?,
            quarter: quarter(r, 1)?,
            action: r.get(2)?,
            old_value: r.get(3)?,
            new_value: r.get(4)?,
            old_done: r.get(5)?,
            new_done: r.get(6)?,
            status: ReviewStatus::parse(r.get_ref(7)?.as_str()?),
            note: r.get(8)?,
            actor: r.get(9)?,
            at: r.get(10)?,
            source: match r.get::<_, Option<String>>(11)? {
                Some(file) => Some(Source { file, sheet: r.get(12)?, cell: r.get(13)? }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Number of figures in the database.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM reported_value", [], |r| r.get(0))?)
}

pub fn is_locked(conn: &Connection, plan_id: i64, q: Quarter) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) > 0 FROM quarter_lock WHERE plan_id = ?1 AND quarter = ?2",
        params![plan_id, q.to_string()],
        |r| r.get(0),
    )?)
}

pub fn locked_quarters(conn: &Connection, plan_id: i64) -> Result<Vec<Quarter>> {
    let mut stmt = conn.prepare_cached("SELECT quarter FROM quarter_lock WHERE plan_id = ?1 ORDER BY quarter")?;
    let rows = stmt.query_map([plan_id], |r| quarter(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn set_locked(conn: &Connection, plan_id: i64, q: Quarter, locked: bool, actor: &str) -> Result<()> {
    if locked {
        conn.execute(
            "INSERT OR IGNORE INTO quarter_lock (plan_id, quarter, locked_by) VALUES (?1, ?2, ?3)",
            params![plan_id, q.to_string(), actor],
        )?;
    } else {
        conn.execute("DELETE FROM quarter_lock WHERE plan_id = ?1 AND quarter = ?2", params![plan_id, q.to_string()])?;
    }
    Ok(())
}

/// How many figures exist for the evaluated period, by review state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FigureCounts {
    pub approved: usize,
    pub pending: usize,
    /// Metric-quarters from the period start to the as-of quarter with no figure at all.
    pub missing: usize,
}

/// Figures of a plan from its first quarter to `last`: approved, awaiting review (pending
/// or returned), and metric-quarters with no figure at all.
pub fn figure_counts(conn: &Connection, plan_id: i64, last: Quarter) -> Result<FigureCounts> {
    // One pass over the plan's figures (a report is rendered cold once per plan and day).
    let (approved, waiting, present): (i64, i64, i64) = conn
        .prepare_cached(
            "SELECT coalesce(sum(v.approved_value IS NOT NULL), 0), coalesce(sum(v.status != 'approved'), 0), count(*) \
             FROM reported_value v JOIN metric m ON m.id = v.metric_id WHERE m.plan_id = ?1 AND v.quarter <= ?2",
        )?
        .query_row(params![plan_id, last.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let (metrics, annual_metrics, first): (i64, i64, Option<String>) = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM metric WHERE plan_id = ?1 AND frequency = 'quarterly'), \
             (SELECT count(*) FROM metric WHERE plan_id = ?1 AND frequency = 'annual'), \
             (SELECT period_start FROM plan WHERE id = ?1)",
        )?
        .query_row([plan_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let first = first.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).map(Quarter::containing);
    let quarters = first.map_or(0, |f| Quarter::range(f, last).count()) as i64;
    // An annual metric is due once a year, in the fourth quarter.
    let fourths = first.map_or(0, |f| Quarter::range(f, last).filter(|q| q.number() == 4).count()) as i64;
    Ok(FigureCounts {
        approved: approved as usize,
        pending: waiting as usize,
        missing: (metrics * quarters + annual_metrics * fourths - present).max(0) as usize,
    })
}
