//! The city's own controls (beside the built-in catalogue), the status of each
//! control where it applies (the `control_status` table of 0016: city-wide, per
//! unit, per information system) and evidence (証跡): files kept in the
//! database and links, attached to records through `evidence_links` so that
//! other areas (self-inspection, audits) reuse them.

use mamori_core::control::{Implementation, StatusScope};
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::QueryBuilder;

use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// The owner kind of evidence attached to a control status.
pub const EVIDENCE_OF_STATUS: &str = "control_status";

// ---------------------------------------------------------------- controls

/// A control of the catalogue (built in or the city's own), with its
/// applicability and the threats it counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ControlRecord {
    pub id: i64,
    pub code: String,
    pub category: String,
    pub chapter: i64,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub builtin: bool,
    pub applies_kinds: String,
    pub applies_levels: String,
    pub applies_segments: String,
    pub applies_personal: String,
    pub retired_on: Option<String>,
    pub revision: i64,
    #[sqlx(skip)]
    pub threats: Vec<String>,
}

/// What the security office enters for one of the city's controls (checked by
/// the operation: category, chapter and threat codes exist).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ControlInput {
    pub category: String,
    pub chapter: i64,
    pub name: String,
    pub description: String,
    pub threats: Vec<String>,
    /// Space-separated asset kinds, confidentiality levels, segment ids.
    pub applies_kinds: String,
    pub applies_levels: String,
    pub applies_segments: String,
    /// any, yes, no
    pub applies_personal: String,
}

const CONTROL_SELECT: &str = "SELECT id, code, category, chapter, name, name_en, description, builtin, \
     applies_kinds, applies_levels, applies_segments, applies_personal, retired_on, revision FROM controls";

// ------------------------------------------------------------------ status

/// A control's status in one scope, with the names a page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StatusRow {
    pub id: i64,
    pub control_code: String,
    pub scope_kind: String,
    pub scope_id: i64,
    pub state: String,
    pub reason: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub comment: String,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: String,
    pub scope_name: Option<String>,
    pub control_name: Option<String>,
    pub category: Option<String>,
    pub chapter: Option<i64>,
}

impl StatusRow {
    pub fn scope(&self) -> Option<StatusScope> {
        StatusScope::from_parts(&self.scope_kind, self.scope_id)
    }
    pub fn implementation(&self) -> Option<Implementation> {
        self.state.parse().ok()
    }
}

/// A status to record (checked by the operation).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusInput {
    pub control_code: String,
    pub scope: StatusScope,
    pub state: Implementation,
    pub reason: String,
    pub owner_user_id: Option<i64>,
    pub due_on: Option<String>,
    pub comment: String,
}

/// The scopes whose status a reader sees (the city's is seen by everyone who
/// may read any).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusVisibility {
    /// Every scope.
    pub all: bool,
    pub city: bool,
    pub units: Vec<i64>,
    pub systems: Vec<i64>,
}

/// Which statuses a list shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusFilter {
    pub control_code: Option<String>,
    pub scope: Option<StatusScope>,
    pub state: Option<String>,
    pub category: Option<String>,
}

/// A control with its status in one scope (none yet: the status fields empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ScopedControl {
    pub code: String,
    pub name: String,
    pub category: String,
    pub chapter: i64,
    pub builtin: bool,
    pub status_id: Option<i64>,
    pub state: Option<String>,
    pub reason: Option<String>,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub comment: Option<String>,
    pub revision: Option<i64>,
}

const STATUS_SELECT: &str = "SELECT s.id, s.control_code, s.scope_kind, s.scope_id, s.state, s.reason, \
     s.owner_user_id, o.display_name AS owner_name, s.due_on, s.comment, s.revision, s.updated_by, \
     s.updated_at, COALESCE(un.name, sy.name) AS scope_name, c.name AS control_name, c.category, c.chapter \
     FROM control_status s LEFT JOIN users o ON o.id = s.owner_user_id \
     LEFT JOIN units un ON s.scope_kind = 'unit' AND un.id = s.scope_id \
     LEFT JOIN information_systems sy ON s.scope_kind = 'system' AND sy.id = s.scope_id \
     LEFT JOIN controls c ON c.code = s.control_code";

fn push_visible<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, v: &StatusVisibility)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if v.all {
        return;
    }
    qb.push(" AND (1 = 0");
    if v.city {
        qb.push(" OR s.scope_kind = 'city'");
    }
    for (kind, ids) in [("unit", &v.units), ("system", &v.systems)] {
        if ids.is_empty() {
            continue;
        }
        qb.push(format!(" OR (s.scope_kind = '{kind}' AND s.scope_id IN ("));
        let mut sep = qb.separated(", ");
        for id in ids.iter() {
            sep.push_bind(*id);
        }
        qb.push("))");
    }
    qb.push(")");
}

fn push_status_filter<DB: sqlx::Database>(
    qb: &mut QueryBuilder<DB>,
    f: &StatusFilter,
    v: &StatusVisibility,
) where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(code) = &f.control_code {
        qb.push(" AND s.control_code = ").push_bind(code.clone());
    }
    if let Some(scope) = f.scope {
        qb.push(" AND s.scope_kind = ")
            .push_bind(scope.kind().to_string())
            .push(" AND s.scope_id = ")
            .push_bind(scope.id());
    }
    if let Some(state) = &f.state {
        qb.push(" AND s.state = ").push_bind(state.clone());
    }
    if let Some(cat) = &f.category {
        qb.push(" AND c.category = ").push_bind(cat.clone());
    }
    push_visible(qb, v);
}

// ---------------------------------------------------------------- evidence

/// Evidence as lists show it (never its bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: i64,
    /// file or link
    pub kind: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

/// New evidence (checked by the operation: size, scheme of the link).
#[derive(Debug, Clone, PartialEq)]
pub enum NewEvidence {
    File {
        name: String,
        media_type: String,
        bytes: Vec<u8>,
    },
    Link {
        url: String,
    },
}

/// What the event log records of attached evidence.
#[derive(Debug, Serialize)]
struct EvidenceEvent<'a> {
    #[serde(flatten)]
    evidence: &'a EvidenceRow,
    owner_kind: &'a str,
    owner_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_id: Option<i64>,
}

pub(crate) const EVIDENCE_FIELDS: &str = "e.id, e.kind, e.file_name, e.media_type, e.size, e.sha256, e.url, e.note, e.created_by, e.created_at";

impl Store {
    // ------------------------------------------------------------ controls

    /// A control (built in or the city's) by code, with its threats.
    pub async fn control_by_code(&self, code: &str) -> Result<ControlRecord, StoreError> {
        let found: Option<ControlRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CONTROL_SELECT} WHERE code = $1"
            )))
            .bind(code.trim())
            .fetch_optional(pool)
            .await?
        });
        let mut control = found.ok_or_else(|| StoreError::not_found("control", code))?;
        control.threats = db_run!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT t.code FROM control_threats ct JOIN threats t ON t.id = ct.threat_id \
                 WHERE ct.control_id = $1 ORDER BY t.code",
            )
            .bind(control.id)
            .fetch_all(pool)
            .await?
        });
        Ok(control)
    }

    /// Which controls (built in and the city's, not retired) counter which
    /// threat: `(threat code, control code)` pairs, in code order. The risk
    /// computation reads it once per recomputation.
    pub async fn countering_controls(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT t.code, c.code FROM control_threats ct \
                 JOIN threats t ON t.id = ct.threat_id \
                 JOIN controls c ON c.id = ct.control_id \
                 WHERE c.retired_on IS NULL ORDER BY t.code, c.code",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The codes of the threats of the catalogue that exist among `codes`.
    pub async fn known_threats(&self, codes: &[String]) -> Result<Vec<String>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new("SELECT code FROM threats WHERE code IN (");
            let mut sep = qb.separated(", ");
            for c in codes {
                sep.push_bind(c.clone());
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(pool).await?
        }))
    }

    /// The codes of the controls (not retired) among `codes`.
    pub async fn live_control_codes(&self, codes: &[String]) -> Result<Vec<String>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT code FROM controls WHERE retired_on IS NULL AND code IN (",
            );
            let mut sep = qb.separated(", ");
            for c in codes {
                sep.push_bind(c.clone());
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(pool).await?
        }))
    }

    /// Adds one of the city's controls; its code is the next `C-<serial>`.
    pub async fn create_city_control(
        &self,
        actor: &Actor,
        input: &ControlInput,
    ) -> Result<ControlRecord, StoreError> {
        let mut tx = self.db.begin().await?;
        // The event head's lock serialises writers: the serial is taken under it.
        tx.lock_event_head().await?;
        let codes: Vec<String> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT code FROM controls WHERE code LIKE 'C-%'")
                .fetch_all(&mut *c)
                .await?
        });
        let serial = codes
            .iter()
            .filter_map(|c| c.strip_prefix("C-")?.parse::<i64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let code = format!("C-{serial:03}");
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO controls (code, category, chapter, name, name_en, description, builtin, \
                 applies_kinds, applies_levels, applies_segments, applies_personal, revision) \
                 VALUES ($1, $2, $3, $4, '', $5, FALSE, $6, $7, $8, $9, 1) RETURNING id",
            )
            .bind(&code)
            .bind(&input.category)
            .bind(input.chapter)
            .bind(&input.name)
            .bind(&input.description)
            .bind(&input.applies_kinds)
            .bind(&input.applies_levels)
            .bind(&input.applies_segments)
            .bind(&input.applies_personal)
            .fetch_one(&mut *c)
            .await?
        });
        set_threats(&mut tx, id, &input.threats).await?;
        let after = control_in_tx(&mut tx, &code).await?;
        tx.append_event(
            actor,
            Entity::Control,
            &code,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes one of the city's controls (refused for built-in, retired or
    /// stale).
    pub async fn update_city_control(
        &self,
        actor: &Actor,
        code: &str,
        revision: i64,
        input: &ControlInput,
    ) -> Result<ControlRecord, StoreError> {
        let mut tx = self.db.begin().await?;
        let before = control_in_tx(&mut tx, code).await?;
        check_city_control(&before, revision)?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE controls SET category = $2, chapter = $3, name = $4, description = $5, \
                 applies_kinds = $6, applies_levels = $7, applies_segments = $8, applies_personal = $9, \
                 revision = revision + 1 WHERE id = $1",
            )
            .bind(before.id)
            .bind(&input.category)
            .bind(input.chapter)
            .bind(&input.name)
            .bind(&input.description)
            .bind(&input.applies_kinds)
            .bind(&input.applies_levels)
            .bind(&input.applies_segments)
            .bind(&input.applies_personal)
            .execute(&mut *c)
            .await?;
        });
        set_threats(&mut tx, before.id, &input.threats).await?;
        let after = control_in_tx(&mut tx, code).await?;
        tx.append_event(
            actor,
            Entity::Control,
            code,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Retires one of the city's controls on `on`: kept (its status history
    /// stays readable), no longer offered for new statuses.
    pub async fn retire_city_control(
        &self,
        actor: &Actor,
        code: &str,
        revision: i64,
        on: &str,
    ) -> Result<ControlRecord, StoreError> {
        let mut tx = self.db.begin().await?;
        let before = control_in_tx(&mut tx, code).await?;
        check_city_control(&before, revision)?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE controls SET retired_on = $2, revision = revision + 1 WHERE id = $1",
            )
            .bind(before.id)
            .bind(on)
            .execute(&mut *c)
            .await?;
        });
        let after = control_in_tx(&mut tx, code).await?;
        tx.append_event(
            actor,
            Entity::Control,
            code,
            Verb::Retire,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // -------------------------------------------------------------- status

    /// One status by its control and scope, if recorded.
    pub async fn control_status_at(
        &self,
        control_code: &str,
        scope: StatusScope,
    ) -> Result<Option<StatusRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{STATUS_SELECT} WHERE s.control_code = $1 AND s.scope_kind = $2 AND s.scope_id = $3"
            )))
            .bind(control_code)
            .bind(scope.kind())
            .bind(scope.id())
            .fetch_optional(pool)
            .await?
        }))
    }

    /// One status by id.
    pub async fn control_status(&self, id: i64) -> Result<StatusRow, StoreError> {
        let found: Option<StatusRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{STATUS_SELECT} WHERE s.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("control status", id))
    }

    /// One page of statuses the reader sees, by control and scope.
    pub async fn list_control_status(
        &self,
        filter: &StatusFilter,
        visible: &StatusVisibility,
        page: PageRequest,
    ) -> Result<Page<StatusRow>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(STATUS_SELECT);
            push_status_filter(&mut qb, filter, visible);
            qb.push(" ORDER BY c.chapter, s.control_code, s.scope_kind, s.scope_id LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<StatusRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM control_status s LEFT JOIN controls c ON c.code = s.control_code",
            );
            push_status_filter(&mut count, filter, visible);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every status the reader sees of the filter (an export).
    pub async fn all_control_status(
        &self,
        filter: &StatusFilter,
        visible: &StatusVisibility,
    ) -> Result<Vec<StatusRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(STATUS_SELECT);
            push_status_filter(&mut qb, filter, visible);
            qb.push(" ORDER BY c.chapter, s.control_code, s.scope_kind, s.scope_id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// The controls (not retired) with their status in one scope, one page;
    /// `state` "unset" lists those without a status.
    pub async fn controls_in_scope(
        &self,
        scope: StatusScope,
        state: Option<&str>,
        category: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ScopedControl>, StoreError> {
        fn push_from<DB: sqlx::Database>(
            qb: &mut QueryBuilder<DB>,
            scope: StatusScope,
            state: Option<&str>,
            category: Option<&str>,
        ) where
            i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        {
            qb.push(
                " FROM controls c LEFT JOIN control_status s ON s.control_code = c.code AND s.scope_kind = ",
            )
            .push_bind(scope.kind().to_string())
            .push(" AND s.scope_id = ")
            .push_bind(scope.id())
            .push(" LEFT JOIN users o ON o.id = s.owner_user_id WHERE c.retired_on IS NULL");
            match state {
                Some("unset") => {
                    qb.push(" AND s.id IS NULL");
                }
                Some(st) => {
                    qb.push(" AND s.state = ").push_bind(st.to_string());
                }
                None => {}
            }
            if let Some(cat) = category {
                qb.push(" AND c.category = ").push_bind(cat.to_string());
            }
        }
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT c.code, c.name, c.category, c.chapter, c.builtin, s.id AS status_id, s.state, \
                 s.reason, s.owner_user_id, o.display_name AS owner_name, s.due_on, s.comment, s.revision",
            );
            push_from(&mut qb, scope, state, category);
            qb.push(" ORDER BY c.chapter, c.code LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ScopedControl> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*)");
            push_from(&mut count, scope, state, category);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Records a control's status in a scope. `revision`: the revision the
    /// person read (None: they saw none recorded). A save made on an older
    /// revision, or a first save when another was made meanwhile, is refused
    /// (409) and nothing is written.
    pub async fn set_control_status(
        &self,
        actor: &Actor,
        input: &StatusInput,
        revision: Option<i64>,
    ) -> Result<StatusRow, StoreError> {
        let mut tx = self.db.begin().await?;
        let row = upsert_status(&mut tx, actor, input, Some(revision)).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Records many statuses (an import whose rows were all checked): all or
    /// none, one event per status that changed.
    pub async fn import_control_status(
        &self,
        actor: &Actor,
        rows: &[StatusInput],
    ) -> Result<usize, StoreError> {
        let mut tx = self.db.begin().await?;
        let mut changed = 0;
        for input in rows {
            let before = status_in_tx(&mut tx, &input.control_code, input.scope).await?;
            let same = before.as_ref().is_some_and(|b| {
                b.state == input.state.code()
                    && b.reason == input.reason
                    && b.owner_user_id == input.owner_user_id
                    && b.due_on == input.due_on
                    && b.comment == input.comment
            });
            if !same {
                upsert_status(&mut tx, actor, input, None).await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    // ------------------------------------------------------------ evidence

    /// Attaches evidence to a record (`owner_kind`, `owner_id`); the file's
    /// SHA-256 is computed here and written into the event log.
    pub async fn attach_evidence(
        &self,
        actor: &Actor,
        owner_kind: &str,
        owner_id: i64,
        new: NewEvidence,
        note: &str,
    ) -> Result<EvidenceRow, StoreError> {
        let mut tx = self.db.begin().await?;
        let row = insert_evidence(
            &mut tx,
            actor,
            EvidenceOwner {
                kind: owner_kind,
                id: owner_id,
                item: None,
            },
            new,
            note,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The evidence attached to a record, oldest first.
    pub async fn evidence_of(
        &self,
        owner_kind: &str,
        owner_id: i64,
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {EVIDENCE_FIELDS} FROM evidence e JOIN evidence_links l ON l.evidence_id = e.id \
                 WHERE l.owner_kind = $1 AND l.owner_id = $2 ORDER BY e.id"
            )))
            .bind(owner_kind)
            .bind(owner_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One evidence and the records it is attached to.
    pub async fn evidence(&self, id: i64) -> Result<(EvidenceRow, Vec<(String, i64)>), StoreError> {
        let (row, owners) = db_run!(&self.db, |pool| {
            let row: Option<EvidenceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {EVIDENCE_FIELDS} FROM evidence e WHERE e.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?;
            let owners: Vec<(String, i64)> = sqlx::query_as(
                "SELECT owner_kind, owner_id FROM evidence_links WHERE evidence_id = $1 ORDER BY owner_kind, owner_id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            (row, owners)
        });
        Ok((
            row.ok_or_else(|| StoreError::not_found("evidence", id))?,
            owners,
        ))
    }

    /// The bytes of a file evidence (empty for a link).
    pub async fn evidence_content(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let found: Option<Option<Vec<u8>>> = db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT content FROM evidence WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found
            .ok_or_else(|| StoreError::not_found("evidence", id))?
            .unwrap_or_default())
    }
}

/// The record an evidence is attached to, and the item of it (a checklist
/// item of a questionnaire) where it names one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EvidenceOwner<'a> {
    pub kind: &'a str,
    pub id: i64,
    pub item: Option<i64>,
}

/// Stores an evidence and its link in a transaction, with its event.
pub(crate) async fn insert_evidence(
    tx: &mut crate::Tx,
    actor: &Actor,
    owner: EvidenceOwner<'_>,
    new: NewEvidence,
    note: &str,
) -> Result<EvidenceRow, StoreError> {
    let now = now_rfc3339();
    let (kind, name, media, size, sha, content, url) = match new {
        NewEvidence::File {
            name,
            media_type,
            bytes,
        } => {
            let sha = hex::encode(Sha256::digest(&bytes));
            let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            (
                "file",
                name,
                media_type,
                size,
                sha,
                Some(bytes),
                String::new(),
            )
        }
        NewEvidence::Link { url } => (
            "link",
            String::new(),
            String::new(),
            0,
            String::new(),
            None,
            url,
        ),
    };
    let id: i64 = tx_run!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO evidence (kind, file_name, media_type, size, sha256, content, url, note, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(kind)
        .bind(&name)
        .bind(&media)
        .bind(size)
        .bind(&sha)
        .bind(&content)
        .bind(&url)
        .bind(note)
        .bind(actor.label())
        .bind(&now)
        .fetch_one(&mut *c)
        .await?
    });
    tx_run!(tx, |c| {
        sqlx::query(
            "INSERT INTO evidence_links (evidence_id, owner_kind, owner_id, item_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(owner.kind)
        .bind(owner.id)
        .bind(owner.item)
        .execute(&mut *c)
        .await?;
    });
    let row = EvidenceRow {
        id,
        kind: kind.to_string(),
        file_name: name,
        media_type: media,
        size,
        sha256: sha,
        url,
        note: note.to_string(),
        created_by: actor.label(),
        created_at: now,
    };
    tx.append_event(
        actor,
        Entity::Evidence,
        id,
        Verb::Attach,
        None::<&()>,
        Some(&EvidenceEvent {
            evidence: &row,
            owner_kind: owner.kind,
            owner_id: owner.id,
            item_id: owner.item,
        }),
    )
    .await?;
    Ok(row)
}

async fn control_in_tx(tx: &mut crate::Tx, code: &str) -> Result<ControlRecord, StoreError> {
    let found: Option<ControlRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{CONTROL_SELECT} WHERE code = $1"
        )))
        .bind(code)
        .fetch_optional(&mut *c)
        .await?
    });
    let mut control = found.ok_or_else(|| StoreError::not_found("control", code))?;
    control.threats = tx_run!(tx, |c| {
        sqlx::query_scalar(
            "SELECT t.code FROM control_threats ct JOIN threats t ON t.id = ct.threat_id \
             WHERE ct.control_id = $1 ORDER BY t.code",
        )
        .bind(control.id)
        .fetch_all(&mut *c)
        .await?
    });
    Ok(control)
}

async fn set_threats(
    tx: &mut crate::Tx,
    control_id: i64,
    threats: &[String],
) -> Result<(), StoreError> {
    tx_run!(tx, |c| {
        sqlx::query("DELETE FROM control_threats WHERE control_id = $1")
            .bind(control_id)
            .execute(&mut *c)
            .await?;
        for code in threats {
            sqlx::query(
                "INSERT INTO control_threats (control_id, threat_id) \
                 SELECT $1, id FROM threats WHERE code = $2",
            )
            .bind(control_id)
            .bind(code)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

fn check_city_control(before: &ControlRecord, revision: i64) -> Result<(), StoreError> {
    if before.builtin {
        return Err(Problem::new("MAMORI-CONTROL-BUILTIN")
            .with("code", &before.code)
            .into());
    }
    if before.retired_on.is_some() {
        return Err(Problem::new("MAMORI-CONTROL-RETIRED")
            .with("code", &before.code)
            .into());
    }
    if before.revision != revision {
        return Err(Problem::new("MAMORI-CONTROL-STALE")
            .with("code", &before.code)
            .into());
    }
    Ok(())
}

async fn status_in_tx(
    tx: &mut crate::Tx,
    control_code: &str,
    scope: StatusScope,
) -> Result<Option<StatusRow>, StoreError> {
    Ok(tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{STATUS_SELECT} WHERE s.control_code = $1 AND s.scope_kind = $2 AND s.scope_id = $3"
        )))
        .bind(control_code)
        .bind(scope.kind())
        .bind(scope.id())
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// Inserts or updates one status and logs old → new. `expected`: Some(the
/// revision read, None for none) to refuse a stale save; None (an import) to
/// save whatever is recorded.
async fn upsert_status(
    tx: &mut crate::Tx,
    actor: &Actor,
    input: &StatusInput,
    expected: Option<Option<i64>>,
) -> Result<StatusRow, StoreError> {
    let now = now_rfc3339();
    let before = status_in_tx(tx, &input.control_code, input.scope).await?;
    if let Some(expected) = expected
        && before.as_ref().map(|b| b.revision) != expected
    {
        return Err(Problem::new("MAMORI-CONTROL-STATUS-STALE")
            .with("code", &input.control_code)
            .into());
    }
    match &before {
        Some(b) => {
            let updated = tx_run!(tx, |c| {
                sqlx::query(
                    "UPDATE control_status SET state = $2, reason = $3, owner_user_id = $4, due_on = $5, \
                     comment = $6, revision = revision + 1, updated_by = $7, updated_at = $8 \
                     WHERE id = $1 AND revision = $9",
                )
                .bind(b.id)
                .bind(input.state.code())
                .bind(&input.reason)
                .bind(input.owner_user_id)
                .bind(&input.due_on)
                .bind(&input.comment)
                .bind(actor.label())
                .bind(&now)
                .bind(b.revision)
                .execute(&mut *c)
                .await?
                .rows_affected()
            });
            if updated == 0 {
                return Err(Problem::new("MAMORI-CONTROL-STATUS-STALE")
                    .with("code", &input.control_code)
                    .into());
            }
        }
        None => {
            tx_run!(tx, |c| {
                sqlx::query(
                    "INSERT INTO control_status (control_code, scope_kind, scope_id, state, reason, \
                     owner_user_id, due_on, comment, revision, updated_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10)",
                )
                .bind(&input.control_code)
                .bind(input.scope.kind())
                .bind(input.scope.id())
                .bind(input.state.code())
                .bind(&input.reason)
                .bind(input.owner_user_id)
                .bind(&input.due_on)
                .bind(&input.comment)
                .bind(actor.label())
                .bind(&now)
                .execute(&mut *c)
                .await?;
            });
        }
    }
    let after = status_in_tx(tx, &input.control_code, input.scope)
        .await?
        .ok_or_else(|| StoreError::Internal("a saved control status was not found".into()))?;
    tx.append_event(
        actor,
        Entity::ControlStatus,
        after.id,
        if before.is_some() {
            Verb::Update
        } else {
            Verb::Create
        },
        before.as_ref(),
        Some(&after),
    )
    .await?;
    Ok(after)
}
