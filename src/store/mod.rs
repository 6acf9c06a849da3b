//! SQLite storage. All rusqlite calls live in this module: plain functions taking a
//! `&Connection`, grouped by table, behind a [`Store`] that runs them off the async workers.
//!
//! Every write goes through [`Store::write`]: one writer at a time, one `BEGIN IMMEDIATE`
//! transaction each; once it commits, the plans it touched get new stamps ([`stamps`]).
//! Poisoned locks are recovered, never a panic (see [`lock`]).

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod drafts;
pub(crate) mod entry;
pub mod migrations;
pub mod plans;
pub mod seed;
pub(crate) mod settings;
pub mod stamps;
pub(crate) mod synthetic;
pub mod values;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
pub use stamps::Scope;

/// Connections at most, and so queries at once: on a small server more only add memory
/// (each connection has its own page cache) and threads, not speed.
const POOL_MAX: usize = 8;

/// A handle on the database file, cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Pooled>>,
    /// Each plan's stamp (and the plan list's), so what was computed from a plan can be
    /// kept until that plan changes.
    stamps: Mutex<stamps::Stamps>,
    /// Writers queue here rather than in SQLite's busy handler, whose growing sleeps
    /// give a burst of saves a long tail.
    writer: Mutex<()>,
    /// One permit per connection: requests wait here, not in a pile of blocked threads.
    permits: tokio::sync::Semaphore,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = connect(path)?;
        migrations::migrate(&mut conn.conn)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                idle: Mutex::new(vec![conn]),
                stamps: Mutex::default(),
                writer: Mutex::new(()),
                permits: tokio::sync::Semaphore::new(POOL_MAX),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The stamp of `scope` now. Read it before reading the data: what is computed from
    /// that data stays valid while the stamp stays the same.
    pub fn stamp(&self, scope: Scope) -> u64 {
        lock(&self.inner.stamps).of(scope)
    }

    /// Whether every `(scope, stamp)` pair is still current.
    pub fn unchanged(&self, made_from: &[(Scope, u64)]) -> bool {
        let stamps = lock(&self.inner.stamps);
        made_from.iter().all(|&(scope, stamp)| stamps.of(scope) == stamp)
    }

    /// Runs `f` with a connection, on this thread. For start-up, the CLI and tests; since
    /// `f` may write anything, anything counts as changed.
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let out = self.with_pooled(|p| {
            let out = f(&mut p.conn);
            stamps::forget(&p.touched);
            out
        });
        lock(&self.inner.stamps).everything();
        out
    }

    /// Runs a read with a connection on this thread: for work already off the async
    /// workers. Writes go through [`Store::write`], which keeps the stamps.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        self.with_pooled(|p| f(&mut p.conn))
    }

    fn with_pooled<T>(&self, f: impl FnOnce(&mut Pooled) -> Result<T>) -> Result<T> {
        let mut conn = match lock(&self.inner.idle).pop() {
            Some(c) => c,
            None => connect(&self.inner.path)?,
        };
        let out = f(&mut conn);
        let mut idle = lock(&self.inner.idle);
        if idle.len() < POOL_MAX {
            idle.push(conn);
        }
        out
    }

    /// Checkpoints the write-ahead log into the database file and empties it, taking the
    /// writer's turn so no write lands in between: the last thing a clean stop does.
    pub fn checkpoint(&self) -> Result<()> {
        let _turn = lock(&self.inner.writer);
        self.read_blocking(|c| backup::checkpoint(c))
    }

    /// Runs `f` on a blocking thread once a connection's permit is free.
    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
        let _permit = self.inner.permits.acquire().await.map_err(|e| Error::Internal(e.to_string()))?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store)).await.map_err(|e| Error::Internal(e.to_string()))?
    }

    /// Runs a read on a blocking thread.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.blocking(|s| s.read_blocking(|c| f(c))).await
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on a blocking thread: all or nothing.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.write_counted(f).await
    }

    /// [`Store::write`] for what no page or chart shows (a session's last request, its
    /// end). The same as `write` now that a write changes only the stamps of the plans it
    /// touched: session rows touch none, so reading pages keeps the page cache.
    pub async fn write_unseen<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.write_counted(f).await
    }

    async fn write_counted<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.blocking(move |s| {
            let _turn = lock(&s.inner.writer);
            s.with_pooled(|p| {
                stamps::forget(&p.touched);
                let out = in_transaction(&mut p.conn, f);
                // After the commit, so a reader that sees the new stamp reads the new data;
                // a refused write changed nothing, and what was computed before still stands.
                match out {
                    Ok(_) => lock(&s.inner.stamps).committed(&p.touched),
                    Err(_) => stamps::forget(&p.touched),
                }
                out
            })
        })
        .await
    }

    /// Runs `f` in a transaction that is always rolled back: a dry run that checks
    /// exactly as the real write would, and changes nothing.
    pub async fn dry_run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.blocking(|s| {
            s.with_pooled(|p| {
                let tx = p.conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                let out = f(&tx);
                tx.rollback()?;
                stamps::forget(&p.touched);
                out
            })
        })
        .await
    }
}

/// Locks `m`, recovering it if a thread panicked while holding it: the pool and the
/// writer's turn hold no state a panic can leave half-changed (a transaction interrupted
/// by a panic is rolled back as it is dropped, and its connection with it).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` inside an immediate transaction, committing only if it succeeds.
pub fn in_transaction<T>(conn: &mut Connection, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// A pooled connection and what its writes touched.
struct Pooled {
    conn: Connection,
    touched: Arc<Mutex<stamps::Touched>>,
}

fn connect(path: &Path) -> Result<Pooled> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    // The query planner stability guarantee: a statement's plan does not depend on the
    // values bound to it. Without it SQLite (built with STAT4) marks statements that
    // compare a parameter with an indexed column to be re-planned when the value changes,
    // and rusqlite's statement cache clears the bindings of every statement it takes
    // back, so `plan_id = ?1` was parsed and planned afresh on every use.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // More than the pages' distinct statements, so none is prepared again (default 16).
    conn.set_prepared_statement_cache_capacity(64);
    let touched = stamps::watch(&mut conn)?;
    Ok(Pooled { conn, touched })
}
