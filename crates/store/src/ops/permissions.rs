//! Permissions (許可申請): asked for by a member of staff, granted or
//! refused by someone else, what was taken out recorded as returned.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::{OpsScope, push_scope};
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::problem::Problem;

/// A permission as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PermissionRecord {
    pub id: i64,
    pub kind: String,
    pub what: String,
    pub reason: String,
    /// Space-separated asset ids.
    pub assets: String,
    pub starts_on: String,
    pub until_on: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    pub state: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub decided_by: Option<i64>,
    pub decider_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub returned_on: Option<String>,
    pub returned_by: Option<i64>,
    pub returner_name: Option<String>,
    pub return_note: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl PermissionRecord {
    /// Granted, not returned, and past its end on `today`.
    pub fn overdue_on(&self, today: &str) -> bool {
        self.state == "granted" && self.until_on.as_str() < today
    }
}

/// A request as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PermissionInput {
    pub kind: String,
    pub what: String,
    pub reason: String,
    pub assets: Vec<i64>,
    pub starts_on: String,
    pub until_on: String,
    pub unit_id: Option<i64>,
}

/// Which permissions a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermissionFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    /// Granted ones whose end is before this day (overdue returns).
    pub until_before: Option<String>,
    pub scope: OpsScope,
}

const SELECT: &str = "SELECT p.id, p.kind, p.what, p.reason, p.assets, p.starts_on, p.until_on, p.unit_id, \
     u.name AS unit_name, u.path AS unit_path, p.state, p.requester_id, r.display_name AS requester_name, \
     p.decided_by, d.display_name AS decider_name, p.decided_at, p.decision_note, p.returned_on, \
     p.returned_by, b.display_name AS returner_name, p.return_note, p.revision, p.created_at, p.updated_at \
     FROM permissions p LEFT JOIN units u ON u.id = p.unit_id JOIN users r ON r.id = p.requester_id \
     LEFT JOIN users d ON d.id = p.decided_by LEFT JOIN users b ON b.id = p.returned_by";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &PermissionFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(s) = &f.state {
        qb.push(" AND p.state = ").push_bind(s.clone());
    }
    if let Some(k) = &f.kind {
        qb.push(" AND p.kind = ").push_bind(k.clone());
    }
    if let Some(d) = &f.until_before {
        qb.push(" AND p.until_on < ").push_bind(d.clone());
    }
    push_scope(qb, &f.scope, "p.unit_id", "p.requester_id");
}

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

impl Store {
    /// One permission by id.
    pub async fn permission(&self, id: i64) -> Result<PermissionRecord, StoreError> {
        let found: Option<PermissionRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("permission", id))
    }

    /// One page of the register, newest first.
    pub async fn list_permissions(
        &self,
        filter: &PermissionFilter,
        page: PageRequest,
    ) -> Result<Page<PermissionRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY p.id DESC LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<PermissionRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM permissions p");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every permission of the filter (an export, the attention page), by end.
    pub async fn all_permissions(
        &self,
        filter: &PermissionFilter,
    ) -> Result<Vec<PermissionRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY p.until_on, p.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    // --- h15b ---
    /// Every permission of the filter in the register's order (newest
    /// first): what the list shows, on every page (an export).
    pub async fn listed_permissions(
        &self,
        filter: &PermissionFilter,
    ) -> Result<Vec<PermissionRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY p.id DESC");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records a request (state pending).
    pub async fn create_permission(
        &self,
        actor: &Actor,
        requester_id: i64,
        input: &PermissionInput,
    ) -> Result<PermissionRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO permissions (kind, what, reason, assets, starts_on, until_on, unit_id, state, \
                 requester_id, decision_note, return_note, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, '', '', 1, $9, $9) RETURNING id",
            )
            .bind(&input.kind)
            .bind(&input.what)
            .bind(&input.reason)
            .bind(ids(&input.assets))
            .bind(&input.starts_on)
            .bind(&input.until_on)
            .bind(input.unit_id)
            .bind(requester_id)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let after = permission_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Permission,
            id,
            Verb::Request,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Decides a pending permission: `state` granted or refused.
    pub async fn decide_permission(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        state: &str,
        note: &str,
    ) -> Result<PermissionRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = permission_in_tx(&mut tx, id).await?;
        if before.state != "pending" {
            return Err(Problem::new("MAMORI-PERMISSION-DECIDED")
                .with("id", id)
                .with("state", &before.state)
                .into());
        }
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE permissions SET state = $3, decided_by = $4, decided_at = $5, decision_note = $6, \
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
            return Err(Problem::new("MAMORI-PERMISSION-STALE")
                .with("id", id)
                .into());
        }
        let after = permission_in_tx(&mut tx, id).await?;
        let verb = if state == "granted" {
            Verb::Approve
        } else {
            Verb::Refuse
        };
        tx.append_event(
            actor,
            Entity::Permission,
            id,
            verb,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records that what a granted permission covered came back on `day`;
    /// refused unless it was granted.
    pub async fn return_permission(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        day: &str,
        note: &str,
    ) -> Result<PermissionRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = permission_in_tx(&mut tx, id).await?;
        if before.state != "granted" {
            return Err(Problem::new("MAMORI-PERMISSION-NOT-GRANTED")
                .with("id", id)
                .with("state", &before.state)
                .into());
        }
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE permissions SET state = 'returned', returned_on = $3, returned_by = $4, return_note = $5, \
                 revision = revision + 1, updated_at = $6 WHERE id = $1 AND revision = $2 AND state = 'granted'",
            )
            .bind(id)
            .bind(revision)
            .bind(day)
            .bind(user_id)
            .bind(note)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(Problem::new("MAMORI-PERMISSION-STALE")
                .with("id", id)
                .into());
        }
        let after = permission_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Permission,
            id,
            Verb::RecordReturn,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn permission_in_tx(tx: &mut crate::Tx, id: i64) -> Result<PermissionRecord, StoreError> {
    let found: Option<PermissionRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("permission", id))
}
