//! Operations (第8(4)) as pages: the attention list at /attention, the
//! incident register at /incidents (report, follow, escalate, act, assess,
//! record reports sent, close) and the exceptions register at /exceptions
//! (ask, decide, renew). Every decision is the operation's.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::ops::attention::Attention;
use mamori_app::ops::exceptions::{ExceptionForm, ExceptionView, shown_state};
use mamori_app::ops::incidents::{AssessmentForm, IncidentForm, IncidentView};
use mamori_app::ops::today;
use mamori_core::ops::exception::ExceptionState;
use mamori_core::ops::incident::{IncidentKind, Publication, Severity, Step, TimelineKind};
use mamori_core::table::LedgerFormat;
use mamori_store::PageRequest;
use mamori_store::ops::exceptions::{ExceptionFilter, ExceptionRecord};
use mamori_store::ops::incidents::{IncidentClosure, IncidentFilter, IncidentRecord};
use serde::Deserialize;
use tower_sessions::Session;

use super::risk::refused;
use super::{Chrome, Pager, flash, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// (code, name in the reader's language) of a closed set.
pub(super) fn choices(
    t: &T,
    all: &[(&'static str, &'static str, &'static str)],
) -> Vec<(String, String)> {
    all.iter()
        .map(|(c, ja, en)| (c.to_string(), t.pick(ja, en).to_string()))
        .collect()
}

macro_rules! names {
    ($ty:ty) => {
        <$ty>::ALL
            .iter()
            .map(|v| (v.code(), v.name_ja(), v.name_en()))
            .collect::<Vec<_>>()
    };
}

pub(super) fn name_of(
    t: &T,
    all: &[(&'static str, &'static str, &'static str)],
    code: &str,
) -> String {
    all.iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ja, en)| t.pick(ja, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// An incident as a line of a list, its codes named.
pub struct IncidentLine {
    pub i: IncidentRecord,
    pub kind: String,
    pub severity: String,
    pub step: String,
}

fn line(t: &T, i: IncidentRecord) -> IncidentLine {
    IncidentLine {
        kind: name_of(t, &names!(IncidentKind), &i.kind),
        severity: name_of(t, &names!(Severity), &i.severity),
        step: name_of(t, &names!(Step), &i.step),
        i,
    }
}

fn state_name(t: &T, code: &str) -> String {
    match code {
        "expired" => t.pick("期限切れ", "Expired").to_string(),
        "open" => t.pick("対応中", "Open").to_string(),
        "closed" => t.pick("終結", "Closed").to_string(),
        c => name_of(t, &names!(ExceptionState), c),
    }
}

// --- attention ---

#[derive(Template, WebTemplate)]
#[template(path = "ops/attention.html")]
pub struct AttentionPage {
    chrome: Chrome,
    a: Attention,
    incidents: Vec<IncidentLine>,
    severities: Vec<(String, String, usize)>,
    today: String,
}

pub async fn attention(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<AttentionPage> {
    let t = T { lang };
    let day = today();
    let mut a = state.app.attention(&user, &day).await?;
    let incidents = std::mem::take(&mut a.incidents)
        .into_iter()
        .map(|i| line(&t, i))
        .collect();
    let severities = a
        .by_severity
        .iter()
        .map(|(c, ja, en, n)| (c.to_string(), t.pick(ja, en).to_string(), *n))
        .collect();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/attention",
        "attention",
    )
    .await?;
    Ok(AttentionPage {
        chrome,
        a,
        incidents,
        severities,
        today: day,
    })
}

// --- incidents ---

/// The incidents list's filters as the page and its export take them (an
/// unknown value is no filter).
#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// open or closed.
    #[serde(default)]
    pub state: String,
    // --- h15b: the severity and type, as the API filters them ---
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub kind: String,
    // --- h17ui: a sort key (an unknown one leaves the default order), asc/desc ---
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    // --- h15b: the export's format ---
    #[serde(default)]
    pub format: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

// --- h15b: the list and its export read the filters alike ---
impl ListQuery {
    fn incident_filter(&self) -> IncidentFilter {
        IncidentFilter {
            state: opt(&self.state).filter(|s| s == "open" || s == "closed"),
            severity: opt(&self.severity).filter(|s| Severity::parse(s).is_some()),
            kind: opt(&self.kind).filter(|s| IncidentKind::parse(s).is_some()),
            sort: mamori_store::sorting::Sort::parse(&self.sort, &self.dir),
            ..Default::default()
        }
    }

    /// The incidents' filters (no sort, no page) as query pairs.
    fn incident_pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("state", self.state.as_str()),
            ("severity", self.severity.as_str()),
            ("kind", self.kind.as_str()),
        ]
    }
}

pub(super) fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/incidents.html")]
pub struct IncidentsPage {
    chrome: Chrome,
    rows: Vec<IncidentLine>,
    pager: Pager,
    state: String,
    // --- h17ui ---
    headers: Vec<super::SortHeader>,
    // --- h15b ---
    severity: String,
    kind: String,
    severities: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    /// The filters and the order as a query string (for the export links).
    filters: String,
}

pub async fn incidents(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<IncidentsPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let filter = q.incident_filter();
    let list = state.app.list_incidents(&user, &filter, page).await?;
    // --- h17ui: sortable headers, kept through paging ---
    let (key, descending) = match filter.sort {
        Some(s) => (mamori_store::sorting::SortKey::code(s.key), s.descending),
        None => ("", false),
    };
    let pairs = q.incident_pairs();
    let headers = super::sort_headers(
        &query_string("/incidents", &pairs),
        key,
        descending,
        &[
            ("id", "No.".to_string()),
            ("", t.pick("件名", "Title").to_string()),
            ("severity", t.pick("重大度", "Severity").to_string()),
            ("", t.pick("種別", "Type").to_string()),
            ("unit", t.pick("課", "Unit").to_string()),
            ("", t.pick("報告者", "Reporter").to_string()),
            ("", t.pick("報告段階", "Reached").to_string()),
            ("noticed", t.pick("覚知", "Noticed").to_string()),
            ("state", t.pick("状態", "State").to_string()),
        ],
    );
    let mut sorted = pairs.clone();
    sorted.extend([("sort", key), ("dir", if descending { "desc" } else { "" })]);
    let pager = Pager::new(&t, &query_string("/incidents", &sorted), page, list.total);
    let filters = super::ops2::filter_string(&sorted);
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/incidents",
        "incidents",
    )
    .await?;
    Ok(IncidentsPage {
        chrome,
        rows: list.items.into_iter().map(|i| line(&t, i)).collect(),
        pager,
        headers,
        severities: choices(&t, &names!(Severity)),
        kinds: choices(&t, &names!(IncidentKind)),
        filters,
        state: q.state,
        severity: q.severity,
        kind: q.kind,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/incident_form.html")]
pub struct IncidentFormPage {
    chrome: Chrome,
    kinds: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    systems: Vec<(i64, String)>,
    now: String,
}

pub async fn new_incident(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<IncidentFormPage> {
    let t = T { lang };
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::ReportIncident)?;
    let systems = state
        .app
        .system_list(
            &user,
            &Default::default(),
            PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
        )
        .await?
        .items
        .into_iter()
        .map(|s| (s.system.id, format!("{} {}", s.system.code, s.system.name)))
        .collect();
    let now = time::OffsetDateTime::now_utc()
        .to_offset(mamori_core::wareki::JST)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]"
        ))
        .unwrap_or_default();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/incidents/new",
        "incidents",
    )
    .await?;
    Ok(IncidentFormPage {
        chrome,
        kinds: choices(&t, &names!(IncidentKind)),
        severities: choices(&t, &names!(Severity)),
        systems,
        now,
    })
}

/// A form's repeated and boolean fields, read from the raw pairs (a
/// checkbox is sent only when ticked; a multiple select repeats its name).
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(super) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    /// Every value given under `name` (checkboxes of one name).
    pub(super) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub(super) fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
    /// Every id given under `name`, in repeated fields or one field of ids
    /// separated by spaces or commas. Text that is no id is kept as -1 so
    /// that the operation names it.
    pub(super) fn ids(&self, name: &str) -> Vec<i64> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| {
                v.split([' ', ',', '、'])
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().parse().unwrap_or(-1))
                    .collect::<Vec<i64>>()
            })
            .collect()
    }
    fn assessment(&self) -> AssessmentForm {
        AssessmentForm {
            kind: self.get("kind"),
            severity: self.get("severity"),
            personal_info: self.ticked("personal_info"),
            my_number: self.ticked("my_number"),
            sensitive: self.ticked("sensitive"),
            financial: self.ticked("financial"),
            wrongful: self.ticked("wrongful"),
            affected: self.get("affected"),
            publication: self.get("publication"),
            publication_note: self.get("publication_note"),
        }
    }
}

pub(super) async fn read_fields(session: &Session, body: axum::body::Bytes) -> AppResult<Fields> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| crate::error::AppError::bad_request(e.to_string()))?;
    let f = Fields(pairs);
    verify_csrf(session, &f.get("csrf")).await?;
    Ok(f)
}

pub async fn report(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = IncidentForm {
        title: f.get("title"),
        description: f.get("description"),
        noticed_at: f.get("noticed_at"),
        place: f.get("place"),
        assessment: f.assessment(),
        assets: f.ids("assets"),
        systems: f.ids("systems"),
    };
    match state.app.report_incident(&user, &form).await {
        Ok(i) => {
            flash(
                &session,
                T { lang }.pick(
                    "インシデントを報告しました。情報セキュリティ管理者に届いています。",
                    "Incident reported: it has reached the information security administrator.",
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/incidents/{}", i.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/incidents/new").await?;
            Ok(Redirect::to("/incidents/new").into_response())
        }
    }
}

/// A line of the timeline as shown.
pub struct TimelineLine {
    pub at: String,
    pub kind: String,
    pub step: String,
    pub note: String,
    pub by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/incident.html")]
pub struct IncidentPage {
    chrome: Chrome,
    v: IncidentView,
    head: IncidentLine,
    timeline: Vec<TimelineLine>,
    next_step: String,
    criteria: Vec<String>,
    kinds: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    publications: Vec<(String, String)>,
    publication: String,
    today: String,
}

pub async fn incident(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<IncidentPage> {
    let t = T { lang };
    let day = today();
    let v = state.app.incident_view(&user, id, &day).await?;
    let steps = names!(Step);
    let timeline = v
        .timeline
        .iter()
        .map(|e| TimelineLine {
            at: t.moment(&e.at),
            kind: name_of(&t, &names!(TimelineKind), &e.kind),
            step: e
                .step
                .as_deref()
                .map(|s| name_of(&t, &steps, s))
                .unwrap_or_default(),
            note: e.note.clone(),
            by: e.user_name.clone().unwrap_or_default(),
        })
        .collect();
    let criteria = v
        .criteria
        .iter()
        .map(|c| {
            match *c {
                "sensitive" => t.pick("要配慮個人情報", "sensitive data"),
                "financial" => t.pick("財産的被害のおそれ", "open to financial misuse"),
                "wrongful" => t.pick("不正の目的", "wrongful purpose"),
                _ => t.pick("100人超", "more than 100 people"),
            }
            .to_string()
        })
        .collect();
    let next_step = v
        .next_step
        .map(|s| t.pick(s.name_ja(), s.name_en()).to_string())
        .unwrap_or_default();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/incidents/{id}"),
        "incidents",
    )
    .await?;
    Ok(IncidentPage {
        head: line(&t, v.incident.clone()),
        publication: name_of(&t, &names!(Publication), &v.incident.publication),
        timeline,
        next_step,
        criteria,
        kinds: choices(&t, &names!(IncidentKind)),
        severities: choices(&t, &names!(Severity)),
        publications: choices(&t, &names!(Publication)),
        today: day,
        v,
        chrome,
    })
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/incidents/{id}")).into_response()
}

/// Says on the next page how an operation ended: `ja`/`en` when it was
/// done, the reason when it was refused (other errors are the error page).
pub(super) async fn settled<R>(
    session: &Session,
    lang: Lang,
    outcome: Result<R, mamori_app::Error>,
    ja: &str,
    en: &str,
) -> AppResult<()> {
    match outcome {
        Ok(_) => {
            flash(session, T { lang }.pick(ja, en)).await;
            Ok(())
        }
        Err(e) => refused(session, lang, e).await,
    }
}

/// A refused form: the reason for the next page and, so that nothing typed is
/// lost, the fields for `back` (the page the refusal returns to). A stale edit
/// keeps nothing: the page shows what is stored now.
pub(super) async fn refused_keeping(
    session: &Session,
    lang: Lang,
    e: mamori_app::Error,
    f: &Fields,
    back: &str,
) -> AppResult<()> {
    refused_keeping_form(session, lang, e, f, (back, "")).await
}

/// [`refused_keeping`] for the form `form` of the page `back`.
async fn refused_keeping_form(
    session: &Session,
    lang: Lang,
    e: mamori_app::Error,
    f: &Fields,
    (back, form): (&str, &str),
) -> AppResult<()> {
    let stale = e.class() == mamori_core::problem::Class::Conflict && f.ticked("revision");
    if !stale {
        super::refill::keep_form(session, back, form, &f.0).await;
    }
    refused(session, lang, e).await
}

/// [`settled`], keeping a refused form's fields for the form `form` ("" for
/// the page's one form) of the page `back`.
pub(super) async fn settled_keeping<R>(
    session: &Session,
    lang: Lang,
    outcome: Result<R, mamori_app::Error>,
    (ja, en): (&str, &str),
    f: &Fields,
    back: (&str, &str),
) -> AppResult<()> {
    match outcome {
        Ok(_) => settled(session, lang, Ok::<(), mamori_app::Error>(()), ja, en).await,
        Err(e) => refused_keeping_form(session, lang, e, f, back).await,
    }
}

pub async fn escalate(
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
        .escalate_incident(&user, id, revision, &f.get("note"))
        .await;
    let page = format!("/incidents/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("上位へ報告しました", "Escalated"),
        &f,
        (&page, "escalate"),
    )
    .await?;
    Ok(back(id))
}

pub async fn add_action(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let outcome = state
        .app
        .add_incident_action(&user, id, &f.get("note"))
        .await;
    let page = format!("/incidents/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("対応を記録しました", "Action recorded"),
        &f,
        (&page, "action"),
    )
    .await?;
    Ok(back(id))
}

pub async fn assess(
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
        .assess_incident(&user, id, revision, &f.assessment(), &f.get("note"))
        .await;
    settled(
        &session,
        lang,
        outcome,
        "評価を保存しました",
        "Assessment saved",
    )
    .await?;
    Ok(back(id))
}

pub async fn record_report(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let outcome = state
        .app
        .record_incident_report(
            &user,
            id,
            &f.get("rule"),
            &f.get("sent_on"),
            &f.get("note"),
            &today(),
        )
        .await;
    settled(
        &session,
        lang,
        outcome,
        "報告を記録しました",
        "Report recorded",
    )
    .await?;
    Ok(back(id))
}

pub async fn close(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let closure = IncidentClosure {
        causes: f.get("causes"),
        lessons: f.get("lessons"),
        measures: f.get("measures"),
    };
    let outcome = state
        .app
        .close_incident(&user, id, revision, &closure)
        .await;
    let page = format!("/incidents/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("インシデントを終結しました", "Incident closed"),
        &f,
        (&page, "close"),
    )
    .await?;
    Ok(back(id))
}

#[derive(Deserialize, Default)]
pub struct FormatQuery {
    #[serde(default)]
    pub format: String,
}

pub(super) fn format_of(q: &FormatQuery) -> LedgerFormat {
    if q.format == "csv" {
        LedgerFormat::Csv
    } else {
        LedgerFormat::Xlsx
    }
}

/// The incidents the list shows with the same filters and order, every page.
pub async fn export_incidents(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let format = format_of(&FormatQuery {
        format: q.format.clone(),
    });
    let bytes = state
        .app
        .export_incidents(&user, format, &q.incident_filter())
        .await?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("incidents.{}", format.extension()),
    ))
}

// --- exceptions ---

/// An exception as a line of a list.
pub struct ExceptionLine {
    pub e: ExceptionRecord,
    pub state: String,
}

fn exception_line(t: &T, e: ExceptionRecord, today: &str) -> ExceptionLine {
    ExceptionLine {
        state: state_name(t, &shown_state(&e, today)),
        e,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/exceptions.html")]
pub struct ExceptionsPage {
    chrome: Chrome,
    rows: Vec<ExceptionLine>,
    pager: Pager,
    // --- h15b: the state filter, kept in the export links ---
    state: String,
    states: Vec<(String, String)>,
    filters: String,
}

// --- h15b: the exceptions list and its export read the filter alike ---
fn exception_filter(q: &ListQuery) -> ExceptionFilter {
    ExceptionFilter {
        state: opt(&q.state).filter(|s| ExceptionState::parse(s).is_some()),
        ..Default::default()
    }
}

pub async fn exceptions(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<ExceptionsPage> {
    let t = T { lang };
    let day = today();
    let page = PageRequest::new(q.page, q.per_page);
    let filter = exception_filter(&q);
    let list = state.app.list_exceptions(&user, &filter, page).await?;
    let pairs = [("state", q.state.as_str())];
    let pager = Pager::new(&t, &query_string("/exceptions", &pairs), page, list.total);
    let filters = super::ops2::filter_string(&pairs);
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/exceptions",
        "exceptions",
    )
    .await?;
    Ok(ExceptionsPage {
        chrome,
        rows: list
            .items
            .into_iter()
            .map(|e| exception_line(&t, e, &day))
            .collect(),
        pager,
        states: choices(&t, &names!(ExceptionState)),
        state: q.state,
        filters,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/exception_form.html")]
pub struct ExceptionFormPage {
    chrome: Chrome,
    units: Vec<(i64, String)>,
    systems: Vec<(i64, String)>,
    today: String,
}

pub async fn new_exception(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ExceptionFormPage> {
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::RequestException)?;
    let units = state
        .app
        .unit_choices(&user)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let systems = state
        .app
        .system_list(
            &user,
            &Default::default(),
            PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
        )
        .await?
        .items
        .into_iter()
        .map(|s| (s.system.id, format!("{} {}", s.system.code, s.system.name)))
        .collect();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/exceptions/new",
        "exceptions",
    )
    .await?;
    Ok(ExceptionFormPage {
        chrome,
        units,
        systems,
        today: today(),
    })
}

fn exception_form(f: &Fields) -> ExceptionForm {
    ExceptionForm {
        deviation: f.get("deviation"),
        reason: f.get("reason"),
        compensating: f.get("compensating"),
        scope_units: f.ids("scope_units"),
        scope_systems: f.ids("scope_systems"),
        scope_assets: f.ids("scope_assets"),
        starts_on: f.get("starts_on"),
        ends_on: f.get("ends_on"),
    }
}

pub async fn request_exception(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    match state
        .app
        .request_exception(&user, &exception_form(&f), &today())
        .await
    {
        Ok(e) => {
            flash(
                &session,
                T { lang }.pick("例外措置を申請しました", "Exception requested"),
            )
            .await;
            Ok(Redirect::to(&format!("/exceptions/{}", e.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/exceptions/new").await?;
            Ok(Redirect::to("/exceptions/new").into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/exception.html")]
pub struct ExceptionPage {
    chrome: Chrome,
    v: ExceptionView,
    state: String,
}

pub async fn exception(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<ExceptionPage> {
    let t = T { lang };
    let day = today();
    let v = state.app.exception_view(&user, id, &day).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/exceptions/{id}"),
        "exceptions",
    )
    .await?;
    Ok(ExceptionPage {
        state: state_name(&t, &v.shown_state),
        v,
        chrome,
    })
}

pub async fn decide(
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
        .decide_exception(&user, id, revision, &f.get("decision"), &f.get("note"))
        .await;
    let page = format!("/exceptions/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("判断を記録しました", "Decision recorded"),
        &f,
        (&page, "decide"),
    )
    .await?;
    Ok(Redirect::to(&page).into_response())
}

pub async fn renew(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    match state
        .app
        .renew_exception(&user, id, &exception_form(&f), &today())
        .await
    {
        Ok(e) => {
            flash(
                &session,
                T { lang }.pick("更新を申請しました", "Renewal requested"),
            )
            .await;
            Ok(Redirect::to(&format!("/exceptions/{}", e.id)).into_response())
        }
        Err(e) => {
            let page = format!("/exceptions/{id}");
            refused_keeping_form(&session, lang, e, &f, (&page, "renew")).await?;
            Ok(Redirect::to(&page).into_response())
        }
    }
}

/// The exceptions the list shows with the same filter, every page.
pub async fn export_exceptions(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let format = format_of(&FormatQuery {
        format: q.format.clone(),
    });
    let bytes = state
        .app
        .export_exceptions(&user, format, &exception_filter(&q), &today())
        .await?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("exceptions.{}", format.extension()),
    ))
}
