//! What every handler shares.

use mamori_app::App;
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
    /// The operations: every permission, check, write and event goes through it.
    pub app: App,
    pub store: Store,
    pub authz: Arc<Authorizer>,
    pub config: Arc<WebConfig>,
    /// The key that signs the sign-in form's CSRF cookie, read once from the store.
    login_csrf_key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// Ledger files checked on the import page, waiting for confirmation.
    pub(crate) import_drafts: Arc<crate::import_drafts::ImportDrafts>,
}

impl AppState {
    pub fn new(store: Store, authz: Authorizer, config: WebConfig) -> AppState {
        let authz = Arc::new(authz);
        AppState {
            app: App::new(store.clone(), authz.clone()),
            store,
            authz,
            config: Arc::new(config),
            login_csrf_key: Arc::new(tokio::sync::OnceCell::new()),
            import_drafts: Arc::default(),
        }
    }

    /// The same state, its imports held to `limits` (`[import]` of mamori.toml).
    pub fn with_import_limits(mut self, limits: mamori_core::table::ImportLimits) -> AppState {
        self.app = self.app.with_import_limits(limits);
        self
    }

    /// The same state with the city's own threat rules (risk analysis, issue 13):
    /// the text of a copy of catalogs/threat-rules.toml, checked against the
    /// threat catalogue.
    pub fn with_threat_rules(mut self, file: &str, text: &str) -> Result<AppState, String> {
        self.app = self.app.with_threat_rules(file, text)?;
        Ok(self)
    }

    /// The same state with the city's own reporting deadlines (issue 15): the
    /// text of a copy of catalogs/reporting-deadlines.toml.
    pub fn with_deadline_rules(mut self, file: &str, text: &str) -> Result<AppState, String> {
        self.app = self.app.with_deadline_rules(file, text)?;
        Ok(self)
    }

    /// The same state sending notices by mail through `mail` (issue 17).
    pub fn with_mail(mut self, mail: Option<mamori_app::notices::MailConfig>) -> AppState {
        self.app = self.app.with_mail(mail);
        self
    }

    // --- ops2 ---
    /// The same state with the city's own contractor selection criteria and/or
    /// contract requirements: (file, text) of copies of the catalogs.
    pub fn with_outsourcing_rules(
        mut self,
        criteria: Option<(&str, &str)>,
        requirements: Option<(&str, &str)>,
    ) -> Result<AppState, String> {
        self.app = self.app.with_outsourcing_rules(criteria, requirements)?;
        Ok(self)
    }

    /// The key that signs the sign-in form's CSRF cookie: made once and kept in the
    /// database, so that every application server and restart shares it.
    pub async fn login_csrf_key(&self) -> Result<Vec<u8>, mamori_store::StoreError> {
        self.login_csrf_key
            .get_or_try_init(|| async {
                let hex_key = self.store.secret("web.login_csrf_key").await?;
                hex::decode(&hex_key).map_err(|e| {
                    mamori_store::StoreError::Internal(format!("bad web.login_csrf_key: {e}"))
                })
            })
            .await
            .cloned()
    }
}
