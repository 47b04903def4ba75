//! Exceptions (例外措置): requested by a member of staff, decided (approved
//! or refused) by someone else, ending on their end date; a renewal is a new
//! request that names the exception it renews.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::{OpsScope, push_scope};
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::problem::Problem;

/// An exception as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ExceptionRecord {
    pub id: i64,
    pub deviation: String,
    pub reason: String,
    pub compensating: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    /// Space-separated ids.
    pub scope_units: String,
    pub scope_systems: String,
    pub scope_assets: String,
    pub starts_on: String,
    pub ends_on: String,
    pub state: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub decided_by: Option<i64>,
    pub decider_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub renewed_from: Option<i64>,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ExceptionRecord {
    /// Approved and past its end date on `today`.
    pub fn expired_on(&self, today: &str) -> bool {
        self.state == "approved" && self.ends_on.as_str() < today
    }
}

/// A request as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExceptionInput {
    pub deviation: String,
    pub reason: String,
    pub compensating: String,
    pub unit_id: Option<i64>,
    pub scope_units: Vec<i64>,
    pub scope_systems: Vec<i64>,
    pub scope_assets: Vec<i64>,
    pub starts_on: String,
    pub ends_on: String,
    pub renewed_from: Option<i64>,
}

/// Which exceptions a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExceptionFilter {
    pub state: Option<String>,
    /// Approved ones ending on or before this day (and not before `ends_from`).
    pub ends_by: Option<String>,
    pub ends_from: Option<String>,
    pub scope: OpsScope,
}

const SELECT: &str = "SELECT e.id, e.deviation, e.reason, e.compensating, e.unit_id, u.name AS unit_name, \
     u.path AS unit_path, e.scope_units, e.scope_systems, e.scope_assets, e.starts_on, e.ends_on, e.state, \
     e.requester_id, r.display_name AS requester_name, e.decided_by, d.display_name AS decider_name, \
     e.decided_at, e.decision_note, e.renewed_from, e.revision, e.created_at, e.updated_at \
     FROM exceptions e LEFT JOIN units u ON u.id = e.unit_id JOIN users r ON r.id = e.requester_id \
     LEFT JOIN users d ON d.id = e.decided_by";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &ExceptionFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(s) = &f.state {
        qb.push(" AND e.state = ").push_bind(s.clone());
    }
    if let Some(d) = &f.ends_by {
        qb.push(" AND e.ends_on <= ").push_bind(d.clone());
    }
    if let Some(d) = &f.ends_from {
        qb.push(" AND e.ends_on >= ").push_bind(d.clone());
    }
    push_scope(qb, &f.scope, "e.unit_id", "e.requester_id");
}

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

impl Store {
    /// One exception by id.
    pub async fn exception(&self, id: i64) -> Result<ExceptionRecord, StoreError> {
        let found: Option<ExceptionRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("exception", id))
    }

    /// One page of the register, by end date.
    pub async fn list_exceptions(
        &self,
        filter: &ExceptionFilter,
        page: PageRequest,
    ) -> Result<Page<ExceptionRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY e.ends_on, e.id LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ExceptionRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM exceptions e");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every exception of the filter (an export, the attention page).
    pub async fn all_exceptions(
        &self,
        filter: &ExceptionFilter,
    ) -> Result<Vec<ExceptionRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY e.ends_on, e.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records a request (state pending).
    pub async fn create_exception(
        &self,
        actor: &Actor,
        requester_id: i64,
        input: &ExceptionInput,
    ) -> Result<ExceptionRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO exceptions (deviation, reason, compensating, unit_id, scope_units, scope_systems, \
                 scope_assets, starts_on, ends_on, state, requester_id, decision_note, renewed_from, revision, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, '', $11, 1, $12, $12) \
                 RETURNING id",
            )
            .bind(&input.deviation)
            .bind(&input.reason)
            .bind(&input.compensating)
            .bind(input.unit_id)
            .bind(ids(&input.scope_units))
            .bind(ids(&input.scope_systems))
            .bind(ids(&input.scope_assets))
            .bind(&input.starts_on)
            .bind(&input.ends_on)
            .bind(requester_id)
            .bind(input.renewed_from)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let after = exception_in_tx(&mut tx, id).await?;
        let verb = if input.renewed_from.is_some() {
            Verb::Renew
        } else {
            Verb::Request
        };
        tx.append_event(
            actor,
            Entity::Exception,
            id,
            verb,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Decides a pending exception: `state` approved, refused or withdrawn.
    pub async fn decide_exception(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        state: &str,
        note: &str,
    ) -> Result<ExceptionRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = exception_in_tx(&mut tx, id).await?;
        if before.state != "pending" {
            return Err(Problem::new("MAMORI-EXCEPTION-DECIDED")
                .with("id", id)
                .with("state", &before.state)
                .into());
        }
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE exceptions SET state = $3, decided_by = $4, decided_at = $5, decision_note = $6, \
                 revision = revision + 1, updated_at = $5 WHERE id = $1 AND revision = $2 AND state = 'pending'",
            )
            .bind(id)
            .bind(revision)
            .bind(state)
            .bind(user_id)
            .bind(&now)
            .bind(note)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(Problem::new("MAMORI-EXCEPTION-STALE").with("id", id).into());
        }
        let after = exception_in_tx(&mut tx, id).await?;
        let verb = match state {
            "approved" => Verb::Approve,
            "refused" => Verb::Refuse,
            _ => Verb::Withdraw,
        };
        tx.append_event(
            actor,
            Entity::Exception,
            id,
            verb,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn exception_in_tx(tx: &mut crate::Tx, id: i64) -> Result<ExceptionRecord, StoreError> {
    let found: Option<ExceptionRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("exception", id))
}

impl Store {
    /// Whether a policy document `code` has (in some version) a provision `key`.
    pub async fn provision_exists(&self, code: &str, key: &str) -> Result<bool, StoreError> {
        let n: i64 = db_run!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM pdoc_provisions p JOIN pdoc_versions v ON v.id = p.version_id \
                 JOIN pdoc_documents d ON d.id = v.document_id WHERE d.code = $1 AND p.pkey = $2",
            )
            .bind(code)
            .bind(key)
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }
}
