//! A small in-process client that keeps cookies, like a browser would.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use mamori_core::org::SystemRole;
use mamori_store::Store;
use mamori_store::users::NewUser;
use std::collections::BTreeMap;
use tower::ServiceExt;

pub const PASSWORD: &str = "a long enough passphrase";

pub struct Client {
    pub app: Router,
    pub store: Store,
    cookies: BTreeMap<String, String>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    /// The body as text (binary bodies: lossily; see `bytes`).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

impl Client {
    pub fn new(store: Store) -> Client {
        Client::with_authz(store, mamori_authz::Authorizer::builtin().unwrap())
    }

    /// A client of a server whose policy set is `authz` (a city's own policies).
    pub fn with_authz(store: Store, authz: mamori_authz::Authorizer) -> Client {
        Client::with_limits(store, authz, mamori_core::table::ImportLimits::default())
    }

    /// A client of a server whose imports are held to `limits`.
    pub fn with_limits(
        store: Store,
        authz: mamori_authz::Authorizer,
        limits: mamori_core::table::ImportLimits,
    ) -> Client {
        let config = mamori_web::WebConfig {
            secure_cookies: false,
            session_hours: 8,
        };
        let state =
            mamori_web::AppState::new(store.clone(), authz, config).with_import_limits(limits);
        let app = mamori_web::router(state);
        Client {
            app,
            store,
            cookies: BTreeMap::new(),
        }
    }

    pub fn fresh(&self) -> Client {
        Client {
            app: self.app.clone(),
            store: self.store.clone(),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let pair = s.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if s.contains("Max-Age=0") || val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A form with a file, as a browser sends `enctype="multipart/form-data"`.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Resp {
        let boundary = "mamoriTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, content) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// An API request with a raw body (a file).
    pub async fn api_bytes(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// The CSRF token in a page's forms.
    pub fn csrf_of(page: &str) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = page.find(marker).expect("a form with a CSRF token") + marker.len();
        page[start..start + 64].to_string()
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let csrf = Client::csrf_of(&page.body);
        self.post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    pub async fn api(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn token(&mut self, username: &str, password: &str) -> String {
        let r = self
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }
}

/// Every backend, each with an admin and a staff user in a unit.
pub async fn clients() -> Vec<(&'static str, Client)> {
    let mut out = Vec::new();
    for (backend, store) in mamori_store::testing::all_stores().await {
        store.ensure_admin(Some(PASSWORD)).await.unwrap();
        let actor = mamori_store::Actor::System("test");
        let unit = store
            .create_unit(
                &actor,
                mamori_store::units::NewUnit {
                    parent_id: None,
                    code: "D01".into(),
                    name: "総務局".into(),
                    name_en: "General Affairs".into(),
                    kind: mamori_core::org::UnitKind::Department,
                },
            )
            .await
            .unwrap();
        store
            .create_user(
                &actor,
                NewUser {
                    username: "tanaka".into(),
                    display_name: "田中 美咲".into(),
                    email: None,
                    unit_id: Some(unit.id),
                    roles: vec![SystemRole::Staff],
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        out.push((backend, Client::new(store)));
    }
    out
}
