use axum::http::StatusCode;
use mamori_core::org::{SystemRole, UnitKind};
use mamori_store::Actor;
use mamori_store::units::NewUnit;
use mamori_store::users::NewUser;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};

pub(crate) async fn staff(c: &Client, name: &str, unit: i64) -> i64 {
    c.store
        .create_user(
            &Actor::System("test"),
            NewUser {
                username: name.into(),
                display_name: format!("{name} さん"),
                email: None,
                unit_id: Some(unit),
                roles: vec![SystemRole::Staff],
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .id
}

pub(crate) async fn section(c: &Client, code: &str, parent: i64) -> i64 {
    c.store
        .create_unit(
            &Actor::System("test"),
            NewUnit {
                parent_id: Some(parent),
                code: code.into(),
                name: format!("{code}課"),
                name_en: String::new(),
                kind: UnitKind::Section,
            },
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn roles_scope_what_a_section_administrator_may_do() {
    for (backend, mut c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        let kacho = staff(&c, "kacho", a).await;
        let in_a = staff(&c, "suzuki", a).await;
        let in_b = staff(&c, "sato", b).await;
        let admin = c.token("admin", PASSWORD).await;
        let t_kacho = c.token("kacho", PASSWORD).await;

        let roles = c
            .api("GET", "/api/v1/guideline-roles", Some(&t_kacho), None)
            .await
            .json();
        assert_eq!(roles.as_array().unwrap().len(), 9, "{backend}");

        // Before the role, the section chief is plain staff.
        let body = json!({"employment_type": "fiscal_year", "position": "主事"});
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/users/{in_a}/staff"),
                Some(&t_kacho),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api("POST", "/api/v1/role-assignments", Some(&t_kacho),
                Some(json!({"user_id": kacho, "role": "security_administrator", "unit_id": a, "starts_on": "2020-04-01"})))
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{backend}: nobody assigns their own role"
        );
        let r = c
            .api("POST", "/api/v1/role-assignments", Some(&admin),
                Some(json!({"user_id": kacho, "role": "security_administrator", "starts_on": "2020-04-01"})))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("unit_id"));
        let r = c
            .api("POST", "/api/v1/role-assignments", Some(&admin),
                Some(json!({"user_id": kacho, "role": "security_administrator", "unit_id": a, "starts_on": "2020-04-01"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let assignment = r.json()["id"].as_i64().unwrap();

        // Now: their own section's staff, and nothing more.
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/users/{in_a}/staff"),
                Some(&t_kacho),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["employment_type"], "fiscal_year");
        assert_eq!(r.json()["position"], "主事");
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/users/{in_b}/staff"),
                Some(&t_kacho),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{backend}: another section"
        );
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/users/{in_a}/staff"),
                Some(&t_kacho),
                Some(json!({"employment_type": "temp"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        // (/api/v1/users lists their own section's staff: see orgimport.rs.)
        for path in ["/api/v1/events", "/api/v1/acknowledgements/campaigns"] {
            let r = c.api("GET", path, Some(&t_kacho), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {path}");
        }

        // An ended role gives nothing.
        let r = c
            .api(
                "POST",
                &format!("/api/v1/role-assignments/{assignment}/end"),
                Some(&admin),
                Some(json!({"ends_on": "2021-03-31"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/users/{in_a}/staff"),
                Some(&t_kacho),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: role ended");
        let list = c
            .api(
                "GET",
                &format!("/api/v1/role-assignments?user_id={kacho}"),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["ends_on"], "2021-03-31");
    }
}

#[tokio::test]
async fn a_policy_version_produces_requests_and_the_rate_moves() {
    for (backend, mut c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        let kacho = staff(&c, "kacho", a).await;
        staff(&c, "suzuki", a).await;
        staff(&c, "sato", b).await;
        let admin = c.token("admin", PASSWORD).await;
        let t_kacho = c.token("kacho", PASSWORD).await;
        c.store
            .assign_role(
                &Actor::System("test"),
                mamori_store::org::NewRoleAssignment {
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

        let revs = c
            .api("GET", "/api/v1/policy-revisions", Some(&t_kacho), None)
            .await
            .json();
        let rev = revs["items"][0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/acknowledgements/campaigns",
                Some(&t_kacho),
                Some(json!({"revision_id": rev, "title": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api(
                "POST",
                "/api/v1/acknowledgements/campaigns",
                Some(&admin),
                Some(
                    json!({"revision_id": rev, "title": "令和8年度 誓約", "due_on": "2026-12-31"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let campaign = r.json();
        let id = campaign["id"].as_i64().unwrap();
        // admin, tanaka, kacho, suzuki, sato
        assert_eq!(campaign["requested"], 5, "{backend}");

        // The section administrator sees their section, not the whole city nor the other section.
        let units = format!("/api/v1/acknowledgements/campaigns/{id}/units");
        let r = c
            .api("GET", &format!("{units}?within={a}"), Some(&t_kacho), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["items"][0]["confirmed"], 0);
        assert_eq!(r.json()["items"][0]["requested"], 2);
        assert_eq!(
            c.api("GET", &units, Some(&t_kacho), None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.api("GET", &format!("{units}?within={b}"), Some(&t_kacho), None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // Staff confirm: through the API ...
        let r = c
            .api("GET", "/api/v1/me/acknowledgements", Some(&t_kacho), None)
            .await
            .json();
        assert_eq!(r["total"], 1);
        assert!(r["items"][0]["confirmed_at"].is_null());
        let r = c
            .api(
                "POST",
                &format!("/api/v1/me/acknowledgements/{id}"),
                Some(&t_kacho),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = c
            .api("GET", &format!("{units}?within={a}"), Some(&t_kacho), None)
            .await
            .json();
        assert_eq!(r["items"][0]["confirmed"], 1, "{backend}");

        // ... and on the page, with the form's CSRF token.
        let mut page = c.fresh();
        page.sign_in("suzuki", PASSWORD).await;
        let p = page.get("/acknowledgements").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("令和8年度 誓約"), "{backend}");
        let r = page
            .post_form(
                &format!("/acknowledgements/{id}/confirm"),
                &[("csrf", "wrong")],
            )
            .await;
        assert_ne!(
            r.status,
            StatusCode::SEE_OTHER,
            "{backend}: a forged form is refused"
        );
        let csrf = Client::csrf_of(&p.body);
        let r = page
            .post_form(
                &format!("/acknowledgements/{id}/confirm"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let p = page.get("/acknowledgements").await;
        assert!(
            !p.body.contains("/confirm\""),
            "{backend}: nothing left to confirm"
        );

        let pending = c
            .api(
                "GET",
                &format!("/api/v1/acknowledgements/campaigns/{id}/pending"),
                Some(&admin),
                None,
            )
            .await
            .json();
        let names: Vec<&str> = pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["username"].as_str().unwrap())
            .collect();
        assert_eq!(pending["total"], 3, "{backend}: {names:?}");
        assert!(names.contains(&"sato") && !names.contains(&"suzuki"));

        // The status page for the security office.
        let mut adm = c.fresh();
        adm.sign_in("admin", PASSWORD).await;
        let p = adm.get(&format!("/acknowledgements?campaign={id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(
            p.body.contains("A課") && p.body.contains("100%"),
            "{backend}"
        );
        let p = page.get(&format!("/acknowledgements?campaign={id}")).await;
        assert_eq!(
            p.status,
            StatusCode::FORBIDDEN,
            "{backend}: staff do not see the status"
        );
    }
}

#[tokio::test]
async fn staff_page_assigns_roles_and_follows_the_scope() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        let kacho = staff(&c, "kacho", a).await;
        let in_a = staff(&c, "suzuki", a).await;
        let in_b = staff(&c, "sato", b).await;

        let mut adm = c.fresh();
        adm.sign_in("admin", PASSWORD).await;
        let form = adm.get(&format!("/users/{kacho}")).await;
        assert!(
            form.body.contains(&format!("/users/{kacho}/staff")),
            "{backend}: linked from the user form"
        );
        let p = adm.get(&format!("/users/{kacho}/staff")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        let csrf = Client::csrf_of(&p.body);
        let r = adm
            .post_form(
                &format!("/users/{kacho}/staff/roles"),
                &[
                    ("csrf", &csrf),
                    ("role", "security_administrator"),
                    ("unit_id", &a.to_string()),
                    ("starts_on", "2020-04-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let p = adm.get(&format!("/users/{kacho}/staff")).await;
        assert!(
            p.body.contains("情報セキュリティ管理者") && p.body.contains("A課"),
            "{backend}"
        );

        let mut k = c.fresh();
        k.sign_in("kacho", PASSWORD).await;
        let p = k.get(&format!("/users/{in_a}/staff")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: own section");
        assert!(
            !p.body.contains("/staff/roles\""),
            "{backend}: no role assignment form"
        );
        let csrf = Client::csrf_of(&p.body);
        let r = k
            .post_form(
                &format!("/users/{in_a}/staff"),
                &[
                    ("csrf", &csrf),
                    ("employment_type", "reappointed"),
                    ("position", "主任"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(
            c.store.user(in_a).await.unwrap().employment_type,
            "reappointed"
        );
        assert_eq!(
            k.get(&format!("/users/{in_b}/staff")).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
        let r = k
            .post_form(
                &format!("/users/{kacho}/staff/roles"),
                &[
                    ("csrf", &csrf),
                    ("role", "ciso"),
                    ("starts_on", "2020-04-01"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{backend}: nobody grants themselves a role"
        );

        let mut s = c.fresh();
        s.sign_in("suzuki", PASSWORD).await;
        assert_eq!(
            s.get(&format!("/users/{in_a}/staff")).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
    }
}
