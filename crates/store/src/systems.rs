//! Information systems as a register (第2(2)): create, edit (with a revision),
//! retire; the levels of their live assets (for the system's classification)
//! and the guideline roles held for them. The first, read-only shape of the
//! register (segments' systems) stays in `assets::segments`.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::problem::Problem;

/// An information system as the register shows it (with its unit's and
/// segment's names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SystemRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub owner_unit_id: Option<i64>,
    pub owner_unit_name: Option<String>,
    pub segment_id: Option<i64>,
    pub segment_name: Option<String>,
    pub description: String,
    pub vendor: String,
    pub go_live_on: Option<String>,
    pub ends_on: Option<String>,
    pub retired_on: Option<String>,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl SystemRecord {
    pub fn is_retired(&self) -> bool {
        self.retired_on.is_some()
    }
}

/// What a person enters for a system (already checked by the operation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemInput {
    pub code: String,
    pub name: String,
    pub owner_unit_id: Option<i64>,
    pub segment_id: Option<i64>,
    pub description: String,
    pub vendor: String,
    pub go_live_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Which systems a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemFilter {
    /// A part of the code, name, vendor or description.
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub segment_id: Option<i64>,
    /// Retired systems too.
    pub include_retired: bool,
}

/// The levels of one group of a system's live assets (to compute the
/// system's classification: the highest of each axis).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SystemLevels {
    pub system_id: i64,
    pub scheme: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub assets: i64,
}

/// A guideline role held today for a system, with the person's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SystemRoleHolder {
    pub role: String,
    pub user_id: i64,
    pub display_name: String,
}

const RECORD_SELECT: &str = "SELECT s.id, s.code, s.name, s.owner_unit_id, u.name AS owner_unit_name, \
     s.segment_id, g.name AS segment_name, s.description, s.vendor, s.go_live_on, s.ends_on, \
     s.retired_on, s.revision, s.created_at, s.updated_at \
     FROM information_systems s LEFT JOIN units u ON u.id = s.owner_unit_id \
     LEFT JOIN segments g ON g.id = s.segment_id";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &SystemFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if !f.include_retired {
        qb.push(" AND s.retired_on IS NULL");
    }
    if let Some(unit) = f.unit_id {
        qb.push(" AND s.owner_unit_id = ").push_bind(unit);
    }
    if let Some(seg) = f.segment_id {
        qb.push(" AND s.segment_id = ").push_bind(seg);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
                .to_lowercase()
        );
        qb.push(" AND (");
        for (i, col) in ["s.code", "s.name", "s.vendor", "s.description"]
            .iter()
            .enumerate()
        {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push(format!("LOWER({col}) LIKE "))
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
        qb.push(")");
    }
}

impl Store {
    /// One system by id.
    pub async fn system(&self, id: i64) -> Result<SystemRecord, StoreError> {
        let found: Option<SystemRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RECORD_SELECT} WHERE s.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("information system", id))
    }

    /// One system by its code.
    pub async fn system_by_code(&self, code: &str) -> Result<Option<SystemRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RECORD_SELECT} WHERE s.code = $1"
            )))
            .bind(code.trim())
            .fetch_optional(pool)
            .await?
        }))
    }

    /// One page of the register, by code.
    pub async fn list_systems(
        &self,
        filter: &SystemFilter,
        page: PageRequest,
    ) -> Result<Page<SystemRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(RECORD_SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY s.code LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<SystemRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM information_systems s");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every system of the filter (an export), by code.
    pub async fn all_systems(
        &self,
        filter: &SystemFilter,
    ) -> Result<Vec<SystemRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(RECORD_SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY s.code");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// The distinct levels of the live (not disposed) assets of these systems.
    pub async fn system_levels(&self, ids: &[i64]) -> Result<Vec<SystemLevels>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT system_id, scheme, confidentiality, integrity, availability, COUNT(*) AS assets \
                 FROM assets WHERE lifecycle <> 'disposed' AND system_id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(") GROUP BY system_id, scheme, confidentiality, integrity, availability");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// The guideline roles held on `today` for a system, by role and name.
    pub async fn system_role_holders(
        &self,
        system_id: i64,
        today: &str,
    ) -> Result<Vec<SystemRoleHolder>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT r.role, u.id AS user_id, u.display_name FROM role_assignments r \
                 JOIN users u ON u.id = r.user_id \
                 WHERE r.system_id = $1 AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2) \
                 ORDER BY r.role, u.display_name",
            )
            .bind(system_id)
            .bind(today)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Registers a system.
    pub async fn create_system(
        &self,
        actor: &Actor,
        input: &SystemInput,
    ) -> Result<SystemRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let inserted: Result<i64, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO information_systems (code, name, owner_unit_id, segment_id, description, \
                 vendor, go_live_on, ends_on, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
            )
            .bind(&input.code)
            .bind(&input.name)
            .bind(input.owner_unit_id)
            .bind(input.segment_id)
            .bind(&input.description)
            .bind(&input.vendor)
            .bind(&input.go_live_on)
            .bind(&input.ends_on)
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from)
        });
        let id = inserted.map_err(|e| code_taken(e, &input.code))?;
        let after = system_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::InformationSystem,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes a system: refused when it was saved since `revision` was read
    /// (409), or it is retired.
    pub async fn update_system(
        &self,
        actor: &Actor,
        id: i64,
        revision: i64,
        input: &SystemInput,
    ) -> Result<SystemRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = system_in_tx(&mut tx, id).await?;
        check_editable(&before, revision)?;
        let updated: Result<u64, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE information_systems SET code = $3, name = $4, owner_unit_id = $5, segment_id = $6, \
                 description = $7, vendor = $8, go_live_on = $9, ends_on = $10, revision = revision + 1, \
                 updated_at = $11 WHERE id = $1 AND revision = $2 AND retired_on IS NULL",
            )
            .bind(id)
            .bind(revision)
            .bind(&input.code)
            .bind(&input.name)
            .bind(input.owner_unit_id)
            .bind(input.segment_id)
            .bind(&input.description)
            .bind(&input.vendor)
            .bind(&input.go_live_on)
            .bind(&input.ends_on)
            .bind(&now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        if updated.map_err(|e| code_taken(e, &input.code))? == 0 {
            return Err(stale(&before.code));
        }
        let after = system_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::InformationSystem,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Retires a system on `on` (it stays readable, read-only).
    pub async fn retire_system(
        &self,
        actor: &Actor,
        id: i64,
        revision: i64,
        on: &str,
    ) -> Result<SystemRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = system_in_tx(&mut tx, id).await?;
        check_editable(&before, revision)?;
        let updated = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE information_systems SET retired_on = $3, ends_on = COALESCE(ends_on, $3), \
                 revision = revision + 1, updated_at = $4 \
                 WHERE id = $1 AND revision = $2 AND retired_on IS NULL",
            )
            .bind(id)
            .bind(revision)
            .bind(on)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(stale(&before.code));
        }
        let after = system_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::InformationSystem,
            id,
            Verb::Retire,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Creates or updates systems by code, all or none (an import whose rows
    /// were checked): one event per system.
    pub async fn import_systems(
        &self,
        actor: &Actor,
        rows: &[SystemInput],
    ) -> Result<(usize, usize), StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let (mut created, mut updated) = (0, 0);
        for input in rows {
            let existing: Option<i64> = tx_run!(&mut tx, |c| {
                sqlx::query_scalar("SELECT id FROM information_systems WHERE code = $1")
                    .bind(&input.code)
                    .fetch_optional(&mut *c)
                    .await?
            });
            match existing {
                Some(id) => {
                    let before = system_in_tx(&mut tx, id).await?;
                    if before.is_retired() {
                        return Err(retired(&before.code));
                    }
                    tx_run!(&mut tx, |c| {
                        sqlx::query(
                            "UPDATE information_systems SET name = $2, owner_unit_id = $3, segment_id = $4, \
                             description = $5, vendor = $6, go_live_on = $7, ends_on = $8, \
                             revision = revision + 1, updated_at = $9 WHERE id = $1",
                        )
                        .bind(id)
                        .bind(&input.name)
                        .bind(input.owner_unit_id)
                        .bind(input.segment_id)
                        .bind(&input.description)
                        .bind(&input.vendor)
                        .bind(&input.go_live_on)
                        .bind(&input.ends_on)
                        .bind(&now)
                        .execute(&mut *c)
                        .await?;
                    });
                    let after = system_in_tx(&mut tx, id).await?;
                    if after.name != before.name
                        || after.owner_unit_id != before.owner_unit_id
                        || after.segment_id != before.segment_id
                        || after.description != before.description
                        || after.vendor != before.vendor
                        || after.go_live_on != before.go_live_on
                        || after.ends_on != before.ends_on
                    {
                        tx.append_event(
                            actor,
                            Entity::InformationSystem,
                            id,
                            Verb::Update,
                            Some(&before),
                            Some(&after),
                        )
                        .await?;
                        updated += 1;
                    }
                }
                None => {
                    let id: i64 = tx_run!(&mut tx, |c| {
                        sqlx::query_scalar(
                            "INSERT INTO information_systems (code, name, owner_unit_id, segment_id, description, \
                             vendor, go_live_on, ends_on, revision, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
                        )
                        .bind(&input.code)
                        .bind(&input.name)
                        .bind(input.owner_unit_id)
                        .bind(input.segment_id)
                        .bind(&input.description)
                        .bind(&input.vendor)
                        .bind(&input.go_live_on)
                        .bind(&input.ends_on)
                        .bind(&now)
                        .fetch_one(&mut *c)
                        .await?
                    });
                    let after = system_in_tx(&mut tx, id).await?;
                    tx.append_event(
                        actor,
                        Entity::InformationSystem,
                        id,
                        Verb::Create,
                        None::<&()>,
                        Some(&after),
                    )
                    .await?;
                    created += 1;
                }
            }
        }
        tx.commit().await?;
        Ok((created, updated))
    }
}

async fn system_in_tx(tx: &mut crate::Tx, id: i64) -> Result<SystemRecord, StoreError> {
    let found: Option<SystemRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{RECORD_SELECT} WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    found.ok_or_else(|| StoreError::not_found("information system", id))
}

fn check_editable(before: &SystemRecord, revision: i64) -> Result<(), StoreError> {
    if before.is_retired() {
        return Err(retired(&before.code));
    }
    if before.revision != revision {
        return Err(stale(&before.code));
    }
    Ok(())
}

fn stale(code: &str) -> StoreError {
    Problem::new("MAMORI-SYSTEM-STALE")
        .with("code", code)
        .into()
}

fn retired(code: &str) -> StoreError {
    Problem::new("MAMORI-SYSTEM-RETIRED")
        .with("code", code)
        .into()
}

fn code_taken(e: StoreError, code: &str) -> StoreError {
    match &e {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            Problem::new("MAMORI-SYSTEM-CODE-TAKEN")
                .field("code")
                .with("code", code)
                .into()
        }
        _ => e,
    }
}
