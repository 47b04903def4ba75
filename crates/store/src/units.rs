//! The organisation's units (部局 → 課 → 係) as a tree with materialised paths.

use mamori_core::org::UnitKind;
use serde::{Deserialize, Serialize};

use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A unit of the organisation.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    /// `/1/5/12/`: the ids from the root down to this unit.
    pub path: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Unit {
    /// The ids of this unit and its ancestors, root first.
    pub fn lineage(&self) -> Vec<i64> {
        parse_path(&self.path)
    }
}

/// Parses a materialised path into its ids.
pub fn parse_path(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// What is needed to create a unit.
#[derive(Debug, Clone, Deserialize)]
pub struct NewUnit {
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: UnitKind,
}

/// `SELECT … FROM units` with the columns of [`Unit`], followed by the rest of the query.
macro_rules! select_units {
    ($rest:literal) => {
        concat!(
            "SELECT id, parent_id, code, name, name_en, kind, path, active, created_at, updated_at FROM units ",
            $rest
        )
    };
}

impl Store {
    /// Creates a unit under its parent.
    pub async fn create_unit(&self, actor: &Actor, new: NewUnit) -> Result<Unit, StoreError> {
        let code = new.code.trim().to_string();
        let name = new.name.trim().to_string();
        if code.is_empty() {
            return Err(StoreError::invalid(
                "code",
                "コードを入力してください / the code is empty",
            ));
        }
        if name.is_empty() {
            return Err(StoreError::invalid(
                "name",
                "名称を入力してください / the name is empty",
            ));
        }
        let mut tx = self.db.begin().await?;
        let parent_path = match new.parent_id {
            Some(pid) => {
                let path: Option<String> = tx_run!(&mut tx, |c| {
                    sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
                        .bind(pid)
                        .fetch_optional(&mut *c)
                        .await?
                });
                path.ok_or_else(|| {
                    StoreError::invalid(
                        "parent_id",
                        format!("上位組織 {pid} がありません / no parent unit {pid}"),
                    )
                })?
            }
            None => "/".to_string(),
        };
        let now = now_rfc3339();
        let inserted: Result<i64, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO units (parent_id, code, name, name_en, kind, path, active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, '/', TRUE, $6, $6) RETURNING id",
            )
            .bind(new.parent_id)
            .bind(&code)
            .bind(&name)
            .bind(new.name_en.trim())
            .bind(new.kind.code())
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from)
        });
        let id = inserted.map_err(|e| {
            e.on_unique(format!(
                "組織コード {code} は既に使われています / the unit code {code} is already in use"
            ))
        })?;
        let path = format!("{parent_path}{id}/");
        let unit: Unit = tx_run!(&mut tx, |c| {
            sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
                .bind(&path)
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query_as(select_units!("WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(actor, "unit", id, "create", None::<&Unit>, Some(&unit))
            .await?;
        tx.commit().await?;
        Ok(unit)
    }

    /// One unit.
    pub async fn unit(&self, id: i64) -> Result<Unit, StoreError> {
        let unit: Option<Unit> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_units!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        unit.ok_or_else(|| StoreError::not_found("unit", id))
    }

    /// A unit by its code.
    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(select_units!("WHERE code = $1"))
                .bind(code)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The units in tree order (by path), one page at a time.
    pub async fn list_units(&self, page: PageRequest) -> Result<Page<Unit>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<Unit> =
                sqlx::query_as(select_units!("ORDER BY path LIMIT $1 OFFSET $2"))
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(pool)
                    .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
                .fetch_one(pool)
                .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every active unit, for choosers (a city has hundreds, not millions).
    pub async fn all_units(&self) -> Result<Vec<Unit>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(select_units!("WHERE active = TRUE ORDER BY path"))
                .fetch_all(pool)
                .await?
        }))
    }

    /// Renames a unit (its code stays).
    pub async fn rename_unit(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        name_en: &str,
    ) -> Result<Unit, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid(
                "name",
                "名称を入力してください / the name is empty",
            ));
        }
        let before = self.unit(id).await?;
        let mut tx = self.db.begin().await?;
        let after: Unit = tx_run!(&mut tx, |c| {
            sqlx::query("UPDATE units SET name = $1, name_en = $2, updated_at = $3 WHERE id = $4")
                .bind(name)
                .bind(name_en.trim())
                .bind(now_rfc3339())
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query_as(select_units!("WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(actor, "unit", id, "update", Some(&before), Some(&after))
            .await?;
        tx.commit().await?;
        Ok(after)
    }
}
