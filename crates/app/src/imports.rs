//! Imports and exports: the asset ledger, the organisation and its staff,
//! e-learning completions. Each decides permission once, then reads the file
//! and applies it (all rows or none) through the store, whose write records
//! its events; exports are logged with their filters by the store.

use mamori_authz::Action;
use mamori_store::assets::{AssetFilter, ImportReport, LedgerFormat};
use mamori_store::org_import::{OrgImportKind, OrgImportReport};
use mamori_store::training::CompletionImportReport;

use crate::access::{App, Caller};
use crate::error::Result;

/// What importing a kind of HR file asks for: units need `manage_units`,
/// staff `manage_users`.
pub fn org_import_action(kind: OrgImportKind) -> Action {
    match kind {
        OrgImportKind::Units => Action::ManageUnits,
        OrgImportKind::Staff => Action::ManageUsers,
    }
}

impl App {
    /// Writes the ledger of what the person may see (all of it, or the
    /// filtered view) to `out`; the export is logged with its filters.
    pub async fn export_ledger<W: std::io::Write + Send>(
        &self,
        caller: &Caller,
        filter: &AssetFilter,
        format: LedgerFormat,
        out: W,
    ) -> Result<u64> {
        let scope = self.asset_scope(caller).await?;
        let permit = self.permit_app(caller, Action::ExportAssets)?;
        Ok(permit
            .store()
            .export_ledger(permit.actor(), filter, &scope, format, out)
            .await?)
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
        let scope = self.asset_write_scope(caller).await?;
        let permit = self.permit_app(caller, Action::ImportAssets)?;
        Ok(permit
            .store()
            .import_ledger_scoped(permit.actor(), bytes, format, &scope, reason)
            .await?)
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
        Ok(permit
            .store()
            .import_org(permit.actor(), bytes, format, Some(kind))
            .await?)
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
        Ok(permit
            .store()
            .import_completions(permit.actor(), bytes, format)
            .await?)
    }
}

/// The format of an uploaded ledger: as its name says, else by its first bytes
/// (an .xlsx file is a ZIP archive).
pub fn sniff_format(name: Option<&str>, bytes: &[u8]) -> LedgerFormat {
    name.and_then(|n| LedgerFormat::from_path(std::path::Path::new(n)))
        .unwrap_or_else(|| mamori_store::org_import::sniff_format(bytes))
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
    ) -> Result<ImportReport> {
        let permit = self.system("cli");
        Ok(permit
            .store()
            .import_ledger_scoped(
                permit.actor(),
                bytes,
                format,
                &mamori_store::assets::AssetScope::unrestricted(),
                reason,
            )
            .await?)
    }

    pub async fn operator_export_ledger<W: std::io::Write + Send>(
        &self,
        filter: &AssetFilter,
        format: LedgerFormat,
        out: W,
    ) -> Result<u64> {
        let permit = self.system("cli");
        Ok(permit
            .store()
            .export_ledger(
                permit.actor(),
                filter,
                &mamori_store::assets::AssetScope::unrestricted(),
                format,
                out,
            )
            .await?)
    }

    pub async fn operator_import_org(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
        kind: Option<OrgImportKind>,
    ) -> Result<OrgImportReport> {
        let permit = self.system("cli");
        Ok(permit
            .store()
            .import_org(permit.actor(), bytes, format, kind)
            .await?)
    }
}
