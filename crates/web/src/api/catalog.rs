//! The policy documents and the catalogues.

use axum::Json;
use axum::extract::State;
use mamori_store::catalogs::{ControlFilter, ThreatFilter};
use serde::{Deserialize, Serialize};

use super::wire::{
    ControlCategoryRow, ControlView, PolicyDocumentRow, PolicyDocumentView, ThreatCategoryRow,
    ThreatRow,
};
use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// The policy documents (基本方針, 対策基準, 実施手順).
#[utoipa::path(get, path = "/policy-documents", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = Collection<PolicyDocumentRow>)))]
pub async fn documents(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Collection<PolicyDocumentRow>>> {
    let items = state.app.policy_documents(&user).await.map_err(json_err)?;
    Ok(Json(Collection::all(items)))
}

/// One policy document with its articles, their items, and its revisions (附則).
#[utoipa::path(get, path = "/policy-documents/{code}", tag = "policy", security(("bearer" = [])),
    params(("code" = String, Path, description = "e.g. basic_policy")),
    responses((status = 200, body = PolicyDocumentView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn document(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<PolicyDocumentView>> {
    Ok(Json(
        state
            .app
            .policy_document(&user, &code)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// The four categories of threats of 第7.
#[utoipa::path(get, path = "/threat-categories", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Collection<ThreatCategoryRow>)))]
pub async fn threat_categories(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Collection<ThreatCategoryRow>>> {
    let items = state.app.threat_categories(&user).await.map_err(json_err)?;
    Ok(Json(Collection::all(items)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreatQuery {
    /// A category code (see /threat-categories).
    category: Option<String>,
}

/// The threats, optionally of one category.
#[utoipa::path(get, path = "/threats", tag = "catalog", security(("bearer" = [])), params(Paging, ThreatQuery),
    responses((status = 200, body = Collection<ThreatRow>)))]
pub async fn threats(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ThreatQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<ThreatRow>>> {
    let filter = ThreatFilter {
        category: q.category.filter(|c| !c.is_empty()),
    };
    Ok(Json(
        state
            .app
            .threats(&user, &filter, paging.request())
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// One threat.
#[utoipa::path(get, path = "/threats/{code}", tag = "catalog", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = ThreatRow), (status = 404, body = crate::error::ErrorBody)))]
pub async fn threat(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<ThreatRow>> {
    Ok(Json(
        state
            .app
            .threat(&user, &code)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// The five categories of countermeasures of 第8.
#[utoipa::path(get, path = "/control-categories", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Collection<ControlCategoryRow>)))]
pub async fn control_categories(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Collection<ControlCategoryRow>>> {
    let items = state
        .app
        .control_categories(&user)
        .await
        .map_err(json_err)?;
    Ok(Json(Collection::all(items)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ControlQuery {
    category: Option<String>,
    chapter: Option<i64>,
    /// A threat code: only the controls that mitigate it.
    threat: Option<String>,
}

/// The controls, with the threats each mitigates.
#[utoipa::path(get, path = "/controls", tag = "catalog", security(("bearer" = [])), params(Paging, ControlQuery),
    responses((status = 200, body = Collection<ControlView>)))]
pub async fn controls(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ControlQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<ControlView>>> {
    let filter = ControlFilter {
        category: q.category.filter(|c| !c.is_empty()),
        chapter: q.chapter,
        threat: q.threat,
    };
    Ok(Json(
        state
            .app
            .controls(&user, &filter, paging.request())
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// The classification schemes, each with its levels, handling rules and checks.
#[utoipa::path(get, path = "/classification-schemes", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "{items: [scheme], total}", body = Object)))]
pub async fn schemes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<serde_json::Value>> {
    let items = state
        .app
        .classification_schemes(&user)
        .await
        .map_err(json_err)?;
    let total = items.len();
    Ok(Json(serde_json::json!({ "items": items, "total": total })))
}

/// The active classification scheme.
#[utoipa::path(get, path = "/classification-schemes/active", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "the scheme", body = Object)))]
pub async fn active_scheme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<serde_json::Value>> {
    let scheme = state.app.active_scheme(&user).await.map_err(json_err)?;
    Ok(Json(serde_json::to_value(scheme).unwrap_or_default()))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActiveScheme {
    /// The code of a scheme, e.g. mic-r6.
    pub code: String,
}

// --- h17ui ---
/// `dry_run=true`: only tell what a switch would do.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SwitchQuery {
    /// Switch nothing; answer how many assets would be flagged for review.
    dry_run: Option<bool>,
}

/// The scheme in force after a switch (or, on a dry run, the one asked).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SchemeSwitch {
    /// The scheme's code, e.g. mic-r6.
    pub code: String,
    /// Its display name.
    pub name: String,
    /// Whether nothing was switched (a dry run).
    pub dry_run: bool,
    /// Assets flagged for review under the scheme.
    pub flagged: i64,
    /// Assets in the register.
    pub total: i64,
}

/// Makes another scheme the active one; with `dry_run=true`, only says how
/// many assets would be flagged for review.
#[utoipa::path(put, path = "/classification-schemes/active", tag = "catalog", security(("bearer" = [])),
    params(SwitchQuery), request_body = ActiveScheme,
    responses((status = 200, body = SchemeSwitch), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_active_scheme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<SwitchQuery>,
    ApiJson(body): ApiJson<ActiveScheme>,
) -> ApiResult<Json<SchemeSwitch>> {
    let dry_run = q.dry_run.unwrap_or(false);
    if !dry_run {
        // The register's flags follow the scheme now in force.
        state
            .app
            .set_active_scheme(&user, &body.code)
            .await
            .map_err(json_err)?;
    }
    let (scheme, flagged, total) = state
        .app
        .preview_active_scheme(&user, &body.code)
        .await
        .map_err(json_err)?;
    Ok(Json(SchemeSwitch {
        code: scheme.code,
        name: scheme.name,
        dry_run,
        flagged,
        total,
    }))
}
