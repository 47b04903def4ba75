//! What Mamori does for itself at start-up, acting as `system:start-up`: the
//! first administrator, and (with the `demo` feature) the demo city. The
//! operator who starts the server holds the database, so no policy is asked;
//! the writes and their events are the store's, as for everything else.

use crate::access::App;
use crate::error::Result;

/// The demo city's load: how many demo assets were created, and the password
/// every demo user signs in with.
#[cfg(feature = "demo")]
pub struct DemoLoaded {
    pub assets: usize,
    pub password: &'static str,
}

impl App {
    /// Makes sure the administrator account exists. Returns the password when
    /// a new one was made up (to print once), None when the account existed or
    /// the given password was used.
    pub async fn ensure_admin(&self, password: Option<&str>) -> Result<Option<String>> {
        Ok(self
            .system("start-up")
            .store()
            .ensure_admin(password)
            .await?)
    }

    /// Loads the demo city (units, staff, training, `assets` demo assets) into
    /// a store that has none yet; None when it was loaded before.
    #[cfg(feature = "demo")]
    pub async fn load_demo(&self, assets: usize) -> Result<Option<DemoLoaded>> {
        let permit = self.system("demo");
        let store = permit.store();
        if !mamori_store::demo::load_demo(store).await? {
            return Ok(None);
        }
        let assets = mamori_store::assets::demo::load_demo_assets(store, assets).await?;
        Ok(Some(DemoLoaded {
            assets,
            password: mamori_store::demo::DEMO_PASSWORD,
        }))
    }
}
