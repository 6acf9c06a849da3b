//! A figure's subject, as a short name: the words before it (暴雨过程预警准确率 达到 92 分),
//! or a verb and the words after it (新建 1部 X波段双偏振天气雷达).

use std::collections::HashSet;

/// Words that open a clause without naming anything.
const OPENERS: [&str; 22] = [
    "力争",
    "争取",
    "确保",
    "实现",
    "对现有",
    "现有",
    "全区",
    "全市",
    "全县",
    "全省",
    "累计",
    "进一步",
    "基本",
    "全面",
    "持续",
    "逐步",
    "推动",
    "推进",
    "加快",
    "大力",
    "其中",
    "共",
];

/// Words that join a subject to its figure.
const JOINERS: [&str; 62] = [
    "持续增加",
    "下降到",
    "下降至",
    "缩小到",
    "缩小至",
    "扩大到",
    "扩大至",
    "延长到",
    "延长至",
    "持续提升",
    "增加",
    "提升",
    "提高",
    "下降",
    "分别达到",
    "分别提升至",
    "分别提高到",
    "分别为",
    "达到",
    "提升至",
    "提升到",
    "提高至",
    "提高到",
    "增加至",
    "增加到",
    "增至",
    "降低至",
    "降低到",
    "降至",
    "降到",
    "缩短至",
    "缩短到",
    "减少到",
    "减少至",
    "控制在",
    "稳定在",
    "保持在",
    "不低于",
    "不少于",
    "不超过",
    "不高于",
    "精细到",
    "小于",
    "大于",
    "低于",
    "高于",
    "超过",
    "分别",
    "保持",
    "缩小",
    "扩大",
    "降低",
    "减少",
    "缩短",
    "延长",
    "以上",
    "为",
    "在",
    "至",
    "到",
    "约",
    "近",
];

/// Verbs that name nothing alone: the thing follows the figure (新建 3个 区域气象站).
const VERBS: [&str; 21] = [
    "新建",
    "新增",
    "升级",
    "培养",
    "培育",
    "配备",
    "建设",
    "建成",
    "完成",
    "开展",
    "提前",
    "改造",
    "建立",
    "加强",
    "布设",
    "增设",
    "覆盖",
    "实施",
    "组织",
    "升级改造",
    "建设升级",
];

/// Of those, the ones a name reads better without (加强 3公里分辨率 → 分辨率).
const SILENT_VERBS: [&str; 5] = ["加强", "开展", "建立", "实施", "组织"];

/// Verbs after a counted thing that start what is done with it (5个城市易涝点 开展…).
const TAIL_CUTS: [&str; 7] = ["开展", "进行", "实施", "提供", "用于", "建立", "以及"];

/// Where a list or a preposition ends the subject before a figure.
const CUTS: [char; 6] = ['、', '和', '及', '与', '等', '或'];

/// `s` without a leading target-year phrase: 到2030年, 2028年底前, 在2020年前.
pub fn strip_year(s: &str) -> &str {
    let t = ["到", "至", "在"].iter().find_map(|w| s.strip_prefix(w)).unwrap_or(s);
    if t.len() >= 7 && t.is_char_boundary(4) && t[..4].chars().all(|c| c.is_ascii_digit()) && t[4..].starts_with('年')
    {
        let mut rest = &t[4 + '年'.len_utf8()..];
        for w in ["底", "末", "以前", "前"] {
            rest = rest.strip_prefix(w).unwrap_or(rest);
        }
        return rest;
    }
    s
}

/// 满意度达 92.3 分: 达 joins too, but not the 达 of 雷达.
fn strip_da(s: &str) -> &str {
    match s.strip_suffix('达') {
        Some(rest) if !rest.ends_with(['雷', '通', '发', '表', '送', '到']) => rest,
        _ => s,
    }
}

fn trim_words<'a>(mut s: &'a str, openers: &[&str], joiners: &[&str]) -> &'a str {
    loop {
        let before = s;
        s = s.trim_matches(|c: char| c.is_whitespace() || "“”\"'()（）".contains(c));
        s = strip_year(s);
        for w in openers {
            s = s.strip_prefix(w).unwrap_or(s);
        }
        for w in joiners {
            s = s.strip_suffix(w).unwrap_or(s);
        }
        if !joiners.is_empty() {
            s = strip_da(s);
        }
        if s == before {
            return s;
        }
    }
}

/// The subject of a figure from the words before it in its clause (`lead`) and after it
/// up to the next figure or the clause's end (`tail`); `previous` stands in when both are
/// silent (94.7%、99.9% after 分别提升至).
pub fn name(lead: &str, tail: &str, previous: Option<&str>) -> String {
    let seg = lead.rfind(CUTS).map_or(lead, |at| &lead[at + lead[at..].chars().next().map_or(1, char::len_utf8)..]);
    // 对160个单位: the object follows the preposition.
    let after_preposition = seg.rfind(['对', '将', '把', '向']).map(|at| &seg[at + '对'.len_utf8()..]);
    let seg = if after_preposition.is_some_and(|rest| trim_words(rest, &OPENERS, &[]).is_empty()) { "" } else { seg };
    let subject = trim_words(seg, &OPENERS, &JOINERS);
    let tail_end = TAIL_CUTS.iter().filter_map(|w| tail.find(w)).chain(tail.find(CUTS)).min().unwrap_or(tail.len());
    let object = trim_words(tail[..tail_end].trim_start_matches('的'), &[], &JOINERS);
    let name = if subject.chars().count() < 2 || VERBS.contains(&subject) {
        let verb = if SILENT_VERBS.contains(&subject) { "" } else { subject };
        format!("{verb}{object}")
    } else {
        subject.to_owned()
    };
    let name: String = name.chars().take(30).collect();
    if name.chars().count() < 2 || VERBS.contains(&name.as_str()) {
        return previous.map(str::to_owned).unwrap_or_else(|| "指标".into());
    }
    name
}

/// Pairs of neighbouring characters, to compare two names.
fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_ascii_punctuation() && !c.is_whitespace()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// How much two names share: their common character pairs over the shorter's, 0 to 1.
pub fn likeness(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    let common = x.intersection(&y).count();
    let shorter = x.len().min(y.len());
    if common < 2 || shorter == 0 { 0.0 } else { common as f64 / shorter as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_stands_before_the_figure() {
        assert_eq!(name("暴雨过程预警准确率达到 ", "", None), "暴雨过程预警准确率");
        assert_eq!(name("到2025年力争培养高级工程师", "", None), "培养高级工程师");
        assert_eq!(name("气象观测数据光纤专线带宽提升至", "", None), "气象观测数据光纤专线带宽");
        assert_eq!(name("灾害性天气监测率达到", "以上", None), "灾害性天气监测率");
    }

    #[test]
    fn after_a_bare_verb_or_preposition_the_subject_follows_the_figure() {
        assert_eq!(name("新建", "X波段双偏振天气雷达", None), "新建X波段双偏振天气雷达");
        assert_eq!(name("对现有", "山洪风险区", None), "山洪风险区");
        assert_eq!(name("会同教育、文旅、应急、林业等部门对", "气象灾害敏感单位", None), "气象灾害敏感单位");
        assert_eq!(name("实现提前", "发布风险预警产品", None), "提前发布风险预警产品");
        assert_eq!(name("完成全区暴雨、干旱和雷电等", "灾种风险普查和精细化风险区划", None), "灾种风险普查");
        assert_eq!(name("实现", "村(社区)预警工作站全覆盖", None), "村(社区)预警工作站全覆盖");
    }

    #[test]
    fn a_silent_figure_takes_the_previous_subject() {
        assert_eq!(name("、", "", Some("接收率")), "接收率");
        assert_eq!(name("", "", None), "指标");
    }

    #[test]
    fn likeness_of_names() {
        assert!(likeness("暴雨过程预警准确率", "暴雨预警准确率") > 0.6);
        assert!(likeness("强对流预警时间提前量", "强对流天气预警时间提前量") > 0.8);
        assert!(likeness("新建地基垂直遥感观测系统", "新建北斗通信传输备份系统") < 0.5);
    }
}
