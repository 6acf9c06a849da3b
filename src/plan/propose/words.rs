//! What the words around a figure say: which way is better, what is measured, whether it
//! is already done, and by when it is due.

use chrono::NaiveDate;

use super::numbers::{Bound, Figure, is_counter};
use crate::plan::Direction;

/// Comparisons written before a figure, with the side they put it on.
const COMPARATORS: [(&str, Direction); 12] = [
    ("不低于", Direction::Higher),
    ("不少于", Direction::Higher),
    ("不超过", Direction::Lower),
    ("不高于", Direction::Lower),
    ("不大于", Direction::Lower),
    ("控制在", Direction::Lower),
    ("小于", Direction::Lower),
    ("低于", Direction::Lower),
    ("少于", Direction::Lower),
    ("大于", Direction::Higher),
    ("高于", Direction::Higher),
    ("超过", Direction::Higher),
];

/// Verbs that move a figure; the one nearest the figure decides. 提前 (a lead time) is
/// higher-is-better even though it is a time.
const VERBS: [(&str, Direction); 26] = [
    ("降低", Direction::Lower),
    ("缩短", Direction::Lower),
    ("减少", Direction::Lower),
    ("下降", Direction::Lower),
    ("压缩", Direction::Lower),
    ("减小", Direction::Lower),
    ("缩小", Direction::Lower),
    ("降至", Direction::Lower),
    ("降到", Direction::Lower),
    ("提高", Direction::Higher),
    ("提升", Direction::Higher),
    ("增加", Direction::Higher),
    ("增长", Direction::Higher),
    ("增至", Direction::Higher),
    ("扩大", Direction::Higher),
    ("达到", Direction::Higher),
    ("提前", Direction::Higher),
    ("延长", Direction::Higher),
    ("新建", Direction::Higher),
    ("新增", Direction::Higher),
    ("建设", Direction::Higher),
    ("建成", Direction::Higher),
    ("培养", Direction::Higher),
    ("升级", Direction::Higher),
    ("配备", Direction::Higher),
    ("覆盖", Direction::Higher),
];

/// Subjects that are better small: a grid spacing in km, an interval, a loss, a false alarm.
const SMALLER_IS_BETTER: [&str; 12] =
    ["分辨率", "间隔", "频次", "误报", "空报", "漏报", "死亡", "伤亡", "损失", "能耗", "排放", "事故"];

/// Which way is better for `fig`, read from the words `lead` before it (within its clause)
/// and the subject `name`; `true` when the text says so outright rather than by default.
pub fn direction(lead: &str, fig: &Figure, name: &str) -> (Direction, bool) {
    match fig.bound {
        Some(Bound::AtLeast) => return (Direction::Higher, true),
        Some(Bound::AtMost) => return (Direction::Lower, true),
        None => {}
    }
    let tail_of_lead: String = lead.chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
    if let Some((_, d)) = COMPARATORS.iter().find(|(w, _)| tail_of_lead.contains(w)) {
        return (*d, true);
    }
    let time_or_length = matches!(fig.unit.as_str(), "公里" | "米" | "秒" | "分钟" | "小时" | "天");
    // 逐3小时, 每1小时: an interval.
    if time_or_length && (lead.ends_with('逐') || lead.ends_with('每')) {
        return (Direction::Lower, true);
    }
    let nearest = VERBS.iter().filter_map(|(w, d)| lead.rfind(w).map(|at| (at, *d))).max_by_key(|(at, _)| *at);
    let lower_subject = SMALLER_IS_BETTER.iter().any(|w| name.contains(w) || lead.contains(w));
    if lower_subject && (time_or_length || !matches!(nearest, Some((_, Direction::Higher)))) {
        return (Direction::Lower, true);
    }
    match nearest {
        Some((_, d)) => (d, true),
        None => (Direction::Higher, false),
    }
}

/// Verbs that, right before a figure, make it the size of a change (缩短10分钟, 减少10%),
/// not the level to reach (缩短到10分钟, 减少至10%), as what they say of the change.
const CHANGE_BY: [(&str, &str); 10] = [
    ("提高", "提高"),
    ("提升", "提高"),
    ("增加", "增加"),
    ("增长", "增加"),
    ("延长", "增加"),
    ("降低", "下降"),
    ("下降", "下降"),
    ("减少", "减少"),
    ("缩短", "缩短"),
    ("减小", "减少"),
];

/// The change a level figure stands for when a verb directly before it says "by" rather
/// than "to": `Some("缩短")` for 缩短10分钟; `None` for 缩短到10分钟 or 达到10分钟.
pub fn change_by(lead: &str) -> Option<&'static str> {
    let lead = lead.trim_end();
    CHANGE_BY.iter().find(|(w, _)| lead.ends_with(w)).map(|(_, said)| *said)
}

/// Whether a count starts from nothing: things newly built, trained or upgraded.
pub fn counts_from_zero(lead: &str, fig: &Figure) -> bool {
    is_counter(&fig.unit)
        && ["新建", "新增", "培养", "培育", "配备", "升级", "建设", "改造", "布设", "增设"]
            .iter()
            .any(|w| lead.contains(w))
}

/// Whether a sentence tells what is already done: 已建成, 建设了, or a previous period
/// (十三五期间 when the plan is the 14th) with no target year.
pub fn is_past(sentence: &str, previous_ordinal: Option<&str>, has_target_year: bool) -> bool {
    let done = ["已经", "已建成", "已完成", "已达", "已实现", "已有", "已基本"].iter().any(|w| sentence.contains(w));
    let perfect = ["设了", "成了", "现了", "到了", "高了", "升了", "加了", "建了", "展了", "立了", "得了", "造了"]
        .iter()
        .any(|w| sentence.contains(w));
    let previous = previous_ordinal.is_some_and(|p| {
        ["期间", "时期", "以来", "末"]
            .iter()
            .any(|w| sentence.contains(&format!("{p}”{w}")) || sentence.contains(&format!("{p}{w}")))
    });
    !has_target_year && (done || perfect || previous)
}

/// The year a sentence sets its targets for: 到2030年, 至2030年, 2030年前, 2030年底/末.
pub fn target_year(sentence: &str) -> Option<i32> {
    let b = sentence.as_bytes();
    for (i, _) in sentence.match_indices('年') {
        if i < 4 || !sentence.is_char_boundary(i - 4) {
            continue;
        }
        let Ok(y) = sentence[i - 4..i].parse::<i32>() else { continue };
        if i >= 5 && b[i - 5].is_ascii_digit() {
            continue;
        }
        let before = &sentence[..i - 4];
        let after = &sentence[i + '年'.len_utf8()..];
        let lead_in = ["到", "至", "在", "于"].iter().any(|w| before.ends_with(w));
        let by = ["前", "底", "末", "以前"].iter().any(|w| after.starts_with(w));
        // 至2020年达339天 in a review is a past figure; the caller compares the year.
        if lead_in || by {
            return Some(y);
        }
    }
    None
}

/// The end of the period a sentence's 十X五 names, when it speaks of its end or span.
pub fn ordinal_year(sentence: &str, ordinal: Option<&str>, period_end: Option<NaiveDate>) -> Option<i32> {
    use chrono::Datelike;
    let o = ordinal?;
    let said = ["期间", "时期", "末"]
        .iter()
        .any(|w| sentence.contains(&format!("{o}”{w}")) || sentence.contains(&format!("{o}{w}")));
    said.then(|| period_end.map(|d| d.year())).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::propose::numbers::scan;

    fn dir(s: &str) -> Direction {
        let f = &scan(s)[0];
        let lead = &s[..f.span.start];
        direction(lead, f, lead).0
    }

    #[test]
    fn verbs_and_bounds_say_which_way_is_better() {
        for s in ["准确率提高到92%", "带宽提升至300Mbps", "监测率达到95%以上", "覆盖率不低于90%", "新增5个站"]
        {
            assert_eq!(dir(s), Direction::Higher, "{s}");
        }
        for s in [
            "伤亡人数减少10%",
            "时间缩短到30分钟",
            "误报率控制在5%",
            "更新频次小于1小时",
            "控制在3天以内",
            "下降2个百分点",
        ] {
            assert_eq!(dir(s), Direction::Lower, "{s}");
        }
    }

    #[test]
    fn a_lead_time_is_better_long_and_a_grid_spacing_small() {
        assert_eq!(dir("实现提前12小时发布"), Direction::Higher);
        assert_eq!(dir("强对流预警时间提前量达到48分钟"), Direction::Higher);
        assert_eq!(dir("网格分辨率提高到1公里"), Direction::Lower);
        assert_eq!(dir("逐3小时更新"), Direction::Lower);
    }

    #[test]
    fn target_years() {
        assert_eq!(target_year("到2030年,力争培养"), Some(2030));
        assert_eq!(target_year("力争在2020年前全市基本实现"), Some(2020));
        assert_eq!(target_year("2030年底前建成"), Some(2030));
        assert_eq!(target_year("发布2021年12月"), None);
    }

    #[test]
    fn what_is_already_done() {
        assert!(is_past("建设了负氧离子监测站5套。", None, false));
        assert!(is_past("“十四五”期间已建成区域站20个", Some("十四五"), false));
        assert!(is_past("“十四五”期间,全区新建区域站20个", Some("十四五"), false));
        assert!(!is_past("到2030年,新建区域站20个", Some("十四五"), true));
        assert!(!is_past("新建5个负氧离子站", Some("十四五"), false));
    }
}
