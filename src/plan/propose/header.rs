//! The plan's header: title, document number, issuer, date of issue and period.

use chrono::NaiveDate;

use super::Header;

/// The period a `十X五` names: 十四五 = 2021–2025, 十五五 = 2026–2030, 十六五 = 2031–2035.
pub fn period_of_ordinal(text: &str) -> Option<(i32, i32)> {
    let at = text.find('十')?;
    let rest = &text[at + '十'.len_utf8()..];
    let mut it = rest.chars();
    let n = match it.next()? {
        '一' => 11,
        '二' => 12,
        '三' => 13,
        '四' => 14,
        '五' => 15,
        '六' => 16,
        '七' => 17,
        '八' => 18,
        '九' => 19,
        _ => return period_of_ordinal(rest),
    };
    if it.next() != Some('五') {
        return period_of_ordinal(rest);
    }
    // Five-year spans since the 6th plan (1981–1985); the 1960s had a gap of three years.
    let start = 1981 + 5 * (n - 6);
    Some((start, start + 4))
}

/// `YYYY—YYYY年` (any dash or 至) spanning five calendar years.
fn period_of_years(text: &str) -> Option<(i32, i32)> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let y1: i32 = text.get(i..i + 4)?.parse().ok()?;
        if i > 0 && b[i - 1].is_ascii_digit() {
            return None;
        }
        let rest = &text[i + 4..];
        let sep = rest.chars().next().filter(|c| matches!(c, '—' | '-' | '–' | '~' | '至' | '－'))?;
        let rest = &rest[sep.len_utf8()..];
        let y2: i32 = rest.get(..4)?.parse().ok()?;
        (y2 - y1 == 4 && rest[4..].starts_with('年')).then_some((y1, y2))
    })
}

/// The period a text names: a five-year span of years, or 十X五.
pub fn period_in(text: &str) -> Option<(i32, i32)> {
    period_of_years(text).or_else(|| period_of_ordinal(text))
}

/// The title as printed: the first line naming a 规划, without the notice around it
/// (…关于印发《…规划》的通知).
fn title(lines: &[&str]) -> Option<String> {
    let line = lines.iter().find(|l| l.contains("规划") && !l.ends_with('。'))?;
    let line: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if let (Some(a), Some(b)) = (line.find('《'), line.find('》'))
        && a < b
    {
        return Some(line[a + '《'.len_utf8()..b].to_owned());
    }
    let after = line.find("印发").map_or(&line[..], |at| &line[at + "印发".len()..]);
    Some(after.trim_end_matches("的通知").trim_end_matches("通知").to_owned())
}

/// The first document number: 綦江府办发〔2021〕49号.
fn document_number(text: &str) -> Option<String> {
    let open = text.find('〔')?;
    let close = open + text[open..].find('〕')?;
    let num_end = close + '〕'.len_utf8() + text[close + '〕'.len_utf8()..].find('号')? + '号'.len_utf8();
    let digits = &text[close + '〕'.len_utf8()..num_end - '号'.len_utf8()];
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let before = &text[..open];
    let prefix_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| !c.is_whitespace() && !c.is_ascii_punctuation() && !"(（《“,，。;；:：".contains(*c))
        .last()
        .map_or(open, |(i, _)| i);
    Some(text[prefix_start..num_end].to_owned())
}

const ISSUERS: [&str; 8] =
    ["人民政府办公室", "人民政府办公厅", "人民政府", "办公室", "办公厅", "气象局", "委员会", "局"];

/// Who issued it: the sender of the notice (X关于印发…), or a line that is an office's name.
fn issuer(lines: &[&str]) -> Option<String> {
    let notice = lines.iter().find(|l| l.contains("关于") && l.contains("印发"));
    if let Some(l) = notice {
        // A gazette's contents line starts with page numbers and dashes (…-8重庆市…).
        let who: String = l[..l.find("关于").unwrap_or(0)]
            .trim_start_matches(|c: char| c.is_ascii() || "·…—－".contains(c))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if ISSUERS.iter().any(|s| who.ends_with(s)) {
            return Some(who);
        }
    }
    lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.chars().count() <= 30 && ISSUERS.iter().any(|s| l.ends_with(s)) && !l.contains(['、', ',', '，']))
        .map(str::to_owned)
}

/// A line that is nothing but a date: 2021年12月6日.
fn date_line(line: &str) -> Option<NaiveDate> {
    let l = line.trim();
    let (y, rest) = l.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    NaiveDate::from_ymd_opt(y.trim().parse().ok()?, m.trim().parse().ok()?, d.trim().parse().ok()?)
}

pub fn read(text: &str) -> Header {
    // The header stands before the body; the table of contents or 前言 ends it.
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).take(40).collect();
    let head = lines.join("\n");
    let title = title(&lines).unwrap_or_default();
    let period = period_in(&title).or_else(|| period_in(&head));
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    Header {
        // On a line of its own: a number cited in the text (…(渝府发〔2021〕3号)) is another's.
        document_number: lines
            .iter()
            .filter(|l| l.chars().count() <= 30 && l.ends_with('号'))
            .find_map(|l| document_number(l))
            .unwrap_or_default(),
        issuer: issuer(&lines).unwrap_or_default(),
        issued_on: lines.iter().find_map(|l| date_line(l)),
        period_start: period.and_then(|(a, _)| ymd(a, 1, 1)),
        period_end: period.and_then(|(_, b)| ymd(b, 12, 31)),
        title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_name_their_periods() {
        assert_eq!(period_of_ordinal("“十四五”规划"), Some((2021, 2025)));
        assert_eq!(period_of_ordinal("十五五期间"), Some((2026, 2030)));
        assert_eq!(period_of_ordinal("“十六五”"), Some((2031, 2035)));
        assert_eq!(period_of_ordinal("十分"), None);
    }

    #[test]
    fn a_span_of_years_names_the_period() {
        assert_eq!(period_in("气象发展规划(2026—2030年)"), Some((2026, 2030)));
        assert_eq!(period_in("行动方案(2019—2022年)"), None);
    }

    #[test]
    fn the_header_of_a_notice() {
        let text = "某某府办发〔2026〕12号\n\n3-8某某区人民政府办公室关于印发某某区气象发展“十五五”规划的通知\n\n各部门:\n\n某某区人民政府办公室\n\n2026年3月2日\n";
        let h = read(text);
        assert_eq!(h.title, "某某区气象发展“十五五”规划");
        assert_eq!(h.document_number, "某某府办发〔2026〕12号");
        assert_eq!(h.issuer, "某某区人民政府办公室");
        assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2026, 3, 2));
        assert_eq!(h.period_start, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(h.period_end, NaiveDate::from_ymd_opt(2030, 12, 31));
    }

    #[test]
    fn a_bare_plan_text_takes_its_period_from_the_years_in_its_title() {
        let h = read("XX市气象事业发展规划(2026—2030年)\n\n一、发展基础\n根据《方案》(渝府发〔2021〕3号)要求,……\n");
        assert_eq!(h.title, "XX市气象事业发展规划(2026—2030年)");
        assert_eq!(h.period_start, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(h.document_number, "");
    }
}
