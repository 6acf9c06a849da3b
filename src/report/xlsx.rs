//! The evaluation as an XLSX workbook: a summary sheet and one sheet per chapter, named by
//! the chapter's title, with the same figures and sentences as the page. Each sheet prints on
//! A4 at the width of the page: the summary upright, the chapters across, their sentences
//! wrapped in a column of their own width.

use crate::plan::fmt_num;
use crate::plan::progress::{Assessment, NoProjection, Status};
use crate::plan::text::{baseline_text, target_text};
use crate::sheet::{Cell, Layout, Sheet, write_xlsx};

use super::Report;

/// Column headers of each chapter sheet. The quarter of the value and whether it is stale
/// came last, so that the columns before them keep their places for those who read by them.
pub const CHAPTER_HEADER: [&str; 14] = [
    "指标代码",
    "指标",
    "单位",
    "基期值",
    "目标值",
    "评估时数值",
    "完成进度(%)",
    "时序进度(%)",
    "状态",
    "期末预测值",
    "预计达标季度",
    "评估意见",
    "数值所属季度",
    "数据滞后",
];

/// Widths of the chapter sheets' columns, in characters: the whole fits a landscape page at
/// a readable scale, the key, name, baseline, reach and sentence columns wrapping.
const CHAPTER_WIDTHS: [f64; 14] = [20.0, 24.0, 6.0, 10.0, 8.0, 10.0, 10.0, 10.0, 10.0, 10.0, 14.0, 56.0, 14.0, 9.0];
const CHAPTER_WRAP: [usize; 5] = [0, 1, 3, 10, 11];

/// The workbook's bytes.
pub fn workbook(r: &Report) -> Result<Vec<u8>, String> {
    let title = format!("{} · {} · 截至 {}", r.plan.title, r.kind_zh(), r.as_of);
    let mut sheets = vec![summary(r, &title)];
    for ch in &r.chapters {
        let rows = ch
            .rows
            .iter()
            .map(|row| {
                let a = &row.assessment;
                let (baseline, target) = (baseline_text(&row.metric, a.baseline), target_text(&row.metric));
                vec![
                    Cell::Text(row.metric.key.clone()),
                    Cell::Text(row.metric.name.clone()),
                    Cell::Text(row.metric.unit.clone()),
                    number_or(a.baseline.map(|b| b.value), &baseline),
                    text_or_number(&target),
                    a.latest.as_ref().map_or(Cell::Empty, |l| Cell::Number(l.value)),
                    a.progress.ok().map_or(Cell::Empty, |p| Cell::Number(round2(p * 100.0))),
                    a.expected.map_or(Cell::Empty, |e| Cell::Number(round2(e * 100.0))),
                    Cell::Text(a.status.label_zh().into()),
                    a.forecast().map_or(Cell::Empty, |v| Cell::Number(round2(v))),
                    Cell::Text(reach_text(a)),
                    Cell::Text(row.sentence.clone()),
                    a.latest.as_ref().map_or(Cell::Empty, |l| Cell::Text(l.quarter.label_zh())),
                    if a.is_stale() { Cell::Text("数据滞后".into()) } else { Cell::Empty },
                ]
            })
            .collect();
        sheets.push(Sheet {
            // The chapter's own title (第三章 加强…), cut to Excel's 31 characters by `sheet`.
            name: &ch.chapter.title,
            header: CHAPTER_HEADER.iter().map(|s| s.to_string()).collect(),
            rows,
            widths: Some(CHAPTER_WIDTHS.to_vec()),
            layout: Layout {
                title: title.clone(),
                landscape: true,
                frozen_columns: 2,
                wrap: CHAPTER_WRAP.to_vec(),
                reference: vec![],
            },
        });
    }
    write_xlsx(&sheets)
}

/// The quarter the target is (or was) reached, or why there is none.
pub fn reach_text(a: &Assessment) -> String {
    match (a.status, a.reach()) {
        (Status::Reference, _) => "—".into(),
        (_, Some(q)) => q.label_zh(),
        (_, None) if a.projection.is_some() => "按当前趋势无法达标".into(),
        (_, None) if a.latest.is_some() && a.projection_na == Some(NoProjection::OneOff) => "不作趋势预测".into(),
        _ => "—".into(),
    }
}

fn summary<'a>(r: &'a Report, title: &str) -> Sheet<'a> {
    let mut header = vec!["范围".to_owned()];
    header.extend(Status::ALL.iter().map(|s| s.label_zh().to_owned()));
    header.push("合计".into());
    let line = |name: String, counts: &[(Status, usize)]| {
        let mut row = vec![Cell::Text(name)];
        row.extend(counts.iter().map(|(_, n)| Cell::Number(*n as f64)));
        row.push(Cell::Number(counts.iter().map(|(_, n)| *n).sum::<usize>() as f64));
        row
    };
    let mut rows = vec![line("全部指标".into(), &r.counts)];
    rows.extend(r.chapters.iter().map(|c| line(c.chapter.title.clone(), &c.counts)));
    rows.push(vec![Cell::Empty]);
    rows.push(vec![Cell::Text(format!(
        "{} · 评估日期 {} · 已审核 {} 项,待审核 {} 项,缺失 {} 项 · 生成于 {}",
        r.plan.title, r.as_of, r.figures.approved, r.figures.pending, r.figures.missing, r.generated_on
    ))]);
    Sheet {
        name: "汇总",
        header,
        rows,
        widths: Some(vec![40.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 8.0]),
        // The line under the table, as long as the table is wide, wraps in the first column.
        layout: Layout { title: title.to_owned(), frozen_columns: 1, wrap: vec![0], ..Layout::default() },
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn number_or(v: Option<f64>, text: &str) -> Cell {
    match v {
        Some(v) if fmt_num(v) == text => Cell::Number(v),
        _ => Cell::Text(text.to_owned()),
    }
}

fn text_or_number(text: &str) -> Cell {
    text.parse::<f64>().map_or_else(|_| Cell::Text(text.to_owned()), Cell::Number)
}
