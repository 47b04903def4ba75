//! The network-resilience page: upload a configuration, see the matrix and the
//! violations, and the history of checks per device.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_netcheck::ConfigInput;
use mamori_store::netcheck::{NewRun, RunSummary};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::netcheck_view::{
    CheckInput, ReportView, Want, current_segments_file, declared_segments, read_blocking,
    run_check, view, window,
};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "netcheck.html")]
pub struct NetcheckPage {
    chrome: Chrome,
    error: Option<String>,
    device: String,
    model: String,
    models: Vec<String>,
    segments: String,
    model_toml: String,
    config_text: String,
    devices: Vec<(String, i64)>,
    selected_device: String,
    runs: Vec<RunSummary>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct NetcheckQuery {
    device: Option<String>,
    #[serde(flatten)]
    page: Paging,
}

/// The form's values, kept when it is shown again with an error.
#[derive(Default)]
pub struct Posted {
    csrf: String,
    device: String,
    model: String,
    segments: String,
    model_toml: String,
    config_text: String,
    files: Vec<ConfigInput>,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed
async fn page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &crate::auth::Authed,
    device_filter: String,
    request: mamori_store::PageRequest,
    posted: Posted,
    error: Option<String>,
) -> AppResult<NetcheckPage> {
    let segments = if posted.segments.is_empty() {
        current_segments_file(state, user).await?
    } else {
        posted.segments
    };
    let runs = state
        .app
        .netchecks(user, Some(&device_filter), request)
        .await?;
    let base = query_string("/netcheck", &[("device", &device_filter)]);
    let pager = Pager::new(&T { lang }, &base, request, runs.total);
    let chrome = Chrome::new(state, session, lang, Some(user), &base, "netcheck").await?;
    Ok(NetcheckPage {
        chrome,
        error,
        device: posted.device,
        model: posted.model,
        models: mamori_netcheck::builtin_model_names()
            .into_iter()
            .map(String::from)
            .collect(),
        segments,
        model_toml: posted.model_toml,
        config_text: posted.config_text,
        devices: state.app.netcheck_devices(user).await?,
        selected_device: device_filter,
        runs: runs.items,
        pager,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<NetcheckQuery>,
) -> AppResult<NetcheckPage> {
    page(
        &state,
        &session,
        lang,
        &user,
        q.device.unwrap_or_default(),
        q.page.request(),
        Posted::default(),
        None,
    )
    .await
}

async fn read_form(mut form: Multipart) -> AppResult<Posted> {
    let mut p = Posted::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(bad)?;
        let text = || {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::bad_request(format!(
                    "{name}: UTF-8 のテキストではありません / not UTF-8 text"
                ))
            })
        };
        match name.as_str() {
            "csrf" => p.csrf = text()?,
            "device" => p.device = text()?,
            "model" => p.model = text()?,
            "segments" => p.segments = text()?,
            "model_toml" => p.model_toml = text()?,
            "config_text" => p.config_text = text()?,
            "config" => {
                let file = file_name.unwrap_or_default();
                if !file.is_empty() && !bytes.is_empty() {
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        AppError::bad_request(format!(
                            "{file}: UTF-8 のテキストではありません / not UTF-8 text"
                        ))
                    })?;
                    p.files.push(ConfigInput {
                        file,
                        text,
                        format: None,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(p)
}

pub async fn run(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    form: Multipart,
) -> AppResult<Response> {
    let mut posted = read_form(form).await?;
    verify_csrf(&session, &posted.csrf).await?;
    let scope = state.app.netcheck_scope(&user)?;
    let mut configs = std::mem::take(&mut posted.files);
    if !posted.config_text.trim().is_empty() {
        configs.push(ConfigInput {
            file: "pasted".into(),
            text: posted.config_text.clone(),
            format: None,
        });
    }
    let input = CheckInput {
        segments_toml: posted.segments.clone(),
        model: Some(posted.model.clone()).filter(|m| !m.is_empty()),
        model_toml: Some(posted.model_toml.clone()).filter(|m| !m.trim().is_empty()),
        configs: configs.clone(),
    };
    let outcome = if posted.device.trim().is_empty() {
        Err(AppError::bad_request(
            T { lang }.get("netcheck.device").to_string() + ": 入力してください / required",
        ))
    } else {
        run_check(input).await
    };
    let (report, model) = match outcome {
        Ok(r) => r,
        Err(e) => {
            let device = String::new();
            let p = page(
                &state,
                &session,
                lang,
                &user,
                device,
                Default::default(),
                posted,
                Some(e.message),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    let declared = declared_segments(&posted.segments)?;
    let summary = scope
        .record_run(
            &declared,
            NewRun {
                device: posted.device,
                files: configs.iter().map(|c| c.file.clone()).collect(),
                config_texts: configs.iter().map(|c| c.text.clone()).collect(),
                model,
                clean: report.is_clean(),
                complete: report.complete,
                violations: report.violations.len() as i64,
                shadowed: report.shadowed.len() as i64,
                segments_toml: posted.segments,
                report_json: report.to_json(),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/netcheck/runs/{}", summary.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "netcheck_run.html")]
pub struct RunPage {
    chrome: Chrome,
    run: RunSummary,
    report: ReportView,
    violations_pager: Pager,
    shadowed_pager: Pager,
}

/// The two long lists of a run page have pages of their own.
#[derive(Deserialize, Default)]
pub struct RunQuery {
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    vpage: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    spage: Option<u32>,
}

/// Violations per page of a run.
const VIOLATIONS_PER_PAGE: u32 = 50;
/// Never-matching rules per page of a run.
const SHADOWED_PER_PAGE: u32 = 200;
/// Items shown of the other lists (the JSON report has them all).
const OTHERS_SHOWN: usize = 200;

pub async fn show_run(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<RunQuery>,
) -> AppResult<RunPage> {
    let run = state.app.netcheck(&user, id).await?;
    let base = format!("/netcheck/runs/{id}");
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "netcheck").await?;
    let vpage = mamori_store::PageRequest::new(q.vpage, Some(VIOLATIONS_PER_PAGE));
    let spage = mamori_store::PageRequest::new(q.spage, Some(SHADOWED_PER_PAGE));
    let want = Want {
        violations: window(vpage),
        shadowed: window(spage),
        others: OTHERS_SHOWN,
    };
    let report = view(read_blocking(run.report_json, want).await?);
    // Each list's pager keeps the other list's page.
    let vbase = query_string(
        &base,
        &[("spage", &q.spage.map(|p| p.to_string()).unwrap_or_default())],
    );
    let sbase = query_string(
        &base,
        &[("vpage", &q.vpage.map(|p| p.to_string()).unwrap_or_default())],
    );
    let t = chrome.t;
    Ok(RunPage {
        violations_pager: Pager::named(&t, &vbase, "vpage", vpage, report.violations_total as i64),
        shadowed_pager: Pager::named(&t, &sbase, "spage", spage, report.shadowed_total as i64),
        chrome,
        report,
        run: run.summary,
    })
}
