//! The organisation's administration over the API: importing units and staff,
//! and a unit's history (rename, merge, abolish).

use super::wire::Unit;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_store::org_import::OrgImportKind;
use serde::{Deserialize, Serialize};

use super::{ApiBody, ApiJson, ApiPath, ApiQuery, ApiResult, json_err};
use crate::auth::ApiUser;
use crate::error::{AppError, ErrorDetail};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ImportQuery {
    /// units (組織) or staff (職員); another value is answered 422.
    kind: String,
}

/// What an HR file holds, as the document lists it (the handler reads the
/// text, so that another value is answered 422 naming it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "snake_case")]
pub enum ImportKind {
    /// 組織
    Units,
    /// 職員
    Staff,
}

/// The answer of an import that wrote nothing: the error, and the report naming
/// each bad row (row, column, column_letter, value, message, message_en).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportFailure {
    pub error: ErrorDetail,
    /// kind, rows, written (false), errors, warnings.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// Imports units or staff from the HR system's export: the request body is the
/// file itself (.csv in UTF-8 or Shift_JIS, or .xlsx). Every row is checked
/// first; then all rows are written (200, the report: kind, rows, created,
/// updated, unchanged, written, warnings) or none (422, with the report of the
/// bad rows). Units are matched by 組織コード, staff by 職員番号 or ログインID.
#[utoipa::path(post, path = "/org/import", tag = "organisation", security(("bearer" = [])), params(("kind" = ImportKind, Query, description = "units (組織) or staff (職員)")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Object), (status = 422, body = ImportFailure), (status = 403, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiBody(body): ApiBody,
) -> ApiResult<Response> {
    let kind = q.kind.parse::<OrgImportKind>().map_err(json_err)?;
    let report = state
        .app
        .import_org(
            &user,
            &body,
            mamori_app::imports::sniff_format(None, &body),
            kind,
        )
        .await
        .map_err(json_err)?;
    if report.report.written {
        return Ok(Json(report).into_response());
    }
    let failure = ImportFailure {
        error: ErrorDetail {
            code: "MAMORI-IMPORT-ROWS".into(),
            message: format!(
                "取り込みませんでした（エラー {}件）/ nothing was imported ({} errors)",
                report.report.errors_total, report.report.errors_total
            ),
            fields: Vec::new(),
            reason: None,
            hint: String::new(),
        },
        report: serde_json::to_value(&report)
            .map_err(|e| json_err(AppError::bad_request(e.to_string())))?,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(failure)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RenameRequest {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    /// The unit that takes over the staff, units, assets and role assignments.
    pub into: i64,
    /// YYYY-MM-DD
    pub on: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AbolishRequest {
    /// YYYY-MM-DD
    pub on: String,
}

/// Renames a unit (its code stays).
#[utoipa::path(post, path = "/units/{id}/rename", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RenameRequest, responses((status = 200, body = Unit), (status = 422, body = crate::error::ErrorBody)))]
pub async fn rename(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RenameRequest>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(
        state
            .app
            .rename_unit(&user, id, &req.name, &req.name_en)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// Merges a unit into another: its staff, the units below it, its assets,
/// information systems and unit-scoped role assignments move; the unit is kept,
/// abolished, with `merged_into` and `abolished_on`.
#[utoipa::path(post, path = "/units/{id}/merge", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MergeRequest, responses((status = 200, body = Unit), (status = 422, body = crate::error::ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(
        state
            .app
            .merge_unit(&user, id, req.into, &req.on)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// Abolishes an empty unit (409 naming what is still in it).
#[utoipa::path(post, path = "/units/{id}/abolish", tag = "organisation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AbolishRequest, responses((status = 200, body = Unit), (status = 409, body = crate::error::ErrorBody)))]
pub async fn abolish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AbolishRequest>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(
        state
            .app
            .abolish_unit(&user, id, &req.on)
            .await
            .map_err(json_err)?
            .into(),
    ))
}
