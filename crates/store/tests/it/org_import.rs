//! The organisation from the HR system's export, and a unit's history (merge,
//! abolish): every story on SQLite and, when configured, PostgreSQL.

use mamori_core::asset::{AssetKind, Levels, Lifecycle};
use mamori_store::assets::{AssetInput, AssetScope, LedgerFormat};
use mamori_store::events::{ChainVerdict, EventFilter, list_events, verify_chain};
use mamori_store::org::NewRoleAssignment;
use mamori_store::org_import::{OrgImportKind, OrgImportReport};
use mamori_store::testing::all_stores;

use super::fixtures::import_org_file;
use super::fixtures::unit_by_code as unit;
use mamori_store::users::SignIn;
use mamori_store::{Actor, PageRequest, Store, StoreError};

const ACTOR: Actor = Actor::System("test");

async fn import(store: &Store, csv: &str, kind: Option<OrgImportKind>) -> OrgImportReport {
    import_org_file(store, csv.as_bytes(), LedgerFormat::Csv, kind).await
}

async fn unit_count(store: &Store) -> i64 {
    store
        .list_units(PageRequest::default())
        .await
        .unwrap()
        .total
}

async fn events_of(store: &Store, entity: &str) -> i64 {
    let filter = EventFilter {
        entity: Some(entity.into()),
        entity_id: None,
        ..Default::default()
    };
    list_events(
        store.db(),
        &filter,
        &mamori_store::assets::AssetScope::unrestricted(),
        PageRequest::default(),
    )
    .await
    .unwrap()
    .total
}

const UNITS: &str = "組織コード,組織名,上位組織コード,種別\n\
    101010,庶務係,1010,係\n\
    10,総務部,,部局\n\
    1010,総務課,10,課\n\
    20,市民部,,\n\
    2010,市民課,20,\n";

#[tokio::test]
async fn units_import_then_reimport_updates_and_moves_subtrees() {
    for (backend, store) in all_stores().await {
        let r = import(&store, UNITS, None).await;
        assert_eq!(r.kind, OrgImportKind::Units, "{backend}");
        assert!(r.report.written, "{backend}: {r}");
        assert_eq!((r.report.created, r.report.updated), (5, 0), "{backend}");
        let (d10, s1010, t101010) = (
            unit(&store, "10").await,
            unit(&store, "1010").await,
            unit(&store, "101010").await,
        );
        assert_eq!(s1010.parent_id, Some(d10.id));
        assert_eq!(
            t101010.path,
            format!("/{}/{}/{}/", d10.id, s1010.id, t101010.id)
        );
        assert_eq!(t101010.kind, "team");
        // Kinds left empty follow the parent's: a top unit is a department, below it a section.
        assert_eq!(unit(&store, "20").await.kind, "department", "{backend}");
        assert_eq!(unit(&store, "2010").await.kind, "section", "{backend}");

        // Re-import: a rename, a move (with its team below), a new unit; no duplicates.
        let changed = "組織コード,組織名,上位組織コード,種別,英語名\n\
            10,総務部,,部局,General Affairs\n\
            1010,総務管理課,20,課,\n\
            101010,庶務係,1010,係,\n\
            20,市民部,,部局,\n\
            2010,市民課,20,課,\n\
            2020,戸籍課,20,課,\n";
        let r = import(&store, changed, Some(OrgImportKind::Units)).await;
        assert!(r.report.written, "{backend}: {r}");
        assert_eq!(
            (r.report.created, r.report.updated, r.report.unchanged),
            (1, 3, 2),
            "{backend}: 10 (English name), 1010 (renamed, moved), 101010 (moved with it): {r}"
        );
        assert_eq!(unit_count(&store).await, 6, "{backend}");
        let d20 = unit(&store, "20").await;
        let moved = unit(&store, "1010").await;
        assert_eq!(moved.name, "総務管理課");
        assert_eq!(moved.parent_id, Some(d20.id));
        assert_eq!(
            unit(&store, "101010").await.path,
            format!("/{}/{}/{}/", d20.id, moved.id, t101010.id),
            "{backend}: the team moved with its section"
        );
        assert_eq!(unit(&store, "10").await.name_en, "General Affairs");
        // The same file again changes nothing.
        let r = import(&store, changed, None).await;
        assert_eq!(
            (r.report.created, r.report.updated, r.report.unchanged),
            (0, 0, 6)
        );
        assert!(events_of(&store, "org_import").await >= 3);
        assert!(matches!(
            verify_chain(store.db()).await.unwrap(),
            ChainVerdict::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn a_bad_units_file_writes_nothing_and_names_each_row() {
    for (backend, store) in all_stores().await {
        import(&store, UNITS, None).await;
        let before = unit_count(&store).await;
        let bad = "組織コード,組織名,上位組織コード,種別,備考\n\
            30,企画部,,部局,x\n\
            30,企画部2,,部局,\n\
            3010,,99,課,\n\
            3020,企画課,30,組,\n\
            40,A,50,,\n\
            50,B,40,,\n";
        let r = import(&store, bad, None).await;
        assert!(!r.report.written, "{backend}");
        assert_eq!(
            unit_count(&store).await,
            before,
            "{backend}: nothing written"
        );
        let at = |row: u32, letter: &str| {
            r.report
                .errors
                .iter()
                .any(|e| e.row == Some(row) && e.column_letter.as_deref() == Some(letter))
        };
        assert!(at(3, "A"), "duplicate code: {r}");
        assert!(at(4, "B"), "empty name: {r}");
        assert!(at(4, "C"), "unknown parent: {r}");
        assert!(at(5, "D"), "unknown kind: {r}");
        assert!(at(6, "C") && at(7, "C"), "cycle: {r}");
        assert_eq!(
            r.report.warnings.len(),
            1,
            "the 備考 column is not imported"
        );
        let text = r.to_string();
        assert!(text.contains("4行目 C列「上位組織コード」"), "{text}");
        // A file that is neither kind, and one that is not a spreadsheet.
        let r = import(&store, "a,b\n1,2\n", None).await;
        assert!(!r.report.written && r.report.errors[0].row.is_none());
        let r = import_org_file(&store, b"PK\x03\x04garbage", LedgerFormat::Xlsx, None).await;
        assert!(!r.report.written);
    }
}

#[tokio::test]
async fn staff_import_creates_without_password_and_reimport_updates() {
    for (backend, store) in all_stores().await {
        import(&store, UNITS, None).await;
        let staff = "職員番号,ログインID,氏名,所属コード,職名,雇用区分,利用可否\n\
            A001,yamada,山田 太郎,1010,課長,正規職員,可\n\
            A002,,佐藤 花子,101010,主事,会計年度任用職員,可\n\
            A003,suzuki,鈴木 一郎,2010,,委託先,可\n";
        let r = import(&store, staff, None).await;
        assert_eq!(r.kind, OrgImportKind::Staff);
        assert!(r.report.written, "{backend}: {r}");
        assert_eq!(r.report.created, 3);
        let yamada = store.user_by_name("yamada").await.unwrap().unwrap();
        assert_eq!(yamada.staff_number.as_deref(), Some("A001"));
        assert_eq!(yamada.unit_id, Some(unit(&store, "1010").await.id));
        assert_eq!(yamada.position, "課長");
        assert_eq!(yamada.roles, vec!["staff".to_string()]);
        let sato = store.user_by_name("A002").await.unwrap().unwrap();
        assert_eq!(
            sato.employment_type, "fiscal_year",
            "login defaults to the number"
        );
        assert_eq!(
            store
                .user_by_name("suzuki")
                .await
                .unwrap()
                .unwrap()
                .employment_type,
            "contractor"
        );
        // No usable password: nobody can sign in as them yet.
        assert_eq!(
            store.sign_in("yamada", "", "test").await.unwrap(),
            SignIn::Rejected
        );
        let users_before = store
            .list_users(None, PageRequest::default())
            .await
            .unwrap()
            .total;

        // Re-import: moved and renamed by staff number, one leaves (否), one new;
        // suzuki is not in the file and stays as he is.
        let again = "職員番号,氏名,所属コード,雇用区分,在籍\n\
            A001,山田 太郎,2010,再任用,在籍\n\
            A002,佐藤 花子,101010,会計年度任用職員,退職\n\
            A004,高橋 次郎,2010,派遣,在籍\n";
        let r = import(&store, again, None).await;
        assert!(r.report.written, "{backend}: {r}");
        assert_eq!(
            (r.report.created, r.report.updated),
            (1, 2),
            "{backend}: {r}"
        );
        let total = store
            .list_users(None, PageRequest::default())
            .await
            .unwrap()
            .total;
        assert_eq!(total, users_before + 1, "{backend}: no duplicates");
        let yamada = store.user_by_name("yamada").await.unwrap().unwrap();
        assert_eq!(yamada.unit_id, Some(unit(&store, "2010").await.id));
        assert_eq!(yamada.employment_type, "reappointed");
        assert_eq!(yamada.position, "課長", "a column left out keeps its value");
        assert!(!store.user_by_name("A002").await.unwrap().unwrap().active);
        assert!(store.user_by_name("suzuki").await.unwrap().unwrap().active);
        assert!(events_of(&store, "user").await >= 6);
    }
}

#[tokio::test]
async fn a_bad_staff_file_writes_nothing() {
    for (backend, store) in all_stores().await {
        import(&store, UNITS, None).await;
        let before = store
            .list_users(None, PageRequest::default())
            .await
            .unwrap()
            .total;
        let bad = "職員番号,ログインID,氏名,所属コード,雇用区分,利用可否\n\
            B001,ok1,正しい 行,1010,正規職員,可\n\
            B002,ok2,所属 なし,9999,正規職員,可\n\
            B003,ok3,区分 違い,1010,アルバイト,可\n\
            B001,ok4,番号 重複,1010,,可\n\
            B005,bad name!,名前 不正,1010,,たぶん\n";
        let r = import(&store, bad, Some(OrgImportKind::Staff)).await;
        assert!(!r.report.written, "{backend}");
        let cols: Vec<(Option<u32>, Option<String>)> = r
            .report
            .errors
            .iter()
            .map(|e| (e.row, e.column_letter.clone()))
            .collect();
        for want in [(3, "D"), (4, "E"), (5, "A"), (6, "B"), (6, "F")] {
            assert!(
                cols.contains(&(Some(want.0), Some(want.1.to_string()))),
                "{backend}: {want:?} in {r}"
            );
        }
        let after = store
            .list_users(None, PageRequest::default())
            .await
            .unwrap()
            .total;
        assert_eq!(after, before, "{backend}: nothing written");
    }
}

#[tokio::test]
async fn an_xlsx_workbook_imports_from_its_sheet() {
    for (backend, store) in all_stores().await {
        let bytes = mamori_sheet::status::workbook(
            "組織",
            &[
                ("組織コード", 10.0),
                ("組織名", 10.0),
                ("上位組織コード", 10.0),
            ],
            &[
                vec!["90".to_string(), "議会事務局".to_string(), String::new()],
                vec!["9010".to_string(), "議事課".to_string(), "90".to_string()],
            ],
        )
        .unwrap();
        assert_eq!(mamori_sheet::sniff_format(&bytes), LedgerFormat::Xlsx);
        let r = import_org_file(
            &store,
            &bytes,
            LedgerFormat::Xlsx,
            Some(OrgImportKind::Units),
        )
        .await;
        assert!(r.report.written, "{backend}: {r}");
        assert_eq!(
            unit(&store, "9010").await.parent_id,
            Some(unit(&store, "90").await.id)
        );
    }
}

fn asset(name: &str, unit: i64) -> AssetInput {
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
        levels: Levels::new("2", "2", "2"),
        lifecycle: Lifecycle::InUse,
        disposal: None,
        notes: String::new(),
    }
}

#[tokio::test]
async fn merging_a_unit_moves_what_belonged_to_it() {
    for (backend, store) in all_stores().await {
        import(&store, UNITS, None).await;
        let staff = "職員番号,氏名,所属コード\nC001,統合 される,1010\n";
        import(&store, staff, None).await;
        let (from, into) = (unit(&store, "1010").await, unit(&store, "2010").await);
        let person = store.user_by_name("C001").await.unwrap().unwrap();
        let owned = store
            .create_asset(&ACTOR, asset("文書", from.id))
            .await
            .unwrap();
        let role = store
            .assign_role(
                &ACTOR,
                NewRoleAssignment {
                    user_id: person.id,
                    role: "security_administrator".into(),
                    unit_id: Some(from.id),
                    system_id: None,
                    starts_on: "2025-04-01".into(),
                    ends_on: None,
                    note: String::new(),
                },
            )
            .await
            .unwrap();
        // Not into itself or below itself.
        let team = unit(&store, "101010").await;
        assert!(matches!(
            store
                .merge_unit(&ACTOR, from.id, team.id, "2026-04-01")
                .await,
            Err(StoreError::Rejected(p)) if p.code == "MAMORI-UNIT-MERGE-INTO-OWN"
        ));
        let merged = store
            .merge_unit(&ACTOR, from.id, into.id, "2026-04-01")
            .await
            .unwrap();
        assert!(!merged.active, "{backend}");
        assert_eq!(merged.merged_into, Some(into.id));
        assert_eq!(merged.abolished_on.as_deref(), Some("2026-04-01"));
        assert_eq!(store.user(person.id).await.unwrap().unit_id, Some(into.id));
        let team = unit(&store, "101010").await;
        assert_eq!(team.parent_id, Some(into.id));
        assert_eq!(team.path, format!("{}{}/", into.path, team.id), "{backend}");
        assert_eq!(
            store
                .asset(owned.id, &AssetScope::unrestricted())
                .await
                .unwrap()
                .record
                .owner_unit_id,
            into.id
        );
        assert_eq!(
            store.role_assignment(role.id).await.unwrap().unit_id,
            Some(into.id)
        );
        // Kept in the history, hidden from choosers, closed to another merge.
        assert!(
            store
                .all_units()
                .await
                .unwrap()
                .iter()
                .all(|u| u.id != from.id)
        );
        assert!(store.unit(from.id).await.is_ok());
        assert!(
            store
                .merge_unit(&ACTOR, from.id, into.id, "2026-04-02")
                .await
                .is_err()
        );
        let filter = EventFilter {
            entity: Some("unit".into()),
            entity_id: Some(from.id.to_string()),
            ..Default::default()
        };
        let history = list_events(
            store.db(),
            &filter,
            &mamori_store::assets::AssetScope::unrestricted(),
            PageRequest::default(),
        )
        .await
        .unwrap();
        assert_eq!(history.items[0].action, "merge", "{backend}");
        assert!(
            history.items[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains(&owned.id.to_string())
        );
        // A staff file naming the abolished unit is refused.
        let r = import(&store, "職員番号,氏名,所属コード\nC002,新規,1010\n", None).await;
        assert!(!r.report.written);
    }
}

#[tokio::test]
async fn only_an_empty_unit_is_abolished() {
    for (backend, store) in all_stores().await {
        import(&store, UNITS, None).await;
        import(
            &store,
            "職員番号,氏名,所属コード\nE001,在籍 者,2010\n",
            None,
        )
        .await;
        let busy = unit(&store, "2010").await;
        match store.abolish_unit(&ACTOR, busy.id, "2026-03-31").await {
            Err(StoreError::Rejected(p)) if p.code == "MAMORI-UNIT-NOT-EMPTY" => {
                let m = p.to_string();
                assert!(m.contains("在籍職員 1件"), "{m}")
            }
            other => panic!("{backend}: {other:?}"),
        }
        let parent = unit(&store, "20").await;
        assert!(
            store
                .abolish_unit(&ACTOR, parent.id, "2026-03-31")
                .await
                .is_err()
        );
        let empty = unit(&store, "101010").await;
        assert!(matches!(
            store.abolish_unit(&ACTOR, empty.id, "not a date").await,
            Err(StoreError::Rejected(p)) if p.code == "MAMORI-UNIT-BAD-DATE"
        ));
        let gone = store
            .abolish_unit(&ACTOR, empty.id, "2026-03-31")
            .await
            .unwrap();
        assert!(!gone.active && gone.merged_into.is_none(), "{backend}");
        assert_eq!(gone.abolished_on.as_deref(), Some("2026-03-31"));
        assert!(
            store
                .all_units()
                .await
                .unwrap()
                .iter()
                .all(|u| u.id != empty.id)
        );
    }
}

/// Names from the HR system are held to the rules of names entered by hand: no
/// NUL or bidirectional overrides in a name or unit name, e-mail addresses
/// that are addresses; each problem named by row and column.
#[tokio::test]
async fn hr_names_refuse_control_characters_and_bad_addresses() {
    for (backend, store) in all_stores().await {
        let units = "組織コード,組織名,上位組織コード,種別\n\
            9001,総務\u{0}課,,課\n\
            9002,\u{202E}課税課,,課\n";
        let r = import(&store, units, Some(OrgImportKind::Units)).await;
        assert!(!r.report.written, "{backend}");
        let cols: Vec<(Option<u32>, Option<String>)> = r
            .report
            .errors
            .iter()
            .map(|e| (e.row, e.column_letter.clone()))
            .collect();
        assert!(
            cols.contains(&(Some(2), Some("B".into()))),
            "{backend}: {r}"
        );
        assert!(
            cols.contains(&(Some(3), Some("B".into()))),
            "{backend}: {r}"
        );

        import(&store, UNITS, None).await;
        let staff = "職員番号,ログインID,氏名,所属コード,メールアドレス\n\
            C001,c1,田中\u{2066}太郎,1010,\n\
            C002,c2,佐藤 花子,1010,sato-at-example\n\
            C003,c3,鈴木 一郎,1010,suzuki@city.example.lg.jp\n";
        let r = import(&store, staff, Some(OrgImportKind::Staff)).await;
        assert!(!r.report.written, "{backend}");
        let cols: Vec<(Option<u32>, Option<String>)> = r
            .report
            .errors
            .iter()
            .map(|e| (e.row, e.column_letter.clone()))
            .collect();
        assert_eq!(
            cols,
            vec![(Some(2), Some("C".into())), (Some(3), Some("E".into()))],
            "{backend}: {r}"
        );
    }
}
