//! Data rows whose cells do not line up with the header.
//!
//! A CSV written with `1,000` unquoted turns one value into two cells, `1` and `000`. Read as
//! they stand, the row would import 1 with 000 as its note and drop whatever was pushed right
//! of the header. So a row is refused, with a hint, when it has text right of the header's last
//! title, or when its value cell and the cells after it read as one number cut at its commas.
//! An empty cell right of the header (the trailing `,` some writers add) is nothing and passes.

/// Where a row's cells came from: the rules differ because only CSV can cut a cell in two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A CSV line cut at this delimiter: an unquoted delimiter inside a cell splits it.
    Csv(u8),
    /// An XLSX row of real cells: nothing is cut, but text may stand right of the header.
    /// Numbers side by side there are numbers as typed, not a split, so only the width counts.
    Xlsx,
}

/// The hint for a number cut at its thousands separators.
pub(super) const THOUSANDS_HINT: &str = "数值中的千位分隔符请去掉或加引号";

/// How many cells right of the header a message quotes, and how much of each.
const QUOTED_CELLS: usize = 3;
const QUOTED_CHARS: usize = 20;

/// Why a data row cannot be read against its header, or `None` when it can. `cells` are the
/// row's non-blank cells as (0-based column, trimmed text); the header is `width` columns
/// wide (its last title's column + 1) and holds the value in column `value`.
pub(super) fn problem(cells: &[(usize, String)], width: usize, value: usize, origin: Origin) -> Option<String> {
    let beyond = cells.iter().map(|c| c.0 + 1).max().unwrap_or(0).saturating_sub(width);
    let wider = (beyond > 0).then(|| format!("本行的单元格比表头多 {beyond} 个"));
    if origin == Origin::Csv(b',')
        && let Some(parts) = split_number(cells, value)
    {
        let quoted: Vec<String> = parts.iter().map(|p| format!("“{p}”")).collect();
        let split = format!(
            "数值像是“{}”被逗号拆成了 {} 格({}),{THOUSANDS_HINT}",
            parts.join(","),
            parts.len(),
            quoted.join("")
        );
        return Some(match wider {
            Some(wider) => format!("{wider}:{split}"),
            None => split,
        });
    }
    let wider = wider?;
    let extra: Vec<&str> = cells.iter().filter(|c| c.0 >= width).map(|c| c.1.as_str()).collect();
    let shown = extra.iter().take(QUOTED_CELLS).map(|s| format!("“{}”", shorten(s))).collect::<Vec<_>>().join("、");
    let more = if extra.len() > QUOTED_CELLS { " 等" } else { "" };
    Some(match origin {
        // Three digits pushed out of the header are most likely a number cut at a comma further left.
        Origin::Csv(b',') if extra.iter().any(|s| is_group(s)) => {
            format!("{wider}(多出 {shown}{more}),像是某个数字被逗号拆开了:{THOUSANDS_HINT}")
        }
        Origin::Csv(delimiter) => format!(
            "{wider}(多出 {shown}{more}):表头右侧不能有内容,请检查本行是否有单元格内含{}而未加引号",
            delimiter_name(delimiter)
        ),
        Origin::Xlsx => format!("{wider}(多出 {shown}{more}):表头右侧不能有内容,请删除或给该列加上表头"),
    })
}

/// The value cell and the cells after it when they look like one number cut at its commas:
/// `1` `000`, `-12` `345` `678.5`, `1` `000%`. `None` when the value stands alone.
fn split_number(cells: &[(usize, String)], value: usize) -> Option<Vec<&str>> {
    let at = |col: usize| cells.iter().find(|c| c.0 == col).map(|c| c.1.as_str());
    let lead = at(value)?;
    let digits = lead.strip_prefix(['-', '+']).unwrap_or(lead);
    if !(1..=3).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut parts = vec![lead];
    while let Some(group) = at(value + parts.len()).filter(|g| is_group(g)) {
        parts.push(group);
        // A fraction or a percent sign ends the number.
        if !group.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
    }
    (parts.len() > 1).then_some(parts)
}

/// A thousands group as it follows a comma: three digits, the last group possibly with a
/// fraction or a percent sign (`000`, `678.5`, `000%`).
fn is_group(s: &str) -> bool {
    let s = s.strip_suffix('%').map_or(s, str::trim_end);
    let (int, fraction) = s.split_once('.').unwrap_or((s, ""));
    int.len() == 3 && int.bytes().all(|b| b.is_ascii_digit()) && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "逗号".into(),
        b'\t' => "制表符".into(),
        b';' => "分号".into(),
        other => format!("“{}”", other as char),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= QUOTED_CHARS { s.to_owned() } else { s.chars().take(QUOTED_CHARS).chain(['…']).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMA: Origin = Origin::Csv(b',');

    /// A header of `指标代码,季度,数值,备注`: four columns, the value third.
    fn check(cells: &[&str], origin: Origin) -> Option<String> {
        let cells: Vec<(usize, String)> =
            cells.iter().enumerate().filter(|(_, s)| !s.is_empty()).map(|(i, s)| (i, s.to_string())).collect();
        problem(&cells, 4, 2, origin)
    }

    #[test]
    fn a_row_that_fits_its_header_passes() {
        for cells in [
            &["x", "2022Q3", "45", "年报"][..],
            &["x", "2022Q3", "1,000", "年报"],
            &["x", "2022Q3", "45"],
            &["x", "2022Q3", "", "待补"],
            // Trailing empty cells right of the header, as some writers add them.
            &["x", "2022Q3", "45", "", "", ""],
            // A note of digits that are not a thousands group.
            &["x", "2022Q3", "45", "2023"],
            &["x", "2022Q3", "45", "12"],
            // A value with a fraction is not the first group of a split number.
            &["x", "2022Q3", "1.5", "000"],
        ] {
            assert_eq!(check(cells, COMMA), None, "{cells:?}");
        }
    }

    #[test]
    fn a_value_cut_at_its_thousands_separator_is_refused_with_the_hint() {
        // `1,000` unquoted with an empty note: the group lands in the note column.
        let e = check(&["x", "2022Q3", "1", "000"], COMMA).unwrap();
        assert_eq!(e, "数值像是“1,000”被逗号拆成了 2 格(“1”“000”),数值中的千位分隔符请去掉或加引号");
        // With a note, the note is pushed right of the header too.
        let e = check(&["x", "2022Q3", "1", "000", "年报"], COMMA).unwrap();
        assert!(e.starts_with("本行的单元格比表头多 1 个:数值像是“1,000”"), "{e}");
        // Three groups, a sign, a fraction, a percent sign.
        let e = check(&["x", "2022Q3", "12", "345", "678"], COMMA).unwrap();
        assert!(e.contains("“12,345,678”被逗号拆成了 3 格") && e.contains("多 1 个"), "{e}");
        assert!(check(&["x", "2022Q3", "-1", "000.5"], COMMA).unwrap().contains("“-1,000.5”"));
        assert!(check(&["x", "2022Q3", "1", "000%"], COMMA).unwrap().contains("“1,000%”"));
        // A fraction ends the number: the cell after it is not part of it.
        let e = check(&["x", "2022Q3", "1", "000.5", "000"], COMMA).unwrap();
        assert!(e.contains("“1,000.5”被逗号拆成了 2 格"), "{e}");
    }

    #[test]
    fn text_right_of_the_header_is_refused_and_counted() {
        let e = check(&["x", "2022Q3", "45", "年报", "补充说明"], COMMA).unwrap();
        assert!(e.starts_with("本行的单元格比表头多 1 个(多出 “补充说明”)"), "{e}");
        assert!(e.contains("逗号而未加引号"), "{e}");
        // Cells between count, trailing empty ones do not.
        let e = check(&["x", "2022Q3", "45", "", "", "y", ""], COMMA).unwrap();
        assert!(e.starts_with("本行的单元格比表头多 2 个(多出 “y”)"), "{e}");
        // A thousands group pushed out by a comma further left (here in the metric name).
        let e = check(&["x", "2022Q3", "45", "说明", "500"], COMMA).unwrap();
        assert!(e.contains(THOUSANDS_HINT), "{e}");
        let long = "很长的说明".repeat(10);
        let e = check(&["x", "2022Q3", "45", "", "a", "b", "c", &long], COMMA).unwrap();
        assert!(e.contains("“a”、“b”、“c” 等") && !e.contains(&long), "{e}");
    }

    #[test]
    fn tab_and_semicolon_files_and_xlsx_only_check_the_width() {
        for origin in [Origin::Csv(b'\t'), Origin::Csv(b';'), Origin::Xlsx] {
            // A comma cannot cut a cell there, so digits beside the value are what they say.
            assert_eq!(check(&["x", "2022Q3", "1", "000"], origin), None, "{origin:?}");
            let e = check(&["x", "2022Q3", "1", "000", "年报"], origin).unwrap();
            assert!(e.starts_with("本行的单元格比表头多 1 个") && !e.contains(THOUSANDS_HINT), "{origin:?}: {e}");
        }
        assert!(check(&["x", "q", "1", "", "y"], Origin::Csv(b'\t')).unwrap().contains("制表符"));
        assert!(check(&["x", "q", "1", "", "y"], Origin::Xlsx).unwrap().contains("加上表头"));
    }
}
