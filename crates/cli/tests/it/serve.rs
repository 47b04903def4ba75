use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::http::request;
use crate::{mamori, temp_dir};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let dir = temp_dir();
    let child = mamori()
        .args([
            "serve",
            "--data-dir",
            dir.to_str().unwrap(),
            "--bind",
            &addr,
        ])
        .args(extra)
        .env("MAMORI_ADMIN_PASSWORD", "end to end passphrase")
        .env_remove("MAMORI_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = request(&server.addr, "GET", "/healthz", &[], None)
            && r.status == 200
        {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not answer /healthz");
}

#[test]
fn the_real_server_answers_the_api_and_pages() {
    let server = start(&["--demo"]);
    let a = server.addr.as_str();
    let r = request(
        a,
        "POST",
        "/api/v1/auth/token",
        &[],
        Some(r#"{"username":"admin","password":"end to end passphrase"}"#),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let token = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let auth = format!("Bearer {token}");
    let r = request(
        a,
        "GET",
        "/api/v1/threats?per_page=500",
        &[("Authorization", &auth)],
        None,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|t| t["name"] == "サービス不能攻撃" && t["category"] == "intentional"),
        "{}",
        r.body
    );
    assert!(items.iter().any(|t| t["name"] == "水道供給の途絶"));
    let r = request(
        a,
        "GET",
        "/api/v1/policy-documents/basic_policy",
        &[("Authorization", &auth)],
        None,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["articles"].as_array().unwrap().len(), 11);
    let r = request(a, "GET", "/api/v1/units", &[("Authorization", &auth)], None).unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        v["total"].as_i64().unwrap() >= 10,
        "the demo city is loaded"
    );
    let r = request(a, "GET", "/login", &[], None).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.contains("サインイン"));
    let r = request(
        a,
        "POST",
        "/api/v1/users",
        &[("Authorization", &auth)],
        Some("{not json"),
    )
    .unwrap();
    assert_eq!(r.status, 400);
    assert!(r.body.contains("MAMORI-BAD-JSON"));
    // A demo user signs in with the demo password.
    let r = request(
        a,
        "POST",
        "/api/v1/auth/token",
        &[],
        Some(r#"{"username":"tanaka","password":"mamori-demo-2025"}"#),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn serve_refuses_bad_settings_with_a_clear_message() {
    let out = crate::run(&["serve", "--database-url", "mysql://localhost/x"]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL"), "{err}");
    let out = crate::run(&[
        "serve",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach PostgreSQL"));
    let dir = temp_dir();
    let out = crate::run(&[
        "serve",
        "--data-dir",
        dir.to_str().unwrap(),
        "--bind",
        "not-an-address",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-an-address"));
}
