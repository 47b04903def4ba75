//! Findings (issue 14 part 2): raised from a campaign's submitted answers
//! (mandatory 未実施 only, once per item, waived items left out), planned,
//! reported done, verified by someone other than the owner, closed only once
//! verified; stale steps refused; the scope of the list; every step in the
//! event log.

use mamori_core::audit::Answer;
use mamori_core::audit::finding::inspection_key;
use mamori_core::org::SystemRole;
use mamori_store::assets::AssetScope;
use mamori_store::audits::{AnswerInput, ChecklistInput, InspectionInput, ItemInput};
use mamori_store::events::{ChainVerdict, EventFilter, list_events};
use mamori_store::findings::{FindingFilter, FindingInput, FindingStep};
use mamori_store::ops::OpsScope;
use mamori_store::testing::all_stores;
use mamori_store::users::NewUser;
use mamori_store::{Actor, PageRequest, Store, StoreError};

use super::fixtures::add_unit;

const OFFICE: Actor = Actor::System("test");

fn code(e: &StoreError) -> &str {
    match e {
        StoreError::Rejected(p) => p.code,
        other => panic!("not a problem: {other:?}"),
    }
}

async fn user(store: &Store, name: &str, unit: i64) -> i64 {
    store
        .create_user(
            &OFFICE,
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

fn item(n: i64, mandatory: bool) -> ItemInput {
    ItemInput {
        provision: format!("control:S1-0{n}"),
        chapter: 1,
        question: format!("質問 {n}"),
        mandatory,
        evidence_hint: String::new(),
        method: "document".into(),
        answers: "done partial not_done not_applicable".into(),
    }
}

/// A campaign over one unit, submitted with item 1 (mandatory) and item 2
/// (recommended) 未実施 and item 3 (mandatory) 未実施: (inspection, target, items).
async fn submitted_campaign(store: &Store, unit: i64) -> (i64, i64, Vec<i64>) {
    let tpl = store
        .create_checklist(
            &OFFICE,
            &ChecklistInput {
                name: "標準".into(),
                description: String::new(),
                source: "controls".into(),
            },
            &[item(1, true), item(2, false), item(3, true)],
        )
        .await
        .unwrap()
        .id;
    let n = store
        .open_inspection(
            &OFFICE,
            &InspectionInput {
                title: "令和8年度".into(),
                template_id: tpl,
                target_kind: "unit".into(),
                target_ids: vec![unit],
                deadline: "2999-12-31".into(),
            },
        )
        .await
        .unwrap();
    let items: Vec<i64> = store
        .checklist_items(n.checklist_id)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let t = store.inspection_target(n.id, unit).await.unwrap();
    let answers: Vec<AnswerInput> = items
        .iter()
        .map(|i| AnswerInput {
            item_id: *i,
            answer: Answer::NotDone,
            comment: "未整備".into(),
        })
        .collect();
    let saved = store
        .save_answers(&OFFICE, &t, t.revision, &answers, "2026-01-01")
        .await
        .unwrap();
    store
        .submit_target(&OFFICE, &saved, saved.revision, "2026-01-01")
        .await
        .unwrap();
    (n.id, t.id, items)
}

#[tokio::test]
async fn findings_are_raised_once_from_a_campaign_and_followed_up_to_closure() {
    for (backend, store) in all_stores().await {
        let dept = add_unit(&store, None, "D1", "総務部").await;
        let a = add_unit(&store, Some(dept), "S1", "総務課").await;
        let b = add_unit(&store, Some(dept), "S2", "人事課").await;
        let owner = user(&store, "owner", a).await;
        let checker = user(&store, "checker", b).await;
        let (n, target, items) = submitted_campaign(&store, a).await;

        // Two mandatory items not done; the recommended one is not listed.
        let nd = store.not_done_items(n).await.unwrap();
        assert_eq!(nd.len(), 2, "{backend}: {nd:?}");
        // Waive the third item; it is not raised.
        store
            .waive_item(&OFFICE, checker, n, target, items[2], "更新予定")
            .await
            .unwrap();
        let inputs: Vec<FindingInput> = store
            .not_done_items(n)
            .await
            .unwrap()
            .into_iter()
            .filter(|i| i.waived_reason.is_none())
            .map(|i| FindingInput {
                severity: "medium".into(),
                provision: i.provision,
                unit_id: i.owner_unit_id,
                system_id: None,
                description: i.question,
                source_kind: "inspection".into(),
                source_key: Some(inspection_key(n, i.target_id, i.item_id)),
                source_ref: "令和8年度".into(),
            })
            .collect();
        assert_eq!(inputs.len(), 1, "{backend}");
        let made = store
            .raise_findings(&OFFICE, Some(checker), &inputs)
            .await
            .unwrap();
        assert_eq!(made.len(), 1, "{backend}");
        // Idempotent: raising again makes nothing.
        let again = store
            .raise_findings(&OFFICE, Some(checker), &inputs)
            .await
            .unwrap();
        assert!(again.is_empty(), "{backend}");
        let nd = store.not_done_items(n).await.unwrap();
        assert_eq!(nd[0].finding_id, Some(made[0].id), "{backend}");
        assert_eq!(
            nd[1].waived_reason.as_deref(),
            Some("更新予定"),
            "{backend}"
        );
        // A raised item cannot be waived.
        let e = store
            .waive_item(&OFFICE, checker, n, target, items[0], "x")
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-FINDING-WAIVE-RAISED", "{backend}");

        let f = made[0].clone();
        assert_eq!(f.state, "open", "{backend}");
        assert_eq!(f.unit_id, Some(a), "{backend}");
        // Closing without verification is refused, nothing written.
        let e = store
            .finding_step(
                &OFFICE,
                checker,
                f.id,
                f.revision,
                &FindingStep::Close {
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-FINDING-NOT-VERIFIED", "{backend}");
        // Done before planned: refused.
        let e = store
            .finding_step(
                &OFFICE,
                owner,
                f.id,
                f.revision,
                &FindingStep::Done {
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-FINDING-STATE", "{backend}");
        let planned = store
            .finding_step(
                &OFFICE,
                checker,
                f.id,
                f.revision,
                &FindingStep::Plan {
                    owner_id: owner,
                    due_on: "2026-03-31".into(),
                    plan: "規程を整備する".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(planned.state, "action_planned", "{backend}");
        assert_eq!(
            planned.owner_name.as_deref(),
            Some("owner さん"),
            "{backend}"
        );
        assert!(planned.overdue_on("2026-04-01"), "{backend}");
        assert!(!planned.overdue_on("2026-03-31"), "{backend}");
        // A stale step is refused.
        let e = store
            .finding_step(
                &OFFICE,
                owner,
                f.id,
                f.revision,
                &FindingStep::Done {
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-FINDING-STALE", "{backend}");
        let overdue = store
            .list_findings(
                &FindingFilter {
                    overdue_on: Some("2026-04-01".into()),
                    ..Default::default()
                },
                PageRequest::new(Some(1), Some(10)),
            )
            .await
            .unwrap();
        assert_eq!(overdue.total, 1, "{backend}");
        let done = store
            .finding_step(
                &OFFICE,
                owner,
                f.id,
                planned.revision,
                &FindingStep::Done {
                    note: "整備した".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(done.state, "done", "{backend}");
        // The owner cannot verify their own action.
        let e = store
            .finding_step(
                &OFFICE,
                owner,
                f.id,
                done.revision,
                &FindingStep::Verify {
                    accept: true,
                    note: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-FINDING-SELF-VERIFY", "{backend}");
        let verified = store
            .finding_step(
                &OFFICE,
                checker,
                f.id,
                done.revision,
                &FindingStep::Verify {
                    accept: true,
                    note: "確認".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(verified.state, "verified", "{backend}");
        assert_eq!(
            verified.verifier_name.as_deref(),
            Some("checker さん"),
            "{backend}"
        );
        let closed = store
            .finding_step(
                &OFFICE,
                checker,
                f.id,
                verified.revision,
                &FindingStep::Close {
                    note: String::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(closed.state, "closed", "{backend}");
        let notes = store.finding_notes(f.id).await.unwrap();
        let kinds: Vec<&str> = notes.iter().map(|n| n.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["raised", "planned", "done", "verified", "closed"],
            "{backend}"
        );

        // Scope: a manager of B sees nothing; the owner sees theirs.
        let scoped = |units: Vec<i64>, own: i64| FindingFilter {
            scope: OpsScope {
                units: Some(units),
                own,
            },
            ..Default::default()
        };
        let p = PageRequest::new(Some(1), Some(10));
        assert_eq!(
            store
                .list_findings(&scoped(vec![b], checker), p)
                .await
                .unwrap()
                .total,
            0,
            "{backend}"
        );
        assert_eq!(
            store
                .list_findings(&scoped(vec![], owner), p)
                .await
                .unwrap()
                .total,
            1,
            "{backend}"
        );
        assert_eq!(
            store
                .list_findings(&scoped(vec![a], checker), p)
                .await
                .unwrap()
                .total,
            1,
            "{backend}"
        );

        // Every step in the log.
        let events = list_events(
            store.db(),
            &EventFilter {
                entity: Some("finding".into()),
                ..Default::default()
            },
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(50)),
        )
        .await
        .unwrap();
        let verbs: Vec<String> = events.items.iter().map(|e| e.action.clone()).collect();
        for v in ["create", "plan", "complete", "verify", "close"] {
            assert!(
                verbs.contains(&v.to_string()),
                "{backend}: {v} in {verbs:?}"
            );
        }
        assert!(
            matches!(
                store.verify_chain().await.unwrap(),
                ChainVerdict::Intact { .. }
            ),
            "{backend}"
        );
    }
}
