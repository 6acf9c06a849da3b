//! The trend projection: where a metric's figures are heading, and when they will meet
//! the target. A projection is what leadership reads as 期末预测 and 预计达标, so it may say
//! no more than the figures allow:
//!
//! - it stays within what the metric can be ([`bounds`]: 0–100 for shares and milestones,
//!   at most 366 days, no negative counts, whole units), both the value at the target date
//!   and the line drawn;
//! - a target not met by a reported figure is reached, at the earliest, in the quarter after
//!   the as-of date's quarter: a trend line that crossed the target before then is not a
//!   figure that met it;
//! - a count of one-off things (一次性建设类指标, see [`is_one_off`]) has no projection: a
//!   line through a few whole steps (0, 0, 0, 1 radar) says nothing about the next one.

use chrono::NaiveDate;
use serde::Serialize;

use super::{BaselinePoint, EPS, effective_target, meets};
use crate::plan::bounds::{Bounds, bounds};
use crate::plan::{Direction, Kind, Metric, Quarter, Reported};

/// A projection further out than this (30 years) is no projection at all.
const HORIZON_QUARTERS: usize = 120;
/// A count in whole units that asks for at most this many units beyond its baseline is a
/// count of one-off things (see [`is_one_off`]).
pub const ONE_OFF_MAX_UNITS: f64 = 10.0;

/// Linear trend over the reported figures, kept within the metric's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Projection {
    /// Change per year at the current pace.
    pub slope_per_year: f64,
    /// Value the trend gives at the target date, within the metric's bounds (whole for
    /// things counted whole). Once the target date is not after the as-of date this is not a
    /// forecast: see [`super::Assessment::forecast`].
    pub value_at_target_date: f64,
    /// The quarter in which the target is (or will be) reached: the quarter since which the
    /// reported figures meet it; else the first quarter after the as-of date's quarter (and
    /// after the last figure) whose end the trend meets; `None`: not at the current pace.
    pub reach: Option<Quarter>,
    /// The trend as drawn: from the later of the last figure and the as-of date to the
    /// target date, where it lies within the bounds (flat along a bound when it never
    /// does). `None` when the target date is not after that start.
    #[serde(skip)]
    pub line: Option<[(NaiveDate, f64); 2]>,
}

/// Why an assessment has no projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoProjection {
    /// Fewer than two figures on different dates.
    TooFewFigures,
    /// A count of one-off things ([`is_one_off`]).
    OneOff,
}

impl NoProjection {
    pub fn reason_zh(self) -> &'static str {
        match self {
            NoProjection::TooFewFigures => "数据不足,暂无法预测趋势",
            NoProjection::OneOff => "一次性建设类指标,不作趋势预测",
        }
    }
}

/// Whether `m` counts one-off things (一次性建设类指标: radars, stations, engineers): a
/// `count` in whole units (个, 部, 套, 名 … as [`bounds`] decides) whose target's met end
/// is at most [`ONE_OFF_MAX_UNITS`] units from its baseline in use (`baseline`: the
/// plan's, else the first figure; before any, the plan's or zero, as counts run from the
/// period start). Each such unit is built or trained once, so a straight line through a
/// handful of steps forecasts nothing.
pub fn is_one_off(m: &Metric, baseline: Option<BaselinePoint>) -> bool {
    if m.kind != Kind::Count || !bounds(m).whole {
        return false;
    }
    let Some(goal) = effective_target(m).map(|t| t.met_at(m.direction)) else { return false };
    let from = baseline.map(|b| b.value).or(m.baseline).unwrap_or(0.0);
    (goal - from).abs() <= ONE_OFF_MAX_UNITS + EPS
}

/// Whether the reported figure `r` meets `goal`: a milestone reported done, or a value at
/// least as good as the goal.
pub fn figure_meets(dir: Direction, goal: f64, r: &Reported) -> bool {
    r.done == Some(true) || meets(dir, r.value, goal)
}

/// The quarter since which the figures meet the target: the first of the unbroken run of
/// meeting figures that ends with the latest. `None` while the latest falls short.
/// `known` is oldest first.
pub fn reached_since(m: &Metric, known: &[Reported]) -> Option<Quarter> {
    let goal = effective_target(m)?.met_at(m.direction);
    known.iter().rev().take_while(|r| figure_meets(m.direction, goal, r)).last().map(|r| r.quarter)
}

/// The quarter from which a target not yet met can be reached: the one after the as-of
/// date's quarter. A figure for an earlier quarter would already be known.
pub fn earliest_reach(as_of: NaiveDate) -> Quarter {
    Quarter::containing(as_of).next()
}

/// Least-squares line through `(date, value)` points, as (intercept, slope per day) with x
/// in days from the first point; `None` with fewer than two distinct dates.
pub fn linear_trend(points: &[(NaiveDate, f64)]) -> Option<(NaiveDate, f64, f64)> {
    let pts: Vec<(f64, f64)> =
        points.iter().filter(|(_, v)| v.is_finite()).map(|(d, v)| ((*d - points[0].0).num_days() as f64, *v)).collect();
    let n = pts.len() as f64;
    if pts.len() < 2 {
        return None;
    }
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx < EPS {
        return None;
    }
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    Some((points[0].0, my - slope * mx, slope))
}

/// Projects `m`'s figures `known` (those reported by `as_of`, oldest first) to
/// `target_date`, within the rules of the module doc.
pub fn project(
    m: &Metric,
    known: &[Reported],
    baseline: Option<BaselinePoint>,
    as_of: NaiveDate,
    target_date: NaiveDate,
) -> Result<Projection, NoProjection> {
    if is_one_off(m, baseline) {
        return Err(NoProjection::OneOff);
    }
    let points: Vec<(NaiveDate, f64)> = known.iter().map(|r| (r.quarter.end(), r.value)).collect();
    let (origin, intercept, slope) = linear_trend(&points).ok_or(NoProjection::TooFewFigures)?;
    let at = |d: NaiveDate| intercept + slope * (d - origin).num_days() as f64;
    let b = bounds(m);
    let reach = effective_target(m).and_then(|t| {
        let goal = t.met_at(m.direction);
        if let Some(q) = reached_since(m, known) {
            return Some(q);
        }
        if m.direction.sign() * slope <= EPS {
            return None;
        }
        // Figures stand at quarter ends, so the answer is the first quarter whose end the
        // trend meets. Quarters differ in length by a day or two, which the slack absorbs.
        let slack = m.direction.sign() * slope.abs() * 2.0;
        let first = known.last()?.quarter.next().max(earliest_reach(as_of));
        std::iter::successors(Some(first), |q| Some(q.next()))
            .take(HORIZON_QUARTERS)
            .find(|q| meets(m.direction, b.clamp(at(q.end()) + slack), goal))
    });
    let from = points.last().map_or(as_of, |&(d, _)| d.max(as_of));
    Ok(Projection {
        slope_per_year: slope * 365.25,
        value_at_target_date: b.clamp(at(target_date)),
        reach,
        line: drawn(&b, at, from, target_date),
    })
}

/// The part of the line `at` between `from` and `to` that lies within `b`; flat along the
/// bound it stays beyond when it never enters. Not rounded: a line, not a figure.
fn drawn(b: &Bounds, at: impl Fn(NaiveDate) -> f64, from: NaiveDate, to: NaiveDate) -> Option<[(NaiveDate, f64); 2]> {
    let days = (to - from).num_days();
    if days <= 0 {
        return None;
    }
    let (y0, y1) = (at(from), at(to));
    let slope = (y1 - y0) / days as f64;
    let floor = b.min.map(|(v, _)| v);
    let ceiling = b.max.map(|(v, _)| v);
    // The days (counted from `from`) on which the line lies within both bounds: each
    // bound keeps a half-line, on the side the slope decides.
    let (mut lo, mut hi) = (0.0_f64, days as f64);
    for (bound, is_floor) in [(floor, true), (ceiling, false)] {
        let Some(v) = bound else { continue };
        if slope == 0.0 {
            if (is_floor && y0 < v) || (!is_floor && y0 > v) {
                hi = -1.0;
            }
            continue;
        }
        let cross = (v - y0) / slope;
        if (slope > 0.0) == is_floor { lo = lo.max(cross) } else { hi = hi.min(cross) }
    }
    let unrounded = Bounds { whole: false, ..b.clone() };
    let within = |y: f64| unrounded.clamp(y);
    if hi - lo < 1.0 {
        return Some([(from, within(y0)), (to, within(y1))]);
    }
    let day = |x: f64| from + chrono::Duration::days(x.round() as i64);
    let (a, z) = (day(lo), day(hi));
    Some([(a, within(at(a))), (z, within(at(z)))])
}
