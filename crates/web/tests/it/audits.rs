//! Self-inspections through the real router, on both databases: the security
//! office makes a checklist from the control catalogue and opens a campaign
//! over two sections; a section's 情報セキュリティ管理者 answers (a stale save
//! → 409, an answer outside the list and an item of no campaign → 422),
//! submits once every mandatory item is answered, and nothing more is taken;
//! another section's manager does not find the questionnaire; staff read it
//! and cannot answer; the office sees progress, reminds and returns; the
//! .xlsx questionnaire round trip, with another unit's sheet and moved
//! columns refused whole; the pages answer and submit with CSRF.

use axum::http::StatusCode;
use mamori_core::org::SystemRole;
use mamori_store::Actor;
use mamori_store::org::NewRoleAssignment;
use mamori_store::users::NewUser;
use serde_json::{Value, json};

use crate::client::{Client, PASSWORD};
use crate::org::{section, staff};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn officer(c: &Client, name: &str, unit: i64) {
    c.store
        .create_user(
            &Actor::System("test"),
            NewUser {
                username: name.into(),
                display_name: format!("{name} さん"),
                email: None,
                unit_id: Some(unit),
                roles: vec![SystemRole::SecurityOfficer],
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
}

async fn manage(c: &Client, user: i64, unit: i64) {
    c.store
        .assign_role(
            &Actor::System("test"),
            NewRoleAssignment {
                user_id: user,
                role: "security_administrator".into(),
                unit_id: Some(unit),
                system_id: None,
                starts_on: "2000-01-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
}

pub(crate) struct City {
    pub backend: &'static str,
    pub c: Client,
    pub a: i64,
    pub b: i64,
    pub sec: String,
    pub mgr_a: String,
    pub mgr_b: String,
    pub staff_a: String,
    pub inspection: i64,
    pub items: Vec<Value>,
}

/// D01 with sections A and B, their managers, a member of A, a security
/// officer; a checklist of chapter 1 (mandatory) and a campaign over A and B.
pub(crate) async fn city() -> Vec<City> {
    let mut out = Vec::new();
    for (backend, mut c) in crate::client::clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        let ma = staff(&c, "mgra", a).await;
        let mb = staff(&c, "mgrb", b).await;
        staff(&c, "staffa", a).await;
        manage(&c, ma, a).await;
        manage(&c, mb, b).await;
        officer(&c, "sec", dept).await;
        let sec = c.token("sec", PASSWORD).await;
        let mgr_a = c.token("mgra", PASSWORD).await;
        let mgr_b = c.token("mgrb", PASSWORD).await;
        let staff_a = c.token("staffa", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/checklists",
                Some(&sec),
                Some(json!({"name": "標準チェックリスト", "chapters": [1], "mandatory": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let checklist = r.json()["id"].as_i64().unwrap();
        assert!(r.json()["item_count"].as_i64().unwrap() >= 2, "{backend}");
        let r = c
            .api(
                "POST",
                "/api/v1/self-inspections",
                Some(&sec),
                Some(
                    json!({"title": "令和7年度 自己点検", "checklist_id": checklist,
                    "target_kind": "unit", "target_ids": [a, b], "deadline": "2999-12-31"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let inspection = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/units/{a}"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let items = r.json()["items"].as_array().unwrap().clone();
        out.push(City {
            backend,
            c,
            a,
            b,
            sec,
            mgr_a,
            mgr_b,
            staff_a,
            inspection,
            items,
        });
    }
    out
}

pub(crate) fn reasons(r: &crate::client::Resp) -> Vec<String> {
    let j = r.json();
    let mut out = vec![j["error"]["reason"].as_str().unwrap_or("").to_string()];
    for f in j["error"]["fields"].as_array().cloned().unwrap_or_default() {
        out.push(f["code"].as_str().unwrap_or("").to_string());
    }
    out
}

#[tokio::test]
async fn only_the_office_keeps_checklists_and_opens_campaigns_and_bad_input_is_named() {
    for City {
        backend,
        mut c,
        a,
        sec,
        mgr_a,
        staff_a,
        ..
    } in city().await
    {
        for token in [&mgr_a, &staff_a] {
            let r = c
                .api(
                    "POST",
                    "/api/v1/checklists",
                    Some(token),
                    Some(json!({"name": "x"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
            let r = c
                .api("GET", "/api/v1/self-inspections", Some(token), None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        }
        let r = c
            .api(
                "POST",
                "/api/v1/self-inspections",
                Some(&sec),
                Some(
                    json!({"title": " ", "checklist_id": 999999, "target_kind": "unit",
                    "target_ids": [], "deadline": "2000-01-01"}),
                ),
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
        for f in ["title", "checklist_id", "deadline", "target_ids"] {
            assert!(
                fields.contains(&f.to_string()),
                "{backend}: {f} in {fields:?}"
            );
        }
        let r = c
            .api(
                "POST",
                "/api/v1/checklists",
                Some(&sec),
                Some(json!({"name": "", "source": "controls"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        // Staff read their own unit's questionnaire, never answer it.
        let list = c
            .api("GET", "/api/v1/self-inspections", Some(&sec), None)
            .await;
        let id = list.json()["items"][0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{id}/units/{a}"),
                Some(&staff_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/self-inspections/{id}/units/{a}/answers"),
                Some(&staff_a),
                Some(json!({"revision": 1, "answers": []})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
    }
}

#[tokio::test]
async fn a_manager_answers_submits_and_the_office_follows_up() {
    for City {
        backend,
        mut c,
        a,
        b,
        sec,
        mgr_a,
        mgr_b,
        inspection,
        items,
        ..
    } in city().await
    {
        let base = format!("/api/v1/self-inspections/{inspection}/units/{a}");
        // Another section's manager does not find it.
        let r = c.api("GET", &base, Some(&mgr_b), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_b),
                Some(json!({"revision": 1, "answers": []})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let id0 = items[0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": 1, "answers": [{"item_id": id0, "answer": "done", "comment": "規程あり"}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "in_progress", "{backend}");
        let revision = r.json()["revision"].as_i64().unwrap();
        // A stale save.
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": 1, "answers": [{"item_id": id0, "answer": "partial"}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(reasons(&r)[0], "MAMORI-INSPECTION-STALE", "{backend}");
        // An answer outside the list and an item of no campaign: both named.
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": revision, "answers": [
                    {"item_id": id0, "answer": "maybe"}, {"item_id": 99999999, "answer": "done"}]})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let rs = reasons(&r);
        assert!(
            rs.contains(&"MAMORI-INSPECTION-ANSWER".to_string()),
            "{backend}: {rs:?}"
        );
        assert!(
            rs.contains(&"MAMORI-INSPECTION-ITEM".to_string()),
            "{backend}: {rs:?}"
        );
        // Submitting with mandatory items unanswered.
        let r = c
            .api(
                "POST",
                &format!("{base}/submit"),
                Some(&mgr_a),
                Some(json!({"revision": revision})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            reasons(&r)[0],
            "MAMORI-INSPECTION-MANDATORY-MISSING",
            "{backend}"
        );
        let all: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, it)| json!({"item_id": it["id"], "answer": if i == 1 { "not_done" } else { "done" }}))
            .collect();
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": revision, "answers": all})),
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
        assert_eq!(r.json()["state"], "submitted", "{backend}");
        let revision = r.json()["revision"].as_i64().unwrap();
        // Nothing after submission.
        let r = c
            .api("PUT", &format!("{base}/answers"), Some(&mgr_a),
                Some(json!({"revision": revision, "answers": [{"item_id": id0, "answer": "partial"}]})))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(reasons(&r)[0], "MAMORI-INSPECTION-SUBMITTED", "{backend}");

        // The office: progress, reminders, results, return.
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}?state=submitted"),
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["total"], 1, "{backend}");
        assert_eq!(r.json()["items"][0]["unit_id"], a, "{backend}");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}?state=bogus"),
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("/api/v1/self-inspections/{inspection}/remind"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("/api/v1/self-inspections/{inspection}/remind"),
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.json()["reminded"], 1, "{backend}: {}", r.body);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/units/{b}"),
                Some(&mgr_b),
                None,
            )
            .await;
        assert_eq!(r.json()["questionnaire"]["reminders"], 1, "{backend}");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/results"),
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let n = items.len() as f64;
        let expected = ((n - 1.0) * 2.0 / (n * 2.0) * 1000.0).round() / 10.0;
        assert_eq!(
            r.json()["score"].as_f64().unwrap(),
            expected,
            "{backend}: {}",
            r.body
        );
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/results"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api(
                "POST",
                &format!("{base}/return"),
                Some(&mgr_a),
                Some(json!({"note": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("{base}/return"),
                Some(&sec),
                Some(json!({"note": "証跡を添付してください"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "in_progress", "{backend}");
    }
}

#[tokio::test]
async fn the_xlsx_questionnaire_round_trips_and_a_wrong_sheet_is_refused_whole() {
    for City {
        backend,
        mut c,
        a,
        b,
        mgr_a,
        mgr_b,
        inspection,
        items,
        ..
    } in city().await
    {
        let path_a = format!("/api/v1/self-inspections/{inspection}/units/{a}/questionnaire.xlsx");
        let path_b = format!("/api/v1/self-inspections/{inspection}/units/{b}/questionnaire.xlsx");
        let r = c.api("GET", &path_a, Some(&mgr_a), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let blank = r.bytes.clone();
        let r = c.api("GET", &path_a, Some(&mgr_b), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        // Blank mandatory answers: refused, every row named.
        let r = c
            .api_bytes("POST", &path_a, &mgr_a, XLSX, blank.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let fields = r.json()["error"]["fields"].as_array().unwrap().len();
        assert_eq!(fields, items.len(), "{backend}: {}", r.body);
        // A's sheet uploaded for B.
        let r = c
            .api_bytes("POST", &path_b, &mgr_b, XLSX, blank.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(reasons(&r)[0], "MAMORI-INSPECTION-SHEET", "{backend}");
        // Filled in: every answer taken.
        let rows: Vec<mamori_sheet::questionnaire::ItemRow> = items
            .iter()
            .enumerate()
            .map(|(i, it)| mamori_sheet::questionnaire::ItemRow {
                position: it["position"].as_i64().unwrap(),
                item_id: it["id"].as_i64().unwrap(),
                provision: String::new(),
                question: String::new(),
                mandatory: true,
                method: String::new(),
                evidence_hint: String::new(),
                allowed: vec![],
                answer: if i == 0 {
                    "一部実施".into()
                } else {
                    "実施".into()
                },
                comment: "確認済".into(),
            })
            .collect();
        let identity = |unit: i64| mamori_sheet::questionnaire::Identity {
            inspection_id: inspection,
            target_id: unit,
            title: String::new(),
            target_name: String::new(),
        };
        let mut bad = rows.clone();
        bad[0].answer = "たぶん".into();
        let r = c
            .api_bytes(
                "POST",
                &path_a,
                &mgr_a,
                XLSX,
                mamori_sheet::questionnaire::write(&identity(a), &bad).unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            reasons(&r)[1],
            "MAMORI-INSPECTION-ANSWER",
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            r.json()["error"]["fields"][0]["row"],
            4,
            "{backend}: {}",
            r.body
        );
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/units/{a}"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(
            r.json()["answers"].as_array().unwrap().len(),
            0,
            "{backend}: nothing taken"
        );
        // Columns moved: refused.
        let mut header: Vec<&str> = mamori_sheet::questionnaire::HEADERS
            .iter()
            .map(|h| h.0)
            .collect();
        header.swap(7, 8);
        let moved = mamori_sheet::status::plain_table(
            mamori_core::table::LedgerFormat::Xlsx,
            &[
                mamori_sheet::questionnaire::ID_LABEL,
                &inspection.to_string(),
                "対象",
                &a.to_string(),
            ],
            vec![
                vec![String::new()],
                header.iter().map(|s| s.to_string()).collect(),
            ],
        )
        .unwrap();
        let r = c.api_bytes("POST", &path_a, &mgr_a, XLSX, moved).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            reasons(&r)[0],
            "MAMORI-INSPECTION-COLUMNS",
            "{backend}: {}",
            r.body
        );
        let r = c
            .api_bytes(
                "POST",
                &path_a,
                &mgr_a,
                XLSX,
                mamori_sheet::questionnaire::write(&identity(a), &rows).unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(
            r.json()["answered"].as_i64().unwrap(),
            items.len() as i64,
            "{backend}"
        );
        // The download now carries the answers.
        let r = c.api("GET", &path_a, Some(&mgr_a), None).await;
        let read = mamori_sheet::questionnaire::read(&r.bytes, &Default::default()).unwrap();
        assert_eq!(read.rows[0].answer, "一部実施", "{backend}");
    }
}

#[tokio::test]
async fn the_pages_answer_and_submit_with_csrf() {
    for City {
        backend,
        mut c,
        a,
        inspection,
        items,
        ..
    } in city().await
    {
        // Before any answer the results say so rather than draw nothing.
        let mut early = c.fresh();
        early.sign_in("sec", PASSWORD).await;
        let p = early
            .get(&format!("/audits/inspections/{inspection}/results"))
            .await;
        assert!(
            p.body.contains("id=\"chapters-empty\"") && p.body.contains("id=\"weakest-empty\""),
            "{backend}: {}",
            p.body
        );
        // Staff of the unit read the questionnaire but are not asked to
        // answer it: it is not on their to-do list.
        let mut member = c.fresh();
        member.sign_in("staffa", PASSWORD).await;
        let dash = member.get("/").await;
        assert_eq!(dash.status, StatusCode::OK, "{backend}");
        assert!(!dash.body.contains("令和7年度 自己点検"), "{backend}");
        let index = member.get("/audits").await;
        assert!(index.body.contains("（閲覧のみ）"), "{backend}");
        c.sign_in("mgra", PASSWORD).await;
        let dash = c.get("/").await;
        assert!(
            dash.body
                .contains(&format!("/audits/inspections/{inspection}/units/{a}")),
            "{backend}: the manager's to-do"
        );
        let index = c.get("/audits").await;
        assert_eq!(index.status, StatusCode::OK, "{backend}");
        assert!(index.body.contains("令和7年度 自己点検"), "{backend}");
        assert!(!index.body.contains("（閲覧のみ）"), "{backend}");
        let path = format!("/audits/inspections/{inspection}/units/{a}");
        let page = c.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        // Each item's provision is a link to the control it checks.
        let code = items[0]["provision"]
            .as_str()
            .unwrap()
            .trim_start_matches("control:");
        assert!(
            page.body.contains(&format!(
                "class=\"provision-ref\" href=\"/controls/{code}\""
            )),
            "{backend}: {}",
            page.body
        );
        let csrf = Client::csrf_of(&page.body);
        let keys: Vec<String> = items.iter().map(|i| format!("a_{}", i["id"])).collect();
        let mut pairs: Vec<(&str, &str)> =
            vec![("csrf", &csrf), ("revision", "1"), ("action", "submit")];
        for k in &keys {
            pairs.push((k.as_str(), "done"));
        }
        // Without the CSRF token: refused.
        let r = c.post_form(&path, &pairs[1..]).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let r = c.post_form(&path, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let page = c.get(&path).await;
        assert!(page.body.contains("提出済"), "{backend}");
        assert!(
            !page.body.contains("id=\"submit\""),
            "{backend}: no more answering"
        );
        // The office's pages: progress and results with their charts.
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let p = office
            .get(&format!("/audits/inspections/{inspection}"))
            .await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("completion-chart"), "{backend}");
        let p = office
            .get(&format!("/audits/inspections/{inspection}/results"))
            .await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(
            p.body.contains("chapter-chart") && p.body.contains("100.0%"),
            "{backend}"
        );
        // The unit manager does not see the results.
        let p = c
            .get(&format!("/audits/inspections/{inspection}/results"))
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}");
    }
}

/// Evidence on answers: a manager attaches a file (API and page) and a link
/// to an item's answer; the questionnaire lists them by item; staff of the
/// unit may download, another section's manager may not (404); an item of
/// no campaign, a bad link, an empty file and evidence after submission are
/// refused with their reason and nothing is written.
#[tokio::test]
async fn answers_carry_evidence_files_and_links_read_only_by_those_who_see_the_questionnaire() {
    for City {
        backend,
        mut c,
        a,
        mgr_a,
        mgr_b,
        staff_a,
        inspection,
        items,
        ..
    } in city().await
    {
        let item = items[0]["id"].as_i64().unwrap();
        let base = format!("/api/v1/self-inspections/{inspection}/units/{a}");
        let r = c
            .api_bytes(
                "POST",
                &format!("{base}/answers/{item}/evidence?name=%E7%82%B9%E6%A4%9C%E8%A8%98%E9%8C%B2.pdf&note=log"),
                &mgr_a,
                "application/pdf",
                b"%PDF-1.4 proof".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let file_id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["file_name"], "点検記録.pdf", "{backend}");
        assert_eq!(r.json()["sha256"].as_str().unwrap().len(), 64, "{backend}");
        let r = c
            .api(
                "POST",
                &format!("{base}/answers/{item}/links"),
                Some(&mgr_a),
                Some(json!({"url": "https://intra.example.jp/manual", "note": "手順書"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        // Refusals, each with its reason; nothing written.
        let r = c
            .api(
                "POST",
                &format!("{base}/answers/999999/links"),
                Some(&mgr_a),
                Some(json!({"url": "https://intra.example.jp/x"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(
            reasons(&r).iter().any(|x| x == "MAMORI-INSPECTION-ITEM"),
            "{backend}: {}",
            r.body
        );
        let r = c
            .api(
                "POST",
                &format!("{base}/answers/{item}/links"),
                Some(&mgr_a),
                Some(json!({"url": "javascript:alert(1)"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let r = c
            .api_bytes(
                "POST",
                &format!("{base}/answers/{item}/evidence?name=x"),
                &mgr_a,
                "text/plain",
                Vec::new(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        // Staff of the unit read but do not attach; another section's
        // manager does not find the questionnaire.
        let r = c
            .api(
                "POST",
                &format!("{base}/answers/{item}/links"),
                Some(&staff_a),
                Some(json!({"url": "https://e.example/"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("{base}/answers/{item}/links"),
                Some(&mgr_b),
                Some(json!({"url": "https://e.example/"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let r = c.api("GET", &base, Some(&mgr_a), None).await;
        let ev = r.json()["evidence"].as_array().unwrap().clone();
        assert_eq!(ev.len(), 2, "{backend}: {}", r.body);
        assert!(
            ev.iter().all(|e| e["item_id"].as_i64() == Some(item)),
            "{backend}"
        );
        let dl = format!("/api/v1/evidence/{file_id}");
        let r = c.api("GET", &dl, Some(&staff_a), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.body, "%PDF-1.4 proof", "{backend}");
        let r = c.api("GET", &dl, Some(&mgr_b), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        // The page: its form attaches a file; the questionnaire shows both.
        c.sign_in("mgra", PASSWORD).await;
        let path = format!("/audits/inspections/{inspection}/units/{a}");
        let page = c.get(&path).await;
        assert!(page.body.contains("id=\"evidence-form\""), "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let item_s = item.to_string();
        let r = c
            .post_multipart(
                &format!("{path}/evidence"),
                &[("csrf", &csrf), ("item", &item_s), ("note", "写真")],
                ("file", "server-room.jpg", b"\xff\xd8\xff jpeg"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let page = c.get(&path).await;
        assert!(
            page.body.contains("点検記録.pdf")
                && page.body.contains("server-room.jpg")
                && page.body.contains("https://intra.example.jp/manual"),
            "{backend}"
        );
        // After submission no more evidence is taken.
        let pairs: Vec<Value> = items
            .iter()
            .map(|i| json!({"item_id": i["id"], "answer": "done"}))
            .collect();
        let r = c
            .api(
                "PUT",
                &format!("{base}/answers"),
                Some(&mgr_a),
                Some(json!({"revision": 1, "answers": pairs})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let rev = r.json()["revision"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                &format!("{base}/submit"),
                Some(&mgr_a),
                Some(json!({"revision": rev})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("{base}/answers/{item}/links"),
                Some(&mgr_a),
                Some(json!({"url": "https://late.example/"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert!(
            reasons(&r)
                .iter()
                .any(|x| x == "MAMORI-INSPECTION-SUBMITTED"),
            "{backend}: {}",
            r.body
        );
        let r = c.api("GET", &base, Some(&mgr_a), None).await;
        assert_eq!(
            r.json()["evidence"].as_array().unwrap().len(),
            3,
            "{backend}"
        );
    }
}

/// Two people answering the same questionnaire at once: the second save is
/// refused (someone saved first), nothing of it is written, and the page keeps
/// what the second person entered with what is stored beside each item that
/// differs; saved again on the new revision, it is taken.
#[tokio::test]
async fn a_save_refused_as_stale_keeps_the_answers_entered_beside_what_is_stored() {
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
        let path = format!("/audits/inspections/{inspection}/units/{a}");
        let mut first = c.fresh();
        first.sign_in("mgra", PASSWORD).await;
        let mut second = c.fresh();
        second.sign_in("mgra", PASSWORD).await;
        let csrf1 = Client::csrf_of(&first.get(&path).await.body);
        let csrf2 = Client::csrf_of(&second.get(&path).await.body);
        let a0 = format!("a_{}", items[0]["id"]);
        let c0 = format!("c_{}", items[0]["id"]);
        let a1 = format!("a_{}", items[1]["id"]);
        let r = first
            .post_form(&path, &[("csrf", &csrf1), ("revision", "1"), (&a0, "done")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        // The second, on the revision it read.
        let r = second
            .post_form(
                &path,
                &[
                    ("csrf", &csrf2),
                    ("revision", "1"),
                    (&a0, "not_done"),
                    (&c0, "端末の点検記録がない"),
                    (&a1, "done"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(r.location(), path, "{backend}");
        let page = second.get(&path).await;
        assert!(
            page.body.contains("あなたの入力は下に残しています")
                && !page.body.contains("開き直して"),
            "{backend}: {}",
            page.body
        );
        assert!(
            page.body.contains("value=\"not_done\" selected")
                && page.body.contains("value=\"端末の点検記録がない\"")
                && page.body.contains("保存済み: 実施"),
            "{backend}: {}",
            page.body
        );
        // Nothing of the refused save was written.
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/units/{a}"),
                Some(&mgr_a),
                None,
            )
            .await;
        let json = r.json();
        let answer_of = |id: &serde_json::Value| {
            json["answers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["item_id"] == *id)
                .map(|a| a["answer"].clone())
        };
        assert_eq!(
            answer_of(&items[0]["id"]),
            Some(serde_json::json!("done")),
            "{backend}: {json}"
        );
        assert_eq!(answer_of(&items[1]["id"]), None, "{backend}: {json}");
        // Saved again from the page shown (its own revision): taken.
        let marker = "name=\"revision\" value=\"";
        let at = page.body.find(marker).unwrap() + marker.len();
        let revision: String = page.body[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let r = second
            .post_form(
                &path,
                &[
                    ("csrf", &csrf2),
                    ("revision", &revision),
                    (&a0, "not_done"),
                    (&c0, "端末の点検記録がない"),
                    (&a1, "done"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let page = second.get(&path).await;
        assert!(page.body.contains("保存しました"), "{backend}");
        assert!(!page.body.contains("保存済み: "), "{backend}");
    }
}
