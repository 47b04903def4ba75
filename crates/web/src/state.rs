//! What every handler shares.

use mamori_authz::Authorizer;
use mamori_store::Store;
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (needs HTTPS, or a browser that treats the host as secure).
    pub secure_cookies: bool,
    /// A session ends after this many hours without a request.
    pub session_hours: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            session_hours: 8,
        }
    }
}

/// The shared state of the application.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub authz: Arc<Authorizer>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Store, authz: Authorizer, config: WebConfig) -> AppState {
        AppState {
            store,
            authz: Arc::new(authz),
            config: Arc::new(config),
        }
    }
}
