//! The plan's layout: headings (第三章 …, 一、…, (一)…, 专栏3 …), the review of the
//! previous period, sentences and their clauses.

/// A heading line: its level (1 = 第X章, 2 = 一、 or 专栏, 3 = (一)) and its text as printed,
/// without a table of contents' page number.
pub fn heading(line: &str) -> Option<(u8, String)> {
    let l = line.trim();
    if l.is_empty() || l.chars().count() > 40 || l.contains('。') {
        return None;
    }
    let title =
        l.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '·' | '.' | '…' | ' ' | '\t' | '\u{3000}'));
    let title = if title.is_empty() { l } else { title }.to_owned();
    let numerals = "一二三四五六七八九十百零〇";
    let level = if let Some(rest) = l.strip_prefix('第') {
        let n = rest.chars().take_while(|c| numerals.contains(*c) || c.is_ascii_digit()).count();
        (n > 0 && rest.chars().nth(n) == Some('章')).then_some(1)?
    } else if matches!(l.replace([' ', '\u{3000}'], "").as_str(), "前言" | "目录" | "结束语") {
        1
    } else if let Some(rest) = l.strip_prefix("专栏") {
        rest.trim_start().starts_with(|c: char| c.is_ascii_digit() || numerals.contains(c)).then_some(2)?
    } else if let Some(rest) = l.strip_prefix(['(', '（']) {
        let n = rest.chars().take_while(|c| numerals.contains(*c)).count();
        (n > 0 && matches!(rest.chars().nth(n), Some(')' | '）'))).then_some(3)?
    } else {
        let n = l.chars().take_while(|c| numerals.contains(*c)).count();
        (n > 0 && l.chars().nth(n) == Some('、')).then_some(2)?
    };
    Some((level, title))
}

/// Whether a heading opens a review of what the previous period achieved.
pub fn is_review(title: &str, previous_ordinal: Option<&str>) -> bool {
    let words = ["成效", "回顾", "成就", "发展基础", "现状", "主要进展"];
    words.iter().any(|w| title.contains(w))
        || previous_ordinal.is_some_and(|p| title.contains(p) && !title.contains("目标") && !title.contains("挑战"))
}

/// Sentences of a paragraph, each with its end mark; a 。 inside 《》 or “” does not end one.
pub fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    for (i, c) in paragraph.char_indices() {
        match c {
            '《' | '“' => depth += 1,
            '》' | '”' => depth = (depth - 1).max(0),
            '。' | '！' | '？' | '；' | ';' | '!' | '?' if depth == 0 => {
                let end = i + c.len_utf8();
                push(&mut out, &paragraph[start..end]);
                start = end;
            }
            _ => {}
        }
    }
    push(&mut out, &paragraph[start..]);
    out
}

fn push<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s);
    }
}

/// Byte ranges of a sentence's clauses: split at commas, colons and semicolons, but not
/// at the comma of 1,000.
pub fn clauses(s: &str) -> Vec<std::ops::Range<usize>> {
    let b: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (k, &(i, c)) in b.iter().enumerate() {
        let digit_around = k > 0 && b[k - 1].1.is_ascii_digit() && b.get(k + 1).is_some_and(|n| n.1.is_ascii_digit());
        if matches!(c, ',' | '，' | ':' | '：' | '；' | ';' | '。') && !digit_around {
            out.push(start..i);
            start = i + c.len_utf8();
        }
    }
    out.push(start..s.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_their_levels() {
        assert_eq!(
            heading("第三章 加强气象科技创新和人才队伍建设"),
            Some((1, "第三章 加强气象科技创新和人才队伍建设".into()))
        );
        assert_eq!(heading("第九章 提升现代气象治理效能·····23"), Some((1, "第九章 提升现代气象治理效能".into())));
        assert_eq!(heading("第一章 气象发展环境\t12"), Some((1, "第一章 气象发展环境".into())));
        assert_eq!(heading("一、建设气候观测试验中心").map(|h| h.0), Some(2));
        assert_eq!(heading("专栏3 气象科技创新和人才队伍建设").map(|h| h.0), Some(2));
        assert_eq!(heading("专栏 7 乡村振兴气象服务保障").map(|h| h.0), Some(2));
        assert_eq!(heading("(一)气象业务现代化建设加快推进").map(|h| h.0), Some(3));
        assert_eq!(heading("前 言").map(|h| h.0), Some(1));
        assert_eq!(heading("第三方评估机制"), None);
        assert_eq!(heading("一体化发展。"), None);
        assert_eq!(heading("1.建设气候观测试验中心"), None);
    }

    #[test]
    fn review_headings() {
        assert!(is_review("一、“十三五”时期綦江气象发展成效", Some("十三五")));
        assert!(is_review("一、发展基础", None));
        assert!(!is_review("二、“十四五”时期綦江气象发展面临的挑战和机遇", Some("十三五")));
        assert!(!is_review("四、持续强化气象基础能力", Some("十三五")));
    }

    #[test]
    fn sentences_end_at_full_stops_outside_titles() {
        let s = sentences("落实《方案。》要求。到2030年,达到90%;完成");
        assert_eq!(s, ["落实《方案。》要求。", "到2030年,达到90%;", "完成"]);
    }

    #[test]
    fn clauses_split_at_commas_but_not_in_numbers() {
        let s = "新建1,200个站,升级3套";
        let c: Vec<&str> = clauses(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(c, ["新建1,200个站", "升级3套"]);
    }
}
