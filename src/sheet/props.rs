//! Property tests over the sheet readers: whatever bytes come in, they answer without
//! panicking, and what plantrack writes reads back as it was.

use proptest::prelude::*;

use super::{Cell, Sheet, read_csv, read_xlsx, write_csv, write_xlsx};

/// Text a person might type into a cell: Chinese, digits, punctuation, commas, quotes,
/// formula starts, newlines inside, but no surrounding whitespace (readers trim it).
fn cell_text() -> impl Strategy<Value = String> {
    "[a-z0-9中文说明备注,;\"'=+\\-@%.()\\n ]{1,24}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("not blank", |s| !s.is_empty())
}

fn rows() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((cell_text(), cell_text()), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn the_csv_reader_answers_any_bytes_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_csv(&bytes);
    }

    #[test]
    fn the_xlsx_reader_answers_any_bytes_without_panicking(tail in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_xlsx(&tail);
        let mut zip_like = b"PK\x03\x04".to_vec();
        zip_like.extend(tail);
        let _ = read_xlsx(&zip_like);
    }

    #[test]
    fn a_written_csv_reads_back_as_it_was(rows in rows()) {
        let table: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, (value, note))| vec!["m".into(), format!("2022Q{}", i % 4 + 1), value.clone(), note.clone()])
            .collect();
        let read = read_csv(&write_csv(&["指标代码", "季度", "数值", "备注"], &table)).unwrap();
        let back: Vec<(String, String)> = read.into_iter().map(|r| (r.value, r.note)).collect();
        prop_assert_eq!(back, rows);
    }
}

/// A wide grid: each metric's optional figure per quarter column.
fn grid() -> impl Strategy<Value = Vec<Vec<Option<String>>>> {
    prop::collection::vec(prop::collection::vec(prop::option::of(cell_text()), 4), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_written_wide_csv_reads_back_cell_by_cell(grid in grid()) {
        let quarters = ["2021Q4", "2022年第一季度", "2022年三季度", "2023年"];
        let canonical = ["2021Q4", "2022Q1", "2022Q3", "2023Q4"];
        let table: Vec<Vec<String>> = grid
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = vec![format!("m{i}"), "单位".to_owned()];
                cells.extend(row.iter().map(|v| v.clone().unwrap_or_default()));
                cells
            })
            .collect();
        let header: Vec<&str> = ["指标代码", "单位"].into_iter().chain(quarters).collect();
        let read = read_csv(&write_csv(&header, &table));
        let expected: Vec<(String, String, String, String)> = grid
            .iter()
            .enumerate()
            .flat_map(|(i, row)| {
                row.iter().enumerate().filter_map(move |(c, v)| {
                    let cell = super::address(c + 2, i + 2);
                    Some((cell, format!("m{i}"), canonical[c].to_owned(), v.clone()?))
                })
            })
            .collect();
        // A grid with no figure at all is a sheet without data.
        if expected.is_empty() {
            prop_assert!(read.is_err());
        } else {
            let back: Vec<(String, String, String, String)> =
                read.unwrap().into_iter().map(|r| (r.cell, r.metric, r.quarter, r.value)).collect();
            prop_assert_eq!(back, expected);
        }
    }
}

proptest! {
    // Writing a workbook takes longer: fewer cases.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_written_xlsx_reads_back_as_it_was(rows in rows()) {
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|(value, note)| vec![Cell::Text("m".into()), Cell::Text("2022Q1".into()), Cell::Text(value.clone()), Cell::Text(note.clone())])
            .collect();
        let header = ["指标代码", "季度", "数值", "备注"].map(String::from).to_vec();
        let bytes = write_xlsx(&[Sheet::new("数据", header, cells)]).unwrap();
        let back: Vec<(String, String)> = read_xlsx(&bytes).unwrap().into_iter().map(|r| (r.value, r.note)).collect();
        prop_assert_eq!(back, rows);
    }
}
