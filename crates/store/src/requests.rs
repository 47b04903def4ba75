//! Classification changes proposed by a member of staff (格付けの変更の申請)
//! and decided by the unit's 情報セキュリティ管理者 or the security office.
//! An approval gives the asset its new levels in the same transaction as the
//! decision, with both events; the proposer and the approver are both in the
//! log.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use crate::assets::AssetScope;
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, Tx, db_run, now_rfc3339, tx_run};
use mamori_core::asset::Levels;
use mamori_core::problem::Problem;

/// A proposed change of an asset's levels, as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ClassificationRequest {
    pub id: i64,
    pub asset_id: i64,
    pub asset_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub scheme: String,
    pub old_confidentiality: String,
    pub old_integrity: String,
    pub old_availability: String,
    pub new_confidentiality: String,
    pub new_integrity: String,
    pub new_availability: String,
    pub reason: String,
    /// pending, approved, refused, withdrawn.
    pub state: String,
    pub decided_by: Option<i64>,
    pub decider_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub created_at: String,
}

impl ClassificationRequest {
    pub fn old_levels(&self) -> Levels {
        Levels::new(
            &self.old_confidentiality,
            &self.old_integrity,
            &self.old_availability,
        )
    }

    pub fn new_levels(&self) -> Levels {
        Levels::new(
            &self.new_confidentiality,
            &self.new_integrity,
            &self.new_availability,
        )
    }
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestFilter {
    pub state: Option<String>,
    pub asset_id: Option<i64>,
    /// Requests of these units, or made by `requester` (None: every unit).
    pub units: Option<Vec<i64>>,
    pub requester: Option<i64>,
}

const SELECT: &str = "SELECT r.id, r.asset_id, a.name AS asset_name, r.unit_id, u.name AS unit_name, \
     r.requester_id, p.display_name AS requester_name, r.scheme, r.old_confidentiality, r.old_integrity, \
     r.old_availability, r.new_confidentiality, r.new_integrity, r.new_availability, r.reason, r.state, \
     r.decided_by, d.display_name AS decider_name, r.decided_at, r.decision_note, r.created_at \
     FROM classification_requests r JOIN assets a ON a.id = r.asset_id JOIN units u ON u.id = r.unit_id \
     JOIN users p ON p.id = r.requester_id LEFT JOIN users d ON d.id = r.decided_by";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &RequestFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(s) = &f.state {
        qb.push(" AND r.state = ").push_bind(s.clone());
    }
    if let Some(a) = f.asset_id {
        qb.push(" AND r.asset_id = ").push_bind(a);
    }
    match (&f.units, f.requester) {
        (None, _) => {}
        (Some(units), requester) => {
            qb.push(" AND (r.unit_id IN (");
            let mut sep = qb.separated(", ");
            // An empty list still makes valid SQL.
            sep.push_bind(-1_i64);
            for u in units {
                sep.push_bind(*u);
            }
            qb.push(")");
            if let Some(p) = requester {
                qb.push(" OR r.requester_id = ").push_bind(p);
            }
            qb.push(")");
        }
    }
}

/// The scope of a reader as a request filter: the units whose assets they
/// may read, and their own requests.
pub fn filter_for(scope: &AssetScope, requester: i64) -> RequestFilter {
    RequestFilter {
        units: scope.units.clone(),
        requester: Some(requester),
        ..RequestFilter::default()
    }
}

impl Store {
    /// One request by id.
    pub async fn classification_request(
        &self,
        id: i64,
    ) -> Result<ClassificationRequest, StoreError> {
        let found: Option<ClassificationRequest> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("classification_request", id))
    }

    /// One page of requests, newest first.
    pub async fn list_classification_requests(
        &self,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> Result<Page<ClassificationRequest>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY r.id DESC LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ClassificationRequest> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM classification_requests r");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Records a proposal (state pending). An asset has at most one pending
    /// proposal: a second is refused with `MAMORI-CLASSIFICATION-PENDING`.
    pub async fn propose_classification(
        &self,
        actor: &Actor,
        requester_id: i64,
        asset: &crate::assets::Asset,
        levels: &Levels,
        reason: &str,
    ) -> Result<ClassificationRequest, StoreError> {
        let now = now_rfc3339();
        let old = asset.record.levels();
        let mut tx = self.db.begin().await?;
        let taken: Option<i64> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT id FROM classification_requests WHERE pending_asset = $1")
                .bind(asset.id)
                .fetch_optional(&mut *c)
                .await?
        });
        if let Some(other) = taken {
            return Err(pending_problem(asset.id, other));
        }
        let inserted: Result<i64, StoreError> = async {
            Ok(tx_run!(&mut tx, |c| {
                sqlx::query_scalar(
                    "INSERT INTO classification_requests (asset_id, unit_id, requester_id, scheme, \
                     old_confidentiality, old_integrity, old_availability, new_confidentiality, new_integrity, \
                     new_availability, reason, state, pending_asset, decision_note, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $1, '', $12) RETURNING id",
                )
                .bind(asset.id)
                .bind(asset.record.owner_unit_id)
                .bind(requester_id)
                .bind(&asset.record.scheme)
                .bind(&old.confidentiality)
                .bind(&old.integrity)
                .bind(&old.availability)
                .bind(&levels.confidentiality)
                .bind(&levels.integrity)
                .bind(&levels.availability)
                .bind(reason)
                .bind(&now)
                .fetch_one(&mut *c)
                .await?
            }))
        }
        .await;
        // Two proposals at once: the unique index lets one through.
        let id = match inserted.map_err(|e| e.on_unique("pending")) {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => return Err(pending_problem(asset.id, 0)),
            Err(e) => return Err(e),
        };
        let after = request_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::ClassificationRequest,
            id,
            Verb::Request,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Decides a pending request: `approve` gives the asset the proposed
    /// levels (refused with `MAMORI-CLASSIFICATION-STALE` if its levels have
    /// changed since the proposal); otherwise it is refused, or withdrawn by
    /// its proposer (`withdraw`). One transaction, with the events of both.
    pub async fn decide_classification_request(
        &self,
        actor: &Actor,
        decider_id: i64,
        id: i64,
        state: &str,
        note: &str,
    ) -> Result<ClassificationRequest, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        tx.lock_event_head().await?;
        let before = request_in_tx(&mut tx, id).await?;
        if before.state != "pending" {
            return Err(Problem::new("MAMORI-CLASSIFICATION-DECIDED")
                .with("id", id)
                .with("state", &before.state)
                .into());
        }
        if state == "approved" {
            let asset = self
                .asset(before.asset_id, &AssetScope::unrestricted())
                .await?;
            if asset.record.levels() != before.old_levels() {
                return Err(Problem::new("MAMORI-CLASSIFICATION-STALE")
                    .with("id", id)
                    .with("label", &asset.label)
                    .into());
            }
            let decider: String = tx_run!(&mut tx, |c| {
                sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                    .bind(decider_id)
                    .fetch_one(&mut *c)
                    .await?
            });
            let reason = format!(
                "{}（申請: {}、承認: {}）",
                before.reason, before.requester_name, decider
            );
            self.reclassify_in_tx(&mut tx, actor, &asset, before.new_levels(), &reason)
                .await?;
        }
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE classification_requests SET state = $2, pending_asset = NULL, decided_by = $3, \
                 decided_at = $4, decision_note = $5 WHERE id = $1 AND state = 'pending'",
            )
            .bind(id)
            .bind(state)
            .bind(decider_id)
            .bind(&now)
            .bind(note)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(Problem::new("MAMORI-CLASSIFICATION-DECIDED")
                .with("id", id)
                .with("state", "")
                .into());
        }
        let after = request_in_tx(&mut tx, id).await?;
        let verb = match state {
            "approved" => Verb::Approve,
            "refused" => Verb::Refuse,
            _ => Verb::Withdraw,
        };
        tx.append_event(
            actor,
            Entity::ClassificationRequest,
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

fn pending_problem(asset: i64, other: i64) -> StoreError {
    Problem::new("MAMORI-CLASSIFICATION-PENDING")
        .field("confidentiality")
        .with("asset", asset)
        .with("id", other)
        .into()
}

async fn request_in_tx(tx: &mut Tx, id: i64) -> Result<ClassificationRequest, StoreError> {
    let found: Option<ClassificationRequest> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("classification_request", id))
}
