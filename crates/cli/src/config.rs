//! Configuration: defaults, then a TOML file, then `MAMORI_` environment variables,
//! then command-line flags (clap reads the environment and the flags).

use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the data lives and how to reach it; shared by every command that opens the store.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// Folder for the SQLite database, policies and exports (default ./mamori-data).
    #[arg(long, env = "MAMORI_DATA_DIR", value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://…) to use instead of the embedded SQLite file.
    #[arg(
        long,
        env = "MAMORI_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,
    /// A TOML configuration file (default: DIR/mamori.toml when it exists).
    #[arg(long, env = "MAMORI_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

/// The settings file.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub bind: Option<String>,
    pub secure_cookies: Option<bool>,
    pub session_hours: Option<i64>,
    /// `[import]`: what an import may read (upload size, unpacked size, rows,
    /// columns, cells, characters in a cell); what is left out keeps its default.
    pub import: Option<mamori_core::table::ImportLimits>,
    /// `[mail]`: the city's SMTP server for notices (none: notices in the
    /// app only).
    pub mail: Option<mamori_app::notices::MailConfig>,
}

impl std::fmt::Debug for FileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileConfig")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(mamori_store::db::redact_url),
            )
            .field("bind", &self.bind)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_hours", &self.session_hours)
            .field("import", &self.import)
            .field("mail", &self.mail)
            .finish()
    }
}

/// The resolved location of the store.
#[derive(Clone)]
pub struct Resolved {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub file: FileConfig,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(mamori_store::db::redact_url),
            )
            .finish()
    }
}

pub const DEFAULT_DATA_DIR: &str = "mamori-data";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("the configuration file {} is not valid", path.display()))
}

impl DbArgs {
    pub fn resolve(&self) -> Result<Resolved> {
        let explicit = self.config.clone();
        let guess_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let file = match explicit {
            Some(path) => read_file(&path)?,
            None => {
                let path = guess_dir.join("mamori.toml");
                if path.exists() {
                    read_file(&path)?
                } else {
                    FileConfig::default()
                }
            }
        };
        let data_dir = self
            .data_dir
            .clone()
            .or(file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = self
            .database_url
            .clone()
            .or(file.database_url.clone())
            .filter(|u| !u.is_empty());
        Ok(Resolved {
            data_dir,
            database_url,
            file,
        })
    }
}

impl Resolved {
    /// The URL of the store: the PostgreSQL URL, or the SQLite file in the data folder.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.sqlite_path().display()),
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("mamori.db")
    }

    /// Opens the store for a command that writes: creates the data folder, migrates,
    /// loads the catalogues on first start.
    pub async fn open_store(&self) -> Result<mamori_store::Store> {
        if self.database_url.is_none() {
            // 0700: the folder holds the database (sessions, the event log).
            mamori_store::db::create_private_dir(&self.data_dir).with_context(|| {
                format!("cannot create the data folder {}", self.data_dir.display())
            })?;
        }
        let store = mamori_store::Store::open(&self.url())
            .await
            .with_context(|| {
                format!(
                    "cannot open the database {}",
                    mamori_store::db::redact_url(&self.url())
                )
            })?;
        Ok(store)
    }

    /// What an import may read: the defaults, then `[import]` of the settings file.
    pub fn import_limits(&self) -> mamori_core::table::ImportLimits {
        self.file.import.unwrap_or_default()
    }

    /// Opens the database of an existing installation without changing anything.
    pub async fn open_existing(&self) -> Result<mamori_store::Db> {
        if self.database_url.is_none() && !self.sqlite_path().exists() {
            anyhow::bail!(
                "no Mamori database at {} (use --data-dir or --database-url)",
                self.sqlite_path().display()
            );
        }
        mamori_store::Db::connect(&self.url())
            .await
            .with_context(|| {
                format!(
                    "cannot open the database {}",
                    mamori_store::db::redact_url(&self.url())
                )
            })
    }

    /// The administrator's extra Cedar policy files (DIR/policies/*.cedar).
    pub fn extra_policies(&self) -> Result<Vec<(String, String)>> {
        let dir = self.data_dir.join("policies");
        let mut out = Vec::new();
        if !dir.is_dir() {
            return Ok(out);
        }
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "cedar"))
            .collect();
        entries.sort();
        for path in entries {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            out.push((path.display().to_string(), text));
        }
        Ok(out)
    }
}

/// Parses a bind address with a clear message.
pub fn parse_bind(bind: &str) -> Result<SocketAddr> {
    bind.parse()
        .with_context(|| format!("'{bind}' is not an address to listen on (e.g. 127.0.0.1:8080)"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// The data folder and the SQLite files are the owner's only (issue 10, finding 10).
    #[tokio::test]
    async fn a_new_data_folder_and_database_are_private() {
        let root = std::env::temp_dir().join(format!("mamori-cli-modes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let resolved = Resolved {
            data_dir: root.join("city").join("mamori-data"),
            database_url: None,
            file: FileConfig::default(),
        };
        let store = resolved.open_store().await.unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&resolved.data_dir), 0o700);
        assert_eq!(mode(&resolved.sqlite_path()), 0o600);
        let wal = PathBuf::from(format!("{}-wal", resolved.sqlite_path().display()));
        assert!(wal.exists());
        assert_eq!(mode(&wal), 0o600);
        store.close().await;
        let _ = std::fs::remove_dir_all(&root);
    }
}
