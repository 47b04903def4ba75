//! Operations, part 2 (issue 15) through the real router, on both
//! databases: a member of staff asks to take a laptop out; they cannot grant
//! it themselves, nor can the security office; a return before the grant is
//! refused; the section's administrator has it on the attention list and
//! grants it on its page; the requester records the return; a grant past its
//! end is overdue. The security office records a violation (bad fields
//! refused, a member of staff refused) that the unit's administrator reads
//! and another unit's staff do not.

use axum::http::StatusCode;
use mamori_core::org::SystemRole;

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

#[tokio::test]
async fn a_permission_is_granted_by_the_unit_administrator_never_the_requester_and_returned() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "suzuki", a).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let suzuki = cl.token("suzuki", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let kacho_t = cl.token("kacho", PASSWORD).await;

        // Every bad field named, nothing written.
        let bad = serde_json::json!({"kind": "borrow", "what": " ", "reason": "", "assets": [999999],
            "until_on": "あした"});
        let r = cl
            .api("POST", "/api/v1/permissions", Some(&yamada), Some(bad))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let f = fields(&r);
        for want in ["kind", "what", "reason", "assets", "until_on"] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let r = cl
            .api(
                "GET",
                "/api/v1/permissions?kind=borrow",
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");

        let body = serde_json::json!({"kind": "take_out", "what": "ノートPC（貸出用2号機）",
            "reason": "地区説明会での説明", "until_on": day(2)});
        let r = cl
            .api("POST", "/api/v1/permissions", Some(&yamada), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["state"], "pending");
        assert_eq!(r.json()["requested_by"], "yamada さん");

        // A colleague does not see it.
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/permissions/{id}"),
                Some(&suzuki),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        // Returned before it was granted: refused.
        let ret = serde_json::json!({"revision": 1});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/permissions/{id}/return"),
                Some(&yamada),
                Some(ret),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["reason"], "MAMORI-PERMISSION-NOT-GRANTED");
        // Approved by the requester: refused; by the security office: refused.
        let grant = serde_json::json!({"revision": 1, "decision": "grant"});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/permissions/{id}/decision"),
                Some(&yamada),
                Some(grant.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-PERMISSION-SELF-DECISION"
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/permissions/{id}/decision"),
                Some(&sec),
                Some(grant.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(r.json()["error"]["reason"], "MAMORI-PERMISSION-DECIDER");

        // The section's administrator has it on the attention list and grants it on its page.
        let r = cl
            .api("GET", "/api/v1/attention", Some(&kacho_t), None)
            .await;
        assert_eq!(
            r.json()["pending_permissions"].as_array().unwrap().len(),
            1,
            "{backend}: {}",
            r.body
        );
        let mut boss = c.fresh();
        boss.sign_in("kacho", PASSWORD).await;
        let p = boss.get(&format!("/permissions/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("id=\"decide\""), "{backend}");
        let csrf = Client::csrf_of(&p.body);
        let r = boss
            .post_form(
                &format!("/permissions/{id}/decision"),
                &[
                    ("csrf", &csrf),
                    ("revision", "1"),
                    ("decision", "grant"),
                    ("note", "暗号化を確認"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/permissions/{id}"),
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(r.json()["state"], "granted", "{backend}: {}", r.body);
        assert_eq!(r.json()["decided_by"], "kacho さん");
        let rev = r.json()["revision"].as_i64().unwrap();

        // The requester records the return on the page.
        let mut page = c.fresh();
        page.sign_in("yamada", PASSWORD).await;
        let p = page.get(&format!("/permissions/{id}")).await;
        assert!(p.body.contains("id=\"return\""), "{backend}");
        assert!(!p.body.contains("id=\"decide\""), "{backend}");
        let csrf = Client::csrf_of(&p.body);
        let r = page
            .post_form(
                &format!("/permissions/{id}/return"),
                &[
                    ("csrf", &csrf),
                    ("revision", &rev.to_string()),
                    ("returned_on", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/permissions/{id}"),
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.json()["state"], "returned", "{backend}");
        assert_eq!(r.json()["returned_by"], "yamada さん");

        // A grant that ended yesterday without a return is overdue.
        let late = serde_json::json!({"kind": "connect_device", "what": "USBメモリ", "reason": "資料の受け渡し",
            "starts_on": day(-5), "until_on": day(-1)});
        let r = cl
            .api("POST", "/api/v1/permissions", Some(&yamada), Some(late))
            .await;
        let late_id = r.json()["id"].as_i64().unwrap();
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/permissions/{late_id}/decision"),
                Some(&kacho_t),
                Some(grant),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "overdue");
        let r = cl
            .api("GET", "/api/v1/permissions/overdue", Some(&yamada), None)
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 1, "{backend}");
        let r = cl
            .api("GET", "/api/v1/attention", Some(&kacho_t), None)
            .await;
        assert_eq!(
            r.json()["overdue_permissions"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        let r = cl
            .api(
                "GET",
                "/api/v1/permissions?state=granted",
                Some(&suzuki),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/permissions/export?format=xlsx",
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let p = boss.get("/permissions").await;
        assert!(p.body.contains("USBメモリ"), "{backend}");
        assert!(p.body.contains("返却期限超過"), "{backend}");
    }
}

#[tokio::test]
async fn a_violation_is_recorded_by_the_security_office_and_read_by_its_unit() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "tanabe", b).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let tanabe = cl.token("tanabe", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let kacho_t = cl.token("kacho", PASSWORD).await;

        let body = serde_json::json!({"what": "パスワードを付箋で掲示", "found_by": "巡回点検",
            "offender": "yamada", "action": "instruction"});
        let r = cl
            .api(
                "POST",
                "/api/v1/violations",
                Some(&yamada),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let bad = serde_json::json!({"what": "", "found_by": "", "found_on": "昨日", "offender": "nobody",
            "action": "fine", "incident_id": 999999});
        let r = cl
            .api("POST", "/api/v1/violations", Some(&sec), Some(bad))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let f = fields(&r);
        for want in [
            "what",
            "found_by",
            "found_on",
            "offender",
            "action",
            "incident_id",
        ] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let r = cl
            .api("POST", "/api/v1/violations", Some(&sec), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["committed_by"], "yamada さん");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/violations/{id}"),
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/violations/{id}"),
                Some(&tanabe),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = cl
            .api("GET", "/api/v1/violations", Some(&tanabe), None)
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
        let r = cl
            .api("GET", "/api/v1/violations", Some(&kacho_t), None)
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}");
        let r = cl
            .api("GET", "/api/v1/violations?action=fine", Some(&sec), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/violations/export?format=csv",
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("パスワードを付箋で掲示"), "{backend}");
        // The page form records one too.
        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let form = page.get("/violations/new").await;
        assert_eq!(form.status, StatusCode::OK, "{backend}");
        let csrf = Client::csrf_of(&form.body);
        let r = page
            .post_form(
                "/violations",
                &[
                    ("csrf", &csrf),
                    ("what", "私物USBの無断接続"),
                    ("found_on", ""),
                    ("found_by", "ログ監視"),
                    ("offender", ""),
                    ("action", "suspension"),
                    ("action_note", "一週間"),
                    ("incident_id", ""),
                    ("finding_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let at = r.location();
        assert!(at.starts_with("/violations/"), "{backend}: {at}");
        let p = page.get(&at).await;
        assert!(p.body.contains("アクセス権の停止"), "{backend}");
    }
}

#[tokio::test]
async fn a_contract_shows_its_missing_clauses_and_an_unknown_requirement_is_refused() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        staff(&c, "yamada", dept).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        user(&c, "kansa", dept, vec![SystemRole::Auditor]).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let kansa = cl.token("kansa", PASSWORD).await;

        let body = serde_json::json!({"name": "株式会社みなと情報", "business": "住民記録システムの保守",
            "highest_class": "3A", "data_location": "国内（東京都）"});
        let r = cl
            .api(
                "POST",
                "/api/v1/contractors",
                Some(&yamada),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = cl
            .api("GET", "/api/v1/contractors", Some(&yamada), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let bad = serde_json::json!({"name": "", "business": "", "highest_class": "9", "data_location": "",
            "systems": [999999]});
        let r = cl
            .api("POST", "/api/v1/contractors", Some(&sec), Some(bad))
            .await;
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
        let r = cl
            .api("POST", "/api/v1/contractors", Some(&sec), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();

        // A contract checked against a requirement the city does not have: refused.
        let unknown = serde_json::json!({"title": "保守委託契約", "clauses": ["confidentiality", "free_lunch"]});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/contractors/{id}/contracts"),
                Some(&sec),
                Some(unknown),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(fields(&r), vec!["clauses".to_string()]);
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-CONTRACT-REQUIREMENT-UNKNOWN"
        );
        let ok = serde_json::json!({"title": "保守委託契約", "clauses": ["confidentiality", "audit_rights"]});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/contractors/{id}/contracts"),
                Some(&sec),
                Some(ok),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let missing: Vec<String> = r.json()["missing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect();
        assert!(
            missing.contains(&"no_subcontracting".to_string()),
            "{backend}: {missing:?}"
        );
        assert!(!missing.contains(&"confidentiality".to_string()));

        // Criteria: an unknown one refused; known ones recorded.
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/contractors/{id}/criteria"),
                Some(&sec),
                Some(serde_json::json!({"revision": 1, "met": ["certification", "cheap"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/contractors/{id}/criteria"),
                Some(&sec),
                Some(serde_json::json!({"revision": 1, "met": ["certification"], "note": "ISMS"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        // Staff: a regular member of staff is not contractor staff; a name is fine.
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/contractors/{id}/staff"),
                Some(&sec),
                Some(serde_json::json!({"username": "yamada"})),
            )
            .await;
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-CONTRACTOR-STAFF-TYPE",
            "{backend}"
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/contractors/{id}/staff"),
                Some(&sec),
                Some(serde_json::json!({"name": "港 太郎"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");

        // Never assessed: due on the attention list, with the contract's missing clauses.
        let r = cl.api("GET", "/api/v1/attention", Some(&sec), None).await;
        assert_eq!(
            r.json()["contracts_missing_clauses"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{backend}"
        );
        assert_eq!(
            r.json()["contractors_due"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        let r = cl
            .api("GET", "/api/v1/attention", Some(&yamada), None)
            .await;
        assert_eq!(
            r.json()["contractors_due"].as_array().unwrap().len(),
            0,
            "{backend}"
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/contractors/{id}/assessments"),
                Some(&sec),
                Some(serde_json::json!({"result": "良好", "next_due": day(365)})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let r = cl.api("GET", "/api/v1/attention", Some(&sec), None).await;
        assert_eq!(
            r.json()["contractors_due"].as_array().unwrap().len(),
            0,
            "{backend}"
        );

        // The auditor reads it (with the staff and criteria) but may not change it.
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/contractors/{id}"),
                Some(&kansa),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.json()["staff"][0]["name"], "港 太郎");
        assert_eq!(r.json()["due"], false);

        // Services: α' for a cloud service needs ISMAP.
        let svc = serde_json::json!({"name": "文書共有クラウド", "contractor_id": id, "cloud": true,
            "purpose": "文書共有", "highest_class": "2", "data_location": "国内", "alpha_prime": true});
        let r = cl
            .api("POST", "/api/v1/services", Some(&sec), Some(svc))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(fields(&r), vec!["alpha_prime".to_string()]);
        let svc = serde_json::json!({"name": "文書共有クラウド", "contractor_id": id, "cloud": true,
            "purpose": "文書共有", "highest_class": "2", "data_location": "国内", "ismap": true,
            "ismap_id": "C00001", "alpha_prime": true});
        let r = cl
            .api("POST", "/api/v1/services", Some(&sec), Some(svc))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let r = cl
            .api(
                "GET",
                "/api/v1/services?alpha_prime=true",
                Some(&kansa),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/contractors/export?format=xlsx",
                Some(&kansa),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");

        // The page shows the missing clauses.
        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let p = page.get(&format!("/contractors/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("再委託の制限"), "{backend}");
        assert!(p.body.contains("要確認"), "{backend}");
        let p = page.get("/services").await;
        assert!(p.body.contains("C00001"), "{backend}");
    }
}

#[tokio::test]
async fn an_emergency_plan_is_drilled_and_an_incident_records_that_it_followed_it() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "tanabe", a).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let tanabe = cl.token("tanabe", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let kacho_t = cl.token("kacho", PASSWORD).await;

        let body = serde_json::json!({"category": "cyber_attack", "title": "ランサムウェア対応計画",
            "contacts": "CSIRT 内線1234", "steps": "1. ネットワークから切り離す\n2. CSIRTへ連絡"});
        let r = cl
            .api("POST", "/api/v1/plans", Some(&yamada), Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let bad =
            serde_json::json!({"category": "meteor", "title": "", "contacts": "", "steps": " "});
        let r = cl.api("POST", "/api/v1/plans", Some(&sec), Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let f = fields(&r);
        for want in ["category", "title", "contacts", "steps"] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let r = cl
            .api("POST", "/api/v1/plans", Some(&sec), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let plan = r.json()["id"].as_i64().unwrap();
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/plans/{plan}/drills"),
                Some(&sec),
                Some(serde_json::json!({"held_on": "2026-10-01", "note": "切り離しに15分"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        let r = cl.api("GET", "/api/v1/plans", Some(&yamada), None).await;
        assert_eq!(r.json()[0]["last_drill"], "2026-10-01", "{backend}");

        // An incident: its reporter cannot record the plan; the administrator can.
        let inc = serde_json::json!({"title": "不審なメール", "description": "添付を開いた",
            "noticed_at": "2026-11-01T01:00:00Z", "kind": "malware", "severity": "medium"});
        let r = cl
            .api("POST", "/api/v1/incidents", Some(&yamada), Some(inc))
            .await;
        let incident = r.json()["id"].as_i64().unwrap();
        let link = serde_json::json!({"plan_id": plan});
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/incidents/{incident}/plan"),
                Some(&yamada),
                Some(link.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/incidents/{incident}/plan"),
                Some(&kacho_t),
                Some(serde_json::json!({"plan_id": 999999})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/incidents/{incident}/plan"),
                Some(&kacho_t),
                Some(link),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/incidents/{incident}/plan"),
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(r.json()["plan_id"], plan, "{backend}");
        // The plan lists the incident to those who may read it, not to a colleague.
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/plans/{plan}"),
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(
            r.json()["incidents"],
            serde_json::json!([incident]),
            "{backend}"
        );
        let r = cl
            .api("GET", &format!("/api/v1/plans/{plan}"), Some(&tanabe), None)
            .await;
        assert_eq!(r.json()["incidents"], serde_json::json!([]), "{backend}");
        let mut page = c.fresh();
        page.sign_in("tanabe", PASSWORD).await;
        let p = page.get(&format!("/plans/{plan}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("ネットワークから切り離す"), "{backend}");
    }
}
