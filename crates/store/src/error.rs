//! Errors of the store, with stable codes a help desk can look up.

use mamori_core::problem::Problem;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database connection failed: {0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{entity} {key} was not found")]
    NotFound { entity: &'static str, key: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("the built-in catalogues could not be read: {0}")]
    Catalog(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// A condition of the shared vocabulary ([`mamori_core::problem`]): its code,
    /// field and parameters, worded by whoever shows it.
    #[error("{0}")]
    Rejected(Problem),
}

impl From<Problem> for StoreError {
    fn from(p: Problem) -> StoreError {
        StoreError::Rejected(p)
    }
}

impl StoreError {
    /// A stable code for the error (shown to users and in the API).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Connect(_) => "MAMORI-DB-001",
            StoreError::Migrate(_) => "MAMORI-DB-002",
            StoreError::Database(_) => "MAMORI-DB-003",
            StoreError::NotFound { .. } => "MAMORI-NOT-FOUND",
            StoreError::Conflict(_) => "MAMORI-CONFLICT",
            StoreError::Invalid { .. } => "MAMORI-INVALID",
            StoreError::Catalog(_) => "MAMORI-CATALOG",
            StoreError::Internal(_) => "MAMORI-INTERNAL",
            StoreError::Rejected(p) => p.code,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(entity: &'static str, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            entity,
            key: key.to_string(),
        }
    }

    /// Turns a unique-constraint violation into a readable conflict.
    pub fn on_unique(self, message: impl Into<String>) -> StoreError {
        match &self {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                StoreError::Conflict(message.into())
            }
            _ => self,
        }
    }
}
