//! Audits and self-inspections (第10) over the API: checklist templates and
//! their items, self-inspection campaigns, each unit's questionnaire (answers
//! saved with a revision, submission, return, the offline .xlsx), reminders
//! and the results. Every decision is the operation's
//! (crates/app/src/audits.rs).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::audits::{AnswerForm, ChecklistForm, InspectionForm, ItemForm};
use mamori_app::controls::EvidenceUpload;
use mamori_core::audit::TargetState;
use mamori_store::audits::{
    AnswerEvidence, AnswerRow, CampaignTotals, ChecklistItem, ChecklistRow, InspectionRow,
    ScoreRow, TargetRow,
};
use serde::{Deserialize, Serialize};

use super::controls::{EvidenceQuery, LinkBody};
use super::{ApiBody, ApiJson, ApiPath, ApiQuery, ApiResult, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A page of checklist templates.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChecklistPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ChecklistRow>,
    pub total: i64,
}

#[utoipa::path(get, path = "/checklists", tag = "audits", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = ChecklistPage)))]
pub async fn checklists(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<ChecklistPage>> {
    let page = state
        .app
        .checklist_list(&user, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(ChecklistPage {
        items: page.items,
        total: page.total,
    }))
}

/// A new template, its items drawn from the control catalogue.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ChecklistBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// Where the items come from: controls (the control catalogue).
    #[serde(default)]
    #[schema(pattern = "^(controls)?$")]
    source: String,
    /// The standards chapters whose controls become items (empty: all).
    #[serde(default)]
    chapters: Vec<i64>,
    /// Whether the items are mandatory (each can be changed after).
    #[serde(default)]
    mandatory: bool,
}

#[utoipa::path(post, path = "/checklists", tag = "audits", security(("bearer" = [])), request_body = ChecklistBody,
    responses((status = 201, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_checklist(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<ChecklistBody>,
) -> ApiResult<(StatusCode, Json<ChecklistRow>)> {
    let form = ChecklistForm {
        name: b.name,
        description: b.description,
        source: b.source,
        chapters: b.chapters,
        mandatory: b.mandatory,
    };
    let made = state
        .app
        .create_checklist(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// A checklist with its items.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChecklistDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub checklist: ChecklistRow,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ChecklistItem>,
}

#[utoipa::path(get, path = "/checklists/{id}", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ChecklistDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn checklist(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ChecklistDetail>> {
    let v = state
        .app
        .checklist_view(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(ChecklistDetail {
        checklist: v.checklist,
        items: v.items,
    }))
}

/// One item of a template, and the checklist's revision read.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ItemBody {
    revision: Option<i64>,
    /// control:CODE.
    #[serde(default)]
    provision: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    mandatory: bool,
    /// What evidence to look for.
    #[serde(default)]
    evidence_hint: String,
    /// interview, document, on_site or technical.
    #[serde(default)]
    #[schema(pattern = "^(interview|document|on_site|technical)?$")]
    method: String,
    /// The answers allowed (done, partial, not_done, not_applicable; empty: all).
    #[serde(default)]
    answers: Vec<String>,
}

impl ItemBody {
    fn form(&self) -> ItemForm {
        ItemForm {
            provision: self.provision.clone(),
            question: self.question.clone(),
            mandatory: self.mandatory,
            evidence_hint: self.evidence_hint.clone(),
            method: self.method.clone(),
            answers: self.answers.clone(),
        }
    }
}

fn revision_of(revision: Option<i64>) -> ApiResult<i64> {
    revision.ok_or_else(|| {
        json_err(mamori_app::Error::problem(
            mamori_core::problem::Problem::new("MAMORI-REQUIRED")
                .field("revision")
                .with("label", "版数 / revision"),
        ))
    })
}

#[utoipa::path(post, path = "/checklists/{id}/items", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ItemBody,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "stale revision, or the checklist is frozen", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<Json<ChecklistRow>> {
    let revision = revision_of(b.revision)?;
    let saved = state
        .app
        .save_checklist_item(&user, id, revision, None, &b.form())
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

#[utoipa::path(put, path = "/checklists/{id}/items/{position}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("position" = i64, Path)), request_body = ItemBody,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "stale revision, or the checklist is frozen", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, position)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<Json<ChecklistRow>> {
    let revision = revision_of(b.revision)?;
    let saved = state
        .app
        .save_checklist_item(&user, id, revision, Some(position), &b.form())
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

// ------------------------------------------------------------ campaigns

#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<InspectionRow>,
    pub total: i64,
}

#[utoipa::path(get, path = "/self-inspections", tag = "audits", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = InspectionPage)))]
pub async fn inspections(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<InspectionPage>> {
    let page = state
        .app
        .inspection_list(&user, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(InspectionPage {
        items: page.items,
        total: page.total,
    }))
}

/// A campaign to open: the template (copied and frozen), the units (or
/// systems) it covers, the deadline (YYYY-MM-DD).
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct InspectionBody {
    #[serde(default)]
    title: String,
    #[serde(default)]
    checklist_id: i64,
    /// unit or system.
    #[serde(default)]
    #[schema(pattern = "^(unit|system)?$")]
    target_kind: String,
    #[serde(default)]
    target_ids: Vec<i64>,
    #[serde(default)]
    deadline: String,
}

#[utoipa::path(post, path = "/self-inspections", tag = "audits", security(("bearer" = [])), request_body = InspectionBody,
    responses((status = 201, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open_inspection(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<InspectionBody>,
) -> ApiResult<(StatusCode, Json<InspectionRow>)> {
    let form = InspectionForm {
        title: b.title,
        checklist_id: b.checklist_id,
        target_kind: b.target_kind,
        target_ids: b.target_ids,
        deadline: b.deadline,
    };
    let made = state
        .app
        .open_inspection(&user, &form)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// not_started, in_progress or submitted.
    #[param(pattern = "^(not_started|in_progress|submitted)?$")]
    state: Option<String>,
}

/// A campaign with one page of its questionnaires' progress.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub inspection: InspectionRow,
    /// The questionnaires of the page: one per unit (or system).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<TargetRow>,
    /// How many questionnaires the filter matches.
    pub total: i64,
}

fn state_of(text: Option<&str>) -> ApiResult<Option<TargetState>> {
    match text.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            crate::error::AppError::bad_request(format!(
                "state: '{s}' は使えない値です / '{s}' is not a valid value"
            ))
            .as_json()
        }),
    }
}

#[utoipa::path(get, path = "/self-inspections/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), Paging, ProgressQuery),
    responses((status = 200, body = InspectionDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn inspection(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> ApiResult<Json<InspectionDetail>> {
    let filter = state_of(q.state.as_deref())?;
    let v = state
        .app
        .inspection_view(&user, id, filter, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(InspectionDetail {
        inspection: v.inspection,
        items: v.targets.items,
        total: v.targets.total,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Reminded {
    /// How many questionnaires not yet submitted were reminded.
    pub reminded: u64,
}

#[utoipa::path(post, path = "/self-inspections/{id}/remind", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Reminded), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remind(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Reminded>> {
    let reminded = state
        .app
        .remind_inspection(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(Reminded { reminded }))
}

/// The figures of a campaign. Scores are percentages of the points possible
/// (実施 2, 一部実施 1, 未実施 0; 対象外 left out).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Results {
    #[schema(value_type = Object)]
    pub inspection: InspectionRow,
    #[schema(value_type = Object)]
    pub totals: CampaignTotals,
    pub score: Option<f64>,
    #[schema(value_type = Vec<Object>)]
    pub chapters: Vec<ScoreRow>,
    #[schema(value_type = Vec<Object>)]
    pub weakest_items: Vec<ScoreRow>,
    /// The previous campaign of the same template: its id and score.
    pub previous_id: Option<i64>,
    pub previous_score: Option<f64>,
}

#[utoipa::path(get, path = "/self-inspections/{id}/results", tag = "audits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Results), (status = 404, body = crate::error::ErrorBody)))]
pub async fn results(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Results>> {
    let v = state
        .app
        .inspection_results(&user, id)
        .await
        .map_err(json_err)?;
    Ok(Json(Results {
        score: mamori_core::audit::percent(v.totals.points, v.totals.applicable),
        previous_id: v.previous.as_ref().map(|p| p.0.id),
        previous_score: v
            .previous
            .as_ref()
            .and_then(|p| mamori_core::audit::percent(p.1.points, p.1.applicable)),
        inspection: v.inspection,
        totals: v.totals,
        chapters: v.chapters,
        weakest_items: v.weakest,
    }))
}

/// A unit's (or system's) questionnaire: the items and the answers saved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Questionnaire {
    #[schema(value_type = Object)]
    pub inspection: InspectionRow,
    #[schema(value_type = Object)]
    pub questionnaire: TargetRow,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ChecklistItem>,
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<AnswerRow>,
    /// The evidence attached to the answers (item_id and the evidence;
    /// files are downloaded from `/evidence/{id}`).
    #[schema(value_type = Vec<Object>)]
    pub evidence: Vec<AnswerEvidence>,
}

#[utoipa::path(get, path = "/self-inspections/{id}/units/{unit_id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path, description = "the unit's id (a system's id for a campaign over systems)")),
    responses((status = 200, body = Questionnaire), (status = 404, body = crate::error::ErrorBody)))]
pub async fn questionnaire(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Questionnaire>> {
    let v = state
        .app
        .questionnaire(&user, id, unit)
        .await
        .map_err(json_err)?;
    let mut answers: Vec<AnswerRow> = v.answers.into_values().collect();
    answers.sort_by_key(|a| a.item_id);
    Ok(Json(Questionnaire {
        inspection: v.inspection,
        questionnaire: v.target,
        items: v.items,
        answers,
        evidence: v.evidence,
    }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct AnswerItem {
    item_id: i64,
    /// done, partial, not_done or not_applicable.
    #[serde(default)]
    #[schema(pattern = "^(done|partial|not_done|not_applicable)?$")]
    answer: String,
    #[serde(default)]
    comment: String,
}

/// Answers to save, and the questionnaire's revision read.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct AnswersBody {
    revision: Option<i64>,
    #[serde(default)]
    answers: Vec<AnswerItem>,
}

#[utoipa::path(put, path = "/self-inspections/{id}/units/{unit_id}/answers", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = AnswersBody,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "stale revision, submitted, or past the deadline", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_answers(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<AnswersBody>,
) -> ApiResult<Json<TargetRow>> {
    let revision = revision_of(b.revision)?;
    let forms: Vec<AnswerForm> = b
        .answers
        .into_iter()
        .map(|a| AnswerForm {
            item_id: a.item_id,
            answer: a.answer,
            comment: a.comment,
        })
        .collect();
    let saved = state
        .app
        .save_answers(&user, id, unit, revision, &forms)
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct SubmitBody {
    revision: Option<i64>,
}

#[utoipa::path(post, path = "/self-inspections/{id}/units/{unit_id}/submit", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = SubmitBody,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<SubmitBody>,
) -> ApiResult<Json<TargetRow>> {
    let revision = revision_of(b.revision)?;
    let saved = state
        .app
        .submit_answers(&user, id, unit, revision)
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ReturnBody {
    /// What to correct.
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/self-inspections/{id}/units/{unit_id}/return", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = ReturnBody,
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn return_answers(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<ReturnBody>,
) -> ApiResult<Json<TargetRow>> {
    let saved = state
        .app
        .return_answers(&user, id, unit, &b.note)
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

#[utoipa::path(get, path = "/self-inspections/{id}/units/{unit_id}/questionnaire.xlsx", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path)),
    responses((status = 200, description = "the questionnaire as .xlsx, one row per item, answers as drop-down lists"),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn questionnaire_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let (bytes, name) = state
        .app
        .questionnaire_workbook(&user, id, unit)
        .await
        .map_err(json_err)?;
    Ok(super::controls::file_response(
        bytes,
        XLSX,
        "questionnaire.xlsx",
        &name,
    ))
}

#[utoipa::path(post, path = "/self-inspections/{id}/units/{unit_id}/questionnaire.xlsx", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path)),
    request_body(content = Vec<u8>, description = "the filled-in .xlsx questionnaire", content_type = "application/octet-stream"),
    responses((status = 200, body = Object, description = "every answer taken"), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, description = "nothing taken: every problem by row and column", body = crate::error::ErrorBody)))]
pub async fn upload_questionnaire(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit)): ApiPath<(i64, i64)>,
    body: Bytes,
) -> ApiResult<Json<TargetRow>> {
    let saved = state
        .app
        .upload_questionnaire(&user, id, unit, &body)
        .await
        .map_err(json_err)?;
    Ok(Json(saved))
}

/// Attaches an evidence file to the answer of an item (the body, any type;
/// empty or over the limit refused) while the questionnaire may be answered;
/// its SHA-256 is written into the event log.
#[utoipa::path(post, path = "/self-inspections/{id}/units/{unit_id}/answers/{item_id}/evidence", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path), ("item_id" = i64, Path), EvidenceQuery),
    request_body(content = Vec<u8>, description = "the file", content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_answer_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit, item)): ApiPath<(i64, i64, i64)>,
    ApiQuery(q): ApiQuery<EvidenceQuery>,
    headers: axum::http::HeaderMap,
    ApiBody(body): ApiBody,
) -> ApiResult<(StatusCode, Json<mamori_store::controls::EvidenceRow>)> {
    let upload = super::controls::file_upload(&headers, &q, &body);
    let row = state
        .app
        .attach_answer_evidence(
            &user,
            id,
            unit,
            item,
            upload,
            q.note.as_deref().unwrap_or(""),
        )
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Attaches a link (http/https) as evidence of the answer of an item.
#[utoipa::path(post, path = "/self-inspections/{id}/units/{unit_id}/answers/{item_id}/links", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path), ("unit_id" = i64, Path), ("item_id" = i64, Path)),
    request_body = LinkBody,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach_answer_link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, unit, item)): ApiPath<(i64, i64, i64)>,
    ApiJson(b): ApiJson<LinkBody>,
) -> ApiResult<(StatusCode, Json<mamori_store::controls::EvidenceRow>)> {
    let row = state
        .app
        .attach_answer_evidence(
            &user,
            id,
            unit,
            item,
            EvidenceUpload::Link { url: b.url },
            &b.note,
        )
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(row)))
}
