//! The network segments (第2(14)) with what refers to them, the information
//! systems in them, and the city's segments file that the network checker reads:
//! one record for the asset register and the checker.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use mamori_store::assets::{SegmentUsage, SystemLine};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, query_string};
use crate::auth::{Authed, PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::netcheck_view::{current_segments_file, remember_segments, sync_message};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "segments.html")]
pub struct SegmentsPage {
    chrome: Chrome,
    segments: Vec<SegmentUsage>,
    /// Ranges, interfaces and the segments file are shown to those who may
    /// run the network checker.
    technical: bool,
    selected: i64,
    systems: Vec<SystemLine>,
    pager: Pager,
    file: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SegmentsQuery {
    segment: Option<i64>,
    #[serde(flatten)]
    page: Paging,
}

#[derive(Deserialize)]
pub struct FileForm {
    csrf: String,
    file: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    q: SegmentsQuery,
    posted: Option<(String, String)>,
) -> AppResult<SegmentsPage> {
    let technical = state.app.sees_segment_details(user);
    let segments = state.app.segment_usage(user).await?;
    let selected = q.segment.unwrap_or(0);
    let request = q.page.request();
    let systems = state
        .app
        .information_systems(user, (selected > 0).then_some(selected), request)
        .await?;
    let selected_text = if selected > 0 {
        selected.to_string()
    } else {
        String::new()
    };
    let base = query_string("/segments", &[("segment", &selected_text)]);
    let pager = Pager::new(&T { lang }, &base, request, systems.total);
    let (file, error) = match posted {
        Some((file, error)) => (file, Some(error)),
        None if technical => (current_segments_file(state, user).await?, None),
        None => (String::new(), None),
    };
    Ok(SegmentsPage {
        chrome: Chrome::new(state, session, lang, Some(user), &base, "segments").await?,
        segments,
        technical,
        selected,
        systems: systems.items,
        pager,
        file,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<SegmentsQuery>,
) -> AppResult<SegmentsPage> {
    page(&state, &session, lang, &user, q, None).await
}

/// Saves the city's segments file and brings the record in line with it.
pub async fn save_file(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<FileForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    match remember_segments(&state, &user, &form.file).await {
        Ok(sync) => {
            flash(&session, sync_message(&sync, lang)).await;
            Ok(Redirect::to("/segments").into_response())
        }
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let q = SegmentsQuery {
                segment: None,
                page: Paging::default(),
            };
            let shown = page(
                &state,
                &session,
                lang,
                &user,
                q,
                Some((form.file, e.message)),
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(e) => Err::<Response, AppError>(e),
    }
}
