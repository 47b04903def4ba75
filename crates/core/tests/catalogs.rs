//! The built-in catalogues as a whole: they load, they are complete, they
//! agree with the basic policy.

use mamori_core::catalog::{Axis, Builtin, DocumentLevel, HandlingTopic, builtin};
use mamori_core::classification::AssetFacts;
use std::collections::BTreeSet;
use time::macros::date;

fn b() -> Builtin {
    match builtin() {
        Ok(b) => b,
        Err(e) => panic!("built-in catalogues do not load: {e}"),
    }
}

#[test]
fn basic_policy_articles_items_and_revisions() {
    let p = b().basic_policy;
    assert_eq!(p.code, "basic_policy");
    assert_eq!(p.level, DocumentLevel::BasicPolicy);
    assert_eq!(p.title, "千葉市情報セキュリティ対策基本方針");
    let numbers: Vec<u32> = p.articles.iter().map(|a| a.number).collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<_>>());
    for a in &p.articles {
        assert_eq!(a.label, format!("第{}", a.number));
        assert!(
            !a.heading.is_empty() && !a.heading_en.is_empty(),
            "{}",
            a.label
        );
        assert!(!a.body.is_empty(), "{}", a.label);
        for (n, item) in a.items.iter().enumerate() {
            assert_eq!(item.number as usize, n + 1, "{}", a.label);
            assert_eq!(item.label, format!("({})", item.number));
            assert_eq!(item.heading.is_some(), item.heading_en.is_some());
        }
    }
    let item_counts: Vec<usize> = p.articles.iter().map(|a| a.items.len()).collect();
    assert_eq!(item_counts, [0, 14, 0, 0, 0, 0, 4, 5, 2, 0, 0]);

    let headings: Vec<&str> = p.articles.iter().map(|a| a.heading.as_str()).collect();
    assert_eq!(
        headings,
        [
            "目的",
            "定義",
            "対象範囲",
            "職員の義務",
            "組織及び体制",
            "情報資産の格付け及び管理",
            "情報セキュリティへの脅威",
            "脅威への対策",
            "情報セキュリティ対策の体系",
            "情報セキュリティ監査及び自己点検の実施",
            "情報セキュリティ対策の評価及び見直し",
        ]
    );
    let terms: Vec<&str> = p.articles[1]
        .items
        .iter()
        .filter_map(|i| i.heading.as_deref())
        .collect();
    assert_eq!(terms.len(), 14);
    assert_eq!(terms[0], "ネットワーク");
    assert_eq!(terms[6], "情報資産");
    assert_eq!(terms[13], "強靱性の向上");
    let def14 = &p.articles[1].items[13].body;
    assert!(def14.starts_with("市の情報システム全体をマイナンバー利用事務系、"));
    assert!(p.articles[6].items.iter().all(|i| i.heading.is_none()));
    let measures: Vec<&str> = p.articles[7]
        .items
        .iter()
        .filter_map(|i| i.heading.as_deref())
        .collect();
    assert_eq!(
        measures,
        [
            "物理的な対策",
            "人的な対策",
            "技術的な対策",
            "運用における対策",
            "業務委託及び外部サービスの利用における対策",
        ]
    );
    let system = p.article(9).map(|a| &a.items);
    assert_eq!(
        system.map(|i| i[1].heading.as_deref()),
        Some(Some("情報セキュリティ対策実施手順"))
    );
    assert_eq!(
        p.article(1).map(|a| a.body.as_str()),
        Some(
            "この基本方針は、市の情報セキュリティ対策について、基本的な事項を定めることにより、その総合的かつ体系的な推進を図り、もって市民の財産、プライバシー等の保護と安定的で信頼される行政運営に資することを目的とする。"
        )
    );

    let effective: Vec<time::Date> = p.revisions.iter().map(|r| r.effective).collect();
    assert_eq!(
        effective,
        [
            date!(2002 - 11 - 01),
            date!(2008 - 04 - 01),
            date!(2012 - 06 - 05),
            date!(2022 - 04 - 01),
            date!(2025 - 03 - 01),
        ]
    );
    for r in &p.revisions {
        assert_eq!(r.label, "附則");
        let expected = format!(
            "この基本方針は、{}から施行する。",
            mamori_core::wareki::format_wareki(r.effective)
        );
        assert_eq!(r.text, expected);
    }
    assert_eq!(
        p.revision_in_force(date!(2024 - 01 - 01))
            .map(|r| r.effective),
        Some(date!(2022 - 04 - 01))
    );
    assert_eq!(
        p.latest_revision().map(|r| r.effective),
        Some(date!(2025 - 03 - 01))
    );
    assert!(p.revision_in_force(date!(2000 - 01 - 01)).is_none());
}

const NAMED_THREATS: [(&str, &[&str]); 4] = [
    (
        "intentional",
        &[
            "不正アクセス",
            "マルウェアによる攻撃",
            "サービス不能攻撃",
            "サイバー攻撃",
            "部外者の侵入",
            "重要情報の詐取",
            "内部不正",
        ],
    ),
    (
        "unintentional",
        &[
            "情報資産の無断持ち出し",
            "無許可ソフトウェアの使用",
            "規定違反",
            "設計・開発の不備",
            "操作・設定ミス",
            "プログラムミス",
            "ネットワークの誤接続",
            "メンテナンスの不備",
            "内部・外部監査機能の不備",
            "業務委託管理の不備",
            "マネジメントの欠陥",
            "機器故障",
        ],
    ),
    (
        "disaster",
        &[
            "地震",
            "落雷",
            "火災",
            "水害",
            "災害",
            "大規模・広範囲にわたる疾病による要員不足",
        ],
    ),
    (
        "infrastructure",
        &[
            "電力供給の途絶",
            "通信の途絶",
            "水道供給の途絶",
            "インフラの障害",
        ],
    ),
];

#[test]
fn every_threat_of_article_7_in_its_category() {
    let builtin = b();
    let t = &builtin.threats;
    let cats: Vec<(&str, u32)> = t
        .categories
        .iter()
        .map(|c| (c.code.as_str(), c.article_item))
        .collect();
    assert_eq!(
        cats,
        [
            ("intentional", 1),
            ("unintentional", 2),
            ("disaster", 3),
            ("infrastructure", 4)
        ]
    );
    for (category, names) in NAMED_THREATS {
        let in_cat: Vec<&str> = t.in_category(category).map(|x| x.name.as_str()).collect();
        for name in names {
            assert!(
                in_cat.contains(name),
                "{name} missing from category {category}"
            );
        }
        assert_eq!(in_cat.len(), names.len(), "{category}: {in_cat:?}");
    }
    assert_eq!(t.threats.len(), 29);

    // Each named threat appears word for word in its item of 第7.
    let article7 = builtin.basic_policy.article(7).map(|a| a.items.clone());
    let items = article7.unwrap_or_default();
    for threat in &t.threats {
        let item = t.category(&threat.category).map(|c| c.article_item);
        let text = items
            .iter()
            .find(|i| Some(i.number) == item)
            .map(|i| i.body.as_str())
            .unwrap_or_default();
        assert!(
            text.contains(&threat.name),
            "{} {} not in 第7({item:?})",
            threat.code,
            threat.name
        );
        let serial = threat.code.split('-').next().unwrap_or_default();
        assert_eq!(serial, format!("T{}", item.unwrap_or(0)), "{}", threat.code);
        assert!(!threat.description.is_empty() && !threat.description_en.is_empty());
    }
    let generic: BTreeSet<&str> = t
        .threats
        .iter()
        .filter(|x| x.generic)
        .map(|x| x.name.as_str())
        .collect();
    assert_eq!(
        generic,
        BTreeSet::from(["サイバー攻撃", "規定違反", "災害", "インフラの障害"])
    );
}

#[test]
fn controls_cover_categories_chapters_and_threats() {
    let builtin = b();
    let c = &builtin.controls;
    let cats: Vec<(&str, u32)> = c
        .categories
        .iter()
        .map(|x| (x.code.as_str(), x.article_item))
        .collect();
    assert_eq!(
        cats,
        [
            ("physical", 1),
            ("human", 2),
            ("technical", 3),
            ("operational", 4),
            ("outsourcing", 5)
        ]
    );
    // Category names are the headings of 第8's items.
    let measures: Vec<String> = builtin
        .basic_policy
        .article(8)
        .map(|a| a.items.iter().filter_map(|i| i.heading.clone()).collect())
        .unwrap_or_default();
    let names: Vec<String> = c.categories.iter().map(|x| x.name.clone()).collect();
    assert_eq!(names, measures);

    let chapters: Vec<(u32, &str)> = c
        .chapters
        .iter()
        .map(|x| (x.number, x.name.as_str()))
        .collect();
    assert_eq!(
        chapters,
        [
            (1, "組織体制"),
            (2, "情報資産の分類と管理"),
            (3, "情報システム全体の強靱性の向上"),
            (4, "物理的セキュリティ"),
            (5, "人的セキュリティ"),
            (6, "技術的セキュリティ"),
            (7, "運用"),
            (8, "業務委託と外部サービスの利用"),
            (9, "評価・見直し"),
        ]
    );
    assert!(
        (60..=90).contains(&c.controls.len()),
        "{} controls",
        c.controls.len()
    );
    for chapter in &c.chapters {
        assert!(
            c.in_chapter(chapter.number).count() >= 3,
            "chapter {}",
            chapter.number
        );
    }
    for category in &c.categories {
        assert!(
            c.controls.iter().any(|x| x.category == category.code),
            "category {}",
            category.code
        );
    }
    for control in &c.controls {
        assert!(
            !control.threats.is_empty(),
            "{} mitigates nothing",
            control.code
        );
        assert_eq!(
            control.code.split('-').next(),
            Some(format!("S{}", control.chapter).as_str()),
            "{}",
            control.code
        );
        assert!(!control.description.is_empty() && !control.description_en.is_empty());
    }
    for threat in &builtin.threats.threats {
        assert!(
            c.mitigating(&threat.code).next().is_some(),
            "no control mitigates {} {}",
            threat.code,
            threat.name
        );
    }
}

#[test]
fn classification_schemes() {
    let builtin = b();
    let s = &builtin.classification;
    assert_eq!(s.default_active, "mic-r6");
    assert_eq!(
        builtin.active_scheme().map(|x| x.code.as_str()),
        Some("mic-r6")
    );
    let codes = |scheme: &str, axis: Axis| -> Vec<String> {
        s.scheme(scheme)
            .map(|x| x.levels_of(axis).iter().map(|l| l.code.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(codes("mic-legacy", Axis::Confidentiality), ["3", "2", "1"]);
    assert_eq!(
        codes("mic-r6", Axis::Confidentiality),
        ["3A", "3B", "3C", "2", "1"]
    );
    for scheme in ["mic-legacy", "mic-r6"] {
        assert_eq!(codes(scheme, Axis::Integrity), ["2", "1"]);
        assert_eq!(codes(scheme, Axis::Availability), ["2", "1"]);
    }
    for scheme in &s.schemes {
        for level in &scheme.levels {
            let what = format!("{} {}", scheme.code, level.name);
            assert!(
                !level.question.is_empty() && !level.question_en.is_empty(),
                "{what}"
            );
            assert!(!level.description.is_empty(), "{what}");
            assert!(!level.examples.is_empty(), "{what}");
            assert_eq!(level.examples.len(), level.examples_en.len(), "{what}");
            let topics: Vec<HandlingTopic> = level.handling.rules().map(|(t, _)| t).collect();
            let topics_en: Vec<HandlingTopic> = level.handling_en.rules().map(|(t, _)| t).collect();
            assert_eq!(topics, topics_en, "{what}");
            let bottom = scheme.bottom(level.axis).map(|l| l.rank);
            assert_eq!(
                level.handling.is_empty(),
                Some(level.rank) == bottom,
                "{what}"
            );
        }
        let checks: BTreeSet<&str> = scheme.checks.iter().map(|c| c.code.as_str()).collect();
        for code in [
            "mynumber-top",
            "mynumber-segment",
            "top-not-internet",
            "personal-info-c2",
        ] {
            assert!(checks.contains(code), "{} lacks {code}", scheme.code);
        }
    }
    // Unverified definitions say so.
    let r6 = s.scheme("mic-r6");
    for code in ["3C", "2", "1"] {
        let level = r6.and_then(|x| x.level(Axis::Confidentiality, code));
        assert!(
            level.is_some_and(|l| l.description.contains("（要確認）")),
            "{code}"
        );
    }
}

#[test]
fn labels_and_handling_on_the_builtin_schemes() {
    let builtin = b();
    let legacy = builtin.classification.scheme("mic-legacy");
    let r6 = builtin.classification.scheme("mic-r6");
    let (Some(legacy), Some(r6)) = (legacy, r6) else {
        panic!("schemes missing");
    };
    assert_eq!(
        legacy.parse_label("C3-I2-A2").map(|l| l.to_string()),
        Ok("C3-I2-A2".to_owned())
    );
    assert_eq!(
        r6.parse_label("C3A-I2-A2").map(|l| l.to_string()),
        Ok("C3A-I2-A2".to_owned())
    );
    assert_eq!(
        r6.parse_label("C3-I2-A2").map_err(|e| e.to_string()),
        Err("機密性 '3' is not a level of scheme mic-r6".to_owned())
    );
    assert_eq!(
        legacy.parse_label("C3A-I2-A2").map_err(|e| e.to_string()),
        Err("機密性 '3A' is not a level of scheme mic-legacy".to_owned())
    );
    assert_eq!(r6.label("3b", "1", "2"), "C3B-I1-A2");
    assert_eq!(
        r6.top(Axis::Confidentiality).map(|l| l.code.as_str()),
        Some("3A")
    );
    assert_eq!(
        legacy.top(Axis::Confidentiality).map(|l| l.code.as_str()),
        Some("3")
    );

    let rules = r6.handling_for("3A", "2", "2");
    let has =
        |axis: Axis, topic: HandlingTopic| rules.iter().any(|(a, t, _)| *a == axis && *t == topic);
    assert!(has(Axis::Confidentiality, HandlingTopic::Encryption));
    assert!(has(Axis::Confidentiality, HandlingTopic::Disposal));
    assert!(has(Axis::Confidentiality, HandlingTopic::TakingOut));
    assert!(has(Axis::Integrity, HandlingTopic::Backup));
    assert!(has(Axis::Availability, HandlingTopic::Recovery));
    assert!(r6.handling_for("1", "1", "1").is_empty());
    assert_eq!(r6.handling_for_en("3A", "2", "2").len(), rules.len());
}

#[test]
fn consistency_checks_on_the_builtin_schemes() {
    let builtin = b();
    let Some(r6) = builtin.classification.scheme("mic-r6") else {
        panic!("mic-r6 missing");
    };
    let failed = |facts: &AssetFacts| -> Vec<String> {
        r6.evaluate(facts)
            .into_iter()
            .map(|c| c.code.clone())
            .collect()
    };
    let good = AssetFacts {
        my_number: true,
        personal_info: true,
        confidentiality: Some("3A".into()),
        segment_role: Some("mynumber".into()),
    };
    assert!(failed(&good).is_empty());
    let misplaced = AssetFacts {
        confidentiality: Some("3B".into()),
        segment_role: Some("internet".into()),
        ..good.clone()
    };
    assert_eq!(failed(&misplaced), ["mynumber-top", "mynumber-segment"]);
    let top_online = AssetFacts {
        my_number: false,
        segment_role: Some("internet".into()),
        ..good.clone()
    };
    assert_eq!(failed(&top_online), ["top-not-internet"]);
    let personal_public = AssetFacts {
        my_number: false,
        personal_info: true,
        confidentiality: Some("1".into()),
        segment_role: Some("lgwan".into()),
    };
    assert_eq!(failed(&personal_public), ["personal-info-c2"]);
    let unplaced = AssetFacts {
        segment_role: None,
        ..good
    };
    assert_eq!(failed(&unplaced), ["mynumber-segment", "top-not-internet"]);
}

#[test]
fn catalogues_survive_a_toml_round_trip() {
    let builtin = b();
    let policy = toml::to_string(&builtin.basic_policy).map_err(|e| e.to_string());
    let threats = toml::to_string(&builtin.threats).map_err(|e| e.to_string());
    let controls = toml::to_string(&builtin.controls).map_err(|e| e.to_string());
    let classification = toml::to_string(&builtin.classification).map_err(|e| e.to_string());
    let (Ok(p), Ok(t), Ok(c), Ok(s)) = (policy, threats, controls, classification) else {
        panic!("serialisation failed");
    };
    let again = Builtin::from_sources(&p, &t, &c, &s).map_err(|e| e.to_string());
    assert_eq!(again, Ok(builtin));
}

/// Every `"MAMORI-…"` code written in the sources is in the problem catalogue
/// (`crates/core/problems.toml`), so the codes are listed in one place.
#[test]
fn every_error_code_in_the_sources_is_in_the_problem_catalogue() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = mamori_core::problem::catalogue();
    let mut missing = Vec::new();
    let mut stack = vec![crates];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("target") && !path.ends_with("tests") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("\"MAMORI-").skip(1) {
                let code: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-')
                    .collect();
                if !code.is_empty() && piece[code.len()..].starts_with('"') {
                    let code = format!("MAMORI-{code}");
                    if !catalogue.contains_key(&code) && code != "MAMORI-NO-SUCH" {
                        missing.push(format!("{}: {code}", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "codes not in problems.toml: {missing:#?}"
    );
}
