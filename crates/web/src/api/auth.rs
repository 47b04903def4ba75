//! Tokens for API clients, and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mamori_store::users::{SignIn, User};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult, json_err};
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
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn token(
    State(state): State<AppState>,
    remote: RemoteAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    match state.store.sign_in(&req.username, &req.password, &remote.0).await.map_err(json_err)? {
        SignIn::Ok(user) => {
            let token = state.store.issue_token(user.id, &user.username).await.map_err(json_err)?;
            Ok(Json(TokenResponse { token }))
        }
        SignIn::Rejected => Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "MAMORI-AUTH-FAILED",
            "ユーザー名またはパスワードが違います / wrong user name or password",
        )
        .as_json()),
        SignIn::Throttled => Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "MAMORI-AUTH-THROTTLED",
            "失敗が続いたため、15分後にやり直してください / too many failed attempts: try again in 15 minutes",
        )
        .as_json()),
    }
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<User> {
    Json(user.user)
}
