//! The tables staff exchange as sheets: every stored figure one per row (the long layout,
//! which imports read back), approved figures metrics × quarters (the wide layout, like
//! the bureau's own sheet), and an empty template for one quarter. The web turns them into
//! CSV or XLSX bytes with `sheet`.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::plan::{Metric, Plan, Quarter, Reported, fmt_num};
use crate::sheet::Cell;
use crate::store::{self, values::Stored};

/// Column headers of the long layout: what imports read and exports write.
pub const LONG_HEADER: [&str; 7] = ["指标代码", "指标名称", "单位", "季度", "数值", "备注", "状态"];

/// A header and rows of text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The columns that hold figures; every other column is text.
    pub figures: std::ops::Range<usize>,
}

impl Table {
    /// The rows as sheet cells: figures as numbers, so Excel can compute with them, and
    /// everything else as text, whatever it looks like (a note `0012` or `NaN` stays as
    /// typed, so an export imports back unchanged).
    pub fn cells(&self) -> Vec<Vec<Cell>> {
        self.rows
            .iter()
            .map(|r| {
                r.iter().enumerate().map(|(i, s)| if self.figures.contains(&i) { figure(s) } else { text(s) }).collect()
            })
            .collect()
    }
}

/// The long layout's value column: the only figure in its rows.
const LONG_VALUE: std::ops::Range<usize> = 4..5;

fn figure(s: &str) -> Cell {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Number(v),
        _ => text(s),
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
}

/// Which table an export asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Long,
    Wide,
    Template(Quarter),
}

impl Export {
    /// From the request's `layout` (empty: long) and `quarter` (a template needs one).
    pub fn parse(layout: &str, quarter: Option<Quarter>) -> Result<Self> {
        match layout {
            "long" | "" => Ok(Export::Long),
            "wide" => Ok(Export::Wide),
            "template" => quarter.map(Export::Template).ok_or_else(|| Error::BadRequest("模板需要选择季度".into())),
            other => Err(Error::BadRequest(format!("未知的导出格式“{other}”"))),
        }
    }

    /// The downloaded file's name without its extension.
    pub fn file_stem(self, plan: &Plan) -> String {
        match self {
            Export::Long => format!("{}-values", plan.key),
            Export::Wide => format!("{}-wide", plan.key),
            Export::Template(q) => format!("{}-template-{q}", plan.key),
        }
    }
}

/// Reads what `what` needs of plan `plan_id` (a fixed number of queries) and builds it.
pub fn export(c: &Connection, plan_id: i64, what: Export) -> Result<(Plan, Table)> {
    let plan = store::plans::get(c, plan_id)?;
    let metrics = store::plans::metrics(c, plan_id)?;
    let table = match what {
        Export::Long => long(&metrics, &store::values::stored_of_plan(c, plan_id)?),
        Export::Wide => wide(&plan, &metrics, &store::values::of_plan(c, plan_id, store::values::View::Approved)?),
        Export::Template(q) => template(&metrics, q),
    };
    Ok((plan, table))
}

fn long_header() -> Vec<String> {
    LONG_HEADER.iter().map(|s| s.to_string()).collect()
}

/// Every stored figure, one per row, by quarter and then in the plan's metric order.
pub fn long(metrics: &[Metric], stored: &[Stored]) -> Table {
    let position: HashMap<i64, usize> = metrics.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let mut figures: Vec<(&Stored, &Metric)> =
        stored.iter().filter_map(|s| position.get(&s.metric_id).map(|&i| (s, &metrics[i]))).collect();
    figures.sort_by_key(|(s, m)| (s.quarter, position[&m.id]));
    let rows = figures
        .into_iter()
        .map(|(s, m)| {
            vec![
                m.key.clone(),
                m.name.clone(),
                m.unit.clone(),
                s.quarter.to_string(),
                fmt_num(s.value),
                s.note.clone(),
                s.status.label_zh().to_owned(),
            ]
        })
        .collect();
    Table { header: long_header(), rows, figures: LONG_VALUE }
}

/// Approved figures, metrics × the plan's quarters.
pub fn wide(plan: &Plan, metrics: &[Metric], approved: &HashMap<i64, Vec<Reported>>) -> Table {
    let quarters: Vec<Quarter> = plan.quarters().collect();
    let mut header = vec!["指标代码".to_owned(), "指标名称".to_owned(), "单位".to_owned()];
    header.extend(quarters.iter().map(|q| q.to_string()));
    let rows = metrics
        .iter()
        .map(|m| {
            let by_q: HashMap<Quarter, f64> =
                approved.get(&m.id).into_iter().flatten().map(|r| (r.quarter, r.value)).collect();
            let mut row = vec![m.key.clone(), m.name.clone(), m.unit.clone()];
            row.extend(quarters.iter().map(|q| by_q.get(q).map(|v| fmt_num(*v)).unwrap_or_default()));
            row
        })
        .collect();
    Table { header, rows, figures: 3..usize::MAX }
}

/// An empty sheet for one quarter: every metric, no value. Imported as it is, it changes nothing.
pub fn template(metrics: &[Metric], q: Quarter) -> Table {
    let rows = metrics
        .iter()
        .map(|m| {
            let mut row = vec![m.key.clone(), m.name.clone(), m.unit.clone(), q.to_string()];
            row.resize(LONG_HEADER.len(), String::new());
            row
        })
        .collect();
    Table { header: long_header(), rows, figures: LONG_VALUE }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Direction, Kind, ReviewStatus};

    fn metric(id: i64, key: &str) -> Metric {
        Metric { id, key: key.into(), ..Metric::sample(Kind::Level, Direction::Higher, Some(1.0), None) }
    }

    fn stored(metric_id: i64, q: &str, value: f64, status: ReviewStatus) -> Stored {
        Stored {
            metric_id,
            quarter: q.parse().unwrap(),
            value,
            done: None,
            note: String::new(),
            status,
            approved_value: None,
            approved_done: None,
            review_note: String::new(),
            version: 1,
            recorded_by: String::new(),
            recorded_at: String::new(),
            entered_by: String::new(),
        }
    }

    #[test]
    fn the_long_table_runs_by_quarter_then_in_the_plans_metric_order() {
        let metrics = [metric(2, "b"), metric(1, "a")];
        let figures = [
            stored(1, "2021Q2", 3.0, ReviewStatus::Approved),
            stored(2, "2021Q2", 4.5, ReviewStatus::Returned),
            stored(1, "2021Q1", 1.0, ReviewStatus::Pending),
            stored(9, "2021Q1", 7.0, ReviewStatus::Approved),
        ];
        let t = long(&metrics, &figures);
        assert_eq!(t.header, LONG_HEADER);
        let keys: Vec<(&str, &str, &str, &str)> =
            t.rows.iter().map(|r| (r[0].as_str(), r[3].as_str(), r[4].as_str(), r[6].as_str())).collect();
        assert_eq!(
            keys,
            [("a", "2021Q1", "1", "待审核"), ("b", "2021Q2", "4.5", "已退回"), ("a", "2021Q2", "3", "已审核")]
        );
    }

    #[test]
    fn a_template_has_every_metric_and_no_value() {
        let t = template(&[metric(1, "a"), metric(2, "b")], "2023Q4".parse().unwrap());
        assert_eq!(t.rows.len(), 2);
        assert!(t.rows.iter().all(|r| r.len() == LONG_HEADER.len() && r[3] == "2023Q4" && r[4].is_empty()));
    }

    #[test]
    fn export_layouts_parse_and_a_template_needs_a_quarter() {
        assert_eq!(Export::parse("", None).unwrap(), Export::Long);
        assert_eq!(Export::parse("wide", None).unwrap(), Export::Wide);
        assert!(matches!(Export::parse("template", None), Err(Error::BadRequest(_))));
        assert!(matches!(Export::parse("pivot", None), Err(Error::BadRequest(_))));
    }

    #[test]
    fn figures_are_numbers_and_every_other_cell_stays_text_as_typed() {
        let row = |note: &str| {
            ["m", "指标", "个", "2021Q1", "12.5", note, "待审核"].iter().map(|s| s.to_string()).collect::<Vec<_>>()
        };
        let notes = ["0012", "NaN", "inf", "1e400", "12"];
        let t = Table { header: vec![], rows: notes.iter().map(|n| row(n)).collect(), figures: LONG_VALUE };
        for (cells, note) in t.cells().iter().zip(notes) {
            assert_eq!(cells[4], Cell::Number(12.5));
            assert_eq!(cells[5], Cell::Text(note.into()), "a note stays text");
            assert_eq!(cells[3], Cell::Text("2021Q1".into()));
        }
        let wide = Table {
            header: vec![],
            rows: vec![vec!["0012".into(), "".into(), "1".into(), "3".into()]],
            figures: 3..usize::MAX,
        };
        assert_eq!(
            wide.cells(),
            [vec![Cell::Text("0012".into()), Cell::Empty, Cell::Text("1".into()), Cell::Number(3.0)]]
        );
    }
}
