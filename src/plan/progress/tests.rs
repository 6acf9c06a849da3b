use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn q(s: &str) -> Quarter {
    s.parse().unwrap()
}

fn metric(kind: Kind, direction: Direction, baseline: Option<f64>, target: Option<Target>) -> Metric {
    Metric::sample(kind, direction, baseline, target)
}

fn vals(v: &[(&str, f64)]) -> Vec<Reported> {
    v.iter()
        .map(|(qs, x)| Reported { quarter: q(qs), value: *x, done: None, note: String::new(), pending: false })
        .collect()
}

const BASE: (i32, u32, u32) = (2020, 12, 31);
const END: (i32, u32, u32) = (2025, 12, 31);

fn at(m: &Metric, v: &[Reported], as_of: NaiveDate) -> Assessment {
    assess(m, v, as_of, d(BASE.0, BASE.1, BASE.2), d(END.0, END.1, END.2))
}

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn progress_runs_up_for_higher_is_better() {
    // 37 → 48 minutes, 44 reported: 7 of 11 minutes.
    let p = progress(Direction::Higher, 37.0, Target::single(48.0), 44.0).unwrap();
    assert!(approx(p, 7.0 / 11.0));
}

#[test]
fn progress_runs_down_for_lower_is_better() {
    // 2.5 km → 1 km, 2 km reported: a third of the way.
    let p = progress(Direction::Lower, 2.5, Target::single(1.0), 2.0).unwrap();
    assert!(approx(p, 1.0 / 3.0));
    let worse = progress(Direction::Lower, 2.5, Target::single(1.0), 3.0).unwrap();
    assert!(worse < 0.0);
}

#[test]
fn range_target_is_measured_to_its_low_end() {
    let p = progress(Direction::Higher, 0.0, Target { low: 2.0, high: 3.0 }, 1.0).unwrap();
    assert!(approx(p, 0.5));
    let lower = progress(Direction::Lower, 10.0, Target { low: 4.0, high: 6.0 }, 8.0).unwrap();
    assert!(approx(lower, 0.5), "lower-is-better range is met at its high end: {lower}");
}

#[test]
fn target_equal_to_baseline_is_met_or_not_applicable() {
    let t = Target::single(3.0);
    assert_eq!(progress(Direction::Higher, 3.0, t, 3.0), Ok(1.0));
    assert_eq!(progress(Direction::Higher, 3.0, t, 2.0), Err(NotApplicable::TargetEqualsBaseline));
}

#[test]
fn expected_progress_is_linear_in_time_and_clamped() {
    let (s, e) = (d(2020, 12, 31), d(2025, 12, 31));
    assert_eq!(expected_progress(s, e, s), 0.0);
    assert_eq!(expected_progress(s, e, e), 1.0);
    assert_eq!(expected_progress(s, e, d(2019, 1, 1)), 0.0);
    assert_eq!(expected_progress(s, e, d(2030, 1, 1)), 1.0);
    let mid = expected_progress(s, e, d(2023, 6, 30));
    assert!((0.49..0.51).contains(&mid), "{mid}");
}

#[test]
fn status_thresholds_follow_the_ratio() {
    assert_eq!(status_from_ratio(1.0, 0.5), Status::Achieved);
    assert_eq!(status_from_ratio(0.475, 0.5), Status::OnTrack); // ratio 0.95
    assert_eq!(status_from_ratio(0.474, 0.5), Status::AtRisk);
    assert_eq!(status_from_ratio(0.30, 0.5), Status::AtRisk); // ratio 0.6
    assert_eq!(status_from_ratio(0.299, 0.5), Status::OffTrack);
    assert_eq!(status_from_ratio(-0.1, 0.5), Status::OffTrack);
    assert_eq!(status_from_ratio(0.0, 0.0), Status::OnTrack);
    assert_eq!(status_from_ratio(-0.1, 0.0), Status::OffTrack);
}

#[test]
fn level_higher_with_baseline_at_midterm() {
    let m = metric(Kind::Level, Direction::Higher, Some(37.0), Some(Target::single(48.0)));
    let v = vals(&[("2021Q4", 39.0), ("2022Q4", 41.0), ("2023Q2", 43.0)]);
    let a = at(&m, &v, d(2023, 6, 30));
    assert!(approx(a.progress.unwrap(), 6.0 / 11.0));
    // 6/11 = 0.545 against ~0.5 expected: on track.
    assert_eq!(a.status, Status::OnTrack);
    assert_eq!(a.latest.unwrap().value, 43.0);
    assert!(!a.exceeded);
}

#[test]
fn later_figures_are_ignored_at_an_earlier_date() {
    let m = metric(Kind::Level, Direction::Higher, Some(37.0), Some(Target::single(48.0)));
    let v = vals(&[("2021Q4", 39.0), ("2024Q4", 48.0)]);
    let a = at(&m, &v, d(2022, 12, 31));
    assert_eq!(a.latest.unwrap().quarter, q("2021Q4"));
    assert_ne!(a.status, Status::Achieved);
}

#[test]
fn level_lower_is_better_reaches_achieved() {
    let m = metric(Kind::Level, Direction::Lower, Some(2.5), Some(Target::single(1.0)));
    let a = at(&m, &vals(&[("2022Q4", 1.0)]), d(2022, 12, 31));
    assert_eq!(a.status, Status::Achieved);
    let slow = at(&m, &vals(&[("2023Q2", 2.4)]), d(2023, 6, 30));
    assert_eq!(slow.status, Status::OffTrack);
    let risky = at(&m, &vals(&[("2023Q2", 1.9)]), d(2023, 6, 30));
    // 0.6/1.5 = 0.4 progress against 0.5 expected: ratio 0.8.
    assert_eq!(risky.status, Status::AtRisk);
}

#[test]
fn range_count_is_achieved_at_low_end_and_exceeded_at_high_end() {
    let m = metric(Kind::Count, Direction::Higher, Some(0.0), Some(Target { low: 2.0, high: 3.0 }));
    let met = at(&m, &vals(&[("2023Q2", 2.0)]), d(2023, 6, 30));
    assert_eq!(met.status, Status::Achieved);
    assert!(!met.exceeded);
    let over = at(&m, &vals(&[("2023Q2", 3.0)]), d(2023, 6, 30));
    assert_eq!(over.status, Status::Achieved);
    assert!(over.exceeded);
    let none = at(&m, &vals(&[("2023Q2", 0.0)]), d(2023, 6, 30));
    assert_eq!(none.status, Status::OffTrack);
}

#[test]
fn missing_baseline_falls_back_to_the_first_figure() {
    let m = metric(Kind::Count, Direction::Higher, None, Some(Target::single(381.0)));
    let one = at(&m, &vals(&[("2021Q4", 100.0)]), d(2021, 12, 31));
    assert_eq!(one.progress, Err(NotApplicable::NoBaseline));
    assert_eq!(one.status, Status::NoData);
    assert!(one.baseline.unwrap().from_report);

    let two = at(&m, &vals(&[("2021Q4", 100.0), ("2023Q2", 240.5)]), d(2023, 6, 30));
    let b = two.baseline.unwrap();
    assert_eq!((b.date, b.value), (d(2021, 12, 31), 100.0));
    assert!(approx(two.progress.unwrap(), 0.5));
    // Expected progress is measured from the stand-in baseline's date: 1.5 of 4 years.
    assert!(approx(two.expected.unwrap(), 546.0 / 1461.0));
    assert_eq!(two.status, Status::OnTrack);
}

#[test]
fn missing_baseline_lower_is_better() {
    let m = metric(Kind::Level, Direction::Lower, None, Some(Target::single(1.0)));
    let a = at(&m, &vals(&[("2021Q4", 3.0), ("2023Q4", 2.9)]), d(2023, 12, 31));
    assert!(approx(a.progress.unwrap(), 0.05));
    assert_eq!(a.status, Status::OffTrack);
}

#[test]
fn no_figures_means_no_data_for_every_kind() {
    for kind in Kind::ALL {
        for dir in [Direction::Higher, Direction::Lower] {
            let target = (kind != Kind::Context).then_some(Target::single(10.0));
            let m = metric(kind, dir, None, target);
            let a = at(&m, &[], d(2023, 6, 30));
            assert_eq!(a.status, Status::NoData, "{kind:?} {dir:?}");
            assert_eq!(a.progress, Err(NotApplicable::NoData));
        }
    }
}

#[test]
fn milestone_done_is_achieved_and_percent_is_progress() {
    let m = metric(Kind::Milestone, Direction::Higher, Some(0.0), None);
    let mut v = vals(&[("2023Q2", 100.0)]);
    v[0].done = Some(true);
    assert_eq!(at(&m, &v, d(2023, 6, 30)).status, Status::Achieved);

    let half = at(&m, &vals(&[("2023Q2", 50.0)]), d(2023, 6, 30));
    assert!(approx(half.progress.unwrap(), 0.5));
    assert_eq!(half.status, Status::OnTrack);
    let slow = at(&m, &vals(&[("2023Q2", 20.0)]), d(2023, 6, 30));
    assert_eq!(slow.status, Status::OffTrack);
}

#[test]
fn milestone_without_baseline_starts_from_its_first_figure() {
    let m = metric(Kind::Milestone, Direction::Higher, None, None);
    let a = at(&m, &vals(&[("2021Q4", 10.0), ("2023Q2", 55.0)]), d(2023, 6, 30));
    assert!(approx(a.progress.unwrap(), 0.5));
}

#[test]
fn context_metrics_are_reference_in_both_directions() {
    for dir in [Direction::Higher, Direction::Lower] {
        let m = metric(Kind::Context, dir, Some(339.0), None);
        let a = at(&m, &vals(&[("2022Q2", 341.0), ("2022Q4", 345.0)]), d(2023, 6, 30));
        assert_eq!(a.status, Status::Reference);
        assert_eq!(a.progress, Err(NotApplicable::NoTarget));
        assert_eq!(a.expected, None);
        assert!(a.projection.is_some(), "a context metric still has a trend");
    }
}

#[test]
fn keep_it_up_target_that_slips_is_off_track() {
    let m = metric(Kind::Count, Direction::Higher, Some(3.0), Some(Target::single(3.0)));
    assert_eq!(at(&m, &vals(&[("2022Q4", 3.0)]), d(2023, 6, 30)).status, Status::Achieved);
    let slipped = at(&m, &vals(&[("2022Q4", 2.0)]), d(2023, 6, 30));
    assert_eq!(slipped.status, Status::OffTrack);
    assert_eq!(slipped.progress, Err(NotApplicable::TargetEqualsBaseline));
}

#[test]
fn linear_trend_fits_a_straight_line_exactly() {
    let pts = [(d(2021, 1, 1), 10.0), (d(2021, 1, 11), 20.0), (d(2021, 1, 21), 30.0)];
    let (origin, a, b) = linear_trend(&pts).unwrap();
    assert_eq!(origin, d(2021, 1, 1));
    assert!(approx(a, 10.0) && approx(b, 1.0));
    assert!(linear_trend(&pts[..1]).is_none());
}

/// The projection of `v` (oldest first) for `m` at `as_of`, to the end of the period.
fn proj(m: &Metric, v: &[Reported], as_of: NaiveDate) -> Result<Projection, NoProjection> {
    let baseline = baseline_point(m, d(BASE.0, BASE.1, BASE.2), v);
    project(m, v, baseline, as_of, d(END.0, END.1, END.2))
}

fn level(dir: Direction, baseline: Option<f64>, target: f64) -> Metric {
    metric(Kind::Level, dir, baseline, Some(Target::single(target)))
}

#[test]
fn projection_finds_the_quarter_the_target_is_reached() {
    // +1 minute a quarter from 38 in 2021Q1: 48 is reached ten quarters later, 2023Q3.
    let v: Vec<Reported> = Quarter::range(q("2021Q1"), q("2022Q4"))
        .enumerate()
        .map(|(i, qq)| Reported {
            quarter: qq,
            value: 38.0 + i as f64,
            done: None,
            note: String::new(),
            pending: false,
        })
        .collect();
    let p = proj(&level(Direction::Higher, Some(37.0), 48.0), &v, d(2022, 12, 31)).unwrap();
    assert_eq!(p.reach, Some(q("2023Q3")));
    assert!((p.slope_per_year - 4.0).abs() < 0.05, "{}", p.slope_per_year);
    assert!((p.value_at_target_date - 57.0).abs() < 0.2, "{}", p.value_at_target_date);
}

#[test]
fn projection_never_reaches_when_moving_away() {
    let m = level(Direction::Lower, Some(2.5), 1.0);
    let v = vals(&[("2021Q4", 2.0), ("2022Q4", 2.2)]);
    assert_eq!(proj(&m, &v, d(2022, 12, 31)).unwrap().reach, None);
    let flat = vals(&[("2021Q4", 2.0), ("2022Q4", 2.0)]);
    assert_eq!(proj(&m, &flat, d(2022, 12, 31)).unwrap().reach, None);
}

#[test]
fn projection_of_a_met_target_names_the_quarter_it_was_met() {
    let v = vals(&[("2021Q4", 40.0), ("2022Q4", 49.0), ("2023Q2", 50.0)]);
    let p = proj(&level(Direction::Higher, Some(37.0), 48.0), &v, d(2023, 6, 30)).unwrap();
    assert_eq!(p.reach, Some(q("2022Q4")));
}

#[test]
fn projection_is_never_earlier_than_the_quarter_after_the_last_miss() {
    // A steep early rise then a drop: the fitted line crosses 48 before 2023Q2,
    // but 2023Q2 itself missed.
    let v = vals(&[("2021Q1", 30.0), ("2021Q2", 47.0), ("2023Q2", 47.5)]);
    let p = proj(&level(Direction::Higher, Some(37.0), 48.0), &v, d(2023, 6, 30)).unwrap();
    assert!(p.reach.unwrap() >= q("2023Q3"), "{:?}", p.reach);
}

#[test]
fn projection_far_beyond_any_horizon_is_none() {
    let v = vals(&[("2021Q4", 0.0), ("2022Q4", 0.001)]);
    let p = proj(&level(Direction::Higher, Some(0.0), 381.0), &v, d(2022, 12, 31)).unwrap();
    assert_eq!(p.reach, None);
}

#[test]
fn a_target_not_met_by_a_figure_is_never_reached_at_or_before_the_as_of_quarter() {
    // +1 a year to 2.5 in mid-2023, then nothing reported: the line meets 4 at the end of
    // 2024, but at the end of 2025 no figure has met it. The earliest is the next quarter.
    let m = level(Direction::Higher, Some(0.0), 4.0);
    let v = vals(&[("2021Q2", 0.5), ("2022Q2", 1.5), ("2023Q2", 2.5)]);
    let mid = at(&m, &v, d(2023, 6, 30));
    assert_eq!(mid.reach(), Some(q("2024Q4")), "ahead of the as-of date, the trend says");
    let end = at(&m, &v, d(2025, 12, 31));
    assert_ne!(end.status, Status::Achieved);
    assert_eq!(end.reach(), Some(q("2026Q1")));
    assert_eq!(end.reached, None);
    assert_eq!(earliest_reach(d(2025, 12, 31)), q("2026Q1"));
    // Mid-quarter, the as-of date's own quarter is not yet a possible reach either.
    assert_eq!(at(&m, &v, d(2024, 11, 15)).reach(), Some(q("2025Q1")));
}

#[test]
fn a_met_target_is_reached_since_the_figures_last_began_to_meet_it() {
    let m = level(Direction::Higher, Some(37.0), 48.0);
    // Met in 2022Q2, missed in 2022Q4, met again since 2023Q1.
    let v = vals(&[("2022Q2", 48.5), ("2022Q4", 47.0), ("2023Q1", 48.0), ("2023Q2", 49.0)]);
    let a = at(&m, &v, d(2023, 6, 30));
    assert_eq!(a.status, Status::Achieved);
    assert_eq!((a.reached, a.reach()), (Some(q("2023Q1")), Some(q("2023Q1"))));
    // A figure that met it once and fell back is no reach at all.
    let fell = at(&m, &v[..2], d(2022, 12, 31));
    assert_eq!(fell.reached, None);
    assert!(fell.reach().is_none_or(|r| r > q("2022Q4")), "{:?}", fell.reach());
    // A milestone is met when reported done.
    let ms = metric(Kind::Milestone, Direction::Higher, Some(0.0), None);
    let mut done = vals(&[("2022Q4", 90.0), ("2023Q2", 100.0)]);
    done[1].done = Some(true);
    assert_eq!(reached_since(&ms, &done), Some(q("2023Q2")));
}

#[test]
fn a_projection_stays_within_what_the_metric_can_be() {
    let unit = |unit: &str, m: Metric| Metric { unit: unit.into(), ..m };
    let rising = |a: f64, b: f64| vals(&[("2021Q2", a), ("2022Q2", (a + b) / 2.0), ("2023Q2", b)]);
    let as_of = d(2023, 6, 30);
    // A share rising 4 points a year from 92 would pass 100 % in mid-2025.
    let share = unit("%", metric(Kind::Context, Direction::Higher, Some(84.6), None));
    assert_eq!(proj(&share, &rising(84.0, 92.0), as_of).unwrap().value_at_target_date, 100.0);
    let days = unit("天", metric(Kind::Context, Direction::Higher, Some(339.0), None));
    assert_eq!(proj(&days, &rising(345.0, 372.0), as_of).unwrap().value_at_target_date, 366.0);
    let ms = metric(Kind::Milestone, Direction::Higher, Some(0.0), None);
    assert_eq!(proj(&ms, &rising(15.0, 65.0), as_of).unwrap().value_at_target_date, 100.0);
    let score = unit("分", metric(Kind::Context, Direction::Higher, Some(92.3), None));
    assert_eq!(proj(&score, &rising(95.0, 101.4), as_of).unwrap().value_at_target_date, 100.0);
    // Things counted whole are projected whole; lower-is-better levels stop at zero.
    let stations = metric(Kind::Count, Direction::Higher, Some(0.0), Some(Target::single(160.0)));
    assert_eq!(proj(&stations, &rising(40.0, 119.0), as_of).unwrap().value_at_target_date.fract(), 0.0);
    let hours = unit("小时", level(Direction::Lower, Some(3.0), 0.5));
    assert_eq!(proj(&hours, &rising(2.8, 1.2), as_of).unwrap().value_at_target_date, 0.0);
}

#[test]
fn the_drawn_trend_runs_from_the_last_figure_to_the_target_date_within_the_bounds() {
    let share = Metric { unit: "%".into(), ..level(Direction::Higher, Some(80.0), 99.0) };
    let v = vals(&[("2021Q2", 84.0), ("2022Q2", 88.0), ("2023Q2", 92.0)]);
    // 4 points a year from 92 in mid-2023 meets 100 % two years on, in mid-2025.
    let line = proj(&share, &v, d(2023, 6, 30)).unwrap().line.unwrap();
    assert_eq!(line[0].0, d(2023, 6, 30));
    assert!(approx(line[0].1, 92.0));
    assert!((d(2025, 6, 28)..=d(2025, 7, 2)).contains(&line[1].0), "stops where it meets 100 %: {:?}", line[1]);
    assert!((line[1].1 - 100.0).abs() < 0.01, "{:?}", line[1]);
    // Within the bounds all the way, it runs to the target date.
    let low = vals(&[("2021Q2", 60.0), ("2022Q2", 61.0), ("2023Q2", 62.0)]);
    let line = proj(&share, &low, d(2023, 6, 30)).unwrap().line.unwrap();
    assert_eq!(line[1].0, d(2025, 12, 31));
    // From stale figures it starts at the as-of date, not at the last figure: the trend
    // says nothing about the quarters in between that a figure could not.
    let line = proj(&share, &low, d(2024, 12, 31)).unwrap().line.unwrap();
    assert_eq!(line[0].0, d(2024, 12, 31));
    // At the target date there is nothing ahead to draw.
    assert_eq!(proj(&share, &low, d(2025, 12, 31)).unwrap().line, None);
    // Beyond the bound all along, it lies flat on it.
    let over = Metric { unit: "%".into(), ..metric(Kind::Context, Direction::Higher, Some(80.0), None) };
    let steep = vals(&[("2021Q2", 70.0), ("2022Q2", 90.0), ("2023Q2", 99.0)]);
    let line = proj(&over, &steep, d(2024, 12, 31)).unwrap().line.unwrap();
    assert_eq!((line[0].1, line[1].1), (100.0, 100.0));
}

#[test]
fn a_count_of_a_few_one_off_things_has_no_projection() {
    let count = |baseline: f64, target: f64| {
        metric(Kind::Count, Direction::Higher, Some(baseline), Some(Target::single(target)))
    };
    // 0 of 1 radar, reported four times: no line through the zeros.
    let radar = count(0.0, 1.0);
    let zeros = vals(&[("2022Q2", 0.0), ("2022Q4", 0.0), ("2023Q2", 0.0)]);
    let a = at(&radar, &zeros, d(2023, 6, 30));
    assert_eq!((a.projection, a.projection_na), (None, Some(NoProjection::OneOff)));
    assert_eq!(a.reach(), None);
    // One of one, done: reached since its figure, with no trend needed.
    let one = at(&radar, &vals(&[("2022Q4", 0.0), ("2023Q1", 1.0)]), d(2023, 6, 30));
    assert_eq!((one.status, one.reach()), (Status::Achieved, Some(q("2023Q1"))));
    // The rule's edge: ten units from the baseline is one-off, eleven is not.
    assert!(is_one_off(&count(21.0, 31.0), None), "the plan's baseline, when none is in use yet");
    let b = |v: f64| Some(BaselinePoint { date: d(2020, 12, 31), value: v, from_report: false });
    assert!(is_one_off(&count(21.0, 31.0), b(21.0)));
    assert!(!is_one_off(&count(20.0, 31.0), b(20.0)));
    // Only whole things: not a level, not kilometres of a count.
    assert!(!is_one_off(&level(Direction::Higher, Some(0.0), 2.0), b(0.0)));
    let km = Metric { unit: "公里".into(), ..count(0.0, 5.0) };
    assert!(!is_one_off(&km, b(0.0)));
    // Without a baseline, the first figure stands in; before any, counting starts at zero.
    let no_base = metric(Kind::Count, Direction::Higher, None, Some(Target::single(5.0)));
    assert!(is_one_off(&no_base, None));
    assert_eq!(NoProjection::OneOff.reason_zh(), "一次性建设类指标,不作趋势预测");
}

#[test]
fn a_figure_older_than_the_quarter_before_the_as_of_quarter_is_stale() {
    let end = d(2025, 12, 31);
    assert!(!is_stale(q("2025Q4"), end));
    assert!(!is_stale(q("2025Q3"), end), "the fourth quarter's figure is not due yet");
    assert!(is_stale(q("2025Q2"), end));
    assert!(is_stale(q("2023Q2"), end));
    // Mid-quarter, the quarter before the as-of date's quarter is still current.
    assert!(!is_stale(q("2024Q3"), d(2024, 11, 15)));
    assert!(is_stale(q("2024Q2"), d(2024, 11, 15)));
    let m = level(Direction::Higher, Some(37.0), 48.0);
    let v = vals(&[("2023Q1", 44.0), ("2023Q2", 45.0)]);
    assert!(!at(&m, &v, d(2023, 9, 30)).is_stale());
    assert!(at(&m, &v, d(2023, 12, 31)).is_stale());
    assert!(!at(&m, &[], d(2023, 12, 31)).is_stale(), "no figure is missing, not stale");
}

#[test]
fn the_forecast_is_given_only_while_the_target_date_is_ahead() {
    let m = level(Direction::Higher, Some(37.0), 48.0);
    let v = vals(&[("2021Q4", 40.0), ("2022Q4", 42.0), ("2023Q2", 43.0)]);
    let mid = at(&m, &v, d(2023, 6, 30));
    assert_eq!(mid.forecast(), Some(mid.projection.unwrap().value_at_target_date));
    let end = at(&m, &v, d(2025, 12, 31));
    assert!(end.projection.is_some());
    assert_eq!(end.forecast(), None);
}

#[test]
fn every_kind_in_both_directions_with_and_without_baseline() {
    // Each target kind: a figure at the target is achieved, one that moved away from the
    // start is off track, whichever way is better and whether or not the plan gave a baseline.
    for kind in [Kind::Level, Kind::Count, Kind::Milestone] {
        for dir in [Direction::Higher, Direction::Lower] {
            if kind == Kind::Milestone && dir == Direction::Lower {
                continue; // percent complete only rises
            }
            let (start, goal) = match (kind, dir) {
                (Kind::Milestone, _) => (0.0, 100.0),
                (_, Direction::Higher) => (10.0, 20.0),
                (_, Direction::Lower) => (20.0, 10.0),
            };
            let target = (kind != Kind::Milestone).then_some(Target::single(goal));
            for baseline in [Some(start), None] {
                let m = metric(kind, dir, baseline, target);
                let away = start - dir.sign() * 1.0;
                let hit = at(&m, &vals(&[("2021Q4", start), ("2023Q2", goal)]), d(2023, 6, 30));
                assert_eq!(hit.status, Status::Achieved, "{kind:?} {dir:?} baseline {baseline:?}");
                let worse = at(&m, &vals(&[("2021Q4", start), ("2023Q2", away)]), d(2023, 6, 30));
                assert_eq!(worse.status, Status::OffTrack, "{kind:?} {dir:?} baseline {baseline:?}");
                assert!(worse.progress.unwrap() < 0.0);
            }
        }
    }
}

#[test]
fn expected_value_follows_the_straight_path_in_both_directions() {
    let b = BaselinePoint { date: d(2020, 12, 31), value: 37.0, from_report: false };
    let up = metric(Kind::Level, Direction::Higher, Some(37.0), Some(Target::single(48.0)));
    assert!(approx(expected_value(&up, b, d(2025, 12, 31), d(2020, 12, 31)).unwrap(), 37.0));
    assert!(approx(expected_value(&up, b, d(2025, 12, 31), d(2025, 12, 31)).unwrap(), 48.0));
    let half = expected_progress(b.date, d(2025, 12, 31), d(2023, 6, 30));
    assert!(approx(expected_value(&up, b, d(2025, 12, 31), d(2023, 6, 30)).unwrap(), 37.0 + 11.0 * half));
    // 2.5 km down to 1 km: the path falls; a range is measured to its met end.
    let b = BaselinePoint { value: 2.5, ..b };
    let down = metric(Kind::Level, Direction::Lower, Some(2.5), Some(Target { low: 1.0, high: 1.5 }));
    assert!(approx(expected_value(&down, b, d(2025, 12, 31), d(2025, 12, 31)).unwrap(), 1.5));
    let context = metric(Kind::Context, Direction::Higher, Some(2.0), None);
    assert_eq!(expected_value(&context, b, d(2025, 12, 31), d(2023, 6, 30)), None);
}

#[test]
fn an_assessment_knows_the_value_expected_at_its_date() {
    let m = metric(Kind::Level, Direction::Higher, Some(37.0), Some(Target::single(48.0)));
    let a = at(&m, &vals(&[("2021Q4", 40.0), ("2023Q2", 44.0)]), d(2023, 6, 30));
    let b = a.baseline.unwrap();
    assert_eq!(a.expected_value(&m), expected_value(&m, b, d(2025, 12, 31), d(2023, 6, 30)));
    assert_eq!(at(&m, &[], d(2023, 6, 30)).expected_value(&m), Some(37.0 + 11.0 * a.expected.unwrap()));
    let no_base = metric(Kind::Level, Direction::Higher, None, Some(Target::single(48.0)));
    assert_eq!(at(&no_base, &[], d(2023, 6, 30)).expected_value(&no_base), None);
}

#[test]
fn status_counts_list_every_status_in_order() {
    let counts = count_statuses([Status::OffTrack, Status::Achieved, Status::OffTrack].into_iter());
    assert_eq!(counts.iter().map(|(s, _)| *s).collect::<Vec<_>>(), Status::ALL);
    assert_eq!(counts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 0, 0, 2, 0, 0]);
}

#[test]
fn an_annual_metric_is_judged_at_year_ends() {
    let m = Metric {
        frequency: Frequency::Annual,
        ..metric(Kind::Count, Direction::Higher, Some(0.0), Some(Target::single(10.0)))
    };
    let v = vals(&[("2021Q4", 2.0), ("2022Q4", 4.0)]);
    // Mid-2023, the 2022 figure is the latest due: expected progress is read at 2022-12-31.
    let a = at(&m, &v, d(2023, 9, 30));
    assert!(approx(a.expected.unwrap(), expected_progress(d(2020, 12, 31), d(2025, 12, 31), d(2022, 12, 31))));
    assert!(!a.is_stale(), "the 2023 figure is not due before the year ends");
    assert_eq!(a.status, Status::OnTrack);
    // A quarterly metric with the same figures is behind and stale by then.
    let quarterly = Metric { frequency: Frequency::Quarterly, ..m.clone() };
    assert!(at(&quarterly, &v, d(2023, 9, 30)).is_stale());
    // Two year ends on, the 2022 figure is stale; at a year end, that year's is due.
    assert!(at(&m, &v, d(2024, 3, 31)).is_stale());
    assert_eq!(due(Frequency::Annual, d(2024, 12, 31)), d(2024, 12, 31));
    assert_eq!(due(Frequency::Annual, d(2024, 12, 30)), d(2023, 12, 31));
    assert_eq!(due(Frequency::Quarterly, d(2024, 6, 30)), d(2024, 6, 30));
}

#[test]
fn an_annual_metric_expects_its_progress_at_year_ends_on_the_chart_and_the_bullet() {
    let m = Metric {
        frequency: Frequency::Annual,
        ..metric(Kind::Count, Direction::Higher, Some(0.0), Some(Target::single(10.0)))
    };
    let v = vals(&[("2021Q4", 2.0), ("2022Q4", 4.0)]);
    let a = at(&m, &v, d(2023, 9, 30));
    let baseline = a.baseline.unwrap();
    let path = expected_path(&m, baseline, d(2025, 12, 31));
    let dates: Vec<_> = path.iter().map(|p| p.0).collect();
    assert_eq!(dates, [2020, 2021, 2022, 2023, 2024, 2025].map(|y| d(y, 12, 31)));
    assert_eq!((path[0].1, path[5].1), (0.0, 10.0));
    // The bullet's expected marker in Q3 2023 is the chart's 2022 year-end point, not a
    // point on a line through the quarter.
    let marker = a.expected_value(&m).unwrap();
    assert!(approx(marker, path[2].1), "{marker} vs {path:?}");
    assert!(approx(marker, expected_value(&m, baseline, d(2025, 12, 31), d(2022, 12, 31)).unwrap()));
    let quarterly = Metric { frequency: Frequency::Quarterly, ..m.clone() };
    assert!(at(&quarterly, &v, d(2023, 9, 30)).expected_value(&quarterly).unwrap() > marker + 1.0);
    // A quarterly metric's path is the straight line; no target, no path.
    assert_eq!(expected_path(&quarterly, baseline, d(2025, 12, 31)).len(), 2);
    let context = Metric { target: None, ..m.clone() };
    assert!(expected_path(&context, baseline, d(2025, 12, 31)).is_empty());
    // A target date inside a year ends the path there; a mid-year baseline starts it.
    let mid = BaselinePoint { date: d(2021, 6, 30), ..baseline };
    let dates: Vec<_> = expected_path(&m, mid, d(2024, 6, 30)).iter().map(|p| p.0).collect();
    assert_eq!(dates, [d(2021, 6, 30), d(2021, 12, 31), d(2022, 12, 31), d(2023, 12, 31), d(2024, 6, 30)]);
}
