//! Small one-sheet workbooks (acknowledgement and training status): a bold,
//! frozen header and text cells.

use rust_xlsxwriter::{Format, Workbook};

use crate::WriteError;

/// The sheet of an acknowledgement status workbook.
pub const ACK_SHEET: &str = "誓約状況";
/// The sheet of a training status workbook.
pub const TRAINING_SHEET: &str = "研修受講状況";

/// The columns of an acknowledgement status workbook (header, width).
pub const ACK_HEADERS: &[(&str, f64)] = &[
    ("誓約 / Campaign", 24.0),
    ("所属 / Unit", 20.0),
    ("ユーザー名 / User name", 16.0),
    ("氏名 / Name", 18.0),
    ("状態 / Status", 10.0),
    ("確認日時 / Confirmed at", 26.0),
];

/// The columns of a training status workbook (header, width).
pub const TRAINING_HEADERS: &[(&str, f64)] = &[
    ("研修コード / Course code", 14.0),
    ("研修名 / Course", 26.0),
    ("所属 / Unit", 20.0),
    ("ユーザー名 / User name", 16.0),
    ("氏名 / Name", 18.0),
    ("期限 / Due", 12.0),
    ("状態 / Status", 10.0),
    ("修了日 / Completed", 12.0),
];

/// Rows one sheet holds (1,048,576 less the header).
const MAX_ROWS: usize = 1_048_575;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> WriteError {
    WriteError::Xlsx(e.to_string())
}

/// One sheet: a bold, frozen header (text and column width) and text cells
/// (empty cells left blank).
pub fn workbook(
    sheet_name: &str,
    headers: &[(&str, f64)],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, WriteError> {
    if rows.len() > MAX_ROWS {
        return Err(WriteError::TooManyRows);
    }
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(xlsx_err)?;
    for (col, (header, width)) in headers.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(0, col, *header, &bold)
            .map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (r, cells) in rows.iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(r as u32 + 1, col as u16, cell)
                    .map_err(xlsx_err)?;
            }
        }
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// A plain table (header row, then rows; no formats, no escaping, .xlsx in
/// constant-memory mode, CSV without byte-order mark), as the benchmark and
/// tests generate the files they import.
pub fn plain_table<R, I, S>(
    format: crate::LedgerFormat,
    headers: &[&str],
    rows: R,
) -> Result<Vec<u8>, WriteError>
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let io = |e: &dyn std::fmt::Display| WriteError::Io(e.to_string());
    match format {
        crate::LedgerFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(headers).map_err(|e| io(&e))?;
            for row in rows {
                w.write_record(row.into_iter().map(|c| c.as_ref().to_string()))
                    .map_err(|e| io(&e))?;
            }
            w.into_inner().map_err(|e| io(&e))
        }
        crate::LedgerFormat::Xlsx => {
            let mut book = Workbook::new();
            let sheet = book
                .add_worksheet_with_constant_memory()
                .map_err(xlsx_err)?;
            for (col, h) in headers.iter().enumerate() {
                sheet.write_string(0, col as u16, *h).map_err(xlsx_err)?;
            }
            for (i, row) in rows.into_iter().enumerate() {
                for (col, cell) in row.into_iter().enumerate() {
                    let cell = cell.as_ref();
                    if !cell.is_empty() {
                        sheet
                            .write_string(i as u32 + 1, col as u16, cell)
                            .map_err(xlsx_err)?;
                    }
                }
            }
            book.save_to_buffer().map_err(xlsx_err)
        }
    }
}

/// A CSV of the same table as [`workbook`] (UTF-8 with a byte-order mark, so
/// that Excel reads it), every cell formula-escaped.
pub fn escaped_csv(headers: &[(&str, f64)], rows: &[Vec<String>]) -> Result<Vec<u8>, WriteError> {
    let io = |e: &dyn std::fmt::Display| WriteError::Io(e.to_string());
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(headers.iter().map(|(h, _)| *h))
        .map_err(|e| io(&e))?;
    for row in rows {
        w.write_record(row.iter().map(|c| crate::formula::escape(c).into_owned()))
            .map_err(|e| io(&e))?;
    }
    w.into_inner().map_err(|e| io(&e))
}

// --- Control status (issue 13, part 1) ---

/// The sheet of a control status workbook.
pub const CONTROL_STATUS_SHEET: &str = "対策の実施状況";

/// The columns of a control status workbook (header, width). The import reads
/// 対策コード, 対象区分, 対象コード, 実施状況, 理由, 担当者, 期限 and コメント; the
/// other columns are there for the reader.
pub const CONTROL_STATUS_HEADERS: &[(&str, f64)] = &[
    ("対策コード / Control code", 12.0),
    ("章 / Chapter", 8.0),
    ("分類 / Category", 16.0),
    ("対策 / Control", 40.0),
    ("対象区分 / Scope", 12.0),
    ("対象コード / Scope code", 14.0),
    ("対象名 / Scope name", 20.0),
    ("実施状況 / State", 12.0),
    ("理由（対象外） / Reason", 24.0),
    ("担当者 / Owner", 16.0),
    ("期限 / Due", 12.0),
    ("コメント / Comment", 36.0),
];

/// The column of [`CONTROL_STATUS_HEADERS`] that holds the state.
pub const CONTROL_STATUS_STATE_COLUMN: u16 = 7;

/// A control status workbook: [`workbook`]'s layout, with the state column
/// offered as a drop-down list of `states` (the Japanese words) for every row.
pub fn control_status_workbook(
    rows: &[Vec<String>],
    states: &[&str],
) -> Result<Vec<u8>, WriteError> {
    use rust_xlsxwriter::DataValidation;
    if rows.len() > MAX_ROWS {
        return Err(WriteError::TooManyRows);
    }
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(CONTROL_STATUS_SHEET).map_err(xlsx_err)?;
    for (col, (header, width)) in CONTROL_STATUS_HEADERS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(0, col, *header, &bold)
            .map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (r, cells) in rows.iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(r as u32 + 1, col as u16, cell)
                    .map_err(xlsx_err)?;
            }
        }
    }
    let validation = DataValidation::new()
        .allow_list_strings(states)
        .map_err(xlsx_err)?;
    let last = (rows.len() as u32).max(1);
    sheet
        .add_data_validation(
            1,
            CONTROL_STATUS_STATE_COLUMN,
            last,
            CONTROL_STATUS_STATE_COLUMN,
            &validation,
        )
        .map_err(xlsx_err)?;
    book.save_to_buffer().map_err(xlsx_err)
}
