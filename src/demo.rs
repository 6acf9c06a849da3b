//! Plausible synthetic figures: the demonstration figures (示例数据), so a newcomer sees
//! live charts before any real figure is entered, and, tuned differently, the scale-test
//! data of [`crate::scale`]. Pure and deterministic: no randomness, only a hash of the
//! metric key, so the same plan always gets the same figures.

use chrono::NaiveDate;

use crate::plan::bounds::bounds;
use crate::plan::progress::{effective_target, expected_progress};
use crate::plan::{Direction, Kind, Metric, Quarter, Reported};

/// The tuning of one set of synthetic figures. The demo and the scale data each keep their
/// own, so that retuning one never moves the other's figures (the demo's are asserted in
/// tests and looked at in browser tests).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Paces relative to the time-linear path, all positive; the key's hash picks one per
    /// metric, so that together the figures show every status.
    pub paces: &'static [f64],
    /// Width of the per-quarter wobble around the path, as a share of the way to the goal.
    pub wobble: f64,
    /// The wobble hashes the quarter's name (2021Q1) rather than its place in the series.
    pub wobble_by_quarter: bool,
    /// Context metrics drift up by this share of the baseline a quarter…
    pub context_drift: f64,
    /// …and take this share of the wobble.
    pub context_wobble: f64,
    /// Where a metric with neither baseline nor goal starts.
    pub fallback_start: f64,
    /// Levels stop at zero, as real rates and lead times do. The demo predates this and
    /// keeps its figures, a few just below zero included.
    pub never_negative: bool,
    /// The note every figure carries, so synthetic figures are told from real ones.
    pub note: &'static str,
}

/// The demo's tuning.
pub const DEMO: Style = Style {
    paces: &[1.25, 1.05, 0.98, 0.8, 0.45, 1.1],
    wobble: 0.06,
    wobble_by_quarter: false,
    context_drift: 0.01,
    context_wobble: 0.3,
    fallback_start: 0.0,
    never_negative: false,
    note: "示例数据",
};

/// Figures for `metrics` from the plan's first quarter to `last`, each quarter's figure at
/// its end. One metric in eleven is left unreported, to show what missing data looks like.
pub fn figures(
    metrics: &[Metric],
    period_start: NaiveDate,
    default_baseline: NaiveDate,
    default_target: NaiveDate,
    last: Quarter,
) -> Vec<(i64, Reported)> {
    metrics
        .iter()
        .filter(|m| fnv(&m.key) % 11 != 3)
        .flat_map(|m| {
            let quarters = Quarter::range(Quarter::containing(period_start), last);
            // An annual metric's figure is the year's, entered with the fourth quarter.
            series(m, &DEMO, default_baseline, default_target, quarters)
                .into_iter()
                .filter(|r| m.frequency.reports_in(r.quarter))
                .map(|r| (m.id, r))
        })
        .collect()
}

/// Figures of `m` for `quarters`, which must start at its plan's first quarter: along the
/// time-linear path from baseline to goal at the metric's pace, wobbling from quarter to
/// quarter. Counts are whole and never fall, milestones move in steps of 5 %, and every
/// figure lies within the metric's [`bounds`] (0–100 for shares and scores, at most 366
/// days, whole units, a seed's own `min`/`max`).
pub fn series(
    m: &Metric,
    style: &Style,
    default_baseline: NaiveDate,
    default_target: NaiveDate,
    quarters: impl IntoIterator<Item = Quarter>,
) -> Vec<Reported> {
    let pace = style.paces[(fnv(&m.key) % style.paces.len() as u64) as usize];
    let base_date = m.baseline_date.unwrap_or(default_baseline);
    let target_date = m.target_date.unwrap_or(default_target);
    let goal = effective_target(m).map(|t| t.met_at(m.direction));
    let start = m.baseline.unwrap_or(match (goal, m.direction) {
        (Some(g), Direction::Higher) => (g * 0.3).floor(),
        (Some(g), Direction::Lower) => g * 2.0,
        (None, _) => style.fallback_start,
    });
    let percent = m.unit.contains('%');
    let bounds = bounds(m);
    let mut prev = 0.0_f64;
    quarters
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let f = expected_progress(base_date, target_date, q.end());
            let seed = if style.wobble_by_quarter { format!("{}{q}", m.key) } else { format!("{}{i}", m.key) };
            let wobble = ((fnv(&seed) % 1000) as f64 / 1000.0 - 0.5) * style.wobble;
            let raw = match (m.kind, goal) {
                (Kind::Context, _) => start * (1.0 + style.context_drift * i as f64 + wobble * style.context_wobble),
                (_, Some(g)) => start + (g - start) * (f * pace + wobble),
                (_, None) => start,
            };
            let (value, done) = match m.kind {
                Kind::Milestone => {
                    let pct = (raw.clamp(0.0, 100.0) / 5.0).round() * 5.0;
                    (pct, Some(pct >= 100.0))
                }
                // Cumulative totals never fall.
                Kind::Count => (raw.max(prev).max(0.0).round(), None),
                // A whole-number baseline (16 projects) stays whole.
                Kind::Context if start.fract() == 0.0 && !percent => (raw.round(), None),
                Kind::Level | Kind::Context => {
                    let v = (raw * 10.0).round() / 10.0;
                    (if style.never_negative { v.max(0.0) } else { v }, None)
                }
            };
            // Never a figure the metric cannot have: 372 good-air days, 101.4 分, 1.5 套.
            let value = bounds.clamp(value);
            prev = value;
            Reported { quarter: q, value, done, note: style.note.into(), pending: false }
        })
        .collect()
}

fn fnv(s: &str) -> u64 {
    crate::hash::fnv64(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Target;

    fn m(key: &str, kind: Kind, baseline: Option<f64>, target: Option<Target>) -> Metric {
        Metric { key: key.into(), id: 7, ..Metric::sample(kind, Direction::Higher, baseline, target) }
    }

    fn d(y: i32, mo: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, mo, day).unwrap()
    }

    #[test]
    fn counts_never_fall_and_stop_at_the_last_quarter() {
        let metrics = [m("a", Kind::Count, Some(0.0), Some(Target::single(381.0)))];
        let f = figures(&metrics, d(2021, 1, 1), d(2020, 12, 31), d(2025, 12, 31), "2023Q2".parse().unwrap());
        assert_eq!(f.len(), 10);
        assert_eq!(f.last().unwrap().1.quarter.to_string(), "2023Q2");
        assert!(f.windows(2).all(|w| w[1].1.value >= w[0].1.value));
        assert!(f.iter().all(|(_, r)| r.value.fract() == 0.0));
    }

    #[test]
    fn milestones_report_percent_and_done() {
        let metrics = [m("b", Kind::Milestone, Some(0.0), None)];
        let f = figures(&metrics, d(2021, 1, 1), d(2020, 12, 31), d(2025, 12, 31), "2023Q2".parse().unwrap());
        assert!(f.iter().all(|(_, r)| (0.0..=100.0).contains(&r.value) && r.done == Some(r.value >= 100.0)));
    }

    #[test]
    fn every_demo_figure_of_the_seed_plan_is_one_the_metric_can_have() {
        let text = include_str!("../seeds/qijiang-meteorology-14.toml");
        let plan = crate::plan::seed::parse("qijiang-meteorology-14.toml", text).unwrap();
        let metrics: Vec<Metric> = plan
            .chapters
            .iter()
            .flat_map(|c| &c.metrics)
            .map(|d| Metric {
                key: d.key.clone(),
                unit: d.unit.clone(),
                kind: d.kind,
                direction: d.direction,
                baseline: d.baseline,
                baseline_date: Some(d.baseline_date),
                target: d.target,
                target_date: Some(d.target_date),
                min: d.min,
                max: d.max,
                continues: None,
                retired: None,
                ..Metric::sample(d.kind, d.direction, d.baseline, d.target)
            })
            .collect();
        // The whole period, past the demo's last quarter: the scale data goes that far.
        let quarters = || Quarter::range("2021Q1".parse().unwrap(), "2025Q4".parse().unwrap());
        for m in &metrics {
            for r in series(m, &DEMO, d(2020, 12, 31), plan.period_end, quarters()) {
                assert_eq!(bounds(m).refusal(r.value), None, "{} {}: {}", m.key, r.quarter, r.value);
            }
        }
        // Left alone, these two drifted to 372 days and 101.4 分 by mid-2023.
        for (key, most) in [("air-quality-good-days", 366.0), ("public-service-satisfaction", 100.0)] {
            let m = metrics.iter().find(|m| m.key == key).unwrap();
            let mid = &series(m, &DEMO, d(2020, 12, 31), plan.period_end, quarters())[9];
            assert_eq!(mid.quarter.to_string(), "2023Q2");
            assert!(mid.value <= most, "{key}: {}", mid.value);
        }
    }

    #[test]
    fn the_same_plan_gets_the_same_figures() {
        let metrics = [m("c", Kind::Level, Some(37.0), Some(Target::single(48.0)))];
        let args = (d(2021, 1, 1), d(2020, 12, 31), d(2025, 12, 31), "2023Q2".parse().unwrap());
        assert_eq!(
            figures(&metrics, args.0, args.1, args.2, args.3),
            figures(&metrics, args.0, args.1, args.2, args.3)
        );
    }
}
