//! The risk operations on a real store: the register follows the caller's
//! scope, and the benchmark's figures at 10,000 assets (run with --ignored).

use std::sync::Arc;

use mamori_app::App;
use mamori_store::PageRequest;
use mamori_store::risk::{RiskFilter, RiskSortKey};
use mamori_store::testing::all_stores;

#[tokio::test]
async fn the_demo_citys_register_follows_the_callers_scope() {
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        mamori_store::assets::demo::load_demo_assets(&store, 120)
            .await
            .unwrap();
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store.clone(), authz);
        let s = app
            .recompute_risks_now(&mamori_store::Actor::System("test"))
            .await
            .unwrap();
        assert!(
            s.assets > 0 && s.profiles > 0 && s.pairs > 0,
            "{backend}: {s:?}"
        );
        let tanaka = super::caller(&app, &store, "tanaka").await;
        let unit = tanaka.user.unit_id.unwrap();
        let (mine, _) = app
            .list_risks(
                &tanaka,
                &RiskFilter::default(),
                RiskSortKey::Residual,
                true,
                PageRequest::new(Some(1), Some(500)),
            )
            .await
            .unwrap();
        for r in &mine.items {
            let path = store.unit(r.owner_unit_id).await.unwrap().path;
            assert!(
                path.contains(&format!("/{unit}/")),
                "{backend}: {path} not under {unit}"
            );
        }
        let auditor = super::caller(&app, &store, "auditor").await;
        let (all, _) = app
            .list_risks(
                &auditor,
                &RiskFilter::default(),
                RiskSortKey::Residual,
                true,
                PageRequest::new(Some(1), Some(500)),
            )
            .await
            .unwrap();
        assert!(
            all.total > mine.total,
            "{backend}: the auditor sees every unit"
        );
        // Staff may not decide threats or switch the matrix.
        assert!(app.activate_risk_matrix(&tanaka, "3x3").await.is_err());
        let any = all.items[0].clone();
        let hidden = app.risk(&tanaka, any.id).await;
        if any.owner_unit_id != unit {
            assert!(hidden.is_err(), "{backend}");
        }
    }
}

#[tokio::test]
#[ignore = "benchmark: cargo test -p mamori-app --test it risk_bench -- --ignored --nocapture"]
async fn risk_bench() {
    let n: usize = std::env::var("MAMORI_RISK_BENCH_ASSETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    for (backend, store) in all_stores().await {
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store, authz);
        for (what, rows, took) in app.bench_risks(n).await.unwrap() {
            println!(
                "{backend}\t{n}\t{what}\t{rows}\t{:.1} ms",
                took.as_secs_f64() * 1000.0
            );
        }
    }
}
