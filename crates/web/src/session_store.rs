//! tower-sessions' `SessionStore` over Mamori's database, so that sessions survive
//! restarts and several application servers can share them. The database keeps the
//! SHA-256 of each id and the signed-in user (see `mamori_store::sessions`); a
//! session is written only once it holds something (tower-sessions does not save an
//! empty session), and a visitor who has not signed in is given nothing to keep
//! (the sign-in form's CSRF token is a signed cookie, see `crate::auth`).

use async_trait::async_trait;
use mamori_store::{Store, format_rfc3339};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result as StoreResult};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> DbSessionStore {
        DbSessionStore { store }
    }
}

fn backend(e: mamori_store::StoreError) -> Error {
    Error::Backend(e.to_string())
}

fn encode(record: &Record) -> StoreResult<(Option<i64>, String, String)> {
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    let user_id = record
        .data
        .get(crate::auth::SESSION_USER)
        .and_then(serde_json::Value::as_i64);
    Ok((user_id, data, format_rfc3339(record.expiry_date)))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        loop {
            let (user_id, data, expires) = encode(record)?;
            if self
                .store
                .session_create(&record.id.to_string(), user_id, &data, &expires)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let (user_id, data, expires) = encode(record)?;
        self.store
            .session_save(&record.id.to_string(), user_id, &data, &expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let Some((data, expires)) = self
            .store
            .session_load(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = mamori_store::parse_rfc3339(&expires)
            .ok_or_else(|| Error::Decode(format!("bad session expiry {expires}")))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}
