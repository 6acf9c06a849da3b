//! Start-up: open and migrate the database, load the seed plans, and for the demo fill
//! in example figures. Everything here runs before the server accepts a request.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::plan::Quarter;
use crate::store::{self, Store, audit, settings};

/// Where the plans come from.
#[derive(Debug, Clone)]
pub enum Seeds {
    /// The `seeds/*.toml` compiled into the binary.
    Embedded,
    /// Every `*.toml` in a directory, read at start-up.
    Dir(PathBuf),
}

/// Settings read from the database at start-up.
#[derive(Debug, Clone, Default)]
pub struct DbInfo {
    /// The database holds demonstration figures: every page says 示例数据.
    pub demo: bool,
    /// The date the demo is viewed at by default.
    pub demo_as_of: Option<NaiveDate>,
}

impl DbInfo {
    /// The demo's own today: the end of the quarter after its last figures, so that this
    /// quarter is the one due (季度填报 opens on it, 填报缺失 lists it), figures for later
    /// quarters are refused as not yet begun, and the demo never speaks of the real date.
    /// `None` for a real database, whose today is the calendar's.
    pub fn demo_today(&self) -> Option<NaiveDate> {
        self.demo_as_of.map(|d| Quarter::containing(d).next().end())
    }
}

/// The last quarter the demo fills in, and the date it is viewed at.
pub const DEMO_LAST_QUARTER: (i32, u8) = (2023, 2);

/// Opens `db`, migrates it and loads `seeds`; with `demo`, fills in example figures.
/// A malformed seed file or a newer database is refused before anything is written.
pub fn prepare(db: &Path, seeds: &Seeds, demo: bool) -> Result<(Store, DbInfo)> {
    let files = match seeds {
        Seeds::Embedded => store::seed::embedded(),
        Seeds::Dir(dir) => store::seed::read_dir(dir)?,
    };
    let plans = store::seed::parse_named(&files)?;
    let store = Store::open(db)?;
    store.with_conn(|conn| {
        let loaded = store::seed::load_named(conn, &plans)?;
        for l in loaded.iter().filter(|l| l.metrics_added > 0) {
            tracing::info!(plan = %l.plan_key, added = l.metrics_added, "seed plan loaded");
        }
        if demo {
            fill_demo(conn)?;
        }
        Ok(())
    })?;
    let info = store.with_conn(|conn| {
        Ok(DbInfo {
            demo: settings::get(conn, settings::DEMO)?.is_some(),
            demo_as_of: settings::get(conn, settings::DEMO_AS_OF)?.and_then(|s| s.parse().ok()),
        })
    })?;
    Ok((store, info))
}

/// Fills a new (or already demo) database with example figures, in one transaction.
fn fill_demo(conn: &mut rusqlite::Connection) -> Result<()> {
    if settings::get(conn, settings::DEMO)?.is_some() {
        return Ok(());
    }
    if store::values::count(conn)? > 0 {
        return Err(Error::Refused("该数据库已有真实填报数据,不能写入示例数据:请用 --db 指定另一个文件".into()));
    }
    // A database with real users is a real one even before its first figure: it must never
    // be turned into a demo and so never receive the demo's accounts.
    if store::accounts::count(conn)? > 0 {
        return Err(Error::Refused("该数据库已有用户账户,不能写入示例数据:请用 --db 指定另一个文件".into()));
    }
    let last = Quarter::new(DEMO_LAST_QUARTER.0, DEMO_LAST_QUARTER.1).expect("valid quarter");
    store::in_transaction(conn, |tx| {
        for plan in store::plans::list(tx)? {
            let metrics = store::plans::metrics(tx, plan.id)?;
            let last = last.min(Quarter::containing(plan.period_end));
            let figures =
                crate::demo::figures(&metrics, plan.period_start, plan.default_baseline_date(), plan.period_end, last);
            for (metric_id, v) in figures {
                store::values::put_approved(tx, metric_id, &v, "示例数据", "create")?;
            }
        }
        settings::set(tx, settings::DEMO, "1")?;
        settings::set(tx, settings::DEMO_AS_OF, &last.end().to_string())
    })
}

/// A ready account of the demo, as `plantrack demo` prints it.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// Who the audit log names for the demo accounts' creation.
const DEMO_ACTOR: &str = "plantrack demo";

/// Gives a demo database one account per role (`demo-admin`, `demo-editor`, …), each with
/// a fresh random password, and returns them to be printed: entry and review can be tried
/// at once. Each start replaces the passwords and ends the accounts' sessions, so a
/// password printed once stops working at the next start and none is written anywhere.
/// Refused for a database not marked as a demo, in the same transaction that would create
/// them: these accounts exist only where every figure is an example.
pub fn demo_accounts(store: &Store) -> Result<Vec<DemoAccount>> {
    let accounts: Vec<DemoAccount> = Role::ALL
        .into_iter()
        .map(|role| DemoAccount { name: format!("demo-{role}"), role, password: auth::new_code(3) })
        .collect();
    // Hashed before the transaction: argon2 is slow on purpose.
    let hashes = accounts.iter().map(|a| auth::hash_password(&a.password)).collect::<Result<Vec<_>>>()?;
    store.with_conn(|conn| {
        store::in_transaction(conn, |tx| {
            if settings::get(tx, settings::DEMO)?.is_none() {
                return Err(Error::Refused("只有示例数据库才能创建示例账户".into()));
            }
            for (a, hash) in accounts.iter().zip(&hashes) {
                let detail = format!("示例账户,角色:{},密码已在终端显示", a.role.label_zh());
                match store::accounts::with_hash_by_name(tx, &a.name)? {
                    Some((existing, _)) => {
                        store::accounts::set_role(tx, existing.id, a.role)?;
                        store::accounts::set_disabled(tx, existing.id, false)?;
                        store::accounts::set_password_hash(tx, existing.id, hash, None)?;
                        audit::record(tx, DEMO_ACTOR, "password_reset", &a.name, &detail, "")?;
                    }
                    None => {
                        store::accounts::create(tx, &a.name, a.role, hash)?;
                        audit::record(tx, DEMO_ACTOR, "user_created", &a.name, &detail, "")?;
                    }
                }
            }
            Ok(())
        })
    })?;
    Ok(accounts)
}
