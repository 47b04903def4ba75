//! Emergency response plans (緊急時対応計画), 第7: one per threat category
//! (cyber attack, disaster, infrastructure outage, staff shortage from
//! illness) with whom to call, the steps and the systems covered; drills with
//! their dates; the plan an incident followed. The security office keeps the
//! plans; everyone signed in reads them (they must know what to do); those who
//! handle an incident record the plan it followed.

use mamori_authz::{Action, Resource};
use mamori_core::ops::permission::PlanCategory;
use mamori_core::problem::Problem;
use mamori_store::ops::plans::{DrillRecord, PlanIncident, PlanInput, PlanRecord};
use mamori_store::units::parse_path;

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What the security office enters for a plan.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct PlanForm {
    /// cyber_attack, disaster, infrastructure_outage, staff_shortage.
    pub category: String,
    pub title: String,
    pub contacts: String,
    pub steps: String,
    pub systems: Vec<i64>,
}

/// A plan as its page shows it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: PlanRecord,
    pub drills: Vec<DrillRecord>,
    /// The incidents that followed it, those the person may read.
    pub incidents: Vec<PlanIncident>,
    pub may_manage: bool,
}

impl App {
    /// Whether the person may keep the plans.
    pub fn may_manage_plans(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManagePlans)
    }

    /// Records a plan, every bad field named.
    pub async fn create_plan(&self, caller: &Caller, form: &PlanForm) -> Result<PlanRecord> {
        let permit = self.permit_app(caller, Action::ManagePlans)?;
        let mut problems = Vec::new();
        let category = PlanCategory::parse(&form.category);
        if category.is_none() {
            problems.push(
                Problem::new("MAMORI-PLAN-CATEGORY")
                    .field("category")
                    .with("value", form.category.trim()),
            );
        }
        let mut text = |value: &str, field: &str| {
            let t = value.trim().to_string();
            if t.is_empty() {
                problems.push(Problem::new("MAMORI-PLAN-EMPTY").field(field));
            }
            t
        };
        let title = text(&form.title, "title");
        let contacts = text(&form.contacts, "contacts");
        let steps = text(&form.steps, "steps");
        let mut systems = form.systems.clone();
        systems.sort_unstable();
        systems.dedup();
        for id in &systems {
            match self.facts().system(*id).await {
                Ok(_) => {}
                Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-OUTSOURCING-SYSTEM")
                        .field("systems")
                        .with("id", id),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = PlanInput {
            category: category.map(|c| c.code().to_string()).unwrap_or_default(),
            title,
            contacts,
            steps,
            systems,
        };
        Ok(permit.store().create_plan(permit.actor(), &input).await?)
    }

    /// Every plan, by category.
    pub async fn plans(&self, caller: &Caller) -> Result<Vec<PlanRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        Ok(permit.store().plans().await?)
    }

    async fn known_plan(&self, id: i64) -> Result<PlanRecord> {
        match self.facts().plan(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => Err(Error::not_found("plan", id)),
            other => Ok(other?),
        }
    }

    /// One plan with its drills and the incidents (those the person may read) that followed it.
    pub async fn plan_view(&self, caller: &Caller, id: i64) -> Result<PlanView> {
        let permit = self.permit_app(caller, Action::View)?;
        let plan = self.known_plan(id).await?;
        let store = permit.store();
        let incidents = store
            .plan_incidents(id)
            .await?
            .into_iter()
            .filter(|i| {
                self.may(
                    caller,
                    Action::ReadIncident,
                    &Resource::Incident {
                        id: i.id,
                        reporter: i.reporter_id,
                        unit_lineage: i.unit_path.as_deref().map(parse_path).unwrap_or_default(),
                    },
                )
            })
            .collect();
        Ok(PlanView {
            drills: store.drills(id).await?,
            incidents,
            may_manage: self.may_manage_plans(caller),
            plan,
        })
    }

    /// Records a drill of a plan (on `held_on`, empty: `today`).
    pub async fn record_drill(
        &self,
        caller: &Caller,
        plan_id: i64,
        held_on: &str,
        note: &str,
        today: &str,
    ) -> Result<i64> {
        let permit = self.permit_app(caller, Action::ManagePlans)?;
        self.known_plan(plan_id).await?;
        let mut problems = Vec::new();
        let day = super::read_date(held_on, "held_on", "MAMORI-OUTSOURCING-DATE", &mut problems)
            .unwrap_or(today.to_string());
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .add_drill(permit.actor(), caller.user.id, plan_id, &day, note.trim())
            .await?)
    }

    /// Records the plan an incident followed (None: none): those who handle the incident.
    pub async fn set_incident_plan(
        &self,
        caller: &Caller,
        incident_id: i64,
        plan_id: Option<i64>,
    ) -> Result<()> {
        let (_, r) = self.readable_incident(caller, incident_id).await?;
        let permit = self.permit(caller, Action::HandleIncident, &r)?;
        if let Some(p) = plan_id {
            match self.facts().plan(p).await {
                Ok(_) => {}
                Err(mamori_store::StoreError::NotFound { .. }) => {
                    return Err(Problem::new("MAMORI-PLAN-UNKNOWN")
                        .field("plan_id")
                        .with("id", p)
                        .into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(permit
            .store()
            .set_incident_plan(permit.actor(), incident_id, plan_id)
            .await?)
    }

    /// The plan an incident followed, for those who may read the incident.
    pub async fn incident_plan(&self, caller: &Caller, incident_id: i64) -> Result<Option<i64>> {
        self.readable_incident(caller, incident_id).await?;
        Ok(self.facts().incident_plan(incident_id).await?)
    }
}
