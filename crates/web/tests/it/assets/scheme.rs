use axum::http::StatusCode;
use serde_json::json;

use super::{asset, units};
use crate::client::{Client, PASSWORD, clients};

#[tokio::test]
async fn the_flags_follow_the_active_scheme_set_by_the_api_or_the_page() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        let a = asset(&c, "会議録", own.id, "2").await;
        assert!(!a.flagged, "{backend}");
        let admin = c.token("admin", PASSWORD).await;

        let r = c
            .api(
                "PUT",
                "/api/v1/classification-schemes/active",
                Some(&admin),
                Some(json!({"code": "mic-legacy"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api("GET", "/api/v1/assets?flagged=true", Some(&admin), None)
            .await
            .json();
        assert_eq!(r["total"], 1, "{backend}: {r}");
        assert_eq!(
            r["items"][0]["flags"],
            json!(["scheme-outdated"]),
            "{backend}"
        );

        // Back through the page: the flag goes.
        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/classification").await;
        let csrf = Client::csrf_of(&page.body);
        let r = c
            .post_form(
                "/classification/active",
                &[("csrf", &csrf), ("scheme", "mic-r6")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let a = c.store.asset(a.id, &Default::default()).await.unwrap();
        assert!(!a.flagged && a.flags.is_empty(), "{backend}: {:?}", a.flags);
        let r = c.get("/assets?flagged=true").await;
        assert!(!r.body.contains("会議録"), "{backend}");
    }
}
