//! The wide layout, as a bureau keeps its own sheets: one row per metric, one column per
//! period. A period column is titled `2022Q3`, `2022年第三季度`, `2022年三季度` or `2022年`
//! (a year stands for its fourth quarter, when a yearly figure is entered), or only
//! `一季度`…`四季度` below a year row (`2022年` merged over the four quarters: the reader
//! spreads a merged cell's text over the cells it covers, and a year written once at the left
//! of its quarters counts for the columns to its right until the next one). Every other
//! column (单位, 基期, 目标, 备注…) is ignored. Each non-empty period cell becomes one
//! [`SheetRow`] naming its sheet cell (`F7`), so the dry run can point at it.

use super::ragged::{self, Origin};
use super::{KEY_TITLES, NAME_TITLES, RawRow, SheetRow};

/// What a header cell of the wide layout says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Head {
    /// A year and a quarter: `2022Q3`, `2022年第三季度`.
    Period(i32, u8),
    /// A year alone: `2022年`, `2022年度`, `2022`.
    Year(i32),
    /// A quarter whose year is in the row above: `三季度`, `第三季度`, `Q3`.
    Quarter(u8),
}

/// Reads a header cell; `None` for any other title.
pub(super) fn head(text: &str) -> Option<Head> {
    let s: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'Ｑ' | 'q' => 'Q',
            c => c,
        })
        .collect();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return quarter_part(&s).map(Head::Quarter);
    }
    if digits != 4 {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    if !(1900..=2200).contains(&year) {
        return None;
    }
    let rest = &s[4..];
    if matches!(rest, "" | "年" | "年度" | "全年" | "年全年") {
        return Some(Head::Year(year));
    }
    let rest = rest.strip_prefix('年').or_else(|| rest.strip_prefix('-')).unwrap_or(rest);
    quarter_part(rest).map(|q| Head::Period(year, q))
}

/// A title that means a period but names none plantrack reads: a quarter word or a
/// half-year (`2022年第五季度`, `2022年上半年`, `2022Q5`). Other titles with a year
/// (`2025年目标`) are extra columns.
fn looks_like_period(text: &str) -> bool {
    let s: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let after_year = s.trim_start_matches(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    s.contains('季')
        || s.contains("半年")
        || (after_year.len() < s.len() && after_year.trim_start_matches(['年', '-']).starts_with(['Q', 'Ｑ']))
}

/// `第三季度`, `三季度`, `3季度`, `三季`, `Q3`.
fn quarter_part(s: &str) -> Option<u8> {
    let s = s.strip_prefix('Q').map(|d| d.to_owned()).unwrap_or_else(|| {
        let s = s.strip_prefix('第').unwrap_or(s);
        let s = s.strip_suffix("季度").or_else(|| s.strip_suffix('季')).unwrap_or("");
        s.to_owned()
    });
    match s.as_str() {
        "一" | "1" => Some(1),
        "二" | "2" => Some(2),
        "三" | "3" => Some(3),
        "四" | "4" => Some(4),
        _ => None,
    }
}

/// The columns of a recognised wide header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Columns {
    key: Option<usize>,
    name: Option<usize>,
    /// Each period column and its quarter as `2022Q3`.
    periods: Vec<(usize, String)>,
    /// Columns titled like a period that is none (`2022年第五季度`, `2022年上半年`): their
    /// figures are errors, never dropped without a word.
    unreadable: Vec<(usize, String)>,
    /// The header's width: its last title's column + 1.
    width: usize,
}

/// Looks for a wide header among the first `search` rows: the index in `raw` of its last
/// row (data starts below it) and its columns.
pub(super) fn find(raw: &[RawRow], search: usize) -> Option<(usize, Columns)> {
    let text = |i: usize, col: usize| raw[i].1.iter().find(|c| c.0 == col).map(|c| c.1.as_str());
    let titled = |titles: &[&str], i: usize| {
        raw[i].1.iter().find(|(_, h)| titles.iter().any(|t| h.to_lowercase() == *t)).map(|(c, _)| *c)
    };
    for i in 0..raw.len().min(search) {
        // A row of quarters below this one makes this one its year row.
        let quarters_below = raw.get(i + 1).is_some_and(|(_, cells)| {
            cells.iter().filter(|(_, t)| matches!(head(t), Some(Head::Quarter(_)))).count() >= 1
        });
        let (upper, lower) = if quarters_below { (Some(i), i + 1) } else { (None, i) };
        let rows: Vec<usize> = upper.into_iter().chain([lower]).collect();
        let key = rows.iter().find_map(|&r| titled(KEY_TITLES, r));
        let name = rows.iter().find_map(|&r| titled(NAME_TITLES, r));
        if key.is_none() && name.is_none() {
            continue;
        }
        let mut periods = Vec::new();
        let mut unreadable = Vec::new();
        let mut year = None;
        let last = rows.iter().flat_map(|&r| raw[r].1.iter().map(|c| c.0)).max().unwrap_or(0);
        for col in 0..=last {
            if let Some(Head::Year(y) | Head::Period(y, _)) = upper.and_then(|u| text(u, col)).and_then(head) {
                year = Some(y);
            }
            let period = match text(lower, col).and_then(head) {
                Some(Head::Period(y, q)) => Some((y, q)),
                Some(Head::Year(y)) => Some((y, 4)),
                Some(Head::Quarter(q)) => year.map(|y| (y, q)),
                None => None,
            };
            match (period, text(lower, col)) {
                (Some((y, q)), _) => periods.push((col, format!("{y}Q{q}"))),
                (None, Some(t)) if looks_like_period(t) => unreadable.push((col, t.trim().to_owned())),
                _ => {}
            }
        }
        if !periods.is_empty() {
            return Some((lower, Columns { key, name, periods, unreadable, width: last + 1 }));
        }
    }
    None
}

/// The data rows below the header at `at`: one [`SheetRow`] per non-empty period cell; a row
/// that cannot be read is one row with its error.
pub(super) fn rows(raw: &[RawRow], at: usize, columns: &Columns, origin: Origin) -> Vec<SheetRow> {
    let mut out = Vec::new();
    for (row, cells) in &raw[at + 1..] {
        let row = *row;
        let get = |col: Option<usize>| {
            col.and_then(|col| cells.iter().find(|c| c.0 == col)).map(|c| c.1.clone()).unwrap_or_default()
        };
        let mut metric = get(columns.key);
        let mut metric_col = columns.key;
        if metric.is_empty() {
            metric = get(columns.name);
            metric_col = columns.name;
        }
        let values: Vec<(usize, &String, String)> = columns
            .periods
            .iter()
            .map(|(col, quarter)| (*col, quarter, get(Some(*col))))
            .filter(|v| !v.2.is_empty())
            .collect();
        // Numbers side by side are the layout itself, not one number cut at its commas: only
        // text right of the header counts (no value column to look for a split at).
        let error = ragged::problem(cells, columns.width, usize::MAX, origin).or_else(|| {
            (metric.is_empty() && !values.is_empty()).then(|| "本行有数值,但没有指标代码或名称".to_owned())
        });
        if let Some(error) = error {
            let col = metric_col.or(columns.key).or(columns.name).unwrap_or(0);
            out.push(SheetRow {
                row,
                cell: address(col, row),
                metric,
                quarter: String::new(),
                value: String::new(),
                note: String::new(),
                error: Some(error),
            });
            continue;
        }
        for (col, title) in &columns.unreadable {
            if !get(Some(*col)).is_empty() {
                out.push(SheetRow {
                    row,
                    cell: address(*col, row),
                    metric: metric.clone(),
                    quarter: String::new(),
                    value: get(Some(*col)),
                    note: String::new(),
                    error: Some(format!(
                        "列标题“{title}”不是可识别的季度或年度(应写成 2022Q3、2022年第三季度或 2022年),本列数值无法导入"
                    )),
                });
            }
        }
        for (col, quarter, value) in values {
            out.push(SheetRow {
                row,
                cell: address(col, row),
                metric: metric.clone(),
                quarter: quarter.clone(),
                value,
                note: String::new(),
                error: None,
            });
        }
    }
    out
}

/// A cell's address as Excel shows it: 0-based column 5 on row 7 is `F7`.
pub fn address(col: usize, row: usize) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_headers() {
        for (text, expected) in [
            ("2022Q3", Some(Head::Period(2022, 3))),
            ("2022 q3", Some(Head::Period(2022, 3))),
            ("2022-Q3", Some(Head::Period(2022, 3))),
            ("2022年第三季度", Some(Head::Period(2022, 3))),
            ("2022年三季度", Some(Head::Period(2022, 3))),
            ("２０２２年３季度", Some(Head::Period(2022, 3))),
            ("2022年", Some(Head::Year(2022))),
            ("2022年度", Some(Head::Year(2022))),
            ("2022", Some(Head::Year(2022))),
            ("一季度", Some(Head::Quarter(1))),
            ("第四季度", Some(Head::Quarter(4))),
            ("Q2", Some(Head::Quarter(2))),
            ("单位", None),
            ("基期", None),
            ("2022年第五季度", None),
            ("12345", None),
            ("", None),
        ] {
            assert_eq!(head(text), expected, "{text}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(address(0, 1), "A1");
        assert_eq!(address(5, 7), "F7");
        assert_eq!(address(25, 2), "Z2");
        assert_eq!(address(26, 2), "AA2");
        assert_eq!(address(27 * 26, 3), "AAA3");
    }

    fn raw(rows: &[(usize, &[(usize, &str)])]) -> Vec<RawRow> {
        rows.iter().map(|(r, cells)| (*r, cells.iter().map(|(c, t)| (*c, t.to_string())).collect())).collect()
    }

    #[test]
    fn a_year_row_above_quarters_gives_their_year_and_other_columns_are_ignored() {
        let raw = raw(&[
            (1, &[(0, "数据表")]),
            (2, &[(0, "指标名称"), (1, "单位"), (2, "2022年"), (6, "2023年"), (8, "备注")]),
            (3, &[(2, "一季度"), (3, "二季度"), (4, "三季度"), (5, "四季度"), (6, "一季度"), (7, "二季度")]),
            (4, &[(0, "雷达"), (1, "%"), (2, "1"), (5, "4"), (7, "6"), (8, "年报")]),
            (5, &[(1, "个")]),
        ]);
        let (at, columns) = find(&raw, 10).unwrap();
        assert_eq!(at, 2);
        let quarters: Vec<&str> = columns.periods.iter().map(|p| p.1.as_str()).collect();
        assert_eq!(quarters, ["2022Q1", "2022Q2", "2022Q3", "2022Q4", "2023Q1", "2023Q2"]);
        let rows = rows(&raw, at, &columns, Origin::Xlsx);
        let got: Vec<(&str, &str, &str, &str)> =
            rows.iter().map(|r| (r.cell.as_str(), r.metric.as_str(), r.quarter.as_str(), r.value.as_str())).collect();
        assert_eq!(got, [("C4", "雷达", "2022Q1", "1"), ("F4", "雷达", "2022Q4", "4"), ("H4", "雷达", "2023Q2", "6")]);
    }

    #[test]
    fn year_columns_stand_for_the_fourth_quarter_and_a_key_beats_a_name() {
        let raw = raw(&[
            (1, &[(0, "指标代码"), (1, "指标名称"), (2, "2021年"), (3, "2022年第三季度")]),
            (2, &[(0, "radar"), (1, "雷达"), (2, "3"), (3, "4")]),
            (3, &[(1, "新指标"), (3, "5")]),
            (4, &[(3, "7")]),
            (5, &[(0, "x"), (2, "1"), (4, "多余")]),
        ]);
        let (at, columns) = find(&raw, 10).unwrap();
        let rows = rows(&raw, at, &columns, Origin::Csv(b','));
        let got: Vec<(&str, &str, &str, &str, bool)> = rows
            .iter()
            .map(|r| (r.cell.as_str(), r.metric.as_str(), r.quarter.as_str(), r.value.as_str(), r.error.is_some()))
            .collect();
        assert_eq!(
            got,
            [
                ("C2", "radar", "2021Q4", "3", false),
                ("D2", "radar", "2022Q3", "4", false),
                ("D3", "新指标", "2022Q3", "5", false),
                ("B4", "", "", "", true),
                ("A5", "x", "", "", true),
            ]
        );
    }

    #[test]
    fn a_title_like_a_period_that_is_none_is_an_error_at_its_cells() {
        for t in ["2022年第五季度", "2022年上半年", "2022Q5", "第五季度"] {
            assert!(head(t).is_none() && looks_like_period(t), "{t}");
        }
        for t in ["2025年目标", "目标", "备注", "单位", "2020年基期"] {
            assert!(!looks_like_period(t), "{t}");
        }
        let raw =
            raw(&[(1, &[(0, "指标代码"), (1, "2022Q3"), (2, "2022年第五季度")]), (2, &[(0, "a"), (1, "1"), (2, "2")])]);
        let (at, columns) = find(&raw, 5).unwrap();
        let rows = rows(&raw, at, &columns, Origin::Xlsx);
        let bad: Vec<(&str, bool)> = rows.iter().map(|r| (r.cell.as_str(), r.error.is_some())).collect();
        assert_eq!(bad, [("C2", true), ("B2", false)]);
    }

    #[test]
    fn no_period_column_is_no_wide_header() {
        assert_eq!(find(&raw(&[(1, &[(0, "指标"), (1, "单位")])]), 10), None);
        assert_eq!(find(&raw(&[(1, &[(0, "单位"), (1, "2022Q1")])]), 10), None);
    }
}
