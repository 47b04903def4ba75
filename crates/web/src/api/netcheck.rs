//! Firewall checks over the API.

use super::wire::RunSummary;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mamori_netcheck::ConfigInput;
use mamori_store::netcheck::NewRun;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::{ApiUser, Authed};
use crate::netcheck_view::{
    CheckInput, Want, city_segments_file, declared_segments, read_blocking, run_check, window,
};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ConfigBody {
    /// The file name shown in reports.
    pub file: String,
    pub text: String,
    /// iptables, nftables-json or fort-ios; detected when left out.
    #[schema(value_type = Option<String>)]
    pub format: Option<mamori_netcheck::ConfigFormat>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CheckRequest {
    /// The device the configurations belong to (the history is kept per device).
    pub device: String,
    /// The segments file (TOML); the saved one when left out.
    pub segments: Option<String>,
    /// A built-in model name, overriding the segments file's.
    pub model: Option<String>,
    /// A city's own model (TOML).
    pub model_toml: Option<String>,
    pub configs: Vec<ConfigBody>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckResponse {
    pub run: RunSummary,
    /// The checker's report: matrix, violations (with the rules, each with file and line), blocked_flows, shadowed, findings, unsupported, complete.
    #[schema(value_type = Object)]
    pub report: Box<RawValue>,
    /// What the external services the segments file names as destinations
    /// (`destination = "service:<name>"`) resolved to when the check ran.
    pub services: Vec<ResolvedService>,
}

/// An external service named in the segments file, as the register resolved it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResolvedService {
    /// The name as written after `service:`.
    pub name: String,
    /// The line of the flow's `destination`.
    pub line: u32,
    /// The external service (`/api/v1/services/{id}`).
    pub service_id: i64,
    /// Its address ranges (CIDR) at the time of the check.
    pub ranges: Vec<String>,
}

fn resolved(v: Vec<mamori_store::netcheck::ResolvedService>) -> Vec<ResolvedService> {
    v.into_iter()
        .map(|r| ResolvedService {
            name: r.name,
            line: r.line,
            service_id: r.service_id,
            ranges: r.ranges,
        })
        .collect()
}

/// A stored report, sent as it is stored.
fn stored_report(json: String) -> ApiResult<Box<RawValue>> {
    RawValue::from_string(json).map_err(|e| {
        json_err(crate::error::AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "MAMORI-INTERNAL",
            format!("the stored report is not JSON: {e}"),
        ))
    })
}

/// Checks configurations against the segment model and records the check.
#[utoipa::path(post, path = "/netcheck/runs", tag = "netcheck", security(("bearer" = [])), request_body = CheckRequest,
    responses((status = 201, body = CheckResponse), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<CheckRequest>,
) -> ApiResult<(StatusCode, Json<CheckResponse>)> {
    let scope = state.app.netcheck_scope(&user).map_err(json_err)?;
    let segments = match req.segments {
        Some(s) => s,
        None => city_segments_file(&state, &user)
            .await
            .map_err(json_err)?
            .ok_or_else(|| {
                json_err(crate::error::AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "MAMORI-NETCHECK-INPUT",
                    "区分定義がありません / no segments file: send 'segments'",
                ))
            })?,
    };
    let configs: Vec<ConfigInput> = req
        .configs
        .into_iter()
        .map(|c| ConfigInput {
            file: c.file,
            text: c.text,
            format: c.format,
        })
        .collect();
    let services = scope.resolve_services(&segments).await.map_err(json_err)?;
    let input = CheckInput {
        segments_toml: segments.clone(),
        model: req.model,
        model_toml: req.model_toml,
        configs: configs.clone(),
        services: services.ranges.clone(),
    };
    let (report, model) = run_check(input).await.map_err(json_err)?;
    let declared = declared_segments(&segments, &services.ranges).map_err(json_err)?;
    let report_json = report.to_json();
    let run = scope
        .record_run(
            &declared,
            NewRun {
                device: req.device,
                files: configs.iter().map(|c| c.file.clone()).collect(),
                config_texts: configs.iter().map(|c| c.text.clone()).collect(),
                model,
                clean: report.is_clean(),
                complete: report.complete,
                violations: report.violations.len() as i64,
                shadowed: report.shadowed.len() as i64,
                segments_toml: segments,
                report_json: report_json.clone(),
                services: services.resolved.clone(),
            },
        )
        .await
        .map_err(json_err)?;
    let report = stored_report(report_json)?;
    Ok((
        StatusCode::CREATED,
        Json(CheckResponse {
            run: run.into(),
            report,
            services: resolved(services.resolved),
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    device: Option<String>,
}

/// The history of checks, newest first.
#[utoipa::path(get, path = "/netcheck/runs", tag = "netcheck", security(("bearer" = [])), params(Paging, RunQuery),
    responses((status = 200, body = Collection<RunSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<RunQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<RunSummary>>> {
    let page = paging.request();
    Ok(Json(
        state
            .app
            .netchecks(&user, q.device.as_deref(), page)
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// One check with its report.
#[utoipa::path(get, path = "/netcheck/runs/{id}", tag = "netcheck", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CheckResponse), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CheckResponse>> {
    let run = state.app.netcheck(&user, id).await.map_err(json_err)?;
    let report = stored_report(run.report_json)?;
    Ok(Json(CheckResponse {
        run: run.summary.into(),
        report,
        services: resolved(run.services),
    }))
}

/// Which long list of a stored report.
#[derive(Clone, Copy)]
enum Part {
    Violations,
    Shadowed,
}

async fn part_of(
    state: &AppState,
    user: &Authed,
    id: i64,
    paging: Paging,
    part: Part,
) -> ApiResult<Json<Collection<serde_json::Value>>> {
    let run = state.app.netcheck(user, id).await.map_err(json_err)?;
    let page = mamori_store::PageRequest::new(paging.page, paging.per_page);
    let window = window(page);
    let want = Want {
        violations: if matches!(part, Part::Violations) {
            window
        } else {
            (0, 0)
        },
        shadowed: if matches!(part, Part::Shadowed) {
            window
        } else {
            (0, 0)
        },
        others: 0,
    };
    let r = read_blocking(run.report_json, want)
        .await
        .map_err(json_err)?;
    let slice = match part {
        Part::Violations => r.violations,
        Part::Shadowed => r.shadowed,
    };
    Ok(Json(Collection {
        items: slice.items,
        total: slice.total as i64,
    }))
}

/// The violations of one check, a page at a time (each with the two
/// segments, the packets and the rules that permit them, with file and line).
#[utoipa::path(get, path = "/netcheck/runs/{id}/violations", tag = "netcheck", security(("bearer" = [])),
    params(("id" = i64, Path), Paging),
    responses((status = 200, body = Collection<Object>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn violations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<serde_json::Value>>> {
    part_of(&state, &user, id, paging, Part::Violations).await
}

/// The rules of one check that can never match, a page at a time (each with
/// file, line and text).
#[utoipa::path(get, path = "/netcheck/runs/{id}/shadowed", tag = "netcheck", security(("bearer" = [])),
    params(("id" = i64, Path), Paging),
    responses((status = 200, body = Collection<Object>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn shadowed(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<serde_json::Value>>> {
    part_of(&state, &user, id, paging, Part::Shadowed).await
}
