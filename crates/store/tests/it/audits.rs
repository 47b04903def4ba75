//! Audits and self-inspections: templates and their frozen copies, campaigns
//! with a questionnaire per unit, answers saved with a revision, submission
//! of every mandatory item, return, reminders, and the figures.

use mamori_core::audit::Answer;
use mamori_store::assets::AssetScope;
use mamori_store::audits::{AnswerInput, ChecklistInput, InspectionInput, ItemInput, TargetFilter};
use mamori_store::events::{EventFilter, list_events};
use mamori_store::testing::all_stores;
use mamori_store::{Actor, PageRequest, Store, StoreError};

use super::fixtures::add_unit;

const OFFICE: Actor = Actor::System("test");

fn item(n: i64, chapter: i64, mandatory: bool) -> ItemInput {
    ItemInput {
        provision: format!("control:S{chapter}-0{n}"),
        chapter,
        question: format!("質問 {n}"),
        mandatory,
        evidence_hint: "規程".into(),
        method: "document".into(),
        answers: "done partial not_done not_applicable".into(),
    }
}

fn code(e: &StoreError) -> &str {
    match e {
        StoreError::Rejected(p) => p.code,
        other => panic!("not a problem: {other:?}"),
    }
}

async fn template(store: &Store) -> i64 {
    store
        .create_checklist(
            &OFFICE,
            &ChecklistInput {
                name: "標準".into(),
                description: String::new(),
                source: "controls".into(),
            },
            &[item(1, 1, true), item(2, 1, false), item(3, 2, true)],
        )
        .await
        .unwrap()
        .id
}

fn page() -> PageRequest {
    PageRequest::new(Some(1), Some(50))
}

#[tokio::test]
async fn a_campaign_freezes_its_checklist_and_takes_answers_with_revisions() {
    for (backend, store) in all_stores().await {
        let dept = add_unit(&store, None, "D1", "総務部").await;
        let a = add_unit(&store, Some(dept), "S1", "総務課").await;
        let b = add_unit(&store, Some(dept), "S2", "人事課").await;
        let tpl = template(&store).await;
        let n = store
            .open_inspection(
                &OFFICE,
                &InspectionInput {
                    title: "令和7年度".into(),
                    template_id: tpl,
                    target_kind: "unit".into(),
                    target_ids: vec![a, b],
                    deadline: "2999-12-31".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(n.targets, 2, "{backend}");
        assert_eq!(n.item_count, 3, "{backend}");
        assert_ne!(n.checklist_id, tpl, "{backend}: a copy");
        let frozen = store.checklist(n.checklist_id).await.unwrap();
        assert!(frozen.frozen, "{backend}");
        assert_eq!(frozen.copied_from, Some(tpl), "{backend}");
        // The copy cannot change; the template can, and the copy stays.
        let e = store
            .save_checklist_item(&OFFICE, n.checklist_id, 1, Some(1), &item(9, 1, true))
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-CHECKLIST-FROZEN", "{backend}");
        store
            .save_checklist_item(&OFFICE, tpl, 1, Some(1), &item(9, 1, true))
            .await
            .unwrap();
        let stale = store
            .save_checklist_item(&OFFICE, tpl, 1, None, &item(4, 1, true))
            .await
            .unwrap_err();
        assert_eq!(code(&stale), "MAMORI-CHECKLIST-STALE", "{backend}");
        let items = store.checklist_items(n.checklist_id).await.unwrap();
        assert_eq!(
            items[0].question, "質問 1",
            "{backend}: the copy kept its text"
        );

        // Answers: saved with the revision read; a stale save is refused.
        let t = store.inspection_target(n.id, a).await.unwrap();
        assert_eq!(t.state, "not_started", "{backend}");
        assert_eq!(t.target_name, "総務課", "{backend}");
        let answer = |i: usize, a: Answer| AnswerInput {
            item_id: items[i].id,
            answer: a,
            comment: String::new(),
        };
        let saved = store
            .save_answers(
                &OFFICE,
                &t,
                t.revision,
                &[answer(0, Answer::Done), answer(1, Answer::NotApplicable)],
                "2025-01-01",
            )
            .await
            .unwrap();
        assert_eq!(saved.state, "in_progress", "{backend}");
        assert_eq!(
            (saved.answered, saved.points, saved.applicable),
            (2, 2, 1),
            "{backend}"
        );
        let e = store
            .save_answers(
                &OFFICE,
                &t,
                t.revision,
                &[answer(2, Answer::Done)],
                "2025-01-01",
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-INSPECTION-STALE", "{backend}");
        // Nothing of the stale save was written.
        assert_eq!(
            store.target_answers(t.id).await.unwrap().len(),
            2,
            "{backend}"
        );
        // Submission wants every mandatory item.
        let e = store
            .submit_target(&OFFICE, &saved, saved.revision, "2025-01-01")
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-INSPECTION-MANDATORY-MISSING", "{backend}");
        let saved = store
            .save_answers(
                &OFFICE,
                &saved,
                saved.revision,
                &[answer(2, Answer::NotDone)],
                "2025-01-01",
            )
            .await
            .unwrap();
        let submitted = store
            .submit_target(&OFFICE, &saved, saved.revision, "2025-01-01")
            .await
            .unwrap();
        assert_eq!(submitted.state, "submitted", "{backend}");
        // After submission: no more answers.
        let e = store
            .save_answers(
                &OFFICE,
                &submitted,
                submitted.revision,
                &[answer(1, Answer::Done)],
                "2025-01-01",
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-INSPECTION-SUBMITTED", "{backend}");
        // After the deadline: none either.
        let other = store.inspection_target(n.id, b).await.unwrap();
        let e = store
            .save_answers(
                &OFFICE,
                &other,
                other.revision,
                &[answer(0, Answer::Done)],
                "3000-01-01",
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), "MAMORI-INSPECTION-CLOSED", "{backend}");

        // Progress, reminders and return.
        let submitted_only = store
            .inspection_targets(
                n.id,
                &TargetFilter {
                    state: Some(mamori_core::audit::TargetState::Submitted),
                },
                page(),
            )
            .await
            .unwrap();
        assert_eq!(submitted_only.total, 1, "{backend}");
        assert_eq!(
            store.remind_targets(&OFFICE, n.id).await.unwrap(),
            1,
            "{backend}"
        );
        assert_eq!(
            store.inspection_target(n.id, b).await.unwrap().reminders,
            1,
            "{backend}"
        );
        let e = store.return_target(&OFFICE, &other, "x").await.unwrap_err();
        assert_eq!(code(&e), "MAMORI-INSPECTION-NOT-SUBMITTED", "{backend}");
        let returned = store
            .return_target(&OFFICE, &submitted, "証跡を添えてください")
            .await
            .unwrap();
        assert_eq!(returned.state, "in_progress", "{backend}");
        assert_eq!(returned.returned_note, "証跡を添えてください", "{backend}");

        // Figures: done 2 + not_done 0 over 2 applicable → 50%.
        let totals = store.campaign_totals(n.id).await.unwrap();
        assert_eq!(
            (totals.targets, totals.points, totals.applicable),
            (2, 2, 2),
            "{backend}"
        );
        let chapters = store.chapter_scores(n.id).await.unwrap();
        assert_eq!(chapters.len(), 2, "{backend}");
        assert_eq!(
            (chapters[1].key, chapters[1].points, chapters[1].not_done),
            (2, 0, 1),
            "{backend}"
        );
        let weakest = store.weakest_items(n.id, 5).await.unwrap();
        assert_eq!(weakest[0].label, "質問 3", "{backend}");

        // A second campaign of the same template sees the first as previous.
        let n2 = store
            .open_inspection(
                &OFFICE,
                &InspectionInput {
                    title: "令和8年度".into(),
                    template_id: tpl,
                    target_kind: "unit".into(),
                    target_ids: vec![a],
                    deadline: "2999-12-31".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store.previous_inspection(&n2).await.unwrap(),
            Some(n.id),
            "{backend}"
        );
        assert_eq!(
            store.previous_inspection(&n).await.unwrap(),
            None,
            "{backend}"
        );

        // Every decision is in the log.
        let events = list_events(
            store.db(),
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
        let actions: Vec<(String, String)> = events
            .items
            .iter()
            .filter(|e| e.entity.starts_with("inspection") || e.entity == "checklist")
            .map(|e| (e.entity.clone(), e.action.clone()))
            .collect();
        for wanted in [
            ("checklist", "create"),
            ("checklist", "update"),
            ("inspection", "create"),
            ("inspection", "remind"),
            ("inspection_target", "answer"),
            ("inspection_target", "submit"),
            ("inspection_target", "return"),
        ] {
            assert!(
                actions.iter().any(|(e, a)| e == wanted.0 && a == wanted.1),
                "{backend}: {wanted:?} in {actions:?}"
            );
        }
    }
}
