//! The asset-register benchmark (not a timed test): fills a store to N assets and
//! measures the register's first page under typical filters, a 100,000-row
//! ledger import and exports. See BENCHMARKS.md at the repository root.
//!
//! cargo bench -p mamori-app --bench assets -- [--assets N] [--database-url URL] [--no-bulk | --imports]
//!
//! --imports measures only the two ledger imports (CSV and .xlsx) after filling.
//!
//! Without --database-url a fresh SQLite file in the temporary folder is used;
//! with a URL the store there is filled up to N (an existing store is reused,
//! so a second run measures without loading again).

use std::sync::Arc;

use mamori_app::App;
use mamori_authz::Authorizer;
use mamori_store::Store;

#[tokio::main]
async fn main() {
    let mut assets = 1_000_000_usize;
    let mut bulk = true;
    let mut imports = false;
    let mut url: Option<String> = std::env::var("MAMORI_BENCH_DATABASE_URL").ok();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--assets" => {
                assets = args
                    .next()
                    .and_then(|n| n.replace('_', "").parse().ok())
                    .unwrap_or(assets)
            }
            "--database-url" => url = args.next(),
            "--no-bulk" => bulk = false,
            "--imports" => imports = true,
            // cargo bench passes --bench; ignore what is not ours.
            _ => {}
        }
    }
    let url = url.unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("mamori-bench-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        format!("sqlite://{}", dir.join("mamori.db").display())
    });
    let store = match Store::open(&url).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open {}: {e}", mamori_store::db::redact_url(&url));
            std::process::exit(2);
        }
    };
    let authz = match Authorizer::builtin() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("cannot load the policy: {e}");
            std::process::exit(2);
        }
    };
    let app = App::new(store, authz);
    let result = if imports {
        app.bench_imports(assets).await
    } else {
        app.bench_assets(assets, bulk).await
    };
    match result {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}
