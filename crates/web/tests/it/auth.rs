//! Sign-in, sessions and redirects against a hostile client (issue 10, findings 4,
//! 5, 8 and 10), on SQLite and PostgreSQL.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use mamori_store::users::FREE_ATTEMPTS;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Instant;
use tower::ServiceExt;

use crate::client::{Client, PASSWORD, clients};

const ATTACKER: &str = "203.0.113.66:40000";
const USER_DESK: &str = "192.0.2.10:50000";

fn from(addr: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = addr.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

fn token_request(username: &str, password: &str, addr: &str) -> Request<Body> {
    from(
        addr,
        Request::post("/api/v1/auth/token")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": username, "password": password}).to_string(),
            ))
            .unwrap(),
    )
}

#[tokio::test]
async fn parallel_wrong_passwords_get_past_no_throttle_and_the_user_signs_in_elsewhere() {
    for (backend, c) in clients().await {
        let started = Instant::now();
        let tasks: Vec<_> = (0..60)
            .map(|_| {
                let app = c.app.clone();
                tokio::spawn(async move {
                    let res = app
                        .oneshot(token_request("tanaka", "wrong password!!", ATTACKER))
                        .await
                        .unwrap();
                    let retry = res
                        .headers()
                        .get(header::RETRY_AFTER)
                        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                    let status = res.status();
                    let body = res.into_body().collect().await.unwrap().to_bytes();
                    (status, retry, String::from_utf8_lossy(&body).into_owned())
                })
            })
            .collect();
        let (mut refused, mut throttled) = (0, 0);
        for t in tasks {
            let (status, retry, body) = t.await.unwrap();
            match status {
                StatusCode::UNAUTHORIZED => refused += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    throttled += 1;
                    let secs = retry.expect("Retry-After on a 429");
                    assert!((1..=31).contains(&secs), "{backend}: {secs}");
                    assert!(
                        body.contains("MAMORI-AUTH-THROTTLED")
                            && body.contains("秒後にやり直してください")
                            && body.contains("try again in"),
                        "{backend}: {body}"
                    );
                }
                other => panic!("{backend}: {other} {body}"),
            }
        }
        println!(
            "{backend}: 60 parallel wrong passwords over HTTP: {refused} checked (401), {throttled} throttled (429), {:?}",
            started.elapsed()
        );
        assert_eq!(
            refused, FREE_ATTEMPTS,
            "{backend}: at most the allowed checks"
        );
        assert_eq!(throttled, 60 - FREE_ATTEMPTS, "{backend}");

        // The sign-in page refuses the attacker's address too, saying when to come back.
        let mut attacker = c.fresh();
        let page = attacker.get("/login").await;
        let csrf = Client::csrf_of(&page.body);
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("username", "tanaka"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .unwrap();
        let req = Request::post("/login")
            .header(header::COOKIE, attacker.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body.clone()))
            .unwrap();
        let r = attacker.send(from(ATTACKER, req)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
        assert!(r.headers.contains_key(header::RETRY_AFTER), "{backend}");
        assert!(r.body.contains("秒後にやり直してください"), "{backend}");

        // The real user, at their own desk, signs in on the page and with the API.
        let req = Request::post("/login")
            .header(header::COOKIE, attacker.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let r = attacker.send(from(USER_DESK, req)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let res = c
            .app
            .clone()
            .oneshot(token_request("tanaka", PASSWORD, USER_DESK))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        // So does the administrator, whose name the attacker did not try.
        let res = c
            .app
            .clone()
            .oneshot(token_request("admin", PASSWORD, ATTACKER))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
    }
}

/// `next` values a hostile link might carry, as they appear in a query string.
const HOSTILE_NEXT: &[&str] = &[
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "%09/evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/%252F/evil.example",
    "/%255C/evil.example",
    "/%2509/evil.example",
    "/%E3%80%80/evil.example",
    "/assets%00/x",
    "evil.example",
];

#[tokio::test]
async fn next_goes_only_to_a_local_path() {
    for raw in HOSTILE_NEXT {
        let decoded: String =
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("next={raw}"))
                .unwrap()
                .remove(0)
                .1;
        assert_eq!(
            mamori_web::auth::safe_next(Some(&decoded)),
            "/",
            "{raw} ({decoded:?})"
        );
    }
    for good in [
        "/",
        "/assets?unit=3&page=2",
        "/policy/kihon-hoshin",
        "/assets/12/edit",
    ] {
        assert_eq!(mamori_web::auth::safe_next(Some(good)), good);
    }
    for (backend, mut c) in clients().await {
        for raw in HOSTILE_NEXT {
            // The language switch, no sign-in needed.
            let r = c.get(&format!("/lang/en?next={raw}")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {raw}");
            assert_eq!(r.location(), "/", "{backend}: /lang/en?next={raw}");
            // The sign-in page's hidden field.
            let r = c.get(&format!("/login?next={raw}")).await;
            assert!(
                r.body.contains("name=\"next\" value=\"/\""),
                "{backend}: /login?next={raw}"
            );
        }
        let r = c.get("/lang/en?next=/assets%3Fpage%3D2").await;
        assert_eq!(r.location(), "/assets?page=2", "{backend}");
        // Signing in with a hostile next (as the form posts it, decoded) goes home.
        for next in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "//evil.example",
        ] {
            let mut s = c.fresh();
            let page = s.get("/login").await;
            let csrf = Client::csrf_of(&page.body);
            let r = s
                .post_form(
                    "/login",
                    &[
                        ("csrf", &csrf),
                        ("username", "tanaka"),
                        ("password", PASSWORD),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {next:?}");
            assert_eq!(r.location(), "/", "{backend}: {next:?}");
        }
    }
}

#[tokio::test]
async fn no_session_is_stored_before_sign_in_and_ids_are_stored_hashed() {
    for (backend, c) in clients().await {
        let before = c.store.session_count().await.unwrap();
        for _ in 0..20 {
            let mut visitor = c.fresh();
            let r = visitor.get("/login").await;
            assert_eq!(r.status, StatusCode::OK, "{backend}");
            visitor.get("/login?next=/assets").await;
            visitor.get("/").await;
        }
        assert_eq!(
            c.store.session_count().await.unwrap(),
            before,
            "{backend}: anonymous visits write no session"
        );

        // The sign-in form's token is bound to its cookie: another visitor's token
        // (or a made-up one) is refused.
        let mut one = c.fresh();
        let mut two = c.fresh();
        let token_one = Client::csrf_of(&one.get("/login").await.body);
        two.get("/login").await;
        for bad in [token_one.as_str(), &"0".repeat(64), ""] {
            let r = two
                .post_form(
                    "/login",
                    &[
                        ("csrf", bad),
                        ("username", "tanaka"),
                        ("password", PASSWORD),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {bad}");
            assert!(r.body.contains("MAMORI-CSRF-TOKEN"));
        }
        assert_eq!(c.store.session_count().await.unwrap(), before, "{backend}");

        // A session id planted before sign-in is not the one signed in (rotated).
        let planted = "AAAAAAAAAAAAAAAAAAAAAA";
        let mut s = c.fresh();
        let page = s.get("/login").await;
        let csrf = Client::csrf_of(&page.body);
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("username", "tanaka"),
            ("password", PASSWORD),
        ])
        .unwrap();
        let req = Request::post("/login")
            .header(
                header::COOKIE,
                format!(
                    "{}; {}={planted}",
                    s.cookie_header(),
                    mamori_web::SESSION_COOKIE
                ),
            )
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let r = s.send(req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let id = session_cookie(&s);
        assert_ne!(id, planted, "{backend}");
        assert_eq!(
            c.store.session_count().await.unwrap(),
            before + 1,
            "{backend}"
        );
        assert_eq!(s.get("/").await.status, StatusCode::OK, "{backend}");
        // The store finds the session by the cookie's id, and keeps only its hash.
        assert!(
            c.store.session_load(&id).await.unwrap().is_some(),
            "{backend}"
        );
        assert_eq!(mamori_store::sessions::session_id_hash(&id).len(), 64);
    }
}

fn session_cookie(c: &Client) -> String {
    c.cookie_header()
        .split("; ")
        .find_map(|kv| kv.strip_prefix(&format!("{}=", mamori_web::SESSION_COOKIE)))
        .expect("a session cookie")
        .to_string()
}

#[tokio::test]
async fn a_new_password_reset_or_deactivation_ends_sessions_and_tokens() {
    for (backend, mut admin) in clients().await {
        let tanaka = admin.store.user_by_name("tanaka").await.unwrap().unwrap();
        let mut desk = admin.fresh();
        let mut phone = admin.fresh();
        desk.sign_in("tanaka", PASSWORD).await;
        phone.sign_in("tanaka", PASSWORD).await;
        let token = admin.token("tanaka", PASSWORD).await;
        assert_eq!(phone.get("/").await.status, StatusCode::OK, "{backend}");

        // Tanaka changes their password at the desk: the phone and the token end,
        // the desk goes on under a new session id.
        let old_id = session_cookie(&desk);
        let page = desk.get("/account/password").await;
        let csrf = Client::csrf_of(&page.body);
        let r = desk
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
        assert_ne!(session_cookie(&desk), old_id, "{backend}: rotated");
        assert!(admin.store.session_load(&old_id).await.unwrap().is_none());
        assert_eq!(desk.get("/").await.status, StatusCode::OK, "{backend}");
        let r = phone.get("/").await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{backend}: the phone is signed out"
        );
        assert!(r.location().starts_with("/login"), "{backend}");
        let r = admin.api("GET", "/api/v1/me", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");

        // Deactivated, then active again: the old session stays ended.
        let new_pw = "my own new passphrase";
        let mut idle = admin.fresh();
        idle.sign_in("tanaka", new_pw).await;
        assert_eq!(idle.get("/").await.status, StatusCode::OK, "{backend}");
        let admin_token = admin.token("admin", PASSWORD).await;
        for active in [false, true] {
            let r = admin
                .api(
                    "PATCH",
                    &format!("/api/v1/users/{}", tanaka.id),
                    Some(&admin_token),
                    Some(json!({"active": active})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        }
        assert_eq!(
            idle.get("/").await.status,
            StatusCode::SEE_OTHER,
            "{backend}: not back after reactivation"
        );
        assert_eq!(
            desk.get("/").await.status,
            StatusCode::SEE_OTHER,
            "{backend}"
        );

        // An administrator's reset: sessions end, and until tanaka chooses a new
        // password the API answers only who they are.
        let mut before_reset = admin.fresh();
        before_reset.sign_in("tanaka", new_pw).await;
        let r = admin
            .api(
                "POST",
                &format!("/api/v1/users/{}/password", tanaka.id),
                Some(&admin_token),
                Some(json!({"password": "temporary passphrase 1"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{backend}: {}", r.body);
        assert_eq!(
            before_reset.get("/").await.status,
            StatusCode::SEE_OTHER,
            "{backend}"
        );
        let temp = admin.token("tanaka", "temporary passphrase 1").await;
        let r = admin.api("GET", "/api/v1/me", Some(&temp), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.json()["must_change_password"], true);
        for (method, path, body) in [
            ("POST", "/api/v1/assets", Some(json!({"name": "x"}))),
            ("GET", "/api/v1/assets", None),
            ("GET", "/api/v1/threats", None),
        ] {
            let r = admin.api(method, path, Some(&temp), body).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{backend}: {method} {path}"
            );
            assert_eq!(
                r.json()["error"]["code"],
                "MAMORI-PASSWORD-CHANGE-REQUIRED",
                "{backend}: {method} {path}"
            );
        }
        // The pages send them to choose one; then the API works again.
        let mut s = admin.fresh();
        s.sign_in("tanaka", "temporary passphrase 1").await;
        let r = s.get("/assets").await;
        assert_eq!(r.location(), "/account/password", "{backend}");
        // Reading the API with the session cookie is refused the same way.
        let r = s.get("/api/v1/assets").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(
            r.body.contains("MAMORI-PASSWORD-CHANGE-REQUIRED"),
            "{backend}"
        );
        let page = s.get("/account/password").await;
        let csrf = Client::csrf_of(&page.body);
        let r = s
            .post_form(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", "temporary passphrase 1"),
                    ("new_password", "a second own passphrase"),
                    ("confirm", "a second own passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let r = admin.api("GET", "/api/v1/assets", Some(&temp), None).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{backend}: the temporary token ended with the change"
        );
        let chosen = admin.token("tanaka", "a second own passphrase").await;
        let r = admin
            .api("GET", "/api/v1/assets", Some(&chosen), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
    }
}
