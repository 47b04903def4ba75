//! The ledger (情報資産管理台帳) as files: reading .xlsx and .csv into rows of
//! text, and writing the rows of an export as they come, batch by batch.

use std::borrow::Cow;
use std::io::Write;

use mamori_core::asset::LedgerColumn;
use rust_xlsxwriter::{Format, Workbook};

use crate::read::{self, Malformed, Sheet};
use crate::{ImportLimits, WriteError, formula};

/// The name of the worksheet an export writes, and the one an import prefers.
pub const SHEET_NAME: &str = "情報資産管理台帳";

/// The most assets one .xlsx sheet can hold (1,048,576 rows less the header).
pub const XLSX_MAX_ASSETS: u64 = 1_048_575;

pub use mamori_core::table::LedgerFormat;

/// Reads a ledger file into rows of text. The header is the first row that
/// names the asset-name column (ledgers often carry a title above it); failing
/// that, the first non-empty row.
pub fn read_ledger(
    bytes: &[u8],
    format: LedgerFormat,
    limits: &ImportLimits,
) -> Result<Sheet, Malformed> {
    let mut rows = read::read_rows(bytes, format, &[SHEET_NAME], limits)?;
    if format == LedgerFormat::Csv {
        // What the CSV export wrote behind an apostrophe (formula-like cells).
        for cell in rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
            let plain = formula::unescape(cell);
            if plain.len() != cell.len() {
                *cell = plain.to_string();
            }
        }
    }
    read::split_header(rows, |c| {
        LedgerColumn::from_header(c) == Some(LedgerColumn::Name)
    })
}

/// The most characters an Excel cell holds.
const XLSX_CELL_CHARS: usize = 32_767;

/// A cell as the .xlsx export writes it: whole when Excel can hold it, else
/// cut with "…" at the end (texts entered before their length was limited),
/// so that one long value never makes the whole export fail.
fn fit_cell(cell: &str) -> Cow<'_, str> {
    match cell.char_indices().nth(XLSX_CELL_CHARS) {
        None => Cow::Borrowed(cell),
        Some(_) => {
            let end = cell
                .char_indices()
                .nth(XLSX_CELL_CHARS - 1)
                .map_or(cell.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &cell[..end]))
        }
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> WriteError {
    WriteError::Xlsx(e.to_string())
}

fn io_err(e: impl std::fmt::Display) -> WriteError {
    WriteError::Io(e.to_string())
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

/// A ledger being written: the header first, then one row per asset as the
/// rows come, then [`LedgerWriter::finish`]. CSV is UTF-8 with a byte-order
/// mark, so that Excel opens it as such, and formula-like cells are escaped;
/// .xlsx is written in constant-memory mode.
pub struct LedgerWriter<W: Write + Send> {
    out: Out<W>,
    written: u64,
}

impl<W: Write + Send> LedgerWriter<W> {
    /// Starts a ledger in `format`: writes the header row.
    pub fn new(format: LedgerFormat, mut writer: W) -> Result<LedgerWriter<W>, WriteError> {
        let headers: Vec<&str> = LedgerColumn::ALL.iter().map(|c| c.header()).collect();
        let out = match format {
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
        Ok(LedgerWriter { out, written: 0 })
    }

    /// Writes one asset: `id` and its cells in the order of
    /// [`LedgerColumn::ALL`] (the first cell, the id as text, is what CSV
    /// writes; .xlsx writes the id as a number).
    pub fn write_row<S: AsRef<str>>(&mut self, id: i64, cells: &[S]) -> Result<(), WriteError> {
        match &mut self.out {
            Out::Csv(w) => w
                .write_record(cells.iter().map(|c| formula::escape_bytes(c.as_ref())))
                .map_err(io_err)?,
            Out::Xlsx { book, row, .. } => {
                if self.written >= XLSX_MAX_ASSETS {
                    return Err(WriteError::TooManyRows);
                }
                let sheet = book.worksheet_from_index(0).map_err(xlsx_err)?;
                sheet.write_number(*row, 0, id as f64).map_err(xlsx_err)?;
                for (col, cell) in cells.iter().enumerate().skip(1) {
                    let cell = cell.as_ref();
                    if !cell.is_empty() {
                        sheet
                            .write_string(*row, col as u16, fit_cell(cell))
                            .map_err(xlsx_err)?;
                    }
                }
                *row += 1;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Ends the file (flushes the CSV, or writes out the workbook). Returns the
    /// number of rows written.
    pub fn finish(self) -> Result<u64, WriteError> {
        match self.out {
            Out::Csv(mut w) => w.flush().map_err(io_err)?,
            Out::Xlsx {
                mut book, writer, ..
            } => book.save_to_writer(writer).map_err(xlsx_err)?,
        }
        Ok(self.written)
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
