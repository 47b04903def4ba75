use super::deadline::DeadlineRules;
use super::exception::Deviation;
use super::incident::{IncidentKind, PersonalData, Severity, Step};

fn day(s: &str) -> time::Date {
    crate::catalog::parse_iso_date(s).unwrap()
}

#[test]
fn codes_read_back() {
    for k in IncidentKind::ALL {
        assert_eq!(IncidentKind::parse(k.code()), Some(*k));
    }
    assert_eq!(IncidentKind::parse("fire"), None);
    assert_eq!(Severity::parse("critical"), Some(Severity::Critical));
}

#[test]
fn the_reporting_line_climbs_to_the_ciso_and_stops() {
    let mut s = Step::Administrator;
    let mut seen = vec![s];
    while let Some(n) = s.next() {
        seen.push(n);
        s = n;
    }
    assert_eq!(seen, Step::ALL.to_vec());
    assert_eq!(Step::Ciso.next(), None);
}

#[test]
fn a_report_to_the_commission_needs_personal_data_and_a_criterion() {
    let mut d = PersonalData {
        personal_info: true,
        ..Default::default()
    };
    assert!(!d.ppc_required());
    d.affected = Some(100);
    assert!(!d.ppc_required(), "100 people is not more than 100");
    d.affected = Some(101);
    assert!(d.ppc_required());
    assert_eq!(d.criteria(), vec!["over_100"]);
    let d = PersonalData {
        sensitive: true,
        ..Default::default()
    };
    assert!(!d.ppc_required(), "no personal data involved");
    let d = PersonalData {
        my_number: true,
        financial: true,
        ..Default::default()
    };
    assert!(d.ppc_required());
}

#[test]
fn the_builtin_deadlines_count_from_the_day_noticed() {
    let rules = DeadlineRules::builtin().unwrap();
    let d = PersonalData {
        personal_info: true,
        sensitive: true,
        ..Default::default()
    };
    let owed = rules.owed(day("2026-04-01"), Severity::Medium, &d);
    let codes: Vec<(&str, String)> = owed
        .iter()
        .map(|(r, due)| (r.code.as_str(), due.to_string()))
        .collect();
    assert!(
        codes.contains(&("ppc_prompt", "2026-04-06".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("ppc_final", "2026-05-01".into())),
        "{codes:?}"
    );
    assert!(!codes.iter().any(|(c, _)| *c == "prefecture"));
    // A wrongful purpose gives the final report more time; severity adds
    // the prefecture and the ministry.
    let wrongful = PersonalData {
        wrongful: true,
        ..d
    };
    let owed = rules.owed(day("2026-04-01"), Severity::High, &wrongful);
    let final_due = owed.iter().find(|(r, _)| r.code == "ppc_final").unwrap().1;
    assert_eq!(final_due.to_string(), "2026-05-31");
    assert!(owed.iter().any(|(r, _)| r.code == "prefecture"));
    // Nothing is owed for a minor incident without personal data.
    assert!(
        rules
            .owed(day("2026-04-01"), Severity::Low, &PersonalData::default())
            .is_empty()
    );
}

#[test]
fn a_rule_with_negative_days_is_refused() {
    let text = r#"
[[rule]]
code = "ppc_prompt"
name = "速報"
name_en = "Prompt"
destination = "委員会"
destination_en = "Commission"
applies = "ppc_required"
days = -3
"#;
    let e = DeadlineRules::parse("x.toml", text).unwrap_err();
    assert!(e.contains("negative"), "{e}");
    let e = DeadlineRules::parse(
        "x.toml",
        &text.replace("-3", "3").replace("ppc_required", "sometimes"),
    )
    .unwrap_err();
    assert!(e.contains("sometimes"), "{e}");
    assert!(DeadlineRules::parse("x.toml", &text.replace("-3", "3")).is_ok());
}

#[test]
fn a_deviation_is_a_provision_or_a_control() {
    assert_eq!(
        Deviation::parse("STD-01#3.2"),
        Some(Deviation::Provision {
            document: "STD-01".into(),
            key: "3.2".into()
        })
    );
    assert_eq!(
        Deviation::parse(" S4-01 "),
        Some(Deviation::Control("S4-01".into()))
    );
    for bad in ["", "#3", "STD#", "A#B#C", "S4 01"] {
        assert_eq!(Deviation::parse(bad), None, "{bad}");
    }
}
