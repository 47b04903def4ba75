//! Units, users and the event log.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mamori_core::org::{SystemRole, UnitKind};
use mamori_store::events::{ChainVerdict, EventFilter};
use mamori_store::units::NewUnit;
use mamori_store::users::{NewUser, UserUpdate};

use super::wire::{Event, Unit, User};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::state::AppState;

/// The organisation's units, in tree order.
#[utoipa::path(get, path = "/units", tag = "organisation", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<Unit>)))]
pub async fn units(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Unit>>> {
    Ok(Json(
        state
            .app
            .units(&user, p.request())
            .await
            .map_err(json_err)?
            .into(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnitRequest {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// department, section, team or other
    pub kind: String,
    pub parent_id: Option<i64>,
}

/// Creates a unit.
#[utoipa::path(post, path = "/units", tag = "organisation", security(("bearer" = [])), request_body = UnitRequest,
    responses((status = 201, body = Unit), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<UnitRequest>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    let kind = req
        .kind
        .parse::<UnitKind>()
        .map_err(|e| invalid("kind", e.to_string()))?;
    let unit = state
        .app
        .create_unit(
            &user,
            NewUnit {
                parent_id: req.parent_id,
                code: req.code,
                name: req.name,
                name_en: req.name_en,
                kind,
            },
        )
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}

fn invalid(field: &str, message: String) -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "MAMORI-INVALID",
        format!("{field}: {message}"),
    )
    .as_json()
}

fn parse_roles(roles: &[String]) -> ApiResult<Vec<SystemRole>> {
    roles
        .iter()
        .map(|r| {
            r.parse::<SystemRole>()
                .map_err(|e| invalid("roles", e.to_string()))
        })
        .collect()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Text in the user name or name.
    q: Option<String>,
    /// The order: by user name (default), name or unit; the id breaks ties.
    #[param(inline)]
    sort: Option<UserSortParam>,
    /// `asc` (default) or `desc`.
    #[param(inline)]
    dir: Option<crate::paging::SortDir>,
}

// --- h17ui ---
/// What the list of users sorts by.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserSortParam {
    Username,
    DisplayName,
    Unit,
}

impl UserSortParam {
    fn key(self) -> mamori_store::users::UserSortKey {
        use mamori_store::users::UserSortKey;
        match self {
            UserSortParam::Username => UserSortKey::Username,
            UserSortParam::DisplayName => UserSortKey::DisplayName,
            UserSortParam::Unit => UserSortKey::Unit,
        }
    }
}

/// The users: everyone for those who may read users, the staff of their own
/// units for a unit's 情報セキュリティ管理者 or 責任者.
#[utoipa::path(get, path = "/users", tag = "organisation", security(("bearer" = [])), params(Paging, UserQuery),
    responses((status = 200, body = Collection<User>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<UserQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<User>>> {
    // Everyone for read_users; else the staff of the units the policy lets the
    // caller read (a 情報セキュリティ管理者's section), or nobody.
    Ok(Json(
        state
            .app
            .users_sorted(
                &user,
                q.q.as_deref(),
                mamori_store::users::UserSort {
                    key: q.sort.map(UserSortParam::key).unwrap_or_default(),
                    descending: q.dir.unwrap_or_default().descending(),
                },
                paging.request(),
            )
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// One user.
#[utoipa::path(get, path = "/users/{id}", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = crate::error::ErrorBody)))]
pub async fn user(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state.app.user(&caller, id).await.map_err(json_err)?.into(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub unit_id: Option<i64>,
    /// admin, security_officer, auditor, staff
    #[serde(default)]
    pub roles: Vec<String>,
    /// The initial password (at least 12 characters); the user must change it at first sign-in.
    pub password: String,
}

/// Creates a user.
#[utoipa::path(post, path = "/users", tag = "organisation", security(("bearer" = [])), request_body = NewUserRequest,
    responses((status = 201, body = User), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        email: req.email,
        unit_id: req.unit_id,
        roles: parse_roles(&req.roles)?,
        password: req.password,
        must_change_password: true,
    };
    let user = state
        .app
        .create_user(&caller, new)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    pub display_name: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Option<i64>>,
    pub roles: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Distinguishes a field left out (no change) from `null` (clear it).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Changes a user (leave out a field to keep it).
#[utoipa::path(patch, path = "/users/{id}", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = UserPatch, responses((status = 200, body = User), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<User>> {
    let update = UserUpdate {
        display_name: patch.display_name,
        email: patch.email,
        unit_id: patch.unit_id,
        roles: patch.roles.as_deref().map(parse_roles).transpose()?,
        active: patch.active,
    };
    Ok(Json(
        state
            .app
            .update_user(&caller, id, update)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub password: String,
}

/// Sets a new password that the user must change at next sign-in.
#[utoipa::path(post, path = "/users/{id}/password", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PasswordReset, responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    state
        .app
        .reset_password(&caller, id, &body.password)
        .await
        .map_err(json_err)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only entries about this kind of record (`asset`, `unit`, `user`, …).
    entity: Option<String>,
    /// Only entries about this record (with `entity`).
    entity_id: Option<String>,
    /// Only what the people this names did (a user name or part of a name).
    person: Option<String>,
    /// Only entries on or after this day in Japan (YYYY-MM-DD).
    #[param(format = Date)]
    from: Option<String>,
    /// Only entries on or before this day in Japan (YYYY-MM-DD).
    #[param(format = Date)]
    to: Option<String>,
}

/// A day of the log's filter, or a 400 naming the parameter.
fn log_day(text: Option<&str>, name: &str) -> ApiResult<Option<time::Date>> {
    // Present but empty is not a date either.
    let Some(text) = text.map(str::trim) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).map(Some).map_err(|_| {
        crate::error::AppError::bad_request(format!(
            "{name}: 日付は 2026-04-01 の形で指定してください / {name}: give the date as 2026-04-01"
        ))
        .as_json()
    })
}

/// The event log, newest first.
#[utoipa::path(get, path = "/events", tag = "log", security(("bearer" = [])), params(Paging, EventQuery),
    responses((status = 200, body = Collection<Event>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<EventQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Event>>> {
    let (from, until) = mamori_store::events::jst_day_bounds(
        log_day(q.from.as_deref(), "from")?,
        log_day(q.to.as_deref(), "to")?,
    );
    let filter = EventFilter {
        entity: q.entity,
        entity_id: q.entity_id,
        from,
        until,
        ..Default::default()
    };
    let page = state
        .app
        .log(&user, &filter, q.person.as_deref(), paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Verdict {
    pub intact: bool,
    /// Events checked (when intact).
    pub events: Option<i64>,
    /// The first event that does not match.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// Recomputes the hash chain.
#[utoipa::path(post, path = "/events/verify", tag = "log", security(("bearer" = [])),
    responses((status = 200, body = Verdict)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Verdict>> {
    Ok(Json(
        match state.app.verify_log(&user).await.map_err(json_err)? {
            ChainVerdict::Intact { events } => Verdict {
                intact: true,
                events: Some(events),
                broken_at: None,
                reason: None,
            },
            ChainVerdict::Broken { seq, reason } => Verdict {
                intact: false,
                events: None,
                broken_at: Some(seq),
                reason: Some(reason),
            },
        },
    ))
}
