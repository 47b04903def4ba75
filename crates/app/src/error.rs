//! Why an operation did not happen, in the shared vocabulary of
//! [`mamori_core::problem`]: pages, API and CLI word it for their reader.

use mamori_core::problem::{Class, Problem};
use mamori_store::StoreError;

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy does not allow it.
    #[error("forbidden")]
    Forbidden,
    /// What was entered or asked for: every problem found, each with its code,
    /// field and parameters (all of one class: invalid, not found, conflict …).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<Problem>),
    /// The permission could not be decided (a policy failed to evaluate).
    #[error("authorization: {0}")]
    Authz(String),
    /// The database, or another fault of Mamori.
    #[error(transparent)]
    Store(StoreError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// One problem.
    pub fn problem(p: Problem) -> Error {
        Error::Rejected(vec![p])
    }

    /// `what` `key` does not exist, or may not be seen by the caller.
    pub fn not_found(what: &'static str, key: impl ToString) -> Error {
        Error::problem(
            Problem::new("MAMORI-NOT-FOUND")
                .with("what", what)
                .with("key", key.to_string()),
        )
    }

    /// The class of the error: the HTTP status and exit code follow from it.
    pub fn class(&self) -> Class {
        match self {
            Error::Forbidden => Class::Forbidden,
            Error::Rejected(ps) => ps.first().map(Problem::class).unwrap_or(Class::Invalid),
            Error::Authz(_) => Class::Internal,
            Error::Store(e) => store_class(e),
        }
    }

    /// The problems of the error, for wording it.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Forbidden => vec![Problem::new("MAMORI-FORBIDDEN")],
            Error::Rejected(ps) => ps.clone(),
            Error::Authz(detail) => {
                vec![Problem::new("MAMORI-AUTHZ-ERROR").with("detail", detail)]
            }
            Error::Store(e) => vec![store_problem(e)],
        }
    }
}

fn store_class(e: &StoreError) -> Class {
    match e {
        StoreError::NotFound { .. } => Class::NotFound,
        StoreError::Conflict(_) => Class::Conflict,
        StoreError::Invalid { .. } => Class::Invalid,
        StoreError::Rejected(p) => p.class(),
        _ => Class::Internal,
    }
}

/// A store's error as a problem. Messages the store still writes as
/// "日本語 / English" are split into the two languages.
pub fn store_problem(e: &StoreError) -> Problem {
    let split = |m: &str| {
        m.split_once(" / ")
            .map(|(j, e)| (j.to_string(), e.to_string()))
            .unwrap_or_else(|| (m.to_string(), m.to_string()))
    };
    match e {
        StoreError::NotFound { entity, key } => Problem::new("MAMORI-NOT-FOUND")
            .with("what", entity)
            .with("key", key),
        StoreError::Conflict(m) => {
            let (ja, en) = split(m);
            Problem::new("MAMORI-CONFLICT")
                .with("message", ja)
                .with("message_en", en)
        }
        StoreError::Invalid { field, message } => {
            let (ja, en) = split(message);
            Problem::new("MAMORI-INVALID")
                .field(field.clone())
                .with("message", ja)
                .with("message_en", en)
        }
        StoreError::Rejected(p) => p.clone(),
        e => {
            tracing::error!(error = %e, "internal error");
            Problem::new("MAMORI-INTERNAL")
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::Rejected(p) => Error::Rejected(vec![p]),
            e => Error::Store(e),
        }
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Error {
        Error::Rejected(vec![p])
    }
}
