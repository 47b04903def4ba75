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
    asset_in(c, name, unit, conf, personal, None).await
}

async fn asset_in(
    c: &Client,
    name: &str,
    unit: i64,
    conf: &str,
    personal: bool,
    system_id: Option<i64>,
) -> i64 {
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
                system_id,
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

/// Waits for the background recomputation that `cl`'s last change started.
async fn settled(cl: &mut Client, token: &str) {
    for _ in 0..400 {
        let p = cl
            .api("GET", "/api/v1/risks/recompute", Some(token), None)
            .await;
        if p.json()["running"] == false && p.json()["finished_at"].is_string() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the recomputation did not finish");
}

#[tokio::test]
async fn the_export_keeps_the_readers_scope_and_a_city_control_counters_its_threats() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        staff(&c, "suzuki", a).await;
        asset(&c, "住民DB", a, "3B", true).await;
        asset(&c, "福祉台帳", b, "2", false).await;
        let system = c
            .store
            .create_system(
                &Actor::System("test"),
                &mamori_store::systems::SystemInput {
                    code: "SYS-1".into(),
                    name: "福祉システム".into(),
                    owner_unit_id: Some(b),
                    segment_id: None,
                    description: String::new(),
                    vendor: String::new(),
                    go_live_on: None,
                    ends_on: None,
                },
            )
            .await
            .unwrap()
            .id;
        asset_in(&c, "福祉システム端末", b, "2", true, Some(system)).await;
        let mut cl = c.fresh();
        let sec = cl.token("sec", PASSWORD).await;
        let suzuki = cl.token("suzuki", PASSWORD).await;
        let r = cl
            .api("POST", "/api/v1/risks/recompute", Some(&sec), None)
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{backend}: {}", r.body);
        settled(&mut cl, &sec).await;

        // The committee's workbook: the IPA sheet's columns, staff see their unit's rows only.
        let mine = cl
            .api("GET", "/api/v1/risks/export", Some(&suzuki), None)
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{backend}: {}", mine.body);
        let rows = mamori_sheet::testing::sheet_rows(&mine.bytes, mamori_sheet::risk::RISK_SHEET);
        assert!(rows[0][0].starts_with("リスク分析シート"), "{:?}", rows[0]);
        assert_eq!(rows[1][1], "情報資産 / Asset");
        assert_eq!(rows[1][10], "脅威 / Threat");
        let data = &rows[2..];
        assert!(!data.is_empty(), "{backend}");
        assert!(
            data.iter().all(|r| r[2].contains('A')),
            "{backend}: only section A: {:?}",
            data.iter().map(|r| r[2].clone()).collect::<Vec<_>>()
        );
        let all = cl
            .api("GET", "/api/v1/risks/export", Some(&sec), None)
            .await;
        let all_rows =
            mamori_sheet::testing::sheet_rows(&all.bytes, mamori_sheet::risk::RISK_SHEET);
        assert!(all_rows.len() > rows.len(), "{backend}");
        // Filtered: one threat only.
        let one = cl
            .api("GET", "/api/v1/risks/export?threat=T1-01", Some(&sec), None)
            .await;
        let one = mamori_sheet::testing::sheet_rows(&one.bytes, mamori_sheet::risk::RISK_SHEET);
        assert!(
            one[2..].iter().all(|r| r[10].starts_with("T1-01 ")),
            "{backend}"
        );
        // The export is in the log.
        let log = cl
            .api("GET", "/api/v1/events?entity=export", Some(&sec), None)
            .await;
        assert!(log.body.contains("risks"), "{backend}: {}", log.body);
        // One system's risks: the register's filter and the system's page.
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/risks?system={system}&per_page=500"),
                Some(&sec),
                None,
            )
            .await;
        let items = r.json()["items"].as_array().unwrap().clone();
        assert!(!items.is_empty(), "{backend}");
        assert!(items.iter().all(|i| i["system_id"] == system), "{backend}");
        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let p = page.get(&format!("/systems/{system}")).await;
        assert!(p.body.contains("id=\"system-risks\""), "{backend}");
        // Without a token: 401.
        let r = cl.api("GET", "/api/v1/risks/export", None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");

        // A control of the city's own that counters T1-01 joins the controls of its risks.
        let r = cl
            .api(
                "POST",
                "/api/v1/controls",
                Some(&sec),
                Some(serde_json::json!({
                    "category": "operational", "chapter": 1, "name": "窓口端末の持出し点検",
                    "description": "毎月点検する", "threats": ["T1-01"]
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let code = r.json()["code"].as_str().unwrap().to_string();
        settled(&mut cl, &sec).await;
        let list = cl
            .api(
                "GET",
                "/api/v1/risks?threat=T1-01&per_page=1",
                Some(&sec),
                None,
            )
            .await;
        let id = list.json()["items"][0]["id"].as_i64().unwrap();
        let detail = cl
            .api("GET", &format!("/api/v1/risks/{id}"), Some(&sec), None)
            .await;
        assert!(
            detail.body.contains(&format!("\"{code}\"")),
            "{backend}: {code} counters T1-01: {}",
            detail.body
        );

        // The treatment's owner may be named, not numbered; an unknown name is refused.
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/risks/{id}/treatment"),
                Some(&sec),
                Some(serde_json::json!({"option": "reduce", "owner": "存在しない人", "due_on": "2099-01-01"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("存在しない人"), "{}", r.body);
        // On the page the refused treatment comes back as entered, to correct.
        let at = format!("/risks/{id}");
        let csrf = Client::csrf_of(&page.get(&at).await.body);
        let r = page
            .post_form(
                &format!("{at}/treatment"),
                &[
                    ("csrf", &csrf),
                    ("revision", ""),
                    ("option", "reduce"),
                    ("owner", "存在しない人"),
                    ("due_on", "2099-01-01"),
                    ("controls", "S4-01"),
                    ("note", "月次で確認する"),
                ],
            )
            .await;
        assert_eq!(r.location(), at, "{backend}");
        let p = page.get(&at).await;
        assert!(
            p.body.contains("value=\"存在しない人\"")
                && p.body.contains("value=\"月次で確認する\"")
                && p.body.contains("value=\"2099-01-01\"")
                && p.body.contains("value=\"reduce\" selected"),
            "{backend}: {}",
            p.body
        );
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/risks/{id}/treatment"),
                Some(&sec),
                Some(serde_json::json!({"option": "reduce", "owner": "suzuki さん", "due_on": "2099-01-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["owner_name"], "suzuki さん");
    }
}

#[tokio::test]
async fn the_security_office_keeps_controls_systems_approaches_and_matrices_from_the_pages() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        staff(&c, "suzuki", a).await;
        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let p = page.get("/controls/new").await;
        let csrf = Client::csrf_of(&p.body);

        // A control of the city's own: added, edited from its form, retired.
        let r = page
            .post_form(
                "/controls/new",
                &[
                    ("csrf", &csrf),
                    ("category", "operational"),
                    ("chapter", "1"),
                    ("name", "庁舎入口の受付"),
                    ("threats", "T1-01"),
                    ("applies_personal", "any"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let path = r.location();
        let code = path.trim_start_matches("/controls/").to_string();
        let p = page.get(&path).await;
        assert!(p.body.contains("id=\"edit-control\""), "{backend}");
        let form = page.get(&format!("{path}/edit")).await;
        assert_eq!(form.status, StatusCode::OK, "{backend}");
        assert!(
            form.body.contains("value=\"庁舎入口の受付\""),
            "{backend}: prefilled"
        );
        let r = page
            .post_form(
                &format!("{path}/edit"),
                &[
                    ("csrf", &csrf),
                    ("category", "operational"),
                    ("chapter", "1"),
                    ("name", "庁舎入口の受付と記帳"),
                    ("threats", "T1-01 T1-02"),
                    ("applies_personal", "any"),
                    ("revision", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let p = page.get(&path).await;
        assert!(
            p.body.contains("庁舎入口の受付と記帳") && p.body.contains("T1-02"),
            "{backend}"
        );
        // A stale form is refused; the built-in catalogue is not edited.
        let r = page
            .post_form(
                &format!("{path}/edit"),
                &[
                    ("csrf", &csrf),
                    ("category", "operational"),
                    ("chapter", "1"),
                    ("name", "古い版"),
                    ("applies_personal", "any"),
                    ("revision", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
        let r = page.get("/controls/S1-05/edit").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
        let r = page
            .post_form(
                &format!("{path}/retire"),
                &[("csrf", &csrf), ("revision", "2")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let p = page.get(&path).await;
        assert!(
            p.body.contains("廃止済み") && !p.body.contains("id=\"edit-control\""),
            "{backend}"
        );
        assert!(!code.is_empty());

        // Staff may not edit the city's controls.
        let mut staff_page = c.fresh();
        staff_page.sign_in("suzuki", PASSWORD).await;
        let r = staff_page.get("/controls/new").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // Systems from a file on the systems page: all rows or none.
        let r = page
            .post_multipart(
                "/systems/import",
                &[("csrf", &csrf)],
                (
                    "file",
                    "systems.csv",
                    "コード,名称,所管課\nSYS-300,文書管理システム,A課\n".as_bytes(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let p = page.get("/systems").await;
        assert!(
            p.body.contains("SYS-300") && p.body.contains("1 件登録"),
            "{backend}"
        );
        let r = page
            .post_multipart(
                "/systems/import",
                &[("csrf", &csrf)],
                (
                    "file",
                    "systems.csv",
                    "コード,名称,所管課\nSYS-301,新規,A課\nSYS-302,,Z課\n".as_bytes(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            !page.get("/systems").await.body.contains("SYS-301"),
            "{backend}: nothing written"
        );

        // The approach per kind of asset, and a matrix written as TOML.
        let r = page
            .post_form(
                "/risks/approach",
                &[
                    ("csrf", &csrf),
                    ("kind", "equipment"),
                    ("approach", "baseline"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get("/risks").await;
        assert!(
            p.body.contains("value=\"equipment\"")
                && p.body.contains("<option value=\"baseline\" selected>"),
            "{backend}"
        );
        let r = page
            .post_form(
                "/risks/matrices",
                &[("csrf", &csrf), ("toml", "code = \"city\"\nname = ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get("/risks").await;
        assert!(
            p.body.contains("マトリクスを読めません") && p.body.contains("行 2"),
            "{backend}: {}",
            p.body
        );
        let city = "code = \"city-2\"\nname = \"市の2段階\"\napproval_above = 2\n\
                    likelihood = [{ label = \"低\" }, { label = \"高\" }]\n\
                    impact = [{ label = \"小\" }, { label = \"大\" }]\n\
                    bands = [{ code = \"low\", label = \"低\", colour = \"#00ff00\", min = 1, max = 2 },\n\
                    { code = \"high\", label = \"高\", colour = \"#ff0000\", min = 3, max = 4 }]\n";
        let r = page
            .post_form("/risks/matrices", &[("csrf", &csrf), ("toml", city)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get("/risks").await;
        assert!(
            p.body.contains("マトリクスを保存しました") && p.body.contains("市の2段階"),
            "{backend}"
        );
        let gap = city.replace("min = 3", "min = 4");
        let r = page
            .post_form("/risks/matrices", &[("csrf", &csrf), ("toml", &gap)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get("/risks").await;
        assert!(
            p.body.contains("flash-error"),
            "{backend}: the gap is refused"
        );
    }
}
