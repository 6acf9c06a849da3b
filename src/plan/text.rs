//! How figures read in Chinese on pages, sheets and reports.

use super::progress::BaselinePoint;
use super::{Kind, Metric, fmt_num};

/// A share as a whole percentage: `0.727` → `73%`.
pub fn percent(p: f64) -> String {
    format!("{}%", fmt_num((p * 100.0).round()))
}

/// The target as the plan states it: `48`, `2–3`, or 完成 for a milestone.
pub fn target_text(m: &Metric) -> String {
    match (m.kind, m.target) {
        (Kind::Milestone, _) => "完成".into(),
        (_, None) => "—".into(),
        (_, Some(t)) => t.to_string(),
    }
}

/// The baseline in use: the plan's, the first figure standing in, or none.
pub fn baseline_text(m: &Metric, in_use: Option<BaselinePoint>) -> String {
    match (m.kind, m.baseline, in_use) {
        (Kind::Milestone, Some(0.0), _) => "未启动".into(),
        (_, Some(b), _) => fmt_num(b),
        (_, None, Some(b)) => format!("{}(首次报告值)", fmt_num(b.value)),
        (_, None, None) => "规划未给出".into(),
    }
}

/// A reported figure; a milestone reads 已完成 or 完成 60%.
pub fn value_text(m: &Metric, value: f64, done: Option<bool>) -> String {
    match (m.kind, done) {
        (Kind::Milestone, Some(true)) => "已完成".into(),
        (Kind::Milestone, _) => format!("完成 {}%", fmt_num(value)),
        _ => fmt_num(value),
    }
}

/// Where `unit` goes in a figure's text: `(number, unit, rest)`, to be shown in that order.
/// A unit follows a number and nothing else, so a text that starts with a word (未启动,
/// 规划未给出, 已完成, 完成 65%, —) gets none, nor does one whose number already carries
/// the unit (`65%`); `65(首次报告值)` with 个 reads `65个(首次报告值)`. Pages place every
/// unit through this, whatever text a figure turns out to be.
pub fn place_unit<'a>(text: &'a str, unit: &'a str) -> (&'a str, &'a str, &'a str) {
    let number_chars =
        text.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | '–' | '−'))).unwrap_or(text.len());
    // A number ends on a digit: `2–` is the number 2 and a dash.
    let end = text[..number_chars].rfind(|c: char| c.is_ascii_digit()).map_or(0, |i| i + 1);
    let (number, rest) = text.split_at(end);
    if number.is_empty() || unit.is_empty() || rest.trim_start().starts_with(unit) {
        return (number, "", rest);
    }
    (number, unit, rest)
}

/// `text` with `unit` placed by [`place_unit`], as one string.
pub fn with_unit(text: &str, unit: &str) -> String {
    let (number, unit, rest) = place_unit(text, unit);
    format!("{number}{unit}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Direction, Target};

    fn metric(kind: Kind, unit: &str, baseline: Option<f64>, target: Option<Target>) -> Metric {
        Metric { unit: unit.into(), ..Metric::sample(kind, Direction::Higher, baseline, target) }
    }

    /// A text as a page shows it with `unit` placed.
    fn shown(text: &str, unit: &str) -> String {
        let (number, unit, rest) = place_unit(text, unit);
        format!("{number}{unit}{rest}")
    }

    #[test]
    fn a_unit_follows_a_number() {
        assert_eq!(place_unit("48", "分钟"), ("48", "分钟", ""));
        assert_eq!(place_unit("2–3", "名"), ("2–3", "名", ""));
        assert_eq!(place_unit("-1.5", "个"), ("-1.5", "个", ""));
        assert_eq!(place_unit("48", ""), ("48", "", ""));
    }

    #[test]
    fn a_word_takes_no_unit() {
        for word in ["未启动", "规划未给出", "已完成", "完成", "完成 65%", "—", ""] {
            assert_eq!(place_unit(word, "%"), ("", "", word), "{word}");
            assert_eq!(shown(word, "个"), word);
        }
    }

    #[test]
    fn a_text_that_carries_its_unit_gets_it_no_second_time() {
        assert_eq!(place_unit("65%", "%"), ("65", "", "%"));
        assert_eq!(shown("65 %", "%"), "65 %");
    }

    #[test]
    fn a_first_report_baseline_takes_its_unit_before_the_note() {
        assert_eq!(place_unit("65(首次报告值)", "个"), ("65", "个", "(首次报告值)"));
    }

    #[test]
    fn a_number_ends_on_a_digit() {
        assert_eq!(place_unit("2–", "个"), ("2", "个", "–"));
        assert_eq!(place_unit("-", "个"), ("", "", "-"));
    }

    #[test]
    fn milestone_texts_are_words_or_carry_their_percent() {
        let m = metric(Kind::Milestone, "%", Some(0.0), None);
        assert_eq!(baseline_text(&m, None), "未启动");
        assert_eq!(target_text(&m), "完成");
        assert_eq!(value_text(&m, 65.0, Some(false)), "完成 65%");
        assert_eq!(value_text(&m, 100.0, Some(true)), "已完成");
        let started = metric(Kind::Milestone, "%", Some(20.0), None);
        assert_eq!(shown(&baseline_text(&started, None), "%"), "20%");
    }

    #[test]
    fn a_missing_baseline_is_said_in_words_or_by_the_first_report() {
        let m = metric(Kind::Count, "个", None, Some(Target { low: 160.0, high: 160.0 }));
        assert_eq!(baseline_text(&m, None), "规划未给出");
        let first = BaselinePoint {
            date: chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap(),
            value: 65.0,
            from_report: true,
        };
        assert_eq!(shown(&baseline_text(&m, Some(first)), "个"), "65个(首次报告值)");
    }

    #[test]
    fn no_figure_text_of_any_kind_reads_a_unit_after_a_word() {
        let first = BaselinePoint {
            date: chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap(),
            value: 65.0,
            from_report: true,
        };
        let range = Some(Target { low: 2.0, high: 3.0 });
        let metrics = [
            metric(Kind::Milestone, "%", Some(0.0), None),
            metric(Kind::Milestone, "%", Some(20.0), None),
            metric(Kind::Count, "个", None, range),
            metric(Kind::Level, "%", Some(81.2), Some(Target { low: 92.0, high: 92.0 })),
            metric(Kind::Context, "分", Some(92.3), None),
        ];
        for m in &metrics {
            let mut texts = vec![target_text(m), baseline_text(m, None), baseline_text(m, Some(first))];
            texts.extend([0.0, 65.0, 100.0].map(|v| value_text(m, v, Some(false))));
            texts.push(value_text(m, 100.0, Some(true)));
            for text in texts {
                let shown = shown(&text, &m.unit);
                assert!(!shown.contains("%%"), "{shown}");
                for word in ["未启动", "规划未给出", "完成", "—", ")"] {
                    assert!(!shown.contains(&format!("{word}{}", m.unit)), "{shown}");
                }
            }
        }
    }
}
