use super::*;
use crate::plan::Target;

fn q(s: &str) -> Quarter {
    s.parse().unwrap()
}

fn metric(kind: Kind, unit: &str, direction: Direction, baseline: Option<f64>, target: Option<f64>) -> Metric {
    Metric { unit: unit.into(), ..Metric::sample(kind, direction, baseline, target.map(Target::single)) }
}

fn codes(f: &[Flag]) -> Vec<&'static str> {
    f.iter().map(|f| f.code.code()).collect()
}

#[test]
fn percentages_scores_and_milestones_run_from_0_to_100() {
    for (kind, unit) in [(Kind::Level, "%"), (Kind::Level, "％"), (Kind::Level, "分"), (Kind::Milestone, "")] {
        let b = bounds(&metric(kind, unit, Direction::Higher, Some(0.0), Some(100.0)));
        assert!(b.refusal(0.0).is_none() && b.refusal(100.0).is_none(), "{unit}");
        assert!(b.refusal(101.4).unwrap().contains("0 到 100"), "{unit}");
        assert!(b.refusal(-833281.0).unwrap().contains("0 到 100"), "{unit}");
    }
    // A change in percentage points may be negative.
    assert!(bounds(&metric(Kind::Level, "个百分点", Direction::Higher, None, Some(2.0))).refusal(-3.0).is_none());
}

#[test]
fn a_year_has_at_most_366_days() {
    let b = bounds(&metric(Kind::Level, "天", Direction::Higher, Some(300.0), Some(320.0)));
    assert!(b.refusal(366.0).is_none());
    assert!(b.refusal(372.0).unwrap().contains("0 到 366"));
}

#[test]
fn counts_and_amounts_are_never_negative_and_things_are_whole() {
    let radars = bounds(&metric(Kind::Count, "套", Direction::Higher, Some(0.0), Some(2.0)));
    assert!(radars.refusal(-1.0).unwrap().contains("不能小于 0"));
    assert!(radars.refusal(1.61).unwrap().contains("整数"));
    assert!(radars.refusal(2.0).is_none());
    let minutes = bounds(&metric(Kind::Level, "分钟", Direction::Higher, Some(37.0), Some(48.0)));
    assert!(minutes.refusal(-5.0).is_some());
    assert!(minutes.refusal(45.5).is_none(), "a level in minutes may have decimals");
    // A temperature has no lower bound of zero.
    assert!(bounds(&metric(Kind::Level, "℃", Direction::Lower, Some(1.0), Some(0.5))).refusal(-3.0).is_none());
}

#[test]
fn a_metrics_own_bounds_take_precedence_over_its_units() {
    let mut stations = metric(Kind::Count, "个", Direction::Higher, Some(0.0), Some(381.0));
    stations.max = Some(381.0);
    let b = bounds(&stations);
    assert!(b.refusal(381.0).is_none());
    assert!(b.refusal(1000.0).unwrap().contains("0 到 381"));
    let mut score = metric(Kind::Level, "分", Direction::Higher, Some(90.0), Some(110.0));
    score.max = Some(120.0);
    assert!(bounds(&score).refusal(115.0).is_none());
    let mut growth = metric(Kind::Level, "%", Direction::Higher, Some(2.0), Some(5.0));
    growth.min = Some(-100.0);
    assert!(bounds(&growth).refusal(-2.0).is_none());
}

#[test]
fn clamping_keeps_a_projection_within_what_the_metric_can_be() {
    let share = bounds(&metric(Kind::Level, "%", Direction::Higher, Some(80.0), Some(92.0)));
    assert_eq!(share.clamp(102.5), 100.0);
    assert_eq!(bounds(&metric(Kind::Level, "天", Direction::Higher, None, Some(300.0))).clamp(403.0), 366.0);
    assert_eq!(bounds(&metric(Kind::Count, "套", Direction::Higher, Some(0.0), Some(2.0))).clamp(1.61), 2.0);
    assert_eq!(bounds(&metric(Kind::Milestone, "", Direction::Higher, Some(0.0), None)).clamp(126.0), 100.0);
    assert_eq!(bounds(&metric(Kind::Level, "℃", Direction::Higher, None, Some(1.0))).clamp(-7.5), -7.5);
}

#[test]
fn a_jump_far_beyond_the_usual_quarterly_change_is_flagged() {
    let m = metric(Kind::Level, "Mbps", Direction::Higher, Some(60.0), Some(300.0));
    let earlier = [(q("2021Q1"), 70.0), (q("2021Q2"), 80.0), (q("2021Q3"), 90.0), (q("2021Q4"), 100.0)];
    assert!(flags(&m, &earlier, q("2022Q1"), 112.0).is_empty());
    let f = flags(&m, &earlier, q("2022Q1"), 197.2);
    assert_eq!(codes(&f), ["jump"]);
    assert!(f[0].message.contains("2021年第四季度 的 100") && f[0].message.contains("+97.2"), "{}", f[0].message);
    // Quarters without a report widen what is usual.
    assert!(flags(&m, &earlier, q("2023Q4"), 170.0).is_empty());
    // Later figures do not count as earlier ones.
    assert!(flags(&m, &[(q("2023Q1"), 197.0)], q("2022Q1"), 100.0).is_empty());
}

#[test]
fn with_little_history_only_a_change_beyond_twice_the_whole_distance_is_a_jump() {
    let m = metric(Kind::Level, "Mbps", Direction::Higher, Some(60.0), Some(300.0));
    assert!(flags(&m, &[], q("2021Q1"), 520.0).is_empty());
    assert_eq!(codes(&flags(&m, &[], q("2021Q1"), 541.0)), ["jump"]);
    assert_eq!(codes(&flags(&m, &[(q("2021Q1"), 197.2)], q("2021Q2"), 1000.0)), ["jump", "beyond_twice_target"]);
}

#[test]
fn a_level_moving_away_from_its_target_more_than_ever_before_is_flagged() {
    let lead = metric(Kind::Level, "分钟", Direction::Higher, Some(37.0), Some(48.0));
    let earlier = [(q("2021Q1"), 38.0), (q("2021Q2"), 40.0), (q("2021Q3"), 41.0)];
    assert!(flags(&lead, &earlier, q("2021Q4"), 40.0).is_empty(), "a small step back is normal");
    assert_eq!(codes(&flags(&lead, &earlier, q("2021Q4"), 38.5)), ["away_from_target"]);
    // Lower is better: moving up is away.
    let grid = metric(Kind::Level, "公里", Direction::Lower, Some(2.5), Some(1.0));
    let earlier = [(q("2021Q1"), 2.3), (q("2021Q2"), 2.1)];
    assert_eq!(codes(&flags(&grid, &earlier, q("2021Q3"), 2.4)), ["away_from_target"]);
    // Counts are cumulative; their own rule covers a fall.
    let stations = metric(Kind::Count, "个", Direction::Higher, Some(0.0), Some(381.0));
    let earlier = [(q("2021Q1"), 100.0), (q("2021Q2"), 120.0)];
    assert!(!codes(&flags(&stations, &earlier, q("2021Q3"), 90.0)).contains(&"away_from_target"));
}

#[test]
fn beyond_twice_the_target_is_flagged_in_both_directions() {
    let engineers = metric(Kind::Count, "名", Direction::Higher, Some(0.0), None);
    let engineers = Metric { target: Some(Target { low: 2.0, high: 3.0 }), ..engineers };
    assert!(!codes(&flags(&engineers, &[], q("2021Q4"), 6.0)).contains(&"beyond_twice_target"));
    assert!(codes(&flags(&engineers, &[], q("2021Q4"), 7.0)).contains(&"beyond_twice_target"));
    let grid = metric(Kind::Level, "公里", Direction::Lower, Some(2.5), Some(1.0));
    assert!(codes(&flags(&grid, &[], q("2021Q1"), 5.1)).contains(&"beyond_twice_target"));
    // A reference metric has no target to compare with.
    let context = metric(Kind::Context, "项", Direction::Higher, Some(16.0), None);
    assert!(flags(&context, &[(q("2021Q1"), 16.0)], q("2021Q2"), 40.0).is_empty());
}

#[test]
fn milestones_carry_no_soft_flags() {
    let m = metric(Kind::Milestone, "", Direction::Higher, Some(0.0), None);
    assert!(flags(&m, &[(q("2021Q1"), 5.0), (q("2021Q2"), 10.0)], q("2021Q3"), 100.0).is_empty());
}

#[test]
fn flag_codes_are_stable() {
    let json = serde_json::to_value(Flag { code: FlagKind::AwayFromTarget, message: String::new() }).unwrap();
    assert_eq!(json["code"], "away_from_target");
    for k in [FlagKind::Jump, FlagKind::AwayFromTarget, FlagKind::BeyondTwiceTarget] {
        assert_eq!(serde_json::to_value(k).unwrap(), k.code());
    }
}

#[test]
fn reference_totals_of_things_are_whole_but_a_level_in_things_may_be_an_average() {
    let projects = metric(Kind::Context, "项", Direction::Higher, Some(16.0), None);
    assert_eq!(bounds(&projects).clamp(18.71), 19.0);
    assert!(bounds(&projects).refusal(18.5).is_some());
    let average = metric(Kind::Level, "个", Direction::Higher, Some(2.0), Some(3.0));
    assert_eq!(bounds(&average).clamp(2.5), 2.5);
}
