//! A plan's metrics: what is measured, from where, to where, and which way is better.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

/// What sort of figure a metric reports; each kind has its own status rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A measured value at a time: a rate, a lead time, a resolution.
    Level,
    /// A cumulative total since the period start (the figure at a quarter's end).
    Count,
    /// Done or not done, with a percent complete.
    Milestone,
    /// Tracked for reference: a baseline and no target.
    Context,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Level, Kind::Count, Kind::Milestone, Kind::Context];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Level => "level",
            Kind::Count => "count",
            Kind::Milestone => "milestone",
            Kind::Context => "context",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Level => "水平值",
            Kind::Count => "累计数",
            Kind::Milestone => "里程碑",
            Kind::Context => "参考指标",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often a metric is reported. A figure the bureau only knows once a year (engineers
/// trained, stations built) is entered with the fourth quarter and never missing before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    #[default]
    Quarterly,
    Annual,
}

impl Frequency {
    pub const ALL: [Frequency; 2] = [Frequency::Quarterly, Frequency::Annual];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Quarterly => "quarterly",
            Frequency::Annual => "annual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Frequency::Quarterly => "按季度",
            Frequency::Annual => "按年度",
        }
    }

    /// Whether a figure is reported for quarter `q`: an annual one only in the fourth.
    pub fn reports_in(self, q: super::Quarter) -> bool {
        self == Frequency::Quarterly || q.number() == 4
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "higher" => Some(Direction::Higher),
            "lower" => Some(Direction::Lower),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Direction::Higher => "越高越好",
            Direction::Lower => "越低越好",
        }
    }

    /// +1 when higher is better, −1 when lower is, so that `sign * (a − b) > 0` means a is better.
    pub fn sign(self) -> f64 {
        match self {
            Direction::Higher => 1.0,
            Direction::Lower => -1.0,
        }
    }
}

/// A target: one value, or a range such as 2–3 engineers (`low <= high`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    pub low: f64,
    pub high: f64,
}

impl Target {
    pub fn single(v: f64) -> Self {
        Self { low: v, high: v }
    }

    pub fn is_range(&self) -> bool {
        self.low != self.high
    }

    /// The end whose reaching counts as met (达标): the less ambitious one.
    pub fn met_at(&self, dir: Direction) -> f64 {
        match dir {
            Direction::Higher => self.low,
            Direction::Lower => self.high,
        }
    }

    /// The end whose reaching counts as exceeded (超额): the more ambitious one.
    pub fn exceeded_at(&self, dir: Direction) -> f64 {
        match dir {
            Direction::Higher => self.high,
            Direction::Lower => self.low,
        }
    }
}

/// As the plan writes it: `48`, or a range with an en dash, `2–3`.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_range() {
            write!(f, "{}–{}", fmt_num(self.low), fmt_num(self.high))
        } else {
            f.write_str(&fmt_num(self.low))
        }
    }
}

/// One target of a plan, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    pub id: i64,
    pub plan_id: i64,
    pub chapter_id: i64,
    /// Stable ASCII slug, unique across all plans: used in URLs and imports.
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub unit: String,
    pub kind: Kind,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub baseline_date: Option<NaiveDate>,
    /// `None` for context metrics; milestones carry 100 (percent complete).
    pub target: Option<Target>,
    pub target_date: Option<NaiveDate>,
    /// The plan's own sentence (原文) that sets this target.
    pub source: String,
    pub notes: String,
    /// Bounds of the metric's own (seed `min`/`max`), over those its unit implies.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The key of the older plan's metric this one carries on (`continues` in a seed).
    pub continues: Option<String>,
    /// Set once the metric stops being tracked; its figures stay.
    pub retired: Option<Retired>,
    /// Quarterly, or annual: entered with the fourth quarter only.
    pub frequency: Frequency,
}

/// When and why a metric stopped being tracked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retired {
    pub on: NaiveDate,
    pub reason: String,
}

impl Metric {
    /// Whether the metric is still tracked at `date`: a retired one shows only in what
    /// looks at a date before its retirement (an old report), never in what is current.
    pub fn tracked_on(&self, date: NaiveDate) -> bool {
        self.retired.as_ref().is_none_or(|r| date < r.on)
    }
}

/// A figure reported for one metric and quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reported {
    pub quarter: super::Quarter,
    /// The value; for a milestone, the percent complete (0–100).
    pub value: f64,
    /// Milestones only: whether it is done.
    pub done: Option<bool>,
    pub note: String,
    /// Entered but not yet approved: shown only when pending figures are asked for.
    pub pending: bool,
}

/// Whether `kind` may have this baseline and target; `Err((field, message))` says which
/// field is wrong and why. Shared by seed files and the definition editor.
pub fn check_target(kind: Kind, baseline: Option<f64>, target: Option<Target>) -> Result<(), (&'static str, String)> {
    if let Some(t) = target
        && t.low > t.high
    {
        return Err(("target", format!("区间下限 {} 大于上限 {}", fmt_num(t.low), fmt_num(t.high))));
    }
    match (kind, target) {
        (Kind::Level | Kind::Count, None) => Err(("target", "缺少目标值".into())),
        (Kind::Context, Some(_)) => Err(("target", "参考指标(context)不设目标值".into())),
        (Kind::Context, None) if baseline.is_none() => Err(("baseline", "参考指标必须有基期值".into())),
        (Kind::Milestone, Some(t)) if t != Target::single(100.0) => {
            Err(("target", "里程碑的目标固定为 100(%完成)".into()))
        }
        (Kind::Count, _) if baseline.is_some_and(|b| b < 0.0) => Err(("baseline", "累计数不能为负".into())),
        _ => Ok(()),
    }
}

impl Metric {
    /// A bare metric for unit tests: key `m`, unit 个, default dates.
    #[cfg(test)]
    pub fn sample(kind: Kind, direction: Direction, baseline: Option<f64>, target: Option<Target>) -> Self {
        Metric {
            id: 1,
            plan_id: 1,
            chapter_id: 1,
            key: "m".into(),
            name: "指标".into(),
            name_en: None,
            unit: "个".into(),
            kind,
            direction,
            baseline,
            baseline_date: None,
            target,
            target_date: None,
            source: String::new(),
            notes: String::new(),
            min: None,
            max: None,
            continues: None,
            retired: None,
            frequency: Frequency::Quarterly,
        }
    }
}

/// Formats a figure without trailing zeros: `48`, `81.2`, `0.35`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_retired_metric_is_tracked_only_before_its_date() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let mut m = Metric::sample(Kind::Level, Direction::Higher, Some(1.0), Some(Target::single(2.0)));
        assert!(m.tracked_on(d(2030, 1, 1)));
        m.retired = Some(Retired { on: d(2024, 1, 1), reason: "r".into() });
        assert!(m.tracked_on(d(2023, 12, 31)));
        assert!(!m.tracked_on(d(2024, 1, 1)) && !m.tracked_on(d(2025, 1, 1)));
    }

    use super::*;

    #[test]
    fn range_target_is_met_at_the_less_ambitious_end() {
        let t = Target { low: 2.0, high: 3.0 };
        assert_eq!(t.met_at(Direction::Higher), 2.0);
        assert_eq!(t.exceeded_at(Direction::Higher), 3.0);
        assert_eq!(t.met_at(Direction::Lower), 3.0);
        assert_eq!(t.exceeded_at(Direction::Lower), 2.0);
    }

    #[test]
    fn targets_print_as_one_number_or_an_en_dash_range() {
        assert_eq!(Target::single(48.0).to_string(), "48");
        assert_eq!(Target::single(0.35).to_string(), "0.35");
        assert_eq!(Target { low: 2.0, high: 3.0 }.to_string(), "2–3");
        assert_eq!(Target { low: 0.8, high: 1.0 }.to_string(), "0.8–1");
        assert_eq!(format!("达到{}个", Target { low: 3.0, high: 5.0 }), "达到3–5个");
    }

    #[test]
    fn numbers_print_like_the_plan_prints_them() {
        assert_eq!(fmt_num(48.0), "48");
        assert_eq!(fmt_num(81.2), "81.2");
        assert_eq!(fmt_num(0.346), "0.35");
        assert_eq!(fmt_num(-2.5), "-2.5");
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("rate"), None);
    }
}
