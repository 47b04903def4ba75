//! Operations (第8(4)) over the API: incidents (report, read, escalate, act,
//! assess, record the reports sent, close), exceptions (ask, read, decide,
//! renew, about to expire), their exports and the attention list. Every
//! decision is the operation's (crates/app/src/ops/).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::ops::attention::Attention;
use mamori_app::ops::exceptions::{ExceptionForm, ExceptionView, shown_state};
use mamori_app::ops::incidents::{AssessmentForm, IncidentForm, IncidentView, OwedReport};
use mamori_store::ops::exceptions::{ExceptionFilter, ExceptionRecord};
use mamori_store::ops::incidents::{
    IncidentClosure, IncidentFilter, IncidentLink, IncidentRecord, TimelineEntry,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::controls::{FormatQuery, format_of};
use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;
use mamori_app::ops::today;
use mamori_core::ops::exception::ExceptionState;
use mamori_core::ops::incident::{IncidentKind, Severity};
use mamori_core::table::LedgerFormat;

/// An incident of the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// RFC 3339 (UTC).
    pub noticed_at: String,
    pub place: String,
    /// leak, loss_theft, tampering, malware, unauthorised_access, outage, disaster, missending, other.
    pub kind: String,
    /// low, medium, high, critical.
    pub severity: String,
    pub unit_name: Option<String>,
    pub reporter_name: String,
    /// How far up the reporting line: administrator, manager, chief, ciso.
    pub step: String,
    pub personal_info: bool,
    pub my_number: bool,
    pub sensitive: bool,
    pub financial: bool,
    pub wrongful: bool,
    pub affected: Option<i64>,
    /// undecided, publish, not_publish.
    pub publication: String,
    pub publication_note: String,
    /// open or closed.
    pub state: String,
    pub causes: String,
    pub lessons: String,
    pub measures: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    /// Send it back with a change: a stale one is refused (409).
    pub revision: i64,
}

impl From<IncidentRecord> for Incident {
    fn from(i: IncidentRecord) -> Self {
        Incident {
            id: i.id,
            title: i.title,
            description: i.description,
            noticed_at: i.noticed_at,
            place: i.place,
            kind: i.kind,
            severity: i.severity,
            unit_name: i.unit_name,
            reporter_name: i.reporter_name,
            step: i.step,
            personal_info: i.personal_info,
            my_number: i.my_number,
            sensitive: i.sensitive,
            financial: i.financial,
            wrongful: i.wrongful,
            affected: i.affected,
            publication: i.publication,
            publication_note: i.publication_note,
            state: i.state,
            causes: i.causes,
            lessons: i.lessons,
            measures: i.measures,
            closed_at: i.closed_at,
            closed_by: i.closer_name,
            revision: i.revision,
        }
    }
}

/// A line of an incident's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineLine {
    pub at: String,
    /// reported, escalated, action, assessed, report_sent, closed.
    pub kind: String,
    /// The step reached (reported, escalated).
    pub step: Option<String>,
    pub note: String,
    pub by: Option<String>,
}

impl From<TimelineEntry> for TimelineLine {
    fn from(t: TimelineEntry) -> Self {
        TimelineLine {
            at: t.at,
            kind: t.kind,
            step: t.step,
            note: t.note,
            by: t.user_name,
        }
    }
}

/// An asset or information system involved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Involved {
    /// asset or system.
    pub kind: String,
    pub id: i64,
    pub name: String,
    /// An asset's classification label.
    pub label: String,
    pub unit_name: Option<String>,
}

impl From<IncidentLink> for Involved {
    fn from(l: IncidentLink) -> Self {
        Involved {
            kind: l.target_kind,
            id: l.target_id,
            name: l.name,
            label: l.label,
            unit_name: l.unit_name,
        }
    }
}

/// A report or notification owed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Owed {
    /// The rule's code (ppc_prompt, ppc_final, persons, prefecture, ministry …).
    pub rule: String,
    pub name: String,
    pub destination: String,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// YYYY-MM-DD, when recorded as sent.
    pub sent_on: Option<String>,
    pub overdue: bool,
}

impl From<OwedReport> for Owed {
    fn from(o: OwedReport) -> Self {
        Owed {
            rule: o.rule.code,
            name: o.rule.name,
            destination: o.rule.destination,
            due_on: o.due_on,
            sent_on: o.sent.map(|s| s.sent_on),
            overdue: o.overdue,
        }
    }
}

/// One incident in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentInFull {
    #[serde(flatten)]
    pub incident: Incident,
    pub involved: Vec<Involved>,
    /// Assets involved that the caller may not see.
    pub hidden_assets: usize,
    pub timeline: Vec<TimelineLine>,
    pub reports: Vec<Owed>,
    /// A report to the Personal Information Protection Commission is required.
    pub ppc_required: bool,
    /// The criteria that hold: sensitive, financial, wrongful, over_100.
    pub criteria: Vec<String>,
}

impl From<IncidentView> for IncidentInFull {
    fn from(v: IncidentView) -> Self {
        IncidentInFull {
            incident: v.incident.into(),
            involved: v.links.into_iter().map(Into::into).collect(),
            hidden_assets: v.hidden_assets,
            timeline: v.timeline.into_iter().map(Into::into).collect(),
            reports: v.owed.into_iter().map(Into::into).collect(),
            ppc_required: v.ppc_required,
            criteria: v.criteria.into_iter().map(str::to_string).collect(),
        }
    }
}

/// Filters of the incident register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    #[param(pattern = "^(open|closed)?$")]
    pub state: Option<String>,
    #[param(pattern = "^(low|medium|high|critical)?$")]
    pub severity: Option<String>,
    #[param(
        pattern = "^(leak|loss_theft|tampering|malware|unauthorised_access|outage|disaster|missending|other)?$"
    )]
    pub kind: Option<String>,
}

impl IncidentQuery {
    /// The register's filter, a value outside the document's refused (400):
    /// the list and its export read it alike.
    fn filter(&self) -> ApiResult<IncidentFilter> {
        Ok(IncidentFilter {
            state: one_of("state", &self.state, &["open", "closed"])?,
            severity: one_of("severity", &self.severity, &Severity::codes())?,
            kind: one_of("kind", &self.kind, &IncidentKind::codes())?,
            ..Default::default()
        })
    }
}

/// A filter's value, refused (400, as the document's pattern says) when it is
/// not one of `allowed`.
pub(super) fn one_of(
    name: &str,
    s: &Option<String>,
    allowed: &[&str],
) -> ApiResult<Option<String>> {
    match s.as_deref() {
        None | Some("") => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(v) => Err(crate::error::AppError::bad_request(format!(
            "{name}: '{v}' は使えない値です / '{v}' is not one of {}",
            allowed.join(", ")
        ))
        .as_json()),
    }
}

#[utoipa::path(get, path = "/incidents", tag = "operations", security(("bearer" = [])), params(IncidentQuery, Paging),
    responses((status = 200, body = Collection<Incident>)))]
pub async fn incidents(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<IncidentQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Incident>>> {
    let filter = q.filter()?;
    let page = state
        .app
        .list_incidents(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(page.into()))
}

/// The facts of an incident as assessed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AssessmentBody {
    /// leak, loss_theft, tampering, malware, unauthorised_access, outage, disaster, missending, other.
    pub kind: String,
    /// low, medium, high, critical.
    pub severity: String,
    #[serde(default)]
    pub personal_info: bool,
    #[serde(default)]
    pub my_number: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub financial: bool,
    #[serde(default)]
    pub wrongful: bool,
    /// How many people are affected (null: unknown).
    pub affected: Option<i64>,
    /// undecided (default), publish, not_publish.
    #[serde(default)]
    pub publication: String,
    #[serde(default)]
    pub publication_note: String,
}

impl From<&AssessmentBody> for AssessmentForm {
    fn from(b: &AssessmentBody) -> Self {
        AssessmentForm {
            kind: b.kind.clone(),
            severity: b.severity.clone(),
            personal_info: b.personal_info,
            my_number: b.my_number,
            sensitive: b.sensitive,
            financial: b.financial,
            wrongful: b.wrongful,
            affected: b.affected.map(|n| n.to_string()).unwrap_or_default(),
            publication: b.publication.clone(),
            publication_note: b.publication_note.clone(),
        }
    }
}

/// A report of an incident.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReportBody {
    pub title: String,
    pub description: String,
    /// When it was noticed: RFC 3339, or 2026-04-01T09:30 (JST).
    pub noticed_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(flatten)]
    pub assessment: AssessmentBody,
    /// Ids of the assets involved (ones the reporter may see).
    #[serde(default)]
    pub assets: Vec<i64>,
    /// Ids of the information systems involved.
    #[serde(default)]
    pub systems: Vec<i64>,
}

/// Reports an incident (anyone signed in): it reaches the unit's 情報セキュリティ管理者.
#[utoipa::path(post, path = "/incidents", tag = "operations", security(("bearer" = [])),
    request_body = ReportBody,
    responses((status = 201, body = Incident), (status = 422, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ReportBody>,
) -> ApiResult<(StatusCode, Json<Incident>)> {
    let form = IncidentForm {
        title: b.title,
        description: b.description,
        noticed_at: b.noticed_at,
        place: b.place,
        assessment: (&b.assessment).into(),
        assets: b.assets,
        systems: b.systems,
    };
    let i = state
        .app
        .report_incident(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

#[utoipa::path(get, path = "/incidents/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = IncidentInFull), (status = 404, body = crate::error::ErrorBody)))]
pub async fn incident(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IncidentInFull>> {
    Ok(Json(
        state
            .app
            .incident_view(&user, id, &today())
            .await
            .map_err(json_err)?
            .into(),
    ))
}

/// A change that names the revision read, with a note.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EscalateBody {
    pub revision: i64,
    #[serde(default)]
    pub note: String,
}

/// Escalates the incident to the next step of the reporting line (timestamped).
#[utoipa::path(post, path = "/incidents/{id}/escalate", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = EscalateBody,
    responses((status = 200, body = Incident), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn escalate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EscalateBody>,
) -> ApiResult<Json<Incident>> {
    let i = state
        .app
        .escalate_incident(&user, id, b.revision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(i.into()))
}

/// An action taken.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ActionBody {
    pub note: String,
}

#[utoipa::path(post, path = "/incidents/{id}/actions", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ActionBody,
    responses((status = 201, body = TimelineLine), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ActionBody>,
) -> ApiResult<(StatusCode, Json<TimelineLine>)> {
    let t = state
        .app
        .add_incident_action(&user, id, &b.note)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// A new assessment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssessBody {
    pub revision: i64,
    #[serde(default)]
    pub note: String,
    #[serde(flatten)]
    pub assessment: AssessmentBody,
}

#[utoipa::path(put, path = "/incidents/{id}/assessment", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AssessBody,
    responses((status = 200, body = Incident), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn assess(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssessBody>,
) -> ApiResult<Json<Incident>> {
    let i = state
        .app
        .assess_incident(&user, id, b.revision, &(&b.assessment).into(), &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(i.into()))
}

/// A report owed, recorded as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SentBody {
    /// The rule's code, one of the incident's `reports`.
    pub rule: String,
    /// YYYY-MM-DD, not in the future (default today).
    #[serde(default)]
    pub sent_on: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/incidents/{id}/reports", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SentBody,
    responses((status = 201, body = Owed), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SentBody>,
) -> ApiResult<(StatusCode, Json<Owed>)> {
    let day = today();
    state
        .app
        .record_incident_report(&user, id, &b.rule, &b.sent_on, &b.note, &day)
        .await
        .map_err(json_err)?;
    let view = state
        .app
        .incident_view(&user, id, &day)
        .await
        .map_err(json_err)?;
    let owed = view
        .owed
        .into_iter()
        .find(|o| o.rule.code == b.rule)
        .ok_or_else(|| json_err(mamori_app::Error::not_found("report", &b.rule)))?;
    Ok((StatusCode::CREATED, Json(owed.into())))
}

/// How an incident is closed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CloseBody {
    pub revision: i64,
    pub causes: String,
    #[serde(default)]
    pub lessons: String,
    pub measures: String,
}

#[utoipa::path(post, path = "/incidents/{id}/close", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CloseBody,
    responses((status = 200, body = Incident), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CloseBody>,
) -> ApiResult<Json<Incident>> {
    let closure = IncidentClosure {
        causes: b.causes,
        lessons: b.lessons,
        measures: b.measures,
    };
    let i = state
        .app
        .close_incident(&user, id, b.revision, &closure)
        .await
        .map_err(json_err)?;
    Ok(Json(i.into()))
}

pub(super) fn export_format(q: &FormatQuery) -> ApiResult<LedgerFormat> {
    format_of(q.format.as_deref(), LedgerFormat::Xlsx)
}

#[utoipa::path(get, path = "/incidents/export", tag = "operations", security(("bearer" = [])), params(FormatQuery, IncidentQuery),
    responses((status = 200, description = "the incidents the caller may read that the filters select (as `GET /incidents` with them, every page), as .xlsx or .csv"),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn export_incidents(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(f): ApiQuery<IncidentQuery>,
) -> ApiResult<Response> {
    let format = export_format(&q)?;
    let filter = f.filter()?;
    let bytes = state
        .app
        .export_incidents(&user, format, &filter)
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("incidents.{}", format.extension()),
    ))
}

/// An exception of the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Exception {
    pub id: i64,
    /// CODE#KEY (a provision) or a control code.
    pub deviation: String,
    pub reason: String,
    pub compensating: String,
    pub unit_name: Option<String>,
    pub scope_units: Vec<i64>,
    pub scope_systems: Vec<i64>,
    pub scope_assets: Vec<i64>,
    pub starts_on: String,
    pub ends_on: String,
    /// pending, approved, refused, withdrawn, or expired (approved, past its end).
    pub state: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    /// The exception this one renews.
    pub renews: Option<i64>,
    pub revision: i64,
}

fn ids(s: &str) -> Vec<i64> {
    s.split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn exception_wire(e: ExceptionRecord, today: &str) -> Exception {
    Exception {
        state: shown_state(&e, today),
        id: e.id,
        scope_units: ids(&e.scope_units),
        scope_systems: ids(&e.scope_systems),
        scope_assets: ids(&e.scope_assets),
        deviation: e.deviation,
        reason: e.reason,
        compensating: e.compensating,
        unit_name: e.unit_name,
        starts_on: e.starts_on,
        ends_on: e.ends_on,
        requested_by: e.requester_name,
        decided_by: e.decider_name,
        decided_at: e.decided_at,
        decision_note: e.decision_note,
        renews: e.renewed_from,
        revision: e.revision,
    }
}

/// Filters of the exceptions register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExceptionQuery {
    #[param(pattern = "^(pending|approved|refused|withdrawn)?$")]
    pub state: Option<String>,
}

impl ExceptionQuery {
    /// The register's filter, a value outside the document's refused (400):
    /// the list and its export read it alike.
    fn filter(&self) -> ApiResult<ExceptionFilter> {
        Ok(ExceptionFilter {
            state: one_of("state", &self.state, &ExceptionState::codes())?,
            ..Default::default()
        })
    }
}

#[utoipa::path(get, path = "/exceptions", tag = "operations", security(("bearer" = [])), params(ExceptionQuery, Paging),
    responses((status = 200, body = Collection<Exception>)))]
pub async fn exceptions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ExceptionQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Exception>>> {
    let filter = q.filter()?;
    let page = state
        .app
        .list_exceptions(&user, &filter, paging.request())
        .await
        .map_err(json_err)?;
    let day = today();
    Ok(Json(Collection {
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|e| exception_wire(e, &day))
            .collect(),
    }))
}

/// A request for an exception.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ExceptionBody {
    /// CODE#KEY (a provision of a policy document) or a control code.
    pub deviation: String,
    pub reason: String,
    pub compensating: String,
    #[serde(default)]
    pub scope_units: Vec<i64>,
    #[serde(default)]
    pub scope_systems: Vec<i64>,
    #[serde(default)]
    pub scope_assets: Vec<i64>,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub starts_on: String,
    /// YYYY-MM-DD, required.
    #[serde(default)]
    pub ends_on: String,
}

impl From<ExceptionBody> for ExceptionForm {
    fn from(b: ExceptionBody) -> Self {
        ExceptionForm {
            deviation: b.deviation,
            reason: b.reason,
            compensating: b.compensating,
            scope_units: b.scope_units,
            scope_systems: b.scope_systems,
            scope_assets: b.scope_assets,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
        }
    }
}

#[utoipa::path(post, path = "/exceptions", tag = "operations", security(("bearer" = [])),
    request_body = ExceptionBody,
    responses((status = 201, body = Exception), (status = 422, body = crate::error::ErrorBody)))]
pub async fn request_exception(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ExceptionBody>,
) -> ApiResult<(StatusCode, Json<Exception>)> {
    let day = today();
    let e = state
        .app
        .request_exception(&user, &b.into(), &day)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(exception_wire(e, &day))))
}

#[utoipa::path(get, path = "/exceptions/{id}", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Exception), (status = 404, body = crate::error::ErrorBody)))]
pub async fn exception(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Exception>> {
    let day = today();
    let v: ExceptionView = state
        .app
        .exception_view(&user, id, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(exception_wire(v.exception, &day)))
}

/// A decision on an exception.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DecisionBody {
    pub revision: i64,
    /// approve or refuse.
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Approves or refuses a pending exception: the CISO or 統括情報セキュリティ責任者, never the requester.
#[utoipa::path(post, path = "/exceptions/{id}/decision", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = Exception), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<Json<Exception>> {
    let e = state
        .app
        .decide_exception(&user, id, b.revision, &b.decision, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(exception_wire(e, &today())))
}

/// Asks to renew an approved exception (a new request naming it).
#[utoipa::path(post, path = "/exceptions/{id}/renewal", tag = "operations", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ExceptionBody,
    responses((status = 201, body = Exception), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn renew(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExceptionBody>,
) -> ApiResult<(StatusCode, Json<Exception>)> {
    let day = today();
    let e = state
        .app
        .renew_exception(&user, id, &b.into(), &day)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(exception_wire(e, &day))))
}

/// Approved exceptions ending within 30 days (or ended), soonest first.
#[utoipa::path(get, path = "/exceptions/expiring", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = Vec<Exception>)))]
pub async fn expiring(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Exception>>> {
    let day = today();
    let list = state
        .app
        .expiring_exceptions(&user, &day)
        .await
        .map_err(json_err)?;
    Ok(Json(
        list.into_iter().map(|e| exception_wire(e, &day)).collect(),
    ))
}

#[utoipa::path(get, path = "/exceptions/export", tag = "operations", security(("bearer" = [])), params(FormatQuery, ExceptionQuery),
    responses((status = 200, description = "the exceptions the caller may read that the filters select (as `GET /exceptions` with them, every page), as .xlsx or .csv"),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn export_exceptions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(f): ApiQuery<ExceptionQuery>,
) -> ApiResult<Response> {
    let format = export_format(&q)?;
    let filter = f.filter()?;
    let bytes = state
        .app
        .export_exceptions(&user, format, &filter, &today())
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("exceptions.{}", format.extension()),
    ))
}

/// A report owed, with its incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwedFor {
    pub incident_id: i64,
    pub incident_title: String,
    #[serde(flatten)]
    pub report: Owed,
}

/// What needs the caller now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttentionList {
    /// Open incidents the caller may read, the most serious first.
    pub incidents: Vec<Incident>,
    /// Reports owed and not sent (for incidents the caller handles), soonest first.
    pub reports: Vec<OwedFor>,
    pub overdue: usize,
    /// Exceptions the caller may decide.
    pub pending_exceptions: Vec<Exception>,
    /// Approved exceptions ending within 30 days or ended.
    pub expiring_exceptions: Vec<Exception>,
    // --- ops2 ---
    /// Permissions the caller may decide.
    pub pending_permissions: Vec<super::ops2::Permission>,
    /// Granted permissions past their end, not returned.
    pub overdue_permissions: Vec<super::ops2::Permission>,
    /// Contracts lacking required clauses (for those who read contractors).
    pub contracts_missing_clauses: Vec<super::ops2::Contract>,
    /// Contractors never assessed or due for assessment.
    pub contractors_due: Vec<super::ops2::Contractor>,
}

fn attention_wire(a: Attention, today: &str) -> AttentionList {
    AttentionList {
        incidents: a.incidents.into_iter().map(Into::into).collect(),
        reports: a
            .reports
            .into_iter()
            .map(|o| OwedFor {
                incident_id: o.incident_id,
                incident_title: o.incident_title,
                report: o.report.into(),
            })
            .collect(),
        overdue: a.overdue,
        pending_exceptions: a
            .pending_exceptions
            .into_iter()
            .map(|e| exception_wire(e, today))
            .collect(),
        expiring_exceptions: a
            .expiring_exceptions
            .into_iter()
            .map(|e| exception_wire(e, today))
            .collect(),
        pending_permissions: a
            .pending_permissions
            .into_iter()
            .map(|p| super::ops2::permission_wire(p, today))
            .collect(),
        overdue_permissions: a
            .overdue_permissions
            .into_iter()
            .map(|p| super::ops2::permission_wire(p, today))
            .collect(),
        contracts_missing_clauses: a
            .outsourcing
            .contracts_missing
            .into_iter()
            .map(super::ops2::contract_wire)
            .collect(),
        contractors_due: a
            .outsourcing
            .contractors_due
            .into_iter()
            .map(Into::into)
            .collect(),
    }
}

#[utoipa::path(get, path = "/attention", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = AttentionList)))]
pub async fn attention(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<AttentionList>> {
    let day = today();
    let a = state.app.attention(&user, &day).await.map_err(json_err)?;
    Ok(Json(attention_wire(a, &day)))
}
