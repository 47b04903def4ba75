//! Operations, part 2 (issue 15) as pages: the permissions register at
//! /permissions (ask, grant or refuse, record the return) and the violations
//! register at /violations (record, read), the contractors at /contractors
//! (criteria, contracts with their missing clauses, staff, assessments) and
//! the external services at /services, and the emergency response plans at
//! /plans (drills, the incidents that followed them). Every decision is the operation's.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::ops::outsourcing::{
    AssessmentDue, AssessmentForm, ContractForm, ContractorForm, ContractorQuery, ContractorView,
    ServiceForm, ServiceQuery,
};
use mamori_app::ops::permissions::{PermissionForm, PermissionView, shown_state, state_names};
use mamori_app::ops::plans::{PlanForm, PlanView};
use mamori_app::ops::today;
use mamori_app::ops::violations::ViolationForm;
use mamori_core::ops::permission::{
    PermissionKind, PermissionState, PlanCategory, ViolationAction,
};
use mamori_store::PageRequest;
use mamori_store::ops::outsourcing::{ContractorRecord, ServiceRecord};
use mamori_store::ops::permissions::{PermissionFilter, PermissionRecord};
use mamori_store::ops::plans::PlanRecord;
use mamori_store::ops::violations::{ViolationFilter, ViolationRecord};
use serde::Deserialize;
use tower_sessions::Session;

use super::ops::{
    FormatQuery, choices, format_of, name_of, opt, read_fields, refused_keeping, settled,
    settled_keeping,
};
use super::{Chrome, Pager, flash, query_string};
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

macro_rules! names {
    ($ty:ty) => {
        <$ty>::ALL
            .iter()
            .map(|v| (v.code(), v.name_ja(), v.name_en()))
            .collect::<Vec<_>>()
    };
}

// --- permissions ---

/// A permission as a line of a list, its codes named.
pub struct PermissionLine {
    pub p: PermissionRecord,
    pub kind: String,
    pub state: String,
    pub overdue: bool,
}

fn permission_line(t: &T, p: PermissionRecord, today: &str) -> PermissionLine {
    let shown = shown_state(&p, today);
    let (ja, en) = state_names(&shown);
    PermissionLine {
        kind: name_of(t, &names!(PermissionKind), &p.kind),
        state: t.pick(ja, en).to_string(),
        overdue: shown == "overdue",
        p,
    }
}

#[derive(Deserialize, Default)]
pub struct PermissionListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub kind: String,
    // --- h15b: the export's format ---
    #[serde(default)]
    pub format: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

// --- h15b: the list and its export read the filters alike ---
impl PermissionListQuery {
    fn filter(&self) -> PermissionFilter {
        PermissionFilter {
            state: opt(&self.state).filter(|s| PermissionState::parse(s).is_some()),
            kind: opt(&self.kind).filter(|s| PermissionKind::parse(s).is_some()),
            ..Default::default()
        }
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![("state", self.state.as_str()), ("kind", self.kind.as_str())]
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/permissions.html")]
pub struct PermissionsPage {
    chrome: Chrome,
    rows: Vec<PermissionLine>,
    pager: Pager,
    states: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    state: String,
    kind: String,
    // --- h15b ---
    filters: String,
}

pub async fn permissions(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<PermissionListQuery>,
) -> AppResult<PermissionsPage> {
    let t = T { lang };
    let day = today();
    let page = PageRequest::new(q.page, q.per_page);
    let list = state.app.list_permissions(&user, &q.filter(), page).await?;
    let pairs = q.pairs();
    let pager = Pager::new(&t, &query_string("/permissions", &pairs), page, list.total);
    let filters = filter_string(&pairs);
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/permissions",
        "permissions",
    )
    .await?;
    Ok(PermissionsPage {
        chrome,
        rows: list
            .items
            .into_iter()
            .map(|p| permission_line(&t, p, &day))
            .collect(),
        pager,
        states: choices(&t, &names!(PermissionState)),
        kinds: choices(&t, &names!(PermissionKind)),
        state: q.state,
        kind: q.kind,
        filters,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/permission_form.html")]
pub struct PermissionFormPage {
    chrome: Chrome,
    kinds: Vec<(String, String)>,
    today: String,
}

pub async fn new_permission(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<PermissionFormPage> {
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::RequestPermission)?;
    let t = T { lang };
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/permissions/new",
        "permissions",
    )
    .await?;
    Ok(PermissionFormPage {
        chrome,
        kinds: choices(&t, &names!(PermissionKind)),
        today: today(),
    })
}

pub async fn request_permission(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = PermissionForm {
        kind: f.get("kind"),
        what: f.get("what"),
        reason: f.get("reason"),
        assets: f.ids("assets"),
        starts_on: f.get("starts_on"),
        until_on: f.get("until_on"),
    };
    match state.app.request_permission(&user, &form, &today()).await {
        Ok(p) => {
            flash(
                &session,
                T { lang }.pick("許可を申請しました", "Permission requested"),
            )
            .await;
            Ok(Redirect::to(&format!("/permissions/{}", p.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/permissions/new").await?;
            Ok(Redirect::to("/permissions/new").into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/permission.html")]
pub struct PermissionPage {
    chrome: Chrome,
    v: PermissionView,
    kind: String,
    state: String,
    today: String,
}

pub async fn permission(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<PermissionPage> {
    let t = T { lang };
    let day = today();
    let v = state.app.permission_view(&user, id, &day).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/permissions/{id}"),
        "permissions",
    )
    .await?;
    let (ja, en) = state_names(&v.shown_state);
    Ok(PermissionPage {
        kind: name_of(&t, &names!(PermissionKind), &v.permission.kind),
        state: t.pick(ja, en).to_string(),
        v,
        chrome,
        today: day,
    })
}

pub async fn decide_permission(
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
        .decide_permission(&user, id, revision, &f.get("decision"), &f.get("note"))
        .await;
    settled(
        &session,
        lang,
        outcome,
        "判断を記録しました",
        "Decision recorded",
    )
    .await?;
    Ok(Redirect::to(&format!("/permissions/{id}")).into_response())
}

pub async fn return_permission(
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
        .return_permission(
            &user,
            id,
            revision,
            &f.get("returned_on"),
            &f.get("note"),
            &today(),
        )
        .await;
    settled(
        &session,
        lang,
        outcome,
        "返却を記録しました",
        "Return recorded",
    )
    .await?;
    Ok(Redirect::to(&format!("/permissions/{id}")).into_response())
}

/// The permissions the list shows with the same filters, every page.
pub async fn export_permissions(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<PermissionListQuery>,
) -> AppResult<Response> {
    let format = format_of(&FormatQuery {
        format: q.format.clone(),
    });
    let bytes = state
        .app
        .export_permissions(&user, format, &q.filter(), &today())
        .await?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("permissions.{}", format.extension()),
    ))
}

// --- violations ---

/// A violation as a line of a list, its action named.
pub struct ViolationLine {
    pub v: ViolationRecord,
    pub action: String,
}

#[derive(Deserialize, Default)]
pub struct ViolationListQuery {
    #[serde(default)]
    pub action: String,
    // --- h15b: the export's format ---
    #[serde(default)]
    pub format: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

// --- h15b: the list and its export read the filter alike ---
impl ViolationListQuery {
    fn filter(&self) -> ViolationFilter {
        ViolationFilter {
            action: opt(&self.action).filter(|s| ViolationAction::parse(s).is_some()),
            ..Default::default()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/violations.html")]
pub struct ViolationsPage {
    chrome: Chrome,
    rows: Vec<ViolationLine>,
    pager: Pager,
    may_record: bool,
    // --- h15b: the action filter, kept in the export links ---
    action: String,
    actions: Vec<(String, String)>,
    filters: String,
}

pub async fn violations(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ViolationListQuery>,
) -> AppResult<ViolationsPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let list = state.app.list_violations(&user, &q.filter(), page).await?;
    let pairs = [("action", q.action.as_str())];
    let pager = Pager::new(&t, &query_string("/violations", &pairs), page, list.total);
    let filters = filter_string(&pairs);
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/violations",
        "violations",
    )
    .await?;
    Ok(ViolationsPage {
        may_record: state.app.may_record_violation(&user),
        chrome,
        rows: list
            .items
            .into_iter()
            .map(|v| ViolationLine {
                action: name_of(&t, &names!(ViolationAction), &v.action),
                v,
            })
            .collect(),
        pager,
        actions: choices(&t, &names!(ViolationAction)),
        action: q.action,
        filters,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/violation_form.html")]
pub struct ViolationFormPage {
    chrome: Chrome,
    actions: Vec<(String, String)>,
    today: String,
}

pub async fn new_violation(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ViolationFormPage> {
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::RecordViolation)?;
    let t = T { lang };
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/violations/new",
        "violations",
    )
    .await?;
    Ok(ViolationFormPage {
        chrome,
        actions: choices(&t, &names!(ViolationAction)),
        today: today(),
    })
}

pub async fn record_violation(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let incident = f.get("incident_id");
    let form = ViolationForm {
        what: f.get("what"),
        found_on: f.get("found_on"),
        found_by: f.get("found_by"),
        offender: f.get("offender"),
        action: f.get("action"),
        action_note: f.get("action_note"),
        incident_id: opt(&incident).map(|s| s.parse().unwrap_or(-1)),
        finding_id: f.get("finding_id"),
    };
    match state.app.record_violation(&user, &form, &today()).await {
        Ok(v) => {
            flash(
                &session,
                T { lang }.pick("違反を記録しました", "Violation recorded"),
            )
            .await;
            Ok(Redirect::to(&format!("/violations/{}", v.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/violations/new").await?;
            Ok(Redirect::to("/violations/new").into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/violation.html")]
pub struct ViolationPage {
    chrome: Chrome,
    v: ViolationRecord,
    action: String,
}

pub async fn violation(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<ViolationPage> {
    let t = T { lang };
    let v = state.app.violation(&user, id).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/violations/{id}"),
        "violations",
    )
    .await?;
    Ok(ViolationPage {
        action: name_of(&t, &names!(ViolationAction), &v.action),
        v,
        chrome,
    })
}

/// The violations the list shows with the same filter, every page.
pub async fn export_violations(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ViolationListQuery>,
) -> AppResult<Response> {
    let format = format_of(&FormatQuery {
        format: q.format.clone(),
    });
    let bytes = state
        .app
        .export_violations(&user, format, &q.filter())
        .await?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("violations.{}", format.extension()),
    ))
}

// --- contractors and external services ---

#[derive(Template, WebTemplate)]
#[template(path = "ops/contractors.html")]
pub struct ContractorsPage {
    chrome: Chrome,
    rows: Vec<ContractorRecord>,
    pager: Pager,
    may_manage: bool,
    classes: Vec<(String, String)>,
    systems: Vec<(i64, String)>,
    /// The filters as given, kept in the form, the pager and the export links.
    f: ContractorListQuery,
    /// The query string of the filters (for the export links).
    filters: String,
}

/// The contractors list's filters as the page and the export take them.
#[derive(Deserialize, Default, Clone)]
pub struct ContractorListQuery {
    /// Text in the name or the business.
    #[serde(default)]
    pub q: String,
    /// An information system's id.
    #[serde(default)]
    pub system: String,
    /// A confidentiality level's code.
    #[serde(default)]
    pub class: String,
    /// `due` or `overdue`.
    #[serde(default)]
    pub assessment: String,
    /// Any value: only those with a contract lacking a required clause.
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub format: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

impl ContractorListQuery {
    fn query(&self) -> ContractorQuery {
        ContractorQuery {
            q: opt(&self.q),
            system: self.system.trim().parse().ok(),
            class: opt(&self.class),
            assessment: match self.assessment.as_str() {
                "due" => Some(AssessmentDue::Due),
                "overdue" => Some(AssessmentDue::Overdue),
                _ => None,
            },
            missing_clauses: !self.missing.trim().is_empty(),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("q", self.q.as_str()),
            ("system", self.system.as_str()),
            ("class", self.class.as_str()),
            ("assessment", self.assessment.as_str()),
            ("missing", self.missing.as_str()),
        ]
    }
}

/// The external services list's filters as the page and the export take them.
#[derive(Deserialize, Default, Clone)]
pub struct ServiceListQuery {
    /// Text in the name, the purpose or the provider.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub system: String,
    #[serde(default)]
    pub class: String,
    /// `yes` or `no`.
    #[serde(default)]
    pub ismap: String,
    /// `yes` or `no`.
    #[serde(default)]
    pub alpha_prime: String,
    #[serde(default)]
    pub format: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

fn yes_no(s: &str) -> Option<bool> {
    match s {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl ServiceListQuery {
    fn query(&self) -> ServiceQuery {
        ServiceQuery {
            q: opt(&self.q),
            system: self.system.trim().parse().ok(),
            class: opt(&self.class),
            ismap: yes_no(&self.ismap),
            alpha_prime: yes_no(&self.alpha_prime),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("q", self.q.as_str()),
            ("system", self.system.as_str()),
            ("class", self.class.as_str()),
            ("ismap", self.ismap.as_str()),
            ("alpha_prime", self.alpha_prime.as_str()),
        ]
    }
}

/// The filters' query string without the path (`a=b&c=d`, empty when none).
pub(super) fn filter_string(pairs: &[(&str, &str)]) -> String {
    query_string("", pairs).trim_start_matches('?').to_string()
}

/// The confidentiality levels of the active scheme (code, name).
async fn class_choices(
    state: &AppState,
    user: &mamori_app::Caller,
    t: &T,
) -> AppResult<Vec<(String, String)>> {
    let scheme = state.app.active_scheme(user).await?;
    Ok(scheme
        .levels
        .iter()
        .filter(|l| l.axis == mamori_core::classification::Axis::Confidentiality)
        .map(|l| (l.code.clone(), t.pick(&l.name, &l.name_en).to_string()))
        .collect())
}

async fn system_choices(
    state: &AppState,
    user: &mamori_app::Caller,
) -> AppResult<Vec<(i64, String)>> {
    Ok(state
        .app
        .system_list(
            user,
            &Default::default(),
            PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
        )
        .await?
        .items
        .into_iter()
        .map(|s| (s.system.id, format!("{} {}", s.system.code, s.system.name)))
        .collect())
}

pub async fn contractors(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ContractorListQuery>,
) -> AppResult<ContractorsPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let list = state
        .app
        .list_contractors(&user, &q.query(), &today(), page)
        .await?;
    let pairs = q.pairs();
    let pager = Pager::new(&t, &query_string("/contractors", &pairs), page, list.total);
    let filters = filter_string(&pairs);
    let may_manage = state.app.may_manage_contractors(&user);
    let (classes, systems) = (
        class_choices(&state, &user, &t).await?,
        system_choices(&state, &user).await?,
    );
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/contractors",
        "contractors",
    )
    .await?;
    Ok(ContractorsPage {
        chrome,
        rows: list.items,
        pager,
        may_manage,
        classes,
        systems,
        f: q,
        filters,
    })
}

pub async fn create_contractor(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = contractor_form(&f);
    match state.app.create_contractor(&user, &form).await {
        Ok(c) => {
            flash(
                &session,
                T { lang }.pick("委託先を登録しました", "Contractor recorded"),
            )
            .await;
            Ok(Redirect::to(&format!("/contractors/{}", c.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/contractors").await?;
            Ok(Redirect::to("/contractors").into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/contractor.html")]
pub struct ContractorPage {
    chrome: Chrome,
    v: ContractorView,
    requirements: Vec<mamori_core::ops::outsourcing::OutsourcingItem>,
    today: String,
    // --- h15b: the edit form's choices (empty unless the person may edit) ---
    classes: Vec<(String, String)>,
    systems: Vec<(i64, String)>,
    /// The contractor's systems, by code and name where known.
    system_names: Vec<(i64, String)>,
    /// The contractor's systems as ids, for the form's selection.
    chosen: Vec<i64>,
}

/// (id, "code name") of each id in a space-separated list, the id alone
/// when the system is not among `known`.
fn named_systems(ids: &str, known: &[(i64, String)]) -> Vec<(i64, String)> {
    ids.split_whitespace()
        .filter_map(|t| t.parse::<i64>().ok())
        .map(|id| {
            let name = known
                .iter()
                .find(|(k, _)| *k == id)
                .map_or_else(|| id.to_string(), |(_, n)| n.clone());
            (id, name)
        })
        .collect()
}

pub async fn contractor(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<ContractorPage> {
    let day = today();
    let v = state.app.contractor_view(&user, id, &day).await?;
    let t = T { lang };
    let known = system_choices(&state, &user).await?;
    let system_names = named_systems(&v.contractor.systems, &known);
    let (classes, systems) = if v.may_manage {
        (class_choices(&state, &user, &t).await?, known)
    } else {
        (Vec::new(), Vec::new())
    };
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/contractors/{id}"),
        "contractors",
    )
    .await?;
    Ok(ContractorPage {
        requirements: state.app.outsourcing_rules().requirements.clone(),
        v,
        chrome,
        today: day,
        classes,
        systems,
        chosen: system_names.iter().map(|(id, _)| *id).collect(),
        system_names,
    })
}

// --- h15b: a contractor's own fields edited on its page ---
pub async fn update_contractor(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let form = contractor_form(&f);
    let outcome = state
        .app
        .update_contractor(&user, id, revision, &form)
        .await;
    let back = format!("/contractors/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("委託先を更新しました", "Contractor updated"),
        &f,
        (&back, ""),
    )
    .await?;
    Ok(to_contractor(id))
}

fn to_contractor(id: i64) -> Response {
    Redirect::to(&format!("/contractors/{id}")).into_response()
}

pub async fn set_criteria(
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
        .set_contractor_criteria(&user, id, revision, &f.all("met"), &f.get("note"))
        .await;
    settled(
        &session,
        lang,
        outcome,
        "選定基準の評価を記録しました",
        "Criteria recorded",
    )
    .await?;
    Ok(to_contractor(id))
}

pub async fn add_contract(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = ContractForm {
        title: f.get("title"),
        starts_on: f.get("starts_on"),
        ends_on: f.get("ends_on"),
        clauses: f.all("clauses"),
    };
    let outcome = state.app.add_contract(&user, id, &form, &today()).await;
    let page = format!("/contractors/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("契約を登録しました", "Contract recorded"),
        &f,
        (&page, "contract"),
    )
    .await?;
    Ok(to_contractor(id))
}

pub async fn add_staff(
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
        .add_contractor_staff(&user, id, &f.get("username"), &f.get("name"))
        .await;
    let page = format!("/contractors/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("従事者を登録しました", "Staff member added"),
        &f,
        (&page, "staff"),
    )
    .await?;
    Ok(to_contractor(id))
}

pub async fn add_assessment(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = AssessmentForm {
        assessed_on: f.get("assessed_on"),
        result: f.get("result"),
        follow_up: f.get("follow_up"),
        next_due: f.get("next_due"),
    };
    let outcome = state
        .app
        .add_contractor_assessment(&user, id, &form, &today())
        .await;
    let page = format!("/contractors/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("評価を記録しました", "Assessment recorded"),
        &f,
        (&page, "assessment"),
    )
    .await?;
    Ok(to_contractor(id))
}

pub async fn export_contractors(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ContractorListQuery>,
) -> AppResult<Response> {
    let format = format_of(&FormatQuery {
        format: q.format.clone(),
    });
    let bytes = state
        .app
        .export_contractors(&user, format, &q.query(), &today())
        .await?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("contractors.{}", format.extension()),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/services.html")]
pub struct ServicesPage {
    chrome: Chrome,
    rows: Vec<ServiceRecord>,
    pager: Pager,
    may_manage: bool,
    classes: Vec<(String, String)>,
    systems: Vec<(i64, String)>,
    contractors: Vec<(i64, String)>,
    f: ServiceListQuery,
    filters: String,
}

pub async fn services(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ServiceListQuery>,
) -> AppResult<ServicesPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let list = state.app.list_services(&user, &q.query(), page).await?;
    let pairs = q.pairs();
    let pager = Pager::new(&t, &query_string("/services", &pairs), page, list.total);
    let filters = filter_string(&pairs);
    let may_manage = state.app.may_manage_contractors(&user);
    let classes = class_choices(&state, &user, &t).await?;
    let systems = system_choices(&state, &user).await?;
    let contractors = if may_manage {
        state
            .app
            .list_contractors(
                &user,
                &ContractorQuery::default(),
                &today(),
                PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
            )
            .await?
            .items
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/services", "services").await?;
    Ok(ServicesPage {
        chrome,
        rows: list.items,
        pager,
        may_manage,
        classes,
        systems,
        contractors,
        f: q,
        filters,
    })
}

pub async fn create_service(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let outcome = state.app.create_service(&user, &service_form(&f)).await;
    settled_keeping(
        &session,
        lang,
        outcome,
        ("外部サービスを登録しました", "Service recorded"),
        &f,
        ("/services", ""),
    )
    .await?;
    Ok(Redirect::to("/services").into_response())
}

// --- h15b: one external service, with its edit form ---
#[derive(Template, WebTemplate)]
#[template(path = "ops/service.html")]
pub struct ServicePage {
    chrome: Chrome,
    s: ServiceRecord,
    may_manage: bool,
    /// The systems it serves, by code and name where known.
    system_names: Vec<(i64, String)>,
    // The edit form's choices (empty unless the person may edit).
    classes: Vec<(String, String)>,
    systems: Vec<(i64, String)>,
    /// (id, name, whether it provides the service).
    contractors: Vec<(i64, String, bool)>,
    /// The service's systems as ids, for the form's selection.
    chosen: Vec<i64>,
}

pub async fn service(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<ServicePage> {
    let t = T { lang };
    let s = state.app.service(&user, id).await?;
    let may_manage = state.app.may_manage_contractors(&user);
    let known = system_choices(&state, &user).await?;
    let system_names = named_systems(&s.systems, &known);
    let (classes, systems, contractors) = if may_manage {
        let contractors = state
            .app
            .list_contractors(
                &user,
                &ContractorQuery::default(),
                &today(),
                PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
            )
            .await?
            .items
            .into_iter()
            .map(|c| (c.id, c.name, s.contractor_id == Some(c.id)))
            .collect();
        (class_choices(&state, &user, &t).await?, known, contractors)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/services/{id}"),
        "services",
    )
    .await?;
    Ok(ServicePage {
        chosen: system_names.iter().map(|(id, _)| *id).collect(),
        chrome,
        s,
        may_manage,
        system_names,
        classes,
        systems,
        contractors,
    })
}

fn contractor_form(f: &super::ops::Fields) -> ContractorForm {
    ContractorForm {
        name: f.get("name"),
        business: f.get("business"),
        systems: f.ids("systems"),
        highest_class: f.get("highest_class"),
        data_location: f.get("data_location"),
    }
}

fn service_form(f: &super::ops::Fields) -> ServiceForm {
    let contractor = f.get("contractor_id");
    ServiceForm {
        name: f.get("name"),
        contractor_id: opt(&contractor).map(|s| s.parse().unwrap_or(-1)),
        cloud: f.ticked("cloud"),
        purpose: f.get("purpose"),
        systems: f.ids("systems"),
        highest_class: f.get("highest_class"),
        data_location: f.get("data_location"),
        ismap: f.ticked("ismap"),
        ismap_id: f.get("ismap_id"),
        alpha_prime: f.ticked("alpha_prime"),
        ranges: vec![f.get("ranges")],
    }
}

pub async fn update_service(
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
        .update_service(&user, id, revision, &service_form(&f))
        .await;
    let back = format!("/services/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("外部サービスを更新しました", "Service updated"),
        &f,
        (&back, ""),
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

pub async fn export_services(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ServiceListQuery>,
) -> AppResult<Response> {
    let format = format_of(&FormatQuery {
        format: q.format.clone(),
    });
    let bytes = state.app.export_services(&user, format, &q.query()).await?;
    Ok(crate::download::attachment(
        bytes,
        format.content_type(),
        &format!("services.{}", format.extension()),
    ))
}

// --- emergency response plans ---

/// A plan as a line of the list, its category named.
pub struct PlanLine {
    pub p: PlanRecord,
    pub category: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/plans.html")]
pub struct PlansPage {
    chrome: Chrome,
    rows: Vec<PlanLine>,
    may_manage: bool,
    categories: Vec<(String, String)>,
    systems: Vec<(i64, String)>,
}

pub async fn plans(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<PlansPage> {
    let t = T { lang };
    let list = state.app.plans(&user).await?;
    let may_manage = state.app.may_manage_plans(&user);
    let systems = if may_manage {
        system_choices(&state, &user).await?
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/plans", "plans").await?;
    Ok(PlansPage {
        chrome,
        rows: list
            .into_iter()
            .map(|p| PlanLine {
                category: name_of(&t, &names!(PlanCategory), &p.category),
                p,
            })
            .collect(),
        may_manage,
        categories: choices(&t, &names!(PlanCategory)),
        systems,
    })
}

pub async fn create_plan(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = PlanForm {
        category: f.get("category"),
        title: f.get("title"),
        contacts: f.get("contacts"),
        steps: f.get("steps"),
        systems: f.ids("systems"),
    };
    match state.app.create_plan(&user, &form).await {
        Ok(p) => {
            flash(
                &session,
                T { lang }.pick("緊急時対応計画を登録しました", "Plan recorded"),
            )
            .await;
            Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/plans").await?;
            Ok(Redirect::to("/plans").into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/plan.html")]
pub struct PlanPage {
    chrome: Chrome,
    v: PlanView,
    category: String,
    today: String,
}

pub async fn plan(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<PlanPage> {
    let t = T { lang };
    let v = state.app.plan_view(&user, id).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/plans/{id}"),
        "plans",
    )
    .await?;
    Ok(PlanPage {
        category: name_of(&t, &names!(PlanCategory), &v.plan.category),
        v,
        chrome,
        today: today(),
    })
}

pub async fn record_drill(
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
        .record_drill(&user, id, &f.get("held_on"), &f.get("note"), &today())
        .await;
    let page = format!("/plans/{id}");
    settled_keeping(
        &session,
        lang,
        outcome,
        ("訓練を記録しました", "Drill recorded"),
        &f,
        (&page, "drill"),
    )
    .await?;
    Ok(Redirect::to(&page).into_response())
}

/// Records, from the plan's page, that an incident followed it.
pub async fn link_incident(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let incident = f.get("incident_id").trim().parse().unwrap_or(-1);
    let outcome = state.app.set_incident_plan(&user, incident, Some(id)).await;
    settled(
        &session,
        lang,
        outcome,
        "インシデントとの関連を記録しました",
        "Incident linked",
    )
    .await?;
    Ok(Redirect::to(&format!("/plans/{id}")).into_response())
}
