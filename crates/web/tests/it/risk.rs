//! The risk register through the real router, on both databases: computed in
//! the background, seen by unit, an acceptance requested by the security
//! officer, refused to himself and to a unit manager, approved by the CISO;
//! a matrix with a gap refused with its fields.

use axum::http::StatusCode;
use mamori_core::asset::{AssetKind, Levels, Lifecycle};
use mamori_core::org::SystemRole;
use mamori_store::Actor;
use mamori_store::assets::AssetInput;
use mamori_store::org::NewRoleAssignment;
use mamori_store::users::NewUser;

use crate::client::{Client, PASSWORD, clients};
use crate::org::{section, staff};

pub(crate) async fn user(c: &Client, name: &str, unit: i64, roles: Vec<SystemRole>) -> i64 {
    c.store
        .create_user(
            &Actor::System("test"),
            NewUser {
                username: name.into(),
                display_name: format!("{name} さん"),
                email: None,
                unit_id: Some(unit),
                roles,
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .id
}

pub(crate) async fn role(c: &Client, user_id: i64, role: &str, unit: Option<i64>) {
    c.store
        .assign_role(
            &Actor::System("test"),
            NewRoleAssignment {
                user_id,
                role: role.into(),
                unit_id: unit,
                system_id: None,
                starts_on: "2000-01-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
}

async fn asset(c: &Client, name: &str, unit: i64, conf: &str, personal: bool) -> i64 {
    c.store
        .create_asset(
            &Actor::System("test"),
            AssetInput {
                name: name.into(),
                kind: AssetKind::ElectronicInformation,
                description: String::new(),
                owner_unit_id: unit,
                administrator: "課長".into(),
                location: "本庁舎".into(),
                system_id: None,
                segment_id: None,
                personal_info: personal,
                my_number: false,
                retention: "5年".into(),
                levels: Levels::new(conf, "2", "2"),
                lifecycle: Lifecycle::InUse,
                disposal: None,
                notes: String::new(),
            },
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn an_acceptance_is_requested_refused_to_its_requester_and_approved_by_the_ciso() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let ciso = user(&c, "ciso", dept, vec![SystemRole::Staff]).await;
        role(&c, ciso, "ciso", None).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        staff(&c, "suzuki", a).await;
        staff(&c, "sato", b).await;
        asset(&c, "住民DB", a, "3B", true).await;
        asset(&c, "住民DB写し", a, "3B", true).await;
        asset(&c, "福祉台帳", b, "2", false).await;

        let mut cl = c.fresh();
        let sec = cl.token("sec", PASSWORD).await;
        let ciso_t = cl.token("ciso", PASSWORD).await;
        let kacho_t = cl.token("kacho", PASSWORD).await;
        let suzuki = cl.token("suzuki", PASSWORD).await;
        let sato = cl.token("sato", PASSWORD).await;

        // Staff may not start a recomputation; the security office may, and it runs in the background.
        let r = cl
            .api("POST", "/api/v1/risks/recompute", Some(&suzuki), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = cl
            .api("POST", "/api/v1/risks/recompute", Some(&sec), None)
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{backend}: {}", r.body);
        for _ in 0..200 {
            let p = cl
                .api("GET", "/api/v1/risks/recompute", Some(&sec), None)
                .await;
            if p.json()["running"] == false && p.json()["finished_at"].is_string() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }

        // Staff see their unit's risks only.
        let mine = cl
            .api("GET", "/api/v1/risks?per_page=500", Some(&suzuki), None)
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        let items = mine.json()["items"].as_array().unwrap().clone();
        assert!(!items.is_empty(), "{backend}");
        assert!(items.iter().all(|r| r["unit_id"] == a), "{backend}");
        assert!(
            items.iter().all(|r| r["assets"] == 2),
            "two assets share one profile"
        );
        let theirs = cl
            .api("GET", "/api/v1/risks?per_page=500", Some(&sato), None)
            .await;
        assert!(
            theirs.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["unit_id"] == b)
        );
        let top = items[0].clone();
        let id = top["id"].as_i64().unwrap();
        let hidden = cl
            .api("GET", &format!("/api/v1/risks/{id}"), Some(&sato), None)
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{backend}");
        let all = cl
            .api("GET", "/api/v1/risks?per_page=500", Some(&sec), None)
            .await;
        assert!(all.json()["total"].as_i64().unwrap() > items.len() as i64);

        // The register's page draws the heat map on the server.
        let mut page = c.fresh();
        page.sign_in("suzuki", PASSWORD).await;
        let p = page.get("/risks").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("<svg id=\"heat-map\"") && p.body.contains("id=\"heat-table\""));
        let p = page.get(&format!("/risks/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("住民DB"), "the drill-down lists the assets");

        // Staff may not treat; the security officer asks to accept (above the threshold: pending).
        let body = serde_json::json!({"option": "accept", "owner_user_id": kacho, "expires_on": "2099-01-01", "controls": ["S4-01"]});
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/risks/{id}/treatment"),
                Some(&suzuki),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let bad = serde_json::json!({"option": "keep", "owner_user_id": 99999, "due_on": "2000-01-01", "controls": ["S9-99"]});
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/risks/{id}/treatment"),
                Some(&sec),
                Some(bad),
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
            .map(|f| f["field"].as_str().unwrap_or("").to_string())
            .collect();
        for f in ["option", "owner", "due_on", "controls"] {
            assert!(
                fields.iter().any(|x| x == f),
                "{backend}: {f} in {fields:?}"
            );
        }
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/risks/{id}/treatment"),
                Some(&sec),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "pending");
        assert_eq!(r.json()["owner_name"], "kacho さん");

        // He may not approve it himself; a unit manager may not; the CISO may.
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/risks/{id}/treatment/approve"),
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-RISK-SELF-APPROVAL",
            "{}",
            r.body
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/risks/{id}/treatment/approve"),
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-RISK-APPROVER",
            "{}",
            r.body
        );
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/risks/{id}/treatment/approve"),
                Some(&ciso_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["state"], "accepted");
        assert_eq!(r.json()["approved_by"], "ciso さん");
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/risks/{id}/treatment/approve"),
                Some(&ciso_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
        let accepted = cl
            .api(
                "GET",
                "/api/v1/risks?treatment=accepted",
                Some(&suzuki),
                None,
            )
            .await;
        assert_eq!(accepted.json()["total"], 1, "{backend}");

        // A matrix with a gap and a missing label is refused with every bad field.
        let m = serde_json::json!({
            "code": "city-4", "name": "市の4段階", "approval_above": 6,
            "likelihood": [{"label": "低"}, {"label": ""}],
            "impact": [{"label": "小"}, {"label": "大"}],
            "bands": [
                {"code": "low", "label": "低", "colour": "#00ff00", "min": 1, "max": 1},
                {"code": "high", "label": "高", "colour": "#ff0000", "min": 3, "max": 4}
            ]
        });
        let r = cl
            .api("POST", "/api/v1/risk-matrices", Some(&sec), Some(m.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let codes: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(
            codes.contains(&"MAMORI-RISK-MATRIX-GAP".to_string()),
            "{codes:?}"
        );
        assert!(
            codes.contains(&"MAMORI-RISK-MATRIX-LABEL".to_string()),
            "{codes:?}"
        );
        assert!(
            codes.contains(&"MAMORI-RISK-MATRIX-THRESHOLD".to_string()),
            "{codes:?}"
        );
        let r = cl
            .api("POST", "/api/v1/risk-matrices", Some(&suzuki), Some(m))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let list = cl
            .api("GET", "/api/v1/risk-matrices", Some(&suzuki), None)
            .await;
        assert_eq!(list.json()["total"], 2, "{backend}");
    }
}
