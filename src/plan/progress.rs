//! Progress, expected progress, status and projection: the arithmetic behind every
//! chart and evaluation. Pure functions of a metric, its reported values and a date.
//!
//! The status rules (documented in the README, tested below):
//! - a `context` metric has no target: it is 参考指标 (reference) whenever it has a figure;
//! - no figure reported on or before the date: 暂无数据 (no data);
//! - the latest figure meets the target (the less ambitious end of a range; a milestone
//!   reported done): 已达标 (achieved), and 超额 is shown when the ambitious end is passed;
//! - otherwise `ratio = progress / expected progress`, as Open SDG compares achieved with
//!   required growth: `ratio >= 0.95` 正常推进 (on track), `0.6 <= ratio < 0.95` 存在风险
//!   (at risk), below 0.6, or moving the wrong way, 明显滞后 (off track). Before any time
//!   has elapsed nothing is expected yet, so any non-negative progress is on track.
//!
//! A figure is stale (数据滞后) when it is older than the quarter before the as-of date's
//! quarter ([`is_stale`]): the status still rests on it, and every page says how old it is.
//! The projection's rules are in [`projection`].

mod projection;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

pub use projection::{
    NoProjection, ONE_OFF_MAX_UNITS, Projection, earliest_reach, figure_meets, is_one_off, linear_trend, project,
    reached_since,
};

use super::{Direction, Frequency, Kind, Metric, Quarter, Reported, Target};

/// Slack for comparing reported decimals with targets (81.2 must meet 81.2).
const EPS: f64 = 1e-9;
/// Ratios of achieved to expected progress that separate the statuses.
pub const ON_TRACK_RATIO: f64 = 0.95;
pub const AT_RISK_RATIO: f64 = 0.6;

/// Where a metric stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Achieved,
    OnTrack,
    AtRisk,
    OffTrack,
    NoData,
    Reference,
}

impl Status {
    /// Order for summaries: best first.
    pub const ALL: [Status; 6] =
        [Status::Achieved, Status::OnTrack, Status::AtRisk, Status::OffTrack, Status::NoData, Status::Reference];

    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Achieved => "已达标",
            Status::OnTrack => "正常推进",
            Status::AtRisk => "存在风险",
            Status::OffTrack => "明显滞后",
            Status::NoData => "暂无数据",
            Status::Reference => "参考指标",
        }
    }

    /// CSS class and stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
            Status::Reference => "reference",
        }
    }
}

/// Why progress cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    NoData,
    NoTarget,
    /// No baseline in the plan and no earlier figure to stand in for it.
    NoBaseline,
    /// The target equals the baseline (a "keep it up" target) and is not met.
    TargetEqualsBaseline,
}

impl NotApplicable {
    pub fn reason_zh(self) -> &'static str {
        match self {
            NotApplicable::NoData => "尚无报告值",
            NotApplicable::NoTarget => "参考指标无目标值",
            NotApplicable::NoBaseline => "规划未给出基期值,需至少两个季度的报告值才能计算进度",
            NotApplicable::TargetEqualsBaseline => "目标值与基期值相同,只判断是否保持",
        }
    }
}

/// The baseline in use: the plan's own, or the first reported figure when the plan has none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BaselinePoint {
    pub date: NaiveDate,
    pub value: f64,
    pub from_report: bool,
}

impl Assessment {
    /// The figure `m` would report at the assessment date if on schedule (see
    /// [`expected_value`]); `None` without a target or a baseline.
    pub fn expected_value(&self, m: &Metric) -> Option<f64> {
        on_path(m, self.baseline?, self.expected?)
    }

    /// The latest figure is stale (数据滞后) at the as-of date: see [`is_stale`].
    pub fn is_stale(&self) -> bool {
        self.latest.as_ref().is_some_and(|l| match self.frequency {
            Frequency::Quarterly => is_stale(l.quarter, self.as_of),
            // The year before last's figure is the latest one due until the year ends.
            Frequency::Annual => l.quarter.year() < due(Frequency::Annual, self.as_of).year(),
        })
    }

    /// The quarter the target is or will be reached: since when the figures meet it, else
    /// when the projection says. Never at or before the as-of date's quarter unless a
    /// reported figure met it.
    pub fn reach(&self) -> Option<Quarter> {
        self.reached.or(self.projection.and_then(|p| p.reach))
    }

    /// The trend's value at the target date as a forecast (期末预测): only while that date is
    /// still after the as-of date. Later, the figures tell what the value was, and a trend
    /// drawn through older figures would only guess at it.
    pub fn forecast(&self) -> Option<f64> {
        self.projection.filter(|_| self.target_date > self.as_of).map(|p| p.value_at_target_date)
    }
}

/// Whether a figure for quarter `latest` is stale at `as_of` (数据滞后): older than the
/// quarter before the as-of date's quarter. At 2025-12-31 a figure for 2025Q3 is current
/// (the fourth quarter's is not due yet), one for 2025Q2 is stale.
pub fn is_stale(latest: Quarter, as_of: NaiveDate) -> bool {
    latest < Quarter::containing(as_of).prev()
}

/// The date of the last figure due by `as_of`: itself for a quarterly metric, the last year
/// end on or before it for an annual one.
pub fn due(frequency: Frequency, as_of: NaiveDate) -> NaiveDate {
    match frequency {
        Frequency::Quarterly => as_of,
        Frequency::Annual => {
            let year = if (as_of.month(), as_of.day()) == (12, 31) { as_of.year() } else { as_of.year() - 1 };
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(as_of)
        }
    }
}

/// Everything computed for one metric at one date.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub as_of: NaiveDate,
    /// The metric's: an annual one is judged at year ends.
    pub frequency: Frequency,
    pub baseline: Option<BaselinePoint>,
    /// The latest figure reported on or before `as_of`.
    pub latest: Option<Reported>,
    /// Share of the way from baseline to target (1.0 = met); may exceed 1 or be negative.
    pub progress: Result<f64, NotApplicable>,
    /// Share of the way that time alone would predict.
    pub expected: Option<f64>,
    pub status: Status,
    /// The ambitious end of the target is reached (超额).
    pub exceeded: bool,
    /// The date the target is to be met by: the metric's own, else the plan's end.
    pub target_date: NaiveDate,
    /// The quarter since which the reported figures meet the target ([`reached_since`]).
    pub reached: Option<Quarter>,
    /// The trend, or why there is none (`projection_na`).
    pub projection: Option<Projection>,
    pub projection_na: Option<NoProjection>,
}

/// The target a metric is measured against: milestones run to 100 % complete.
pub fn effective_target(m: &Metric) -> Option<Target> {
    match m.kind {
        Kind::Milestone => Some(m.target.unwrap_or(Target::single(100.0))),
        Kind::Context => None,
        _ => m.target,
    }
}

/// Where the time-linear path from `baseline` to the target's met end stands at `at`: the
/// figure a metric on schedule would report then. `None` for a metric without a target.
pub fn expected_value(m: &Metric, baseline: BaselinePoint, target_date: NaiveDate, at: NaiveDate) -> Option<f64> {
    on_path(m, baseline, expected_progress(baseline.date, target_date, at))
}

/// The expected trajectory as a chart draws it, from the baseline to the target at
/// `target_date`: straight for a quarterly metric; through each year end between for an
/// annual one, the only dates it is judged at, so the chart's points are the values the
/// bullet's expected marker shows ([`Assessment::expected_value`]). Empty without a target.
pub fn expected_path(m: &Metric, baseline: BaselinePoint, target_date: NaiveDate) -> Vec<(NaiveDate, f64)> {
    let Some(goal) = effective_target(m).map(|t| t.met_at(m.direction)) else { return Vec::new() };
    let mut path = vec![(baseline.date, baseline.value)];
    if m.frequency == Frequency::Annual {
        let year_ends = (baseline.date.year()..target_date.year())
            .filter_map(|y| NaiveDate::from_ymd_opt(y, 12, 31))
            .filter(|&d| d > baseline.date && d < target_date);
        path.extend(year_ends.filter_map(|d| Some((d, expected_value(m, baseline, target_date, d)?))));
    }
    path.push((target_date, goal));
    path
}

/// The value a share `e` of the way from `baseline` to `m`'s target stands at.
fn on_path(m: &Metric, baseline: BaselinePoint, e: f64) -> Option<f64> {
    let goal = effective_target(m)?.met_at(m.direction);
    Some(baseline.value + (goal - baseline.value) * e)
}

/// Counts of each status in `statuses`, in [`Status::ALL`] order.
pub fn count_statuses(statuses: impl Iterator<Item = Status>) -> Vec<(Status, usize)> {
    let mut n = [0usize; Status::ALL.len()];
    for s in statuses {
        if let Some(i) = Status::ALL.iter().position(|x| *x == s) {
            n[i] += 1;
        }
    }
    Status::ALL.iter().copied().zip(n).collect()
}

/// `value` is at least as good as `bound` in direction `dir`.
pub fn meets(dir: Direction, value: f64, bound: f64) -> bool {
    dir.sign() * (value - bound) >= -EPS
}

/// Share of the way from `baseline` to the target's met end; direction comes from the
/// target's side of the baseline, so 2.5 km → 1 km works like 37 → 48 minutes.
pub fn progress(dir: Direction, baseline: f64, target: Target, current: f64) -> Result<f64, NotApplicable> {
    let goal = target.met_at(dir);
    if (goal - baseline).abs() < EPS {
        return if meets(dir, current, goal) { Ok(1.0) } else { Err(NotApplicable::TargetEqualsBaseline) };
    }
    Ok((current - baseline) / (goal - baseline))
}

/// Share of the period from `start` to `end` elapsed at `at`, clamped to 0..=1.
pub fn expected_progress(start: NaiveDate, end: NaiveDate, at: NaiveDate) -> f64 {
    let total = (end - start).num_days();
    if total <= 0 {
        return 1.0;
    }
    ((at - start).num_days() as f64 / total as f64).clamp(0.0, 1.0)
}

/// Status from achieved and expected progress (see the module doc).
pub fn status_from_ratio(progress: f64, expected: f64) -> Status {
    if progress >= 1.0 - EPS {
        return Status::Achieved;
    }
    if expected <= EPS {
        return if progress >= 0.0 { Status::OnTrack } else { Status::OffTrack };
    }
    let ratio = progress / expected;
    if ratio >= ON_TRACK_RATIO {
        Status::OnTrack
    } else if ratio >= AT_RISK_RATIO {
        Status::AtRisk
    } else {
        Status::OffTrack
    }
}

/// The baseline in use at `as_of`: the plan's, else the first figure reported by then.
pub fn baseline_point(m: &Metric, default_date: NaiveDate, values: &[Reported]) -> Option<BaselinePoint> {
    match m.baseline {
        Some(value) => Some(BaselinePoint { date: m.baseline_date.unwrap_or(default_date), value, from_report: false }),
        None => values.first().map(|r| BaselinePoint { date: r.quarter.end(), value: r.value, from_report: true }),
    }
}

/// Assesses `m` at `as_of` from its `values` (any order; later ones are ignored).
/// `default_baseline_date` and `default_target_date` come from the plan.
pub fn assess(
    m: &Metric,
    values: &[Reported],
    as_of: NaiveDate,
    default_baseline_date: NaiveDate,
    default_target_date: NaiveDate,
) -> Assessment {
    let mut known: Vec<Reported> = values.iter().filter(|r| r.quarter.end() <= as_of).cloned().collect();
    known.sort_by_key(|r| r.quarter);
    let baseline = baseline_point(m, default_baseline_date, &known);
    let latest = known.last().cloned();
    let target = effective_target(m);
    let target_date = m.target_date.unwrap_or(default_target_date);
    let (projection, projection_na) = match project(m, &known, baseline, as_of, target_date) {
        Ok(p) => (Some(p), None),
        Err(na) => (None, Some(na)),
    };
    let reached = reached_since(m, &known);
    // An annual figure is the year's: expected progress is read where its last one is due.
    let expected = match (target, baseline) {
        (Some(_), Some(b)) => Some(expected_progress(b.date, target_date, due(m.frequency, as_of))),
        _ => None,
    };

    let progress = match (&latest, target, baseline) {
        (None, _, _) => Err(NotApplicable::NoData),
        (_, None, _) => Err(NotApplicable::NoTarget),
        (Some(_), Some(_), None) => Err(NotApplicable::NoBaseline),
        // One figure standing in as its own baseline says nothing about progress.
        (Some(_), Some(_), Some(b)) if b.from_report && known.len() < 2 => Err(NotApplicable::NoBaseline),
        (Some(l), Some(t), Some(b)) => progress(m.direction, b.value, t, l.value),
    };

    let met = reached.is_some();
    let exceeded = match (&latest, target) {
        (Some(l), Some(t)) => t.is_range() && meets(m.direction, l.value, t.exceeded_at(m.direction)),
        _ => false,
    };

    let status = if m.kind == Kind::Context {
        if latest.is_some() || baseline.is_some() { Status::Reference } else { Status::NoData }
    } else if latest.is_none() {
        Status::NoData
    } else if met {
        Status::Achieved
    } else {
        match (progress, expected) {
            (Ok(p), Some(e)) => status_from_ratio(p, e),
            // A "keep it up" target that has slipped.
            (Err(NotApplicable::TargetEqualsBaseline), _) => Status::OffTrack,
            _ => Status::NoData,
        }
    };

    Assessment {
        as_of,
        frequency: m.frequency,
        baseline,
        latest,
        progress,
        expected,
        status,
        exceeded,
        target_date,
        reached,
        projection,
        projection_na,
    }
}

#[cfg(test)]
mod tests;
