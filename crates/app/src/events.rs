//! The event log: reading it (entries about assets follow the register, so a
//! reader sees only those about assets they may read) and verifying its chain.

use mamori_authz::Action;
use mamori_store::events::{ChainVerdict, Event, EventFilter};
use mamori_store::users::PersonName;
use mamori_store::{Page, PageRequest};
use std::collections::HashMap;

use crate::access::{App, Caller};
use crate::error::Result;

/// How many people a name in the log's person filter may stand for.
const PEOPLE_MATCHED: u32 = 50;

/// An entry of the log with the person who acted, where a person did.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub event: Event,
    pub person: Option<PersonName>,
}

/// The user id in a logged actor (`user:{id}:{name}`).
pub fn actor_id(actor: &str) -> Option<i64> {
    actor.strip_prefix("user:")?.split(':').next()?.parse().ok()
}

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

    /// The log as a person reads it: each entry with the person who acted
    /// (name and unit, in one query for the page), filtered as
    /// [`App::events`]; `person` (a user name or a part of a name) narrows it
    /// to what the people it names did.
    pub async fn log(
        &self,
        caller: &Caller,
        filter: &EventFilter,
        person: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<LogEntry>> {
        let permit = self.permit_app(caller, Action::ReadEvents)?;
        let assets = self.asset_scope(caller).await?;
        let mut filter = filter.clone();
        if let Some(text) = person.map(str::trim).filter(|t| !t.is_empty()) {
            let found = permit
                .store()
                .list_users(Some(text), PageRequest::new(Some(1), Some(PEOPLE_MATCHED)))
                .await?;
            filter.actors = Some(found.items.iter().map(|u| u.id).collect());
        }
        let events = permit.store().list_events(&filter, &assets, page).await?;
        Ok(Page {
            total: events.total,
            items: self.with_people(events.items).await?,
        })
    }

    /// Entries the caller has already been allowed to read (an asset's or a
    /// unit's history, a page of the log), each with the person who acted:
    /// their names read in one query.
    pub async fn with_people(&self, events: Vec<Event>) -> Result<Vec<LogEntry>> {
        let mut ids: Vec<i64> = events.iter().filter_map(|e| actor_id(&e.actor)).collect();
        ids.sort_unstable();
        ids.dedup();
        let names: HashMap<i64, PersonName> = self
            .facts()
            .user_names(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(events
            .into_iter()
            .map(|event| LogEntry {
                person: actor_id(&event.actor).and_then(|id| names.get(&id).cloned()),
                event,
            })
            .collect())
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

    // --- h17ui ---
    /// The 権限 page's table of roles × actions, asked of the policy in force.
    pub fn permission_matrix(&self, caller: &Caller) -> Result<mamori_authz::matrix::Matrix> {
        let _permit = self.permit_app(caller, Action::ManageSettings)?;
        Ok(self.authorizer().matrix())
    }
}
