//! Bearer tokens for API clients. Only the SHA-256 of a token is stored.

use crate::events::{Entity, Verb};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::{Actor, Store, StoreError, db_run, format_rfc3339, now_rfc3339, tx_run};

/// How long a token lives.
pub const TOKEN_HOURS: i64 = 12;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token (256 bits, hex).
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Store {
    /// Issues a token for a user who has just signed in.
    pub async fn issue_token(&self, user_id: i64, username: &str) -> Result<String, StoreError> {
        let token = random_token();
        let expires = format_rfc3339(OffsetDateTime::now_utc() + Duration::hours(TOKEN_HOURS));
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash(&token))
                .bind(user_id)
                .bind(now_rfc3339())
                .bind(&expires)
                .execute(&mut *c)
                .await?;
        });
        let actor = Actor::User {
            id: user_id,
            username: username.to_string(),
        };
        let info = serde_json::json!({ "expires_at": expires });
        tx.append_event(
            &actor,
            Entity::ApiToken,
            user_id,
            Verb::Issue,
            None::<&()>,
            Some(&info),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The user a token belongs to, when it is valid and the user active.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<i64>, StoreError> {
        let now = now_rfc3339();
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.active = TRUE",
            )
            .bind(token_hash(token))
            .bind(&now)
            .fetch_optional(pool)
            .await?
        }))
    }
}
