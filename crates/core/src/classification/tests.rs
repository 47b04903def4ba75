use super::*;

fn level(axis: Axis, code: &str, rank: u32) -> Level {
    Level {
        axis,
        code: code.into(),
        rank,
        name: format!("{}{code}", axis.name_ja()),
        name_en: format!("{} {code}", axis.name_en()),
        question: String::new(),
        question_en: String::new(),
        description: String::new(),
        description_en: String::new(),
        examples: vec![],
        examples_en: vec![],
        handling: Handling::default(),
        handling_en: Handling::default(),
        tags: vec![],
    }
}

fn scheme() -> Scheme {
    let mut levels = vec![];
    for (code, rank) in [("3A", 5), ("3B", 4), ("3C", 3), ("2", 2), ("1", 1)] {
        levels.push(level(Axis::Confidentiality, code, rank));
    }
    for axis in [Axis::Integrity, Axis::Availability] {
        levels.push(level(axis, "2", 2));
        levels.push(level(axis, "1", 1));
    }
    levels[0].handling.storage = Some("施錠".into());
    levels[0].handling.disposal = Some("復元不可能な消去".into());
    levels[5].handling.backup = Some("定期的なバックアップ".into());
    levels[7].handling.recovery = Some("定めた時間内に復旧".into());
    levels[7].handling.labelling = Some("   ".into());
    let check = |code: &str, when: Condition, require: Requirement| ConsistencyCheck {
        code: code.into(),
        message: code.into(),
        message_en: code.into(),
        when,
        require,
    };
    Scheme {
        code: "test".into(),
        name: "test".into(),
        name_en: "test".into(),
        description: String::new(),
        description_en: String::new(),
        levels,
        checks: vec![
            check(
                "mynumber-top",
                Condition {
                    my_number: Some(true),
                    ..Condition::default()
                },
                Requirement {
                    confidentiality_at_least: Some("top".into()),
                    ..Requirement::default()
                },
            ),
            check(
                "mynumber-segment",
                Condition {
                    my_number: Some(true),
                    ..Condition::default()
                },
                Requirement {
                    segment_role_in: Some(vec!["mynumber".into()]),
                    ..Requirement::default()
                },
            ),
            check(
                "top-not-internet",
                Condition {
                    confidentiality_at_least: Some("top".into()),
                    ..Condition::default()
                },
                Requirement {
                    segment_role_not_in: Some(vec!["internet".into()]),
                    ..Requirement::default()
                },
            ),
            check(
                "personal-2",
                Condition {
                    personal_info: Some(true),
                    ..Condition::default()
                },
                Requirement {
                    confidentiality_at_least: Some("2".into()),
                    ..Requirement::default()
                },
            ),
        ],
    }
}

fn failed(s: &Scheme, facts: &AssetFacts) -> Vec<String> {
    s.evaluate(facts)
        .into_iter()
        .map(|c| c.code.clone())
        .collect()
}

#[test]
fn levels_and_top() {
    let s = scheme();
    assert_eq!(
        s.top(Axis::Confidentiality).map(|l| l.code.as_str()),
        Some("3A")
    );
    assert_eq!(s.top(Axis::Integrity).map(|l| l.code.as_str()), Some("2"));
    assert_eq!(
        s.bottom(Axis::Confidentiality).map(|l| l.code.as_str()),
        Some("1")
    );
    assert_eq!(
        s.level(Axis::Confidentiality, "3b").map(|l| l.rank),
        Some(4)
    );
    assert!(s.level(Axis::Integrity, "3A").is_none());
    let order: Vec<&str> = s
        .levels_of(Axis::Confidentiality)
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    assert_eq!(order, ["3A", "3B", "3C", "2", "1"]);
}

#[test]
fn labels_round_trip() {
    let s = scheme();
    let l = s.parse_label("C3A-I2-A2").unwrap();
    assert_eq!(l.confidentiality, "3A");
    assert_eq!(l.to_string(), "C3A-I2-A2");
    assert_eq!(
        s.parse_label(" c3a-a1-i2 ").unwrap().to_string(),
        "C3A-I2-A1"
    );
    assert_eq!(s.label("3a", "2", "1"), "C3A-I2-A1");
    assert_eq!(s.label("2", "1", "1"), "C2-I1-A1");
    assert_eq!(l.code(Axis::Availability), "2");
}

#[test]
fn label_errors_name_the_bad_part() {
    let s = scheme();
    let e = |t: &str| s.parse_label(t).unwrap_err().to_string();
    assert_eq!(e("C4-I2-A2"), "機密性 '4' is not a level of scheme test");
    assert_eq!(e("C3A-I3-A2"), "完全性 '3' is not a level of scheme test");
    assert_eq!(e(""), "label is empty");
    assert!(e("C3A-I2").contains("three parts"));
    assert!(e("C3A-X2-A2").contains("'X2'"));
    assert!(e("C3A-C2-A2").contains("機密性 appears twice"));
    assert!(e("C3A-I-A2").contains("完全性 has no level"));
    assert!(matches!(
        s.parse_label("C3-I2-A2"),
        Err(LabelError::UnknownLevel {
            axis: Axis::Confidentiality,
            ..
        })
    ));
}

#[test]
fn handling_combines_the_axes() {
    let s = scheme();
    let rules = s.handling_for("3A", "2", "2");
    assert_eq!(
        rules,
        vec![
            (Axis::Confidentiality, HandlingTopic::Storage, "施錠"),
            (
                Axis::Confidentiality,
                HandlingTopic::Disposal,
                "復元不可能な消去"
            ),
            (
                Axis::Integrity,
                HandlingTopic::Backup,
                "定期的なバックアップ"
            ),
            (
                Axis::Availability,
                HandlingTopic::Recovery,
                "定めた時間内に復旧"
            ),
        ]
    );
    assert!(s.handling_for("1", "1", "1").is_empty());
    assert!(s.handling_for("9", "9", "9").is_empty());
    let label = s.parse_label("C3A-I1-A1").unwrap();
    assert_eq!(s.handling_for_label(&label).len(), 2);
}

#[test]
fn evaluate_my_number() {
    let s = scheme();
    let mut facts = AssetFacts {
        my_number: true,
        personal_info: true,
        confidentiality: Some("3A".into()),
        segment_role: Some("mynumber".into()),
    };
    assert!(failed(&s, &facts).is_empty());
    facts.confidentiality = Some("3B".into());
    assert_eq!(failed(&s, &facts), ["mynumber-top"]);
    facts.segment_role = Some("lgwan".into());
    assert_eq!(failed(&s, &facts), ["mynumber-top", "mynumber-segment"]);
    facts.segment_role = None;
    facts.confidentiality = None;
    assert_eq!(
        failed(&s, &facts),
        ["mynumber-top", "mynumber-segment", "personal-2"]
    );
}

#[test]
fn evaluate_top_and_internet() {
    let s = scheme();
    let mut facts = AssetFacts {
        confidentiality: Some("3A".into()),
        segment_role: Some("internet".into()),
        ..AssetFacts::default()
    };
    assert_eq!(failed(&s, &facts), ["top-not-internet"]);
    facts.segment_role = None;
    assert_eq!(failed(&s, &facts), ["top-not-internet"]);
    facts.segment_role = Some("lgwan".into());
    assert!(failed(&s, &facts).is_empty());
    facts.confidentiality = Some("3B".into());
    facts.segment_role = Some("internet".into());
    assert!(failed(&s, &facts).is_empty());
}

#[test]
fn evaluate_personal_info() {
    let s = scheme();
    let mut facts = AssetFacts {
        personal_info: true,
        confidentiality: Some("1".into()),
        ..AssetFacts::default()
    };
    assert_eq!(failed(&s, &facts), ["personal-2"]);
    facts.confidentiality = Some("2".into());
    assert!(failed(&s, &facts).is_empty());
    facts.confidentiality = Some("3C".into());
    assert!(failed(&s, &facts).is_empty());
    facts.personal_info = false;
    facts.confidentiality = Some("1".into());
    assert!(failed(&s, &facts).is_empty());
}
