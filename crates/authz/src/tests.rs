use super::*;

fn user(roles: &[&str], unit: &[i64]) -> Principal {
    Principal {
        user_id: 1,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        unit_lineage: unit.to_vec(),
        scoped_roles: Vec::new(),
    }
}

/// A staff member of `unit` holding guideline roles (code, scope id).
fn holder(unit: &[i64], scoped: &[(&str, i64)]) -> Principal {
    Principal {
        scoped_roles: scoped.iter().map(|(r, s)| (r.to_string(), *s)).collect(),
        ..user(&["staff"], unit)
    }
}

fn person(unit: &[i64]) -> Resource {
    Resource::Person {
        id: 3,
        unit_lineage: unit.to_vec(),
    }
}

fn unit(lineage: &[i64]) -> Resource {
    Resource::Unit {
        lineage: lineage.to_vec(),
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

// Units used below: department 1 with sections 2 and 4; team 3 under section 2;
// department 10 with section 11.

#[test]
fn section_administrator_sees_and_does_their_section_only() {
    let a = Authorizer::builtin().unwrap();
    let kacho = holder(&[1, 2], &[("security_administrator", 2)]);
    assert!(a.check(&kacho, Action::ReadPerson, &person(&[1, 2])));
    assert!(
        a.check(&kacho, Action::ManagePerson, &person(&[1, 2, 3])),
        "team below"
    );
    assert!(
        !a.check(&kacho, Action::ReadPerson, &person(&[1, 4])),
        "sibling section"
    );
    assert!(
        !a.check(&kacho, Action::ReadPerson, &person(&[1])),
        "department above"
    );
    assert!(
        !a.check(&kacho, Action::ReadPerson, &person(&[])),
        "nobody's staff"
    );
    assert!(a.check(&kacho, Action::ReadUnitStatus, &unit(&[1, 2])));
    assert!(a.check(&kacho, Action::ReadUnitStatus, &unit(&[1, 2, 3])));
    assert!(!a.check(&kacho, Action::ReadUnitStatus, &unit(&[1, 4])));
    assert!(!a.check(&kacho, Action::ReadUnitStatus, &unit(&[1])));
    assert!(a.check(&kacho, Action::WriteAsset, &asset(&[1, 2, 3], false)));
    assert!(
        a.check(&kacho, Action::ReadAsset, &asset(&[1, 2], true)),
        "own section's top level"
    );
    assert!(!a.check(&kacho, Action::ReadAsset, &asset(&[1, 4], false)));
    for action in [
        Action::ManageUsers,
        Action::ReadUsers,
        Action::ReadEvents,
        Action::ManageRoles,
        Action::ManageAcknowledgements,
        Action::ReadAckStatus,
        Action::ManageUnits,
    ] {
        assert!(
            !a.check(&kacho, action, &Resource::App),
            "a section administrator must not {action:?}"
        );
    }
    assert!(a.check(&kacho, Action::Acknowledge, &Resource::App));
}

#[test]
fn a_section_administrator_of_another_unit_manages_that_unit() {
    let a = Authorizer::builtin().unwrap();
    // Belongs to section 2 but holds the role for section 11 (兼務).
    let p = holder(&[1, 2], &[("security_administrator", 11)]);
    assert!(a.check(&p, Action::ManagePerson, &person(&[10, 11])));
    assert!(a.check(&p, Action::WriteAsset, &asset(&[10, 11], false)));
    assert!(!a.check(&p, Action::ReadPerson, &person(&[10])));
    assert!(
        !a.check(&p, Action::ManagePerson, &person(&[1, 2])),
        "membership alone gives no staff rights"
    );
}

#[test]
fn department_security_manager_covers_the_department() {
    let a = Authorizer::builtin().unwrap();
    let bucho = holder(&[1], &[("security_manager", 1)]);
    for u in [&[1][..], &[1, 2], &[1, 2, 3], &[1, 4]] {
        assert!(a.check(&bucho, Action::ReadPerson, &person(u)), "{u:?}");
        assert!(a.check(&bucho, Action::ReadUnitStatus, &unit(u)), "{u:?}");
    }
    assert!(!a.check(&bucho, Action::ReadPerson, &person(&[10, 11])));
    assert!(!a.check(&bucho, Action::ReadUnitStatus, &unit(&[10])));
}

#[test]
fn role_without_guideline_role_is_plain_staff() {
    let a = Authorizer::builtin().unwrap();
    // An ended assignment is not in the principal: the same person is plain staff.
    let p = holder(&[1, 2], &[]);
    assert!(!a.check(&p, Action::ReadPerson, &person(&[1, 2])));
    assert!(!a.check(&p, Action::ReadUnitStatus, &unit(&[1, 2])));
    // Unknown role codes and system-scoped roles give no unit rights.
    let q = holder(&[1, 2], &[("mayor", 2), ("system_manager", 2)]);
    assert!(!a.check(&q, Action::ReadPerson, &person(&[1, 2])));
    assert!(!a.check(&q, Action::WriteAsset, &asset(&[1, 4], false)));
}

#[test]
fn ciso_oversees_but_does_not_administer() {
    let a = Authorizer::builtin().unwrap();
    for role in ["ciso", "chief_security_manager"] {
        let p = holder(&[20], &[(role, 0)]);
        assert!(a.check(&p, Action::ReadUsers, &Resource::App), "{role}");
        assert!(a.check(&p, Action::ReadAckStatus, &Resource::App), "{role}");
        assert!(a.check(&p, Action::ReadPerson, &person(&[1, 2])), "{role}");
        assert!(
            a.check(&p, Action::ReadUnitStatus, &unit(&[10, 11])),
            "{role}"
        );
        assert!(
            a.check(&p, Action::ReadAsset, &asset(&[1, 2], false)),
            "{role}"
        );
        assert!(
            !a.check(&p, Action::ReadAsset, &asset(&[1, 2], true)),
            "{role}: top level stays with the owner"
        );
        assert!(
            !a.check(&p, Action::ManagePerson, &person(&[1, 2])),
            "{role}"
        );
        assert!(!a.check(&p, Action::ManageUsers, &Resource::App), "{role}");
        assert!(!a.check(&p, Action::ManageRoles, &Resource::App), "{role}");
    }
    for role in ["csirt", "committee", "adviser"] {
        let p = holder(&[20], &[(role, 0)]);
        assert!(!a.check(&p, Action::ReadPerson, &person(&[1, 2])), "{role}");
        assert!(!a.check(&p, Action::ReadUsers, &Resource::App), "{role}");
    }
}

#[test]
fn security_office_runs_roles_and_acknowledgements() {
    let a = Authorizer::builtin().unwrap();
    let so = user(&["security_officer"], &[30]);
    for action in [
        Action::ManageRoles,
        Action::ManageAcknowledgements,
        Action::ReadAckStatus,
    ] {
        assert!(a.check(&so, action, &Resource::App), "{action:?}");
    }
    assert!(a.check(&so, Action::ManagePerson, &person(&[1, 2])));
    let auditor = user(&["auditor"], &[30]);
    assert!(a.check(&auditor, Action::ReadAckStatus, &Resource::App));
    assert!(!a.check(&auditor, Action::ManageAcknowledgements, &Resource::App));
    assert!(!a.check(&auditor, Action::ManagePerson, &person(&[1, 2])));
    let staff = user(&["staff"], &[1, 2]);
    assert!(!a.check(&staff, Action::ManageAcknowledgements, &Resource::App));
    assert!(!a.check(&staff, Action::ReadAckStatus, &Resource::App));
    assert!(a.check(&staff, Action::Acknowledge, &Resource::App));
}

#[test]
fn nobody_audits_their_own_unit() {
    let a = Authorizer::builtin().unwrap();
    let auditor = user(&["auditor"], &[1, 2]);
    assert!(a.check(&auditor, Action::AuditUnit, &unit(&[10, 11])));
    assert!(
        a.check(&auditor, Action::AuditUnit, &unit(&[1, 4])),
        "a sibling section"
    );
    assert!(
        !a.check(&auditor, Action::AuditUnit, &unit(&[1, 2])),
        "own section"
    );
    assert!(
        !a.check(&auditor, Action::AuditUnit, &unit(&[1, 2, 3])),
        "a team below"
    );
    assert!(
        !a.check(&auditor, Action::AuditUnit, &unit(&[1])),
        "the department above"
    );
    let managing = Principal {
        scoped_roles: vec![("security_administrator".into(), 11)],
        ..user(&["auditor"], &[1, 2])
    };
    assert!(
        !a.check(&managing, Action::AuditUnit, &unit(&[10, 11])),
        "a unit they manage"
    );
    let admin = user(&["admin"], &[1, 2]);
    assert!(
        !a.check(&admin, Action::AuditUnit, &unit(&[1, 2])),
        "the forbid beats admin-all"
    );
    let staff = user(&["staff"], &[1, 2]);
    assert!(!a.check(&staff, Action::AuditUnit, &unit(&[10])));
}

#[test]
fn nobody_approves_their_own_request() {
    let a = Authorizer::builtin().unwrap();
    let request = |requester: i64| Resource::Request {
        id: 5,
        requester,
        unit_lineage: vec![1, 2],
    };
    let kacho = Principal {
        user_id: 7,
        ..holder(&[1, 2], &[("security_administrator", 2)])
    };
    assert!(a.check(&kacho, Action::ApproveRequest, &request(8)));
    assert!(
        !a.check(&kacho, Action::ApproveRequest, &request(7)),
        "own request"
    );
    let other = Principal {
        user_id: 9,
        ..holder(&[1, 4], &[("security_administrator", 4)])
    };
    assert!(
        !a.check(&other, Action::ApproveRequest, &request(8)),
        "another section's request"
    );
    let so = Principal {
        user_id: 7,
        ..user(&["security_officer", "admin"], &[30])
    };
    assert!(a.check(&so, Action::ApproveRequest, &request(8)));
    assert!(
        !a.check(&so, Action::ApproveRequest, &request(7)),
        "not even the security office"
    );
    let staff = user(&["staff"], &[1, 2]);
    assert!(!a.check(&staff, Action::ApproveRequest, &request(8)));
}

#[test]
fn manager_scope_reaches_the_asset_list() {
    let a = Authorizer::builtin().unwrap();
    let units = vec![(1, vec![1]), (2, vec![1, 2]), (11, vec![10, 11])];
    let p = holder(&[1, 2], &[("security_administrator", 11)]);
    assert_eq!(a.asset_scope(&p, &units).units, Some(vec![2, 11]));
}

#[test]
fn training_rules_follow_roles_and_units() {
    let a = Authorizer::builtin().unwrap();
    let so = user(&["security_officer"], &[30]);
    let admin = user(&["admin"], &[]);
    for p in [&so, &admin] {
        for action in [Action::ManageTraining, Action::ReadTrainingStatus] {
            assert!(a.check(p, action, &Resource::App), "{action:?}");
        }
        assert!(a.check(p, Action::RecordTraining, &person(&[1, 4])));
    }
    // Oversight reads the status, and changes nothing.
    let auditor = user(&["auditor"], &[30]);
    let ciso = holder(&[30], &[("ciso", 0)]);
    for p in [&auditor, &ciso] {
        assert!(a.check(p, Action::ReadTrainingStatus, &Resource::App));
        assert!(!a.check(p, Action::ManageTraining, &Resource::App));
        assert!(!a.check(p, Action::RecordTraining, &person(&[1, 2])));
    }
    // A section administrator: his section's status and staff, nothing more.
    let kacho = holder(&[1, 2], &[("security_administrator", 2)]);
    assert!(a.check(&kacho, Action::RecordTraining, &person(&[1, 2])));
    assert!(a.check(&kacho, Action::RecordTraining, &person(&[1, 2, 3])));
    assert!(!a.check(&kacho, Action::RecordTraining, &person(&[1, 4])));
    assert!(!a.check(&kacho, Action::RecordTraining, &person(&[1])));
    assert!(a.check(&kacho, Action::ReadUnitStatus, &unit(&[1, 2])));
    assert!(!a.check(&kacho, Action::ReadUnitStatus, &unit(&[1, 4])));
    for action in [Action::ManageTraining, Action::ReadTrainingStatus] {
        assert!(!a.check(&kacho, action, &Resource::App), "{action:?}");
    }
    // Staff: their own completions only.
    let staff = user(&["staff"], &[1, 2]);
    assert!(a.check(&staff, Action::DeclareTraining, &Resource::App));
    assert!(!a.check(&staff, Action::RecordTraining, &person(&[1, 2])));
    assert!(!a.check(&staff, Action::ReadTrainingStatus, &Resource::App));
    assert!(!a.check(&staff, Action::ManageTraining, &Resource::App));
    // A city may stop self-declaration with a forbid of its own.
    let strict = Authorizer::with_extra(&[(
        "no-self-declaration.cedar".into(),
        r#"forbid (principal, action == Mamori::Action::"declare_training", resource);"#.into(),
    )])
    .unwrap();
    assert!(!strict.check(&staff, Action::DeclareTraining, &Resource::App));
}

// --- Policy documents (第9) ---

fn document(readership: &str, unit: &[i64], system: i64, draft: bool, drafter: i64) -> Resource {
    Resource::PolicyDocument {
        id: 7,
        level: match readership {
            "everyone" => "basic",
            "staff" => "standard",
            _ => "procedure",
        }
        .into(),
        readership: readership.into(),
        unit_lineage: unit.to_vec(),
        system,
        draft,
        drafter,
    }
}

#[test]
fn policy_documents_are_read_by_their_readership() {
    let a = Authorizer::builtin().unwrap();
    let read = Action::ReadPolicyDocument;
    let staff = user(&["staff"], &[1, 2]);
    let other_staff = user(&["staff"], &[1, 3]);
    let security = user(&["security_officer"], &[1, 4]);
    let auditor = user(&["auditor"], &[1, 4]);
    let manager = holder(&[1, 5], &[("security_manager", 2)]);
    let operator = holder(&[1, 6], &[("system_operator", 42)]);
    // The basic policy: everyone; the standards: staff.
    for p in [&staff, &other_staff, &security, &auditor] {
        assert!(a.check(p, read, &document("everyone", &[], 0, false, 0)));
        assert!(a.check(p, read, &document("staff", &[], 0, false, 0)));
    }
    // A procedure of unit 2 (under 1): its people, its managers, its system's
    // people, the security office and the auditors; not another unit's staff.
    let procedure = document("unit", &[1, 2], 42, false, 0);
    assert!(a.check(&staff, read, &procedure));
    assert!(a.check(&manager, read, &procedure));
    assert!(a.check(&operator, read, &procedure));
    assert!(a.check(&security, read, &procedure));
    assert!(a.check(&auditor, read, &procedure));
    assert!(!a.check(&other_staff, read, &procedure));
    assert!(!a.check(&other_staff, read, &document("unit", &[1, 2], 0, false, 0)));
}

#[test]
fn policy_document_drafts_are_for_editors_and_reviewers() {
    let a = Authorizer::builtin().unwrap();
    let read = Action::ReadPolicyDocument;
    let draft = document("everyone", &[], 0, true, 5);
    assert!(!a.check(&user(&["staff"], &[1, 2]), read, &draft));
    assert!(!a.check(&user(&["auditor"], &[1, 2]), read, &draft));
    assert!(a.check(&user(&["security_officer"], &[1, 2]), read, &draft));
    assert!(a.check(&holder(&[1, 2], &[("ciso", 0)]), read, &draft));
    assert!(a.check(&user(&["admin"], &[]), read, &draft));
}

#[test]
fn policy_documents_are_edited_by_the_security_office_and_approved_by_the_ciso() {
    let a = Authorizer::builtin().unwrap();
    let draft = document("staff", &[], 0, true, 5);
    let security = user(&["security_officer"], &[1, 4]);
    let staff = user(&["staff"], &[1, 2]);
    assert!(a.check(&security, Action::CreatePolicyDocument, &Resource::App));
    assert!(!a.check(&staff, Action::CreatePolicyDocument, &Resource::App));
    assert!(a.check(&security, Action::EditPolicyDocument, &draft));
    assert!(!a.check(&staff, Action::EditPolicyDocument, &draft));
    assert!(!a.check(
        &holder(&[1, 2], &[("ciso", 0)]),
        Action::EditPolicyDocument,
        &draft
    ));
    // Approval: the CISO and the chief security manager, never the security
    // office or the administrator as such.
    let ciso = holder(&[1, 2], &[("ciso", 0)]);
    let chief = holder(&[1, 2], &[("chief_security_manager", 0)]);
    assert!(a.check(&ciso, Action::ApprovePolicyDocument, &draft));
    assert!(a.check(&chief, Action::ApprovePolicyDocument, &draft));
    assert!(!a.check(&security, Action::ApprovePolicyDocument, &draft));
    assert!(!a.check(
        &user(&["admin"], &[]),
        Action::ApprovePolicyDocument,
        &draft
    ));
    // Nobody approves what they drafted (the principal is user 1).
    let own = document("staff", &[], 0, true, 1);
    assert!(!a.check(&ciso, Action::ApprovePolicyDocument, &own));
    // Reviewers comment.
    assert!(a.check(&ciso, Action::ReviewPolicyDocument, &draft));
    assert!(!a.check(&staff, Action::ReviewPolicyDocument, &draft));
}

// --- Information systems and control status (issue 13, part 1) ---

fn status(scope: &str, unit: &[i64], system: i64) -> Resource {
    Resource::ControlStatus {
        scope: scope.into(),
        unit_lineage: unit.to_vec(),
        system,
    }
}

fn system(id: i64, unit: &[i64]) -> Resource {
    Resource::InformationSystem {
        id,
        unit_lineage: unit.to_vec(),
    }
}

#[test]
fn systems_are_kept_by_the_security_office_and_their_own_manager() {
    let a = Authorizer::builtin().unwrap();
    let office = user(&["security_officer"], &[1]);
    assert!(a.check(&office, Action::ManageSystems, &Resource::App));
    assert!(a.check(&office, Action::EditSystem, &system(7, &[1, 2])));
    let manager = holder(&[1, 3], &[("system_manager", 7)]);
    assert!(a.check(&manager, Action::EditSystem, &system(7, &[1, 2])));
    assert!(!a.check(&manager, Action::EditSystem, &system(8, &[1, 2])));
    assert!(!a.check(&manager, Action::ManageSystems, &Resource::App));
    // 担当者 (system_operator) reads but does not edit.
    let operator = holder(&[1, 3], &[("system_operator", 7)]);
    assert!(!a.check(&operator, Action::EditSystem, &system(7, &[1, 2])));
    let staff = user(&["staff"], &[1, 2]);
    assert!(!a.check(&staff, Action::EditSystem, &system(7, &[1, 2])));
    assert!(!a.check(&staff, Action::ManageSystems, &Resource::App));
}

#[test]
fn control_status_is_set_by_the_scope_s_managers_and_read_by_its_people() {
    let a = Authorizer::builtin().unwrap();
    let office = user(&["security_officer"], &[1]);
    for r in [
        status("city", &[], 0),
        status("unit", &[1, 2], 0),
        status("system", &[1, 2], 7),
    ] {
        assert!(a.check(&office, Action::SetControlStatus, &r));
        assert!(a.check(&office, Action::ReadControlStatus, &r));
    }
    // A section's 情報セキュリティ管理者 sets their unit's status, not another's,
    // not the city's.
    let manager = holder(&[1, 2], &[("security_administrator", 2)]);
    assert!(a.check(
        &manager,
        Action::SetControlStatus,
        &status("unit", &[1, 2], 0)
    ));
    assert!(!a.check(
        &manager,
        Action::SetControlStatus,
        &status("unit", &[1, 3], 0)
    ));
    assert!(!a.check(
        &manager,
        Action::ReadControlStatus,
        &status("unit", &[1, 3], 0)
    ));
    assert!(!a.check(&manager, Action::SetControlStatus, &status("city", &[], 0)));
    // A system's 情報システム管理者 sets that system's status only.
    let sysman = holder(&[1, 3], &[("system_manager", 7)]);
    assert!(a.check(
        &sysman,
        Action::SetControlStatus,
        &status("system", &[1, 2], 7)
    ));
    assert!(!a.check(
        &sysman,
        Action::SetControlStatus,
        &status("system", &[1, 2], 8)
    ));
    assert!(!a.check(
        &sysman,
        Action::SetControlStatus,
        &status("unit", &[1, 3], 0)
    ));
    // Staff read their unit's (and its systems') status and the city's; set none.
    let staff = user(&["staff"], &[1, 2]);
    assert!(a.check(
        &staff,
        Action::ReadControlStatus,
        &status("unit", &[1, 2], 0)
    ));
    assert!(a.check(
        &staff,
        Action::ReadControlStatus,
        &status("system", &[1, 2], 7)
    ));
    assert!(a.check(&staff, Action::ReadControlStatus, &status("city", &[], 0)));
    assert!(!a.check(
        &staff,
        Action::ReadControlStatus,
        &status("unit", &[1, 3], 0)
    ));
    assert!(!a.check(
        &staff,
        Action::SetControlStatus,
        &status("unit", &[1, 2], 0)
    ));
    // Auditors and the CISO read everything, set nothing.
    for p in [user(&["auditor"], &[1, 4]), user(&["ciso"], &[1])] {
        assert!(a.check(&p, Action::ReadControlStatus, &status("unit", &[1, 3], 0)));
        assert!(!a.check(&p, Action::SetControlStatus, &status("unit", &[1, 3], 0)));
    }
}
// --- Risk analysis and treatment (issue 13, part 2) ---

#[test]
fn risks_are_read_by_unit_and_by_the_overseers() {
    let a = Authorizer::builtin().unwrap();
    let risk = |owner: &[i64]| asset(owner, true);
    let staff = user(&["staff"], &[1, 2]);
    assert!(a.check(&staff, Action::ReadRisk, &risk(&[1, 2])));
    assert!(
        !a.check(&staff, Action::ReadRisk, &risk(&[1, 4])),
        "another unit"
    );
    assert!(
        !a.check(&staff, Action::TreatRisk, &risk(&[1, 2])),
        "staff do not treat"
    );
    let manager = holder(&[1], &[("security_administrator", 4)]);
    assert!(a.check(&manager, Action::ReadRisk, &risk(&[1, 4])));
    assert!(a.check(&manager, Action::TreatRisk, &risk(&[1, 4])));
    assert!(!a.check(&manager, Action::TreatRisk, &risk(&[1, 5])));
    for overseer in [
        user(&["security_officer"], &[30]),
        user(&["auditor"], &[30]),
        holder(&[30], &[("ciso", 0)]),
        holder(&[30], &[("chief_security_manager", 0)]),
    ] {
        assert!(
            a.check(&overseer, Action::ReadRisk, &risk(&[1, 4])),
            "{overseer:?}"
        );
    }
    assert!(!a.check(
        &user(&["auditor"], &[30]),
        Action::TreatRisk,
        &risk(&[1, 4])
    ));
    assert!(a.check(
        &user(&["security_officer"], &[30]),
        Action::ManageRisk,
        &Resource::App
    ));
    assert!(!a.check(
        &holder(&[30], &[("ciso", 0)]),
        Action::ManageRisk,
        &Resource::App
    ));
    assert!(!a.check(&staff, Action::ManageRisk, &Resource::App));
}

#[test]
fn only_the_ciso_or_the_chief_approve_a_risk_acceptance_never_their_own() {
    let a = Authorizer::builtin().unwrap();
    let request = |requester: i64| Resource::RiskAcceptance {
        id: 5,
        requester,
        unit_lineage: vec![1, 2],
    };
    let ciso = Principal {
        user_id: 7,
        ..holder(&[30], &[("ciso", 0)])
    };
    assert!(a.check(&ciso, Action::ApproveRequest, &request(8)));
    assert!(
        !a.check(&ciso, Action::ApproveRequest, &request(7)),
        "own request"
    );
    let chief = Principal {
        user_id: 6,
        ..holder(&[30], &[("chief_security_manager", 0)])
    };
    assert!(a.check(&chief, Action::ApproveRequest, &request(8)));
    let so = Principal {
        user_id: 9,
        ..user(&["security_officer", "admin"], &[30])
    };
    assert!(
        !a.check(&so, Action::ApproveRequest, &request(8)),
        "the security office may not"
    );
    let kacho = Principal {
        user_id: 10,
        ..holder(&[1, 2], &[("security_administrator", 2)])
    };
    assert!(
        !a.check(&kacho, Action::ApproveRequest, &request(8)),
        "a unit manager may not"
    );
    // Other requests are untouched by the rule.
    let other = Resource::Request {
        id: 5,
        requester: 8,
        unit_lineage: vec![1, 2],
    };
    assert!(a.check(&kacho, Action::ApproveRequest, &other));
}

// --- Audits and self-inspections (第10; issue 14) ---

#[test]
fn self_inspections_are_answered_by_the_unit_s_or_system_s_managers() {
    let a = Authorizer::builtin().unwrap();
    // The section's 情報セキュリティ管理者 answers their section, not another.
    let manager = holder(&[1, 2, 3], &[("security_administrator", 3)]);
    assert!(a.check(&manager, Action::AnswerInspection, &unit(&[1, 2, 3])));
    assert!(a.check(&manager, Action::ReadInspection, &unit(&[1, 2, 3])));
    assert!(!a.check(&manager, Action::AnswerInspection, &unit(&[1, 2, 4])));
    assert!(!a.check(&manager, Action::ReadInspection, &unit(&[1, 2, 4])));
    assert!(!a.check(&manager, Action::ManageAudits, &Resource::App));
    assert!(!a.check(&manager, Action::ReadAuditResults, &Resource::App));
    // A department's 情報セキュリティ責任者 answers for the sections below it.
    let head = holder(&[1, 2], &[("security_manager", 2)]);
    assert!(a.check(&head, Action::AnswerInspection, &unit(&[1, 2, 3])));
    // A system's 情報システム管理者 answers for the system only.
    let sys = holder(&[1, 5], &[("system_manager", 7)]);
    assert!(a.check(&sys, Action::AnswerInspection, &system(7, &[1, 2, 3])));
    assert!(!a.check(&sys, Action::AnswerInspection, &system(8, &[1, 2, 3])));
    assert!(!a.check(&sys, Action::AnswerInspection, &unit(&[1, 5])));
    // Staff read their own unit's questionnaire and never answer it.
    let staff = user(&["staff"], &[1, 2, 3]);
    assert!(a.check(&staff, Action::ReadInspection, &unit(&[1, 2, 3])));
    assert!(a.check(&staff, Action::ReadInspection, &system(7, &[1, 2, 3])));
    assert!(!a.check(&staff, Action::ReadInspection, &unit(&[1, 2, 4])));
    assert!(!a.check(&staff, Action::AnswerInspection, &unit(&[1, 2, 3])));
    assert!(!a.check(&staff, Action::ManageAudits, &Resource::App));
}

#[test]
fn audits_are_run_by_the_security_office_and_read_by_oversight() {
    let a = Authorizer::builtin().unwrap();
    let office = user(&["security_officer"], &[1]);
    assert!(a.check(&office, Action::ManageAudits, &Resource::App));
    assert!(a.check(&office, Action::ReadAuditResults, &Resource::App));
    assert!(a.check(&office, Action::ReadInspection, &unit(&[1, 2, 3])));
    // The office does not answer a unit's questionnaire for it.
    assert!(!a.check(&office, Action::AnswerInspection, &unit(&[1, 2, 3])));
    for role in ["auditor", "ciso", "chief_security_manager"] {
        let p = user(&[role], &[1, 9]);
        assert!(
            a.check(&p, Action::ReadAuditResults, &Resource::App),
            "{role}"
        );
        assert!(
            a.check(&p, Action::ReadInspection, &unit(&[1, 2, 3])),
            "{role}"
        );
        assert!(!a.check(&p, Action::ManageAudits, &Resource::App), "{role}");
        assert!(
            !a.check(&p, Action::AnswerInspection, &unit(&[1, 2, 3])),
            "{role}"
        );
    }
}
// --- operations (issue 15) ---

fn incident(reporter: i64, unit: &[i64]) -> Resource {
    Resource::Incident {
        id: 4,
        reporter,
        unit_lineage: unit.to_vec(),
    }
}

#[test]
fn anyone_reports_an_incident_which_its_reporter_and_the_line_read() {
    let a = Authorizer::builtin().unwrap();
    let reporter = Principal {
        user_id: 5,
        ..user(&["staff"], &[1, 2, 3])
    };
    assert!(a.check(&reporter, Action::ReportIncident, &Resource::App));
    assert!(a.check(&reporter, Action::RequestException, &Resource::App));
    let theirs = incident(5, &[1, 2, 3]);
    assert!(a.check(&reporter, Action::ReadIncident, &theirs));
    assert!(
        !a.check(&reporter, Action::HandleIncident, &theirs),
        "a reporter does not handle their own report"
    );
    // A colleague of the same section neither reads nor handles it.
    let colleague = Principal {
        user_id: 6,
        ..user(&["staff"], &[1, 2, 3])
    };
    assert!(!a.check(&colleague, Action::ReadIncident, &theirs));
    // The section's 情報セキュリティ管理者 and the department's 責任者 do both.
    let section_admin = Principal {
        user_id: 7,
        ..holder(&[1, 2, 3], &[("security_administrator", 3)])
    };
    let dept_manager = Principal {
        user_id: 8,
        ..holder(&[1, 2], &[("security_manager", 2)])
    };
    for p in [&section_admin, &dept_manager] {
        assert!(a.check(p, Action::ReadIncident, &theirs));
        assert!(a.check(p, Action::HandleIncident, &theirs));
    }
    // Another department's manager does not.
    let other = Principal {
        user_id: 9,
        ..holder(&[1, 4], &[("security_manager", 4)])
    };
    assert!(!a.check(&other, Action::ReadIncident, &theirs));
    // Oversight: the security office, CSIRT, the chief and the CISO handle;
    // auditors only read.
    let so = user(&["security_officer"], &[1]);
    let csirt = holder(&[1], &[("csirt", 0)]);
    let ciso = holder(&[1], &[("ciso", 0)]);
    let chief = holder(&[1], &[("chief_security_manager", 0)]);
    for p in [&so, &csirt, &ciso, &chief] {
        assert!(a.check(p, Action::HandleIncident, &theirs), "{p:?}");
    }
    let auditor = user(&["auditor"], &[1]);
    assert!(a.check(&auditor, Action::ReadIncident, &theirs));
    assert!(!a.check(&auditor, Action::HandleIncident, &theirs));
}

#[test]
fn only_the_ciso_or_the_chief_decide_an_exception_never_their_own() {
    let a = Authorizer::builtin().unwrap();
    let request = |requester: i64| Resource::Exception {
        id: 3,
        requester,
        unit_lineage: vec![1, 2],
    };
    let ciso = Principal {
        user_id: 7,
        ..holder(&[30], &[("ciso", 0)])
    };
    assert!(a.check(&ciso, Action::ApproveRequest, &request(8)));
    assert!(
        !a.check(&ciso, Action::ApproveRequest, &request(7)),
        "own request"
    );
    let chief = holder(&[30], &[("chief_security_manager", 0)]);
    assert!(a.check(&chief, Action::ApproveRequest, &request(8)));
    // The security office, the unit's manager and the administrator may not,
    // whatever the generic rules say.
    let so = user(&["security_officer", "admin"], &[30]);
    assert!(!a.check(&so, Action::ApproveRequest, &request(8)));
    let manager = holder(&[1, 2], &[("security_manager", 2)]);
    assert!(!a.check(&manager, Action::ApproveRequest, &request(8)));
    // Reading: the requester, the unit's managers, oversight; not a colleague.
    let requester = Principal {
        user_id: 8,
        ..user(&["staff"], &[1, 2])
    };
    assert!(a.check(&requester, Action::ReadException, &request(8)));
    assert!(a.check(&manager, Action::ReadException, &request(8)));
    assert!(a.check(
        &user(&["auditor"], &[30]),
        Action::ReadException,
        &request(8)
    ));
    let colleague = Principal {
        user_id: 9,
        ..user(&["staff"], &[1, 2])
    };
    assert!(!a.check(&colleague, Action::ReadException, &request(8)));
}

// --- audit2 ---

#[test]
fn findings_are_read_by_their_unit_and_oversight_and_verified_never_by_the_owner() {
    let a = Authorizer::builtin().unwrap();
    let finding = |owner: i64| Resource::Finding {
        id: 4,
        unit_lineage: vec![1, 2],
        system: 0,
        owner,
    };
    let manager = Principal {
        user_id: 8,
        ..holder(&[1, 2], &[("security_administrator", 2)])
    };
    let so = Principal {
        user_id: 5,
        ..user(&["security_officer"], &[30])
    };
    let admin_owner = Principal {
        user_id: 6,
        ..user(&["admin", "security_officer"], &[30])
    };
    let colleague = Principal {
        user_id: 9,
        ..user(&["staff"], &[1, 2])
    };
    let other_manager = holder(&[1, 3], &[("security_administrator", 3)]);
    // Raising: the security office and auditors, not staff or managers.
    assert!(a.check(&so, Action::RaiseFinding, &Resource::App));
    assert!(a.check(
        &user(&["auditor"], &[30]),
        Action::RaiseFinding,
        &Resource::App
    ));
    assert!(!a.check(&manager, Action::RaiseFinding, &Resource::App));
    assert!(!a.check(&colleague, Action::RaiseFinding, &Resource::App));
    // Reading.
    for p in [
        &manager,
        &so,
        &user(&["auditor"], &[30]),
        &holder(&[30], &[("ciso", 0)]),
    ] {
        assert!(a.check(p, Action::ReadFinding, &finding(0)), "{p:?}");
    }
    assert!(!a.check(&colleague, Action::ReadFinding, &finding(0)));
    assert!(!a.check(&other_manager, Action::ReadFinding, &finding(0)));
    assert!(
        a.check(&colleague, Action::ReadFinding, &finding(9)),
        "owner reads"
    );
    // Planning: the unit's managers and the office.
    assert!(a.check(&manager, Action::PlanFinding, &finding(0)));
    assert!(a.check(&so, Action::PlanFinding, &finding(0)));
    assert!(!a.check(&colleague, Action::PlanFinding, &finding(0)));
    // Reporting done: the owner only.
    assert!(a.check(&manager, Action::ReportFinding, &finding(8)));
    assert!(!a.check(&manager, Action::ReportFinding, &finding(9)));
    assert!(!a.check(&so, Action::ReportFinding, &finding(8)));
    // Verifying: not the owner, whoever they are.
    assert!(!a.check(&manager, Action::VerifyFinding, &finding(8)));
    assert!(a.check(&so, Action::VerifyFinding, &finding(8)));
    assert!(a.check(&manager, Action::VerifyFinding, &finding(5)));
    assert!(!a.check(&so, Action::VerifyFinding, &finding(5)));
    assert!(!a.check(&admin_owner, Action::VerifyFinding, &finding(6)));
    assert!(!a.check(&colleague, Action::VerifyFinding, &finding(8)));
    // Closing: the security office.
    assert!(a.check(&so, Action::CloseFinding, &finding(8)));
    assert!(!a.check(&manager, Action::CloseFinding, &finding(5)));
}

#[test]
fn only_the_ciso_orders_an_audit_and_nobody_audits_their_own_unit() {
    let a = Authorizer::builtin().unwrap();
    assert!(a.check(
        &holder(&[30], &[("ciso", 0)]),
        Action::OrderAudit,
        &Resource::App
    ));
    assert!(!a.check(
        &user(&["security_officer"], &[30]),
        Action::OrderAudit,
        &Resource::App
    ));
    assert!(!a.check(
        &user(&["auditor"], &[30]),
        Action::OrderAudit,
        &Resource::App
    ));
    let auditor = user(&["auditor"], &[1, 2]);
    assert!(a.check(&auditor, Action::AuditUnit, &unit(&[1, 3])));
    assert!(
        !a.check(&auditor, Action::AuditUnit, &unit(&[1, 2])),
        "own unit"
    );
    assert!(
        !a.check(&auditor, Action::AuditUnit, &unit(&[1])),
        "the unit above"
    );
    let managing = Principal {
        scoped_roles: vec![("security_manager".into(), 3)],
        ..user(&["auditor"], &[30])
    };
    assert!(
        !a.check(&managing, Action::AuditUnit, &unit(&[1, 3])),
        "a unit they manage"
    );
}

// --- ops2 ---
#[test]
fn a_permission_is_granted_by_the_managers_of_its_unit_never_by_its_requester() {
    let a = Authorizer::builtin().unwrap();
    let request = |requester: i64| Resource::Permission {
        id: 4,
        requester,
        unit_lineage: vec![1, 2],
    };
    let admin = Principal {
        user_id: 7,
        ..holder(&[1, 2], &[("security_administrator", 2)])
    };
    let manager = holder(&[1], &[("security_manager", 1)]);
    for p in [&admin, &manager] {
        assert!(a.check(p, Action::ApproveRequest, &request(8)), "{p:?}");
        assert!(a.check(p, Action::ReadPermission, &request(8)));
        assert!(a.check(p, Action::ReturnPermission, &request(8)));
    }
    assert!(
        !a.check(&admin, Action::ApproveRequest, &request(7)),
        "own request"
    );
    // Neither the security office, the CISO nor another unit's manager grants it.
    let so = user(&["security_officer", "admin"], &[30]);
    let ciso = holder(&[30], &[("ciso", 0)]);
    let other = holder(&[1, 4], &[("security_administrator", 4)]);
    for p in [&so, &ciso, &other] {
        assert!(!a.check(p, Action::ApproveRequest, &request(8)), "{p:?}");
    }
    assert!(a.check(&so, Action::ReadPermission, &request(8)));
    assert!(!a.check(&other, Action::ReadPermission, &request(8)));
    // The requester reads it and records the return; a colleague does neither.
    let requester = Principal {
        user_id: 8,
        ..user(&["staff"], &[1, 2])
    };
    assert!(a.check(&requester, Action::ReadPermission, &request(8)));
    assert!(a.check(&requester, Action::ReturnPermission, &request(8)));
    assert!(a.check(&requester, Action::RequestPermission, &Resource::App));
    let colleague = Principal {
        user_id: 9,
        ..user(&["staff"], &[1, 2])
    };
    assert!(!a.check(&colleague, Action::ReadPermission, &request(8)));
    assert!(!a.check(&colleague, Action::ReturnPermission, &request(8)));
}

#[test]
fn violations_are_recorded_by_the_security_office_and_read_by_their_units_managers() {
    let a = Authorizer::builtin().unwrap();
    let unit = Resource::Unit {
        lineage: vec![1, 2],
    };
    let so = user(&["security_officer"], &[30]);
    assert!(a.check(&so, Action::RecordViolation, &Resource::App));
    assert!(a.check(&so, Action::ReadViolation, &unit));
    let staff = user(&["staff"], &[1, 2]);
    assert!(!a.check(&staff, Action::RecordViolation, &Resource::App));
    assert!(!a.check(&staff, Action::ReadViolation, &unit));
    let admin = holder(&[1, 2], &[("security_administrator", 2)]);
    assert!(a.check(&admin, Action::ReadViolation, &unit));
    assert!(!a.check(&admin, Action::RecordViolation, &Resource::App));
    let other = holder(&[1, 4], &[("security_administrator", 4)]);
    assert!(!a.check(&other, Action::ReadViolation, &unit));
    for p in [
        user(&["auditor"], &[30]),
        holder(&[30], &[("ciso", 0)]),
        holder(&[30], &[("chief_security_manager", 0)]),
    ] {
        assert!(a.check(&p, Action::ReadViolation, &unit), "{p:?}");
    }
}

#[test]
fn contractors_are_kept_by_the_security_office_and_read_by_oversight() {
    let a = Authorizer::builtin().unwrap();
    let so = user(&["security_officer"], &[30]);
    assert!(a.check(&so, Action::ManageContractors, &Resource::App));
    assert!(a.check(&so, Action::ReadContractors, &Resource::App));
    for p in [
        user(&["auditor"], &[30]),
        holder(&[30], &[("ciso", 0)]),
        holder(&[30], &[("chief_security_manager", 0)]),
    ] {
        assert!(
            a.check(&p, Action::ReadContractors, &Resource::App),
            "{p:?}"
        );
        assert!(
            !a.check(&p, Action::ManageContractors, &Resource::App),
            "{p:?}"
        );
    }
    let staff = user(&["staff"], &[1, 2]);
    let admin = holder(&[1, 2], &[("security_administrator", 2)]);
    for p in [staff, admin] {
        assert!(
            !a.check(&p, Action::ReadContractors, &Resource::App),
            "{p:?}"
        );
    }
}

#[test]
fn plans_are_kept_by_the_security_office_only() {
    let a = Authorizer::builtin().unwrap();
    assert!(a.check(
        &user(&["security_officer"], &[30]),
        Action::ManagePlans,
        &Resource::App
    ));
    for p in [
        user(&["staff"], &[1, 2]),
        holder(&[30], &[("ciso", 0)]),
        user(&["auditor"], &[30]),
    ] {
        assert!(!a.check(&p, Action::ManagePlans, &Resource::App), "{p:?}");
        assert!(a.check(&p, Action::View, &Resource::App), "{p:?}");
    }
}
