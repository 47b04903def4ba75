//! Information systems, the city's controls, control status and evidence
//! through the operation layer, on both databases: who may set and read what,
//! every refusal, stale saves, evidence limits and downloads, and the Excel
//! round trip of the status (all rows or none).

use mamori_app::controls::{ControlForm, EvidenceUpload, StatusForm};
use mamori_app::systems::SystemForm;
use mamori_app::{App, Caller, Error};
use mamori_core::control::StatusScope;
use mamori_core::problem::Class;
use mamori_core::table::{ImportLimits, LedgerFormat};
use mamori_store::assets::AssetScope;
use mamori_store::controls::StatusFilter;
use mamori_store::events::EventFilter;
use mamori_store::org::NewRoleAssignment;
use mamori_store::systems::SystemFilter;
use mamori_store::{Actor, PageRequest, Store};

use super::{caller, demo_apps, entered};

fn codes(e: &Error) -> Vec<&'static str> {
    e.problems().iter().map(|p| p.code).collect()
}

async fn unit_id(store: &Store, code: &str) -> i64 {
    store.unit_by_code(code).await.unwrap().unwrap().id
}

/// Gives `user` a guideline role for a unit or a system, from 2000.
async fn grant(store: &Store, user: &str, role: &str, unit: Option<i64>, system: Option<i64>) {
    let u = store.user_by_name(user).await.unwrap().unwrap();
    store
        .assign_role(
            &Actor::System("test"),
            NewRoleAssignment {
                user_id: u.id,
                role: role.into(),
                unit_id: unit,
                system_id: system,
                starts_on: "2000-01-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
}

fn status(code: &str, scope: StatusScope, state: &str) -> StatusForm {
    StatusForm {
        control_code: code.into(),
        scope,
        state: state.into(),
        reason: String::new(),
        owner: String::new(),
        due_on: String::new(),
        comment: String::new(),
    }
}

/// The first built-in control's code.
async fn a_control(store: &Store) -> String {
    store
        .list_controls(&Default::default(), PageRequest::new(Some(1), Some(1)))
        .await
        .unwrap()
        .items[0]
        .code
        .clone()
}

struct Cast {
    security: Caller,
    /// 情報セキュリティ管理者 of D02-S01 (their own section).
    manager: Caller,
    /// 情報セキュリティ管理者 of D04-S01.
    other_manager: Caller,
    /// staff of D02-S01, no role.
    staff: Caller,
    auditor: Caller,
    d02: i64,
    d04: i64,
}

async fn cast(store: &Store, app: &App) -> Cast {
    let d02 = unit_id(store, "D02-S01").await;
    let d04 = unit_id(store, "D04-S01").await;
    grant(store, "tanaka", "security_administrator", Some(d02), None).await;
    grant(store, "ito", "security_administrator", Some(d04), None).await;
    // A second member of D02-S01, without a role.
    let tanaka = store.user_by_name("tanaka").await.unwrap().unwrap();
    let staff = store
        .create_user(
            &Actor::System("test"),
            mamori_store::users::NewUser {
                username: "d02staff".into(),
                display_name: "木村 花".into(),
                email: None,
                unit_id: tanaka.unit_id,
                roles: vec![mamori_core::org::SystemRole::Staff],
                password: "correct-horse-battery".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    Cast {
        security: caller(app, store, "security").await,
        manager: caller(app, store, "tanaka").await,
        other_manager: caller(app, store, "ito").await,
        staff: app.caller(staff.id).await.unwrap().unwrap(),
        auditor: caller(app, store, "auditor").await,
        d02,
        d04,
    }
}

#[tokio::test]
async fn a_unit_manager_sets_their_unit_s_status_and_nobody_else_s() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let code = a_control(&store).await;
        let mine = StatusScope::Unit(c.d02);
        let mut form = status(&code, mine, "一部実施");
        form.owner = "田中 美咲".into();
        form.due_on = "2999-03-31".into();
        form.comment = "手順書を作成中".into();
        let saved = app
            .set_control_status(&c.manager, &form, None)
            .await
            .unwrap();
        assert_eq!(saved.state, "partial", "{backend}");
        assert_eq!(saved.owner_name.as_deref(), Some("田中 美咲"), "{backend}");
        assert_eq!(saved.revision, 1, "{backend}");

        // Another unit's manager: the scope is not found (by status id too).
        let e = app
            .set_control_status(&c.other_manager, &form, Some(1))
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}: {e}");
        let e = app
            .control_status_view(&c.other_manager, saved.id)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}: {e}");
        // The other manager cannot set the city's either (they read it).
        let e = app
            .set_control_status(
                &c.other_manager,
                &status(&code, StatusScope::City, "実施済"),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}: {e}");
        // Staff of the unit read it, but may not set it.
        let seen = app.control_status_view(&c.staff, saved.id).await.unwrap();
        assert!(!seen.may_set, "{backend}");
        let e = app
            .set_control_status(&c.staff, &status(&code, mine, "実施済"), Some(1))
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}: {e}");
        // Lists leak nothing: the other manager's list has no row of D02-S01.
        let theirs = app
            .control_status_list(
                &c.other_manager,
                &StatusFilter::default(),
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(theirs.total, 0, "{backend}");
        let all = app
            .control_status_list(
                &c.auditor,
                &StatusFilter::default(),
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(all.total, 1, "{backend}");
        // A unit filter on a unit one may not read is not found.
        let e = app
            .control_status_list(
                &c.other_manager,
                &StatusFilter {
                    scope: Some(mine),
                    ..Default::default()
                },
                PageRequest::new(None, None),
            )
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}");

        // Stale: a save naming an old revision, or a first save when one exists.
        let e = app
            .set_control_status(&c.security, &status(&code, mine, "実施済"), None)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Conflict, "{backend}: {e}");
        let again = app
            .set_control_status(&c.security, &status(&code, mine, "実施済"), Some(1))
            .await
            .unwrap();
        assert_eq!(again.revision, 2, "{backend}");
        let e = app
            .set_control_status(&c.manager, &status(&code, mine, "未実施"), Some(1))
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-CONTROL-STATUS-STALE"], "{backend}");

        // The log has old → new.
        let events = store
            .list_events(
                &EventFilter {
                    entity: Some("control_status".into()),
                    ..Default::default()
                },
                &AssetScope::unrestricted(),
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(events.total, 2, "{backend}");
        let last = &events.items[0];
        assert!(
            last.before_json.as_deref().unwrap().contains("partial"),
            "{backend}"
        );
        assert!(
            last.after_json.as_deref().unwrap().contains("implemented"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn bad_status_input_is_refused_with_every_field_and_nothing_written() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let mine = StatusScope::Unit(c.d02);
        let form = StatusForm {
            control_code: "S-NOPE".into(),
            scope: mine,
            state: "だいたい".into(),
            reason: String::new(),
            owner: "誰でもない人".into(),
            due_on: "2001-01-01".into(),
            comment: String::new(),
        };
        let e = app
            .set_control_status(&c.manager, &form, None)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Invalid, "{backend}");
        let mut got = codes(&e);
        got.sort();
        assert_eq!(
            got,
            [
                "MAMORI-CONTROL-UNKNOWN",
                "MAMORI-STATUS-DUE-PAST",
                "MAMORI-STATUS-OWNER",
                "MAMORI-STATUS-STATE"
            ],
            "{backend}"
        );
        // 対象外 needs a reason.
        let code = a_control(&store).await;
        let e = app
            .set_control_status(&c.manager, &status(&code, mine, "対象外"), None)
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-STATUS-REASON"], "{backend}");
        let all = app
            .control_status_list(
                &c.security,
                &StatusFilter::default(),
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(all.total, 0, "{backend}");
        let mut na = status(&code, mine, "not_applicable");
        na.reason = "当課は窓口を持たない".into();
        app.set_control_status(&c.manager, &na, None).await.unwrap();
    }
}

#[tokio::test]
async fn a_system_manager_sets_their_own_system_s_status_only() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let mut made = Vec::new();
        for code in ["SYS-A", "SYS-B"] {
            made.push(
                app.create_system(
                    &c.security,
                    &SystemForm {
                        code: code.into(),
                        name: format!("{code} システム"),
                        owner_unit_id: Some(c.d04),
                        ..Default::default()
                    },
                )
                .await
                .unwrap(),
            );
        }
        grant(&store, "watanabe", "system_manager", None, Some(made[0].id)).await;
        let sysman = caller(&app, &store, "watanabe").await;
        let code = a_control(&store).await;
        app.set_control_status(
            &sysman,
            &status(&code, StatusScope::System(made[0].id), "実施済"),
            None,
        )
        .await
        .unwrap();
        let e = app
            .set_control_status(
                &sysman,
                &status(&code, StatusScope::System(made[1].id), "実施済"),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}: {e}");
        // Staff of the owning unit (D04-S01) read the system's status.
        let page = app
            .controls_in_scope(
                &c.other_manager,
                StatusScope::System(made[0].id),
                Some("implemented"),
                None,
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 1, "{backend}");
        // A unit manager of another unit does not.
        let e = app
            .controls_in_scope(
                &c.manager,
                StatusScope::System(made[0].id),
                None,
                None,
                PageRequest::new(None, None),
            )
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}");
    }
}

#[tokio::test]
async fn evidence_is_checked_hashed_and_downloaded_only_by_readers() {
    for (backend, store, app) in demo_apps().await {
        let app = app.with_import_limits(ImportLimits {
            max_evidence_bytes: 1024,
            ..ImportLimits::default()
        });
        let c = cast(&store, &app).await;
        let code = a_control(&store).await;
        let saved = app
            .set_control_status(
                &c.manager,
                &status(&code, StatusScope::Unit(c.d02), "一部実施"),
                None,
            )
            .await
            .unwrap();
        let file = |bytes: Vec<u8>| EvidenceUpload::File {
            name: "C:\\fakepath\\手順書.pdf".into(),
            media_type: "application/pdf".into(),
            bytes,
        };
        let e = app
            .attach_status_evidence(&c.manager, saved.id, file(Vec::new()), "")
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-EVIDENCE-EMPTY"], "{backend}");
        let e = app
            .attach_status_evidence(&c.manager, saved.id, file(vec![b'x'; 1025]), "")
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-EVIDENCE-TOO-LARGE"], "{backend}");
        assert_eq!(e.class(), Class::TooLarge, "{backend}");
        let e = app
            .attach_status_evidence(
                &c.manager,
                saved.id,
                EvidenceUpload::Link {
                    url: "javascript:alert(1)".into(),
                },
                "",
            )
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-EVIDENCE-LINK"], "{backend}");
        // Staff may not attach; another unit's manager does not find the status.
        let e = app
            .attach_status_evidence(&c.staff, saved.id, file(b"%PDF".to_vec()), "")
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let e = app
            .attach_status_evidence(&c.other_manager, saved.id, file(b"%PDF".to_vec()), "")
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}");

        let ev = app
            .attach_status_evidence(
                &c.manager,
                saved.id,
                file(b"%PDF-1.7 evidence".to_vec()),
                "手順書",
            )
            .await
            .unwrap();
        assert_eq!(ev.file_name, "手順書.pdf", "{backend}");
        assert_eq!(ev.size, 17, "{backend}");
        app.attach_status_evidence(
            &c.manager,
            saved.id,
            EvidenceUpload::Link {
                url: "https://intra.example.lg.jp/proc/1".into(),
            },
            "",
        )
        .await
        .unwrap();
        let view = app.control_status_view(&c.staff, saved.id).await.unwrap();
        assert_eq!(view.evidence.len(), 2, "{backend}");
        // Downloads: readers of the status only.
        let (row, bytes) = app.evidence_download(&c.staff, ev.id).await.unwrap();
        assert_eq!(bytes, b"%PDF-1.7 evidence", "{backend}");
        assert_eq!(row.sha256.len(), 64, "{backend}");
        app.evidence_download(&c.auditor, ev.id).await.unwrap();
        let e = app
            .evidence_download(&c.other_manager, ev.id)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::NotFound, "{backend}");
        // The SHA-256 is in the log.
        let events = store
            .list_events(
                &EventFilter {
                    entity: Some("evidence".into()),
                    ..Default::default()
                },
                &AssetScope::unrestricted(),
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(events.total, 2, "{backend}");
        assert!(
            events.items[1]
                .after_json
                .as_deref()
                .unwrap()
                .contains(&row.sha256),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn systems_are_registered_edited_and_retired_by_those_who_may() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let form = SystemForm {
            code: "ZZQ-1".into(),
            name: "住民記録システム".into(),
            owner_unit_id: Some(c.d02),
            vendor: "株式会社ベンダー（クラウド）".into(),
            go_live_on: "令和2年4月1日".into(),
            ..Default::default()
        };
        let e = app.create_system(&c.staff, &form).await.unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let sys = app.create_system(&c.security, &form).await.unwrap();
        assert_eq!(sys.go_live_on.as_deref(), Some("2020-04-01"), "{backend}");
        let e = app.create_system(&c.security, &form).await.unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-SYSTEM-CODE-TAKEN"], "{backend}");
        // Bad input: every field at once.
        let e = app
            .create_system(
                &c.security,
                &SystemForm {
                    owner_unit_id: Some(999_999),
                    go_live_on: "2020-04-01".into(),
                    ends_on: "2019-01-01".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        let mut got = codes(&e);
        got.sort();
        assert_eq!(
            got,
            [
                "MAMORI-SYSTEM-CODE-EMPTY",
                "MAMORI-SYSTEM-DATES-ORDER",
                "MAMORI-SYSTEM-NAME-EMPTY",
                "MAMORI-SYSTEM-UNIT"
            ],
            "{backend}"
        );
        // Its 情報システム管理者 edits it; a 担当者 and a unit manager may not.
        grant(&store, "watanabe", "system_manager", None, Some(sys.id)).await;
        grant(&store, "yamamoto", "system_operator", None, Some(sys.id)).await;
        let sysman = caller(&app, &store, "watanabe").await;
        let operator = caller(&app, &store, "yamamoto").await;
        let edited = SystemForm {
            description: "住民基本台帳".into(),
            ..form.clone()
        };
        let e = app
            .update_system(&operator, sys.id, sys.revision, &edited)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let e = app
            .update_system(&c.manager, sys.id, sys.revision, &edited)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let after = app
            .update_system(&sysman, sys.id, sys.revision, &edited)
            .await
            .unwrap();
        assert_eq!(after.revision, 2, "{backend}");
        let e = app
            .update_system(&c.security, sys.id, sys.revision, &edited)
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-SYSTEM-STALE"], "{backend}");
        assert_eq!(e.class(), Class::Conflict, "{backend}");
        // The page names the role holders; everyone reads it.
        let view = app.system_view(&c.staff, sys.id).await.unwrap();
        let roles: Vec<_> = view.roles.iter().map(|r| r.display_name.as_str()).collect();
        assert_eq!(roles, ["渡辺 翔", "山本 大輔"], "{backend}");
        assert!(!view.may_edit, "{backend}");

        // Classification: the highest levels of its live assets.
        let mut a = entered(c.d02);
        a.system_id = sys.id.to_string();
        a.confidentiality = "3A".into();
        a.integrity = "2".into();
        app.create_asset(&c.security, &a).await.unwrap();
        let mut b = entered(c.d02);
        b.system_id = sys.id.to_string();
        b.availability = "2".into();
        b.integrity = "1".into();
        app.create_asset(&c.security, &b).await.unwrap();
        let view = app.system_view(&c.security, sys.id).await.unwrap();
        assert_eq!(
            view.class.confidentiality.as_deref(),
            Some("3A"),
            "{backend}"
        );
        assert_eq!(view.class.integrity.as_deref(), Some("2"), "{backend}");
        assert_eq!(view.class.availability.as_deref(), Some("2"), "{backend}");
        assert_eq!(view.class.assets, 2, "{backend}");

        // Retire: only the security office; then read-only.
        let e = app
            .retire_system(&sysman, sys.id, after.revision, "")
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let retired = app
            .retire_system(&c.security, sys.id, after.revision, "2030-03-31")
            .await
            .unwrap();
        assert_eq!(
            retired.retired_on.as_deref(),
            Some("2030-03-31"),
            "{backend}"
        );
        let e = app
            .update_system(&c.security, sys.id, retired.revision, &edited)
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-SYSTEM-RETIRED"], "{backend}");
        let listed = app
            .system_list(
                &c.staff,
                &SystemFilter::default(),
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert!(
            listed.items.iter().all(|l| l.system.code != "ZZQ-1"),
            "{backend}"
        );
        let listed = app
            .system_list(
                &c.staff,
                &SystemFilter {
                    include_retired: true,
                    q: Some("zzq".into()),
                    ..Default::default()
                },
                PageRequest::new(None, None),
            )
            .await
            .unwrap();
        assert_eq!(listed.total, 1, "{backend}");
    }
}

#[tokio::test]
async fn the_systems_sheet_round_trips_all_rows_or_none() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let d02 = store.unit(c.d02).await.unwrap();
        let csv = format!(
            "コード,名称,所管課,ネットワーク区分,概要,委託先・サービス,稼働開始日,終了日\n\
             SYS-1,文書管理,{},,,A社,2020-04-01,\n\
             SYS-2,財務会計,{},,,B社,2021-04-01,\n",
            d02.code, d02.name
        );
        let e = app
            .import_systems(&c.staff, csv.as_bytes(), LedgerFormat::Csv)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let (created, updated) = app
            .import_systems(&c.security, csv.as_bytes(), LedgerFormat::Csv)
            .await
            .unwrap();
        assert_eq!((created, updated), (2, 0), "{backend}");
        let bad =
            "コード,名称,所管課,稼働開始日\nSYS-3,新,存在しない課,2020-04-01\nSYS-4,,,いつか\n";
        let e = app
            .import_systems(&c.security, bad.as_bytes(), LedgerFormat::Csv)
            .await
            .unwrap_err();
        let rows: Vec<_> = e
            .problems()
            .iter()
            .map(|p| (p.row, p.field.clone().unwrap_or_default(), p.code))
            .collect();
        assert!(
            rows.contains(&(Some(2), "所管課".into(), "MAMORI-SYSTEM-UNIT")),
            "{backend}: {rows:?}"
        );
        assert!(
            rows.contains(&(Some(3), "名称".into(), "MAMORI-SYSTEM-NAME-EMPTY")),
            "{backend}: {rows:?}"
        );
        assert!(
            rows.contains(&(Some(3), "稼働開始日".into(), "MAMORI-SYSTEM-DATE")),
            "{backend}: {rows:?}"
        );
        assert!(
            store.system_by_code("SYS-3").await.unwrap().is_none(),
            "{backend}"
        );
        let xlsx = app
            .export_systems(&c.staff, LedgerFormat::Xlsx)
            .await
            .unwrap();
        let rows = mamori_sheet::testing::sheet_rows(&xlsx, mamori_app::systems::SYSTEM_SHEET);
        assert!(
            rows.iter().any(|r| r[0] == "SYS-2" && r[5] == "B社"),
            "{backend}"
        );
        // Read back as it was written: nothing changes.
        let (created, updated) = app
            .import_systems(&c.security, &xlsx, LedgerFormat::Xlsx)
            .await
            .unwrap();
        assert_eq!((created, updated), (0, 0), "{backend}");
    }
}

#[tokio::test]
async fn the_city_adds_its_own_controls_and_only_the_security_office_does() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let builtin = store
            .control_by_code(&a_control(&store).await)
            .await
            .unwrap();
        let threat = store
            .list_threats(&Default::default(), PageRequest::new(Some(1), Some(1)))
            .await
            .unwrap()
            .items[0]
            .code
            .clone();
        let form = ControlForm {
            category: builtin.category.clone(),
            chapter: builtin.chapter,
            name: "庁舎入退室の顔認証".into(),
            threats: threat.clone(),
            applies_kinds: "equipment".into(),
            applies_personal: "yes".into(),
            ..Default::default()
        };
        let e = app
            .create_city_control(&c.manager, &form)
            .await
            .unwrap_err();
        assert_eq!(e.class(), Class::Forbidden, "{backend}");
        let made = app.create_city_control(&c.security, &form).await.unwrap();
        assert_eq!(made.code, "C-001", "{backend}");
        assert!(!made.builtin, "{backend}");
        assert_eq!(made.threats, std::slice::from_ref(&threat), "{backend}");
        let second = app.create_city_control(&c.security, &form).await.unwrap();
        assert_eq!(second.code, "C-002", "{backend}");
        let e = app
            .create_city_control(
                &c.security,
                &ControlForm {
                    category: "nope".into(),
                    chapter: 99,
                    threats: "T-NOPE".into(),
                    applies_personal: "maybe".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        let mut got = codes(&e);
        got.sort();
        assert_eq!(
            got,
            [
                "MAMORI-CONTROL-APPLIES",
                "MAMORI-CONTROL-CATEGORY",
                "MAMORI-CONTROL-CHAPTER",
                "MAMORI-CONTROL-NAME-EMPTY",
                "MAMORI-CONTROL-THREAT"
            ],
            "{backend}"
        );
        let e = app
            .update_city_control(&c.security, &builtin.code, builtin.revision, &form)
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-CONTROL-BUILTIN"], "{backend}");
        let e = app
            .update_city_control(&c.security, "C-001", 7, &form)
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-CONTROL-STALE"], "{backend}");
        // A status can be recorded for the city's control; once retired, not.
        app.set_control_status(
            &c.manager,
            &status("C-001", StatusScope::Unit(c.d02), "未実施"),
            None,
        )
        .await
        .unwrap();
        app.retire_city_control(&c.security, "C-001", 1)
            .await
            .unwrap();
        let e = app
            .set_control_status(
                &c.manager,
                &status("C-001", StatusScope::Unit(c.d02), "実施済"),
                Some(1),
            )
            .await
            .unwrap_err();
        assert_eq!(codes(&e), ["MAMORI-CONTROL-UNKNOWN"], "{backend}");
    }
}

#[tokio::test]
async fn the_status_workbook_round_trips_and_a_bad_sheet_writes_nothing() {
    for (backend, store, app) in demo_apps().await {
        let c = cast(&store, &app).await;
        let mine = StatusScope::Unit(c.d02);
        let xlsx = app
            .export_control_status(&c.manager, Some(mine))
            .await
            .unwrap();
        let rows =
            mamori_sheet::testing::sheet_rows(&xlsx, mamori_sheet::status::CONTROL_STATUS_SHEET);
        let total = store
            .list_controls(&Default::default(), PageRequest::new(None, None))
            .await
            .unwrap()
            .total;
        assert_eq!(
            rows.len() as i64,
            total + 1,
            "{backend}: header and one row a control"
        );
        assert_eq!(rows[1][4], "課室", "{backend}");
        // Fill in three rows offline.
        let mut filled: Vec<Vec<String>> = rows[1..4].to_vec();
        filled[0][7] = "実施済".into();
        filled[1][7] = "一部実施".into();
        filled[1][9] = "tanaka".into();
        filled[1][10] = "2999-12-31".into();
        filled[2][7] = "対象外".into();
        filled[2][8] = "該当業務なし".into();
        let headers: Vec<&str> = rows[0].iter().map(String::as_str).collect();
        let file =
            mamori_sheet::status::plain_table(LedgerFormat::Xlsx, &headers, &filled).unwrap();
        // Staff may not set their unit's status: every row refused.
        let e = app
            .import_control_status(&c.staff, &file, LedgerFormat::Xlsx)
            .await
            .unwrap_err();
        assert!(
            codes(&e)
                .iter()
                .all(|c| *c == "MAMORI-STATUS-SCOPE-FORBIDDEN"),
            "{backend}"
        );
        let changed = app
            .import_control_status(&c.manager, &file, LedgerFormat::Xlsx)
            .await
            .unwrap();
        assert_eq!(changed, 3, "{backend}");
        // The export shows them; importing it again changes nothing.
        let again = app
            .export_control_status(&c.manager, Some(mine))
            .await
            .unwrap();
        let rows2 =
            mamori_sheet::testing::sheet_rows(&again, mamori_sheet::status::CONTROL_STATUS_SHEET);
        assert_eq!(rows2[2][7], "一部実施", "{backend}");
        assert_eq!(rows2[2][9], "田中 美咲", "{backend}");
        assert_eq!(
            app.import_control_status(&c.manager, &again, LedgerFormat::Xlsx)
                .await
                .unwrap(),
            0,
            "{backend}"
        );

        // A bad sheet: unknown control, state outside the list, past due
        // date, another unit's row; errors by row and column, nothing written.
        let d04 = store.unit(c.d04).await.unwrap();
        let mut bad = filled.clone();
        bad[0][0] = "S-NOPE".into();
        bad[1][7] = "ほぼ済".into();
        bad[2][7] = "未実施".into();
        bad[2][10] = "2001-04-01".into();
        let mut foreign = filled[0].clone();
        foreign[5] = d04.code.clone();
        bad.push(foreign);
        let mut good = filled[0].clone();
        good[0] = rows[5][0].clone();
        good[7] = "実施済".into();
        bad.push(good);
        let file = mamori_sheet::status::plain_table(LedgerFormat::Xlsx, &headers, &bad).unwrap();
        let e = app
            .import_control_status(&c.manager, &file, LedgerFormat::Xlsx)
            .await
            .unwrap_err();
        let got: Vec<_> = e
            .problems()
            .iter()
            .map(|p| (p.row.unwrap(), p.field.clone().unwrap(), p.code))
            .collect();
        assert_eq!(
            got,
            [
                (2, "対策コード".to_string(), "MAMORI-CONTROL-UNKNOWN"),
                (3, "実施状況".to_string(), "MAMORI-STATUS-STATE"),
                (4, "期限".to_string(), "MAMORI-STATUS-DUE-PAST"),
                (5, "対象コード".to_string(), "MAMORI-STATUS-SCOPE-FORBIDDEN"),
            ],
            "{backend}"
        );
        let after = app
            .export_control_status(&c.manager, Some(mine))
            .await
            .unwrap();
        let rows3 =
            mamori_sheet::testing::sheet_rows(&after, mamori_sheet::status::CONTROL_STATUS_SHEET);
        assert_eq!(rows3, rows2, "{backend}: nothing written");
    }
}

/// How many events the log holds.
async fn event_total(store: &Store) -> i64 {
    store
        .list_events(
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(1)),
        )
        .await
        .unwrap()
        .total
}

/// The systems and control-status imports read through the same budgets as
/// the ledger: each hostile workbook is refused quickly, naming the limit and
/// the cell, and nothing is written.
#[tokio::test]
async fn hostile_workbooks_are_refused_by_the_systems_and_status_imports() {
    use mamori_sheet::testing::hostile;
    for (backend, store, app) in demo_apps().await {
        let security = caller(&app, &store, "security").await;
        let small = app.clone().with_import_limits(ImportLimits {
            max_xlsx_unpacked_bytes: 4 << 20,
            max_cells: 1000,
            ..ImportLimits::default()
        });
        let before = event_total(&store).await;
        let mut cases: Vec<(String, Vec<u8>, LedgerFormat, &str)> = hostile::refused_by_default()
            .into_iter()
            .map(|(what, bytes, format, limit, _)| (what.to_string(), bytes, format, limit))
            .collect();
        cases.push((
            "16 MiB of whitespace".into(),
            hostile::whitespace_bomb(16 << 20),
            LedgerFormat::Xlsx,
            "import.max_xlsx_unpacked_bytes",
        ));
        cases.push((
            "a shared string of 8 MiB".into(),
            hostile::huge_shared_string(8 << 20),
            LedgerFormat::Xlsx,
            "import.max_xlsx_unpacked_bytes",
        ));
        for (what, bytes, format, limit) in &cases {
            let start = std::time::Instant::now();
            let systems = small
                .import_systems(&security, bytes, *format)
                .await
                .unwrap_err();
            let status = small
                .import_control_status(&security, bytes, *format)
                .await
                .unwrap_err();
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "{backend} {what}: {:?}",
                start.elapsed()
            );
            for (name, e) in [("systems", &systems), ("status", &status)] {
                assert_eq!(e.class(), Class::Invalid, "{backend} {what} {name}: {e:?}");
                let words: String = e
                    .problems()
                    .iter()
                    .map(|p| p.message(mamori_core::problem::Lang::En))
                    .collect();
                assert!(words.contains(limit), "{backend} {what} {name}: {words}");
            }
        }
        let after = event_total(&store).await;
        assert_eq!(before, after, "{backend}: nothing written");
    }
}
