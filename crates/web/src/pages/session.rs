//! Signing in and out, the language switch, and changing one's own password.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::users::PasswordChange;
use mamori_store::users::SignIn;
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, flash};
use crate::auth::{
    PageUser, RemoteAddr, SESSION_CSRF, SESSION_USER, login_csrf, safe_next, verify_csrf,
    verify_login_csrf,
};
use crate::error::{AppError, AppResult};
use crate::i18n::{LANG_COOKIE, Lang, T};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
    expired: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    headers: HeaderMap,
    user: Option<PageUser>,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let mut chrome = Chrome::new(&state, &session, lang, None, "/login", "login").await?;
    let csrf = login_csrf(&state, &headers).await?;
    chrome.csrf = csrf.token;
    let page = LoginPage {
        chrome,
        next,
        username: String::new(),
        error: None,
        expired: q.expired.is_some(),
    };
    Ok(match csrf.set_cookie {
        Some(cookie) => ([(SET_COOKIE, cookie)], page).into_response(),
        None => page.into_response(),
    })
}

/// "try again in …" for a throttled sign-in.
fn throttled_message(t: &T, retry_after_secs: u64) -> String {
    let wait = match (t.lang, retry_after_secs) {
        (Lang::Ja, s) if s >= 120 => format!("{}分", s.div_ceil(60)),
        (Lang::Ja, s) => format!("{s}秒"),
        (Lang::En, s) if s >= 120 => format!("{} minutes", s.div_ceil(60)),
        (Lang::En, s) => format!("{s} seconds"),
    };
    t.get("login.throttled").replace("{wait}", &wait)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    remote: RemoteAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    verify_login_csrf(&state, &session, &headers, &form.csrf).await?;
    let next = safe_next(form.next.as_deref());
    let t = T { lang };
    let outcome = state
        .app
        .sign_in(&form.username, &form.password, &remote.0)
        .await?;
    let (status, message, retry_after) = match outcome {
        SignIn::Ok(user) => {
            // A new session id at sign-in (no session fixation), a new CSRF token;
            // the session is written now, for the first time.
            session.cycle_id().await.map_err(session_error)?;
            session
                .insert(SESSION_USER, user.id)
                .await
                .map_err(session_error)?;
            session
                .insert(SESSION_CSRF, mamori_store::tokens::random_token())
                .await
                .map_err(session_error)?;
            return Ok(Redirect::to(&next).into_response());
        }
        SignIn::Rejected => (
            StatusCode::UNAUTHORIZED,
            t.get("login.rejected").to_string(),
            None,
        ),
        SignIn::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            throttled_message(&t, retry_after_secs),
            Some(retry_after_secs),
        ),
    };
    let mut chrome = Chrome::new(&state, &session, lang, None, "/login", "login").await?;
    let csrf = login_csrf(&state, &headers).await?;
    chrome.csrf = csrf.token;
    let page = LoginPage {
        chrome,
        next,
        username: form.username,
        error: Some(message),
        expired: false,
    };
    let mut res = (status, page).into_response();
    if let Some(cookie) = csrf.set_cookie.and_then(|c| c.parse().ok()) {
        res.headers_mut().append(SET_COOKIE, cookie);
    }
    if let Some(secs) = retry_after {
        res.headers_mut().insert(RETRY_AFTER, secs.into());
    }
    Ok(res)
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "MAMORI-SESSION",
        format!("session error: {e}"),
    )
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(form): Form<CsrfOnly>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    session.flush().await.map_err(session_error)?;
    state.app.sign_out(&user).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// `GET /lang/{ja|en}`: keeps the choice in a cookie and goes back.
pub async fn switch_lang(
    Path(lang): Path<String>,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    let lang = match lang.as_str() {
        "ja" | "en" => lang,
        other => {
            return Err(AppError::bad_request(format!(
                "言語 '{other}' はありません / no language '{other}': use ja or en"
            )));
        }
    };
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    let next = safe_next(q.next.as_deref());
    Ok((
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, cookie), (LOCATION, next)],
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    chrome: Chrome,
    must_change: bool,
    error: Option<String>,
}

pub async fn password_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<PasswordPage> {
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/account/password",
        "account",
    )
    .await?;
    Ok(PasswordPage {
        chrome,
        must_change: user.user.must_change_password,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current: String,
    new_password: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    remote: RemoteAddr,
    PageUser(user): PageUser,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let t = T { lang };
    let error = if form.new_password != form.confirm {
        Some(t.get("password.mismatch").to_string())
    } else {
        match state
            .app
            .change_password(&user, &form.current, &form.new_password, &remote.0)
            .await
        {
            // Every session of the user has ended with the old password; this
            // one goes on under a new id.
            Ok(PasswordChange::Changed) => {
                session.cycle_id().await.map_err(session_error)?;
                None
            }
            Ok(PasswordChange::WrongCurrent) => Some(t.get("password.wrong_current").to_string()),
            Ok(PasswordChange::Throttled { retry_after_secs }) => {
                Some(throttled_message(&t, retry_after_secs))
            }
            Err(e) if e.class() == mamori_core::problem::Class::Invalid => {
                Some(super::admin::worded(&e, lang))
            }
            Err(e) => return Err(e.into()),
        }
    };
    match error {
        None => {
            flash(&session, t.get("password.changed")).await;
            Ok(Redirect::to("/").into_response())
        }
        Some(e) => {
            let chrome = Chrome::new(
                &state,
                &session,
                lang,
                Some(&user),
                "/account/password",
                "account",
            )
            .await?;
            let page = PasswordPage {
                chrome,
                must_change: user.user.must_change_password,
                error: Some(e),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
