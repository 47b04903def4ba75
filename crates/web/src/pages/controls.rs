//! Pages of the information systems register (第2(2)), the city's own
//! controls, and the status of each control where it applies with its
//! evidence: a unit's (or system's) view of the controls, a control's status
//! across units and systems, the status form, evidence upload and download,
//! and the status workbook. Every decision is the operation's.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::controls::{ControlForm, EvidenceUpload, StatusForm};
use mamori_app::systems::{SystemForm, SystemLine, SystemView};
use mamori_core::control::{Implementation, StatusScope};
use mamori_store::assets::LedgerFormat;
use mamori_store::controls::{ControlRecord, EvidenceRow, ScopedControl, StatusFilter, StatusRow};
use mamori_store::systems::SystemFilter;
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, query_string};
use crate::auth::{Authed, PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// The four states with their words, for selects and filters.
pub struct StateOption {
    pub code: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
}

fn state_options() -> Vec<StateOption> {
    Implementation::ALL
        .iter()
        .map(|i| StateOption {
            code: i.code(),
            ja: i.name_ja(),
            en: i.name_en(),
        })
        .collect()
}

/// The word of a stored state in the reader's language.
pub fn state_word(lang: Lang, code: &str) -> String {
    match code.parse::<Implementation>() {
        Ok(i) => lang.pick(i.name_ja(), i.name_en()).to_string(),
        Err(_) => code.to_string(),
    }
}

fn scope_of(kind: &str, id: Option<i64>) -> Option<StatusScope> {
    match kind {
        "city" => Some(StatusScope::City),
        "unit" | "system" => id.and_then(|id| StatusScope::from_parts(kind, id)),
        _ => None,
    }
}

// --------------------------------------------------------------- systems

#[derive(Template, WebTemplate)]
#[template(path = "controls/systems.html")]
pub struct SystemsPage {
    chrome: Chrome,
    systems: Vec<SystemLine>,
    pager: Pager,
    q: String,
    retired: bool,
    may_manage: bool,
}

#[derive(Deserialize)]
pub struct SystemsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    retired: String,
    #[serde(flatten)]
    page: Paging,
}

pub async fn systems(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<SystemsQuery>,
) -> AppResult<SystemsPage> {
    let request = q.page.request();
    let retired = !q.retired.is_empty();
    let filter = SystemFilter {
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        include_retired: retired,
        ..Default::default()
    };
    let found = state.app.system_list(&user, &filter, request).await?;
    let base = query_string("/systems", &[("q", &q.q), ("retired", &q.retired)]);
    let pager = Pager::new(&T { lang }, &base, request, found.total);
    Ok(SystemsPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &base, "systems").await?,
        systems: found.items,
        pager,
        q: q.q,
        retired,
        may_manage: state.app.may_manage_systems(&user),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/system.html")]
pub struct SystemPage {
    chrome: Chrome,
    v: SystemView,
    /// The highest residual risks of its assets that the reader may see
    /// (第7, 第11), and whether more exist.
    risks: Vec<mamori_store::risk::RiskRow>,
    more_risks: bool,
}

pub async fn system(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<SystemPage> {
    let v = state.app.system_view(&user, id).await?;
    let path = format!("/systems/{id}");
    const SHOWN: u32 = 20;
    let (risks, _) = state
        .app
        .list_risks(
            &user,
            &mamori_store::risk::RiskFilter {
                system: Some(id),
                ..Default::default()
            },
            mamori_store::risk::RiskSortKey::Residual,
            true,
            mamori_store::PageRequest::new(Some(1), Some(SHOWN)),
        )
        .await?;
    Ok(SystemPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "systems").await?,
        v,
        more_risks: risks.total > i64::from(SHOWN),
        risks: risks.items,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/system_form.html")]
pub struct SystemFormPage {
    chrome: Chrome,
    /// 0 for a new system.
    id: i64,
    revision: i64,
    form: SystemForm,
    /// (id, name, selected)
    units: Vec<(i64, String, bool)>,
    segments: Vec<(i64, String, bool)>,
}

#[derive(Deserialize)]
pub struct SystemPost {
    csrf: String,
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    owner_unit_id: String,
    #[serde(default)]
    segment_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    go_live_on: String,
    #[serde(default)]
    ends_on: String,
}

impl SystemPost {
    fn form(&self) -> SystemForm {
        SystemForm {
            code: self.code.clone(),
            name: self.name.clone(),
            owner_unit_id: self.owner_unit_id.trim().parse().ok(),
            segment_id: self.segment_id.trim().parse().ok(),
            description: self.description.clone(),
            vendor: self.vendor.clone(),
            go_live_on: self.go_live_on.clone(),
            ends_on: self.ends_on.clone(),
        }
    }
}

async fn system_form_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    id: i64,
    revision: i64,
    form: SystemForm,
) -> AppResult<SystemFormPage> {
    let units = state
        .app
        .unit_choices(user)
        .await?
        .into_iter()
        .map(|u| {
            let selected = form.owner_unit_id == Some(u.id);
            (u.id, format!("{} {}", u.code, u.name), selected)
        })
        .collect();
    let segments = state
        .app
        .segment_usage(user)
        .await?
        .into_iter()
        .map(|s| {
            let selected = form.segment_id == Some(s.segment.id);
            (s.segment.id, s.segment.name, selected)
        })
        .collect();
    let path = if id == 0 {
        "/systems/new".to_string()
    } else {
        format!("/systems/{id}/edit")
    };
    Ok(SystemFormPage {
        chrome: Chrome::new(state, session, lang, Some(user), &path, "systems").await?,
        id,
        revision,
        form,
        units,
        segments,
    })
}

pub async fn new_system(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<SystemFormPage> {
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::ManageSystems)?;
    system_form_page(&state, &session, lang, &user, 0, 0, SystemForm::default()).await
}

pub async fn create_system(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(p): Form<SystemPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    let made = state.app.create_system(&user, &p.form()).await?;
    flash(&session, format!("{} {}", made.code, made.name)).await;
    Ok(Redirect::to(&format!("/systems/{}", made.id)).into_response())
}

pub async fn edit_system(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<SystemFormPage> {
    let s = state.app.editable_system(&user, id).await?;
    let form = SystemForm {
        code: s.code.clone(),
        name: s.name.clone(),
        owner_unit_id: s.owner_unit_id,
        segment_id: s.segment_id,
        description: s.description.clone(),
        vendor: s.vendor.clone(),
        go_live_on: s.go_live_on.clone().unwrap_or_default(),
        ends_on: s.ends_on.clone().unwrap_or_default(),
    };
    system_form_page(&state, &session, lang, &user, id, s.revision, form).await
}

pub async fn update_system(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(p): Form<SystemPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    state
        .app
        .update_system(&user, id, p.revision, &p.form())
        .await?;
    Ok(Redirect::to(&format!("/systems/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct RetirePost {
    csrf: String,
    revision: i64,
    #[serde(default)]
    on: String,
}

pub async fn retire_system(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(p): Form<RetirePost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    state
        .app
        .retire_system(&user, id, p.revision, &p.on)
        .await?;
    Ok(Redirect::to(&format!("/systems/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    format: String,
}

pub async fn export_systems(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<FormatQuery>,
) -> AppResult<Response> {
    let format = if q.format == "csv" {
        LedgerFormat::Csv
    } else {
        LedgerFormat::Xlsx
    };
    let bytes = state.app.export_systems(&user, format).await?;
    Ok(download(
        bytes,
        format.content_type(),
        &format!("information-systems.{}", format.extension()),
    ))
}

fn download(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

// -------------------------------------------------------- control status

#[derive(Template, WebTemplate)]
#[template(path = "controls/scope.html")]
pub struct ScopePage {
    chrome: Chrome,
    scope_kind: String,
    scope_id: i64,
    scope_name: String,
    rows: Vec<ScopedControl>,
    pager: Pager,
    state: String,
    category: String,
    states: Vec<StateOption>,
    categories: Vec<(String, String)>,
    may_set: bool,
}

#[derive(Deserialize)]
pub struct ScopeQuery {
    #[serde(default)]
    scope_kind: String,
    scope_id: Option<i64>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    category: String,
    #[serde(flatten)]
    page: Paging,
}

/// A unit's (or a system's, or the city's) view: every control with its
/// status there. Without a scope: the reader's own unit.
pub async fn scope_view(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ScopeQuery>,
) -> AppResult<ScopePage> {
    let scope = match scope_of(&q.scope_kind, q.scope_id) {
        Some(s) => s,
        None => match user.user.unit_id {
            Some(u) => StatusScope::Unit(u),
            None => StatusScope::City,
        },
    };
    let request = q.page.request();
    let st = Some(q.state.as_str()).filter(|s| !s.is_empty());
    let cat = Some(q.category.as_str()).filter(|s| !s.is_empty());
    let rows = state
        .app
        .controls_in_scope(&user, scope, st, cat, request)
        .await?;
    let scope_name = match scope {
        StatusScope::City => lang.pick("全庁", "City-wide").to_string(),
        StatusScope::Unit(id) => state
            .app
            .unit_choices(&user)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .map(|u| lang.pick(&u.name, &u.name_en).to_string())
            .unwrap_or_default(),
        StatusScope::System(id) => state.app.system_view(&user, id).await?.system.name,
    };
    let id_text = scope.id().to_string();
    let base = query_string(
        "/control-status",
        &[
            ("scope_kind", scope.kind()),
            ("scope_id", &id_text),
            ("state", &q.state),
            ("category", &q.category),
        ],
    );
    let pager = Pager::new(&T { lang }, &base, request, rows.total);
    let categories = state
        .app
        .control_categories(&user)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), lang.pick(&c.name, &c.name_en).to_string()))
        .collect();
    Ok(ScopePage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &base, "controls").await?,
        may_set: state.app.may_set_status(&user, scope).await,
        scope_kind: scope.kind().to_string(),
        scope_id: scope.id(),
        scope_name,
        rows: rows.items,
        pager,
        state: q.state,
        category: q.category,
        states: state_options(),
        categories,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/status_form.html")]
pub struct StatusFormPage {
    chrome: Chrome,
    control: ControlRecord,
    scope_kind: String,
    scope_id: i64,
    /// The revision read (0: none recorded).
    revision: i64,
    state: String,
    reason: String,
    owner: String,
    due_on: String,
    comment: String,
    states: Vec<StateOption>,
}

#[derive(Deserialize)]
pub struct StatusFormQuery {
    control: String,
    #[serde(default)]
    scope_kind: String,
    scope_id: Option<i64>,
}

pub async fn status_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<StatusFormQuery>,
) -> AppResult<StatusFormPage> {
    let scope = scope_of(&q.scope_kind, q.scope_id)
        .ok_or_else(|| AppError::bad_request("scope_kind / scope_id"))?;
    let control = state.app.control(&user, &q.control).await?;
    let recorded = state
        .app
        .control_status_at(&user, &control.code, scope)
        .await?;
    if !state.app.may_set_status(&user, scope).await {
        return Err(mamori_app::Error::Forbidden.into());
    }
    let path = format!("/control-status/edit?control={}", control.code);
    let r = recorded.as_ref();
    Ok(StatusFormPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "controls").await?,
        scope_kind: scope.kind().to_string(),
        scope_id: scope.id(),
        revision: r.map(|s| s.revision).unwrap_or(0),
        state: r.map(|s| s.state.clone()).unwrap_or_default(),
        reason: r.map(|s| s.reason.clone()).unwrap_or_default(),
        owner: r.and_then(|s| s.owner_name.clone()).unwrap_or_default(),
        due_on: r.and_then(|s| s.due_on.clone()).unwrap_or_default(),
        comment: r.map(|s| s.comment.clone()).unwrap_or_default(),
        states: state_options(),
        control,
    })
}

#[derive(Deserialize)]
pub struct StatusPost {
    csrf: String,
    control: String,
    scope_kind: String,
    scope_id: i64,
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    state: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    comment: String,
}

pub async fn save_status(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(p): Form<StatusPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    let scope = scope_of(&p.scope_kind, Some(p.scope_id))
        .ok_or_else(|| AppError::bad_request("scope_kind"))?;
    let form = StatusForm {
        control_code: p.control,
        scope,
        state: p.state,
        reason: p.reason,
        owner: p.owner,
        due_on: p.due_on,
        comment: p.comment,
    };
    let revision = (p.revision > 0).then_some(p.revision);
    let saved = state.app.set_control_status(&user, &form, revision).await?;
    Ok(Redirect::to(&format!("/control-status/{}", saved.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/status.html")]
pub struct StatusPage {
    chrome: Chrome,
    s: StatusRow,
    evidence: Vec<EvidenceRow>,
    may_set: bool,
    state_word: String,
    limit_mib: u64,
}

pub async fn status(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<StatusPage> {
    let v = state.app.control_status_view(&user, id).await?;
    let path = format!("/control-status/{id}");
    Ok(StatusPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "controls").await?,
        state_word: state_word(lang, &v.status.state),
        s: v.status,
        evidence: v.evidence,
        may_set: v.may_set,
        limit_mib: state.app.evidence_limit() / 1024 / 1024,
    })
}

/// An evidence form as sent (multipart: csrf, file, url, note and any other
/// text fields), its CSRF token checked: the evidence (the file when one was
/// chosen, else the link), its note, and the other fields by name.
pub(super) struct EvidenceForm {
    pub upload: EvidenceUpload,
    pub note: String,
    pub fields: Vec<(String, String)>,
}

impl EvidenceForm {
    /// The checklist item the evidence is for (the form's `item`).
    pub fn item(&self) -> AppResult<i64> {
        self.fields
            .iter()
            .find(|(k, _)| k == "item")
            .and_then(|(_, v)| v.trim().parse().ok())
            .ok_or_else(|| {
                AppError::bad_request(
                    "証跡を付ける項目を選んでください / choose the item the evidence is for",
                )
            })
    }
}

/// Tells what was attached (its file name or link).
pub(super) async fn evidence_flash(session: &Session, lang: Lang, row: &EvidenceRow) {
    let what = if row.kind == "file" {
        &row.file_name
    } else {
        &row.url
    };
    flash(
        session,
        match lang {
            Lang::En => format!("Evidence attached: {what}"),
            _ => format!("証跡を添付しました: {what}"),
        },
    )
    .await;
}

pub(super) async fn evidence_form(
    session: &Session,
    mut form: Multipart,
) -> AppResult<EvidenceForm> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    let (mut csrf, mut url, mut note) = (String::new(), String::new(), String::new());
    let mut fields = Vec::new();
    let mut file: Option<(String, String, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let media = field.content_type().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(bad)?;
        let text = || String::from_utf8_lossy(&bytes).to_string();
        match name.as_str() {
            "csrf" => csrf = text(),
            "url" => url = text(),
            "note" => note = text(),
            "file" => {
                let n = file_name.unwrap_or_default();
                if !n.is_empty() {
                    file = Some((n, media, bytes.to_vec()));
                }
            }
            _ => fields.push((name, text())),
        }
    }
    verify_csrf(session, &csrf).await?;
    let upload = match file {
        Some((name, media_type, bytes)) => EvidenceUpload::File {
            name,
            media_type,
            bytes,
        },
        None => EvidenceUpload::Link { url },
    };
    Ok(EvidenceForm {
        upload,
        note,
        fields,
    })
}

/// Attaches a file or a link (multipart: csrf, file, url, note).
pub async fn attach(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    form: Multipart,
) -> AppResult<Response> {
    let f = evidence_form(&session, form).await?;
    state
        .app
        .attach_status_evidence(&user, id, f.upload, &f.note)
        .await?;
    Ok(Redirect::to(&format!("/control-status/{id}")).into_response())
}

pub async fn evidence(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (row, bytes) = state.app.evidence_download(&user, id).await?;
    Ok(crate::api::evidence_response(&row, bytes))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    scope_kind: String,
    scope_id: Option<i64>,
}

pub async fn export_status(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let scope = scope_of(&q.scope_kind, q.scope_id);
    let bytes = state.app.export_control_status(&user, scope).await?;
    Ok(download(
        bytes,
        LedgerFormat::Xlsx.content_type(),
        "control-status.xlsx",
    ))
}

/// Reads a filled-in status workbook back (multipart: csrf, file).
/// The file and the page to go back to of an import form (multipart: csrf,
/// file, back), its CSRF token checked.
async fn upload(session: &Session, mut form: Multipart) -> AppResult<(Vec<u8>, String)> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    let (mut csrf, mut bytes, mut back) = (String::new(), Vec::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let data = field.bytes().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&data).to_string(),
            "back" => back = String::from_utf8_lossy(&data).to_string(),
            "file" => bytes = data.to_vec(),
            _ => {}
        }
    }
    verify_csrf(session, &csrf).await?;
    Ok((bytes, back))
}

/// Reads a systems workbook (or CSV) back: all rows or none.
pub async fn import_systems(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    form: Multipart,
) -> AppResult<Response> {
    let (bytes, _) = upload(&session, form).await?;
    let format = mamori_app::assets::sniff_format(None, &bytes);
    let (added, changed) = state.app.import_systems(&user, &bytes, format).await?;
    flash(
        &session,
        match lang {
            Lang::En => format!("{added} systems added, {changed} changed"),
            _ => format!("情報システムを {added} 件登録し、{changed} 件更新しました"),
        },
    )
    .await;
    Ok(Redirect::to("/systems").into_response())
}

pub async fn import_status(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    form: Multipart,
) -> AppResult<Response> {
    let (bytes, back) = upload(&session, form).await?;
    let format = mamori_app::assets::sniff_format(None, &bytes);
    let changed = state
        .app
        .import_control_status(&user, &bytes, format)
        .await?;
    flash(
        &session,
        match lang {
            Lang::En => format!("{changed} statuses changed"),
            _ => format!("{changed} 件の実施状況を更新しました"),
        },
    )
    .await;
    let back = if back.starts_with("/control-status") {
        back
    } else {
        "/control-status".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

// -------------------------------------------------------------- controls

#[derive(Template, WebTemplate)]
#[template(path = "controls/control.html")]
pub struct ControlPage {
    chrome: Chrome,
    c: ControlRecord,
    /// Each status with its state in the reader's words.
    statuses: Vec<(StatusRow, String)>,
    pager: Pager,
    /// The category (第8(n) and its name) and the chapter of the standards, in words.
    category: String,
    chapter: String,
    /// The reader may edit and retire the city's controls.
    may_manage: bool,
}

/// A control with its status across the city, units and systems (what the
/// reader may see).
pub async fn control(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(paging): Query<Paging>,
) -> AppResult<ControlPage> {
    let c = state.app.control(&user, &code).await?;
    let request = paging.request();
    let statuses = state
        .app
        .control_status_list(
            &user,
            &StatusFilter {
                control_code: Some(c.code.clone()),
                ..Default::default()
            },
            request,
        )
        .await?;
    let base = format!("/controls/{}", c.code);
    let pager = Pager::new(&T { lang }, &base, request, statuses.total);
    let category = state
        .app
        .control_categories(&user)
        .await?
        .into_iter()
        .find(|k| k.code == c.category)
        .map(|k| format!("第8({}) {}", k.article_item, lang.pick(&k.name, &k.name_en)))
        .unwrap_or_else(|| c.category.clone());
    let chapter = state
        .app
        .standard_chapters(&user)
        .await?
        .into_iter()
        .find(|ch| ch.number == c.chapter)
        .map(|ch| format!("{}. {}", ch.number, lang.pick(&ch.name, &ch.name_en)))
        .unwrap_or_else(|| c.chapter.to_string());
    Ok(ControlPage {
        may_manage: state
            .app
            .may_app(&user, mamori_authz::Action::ManageCatalog),
        category,
        chapter,
        chrome: Chrome::new(&state, &session, lang, Some(&user), &base, "controls").await?,
        c,
        statuses: statuses
            .items
            .into_iter()
            .map(|s| {
                let word = state_word(lang, &s.state);
                (s, word)
            })
            .collect(),
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/control_form.html")]
pub struct ControlFormPage {
    chrome: Chrome,
    categories: Vec<(String, String)>,
    chapters: Vec<(i64, String)>,
    /// The city's control being edited (None: a new one).
    c: Option<ControlRecord>,
}

impl ControlFormPage {
    /// Where the form posts.
    fn action(&self) -> String {
        match &self.c {
            Some(c) => format!("/controls/{}/edit", c.code),
            None => "/controls/new".to_string(),
        }
    }
    /// A field's value as the form starts.
    fn value(&self, field: &str) -> String {
        let Some(c) = &self.c else {
            return String::new();
        };
        match field {
            "name" => c.name.clone(),
            "description" => c.description.clone(),
            "threats" => c.threats.join(" "),
            "applies_kinds" => c.applies_kinds.clone(),
            "applies_levels" => c.applies_levels.clone(),
            "applies_segments" => c.applies_segments.clone(),
            "applies_personal" => c.applies_personal.clone(),
            "category" => c.category.clone(),
            "chapter" => c.chapter.to_string(),
            "revision" => c.revision.to_string(),
            _ => String::new(),
        }
    }
}

pub async fn new_control(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ControlFormPage> {
    control_form(state, session, lang, user, None).await
}

/// The form of one of the city's controls, filled in (the built-in
/// catalogue is not edited: 409).
pub async fn edit_control(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
) -> AppResult<ControlFormPage> {
    let c = state.app.editable_city_control(&user, &code).await?;
    control_form(state, session, lang, user, Some(c)).await
}

async fn control_form(
    state: AppState,
    session: Session,
    lang: Lang,
    user: crate::auth::Authed,
    c: Option<ControlRecord>,
) -> AppResult<ControlFormPage> {
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::ManageCatalog)?;
    let categories = state
        .app
        .control_categories(&user)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), lang.pick(&c.name, &c.name_en).to_string()))
        .collect();
    let chapters = state
        .app
        .standard_chapters(&user)
        .await?
        .into_iter()
        .map(|c| (c.number, lang.pick(&c.name, &c.name_en).to_string()))
        .collect();
    Ok(ControlFormPage {
        chrome: Chrome::new(
            &state,
            &session,
            lang,
            Some(&user),
            "/controls/new",
            "controls",
        )
        .await?,
        categories,
        chapters,
        c,
    })
}

#[derive(Deserialize)]
pub struct ControlPost {
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    threats: String,
    #[serde(default)]
    applies_kinds: String,
    #[serde(default)]
    applies_levels: String,
    #[serde(default)]
    applies_segments: String,
    #[serde(default)]
    applies_personal: String,
    #[serde(default)]
    revision: String,
}

impl ControlPost {
    fn form(self) -> ControlForm {
        ControlForm {
            category: self.category,
            chapter: self.chapter.trim().parse().unwrap_or(0),
            name: self.name,
            description: self.description,
            threats: self.threats,
            applies_kinds: self.applies_kinds,
            applies_levels: self.applies_levels,
            applies_segments: self.applies_segments,
            applies_personal: self.applies_personal,
        }
    }
}

/// Saves the city's control from its form (the revision read; stale: 409).
pub async fn update_control(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Form(p): Form<ControlPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    let revision = p.revision.trim().parse().unwrap_or(-1);
    let saved = state
        .app
        .update_city_control(&user, &code, revision, &p.form())
        .await?;
    flash(&session, "対策を更新しました / the control was saved").await;
    Ok(Redirect::to(&format!("/controls/{}", saved.code)).into_response())
}

/// Retires the city's control today: it stays readable, and no longer
/// counters its threats in the risk computation.
pub async fn retire_control(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Form(p): Form<RetirePost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    let retired = state
        .app
        .retire_city_control(&user, &code, p.revision)
        .await?;
    flash(&session, "対策を廃止しました / the control was retired").await;
    Ok(Redirect::to(&format!("/controls/{}", retired.code)).into_response())
}

pub async fn create_control(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(p): Form<ControlPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    let made = state.app.create_city_control(&user, &p.form()).await?;
    Ok(Redirect::to(&format!("/controls/{}", made.code)).into_response())
}
