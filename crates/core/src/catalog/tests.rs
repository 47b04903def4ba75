use super::*;

#[test]
fn builtin_loads() {
    let b = builtin().map_err(|e| e.to_string());
    assert!(b.is_ok(), "{b:?}");
}

#[test]
fn parse_error_names_file_and_place() {
    let err = parse::<ThreatCatalog>("threats.toml", "[[threat]]\ncode = 1\n").unwrap_err();
    match &err {
        CatalogError::Parse {
            file, line, column, ..
        } => {
            assert_eq!(file, "threats.toml");
            assert_eq!(*line, Some(2));
            assert!(column.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(text.starts_with("threats.toml line 2 column"), "{text}");
}

#[test]
fn dates_accept_toml_dates_and_strings() {
    let a: Revision =
        toml::from_str("label = \"附則\"\neffective = 2025-03-01\ntext = \"x\"").unwrap();
    let b: Revision =
        toml::from_str("label = \"附則\"\neffective = \"2025-03-01\"\ntext = \"x\"").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.effective, time::macros::date!(2025 - 03 - 01));
    let bad =
        toml::from_str::<Revision>("label = \"附則\"\neffective = \"2025-13-01\"\ntext = \"x\"");
    assert!(bad.is_err());
}

#[test]
fn validation_reports_broken_references() {
    let mut b = builtin().unwrap();
    b.threats.threats.push(b.threats.threats[0].clone());
    b.threats.threats[0].category = "nowhere".into();
    b.controls.controls[0].threats.push("T9-99".into());
    b.controls.controls[0].chapter = 99;
    b.controls.controls[0].category = "magic".into();
    b.classification.default_active = "none".into();
    let Err(CatalogError::Invalid { problems }) = b.validate() else {
        panic!("expected problems");
    };
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("threat code 'T1-01' appears more than once"),
        "{text:?}"
    );
    assert!(has("category 'nowhere'"), "{text:?}");
    assert!(has("threat 'T9-99'"), "{text:?}");
    assert!(has("chapter '99'"), "{text:?}");
    assert!(has("category 'magic'"), "{text:?}");
    assert!(has("default_active names scheme 'none'"), "{text:?}");
}

#[test]
fn validation_reports_bad_schemes() {
    let mut b = builtin().unwrap();
    let scheme = &mut b.classification.schemes[0];
    scheme.levels.retain(|l| l.axis != Axis::Availability);
    let first = scheme.levels[0].clone();
    let mut same_rank = scheme.levels[1].clone();
    same_rank.axis = first.axis;
    same_rank.code = "9Z".into();
    same_rank.rank = first.rank;
    scheme.levels.push(same_rank);
    scheme.checks[0].require.confidentiality_at_least = Some("7".into());
    let Err(CatalogError::Invalid { problems }) = b.validate() else {
        panic!("expected problems");
    };
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("no level of availability"), "{text:?}");
    assert!(has("confidentiality rank"), "{text:?}");
    assert!(has("level '7'"), "{text:?}");
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(line_column("a\nb", 2), (2, 1));
    assert_eq!(line_column("名前 = x", "名前 = ".len()), (1, 6));
    // An offset inside a character falls back to its start.
    assert_eq!(line_column("機密性", 1), (1, 1));
    assert_eq!(line_column("abc", 99), (1, 4));
}

#[test]
fn unknown_fields_are_rejected() {
    let src = "[[category]]\ncode = \"x\"\narticle_item = 1\nname = \"x\"\nname_en = \"x\"\ndescription = \"x\"\ncolour = \"red\"\n";
    let err = parse::<ThreatCatalog>(THREATS_FILE, src)
        .unwrap_err()
        .to_string();
    assert!(err.contains("colour"), "{err}");
    assert!(err.starts_with("catalogs/threats.toml line"), "{err}");
}
