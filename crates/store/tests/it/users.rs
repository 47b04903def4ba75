use mamori_core::org::{SystemRole, UnitKind};
use mamori_store::testing::all_stores;
use mamori_store::units::NewUnit;
use mamori_store::users::{NewUser, SignIn, UserUpdate};
use mamori_store::{Actor, PageRequest, StoreError};

fn new_user(name: &str, unit: Option<i64>) -> NewUser {
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

#[tokio::test]
async fn users_sign_in_and_are_throttled() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let unit = store
            .create_unit(
                &actor,
                NewUnit {
                    parent_id: None,
                    code: "U".into(),
                    name: "市民局".into(),
                    name_en: String::new(),
                    kind: UnitKind::Department,
                },
            )
            .await
            .unwrap();
        let user = store
            .create_user(&actor, new_user("tanaka", Some(unit.id)))
            .await
            .unwrap();
        assert_eq!(user.roles, vec!["staff"]);
        let dup = store
            .create_user(&actor, new_user("tanaka", None))
            .await
            .unwrap_err();
        assert!(
            matches!(&dup, StoreError::Rejected(p) if p.code == "MAMORI-USER-NAME-TAKEN"
                && p.class() == mamori_core::problem::Class::Conflict),
            "{backend}: {dup:?}"
        );
        let bad_unit = store
            .create_user(&actor, new_user("sato", Some(9999)))
            .await
            .unwrap_err();
        assert!(
            bad_unit.to_string().contains("unit_id"),
            "{backend}: {bad_unit}"
        );
        let weak = store
            .create_user(
                &actor,
                NewUser {
                    password: "short".into(),
                    ..new_user("weak", None)
                },
            )
            .await
            .unwrap_err();
        assert!(weak.to_string().contains("password"));

        assert!(matches!(
            store
                .sign_in("tanaka", "a long enough passphrase", "1.2.3.4")
                .await
                .unwrap(),
            SignIn::Ok(_)
        ));
        assert_eq!(
            store
                .sign_in("tanaka", "wrong password!!", "1.2.3.4")
                .await
                .unwrap(),
            SignIn::Rejected
        );
        assert_eq!(
            store
                .sign_in("nobody", "wrong password!!", "1.2.3.4")
                .await
                .unwrap(),
            SignIn::Rejected
        );
        for _ in 0..5 {
            store
                .sign_in("tanaka", "wrong password!!", "1.2.3.4")
                .await
                .unwrap();
        }
        assert!(
            matches!(
                store
                    .sign_in("tanaka", "a long enough passphrase", "1.2.3.4")
                    .await
                    .unwrap(),
                SignIn::Throttled { .. }
            ),
            "{backend}: the right password is refused while throttled"
        );

        // Deactivated users cannot sign in; roles change.
        let other = store
            .create_user(&actor, new_user("suzuki", None))
            .await
            .unwrap();
        let updated = store
            .update_user(
                &actor,
                other.id,
                UserUpdate {
                    active: Some(false),
                    roles: Some(vec![SystemRole::Auditor]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!updated.active);
        assert_eq!(updated.roles, vec!["auditor"]);
        assert_eq!(
            store
                .sign_in("suzuki", "a long enough passphrase", "5.6.7.8")
                .await
                .unwrap(),
            SignIn::Rejected
        );

        let page = store
            .list_users(Some("SUZU"), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(page.total, 1, "{backend}");
        assert_eq!(page.items[0].roles, vec!["auditor"]);
    }
}

#[tokio::test]
async fn tokens_and_password_resets() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let admin_pw = store
            .ensure_admin(None)
            .await
            .unwrap()
            .expect("a generated password");
        assert!(store.ensure_admin(None).await.unwrap().is_none());
        let admin = match store.sign_in("admin", &admin_pw, "x").await.unwrap() {
            SignIn::Ok(u) => u,
            other => panic!("{backend}: {other:?}"),
        };
        assert!(admin.has_role(SystemRole::Admin));
        let token = store.issue_token(admin.id, "admin").await.unwrap();
        assert_eq!(store.user_for_token(&token).await.unwrap(), Some(admin.id));
        assert_eq!(store.user_for_token("deadbeef").await.unwrap(), None);
        store
            .set_password(&actor, admin.id, "another long passphrase", true)
            .await
            .unwrap();
        assert_eq!(
            store.user_for_token(&token).await.unwrap(),
            None,
            "{backend}: a reset ends tokens"
        );
        let after = store.user(admin.id).await.unwrap();
        assert!(after.must_change_password);
    }
}
