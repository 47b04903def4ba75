//! What the store's stories share: units to hang records on, looked up or made.

use mamori_core::org::UnitKind;
use mamori_core::table::{ImportLimits, LedgerFormat};
use mamori_sheet::LedgerWriter;
use mamori_sheet::status;
use mamori_store::assets::{AssetFilter, AssetScope, ImportReport, RowSink};
use mamori_store::org_import::{OrgImportKind, OrgImportReport, looks_like_org_header};
use mamori_store::training::{CompletionImportReport, TrainingScope};
use mamori_store::units::{NewUnit, Unit};
use mamori_store::{Actor, Store, StoreError};

/// The actor of set-up steps.
pub const SETUP: Actor = Actor::System("test");

/// A unit to create: `{code}課`, no English name.
pub fn new_unit(code: &str, parent: Option<i64>, kind: UnitKind) -> NewUnit {
    NewUnit {
        parent_id: parent,
        code: code.into(),
        name: format!("{code}課"),
        name_en: String::new(),
        kind,
    }
}

/// Creates a department (no parent) or a section (under `parent`) and
/// returns its id.
pub async fn add_unit(store: &Store, parent: Option<i64>, code: &str, name: &str) -> i64 {
    let kind = if parent.is_some() {
        UnitKind::Section
    } else {
        UnitKind::Department
    };
    store
        .create_unit(
            &SETUP,
            NewUnit {
                parent_id: parent,
                code: code.into(),
                name: name.into(),
                name_en: String::new(),
                kind,
            },
        )
        .await
        .unwrap()
        .id
}

/// The unit with this code, which the story made earlier.
pub async fn unit_by_code(store: &Store, code: &str) -> Unit {
    store.unit_by_code(code).await.unwrap().unwrap()
}

/// An export's rows written into a ledger file, as the app does.
pub struct LedgerFile<W: std::io::Write + Send>(Option<LedgerWriter<W>>);

impl<W: std::io::Write + Send> LedgerFile<W> {
    pub fn new(format: LedgerFormat, out: W) -> Self {
        LedgerFile(Some(LedgerWriter::new(format, out).unwrap()))
    }
}

impl<W: std::io::Write + Send> RowSink for LedgerFile<W> {
    fn row(&mut self, id: i64, cells: &[String]) -> Result<(), StoreError> {
        self.0.as_mut().unwrap().write_row(id, cells).unwrap();
        Ok(())
    }

    fn finish(&mut self) -> Result<u64, StoreError> {
        Ok(self.0.take().unwrap().finish().unwrap())
    }
}

/// Imports a ledger file as the command line does (every unit), reading it as
/// the app does: an unreadable file is the report's, not a panic.
pub async fn import_file(store: &Store, bytes: &[u8], format: LedgerFormat) -> ImportReport {
    import_file_scoped(store, bytes, format, &AssetScope::unrestricted(), None).await
}

/// [`import_file`] on behalf of someone limited to `scope`.
pub async fn import_file_scoped(
    store: &Store,
    bytes: &[u8],
    format: LedgerFormat,
    scope: &AssetScope,
    reason: Option<&str>,
) -> ImportReport {
    match mamori_sheet::read_ledger(bytes, format, &ImportLimits::default()) {
        Ok(sheet) => store
            .import_ledger_scoped(&SETUP, &sheet, format, scope, reason)
            .await
            .unwrap(),
        Err(m) => ImportReport::unreadable(m.message, m.message_en),
    }
}

/// Writes the ledger of `filter` to `out` as the app's export does.
pub async fn export_file<W: std::io::Write + Send>(
    store: &Store,
    filter: &AssetFilter,
    scope: &AssetScope,
    format: LedgerFormat,
    out: W,
) -> u64 {
    store
        .export_ledger(
            &SETUP,
            filter,
            scope,
            format,
            &mut LedgerFile::new(format, out),
        )
        .await
        .unwrap()
}

/// Imports an HR file as the app does (unreadable: the report says so).
pub async fn import_org_file(
    store: &Store,
    bytes: &[u8],
    format: LedgerFormat,
    kind: Option<OrgImportKind>,
) -> OrgImportReport {
    let preferred: &[&str] = kind.map_or(&[], OrgImportKind::sheet_names);
    match mamori_sheet::read::read_rows(bytes, format, preferred, &ImportLimits::default())
        .and_then(|rows| mamori_sheet::read::split_header(rows, looks_like_org_header))
    {
        Ok(sheet) => store.import_org(&SETUP, &sheet, kind).await.unwrap(),
        Err(m) => mamori_store::org_import::unreadable_org(kind, m.message, m.message_en),
    }
}

/// Imports e-learning completions from a file as the app does.
pub async fn import_completions_file(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    format: LedgerFormat,
) -> CompletionImportReport {
    match mamori_sheet::read_ledger(bytes, format, &ImportLimits::default()) {
        Ok(sheet) => store.import_completions(actor, &sheet).await.unwrap(),
        Err(m) => CompletionImportReport::unreadable(m.message, m.message_en),
    }
}

/// The training status workbook as the app makes it.
pub async fn training_book(store: &Store, scope: TrainingScope) -> Vec<u8> {
    store
        .export_training_status(&SETUP, scope, |rows| {
            Ok(status::workbook(status::TRAINING_SHEET, status::TRAINING_HEADERS, rows).unwrap())
        })
        .await
        .unwrap()
}

/// The acknowledgement status workbook as the app makes it.
pub async fn ack_book(store: &Store, campaign: i64, within: Option<i64>) -> Vec<u8> {
    store
        .export_ack_status(&SETUP, campaign, within, |rows| {
            Ok(status::workbook(status::ACK_SHEET, status::ACK_HEADERS, rows).unwrap())
        })
        .await
        .unwrap()
}
