// Single ranges are what figure lists hold here, not a mistaken `Vec` of a range's items.
#![allow(clippy::single_range_in_vec_init)]

use super::*;
use crate::plan::propose::{Header, Proposed};

fn seg(text: &str, mark: bool) -> Segment {
    Segment { text: text.into(), mark }
}

#[test]
fn figures_are_cut_out_of_the_sentence_and_bad_ranges_ignored() {
    let s = "达到95%以上";
    assert_eq!(segments(s, &[6..8]), [seg("达到", false), seg("95", true), seg("%以上", false)]);
    // 1..2 is inside 达, 6..99 past the end, 7..6 backwards, 6..9 overlaps 6..8.
    #[allow(clippy::reversed_empty_ranges)]
    let bad = [1..2, 6..99, 7..6, 6..8, 6..9];
    assert_eq!(segments(s, &bad), [seg("达到", false), seg("95", true), seg("%以上", false)]);
    assert_eq!(segments("", &[0..3]), []);
    assert_eq!(segments("全部", &[0..6]), [seg("全部", true)]);
}

#[test]
fn figure_ranges_survive_their_hidden_field_and_junk_in_it_is_dropped() {
    let f = vec![3..5, 10..12];
    assert_eq!(parse_figures(&figures_field(&f)), f);
    assert_eq!(parse_figures("x,1-,-2,4-5"), [4..5]);
}

fn proposed(chapter: &str, name: &str, unit: &str, target: f64) -> Proposed {
    Proposed {
        chapter: chapter.into(),
        name: name.into(),
        unit: unit.into(),
        kind: Kind::Level,
        direction: Direction::Higher,
        baseline: Some(1.0),
        baseline_date: None,
        target: Some(Target::single(target)),
        target_date: None,
        source: format!("{name}达到{target}{unit}"),
        figures: vec![],
    }
}

fn proposal() -> Proposal {
    Proposal {
        header: Header {
            title: "十五五规划".into(),
            period_start: NaiveDate::from_ymd_opt(2026, 1, 1),
            period_end: NaiveDate::from_ymd_opt(2030, 12, 31),
            ..Header::default()
        },
        metrics: vec![
            proposed("第一章", "甲", "个", 5.0),
            proposed("第二章", "乙", "%", 90.0),
            proposed("第一章", "丙", "个", 7.0),
        ],
    }
}

#[test]
fn each_proposed_row_gets_its_own_key_and_the_periods_dates() {
    // A key some plan already has is never proposed again, nor one key twice.
    let taken: HashSet<String> = ["plan-2026-2030".to_owned(), "jia".to_owned()].into();
    let form = ProposalForm::of(&proposal(), &taken);
    assert_eq!(form.plan_key, "plan-2026-2030-2");
    let rows: Vec<(&str, &str)> = form.rows.iter().map(|r| (r.name.as_str(), r.chapter.as_str())).collect();
    assert_eq!(rows, [("甲", "第一章"), ("乙", "第二章"), ("丙", "第一章")]);
    let keys: HashSet<&str> = form.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| !taken.contains(*k) && !k.is_empty()), "{keys:?}");
    assert!(keys.iter().all(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
    assert_eq!(form.rows[0].baseline_date, "2025-12-31");
    assert_eq!(form.rows[0].target_date, "2030-12-31");
    assert_eq!(form.chapters, ["第一章", "第二章"]);
}

/// The fields a browser would post for `form`.
fn fields(form: &ProposalForm) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![
        ("plan_key".into(), form.plan_key.clone()),
        ("title".into(), form.title.clone()),
        ("period_start".into(), form.period_start.clone()),
        ("period_end".into(), form.period_end.clone()),
    ];
    out.extend(form.chapters.iter().map(|c| ("chapter".to_owned(), c.clone())));
    for (i, r) in form.rows.iter().enumerate() {
        let mut f = |name: &str, v: &str| out.push((format!("m{i}.{name}"), v.to_owned()));
        if r.accept {
            f("accept", "on");
        }
        for (name, v) in [
            ("key", &r.key),
            ("name", &r.name),
            ("unit", &r.unit),
            ("kind", &r.kind),
            ("direction", &r.direction),
            ("frequency", &r.frequency),
            ("baseline", &r.baseline),
            ("baseline_date", &r.baseline_date),
            ("target", &r.target),
            ("target_high", &r.target_high),
            ("target_date", &r.target_date),
            ("chapter", &r.chapter),
            ("new_chapter", &r.new_chapter),
            ("source", &r.source),
        ] {
            f(name, v);
        }
        f("figures", &r.figures_field());
    }
    out
}

#[test]
fn a_form_read_back_is_the_form_sent() {
    let form = ProposalForm::of(&proposal(), &HashSet::new());
    assert_eq!(ProposalForm::from_fields(&fields(&form)), form);
}

#[test]
fn only_accepted_rows_are_saved_in_their_chapters() {
    let mut form = ProposalForm::of(&proposal(), &HashSet::new());
    form.rows[1].accept = false;
    form.rows[2].new_chapter = "第三章".into();
    let def = form.check(&HashSet::new()).expect("a good plan");
    let got: Vec<(&str, Vec<&str>)> =
        def.chapters.iter().map(|c| (c.title.as_str(), c.metrics.iter().map(|m| m.name.as_str()).collect())).collect();
    assert_eq!(got, [("第一章", vec!["甲"]), ("第三章", vec!["丙"])]);
}

#[test]
fn a_percentage_over_100_and_a_taken_key_are_shown_at_their_rows() {
    let mut form = ProposalForm::of(&proposal(), &HashSet::new());
    form.rows[1].target = "150".into();
    let taken: HashSet<String> = [form.rows[0].key.clone()].into();
    assert!(form.check(&taken).is_none());
    assert!(form.rows[0].error("key").contains("已被使用"));
    assert!(form.rows[1].error("target").contains("150"), "{:?}", form.rows[1].errors);
    assert!(form.rows[2].errors.is_empty());
}

#[test]
fn the_seed_rules_name_the_row_they_refuse_and_unreadable_fields_are_all_said() {
    let mut form = ProposalForm::of(&proposal(), &HashSet::new());
    form.rows[2].unit = " ".into();
    assert!(form.check(&HashSet::new()).is_none());
    assert!(form.rows[2].error("unit").contains("单位"), "{:?}", form.rows[2].errors);
    form.rows[2].unit = "个".into();
    form.rows[0].baseline = "abc".into();
    form.rows[1].target_date = "2030-13-01".into();
    assert!(form.check(&HashSet::new()).is_none());
    assert!(!form.rows[0].error("baseline").is_empty());
    assert!(!form.rows[1].error("target_date").is_empty());
}

#[test]
fn a_row_added_by_hand_takes_a_free_key_and_the_first_chapter() {
    let mut form = ProposalForm::of(&proposal(), &HashSet::new());
    let taken: HashSet<String> = ["plan-2026-2030-m04".to_owned()].into();
    form.add_row(&taken);
    let r = form.rows.last().unwrap();
    assert_eq!((r.key.as_str(), r.chapter.as_str(), r.accept, r.manual), ("plan-2026-2030-m05", "第一章", true, true));
    assert_eq!((r.baseline_date.as_str(), r.target_date.as_str()), ("2025-12-31", "2030-12-31"));
    let mut empty = ProposalForm { plan_key: "p".into(), ..ProposalForm::default() };
    empty.add_row(&HashSet::new());
    assert_eq!(empty.rows[0].key, "p-m01");
    assert_eq!(
        (empty.chapters.as_slice(), empty.rows[0].chapter.as_str()),
        (&[DEFAULT_CHAPTER.to_owned()][..], DEFAULT_CHAPTER)
    );
}

#[test]
fn nothing_kept_is_refused() {
    let mut form = ProposalForm::of(&proposal(), &HashSet::new());
    for r in &mut form.rows {
        r.accept = false;
    }
    assert!(form.check(&HashSet::new()).is_none());
    assert!(form.errors.iter().any(|e| e.contains("至少")));
}

#[test]
fn a_row_chosen_annual_is_an_annual_metric_and_an_unknown_frequency_is_said() {
    let mut form = ProposalForm::of(&proposal(), &HashSet::new());
    assert!(form.rows.iter().all(|r| r.frequency == "quarterly"), "the proposal's default");
    form.rows[1].frequency = "annual".into();
    let def = form.check(&HashSet::new()).expect("a good plan");
    let frequency_of =
        |row: &RowForm| def.chapters.iter().flat_map(|c| &c.metrics).find(|m| m.key == row.key).map(|m| m.frequency);
    let frequencies: Vec<_> = form.rows.iter().map(frequency_of).collect();
    assert_eq!(frequencies, [Frequency::Quarterly, Frequency::Annual, Frequency::Quarterly].map(Some));
    form.rows[2].frequency = "monthly".into();
    assert!(form.check(&HashSet::new()).is_none());
    assert!(form.rows[2].error("frequency").contains("填报频率"), "{:?}", form.rows[2].errors);
}
