//! Operations (issue 15) through the real router, on both databases: a member
//! of staff reports a lost USB stick holding personal information; a
//! colleague cannot see it; the section's administrator escalates it (the
//! reporter cannot); the Commission's deadlines are owed and overdue on the
//! attention list; a wrong report or closure is refused with its fields; an
//! exception without an end date is refused, refused to its requester and to
//! the security office, approved by the CISO.

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

fn days_ago(n: i64) -> String {
    (time::OffsetDateTime::now_utc() - time::Duration::days(n))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn an_incident_is_reported_escalated_by_the_line_and_its_deadlines_go_overdue() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "suzuki", a).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        let bucho = staff(&c, "bucho", dept).await;
        role(&c, bucho, "security_manager", Some(dept)).await;
        let mut cl = c.fresh();
        let tanaka = cl.token("yamada", PASSWORD).await;
        let suzuki = cl.token("suzuki", PASSWORD).await;
        let kacho_t = cl.token("kacho", PASSWORD).await;
        let bucho_t = cl.token("bucho", PASSWORD).await;

        // A report without a description or a time is refused, nothing written.
        let bad = serde_json::json!({"title": "USB", "description": " ", "noticed_at": "きのう",
            "kind": "fire", "severity": "high"});
        let r = cl
            .api("POST", "/api/v1/incidents", Some(&tanaka), Some(bad))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let f = fields(&r);
        for want in ["description", "noticed_at", "kind"] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let r = cl
            .api("GET", "/api/v1/incidents", Some(&tanaka), None)
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
        let r = cl
            .api("GET", "/api/v1/incidents?state=lost", Some(&tanaka), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");

        // The lost USB stick, noticed ten days ago, with 150 people's data.
        let body = serde_json::json!({"title": "USBメモリの紛失", "description": "住民票の写しのデータを入れたUSBメモリを紛失",
            "noticed_at": days_ago(10), "place": "庁外", "kind": "loss_theft", "severity": "high",
            "personal_info": true, "affected": 150});
        let r = cl
            .api("POST", "/api/v1/incidents", Some(&tanaka), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["step"], "administrator");
        let rev = r.json()["revision"].as_i64().unwrap();

        // A colleague neither sees it nor finds it in the list.
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/incidents/{id}"),
                Some(&suzuki),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = cl
            .api("GET", "/api/v1/incidents", Some(&suzuki), None)
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
        // The reporter reads it but may not escalate it.
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/incidents/{id}"),
                Some(&tanaka),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let esc = serde_json::json!({"revision": rev, "note": "課長へ"});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{id}/escalate"),
                Some(&tanaka),
                Some(esc.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // The section's administrator escalates to the department's manager.
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{id}/escalate"),
                Some(&kacho_t),
                Some(esc),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["step"], "manager");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/incidents/{id}"),
                Some(&bucho_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let full = r.json();
        assert_eq!(full["ppc_required"], true, "{backend}");
        let timeline = full["timeline"].as_array().unwrap();
        assert_eq!(timeline.len(), 2);
        assert_eq!(timeline[1]["kind"], "escalated");
        assert_eq!(timeline[1]["by"], "kacho さん");
        let reports = full["reports"].as_array().unwrap();
        let prompt = reports.iter().find(|r| r["rule"] == "ppc_prompt").unwrap();
        assert_eq!(prompt["overdue"], true, "{backend}: five days have passed");
        let fin = reports.iter().find(|r| r["rule"] == "ppc_final").unwrap();
        assert_eq!(fin["overdue"], false, "{backend}");
        assert!(
            reports.iter().any(|r| r["rule"] == "prefecture"),
            "high severity"
        );

        // The attention list shows the overdue reports to the line, not to a colleague.
        let r = cl
            .api("GET", "/api/v1/attention", Some(&kacho_t), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(
            r.json()["overdue"].as_i64().unwrap() >= 1,
            "{backend}: {}",
            r.body
        );
        let r = cl
            .api("GET", "/api/v1/attention", Some(&suzuki), None)
            .await;
        assert_eq!(r.json()["incidents"].as_array().unwrap().len(), 0);
        assert_eq!(r.json()["reports"].as_array().unwrap().len(), 0);
        // The reporter sees their incident but no reports (they do not handle it).
        let r = cl
            .api("GET", "/api/v1/attention", Some(&tanaka), None)
            .await;
        assert_eq!(r.json()["incidents"].as_array().unwrap().len(), 1);
        assert_eq!(r.json()["reports"].as_array().unwrap().len(), 0);

        // A report the incident does not owe, or sent in the future, is refused.
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{id}/reports"),
                Some(&kacho_t),
                Some(serde_json::json!({"rule": "embassy", "sent_on": "2999-01-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let f = fields(&r);
        assert!(
            f.contains(&"rule".to_string()) && f.contains(&"sent_on".to_string()),
            "{f:?}"
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{id}/reports"),
                Some(&kacho_t),
                Some(serde_json::json!({"rule": "ppc_prompt"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["overdue"], false);

        // Closing needs the causes and the measures.
        let cur = cl
            .api(
                "GET",
                &format!("/api/v1/incidents/{id}"),
                Some(&kacho_t),
                None,
            )
            .await
            .json()["revision"]
            .as_i64()
            .unwrap();
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{id}/close"),
                Some(&kacho_t),
                Some(serde_json::json!({"revision": cur, "causes": "", "measures": ""})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/incidents/{id}/close"),
                Some(&kacho_t),
                Some(
                    serde_json::json!({"revision": cur, "causes": "私物USBの使用",
                    "lessons": "持ち出し手順の周知", "measures": "暗号化USBに限る"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "closed");

        // The pages: the register, the incident with its timeline, the attention page.
        let mut page = c.fresh();
        page.sign_in("bucho", PASSWORD).await;
        let p = page.get("/incidents").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("USBメモリの紛失"));
        let p = page.get(&format!("/incidents/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("id=\"timeline\"") && p.body.contains("私物USBの使用"));
        let p = page.get("/attention").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        let x = page.get("/incidents/export?format=xlsx").await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
    }
}

#[tokio::test]
async fn a_page_report_reaches_the_administrator_who_escalates_it() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        let mut page = c.fresh();
        page.sign_in("yamada", PASSWORD).await;
        let form = page.get("/incidents/new").await;
        assert_eq!(form.status, StatusCode::OK, "{backend}");
        let csrf = Client::csrf_of(&form.body);
        // Without the CSRF token nothing is written.
        let r = page
            .post_form("/incidents", &[("csrf", "x"), ("title", "t")])
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let r = page
            .post_form(
                "/incidents",
                &[
                    ("csrf", &csrf),
                    ("title", "USB紛失"),
                    ("description", "USBメモリを紛失した"),
                    ("noticed_at", "2026-01-05T09:30"),
                    ("kind", "loss_theft"),
                    ("severity", "medium"),
                    ("personal_info", "on"),
                    ("affected", "3"),
                    ("assets", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let at = r.location();
        assert!(at.starts_with("/incidents/"), "{backend}: {at}");
        let mut boss = c.fresh();
        boss.sign_in("kacho", PASSWORD).await;
        let p = boss.get(&at).await;
        assert!(p.body.contains("id=\"escalate\""), "{backend}");
        let csrf = Client::csrf_of(&p.body);
        let r = boss
            .post_form(
                &format!("{at}/escalate"),
                &[("csrf", &csrf), ("revision", "1"), ("note", "報告")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = boss.get(&at).await;
        assert!(p.body.contains("情報セキュリティ責任者"), "{backend}");
        // The reporter's page offers no handling.
        let p = page.get(&at).await;
        assert!(!p.body.contains("id=\"escalate\""), "{backend}");
    }
}

#[tokio::test]
async fn an_exception_is_refused_to_its_requester_and_the_security_office_and_approved_by_the_ciso()
{
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "suzuki", a).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let ciso = user(&c, "ciso", dept, vec![SystemRole::Staff]).await;
        role(&c, ciso, "ciso", None).await;
        let mut cl = c.fresh();
        let tanaka = cl.token("yamada", PASSWORD).await;
        let suzuki = cl.token("suzuki", PASSWORD).await;
        let sec = cl.token("sec", PASSWORD).await;
        let ciso_t = cl.token("ciso", PASSWORD).await;

        let bad = serde_json::json!({"deviation": "S9-99", "reason": "", "compensating": "監視", "ends_on": ""});
        let r = cl
            .api("POST", "/api/v1/exceptions", Some(&tanaka), Some(bad))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let f = fields(&r);
        for want in ["deviation", "reason", "ends_on"] {
            assert!(f.contains(&want.to_string()), "{backend}: {want} in {f:?}");
        }
        let ends = (time::OffsetDateTime::now_utc() + time::Duration::days(20))
            .date()
            .to_string();
        let body = serde_json::json!({"deviation": "S4-01", "reason": "機器更新まで", "compensating": "ログを毎日確認",
            "scope_units": [a], "ends_on": ends});
        let r = cl
            .api("POST", "/api/v1/exceptions", Some(&tanaka), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["state"], "pending");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/exceptions/{id}"),
                Some(&suzuki),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let decide = serde_json::json!({"revision": 1, "decision": "approve"});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/exceptions/{id}/decision"),
                Some(&tanaka),
                Some(decide.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-EXCEPTION-SELF-DECISION"
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/exceptions/{id}/decision"),
                Some(&sec),
                Some(decide.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(r.json()["error"]["reason"], "MAMORI-EXCEPTION-DECIDER");
        // The CISO has it on the attention list, and approves it.
        let r = cl
            .api("GET", "/api/v1/attention", Some(&ciso_t), None)
            .await;
        assert_eq!(
            r.json()["pending_exceptions"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/exceptions/{id}/decision"),
                Some(&ciso_t),
                Some(decide),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "approved");
        assert_eq!(r.json()["decided_by"], "ciso さん");
        // Ending within 30 days: about to expire.
        let r = cl
            .api("GET", "/api/v1/exceptions/expiring", Some(&tanaka), None)
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 1, "{backend}");
        let mut page = c.fresh();
        page.sign_in("ciso", PASSWORD).await;
        let p = page.get(&format!("/exceptions/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("ciso さん"));
    }
}
