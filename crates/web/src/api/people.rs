//! Classification change requests and notices over the API (issue 17): the
//! same operations as the pages (mamori_app::requests, mamori_app::notices).

use axum::Json;
use axum::extract::State;
use mamori_app::requests::{Decision, label_of};
use mamori_store::notices::Notice;
use mamori_store::requests::ClassificationRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// A proposed change of an asset's levels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClassificationRequestWire {
    pub id: i64,
    pub asset_id: i64,
    pub asset_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub requester_name: String,
    /// The levels when it was proposed, as a label (C3A-I2-A1).
    pub from: String,
    /// The levels proposed.
    pub to: String,
    pub reason: String,
    /// pending, approved, refused or withdrawn.
    pub state: String,
    pub decider_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub created_at: String,
}

impl From<ClassificationRequest> for ClassificationRequestWire {
    fn from(r: ClassificationRequest) -> Self {
        ClassificationRequestWire {
            from: label_of(&r.old_levels()),
            to: label_of(&r.new_levels()),
            id: r.id,
            asset_id: r.asset_id,
            asset_name: r.asset_name,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            requester_name: r.requester_name,
            reason: r.reason,
            state: r.state,
            decider_name: r.decider_name,
            decided_at: r.decided_at,
            decision_note: r.decision_note,
            created_at: r.created_at,
        }
    }
}

/// Filters of the requests list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    #[param(pattern = "^(pending|approved|refused|withdrawn)?$")]
    pub state: Option<String>,
    /// Only the requests about this asset.
    pub asset: Option<i64>,
}

/// The requests the caller may see: of the units whose assets they may read, and their own.
#[utoipa::path(get, path = "/classification-requests", tag = "assets", security(("bearer" = [])), params(RequestQuery, Paging),
    responses((status = 200, body = Collection<ClassificationRequestWire>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn requests(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<RequestQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<ClassificationRequestWire>>> {
    let wanted = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) if ["pending", "approved", "refused", "withdrawn"].contains(&s) => Some(s),
        Some(s) => {
            return Err(crate::error::AppError::bad_request(format!(
                "state: '{s}' は使えない値です / '{s}' is not one of pending, approved, refused, withdrawn"
            ))
            .as_json());
        }
    };
    let page = state
        .app
        .classification_requests(&user, wanted, q.asset, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/classification-requests/{id}", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ClassificationRequestWire), (status = 404, body = crate::error::ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ClassificationRequestWire>> {
    let v = state
        .app
        .classification_request(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(v.request.into()))
}

/// A decision on a classification request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RequestDecisionBody {
    /// approve, refuse, or withdraw (the proposer).
    #[schema(pattern = "^(approve|refuse|withdraw)$")]
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Approves (the asset takes the new levels), refuses or withdraws a pending
/// request: the unit's 情報セキュリティ管理者 or 責任者 or the security office,
/// never the proposer; withdrawing is the proposer's.
#[utoipa::path(post, path = "/classification-requests/{id}/decision", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RequestDecisionBody,
    responses((status = 200, body = ClassificationRequestWire), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RequestDecisionBody>,
) -> ApiResult<Json<ClassificationRequestWire>> {
    let decision = match b.decision.as_str() {
        "approve" => Decision::Approve,
        "refuse" => Decision::Refuse,
        "withdraw" => Decision::Withdraw,
        other => {
            return Err(crate::error::AppError::bad_request(format!(
                "decision: '{other}' は使えない値です / '{other}' is not one of approve, refuse, withdraw"
            ))
            .as_json());
        }
    };
    let r = state
        .app
        .decide_classification_request(&user, id, decision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(r.into()))
}

/// A notice to the caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeWire {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<Notice> for NoticeWire {
    fn from(n: Notice) -> Self {
        NoticeWire {
            id: n.id,
            kind: n.kind,
            subject: n.subject,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// Which notices.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// Only those not yet read.
    pub unread: Option<bool>,
}

/// The caller's notices, newest first.
#[utoipa::path(get, path = "/notices", tag = "notices", security(("bearer" = [])), params(NoticeQuery, Paging),
    responses((status = 200, body = Collection<NoticeWire>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn notices(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<NoticeQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<NoticeWire>>> {
    let page = state
        .app
        .my_notices(&user, q.unread.unwrap_or(false), paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// How many notices were marked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// Marks one of the caller's notices read.
#[utoipa::path(post, path = "/notices/{id}/read", tag = "notices", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Marked), (status = 404, body = crate::error::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Marked>> {
    let marked = state
        .app
        .mark_notices_read(&user, Some(id))
        .await
        .map_err(json_err)?;
    Ok(Json(Marked { marked }))
}

/// Marks all the caller's notices read.
#[utoipa::path(post, path = "/notices/read", tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Marked)))]
pub async fn read_all(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Marked>> {
    let marked = state
        .app
        .mark_notices_read(&user, None)
        .await
        .map_err(json_err)?;
    Ok(Json(Marked { marked }))
}
