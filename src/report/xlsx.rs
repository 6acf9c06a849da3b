//! The evaluation as an XLSX workbook: a summary sheet and one sheet per chapter, with
//! the same figures and sentences as the page.

use crate::plan::fmt_num;
use crate::plan::progress::{Assessment, NoProjection, Status};
use crate::plan::text::{baseline_text, target_text};
use crate::sheet::{Cell, Sheet, write_xlsx};

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

/// The workbook's bytes.
pub fn workbook(r: &Report) -> Result<Vec<u8>, String> {
    // Sheet names are built first: the sheets borrow them.
    let names: Vec<String> = r
        .chapters
        .iter()
        .enumerate()
        .map(|(i, ch)| format!("{}{}", i + 1, ch.chapter.title.split_whitespace().next().unwrap_or("章")))
        .collect();
    let mut sheets = vec![summary(r)];
    for (ch, name) in r.chapters.iter().zip(&names) {
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
            name,
            header: CHAPTER_HEADER.iter().map(|s| s.to_string()).collect(),
            rows,
            widths: Some(vec![24.0, 30.0, 8.0, 10.0, 10.0, 12.0, 12.0, 12.0, 10.0, 12.0, 16.0, 80.0, 16.0, 10.0]),
            layout: Default::default(),
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

fn summary(r: &Report) -> Sheet<'_> {
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
        layout: Default::default(),
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
