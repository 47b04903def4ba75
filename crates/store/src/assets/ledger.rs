//! The ledger (情報資産管理台帳) as files: reading .xlsx and .csv into rows of
//! text, and the export of the register, streamed in batches.

use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use mamori_core::asset::{LedgerColumn, flag_ja};
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::{
    ASSET_COLUMNS, ASSET_JOINS, Asset, AssetFilter, AssetRow, AssetScope, push_conditions,
};
use crate::{Store, StoreError, db_run};

/// The name of the worksheet an export writes, and the one an import prefers.
pub const SHEET_NAME: &str = "情報資産管理台帳";

/// Rows an export reads per query.
const EXPORT_BATCH: i64 = 2000;

/// The most assets one .xlsx sheet can hold (1,048,576 rows less the header).
const XLSX_MAX_ASSETS: u64 = 1_048_575;

/// The file formats of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerFormat {
    Xlsx,
    Csv,
}

impl LedgerFormat {
    /// The format a file name's extension names (`.xlsx` or `.csv`, any case).
    pub fn from_path(path: &Path) -> Option<LedgerFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" => Some(LedgerFormat::Xlsx),
            "csv" => Some(LedgerFormat::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            LedgerFormat::Xlsx => "xlsx",
            LedgerFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            LedgerFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            LedgerFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

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

fn malformed(message: impl Into<String>, message_en: impl Into<String>) -> Malformed {
    Malformed {
        message: message.into(),
        message_en: message_en.into(),
    }
}

/// Reads a ledger file into rows of text.
pub(crate) fn read_sheet(bytes: &[u8], format: LedgerFormat) -> Result<Sheet, Malformed> {
    let rows = match format {
        LedgerFormat::Csv => read_csv(bytes)?,
        LedgerFormat::Xlsx => read_xlsx(bytes)?,
    };
    // The header is the first row that names the asset-name column (ledgers
    // often carry a title above it); failing that, the first non-empty row.
    let is_blank = |r: &SheetRow| r.cells.iter().all(|c| c.trim().is_empty());
    let header_at = rows
        .iter()
        .take(20)
        .position(|r| {
            r.cells
                .iter()
                .any(|c| LedgerColumn::from_header(c) == Some(LedgerColumn::Name))
        })
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

fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetRow>, Malformed> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        malformed(
            format!("Excelファイル（.xlsx）として読み取れません: {e}"),
            format!("the file cannot be read as an Excel workbook (.xlsx): {e}"),
        )
    })?;
    let names = book.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == SHEET_NAME)
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

/// How the export names units and systems: by name where the name is unique,
/// by code otherwise, so that the import finds the same one again.
pub(crate) struct Names {
    unit_name_count: HashMap<String, usize>,
    system_name_count: HashMap<String, usize>,
}

impl Names {
    pub(crate) fn new<'a>(
        unit_names: impl Iterator<Item = &'a str>,
        system_names: impl Iterator<Item = &'a str>,
    ) -> Names {
        let count = |names: &mut dyn Iterator<Item = &'a str>| {
            let mut m: HashMap<String, usize> = HashMap::new();
            for n in names {
                *m.entry(n.to_string()).or_default() += 1;
            }
            m
        };
        Names {
            unit_name_count: count(&mut unit_names.into_iter()),
            system_name_count: count(&mut system_names.into_iter()),
        }
    }

    fn unit(&self, a: &Asset) -> String {
        if self.unit_name_count.get(&a.owner_unit_name) == Some(&1) {
            a.owner_unit_name.clone()
        } else {
            a.owner_unit_code.clone()
        }
    }

    fn system(&self, a: &Asset) -> String {
        match (&a.system_name, &a.system_code) {
            (Some(name), _) if self.system_name_count.get(name) == Some(&1) => name.clone(),
            (_, Some(code)) => code.clone(),
            _ => String::new(),
        }
    }

    /// The cells of one asset, in the order of [`LedgerColumn::ALL`].
    pub(crate) fn cells(&self, a: &Asset) -> Vec<String> {
        let r = &a.record;
        LedgerColumn::ALL
            .iter()
            .map(|column| match column {
                LedgerColumn::Id => a.id.to_string(),
                LedgerColumn::Name => r.name.clone(),
                LedgerColumn::Kind => r.kind.name_ja().to_string(),
                LedgerColumn::Description => r.description.clone(),
                LedgerColumn::OwnerUnit => self.unit(a),
                LedgerColumn::Administrator => r.administrator.clone(),
                LedgerColumn::Location => r.location.clone(),
                LedgerColumn::System => self.system(a),
                LedgerColumn::Segment => a.segment_name.clone().unwrap_or_default(),
                LedgerColumn::Confidentiality => r.confidentiality.clone(),
                LedgerColumn::Integrity => r.integrity.clone(),
                LedgerColumn::Availability => r.availability.clone(),
                LedgerColumn::Label => a.label.clone(),
                LedgerColumn::PersonalInfo => flag_ja(r.personal_info).to_string(),
                LedgerColumn::MyNumber => flag_ja(r.my_number).to_string(),
                LedgerColumn::Retention => r.retention.clone(),
                LedgerColumn::State => r.lifecycle.name_ja().to_string(),
                LedgerColumn::DisposedOn => r.disposed_on.clone().unwrap_or_default(),
                LedgerColumn::DisposalMethod => r.disposal_method.clone().unwrap_or_default(),
                LedgerColumn::DisposalConfirmedBy => {
                    r.disposal_confirmed_by.clone().unwrap_or_default()
                }
                LedgerColumn::Notes => r.notes.clone(),
            })
            .collect()
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> StoreError {
    StoreError::Internal(format!("cannot write the Excel file: {e}"))
}

fn io_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("cannot write the ledger: {e}"))
}

/// Where the rows of an export go.
enum Out<W: Write + Send> {
    Csv(Box<csv::Writer<W>>),
    Xlsx {
        book: Box<Workbook>,
        writer: W,
        row: u32,
    },
}

impl Store {
    /// Writes the register (or the part of it that `filter` and `scope` let
    /// through) as a ledger, reading it in batches of a few thousand assets so
    /// that a register of any size never sits in memory at once. CSV is UTF-8
    /// with a byte-order mark, so that Excel opens it as such; .xlsx is written
    /// in constant-memory mode. Returns the number of assets written.
    pub async fn export_ledger<W: Write + Send>(
        &self,
        filter: &AssetFilter,
        scope: &AssetScope,
        format: LedgerFormat,
        mut writer: W,
    ) -> Result<u64, StoreError> {
        let (units, systems): (Vec<String>, Vec<String>) = db_run!(&self.db, |pool| {
            let units: Vec<String> = sqlx::query_scalar("SELECT name FROM units")
                .fetch_all(pool)
                .await?;
            let systems: Vec<String> = sqlx::query_scalar("SELECT name FROM information_systems")
                .fetch_all(pool)
                .await?;
            (units, systems)
        });
        let names = Names::new(
            units.iter().map(String::as_str),
            systems.iter().map(String::as_str),
        );
        let headers: Vec<&str> = LedgerColumn::ALL.iter().map(|c| c.header()).collect();
        let mut out: Out<W> = match format {
            LedgerFormat::Csv => {
                writer.write_all(b"\xEF\xBB\xBF").map_err(io_err)?;
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(writer);
                w.write_record(&headers).map_err(io_err)?;
                Out::Csv(Box::new(w))
            }
            LedgerFormat::Xlsx => {
                let mut book = Box::new(Workbook::new());
                let bold = Format::new().set_bold();
                let sheet = book
                    .add_worksheet_with_constant_memory()
                    .map_err(xlsx_err)?;
                sheet.set_name(SHEET_NAME).map_err(xlsx_err)?;
                for (col, column) in LedgerColumn::ALL.iter().enumerate() {
                    let width = match column {
                        LedgerColumn::Name | LedgerColumn::Description | LedgerColumn::Notes => {
                            30.0
                        }
                        LedgerColumn::Kind | LedgerColumn::Location | LedgerColumn::System => 22.0,
                        LedgerColumn::OwnerUnit | LedgerColumn::Segment => 18.0,
                        _ => 12.0,
                    };
                    sheet
                        .set_column_width(col as u16, width)
                        .map_err(xlsx_err)?;
                }
                sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
                for (col, header) in headers.iter().enumerate() {
                    sheet
                        .write_string_with_format(0, col as u16, *header, &bold)
                        .map_err(xlsx_err)?;
                }
                Out::Xlsx {
                    book,
                    writer,
                    row: 1,
                }
            }
        };
        let mut last_id = 0_i64;
        let mut written = 0_u64;
        loop {
            let rows: Vec<AssetRow> = db_run!(&self.db, |pool| {
                let mut qb = QueryBuilder::new(format!(
                    "SELECT {ASSET_COLUMNS} FROM (SELECT * FROM assets a WHERE a.id > "
                ));
                qb.push_bind(last_id);
                if !push_conditions(&mut qb, filter, scope) {
                    break;
                }
                qb.push(" ORDER BY a.id LIMIT ")
                    .push_bind(EXPORT_BATCH)
                    .push(format_args!(") a {ASSET_JOINS} ORDER BY a.id"));
                qb.build_query_as().fetch_all(pool).await?
            });
            let done = (rows.len() as i64) < EXPORT_BATCH;
            for row in rows {
                let asset = Asset::try_from(row)?;
                last_id = asset.id;
                let cells = names.cells(&asset);
                match &mut out {
                    Out::Csv(w) => w.write_record(&cells).map_err(io_err)?,
                    Out::Xlsx { book, row, .. } => {
                        if written >= XLSX_MAX_ASSETS {
                            return Err(StoreError::invalid(
                                "format",
                                "Excelの1シートに収まらない件数です。CSVで出力してください / too many assets for one Excel sheet: export as CSV",
                            ));
                        }
                        let sheet = book.worksheet_from_index(0).map_err(xlsx_err)?;
                        sheet
                            .write_number(*row, 0, asset.id as f64)
                            .map_err(xlsx_err)?;
                        for (col, cell) in cells.iter().enumerate().skip(1) {
                            if !cell.is_empty() {
                                sheet
                                    .write_string(*row, col as u16, cell)
                                    .map_err(xlsx_err)?;
                            }
                        }
                        *row += 1;
                    }
                }
                written += 1;
            }
            if done {
                break;
            }
        }
        match out {
            Out::Csv(mut w) => w.flush().map_err(io_err)?,
            Out::Xlsx {
                mut book, writer, ..
            } => book.save_to_writer(writer).map_err(xlsx_err)?,
        }
        Ok(written)
    }
}
