//! The mid-term and final evaluation (中期评估 / 终期评估): every metric assessed at a date
//! from approved figures, with a sentence of assessment each, what needs attention and
//! what is missing. Pure: built from data the caller read.

pub(crate) mod chart;
pub mod docx;
pub(crate) mod sentence;
pub(crate) mod tables;
pub(crate) mod xlsx;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::plan::progress::{Assessment, Status, count_statuses};
use crate::plan::{Chapter, Metric, Plan, Quarter, Reported};
pub use crate::store::values::FigureCounts;

pub use sentence::sentence;

/// One metric's line in the report.
#[derive(Debug, Clone)]
pub struct Row {
    pub metric: Metric,
    pub assessment: Assessment,
    pub sentence: String,
    /// Approved figures up to the as-of date, oldest first.
    pub values: Vec<Reported>,
    /// Expected minus achieved progress: how far behind (for ordering 需要关注).
    pub gap: f64,
}

#[derive(Debug, Clone)]
pub struct ChapterReport {
    pub chapter: Chapter,
    pub counts: Vec<(Status, usize)>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub plan: Plan,
    pub as_of: NaiveDate,
    pub generated_on: NaiveDate,
    pub figures: FigureCounts,
    pub counts: Vec<(Status, usize)>,
    pub chapters: Vec<ChapterReport>,
}

impl Report {
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.chapters.iter().flat_map(|c| c.rows.iter())
    }

    /// At-risk and off-track metrics, furthest behind first.
    pub fn attention(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> =
            self.rows().filter(|r| matches!(r.assessment.status, Status::AtRisk | Status::OffTrack)).collect();
        rows.sort_by(|a, b| b.gap.total_cmp(&a.gap));
        rows
    }

    /// Metrics with no approved figure up to the as-of date.
    pub fn missing(&self) -> Vec<&Row> {
        self.rows().filter(|r| r.assessment.latest.is_none()).collect()
    }

    /// Metrics whose latest figure is stale at the as-of date (数据滞后), oldest first.
    pub fn stale(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self.rows().filter(|r| r.assessment.is_stale()).collect();
        rows.sort_by_key(|r| r.assessment.latest.as_ref().map(|l| l.quarter));
        rows
    }

    /// 终期评估 or 中期评估.
    pub fn kind_zh(&self) -> &'static str {
        self.plan.evaluation_kind_zh(self.as_of)
    }
}

/// Status colours, the same as the stylesheet's: the report's charts on the page and in
/// the Word document.
pub fn status_rgb(s: Status) -> (u8, u8, u8) {
    match s {
        Status::Achieved => (0x1b, 0x7f, 0x3b),
        Status::OnTrack => (0x2f, 0x6f, 0xb5),
        Status::AtRisk => (0x8d, 0x5a, 0x00),
        Status::OffTrack => (0xc5, 0x30, 0x30),
        Status::NoData => (0x5f, 0x6b, 0x7a),
        Status::Reference => (0x6b, 0x46, 0xc1),
    }
}

/// Assesses every metric at `as_of` from `approved` figures (by metric id).
pub fn build(
    plan: &Plan,
    chapters: &[Chapter],
    metrics: &[Metric],
    approved: &HashMap<i64, Vec<Reported>>,
    figures: FigureCounts,
    as_of: NaiveDate,
    generated_on: NaiveDate,
) -> Report {
    let chapters: Vec<ChapterReport> = chapters
        .iter()
        .map(|ch| {
            let rows: Vec<Row> = metrics
                .iter()
                .filter(|m| m.chapter_id == ch.id)
                .map(|m| {
                    let values: Vec<Reported> = approved
                        .get(&m.id)
                        .map(|v| v.iter().filter(|r| r.quarter.end() <= as_of).cloned().collect())
                        .unwrap_or_default();
                    let a = plan.assess(m, &values, as_of);
                    let gap = match (a.progress, a.expected) {
                        (Ok(p), Some(e)) => e - p,
                        _ => a.expected.unwrap_or(1.0),
                    };
                    Row { sentence: sentence(m, &a), metric: m.clone(), assessment: a, values, gap }
                })
                .collect();
            ChapterReport {
                chapter: ch.clone(),
                counts: count_statuses(rows.iter().map(|r| r.assessment.status)),
                rows,
            }
        })
        .collect();
    let counts = count_statuses(chapters.iter().flat_map(|c| c.rows.iter().map(|r| r.assessment.status)));
    Report { plan: plan.clone(), as_of, generated_on, figures, counts, chapters }
}

/// Why a metric's status differs between two evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeCause {
    /// A newer figure was reported by the later date (or the first one).
    NewFigure,
    /// The latest figure is the same at both dates: only the date moved, and with it the
    /// progress expected by then. Nothing was reported in between.
    DateOnly,
}

impl ChangeCause {
    /// The cause of a change from `earlier` to `later`, two assessments of one metric: the
    /// same latest figure (quarter and value) both times is a change of date only.
    pub fn of(earlier: &Assessment, later: &Assessment) -> Self {
        let same = match (&earlier.latest, &later.latest) {
            (Some(a), Some(b)) => a.quarter == b.quarter && a.value == b.value && a.done == b.done,
            (None, None) => true,
            _ => false,
        };
        if same { ChangeCause::DateOnly } else { ChangeCause::NewFigure }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ChangeCause::NewFigure => "新报数据",
            ChangeCause::DateOnly => "未报新数据,仅评估日期推移",
        }
    }

    /// CSS class and stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeCause::NewFigure => "new_figure",
            ChangeCause::DateOnly => "date_only",
        }
    }
}

/// A metric whose status differs between two evaluations, with the figure each stood on.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub metric: Metric,
    pub from: Status,
    pub to: Status,
    /// The latest figure at the earlier and at the later date.
    pub from_latest: Option<Reported>,
    pub to_latest: Option<Reported>,
    /// Each figure is stale at its own date.
    pub from_stale: bool,
    pub to_stale: bool,
    pub cause: ChangeCause,
}

/// Metrics whose status changed from `earlier` to `later`, in the plan's order.
pub fn compare(earlier: &Report, later: &Report) -> Vec<StatusChange> {
    let before: HashMap<&str, &Assessment> = earlier.rows().map(|r| (r.metric.key.as_str(), &r.assessment)).collect();
    later
        .rows()
        .filter_map(|r| {
            let (e, l) = (*before.get(r.metric.key.as_str())?, &r.assessment);
            (e.status != l.status).then(|| StatusChange {
                metric: r.metric.clone(),
                from: e.status,
                to: l.status,
                from_latest: e.latest.clone(),
                to_latest: l.latest.clone(),
                from_stale: e.is_stale(),
                to_stale: l.is_stale(),
                cause: ChangeCause::of(e, l),
            })
        })
        .collect()
}

/// The dates an evaluation can be made at: every quarter end of the plan.
pub fn quarter_ends(plan: &Plan) -> Vec<NaiveDate> {
    plan.quarters().map(Quarter::end).collect()
}

#[cfg(test)]
mod tests;
