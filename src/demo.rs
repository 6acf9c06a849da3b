//! Plausible demonstration figures (示例数据), so a newcomer sees live charts before any
//! real figure is entered. Deterministic: the same plan always gets the same figures.

use chrono::NaiveDate;

use crate::plan::progress::{effective_target, expected_progress};
use crate::plan::{Direction, Kind, Metric, Quarter, Reported};

/// Paces relative to the time-linear path, chosen so the demo shows every status.
const PACES: [f64; 6] = [1.25, 1.05, 0.98, 0.8, 0.45, 1.1];

/// Figures for `metrics` from the plan's first quarter to `last`, each quarter's figure at
/// its end. One metric in eleven is left unreported, to show what missing data looks like.
pub fn figures(
    metrics: &[Metric],
    period_start: NaiveDate,
    default_baseline: NaiveDate,
    default_target: NaiveDate,
    last: Quarter,
) -> Vec<(i64, Reported)> {
    let mut out = Vec::new();
    for m in metrics {
        let h = fnv(&m.key);
        if h % 11 == 3 {
            continue;
        }
        let pace = PACES[(h % PACES.len() as u64) as usize];
        let base_date = m.baseline_date.unwrap_or(default_baseline);
        let target_date = m.target_date.unwrap_or(default_target);
        let goal = effective_target(m).map(|t| t.met_at(m.direction));
        let start = m.baseline.unwrap_or_else(|| match (goal, m.direction) {
            (Some(g), Direction::Higher) => (g * 0.3).floor(),
            (Some(g), Direction::Lower) => g * 2.0,
            (None, _) => 0.0,
        });
        let mut prev: Option<f64> = None;
        for (i, q) in Quarter::range(Quarter::containing(period_start), last).enumerate() {
            let f = expected_progress(base_date, target_date, q.end());
            let wobble = ((fnv(&format!("{}{i}", m.key)) % 1000) as f64 / 1000.0 - 0.5) * 0.06;
            let raw = match (m.kind, goal) {
                (Kind::Context, _) => start * (1.0 + 0.01 * i as f64 * pace.signum() + wobble * 0.3),
                (_, Some(g)) => start + (g - start) * (f * pace + wobble),
                (_, None) => start,
            };
            let (value, done) = match m.kind {
                Kind::Milestone => {
                    let pct = (raw.clamp(0.0, 100.0) / 5.0).round() * 5.0;
                    (pct, Some(pct >= 100.0))
                }
                // Cumulative totals never fall.
                Kind::Count => (raw.max(prev.unwrap_or(0.0)).max(0.0).round(), None),
                // A whole-number baseline (16 projects) stays whole.
                Kind::Context if start.fract() == 0.0 && !m.unit.contains('%') => (raw.round(), None),
                Kind::Level | Kind::Context => {
                    let v = (raw * 10.0).round() / 10.0;
                    (if m.unit.contains('%') { v.min(100.0) } else { v }, None)
                }
            };
            prev = Some(value);
            out.push((m.id, Reported { quarter: q, value, done, note: "示例数据".into(), pending: false }));
        }
    }
    out
}

fn fnv(s: &str) -> u64 {
    crate::fnv64(s.as_bytes())
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
    fn the_same_plan_gets_the_same_figures() {
        let metrics = [m("c", Kind::Level, Some(37.0), Some(Target::single(48.0)))];
        let args = (d(2021, 1, 1), d(2020, 12, 31), d(2025, 12, 31), "2023Q2".parse().unwrap());
        assert_eq!(
            figures(&metrics, args.0, args.1, args.2, args.3),
            figures(&metrics, args.0, args.1, args.2, args.3)
        );
    }
}
