//! Matching a metric's name as a bureau's sheet writes it to the plan's own. Sheets differ
//! slightly (`强对流天气预警提前量` for `强对流天气预警时间提前量`, full-width brackets, spaces),
//! so an unknown name gets the closest metric proposed; a person confirms it: nothing here
//! decides alone.

use super::Metric;

/// How alike two normalised names must be (0–1, see [`similarity`]) to be proposed.
pub const THRESHOLD: f64 = 0.75;

/// A proposed metric for a name that matched none exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub key: String,
    pub name: String,
    /// How alike the names are, in percent.
    pub percent: u8,
}

/// The name as compared: full-width letters, digits and brackets folded to half-width, every
/// bracket made round, spaces and separators dropped, letters lower-cased.
pub fn normalise(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .map(|c| match c {
            '[' | '【' | '〔' | '{' | '〈' | '《' => '(',
            ']' | '】' | '〕' | '}' | '〉' | '》' => ')',
            c => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '・' | '-' | '_' | '、'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How alike two names are once normalised: twice their longest common subsequence over
/// their lengths (1 = the same), so a word left out costs in proportion to the name.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (normalise(a).chars().collect(), normalise(b).chars().collect());
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut row = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            row[j + 1] = if x == y { prev[j] + 1 } else { prev[j + 1].max(row[j]) };
        }
        prev = row;
    }
    2.0 * prev[b.len()] as f64 / (a.len() + b.len()) as f64
}

/// The metric `wanted` (neither a key nor a name of any metric) most likely means: the one
/// whose name is most alike, at least [`THRESHOLD`], and more alike than any other; `None`
/// when none is close or two are equally close.
pub fn closest(metrics: &[Metric], wanted: &str) -> Option<Proposal> {
    let mut scored: Vec<(f64, &Metric)> = metrics
        .iter()
        .map(|m| (similarity(wanted, &m.name).max(similarity(wanted, &m.key)), m))
        .filter(|(s, _)| *s >= THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [(best, m), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => {
            Some(Proposal { key: m.key.clone(), name: m.name.clone(), percent: (best * 100.0).round() as u8 })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_widths_and_spaces_do_not_count() {
        assert_eq!(normalise("Ｘ波段 雷达（双偏振）"), "x波段雷达(双偏振)");
        assert_eq!(normalise("雷达【双偏振】"), normalise("雷达(双偏振)"));
        assert_eq!(similarity("天气雷达（X 波段）", "天气雷达(X波段)"), 1.0);
    }

    #[test]
    fn the_issues_example_is_close_and_unrelated_names_are_not() {
        let s = similarity("强对流天气预警提前量", "强对流天气预警时间提前量");
        assert!((THRESHOLD..1.0).contains(&s), "{s}");
        assert!(similarity("气象科普受众人数", "强对流天气预警时间提前量") < THRESHOLD);
        assert_eq!(similarity("", "x"), 0.0);
    }

    #[test]
    fn the_closest_metric_is_proposed_only_when_alone_and_close() {
        use crate::plan::{Direction, Kind};
        let m = |key: &str, name: &str| Metric {
            key: key.into(),
            name: name.into(),
            ..Metric::sample(Kind::Level, Direction::Higher, None, None)
        };
        let metrics = [m("lead", "强对流天气预警时间提前量"), m("acc", "暴雨预警准确率"), m("acc2", "暴雨预警准确度")];
        let p = closest(&metrics, "强对流天气预警提前量").unwrap();
        assert_eq!((p.key.as_str(), p.name.as_str()), ("lead", "强对流天气预警时间提前量"));
        assert!(p.percent >= 75 && p.percent < 100, "{p:?}");
        assert_eq!(closest(&metrics, "暴雨预警准确"), None, "two equally close: no guess");
        assert_eq!(closest(&metrics, "人工影响天气作业"), None);
    }
}
