//! Imports and exports: the asset ledger, the organisation and its staff,
//! e-learning completions, the status workbooks. Each decides permission once,
//! reads the file with `mamori-sheet` under the app's [`ImportLimits`] into a
//! sheet of rows, and hands the sheet to the store, which checks it into a plan
//! and applies it (all rows or none) with its events. An export's rows come
//! from the store in batches and go to a `mamori-sheet` writer held here; the
//! store logs the export once the file is complete.

use std::io::Write;

use mamori_authz::Action;
use mamori_core::table::{ImportLimits, LedgerFormat, Sheet};
use mamori_sheet::read::Malformed;
use mamori_sheet::{LedgerWriter, WriteError, status};
use mamori_store::StoreError;
use mamori_store::assets::{AssetFilter, AssetScope, ImportMode, ImportReport, RowSink};
use mamori_store::org_import::{
    OrgImportKind, OrgImportReport, looks_like_org_header, unreadable_org,
};
use mamori_store::training::{CompletionImportReport, TrainingScope};
use mamori_store::{Actor, Store};

use crate::access::{App, Caller};
use crate::error::Result;

/// The name of the ledger's worksheet (and of its downloads).
pub use mamori_sheet::ledger::SHEET_NAME as LEDGER_SHEET_NAME;

/// What importing a kind of HR file asks for: units need `manage_units`,
/// staff `manage_users`.
pub fn org_import_action(kind: OrgImportKind) -> Action {
    match kind {
        OrgImportKind::Units => Action::ManageUnits,
        OrgImportKind::Staff => Action::ManageUsers,
    }
}

/// A spreadsheet writer's failure as an operation reports it.
pub(crate) fn write_err(e: WriteError) -> StoreError {
    match e {
        WriteError::TooManyRows => StoreError::invalid(
            "format",
            "Excelの1シートに収まらない件数です。CSVで出力してください / too many rows for one Excel sheet: export as CSV",
        ),
        WriteError::Xlsx(e) => StoreError::Internal(format!("cannot write the Excel file: {e}")),
        WriteError::Io(e) => StoreError::Internal(format!("cannot write the file: {e}")),
    }
}

/// The ledger's writer as the store's export hands it rows.
struct LedgerSink<W: Write + Send>(Option<LedgerWriter<W>>);

impl<W: Write + Send> RowSink for LedgerSink<W> {
    fn row(&mut self, id: i64, cells: &[String]) -> std::result::Result<(), StoreError> {
        match self.0.as_mut() {
            Some(w) => w.write_row(id, cells).map_err(write_err),
            None => Err(StoreError::Internal(
                "the ledger was already finished".into(),
            )),
        }
    }

    fn finish(&mut self) -> std::result::Result<u64, StoreError> {
        match self.0.take() {
            Some(w) => w.finish().map_err(write_err),
            None => Err(StoreError::Internal(
                "the ledger was already finished".into(),
            )),
        }
    }
}

/// A workbook of one sheet of text cells from the store's rows.
fn status_workbook(
    sheet: &str,
    headers: &[(&str, f64)],
    rows: &[Vec<String>],
) -> std::result::Result<Vec<u8>, StoreError> {
    status::workbook(sheet, headers, rows).map_err(write_err)
}

/// The files the app reads, under its budgets.
impl App {
    /// The same app, its imports held to `limits` (`[import]` of mamori.toml).
    pub fn with_import_limits(mut self, limits: ImportLimits) -> App {
        self.limits = limits;
        self
    }

    /// What an import may read.
    pub fn import_limits(&self) -> &ImportLimits {
        &self.limits
    }

    /// A ledger file as rows (the header found by the name column), or why it
    /// cannot be read.
    fn read_ledger(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
    ) -> std::result::Result<Sheet, Malformed> {
        mamori_sheet::read_ledger(bytes, format, &self.limits)
    }

    /// An HR file as rows: from a workbook, the sheet named for `kind` if any.
    fn read_org(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
        kind: Option<OrgImportKind>,
    ) -> std::result::Result<Sheet, Malformed> {
        let preferred: &[&str] = match kind {
            Some(k) => k.sheet_names(),
            None => &[],
        };
        mamori_sheet::read::read_rows(bytes, format, preferred, &self.limits)
            .and_then(|rows| mamori_sheet::read::split_header(rows, looks_like_org_header))
    }
}

/// The store's halves of the imports and exports, for one actor and scope:
/// shared by the person's operations and the operator's.
#[allow(clippy::too_many_arguments)] // the scopes and reason of one import
async fn import_ledger_as(
    app: &App,
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    format: LedgerFormat,
    scope: &AssetScope,
    decide: &AssetScope,
    reason: Option<&str>,
    mode: ImportMode,
) -> Result<ImportReport> {
    let sheet = match app.read_ledger(bytes, format) {
        Ok(sheet) => sheet,
        Err(m) => return Ok(ImportReport::unreadable(m.message, m.message_en)),
    };
    let report = store
        .import_ledger_deciding(actor, &sheet, format, scope, decide, reason, mode)
        .await?;
    if report.written {
        app.recompute_risks_in_background(actor.clone());
    }
    Ok(report)
}

async fn export_ledger_as<W: Write + Send>(
    store: &Store,
    actor: &Actor,
    filter: &AssetFilter,
    scope: &AssetScope,
    format: LedgerFormat,
    out: W,
) -> Result<u64> {
    let mut sink = LedgerSink(Some(LedgerWriter::new(format, out).map_err(write_err)?));
    Ok(store
        .export_ledger(actor, filter, scope, format, &mut sink)
        .await?)
}

async fn import_org_as(
    app: &App,
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    format: LedgerFormat,
    kind: Option<OrgImportKind>,
) -> Result<OrgImportReport> {
    let sheet = match app.read_org(bytes, format, kind) {
        Ok(sheet) => sheet,
        Err(m) => return Ok(unreadable_org(kind, m.message, m.message_en)),
    };
    Ok(store.import_org(actor, &sheet, kind).await?)
}

async fn import_completions_as(
    app: &App,
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    format: LedgerFormat,
) -> Result<CompletionImportReport> {
    let sheet = match app.read_ledger(bytes, format) {
        Ok(sheet) => sheet,
        Err(m) => return Ok(CompletionImportReport::unreadable(m.message, m.message_en)),
    };
    Ok(store.import_completions(actor, &sheet).await?)
}

impl App {
    /// Writes the ledger of what the person may see (all of it, or the
    /// filtered view) to `out`; the export is logged with its filters.
    pub async fn export_ledger<W: Write + Send>(
        &self,
        caller: &Caller,
        filter: &AssetFilter,
        format: LedgerFormat,
        out: W,
    ) -> Result<u64> {
        let scope = self.asset_scope(caller).await?;
        let permit = self.permit_app(caller, Action::ExportAssets)?;
        export_ledger_as(permit.store(), permit.actor(), filter, &scope, format, out).await
    }

    /// Imports a ledger for the person: all rows or none, each row limited to
    /// the assets they may write; rows that change levels need `reason`.
    pub async fn import_ledger(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
        reason: Option<&str>,
    ) -> Result<ImportReport> {
        self.import_ledger_as_mode(caller, bytes, format, reason, ImportMode::Commit)
            .await
    }

    /// What [`App::import_ledger`] would do with the file, checked the same
    /// way, without writing anything: the counts, the rows that create or
    /// change an asset with their changes, the values read as something else,
    /// and warnings such as names the unit already uses.
    pub async fn preview_ledger(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
        reason: Option<&str>,
    ) -> Result<ImportReport> {
        self.import_ledger_as_mode(caller, bytes, format, reason, ImportMode::Preview)
            .await
    }

    async fn import_ledger_as_mode(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
        reason: Option<&str>,
        mode: ImportMode,
    ) -> Result<ImportReport> {
        let scope = self.asset_write_scope(caller).await?;
        let decide = self.classification_scope(caller).await?;
        let permit = self.permit_app(caller, Action::ImportAssets)?;
        import_ledger_as(
            self,
            permit.store(),
            permit.actor(),
            bytes,
            format,
            &scope,
            &decide,
            reason,
            mode,
        )
        .await
    }

    /// Whether the person may import any HR file (units or staff): for the
    /// import page.
    pub fn may_import_org(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManageUnits) || self.may_app(caller, Action::ManageUsers)
    }

    /// Imports an HR file of units or of staff (all rows or none).
    pub async fn import_org(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
        kind: OrgImportKind,
    ) -> Result<OrgImportReport> {
        let permit = self.permit_app(caller, org_import_action(kind))?;
        import_org_as(
            self,
            permit.store(),
            permit.actor(),
            bytes,
            format,
            Some(kind),
        )
        .await
    }

    /// Imports the completions of an e-learning system's export (all rows or
    /// none); needs `manage_training`.
    pub async fn import_completions(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
    ) -> Result<CompletionImportReport> {
        let permit = self.permit_app(caller, Action::ManageTraining)?;
        import_completions_as(self, permit.store(), permit.actor(), bytes, format).await
    }

    /// The training status (of an assignment, or of all; of a unit and the
    /// units below it, or of all the caller may see) as an .xlsx workbook; the
    /// export is logged.
    pub async fn export_training_status(
        &self,
        caller: &Caller,
        scope: TrainingScope,
    ) -> Result<Vec<u8>> {
        let permit = self
            .permit_status(caller, Action::ReadTrainingStatus, scope.within)
            .await?;
        Ok(permit
            .store()
            .export_training_status(permit.actor(), scope, |rows| {
                status_workbook(status::TRAINING_SHEET, status::TRAINING_HEADERS, rows)
            })
            .await?)
    }

    /// The acknowledgement status of a campaign (of a unit and the units below
    /// it, or of all the caller may see) as an .xlsx workbook; the export is
    /// logged.
    pub async fn export_ack_status(
        &self,
        caller: &Caller,
        campaign_id: i64,
        within: Option<i64>,
    ) -> Result<Vec<u8>> {
        let permit = self
            .permit_status(caller, Action::ReadAckStatus, within)
            .await?;
        Ok(permit
            .store()
            .export_ack_status(permit.actor(), campaign_id, within, |rows| {
                status_workbook(status::ACK_SHEET, status::ACK_HEADERS, rows)
            })
            .await?)
    }
}

/// The format of an uploaded ledger: as its name says, else by its first bytes
/// (an .xlsx file is a ZIP archive).
pub fn sniff_format(name: Option<&str>, bytes: &[u8]) -> LedgerFormat {
    name.and_then(|n| LedgerFormat::from_path(std::path::Path::new(n)))
        .unwrap_or_else(|| mamori_sheet::sniff_format(bytes))
}

/// The operator's imports and exports from the command line (`mamori assets
/// import|export`, `mamori org import`): Mamori acting as `system:cli` over
/// the whole register. The operator holds the database itself, so no policy
/// is asked; the write, its checks and its events are those of the pages and
/// the API.
impl App {
    pub async fn operator_import_ledger(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
        reason: Option<&str>,
        mode: ImportMode,
    ) -> Result<ImportReport> {
        let permit = self.system("cli");
        import_ledger_as(
            self,
            permit.store(),
            permit.actor(),
            bytes,
            format,
            &AssetScope::unrestricted(),
            &AssetScope::unrestricted(),
            reason,
            mode,
        )
        .await
    }

    pub async fn operator_export_ledger<W: Write + Send>(
        &self,
        filter: &AssetFilter,
        format: LedgerFormat,
        out: W,
    ) -> Result<u64> {
        let permit = self.system("cli");
        export_ledger_as(
            permit.store(),
            permit.actor(),
            filter,
            &AssetScope::unrestricted(),
            format,
            out,
        )
        .await
    }

    pub async fn operator_import_completions(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
    ) -> Result<CompletionImportReport> {
        let permit = self.system("cli");
        import_completions_as(self, permit.store(), permit.actor(), bytes, format).await
    }

    pub async fn operator_import_org(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
        kind: Option<OrgImportKind>,
    ) -> Result<OrgImportReport> {
        let permit = self.system("cli");
        import_org_as(self, permit.store(), permit.actor(), bytes, format, kind).await
    }
}
