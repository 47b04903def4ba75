//! Policy documents as versioned texts (第9, 附則): documents, their versions
//! (draft → review → approved → in force → superseded), each version's
//! provisions in reading order with their stable keys, and review comments.
//! Every write records its event in the same transaction.

use mamori_core::policy_doc::{Body, Flat, Kind, Level, Provision, Readership, State};
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::QueryBuilder;

use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A policy document.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct DocumentRow {
    pub id: i64,
    pub code: String,
    /// basic, standard, procedure
    pub level: String,
    pub title: String,
    /// The unit a procedure belongs to.
    pub unit_id: Option<i64>,
    /// The information system a procedure belongs to.
    pub system_id: Option<i64>,
    /// everyone, staff, unit
    pub readership: String,
    pub needs_acknowledgement: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl DocumentRow {
    pub fn level(&self) -> Level {
        Level::parse(&self.level).unwrap_or(Level::Procedure)
    }

    pub fn readership(&self) -> Readership {
        Readership::parse(&self.readership).unwrap_or(Readership::Unit)
    }
}

/// One version of a document.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct VersionRow {
    pub id: i64,
    pub document_id: i64,
    pub number: i64,
    /// draft, review, approved, in_force, superseded
    pub state: String,
    pub title: String,
    /// The number of the version it was drafted from.
    pub based_on: Option<i64>,
    /// Who made the draft (None: the system).
    pub drafted_by_user: Option<i64>,
    pub drafted_by: String,
    pub effective_on: Option<String>,
    pub approved_by_user: Option<i64>,
    /// The approver's name.
    pub approved_by_name: Option<String>,
    /// The body that decided (情報セキュリティ委員会, …).
    pub approval_body: Option<String>,
    pub decision_number: Option<String>,
    pub approved_on: Option<String>,
    pub approved_at: Option<String>,
    /// Counts the saves of a draft: a save names the revision it read.
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl VersionRow {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Draft)
    }
}

/// A review comment.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct CommentRow {
    pub id: i64,
    pub version_id: i64,
    pub provision_key: Option<String>,
    pub author_user: Option<i64>,
    pub author: String,
    pub body: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub resolved: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A new document.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub code: String,
    pub level: Level,
    pub title: String,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    pub readership: Readership,
    pub needs_acknowledgement: bool,
}

/// What a reader may list: the readerships they read in full, and for
/// documents read by their unit only, the units and systems they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocScope {
    pub readerships: Vec<Readership>,
    pub units: Vec<i64>,
    pub systems: Vec<i64>,
}

/// An approval's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub approver: i64,
    pub body: String,
    pub decision_number: String,
    pub approved_on: time::Date,
    pub effective_on: time::Date,
    /// The 附則 written from these facts, added to the version.
    pub supplementary: Provision,
}

/// A provision as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ProvisionRow {
    pkey: String,
    parent_key: Option<String>,
    ordinal: i64,
    depth: i64,
    kind: String,
    label: String,
    heading: String,
    body: String,
    links: String,
}

impl ProvisionRow {
    fn into_flat(self) -> Flat {
        Flat {
            key: self.pkey,
            parent: self.parent_key,
            position: usize::try_from(self.ordinal).unwrap_or(0),
            depth: usize::try_from(self.depth).unwrap_or(0),
            kind: Kind::parse(&self.kind).unwrap_or(Kind::Article),
            label: self.label,
            heading: self.heading,
            text: self.body,
            links: serde_json::from_str(&self.links).unwrap_or_default(),
        }
    }
}

/// A search hit: the provision and the version it is in.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct SearchHit {
    pub code: String,
    pub document_title: String,
    pub number: i64,
    pub state: String,
    pub pkey: String,
    pub label: String,
    pub heading: String,
    pub body: String,
}

/// A provision of a version in force with what it links to, for the coverage
/// between the levels.
#[derive(Debug, Clone, sqlx::FromRow)]
struct LinkedRow {
    code: String,
    title: String,
    level: String,
    pkey: String,
    parent_key: Option<String>,
    kind: String,
    label: String,
    heading: String,
    links: String,
}

const DOC_COLUMNS: &str = "d.id, d.code, d.level, d.title, d.unit_id, d.system_id, d.readership, \
     d.needs_acknowledgement, d.created_at, d.updated_at";

macro_rules! select_versions {
    ($rest:literal) => {
        concat!(
            "SELECT v.id, v.document_id, v.number, v.state, v.title, v.based_on, v.drafted_by_user, \
             v.drafted_by, v.effective_on, v.approved_by_user, u.display_name AS approved_by_name, \
             v.approval_body, v.decision_number, v.approved_on, v.approved_at, v.revision, \
             v.created_at, v.updated_at \
             FROM pdoc_versions v LEFT JOIN users u ON u.id = v.approved_by_user ",
            $rest
        )
    };
}

const COMMENT_COLUMNS: &str = "SELECT id, version_id, provision_key, author_user, author, body, answer, \
     answered_by, resolved, created_at, updated_at FROM pdoc_comments ";

/// Provisions per multi-row INSERT: 10 parameters a row stay under SQLite's
/// limit of bound parameters.
const PROVISION_BATCH: usize = 2000;

/// A new provision key: 12 hexadecimal digits, random (the stable identity of
/// a provision from version to version).
pub fn new_key() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!("{:012x}", n & 0xffff_ffff_ffff)
}

/// Today in Japan (JST, UTC+9): the day a version's effective date is compared with.
pub fn today_jst() -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(9)).date()
}

fn body_digest(body: &Body) -> String {
    let json = serde_json::to_string(body).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

#[derive(Serialize)]
struct VersionEvent<'a> {
    code: &'a str,
    number: i64,
    state: &'a str,
    title: &'a str,
    provisions: usize,
    sha256: String,
}

impl Store {
    /// Creates a document.
    pub async fn pdoc_create(
        &self,
        actor: &Actor,
        doc: &NewDocument,
    ) -> Result<DocumentRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: Result<i64, sqlx::Error> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO pdoc_documents (code, level, title, unit_id, system_id, readership, \
                 needs_acknowledgement, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&doc.code)
            .bind(doc.level.as_str())
            .bind(&doc.title)
            .bind(doc.unit_id)
            .bind(doc.system_id)
            .bind(doc.readership.as_str())
            .bind(doc.needs_acknowledgement)
            .bind(&now)
            .fetch_one(&mut *c)
            .await
        });
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                let e = StoreError::from(e);
                if let StoreError::Database(sqlx::Error::Database(db)) = &e {
                    if db.is_unique_violation() {
                        return Err(Problem::new("MAMORI-POLICY-CODE-TAKEN")
                            .field("code")
                            .with("code", &doc.code)
                            .into());
                    }
                    if db.is_foreign_key_violation() {
                        return Err(Problem::new("MAMORI-POLICY-NO-OWNER")
                            .field("unit_id")
                            .into());
                    }
                }
                return Err(e);
            }
        };
        let row = DocumentRow {
            id,
            code: doc.code.clone(),
            level: doc.level.as_str().into(),
            title: doc.title.clone(),
            unit_id: doc.unit_id,
            system_id: doc.system_id,
            readership: doc.readership.as_str().into(),
            needs_acknowledgement: doc.needs_acknowledgement,
            created_at: now.clone(),
            updated_at: now,
        };
        tx.append_event(
            actor,
            Entity::PolicyDoc,
            &row.code,
            Verb::Create,
            None::<&()>,
            Some(&row),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The document with this code.
    pub async fn pdoc_by_code(&self, code: &str) -> Result<DocumentRow, StoreError> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM pdoc_documents d WHERE d.code = $1");
        let found: Option<DocumentRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("policy document", code))
    }

    /// The documents a reader's scope admits, by level and code.
    pub async fn pdoc_list(
        &self,
        scope: &DocScope,
        page: PageRequest,
    ) -> Result<Page<DocumentRow>, StoreError> {
        fn push_scope<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, scope: &DocScope)
        where
            i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        {
            qb.push(" WHERE ");
            push_readable(qb, scope);
        }
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(format!("SELECT {DOC_COLUMNS} FROM pdoc_documents d"));
            push_scope(&mut qb, scope);
            qb.push(
                " ORDER BY CASE d.level WHEN 'basic' THEN 0 WHEN 'standard' THEN 1 ELSE 2 END, d.code LIMIT ",
            )
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
            let items: Vec<DocumentRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM pdoc_documents d");
            push_scope(&mut count, scope);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// The versions of a document, newest first (drafts and versions under
    /// review only when `drafts`).
    pub async fn pdoc_versions(
        &self,
        document_id: i64,
        drafts: bool,
        page: PageRequest,
    ) -> Result<Page<VersionRow>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<VersionRow> = sqlx::query_as(select_versions!(
                "WHERE v.document_id = $1 AND ($2 OR v.state NOT IN ('draft', 'review')) \
                 ORDER BY v.number DESC LIMIT $3 OFFSET $4"
            ))
            .bind(document_id)
            .bind(drafts)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pdoc_versions v WHERE v.document_id = $1 \
                 AND ($2 OR v.state NOT IN ('draft', 'review'))",
            )
            .bind(document_id)
            .bind(drafts)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// One version of a document.
    pub async fn pdoc_version(
        &self,
        document_id: i64,
        number: i64,
    ) -> Result<VersionRow, StoreError> {
        let found: Option<VersionRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_versions!(
                "WHERE v.document_id = $1 AND v.number = $2"
            ))
            .bind(document_id)
            .bind(number)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("policy document version", number))
    }

    /// The version in force of a document, if any.
    pub async fn pdoc_in_force(&self, document_id: i64) -> Result<Option<VersionRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(select_versions!(
                "WHERE v.document_id = $1 AND v.state = 'in_force' ORDER BY v.number DESC LIMIT 1"
            ))
            .bind(document_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The latest version of a document (any state), if any.
    pub async fn pdoc_latest(&self, document_id: i64) -> Result<Option<VersionRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(select_versions!(
                "WHERE v.document_id = $1 ORDER BY v.number DESC LIMIT 1"
            ))
            .bind(document_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// A version's text.
    pub async fn pdoc_body(&self, version: &VersionRow) -> Result<Body, StoreError> {
        let rows: Vec<ProvisionRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT pkey, parent_key, ordinal, depth, kind, label, heading, body, links \
                 FROM pdoc_provisions WHERE version_id = $1 ORDER BY ordinal",
            )
            .bind(version.id)
            .fetch_all(pool)
            .await?
        });
        Ok(Body::from_flat(
            version.title.clone(),
            rows.into_iter().map(ProvisionRow::into_flat).collect(),
        ))
    }

    /// Adds a version as a draft (its provisions already keyed).
    pub async fn pdoc_add_version(
        &self,
        actor: &Actor,
        drafter: Option<i64>,
        doc: &DocumentRow,
        based_on: Option<i64>,
        body: &Body,
    ) -> Result<VersionRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let number: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM pdoc_versions WHERE document_id = $1",
            )
            .bind(doc.id)
            .fetch_one(&mut *c)
            .await?
        });
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO pdoc_versions (document_id, number, state, title, based_on, \
                 drafted_by_user, drafted_by, revision, created_at, updated_at) \
                 VALUES ($1, $2, 'draft', $3, $4, $5, $6, 1, $7, $7) RETURNING id",
            )
            .bind(doc.id)
            .bind(number)
            .bind(&body.title)
            .bind(based_on)
            .bind(drafter)
            .bind(actor.label())
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let flat = body.flatten();
        insert_provisions(&mut tx, id, 0, &flat).await?;
        tx.append_event(
            actor,
            Entity::PolicyDocVersion,
            format!("{}/{number}", doc.code),
            Verb::Create,
            None::<&()>,
            Some(&VersionEvent {
                code: &doc.code,
                number,
                state: State::Draft.as_str(),
                title: &body.title,
                provisions: flat.len(),
                sha256: body_digest(body),
            }),
        )
        .await?;
        tx.commit().await?;
        self.pdoc_version(doc.id, number).await
    }

    /// Changes a provision of a draft: refused when the draft has been saved
    /// since `revision` was read, or is no longer a draft.
    #[allow(clippy::too_many_arguments)]
    pub async fn pdoc_edit_provision(
        &self,
        actor: &Actor,
        doc: &DocumentRow,
        version: &VersionRow,
        revision: i64,
        key: &str,
        heading: &str,
        text: &str,
        links: &[String],
    ) -> Result<VersionRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let bumped = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE pdoc_versions SET revision = revision + 1, updated_at = $3 \
                 WHERE id = $1 AND revision = $2 AND state = 'draft'",
            )
            .bind(version.id)
            .bind(revision)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if bumped == 0 {
            return Err(stale_or_closed(self, doc, version).await);
        }
        let before: Option<ProvisionRow> = tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT pkey, parent_key, ordinal, depth, kind, label, heading, body, links \
                 FROM pdoc_provisions WHERE version_id = $1 AND pkey = $2",
            )
            .bind(version.id)
            .bind(key)
            .fetch_optional(&mut *c)
            .await?
        });
        let Some(before) = before else {
            return Err(StoreError::not_found("provision", key));
        };
        let links_json = serde_json::to_string(links).unwrap_or_else(|_| "[]".into());
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE pdoc_provisions SET heading = $3, body = $4, links = $5 \
                 WHERE version_id = $1 AND pkey = $2",
            )
            .bind(version.id)
            .bind(key)
            .bind(heading)
            .bind(text)
            .bind(&links_json)
            .execute(&mut *c)
            .await?;
        });
        let before = before.into_flat();
        let mut after = before.clone();
        after.heading = heading.to_string();
        after.text = text.to_string();
        after.links = links.to_vec();
        tx.append_event(
            actor,
            Entity::PolicyDocProvision,
            format!("{}/{}/{key}", doc.code, version.number),
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.pdoc_version(doc.id, version.number).await
    }

    /// Moves a version from one state to the next (submit for review, back to
    /// draft): refused when it is no longer in `from`.
    pub async fn pdoc_set_state(
        &self,
        actor: &Actor,
        doc: &DocumentRow,
        version: &VersionRow,
        from: State,
        to: State,
        verb: Verb,
    ) -> Result<VersionRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let changed = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE pdoc_versions SET state = $3, revision = revision + 1, updated_at = $4 \
                 WHERE id = $1 AND state = $2",
            )
            .bind(version.id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(state_problem(version).into());
        }
        tx.append_event(
            actor,
            Entity::PolicyDocVersion,
            format!("{}/{}", doc.code, version.number),
            verb,
            Some(&serde_json::json!({ "state": from.as_str() })),
            Some(&serde_json::json!({ "state": to.as_str() })),
        )
        .await?;
        tx.commit().await?;
        self.pdoc_version(doc.id, version.number).await
    }

    /// Records the approval of a version under review, with its 附則.
    pub async fn pdoc_approve(
        &self,
        actor: &Actor,
        doc: &DocumentRow,
        version: &VersionRow,
        approval: &Approval,
    ) -> Result<VersionRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let changed = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE pdoc_versions SET state = 'approved', approved_by_user = $2, \
                 approval_body = $3, decision_number = $4, approved_on = $5, effective_on = $6, \
                 approved_at = $7, revision = revision + 1, updated_at = $7 \
                 WHERE id = $1 AND state = 'review'",
            )
            .bind(version.id)
            .bind(approval.approver)
            .bind(&approval.body)
            .bind(&approval.decision_number)
            .bind(approval.approved_on.to_string())
            .bind(approval.effective_on.to_string())
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(state_problem(version).into());
        }
        let next: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(ordinal), -1) + 1 FROM pdoc_provisions WHERE version_id = $1",
            )
            .bind(version.id)
            .fetch_one(&mut *c)
            .await?
        });
        let s = &approval.supplementary;
        let flat = Flat {
            key: s.key.clone(),
            parent: None,
            position: usize::try_from(next).unwrap_or(0),
            depth: 0,
            kind: Kind::Supplementary,
            label: s.label.clone(),
            heading: s.heading.clone(),
            text: s.text.clone(),
            links: Vec::new(),
        };
        insert_provisions(&mut tx, version.id, next, std::slice::from_ref(&flat)).await?;
        #[derive(Serialize)]
        struct Approved<'a> {
            state: &'a str,
            approved_by_user: i64,
            approval_body: &'a str,
            decision_number: &'a str,
            approved_on: String,
            effective_on: String,
            supplementary: &'a str,
        }
        tx.append_event(
            actor,
            Entity::PolicyDocVersion,
            format!("{}/{}", doc.code, version.number),
            Verb::Approve,
            Some(&serde_json::json!({ "state": version.state })),
            Some(&Approved {
                state: State::Approved.as_str(),
                approved_by_user: approval.approver,
                approval_body: &approval.body,
                decision_number: &approval.decision_number,
                approved_on: approval.approved_on.to_string(),
                effective_on: approval.effective_on.to_string(),
                supplementary: &s.text,
            }),
        )
        .await?;
        tx.commit().await?;
        self.pdoc_version(doc.id, version.number).await
    }

    /// Brings into force the approved versions whose effective date has come
    /// (on or before `today`): the latest of them is in force, and every
    /// version in force before it is superseded. Returns the version that came
    /// into force, if one did.
    pub async fn pdoc_bring_into_force(
        &self,
        actor: &Actor,
        doc: &DocumentRow,
        today: time::Date,
    ) -> Result<Option<VersionRow>, StoreError> {
        let today = today.to_string();
        let due: Vec<(i64, i64)> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, number FROM pdoc_versions WHERE document_id = $1 AND state = 'approved' \
                 AND effective_on <= $2 ORDER BY effective_on DESC, number DESC",
            )
            .bind(doc.id)
            .bind(&today)
            .fetch_all(pool)
            .await?
        });
        let Some(&(id, number)) = due.first() else {
            return Ok(None);
        };
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let superseded: Vec<i64> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "UPDATE pdoc_versions SET state = 'superseded', updated_at = $3 \
                 WHERE document_id = $1 AND id <> $2 \
                 AND (state = 'in_force' OR (state = 'approved' AND effective_on <= $4)) \
                 RETURNING number",
            )
            .bind(doc.id)
            .bind(id)
            .bind(&now)
            .bind(&today)
            .fetch_all(&mut *c)
            .await?
        });
        let changed = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE pdoc_versions SET state = 'in_force', updated_at = $2 \
                 WHERE id = $1 AND state = 'approved'",
            )
            .bind(id)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            // Another reader brought it into force first.
            return Ok(None);
        }
        for n in superseded {
            tx.append_event(
                actor,
                Entity::PolicyDocVersion,
                format!("{}/{n}", doc.code),
                Verb::Supersede,
                None::<&()>,
                Some(&serde_json::json!({ "state": "superseded", "by": number })),
            )
            .await?;
        }
        tx.append_event(
            actor,
            Entity::PolicyDocVersion,
            format!("{}/{number}", doc.code),
            Verb::ComeIntoForce,
            Some(&serde_json::json!({ "state": "approved" })),
            Some(&serde_json::json!({ "state": "in_force", "on": today })),
        )
        .await?;
        if doc.needs_acknowledgement {
            open_acknowledgement(&mut tx, actor, doc, id, number, &today).await?;
        }
        tx.commit().await?;
        Ok(Some(self.pdoc_version(doc.id, number).await?))
    }

    /// Adds a review comment.
    pub async fn pdoc_add_comment(
        &self,
        actor: &Actor,
        author: Option<i64>,
        doc: &DocumentRow,
        version: &VersionRow,
        provision_key: Option<&str>,
        body: &str,
    ) -> Result<CommentRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO pdoc_comments (version_id, provision_key, author_user, author, body, \
                 resolved, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6) \
                 RETURNING id",
            )
            .bind(version.id)
            .bind(provision_key)
            .bind(author)
            .bind(actor.label())
            .bind(body)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let row = CommentRow {
            id,
            version_id: version.id,
            provision_key: provision_key.map(str::to_string),
            author_user: author,
            author: actor.label(),
            body: body.to_string(),
            answer: None,
            answered_by: None,
            resolved: false,
            created_at: now.clone(),
            updated_at: now,
        };
        tx.append_event(
            actor,
            Entity::PolicyDocComment,
            format!("{}/{}#{id}", doc.code, version.number),
            Verb::Create,
            None::<&()>,
            Some(&row),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// One comment of a version.
    pub async fn pdoc_comment(&self, version_id: i64, id: i64) -> Result<CommentRow, StoreError> {
        let sql = format!("{COMMENT_COLUMNS} WHERE version_id = $1 AND id = $2");
        let found: Option<CommentRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(version_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("comment", id))
    }

    /// Answers a comment and/or marks it resolved.
    pub async fn pdoc_answer_comment(
        &self,
        actor: &Actor,
        doc: &DocumentRow,
        version: &VersionRow,
        comment: &CommentRow,
        answer: Option<&str>,
        resolve: bool,
    ) -> Result<CommentRow, StoreError> {
        let now = now_rfc3339();
        let mut after = comment.clone();
        if let Some(a) = answer {
            after.answer = Some(a.to_string());
            after.answered_by = Some(actor.label());
        }
        after.resolved = comment.resolved || resolve;
        after.updated_at = now.clone();
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE pdoc_comments SET answer = $2, answered_by = $3, resolved = $4, updated_at = $5 \
                 WHERE id = $1",
            )
            .bind(comment.id)
            .bind(&after.answer)
            .bind(&after.answered_by)
            .bind(after.resolved)
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
        let verb = if resolve { Verb::Resolve } else { Verb::Answer };
        tx.append_event(
            actor,
            Entity::PolicyDocComment,
            format!("{}/{}#{}", doc.code, version.number, comment.id),
            verb,
            Some(comment),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The comments of a version, oldest first.
    pub async fn pdoc_comments(&self, version_id: i64) -> Result<Vec<CommentRow>, StoreError> {
        let sql = format!("{COMMENT_COLUMNS} WHERE version_id = $1 ORDER BY id");
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(version_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Provisions whose heading or text contains `needle` (a substring, so
    /// that kanji are found without word splitting), in the versions in force of
    /// the documents the scope admits.
    pub async fn pdoc_search(
        &self,
        scope: &DocScope,
        needle: &str,
        page: PageRequest,
    ) -> Result<Page<SearchHit>, StoreError> {
        let pattern = format!(
            "%{}%",
            needle
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        fn push_where<DB: sqlx::Database>(
            qb: &mut QueryBuilder<DB>,
            scope: &DocScope,
            pattern: &str,
        ) where
            i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        {
            qb.push(
                " FROM pdoc_provisions p JOIN pdoc_versions v ON v.id = p.version_id \
                 JOIN pdoc_documents d ON d.id = v.document_id \
                 WHERE v.state = 'in_force' AND (p.body LIKE ",
            )
            .push_bind(pattern.to_string())
            .push(" ESCAPE '\\' OR p.heading LIKE ")
            .push_bind(pattern.to_string())
            .push(" ESCAPE '\\') AND ");
            push_readable(qb, scope);
        }
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT d.code, d.title AS document_title, v.number, v.state, p.pkey, p.label, p.heading, p.body",
            );
            push_where(&mut qb, scope, &pattern);
            qb.push(" ORDER BY d.code, p.ordinal LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<SearchHit> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*)");
            push_where(&mut count, scope, &pattern);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }
}

impl Store {
    /// Every provision of the versions in force of the documents the scope
    /// admits, with its links (for the coverage page).
    pub async fn pdoc_linked_provisions(
        &self,
        scope: &DocScope,
    ) -> Result<Vec<mamori_core::policy_doc::coverage::LinkedProvision>, StoreError> {
        let rows: Vec<LinkedRow> = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT d.code, d.title, d.level, p.pkey, p.parent_key, p.kind, p.label, p.heading, p.links \
                 FROM pdoc_provisions p JOIN pdoc_versions v ON v.id = p.version_id \
                 JOIN pdoc_documents d ON d.id = v.document_id \
                 WHERE v.state = 'in_force' AND ",
            );
            push_readable(&mut qb, scope);
            qb.push(" ORDER BY d.code, p.ordinal");
            qb.build_query_as().fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(mamori_core::policy_doc::coverage::LinkedProvision {
                    level: Level::parse(&r.level)?,
                    kind: Kind::parse(&r.kind)?,
                    links: serde_json::from_str(&r.links).unwrap_or_default(),
                    code: r.code,
                    title: r.title,
                    key: r.pkey,
                    parent: r.parent_key,
                    label: r.label,
                    heading: r.heading,
                })
            })
            .collect())
    }

    /// The code of every control in use (built in and the city's, not retired), in order.
    pub async fn control_codes(&self) -> Result<Vec<String>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT code FROM controls WHERE retired_on IS NULL ORDER BY code")
                .fetch_all(pool)
                .await?
        }))
    }
}

/// How long staff have to confirm a version that came into force.
pub const ACKNOWLEDGE_WITHIN_DAYS: i64 = 30;

/// Opens the acknowledgement campaign of a version that came into force: one
/// request for every active user, due [`ACKNOWLEDGE_WITHIN_DAYS`] later.
async fn open_acknowledgement(
    tx: &mut crate::Tx,
    actor: &Actor,
    doc: &DocumentRow,
    version_id: i64,
    number: i64,
    today: &str,
) -> Result<(), StoreError> {
    let due = time::Date::parse(today, &time::format_description::well_known::Iso8601::DATE)
        .ok()
        .map(|d| (d + time::Duration::days(ACKNOWLEDGE_WITHIN_DAYS)).to_string());
    let title = format!("{} 第{number}版の確認", doc.title);
    let id: i64 = tx_run!(&mut *tx, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ack_campaigns (pdoc_version_id, title, due_on, opened_by, opened_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(version_id)
        .bind(&title)
        .bind(due.as_deref())
        .bind(actor.label())
        .bind(now_rfc3339())
        .fetch_one(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO ack_requests (campaign_id, user_id, unit_id) \
             SELECT $1, id, unit_id FROM users WHERE active = TRUE",
        )
        .bind(id)
        .execute(&mut *c)
        .await?;
        id
    });
    tx.append_event(
        actor,
        Entity::AckCampaign,
        id,
        Verb::Create,
        None::<&()>,
        Some(&serde_json::json!({
            "title": title,
            "document": doc.code,
            "version": number,
            "due_on": due,
        })),
    )
    .await?;
    Ok(())
}

/// Why a save to a draft was refused: it moved on (stale) or it is no longer
/// a draft.
async fn stale_or_closed(store: &Store, doc: &DocumentRow, version: &VersionRow) -> StoreError {
    match store.pdoc_version(doc.id, version.number).await {
        Ok(now) if now.state() == State::Draft => Problem::new("MAMORI-POLICY-STALE")
            .with("number", version.number)
            .into(),
        Ok(now) => state_problem(&now).into(),
        Err(e) => e,
    }
}

fn state_problem(version: &VersionRow) -> Problem {
    let state = version.state();
    Problem::new("MAMORI-POLICY-STATE")
        .with("number", version.number)
        .with("state", state.name_ja())
        .with("state_en", state.name_en())
}

async fn insert_provisions(
    tx: &mut crate::Tx,
    version_id: i64,
    first_ordinal: i64,
    flat: &[Flat],
) -> Result<(), StoreError> {
    let rows: Vec<(i64, &Flat, String)> = flat
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                first_ordinal + i64::try_from(i).unwrap_or(0),
                f,
                serde_json::to_string(&f.links).unwrap_or_else(|_| "[]".into()),
            )
        })
        .collect();
    for chunk in rows.chunks(PROVISION_BATCH) {
        tx_run!(&mut *tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO pdoc_provisions (version_id, pkey, parent_key, ordinal, depth, kind, \
                 label, heading, body, links) ",
            );
            qb.push_values(chunk.iter(), |mut b, (ordinal, f, links)| {
                b.push_bind(version_id)
                    .push_bind(f.key.as_str())
                    .push_bind(f.parent.as_deref())
                    .push_bind(*ordinal)
                    .push_bind(i64::try_from(f.depth).unwrap_or(0))
                    .push_bind(f.kind.as_str())
                    .push_bind(f.label.as_str())
                    .push_bind(f.heading.as_str())
                    .push_bind(f.text.as_str())
                    .push_bind(links.as_str());
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// The documents a reader's scope admits, as a parenthesised condition on
/// `pdoc_documents d`: the readerships open to the reader, and the documents
/// of the reader's units and information systems. One place for the list
/// and the search alike.
fn push_readable<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, scope: &DocScope)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push("(1 = 0");
    for r in &scope.readerships {
        qb.push(" OR d.readership = ")
            .push_bind(r.as_str().to_string());
    }
    if !scope.units.is_empty() {
        qb.push(" OR (d.readership = 'unit' AND d.unit_id IN (");
        let mut sep = qb.separated(", ");
        for u in &scope.units {
            sep.push_bind(*u);
        }
        qb.push("))");
    }
    if !scope.systems.is_empty() {
        qb.push(" OR (d.readership = 'unit' AND d.system_id IN (");
        let mut sep = qb.separated(", ");
        for s in &scope.systems {
            sep.push_bind(*s);
        }
        qb.push("))");
    }
    qb.push(")");
}
