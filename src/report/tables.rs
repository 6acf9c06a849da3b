//! The tables staff exchange as sheets: every stored figure one per row (the long layout,
//! which imports read back), approved figures metrics × quarters (the wide layout, like
//! the bureau's own sheet), and an empty template for one quarter, with each metric's unit,
//! target and latest approved figure beside it for reference. Each table carries how it lays
//! out as a worksheet; the web turns it into CSV or XLSX bytes with `sheet`.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::plan::text::{baseline_text, target_text, value_text};
use crate::plan::{Metric, Plan, Quarter, Reported, fmt_num};
use crate::sheet::{Cell, Layout, Sheet};
use crate::store::{self, values::Stored};

/// Column headers of the long layout: what imports read and exports write.
pub const LONG_HEADER: [&str; 7] = ["指标代码", "指标名称", "单位", "季度", "数值", "备注", "状态"];

/// Column headers of the template: the import's columns, and between the quarter and the
/// value the metric's unit, target and latest approved figure, marked 参考 (reference: the
/// importer reads none of them, whatever is typed there).
pub const TEMPLATE_HEADER: [&str; 9] = [
    "指标代码",
    "指标名称",
    "季度",
    "单位(参考)",
    "目标值(参考)",
    "最近审核季度(参考)",
    "最近审核值(参考)",
    "数值",
    "备注",
];
/// The template's reference columns, and the figures among them and its value.
const TEMPLATE_REFERENCE: std::ops::Range<usize> = 3..7;
const TEMPLATE_FIGURES: [usize; 3] = [4, 6, 7];

/// A header and rows of text cells, and how they lay out as a worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The columns that hold figures; every other column is text.
    pub figures: Vec<usize>,
    /// Widths of the first columns, in characters; the others are sized to their content.
    pub widths: Vec<f64>,
    /// Frozen, wrapped and reference columns, orientation and the printed title.
    pub layout: Layout,
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

    /// The table as a worksheet named `name`.
    pub fn sheet<'a>(&self, name: &'a str) -> Sheet<'a> {
        Sheet {
            name,
            header: self.header.clone(),
            rows: self.cells(),
            widths: Some(self.widths.clone()),
            layout: self.layout.clone(),
        }
    }
}

/// The long layout's value column: the only figure in its rows.
const LONG_VALUE: usize = 4;

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

    /// The worksheet's name in the XLSX file: what the sheet holds.
    pub fn sheet_name(self) -> String {
        match self {
            Export::Long => "全部数值".into(),
            Export::Wide => "已审核数值(按季度)".into(),
            Export::Template(q) => format!("{}填报", q.label_zh()),
        }
    }

    /// The title printed at the top of every page: the plan and what the sheet holds.
    pub fn title(self, plan: &Plan) -> String {
        let what = match self {
            Export::Long => "全部数值(含待审核、已退回)".to_owned(),
            Export::Wide => "各季度已审核数值".to_owned(),
            Export::Template(q) => format!("{}数值填报模板", q.label_zh()),
        };
        format!("{} · {what}", plan.title)
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
    let approved = || store::values::of_plan(c, plan_id, store::values::View::Approved);
    let mut table = match what {
        Export::Long => long(&metrics, &store::values::stored_of_plan(c, plan_id)?),
        Export::Wide => wide(&plan, &metrics, &approved()?),
        Export::Template(q) => {
            // A metric retired before the quarter began has no figure to fill in.
            let tracked: Vec<Metric> = metrics.iter().filter(|m| m.tracked_on(q.start())).cloned().collect();
            template(&tracked, &approved()?, q)
        }
    };
    table.layout.title = what.title(&plan);
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
    // A list of figures, read down: upright, the note wrapping when long.
    let layout = Layout { frozen_columns: 2, wrap: vec![5], ..Layout::default() };
    Table { header: long_header(), rows, figures: vec![LONG_VALUE], widths: vec![], layout }
}

/// The wide layout's columns before the quarters.
const WIDE_LEAD: [&str; 5] = ["指标代码", "指标名称", "单位", "基期值", "目标值"];

/// Approved figures, metrics × the plan's quarters, after each metric's unit, baseline and
/// target as the plan states them.
pub fn wide(plan: &Plan, metrics: &[Metric], approved: &HashMap<i64, Vec<Reported>>) -> Table {
    let quarters: Vec<Quarter> = plan.quarters().collect();
    let mut header: Vec<String> = WIDE_LEAD.iter().map(|s| s.to_string()).collect();
    header.extend(quarters.iter().map(|q| q.to_string()));
    let rows = metrics
        .iter()
        .map(|m| {
            let by_q: HashMap<Quarter, f64> =
                approved.get(&m.id).into_iter().flatten().map(|r| (r.quarter, r.value)).collect();
            let mut row = vec![m.key.clone(), m.name.clone(), m.unit.clone(), baseline_text(m, None), target_text(m)];
            row.extend(quarters.iter().map(|q| by_q.get(q).map(|v| fmt_num(*v)).unwrap_or_default()));
            row
        })
        .collect();
    // Twenty quarters across a landscape page: the key and name wrap in narrower columns
    // and stay in view when scrolling right.
    let layout = Layout { landscape: true, frozen_columns: 2, wrap: vec![0, 1], ..Layout::default() };
    let figures = (3..header.len()).collect();
    Table { header, rows, figures, widths: vec![20.0, 24.0, 6.0, 10.0, 8.0], layout }
}

/// An empty sheet for one quarter: every metric, no value, and for reference its unit,
/// target and latest approved figure up to that quarter (grey and locked in XLSX). Imported
/// as it is, it changes nothing.
pub fn template(metrics: &[Metric], approved: &HashMap<i64, Vec<Reported>>, q: Quarter) -> Table {
    let rows = metrics
        .iter()
        .map(|m| {
            let latest = approved.get(&m.id).into_iter().flatten().filter(|r| r.quarter <= q).max_by_key(|r| r.quarter);
            vec![
                m.key.clone(),
                m.name.clone(),
                q.to_string(),
                m.unit.clone(),
                target_text(m),
                latest.map(|r| r.quarter.label_zh()).unwrap_or_default(),
                latest.map(|r| value_text(m, r.value, r.done)).unwrap_or_default(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let layout =
        Layout { landscape: true, frozen_columns: 2, reference: TEMPLATE_REFERENCE.collect(), ..Layout::default() };
    let header = TEMPLATE_HEADER.iter().map(|s| s.to_string()).collect();
    Table { header, rows, figures: TEMPLATE_FIGURES.to_vec(), widths: vec![], layout }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Direction, Kind, ReviewStatus, Target};

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

    fn approved(q: &str, value: f64, done: Option<bool>) -> Reported {
        Reported { quarter: q.parse().unwrap(), value, done, note: String::new(), pending: false }
    }

    #[test]
    fn a_template_has_every_metric_no_value_and_the_latest_approved_figure_up_to_its_quarter() {
        let level = Metric { target: Some(Target::single(48.0)), unit: "分钟".into(), ..metric(1, "a") };
        let milestone =
            Metric { id: 2, key: "b".into(), ..Metric::sample(Kind::Milestone, Direction::Higher, Some(0.0), None) };
        let ranged = Metric { target: Some(Target { low: 2.0, high: 3.0 }), ..metric(3, "c") };
        let figures = HashMap::from([
            (1, vec![approved("2023Q1", 40.0, None), approved("2023Q2", 41.5, None), approved("2024Q1", 50.0, None)]),
            (2, vec![approved("2022Q4", 60.0, Some(false))]),
        ]);
        let t = template(&[level, milestone, ranged], &figures, "2023Q4".parse().unwrap());
        assert_eq!(t.header, TEMPLATE_HEADER);
        let reference = |r: &[String]| (r[3].clone(), r[4].clone(), r[5].clone(), r[6].clone());
        assert_eq!(
            t.rows.iter().map(|r| reference(r)).collect::<Vec<_>>(),
            [
                ("分钟".into(), "48".into(), "2023年第二季度".into(), "41.5".into()),
                ("个".into(), "完成".into(), "2022年第四季度".into(), "完成 60%".into()),
                ("个".into(), "2–3".into(), String::new(), String::new()),
            ],
            "a later figure (2024Q1) is not the latest for 2023Q4"
        );
        assert!(t.rows.iter().all(|r| r[2] == "2023Q4" && r[7].is_empty() && r[8].is_empty()));
        assert_eq!(t.layout.reference, [3, 4, 5, 6]);
        // The target 48 and the figure 41.5 are numbers in XLSX; 2–3 and 完成 60% stay text.
        let cells = t.cells();
        assert_eq!((&cells[0][4], &cells[0][6]), (&Cell::Number(48.0), &Cell::Number(41.5)));
        assert_eq!((&cells[2][4], &cells[1][6]), (&Cell::Text("2–3".into()), &Cell::Text("完成 60%".into())));
    }

    #[test]
    fn a_template_reads_back_as_its_rows_without_values_in_xlsx_and_csv() {
        let m = Metric { target: Some(Target::single(300.0)), ..metric(1, "fibre-bandwidth") };
        let figures = HashMap::from([(1, vec![approved("2023Q2", 197.2, None)])]);
        let t = template(&[m], &figures, "2023Q3".parse().unwrap());
        let xlsx = crate::sheet::write_xlsx(&[t.sheet("2023年第三季度填报")]).unwrap();
        let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
        let csv = crate::sheet::write_csv(&header, &t.rows);
        for read in [crate::sheet::read_xlsx(&xlsx), crate::sheet::read_csv(&csv)] {
            let rows = read.unwrap();
            assert_eq!(rows.len(), 1);
            let r = &rows[0];
            // The reference columns (300, 197.2, their titles) are neither the value nor the note.
            assert_eq!(
                (r.metric.as_str(), r.quarter.as_str(), r.value.as_str(), r.note.as_str()),
                ("fibre-bandwidth", "2023Q3", "", "")
            );
            assert_eq!(r.error, None);
        }
    }

    #[test]
    fn the_wide_table_gives_unit_baseline_and_target_before_the_quarters() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let plan = Plan {
            id: 1,
            key: "p".into(),
            title: "规划".into(),
            issuer: String::new(),
            document_number: String::new(),
            issued_on: None,
            period_start: day(2021, 1, 1),
            period_end: day(2025, 12, 31),
            midterm_on: None,
            draft: false,
        };
        let m =
            Metric {
                target: Some(Target::single(48.0)), unit: "分钟".into(), baseline: Some(37.0), ..metric(1, "a")
            };
        let none = Metric { baseline: None, ..metric(2, "b") };
        let first = plan.quarters().next().unwrap();
        let figures = HashMap::from([(1, vec![approved(&first.to_string(), 40.0, None)])]);
        let t = wide(&plan, &[m, none], &figures);
        assert_eq!(t.header[..6], ["指标代码", "指标名称", "单位", "基期值", "目标值", first.to_string().as_str()]);
        assert_eq!(t.header.len(), 5 + plan.quarters().count());
        assert_eq!(t.rows[0][..6], ["a", "指标", "分钟", "37", "48", "40"]);
        assert_eq!(t.rows[1][2..5], ["个", "规划未给出", "—"]);
        let cells = t.cells();
        assert_eq!((&cells[0][3], &cells[0][5]), (&Cell::Number(37.0), &Cell::Number(40.0)));
        assert_eq!(cells[1][3], Cell::Text("规划未给出".into()));
        assert_eq!((t.layout.frozen_columns, t.layout.landscape), (2, true));
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
        let t = Table { rows: notes.iter().map(|n| row(n)).collect(), ..long(&[], &[]) };
        for (cells, note) in t.cells().iter().zip(notes) {
            assert_eq!(cells[4], Cell::Number(12.5));
            assert_eq!(cells[5], Cell::Text(note.into()), "a note stays text");
            assert_eq!(cells[3], Cell::Text("2021Q1".into()));
        }
        let wide = Table {
            rows: vec![vec!["0012".into(), "".into(), "1".into(), "3".into()]],
            figures: vec![3],
            ..long(&[], &[])
        };
        assert_eq!(
            wide.cells(),
            [vec![Cell::Text("0012".into()), Cell::Empty, Cell::Text("1".into()), Cell::Number(3.0)]]
        );
    }
}
