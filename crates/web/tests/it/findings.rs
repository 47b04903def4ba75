//! Findings and corrective actions (issue 14 part 2) through the real
//! router, on both databases: a section's manager submits a questionnaire
//! with a mandatory item 未実施; the manager may not raise findings, the
//! security office raises them (idempotent); another section's manager and
//! staff do not see them; the manager plans the action with themself as
//! owner and reports it done; closing before verification and verifying
//! one's own action are refused; the office verifies and closes; an overdue
//! action is listed and on its owner's to-do list; bad input is named by
//! field; the pages take the steps with CSRF.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::audits::{City, city, reasons};
use crate::client::{Client, PASSWORD};

#[tokio::test]
async fn a_campaign_finding_is_planned_done_verified_by_another_and_closed() {
    for City {
        backend,
        mut c,
        a,
        sec,
        mgr_a,
        mgr_b,
        staff_a,
        inspection,
        items,
        ..
    } in city().await
    {
        let base = format!("/api/v1/self-inspections/{inspection}/units/{a}");
        let all: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, it)| json!({"item_id": it["id"], "answer": if i == 0 { "not_done" } else { "done" }, "comment": "未整備"}))
            .collect();
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": 1, "answers": all})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let revision = r.json()["revision"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                &format!("{base}/submit"),
                Some(&mgr_a),
                Some(json!({"revision": revision})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);

        let raise = format!("/api/v1/self-inspections/{inspection}/findings");
        // Only the office (or an auditor) raises.
        let r = c.api("POST", &raise, Some(&mgr_a), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c.api("POST", &raise, Some(&sec), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let raised = r.json()["raised"].as_array().unwrap().clone();
        assert_eq!(raised.len(), 1, "{backend}: {}", r.body);
        let f = &raised[0];
        let id = f["id"].as_i64().unwrap();
        assert_eq!(f["state"], "open", "{backend}");
        assert_eq!(f["source"], "inspection", "{backend}");
        assert_eq!(f["unit_id"], a, "{backend}");
        // Again: nothing new.
        let r = c.api("POST", &raise, Some(&sec), None).await;
        assert_eq!(r.json()["raised"].as_array().unwrap().len(), 0, "{backend}");
        assert_eq!(r.json()["already"], 1, "{backend}");
        // A waiver of an item that is no 未実施 answer: refused by field.
        let r = c
            .api(
                "POST",
                &format!("/api/v1/self-inspections/{inspection}/waivers"),
                Some(&sec),
                Some(json!({"target_id": 1, "item_id": items[1]["id"], "reason": ""})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let why = reasons(&r);
        assert!(
            why.contains(&"MAMORI-FINDING-WAIVE-ITEM".to_string()),
            "{backend}: {why:?}"
        );
        assert!(
            why.contains(&"MAMORI-FINDING-WAIVE-REASON".to_string()),
            "{backend}: {why:?}"
        );

        // Scope: another section's manager and staff do not see it.
        for token in [&mgr_b, &staff_a] {
            let r = c.api("GET", "/api/v1/findings", Some(token), None).await;
            assert_eq!(r.json()["total"], 0, "{backend}: {}", r.body);
            let r = c
                .api("GET", &format!("/api/v1/findings/{id}"), Some(token), None)
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        }
        let r = c.api("GET", "/api/v1/findings", Some(&mgr_a), None).await;
        assert_eq!(r.json()["total"], 1, "{backend}");

        let me = c.api("GET", "/api/v1/me", Some(&mgr_a), None).await.json()["id"]
            .as_i64()
            .unwrap();
        let url = |step: &str| format!("/api/v1/findings/{id}/{step}");
        // A plan without owner, date or text: every field named.
        let r = c
            .api(
                "POST",
                &url("plan"),
                Some(&mgr_a),
                Some(json!({"revision": 1, "owner_id": 999999, "due_on": "いつか", "plan": " "})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let why = reasons(&r);
        for want in [
            "MAMORI-FINDING-OWNER",
            "MAMORI-FINDING-DUE",
            "MAMORI-FINDING-PLAN-EMPTY",
        ] {
            assert!(
                why.contains(&want.to_string()),
                "{backend}: {want} in {why:?}"
            );
        }
        // The staff member may not plan.
        let r = c
            .api(
                "POST",
                &url("plan"),
                Some(&staff_a),
                Some(json!({"revision": 1, "owner_id": me, "due_on": "2999-03-31", "plan": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let r = c
            .api("POST", &url("plan"), Some(&mgr_a), Some(json!({"revision": 1, "owner_id": me, "due_on": "2999-03-31", "plan": "規程を整備する"})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "action_planned", "{backend}");
        assert_eq!(r.json()["owner"], "mgra さん", "{backend}");
        let rev = r.json()["revision"].as_i64().unwrap();
        // The office cannot report the owner's action done.
        let r = c
            .api(
                "POST",
                &url("done"),
                Some(&sec),
                Some(json!({"revision": rev})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        assert_eq!(reasons(&r)[0], "MAMORI-FINDING-REPORTER", "{backend}");
        // Closing without verification: refused, nothing written.
        let r = c
            .api(
                "POST",
                &url("close"),
                Some(&sec),
                Some(json!({"revision": rev})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(reasons(&r)[0], "MAMORI-FINDING-NOT-VERIFIED", "{backend}");
        let r = c
            .api(
                "POST",
                &url("done"),
                Some(&mgr_a),
                Some(json!({"revision": rev, "note": "整備した"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let rev = r.json()["revision"].as_i64().unwrap();
        // The owner cannot verify their own action.
        let r = c
            .api(
                "POST",
                &url("verification"),
                Some(&mgr_a),
                Some(json!({"revision": rev, "decision": "accept"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        assert_eq!(reasons(&r)[0], "MAMORI-FINDING-SELF-VERIFY", "{backend}");
        // On the office's to-do list, not the owner's.
        let todo = c
            .api("GET", "/api/v1/findings/todos", Some(&sec), None)
            .await
            .json();
        assert_eq!(todo[0]["kind"], "verify", "{backend}: {todo}");
        let todo = c
            .api("GET", "/api/v1/findings/todos", Some(&mgr_a), None)
            .await
            .json();
        assert_eq!(todo.as_array().unwrap().len(), 0, "{backend}: {todo}");
        let r = c
            .api(
                "POST",
                &url("verification"),
                Some(&sec),
                Some(json!({"revision": rev, "decision": "accept", "note": "確認した"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "verified", "{backend}");
        let rev = r.json()["revision"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                &url("close"),
                Some(&sec),
                Some(json!({"revision": rev})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "closed", "{backend}");
        let r = c
            .api("GET", &format!("/api/v1/findings/{id}"), Some(&mgr_a), None)
            .await;
        let kinds: Vec<String> = r.json()["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            kinds,
            ["raised", "planned", "done", "verified", "closed"],
            "{backend}"
        );
        assert_eq!(r.json()["verified_by"], "sec さん", "{backend}");

        // A finding by hand: bad input named by field; an overdue action.
        let r = c
            .api(
                "POST",
                "/api/v1/findings",
                Some(&sec),
                Some(json!({"severity": "urgent", "provision": "a b", "description": " "})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let fields: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        for want in ["severity", "provision", "description", "unit_id"] {
            assert!(
                fields.contains(&want.to_string()),
                "{backend}: {want} in {fields:?}"
            );
        }
        let r = c
            .api("POST", "/api/v1/findings", Some(&sec), Some(json!({"severity": "high", "provision": "S4-01", "unit_id": a, "description": "パスワードの使い回し"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id2 = r.json()["id"].as_i64().unwrap();
        let r = c
            .api("POST", &format!("/api/v1/findings/{id2}/plan"), Some(&sec), Some(json!({"revision": 1, "owner_id": me, "due_on": "2020-01-31", "plan": "周知する"})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["overdue"], true, "{backend}");
        let r = c
            .api("GET", "/api/v1/findings?overdue=1", Some(&mgr_a), None)
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}: {}", r.body);
        assert_eq!(r.json()["items"][0]["id"], id2, "{backend}");
        let r = c
            .api("GET", "/api/v1/findings?overdue=2", Some(&mgr_a), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let todo = c
            .api("GET", "/api/v1/findings/todos", Some(&mgr_a), None)
            .await
            .json();
        assert_eq!(todo[0]["kind"], "overdue", "{backend}: {todo}");
        let r = c
            .api("GET", "/api/v1/findings/export", Some(&sec), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
    }
}

#[tokio::test]
async fn the_pages_raise_plan_and_refuse_self_verification() {
    for City {
        backend,
        mut c,
        a,
        mgr_a,
        inspection,
        items,
        ..
    } in city().await
    {
        let base = format!("/api/v1/self-inspections/{inspection}/units/{a}");
        let all: Vec<Value> = items
            .iter()
            .map(|it| json!({"item_id": it["id"], "answer": "not_done"}))
            .collect();
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": 1, "answers": all})),
            )
            .await;
        let revision = r.json()["revision"].as_i64().unwrap();
        c.api(
            "POST",
            &format!("{base}/submit"),
            Some(&mgr_a),
            Some(json!({"revision": revision})),
        )
        .await;
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let path = format!("/audits/inspections/{inspection}/findings");
        let page = office.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(page.body.contains("raise-findings"), "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let r = office.post_form(&path, &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let list = office.get("/findings").await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        assert!(list.body.contains("未実施"), "{backend}");
        let raised = items.iter().filter(|i| i["mandatory"] == true).count();
        // The office's dashboard: the campaign's progress and the findings to act on.
        let home = office.get("/").await;
        assert!(home.body.contains("id=\"cycle\""), "{backend}");
        assert!(
            home.body.contains("令和7年度 自己点検</a>: 提出 1/2"),
            "{backend}: {}",
            home.body
        );
        assert!(
            home.body.contains(&format!(
                "id=\"findings-active\">確認が済んでいない指摘事項</a>: {raised}"
            )),
            "{backend}: {raised}"
        );
        assert!(home.body.contains("id=\"risks-untreated\""), "{backend}");
        // A unit's manager sees their unit, not the city's cycle.
        let mut manager = c.fresh();
        manager.sign_in("mgra", PASSWORD).await;
        assert!(
            !manager.get("/").await.body.contains("id=\"cycle\""),
            "{backend}"
        );

        let mut mgr = c.fresh();
        mgr.sign_in("mgra", PASSWORD).await;
        let r = mgr.api("GET", "/api/v1/findings", Some(&mgr_a), None).await;
        let id = r.json()["items"][0]["id"].as_i64().unwrap();
        let me = mgr
            .api("GET", "/api/v1/me", Some(&mgr_a), None)
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let fpath = format!("/findings/{id}");
        let page = mgr.get(&fpath).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(page.body.contains("id=\"plan\""), "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let me_s = me.to_string();
        // A plan refused (a due date that does not exist) comes back in the
        // plan form only.
        let r = mgr
            .post_form(
                &format!("{fpath}/plan"),
                &[
                    ("csrf", &csrf),
                    ("revision", "1"),
                    ("owner_id", &me_s),
                    ("due_on", "2026-02-30"),
                    ("plan", "端末の設定を見直し、手順書を改める"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let page = mgr.get(&fpath).await;
        assert!(
            page.body
                .contains("required>端末の設定を見直し、手順書を改める</textarea>")
                && page.body.contains("value=\"2026-02-30\""),
            "{backend}: {}",
            page.body
        );
        assert_eq!(
            page.body.matches("端末の設定を見直し").count(),
            1,
            "{backend}: not in the note form: {}",
            page.body
        );
        let r = mgr
            .post_form(
                &format!("{fpath}/plan"),
                &[
                    ("csrf", &csrf),
                    ("revision", "1"),
                    ("owner_id", &me_s),
                    ("due_on", "2999-01-31"),
                    ("plan", "整備する"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let page = mgr.get(&fpath).await;
        assert!(page.body.contains("id=\"report-done\""), "{backend}");
        let r = mgr
            .post_form(
                &format!("{fpath}/done"),
                &[("csrf", &csrf), ("revision", "2"), ("note", "済")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let page = mgr.get(&fpath).await;
        assert!(
            !page.body.contains("id=\"verify\""),
            "{backend}: the owner is offered no verification"
        );
        assert!(page.body.contains("not-verifier"), "{backend}");
        // Posting it anyway is refused with the reason.
        let r = mgr
            .post_form(
                &format!("{fpath}/verification"),
                &[("csrf", &csrf), ("revision", "3"), ("decision", "accept")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let page = mgr.get(&fpath).await;
        assert!(
            page.body.contains("自分が担当した是正措置は確認できません"),
            "{backend}"
        );
        let page = office.get(&fpath).await;
        assert!(page.body.contains("id=\"verify\""), "{backend}");
    }
}

#[tokio::test]
async fn an_audit_respects_independence_and_a_nonconformity_raises_a_finding() {
    use crate::risk::{role, user};
    use mamori_core::org::SystemRole;
    for City {
        backend,
        mut c,
        a,
        b,
        sec,
        mgr_a,
        ..
    } in city().await
    {
        let aud_a = user(&c, "auda", a, vec![SystemRole::Auditor]).await;
        let aud_b = user(&c, "audb", b, vec![SystemRole::Auditor]).await;
        let ciso = user(&c, "ciso1", b, vec![SystemRole::Staff]).await;
        role(&c, ciso, "ciso", None).await;
        let ciso_t = c.token("ciso1", PASSWORD).await;
        let aud_b_t = c.token("audb", PASSWORD).await;
        let aud_a_t = c.token("auda", PASSWORD).await;
        // A programme 2026–2028: three yearly plans.
        let r = c
            .api(
                "POST",
                "/api/v1/audit-programmes",
                Some(&sec),
                Some(json!({"title": "第3期 監査計画", "first_year": 2026, "last_year": 2028})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let plans = r.json()["plans"].as_array().unwrap().clone();
        assert_eq!(plans.len(), 3, "{backend}");
        let plan = plans[0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/audit-programmes",
                Some(&sec),
                Some(json!({"title": "x", "first_year": 2028, "last_year": 2026})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        // The checklist template of the campaign's office.
        let r = c.api("GET", "/api/v1/checklists", Some(&sec), None).await;
        let template = r.json()["items"][0]["id"].as_i64().unwrap();
        let body = |auditor: i64| {
            json!({"plan_id": plan, "title": "A課の監査", "scope_units": [a],
            "period_from": "2026-06-01", "period_to": "2026-06-30", "template_id": template,
            "auditors": [{"user_id": auditor}, {"name": "監査 太郎", "firm": "監査法人みらい"}]})
        };
        // An auditor of section A may not audit section A; nor may its manager.
        for who in [
            aud_a,
            c.api("GET", "/api/v1/me", Some(&mgr_a), None).await.json()["id"]
                .as_i64()
                .unwrap(),
        ] {
            let r = c
                .api("POST", "/api/v1/audits", Some(&sec), Some(body(who)))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {}",
                r.body
            );
            assert!(
                reasons(&r).contains(&"MAMORI-AUDIT-INDEPENDENCE".to_string()),
                "{backend}: {}",
                r.body
            );
            assert!(r.body.contains("A"), "{backend}: names the unit");
        }
        let r = c.api("GET", "/api/v1/audits", Some(&sec), None).await;
        assert_eq!(r.json()["total"], 0, "{backend}: nothing written");
        let r = c
            .api("POST", "/api/v1/audits", Some(&sec), Some(body(aud_b)))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let audit = r.json()["id"].as_i64().unwrap();
        // Outside the plan: the office may not order it, the CISO may.
        let mut adhoc = body(aud_b);
        adhoc["plan_id"] = Value::Null;
        let r = c
            .api("POST", "/api/v1/audits", Some(&sec), Some(adhoc.clone()))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        assert_eq!(reasons(&r)[0], "MAMORI-AUDIT-ADHOC", "{backend}");
        let r = c
            .api("POST", "/api/v1/audits", Some(&ciso_t), Some(adhoc))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["ordered_by"], "ciso1 さん", "{backend}");
        assert!(r.json()["plan_id"].is_null(), "{backend}");

        // The auditor records a nonconformity that raises a finding.
        let r = c
            .api(
                "GET",
                &format!("/api/v1/audits/{audit}"),
                Some(&aud_b_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["auditors"][1]["external"], true, "{backend}");
        let item = r.json()["results"][0]["item_id"].as_i64().unwrap();
        let url = format!("/api/v1/audits/{audit}/results");
        let r = c
            .api(
                "POST",
                &url,
                Some(&aud_a_t),
                Some(json!({"item_id": item, "result": "conforming"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{backend}: not an auditor of it"
        );
        let r = c
            .api("POST", &url, Some(&aud_b_t), Some(json!({"item_id": 999999, "result": "maybe", "evidence_link": "javascript:alert(1)"})))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let why = reasons(&r);
        for want in [
            "MAMORI-AUDIT-RESULT",
            "MAMORI-AUDIT-ITEM",
            "MAMORI-AUDIT-LINK",
        ] {
            assert!(
                why.contains(&want.to_string()),
                "{backend}: {want} in {why:?}"
            );
        }
        let r = c
            .api("POST", &url, Some(&aud_b_t), Some(json!({"item_id": item, "result": "nonconforming",
                "evidence": "規程が未改正", "evidence_link": "https://example.jp/kitei", "raise_finding": true, "severity": "high"})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let finding = r.json()["finding_id"].as_i64().unwrap();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/findings/{finding}"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{backend}: the unit's manager sees it"
        );
        assert_eq!(r.json()["source"], "audit", "{backend}");
        assert_eq!(r.json()["severity"], "high", "{backend}");
        // Evidence seen, as a file: the auditor attaches it; another
        // auditor (not of this audit) may not; the unit's manager may not
        // download it, the security office may.
        let ev_url =
            format!("/api/v1/audits/{audit}/results/{item}/evidence?name=kitei.pdf&note=seen");
        let r = c
            .api_bytes(
                "POST",
                &ev_url,
                &aud_b_t,
                "application/pdf",
                b"%PDF rules".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let ev = r.json()["id"].as_i64().unwrap();
        let r = c
            .api_bytes("POST", &ev_url, &aud_a_t, "application/pdf", b"x".to_vec())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("/api/v1/audits/{audit}/results/999999/links"),
                Some(&aud_b_t),
                Some(json!({"url": "https://example.jp/"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let r = c
            .api("GET", &format!("/api/v1/audits/{audit}"), Some(&sec), None)
            .await;
        assert_eq!(
            r.json()["evidence"][0]["item_id"].as_i64(),
            Some(item),
            "{backend}"
        );
        let dl = format!("/api/v1/evidence/{ev}");
        let r = c.api("GET", &dl, Some(&mgr_a), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = c.api("GET", &dl, Some(&sec), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.body, "%PDF rules", "{backend}");
        // The auditor's to-do names the audit; their page attaches a file too.
        let mut auditor = c.fresh();
        auditor.sign_in("audb", PASSWORD).await;
        let dash = auditor.get("/").await;
        assert!(
            dash.body.contains(&format!("href=\"/audits/{audit}\""))
                && dash.body.contains("A課の監査"),
            "{backend}: the audit on the auditor's to-do"
        );
        let page = auditor.get(&format!("/audits/{audit}")).await;
        assert!(
            page.body.contains("id=\"audit-evidence-form\""),
            "{backend}"
        );
        let csrf = Client::csrf_of(&page.body);
        let item_s = item.to_string();
        let r = auditor
            .post_multipart(
                &format!("/audits/{audit}/evidence"),
                &[("csrf", &csrf), ("item", &item_s), ("note", "現地写真")],
                ("file", "photo.jpg", b"\xff\xd8 jpeg"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let page = auditor.get(&format!("/audits/{audit}")).await;
        assert!(page.body.contains("photo.jpg"), "{backend}");
        // Reported: no more results.
        let rev = c
            .api("GET", &format!("/api/v1/audits/{audit}"), Some(&sec), None)
            .await
            .json()["revision"]
            .as_i64()
            .unwrap();
        let r = c
            .api(
                "POST",
                &format!("/api/v1/audits/{audit}/status"),
                Some(&sec),
                Some(json!({"revision": rev, "status": "reported"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &url,
                Some(&aud_b_t),
                Some(json!({"item_id": item, "result": "conforming"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("/api/v1/audits/{audit}/results/{item}/links"),
                Some(&aud_b_t),
                Some(json!({"url": "https://late.example.jp/"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{backend}: no evidence after the report"
        );
        // The pages.
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let p = office.get("/audits/programme").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.body);
        assert!(p.body.contains("A課の監査"), "{backend}");
        let p = office.get(&format!("/audits/{audit}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.body);
        assert!(
            p.body.contains("監査法人みらい") && p.body.contains("不適合"),
            "{backend}"
        );
        assert!(
            p.body.contains("kitei.pdf"),
            "{backend}: the evidence listed"
        );
    }
}
