//! Findings (指摘事項) and their corrective actions (第10; issue 14 part 2):
//! raised by hand, from a self-inspection (a mandatory item answered
//! 未実施, unless waived), from an audit or from a firewall check; planned
//! (owner, due date), reported done by the owner, verified by someone else,
//! closed. Each step is one transaction with its event and a line of the
//! finding's history.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use crate::events::{Entity, Verb};
use crate::ops::{OpsScope, push_scope};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::problem::Problem;

/// A finding as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct FindingRecord {
    pub id: i64,
    /// high, medium, low.
    pub severity: String,
    /// `control:CODE`, `DOC#KEY` or a control code.
    pub provision: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    pub system_id: Option<i64>,
    pub system_name: Option<String>,
    pub description: String,
    /// manual, inspection, audit, netcheck.
    pub source_kind: String,
    pub source_key: Option<String>,
    /// What it came from, for a reader (a campaign and item, file:line).
    pub source_ref: String,
    /// open, action_planned, done, verified, closed.
    pub state: String,
    pub action_plan: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub done_note: String,
    pub done_at: Option<String>,
    pub verified_by: Option<i64>,
    pub verifier_name: Option<String>,
    pub verified_at: Option<String>,
    pub closed_by: Option<i64>,
    pub closer_name: Option<String>,
    pub closed_at: Option<String>,
    pub raised_by: Option<i64>,
    pub raiser_name: Option<String>,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl FindingRecord {
    /// Its action is planned and past its due date on `today`.
    pub fn overdue_on(&self, today: &str) -> bool {
        self.state == "action_planned" && self.due_on.as_deref().is_some_and(|d| d < today)
    }
}

/// A finding as raised (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FindingInput {
    pub severity: String,
    pub provision: String,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    pub description: String,
    pub source_kind: String,
    /// One finding per key: raising again what was raised adds nothing.
    pub source_key: Option<String>,
    pub source_ref: String,
}

/// Which findings a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingFilter {
    pub state: Option<String>,
    pub severity: Option<String>,
    /// Only actions planned and due before this day (YYYY-MM-DD).
    pub overdue_on: Option<String>,
    /// Only the findings whose action this person owns.
    pub owner: Option<i64>,
    pub scope: OpsScope,
    // --- h17ui ---
    /// The order asked (none: the active first, then by due date).
    pub sort: Option<crate::sorting::Sort<FindingSortKey>>,
}

// --- h17ui ---
crate::sorting::sort_keys! {
    /// What the findings' register sorts by.
    FindingSortKey {
        Id => ("id", "f.id"),
        Severity => ("severity", "CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"),
        Unit => ("unit", "COALESCE(u.path, '')"),
        Due => ("due", "COALESCE(f.due_on, '9999-12-31')"),
        State => ("state", "CASE f.state WHEN 'open' THEN 0 WHEN 'action_planned' THEN 1 WHEN 'done' THEN 2 WHEN 'verified' THEN 3 ELSE 4 END"),
    }
}

/// One line of a finding's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct FindingNote {
    pub id: i64,
    pub at: String,
    /// raised, planned, done, verified, returned, closed, note.
    pub kind: String,
    pub note: String,
    pub user_name: Option<String>,
}

/// A step of a finding's corrective action.
#[derive(Debug, Clone, PartialEq)]
pub enum FindingStep {
    /// Plans (or re-plans) the action: open or action_planned → action_planned.
    Plan {
        owner_id: i64,
        due_on: String,
        plan: String,
    },
    /// The owner reports the action done: action_planned → done.
    Done { note: String },
    /// Someone other than the owner checks it: done → verified, or back to
    /// action_planned when not accepted.
    Verify { accept: bool, note: String },
    /// verified → closed.
    Close { note: String },
    /// A follow-up note, any state.
    Note { note: String },
}

/// A mandatory item answered 未実施 in a submitted questionnaire, with
/// whether it was raised or waived already.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct NotDoneItem {
    pub target_id: i64,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    pub owner_unit_id: Option<i64>,
    pub target_name: String,
    pub item_id: i64,
    pub position: i64,
    pub provision: String,
    pub question: String,
    pub comment: String,
    pub finding_id: Option<i64>,
    pub waived_reason: Option<String>,
}

const SELECT: &str = "SELECT f.id, f.severity, f.provision, f.unit_id, u.name AS unit_name, u.path AS unit_path, \
     f.system_id, s.name AS system_name, f.description, f.source_kind, f.source_key, f.source_ref, f.state, \
     f.action_plan, f.owner_id, o.display_name AS owner_name, f.due_on, f.done_note, f.done_at, f.verified_by, \
     v.display_name AS verifier_name, f.verified_at, f.closed_by, c.display_name AS closer_name, f.closed_at, \
     f.raised_by, r.display_name AS raiser_name, f.revision, f.created_at, f.updated_at \
     FROM findings f LEFT JOIN units u ON u.id = f.unit_id \
     LEFT JOIN information_systems s ON s.id = f.system_id LEFT JOIN users o ON o.id = f.owner_id \
     LEFT JOIN users v ON v.id = f.verified_by LEFT JOIN users c ON c.id = f.closed_by \
     LEFT JOIN users r ON r.id = f.raised_by";

fn push_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &FindingFilter)
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if let Some(s) = &f.state {
        qb.push(" AND f.state = ").push_bind(s.clone());
    }
    if let Some(s) = &f.severity {
        qb.push(" AND f.severity = ").push_bind(s.clone());
    }
    if let Some(d) = &f.overdue_on {
        qb.push(" AND f.state = 'action_planned' AND f.due_on < ")
            .push_bind(d.clone());
    }
    if let Some(o) = f.owner {
        qb.push(" AND f.owner_id = ").push_bind(o);
    }
    push_scope(qb, &f.scope, "f.unit_id", "f.owner_id");
}

async fn finding_in_tx(tx: &mut crate::Tx, id: i64) -> Result<FindingRecord, StoreError> {
    let found: Option<FindingRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE f.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("finding", id))
}

async fn note_in_tx(
    tx: &mut crate::Tx,
    id: i64,
    at: &str,
    kind: &str,
    note: &str,
    user_id: Option<i64>,
) -> Result<(), StoreError> {
    tx_run!(tx, |c| {
        sqlx::query(
            "INSERT INTO finding_notes (finding_id, at, kind, note, user_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(at)
        .bind(kind)
        .bind(note)
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Inserts a finding unless its source key is taken; its id when inserted.
async fn insert_in_tx(
    tx: &mut crate::Tx,
    user_id: Option<i64>,
    input: &FindingInput,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = tx_run!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO findings (severity, provision, unit_id, system_id, description, source_kind, source_key, \
             source_ref, state, action_plan, done_note, raised_by, revision, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', '', '', $9, 1, $10, $10) \
             ON CONFLICT (source_key) DO NOTHING RETURNING id",
        )
        .bind(&input.severity)
        .bind(&input.provision)
        .bind(input.unit_id)
        .bind(input.system_id)
        .bind(&input.description)
        .bind(&input.source_kind)
        .bind(&input.source_key)
        .bind(&input.source_ref)
        .bind(user_id)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?
    });
    if let Some(id) = id {
        note_in_tx(tx, id, now, "raised", "", user_id).await?;
    }
    Ok(id)
}

impl Store {
    /// One finding by id.
    pub async fn finding(&self, id: i64) -> Result<FindingRecord, StoreError> {
        let found: Option<FindingRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE f.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("finding", id))
    }

    /// The findings an audit raised (its results' findings), by id.
    pub async fn audit_findings(&self, audit: i64) -> Result<Vec<FindingRecord>, StoreError> {
        let prefix = format!("audit:{audit}:%");
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE f.source_kind = 'audit' AND f.source_key LIKE $1 ORDER BY f.id"
            )))
            .bind(&prefix)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A finding's history, oldest first.
    pub async fn finding_notes(&self, id: i64) -> Result<Vec<FindingNote>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT n.id, n.at, n.kind, n.note, u.display_name AS user_name FROM finding_notes n \
                 LEFT JOIN users u ON u.id = n.user_id WHERE n.finding_id = $1 ORDER BY n.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One page of the register: the active first, then by due date.
    pub async fn list_findings(
        &self,
        filter: &FindingFilter,
        page: PageRequest,
    ) -> Result<Page<FindingRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            let order = match &filter.sort {
                Some(sort) => format!("{} LIMIT ", sort.order_by("f.id")),
                None => String::from(
                    " ORDER BY CASE f.state WHEN 'verified' THEN 1 WHEN 'closed' THEN 2 ELSE 0 END, \
                     COALESCE(f.due_on, '9999-12-31'), f.id LIMIT ",
                ),
            };
            qb.push(order)
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<FindingRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM findings f");
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every finding of the filter (an export, a to-do list), by id.
    pub async fn all_findings(
        &self,
        filter: &FindingFilter,
    ) -> Result<Vec<FindingRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SELECT);
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY f.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Raises one finding (state open). A finding whose source key is
    /// taken is refused (MAMORI-FINDING-RAISED).
    pub async fn create_finding(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
        input: &FindingInput,
    ) -> Result<FindingRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let Some(id) = insert_in_tx(&mut tx, user_id, input, &now).await? else {
            return Err(Problem::new("MAMORI-FINDING-RAISED")
                .with("source", input.source_ref.as_str())
                .into());
        };
        let after = finding_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Finding,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Raises the findings not raised yet (by source key), all in one
    /// transaction; the findings made.
    pub async fn raise_findings(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
        inputs: &[FindingInput],
    ) -> Result<Vec<FindingRecord>, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let mut made = Vec::new();
        for input in inputs {
            if let Some(id) = insert_in_tx(&mut tx, user_id, input, &now).await? {
                let after = finding_in_tx(&mut tx, id).await?;
                tx.append_event(
                    actor,
                    Entity::Finding,
                    id,
                    Verb::Create,
                    None::<&()>,
                    Some(&after),
                )
                .await?;
                made.push(after);
            }
        }
        tx.commit().await?;
        Ok(made)
    }

    /// The mandatory items answered 未実施 in the campaign's submitted
    /// questionnaires, with the finding raised or the waiver, by target and
    /// position.
    pub async fn not_done_items(&self, inspection: i64) -> Result<Vec<NotDoneItem>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT t.id AS target_id, t.unit_id, t.system_id, COALESCE(t.unit_id, s.owner_unit_id) AS owner_unit_id, \
                 COALESCE(u.name, s.name, '') AS target_name, i.id AS item_id, i.position, i.provision, i.question, \
                 a.comment, f.id AS finding_id, w.reason AS waived_reason \
                 FROM inspection_answers a JOIN inspection_targets t ON t.id = a.target_id \
                 JOIN checklist_items i ON i.id = a.item_id \
                 LEFT JOIN units u ON u.id = t.unit_id LEFT JOIN information_systems s ON s.id = t.system_id \
                 LEFT JOIN findings f ON f.source_key = 'inspection:' || CAST(t.inspection_id AS TEXT) || ':' \
                     || CAST(t.id AS TEXT) || ':' || CAST(i.id AS TEXT) \
                 LEFT JOIN finding_waivers w ON w.target_id = t.id AND w.item_id = i.id \
                 WHERE t.inspection_id = $1 AND t.state = 'submitted' AND a.answer = 'not_done' AND i.mandatory \
                 ORDER BY t.id, i.position",
            )
            .bind(inspection)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records that a mandatory item answered 未実施 is not to be raised
    /// (refused when it was raised already).
    pub async fn waive_item(
        &self,
        actor: &Actor,
        user_id: i64,
        inspection: i64,
        target: i64,
        item: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let key = mamori_core::audit::finding::inspection_key(inspection, target, item);
        let mut tx = self.db.begin().await?;
        let raised: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE source_key = $1")
                .bind(&key)
                .fetch_one(&mut *c)
                .await?
        });
        if raised > 0 {
            return Err(Problem::new("MAMORI-FINDING-WAIVE-RAISED").into());
        }
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO finding_waivers (inspection_id, target_id, item_id, reason, waived_by, waived_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target_id, item_id) DO NOTHING",
            )
            .bind(inspection)
            .bind(target)
            .bind(item)
            .bind(reason)
            .bind(user_id)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n > 0 {
            let after = serde_json::json!({"inspection": inspection, "target": target, "item": item, "reason": reason});
            tx.append_event(
                actor,
                Entity::FindingWaiver,
                format!("{target}:{item}"),
                Verb::Waive,
                None::<&()>,
                Some(&after),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes one step of a finding's corrective action (checked by the
    /// operation; the store refuses a step from the wrong state, a stale
    /// revision, and a verification by the action's owner).
    pub async fn finding_step(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        revision: i64,
        step: &FindingStep,
    ) -> Result<FindingRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = finding_in_tx(&mut tx, id).await?;
        let (from, to, kind, verb): (&[&str], &str, &str, Verb) = match step {
            FindingStep::Plan { .. } => (
                &["open", "action_planned"],
                "action_planned",
                "planned",
                Verb::Plan,
            ),
            FindingStep::Done { .. } => (&["action_planned"], "done", "done", Verb::Complete),
            FindingStep::Verify { accept: true, .. } => {
                (&["done"], "verified", "verified", Verb::Verify)
            }
            FindingStep::Verify { accept: false, .. } => {
                (&["done"], "action_planned", "returned", Verb::Return)
            }
            FindingStep::Close { .. } => (&["verified"], "closed", "closed", Verb::Close),
            FindingStep::Note { .. } => (
                &["open", "action_planned", "done", "verified", "closed"],
                before.state.as_str(),
                "note",
                Verb::Record,
            ),
        };
        if !from.contains(&before.state.as_str()) {
            let code = if matches!(step, FindingStep::Close { .. }) {
                "MAMORI-FINDING-NOT-VERIFIED"
            } else {
                "MAMORI-FINDING-STATE"
            };
            return Err(Problem::new(code)
                .with("id", id)
                .with("state", &before.state)
                .into());
        }
        if matches!(step, FindingStep::Verify { .. }) && before.owner_id == Some(user_id) {
            return Err(Problem::new("MAMORI-FINDING-SELF-VERIFY").into());
        }
        let to = to.to_string();
        let n = tx_run!(&mut tx, |c| {
            let mut qb = QueryBuilder::new("UPDATE findings SET state = ");
            qb.push_bind(to.clone())
                .push(", revision = revision + 1, updated_at = ")
                .push_bind(now.clone());
            match step {
                FindingStep::Plan {
                    owner_id,
                    due_on,
                    plan,
                } => {
                    qb.push(", owner_id = ")
                        .push_bind(*owner_id)
                        .push(", due_on = ")
                        .push_bind(due_on.clone())
                        .push(", action_plan = ")
                        .push_bind(plan.clone());
                }
                FindingStep::Done { note } => {
                    qb.push(", done_note = ")
                        .push_bind(note.clone())
                        .push(", done_at = ")
                        .push_bind(now.clone());
                }
                FindingStep::Verify { accept: true, .. } => {
                    qb.push(", verified_by = ")
                        .push_bind(user_id)
                        .push(", verified_at = ")
                        .push_bind(now.clone());
                }
                FindingStep::Close { .. } => {
                    qb.push(", closed_by = ")
                        .push_bind(user_id)
                        .push(", closed_at = ")
                        .push_bind(now.clone());
                }
                FindingStep::Verify { accept: false, .. } | FindingStep::Note { .. } => {}
            }
            qb.push(" WHERE id = ")
                .push_bind(id)
                .push(" AND revision = ")
                .push_bind(revision);
            qb.build().execute(&mut *c).await?.rows_affected()
        });
        if n == 0 {
            return Err(Problem::new("MAMORI-FINDING-STALE").with("id", id).into());
        }
        let note = match step {
            FindingStep::Plan { plan, .. } => plan.as_str(),
            FindingStep::Done { note }
            | FindingStep::Verify { note, .. }
            | FindingStep::Close { note }
            | FindingStep::Note { note } => note.as_str(),
        };
        note_in_tx(&mut tx, id, &now, kind, note, Some(user_id)).await?;
        let after = finding_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Finding,
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
