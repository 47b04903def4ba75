//! Reports for the CISO and the committee (issue 14, part 3): a workbook of
//! several sheets, each a few lines of title, then a bold header and rows of
//! text. Every cell is formula-escaped (as the CSV exports are), so that a
//! question or a comment typed by staff never runs as a formula wherever the
//! report is copied to.

use rust_xlsxwriter::{Format, Workbook};

use crate::WriteError;

/// One sheet of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportSheet {
    /// The sheet's name (at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// Lines above the table (the report's title, its date, who printed it).
    pub title: Vec<String>,
    /// The columns: header and width.
    pub headers: Vec<(String, f64)>,
    pub rows: Vec<Vec<String>>,
}

impl ReportSheet {
    /// The row (0-based) of the header: after the title and one blank line.
    pub fn header_row(&self) -> u32 {
        if self.title.is_empty() {
            0
        } else {
            self.title.len() as u32 + 1
        }
    }
}

/// Rows one sheet holds.
const MAX_ROWS: usize = 1_048_000;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> WriteError {
    WriteError::Xlsx(e.to_string())
}

/// The workbook of a report: its sheets in order.
pub fn report_workbook(sheets: &[ReportSheet]) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let big = Format::new().set_bold().set_font_size(14);
    for s in sheets {
        if s.rows.len() + s.title.len() + 2 > MAX_ROWS {
            return Err(WriteError::TooManyRows);
        }
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name).map_err(xlsx_err)?;
        for (r, line) in s.title.iter().enumerate() {
            let text = crate::formula::escape(line);
            if r == 0 {
                sheet.write_string_with_format(0, 0, text.as_ref(), &big)
            } else {
                sheet.write_string(r as u32, 0, text.as_ref())
            }
            .map_err(xlsx_err)?;
        }
        let head = s.header_row();
        for (col, (header, width)) in s.headers.iter().enumerate() {
            let col = col as u16;
            sheet.set_column_width(col, *width).map_err(xlsx_err)?;
            sheet
                .write_string_with_format(head, col, crate::formula::escape(header).as_ref(), &bold)
                .map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(head + 1, 0).map_err(xlsx_err)?;
        for (r, cells) in s.rows.iter().enumerate() {
            for (col, cell) in cells.iter().enumerate() {
                if !cell.is_empty() {
                    sheet
                        .write_string(
                            head + 1 + r as u32,
                            col as u16,
                            crate::formula::escape(cell).as_ref(),
                        )
                        .map_err(xlsx_err)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// A sheet as read back: its name and its rows of cells.
pub type ReadSheet = (String, Vec<Vec<String>>);

/// The text of every sheet of a report, as read back (for tests: sheet name
/// → rows of cells, title lines included).
pub fn read_report(bytes: &[u8]) -> Result<Vec<ReadSheet>, String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        let (r0, _) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = (0..r0).map(|_| Vec::new()).collect();
        let (_, c0) = range.start().unwrap_or((0, 0));
        for row in range.rows() {
            let mut cells: Vec<String> = (0..c0).map(|_| String::new()).collect();
            cells.extend(row.iter().map(|c| c.to_string()));
            rows.push(cells);
        }
        out.push((name, rows));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_back_with_its_cells_escaped() {
        let sheet = ReportSheet {
            name: "概要".into(),
            title: vec!["報告".into(), "印刷 someone".into()],
            headers: vec![("項目".into(), 10.0), ("値".into(), 10.0)],
            rows: vec![
                vec!["得点".into(), "83.3%".into()],
                vec!["=HYPERLINK(\"x\")".into(), "−1.0pt".into()],
            ],
        };
        let bytes = report_workbook(&[sheet]).expect("written");
        let read = read_report(&bytes).expect("read");
        assert_eq!(read[0].0, "概要");
        let rows = &read[0].1;
        assert_eq!(rows[0][0], "報告");
        assert_eq!(rows[3], vec!["項目", "値"]);
        assert_eq!(rows[4], vec!["得点", "83.3%"]);
        assert_eq!(rows[5][0], "'=HYPERLINK(\"x\")");
        assert_eq!(rows[5][1], "−1.0pt");
    }
}
