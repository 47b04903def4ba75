//! Audits over the API (issue 14 part 2): programmes with their yearly
//! plans, audits (planned, or ordered by the CISO outside the plan) with
//! scope, period, status and auditors (independence refused by field), and
//! the results the auditors record. Every decision is the operation's
//! (crates/app/src/audit_programmes.rs).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mamori_app::audit_programmes::{AuditForm, AuditorForm, ResultForm};
use mamori_store::audit_programmes::{AuditRow, AuditorRow, PlanRow, ResultRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// A yearly plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    pub id: i64,
    pub fiscal_year: i64,
    pub notes: String,
    pub audits: i64,
}

impl From<PlanRow> for Plan {
    fn from(p: PlanRow) -> Self {
        Plan {
            id: p.id,
            fiscal_year: p.fiscal_year,
            notes: p.notes,
            audits: p.audits,
        }
    }
}

/// A multi-year audit programme with its yearly plans.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Programme {
    pub id: i64,
    pub title: String,
    pub first_year: i64,
    pub last_year: i64,
    pub plans: Vec<Plan>,
}

#[utoipa::path(get, path = "/audit-programmes", tag = "audits", security(("bearer" = [])),
    responses((status = 200, body = Vec<Programme>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn programmes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Programme>>> {
    let list = state.app.programmes(&user).await.map_err(json_err)?;
    Ok(Json(
        list.into_iter()
            .map(|v| Programme {
                id: v.programme.id,
                title: v.programme.title,
                first_year: v.programme.first_year,
                last_year: v.programme.last_year,
                plans: v.plans.into_iter().map(Into::into).collect(),
            })
            .collect(),
    ))
}

/// A programme to create: a plan is made for each fiscal year.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProgrammeBody {
    pub title: String,
    pub first_year: i64,
    pub last_year: i64,
}

#[utoipa::path(post, path = "/audit-programmes", tag = "audits", security(("bearer" = [])), request_body = ProgrammeBody,
    responses((status = 201, body = Programme), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_programme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ProgrammeBody>,
) -> ApiResult<(StatusCode, Json<Programme>)> {
    let p = state
        .app
        .create_programme(&user, &b.title, b.first_year, b.last_year)
        .await
        .map_err(json_err)?;
    let plans = state
        .app
        .programmes(&user)
        .await
        .map_err(json_err)?
        .into_iter()
        .find(|v| v.programme.id == p.id)
        .map(|v| v.plans)
        .unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(Programme {
            id: p.id,
            title: p.title,
            first_year: p.first_year,
            last_year: p.last_year,
            plans: plans.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// An auditor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Auditor {
    pub user_id: Option<i64>,
    pub name: String,
    pub firm: String,
    pub external: bool,
}

impl From<AuditorRow> for Auditor {
    fn from(a: AuditorRow) -> Self {
        Auditor {
            user_id: a.user_id,
            name: a.name,
            firm: a.firm,
            external: a.external,
        }
    }
}

fn ids(s: &str) -> Vec<i64> {
    s.split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

/// An audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Audit {
    pub id: i64,
    /// None: ordered by the CISO outside the plan.
    pub plan_id: Option<i64>,
    pub fiscal_year: Option<i64>,
    pub title: String,
    pub scope_units: Vec<i64>,
    pub scope_systems: Vec<i64>,
    pub scope_chapters: Vec<i64>,
    pub period_from: String,
    pub period_to: String,
    /// planned, in_progress, reported, closed.
    pub status: String,
    pub ordered_by: Option<String>,
    pub revision: i64,
}

fn audit_wire(a: AuditRow) -> Audit {
    Audit {
        scope_units: ids(&a.scope_units),
        scope_systems: ids(&a.scope_systems),
        scope_chapters: ids(&a.scope_chapters),
        id: a.id,
        plan_id: a.plan_id,
        fiscal_year: a.fiscal_year,
        title: a.title,
        period_from: a.period_from,
        period_to: a.period_to,
        status: a.status,
        ordered_by: a.orderer_name,
        revision: a.revision,
    }
}

/// Which audits a list shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A yearly plan's audits; 0: those outside any plan.
    #[param(minimum = 0)]
    pub plan: Option<i64>,
}

#[utoipa::path(get, path = "/audits", tag = "audits", security(("bearer" = [])), params(AuditQuery, Paging),
    responses((status = 200, body = Collection<Audit>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn audits(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Audit>>> {
    // The document says a plan is 0 or more: a negative one is refused.
    if let Some(p) = q.plan.filter(|p| *p < 0) {
        return Err(crate::error::AppError::bad_request(format!(
            "plan: {p} は 0 以上の番号です / plan must be 0 or more"
        ))
        .as_json());
    }
    let page = state
        .app
        .audits(&user, q.plan, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(audit_wire).collect(),
    }))
}

/// An auditor to assign: a user, or an external auditor by name and firm.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AuditorBody {
    pub user_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub firm: String,
}

/// An audit to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AuditBody {
    /// The yearly plan; absent: ordered by the CISO outside the plan.
    pub plan_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub scope_units: Vec<i64>,
    #[serde(default)]
    pub scope_systems: Vec<i64>,
    #[serde(default)]
    pub scope_chapters: Vec<i64>,
    /// YYYY-MM-DD.
    pub period_from: String,
    pub period_to: String,
    /// The checklist template copied (frozen) for the audit.
    pub template_id: Option<i64>,
    #[serde(default)]
    pub auditors: Vec<AuditorBody>,
}

#[utoipa::path(post, path = "/audits", tag = "audits", security(("bearer" = [])), request_body = AuditBody,
    responses((status = 201, body = Audit), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<AuditBody>,
) -> ApiResult<(StatusCode, Json<Audit>)> {
    let form = AuditForm {
        plan_id: b.plan_id,
        title: b.title,
        scope_units: b.scope_units,
        scope_systems: b.scope_systems,
        scope_chapters: b.scope_chapters,
        period_from: b.period_from,
        period_to: b.period_to,
        template_id: b.template_id,
        auditors: b
            .auditors
            .into_iter()
            .map(|a| AuditorForm {
                user_id: a.user_id,
                name: a.name,
                firm: a.firm,
            })
            .collect(),
    };
    let a = state
        .app
        .create_audit(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(audit_wire(a))))
}

/// An item of the audit's checklist with its result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemResult {
    pub item_id: i64,
    pub position: i64,
    pub provision: String,
    pub chapter: i64,
    pub question: String,
    pub mandatory: bool,
    /// conforming, nonconforming, observation, not_applicable; None: not yet.
    pub result: Option<String>,
    pub evidence: Option<String>,
    pub evidence_link: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<String>,
}

impl From<ResultRow> for ItemResult {
    fn from(r: ResultRow) -> Self {
        ItemResult {
            item_id: r.item_id,
            position: r.position,
            provision: r.provision,
            chapter: r.chapter,
            question: r.question,
            mandatory: r.mandatory,
            result: r.result,
            evidence: r.evidence,
            evidence_link: r.evidence_link,
            recorded_by: r.recorder_name,
            recorded_at: r.recorded_at,
        }
    }
}

/// An audit with its auditors and results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditDetail {
    #[serde(flatten)]
    pub audit: Audit,
    pub auditors: Vec<Auditor>,
    pub results: Vec<ItemResult>,
    /// The evidence files and links attached to the results (item_id and
    /// the evidence; files are downloaded from `/evidence/{id}`).
    #[schema(value_type = Vec<Object>)]
    pub evidence: Vec<mamori_store::audits::AnswerEvidence>,
}

#[utoipa::path(get, path = "/audits/{id}", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AuditDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AuditDetail>> {
    let v = state.app.audit_view(&user, id).await.map_err(json_err)?;
    Ok(Json(AuditDetail {
        audit: audit_wire(v.audit),
        auditors: v.auditors.into_iter().map(Into::into).collect(),
        results: v.results.into_iter().map(Into::into).collect(),
        evidence: v.evidence,
    }))
}

/// A new status.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StatusBody {
    pub revision: i64,
    /// planned, in_progress, reported, closed.
    pub status: String,
}

#[utoipa::path(post, path = "/audits/{id}/status", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = StatusBody,
    responses((status = 200, body = Audit), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StatusBody>,
) -> ApiResult<Json<Audit>> {
    let a = state
        .app
        .set_audit_status(&user, id, b.revision, &b.status)
        .await
        .map_err(json_err)?;
    Ok(Json(audit_wire(a)))
}

/// An item's result as the auditor records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResultBody {
    pub item_id: i64,
    /// conforming, nonconforming, observation, not_applicable.
    pub result: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub evidence_link: String,
    /// With a nonconforming result: raise it as a finding.
    #[serde(default)]
    pub raise_finding: bool,
    /// high, medium (default), low.
    #[serde(default)]
    pub severity: String,
    /// The unit of the finding (default: the first unit in scope).
    pub unit_id: Option<i64>,
}

/// What recording a result did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recorded {
    /// The finding raised, if any.
    pub finding_id: Option<i64>,
}

#[utoipa::path(post, path = "/audits/{id}/results", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ResultBody,
    responses((status = 200, body = Recorded), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_result(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ResultBody>,
) -> ApiResult<Json<Recorded>> {
    let form = ResultForm {
        item_id: b.item_id,
        result: b.result,
        evidence: b.evidence,
        evidence_link: b.evidence_link,
        raise_finding: b.raise_finding,
        severity: b.severity,
        unit_id: b.unit_id,
    };
    let f = state
        .app
        .record_audit_result(&user, id, &form)
        .await
        .map_err(json_err)?;
    Ok(Json(Recorded {
        finding_id: f.map(|f| f.id),
    }))
}

/// An auditor of the audit attaches an evidence file seen to an item's
/// result (the body, any type; empty or over the limit refused); its SHA-256
/// is written into the event log.
#[utoipa::path(post, path = "/audits/{id}/results/{item_id}/evidence", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("item_id" = i64, Path), super::controls::EvidenceQuery),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_result_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    super::ApiQuery(q): super::ApiQuery<super::controls::EvidenceQuery>,
    headers: axum::http::HeaderMap,
    super::ApiBody(body): super::ApiBody,
) -> ApiResult<(StatusCode, Json<mamori_store::controls::EvidenceRow>)> {
    let upload = super::controls::file_upload(&headers, &q, &body);
    let row = state
        .app
        .attach_audit_evidence(&user, id, item, upload, q.note.as_deref().unwrap_or(""))
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// An auditor of the audit attaches a link (http/https) seen to an item's
/// result.
#[utoipa::path(post, path = "/audits/{id}/results/{item_id}/links", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("item_id" = i64, Path)), request_body = super::controls::LinkBody,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_result_link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<super::controls::LinkBody>,
) -> ApiResult<(StatusCode, Json<mamori_store::controls::EvidenceRow>)> {
    let row = state
        .app
        .attach_audit_evidence(
            &user,
            id,
            item,
            mamori_app::controls::EvidenceUpload::Link { url: b.url },
            &b.note,
        )
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(row)))
}
