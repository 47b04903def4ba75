//! The guideline's roles and their assignments, staff fields, and acknowledgements
//! (誓約) of policy revisions.

use super::wire::{
    AckCampaign, AckRequest, NewAckCampaign, NewRoleAssignment, PolicyRevision, RoleAssignment,
    UnitAckRate, User,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mamori_authz::{Action, Resource};
use mamori_core::org::{EmploymentType, GUIDELINE_ROLES};
use mamori_store::units::parse_path;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, collection, json_err};
use crate::auth::{ApiUser, Authed};
use crate::error::AppError;
use crate::state::AppState;

fn allow(state: &AppState, user: &Authed, action: Action, resource: &Resource) -> ApiResult<()> {
    user.require(state, action, resource).map_err(json_err)
}

/// One role of the guideline's model.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GuidelineRoleInfo {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    /// organisation, unit or system
    pub scope: String,
}

/// The guideline's roles (第5) and what each is held for.
#[utoipa::path(get, path = "/guideline-roles", tag = "organisation", security(("bearer" = [])),
    responses((status = 200, body = [GuidelineRoleInfo])))]
pub async fn guideline_roles(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<GuidelineRoleInfo>>> {
    allow(&state, &user, Action::ReadUnits, &Resource::App)?;
    Ok(Json(
        GUIDELINE_ROLES
            .iter()
            .map(|r| GuidelineRoleInfo {
                code: r.code.into(),
                name_ja: r.name_ja.into(),
                name_en: r.name_en.into(),
                scope: r.scope.code().into(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only the assignments of this user.
    user_id: Option<i64>,
    /// The page, from 1 (default 1).
    #[serde(default, deserialize_with = "super::paging::page")]
    #[param(minimum = 1)]
    page: Option<u32>,
    /// Items per page, 1–500 (default 50).
    #[serde(default, deserialize_with = "super::paging::per_page")]
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

/// Role assignments (who holds which guideline role, for what, from when to when).
#[utoipa::path(get, path = "/role-assignments", tag = "organisation", security(("bearer" = [])), params(AssignmentQuery),
    responses((status = 200, body = Collection<RoleAssignment>)))]
pub async fn role_assignments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<AssignmentQuery>,
) -> ApiResult<Json<Collection<RoleAssignment>>> {
    if !user.can(&state, Action::ReadUsers, &Resource::App) {
        allow(&state, &user, Action::ManageRoles, &Resource::App)?;
    }
    let page = mamori_store::PageRequest::new(q.page, q.per_page);
    collection(state.store.list_role_assignments(q.user_id, page).await)
}

/// Assigns a guideline role.
#[utoipa::path(post, path = "/role-assignments", tag = "organisation", security(("bearer" = [])), request_body = NewRoleAssignment,
    responses((status = 201, body = RoleAssignment), (status = 422, body = crate::error::ErrorBody)))]
pub async fn assign_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewRoleAssignment>,
) -> ApiResult<(StatusCode, Json<RoleAssignment>)> {
    allow(&state, &user, Action::ManageRoles, &Resource::App)?;
    let a = state
        .store
        .assign_role(&user.actor(), req.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EndRequest {
    /// YYYY-MM-DD, the last day the role is held.
    pub ends_on: String,
}

/// Ends a role assignment.
#[utoipa::path(post, path = "/role-assignments/{id}/end", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)), request_body = EndRequest,
    responses((status = 200, body = RoleAssignment), (status = 422, body = crate::error::ErrorBody)))]
pub async fn end_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EndRequest>,
) -> ApiResult<Json<RoleAssignment>> {
    allow(&state, &user, Action::ManageRoles, &Resource::App)?;
    Ok(Json(
        state
            .store
            .end_role_assignment(&user.actor(), id, &req.ends_on)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StaffRequest {
    /// regular, fiscal_year, reappointed, fixed_term, dispatched, contractor or other
    pub employment_type: String,
    #[serde(default)]
    pub position: String,
}

/// The lineage of a user's unit, for the policy.
async fn person_of(state: &AppState, target: &mamori_store::users::User) -> ApiResult<Resource> {
    let unit_lineage = match target.unit_id {
        Some(id) => parse_path(&state.store.unit(id).await.map_err(json_err)?.path),
        None => Vec::new(),
    };
    Ok(Resource::Person {
        id: target.id,
        unit_lineage,
    })
}

/// Sets a member of staff's employment type and position. Allowed to the security
/// office and to the 情報セキュリティ管理者 / 責任者 of the person's unit.
#[utoipa::path(put, path = "/users/{id}/staff", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)), request_body = StaffRequest,
    responses((status = 200, body = User), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StaffRequest>,
) -> ApiResult<Json<User>> {
    let target = state.store.user(id).await.map_err(json_err)?;
    let person = person_of(&state, &target).await?;
    allow(&state, &user, Action::ManagePerson, &person)?;
    let et = req.employment_type.parse::<EmploymentType>().map_err(|e| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "MAMORI-INVALID",
            format!("employment_type: 雇用形態が不明です / {e}"),
        )
        .as_json()
    })?;
    Ok(Json(
        state
            .store
            .set_staff_profile(&user.actor(), id, et, &req.position)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// Revisions (附則) of the policy documents: what a campaign is about.
#[utoipa::path(get, path = "/policy-revisions", tag = "acknowledgements", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<PolicyRevision>)))]
pub async fn policy_revisions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<PolicyRevision>>> {
    allow(&state, &user, Action::ReadPolicy, &Resource::App)?;
    collection(state.store.list_policy_revisions(p.request()).await)
}

/// Acknowledgement campaigns, newest first, with their counts.
#[utoipa::path(get, path = "/acknowledgements/campaigns", tag = "acknowledgements", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<AckCampaign>)))]
pub async fn campaigns(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<AckCampaign>>> {
    allow(&state, &user, Action::ReadAckStatus, &Resource::App)?;
    collection(state.store.list_ack_campaigns(p.request()).await)
}

/// Opens a campaign: every active member of staff is asked to confirm the revision.
#[utoipa::path(post, path = "/acknowledgements/campaigns", tag = "acknowledgements", security(("bearer" = [])), request_body = NewAckCampaign,
    responses((status = 201, body = AckCampaign), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open_campaign(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewAckCampaign>,
) -> ApiResult<(StatusCode, Json<AckCampaign>)> {
    allow(
        &state,
        &user,
        Action::ManageAcknowledgements,
        &Resource::App,
    )?;
    let c = state
        .store
        .open_ack_campaign(&user.actor(), req.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Only this unit and the units below it.
    pub within: Option<i64>,
    /// The page, from 1 (default 1).
    #[serde(default, deserialize_with = "super::paging::page")]
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Items per page, 1–500 (default 50).
    #[serde(default, deserialize_with = "super::paging::per_page")]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// Whole-organisation status needs `read_ack_status`; a unit's needs
/// `read_unit_status` on that unit (the unit's 情報セキュリティ管理者 has it).
pub(crate) async fn allow_status(
    state: &AppState,
    user: &Authed,
    within: Option<i64>,
) -> Result<(), AppError> {
    if user.can(state, Action::ReadAckStatus, &Resource::App) {
        return Ok(());
    }
    match within {
        Some(unit) => {
            let lineage = parse_path(&state.store.unit(unit).await?.path);
            user.require(state, Action::ReadUnitStatus, &Resource::Unit { lineage })
        }
        None => Err(AppError::forbidden()),
    }
}

/// The confirmation rate per unit.
#[utoipa::path(get, path = "/acknowledgements/campaigns/{id}/units", tag = "acknowledgements", security(("bearer" = [])), params(("id" = i64, Path), StatusQuery),
    responses((status = 200, body = Collection<UnitAckRate>)))]
pub async fn campaign_units(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Collection<UnitAckRate>>> {
    allow_status(&state, &user, q.within)
        .await
        .map_err(json_err)?;
    let page = mamori_store::PageRequest::new(q.page, q.per_page);
    collection(state.store.ack_rates(id, q.within, page).await)
}

/// Who has not confirmed yet.
#[utoipa::path(get, path = "/acknowledgements/campaigns/{id}/pending", tag = "acknowledgements", security(("bearer" = [])), params(("id" = i64, Path), StatusQuery),
    responses((status = 200, body = Collection<AckRequest>)))]
pub async fn campaign_pending(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Collection<AckRequest>>> {
    allow_status(&state, &user, q.within)
        .await
        .map_err(json_err)?;
    let page = mamori_store::PageRequest::new(q.page, q.per_page);
    collection(state.store.ack_pending(id, q.within, page).await)
}

/// The signed-in user's own acknowledgement requests, unconfirmed first.
#[utoipa::path(get, path = "/me/acknowledgements", tag = "acknowledgements", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<AckRequest>)))]
pub async fn my_requests(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<AckRequest>>> {
    allow(&state, &user, Action::Acknowledge, &Resource::App)?;
    collection(state.store.my_ack_requests(user.user.id, p.request()).await)
}

/// The signed-in user confirms that they have read the campaign's revision.
#[utoipa::path(post, path = "/me/acknowledgements/{campaign_id}", tag = "acknowledgements", security(("bearer" = [])), params(("campaign_id" = i64, Path)),
    responses((status = 200, body = AckRequest), (status = 404, body = crate::error::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(campaign_id): ApiPath<i64>,
) -> ApiResult<Json<AckRequest>> {
    allow(&state, &user, Action::Acknowledge, &Resource::App)?;
    Ok(Json(
        state
            .store
            .acknowledge(&user.actor(), campaign_id, user.user.id)
            .await
            .map_err(json_err)?
            .into(),
    ))
}
