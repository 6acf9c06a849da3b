//! Start-up: open and migrate the database, load the seed plans, and for the demo fill
//! in example figures. Everything here runs before the server accepts a request.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::plan::Quarter;
use crate::store::{self, Store, settings};

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
    let plans = store::seed::parse_all(&files)?;
    let store = Store::open(db)?;
    store.with_conn(|conn| {
        let loaded = store::seed::load_all(conn, &plans)?;
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
