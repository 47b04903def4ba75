//! Spreadsheets as rows of text: .csv (UTF-8 or Shift_JIS) and .xlsx, read the
//! same way for every import (the asset ledger, the organisation and its staff).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use mamori_core::asset::column_letters;

use crate::LedgerFormat;
pub use mamori_core::table::{ImportLimits, QUOTED_CHARS, Sheet, SheetRow, clip, quote};

/// Why a file could not be read, in Japanese and English.
#[derive(Debug, Clone)]
pub struct Malformed {
    pub message: String,
    pub message_en: String,
}

pub fn malformed(message: impl Into<String>, message_en: impl Into<String>) -> Malformed {
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
pub fn read_rows(
    bytes: &[u8],
    format: LedgerFormat,
    preferred: &[&str],
    limits: &ImportLimits,
) -> Result<Vec<SheetRow>, Malformed> {
    if bytes.len() as u64 > limits.max_upload_bytes {
        return Err(file_too_big(bytes.len(), limits));
    }
    match format {
        LedgerFormat::Csv => read_csv(bytes, limits),
        LedgerFormat::Xlsx => read_xlsx(bytes, preferred, limits),
    }
}

/// Splits rows into the header and the non-blank data rows. The header is the
/// first of the first 20 rows with a cell `is_header` accepts; failing that, the
/// first non-empty row.
pub fn split_header(
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

/// A number with thousands separators (1,048,576), for messages.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A cell's reference as Excel writes it (A1, XFD1048576), from 0-based indexes.
fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col as usize), u64::from(row) + 1)
}

fn read_csv(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<SheetRow>, Malformed> {
    let text = decode_text(bytes)?;
    let mut input = text.as_bytes();
    let mut reader = csv_core::Reader::new();
    // One field at a time into a buffer that holds the longest cell allowed
    // (4 bytes a character at most): a longer field fills it and is refused
    // without ever being held whole.
    let max_chars = limits.max_cell_chars as usize;
    let mut field = vec![0_u8; max_chars.saturating_mul(4).max(4)];
    let mut used = 0;
    let mut rows: Vec<SheetRow> = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut total_cells: u64 = 0;
    let mut number: u32 = 1;
    loop {
        let (result, read, written) = reader.read_field(input, &mut field[used..]);
        input = &input[read..];
        used += written;
        let col = u32::try_from(cells.len()).unwrap_or(u32::MAX);
        match result {
            csv_core::ReadFieldResult::InputEmpty => {}
            csv_core::ReadFieldResult::OutputFull => {
                return Err(cell_too_long_csv(number, col, None, limits));
            }
            csv_core::ReadFieldResult::Field { record_end } => {
                let value = String::from_utf8_lossy(&field[..used]).into_owned();
                used = 0;
                let chars = value.chars().count();
                if chars > max_chars {
                    return Err(cell_too_long_csv(number, col, Some(chars), limits));
                }
                if cells.len() >= limits.max_columns as usize {
                    return Err(too_many_columns_csv(number, limits));
                }
                total_cells += 1;
                if total_cells > limits.max_cells {
                    return Err(too_many_cells(
                        "CSV",
                        "the CSV",
                        &cell_ref(number - 1, col),
                        limits,
                    ));
                }
                cells.push(value);
                if record_end {
                    if number > limits.max_rows {
                        return Err(too_many_rows_csv(limits));
                    }
                    rows.push(SheetRow {
                        number,
                        cells: std::mem::take(&mut cells),
                    });
                    number = number.saturating_add(1);
                }
            }
            csv_core::ReadFieldResult::End => break,
        }
    }
    Ok(rows)
}

fn cell_too_long_csv(row: u32, col: u32, chars: Option<usize>, limits: &ImportLimits) -> Malformed {
    let at = cell_ref(row - 1, col);
    let max = thousands(u64::from(limits.max_cell_chars));
    let (n_ja, n_en) = match chars {
        Some(n) => (
            format!("{}文字", thousands(n as u64)),
            format!("{} characters", thousands(n as u64)),
        ),
        None => (
            format!("{}バイト超", thousands(field_cap(limits))),
            format!("over {} bytes", thousands(field_cap(limits))),
        ),
    };
    malformed(
        format!(
            "CSVの{row}行目 {}列（セル {at}）が長すぎます（{n_ja}）。1つのセルは{max}文字までです（import.max_cell_chars）",
            column_letters(col as usize)
        ),
        format!(
            "CSV row {row}, column {} (cell {at}) is too long ({n_en}): a cell holds at most {max} characters (import.max_cell_chars)",
            column_letters(col as usize)
        ),
    )
}

fn field_cap(limits: &ImportLimits) -> u64 {
    u64::from(limits.max_cell_chars).saturating_mul(4)
}

fn too_many_columns_csv(row: u32, limits: &ImportLimits) -> Malformed {
    let max = thousands(u64::from(limits.max_columns));
    malformed(
        format!(
            "CSVの{row}行目の列が多すぎます。読み取れるのは{max}列（{}列）までです（import.max_columns）",
            column_letters(limits.max_columns.saturating_sub(1) as usize)
        ),
        format!(
            "CSV row {row} has too many columns: at most {max} (up to column {}) are read (import.max_columns)",
            column_letters(limits.max_columns.saturating_sub(1) as usize)
        ),
    )
}

fn too_many_rows_csv(limits: &ImportLimits) -> Malformed {
    let max = thousands(u64::from(limits.max_rows));
    malformed(
        format!("CSVの行が多すぎます。読み取れるのは{max}行までです（import.max_rows）"),
        format!("the CSV has too many rows: at most {max} are read (import.max_rows)"),
    )
}

fn too_many_cells(where_ja: &str, where_en: &str, at: &str, limits: &ImportLimits) -> Malformed {
    let max = thousands(limits.max_cells);
    malformed(
        format!(
            "{where_ja}のセルが多すぎます（セル {at} で上限の{max}セルを超えました。import.max_cells）"
        ),
        format!(
            "{where_en} has too many cells: more than the limit of {max} cells at cell {at} (import.max_cells)"
        ),
    )
}

/// UTF-8 (with or without a byte-order mark), or Shift_JIS as Excel in Japan
/// saves "CSV (comma delimited)".
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, Malformed> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| Cow::Owned(t.into_owned()))
        .ok_or_else(|| {
            malformed(
                "CSVの文字コードを判別できません（UTF-8またはShift_JISで保存してください）",
                "the CSV is neither UTF-8 nor Shift_JIS",
            )
        })
}

/// Entries an .xlsx may hold (a workbook written by Excel has a few dozen).
const MAX_ZIP_ENTRIES: usize = 10_000;

/// How much of the shared-strings part is looked at for its `<sst>` tag.
const SST_PREFIX: u64 = 64 * 1024;

fn not_xlsx(e: &dyn std::fmt::Display) -> Malformed {
    let e = clip(&e.to_string(), 200);
    malformed(
        format!("Excelファイル（.xlsx）として読み取れません: {e}"),
        format!("the file cannot be read as an Excel workbook (.xlsx): {e}"),
    )
}

fn unpacked_too_big(entry: &str, declared: bool, limits: &ImportLimits) -> Malformed {
    let max = thousands(limits.max_xlsx_unpacked_bytes);
    let entry = quote(entry);
    if declared {
        malformed(
            format!(
                "Excelファイルを展開すると上限の{max}バイトを超えます（{entry} まで。import.max_xlsx_unpacked_bytes）"
            ),
            format!(
                "the workbook unpacks to more than the limit of {max} bytes (by {entry}; import.max_xlsx_unpacked_bytes)"
            ),
        )
    } else {
        malformed(
            format!(
                "Excelファイルの {entry} は見出しの申告より大きく展開されます（展開後の上限 {max}バイト。import.max_xlsx_unpacked_bytes）"
            ),
            format!(
                "{entry} in the workbook unpacks to more than its header declares (the unpacked limit is {max} bytes; import.max_xlsx_unpacked_bytes)"
            ),
        )
    }
}

/// Checks an .xlsx archive before anything parses it: the entries' declared
/// sizes together, then each entry decompressed and counted (not kept), so that
/// a header that understates its entry is caught too; and the shared-strings
/// count that would otherwise size an allocation.
fn check_zip(bytes: &[u8], limits: &ImportLimits) -> Result<(), Malformed> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(not_xlsx(&format!(
            "{} entries (at most {MAX_ZIP_ENTRIES})",
            zip.len()
        )));
    }
    let budget = limits.max_xlsx_unpacked_bytes;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| not_xlsx(&e))?;
        declared = declared.saturating_add(entry.size());
        if declared > budget {
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            return Err(unpacked_too_big(&name, true, limits));
        }
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| not_xlsx(&e))?;
        if entry.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let shared_strings = name.to_ascii_lowercase().ends_with("sharedstrings.xml");
        let mut prefix = Vec::new();
        total += scan_entry(
            &mut entry,
            &name,
            budget - total,
            limits,
            &mut prefix,
            shared_strings,
        )?;
        if shared_strings {
            check_shared_strings_count(&prefix, limits)?;
        }
    }
    Ok(())
}

/// What one XML event (a text, a tag, a comment, a CDATA section) or one
/// string (`<si>`, `<is>`: runs of rich text joined) may come to in a part's
/// source: a cell's characters at up to 10 bytes each (`&#x10FFFF;`) and room
/// for a tag's attributes. The XML reader behind holds an event whole, and
/// calamine a string whole, before anything can look at them.
fn max_xml_event(limits: &ImportLimits) -> u64 {
    u64::from(limits.max_cell_chars)
        .saturating_mul(10)
        .saturating_add(64 * 1024)
}

/// Where the scanner is in a part's XML.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Xml {
    Text,
    /// Just after `<`.
    Open,
    /// In a start or end tag; the quote it is inside, if any.
    Tag(Option<u8>),
    /// Just after `<!`: which declaration, told by the next bytes.
    Bang,
    Comment,
    CData,
    /// A DOCTYPE or other declaration: ends at the `>` that balances its `<`s.
    Declaration(u32),
    Instruction,
}

/// Scans a part's bytes as they are unpacked, the way the XML reader will cut
/// them into events, and stops at the first event or string longer than
/// `max` bytes. Parts that are not XML (images) read as short events too.
struct XmlGuard {
    max: u64,
    /// Whether `<si>` and `<is>` strings are measured (not in binary parts,
    /// where those bytes may occur by chance).
    strings: bool,
    state: Xml,
    run: u64,
    /// The last three bytes, for `-->`, `]]>`, `?>` and `/>`.
    last: [u8; 3],
    bang: Vec<u8>,
    name: Vec<u8>,
    naming: bool,
    closing: bool,
    in_string: bool,
    string: u64,
}

impl XmlGuard {
    fn new(max: u64, strings: bool) -> XmlGuard {
        XmlGuard {
            max,
            strings,
            state: Xml::Text,
            run: 0,
            last: [0; 3],
            bang: Vec::new(),
            name: Vec::new(),
            naming: false,
            closing: false,
            in_string: false,
            string: 0,
        }
    }

    fn ends(&self, end: &[u8]) -> bool {
        self.last.ends_with(end)
    }

    /// Feeds bytes; `Err` names what was too long (an event or a string).
    fn feed(&mut self, bytes: &[u8]) -> Result<(), &'static str> {
        for &b in bytes {
            self.last = [self.last[1], self.last[2], b];
            self.run += 1;
            match self.state {
                Xml::Text => {
                    if b == b'<' {
                        self.state = Xml::Open;
                        self.run = 1;
                    } else if self.in_string {
                        self.string += 1;
                    }
                }
                Xml::Open => {
                    self.name.clear();
                    self.closing = b == b'/';
                    self.naming = true;
                    self.state = match b {
                        b'!' => {
                            self.bang.clear();
                            Xml::Bang
                        }
                        b'?' => Xml::Instruction,
                        b'>' => Xml::Text,
                        b'/' => Xml::Tag(None),
                        _ => {
                            self.name.push(b);
                            Xml::Tag(None)
                        }
                    };
                    if self.state == Xml::Text {
                        self.run = 0;
                    }
                }
                Xml::Tag(Some(q)) => {
                    if b == q {
                        self.state = Xml::Tag(None);
                    }
                }
                Xml::Tag(None) => match b {
                    b'"' | b'\'' => {
                        self.naming = false;
                        self.state = Xml::Tag(Some(b));
                    }
                    b'>' => {
                        self.end_tag();
                        self.state = Xml::Text;
                        self.run = 0;
                    }
                    _ if self.naming => {
                        if b.is_ascii_whitespace() || b == b'/' {
                            self.naming = false;
                        } else if self.name.len() < 16 {
                            self.name.push(b);
                        }
                    }
                    _ => {}
                },
                Xml::Bang => {
                    self.bang.push(b);
                    if self.bang == b"--" {
                        self.state = Xml::Comment;
                    } else if self.bang == b"[CDATA[" {
                        self.state = Xml::CData;
                    } else if !b"--".starts_with(&self.bang) && !b"[CDATA[".starts_with(&self.bang)
                    {
                        self.state = if b == b'>' {
                            self.run = 0;
                            Xml::Text
                        } else {
                            Xml::Declaration(u32::from(b == b'<'))
                        };
                    }
                }
                Xml::Comment => {
                    if self.ends(b"-->") {
                        self.state = Xml::Text;
                        self.run = 0;
                    }
                }
                Xml::CData => {
                    if self.in_string {
                        self.string += 1;
                    }
                    if self.ends(b"]]>") {
                        self.state = Xml::Text;
                        self.run = 0;
                    }
                }
                Xml::Declaration(depth) => match b {
                    b'<' => self.state = Xml::Declaration(depth.saturating_add(1)),
                    b'>' if depth == 0 => {
                        self.state = Xml::Text;
                        self.run = 0;
                    }
                    b'>' => self.state = Xml::Declaration(depth - 1),
                    _ => {}
                },
                Xml::Instruction => {
                    if self.ends(b"?>") {
                        self.state = Xml::Text;
                        self.run = 0;
                    }
                }
            }
            if self.run > self.max {
                return Err("event");
            }
            if self.string > self.max {
                return Err("string");
            }
        }
        Ok(())
    }

    /// At the `>` of a tag: entering or leaving a string.
    fn end_tag(&mut self) {
        if !self.strings {
            return;
        }
        let local = self.name.rsplit(|c| *c == b':').next().unwrap_or_default();
        if local != b"si" && local != b"is" {
            return;
        }
        let self_closing = self.last[1] == b'/';
        if self.closing {
            self.in_string = false;
        } else if !self_closing {
            self.in_string = true;
            self.string = 0;
        }
    }
}

/// Parts an .xlsx holds that are not XML: their bytes are scanned for long
/// events only, not for strings.
fn is_binary_part(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

/// Unpacks an entry into the guard, counting; `Err` as [`check_zip`] says.
fn scan_entry(
    entry: &mut impl Read,
    name: &str,
    left: u64,
    limits: &ImportLimits,
    prefix: &mut Vec<u8>,
    keep_prefix: bool,
) -> Result<u64, Malformed> {
    let unpack_error = |e: std::io::Error| {
        // The zip reader stops an entry that unpacks to more than its header
        // says; that is the lie this check is for.
        if e.to_string().contains("declared uncompressed size") {
            unpacked_too_big(name, false, limits)
        } else {
            not_xlsx(&e)
        }
    };
    let max = max_xml_event(limits);
    let mut guard = XmlGuard::new(max, !is_binary_part(name));
    let mut buf = vec![0_u8; 64 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = entry.read(&mut buf).map_err(unpack_error)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        if total > left {
            return Err(unpacked_too_big(name, false, limits));
        }
        if keep_prefix && (prefix.len() as u64) < SST_PREFIX {
            let room = (SST_PREFIX as usize - prefix.len()).min(n);
            prefix.extend_from_slice(&buf[..room]);
        }
        if let Err(what) = guard.feed(&buf[..n]) {
            let name = quote(name);
            let max_chars = thousands(u64::from(limits.max_cell_chars));
            let bytes = thousands(max);
            return Err(if what == "string" {
                malformed(
                    format!(
                        "Excelファイルの {name} に長すぎる文字列があります（{bytes}バイト超。1つのセルは{max_chars}文字までです。import.max_cell_chars）"
                    ),
                    format!(
                        "{name} in the workbook holds a string longer than {bytes} bytes (a cell holds at most {max_chars} characters; import.max_cell_chars)"
                    ),
                )
            } else {
                malformed(
                    format!(
                        "Excelファイルの {name} に長すぎる要素があります（{bytes}バイト超。1つのセルは{max_chars}文字までです。import.max_cell_chars）"
                    ),
                    format!(
                        "{name} in the workbook holds a text or tag longer than {bytes} bytes (a cell holds at most {max_chars} characters; import.max_cell_chars)"
                    ),
                )
            });
        }
    }
}

/// The `uniqueCount` of the shared strings, which the reader reserves room for:
/// refused when more than the cells a sheet may hold, or when the `<sst>` tag
/// is not where a workbook writes it.
fn check_shared_strings_count(prefix: &[u8], limits: &ImportLimits) -> Result<(), Malformed> {
    let text = String::from_utf8_lossy(prefix);
    // The first start tag that is not a declaration, a comment or a processing
    // instruction.
    let mut rest = text.as_ref();
    let tag = loop {
        let Some(at) = rest.find('<') else {
            return Err(not_xlsx(&"xl/sharedStrings.xml has no <sst> tag"));
        };
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let Some(end) = rest.find('>') else {
            return Err(not_xlsx(&"xl/sharedStrings.xml has no <sst> tag"));
        };
        break &rest[..end];
    };
    let name = tag
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("");
    if name.rsplit(':').next() != Some("sst") {
        return Err(not_xlsx(&"xl/sharedStrings.xml does not begin with <sst>"));
    }
    let Some(at) = tag.find("uniqueCount") else {
        return Ok(());
    };
    let digits: String = tag[at + "uniqueCount".len()..]
        .chars()
        .skip_while(|c| c.is_whitespace() || *c == '=' || *c == '"' || *c == '\'')
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return Ok(());
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= limits.max_cells => Ok(()),
        _ => {
            let max = thousands(limits.max_cells);
            Err(malformed(
                format!(
                    "Excelファイルの共有文字列の数（{}）が上限の{max}を超えています（import.max_cells）",
                    quote(&digits)
                ),
                format!(
                    "the workbook declares {} shared strings, more than the limit of {max} (import.max_cells)",
                    quote(&digits)
                ),
            ))
        }
    }
}

/// Reads a sheet cell by cell within the limits, keeping only the rows that
/// have cells: the grid a sheet's extent spans is never built.
fn read_xlsx(
    bytes: &[u8],
    preferred: &[&str],
    limits: &ImportLimits,
) -> Result<Vec<SheetRow>, Malformed> {
    check_zip(bytes, limits)?;
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let names = book.sheet_names();
    let name = preferred
        .iter()
        .find_map(|p| names.iter().find(|n| n.as_str() == *p))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| malformed("ワークシートがありません", "the workbook has no sheet"))?;
    let shown = quote(&name);
    let unreadable = |e: &dyn std::fmt::Display| {
        let e = clip(&e.to_string(), 200);
        malformed(
            format!("ワークシート「{shown}」を読み取れません: {e}"),
            format!("sheet {shown} cannot be read: {e}"),
        )
    };
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| unreadable(&e))?;
    let max_chars = limits.max_cell_chars as usize;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let (mut seen, mut built, mut text_bytes): (u64, u64, u64) = (0, 0, 0);
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
        let (row, col) = cell.get_position();
        let at = || cell_ref(row, col);
        if col >= limits.max_columns {
            let max = thousands(u64::from(limits.max_columns));
            let last = column_letters(limits.max_columns.saturating_sub(1) as usize);
            return Err(malformed(
                format!(
                    "ワークシート「{shown}」のセル {} は列の上限（{max}列、{last}列まで）を超えています（import.max_columns）",
                    at()
                ),
                format!(
                    "sheet {shown}: cell {} is beyond the column limit ({max} columns, up to {last}; import.max_columns)",
                    at()
                ),
            ));
        }
        if row >= limits.max_rows {
            let max = thousands(u64::from(limits.max_rows));
            return Err(malformed(
                format!(
                    "ワークシート「{shown}」のセル {} は行の上限（{max}行）を超えています（import.max_rows）",
                    at()
                ),
                format!(
                    "sheet {shown}: cell {} is beyond the row limit ({max} rows; import.max_rows)",
                    at()
                ),
            ));
        }
        seen += 1;
        if seen > limits.max_cells {
            return Err(too_many_cells(
                &format!("ワークシート「{shown}」"),
                &format!("sheet {shown}"),
                &at(),
                limits,
            ));
        }
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let len = match value {
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            _ => 0,
        };
        if len > max_chars {
            let chars = match value {
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                    s.chars().count()
                }
                DataRef::SharedString(s) => s.chars().count(),
                _ => 0,
            };
            if chars > max_chars {
                let max = thousands(max_chars as u64);
                let n = thousands(chars as u64);
                return Err(malformed(
                    format!(
                        "ワークシート「{shown}」のセル {} が長すぎます（{n}文字）。1つのセルは{max}文字までです（import.max_cell_chars）",
                        at()
                    ),
                    format!(
                        "sheet {shown}: cell {} is too long ({n} characters): a cell holds at most {max} characters (import.max_cell_chars)",
                        at()
                    ),
                ));
            }
        }
        text_bytes += len as u64;
        if text_bytes > limits.max_xlsx_unpacked_bytes {
            let max = thousands(limits.max_xlsx_unpacked_bytes);
            return Err(malformed(
                format!(
                    "ワークシート「{shown}」のセルの文字が合計で上限の{max}バイトを超えます（セル {} で超過。import.max_xlsx_unpacked_bytes）",
                    at()
                ),
                format!(
                    "sheet {shown}: the cells' text comes to more than the limit of {max} bytes (at cell {}; import.max_xlsx_unpacked_bytes)",
                    at()
                ),
            ));
        }
        let line = rows.entry(row).or_default();
        let col = col as usize;
        if line.len() <= col {
            built += (col + 1 - line.len()) as u64;
            if built > limits.max_cells {
                return Err(too_many_cells(
                    &format!("ワークシート「{shown}」"),
                    &format!("sheet {shown}"),
                    &at(),
                    limits,
                ));
            }
            line.resize(col + 1, String::new());
        }
        line[col] = cell_text(value);
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| SheetRow {
            number: row + 1,
            cells,
        })
        .collect())
}

fn file_too_big(len: usize, limits: &ImportLimits) -> Malformed {
    let max = thousands(limits.max_upload_bytes);
    let len = thousands(len as u64);
    malformed(
        format!(
            "ファイルが大きすぎます（{len}バイト）。取り込めるのは{max}バイトまでです（import.max_upload_bytes）"
        ),
        format!(
            "the file is too large ({len} bytes): at most {max} bytes are imported (import.max_upload_bytes)"
        ),
    )
}

/// A cell as the text a person sees (dates as YYYY-MM-DD, whole numbers
/// without a decimal point).
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        DataRef::DateTime(dt) => dt.to_string(),
        DataRef::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}
