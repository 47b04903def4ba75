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

        // A dry run tells how many would be flagged, and switches nothing.
        let r = c
            .api(
                "PUT",
                "/api/v1/classification-schemes/active?dry_run=true",
                Some(&admin),
                Some(json!({"code": "mic-legacy"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["flagged"], 1, "{backend}: {}", r.body);
        assert_eq!(r.json()["dry_run"], true, "{backend}");
        assert_eq!(
            c.store.active_scheme().await.unwrap().code,
            "mic-r6",
            "{backend}: not switched"
        );
        let r = c
            .api(
                "PUT",
                "/api/v1/classification-schemes/active",
                Some(&admin),
                Some(json!({"code": "mic-legacy"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["code"], "mic-legacy", "{backend}");
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
        // The page asks first: the button leads to a confirmation naming
        // the scheme (never its code) and how many assets will be flagged.
        assert!(
            page.body.contains("action=\"/classification/confirm\""),
            "{backend}"
        );
        let confirm = c.get("/classification/confirm?scheme=mic-r6").await;
        assert_eq!(confirm.status, StatusCode::OK, "{backend}");
        let new_name = c
            .store
            .classification_schemes()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.code == "mic-r6")
            .unwrap()
            .name;
        assert!(confirm.body.contains(&new_name), "{backend}");
        assert!(
            confirm.body.contains("id=\"scheme-flagged\">0件 / 1件"),
            "{backend}: nothing will be flagged under mic-r6: {}",
            confirm.body
        );
        assert!(!confirm.body.contains(">mic-r6<"), "{backend}");
        // A post without the confirmation switches nothing.
        let r = c
            .post_form(
                "/classification/active",
                &[("csrf", &csrf), ("scheme", "mic-r6")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(r.location(), "/classification/confirm?scheme=mic-r6");
        assert!(
            c.store
                .asset(a.id, &Default::default())
                .await
                .unwrap()
                .flagged,
            "{backend}: not switched yet"
        );
        let r = c
            .post_form(
                "/classification/active",
                &[("csrf", &csrf), ("scheme", "mic-r6"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let shown = c.get(&r.location()).await;
        assert!(
            shown
                .body
                .contains(&format!("「{new_name}」に変更しました")),
            "{backend}"
        );
        // An unknown scheme is refused, as by the API.
        assert_ne!(
            c.get("/classification/confirm?scheme=nope").await.status,
            StatusCode::OK,
            "{backend}"
        );
        let a = c.store.asset(a.id, &Default::default()).await.unwrap();
        assert!(!a.flagged && a.flags.is_empty(), "{backend}: {:?}", a.flags);
        let r = c.get("/assets?flagged=true").await;
        assert!(!r.body.contains("会議録"), "{backend}");
    }
}
