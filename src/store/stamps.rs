//! Which part of the data changed, and when: what lets the server keep a plan's pages
//! while other plans are written.
//!
//! Triggers (migration 5) count every change to a plan's rows (the plan, its chapters and
//! metrics, their figures, its quarter locks) in `plan_version`. Every connection watches
//! that table with SQLite's update hook, so a write learns which plans it touched without
//! saying so; once it commits, [`Stamps`] gives each of those plans a new stamp. Something
//! computed from a plan stays valid while the plan's stamp is the one read before its data
//! was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::hooks::Action;

/// A part of the data that changes as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One plan: its header, chapters, metrics, figures (with their history) and locks.
    Plan(i64),
    /// The list of plans: which exist, their titles and periods.
    PlanList,
}

/// What one connection's writes touched since it was last asked.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    plans: Vec<i64>,
    plan_list: bool,
}

impl Touched {
    fn clear(&mut self) {
        self.plans.clear();
        self.plan_list = false;
    }
}

/// Installs the hook that records, on `conn`, what its writes touch.
pub(crate) fn watch(conn: &mut Connection) -> rusqlite::Result<Arc<Mutex<Touched>>> {
    let touched = Arc::new(Mutex::new(Touched::default()));
    let t = touched.clone();
    conn.update_hook(Some(move |_: Action, _: &str, table: &str, rowid: i64| {
        // `plan_version`'s rowid is its plan's id (INTEGER PRIMARY KEY).
        match table {
            "plan_version" => super::lock(&t).plans.push(rowid),
            "plan" => super::lock(&t).plan_list = true,
            _ => {}
        }
    }))?;
    Ok(touched)
}

/// Forgets what a connection's writes touched (before a write, or after a rolled-back one).
pub(crate) fn forget(touched: &Mutex<Touched>) {
    super::lock(touched).clear();
}

/// The current stamp of every scope. Stamps come from one counter, so a stamp never repeats
/// and "everything changed" is one number that outranks every older stamp.
#[derive(Debug, Default)]
pub(crate) struct Stamps {
    counter: u64,
    /// Everything changed at this stamp (a write made outside [`super::Store::write`]).
    all: u64,
    plan_list: u64,
    plans: HashMap<i64, u64>,
}

impl Stamps {
    pub(crate) fn of(&self, scope: Scope) -> u64 {
        let own = match scope {
            Scope::Plan(id) => self.plans.get(&id).copied().unwrap_or(0),
            Scope::PlanList => self.plan_list,
        };
        own.max(self.all)
    }

    /// A committed write touched what `touched` holds: those scopes get a new stamp.
    pub(crate) fn committed(&mut self, touched: &Mutex<Touched>) {
        let mut t = super::lock(touched);
        if t.plans.is_empty() && !t.plan_list {
            return;
        }
        self.counter += 1;
        for id in t.plans.drain(..) {
            self.plans.insert(id, self.counter);
        }
        if t.plan_list {
            self.plan_list = self.counter;
        }
        t.clear();
    }

    /// Anything may have changed.
    pub(crate) fn everything(&mut self) {
        self.counter += 1;
        self.all = self.counter;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, values};

    const PLANS: &str = "INSERT INTO plan (id, key, title, period_start, period_end) VALUES \
        (1, 'a', 'A', '2021-01-01', '2025-12-31'), (2, 'b', 'B', '2021-01-01', '2025-12-31');
        INSERT INTO chapter (id, plan_id, ord, title) VALUES (1, 1, 0, 'c'), (2, 2, 0, 'c');
        INSERT INTO metric (id, plan_id, chapter_id, ord, key, name, unit, kind, direction, source) VALUES
            (1, 1, 1, 0, 'ma', 'MA', '个', 'count', 'higher', 's'), (2, 2, 2, 0, 'mb', 'MB', '个', 'count', 'higher', 's');";

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store.with_conn(|c| Ok(c.execute_batch(PLANS)?)).unwrap();
        (dir, store)
    }

    fn stamps(s: &Store) -> (u64, u64, u64) {
        (s.stamp(Scope::Plan(1)), s.stamp(Scope::Plan(2)), s.stamp(Scope::PlanList))
    }

    #[tokio::test]
    async fn a_write_to_one_plan_changes_that_plans_stamp_only() {
        let (_dir, s) = store();
        let (a, b, list) = stamps(&s);
        let q: crate::plan::Quarter = "2021Q1".parse().unwrap();
        let figure = crate::plan::entry::Accepted { value: 1.0, done: None, note: String::new() };
        s.write(move |tx| values::enter(tx, 1, q, &figure, "t", "create")).await.unwrap();
        let (a2, b2, list2) = stamps(&s);
        assert!(a2 > a, "the figure's plan changed");
        assert_eq!((b2, list2), (b, list), "the other plan and the plans list did not");

        // Each table a plan's pages are made from counts, through its triggers.
        for sql in [
            "UPDATE reported_value SET note = 'n' WHERE metric_id = 1",
            "UPDATE metric SET name = 'M2' WHERE id = 1",
            "UPDATE chapter SET title = 'c2' WHERE id = 1",
            "INSERT INTO quarter_lock (plan_id, quarter, locked_by) VALUES (1, '2021Q1', 't')",
            "DELETE FROM quarter_lock WHERE plan_id = 1",
            "UPDATE reported_value SET action = 'delete' WHERE metric_id = 1",
            "DELETE FROM reported_value WHERE metric_id = 1",
        ] {
            let before = stamps(&s);
            s.write(move |tx| Ok(tx.execute_batch(sql)?)).await.unwrap();
            let after = stamps(&s);
            assert!(after.0 > before.0, "{sql}");
            assert_eq!((after.1, after.2), (before.1, before.2), "{sql}");
        }
    }

    #[tokio::test]
    async fn a_plans_header_changes_its_stamp_and_the_plans_list() {
        let (_dir, s) = store();
        let (a, b, list) = stamps(&s);
        s.write(|tx| Ok(tx.execute_batch("UPDATE plan SET title = 'B2' WHERE id = 2")?)).await.unwrap();
        let (a2, b2, list2) = stamps(&s);
        assert_eq!(a2, a);
        assert!(b2 > b && list2 > list);
    }

    #[tokio::test]
    async fn refused_writes_dry_runs_and_session_writes_change_no_stamp() {
        let (_dir, s) = store();
        let before = stamps(&s);
        let refused = s
            .write(|tx| {
                tx.execute_batch("UPDATE metric SET name = 'x' WHERE id = 1")?;
                Err::<(), _>(crate::error::Error::Refused("no".into()))
            })
            .await;
        assert!(refused.is_err());
        s.dry_run(|tx| Ok(tx.execute_batch("UPDATE metric SET name = 'x' WHERE id = 2")?)).await.unwrap();
        s.write_unseen(|tx| Ok(tx.execute_batch("INSERT INTO setting (key, value) VALUES ('k', 'v')")?)).await.unwrap();
        assert_eq!(stamps(&s), before);
        let name: String =
            s.read_blocking(|c| Ok(c.query_row("SELECT name FROM metric WHERE id = 1", [], |r| r.get(0))?)).unwrap();
        assert_eq!(name, "MA", "the refused write was rolled back");
    }

    #[test]
    fn a_write_outside_the_writer_changes_every_stamp() {
        let (_dir, s) = store();
        let before = stamps(&s);
        s.with_conn(|_| Ok(())).unwrap();
        let after = stamps(&s);
        assert!(after.0 > before.0 && after.1 > before.1 && after.2 > before.2);
    }

    #[test]
    fn the_triggers_count_each_plans_changes() {
        let (_dir, s) = store();
        let versions: Vec<(i64, i64)> = s
            .read_blocking(|c| {
                let mut st = c.prepare("SELECT plan_id, version FROM plan_version ORDER BY plan_id")?;
                let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .unwrap();
        // Each plan: inserted (1), then a chapter and a metric added (+2).
        assert_eq!(versions, [(1, 3), (2, 3)]);
    }
}
