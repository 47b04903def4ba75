//! Operations, part 2 (issue 15): permissions asked, decided once, returned
//! only once granted, overdue when past their end; violations recorded with
//! their incident; lists keep to their scope; every change in the log.

use mamori_store::assets::AssetScope;
use mamori_store::events::{EventFilter, list_events};
use mamori_store::ops::OpsScope;
use mamori_store::ops::permissions::{PermissionFilter, PermissionInput};
use mamori_store::ops::violations::{ViolationFilter, ViolationInput};
use mamori_store::testing::all_stores;
use mamori_store::{Actor, PageRequest};

use super::fixtures::add_unit;
use super::ops::{page, problem_code, user};

const ACTOR: Actor = Actor::System("test");

#[tokio::test]
async fn a_permission_is_decided_once_returned_once_granted_and_overdue_past_its_end() {
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "P1", "市民課").await;
        let other = add_unit(&store, None, "P2", "税務課").await;
        let asker = user(&store, "asker", unit).await;
        let kacho = user(&store, "kacho", unit).await;
        let input = PermissionInput {
            kind: "take_out".into(),
            what: "ノートPC".into(),
            reason: "出張先での説明会".into(),
            assets: vec![],
            starts_on: "2026-04-01".into(),
            until_on: "2026-04-03".into(),
            unit_id: Some(unit),
        };
        let p = store
            .create_permission(&ACTOR, asker, &input)
            .await
            .unwrap();
        assert_eq!(p.state, "pending", "{backend}");
        assert_eq!(p.requester_name, "asker さん");
        // Returned before it was granted: refused, nothing written.
        let early = store
            .return_permission(&ACTOR, asker, p.id, p.revision, "2026-04-02", "")
            .await
            .unwrap_err();
        assert_eq!(
            problem_code(early),
            "MAMORI-PERMISSION-NOT-GRANTED",
            "{backend}"
        );
        let granted = store
            .decide_permission(&ACTOR, kacho, p.id, p.revision, "granted", "暗号化済み")
            .await
            .unwrap();
        assert_eq!(granted.state, "granted");
        assert_eq!(granted.decider_name.as_deref(), Some("kacho さん"));
        assert!(!granted.overdue_on("2026-04-03"));
        assert!(granted.overdue_on("2026-04-04"));
        let again = store
            .decide_permission(&ACTOR, kacho, p.id, granted.revision, "refused", "")
            .await
            .unwrap_err();
        assert_eq!(
            problem_code(again),
            "MAMORI-PERMISSION-DECIDED",
            "{backend}"
        );
        let stale = store
            .return_permission(&ACTOR, asker, p.id, p.revision, "2026-04-03", "")
            .await
            .unwrap_err();
        assert_eq!(problem_code(stale), "MAMORI-PERMISSION-STALE", "{backend}");
        let overdue = store
            .all_permissions(&PermissionFilter {
                state: Some("granted".into()),
                until_before: Some("2026-04-04".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1, "{backend}");
        let back = store
            .return_permission(
                &ACTOR,
                asker,
                p.id,
                granted.revision,
                "2026-04-03",
                "異常なし",
            )
            .await
            .unwrap();
        assert_eq!(back.state, "returned");
        assert_eq!(back.returned_on.as_deref(), Some("2026-04-03"));
        assert_eq!(back.returner_name.as_deref(), Some("asker さん"));
        let foreign = PermissionFilter {
            scope: OpsScope {
                units: Some(vec![other]),
                own: -1,
            },
            ..Default::default()
        };
        assert_eq!(
            store
                .list_permissions(&foreign, page())
                .await
                .unwrap()
                .total,
            0
        );
        let own = PermissionFilter {
            scope: OpsScope {
                units: Some(vec![]),
                own: asker,
            },
            kind: Some("take_out".into()),
            ..Default::default()
        };
        assert_eq!(store.list_permissions(&own, page()).await.unwrap().total, 1);
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
            .filter(|e| e.entity == "permission")
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(verbs.len(), 3, "{backend}: {verbs:?}");
        for v in ["request", "approve", "record_return"] {
            assert!(verbs.contains(&v), "{backend}: {v} in {verbs:?}");
        }
    }
}

#[tokio::test]
async fn a_violation_is_recorded_with_its_person_and_incident_and_kept_to_its_unit() {
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "V1", "市民課").await;
        let other = add_unit(&store, None, "V2", "税務課").await;
        let who = user(&store, "ihan", unit).await;
        let sec = user(&store, "sec", other).await;
        let v = store
            .create_violation(
                &ACTOR,
                sec,
                &ViolationInput {
                    what: "パスワードを付箋で掲示".into(),
                    found_on: "2026-05-01".into(),
                    found_by: "巡回点検".into(),
                    offender_id: Some(who),
                    unit_id: Some(unit),
                    action: "instruction".into(),
                    action_note: "口頭で指導".into(),
                    incident_id: None,
                    finding_id: Some(42),
                },
            )
            .await
            .unwrap();
        assert_eq!(v.offender_name.as_deref(), Some("ihan さん"), "{backend}");
        assert_eq!(v.recorder_name, "sec さん");
        assert_eq!(v.finding_id, Some(42));
        let theirs = ViolationFilter {
            scope: OpsScope {
                units: Some(vec![unit]),
                own: -1,
            },
            ..Default::default()
        };
        assert_eq!(
            store.list_violations(&theirs, page()).await.unwrap().total,
            1
        );
        let foreign = ViolationFilter {
            scope: OpsScope {
                units: Some(vec![other]),
                own: -1,
            },
            action: Some("instruction".into()),
        };
        assert_eq!(
            store.list_violations(&foreign, page()).await.unwrap().total,
            0
        );
        assert_eq!(store.violation(v.id).await.unwrap(), v);
        let logged = list_events(
            store.db(),
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
        assert_eq!(
            logged
                .items
                .iter()
                .filter(|e| e.entity == "violation" && e.action == "record")
                .count(),
            1,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_contractor_keeps_its_criteria_contracts_staff_assessments_and_services() {
    use mamori_store::ops::outsourcing::{
        AssessmentInput, ContractInput, ContractorFilter, ContractorInput, ServiceFilter,
        ServiceInput,
    };
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "C1", "情報政策課").await;
        let sec = user(&store, "sec", unit).await;
        let c = store
            .create_contractor(
                &ACTOR,
                &ContractorInput {
                    name: "株式会社みなと情報".into(),
                    business: "住民記録システムの保守".into(),
                    systems: vec![],
                    highest_class: "3".into(),
                    data_location: "国内（東京都）".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(c.next_due, None, "{backend}");
        let met = vec!["certification".to_string(), "track_record".to_string()];
        let c2 = store
            .set_contractor_criteria(&ACTOR, c.id, c.revision, &met, "ISMS認証書を確認")
            .await
            .unwrap();
        assert_eq!(c2.criteria_met, "certification track_record");
        let stale = store
            .set_contractor_criteria(&ACTOR, c.id, c.revision, &met, "")
            .await
            .unwrap_err();
        assert_eq!(problem_code(stale), "MAMORI-CONTRACTOR-STALE", "{backend}");
        let k = store
            .create_contract(
                &ACTOR,
                c.id,
                &ContractInput {
                    title: "保守委託契約".into(),
                    starts_on: "2026-04-01".into(),
                    ends_on: Some("2027-03-31".into()),
                    clauses: vec!["confidentiality".into(), "audit_rights".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(k.contractor_name, "株式会社みなと情報");
        assert_eq!(store.contracts(Some(c.id)).await.unwrap().len(), 1);
        assert_eq!(store.contracts(None).await.unwrap().len(), 1);
        store
            .add_contractor_staff(&ACTOR, c.id, Some(sec), "")
            .await
            .unwrap();
        store
            .add_contractor_staff(&ACTOR, c.id, None, "港 太郎")
            .await
            .unwrap();
        let staff = store.contractor_staff(c.id).await.unwrap();
        let names: Vec<&str> = staff.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["sec さん", "港 太郎"], "{backend}");
        store
            .add_assessment(
                &ACTOR,
                sec,
                c.id,
                &AssessmentInput {
                    assessed_on: "2026-05-01".into(),
                    result: "概ね良好".into(),
                    follow_up: "入退室記録の改善".into(),
                    next_due: "2027-05-01".into(),
                },
            )
            .await
            .unwrap();
        let c3 = store.contractor(c.id).await.unwrap();
        assert_eq!(c3.last_assessed.as_deref(), Some("2026-05-01"), "{backend}");
        assert_eq!(c3.next_due.as_deref(), Some("2027-05-01"));
        assert_eq!(store.contractor_assessments(c.id).await.unwrap().len(), 1);
        let s = store
            .create_service(
                &ACTOR,
                &ServiceInput {
                    name: "文書共有クラウド".into(),
                    contractor_id: Some(c.id),
                    cloud: true,
                    purpose: "庁内の文書共有".into(),
                    systems: vec![],
                    highest_class: "2".into(),
                    data_location: "国内".into(),
                    ismap: true,
                    ismap_id: "C00000".into(),
                    alpha_prime: true,
                    ranges: vec!["203.0.113.0/24".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(s.contractor_name.as_deref(), Some("株式会社みなと情報"));
        assert!(s.alpha_prime && s.ismap && s.cloud, "{backend}");
        assert_eq!(
            store
                .list_services(
                    &ServiceFilter {
                        alpha_prime: Some(true),
                        ..Default::default()
                    },
                    page()
                )
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            store
                .list_services(
                    &ServiceFilter {
                        alpha_prime: Some(false),
                        ..Default::default()
                    },
                    page()
                )
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            store
                .list_contractors(&ContractorFilter::default(), page())
                .await
                .unwrap()
                .total,
            1
        );
        let logged = list_events(
            store.db(),
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
        for entity in [
            "contractor",
            "contract",
            "contractor_staff",
            "contractor_assessment",
            "external_service",
        ] {
            assert!(
                logged.items.iter().any(|e| e.entity == entity),
                "{backend}: {entity} logged"
            );
        }
    }
}

// --- h15 ---

/// The contractors and services lists filter in SQL: text, system, highest
/// class, assessment due/overdue, contracts lacking clauses; ISMAP and α'.
/// A service keeps its address ranges, and `services_named` finds every
/// service of a name in one query.
#[tokio::test]
async fn contractors_and_services_are_filtered_in_sql() {
    use mamori_store::assets::NewInformationSystem;
    use mamori_store::ops::outsourcing::{
        AssessmentDue, AssessmentInput, ContractInput, ContractorFilter, ContractorInput,
        ServiceFilter, ServiceInput,
    };
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "F1", "情報政策課").await;
        let sec = user(&store, "sec", unit).await;
        let sys = store
            .create_information_system(
                &ACTOR,
                NewInformationSystem {
                    code: "SYS-F".into(),
                    name: "住民記録".into(),
                    owner_unit_id: Some(unit),
                    segment_id: None,
                    description: String::new(),
                },
            )
            .await
            .unwrap();
        let contractor = |name: &str, systems: Vec<i64>, class: &str| ContractorInput {
            name: name.into(),
            business: "保守".into(),
            systems,
            highest_class: class.into(),
            data_location: "国内".into(),
        };
        let a = store
            .create_contractor(&ACTOR, &contractor("Alpha保守株式会社", vec![sys.id], "3"))
            .await
            .unwrap();
        let b = store
            .create_contractor(&ACTOR, &contractor("ベータ印刷", vec![], "2"))
            .await
            .unwrap();
        let c = store
            .create_contractor(&ACTOR, &contractor("ガンマ_100%", vec![], "2"))
            .await
            .unwrap();
        // a: assessed, next due long past; b: never assessed; c: next due later.
        for (id, next) in [(a.id, "2020-01-01"), (c.id, "2099-01-01")] {
            store
                .add_assessment(
                    &ACTOR,
                    sec,
                    id,
                    &AssessmentInput {
                        assessed_on: "2019-01-01".into(),
                        result: "良好".into(),
                        follow_up: String::new(),
                        next_due: next.into(),
                    },
                )
                .await
                .unwrap();
        }
        // b's contract lacks audit_rights; a's has both codes asked about.
        for (id, clauses) in [
            (a.id, vec!["confidentiality", "audit_rights"]),
            (b.id, vec!["confidentiality"]),
        ] {
            store
                .create_contract(
                    &ACTOR,
                    id,
                    &ContractInput {
                        title: "契約".into(),
                        starts_on: "2026-01-01".into(),
                        ends_on: None,
                        clauses: clauses.into_iter().map(String::from).collect(),
                    },
                )
                .await
                .unwrap();
        }
        let names = |f: ContractorFilter| {
            let store = &store;
            async move {
                let p = store.list_contractors(&f, page()).await.unwrap();
                let mut n: Vec<String> = p.items.into_iter().map(|c| c.name).collect();
                n.sort();
                assert_eq!(n.len() as i64, p.total, "the count follows the filter");
                n
            }
        };
        let today = "2026-06-01".to_string();
        assert_eq!(
            names(ContractorFilter {
                q: Some("alpha".into()),
                ..Default::default()
            })
            .await,
            vec!["Alpha保守株式会社"],
            "{backend}: case-insensitive text"
        );
        assert_eq!(
            names(ContractorFilter {
                q: Some("_100%".into()),
                ..Default::default()
            })
            .await,
            vec!["ガンマ_100%"],
            "{backend}: LIKE characters are literal"
        );
        assert_eq!(
            names(ContractorFilter {
                system: Some(sys.id),
                ..Default::default()
            })
            .await,
            vec!["Alpha保守株式会社"]
        );
        assert_eq!(
            names(ContractorFilter {
                class: Some("2".into()),
                ..Default::default()
            })
            .await,
            vec!["ガンマ_100%", "ベータ印刷"]
        );
        assert_eq!(
            names(ContractorFilter {
                assessment: Some(AssessmentDue::Due),
                today: today.clone(),
                ..Default::default()
            })
            .await,
            vec!["Alpha保守株式会社", "ベータ印刷"],
            "{backend}: due includes never assessed"
        );
        assert_eq!(
            names(ContractorFilter {
                assessment: Some(AssessmentDue::Overdue),
                today: today.clone(),
                ..Default::default()
            })
            .await,
            vec!["Alpha保守株式会社"]
        );
        assert_eq!(
            names(ContractorFilter {
                missing_clauses: Some(vec!["confidentiality".into(), "audit_rights".into()]),
                ..Default::default()
            })
            .await,
            vec!["ベータ印刷"],
            "{backend}: a contract lacking a clause"
        );
        assert_eq!(
            store
                .filtered_contractors(&ContractorFilter {
                    class: Some("3".into()),
                    ..Default::default()
                })
                .await
                .unwrap()
                .len(),
            1
        );

        let service = |name: &str, ismap: bool, alpha: bool, ranges: Vec<&str>| ServiceInput {
            name: name.into(),
            contractor_id: Some(b.id),
            cloud: true,
            purpose: "メール".into(),
            systems: if alpha { vec![sys.id] } else { vec![] },
            highest_class: "2".into(),
            data_location: "国内".into(),
            ismap,
            ismap_id: if ismap { "C1".into() } else { String::new() },
            alpha_prime: alpha,
            ranges: ranges.into_iter().map(String::from).collect(),
        };
        let mail = store
            .create_service(
                &ACTOR,
                &service(
                    "クラウドメール",
                    true,
                    true,
                    vec!["203.0.113.0/24", "2001:db8::/32"],
                ),
            )
            .await
            .unwrap();
        assert_eq!(mail.ranges, "203.0.113.0/24\n2001:db8::/32", "{backend}");
        store
            .create_service(&ACTOR, &service("電子申請", true, false, vec![]))
            .await
            .unwrap();
        store
            .create_service(&ACTOR, &service("クラウドメール", false, false, vec![]))
            .await
            .unwrap();
        let count = |f: ServiceFilter| {
            let store = &store;
            async move {
                let p = store.list_services(&f, page()).await.unwrap();
                assert_eq!(p.items.len() as i64, p.total);
                p.total
            }
        };
        assert_eq!(count(ServiceFilter::default()).await, 3, "{backend}");
        assert_eq!(
            count(ServiceFilter {
                ismap: Some(true),
                ..Default::default()
            })
            .await,
            2
        );
        assert_eq!(
            count(ServiceFilter {
                alpha_prime: Some(true),
                system: Some(sys.id),
                ..Default::default()
            })
            .await,
            1
        );
        assert_eq!(
            count(ServiceFilter {
                q: Some("ベータ".into()),
                ..Default::default()
            })
            .await,
            3,
            "{backend}: the provider's name is searched too"
        );
        assert_eq!(
            store
                .all_services(&ServiceFilter {
                    ismap: Some(false),
                    ..Default::default()
                })
                .await
                .unwrap()
                .len(),
            1
        );
        let named = store
            .services_named(&["クラウドメール".into(), "ない".into()])
            .await
            .unwrap();
        assert_eq!(named.len(), 2, "{backend}: both of that name");
        assert!(store.services_named(&[]).await.unwrap().is_empty());
    }
}
