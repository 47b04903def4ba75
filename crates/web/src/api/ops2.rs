//! Operations, part 2 (issue 15) over the API: permissions (ask, read,
//! grant or refuse, record the return, overdue returns) and violations
//! (record, read), contractors (criteria, contracts and their missing
//! clauses, staff, assessments), external services, with their exports, and
//! emergency response plans with their drills and the incidents that followed them. Every decision is the operation's
//! (crates/app/src/ops/).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::ops::outsourcing::{
    AssessmentDue, AssessmentForm, ContractForm, ContractView, ContractorForm, ContractorQuery,
    ContractorView, ServiceForm,
};
use mamori_app::ops::permissions::{PermissionForm, PermissionView, shown_state};
use mamori_app::ops::plans::PlanForm;
use mamori_app::ops::today;
use mamori_app::ops::violations::ViolationForm;
use mamori_core::ops::permission::{PermissionKind, PermissionState, ViolationAction};
use mamori_store::ops::outsourcing::{ContractorRecord, ServiceRecord};
use mamori_store::ops::permissions::{PermissionFilter, PermissionRecord};
use mamori_store::ops::plans::PlanRecord;
use mamori_store::ops::violations::{ViolationFilter, ViolationRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::controls::FormatQuery;
use super::ops::{export_format, one_of};
use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// A permission of the register (許可申請).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Permission {
    pub id: i64,
    /// take_out, private_device, install_software, connect_device.
    pub kind: String,
    pub what: String,
    pub reason: String,
    pub assets: Vec<i64>,
    pub starts_on: String,
    pub until_on: String,
    pub unit_name: Option<String>,
    /// pending, granted, refused, returned, or overdue (granted, past its end, not returned).
    pub state: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub returned_on: Option<String>,
    pub returned_by: Option<String>,
    pub return_note: String,
    /// Send it back with a change: a stale one is refused (409).
    pub revision: i64,
}

pub(super) fn permission_wire(p: PermissionRecord, today: &str) -> Permission {
    Permission {
        state: shown_state(&p, today),
        id: p.id,
        assets: p
            .assets
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect(),
        kind: p.kind,
        what: p.what,
        reason: p.reason,
        starts_on: p.starts_on,
        until_on: p.until_on,
        unit_name: p.unit_name,
        requested_by: p.requester_name,
        decided_by: p.decider_name,
        decided_at: p.decided_at,
        decision_note: p.decision_note,
        returned_on: p.returned_on,
        returned_by: p.returner_name,
        return_note: p.return_note,
        revision: p.revision,
    }
}

/// Filters of the permissions register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PermissionQuery {
    #[param(pattern = "^(pending|granted|refused|returned)?$")]
    pub state: Option<String>,
    #[param(pattern = "^(take_out|private_device|install_software|connect_device)?$")]
    pub kind: Option<String>,
}

impl PermissionQuery {
    /// The register's filter, a value outside the document's refused (400):
    /// the list and its export read it alike.
    fn filter(&self) -> ApiResult<PermissionFilter> {
        Ok(PermissionFilter {
            state: one_of("state", &self.state, &PermissionState::codes())?,
            kind: one_of("kind", &self.kind, &PermissionKind::codes())?,
            ..Default::default()
        })
    }
}

#[utoipa::path(get, path = "/permissions", tag = "operations", security(("bearer" = [])), params(PermissionQuery, Paging),
    responses((status = 200, body = Collection<Permission>)))]
pub async fn permissions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<PermissionQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Permission>>> {
    let filter = q.filter()?;
    let page = state
        .app
        .list_permissions(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    let day = today();
    Ok(Json(Collection {
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|p| permission_wire(p, &day))
            .collect(),
    }))
}

/// A request for a permission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PermissionBody {
    /// take_out, private_device, install_software, connect_device.
    pub kind: String,
    pub what: String,
    pub reason: String,
    /// Asset register numbers (optional).
    #[serde(default)]
    pub assets: Vec<i64>,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub starts_on: String,
    /// YYYY-MM-DD, required: the day it ends (what was taken out is back).
    #[serde(default)]
    pub until_on: String,
}

impl From<PermissionBody> for PermissionForm {
    fn from(b: PermissionBody) -> Self {
        PermissionForm {
            kind: b.kind,
            what: b.what,
            reason: b.reason,
            assets: b.assets,
            starts_on: b.starts_on,
            until_on: b.until_on,
        }
    }
}

#[utoipa::path(post, path = "/permissions", tag = "operations", security(("bearer" = [])),
    request_body = PermissionBody,
    responses((status = 201, body = Permission), (status = 422, body = crate::error::ErrorBody)))]
pub async fn request_permission(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<PermissionBody>,
) -> ApiResult<(StatusCode, Json<Permission>)> {
    let day = today();
    let p = state
        .app
        .request_permission(&user, &b.into(), &day)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(permission_wire(p, &day))))
}

#[utoipa::path(get, path = "/permissions/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Permission), (status = 404, body = crate::error::ErrorBody)))]
pub async fn permission(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Permission>> {
    let day = today();
    let v: PermissionView = state
        .app
        .permission_view(&user, id, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(permission_wire(v.permission, &day)))
}

/// A decision on a permission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PermissionDecisionBody {
    pub revision: i64,
    /// grant or refuse.
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Grants or refuses a pending permission: the managers of the requester's unit, never the requester.
#[utoipa::path(post, path = "/permissions/{id}/decision", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PermissionDecisionBody,
    responses((status = 200, body = Permission), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide_permission(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PermissionDecisionBody>,
) -> ApiResult<Json<Permission>> {
    let p = state
        .app
        .decide_permission(&user, id, b.revision, &b.decision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(permission_wire(p, &today())))
}

/// The return of what a permission covered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReturnBody {
    pub revision: i64,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub returned_on: String,
    #[serde(default)]
    pub note: String,
}

/// Records the return: refused (409) unless the permission was granted.
#[utoipa::path(post, path = "/permissions/{id}/return", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReturnBody,
    responses((status = 200, body = Permission), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn return_permission(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReturnBody>,
) -> ApiResult<Json<Permission>> {
    let day = today();
    let p = state
        .app
        .return_permission(&user, id, b.revision, &b.returned_on, &b.note, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(permission_wire(p, &day)))
}

/// Granted permissions past their end and not returned, the longest overdue first.
#[utoipa::path(get, path = "/permissions/overdue", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = Vec<Permission>)))]
pub async fn overdue_permissions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Permission>>> {
    let day = today();
    let list = state
        .app
        .overdue_permissions(&user, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(
        list.into_iter().map(|p| permission_wire(p, &day)).collect(),
    ))
}

#[utoipa::path(get, path = "/permissions/export", tag = "operations", security(("bearer" = [])), params(FormatQuery, PermissionQuery),
    responses((status = 200, description = "the permissions the caller may read that the filters select (as `GET /permissions` with them, every page), as .xlsx or .csv"),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn export_permissions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(f): ApiQuery<PermissionQuery>,
) -> ApiResult<Response> {
    let format = export_format(&q)?;
    let filter = f.filter()?;
    let bytes = state
        .app
        .export_permissions(&user, format, &filter, &today())
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("permissions.{}", format.extension()),
    ))
}

/// A violation of the policy (違反).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Violation {
    pub id: i64,
    pub what: String,
    pub found_on: String,
    pub found_by: String,
    /// The person who committed it, by name.
    pub committed_by: Option<String>,
    pub unit_name: Option<String>,
    /// instruction, suspension, other.
    pub action: String,
    pub action_note: String,
    pub incident_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<ViolationRecord> for Violation {
    fn from(v: ViolationRecord) -> Self {
        Violation {
            id: v.id,
            what: v.what,
            found_on: v.found_on,
            found_by: v.found_by,
            committed_by: v.offender_name,
            unit_name: v.unit_name,
            action: v.action,
            action_note: v.action_note,
            incident_id: v.incident_id,
            finding_id: v.finding_id,
            recorded_by: v.recorder_name,
            recorded_at: v.created_at,
        }
    }
}

/// Filters of the violations register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViolationQuery {
    #[param(pattern = "^(instruction|suspension|other)?$")]
    pub action: Option<String>,
}

impl ViolationQuery {
    /// The register's filter, a value outside the document's refused (400):
    /// the list and its export read it alike.
    fn filter(&self) -> ApiResult<ViolationFilter> {
        Ok(ViolationFilter {
            action: one_of("action", &self.action, &ViolationAction::codes())?,
            ..Default::default()
        })
    }
}

#[utoipa::path(get, path = "/violations", tag = "operations", security(("bearer" = [])), params(ViolationQuery, Paging),
    responses((status = 200, body = Collection<Violation>)))]
pub async fn violations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ViolationQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Violation>>> {
    let filter = q.filter()?;
    let page = state
        .app
        .list_violations(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// A violation as the security office records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ViolationBody {
    pub what: String,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub found_on: String,
    pub found_by: String,
    /// The user name of whoever committed it, if known.
    #[serde(default)]
    pub offender: String,
    /// instruction, suspension, other.
    pub action: String,
    #[serde(default)]
    pub action_note: String,
    #[serde(default)]
    pub incident_id: Option<i64>,
    /// An audit finding's number.
    #[serde(default)]
    pub finding_id: Option<i64>,
}

#[utoipa::path(post, path = "/violations", tag = "operations", security(("bearer" = [])),
    request_body = ViolationBody,
    responses((status = 201, body = Violation), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_violation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ViolationBody>,
) -> ApiResult<(StatusCode, Json<Violation>)> {
    let form = ViolationForm {
        what: b.what,
        found_on: b.found_on,
        found_by: b.found_by,
        offender: b.offender,
        action: b.action,
        action_note: b.action_note,
        incident_id: b.incident_id,
        finding_id: b.finding_id.map(|f| f.to_string()).unwrap_or_default(),
    };
    let v = state
        .app
        .record_violation(&user, &form, &today())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[utoipa::path(get, path = "/violations/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Violation), (status = 404, body = crate::error::ErrorBody)))]
pub async fn violation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Violation>> {
    let v = state.app.violation(&user, id).await.map_err(json_err)?;
    Ok(Json(v.into()))
}

#[utoipa::path(get, path = "/violations/export", tag = "operations", security(("bearer" = [])), params(FormatQuery, ViolationQuery),
    responses((status = 200, description = "the violations the caller may read that the filters select (as `GET /violations` with them, every page), as .xlsx or .csv"),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn export_violations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(f): ApiQuery<ViolationQuery>,
) -> ApiResult<Response> {
    let format = export_format(&q)?;
    let filter = f.filter()?;
    let bytes = state
        .app
        .export_violations(&user, format, &filter)
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("violations.{}", format.extension()),
    ))
}

// --- contractors and external services ---

/// A contractor of the register (委託先).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contractor {
    pub id: i64,
    pub name: String,
    pub business: String,
    pub systems: Vec<i64>,
    /// A confidentiality level of the active scheme.
    pub highest_class: String,
    pub data_location: String,
    /// Codes of the selection criteria met.
    pub criteria_met: Vec<String>,
    pub criteria_note: String,
    pub last_assessed: Option<String>,
    pub next_due: Option<String>,
    pub revision: i64,
}

fn id_list(s: &str) -> Vec<i64> {
    s.split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn code_list(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

impl From<ContractorRecord> for Contractor {
    fn from(c: ContractorRecord) -> Self {
        Contractor {
            id: c.id,
            systems: id_list(&c.systems),
            criteria_met: code_list(&c.criteria_met),
            name: c.name,
            business: c.business,
            highest_class: c.highest_class,
            data_location: c.data_location,
            criteria_note: c.criteria_note,
            last_assessed: c.last_assessed,
            next_due: c.next_due,
            revision: c.revision,
        }
    }
}

/// A contract with the requirements it lacks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contract {
    pub id: i64,
    pub contractor_id: i64,
    pub contractor_name: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// Codes of the contract requirements it contains.
    pub clauses: Vec<String>,
    /// Codes of the requirements in force it lacks.
    pub missing: Vec<String>,
}

pub(super) fn contract_wire(v: ContractView) -> Contract {
    Contract {
        id: v.contract.id,
        contractor_id: v.contract.contractor_id,
        clauses: code_list(&v.contract.clauses),
        missing: v.missing.into_iter().map(|m| m.code).collect(),
        contractor_name: v.contract.contractor_name,
        title: v.contract.title,
        starts_on: v.contract.starts_on,
        ends_on: v.contract.ends_on,
    }
}

/// A criterion and whether the contractor meets it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionResult {
    pub code: String,
    pub name: String,
    pub met: bool,
    /// Not yet checked against the current guideline (要確認).
    pub unverified: bool,
}

/// One of the contractor's staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractorStaff {
    pub id: i64,
    pub user_id: Option<i64>,
    pub name: String,
}

/// An assessment of a contractor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub assessed_on: String,
    pub result: String,
    pub follow_up: String,
    pub next_due: String,
    pub recorded_by: Option<String>,
}

/// A contractor with its criteria, contracts, staff and assessments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractorDetail {
    #[serde(flatten)]
    pub contractor: Contractor,
    pub criteria: Vec<CriterionResult>,
    pub contracts: Vec<Contract>,
    pub staff: Vec<ContractorStaff>,
    pub assessments: Vec<Assessment>,
    /// Never assessed, or the next assessment is due.
    pub due: bool,
}

impl From<ContractorView> for ContractorDetail {
    fn from(v: ContractorView) -> Self {
        ContractorDetail {
            criteria: v
                .criteria
                .into_iter()
                .map(|(c, met)| CriterionResult {
                    code: c.code,
                    name: c.name,
                    met,
                    unverified: c.unverified,
                })
                .collect(),
            contracts: v.contracts.into_iter().map(contract_wire).collect(),
            staff: v
                .staff
                .into_iter()
                .map(|s| ContractorStaff {
                    id: s.id,
                    user_id: s.user_id,
                    name: s.name,
                })
                .collect(),
            assessments: v
                .assessments
                .into_iter()
                .map(|a| Assessment {
                    id: a.id,
                    assessed_on: a.assessed_on,
                    result: a.result,
                    follow_up: a.follow_up,
                    next_due: a.next_due,
                    recorded_by: a.recorder_name,
                })
                .collect(),
            due: v.due,
            contractor: v.contractor.into(),
        }
    }
}

/// Filters of the contractors register (each optional; all must hold).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractorFilterQuery {
    /// Text in the name or the business (case-insensitive).
    pub q: Option<String>,
    /// Works for this information system (its id).
    pub system: Option<i64>,
    /// Handles information of this highest confidentiality level (its code).
    pub class: Option<String>,
    /// `due`: never assessed or the next assessment is due by today;
    /// `overdue`: the next assessment's day has passed.
    #[param(pattern = "^(due|overdue)?$")]
    pub assessment: Option<String>,
    /// true: only those with a contract lacking a required clause.
    pub missing_clauses: Option<bool>,
}

impl ContractorFilterQuery {
    fn query(&self) -> ApiResult<ContractorQuery> {
        let assessment =
            match one_of("assessment", &self.assessment, &["due", "overdue"])?.as_deref() {
                Some("due") => Some(AssessmentDue::Due),
                Some(_) => Some(AssessmentDue::Overdue),
                None => None,
            };
        Ok(ContractorQuery {
            q: self.q.clone(),
            system: self.system,
            class: self.class.clone(),
            assessment,
            missing_clauses: self.missing_clauses.unwrap_or(false),
        })
    }
}

#[utoipa::path(get, path = "/contractors", tag = "operations", security(("bearer" = [])), params(ContractorFilterQuery, Paging),
    responses((status = 200, body = Collection<Contractor>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn contractors(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ContractorFilterQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Contractor>>> {
    let query = q.query()?;
    let page = state
        .app
        .list_contractors(&user, &query, &today(), paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// A contractor as the security office records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ContractorBody {
    pub name: String,
    pub business: String,
    #[serde(default)]
    pub systems: Vec<i64>,
    pub highest_class: String,
    pub data_location: String,
}

impl From<ContractorBody> for ContractorForm {
    fn from(b: ContractorBody) -> Self {
        ContractorForm {
            name: b.name,
            business: b.business,
            systems: b.systems,
            highest_class: b.highest_class,
            data_location: b.data_location,
        }
    }
}

#[utoipa::path(post, path = "/contractors", tag = "operations", security(("bearer" = [])),
    request_body = ContractorBody,
    responses((status = 201, body = Contractor), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_contractor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ContractorBody>,
) -> ApiResult<(StatusCode, Json<Contractor>)> {
    let form = ContractorForm::from(b);
    let c = state
        .app
        .create_contractor(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(get, path = "/contractors/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ContractorDetail), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn contractor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContractorDetail>> {
    let v = state
        .app
        .contractor_view(&user, id, &today())
        .await
        .map_err(json_err)?;
    Ok(Json(v.into()))
}

// --- h15b: a contractor's own fields edited ---
/// A contractor's own fields as the security office changes them, with the
/// revision read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ContractorEditBody {
    /// The `revision` read: a stale one is refused (409, `MAMORI-CONTRACTOR-STALE`).
    pub revision: i64,
    #[serde(flatten)]
    pub contractor: ContractorBody,
}

/// Changes a contractor's own fields (its criteria, contracts, staff and
/// assessments have their own calls); logged with before and after.
#[utoipa::path(put, path = "/contractors/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ContractorEditBody,
    responses((status = 200, body = Contractor), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_contractor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ContractorEditBody>,
) -> ApiResult<Json<Contractor>> {
    let form = ContractorForm::from(b.contractor);
    let c = state
        .app
        .update_contractor(&user, id, b.revision, &form)
        .await
        .map_err(json_err)?;
    Ok(Json(c.into()))
}

/// The selection criteria a contractor meets.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CriteriaBody {
    pub revision: i64,
    /// Codes of the criteria met (catalogs/contractor-criteria.toml).
    #[serde(default)]
    pub met: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(put, path = "/contractors/{id}/criteria", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CriteriaBody,
    responses((status = 200, body = Contractor), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_criteria(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CriteriaBody>,
) -> ApiResult<Json<Contractor>> {
    let c = state
        .app
        .set_contractor_criteria(&user, id, b.revision, &b.met, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(c.into()))
}

/// A contract as entered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ContractBody {
    pub title: String,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub starts_on: String,
    /// YYYY-MM-DD (empty: open-ended).
    #[serde(default)]
    pub ends_on: String,
    /// Codes of the contract requirements it contains (catalogs/contract-requirements.toml).
    #[serde(default)]
    pub clauses: Vec<String>,
}

/// Records a contract: a clause the city does not require is refused; the answer lists the missing ones.
#[utoipa::path(post, path = "/contractors/{id}/contracts", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ContractBody,
    responses((status = 201, body = Contract), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_contract(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ContractBody>,
) -> ApiResult<(StatusCode, Json<Contract>)> {
    let form = ContractForm {
        title: b.title,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        clauses: b.clauses,
    };
    let v = state
        .app
        .add_contract(&user, id, &form, &today())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(contract_wire(v))))
}

/// One of the contractor's staff: a user of the contractor employment type, or a name.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StaffBody {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
}

/// The id of a record made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/contractors/{id}/staff", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = StaffBody,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StaffBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = state
        .app
        .add_contractor_staff(&user, id, &b.username, &b.name)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A periodic assessment as entered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssessmentBody {
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub assessed_on: String,
    pub result: String,
    #[serde(default)]
    pub follow_up: String,
    /// YYYY-MM-DD, required.
    #[serde(default)]
    pub next_due: String,
}

#[utoipa::path(post, path = "/contractors/{id}/assessments", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AssessmentBody,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssessmentBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let form = AssessmentForm {
        assessed_on: b.assessed_on,
        result: b.result,
        follow_up: b.follow_up,
        next_due: b.next_due,
    };
    let id = state
        .app
        .add_contractor_assessment(&user, id, &form, &today())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/contractors/export", tag = "operations", security(("bearer" = [])), params(FormatQuery, ContractorFilterQuery),
    responses((status = 200, description = "the contractors the filters select, as .xlsx or .csv"), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn export_contractors(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(f): ApiQuery<ContractorFilterQuery>,
) -> ApiResult<Response> {
    let format = export_format(&q)?;
    let query = f.query()?;
    let bytes = state
        .app
        .export_contractors(&user, format, &query, &today())
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("contractors.{}", format.extension()),
    ))
}

/// An external service of the register (外部サービス).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Service {
    pub id: i64,
    pub name: String,
    pub contractor_id: Option<i64>,
    pub contractor_name: Option<String>,
    pub cloud: bool,
    pub purpose: String,
    pub systems: Vec<i64>,
    pub highest_class: String,
    pub data_location: String,
    /// Registered in ISMAP, with its number.
    pub ismap: bool,
    pub ismap_id: String,
    /// Approved as a destination of the α' model.
    pub alpha_prime: bool,
    /// The address ranges it is reached at (CIDR): what
    /// `destination = "service:<name>"` in the segments file stands for.
    pub ranges: Vec<String>,
    // --- h15b ---
    /// Send it back with a change: a stale one is refused (409).
    pub revision: i64,
}

impl From<ServiceRecord> for Service {
    fn from(s: ServiceRecord) -> Self {
        Service {
            id: s.id,
            systems: id_list(&s.systems),
            name: s.name,
            contractor_id: s.contractor_id,
            contractor_name: s.contractor_name,
            cloud: s.cloud,
            purpose: s.purpose,
            highest_class: s.highest_class,
            data_location: s.data_location,
            ismap: s.ismap,
            ismap_id: s.ismap_id,
            alpha_prime: s.alpha_prime,
            ranges: s.ranges.lines().map(str::to_string).collect(),
            revision: s.revision,
        }
    }
}

/// Filters of the external services register (each optional; all must hold).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Text in the name, the purpose or the provider's name (case-insensitive).
    pub q: Option<String>,
    /// Used for this information system (its id).
    pub system: Option<i64>,
    /// Handles information of this highest confidentiality level (its code).
    pub class: Option<String>,
    /// Registered (true) or not registered (false) in ISMAP.
    pub ismap: Option<bool>,
    /// Only those approved (true) or not approved (false) for α'.
    pub alpha_prime: Option<bool>,
}

impl ServiceQuery {
    fn query(&self) -> mamori_app::ops::outsourcing::ServiceQuery {
        mamori_app::ops::outsourcing::ServiceQuery {
            q: self.q.clone(),
            system: self.system,
            class: self.class.clone(),
            ismap: self.ismap,
            alpha_prime: self.alpha_prime,
        }
    }
}

#[utoipa::path(get, path = "/services", tag = "operations", security(("bearer" = [])), params(ServiceQuery, Paging),
    responses((status = 200, body = Collection<Service>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ServiceQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Service>>> {
    let page = state
        .app
        .list_services(&user, &q.query(), paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// An external service as the security office records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ServiceBody {
    pub name: String,
    #[serde(default)]
    pub contractor_id: Option<i64>,
    #[serde(default)]
    pub cloud: bool,
    pub purpose: String,
    #[serde(default)]
    pub systems: Vec<i64>,
    pub highest_class: String,
    pub data_location: String,
    #[serde(default)]
    pub ismap: bool,
    #[serde(default)]
    pub ismap_id: String,
    #[serde(default)]
    pub alpha_prime: bool,
    /// The address ranges it is reached at (CIDR, IPv4 or IPv6), for a
    /// service the segments file names as `destination = "service:<name>"`.
    #[serde(default)]
    pub ranges: Vec<String>,
}

impl From<ServiceBody> for ServiceForm {
    fn from(b: ServiceBody) -> Self {
        ServiceForm {
            name: b.name,
            contractor_id: b.contractor_id,
            cloud: b.cloud,
            purpose: b.purpose,
            systems: b.systems,
            highest_class: b.highest_class,
            data_location: b.data_location,
            ismap: b.ismap,
            ismap_id: b.ismap_id,
            alpha_prime: b.alpha_prime,
            ranges: b.ranges,
        }
    }
}

#[utoipa::path(post, path = "/services", tag = "operations", security(("bearer" = [])),
    request_body = ServiceBody,
    responses((status = 201, body = Service), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_service(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ServiceBody>,
) -> ApiResult<(StatusCode, Json<Service>)> {
    let form = ServiceForm::from(b);
    let s = state
        .app
        .create_service(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[utoipa::path(get, path = "/services/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Service), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn service(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Service>> {
    let s = state.app.service(&user, id).await.map_err(json_err)?;
    Ok(Json(s.into()))
}

// --- h15b: an external service edited ---
/// An external service as the security office changes it, with the revision
/// read (every field is sent: what is left out is cleared or false).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ServiceEditBody {
    /// The `revision` read: a stale one is refused (409, `MAMORI-SERVICE-STALE`).
    pub revision: i64,
    #[serde(flatten)]
    pub service: ServiceBody,
}

/// Changes an external service, checked as when it is recorded (α' for a
/// cloud service needs ISMAP; ranges are CIDR); logged with before and after.
#[utoipa::path(put, path = "/services/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ServiceEditBody,
    responses((status = 200, body = Service), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_service(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ServiceEditBody>,
) -> ApiResult<Json<Service>> {
    let form = ServiceForm::from(b.service);
    let s = state
        .app
        .update_service(&user, id, b.revision, &form)
        .await
        .map_err(json_err)?;
    Ok(Json(s.into()))
}

#[utoipa::path(get, path = "/services/export", tag = "operations", security(("bearer" = [])), params(FormatQuery, ServiceQuery),
    responses((status = 200, description = "the external services the filters select, as .xlsx or .csv"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn export_services(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(f): ApiQuery<ServiceQuery>,
) -> ApiResult<Response> {
    let format = export_format(&q)?;
    let bytes = state
        .app
        .export_services(&user, format, &f.query())
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("services.{}", format.extension()),
    ))
}

// --- emergency response plans ---

/// An emergency response plan (緊急時対応計画).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    pub id: i64,
    /// cyber_attack, disaster, infrastructure_outage, staff_shortage.
    pub category: String,
    pub title: String,
    pub contacts: String,
    pub steps: String,
    pub systems: Vec<i64>,
    pub last_drill: Option<String>,
}

impl From<PlanRecord> for Plan {
    fn from(p: PlanRecord) -> Self {
        Plan {
            id: p.id,
            systems: id_list(&p.systems),
            category: p.category,
            title: p.title,
            contacts: p.contacts,
            steps: p.steps,
            last_drill: p.last_drill,
        }
    }
}

/// A drill of a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drill {
    pub id: i64,
    pub held_on: String,
    pub note: String,
    pub recorded_by: Option<String>,
}

/// A plan with its drills and the incidents (the caller may read) that followed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: Plan,
    pub drills: Vec<Drill>,
    pub incidents: Vec<i64>,
}

#[utoipa::path(get, path = "/plans", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = Vec<Plan>)))]
pub async fn plans(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Plan>>> {
    let list = state.app.plans(&user).await.map_err(json_err)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A plan as the security office records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PlanBody {
    /// cyber_attack, disaster, infrastructure_outage, staff_shortage.
    pub category: String,
    pub title: String,
    pub contacts: String,
    pub steps: String,
    #[serde(default)]
    pub systems: Vec<i64>,
}

#[utoipa::path(post, path = "/plans", tag = "operations", security(("bearer" = [])),
    request_body = PlanBody,
    responses((status = 201, body = Plan), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<(StatusCode, Json<Plan>)> {
    let form = PlanForm {
        category: b.category,
        title: b.title,
        contacts: b.contacts,
        steps: b.steps,
        systems: b.systems,
    };
    let p = state
        .app
        .create_plan(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(get, path = "/plans/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlanDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PlanDetail>> {
    let v = state.app.plan_view(&user, id).await.map_err(json_err)?;
    Ok(Json(PlanDetail {
        drills: v
            .drills
            .into_iter()
            .map(|d| Drill {
                id: d.id,
                held_on: d.held_on,
                note: d.note,
                recorded_by: d.recorder_name,
            })
            .collect(),
        incidents: v.incidents.into_iter().map(|i| i.id).collect(),
        plan: v.plan.into(),
    }))
}

/// A drill as entered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DrillBody {
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/plans/{id}/drills", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DrillBody,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_drill(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DrillBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = state
        .app
        .record_drill(&user, id, &b.held_on, &b.note, &today())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The plan an incident followed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncidentPlan {
    /// None: no plan.
    pub plan_id: Option<i64>,
}

#[utoipa::path(get, path = "/incidents/{id}/plan", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = IncidentPlan), (status = 404, body = crate::error::ErrorBody)))]
pub async fn incident_plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IncidentPlan>> {
    let plan_id = state.app.incident_plan(&user, id).await.map_err(json_err)?;
    Ok(Json(IncidentPlan { plan_id }))
}

/// Records the plan an incident followed: those who handle the incident.
#[utoipa::path(put, path = "/incidents/{id}/plan", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = IncidentPlan,
    responses((status = 200, body = IncidentPlan), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_incident_plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IncidentPlan>,
) -> ApiResult<Json<IncidentPlan>> {
    state
        .app
        .set_incident_plan(&user, id, b.plan_id)
        .await
        .map_err(json_err)?;
    Ok(Json(b))
}
