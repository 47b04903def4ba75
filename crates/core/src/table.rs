//! A table read from a file, as the imports check it: the header row and the
//! data rows of text, each with the row number a person sees in Excel; the
//! file formats; and the budgets a file is read under. Pure data: reading the
//! bytes is `mamori-sheet`'s job, checking the rows into a plan the store's.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file formats of the ledger and the other imports and exports.
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
pub struct Sheet {
    pub header_row: u32,
    pub header: Vec<String>,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<String>,
}

/// What one import may read (every import: the asset ledger, the organisation
/// and its staff, e-learning completions). A file beyond any of them is refused
/// as unreadable, with a message naming the limit and where it was passed,
/// before the grid is built. Set in `[import]` of mamori.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportLimits {
    /// The largest file, in bytes, an upload (page or API) or an import takes.
    pub max_upload_bytes: u64,
    /// What an .xlsx may unpack to, in bytes, all its zip entries together; also
    /// the most text its cells may come to together.
    pub max_xlsx_unpacked_bytes: u64,
    /// The last row number a sheet may use (a CSV: the most records).
    pub max_rows: u32,
    /// The columns a sheet may use (A … the limit).
    pub max_columns: u32,
    /// The cells a sheet may hold (those written in the file, and those a row
    /// spans up to its last cell).
    pub max_cells: u64,
    /// The characters one cell may hold (Excel's own limit is 32,767).
    pub max_cell_chars: u32,
    /// The largest evidence file (証跡) a control's status takes, in bytes
    /// (issue 13; default 20 MiB).
    pub max_evidence_bytes: u64,
}

impl ImportLimits {
    /// 64 MiB: the largest upload, the same for every import.
    pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 64 * 1024 * 1024;
    /// 20 MiB: the largest evidence file.
    pub const DEFAULT_MAX_EVIDENCE_BYTES: u64 = 20 * 1024 * 1024;
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_upload_bytes: Self::DEFAULT_MAX_UPLOAD_BYTES,
            max_xlsx_unpacked_bytes: 256 * 1024 * 1024,
            max_rows: 1_000_000,
            max_columns: 1_000,
            max_cells: 10_000_000,
            max_cell_chars: 32_767,
            max_evidence_bytes: Self::DEFAULT_MAX_EVIDENCE_BYTES,
        }
    }
}

/// At most `max` characters of `text`, with … where it was cut: for quoting
/// a value from a file in a message or a report.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// How many characters of a value from a file a message quotes.
pub const QUOTED_CHARS: usize = 100;

/// A value from a file as a message quotes it: at most [`QUOTED_CHARS`] characters.
pub fn quote(text: &str) -> String {
    clip(text, QUOTED_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_cuts_long_values_with_an_ellipsis() {
        assert_eq!(quote("短い"), "短い");
        let long = "あ".repeat(150);
        let q = quote(&long);
        assert_eq!(q.chars().count(), QUOTED_CHARS + 1);
        assert!(q.ends_with('…'));
    }

    #[test]
    fn formats_from_file_names() {
        assert_eq!(
            LedgerFormat::from_path(Path::new("台帳.XLSX")),
            Some(LedgerFormat::Xlsx)
        );
        assert_eq!(
            LedgerFormat::from_path(Path::new("a.csv")),
            Some(LedgerFormat::Csv)
        );
        assert_eq!(LedgerFormat::from_path(Path::new("a.txt")), None);
    }
}
