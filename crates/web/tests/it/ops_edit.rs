//! (h15b, issue 15) External services and contractors edited on their pages
//! and over the API, with the revision read: a stale save is refused (409,
//! nothing written), bad fields are named, a member of staff or an auditor may
//! not edit, and each edit is in the event log with before and after. And the
//! exports of incidents, exceptions, permissions and violations hold what
//! their lists show with the same filters (every page, only what the caller
//! may read), on the page and over the API.

use axum::http::StatusCode;
use mamori_core::org::SystemRole;
use mamori_store::PageRequest;
use mamori_store::assets::AssetScope;
use mamori_store::events::EventFilter;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};
use crate::org::{section, staff};
use crate::risk::{role, user};

fn fields(r: &crate::client::Resp) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn day(offset: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(offset))
        .date()
        .to_string()
}

/// The (verb, before, after) of the events about one record, oldest first.
async fn logged(
    c: &Client,
    entity: &str,
    id: i64,
) -> Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> {
    let page = c
        .store
        .list_events(
            &EventFilter {
                entity: Some(entity.into()),
                entity_id: Some(id.to_string()),
                oldest_first: true,
                ..Default::default()
            },
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
    page.items
        .into_iter()
        .map(|e| {
            let read = |j: Option<String>| j.map(|t| serde_json::from_str(&t).unwrap());
            (e.action, read(e.before_json), read(e.after_json))
        })
        .collect()
}

#[tokio::test]
async fn a_service_is_edited_on_its_page_and_over_the_api_and_a_stale_save_is_refused() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        staff(&c, "yamada", dept).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        user(&c, "kansa", dept, vec![SystemRole::Auditor]).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let kansa = cl.token("kansa", PASSWORD).await;

        let r = cl
            .api(
                "POST",
                "/api/v1/contractors",
                Some(&sec),
                Some(
                    json!({"name": "みなと情報", "business": "保守", "highest_class": "2",
                    "data_location": "国内"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let provider = r.json()["id"].as_i64().unwrap();
        let r = cl
            .api(
                "POST",
                "/api/v1/services",
                Some(&sec),
                Some(
                    json!({"name": "クラウドメール", "cloud": true, "purpose": "職員のメール",
                    "highest_class": "2", "data_location": "国内", "ranges": ["203.0.113.0/24"]}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["revision"], 1, "{backend}");
        let path = format!("/api/v1/services/{id}");
        let good = json!({"revision": 1, "name": "庁内クラウドメール", "contractor_id": provider,
            "cloud": true, "purpose": "職員のメールと予定表", "highest_class": "2",
            "data_location": "国内（東京・大阪）", "ismap": true, "ismap_id": "C0000123",
            "alpha_prime": true, "ranges": ["203.0.113.0/24", "2001:db8::/32"]});

        // A member of staff reads no service; the auditor reads but may not edit.
        for token in [&yamada, &kansa] {
            let r = cl.api("PUT", &path, Some(token), Some(good.clone())).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        }
        let r = cl.api("GET", &path, Some(&yamada), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = cl.api("GET", &path, Some(&kansa), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        // No such service: not found.
        let r = cl
            .api(
                "PUT",
                "/api/v1/services/999999",
                Some(&sec),
                Some(good.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);

        // Every bad field named, nothing written.
        let bad = json!({"revision": 1, "name": " ", "contractor_id": 999999, "cloud": true,
            "purpose": "", "highest_class": "9", "data_location": "", "ismap": true, "ismap_id": "",
            "alpha_prime": false, "ranges": ["203.0.113.0/33"], "systems": [999999]});
        let r = cl.api("PUT", &path, Some(&sec), Some(bad)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let f = fields(&r);
        for want in [
            "name",
            "contractor_id",
            "purpose",
            "highest_class",
            "data_location",
            "ismap_id",
            "ranges",
            "systems",
        ] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let mut no_ismap = good.clone();
        no_ismap["ismap"] = json!(false);
        let r = cl.api("PUT", &path, Some(&sec), Some(no_ismap)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-SERVICE-ALPHA-PRIME-ISMAP"
        );
        assert_eq!(fields(&r), vec!["alpha_prime".to_string()]);
        let r = cl.api("GET", &path, Some(&sec), None).await;
        assert_eq!(r.json()["name"], "クラウドメール", "{backend}");
        assert_eq!(r.json()["revision"], 1, "{backend}");

        // The edit, then the same revision again: refused, nothing written.
        let r = cl.api("PUT", &path, Some(&sec), Some(good.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["revision"], 2, "{backend}");
        assert_eq!(r.json()["name"], "庁内クラウドメール");
        assert_eq!(r.json()["contractor_name"], "みなと情報");
        assert_eq!(r.json()["alpha_prime"], true);
        assert_eq!(
            r.json()["ranges"],
            json!(["203.0.113.0/24", "2001:db8::/32"])
        );
        let mut stale = good.clone();
        stale["name"] = json!("別の名前");
        let r = cl.api("PUT", &path, Some(&sec), Some(stale)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["reason"], "MAMORI-SERVICE-STALE");
        let r = cl.api("GET", &path, Some(&kansa), None).await;
        assert_eq!(r.json()["name"], "庁内クラウドメール", "{backend}");
        assert_eq!(r.json()["revision"], 2, "{backend}");

        // The log has the edit with before and after.
        let log = logged(&c, "external_service", id).await;
        let verbs: Vec<&str> = log.iter().map(|(v, _, _)| v.as_str()).collect();
        assert_eq!(verbs, vec!["create", "update"], "{backend}");
        let (_, before, after) = &log[1];
        assert_eq!(before.as_ref().unwrap()["name"], "クラウドメール");
        assert_eq!(after.as_ref().unwrap()["name"], "庁内クラウドメール");
        assert_eq!(after.as_ref().unwrap()["ismap_id"], "C0000123");

        // The list links to the page; the auditor reads it without the form.
        let mut audit = c.fresh();
        audit.sign_in("kansa", PASSWORD).await;
        let p = audit.get("/services").await;
        assert!(
            p.body.contains(&format!("href=\"/services/{id}\"")),
            "{backend}"
        );
        let p = audit.get(&format!("/services/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("C0000123"), "{backend}");
        assert!(p.body.contains("2001:db8::/32"), "{backend}");
        assert!(p.body.contains("国内（東京・大阪）"), "{backend}");
        assert!(!p.body.contains("service-edit-form"), "{backend}");
        let mut member = c.fresh();
        member.sign_in("yamada", PASSWORD).await;
        let p = member.get(&format!("/services/{id}")).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}");

        // The security office edits it on the page.
        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let p = page.get(&format!("/services/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("id=\"service-edit-form\""), "{backend}");
        assert!(
            p.body.contains("name=\"revision\" value=\"2\""),
            "{backend}"
        );
        let csrf = Client::csrf_of(&p.body);
        let provider_s = provider.to_string();
        let form = |revision: &'static str, name: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("revision", revision.to_string()),
                ("name", name.to_string()),
                ("contractor_id", provider_s.clone()),
                ("cloud", "on".to_string()),
                ("purpose", "職員のメールと予定表".to_string()),
                ("highest_class", "2".to_string()),
                ("data_location", "国内".to_string()),
                ("ismap", "on".to_string()),
                ("ismap_id", "C0000123".to_string()),
                ("ranges", "198.51.100.0/24\n203.0.113.0/24".to_string()),
            ]
        };
        let pairs = form("2", "クラウドメール（全庁）");
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = page.post_form(&format!("/services/{id}"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(r.location(), format!("/services/{id}"));
        let r = cl.api("GET", &path, Some(&sec), None).await;
        assert_eq!(r.json()["name"], "クラウドメール（全庁）", "{backend}");
        assert_eq!(r.json()["revision"], 3, "{backend}");
        // α' no longer ticked: no longer approved.
        assert_eq!(r.json()["alpha_prime"], false, "{backend}");
        assert_eq!(
            r.json()["ranges"],
            json!(["198.51.100.0/24", "203.0.113.0/24"])
        );
        // A page save with the old revision: refused, said, nothing written.
        let pairs = form("2", "古い画面からの保存");
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = page.post_form(&format!("/services/{id}"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get(&format!("/services/{id}")).await;
        assert!(p.body.contains("flash-error"), "{backend}");
        assert!(
            p.body.contains("他の人が更新しました"),
            "{backend}: the stale save is said"
        );
        let r = cl.api("GET", &path, Some(&sec), None).await;
        assert_eq!(r.json()["name"], "クラウドメール（全庁）", "{backend}");
        assert_eq!(r.json()["revision"], 3, "{backend}");
        // Without the form's token: refused.
        let r = page
            .post_form(
                &format!("/services/{id}"),
                &[("revision", "3"), ("name", "x")],
            )
            .await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::BAD_REQUEST,
            "{backend}: {}",
            r.status
        );
        let r = cl.api("GET", &path, Some(&sec), None).await;
        assert_eq!(r.json()["revision"], 3, "{backend}");
    }
}

#[tokio::test]
async fn a_contractor_is_edited_on_its_page_and_over_the_api_and_a_stale_save_is_refused() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        staff(&c, "yamada", dept).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        user(&c, "kansa", dept, vec![SystemRole::Auditor]).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let kansa = cl.token("kansa", PASSWORD).await;
        let r = cl
            .api(
                "POST",
                "/api/v1/contractors",
                Some(&sec),
                Some(json!({"name": "さくら印刷", "business": "納税通知書の印刷",
                    "highest_class": "2", "data_location": "国内"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/contractors/{id}");
        let good = json!({"revision": 1, "name": "株式会社さくら印刷", "business": "納税通知書・督促状の印刷と封入",
            "highest_class": "3A", "data_location": "国内（埼玉県）"});

        for token in [&yamada, &kansa] {
            let r = cl.api("PUT", &path, Some(token), Some(good.clone())).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        }
        let r = cl
            .api(
                "PUT",
                "/api/v1/contractors/999999",
                Some(&sec),
                Some(good.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let bad = json!({"revision": 1, "name": "", "business": " ", "highest_class": "9",
            "data_location": "", "systems": [999999]});
        let r = cl.api("PUT", &path, Some(&sec), Some(bad)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let f = fields(&r);
        for want in [
            "name",
            "business",
            "highest_class",
            "data_location",
            "systems",
        ] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let r = cl.api("GET", &path, Some(&kansa), None).await;
        assert_eq!(r.json()["name"], "さくら印刷", "{backend}");
        assert_eq!(r.json()["revision"], 1);

        let r = cl.api("PUT", &path, Some(&sec), Some(good.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["name"], "株式会社さくら印刷");
        assert_eq!(r.json()["highest_class"], "3A");
        assert_eq!(r.json()["revision"], 2);
        // Recording the criteria moves the revision too: an edit from before is stale.
        let r = cl
            .api(
                "PUT",
                &format!("{path}/criteria"),
                Some(&sec),
                Some(json!({"revision": 2, "met": ["certification"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let mut stale = good.clone();
        stale["revision"] = json!(2);
        stale["name"] = json!("古い名前");
        let r = cl.api("PUT", &path, Some(&sec), Some(stale)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["reason"], "MAMORI-CONTRACTOR-STALE");
        let r = cl.api("GET", &path, Some(&kansa), None).await;
        assert_eq!(r.json()["name"], "株式会社さくら印刷", "{backend}");
        assert_eq!(
            r.json()["criteria_met"],
            json!(["certification"]),
            "{backend}: the edit keeps the criteria"
        );
        assert_eq!(r.json()["revision"], 3);

        let log = logged(&c, "contractor", id).await;
        let verbs: Vec<&str> = log.iter().map(|(v, _, _)| v.as_str()).collect();
        assert_eq!(verbs, vec!["create", "update", "set"], "{backend}");
        let (_, before, after) = &log[1];
        assert_eq!(before.as_ref().unwrap()["business"], "納税通知書の印刷");
        assert_eq!(
            after.as_ref().unwrap()["business"],
            "納税通知書・督促状の印刷と封入"
        );

        // On the page: the auditor has no form; the security office edits.
        let mut audit = c.fresh();
        audit.sign_in("kansa", PASSWORD).await;
        let p = audit.get(&format!("/contractors/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(!p.body.contains("contractor-edit-form"), "{backend}");
        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let p = page.get(&format!("/contractors/{id}")).await;
        assert!(p.body.contains("id=\"contractor-edit-form\""), "{backend}");
        let csrf = Client::csrf_of(&p.body);
        let r = page
            .post_form(
                &format!("/contractors/{id}"),
                &[
                    ("csrf", &csrf),
                    ("revision", "3"),
                    ("name", "さくら印刷株式会社"),
                    ("business", "印刷と封入"),
                    ("highest_class", "2"),
                    ("data_location", "国内"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.location(), format!("/contractors/{id}"));
        let p = page.get(&format!("/contractors/{id}")).await;
        assert!(p.body.contains("さくら印刷株式会社"), "{backend}");
        assert!(!p.body.contains("flash-error"), "{backend}");
        // The same page sent again (its revision is now old): refused and said.
        let r = page
            .post_form(
                &format!("/contractors/{id}"),
                &[
                    ("csrf", &csrf),
                    ("revision", "3"),
                    ("name", "二重送信"),
                    ("business", "印刷と封入"),
                    ("highest_class", "2"),
                    ("data_location", "国内"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get(&format!("/contractors/{id}")).await;
        assert!(p.body.contains("他の人が更新しました"), "{backend}");
        let r = cl.api("GET", &path, Some(&sec), None).await;
        assert_eq!(r.json()["name"], "さくら印刷株式会社", "{backend}");
        assert_eq!(r.json()["revision"], 4);
        // A bad field on the page: refused, said, nothing written.
        let r = page
            .post_form(
                &format!("/contractors/{id}"),
                &[
                    ("csrf", &csrf),
                    ("revision", "4"),
                    ("name", ""),
                    ("business", "印刷と封入"),
                    ("highest_class", "2"),
                    ("data_location", "国内"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let r = cl.api("GET", &path, Some(&sec), None).await;
        assert_eq!(r.json()["revision"], 4, "{backend}");
    }
}

/// The CSV rows' first cells (the register numbers), header left out.
fn numbers(csv: &str) -> Vec<i64> {
    let mut out: Vec<i64> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.trim_start_matches('\u{feff}')
                .split(',')
                .next()?
                .trim_matches('"')
                .parse()
                .ok()
        })
        .collect();
    out.sort_unstable();
    out
}

/// A page's text with its escaped ampersands read back.
fn unescaped(body: &str) -> String {
    body.replace("&amp;", "&").replace("&#38;", "&")
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

#[tokio::test]
async fn each_operations_export_holds_what_its_list_shows_with_the_same_filters() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "suzuki", a).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let ciso = user(&c, "ciso", dept, vec![SystemRole::Staff]).await;
        role(&c, ciso, "ciso", None).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let suzuki = cl.token("suzuki", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let ciso_t = cl.token("ciso", PASSWORD).await;

        // --- incidents: yamada reports three, suzuki one ---
        let noticed = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let mut incidents = Vec::new();
        for (token, title, kind, severity) in [
            (&yamada, "USBメモリの紛失", "loss_theft", "high"),
            (&yamada, "メールの誤送信", "missending", "low"),
            (&yamada, "不審なメール", "malware", "high"),
            (&suzuki, "鈴木の報告", "loss_theft", "high"),
        ] {
            let r = cl
                .api(
                    "POST",
                    "/api/v1/incidents",
                    Some(token),
                    Some(
                        json!({"title": title, "description": "内容", "noticed_at": noticed,
                        "kind": kind, "severity": severity}),
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
            incidents.push(r.json()["id"].as_i64().unwrap());
        }
        let (usb, mail, malware, other) = (incidents[0], incidents[1], incidents[2], incidents[3]);
        // The security office closes the USB stick's.
        let r = cl
            .api("GET", &format!("/api/v1/incidents/{usb}"), Some(&sec), None)
            .await;
        let rev = r.json()["revision"].as_i64().unwrap();
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{usb}/close"),
                Some(&sec),
                Some(json!({"revision": rev, "causes": "持ち出し", "measures": "暗号化"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);

        // The API: the export holds what the list shows, and only what the caller reads.
        for (query, want) in [
            ("severity=high", vec![usb, malware]),
            ("state=open", vec![mail, malware]),
            ("state=open&severity=high", vec![malware]),
            ("kind=loss_theft", vec![usb]),
            ("", vec![usb, mail, malware]),
        ] {
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/incidents?{query}"),
                    Some(&yamada),
                    None,
                )
                .await;
            let listed: Vec<i64> = r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap())
                .collect();
            assert_eq!(sorted(listed), sorted(want.clone()), "{backend}: {query}");
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/incidents/export?format=csv&{query}"),
                    Some(&yamada),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {query}: {}", r.body);
            assert_eq!(numbers(&r.body), sorted(want), "{backend}: {query}");
        }
        // The security office reads every one, suzuki's too.
        let r = cl
            .api(
                "GET",
                "/api/v1/incidents/export?format=csv&kind=loss_theft",
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(numbers(&r.body), sorted(vec![usb, other]), "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/incidents/export?format=csv&severity=urgent",
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/incidents/export?format=xlsx&state=open",
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.bytes.starts_with(b"PK"), "{backend}");

        // The page: the export link carries the filter; the export ignores the page.
        let mut page = c.fresh();
        page.sign_in("yamada", PASSWORD).await;
        let p = page
            .get("/incidents?severity=high&per_page=1&sort=id&dir=desc")
            .await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(
            unescaped(&p.body)
                .contains("/incidents/export?format=xlsx&severity=high&sort=id&dir=desc"),
            "{backend}: the export follows the filter and the order"
        );
        let x = page
            .get("/incidents/export?format=csv&severity=high&per_page=1&page=2")
            .await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
        assert_eq!(
            numbers(&x.body),
            sorted(vec![usb, malware]),
            "{backend}: every page"
        );
        let x = page.get("/incidents/export?format=csv&state=closed").await;
        assert_eq!(numbers(&x.body), vec![usb], "{backend}");
        let x = page
            .get("/incidents/export?format=csv&sort=id&dir=desc")
            .await;
        let order: Vec<i64> = x
            .body
            .lines()
            .skip(1)
            .filter_map(|l| {
                l.trim_start_matches('\u{feff}')
                    .split(',')
                    .next()?
                    .trim_matches('"')
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(
            order,
            vec![malware, mail, usb],
            "{backend}: in the list's order"
        );

        // --- exceptions: two asked, one approved ---
        let mut exceptions = Vec::new();
        for control in ["S4-01", "S4-02"] {
            let r = cl
                .api(
                    "POST",
                    "/api/v1/exceptions",
                    Some(&yamada),
                    Some(json!({"deviation": control, "reason": "機器更新まで",
                        "compensating": "ログ確認", "scope_units": [a], "ends_on": day(20)})),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
            exceptions.push(r.json()["id"].as_i64().unwrap());
        }
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/exceptions/{}/decision", exceptions[0]),
                Some(&ciso_t),
                Some(json!({"revision": 1, "decision": "approve"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        for (query, want) in [
            ("state=approved", vec![exceptions[0]]),
            ("state=pending", vec![exceptions[1]]),
            ("", exceptions.clone()),
        ] {
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/exceptions/export?format=csv&{query}"),
                    Some(&yamada),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
            assert_eq!(numbers(&r.body), sorted(want.clone()), "{backend}: {query}");
            let x = page
                .get(&format!("/exceptions/export?format=csv&{query}"))
                .await;
            assert_eq!(numbers(&x.body), sorted(want), "{backend}: page {query}");
        }
        let r = cl
            .api(
                "GET",
                "/api/v1/exceptions/export?state=expired",
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let p = page.get("/exceptions?state=pending").await;
        assert!(
            unescaped(&p.body).contains("/exceptions/export?format=csv&state=pending"),
            "{backend}"
        );
        // suzuki reads neither.
        let r = cl
            .api(
                "GET",
                "/api/v1/exceptions/export?format=csv",
                Some(&suzuki),
                None,
            )
            .await;
        assert_eq!(numbers(&r.body), Vec::<i64>::new(), "{backend}");

        // --- permissions: a take-out and a software installation ---
        let mut permissions = Vec::new();
        for kind in ["take_out", "install_software"] {
            let r = cl
                .api(
                    "POST",
                    "/api/v1/permissions",
                    Some(&yamada),
                    Some(json!({"kind": kind, "what": "ノートPC", "reason": "説明会",
                        "until_on": day(2)})),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
            permissions.push(r.json()["id"].as_i64().unwrap());
        }
        for (query, want) in [
            ("kind=take_out", vec![permissions[0]]),
            ("kind=install_software&state=pending", vec![permissions[1]]),
            ("state=granted", vec![]),
            ("", permissions.clone()),
        ] {
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/permissions/export?format=csv&{query}"),
                    Some(&yamada),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
            assert_eq!(numbers(&r.body), sorted(want.clone()), "{backend}: {query}");
            let x = page
                .get(&format!("/permissions/export?format=csv&{query}"))
                .await;
            assert_eq!(numbers(&x.body), sorted(want), "{backend}: page {query}");
        }
        let p = page.get("/permissions?kind=take_out").await;
        assert!(
            unescaped(&p.body).contains("/permissions/export?format=xlsx&kind=take_out"),
            "{backend}"
        );
        let r = cl
            .api(
                "GET",
                "/api/v1/permissions/export?kind=borrow",
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");

        // --- violations: an instruction and a suspension ---
        let mut violations = Vec::new();
        for action in ["instruction", "suspension"] {
            let r = cl
                .api(
                    "POST",
                    "/api/v1/violations",
                    Some(&sec),
                    Some(json!({"what": "パスワードの貼り紙", "found_by": "巡回", "offender": "yamada",
                        "action": action})),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
            violations.push(r.json()["id"].as_i64().unwrap());
        }
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        for (query, want) in [
            ("action=suspension", vec![violations[1]]),
            ("action=other", vec![]),
            ("", violations.clone()),
        ] {
            let r = cl
                .api(
                    "GET",
                    &format!("/api/v1/violations/export?format=csv&{query}"),
                    Some(&sec),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
            assert_eq!(numbers(&r.body), sorted(want.clone()), "{backend}: {query}");
            let x = office
                .get(&format!("/violations/export?format=csv&{query}"))
                .await;
            assert_eq!(numbers(&x.body), sorted(want), "{backend}: page {query}");
        }
        let p = office.get("/violations?action=suspension").await;
        assert!(
            unescaped(&p.body).contains("/violations/export?format=xlsx&action=suspension"),
            "{backend}"
        );
        let r = cl
            .api(
                "GET",
                "/api/v1/violations/export?action=fine",
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
    }
}
