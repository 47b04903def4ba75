use super::*;

fn user(roles: &[&str], unit: &[i64]) -> Principal {
    Principal {
        user_id: 1,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        unit_lineage: unit.to_vec(),
    }
}

fn asset(owner: &[i64], top: bool) -> Resource {
    Resource::Asset {
        id: 9,
        owner_lineage: owner.to_vec(),
        top,
    }
}

#[test]
fn builtin_policy_validates() {
    let a = Authorizer::builtin().unwrap();
    assert_eq!(a.sources().len(), 1);
}

#[test]
fn everyone_reads_the_basics_only() {
    let a = Authorizer::builtin().unwrap();
    let staff = user(&["staff"], &[1, 2]);
    for action in [
        Action::View,
        Action::ReadPolicy,
        Action::ReadCatalog,
        Action::ReadUnits,
    ] {
        assert!(a.check(&staff, action, &Resource::App), "{action:?}");
    }
    for action in [
        Action::ManageUsers,
        Action::ReadUsers,
        Action::ReadEvents,
        Action::ManageCatalog,
        Action::ManageUnits,
    ] {
        assert!(
            !a.check(&staff, action, &Resource::App),
            "staff must not {action:?}"
        );
    }
    let nobody = user(&[], &[]);
    assert!(a.check(&nobody, Action::ReadPolicy, &Resource::App));
    assert!(!a.check(&nobody, Action::ReadAsset, &asset(&[1], false)));
}

#[test]
fn admin_manages_users_auditor_reads_log() {
    let a = Authorizer::builtin().unwrap();
    let admin = user(&["admin"], &[]);
    assert!(a.check(&admin, Action::ManageUsers, &Resource::App));
    let auditor = user(&["auditor"], &[1]);
    assert!(a.check(&auditor, Action::ReadEvents, &Resource::App));
    assert!(a.check(&auditor, Action::ReadUsers, &Resource::App));
    assert!(!a.check(&auditor, Action::ManageUsers, &Resource::App));
    let so = user(&["security_officer"], &[1]);
    assert!(a.check(&so, Action::ManageCatalog, &Resource::App));
    assert!(!a.check(&so, Action::ManageUsers, &Resource::App));
}

#[test]
fn staff_see_their_own_unit_and_below() {
    let a = Authorizer::builtin().unwrap();
    let staff = user(&["staff"], &[1, 2]);
    assert!(a.check(&staff, Action::ReadAsset, &asset(&[1, 2], false)));
    assert!(
        a.check(&staff, Action::WriteAsset, &asset(&[1, 2, 3], false)),
        "a team under the section"
    );
    assert!(
        !a.check(&staff, Action::ReadAsset, &asset(&[1], false)),
        "the department above is not theirs"
    );
    assert!(
        !a.check(&staff, Action::ReadAsset, &asset(&[4, 5], false)),
        "another unit"
    );
    assert!(
        a.check(&staff, Action::ReadAsset, &asset(&[1, 2], true)),
        "top level of the own unit"
    );
}

#[test]
fn top_level_assets_only_owner_and_security_office() {
    let a = Authorizer::builtin().unwrap();
    let so = user(&["security_officer"], &[7]);
    assert!(a.check(&so, Action::ReadAsset, &asset(&[1, 2], true)));
    let auditor = user(&["auditor"], &[7]);
    assert!(a.check(&auditor, Action::ReadAsset, &asset(&[1, 2], false)));
    assert!(!a.check(&auditor, Action::ReadAsset, &asset(&[1, 2], true)));
    assert!(!a.check(&auditor, Action::WriteAsset, &asset(&[1, 2], false)));
    let admin_only = user(&["admin"], &[7]);
    assert!(
        !a.check(&admin_only, Action::ReadAsset, &asset(&[1, 2], true)),
        "the forbid beats admin-all"
    );
    assert!(a.check(&admin_only, Action::ReadAsset, &asset(&[1, 2], false)));
}

#[test]
fn scopes_follow_the_policy() {
    let a = Authorizer::builtin().unwrap();
    let units = vec![
        (1, vec![1]),
        (2, vec![1, 2]),
        (3, vec![1, 2, 3]),
        (4, vec![4]),
    ];
    let staff = user(&["staff"], &[1, 2]);
    assert_eq!(
        a.asset_scope(&staff, &units),
        AssetScope {
            units: Some(vec![2, 3]),
            top_units: Some(vec![2, 3])
        }
    );
    let so = user(&["security_officer"], &[4]);
    assert_eq!(
        a.asset_scope(&so, &units),
        AssetScope {
            units: None,
            top_units: None
        }
    );
    let auditor = user(&["auditor"], &[4]);
    assert_eq!(
        a.asset_scope(&auditor, &units),
        AssetScope {
            units: None,
            top_units: Some(vec![4])
        },
        "the auditor's own unit is theirs"
    );
}

#[test]
fn extra_policies_extend_and_bad_ones_are_named() {
    let extra = vec![(
        "city.cedar".to_string(),
        r#"permit (principal in Mamori::Role::"auditor", action == Mamori::Action::"run_netcheck", resource);"#.to_string(),
    )];
    let a = Authorizer::with_extra(&extra).unwrap();
    assert!(a.check(
        &user(&["auditor"], &[]),
        Action::RunNetcheck,
        &Resource::App
    ));
    let bad = vec![(
        "bad.cedar".to_string(),
        "permit (principal, action == Mamori::Action::\"fly\", resource);".to_string(),
    )];
    let err = Authorizer::with_extra(&bad).unwrap_err();
    assert!(err.to_string().contains("bad.cedar"), "{err}");
    let garbage = vec![("g.cedar".to_string(), "permit (".to_string())];
    assert!(matches!(
        Authorizer::with_extra(&garbage).unwrap_err(),
        AuthzError::Parse { .. }
    ));
}
