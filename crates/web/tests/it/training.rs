use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Reader, Xlsx};
use http_body_util::BodyExt;
use mamori_store::Actor;
use mamori_store::org::NewRoleAssignment;
use serde_json::json;
use tower::ServiceExt;

use crate::client::{Client, PASSWORD, clients};
use crate::org::{section, staff};

/// Section A (kacho, its 情報セキュリティ管理者, and suzuki) and section B (sato).
struct Fixture {
    a: i64,
    b: i64,
    kacho: i64,
    suzuki: i64,
    sato: i64,
}

async fn fixture(c: &Client) -> Fixture {
    let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
    let a = section(c, "A", dept).await;
    let b = section(c, "B", dept).await;
    let kacho = staff(c, "kacho", a).await;
    let suzuki = staff(c, "suzuki", a).await;
    let sato = staff(c, "sato", b).await;
    c.store
        .assign_role(
            &Actor::System("test"),
            NewRoleAssignment {
                user_id: kacho,
                role: "security_administrator".into(),
                unit_id: Some(a),
                system_id: None,
                starts_on: "2020-04-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    Fixture {
        a,
        b,
        kacho,
        suzuki,
        sato,
    }
}

/// A GET whose answer is binary: status, content type and bytes.
async fn download(
    c: &Client,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(k) = cookie {
        req = req.header(header::COOKIE, k);
    }
    let res = c
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, kind, bytes)
}

/// The user names (column `col`) of the data rows of a workbook's only sheet.
fn names_in(bytes: &[u8], col: usize) -> Vec<String> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().skip(1).map(|r| r[col].to_string()).collect()
}

/// Posts a file in a multipart form with the page's CSRF token.
async fn upload(
    c: &mut Client,
    path: &str,
    csrf: &str,
    file: &str,
    content: &str,
) -> crate::client::Resp {
    let boundary = "----mamori-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    let req = Request::post(path)
        .header(header::COOKIE, c.cookie_header())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn training_through_the_api_follows_the_roles() {
    for (backend, mut c) in clients().await {
        let Fixture {
            a, b, suzuki, sato, ..
        } = fixture(&c).await;
        let admin = c.token("admin", PASSWORD).await;
        let t_kacho = c.token("kacho", PASSWORD).await;
        let t_suzuki = c.token("suzuki", PASSWORD).await;
        let t_sato = c.token("sato", PASSWORD).await;

        // Only the security office (here: the administrator) manages courses.
        let course = json!({"code": "SEC-2020", "title": "情報セキュリティ研修", "kind": "yearly", "valid_months": 12});
        for t in [&t_kacho, &t_suzuki] {
            let r = c
                .api(
                    "POST",
                    "/api/v1/training/courses",
                    Some(t),
                    Some(course.clone()),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        }
        let r = c
            .api(
                "POST",
                "/api/v1/training/courses",
                Some(&admin),
                Some(json!({"code": "X", "title": "x", "kind": "weekly"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("kind"), "{}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/training/courses",
                Some(&admin),
                Some(course),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let course_id = r.json()["id"].as_i64().unwrap();
        let r = c
            .api("GET", "/api/v1/training/courses", Some(&t_suzuki), None)
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}");

        let assignment =
            json!({"course_id": course_id, "target_kind": "everyone", "due_on": "2020-06-30"});
        let r = c
            .api(
                "POST",
                "/api/v1/training/assignments",
                Some(&t_kacho),
                Some(assignment.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api("POST", "/api/v1/training/assignments", Some(&admin),
                Some(json!({"course_id": course_id, "target_kind": "unit", "target": "nowhere", "due_on": "2020-06-30"})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("target"), "{}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/training/assignments",
                Some(&admin),
                Some(assignment),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        // admin, tanaka, kacho, suzuki, sato
        assert_eq!(r.json()["requested"], 5, "{backend}");
        let assignment_id = r.json()["id"].as_i64().unwrap();
        assert_eq!(
            c.api("GET", "/api/v1/training/assignments", Some(&admin), None)
                .await
                .json()["total"],
            1
        );
        for t in [&t_kacho, &t_suzuki] {
            let r = c
                .api("GET", "/api/v1/training/assignments", Some(t), None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        }

        // The section administrator sees his section's status, nothing else.
        let units = format!("/api/v1/training/units?assignment_id={assignment_id}");
        let r = c
            .api("GET", &format!("{units}&within={a}"), Some(&t_kacho), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let row = &r.json()["items"][0];
        assert_eq!(
            (row["requested"].as_i64(), row["overdue"].as_i64()),
            (Some(2), Some(2))
        );
        for path in [units.clone(), format!("{units}&within={b}")] {
            let r = c.api("GET", &path, Some(&t_kacho), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {path}");
        }
        let r = c
            .api("GET", &format!("{units}&within={a}"), Some(&t_suzuki), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: staff");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/training/overdue?within={a}"),
                Some(&t_kacho),
                None,
            )
            .await
            .json();
        assert_eq!(r["total"], 2, "{backend}");

        // Completions: the manager for his section, staff for themselves.
        let done = |user: i64| json!({"user_id": user, "course_id": course_id, "completed_on": "2020-06-15"});
        let r = c
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&t_kacho),
                Some(done(suzuki)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["source"], "entered");
        let r = c
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&t_kacho),
                Some(done(sato)),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{backend}: another section"
        );
        let r = c
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&t_suzuki),
                Some(done(sato)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: someone else");
        let r = c
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&t_sato),
                Some(done(sato)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["source"], "self");
        let r = c
            .api("GET", "/api/v1/me/trainings", Some(&t_sato), None)
            .await
            .json();
        assert_eq!(r["items"][0]["completed_on"], "2020-06-15", "{backend}");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/training/completions?user_id={suzuki}"),
                Some(&t_suzuki),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.json()["total"], 1);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/training/completions?user_id={suzuki}"),
                Some(&t_kacho),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        for (t, path) in [
            (&t_suzuki, "/api/v1/training/completions".to_string()),
            (
                &t_kacho,
                format!("/api/v1/training/completions?user_id={sato}"),
            ),
        ] {
            let r = c.api("GET", &path, Some(t), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {path}");
        }

        // Import from an e-learning export: the security office only, all or nothing.
        let import = "/api/v1/training/completions/import";
        let bad =
            "login,course,completed\r\nkacho,SEC-2020,2020-06-20\r\nghost,SEC-2020,2020-06-20\r\n";
        let mut req = Request::post(import)
            .header(header::AUTHORIZATION, format!("Bearer {t_kacho}"))
            .body(Body::from(bad))
            .unwrap();
        assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN, "{backend}");
        req = Request::post(import)
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .body(Body::from(bad))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(r.json()["errors"][0]["row"], 3);
        assert_eq!(r.json()["errors"][0]["column_letter"], "A");
        let r = c
            .api(
                "GET",
                &format!("/api/v1/training/overdue?within={a}"),
                Some(&t_kacho),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}: nothing written");
        req = Request::post(import)
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .body(Body::from(
                "login,course,completed\r\nkacho,SEC-2020,2020/06/20\r\n",
            ))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["requests_closed"], 1);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/training/overdue?within={a}"),
                Some(&t_kacho),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");

        // Excel exports, scoped like the status.
        let export = format!("/api/v1/training/export.xlsx?assignment_id={assignment_id}");
        let (status, kind, bytes) =
            download(&c, &format!("{export}&within={a}"), Some(&t_kacho), None).await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        assert!(kind.contains("spreadsheetml"), "{kind}");
        assert_eq!(names_in(&bytes, 3), vec!["kacho", "suzuki"], "{backend}");
        let (status, _, _) = download(&c, &export, Some(&t_kacho), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend}");
        let (status, _, _) =
            download(&c, &format!("{export}&within={a}"), Some(&t_suzuki), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend}");
        let (_, _, bytes) = download(&c, &export, Some(&admin), None).await;
        assert_eq!(names_in(&bytes, 3).len(), 5, "{backend}");

        let rev = c
            .api("GET", "/api/v1/policy-revisions", Some(&admin), None)
            .await
            .json()["items"][0]["id"]
            .as_i64()
            .unwrap();
        let campaign = c
            .api(
                "POST",
                "/api/v1/acknowledgements/campaigns",
                Some(&admin),
                Some(json!({"revision_id": rev, "title": "誓約"})),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        c.api(
            "POST",
            &format!("/api/v1/me/acknowledgements/{campaign}"),
            Some(&t_suzuki),
            None,
        )
        .await;
        let ack = format!("/api/v1/acknowledgements/campaigns/{campaign}/export.xlsx");
        let (status, _, bytes) =
            download(&c, &format!("{ack}?within={a}"), Some(&t_kacho), None).await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        assert_eq!(names_in(&bytes, 2), vec!["kacho", "suzuki"], "{backend}");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("誓約状況").unwrap();
        let rows: Vec<_> = range.rows().collect();
        assert_eq!(rows[1][4].to_string(), "未確認");
        assert_eq!(rows[2][4].to_string(), "確認済");
        for (t, path) in [
            (&t_kacho, ack.clone()),
            (&t_suzuki, format!("{ack}?within={a}")),
        ] {
            let (status, _, _) = download(&c, &path, Some(t), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{backend}: {path}");
        }

        let doc = c
            .api("GET", "/api/v1/openapi.json", None, None)
            .await
            .json();
        for path in [
            "/api/v1/training/courses",
            "/api/v1/training/assignments",
            "/api/v1/training/completions",
            "/api/v1/training/completions/import",
            "/api/v1/training/overdue",
            "/api/v1/training/export.xlsx",
            "/api/v1/acknowledgements/campaigns/{id}/export.xlsx",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "{backend}: {path} documented"
            );
        }
    }
}

#[tokio::test]
async fn training_pages_for_staff_manager_and_office() {
    for (backend, c) in clients().await {
        let Fixture {
            a,
            b,
            kacho,
            suzuki,
            sato,
        } = fixture(&c).await;

        // The office creates a course and assigns it to section A, on the page.
        let mut adm = c.fresh();
        adm.sign_in("admin", PASSWORD).await;
        let p = adm.get("/training").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        let csrf = Client::csrf_of(&p.body);
        let r = adm
            .post_form(
                "/training/courses",
                &[
                    ("csrf", &csrf),
                    ("code", "MN-1"),
                    ("title", "個人番号研修"),
                    ("kind", "my_number"),
                    ("valid_months", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let p = adm.get("/training/courses").await;
        assert!(p.body.contains("個人番号研修"), "{backend}");
        let course = c
            .store
            .list_courses(Default::default())
            .await
            .unwrap()
            .items[0]
            .id;
        let r = adm
            .post_form(
                "/training/assignments",
                &[
                    ("csrf", &csrf),
                    ("course_id", &course.to_string()),
                    ("target_kind", "unit"),
                    ("unit", &a.to_string()),
                    ("role", "ciso"),
                    ("employment_type", "regular"),
                    ("due_on", "2020-01-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert!(
            r.location().starts_with("/training/status?assignment="),
            "{}",
            r.location()
        );
        let p = adm.get(&r.location()).await;
        assert!(
            p.body.contains("id=\"training-rates\"") && p.body.contains("A課"),
            "{backend}"
        );
        assert!(
            p.body
                .contains("/api/v1/training/export.xlsx?assignment_id="),
            "{backend}"
        );

        // Staff see their own trainings and declare their own completion.
        let mut s = c.fresh();
        s.sign_in("suzuki", PASSWORD).await;
        let p = s.get("/training").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(
            p.body.contains("個人番号研修") && p.body.contains("name=\"declare\""),
            "{backend}"
        );
        assert!(
            !p.body.contains("training-rates"),
            "{backend}: no status for staff"
        );
        let csrf = Client::csrf_of(&p.body);
        let course_s = course.to_string();
        let r = s
            .post_form(
                "/training/completions",
                &[
                    ("csrf", &csrf),
                    ("user_id", &sato.to_string()),
                    ("course_id", &course_s),
                    ("completed_on", "2020-01-10"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{backend}: not for someone else"
        );
        let r = s
            .post_form(
                "/training/completions",
                &[
                    ("csrf", "forged"),
                    ("user_id", &suzuki.to_string()),
                    ("course_id", &course_s),
                    ("completed_on", "2020-01-10"),
                ],
            )
            .await;
        assert_ne!(
            r.status,
            StatusCode::SEE_OTHER,
            "{backend}: a forged form is refused"
        );
        let r = s
            .post_form(
                "/training/completions",
                &[
                    ("csrf", &csrf),
                    ("user_id", &suzuki.to_string()),
                    ("course_id", &course_s),
                    ("completed_on", "2020-01-10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = s.get("/training").await;
        assert!(
            !p.body.contains("name=\"declare\""),
            "{backend}: nothing left to declare"
        );
        assert_eq!(
            s.get("/training?within=1").await.status,
            StatusCode::OK,
            "{backend}: ignored for staff"
        );
        assert_eq!(
            s.post_form(
                "/training/courses",
                &[
                    ("csrf", &csrf),
                    ("code", "Z"),
                    ("title", "z"),
                    ("kind", "other")
                ]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // The section administrator: his section by default, the overdue list with
        // a record form, and no other section.
        let mut k = c.fresh();
        k.sign_in("kacho", PASSWORD).await;
        let p = k.get("/training/status").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("id=\"training-overdue\""), "{backend}");
        assert!(
            p.body.contains("kacho さん (kacho)</td>")
                && !p.body.contains("suzuki さん (suzuki)</td>"),
            "{backend}: suzuki is done"
        );
        assert!(
            !p.body.contains("/training/courses\""),
            "{backend}: no course form"
        );
        assert_eq!(
            k.get(&format!("/training/status?within={b}")).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
        let csrf = Client::csrf_of(&p.body);
        let r = k
            .post_form(
                "/training/completions",
                &[
                    ("csrf", &csrf),
                    ("user_id", &kacho.to_string()),
                    ("course_id", &course_s),
                    ("completed_on", "2020-01-20"),
                    ("back", &format!("/training/status?within={a}")),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.location(), format!("/training/status?within={a}"));
        let p = k.get(&r.location()).await;
        assert!(p.body.contains("100%"), "{backend}");

        // The import page reports bad rows, and writes nothing.
        let p = adm.get("/training").await;
        let csrf = Client::csrf_of(&p.body);
        let r = upload(
            &mut adm,
            "/training/import",
            &csrf,
            "elearning.csv",
            "ユーザーID,研修コード,修了日\r\ntanaka,MN-1,2020-13-01\r\n",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(
            r.body.contains("id=\"import-errors\"") && r.body.contains("2020-13-01"),
            "{backend}"
        );
        let r = upload(
            &mut adm,
            "/training/import",
            &csrf,
            "elearning.csv",
            "ユーザーID,研修コード,修了日\r\ntanaka,MN-1,2020-01-30\r\n",
        )
        .await;
        assert!(
            r.body.contains("id=\"import-done\""),
            "{backend}: {}",
            r.body
        );
        let r = upload(&mut adm, "/training/import", &csrf, "elearning.txt", "x").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");

        // The dashboard counts the open trainings (sato has none; admin none).
        let mut t = c.fresh();
        t.sign_in("sato", PASSWORD).await;
        let p = t.get("/").await;
        assert!(p.body.contains("id=\"open-trainings\""), "{backend}");
    }
}

/// The security office moves a due date through the API and the page; others
/// may not; a bad date is refused naming the field and changes nothing.
#[tokio::test]
async fn a_due_date_is_moved_through_the_api_and_the_page() {
    for (backend, mut c) in clients().await {
        let Fixture { suzuki, .. } = fixture(&c).await;
        let admin = c.token("admin", PASSWORD).await;
        let t_suzuki = c.token("suzuki", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/training/courses",
                Some(&admin),
                Some(json!({"code": "SEC-Y", "title": "年次研修", "kind": "yearly", "valid_months": 12})),
            )
            .await;
        let course_id = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&admin),
                Some(json!({"user_id": suzuki, "course_id": course_id, "completed_on": "2024-03-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/training/assignments",
                Some(&admin),
                Some(json!({"course_id": course_id, "target_kind": "everyone", "due_on": "2025-03-31"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let a = r.json();
        let id = a["id"].as_i64().unwrap();
        assert_eq!(
            a["completed"], 0,
            "{backend}: 2024-03-01 is too old for 2025-03-31"
        );
        let path = format!("/api/v1/training/assignments/{id}");

        let r = c
            .api(
                "PATCH",
                &path,
                Some(&t_suzuki),
                Some(json!({"due_on": "2025-02-28"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api(
                "PATCH",
                &path,
                Some(&admin),
                Some(json!({"due_on": "2025-02-30"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("due_on"), "{backend}: {}", r.body);
        let r = c
            .api(
                "PATCH",
                "/api/v1/training/assignments/99999",
                Some(&admin),
                Some(json!({"due_on": "2025-02-28"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = c
            .api(
                "PATCH",
                &path,
                Some(&admin),
                Some(json!({"due_on": "2025-02-28"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["due_on"], "2025-02-28", "{backend}");
        assert_eq!(
            r.json()["completed"],
            1,
            "{backend}: now suzuki's completion counts"
        );

        // The page: the office sees the form and moves the date back.
        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/training/assignments").await;
        assert!(page.body.contains("id=\"due-form\""), "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let r = c
            .post_form(
                "/training/assignments/due",
                &[
                    ("csrf", &csrf),
                    ("assignment_id", &id.to_string()),
                    ("due_on", "2025-03-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let shown = c.get(&r.location()).await;
        assert!(
            shown.body.contains("期限を変更しました: 2025-03-31"),
            "{backend}"
        );
        let a = c.store.training_assignment(id).await.unwrap();
        assert_eq!(
            (a.due_on.as_str(), a.completed),
            ("2025-03-31", 0),
            "{backend}"
        );
        // A wrong date from the page: a message, nothing changed.
        let r = c
            .post_form(
                "/training/assignments/due",
                &[
                    ("csrf", &csrf),
                    ("assignment_id", &id.to_string()),
                    ("due_on", "someday"),
                ],
            )
            .await;
        let shown = c.get(&r.location()).await;
        assert!(
            shown.body.contains("due_on") || shown.body.contains("日付"),
            "{backend}"
        );
        assert_eq!(
            c.store.training_assignment(id).await.unwrap().due_on,
            "2025-03-31"
        );

        // Staff see no form and may not post it.
        staff_may_not(
            &c,
            "due-form",
            "/training/assignments/due",
            &[("assignment_id", &id.to_string()), ("due_on", "2030-01-01")],
        )
        .await;
    }
}

/// The office corrects a course and withdraws an assignment made in error,
/// through the API and the page; staff may not.
#[tokio::test]
async fn a_course_is_corrected_and_an_assignment_withdrawn() {
    for (backend, mut c) in clients().await {
        fixture(&c).await;
        let admin = c.token("admin", PASSWORD).await;
        let t_suzuki = c.token("suzuki", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/training/courses",
                Some(&admin),
                Some(json!({"code": "SEC-Y", "title": "年次研集", "kind": "yearly"})),
            )
            .await;
        let course_id = r.json()["id"].as_i64().unwrap();
        let course = format!("/api/v1/training/courses/{course_id}");
        let fix = json!({"title": "年次研修", "title_en": "Yearly training"});
        let r = c
            .api("PATCH", &course, Some(&t_suzuki), Some(fix.clone()))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api("PATCH", &course, Some(&admin), Some(json!({"title": " "})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("title"), "{backend}: {}", r.body);
        let r = c
            .api(
                "PATCH",
                "/api/v1/training/courses/99999",
                Some(&admin),
                Some(fix.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = c.api("PATCH", &course, Some(&admin), Some(fix)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["title"], "年次研修", "{backend}");
        assert_eq!(r.json()["code"], "SEC-Y", "{backend}");

        let assign =
            |due: &str| json!({"course_id": course_id, "target_kind": "everyone", "due_on": due});
        let r = c
            .api(
                "POST",
                "/api/v1/training/assignments",
                Some(&admin),
                Some(assign("2030-03-31")),
            )
            .await;
        let id = r.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/training/assignments/{id}");
        let r = c.api("DELETE", &path, Some(&t_suzuki), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c.api("DELETE", &path, Some(&admin), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{backend}: {}", r.body);
        let r = c.api("DELETE", &path, Some(&admin), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = c
            .api("GET", "/api/v1/me/trainings", Some(&t_suzuki), None)
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}: suzuki's request went too");

        // The page: correct the course, withdraw a second assignment.
        let r = c
            .api(
                "POST",
                "/api/v1/training/assignments",
                Some(&admin),
                Some(assign("2031-03-31")),
            )
            .await;
        let second = r.json()["id"].as_i64().unwrap();
        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/training/assignments").await;
        assert!(page.body.contains("id=\"withdraw-form\""), "{backend}");
        let page = c.get("/training/courses").await;
        assert!(page.body.contains("id=\"course-edit-form\""), "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let r = c
            .post_form(
                "/training/courses/edit",
                &[
                    ("csrf", &csrf),
                    ("course_id", &course_id.to_string()),
                    ("title", "情報セキュリティ年次研修"),
                    ("title_en", ""),
                    ("description", "全職員"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let shown = c.get(&r.location()).await;
        assert!(shown.body.contains("研修を修正しました"), "{backend}");
        assert_eq!(
            c.store.course(course_id).await.unwrap().title,
            "情報セキュリティ年次研修"
        );
        let r = c
            .post_form(
                "/training/assignments/withdraw",
                &[("csrf", &csrf), ("assignment_id", &second.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let shown = c.get(&r.location()).await;
        assert!(shown.body.contains("割り当てを取り消しました"), "{backend}");
        assert!(
            c.store.training_assignment(second).await.is_err(),
            "{backend}"
        );

        staff_may_not(
            &c,
            "course-edit-form",
            "/training/courses/edit",
            &[("course_id", &course_id.to_string()), ("title", "x")],
        )
        .await;
    }
}

/// Suzuki (staff) sees no form `form_id` on /training and may not post `path`.
async fn staff_may_not(c: &Client, form_id: &str, path: &str, fields: &[(&str, &str)]) {
    let mut s = c.fresh();
    s.sign_in("suzuki", PASSWORD).await;
    let page = s.get("/training").await;
    assert!(
        !page.body.contains(&format!("id=\"{form_id}\"")),
        "{form_id}"
    );
    let csrf = Client::csrf_of(&page.body);
    let mut pairs = vec![("csrf", csrf.as_str())];
    pairs.extend_from_slice(fields);
    let r = s.post_form(path, &pairs).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
}

/// Recording one's own completion is always a self-declaration: those who
/// may enter completions for others (a section's manager, the administrator)
/// cannot record their own as "entered", and where the city forbids
/// self-declaration they cannot record their own at all.
#[tokio::test]
async fn ones_own_completion_is_always_self_declared() {
    for (backend, c) in clients().await {
        let Fixture { kacho, suzuki, .. } = fixture(&c).await;
        let forbid = mamori_authz::Authorizer::with_extra(&[(
            "no-self-declaration.cedar".to_string(),
            "forbid (principal, action == Mamori::Action::\"declare_training\", resource);"
                .to_string(),
        )])
        .unwrap();
        let mut strict = Client::with_authz(c.store.clone(), forbid);
        let admin = strict.token("admin", PASSWORD).await;
        let t_kacho = strict.token("kacho", PASSWORD).await;
        let r = strict
            .api(
                "POST",
                "/api/v1/training/courses",
                Some(&admin),
                Some(json!({"code": "SELF-1", "title": "研修", "kind": "yearly"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let course_id = r.json()["id"].as_i64().unwrap();
        let admin_id = strict
            .api("GET", "/api/v1/me", Some(&admin), None)
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let done = |user: i64| json!({"user_id": user, "course_id": course_id, "completed_on": "2020-06-15"});

        for (who, token, id) in [("kacho", &t_kacho, kacho), ("admin", &admin, admin_id)] {
            let r = strict
                .api(
                    "POST",
                    "/api/v1/training/completions",
                    Some(token),
                    Some(done(id)),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{backend}: {who} for self: {}",
                r.body
            );
        }
        let r = strict
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&t_kacho),
                Some(done(suzuki)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["source"], "entered", "{backend}");

        // Under the built-in policy the manager's own record is self-declared.
        let mut open = c.fresh();
        let t_kacho = open.token("kacho", PASSWORD).await;
        let r = open
            .api(
                "POST",
                "/api/v1/training/completions",
                Some(&t_kacho),
                Some(done(kacho)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["source"], "self", "{backend}");
    }
}
