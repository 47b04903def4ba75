//! Generated files for tests of the readers (and of every import built on them).

/// Hostile spreadsheets for the import limits' tests (generated, a few KB each
/// unless told otherwise): minimal .xlsx workbooks written entry by entry with
/// the `zip` crate, and CSV text.
pub mod hostile {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    const SHEET_TAIL: &str = "</sheetData></worksheet>";
    const SHEET_PATH: &str = "xl/worksheets/sheet1.xml";

    /// A cell holding `text` as an inline string.
    pub fn text_cell(at: &str, text: &str) -> String {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    /// Row 1: the ledger's asset-name header in A1.
    pub fn header_row() -> String {
        format!(r#"<row r="1">{}</row>"#, text_cell("A1", "資産名"))
    }

    /// The parts of a workbook other than its sheet, and an optional
    /// shared-strings part.
    fn frame(
        zip: &mut ZipWriter<Cursor<Vec<u8>>>,
        shared: Option<&str>,
    ) -> zip::result::ZipResult<()> {
        let o = options();
        zip.start_file("[Content_Types].xml", o)?;
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#)?;
        zip.start_file("_rels/.rels", o)?;
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)?;
        zip.start_file("xl/workbook.xml", o)?;
        zip.write_all(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="情報資産管理台帳" sheetId="1" r:id="rId1"/></sheets></workbook>"#.as_bytes())?;
        zip.start_file("xl/_rels/workbook.xml.rels", o)?;
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)?;
        if let Some(shared) = shared {
            zip.start_file("xl/sharedStrings.xml", o)?;
            zip.write_all(shared.as_bytes())?;
        }
        Ok(())
    }

    fn options() -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
    }

    /// A workbook whose one sheet holds `rows` (the `<row>` elements), with
    /// `padding` bytes of spaces after them, and an optional shared-strings part.
    pub fn xlsx_padded(rows: &str, padding: usize, shared: Option<&str>) -> Vec<u8> {
        let build = || -> zip::result::ZipResult<Vec<u8>> {
            let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
            frame(&mut zip, shared)?;
            zip.start_file(
                SHEET_PATH,
                options().large_file(padding > u32::MAX as usize / 2),
            )?;
            zip.write_all(SHEET_HEAD.as_bytes())?;
            zip.write_all(rows.as_bytes())?;
            let chunk = vec![b' '; 1 << 20];
            let mut left = padding;
            while left > 0 {
                let n = left.min(chunk.len());
                zip.write_all(&chunk[..n])?;
                left -= n;
            }
            zip.write_all(SHEET_TAIL.as_bytes())?;
            Ok(zip.finish()?.into_inner())
        };
        build().unwrap_or_else(|e| panic!("cannot write a test workbook: {e}"))
    }

    /// A workbook whose one sheet holds `rows`.
    pub fn xlsx(rows: &str, shared: Option<&str>) -> Vec<u8> {
        xlsx_padded(rows, 0, shared)
    }

    /// A header in A1 and one cell at XFD1048576, Excel's last: 2 KB that span
    /// a grid of 17 billion cells.
    pub fn sparse_far_cell() -> Vec<u8> {
        xlsx(
            &format!(
                r#"{}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
                header_row()
            ),
            None,
        )
    }

    /// A header in A1 and an empty cell at BL1048576: 64 columns × 1,048,576 rows.
    pub fn tall_empty() -> Vec<u8> {
        xlsx(
            &format!(
                r#"{}<row r="1048576"><c r="BL1048576"/></row>"#,
                header_row()
            ),
            None,
        )
    }

    /// A header and `bytes` of whitespace after it: little zipped, much unpacked.
    pub fn whitespace_bomb(bytes: usize) -> Vec<u8> {
        xlsx_padded(&header_row(), bytes, None)
    }

    /// A header in A1 (an inline string) and in A2 one shared string of `chars`
    /// characters.
    pub fn huge_shared_string(chars: usize) -> Vec<u8> {
        let shared = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{}</t></si></sst>"#,
            "A".repeat(chars)
        );
        xlsx(
            &format!(
                r#"{}<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#,
                header_row()
            ),
            Some(&shared),
        )
    }

    /// A header in A1 and in A2 one shared string of `runs` runs of rich text,
    /// 100 characters each: short events, one long string.
    pub fn rich_shared_string(runs: usize) -> Vec<u8> {
        let run = format!("<r><t>{}</t></r>", "B".repeat(100));
        let shared = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si>{}</si></sst>"#,
            run.repeat(runs)
        );
        xlsx(
            &format!(
                r#"{}<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#,
                header_row()
            ),
            Some(&shared),
        )
    }

    /// Shared strings that declare `count` strings (the reader reserves room
    /// for them) and hold one.
    pub fn shared_strings_count(count: u64) -> Vec<u8> {
        let shared = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}"><si><t>x</t></si></sst>"#
        );
        xlsx(&header_row(), Some(&shared))
    }

    /// A whitespace bomb whose sheet's headers (local and central) say it
    /// unpacks to `declared` bytes.
    pub fn lying_sizes(bytes: usize, declared: u32) -> Vec<u8> {
        let mut zip = whitespace_bomb(bytes);
        let name = SHEET_PATH.as_bytes();
        let patch = |zip: &mut Vec<u8>, signature: &[u8], name_at: usize, size_at: usize| {
            let mut i = 0;
            while let Some(p) = zip[i..].windows(4).position(|w| w == signature) {
                let at = i + p;
                if zip.len() >= at + name_at + name.len()
                    && &zip[at + name_at..at + name_at + name.len()] == name
                {
                    zip[at + size_at..at + size_at + 4].copy_from_slice(&declared.to_le_bytes());
                }
                i = at + 4;
            }
        };
        // Local file header: size at 22, name at 30; central directory: 24, 46.
        patch(&mut zip, b"PK\x03\x04", 30, 22);
        patch(&mut zip, b"PK\x01\x02", 46, 24);
        zip
    }

    /// A CSV whose header row has `columns` columns.
    pub fn csv_wide(columns: usize) -> Vec<u8> {
        let mut text = String::from("資産名");
        for i in 1..columns {
            text.push_str(&format!(",c{i}"));
        }
        text.push('\n');
        text.into_bytes()
    }

    /// A CSV with the ledger's header and one cell of `chars` characters.
    pub fn csv_giant_cell(chars: usize) -> Vec<u8> {
        format!("資産名,種別\n{},機器\n", "x".repeat(chars)).into_bytes()
    }

    /// One hostile file a reader must refuse under the default budgets: what
    /// it is, its bytes, its format, the budget that refuses it and the cell
    /// or zip entry the refusal names.
    pub type Case = (
        &'static str,
        Vec<u8>,
        crate::LedgerFormat,
        &'static str,
        &'static str,
    );

    /// The hostile files refused under the default budgets, shared by the
    /// reader's tests and the store's import tests.
    pub fn refused_by_default() -> Vec<Case> {
        use crate::LedgerFormat::{Csv, Xlsx};
        vec![
            (
                "a cell at XFD1048576",
                sparse_far_cell(),
                Xlsx,
                "import.max_columns",
                "XFD1048576",
            ),
            (
                "an empty cell at BL1048576",
                tall_empty(),
                Xlsx,
                "import.max_rows",
                "BL1048576",
            ),
            (
                "a shared string of 40,000 characters",
                huge_shared_string(40_000),
                Xlsx,
                "import.max_cell_chars",
                "A2",
            ),
            (
                "1 MiB of whitespace between two rows",
                whitespace_bomb(1 << 20),
                Xlsx,
                "import.max_cell_chars",
                "xl/worksheets/sheet1.xml",
            ),
            (
                "a shared string of 10,000 runs of rich text",
                rich_shared_string(10_000),
                Xlsx,
                "import.max_cell_chars",
                "xl/sharedStrings.xml",
            ),
            (
                "4 billion shared strings declared",
                shared_strings_count(4_000_000_000),
                Xlsx,
                "import.max_cells",
                "4000000000",
            ),
            (
                "a CSV header of 1,000,000 columns",
                csv_wide(1_000_000),
                Csv,
                "import.max_columns",
                "1",
            ),
            (
                "a CSV cell of 5,000,000 characters",
                csv_giant_cell(5_000_000),
                Csv,
                "import.max_cell_chars",
                "A2",
            ),
        ]
    }
}

/// `text` in Shift_JIS, as Excel in Japan writes CSV (panics on a character
/// Shift_JIS cannot hold: for tests).
pub fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad, "not Shift_JIS: {text}");
    bytes.into_owned()
}

/// The rows of a workbook that holds exactly one sheet, named `name`, as text
/// (empty cells as ""). Panics otherwise: for tests of the writers.
pub fn sheet_rows(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = match calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)) {
        Ok(book) => book,
        Err(e) => panic!("not a workbook: {e}"),
    };
    assert_eq!(book.sheet_names(), vec![name.to_string()]);
    let range = match book.worksheet_range(name) {
        Ok(range) => range,
        Err(e) => panic!("no sheet {name}: {e}"),
    };
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}
