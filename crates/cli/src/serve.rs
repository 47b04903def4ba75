//! `mamori serve`.

use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{DEFAULT_BIND, DbArgs, parse_bind};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "MAMORI_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Also load a demo city (departments, sections, staff, systems, assets).
    #[arg(long)]
    pub demo: bool,
    /// Mark cookies Secure (default: on unless listening on a loopback address).
    #[arg(long, env = "MAMORI_SECURE_COOKIES", value_name = "BOOL")]
    pub secure_cookies: Option<bool>,
}

/// How many assets the demo city holds.
const DEMO_ASSETS: usize = 3000;

pub async fn run(args: ServeArgs) -> Result<()> {
    let resolved = args.db.resolve()?;
    let bind = args
        .bind
        .clone()
        .or(resolved.file.bind.clone())
        .unwrap_or_else(|| DEFAULT_BIND.to_string());
    let addr = parse_bind(&bind)?;
    let store = resolved.open_store().await?;
    let admin_password = std::env::var("MAMORI_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let startup = crate::operator(&store, resolved.import_limits())?;
    if let Some(generated) = startup.ensure_admin(admin_password.as_deref()).await? {
        println!(
            "初期管理者 admin のパスワード / password of the first administrator 'admin': {generated}"
        );
        println!("（この表示は一度だけです / shown only this once）");
    }
    if args.demo
        && let Some(demo) = startup.load_demo(DEMO_ASSETS).await?
    {
        let assets = demo.assets;
        println!("デモの情報資産 {assets} 件 / {assets} demo assets");
        println!(
            "デモの市を読み込みました / demo city loaded (every demo user's password: {})",
            demo.password
        );
    }
    let authz = mamori_authz::Authorizer::with_extra(&resolved.extra_policies()?)
        .context("the authorization policy cannot be loaded")?;
    let secure_cookies = args
        .secure_cookies
        .or(resolved.file.secure_cookies)
        .unwrap_or(!addr.ip().is_loopback());
    let config = mamori_web::WebConfig {
        secure_cookies,
        session_hours: resolved.file.session_hours.unwrap_or(8),
    };
    let state = mamori_web::AppState::new(store.clone(), authz, config)
        .with_import_limits(resolved.import_limits());
    // Risk analysis (issue 13): the city's own threat rules, when it keeps a
    // copy of catalogs/threat-rules.toml in the data folder.
    let rules = resolved.data_dir.join("catalogs").join("threat-rules.toml");
    let state = if rules.is_file() {
        let text = std::fs::read_to_string(&rules)
            .with_context(|| format!("cannot read {}", rules.display()))?;
        state
            .with_threat_rules(&rules.display().to_string(), &text)
            .map_err(|e| anyhow::anyhow!("the threat rules cannot be used: {e}"))?
    } else {
        state
    };
    // Operations (issue 15): the city's own reporting deadlines, when it keeps
    // a copy of catalogs/reporting-deadlines.toml in the data folder.
    let deadlines = resolved
        .data_dir
        .join("catalogs")
        .join("reporting-deadlines.toml");
    let state = if deadlines.is_file() {
        let text = std::fs::read_to_string(&deadlines)
            .with_context(|| format!("cannot read {}", deadlines.display()))?;
        state
            .with_deadline_rules(&deadlines.display().to_string(), &text)
            .map_err(|e| anyhow::anyhow!("the reporting deadlines cannot be used: {e}"))?
    } else {
        state
    };
    // Notices by mail (issue 17): `[mail]` of mamori.toml; the worker sends
    // the outbox and makes the day's reminders in the background.
    let state = state.with_mail(resolved.file.mail.clone());
    tokio::spawn(state.app.clone().run_mail_worker());
    // --- ops2 ---
    // Contractors (issue 15): the city's own selection criteria and contract
    // requirements, when it keeps copies of the catalogs in the data folder.
    let read_catalog = |name: &str| -> anyhow::Result<Option<(String, String)>> {
        let path = resolved.data_dir.join("catalogs").join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Some((path.display().to_string(), text)))
    };
    let criteria = read_catalog("contractor-criteria.toml")?;
    let requirements = read_catalog("contract-requirements.toml")?;
    let state = state
        .with_outsourcing_rules(
            criteria.as_ref().map(|(f, t)| (f.as_str(), t.as_str())),
            requirements.as_ref().map(|(f, t)| (f.as_str(), t.as_str())),
        )
        .map_err(|e| anyhow::anyhow!("the contractor catalogs cannot be used: {e}"))?;
    // The register follows the data and rules as they are now (the rules
    // file may have changed while Mamori was stopped): recomputed in the
    // background, the pages usable meanwhile.
    state
        .app
        .recompute_risks_in_background(mamori_store::Actor::System("startup"));
    let app = mamori_web::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, backend = store.backend(), "Mamori is listening");
    println!("Mamori: http://{addr}/");
    let purge = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = purge.purge_expired().await {
                tracing::warn!(error = %e, "purging expired sessions failed");
            }
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("the server stopped")?;
    store.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
