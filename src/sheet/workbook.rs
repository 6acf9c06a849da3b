//! Writing XLSX workbooks: styled worksheets that open, scroll and print well.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use super::format_number;

/// A worksheet to write.
pub struct Sheet<'a> {
    /// Worksheet name (Chinese allowed); characters Excel forbids (`[]:*?/\`) are dropped and the
    /// name is cut to Excel's 31 characters. Duplicates get a `(2)` suffix.
    pub name: &'a str,
    /// Header row, written bold on a light fill and frozen.
    pub header: Vec<String>,
    /// Data rows; rows may be shorter or longer than the header.
    pub rows: Vec<Vec<Cell>>,
    /// Column widths in characters (count a CJK character as 2); None = computed from content.
    /// A list shorter than the columns leaves the remaining columns computed.
    pub widths: Option<Vec<f64>>,
}

/// One cell of a worksheet to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Written as a text cell (never interpreted as a formula or number).
    Text(String),
    /// Written as a real number.
    Number(f64),
    /// Nothing written.
    Empty,
}

/// Writes an XLSX workbook: header row bold on a light fill and frozen, numbers as real numbers
/// (whole numbers in General format, others as `0.##`: up to 2 decimals, no trailing zeros), text
/// as text cells, column widths sized for CJK text.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let fail = |e: rust_xlsxwriter::XlsxError| format!("生成 Excel 文件失败:{e}");
    let header_format =
        Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)).set_border(FormatBorder::Thin);
    let fraction_format = Format::new().set_num_format("0.##");
    // Excel reserves "History" for its change-tracking sheet.
    let mut used = vec!["history".to_string()];
    let mut book = Workbook::new();
    for (index, sheet) in sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(sheet.name, index, &mut used)).map_err(fail)?;
        let mut widths: Vec<f64> = Vec::new();
        let mut widen = |col: usize, text: &str| {
            if widths.len() <= col {
                widths.resize(col + 1, 0.0);
            }
            widths[col] = widths[col].max(text_width(text));
        };
        for (c, title) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, col_num(c)?, title, &header_format).map_err(fail)?;
            widen(c, title);
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| "数据行数超过 Excel 上限".to_string())?;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, col_num(c)?, s).map_err(fail)?;
                        widen(c, s);
                    }
                    // "0.##" would show 92 or 0.001 as "92." or "0.", so those keep General.
                    Cell::Number(n) if ((n * 100.0).round() / 100.0).fract() == 0.0 || !n.is_finite() => {
                        ws.write_number(r, col_num(c)?, *n).map_err(fail)?;
                        widen(c, &format_number(*n));
                    }
                    Cell::Number(n) => {
                        ws.write_number_with_format(r, col_num(c)?, *n, &fraction_format).map_err(fail)?;
                        widen(c, &format!("{n:.2}"));
                    }
                    Cell::Empty => {}
                }
            }
        }
        let given = sheet.widths.as_deref().unwrap_or_default();
        for c in 0..widths.len().max(given.len()) {
            // Padding leaves room for the bold header and the filter/sort glyphs Excel may add.
            let computed = (widths.get(c).copied().unwrap_or(0.0) + 2.0).clamp(8.0, 60.0);
            let width = given.get(c).copied().unwrap_or(computed);
            ws.set_column_width(col_num(c)?, width).map_err(fail)?;
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// Display width in Excel character units: East Asian wide characters take two.
pub(super) fn text_width(s: &str) -> f64 {
    let line_width = |line: &str| -> usize {
        line.chars()
            .map(|c| match c as u32 {
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F => 2,
                0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
                _ => 1,
            })
            .sum()
    };
    s.lines().map(line_width).max().unwrap_or(0) as f64
}

fn col_num(c: usize) -> Result<u16, String> {
    u16::try_from(c).ok().filter(|c| *c < 16_384).ok_or_else(|| "列数超过 Excel 上限".to_string())
}

/// Makes a name Excel accepts: no `[]:*?/\`, no quote at either end, at most 31 UTF-16 units,
/// not blank and unique (case-insensitively) within the workbook.
fn sheet_name(name: &str, index: usize, used: &mut Vec<String>) -> String {
    let cleaned: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    let base = if cleaned.is_empty() { format!("Sheet{}", index + 1) } else { cleaned.to_string() };
    let mut candidate = truncate_utf16(&base, 31).to_string();
    let mut n = 1;
    while used.contains(&candidate.to_lowercase()) {
        n += 1;
        let suffix = format!("({n})");
        candidate = format!("{}{suffix}", truncate_utf16(&base, 31 - suffix.len()));
    }
    used.push(candidate.to_lowercase());
    candidate
}

/// Cuts to at most `room` UTF-16 units (Excel's unit for name lengths), on a char boundary,
/// without leaving a quote or space at the end.
fn truncate_utf16(s: &str, room: usize) -> &str {
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > room
        })
        .map_or(s.len(), |(i, _)| i);
    s[..end].trim_end_matches(|c: char| c == '\'' || c.is_whitespace())
}
