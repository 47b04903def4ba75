//! Key-value settings kept in the database (the active classification scheme …).

use crate::{Actor, Store, StoreError, db_run};

/// The setting that names the active classification scheme.
pub const ACTIVE_SCHEME: &str = "classification.active_scheme";

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Sets a value and records the change.
    pub async fn set_setting(
        &self,
        actor: &Actor,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let before: Option<String> = crate::tx_run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *c)
                .await?
        });
        crate::tx_run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *c)
            .await?;
        });
        tx.append_event(actor, "setting", key, "set", before.as_ref(), Some(&value))
            .await?;
        tx.commit().await
    }
}
