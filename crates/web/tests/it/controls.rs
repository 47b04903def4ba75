//! Control status, evidence, information systems and the status workbook
//! through the real router, on both databases: a section's 情報セキュリティ管理者
//! sets their section's status with an evidence file; another section's
//! manager gets 404 by id; staff cannot set; a download is refused to those who
//! may not read; empty and oversized files refused; a stale save → 409; the
//! workbook round trip with a bad sheet that writes nothing.

use axum::http::{StatusCode, header};
use mamori_core::org::SystemRole;
use mamori_store::Actor;
use mamori_store::org::NewRoleAssignment;
use mamori_store::users::NewUser;
use serde_json::json;

use crate::client::{Client, PASSWORD};
use crate::org::{section, staff};

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

/// Every backend: D01 with sections A and B, their managers, a member of A
/// and a security officer; evidence files limited to 64 bytes.
async fn city() -> Vec<(&'static str, Client, i64, i64)> {
    let mut out = Vec::new();
    for (backend, c) in crate::client::clients().await {
        let c = Client::with_limits(
            c.store.clone(),
            mamori_authz::Authorizer::builtin().unwrap(),
            mamori_core::table::ImportLimits {
                max_evidence_bytes: 64,
                ..Default::default()
            },
        );
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        let mgr_a = staff(&c, "mgra", a).await;
        let mgr_b = staff(&c, "mgrb", b).await;
        staff(&c, "staffa", a).await;
        manage(&c, mgr_a, a).await;
        manage(&c, mgr_b, b).await;
        officer(&c, "sec", dept).await;
        out.push((backend, c, a, b));
    }
    out
}

async fn first_control(c: &mut Client, token: &str) -> String {
    let r = c
        .api("GET", "/api/v1/controls?per_page=1", Some(token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["items"][0]["code"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_section_manager_records_status_with_evidence_and_others_are_refused() {
    for (backend, mut c, a, _b) in city().await {
        let mgr_a = c.token("mgra", PASSWORD).await;
        let mgr_b = c.token("mgrb", PASSWORD).await;
        let staff_a = c.token("staffa", PASSWORD).await;
        let code = first_control(&mut c, &mgr_a).await;
        let body = json!({"control_code": code, "scope_kind": "unit", "scope_id": a,
            "state": "一部実施", "owner": "mgra", "due_on": "2999-03-31", "comment": "作業中"});

        // Staff of the section may not set it; another section's manager does not find it.
        let r = c
            .api(
                "PUT",
                "/api/v1/control-status",
                Some(&staff_a),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "PUT",
                "/api/v1/control-status",
                Some(&mgr_b),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);

        let r = c
            .api(
                "PUT",
                "/api/v1/control-status",
                Some(&mgr_a),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let saved = r.json();
        let id = saved["id"].as_i64().unwrap();
        assert_eq!(saved["state"], "partial", "{backend}");
        assert_eq!(saved["owner_name"], "mgra さん", "{backend}");

        // Stale: the same body again (no revision, one recorded), and an old revision.
        let r = c
            .api(
                "PUT",
                "/api/v1/control-status",
                Some(&mgr_a),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        let mut newer = body.clone();
        newer["revision"] = json!(1);
        newer["state"] = json!("implemented");
        let r = c
            .api(
                "PUT",
                "/api/v1/control-status",
                Some(&mgr_a),
                Some(newer.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api("PUT", "/api/v1/control-status", Some(&mgr_a), Some(newer))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-CONTROL-STATUS-STALE",
            "{backend}"
        );

        // Bad input: every field at once.
        let r = c
            .api(
                "PUT",
                "/api/v1/control-status",
                Some(&mgr_a),
                Some(json!({
                "control_code": "S-NOPE", "scope_kind": "unit", "scope_id": a,
                "state": "済", "due_on": "2001-01-01"})),
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
        assert_eq!(fields, ["control_code", "state", "due_on"], "{backend}");

        // Evidence: a file; empty and oversized refused.
        let path =
            format!("/api/v1/control-status/{id}/evidence?name=%E6%89%8B%E9%A0%86.html&note=proof");
        let r = c
            .api_bytes("POST", &path, &staff_a, "text/html", b"<p>x</p>".to_vec())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api_bytes("POST", &path, &mgr_b, "text/html", b"<p>x</p>".to_vec())
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let r = c
            .api_bytes("POST", &path, &mgr_a, "text/html", Vec::new())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-EVIDENCE-EMPTY",
            "{backend}"
        );
        let r = c
            .api_bytes("POST", &path, &mgr_a, "text/html", vec![b'x'; 65])
            .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-EVIDENCE-TOO-LARGE",
            "{backend}"
        );
        let html = b"<script>alert(1)</script>".to_vec();
        let r = c
            .api_bytes("POST", &path, &mgr_a, "text/html", html.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let ev = r.json();
        assert_eq!(ev["sha256"].as_str().unwrap().len(), 64, "{backend}");
        let ev_id = ev["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                &format!("/api/v1/control-status/{id}/links"),
                Some(&mgr_a),
                Some(json!({"url": "file:///etc/passwd"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );

        // Download: a reader gets an attachment, never inline; others 404.
        let dl = format!("/api/v1/evidence/{ev_id}");
        let r = c.api("GET", &dl, Some(&staff_a), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.bytes, html, "{backend}");
        let h = |n| r.headers.get(n).unwrap().to_str().unwrap().to_string();
        assert!(
            h(header::CONTENT_DISPOSITION).starts_with("attachment;"),
            "{backend}"
        );
        assert_eq!(
            h(header::CONTENT_TYPE),
            "application/octet-stream",
            "{backend}"
        );
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{backend}");
        let r = c.api("GET", &dl, Some(&mgr_b), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/control-status/{id}"),
                Some(&mgr_b),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/control-status/{id}"),
                Some(&staff_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(
            r.json()["evidence"].as_array().unwrap().len(),
            1,
            "{backend}"
        );

        // Lists: B's manager sees none of A's; the unit view of A is refused to B.
        let r = c
            .api("GET", "/api/v1/control-status", Some(&mgr_b), None)
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
        let r = c
            .api(
                "GET",
                &format!(
                    "/api/v1/control-status/scope?scope_kind=unit&scope_id={a}&state=implemented"
                ),
                Some(&staff_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["total"], 1, "{backend}");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/control-status/scope?scope_kind=unit&scope_id={a}"),
                Some(&mgr_b),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
    }
}

#[tokio::test]
async fn the_status_workbook_round_trips_and_a_bad_sheet_writes_nothing() {
    for (backend, mut c, a, b) in city().await {
        let mgr_a = c.token("mgra", PASSWORD).await;
        let path = format!("/api/v1/control-status/export?scope_kind=unit&scope_id={a}");
        let r = c.api("GET", &path, Some(&mgr_a), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let rows =
            mamori_sheet::testing::sheet_rows(&r.bytes, mamori_sheet::status::CONTROL_STATUS_SHEET);
        let headers: Vec<&str> = rows[0].iter().map(String::as_str).collect();
        let mut filled = rows[1..3].to_vec();
        filled[0][7] = "実施済".into();
        filled[1][7] = "対象外".into();
        filled[1][8] = "該当なし".into();
        let file = mamori_sheet::status::plain_table(
            mamori_core::table::LedgerFormat::Xlsx,
            &headers,
            &filled,
        )
        .unwrap();
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let r = c
            .api_bytes("POST", "/api/v1/control-status/import", &mgr_a, xlsx, file)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["changed"], 2, "{backend}");

        // A bad sheet: a state outside the list, and a row of section B.
        let b_code = c.store.unit(b).await.unwrap().code;
        let mut bad = filled.clone();
        bad[0][7] = "完了".into();
        bad[1][5] = b_code;
        let file = mamori_sheet::status::plain_table(
            mamori_core::table::LedgerFormat::Xlsx,
            &headers,
            &bad,
        )
        .unwrap();
        let r = c
            .api_bytes("POST", "/api/v1/control-status/import", &mgr_a, xlsx, file)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let e = r.json();
        let fields = e["error"]["fields"].as_array().unwrap();
        assert_eq!(fields.len(), 2, "{backend}: {e}");
        assert_eq!(fields[0]["field"], "実施状況", "{backend}: {e}");
        assert_eq!(fields[1]["field"], "対象コード", "{backend}: {e}");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/control-status?scope_kind=unit&scope_id={a}"),
                Some(&mgr_a),
                None,
            )
            .await;
        let states: Vec<&str> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["state"].as_str().unwrap())
            .collect::<Vec<_>>()
            .into_iter()
            .map(|s| {
                if s == "implemented" {
                    "implemented"
                } else {
                    "not_applicable"
                }
            })
            .collect();
        assert_eq!(states.len(), 2, "{backend}: nothing written");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/control-status?scope_kind=unit&scope_id={a}&state=implemented"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}: nothing written");
    }
}

#[tokio::test]
async fn information_systems_are_registered_edited_and_retired_over_the_api() {
    for (backend, mut c, a, _b) in city().await {
        let sec = c.token("sec", PASSWORD).await;
        let staff_a = c.token("staffa", PASSWORD).await;
        let body = json!({"code": "SYS-100", "name": "文書管理システム", "owner_unit_id": a,
            "vendor": "X社 SaaS", "go_live_on": "2020-04-01"});
        let r = c
            .api(
                "POST",
                "/api/v1/information-systems",
                Some(&staff_a),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/information-systems",
                Some(&sec),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "GET",
                "/api/v1/information-systems?q=%E6%96%87%E6%9B%B8",
                Some(&staff_a),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}: {}", r.body);
        assert_eq!(r.json()["items"][0]["owner_unit_name"], "A課", "{backend}");
        let mut edit = body.clone();
        edit["revision"] = json!(1);
        edit["description"] = json!("庁内文書");
        let path = format!("/api/v1/information-systems/{id}");
        let r = c
            .api("PUT", &path, Some(&staff_a), Some(edit.clone()))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c.api("PUT", &path, Some(&sec), Some(edit.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c.api("PUT", &path, Some(&sec), Some(edit.clone())).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                &format!("{path}/retire"),
                Some(&sec),
                Some(json!({"revision": 2, "on": "2030-03-31"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c.api("GET", &path, Some(&staff_a), None).await;
        assert_eq!(r.json()["retired_on"], "2030-03-31", "{backend}");
        let r = c
            .api(
                "GET",
                "/api/v1/information-systems/export?format=csv",
                Some(&staff_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(r.body.contains("SYS-100"), "{backend}");
        // An import of rows with problems writes nothing.
        let csv = "コード,名称,所管課\nSYS-200,新システム,A課\nSYS-201,,Z課\n";
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/information-systems/import",
                &sec,
                "text/csv",
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let r = c
            .api(
                "GET",
                "/api/v1/information-systems?q=SYS-20",
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
    }
}

#[tokio::test]
async fn the_pages_record_status_with_an_evidence_file_and_hide_it_from_other_sections() {
    for (backend, mut c, a, _b) in city().await {
        let mut mgr_b = c.fresh();
        let mut staff_a = c.fresh();
        c.sign_in("mgra", PASSWORD).await;
        mgr_b.sign_in("mgrb", PASSWORD).await;
        staff_a.sign_in("staffa", PASSWORD).await;
        let token = c.token("mgra", PASSWORD).await;
        let code = first_control(&mut c, &token).await;

        // The unit view lists the controls; the form records the status.
        let view = c.get("/control-status").await;
        assert_eq!(view.status, StatusCode::OK, "{backend}: {}", view.body);
        assert!(view.body.contains(&code), "{backend}");
        let form_path = format!("/control-status/edit?control={code}&scope_kind=unit&scope_id={a}");
        let form = c.get(&form_path).await;
        assert_eq!(form.status, StatusCode::OK, "{backend}: {}", form.body);
        let csrf = Client::csrf_of(&form.body);
        let scope_id = a.to_string();
        let r = c
            .post_form(
                "/control-status/edit",
                &[
                    ("csrf", &csrf),
                    ("control", &code),
                    ("scope_kind", "unit"),
                    ("scope_id", &scope_id),
                    ("revision", "0"),
                    ("state", "partial"),
                    ("owner", "mgra"),
                    ("due_on", "2999-01-31"),
                    ("comment", "進行中"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let status_path = r.location();
        // Staff of the section may not open the form; B's manager gets 404.
        let r = staff_a.get(&form_path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = mgr_b.get(&status_path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");

        // An evidence file through the page's form.
        let page = c.get(&status_path).await;
        assert!(page.body.contains("一部実施"), "{backend}: {}", page.body);
        let csrf = Client::csrf_of(&page.body);
        let r = c
            .post_multipart(
                &format!("{status_path}/evidence"),
                &[("csrf", &csrf), ("note", "議事録")],
                ("file", "minutes.pdf", b"%PDF-1.4 minutes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let r = c
            .post_multipart(
                &format!("{status_path}/evidence"),
                &[("csrf", &csrf)],
                ("file", "empty.pdf", b""),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let page = c.get(&status_path).await;
        assert!(page.body.contains("minutes.pdf"), "{backend}");
        let start = page.body.find("/evidence/").unwrap();
        let link: String = page.body[start..]
            .chars()
            .take_while(|ch| *ch != '"')
            .collect();
        let r = staff_a.get(&link).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(
            r.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
            "{backend}"
        );
        let r = mgr_b.get(&link).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");

        // The control page shows the status across units to those who may read it.
        let r = c.get(&format!("/controls/{code}")).await;
        assert!(r.body.contains("A課"), "{backend}");
        let r = mgr_b.get(&format!("/controls/{code}")).await;
        assert!(!r.body.contains("A課"), "{backend}");
    }
}

#[tokio::test]
async fn the_security_office_registers_a_system_from_the_pages() {
    for (backend, mut c, a, _b) in city().await {
        c.sign_in("sec", PASSWORD).await;
        let mut staff_a = c.fresh();
        staff_a.sign_in("staffa", PASSWORD).await;
        let r = staff_a.get("/systems/new").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let form = c.get("/systems/new").await;
        assert_eq!(form.status, StatusCode::OK, "{backend}: {}", form.body);
        assert!(
            form.body.contains("A課"),
            "{backend}: the unit is chosen by name"
        );
        let csrf = Client::csrf_of(&form.body);
        let unit = a.to_string();
        let r = c
            .post_form(
                "/systems",
                &[
                    ("csrf", &csrf),
                    ("code", "SYS-P"),
                    ("name", "庁内ポータル"),
                    ("owner_unit_id", &unit),
                    ("vendor", "Y社"),
                    ("go_live_on", "2022-04-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let path = r.location();
        let page = staff_a.get(&path).await;
        assert!(
            page.body.contains("庁内ポータル") && page.body.contains("Y社"),
            "{backend}"
        );
        assert!(!page.body.contains("system-edit"), "{backend}");
        let list = staff_a
            .get("/systems?q=%E3%83%9D%E3%83%BC%E3%82%BF%E3%83%AB")
            .await;
        assert!(list.body.contains("SYS-P"), "{backend}");
        // A stale edit is refused with 409.
        let r = c
            .post_form(
                &path,
                &[
                    ("csrf", &csrf),
                    ("revision", "7"),
                    ("code", "SYS-P"),
                    ("name", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
    }
}
