//! Spreadsheets as rows of text: .csv (UTF-8 or Shift_JIS) and .xlsx, read the
//! same way for every import (the asset ledger, the organisation and its staff).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::assets::LedgerFormat;

/// A sheet read from a file: the header row and the data rows, each with the
/// row number a person sees in Excel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sheet {
    pub header_row: u32,
    pub header: Vec<String>,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone)]
pub(crate) struct SheetRow {
    pub number: u32,
    pub cells: Vec<String>,
}

/// Why a file could not be read, in Japanese and English.
#[derive(Debug, Clone)]
pub(crate) struct Malformed {
    pub message: String,
    pub message_en: String,
}

pub(crate) fn malformed(message: impl Into<String>, message_en: impl Into<String>) -> Malformed {
    Malformed {
        message: message.into(),
        message_en: message_en.into(),
    }
}

/// The format of uploaded bytes: an .xlsx is a zip archive (`PK`), anything
/// else is read as CSV.
pub fn sniff_format(bytes: &[u8]) -> LedgerFormat {
    if bytes.starts_with(b"PK\x03\x04") {
        LedgerFormat::Xlsx
    } else {
        LedgerFormat::Csv
    }
}

/// Every row of a file. From a workbook, the first sheet named in `preferred`
/// that exists, or else the first sheet.
pub(crate) fn read_rows(
    bytes: &[u8],
    format: LedgerFormat,
    preferred: &[&str],
) -> Result<Vec<SheetRow>, Malformed> {
    match format {
        LedgerFormat::Csv => read_csv(bytes),
        LedgerFormat::Xlsx => read_xlsx(bytes, preferred),
    }
}

/// Splits rows into the header and the non-blank data rows. The header is the
/// first of the first 20 rows with a cell `is_header` accepts; failing that, the
/// first non-empty row.
pub(crate) fn split_header(
    rows: Vec<SheetRow>,
    is_header: impl Fn(&str) -> bool,
) -> Result<Sheet, Malformed> {
    let is_blank = |r: &SheetRow| r.cells.iter().all(|c| c.trim().is_empty());
    let header_at = rows
        .iter()
        .take(20)
        .position(|r| r.cells.iter().any(|c| is_header(c)))
        .or_else(|| rows.iter().position(|r| !is_blank(r)));
    let Some(header_at) = header_at else {
        return Err(malformed(
            "ファイルに見出し行がありません（空のファイルです）",
            "the file has no header row (it is empty)",
        ));
    };
    let mut rows = rows.into_iter().skip(header_at);
    let header = rows.next().unwrap_or(SheetRow {
        number: 1,
        cells: Vec::new(),
    });
    Ok(Sheet {
        header_row: header.number,
        header: header.cells,
        rows: rows.filter(|r| !is_blank(r)).collect(),
    })
}

fn read_csv(bytes: &[u8]) -> Result<Vec<SheetRow>, Malformed> {
    let text = decode_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let record = record.map_err(|e| {
            malformed(
                format!("CSVの{number}行目を読み取れません: {e}"),
                format!("CSV row {number} cannot be read: {e}"),
            )
        })?;
        rows.push(SheetRow {
            number,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(rows)
}

/// UTF-8 (with or without a byte-order mark), or Shift_JIS as Excel in Japan
/// saves "CSV (comma delimited)".
fn decode_text(bytes: &[u8]) -> Result<String, Malformed> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| {
            malformed(
                "CSVの文字コードを判別できません（UTF-8またはShift_JISで保存してください）",
                "the CSV is neither UTF-8 nor Shift_JIS",
            )
        })
}

fn read_xlsx(bytes: &[u8], preferred: &[&str]) -> Result<Vec<SheetRow>, Malformed> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        malformed(
            format!("Excelファイル（.xlsx）として読み取れません: {e}"),
            format!("the file cannot be read as an Excel workbook (.xlsx): {e}"),
        )
    })?;
    let names = book.sheet_names();
    let name = preferred
        .iter()
        .find_map(|p| names.iter().find(|n| n.as_str() == *p))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| malformed("ワークシートがありません", "the workbook has no sheet"))?;
    let range = book.worksheet_range(&name).map_err(|e| {
        malformed(
            format!("ワークシート「{name}」を読み取れません: {e}"),
            format!("sheet {name} cannot be read: {e}"),
        )
    })?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| SheetRow {
            number: row0 + u32::try_from(i).unwrap_or(u32::MAX) + 1,
            cells: std::iter::repeat_n(String::new(), col0 as usize)
                .chain(cells.iter().map(cell_text))
                .collect(),
        })
        .collect())
}

/// A cell as the text a person sees (dates as YYYY-MM-DD, whole numbers
/// without a decimal point).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}
