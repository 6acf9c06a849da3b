//! A row of a plan's table of main indicators (主要指标), as a text or a .docx table row
//! comes out: cells split by tabs, `|` or wide spaces, e.g.
//! `1  暴雨预警准确率(%)  85  ≥92  预期性`: the name with its unit, the baseline (the
//! previous period's end) and the target.

use super::numbers::{is_counter, scan};
use crate::plan::{Direction, Kind, Target};

/// One indicator of a table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub unit: String,
    pub kind: Kind,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub target: Target,
    /// The cells holding the baseline and the target, as written.
    pub cells: Vec<String>,
}

fn cells(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in line.split(['\t', '|', '│']) {
        // Two or more spaces (or a full-width one) part cells in a text copied from a table.
        let mut rest = part;
        while let Some(at) = rest.find("  ").or_else(|| rest.find('\u{3000}')) {
            out.push(&rest[..at]);
            rest = rest[at..].trim_start_matches([' ', '\u{3000}']);
        }
        out.push(rest);
    }
    out.into_iter().map(str::trim).filter(|c| !c.is_empty()).collect()
}

/// A figure alone in a cell: `92`, `≥92`, `92%`, `2—3`, `48分钟`; its side if written.
fn figure(cell: &str) -> Option<(f64, f64, Option<Direction>, Option<String>)> {
    let (side, rest) = match cell.chars().next()? {
        '≥' | '>' | '＞' => (Some(Direction::Higher), &cell[cell.chars().next()?.len_utf8()..]),
        '≤' | '<' | '＜' => (Some(Direction::Lower), &cell[cell.chars().next()?.len_utf8()..]),
        _ => (None, cell),
    };
    let rest = rest.trim();
    if rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // With a unit the scanner reads it; a bare number is read here.
    let with_unit = scan(rest).into_iter().next().filter(|f| f.span.start == 0 && f.span.end == rest.len());
    if let Some(f) = with_unit {
        return Some((f.low, f.high, side, Some(f.unit)));
    }
    let (a, b) = match rest.split_once(['—', '-', '–', '~', '～']) {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let v: f64 = rest.parse().ok()?;
            (v, v)
        }
    };
    (a <= b).then_some((a, b, side, None))
}

/// The unit written in a name: 暴雨预警准确率(%) → (暴雨预警准确率, %).
fn unit_in_name(name: &str) -> (String, Option<String>) {
    let open = name.rfind(['(', '（']);
    let close = name.rfind([')', '）']);
    if let (Some(o), Some(c)) = (open, close)
        && o < c
    {
        let unit = name[o + name[o..].chars().next().map_or(1, char::len_utf8)..c].trim();
        let known = scan(&format!("1{unit}")).into_iter().next().filter(|f| f.span.end == unit.len() + 1);
        if let Some(f) = known {
            return (name[..o].trim().to_owned(), Some(f.unit));
        }
    }
    (name.trim().to_owned(), None)
}

/// The indicator a table row states, if it is one.
pub fn row(line: &str) -> Option<Row> {
    let cells = cells(line);
    if cells.len() < 3 {
        return None;
    }
    let at = cells
        .iter()
        .position(|c| c.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)) && figure(c).is_none())?;
    let (name, mut unit) = unit_in_name(cells[at]);
    if name.chars().count() > 30 || name.contains(['。', ',', '，']) {
        return None;
    }
    let mut figures = Vec::new();
    let mut written = Vec::new();
    for c in &cells[at + 1..] {
        if let Some(f) = figure(c) {
            figures.push(f);
            written.push(c.to_string());
        } else if unit.is_none() && c.chars().count() <= 4 {
            unit = unit_in_name(&format!("({c})")).1;
        }
    }
    let (low, high, side, own_unit) = figures.last()?.clone();
    let unit = unit.or(own_unit)?;
    let baseline = (figures.len() >= 2).then(|| figures[0].0);
    let smaller = ["分辨率", "间隔", "频次", "误报", "空报", "漏报", "死亡", "伤亡", "损失", "能耗", "排放"]
        .iter()
        .any(|w| name.contains(w));
    let direction = side.unwrap_or(if smaller || baseline.is_some_and(|b| high < b) {
        Direction::Lower
    } else {
        Direction::Higher
    });
    let kind = if is_counter(&unit) { Kind::Count } else { Kind::Level };
    let cells = if figures.len() >= 2 { vec![written[0].clone(), written[written.len() - 1].clone()] } else { written };
    Some(Row { name, unit, kind, direction, baseline, target: Target { low, high }, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_of_main_indicators() {
        let r = row("1\t暴雨预警准确率(%)\t85\t≥92\t预期性").unwrap();
        assert_eq!((r.name.as_str(), r.unit.as_str()), ("暴雨预警准确率", "%"));
        assert_eq!(
            (r.baseline, r.target, r.direction, r.kind),
            (Some(85.0), Target::single(92.0), Direction::Higher, Kind::Level)
        );
    }

    #[test]
    fn rows_copied_as_text_with_wide_spaces_or_bars() {
        let r = row("2  强对流天气预警提前量  分钟  40  45").unwrap();
        assert_eq!(
            (r.name.as_str(), r.unit.as_str(), r.baseline, r.target.low),
            ("强对流天气预警提前量", "分钟", Some(40.0), 45.0)
        );
        let r = row("| 网格预报空间分辨率(公里) | 1 | 0.5 | 约束性 |").unwrap();
        assert_eq!((r.direction, r.target.low), (Direction::Lower, 0.5));
        let r = row("新建区域自动气象站\t20个\t30个").unwrap();
        assert_eq!((r.unit.as_str(), r.kind, r.baseline), ("个", Kind::Count, Some(20.0)));
        let r = row("3\t培养首席预报员(名)\t—\t2—3").unwrap();
        assert_eq!((r.baseline, r.target), (None, Target { low: 2.0, high: 3.0 }));
    }

    #[test]
    fn prose_and_headers_are_no_rows() {
        assert_eq!(row("序号\t指标\t2025年\t2030年\t属性"), None);
        assert_eq!(row("到2030年,暴雨预警准确率达到92%。"), None);
        assert_eq!(row("第一章  总体要求"), None);
    }
}
