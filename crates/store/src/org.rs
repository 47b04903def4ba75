//! Staff obligations and the guideline's organisation (第4, 第5): staff fields of
//! users, role assignments with their scope and dates, and acknowledgements (誓約)
//! of policy revisions.

use crate::events::{Entity, Verb};
use mamori_core::org::{EmploymentType, ScopeKind, guideline_role};
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::users::User;
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A guideline role held by a user for a scope, from a start date to an end date
/// (inclusive; open when `ends_on` is empty).
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct RoleAssignment {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// A code of `mamori_core::org::GUIDELINE_ROLES`.
    pub role: String,
    /// The unit the role is held for (unit-scoped roles).
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// The information system (asset id) the role is held for (system-scoped roles).
    pub system_id: Option<i64>,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub note: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What is needed to assign a role.
#[derive(Debug, Clone, Deserialize)]
pub struct NewRoleAssignment {
    pub user_id: i64,
    pub role: String,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD, inclusive; empty for an open end.
    pub ends_on: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// An active role as the authorization sees it: the role code and the id of its
/// scope (a unit id, a system id, or 0 for the whole organisation).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActiveRole {
    pub role: String,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
}

impl ActiveRole {
    pub fn scope_id(&self) -> i64 {
        self.unit_id.or(self.system_id).unwrap_or(0)
    }
}

macro_rules! select_assignments {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.user_id, u.username, u.display_name, a.role, a.unit_id, n.name AS unit_name, a.system_id, \
             a.starts_on, a.ends_on, a.note, a.created_at, a.updated_at \
             FROM role_assignments a JOIN users u ON u.id = a.user_id LEFT JOIN units n ON n.id = a.unit_id ",
            $rest
        )
    };
}

/// An acknowledgement campaign for one revision of a policy document.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct AckCampaign {
    pub id: i64,
    /// The revision (附則 row) of the built-in catalogue asked for, or None for
    /// a version of a policy document (`document_code`, `version_number`).
    pub revision_id: Option<i64>,
    pub document_code: String,
    pub version_number: Option<i64>,
    pub title: String,
    pub document_title: String,
    pub revision_label: String,
    pub effective: String,
    pub due_on: Option<String>,
    pub opened_by: String,
    pub opened_at: String,
    /// Requests sent (one per active user at opening).
    pub requested: i64,
    pub confirmed: i64,
}

macro_rules! select_campaigns {
    ($rest:literal) => {
        concat!(
            "SELECT c.id, c.revision_id, COALESCE(d.code, pd.code) AS document_code, pv.number AS version_number, \
             c.title, COALESCE(d.title, pd.title) AS document_title, \
             COALESCE(r.label, '第' || pv.number || '版') AS revision_label, COALESCE(r.effective, pv.effective_on, '') AS effective, \
             c.due_on, c.opened_by, c.opened_at, \
             (SELECT COUNT(*) FROM ack_requests q WHERE q.campaign_id = c.id) AS requested, \
             (SELECT COUNT(*) FROM ack_requests q WHERE q.campaign_id = c.id AND q.confirmed_at IS NOT NULL) AS confirmed \
             FROM ack_campaigns c LEFT JOIN policy_revisions r ON r.id = c.revision_id \
             LEFT JOIN policy_documents d ON d.id = r.document_id \
             LEFT JOIN pdoc_versions pv ON pv.id = c.pdoc_version_id \
             LEFT JOIN pdoc_documents pd ON pd.id = pv.document_id ",
            $rest
        )
    };
}

/// What is needed to open a campaign.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAckCampaign {
    /// A row of the document's revisions (附則).
    pub revision_id: i64,
    pub title: String,
    /// YYYY-MM-DD
    pub due_on: Option<String>,
}

/// The confirmation rate of one unit in a campaign.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct UnitAckRate {
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub requested: i64,
    pub confirmed: i64,
}

impl UnitAckRate {
    /// Per cent confirmed, rounded down.
    pub fn percent(&self) -> i64 {
        if self.requested == 0 {
            100
        } else {
            self.confirmed * 100 / self.requested
        }
    }
}

/// A request of a campaign, with who it is for.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct AckRequest {
    pub campaign_id: i64,
    pub campaign_title: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub due_on: Option<String>,
    pub confirmed_at: Option<String>,
    /// Where the text asked for is read: the document's code, and the version's
    /// number for a policy document kept as versions (None: the built-in
    /// catalogue's document).
    pub document_code: Option<String>,
    pub version_number: Option<i64>,
}

impl AckRequest {
    /// The page of the text to be confirmed.
    pub fn text_href(&self) -> Option<String> {
        match (&self.document_code, self.version_number) {
            (Some(code), Some(n)) => Some(format!("/policy-documents/{code}/versions/{n}")),
            (Some(code), None) => Some(format!("/policy/{code}")),
            _ => None,
        }
    }
}

macro_rules! select_requests {
    ($rest:literal) => {
        concat!(
            "SELECT q.campaign_id, c.title AS campaign_title, q.user_id, u.username, u.display_name, q.unit_id, \
             n.name AS unit_name, c.due_on, q.confirmed_at, \
             COALESCE(d.code, pd.code) AS document_code, pv.number AS version_number \
             FROM ack_requests q JOIN ack_campaigns c ON c.id = q.campaign_id JOIN users u ON u.id = q.user_id \
             LEFT JOIN units n ON n.id = q.unit_id \
             LEFT JOIN policy_revisions r ON r.id = c.revision_id \
             LEFT JOIN policy_documents d ON d.id = r.document_id \
             LEFT JOIN pdoc_versions pv ON pv.id = c.pdoc_version_id \
             LEFT JOIN pdoc_documents pd ON pd.id = pv.document_id ",
            $rest
        )
    };
}

/// A revision (附則) of a policy document: what an acknowledgement campaign is about.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct PolicyRevision {
    pub id: i64,
    pub document_code: String,
    pub document_title: String,
    pub label: String,
    pub effective: String,
}

/// A date of a role assignment (YYYY-MM-DD).
fn role_date(field: &str, s: &str) -> Result<Date, StoreError> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        Problem::new("MAMORI-ROLE-BAD-DATE")
            .field(field)
            .with("value", s)
            .into()
    })
}

fn ends_before_start() -> StoreError {
    Problem::new("MAMORI-ROLE-ENDS-BEFORE-START")
        .field("ends_on")
        .into()
}

/// Today's date in Japan, as stored (YYYY-MM-DD): due dates, role periods
/// and overdue counts follow the city's calendar, not UTC's (between 0:00
/// and 9:00 in Japan the two differ).
pub fn today() -> String {
    time::OffsetDateTime::now_utc()
        .to_offset(mamori_core::wareki::JST)
        .date()
        .to_string()
}

/// `unit_id` is the unit or below it: `path LIKE '%/id/%'`.
pub(crate) fn within_pattern(within: Option<i64>) -> String {
    match within {
        Some(id) => format!("%/{id}/%"),
        None => "%".to_string(),
    }
}

impl Store {
    /// Sets a member of staff's employment type and position (職名).
    pub async fn set_staff_profile(
        &self,
        actor: &Actor,
        user_id: i64,
        employment_type: EmploymentType,
        position: &str,
    ) -> Result<User, StoreError> {
        let before = self.user(user_id).await?;
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE users SET employment_type = $1, position = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(employment_type.code())
            .bind(position.trim())
            .bind(now_rfc3339())
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        });
        let mut after = before.clone();
        after.employment_type = employment_type.code().to_string();
        after.position = position.trim().to_string();
        tx.append_event(
            actor,
            Entity::User,
            user_id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.user(user_id).await
    }

    /// Assigns a guideline role to a user for its scope.
    pub async fn assign_role(
        &self,
        actor: &Actor,
        new: NewRoleAssignment,
    ) -> Result<RoleAssignment, StoreError> {
        let role = guideline_role(new.role.trim()).map_err(|_| {
            Problem::new("MAMORI-ROLE-UNKNOWN")
                .field("role")
                .with("value", new.role.trim())
        })?;
        let user = self.user(new.user_id).await.map_err(|_| {
            Problem::new("MAMORI-USER-NO-SUCH")
                .field("user_id")
                .with("id", new.user_id)
        })?;
        let (unit_id, system_id) = match role.scope {
            ScopeKind::Organisation => (None, None),
            ScopeKind::Unit => {
                let unit_id = new.unit_id.ok_or_else(|| {
                    Problem::new("MAMORI-ROLE-NEEDS-UNIT")
                        .field("unit_id")
                        .with("role", role.name_ja)
                        .with("role_en", role.code)
                })?;
                self.unit(unit_id)
                    .await
                    .map_err(|_| crate::users::no_unit(unit_id))?;
                (Some(unit_id), None)
            }
            ScopeKind::System => {
                let system_id = new.system_id.ok_or_else(|| {
                    Problem::new("MAMORI-ROLE-NEEDS-SYSTEM")
                        .field("system_id")
                        .with("role", role.name_ja)
                        .with("role_en", role.code)
                })?;
                (None, Some(system_id))
            }
        };
        let starts = role_date("starts_on", &new.starts_on)?;
        let ends = match new
            .ends_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(role_date("ends_on", s)?),
            None => None,
        };
        crate::checks::text("note", "備考", "note", new.note.trim())?;
        if let Some(ends) = ends
            && ends < starts
        {
            return Err(ends_before_start());
        }
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let assignment: RoleAssignment = tx_run!(&mut tx, |c| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO role_assignments (user_id, role, unit_id, system_id, starts_on, ends_on, note, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(user.id)
            .bind(role.code)
            .bind(unit_id)
            .bind(system_id)
            .bind(starts.to_string())
            .bind(ends.map(|d| d.to_string()))
            .bind(new.note.trim())
            .bind(&now)
            .fetch_one(&mut *c)
            .await?;
            sqlx::query_as(select_assignments!("WHERE a.id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(
            actor,
            Entity::RoleAssignment,
            assignment.id,
            Verb::Create,
            None::<&RoleAssignment>,
            Some(&assignment),
        )
        .await?;
        tx.commit().await?;
        Ok(assignment)
    }

    /// One role assignment.
    pub async fn role_assignment(&self, id: i64) -> Result<RoleAssignment, StoreError> {
        crate::paging::one_of(
            &self.db,
            select_assignments!("WHERE a.id = $1"),
            "role assignment",
            id,
        )
        .await
    }

    /// Ends a role assignment on a date (inclusive).
    pub async fn end_role_assignment(
        &self,
        actor: &Actor,
        id: i64,
        ends_on: &str,
    ) -> Result<RoleAssignment, StoreError> {
        let before = self.role_assignment(id).await?;
        let ends = role_date("ends_on", ends_on)?;
        if ends < role_date("starts_on", &before.starts_on)? {
            return Err(ends_before_start());
        }
        let mut tx = self.db.begin().await?;
        let after: RoleAssignment = tx_run!(&mut tx, |c| {
            sqlx::query("UPDATE role_assignments SET ends_on = $1, updated_at = $2 WHERE id = $3")
                .bind(ends.to_string())
                .bind(now_rfc3339())
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query_as(select_assignments!("WHERE a.id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(
            actor,
            Entity::RoleAssignment,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Role assignments, of one user or of everyone, newest start first.
    pub async fn list_role_assignments(
        &self,
        user_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<RoleAssignment>, StoreError> {
        crate::paging::page_of(
            &self.db,
            select_assignments!(
                "WHERE ($1 IS NULL OR a.user_id = $1) ORDER BY a.role, a.starts_on DESC, a.id LIMIT $2 OFFSET $3"
            ),
            "SELECT COUNT(*) FROM role_assignments WHERE ($1 IS NULL OR user_id = $1)",
            user_id,
            page,
        )
        .await
    }

    /// The roles a user holds on a date (YYYY-MM-DD), for the authorization.
    pub async fn active_roles(
        &self,
        user_id: i64,
        on: &str,
    ) -> Result<Vec<ActiveRole>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT role, unit_id, system_id FROM role_assignments \
                 WHERE user_id = $1 AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2) \
                 ORDER BY role, id",
            )
            .bind(user_id)
            .bind(on)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The revisions of every policy document, newest in force first.
    pub async fn list_policy_revisions(
        &self,
        page: PageRequest,
    ) -> Result<Page<PolicyRevision>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<PolicyRevision> = sqlx::query_as(
                "SELECT r.id, d.code AS document_code, d.title AS document_title, r.label, r.effective \
                 FROM policy_revisions r JOIN policy_documents d ON d.id = r.document_id \
                 ORDER BY r.effective DESC, r.id DESC LIMIT $1 OFFSET $2",
            )
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM policy_revisions")
                .fetch_one(pool)
                .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Opens an acknowledgement campaign for a policy revision: one request for every
    /// active user, in one statement.
    pub async fn open_ack_campaign(
        &self,
        actor: &Actor,
        new: NewAckCampaign,
    ) -> Result<AckCampaign, StoreError> {
        let title = new.title.trim().to_string();
        if title.is_empty() {
            return Err(crate::training::required("title", "件名", "title"));
        }
        crate::training::line("title", "件名", "title", &title)?;
        let due = match new
            .due_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(crate::training::ymd("due_on", s)?),
            None => None,
        };
        let exists: Option<i64> = db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT id FROM policy_revisions WHERE id = $1")
                .bind(new.revision_id)
                .fetch_optional(pool)
                .await?
        });
        if exists.is_none() {
            return Err(mamori_core::problem::Problem::new("MAMORI-ACK-NO-REVISION")
                .field("revision_id")
                .with("id", new.revision_id)
                .into());
        }
        let mut tx = self.db.begin().await?;
        let campaign: AckCampaign = tx_run!(&mut tx, |c| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ack_campaigns (revision_id, title, due_on, opened_by, opened_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(new.revision_id)
            .bind(&title)
            .bind(due.map(|d| d.to_string()))
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
            sqlx::query_as(select_campaigns!("WHERE c.id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(
            actor,
            Entity::AckCampaign,
            campaign.id,
            Verb::Create,
            None::<&AckCampaign>,
            Some(&campaign),
        )
        .await?;
        tx.commit().await?;
        Ok(campaign)
    }

    /// One campaign with its counts.
    pub async fn ack_campaign(&self, id: i64) -> Result<AckCampaign, StoreError> {
        crate::paging::one_of(
            &self.db,
            select_campaigns!("WHERE c.id = $1"),
            "acknowledgement campaign",
            id,
        )
        .await
    }

    /// Campaigns, newest first.
    pub async fn list_ack_campaigns(
        &self,
        page: PageRequest,
    ) -> Result<Page<AckCampaign>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<AckCampaign> =
                sqlx::query_as(select_campaigns!("ORDER BY c.id DESC LIMIT $1 OFFSET $2"))
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(pool)
                    .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ack_campaigns")
                .fetch_one(pool)
                .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// A user confirms that they have read the campaign's revision. Confirming twice
    /// keeps the first confirmation.
    pub async fn acknowledge(
        &self,
        actor: &Actor,
        campaign_id: i64,
        user_id: i64,
    ) -> Result<AckRequest, StoreError> {
        let before = self.ack_request(campaign_id, user_id).await?;
        if before.confirmed_at.is_some() {
            return Ok(before);
        }
        let mut tx = self.db.begin().await?;
        let after: AckRequest = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE ack_requests SET confirmed_at = $1 WHERE campaign_id = $2 AND user_id = $3 AND confirmed_at IS NULL",
            )
            .bind(now_rfc3339())
            .bind(campaign_id)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
            sqlx::query_as(select_requests!(
                "WHERE q.campaign_id = $1 AND q.user_id = $2"
            ))
            .bind(campaign_id)
            .bind(user_id)
            .fetch_one(&mut *c)
            .await?
        });
        tx.append_event(
            actor,
            Entity::AckRequest,
            format!("{campaign_id}:{user_id}"),
            Verb::Confirm,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The request of one user in one campaign.
    pub async fn ack_request(
        &self,
        campaign_id: i64,
        user_id: i64,
    ) -> Result<AckRequest, StoreError> {
        let found: Option<AckRequest> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_requests!(
                "WHERE q.campaign_id = $1 AND q.user_id = $2"
            ))
            .bind(campaign_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| {
            StoreError::not_found(
                "acknowledgement request",
                format!("{campaign_id}:{user_id}"),
            )
        })
    }

    /// A user's own requests, unconfirmed first.
    pub async fn my_ack_requests(
        &self,
        user_id: i64,
        page: PageRequest,
    ) -> Result<Page<AckRequest>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<AckRequest> = sqlx::query_as(select_requests!(
                "WHERE q.user_id = $1 ORDER BY (CASE WHEN q.confirmed_at IS NULL THEN 0 ELSE 1 END), q.campaign_id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(user_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ack_requests WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(pool)
                    .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// The confirmation rate per unit (the user's unit when asked), in tree order;
    /// `within` limits to a unit and the units below it.
    pub async fn ack_rates(
        &self,
        campaign_id: i64,
        within: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<UnitAckRate>, StoreError> {
        let pattern = within_pattern(within);
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<UnitAckRate> = sqlx::query_as(
                "SELECT q.unit_id, n.name AS unit_name, COUNT(*) AS requested, COUNT(q.confirmed_at) AS confirmed \
                 FROM ack_requests q LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE q.campaign_id = $1 AND ($2 = '%' OR n.path LIKE $2) \
                 GROUP BY q.unit_id, n.name, n.path ORDER BY n.path LIMIT $3 OFFSET $4",
            )
            .bind(campaign_id)
            .bind(&pattern)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(DISTINCT COALESCE(q.unit_id, 0)) FROM ack_requests q LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE q.campaign_id = $1 AND ($2 = '%' OR n.path LIKE $2)",
            )
            .bind(campaign_id)
            .bind(&pattern)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Who has not confirmed yet, by unit and user name; `within` limits to a unit
    /// and the units below it.
    pub async fn ack_pending(
        &self,
        campaign_id: i64,
        within: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<AckRequest>, StoreError> {
        let pattern = within_pattern(within);
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<AckRequest> = sqlx::query_as(select_requests!(
                "WHERE q.campaign_id = $1 AND q.confirmed_at IS NULL AND ($2 = '%' OR n.path LIKE $2) \
                 ORDER BY n.path, u.username LIMIT $3 OFFSET $4"
            ))
            .bind(campaign_id)
            .bind(&pattern)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM ack_requests q LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE q.campaign_id = $1 AND q.confirmed_at IS NULL AND ($2 = '%' OR n.path LIKE $2)",
            )
            .bind(campaign_id)
            .bind(&pattern)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }
}
