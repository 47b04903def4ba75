//! Fresh databases for tests, on SQLite and (when `MAMORI_TEST_DATABASE_URL` is set)
//! on PostgreSQL, so that every crate's tests can run one story on both backends.

use sqlx::postgres::PgConnectOptions;
use std::path::PathBuf;
use std::str::FromStr;

use crate::{Db, Store, StoreError};

/// The environment variable that names the PostgreSQL server used by tests.
pub const PG_ENV: &str = "MAMORI_TEST_DATABASE_URL";

fn random_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:016x}")
}

/// A new SQLite database in a fresh temporary folder.
pub async fn sqlite_store() -> Result<(Store, PathBuf), StoreError> {
    let dir = std::env::temp_dir().join(format!("mamori-test-{}", random_suffix()));
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::Internal(e.to_string()))?;
    let db = Db::connect_sqlite_file(&dir.join("mamori.db")).await?;
    Ok((Store::init(db).await?, dir))
}

/// A new, empty schema on the test PostgreSQL server, or None when none is configured.
/// Returns the URL that reaches the same schema (for a second process).
pub async fn pg_store() -> Result<Option<(Store, String)>, StoreError> {
    let Ok(url) = std::env::var(PG_ENV) else {
        return Ok(None);
    };
    let schema = format!("t_{}", random_suffix());
    let admin = Db::connect(&url).await?;
    if let Db::Pg(pool) = &admin {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(pool)
            .await?;
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .map_err(|e| StoreError::Connect(e.to_string()))?
        .options([("search_path", schema.as_str())]);
    let db = Db::connect_pg(options).await?;
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    Ok(Some((Store::init(db).await?, schema_url)))
}

/// Every backend available to this test run: SQLite always, PostgreSQL when configured.
pub async fn all_stores() -> Vec<(&'static str, Store)> {
    let mut stores = Vec::new();
    match sqlite_store().await {
        Ok((store, _)) => stores.push(("sqlite", store)),
        Err(e) => panic!("cannot create a SQLite test database: {e}"),
    }
    match pg_store().await {
        Ok(Some((store, _))) => stores.push(("postgres", store)),
        Ok(None) => {}
        Err(e) => panic!("{PG_ENV} is set but PostgreSQL is not usable: {e}"),
    }
    stores
}

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
}
