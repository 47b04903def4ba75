//! Administration: the organisation's units, users and their roles, the event log
//! with its chain check, and the authorization policy in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_authz::Action;
use mamori_core::org::{SystemRole, UnitKind};
use mamori_core::problem::{Class, Lang as ProblemLang};
use mamori_store::units::{NewUnit, Unit};
use mamori_store::users::{NewUser, User, UserUpdate};
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// Why an operation was refused, in the reader's language.
pub(super) fn worded(e: &mamori_app::Error, lang: Lang) -> String {
    e.problems()
        .iter()
        .map(|p| {
            lang.pick(&p.message(ProblemLang::Ja), &p.message(ProblemLang::En))
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether an error is about what was entered (shown on the form), rather than
/// a fault or a refusal answered with an error page.
fn refused(e: &mamori_app::Error) -> bool {
    matches!(e.class(), Class::Invalid | Class::Conflict)
}

pub struct UnitLine {
    pub id: i64,
    pub active: bool,
    pub abolished_on: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub indent: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
pub struct UnitsPage {
    chrome: Chrome,
    units: Vec<UnitLine>,
    pager: Pager,
    can_manage: bool,
    kinds: Vec<(String, String)>,
    parents: Vec<(i64, String)>,
}

pub(super) fn kind_name(kind: &str, lang: Lang) -> String {
    kind.parse::<UnitKind>()
        .map(|k| lang.pick(k.name_ja(), k.name_en()).to_string())
        .unwrap_or_else(|_| kind.to_string())
}

/// "総務局 / 総務課" style labels of every unit, for choosers.
pub(super) fn unit_labels(units: &[Unit], lang: Lang) -> Vec<(i64, String)> {
    let names: HashMap<i64, &str> = units
        .iter()
        .map(|u| (u.id, lang.pick(&u.name, &u.name_en)))
        .collect();
    units
        .iter()
        .map(|u| {
            let label = u
                .lineage()
                .iter()
                .filter_map(|id| names.get(id).copied())
                .collect::<Vec<_>>()
                .join(" / ");
            (u.id, label)
        })
        .collect()
}

pub async fn units(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<Paging>,
) -> AppResult<UnitsPage> {
    let request = q.request();
    let page = state.app.units(&user, request).await?;
    let units = page
        .items
        .iter()
        .map(|u| UnitLine {
            id: u.id,
            active: u.active,
            abolished_on: u.abolished_on.clone().unwrap_or_default(),
            code: u.code.clone(),
            name: u.name.clone(),
            name_en: u.name_en.clone(),
            kind: kind_name(&u.kind, lang),
            indent: "　".repeat(u.lineage().len().saturating_sub(1)),
        })
        .collect();
    let can_manage = state.app.may_app(&user, Action::ManageUnits);
    let parents = if can_manage {
        unit_labels(&state.store.all_units().await?, lang)
    } else {
        Vec::new()
    };
    let kinds = UnitKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_string(),
                lang.pick(k.name_ja(), k.name_en()).to_string(),
            )
        })
        .collect();
    let pager = Pager::new(&T { lang }, "/units", request, page.total);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/units", "units").await?;
    Ok(UnitsPage {
        chrome,
        units,
        pager,
        can_manage,
        kinds,
        parents,
    })
}

#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf: String,
    code: String,
    name: String,
    #[serde(default)]
    name_en: String,
    kind: String,
    #[serde(default)]
    parent_id: String,
}

pub async fn create_unit(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<UnitForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let kind = form
        .kind
        .parse::<UnitKind>()
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let parent_id = match form.parent_id.trim() {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::bad_request(format!("parent_id '{p}' is not a number")))?,
        ),
    };
    let result = state
        .app
        .create_unit(
            &user,
            NewUnit {
                parent_id,
                code: form.code,
                name: form.name,
                name_en: form.name_en,
                kind,
            },
        )
        .await;
    match result {
        Ok(u) => {
            flash(
                &session,
                format!("{}: {}", T { lang }.get("units.created"), u.name),
            )
            .await
        }
        Err(e) if refused(&e) => flash_error(&session, worded(&e, lang)).await,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/units"))
}

pub struct UserLine {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub roles: String,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    chrome: Chrome,
    q: String,
    users: Vec<UserLine>,
    pager: Pager,
    headers: Vec<super::SortHeader>,
    can_manage: bool,
}

fn role_names(roles: &[String], lang: Lang) -> String {
    roles
        .iter()
        .map(|r| {
            r.parse::<SystemRole>()
                .map(|r| lang.pick(r.name_ja(), r.name_en()).to_string())
                .unwrap_or_else(|_| r.clone())
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    /// A sort key (an unknown one leaves the default order) and `asc`/`desc`.
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(flatten)]
    page: Paging,
}

pub async fn users(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(query): Query<UsersQuery>,
) -> AppResult<UsersPage> {
    // Everyone for read_users; else the staff of the units the policy lets the
    // user read (a 情報セキュリティ管理者's section), or nobody.
    let request = query.page.request();
    let q = query.q.unwrap_or_default();
    let key = mamori_store::users::UserSortKey::from_code(&query.sort).unwrap_or_default();
    let descending = query.dir == "desc";
    let page = state
        .app
        .users_sorted(
            &user,
            Some(&q),
            mamori_store::users::UserSort { key, descending },
            request,
        )
        .await?;
    let labels: HashMap<i64, String> = unit_labels(&state.store.all_units().await?, lang)
        .into_iter()
        .collect();
    let users = page
        .items
        .iter()
        .map(|u| UserLine {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit: u
                .unit_id
                .and_then(|id| labels.get(&id).cloned())
                .unwrap_or_default(),
            roles: role_names(&u.roles, lang),
            active: u.active,
        })
        .collect();
    let filter_base = query_string("/users", &[("q", &q)]);
    let t = T { lang };
    let headers = super::sort_headers(
        &filter_base,
        key.code(),
        descending,
        &[
            ("username", t.get("users.username").to_string()),
            ("display_name", t.get("users.display_name").to_string()),
            ("unit", t.get("users.unit").to_string()),
            ("", t.get("users.roles").to_string()),
            ("", t.get("users.state").to_string()),
        ],
    );
    let base = query_string(
        "/users",
        &[
            ("q", &q),
            (
                "sort",
                if query.sort.is_empty() {
                    ""
                } else {
                    key.code()
                },
            ),
            ("dir", if descending { "desc" } else { "" }),
        ],
    );
    let pager = Pager::new(&t, &base, request, page.total);
    let can_manage = state.app.may_manage_users(&user);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "users").await?;
    Ok(UsersPage {
        chrome,
        q,
        users,
        pager,
        headers,
        can_manage,
    })
}

/// The values of the user form, as typed.
#[derive(Default)]
pub struct UserFormValues {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub unit_id: String,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_form.html")]
pub struct UserFormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    is_new: bool,
    form: UserFormValues,
    units: Vec<(i64, String)>,
    roles: Vec<(String, String, bool)>,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed
async fn user_form_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &crate::auth::Authed,
    existing: Option<&User>,
    form: UserFormValues,
    roles: &[String],
    error: Option<String>,
) -> AppResult<UserFormPage> {
    let t = T { lang };
    let (heading, action, path) = match existing {
        Some(u) => (
            format!("{}: {}", t.get("users.edit"), u.username),
            format!("/users/{}", u.id),
            format!("/users/{}", u.id),
        ),
        None => (
            t.get("users.new").to_string(),
            "/users".to_string(),
            "/users/new".to_string(),
        ),
    };
    let chrome = Chrome::new(state, session, lang, Some(user), &path, "users").await?;
    Ok(UserFormPage {
        chrome,
        heading,
        action,
        is_new: existing.is_none(),
        form,
        units: unit_labels(&state.store.all_units().await?, lang),
        roles: SystemRole::ALL
            .iter()
            .map(|r| {
                (
                    r.code().to_string(),
                    lang.pick(r.name_ja(), r.name_en()).to_string(),
                    roles.iter().any(|x| x == r.code()),
                )
            })
            .collect(),
        error,
    })
}

pub async fn new_user_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<UserFormPage> {
    state.app.may_create_user(&user)?;
    user_form_page(
        &state,
        &session,
        lang,
        &user,
        None,
        UserFormValues {
            active: true,
            ..Default::default()
        },
        &["staff".to_string()],
        None,
    )
    .await
}

/// A posted user form. Parsed by hand because `role` repeats.
struct PostedUser {
    csrf: String,
    username: String,
    display_name: String,
    email: String,
    unit_id: String,
    roles: Vec<String>,
    password: String,
    active: bool,
}

fn parse_user_form(body: &[u8]) -> AppResult<PostedUser> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| AppError::bad_request(format!("invalid form: {e}")))?;
    let mut p = PostedUser {
        csrf: String::new(),
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        unit_id: String::new(),
        roles: Vec::new(),
        password: String::new(),
        active: false,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => p.csrf = v,
            "username" => p.username = v,
            "display_name" => p.display_name = v,
            "email" => p.email = v,
            "unit_id" => p.unit_id = v,
            "role" => p.roles.push(v),
            "password" => p.password = v,
            "active" => p.active = true,
            _ => {}
        }
    }
    Ok(p)
}

fn parse_roles(roles: &[String]) -> AppResult<Vec<SystemRole>> {
    roles
        .iter()
        .map(|r| {
            r.parse::<SystemRole>()
                .map_err(|e| AppError::bad_request(e.to_string()))
        })
        .collect()
}

fn parse_unit(unit: &str) -> AppResult<Option<i64>> {
    match unit.trim() {
        "" => Ok(None),
        u => u
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::bad_request(format!("unit_id '{u}' is not a number"))),
    }
}

pub async fn create_user(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let p = parse_user_form(&body)?;
    verify_csrf(&session, &p.csrf).await?;
    let new = NewUser {
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        email: Some(p.email.clone()),
        unit_id: parse_unit(&p.unit_id)?,
        roles: parse_roles(&p.roles)?,
        password: p.password.clone(),
        must_change_password: true,
    };
    match state.app.create_user(&user, new).await {
        Ok(created) => {
            flash(
                &session,
                format!("{}: {}", T { lang }.get("users.created"), created.username),
            )
            .await;
            Ok(Redirect::to(&format!("/users/{}", created.id)).into_response())
        }
        Err(e) if refused(&e) => {
            let form = UserFormValues {
                username: p.username,
                display_name: p.display_name,
                email: p.email,
                unit_id: p.unit_id,
                active: true,
            };
            let page = user_form_page(
                &state,
                &session,
                lang,
                &user,
                None,
                form,
                &p.roles,
                Some(worded(&e, lang)),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<UserFormPage> {
    let target = state.app.managed_user(&user, id).await?;
    let form = UserFormValues {
        username: target.username.clone(),
        display_name: target.display_name.clone(),
        email: target.email.clone().unwrap_or_default(),
        unit_id: target.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        active: target.active,
    };
    user_form_page(
        &state,
        &session,
        lang,
        &user,
        Some(&target),
        form,
        &target.roles,
        None,
    )
    .await
}

pub async fn update_user(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let p = parse_user_form(&body)?;
    verify_csrf(&session, &p.csrf).await?;
    let target = state.app.managed_user(&user, id).await?;
    let update = UserUpdate {
        display_name: Some(p.display_name.clone()),
        email: Some(Some(p.email.clone())),
        unit_id: Some(parse_unit(&p.unit_id)?),
        roles: Some(parse_roles(&p.roles)?),
        active: Some(p.active),
    };
    match state.app.update_user(&user, id, update).await {
        Ok(_) => {
            flash(&session, T { lang }.get("common.saved")).await;
            Ok(Redirect::to(&format!("/users/{id}")).into_response())
        }
        Err(e) if e.class() == Class::Invalid => {
            let form = UserFormValues {
                username: target.username.clone(),
                display_name: p.display_name,
                email: p.email,
                unit_id: p.unit_id,
                active: p.active,
            };
            let page = user_form_page(
                &state,
                &session,
                lang,
                &user,
                Some(&target),
                form,
                &p.roles,
                Some(worded(&e, lang)),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    new_password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ResetForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    match state
        .app
        .reset_password(&user, id, &form.new_password)
        .await
    {
        Ok(()) => flash(&session, T { lang }.get("users.password_reset")).await,
        Err(e) if e.class() == Class::Invalid => flash_error(&session, worded(&e, lang)).await,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/users/{id}")))
}

/// One area's table of the 権限 page: its columns' names, and for each role
/// its name and cells (a mark, and the conditions in words).
pub struct AuthzArea {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, bool, Vec<AuthzCell>)>,
}

/// A cell as shown: 可, 条件付き (with the conditions) or —.
pub struct AuthzCell {
    pub class: &'static str,
    pub mark: String,
    pub conditions: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "authz.html")]
pub struct AuthzPage {
    chrome: Chrome,
    areas: Vec<AuthzArea>,
    files: Vec<(String, String)>,
}

/// The 権限 page: a table of roles × actions read from the policy in force,
/// with the Cedar source one click away.
pub async fn authz_policies(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<AuthzPage> {
    use mamori_authz::matrix::{Area, Cell};
    let files = state.app.policy_files(&user)?;
    let matrix = state.app.permission_matrix(&user)?;
    let t = T { lang };
    let areas = Area::ALL
        .iter()
        .map(|area| {
            let cols: Vec<usize> = matrix
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.area == *area)
                .map(|(i, _)| i)
                .collect();
            AuthzArea {
                name: t.pick(area.name_ja(), area.name_en()).to_string(),
                columns: cols
                    .iter()
                    .map(|i| {
                        let c = &matrix.columns[*i];
                        t.pick(c.name_ja(), c.name_en()).to_string()
                    })
                    .collect(),
                rows: matrix
                    .rows
                    .iter()
                    .map(|(role, cells)| {
                        let shown = cols
                            .iter()
                            .map(|i| match cells.get(*i) {
                                Some(Cell::Yes) => AuthzCell {
                                    class: "yes",
                                    mark: t.pick("可", "yes").to_string(),
                                    conditions: String::new(),
                                },
                                Some(Cell::Conditional(conds)) => AuthzCell {
                                    class: "cond",
                                    mark: t.pick("条件付き", "conditional").to_string(),
                                    conditions: conds
                                        .iter()
                                        .map(|c| t.pick(c.name_ja(), c.name_en()))
                                        .collect::<Vec<_>>()
                                        .join(t.pick("・", "; ")),
                                },
                                _ => AuthzCell {
                                    class: "no",
                                    mark: "—".to_string(),
                                    conditions: String::new(),
                                },
                            })
                            .collect();
                        (
                            t.pick(role.name_ja, role.name_en).to_string(),
                            role.guideline,
                            shown,
                        )
                    })
                    .collect(),
            }
        })
        .filter(|a| !a.columns.is_empty())
        .collect();
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/authz", "authz").await?;
    Ok(AuthzPage {
        chrome,
        areas,
        files,
    })
}
