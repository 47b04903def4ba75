//! Information systems (第2(2)), the city's own controls, the status of each
//! control where it applies, its evidence, and the status workbook, over the
//! API. Every decision is the operation's (crates/app/src/{systems,controls}.rs).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::controls::{ControlForm, EvidenceUpload, StatusForm};
use mamori_app::systems::SystemForm;
use mamori_core::control::StatusScope;
use mamori_store::assets::LedgerFormat;
use mamori_store::controls::{ControlRecord, EvidenceRow, ScopedControl, StatusFilter, StatusRow};
use mamori_store::systems::{SystemFilter, SystemRecord, SystemRoleHolder};
use serde::{Deserialize, Serialize};

use super::{ApiBody, ApiJson, ApiPath, ApiQuery, ApiResult, Paging, json_err};
use crate::auth::{ApiUser, urlencode};
use crate::error::AppError;
use crate::state::AppState;

fn bad(field: &str, value: &str) -> AppError {
    AppError::bad_request(format!(
        "{field}: '{value}' は使えない値です / '{value}' is not a valid value"
    ))
    .as_json()
}

/// A field of a body that is missing or not one of its values: 422 with the
/// field named, as the other checks of the body answer.
fn invalid(field: &str, label: &str) -> AppError {
    json_err(mamori_app::Error::problem(
        mamori_core::problem::Problem::new("MAMORI-REQUIRED")
            .field(field)
            .with("label", label),
    ))
}

pub(crate) fn format_of(text: Option<&str>, default: LedgerFormat) -> ApiResult<LedgerFormat> {
    match text.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some("xlsx") => Ok(LedgerFormat::Xlsx),
        Some("csv") => Ok(LedgerFormat::Csv),
        Some(other) => Err(bad("format", other)),
    }
}

pub(crate) fn file_response(
    bytes: Vec<u8>,
    content_type: &str,
    ascii_name: &str,
    name: &str,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
                    urlencode(name)
                ),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn upload_format(headers: &HeaderMap, body: &[u8], asked: Option<&str>) -> ApiResult<LedgerFormat> {
    if let Some(f) = asked.filter(|s| !s.is_empty()) {
        return format_of(Some(f), LedgerFormat::Xlsx);
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(if ct.contains("csv") {
        LedgerFormat::Csv
    } else if ct.contains("spreadsheetml") {
        LedgerFormat::Xlsx
    } else {
        mamori_app::assets::sniff_format(None, body)
    })
}

// ------------------------------------------------------- information systems

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SystemQuery {
    /// A part of the code, name, vendor or description.
    q: Option<String>,
    /// Owning unit id.
    unit: Option<i64>,
    segment: Option<i64>,
    /// Retired systems too.
    include_retired: Option<bool>,
}

/// A system with its classification (the highest levels of its live assets).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemItem {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub system: SystemRecord,
    #[schema(value_type = Object)]
    pub classification: mamori_app::systems::SystemClass,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemPage {
    pub items: Vec<SystemItem>,
    pub total: i64,
}

/// The register of information systems, one page.
#[utoipa::path(get, path = "/information-systems", tag = "systems", security(("bearer" = [])), params(Paging, SystemQuery),
    responses((status = 200, body = SystemPage)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<SystemQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<SystemPage>> {
    let filter = SystemFilter {
        q: q.q,
        unit_id: q.unit,
        segment_id: q.segment,
        include_retired: q.include_retired.unwrap_or(false),
    };
    let page = state
        .app
        .system_list(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(SystemPage {
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|l| SystemItem {
                system: l.system,
                classification: l.class,
            })
            .collect(),
    }))
}

/// A system as entered. Dates: YYYY-MM-DD (or 令和6年4月1日 …).
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct SystemBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    owner_unit_id: Option<i64>,
    segment_id: Option<i64>,
    #[serde(default)]
    description: String,
    /// The vendor or service the system runs on (free text).
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    go_live_on: String,
    #[serde(default)]
    ends_on: String,
    /// For a change: the revision read (a stale one is refused with 409).
    revision: Option<i64>,
}

impl SystemBody {
    fn form(&self) -> SystemForm {
        SystemForm {
            code: self.code.clone(),
            name: self.name.clone(),
            owner_unit_id: self.owner_unit_id,
            segment_id: self.segment_id,
            description: self.description.clone(),
            vendor: self.vendor.clone(),
            go_live_on: self.go_live_on.clone(),
            ends_on: self.ends_on.clone(),
        }
    }
}

#[utoipa::path(post, path = "/information-systems", tag = "systems", security(("bearer" = [])), request_body = SystemBody,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<SystemBody>,
) -> ApiResult<(StatusCode, Json<SystemRecord>)> {
    let made = state
        .app
        .create_system(&user, &b.form())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub system: SystemRecord,
    #[schema(value_type = Object)]
    pub classification: mamori_app::systems::SystemClass,
    /// 情報システム管理者 (system_manager) and 担当者 (system_operator) held today.
    #[schema(value_type = Vec<Object>)]
    pub roles: Vec<SystemRoleHolder>,
}

#[utoipa::path(get, path = "/information-systems/{id}", tag = "systems", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SystemDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SystemDetail>> {
    let v = state.app.system_view(&user, id).await.map_err(json_err)?;
    Ok(Json(SystemDetail {
        system: v.system,
        classification: v.class,
        roles: v.roles,
    }))
}

/// Changes a system: every field as it should be, and the revision read.
#[utoipa::path(put, path = "/information-systems/{id}", tag = "systems", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SystemBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "stale revision or retired", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SystemBody>,
) -> ApiResult<Json<SystemRecord>> {
    let Some(revision) = b.revision else {
        return Err(invalid("revision", "版数 / revision"));
    };
    let saved = state
        .app
        .update_system(&user, id, revision, &b.form())
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct RetireBody {
    /// The revision read.
    revision: i64,
    /// The day it is retired (empty: today).
    #[serde(default)]
    on: String,
}

#[utoipa::path(post, path = "/information-systems/{id}/retire", tag = "systems", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RetireBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn retire(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RetireBody>,
) -> ApiResult<Json<SystemRecord>> {
    let saved = state
        .app
        .retire_system(&user, id, b.revision, &b.on)
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// xlsx or csv (default xlsx; for an import: found from the Content-Type or the file)
    #[param(pattern = "^(xlsx|csv)?$")]
    pub(crate) format: Option<String>,
}

#[utoipa::path(get, path = "/information-systems/export", tag = "systems", security(("bearer" = [])), params(FormatQuery),
    responses((status = 200, description = "the register as .xlsx or .csv"), (status = 400, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(f): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let format = format_of(f.format.as_deref(), LedgerFormat::Xlsx)?;
    let bytes = state
        .app
        .export_systems(&user, format)
        .await
        .map_err(json_err)?;
    let ext = format.extension();
    Ok(file_response(
        bytes,
        format.content_type(),
        &format!("information-systems.{ext}"),
        &format!("情報システム.{ext}"),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
}

/// Creates or updates systems by code from a sheet: all rows or none; the
/// problems carry their row and column (error.fields[].field is the column).
#[utoipa::path(post, path = "/information-systems/import", tag = "systems", security(("bearer" = [])), params(FormatQuery),
    request_body(content = Vec<u8>, description = "the .xlsx or .csv file", content_type = "text/csv"),
    responses((status = 200, body = ImportResult), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(f): ApiQuery<FormatQuery>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> ApiResult<Json<ImportResult>> {
    let format = upload_format(&headers, &body, f.format.as_deref())?;
    let (created, updated) = state
        .app
        .import_systems(&user, &body, format)
        .await
        .map_err(json_err)?;
    Ok(Json(ImportResult { created, updated }))
}

// ------------------------------------------------------------ city controls

/// One of the city's controls as entered.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ControlBody {
    #[serde(default)]
    category: String,
    #[serde(default)]
    chapter: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// Threat codes of the catalogue.
    #[serde(default)]
    threats: Vec<String>,
    /// Asset kinds (codes).
    #[serde(default)]
    applies_kinds: Vec<String>,
    /// Confidentiality level codes.
    #[serde(default)]
    applies_levels: Vec<String>,
    /// Segment names.
    #[serde(default)]
    applies_segments: Vec<String>,
    /// any, yes, no
    #[serde(default)]
    applies_personal: String,
    /// For a change: the revision read.
    revision: Option<i64>,
}

impl ControlBody {
    fn form(&self) -> ControlForm {
        ControlForm {
            category: self.category.clone(),
            chapter: self.chapter,
            name: self.name.clone(),
            description: self.description.clone(),
            threats: self.threats.join(" "),
            applies_kinds: self.applies_kinds.join(" "),
            applies_levels: self.applies_levels.join(" "),
            applies_segments: self.applies_segments.join(" "),
            applies_personal: self.applies_personal.clone(),
        }
    }
}

/// Adds one of the city's controls (code C-<serial>); the security office only.
#[utoipa::path(post, path = "/controls", tag = "catalog", security(("bearer" = [])), request_body = ControlBody,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_control(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ControlBody>,
) -> ApiResult<(StatusCode, Json<ControlRecord>)> {
    let made = state
        .app
        .create_city_control(&user, &b.form())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[utoipa::path(get, path = "/controls/{code}", tag = "catalog", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_control(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<ControlRecord>> {
    Ok(Json(
        state.app.control(&user, &code).await.map_err(json_err)?,
    ))
}

#[utoipa::path(put, path = "/controls/{code}", tag = "catalog", security(("bearer" = [])), params(("code" = String, Path)),
    request_body = ControlBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_control(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<ControlBody>,
) -> ApiResult<Json<ControlRecord>> {
    let Some(revision) = b.revision else {
        return Err(invalid("revision", "版数 / revision"));
    };
    Ok(Json(
        state
            .app
            .update_city_control(&user, &code, revision, &b.form())
            .await
            .map_err(json_err)?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct RevisionBody {
    revision: i64,
}

#[utoipa::path(post, path = "/controls/{code}/retire", tag = "catalog", security(("bearer" = [])), params(("code" = String, Path)),
    request_body = RevisionBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn retire_control(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<RevisionBody>,
) -> ApiResult<Json<ControlRecord>> {
    Ok(Json(
        state
            .app
            .retire_city_control(&user, &code, b.revision)
            .await
            .map_err(json_err)?,
    ))
}

// ------------------------------------------------------------ control status

fn scope_of(kind: Option<&str>, id: Option<i64>) -> ApiResult<Option<StatusScope>> {
    match (kind.filter(|k| !k.is_empty()), id) {
        (None, None) => Ok(None),
        (Some("city"), _) => Ok(Some(StatusScope::City)),
        (Some(k @ ("unit" | "system")), Some(id)) => Ok(StatusScope::from_parts(k, id)),
        // A unit or system without its id, or an id without a kind: no scope.
        (Some("unit" | "system"), None) | (None, Some(_)) => Ok(None),
        (Some(k), _) => Err(bad("scope_kind", k)),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// A control's code.
    control: Option<String>,
    /// city, unit or system
    #[param(pattern = "^(city|unit|system)?$")]
    scope_kind: Option<String>,
    /// The unit's or system's id.
    scope_id: Option<i64>,
    /// implemented, partial, not_implemented, not_applicable
    #[param(pattern = "^(implemented|partial|not_implemented|not_applicable)?$")]
    state: Option<String>,
    /// A category of 第8.
    category: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<StatusRow>,
    pub total: i64,
}

/// The statuses the caller may read, filtered, one page.
#[utoipa::path(get, path = "/control-status", tag = "control-status", security(("bearer" = [])), params(Paging, StatusQuery),
    responses((status = 200, body = StatusPage), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn status_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<StatusPage>> {
    let state_filter = q.state.filter(|s| !s.is_empty());
    if let Some(s) = &state_filter
        && s.parse::<mamori_core::control::Implementation>().is_err()
    {
        return Err(bad("state", s));
    }
    let filter = StatusFilter {
        control_code: q.control.filter(|s| !s.is_empty()),
        scope: scope_of(q.scope_kind.as_deref(), q.scope_id)?,
        state: state_filter,
        category: q.category.filter(|s| !s.is_empty()),
    };
    let page = state
        .app
        .control_status_list(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(StatusPage {
        items: page.items,
        total: page.total,
    }))
}

/// A control's status in one scope as entered.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct StatusBody {
    #[serde(default)]
    control_code: String,
    /// city, unit or system
    #[serde(default)]
    scope_kind: String,
    /// The unit's or system's id (0 or left out for the city).
    scope_id: Option<i64>,
    /// implemented, partial, not_implemented, not_applicable (or 実施済 …)
    #[serde(default)]
    state: String,
    /// Required for not_applicable.
    #[serde(default)]
    reason: String,
    /// A user name or a full name.
    #[serde(default)]
    owner: String,
    /// YYYY-MM-DD; a past date is refused for a new plan.
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    comment: String,
    /// The revision read; left out when none was recorded.
    revision: Option<i64>,
}

/// Records a control's status in a scope (creates it, or changes the revision read).
#[utoipa::path(put, path = "/control-status", tag = "control-status", security(("bearer" = [])), request_body = StatusBody,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "stale revision", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<StatusBody>,
) -> ApiResult<Json<StatusRow>> {
    let scope = match b.scope_kind.as_str() {
        "city" => StatusScope::City,
        k @ ("unit" | "system") => match b.scope_id.and_then(|id| StatusScope::from_parts(k, id)) {
            Some(s) => s,
            None => return Err(invalid("scope_id", "対象の番号 / scope id")),
        },
        _ => return Err(invalid("scope_kind", "対象区分 / scope kind")),
    };
    let form = StatusForm {
        control_code: b.control_code,
        scope,
        state: b.state,
        reason: b.reason,
        owner: b.owner,
        due_on: b.due_on,
        comment: b.comment,
    };
    Ok(Json(
        state
            .app
            .set_control_status(&user, &form, b.revision)
            .await
            .map_err(json_err)?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub status: StatusRow,
    #[schema(value_type = Vec<Object>)]
    pub evidence: Vec<EvidenceRow>,
}

#[utoipa::path(get, path = "/control-status/{id}", tag = "control-status", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = StatusDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn status_get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<StatusDetail>> {
    let v = state
        .app
        .control_status_view(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(StatusDetail {
        status: v.status,
        evidence: v.evidence,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// The file's name.
    pub(crate) name: Option<String>,
    /// What the evidence shows.
    pub(crate) note: Option<String>,
}

/// Attaches an evidence file (the body, any type; empty or over the limit
/// refused); its SHA-256 is written into the event log.
#[utoipa::path(post, path = "/control-status/{id}/evidence", tag = "control-status", security(("bearer" = [])), params(("id" = i64, Path), EvidenceQuery),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EvidenceQuery>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> ApiResult<(StatusCode, Json<EvidenceRow>)> {
    let upload = file_upload(&headers, &q, &body);
    let row = state
        .app
        .attach_status_evidence(&user, id, upload, q.note.as_deref().unwrap_or(""))
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// An evidence file sent as the body: its name from the query, its type
/// from the header.
pub(crate) fn file_upload(headers: &HeaderMap, q: &EvidenceQuery, body: &[u8]) -> EvidenceUpload {
    EvidenceUpload::File {
        name: q.name.clone().unwrap_or_default(),
        media_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string(),
        bytes: body.to_vec(),
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct LinkBody {
    /// An http or https URL.
    #[serde(default)]
    pub(crate) url: String,
    #[serde(default)]
    pub(crate) note: String,
}

/// Attaches a link as evidence (http/https only).
#[utoipa::path(post, path = "/control-status/{id}/links", tag = "control-status", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = LinkBody,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LinkBody>,
) -> ApiResult<(StatusCode, Json<EvidenceRow>)> {
    let row = state
        .app
        .attach_status_evidence(&user, id, EvidenceUpload::Link { url: b.url }, &b.note)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// An evidence file, as an attachment (never shown inline), for those who may
/// read a status it belongs to.
#[utoipa::path(get, path = "/evidence/{id}", tag = "control-status", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let (row, bytes) = state
        .app
        .evidence_download(&user, id)
        .await
        .map_err(json_err)?;
    Ok(evidence_response(&row, bytes))
}

/// An evidence file as a download: always `application/octet-stream`, an
/// attachment, nosniff and a sandboxing CSP, whatever type it claims.
pub(crate) fn evidence_response(row: &EvidenceRow, bytes: Vec<u8>) -> Response {
    let ascii: String = row
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    file_response(bytes, "application/octet-stream", &ascii, &row.file_name)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// city, unit or system (left out: every status the caller may read)
    #[param(pattern = "^(city|unit|system)?$")]
    scope_kind: Option<String>,
    scope_id: Option<i64>,
}

/// The status as an .xlsx workbook: for a scope, every control with its
/// status (blank where none), ready to fill in; the state column offers the
/// four words as a drop-down list.
#[utoipa::path(get, path = "/control-status/export", tag = "control-status", security(("bearer" = [])), params(ScopeQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn status_export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> ApiResult<Response> {
    let scope = scope_of(q.scope_kind.as_deref(), q.scope_id)?;
    let bytes = state
        .app
        .export_control_status(&user, scope)
        .await
        .map_err(json_err)?;
    Ok(file_response(
        bytes,
        LedgerFormat::Xlsx.content_type(),
        "control-status.xlsx",
        "対策の実施状況.xlsx",
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusImportResult {
    /// How many statuses changed.
    pub changed: usize,
}

/// Reads a filled-in status workbook back: all rows or none; each problem
/// names its row and column (error.fields[].field is the column).
#[utoipa::path(post, path = "/control-status/import", tag = "control-status", security(("bearer" = [])), params(FormatQuery),
    request_body(content = Vec<u8>, description = "the .xlsx (or .csv) file", content_type = "text/csv"),
    responses((status = 200, body = StatusImportResult), (status = 413, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn status_import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(f): ApiQuery<FormatQuery>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> ApiResult<Json<StatusImportResult>> {
    let format = upload_format(&headers, &body, f.format.as_deref())?;
    let changed = state
        .app
        .import_control_status(&user, &body, format)
        .await
        .map_err(json_err)?;
    Ok(Json(StatusImportResult { changed }))
}

/// The controls with their status in one scope (a unit's view; left out: the
/// caller's own unit), one page.
#[utoipa::path(get, path = "/control-status/scope", tag = "control-status", security(("bearer" = [])), params(Paging, StatusQuery),
    responses((status = 200, body = ScopedPage), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn in_scope(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ScopedPage>> {
    // Without a scope: the caller's own unit (the city's for one without).
    let scope = match scope_of(q.scope_kind.as_deref(), q.scope_id)? {
        Some(s) => s,
        None => user
            .user
            .unit_id
            .map(StatusScope::Unit)
            .unwrap_or(StatusScope::City),
    };
    let st = q.state.filter(|s| !s.is_empty());
    if let Some(s) = &st
        && s != "unset"
        && s.parse::<mamori_core::control::Implementation>().is_err()
    {
        return Err(bad("state", s));
    }
    let page = state
        .app
        .controls_in_scope(
            &user,
            scope,
            st.as_deref(),
            q.category.as_deref().filter(|s| !s.is_empty()),
            paging.request(),
        )
        .await
        .map_err(json_err)?;
    Ok(Json(ScopedPage {
        items: page.items,
        total: page.total,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ScopedPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ScopedControl>,
    pub total: i64,
}
