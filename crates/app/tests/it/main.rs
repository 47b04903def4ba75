//! The operation layer on a real store (SQLite, and PostgreSQL when
//! `MAMORI_TEST_DATABASE_URL` is set) with the built-in Cedar policy: who may
//! do what, what a refusal looks like, and that a record is seen alike
//! whichever way it is asked for.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

mod limits;

use std::sync::Arc;

use mamori_app::assets::Entered;
use mamori_app::{App, Caller, Error};
use mamori_core::org::SystemRole;
use mamori_core::problem::Class;
use mamori_store::assets::{AssetFilter, AssetScope, AssetSort, AssetSortKey};
use mamori_store::testing::all_stores;
use mamori_store::users::{NewUser, UserUpdate};
use mamori_store::{PageRequest, Store};

mod policy_docs;
// Information systems, control status and evidence (issue 13, part 1).
mod controls;
// --- people first (issue 17): classification requests, notices and mail ---
mod people;

/// Every store of this run with the demo city (units, staff, 120 assets).
async fn demo_apps() -> Vec<(&'static str, Store, App)> {
    let mut apps = Vec::new();
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        mamori_store::assets::demo::load_demo_assets(&store, 120)
            .await
            .unwrap();
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        apps.push((backend, store.clone(), App::new(store, authz)));
    }
    apps
}

async fn caller(app: &App, store_of: &Store, name: &str) -> Caller {
    let user = store_of.user_by_name(name).await.unwrap().unwrap();
    app.caller(user.id).await.unwrap().unwrap()
}

fn entered(unit: i64) -> Entered {
    Entered {
        name: "窓口端末".into(),
        kind: "equipment".into(),
        owner_unit_id: unit.to_string(),
        administrator: "市民課長".into(),
        location: "本庁舎1階".into(),
        retention: "5年".into(),
        lifecycle: "in_use".into(),
        confidentiality: "2".into(),
        integrity: "2".into(),
        availability: "2".into(),
        ..Entered::default()
    }
}

#[tokio::test]
async fn staff_register_assets_of_their_own_unit_only() {
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store.clone(), authz);
        let tanaka = caller(&app, &store, "tanaka").await;
        let own = tanaka.user.unit_id.unwrap();
        let other = store.unit_by_code("D01-S01").await.unwrap().unwrap().id;

        let asset = app.create_asset(&tanaka, &entered(own)).await.unwrap();
        assert_eq!(asset.record.owner_unit_id, own, "{backend}");
        // The event names the person.
        let view = app.asset_view(&tanaka, asset.id).await.unwrap();
        assert!(
            view.history[0].actor.contains("tanaka"),
            "{backend}: {:?}",
            view.history[0].actor
        );

        let refused = app
            .create_asset(&tanaka, &entered(other))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, Error::Forbidden),
            "{backend}: {refused:?}"
        );
        assert_eq!(refused.class(), Class::Forbidden);
    }
}

#[tokio::test]
async fn every_bad_field_is_a_coded_problem_and_nothing_is_written() {
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store.clone(), authz);
        let security = caller(&app, &store, "security").await;
        let mut bad = entered(security.user.unit_id.unwrap());
        bad.name = String::new();
        bad.kind = "spaceship".into();
        bad.owner_unit_id = "abc".into();
        let Error::Rejected(problems) = app.create_asset(&security, &bad).await.unwrap_err() else {
            panic!("{backend}: not rejected");
        };
        let fields: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_deref().unwrap_or(""), p.code))
            .collect();
        assert!(
            fields.contains(&("kind", "MAMORI-NO-SUCH-CHOICE")),
            "{backend}: {fields:?}"
        );
        assert!(
            fields.contains(&("owner_unit_id", "MAMORI-NOT-A-NUMBER")),
            "{backend}: {fields:?}"
        );
        assert!(
            fields.iter().any(|(f, _)| *f == "name"),
            "{backend}: {fields:?}"
        );
        // Each is worded in both languages from the catalogue.
        for p in &problems {
            assert!(
                !p.message(mamori_core::problem::Lang::Ja).contains('{'),
                "{p:?}"
            );
            assert!(
                !p.message(mamori_core::problem::Lang::En).contains('{'),
                "{p:?}"
            );
        }
        let (page, _) = app
            .list_assets(
                &security,
                &AssetFilter::default(),
                AssetSort {
                    key: AssetSortKey::Id,
                    descending: false,
                },
                PageRequest::default(),
                true,
            )
            .await
            .unwrap();
        assert_eq!(page.total, 0, "{backend}: nothing written");
    }
}

#[tokio::test]
async fn a_disposed_asset_is_a_conflict_and_stays_on_record() {
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store.clone(), authz);
        let tanaka = caller(&app, &store, "tanaka").await;
        let asset = app
            .create_asset(&tanaka, &entered(tanaka.user.unit_id.unwrap()))
            .await
            .unwrap();
        app.dispose_asset(&tanaka, asset.id, "令和7年4月1日", "物理破壊", "市民課長")
            .await
            .unwrap();
        let again = app
            .update_asset(&tanaka, asset.id, |e| e.name = "別名".into())
            .await
            .unwrap_err();
        assert_eq!(again.class(), Class::Conflict, "{backend}");
        assert_eq!(again.problems()[0].code, "MAMORI-ASSET-DISPOSED");
        assert!(app.asset(&tanaka, asset.id).await.is_ok(), "{backend}");
    }
}

/// Who may read an asset decides who sees it everywhere: the single read, the
/// list's scope and the list itself agree for every demo asset and person.
#[tokio::test]
async fn one_asset_is_seen_alike_by_the_single_read_and_the_register() {
    for (backend, store, app) in demo_apps().await {
        let all = store
            .list_assets(
                &AssetFilter::default(),
                AssetSort {
                    key: AssetSortKey::Id,
                    descending: false,
                },
                PageRequest::new(Some(1), Some(500)),
                &AssetScope::unrestricted(),
            )
            .await
            .unwrap()
            .items;
        assert!(all.len() >= 100, "{backend}");
        for name in ["tanaka", "auditor", "security", "ciso"] {
            let who = caller(&app, &store, name).await;
            let scope = app.asset_scope(&who).await.unwrap();
            let (listed, _) = app
                .list_assets(
                    &who,
                    &AssetFilter::default(),
                    AssetSort {
                        key: AssetSortKey::Id,
                        descending: false,
                    },
                    PageRequest::new(Some(1), Some(500)),
                    true,
                )
                .await
                .unwrap();
            let listed: Vec<i64> = listed.items.iter().map(|a| a.id).collect();
            for a in &all {
                let single = app.asset(&who, a.id).await;
                let in_scope = scope.allows(a.record.owner_unit_id, a.is_top);
                assert_eq!(single.is_ok(), in_scope, "{backend} {name} asset {}", a.id);
                assert_eq!(
                    listed.contains(&a.id),
                    in_scope,
                    "{backend} {name} asset {}",
                    a.id
                );
                if let Err(e) = single {
                    assert_eq!(e.class(), Class::NotFound, "{backend} {name}: {e:?}");
                }
            }
        }
    }
}

#[tokio::test]
async fn nobody_locks_themselves_out() {
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        let authz = Arc::new(mamori_authz::Authorizer::builtin().unwrap());
        let app = App::new(store.clone(), authz);
        let admin = store
            .create_user(
                &mamori_store::Actor::System("test"),
                NewUser {
                    username: "second-admin".into(),
                    display_name: "管理者 二".into(),
                    email: None,
                    unit_id: None,
                    roles: vec![SystemRole::Admin],
                    password: "a long enough passphrase".into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        let admin = app.caller(admin.id).await.unwrap().unwrap();
        let e = app
            .update_user(
                &admin,
                admin.user.id,
                UserUpdate {
                    active: Some(false),
                    ..UserUpdate::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            e.problems()[0].code,
            "MAMORI-USER-SELF-LOCKOUT",
            "{backend}"
        );
        assert!(store.user(admin.user.id).await.unwrap().active, "{backend}");
        // Someone without the right is refused before anything is looked at.
        let tanaka = caller(&app, &store, "tanaka").await;
        let e = app
            .update_user(&tanaka, admin.user.id, UserUpdate::default())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Forbidden), "{backend}: {e:?}");
    }
}

// Risk analysis (issue 13, part 2).
mod risk;

// --- h14 ---
mod audit_bench;
