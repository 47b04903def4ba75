//! Operations (issue 15): incidents with their timeline, escalation, reports
//! sent and closure; exceptions requested and decided; scopes of the lists;
//! every change in the event log; stale and closed records refused.

use mamori_core::org::SystemRole;
use mamori_store::assets::AssetScope;
use mamori_store::events::{EventFilter, list_events};
use mamori_store::ops::OpsScope;
use mamori_store::ops::exceptions::{ExceptionFilter, ExceptionInput};
use mamori_store::ops::incidents::{
    IncidentAssessment, IncidentClosure, IncidentFilter, IncidentInput,
};
use mamori_store::testing::all_stores;
use mamori_store::users::NewUser;
use mamori_store::{Actor, PageRequest, Store, StoreError};

use super::fixtures::add_unit;

const ACTOR: Actor = Actor::System("test");

pub(crate) async fn user(store: &Store, name: &str, unit: i64) -> i64 {
    store
        .create_user(
            &ACTOR,
            NewUser {
                username: name.into(),
                display_name: format!("{name} さん"),
                email: None,
                unit_id: Some(unit),
                roles: vec![SystemRole::Staff],
                password: "a long enough passphrase".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .id
}

fn report(title: &str, unit: i64, severity: &str) -> IncidentInput {
    IncidentInput {
        title: title.into(),
        description: "USBメモリを紛失".into(),
        noticed_at: "2026-04-01T00:30:00Z".into(),
        place: "本庁舎".into(),
        unit_id: Some(unit),
        assessment: IncidentAssessment {
            kind: "loss_theft".into(),
            severity: severity.into(),
            personal_info: true,
            affected: Some(120),
            publication: "undecided".into(),
            ..Default::default()
        },
        assets: Vec::new(),
        systems: Vec::new(),
    }
}

pub(crate) fn page() -> PageRequest {
    PageRequest::new(Some(1), Some(100))
}

pub(crate) fn problem_code(e: StoreError) -> &'static str {
    match e {
        StoreError::Rejected(p) => p.code,
        other => panic!("expected a problem, got {other:?}"),
    }
}

#[tokio::test]
async fn an_incident_climbs_the_line_is_acted_on_reported_and_closed() {
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "O1", "市民局").await;
        let tanaka = user(&store, "tanaka", unit).await;
        let kimura = user(&store, "kimura", unit).await;
        let i = store
            .create_incident(&ACTOR, tanaka, &report("USB紛失", unit, "high"))
            .await
            .unwrap();
        assert_eq!(i.step, "administrator", "{backend}");
        assert_eq!(i.state, "open");
        assert_eq!(i.reporter_name, "tanaka さん");
        assert_eq!(i.unit_name.as_deref(), Some("市民局"));
        let up = store
            .escalate_incident(&ACTOR, kimura, i.id, i.revision, "manager", "課長へ")
            .await
            .unwrap();
        assert_eq!(up.step, "manager");
        // A stale revision is refused, nothing written.
        let e = store
            .escalate_incident(&ACTOR, kimura, i.id, i.revision, "chief", "")
            .await
            .unwrap_err();
        assert_eq!(problem_code(e), "MAMORI-INCIDENT-STALE", "{backend}");
        store
            .add_incident_action(&ACTOR, kimura, i.id, "端末のパスワードを変更")
            .await
            .unwrap();
        let sent = store
            .record_incident_report(&ACTOR, kimura, i.id, "ppc_prompt", "2026-04-03", "電話")
            .await
            .unwrap();
        assert_eq!(sent.recorder_name.as_deref(), Some("kimura さん"));
        let e = store
            .record_incident_report(&ACTOR, kimura, i.id, "ppc_prompt", "2026-04-03", "")
            .await
            .unwrap_err();
        assert_eq!(problem_code(e), "MAMORI-INCIDENT-REPORT-SENT", "{backend}");
        let assessed = store
            .assess_incident(
                &ACTOR,
                kimura,
                i.id,
                up.revision,
                &IncidentAssessment {
                    kind: "loss_theft".into(),
                    severity: "critical".into(),
                    publication: "publish".into(),
                    ..Default::default()
                },
                "重大",
            )
            .await
            .unwrap();
        assert_eq!(assessed.severity, "critical");
        let closed = store
            .close_incident(
                &ACTOR,
                kimura,
                i.id,
                assessed.revision,
                &IncidentClosure {
                    causes: "持ち出し手順の不徹底".into(),
                    lessons: "暗号化".into(),
                    measures: "暗号化USBに限る".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(closed.state, "closed");
        assert_eq!(closed.closer_name.as_deref(), Some("kimura さん"));
        // A closed incident takes no more actions.
        let e = store
            .add_incident_action(&ACTOR, kimura, i.id, "追加")
            .await
            .unwrap_err();
        assert_eq!(problem_code(e), "MAMORI-INCIDENT-CLOSED");
        let timeline = store.incident_timeline(i.id).await.unwrap();
        let kinds: Vec<&str> = timeline.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "reported",
                "escalated",
                "action",
                "report_sent",
                "assessed",
                "closed"
            ],
            "{backend}"
        );
        assert!(timeline.iter().all(|t| !t.at.is_empty()));
        assert_eq!(timeline[1].step.as_deref(), Some("manager"));
        let reports = store.incident_reports(&[i.id]).await.unwrap();
        assert_eq!(reports.len(), 1);
        // Every change is in the event log.
        let logged = list_events(
            store.db(),
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
        let verbs: Vec<(&str, &str)> = logged
            .items
            .iter()
            .filter(|e| e.entity.starts_with("incident"))
            .map(|e| (e.entity.as_str(), e.action.as_str()))
            .collect();
        for expected in [
            ("incident", "create"),
            ("incident", "escalate"),
            ("incident", "record"),
            ("incident_report", "record"),
            ("incident", "update"),
            ("incident", "close"),
        ] {
            assert!(
                verbs.contains(&expected),
                "{backend}: {expected:?} in {verbs:?}"
            );
        }
    }
}

#[tokio::test]
async fn lists_keep_to_their_scope_and_put_the_serious_first() {
    for (backend, store) in all_stores().await {
        let a = add_unit(&store, None, "S1", "A局").await;
        let b = add_unit(&store, None, "S2", "B局").await;
        let ua = user(&store, "ua", a).await;
        let ub = user(&store, "ub", b).await;
        store
            .create_incident(&ACTOR, ua, &report("A低", a, "low"))
            .await
            .unwrap();
        store
            .create_incident(&ACTOR, ua, &report("A重大", a, "critical"))
            .await
            .unwrap();
        store
            .create_incident(&ACTOR, ub, &report("B中", b, "medium"))
            .await
            .unwrap();
        let all = store
            .list_incidents(&IncidentFilter::default(), page())
            .await
            .unwrap();
        assert_eq!(all.total, 3, "{backend}");
        assert_eq!(all.items[0].title, "A重大");
        // Unit B's manager sees B's; the reporter of A sees their own only.
        let b_only = IncidentFilter {
            scope: OpsScope {
                units: Some(vec![b]),
                own: -1,
            },
            ..Default::default()
        };
        let found = store.list_incidents(&b_only, page()).await.unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.items[0].title, "B中");
        let own = IncidentFilter {
            scope: OpsScope {
                units: Some(Vec::new()),
                own: ub,
            },
            ..Default::default()
        };
        assert_eq!(store.list_incidents(&own, page()).await.unwrap().total, 1);
        let severe = IncidentFilter {
            severity: Some("critical".into()),
            ..Default::default()
        };
        assert_eq!(store.all_incidents(&severe).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn an_exception_is_decided_once_and_its_list_keeps_to_its_scope() {
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "E1", "情報政策課").await;
        let other = add_unit(&store, None, "E2", "財政課").await;
        let asker = user(&store, "asker", unit).await;
        let ciso = user(&store, "ciso", unit).await;
        let input = ExceptionInput {
            deviation: "S4-01".into(),
            reason: "更新中".into(),
            compensating: "監視".into(),
            unit_id: Some(unit),
            scope_units: vec![unit],
            starts_on: "2026-04-01".into(),
            ends_on: "2026-06-30".into(),
            ..Default::default()
        };
        let e = store.create_exception(&ACTOR, asker, &input).await.unwrap();
        assert_eq!(e.state, "pending", "{backend}");
        assert_eq!(e.scope_units, unit.to_string());
        let approved = store
            .decide_exception(&ACTOR, ciso, e.id, e.revision, "approved", "条件付き")
            .await
            .unwrap();
        assert_eq!(approved.state, "approved");
        assert_eq!(approved.decider_name.as_deref(), Some("ciso さん"));
        assert!(!approved.expired_on("2026-06-30"));
        assert!(approved.expired_on("2026-07-01"));
        let again = store
            .decide_exception(&ACTOR, ciso, e.id, approved.revision, "refused", "")
            .await
            .unwrap_err();
        assert_eq!(problem_code(again), "MAMORI-EXCEPTION-DECIDED", "{backend}");
        let renewal = store
            .create_exception(
                &ACTOR,
                asker,
                &ExceptionInput {
                    renewed_from: Some(e.id),
                    ends_on: "2026-09-30".into(),
                    ..input.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(renewal.renewed_from, Some(e.id));
        let expiring = store
            .all_exceptions(&ExceptionFilter {
                state: Some("approved".into()),
                ends_by: Some("2026-07-01".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(expiring.len(), 1);
        let foreign = ExceptionFilter {
            scope: OpsScope {
                units: Some(vec![other]),
                own: -1,
            },
            ..Default::default()
        };
        assert_eq!(
            store.list_exceptions(&foreign, page()).await.unwrap().total,
            0
        );
        let logged = list_events(
            store.db(),
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
        let verbs: Vec<&str> = logged
            .items
            .iter()
            .filter(|e| e.entity == "exception")
            .map(|e| e.action.as_str())
            .collect();
        for v in ["request", "approve", "renew"] {
            assert!(verbs.contains(&v), "{backend}: {v} in {verbs:?}");
        }
    }
}
