//! The domain: plans, metrics, quarters, and the pure arithmetic of progress.
//!
//! Nothing here touches the database or HTTP, so every rule is unit-tested beside it.

pub mod bounds;
pub mod entry;
pub(crate) mod metric;
pub mod names;
pub(crate) mod number;
pub mod progress;
pub mod propose;
pub(crate) mod quarter;
pub(crate) mod review;
pub mod seed;
pub(crate) mod text;
pub mod time;

pub use metric::{Direction, Frequency, Kind, Metric, Reported, Target, fmt_num};
pub use quarter::Quarter;
pub use review::ReviewStatus;

use chrono::NaiveDate;
use serde::Serialize;

/// A five-year plan as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub id: i64,
    /// Stable ASCII slug from the seed file.
    pub key: String,
    pub title: String,
    pub issuer: String,
    pub document_number: String,
    pub issued_on: Option<NaiveDate>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub midterm_on: Option<NaiveDate>,
}

impl Plan {
    /// Quarters of the plan period, first to last.
    pub fn quarters(&self) -> impl Iterator<Item = Quarter> {
        Quarter::range(Quarter::containing(self.period_start), Quarter::containing(self.period_end))
    }

    /// The date `m` is to reach its target by: its own, else the end of the period.
    pub fn target_date_of(&self, m: &Metric) -> NaiveDate {
        m.target_date.unwrap_or(self.period_end)
    }

    /// Assesses `m`, a metric of this plan, at `as_of` from its reported `values`.
    pub fn assess(&self, m: &Metric, values: &[Reported], as_of: NaiveDate) -> progress::Assessment {
        progress::assess(m, values, as_of, self.default_baseline_date(), self.period_end)
    }

    /// An evaluation at `as_of` is the final one (终期评估) from the period's last day on,
    /// a mid-term one (中期评估) before.
    pub fn is_final_at(&self, as_of: NaiveDate) -> bool {
        as_of >= self.period_end
    }

    /// 终期评估 or 中期评估, as [`Plan::is_final_at`] decides.
    pub fn evaluation_kind_zh(&self, as_of: NaiveDate) -> &'static str {
        if self.is_final_at(as_of) { "终期评估" } else { "中期评估" }
    }

    /// Default baseline date: the day before the period starts (end of the previous plan).
    pub fn default_baseline_date(&self) -> NaiveDate {
        self.period_start.pred_opt().unwrap_or(self.period_start)
    }
}

/// The plan's own grouping (第三章 …), in the plan's order.
#[derive(Debug, Clone, Serialize)]
pub struct Chapter {
    pub id: i64,
    pub plan_id: i64,
    pub ord: i64,
    pub title: String,
    pub title_en: Option<String>,
}
