//! The network segments, the information systems in them, and the city's
//! segments file (the one record the asset register and the checker share).

use super::wire::{SegmentSync, SegmentUsage};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult, Collection, json_err};
use crate::auth::ApiUser;
use crate::netcheck_view::{city_segments_file, remember_segments};
use crate::state::AppState;

/// The segments with the number of systems and assets in each. Address ranges
/// and interfaces are given to those who may run the network checker.
#[utoipa::path(get, path = "/segments", tag = "segments", security(("bearer" = [])),
    responses((status = 200, body = Collection<SegmentUsage>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Collection<SegmentUsage>>> {
    // Ranges and interfaces only for those who may run the network checker.
    let items = state.app.segment_usage(&user).await.map_err(json_err)?;
    Ok(Json(Collection::all(items)))
}

/// The city's segments file (TOML), as the network checker reads it.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct SegmentsFileBody {
    pub segments: String,
}

/// The city's segments file: the one last saved, or one written from the record.
#[utoipa::path(get, path = "/segments/file", tag = "segments", security(("bearer" = [])),
    responses((status = 200, body = SegmentsFileBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<SegmentsFileBody>> {
    let segments = city_segments_file(&state, &user)
        .await
        .map_err(json_err)?
        .ok_or_else(|| {
            json_err(crate::error::AppError::new(
                axum::http::StatusCode::NOT_FOUND,
                "MAMORI-NOT-FOUND",
                "区分定義も区分の記録もありません / no segments file and no segments on record",
            ))
        })?;
    Ok(Json(SegmentsFileBody { segments }))
}

/// Saves the city's segments file and brings the record of segments in line
/// with it; answers what changed.
#[utoipa::path(put, path = "/segments/file", tag = "segments", security(("bearer" = [])),
    request_body = SegmentsFileBody,
    responses((status = 200, body = SegmentSync), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<SegmentsFileBody>,
) -> ApiResult<Json<SegmentSync>> {
    Ok(Json(
        remember_segments(&state, &user, &body.segments)
            .await
            .map_err(json_err)?
            .into(),
    ))
}
