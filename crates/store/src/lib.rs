//! Mamori persistence: one code path over SQLite and PostgreSQL, the migrations of
//! both, and the hash-chained event log that records every change.

pub mod assets;
pub mod catalogs;
mod checks;
pub mod controls;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
mod error;
pub mod events;
pub mod netcheck;
// Operations and outsourcing (issue 15).
pub mod notices;
pub mod ops;
pub mod org;
pub mod org_import;
mod paging;
// --- h17ui ---
pub mod passwords;
pub mod policy_docs;
pub mod requests;
pub mod sorting;
// Risk analysis (issue 13, part 2).
pub mod risk;
pub mod sessions;
pub mod settings;
pub mod systems;
pub mod testing;
pub mod tokens;
pub mod training;
pub mod units;
pub mod users;
// Audits and self-inspections (第10; issue 14).
pub mod audits;
// --- audit2 ---
pub mod audit_programmes;
pub mod findings;
// --- h14 ---
#[cfg(feature = "demo")]
pub mod audit_bench;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use db::{Db, Tx};
pub use error::StoreError;

/// Who makes a change: a signed-in user, or the system itself (start-up, imports
/// run from the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User { id: i64, username: String },
    System(&'static str),
}

impl Actor {
    /// The name written into the event log.
    pub fn label(&self) -> String {
        match self {
            Actor::User { id, username } => format!("user:{id}:{username}"),
            Actor::System(what) => format!("system:{what}"),
        }
    }
}

/// One page of a collection and the size of the whole collection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// Which page of a collection to read. Pages count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u32 = 50;
    pub const MAX_PER_PAGE: u32 = 500;

    /// A request clamped to sane bounds.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> PageRequest {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page
                .unwrap_or(Self::DEFAULT_PER_PAGE)
                .clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::new(None, None)
    }
}

/// The current time as RFC 3339 UTC text, the form every timestamp is stored in.
pub fn now_rfc3339() -> String {
    format_rfc3339(OffsetDateTime::now_utc())
}

/// Formats a time as stored (UTC, second precision with fraction kept to microseconds).
pub fn format_rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t
        .replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Parses a stored timestamp.
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// The store: a database and the operations of Mamori on it.
#[derive(Clone, Debug)]
pub struct Store {
    /// The database: private to the store, so that every write goes through
    /// a function that records its event. Tests reach it with the `testing`
    /// feature ([`Store::db`]).
    pub(crate) db: Db,
}

impl Store {
    /// The database itself, for tests that tamper with it or read it raw.
    #[cfg(feature = "testing")]
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Which database this is (`sqlite` or `postgres`), for the log and the benchmark.
    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    /// Closes the connections (at shutdown, so that SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Connects, applies migrations, and loads the built-in catalogues on first start.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let db = Db::connect(url).await?;
        Store::init(db).await
    }

    /// Migrates the database and loads the built-in catalogues if not yet loaded.
    pub async fn init(db: Db) -> Result<Store, StoreError> {
        db.migrate().await?;
        let store = Store { db };
        catalogs::load_builtin_if_missing(&store).await?;
        Ok(store)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        db_run!(&self.db, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .is_ok())
    }
}
