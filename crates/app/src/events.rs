//! The event log: reading it (entries about assets follow the register, so a
//! reader sees only those about assets they may read) and verifying its chain.

use mamori_authz::Action;
use mamori_store::events::{ChainVerdict, Event, EventFilter};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::Result;

impl App {
    /// The events the person may see, newest first.
    pub async fn events(
        &self,
        caller: &Caller,
        filter: &EventFilter,
        page: PageRequest,
    ) -> Result<Page<Event>> {
        let permit = self.permit_app(caller, Action::ReadEvents)?;
        let assets = self.asset_scope(caller).await?;
        Ok(permit.store().list_events(filter, &assets, page).await?)
    }

    /// How many entries of the log the person may see (0 when they may not
    /// read the log): for the dashboard.
    pub async fn event_count(&self, caller: &Caller) -> Result<i64> {
        if !self.may_app(caller, Action::ReadEvents) {
            return Ok(0);
        }
        let one = PageRequest::new(Some(1), Some(1));
        Ok(self
            .events(caller, &EventFilter::default(), one)
            .await?
            .total)
    }

    /// Recomputes the hash chain of the whole log.
    pub async fn verify_log(&self, caller: &Caller) -> Result<ChainVerdict> {
        let permit = self.permit_app(caller, Action::VerifyLog)?;
        Ok(permit.store().verify_chain().await?)
    }
}

impl App {
    /// The policy files in force (the schema first), for the page that shows
    /// them to whoever manages the settings.
    pub fn policy_files(&self, caller: &Caller) -> Result<Vec<(String, String)>> {
        let _permit = self.permit_app(caller, Action::ManageSettings)?;
        let mut files = vec![(
            "mamori.cedarschema".to_string(),
            mamori_authz::SCHEMA.to_string(),
        )];
        files.extend(self.authorizer().sources().iter().cloned());
        Ok(files)
    }
}
