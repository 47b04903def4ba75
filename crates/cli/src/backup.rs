//! `mamori backup` and `mamori restore`: a consistent copy of a SQLite
//! installation (the database, settings included, and the configuration files
//! of the data folder) in one file, and its way back.
//!
//! The backup file is a plain POSIX tar archive (readable with `tar tvf`):
//!
//! | entry | what |
//! |---|---|
//! | `manifest.json` | first entry: format, version, time, event count, last hash, and the SHA-256 and size of every other entry |
//! | `mamori.db` | the SQLite database, copied by `VACUUM INTO` while the server runs |
//! | `mamori.toml` | the configuration file of the data folder, when there is one |
//! | `policies/NAME.cedar` | the administrator's extra Cedar policies |
//!
//! A restore reads the whole archive and checks every entry against the
//! manifest before it touches the data folder; then it writes into a hidden
//! folder inside it and renames the files into place, so that a failed restore
//! never leaves half a store.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::DbArgs;

/// What the file format is called in its manifest.
const FORMAT: &str = "mamori-backup";
/// The version of the file format this binary writes and reads.
const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "mamori.db";
const CONFIG: &str = "mamori.toml";
const POLICIES: &str = "policies";
/// The largest manifest, configuration file or policy file a restore reads
/// (the database itself is only bounded by its size in the manifest).
const SMALL_FILE_LIMIT: u64 = 16 * 1024 * 1024;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The backup file to write (a tar archive; replaced atomically when it exists).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup file written by `mamori backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The data folder to restore into (created when missing).
    #[arg(long, value_name = "DIR", required = true)]
    pub data_dir: PathBuf,
    /// Replace the database, mamori.toml and policies of a folder that already
    /// holds an installation.
    #[arg(long)]
    pub force: bool,
}

/// The first entry of a backup.
#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    version: u32,
    /// The version of mamori that wrote it.
    mamori: String,
    /// When the copy was taken (RFC 3339, UTC).
    created_at: String,
    /// The number of events in the copy and the hash of the last one.
    events: i64,
    last_hash: String,
    /// Every other entry: its size and SHA-256.
    files: BTreeMap<String, FileSum>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
struct FileSum {
    size: u64,
    sha256: String,
}

/// Removes a folder when dropped (the scratch folders of both commands).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn scratch_name(prefix: &str) -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!(".{prefix}-{}-{n:016x}", std::process::id())
}

fn private_dir(path: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .mode(0o700)
        .create(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

fn sum_file(path: &Path) -> Result<FileSum> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok(FileSum {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// The configuration files of a data folder, as (name in the archive, path).
fn config_files(data_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let config = data_dir.join(CONFIG);
    if config.is_file() {
        out.push((CONFIG.to_string(), config));
    }
    let policies = data_dir.join(POLICIES);
    if policies.is_dir() {
        let mut names = Vec::new();
        for entry in fs::read_dir(&policies)
            .with_context(|| format!("cannot read {}", policies.display()))?
        {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string);
            if let Some(name) = name
                && path.is_file()
                && policy_name_ok(&name)
            {
                names.push((format!("{POLICIES}/{name}"), path));
            }
        }
        names.sort();
        out.extend(names);
    }
    Ok(out)
}

/// A policy file name a restore accepts: `NAME.cedar`, no folders, not hidden.
fn policy_name_ok(name: &str) -> bool {
    name.ends_with(".cedar")
        && name.len() > ".cedar".len()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
}

/// Whether `name` may appear in a backup archive.
fn entry_name_ok(name: &str) -> bool {
    name == DATABASE || name == CONFIG || name.strip_prefix("policies/").is_some_and(policy_name_ok)
}

fn append_file<W: Write>(tar: &mut tar::Builder<W>, name: &str, path: &Path) -> Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata()?.len();
    let mut header = tar::Header::new_ustar();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(now_secs());
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, &mut file)
        .with_context(|| format!("cannot write {name} into the backup"))
}

fn append_bytes<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(now_secs());
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, bytes)
        .with_context(|| format!("cannot write {name} into the backup"))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `mamori backup FILE`: exit 0 written with an intact chain, 1 written but the
/// chain of the copy is broken, 2 nothing written.
pub async fn backup(args: BackupArgs) -> Result<i32> {
    let resolved = args.db.resolve()?;
    if let Some(url) = &resolved.database_url
        && !url.starts_with("sqlite:")
    {
        eprintln!(
            "error: mamori backup は SQLite のデータベースを対象とします。PostgreSQL は pg_dump -Fc でバックアップし、pg_restore で戻した後に mamori verify --database-url … で確認してください（README「Backup」）。"
        );
        eprintln!(
            "error: mamori backup copies a SQLite store; back up PostgreSQL with pg_dump -Fc, restore with pg_restore, then run mamori verify --database-url … (README, \"Backup\")"
        );
        return Ok(2);
    }
    let db = resolved.open_existing().await?;

    // A private scratch folder beside the backup file: the same file system, so
    // the finished archive is renamed into place, and no copy of the database
    // lands in a shared /tmp.
    let target = &args.file;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let scratch = Scratch(parent.join(scratch_name("mamori-backup")));
    private_dir(&scratch.0)?;
    let copy = scratch.0.join(DATABASE);
    let snapshot = db.sqlite_snapshot(&copy).await;
    db.close().await;
    snapshot.context("cannot copy the database")?;
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o600))?;

    // What the copy holds: checked on the copy itself, read-only and immutable
    // (nothing may change the file between its checksum and the archive).
    let copy_db = open_read_only(&copy)
        .await
        .context("cannot open the copy of the database")?;
    let verdict = mamori_store::events::verify_chain(&copy_db).await;
    let head = mamori_store::events::chain_head(&copy_db).await;
    copy_db.close().await;
    let verdict = verdict.context("cannot read the event log of the copy")?;
    let (events, last_hash) = head.context("cannot read the event log of the copy")?;

    let mut entries = vec![(DATABASE.to_string(), copy.clone())];
    entries.extend(config_files(&resolved.data_dir)?);
    let mut files = BTreeMap::new();
    for (name, path) in &entries {
        files.insert(name.clone(), sum_file(path)?);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        mamori: env!("CARGO_PKG_VERSION").into(),
        created_at: mamori_store::now_rfc3339(),
        events,
        last_hash: last_hash.clone(),
        files,
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest)?;

    let partial = scratch.0.join("backup.tar");
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut tar = tar::Builder::new(io::BufWriter::new(file));
    append_bytes(&mut tar, MANIFEST, &manifest_json)?;
    for (name, path) in &entries {
        append_file(&mut tar, name, path)?;
    }
    let writer = tar.into_inner().context("cannot finish the backup")?;
    let file = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .context("cannot write the backup")?;
    file.sync_all().context("cannot write the backup")?;
    drop(file);
    fs::rename(&partial, target)
        .with_context(|| format!("cannot write the backup to {}", target.display()))?;
    if let Ok(dir) = File::open(&parent) {
        let _ = dir.sync_all();
    }

    let n_config = entries.len() - 1;
    println!(
        "ok: backup written to {} ({events} events, last hash {}, {n_config} configuration files) / バックアップを作成しました（記録{events}件、設定ファイル{n_config}件）",
        target.display(),
        short(&last_hash)
    );
    Ok(match verdict {
        mamori_store::events::ChainVerdict::Intact { .. } => 0,
        mamori_store::events::ChainVerdict::Broken { seq, reason } => {
            println!("BROKEN at event #{seq}: {reason}");
            println!("注意: バックアップした変更記録の連鎖が記録 #{seq} で壊れています");
            1
        }
    })
}

/// A pool of one read-only connection on a SQLite file that nothing else uses.
async fn open_read_only(path: &Path) -> Result<mamori_store::Db> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    Ok(mamori_store::Db::Sqlite(pool))
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

/// Reads an archive, checking every entry against the manifest. With `dest`,
/// writes the entries under it (0600); without, only checks.
fn read_archive(path: &Path, dest: Option<&Path>) -> Result<Manifest> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut archive = tar::Archive::new(io::BufReader::new(file));
    let mut manifest: Option<Manifest> = None;
    let mut seen: BTreeMap<String, FileSum> = BTreeMap::new();
    for entry in archive.entries().context("not a backup file (tar)")? {
        let mut entry = entry.context("the backup file is damaged or cut short")?;
        if !matches!(entry.header().entry_type(), tar::EntryType::Regular) {
            bail!("unexpected entry in the backup (not a regular file)");
        }
        let name = entry
            .path()
            .context("an entry of the backup has an unreadable name")?
            .to_str()
            .map(str::to_string)
            .context("an entry of the backup has an unreadable name")?;
        let Some(manifest) = &manifest else {
            if name != MANIFEST {
                bail!("not a Mamori backup: the first entry is {name}, not {MANIFEST}");
            }
            let mut text = Vec::new();
            (&mut entry)
                .take(SMALL_FILE_LIMIT)
                .read_to_end(&mut text)
                .context("the backup file is damaged or cut short")?;
            let m: Manifest =
                serde_json::from_slice(&text).context("not a Mamori backup: bad manifest")?;
            if m.format != FORMAT {
                bail!("not a Mamori backup (format {:?})", m.format);
            }
            if m.version != FORMAT_VERSION {
                bail!(
                    "backup format version {} is not supported by this mamori (it reads version {FORMAT_VERSION})",
                    m.version
                );
            }
            if !m.files.contains_key(DATABASE) {
                bail!("the backup holds no database");
            }
            if let Some(bad) = m.files.keys().find(|n| !entry_name_ok(n)) {
                bail!("the backup names an unexpected file {bad:?}");
            }
            manifest = Some(m);
            continue;
        };
        let Some(expected) = manifest.files.get(&name) else {
            bail!("the backup holds a file its manifest does not list: {name:?}");
        };
        if seen.contains_key(&name) {
            bail!("the backup holds {name} twice");
        }
        let limit = if name == DATABASE {
            expected.size
        } else {
            expected.size.min(SMALL_FILE_LIMIT)
        };
        let mut hasher = Sha256::new();
        let mut out: Box<dyn Write> = match dest {
            Some(dir) => {
                let target = dir.join(&name);
                if let Some(p) = target.parent()
                    && !p.exists()
                {
                    private_dir(p)?;
                }
                Box::new(
                    OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(&target)
                        .with_context(|| format!("cannot create {}", target.display()))?,
                )
            }
            None => Box::new(io::sink()),
        };
        let mut reader = (&mut entry).take(limit + 1);
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = reader
                .read(&mut buf)
                .context("the backup file is damaged or cut short")?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .with_context(|| format!("cannot write {name}"))?;
        }
        out.flush()?;
        drop(out);
        let got = FileSum {
            size,
            sha256: hex::encode(hasher.finalize()),
        };
        if &got != expected {
            bail!("{name} in the backup does not match its manifest (damaged backup)");
        }
        seen.insert(name, got);
    }
    let Some(manifest) = manifest else {
        bail!("not a Mamori backup: the file is empty");
    };
    if let Some(missing) = manifest.files.keys().find(|n| !seen.contains_key(*n)) {
        bail!("the backup is incomplete: {missing} is missing (cut short?)");
    }
    Ok(manifest)
}

/// Whether a folder holds anything.
fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .next()
        .is_none())
}

/// `mamori restore FILE --data-dir DIR`: exit 0 restored with an intact chain,
/// 1 restored but the chain is broken, 2 nothing changed.
pub async fn restore(args: RestoreArgs) -> Result<i32> {
    let dir = &args.data_dir;
    // 1. The whole archive is read and checked before anything is touched.
    let manifest = read_archive(&args.file, None)
        .with_context(|| format!("cannot restore {}", args.file.display()))?;

    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} is not a folder", dir.display());
        }
        if !args.force && !is_empty_dir(dir)? {
            eprintln!(
                "error: {} は空ではありません（既存のデータを置き換えるには --force を指定してください）",
                dir.display()
            );
            eprintln!(
                "error: {} is not empty; restore with --force to replace its database, mamori.toml and policies",
                dir.display()
            );
            return Ok(2);
        }
    } else {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private", dir.display()))?;

    // 2. Written into a hidden folder of DIR (the same file system), checked
    //    as a database, then renamed into place.
    let scratch = Scratch(dir.join(scratch_name("mamori-restore")));
    private_dir(&scratch.0)?;
    let new = scratch.0.join("new");
    private_dir(&new)?;
    read_archive(&args.file, Some(&new))
        .with_context(|| format!("cannot restore {}", args.file.display()))?;
    check_database(&new.join(DATABASE)).await?;
    // 3. The chain of the restored store, as `mamori verify` checks it, read
    //    before the swap: the -wal and -shm that reading leaves beside the file
    //    stay in the scratch folder (only the database is moved), so the
    //    installed folder never holds a log file of an earlier connection.
    let verdict = verify_copy(&new.join(DATABASE)).await;
    for path in [new.join(DATABASE), new.join(CONFIG)] {
        if let Ok(f) = File::open(&path) {
            f.sync_all()?;
        }
    }
    let old = scratch.0.join("old");
    private_dir(&old)?;
    swap_in(dir, &new, &old)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    drop(scratch);

    let n_config = manifest.files.len() - 1;
    Ok(
        match verdict.context("cannot read the restored event log")? {
            mamori_store::events::ChainVerdict::Intact { events } => {
                println!(
                    "ok: restored into {} (backup of {}, {n_config} configuration files); the event log is intact ({events} events) / 復元しました。変更記録の連鎖は完全です（{events}件）",
                    dir.display(),
                    manifest.created_at
                );
                0
            }
            mamori_store::events::ChainVerdict::Broken { seq, reason } => {
                println!(
                    "restored into {} (backup of {}), but the event log is BROKEN at event #{seq}: {reason}",
                    dir.display(),
                    manifest.created_at
                );
                println!("復元しましたが、改ざんを検出しました: 記録 #{seq}");
                1
            }
        },
    )
}

/// Checks the event chain of the database at `path` (the copy not yet in place).
async fn verify_copy(path: &Path) -> Result<mamori_store::events::ChainVerdict> {
    let db = mamori_store::Db::connect_sqlite_file(path)
        .await
        .context("cannot open the restored database")?;
    let verdict = mamori_store::events::verify_chain(&db).await;
    db.close().await;
    Ok(verdict?)
}

/// Opens a restored database read-only and asks SQLite whether it is whole.
async fn check_database(path: &Path) -> Result<()> {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .context("the database in the backup cannot be opened")?;
    let result: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await
        .context("the database in the backup cannot be read")?;
    let has_events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'event_head')",
    )
    .fetch_one(&mut conn)
    .await
    .context("the database in the backup cannot be read")?;
    use sqlx::Connection;
    conn.close().await.ok();
    if result != "ok" {
        bail!("the database in the backup is damaged: {result}");
    }
    if has_events != 2 {
        bail!("the database in the backup is not a Mamori database");
    }
    Ok(())
}

/// Moves what DIR holds of an installation to `old`, then the restored files
/// from `new` into DIR; on a failure, puts the old files back.
fn swap_in(dir: &Path, new: &Path, old: &Path) -> Result<()> {
    // The -wal and -shm of the database being replaced must go with it: SQLite
    // would otherwise read them into the restored file.
    let installed = [
        DATABASE.to_string(),
        format!("{DATABASE}-wal"),
        format!("{DATABASE}-shm"),
        format!("{DATABASE}-journal"),
        CONFIG.to_string(),
        POLICIES.to_string(),
    ];
    let mut moved: Vec<&String> = Vec::new();
    let mut result = Ok(());
    for name in &installed {
        let from = dir.join(name);
        if fs::symlink_metadata(&from).is_ok() {
            if let Err(e) = fs::rename(&from, old.join(name)) {
                result =
                    Err(anyhow::Error::from(e).context(format!("cannot move {}", from.display())));
                break;
            }
            moved.push(name);
        }
    }
    let mut placed: Vec<&str> = Vec::new();
    if result.is_ok() {
        // The database last: the configuration beside it is in place first.
        for name in [CONFIG, POLICIES, DATABASE] {
            let from = new.join(name);
            if fs::symlink_metadata(&from).is_ok() {
                if let Err(e) = fs::rename(&from, dir.join(name)) {
                    result = Err(anyhow::Error::from(e).context(format!("cannot place {name}")));
                    break;
                }
                placed.push(name);
            }
        }
    }
    if result.is_err() {
        for name in placed {
            let _ = fs::rename(dir.join(name), new.join(name));
        }
        for name in moved {
            let _ = fs::rename(old.join(name), dir.join(name));
        }
    }
    result
}
