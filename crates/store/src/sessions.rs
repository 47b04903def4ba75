//! Browser sessions kept in the database, so that application servers keep no state.
//! The web layer adapts these to tower-sessions' `SessionStore`.

use crate::{Store, StoreError, db_run, now_rfc3339};

impl Store {
    /// Inserts a new session; false when the id is taken.
    pub async fn session_create(
        &self,
        id: &str,
        data: &str,
        expires_at: &str,
    ) -> Result<bool, StoreError> {
        let n = db_run!(&self.db, |pool| {
            sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Writes a session.
    pub async fn session_save(
        &self,
        id: &str,
        data: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        db_run!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
            )
            .bind(id)
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
                "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
            )
            .bind(id)
            .bind(now_rfc3339())
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn session_delete(&self, id: &str) -> Result<(), StoreError> {
        db_run!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes expired sessions and tokens and old sign-in failures.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        let now = now_rfc3339();
        Ok(db_run!(&self.db, |pool| {
            let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(&now)
                .execute(pool)
                .await?;
            let b = sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1")
                .bind(&now)
                .execute(pool)
                .await?;
            a.rows_affected() + b.rows_affected()
        }))
    }
}
