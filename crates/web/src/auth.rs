//! Who is asking: the signed-in user of a session or of a bearer token, their
//! Cedar principal, and the per-form CSRF token kept in the session.

use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::Caller;
use mamori_authz::Principal;
use mamori_store::users::User;
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Session key of the signed-in user's id.
pub const SESSION_USER: &str = "uid";
/// Session key of the CSRF token.
pub const SESSION_CSRF: &str = "csrf";

/// A signed-in user and what Cedar knows of them.
#[derive(Debug, Clone)]
pub struct Authed {
    /// The person, as the operation layer knows them.
    pub caller: Caller,
    /// Signed in with a bearer token rather than a session cookie.
    pub via_token: bool,
}

impl std::ops::Deref for Authed {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

/// Builds the principal of a user (one query for the unit's path, one for the
/// guideline roles held today).
pub async fn principal_of(state: &AppState, user: &User) -> AppResult<Principal> {
    Ok(state.app.principal_of(user).await?)
}

async fn authed(state: &AppState, user_id: i64, via_token: bool) -> AppResult<Option<Authed>> {
    Ok(state
        .app
        .caller(user_id)
        .await?
        .map(|caller| Authed { caller, via_token }))
}

/// The signed-in person of a session's user id, if active (an error page's menu).
pub async fn authed_user(state: &AppState, user_id: i64) -> Option<Authed> {
    authed(state, user_id, false).await.ok().flatten()
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The remote address of a request, for throttling and the log.
pub fn remote_addr(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A user signed in through the session cookie (pages). Anonymous requests are sent
/// to the sign-in page; a user who must choose a new password is sent there first.
pub struct PageUser(pub Authed);

/// What a page answers when nobody is signed in.
pub enum PageRejection {
    SignIn { next: String, expired: bool },
    ChangePassword,
    Error(AppError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::SignIn { next, expired } => {
                let mut url = format!("/login?next={}", urlencode(&next));
                if expired {
                    url.push_str("&expired=1");
                }
                Redirect::to(&url).into_response()
            }
            PageRejection::ChangePassword => Redirect::to("/account/password").into_response(),
            PageRejection::Error(e) => e.into_response(),
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q[2..].to_string())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| PageRejection::Error(AppError::unauthorized()))?;
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let had_cookie = parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(crate::SESSION_COOKIE));
        let uid: Option<i64> = session.get(SESSION_USER).await.ok().flatten();
        let Some(uid) = uid else {
            return Err(PageRejection::SignIn {
                next,
                expired: had_cookie,
            });
        };
        match authed(state, uid, false)
            .await
            .map_err(PageRejection::Error)?
        {
            Some(a) => {
                let path = parts.uri.path();
                if a.user.must_change_password && path != "/account/password" && path != "/logout" {
                    return Err(PageRejection::ChangePassword);
                }
                Ok(PageUser(a))
            }
            None => {
                let _ = session.flush().await;
                Err(PageRejection::SignIn {
                    next,
                    expired: true,
                })
            }
        }
    }
}

/// A user of the API: a bearer token, or a session cookie for reading.
pub struct ApiUser(pub Authed);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts) {
            let caller = state
                .app
                .token_caller(token)
                .await
                .map_err(|e| AppError::from(e).as_json())?;
            return match caller {
                Some(caller) => password_change_gate(
                    parts,
                    Authed {
                        caller,
                        via_token: true,
                    },
                ),
                None => Err(AppError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "MAMORI-TOKEN-INVALID",
                    "トークンが無効か期限切れです / the token is invalid or has expired",
                )
                .as_json()),
            };
        }
        // A browser session may read the API; changes need a token (no CSRF through cookies).
        if !parts.method.is_safe() {
            return Err(AppError::unauthorized());
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::unauthorized())?;
        let uid: Option<i64> = session.get(SESSION_USER).await.ok().flatten();
        match uid {
            Some(uid) => authed(state, uid, false)
                .await
                .map_err(AppError::as_json)?
                .ok_or_else(AppError::unauthorized)
                .and_then(|a| password_change_gate(parts, a)),
            None => Err(AppError::unauthorized()),
        }
    }
}

/// A user who must choose a new password (after an administrator's reset, or a new
/// account) may use the API only to see who they are (`GET /api/v1/me`) until they
/// have chosen it on the page `/account/password`; everything else answers 403
/// `MAMORI-PASSWORD-CHANGE-REQUIRED`.
fn password_change_gate(parts: &Parts, a: Authed) -> Result<ApiUser, AppError> {
    if !a.user.must_change_password {
        return Ok(ApiUser(a));
    }
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path(), |u| u.0.path());
    if parts.method == axum::http::Method::GET && path.trim_end_matches('/') == "/api/v1/me" {
        return Ok(ApiUser(a));
    }
    Err(AppError::new(
        axum::http::StatusCode::FORBIDDEN,
        PASSWORD_CHANGE_REQUIRED,
        "パスワードの変更が必要です。/account/password で新しいパスワードを設定してから使ってください / you must choose a new password first: set it at /account/password, then try again",
    )
    .as_json())
}

/// The error code of a request refused until the user has chosen a new password.
pub const PASSWORD_CHANGE_REQUIRED: &str = "MAMORI-PASSWORD-CHANGE-REQUIRED";

impl OptionalFromRequestParts<AppState> for PageUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <PageUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(u) => Ok(Some(u)),
            Err(PageRejection::Error(e)) => Err(e),
            Err(_) => Ok(None),
        }
    }
}

/// The session's CSRF token, made on first use.
pub async fn csrf_token(session: &Session) -> AppResult<String> {
    if let Ok(Some(token)) = session.get::<String>(SESSION_CSRF).await {
        return Ok(token);
    }
    let token = mamori_store::tokens::random_token();
    session.insert(SESSION_CSRF, &token).await.map_err(|e| {
        AppError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "MAMORI-SESSION",
            e.to_string(),
        )
    })?;
    Ok(token)
}

/// Checks a form's CSRF token against the session's.
pub async fn verify_csrf(session: &Session, provided: &str) -> AppResult<()> {
    let expected: Option<String> = session.get(SESSION_CSRF).await.ok().flatten();
    match expected {
        Some(e) if !provided.is_empty() && constant_time_eq(e.as_bytes(), provided.as_bytes()) => {
            Ok(())
        }
        _ => Err(AppError::new(
            axum::http::StatusCode::FORBIDDEN,
            "MAMORI-CSRF-TOKEN",
            "フォームの有効期限が切れたか、トークンがありません。ページを再読み込みしてやり直してください / the form has expired or its security token is missing: reload the page and try again",
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A local path to go back to (after signing in, after switching the language),
/// never another site: it must begin with a single `/` and hold no `//`, no `\\`, no
/// control character and no white space, neither as given nor once percent-decoded
/// (browsers drop a tab or a newline, so `/\t/evil.example` is `//evil.example` to
/// them). Anything else gives `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_local_path(next: &str) -> bool {
    let plain = |s: &str| {
        s.starts_with('/')
            && !s.contains("//")
            && !s.contains('\\')
            && !s.chars().any(|c| c.is_control() || c.is_whitespace())
    };
    next.len() <= 2048
        && plain(next)
        && percent_encoding::percent_decode_str(next)
            .decode_utf8()
            .is_ok_and(|decoded| plain(&decoded))
}

/// The cookie that holds the nonce of the sign-in form's CSRF token.
pub const LOGIN_CSRF_COOKIE: &str = "mamori_login_csrf";

/// The sign-in form's CSRF token for a visitor who is not signed in, kept without
/// a session (no row is written until sign-in): a signed double-submit cookie. The
/// cookie holds a random nonce, the form HMAC-SHA256(server key, nonce); a site that
/// can plant a cookie still cannot make the matching token without the key.
pub struct LoginCsrf {
    pub token: String,
    /// The `Set-Cookie` value when the visitor had no nonce yet.
    pub set_cookie: Option<String>,
}

fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .find_map(|c| c.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

fn login_nonce(headers: &axum::http::HeaderMap) -> Option<&str> {
    cookie_value(headers, LOGIN_CSRF_COOKIE)
        .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn login_token(state: &AppState, nonce: &str) -> AppResult<String> {
    use hmac::{KeyInit, Mac};
    let key = state.login_csrf_key().await?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|e| {
        AppError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "MAMORI-SESSION",
            e.to_string(),
        )
    })?;
    mac.update(nonce.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The sign-in form's token: the visitor's nonce signed, or a new nonce and its cookie.
pub async fn login_csrf(state: &AppState, headers: &axum::http::HeaderMap) -> AppResult<LoginCsrf> {
    if let Some(nonce) = login_nonce(headers) {
        return Ok(LoginCsrf {
            token: login_token(state, nonce).await?,
            set_cookie: None,
        });
    }
    let nonce = mamori_store::tokens::random_token();
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    Ok(LoginCsrf {
        token: login_token(state, &nonce).await?,
        set_cookie: Some(format!(
            "{LOGIN_CSRF_COOKIE}={nonce}; Path=/login; HttpOnly; SameSite=Lax{secure}"
        )),
    })
}

/// Checks the sign-in form's token: the session's (a visitor with a session) or the
/// signed nonce of the cookie.
pub async fn verify_login_csrf(
    state: &AppState,
    session: &Session,
    headers: &axum::http::HeaderMap,
    provided: &str,
) -> AppResult<()> {
    if verify_csrf(session, provided).await.is_ok() {
        return Ok(());
    }
    if let Some(nonce) = login_nonce(headers) {
        let expected = login_token(state, nonce).await?;
        if !provided.is_empty() && constant_time_eq(expected.as_bytes(), provided.as_bytes()) {
            return Ok(());
        }
    }
    verify_csrf(session, "").await
}

/// The remote address of the request (for throttling and the log).
pub struct RemoteAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RemoteAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RemoteAddr(remote_addr(parts)))
    }
}

/// The owning units whose assets a user may read, asked of the policy (one query
/// for the units, then Cedar).
pub async fn asset_scope(
    state: &AppState,
    user: &Authed,
) -> AppResult<mamori_store::assets::AssetScope> {
    Ok(state.app.asset_scope(user).await?)
}

/// The owning units whose assets a user may create or change (an import's scope).
pub async fn asset_write_scope(
    state: &AppState,
    user: &Authed,
) -> AppResult<mamori_store::assets::AssetScope> {
    Ok(state.app.asset_write_scope(user).await?)
}

/// The units whose staff a user may list (`None`: everyone), asked of the policy.
pub async fn person_scope(state: &AppState, user: &Authed) -> AppResult<Option<Vec<i64>>> {
    Ok(state.app.person_scope(user).await?)
}

impl Authed {
    /// Whether the user may list some staff (read_users, or a unit they manage).
    pub fn may_list_staff(&self, state: &AppState) -> bool {
        state.app.may_list_staff(&self.caller)
    }
}
