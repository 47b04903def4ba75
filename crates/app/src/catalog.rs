//! The policy documents and the catalogues (threats, controls, classification
//! schemes): reading them, and choosing the classification scheme in force.

use mamori_authz::Action;
use mamori_core::catalog::Scheme;
use mamori_store::catalogs::{
    ChapterRow, ControlCategoryRow, ControlFilter, ControlView, PolicyDocumentRow,
    PolicyDocumentView, ThreatCategoryRow, ThreatFilter, ThreatRow,
};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::Result;

impl App {
    /// The policy documents (基本方針, 対策基準, 実施手順).
    pub async fn policy_documents(&self, caller: &Caller) -> Result<Vec<PolicyDocumentRow>> {
        let permit = self.permit_app(caller, Action::ReadPolicy)?;
        Ok(permit.store().policy_documents().await?)
    }

    /// One policy document with its articles and revisions.
    pub async fn policy_document(&self, caller: &Caller, code: &str) -> Result<PolicyDocumentView> {
        let permit = self.permit_app(caller, Action::ReadPolicy)?;
        Ok(permit.store().policy_document(code).await?)
    }

    /// The categories of threats.
    pub async fn threat_categories(&self, caller: &Caller) -> Result<Vec<ThreatCategoryRow>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().threat_categories().await?)
    }

    /// The threats, filtered, one page.
    pub async fn threats(
        &self,
        caller: &Caller,
        filter: &ThreatFilter,
        page: PageRequest,
    ) -> Result<Page<ThreatRow>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().list_threats(filter, page).await?)
    }

    /// One threat.
    pub async fn threat(&self, caller: &Caller, code: &str) -> Result<ThreatRow> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().threat(code).await?)
    }

    /// The categories of controls.
    pub async fn control_categories(&self, caller: &Caller) -> Result<Vec<ControlCategoryRow>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().control_categories().await?)
    }

    /// The chapters of the standard (対策基準) the controls belong to.
    pub async fn standard_chapters(&self, caller: &Caller) -> Result<Vec<ChapterRow>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().standard_chapters().await?)
    }

    /// The controls, filtered, one page.
    pub async fn controls(
        &self,
        caller: &Caller,
        filter: &ControlFilter,
        page: PageRequest,
    ) -> Result<Page<ControlView>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().list_controls(filter, page).await?)
    }

    /// Every classification scheme, with its levels, handling rules and checks.
    pub async fn classification_schemes(&self, caller: &Caller) -> Result<Vec<Scheme>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().classification_schemes().await?)
    }

    /// The classification scheme in force.
    pub async fn active_scheme(&self, caller: &Caller) -> Result<Scheme> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().active_scheme().await?)
    }

    /// Makes another scheme the one in force; the register's flags follow it.
    pub async fn set_active_scheme(&self, caller: &Caller, code: &str) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        permit
            .store()
            .set_active_scheme(permit.actor(), code)
            .await?;
        permit.store().recompute_asset_flags(permit.actor()).await?;
        Ok(())
    }

    // --- h17ui ---
    /// What switching to scheme `code` would do, without doing it: the
    /// scheme, how many assets would be flagged for review under it, and how
    /// many the register holds.
    pub async fn preview_active_scheme(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<(Scheme, i64, i64)> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        let scheme = permit
            .store()
            .classification_schemes()
            .await?
            .into_iter()
            .find(|s| s.code == code)
            .ok_or_else(|| {
                mamori_core::problem::Problem::new("MAMORI-CATALOG-NO-SUCH-SCHEME")
                    .field("scheme")
                    .with("code", code)
            })?;
        let (flagged, total) = permit.store().count_flagged_under(&scheme).await?;
        Ok((scheme, flagged, total))
    }
}
