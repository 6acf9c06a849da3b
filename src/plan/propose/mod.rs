//! Proposing a plan's metrics from its published text: pure rules, no network, no model.
//!
//! INTERFACE FIXED FOR THE SESSION (issue 11): the web pages and the CLI build on these
//! types. Fields may be added; none renamed or removed. `propose` and `decode_text` are
//! filled in by the text rules' work.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::metric::check_target;
use super::seed::{ChapterDef, MetricDef, PlanDef};
use super::{Direction, Kind, Target, bounds};

mod decode;
mod header;
mod json;
mod keys;
mod names;
mod numbers;
mod read;
mod script;
mod sections;
mod table;
mod words;

/// What the text says of the plan and its quantitative targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub header: Header,
    /// In the order of the text.
    pub metrics: Vec<Proposed>,
}

/// The plan's header as found in the text; a field not found is empty or `None`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Header {
    pub title: String,
    /// e.g. 綦江府办发〔2021〕49号
    pub document_number: String,
    pub issuer: String,
    pub issued_on: Option<NaiveDate>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

/// One proposed metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposed {
    /// The heading of the chapter it stands in, as printed (e.g. 第三章 …).
    pub chapter: String,
    pub name: String,
    pub unit: String,
    pub kind: Kind,
    pub direction: Direction,
    pub baseline: Option<f64>,
    /// The date the baseline stands for (end of the previous period when unsaid).
    pub baseline_date: Option<NaiveDate>,
    pub target: Option<Target>,
    pub target_date: Option<NaiveDate>,
    /// The sentence it was read from (原文), verbatim.
    pub source: String,
    /// Byte ranges of `source` holding the figures that were read, to highlight them.
    pub figures: Vec<std::ops::Range<usize>>,
}

/// Proposes the plan and its metrics from the plan's text.
pub fn propose(published: &str) -> Proposal {
    let read = script::simplified(published);
    let mut proposal = propose_simplified(&read);
    if let Cow::Owned(read) = &read {
        // What is quoted is quoted as published.
        let back = |s: &str| script::as_published(published, read, s);
        proposal.header.title = back(&proposal.header.title);
        proposal.header.issuer = back(&proposal.header.issuer);
        proposal.header.document_number = back(&proposal.header.document_number);
        for m in &mut proposal.metrics {
            m.source = back(&m.source);
            m.chapter = back(&m.chapter);
        }
    }
    proposal
}

fn propose_simplified(text: &str) -> Proposal {
    let mut header = header::read(text);
    let mut metrics = read::read(text, &header);
    if header.period_start.is_none() {
        // A text without a period names one by its target year: 2020年前 → 2016–2020.
        if let Some(end) = metrics.iter().filter_map(|m| m.target_date).max() {
            header.period_start = NaiveDate::from_ymd_opt(end.year() - 4, 1, 1);
            header.period_end = Some(end);
            metrics = read::read(text, &header);
        }
    }
    metrics.retain_mut(|m| fix_up(m, &header));
    Proposal { header, metrics }
}

/// A proposal that a seed file would refuse is mended where the rules know how (a baseline
/// a unit cannot have is dropped, a date not after the baseline is left to the period's
/// end) and left out otherwise: `false`.
fn fix_up(m: &mut Proposed, header: &Header) -> bool {
    relative_change(m);
    let limits = bounds::bounds_for(&m.unit, m.kind, None, None);
    if m.baseline.is_some_and(|b| limits.refusal(b).is_some()) {
        if m.kind == Kind::Context {
            return false;
        }
        m.baseline = None;
        m.baseline_date = None;
    }
    if m.target.is_some_and(|t| limits.refusal(t.low).is_some() || limits.refusal(t.high).is_some()) {
        return false;
    }
    let base_date = m.baseline_date.or_else(|| header.period_start.and_then(|d| d.pred_opt()));
    if let (Some(t), Some(b)) = (m.target_date, base_date)
        && t <= b
    {
        m.target_date = None;
    }
    if m.baseline_date.is_some_and(|b| header.period_end.is_some_and(|e| b >= e)) {
        m.baseline_date = None;
    }
    !m.unit.trim().is_empty() && !m.source.trim().is_empty() && check_target(m.kind, m.baseline, m.target).is_ok()
}

/// "提高5个百分点" / "下降0.5个百分点" is a change from the baseline, not a level to reach:
/// read as a level it would tell leadership the rate must reach 5 %. With a baseline in the
/// same sentence the target is the level it implies; without one the metric becomes the
/// change itself, counted from 0 at the baseline, where more change is better.
fn relative_change(m: &mut Proposed) {
    if m.unit != "个百分点" || m.kind != Kind::Level {
        return;
    }
    let Some(delta) = m.target else { return };
    let sign = if m.direction == Direction::Lower { -1.0 } else { 1.0 };
    match m.baseline {
        Some(b) => {
            m.unit = "%".into();
            m.target = Some(Target { low: b + sign * delta.low, high: b + sign * delta.high });
            if sign < 0.0 {
                m.target = m.target.map(|t| Target { low: t.high, high: t.low });
            }
        }
        None => {
            let verb = if sign < 0.0 { "下降" } else { "提高" };
            let name = m.name.trim_end_matches(['下', '降', '提', '高', '减', '少', '上', '升']);
            m.name = format!("{name}(较基期{verb}幅度)");
            m.baseline = Some(0.0);
            m.direction = Direction::Higher;
        }
    }
}

pub use json::seed_json;

/// The text of an uploaded plan: `.txt` in UTF-8 or GBK, or `.docx`; a message in Chinese
/// when it is neither.
pub fn decode_text(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    decode::decode(file_name, bytes)
}

impl Proposal {
    /// A plan key from the text: the subject and the period, `meteorology-2026-2030`.
    pub fn default_key(&self) -> String {
        let (start, end) = self.period();
        keys::plan_key(&self.header.title, start.year(), end.year())
    }

    /// The period the header names, else the 15th plan's (2026–2030).
    fn period(&self) -> (NaiveDate, NaiveDate) {
        let start = self.header.period_start.unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let end = self.header.period_end.unwrap_or_else(|| NaiveDate::from_ymd_opt(2030, 12, 31).unwrap());
        (start, end)
    }
}

impl Proposal {
    /// The proposal as a seed: `plan_key` for the plan, and metric keys made from it,
    /// none of which `taken` says exists already (keys are unique across plans).
    pub fn to_plan_def(&self, plan_key: &str, taken: &dyn Fn(&str) -> bool) -> PlanDef {
        let (start, end) = self.period();
        let mut chapters: Vec<ChapterDef> = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for (i, m) in self.metrics.iter().enumerate() {
            let fallback = format!("{}-{:02}", m.kind.as_str(), i + 1);
            let key = keys::key_for(&m.name, &fallback, plan_key, taken, &used);
            used.push(key.clone());
            // A baseline dated at or after the period's end is no baseline date of this period.
            let baseline_date =
                m.baseline_date.filter(|d| *d < end).unwrap_or_else(|| start.pred_opt().unwrap_or(start));
            let target_date = m.target_date.filter(|d| *d > baseline_date).unwrap_or(end);
            let def = MetricDef {
                key,
                name: m.name.clone(),
                name_en: None,
                unit: m.unit.clone(),
                kind: m.kind,
                direction: m.direction,
                baseline: m.baseline,
                baseline_date,
                target: m.target,
                target_date,
                source: m.source.clone(),
                notes: String::new(),
                min: None,
                max: None,
                continues: None,
                retired: None,
                frequency: Default::default(),
            };
            let title = if m.chapter.trim().is_empty() { "未分章".to_owned() } else { m.chapter.clone() };
            match chapters.iter_mut().find(|c| c.title == title) {
                Some(c) => c.metrics.push(def),
                None => chapters.push(ChapterDef { title, title_en: None, metrics: vec![def] }),
            }
        }
        let h = &self.header;
        let source = [h.document_number.as_str(), h.issuer.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        PlanDef {
            key: plan_key.to_owned(),
            title: if h.title.trim().is_empty() { "未识别标题的规划".to_owned() } else { h.title.clone() },
            issuer: h.issuer.clone(),
            document_number: h.document_number.clone(),
            issued_on: h.issued_on,
            period_start: start,
            period_end: end,
            // Mid-term evaluation (中期评估) in the middle of the period: mid-2028 for 2026–2030.
            midterm_on: NaiveDate::from_ymd_opt(start.year() + (end.year() - start.year()) / 2, 6, 30)
                .filter(|d| *d > start && *d < end),
            source,
            chapters,
        }
    }
}

#[cfg(test)]
mod tests;
