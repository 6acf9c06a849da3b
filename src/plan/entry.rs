//! Checking a typed figure before it is stored: the rules that keep wrong figures out,
//! each refusal with a reason in Chinese.

use chrono::NaiveDate;

use super::{Kind, Metric, Quarter, bounds, fmt_num, number};

/// A figure as typed into a form cell, an API body or a sheet row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub value: String,
    /// Milestones: the 已完成 box.
    pub done: bool,
    pub note: String,
}

/// A figure that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub value: f64,
    pub done: Option<bool>,
    pub note: String,
}

/// Why a figure was refused: which field, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { field, message: message.into() }
}

/// What saving did to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Changed,
    Unchanged,
    Deleted,
}

impl Outcome {
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Created => "新增",
            Outcome::Changed => "修改",
            Outcome::Unchanged => "不变",
            Outcome::Deleted => "删除",
        }
    }
}

/// Why one item was not saved.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Problem {
    Invalid(Refusal),
    /// Someone else saved this figure since the user loaded it.
    Conflict {
        current: String,
        by: String,
        yours: String,
    },
    Locked,
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::Invalid(r) => r.message.clone(),
            Problem::Conflict { current, by, yours } => {
                format!("此数值已被 {by} 改为 {current}(您填写的是 {yours}),请核对后重新保存")
            }
            Problem::Locked => "该季度已锁定,需审核人解锁后才能修改".into(),
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            Problem::Invalid(r) => r.field,
            _ => "value",
        }
    }
}

/// A refused item: its position in the batch and the problem.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemError {
    pub index: usize,
    pub problem: Problem,
}

/// Longest note kept.
pub const NOTE_MAX_CHARS: usize = 500;

/// Whether figures may be reported for `q` of a plan running `period`, on `today`.
pub fn check_quarter(q: Quarter, period: (NaiveDate, NaiveDate), today: NaiveDate) -> Result<(), Refusal> {
    if q.end() < period.0 || q.start() > period.1 {
        return Err(refuse("quarter", format!("{} 不在规划期({} 至 {})内", q.label_zh(), period.0, period.1)));
    }
    if q.start() > today {
        return Err(refuse("quarter", format!("{} 尚未开始,不能填报", q.label_zh())));
    }
    Ok(())
}

/// What was reported for a metric before the quarter being entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Earlier {
    /// The highest figure entered for an earlier quarter, approved or not: a cumulative
    /// count below it needs a note saying why.
    pub max: Option<(Quarter, f64)>,
    /// Approved figures of earlier quarters: what a new figure is compared with.
    pub approved: Vec<(Quarter, f64)>,
}

/// Checks `input` for metric `m` in quarter `q`: refused outside the metric's bounds,
/// and refused without a note when it is surprising (see [`bounds::flags`]).
pub fn check(m: &Metric, q: Quarter, input: &Input, earlier: &Earlier) -> Result<Accepted, Refusal> {
    if !m.frequency.reports_in(q) {
        return Err(refuse(
            "quarter",
            format!("“{}”按年度填报,年度数值记在第四季度({}年第四季度),{}不填报", m.name, q.year(), q.label_zh()),
        ));
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(refuse("note", format!("备注不能超过 {NOTE_MAX_CHARS} 个字")));
    }
    let limits = bounds::bounds(m);
    if m.kind == Kind::Milestone {
        let percent = if input.value.trim().is_empty() && input.done {
            100.0
        } else {
            number::parse(&input.value).map_err(|e| refuse("value", e))?
        };
        if let Some(why) = limits.refusal(percent) {
            return Err(refuse("value", why));
        }
        if input.done && percent < 100.0 {
            return Err(refuse("value", "已完成的里程碑,完成百分比应为 100"));
        }
        return Ok(Accepted { value: percent, done: Some(input.done || percent >= 100.0), note });
    }
    let value = number::parse(&input.value).map_err(|e| refuse("value", e))?;
    if let Some(why) = limits.refusal(value) {
        return Err(refuse("value", why));
    }
    if m.kind == Kind::Count
        && let Some((before_q, before)) = earlier.max
        && value < before
        && note.is_empty()
    {
        return Err(refuse(
            "value",
            format!(
                "累计数 {} 低于 {} 的 {},如属更正请在备注中说明原因",
                fmt_num(value),
                before_q.label_zh(),
                fmt_num(before)
            ),
        ));
    }
    let flags = bounds::flags(m, &earlier.approved, q, value);
    if !flags.is_empty() && note.is_empty() {
        let why: Vec<&str> = flags.iter().map(|f| f.message.as_str()).collect();
        return Err(refuse("note", format!("{}。如数值无误,请在备注中说明原因后保存", why.join(";"))));
    }
    Ok(Accepted { value, done: None, note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Direction, Target};

    fn input(v: &str) -> Input {
        Input { value: v.into(), ..Input::default() }
    }

    fn metric(kind: Kind, unit: &str) -> Metric {
        Metric { unit: unit.into(), ..Metric::sample(kind, Direction::Higher, Some(0.0), Some(Target::single(10.0))) }
    }

    fn chk(m: &Metric, i: &Input) -> Result<Accepted, Refusal> {
        check(m, "2022Q3".parse().unwrap(), i, &Earlier::default())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepts_every_typed_format() {
        let m = Metric { target: Some(Target::single(2000.0)), ..metric(Kind::Level, "Mbps") };
        for s in ["92", "92.5", "92%", "９２", "1,000", " 92 "] {
            assert!(chk(&m, &input(s)).is_ok(), "{s}");
        }
    }

    #[test]
    fn an_annual_metric_takes_a_figure_in_the_fourth_quarter_only() {
        let m = Metric { frequency: crate::plan::Frequency::Annual, ..metric(Kind::Count, "名") };
        for q in ["2022Q1", "2022Q2", "2022Q3"] {
            let r = check(&m, q.parse().unwrap(), &input("3"), &Earlier::default()).unwrap_err();
            assert_eq!(r.field, "quarter");
            assert!(r.message.contains("按年度填报") && r.message.contains("2022年第四季度"), "{}", r.message);
        }
        assert!(check(&m, "2022Q4".parse().unwrap(), &input("3"), &Earlier::default()).is_ok());
    }

    #[test]
    fn refuses_text_nan_and_infinities() {
        let m = metric(Kind::Level, "分钟");
        for s in ["abc", "NaN", "inf", "-inf", ""] {
            assert_eq!(chk(&m, &input(s)).unwrap_err().field, "value", "{s}");
        }
    }

    #[test]
    fn counts_are_whole_and_not_negative() {
        let m = metric(Kind::Count, "个");
        assert!(chk(&m, &input("-1")).unwrap_err().message.contains("不能为负"));
        assert!(chk(&m, &input("2.5")).unwrap_err().message.contains("整数"));
        assert_eq!(chk(&m, &input("3")).unwrap().value, 3.0);
    }

    #[test]
    fn percentages_stop_at_100() {
        let m = Metric { target: Some(Target::single(90.0)), ..metric(Kind::Level, "%") };
        assert!(chk(&m, &input("100.5")).is_err());
        assert!(chk(&m, &input("100")).is_ok());
    }

    #[test]
    fn a_falling_count_needs_a_note() {
        let m = metric(Kind::Count, "个");
        let before = Earlier { max: Some(("2022Q2".parse().unwrap(), 10.0)), approved: Vec::new() };
        let q = "2022Q3".parse().unwrap();
        let e = check(&m, q, &input("8"), &before).unwrap_err();
        assert!(e.message.contains("2022年第二季度") && e.message.contains("备注"), "{}", e.message);
        let with_note = Input { note: "更正:2022Q2 重复统计".into(), ..input("8") };
        assert_eq!(check(&m, q, &with_note, &before).unwrap().value, 8.0);
    }

    #[test]
    fn milestones_take_done_and_percent() {
        let m = metric(Kind::Milestone, "%");
        let done = Input { done: true, ..input("") };
        assert_eq!(chk(&m, &done).unwrap(), Accepted { value: 100.0, done: Some(true), note: String::new() });
        assert_eq!(chk(&m, &input("60")).unwrap().done, Some(false));
        assert!(chk(&m, &input("120")).is_err());
        assert!(chk(&m, &Input { done: true, ..input("60") }).is_err());
    }

    #[test]
    fn quarters_outside_the_period_or_in_the_future_are_refused() {
        let period = (d(2021, 1, 1), d(2025, 12, 31));
        let today = d(2023, 7, 15);
        assert!(check_quarter("2020Q4".parse().unwrap(), period, today).is_err());
        assert!(check_quarter("2026Q1".parse().unwrap(), period, d(2026, 5, 1)).is_err());
        assert!(check_quarter("2023Q4".parse().unwrap(), period, today).unwrap_err().message.contains("尚未开始"));
        assert!(check_quarter("2023Q3".parse().unwrap(), period, today).is_ok(), "the current quarter may be entered");
        assert!(check_quarter("2021Q1".parse().unwrap(), period, today).is_ok());
    }

    #[test]
    fn figures_outside_the_metrics_bounds_are_refused_with_the_range() {
        let score = metric(Kind::Level, "分");
        assert!(chk(&score, &input("-833281")).unwrap_err().message.contains("0 到 100"));
        let mut stations = metric(Kind::Count, "个");
        stations.max = Some(381.0);
        assert!(chk(&stations, &input("1,000")).unwrap_err().message.contains("0 到 381"));
    }

    #[test]
    fn a_surprising_figure_needs_a_note_and_is_kept_with_one() {
        let m = Metric { target: Some(Target::single(300.0)), ..metric(Kind::Level, "Mbps") };
        let q = "2022Q3".parse().unwrap();
        let earlier = Earlier { max: None, approved: vec![("2022Q2".parse().unwrap(), 197.2)] };
        let e = check(&m, q, &input("1000"), &earlier).unwrap_err();
        assert_eq!(e.field, "note");
        assert!(e.message.contains("两倍") && e.message.contains("备注"), "{}", e.message);
        let noted = Input { note: "新线路已开通,实测 1000 Mbps".into(), ..input("1000") };
        assert_eq!(check(&m, q, &noted, &earlier).unwrap().value, 1000.0);
    }

    #[test]
    fn long_notes_are_refused() {
        let m = metric(Kind::Level, "分");
        let long = Input { note: "字".repeat(501), ..input("1") };
        assert_eq!(chk(&m, &long).unwrap_err().field, "note");
    }
}
