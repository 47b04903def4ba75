//! Training (第8(2) 教育・訓練) over the API: courses, assignments, completions
//! (entered, self-declared, imported from an e-learning system's file), the
//! per-unit rate and overdue list, and the Excel exports of training and
//! acknowledgement status. The security office manages; a unit's 情報セキュリ
//! ティ管理者 sees and records their units only; staff see and declare their own.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_authz::Action;
use mamori_store::assets::LedgerFormat;
use mamori_store::training::TrainingScope;

use super::wire::{
    Completion, CompletionImportReport, Course, CourseUpdate, NewCompletion, NewCourse,
    NewTrainingAssignment, TrainingAssignment, TrainingRequest, UnitTrainingRate,
};
use serde::Deserialize;

use super::{ApiBody, ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::state::AppState;

/// A page of a list from an operation, as the API answers it.
pub(crate) fn listed<S, T: From<S>>(
    found: mamori_app::Result<mamori_store::Page<S>>,
) -> ApiResult<Json<Collection<T>>> {
    Ok(Json(found.map_err(json_err)?.into()))
}

/// Courses by code.
#[utoipa::path(get, path = "/training/courses", tag = "training", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<Course>)))]
pub async fn courses(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Course>>> {
    listed(state.app.courses(&user, p.request()).await)
}

/// Creates a course (the security office).
#[utoipa::path(post, path = "/training/courses", tag = "training", security(("bearer" = [])), request_body = NewCourse,
    responses((status = 201, body = Course), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_course(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewCourse>,
) -> ApiResult<(StatusCode, Json<Course>)> {
    let c = state
        .app
        .create_course(&user, req.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only the assignments of this course.
    course_id: Option<i64>,
}

/// Assignments with their counts, latest due date first (whole-organisation
/// status readers).
#[utoipa::path(get, path = "/training/assignments", tag = "training", security(("bearer" = [])), params(Paging, AssignmentQuery),
    responses((status = 200, body = Collection<TrainingAssignment>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn assignments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<AssignmentQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<TrainingAssignment>>> {
    let page = paging.request();
    listed(
        state
            .app
            .training_assignments(&user, q.course_id, page)
            .await,
    )
}

/// Assigns a course to everyone, a guideline role, a unit (and below) or an
/// employment type, with a due date: one request per matching active person.
#[utoipa::path(post, path = "/training/assignments", tag = "training", security(("bearer" = [])), request_body = NewTrainingAssignment,
    responses((status = 201, body = TrainingAssignment), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewTrainingAssignment>,
) -> ApiResult<(StatusCode, Json<TrainingAssignment>)> {
    let a = state
        .app
        .assign_training(&user, req.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Corrects a course's names or description (code, kind and validity stay).
#[utoipa::path(patch, path = "/training/courses/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CourseUpdate,
    responses((status = 200, body = Course), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_course(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CourseUpdate>,
) -> ApiResult<Json<Course>> {
    let c = state
        .app
        .update_course(&user, id, req.into())
        .await
        .map_err(json_err)?;
    Ok(Json(c.into()))
}

/// Withdraws an assignment made in error, with its requests (completions stay).
#[utoipa::path(delete, path = "/training/assignments/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .withdraw_training(&user, id)
        .await
        .map_err(json_err)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new due date for an assignment.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DueChange {
    /// YYYY-MM-DD
    pub due_on: String,
}

/// Moves an assignment's due date (期限の変更): every request takes the new
/// date and which completions count is worked out again.
#[utoipa::path(patch, path = "/training/assignments/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DueChange,
    responses((status = 200, body = TrainingAssignment), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn change_due(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DueChange>,
) -> ApiResult<Json<TrainingAssignment>> {
    let a = state
        .app
        .change_training_due(&user, id, &req.due_on)
        .await
        .map_err(json_err)?;
    Ok(Json(a.into()))
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Only this assignment.
    pub assignment_id: Option<i64>,
    /// Only this unit and the units below it.
    pub within: Option<i64>,
}

impl StatusQuery {
    fn scope(&self) -> TrainingScope {
        TrainingScope {
            assignment_id: self.assignment_id,
            within: self.within,
        }
    }
}

/// The completion rate and overdue count per unit.
#[utoipa::path(get, path = "/training/units", tag = "training", security(("bearer" = [])), params(Paging, StatusQuery),
    responses((status = 200, body = Collection<UnitTrainingRate>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn units(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<UnitTrainingRate>>> {
    let page = paging.request();
    listed(state.app.training_rates(&user, q.scope(), page).await)
}

/// Who is overdue (due date passed, not completed), by unit.
#[utoipa::path(get, path = "/training/overdue", tag = "training", security(("bearer" = [])), params(Paging, StatusQuery),
    responses((status = 200, body = Collection<TrainingRequest>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn overdue(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<TrainingRequest>>> {
    let page = paging.request();
    listed(state.app.training_overdue(&user, q.scope(), page).await)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletionQuery {
    /// Only this person's completions (yourself, or someone whose record you may read).
    user_id: Option<i64>,
}

/// Recorded completions, latest first: your own, a person's you may read, or
/// everyone's (whole-organisation status readers).
#[utoipa::path(get, path = "/training/completions", tag = "training", security(("bearer" = [])), params(Paging, CompletionQuery),
    responses((status = 200, body = Collection<Completion>), (status = 403, body = crate::error::ErrorBody),
        (status = 404, description = "user_id names no user (MAMORI-NOT-FOUND)", body = crate::error::ErrorBody)))]
pub async fn completions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<CompletionQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Completion>>> {
    let page = paging.request();
    listed(state.app.completions(&user, q.user_id, page).await)
}

/// Records a completion: for anyone by the security office, for a unit's staff
/// by its manager, or for yourself (self-declared, while the policy allows it).
/// Recording the same completion again changes nothing.
#[utoipa::path(post, path = "/training/completions", tag = "training", security(("bearer" = [])), request_body = NewCompletion,
    responses((status = 201, body = Completion), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewCompletion>,
) -> ApiResult<(StatusCode, Json<Completion>)> {
    let c = state
        .app
        .record_completion(&user, req.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// csv (UTF-8 or Shift_JIS; the default) or xlsx
    #[param(schema_with = import_format_param)]
    format: Option<String>,
}

fn import_format_param() -> utoipa::openapi::schema::Object {
    super::string_enum(["csv", "xlsx"])
}

/// Imports completions from an e-learning system's export, sent as the request
/// body: columns for the login (the Mamori user name), the course code and the
/// completion date. All rows or none: 200 with the report when written, 422
/// with the report naming every bad row and column when not.
#[utoipa::path(post, path = "/training/completions/import", tag = "training", security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CompletionImportReport), (status = 422, body = CompletionImportReport),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiBody(body): ApiBody,
) -> ApiResult<(StatusCode, Json<CompletionImportReport>)> {
    // Refused before the format is looked at (the import decides again).
    if !state.app.may_app(&user, Action::ManageTraining) {
        return Err(AppError::forbidden().as_json());
    }
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => LedgerFormat::Csv,
        "xlsx" => LedgerFormat::Xlsx,
        other => {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "MAMORI-INVALID",
                format!("format: csv か xlsx です: '{other}' / csv or xlsx: '{other}'"),
            )
            .as_json());
        }
    };
    let report = state
        .app
        .import_completions(&user, &body, format)
        .await
        .map_err(json_err)?;
    let status = if report.written {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineQuery {
    /// Only the trainings not yet completed.
    #[serde(default)]
    open: bool,
}

/// The signed-in user's own trainings, open ones first by due date.
#[utoipa::path(get, path = "/me/trainings", tag = "training", security(("bearer" = [])), params(Paging, MineQuery),
    responses((status = 200, body = Collection<TrainingRequest>)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<MineQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<TrainingRequest>>> {
    let page = paging.request();
    listed(state.app.my_trainings(&user, q.open, page).await)
}

/// An .xlsx download.
pub(crate) fn xlsx(bytes: Vec<u8>, file: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                LedgerFormat::Xlsx.content_type().to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The training status as an Excel workbook: one row per person asked (course,
/// unit, person, due date, status, completion date), scoped like the status.
#[utoipa::path(get, path = "/training/export.xlsx", tag = "training", security(("bearer" = [])), params(StatusQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Response> {
    let bytes = state
        .app
        .export_training_status(&user, q.scope())
        .await
        .map_err(json_err)?;
    Ok(xlsx(bytes, "training-status.xlsx"))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithinQuery {
    /// Only this unit and the units below it.
    within: Option<i64>,
}

/// The acknowledgement status of a campaign as an Excel workbook: one row per
/// person asked (unit, person, status, confirmed at), scoped like the status.
#[utoipa::path(get, path = "/acknowledgements/campaigns/{id}/export.xlsx", tag = "acknowledgements", security(("bearer" = [])), params(("id" = i64, Path), WithinQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn export_acks(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<WithinQuery>,
) -> ApiResult<Response> {
    let bytes = state
        .app
        .export_ack_status(&user, id, q.within)
        .await
        .map_err(json_err)?;
    Ok(xlsx(bytes, &format!("acknowledgements-{id}.xlsx")))
}
