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

pub use metric::{Direction, Frequency, Kind, Metric, Reported, Retired, Target, fmt_num};
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
    /// Visible to administrators only until published.
    pub draft: bool,
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

    /// The plan's usual short name, the quoted “十四五” of its title, else the title.
    pub fn short_title(&self) -> &str {
        let quoted = self.title.split('“').skip(1).filter_map(|s| s.split('”').next());
        quoted.into_iter().find(|s| s.ends_with('五') && s.chars().count() <= 4).unwrap_or(&self.title)
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

#[cfg(test)]
mod short_title_tests {
    use super::*;

    #[test]
    fn a_plan_is_called_by_its_quoted_five_year_name() {
        let d = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        let plan = |title: &str| Plan {
            id: 1,
            key: "p".into(),
            title: title.into(),
            issuer: String::new(),
            document_number: String::new(),
            issued_on: None,
            period_start: d(2021),
            period_end: d(2025),
            midterm_on: None,
            draft: false,
        };
        assert_eq!(plan("重庆市綦江区气象发展“十四五”规划").short_title(), "十四五");
        assert_eq!(plan("“智慧气象”行动“十五五”规划").short_title(), "十五五");
        assert_eq!(plan("气象规划").short_title(), "气象规划");
    }
}
