//! The self-inspections' benchmark (issue 14, part 3) on both databases: a
//! small run checks that the figures hold together (the items' running
//! totals agree with the questionnaires'; a re-uploaded questionnaire
//! changes nothing), and the full run (5,000 units × 300 items) is ignored
//! unless asked for:
//! `cargo test -p mamori-app --test it inspection_bench -- --ignored --nocapture`
//! (`MAMORI_INSPECTION_BENCH_UNITS`, `MAMORI_INSPECTION_BENCH_ITEMS`).

use std::sync::Arc;

use mamori_app::App;
use mamori_store::testing::all_stores;

#[tokio::test]
async fn a_small_bench_run_keeps_the_figures_together() {
    for (backend, store) in all_stores().await {
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store.clone(), authz);
        let figures = app.bench_inspections(40, 24, 1).await.unwrap();
        assert_eq!(figures.len(), 6, "{backend}: {figures:?}");
        assert_eq!(figures[0].1, 40 * 24, "{backend}: every answer");
        assert_eq!(figures[1].1, 40, "{backend}: every unit counted");
        assert_eq!(
            figures[5].1, 24,
            "{backend}: the upload answered every item"
        );
        let inspection = store
            .list_inspections(mamori_store::PageRequest::new(Some(1), Some(1)))
            .await
            .unwrap()
            .items[0]
            .id;
        let totals = store.campaign_totals(inspection).await.unwrap();
        let chapters = store.chapter_scores(inspection).await.unwrap();
        let items = store.item_scores(inspection).await.unwrap();
        let sum =
            |f: fn(&mamori_store::audits::ScoreRow) -> i64| chapters.iter().map(f).sum::<i64>();
        assert_eq!(sum(|c| c.points), totals.points, "{backend}");
        assert_eq!(sum(|c| c.applicable), totals.applicable, "{backend}");
        assert_eq!(
            items.iter().map(|i| i.answered).sum::<i64>(),
            totals.answered,
            "{backend}"
        );
    }
}

#[tokio::test]
#[ignore = "benchmark: cargo test -p mamori-app --test it inspection_bench -- --ignored --nocapture"]
async fn inspection_bench() {
    let var = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let units = var("MAMORI_INSPECTION_BENCH_UNITS", 5_000);
    let items = var("MAMORI_INSPECTION_BENCH_ITEMS", 300);
    for (backend, store) in all_stores().await {
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store, authz);
        for (what, rows, took) in app.bench_inspections(units, items, 5).await.unwrap() {
            println!(
                "{backend}\t{units}×{items}\t{what}\t{rows}\t{:.1} ms",
                took.as_secs_f64() * 1000.0
            );
        }
    }
}
