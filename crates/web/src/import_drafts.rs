//! Ledger files waiting between their preview and the person's confirmation.
//!
//! The import page checks a file and shows what it would do; the file waits
//! here, in memory, until the person confirms (or for [`DRAFT_TTL`]). A draft
//! belongs to the user who uploaded it and is taken once. The number of drafts
//! is bounded ([`MAX_DRAFTS`], one per user), so the memory they hold is at
//! most that many uploads of the import limit. A restart forgets them: the
//! page then asks for the file again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use mamori_core::table::LedgerFormat;

/// How long a checked file waits for its confirmation.
pub const DRAFT_TTL: Duration = Duration::from_secs(30 * 60);
/// At most this many files wait at once (the oldest gives way).
pub const MAX_DRAFTS: usize = 32;

/// A checked file.
#[derive(Clone)]
pub struct Draft {
    pub user_id: i64,
    pub bytes: Bytes,
    pub format: LedgerFormat,
    pub reason: String,
    made: Instant,
}

#[derive(Default)]
pub struct ImportDrafts {
    drafts: Mutex<HashMap<String, Draft>>,
}

impl std::fmt::Debug for ImportDrafts {
    /// How many files wait, never their contents.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.drafts.lock().map(|d| d.len()).unwrap_or(0);
        f.debug_struct("ImportDrafts")
            .field("waiting", &waiting)
            .finish()
    }
}

impl ImportDrafts {
    /// Keeps the file for its user (replacing any they had) and answers the
    /// token that takes it back.
    pub fn put(&self, user_id: i64, bytes: Bytes, format: LedgerFormat, reason: String) -> String {
        let token = mamori_store::tokens::random_token();
        let mut drafts = self.drafts.lock().unwrap_or_else(|e| e.into_inner());
        drafts.retain(|_, d| d.user_id != user_id && d.made.elapsed() < DRAFT_TTL);
        while drafts.len() >= MAX_DRAFTS {
            let oldest = drafts
                .iter()
                .min_by_key(|(_, d)| d.made)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => drafts.remove(&k),
                None => break,
            };
        }
        drafts.insert(
            token.clone(),
            Draft {
                user_id,
                bytes,
                format,
                reason,
                made: Instant::now(),
            },
        );
        token
    }

    /// Takes the user's file back by its token, once; `None` when it is
    /// unknown, another user's, or too old.
    pub fn take(&self, user_id: i64, token: &str) -> Option<Draft> {
        let mut drafts = self.drafts.lock().unwrap_or_else(|e| e.into_inner());
        match drafts.get(token) {
            Some(d) if d.user_id == user_id && d.made.elapsed() < DRAFT_TTL => drafts.remove(token),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_its_users_and_taken_once() {
        let drafts = ImportDrafts::default();
        let token = drafts.put(
            1,
            Bytes::from_static(b"x"),
            LedgerFormat::Csv,
            String::new(),
        );
        assert!(drafts.take(2, &token).is_none(), "another user's draft");
        assert!(drafts.take(1, &token).is_some());
        assert!(drafts.take(1, &token).is_none(), "taken once");
    }

    #[test]
    fn one_draft_per_user_and_bounded() {
        let drafts = ImportDrafts::default();
        let first = drafts.put(1, Bytes::new(), LedgerFormat::Csv, String::new());
        let second = drafts.put(1, Bytes::new(), LedgerFormat::Csv, String::new());
        assert!(drafts.take(1, &first).is_none(), "replaced by the second");
        assert!(drafts.take(1, &second).is_some());
        for user in 0..(MAX_DRAFTS as i64 + 5) {
            drafts.put(user, Bytes::new(), LedgerFormat::Csv, String::new());
        }
        assert!(drafts.drafts.lock().map(|d| d.len()).unwrap_or(0) <= MAX_DRAFTS);
    }
}
