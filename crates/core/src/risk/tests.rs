use super::*;
use crate::control::Implementation::*;

fn builtin_catalog() -> crate::catalog::Builtin {
    crate::catalog::builtin().expect("catalogues")
}

#[test]
fn the_builtin_rules_and_matrices_are_sound() {
    let b = builtin_catalog();
    let rules = ThreatRules::builtin().expect("rules parse");
    assert_eq!(rules.problems(&b.threats), Vec::<String>::new());
    let m = builtin_matrices().expect("matrices parse");
    assert_eq!(m.matrices.len(), 2);
    for x in &m.matrices {
        assert!(x.problems().is_empty(), "{}: {:?}", x.code, x.problems());
    }
}

#[test]
fn rules_name_unknown_threats_and_locations() {
    let b = builtin_catalog();
    let mut rules = ThreatRules::builtin().expect("rules");
    rules.rules[0].threats.push("T9-99".into());
    rules.rules[0].locations.push("moon".into());
    rules.frequencies.push(Frequency {
        threat: "T1-01".into(),
        frequency: 7,
    });
    let p = rules.problems(&b.threats);
    assert_eq!(p.len(), 3, "{p:?}");
}

fn facts<'a>(kind: &'a str, segment: Option<&'a str>, location: &'a str) -> Facts<'a> {
    Facts {
        kind,
        importance: 1,
        segment_role: segment,
        personal_info: false,
        my_number: false,
        location,
        has_system: false,
    }
}

#[test]
fn threats_follow_kind_segment_flags_and_location() {
    let rules = ThreatRules::builtin().expect("rules");
    let paper = rules.threats_for(&facts("administrative_information", None, OFFICE));
    assert!(paper.contains("T2-01") && !paper.contains("T1-02"));
    let net = rules.threats_for(&facts("electronic_information", Some("internet"), OFFICE));
    assert!(net.contains("T1-03"), "DoS on the Internet segment");
    let lgwan = rules.threats_for(&facts("electronic_information", Some("lgwan"), OFFICE));
    assert!(!lgwan.contains("T1-03"));
    let mut pi = facts("administrative_information", None, OFFICE);
    pi.my_number = true;
    assert!(rules.threats_for(&pi).contains("T2-09"));
    let cloud = rules.threats_for(&facts("electronic_information", None, "cloud"));
    assert!(cloud.contains("T2-10"));
    assert_eq!(rules.location_kind("AWSクラウド東京"), "cloud");
    assert_eq!(rules.location_kind("本庁舎3階"), OFFICE);
    assert_eq!(rules.location_kind("文書倉庫"), "offsite");
    assert_eq!(rules.frequency("T1-01"), 3);
    assert_eq!(rules.frequency("T2-04"), DEFAULT_FREQUENCY);
}

#[test]
fn importance_follows_the_ipa_sheet() {
    // mic-r6 confidentiality has 5 ranks; integrity and availability 2.
    assert_eq!(importance([(1, 5), (1, 2), (1, 2)], false, false), 1);
    assert_eq!(importance([(3, 5), (1, 2), (1, 2)], false, false), 2);
    assert_eq!(importance([(5, 5), (1, 2), (1, 2)], false, false), 3);
    assert_eq!(importance([(1, 5), (2, 2), (1, 2)], false, false), 3);
    assert_eq!(importance([(1, 5), (1, 2), (1, 2)], true, false), 2);
    assert_eq!(importance([(1, 5), (1, 2), (1, 2)], false, true), 3);
}

#[test]
fn controls_lower_the_likelihood() {
    assert_eq!(control_effect(&[]), 0.0);
    assert_eq!(
        control_effect(&[Some(Implemented), Some(NotImplemented)]),
        0.5
    );
    assert_eq!(control_effect(&[Some(Partial), Some(NotApplicable)]), 0.5);
    assert_eq!(control_effect(&[None, Some(Implemented)]), 0.5);
    assert_eq!(residual_likelihood(3, 0.0), 3);
    assert_eq!(residual_likelihood(3, 1.0), 1);
    assert_eq!(residual_likelihood(5, 0.5), 3);
    assert_eq!(residual_likelihood(1, 1.0), 1);
}

fn matrix(code: &str) -> Matrix {
    builtin_matrices()
        .expect("m")
        .matrices
        .into_iter()
        .find(|m| m.code == code)
        .expect("builtin")
}

#[test]
fn scales_spread_over_the_matrix() {
    let m3 = matrix("3x3");
    let m5 = matrix("5x5");
    assert_eq!((m3.impact_level(1), m3.impact_level(3)), (1, 3));
    assert_eq!(
        (m5.impact_level(1), m5.impact_level(2), m5.impact_level(3)),
        (2, 4, 5)
    );
    assert_eq!(m3.band(9).map(|b| b.code.as_str()), Some("high"));
    assert!(m3.needs_approval(4) && !m3.needs_approval(3));
}

#[test]
fn a_gap_an_overlap_and_a_missing_label_are_each_named() {
    let mut m = matrix("3x3");
    m.bands[1].min = 4; // 3 is no longer covered
    m.bands[2].min = 4; // 4 now in two bands
    m.likelihood[1].label = " ".into();
    m.bands[0].colour = "green".into();
    let p = m.problems();
    let codes: Vec<(&str, Option<&str>)> = p.iter().map(|p| (p.code, p.field.as_deref())).collect();
    assert!(
        codes.contains(&("MAMORI-RISK-MATRIX-GAP", Some("bands"))),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("MAMORI-RISK-MATRIX-OVERLAP", Some("bands"))),
        "{codes:?}"
    );
    assert!(codes.contains(&("MAMORI-RISK-MATRIX-LABEL", Some("likelihood[1].label"))));
    assert!(codes.contains(&("MAMORI-RISK-MATRIX-COLOUR", Some("bands[0].colour"))));
    let gap = p
        .iter()
        .find(|p| p.code == "MAMORI-RISK-MATRIX-GAP")
        .expect("gap");
    assert!(gap.params.contains(&("from", "3".into())));
    let mut m = matrix("5x5");
    m.likelihood.truncate(1);
    m.approval_above = 99;
    let codes: Vec<&str> = m.problems().iter().map(|p| p.code).collect();
    assert!(
        codes.contains(&"MAMORI-RISK-MATRIX-SIZE")
            && codes.contains(&"MAMORI-RISK-MATRIX-THRESHOLD")
    );
}

fn model(matrix_code: &str) -> Model {
    let b = builtin_catalog();
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
        rules: ThreatRules::builtin().expect("rules"),
        matrix: matrix(matrix_code),
        countering,
        approaches: Default::default(),
        ranks: Model::ranks_of(&b.classification),
    }
}

#[test]
fn decisions_add_and_dismiss_threats() {
    let m = model("3x3");
    let f = facts("administrative_information", None, OFFICE);
    let base = m.threats(&f, &[]);
    assert!(base.contains("T2-01"));
    let t = m.threats(
        &f,
        &[
            ("T1-03".into(), ThreatDecision::Add),
            ("T2-01".into(), ThreatDecision::Dismiss),
            ("T1-07".into(), ThreatDecision::Confirm),
        ],
    );
    assert!(t.contains("T1-03") && !t.contains("T2-01") && t.contains("T1-07"));
}

#[test]
fn implemented_controls_bring_the_residual_risk_down() {
    let m = model("3x3");
    let none = m.figures("T1-01", 3, |_| None);
    assert_eq!(
        (none.impact, none.likelihood, none.inherent_value),
        (3, 3, 9)
    );
    assert_eq!(none.residual_value, 9);
    assert_eq!(none.band, "high");
    let all = m.figures("T1-01", 3, |_| {
        Some(crate::control::Implementation::Implemented)
    });
    assert_eq!(
        (
            all.residual_likelihood,
            all.residual_value,
            all.control_effect
        ),
        (1, 3, 100)
    );
    assert_eq!(all.band, "medium");
    let half = m.figures("T1-01", 3, |_| {
        Some(crate::control::Implementation::Partial)
    });
    assert_eq!(half.residual_likelihood, 2);
}

#[test]
fn importance_is_read_from_the_scheme() {
    let m = model("3x3");
    let b = builtin_catalog();
    let s = b.active_scheme().expect("scheme");
    let top = |a| s.top(a).expect("top").code.clone();
    let bottom = |a| s.bottom(a).expect("bottom").code.clone();
    use crate::classification::Axis::*;
    let low = [
        bottom(Confidentiality),
        bottom(Integrity),
        bottom(Availability),
    ];
    let high = [
        top(Confidentiality),
        bottom(Integrity),
        bottom(Availability),
    ];
    fn as_refs(x: &[String; 3]) -> [&str; 3] {
        [x[0].as_str(), x[1].as_str(), x[2].as_str()]
    }
    assert_eq!(m.importance_of(&s.code, as_refs(&low), false, false), 1);
    assert_eq!(m.importance_of(&s.code, as_refs(&high), false, false), 3);
    assert_eq!(m.importance_of(&s.code, as_refs(&low), true, false), 2);
}
