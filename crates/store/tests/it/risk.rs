//! The risk register: profiles shared by assets alike, pairs computed under
//! a matrix, control statuses lowering residual risk (system, unit or nearest
//! unit above, city), decisions giving an asset its own profile, treatments
//! with revisions, approval and revocation, the city's matrices.

use mamori_core::asset::{AssetKind, Levels, Lifecycle};
use mamori_core::control::{Implementation, StatusScope};
use mamori_core::org::SystemRole;
use mamori_core::risk::{Model, ThreatDecision, ThreatRules, builtin_matrices};
use mamori_store::assets::{AssetInput, AssetScope};
use mamori_store::events::{EventFilter, list_events};
use mamori_store::risk::{RiskFilter, RiskSortKey, TreatmentWrite};
use mamori_store::testing::{all_stores, put_control_status};
use mamori_store::users::NewUser;
use mamori_store::{Actor, PageRequest, Store, StoreError};

use super::fixtures::add_unit;

const ACTOR: Actor = Actor::System("test");

pub fn model() -> Model {
    let b = mamori_core::catalog::builtin().unwrap();
    let mut countering = std::collections::BTreeMap::new();
    for c in &b.controls.controls {
        for t in &c.threats {
            countering
                .entry(t.clone())
                .or_insert_with(Vec::new)
                .push(c.code.clone());
        }
    }
    Model {
        rules: ThreatRules::builtin().unwrap(),
        matrix: builtin_matrices()
            .unwrap()
            .matrices
            .into_iter()
            .find(|m| m.code == "3x3")
            .unwrap(),
        countering,
        approaches: Default::default(),
        ranks: Model::ranks_of(&b.classification),
    }
}

fn asset(name: &str, unit: i64, c: &str, personal: bool) -> AssetInput {
    AssetInput {
        name: name.into(),
        kind: AssetKind::ElectronicInformation,
        description: String::new(),
        owner_unit_id: unit,
        administrator: "課長".into(),
        location: "本庁舎".into(),
        system_id: None,
        segment_id: None,
        personal_info: personal,
        my_number: false,
        retention: "5年".into(),
        levels: Levels::new(c, "2", "2"),
        lifecycle: Lifecycle::InUse,
        disposal: None,
        notes: String::new(),
    }
}

async fn user(store: &Store, name: &str, unit: i64) -> i64 {
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

fn all() -> RiskFilter {
    RiskFilter::default()
}

async fn rows(
    store: &Store,
    f: &RiskFilter,
    scope: &AssetScope,
) -> Vec<mamori_store::risk::RiskRow> {
    store
        .list_risks(
            f,
            RiskSortKey::Residual,
            true,
            PageRequest::new(Some(1), Some(500)),
            scope,
        )
        .await
        .unwrap()
        .0
        .items
}

#[tokio::test]
async fn assets_alike_share_one_profile_and_controls_lower_the_residual_risk() {
    for (backend, store) in all_stores().await {
        let dept = add_unit(&store, None, "R1", "総務部").await;
        let sec = add_unit(&store, Some(dept), "R11", "総務課").await;
        let other = add_unit(&store, None, "R2", "福祉部").await;
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(
                store
                    .create_asset(&ACTOR, asset(&format!("文書{i}"), sec, "2", false))
                    .await
                    .unwrap()
                    .id,
            );
        }
        store
            .create_asset(&ACTOR, asset("名簿", sec, "2", true))
            .await
            .unwrap();
        store
            .create_asset(&ACTOR, asset("福祉台帳", other, "3B", true))
            .await
            .unwrap();
        let m = model();
        let s = store.recompute_risks(&ACTOR, &m, &|_, _| {}).await.unwrap();
        assert_eq!((s.assets, s.profiles), (5, 3), "{backend}");
        let everything = rows(&store, &all(), &AssetScope::unrestricted()).await;
        assert_eq!(everything.len() as i64, s.pairs, "{backend}");
        let shared = everything
            .iter()
            .find(|r| r.asset_count == 3)
            .expect("a profile of three");
        assert!(!shared.personal_info && shared.owner_unit_id == sec);

        // Staff of the section see its risks only; the department's filter
        // takes the units below it.
        let mine = rows(&store, &all(), &AssetScope::units(vec![sec])).await;
        assert!(
            !mine.is_empty() && mine.iter().all(|r| r.owner_unit_id == sec),
            "{backend}"
        );
        let by_dept = rows(
            &store,
            &RiskFilter {
                unit: Some(dept),
                ..all()
            },
            &AssetScope::unrestricted(),
        )
        .await;
        assert_eq!(by_dept.len(), mine.len(), "{backend}");
        let none = rows(&store, &all(), &AssetScope::units(vec![])).await;
        assert!(none.is_empty());

        // The drill-down lists the three assets, and none to someone of another unit.
        let page = store
            .profile_assets(
                shared.profile_id,
                &m.rules,
                &AssetScope::unrestricted(),
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 3, "{backend}");
        let hidden = store
            .profile_assets(
                shared.profile_id,
                &m.rules,
                &AssetScope::units(vec![other]),
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(hidden.total, 0);

        // Unauthorised access (T1-01): with no status the residual is the inherent risk.
        let t101 = |rs: &[mamori_store::risk::RiskRow], unit: i64| {
            rs.iter()
                .find(|r| {
                    // In the section: the profile of three; in the other unit: its one.
                    r.threat_code == "T1-01"
                        && r.owner_unit_id == unit
                        && (r.asset_count == 3 || unit == other)
                })
                .cloned()
                .expect("T1-01")
        };
        let before = t101(&everything, sec);
        assert_eq!(before.residual_value, before.inherent_value);
        // City-wide: every countering control implemented.
        for c in m.controls_of("T1-01") {
            put_control_status(&store, c, StatusScope::City, Implementation::Implemented)
                .await
                .unwrap();
        }
        store.recompute_risks(&ACTOR, &m, &|_, _| {}).await.unwrap();
        let after = t101(
            &rows(&store, &all(), &AssetScope::unrestricted()).await,
            sec,
        );
        assert_eq!(after.id, before.id, "the pair keeps its id");
        assert!(
            after.residual_value < before.residual_value,
            "{backend}: {after:?}"
        );
        assert_eq!(after.control_effect, 100);
        // The department says not implemented: its section inherits it; the other unit keeps the city's.
        for c in m.controls_of("T1-01") {
            put_control_status(
                &store,
                c,
                StatusScope::Unit(dept),
                Implementation::NotImplemented,
            )
            .await
            .unwrap();
        }
        store.recompute_risks(&ACTOR, &m, &|_, _| {}).await.unwrap();
        let now = rows(&store, &all(), &AssetScope::unrestricted()).await;
        assert_eq!(
            t101(&now, sec).residual_value,
            before.residual_value,
            "{backend}"
        );
        assert_eq!(t101(&now, other).control_effect, 100, "{backend}");

        // The heat map counts every pair once.
        let heat = store
            .risk_heat(&all(), &AssetScope::unrestricted())
            .await
            .unwrap();
        assert_eq!(heat.iter().map(|c| c.pairs).sum::<i64>(), now.len() as i64);

        // Dismissing a threat of one asset gives it a profile of its own.
        store
            .decide_threat(
                &ACTOR,
                "asset",
                ids[0],
                "T2-05",
                ThreatDecision::Dismiss,
                "操作はない",
            )
            .await
            .unwrap();
        let s2 = store.recompute_risks(&ACTOR, &m, &|_, _| {}).await.unwrap();
        assert_eq!((s2.assets, s2.profiles), (5, 4), "{backend}");
        let own = store
            .profile_of_asset(ids[0], &m.rules)
            .await
            .unwrap()
            .unwrap();
        let own_risks = store.risks_of_profile(own).await.unwrap();
        assert!(
            !own_risks.is_empty()
                && own_risks
                    .iter()
                    .all(|r| r.threat_code != "T2-05" && r.asset_count == 1)
        );
        let shared_now = store
            .profile_of_asset(ids[1], &m.rules)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(shared_now, shared.profile_id, "{backend}");
        assert!(
            store
                .risks_of_profile(shared_now)
                .await
                .unwrap()
                .iter()
                .all(|r| r.asset_count == 2)
        );
        let logged = list_events(
            store.db(),
            &EventFilter::default(),
            &AssetScope::unrestricted(),
            PageRequest::new(Some(1), Some(500)),
        )
        .await
        .unwrap();
        assert!(logged.items.iter().any(|e| e.entity == "threat_decision"));
        assert_eq!(
            logged
                .items
                .iter()
                .filter(|e| e.entity == "risk_register")
                .count(),
            4
        );
    }
}

#[tokio::test]
async fn treatments_check_revisions_and_acceptances_are_approved_and_revoked() {
    for (backend, store) in all_stores().await {
        let unit = add_unit(&store, None, "T1", "情報政策課").await;
        let owner = user(&store, "owner", unit).await;
        let ciso = user(&store, "ciso", unit).await;
        store
            .create_asset(&ACTOR, asset("基幹DB", unit, "3B", true))
            .await
            .unwrap();
        store
            .recompute_risks(&ACTOR, &model(), &|_, _| {})
            .await
            .unwrap();
        let top = rows(&store, &all(), &AssetScope::unrestricted()).await[0].clone();
        let w = TreatmentWrite {
            option: "accept".into(),
            state: "pending".into(),
            owner_user_id: owner,
            due_on: None,
            controls: vec!["S4-01".into()],
            note: "更新予定".into(),
            expires_on: Some("2027-01-01".into()),
            requested_by: owner,
            residual_value: top.residual_value,
            revision: None,
        };
        let t = store.set_treatment(&ACTOR, top.id, &w).await.unwrap();
        assert_eq!(
            (t.state.as_str(), t.revision, t.owner_name.as_deref()),
            ("pending", 1, Some("owner さん"))
        );
        // A second save that read no revision, or an old one, is refused.
        let stale = store.set_treatment(&ACTOR, top.id, &w).await.unwrap_err();
        assert!(
            matches!(&stale, StoreError::Rejected(p) if p.code == "MAMORI-RISK-STALE"),
            "{backend}: {stale:?}"
        );
        let pending = rows(
            &store,
            &RiskFilter {
                treatment: Some("pending".into()),
                ..all()
            },
            &AssetScope::unrestricted(),
        )
        .await;
        assert_eq!(
            pending.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![top.id]
        );
        let ok = store.approve_treatment(&ACTOR, top.id, ciso).await.unwrap();
        assert_eq!(
            (ok.state.as_str(), ok.approver_name.as_deref(), ok.revision),
            ("accepted", Some("ciso さん"), 2)
        );
        let again = store
            .approve_treatment(&ACTOR, top.id, ciso)
            .await
            .unwrap_err();
        assert!(matches!(&again, StoreError::Rejected(p) if p.code == "MAMORI-RISK-NOT-PENDING"));
        let soon = store
            .expiring_acceptances("2027-01-31", &AssetScope::unrestricted())
            .await
            .unwrap();
        assert_eq!(soon.len(), 1, "{backend}");
        assert!(
            store
                .expiring_acceptances("2026-12-31", &AssetScope::unrestricted())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .expiring_acceptances("2027-01-31", &AssetScope::units(vec![]))
                .await
                .unwrap()
                .is_empty()
        );
        let revoked = store
            .revoke_treatment(&ACTOR, top.id, ciso, "前提が変わった")
            .await
            .unwrap();
        assert_eq!(revoked.state, "revoked");
        assert!(
            store
                .revoke_treatment(&ACTOR, top.id, ciso, "x")
                .await
                .is_err()
        );
        // A recomputation keeps the treatment on its pair.
        store
            .recompute_risks(&ACTOR, &model(), &|_, _| {})
            .await
            .unwrap();
        assert_eq!(store.risk(top.id).await.unwrap().treatment_state, "revoked");
        let a = store
            .set_treatment(
                &ACTOR,
                top.id,
                &TreatmentWrite {
                    option: "reduce".into(),
                    state: "planned".into(),
                    revision: Some(3),
                    expires_on: None,
                    ..w.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (a.option.as_str(), a.revision, a.approved_by),
            ("reduce", 4, None)
        );

        // The city's matrices.
        let m = serde_json::json!({"code": "city"});
        store
            .save_risk_matrix(&ACTOR, "city", &m, true)
            .await
            .unwrap();
        let dup = store
            .save_risk_matrix(&ACTOR, "city", &m, true)
            .await
            .unwrap_err();
        assert!(matches!(&dup, StoreError::Rejected(p) if p.code == "MAMORI-RISK-MATRIX-EXISTS"));
        assert!(
            store
                .save_risk_matrix(&ACTOR, "nope", &m, false)
                .await
                .is_err()
        );
        assert_eq!(store.risk_matrices().await.unwrap().len(), 1);
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
            .filter(|e| e.entity == "risk_treatment")
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(verbs.len(), 4, "{backend}: {verbs:?}");
        assert!(
            verbs.contains(&"request") && verbs.contains(&"approve") && verbs.contains(&"revoke")
        );
    }
}
