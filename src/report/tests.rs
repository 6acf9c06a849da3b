//! The evaluation checked against figures computed by hand (see each comment).

use super::*;
use crate::plan::{Direction, Kind, Target};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn plan() -> Plan {
    Plan {
        id: 1,
        key: "p".into(),
        title: "规划".into(),
        issuer: String::new(),
        document_number: String::new(),
        issued_on: None,
        period_start: d(2021, 1, 1),
        period_end: d(2025, 12, 31),
        midterm_on: Some(d(2023, 6, 30)),
        draft: false,
    }
}

fn metric(
    id: i64,
    key: &str,
    kind: Kind,
    dir: Direction,
    unit: &str,
    baseline: Option<f64>,
    target: Option<Target>,
) -> Metric {
    Metric { id, key: key.into(), unit: unit.into(), ..Metric::sample(kind, dir, baseline, target) }
}

fn figures(v: &[(&str, f64)]) -> Vec<Reported> {
    v.iter()
        .map(|(q, x)| Reported {
            quarter: q.parse().unwrap(),
            value: *x,
            done: None,
            note: String::new(),
            pending: false,
        })
        .collect()
}

/// Six metrics, one of each kind of case, assessed at mid-term (2023-06-30), when time
/// alone would have brought each 911/1826 = 49.9 % of the way.
pub(super) fn midterm(as_of: NaiveDate) -> Report {
    let metrics = vec![
        metric(1, "lead", Kind::Level, Direction::Higher, "分钟", Some(37.0), Some(Target::single(48.0))),
        metric(2, "grid", Kind::Level, Direction::Lower, "公里", Some(2.5), Some(Target::single(1.0))),
        metric(3, "engineers", Kind::Count, Direction::Higher, "名", Some(0.0), Some(Target { low: 2.0, high: 3.0 })),
        metric(4, "centre", Kind::Milestone, Direction::Higher, "%", Some(0.0), Some(Target::single(100.0))),
        metric(5, "stations", Kind::Count, Direction::Higher, "个", None, Some(Target::single(381.0))),
        metric(6, "satisfaction", Kind::Context, Direction::Higher, "分", Some(92.3), None),
    ];
    let approved: HashMap<i64, Vec<Reported>> = [
        (1, figures(&[("2021Q2", 39.0), ("2021Q4", 40.0), ("2022Q2", 42.0), ("2022Q4", 43.0), ("2023Q2", 45.0)])),
        (2, figures(&[("2022Q2", 2.4), ("2023Q2", 2.2)])),
        (3, figures(&[("2022Q4", 1.0), ("2023Q2", 2.0)])),
        (4, figures(&[("2022Q2", 20.0), ("2023Q2", 40.0)])),
        (6, figures(&[("2022Q2", 92.7), ("2023Q2", 93.1)])),
    ]
    .into_iter()
    .collect();
    let chapters = vec![Chapter { id: 1, plan_id: 1, ord: 0, title: "第一章".into(), title_en: None }];
    let counts = FigureCounts { approved: 11, pending: 0, missing: 49 };
    build(&plan(), &chapters, &metrics, &approved, counts, as_of, d(2026, 11, 28))
}

fn row<'a>(r: &'a Report, key: &str) -> &'a Row {
    r.rows().find(|row| row.metric.key == key).unwrap()
}

#[test]
fn higher_is_better_level_matches_the_hand_computed_trend() {
    let r = midterm(d(2023, 6, 30));
    let lead = row(&r, "lead");
    // 45 − 37 = 8 of 11 minutes: 72.7 %.
    assert!((lead.assessment.progress.unwrap() - 8.0 / 11.0).abs() < 1e-12);
    assert_eq!(lead.assessment.status, Status::OnTrack);
    // Least squares through (0, 39) (184, 40) (365, 42) (549, 43) (730, 45) days from
    // 2021-06-30: slope 2736.6 / 333065.2 per day, intercept 38.79608; 48 is reached at
    // day 1120, in 2024Q3; at 2025-12-31 (day 1645) the line is at 52.31.
    let p = lead.assessment.projection.unwrap();
    assert_eq!(p.reach.unwrap().to_string(), "2024Q3");
    assert!((p.value_at_target_date - 52.31).abs() < 0.01, "{}", p.value_at_target_date);
    assert!((p.slope_per_year - 3.001).abs() < 0.001, "{}", p.slope_per_year);
    assert_eq!(lead.sentence, "较基期提高8分钟,完成目标进度73%,快于时序进度(50%);按当前趋势预计2024年第三季度达标。");
}

#[test]
fn lower_is_better_level_is_off_track_and_late() {
    let r = midterm(d(2023, 6, 30));
    let grid = row(&r, "grid");
    // 2.5 → 2.2 of the way to 1: 0.3 / 1.5 = 20 %, against 49.9 %: ratio 0.40.
    assert!((grid.assessment.progress.unwrap() - 0.2).abs() < 1e-12);
    assert_eq!(grid.assessment.status, Status::OffTrack);
    // −0.2 km a year from 2.2 in mid-2023: 1.70 at the end of 2025, 1 km in 2029Q2.
    let p = grid.assessment.projection.unwrap();
    assert!((p.value_at_target_date - 1.6986).abs() < 0.001);
    assert_eq!(p.reach.unwrap().to_string(), "2029Q2");
    assert_eq!(
        grid.sentence,
        "较基期降低0.3公里,完成目标进度20%,慢于时序进度(50%);按当前趋势预计2029年第二季度达标,晚于目标期限。"
    );
}

#[test]
fn range_target_is_achieved_at_its_low_end() {
    let r = midterm(d(2023, 6, 30));
    let e = row(&r, "engineers");
    assert_eq!(e.assessment.status, Status::Achieved);
    assert!(!e.assessment.exceeded);
    assert_eq!(e.sentence, "较基期提高2名,完成目标进度100%,快于时序进度(50%);已于2023年第二季度达标。");
}

#[test]
fn milestone_reports_percent_and_when_it_will_be_done() {
    let r = midterm(d(2023, 6, 30));
    let c = row(&r, "centre");
    // 40 % done against 49.9 % expected: ratio 0.80, at risk; +20 points a year from
    // mid-2023 reaches 100 % in 2026Q2.
    assert_eq!(c.assessment.status, Status::AtRisk);
    assert_eq!(c.sentence, "已完成40%,慢于时序进度(50%);按当前进度预计2026年第二季度完成。");
}

#[test]
fn a_metric_without_figures_is_missing() {
    let r = midterm(d(2023, 6, 30));
    let s = row(&r, "stations");
    assert_eq!(s.assessment.status, Status::NoData);
    assert_eq!(s.sentence, "暂无已审核数据。");
    assert_eq!(r.missing().iter().map(|r| r.metric.key.as_str()).collect::<Vec<_>>(), ["stations"]);
}

#[test]
fn context_metric_has_a_trend_but_no_target() {
    let r = midterm(d(2023, 6, 30));
    let s = row(&r, "satisfaction");
    assert_eq!(s.assessment.status, Status::Reference);
    // +0.4 a year from 93.1 in mid-2023: 94.10 at the end of 2025.
    assert_eq!(s.sentence, "较基期提高0.8分(参考指标,不设目标);按当前趋势期末约为94.1分。");
}

#[test]
fn summary_counts_and_attention_order() {
    let r = midterm(d(2023, 6, 30));
    let counts: Vec<usize> = r.counts.iter().map(|(_, n)| *n).collect();
    // achieved, on track, at risk, off track, no data, reference
    assert_eq!(counts, [1, 1, 1, 1, 1, 1]);
    assert_eq!(r.chapters[0].counts, r.counts);
    // The grid is 29.9 points behind, the centre 9.9: furthest behind first.
    let attention: Vec<&str> = r.attention().iter().map(|r| r.metric.key.as_str()).collect();
    assert_eq!(attention, ["grid", "centre"]);
    assert!(!r.plan.is_final_at(r.as_of));
    let last = midterm(d(2025, 12, 31));
    assert!(last.plan.is_final_at(last.as_of));
}

#[test]
fn later_figures_do_not_leak_into_an_earlier_evaluation_and_changes_are_listed() {
    let early = midterm(d(2022, 6, 30));
    let e = row(&early, "engineers");
    assert!(e.values.is_empty());
    assert_eq!(e.assessment.status, Status::NoData);
    let late = midterm(d(2023, 6, 30));
    let changes = compare(&early, &late);
    let engineers = changes.iter().find(|c| c.metric.key == "engineers").unwrap();
    assert_eq!((engineers.from, engineers.to), (Status::NoData, Status::Achieved));
    assert!(changes.iter().all(|c| c.from != c.to));
    assert!(!changes.iter().any(|c| c.metric.key == "stations"), "no data both times: unchanged");
}

#[test]
fn quarter_ends_cover_the_period() {
    let ends = quarter_ends(&plan());
    assert_eq!(ends.len(), 20);
    assert_eq!(ends[9], d(2023, 6, 30));
}

#[test]
fn a_stale_figure_is_named_with_its_quarter_before_the_sentence_says_anything_on_it() {
    // A year on from mid-2023, nothing new: the figures of 2023Q2 are stale.
    let r = midterm(d(2024, 6, 30));
    let lead = row(&r, "lead");
    assert!(lead.assessment.is_stale());
    assert!(lead.sentence.starts_with("数据滞后(最新已审核数据为2023年第二季度):较基期提高8分钟"), "{}", lead.sentence);
    let stale: Vec<&str> = r.stale().iter().map(|r| r.metric.key.as_str()).collect();
    assert_eq!(stale, ["lead", "grid", "engineers", "centre", "satisfaction"]);
    assert!(!row(&r, "stations").assessment.is_stale(), "no figure is missing, not stale");
    // At mid-2023 the same figures are current.
    assert!(midterm(d(2023, 6, 30)).stale().is_empty());
}

#[test]
fn at_the_final_date_no_target_short_of_its_figures_is_reached_by_then() {
    let r = midterm(d(2025, 12, 31));
    let end: Quarter = "2025Q4".parse().unwrap();
    for row in r.rows() {
        let a = &row.assessment;
        if a.status != Status::Achieved {
            assert!(a.reach().is_none_or(|q| q > end), "{}: {:?}", row.metric.key, a.reach());
        }
        assert_eq!(a.forecast(), None, "{}: the period is over", row.metric.key);
    }
    // The lead time's trend passed 48 in 2024Q3, but no figure did.
    assert_eq!(row(&r, "lead").assessment.reach().unwrap().to_string(), "2026Q1");
    assert!(
        row(&r, "lead").sentence.ends_with("按当前趋势预计2026年第一季度达标,晚于目标期限。"),
        "{}",
        row(&r, "lead").sentence
    );
    // Two engineers of two: one-off things, reached in the quarter the figure said so.
    assert_eq!(
        row(&r, "engineers").sentence,
        "数据滞后(最新已审核数据为2023年第二季度):较基期提高2名,完成目标进度100%,与时序进度持平(100%);已于2023年第二季度达标。"
    );
}

#[test]
fn a_change_of_figures_is_told_from_a_change_of_the_date_only() {
    // Mid-2022 to mid-2023: the engineers' first figure came in.
    let changes = compare(&midterm(d(2022, 6, 30)), &midterm(d(2023, 6, 30)));
    let engineers = changes.iter().find(|c| c.metric.key == "engineers").unwrap();
    assert_eq!(engineers.cause, ChangeCause::NewFigure);
    assert_eq!((engineers.from_latest.as_ref(), engineers.to_latest.as_ref().map(|l| l.value)), (None, Some(2.0)));
    // Mid-2023 to the end: nothing reported since, so every change is the date's alone.
    let changes = compare(&midterm(d(2023, 6, 30)), &midterm(d(2025, 12, 31)));
    let lead = changes.iter().find(|c| c.metric.key == "lead").unwrap();
    assert_eq!((lead.from, lead.to), (Status::OnTrack, Status::AtRisk));
    assert_eq!(lead.cause, ChangeCause::DateOnly);
    assert_eq!(lead.from_latest, lead.to_latest);
    assert!(!lead.from_stale && lead.to_stale);
    assert!(changes.iter().all(|c| c.cause == ChangeCause::DateOnly), "{changes:?}");
}
