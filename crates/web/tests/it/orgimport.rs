//! The organisation's import, a unit's history, a section manager's staff list and
//! the icon: pages and API on every backend.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use mamori_core::org::SystemRole;
use mamori_store::Actor;
use mamori_store::org::NewRoleAssignment;
use mamori_store::users::NewUser;
use tower::ServiceExt;

use crate::client::{Client, PASSWORD, Resp, clients};

const UNITS: &str = "組織コード,組織名,上位組織コード,種別\n\
    S01,企画課,D01,課\n\
    S02,財政課,D01,課\n";

const STAFF: &str = "職員番号,ログインID,氏名,所属コード,職名,雇用区分,利用可否\n\
    K001,kikaku1,企画 一郎,S01,主事,正規職員,可\n\
    K002,kikaku2,企画 二郎,S01,主任,会計年度任用職員,可\n\
    Z001,zaisei1,財政 花子,S02,主事,正規職員,可\n";

async fn upload(c: &mut Client, kind: &str, csv: &str) -> Resp {
    let page = c.get("/org/import").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = Client::csrf_of(&page.body);
    let b = "mamoriboundary";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{b}--\r\n"
    );
    let req = Request::post("/org/import")
        .header(header::COOKIE, c.cookie_header())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

async fn api_import(c: &mut Client, token: &str, query: &str, csv: &str) -> Resp {
    let req = Request::post(format!("/api/v1/org/import{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn admin_imports_units_and_staff_on_the_page_with_a_report() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        let r = upload(&mut c, "units", UNITS).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(r.body.contains("id=\"import-written\""), "{}", r.body);
        let r = upload(&mut c, "staff", STAFF).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(c.store.user_by_name("kikaku2").await.unwrap().is_some());
        // A bad row: the report names row 3 and the unit column, nothing is written.
        let bad = "職員番号,氏名,所属コード\nK010,新人 一,S01\nK011,新人 二,NOPE\n";
        let r = upload(&mut c, "staff", bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("id=\"import-errors\""));
        assert!(
            r.body.contains("<td>3</td>") && r.body.contains("NOPE"),
            "{}",
            r.body
        );
        assert!(c.store.user_by_name("K010").await.unwrap().is_none());
        // Staff may not import.
        let mut staff = c.fresh();
        staff.sign_in("tanaka", PASSWORD).await;
        assert_eq!(staff.get("/org/import").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_api_imports_with_the_report_and_refuses_staff() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let r = api_import(&mut c, &admin, "?kind=units", UNITS).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["created"], 2);
        assert_eq!(r.json()["kind"], "units");
        let r = api_import(&mut c, &admin, "?kind=staff", STAFF).await;
        assert_eq!(r.json()["created"], 3, "{}", r.body);
        // Again: updates, not duplicates.
        let r = api_import(&mut c, &admin, "?kind=staff", STAFF).await;
        assert_eq!(
            (r.json()["created"].clone(), r.json()["unchanged"].clone()),
            (0.into(), 3.into())
        );
        let r = api_import(
            &mut c,
            &admin,
            "?kind=staff",
            "職員番号,氏名,所属コード\nX1,名前,NOPE\n",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["code"], "MAMORI-IMPORT-ROWS");
        assert_eq!(r.json()["report"]["errors"][0]["row"], 2);
        assert_eq!(r.json()["report"]["errors"][0]["column_letter"], "C");
        let r = api_import(&mut c, &admin, "?kind=people", STAFF).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let staff = c.token("tanaka", PASSWORD).await;
        let r = api_import(&mut c, &staff, "?kind=units", UNITS).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let doc = c.api("GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc.json()["paths"]["/api/v1/org/import"].is_object());
        assert!(doc.json()["paths"]["/api/v1/units/{id}/merge"].is_object());
    }
}

#[tokio::test]
async fn a_unit_is_merged_and_abolished_from_its_page_and_the_api() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        api_import(&mut c, &admin, "?kind=units", UNITS).await;
        api_import(&mut c, &admin, "?kind=staff", STAFF).await;
        let s01 = c.store.unit_by_code("S01").await.unwrap().unwrap();
        let s02 = c.store.unit_by_code("S02").await.unwrap().unwrap();
        c.sign_in("admin", PASSWORD).await;
        let page = c.get(&format!("/units/{}", s01.id)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains("id=\"unit-history\""));
        let csrf = Client::csrf_of(&page.body);
        let r = c
            .post_form(
                &format!("/units/{}/merge", s01.id),
                &[
                    ("csrf", &csrf),
                    ("into", &s02.id.to_string()),
                    ("on", "2026-04-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let kikaku = c.store.user_by_name("kikaku1").await.unwrap().unwrap();
        assert_eq!(kikaku.unit_id, Some(s02.id), "{backend}: staff followed");
        let page = c.get(&format!("/units/{}", s01.id)).await;
        assert!(
            page.body.contains(&format!("href=\"/units/{}\"", s02.id)),
            "merged into"
        );
        assert!(c.get("/units").await.body.contains("2026-04-01"));
        // Abolishing a unit with staff is refused over the API (409), an empty one is not.
        let r = c
            .api(
                "POST",
                &format!("/api/v1/units/{}/abolish", s02.id),
                Some(&admin),
                Some(serde_json::json!({"on": "2026-04-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/units",
                Some(&admin),
                Some(serde_json::json!({"code": "S09", "name": "空き課", "kind": "section"})),
            )
            .await;
        let empty = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                &format!("/api/v1/units/{empty}/rename"),
                Some(&admin),
                Some(serde_json::json!({"name": "空室"})),
            )
            .await;
        assert_eq!(r.json()["name"], "空室");
        let r = c
            .api(
                "POST",
                &format!("/api/v1/units/{empty}/abolish"),
                Some(&admin),
                Some(serde_json::json!({"on": "2026-04-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["active"], false);
        let staff = c.token("tanaka", PASSWORD).await;
        let r = c
            .api(
                "POST",
                &format!("/api/v1/units/{}/merge", s02.id),
                Some(&staff),
                Some(serde_json::json!({"into": s01.id, "on": "2026-04-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_section_manager_lists_their_own_staff_and_nobody_else() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        api_import(&mut c, &admin, "?kind=units", UNITS).await;
        api_import(&mut c, &admin, "?kind=staff", STAFF).await;
        let s01 = c.store.unit_by_code("S01").await.unwrap().unwrap();
        let manager = c
            .store
            .create_user(
                &Actor::System("test"),
                NewUser {
                    username: "kacho".into(),
                    display_name: "企画 課長".into(),
                    email: None,
                    unit_id: Some(s01.id),
                    roles: vec![SystemRole::Staff],
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        c.store
            .assign_role(
                &Actor::System("test"),
                NewRoleAssignment {
                    user_id: manager.id,
                    role: "security_administrator".into(),
                    unit_id: Some(s01.id),
                    system_id: None,
                    starts_on: "2020-04-01".into(),
                    ends_on: None,
                    note: String::new(),
                },
            )
            .await
            .unwrap();
        // The page: their section's staff, not the other section's.
        c.sign_in("kacho", PASSWORD).await;
        let page = c.get("/users").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(page.body.contains("kikaku1") && page.body.contains("kikaku2"));
        assert!(
            !page.body.contains("zaisei1") && !page.body.contains("tanaka"),
            "{backend}"
        );
        assert!(
            page.body.contains("href=\"/users\""),
            "the menu shows 利用者"
        );
        // The API: the same scope.
        let token = c.token("kacho", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/users?per_page=500", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let names: Vec<String> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, vec!["kacho", "kikaku1", "kikaku2"], "{backend}");
        assert_eq!(r.json()["total"], 3);
        // Plain staff: no list at all.
        let mut staff = c.fresh();
        staff.sign_in("tanaka", PASSWORD).await;
        assert_eq!(staff.get("/users").await.status, StatusCode::FORBIDDEN);
        let token = staff.token("tanaka", PASSWORD).await;
        let r = staff.api("GET", "/api/v1/users", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The administrator still sees everyone.
        let r = c
            .api("GET", "/api/v1/users?per_page=500", Some(&admin), None)
            .await;
        assert_eq!(r.json()["total"], 6, "{}", r.body);
    }
}

#[tokio::test]
async fn the_favicon_is_an_icon() {
    let (_, c) = clients().await.remove(0);
    let res = c
        .app
        .clone()
        .oneshot(Request::get("/favicon.ico").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/x-icon");
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(&[0, 0, 1, 0]), "an ICO header");
}
