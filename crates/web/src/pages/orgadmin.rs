//! The organisation's administration: importing units and staff from the HR
//! system's export (/org/import) and a unit's history (/units/{id}: rename,
//! merge, abolish).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_authz::Action;
use mamori_store::assets::ImportIssue;
use mamori_store::org_import::{OrgImportKind, OrgImportReport};
use mamori_store::units::Unit;
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, flash_error};
use crate::auth::{Authed, PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "org_import.html")]
pub struct ImportPage {
    chrome: Chrome,
    kind: String,
    report: Option<OrgImportReport>,
    errors: Vec<ImportIssue>,
    error: Option<String>,
}

async fn import_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    kind: String,
    report: Option<OrgImportReport>,
    error: Option<String>,
) -> AppResult<ImportPage> {
    let chrome = Chrome::new(state, session, lang, Some(user), "/org/import", "units").await?;
    let errors = report
        .as_ref()
        .map(|r| r.report.errors.iter().take(500).cloned().collect())
        .unwrap_or_default();
    Ok(ImportPage {
        chrome,
        kind,
        report,
        errors,
        error,
    })
}

fn may_import(state: &AppState, user: &Authed) -> AppResult<()> {
    if state.app.may_import_org(user) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ImportPage> {
    may_import(&state, &user)?;
    import_page(&state, &session, lang, &user, "units".into(), None, None).await
}

pub async fn import(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    mut form: Multipart,
) -> AppResult<Response> {
    let (mut csrf, mut kind, mut file) = (String::new(), String::new(), Vec::new());
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "kind" => kind = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes.to_vec(),
            _ => {}
        }
    }
    verify_csrf(&session, &csrf).await?;
    may_import(&state, &user)?;
    let parsed = kind
        .parse::<OrgImportKind>()
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    if file.is_empty() {
        let msg = T { lang }.get("orgimport.no_file").to_string();
        let page = import_page(&state, &session, lang, &user, kind, None, Some(msg)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let report = state
        .app
        .import_org(
            &user,
            &file,
            mamori_app::imports::sniff_format(None, &file),
            parsed,
        )
        .await?;
    let status = if report.report.written {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = import_page(&state, &session, lang, &user, kind, Some(report), None).await?;
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub struct UnitPage {
    chrome: Chrome,
    unit: Unit,
    kind: String,
    parent: Option<Unit>,
    merged_into: Option<Unit>,
    history: Vec<super::events::LogLine>,
    pager: Pager,
    can_manage: bool,
    targets: Vec<(i64, String)>,
    today: String,
}

pub async fn unit(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Paging>,
) -> AppResult<UnitPage> {
    let unit = state.store.unit(id).await?;
    let by_id = |id: Option<i64>| {
        let store = state.store.clone();
        async move {
            match id {
                Some(id) => store.unit(id).await.map(Some),
                None => Ok(None),
            }
        }
    };
    let parent = by_id(unit.parent_id).await?;
    let merged_into = by_id(unit.merged_into).await?;
    let request = q.request();
    let page = state.app.unit_history(&user, id, request).await?;
    let t_hist = T { lang };
    let history = state
        .app
        .with_people(page.items)
        .await?
        .iter()
        .map(|entry| super::events::log_line(entry, &t_hist))
        .collect();
    let can_manage = state.app.may_app(&user, Action::ManageUnits);
    let targets = if can_manage && unit.active {
        super::admin::unit_labels(&state.store.all_units().await?, lang)
            .into_iter()
            .filter(|(t, _)| *t != id)
            .collect()
    } else {
        Vec::new()
    };
    let path = format!("/units/{id}");
    let pager = Pager::new(&T { lang }, &path, request, page.total);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &path, "units").await?;
    Ok(UnitPage {
        chrome,
        kind: super::admin::kind_name(&unit.kind, lang),
        unit,
        parent,
        merged_into,
        history,
        pager,
        can_manage,
        targets,
        today: mamori_store::org::today(),
    })
}

#[derive(Deserialize)]
pub struct UnitChange {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    on: String,
}

/// Renames, merges or abolishes a unit (`what` from the path).
pub async fn change_unit(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, what)): Path<(i64, String)>,
    axum::Form(form): axum::Form<UnitChange>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let app = &state.app;
    let result = match what.as_str() {
        "rename" => app.rename_unit(&user, id, &form.name, &form.name_en).await,
        "merge" => {
            let into = form.into.trim().parse::<i64>().map_err(|_| {
                AppError::bad_request(format!("into '{}' is not a unit id", form.into))
            })?;
            app.merge_unit(&user, id, into, &form.on).await
        }
        "abolish" => app.abolish_unit(&user, id, &form.on).await,
        _ => return Err(AppError::not_found(format!("/units/{id}/{what}"))),
    };
    match result {
        Ok(_) => flash(&session, T { lang }.get("common.saved")).await,
        Err(e)
            if matches!(
                e.class(),
                mamori_core::problem::Class::Invalid | mamori_core::problem::Class::Conflict
            ) =>
        {
            flash_error(&session, e.to_string()).await
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/units/{id}")))
}
