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
