//! The policy documents' benchmark (not a timed test): a standards document of
//! N provisions in V versions and D documents in force, then the 新旧対照表 and
//! the search timed as a security officer asks them. See BENCHMARKS.md.
//!
//! cargo bench -p mamori-app --features demo --bench policy_docs -- [--provisions N] [--versions V] [--documents D] [--database-url URL]

use std::sync::Arc;

use mamori_app::App;
use mamori_authz::Authorizer;
use mamori_store::Store;

#[tokio::main]
async fn main() {
    let (mut provisions, mut versions, mut documents) = (1_000_usize, 30_usize, 500_usize);
    let mut url: Option<String> = std::env::var("MAMORI_BENCH_DATABASE_URL").ok();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |default: usize| {
            args.next()
                .and_then(|n| n.replace('_', "").parse().ok())
                .unwrap_or(default)
        };
        match arg.as_str() {
            "--provisions" => provisions = number(provisions),
            "--versions" => versions = number(versions),
            "--documents" => documents = number(documents),
            "--database-url" => url = args.next(),
            // cargo bench passes --bench; ignore what is not ours.
            _ => {}
        }
    }
    let url = url.unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("mamori-bench-policy-{}", std::process::id()));
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
    match app.bench_policy_docs(provisions, versions, documents).await {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}
