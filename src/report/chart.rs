//! What a metric's progress chart shows, from its assessment: the web pages draw it as
//! SVG, the Word report as PNG. One place for the lines it draws (expected path, trend).

use chrono::NaiveDate;

use crate::charts::MetricChart;
use crate::plan::progress::{Assessment, effective_target, expected_path};
use crate::plan::{Direction, Metric, Plan, Reported};

/// Calls `draw` with the chart of `m` as assessed in `a`, from the figures in `values`,
/// at `width` × `height` px: `charts::metric_chart` for SVG, `charts::png::metric_chart`
/// for an image.
pub fn metric_chart<T>(
    plan: &Plan,
    m: &Metric,
    a: &Assessment,
    values: &[Reported],
    size: (u32, u32),
    draw: impl FnOnce(&MetricChart) -> T,
) -> T {
    metric_chart_after(plan, m, a, values, None, size, draw)
}

/// [`metric_chart`] with the figures of the older metric `m` continues, from that plan
/// (`earlier`), on the same time axis.
pub fn metric_chart_after<T>(
    plan: &Plan,
    m: &Metric,
    a: &Assessment,
    values: &[Reported],
    earlier: Option<(&Plan, &[Reported])>,
    (width, height): (u32, u32),
    draw: impl FnOnce(&MetricChart) -> T,
) -> T {
    let old_points: Vec<(NaiveDate, f64)> =
        earlier.map(|(_, v)| v.iter().map(|r| (r.quarter.end(), r.value)).collect()).unwrap_or_default();
    let label = earlier.map(|(p, _)| p.short_title()).unwrap_or_default();
    let target_date = plan.target_date_of(m);
    let target = effective_target(m);
    let points: Vec<(NaiveDate, f64)> =
        values.iter().filter(|r| r.quarter.end() <= a.as_of).map(|r| (r.quarter.end(), r.value)).collect();
    let baseline = a.baseline.filter(|b| !b.from_report).map(|b| (b.date, b.value));
    let expected = a.baseline.map(|b| expected_path(m, b, target_date)).unwrap_or_default();
    // The trend as the projection draws it: within the metric's bounds, from the last
    // figure (or the as-of date, if later) to the target date.
    let projection = a.projection.and_then(|p| p.line).map(|[from, to]| (from, to));
    draw(&MetricChart {
        title: &m.name,
        unit: &m.unit,
        lower_is_better: m.direction == Direction::Lower,
        period: (plan.period_start, plan.period_end),
        baseline,
        target: target.map(|t| (target_date, t.low, t.high)),
        values: &points,
        expected: &expected,
        projection,
        earlier: earlier.map(|(p, _)| crate::charts::Earlier {
            label,
            period: (p.period_start, p.period_end),
            values: &old_points,
        }),
        width,
        height,
    })
}
