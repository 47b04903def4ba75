//! The organisation's units (部局 → 課 → 係) as a tree with materialised paths.

use crate::events::{Entity, Verb};
use mamori_core::org::UnitKind;
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};

use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A unit of the organisation.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
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
    /// The date (YYYY-MM-DD) the unit was abolished; it stays in the history.
    #[serde(default)]
    pub abolished_on: Option<String>,
    /// The unit it was merged into, when abolished by a merge.
    #[serde(default)]
    pub merged_into: Option<i64>,
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
            "SELECT id, parent_id, code, name, name_en, kind, path, active, created_at, updated_at, abolished_on, merged_into FROM units ",
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
            return Err(Problem::new("MAMORI-UNIT-CODE-EMPTY").field("code").into());
        }
        if name.is_empty() {
            return Err(Problem::new("MAMORI-UNIT-NAME-EMPTY").field("name").into());
        }
        crate::checks::line("code", "コード", "code", &code)?;
        crate::checks::line("name", "名称", "name", &name)?;
        crate::checks::line("name_en", "英語名", "English name", &new.name_en)?;
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
                    Problem::new("MAMORI-UNIT-NO-PARENT")
                        .field("parent_id")
                        .with("id", pid)
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
            crate::users::unique_as(
                e,
                Problem::new("MAMORI-UNIT-CODE-TAKEN")
                    .field("code")
                    .with("code", &code),
            )
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
        tx.append_event(
            actor,
            Entity::Unit,
            id,
            Verb::Create,
            None::<&Unit>,
            Some(&unit),
        )
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
            return Err(Problem::new("MAMORI-UNIT-NAME-EMPTY").field("name").into());
        }
        crate::checks::line("name", "名称", "name", name)?;
        crate::checks::line("name_en", "英語名", "English name", name_en)?;
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
        tx.append_event(
            actor,
            Entity::Unit,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Merges unit `id` into `into` on a date: its staff, child units (with
    /// their subtrees), assets, information systems and unit-scoped role
    /// assignments move to `into`; the unit is kept, abolished and marked
    /// `merged_into`. One event records what moved.
    pub async fn merge_unit(
        &self,
        actor: &Actor,
        id: i64,
        into: i64,
        on: &str,
    ) -> Result<Unit, StoreError> {
        let on = history_date(on)?;
        let before = self.unit(id).await?;
        let target = self.unit(into).await.map_err(|_| {
            Problem::new("MAMORI-UNIT-NO-MERGE-TARGET")
                .field("into")
                .with("id", into)
        })?;
        if !before.active {
            return Err(abolished_error("id", &before));
        }
        if !target.active {
            return Err(abolished_error("into", &target));
        }
        if target.lineage().contains(&id) {
            return Err(Problem::new("MAMORI-UNIT-MERGE-INTO-OWN")
                .field("into")
                .with("target", &target.name)
                .with("unit", &before.name)
                .into());
        }
        let mut tx = self.db.begin().await?;
        let now = now_rfc3339();
        let prefix_len = i32::try_from(before.path.chars().count()).unwrap_or(i32::MAX);
        let (moved, after): (MovedByMerge, Unit) = tx_run!(&mut tx, |c| {
            let ids = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).bind(id);
            let moved = MovedByMerge {
                users: ids("SELECT id FROM users WHERE unit_id = $1 ORDER BY id")
                    .fetch_all(&mut *c)
                    .await?,
                child_units: ids("SELECT id FROM units WHERE parent_id = $1 ORDER BY id")
                    .fetch_all(&mut *c)
                    .await?,
                assets: ids("SELECT id FROM assets WHERE owner_unit_id = $1 ORDER BY id")
                    .fetch_all(&mut *c)
                    .await?,
                information_systems: ids(
                    "SELECT id FROM information_systems WHERE owner_unit_id = $1 ORDER BY id",
                )
                .fetch_all(&mut *c)
                .await?,
                role_assignments: ids(
                    "SELECT id FROM role_assignments WHERE unit_id = $1 ORDER BY id",
                )
                .fetch_all(&mut *c)
                .await?,
            };
            for sql in [
                "UPDATE users SET unit_id = $1, updated_at = $3 WHERE unit_id = $2",
                "UPDATE units SET parent_id = $1, updated_at = $3 WHERE parent_id = $2",
                "UPDATE assets SET owner_unit_id = $1, updated_at = $3 WHERE owner_unit_id = $2",
                "UPDATE information_systems SET owner_unit_id = $1, updated_at = $3 WHERE owner_unit_id = $2",
                "UPDATE role_assignments SET unit_id = $1, updated_at = $3 WHERE unit_id = $2",
            ] {
                sqlx::query(sql)
                    .bind(into)
                    .bind(id)
                    .bind(&now)
                    .execute(&mut *c)
                    .await?;
            }
            // The subtrees below the moved children: the old path prefix becomes the target's.
            sqlx::query(
                "UPDATE units SET path = $1 || SUBSTR(path, $2) WHERE path LIKE $3 AND id <> $4",
            )
            .bind(&target.path)
            .bind(prefix_len + 1)
            .bind(format!("{}%", before.path))
            .bind(id)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE units SET active = FALSE, abolished_on = $1, merged_into = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(on.to_string())
            .bind(into)
            .bind(&now)
            .bind(id)
            .execute(&mut *c)
            .await?;
            let after: Unit = sqlx::query_as(select_units!("WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?;
            (moved, after)
        });
        let what = serde_json::json!({ "unit": &after, "moved_to": into, "moved": &moved });
        tx.append_event(
            actor,
            Entity::Unit,
            id,
            Verb::Merge,
            Some(&before),
            Some(&what),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Abolishes an empty unit on a date: no active staff, no active child unit,
    /// no assets or information systems, no role assignment still open. It stays
    /// in the history, hidden from choosers.
    pub async fn abolish_unit(&self, actor: &Actor, id: i64, on: &str) -> Result<Unit, StoreError> {
        let on = history_date(on)?;
        let before = self.unit(id).await?;
        if !before.active {
            return Err(abolished_error("id", &before));
        }
        let counts: Vec<i64> = db_run!(&self.db, |pool| {
            let mut counts = Vec::new();
            for sql in [
                "SELECT COUNT(*) FROM users WHERE unit_id = $1 AND active = TRUE",
                "SELECT COUNT(*) FROM units WHERE parent_id = $1 AND active = TRUE",
                "SELECT COUNT(*) FROM assets WHERE owner_unit_id = $1",
                "SELECT COUNT(*) FROM information_systems WHERE owner_unit_id = $1",
            ] {
                counts.push(sqlx::query_scalar(sql).bind(id).fetch_one(pool).await?);
            }
            counts.push(
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM role_assignments WHERE unit_id = $1 AND (ends_on IS NULL OR ends_on >= $2)",
                )
                .bind(id)
                .bind(on.to_string())
                .fetch_one(pool)
                .await?,
            );
            counts
        });
        let labels = [
            ("在籍職員", "active staff"),
            ("下位組織", "active units below it"),
            ("情報資産", "assets"),
            ("情報システム", "information systems"),
            ("継続中の役割", "open role assignments"),
        ];
        let left: Vec<(String, String)> = counts
            .iter()
            .zip(labels)
            .filter(|(n, _)| **n > 0)
            .map(|(n, (ja, en))| (format!("{ja} {n}件"), format!("{n} {en}")))
            .collect();
        if !left.is_empty() {
            let (ja, en): (Vec<String>, Vec<String>) = left.into_iter().unzip();
            return Err(Problem::new("MAMORI-UNIT-NOT-EMPTY")
                .with("name", &before.name)
                .with("left", ja.join("、"))
                .with("left_en", en.join(", "))
                .into());
        }
        let mut tx = self.db.begin().await?;
        let after: Unit = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE units SET active = FALSE, abolished_on = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(on.to_string())
            .bind(now_rfc3339())
            .bind(id)
            .execute(&mut *c)
            .await?;
            sqlx::query_as(select_units!("WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(
            actor,
            Entity::Unit,
            id,
            Verb::Abolish,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// What a merge moved, by id (recorded in the unit's merge event).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MovedByMerge {
    pub users: Vec<i64>,
    pub child_units: Vec<i64>,
    pub assets: Vec<i64>,
    pub information_systems: Vec<i64>,
    pub role_assignments: Vec<i64>,
}

fn history_date(on: &str) -> Result<time::Date, StoreError> {
    mamori_core::asset::parse_date(on).ok_or_else(|| {
        Problem::new("MAMORI-UNIT-BAD-DATE")
            .field("on")
            .with("value", on)
            .into()
    })
}

fn abolished_error(field: &str, unit: &Unit) -> StoreError {
    Problem::new("MAMORI-UNIT-ABOLISHED")
        .field(field)
        .with("name", &unit.name)
        .with("code", &unit.code)
        .into()
}
