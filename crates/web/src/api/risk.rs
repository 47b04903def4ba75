//! Risk analysis and treatment (第7, 第11) over the API: the register (with
//! the same filters and paging as the page), one risk, the assets sharing it,
//! treatments and the approval of acceptances, the matrices, and the security
//! office's decisions on an asset's or system's threats.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mamori_app::risk::{AssetThreat, ControlState, MatrixView, RiskDetail, TreatmentInput};
use mamori_core::risk::{Band, LevelLabel, Matrix};
use mamori_store::risk::{
    HeatCell, ProfileAsset, RiskFilter, RiskRow, RiskSortKey, ThreatDecisionRow, Treatment,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// One risk of the register: a threat to the assets of one profile (assets
/// alike in kind, levels, segment, unit, system and flags).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Risk {
    pub id: i64,
    pub threat: String,
    pub unit_id: i64,
    pub unit_name: Option<String>,
    /// How many assets share it.
    pub assets: i64,
    /// 重要度 1–3.
    pub importance: i64,
    pub impact: i64,
    pub likelihood: i64,
    pub residual_likelihood: i64,
    pub inherent_value: i64,
    pub residual_value: i64,
    /// The band of the residual value in the active matrix.
    pub band: String,
    /// Share of the countering controls carried out, 0–100.
    pub control_effect: i64,
    /// none, reduce, accept, transfer, avoid.
    pub treatment: String,
    /// none, planned, pending, accepted, revoked.
    pub treatment_state: String,
    pub kind: String,
    pub label: String,
    pub system_id: Option<i64>,
    pub system_name: Option<String>,
    pub personal_info: bool,
    pub my_number: bool,
    pub location_kind: String,
}

impl From<RiskRow> for Risk {
    fn from(r: RiskRow) -> Self {
        Risk {
            id: r.id,
            label: format!(
                "C{}-I{}-A{}",
                r.confidentiality, r.integrity, r.availability
            ),
            threat: r.threat_code,
            unit_id: r.owner_unit_id,
            unit_name: r.unit_name,
            assets: r.asset_count,
            importance: r.importance,
            impact: r.impact,
            likelihood: r.likelihood,
            residual_likelihood: r.residual_likelihood,
            inherent_value: r.inherent_value,
            residual_value: r.residual_value,
            band: r.band,
            control_effect: r.control_effect,
            treatment: r.treatment,
            treatment_state: r.treatment_state,
            kind: r.kind,
            system_id: r.system_id,
            system_name: r.system_name,
            personal_info: r.personal_info,
            my_number: r.my_number,
            location_kind: r.location_kind,
        }
    }
}

/// A control countering a threat, with its status where the assets are.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CounterControl {
    pub code: String,
    pub name: String,
    /// implemented, partial, not_implemented, not_applicable; null: none recorded.
    pub state: Option<String>,
    /// system, unit or city.
    pub scope: Option<String>,
}

impl From<ControlState> for CounterControl {
    fn from(c: ControlState) -> Self {
        CounterControl {
            code: c.code,
            name: c.name,
            state: c.state,
            scope: c.scope,
        }
    }
}

/// The treatment of a risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskTreatment {
    pub option: String,
    pub state: String,
    pub owner_user_id: i64,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub controls: Vec<String>,
    pub note: String,
    pub requested_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub expires_on: Option<String>,
    pub revoked_at: Option<String>,
    pub revoke_reason: String,
    /// Send it back with a change: a stale one is refused (409).
    pub revision: i64,
}

impl From<Treatment> for RiskTreatment {
    fn from(t: Treatment) -> Self {
        RiskTreatment {
            option: t.option,
            state: t.state,
            owner_user_id: t.owner_user_id,
            owner_name: t.owner_name,
            due_on: t.due_on,
            controls: t.controls.split_whitespace().map(str::to_string).collect(),
            note: t.note,
            requested_by: t.requester_name,
            approved_by: t.approver_name,
            approved_at: t.approved_at,
            expires_on: t.expires_on,
            revoked_at: t.revoked_at,
            revoke_reason: t.revoke_reason,
            revision: t.revision,
        }
    }
}

/// One risk in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskInFull {
    #[serde(flatten)]
    pub risk: Risk,
    pub threat_name: String,
    pub controls: Vec<CounterControl>,
    /// The treatment decided, in full (the `treatment` of the row is its kind).
    pub treatment_detail: Option<RiskTreatment>,
    /// Accepting it needs the approval of the CISO or 統括情報セキュリティ責任者.
    pub needs_approval: bool,
}

impl From<RiskDetail> for RiskInFull {
    fn from(d: RiskDetail) -> Self {
        RiskInFull {
            risk: d.row.into(),
            threat_name: d.threat_name,
            controls: d.controls.into_iter().map(Into::into).collect(),
            treatment_detail: d.treatment.map(Into::into),
            needs_approval: d.needs_approval,
        }
    }
}

/// An asset sharing a risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskAsset {
    pub id: i64,
    pub name: String,
    pub label: String,
    pub unit_name: Option<String>,
}

impl From<ProfileAsset> for RiskAsset {
    fn from(a: ProfileAsset) -> Self {
        RiskAsset {
            id: a.id,
            name: a.name,
            label: a.label,
            unit_name: a.unit_name,
        }
    }
}

/// A cell of the heat map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeatMapCell {
    pub likelihood: i64,
    pub impact: i64,
    pub risks: i64,
    pub assets: i64,
}

impl From<HeatCell> for HeatMapCell {
    fn from(c: HeatCell) -> Self {
        HeatMapCell {
            likelihood: c.likelihood,
            impact: c.impact,
            risks: c.pairs,
            assets: c.assets,
        }
    }
}

/// Filters and order of the register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskQuery {
    /// A unit and the units below it.
    pub unit: Option<i64>,
    /// A band code of the active matrix (low, medium, high …).
    pub band: Option<String>,
    /// A threat code (T1-01 …).
    pub threat: Option<String>,
    /// none, planned, pending, accepted, revoked.
    pub treatment: Option<String>,
    /// The assets of one information system.
    pub system: Option<i64>,
    /// residual (default), inherent, threat, assets, unit.
    pub sort: Option<String>,
    /// asc or desc (default desc).
    pub order: Option<String>,
}

impl RiskQuery {
    pub fn filter(&self) -> RiskFilter {
        let text = |s: &Option<String>| {
            s.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        RiskFilter {
            unit: self.unit,
            band: text(&self.band),
            threat: text(&self.threat),
            treatment: text(&self.treatment),
            min_value: None,
            system: self.system,
        }
    }
    pub fn sort(&self) -> (RiskSortKey, bool) {
        (
            self.sort
                .as_deref()
                .and_then(RiskSortKey::parse)
                .unwrap_or_default(),
            self.order.as_deref() != Some("asc"),
        )
    }
}

#[utoipa::path(get, path = "/risks", tag = "risk", security(("bearer" = [])), params(RiskQuery, Paging),
    responses((status = 200, body = Collection<Risk>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<RiskQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<Risk>>> {
    let (key, desc) = q.sort();
    let (page, _) = state
        .app
        .list_risks(&user, &q.filter(), key, desc, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(page.into()))
}

/// The register under the filter as an .xlsx workbook in the IPA risk
/// sheet's columns (asset, importance, threat, control status, likelihood,
/// risk value, treatment), for the committee. More than 200,000 risks is
/// refused (422): filter first.
#[utoipa::path(get, path = "/risks/export", tag = "risk", security(("bearer" = [])), params(RiskQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<RiskQuery>,
) -> ApiResult<axum::response::Response> {
    let bytes = state
        .app
        .export_risks(&user, &q.filter())
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        mamori_core::table::LedgerFormat::Xlsx.content_type(),
        "risks.xlsx",
    ))
}

#[utoipa::path(get, path = "/risks/heat-map", tag = "risk", security(("bearer" = [])), params(RiskQuery),
    responses((status = 200, body = Vec<HeatMapCell>)))]
pub async fn heat(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<RiskQuery>,
) -> ApiResult<Json<Vec<HeatMapCell>>> {
    let cells = state
        .app
        .risk_heat(&user, &q.filter())
        .await
        .map_err(json_err)?;
    Ok(Json(cells.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/risks/{id}", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RiskInFull), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RiskInFull>> {
    Ok(Json(
        state.app.risk(&user, id).await.map_err(json_err)?.into(),
    ))
}

#[utoipa::path(get, path = "/risks/{id}/assets", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path), Paging),
    responses((status = 200, body = Collection<RiskAsset>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn assets(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<RiskAsset>>> {
    let page = state
        .app
        .risk_assets(&user, id, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(page.into()))
}

/// How a risk is to be treated.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TreatmentBody {
    /// reduce, accept, transfer or avoid.
    pub option: String,
    /// The person responsible (a user id) ...
    pub owner_user_id: Option<i64>,
    /// ... or their user name or full name (the only active user so named).
    pub owner: Option<String>,
    /// YYYY-MM-DD, not in the past.
    pub due_on: Option<String>,
    /// Codes of the controls the treatment relies on.
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub note: String,
    /// For an acceptance: YYYY-MM-DD, after today.
    pub expires_on: Option<String>,
    /// The revision read (none for a first treatment).
    pub revision: Option<i64>,
}

impl From<TreatmentBody> for TreatmentInput {
    fn from(b: TreatmentBody) -> Self {
        TreatmentInput {
            option: b.option,
            owner_user_id: b.owner_user_id,
            owner: b.owner,
            due_on: b.due_on,
            controls: b.controls,
            note: b.note,
            expires_on: b.expires_on,
            revision: b.revision,
        }
    }
}

/// Sets the treatment. An acceptance above the threshold waits for approval (state pending).
#[utoipa::path(put, path = "/risks/{id}/treatment", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TreatmentBody,
    responses((status = 200, body = RiskTreatment), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn treat(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TreatmentBody>,
) -> ApiResult<Json<RiskTreatment>> {
    let t = state
        .app
        .set_treatment(&user, id, &body.into())
        .await
        .map_err(json_err)?;
    Ok(Json(t.into()))
}

/// Approves a pending acceptance: the CISO or 統括情報セキュリティ責任者, never the requester.
#[utoipa::path(post, path = "/risks/{id}/treatment/approve", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RiskTreatment), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RiskTreatment>> {
    let t = state
        .app
        .approve_acceptance(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(t.into()))
}

/// Why an acceptance is revoked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RevokeBody {
    pub reason: String,
}

#[utoipa::path(post, path = "/risks/{id}/treatment/revoke", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RevokeBody,
    responses((status = 200, body = RiskTreatment), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> ApiResult<Json<RiskTreatment>> {
    let t = state
        .app
        .revoke_acceptance(&user, id, &body.reason)
        .await
        .map_err(json_err)?;
    Ok(Json(t.into()))
}

/// An acceptance and its risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Acceptance {
    pub risk: Risk,
    pub treatment: RiskTreatment,
}

/// Acceptances expiring within 30 days (or already expired), soonest first.
#[utoipa::path(get, path = "/risk-acceptances/expiring", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = Vec<Acceptance>)))]
pub async fn expiring(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Acceptance>>> {
    let list = state
        .app
        .expiring_acceptances(&user)
        .await
        .map_err(json_err)?;
    Ok(Json(
        list.into_iter()
            .map(|(r, t)| Acceptance {
                risk: r.into(),
                treatment: t.into(),
            })
            .collect(),
    ))
}

/// Starts recomputing the register in the background (the security office).
#[utoipa::path(post, path = "/risks/recompute", tag = "risk", security(("bearer" = [])),
    responses((status = 202, body = RecomputeState), (status = 403, body = crate::error::ErrorBody)))]
pub async fn recompute(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<(StatusCode, Json<RecomputeState>)> {
    state.app.start_risk_recompute(&user).map_err(json_err)?;
    Ok((StatusCode::ACCEPTED, Json(progress(&state))))
}

/// The state of the background recomputation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecomputeState {
    pub running: bool,
    pub done: u64,
    pub total: u64,
    pub finished_at: Option<String>,
    pub error: Option<String>,
}

fn progress(state: &AppState) -> RecomputeState {
    let p = state.app.risk_progress();
    RecomputeState {
        running: p.running,
        done: p.done,
        total: p.total,
        finished_at: p.finished_at,
        error: p.error,
    }
}

#[utoipa::path(get, path = "/risks/recompute", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = RecomputeState)))]
pub async fn recompute_state(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<RecomputeState>> {
    state.app.risk_matrices(&user).await.map_err(json_err)?;
    Ok(Json(progress(&state)))
}

// --- Matrices ---------------------------------------------------------------

/// A level of likelihood or impact.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixLevel {
    pub label: String,
    #[serde(default)]
    pub label_en: String,
}

/// A band of risk values.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixBand {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    /// #rrggbb
    pub colour: String,
    pub min: u32,
    pub max: u32,
}

/// A risk matrix.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RiskMatrix {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// Accepting a risk above this value needs approval.
    pub approval_above: u32,
    pub likelihood: Vec<MatrixLevel>,
    pub impact: Vec<MatrixLevel>,
    pub bands: Vec<MatrixBand>,
    /// Shipped with Mamori (read-only).
    #[serde(default)]
    pub builtin: bool,
    /// In force.
    #[serde(default)]
    pub active: bool,
}

fn level(l: LevelLabel) -> MatrixLevel {
    MatrixLevel {
        label: l.label,
        label_en: l.label_en,
    }
}

impl From<MatrixView> for RiskMatrix {
    fn from(v: MatrixView) -> Self {
        let m = v.matrix;
        RiskMatrix {
            code: m.code,
            name: m.name,
            name_en: m.name_en,
            approval_above: m.approval_above,
            likelihood: m.likelihood.into_iter().map(level).collect(),
            impact: m.impact.into_iter().map(level).collect(),
            bands: m
                .bands
                .into_iter()
                .map(|b| MatrixBand {
                    code: b.code,
                    label: b.label,
                    label_en: b.label_en,
                    colour: b.colour,
                    min: b.min,
                    max: b.max,
                })
                .collect(),
            builtin: v.builtin,
            active: v.active,
        }
    }
}

impl From<RiskMatrix> for Matrix {
    fn from(m: RiskMatrix) -> Self {
        let lv = |l: MatrixLevel| LevelLabel {
            label: l.label,
            label_en: l.label_en,
        };
        Matrix {
            code: m.code,
            name: m.name,
            name_en: m.name_en,
            approval_above: m.approval_above,
            likelihood: m.likelihood.into_iter().map(lv).collect(),
            impact: m.impact.into_iter().map(lv).collect(),
            bands: m
                .bands
                .into_iter()
                .map(|b| Band {
                    code: b.code,
                    label: b.label,
                    label_en: b.label_en,
                    colour: b.colour,
                    min: b.min,
                    max: b.max,
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/risk-matrices", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = Collection<RiskMatrix>)))]
pub async fn matrices(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Collection<RiskMatrix>>> {
    let all = state.app.risk_matrices(&user).await.map_err(json_err)?;
    Ok(Json(Collection::all(all)))
}

/// Adds a matrix of the city's: every bad field at once (a gap or overlap of
/// the bands, a missing label, a bad colour …).
#[utoipa::path(post, path = "/risk-matrices", tag = "risk", security(("bearer" = [])), request_body = RiskMatrix,
    responses((status = 201, body = RiskMatrix), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_matrix(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RiskMatrix>,
) -> ApiResult<(StatusCode, Json<RiskMatrix>)> {
    let mut out = body.clone();
    state
        .app
        .create_risk_matrix(&user, &body.into())
        .await
        .map_err(json_err)?;
    out.builtin = false;
    out.active = false;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Puts a matrix in force; the register is recomputed in the background.
#[utoipa::path(post, path = "/risk-matrices/{code}/activate", tag = "risk", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn activate_matrix(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .app
        .activate_risk_matrix(&user, &code)
        .await
        .map_err(json_err)?;
    Ok(StatusCode::NO_CONTENT)
}

// --- Threats of an asset or system -----------------------------------------------

/// A decision of the security office on one threat.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThreatDecisionWire {
    pub threat: String,
    /// confirm, add or dismiss.
    pub decision: String,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

impl From<ThreatDecisionRow> for ThreatDecisionWire {
    fn from(d: ThreatDecisionRow) -> Self {
        ThreatDecisionWire {
            threat: d.threat_code,
            decision: d.decision,
            reason: d.reason,
            decided_by: d.decided_by,
            decided_at: d.decided_at,
        }
    }
}

/// A threat of an asset with the controls countering it and its risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetThreatWire {
    pub threat: String,
    pub name: String,
    pub by_rule: bool,
    pub applies: bool,
    pub decision: Option<ThreatDecisionWire>,
    pub controls: Vec<CounterControl>,
    pub risk: Option<Risk>,
}

impl From<AssetThreat> for AssetThreatWire {
    fn from(t: AssetThreat) -> Self {
        AssetThreatWire {
            threat: t.code,
            name: t.name,
            by_rule: t.by_rule,
            applies: t.applies,
            decision: t.decision.map(Into::into),
            controls: t.controls.into_iter().map(Into::into).collect(),
            risk: t.risk.map(Into::into),
        }
    }
}

/// A decision to record.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ThreatDecisionBody {
    pub threat: String,
    /// confirm, add or dismiss.
    pub decision: String,
    pub reason: String,
}

#[utoipa::path(get, path = "/assets/{id}/threats", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AssetThreatWire>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn asset_threats(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<AssetThreatWire>>> {
    let list = state.app.asset_threats(&user, id).await.map_err(json_err)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/assets/{id}/threats", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ThreatDecisionBody,
    responses((status = 201, body = ThreatDecisionWire), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide_asset_threat(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ThreatDecisionBody>,
) -> ApiResult<(StatusCode, Json<ThreatDecisionWire>)> {
    let d = state
        .app
        .decide_threat(&user, "asset", id, &b.threat, &b.decision, &b.reason)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[utoipa::path(post, path = "/information-systems/{id}/threats", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ThreatDecisionBody,
    responses((status = 201, body = ThreatDecisionWire), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide_system_threat(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ThreatDecisionBody>,
) -> ApiResult<(StatusCode, Json<ThreatDecisionWire>)> {
    let d = state
        .app
        .decide_threat(&user, "system", id, &b.threat, &b.decision, &b.reason)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(d.into())))
}
