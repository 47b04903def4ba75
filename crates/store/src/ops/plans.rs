//! Emergency response plans (緊急時対応計画) per threat category of 第7, their
//! drills, and the plan an incident followed.

use serde::{Deserialize, Serialize};

use crate::events::{Entity, Verb};
use crate::{Actor, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A plan as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PlanRecord {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub contacts: String,
    pub steps: String,
    /// Space-separated information system ids.
    pub systems: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The latest drill's day (none: never drilled).
    pub last_drill: Option<String>,
}

/// A plan as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PlanInput {
    pub category: String,
    pub title: String,
    pub contacts: String,
    pub steps: String,
    pub systems: Vec<i64>,
}

/// A drill of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DrillRecord {
    pub id: i64,
    pub plan_id: i64,
    pub held_on: String,
    pub note: String,
    pub recorder_name: Option<String>,
    pub created_at: String,
}

/// An incident that followed a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PlanIncident {
    pub id: i64,
    pub title: String,
    pub unit_path: Option<String>,
    pub reporter_id: i64,
}

const PLAN: &str = "SELECT p.id, p.category, p.title, p.contacts, p.steps, p.systems, p.revision, \
     p.created_at, p.updated_at, (SELECT MAX(d.held_on) FROM emergency_drills d WHERE d.plan_id = p.id) \
     AS last_drill FROM emergency_plans p";

impl Store {
    /// One plan by id.
    pub async fn plan(&self, id: i64) -> Result<PlanRecord, StoreError> {
        let found: Option<PlanRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{PLAN} WHERE p.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("plan", id))
    }

    /// Every plan, by category (a short register: a handful per city).
    pub async fn plans(&self) -> Result<Vec<PlanRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{PLAN} ORDER BY p.category, p.id"
            )))
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records a plan.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        input: &PlanInput,
    ) -> Result<PlanRecord, StoreError> {
        let now = now_rfc3339();
        let systems = input
            .systems
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO emergency_plans (category, title, contacts, steps, systems, revision, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
            )
            .bind(&input.category)
            .bind(&input.title)
            .bind(&input.contacts)
            .bind(&input.steps)
            .bind(&systems)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let found: Option<PlanRecord> = tx_run!(&mut tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{PLAN} WHERE p.id = $1")))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
        });
        let after = found.ok_or_else(|| StoreError::not_found("plan", id))?;
        tx.append_event(
            actor,
            Entity::EmergencyPlan,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The drills of a plan, the latest first.
    pub async fn drills(&self, plan_id: i64) -> Result<Vec<DrillRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT d.id, d.plan_id, d.held_on, d.note, u.display_name AS recorder_name, d.created_at \
                 FROM emergency_drills d LEFT JOIN users u ON u.id = d.recorded_by \
                 WHERE d.plan_id = $1 ORDER BY d.held_on DESC, d.id DESC",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records a drill of a plan.
    pub async fn add_drill(
        &self,
        actor: &Actor,
        user_id: i64,
        plan_id: i64,
        held_on: &str,
        note: &str,
    ) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO emergency_drills (plan_id, held_on, note, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(plan_id)
            .bind(held_on)
            .bind(note)
            .bind(user_id)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let after = serde_json::json!({"plan_id": plan_id, "held_on": held_on, "note": note});
        tx.append_event(
            actor,
            Entity::EmergencyDrill,
            id,
            Verb::Record,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The incidents that followed a plan.
    pub async fn plan_incidents(&self, plan_id: i64) -> Result<Vec<PlanIncident>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.id, i.title, u.path AS unit_path, i.reporter_id FROM incidents i \
                 LEFT JOIN units u ON u.id = i.unit_id WHERE i.plan_id = $1 ORDER BY i.id",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The plan an incident followed, if any.
    pub async fn incident_plan(&self, incident_id: i64) -> Result<Option<i64>, StoreError> {
        let plan: Option<Option<i64>> = db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT plan_id FROM incidents WHERE id = $1")
                .bind(incident_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(plan.flatten())
    }

    /// Records the plan an incident followed (None: none).
    pub async fn set_incident_plan(
        &self,
        actor: &Actor,
        incident_id: i64,
        plan_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let before: Option<Option<i64>> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT plan_id FROM incidents WHERE id = $1")
                .bind(incident_id)
                .fetch_optional(&mut *c)
                .await?
        });
        let Some(before) = before else {
            return Err(StoreError::not_found("incident", incident_id));
        };
        let _changed: u64 = tx_run!(&mut tx, |c| {
            sqlx::query("UPDATE incidents SET plan_id = $2 WHERE id = $1")
                .bind(incident_id)
                .bind(plan_id)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        tx.append_event(
            actor,
            Entity::Incident,
            incident_id,
            Verb::Set,
            Some(&serde_json::json!({ "plan_id": before })),
            Some(&serde_json::json!({ "plan_id": plan_id })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
