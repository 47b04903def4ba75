//! Key-value settings kept in the database (the active classification scheme …).

use crate::events::{Entity, Verb};
use crate::{Actor, Store, StoreError, Tx, db_run};

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

    /// A secret of this installation (a signing key), made up at first use (256
    /// random bits, hex) and kept with the settings. Never written to the event log.
    pub async fn secret(&self, key: &str) -> Result<String, StoreError> {
        let fresh = crate::tokens::random_token();
        Ok(db_run!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(&fresh)
            .execute(pool)
            .await?;
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_one(pool)
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
        tx.set_setting(actor, key, value).await?;
        tx.commit().await
    }
}

impl Tx {
    /// Sets a value inside a transaction and records the change; an unchanged
    /// value writes nothing.
    pub(crate) async fn set_setting(
        &mut self,
        actor: &Actor,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let before: Option<String> = crate::tx_run!(self, |c| {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *c)
                .await?
        });
        if before.as_deref() == Some(value) {
            return Ok(());
        }
        crate::tx_run!(self, |c| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *c)
            .await?;
        });
        self.append_event(
            actor,
            Entity::Setting,
            key,
            Verb::Set,
            before.as_ref(),
            Some(&value),
        )
        .await?;
        Ok(())
    }
}
