//! The guideline's roles and their assignments, staff fields, and acknowledgements
//! (誓約) of policy revisions.

use super::wire::{
    AckCampaign, AckRequest, NewAckCampaign, NewRoleAssignment, PolicyRevision, RoleAssignment,
    UnitAckRate, User,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use mamori_core::org::EmploymentType;
use serde::{Deserialize, Serialize};

use super::training::listed;
use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::state::AppState;

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
    Ok(Json(
        state
            .app
            .guideline_roles(&user)
            .map_err(json_err)?
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
}

/// Role assignments (who holds which guideline role, for what, from when to when).
#[utoipa::path(get, path = "/role-assignments", tag = "organisation", security(("bearer" = [])), params(Paging, AssignmentQuery),
    responses((status = 200, body = Collection<RoleAssignment>)))]
pub async fn role_assignments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<AssignmentQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<RoleAssignment>>> {
    let page = paging.request();
    Ok(Json(
        state
            .app
            .role_assignments(&user, q.user_id, page)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// Assigns a guideline role.
#[utoipa::path(post, path = "/role-assignments", tag = "organisation", security(("bearer" = [])), request_body = NewRoleAssignment,
    responses((status = 201, body = RoleAssignment), (status = 422, body = crate::error::ErrorBody)))]
pub async fn assign_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewRoleAssignment>,
) -> ApiResult<(StatusCode, Json<RoleAssignment>)> {
    let a = state
        .app
        .assign_role(&user, req.into())
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
    Ok(Json(
        state
            .app
            .end_role(&user, id, &req.ends_on)
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
            .app
            .set_staff(&user, id, et, &req.position)
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
    listed(state.app.policy_revisions(&user, p.request()).await)
}

/// Acknowledgement campaigns, newest first, with their counts.
#[utoipa::path(get, path = "/acknowledgements/campaigns", tag = "acknowledgements", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<AckCampaign>)))]
pub async fn campaigns(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<AckCampaign>>> {
    listed(state.app.ack_campaigns(&user, p.request()).await)
}

/// Opens a campaign: every active member of staff is asked to confirm the revision.
#[utoipa::path(post, path = "/acknowledgements/campaigns", tag = "acknowledgements", security(("bearer" = [])), request_body = NewAckCampaign,
    responses((status = 201, body = AckCampaign), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open_campaign(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewAckCampaign>,
) -> ApiResult<(StatusCode, Json<AckCampaign>)> {
    let c = state
        .app
        .open_ack_campaign(&user, req.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Only this unit and the units below it.
    pub within: Option<i64>,
}

/// The confirmation rate per unit.
#[utoipa::path(get, path = "/acknowledgements/campaigns/{id}/units", tag = "acknowledgements", security(("bearer" = [])), params(("id" = i64, Path), Paging, StatusQuery),
    responses((status = 200, body = Collection<UnitAckRate>)))]
pub async fn campaign_units(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<UnitAckRate>>> {
    let page = paging.request();
    listed(state.app.ack_rates(&user, id, q.within, page).await)
}

/// Who has not confirmed yet.
#[utoipa::path(get, path = "/acknowledgements/campaigns/{id}/pending", tag = "acknowledgements", security(("bearer" = [])), params(("id" = i64, Path), Paging, StatusQuery),
    responses((status = 200, body = Collection<AckRequest>)))]
pub async fn campaign_pending(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<AckRequest>>> {
    let page = paging.request();
    listed(state.app.ack_pending(&user, id, q.within, page).await)
}

/// The signed-in user's own acknowledgement requests, unconfirmed first.
#[utoipa::path(get, path = "/me/acknowledgements", tag = "acknowledgements", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<AckRequest>)))]
pub async fn my_requests(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<AckRequest>>> {
    listed(state.app.my_ack_requests(&user, p.request()).await)
}

/// The signed-in user confirms that they have read the campaign's revision.
#[utoipa::path(post, path = "/me/acknowledgements/{campaign_id}", tag = "acknowledgements", security(("bearer" = [])), params(("campaign_id" = i64, Path)),
    responses((status = 200, body = AckRequest), (status = 404, body = crate::error::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(campaign_id): ApiPath<i64>,
) -> ApiResult<Json<AckRequest>> {
    Ok(Json(
        state
            .app
            .acknowledge(&user, campaign_id)
            .await
            .map_err(json_err)?
            .into(),
    ))
}
