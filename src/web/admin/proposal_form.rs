//! The proposal page's form: a proposed plan as the fields an administrator edits, read back
//! from the posted fields, and checked into a [`PlanDef`] by the seed file's own rules.
//!
//! The whole proposal travels in the form (no state on the server between requests): the
//! header fields, the list of the proposal's chapters (`chapter`, repeated) and one group
//! of `m{i}.{field}` per row. Whatever the browser sends is checked again on saving.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use chrono::NaiveDate;

use crate::plan::bounds::bounds_for;
use crate::plan::propose::Proposal;
use crate::plan::seed::{self, ChapterDef, MetricDef, PlanDef};
use crate::plan::{Direction, Frequency, Kind, Target, fmt_num, number};

/// More rows than any plan has: a bound on what one request makes the server check.
pub const MAX_ROWS: usize = 300;

/// The chapter offered when the proposal has none.
pub const DEFAULT_CHAPTER: &str = "主要指标";

/// The proposal as the form holds it: every field as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProposalForm {
    pub plan_key: String,
    pub title: String,
    pub document_number: String,
    pub issuer: String,
    pub issued_on: String,
    pub period_start: String,
    pub period_end: String,
    pub midterm_on: String,
    /// The chapters a row may be put in: the proposal's, then any a row named anew.
    pub chapters: Vec<String>,
    pub rows: Vec<RowForm>,
    /// Problems of the plan as a whole, shown above the rows.
    pub errors: Vec<String>,
}

/// One metric's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowForm {
    /// Kept when saving (the checkbox, on by default).
    pub accept: bool,
    /// Added by hand: its 原文 is typed, not read from the text.
    pub manual: bool,
    pub key: String,
    pub name: String,
    pub unit: String,
    pub kind: String,
    pub direction: String,
    /// `quarterly` or `annual`: an annual metric is entered with the fourth quarter.
    pub frequency: String,
    pub baseline: String,
    pub baseline_date: String,
    /// The target, or a range's lower end when `target_high` is filled.
    pub target: String,
    pub target_high: String,
    pub target_date: String,
    /// One of the chapters…
    pub chapter: String,
    /// …or a new one, which wins when filled: how a metric moves to another chapter.
    pub new_chapter: String,
    pub source: String,
    /// The key of an older plan's metric this one carries on (empty: none).
    pub continues: String,
    /// Older plans' metrics it may continue, `(key, label)`: found by name for each render.
    pub candidates: Vec<(String, String)>,
    /// Byte ranges of `source` holding the figures read, as the proposal found them.
    pub figures: Vec<Range<usize>>,
    /// (field, message) for each problem of the row.
    pub errors: Vec<(String, String)>,
}

/// A run of a 原文 sentence: plain text, or a figure to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub mark: bool,
}

/// `source` cut into text and highlighted figures. Ranges that are out of bounds, not on
/// character boundaries or overlapping an earlier one are ignored: the form carries them
/// back from the browser, so they are not trusted.
pub fn segments(source: &str, figures: &[Range<usize>]) -> Vec<Segment> {
    let mut ranges: Vec<&Range<usize>> = figures.iter().collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out = Vec::new();
    let mut at = 0;
    for r in ranges {
        let usable = r.start >= at
            && r.start < r.end
            && r.end <= source.len()
            && source.is_char_boundary(r.start)
            && source.is_char_boundary(r.end);
        if !usable {
            continue;
        }
        if r.start > at {
            out.push(Segment { text: source[at..r.start].to_owned(), mark: false });
        }
        out.push(Segment { text: source[r.clone()].to_owned(), mark: true });
        at = r.end;
    }
    if at < source.len() {
        out.push(Segment { text: source[at..].to_owned(), mark: false });
    }
    out
}

/// `3-5,10-12`: the ranges as a hidden field carries them.
fn figures_field(figures: &[Range<usize>]) -> String {
    figures.iter().map(|r| format!("{}-{}", r.start, r.end)).collect::<Vec<_>>().join(",")
}

fn parse_figures(s: &str) -> Vec<Range<usize>> {
    s.split(',')
        .filter_map(|part| {
            let (a, b) = part.trim().split_once('-')?;
            Some(a.parse().ok()?..b.parse().ok()?)
        })
        .take(64)
        .collect()
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A readable plan key no plan has: `plan-2026-2030`, else `plan-2026-2030-2`, ….
pub fn plan_key_for(p: &Proposal, taken: &HashSet<String>) -> String {
    let year = |d: Option<NaiveDate>, default: i32| d.map_or(default, |d| chrono::Datelike::year(&d));
    let base = format!("plan-{}-{}", year(p.header.period_start, 2026), year(p.header.period_end, 2030));
    let mut key = base.clone();
    let mut n = 2;
    while taken.contains(&key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

impl ProposalForm {
    /// The form for `proposal`, with keys none of `taken` has.
    pub fn of(proposal: &Proposal, taken: &HashSet<String>) -> Self {
        let plan_key = plan_key_for(proposal, taken);
        let def = proposal.to_plan_def(&plan_key, &|k| taken.contains(k));
        // `to_plan_def` groups metrics by chapter in the text's order: take each chapter's
        // next one to pair a proposed metric with its key and dates.
        let mut next = vec![0usize; def.chapters.len()];
        let mut rows = Vec::new();
        for m in &proposal.metrics {
            let Some(c) = def.chapters.iter().position(|c| c.title == m.chapter) else { continue };
            let Some(d) = def.chapters[c].metrics.get(next[c]) else { continue };
            next[c] += 1;
            let (target, target_high) = match d.target {
                Some(t) if t.is_range() => (fmt_num(t.low), fmt_num(t.high)),
                Some(t) => (fmt_num(t.low), String::new()),
                None => (String::new(), String::new()),
            };
            rows.push(RowForm {
                accept: true,
                manual: false,
                key: d.key.clone(),
                name: d.name.clone(),
                unit: d.unit.clone(),
                kind: d.kind.as_str().to_owned(),
                direction: d.direction.as_str().to_owned(),
                frequency: d.frequency.as_str().to_owned(),
                baseline: d.baseline.map(fmt_num).unwrap_or_default(),
                baseline_date: d.baseline_date.to_string(),
                target,
                target_high,
                target_date: d.target_date.to_string(),
                chapter: m.chapter.clone(),
                new_chapter: String::new(),
                source: m.source.clone(),
                continues: String::new(),
                candidates: Vec::new(),
                figures: m.figures.clone(),
                errors: Vec::new(),
            });
        }
        ProposalForm {
            title: def.title.clone(),
            document_number: def.document_number.clone(),
            issuer: def.issuer.clone(),
            issued_on: date_text(def.issued_on),
            period_start: def.period_start.to_string(),
            period_end: def.period_end.to_string(),
            midterm_on: String::new(),
            chapters: def.chapters.iter().map(|c| c.title.clone()).collect(),
            rows,
            errors: Vec::new(),
            plan_key,
        }
    }

    /// The form from posted fields (in the order sent).
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = ProposalForm::default();
        let mut rows: BTreeMap<usize, RowForm> = BTreeMap::new();
        for (name, value) in fields {
            if let Some((index, field)) = name.strip_prefix('m').and_then(|n| n.split_once('.')) {
                let Ok(i) = index.parse::<usize>() else { continue };
                if rows.len() >= MAX_ROWS && !rows.contains_key(&i) {
                    continue;
                }
                let row = rows.entry(i).or_default();
                let v = value.clone();
                match field {
                    "accept" => row.accept = true,
                    "manual" => row.manual = true,
                    "key" => row.key = v.trim().to_owned(),
                    "name" => row.name = v,
                    "unit" => row.unit = v,
                    "kind" => row.kind = v,
                    "direction" => row.direction = v,
                    "frequency" => row.frequency = v,
                    "baseline" => row.baseline = v,
                    "baseline_date" => row.baseline_date = v,
                    "target" => row.target = v,
                    "target_high" => row.target_high = v,
                    "target_date" => row.target_date = v,
                    "chapter" => row.chapter = v,
                    "new_chapter" => row.new_chapter = v,
                    "source" => row.source = v,
                    "continues" => row.continues = v.trim().to_owned(),
                    "figures" => row.figures = parse_figures(&v),
                    _ => {}
                }
                continue;
            }
            let v = value.clone();
            match name.as_str() {
                "plan_key" => form.plan_key = v.trim().to_owned(),
                "title" => form.title = v,
                "document_number" => form.document_number = v,
                "issuer" => form.issuer = v,
                "issued_on" => form.issued_on = v,
                "period_start" => form.period_start = v,
                "period_end" => form.period_end = v,
                "midterm_on" => form.midterm_on = v,
                "chapter" if !v.trim().is_empty() && !form.chapters.contains(&v) => form.chapters.push(v),
                _ => {}
            }
        }
        form.rows = rows.into_values().collect();
        form.add_new_chapters();
        form
    }

    /// Chapters a row named anew join the list, so the next render offers them.
    fn add_new_chapters(&mut self) {
        for r in &self.rows {
            let c = r.new_chapter.trim();
            if !c.is_empty() && !self.chapters.iter().any(|x| x == c) {
                self.chapters.push(c.to_owned());
            }
        }
    }

    /// One more empty row, to fill in by hand, with a key no plan or row has.
    pub fn add_row(&mut self, taken: &HashSet<String>) {
        if self.chapters.is_empty() {
            // A text the rules found nothing in still needs a chapter to put a row in.
            self.chapters.push(DEFAULT_CHAPTER.to_owned());
        }
        let used: HashSet<&str> = self.rows.iter().map(|r| r.key.as_str()).collect();
        let prefix = if self.plan_key.is_empty() { "metric" } else { self.plan_key.as_str() };
        let mut n = self.rows.len() + 1;
        let key = loop {
            let k = format!("{prefix}-m{n:02}");
            if !taken.contains(&k) && !used.contains(k.as_str()) {
                break k;
            }
            n += 1;
        };
        // The same dates a proposed row gets when its text says none.
        let day = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        let baseline_date = day(&self.period_start).and_then(|d| d.pred_opt());
        self.rows.push(RowForm {
            accept: true,
            manual: true,
            key,
            baseline_date: date_text(baseline_date),
            target_date: date_text(day(&self.period_end)),
            kind: Kind::Level.as_str().to_owned(),
            direction: Direction::Higher.as_str().to_owned(),
            frequency: Frequency::Quarterly.as_str().to_owned(),
            chapter: self.chapters.first().cloned().unwrap_or_default(),
            ..RowForm::default()
        });
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.rows.iter().any(|r| !r.errors.is_empty())
    }

    /// The plan of the accepted rows, checked by the seed file's rules, the bounds figures
    /// must keep and the keys `taken` in the database; else the form with every problem
    /// put beside its field.
    pub fn check(&mut self, taken: &HashSet<String>) -> Option<PlanDef> {
        self.errors.clear();
        for r in &mut self.rows {
            r.errors.clear();
        }
        let def = self.build()?;
        let def = match seed::parse("新建规划", &seed::to_toml(&def)) {
            Ok(def) => def,
            Err(e) => {
                let key = e.place.strip_prefix("指标 ").and_then(|p| p.strip_suffix(" 的"));
                match key.and_then(|k| self.rows.iter_mut().find(|r| r.accept && r.key == k)) {
                    Some(row) => row.errors.push((e.field.clone(), e.message.clone())),
                    None => self.errors.push(format!("{}:{}", field_label(&e.field), e.message)),
                }
                return None;
            }
        };
        if taken.contains(&def.key) {
            self.errors.push(format!("规划代码 {} 已被使用,请换一个", def.key));
        }
        for m in def.chapters.iter().flat_map(|c| &c.metrics) {
            let Some(row) = self.rows.iter_mut().find(|r| r.accept && r.key == m.key) else { continue };
            if taken.contains(&m.key) {
                row.errors.push(("key".into(), format!("指标代码 {} 已被使用,请换一个", m.key)));
            }
            let b = bounds_for(&m.unit, m.kind, m.min, m.max);
            if let Some(why) = m.baseline.and_then(|v| b.refusal(v)) {
                row.errors.push(("baseline".into(), why));
            }
            if let Some(why) = m.target.and_then(|t| b.refusal(t.low).or_else(|| b.refusal(t.high))) {
                row.errors.push(("target".into(), why));
            }
        }
        if self.has_errors() { None } else { Some(def) }
    }

    /// The accepted rows as a plan, with the typed numbers and dates read; `None` (and
    /// messages) when one cannot be read.
    fn build(&mut self) -> Option<PlanDef> {
        let header_date = |field: &str, v: &str, errors: &mut Vec<String>| -> Option<NaiveDate> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
            if d.is_none() {
                errors.push(format!("{}:日期“{v}”无效,应为 YYYY-MM-DD", field_label(field)));
            }
            d
        };
        let mut errors = Vec::new();
        let issued_on = header_date("plan.issued_on", &self.issued_on, &mut errors);
        let period_start = header_date("plan.period_start", &self.period_start, &mut errors);
        let period_end = header_date("plan.period_end", &self.period_end, &mut errors);
        let midterm_on = header_date("plan.midterm_on", &self.midterm_on, &mut errors);
        if self.period_start.trim().is_empty() || self.period_end.trim().is_empty() {
            errors.push("请填写规划期的开始和结束日期".into());
        }
        if !self.rows.iter().any(|r| r.accept) {
            errors.push("没有保留任何指标:请至少保留或手工添加一项".into());
        }
        let mut chapters: Vec<ChapterDef> = Vec::new();
        for row in self.rows.iter_mut().filter(|r| r.accept) {
            let Some(m) = row.read(period_start, period_end) else { continue };
            let title = row.chapter_title().to_owned();
            match chapters.iter_mut().find(|c| c.title == title) {
                Some(c) => c.metrics.push(m),
                None => chapters.push(ChapterDef { title, title_en: None, metrics: vec![m] }),
            }
        }
        self.errors = errors;
        if self.has_errors() {
            return None;
        }
        // Chapters in the order the form lists them, new ones after.
        chapters.sort_by_key(|c| self.chapters.iter().position(|t| *t == c.title).unwrap_or(usize::MAX));
        Some(PlanDef {
            key: self.plan_key.trim().to_owned(),
            title: self.title.trim().to_owned(),
            issuer: self.issuer.trim().to_owned(),
            document_number: self.document_number.trim().to_owned(),
            issued_on,
            period_start: period_start?,
            period_end: period_end?,
            midterm_on,
            source: String::new(),
            chapters,
        })
    }
}

impl RowForm {
    /// The chapter the row goes in.
    pub fn chapter_title(&self) -> &str {
        let new = self.new_chapter.trim();
        if new.is_empty() { self.chapter.trim() } else { new }
    }

    /// The message of `field`, or "".
    pub fn error(&self, field: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == field).map_or("", |(_, m)| m.as_str())
    }

    pub fn segments(&self) -> Vec<Segment> {
        segments(&self.source, &self.figures)
    }

    pub fn figures_field(&self) -> String {
        figures_field(&self.figures)
    }

    /// The row as a metric, the period's ends standing in for dates left empty; `None`
    /// after noting each field that cannot be read.
    fn read(&mut self, period_start: Option<NaiveDate>, period_end: Option<NaiveDate>) -> Option<MetricDef> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut num = |field: &str, v: &str| -> Option<f64> {
            if v.trim().is_empty() {
                return None;
            }
            number::parse(v).map_err(|e| errors.push((field.into(), e))).ok()
        };
        let baseline = num("baseline", &self.baseline);
        let low = num("target", &self.target);
        let high = num("target_high", &self.target_high);
        let target = match (low, high) {
            (Some(l), Some(h)) => Some(Target { low: l, high: h }),
            (Some(v), None) | (None, Some(v)) => Some(Target::single(v)),
            (None, None) => None,
        };
        let mut date = |field: &str, v: &str, default: Option<NaiveDate>| -> Option<NaiveDate> {
            let v = v.trim();
            if v.is_empty() {
                return default;
            }
            let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
            if d.is_none() {
                errors.push((field.into(), format!("日期“{v}”无效,应为 YYYY-MM-DD")));
            }
            d
        };
        let baseline_date = date("baseline_date", &self.baseline_date, period_start.and_then(|d| d.pred_opt()));
        let target_date = date("target_date", &self.target_date, period_end);
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errors.push(("kind".into(), "请选择指标类型".into()));
        }
        let direction = Direction::parse(&self.direction);
        if direction.is_none() {
            errors.push(("direction".into(), "请选择方向".into()));
        }
        // A form from before the select was there sends none: quarterly, as the seed's default.
        let frequency = match self.frequency.trim() {
            "" => Some(Frequency::Quarterly),
            f => Frequency::parse(f),
        };
        if frequency.is_none() {
            errors.push(("frequency".into(), "请选择填报频率(季度或年度)".into()));
        }
        if self.chapter_title().is_empty() {
            errors.push(("chapter".into(), "请选择章节或填写新章节".into()));
        }
        self.errors = errors;
        if !self.errors.is_empty() {
            return None;
        }
        Some(MetricDef {
            key: self.key.trim().to_owned(),
            name: self.name.trim().to_owned(),
            name_en: None,
            unit: self.unit.trim().to_owned(),
            kind: kind?,
            direction: direction?,
            baseline,
            // Without the period there is no default: the header's message says so.
            baseline_date: baseline_date.unwrap_or(NaiveDate::MIN),
            target,
            target_date: target_date.unwrap_or(NaiveDate::MAX),
            source: self.source.trim().to_owned(),
            notes: String::new(),
            min: None,
            max: None,
            continues: Some(self.continues.trim().to_owned()).filter(|k| !k.is_empty()),
            retired: None,
            frequency: frequency?,
        })
    }
}

/// The page's name for a seed field.
pub fn field_label(field: &str) -> &str {
    match field {
        "plan.key" => "规划代码",
        "plan.title" => "规划名称",
        "plan.issued_on" => "印发日期",
        "plan.period_start" => "规划期开始",
        "plan.period_end" => "规划期结束",
        "plan.midterm_on" => "中期评估日期",
        "chapters" | "chapters.title" => "章节",
        "key" => "代码",
        "name" => "名称",
        "unit" => "单位",
        "kind" => "类型",
        "direction" => "方向",
        "frequency" => "填报频率",
        "baseline" => "基期值",
        "baseline_date" => "基期日期",
        "target" => "目标值",
        "target_high" => "目标上限",
        "target_date" => "目标日期",
        "chapter" => "章节",
        "source" => "原文",
        other => other,
    }
}

#[cfg(test)]
#[path = "proposal_form_tests.rs"]
mod tests;
