//! The writers: the ledger (CSV with BOM, CRLF and formula escaping, .xlsx
//! with the id as a number) read back by the reader.

use mamori_core::asset::LedgerColumn;
use mamori_sheet::{ImportLimits, LedgerFormat, LedgerWriter, read_ledger};

fn row(id: i64, name: &str) -> Vec<String> {
    let mut cells = vec![String::new(); LedgerColumn::ALL.len()];
    cells[0] = id.to_string();
    cells[1] = name.to_string();
    cells
}

#[test]
fn a_written_ledger_reads_back_the_same() {
    for format in [LedgerFormat::Csv, LedgerFormat::Xlsx] {
        let mut out = Vec::new();
        let mut w = LedgerWriter::new(format, &mut out).unwrap();
        w.write_row(7, &row(7, "=SUM(A1)")).unwrap();
        w.write_row(8, &row(8, "庁内LAN構成図")).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        if format == LedgerFormat::Csv {
            assert!(out.starts_with(b"\xEF\xBB\xBF"));
            let text = String::from_utf8(out.clone()).unwrap();
            assert!(text.contains("\r\n7,'=SUM(A1),"), "{text}");
        }
        let sheet = read_ledger(&out, format, &ImportLimits::default()).unwrap();
        assert_eq!(sheet.header.len(), LedgerColumn::ALL.len());
        let names: Vec<(&str, &str)> = sheet
            .rows
            .iter()
            .map(|r| (r.cells[0].as_str(), r.cells[1].as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("7", "=SUM(A1)"), ("8", "庁内LAN構成図")],
            "{format:?}"
        );
    }
}
