//! The API's contract: the OpenAPI document says where each parameter goes and
//! lists every route of the router (and no other), and every list — page and
//! collection alike — answers its second page and a page past its last.

use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

use crate::client::{Client, PASSWORD, clients};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The routes of the API's router: it is built from the handlers'
/// declarations (`api::router`, utoipa-axum), and `api::declared()` is the
/// description that router collected as it added each route.
fn router_routes() -> BTreeSet<(String, String)> {
    let declared = serde_json::to_value(mamori_web::api::declared()).unwrap();
    let out = document_routes(&declared);
    assert!(out.len() > 60, "the router's routes were not read: {out:?}");
    out
}

fn document_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                out.insert((m.to_string(), path.clone()));
            }
        }
    }
    out
}

/// The `{name}`s of a path template.
fn template_names(path: &str) -> BTreeSet<String> {
    path.split('/')
        .filter(|s| s.starts_with('{') && s.ends_with('}'))
        .map(|s| s[1..s.len() - 1].to_string())
        .collect()
}

async fn served_document(c: &mut Client) -> Value {
    let r = c.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_is_routed() {
    let (_, mut c) = clients().await.into_iter().next().unwrap();
    let doc = served_document(&mut c).await;
    let router = router_routes();
    let documented = document_routes(&doc);
    let undocumented: Vec<_> = router.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&router).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );

    // And the router answers each documented operation (not its fallback's
    // "no such route", not 405): without a token, every one asks for it.
    for (method, path) in &documented {
        let concrete: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let r = c.api(&method.to_uppercase(), &concrete, None, None).await;
        let expected = if path == "/api/v1/auth/token" {
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(r.status, expected, "{method} {concrete}: {}", r.body);
        assert!(
            r.json()["error"]["code"].is_string(),
            "{method} {concrete}: {}",
            r.body
        );
    }

    // And it answers no method the document does not list for a path.
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        let concrete: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for m in METHODS {
            if documented.contains(&(m.to_string(), path.clone())) {
                continue;
            }
            let r = c.api(&m.to_uppercase(), &concrete, None, None).await;
            assert_eq!(
                r.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{m} {concrete} is not documented: {}",
                r.body
            );
        }
    }
}

#[tokio::test]
async fn query_parameters_are_in_query_and_path_parameters_in_path() {
    let (_, mut c) = clients().await.into_iter().next().unwrap();
    let doc = served_document(&mut c).await;
    let mut queries = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let names = template_names(path);
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut path_params = BTreeSet::new();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                let place = p["in"].as_str().unwrap();
                if names.contains(name) {
                    assert_eq!(place, "path", "{m} {path}: {name}");
                    assert_eq!(p["required"], true, "{m} {path}: {name}");
                    path_params.insert(name.to_string());
                } else {
                    // Every parameter a handler reads that is not in the path
                    // is read from the query string.
                    assert_eq!(place, "query", "{m} {path}: {name} is not in the path");
                    queries += 1;
                    let ty = &p["schema"]["type"];
                    assert!(
                        !ty.as_array().is_some_and(|t| t.iter().any(|t| t == "null")),
                        "{m} {path}: {name} cannot be null in a query string"
                    );
                }
                match name {
                    "page" => {
                        assert_eq!(p["schema"]["minimum"], 1, "{m} {path}: page");
                    }
                    "per_page" => {
                        assert_eq!(p["schema"]["minimum"], 1, "{m} {path}: per_page");
                        assert_eq!(p["schema"]["maximum"], 500, "{m} {path}: per_page");
                    }
                    _ => {}
                }
            }
            assert_eq!(
                path_params, names,
                "{m} {path}: every {{name}} declared in path"
            );

            // The answers: a token's absence and a malformed request are
            // declared, with the error body.
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured {
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{m} {path}: {status}");
                }
            }
            if !params.is_empty() || op.get("requestBody").is_some() {
                assert!(responses.contains_key("400"), "{m} {path}: 400");
            }
            for (status, r) in responses {
                if status.starts_with('4') && status != "422" {
                    let schema = &r["content"]["application/json"]["schema"]["$ref"];
                    assert!(
                        schema.as_str().is_some_and(|s| s.ends_with("/ErrorBody")),
                        "{m} {path}: {status} without the error body: {r}"
                    );
                }
            }
        }
    }
    assert!(queries > 50, "only {queries} query parameters");

    // Every reference resolves.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let pointer = r.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "unresolvable {r}");
    }

    // The ones the issue named, where they are read.
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{path}: no parameter {name}"))
    };
    assert_eq!(param("/api/v1/assets", "q")["in"], "query");
    assert_eq!(param("/api/v1/assets", "segment")["in"], "query");
    assert_eq!(
        param("/api/v1/assets", "kind")["schema"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(param("/api/v1/training/units", "within")["in"], "query");
    assert_eq!(param("/api/v1/users", "per_page")["in"], "query");
}

#[tokio::test]
async fn query_values_out_of_the_documented_range_are_refused_in_json() {
    for (backend, mut c) in clients().await {
        let token = c.token("tanaka", PASSWORD).await;
        for bad in [
            "/api/v1/threats?per_page=0",
            "/api/v1/threats?per_page=501",
            "/api/v1/threats?per_page=true",
            "/api/v1/threats?page=0",
            "/api/v1/threats?page=-1",
            "/api/v1/assets?kind=spaceship",
            "/api/v1/assets?flagged=maybe",
            "/api/v1/assets/99999999999999999999999",
            "/api/v1/threats/%FF",
            "/api/v1/assets?q=a%00b",
            "/api/v1/assets/export?sort=sideways",
        ] {
            let r = c.api("GET", bad, Some(&token), None).await;
            assert!(
                r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::NOT_FOUND,
                "{backend}: {bad}: {} {}",
                r.status,
                r.body
            );
            let v = r.json();
            assert!(
                v["error"]["code"].is_string(),
                "{backend}: {bad}: {}",
                r.body
            );
            assert!(v["error"]["message"].is_string(), "{backend}: {bad}");
        }
        // A NUL in the register's search is no server error on the page either
        // (SQLite's full-text query and PostgreSQL's text refuse it).
        let mut page = c.fresh();
        page.sign_in("tanaka", PASSWORD).await;
        let r = page.get("/assets?q=a%00b").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        for good in [
            "/api/v1/threats?per_page=1",
            "/api/v1/threats?per_page=500&page=1",
            "/api/v1/assets?kind=&state=&sort=",
        ] {
            let r = c.api("GET", good, Some(&token), None).await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {good}: {}", r.body);
        }
    }
}

/// `items` of a collection.
fn items(r: &crate::client::Resp) -> Vec<Value> {
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn every_list_answers_its_second_page_and_past_its_last() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        // Something in each list: a second unit, two assets, a campaign, a check.
        let r = c
            .api(
                "POST",
                "/api/v1/units",
                Some(&admin),
                Some(json!({"code": "D02", "name": "財政局", "kind": "department"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let unit = r.json()["id"].as_i64().unwrap();
        for name in ["庁内LAN端末", "財務会計システム"] {
            let r = c
                .api(
                    "POST",
                    "/api/v1/assets",
                    Some(&admin),
                    Some(
                        json!({"name": name, "kind": "equipment", "owner_unit_id": unit,
                        "confidentiality": "2", "integrity": "2", "availability": "2"}),
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        }
        let revisions = c
            .api("GET", "/api/v1/policy-revisions", Some(&admin), None)
            .await;
        let rev = items(&revisions)[0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/acknowledgements/campaigns",
                Some(&admin),
                Some(json!({"revision_id": rev, "title": "誓約", "due_on": "2030-03-31"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let campaign = r.json()["id"].as_i64().unwrap();
        let segments = "model = \"alpha\"\n[[segment]]\nname = \"mynumber\"\nrole = \"mynumber\"\nranges = [\"10.10.0.0/16\"]\n[[segment]]\nname = \"internet\"\nrole = \"internet\"\nranges = [\"10.30.0.0/16\"]\n";
        let config = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -s 10.10.0.0/16 -d 10.30.0.0/16 -p tcp --dport 443 -j ACCEPT\n-A FORWARD -s 10.10.0.0/16 -d 10.30.0.0/16 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
        let r = c
            .api(
                "POST",
                "/api/v1/netcheck/runs",
                Some(&admin),
                Some(json!({"device": "fw1", "segments": segments, "configs": [{"file": "fw1.rules", "text": config}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let run = r.json()["run"]["id"].as_i64().unwrap();

        // A policy document kept as versions (its versions' collection).
        c.store
            .pdoc_create(
                &mamori_store::Actor::System("test"),
                &mamori_store::policy_docs::NewDocument {
                    code: "contract".into(),
                    level: mamori_core::policy_doc::Level::Standard,
                    title: "対策基準".into(),
                    unit_id: None,
                    system_id: None,
                    readership: mamori_core::policy_doc::Readership::Staff,
                    needs_acknowledgement: false,
                },
            )
            .await
            .unwrap();

        // The risk register, computed in the background (a risk's assets' collection).
        let r = c
            .api("POST", "/api/v1/risks/recompute", Some(&admin), None)
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{backend}: {}", r.body);
        let mut risk = 0;
        for _ in 0..400 {
            let p = c
                .api("GET", "/api/v1/risks?per_page=1", Some(&admin), None)
                .await;
            if let Some(id) = items(&p).first().and_then(|r| r["id"].as_i64()) {
                risk = id;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(risk > 0, "{backend}: no risk computed");

        // --- audits (issue 14): a self-inspection (its questionnaires' collection) ---
        let r = c
            .api(
                "POST",
                "/api/v1/checklists",
                Some(&admin),
                Some(json!({"name": "契約", "chapters": [1]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let checklist = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/self-inspections",
                Some(&admin),
                Some(
                    json!({"title": "契約", "checklist_id": checklist, "target_kind": "unit",
                    "target_ids": [unit], "deadline": "2999-12-31"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let inspection = r.json()["id"].as_i64().unwrap();

        // Every collection of the document that takes `page`, as admin.
        let doc = served_document(&mut c).await;
        let mut walked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            let Some(op) = item.get("get") else { continue };
            let paged = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "page"));
            if !paged || path.ends_with(".xlsx") || path.ends_with("/export") {
                continue;
            }
            let concrete = path
                .replace("/campaigns/{id}", &format!("/campaigns/{campaign}"))
                .replace("/runs/{id}", &format!("/runs/{run}"))
                .replace("/risks/{id}", &format!("/risks/{risk}"))
                .replace("/policy-documents/{code}/", "/policy-documents/contract/")
                .replace(
                    "/self-inspections/{id}",
                    &format!("/self-inspections/{inspection}"),
                );
            assert!(!concrete.contains('{'), "{concrete}: which id?");
            let first = c
                .api("GET", &format!("{concrete}?per_page=1"), Some(&admin), None)
                .await;
            assert_eq!(
                first.status,
                StatusCode::OK,
                "{backend}: {concrete}: {}",
                first.body
            );
            let total = first.json()["total"].as_i64().unwrap();
            let second = c
                .api(
                    "GET",
                    &format!("{concrete}?per_page=1&page=2"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(
                second.status,
                StatusCode::OK,
                "{backend}: {concrete} page 2: {}",
                second.body
            );
            assert_eq!(
                items(&second).len(),
                usize::from(total >= 2),
                "{backend}: {concrete} page 2 of {total}"
            );
            if total >= 2 {
                assert_ne!(
                    items(&first)[0],
                    items(&second)[0],
                    "{backend}: {concrete}: page 2 is page 1"
                );
            }
            let past = c
                .api(
                    "GET",
                    &format!("{concrete}?per_page=500&page=100000"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(
                past.status,
                StatusCode::OK,
                "{backend}: {concrete} past the last: {}",
                past.body
            );
            assert!(
                items(&past).is_empty(),
                "{backend}: {concrete} past the last"
            );
            assert_eq!(
                past.json()["total"].as_i64().unwrap(),
                total,
                "{backend}: {concrete}"
            );
            walked += 1;
        }
        assert!(walked >= 20, "{backend}: only {walked} collections walked");

        // Every list page, by the pager's own "次へ →" link, and past its last.
        let mut no_more = 0;
        let mut c = c.fresh();
        c.sign_in("admin", PASSWORD).await;
        for list in [
            "/threats",
            "/controls",
            "/users",
            "/events",
            "/units",
            "/assets",
            "/segments",
            "/netcheck",
            "/acknowledgements",
            "/training",
            "/threats?category=",
            "/controls?category=&chapter=",
            "/users?q=",
            "/events?entity=&entity_id=",
        ] {
            let sep = if list.contains('?') { '&' } else { '?' };
            let first = c.get(&format!("{list}{sep}per_page=1")).await;
            assert_eq!(
                first.status,
                StatusCode::OK,
                "{backend}: {list}: {}",
                first.body
            );
            let second = c.get(&format!("{list}{sep}per_page=1&page=2")).await;
            assert_eq!(
                second.status,
                StatusCode::OK,
                "{backend}: {list} page 2: {}",
                second.body
            );
            let past = c.get(&format!("{list}{sep}page=100000")).await;
            assert_eq!(
                past.status,
                StatusCode::OK,
                "{backend}: {list} past the last: {}",
                past.body
            );
            // Past the last page, the pager says there is no more (not
            // "100000/1ページ") and leads back, never further.
            assert!(
                !past.body.contains("100000/") && !past.body.contains("page=100001"),
                "{backend}: {list} past the last: {}",
                past.body
            );
            if past.body.contains("class=\"pager") {
                no_more += 1;
                assert!(
                    past.body.contains("これより先はありません") || past.body.contains("no more"),
                    "{backend}: {list} past the last says so: {}",
                    past.body
                );
            }
        }
        assert!(
            no_more >= 10,
            "{backend}: only {no_more} pagers past the last"
        );
        // The pager's next link itself, as the page writes it.
        for list in ["/controls", "/events", "/users", "/threats"] {
            let first = c.get(&format!("{list}?per_page=1")).await;
            let marker = "href=\"";
            let next = first
                .body
                .match_indices(marker)
                .map(|(i, _)| {
                    let s = &first.body[i + marker.len()..];
                    s[..s.find('"').unwrap()].replace("&amp;", "&")
                })
                .find(|h| h.contains("page=2"))
                .unwrap_or_else(|| panic!("{backend}: {list}: no link to page 2"));
            let r = c.get(&next).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{backend}: {list}: {next}: {}",
                r.body
            );
        }
    }
}
