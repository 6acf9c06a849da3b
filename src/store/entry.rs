//! Saving entered figures: the one path used by the entry form, the JSON API and imports.
//! Everything is checked inside the caller's transaction; any refusal fails the whole
//! batch, so a form or a sheet is saved entirely or not at all.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::values;
use crate::error::{Error, Result};
use crate::plan::entry::{self, Earlier, Input, ItemError, Outcome, Problem, Refusal};
use crate::plan::{Metric, Plan, Quarter, ReviewStatus, fmt_num};

/// One figure to save.
#[derive(Debug, Clone)]
pub struct Item {
    pub metric: Metric,
    pub quarter: Quarter,
    pub input: Input,
    /// The stored version the user saw (0: none was stored); `None` skips the conflict check.
    pub seen_version: Option<i64>,
}

/// Checks and saves `items` for `plan`. `action` is `update` for typed figures and
/// `import` for sheets. On any refusal it returns [`Error::Invalid`] listing every one,
/// and the caller's transaction must be rolled back (`Store::write` does).
pub fn save_all(
    conn: &Connection,
    plan: &Plan,
    items: &[Item],
    actor: &str,
    today: NaiveDate,
    action: &str,
) -> Result<Vec<Outcome>> {
    // Earlier quarters first, so a count checks against figures saved in the same batch.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| items[i].quarter);
    let mut outcomes = vec![Outcome::Unchanged; items.len()];
    let mut errors = Vec::new();
    for i in order {
        match save_one(conn, plan, &items[i], actor, today, action)? {
            Ok(o) => outcomes[i] = o,
            Err(problem) => errors.push(ItemError { index: i, problem }),
        }
    }
    if errors.is_empty() {
        Ok(outcomes)
    } else {
        errors.sort_by_key(|e| e.index);
        Err(Error::Invalid(errors))
    }
}

fn save_one(
    conn: &Connection,
    plan: &Plan,
    item: &Item,
    actor: &str,
    today: NaiveDate,
    action: &str,
) -> Result<Result<Outcome, Problem>> {
    let m = &item.metric;
    let q = item.quarter;
    if m.plan_id != plan.id {
        return Ok(Err(Problem::Invalid(Refusal {
            field: "metric", message: format!("指标 {} 不属于本规划", m.key)
        })));
    }
    if let Err(r) = entry::check_quarter(q, (plan.period_start, plan.period_end), today) {
        return Ok(Err(Problem::Invalid(r)));
    }
    let stored = values::get(conn, m.id, q)?;
    let blank = item.input.value.trim().is_empty() && !item.input.done;
    let accepted = if blank {
        None
    } else {
        let earlier =
            Earlier { max: values::earlier_max(conn, m.id, q)?, approved: values::approved_before(conn, m.id, q)? };
        match entry::check(m, q, &item.input, &earlier) {
            Ok(a) => Some(a),
            Err(r) => return Ok(Err(Problem::Invalid(r))),
        }
    };
    let same = match (&stored, &accepted) {
        (None, None) => true,
        (Some(s), Some(a)) => {
            s.value == a.value && s.done == a.done && s.note == a.note && s.status != ReviewStatus::Returned
        }
        _ => false,
    };
    if same {
        return Ok(Ok(Outcome::Unchanged));
    }
    if let Some(seen) = item.seen_version {
        let now = stored.as_ref().map_or(0, |s| s.version);
        if now != seen {
            let current = stored.as_ref().map_or("(已删除)".to_owned(), |s| fmt_num(s.value));
            let by = stored.as_ref().map_or_else(String::new, |s| s.recorded_by.clone());
            let yours = accepted.as_ref().map_or("(空)".to_owned(), |a| fmt_num(a.value));
            return Ok(Err(Problem::Conflict { current, by, yours }));
        }
    }
    if values::is_locked(conn, plan.id, q)? {
        return Ok(Err(Problem::Locked));
    }
    Ok(Ok(match accepted {
        None => {
            values::delete(conn, m.id, q, actor)?;
            Outcome::Deleted
        }
        Some(a) => {
            values::enter(conn, m.id, q, &a, actor, action)?;
            if stored.is_some() { Outcome::Changed } else { Outcome::Created }
        }
    }))
}
