//! Acknowledgements (誓約): a member of staff confirms the policy versions they are
//! asked to; the security office opens campaigns and follows the rate per unit.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use mamori_authz::Action;
use mamori_core::org::{EmploymentType, GUIDELINE_ROLES, guideline_role};
use mamori_core::problem::Class;
use mamori_store::org::{
    AckCampaign, AckRequest, NewAckCampaign, NewRoleAssignment, PolicyRevision, RoleAssignment,
    UnitAckRate,
};
use mamori_store::users::User;
use mamori_store::{Page, PageRequest};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// The status of one campaign, for those who may see it.
pub struct CampaignStatus {
    pub campaign: AckCampaign,
    pub within: Option<i64>,
    pub rates: Vec<(UnitAckRate, i64)>,
    pub rates_pager: Pager,
    pub pending: Vec<AckRequest>,
    pub pending_pager: Pager,
}

#[derive(Template, WebTemplate)]
#[template(path = "acknowledgements.html")]
pub struct AckPage {
    chrome: Chrome,
    mine: Vec<AckRequest>,
    mine_pager: Pager,
    campaigns: Option<Page<AckCampaign>>,
    status: Option<CampaignStatus>,
    revisions: Vec<PolicyRevision>,
    can_open: bool,
}

#[derive(Deserialize, Default)]
pub struct AckQuery {
    pub campaign: Option<i64>,
    pub within: Option<i64>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    pub rpage: Option<u32>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<AckQuery>,
) -> AppResult<AckPage> {
    let page = PageRequest::new(q.page, q.per_page);
    let mine = state.app.my_ack_requests(&user, page).await?;
    let t = T { lang };
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/acknowledgements",
        "acknowledgements",
    )
    .await?;
    let mine_pager = Pager::new(&t, "/acknowledgements", page, mine.total);
    let sees_all = state.app.may_app(&user, Action::ReadAckStatus);
    let campaigns = if sees_all {
        Some(
            state
                .app
                .ack_campaigns(&user, PageRequest::default())
                .await?,
        )
    } else {
        None
    };
    let status = match q.campaign {
        Some(id) => {
            let campaign = state.app.ack_campaign(&user, id, q.within).await?;
            let within = q.within.map(|w| w.to_string()).unwrap_or_default();
            let base = query_string(
                "/acknowledgements",
                &[("campaign", &id.to_string()), ("within", &within)],
            );
            let rpage = PageRequest::new(q.rpage, None);
            let rates = state.app.ack_rates(&user, id, q.within, rpage).await?;
            let pending = state.app.ack_pending(&user, id, q.within, page).await?;
            Some(CampaignStatus {
                campaign,
                within: q.within,
                rates_pager: Pager::new(&t, &base, rpage, rates.total),
                rates: rates
                    .items
                    .into_iter()
                    .map(|r| {
                        let p = r.percent();
                        (r, p)
                    })
                    .collect(),
                pending_pager: Pager::new(&t, &base, page, pending.total),
                pending: pending.items,
            })
        }
        None => None,
    };
    let can_open = state.app.may_app(&user, Action::ManageAcknowledgements);
    let revisions = if can_open {
        state
            .app
            .policy_revisions(&user, PageRequest::default())
            .await?
            .items
    } else {
        Vec::new()
    };
    Ok(AckPage {
        chrome,
        mine: mine.items,
        mine_pager,
        campaigns,
        status,
        revisions,
        can_open,
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(campaign_id): Path<i64>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    state.app.acknowledge(&user, campaign_id).await?;
    flash(&session, T { lang }.get("ack.confirmed")).await;
    Ok(Redirect::to("/acknowledgements"))
}

#[derive(Deserialize)]
pub struct OpenForm {
    csrf: String,
    revision_id: i64,
    title: String,
    #[serde(default)]
    due_on: String,
}

pub async fn open(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<OpenForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let due_on = Some(form.due_on).filter(|d| !d.trim().is_empty());
    let result = state
        .app
        .open_ack_campaign(
            &user,
            NewAckCampaign {
                revision_id: form.revision_id,
                title: form.title,
                due_on,
            },
        )
        .await;
    match result {
        Ok(c) => {
            flash(
                &session,
                format!("{} ({})", T { lang }.get("ack.opened"), c.requested),
            )
            .await;
            Ok(Redirect::to(&format!(
                "/acknowledgements?campaign={}",
                c.id
            )))
        }
        Err(e) if e.class() == mamori_core::problem::Class::Invalid => {
            flash_error(&session, e.to_string()).await;
            Ok(Redirect::to("/acknowledgements"))
        }
        Err(e) => Err(e.into()),
    }
}

/// One row of a user's role assignments.
pub struct AssignmentLine {
    pub a: RoleAssignment,
    pub role_name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff.html")]
pub struct StaffPage {
    chrome: Chrome,
    target: User,
    employment_name: String,
    employment_types: Vec<(String, String)>,
    can_edit: bool,
    can_assign: bool,
    assignments: Vec<AssignmentLine>,
    pager: Pager,
    roles: Vec<(String, String)>,
    units: Vec<(i64, String)>,
}

fn role_name(code: &str, lang: Lang) -> String {
    guideline_role(code)
        .map(|r| lang.pick(r.name_ja, r.name_en).to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// A member of staff: employment type, position, and the guideline roles they hold.
pub async fn staff(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<AckQuery>,
) -> AppResult<StaffPage> {
    let page = PageRequest::new(q.page, q.per_page);
    let staff = state.app.staff(&user, id, page).await?;
    let (target, list, can_assign) = (staff.user, staff.assignments, staff.may_assign);
    let t = T { lang };
    let path = format!("/users/{id}/staff");
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &path, "users").await?;
    let units = if can_assign {
        state
            .store
            .all_units()
            .await?
            .into_iter()
            .map(|u| (u.id, lang.pick(&u.name, &u.name_en).to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let employment_name = target
        .employment_type
        .parse::<EmploymentType>()
        .map(|e| lang.pick(e.name_ja(), e.name_en()).to_string())
        .unwrap_or_else(|_| target.employment_type.clone());
    Ok(StaffPage {
        chrome,
        employment_name,
        employment_types: EmploymentType::ALL
            .iter()
            .map(|e| {
                (
                    e.code().to_string(),
                    lang.pick(e.name_ja(), e.name_en()).to_string(),
                )
            })
            .collect(),
        can_edit: staff.may_edit,
        can_assign,
        pager: Pager::new(&t, &path, page, list.total),
        assignments: list
            .items
            .into_iter()
            .map(|a| AssignmentLine {
                role_name: role_name(&a.role, lang),
                a,
            })
            .collect(),
        roles: GUIDELINE_ROLES
            .iter()
            .map(|r| {
                (
                    r.code.to_string(),
                    lang.pick(r.name_ja, r.name_en).to_string(),
                )
            })
            .collect(),
        units,
        target,
    })
}

#[derive(Deserialize)]
pub struct StaffForm {
    csrf: String,
    employment_type: String,
    #[serde(default)]
    position: String,
}

pub async fn save_staff(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<StaffForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let et = form
        .employment_type
        .parse::<EmploymentType>()
        .map_err(|e| AppError::bad_request(format!("雇用形態が不明です / {e}")))?;
    state.app.set_staff(&user, id, et, &form.position).await?;
    flash(&session, T { lang }.get("common.saved")).await;
    Ok(Redirect::to(&format!("/users/{id}/staff")))
}

#[derive(Deserialize)]
pub struct AssignForm {
    csrf: String,
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    system_id: String,
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    note: String,
}

fn optional_id(field: &str, s: &str) -> AppResult<Option<i64>> {
    match s.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| {
            AppError::bad_request(format!(
                "{field}: 数値ではありません '{v}' / not a number '{v}'"
            ))
        }),
    }
}

pub async fn assign(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<AssignForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let result = state
        .app
        .assign_role(
            &user,
            NewRoleAssignment {
                user_id: id,
                role: form.role,
                unit_id: optional_id("unit_id", &form.unit_id)?,
                system_id: optional_id("system_id", &form.system_id)?,
                starts_on: form.starts_on,
                ends_on: Some(form.ends_on).filter(|e| !e.trim().is_empty()),
                note: form.note,
            },
        )
        .await;
    match result {
        Ok(a) => flash(&session, format!("{} #{}", a.role, a.id)).await,
        Err(e) if e.class() == Class::Invalid => flash_error(&session, e.to_string()).await,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/users/{id}/staff")))
}

#[derive(Deserialize)]
pub struct EndForm {
    csrf: String,
    ends_on: String,
}

pub async fn end_assignment(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, assignment)): Path<(i64, i64)>,
    axum::Form(form): axum::Form<EndForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    match state.app.end_role(&user, assignment, &form.ends_on).await {
        Ok(_) => flash(&session, T { lang }.get("common.saved")).await,
        Err(e) if e.class() == Class::Invalid => flash_error(&session, e.to_string()).await,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/users/{id}/staff")))
}
