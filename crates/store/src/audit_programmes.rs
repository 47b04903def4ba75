//! Audits (監査, 第10; issue 14 part 2): a multi-year programme with its
//! yearly plans, audits (in a plan, or ad hoc as the CISO orders) with their
//! scope, period, status, auditors (users of Mamori or external auditors by
//! name and firm) and frozen checklist copy, and the result of each item with
//! the evidence seen.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use crate::audits::{ChecklistItem, freeze_checklist};
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::problem::Problem;

/// The record kind an audit's evidence is linked to (the audit).
pub const EVIDENCE_OF_AUDIT: &str = "audit";

/// A programme with its years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ProgrammeRow {
    pub id: i64,
    pub title: String,
    pub first_year: i64,
    pub last_year: i64,
    pub created_at: String,
}

/// A yearly plan of a programme, with its number of audits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub programme_id: i64,
    pub fiscal_year: i64,
    pub notes: String,
    pub audits: i64,
}

/// An audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub fiscal_year: Option<i64>,
    pub title: String,
    /// Space-separated ids.
    pub scope_units: String,
    pub scope_systems: String,
    /// Space-separated chapter numbers.
    pub scope_chapters: String,
    pub period_from: String,
    pub period_to: String,
    /// planned, in_progress, reported, closed.
    pub status: String,
    pub checklist_id: Option<i64>,
    pub ordered_by: Option<i64>,
    pub orderer_name: Option<String>,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An auditor of an audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditorRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub name: String,
    pub firm: String,
    pub external: bool,
}

/// An auditor as assigned (checked by the operation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditorInput {
    pub user_id: Option<i64>,
    pub name: String,
    pub firm: String,
    pub external: bool,
}

/// An audit as entered (checked by the operation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditInput {
    pub plan_id: Option<i64>,
    pub title: String,
    pub scope_units: Vec<i64>,
    pub scope_systems: Vec<i64>,
    pub scope_chapters: Vec<i64>,
    pub period_from: String,
    pub period_to: String,
    /// The checklist template copied (frozen) for the audit.
    pub template_id: Option<i64>,
    /// The CISO who ordered an audit outside the plan.
    pub ordered_by: Option<i64>,
    pub auditors: Vec<AuditorInput>,
}

/// An item of the audit's checklist with its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ResultRow {
    pub item_id: i64,
    pub position: i64,
    pub provision: String,
    pub chapter: i64,
    pub question: String,
    pub mandatory: bool,
    pub evidence_hint: String,
    pub result: Option<String>,
    pub evidence: Option<String>,
    pub evidence_link: Option<String>,
    pub recorder_name: Option<String>,
    pub recorded_at: Option<String>,
}

/// A result as recorded (checked by the operation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResultInput {
    pub item_id: i64,
    /// conforming, nonconforming, observation, not_applicable.
    pub result: String,
    pub evidence: String,
    pub evidence_link: String,
}

const AUDIT_SELECT: &str = "SELECT a.id, a.plan_id, p.fiscal_year, a.title, a.scope_units, a.scope_systems, \
     a.scope_chapters, a.period_from, a.period_to, a.status, a.checklist_id, a.ordered_by, \
     o.display_name AS orderer_name, a.revision, a.created_at, a.updated_at \
     FROM audits a LEFT JOIN audit_plans p ON p.id = a.plan_id LEFT JOIN users o ON o.id = a.ordered_by";

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

async fn audit_in_tx(tx: &mut crate::Tx, id: i64) -> Result<AuditRow, StoreError> {
    let found: Option<AuditRow> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{AUDIT_SELECT} WHERE a.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    found.ok_or_else(|| StoreError::not_found("audit", id))
}

impl Store {
    /// Creates a programme with one plan for each fiscal year.
    pub async fn create_programme(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
        title: &str,
        first_year: i64,
        last_year: i64,
    ) -> Result<ProgrammeRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO audit_programmes (title, first_year, last_year, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(title)
            .bind(first_year)
            .bind(last_year)
            .bind(user_id)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        for year in first_year..=last_year {
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO audit_plans (programme_id, fiscal_year, notes) VALUES ($1, $2, '')",
                )
                .bind(id)
                .bind(year)
                .execute(&mut *c)
                .await?;
            });
        }
        let after = ProgrammeRow {
            id,
            title: title.to_string(),
            first_year,
            last_year,
            created_at: now,
        };
        tx.append_event(
            actor,
            Entity::AuditProgramme,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The people who may be chosen as auditors (active users holding the
    /// auditor role), by unit code then name, at most 1,000.
    // --- h14 ---
    pub async fn auditor_candidates(&self) -> Result<Vec<crate::users::PersonName>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.username, u.display_name, n.name AS unit_name, n.name_en AS unit_name_en \
                 FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'auditor' \
                 LEFT JOIN units n ON n.id = u.unit_id WHERE u.active \
                 ORDER BY COALESCE(n.code, ''), u.display_name, u.id LIMIT 1000",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every programme, newest first.
    pub async fn list_programmes(&self) -> Result<Vec<ProgrammeRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, title, first_year, last_year, created_at FROM audit_programmes ORDER BY id DESC",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The yearly plans of a programme, by year.
    pub async fn programme_plans(&self, programme: i64) -> Result<Vec<PlanRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.programme_id, p.fiscal_year, p.notes, \
                 (SELECT COUNT(*) FROM audits a WHERE a.plan_id = p.id) AS audits \
                 FROM audit_plans p WHERE p.programme_id = $1 ORDER BY p.fiscal_year",
            )
            .bind(programme)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Whether a plan exists.
    pub async fn plan_exists(&self, plan: i64) -> Result<bool, StoreError> {
        let n: i64 = db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_plans WHERE id = $1")
                .bind(plan)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Creates an audit (status planned) with its auditors and, given a
    /// template, a frozen copy of it.
    pub async fn create_audit(
        &self,
        actor: &Actor,
        input: &AuditInput,
    ) -> Result<AuditRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let checklist = match input.template_id {
            Some(t) => Some(freeze_checklist(&mut tx, actor, t, &now).await?.0),
            None => None,
        };
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO audits (plan_id, title, scope_units, scope_systems, scope_chapters, period_from, \
                 period_to, status, checklist_id, ordered_by, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8, $9, 1, $10, $10) RETURNING id",
            )
            .bind(input.plan_id)
            .bind(&input.title)
            .bind(ids(&input.scope_units))
            .bind(ids(&input.scope_systems))
            .bind(ids(&input.scope_chapters))
            .bind(&input.period_from)
            .bind(&input.period_to)
            .bind(checklist)
            .bind(input.ordered_by)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        for a in &input.auditors {
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO audit_auditors (audit_id, user_id, name, firm, external) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(a.user_id)
                .bind(&a.name)
                .bind(&a.firm)
                .bind(a.external)
                .execute(&mut *c)
                .await?;
            });
        }
        let after = audit_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Audit,
            id,
            Verb::Create,
            None::<&()>,
            Some(&(&after, &input.auditors)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One audit.
    pub async fn audit(&self, id: i64) -> Result<AuditRow, StoreError> {
        let found: Option<AuditRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE a.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| StoreError::not_found("audit", id))
    }

    /// The auditors of an audit.
    pub async fn audit_auditors(&self, id: i64) -> Result<Vec<AuditorRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, name, firm, external FROM audit_auditors WHERE audit_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One page of the audits (of one plan, or ad hoc with `plan` Some(0);
    /// None: all), newest first.
    pub async fn list_audits(
        &self,
        plan: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<AuditRow>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let filter = |qb: &mut QueryBuilder<_>| {
                match plan {
                    Some(0) => {
                        qb.push(" WHERE a.plan_id IS NULL");
                    }
                    Some(p) => {
                        qb.push(" WHERE a.plan_id = ").push_bind(p);
                    }
                    None => {}
                };
            };
            let mut qb = QueryBuilder::new(AUDIT_SELECT);
            filter(&mut qb);
            qb.push(" ORDER BY a.id DESC LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<AuditRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM audits a");
            filter(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// The audits, planned or in progress, that this user audits (for their
    /// to-do list), the soonest end of period first.
    pub async fn open_audits_of_auditor(&self, user_id: i64) -> Result<Vec<AuditRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE a.status IN ('planned', 'in_progress') \
                 AND a.id IN (SELECT audit_id FROM audit_auditors WHERE user_id = $1) \
                 ORDER BY a.period_to, a.id LIMIT 50"
            )))
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Moves an audit to `status` (checked by the operation).
    pub async fn set_audit_status(
        &self,
        actor: &Actor,
        id: i64,
        revision: i64,
        status: &str,
    ) -> Result<AuditRow, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = audit_in_tx(&mut tx, id).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE audits SET status = $3, revision = revision + 1, updated_at = $4 \
                 WHERE id = $1 AND revision = $2",
            )
            .bind(id)
            .bind(revision)
            .bind(status)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(Problem::new("MAMORI-AUDIT-STALE").with("id", id).into());
        }
        let after = audit_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Audit,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The items of the audit's checklist with their results, in order.
    pub async fn audit_results(&self, id: i64) -> Result<Vec<ResultRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.id AS item_id, i.position, i.provision, i.chapter, i.question, i.mandatory, \
                 i.evidence_hint, r.result, r.evidence, r.evidence_link, u.display_name AS recorder_name, \
                 r.recorded_at FROM audits a JOIN checklist_items i ON i.checklist_id = a.checklist_id \
                 LEFT JOIN audit_results r ON r.audit_id = a.id AND r.item_id = i.id \
                 LEFT JOIN users u ON u.id = r.recorded_by WHERE a.id = $1 ORDER BY i.position",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The item of an audit's checklist, if it is one.
    pub async fn audit_item(
        &self,
        audit: i64,
        item: i64,
    ) -> Result<Option<ChecklistItem>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.id, i.checklist_id, i.position, i.provision, i.chapter, i.question, i.mandatory, \
                 i.evidence_hint, i.method, i.answers FROM checklist_items i \
                 JOIN audits a ON a.checklist_id = i.checklist_id WHERE a.id = $1 AND i.id = $2",
            )
            .bind(audit)
            .bind(item)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The evidence attached to an audit's results, by item then age.
    pub async fn audit_evidence(
        &self,
        audit: i64,
    ) -> Result<Vec<crate::audits::AnswerEvidence>, StoreError> {
        self.item_evidence(EVIDENCE_OF_AUDIT, audit).await
    }

    /// Attaches evidence seen to an item's result while the audit is planned
    /// or in progress and the item is of its checklist; the file's SHA-256
    /// goes into the event log.
    pub async fn attach_audit_evidence(
        &self,
        actor: &Actor,
        audit: i64,
        item_id: i64,
        new: crate::controls::NewEvidence,
        note: &str,
    ) -> Result<crate::controls::EvidenceRow, StoreError> {
        let mut tx = self.db.begin().await?;
        let found: Option<(String, Option<i64>)> = tx_run!(&mut tx, |c| {
            sqlx::query_as("SELECT status, checklist_id FROM audits WHERE id = $1")
                .bind(audit)
                .fetch_optional(&mut *c)
                .await?
        });
        let (status, checklist) = found.ok_or_else(|| StoreError::not_found("audit", audit))?;
        if !matches!(status.as_str(), "planned" | "in_progress") {
            return Err(Problem::new("MAMORI-AUDIT-CLOSED")
                .with("status", &status)
                .into());
        }
        let row = crate::audits::insert_item_evidence(
            &mut tx,
            actor,
            crate::audits::ItemOf {
                checklist,
                owner_kind: EVIDENCE_OF_AUDIT,
                owner_id: audit,
                item_id,
                problem: Problem::new("MAMORI-AUDIT-ITEM").with("id", item_id),
            },
            new,
            note,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Records (or replaces) the result of one item.
    pub async fn record_audit_result(
        &self,
        actor: &Actor,
        user_id: i64,
        audit: i64,
        input: &ResultInput,
    ) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO audit_results (audit_id, item_id, result, evidence, evidence_link, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (audit_id, item_id) DO UPDATE \
                 SET result = excluded.result, evidence = excluded.evidence, \
                 evidence_link = excluded.evidence_link, recorded_by = excluded.recorded_by, \
                 recorded_at = excluded.recorded_at",
            )
            .bind(audit)
            .bind(input.item_id)
            .bind(&input.result)
            .bind(&input.evidence)
            .bind(&input.evidence_link)
            .bind(user_id)
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
        tx.append_event(
            actor,
            Entity::AuditResult,
            format!("{audit}:{}", input.item_id),
            Verb::Record,
            None::<&()>,
            Some(input),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
