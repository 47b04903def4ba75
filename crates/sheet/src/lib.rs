//! Mamori's spreadsheets: bytes of .xlsx and .csv read into rows of text under
//! budgets ([`ImportLimits`]: zip entries, cells, rows, characters), and the
//! writers of the exports (the ledger, streamed row by row; status workbooks).
//! It knows files, not the database: the store gives it rows and takes rows.

pub mod docx;
pub mod formula;
pub mod ledger;
pub mod read;
pub mod risk;
pub mod shinkyu;
pub mod status;
// Audits and self-inspections (第10; issue 14).
pub mod questionnaire;
pub mod testing;
// --- h14 ---
pub mod report;

pub use ledger::{LedgerFormat, LedgerWriter, read_ledger};
pub use read::{ImportLimits, Malformed, Sheet, SheetRow, clip, quote, sniff_format};

/// Why a file could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// More rows than one Excel sheet holds.
    #[error("too many rows for one Excel sheet")]
    TooManyRows,
    /// The workbook could not be written.
    #[error("cannot write the Excel file: {0}")]
    Xlsx(String),
    /// The output refused the bytes.
    #[error("cannot write the ledger: {0}")]
    Io(String),
}
