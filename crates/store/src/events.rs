//! The append-only event log: every change to any record, chained by SHA-256.
//!
//! Each event's hash covers the previous event's hash and all of its own fields, so
//! changing, removing or reordering any stored event breaks the chain from there on.
//! The head row (`event_head`) holds the last sequence number and hash; taking it in
//! the writing transaction serialises appends on both backends.

use crate::assets::{AssetScope, ENTITY as ASSET_ENTITY, push_scope};
use crate::db::Tx;
use crate::{Actor, Db, Page, PageRequest, Store, StoreError, now_rfc3339, tx_run};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Database, Encode, QueryBuilder, Type};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The canonical byte string that an event's hash covers.
#[allow(clippy::too_many_arguments)]
fn canonical(
    seq: i64,
    at: &str,
    actor: &str,
    entity: &str,
    entity_id: &str,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    // JSON of an array gives an unambiguous encoding of the fields. A tuple
    // serialises to the same compact array as `json!([…])` did, without
    // copying the fields into a `Value` first.
    let fields = (
        seq, at, actor, entity, entity_id, action, before, after, prev_hash,
    );
    serde_json::to_string(&fields).unwrap_or_default()
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl Event {
    /// The hash this event should carry given its fields.
    pub fn computed_hash(&self) -> String {
        digest(&canonical(
            self.seq,
            &self.at,
            &self.actor,
            &self.entity,
            &self.entity_id,
            &self.action,
            self.before_json.as_deref(),
            self.after_json.as_deref(),
            &self.prev_hash,
        ))
    }
}

impl Tx {
    /// Appends one event in this transaction. `before` and `after` are the record's
    /// states (None where the record did not or no longer exists).
    pub async fn append_event<B: Serialize, A: Serialize>(
        &mut self,
        actor: &Actor,
        entity: Entity,
        entity_id: impl ToString,
        action: Verb,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<i64, StoreError> {
        let (entity, action) = (entity.as_str(), action.as_str());
        let before = before
            .map(serde_json::to_string)
            .transpose()
            .map_err(json_err)?;
        let after = after
            .map(serde_json::to_string)
            .transpose()
            .map_err(json_err)?;
        let entity_id = entity_id.to_string();
        let at = now_rfc3339();
        let actor_name = actor.label();
        // Taking the head row with an UPDATE locks it (row lock on PostgreSQL, the
        // write lock on SQLite) until the transaction ends.
        let (prev_seq, prev_hash): (i64, String) = tx_run!(self, |c| {
            sqlx::query_as("UPDATE event_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(c)
                .await?
        });
        let seq = prev_seq + 1;
        let hash = digest(&canonical(
            seq,
            &at,
            &actor_name,
            entity,
            &entity_id,
            action,
            before.as_deref(),
            after.as_deref(),
            &prev_hash,
        ));
        tx_run!(self, |c| {
            sqlx::query(
                "INSERT INTO events (seq, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(seq)
            .bind(&at)
            .bind(&actor_name)
            .bind(entity)
            .bind(&entity_id)
            .bind(action)
            .bind(&before)
            .bind(&after)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *c)
            .await?;
            sqlx::query("UPDATE event_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(&hash)
                .execute(&mut *c)
                .await?;
        });
        Ok(seq)
    }
}

/// Declares an enum whose variants are written into the log as fixed names: the
/// names are part of each event's hash, so a variant's name never changes.
macro_rules! log_names {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name written into the log.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The value a logged name stands for.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

log_names! {
    /// What kind of record an event is about.
    Entity {
        AckCampaign => "ack_campaign",
        AckRequest => "ack_request",
        ApiToken => "api_token",
        Asset => "asset",
        AssetFlags => "asset_flags",
        AssetImport => "asset_import",
        ClassificationScheme => "classification_scheme",
        Control => "control",
        ControlCategory => "control_category",
        Export => "export",
        InformationSystem => "information_system",
        NetcheckRun => "netcheck_run",
        OrgImport => "org_import",
        PolicyArticle => "policy_article",
        PolicyDocument => "policy_document",
        RoleAssignment => "role_assignment",
        Segment => "segment",
        Setting => "setting",
        SignIn => "sign_in",
        StandardChapter => "standard_chapter",
        Threat => "threat",
        ThreatCategory => "threat_category",
        TrainingAssignment => "training_assignment",
        TrainingCompletion => "training_completion",
        TrainingCourse => "training_course",
        Unit => "unit",
        User => "user",
        // Policy documents as versioned texts (issue 12).
        PolicyDoc => "policy_doc",
        PolicyDocVersion => "policy_doc_version",
        PolicyDocProvision => "policy_doc_provision",
        PolicyDocComment => "policy_doc_comment",
        // Control status and evidence (issue 13, part 1).
        ControlStatus => "control_status",
        Evidence => "evidence",
        // Risk analysis and treatment (issue 13, part 2).
        RiskRegister => "risk_register",
        ThreatDecision => "threat_decision",
        RiskTreatment => "risk_treatment",
        RiskMatrix => "risk_matrix",
        // Audits and self-inspections (issue 14).
        Checklist => "checklist",
        Inspection => "inspection",
        InspectionTarget => "inspection_target",
        // --- operations (issue 15) ---
        Incident => "incident",
        IncidentReport => "incident_report",
        Exception => "exception",
        // --- people first (issue 17) ---
        ClassificationRequest => "classification_request",
        Mail => "mail",
        // --- audit2 ---
        Finding => "finding",
        FindingWaiver => "finding_waiver",
        AuditProgramme => "audit_programme",
        Audit => "audit",
        AuditResult => "audit_result",
        // --- ops2 ---
        Permission => "permission",
        Violation => "violation",
        Contractor => "contractor",
        Contract => "contract",
        ContractorStaff => "contractor_staff",
        ContractorAssessment => "contractor_assessment",
        ExternalService => "external_service",
        EmergencyPlan => "emergency_plan",
        EmergencyDrill => "emergency_drill",
    }
}

log_names! {
    /// What happened to the record.
    Verb {
        Abolish => "abolish",
        ChangeDue => "change_due",
        Confirm => "confirm",
        Create => "create",
        Delete => "delete",
        Dispose => "dispose",
        Export => "export",
        Failure => "failure",
        Import => "import",
        Issue => "issue",
        Merge => "merge",
        Password => "password",
        Reclassify => "reclassify",
        Recompute => "recompute",
        Set => "set",
        SignOut => "sign_out",
        Success => "success",
        Throttled => "throttled",
        Update => "update",
        // Policy documents (issue 12).
        Submit => "submit",
        Approve => "approve",
        ComeIntoForce => "come_into_force",
        Supersede => "supersede",
        Answer => "answer",
        Resolve => "resolve",
        // Information systems and the city's controls (issue 13, part 1).
        Retire => "retire",
        Attach => "attach",
        // Risk treatment (issue 13, part 2).
        Request => "request",
        Revoke => "revoke",
        // Audits and self-inspections (issue 14).
        Remind => "remind",
        Return => "return",
        // --- operations (issue 15) ---
        Escalate => "escalate",
        Record => "record",
        Close => "close",
        Refuse => "refuse",
        Withdraw => "withdraw",
        Renew => "renew",
        // --- audit2 ---
        Plan => "plan",
        Complete => "complete",
        Verify => "verify",
        Waive => "waive",
        // --- ops2 ---
        RecordReturn => "record_return",
    }
}

/// One event to append with [`Tx::append_events`]: the record's states already
/// encoded as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct EventInput {
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

impl EventInput {
    /// An event whose before and after states are encoded here.
    pub fn new<B: Serialize, A: Serialize>(
        entity: Entity,
        entity_id: impl ToString,
        action: Verb,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<EventInput, StoreError> {
        Ok(EventInput {
            entity: entity.as_str().to_string(),
            entity_id: entity_id.to_string(),
            action: action.as_str().to_string(),
            before_json: before
                .map(serde_json::to_string)
                .transpose()
                .map_err(json_err)?,
            after_json: after
                .map(serde_json::to_string)
                .transpose()
                .map_err(json_err)?,
        })
    }
}

/// Rows per multi-row INSERT of events: 10 parameters a row keeps a statement
/// under SQLite's limit of 32766 bound parameters (PostgreSQL sends arrays).
const EVENT_BATCH: usize = 3000;

impl Tx {
    /// Takes the head of the log for this transaction (the same lock
    /// [`Tx::append_event`] takes), so that whatever the transaction does next is
    /// serialised with every other writer of the log. Returns the head's sequence
    /// number and hash.
    pub async fn lock_event_head(&mut self) -> Result<(i64, String), StoreError> {
        Ok(tx_run!(self, |c| {
            sqlx::query_as("UPDATE event_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(c)
                .await?
        }))
    }

    /// Appends many events in this transaction: the head is read once, the chain is
    /// computed in memory and the events are written in multi-row batches. The hashes
    /// are exactly those that one [`Tx::append_event`] per event would give. Returns
    /// the sequence number of the last event (the head's when `events` is empty).
    pub async fn append_events(
        &mut self,
        actor: &Actor,
        events: &[EventInput],
    ) -> Result<i64, StoreError> {
        let (mut seq, mut prev_hash) = self.lock_event_head().await?;
        if events.is_empty() {
            return Ok(seq);
        }
        let at = now_rfc3339();
        let actor_name = actor.label();
        for chunk in events.chunks(EVENT_BATCH) {
            let mut rows: Vec<(i64, &EventInput, String, String)> = Vec::with_capacity(chunk.len());
            for event in chunk {
                seq += 1;
                let hash = digest(&canonical(
                    seq,
                    &at,
                    &actor_name,
                    &event.entity,
                    &event.entity_id,
                    &event.action,
                    event.before_json.as_deref(),
                    event.after_json.as_deref(),
                    &prev_hash,
                ));
                let prev = std::mem::replace(&mut prev_hash, hash.clone());
                rows.push((seq, event, prev, hash));
            }
            if let Tx::Pg(t) = self {
                insert_events_unnest(t, &rows, &at, &actor_name).await?;
                continue;
            }
            tx_run!(self, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO events (seq, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash) ",
                );
                qb.push_values(rows.iter(), |mut b, (seq, event, prev, hash)| {
                    b.push_bind(*seq)
                        .push_bind(at.as_str())
                        .push_bind(actor_name.as_str())
                        .push_bind(event.entity.as_str())
                        .push_bind(event.entity_id.as_str())
                        .push_bind(event.action.as_str())
                        .push_bind(event.before_json.as_deref())
                        .push_bind(event.after_json.as_deref())
                        .push_bind(prev.as_str())
                        .push_bind(hash.as_str());
                });
                qb.build().execute(&mut *c).await?;
            });
        }
        tx_run!(self, |c| {
            sqlx::query("UPDATE event_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(&prev_hash)
                .execute(&mut *c)
                .await?;
        });
        Ok(seq)
    }
}

/// Writes a batch of events on PostgreSQL as one array a column
/// (`INSERT … SELECT FROM UNNEST(…)`): one statement, parsed once, whatever
/// the batch's size.
async fn insert_events_unnest(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    rows: &[(i64, &EventInput, String, String)],
    at: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let entities: Vec<&str> = rows.iter().map(|r| r.1.entity.as_str()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.1.entity_id.as_str()).collect();
    let actions: Vec<&str> = rows.iter().map(|r| r.1.action.as_str()).collect();
    let befores: Vec<Option<&str>> = rows.iter().map(|r| r.1.before_json.as_deref()).collect();
    let afters: Vec<Option<&str>> = rows.iter().map(|r| r.1.after_json.as_deref()).collect();
    let prevs: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
    sqlx::query(
        "INSERT INTO events (seq, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash) \
         SELECT u.seq, $9, $10, u.entity, u.entity_id, u.action, u.before_json, u.after_json, u.prev_hash, u.hash \
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) \
         AS u (seq, entity, entity_id, action, before_json, after_json, prev_hash, hash)",
    )
    .bind(&seqs)
    .bind(&entities)
    .bind(&ids)
    .bind(&actions)
    .bind(&befores)
    .bind(&afters)
    .bind(&prevs)
    .bind(&hashes)
    .bind(at)
    .bind(actor)
    .execute(&mut **t)
    .await?;
    Ok(())
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Internal(format!("cannot encode an event: {e}"))
}

/// The outcome of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChainVerdict {
    /// Every event matches; the count of events checked.
    Intact { events: i64 },
    /// The first entry that does not match, and why.
    Broken { seq: i64, reason: String },
}

const VERIFY_BATCH: i64 = 2000;

/// Recomputes the whole chain, in batches, and names the first event that does not match.
pub async fn verify_chain(db: &Db) -> Result<ChainVerdict, StoreError> {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1_i64;
    loop {
        let batch: Vec<Event> = crate::db_run!(db, |pool| {
            sqlx::query_as(
                "SELECT seq, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash \
                 FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(expected_seq)
            .bind(VERIFY_BATCH)
            .fetch_all(pool)
            .await?
        });
        let done = (batch.len() as i64) < VERIFY_BATCH;
        for event in batch {
            if event.seq != expected_seq {
                return Ok(ChainVerdict::Broken {
                    seq: expected_seq,
                    reason: format!(
                        "event #{expected_seq} is missing (the next stored event is #{})",
                        event.seq
                    ),
                });
            }
            if event.prev_hash != expected_prev {
                return Ok(ChainVerdict::Broken {
                    seq: event.seq,
                    reason: format!(
                        "event #{} ({} {} {}) does not follow event #{}: its previous-hash field was changed or events were reordered",
                        event.seq,
                        event.entity,
                        event.entity_id,
                        event.action,
                        event.seq - 1
                    ),
                });
            }
            if event.computed_hash() != event.hash {
                return Ok(ChainVerdict::Broken {
                    seq: event.seq,
                    reason: format!(
                        "event #{} ({} {} {} at {}) was changed: its content does not match its hash",
                        event.seq, event.entity, event.entity_id, event.action, event.at
                    ),
                });
            }
            expected_prev = event.hash;
            expected_seq += 1;
        }
        if done {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) = crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT seq, hash FROM event_head WHERE id = 1")
            .fetch_one(pool)
            .await?
    });
    let count = expected_seq - 1;
    if head_seq != count || head_hash != expected_prev {
        return Ok(ChainVerdict::Broken {
            seq: count + 1,
            reason: format!(
                "the log ends at event #{count} but its head records event #{head_seq}: events after #{count} were removed or the head was changed"
            ),
        });
    }
    Ok(ChainVerdict::Intact { events: count })
}

/// The event-log entity of exports: a copy of part of the registers taken
/// out of Mamori.
pub const EXPORT_ENTITY: Entity = Entity::Export;

impl Store {
    /// Records an export in the log: `what` was exported (`assets`,
    /// `training_status`, `ack_status`), and `details` says how (format,
    /// filters, rows written). Written after the export succeeded.
    pub(crate) async fn record_export(
        &self,
        actor: &Actor,
        what: &str,
        details: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let seq = tx
            .append_event(
                actor,
                EXPORT_ENTITY,
                what,
                Verb::Export,
                None::<&()>,
                Some(details),
            )
            .await?;
        tx.commit().await?;
        Ok(seq)
    }
}

/// The head of the chain as stored: the number of the last event and its hash
/// (0 and the genesis hash for an empty log).
pub async fn chain_head(db: &Db) -> Result<(i64, String), StoreError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT seq, hash FROM event_head WHERE id = 1")
            .fetch_one(pool)
            .await?
    }))
}

/// The bounds of Japanese days as the log's moments are stored (UTC, and with
/// a fraction so that an entry logged at the bound's very second sorts
/// after it): `from` is the start of its day in Japan, `to` the end of its.
pub fn jst_day_bounds(
    from: Option<time::Date>,
    to: Option<time::Date>,
) -> (Option<String>, Option<String>) {
    let start = |d: time::Date| {
        let t = d
            .midnight()
            .assume_offset(mamori_core::wareki::JST)
            .to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:00:00.000000Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour()
        )
    };
    (from.map(start), to.and_then(|d| d.next_day()).map(start))
}

/// Filters for the event list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Only what these users did (by their ids); `Some(empty)` matches nothing.
    pub actors: Option<Vec<i64>>,
    /// Only entries at or after this moment (RFC 3339, UTC).
    pub from: Option<String>,
    /// Only entries before this moment (RFC 3339, UTC).
    pub until: Option<String>,
    // --- h17ui ---
    /// Oldest first (the log's order, by its sequence) instead of newest first.
    pub oldest_first: bool,
}

/// The events, newest first, optionally of one entity, that a reader may see:
/// an entry about an asset only when `assets` (the reader's asset scope) lets
/// them read that asset as it is now, so the log never shows what the register
/// hides. Entries about other records are shown to whoever may read the log.
pub async fn list_events(
    db: &Db,
    filter: &EventFilter,
    assets: &AssetScope,
    page: PageRequest,
) -> Result<Page<Event>, StoreError> {
    let (items, total) = crate::db_run!(db, |pool| {
        let mut qb = QueryBuilder::new(
            "SELECT e.seq, e.at, e.actor, e.entity, e.entity_id, e.action, e.before_json, \
             e.after_json, e.prev_hash, e.hash FROM events e WHERE 1 = 1",
        );
        push_event_conditions(&mut qb, filter, assets);
        qb.push(if filter.oldest_first {
            " ORDER BY e.seq ASC LIMIT "
        } else {
            " ORDER BY e.seq DESC LIMIT "
        })
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
        let items: Vec<Event> = qb.build_query_as().fetch_all(pool).await?;
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM events e WHERE 1 = 1");
        push_event_conditions(&mut count, filter, assets);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        (items, total)
    });
    Ok(Page { items, total })
}

/// The filter and the reader's asset scope as ` AND …` on `events e`.
fn push_event_conditions<DB>(qb: &mut QueryBuilder<DB>, filter: &EventFilter, assets: &AssetScope)
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    if let Some(entity) = filter.entity.as_ref().filter(|e| !e.is_empty()) {
        qb.push(" AND e.entity = ").push_bind(entity.clone());
    }
    if let Some(id) = filter.entity_id.as_ref().filter(|e| !e.is_empty()) {
        qb.push(" AND e.entity_id = ").push_bind(id.clone());
    }
    if let Some(actors) = &filter.actors {
        if actors.is_empty() {
            qb.push(" AND 1 = 0");
        } else {
            // The actor is logged as user:{id}:{name at the time}.
            qb.push(" AND (");
            for (i, id) in actors.iter().enumerate() {
                if i > 0 {
                    qb.push(" OR ");
                }
                qb.push("e.actor LIKE ").push_bind(format!("user:{id}:%"));
            }
            qb.push(")");
        }
    }
    // Moments are stored as RFC 3339 text in UTC, which sorts as bytes; on
    // PostgreSQL the comparison is made in the "C" collation so that a
    // locale's rules do not reorder it.
    let at = if DB::NAME == "PostgreSQL" {
        " AND e.at COLLATE \"C\" "
    } else {
        " AND e.at "
    };
    if let Some(from) = filter.from.as_ref().filter(|t| !t.is_empty()) {
        qb.push(at).push(">= ").push_bind(from.clone());
    }
    if let Some(until) = filter.until.as_ref().filter(|t| !t.is_empty()) {
        qb.push(at).push("< ").push_bind(until.clone());
    }
    if assets.is_unrestricted() {
        return;
    }
    // The CASE keeps PostgreSQL from casting the ids of other entities
    // (setting codes, …) to numbers.
    qb.push(" AND (e.entity <> ")
        .push_bind(ASSET_ENTITY.to_string())
        .push(" OR EXISTS (SELECT 1 FROM assets a WHERE a.id = CASE WHEN e.entity = ")
        .push_bind(ASSET_ENTITY.to_string())
        .push(" THEN CAST(e.entity_id AS BIGINT) END");
    if !push_scope(qb, assets) {
        qb.push(" AND 1 = 0");
    }
    qb.push("))");
}

impl Store {
    /// The events a reader may see, newest first (see [`list_events`]).
    pub async fn list_events(
        &self,
        filter: &EventFilter,
        assets: &AssetScope,
        page: PageRequest,
    ) -> Result<Page<Event>, StoreError> {
        list_events(&self.db, filter, assets, page).await
    }

    /// Recomputes the whole chain (see [`verify_chain`]).
    pub async fn verify_chain(&self) -> Result<ChainVerdict, StoreError> {
        verify_chain(&self.db).await
    }

    /// The head of the chain as stored (see [`chain_head`]).
    pub async fn chain_head(&self) -> Result<(i64, String), StoreError> {
        chain_head(&self.db).await
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    /// The hashes of stored events were computed over `json!([…])`: the
    /// encoding must stay byte for byte the same.
    #[test]
    fn canonical_encoding_is_unchanged() {
        let before = Some("{\"name\":\"台帳 \\\"A\\\"\"}");
        let fields = (
            7_i64,
            "2026-01-01T00:00:00Z",
            "user:1",
            "asset",
            "12",
            "update",
        );
        let old = serde_json::json!([
            fields.0,
            fields.1,
            fields.2,
            fields.3,
            fields.4,
            fields.5,
            before,
            None::<&str>,
            "ab"
        ])
        .to_string();
        let new = canonical(
            fields.0, fields.1, fields.2, fields.3, fields.4, fields.5, before, None, "ab",
        );
        assert_eq!(old, new);
    }
}
