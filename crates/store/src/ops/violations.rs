//! Violations (違反): a breach of the policy as the security office records
//! it, with what was done about it and the incident or finding it belongs to.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::{OpsScope, push_scope};
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A violation as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ViolationRecord {
    pub id: i64,
    pub what: String,
    pub found_on: String,
    pub found_by: String,
    pub offender_id: Option<i64>,
    pub offender_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    /// instruction, suspension, other.
    pub action: String,
    pub action_note: String,
    pub incident_id: Option<i64>,
    pub incident_title: Option<String>,
    pub finding_id: Option<i64>,
    pub recorded_by: i64,
    pub recorder_name: String,
    pub created_at: String,
}

/// A violation as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ViolationInput {
    pub what: String,
    pub found_on: String,
    pub found_by: String,
    pub offender_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub action: String,
    pub action_note: String,
    pub incident_id: Option<i64>,
    pub finding_id: Option<i64>,
}

/// Which violations a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViolationFilter {
    pub action: Option<String>,
    pub scope: OpsScope,
}

const SELECT: &str = "SELECT v.id, v.what, v.found_on, v.found_by, v.offender_id, o.display_name AS offender_name, \
     v.unit_id, u.name AS unit_name, u.path AS unit_path, v.action, v.action_note, v.incident_id, \
     i.title AS incident_title, v.finding_id, v.recorded_by, r.display_name AS recorder_name, v.created_at \
     FROM violations v LEFT JOIN users o ON o.id = v.offender_id LEFT JOIN units u ON u.id = v.unit_id \
     LEFT JOIN incidents i ON i.id = v.incident_id JOIN users r ON r.id = v.recorded_by";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &ViolationFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(a) = &f.action {
        qb.push(" AND v.action = ").push_bind(a.clone());
    }
    push_scope(qb, &f.scope, "v.unit_id", "v.recorded_by");
}

impl Store {
    /// One violation by id.
    pub async fn violation(&self, id: i64) -> Result<ViolationRecord, StoreError> {
        let found: Option<ViolationRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE v.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("violation", id))
    }

    /// One page of the register, the latest found first.
    pub async fn list_violations(
        &self,
        filter: &ViolationFilter,
        page: PageRequest,
    ) -> Result<Page<ViolationRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY v.found_on DESC, v.id DESC LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ViolationRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM violations v");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every violation of the filter (an export), the latest found first.
    pub async fn all_violations(
        &self,
        filter: &ViolationFilter,
    ) -> Result<Vec<ViolationRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY v.found_on DESC, v.id DESC");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records a violation.
    pub async fn create_violation(
        &self,
        actor: &Actor,
        recorded_by: i64,
        input: &ViolationInput,
    ) -> Result<ViolationRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO violations (what, found_on, found_by, offender_id, unit_id, action, action_note, \
                 incident_id, finding_id, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(&input.what)
            .bind(&input.found_on)
            .bind(&input.found_by)
            .bind(input.offender_id)
            .bind(input.unit_id)
            .bind(&input.action)
            .bind(&input.action_note)
            .bind(input.incident_id)
            .bind(input.finding_id)
            .bind(recorded_by)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let found: Option<ViolationRecord> = tx_run!(&mut tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE v.id = $1")))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
        });
        let after = found.ok_or_else(|| StoreError::not_found("violation", id))?;
        tx.append_event(
            actor,
            Entity::Violation,
            id,
            Verb::Record,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
