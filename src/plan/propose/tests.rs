//! The proposal as a whole: measured on the 14th plan's text against what a careful reader
//! takes from it, and tried on other plans' passages and sentences of our own.

use chrono::NaiveDate;
use serde::Deserialize;

use super::*;
use crate::plan::seed;

const PLAN_14: &str = include_str!("../../../tests/data/qijiang-14.txt");
const EXPECTED_14: &str = include_str!("../../../tests/data/qijiang-14-targets.toml");

#[derive(Deserialize)]
struct Expected {
    row: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    name: String,
    unit: String,
    target: Option<[f64; 2]>,
    baseline: Option<f64>,
    direction: String,
    kind: String,
    quote: String,
}

impl Row {
    fn matches(&self, p: &Proposed) -> bool {
        if !p.source.contains(&self.quote) || p.unit != self.unit || p.kind.as_str() != self.kind {
            return false;
        }
        match (self.target, self.kind.as_str()) {
            (Some([low, high]), _) => p.target == Some(Target { low, high }) && p.direction.as_str() == self.direction,
            (None, "context") => p.baseline == self.baseline,
            (None, _) => true,
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Recall: the share of the 14th plan's numeric targets proposed with the right target,
/// unit and direction. Precision: the share of proposed targets that are one of them.
/// Run with `cargo test --lib propose::tests::quality -- --nocapture` to see the figures.
#[test]
fn quality_on_the_14th_plan() {
    let proposal = propose(PLAN_14);
    let expected: Expected = toml::from_str(EXPECTED_14).unwrap();
    let mut taken = vec![false; proposal.metrics.len()];
    let mut matched_rows = Vec::new();
    let mut missed = Vec::new();
    for row in &expected.row {
        let hit = proposal.metrics.iter().enumerate().find(|(i, p)| !taken[*i] && row.matches(p));
        match hit {
            Some((i, _)) => {
                taken[i] = true;
                matched_rows.push(row);
            }
            None => missed.push(row),
        }
    }
    let numeric = expected.row.iter().filter(|r| r.target.is_some()).count();
    let numeric_hits = matched_rows.iter().filter(|r| r.target.is_some()).count();
    let proposed_targets: Vec<usize> =
        (0..proposal.metrics.len()).filter(|i| proposal.metrics[*i].target.is_some()).collect();
    let true_targets = proposed_targets.iter().filter(|i| taken[**i]).count();
    let recall = numeric_hits as f64 / numeric as f64;
    let precision = true_targets as f64 / proposed_targets.len() as f64;
    let others = expected.row.len() - numeric;
    let other_hits = matched_rows.len() - numeric_hits;
    println!("proposal of the 14th plan: {} metrics, {} with a target", proposal.metrics.len(), proposed_targets.len());
    println!(
        "numeric targets: recall {numeric_hits}/{numeric} = {:.0}%, precision {true_targets}/{} = {:.0}%",
        recall * 100.0,
        proposed_targets.len(),
        precision * 100.0
    );
    println!("milestones and context figures found: {other_hits}/{others}");
    for r in &missed {
        println!("  missed: {} ({}, {:?})", r.name, r.kind, r.target);
    }
    for (i, p) in proposal.metrics.iter().enumerate() {
        if p.target.is_some() && !taken[i] {
            println!("  extra: {} {:?} {} {}", p.name, p.target.map(|t| t.to_string()), p.unit, p.direction.as_str());
        }
    }
    assert!(recall >= 0.9, "recall {recall:.2} below 90%");
    assert!(precision >= 0.6, "precision {precision:.2} below 60%");
}

#[test]
fn the_14th_plans_header() {
    let h = propose(PLAN_14).header;
    assert_eq!(h.title, "重庆市綦江区气象发展“十四五”规划");
    assert_eq!(h.document_number, "綦江府办发〔2021〕49号");
    assert_eq!(h.issuer, "重庆市綦江区人民政府办公室");
    assert_eq!(h.issued_on, ymd(2021, 12, 6));
    assert_eq!((h.period_start, h.period_end), (ymd(2021, 1, 1), ymd(2025, 12, 31)));
}

#[test]
fn baselines_come_from_the_review_of_the_previous_period() {
    let p = propose(PLAN_14);
    let find = |quote: &str, unit: &str| {
        p.metrics.iter().find(|m| m.source.contains(quote) && m.unit == unit && m.target.is_some()).unwrap()
    };
    let storm = find("暴雨过程预警准确率达到 92 分", "分");
    assert_eq!((storm.baseline, storm.baseline_date), (Some(81.2), ymd(2020, 12, 31)));
    assert_eq!(find("强对流预警时间提前量达到 48 分钟", "分钟").baseline, Some(37.0));
    assert_eq!(find("带宽提升至300Mbps", "Mbps").baseline, Some(60.0));
    // The review's figures are never targets.
    assert!(p.metrics.iter().filter(|m| m.chapter.starts_with("第一章")).all(|m| m.kind == Kind::Context));
}

#[test]
fn the_14th_plans_proposal_is_a_seed_file_that_reads_back() {
    let p = propose(PLAN_14);
    let def = p.to_plan_def(&p.default_key(), &|k| k == "senior-engineers");
    assert_eq!(def.key, "meteorology-2021-2025");
    assert_eq!(def.midterm_on, ymd(2023, 6, 30));
    assert_eq!(def.source, "綦江府办发〔2021〕49号 重庆市綦江区人民政府办公室");
    let text = seed::to_toml(&def);
    let back = seed::parse("proposed.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let keys: Vec<&str> = back.chapters.iter().flat_map(|c| c.metrics.iter().map(|m| m.key.as_str())).collect();
    assert!(!keys.contains(&"senior-engineers"));
    assert!(keys.contains(&"senior-engineers-2025"), "{keys:?}");
    assert!(keys.contains(&"rainstorm-warning-accuracy"), "{keys:?}");
    let n: usize = back.chapters.iter().map(|c| c.metrics.len()).sum();
    assert_eq!(n, p.metrics.len());
    assert!(
        back.chapters.iter().all(|c| c.title.starts_with('第')),
        "{:?}",
        back.chapters.iter().map(|c| &c.title).collect::<Vec<_>>()
    );
}

#[test]
fn every_figure_highlights_a_piece_of_its_source() {
    for m in propose(PLAN_14).metrics {
        for r in &m.figures {
            let piece = m.source.get(r.clone()).unwrap_or_else(|| panic!("{r:?} not in {}", m.source));
            assert!(!piece.is_empty());
        }
    }
}

/// 衡阳市人民政府关于加快推进气象现代化的意见 (2015), from shared/plan/OTHER-PLANS.md.
#[test]
fn hengyang_targets_are_due_in_2020_and_higher_is_better() {
    let text = "(二)主要目标。力争在2020年前全市基本实现气象现代化,使气象整体实力达到全省先进水平。气象监测更加可靠,灾害性天气监测率达到95%以上;预报预测更加准确,天气预报准确率达到80%以上;预警信息更加广泛,公众覆盖率达到95%以上;气象服务更加优质,公众满意率达到90%以上。";
    let p = propose(text);
    let got: Vec<(&str, f64)> = p.metrics.iter().map(|m| (m.name.as_str(), m.target.unwrap().low)).collect();
    assert_eq!(got, [("灾害性天气监测率", 95.0), ("天气预报准确率", 80.0), ("公众覆盖率", 95.0), ("公众满意率", 90.0)]);
    for m in &p.metrics {
        assert_eq!((m.unit.as_str(), m.kind, m.direction, m.baseline), ("%", Kind::Level, Direction::Higher, None));
        assert_eq!(m.target_date, ymd(2020, 12, 31));
    }
    assert_eq!((p.header.period_start, p.header.period_end), (ymd(2016, 1, 1), ymd(2020, 12, 31)));
    let def = p.to_plan_def(&p.default_key(), &|_| false);
    seed::parse("hengyang.toml", &seed::to_toml(&def)).unwrap();
}

/// 德兴市气象事业发展"十四五"规划's review chapter, from shared/plan/OTHER-PLANS.md.
#[test]
fn dexing_achievements_are_context_never_targets() {
    let text = "德兴市气象事业发展“十四五”规划\n一、“十三五”发展成效\n我市成功创建“中国天然氧吧”,大茅山景区成功入围江西省首批避暑旅游目的地,建设了负氧离子监测站5套。\n在青舍里建成科普气象站1个,被授予“德兴市科普教育基地”。\n";
    let p = propose(text);
    assert!(p.metrics.iter().all(|m| m.kind == Kind::Context && m.target.is_none()));
    let got: Vec<(f64, &str)> = p.metrics.iter().map(|m| (m.baseline.unwrap(), m.unit.as_str())).collect();
    assert_eq!(got, [(5.0, "套"), (1.0, "个")]);
    // Outside a review, 建设了 still tells what is done.
    let p = propose("德兴市气象事业发展规划(2021—2025年)\n建设了负氧离子监测站5套。\n");
    assert_eq!(p.metrics.len(), 1);
    assert_eq!(p.metrics[0].kind, Kind::Context);
}

/// A 15th plan as it might read: baselines in the sentence, lower-is-better verbs, a later
/// target year, Chinese numerals, a percentage-point change and a milestone.
#[test]
fn a_15th_plan_of_our_own() {
    let text = "某某区气象发展“十五五”规划\n第二章 主要目标\n到2030年,暴雨预警准确率从85%提升到92%,预警信息发布时间缩短至5分钟以内,气象灾害造成的经济损失占GDP比重下降0.5个百分点。\n第三章 重点任务\n新建两个国家级气象观测站,培养首席预报员1—2名。2028年底前建成区气象防灾减灾中心。\n“十四五”期间已建成区域自动气象站40个。\n";
    let p = propose(text);
    assert_eq!((p.header.period_start, p.header.period_end), (ymd(2026, 1, 1), ymd(2030, 12, 31)));
    let by_unit = |name: &str| {
        p.metrics.iter().find(|m| m.name.contains(name)).unwrap_or_else(|| panic!("{name}: {:?}", p.metrics))
    };
    let storm = by_unit("暴雨预警准确率");
    assert_eq!(
        (storm.baseline, storm.target, storm.direction),
        (Some(85.0), Some(Target::single(92.0)), Direction::Higher)
    );
    assert_eq!(storm.figures.len(), 2);
    assert_eq!(storm.target_date, ymd(2030, 12, 31));
    let time = by_unit("发布时间");
    assert_eq!((time.unit.as_str(), time.direction, time.kind), ("分钟", Direction::Lower, Kind::Level));
    let loss = by_unit("经济损失");
    // A change of 0.5 points is no level of 0.5 %: the metric is the fall itself, from 0.
    assert_eq!(
        (loss.unit.as_str(), loss.direction, loss.baseline, loss.target),
        ("个百分点", Direction::Higher, Some(0.0), Some(Target::single(0.5)))
    );
    assert!(loss.name.ends_with("(较基期下降幅度)"), "{}", loss.name);
    let stations = by_unit("国家级气象观测站");
    assert_eq!(
        (stations.kind, stations.target, stations.baseline),
        (Kind::Count, Some(Target::single(2.0)), Some(0.0))
    );
    assert_eq!(stations.chapter, "第三章 重点任务");
    let forecasters = by_unit("首席预报员");
    assert_eq!(forecasters.target, Some(Target { low: 1.0, high: 2.0 }));
    let centre = by_unit("防灾减灾中心");
    assert_eq!(
        (centre.kind, centre.unit.as_str(), centre.baseline, centre.target),
        (Kind::Milestone, "%", Some(0.0), None)
    );
    assert_eq!(centre.target_date, ymd(2028, 12, 31));
    let done = by_unit("区域自动气象站");
    assert_eq!((done.kind, done.baseline, done.target), (Kind::Context, Some(40.0), None));
}

#[test]
fn a_figure_no_unit_allows_is_left_out() {
    let p = propose("“十五五”规划\n第一章 目标\n到2030年,预报准确率达到120%,新建1.5套雷达,培养工程师3名。\n");
    let got: Vec<&str> = p.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(got, ["培养工程师"]);
}

#[test]
fn several_targets_in_one_sentence_each_with_its_subject() {
    let p =
        propose("“十五五”规划\n第五章 防灾\n对现有200个山洪风险区、300个地质灾害隐患点和6个城市易涝点开展实时预警。\n");
    let got: Vec<(&str, f64)> = p.metrics.iter().map(|m| (m.name.as_str(), m.target.unwrap().low)).collect();
    assert_eq!(got, [("山洪风险区", 200.0), ("地质灾害隐患点", 300.0), ("城市易涝点", 6.0)]);
}

#[test]
fn a_list_of_named_facilities_is_a_count() {
    let p = propose("“十五五”规划\n第四章 业务\n智能化改造东溪、石角、赶水标准化炮站。\n");
    assert_eq!(p.metrics.len(), 1);
    let m = &p.metrics[0];
    assert_eq!(
        (m.name.as_str(), m.unit.as_str(), m.target),
        ("东溪、石角、赶水标准化炮站", "个", Some(Target::single(3.0)))
    );
    assert_eq!(&m.source[m.figures[0].clone()], "东溪、石角、赶水标准化炮站");
}

#[test]
fn a_table_of_main_indicators() {
    let text = "某区气象发展规划(2026—2030年)\n第二章 主要目标\n专栏1 “十五五”时期主要指标\n序号\t指标\t2025年\t2030年\t属性\n1\t暴雨预警准确率(%)\t88\t≥92\t预期性\n2\t智能网格预报空间分辨率(公里)\t1\t0.5\t约束性\n3\t新建区域自动气象站(个)\t—\t20\t预期性\n";
    let p = propose(text);
    type Row<'a> = (&'a str, &'a str, Option<f64>, f64, Direction, Kind);
    let got: Vec<Row> = p
        .metrics
        .iter()
        .map(|m| (m.name.as_str(), m.unit.as_str(), m.baseline, m.target.unwrap().low, m.direction, m.kind))
        .collect();
    let want: [Row; 3] = [
        ("暴雨预警准确率", "%", Some(88.0), 92.0, Direction::Higher, Kind::Level),
        ("智能网格预报空间分辨率", "公里", Some(1.0), 0.5, Direction::Lower, Kind::Level),
        ("新建区域自动气象站", "个", None, 20.0, Direction::Higher, Kind::Count),
    ];
    assert_eq!(got, want);
    let m = &p.metrics[0];
    assert_eq!(m.figures.iter().map(|r| &m.source[r.clone()]).collect::<Vec<_>>(), ["88", "≥92"]);
    assert_eq!(m.chapter, "第二章 主要目标");
}

#[test]
fn nothing_to_propose_in_a_text_without_targets() {
    let p = propose("关于做好防汛工作的通知\n各单位要高度重视,加强值守。\n");
    assert!(p.metrics.is_empty());
}

#[test]
#[ignore = "prints the 14th plan's proposal, for reading"]
fn print_the_14th_plans_proposal() {
    for m in propose(PLAN_14).metrics {
        println!(
            "{} | {} | {} {} {} | b={:?} t={:?} | {}",
            m.chapter,
            m.name,
            m.kind,
            m.unit,
            m.direction.as_str(),
            m.baseline,
            m.target.map(|t| t.to_string()),
            m.source.chars().take(30).collect::<String>()
        );
    }
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Text made of the pieces plans are made of, in any order.
    fn plan_like() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "到2030年",
            "2028年前",
            "“十五五”",
            "“十四五”期间",
            "第三章 任务\n",
            "一、成效\n",
            "(一)回顾\n",
            "专栏2 工程\n",
            "新建",
            "提高到",
            "降低",
            "不超过",
            "以上",
            "以内",
            "从",
            "由",
            "至",
            "到",
            "—",
            "~",
            "、",
            ",",
            "。",
            ";",
            "\n",
            "\t",
            "  ",
            "3",
            "2.5",
            "１２",
            "两",
            "十五",
            "1,000",
            "万",
            "%",
            "个",
            "名",
            "分钟",
            "小时",
            "公里",
            "Mbps",
            "M",
            "分",
            "天",
            "准确率",
            "分辨率",
            "提前量",
            "区域气象站",
            "建成",
            "完成",
            "建设",
            "中心",
            "炮站",
            "等",
            "和",
            "已",
            "了",
            "《",
            "》",
            "〔2026〕",
            "号",
            "(",
            ")",
            "≥",
            "≤",
            "綦江府办发〔2026〕1号\n",
            "规划\n",
            "ü绿",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn never_panics_and_always_makes_a_seed_that_reads_back(text in prop_oneof![plan_like(), any::<String>()]) {
            let p = propose(&text);
            for m in &p.metrics {
                for r in &m.figures {
                    prop_assert!(m.source.get(r.clone()).is_some(), "{r:?} in {}", m.source);
                }
            }
            if !p.metrics.is_empty() {
                let def = p.to_plan_def(&p.default_key(), &|_| false);
                let toml = seed::to_toml(&def);
                prop_assert!(seed::parse("p.toml", &toml).is_ok(), "{:?}\n{toml}", seed::parse("p.toml", &toml).err());
            }
        }
    }
}

#[test]
fn a_change_in_points_is_the_level_it_implies_when_the_sentence_gives_the_start() {
    let text = "某某区气象发展“十五五”规划\n第二章 主要目标\n到2030年,暴雨预警准确率提高5个百分点,预警信息公众覆盖率从90%提高3个百分点。\n";
    let p = propose(text);
    let find = |name: &str| {
        p.metrics.iter().find(|m| m.name.contains(name)).unwrap_or_else(|| panic!("{name}: {:?}", p.metrics))
    };
    let storm = find("暴雨预警准确率");
    assert_eq!((storm.unit.as_str(), storm.baseline, storm.target), ("个百分点", Some(0.0), Some(Target::single(5.0))));
    assert!(storm.name.contains("提高幅度"), "{}", storm.name);
    let reach = find("覆盖率");
    assert_eq!((reach.unit.as_str(), reach.baseline, reach.target), ("%", Some(90.0), Some(Target::single(93.0))));
    assert_eq!(reach.figures.len(), 2);
}

#[test]
fn a_change_by_an_amount_is_the_change_itself_and_a_change_to_a_level_is_the_level() {
    let text = "某某县气象发展“十五五”规划\n第二章 主要目标\n到2030年,气象灾害造成的经济损失减少10%,预警信息发布时间缩短10分钟,短时临近预报时效延长至3小时。\n";
    let p = propose(text);
    let find = |name: &str| {
        p.metrics.iter().find(|m| m.name.contains(name)).unwrap_or_else(|| panic!("{name}: {:?}", p.metrics))
    };
    let loss = find("经济损失");
    assert_eq!(
        (loss.unit.as_str(), loss.baseline, loss.target, loss.direction),
        ("%", Some(0.0), Some(Target::single(10.0)), Direction::Higher)
    );
    assert!(loss.name.contains("减少幅度"), "{}", loss.name);
    let time = find("发布时间");
    assert_eq!((time.unit.as_str(), time.baseline, time.target), ("分钟", Some(0.0), Some(Target::single(10.0))));
    assert!(time.name.contains("缩短幅度"), "{}", time.name);
    let reach = find("预报时效");
    assert_eq!((reach.baseline, reach.target, reach.direction), (None, Some(Target::single(3.0)), Direction::Higher));
    assert!(!reach.name.contains("幅度"), "{}", reach.name);
}

#[test]
fn a_milestone_beside_a_count_in_one_sentence_is_proposed_too() {
    let text =
        "某某市气象事业发展“十五五”规划\n第二章 发展目标\n到2030年,新建区域自动气象站30个,建成市气象灾害防御中心。\n";
    let p = propose(text);
    let names: Vec<(&str, Kind)> = p.metrics.iter().map(|m| (m.name.as_str(), m.kind)).collect();
    assert!(names.contains(&("新建区域自动气象站", Kind::Count)), "{names:?}");
    assert!(names.contains(&("市气象灾害防御中心建成", Kind::Milestone)), "{names:?}");
}

#[test]
fn names_leave_out_the_verb_that_joins_them_to_their_figure() {
    let text = "某某县气象事业发展“十五五”规划\n第二章 发展目标\n到2030年,气象观测站网平均间距缩小到5公里,气象信息员覆盖率保持100%,气象灾害经济损失占GDP比例下降到0.5%以内。\n";
    let p = propose(text);
    let names: Vec<&str> = p.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["气象观测站网平均间距", "气象信息员覆盖率", "气象灾害经济损失占GDP比例"]);
    assert_eq!(p.metrics[0].direction, Direction::Lower, "a spacing is better small");
    assert_eq!(p.metrics[2].direction, Direction::Lower);
}

/// Some bureaus publish in traditional characters: the same rules read them, and what is
/// quoted (原文, title, chapter) stays as published.
#[test]
fn a_plan_in_traditional_characters_is_read_by_the_same_rules() {
    let text = "某市氣象事業發展“十五五”規劃\n第二章 發展目標\n到2030年，災害性天氣監測率達到95%以上，預警信息發佈時間縮短至5分鐘以內，新建區域自動氣象站30個。\n";
    let p = propose(text);
    assert_eq!(p.header.title, "某市氣象事業發展“十五五”規劃");
    assert_eq!((p.header.period_start, p.header.period_end), (ymd(2026, 1, 1), ymd(2030, 12, 31)));
    let got: Vec<(&str, &str, Direction, Option<Target>)> =
        p.metrics.iter().map(|m| (m.name.as_str(), m.unit.as_str(), m.direction, m.target)).collect();
    assert_eq!(
        got,
        [
            ("灾害性天气监测率", "%", Direction::Higher, Some(Target::single(95.0))),
            ("预警信息发布时间", "分钟", Direction::Lower, Some(Target::single(5.0))),
            ("新建区域自动气象站", "个", Direction::Higher, Some(Target::single(30.0))),
        ]
    );
    let m = &p.metrics[1];
    assert!(m.source.contains("5分鐘以內") && m.chapter == "第二章 發展目標", "{m:?}");
    for r in &m.figures {
        assert!(m.source.is_char_boundary(r.start) && m.source.is_char_boundary(r.end));
    }
    assert!(m.figures.iter().any(|r| m.source[r.clone()].starts_with('5')), "{m:?}");
}
