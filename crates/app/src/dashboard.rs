//! The dashboard: where the city stands at a glance, counted as far as the
//! person may see.

use mamori_authz::Action;
use mamori_core::catalog::Scheme;
use mamori_store::PageRequest;
use mamori_store::catalogs::{ControlFilter, PolicyDocumentView, ThreatFilter};

use crate::access::{App, Caller};
use crate::error::Result;

/// What the dashboard shows. Counts the person may not see are 0.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub policy: PolicyDocumentView,
    pub threats: i64,
    pub controls: i64,
    pub units: i64,
    pub users: i64,
    pub events: i64,
    pub scheme: Scheme,
    /// The person's own training not yet completed.
    pub open_trainings: i64,
}

impl App {
    /// The dashboard of a signed-in person.
    pub async fn dashboard(&self, caller: &Caller) -> Result<Dashboard> {
        let permit = self.permit_app(caller, Action::View)?;
        let store = permit.store();
        let one = PageRequest::new(Some(1), Some(1));
        let policy = store.policy_document("basic_policy").await?;
        let threats = store
            .list_threats(&ThreatFilter::default(), one)
            .await?
            .total;
        let controls = store
            .list_controls(&ControlFilter::default(), one)
            .await?
            .total;
        let units = store.list_units(one).await?.total;
        let users = if self.may_app(caller, Action::ReadUsers) {
            store.list_users(None, one).await?.total
        } else {
            0
        };
        let events = self.event_count(caller).await?;
        let scheme = store.active_scheme().await?;
        let open_trainings = store
            .my_training_requests(caller.user.id, true, one)
            .await?
            .total;
        Ok(Dashboard {
            policy,
            threats,
            controls,
            units,
            users,
            events,
            scheme,
            open_trainings,
        })
    }
}
