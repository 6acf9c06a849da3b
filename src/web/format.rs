//! How figures read on a page: one row of text per metric, computed once per request.

use crate::charts;
use crate::plan::progress::{Assessment, NotApplicable, Status, effective_target};
pub use crate::plan::text::{baseline_text, percent, target_text, value_text};

use crate::plan::{Direction, Metric, Plan, Reported, fmt_num};

/// A metric as the dashboard and report tables show it.
pub struct MetricRow {
    pub key: String,
    pub name: String,
    /// The English name, shown only when chosen ([`super::Lang`]).
    pub name_en: Option<String>,
    pub unit: String,
    pub kind: &'static str,
    pub direction: &'static str,
    pub baseline: String,
    pub target: String,
    pub latest: String,
    pub latest_quarter: String,
    /// The latest figure awaits review (shown only in the pending view).
    pub latest_pending: bool,
    /// The latest figure is older than the quarter before the as-of date's (数据滞后).
    pub stale: bool,
    pub progress: String,
    pub expected: String,
    pub status: Status,
    /// 超额, or why progress is n/a.
    pub status_note: String,
    pub projection: String,
    pub bullet: String,
}

impl MetricRow {
    pub fn new(m: &Metric, a: &Assessment) -> Self {
        Self {
            key: m.key.clone(),
            name: m.name.clone(),
            name_en: m.name_en.clone(),
            // Pages place it after numbers only (未启动, 完成 65% take none): plan::text::place_unit.
            unit: m.unit.clone(),
            kind: m.kind.label_zh(),
            direction: m.direction.label_zh(),
            baseline: baseline_text(m, a.baseline),
            target: target_text(m),
            latest: a.latest.as_ref().map(|l| value_text(m, l.value, l.done)).unwrap_or_else(|| "—".into()),
            latest_quarter: a.latest.as_ref().map(|l| l.quarter.label_zh()).unwrap_or_default(),
            latest_pending: a.latest.as_ref().is_some_and(|l| l.pending),
            stale: a.is_stale(),
            progress: match a.progress {
                Ok(p) => percent(p),
                Err(_) => "—".into(),
            },
            expected: a.expected.map(percent).unwrap_or_else(|| "—".into()),
            status: a.status,
            status_note: status_note(a),
            projection: projection_text(m, a),
            bullet: bullet(m, a),
        }
    }
}

fn status_note(a: &Assessment) -> String {
    if a.exceeded {
        return "超额".into();
    }
    match (a.status, a.progress) {
        (Status::NoData | Status::OffTrack, Err(na)) if na != NotApplicable::NoData => na.reason_zh().into(),
        _ => String::new(),
    }
}

/// Where the metric is heading, in one phrase.
pub fn projection_text(m: &Metric, a: &Assessment) -> String {
    if let (Status::Achieved, Some(q)) = (a.status, a.reached) {
        return format!("{}已达标", q.label_zh());
    }
    let Some(p) = a.projection else {
        return match (&a.latest, a.projection_na) {
            (Some(_), Some(na)) => na.reason_zh().into(),
            _ => String::new(),
        };
    };
    let at_end = a.forecast().map(|v| format!("预计期末 {},", fmt_num(v))).unwrap_or_default();
    if effective_target(m).is_none() {
        return a.forecast().map_or_else(|| "期末已到,不作期末预测".into(), |v| format!("预计期末 {}", fmt_num(v)));
    }
    match p.reach {
        Some(q) => format!("{at_end}预计{}达标", q.label_zh()),
        None => format!("{at_end}按当前趋势无法达标"),
    }
}

fn bullet(m: &Metric, a: &Assessment) -> String {
    let target = effective_target(m);
    let expected_value = a.expected_value(m);
    let label = format!(
        "基期 {},目标 {},最新 {},预期 {}",
        baseline_text(m, a.baseline),
        target_text(m),
        a.latest
            .as_ref()
            .map(|l| format!("{}({})", fmt_num(l.value), l.quarter.label_zh()))
            .unwrap_or_else(|| "无".into()),
        expected_value.map(fmt_num).unwrap_or_else(|| "无".into()),
    );
    charts::bullet(&charts::Bullet {
        baseline: a.baseline.map(|b| b.value),
        target: target.map(|t| (t.low, t.high)),
        expected: expected_value,
        latest: a.latest.as_ref().map(|l| l.value),
        lower_is_better: m.direction == Direction::Lower,
        width: 240,
        height: 28,
        label,
    })
}

/// The full progress chart of `m` as assessed in `a`, from the figures in `values`.
pub fn metric_chart_svg(
    plan: &Plan,
    m: &Metric,
    a: &Assessment,
    values: &[Reported],
    width: u32,
    height: u32,
) -> String {
    crate::report::chart::metric_chart(plan, m, a, values, (width, height), charts::metric_chart)
}
