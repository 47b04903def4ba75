//! The ledger (情報資産管理台帳) as files: reading .xlsx and .csv into rows of
//! text, and the export of the register, streamed in batches.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

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

use crate::Actor;
pub(crate) use crate::sheet::Sheet;
use crate::sheet::{self, Malformed};

/// Reads a ledger file into rows of text. The header is the first row that
/// names the asset-name column (ledgers often carry a title above it); failing
/// that, the first non-empty row.
pub(crate) fn read_sheet(
    bytes: &[u8],
    format: LedgerFormat,
    limits: &crate::ImportLimits,
) -> Result<Sheet, Malformed> {
    let mut rows = sheet::read_rows(bytes, format, &[SHEET_NAME], limits)?;
    if format == LedgerFormat::Csv {
        // What the CSV export wrote behind an apostrophe (formula-like cells).
        for cell in rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
            let plain = crate::formula::unescape(cell);
            if plain.len() != cell.len() {
                *cell = plain.to_string();
            }
        }
    }
    sheet::split_header(rows, |c| {
        LedgerColumn::from_header(c) == Some(LedgerColumn::Name)
    })
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

/// The most characters an Excel cell holds.
const XLSX_CELL_CHARS: usize = 32_767;

/// A cell as the .xlsx export writes it: whole when Excel can hold it, else
/// cut with "…" at the end (texts entered before their length was limited),
/// so that one long value never makes the whole export fail.
fn fit_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.char_indices().nth(XLSX_CELL_CHARS) {
        None => std::borrow::Cow::Borrowed(cell),
        Some(_) => {
            let end = cell
                .char_indices()
                .nth(XLSX_CELL_CHARS - 1)
                .map_or(cell.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &cell[..end]))
        }
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
    /// in constant-memory mode. Once written, the export is an event of the
    /// log (format, filters, rows), whoever asked: page, API or command line.
    /// Returns the number of assets written.
    pub async fn export_ledger<W: Write + Send>(
        &self,
        actor: &Actor,
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
                    Out::Csv(w) => w
                        .write_record(cells.iter().map(|c| crate::formula::escape_bytes(c)))
                        .map_err(io_err)?,
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
                                    .write_string(*row, col as u16, fit_cell(cell))
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
        self.record_export(
            actor,
            "assets",
            &serde_json::json!({"format": format, "filter": filter, "rows": written}),
        )
        .await?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::{XLSX_CELL_CHARS, fit_cell};

    #[test]
    fn long_cells_are_cut_to_what_excel_holds() {
        let fits = "あ".repeat(XLSX_CELL_CHARS);
        assert_eq!(fit_cell(&fits), fits.as_str());
        let long = "あ".repeat(XLSX_CELL_CHARS + 1);
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), XLSX_CELL_CHARS);
        assert!(cut.ends_with('…'));
    }
}
