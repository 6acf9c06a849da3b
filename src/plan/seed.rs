//! Seed files: a plan as a human-editable TOML file (see `seeds/` and the README).
//!
//! Parsing is strict and pure: a file with a mistake is refused with a message naming the
//! file, the metric and the field, before anything touches the database.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Direction, Frequency, Kind, Target, fmt_num};

mod write;
pub use write::to_toml;

/// A mistake in a seed file, in the operator's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("种子文件 {file}:{place}字段 {field}:{message}")]
pub struct SeedError {
    pub file: String,
    /// "指标 key 的" or "" for plan-level fields, so the message reads naturally.
    pub place: String,
    pub field: String,
    pub message: String,
}

/// A plan as described by a seed file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDef {
    pub key: String,
    pub title: String,
    pub issuer: String,
    pub document_number: String,
    pub issued_on: Option<NaiveDate>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub midterm_on: Option<NaiveDate>,
    pub source: String,
    pub chapters: Vec<ChapterDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChapterDef {
    pub title: String,
    pub title_en: Option<String>,
    pub metrics: Vec<MetricDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricDef {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub unit: String,
    pub kind: Kind,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub baseline_date: NaiveDate,
    pub target: Option<Target>,
    pub target_date: NaiveDate,
    pub source: String,
    pub notes: String,
    /// The metric's own bounds, over those its unit implies (see `plan::bounds`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The key of an older plan's metric this one carries on; that it exists is checked
    /// when loading (see `store::seed`).
    pub continues: Option<String>,
    /// A retired metric stays retired when its plan is downloaded and loaded again.
    pub retired: Option<super::Retired>,
    /// `frequency = "annual"`: reported once a year, with the fourth quarter.
    pub frequency: Frequency,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    plan: RawPlan,
    #[serde(default)]
    chapters: Vec<RawChapter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    key: String,
    title: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    document_number: String,
    issued_on: Option<toml::Value>,
    period_start: toml::Value,
    period_end: toml::Value,
    midterm_on: Option<toml::Value>,
    baseline_date: Option<toml::Value>,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChapter {
    title: String,
    title_en: Option<String>,
    #[serde(default)]
    metrics: Vec<RawMetric>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    key: String,
    name: String,
    name_en: Option<String>,
    #[serde(default)]
    unit: String,
    kind: String,
    direction: String,
    baseline: Option<toml::Value>,
    baseline_date: Option<toml::Value>,
    target: Option<toml::Value>,
    target_date: Option<toml::Value>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    notes: String,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
    continues: Option<String>,
    retired_on: Option<toml::Value>,
    #[serde(default)]
    retired_reason: String,
    frequency: Option<String>,
}

/// Reads a seed file's text; `file` names it in messages.
pub fn parse(file: &str, text: &str) -> Result<PlanDef, SeedError> {
    let raw: RawSeed = toml::from_str(text).map_err(|e| SeedError {
        file: file.to_owned(),
        place: String::new(),
        field: "(TOML)".into(),
        message: format!("无法解析:{}", e.to_string().trim()),
    })?;
    Checker { file, metric: None }.plan(raw)
}

struct Checker<'a> {
    file: &'a str,
    metric: Option<String>,
}

impl Checker<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> SeedError {
        SeedError {
            file: self.file.to_owned(),
            place: self.metric.as_ref().map(|k| format!("指标 {k} 的")).unwrap_or_default(),
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn date(&self, field: &str, v: &toml::Value) -> Result<NaiveDate, SeedError> {
        let text = match v {
            toml::Value::Datetime(dt) => dt.to_string(),
            toml::Value::String(s) => s.clone(),
            other => return Err(self.err(field, format!("应为日期(如 2025-12-31),收到 {other}"))),
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| self.err(field, format!("日期无效“{text}”,应为 YYYY-MM-DD")))
    }

    fn opt_date(&self, field: &str, v: Option<&toml::Value>) -> Result<Option<NaiveDate>, SeedError> {
        v.map(|v| self.date(field, v)).transpose()
    }

    fn number(&self, field: &str, v: &toml::Value) -> Result<f64, SeedError> {
        let n = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => return Err(self.err(field, format!("应为数字,收到 {other}"))),
        };
        if n.is_finite() { Ok(n) } else { Err(self.err(field, "数字必须是有限值")) }
    }

    fn target(&self, v: &toml::Value) -> Result<Target, SeedError> {
        match v {
            toml::Value::Array(items) => {
                let [low, high] = items.as_slice() else {
                    return Err(self.err("target", "区间目标应写成 [下限, 上限] 两个数"));
                };
                Ok(Target { low: self.number("target", low)?, high: self.number("target", high)? })
            }
            v => self.number("target", v).map(Target::single),
        }
    }

    fn plan(mut self, raw: RawSeed) -> Result<PlanDef, SeedError> {
        let p = raw.plan;
        if !is_slug(&p.key) {
            return Err(self.err("plan.key", format!("“{}”应为小写字母、数字和连字符", p.key)));
        }
        if p.title.trim().is_empty() {
            return Err(self.err("plan.title", "不能为空"));
        }
        let period_start = self.date("plan.period_start", &p.period_start)?;
        let period_end = self.date("plan.period_end", &p.period_end)?;
        if period_end <= period_start {
            return Err(self.err("plan.period_end", "规划期结束日期必须晚于开始日期"));
        }
        let midterm_on = self.opt_date("plan.midterm_on", p.midterm_on.as_ref())?;
        if midterm_on.is_some_and(|m| m < period_start || m > period_end) {
            return Err(self.err("plan.midterm_on", "中期评估日期应在规划期内"));
        }
        let default_baseline = self
            .opt_date("plan.baseline_date", p.baseline_date.as_ref())?
            .unwrap_or(period_start.pred_opt().unwrap_or(period_start));
        if raw.chapters.is_empty() {
            return Err(self.err("chapters", "至少需要一章及其指标"));
        }

        let mut seen = HashSet::new();
        let mut chapters = Vec::new();
        for c in raw.chapters {
            if c.title.trim().is_empty() {
                return Err(self.err("chapters.title", "章节标题不能为空"));
            }
            let mut metrics = Vec::new();
            for m in c.metrics {
                self.metric = Some(m.key.clone());
                if !seen.insert(m.key.clone()) {
                    return Err(self.err("key", "指标代码重复"));
                }
                metrics.push(self.metric_def(m, default_baseline, period_end)?);
            }
            self.metric = None;
            chapters.push(ChapterDef { title: c.title.trim().to_owned(), title_en: c.title_en, metrics });
        }
        Ok(PlanDef {
            key: p.key,
            title: p.title.trim().to_owned(),
            issuer: p.issuer,
            document_number: p.document_number,
            issued_on: self.opt_date("plan.issued_on", p.issued_on.as_ref())?,
            period_start,
            period_end,
            midterm_on,
            source: p.source,
            chapters,
        })
    }

    fn metric_def(
        &self,
        m: RawMetric,
        default_baseline: NaiveDate,
        default_target: NaiveDate,
    ) -> Result<MetricDef, SeedError> {
        if !is_slug(&m.key) {
            return Err(self.err("key", "指标代码应为小写字母、数字和连字符"));
        }
        if m.name.trim().is_empty() {
            return Err(self.err("name", "指标名称不能为空"));
        }
        let kind = Kind::parse(&m.kind)
            .ok_or_else(|| self.err("kind", format!("未知类型“{}”,应为 level、count、milestone 或 context", m.kind)))?;
        let direction = Direction::parse(&m.direction)
            .ok_or_else(|| self.err("direction", format!("未知方向“{}”,应为 higher 或 lower", m.direction)))?;
        let baseline = m.baseline.as_ref().map(|v| self.number("baseline", v)).transpose()?;
        let target = m.target.as_ref().map(|v| self.target(v)).transpose()?;
        if let Err((field, message)) = super::metric::check_target(kind, baseline, target) {
            let message =
                if field == "target" && kind == Kind::Milestone { message + ",请删去该行" } else { message };
            return Err(self.err(field, message));
        }
        if m.unit.trim().is_empty() {
            return Err(self.err("unit", "单位不能为空"));
        }
        if m.source.trim().is_empty() {
            return Err(self.err("source", "缺少规划原文"));
        }
        let min = m.min.as_ref().map(|v| self.number("min", v)).transpose()?;
        let max = m.max.as_ref().map(|v| self.number("max", v)).transpose()?;
        if let (Some(lo), Some(hi)) = (min, max)
            && lo >= hi
        {
            return Err(self.err("max", format!("上限 {} 应大于下限 {}", fmt_num(hi), fmt_num(lo))));
        }
        let outside = |v: f64| min.is_some_and(|lo| v < lo) || max.is_some_and(|hi| v > hi);
        if let Some(b) = baseline.filter(|b| outside(*b)) {
            return Err(self.err("baseline", format!("基期值 {} 超出本指标的 min/max", fmt_num(b))));
        }
        if let Some(t) = target.filter(|t| outside(t.low) || outside(t.high)) {
            return Err(self.err("target", format!("目标值 {t} 超出本指标的 min/max")));
        }
        let frequency = match m.frequency.as_deref() {
            None => Frequency::Quarterly,
            Some(f) => Frequency::parse(f.trim())
                .ok_or_else(|| self.err("frequency", format!("未知填报频率“{f}”,应为 quarterly 或 annual")))?,
        };
        let baseline_date = self.opt_date("baseline_date", m.baseline_date.as_ref())?.unwrap_or(default_baseline);
        let target_date = self.opt_date("target_date", m.target_date.as_ref())?.unwrap_or(default_target);
        if target_date <= baseline_date {
            return Err(self.err("target_date", "目标日期必须晚于基期日期"));
        }
        let continues = m.continues.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
        if let Some(k) = continues.as_deref() {
            if !is_slug(k) {
                return Err(self.err("continues", format!("“{k}”应为另一规划的指标代码")));
            }
            if k == m.key {
                return Err(self.err("continues", "指标不能接续它自己"));
            }
        }
        let retired = match self.opt_date("retired_on", m.retired_on.as_ref())? {
            Some(on) => Some(super::Retired { on, reason: m.retired_reason.trim().to_owned() }),
            None if !m.retired_reason.trim().is_empty() => {
                return Err(self.err("retired_reason", "写了停用原因却没有停用日期 retired_on"));
            }
            None => None,
        };
        Ok(MetricDef {
            continues,
            retired,
            key: m.key,
            name: m.name.trim().to_owned(),
            name_en: m.name_en.filter(|s| !s.trim().is_empty()),
            unit: m.unit.trim().to_owned(),
            kind,
            direction,
            baseline,
            baseline_date,
            target: if kind == Kind::Milestone { Some(Target::single(100.0)) } else { target },
            target_date,
            source: m.source.trim().to_owned(),
            notes: m.notes.trim().to_owned(),
            min,
            max,
            frequency,
        })
    }
}

impl MetricDef {
    /// A stored metric of `plan` as its seed file would describe it: dates left unsaid
    /// written out as the plan's defaults.
    pub fn of_stored(m: &super::Metric, plan: &super::Plan) -> Self {
        Self {
            key: m.key.clone(),
            name: m.name.clone(),
            name_en: m.name_en.clone(),
            unit: m.unit.clone(),
            kind: m.kind,
            direction: m.direction,
            baseline: m.baseline,
            baseline_date: m.baseline_date.unwrap_or_else(|| plan.default_baseline_date()),
            target: m.target,
            target_date: plan.target_date_of(m),
            source: m.source.clone(),
            notes: m.notes.clone(),
            min: m.min,
            max: m.max,
            continues: m.continues.clone(),
            retired: m.retired.clone(),
            frequency: m.frequency,
        }
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

#[cfg(test)]
mod tests;
