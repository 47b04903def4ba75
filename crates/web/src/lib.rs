//! Mamori over HTTP: HTML pages rendered on the server (Japanese first, English
//! beside), a JSON API under `/api/v1` with its OpenAPI document, sign-in, sessions
//! kept in the database, CSRF protection and strict security headers.

pub mod api;
pub mod auth;
mod download;
pub mod error;
pub mod i18n;
mod import_drafts;
mod ledger_download;
mod netcheck_report;
mod netcheck_view;
pub mod pages;
pub mod paging;
mod security;
pub mod session_store;
pub mod state;

use axum::Router;
use axum::routing::get;
use std::time::Duration;
use tower_http::csrf::CsrfLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use error::AppError;
pub use state::{AppState, WebConfig};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "mamori_session";

/// What a multipart upload form adds to the file it carries (boundaries, the
/// CSRF token, the file's name).
const UPLOAD_FORM_SLACK: usize = 1024 * 1024;

/// The whole application: pages, API, static files, health check, with sessions,
/// CSRF protection and security headers around it.
pub fn router(state: AppState) -> Router {
    let sessions =
        SessionManagerLayer::new(session_store::DbSessionStore::new(state.store.clone()))
            .with_name(SESSION_COOKIE)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(state.config.secure_cookies)
            .with_expiry(Expiry::OnInactivity(
                tower_sessions::cookie::time::Duration::hours(state.config.session_hours),
            ));
    // An upload's body: the largest file an import takes (the API's body is
    // the file), and room for the multipart form around it on the pages.
    let upload_limit =
        usize::try_from(state.app.import_limits().max_upload_bytes).unwrap_or(usize::MAX);
    let form_limit = upload_limit.saturating_add(UPLOAD_FORM_SLACK);
    Router::new()
        .merge(pages::routes(form_limit))
        .nest("/api/v1", api::routes(upload_limit))
        .route("/healthz", get(health))
        .route("/static/app.css", get(security::stylesheet))
        .route("/favicon.ico", get(security::favicon))
        .fallback(error::fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .with_state(state)
        .layer(sessions)
        .layer(CsrfLayer::new().with_rejection_response(error::csrf_rejection))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            form_limit.max(64 * 1024 * 1024),
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(300),
        ))
        .layer(security::headers())
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    if state.store.ping().await {
        (axum::http::StatusCode::OK, "ok")
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable",
        )
    }
}
