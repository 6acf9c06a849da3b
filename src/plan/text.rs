//! How figures read in Chinese on pages, sheets and reports.

use super::progress::BaselinePoint;
use super::{Kind, Metric, fmt_num};

/// A share as a whole percentage: `0.727` → `73%`.
pub fn percent(p: f64) -> String {
    format!("{}%", fmt_num((p * 100.0).round()))
}

/// The target as the plan states it: `48`, `2–3`, or 完成 for a milestone.
pub fn target_text(m: &Metric) -> String {
    match (m.kind, m.target) {
        (Kind::Milestone, _) => "完成".into(),
        (_, None) => "—".into(),
        (_, Some(t)) => t.to_string(),
    }
}

/// The baseline in use: the plan's, the first figure standing in, or none.
pub fn baseline_text(m: &Metric, in_use: Option<BaselinePoint>) -> String {
    match (m.kind, m.baseline, in_use) {
        (Kind::Milestone, Some(0.0), _) => "未启动".into(),
        (_, Some(b), _) => fmt_num(b),
        (_, None, Some(b)) => format!("{}(首次报告值)", fmt_num(b.value)),
        (_, None, None) => "规划未给出".into(),
    }
}

/// A reported figure; a milestone reads 已完成 or 完成 60%.
pub fn value_text(m: &Metric, value: f64, done: Option<bool>) -> String {
    match (m.kind, done) {
        (Kind::Milestone, Some(true)) => "已完成".into(),
        (Kind::Milestone, _) => format!("完成 {}%", fmt_num(value)),
        _ => fmt_num(value),
    }
}
