//! Proposing a plan's metrics from its published text: pure rules, no network, no model.
//!
//! INTERFACE FIXED FOR THE SESSION (issue 11): the web pages and the CLI build on these
//! types. Fields may be added; none renamed or removed. `propose` and `decode_text` are
//! filled in by the text rules' work.

use chrono::NaiveDate;
use serde::Serialize;

use super::seed::{ChapterDef, MetricDef, PlanDef};
use super::{Direction, Kind, Target};

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
pub fn propose(text: &str) -> Proposal {
    let _ = text;
    Proposal { header: Header::default(), metrics: Vec::new() }
}

/// The text of an uploaded plan: `.txt` in UTF-8 or GBK, or `.docx`; a message in Chinese
/// when it is neither.
pub fn decode_text(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    let _ = file_name;
    String::from_utf8(bytes.to_vec()).map_err(|_| "文件不是 UTF-8 文本".to_owned())
}

impl Proposal {
    /// The proposal as a seed: `plan_key` for the plan, and metric keys made from it,
    /// none of which `taken` says exists already (keys are unique across plans).
    pub fn to_plan_def(&self, plan_key: &str, taken: &dyn Fn(&str) -> bool) -> PlanDef {
        let start = self.header.period_start.unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let end = self.header.period_end.unwrap_or_else(|| NaiveDate::from_ymd_opt(2030, 12, 31).unwrap());
        let mut chapters: Vec<ChapterDef> = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for (i, m) in self.metrics.iter().enumerate() {
            let mut key = format!("{plan_key}-m{:02}", i + 1);
            let mut n = 2;
            while taken(&key) || used.contains(&key) {
                key = format!("{plan_key}-m{:02}-{n}", i + 1);
                n += 1;
            }
            used.push(key.clone());
            let def = MetricDef {
                key,
                name: m.name.clone(),
                name_en: None,
                unit: m.unit.clone(),
                kind: m.kind,
                direction: m.direction,
                baseline: m.baseline,
                baseline_date: m.baseline_date.unwrap_or_else(|| start.pred_opt().unwrap_or(start)),
                target: m.target,
                target_date: m.target_date.unwrap_or(end),
                source: m.source.clone(),
                notes: String::new(),
                min: None,
                max: None,
                frequency: Default::default(),
            };
            match chapters.iter_mut().find(|c| c.title == m.chapter) {
                Some(c) => c.metrics.push(def),
                None => chapters.push(ChapterDef { title: m.chapter.clone(), title_en: None, metrics: vec![def] }),
            }
        }
        PlanDef {
            key: plan_key.to_owned(),
            title: self.header.title.clone(),
            issuer: self.header.issuer.clone(),
            document_number: self.header.document_number.clone(),
            issued_on: self.header.issued_on,
            period_start: start,
            period_end: end,
            midterm_on: None,
            source: String::new(),
            chapters,
        }
    }
}
