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
    let p = project(&v, Direction::Higher, Some(Target::single(48.0)), d(2025, 12, 31)).unwrap();
    assert_eq!(p.reach, Some(q("2023Q3")));
    assert!((p.slope_per_year - 4.0).abs() < 0.05, "{}", p.slope_per_year);
    assert!((p.value_at_target_date - 57.0).abs() < 0.2, "{}", p.value_at_target_date);
}

#[test]
fn projection_never_reaches_when_moving_away() {
    let v = vals(&[("2021Q4", 2.0), ("2022Q4", 2.2)]);
    let p = project(&v, Direction::Lower, Some(Target::single(1.0)), d(2025, 12, 31)).unwrap();
    assert_eq!(p.reach, None);
    let flat = vals(&[("2021Q4", 2.0), ("2022Q4", 2.0)]);
    assert_eq!(project(&flat, Direction::Lower, Some(Target::single(1.0)), d(2025, 12, 31)).unwrap().reach, None);
}

#[test]
fn projection_of_a_met_target_names_the_quarter_it_was_met() {
    let v = vals(&[("2021Q4", 40.0), ("2022Q4", 49.0), ("2023Q2", 50.0)]);
    let p = project(&v, Direction::Higher, Some(Target::single(48.0)), d(2025, 12, 31)).unwrap();
    assert_eq!(p.reach, Some(q("2022Q4")));
}

#[test]
fn projection_is_never_earlier_than_the_quarter_after_the_last_miss() {
    // A steep early rise then a drop: the fitted line crosses 48 before 2023Q2,
    // but 2023Q2 itself missed.
    let v = vals(&[("2021Q1", 30.0), ("2021Q2", 47.0), ("2023Q2", 47.5)]);
    let p = project(&v, Direction::Higher, Some(Target::single(48.0)), d(2025, 12, 31)).unwrap();
    assert!(p.reach.unwrap() >= q("2023Q3"), "{:?}", p.reach);
}

#[test]
fn projection_far_beyond_any_horizon_is_none() {
    let v = vals(&[("2021Q4", 0.0), ("2022Q4", 0.001)]);
    let p = project(&v, Direction::Higher, Some(Target::single(381.0)), d(2025, 12, 31)).unwrap();
    assert_eq!(p.reach, None);
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
fn the_trend_line_is_counted_back_from_the_target_date() {
    let p = Projection { slope_per_year: 2.0, value_at_target_date: 50.0, reach: None };
    assert!(approx(p.value_at(d(2025, 12, 31), d(2025, 12, 31)), 50.0));
    let two_years = d(2025, 12, 31) - chrono::Duration::days(731);
    assert!(approx(p.value_at(d(2025, 12, 31), two_years), 50.0 - 2.0 * 731.0 / 365.25));
}

#[test]
fn status_counts_list_every_status_in_order() {
    let counts = count_statuses([Status::OffTrack, Status::Achieved, Status::OffTrack].into_iter());
    assert_eq!(counts.iter().map(|(s, _)| *s).collect::<Vec<_>>(), Status::ALL);
    assert_eq!(counts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 0, 0, 2, 0, 0]);
}
