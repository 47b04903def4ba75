//! One record of segments: the segments file the checker reads and the
//! segments the register refers to, through the API and the page.

use axum::http::StatusCode;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};

const FILE: &str = r#"model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
interfaces = ["port2"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["10.30.0.0/16"]
"#;

fn segment<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("segment {name} in {list}"))
}

#[tokio::test]
async fn saving_the_segments_file_updates_the_record() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/segments/file", Some(&admin), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: nothing yet");

        let r = c
            .api(
                "PUT",
                "/api/v1/segments/file",
                Some(&admin),
                Some(json!({"segments": FILE})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(
            r.json()["created"],
            json!(["mynumber", "lgwan", "internet"])
        );

        let list = c
            .api("GET", "/api/v1/segments", Some(&admin), None)
            .await
            .json();
        assert_eq!(list["total"], 3, "{backend}");
        assert_eq!(segment(&list, "lgwan")["ranges"], "10.20.0.0/16");
        assert_eq!(segment(&list, "lgwan")["interfaces"], "port2");
        assert_eq!(segment(&list, "lgwan")["assets"], 0);

        // A changed range and one segment left out: the range follows, the
        // left-out segment stays on record and is named.
        let changed = FILE
            .replace("10.20.0.0/16", "10.20.0.0/16\", \"172.16.0.0/20")
            .replace("[[segment]]\nname = \"internet\"\nrole = \"internet\"\nranges = [\"10.30.0.0/16\"]\n", "");
        let r = c
            .api(
                "PUT",
                "/api/v1/segments/file",
                Some(&admin),
                Some(json!({"segments": changed})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let sync = r.json();
        assert_eq!(sync["created"], json!([]));
        assert_eq!(sync["updated"], json!(["lgwan"]));
        assert_eq!(sync["not_in_file"], json!(["internet"]));
        let list = c
            .api("GET", "/api/v1/segments", Some(&admin), None)
            .await
            .json();
        assert_eq!(list["total"], 3, "{backend}: nothing removed");
        assert_eq!(
            segment(&list, "lgwan")["ranges"],
            "10.20.0.0/16\n172.16.0.0/20"
        );
        let r = c
            .api("GET", "/api/v1/segments/file", Some(&admin), None)
            .await;
        assert_eq!(r.json()["segments"], changed, "{backend}: the saved file");

        // A file that does not parse changes nothing.
        let r = c
            .api("PUT", "/api/v1/segments/file", Some(&admin), Some(json!({"segments": "model = \"alpha\"\n[[segment]]\nname = \"x\"\nrole = \"lgwan\"\nranges = [\"not-an-address\"]\n"})))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(
            r.body.contains("line 5") && r.body.contains("segment.ranges"),
            "{backend}: names the line and field: {}",
            r.body
        );
        let list = c
            .api("GET", "/api/v1/segments", Some(&admin), None)
            .await
            .json();
        assert_eq!(list["total"], 3, "{backend}: nothing written");

        // Each change is in the event log.
        let events = c
            .api("GET", "/api/v1/events?entity=segment", Some(&admin), None)
            .await
            .json();
        assert!(
            events["total"].as_i64().unwrap() >= 4,
            "{backend}: 3 created and 1 updated: {events}"
        );
    }
}

#[tokio::test]
async fn staff_see_segments_without_their_addresses() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "PUT",
                "/api/v1/segments/file",
                Some(&admin),
                Some(json!({"segments": FILE})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let staff = c.token("tanaka", PASSWORD).await;
        let list = c.api("GET", "/api/v1/segments", Some(&staff), None).await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        let list = list.json();
        assert_eq!(segment(&list, "lgwan")["ranges"], "", "{backend}");
        assert_eq!(segment(&list, "lgwan")["interfaces"], "", "{backend}");
        let r = c
            .api("GET", "/api/v1/segments/file", Some(&staff), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api(
                "PUT",
                "/api/v1/segments/file",
                Some(&staff),
                Some(json!({"segments": FILE})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        let mut page = c.fresh();
        page.sign_in("tanaka", PASSWORD).await;
        let r = page.get("/segments").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("lgwan"), "{backend}");
        assert!(
            !r.body.contains("10.20.0.0/16"),
            "{backend}: no addresses for staff"
        );
        assert!(
            !r.body.contains("segments-save"),
            "{backend}: no file form for staff"
        );
    }
}

#[tokio::test]
async fn the_page_saves_the_file_and_lists_systems() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        let r = c.get("/segments").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("segments-save"), "{backend}: the file form");
        let csrf = Client::csrf_of(&r.body);
        let r = c
            .post_form("/segments/file", &[("csrf", &csrf), ("file", FILE)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let r = c.get("/segments").await;
        assert!(
            r.body.contains("mynumber, lgwan, internet"),
            "{backend}: the flash names what was added: {}",
            r.body
        );
        assert!(
            r.body.contains("10.20.0.0/16"),
            "{backend}: ranges for the security office"
        );

        let r = c
            .post_form(
                "/segments/file",
                &[
                    ("csrf", &csrf),
                    ("file", "model = \"alpha\"\n[[segment]]\nname = 1\n"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.body.contains("segments-error"),
            "{backend}: the error is shown"
        );

        // The netcheck page offers the saved file.
        let r = c.get("/netcheck").await;
        assert!(
            r.body.contains("port2"),
            "{backend}: the city's file on the checker page"
        );

        // Systems in a segment.
        let store = c.store.clone();
        let lgwan = store.segment_by_name("lgwan").await.unwrap().unwrap();
        store
            .create_information_system(
                &mamori_store::Actor::System("test"),
                mamori_store::assets::NewInformationSystem {
                    code: "SYS-GW".into(),
                    name: "グループウェア".into(),
                    owner_unit_id: None,
                    segment_id: Some(lgwan.id),
                    description: String::new(),
                },
            )
            .await
            .unwrap();
        let r = c.get(&format!("/segments?segment={}", lgwan.id)).await;
        assert!(r.body.contains("SYS-GW"), "{backend}");
        let other = store.segment_by_name("internet").await.unwrap().unwrap();
        let r = c.get(&format!("/segments?segment={}", other.id)).await;
        assert!(!r.body.contains("SYS-GW"), "{backend}: filtered by segment");
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "GET",
                &format!("/api/v1/information-systems?segment={}", lgwan.id),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(r["total"], 1, "{backend}");
        assert_eq!(r["items"][0]["segment_name"], "lgwan");
    }
}
