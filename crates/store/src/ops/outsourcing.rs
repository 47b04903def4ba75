//! Contractors (委託先) with their contracts, staff and periodic assessments,
//! and external services (外部サービス) with their ISMAP registration and α'
//! approval.

use serde::{Deserialize, Serialize};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A contractor as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContractorRecord {
    pub id: i64,
    pub name: String,
    pub business: String,
    /// Space-separated information system ids.
    pub systems: String,
    pub highest_class: String,
    pub data_location: String,
    /// Space-separated codes of the selection criteria met.
    pub criteria_met: String,
    pub criteria_note: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The latest assessment's day and when the next is due (none: never assessed).
    pub last_assessed: Option<String>,
    pub next_due: Option<String>,
}

/// A contractor as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContractorInput {
    pub name: String,
    pub business: String,
    pub systems: Vec<i64>,
    pub highest_class: String,
    pub data_location: String,
}

/// A contract with a contractor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContractRecord {
    pub id: i64,
    pub contractor_id: i64,
    pub contractor_name: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// Space-separated requirement codes.
    pub clauses: String,
    pub created_at: String,
}

/// A contract as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContractInput {
    pub title: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub clauses: Vec<String>,
}

/// One of the contractor's staff on the city's work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContractorStaffRecord {
    pub id: i64,
    pub contractor_id: i64,
    pub user_id: Option<i64>,
    /// The user's name, or the name entered.
    pub name: String,
    pub created_at: String,
}

/// A periodic assessment of a contractor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AssessmentRecord {
    pub id: i64,
    pub contractor_id: i64,
    pub assessed_on: String,
    pub result: String,
    pub follow_up: String,
    pub next_due: String,
    pub recorder_name: Option<String>,
    pub created_at: String,
}

/// An assessment as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssessmentInput {
    pub assessed_on: String,
    pub result: String,
    pub follow_up: String,
    pub next_due: String,
}

/// An external service as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ServiceRecord {
    pub id: i64,
    pub name: String,
    pub contractor_id: Option<i64>,
    pub contractor_name: Option<String>,
    pub cloud: bool,
    pub purpose: String,
    pub systems: String,
    pub highest_class: String,
    pub data_location: String,
    pub ismap: bool,
    pub ismap_id: String,
    pub alpha_prime: bool,
    /// The address ranges it is reached at (CIDR, one a line).
    pub ranges: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An external service as entered (already checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceInput {
    pub name: String,
    pub contractor_id: Option<i64>,
    pub cloud: bool,
    pub purpose: String,
    pub systems: Vec<i64>,
    pub highest_class: String,
    pub data_location: String,
    pub ismap: bool,
    pub ismap_id: String,
    pub alpha_prime: bool,
    /// The address ranges it is reached at (CIDR, already checked).
    pub ranges: Vec<String>,
}

/// Which contractors a list shows (every field optional).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContractorFilter {
    /// Text in the name or the business.
    pub q: Option<String>,
    /// Works for this information system.
    pub system: Option<i64>,
    /// Handles information of this highest confidentiality level.
    pub class: Option<String>,
    /// The periodic assessment's state on `today`.
    pub assessment: Option<AssessmentDue>,
    /// `Some(codes)`: only those with a contract lacking one of these
    /// required clauses.
    pub missing_clauses: Option<Vec<String>>,
    /// YYYY-MM-DD, for `assessment`.
    pub today: String,
}

/// A contractor's periodic assessment as a filter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentDue {
    /// Never assessed, or the next assessment is due on or before today.
    Due,
    /// The next assessment's day has passed.
    Overdue,
}

/// Which external services a list shows (every field optional).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceFilter {
    /// Text in the name, the purpose or the provider's name.
    pub q: Option<String>,
    pub system: Option<i64>,
    pub class: Option<String>,
    pub ismap: Option<bool>,
    pub alpha_prime: Option<bool>,
}

const CONTRACTOR: &str = "SELECT c.id, c.name, c.business, c.systems, c.highest_class, c.data_location, \
     c.criteria_met, c.criteria_note, c.revision, c.created_at, c.updated_at, \
     (SELECT MAX(a.assessed_on) FROM contractor_assessments a WHERE a.contractor_id = c.id) AS last_assessed, \
     (SELECT MAX(a.next_due) FROM contractor_assessments a WHERE a.contractor_id = c.id) AS next_due \
     FROM contractors c";

const CONTRACT: &str = "SELECT k.id, k.contractor_id, c.name AS contractor_name, k.title, k.starts_on, k.ends_on, \
     k.clauses, k.created_at FROM contracts k JOIN contractors c ON c.id = k.contractor_id";

const SERVICE: &str = "SELECT s.id, s.name, s.contractor_id, c.name AS contractor_name, s.cloud, s.purpose, \
     s.systems, s.highest_class, s.data_location, s.ismap, s.ismap_id, s.alpha_prime, s.ranges, s.revision, \
     s.created_at, s.updated_at FROM external_services s LEFT JOIN contractors c ON c.id = s.contractor_id";

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

/// ` AND` conditions of a text search over `columns` (case-insensitive).
fn push_text<DB>(qb: &mut QueryBuilder<DB>, columns: &[&str], q: &Option<String>)
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    let Some(q) = q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return;
    };
    let pattern = format!("%{}%", crate::assets::like_escape(&q.to_lowercase()));
    qb.push(" AND (");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format_args!("LOWER(COALESCE({c}, '')) LIKE "))
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\'");
    }
    qb.push(")");
}

/// ` AND` conditions on the systems (space-separated ids) and the highest
/// class of the table aliased `t`.
fn push_system_class<DB>(
    qb: &mut QueryBuilder<DB>,
    t: &str,
    system: Option<i64>,
    class: &Option<String>,
) where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    if let Some(id) = system {
        qb.push(format_args!(" AND (' ' || {t}.systems || ' ') LIKE "))
            .push_bind(format!("% {id} %"));
    }
    if let Some(c) = class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        qb.push(format_args!(" AND {t}.highest_class = "))
            .push_bind(c.to_string());
    }
}

fn push_contractor_filter<DB>(qb: &mut QueryBuilder<DB>, f: &ContractorFilter)
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    push_text(qb, &["c.name", "c.business"], &f.q);
    push_system_class(qb, "c", f.system, &f.class);
    const NEXT: &str =
        "(SELECT MAX(a.next_due) FROM contractor_assessments a WHERE a.contractor_id = c.id)";
    match f.assessment {
        Some(AssessmentDue::Due) => {
            qb.push(format_args!(" AND ({NEXT} IS NULL OR {NEXT} <= "))
                .push_bind(f.today.clone())
                .push(")");
        }
        Some(AssessmentDue::Overdue) => {
            qb.push(format_args!(" AND {NEXT} < "))
                .push_bind(f.today.clone());
        }
        None => {}
    }
    if let Some(codes) = &f.missing_clauses {
        if codes.is_empty() {
            qb.push(" AND 1 = 0");
        } else {
            qb.push(" AND EXISTS (SELECT 1 FROM contracts k WHERE k.contractor_id = c.id AND (");
            for (i, code) in codes.iter().enumerate() {
                if i > 0 {
                    qb.push(" OR ");
                }
                qb.push("(' ' || k.clauses || ' ') NOT LIKE ")
                    .push_bind(format!("% {} %", crate::assets::like_escape(code)))
                    .push(" ESCAPE '\\'");
            }
            qb.push("))");
        }
    }
}

fn push_service_filter<DB>(qb: &mut QueryBuilder<DB>, f: &ServiceFilter)
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    push_text(qb, &["s.name", "s.purpose", "c.name"], &f.q);
    push_system_class(qb, "s", f.system, &f.class);
    if let Some(v) = f.ismap {
        qb.push(" AND s.ismap = ").push_bind(v);
    }
    if let Some(v) = f.alpha_prime {
        qb.push(" AND s.alpha_prime = ").push_bind(v);
    }
}

impl Store {
    /// One contractor by id.
    pub async fn contractor(&self, id: i64) -> Result<ContractorRecord, StoreError> {
        let found: Option<ContractorRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CONTRACTOR} WHERE c.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("contractor", id))
    }

    /// One page of the contractors the filter admits, by name.
    pub async fn list_contractors(
        &self,
        filter: &ContractorFilter,
        page: PageRequest,
    ) -> Result<Page<ContractorRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(CONTRACTOR);
            push_contractor_filter(&mut qb, filter);
            qb.push(" ORDER BY c.name, c.id LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ContractorRecord> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM contractors c");
            push_contractor_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every contractor (an export, the attention page), by name.
    pub async fn all_contractors(&self) -> Result<Vec<ContractorRecord>, StoreError> {
        self.filtered_contractors(&ContractorFilter::default())
            .await
    }

    /// Every contractor the filter admits (an export), by name.
    pub async fn filtered_contractors(
        &self,
        filter: &ContractorFilter,
    ) -> Result<Vec<ContractorRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(CONTRACTOR);
            push_contractor_filter(&mut qb, filter);
            qb.push(" ORDER BY c.name, c.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records a contractor.
    pub async fn create_contractor(
        &self,
        actor: &Actor,
        input: &ContractorInput,
    ) -> Result<ContractorRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO contractors (name, business, systems, highest_class, data_location, criteria_met, \
                 criteria_note, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '', '', 1, $6, $6) \
                 RETURNING id",
            )
            .bind(&input.name)
            .bind(&input.business)
            .bind(ids(&input.systems))
            .bind(&input.highest_class)
            .bind(&input.data_location)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let after = contractor_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::Contractor,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records which selection criteria a contractor meets (codes already checked).
    pub async fn set_contractor_criteria(
        &self,
        actor: &Actor,
        id: i64,
        revision: i64,
        met: &[String],
        note: &str,
    ) -> Result<ContractorRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = contractor_in_tx(&mut tx, id).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE contractors SET criteria_met = $3, criteria_note = $4, revision = revision + 1, \
                 updated_at = $5 WHERE id = $1 AND revision = $2",
            )
            .bind(id)
            .bind(revision)
            .bind(met.join(" "))
            .bind(note)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        let after = contractor_changed(&mut tx, actor, id, n, &before, Verb::Set).await?;
        tx.commit().await?;
        Ok(after)
    }

    // --- h15b: a contractor's own fields edited ---
    /// Changes a contractor's own fields (already checked) if it is still at
    /// `revision`; a stale save is refused with `MAMORI-CONTRACTOR-STALE`.
    pub async fn update_contractor(
        &self,
        actor: &Actor,
        id: i64,
        revision: i64,
        input: &ContractorInput,
    ) -> Result<ContractorRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = contractor_in_tx(&mut tx, id).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE contractors SET name = $3, business = $4, systems = $5, highest_class = $6, \
                 data_location = $7, revision = revision + 1, updated_at = $8 \
                 WHERE id = $1 AND revision = $2",
            )
            .bind(id)
            .bind(revision)
            .bind(&input.name)
            .bind(&input.business)
            .bind(ids(&input.systems))
            .bind(&input.highest_class)
            .bind(&input.data_location)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        let after = contractor_changed(&mut tx, actor, id, n, &before, Verb::Update).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The contracts of a contractor (None: every contract), oldest first.
    pub async fn contracts(
        &self,
        contractor_id: Option<i64>,
    ) -> Result<Vec<ContractRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(CONTRACT);
            if let Some(c) = contractor_id {
                qb.push(" WHERE k.contractor_id = ").push_bind(c);
            }
            qb.push(" ORDER BY k.contractor_id, k.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records a contract of a contractor.
    pub async fn create_contract(
        &self,
        actor: &Actor,
        contractor_id: i64,
        input: &ContractInput,
    ) -> Result<ContractRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO contracts (contractor_id, title, starts_on, ends_on, clauses, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(contractor_id)
            .bind(&input.title)
            .bind(&input.starts_on)
            .bind(&input.ends_on)
            .bind(input.clauses.join(" "))
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let found: Option<ContractRecord> = tx_run!(&mut tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CONTRACT} WHERE k.id = $1")))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
        });
        let after = found.ok_or_else(|| StoreError::not_found("contract", id))?;
        tx.append_event(
            actor,
            Entity::Contract,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The staff of a contractor on the city's work.
    pub async fn contractor_staff(
        &self,
        contractor_id: i64,
    ) -> Result<Vec<ContractorStaffRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.contractor_id, s.user_id, COALESCE(u.display_name, s.name) AS name, s.created_at \
                 FROM contractor_staff s LEFT JOIN users u ON u.id = s.user_id \
                 WHERE s.contractor_id = $1 ORDER BY s.id",
            )
            .bind(contractor_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Adds one of the contractor's staff: a user, or a name.
    pub async fn add_contractor_staff(
        &self,
        actor: &Actor,
        contractor_id: i64,
        user_id: Option<i64>,
        name: &str,
    ) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO contractor_staff (contractor_id, user_id, name, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(contractor_id)
            .bind(user_id)
            .bind(name)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let after =
            serde_json::json!({"contractor_id": contractor_id, "user_id": user_id, "name": name});
        tx.append_event(
            actor,
            Entity::ContractorStaff,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The assessments of a contractor, the latest first.
    pub async fn contractor_assessments(
        &self,
        contractor_id: i64,
    ) -> Result<Vec<AssessmentRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.contractor_id, a.assessed_on, a.result, a.follow_up, a.next_due, \
                 u.display_name AS recorder_name, a.created_at FROM contractor_assessments a \
                 LEFT JOIN users u ON u.id = a.recorded_by WHERE a.contractor_id = $1 \
                 ORDER BY a.assessed_on DESC, a.id DESC",
            )
            .bind(contractor_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records an assessment of a contractor.
    pub async fn add_assessment(
        &self,
        actor: &Actor,
        user_id: i64,
        contractor_id: i64,
        input: &AssessmentInput,
    ) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO contractor_assessments (contractor_id, assessed_on, result, follow_up, next_due, \
                 recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(contractor_id)
            .bind(&input.assessed_on)
            .bind(&input.result)
            .bind(&input.follow_up)
            .bind(&input.next_due)
            .bind(user_id)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        tx.append_event(
            actor,
            Entity::ContractorAssessment,
            id,
            Verb::Record,
            None::<&()>,
            Some(input),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One external service by id.
    pub async fn service(&self, id: i64) -> Result<ServiceRecord, StoreError> {
        let found: Option<ServiceRecord> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SERVICE} WHERE s.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or_else(|| StoreError::not_found("service", id))
    }

    /// One page of the external services the filter admits, by name.
    pub async fn list_services(
        &self,
        filter: &ServiceFilter,
        page: PageRequest,
    ) -> Result<Page<ServiceRecord>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SERVICE);
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM external_services s LEFT JOIN contractors c ON c.id = s.contractor_id",
            );
            push_service_filter(&mut qb, filter);
            push_service_filter(&mut count, filter);
            qb.push(" ORDER BY s.name, s.id LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ServiceRecord> = qb.build_query_as().fetch_all(pool).await?;
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Every external service the filter admits, by name (an export).
    pub async fn all_services(
        &self,
        filter: &ServiceFilter,
    ) -> Result<Vec<ServiceRecord>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SERVICE);
            push_service_filter(&mut qb, filter);
            qb.push(" ORDER BY s.name, s.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// The external services with one of these names (names may repeat in
    /// the register), by name and id: one query for a segments file.
    pub async fn services_named(&self, names: &[String]) -> Result<Vec<ServiceRecord>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(SERVICE);
            qb.push(" WHERE s.name IN (");
            let mut sep = qb.separated(", ");
            for n in names {
                sep.push_bind(n.clone());
            }
            qb.push(") ORDER BY s.name, s.id");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records an external service.
    pub async fn create_service(
        &self,
        actor: &Actor,
        input: &ServiceInput,
    ) -> Result<ServiceRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO external_services (name, contractor_id, cloud, purpose, systems, highest_class, \
                 data_location, ismap, ismap_id, alpha_prime, ranges, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
            )
            .bind(&input.name)
            .bind(input.contractor_id)
            .bind(input.cloud)
            .bind(&input.purpose)
            .bind(ids(&input.systems))
            .bind(&input.highest_class)
            .bind(&input.data_location)
            .bind(input.ismap)
            .bind(&input.ismap_id)
            .bind(input.alpha_prime)
            .bind(input.ranges.join("\n"))
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        let after = service_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::ExternalService,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // --- h15b: an external service edited ---
    /// Changes an external service (already checked) if it is still at
    /// `revision`; a stale save is refused with `MAMORI-SERVICE-STALE`.
    pub async fn update_service(
        &self,
        actor: &Actor,
        id: i64,
        revision: i64,
        input: &ServiceInput,
    ) -> Result<ServiceRecord, StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let before = service_in_tx(&mut tx, id).await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE external_services SET name = $3, contractor_id = $4, cloud = $5, purpose = $6, \
                 systems = $7, highest_class = $8, data_location = $9, ismap = $10, ismap_id = $11, \
                 alpha_prime = $12, ranges = $13, revision = revision + 1, updated_at = $14 \
                 WHERE id = $1 AND revision = $2",
            )
            .bind(id)
            .bind(revision)
            .bind(&input.name)
            .bind(input.contractor_id)
            .bind(input.cloud)
            .bind(&input.purpose)
            .bind(ids(&input.systems))
            .bind(&input.highest_class)
            .bind(&input.data_location)
            .bind(input.ismap)
            .bind(&input.ismap_id)
            .bind(input.alpha_prime)
            .bind(input.ranges.join("\n"))
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(mamori_core::problem::Problem::new("MAMORI-SERVICE-STALE")
                .with("id", id)
                .into());
        }
        let after = service_in_tx(&mut tx, id).await?;
        tx.append_event(
            actor,
            Entity::ExternalService,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn service_in_tx(tx: &mut crate::Tx, id: i64) -> Result<ServiceRecord, StoreError> {
    let found: Option<ServiceRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SERVICE} WHERE s.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("service", id))
}

/// After an UPDATE of a contractor at a revision (`rows` it changed): refused
/// as stale when none, else the contractor as it now is, logged with before.
async fn contractor_changed(
    tx: &mut crate::Tx,
    actor: &Actor,
    id: i64,
    rows: u64,
    before: &ContractorRecord,
    verb: Verb,
) -> Result<ContractorRecord, StoreError> {
    if rows == 0 {
        return Err(
            mamori_core::problem::Problem::new("MAMORI-CONTRACTOR-STALE")
                .with("id", id)
                .into(),
        );
    }
    let after = contractor_in_tx(tx, id).await?;
    tx.append_event(
        actor,
        Entity::Contractor,
        id,
        verb,
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

async fn contractor_in_tx(tx: &mut crate::Tx, id: i64) -> Result<ContractorRecord, StoreError> {
    let found: Option<ContractorRecord> = tx_run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{CONTRACTOR} WHERE c.id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    found.ok_or_else(|| StoreError::not_found("contractor", id))
}
