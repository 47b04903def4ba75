//! The two backends behind one enum, and the macros that run one query text on either.
//!
//! Every query in this crate is written once and compiled twice, once per backend
//! (the `db_run!` pattern): the same SQL text with `$n` placeholders runs on SQLite
//! and on PostgreSQL.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

use crate::StoreError;

/// A connection pool on one of the supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// An open write transaction. Dropping it without `commit` rolls it back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$conn` bound to the backend's pool (or a `&mut` connection of a
/// transaction): the body is compiled once per backend.
#[macro_export]
macro_rules! db_run {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($conn) => $body,
            $crate::db::Db::Pg($conn) => $body,
        }
    };
}

/// Like `db_run!`, for an open transaction: `$conn` is `&mut` the connection.
#[macro_export]
macro_rules! tx_run {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Pg(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

impl Db {
    /// Opens (and creates, for SQLite) the database named by `url`:
    /// `sqlite://path/to/file.db` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Connect(format!("invalid PostgreSQL URL: {e}")))?;
            Self::connect_pg(options).await
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Connect(format!("invalid SQLite URL: {e}")))?;
            Self::connect_sqlite(options).await
        } else {
            Err(StoreError::Connect(format!(
                "unsupported database URL '{}': use sqlite://FILE or postgres://…",
                redact_url(url)
            )))
        }
    }

    /// Opens the SQLite file at `path`, creating it when missing (WAL mode).
    pub async fn connect_sqlite_file(path: &std::path::Path) -> Result<Db, StoreError> {
        Self::connect_sqlite(SqliteConnectOptions::new().filename(path)).await
    }

    async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Db, StoreError> {
        let file = options.get_filename();
        if !file.as_os_str().is_empty() && file != std::path::Path::new(":memory:") {
            make_private_db_file(file)?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // A page cache of 64 MiB a connection (the default is 2 MiB):
            // writing 100,000 assets touches a dozen indexes and the search
            // index, and a register of a million assets reads more than 2 MiB
            // for one filtered page. Reads of up to 1 GiB of the file are
            // memory-mapped, and sorts and temporary indexes stay in memory.
            .pragma("cache_size", "-65536")
            .pragma("mmap_size", "1073741824")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect(format!("cannot open the SQLite database: {e}")))?;
        Ok(Db::Sqlite(pool))
    }

    /// Connects to PostgreSQL with the given options.
    pub async fn connect_pg(options: PgConnectOptions) -> Result<Db, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect(format!("cannot reach PostgreSQL: {e}")))?;
        Ok(Db::Pg(pool))
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Db::Pg(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .map_err(|e| StoreError::Migrate(e.to_string()))
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that a transaction that reads before it writes never
    /// fails half-way on a busy database.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// The name of the backend, for messages and the health page.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    /// Writes a consistent copy of a SQLite database to `dest`, a file that must
    /// not exist yet, with `VACUUM INTO`: one read transaction, so writers go on
    /// while it runs and the copy holds exactly what was committed when it
    /// began (the settings included: they live in the database). The copy is
    /// compact and needs no `-wal` file. PostgreSQL has its own tools (pg_dump)
    /// and answers an error.
    pub async fn sqlite_snapshot(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        let Db::Sqlite(pool) = self else {
            return Err(StoreError::Internal(
                "a snapshot of the database is for SQLite; use pg_dump for PostgreSQL".into(),
            ));
        };
        let dest = dest.to_str().ok_or_else(|| {
            StoreError::Internal(format!("the path {} is not valid UTF-8", dest.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        db_run!(self, |pool| pool.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Creates a folder (and its missing parents) readable by its owner only (0700 on
/// Unix): the data folder holds the database, with sessions and the event log.
pub fn create_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Makes the SQLite file readable by its owner only (0600 on Unix) before SQLite
/// opens it: a missing file is created empty with that mode (SQLite gives its `-wal`
/// and `-shm` files the mode of the database file), and an existing database and its
/// `-wal` and `-shm` files are narrowed to it.
fn make_private_db_file(path: &std::path::Path) -> Result<(), StoreError> {
    let fail = |e: std::io::Error| {
        StoreError::Connect(format!(
            "cannot create the SQLite database {}: {e}",
            path.display()
        ))
    };
    if !path.exists() {
        let mut open = std::fs::OpenOptions::new();
        open.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            open.mode(0o600);
        }
        open.open(path).map_err(fail)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = std::path::PathBuf::from(name);
            match std::fs::metadata(&file) {
                Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                    // Not fatal (a file of another owner, a read-only copy): say so.
                    if let Err(e) =
                        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                    {
                        tracing::warn!(
                            "{} is readable by others and cannot be narrowed to 0600: {e}",
                            file.display()
                        );
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Hides the password of a database URL for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://mamori:secret@db:5432/x"),
            "postgres://mamori:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://a.db"), "sqlite://a.db");
    }
}
