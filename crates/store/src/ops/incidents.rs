//! Information security incidents: reported by anyone signed in, escalated
//! up the reporting line, assessed, acted on, reported outside and closed;
//! every change a line of the incident's timeline and an event of the log,
//! in one transaction.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::{OpsScope, push_scope};
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::problem::Problem;

/// An incident as the register shows it (with the names of its unit, its
/// reporter and who closed it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct IncidentRecord {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub noticed_at: String,
    pub place: String,
    pub kind: String,
    pub severity: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    pub reporter_id: i64,
    pub reporter_name: String,
    pub step: String,
    pub personal_info: bool,
    pub my_number: bool,
    pub sensitive: bool,
    pub financial: bool,
    pub wrongful: bool,
    pub affected: Option<i64>,
    pub publication: String,
    pub publication_note: String,
    pub state: String,
    pub causes: String,
    pub lessons: String,
    pub measures: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<i64>,
    pub closer_name: Option<String>,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl IncidentRecord {
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }
}

/// The facts of an incident a person assesses (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IncidentAssessment {
    pub kind: String,
    pub severity: String,
    pub personal_info: bool,
    pub my_number: bool,
    pub sensitive: bool,
    pub financial: bool,
    pub wrongful: bool,
    pub affected: Option<i64>,
    pub publication: String,
    pub publication_note: String,
}

/// A report as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IncidentInput {
    pub title: String,
    pub description: String,
    /// RFC 3339, UTC.
    pub noticed_at: String,
    pub place: String,
    pub unit_id: Option<i64>,
    pub assessment: IncidentAssessment,
    pub assets: Vec<i64>,
    pub systems: Vec<i64>,
}

/// How an incident is closed (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IncidentClosure {
    pub causes: String,
    pub lessons: String,
    pub measures: String,
}

/// Which incidents a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    /// open or closed.
    pub state: Option<String>,
    pub severity: Option<String>,
    pub kind: Option<String>,
    pub scope: OpsScope,
    // --- h17ui ---
    /// The order asked (none: open first, the most serious first, newest first).
    pub sort: Option<crate::sorting::Sort<IncidentSortKey>>,
}

// --- h17ui ---
crate::sorting::sort_keys! {
    /// What the incidents' register sorts by.
    IncidentSortKey {
        Id => ("id", "i.id"),
        Severity => ("severity", "CASE i.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END"),
        Unit => ("unit", "COALESCE(u.path, '')"),
        Noticed => ("noticed", "i.noticed_at"),
        State => ("state", "CASE i.state WHEN 'open' THEN 0 ELSE 1 END"),
    }
}

/// One line of an incident's timeline, with the person's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TimelineEntry {
    pub id: i64,
    pub incident_id: i64,
    pub at: String,
    pub kind: String,
    pub step: Option<String>,
    pub note: String,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
}

/// An asset or information system an incident involves, with what the
/// reader needs to judge what is at stake (the asset's label and owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct IncidentLink {
    pub target_kind: String,
    pub target_id: i64,
    pub name: String,
    /// An asset's classification label; empty for a system.
    pub label: String,
    pub is_top: bool,
    pub unit_path: Option<String>,
    pub unit_name: Option<String>,
}

/// A report or notification recorded as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SentReport {
    pub incident_id: i64,
    pub rule_code: String,
    pub sent_on: String,
    pub note: String,
    pub recorded_by: Option<i64>,
    pub recorder_name: Option<String>,
    pub recorded_at: String,
}

const SELECT: &str = "SELECT i.id, i.title, i.description, i.noticed_at, i.place, i.kind, i.severity, \
     i.unit_id, u.name AS unit_name, u.path AS unit_path, i.reporter_id, r.display_name AS reporter_name, \
     i.step, i.personal_info, i.my_number, i.sensitive, i.financial, i.wrongful, i.affected, \
     i.publication, i.publication_note, i.state, i.causes, i.lessons, i.measures, i.closed_at, \
     i.closed_by, c.display_name AS closer_name, i.revision, i.created_at, i.updated_at \
     FROM incidents i LEFT JOIN units u ON u.id = i.unit_id JOIN users r ON r.id = i.reporter_id \
     LEFT JOIN users c ON c.id = i.closed_by";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &IncidentFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(s) = &f.state {
        qb.push(" AND i.state = ").push_bind(s.clone());
    }
    if let Some(s) = &f.severity {
        qb.push(" AND i.severity = ").push_bind(s.clone());
    }
    if let Some(k) = &f.kind {
        qb.push(" AND i.kind = ").push_bind(k.clone());
    }
    push_scope(qb, &f.scope, "i.unit_id", "i.reporter_id");
}

/// The order of severities, most serious first, for SQL.
const SEVERITY_ORDER: &str = "CASE i.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 \
     WHEN 'medium' THEN 2 ELSE 3 END";

/// ` ORDER BY …` of the register: the order asked, or open first, the most
/// serious first, newest first.
fn list_order(filter: &IncidentFilter) -> String {
    match &filter.sort {
        Some(sort) => sort.order_by("i.id"),
        None => format!(
            " ORDER BY CASE i.state WHEN 'open' THEN 0 ELSE 1 END, {SEVERITY_ORDER}, i.noticed_at DESC, i.id DESC"
        ),
    }
}

impl Store {
    /// One incident by id.
    pub async fn incident(&self, id: i64) -> Result<IncidentRecord, StoreError> {
        let found: Option<IncidentRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("incident", id))
    }

    /// One page of the register: open first, the most serious first, newest first.
    pub async fn list_incidents(
        &self,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Page<IncidentRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(list_order(filter))
                .push(" LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<IncidentRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM incidents i");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every incident of the filter (the open ones for the attention page),
    /// most serious first.
    pub async fn all_incidents(
        &self,
        filter: &IncidentFilter,
    ) -> Result<Vec<IncidentRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(format!(" ORDER BY {SEVERITY_ORDER}, i.noticed_at, i.id"));
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    // --- h15b ---
    /// Every incident of the filter in the register's order (the order asked,
    /// or open first, the most serious first, newest first): what the list
    /// shows, on every page (an export).
    pub async fn listed_incidents(
        &self,
        filter: &IncidentFilter,
    ) -> Result<Vec<IncidentRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(list_order(filter));
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// An incident's timeline, oldest first.
    pub async fn incident_timeline(&self, id: i64) -> Result<Vec<TimelineEntry>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.incident_id, t.at, t.kind, t.step, t.note, t.user_id, \
                 u.display_name AS user_name FROM incident_timeline t \
                 LEFT JOIN users u ON u.id = t.user_id WHERE t.incident_id = $1 ORDER BY t.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The assets and systems an incident involves.
    pub async fn incident_links(&self, id: i64) -> Result<Vec<IncidentLink>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT l.target_kind, l.target_id, a.name, a.label, a.is_top, u.path AS unit_path, \
                 u.name AS unit_name FROM incident_links l JOIN assets a ON a.id = l.target_id \
                 JOIN units u ON u.id = a.owner_unit_id \
                 WHERE l.incident_id = $1 AND l.target_kind = 'asset' \
                 UNION ALL \
                 SELECT l.target_kind, l.target_id, s.name, '' AS label, FALSE AS is_top, u.path AS unit_path, \
                 u.name AS unit_name FROM incident_links l JOIN information_systems s ON s.id = l.target_id \
                 LEFT JOIN units u ON u.id = s.owner_unit_id \
                 WHERE l.incident_id = $1 AND l.target_kind = 'system' \
                 ORDER BY 1, 3",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The reports recorded as sent for these incidents.
    pub async fn incident_reports(&self, ids: &[i64]) -> Result<Vec<SentReport>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT r.incident_id, r.rule_code, r.sent_on, r.note, r.recorded_by, \
                 u.display_name AS recorder_name, r.recorded_at FROM incident_reports r \
                 LEFT JOIN users u ON u.id = r.recorded_by WHERE r.incident_id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY r.incident_id, r.sent_on");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records a report: the incident at the first step of the line
    /// (情報セキュリティ管理者), its links and the first line of its timeline.
    pub async fn create_incident(
        &self,
        actor: &Actor,
        reporter_id: i64,
        input: &IncidentInput,
    ) -> Result<IncidentRecord, StoreError> {
        let now = now_rfc3339();
        let a = &input.assessment;
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO incidents (title, description, noticed_at, place, kind, severity, unit_id, \
                 reporter_id, step, personal_info, my_number, sensitive, financial, wrongful, affected, \
                 publication, publication_note, state, causes, lessons, measures, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'administrator', $9, $10, $11, $12, $13, $14, \
                 $15, $16, 'open', '', '', '', 1, $17, $17) RETURNING id",
            )
            .bind(&input.title)
            .bind(&input.description)
            .bind(&input.noticed_at)
            .bind(&input.place)
            .bind(&a.kind)
            .bind(&a.severity)
            .bind(input.unit_id)
            .bind(reporter_id)
            .bind(a.personal_info)
            .bind(a.my_number)
            .bind(a.sensitive)
            .bind(a.financial)
            .bind(a.wrongful)
            .bind(a.affected)
            .bind(&a.publication)
            .bind(&a.publication_note)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        for (kind, ids) in [("asset", &input.assets), ("system", &input.systems)] {
            for target in ids {
                tx_run!(&mut tx, |c| {
                    sqlx::query(
                        "INSERT INTO incident_links (incident_id, target_kind, target_id) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(kind)
                    .bind(*target)
                    .execute(&mut *c)
                    .await?;
                });
            }
        }
        timeline(
            &mut tx,
            id,
            &now,
            "reported",
            Some("administrator"),
            "",
            Some(reporter_id),
        )
        .await?;
        let after = incident_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Incident,
            id,
            Verb::Create,
            None::<&()>,
            Some(&(&after, &input.assets, &input.systems)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Escalates an open incident to the next step of the line (`to`),
    /// timestamped.
    pub async fn escalate_incident(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        to: &str,
        note: &str,
    ) -> Result<IncidentRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = open_incident(&mut tx, id, revision).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE incidents SET step = $3, revision = revision + 1, updated_at = $4 \
                 WHERE id = $1 AND revision = $2 AND state = 'open'",
            )
            .bind(id)
            .bind(revision)
            .bind(to)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(stale(id));
        }
        timeline(
            &mut tx,
            id,
            &now,
            "escalated",
            Some(to),
            note,
            Some(user_id),
        )
        .await?;
        let after = incident_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Incident,
            id,
            Verb::Escalate,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds an action taken to an open incident's timeline.
    pub async fn add_incident_action(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        note: &str,
    ) -> Result<TimelineEntry, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = incident_in_tx(&mut tx, id).await?;
        if !before.is_open() {
            return Err(closed(id));
        }
        let entry = timeline(&mut tx, id, &now, "action", None, note, Some(user_id)).await?;
        tx.append_event(
            actor,
            Entity::Incident,
            id,
            Verb::Record,
            None::<&()>,
            Some(&entry),
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Changes an open incident's kind, severity, personal-data facts and
    /// publication decision.
    pub async fn assess_incident(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        a: &IncidentAssessment,
        note: &str,
    ) -> Result<IncidentRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = open_incident(&mut tx, id, revision).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE incidents SET kind = $3, severity = $4, personal_info = $5, my_number = $6, \
                 sensitive = $7, financial = $8, wrongful = $9, affected = $10, publication = $11, \
                 publication_note = $12, revision = revision + 1, updated_at = $13 \
                 WHERE id = $1 AND revision = $2 AND state = 'open'",
            )
            .bind(id)
            .bind(revision)
            .bind(&a.kind)
            .bind(&a.severity)
            .bind(a.personal_info)
            .bind(a.my_number)
            .bind(a.sensitive)
            .bind(a.financial)
            .bind(a.wrongful)
            .bind(a.affected)
            .bind(&a.publication)
            .bind(&a.publication_note)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(stale(id));
        }
        timeline(&mut tx, id, &now, "assessed", None, note, Some(user_id)).await?;
        let after = incident_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Incident,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records a report or notification owed under `rule_code` as sent on
    /// `sent_on` (once per rule).
    pub async fn record_incident_report(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        rule_code: &str,
        sent_on: &str,
        note: &str,
    ) -> Result<SentReport, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        incident_in_tx(&mut tx, id).await?;
        let inserted: Result<u64, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO incident_reports (incident_id, rule_code, sent_on, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(rule_code)
            .bind(sent_on)
            .bind(note)
            .bind(user_id)
            .bind(&now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        inserted.map_err(|e| match &e {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Problem::new("MAMORI-INCIDENT-REPORT-SENT")
                    .field("rule")
                    .with("rule", rule_code)
                    .into()
            }
            _ => e,
        })?;
        let text = format!("{rule_code} {sent_on} {note}");
        timeline(
            &mut tx,
            id,
            &now,
            "report_sent",
            None,
            text.trim(),
            Some(user_id),
        )
        .await?;
        let sent: SentReport = tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT r.incident_id, r.rule_code, r.sent_on, r.note, r.recorded_by, \
                 u.display_name AS recorder_name, r.recorded_at FROM incident_reports r \
                 LEFT JOIN users u ON u.id = r.recorded_by WHERE r.incident_id = $1 AND r.rule_code = $2",
            )
            .bind(id)
            .bind(rule_code)
            .fetch_one(&mut *c)
            .await?
        });
        tx.append_event(
            actor,
            Entity::IncidentReport,
            id,
            Verb::Record,
            None::<&()>,
            Some(&sent),
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Closes an open incident with its causes, lessons and measures.
    pub async fn close_incident(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        closure: &IncidentClosure,
    ) -> Result<IncidentRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = open_incident(&mut tx, id, revision).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE incidents SET state = 'closed', causes = $3, lessons = $4, measures = $5, \
                 closed_at = $6, closed_by = $7, revision = revision + 1, updated_at = $6 \
                 WHERE id = $1 AND revision = $2 AND state = 'open'",
            )
            .bind(id)
            .bind(revision)
            .bind(&closure.causes)
            .bind(&closure.lessons)
            .bind(&closure.measures)
            .bind(&now)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(stale(id));
        }
        timeline(&mut tx, id, &now, "closed", None, "", Some(user_id)).await?;
        let after = incident_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Incident,
            id,
            Verb::Close,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn timeline(
    tx: &mut crate::Tx,
    id: i64,
    at: &str,
    kind: &str,
    step: Option<&str>,
    note: &str,
    user_id: Option<i64>,
) -> Result<TimelineEntry, StoreError> {
    Ok(tx_run!(tx, |c| {
        let entry_id: i64 = sqlx::query_scalar(
            "INSERT INTO incident_timeline (incident_id, at, kind, step, note, user_id) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(at)
        .bind(kind)
        .bind(step)
        .bind(note)
        .bind(user_id)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query_as(
            "SELECT t.id, t.incident_id, t.at, t.kind, t.step, t.note, t.user_id, \
             u.display_name AS user_name FROM incident_timeline t \
             LEFT JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        )
        .bind(entry_id)
        .fetch_one(&mut *c)
        .await?
    }))
}

async fn incident_in_tx(tx: &mut crate::Tx, id: i64) -> Result<IncidentRecord, StoreError> {
    let found: Option<IncidentRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("incident", id))
}

async fn open_incident(
    tx: &mut crate::Tx,
    id: i64,
    revision: i64,
) -> Result<IncidentRecord, StoreError> {
    let before = incident_in_tx(tx, id).await?;
    if !before.is_open() {
        return Err(closed(id));
    }
    if before.revision != revision {
        return Err(stale(id));
    }
    Ok(before)
}

fn stale(id: i64) -> StoreError {
    Problem::new("MAMORI-INCIDENT-STALE").with("id", id).into()
}

fn closed(id: i64) -> StoreError {
    Problem::new("MAMORI-INCIDENT-CLOSED").with("id", id).into()
}
