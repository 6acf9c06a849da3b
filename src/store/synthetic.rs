//! The queries behind synthetic (scale-test) data: telling a database's real figures from
//! synthetic ones, finding a plan just loaded, and counting what a run wrote. The figures
//! themselves go through [`super::values`] like real ones, so every trigger holds.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::Result;

/// Figures of every plan whose key does not start with `key_prefix`: the real ones.
pub fn figures_outside(conn: &Connection, key_prefix: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM reported_value v JOIN metric m ON m.id = v.metric_id JOIN plan p ON p.id = m.plan_id \
         WHERE substr(p.key, 1, length(?1)) != ?1",
        [key_prefix],
        |r| r.get(0),
    )?)
}

/// [`figures_outside`] in the database file at `path`, opened read-only: the file is
/// checked before anything, not even a migration, may write to it. A file that does not
/// exist yet, or lacks the tables, holds none.
pub fn figures_outside_in_file(path: &Path, key_prefix: &str) -> Result<i64> {
    if !path.exists() {
        return Ok(0);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('plan', 'metric', 'reported_value')",
        [],
        |r| r.get(0),
    )?;
    if tables < 3 { Ok(0) } else { figures_outside(&conn, key_prefix) }
}

/// Runs `f` with a page cache of 256 MiB on `conn` and temporary data in memory (then
/// puts both back): one transaction writes the whole data set. With SQLite's defaults each
/// statement's journal and scratch tables go to a temporary file, seven writes a statement.
pub fn for_bulk_writes<T>(conn: &mut Connection, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    let temp: i64 = conn.query_row("PRAGMA temp_store", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -256 * 1024)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    let out = f(conn);
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "temp_store", temp)?;
    out
}

/// The id of the plan with `key`; an error if there is none.
pub fn plan_id(conn: &Connection, key: &str) -> Result<i64> {
    Ok(conn.query_row("SELECT id FROM plan WHERE key = ?1", [key], |r| r.get(0))?)
}

/// How many rows the tables that synthetic data fills hold, in every plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub plans: usize,
    pub metrics: usize,
    /// Stored figures, one per metric and quarter.
    pub figures: usize,
    /// Figures pending or returned, not approved.
    pub unapproved: usize,
    /// Rows of `value_history`.
    pub history: usize,
}

pub fn totals(conn: &Connection) -> Result<Totals> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM plan), (SELECT count(*) FROM metric), (SELECT count(*) FROM reported_value), \
         (SELECT count(*) FROM reported_value WHERE status != 'approved'), (SELECT count(*) FROM value_history)",
        [],
        |r| {
            let n = |i| r.get::<_, i64>(i).map(|n| n as usize);
            Ok(Totals { plans: n(0)?, metrics: n(1)?, figures: n(2)?, unapproved: n(3)?, history: n(4)? })
        },
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_file_holds_no_real_figures_and_stays_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("new.db");
        assert_eq!(figures_outside_in_file(&missing, "scale-").unwrap(), 0);
        assert!(!missing.exists());
        let empty = dir.path().join("empty.db");
        Connection::open(&empty).unwrap();
        assert_eq!(figures_outside_in_file(&empty, "scale-").unwrap(), 0);
    }
}
