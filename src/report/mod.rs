//! The mid-term and final evaluation (中期评估 / 终期评估): every metric assessed at a date
//! from approved figures, with a sentence of assessment each, what needs attention and
//! what is missing. Pure: built from data the caller read.

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

/// A metric whose status differs between two evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub key: String,
    pub name: String,
    pub from: Status,
    pub to: Status,
}

/// Metrics whose status changed from `earlier` to `later`, in the plan's order.
pub fn compare(earlier: &Report, later: &Report) -> Vec<StatusChange> {
    let before: HashMap<&str, Status> = earlier.rows().map(|r| (r.metric.key.as_str(), r.assessment.status)).collect();
    later
        .rows()
        .filter_map(|r| {
            let from = *before.get(r.metric.key.as_str())?;
            (from != r.assessment.status).then(|| StatusChange {
                key: r.metric.key.clone(),
                name: r.metric.name.clone(),
                from,
                to: r.assessment.status,
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
