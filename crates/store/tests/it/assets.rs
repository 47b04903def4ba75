//! The asset register: every story on SQLite and, when configured, PostgreSQL.

use mamori_core::asset::{AssetKind, Disposal, Levels, Lifecycle};
use mamori_store::assets::{
    AssetEdit, AssetFilter, AssetInput, AssetScope, AssetSort, AssetSortKey, ImportReport,
    LedgerFormat, NewInformationSystem, NewSegment,
};
use mamori_store::events::{ChainVerdict, EventFilter, list_events, verify_chain};
use mamori_store::testing::all_stores;

use super::fixtures::add_unit as unit;
use super::fixtures::{export_file, import_file, import_file_scoped};
use mamori_store::{Actor, PageRequest, Store, StoreError};
use time::macros::date;

const ACTOR: Actor = Actor::System("test");

/// The reference data of every story.
struct City {
    dept: i64,
    shimin: i64,
    zeimu: i64,
    mynumber: i64,
    lgwan: i64,
    internet: i64,
    juki: i64,
}

async fn segment(store: &Store, name: &str, role: &str) -> i64 {
    store
        .create_segment(
            &ACTOR,
            NewSegment {
                name: name.into(),
                name_en: String::new(),
                role: role.into(),
                ranges: "10.0.0.0/8".into(),
                description: String::new(),
                interfaces: String::new(),
            },
        )
        .await
        .unwrap()
        .id
}

async fn city(store: &Store) -> City {
    let dept = unit(store, None, "D1", "市民局").await;
    let shimin = unit(store, Some(dept), "D1-S1", "市民課").await;
    let zeimu = unit(store, None, "D2-S1", "税務課").await;
    let mynumber = segment(store, "マイナンバー利用事務系", "mynumber").await;
    let lgwan = segment(store, "LGWAN接続系", "lgwan").await;
    let internet = segment(store, "インターネット接続系", "internet").await;
    let juki = store
        .create_information_system(
            &ACTOR,
            NewInformationSystem {
                code: "SYS-JUKI".into(),
                name: "住民記録システム".into(),
                owner_unit_id: Some(shimin),
                segment_id: Some(mynumber),
                description: String::new(),
            },
        )
        .await
        .unwrap()
        .id;
    City {
        dept,
        shimin,
        zeimu,
        mynumber,
        lgwan,
        internet,
        juki,
    }
}

fn input(name: &str, unit: i64, c: &str) -> AssetInput {
    AssetInput {
        name: name.into(),
        kind: AssetKind::ElectronicInformation,
        description: String::new(),
        owner_unit_id: unit,
        administrator: "課長".into(),
        location: "共有フォルダ".into(),
        system_id: None,
        segment_id: None,
        personal_info: false,
        my_number: false,
        retention: "5年".into(),
        levels: Levels::new(c, "2", "2"),
        lifecycle: Lifecycle::InUse,
        disposal: None,
        notes: String::new(),
    }
}

async fn event_count(store: &Store) -> i64 {
    list_events(
        store.db(),
        &EventFilter::default(),
        &mamori_store::assets::AssetScope::unrestricted(),
        PageRequest::default(),
    )
    .await
    .unwrap()
    .total
}

async fn names(store: &Store, filter: AssetFilter, scope: &AssetScope) -> Vec<String> {
    let page = store
        .list_assets(&filter, AssetSort::default(), PageRequest::default(), scope)
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.items.len());
    page.items.into_iter().map(|a| a.record.name).collect()
}

fn all() -> AssetScope {
    AssetScope::unrestricted()
}

#[tokio::test]
async fn assets_are_created_edited_reclassified_disposed_with_history() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        let created = store
            .create_asset(&ACTOR, input("  住民票 交付 申請書 ", c.shimin, "3b"))
            .await
            .unwrap();
        assert_eq!(created.record.name, "住民票 交付 申請書", "{backend}");
        assert_eq!(created.record.confidentiality, "3B");
        assert_eq!(created.record.scheme, "mic-r6");
        assert_eq!(created.label, "C3B-I2-A2");
        assert!(!created.is_top);
        assert_eq!(created.owner_unit_name, "市民課");

        let mut edit = AssetEdit::of(&created);
        edit.location = "書庫A".into();
        edit.system_id = Some(c.juki);
        edit.segment_id = Some(c.lgwan);
        let edited = store.update_asset(&ACTOR, created.id, edit).await.unwrap();
        assert_eq!(edited.record.location, "書庫A");
        assert_eq!(edited.system_name.as_deref(), Some("住民記録システム"));
        assert_eq!(edited.segment_role.as_deref(), Some("lgwan"));

        let reclassified = store
            .reclassify_asset(&ACTOR, created.id, Levels::new("3A", "2", "1"))
            .await
            .unwrap();
        assert_eq!(reclassified.label, "C3A-I2-A1");
        assert!(reclassified.is_top);
        let handling = reclassified.handling(&store.active_scheme().await.unwrap());
        assert!(
            !handling.is_empty(),
            "{backend}: the levels carry handling rules"
        );

        let bad = store
            .reclassify_asset(&ACTOR, created.id, Levels::new("3", "2", "1"))
            .await
            .unwrap_err();
        assert!(
            matches!(bad, StoreError::Invalid { .. }),
            "{backend}: {bad}"
        );
        assert!(bad.to_string().contains("confidentiality"), "{bad}");

        let disposed = store
            .dispose_asset(
                &ACTOR,
                created.id,
                Disposal {
                    date: date!(2025 - 03 - 31),
                    method: "溶解処理".into(),
                    confirmed_by: "市民課長".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(disposed.record.lifecycle, Lifecycle::Disposed);
        assert_eq!(disposed.record.disposed_on.as_deref(), Some("2025-03-31"));
        // A disposed asset stays on record and can no longer be changed.
        let again = store
            .update_asset(&ACTOR, created.id, AssetEdit::of(&disposed))
            .await
            .unwrap_err();
        assert!(
            matches!(again, StoreError::Conflict(_)),
            "{backend}: {again}"
        );
        assert_eq!(
            store
                .asset(created.id, &all())
                .await
                .unwrap()
                .record
                .lifecycle,
            Lifecycle::Disposed
        );

        let history = store
            .asset_history(created.id, PageRequest::default())
            .await
            .unwrap();
        let actions: Vec<&str> = history.items.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["dispose", "reclassify", "update", "create"],
            "{backend}"
        );
        let reclass = &history.items[1];
        assert!(reclass.before_json.as_deref().unwrap().contains("\"3B\""));
        assert!(reclass.after_json.as_deref().unwrap().contains("\"3A\""));
        assert!(matches!(
            verify_chain(store.db()).await.unwrap(),
            ChainVerdict::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn invalid_assets_are_refused() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        let cases = [
            (input(" ", c.shimin, "2"), "name"),
            (input("x", c.shimin, "9"), "confidentiality"),
            (input("x", 9999, "2"), "owner_unit"),
            (
                AssetInput {
                    segment_id: Some(9999),
                    ..input("x", c.shimin, "2")
                },
                "segment",
            ),
            (
                AssetInput {
                    lifecycle: Lifecycle::Disposed,
                    ..input("x", c.shimin, "2")
                },
                "disposed_on",
            ),
        ];
        for (bad, field) in cases {
            let problems = store.check_asset_input(&bad).await.unwrap();
            assert!(!problems.is_empty(), "{backend}: {field}");
            let err = store.create_asset(&ACTOR, bad).await.unwrap_err();
            match err {
                StoreError::Invalid { field: f, .. } => assert_eq!(f, field, "{backend}"),
                other => panic!("{backend}: {other:?}"),
            }
        }
        assert_eq!(names(&store, AssetFilter::default(), &all()).await.len(), 0);
    }
}

/// Six assets to filter.
async fn register(store: &Store, c: &City) -> Vec<i64> {
    let mut ids = Vec::new();
    let add = |i: AssetInput| {
        let store = store.clone();
        async move { store.create_asset(&ACTOR, i).await.unwrap().id }
    };
    ids.push(
        add(AssetInput {
            kind: AssetKind::ElectronicInformation,
            system_id: Some(c.juki),
            segment_id: Some(c.mynumber),
            personal_info: true,
            my_number: true,
            description: "Juki マスタ".into(),
            ..input("住民記録データ", c.shimin, "3A")
        })
        .await,
    );
    ids.push(
        add(AssetInput {
            kind: AssetKind::AdministrativeInformation,
            personal_info: true,
            segment_id: Some(c.lgwan),
            ..input("転入届", c.shimin, "3B")
        })
        .await,
    );
    ids.push(
        add(AssetInput {
            kind: AssetKind::Equipment,
            segment_id: Some(c.internet),
            levels: Levels::new("1", "1", "2"),
            ..input("公開サーバ", c.shimin, "1")
        })
        .await,
    );
    ids.push(
        add(AssetInput {
            kind: AssetKind::ElectronicInformation,
            personal_info: true,
            my_number: true,
            segment_id: Some(c.lgwan),
            ..input("課税台帳", c.zeimu, "2")
        })
        .await,
    );
    ids.push(
        add(AssetInput {
            kind: AssetKind::SystemDocument,
            segment_id: Some(c.lgwan),
            notes: "ＰＡＳＳＷＯＲＤ 管理簿".into(),
            ..input("税務システム 管理者手順書", c.zeimu, "3A")
        })
        .await,
    );
    ids.push(
        add(AssetInput {
            kind: AssetKind::SelfManagedInformation,
            lifecycle: Lifecycle::Registered,
            ..input("会議メモ 100%_完成", c.zeimu, "1")
        })
        .await,
    );
    ids
}

#[tokio::test]
async fn the_register_filters_sorts_and_pages() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        register(&store, &c).await;
        let f = AssetFilter::default;
        let check = |got: Vec<String>, want: &[&str]| {
            assert_eq!(
                got,
                want.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{backend}"
            );
        };
        check(
            names(
                &store,
                AssetFilter {
                    unit_id: Some(c.shimin),
                    ..f()
                },
                &all(),
            )
            .await,
            &["住民記録データ", "転入届", "公開サーバ"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    unit_id: Some(c.dept),
                    ..f()
                },
                &all(),
            )
            .await,
            &[],
        );
        check(
            names(
                &store,
                AssetFilter {
                    unit_id: Some(c.dept),
                    include_subunits: true,
                    ..f()
                },
                &all(),
            )
            .await,
            &["住民記録データ", "転入届", "公開サーバ"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    kind: Some(AssetKind::Equipment),
                    ..f()
                },
                &all(),
            )
            .await,
            &["公開サーバ"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    confidentiality: Some("3A".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["住民記録データ", "税務システム 管理者手順書"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    integrity: Some("1".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["公開サーバ"],
        );
        assert_eq!(
            names(
                &store,
                AssetFilter {
                    availability: Some("2".into()),
                    ..f()
                },
                &all()
            )
            .await
            .len(),
            6,
            "{backend}"
        );
        check(
            names(
                &store,
                AssetFilter {
                    segment_id: Some(c.lgwan),
                    ..f()
                },
                &all(),
            )
            .await,
            &["転入届", "課税台帳", "税務システム 管理者手順書"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    system_id: Some(c.juki),
                    ..f()
                },
                &all(),
            )
            .await,
            &["住民記録データ"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    lifecycle: Some(Lifecycle::Registered),
                    ..f()
                },
                &all(),
            )
            .await,
            &["会議メモ 100%_完成"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    my_number: Some(true),
                    ..f()
                },
                &all(),
            )
            .await,
            &["住民記録データ", "課税台帳"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    personal_info: Some(false),
                    ..f()
                },
                &all(),
            )
            .await,
            &[
                "公開サーバ",
                "税務システム 管理者手順書",
                "会議メモ 100%_完成",
            ],
        );
        // Free text: case and width folded, every word must match, LIKE
        // wildcards are taken literally.
        check(
            names(
                &store,
                AssetFilter {
                    text: Some("juki".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["住民記録データ"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    text: Some("password 管理".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["税務システム 管理者手順書"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    text: Some("100%_".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["会議メモ 100%_完成"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    text: Some("0%".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["会議メモ 100%_完成"],
        );
        check(
            names(
                &store,
                AssetFilter {
                    text: Some("%".into()),
                    ..f()
                },
                &all(),
            )
            .await,
            &["会議メモ 100%_完成"],
        );
        // Sorting and pages.
        let page = store
            .list_assets(
                &f(),
                AssetSort {
                    key: AssetSortKey::Confidentiality,
                    descending: true,
                },
                PageRequest::new(Some(2), Some(2)),
                &all(),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 6, "{backend}");
        // A bounded count stops early and says so.
        for (limit, total, more) in [(2, 2, true), (6, 6, false), (10, 6, false)] {
            let (bounded, more_found) = store
                .list_assets_bounded(
                    &f(),
                    AssetSort::default(),
                    PageRequest::default(),
                    &all(),
                    limit,
                )
                .await
                .unwrap();
            assert_eq!(
                (bounded.total, more_found),
                (total, more),
                "{backend} {limit}"
            );
            assert_eq!(bounded.items.len(), 6);
        }
        let got: Vec<&str> = page.items.iter().map(|a| a.record.name.as_str()).collect();
        assert_eq!(got, ["転入届", "課税台帳"], "{backend}");
        for key in [
            AssetSortKey::Id,
            AssetSortKey::Name,
            AssetSortKey::Unit,
            AssetSortKey::Kind,
            AssetSortKey::Lifecycle,
            AssetSortKey::Updated,
        ] {
            let page = store
                .list_assets(
                    &f(),
                    AssetSort {
                        key,
                        descending: false,
                    },
                    PageRequest::default(),
                    &all(),
                )
                .await
                .unwrap();
            assert_eq!(page.items.len(), 6, "{backend} {key:?}");
        }
    }
}

#[tokio::test]
async fn scopes_hide_other_units_and_the_top_level() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        let ids = register(&store, &c).await;
        // Staff of 市民課: their own unit, top level included.
        let staff = AssetScope::units(vec![c.shimin]);
        assert_eq!(
            names(&store, AssetFilter::default(), &staff).await,
            ["住民記録データ", "転入届", "公開サーバ"],
            "{backend}"
        );
        // Staff of 税務課 do not see 市民課's assets, even by number.
        let other = AssetScope::units(vec![c.zeimu]);
        let hidden = store.asset(ids[0], &other).await.unwrap_err();
        assert!(matches!(hidden, StoreError::NotFound { .. }), "{backend}");
        assert!(store.asset(ids[0], &staff).await.is_ok());
        // Someone who may see both units' ordinary assets but only 税務課's top level.
        let mixed = AssetScope {
            units: Some(vec![c.shimin, c.zeimu]),
            top_units: Some(vec![c.zeimu]),
        };
        assert_eq!(
            names(&store, AssetFilter::default(), &mixed).await,
            [
                "転入届",
                "公開サーバ",
                "課税台帳",
                "税務システム 管理者手順書",
                "会議メモ 100%_完成"
            ],
            "{backend}"
        );
        // An auditor-like reader: every unit, no top level.
        let auditor = AssetScope {
            units: None,
            top_units: Some(vec![]),
        };
        assert_eq!(
            names(&store, AssetFilter::default(), &auditor).await,
            ["転入届", "公開サーバ", "課税台帳", "会議メモ 100%_完成"],
            "{backend}"
        );
        // Top level of every unit but ordinary assets of one only.
        let top_all = AssetScope {
            units: Some(vec![c.zeimu]),
            top_units: None,
        };
        assert_eq!(
            names(&store, AssetFilter::default(), &top_all).await,
            [
                "住民記録データ",
                "課税台帳",
                "税務システム 管理者手順書",
                "会議メモ 100%_完成"
            ],
            "{backend}"
        );
        // A scope of nothing.
        let none = AssetScope {
            units: Some(vec![]),
            top_units: Some(vec![]),
        };
        assert!(
            names(&store, AssetFilter::default(), &none)
                .await
                .is_empty()
        );
        // The security office sees all.
        assert_eq!(names(&store, AssetFilter::default(), &all()).await.len(), 6);
        // Filters and scope together.
        assert_eq!(
            names(
                &store,
                AssetFilter {
                    my_number: Some(true),
                    ..Default::default()
                },
                &staff
            )
            .await,
            ["住民記録データ"]
        );
    }
}

#[tokio::test]
async fn contradictions_are_flagged_and_recomputed() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        let ids = register(&store, &c).await;
        let flagged = store
            .list_assets(
                &AssetFilter {
                    flagged: Some(true),
                    ..Default::default()
                },
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap();
        let got: Vec<(&str, Vec<String>)> = flagged
            .items
            .iter()
            .map(|a| (a.record.name.as_str(), a.flags.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(
                "課税台帳",
                vec!["mynumber-top".to_string(), "mynumber-segment".to_string()]
            )],
            "{backend}"
        );
        let scheme = store.active_scheme().await.unwrap();
        let views = flagged.items[0].flag_views(&scheme);
        assert!(
            views[0].message.contains("マイナンバー"),
            "{}",
            views[0].message
        );
        assert_eq!(
            names(
                &store,
                AssetFilter {
                    check: Some("mynumber-segment".into()),
                    ..Default::default()
                },
                &all()
            )
            .await,
            ["課税台帳"]
        );
        // Moving the top-level document to the Internet segment contradicts its level.
        let doc = store.asset(ids[4], &all()).await.unwrap();
        let mut edit = AssetEdit::of(&doc);
        edit.segment_id = Some(c.internet);
        let moved = store.update_asset(&ACTOR, doc.id, edit).await.unwrap();
        assert_eq!(moved.flags, ["top-not-internet"], "{backend}");
        // Reclassifying and moving the tax ledger clears its flags.
        store
            .reclassify_asset(&ACTOR, ids[3], Levels::new("3A", "2", "2"))
            .await
            .unwrap();
        let tax = store.asset(ids[3], &all()).await.unwrap();
        let mut edit = AssetEdit::of(&tax);
        edit.segment_id = Some(c.mynumber);
        let fixed = store.update_asset(&ACTOR, tax.id, edit).await.unwrap();
        assert!(!fixed.flagged, "{backend}: {:?}", fixed.flags);

        // Another scheme becomes active: every asset needs reclassifying.
        store.set_active_scheme(&ACTOR, "mic-legacy").await.unwrap();
        let changed = store.recompute_asset_flags(&ACTOR).await.unwrap();
        assert_eq!(changed, 6, "{backend}");
        assert_eq!(
            names(
                &store,
                AssetFilter {
                    check: Some("scheme-outdated".into()),
                    ..Default::default()
                },
                &all()
            )
            .await
            .len(),
            6
        );
        // An edit that leaves the levels keeps them under their own scheme.
        let memo = store.asset(ids[5], &all()).await.unwrap();
        let mut edit = AssetEdit::of(&memo);
        edit.notes = "来年度に整理".into();
        let kept = store.update_asset(&ACTOR, memo.id, edit).await.unwrap();
        assert_eq!(kept.record.scheme, "mic-r6");
        // Reclassifying moves it to the active scheme.
        let re = store
            .reclassify_asset(&ACTOR, memo.id, Levels::new("1", "1", "1"))
            .await
            .unwrap();
        assert_eq!(re.record.scheme, "mic-legacy");
        assert!(!re.flagged, "{backend}: {:?}", re.flags);
        store.set_active_scheme(&ACTOR, "mic-r6").await.unwrap();
        store.recompute_asset_flags(&ACTOR).await.unwrap();
        let flagged = names(
            &store,
            AssetFilter {
                flagged: Some(true),
                ..Default::default()
            },
            &all(),
        )
        .await;
        assert_eq!(
            flagged,
            ["税務システム 管理者手順書", "会議メモ 100%_完成"],
            "{backend}"
        );
    }
}

const HEADER: &str = "資産番号,資産名,種別,所管課,管理者,保管場所,情報システム,ネットワーク区分,機密性,完全性,可用性,個人情報,特定個人情報,保存期間,状態,廃棄日,廃棄方法,廃棄確認者,備考,業務分類";

fn ledger(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    text.into_bytes()
}

const GOOD_ROWS: &[&str] = &[
    ",住民記録データ,電子情報,市民課,市民課長,サーバ室,住民記録システム,マイナンバー利用事務系,3A,2,2,有,有,常用,使用中,,,,基幹データ,窓口",
    ",転入届,行政情報,D1-S1,係長,書庫,,LGWAN接続系,3B,2,1,○,,5年,登録,,,,,窓口",
    ",旧端末,機器,税務課,主査,倉庫,,,2,1,1,無,無,,廃棄,令和7年3月31日,物理破壊,税務課長,\"二行の\n備考\",",
];

async fn import_csv(store: &Store, bytes: &[u8]) -> ImportReport {
    import_file(store, bytes, LedgerFormat::Csv).await
}

#[tokio::test]
async fn a_ledger_imports_and_an_export_imports_back_unchanged() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        let report = import_csv(&store, &ledger(GOOD_ROWS)).await;
        assert!(report.written, "{backend}: {report}");
        assert_eq!((report.rows, report.created), (3, 3));
        assert_eq!(report.warnings.len(), 1, "the unknown column is a warning");
        assert_eq!(report.warnings[0].column.as_deref(), Some("業務分類"));
        let page = store
            .list_assets(
                &AssetFilter::default(),
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap();
        let old = &page.items[2];
        assert_eq!(old.record.lifecycle, Lifecycle::Disposed, "{backend}");
        assert_eq!(old.record.disposed_on.as_deref(), Some("2025-03-31"));
        assert_eq!(old.record.notes, "二行の\n備考");
        assert_eq!(page.items[0].record.segment_id, Some(c.mynumber));
        assert_eq!(page.items[0].record.system_id, Some(c.juki));
        assert!(page.items[1].record.personal_info);
        assert_eq!(page.items[1].record.owner_unit_id, c.shimin);
        let events_after_import = event_count(&store).await;

        for format in [LedgerFormat::Csv, LedgerFormat::Xlsx] {
            let mut out = Vec::new();
            let n = export_file(&store, &AssetFilter::default(), &all(), format, &mut out).await;
            assert_eq!(n, 3);
            if format == LedgerFormat::Csv {
                assert!(out.starts_with(b"\xEF\xBB\xBF"), "CSV has a BOM for Excel");
            }
            let report = import_file(&store, &out, format).await;
            assert!(report.written, "{backend} {format:?}: {report}");
            assert_eq!(
                (report.created, report.updated, report.unchanged),
                (0, 0, 3),
                "{backend} {format:?}"
            );
        }
        // Unchanged rows write no asset events (only each export's entry and
        // each import's summary).
        assert_eq!(
            event_count(&store).await,
            events_after_import + 4,
            "{backend}"
        );
        let after = store
            .list_assets(
                &AssetFilter::default(),
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap();
        assert_eq!(after.items, page.items, "{backend}: nothing changed");

        // An edited export updates that asset, a new row creates one.
        let mut out = Vec::new();
        export_file(
            &store,
            &AssetFilter {
                unit_id: Some(c.shimin),
                ..Default::default()
            },
            &all(),
            LedgerFormat::Csv,
            &mut out,
        )
        .await;
        let text = String::from_utf8(out).unwrap().replace("転入届", "転出届");
        // In the export's column order: 資産番号, 資産名, 種別, 概要, 所管課 … 可用性 (12th).
        let new_row = ",新しい資産,電子情報,,市民課,,,,,1,1,1,,,,,,,,,";
        assert_eq!(new_row.split(',').count(), 21);
        let text = format!("{text}{new_row}\r\n");
        let report = import_csv(&store, text.as_bytes()).await;
        assert!(report.written, "{backend}: {report}");
        assert_eq!(
            (report.created, report.updated, report.unchanged),
            (1, 1, 1),
            "{backend}"
        );
        let history = store
            .asset_history(page.items[1].id, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(history.items[0].action, "update");
        assert!(
            history.items[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("転出届")
        );
        // The search index follows the edit.
        let found = |t: &str| AssetFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(
            names(&store, found("転出届"), &all()).await,
            ["転出届"],
            "{backend}"
        );
        assert!(
            names(&store, found("転入届"), &all()).await.is_empty(),
            "{backend}"
        );
        assert!(matches!(
            verify_chain(store.db()).await.unwrap(),
            ChainVerdict::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn shift_jis_and_label_only_ledgers_import() {
    for (backend, store) in all_stores().await {
        city(&store).await;
        let text =
            "資産名,種別,所管課,格付け\r\n庁内LAN構成図,システム関連文書,市民課,C3C-I2-A1\r\n";
        let sjis = mamori_sheet::testing::shift_jis(text);
        let report = import_csv(&store, &sjis).await;
        assert!(report.written, "{backend}: {report}");
        let a = &store
            .list_assets(
                &AssetFilter::default(),
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap()
            .items[0];
        assert_eq!(a.record.name, "庁内LAN構成図");
        assert_eq!(a.label, "C3C-I2-A1");
        assert_eq!(a.record.lifecycle, Lifecycle::Registered);
    }
}

/// Imports `bytes` expecting nothing written, and returns the errors as
/// (row, column header, message).
async fn refused(
    store: &Store,
    bytes: &[u8],
    format: LedgerFormat,
) -> Vec<(Option<u32>, Option<String>, String)> {
    let events = event_count(store).await;
    let report = import_file(store, bytes, format).await;
    assert!(!report.written, "{report}");
    assert!(!report.errors.is_empty());
    assert_eq!(report.created + report.updated, 0);
    assert_eq!(event_count(store).await, events, "nothing was written");
    let text = report.to_string();
    assert!(text.contains("取り込みませんでした") && text.contains("Nothing was imported"));
    report
        .errors
        .into_iter()
        .map(|e| (e.row, e.column, format!("{} / {}", e.message, e.message_en)))
        .collect()
}

#[tokio::test]
async fn bad_ledgers_write_nothing_and_name_each_problem() {
    for (backend, store) in all_stores().await {
        city(&store).await;
        let good = GOOD_ROWS[0];
        // Each bad row is reported; the good rows around it are not written.
        let cases: &[(&str, &str, &str)] = &[
            (
                ",住民記録データ,電子情報,市民科,,,,,2,2,2,,,,,,,,,",
                "所管課",
                "市民科",
            ),
            (
                ",住民記録データ,電子情報,市民課,,,,,3,2,2,,,,,,,,,",
                "機密性",
                "3A",
            ),
            (
                ",   ,電子情報,市民課,,,,,2,2,2,,,,,,,,,",
                "資産名",
                "資産名が空",
            ),
            (
                ",住民記録データ,電子情報,市民課,,,,,2,2,2,たぶん,,,,,,,,",
                "個人情報",
                "有 か 無",
            ),
            (
                ",住民記録データ,書類,市民課,,,,,2,2,2,,,,,,,,,",
                "種別",
                "書類",
            ),
            (
                ",住民記録データ,電子情報,市民課,,,,第9系,2,2,2,,,,,,,,,",
                "ネットワーク区分",
                "第9系",
            ),
            (
                ",住民記録データ,電子情報,市民課,,,,,2,2,2,,,,廃棄,,溶解,課長,,",
                "廃棄日",
                "廃棄日が必要",
            ),
            (
                ",住民記録データ,電子情報,市民課,,,,,2,2,2,,,,廃棄,昨日,溶解,課長,,",
                "廃棄日",
                "日付",
            ),
            (
                "9999,住民記録データ,電子情報,市民課,,,,,2,2,2,,,,,,,,,",
                "資産番号",
                "9999",
            ),
            (
                "abc,住民記録データ,電子情報,市民課,,,,,2,2,2,,,,,,,,,",
                "資産番号",
                "正の整数",
            ),
        ];
        for (row, column, needle) in cases {
            let errors = refused(&store, &ledger(&[good, row, good]), LedgerFormat::Csv).await;
            assert_eq!(errors.len(), 1, "{backend}: {row}: {errors:?}");
            let (r, col, message) = &errors[0];
            assert_eq!(*r, Some(3), "{backend}: the row as Excel numbers it");
            assert_eq!(col.as_deref(), Some(*column), "{backend}: {message}");
            assert!(message.contains(needle), "{backend}: {message}");
        }
        // Several problems in one row are all reported.
        let errors = refused(
            &store,
            &ledger(&[",,謎,謎課,,,,,7,7,7,,,,,,,,,"]),
            LedgerFormat::Csv,
        )
        .await;
        let columns: Vec<&str> = errors.iter().filter_map(|e| e.1.as_deref()).collect();
        for c in ["資産名", "種別", "所管課", "機密性", "完全性", "可用性"] {
            assert!(columns.contains(&c), "{backend}: {columns:?}");
        }
        // The same number twice.
        let errors = refused(
            &store,
            &ledger(&[
                "1,a,電子情報,市民課,,,,,2,2,2,,,,,,,,,",
                "1,b,電子情報,市民課,,,,,2,2,2,,,,,,,,,",
            ]),
            LedgerFormat::Csv,
        )
        .await;
        assert!(
            errors.iter().any(|e| e.2.contains("重複")),
            "{backend}: {errors:?}"
        );
        // A header without the asset-name column.
        let errors = refused(
            &store,
            "名前,種別,所管課,機密性,完全性,可用性\nx,電子情報,市民課,2,2,2\n".as_bytes(),
            LedgerFormat::Csv,
        )
        .await;
        assert_eq!(errors[0].1, None, "{backend}");
        assert!(errors[0].2.contains("資産名"), "{backend}: {errors:?}");
        // Malformed files.
        let errors = refused(&store, b"PK\x03\x04 not really a zip", LedgerFormat::Xlsx).await;
        assert_eq!(errors[0].0, None, "{backend}");
        assert!(errors[0].2.contains(".xlsx"), "{backend}: {errors:?}");
        let errors = refused(&store, b"", LedgerFormat::Csv).await;
        assert!(errors[0].2.contains("見出し"), "{backend}: {errors:?}");
        let errors = refused(&store, b"\x82\xa0\xff\xfe\x80", LedgerFormat::Csv).await;
        assert!(errors[0].2.contains("文字コード"), "{backend}: {errors:?}");
        assert_eq!(names(&store, AssetFilter::default(), &all()).await.len(), 0);
    }
}

#[tokio::test]
async fn a_scoped_import_may_write_only_its_own_units() {
    for (backend, store) in all_stores().await {
        let c = city(&store).await;
        let staff = AssetScope::units(vec![c.shimin]);
        let bytes = ledger(&[
            ",転入届,行政情報,市民課,,,,,2,2,1,,,,,,,,,",
            ",課税台帳,電子情報,税務課,,,,,2,2,1,,,,,,,,,",
        ]);
        let report = import_file_scoped(&store, &bytes, LedgerFormat::Csv, &staff, None).await;
        assert!(!report.written, "{backend}");
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].row, Some(3));
        assert_eq!(report.errors[0].column.as_deref(), Some("所管課"));
        let ok = import_file_scoped(
            &store,
            &ledger(&[GOOD_ROWS[1]]),
            LedgerFormat::Csv,
            &staff,
            None,
        )
        .await;
        assert!(ok.written, "{backend}: {ok}");
    }
}

#[tokio::test]
async fn demo_assets_load_once() {
    for (backend, store) in all_stores().await {
        mamori_store::demo::load_demo(&store).await.unwrap();
        let n = mamori_store::assets::demo::load_demo_assets(&store, 600)
            .await
            .unwrap();
        assert_eq!(n, 600, "{backend}");
        let again = mamori_store::assets::demo::load_demo_assets(&store, 600)
            .await
            .unwrap();
        assert_eq!(again, 0);
        let page = store
            .list_assets(
                &AssetFilter::default(),
                AssetSort::default(),
                PageRequest::new(Some(1), Some(1)),
                &all(),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 600);
        let flagged = store
            .list_assets(
                &AssetFilter {
                    flagged: Some(true),
                    ..Default::default()
                },
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap();
        assert!(
            flagged.total > 0 && flagged.total < 120,
            "{backend}: {}",
            flagged.total
        );
        let disposed = store
            .list_assets(
                &AssetFilter {
                    lifecycle: Some(Lifecycle::Disposed),
                    ..Default::default()
                },
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap();
        assert!(disposed.total > 0, "{backend}");
        // The whole demo register goes out and back in unchanged.
        let mut out = Vec::new();
        export_file(
            &store,
            &AssetFilter::default(),
            &all(),
            LedgerFormat::Xlsx,
            &mut out,
        )
        .await;
        let report = import_file(&store, &out, LedgerFormat::Xlsx).await;
        assert_eq!(report.unchanged, 600, "{backend}: {report}");
        assert!(matches!(
            verify_chain(store.db()).await.unwrap(),
            ChainVerdict::Intact { .. }
        ));
    }
}

/// An import that changes an asset's levels needs a reason, as the reclassify
/// form does: without one nothing is written and the row's level column is
/// named; with one the change is a `reclassify` event that keeps the reason.
#[tokio::test]
async fn an_import_that_changes_levels_needs_a_reason() {
    for (backend, store) in all_stores().await {
        city(&store).await;
        let report = import_csv(&store, &ledger(&[GOOD_ROWS[1]])).await;
        assert!(report.written, "{backend}: {report}");
        let id = store
            .list_assets(
                &AssetFilter::default(),
                AssetSort::default(),
                PageRequest::default(),
                &all(),
            )
            .await
            .unwrap()
            .items[0]
            .id;
        // The same row, confidentiality lowered from 3B to 2, the notes changed.
        let lowered =
            format!("{id},転入届,行政情報,D1-S1,係長,書庫,,LGWAN接続系,2,2,1,○,,5年,登録,,,,,窓口");
        let before = event_count(&store).await;
        let report = import_csv(&store, &ledger(&[&lowered])).await;
        assert!(!report.written, "{backend}: {report}");
        assert_eq!(report.errors.len(), 1, "{backend}: {report}");
        assert_eq!(
            report.errors[0].column.as_deref(),
            Some("機密性"),
            "{backend}"
        );
        assert!(report.errors[0].message.contains("変更理由"), "{backend}");
        assert_eq!(
            event_count(&store).await,
            before,
            "{backend}: nothing written"
        );

        // Other changes need no reason.
        let noted = format!(
            "{id},転入届,行政情報,D1-S1,係長,書庫,,LGWAN接続系,3B,2,1,○,,5年,登録,,,,備考あり,窓口"
        );
        let report = import_csv(&store, &ledger(&[&noted])).await;
        assert!(report.written, "{backend}: {report}");

        let report = import_file_scoped(
            &store,
            &ledger(&[&lowered]),
            LedgerFormat::Csv,
            &all(),
            Some("令和8年度の棚卸しで見直し"),
        )
        .await;
        assert!(report.written, "{backend}: {report}");
        assert_eq!(report.updated, 1, "{backend}");
        let history = store
            .asset_history(id, PageRequest::default())
            .await
            .unwrap();
        let last = &history.items[0];
        assert_eq!(last.action, "reclassify", "{backend}");
        let after: serde_json::Value =
            serde_json::from_str(last.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["reason"], "令和8年度の棚卸しで見直し", "{backend}");
        assert_eq!(after["confidentiality"], "2", "{backend}: {after}");
    }
}
