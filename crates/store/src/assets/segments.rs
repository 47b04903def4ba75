//! Network segments and information systems: the reference data assets point
//! to. Minimal for now (create, list, find); the network-resilience work
//! extends segments.

use serde::{Deserialize, Serialize};

use crate::{Actor, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A network segment (マイナンバー利用事務系, LGWAN接続系, インターネット接続系 …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    /// `mynumber`, `lgwan`, `internet`, or a city's own.
    pub role: String,
    /// Address ranges, one a line.
    pub ranges: String,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSegment {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub role: String,
    #[serde(default)]
    pub ranges: String,
    #[serde(default)]
    pub description: String,
}

/// An information system (第2(2)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct InformationSystem {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub owner_unit_id: Option<i64>,
    pub segment_id: Option<i64>,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewInformationSystem {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub owner_unit_id: Option<i64>,
    #[serde(default)]
    pub segment_id: Option<i64>,
    #[serde(default)]
    pub description: String,
}

const SEGMENT_COLUMNS: &str =
    "SELECT id, name, name_en, role, ranges, description, created_at, updated_at FROM segments ";
const SYSTEM_COLUMNS: &str = "SELECT id, code, name, owner_unit_id, segment_id, description, created_at, updated_at FROM information_systems ";

impl Store {
    /// Creates a network segment.
    pub async fn create_segment(
        &self,
        actor: &Actor,
        new: NewSegment,
    ) -> Result<Segment, StoreError> {
        let name = new.name.trim().to_string();
        let role = new.role.trim().to_string();
        if name.is_empty() {
            return Err(StoreError::invalid(
                "name",
                "名称を入力してください / the name is empty",
            ));
        }
        if role.is_empty() {
            return Err(StoreError::invalid(
                "role",
                "役割を入力してください / the role is empty",
            ));
        }
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let inserted: Result<Segment, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "INSERT INTO segments (name, name_en, role, ranges, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 RETURNING id, name, name_en, role, ranges, description, created_at, updated_at",
            )
            .bind(&name)
            .bind(new.name_en.trim())
            .bind(&role)
            .bind(new.ranges.trim())
            .bind(new.description.trim())
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from)
        });
        let segment = inserted.map_err(|e| {
            e.on_unique(format!(
                "ネットワーク区分「{name}」は既にあります / the segment {name} already exists"
            ))
        })?;
        tx.append_event(
            actor,
            "segment",
            segment.id,
            "create",
            None::<&()>,
            Some(&segment),
        )
        .await?;
        tx.commit().await?;
        Ok(segment)
    }

    /// Every segment, by name.
    pub async fn segments(&self) -> Result<Vec<Segment>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SEGMENT_COLUMNS} ORDER BY id"
            )))
            .fetch_all(pool)
            .await?
        }))
    }

    /// A segment by its name.
    pub async fn segment_by_name(&self, name: &str) -> Result<Option<Segment>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SEGMENT_COLUMNS} WHERE name = $1"
            )))
            .bind(name.trim())
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Creates an information system.
    pub async fn create_information_system(
        &self,
        actor: &Actor,
        new: NewInformationSystem,
    ) -> Result<InformationSystem, StoreError> {
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
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let inserted: Result<InformationSystem, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "INSERT INTO information_systems (code, name, owner_unit_id, segment_id, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 RETURNING id, code, name, owner_unit_id, segment_id, description, created_at, updated_at",
            )
            .bind(&code)
            .bind(&name)
            .bind(new.owner_unit_id)
            .bind(new.segment_id)
            .bind(new.description.trim())
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from)
        });
        let system = inserted.map_err(|e| {
            e.on_unique(format!(
                "情報システムのコード {code} は既に使われています / the system code {code} is already in use"
            ))
        })?;
        tx.append_event(
            actor,
            "information_system",
            system.id,
            "create",
            None::<&()>,
            Some(&system),
        )
        .await?;
        tx.commit().await?;
        Ok(system)
    }

    /// Every information system, by code.
    pub async fn information_systems(&self) -> Result<Vec<InformationSystem>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SYSTEM_COLUMNS} ORDER BY code"
            )))
            .fetch_all(pool)
            .await?
        }))
    }

    /// An information system by its code.
    pub async fn information_system_by_code(
        &self,
        code: &str,
    ) -> Result<Option<InformationSystem>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SYSTEM_COLUMNS} WHERE code = $1"
            )))
            .bind(code.trim())
            .fetch_optional(pool)
            .await?
        }))
    }
}
