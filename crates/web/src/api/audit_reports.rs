//! Reports for the CISO and the committee over the API (issue 14, part 3):
//! a campaign's and an audit's report as .xlsx, the same figures as their
//! print views (crates/app/src/audit_reports.rs).

use axum::extract::State;
use axum::response::Response;

use super::{ApiPath, ApiResult, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(get, path = "/self-inspections/{id}/report.xlsx", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the campaign's report as .xlsx: summary, by unit, by chapter, by item, weakest items, trend"),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn inspection_report_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let (bytes, name) = state
        .app
        .inspection_report_workbook(&user, id)
        .await
        .map_err(json_err)?;
    Ok(super::file_response(
        bytes,
        XLSX,
        "self-inspection-report.xlsx",
        &name,
    ))
}

#[utoipa::path(get, path = "/audits/{id}/report.xlsx", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the audit's report as .xlsx: summary (scope, period, auditors), results with evidence, findings raised"),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn audit_report_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let (bytes, name) = state
        .app
        .audit_report_workbook(&user, id)
        .await
        .map_err(json_err)?;
    Ok(super::file_response(
        bytes,
        XLSX,
        "audit-report.xlsx",
        &name,
    ))
}
