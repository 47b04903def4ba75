use axum::http::StatusCode;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};

pub(crate) const SEGMENTS: &str = r#"model = "alpha"
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

pub(crate) const BAD_IPTABLES: &str = "*filter
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

/// A large report is shown a page at a time: 50 violations, 200
/// never-matching rules, each list with its own pager that keeps the other's
/// page.
#[tokio::test]
async fn a_large_report_is_shown_a_page_at_a_time() {
    let mut rules =
        String::from("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    // 120 rules, each its own violation (My Number to the Internet).
    for i in 0..120 {
        rules.push_str(&format!(
            "-A FORWARD -s 10.10.{i}.1/32 -d 10.30.0.1/32 -p tcp --dport 443 -j ACCEPT\n"
        ));
    }
    // 250 copies of the first: none can ever match.
    for _ in 0..250 {
        rules.push_str("-A FORWARD -s 10.10.0.1/32 -d 10.30.0.1/32 -p tcp --dport 443 -j ACCEPT\n");
    }
    rules.push_str("COMMIT\n");
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let body = json!({"device": "fw-big", "segments": SEGMENTS, "configs": [{"file": "big.rules", "text": rules}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let v = r.json();
        assert_eq!(
            v["report"]["violations"].as_array().map(Vec::len),
            Some(120)
        );
        assert_eq!(v["report"]["shadowed"].as_array().map(Vec::len), Some(250));
        let id = v["run"]["id"].as_i64().unwrap();
        // The API gives the long lists a page at a time too.
        let r = c
            .api(
                "GET",
                &format!("/api/v1/netcheck/runs/{id}/violations?page=3&per_page=50"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let page = r.json();
        assert_eq!(page["total"], 120, "{backend}");
        assert_eq!(
            page["items"].as_array().map(Vec::len),
            Some(20),
            "{backend}"
        );
        assert_eq!(
            page["items"][19]["rules"][0]["line"], 124,
            "{backend}: the 120th rule"
        );
        let r = c
            .api(
                "GET",
                &format!("/api/v1/netcheck/runs/{id}/shadowed?page=3&per_page=100"),
                Some(&admin),
                None,
            )
            .await;
        let page = r.json();
        assert_eq!(page["total"], 250, "{backend}");
        assert_eq!(
            page["items"].as_array().map(Vec::len),
            Some(50),
            "{backend}"
        );
        assert_eq!(page["items"][0]["file"], "big.rules", "{backend}");
        let r = c
            .api(
                "GET",
                "/api/v1/netcheck/runs/99999/violations",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let staff = c.token("tanaka", PASSWORD).await;
        let r = c
            .api(
                "GET",
                &format!("/api/v1/netcheck/runs/{id}/violations"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        c.sign_in("admin", PASSWORD).await;
        let cards = |body: &str| body.matches("class=\"card violation\"").count();
        let shadowed = |body: &str| {
            let list = body.split("id=\"shadowed\"").nth(1).unwrap_or("");
            let list = list.split("</ul>").next().unwrap_or("");
            list.matches("<li>").count()
        };
        let first = c.get(&format!("/netcheck/runs/{id}")).await;
        assert_eq!(first.status, StatusCode::OK, "{backend}");
        assert_eq!(cards(&first.body), 50, "{backend}");
        assert_eq!(shadowed(&first.body), 200, "{backend}");
        assert!(
            first.body.contains("big.rules:5 "),
            "{backend}: the first rule"
        );
        assert!(
            !first.body.contains("big.rules:55 "),
            "{backend}: the 51st is on page 2"
        );
        assert!(first.body.contains("全120件"), "{backend}");
        assert!(first.body.contains("全250件"), "{backend}");
        assert!(
            first.body.contains(&format!("/netcheck/runs/{id}?vpage=2")),
            "{backend}"
        );
        assert!(
            first.body.contains(&format!("/netcheck/runs/{id}?spage=2")),
            "{backend}"
        );
        let last = c.get(&format!("/netcheck/runs/{id}?vpage=3&spage=2")).await;
        assert_eq!(cards(&last.body), 20, "{backend}");
        assert_eq!(shadowed(&last.body), 50, "{backend}");
        assert!(
            last.body.contains("big.rules:124 "),
            "{backend}: the 120th rule"
        );
        // The other list's page is kept in each pager's links.
        assert!(
            last.body
                .contains(&format!("/netcheck/runs/{id}?spage=2&#38;vpage=2")),
            "{backend}"
        );
        // Past the end: an empty page, not an error.
        let past = c.get(&format!("/netcheck/runs/{id}?vpage=99")).await;
        assert_eq!(past.status, StatusCode::OK, "{backend}");
        assert_eq!(cards(&past.body), 0, "{backend}");
    }
}

/// A file that makes the checker walk a 1,000-rule chain from 2,100 jumps
/// (each with its own guard): more work than the default budget allows.
fn over_budget_iptables() -> String {
    let mut s = String::from("*filter\n:FORWARD DROP [0:0]\n:BIG - [0:0]\n");
    for i in 0..2100u32 {
        s.push_str(&format!(
            "-A FORWARD -s 10.20.{}.{}/32 -j BIG\n",
            i / 250,
            i % 250
        ));
    }
    for p in 1..=1000u32 {
        s.push_str(&format!(
            "-A BIG -d 10.30.0.0/16 -p tcp --dport {p} -j ACCEPT\n"
        ));
    }
    s.push_str("COMMIT\n");
    s
}

#[tokio::test]
async fn a_check_over_its_budget_is_refused_not_a_server_error() {
    let text = over_budget_iptables();
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let body = json!({"device": "fw-big", "segments": SEGMENTS, "configs": [{"file": "big.rules", "text": text}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(
            msg.contains("NC105") && msg.contains("上限") && msg.contains("limit"),
            "{backend}: {msg}"
        );
        // A pasted paragraph is refused too, with its line.
        let body = json!({"device": "fw-big", "segments": SEGMENTS, "configs": [{"file": "memo.txt", "text": "ネットワーク分離の方針\n-A 系統からの通信は認めない。\n"}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("memo.txt, line 1"), "{}", r.body);
    }
}

/// A rule the checker cannot model exactly is counted as possibly permitting
/// traffic, and the run page says so on that pair of segments, with its file
/// and line; a range with host bits set is listed to look at.
#[tokio::test]
async fn the_page_names_rules_counted_as_possibly_permitting() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let rules = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.20.0.0/16 -d 10.10.0.0/16 -m mark --mark 0x1 -j ACCEPT
-A FORWARD -s 10.20.0.0/16 -d 10.30.128.0/15 -p tcp --dport 443 -j ACCEPT
COMMIT
";
        let body = json!({"device": "fw-edge", "segments": SEGMENTS, "configs": [{"file": "edge.rules", "text": rules}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["run"]["id"].as_i64().unwrap();
        c.sign_in("admin", PASSWORD).await;
        let page = c.get(&format!("/netcheck/runs/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains("class=\"cell-assumed\""), "{backend}");
        assert!(page.body.contains("edge.rules:5"), "{backend}");
        assert!(page.body.contains("許可しうる"), "{backend}");
        assert!(page.body.contains("id=\"warnings\""), "{backend}");
        assert!(page.body.contains("edge.rules:6"), "{backend}");
    }
}

/// Issue 16: why a line could not be modelled is said in the reader's
/// language, in the list of unmodelled constructs and on the pair of
/// segments it touches.
#[tokio::test]
async fn unmodelled_lines_are_explained_in_the_readers_language() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let rules = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.20.0.0/16 -d 10.10.0.0/16 -m string --string x --algo bm -j ACCEPT
-Z FORWARD
COMMIT
";
        let body = json!({"device": "fw-edge", "segments": SEGMENTS, "configs": [{"file": "edge.rules", "text": rules}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["run"]["id"].as_i64().unwrap();
        // The JSON keeps the English reason and adds the Japanese one.
        let json = c
            .api(
                "GET",
                &format!("/api/v1/netcheck/runs/{id}"),
                Some(&admin),
                None,
            )
            .await
            .body;
        assert!(
            json.contains(r#""reason":"unknown command \"-Z\"""#)
                || json.contains(r#""reason": "unknown command \"-Z\"""#),
            "{backend}: {json}"
        );
        assert!(json.contains("reason_ja"), "{backend}");

        c.sign_in("admin", PASSWORD).await;
        let ja = c.get(&format!("/netcheck/runs/{id}")).await;
        assert_eq!(ja.status, StatusCode::OK, "{backend}");
        let ja = ja.body;
        // The list of unmodelled constructs and the matrix cell.
        assert!(ja.contains("未対応のコマンドです"), "{backend}: {ja}");
        assert!(ja.contains("未対応のマッチモジュール"), "{backend}: {ja}");
        assert!(!ja.contains("unknown command"), "{backend}: {ja}");
        assert!(!ja.contains("match module"), "{backend}: {ja}");

        let r = c.get(&format!("/lang/en?next=/netcheck/runs/{id}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let en = c.get(&format!("/netcheck/runs/{id}")).await.body;
        assert!(en.contains("unknown command"), "{backend}: {en}");
        assert!(en.contains("match module"), "{backend}: {en}");
        assert!(!en.contains("未対応のコマンド"), "{backend}: {en}");
        assert!(!en.contains("未対応のマッチモジュール"), "{backend}: {en}");
    }
}
