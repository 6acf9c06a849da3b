//! The evaluation as a Word document laid out as a Chinese official document (GB/T 9704,
//! see [`page`]): the header, the summary by status, every chapter's table and its
//! sentences, 需要关注, 数据缺失 and 数据滞后, with the figures and sentences of the page.
//! Charts come as PNG images when the caller has a CJK font for them; without one, the
//! document holds tables and text only. Pure: a [`Report`] (and a font) in, bytes out.
//!
//! The app writes ASCII `,;:()` in its Chinese text; a document to be filed takes the
//! full-width marks of GB/T 15834, so every text goes through [`zh`].

mod page;

use std::sync::{Mutex, PoisonError};

use chrono::{Datelike, NaiveDate};
use docx_rs::{
    BreakType, Docx, Paragraph, Pic, Run, Table, TableAlignmentType, TableCell, TableCellMargins, TableLayoutType,
    TableRow, VAlignType, WidthType,
};

use super::xlsx::reach_text;
use super::{Report, Row, status_rgb};
use crate::charts::png::{self, Font, Png, SCALE};
use crate::plan::fmt_num;
use crate::plan::progress::Status;
use crate::plan::text::{baseline_text, percent, target_text, value_text, with_unit};

pub use page::{A4, MARGINS};

/// The media type of a .docx file.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Chinese numbers for the sections (一、) and the items within them ((一)).
const NUMBERS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
    "十八", "十九", "二十",
];

/// The chapter tables' columns (a header of one or two lines) and their widths in twips,
/// 156 mm together: in 小五 a quarter (2023年第二季度) fits on one line.
const COLUMNS: [(&[&str], usize); 8] = [
    (&["指标"], 1800),
    (&["基期"], 750),
    (&["目标"], 750),
    (&["评估时数值"], 1450),
    (&["完成进度"], 850),
    (&["时序进度"], 850),
    (&["状态"], 850),
    (&["期末预测", "预计达标"], 1545),
];

/// Width of the charts on the page, in mm: two metrics needing attention to a page, and
/// the summary's bars still on the first page, beside text of a size to read.
const METRIC_CHART_MM: u32 = 120;
const SUMMARY_CHART_MM: u32 = 100;

/// docx-rs numbers pictures, headers and footers from process-wide counters that it reads
/// and then writes back (two steps, not one atomic add): documents built at once could
/// repeat an id within one of them, which Word reports as damaged. One at a time, then.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The report as .docx bytes; charts drawn with `font` where there is one.
pub fn document(r: &Report, font: Option<&Font>) -> Result<Vec<u8>, String> {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let mut d = Doc { docx: page::setup(Docx::new()), tables: 0, figures: 0, font };
    d.header(r);
    d.summary(r);
    d.chapters(r);
    d.attention(r);
    d.missing(r);
    d.stale(r);
    let created = format!("{}T00:00:00Z", r.generated_on);
    let mut xml = d.docx.created_at(&created).updated_at(&created).build();
    page::font_table(&mut xml);
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| format!("Word 文档生成失败:{e}"))?;
    Ok(out.into_inner())
}

/// The document being written, with its running table and figure numbers.
struct Doc<'f> {
    docx: Docx,
    tables: usize,
    figures: usize,
    font: Option<&'f Font>,
}

impl Doc<'_> {
    fn push(&mut self, p: Paragraph) {
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    fn text(&mut self, style: &str, text: &str) {
        self.push(Paragraph::new().style(style).add_run(run(text)));
    }

    /// A heading, or a paragraph, kept with what follows it.
    fn heading(&mut self, style: &str, text: &str) {
        self.push(Paragraph::new().style(style).keep_next(true).add_run(run(text)));
    }

    /// "表3 title" above the table.
    fn table(&mut self, title: &str, table: Table) {
        self.tables += 1;
        self.heading(page::CAPTION, &format!("表{} {title}", self.tables));
        self.docx = std::mem::take(&mut self.docx).add_table(table);
    }

    /// The chart, `mm` wide, with "图2 title" below it; nothing without a chart.
    fn figure(&mut self, title: &str, chart: Option<Png>, mm: u32) {
        let Some(chart) = chart else { return };
        self.figures += 1;
        // English Metric Units: 36,000 to the millimetre.
        let (w, h) = (mm * 36_000, (u64::from(mm * 36_000) * u64::from(chart.height) / u64::from(chart.width)) as u32);
        let pic = Pic::new_with_dimensions(chart.bytes, chart.width * SCALE, chart.height * SCALE).size(w, h);
        self.push(Paragraph::new().style(page::FIGURE).keep_next(true).add_run(Run::new().add_image(pic)));
        self.text(page::CAPTION, &format!("图{} {title}", self.figures));
    }

    fn header(&mut self, r: &Report) {
        // The plan's name on a line of its own: the title breaks where its sense does.
        let title = run(&r.plan.title).add_break(BreakType::TextWrapping).add_text(format!("{}报告", r.kind_zh()));
        self.push(Paragraph::new().style(page::TITLE).add_run(title));
        if !r.plan.document_number.is_empty() {
            self.text(page::SUBTITLE, &format!("(规划文号:{})", r.plan.document_number));
        }
        self.text(page::SUBTITLE, &format!("评估日期:{}  生成日期:{}", date_zh(r.as_of), date_zh(r.generated_on)));
        let f = r.figures;
        let stale = r.stale().len();
        let stale = if stale == 0 {
            String::new()
        } else {
            format!("其中{stale}项指标数据滞后(最新数据早于{}),见第五部分。", current_from(r))
        };
        self.text(
            page::BODY,
            &format!(
                "数据:已审核{}项,待审核{}项,缺失{}项(规划期初至评估季度,指标×季度)。评估只采用已审核数据。{stale}",
                f.approved, f.pending, f.missing
            ),
        );
    }

    fn summary(&mut self, r: &Report) {
        self.heading(page::HEADING1, "一、总体情况");
        let total: usize = r.counts.iter().map(|(_, n)| n).sum();
        let each: Vec<String> = r.counts.iter().map(|(s, n)| format!("{}{n}项", s.label_zh())).collect();
        self.text(page::BODY, &format!("截至{},规划共{total}项指标:{}。", date_zh(r.as_of), each.join(",")));

        let labels: Vec<[&str; 1]> = Status::ALL.iter().map(|s| [s.label_zh()]).collect();
        let mut head: Vec<(&[&str], usize)> = vec![(&["范围"], 2845)];
        head.extend(labels.iter().map(|l| (&l[..], 850)));
        head.push((&["合计"], 900));
        let widths: Vec<usize> = head.iter().map(|h| h.1).collect();
        let line = |name: &str, counts: &[(Status, usize)]| {
            let sum: usize = counts.iter().map(|(_, n)| n).sum();
            let numbers = counts.iter().map(|(_, n)| n.to_string()).chain([sum.to_string()]);
            let mut cells = vec![cell(&[name], widths[0], page::CELL_LEFT)];
            cells.extend(numbers.zip(&widths[1..]).map(|(n, &w)| cell(&[&n], w, page::CELL)));
            TableRow::new(cells).cant_split()
        };
        let mut rows = vec![header_row(&head), line("全部指标", &r.counts)];
        rows.extend(r.chapters.iter().map(|c| line(&c.chapter.title, &c.counts)));
        self.table("各章指标状态统计", table(rows, widths));

        let chart = self.font.and_then(|font| {
            let bars: Vec<(&str, usize, (u8, u8, u8))> =
                r.counts.iter().map(|(s, n)| (s.label_zh(), *n, status_rgb(*s))).collect();
            png::status_bars(
                &crate::charts::StatusBars { title: "按状态统计", bars: &bars, width: 480, height: 180 },
                font,
            )
        });
        self.figure("各状态指标数", chart, SUMMARY_CHART_MM);
    }

    fn chapters(&mut self, r: &Report) {
        self.heading(page::HEADING1, "二、分章评估");
        for (i, ch) in r.chapters.iter().enumerate() {
            self.heading(page::HEADING2, &format!("({}){}", number(i), ch.chapter.title));
            let mut rows = vec![header_row(&COLUMNS)];
            rows.extend(ch.rows.iter().map(metric_row));
            self.table(&ch.chapter.title, table(rows, COLUMNS.iter().map(|c| c.1).collect()));
            for (j, row) in ch.rows.iter().enumerate() {
                let lead = run(&format!("{}. {}:", j + 1, row.metric.name)).bold();
                self.push(Paragraph::new().style(page::BODY).add_run(lead).add_run(run(&row.sentence)));
            }
        }
    }

    fn attention(&mut self, r: &Report) {
        let rows = r.attention();
        self.heading(page::HEADING1, &format!("三、需要关注({}项)", rows.len()));
        if rows.is_empty() {
            self.text(page::BODY, "没有存在风险或明显滞后的指标。");
        }
        for (i, row) in rows.into_iter().enumerate() {
            let a = &row.assessment;
            self.heading(page::HEADING2, &format!("({}){}({})", number(i), row.metric.name, a.status.label_zh()));
            let pct = |p: Option<f64>| p.map_or_else(|| "—".into(), percent);
            let text = format!("完成进度{},时序进度{}。{}", pct(a.progress.ok()), pct(a.expected), row.sentence);
            let chart = self.font.and_then(|font| {
                super::chart::metric_chart(&r.plan, &row.metric, a, &row.values, (560, 260), |c| {
                    png::metric_chart(c, font)
                })
            });
            // The words stay on the page of their chart.
            if chart.is_some() {
                self.heading(page::BODY, &text)
            } else {
                self.text(page::BODY, &text)
            }
            self.figure(&row.metric.name, chart, METRIC_CHART_MM);
        }
    }

    fn missing(&mut self, r: &Report) {
        let rows = r.missing();
        self.heading(page::HEADING1, &format!("四、数据缺失({}项)", rows.len()));
        if rows.is_empty() {
            self.text(page::BODY, "所有指标均有已审核数据。");
            return;
        }
        let names: Vec<&str> = rows.iter().map(|row| row.metric.name.as_str()).collect();
        self.text(page::BODY, &format!("以下指标截至评估日期没有已审核数据,未能评估:{}。", names.join("、")));
    }

    fn stale(&mut self, r: &Report) {
        let rows = r.stale();
        self.heading(page::HEADING1, &format!("五、数据滞后({}项)", rows.len()));
        let since = current_from(r);
        if rows.is_empty() {
            self.text(page::BODY, &format!("所有已报指标的最新数据均不早于{since}。"));
            return;
        }
        self.text(
            page::BODY,
            &format!(
                "以下指标的最新已审核数据早于{since},此后没有报告:表中的数值、状态和判断都基于这些较早的数据,\
                 未必反映评估日期的情况。"
            ),
        );
        for row in rows {
            let Some(l) = &row.assessment.latest else { continue };
            let value = with_unit(&value_text(&row.metric, l.value, l.done), &row.metric.unit);
            self.text(page::BODY, &format!("{}:{value}({})。", row.metric.name, l.quarter.label_zh()));
        }
    }
}

/// One metric's line: the value cell carries its quarter and, when stale, 数据滞后.
fn metric_row(row: &Row) -> TableRow {
    let (m, a) = (&row.metric, &row.assessment);
    let name = if m.unit.is_empty() { m.name.clone() } else { format!("{}({})", m.name, m.unit) };
    let value = match &a.latest {
        Some(l) => vec![value_text(m, l.value, l.done), l.quarter.label_zh()],
        None => vec!["—".into()],
    };
    let mut projected = vec![a.forecast().map_or_else(|| "—".into(), fmt_num)];
    projected.extend(Some(reach_text(a)).filter(|t| t != "—"));
    let texts: [Vec<String>; 8] = [
        vec![name],
        vec![baseline_text(m, a.baseline)],
        vec![target_text(m)],
        value,
        vec![a.progress.as_ref().map_or_else(|_| "—".into(), |p| percent(*p))],
        vec![a.expected.map_or_else(|| "—".into(), percent)],
        vec![a.status.label_zh().into()],
        projected,
    ];
    let mut cells: Vec<TableCell> = texts
        .iter()
        .zip(COLUMNS)
        .enumerate()
        .map(|(i, (lines, (_, w)))| {
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            cell(&lines, w, if i == 0 { page::CELL_LEFT } else { page::CELL })
        })
        .collect();
    if a.is_stale() {
        let mark = Paragraph::new().style(page::CELL).add_run(run("数据滞后").bold());
        cells[3] = std::mem::take(&mut cells[3]).add_paragraph(mark);
    }
    TableRow::new(cells).cant_split()
}

fn header_row(head: &[(&[&str], usize)]) -> TableRow {
    TableRow::new(head.iter().map(|&(lines, w)| cell(lines, w, page::CELL_HEAD)).collect()).cant_split()
}

/// A cell of one paragraph per line.
fn cell(lines: &[&str], width: usize, style: &str) -> TableCell {
    lines.iter().fold(TableCell::new().width(width, WidthType::Dxa).vertical_align(VAlignType::Center), |c, l| {
        c.add_paragraph(Paragraph::new().style(style).add_run(run(l)))
    })
}

fn table(rows: Vec<TableRow>, widths: Vec<usize>) -> Table {
    Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(page::TEXT_WIDTH, WidthType::Dxa)
        .align(TableAlignmentType::Center)
        // 1 mm either side: eight columns fit.
        .margins(TableCellMargins::new().margin(28, 57, 28, 57))
}

/// A run of `text` with Chinese punctuation ([`zh`]).
fn run(text: &str) -> Run {
    Run::new().add_text(zh(text))
}

/// `text` with the full-width marks Chinese text takes: ，；：（）. A comma or colon
/// between digits (1,000, 10:30) stays as it is.
pub fn zh(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(char::is_ascii_digit);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            ',' | ':' if digit(i.checked_sub(1)) && digit(Some(i + 1)) => c,
            ',' => '，',
            ';' => '；',
            ':' => '：',
            '(' => '（',
            ')' => '）',
            _ => c,
        })
        .collect()
}

/// (一), (二) … for the `i`-th item, from 0.
fn number(i: usize) -> String {
    NUMBERS.get(i).map_or_else(|| (i + 1).to_string(), |n| (*n).to_owned())
}

/// 2023年6月30日.
fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The quarter a figure must be of, or later, not to be stale at the report's date.
fn current_from(r: &Report) -> String {
    crate::plan::Quarter::containing(r.as_of).prev().label_zh()
}

#[cfg(test)]
mod tests;
