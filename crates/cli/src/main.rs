//! `mamori`: run the server, verify the event log, import and export registers,
//! check firewall configurations.

mod assets;
mod backup;
mod config;
mod netcheck;
mod org;
mod policy;
mod serve;
mod systems;

use anyhow::Result;
use clap::{Parser, Subcommand};

use config::DbArgs;

#[derive(Parser)]
#[command(
    name = "mamori",
    version,
    about = "Mamori (守り): information security management for Japanese local governments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages and API).
    Serve(serve::ServeArgs),
    /// Recompute the event log's hash chain: exit 0 when intact, 1 naming the first
    /// entry that does not match, 2 when the database cannot be read.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
    /// The information-asset register (情報資産管理台帳): import and export a ledger
    /// (.xlsx or .csv). Works while the server runs.
    Assets {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: assets::AssetsCommand,
    },
    /// The organisation (組織) and its staff (職員): import the HR system's export.
    Org {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: org::OrgCommand,
    },
    /// Policy documents (基本方針, 対策基準, 実施手順): import a file as a new
    /// draft version, export a version.
    Policy {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: policy::PolicyCommand,
    },
    /// Measure the register at scale: fills the store to N assets (default 1,000,000)
    /// and times filtered pages and a ledger import. Use a scratch database.
    Bench {
        #[command(flatten)]
        db: DbArgs,
        /// The number of assets to fill the store to.
        #[arg(long, default_value_t = 1_000_000)]
        assets: usize,
        // --- h14 ---
        /// Instead: self-inspections at a prefecture's scale (units × items,
        /// the results page, the report and an .xlsx questionnaire upload).
        #[arg(long)]
        inspections: bool,
        /// With --inspections: the number of units answering.
        #[arg(long, default_value_t = 5_000)]
        units: usize,
        /// With --inspections: the number of checklist items.
        #[arg(long, default_value_t = 300)]
        items: usize,
    },
    /// Check firewall configurations (iptables-save, nft -j, FortiOS) against the
    /// segment model: exit 0 clean, 1 violations, 2 unreadable input.
    Netcheck(netcheck::NetcheckArgs),
    /// Copy a SQLite installation (database, settings, mamori.toml, policies) into
    /// one file while the server runs: exit 0 written, 1 written but the copy's
    /// event log is broken, 2 nothing written (and for PostgreSQL: use pg_dump).
    Backup(backup::BackupArgs),
    /// Bring a backup back into a data folder and verify its event log: exit 0
    /// restored and intact, 1 restored but the chain is broken, 2 nothing changed.
    Restore(backup::RestoreArgs),
    /// The information systems register (第2(2)): import and export it
    /// (.xlsx or .csv), all rows or none.
    Systems {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: systems::SystemsCommand,
    },
}

/// mimalloc: see the dependency's note in Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The operations for the operator at the command line, over this store with
/// the built-in policy (the operator's commands act as `system:cli` and ask no
/// policy, but go through the same operations as the pages and the API).
pub(crate) fn operator(
    store: &mamori_store::Store,
    limits: mamori_core::table::ImportLimits,
) -> anyhow::Result<mamori_app::App> {
    let authz = mamori_authz::Authorizer::builtin()?;
    Ok(mamori_app::App::new(store.clone(), std::sync::Arc::new(authz)).with_import_limits(limits))
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAMORI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    let code = runtime.block_on(run(cli));
    std::process::exit(code);
}

async fn run(cli: Cli) -> i32 {
    let result: Result<i32> = match cli.command {
        Command::Serve(args) => serve::run(args).await.map(|()| 0),
        Command::Verify { db } => verify(db).await,
        Command::Netcheck(args) => Ok(netcheck::run(&args)),
        Command::Assets { db, command } => {
            on_store(db, async |store, limits| {
                assets::run(command, store, limits).await
            })
            .await
        }
        Command::Org { db, command } => {
            on_store(db, async |store, limits| {
                org::run(command, store, limits).await
            })
            .await
        }
        Command::Systems { db, command } => {
            on_store(db, async |store, limits| {
                systems::run(command, store, limits).await
            })
            .await
        }
        Command::Policy { db, command } => {
            on_store(db, async |store, limits| {
                policy::run(command, store, limits).await
            })
            .await
        }
        Command::Bench {
            db,
            assets,
            inspections,
            units,
            items,
        } => {
            if inspections {
                bench_inspections(db, units, items).await
            } else {
                bench(db, assets).await
            }
        }
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

/// Opens the store, runs a command on it (with the import limits of the
/// settings), and closes it.
async fn on_store(
    db: DbArgs,
    command: impl AsyncFnOnce(&mamori_store::Store, mamori_core::table::ImportLimits) -> Result<i32>,
) -> Result<i32> {
    let resolved = db.resolve()?;
    let store = resolved.open_store().await?;
    let code = command(&store, resolved.import_limits()).await;
    store.close().await;
    code
}

async fn bench(args: DbArgs, assets: usize) -> Result<i32> {
    let store = args.resolve()?.open_store().await?;
    let report = operator(&store, Default::default())?
        .bench_assets(assets, true)
        .await?;
    println!("{report}");
    store.close().await;
    Ok(0)
}

/// `mamori bench --inspections`: one line per figure (median of 5 runs).
async fn bench_inspections(args: DbArgs, units: usize, items: usize) -> Result<i32> {
    let store = args.resolve()?.open_store().await?;
    let figures = operator(&store, Default::default())?
        .bench_inspections(units, items, 5)
        .await?;
    println!(
        "self-inspections: {units} units × {items} items ({})",
        store.backend()
    );
    for (what, rows, took) in figures {
        println!(
            "  {what:<62} {rows:>9} {:>10.1} ms",
            took.as_secs_f64() * 1000.0
        );
    }
    store.close().await;
    Ok(0)
}

async fn verify(args: DbArgs) -> Result<i32> {
    let resolved = args.resolve()?;
    let db = resolved.open_existing().await?;
    let verdict = mamori_store::events::verify_chain(&db).await?;
    db.close().await;
    Ok(match verdict {
        mamori_store::events::ChainVerdict::Intact { events } => {
            println!(
                "ok: the event log is intact ({events} events) / 変更記録の連鎖は完全です（{events}件）"
            );
            0
        }
        mamori_store::events::ChainVerdict::Broken { seq, reason } => {
            println!("BROKEN at event #{seq}: {reason}");
            println!("改ざんを検出しました: 記録 #{seq}");
            1
        }
    })
}
