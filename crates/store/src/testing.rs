//! Fresh databases for tests, on SQLite and (when `MAMORI_TEST_DATABASE_URL` is set)
//! on PostgreSQL, so that every crate's tests can run one story on both backends.

use sqlx::postgres::PgConnectOptions;
use std::path::PathBuf;
use std::str::FromStr;

use crate::{Db, Store, StoreError};

/// The environment variable that names the PostgreSQL server used by tests.
pub const PG_ENV: &str = "MAMORI_TEST_DATABASE_URL";

fn random_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:016x}")
}

/// A new SQLite database in a fresh temporary folder.
pub async fn sqlite_store() -> Result<(Store, PathBuf), StoreError> {
    let dir = std::env::temp_dir().join(format!("mamori-test-{}", random_suffix()));
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::Internal(e.to_string()))?;
    let db = Db::connect_sqlite_file(&dir.join("mamori.db")).await?;
    Ok((Store::init(db).await?, dir))
}

/// A new, empty schema on the test PostgreSQL server, or None when none is configured.
/// Returns the URL that reaches the same schema (for a second process).
pub async fn pg_store() -> Result<Option<(Store, String)>, StoreError> {
    let Ok(url) = std::env::var(PG_ENV) else {
        return Ok(None);
    };
    let schema = format!("t_{}", random_suffix());
    let admin = Db::connect(&url).await?;
    if let Db::Pg(pool) = &admin {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(pool)
            .await?;
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .map_err(|e| StoreError::Connect(e.to_string()))?
        .options([("search_path", schema.as_str())]);
    let db = Db::connect_pg(options).await?;
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    Ok(Some((Store::init(db).await?, schema_url)))
}

/// Every backend available to this test run: SQLite always, PostgreSQL when configured.
pub async fn all_stores() -> Vec<(&'static str, Store)> {
    let mut stores = Vec::new();
    match sqlite_store().await {
        Ok((store, _)) => stores.push(("sqlite", store)),
        Err(e) => panic!("cannot create a SQLite test database: {e}"),
    }
    match pg_store().await {
        Ok(Some((store, _))) => stores.push(("postgres", store)),
        Ok(None) => {}
        Err(e) => panic!("{PG_ENV} is set but PostgreSQL is not usable: {e}"),
    }
    stores
}

/// Sets a control's status where it is kept, directly in the table (risk
/// tests need statuses; the countermeasure area owns the real write path,
/// with its checks, revisions and events).
pub async fn put_control_status(
    store: &Store,
    control: &str,
    scope: mamori_core::control::StatusScope,
    state: mamori_core::control::Implementation,
) -> Result<(), StoreError> {
    let now = crate::now_rfc3339();
    crate::db_run!(&store.db, |pool| {
        sqlx::query(
            "INSERT INTO control_status (control_code, scope_kind, scope_id, state, reason, revision, \
             updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 'system:test', $6, $6) \
             ON CONFLICT (control_code, scope_kind, scope_id) DO UPDATE SET state = excluded.state, \
             reason = excluded.reason, revision = control_status.revision + 1, updated_at = excluded.updated_at",
        )
        .bind(control)
        .bind(scope.kind())
        .bind(scope.id())
        .bind(state.code())
        .bind(if state == mamori_core::control::Implementation::NotApplicable { "test" } else { "" })
        .bind(&now)
        .execute(pool)
        .await?;
    });
    Ok(())
}
