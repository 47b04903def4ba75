use axum::http::StatusCode;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};

const SEGMENTS: &str = r#"model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["10.30.0.0/16"]
"#;

const BAD_IPTABLES: &str = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.10.0.0/16 -d 10.30.0.0/16 -p tcp --dport 443 -j ACCEPT
COMMIT
";

const CLEAN_IPTABLES: &str = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
";

#[tokio::test]
async fn api_checks_a_configuration_and_keeps_the_history() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let body = json!({"device": "fw-core-1", "segments": SEGMENTS, "configs": [{"file": "fw1.rules", "text": BAD_IPTABLES}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let v = r.json();
        assert_eq!(v["run"]["clean"], false, "{backend}");
        let violations = v["report"]["violations"].as_array().unwrap();
        assert!(!violations.is_empty());
        let rule = &violations[0]["rules"][0];
        assert_eq!(rule["file"], "fw1.rules");
        assert_eq!(rule["line"], 5, "{backend}: the rule's line");
        let id = v["run"]["id"].as_i64().unwrap();

        let body = json!({"device": "fw-core-1", "configs": [{"file": "fw1.rules", "text": CLEAN_IPTABLES}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{backend}: the saved segments file is used: {}",
            r.body
        );
        assert_eq!(r.json()["run"]["clean"], true);

        let list = c
            .api(
                "GET",
                "/api/v1/netcheck/runs?device=fw-core-1",
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(list["total"], 2, "{backend}");
        let one = c
            .api(
                "GET",
                &format!("/api/v1/netcheck/runs/{id}"),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(one["run"]["device"], "fw-core-1");

        // Bad input: a clear message naming the line, nothing recorded.
        let body = json!({"device": "fw-core-1", "segments": "model = \"alpha\"\n[[segment]]\nname = 3\n", "configs": [{"file": "x", "text": CLEAN_IPTABLES}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("line"),
            "{}",
            r.body
        );
        let body = json!({"device": "fw-core-1", "segments": SEGMENTS, "configs": [{"file": "x.conf", "text": "hello world"}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("x.conf"));
        let list = c
            .api("GET", "/api/v1/netcheck/runs", Some(&admin), None)
            .await
            .json();
        assert_eq!(
            list["total"], 2,
            "{backend}: failed checks are not recorded"
        );

        let staff = c.token("tanaka", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/netcheck/runs", Some(&staff), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "mamoriboundary42";
    let mut body = String::new();
    for (name, file, value) in fields {
        body.push_str(&format!("--{boundary}\r\n"));
        match file {
            Some(f) => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n")),
            None => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_page_uploads_a_configuration_and_shows_the_violations() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/netcheck").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let (ct, body) = multipart(&[
            ("csrf", None, &csrf),
            ("device", None, "fw-edge"),
            ("model", None, ""),
            ("segments", None, SEGMENTS),
            ("config", Some("edge.rules"), BAD_IPTABLES),
        ]);
        let req = axum::http::Request::post("/netcheck")
            .header("cookie", c.cookie_header())
            .header("content-type", ct)
            .header("sec-fetch-site", "same-origin")
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let run = c.get(&r.location()).await;
        assert_eq!(run.status, StatusCode::OK);
        assert!(
            run.body.contains("edge.rules:5"),
            "{backend}: the rule with its line"
        );
        assert!(run.body.contains("10.30.0.0/16"));
        let hist = c.get("/netcheck?device=fw-edge").await;
        assert!(hist.body.contains("fw-edge (1)"), "{backend}");

        // Without a CSRF token nothing runs.
        let (ct, body) = multipart(&[
            ("device", None, "fw-edge"),
            ("segments", None, SEGMENTS),
            ("config_text", None, BAD_IPTABLES),
        ]);
        let req = axum::http::Request::post("/netcheck")
            .header("cookie", c.cookie_header())
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap();
        assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    }
}
