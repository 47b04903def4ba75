//! Audits (監査; issue 14 part 2) as pages: the programme with its yearly
//! plans and audits at /audits/programme (create a programme, an audit in a
//! plan or, for the CISO, outside it), one audit at /audits/{id} with its
//! auditors and the results its auditors record.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::audit_programmes::{
    AUDIT_RESULTS, AUDIT_STATUSES, AuditForm, AuditView, AuditorForm, ProgrammeView, ResultForm,
};
use mamori_store::PageRequest;
use mamori_store::audit_programmes::AuditRow;
use tower_sessions::Session;

use super::ops::{read_fields, refused_keeping, settled};
use super::{Chrome, flash};
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

const SECTION: &str = "audits";

fn status_name(t: &T, code: &str) -> String {
    match mamori_core::audit::audit_status_name(code) {
        Some((ja, en)) => t.pick(ja, en).to_string(),
        None => code.to_string(),
    }
}

fn result_name(t: &T, code: &str) -> String {
    mamori_core::audit::audit_result_name(code)
        .map(|(ja, en)| t.pick(ja, en).to_string())
        .unwrap_or_default()
}

/// An audit as a line of the programme page.
pub struct AuditLine {
    pub a: AuditRow,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/programme.html")]
pub struct ProgrammePage {
    chrome: Chrome,
    programmes: Vec<ProgrammeView>,
    audits: Vec<AuditLine>,
    may_manage: bool,
    may_order: bool,
    units: Vec<(i64, String)>,
    templates: Vec<(i64, String)>,
    // --- h14 ---
    /// (user id, name（unit）) of the people who may be chosen as auditors.
    auditors: Vec<(i64, String)>,
}

pub async fn programme(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ProgrammePage> {
    let t = T { lang };
    let programmes = state.app.programmes(&user).await?;
    let audits = state
        .app
        .audits(&user, None, PageRequest::new(Some(1), Some(200)))
        .await?
        .items
        .into_iter()
        .map(|a| AuditLine {
            status: status_name(&t, &a.status),
            a,
        })
        .collect();
    let units = state
        .app
        .unit_choices(&user)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let templates = state
        .app
        .checklist_list(&user, PageRequest::new(Some(1), Some(200)))
        .await?
        .items
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let may_add = state.app.may_manage_audits(&user) || state.app.may_order_audit(&user);
    let auditors = if may_add {
        state
            .app
            .auditor_choices(&user)
            .await?
            .into_iter()
            .map(|p| {
                let unit = match lang {
                    Lang::En => p.unit_name_en.filter(|n| !n.is_empty()).or(p.unit_name),
                    _ => p.unit_name,
                };
                let label = match unit {
                    Some(u) => format!("{}（{u}）", p.display_name),
                    None => p.display_name,
                };
                (p.id, label)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ProgrammePage {
        auditors,
        chrome: Chrome::new(
            &state,
            &session,
            lang,
            Some(&user),
            "/audits/programme",
            SECTION,
        )
        .await?,
        may_manage: state.app.may_manage_audits(&user),
        may_order: state.app.may_order_audit(&user),
        programmes,
        audits,
        units,
        templates,
    })
}

pub async fn create_programme(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let year = |name: &str| f.get(name).trim().parse().unwrap_or(0);
    let outcome = state
        .app
        .create_programme(
            &user,
            &f.get("title"),
            year("first_year"),
            year("last_year"),
        )
        .await;
    settled(
        &session,
        lang,
        outcome,
        "監査計画を作成しました",
        "Programme created",
    )
    .await?;
    Ok(Redirect::to("/audits/programme").into_response())
}

pub async fn create_audit(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let opt = |name: &str| {
        let v = f.get(name);
        let v = v.trim();
        (!v.is_empty()).then(|| v.parse().unwrap_or(-1))
    };
    let mut auditors = Vec::new();
    if let Some(u) = opt("auditor_user") {
        auditors.push(AuditorForm {
            user_id: Some(u),
            ..Default::default()
        });
    }
    for u in f.ids("auditor_users") {
        auditors.push(AuditorForm {
            user_id: Some(u),
            ..Default::default()
        });
    }
    if !f.get("external_name").trim().is_empty() {
        auditors.push(AuditorForm {
            user_id: None,
            name: f.get("external_name"),
            firm: f.get("external_firm"),
        });
    }
    let form = AuditForm {
        plan_id: opt("plan_id"),
        title: f.get("title"),
        scope_units: f.ids("scope_units"),
        scope_systems: f.ids("scope_systems"),
        scope_chapters: f.ids("scope_chapters"),
        period_from: f.get("period_from"),
        period_to: f.get("period_to"),
        template_id: opt("template_id"),
        auditors,
    };
    match state.app.create_audit(&user, &form).await {
        Ok(a) => {
            flash(
                &session,
                T { lang }.pick("監査を登録しました", "Audit created"),
            )
            .await;
            Ok(Redirect::to(&format!("/audits/{}", a.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/audits/programme").await?;
            Ok(Redirect::to("/audits/programme").into_response())
        }
    }
}

/// An item with its result in words.
pub struct ResultLine {
    pub r: mamori_store::audit_programmes::ResultRow,
    pub result: String,
    /// The evidence files and links attached to this item's result.
    pub evidence: Vec<mamori_store::controls::EvidenceRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/audit.html")]
pub struct AuditPage {
    chrome: Chrome,
    v: AuditView,
    status: String,
    lines: Vec<ResultLine>,
    statuses: Vec<(&'static str, String)>,
    results: Vec<(&'static str, String)>,
}

pub async fn audit(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<AuditPage> {
    let t = T { lang };
    let v = state.app.audit_view(&user, id).await?;
    let lines = v
        .results
        .iter()
        .map(|r| ResultLine {
            result: r
                .result
                .as_deref()
                .map(|c| result_name(&t, c))
                .unwrap_or_default(),
            evidence: v
                .evidence
                .iter()
                .filter(|e| e.item_id == r.item_id)
                .map(|e| e.evidence.clone())
                .collect(),
            r: r.clone(),
        })
        .collect();
    Ok(AuditPage {
        chrome: Chrome::new(
            &state,
            &session,
            lang,
            Some(&user),
            &format!("/audits/{id}"),
            SECTION,
        )
        .await?,
        status: status_name(&t, &v.audit.status),
        statuses: AUDIT_STATUSES
            .iter()
            .map(|c| (*c, status_name(&t, c)))
            .collect(),
        results: AUDIT_RESULTS
            .iter()
            .map(|c| (*c, result_name(&t, c)))
            .collect(),
        lines,
        v,
    })
}

pub async fn set_status(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let outcome = state
        .app
        .set_audit_status(&user, id, revision, &f.get("status"))
        .await;
    settled(
        &session,
        lang,
        outcome,
        "状態を変更しました",
        "Status changed",
    )
    .await?;
    Ok(Redirect::to(&format!("/audits/{id}")).into_response())
}

pub async fn record_result(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = ResultForm {
        item_id: f.get("item_id").trim().parse().unwrap_or(-1),
        result: f.get("result"),
        evidence: f.get("evidence"),
        evidence_link: f.get("evidence_link"),
        raise_finding: !f.get("raise_finding").is_empty(),
        severity: f.get("severity"),
        unit_id: None,
    };
    let outcome = state.app.record_audit_result(&user, id, &form).await;
    settled(
        &session,
        lang,
        outcome,
        "結果を記録しました",
        "Result recorded",
    )
    .await?;
    Ok(Redirect::to(&format!("/audits/{id}")).into_response())
}

/// An auditor attaches a file or a link seen to an item's result (multipart:
/// csrf, item, file, url, note).
pub async fn attach_evidence(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let f = super::controls::evidence_form(&session, form).await?;
    let item_id = f.item()?;
    let row = state
        .app
        .attach_audit_evidence(&user, id, item_id, f.upload, &f.note)
        .await?;
    super::controls::evidence_flash(&session, lang, &row).await;
    Ok(Redirect::to(&format!("/audits/{id}")).into_response())
}
