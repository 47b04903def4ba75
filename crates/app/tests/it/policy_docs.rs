//! Policy documents through the operation layer, on both databases: who may
//! read a procedure, drafts hidden, no self-approval, a stale save refused,
//! an effective date before the approval refused, import errors with their
//! lines and nothing written, and a version in force on its date.

use mamori_app::policy_docs::{ApprovalInput, DocumentInput, ImportInput};
use mamori_app::{App, Caller, Error};
use mamori_core::policy_doc::State;
use mamori_core::policy_doc::parse::Format;
use mamori_core::problem::Class;
use mamori_store::org::NewRoleAssignment;
use mamori_store::{Actor, PageRequest, Store};

use super::{caller, demo_apps};

const STANDARDS: &str = "\
〇〇市情報セキュリティ対策基準
第1章　総則
（目的）
第1条　この対策基準は、必要な事項を定める。
（定義）
第2条　用語の意義は、次のとおりとする。
(1)　職員　本市職員をいう。
";

/// The demo's `ciso` holds the guideline role ciso from today.
async fn make_ciso(store: &Store, app: &App) -> Caller {
    let user = store.user_by_name("ciso").await.unwrap().unwrap();
    store
        .assign_role(
            &Actor::System("test"),
            NewRoleAssignment {
                user_id: user.id,
                role: "ciso".into(),
                unit_id: None,
                system_id: None,
                starts_on: "2000-01-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    app.caller(user.id).await.unwrap().unwrap()
}

fn import(code: &str, level: &str, text: &str) -> ImportInput {
    ImportInput {
        code: code.into(),
        level: level.into(),
        title: None,
        format: Format::Reiki,
        text: text.into(),
    }
}

fn approval(approved: &str, effective: &str) -> ApprovalInput {
    ApprovalInput {
        body: "情報セキュリティ委員会".into(),
        decision_number: "令和7年度第1号".into(),
        approved_on: approved.into(),
        effective_on: effective.into(),
    }
}

fn codes(e: &Error) -> Vec<&'static str> {
    e.problems().iter().map(|p| p.code).collect()
}

#[tokio::test]
async fn staff_cannot_read_a_procedure_of_another_unit() {
    for (backend, store, app) in demo_apps().await {
        let security = caller(&app, &store, "security").await;
        let tanaka = caller(&app, &store, "tanaka").await; // D02-S01
        let ito = caller(&app, &store, "ito").await; // D04-S01
        let auditor = caller(&app, &store, "auditor").await;
        let unit = tanaka.user.unit_id.unwrap();
        app.create_policy_doc(
            &security,
            &DocumentInput {
                code: "proc-d02".into(),
                level: "procedure".into(),
                title: "窓口端末の運用手順".into(),
                unit_id: Some(unit),
                ..DocumentInput::default()
            },
        )
        .await
        .unwrap();
        let imported = app
            .import_policy_doc(&security, &import("proc-d02", "procedure", STANDARDS))
            .await
            .unwrap();
        // The draft: the security office only.
        let n = imported.version.number;
        let hidden = app
            .policy_doc_version(&tanaka, "proc-d02", n)
            .await
            .unwrap_err();
        assert_eq!(
            hidden.class(),
            Class::NotFound,
            "{backend}: a draft is not shown"
        );
        // Approved and in force.
        let ciso = make_ciso(&store, &app).await;
        app.submit_policy_doc(&security, "proc-d02", n)
            .await
            .unwrap();
        let today = mamori_store::policy_docs::today_jst().to_string();
        let v = app
            .approve_policy_doc(&ciso, "proc-d02", n, &approval(&today, &today))
            .await
            .unwrap();
        assert_eq!(v.state(), State::InForce, "{backend}");
        // Its unit reads it; another unit's staff by no route; auditors do.
        assert!(app.policy_doc_version(&tanaka, "proc-d02", n).await.is_ok());
        assert!(
            app.policy_doc_version(&auditor, "proc-d02", n)
                .await
                .is_ok()
        );
        for e in [
            app.policy_doc_version(&ito, "proc-d02", n)
                .await
                .unwrap_err(),
            app.policy_doc(&ito, "proc-d02").await.unwrap_err(),
            app.policy_doc_versions(&ito, "proc-d02", PageRequest::default())
                .await
                .unwrap_err(),
            app.compare_policy_doc(&ito, "proc-d02", n, n)
                .await
                .unwrap_err(),
        ] {
            assert_eq!(e.class(), Class::NotFound, "{backend}: {e:?}");
        }
        let listed = app
            .policy_doc_list(&ito, PageRequest::default())
            .await
            .unwrap();
        assert!(
            listed.items.iter().all(|d| d.code != "proc-d02"),
            "{backend}"
        );
        let found = app
            .policy_doc_search(&ito, "本市職員", PageRequest::default())
            .await
            .unwrap();
        assert_eq!(found.total, 0, "{backend}: search keeps to the readership");
        let found = app
            .policy_doc_search(&tanaka, "本市職員", PageRequest::default())
            .await
            .unwrap();
        assert_eq!(found.total, 1, "{backend}");
        let listed = app
            .policy_doc_list(&tanaka, PageRequest::default())
            .await
            .unwrap();
        assert!(
            listed.items.iter().any(|d| d.code == "proc-d02"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn nobody_approves_their_own_draft_and_dates_are_checked() {
    for (backend, store, app) in demo_apps().await {
        let ciso = make_ciso(&store, &app).await;
        let security = caller(&app, &store, "security").await;
        // The CISO (who is also in the security office in the demo) drafts.
        let imported = app
            .import_policy_doc(&ciso, &import("standards", "standard", STANDARDS))
            .await
            .unwrap();
        assert!(imported.created);
        assert_eq!((imported.articles, imported.provisions), (2, 4));
        let n = imported.version.number;
        app.submit_policy_doc(&ciso, "standards", n).await.unwrap();
        let own = app
            .approve_policy_doc(&ciso, "standards", n, &approval("2025-03-01", "2025-04-01"))
            .await
            .unwrap_err();
        assert_eq!(
            codes(&own),
            vec!["MAMORI-POLICY-SELF-APPROVAL"],
            "{backend}"
        );
        assert_eq!(own.class(), Class::Forbidden);
        // The security office may not approve at all.
        let refused = app
            .approve_policy_doc(
                &security,
                "standards",
                n,
                &approval("2025-03-01", "2025-04-01"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(refused, Error::Forbidden),
            "{backend}: {refused:?}"
        );
        // Another approver: an effective date before the approval is refused.
        let chief = caller(&app, &store, "kobayashi").await;
        store
            .assign_role(
                &Actor::System("test"),
                NewRoleAssignment {
                    user_id: chief.user.id,
                    role: "chief_security_manager".into(),
                    unit_id: None,
                    system_id: None,
                    starts_on: "2000-01-01".into(),
                    ends_on: None,
                    note: String::new(),
                },
            )
            .await
            .unwrap();
        let chief = app.caller(chief.user.id).await.unwrap().unwrap();
        let early = app
            .approve_policy_doc(
                &chief,
                "standards",
                n,
                &approval("2025-03-01", "2025-02-01"),
            )
            .await
            .unwrap_err();
        assert_eq!(
            codes(&early),
            vec!["MAMORI-POLICY-EFFECTIVE-BEFORE-APPROVAL"],
            "{backend}"
        );
        let v = app
            .approve_policy_doc(
                &chief,
                "standards",
                n,
                &approval("2025-03-01", "2099-04-01"),
            )
            .await
            .unwrap();
        assert_eq!(v.state(), State::Approved, "{backend}: not yet in force");
        // The 附則 is written from the facts.
        let view = app
            .policy_doc_version(&chief, "standards", n)
            .await
            .unwrap();
        let last = view.body.provisions.last().unwrap();
        assert_eq!(last.text, "この対策基準は、令和81年4月1日から施行する。");
        // Approved: no more edits.
        let key = view.body.flatten()[1].key.clone();
        let e = app
            .edit_policy_provision(&ciso, "standards", n, &key, v.revision, "", "x", &[])
            .await
            .unwrap_err();
        assert_eq!(codes(&e), vec!["MAMORI-POLICY-STATE"], "{backend}");
    }
}

#[tokio::test]
async fn a_stale_save_is_refused_and_the_first_is_kept() {
    for (backend, store, app) in demo_apps().await {
        let security = caller(&app, &store, "security").await;
        let imported = app
            .import_policy_doc(&security, &import("standards", "standard", STANDARDS))
            .await
            .unwrap();
        let n = imported.version.number;
        let view = app
            .policy_doc_version(&security, "standards", n)
            .await
            .unwrap();
        let key = view.body.flatten()[1].key.clone();
        let read = view.version.revision;
        app.edit_policy_provision(
            &security,
            "standards",
            n,
            &key,
            read,
            "目的",
            "一人目。",
            &[],
        )
        .await
        .unwrap();
        let second = app
            .edit_policy_provision(
                &security,
                "standards",
                n,
                &key,
                read,
                "目的",
                "二人目。",
                &[],
            )
            .await
            .unwrap_err();
        assert_eq!(codes(&second), vec!["MAMORI-POLICY-STALE"], "{backend}");
        assert_eq!(second.class(), Class::Conflict);
        let now = app
            .policy_doc_version(&security, "standards", n)
            .await
            .unwrap();
        assert_eq!(now.body.find(&key).unwrap().text, "一人目。", "{backend}");
        // A link to a provision that does not exist is refused.
        let bad = app
            .edit_policy_provision(
                &security,
                "standards",
                n,
                &key,
                now.version.revision,
                "目的",
                "x",
                &["basic_policy#nothing".to_string()],
            )
            .await
            .unwrap_err();
        assert_eq!(codes(&bad), vec!["MAMORI-POLICY-LINK"], "{backend}");
        // Staff may not edit.
        let tanaka = caller(&app, &store, "tanaka").await;
        let e = app
            .edit_policy_provision(&tanaka, "standards", n, &key, read, "", "x", &[])
            .await
            .unwrap_err();
        assert!(
            matches!(e.class(), Class::NotFound | Class::Forbidden),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn an_import_that_cannot_place_a_line_writes_nothing() {
    for (backend, store, app) in demo_apps().await {
        let security = caller(&app, &store, "security").await;
        let bad = "規程\n第1条　a。\n第7条　b。\n第5条　c。\n";
        let e = app
            .import_policy_doc(&security, &import("standards", "standard", bad))
            .await
            .unwrap_err();
        let p = &e.problems()[0];
        assert_eq!(p.code, "MAMORI-POLICY-IMPORT-LINE", "{backend}");
        assert_eq!(p.row, Some(4));
        assert!(p.message(mamori_core::problem::Lang::Ja).contains("4行目"));
        assert!(p.message(mamori_core::problem::Lang::En).contains("line 4"));
        // Nothing written: no document.
        assert_eq!(
            app.policy_doc(&security, "standards")
                .await
                .unwrap_err()
                .class(),
            Class::NotFound
        );
        // An unknown level.
        let e = app
            .import_policy_doc(&security, &import("standards", "law", STANDARDS))
            .await
            .unwrap_err();
        assert_eq!(codes(&e), vec!["MAMORI-POLICY-LEVEL"], "{backend}");
    }
}

#[tokio::test]
async fn a_new_draft_keeps_the_keys_of_the_version_in_force() {
    for (backend, store, app) in demo_apps().await {
        let security = caller(&app, &store, "security").await;
        let ciso = make_ciso(&store, &app).await;
        let first = app
            .import_policy_doc(&security, &import("standards", "standard", STANDARDS))
            .await
            .unwrap();
        let n = first.version.number;
        // No version in force yet.
        let e = app
            .new_policy_draft(&security, "standards")
            .await
            .unwrap_err();
        assert_eq!(codes(&e), vec!["MAMORI-POLICY-NO-BASE"], "{backend}");
        app.submit_policy_doc(&security, "standards", n)
            .await
            .unwrap();
        let today = mamori_store::policy_docs::today_jst().to_string();
        app.approve_policy_doc(&ciso, "standards", n, &approval(&today, &today))
            .await
            .unwrap();
        let draft = app.new_policy_draft(&security, "standards").await.unwrap();
        assert_eq!(draft.based_on, Some(n));
        let old = app
            .policy_doc_version(&security, "standards", n)
            .await
            .unwrap();
        let new = app
            .policy_doc_version(&security, "standards", draft.number)
            .await
            .unwrap();
        let key = old.body.flatten()[1].key.clone();
        app.edit_policy_provision(
            &security,
            "standards",
            draft.number,
            &key,
            new.version.revision,
            "目的",
            "この対策基準は、必要かつ十分な事項を定める。",
            &[],
        )
        .await
        .unwrap();
        let c = app
            .compare_policy_doc(&security, "standards", n, draft.number)
            .await
            .unwrap();
        let changed: Vec<_> = c
            .entries
            .iter()
            .filter(|e| e.change != mamori_core::policy_doc::compare::Change::Unchanged)
            .collect();
        assert_eq!(changed.len(), 1, "{backend}: {changed:?}");
        assert_eq!(changed[0].key, key);
        // Review comments.
        app.submit_policy_doc(&security, "standards", draft.number)
            .await
            .unwrap();
        let comment = app
            .comment_policy_doc(&ciso, "standards", draft.number, Some(&key), "十分とは何か")
            .await
            .unwrap();
        let answered = app
            .answer_policy_comment(
                &security,
                "standards",
                draft.number,
                comment.id,
                Some("第2条で定義します"),
                true,
            )
            .await
            .unwrap();
        assert!(answered.resolved, "{backend}");
        // Staff do not comment.
        let tanaka = caller(&app, &store, "tanaka").await;
        assert!(
            app.comment_policy_doc(&tanaka, "standards", draft.number, None, "x")
                .await
                .is_err()
        );
    }
}
