use super::*;

const GOOD: &str = r#"
[plan]
key = "test-plan"
title = "测试规划"
period_start = 2021-01-01
period_end = 2025-12-31
midterm_on = 2023-06-30

[[chapters]]
title = "第一章"

[[chapters.metrics]]
key = "lead-time"
name = "预警提前量"
unit = "分钟"
kind = "level"
direction = "higher"
baseline = 37
target = 48
source = "提前量达到 48 分钟"

[[chapters.metrics]]
key = "engineers"
name = "高级工程师"
unit = "名"
kind = "count"
direction = "higher"
baseline = 0
target = [2, 3]
source = "培养高级工程师2—3名"

[[chapters.metrics]]
key = "centre"
name = "试验中心建成"
unit = "%"
kind = "milestone"
direction = "higher"
baseline = 0
source = "推动建设"

[[chapters.metrics]]
key = "satisfaction"
name = "满意度"
unit = "分"
kind = "context"
direction = "higher"
baseline = 92.3
baseline_date = "2020-12-31"
source = "满意度达 92.3 分"
"#;

fn broken(from: &str, to: &str) -> SeedError {
    assert!(GOOD.contains(from), "fixture lacks {from}");
    parse("seeds/x.toml", &GOOD.replacen(from, to, 1)).unwrap_err()
}

#[test]
fn a_good_file_parses_with_defaults_filled_in() {
    let p = parse("seeds/x.toml", GOOD).unwrap();
    assert_eq!(p.key, "test-plan");
    let ms = &p.chapters[0].metrics;
    assert_eq!(ms.len(), 4);
    assert_eq!(ms[0].baseline, Some(37.0));
    assert_eq!(ms[0].target, Some(Target::single(48.0)));
    assert_eq!(ms[0].baseline_date, NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
    assert_eq!(ms[0].target_date, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    assert_eq!(ms[1].target, Some(Target { low: 2.0, high: 3.0 }));
    assert_eq!(ms[2].target, Some(Target::single(100.0)), "milestones run to 100 %");
    assert_eq!(ms[3].target, None);
}

#[test]
fn missing_target_names_file_metric_and_field() {
    let e = broken("target = 48\n", "");
    assert_eq!((e.file.as_str(), e.field.as_str()), ("seeds/x.toml", "target"));
    let msg = e.to_string();
    assert!(msg.contains("seeds/x.toml") && msg.contains("lead-time") && msg.contains("缺少目标值"), "{msg}");
}

#[test]
fn unknown_kind_is_refused() {
    let e = broken("kind = \"level\"", "kind = \"rate\"");
    assert_eq!(e.field, "kind");
    assert!(e.to_string().contains("lead-time") && e.to_string().contains("rate"));
}

#[test]
fn range_with_low_above_high_is_refused() {
    let e = broken("target = [2, 3]", "target = [3, 2]");
    assert_eq!(e.field, "target");
    assert!(e.to_string().contains("engineers"));
}

#[test]
fn bad_dates_are_refused() {
    let e = broken("baseline_date = \"2020-12-31\"", "baseline_date = \"2020-13-31\"");
    assert_eq!(e.field, "baseline_date");
    assert!(e.to_string().contains("satisfaction"));
    let e = broken("period_end = 2025-12-31", "period_end = 2020-12-31");
    assert_eq!(e.field, "plan.period_end");
}

#[test]
fn other_mistakes_are_refused() {
    assert_eq!(broken("direction = \"higher\"", "direction = \"up\"").field, "direction");
    assert_eq!(broken("key = \"engineers\"", "key = \"lead-time\"").field, "key");
    assert_eq!(broken("key = \"centre\"", "key = \"Centre Two\"").field, "key");
    assert_eq!(broken("source = \"推动建设\"", "source = \"\"").field, "source");
    assert_eq!(broken("baseline = 92.3\n", "").field, "baseline");
    assert_eq!(broken("source = \"满意度达 92.3 分\"", "source = \"x\"\ntarget = 1").field, "target");
    assert_eq!(broken("baseline = 37", "baseline = \"37\"").field, "baseline");
}

#[test]
fn unknown_fields_and_bad_toml_are_refused_with_the_file_name() {
    let e = broken("target = 48", "traget = 48");
    assert!(e.to_string().contains("seeds/x.toml") && e.to_string().contains("traget"), "{e}");
    let e = parse("seeds/y.toml", "[plan\n").unwrap_err();
    assert!(e.to_string().contains("seeds/y.toml"));
}

#[test]
fn a_metrics_own_bounds_are_read_and_checked_against_its_figures() {
    let def = parse("t.toml", &GOOD.replace("target = 48\n", "target = 48\nmin = 0\nmax = 120\n")).unwrap();
    let m = &def.chapters[0].metrics[0];
    assert_eq!((m.min, m.max), (Some(0.0), Some(120.0)));
    assert_eq!(broken("target = 48\n", "target = 48\nmin = 50\nmax = 10\n").field, "max");
    let e = broken("target = 48\n", "target = 48\nmax = 40\n");
    assert_eq!((e.field.as_str(), e.message.contains("超出")), ("target", true), "{e}");
    assert_eq!(broken("target = 48\n", "target = 48\nmin = 40\n").field, "baseline");
    assert_eq!(broken("target = 48\n", "target = 48\nmax = \"many\"\n").field, "max");
}

#[test]
fn continues_and_retirement_are_read_and_checked() {
    let with = |extra: &str| {
        GOOD.replace("source = \"提前量达到 48 分钟\"", &format!("source = \"提前量达到 48 分钟\"\n{extra}"))
    };
    let def =
        parse("s.toml", &with("continues = \"old-lead\"\nretired_on = 2024-01-01\nretired_reason = \"口径调整\""))
            .unwrap();
    let m = &def.chapters[0].metrics[0];
    assert_eq!(m.continues.as_deref(), Some("old-lead"));
    let r = m.retired.as_ref().unwrap();
    assert_eq!((r.on.to_string(), r.reason.as_str()), ("2024-01-01".to_owned(), "口径调整"));
    assert!(def.chapters[0].metrics[1].continues.is_none() && def.chapters[0].metrics[1].retired.is_none());

    let e = parse("s.toml", &with("continues = \"Not A Key\"")).unwrap_err();
    assert_eq!(e.field, "continues");
    let e = parse("s.toml", &with("continues = \"lead-time\"")).unwrap_err();
    assert!(e.message.contains("自己"), "{e}");
    let e = parse("s.toml", &with("retired_reason = \"无日期\"")).unwrap_err();
    assert_eq!(e.field, "retired_reason");
}

#[test]
fn a_frequency_is_quarterly_unless_the_seed_says_annual() {
    let plan = parse("t.toml", GOOD).unwrap();
    assert!(plan.chapters[0].metrics.iter().all(|m| m.frequency == Frequency::Quarterly));
    let annual = GOOD.replacen("kind = \"count\"", "kind = \"count\"\nfrequency = \"annual\"", 1);
    let plan = parse("t.toml", &annual).unwrap();
    let engineers = plan.chapters[0].metrics.iter().find(|m| m.key == "engineers").unwrap();
    assert_eq!(engineers.frequency, Frequency::Annual);
    assert_eq!(parse("t.toml", &to_toml(&plan)).unwrap(), plan, "written back as it was");
    let e = broken("kind = \"level\"", "kind = \"level\"\nfrequency = \"monthly\"");
    assert_eq!(e.field, "frequency");
    assert!(e.to_string().contains("monthly"));
}
