//! Policy documents kept as versions, on both databases: a document, a draft's
//! provisions read back as written, a stale save refused (the first kept),
//! the life of a version (review, approval with its 附則, in force on its
//! date, the one before superseded), comments, scoped listing and search, and
//! every write in the event log with an intact chain.

use mamori_core::org::UnitKind;
use mamori_core::policy_doc::parse::{Format, parse};
use mamori_core::policy_doc::{Body, Kind, Level, Provision, Readership, State, keys};
use mamori_store::events::{ChainVerdict, Verb, verify_chain};
use mamori_store::policy_docs::{Approval, DocScope, NewDocument, new_key};
use mamori_store::testing::all_stores;
use mamori_store::{Actor, PageRequest, StoreError};
use time::macros::date;

use super::fixtures::new_unit;

const TEXT: &str = "\
〇〇市情報セキュリティ対策基準
第1章　総則
（目的）
第1条　この対策基準は、必要な事項を定める。
（定義）
第2条　用語の意義は、次のとおりとする。
(1)　職員　本市職員をいう。
ア　正規職員
2　前項のほか、基本方針の例による。
";

fn body() -> Body {
    let mut b = parse(TEXT, Format::Reiki).unwrap();
    keys::assign(&mut b, None, &mut new_key);
    b
}

fn doc(code: &str, level: Level, readership: Readership, unit: Option<i64>) -> NewDocument {
    NewDocument {
        code: code.into(),
        level,
        title: format!("{code} の題名"),
        unit_id: unit,
        system_id: None,
        readership,
        needs_acknowledgement: true,
    }
}

#[tokio::test]
async fn a_draft_reads_back_as_written_and_a_stale_save_is_refused() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let d = store
            .pdoc_create(
                &actor,
                &doc("standards", Level::Standard, Readership::Staff, None),
            )
            .await
            .unwrap();
        // The same code twice is a conflict with its own code.
        let again = store
            .pdoc_create(
                &actor,
                &doc("standards", Level::Standard, Readership::Staff, None),
            )
            .await
            .unwrap_err();
        assert_eq!(again.code(), "MAMORI-POLICY-CODE-TAKEN", "{backend}");
        let body = body();
        let v = store
            .pdoc_add_version(&actor, None, &d, None, &body)
            .await
            .unwrap();
        assert_eq!((v.number, v.state()), (1, State::Draft), "{backend}");
        assert_eq!(store.pdoc_body(&v).await.unwrap(), body, "{backend}");

        // Two editors read revision r; the first save wins, the second is refused.
        let key = body.flatten()[1].key.clone();
        let r = v.revision;
        let saved = store
            .pdoc_edit_provision(&actor, &d, &v, r, &key, "目的", "一番目の保存。", &[])
            .await
            .unwrap();
        assert_eq!(saved.revision, r + 1);
        let stale = store
            .pdoc_edit_provision(&actor, &d, &v, r, &key, "目的", "二番目の保存。", &[])
            .await
            .unwrap_err();
        assert_eq!(stale.code(), "MAMORI-POLICY-STALE", "{backend}");
        let now = store.pdoc_body(&saved).await.unwrap();
        assert_eq!(now.find(&key).unwrap().text, "一番目の保存。", "{backend}");

        // Submitted, it is no longer edited.
        let review = store
            .pdoc_set_state(
                &actor,
                &d,
                &saved,
                State::Draft,
                State::Review,
                Verb::Submit,
            )
            .await
            .unwrap();
        let closed = store
            .pdoc_edit_provision(&actor, &d, &review, review.revision, &key, "", "x", &[])
            .await
            .unwrap_err();
        assert_eq!(closed.code(), "MAMORI-POLICY-STATE", "{backend}");
        assert!(matches!(
            verify_chain_of(&store).await,
            ChainVerdict::Intact { .. }
        ));
    }
}

async fn verify_chain_of(store: &mamori_store::Store) -> ChainVerdict {
    verify_chain(store.db()).await.unwrap()
}

fn approval(approver: i64, approved: time::Date, effective: time::Date) -> Approval {
    let mut supplementary = Provision::new(Kind::Supplementary, "附則");
    supplementary.key = new_key();
    supplementary.text = mamori_core::policy_doc::enactment_line(Level::Standard, effective);
    Approval {
        approver,
        body: "情報セキュリティ委員会".into(),
        decision_number: "第1号".into(),
        approved_on: approved,
        effective_on: effective,
        supplementary,
    }
}

#[tokio::test]
async fn a_version_comes_into_force_on_its_date_and_supersedes_the_one_before() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let ciso = store
            .create_user(
                &actor,
                mamori_store::users::NewUser {
                    username: "ciso".into(),
                    display_name: "佐藤 一郎".into(),
                    email: None,
                    unit_id: None,
                    roles: vec![],
                    password: "a long enough passphrase".into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        let d = store
            .pdoc_create(
                &actor,
                &doc("standards", Level::Standard, Readership::Staff, None),
            )
            .await
            .unwrap();
        let body = body();
        let mut numbers = Vec::new();
        for effective in [date!(2025 - 04 - 01), date!(2026 - 04 - 01)] {
            let v = store
                .pdoc_add_version(&actor, None, &d, None, &body)
                .await
                .unwrap();
            let v = store
                .pdoc_set_state(&actor, &d, &v, State::Draft, State::Review, Verb::Submit)
                .await
                .unwrap();
            let v = store
                .pdoc_approve(
                    &actor,
                    &d,
                    &v,
                    &approval(ciso.id, date!(2025 - 03 - 01), effective),
                )
                .await
                .unwrap();
            assert_eq!(v.state(), State::Approved, "{backend}");
            assert_eq!(v.approved_by_name.as_deref(), Some("佐藤 一郎"));
            // The 附則 is the last provision.
            let b = store.pdoc_body(&v).await.unwrap();
            let last = b.provisions.last().unwrap();
            assert_eq!(last.kind, Kind::Supplementary);
            assert!(last.text.contains("から施行する。"), "{backend}");
            numbers.push(v.number);
        }
        // 2025-12-01: the first is in force, the second waits.
        let first = store
            .pdoc_bring_into_force(&actor, &d, date!(2025 - 12 - 01))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.number, numbers[0]);
        assert_eq!(first.state(), State::InForce);
        assert!(
            store
                .pdoc_bring_into_force(&actor, &d, date!(2025 - 12 - 01))
                .await
                .unwrap()
                .is_none()
        );
        // 2026-04-01: the second comes into force, the first is superseded.
        let second = store
            .pdoc_bring_into_force(&actor, &d, date!(2026 - 04 - 01))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.number, numbers[1], "{backend}");
        let old = store.pdoc_version(d.id, numbers[0]).await.unwrap();
        assert_eq!(old.state(), State::Superseded, "{backend}");
        assert_eq!(
            store.pdoc_in_force(d.id).await.unwrap().unwrap().number,
            numbers[1]
        );
        // Approving again is refused: it is no longer under review.
        let again = store
            .pdoc_approve(
                &actor,
                &d,
                &second,
                &approval(ciso.id, date!(2025 - 03 - 01), date!(2026 - 04 - 01)),
            )
            .await
            .unwrap_err();
        assert_eq!(again.code(), "MAMORI-POLICY-STATE");
        // Listing versions: drafts hidden when asked.
        let listed = store
            .pdoc_versions(d.id, false, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.total, 2);
        assert!(matches!(
            verify_chain_of(&store).await,
            ChainVerdict::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn comments_are_answered_and_resolved() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let d = store
            .pdoc_create(
                &actor,
                &doc("standards", Level::Standard, Readership::Staff, None),
            )
            .await
            .unwrap();
        let body = body();
        let v = store
            .pdoc_add_version(&actor, None, &d, None, &body)
            .await
            .unwrap();
        let key = body.flatten()[2].key.clone();
        let c = store
            .pdoc_add_comment(&actor, None, &d, &v, Some(&key), "定義を追加してください")
            .await
            .unwrap();
        let answered = store
            .pdoc_answer_comment(&actor, &d, &v, &c, Some("追加しました"), true)
            .await
            .unwrap();
        assert!(answered.resolved);
        let all = store.pdoc_comments(v.id).await.unwrap();
        assert_eq!(all.len(), 1, "{backend}");
        assert_eq!(all[0].answer.as_deref(), Some("追加しました"));
        assert!(all[0].resolved);
    }
}

#[tokio::test]
async fn lists_and_search_keep_to_the_scope() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let a = store
            .create_unit(&actor, new_unit("A", None, UnitKind::Department))
            .await
            .unwrap();
        let b = store
            .create_unit(&actor, new_unit("B", None, UnitKind::Department))
            .await
            .unwrap();
        let docs = [
            doc("basic", Level::Basic, Readership::Everyone, None),
            doc("standards", Level::Standard, Readership::Staff, None),
            doc("proc-a", Level::Procedure, Readership::Unit, Some(a.id)),
            doc("proc-b", Level::Procedure, Readership::Unit, Some(b.id)),
        ];
        let mut rows = Vec::new();
        for d in &docs {
            rows.push(store.pdoc_create(&actor, d).await.unwrap());
        }
        // Each has a draft naming its code (not in force: search does not see it).
        for d in &rows {
            let mut body = body();
            body.provisions[0].children[0].text = format!("{} の規程。秘密の手順。", d.code);
            store
                .pdoc_add_version(&actor, None, d, None, &body)
                .await
                .unwrap();
        }
        let scope_a = DocScope {
            readerships: vec![Readership::Everyone, Readership::Staff],
            units: vec![a.id],
            systems: vec![],
        };
        let listed = store
            .pdoc_list(&scope_a, PageRequest::default())
            .await
            .unwrap();
        let codes: Vec<&str> = listed.items.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, vec!["basic", "standards", "proc-a"], "{backend}");
        assert_eq!(listed.total, 3);
        let everyone = DocScope {
            readerships: vec![Readership::Everyone],
            ..DocScope::default()
        };
        assert_eq!(
            store
                .pdoc_list(&everyone, PageRequest::default())
                .await
                .unwrap()
                .total,
            1
        );
        // Search reads the versions in force only; none is in force yet.
        let hits = store
            .pdoc_search(&scope_a, "秘密", PageRequest::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 0, "{backend}");
    }
}

#[tokio::test]
async fn search_finds_kanji_in_force_within_the_scope() {
    for (backend, store) in all_stores().await {
        let actor = Actor::System("test");
        let approver = store
            .create_user(
                &actor,
                mamori_store::users::NewUser {
                    username: "ciso".into(),
                    display_name: "CISO".into(),
                    email: None,
                    unit_id: None,
                    roles: vec![],
                    password: "a long enough passphrase".into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        let a = store
            .create_unit(&actor, new_unit("A", None, UnitKind::Department))
            .await
            .unwrap();
        let b = store
            .create_unit(&actor, new_unit("B", None, UnitKind::Department))
            .await
            .unwrap();
        for (code, unit) in [("proc-a", a.id), ("proc-b", b.id)] {
            let d = store
                .pdoc_create(
                    &actor,
                    &doc(code, Level::Procedure, Readership::Unit, Some(unit)),
                )
                .await
                .unwrap();
            let mut body = body();
            body.provisions[0].children[0].text =
                format!("{code} では外部記録媒体を施錠保管する。");
            let v = store
                .pdoc_add_version(&actor, None, &d, None, &body)
                .await
                .unwrap();
            let v = store
                .pdoc_set_state(&actor, &d, &v, State::Draft, State::Review, Verb::Submit)
                .await
                .unwrap();
            store
                .pdoc_approve(
                    &actor,
                    &d,
                    &v,
                    &approval(approver.id, date!(2025 - 03 - 01), date!(2025 - 04 - 01)),
                )
                .await
                .unwrap();
            store
                .pdoc_bring_into_force(&actor, &d, date!(2025 - 04 - 01))
                .await
                .unwrap();
        }
        let scope_a = DocScope {
            readerships: vec![],
            units: vec![a.id],
            systems: vec![],
        };
        let hits = store
            .pdoc_search(&scope_a, "記録媒体", PageRequest::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 1, "{backend}");
        assert_eq!(hits.items[0].code, "proc-a");
        // A LIKE wildcard is a character like any other.
        let none = store
            .pdoc_search(&scope_a, "%", PageRequest::default())
            .await
            .unwrap();
        assert_eq!(none.total, 0, "{backend}");
    }
}

#[tokio::test]
async fn an_unknown_document_is_not_found() {
    for (backend, store) in all_stores().await {
        let e = store.pdoc_by_code("nothing").await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound { .. }), "{backend}");
    }
}
