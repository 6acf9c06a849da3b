//! Figures in running Chinese text: `92`, `81.2%`, `2—3名`, `1.5万人`, `两个`, `十五项`,
//! `300Mbps`, each with its unit and the bound written after it (以上, 以内 …).

use std::ops::Range;

/// Units a figure may carry, longest first so that 个百分点 wins over 个 and 分钟 over 分.
/// Years, months and days of the month (年, 月, 日) are dates, never figures.
const UNITS: [&str; 42] = [
    "个百分点",
    "平方公里",
    "百分点",
    "万人次",
    "人次",
    "万元",
    "亿元",
    "万吨",
    "公里",
    "千米",
    "分钟",
    "小时",
    "公顷",
    "Mbps",
    "Gbps",
    "MB",
    "%",
    "％",
    "个",
    "名",
    "套",
    "项",
    "家",
    "座",
    "部",
    "台",
    "处",
    "所",
    "条",
    "类",
    "种",
    "次",
    "篇",
    "户",
    "件",
    "人",
    "天",
    "秒",
    "米",
    "亩",
    "倍",
    "分",
];

/// Units that count things one by one (a plan's 新建3个 …, 培养2名 …).
pub const COUNTERS: [&str; 20] = [
    "个",
    "名",
    "套",
    "项",
    "家",
    "座",
    "部",
    "台",
    "处",
    "所",
    "条",
    "类",
    "种",
    "次",
    "篇",
    "户",
    "件",
    "人",
    "人次",
    "万人次",
];

/// What the text says of a figure's side, written right after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// 以上, 及以上: at least.
    AtLeast,
    /// 以下, 以内, 内: at most.
    AtMost,
}

/// One figure read from a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub low: f64,
    pub high: f64,
    /// Normalised: `%` for ％, `Mbps` for M, `个百分点` for 百分点, `公里` for 千米.
    pub unit: String,
    pub bound: Option<Bound>,
    /// Bytes of the sentence from the first digit to the end of the unit (and bound).
    pub span: Range<usize>,
}

impl Figure {
    pub fn is_range(&self) -> bool {
        self.low != self.high
    }
}

/// Whether `unit` counts things one by one.
pub fn is_counter(unit: &str) -> bool {
    COUNTERS.contains(&unit)
}

/// Characters a Chinese numeral must follow to be read as a figure: the end of a verb or
/// comparison (新建两个, 提高两个百分点, 缩短十分钟). Elsewhere 一, 三, 四 are words
/// (一体化, 三角, 四个意识).
const NUMERAL_AFTER: &str = "建设养到至达增新成现配培展升为高低于少过在约近超短减降加备造改";

/// Every figure in `s`, in order.
pub fn scan(s: &str) -> Vec<Figure> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let arabic = is_digit(c) && !prev.is_some_and(|p| is_digit(p) || p.is_ascii_alphabetic() || p == '.');
        let chinese =
            is_numeral(c) && prev.is_some_and(|p| NUMERAL_AFTER.contains(p)) && !(i >= 2 && chars[i - 2].1 == '第');
        if !(arabic || chinese) {
            i += 1;
            continue;
        }
        match figure_at(s, &chars, i) {
            Some((fig, next)) => {
                out.push(Figure { span: start..fig.span.end, ..fig });
                i = next;
            }
            None => {
                // Skip the whole number so that its tail is not read as another.
                i += 1;
                while i < chars.len() && (is_digit(chars[i].1) || chars[i].1 == '.' || is_numeral(chars[i].1)) {
                    i += 1;
                }
            }
        }
    }
    out
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_numeral(c: char) -> bool {
    "零〇一二两三四五六七八九十百千".contains(c)
}

fn skip_spaces(chars: &[(usize, char)], mut i: usize) -> usize {
    while i < chars.len() && matches!(chars[i].1, ' ' | '\u{3000}' | '\t') {
        i += 1;
    }
    i
}

/// A number starting at `i`: `(value, index after it)`.
fn number_at(chars: &[(usize, char)], i: usize) -> Option<(f64, usize)> {
    let c = chars.get(i)?.1;
    if is_digit(c) {
        let mut j = i;
        let mut text = String::new();
        while j < chars.len() {
            let c = chars[j].1;
            let next_is_digit = chars.get(j + 1).is_some_and(|n| is_digit(n.1));
            if is_digit(c) {
                text.push(char::from_u32(if c.is_ascii_digit() { c as u32 } else { c as u32 - 0xFEE0 }).unwrap_or(c));
            } else if matches!(c, '.' | '．') && next_is_digit && !text.contains('.') {
                text.push('.');
            } else if c == ',' && next_is_digit && chars.get(j + 3).is_some_and(|n| is_digit(n.1)) {
                // 1,000: a thousands separator, not a comma between clauses.
            } else {
                break;
            }
            j += 1;
        }
        return text.parse().ok().map(|v| (v, j));
    }
    let mut j = i;
    while j < chars.len() && is_numeral(chars[j].1) && j - i < 8 {
        j += 1;
    }
    let text: String = chars[i..j].iter().map(|(_, c)| *c).collect();
    chinese_value(&text).map(|v| (v, j))
}

/// 十五 → 15, 两百 → 200, 二十三 → 23, 三千五百 → 3500.
pub fn chinese_value(s: &str) -> Option<f64> {
    let mut total = 0u64;
    let mut digit: Option<u64> = None;
    for c in s.chars() {
        let d = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            digit = Some(digit.unwrap_or(0) * 10 + d);
            continue;
        }
        let mult = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += digit.take().unwrap_or(1) * mult;
    }
    let v = total + digit.unwrap_or(0);
    (!s.is_empty()).then_some(v as f64)
}

/// Separators of a range: 2—3, 2-3, 2–3, 2~3, 2～3, 2至3, 2到3.
fn is_range_sep(c: char) -> bool {
    matches!(c, '—' | '-' | '–' | '~' | '～' | '至' | '到' | '－')
}

fn unit_at(s: &str, at: usize) -> Option<&'static str> {
    let rest = &s[at..];
    let unit = UNITS.iter().find(|u| rest.starts_with(**u))?;
    // `M` alone is the plan's way of writing megabits (60M专线); `MB` and `Mbps` likewise.
    let after = &rest[unit.len()..];
    if unit.chars().all(|c| c.is_ascii_alphabetic()) && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(unit)
}

fn normal_unit(u: &str) -> &str {
    match u {
        "％" => "%",
        "百分点" => "个百分点",
        "千米" => "公里",
        "MB" => "Mbps",
        u => u,
    }
}

/// The figure whose number starts at `i`, and where scanning goes on.
fn figure_at(s: &str, chars: &[(usize, char)], i: usize) -> Option<(Figure, usize)> {
    let (low, mut j) = number_at(chars, i)?;
    let mut high = low;
    // A range: a separator and a second number.
    let k = skip_spaces(chars, j);
    if chars.get(k).is_some_and(|c| is_range_sep(c.1)) {
        let m = skip_spaces(chars, k + 1);
        if let Some((h, after)) = number_at(chars, m).filter(|(h, _)| *h > low) {
            high = h;
            j = after;
        }
    }
    let (mut low, mut high) = (low, high);
    let mut k = skip_spaces(chars, j);
    let byte = |idx: usize| chars.get(idx).map_or(s.len(), |c| c.0);
    // 1.5万人: a multiplier, unless 万 starts the unit (万元, 万吨).
    if chars.get(k).is_some_and(|c| matches!(c.1, '万' | '亿')) && unit_at(s, byte(k)).is_none() {
        let f = if chars[k].1 == '万' { 1e4 } else { 1e8 };
        low *= f;
        high *= f;
        k += 1;
    }
    // M alone after a number is bandwidth only when directly attached (60M).
    let unit = unit_at(s, byte(k)).or_else(|| {
        (k == j && s[byte(k)..].starts_with('M') && !s[byte(k) + 1..].starts_with(|c: char| c.is_ascii_alphabetic()))
            .then_some("M")
    })?;
    let mut end = byte(k) + unit.len();
    // A date or a document number is no figure: 2021年, 〔2021〕49号.
    if s[..chars[i].0].ends_with('〔') {
        return None;
    }
    let unit = if unit == "M" { "Mbps" } else { normal_unit(unit) };
    let rest = &s[end..];
    let bound =
        [("及以上", Bound::AtLeast), ("以上", Bound::AtLeast), ("以下", Bound::AtMost), ("以内", Bound::AtMost)]
            .into_iter()
            .chain((unit_is_time(unit)).then_some(("内", Bound::AtMost)))
            .find(|(w, _)| rest.starts_with(w));
    if let Some((w, _)) = bound {
        end += w.len();
    }
    let next = chars.iter().position(|c| c.0 >= end).unwrap_or(chars.len());
    Some((Figure { low, high, unit: unit.to_owned(), bound: bound.map(|(_, b)| b), span: 0..end }, next))
}

fn unit_is_time(u: &str) -> bool {
    matches!(u, "秒" | "分钟" | "小时" | "天")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> (f64, f64, String, Option<Bound>) {
        let f = scan(s);
        assert_eq!(f.len(), 1, "{s}: {f:?}");
        (f[0].low, f[0].high, f[0].unit.clone(), f[0].bound)
    }

    #[test]
    fn figures_with_units() {
        assert_eq!(one("准确率达到 92 分"), (92.0, 92.0, "分".into(), None));
        assert_eq!(one("准确率为81.2%"), (81.2, 81.2, "%".into(), None));
        assert_eq!(one("提前量达到48分钟"), (48.0, 48.0, "分钟".into(), None));
        assert_eq!(one("带宽提升至300Mbps"), (300.0, 300.0, "Mbps".into(), None));
        assert_eq!(one("建成60M气象观测数据光纤专线"), (60.0, 60.0, "Mbps".into(), None));
        assert_eq!(one("面积达到12平方公里"), (12.0, 12.0, "平方公里".into(), None));
        assert_eq!(one("提高2个百分点"), (2.0, 2.0, "个百分点".into(), None));
        assert_eq!(one("满意度达到９０％以上"), (90.0, 90.0, "%".into(), Some(Bound::AtLeast)));
        assert_eq!(one("1,200个"), (1200.0, 1200.0, "个".into(), None));
    }

    #[test]
    fn ranges_in_every_spelling() {
        for s in
            ["培养高级工程师2—3名", "培养2-3名", "培养2~3名", "培养2～3名", "培养2至3名", "培养2–3名", "培养2 — 3 名"]
        {
            assert_eq!(one(s), (2.0, 3.0, "名".into(), None), "{s}");
        }
    }

    #[test]
    fn chinese_numerals_and_multipliers() {
        assert_eq!(chinese_value("十五"), Some(15.0));
        assert_eq!(chinese_value("二十三"), Some(23.0));
        assert_eq!(chinese_value("两百"), Some(200.0));
        assert_eq!(chinese_value("三千五百"), Some(3500.0));
        assert_eq!(chinese_value("百"), Some(100.0));
        assert_eq!(one("新建两个站"), (2.0, 2.0, "个".into(), None));
        assert_eq!(one("缩短十分钟"), (10.0, 10.0, "分钟".into(), None));
        assert_eq!(one("培训1.5万人次"), (1.5, 1.5, "万人次".into(), None));
        assert_eq!(one("服务1.5万人"), (15000.0, 15000.0, "人".into(), None));
        assert_eq!(one("科研经费累计投入 43.8 万元"), (43.8, 43.8, "万元".into(), None));
    }

    #[test]
    fn bounds_after_the_unit() {
        assert_eq!(one("监测率达到95%以上").3, Some(Bound::AtLeast));
        assert_eq!(one("控制在3天以内").3, Some(Bound::AtMost));
        assert_eq!(one("24小时内").3, Some(Bound::AtMost));
    }

    #[test]
    fn words_dates_and_numbers_are_not_figures() {
        for s in [
            "到2025年",
            "綦江府办发〔2021〕49号",
            "2021年12月6日",
            "增强四个意识",
            "一体化同城化",
            "三角标准化炮站",
            "第十一届重庆市气象行业技能竞赛",
            "专栏3 气象科技",
            "1.建设气候观测试验中心",
            "2G升级到4G",
            "按照 1:1 的比例",
            "GNSS/MET观测站",
        ] {
            assert!(scan(s).is_empty(), "{s}: {:?}", scan(s));
        }
    }

    #[test]
    fn several_figures_in_one_clause_and_their_spans() {
        let s = "对现有160个山洪风险区、273个地质灾害隐患点和5个城市易涝点";
        let f = scan(s);
        assert_eq!(f.iter().map(|f| f.low).collect::<Vec<_>>(), [160.0, 273.0, 5.0]);
        assert_eq!(&s[f[1].span.clone()], "273个");
    }
}
