//! Network segments and information systems: the reference data assets point
//! to. The segments are one record for the asset register and the network
//! checker: saving the city's segments file (see `save_segments_file`) brings
//! this table in line with it.

use crate::events::{Entity, Verb};
use mamori_core::problem::Problem;
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
    /// The device interfaces or zones that face the segment, one a line.
    pub interfaces: String,
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
    #[serde(default)]
    pub interfaces: String,
}

/// A segment with what refers to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentUsage {
    #[serde(flatten)]
    pub segment: Segment,
    pub systems: i64,
    pub assets: i64,
}

/// What saving a segments file changed in the record of segments.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SegmentSync {
    /// Names of the segments the file added.
    pub created: Vec<String>,
    /// Names of the segments whose role, ranges or interfaces changed.
    pub updated: Vec<String>,
    /// Segments on record that the file does not declare: kept, because
    /// assets and systems may refer to them.
    pub not_in_file: Vec<String>,
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

const SEGMENT_FIELDS: &str =
    "id, name, name_en, role, ranges, description, interfaces, created_at, updated_at";
const SEGMENT_COLUMNS: &str = "SELECT id, name, name_en, role, ranges, description, interfaces, created_at, updated_at FROM segments ";
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
            return Err(Problem::new("MAMORI-SEGMENT-NAME-EMPTY")
                .field("name")
                .into());
        }
        if role.is_empty() {
            return Err(Problem::new("MAMORI-SEGMENT-ROLE-EMPTY")
                .field("role")
                .into());
        }
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let inserted: Result<Segment, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO segments (name, name_en, role, ranges, description, interfaces, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {SEGMENT_FIELDS}"
            )))
            .bind(&name)
            .bind(new.name_en.trim())
            .bind(&role)
            .bind(new.ranges.trim())
            .bind(new.description.trim())
            .bind(new.interfaces.trim())
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from)
        });
        let segment = inserted.map_err(|e| {
            on_unique(
                e,
                Problem::new("MAMORI-SEGMENT-TAKEN")
                    .field("name")
                    .with("name", &name),
            )
        })?;
        tx.append_event(
            actor,
            Entity::Segment,
            segment.id,
            Verb::Create,
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
            return Err(Problem::new("MAMORI-SYSTEM-CODE-EMPTY")
                .field("code")
                .into());
        }
        if name.is_empty() {
            return Err(Problem::new("MAMORI-SYSTEM-NAME-EMPTY")
                .field("name")
                .into());
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
            on_unique(
                e,
                Problem::new("MAMORI-SYSTEM-CODE-TAKEN")
                    .field("code")
                    .with("code", &code),
            )
        })?;
        tx.append_event(
            actor,
            Entity::InformationSystem,
            system.id,
            Verb::Create,
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

impl Store {
    /// Saves the city's segments file (the text the network checker reads) and
    /// brings the record of segments in line with the segments it declares, in
    /// one transaction: a segment of a new name is added, a known one takes the
    /// file's role, ranges and interfaces. Segments the file leaves out are kept
    /// (assets and systems may refer to them) and named in the result.
    pub async fn save_segments_file(
        &self,
        actor: &Actor,
        text: &str,
        declared: &[NewSegment],
    ) -> Result<SegmentSync, StoreError> {
        for (i, d) in declared.iter().enumerate() {
            if d.name.trim().is_empty() || d.role.trim().is_empty() {
                return Err(Problem::new("MAMORI-SEGMENT-FILE-INCOMPLETE")
                    .field("segment")
                    .with("n", (i + 1).to_string())
                    .into());
            }
        }
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let existing: Vec<Segment> = tx_run!(&mut tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SEGMENT_COLUMNS} ORDER BY id"
            )))
            .fetch_all(&mut *c)
            .await?
        });
        let mut sync = SegmentSync::default();
        for d in declared {
            let (name, role) = (d.name.trim(), d.role.trim());
            let (ranges, interfaces) = (d.ranges.trim(), d.interfaces.trim());
            match existing.iter().find(|s| s.name == name) {
                Some(s) if s.role == role && s.ranges == ranges && s.interfaces == interfaces => {}
                Some(s) => {
                    let after: Segment = tx_run!(&mut tx, |c| {
                        sqlx::query_as(sqlx::AssertSqlSafe(format!(
                            "UPDATE segments SET role = $1, ranges = $2, interfaces = $3, updated_at = $4 \
                             WHERE id = $5 RETURNING {SEGMENT_FIELDS}"
                        )))
                        .bind(role)
                        .bind(ranges)
                        .bind(interfaces)
                        .bind(&now)
                        .bind(s.id)
                        .fetch_one(&mut *c)
                        .await?
                    });
                    tx.append_event(
                        actor,
                        Entity::Segment,
                        s.id,
                        Verb::Update,
                        Some(s),
                        Some(&after),
                    )
                    .await?;
                    sync.updated.push(name.to_string());
                }
                None => {
                    let created: Segment = tx_run!(&mut tx, |c| {
                        sqlx::query_as(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO segments (name, name_en, role, ranges, description, interfaces, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {SEGMENT_FIELDS}"
                        )))
                        .bind(name)
                        .bind(d.name_en.trim())
                        .bind(role)
                        .bind(ranges)
                        .bind(d.description.trim())
                        .bind(interfaces)
                        .bind(&now)
                        .fetch_one(&mut *c)
                        .await?
                    });
                    tx.append_event(
                        actor,
                        Entity::Segment,
                        created.id,
                        Verb::Create,
                        None::<&()>,
                        Some(&created),
                    )
                    .await?;
                    sync.created.push(name.to_string());
                }
            }
        }
        sync.not_in_file = existing
            .iter()
            .filter(|s| !declared.iter().any(|d| d.name.trim() == s.name))
            .map(|s| s.name.clone())
            .collect();
        tx.set_setting(actor, crate::netcheck::SEGMENTS_SETTING, text)
            .await?;
        tx.commit().await?;
        Ok(sync)
    }

    /// Every segment with the number of systems and assets that refer to it.
    pub async fn segment_usage(&self) -> Result<Vec<SegmentUsage>, StoreError> {
        let segments = self.segments().await?;
        type Counts = Vec<(i64, i64)>;
        let (systems, assets): (Counts, Counts) = db_run!(&self.db, |pool| {
            let systems = sqlx::query_as(
                "SELECT segment_id, COUNT(*) FROM information_systems \
                 WHERE segment_id IS NOT NULL GROUP BY segment_id",
            )
            .fetch_all(pool)
            .await?;
            let assets = sqlx::query_as(
                "SELECT segment_id, COUNT(*) FROM assets \
                 WHERE segment_id IS NOT NULL GROUP BY segment_id",
            )
            .fetch_all(pool)
            .await?;
            (systems, assets)
        });
        let count = |rows: &[(i64, i64)], id: i64| {
            rows.iter().find(|(s, _)| *s == id).map_or(0, |(_, n)| *n)
        };
        Ok(segments
            .into_iter()
            .map(|segment| SegmentUsage {
                systems: count(&systems, segment.id),
                assets: count(&assets, segment.id),
                segment,
            })
            .collect())
    }
}

/// An information system with the names of its unit and segment, for lists.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct SystemLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub owner_unit_code: Option<String>,
    pub owner_unit_name: Option<String>,
    pub segment_name: Option<String>,
    pub segment_role: Option<String>,
    pub description: String,
}

impl Store {
    /// The information systems by code, one page at a time, optionally those of
    /// one segment.
    pub async fn list_information_systems(
        &self,
        segment_id: Option<i64>,
        page: crate::PageRequest,
    ) -> Result<crate::Page<SystemLine>, StoreError> {
        crate::paging::page_of(
            &self.db,
            "SELECT s.id, s.code, s.name, u.code AS owner_unit_code, u.name AS owner_unit_name, \
             g.name AS segment_name, g.role AS segment_role, s.description \
             FROM information_systems s \
             LEFT JOIN units u ON u.id = s.owner_unit_id \
             LEFT JOIN segments g ON g.id = s.segment_id \
             WHERE ($1 IS NULL OR s.segment_id = $1) \
             ORDER BY s.code LIMIT $2 OFFSET $3",
            "SELECT COUNT(*) FROM information_systems WHERE ($1 IS NULL OR segment_id = $1)",
            segment_id,
            page,
        )
        .await
    }
}

/// A unique violation as this problem (a conflict); other errors unchanged.
fn on_unique(e: StoreError, p: Problem) -> StoreError {
    match &e {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Rejected(p)
        }
        _ => e,
    }
}
