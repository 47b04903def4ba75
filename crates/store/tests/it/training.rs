use mamori_core::org::{EmploymentType, SystemRole, UnitKind};
use mamori_store::assets::LedgerFormat;
use mamori_store::events::{ChainVerdict, EventFilter, list_events, verify_chain};
use mamori_store::org::{NewAckCampaign, NewRoleAssignment};
use mamori_store::testing::all_stores;

use super::fixtures::new_unit as unit;
use super::fixtures::{ack_book, import_completions_file, training_book};
use mamori_sheet::status::{ACK_SHEET, TRAINING_SHEET};
use mamori_store::training::{
    CompletionSource, CourseUpdate, NewCompletion, NewCourse, NewTrainingAssignment, TrainingScope,
};
use mamori_store::users::{NewUser, UserUpdate};
use mamori_store::{Actor, PageRequest, Store, StoreError};

async fn person(store: &Store, name: &str, unit: i64, et: EmploymentType) -> i64 {
    let actor = Actor::System("test");
    let u = store
        .create_user(
            &actor,
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
        .unwrap();
    store.set_staff_profile(&actor, u.id, et, "").await.unwrap();
    u.id
}

fn course(code: &str, kind: &str, valid_months: Option<i64>) -> NewCourse {
    NewCourse {
        code: code.into(),
        title: format!("{code} 研修"),
        title_en: String::new(),
        description: String::new(),
        kind: kind.into(),
        valid_months,
    }
}

fn assign(course_id: i64, kind: &str, target: &str, due: &str) -> NewTrainingAssignment {
    NewTrainingAssignment {
        course_id,
        target_kind: kind.into(),
        target: target.into(),
        due_on: due.into(),
        note: String::new(),
    }
}

fn field_of(e: &StoreError) -> String {
    match e {
        StoreError::Invalid { field, .. } => field.clone(),
        StoreError::Rejected(p) if p.class() == mamori_core::problem::Class::Invalid => {
            p.field.clone().unwrap_or_default()
        }
        other => format!("not invalid: {other}"),
    }
}

/// The rows of the first sheet of a workbook, as text.
pub fn sheet_rows(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    mamori_sheet::testing::sheet_rows(bytes, name)
}

async fn events_of(store: &Store, entity: &str) -> i64 {
    list_events(
        store.db(),
        &EventFilter {
            entity: Some(entity.into()),
            entity_id: None,
            ..Default::default()
        },
        &mamori_store::assets::AssetScope::unrestricted(),
        PageRequest::new(Some(1), Some(1)),
    )
    .await
    .unwrap()
    .total
}

/// The training city most tests start from: a department D with sections A
/// (and team T below it) and B; people a1, kacho (A), a2 (T, fiscal-year),
/// b1 and b2 (B; b2 has left); kacho is A's 情報セキュリティ管理者; courses
/// SEC-Y (yearly, 12 months) and MN-1 (My Number); a2 completed SEC-Y recently
/// enough, a1 too long ago; SEC-Y assigned to everyone, due 2020-06-30.
struct TrainingCity {
    actor: Actor,
    a: mamori_store::units::Unit,
    a1: i64,
    a2: i64,
    kacho: i64,
    y: mamori_store::training::Course,
    mn: mamori_store::training::Course,
    everyone: mamori_store::training::TrainingAssignment,
}

async fn training_city(store: &Store) -> TrainingCity {
    let actor = Actor::System("test");
    let d = store
        .create_unit(&actor, unit("D", None, UnitKind::Department))
        .await
        .unwrap();
    let a = store
        .create_unit(&actor, unit("A", Some(d.id), UnitKind::Section))
        .await
        .unwrap();
    let t = store
        .create_unit(&actor, unit("T", Some(a.id), UnitKind::Team))
        .await
        .unwrap();
    let b = store
        .create_unit(&actor, unit("B", Some(d.id), UnitKind::Section))
        .await
        .unwrap();
    let a1 = person(store, "a1", a.id, EmploymentType::Regular).await;
    let a2 = person(store, "a2", t.id, EmploymentType::FiscalYear).await;
    let _b1 = person(store, "b1", b.id, EmploymentType::Regular).await;
    let b2 = person(store, "b2", b.id, EmploymentType::FiscalYear).await;
    let kacho = person(store, "kacho", a.id, EmploymentType::Regular).await;
    store
        .update_user(
            &actor,
            b2,
            UserUpdate {
                display_name: None,
                email: None,
                unit_id: None,
                roles: None,
                active: Some(false),
            },
        )
        .await
        .unwrap();
    store
        .assign_role(
            &actor,
            NewRoleAssignment {
                user_id: kacho,
                role: "security_administrator".into(),
                unit_id: Some(a.id),
                system_id: None,
                starts_on: "2020-04-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();

    // Courses, checked.
    let y = store
        .create_course(&actor, course("SEC-Y", "yearly", Some(12)))
        .await
        .unwrap();
    let mn = store
        .create_course(&actor, course("MN-1", "my_number", None))
        .await
        .unwrap();
    // Completions recorded before the assignment: a2's is recent enough for
    // the yearly course's 12 months, a1's is not.
    store
        .record_completion(
            &actor,
            NewCompletion {
                user_id: a1,
                course_id: y.id,
                completed_on: "2019-01-10".into(),
            },
            CompletionSource::Entered,
        )
        .await
        .unwrap();
    store
        .record_completion(
            &actor,
            NewCompletion {
                user_id: a2,
                course_id: y.id,
                completed_on: "2020-02-01".into(),
            },
            CompletionSource::Entered,
        )
        .await
        .unwrap();

    // Assignments materialise one request per matching active person.
    let everyone = store
        .assign_training(&actor, assign(y.id, "everyone", "", "2020-06-30"))
        .await
        .unwrap();
    TrainingCity {
        actor,
        a,
        a1,
        a2,
        kacho,
        y,
        mn,
        everyone,
    }
}

/// A course is checked field by field, and a code is used once.
#[tokio::test]
async fn courses_are_checked_and_their_codes_unique() {
    for (backend, store) in all_stores().await {
        let TrainingCity { actor, y, .. } = training_city(&store).await;
        assert_eq!(y.valid_months, Some(12), "{backend}");
        for (bad, field) in [
            (course(" ", "yearly", None), "code"),
            (course("X", "weekly", None), "kind"),
            (course("X", "yearly", Some(0)), "valid_months"),
        ] {
            let e = store.create_course(&actor, bad).await.unwrap_err();
            assert_eq!(field_of(&e), field, "{backend}: {e}");
        }
        assert!(matches!(
            store
                .create_course(&actor, course("SEC-Y", "yearly", None))
                .await
                .unwrap_err(),
            StoreError::Rejected(p) if p.code == "MAMORI-TRAINING-COURSE-EXISTS"
        ));
        let courses = store.list_courses(PageRequest::default()).await.unwrap();
        assert_eq!(courses.total, 2, "{backend}");
    }
}

/// An assignment asks everyone it targets (by all, employment type, unit
/// with the units below, role), leaving out who has left; bad targets are
/// refused field by field.
#[tokio::test]
async fn assignments_ask_each_matching_active_person() {
    for (backend, store) in all_stores().await {
        let TrainingCity {
            actor,
            a,
            y,
            mn,
            everyone,
            ..
        } = training_city(&store).await;
        assert_eq!(
            (everyone.requested, everyone.completed),
            (4, 1),
            "{backend}: a1, a2, b1, kacho; b2 has left"
        );
        assert_eq!(everyone.counts_from.as_deref(), Some("2019-06-30"));
        let fiscal = store
            .assign_training(
                &actor,
                assign(mn.id, "employment_type", "fiscal_year", "2999-12-31"),
            )
            .await
            .unwrap();
        assert_eq!(fiscal.requested, 1, "{backend}: a2 only");
        let unit_a = store
            .assign_training(
                &actor,
                assign(mn.id, "unit", &a.id.to_string(), "2999-12-31"),
            )
            .await
            .unwrap();
        assert_eq!(unit_a.requested, 3, "{backend}: a1, kacho and a2 below");
        let role = store
            .assign_training(
                &actor,
                assign(mn.id, "role", "security_administrator", "2999-12-31"),
            )
            .await
            .unwrap();
        assert_eq!(role.requested, 1, "{backend}: kacho");
        for (bad, field) in [
            (assign(y.id, "all", "", "2026-01-01"), "target_kind"),
            (assign(y.id, "role", "mayor", "2026-01-01"), "target"),
            (assign(y.id, "unit", "A", "2026-01-01"), "target"),
            (assign(y.id, "unit", "99999", "2026-01-01"), "target"),
            (
                assign(y.id, "employment_type", "temp", "2026-01-01"),
                "target",
            ),
            (assign(y.id, "everyone", "", "31/12/2026"), "due_on"),
            (assign(99999, "everyone", "", "2026-01-01"), "course_id"),
        ] {
            let e = store.assign_training(&actor, bad).await.unwrap_err();
            assert_eq!(field_of(&e), field, "{backend}: {e}");
        }
        let listed = store
            .list_training_assignments(Some(mn.id), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.total, 3, "{backend}");
    }
}

/// The rate per unit and the overdue list, scoped to a unit and below.
#[tokio::test]
async fn rates_and_overdue_follow_the_units() {
    for (backend, store) in all_stores().await {
        let TrainingCity { a, everyone, .. } = training_city(&store).await;
        // Per-unit rate and overdue counts, and the overdue list.
        let scope = TrainingScope {
            assignment_id: Some(everyone.id),
            within: None,
        };
        let rates = store
            .training_rates(scope, PageRequest::default())
            .await
            .unwrap();
        let by_unit: Vec<(String, i64, i64, i64)> = rates
            .items
            .iter()
            .map(|r| {
                (
                    r.unit_name.clone().unwrap_or_default(),
                    r.requested,
                    r.completed,
                    r.overdue,
                )
            })
            .collect();
        assert_eq!(
            by_unit,
            vec![
                ("A課".to_string(), 2, 0, 2),
                ("T課".to_string(), 1, 1, 0),
                ("B課".to_string(), 1, 0, 1),
            ],
            "{backend}"
        );
        assert_eq!(rates.items[1].percent(), 100);
        let in_a = TrainingScope {
            assignment_id: Some(everyone.id),
            within: Some(a.id),
        };
        let overdue = store
            .training_overdue(in_a, PageRequest::default())
            .await
            .unwrap();
        let names: Vec<&str> = overdue.items.iter().map(|r| r.username.as_str()).collect();
        assert_eq!(names, vec!["a1", "kacho"], "{backend}");
        let all_overdue = store
            .training_overdue(TrainingScope::default(), PageRequest::new(Some(2), Some(2)))
            .await
            .unwrap();
        assert_eq!(all_overdue.total, 3, "{backend}: paged");
        assert_eq!(all_overdue.items.len(), 1);
    }
}

/// A completion closes the open requests it counts for, once; a completion
/// in the future is refused.
#[tokio::test]
async fn a_completion_closes_its_open_requests_once() {
    for (backend, store) in all_stores().await {
        let TrainingCity {
            actor,
            a,
            a1,
            y,
            mn,
            everyone,
            ..
        } = training_city(&store).await;
        // A completion closes the open requests it counts for, once.
        let events_before = events_of(&store, "training_completion").await;
        let c = store
            .record_completion(
                &actor,
                NewCompletion {
                    user_id: a1,
                    course_id: y.id,
                    completed_on: "2020-03-01".into(),
                },
                CompletionSource::SelfDeclared,
            )
            .await
            .unwrap();
        assert_eq!(c.source, "self");
        let again = store
            .record_completion(
                &actor,
                NewCompletion {
                    user_id: a1,
                    course_id: y.id,
                    completed_on: "2020-03-01".into(),
                },
                CompletionSource::Entered,
            )
            .await
            .unwrap();
        assert_eq!(again.id, c.id, "{backend}");
        assert_eq!(
            events_of(&store, "training_completion").await,
            events_before + 1,
            "{backend}: recorded once"
        );
        let req = store.training_request(everyone.id, a1).await.unwrap();
        assert_eq!(req.completed_on.as_deref(), Some("2020-03-01"));
        let e = store
            .record_completion(
                &actor,
                NewCompletion {
                    user_id: a1,
                    course_id: y.id,
                    completed_on: "2999-01-01".into(),
                },
                CompletionSource::Entered,
            )
            .await
            .unwrap_err();
        assert_eq!(field_of(&e), "completed_on", "{backend}");
        // With My Number training asked of A as well, a1 has one open request.
        store
            .assign_training(
                &actor,
                assign(mn.id, "unit", &a.id.to_string(), "2999-12-31"),
            )
            .await
            .unwrap();
        let mine = store
            .my_training_requests(a1, false, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(mine.total, 2, "{backend}");
        assert!(mine.items[0].completed_on.is_none(), "open first");
        let open = store
            .my_training_requests(a1, true, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(open.total, 1, "{backend}");
    }
}

/// Completions from an e-learning CSV: all or nothing, each bad row and
/// column named; a repeated row counts once; every write is in the log.
#[tokio::test]
async fn completions_import_all_or_nothing_with_bad_rows_named() {
    for (backend, store) in all_stores().await {
        let TrainingCity {
            actor,
            a,
            a1,
            kacho,
            y,
            everyone,
            ..
        } = training_city(&store).await;
        // a1 completes SEC-Y, so that after the import nobody in A is overdue.
        store
            .record_completion(
                &actor,
                NewCompletion {
                    user_id: a1,
                    course_id: y.id,
                    completed_on: "2020-03-01".into(),
                },
                CompletionSource::SelfDeclared,
            )
            .await
            .unwrap();
        let in_a = TrainingScope {
            assignment_id: Some(everyone.id),
            within: Some(a.id),
        };
        // Import from an e-learning CSV: all or nothing, bad rows named.
        let bad = "ログインID,氏名,コースコード,修了日\r\n\
                   kacho,課長,SEC-Y,2020/06/01\r\n\
                   nobody,誰か,SEC-Y,2020/06/01\r\n\
                   b1,b1,NOPE,2020/06/01\r\n\
                   b1,b1,SEC-Y,yesterday\r\n";
        let report =
            import_completions_file(&store, &actor, bad.as_bytes(), LedgerFormat::Csv).await;
        assert!(!report.written, "{backend}");
        let named: Vec<(Option<u32>, Option<String>)> = report
            .errors
            .iter()
            .map(|e| (e.row, e.column_letter.clone()))
            .collect();
        assert_eq!(
            named,
            vec![
                (Some(3), Some("A".into())),
                (Some(4), Some("C".into())),
                (Some(5), Some("D".into())),
            ],
            "{backend}: {report}"
        );
        assert!(report.to_string().contains("unknown user"));
        let still = store.training_request(everyone.id, kacho).await.unwrap();
        assert!(still.completed_on.is_none(), "{backend}: nothing written");
        let missing = import_completions_file(
            &store,
            &actor,
            b"user,date\r\nkacho,2020-01-01\r\n",
            LedgerFormat::Csv,
        )
        .await;
        assert!(!missing.written && missing.errors[0].row.is_none());

        let good = "login,name,course_code,completed_at\r\n\
                    kacho,課長,SEC-Y,2020/06/01 10:00:00\r\n\
                    KACHO,課長,SEC-Y,2020-06-01\r\n\
                    b1,b1,MN-1,令和2年7月1日\r\n";
        let report =
            import_completions_file(&store, &actor, good.as_bytes(), LedgerFormat::Csv).await;
        assert!(report.written, "{backend}: {report}");
        assert_eq!(
            (
                report.rows,
                report.recorded,
                report.unchanged,
                report.requests_closed
            ),
            (3, 2, 1, 1),
            "{backend}"
        );
        let after = store
            .training_overdue(in_a, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(after.total, 0, "{backend}");
        let again =
            import_completions_file(&store, &actor, good.as_bytes(), LedgerFormat::Csv).await;
        assert_eq!((again.recorded, again.unchanged), (0, 3), "{backend}");
        let history = store
            .list_completions(Some(kacho), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(history.total, 1);
        assert_eq!(history.items[0].source, "import");

        // The event log holds every write and still verifies.
        assert_eq!(events_of(&store, "training_course").await, 2, "{backend}");
        assert_eq!(
            events_of(&store, "training_assignment").await,
            1,
            "{backend}"
        );
        assert_eq!(
            events_of(&store, "training_completion").await,
            5,
            "{backend}"
        );
        assert!(matches!(
            verify_chain(store.db()).await.unwrap(),
            ChainVerdict::Intact { .. }
        ));
    }
}

/// The training and acknowledgement status workbooks, scoped to a unit and
/// the units below it.
#[tokio::test]
async fn status_workbooks_are_scoped_to_a_unit() {
    for (backend, store) in all_stores().await {
        let TrainingCity {
            actor,
            a,
            a2,
            kacho,
            y,
            everyone,
            ..
        } = training_city(&store).await;
        store
            .record_completion(
                &actor,
                NewCompletion {
                    user_id: kacho,
                    course_id: y.id,
                    completed_on: "2020-06-01".into(),
                },
                CompletionSource::Entered,
            )
            .await
            .unwrap();
        let in_a = TrainingScope {
            assignment_id: Some(everyone.id),
            within: Some(a.id),
        };
        // Excel exports, scoped to a unit.
        let book = training_book(&store, in_a).await;
        let rows = sheet_rows(&book, TRAINING_SHEET);
        assert_eq!(rows.len(), 4, "{backend}: header + a1, kacho, a2");
        assert!(rows[0][0].contains("研修コード"));
        let kacho_row = rows.iter().find(|r| r[3] == "kacho").unwrap();
        assert_eq!(kacho_row[0], "SEC-Y");
        assert_eq!(kacho_row[2], "A課");
        assert_eq!(kacho_row[5], "2020-06-30");
        assert_eq!(kacho_row[6], "修了");
        assert_eq!(kacho_row[7], "2020-06-01");
        let whole = training_book(&store, TrainingScope::default()).await;
        assert_eq!(
            sheet_rows(&whole, TRAINING_SHEET).len(),
            1 + 4,
            "{backend}: header and everyone's four"
        );

        let rev = store
            .list_policy_revisions(PageRequest::default())
            .await
            .unwrap()
            .items[0]
            .id;
        let campaign = store
            .open_ack_campaign(
                &actor,
                NewAckCampaign {
                    revision_id: rev,
                    title: "誓約".into(),
                    due_on: None,
                },
            )
            .await
            .unwrap();
        store.acknowledge(&actor, campaign.id, a2).await.unwrap();
        let book = ack_book(&store, campaign.id, Some(a.id)).await;
        let rows = sheet_rows(&book, ACK_SHEET);
        let people: Vec<(&str, &str, &str)> = rows[1..]
            .iter()
            .map(|r| (r[1].as_str(), r[2].as_str(), r[4].as_str()))
            .collect();
        assert_eq!(
            people,
            vec![
                ("A課", "a1", "未確認"),
                ("A課", "kacho", "未確認"),
                ("T課", "a2", "確認済"),
            ],
            "{backend}"
        );
        assert!(!rows[3][5].is_empty(), "confirmed at");
    }
}

#[tokio::test]
async fn the_demo_city_has_training_with_someone_overdue() {
    for (backend, store) in all_stores().await {
        assert!(mamori_store::demo::load_demo(&store).await.unwrap());
        let courses = store.list_courses(PageRequest::default()).await.unwrap();
        assert_eq!(courses.total, 2, "{backend}");
        let overdue = store
            .training_overdue(
                TrainingScope {
                    assignment_id: None,
                    within: None,
                },
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert!(
            overdue
                .items
                .iter()
                .any(|r| r.username == "tanaka" && r.course_code == "SEC-MYNUMBER"),
            "{backend}: tanaka's My Number training is overdue: {:?}",
            overdue.items
        );
        let tanaka = store.user_by_name("tanaka").await.unwrap().unwrap();
        let mine = store
            .my_training_requests(tanaka.id, true, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(
            mine.total, 2,
            "{backend}: the yearly and the My Number training"
        );
        assert!(
            !mamori_store::demo::load_demo(&store).await.unwrap(),
            "{backend}: once"
        );
    }
}

/// Moving a due date moves every request and works out again which
/// completions count; a bad date or an unknown assignment changes nothing.
#[tokio::test]
async fn moving_a_due_date_recounts_completions() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let d = store
            .create_unit(&actor, unit("D", None, UnitKind::Department))
            .await
            .unwrap();
        let p1 = person(&store, "p1", d.id, EmploymentType::Regular).await;
        let p2 = person(&store, "p2", d.id, EmploymentType::Regular).await;
        let y = store
            .create_course(&actor, course("SEC-Y", "yearly", Some(12)))
            .await
            .unwrap();
        for (who, on) in [(p1, "2024-03-01"), (p2, "2025-02-01")] {
            store
                .record_completion(
                    &actor,
                    NewCompletion {
                        user_id: who,
                        course_id: y.id,
                        completed_on: on.into(),
                    },
                    CompletionSource::Entered,
                )
                .await
                .unwrap();
        }
        let a = store
            .assign_training(&actor, assign(y.id, "everyone", "", "2025-03-31"))
            .await
            .unwrap();
        assert_eq!((a.completed, a.requested), (1, 2), "{backend}: p2 only");
        let events = events_of(&store, "training_assignment").await;

        // Earlier: p1's completion falls within the twelve months too.
        let moved = store
            .change_training_due(&actor, a.id, "2025-02-28")
            .await
            .unwrap();
        assert_eq!(moved.due_on, "2025-02-28", "{backend}");
        assert_eq!(
            moved.counts_from.as_deref(),
            Some("2024-02-28"),
            "{backend}"
        );
        assert_eq!((moved.completed, moved.requested), (2, 2), "{backend}");
        // Later: neither counts any more.
        let moved = store
            .change_training_due(&actor, a.id, "2026-03-31")
            .await
            .unwrap();
        assert_eq!((moved.completed, moved.requested), (0, 2), "{backend}");
        let mine = store
            .my_training_requests(p2, false, PageRequest::default())
            .await
            .unwrap();
        assert!(
            mine.items
                .iter()
                .all(|r| r.due_on == "2026-03-31" && r.completed_on.is_none()),
            "{backend}: the requests moved and reopened"
        );
        assert_eq!(
            events_of(&store, "training_assignment").await,
            events + 2,
            "{backend}"
        );

        let e = store
            .change_training_due(&actor, a.id, "2026-02-30")
            .await
            .unwrap_err();
        assert_eq!(field_of(&e), "due_on", "{backend}: {e}");
        assert!(matches!(
            store
                .change_training_due(&actor, 99_999, "2026-03-31")
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let same = store.training_assignment(a.id).await.unwrap();
        assert_eq!(same.due_on, "2026-03-31", "{backend}: nothing changed");
        assert_eq!(
            events_of(&store, "training_assignment").await,
            events + 2,
            "{backend}"
        );
    }
}

/// A course's names are corrected; an assignment made in error is withdrawn
/// with its requests, completions stay; both are logged.
#[tokio::test]
async fn courses_are_corrected_and_assignments_withdrawn() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let d = store
            .create_unit(&actor, unit("D", None, UnitKind::Department))
            .await
            .unwrap();
        let p1 = person(&store, "p1", d.id, EmploymentType::Regular).await;
        let y = store
            .create_course(&actor, course("SEC-Y", "yearly", Some(12)))
            .await
            .unwrap();
        let fixed = store
            .update_course(
                &actor,
                y.id,
                CourseUpdate {
                    title: Some(" 情報セキュリティ年次研修 ".into()),
                    title_en: Some("Yearly security training".into()),
                    description: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(fixed.title, "情報セキュリティ年次研修", "{backend}");
        assert_eq!(fixed.title_en, "Yearly security training", "{backend}");
        assert_eq!(
            (fixed.code.as_str(), fixed.valid_months),
            ("SEC-Y", Some(12)),
            "{backend}"
        );
        let e = store
            .update_course(
                &actor,
                y.id,
                CourseUpdate {
                    title: Some("  ".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(field_of(&e), "title", "{backend}");
        assert_eq!(
            store.course(y.id).await.unwrap().title,
            "情報セキュリティ年次研修"
        );
        assert_eq!(
            events_of(&store, "training_course").await,
            2,
            "{backend}: create, update"
        );

        store
            .record_completion(
                &actor,
                NewCompletion {
                    user_id: p1,
                    course_id: y.id,
                    completed_on: "2025-01-10".into(),
                },
                CompletionSource::Entered,
            )
            .await
            .unwrap();
        let a = store
            .assign_training(&actor, assign(y.id, "everyone", "", "2025-03-31"))
            .await
            .unwrap();
        store.withdraw_training(&actor, a.id).await.unwrap();
        assert!(matches!(
            store.training_assignment(a.id).await,
            Err(StoreError::NotFound { .. })
        ));
        let mine = store
            .my_training_requests(p1, false, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(mine.total, 0, "{backend}: the requests went with it");
        let done = store
            .list_completions(Some(p1), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(done.total, 1, "{backend}: completions stay");
        assert!(matches!(
            store.withdraw_training(&actor, a.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(
            events_of(&store, "training_assignment").await,
            2,
            "{backend}: create, delete"
        );
    }
}
