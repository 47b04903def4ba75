use mamori_core::org::{EmploymentType, SystemRole, UnitKind};
use mamori_store::org::{NewAckCampaign, NewRoleAssignment};
use mamori_store::testing::all_stores;

use super::fixtures::new_unit as unit;
use mamori_store::users::{NewUser, UserUpdate};
use mamori_store::{Actor, PageRequest, StoreError};

fn user(name: &str, unit: Option<i64>) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("{name} さん"),
        email: None,
        unit_id: unit,
        roles: vec![SystemRole::Staff],
        password: "a long enough passphrase".into(),
        must_change_password: false,
    }
}

fn assignment(user_id: i64, role: &str, unit_id: Option<i64>, starts: &str) -> NewRoleAssignment {
    NewRoleAssignment {
        user_id,
        role: role.into(),
        unit_id,
        system_id: None,
        starts_on: starts.into(),
        ends_on: None,
        note: String::new(),
    }
}

#[tokio::test]
async fn staff_profiles_and_role_assignments() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let dept = store
            .create_unit(&actor, unit("D", None, UnitKind::Department))
            .await
            .unwrap();
        let sec = store
            .create_unit(&actor, unit("S", Some(dept.id), UnitKind::Section))
            .await
            .unwrap();
        let chief = store
            .create_user(&actor, user("kacho", Some(sec.id)))
            .await
            .unwrap();
        assert_eq!(chief.employment_type, "regular");
        let chief = store
            .set_staff_profile(&actor, chief.id, EmploymentType::FiscalYear, " 課長 ")
            .await
            .unwrap();
        assert_eq!(
            (chief.employment_type.as_str(), chief.position.as_str()),
            ("fiscal_year", "課長"),
            "{backend}"
        );

        // Scope is checked against the role catalogue.
        let missing_unit = store
            .assign_role(
                &actor,
                assignment(chief.id, "security_administrator", None, "2026-04-01"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&missing_unit, StoreError::Rejected(p)
                if p.field.as_deref() == Some("unit_id") && p.code == "MAMORI-ROLE-NEEDS-UNIT"),
            "{backend}: {missing_unit}"
        );
        let unknown = store
            .assign_role(&actor, assignment(chief.id, "mayor", None, "2026-04-01"))
            .await
            .unwrap_err();
        assert!(unknown.to_string().contains("role"), "{backend}: {unknown}");
        let bad_date = store
            .assign_role(&actor, assignment(chief.id, "ciso", None, "2026/04/01"))
            .await
            .unwrap_err();
        assert!(
            bad_date.to_string().contains("YYYY-MM-DD"),
            "{backend}: {bad_date}"
        );
        let backwards = store
            .assign_role(
                &actor,
                NewRoleAssignment {
                    ends_on: Some("2026-03-31".into()),
                    ..assignment(chief.id, "ciso", None, "2026-04-01")
                },
            )
            .await
            .unwrap_err();
        assert!(backwards.to_string().contains("ends_on"), "{backend}");
        let no_system = store
            .assign_role(
                &actor,
                assignment(chief.id, "system_manager", None, "2026-04-01"),
            )
            .await
            .unwrap_err();
        assert!(no_system.to_string().contains("system_id"), "{backend}");

        let a = store
            .assign_role(
                &actor,
                assignment(
                    chief.id,
                    "security_administrator",
                    Some(sec.id),
                    "2026-04-01",
                ),
            )
            .await
            .unwrap();
        assert_eq!(a.unit_name.as_deref(), Some("S課"));
        let roles = store.active_roles(chief.id, "2026-05-01").await.unwrap();
        assert_eq!(roles.len(), 1, "{backend}");
        assert_eq!(roles[0].scope_id(), sec.id);
        assert!(
            store
                .active_roles(chief.id, "2026-03-31")
                .await
                .unwrap()
                .is_empty()
        );
        store
            .end_role_assignment(&actor, a.id, "2026-06-30")
            .await
            .unwrap();
        assert_eq!(
            store
                .active_roles(chief.id, "2026-06-30")
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            store
                .active_roles(chief.id, "2026-07-01")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .end_role_assignment(&actor, a.id, "2020-01-01")
                .await
                .is_err()
        );

        let page = store
            .list_role_assignments(Some(chief.id), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(page.total, 1, "{backend}");
        assert_eq!(
            store
                .list_role_assignments(None, PageRequest::default())
                .await
                .unwrap()
                .total,
            1
        );
        // Every change is in the log.
        let events = mamori_store::events::list_events(
            store.db(),
            &mamori_store::events::EventFilter {
                entity: Some("role_assignment".into()),
                entity_id: None,
                ..Default::default()
            },
            &mamori_store::assets::AssetScope::unrestricted(),
            PageRequest::default(),
        )
        .await
        .unwrap();
        assert_eq!(events.total, 2, "{backend}");
    }
}

#[tokio::test]
async fn acknowledgement_campaign_rates_move_as_staff_confirm() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let dept = store
            .create_unit(&actor, unit("D", None, UnitKind::Department))
            .await
            .unwrap();
        let a = store
            .create_unit(&actor, unit("A", Some(dept.id), UnitKind::Section))
            .await
            .unwrap();
        let b = store
            .create_unit(&actor, unit("B", Some(dept.id), UnitKind::Section))
            .await
            .unwrap();
        let u1 = store
            .create_user(&actor, user("u1", Some(a.id)))
            .await
            .unwrap();
        let u2 = store
            .create_user(&actor, user("u2", Some(a.id)))
            .await
            .unwrap();
        let u3 = store
            .create_user(&actor, user("u3", Some(b.id)))
            .await
            .unwrap();
        let gone = store
            .create_user(&actor, user("gone", Some(b.id)))
            .await
            .unwrap();
        store
            .update_user(
                &actor,
                gone.id,
                UserUpdate {
                    active: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();

        let revisions = store
            .list_policy_revisions(PageRequest::default())
            .await
            .unwrap();
        assert!(
            revisions.total >= 1,
            "{backend}: the built-in policy has a revision"
        );
        let rev = &revisions.items[0];
        assert!(
            store
                .open_ack_campaign(
                    &actor,
                    NewAckCampaign {
                        revision_id: 999_999,
                        title: "x".into(),
                        due_on: None
                    }
                )
                .await
                .is_err()
        );
        let c = store
            .open_ack_campaign(
                &actor,
                NewAckCampaign {
                    revision_id: rev.id,
                    title: "令和8年度 誓約".into(),
                    due_on: Some("2026-12-31".into()),
                },
            )
            .await
            .unwrap();
        // Every active user is asked (u1, u2, u3 and the administrator-less test db).
        assert_eq!((c.requested, c.confirmed), (3, 0), "{backend}");

        let rates = store
            .ack_rates(c.id, None, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(rates.total, 2);
        assert!(rates.items.iter().all(|r| r.confirmed == 0));

        store
            .acknowledge(&Actor::System("u1"), c.id, u1.id)
            .await
            .unwrap();
        let again = store
            .acknowledge(&Actor::System("u1"), c.id, u1.id)
            .await
            .unwrap();
        assert!(again.confirmed_at.is_some());
        assert!(matches!(
            store.acknowledge(&actor, c.id, gone.id).await.unwrap_err(),
            StoreError::NotFound { .. }
        ));

        let rates = store
            .ack_rates(c.id, None, PageRequest::default())
            .await
            .unwrap();
        let ra = rates
            .items
            .iter()
            .find(|r| r.unit_id == Some(a.id))
            .unwrap();
        assert_eq!(
            (ra.requested, ra.confirmed, ra.percent()),
            (2, 1, 50),
            "{backend}"
        );
        let rb = rates
            .items
            .iter()
            .find(|r| r.unit_id == Some(b.id))
            .unwrap();
        assert_eq!((rb.requested, rb.confirmed), (1, 0));

        let pending = store
            .ack_pending(c.id, None, PageRequest::default())
            .await
            .unwrap();
        let names: Vec<&str> = pending.items.iter().map(|p| p.username.as_str()).collect();
        assert_eq!(names, vec!["u2", "u3"], "{backend}");
        let pending_a = store
            .ack_pending(c.id, Some(a.id), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(pending_a.total, 1);
        assert_eq!(
            store
                .ack_rates(c.id, Some(b.id), PageRequest::default())
                .await
                .unwrap()
                .total,
            1
        );
        let page = store
            .ack_pending(c.id, None, PageRequest::new(Some(2), Some(1)))
            .await
            .unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        assert_eq!(page.items[0].user_id, u3.id);

        let mine = store
            .my_ack_requests(u2.id, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(mine.total, 1);
        assert!(mine.items[0].confirmed_at.is_none());
        let c = store.ack_campaign(c.id).await.unwrap();
        assert_eq!(c.confirmed, 1);
        assert_eq!(
            store
                .list_ack_campaigns(PageRequest::default())
                .await
                .unwrap()
                .total,
            1
        );
    }
}
