//! Tokens for API clients, and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mamori_app::users::TokenGrant;

use super::wire::User;
use serde::{Deserialize, Serialize};

use super::{ApiJson, json_err};
use crate::auth::{ApiUser, RemoteAddr};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`. Valid for 12 hours.
    pub token: String,
}

/// Exchanges a user name and password for a bearer token.
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn token(
    State(state): State<AppState>,
    remote: RemoteAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, Response> {
    let outcome = state
        .app
        .api_token(&req.username, &req.password, &remote.0)
        .await
        .map_err(|e| json_err(e).into_response())?;
    match outcome {
        TokenGrant::Issued(token) => Ok(Json(TokenResponse { token })),
        TokenGrant::Rejected => Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "MAMORI-AUTH-FAILED",
            "ユーザー名またはパスワードが違います / wrong user name or password",
        )
        .as_json()
        .into_response()),
        TokenGrant::Throttled { retry_after_secs } => {
            let mut res = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "MAMORI-AUTH-THROTTLED",
                format!(
                    "失敗が続いたため、{retry_after_secs}秒後にやり直してください / too many failed attempts: try again in {retry_after_secs} seconds"
                ),
            )
            .as_json()
            .into_response();
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Err(res)
        }
    }
}

/// The caller.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<User> {
    Json(user.caller.user.into())
}
