//! Training (第8(2) 教育・訓練): courses, assignments of a course to everyone, a
//! guideline role, a unit (and below) or an employment type with a due date, one
//! request per person materialised when assigned, and completions (entered by the
//! security office or a unit's manager, self-declared, or imported from an
//! e-learning system's CSV). A request is overdue when its due date has passed and
//! no completion that counts for it is recorded.

mod export;
mod import;

pub use import::CompletionImportReport;

use crate::events::{Entity, Verb};
use mamori_core::org::{EmploymentType, GUIDELINE_ROLES, guideline_role};
use mamori_core::training::{CourseKind, TargetKind, counts_from};
use serde::{Deserialize, Serialize};

use mamori_core::problem::Problem;
use mamori_core::text::{MAX_LINE_CHARS, MAX_TEXT_CHARS, check_line, check_text};
use time::Date;
use time::macros::format_description;

use crate::db::Tx;
use crate::org::{today, within_pattern};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A course.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct Course {
    pub id: i64,
    /// The code an e-learning system's export names the course by.
    pub code: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    /// yearly, new_staff, my_number, managers, drill or other
    pub kind: String,
    /// How many months a completion stays valid; empty: for good.
    pub valid_months: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// Changes to a course's names and description (code, kind and validity
/// stay: completions and assignments are counted by them).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CourseUpdate {
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub description: Option<String>,
}

/// What is needed to create a course.
#[derive(Debug, Clone, Deserialize)]
pub struct NewCourse {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    /// yearly, new_staff, my_number, managers, drill or other
    pub kind: String,
    /// 1–120 months; empty: a completion counts for good.
    pub valid_months: Option<i64>,
}

macro_rules! select_courses {
    ($rest:literal) => {
        concat!(
            "SELECT id, code, title, title_en, description, kind, valid_months, created_at, updated_at \
             FROM training_courses ",
            $rest
        )
    };
}

/// An assignment of a course, with its counts.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct TrainingAssignment {
    pub id: i64,
    pub course_id: i64,
    pub course_code: String,
    pub course_title: String,
    /// everyone, role, unit or employment_type
    pub target_kind: String,
    /// The role code, unit id or employment type code (empty for everyone).
    pub target: String,
    pub due_on: String,
    /// The first completion date that counts (the due date less the course's
    /// validity); empty: any completion counts.
    pub counts_from: Option<String>,
    pub note: String,
    pub assigned_by: String,
    pub assigned_at: String,
    pub requested: i64,
    pub completed: i64,
}

/// What is needed to assign a course.
#[derive(Debug, Clone, Deserialize)]
pub struct NewTrainingAssignment {
    pub course_id: i64,
    /// everyone, role, unit or employment_type
    pub target_kind: String,
    /// A guideline role code, a unit id, or an employment type code.
    #[serde(default)]
    pub target: String,
    /// YYYY-MM-DD
    pub due_on: String,
    #[serde(default)]
    pub note: String,
}

macro_rules! select_assignments {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.course_id, c.code AS course_code, c.title AS course_title, a.target_kind, a.target, \
             a.due_on, a.counts_from, a.note, a.assigned_by, a.assigned_at, \
             (SELECT COUNT(*) FROM training_requests q WHERE q.assignment_id = a.id) AS requested, \
             (SELECT COUNT(*) FROM training_requests q WHERE q.assignment_id = a.id AND q.completed_on IS NOT NULL) AS completed \
             FROM training_assignments a JOIN training_courses c ON c.id = a.course_id ",
            $rest
        )
    };
}

/// What one person is asked to take, and whether they have.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct TrainingRequest {
    pub assignment_id: i64,
    pub course_id: i64,
    pub course_code: String,
    pub course_title: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub due_on: String,
    pub completed_on: Option<String>,
}

impl TrainingRequest {
    /// Not completed and the due date (YYYY-MM-DD) is before `today`.
    pub fn overdue_on(&self, today: &str) -> bool {
        self.completed_on.is_none() && self.due_on.as_str() < today
    }
}

macro_rules! select_requests {
    ($rest:literal) => {
        concat!(
            "SELECT q.assignment_id, a.course_id, c.code AS course_code, c.title AS course_title, q.user_id, \
             u.username, u.display_name, q.unit_id, n.name AS unit_name, q.due_on, q.completed_on \
             FROM training_requests q JOIN training_assignments a ON a.id = q.assignment_id \
             JOIN training_courses c ON c.id = a.course_id JOIN users u ON u.id = q.user_id \
             LEFT JOIN units n ON n.id = q.unit_id ",
            $rest
        )
    };
}

/// How a completion came to be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletionSource {
    /// Entered by the security office or the person's unit manager.
    Entered,
    /// Declared by the person themselves.
    #[serde(rename = "self")]
    SelfDeclared,
    /// Imported from an e-learning system's file.
    Import,
}

impl CompletionSource {
    pub fn code(self) -> &'static str {
        match self {
            CompletionSource::Entered => "entered",
            CompletionSource::SelfDeclared => "self",
            CompletionSource::Import => "import",
        }
    }
}

/// A completion of a course by a person.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct Completion {
    pub id: i64,
    pub course_id: i64,
    pub course_code: String,
    pub user_id: i64,
    pub username: String,
    pub completed_on: String,
    /// entered, self or import
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

macro_rules! select_completions {
    ($rest:literal) => {
        concat!(
            "SELECT k.id, k.course_id, c.code AS course_code, k.user_id, u.username, k.completed_on, k.source, \
             k.recorded_by, k.recorded_at \
             FROM training_completions k JOIN training_courses c ON c.id = k.course_id JOIN users u ON u.id = k.user_id ",
            $rest
        )
    };
}

/// What is needed to record a completion.
#[derive(Debug, Clone, Deserialize)]
pub struct NewCompletion {
    pub user_id: i64,
    pub course_id: i64,
    /// YYYY-MM-DD, not after today.
    pub completed_on: String,
}

/// The completion rate and the overdue count of one unit.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct UnitTrainingRate {
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub requested: i64,
    pub completed: i64,
    pub overdue: i64,
}

impl UnitTrainingRate {
    /// Per cent completed, rounded down.
    pub fn percent(&self) -> i64 {
        if self.requested == 0 {
            100
        } else {
            self.completed * 100 / self.requested
        }
    }
}

/// Which requests a status list covers: one assignment or all, and a unit (and
/// the units below it) or the whole organisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrainingScope {
    pub assignment_id: Option<i64>,
    pub within: Option<i64>,
}

/// Sets `completed_on` of the open requests that a recorded completion counts
/// for: of one assignment (`$1`, or all), from the completions with an id from
/// `$2` on. One statement.
const CLOSE_REQUESTS: &str = "UPDATE training_requests SET completed_on = (\
     SELECT MAX(k.completed_on) FROM training_completions k JOIN training_assignments a ON a.course_id = k.course_id \
     WHERE a.id = training_requests.assignment_id AND k.user_id = training_requests.user_id AND k.id >= $2 \
     AND (a.counts_from IS NULL OR k.completed_on >= a.counts_from)) \
     WHERE completed_on IS NULL AND ($1 IS NULL OR assignment_id = $1) \
     AND user_id IN (SELECT user_id FROM training_completions WHERE id >= $2) \
     AND EXISTS (SELECT 1 FROM training_completions k JOIN training_assignments a ON a.course_id = k.course_id \
     WHERE a.id = training_requests.assignment_id AND k.user_id = training_requests.user_id AND k.id >= $2 \
     AND (a.counts_from IS NULL OR k.completed_on >= a.counts_from))";

/// Closes the requests that completions from id `first_completion` on count for;
/// returns how many were closed.
async fn close_requests(
    tx: &mut Tx,
    assignment_id: Option<i64>,
    first_completion: i64,
) -> Result<u64, StoreError> {
    Ok(tx_run!(tx, |c| {
        sqlx::query(CLOSE_REQUESTS)
            .bind(assignment_id)
            .bind(first_completion)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }))
}

/// Closes the requests of assignment `id` that completions count for, logs
/// the change (`action`, from `before`) and commits; returns the assignment.
async fn settle_assignment(
    mut tx: Tx,
    actor: &Actor,
    id: i64,
    action: Verb,
    before: Option<&TrainingAssignment>,
) -> Result<TrainingAssignment, StoreError> {
    close_requests(&mut tx, Some(id), 0).await?;
    let after: TrainingAssignment = tx_run!(&mut tx, |c| {
        sqlx::query_as(select_assignments!("WHERE a.id = $1"))
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    tx.append_event(
        actor,
        Entity::TrainingAssignment,
        id,
        action,
        before,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A one-line value (a code, a title) as entered.
pub(crate) fn line(
    field: &str,
    label: &str,
    label_en: &str,
    value: &str,
) -> Result<(), StoreError> {
    check_line(value, MAX_LINE_CHARS).map_err(|p| p.problem(field, label, label_en).into())
}

/// A field that must be filled in.
pub(crate) fn required(field: &str, label: &str, label_en: &str) -> StoreError {
    Problem::new("MAMORI-REQUIRED")
        .field(field)
        .with("label", label)
        .with("label_en", label_en)
        .into()
}

/// A value that is not one of the choices.
fn no_such_choice(
    field: &str,
    label: &str,
    label_en: &str,
    value: &str,
    allowed: &[&str],
) -> StoreError {
    Problem::new("MAMORI-NO-SUCH-CHOICE")
        .field(field)
        .with("label", label)
        .with("label_en", label_en)
        .with("value", value)
        .with("allowed", allowed.join("、"))
        .with("allowed_en", allowed.join(", "))
        .into()
}

/// A date written YYYY-MM-DD (a due date, a completion date).
pub(crate) fn ymd(field: &str, s: &str) -> Result<Date, StoreError> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        Problem::new("MAMORI-TRAINING-DATE")
            .field(field)
            .with("value", s)
            .into()
    })
}

/// A course's titles and description as entered.
fn check_course_text(title: &str, title_en: &str, description: &str) -> Result<(), StoreError> {
    line("title", "研修名", "title", title)?;
    line("title_en", "英語の研修名", "English title", title_en)?;
    check_text(description, MAX_TEXT_CHARS)
        .map_err(|p| p.problem("description", "説明", "description").into())
}

/// The course an assignment or completion names, which must exist.
fn no_course(id: i64) -> StoreError {
    Problem::new("MAMORI-TRAINING-NO-COURSE")
        .field("course_id")
        .with("id", id)
        .into()
}

/// The person a completion names, who must exist.
pub fn no_user(id: i64) -> Problem {
    Problem::new("MAMORI-TRAINING-NO-USER")
        .field("user_id")
        .with("id", id)
}

impl Store {
    /// Creates a course.
    pub async fn create_course(&self, actor: &Actor, new: NewCourse) -> Result<Course, StoreError> {
        let code = new.code.trim().to_string();
        let title = new.title.trim().to_string();
        if code.is_empty() {
            return Err(required("code", "コード", "code"));
        }
        if title.is_empty() {
            return Err(required("title", "研修名", "title"));
        }
        line("code", "コード", "code", &code)?;
        check_course_text(&title, &new.title_en, &new.description)?;
        let kind = new.kind.trim().parse::<CourseKind>().map_err(|_| {
            no_such_choice(
                "kind",
                "研修の種類",
                "course kind",
                new.kind.trim(),
                &CourseKind::ALL.map(|k| k.code()),
            )
        })?;
        if let Some(m) = new.valid_months
            && !(1..=120).contains(&m)
        {
            return Err(Problem::new("MAMORI-TRAINING-VALIDITY")
                .field("valid_months")
                .with("months", m)
                .into());
        }
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let course: Course = tx_run!(&mut tx, |c| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_courses (code, title, title_en, description, kind, valid_months, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(&code)
            .bind(&title)
            .bind(new.title_en.trim())
            .bind(new.description.trim())
            .bind(kind.code())
            .bind(new.valid_months)
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::from(
                    Problem::new("MAMORI-TRAINING-COURSE-EXISTS")
                        .field("code")
                        .with("code", &code),
                ),
                e => StoreError::from(e),
            })?;
            sqlx::query_as(select_courses!("WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(
            actor,
            Entity::TrainingCourse,
            course.id,
            Verb::Create,
            None::<&Course>,
            Some(&course),
        )
        .await?;
        tx.commit().await?;
        Ok(course)
    }

    /// One course.
    pub async fn course(&self, id: i64) -> Result<Course, StoreError> {
        crate::paging::one_of(&self.db, select_courses!("WHERE id = $1"), "course", id).await
    }

    /// Courses by code.
    pub async fn list_courses(&self, page: PageRequest) -> Result<Page<Course>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<Course> =
                sqlx::query_as(select_courses!("ORDER BY code LIMIT $1 OFFSET $2"))
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(pool)
                    .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM training_courses")
                .fetch_one(pool)
                .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Assigns a course to its target with a due date: one request for every
    /// matching active person, in one statement. A completion recorded earlier
    /// that is still valid on the due date closes the person's request at once.
    pub async fn assign_training(
        &self,
        actor: &Actor,
        new: NewTrainingAssignment,
    ) -> Result<TrainingAssignment, StoreError> {
        let course = self.course(new.course_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => no_course(new.course_id),
            e => e,
        })?;
        let kind = new.target_kind.trim().parse::<TargetKind>().map_err(|_| {
            no_such_choice(
                "target_kind",
                "対象の種類",
                "target kind",
                new.target_kind.trim(),
                &TargetKind::ALL.map(|k| k.code()),
            )
        })?;
        let target = new.target.trim().to_string();
        let (target, pattern) = match kind {
            TargetKind::Everyone => (String::new(), String::new()),
            TargetKind::Role => {
                let role = guideline_role(&target).map_err(|_| {
                    let codes: Vec<&str> = GUIDELINE_ROLES.iter().map(|r| r.code).collect();
                    no_such_choice("target", "役割", "role", &target, &codes)
                })?;
                (role.code.to_string(), String::new())
            }
            TargetKind::EmploymentType => {
                let et = target.parse::<EmploymentType>().map_err(|_| {
                    no_such_choice(
                        "target",
                        "雇用形態",
                        "employment type",
                        &target,
                        &EmploymentType::ALL.map(|e| e.code()),
                    )
                })?;
                (et.code().to_string(), String::new())
            }
            TargetKind::Unit => {
                let unit = target.parse::<i64>().ok().ok_or_else(|| {
                    StoreError::from(
                        Problem::new("MAMORI-TRAINING-TARGET-UNIT")
                            .field("target")
                            .with("value", &target),
                    )
                })?;
                self.unit(unit).await.map_err(|e| match e {
                    StoreError::NotFound { .. } => StoreError::from(
                        Problem::new("MAMORI-TRAINING-NO-UNIT")
                            .field("target")
                            .with("id", unit),
                    ),
                    e => e,
                })?;
                (unit.to_string(), within_pattern(Some(unit)))
            }
        };
        let due = ymd("due_on", &new.due_on)?;
        let from = counts_from(due, course.valid_months.and_then(|m| u32::try_from(m).ok()))
            .map(|d| d.to_string());
        let today = today();
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_assignments (course_id, target_kind, target, due_on, counts_from, note, assigned_by, assigned_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(course.id)
            .bind(kind.code())
            .bind(&target)
            .bind(due.to_string())
            .bind(&from)
            .bind(new.note.trim())
            .bind(actor.label())
            .bind(now_rfc3339())
            .fetch_one(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO training_requests (assignment_id, user_id, unit_id, due_on) \
                 SELECT $1, u.id, u.unit_id, $2 FROM users u WHERE u.active = TRUE AND ( \
                   $3 = 'everyone' \
                   OR ($3 = 'employment_type' AND u.employment_type = $4) \
                   OR ($3 = 'unit' AND EXISTS (SELECT 1 FROM units n WHERE n.id = u.unit_id AND n.path LIKE $5)) \
                   OR ($3 = 'role' AND EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.role = $4 \
                        AND r.starts_on <= $6 AND (r.ends_on IS NULL OR r.ends_on >= $6))))",
            )
            .bind(id)
            .bind(due.to_string())
            .bind(kind.code())
            .bind(&target)
            .bind(&pattern)
            .bind(&today)
            .execute(&mut *c)
            .await?;
            id
        });
        settle_assignment(tx, actor, id, Verb::Create, None).await
    }

    /// Moves an assignment's due date (期限の変更): its requests take the new
    /// date, and which completions count is worked out again (a course with a
    /// validity counts completions from the due date less the validity).
    pub async fn change_training_due(
        &self,
        actor: &Actor,
        id: i64,
        due_on: &str,
    ) -> Result<TrainingAssignment, StoreError> {
        let before = self.training_assignment(id).await?;
        let course = self.course(before.course_id).await?;
        let due = ymd("due_on", due_on)?;
        let from = counts_from(due, course.valid_months.and_then(|m| u32::try_from(m).ok()))
            .map(|d| d.to_string());
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE training_assignments SET due_on = $2, counts_from = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(due.to_string())
            .bind(&from)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE training_requests SET due_on = $2, completed_on = NULL WHERE assignment_id = $1",
            )
            .bind(id)
            .bind(due.to_string())
            .execute(&mut *c)
            .await?;
        });
        settle_assignment(tx, actor, id, Verb::ChangeDue, Some(&before)).await
    }

    /// Corrects a course's names or description.
    pub async fn update_course(
        &self,
        actor: &Actor,
        id: i64,
        change: CourseUpdate,
    ) -> Result<Course, StoreError> {
        let before = self.course(id).await?;
        let title = change
            .title
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| before.title.clone());
        if title.is_empty() {
            return Err(required("title", "研修名", "title"));
        }
        let title_en = change
            .title_en
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| before.title_en.clone());
        let description = change
            .description
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| before.description.clone());
        check_course_text(&title, &title_en, &description)?;
        let mut tx = self.db.begin().await?;
        let after: Course = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE training_courses SET title = $2, title_en = $3, description = $4, updated_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(&title)
            .bind(&title_en)
            .bind(&description)
            .bind(now_rfc3339())
            .execute(&mut *c)
            .await?;
            sqlx::query_as(select_courses!("WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        tx.append_event(
            actor,
            Entity::TrainingCourse,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Withdraws an assignment made in error: it and its requests go (the
    /// event log keeps what it was); completions stay, they belong to people.
    pub async fn withdraw_training(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let before = self.training_assignment(id).await?;
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query("DELETE FROM training_requests WHERE assignment_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM training_assignments WHERE id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        });
        tx.append_event(
            actor,
            Entity::TrainingAssignment,
            id,
            Verb::Delete,
            Some(&before),
            None::<&TrainingAssignment>,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One assignment with its counts.
    pub async fn training_assignment(&self, id: i64) -> Result<TrainingAssignment, StoreError> {
        crate::paging::one_of(
            &self.db,
            select_assignments!("WHERE a.id = $1"),
            "training assignment",
            id,
        )
        .await
    }

    /// Assignments (of one course, or all), latest due date first.
    pub async fn list_training_assignments(
        &self,
        course_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<TrainingAssignment>, StoreError> {
        crate::paging::page_of(
            &self.db,
            select_assignments!(
                "WHERE ($1 IS NULL OR a.course_id = $1) ORDER BY a.due_on DESC, a.id DESC LIMIT $2 OFFSET $3"
            ),
            "SELECT COUNT(*) FROM training_assignments WHERE ($1 IS NULL OR course_id = $1)",
            course_id,
            page,
        )
        .await
    }

    /// Records that a person completed a course on a date; the person's open
    /// requests the completion counts for are closed. Recording the same
    /// completion again changes nothing.
    pub async fn record_completion(
        &self,
        actor: &Actor,
        new: NewCompletion,
        source: CompletionSource,
    ) -> Result<Completion, StoreError> {
        let course = self.course(new.course_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => no_course(new.course_id),
            e => e,
        })?;
        let user = self.user(new.user_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => no_user(new.user_id).into(),
            e => e,
        })?;
        let on = ymd("completed_on", &new.completed_on)?.to_string();
        if on > today() {
            return Err(Problem::new("MAMORI-TRAINING-FUTURE")
                .field("completed_on")
                .with("date", &on)
                .into());
        }
        let mut tx = self.db.begin().await?;
        let (id, created): (i64, bool) = tx_run!(&mut tx, |c| {
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM training_completions WHERE user_id = $1 AND course_id = $2 AND completed_on = $3",
            )
            .bind(user.id)
            .bind(course.id)
            .bind(&on)
            .fetch_optional(&mut *c)
            .await?;
            match existing {
                Some(id) => (id, false),
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO training_completions (course_id, user_id, completed_on, source, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(course.id)
                    .bind(user.id)
                    .bind(&on)
                    .bind(source.code())
                    .bind(actor.label())
                    .bind(now_rfc3339())
                    .fetch_one(&mut *c)
                    .await?;
                    (id, true)
                }
            }
        });
        let completion: Completion = tx_run!(&mut tx, |c| {
            sqlx::query_as(select_completions!("WHERE k.id = $1"))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        if !created {
            return Ok(completion);
        }
        let closed = close_requests(&mut tx, None, id).await?;
        tx.append_event(
            actor,
            Entity::TrainingCompletion,
            id,
            Verb::Create,
            None::<&Completion>,
            Some(&serde_json::json!({"completion": &completion, "requests_closed": closed})),
        )
        .await?;
        tx.commit().await?;
        Ok(completion)
    }

    /// Completions, of one person or all, latest first.
    pub async fn list_completions(
        &self,
        user_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<Completion>, StoreError> {
        crate::paging::page_of(
            &self.db,
            select_completions!(
                "WHERE ($1 IS NULL OR k.user_id = $1) ORDER BY k.completed_on DESC, k.id DESC LIMIT $2 OFFSET $3"
            ),
            "SELECT COUNT(*) FROM training_completions WHERE ($1 IS NULL OR user_id = $1)",
            user_id,
            page,
        )
        .await
    }

    /// One person's request of one assignment.
    pub async fn training_request(
        &self,
        assignment_id: i64,
        user_id: i64,
    ) -> Result<TrainingRequest, StoreError> {
        let found: Option<TrainingRequest> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_requests!(
                "WHERE q.assignment_id = $1 AND q.user_id = $2"
            ))
            .bind(assignment_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| {
            StoreError::not_found("training request", format!("{assignment_id}:{user_id}"))
        })
    }

    /// A person's own requests, open ones first by due date; `open_only` leaves
    /// out the completed ones.
    pub async fn my_training_requests(
        &self,
        user_id: i64,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<TrainingRequest>, StoreError> {
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<TrainingRequest> = sqlx::query_as(select_requests!(
                "WHERE q.user_id = $1 AND ($2 = FALSE OR q.completed_on IS NULL) \
                 ORDER BY (CASE WHEN q.completed_on IS NULL THEN 0 ELSE 1 END), q.due_on, q.assignment_id LIMIT $3 OFFSET $4"
            ))
            .bind(user_id)
            .bind(open_only)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM training_requests q WHERE q.user_id = $1 AND ($2 = FALSE OR q.completed_on IS NULL)",
            )
            .bind(user_id)
            .bind(open_only)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// The completion rate and the overdue count per unit (the person's unit when
    /// assigned), in tree order.
    pub async fn training_rates(
        &self,
        scope: TrainingScope,
        page: PageRequest,
    ) -> Result<Page<UnitTrainingRate>, StoreError> {
        self.training_rates_sorted(scope, None, page).await
    }

    // --- h17ui ---
    /// [`Store::training_rates`] in the order asked (none: tree order).
    pub async fn training_rates_sorted(
        &self,
        scope: TrainingScope,
        sort: Option<crate::sorting::Sort<RateSortKey>>,
        page: PageRequest,
    ) -> Result<Page<UnitTrainingRate>, StoreError> {
        let pattern = within_pattern(scope.within);
        let today = today();
        let order = match sort {
            Some(sort) => sort.order_by("COALESCE(n.path, '')"),
            None => " ORDER BY n.path".to_string(),
        };
        let select = format!(
            "SELECT q.unit_id, n.name AS unit_name, COUNT(*) AS requested, COUNT(q.completed_on) AS completed, \
             COUNT(CASE WHEN q.completed_on IS NULL AND q.due_on < $3 THEN 1 END) AS overdue \
             FROM training_requests q LEFT JOIN units n ON n.id = q.unit_id \
             WHERE ($1 IS NULL OR q.assignment_id = $1) AND ($2 = '%' OR n.path LIKE $2) \
             GROUP BY q.unit_id, n.name, n.path{order} LIMIT $4 OFFSET $5"
        );
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<UnitTrainingRate> = sqlx::query_as(sqlx::AssertSqlSafe(select.clone()))
                .bind(scope.assignment_id)
                .bind(&pattern)
                .bind(&today)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(DISTINCT COALESCE(q.unit_id, 0)) FROM training_requests q LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE ($1 IS NULL OR q.assignment_id = $1) AND ($2 = '%' OR n.path LIKE $2)",
            )
            .bind(scope.assignment_id)
            .bind(&pattern)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Who is overdue (due date passed, not completed), by unit, person and due
    /// date.
    pub async fn training_overdue(
        &self,
        scope: TrainingScope,
        page: PageRequest,
    ) -> Result<Page<TrainingRequest>, StoreError> {
        let pattern = within_pattern(scope.within);
        let today = today();
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<TrainingRequest> = sqlx::query_as(select_requests!(
                "WHERE q.completed_on IS NULL AND q.due_on < $3 AND ($1 IS NULL OR q.assignment_id = $1) \
                 AND ($2 = '%' OR n.path LIKE $2) \
                 ORDER BY n.path, u.username, q.due_on, q.assignment_id LIMIT $4 OFFSET $5"
            ))
            .bind(scope.assignment_id)
            .bind(&pattern)
            .bind(&today)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM training_requests q LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE q.completed_on IS NULL AND q.due_on < $3 AND ($1 IS NULL OR q.assignment_id = $1) \
                 AND ($2 = '%' OR n.path LIKE $2)",
            )
            .bind(scope.assignment_id)
            .bind(&pattern)
            .bind(&today)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }
}

// --- h17ui ---
crate::sorting::sort_keys! {
    /// What the training status by unit sorts by.
    RateSortKey {
        Unit => ("unit", "COALESCE(n.path, '')"),
        Rate => ("rate", "(COUNT(q.completed_on) * 1.0 / COUNT(*))"),
        Overdue => ("overdue", "COUNT(CASE WHEN q.completed_on IS NULL AND q.due_on < $3 THEN 1 END)"),
    }
}
