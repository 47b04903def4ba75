//! Browser sessions kept in the database, so that application servers keep no state.
//! The web layer adapts these to tower-sessions' `SessionStore`.
//!
//! Only the SHA-256 of a session id is stored (the cookie keeps the id), as for API
//! tokens: a copy of the database does not hold ids that sign anyone in. Each row
//! names its user, so that a new password or a deactivation ends all of that user's
//! sessions (a trigger of migration 0014 does it whichever path changes the user).

use sha2::{Digest, Sha256};

use crate::{Store, StoreError, db_run, now_rfc3339};

/// What is stored in place of a session id.
pub fn session_id_hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

impl Store {
    /// Inserts a new session; false when the id is taken.
    pub async fn session_create(
        &self,
        id: &str,
        user_id: Option<i64>,
        data: &str,
        expires_at: &str,
    ) -> Result<bool, StoreError> {
        let n = db_run!(&self.db, |pool| {
            sqlx::query("INSERT INTO sessions (id_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id_hash) DO NOTHING")
                .bind(session_id_hash(id))
                .bind(user_id)
                .bind(data)
                .bind(expires_at)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Writes an existing session. A session ended meanwhile (signed out, its user's
    /// password changed, the user deactivated) stays ended: nothing is written.
    pub async fn session_save(
        &self,
        id: &str,
        user_id: Option<i64>,
        data: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        db_run!(&self.db, |pool| {
            sqlx::query(
                "UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id_hash = $1",
            )
            .bind(session_id_hash(id))
            .bind(user_id)
            .bind(data)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Reads a session that has not expired.
    pub async fn session_load(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
            )
            .bind(session_id_hash(id))
            .bind(now_rfc3339())
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn session_delete(&self, id: &str) -> Result<(), StoreError> {
        db_run!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(session_id_hash(id))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How many sessions are stored (expired ones included until purged).
    pub async fn session_count(&self) -> Result<i64, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Removes expired sessions and tokens and forgotten sign-in failures.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        let now = now_rfc3339();
        let forget_before = crate::users::unix_ms_now() - crate::users::THROTTLE_FORGET_MS;
        Ok(db_run!(&self.db, |pool| {
            let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(&now)
                .execute(pool)
                .await?;
            let b = sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1")
                .bind(&now)
                .execute(pool)
                .await?;
            sqlx::query("DELETE FROM login_throttle WHERE last_at_ms < $1")
                .bind(forget_before)
                .execute(pool)
                .await?;
            a.rows_affected() + b.rows_affected()
        }))
    }
}
