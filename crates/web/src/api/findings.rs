//! Findings (指摘事項) and corrective actions over the API (issue 14 part 2):
//! list (filter and paging), read, raise (by hand, from a campaign's
//! results, from a firewall check's violation), waive a campaign's item,
//! plan, report done, verify, close, note, the caller's to-do list and the
//! .xlsx export. Every decision is the operation's (crates/app/src/findings.rs).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::findings::{FindingForm, FindingTodo, PlanForm, TodoKind};
use mamori_app::ops::today;
use mamori_core::audit::finding::{FindingSeverity, FindingState};
use mamori_store::findings::{FindingFilter, FindingNote, FindingRecord, NotDoneItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ops::one_of;
use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// A finding of the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub id: i64,
    /// high, medium, low.
    pub severity: String,
    /// CODE#KEY, a control code or control:CODE.
    pub provision: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub system_id: Option<i64>,
    pub system_name: Option<String>,
    pub description: String,
    /// manual, inspection, audit, netcheck.
    pub source: String,
    /// What it came from (a campaign and item; a device and file:line).
    pub source_ref: String,
    /// open, action_planned, done, verified, closed.
    pub state: String,
    pub action_plan: String,
    /// The owner of the corrective action, by name.
    pub owner: Option<String>,
    pub owner_id: Option<i64>,
    pub due_on: Option<String>,
    /// Planned and past its due date (JST).
    pub overdue: bool,
    pub done_note: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub raised_by: Option<String>,
    pub created_at: String,
    /// Send it back with a step: a stale one is refused (409).
    pub revision: i64,
}

fn wire(f: FindingRecord, today: &str) -> Finding {
    Finding {
        overdue: f.overdue_on(today),
        id: f.id,
        severity: f.severity,
        provision: f.provision,
        unit_id: f.unit_id,
        unit_name: f.unit_name,
        system_id: f.system_id,
        system_name: f.system_name,
        description: f.description,
        source: f.source_kind,
        source_ref: f.source_ref,
        state: f.state,
        action_plan: f.action_plan,
        owner: f.owner_name,
        owner_id: f.owner_id,
        due_on: f.due_on,
        done_note: f.done_note,
        verified_by: f.verifier_name,
        verified_at: f.verified_at,
        closed_by: f.closer_name,
        closed_at: f.closed_at,
        raised_by: f.raiser_name,
        created_at: f.created_at,
        revision: f.revision,
    }
}

/// A line of a finding's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryLine {
    pub at: String,
    /// raised, planned, done, verified, returned, closed, note.
    pub kind: String,
    pub note: String,
    pub by: Option<String>,
}

impl From<FindingNote> for HistoryLine {
    fn from(n: FindingNote) -> Self {
        HistoryLine {
            at: n.at,
            kind: n.kind,
            note: n.note,
            by: n.user_name,
        }
    }
}

/// A finding with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: Finding,
    pub history: Vec<HistoryLine>,
}

/// Filters of the findings register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    #[param(pattern = "^(open|action_planned|done|verified|closed)?$")]
    pub state: Option<String>,
    #[param(pattern = "^(high|medium|low)?$")]
    pub severity: Option<String>,
    /// 1: only corrective actions past their due date.
    #[param(pattern = "^[01]?$")]
    pub overdue: Option<String>,
}

#[utoipa::path(get, path = "/findings", tag = "audits", security(("bearer" = [])), params(FindingQuery, Paging),
    responses((status = 200, body = Collection<Finding>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FindingQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Finding>>> {
    let day = today();
    let overdue = one_of("overdue", &q.overdue, &["0", "1"])?;
    let filter = FindingFilter {
        state: one_of("state", &q.state, &FindingState::codes())?,
        severity: one_of("severity", &q.severity, &FindingSeverity::codes())?,
        overdue_on: (overdue.as_deref() == Some("1")).then(|| day.clone()),
        ..Default::default()
    };
    let page = state
        .app
        .list_findings(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(Collection {
        total: page.total,
        items: page.items.into_iter().map(|f| wire(f, &day)).collect(),
    }))
}

/// A finding raised by hand (or from a firewall check).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FindingBody {
    /// high, medium, low.
    pub severity: String,
    /// CODE#KEY, a control code or control:CODE.
    pub provision: String,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub system_id: Option<i64>,
    #[serde(default)]
    pub description: String,
}

impl From<FindingBody> for FindingForm {
    fn from(b: FindingBody) -> Self {
        FindingForm {
            severity: b.severity,
            provision: b.provision,
            unit_id: b.unit_id,
            system_id: b.system_id,
            description: b.description,
        }
    }
}

/// Raises a finding by hand (the security office, an auditor).
#[utoipa::path(post, path = "/findings", tag = "audits", security(("bearer" = [])), request_body = FindingBody,
    responses((status = 201, body = Finding), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<FindingBody>,
) -> ApiResult<(StatusCode, Json<Finding>)> {
    let f = state
        .app
        .raise_finding(&user, &b.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(wire(f, &today()))))
}

#[utoipa::path(get, path = "/findings/{id}", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<FindingDetail>> {
    let day = today();
    let v = state
        .app
        .finding_view(&user, id, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(FindingDetail {
        finding: wire(v.finding, &day),
        history: v.notes.into_iter().map(Into::into).collect(),
    }))
}

/// The corrective action as planned.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PlanBody {
    pub revision: i64,
    /// The user who owns the action.
    pub owner_id: i64,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub plan: String,
}

/// Plans the corrective action (the unit's managers, the security office).
#[utoipa::path(post, path = "/findings/{id}/plan", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PlanBody,
    responses((status = 200, body = Finding), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Json<Finding>> {
    let form = PlanForm {
        owner_id: b.owner_id,
        due_on: b.due_on,
        plan: b.plan,
    };
    let f = state
        .app
        .plan_finding(&user, id, b.revision, &form)
        .await
        .map_err(json_err)?;
    Ok(Json(wire(f, &today())))
}

/// A step with a note.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NoteBody {
    pub revision: i64,
    #[serde(default)]
    pub note: String,
}

/// The owner reports the corrective action done.
#[utoipa::path(post, path = "/findings/{id}/done", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = NoteBody,
    responses((status = 200, body = Finding), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn report_done(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<Finding>> {
    let f = state
        .app
        .report_finding_done(&user, id, b.revision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(wire(f, &today())))
}

/// A verification of an action reported done.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VerifyBody {
    pub revision: i64,
    /// accept, or return (with a note saying why).
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Verifies an action reported done, or sends it back: never its owner.
#[utoipa::path(post, path = "/findings/{id}/verification", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VerifyBody,
    responses((status = 200, body = Finding), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> ApiResult<Json<Finding>> {
    let f = state
        .app
        .verify_finding(&user, id, b.revision, &b.decision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(wire(f, &today())))
}

/// Closes a verified finding (the security office); one not verified is refused.
#[utoipa::path(post, path = "/findings/{id}/close", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = NoteBody,
    responses((status = 200, body = Finding), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<Finding>> {
    let f = state
        .app
        .close_finding(&user, id, b.revision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(wire(f, &today())))
}

/// Adds a follow-up note.
#[utoipa::path(post, path = "/findings/{id}/notes", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = NoteBody,
    responses((status = 200, body = Finding), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn note(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<Finding>> {
    let f = state
        .app
        .add_finding_note(&user, id, b.revision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(wire(f, &today())))
}

/// A finding on the caller's to-do list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Todo {
    /// action (an action I own), overdue (mine, past its due date), verify
    /// (reported done, for me to verify).
    pub kind: String,
    pub finding: Finding,
}

fn todo_wire(t: FindingTodo, today: &str) -> Todo {
    Todo {
        kind: match t.kind {
            TodoKind::Action => "action",
            TodoKind::Overdue => "overdue",
            TodoKind::Verify => "verify",
        }
        .to_string(),
        finding: wire(t.finding, today),
    }
}

/// What findings ask of the caller: actions they own, overdue first, and
/// actions reported done that they may verify.
#[utoipa::path(get, path = "/findings/todos", tag = "audits", security(("bearer" = [])),
    responses((status = 200, body = Vec<Todo>)))]
pub async fn todos(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Todo>>> {
    let day = today();
    let list = state
        .app
        .my_finding_todos(&user, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(list.into_iter().map(|t| todo_wire(t, &day)).collect()))
}

#[utoipa::path(get, path = "/findings/export", tag = "audits", security(("bearer" = [])),
    responses((status = 200, description = "the findings the caller may read, as .xlsx")))]
pub async fn export(State(state): State<AppState>, ApiUser(user): ApiUser) -> ApiResult<Response> {
    let bytes = state
        .app
        .export_findings(&user, &today())
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        mamori_core::table::LedgerFormat::Xlsx.content_type(),
        "findings.xlsx",
    ))
}

/// A mandatory item answered 未実施 in a submitted questionnaire.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotDone {
    pub target_id: i64,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    pub target_name: String,
    pub item_id: i64,
    pub position: i64,
    pub provision: String,
    pub question: String,
    pub comment: String,
    /// The finding raised for it.
    pub finding_id: Option<i64>,
    /// Why it was waived.
    pub waived: Option<String>,
}

impl From<NotDoneItem> for NotDone {
    fn from(i: NotDoneItem) -> Self {
        NotDone {
            target_id: i.target_id,
            unit_id: i.unit_id,
            system_id: i.system_id,
            target_name: i.target_name,
            item_id: i.item_id,
            position: i.position,
            provision: i.provision,
            question: i.question,
            comment: i.comment,
            finding_id: i.finding_id,
            waived: i.waived_reason,
        }
    }
}

#[utoipa::path(get, path = "/self-inspections/{id}/not-done", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NotDone>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn not_done(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<NotDone>>> {
    let list = state
        .app
        .inspection_not_done(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// What raising a campaign's findings did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Raised {
    pub raised: Vec<Finding>,
    /// Items raised before (left as they are).
    pub already: usize,
    /// Items waived.
    pub waived: usize,
}

/// Raises the campaign's findings (idempotent): each mandatory item answered
/// 未実施 in a submitted questionnaire, unless waived or raised before.
#[utoipa::path(post, path = "/self-inspections/{id}/findings", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Raised), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn raise_from_inspection(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Raised>> {
    let day = today();
    let o = state
        .app
        .raise_inspection_findings(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(Raised {
        raised: o.raised.into_iter().map(|f| wire(f, &day)).collect(),
        already: o.already,
        waived: o.waived,
    }))
}

/// An item of a campaign not to be raised, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct WaiverBody {
    pub target_id: i64,
    pub item_id: i64,
    #[serde(default)]
    pub reason: String,
}

/// Waives an item answered 未実施 (it will not be raised), with the reason.
#[utoipa::path(post, path = "/self-inspections/{id}/waivers", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = WaiverBody,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn waive(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<WaiverBody>,
) -> ApiResult<StatusCode> {
    state
        .app
        .waive_inspection_item(&user, id, b.target_id, b.item_id, &b.reason)
        .await
        .map_err(json_err)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A violation of a firewall check raised as a finding.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ViolationBody {
    /// The violation's position in the run's report (from 0).
    pub violation: usize,
    #[serde(flatten)]
    pub finding: FindingBody,
}

/// Raises a violation of a firewall check as a finding, with its file:line.
#[utoipa::path(post, path = "/netcheck/runs/{id}/findings", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ViolationBody,
    responses((status = 201, body = Finding), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn raise_from_netcheck(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ViolationBody>,
) -> ApiResult<(StatusCode, Json<Finding>)> {
    let f = state
        .app
        .raise_netcheck_finding(&user, id, b.violation, &b.finding.into())
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(wire(f, &today()))))
}
