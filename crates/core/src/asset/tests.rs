use super::*;
use crate::catalog;
use time::macros::date;

fn r6() -> Scheme {
    let builtin = catalog::builtin().unwrap();
    builtin.classification.scheme("mic-r6").unwrap().clone()
}

fn draft(name: &str, c: &str, i: &str, a: &str) -> AssetDraft {
    AssetDraft {
        name: name.into(),
        levels: Levels::new(c, i, a),
        lifecycle: Lifecycle::InUse,
        disposal_date: None,
        disposal_method: String::new(),
        disposal_confirmed_by: String::new(),
    }
}

#[test]
fn kinds_parse_from_the_ledger() {
    for kind in AssetKind::ALL {
        assert_eq!(AssetKind::parse(kind.name_ja()), Some(kind));
        assert_eq!(AssetKind::parse(kind.short_ja()), Some(kind));
        assert_eq!(AssetKind::parse(kind.code()), Some(kind));
        assert_eq!(AssetKind::parse(&kind.name_en().to_uppercase()), Some(kind));
    }
    assert_eq!(
        AssetKind::parse(" 行政情報　"),
        Some(AssetKind::AdministrativeInformation)
    );
    assert_eq!(AssetKind::parse("サーバー"), Some(AssetKind::Equipment));
    assert_eq!(AssetKind::parse("書類"), None);
    assert_eq!(AssetKind::parse(""), None);
}

#[test]
fn lifecycle_parses_japanese() {
    assert_eq!(Lifecycle::parse("登録"), Some(Lifecycle::Registered));
    assert_eq!(Lifecycle::parse("使用中"), Some(Lifecycle::InUse));
    assert_eq!(Lifecycle::parse("運用中"), Some(Lifecycle::InUse));
    assert_eq!(Lifecycle::parse("廃棄"), Some(Lifecycle::Disposed));
    assert_eq!(Lifecycle::parse("in_use"), Some(Lifecycle::InUse));
    assert_eq!(Lifecycle::parse("保留"), None);
}

#[test]
fn flags_and_dates() {
    assert_eq!(parse_flag("有"), Some(true));
    assert_eq!(parse_flag("○"), Some(true));
    assert_eq!(parse_flag("ＴＲＵＥ"), Some(true));
    assert_eq!(parse_flag(""), Some(false));
    assert_eq!(parse_flag("無"), Some(false));
    assert_eq!(parse_flag("たぶん"), None);
    assert_eq!(parse_date("2024-04-01"), Some(date!(2024 - 04 - 01)));
    assert_eq!(parse_date("2024/4/1"), Some(date!(2024 - 04 - 01)));
    assert_eq!(
        parse_date("２０２４年４月１日"),
        Some(date!(2024 - 04 - 01))
    );
    assert_eq!(parse_date("令和6年4月1日"), Some(date!(2024 - 04 - 01)));
    assert_eq!(parse_date("令和元年5月1日"), Some(date!(2019 - 05 - 01)));
    assert_eq!(parse_date("R6.4.1"), Some(date!(2024 - 04 - 01)));
    assert_eq!(parse_date("H31.4.30"), Some(date!(2019 - 04 - 30)));
    assert_eq!(parse_date("2024-02-30"), None);
    assert_eq!(parse_date("昨日"), None);
    assert_eq!(parse_date("24/4/1"), None);
}

#[test]
fn validation_spells_levels_and_marks_the_top() {
    let s = r6();
    let ok = draft("  住民基本台帳  データ ", "c3a", "I2", "機密性2")
        .validate(&s)
        .unwrap_err();
    // "機密性2" in the availability column is not an availability level.
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].column, LedgerColumn::Availability);
    let ok = draft("  住民基本台帳  データ ", "c3a", "I2", "2")
        .validate(&s)
        .unwrap();
    assert_eq!(ok.name, "住民基本台帳 データ");
    assert_eq!(ok.levels.label(), "C3A-I2-A2");
    assert!(ok.is_top);
    let low = draft("広報誌", "自治体機密性1", "1", "1")
        .validate(&s)
        .unwrap();
    assert!(!low.is_top);
    assert_eq!(low.confidentiality_rank, 1);
}

#[test]
fn validation_lists_every_problem() {
    let s = r6();
    let errors = draft(" ", "3", "", "9").validate(&s).unwrap_err();
    let columns: Vec<LedgerColumn> = errors.iter().map(|e| e.column).collect();
    assert_eq!(
        columns,
        vec![
            LedgerColumn::Name,
            LedgerColumn::Confidentiality,
            LedgerColumn::Integrity,
            LedgerColumn::Availability
        ]
    );
    assert!(errors[1].message.contains("3A"), "{}", errors[1].message);
    assert!(errors[1].message_en.contains("not a level"));
}

#[test]
fn disposal_needs_date_method_and_confirmer() {
    let s = r6();
    let mut d = draft("旧サーバ", "2", "1", "1");
    d.lifecycle = Lifecycle::Disposed;
    let errors = d.validate(&s).unwrap_err();
    assert_eq!(errors.len(), 3);
    d.disposal_date = Some(date!(2025 - 03 - 31));
    d.disposal_method = "物理破壊".into();
    d.disposal_confirmed_by = "情報システム課 鈴木".into();
    let ok = d.validate(&s).unwrap();
    assert_eq!(ok.disposal.unwrap().method, "物理破壊");

    let mut live = draft("サーバ", "2", "1", "1");
    live.disposal_method = "溶解".into();
    let errors = live.validate(&s).unwrap_err();
    assert_eq!(errors[0].column, LedgerColumn::DisposalMethod);
}

#[test]
fn ledger_headers() {
    for column in LedgerColumn::ALL {
        assert_eq!(LedgerColumn::from_header(column.header()), Some(column));
        assert_eq!(LedgerColumn::from_header(column.header_en()), Some(column));
    }
    assert_eq!(
        LedgerColumn::from_header(" 情報資産名 "),
        Some(LedgerColumn::Name)
    );
    assert_eq!(LedgerColumn::from_header("業務分類"), None);
    let required = [
        "資産名",
        "種別",
        "所管課",
        "管理者",
        "保管場所",
        "情報システム",
        "ネットワーク区分",
        "機密性",
        "完全性",
        "可用性",
        "個人情報",
        "特定個人情報",
        "保存期間",
        "状態",
        "備考",
    ];
    for header in required {
        assert!(LedgerColumn::from_header(header).is_some(), "{header}");
    }
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(25), "Z");
    assert_eq!(column_letters(26), "AA");
}

#[test]
fn checks_flag_contradictions() {
    let s = r6();
    let facts = AssetFacts {
        my_number: true,
        personal_info: true,
        confidentiality: Some("2".into()),
        segment_role: Some("lgwan".into()),
    };
    assert_eq!(
        failed_checks(&s, &facts),
        vec!["mynumber-top", "mynumber-segment"]
    );
}
