//! Audits and self-inspections (第10): checklist templates and their items,
//! self-inspection campaigns with a frozen copy of their checklist, each
//! unit's (or system's) questionnaire with its answers (saved with a
//! revision), submission, return for correction, reminders, and the figures
//! of the results (per unit, per chapter, per item, the whole campaign), read
//! in SQL from running totals kept on each questionnaire.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::audit::{Answer, TargetState};
use mamori_core::problem::Problem;

/// A checklist: a template (editable) or the frozen copy a campaign uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ChecklistRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// controls or policy (mamori_core::audit::ChecklistSource).
    pub source: String,
    pub frozen: bool,
    pub copied_from: Option<i64>,
    pub revision: i64,
    pub item_count: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ChecklistItem {
    pub id: i64,
    pub checklist_id: i64,
    pub position: i64,
    /// `control:CODE` or `DOC#KEY`.
    pub provision: String,
    /// The standards chapter (0: none).
    pub chapter: i64,
    pub question: String,
    pub mandatory: bool,
    pub evidence_hint: String,
    /// mamori_core::audit::Method code.
    pub method: String,
    /// The answers allowed (space separated codes).
    pub answers: String,
}

/// An item as entered (already checked by the operation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ItemInput {
    pub provision: String,
    pub chapter: i64,
    pub question: String,
    pub mandatory: bool,
    pub evidence_hint: String,
    pub method: String,
    pub answers: String,
}

/// A checklist template as entered, with its items.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChecklistInput {
    pub name: String,
    pub description: String,
    pub source: String,
}

/// A campaign with its progress counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct InspectionRow {
    pub id: i64,
    pub title: String,
    pub checklist_id: i64,
    /// unit or system.
    pub target_kind: String,
    pub deadline: String,
    /// open or closed.
    pub status: String,
    pub item_count: i64,
    pub opened_by: String,
    pub created_at: String,
    pub targets: i64,
    pub submitted: i64,
    pub in_progress: i64,
}

/// What the security office enters to open a campaign (checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InspectionInput {
    pub title: String,
    pub template_id: i64,
    pub target_kind: String,
    /// Unit ids or system ids, by `target_kind`.
    pub target_ids: Vec<i64>,
    pub deadline: String,
}

/// One unit's (or system's) questionnaire in a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TargetRow {
    pub id: i64,
    pub inspection_id: i64,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    /// The unit's or system's name (and code).
    pub target_code: String,
    pub target_name: String,
    /// The owning unit of a system, or the unit itself.
    pub owner_unit_id: Option<i64>,
    pub state: String,
    pub revision: i64,
    pub answered: i64,
    pub points: i64,
    pub applicable: i64,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub returned_note: String,
    pub reminded_at: Option<String>,
    pub reminders: i64,
    pub updated_at: String,
}

impl TargetRow {
    /// The id that names the questionnaire in its campaign: the unit's, or
    /// the system's.
    pub fn key(&self) -> i64 {
        self.unit_id.or(self.system_id).unwrap_or(0)
    }
}

/// One saved answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AnswerRow {
    pub item_id: i64,
    pub answer: String,
    pub comment: String,
    pub answered_by: String,
    pub answered_at: String,
}

/// An evidence of an item (a questionnaire's answer, an audit's result):
/// the item it supports and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AnswerEvidence {
    pub item_id: i64,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub evidence: crate::controls::EvidenceRow,
}

/// The record kind answer evidence is linked to (the questionnaire).
pub const EVIDENCE_OF_ANSWER: &str = "inspection_target";

/// An answer to save (checked by the operation: the item is of the campaign,
/// the answer is one it allows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerInput {
    pub item_id: i64,
    pub answer: Answer,
    pub comment: String,
}

/// Which questionnaires of a campaign a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetFilter {
    pub state: Option<TargetState>,
}

/// Points and applicable answers of a group (a chapter, an item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ScoreRow {
    /// The chapter number, or the item id.
    pub key: i64,
    pub label: String,
    pub points: i64,
    pub applicable: i64,
    pub not_done: i64,
}

/// An item of a campaign's checklist with its figures over every
/// questionnaire (for the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ItemScoreRow {
    pub item_id: i64,
    pub position: i64,
    pub provision: String,
    pub chapter: i64,
    pub question: String,
    pub mandatory: bool,
    pub answered: i64,
    pub points: i64,
    pub applicable: i64,
    pub not_done: i64,
}

/// A campaign of the same template, with its totals (the trend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TrendRow {
    pub inspection_id: i64,
    pub title: String,
    pub created_at: String,
    pub points: i64,
    pub applicable: i64,
}

/// The whole campaign's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CampaignTotals {
    pub targets: i64,
    pub submitted: i64,
    pub answered: i64,
    pub points: i64,
    pub applicable: i64,
}

const CHECKLIST_SELECT: &str = "SELECT c.id, c.name, c.description, c.source, c.frozen, c.copied_from, \
     c.revision, (SELECT COUNT(*) FROM checklist_items i WHERE i.checklist_id = c.id) AS item_count, \
     c.created_by, c.created_at, c.updated_at FROM checklists c";

const ITEM_SELECT: &str = "SELECT id, checklist_id, position, provision, chapter, question, mandatory, \
     evidence_hint, method, answers FROM checklist_items";

const INSPECTION_SELECT: &str = "SELECT n.id, n.title, n.checklist_id, n.target_kind, n.deadline, n.status, \
     n.item_count, n.opened_by, n.created_at, \
     (SELECT COUNT(*) FROM inspection_targets t WHERE t.inspection_id = n.id) AS targets, \
     (SELECT COUNT(*) FROM inspection_targets t WHERE t.inspection_id = n.id AND t.state = 'submitted') AS submitted, \
     (SELECT COUNT(*) FROM inspection_targets t WHERE t.inspection_id = n.id AND t.state = 'in_progress') AS in_progress \
     FROM inspections n";

const TARGET_SELECT: &str = "SELECT t.id, t.inspection_id, t.unit_id, t.system_id, \
     COALESCE(u.code, s.code, '') AS target_code, COALESCE(u.name, s.name, '') AS target_name, \
     COALESCE(t.unit_id, s.owner_unit_id) AS owner_unit_id, t.state, t.revision, t.answered, t.points, \
     t.applicable, t.submitted_at, t.submitted_by, t.returned_note, t.reminded_at, t.reminders, t.updated_at \
     FROM inspection_targets t LEFT JOIN units u ON u.id = t.unit_id \
     LEFT JOIN information_systems s ON s.id = t.system_id";

/// The running totals of a questionnaire, from its answers.
const TALLY_UPDATE: &str = "UPDATE inspection_targets SET \
     answered = (SELECT COUNT(*) FROM inspection_answers a WHERE a.target_id = $1), \
     points = COALESCE((SELECT CAST(SUM(CASE a.answer WHEN 'done' THEN 2 WHEN 'partial' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM inspection_answers a WHERE a.target_id = $1), 0), \
     applicable = (SELECT COUNT(*) FROM inspection_answers a WHERE a.target_id = $1 AND a.answer <> 'not_applicable') \
     WHERE id = $1";

fn push_target_filter<DB: sqlx::Database>(
    qb: &mut QueryBuilder<DB>,
    inspection: i64,
    f: &TargetFilter,
) where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE t.inspection_id = ").push_bind(inspection);
    if let Some(s) = f.state {
        qb.push(" AND t.state = ").push_bind(s.code().to_string());
    }
}

impl Store {
    // ------------------------------------------------------------ checklists

    /// One page of the checklist templates (frozen copies are not listed), by
    /// name.
    pub async fn list_checklists(
        &self,
        page: PageRequest,
    ) -> Result<Page<ChecklistRow>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<ChecklistRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CHECKLIST_SELECT} WHERE c.frozen = FALSE ORDER BY c.name, c.id LIMIT $1 OFFSET $2"
            )))
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM checklists WHERE frozen = FALSE")
                    .fetch_one(pool)
                    .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// One checklist by id.
    pub async fn checklist(&self, id: i64) -> Result<ChecklistRow, StoreError> {
        let found: Option<ChecklistRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CHECKLIST_SELECT} WHERE c.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("checklist", id))
    }

    /// The items of a checklist, in order.
    pub async fn checklist_items(&self, checklist: i64) -> Result<Vec<ChecklistItem>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ITEM_SELECT} WHERE checklist_id = $1 ORDER BY position"
            )))
            .bind(checklist)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Creates a template with its items (in the order given).
    pub async fn create_checklist(
        &self,
        actor: &Actor,
        input: &ChecklistInput,
        items: &[ItemInput],
    ) -> Result<ChecklistRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO checklists (name, description, source, frozen, copied_from, revision, \
                 created_by, created_at, updated_at) VALUES ($1, $2, $3, FALSE, NULL, 1, $4, $5, $5) RETURNING id",
            )
            .bind(&input.name)
            .bind(&input.description)
            .bind(&input.source)
            .bind(actor.label())
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        for (i, item) in items.iter().enumerate() {
            insert_item(&mut tx, id, i as i64 + 1, item).await?;
        }
        let after = checklist_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Checklist,
            id,
            Verb::Create,
            None::<&()>,
            Some(&(&after, items)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes one item of a template (`position` in it), or adds one at the
    /// end (`position` None): refused on a frozen checklist or a stale
    /// revision.
    pub async fn save_checklist_item(
        &self,
        actor: &Actor,
        checklist: i64,
        revision: i64,
        position: Option<i64>,
        item: &ItemInput,
    ) -> Result<ChecklistRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = checklist_in_tx(&mut tx, checklist).await?;
        if before.frozen {
            return Err(Problem::new("MAMORI-CHECKLIST-FROZEN")
                .with("id", checklist)
                .into());
        }
        let bumped = tx_run!(&mut tx, |c| {
            sqlx::query("UPDATE checklists SET revision = revision + 1, updated_at = $3 WHERE id = $1 AND revision = $2")
                .bind(checklist)
                .bind(revision)
                .bind(&now)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if bumped == 0 {
            return Err(Problem::new("MAMORI-CHECKLIST-STALE")
                .with("name", &before.name)
                .into());
        }
        let old: Option<ChecklistItem> = match position {
            Some(p) => {
                let found: Option<ChecklistItem> = tx_run!(&mut tx, |c| {
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "{ITEM_SELECT} WHERE checklist_id = $1 AND position = $2"
                    )))
                    .bind(checklist)
                    .bind(p)
                    .fetch_optional(&mut *c)
                    .await?
                });
                let Some(found) = found else {
                    return Err(StoreError::not_found("checklist item", p));
                };
                tx_run!(&mut tx, |c| {
                    sqlx::query(
                        "UPDATE checklist_items SET provision = $2, chapter = $3, question = $4, mandatory = $5, \
                         evidence_hint = $6, method = $7, answers = $8 WHERE id = $1",
                    )
                    .bind(found.id)
                    .bind(&item.provision)
                    .bind(item.chapter)
                    .bind(&item.question)
                    .bind(item.mandatory)
                    .bind(&item.evidence_hint)
                    .bind(&item.method)
                    .bind(&item.answers)
                    .execute(&mut *c)
                    .await?;
                });
                Some(found)
            }
            None => {
                insert_item(&mut tx, checklist, before.item_count + 1, item).await?;
                None
            }
        };
        let after = checklist_in_tx(&mut tx, checklist).await?;
        tx.append_event(
            actor,
            Entity::Checklist,
            checklist,
            Verb::Update,
            Some(&(&before, &old)),
            Some(&(&after, item)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ------------------------------------------------------------ campaigns

    /// Opens a campaign: the template is copied (frozen) with its items, and a
    /// questionnaire made for each unit or system.
    pub async fn open_inspection(
        &self,
        actor: &Actor,
        input: &InspectionInput,
    ) -> Result<InspectionRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let (frozen, template) = freeze_checklist(&mut tx, actor, input.template_id, &now).await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO inspections (title, checklist_id, target_kind, deadline, status, item_count, \
                 opened_by, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) RETURNING id",
            )
            .bind(&input.title)
            .bind(frozen)
            .bind(&input.target_kind)
            .bind(&input.deadline)
            .bind(template.item_count)
            .bind(actor.label())
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let column = if input.target_kind == "system" {
            "system_id"
        } else {
            "unit_id"
        };
        for chunk in input.target_ids.chunks(500) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(format!(
                    "INSERT INTO inspection_targets (inspection_id, {column}, state, revision, updated_at) "
                ));
                qb.push_values(chunk, |mut b, target| {
                    b.push_bind(id)
                        .push_bind(*target)
                        .push_bind("not_started")
                        .push_bind(1_i64)
                        .push_bind(&now);
                });
                qb.build().execute(&mut *c).await?;
            });
        }
        let after = inspection_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Inspection,
            id,
            Verb::Create,
            None::<&()>,
            Some(&(&after, &input.target_ids)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One page of the campaigns, newest first.
    pub async fn list_inspections(
        &self,
        page: PageRequest,
    ) -> Result<Page<InspectionRow>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<InspectionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{INSPECTION_SELECT} ORDER BY n.id DESC LIMIT $1 OFFSET $2"
            )))
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspections")
                .fetch_one(pool)
                .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// One campaign.
    pub async fn inspection(&self, id: i64) -> Result<InspectionRow, StoreError> {
        let found: Option<InspectionRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{INSPECTION_SELECT} WHERE n.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("self-inspection", id))
    }

    /// One page of a campaign's questionnaires, by the unit's or system's code.
    pub async fn inspection_targets(
        &self,
        inspection: i64,
        filter: &TargetFilter,
        page: PageRequest,
    ) -> Result<Page<TargetRow>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(TARGET_SELECT);
            push_target_filter(&mut qb, inspection, filter);
            qb.push(" ORDER BY target_code, t.id LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<TargetRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM inspection_targets t");
            push_target_filter(&mut count, inspection, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// One questionnaire of a campaign, by the unit's (or system's) id.
    pub async fn inspection_target(
        &self,
        inspection: i64,
        unit_or_system: i64,
    ) -> Result<TargetRow, StoreError> {
        let found: Option<TargetRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{TARGET_SELECT} WHERE t.inspection_id = $1 AND COALESCE(t.unit_id, t.system_id) = $2"
            )))
            .bind(inspection)
            .bind(unit_or_system)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| {
            StoreError::not_found("questionnaire", format!("{inspection}/{unit_or_system}"))
        })
    }

    /// The questionnaires of these units and systems in open campaigns (for a
    /// unit's page: what it has to answer).
    pub async fn open_targets_of(
        &self,
        units: &[i64],
        systems: &[i64],
    ) -> Result<Vec<(InspectionRow, TargetRow)>, StoreError> {
        if units.is_empty() && systems.is_empty() {
            return Ok(Vec::new());
        }
        let targets: Vec<TargetRow> = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(TARGET_SELECT);
            qb.push(" JOIN inspections n ON n.id = t.inspection_id WHERE n.status = 'open' AND (t.unit_id IN (");
            let mut sep = qb.separated(", ");
            sep.push_bind(-1_i64);
            for u in units {
                sep.push_bind(*u);
            }
            qb.push(") OR t.system_id IN (");
            let mut sep = qb.separated(", ");
            sep.push_bind(-1_i64);
            for s in systems {
                sep.push_bind(*s);
            }
            qb.push(")) ORDER BY t.inspection_id DESC, target_code LIMIT 200");
            qb.build_query_as().fetch_all(pool).await?
        });
        let mut out = Vec::new();
        for t in targets {
            // At most a handful of open campaigns: one read each.
            let n = match out
                .iter()
                .find(|(n, _): &&(InspectionRow, TargetRow)| n.id == t.inspection_id)
            {
                Some((n, _)) => n.clone(),
                None => self.inspection(t.inspection_id).await?,
            };
            out.push((n, t));
        }
        Ok(out)
    }

    /// The saved answers of a questionnaire.
    pub async fn target_answers(&self, target: i64) -> Result<Vec<AnswerRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT item_id, answer, comment, answered_by, answered_at FROM inspection_answers \
                 WHERE target_id = $1 ORDER BY item_id",
            )
            .bind(target)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The evidence attached to a questionnaire's answers, by item then age.
    pub async fn answer_evidence(&self, target: i64) -> Result<Vec<AnswerEvidence>, StoreError> {
        self.item_evidence(EVIDENCE_OF_ANSWER, target).await
    }

    /// The evidence attached to the items of a record (a questionnaire, an
    /// audit), by item then age.
    pub(crate) async fn item_evidence(
        &self,
        owner_kind: &str,
        owner_id: i64,
    ) -> Result<Vec<AnswerEvidence>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT l.item_id, {} FROM evidence e JOIN evidence_links l ON l.evidence_id = e.id \
                 WHERE l.owner_kind = $1 AND l.owner_id = $2 AND l.item_id IS NOT NULL \
                 ORDER BY l.item_id, e.id",
                crate::controls::EVIDENCE_FIELDS
            )))
            .bind(owner_kind)
            .bind(owner_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One questionnaire by its own id.
    pub async fn inspection_target_by_id(&self, id: i64) -> Result<TargetRow, StoreError> {
        let found: Option<TargetRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{TARGET_SELECT} WHERE t.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("questionnaire", id))
    }

    /// Attaches evidence to the answer of an item, while the questionnaire
    /// may be answered (the campaign open, its deadline not past `today`,
    /// not submitted) and the item is of the campaign's checklist; the file's
    /// SHA-256 goes into the event log.
    pub async fn attach_answer_evidence(
        &self,
        actor: &Actor,
        target: &TargetRow,
        item_id: i64,
        new: crate::controls::NewEvidence,
        note: &str,
        today: &str,
    ) -> Result<crate::controls::EvidenceRow, StoreError> {
        let mut tx = self.db.begin().await?;
        let inspection = inspection_in_tx(&mut tx, target.inspection_id).await?;
        let current = target_in_tx(&mut tx, target.id).await?;
        check_answerable(&inspection, &current, current.revision, today)?;
        let row = insert_item_evidence(
            &mut tx,
            actor,
            ItemOf {
                checklist: Some(inspection.checklist_id),
                owner_kind: EVIDENCE_OF_ANSWER,
                owner_id: target.id,
                item_id,
                problem: Problem::new("MAMORI-INSPECTION-ITEM").with("item", item_id),
            },
            new,
            note,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Saves answers of a questionnaire (all or none), refused when it was
    /// saved since `revision` was read (409), it is submitted, the campaign
    /// is closed or its deadline (YYYY-MM-DD) is before `today`.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        target: &TargetRow,
        revision: i64,
        answers: &[AnswerInput],
        today: &str,
    ) -> Result<TargetRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let inspection = inspection_in_tx(&mut tx, target.inspection_id).await?;
        let before = target_in_tx(&mut tx, target.id).await?;
        check_answerable(&inspection, &before, revision, today)?;
        let who = actor.label();
        let prior: Vec<(i64, String)> = tx_run!(&mut tx, |c| {
            sqlx::query_as("SELECT item_id, answer FROM inspection_answers WHERE target_id = $1")
                .bind(target.id)
                .fetch_all(&mut *c)
                .await?
        });
        let prior: std::collections::HashMap<i64, String> = prior.into_iter().collect();
        for a in answers {
            let old = prior.get(&a.item_id).map(String::as_str);
            let (d_answered, d_points, d_applicable, d_not_done) =
                answer_delta(old, Some(a.answer.code()));
            if (d_answered, d_points, d_applicable, d_not_done) != (0, 0, 0, 0) {
                tx_run!(&mut tx, |c| {
                    sqlx::query(
                        "UPDATE checklist_items SET answered = answered + $2, points = points + $3, \
                         applicable = applicable + $4, not_done = not_done + $5 WHERE id = $1",
                    )
                    .bind(a.item_id)
                    .bind(d_answered)
                    .bind(d_points)
                    .bind(d_applicable)
                    .bind(d_not_done)
                    .execute(&mut *c)
                    .await?;
                });
            }
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO inspection_answers (target_id, item_id, answer, comment, answered_by, answered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target_id, item_id) DO UPDATE SET \
                     answer = excluded.answer, comment = excluded.comment, answered_by = excluded.answered_by, \
                     answered_at = excluded.answered_at",
                )
                .bind(target.id)
                .bind(a.item_id)
                .bind(a.answer.code())
                .bind(&a.comment)
                .bind(&who)
                .bind(&now)
                .execute(&mut *c)
                .await?;
            });
        }
        let bumped = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE inspection_targets SET revision = revision + 1, state = 'in_progress', updated_at = $3 \
                 WHERE id = $1 AND revision = $2 AND state <> 'submitted'",
            )
            .bind(target.id)
            .bind(revision)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if bumped == 0 {
            return Err(stale(&before));
        }
        tx_run!(&mut tx, |c| {
            sqlx::query(TALLY_UPDATE)
                .bind(target.id)
                .execute(&mut *c)
                .await?;
        });
        let after = target_in_tx(&mut tx, target.id).await?;
        tx.append_event(
            actor,
            Entity::InspectionTarget,
            target.id,
            Verb::Answer,
            Some(&before),
            Some(&(&after, answers)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Submits a questionnaire: refused as for a save, and when a mandatory
    /// item is unanswered (the problem names their numbers).
    pub async fn submit_target(
        &self,
        actor: &Actor,
        target: &TargetRow,
        revision: i64,
        today: &str,
    ) -> Result<TargetRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let inspection = inspection_in_tx(&mut tx, target.inspection_id).await?;
        let before = target_in_tx(&mut tx, target.id).await?;
        check_answerable(&inspection, &before, revision, today)?;
        let missing: Vec<i64> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "SELECT i.position FROM checklist_items i WHERE i.checklist_id = $1 AND i.mandatory \
                 AND NOT EXISTS (SELECT 1 FROM inspection_answers a WHERE a.target_id = $2 AND a.item_id = i.id) \
                 ORDER BY i.position",
            )
            .bind(inspection.checklist_id)
            .bind(target.id)
            .fetch_all(&mut *c)
            .await?
        });
        if !missing.is_empty() {
            let shown: Vec<String> = missing.iter().take(20).map(|p| p.to_string()).collect();
            return Err(Problem::new("MAMORI-INSPECTION-MANDATORY-MISSING")
                .field("answers")
                .with("count", missing.len())
                .with("items", shown.join(", "))
                .into());
        }
        let done = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE inspection_targets SET state = 'submitted', revision = revision + 1, submitted_at = $3, \
                 submitted_by = $4, updated_at = $3 WHERE id = $1 AND revision = $2 AND state <> 'submitted'",
            )
            .bind(target.id)
            .bind(revision)
            .bind(&now)
            .bind(actor.label())
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(stale(&before));
        }
        let after = target_in_tx(&mut tx, target.id).await?;
        tx.append_event(
            actor,
            Entity::InspectionTarget,
            target.id,
            Verb::Submit,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Returns a submitted questionnaire for correction, with a note.
    pub async fn return_target(
        &self,
        actor: &Actor,
        target: &TargetRow,
        note: &str,
    ) -> Result<TargetRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = target_in_tx(&mut tx, target.id).await?;
        let done = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE inspection_targets SET state = 'in_progress', revision = revision + 1, returned_note = $2, \
                 submitted_at = NULL, submitted_by = NULL, updated_at = $3 WHERE id = $1 AND state = 'submitted'",
            )
            .bind(target.id)
            .bind(note)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(Problem::new("MAMORI-INSPECTION-NOT-SUBMITTED")
                .with("target", &before.target_name)
                .into());
        }
        let after = target_in_tx(&mut tx, target.id).await?;
        tx.append_event(
            actor,
            Entity::InspectionTarget,
            target.id,
            Verb::Return,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records a reminder to every questionnaire of the campaign not yet
    /// submitted; how many were reminded.
    pub async fn remind_targets(&self, actor: &Actor, inspection: i64) -> Result<u64, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let row = inspection_in_tx(&mut tx, inspection).await?;
        let ids: Vec<i64> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "SELECT id FROM inspection_targets WHERE inspection_id = $1 AND state <> 'submitted' ORDER BY id",
            )
            .bind(inspection)
            .fetch_all(&mut *c)
            .await?
        });
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE inspection_targets SET reminders = reminders + 1, reminded_at = $2 \
                 WHERE inspection_id = $1 AND state <> 'submitted'",
            )
            .bind(inspection)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        tx.append_event(
            actor,
            Entity::Inspection,
            inspection,
            Verb::Remind,
            None::<&()>,
            Some(&serde_json::json!({"title": row.title, "reminded": ids})),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    // -------------------------------------------------------------- results

    /// The campaign's totals over every questionnaire.
    pub async fn campaign_totals(&self, inspection: i64) -> Result<CampaignTotals, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) AS targets, \
                 COALESCE(CAST(SUM(CASE WHEN state = 'submitted' THEN 1 ELSE 0 END) AS BIGINT), 0) AS submitted, \
                 COALESCE(CAST(SUM(answered) AS BIGINT), 0) AS answered, \
                 COALESCE(CAST(SUM(points) AS BIGINT), 0) AS points, \
                 COALESCE(CAST(SUM(applicable) AS BIGINT), 0) AS applicable \
                 FROM inspection_targets WHERE inspection_id = $1",
            )
            .bind(inspection)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Scores per standards chapter (key: the chapter number, label its name),
    /// from the items' running totals.
    pub async fn chapter_scores(&self, inspection: i64) -> Result<Vec<ScoreRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.chapter AS key, COALESCE(MAX(sc.name), '') AS label, \
                 CAST(SUM(i.points) AS BIGINT) AS points, CAST(SUM(i.applicable) AS BIGINT) AS applicable, \
                 CAST(SUM(i.not_done) AS BIGINT) AS not_done \
                 FROM inspections n JOIN checklist_items i ON i.checklist_id = n.checklist_id \
                 LEFT JOIN standard_chapters sc ON sc.number = i.chapter \
                 WHERE n.id = $1 GROUP BY i.chapter HAVING SUM(i.answered) > 0 ORDER BY i.chapter",
            )
            .bind(inspection)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The weakest items (lowest score first, then by position), at most
    /// `limit`, from the items' running totals.
    pub async fn weakest_items(
        &self,
        inspection: i64,
        limit: i64,
    ) -> Result<Vec<ScoreRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.id AS key, i.question AS label, i.points, i.applicable, i.not_done \
                 FROM inspections n JOIN checklist_items i ON i.checklist_id = n.checklist_id \
                 WHERE n.id = $1 AND i.applicable > 0 \
                 ORDER BY CAST(i.points AS DOUBLE PRECISION) / i.applicable, i.position, i.id LIMIT $2",
            )
            .bind(inspection)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every questionnaire of a campaign, by the unit's or system's code (for
    /// the report; the pages take them a page at a time).
    pub async fn all_inspection_targets(
        &self,
        inspection: i64,
    ) -> Result<Vec<TargetRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{TARGET_SELECT} WHERE t.inspection_id = $1 ORDER BY target_code, t.id"
            )))
            .bind(inspection)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every item of a campaign's checklist with its figures, in order.
    pub async fn item_scores(&self, inspection: i64) -> Result<Vec<ItemScoreRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.id AS item_id, i.position, i.provision, i.chapter, i.question, i.mandatory, \
                 i.answered, i.points, i.applicable, i.not_done \
                 FROM inspections n JOIN checklist_items i ON i.checklist_id = n.checklist_id \
                 WHERE n.id = $1 ORDER BY i.position, i.id",
            )
            .bind(inspection)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The campaigns of the same kind opened from the same template as this
    /// one, up to it, oldest first, each with its totals (the trend).
    pub async fn inspection_trend(
        &self,
        inspection: &InspectionRow,
    ) -> Result<Vec<TrendRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT n.id AS inspection_id, n.title, n.created_at, \
                 COALESCE(CAST(SUM(t.points) AS BIGINT), 0) AS points, \
                 COALESCE(CAST(SUM(t.applicable) AS BIGINT), 0) AS applicable \
                 FROM inspections n JOIN checklists c ON c.id = n.checklist_id \
                 JOIN checklists mine ON mine.id = $2 \
                 LEFT JOIN inspection_targets t ON t.inspection_id = n.id \
                 WHERE n.id <= $1 AND n.target_kind = $3 \
                 AND (n.id = $1 OR c.copied_from = mine.copied_from) \
                 GROUP BY n.id, n.title, n.created_at ORDER BY n.id",
            )
            .bind(inspection.id)
            .bind(inspection.checklist_id)
            .bind(&inspection.target_kind)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The previous campaign of the same kind opened from the same template
    /// (for the year-over-year comparison).
    pub async fn previous_inspection(
        &self,
        inspection: &InspectionRow,
    ) -> Result<Option<i64>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT n.id FROM inspections n JOIN checklists c ON c.id = n.checklist_id \
                 JOIN checklists mine ON mine.id = $2 \
                 WHERE n.id < $1 AND n.target_kind = $3 AND c.copied_from = mine.copied_from \
                 ORDER BY n.id DESC LIMIT 1",
            )
            .bind(inspection.id)
            .bind(inspection.checklist_id)
            .bind(&inspection.target_kind)
            .fetch_optional(pool)
            .await?
        }))
    }
}

/// How an item's running totals change when a questionnaire's answer goes
/// from `old` to `new` (None: no answer): answered, points, applicable,
/// not done.
fn answer_delta(old: Option<&str>, new: Option<&str>) -> (i64, i64, i64, i64) {
    let of = |a: Option<&str>| match a {
        None => (0, 0, 0, 0),
        Some(code) => (
            1,
            match code {
                "done" => 2,
                "partial" => 1,
                _ => 0,
            },
            i64::from(code != "not_applicable"),
            i64::from(code == "not_done"),
        ),
    };
    let (a, b) = (of(old), of(new));
    (b.0 - a.0, b.1 - a.1, b.2 - a.2, b.3 - a.3)
}

async fn insert_item(
    tx: &mut crate::Tx,
    checklist: i64,
    position: i64,
    item: &ItemInput,
) -> Result<(), StoreError> {
    tx_run!(tx, |c| {
        sqlx::query(
            "INSERT INTO checklist_items (checklist_id, position, provision, chapter, question, mandatory, \
             evidence_hint, method, answers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(checklist)
        .bind(position)
        .bind(&item.provision)
        .bind(item.chapter)
        .bind(&item.question)
        .bind(item.mandatory)
        .bind(&item.evidence_hint)
        .bind(&item.method)
        .bind(&item.answers)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Copies a template (frozen) with its items: the copy's id and the
/// template. Used by a campaign and by an audit, so that later edits of the
/// template never change their items.
pub(crate) async fn freeze_checklist(
    tx: &mut crate::Tx,
    actor: &Actor,
    template_id: i64,
    now: &str,
) -> Result<(i64, ChecklistRow), StoreError> {
    let template = checklist_in_tx(tx, template_id).await?;
    let frozen: i64 = tx_run!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO checklists (name, description, source, frozen, copied_from, revision, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, TRUE, $4, 1, $5, $6, $6) RETURNING id",
        )
        .bind(&template.name)
        .bind(&template.description)
        .bind(&template.source)
        .bind(template.id)
        .bind(actor.label())
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    tx_run!(tx, |c| {
        sqlx::query(
            "INSERT INTO checklist_items (checklist_id, position, provision, chapter, question, mandatory, \
             evidence_hint, method, answers) SELECT $1, position, provision, chapter, question, mandatory, \
             evidence_hint, method, answers FROM checklist_items WHERE checklist_id = $2",
        )
        .bind(frozen)
        .bind(template.id)
        .execute(&mut *c)
        .await?;
    });
    Ok((frozen, template))
}

async fn checklist_in_tx(tx: &mut crate::Tx, id: i64) -> Result<ChecklistRow, StoreError> {
    let found: Option<ChecklistRow> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{CHECKLIST_SELECT} WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    found.ok_or_else(|| StoreError::not_found("checklist", id))
}

async fn inspection_in_tx(tx: &mut crate::Tx, id: i64) -> Result<InspectionRow, StoreError> {
    let found: Option<InspectionRow> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{INSPECTION_SELECT} WHERE n.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    found.ok_or_else(|| StoreError::not_found("self-inspection", id))
}

async fn target_in_tx(tx: &mut crate::Tx, id: i64) -> Result<TargetRow, StoreError> {
    let found: Option<TargetRow> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TARGET_SELECT} WHERE t.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    found.ok_or_else(|| StoreError::not_found("questionnaire", id))
}

/// The item of a record's checklist an evidence is for, and the problem to
/// answer when the item is not of that checklist.
pub(crate) struct ItemOf<'a> {
    pub checklist: Option<i64>,
    pub owner_kind: &'a str,
    pub owner_id: i64,
    pub item_id: i64,
    pub problem: Problem,
}

/// Stores an evidence of an item of a record's checklist (refused with
/// `of.problem`, on field item_id, when the item is not of it).
pub(crate) async fn insert_item_evidence(
    tx: &mut crate::Tx,
    actor: &Actor,
    of: ItemOf<'_>,
    new: crate::controls::NewEvidence,
    note: &str,
) -> Result<crate::controls::EvidenceRow, StoreError> {
    let found: Option<i64> = tx_run!(tx, |c| {
        sqlx::query_scalar("SELECT id FROM checklist_items WHERE id = $1 AND checklist_id = $2")
            .bind(of.item_id)
            .bind(of.checklist)
            .fetch_optional(&mut *c)
            .await?
    });
    if found.is_none() {
        return Err(of.problem.field("item_id").into());
    }
    crate::controls::insert_evidence(
        tx,
        actor,
        crate::controls::EvidenceOwner {
            kind: of.owner_kind,
            id: of.owner_id,
            item: Some(of.item_id),
        },
        new,
        note,
    )
    .await
}

fn check_answerable(
    inspection: &InspectionRow,
    target: &TargetRow,
    revision: i64,
    today: &str,
) -> Result<(), StoreError> {
    if inspection.status != "open" || inspection.deadline.as_str() < today {
        return Err(Problem::new("MAMORI-INSPECTION-CLOSED")
            .with("deadline", &inspection.deadline)
            .into());
    }
    if target.state == TargetState::Submitted.code() {
        return Err(Problem::new("MAMORI-INSPECTION-SUBMITTED")
            .with("target", &target.target_name)
            .into());
    }
    if target.revision != revision {
        return Err(stale(target));
    }
    Ok(())
}

fn stale(target: &TargetRow) -> StoreError {
    Problem::new("MAMORI-INSPECTION-STALE")
        .with("target", &target.target_name)
        .into()
}
