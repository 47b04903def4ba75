use axum::http::{StatusCode, header};

use crate::client::{Client, PASSWORD, clients};

#[tokio::test]
async fn sign_in_dashboard_and_policy_in_both_languages() {
    for (backend, mut c) in clients().await {
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(
            r.location().starts_with("/login"),
            "{backend}: {}",
            r.location()
        );

        let r = c.sign_in("admin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("ダッシュボード"), "{backend}");

        let r = c.get("/policy/basic_policy").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("情報セキュリティ対策基本方針"), "{backend}");
        assert!(r.body.contains("第11"), "{backend}: every article");
        assert!(r.body.contains("令和7年3月1日"), "{backend}: 和暦");
        assert!(r.body.contains("平成14年11月1日"));
        assert!(r.body.contains("2025年3月1日"), "{backend}: western date");

        let r = c.get("/lang/en?next=/policy/basic_policy").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/policy/basic_policy");
        let r = c.get("/policy/basic_policy").await;
        assert!(r.body.contains("Revision history"), "{backend}");
        assert!(r.body.contains("1 March 2025"), "{backend}");
        let r = c.get("/threats").await;
        assert!(
            r.body.contains("Threats to information security"),
            "{backend}"
        );
        assert!(
            r.body.contains("Unauthorised access") || r.body.contains("Unauthorized access"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn pages_render_for_admin() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        for path in [
            "/policy",
            "/threats",
            "/controls",
            "/classification",
            "/units",
            "/users",
            "/users/new",
            "/events",
            "/authz",
            "/account/password",
        ] {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{backend} {path}: {}", r.body);
        }
        let cats = c.store.threat_categories().await.unwrap();
        let r = c.get(&format!("/threats?category={}", cats[3].code)).await;
        assert!(r.body.contains("電力供給の途絶"), "{backend}");
        assert!(
            !r.body.contains("不正アクセス"),
            "{backend}: filtered to one category"
        );
        let r = c.get("/threats?category=nope").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = c.get("/classification").await;
        assert!(
            r.body.contains("自治体機密性3A") || r.body.contains("3A"),
            "{backend}"
        );
        assert!(r.body.contains("取扱制限"));
    }
}

#[tokio::test]
async fn wrong_password_missing_csrf_and_throttling() {
    for (backend, mut c) in clients().await {
        let r = c.sign_in("admin", "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(r.body.contains("ユーザー名またはパスワードが違います"));

        // No CSRF token: refused, nothing signed in.
        let mut other = c.fresh();
        other.get("/login").await;
        let r = other
            .post_form("/login", &[("username", "admin"), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.body.contains("MAMORI-CSRF-TOKEN"));
        assert_eq!(other.get("/").await.status, StatusCode::SEE_OTHER);

        // A cross-site post is refused before anything else.
        let req = axum::http::Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(axum::body::Body::from("username=admin&password=x"))
            .unwrap();
        let r = other.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        for _ in 0..5 {
            c.sign_in("tanaka", "wrong password!").await;
        }
        let r = c.sign_in("tanaka", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
    }
}

#[tokio::test]
async fn expired_or_unknown_session_asks_to_sign_in_again() {
    for (backend, c) in clients().await {
        let req = axum::http::Request::get("/")
            .header(
                header::COOKIE,
                format!("{}=AAAAAAAAAAAAAAAAAAAAAA", mamori_web::SESSION_COOKIE),
            )
            .body(axum::body::Body::empty())
            .unwrap();
        let mut c2 = c.fresh();
        let r = c2.send(req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(
            r.location().contains("expired=1"),
            "{backend}: {}",
            r.location()
        );
        let r = c2.get("/login?expired=1").await;
        assert!(r.body.contains("セッションの有効期限が切れました"));
    }
}

#[tokio::test]
async fn staff_cannot_reach_admin_pages_and_admin_manages_users() {
    for (backend, mut c) in clients().await {
        let mut staff = c.fresh();
        staff.sign_in("tanaka", PASSWORD).await;
        assert_eq!(staff.get("/").await.status, StatusCode::OK, "{backend}");
        for path in ["/users", "/users/new", "/events", "/authz"] {
            assert_eq!(
                staff.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{backend}: staff on {path}"
            );
        }
        let page = staff.get("/units").await;
        let csrf = Client::csrf_of(&page.body);
        let r = staff
            .post_form(
                "/units",
                &[
                    ("csrf", &csrf),
                    ("code", "X"),
                    ("name", "x"),
                    ("kind", "section"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/users/new").await;
        let csrf = Client::csrf_of(&page.body);
        let r = c
            .post_form(
                "/users",
                &[
                    ("csrf", &csrf),
                    ("username", "suzuki"),
                    ("display_name", "鈴木"),
                    ("role", "auditor"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: weak password"
        );
        assert!(r.body.contains("12"), "{backend}: says why");
        let r = c
            .post_form(
                "/users",
                &[
                    ("csrf", &csrf),
                    ("username", "suzuki"),
                    ("display_name", "鈴木"),
                    ("role", "auditor"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let created = c.store.user_by_name("suzuki").await.unwrap().unwrap();
        assert_eq!(created.roles, vec!["auditor"]);
        assert!(created.must_change_password);

        // The new user must change the password first.
        let mut suzuki = c.fresh();
        suzuki.sign_in("suzuki", PASSWORD).await;
        let r = suzuki.get("/events").await;
        assert_eq!(r.location(), "/account/password", "{backend}");
        let page = suzuki.get("/account/password").await;
        let csrf = Client::csrf_of(&page.body);
        let r = suzuki
            .post_form(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", PASSWORD),
                    ("new_password", "my own new passphrase"),
                    ("confirm", "my own new passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(
            suzuki.get("/events").await.status,
            StatusCode::OK,
            "{backend}: auditors read the log"
        );

        // Sign out ends the session.
        let page = suzuki.get("/").await;
        let csrf = Client::csrf_of(&page.body);
        let r = suzuki.post_form("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            suzuki.get("/").await.status,
            StatusCode::SEE_OTHER,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn security_headers_health_and_unknown_pages() {
    for (backend, mut c) in clients().await {
        let r = c.get("/healthz").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let csp = r
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(
            r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        // Page addresses never leave for another site.
        assert_eq!(
            r.headers.get(header::REFERRER_POLICY).unwrap(),
            "same-origin"
        );
        let r = c.get("/login").await;
        let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let r = c.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("<html"));
        let r = c.get("/lang/fr").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = c.get("/login?next=//evil.example").await;
        assert!(
            r.body.contains("name=\"next\" value=\"/\""),
            "{backend}: no open redirect"
        );
    }
}

#[tokio::test]
async fn event_log_verification_from_the_page() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/events").await;
        let csrf = Client::csrf_of(&page.body);
        let r = c.post_form("/events/verify", &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = c.get("/events").await;
        assert!(r.body.contains("記録の連鎖は完全です"), "{backend}");
    }
}

#[tokio::test]
async fn error_pages_show_the_menu_the_hint_and_the_code_in_the_readers_language() {
    for (backend, c) in clients().await {
        let mut staff = c.fresh();
        staff.sign_in("tanaka", PASSWORD).await;
        // Japanese (the default).
        let r = staff.get("/events").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(
            r.body.contains("<nav aria-label="),
            "{backend}: menu\n{}",
            r.body
        );
        assert!(r.body.contains("href=\"/assets\""), "{backend}: menu");
        assert!(r.body.contains("この操作の権限がありません"), "{backend}");
        assert!(
            r.body
                .contains("所属の情報セキュリティ管理者か情報セキュリティ担当課に依頼"),
            "{backend}: hint\n{}",
            r.body
        );
        assert!(r.body.contains("MAMORI-FORBIDDEN"), "{backend}: code");
        assert!(
            !r.body.contains("you are not permitted"),
            "{backend}: ja only"
        );
        let r = staff.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(r.body.contains("href=\"/assets\""), "{backend}: menu");
        assert!(
            r.body.contains("ページ /no/such/page は見つかりません"),
            "{backend}"
        );
        assert!(
            r.body.contains("メニューから選んでください"),
            "{backend}: hint"
        );
        assert!(r.body.contains("MAMORI-NO-SUCH-PAGE"), "{backend}: code");
        let r = staff.get("/assets/987654").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(r.body.contains("href=\"/assets\""), "{backend}: menu");
        assert!(r.body.contains("MAMORI-NOT-FOUND"), "{backend}: code");
        assert!(r.body.contains("番号を確かめてください"), "{backend}: hint");

        // English.
        staff.get("/lang/en?next=/").await;
        let r = staff.get("/events").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.body.contains("<html lang=\"en\""), "{backend}");
        assert!(r.body.contains("href=\"/assets\""), "{backend}: menu");
        assert!(
            r.body.contains("you are not permitted to do this"),
            "{backend}"
        );
        assert!(
            r.body
                .contains("ask your section&#39;s information security manager")
                || r.body
                    .contains("ask your section's information security manager"),
            "{backend}: hint\n{}",
            r.body
        );
        assert!(r.body.contains("MAMORI-FORBIDDEN"), "{backend}: code");
        assert!(!r.body.contains("権限がありません"), "{backend}: en only");
        let r = staff.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(r.body.contains("href=\"/assets\""), "{backend}: menu");
        assert!(
            r.body.contains("there is no page /no/such/page"),
            "{backend}"
        );
        assert!(r.body.contains("choose from the menu"), "{backend}: hint");
        assert!(r.body.contains("MAMORI-NO-SUCH-PAGE"), "{backend}: code");

        // Not signed in: no menu, still worded and coded.
        let mut anon = c.fresh();
        let r = anon.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(!r.body.contains("href=\"/assets\""), "{backend}: no menu");
        assert!(r.body.contains("MAMORI-NO-SUCH-PAGE"), "{backend}");

        // The API's JSON error body is unchanged.
        let r = staff.get("/api/v1/no/such").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let j = r.json();
        assert_eq!(j["error"]["code"], "MAMORI-NOT-FOUND", "{backend}");
        assert!(j["error"].get("hint").is_none(), "{backend}: {j}");
    }
}
