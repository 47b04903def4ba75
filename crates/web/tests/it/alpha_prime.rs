//! (h15, issue 15) An external service approved for the α' model, with the
//! address ranges it is reached at, named as a flow's destination in the
//! segments file (`destination = "service:<name>"`): the app resolves the
//! name against the register before the checker reads the file; an unknown
//! name, or a service not approved for α', is refused naming the line and the
//! name, and nothing is recorded; the run keeps what the name resolved to.
//! And the contractors and services lists filter (page, API and export).

use axum::http::StatusCode;
use mamori_core::org::SystemRole;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};
use crate::risk::user;

const SEGMENTS: &str = r#"model = "alpha-prime"
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
ranges = ["0.0.0.0/0"]

[[flow]]
from = "lgwan"
to = "internet"
destination = "service:クラウドメール"
protocol = "tcp"
ports = "443"
purpose = "α': クラウドメール"
"#;

/// LGWAN to the mail service's range only.
const TO_SERVICE: &str = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.20.0.0/16 -d 203.0.113.0/24 -p tcp --dport 443 -j ACCEPT
COMMIT
";

/// LGWAN to an address outside every approved destination.
const BEYOND: &str = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.20.0.0/16 -d 198.51.100.0/24 -p tcp --dport 443 -j ACCEPT
COMMIT
";

fn codes(r: &crate::client::Resp) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn service(c: &mut Client, token: &str, body: serde_json::Value) -> crate::client::Resp {
    c.api("POST", "/api/v1/services", Some(token), Some(body))
        .await
}

#[tokio::test]
async fn an_alpha_prime_service_is_a_destination_of_the_segments_file() {
    for (backend, c) in clients().await {
        let mut cl = c.fresh();
        let admin = cl.token("admin", PASSWORD).await;
        let base = json!({"cloud": true, "purpose": "職員のメール", "highest_class": "2",
            "data_location": "国内", "ismap": true, "ismap_id": "C1"});
        let with = |extra: serde_json::Value| {
            let mut b = base.clone();
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        // A range that is not a network: refused, named.
        let r = service(
            &mut cl,
            &admin,
            with(json!({"name": "クラウドメール", "alpha_prime": true, "ranges": ["203.0.113.0/33"]})),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(codes(&r), vec!["MAMORI-SERVICE-RANGE"], "{backend}");
        let r = service(
            &mut cl,
            &admin,
            with(json!({"name": "クラウドメール", "alpha_prime": true,
                "ranges": ["203.0.113.0/24", "2001:db8::/32", "203.0.113.0/24"]})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let mail_id = r.json()["id"].as_i64().unwrap();
        assert_eq!(
            r.json()["ranges"],
            json!(["203.0.113.0/24", "2001:db8::/32"]),
            "{backend}: kept once each"
        );
        let r = service(
            &mut cl,
            &admin,
            with(json!({"name": "電子申請", "ranges": ["192.0.2.0/24"]})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");

        // Refusals name the line and the name; nothing is recorded.
        let check = |segments: String, config: &'static str| {
            json!({"device": "fw-lgwan", "segments": segments,
                "configs": [{"file": "fw.rules", "text": config}]})
        };
        for (name, code) in [
            ("ない名前", "MAMORI-NETCHECK-SERVICE-UNKNOWN"),
            ("電子申請", "MAMORI-NETCHECK-SERVICE-NOT-ALPHA-PRIME"),
        ] {
            let text = SEGMENTS.replace("クラウドメール\"", &format!("{name}\""));
            let r = cl
                .api(
                    "POST",
                    "/api/v1/netcheck/runs",
                    Some(&admin),
                    Some(check(text, TO_SERVICE)),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {}",
                r.body
            );
            assert_eq!(r.json()["error"]["reason"], code, "{backend}");
            let field = &r.json()["error"]["fields"][0];
            assert_eq!(field["row"], 18, "{backend}: the destination's line");
            let message = field["message"].as_str().unwrap();
            assert!(
                message.contains(name) && message.contains("18"),
                "{message}"
            );
        }
        let runs = cl
            .api("GET", "/api/v1/netcheck/runs", Some(&admin), None)
            .await
            .json();
        assert_eq!(
            runs["total"], 0,
            "{backend}: refused checks are not recorded"
        );

        // Allowed to the service's range: conforming; beyond it: a violation.
        let r = cl
            .api(
                "POST",
                "/api/v1/netcheck/runs",
                Some(&admin),
                Some(check(SEGMENTS.to_string(), TO_SERVICE)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let v = r.json();
        assert_eq!(v["run"]["clean"], true, "{backend}: {}", v["report"]);
        assert_eq!(
            v["services"],
            json!([{"name": "クラウドメール", "line": 18, "service_id": mail_id,
                "ranges": ["203.0.113.0/24", "2001:db8::/32"]}]),
            "{backend}"
        );
        let id = v["run"]["id"].as_i64().unwrap();
        let r = cl
            .api(
                "POST",
                "/api/v1/netcheck/runs",
                Some(&admin),
                Some(check(SEGMENTS.to_string(), BEYOND)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        assert_eq!(
            r.json()["run"]["clean"],
            false,
            "{backend}: not the service"
        );

        // The run keeps what the name resolved to.
        let one = cl
            .api(
                "GET",
                &format!("/api/v1/netcheck/runs/{id}"),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(one["services"][0]["service_id"], mail_id, "{backend}");
        let mut page = c.fresh();
        page.sign_in("admin", PASSWORD).await;
        let p = page.get(&format!("/netcheck/runs/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("resolved-services"), "{backend}");
        assert!(p.body.contains("203.0.113.0/24 2001:db8::/32"), "{backend}");

        // The page refuses an unknown service with the line and the name.
        let form = page.get("/netcheck").await;
        let csrf = Client::csrf_of(&form.body);
        let text = SEGMENTS.replace("クラウドメール\"", "ない名前\"");
        let r = page
            .post_multipart(
                "/netcheck",
                &[
                    ("csrf", &csrf),
                    ("device", "fw-lgwan"),
                    ("segments", &text),
                    ("config_text", TO_SERVICE),
                ],
                ("config", "", b""),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.body.contains("ない名前") && r.body.contains("18行目"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn contractors_and_services_are_filtered_on_the_page_the_api_and_the_export() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        user(&c, "kansa", dept, vec![SystemRole::Auditor]).await;
        let mut cl = c.fresh();
        let admin = cl.token("admin", PASSWORD).await;
        let kansa = cl.token("kansa", PASSWORD).await;
        let mut ids = Vec::new();
        for (name, class) in [("みなと情報", "3A"), ("さくら印刷", "2")] {
            let r = cl
                .api(
                    "POST",
                    "/api/v1/contractors",
                    Some(&admin),
                    Some(
                        json!({"name": name, "business": "保守", "highest_class": class,
                        "data_location": "国内"}),
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
            ids.push(r.json()["id"].as_i64().unwrap());
        }
        // みなと: every clause; さくら: only confidentiality.
        let all = [
            "confidentiality",
            "no_subcontracting",
            "data_return_deletion",
            "incident_reporting",
            "audit_rights",
            "staff_training",
            "purpose_limitation",
            "breach_liability",
            "security_controls",
        ];
        for (id, clauses) in [(ids[0], json!(all)), (ids[1], json!(["confidentiality"]))] {
            let r = cl
                .api(
                    "POST",
                    &format!("/api/v1/contractors/{id}/contracts"),
                    Some(&admin),
                    Some(json!({"title": "契約", "clauses": clauses})),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        }
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/contractors/{}/assessments", ids[0]),
                Some(&admin),
                Some(json!({"result": "良好", "next_due": "2099-01-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let names = |v: serde_json::Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string())
                .collect()
        };
        for (query, want) in [
            ("q=%E3%81%BF%E3%81%AA%E3%81%A8", vec!["みなと情報"]),
            ("class=2", vec!["さくら印刷"]),
            ("missing_clauses=true", vec!["さくら印刷"]),
            ("assessment=due", vec!["さくら印刷"]),
            ("assessment=overdue", vec![]),
        ] {
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/contractors?{query}"),
                    Some(&kansa),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {query}: {}", r.body);
            assert_eq!(names(r.json()), want, "{backend}: {query}");
            assert_eq!(r.json()["total"], want.len(), "{backend}: {query}");
        }
        let r = cl
            .api(
                "GET",
                "/api/v1/contractors?assessment=soon",
                Some(&kansa),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/contractors/export?format=csv&missing_clauses=true",
                Some(&kansa),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(
            r.body.contains("さくら印刷") && !r.body.contains("みなと情報"),
            "{backend}"
        );

        for (name, ismap, alpha) in [
            ("クラウドメール", true, true),
            ("電子申請", true, false),
            ("電子契約", false, false),
        ] {
            let r = cl
                .api(
                    "POST",
                    "/api/v1/services",
                    Some(&admin),
                    Some(json!({"name": name, "contractor_id": ids[1], "cloud": true,
                        "purpose": "業務", "highest_class": "2", "data_location": "国内",
                        "ismap": ismap, "ismap_id": if ismap { "C1" } else { "" },
                        "alpha_prime": alpha})),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        }
        for (query, want) in [
            ("ismap=false", vec!["電子契約"]),
            ("alpha_prime=true", vec!["クラウドメール"]),
            ("ismap=true&alpha_prime=false", vec!["電子申請"]),
        ] {
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/services?{query}"),
                    Some(&kansa),
                    None,
                )
                .await;
            assert_eq!(names(r.json()), want, "{backend}: {query}");
        }
        let r = cl
            .api(
                "GET",
                "/api/v1/services/export?format=csv&ismap=false",
                Some(&kansa),
                None,
            )
            .await;
        assert!(
            r.body.contains("電子契約") && !r.body.contains("電子申請"),
            "{backend}"
        );

        // The pages keep the filters in the form, the pager and the export link.
        let mut page = c.fresh();
        page.sign_in("kansa", PASSWORD).await;
        let p = page.get("/contractors?missing=1").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(
            p.body.contains("さくら印刷") && !p.body.contains("みなと情報"),
            "{backend}"
        );
        assert!(
            p.body
                .contains("/contractors/export?format=xlsx&amp;missing=1"),
            "{backend}: the export follows the filters"
        );
        let p = page.get("/services?alpha_prime=no&ismap=yes").await;
        assert!(
            p.body.contains("電子申請") && !p.body.contains("クラウドメール"),
            "{backend}"
        );
        let x = page.get("/contractors/export?format=xlsx&class=3").await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
    }
}
