//! The information-asset register over the API (reading): the register with its
//! filters, and one asset with its handling rules, failed checks and history.
//! What a caller sees is decided by the Cedar policy (read_asset).

use axum::Json;
use axum::extract::{Path, State};
use mamori_authz::{Action, Resource};
use mamori_core::asset::{AssetKind, Lifecycle};
use mamori_store::assets::{
    Asset, AssetFilter, AssetScope, AssetSort, AssetSortKey, FlagView, HandlingRule,
};
use mamori_store::units::parse_path;
use serde::{Deserialize, Serialize};

use super::{ApiQuery, ApiResult, Collection, json_err};
use crate::auth::{ApiUser, Authed};
use crate::error::AppError;
use crate::state::AppState;

async fn scope_of(state: &AppState, user: &Authed) -> ApiResult<AssetScope> {
    crate::auth::asset_scope(state, user)
        .await
        .map_err(json_err)
}

fn bad(field: &str, value: &str) -> AppError {
    AppError::bad_request(format!(
        "{field}: '{value}' は使えない値です / '{value}' is not a valid value"
    ))
    .as_json()
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AssetQuery {
    /// Owning unit id (with its sub-units).
    unit: Option<i64>,
    /// equipment, facility, electronic_information, system_document, administrative_information, self_managed_information
    kind: Option<String>,
    confidentiality: Option<String>,
    integrity: Option<String>,
    availability: Option<String>,
    segment: Option<i64>,
    /// registered, in_use, disposed
    state: Option<String>,
    flagged: Option<bool>,
    /// Words that must all occur in the name, description, administrator, location or notes.
    q: Option<String>,
    /// id, name, unit, kind, confidentiality, lifecycle, updated
    sort: Option<String>,
    desc: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

fn parse_enum<T: serde::de::DeserializeOwned>(field: &str, v: &str) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(v.to_string())).map_err(|_| bad(field, v))
}

/// The register, filtered on the server, one page at a time.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", security(("bearer" = [])), params(AssetQuery),
    responses((status = 200, description = "{items: [asset], total}"), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<AssetQuery>,
) -> ApiResult<Json<Collection<Asset>>> {
    let filter = AssetFilter {
        unit_id: q.unit,
        include_subunits: true,
        kind: q
            .kind
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|k| parse_enum::<AssetKind>("kind", k))
            .transpose()?,
        confidentiality: q.confidentiality.filter(|s| !s.is_empty()),
        integrity: q.integrity.filter(|s| !s.is_empty()),
        availability: q.availability.filter(|s| !s.is_empty()),
        segment_id: q.segment,
        lifecycle: q
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| parse_enum::<Lifecycle>("state", s))
            .transpose()?,
        flagged: q.flagged,
        text: q.q.filter(|s| !s.trim().is_empty()),
        ..Default::default()
    };
    let key = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_enum::<AssetSortKey>("sort", s)?,
        None => AssetSortKey::Id,
    };
    let scope = scope_of(&state, &user).await?;
    let page = mamori_store::PageRequest::new(q.page, q.per_page);
    let sort = AssetSort {
        key,
        descending: q.desc.unwrap_or(false),
    };
    Ok(Json(
        state
            .store
            .list_assets(&filter, sort, page, &scope)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AssetDetail {
    #[schema(value_type = Object)]
    pub asset: Asset,
    /// What its levels require (取扱制限).
    #[schema(value_type = Vec<Object>)]
    pub handling: Vec<HandlingRule>,
    /// The consistency checks it fails.
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<FlagView>,
    /// Its changes, newest first (the first 50).
    pub history: Vec<mamori_store::events::Event>,
}

/// One asset with its handling rules, failed checks and history.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AssetDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<AssetDetail>> {
    let asset = state
        .store
        .asset(id, &AssetScope::unrestricted())
        .await
        .map_err(json_err)?;
    let owner = state
        .store
        .unit(asset.record.owner_unit_id)
        .await
        .map_err(json_err)?;
    let resource = Resource::Asset {
        id,
        owner_lineage: parse_path(&owner.path),
        top: asset.is_top,
    };
    if !user.can(&state, Action::ReadAsset, &resource) {
        // Not found rather than forbidden: the caller learns nothing of assets they may not see.
        return Err(AppError::not_found(format!("asset {id} was not found")).as_json());
    }
    let scheme = state.store.active_scheme().await.map_err(json_err)?;
    let history = state
        .store
        .asset_history(id, mamori_store::PageRequest::default())
        .await
        .map_err(json_err)?
        .items;
    Ok(Json(AssetDetail {
        handling: asset.handling(&scheme),
        flags: asset.flag_views(&scheme),
        history,
        asset,
    }))
}
