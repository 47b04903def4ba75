//! Classification changes proposed by staff and decided by the unit's
//! manager, and notices in the app and by mail through a real SMTP server
//! (Python's aiosmtpd, installed from PyPI when missing).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mamori_app::requests::{Decision, Reclassified};
use mamori_app::{App, Error};
use mamori_core::asset::Levels;
use mamori_core::problem::Class;
use mamori_core::table::LedgerFormat;
use mamori_store::PageRequest;
use mamori_store::assets::AssetFilter;
use mamori_store::events::EventFilter;

use crate::{caller, demo_apps, entered};

fn code_of(e: &Error) -> String {
    e.problems()
        .first()
        .map(|p| p.code.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn staff_propose_a_change_and_the_units_manager_approves_it() {
    for (backend, store, app) in demo_apps().await {
        let tanaka = caller(&app, &store, "tanaka").await;
        let sasaki = caller(&app, &store, "sasaki").await;
        let kimura = caller(&app, &store, "kimura").await;
        let watanabe = caller(&app, &store, "watanabe").await;
        let own = tanaka.user.unit_id.unwrap();
        let asset = app.create_asset(&tanaka, &entered(own)).await.unwrap();
        let before = asset.label.clone();

        // Staff propose: the asset keeps its levels.
        let done = app
            .reclassify_asset(&tanaka, asset.id, Levels::new("1", "1", "1"), "テスト")
            .await
            .unwrap();
        let Reclassified::Proposed(request) = done else {
            panic!("{backend}: staff changed the levels at once");
        };
        assert_eq!(request.state, "pending", "{backend}");
        assert_eq!(app.asset(&tanaka, asset.id).await.unwrap().label, before);
        // One pending change per asset.
        let again = app
            .reclassify_asset(&tanaka, asset.id, Levels::new("1", "2", "1"), "もう一度")
            .await
            .unwrap_err();
        assert_eq!(
            code_of(&again),
            "MAMORI-CLASSIFICATION-PENDING",
            "{backend}"
        );
        // Proposing the levels it has is no change.
        let other = app.create_asset(&tanaka, &entered(own)).await.unwrap();
        let same = app
            .reclassify_asset(&tanaka, other.id, Levels::new("C2", "I2", "A2"), "同じ")
            .await
            .unwrap_err();
        assert_eq!(
            code_of(&same),
            "MAMORI-CLASSIFICATION-NO-CHANGE",
            "{backend}"
        );

        // Nobody approves their own request.
        let own_approval = app
            .decide_classification_request(&tanaka, request.id, Decision::Approve, "")
            .await
            .unwrap_err();
        assert_eq!(own_approval.class(), Class::Forbidden, "{backend}");
        // Another unit's staff do not even see it.
        let hidden = app
            .classification_request(&watanabe, request.id)
            .await
            .unwrap_err();
        assert_eq!(hidden.class(), Class::NotFound, "{backend}");
        assert_eq!(
            app.classification_requests(&watanabe, None, None, PageRequest::default())
                .await
                .unwrap()
                .total,
            0,
            "{backend}: lists follow the reader's scope"
        );

        // The section's 情報セキュリティ管理者 and the department's 責任者 are asked.
        let awaiting = app.requests_awaiting_me(&sasaki).await.unwrap();
        assert!(awaiting.iter().any(|r| r.id == request.id), "{backend}");
        assert!(
            app.requests_awaiting_me(&kimura)
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == request.id),
            "{backend}: the department's manager too"
        );
        assert!(app.requests_awaiting_me(&tanaka).await.unwrap().is_empty());
        let told = app
            .my_notices(&sasaki, true, PageRequest::default())
            .await
            .unwrap();
        assert!(
            told.items.iter().any(|n| n.kind == "approval_requested"
                && n.link == format!("/classification-requests/{}", request.id)),
            "{backend}: {told:?}"
        );

        // The manager approves: the asset takes the levels, both in the log.
        let approved = app
            .decide_classification_request(&sasaki, request.id, Decision::Approve, "確認済み")
            .await
            .unwrap();
        assert_eq!(approved.state, "approved", "{backend}");
        assert_eq!(approved.decider_name.as_deref(), Some("佐々木 恵"));
        let after = app.asset(&tanaka, asset.id).await.unwrap();
        assert_eq!(after.label, "C1-I1-A1", "{backend}");
        let history = app.asset_view(&tanaka, asset.id).await.unwrap().history;
        let change = history
            .iter()
            .find(|e| e.action == "reclassify")
            .expect("a reclassify event");
        assert!(change.actor.contains("sasaki"), "{backend}: {change:?}");
        let after_json = change.after_json.clone().unwrap_or_default();
        assert!(
            after_json.contains("田中 美咲") && after_json.contains("佐々木 恵"),
            "{backend}: proposer and approver in the log: {after_json}"
        );
        let events = store
            .list_events(
                &EventFilter {
                    entity: Some("classification_request".into()),
                    ..EventFilter::default()
                },
                &mamori_store::assets::AssetScope::unrestricted(),
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(events.total, 2, "{backend}: request and approval");
        // Deciding twice is refused.
        let twice = app
            .decide_classification_request(&kimura, request.id, Decision::Refuse, "")
            .await
            .unwrap_err();
        assert_eq!(
            code_of(&twice),
            "MAMORI-CLASSIFICATION-DECIDED",
            "{backend}"
        );
        // The proposer is told.
        let told = app
            .my_notices(&tanaka, true, PageRequest::default())
            .await
            .unwrap();
        assert!(
            told.items.iter().any(|n| n.kind == "approval_decided"),
            "{backend}"
        );

        // The manager changes levels at once.
        let Reclassified::Applied(a) = app
            .reclassify_asset(&sasaki, asset.id, Levels::new("2", "1", "1"), "見直し")
            .await
            .unwrap()
        else {
            panic!("{backend}: the manager's change waited");
        };
        assert_eq!(a.label, "C2-I1-A1");

        // A proposal overtaken by another change is refused on approval.
        let Reclassified::Proposed(stale) = app
            .reclassify_asset(&tanaka, asset.id, Levels::new("3B", "1", "1"), "上げたい")
            .await
            .unwrap()
        else {
            panic!("{backend}");
        };
        app.reclassify_asset(&kimura, asset.id, Levels::new("2", "2", "1"), "別の変更")
            .await
            .unwrap();
        let refused = app
            .decide_classification_request(&sasaki, stale.id, Decision::Approve, "")
            .await
            .unwrap_err();
        assert_eq!(
            code_of(&refused),
            "MAMORI-CLASSIFICATION-STALE",
            "{backend}"
        );
        assert_eq!(
            app.asset(&tanaka, asset.id).await.unwrap().label,
            "C2-I2-A1",
            "{backend}: nothing written"
        );
        // The proposer withdraws it; another person may not.
        let not_theirs = app
            .decide_classification_request(&sasaki, stale.id, Decision::Withdraw, "")
            .await
            .unwrap_err();
        assert_eq!(not_theirs.class(), Class::Forbidden, "{backend}");
        let withdrawn = app
            .decide_classification_request(&tanaka, stale.id, Decision::Withdraw, "")
            .await
            .unwrap();
        assert_eq!(withdrawn.state, "withdrawn", "{backend}");

        // When the city lets raises take effect at once, staff raise at once
        // but still only propose a lowering.
        let security = caller(&app, &store, "security").await;
        app.set_raise_immediate(&security, true).await.unwrap();
        assert!(matches!(
            app.reclassify_asset(&tanaka, asset.id, Levels::new("3B", "2", "1"), "上げる")
                .await
                .unwrap(),
            Reclassified::Applied(_)
        ));
        assert!(matches!(
            app.reclassify_asset(&tanaka, asset.id, Levels::new("1", "2", "1"), "下げる")
                .await
                .unwrap(),
            Reclassified::Proposed(_)
        ));
    }
}

/// A ledger import by staff may not change levels: that is proposed on the
/// asset's page.
#[tokio::test]
async fn an_import_by_staff_does_not_change_levels() {
    for (backend, store, app) in demo_apps().await {
        let tanaka = caller(&app, &store, "tanaka").await;
        let sasaki = caller(&app, &store, "sasaki").await;
        let own = tanaka.user.unit_id.unwrap();
        let mut e = entered(own);
        e.name = "格付け取込テスト".into();
        let asset = app.create_asset(&tanaka, &e).await.unwrap();
        let mut out = Vec::new();
        app.export_ledger(
            &tanaka,
            &AssetFilter {
                text: Some("格付け取込テスト".into()),
                ..AssetFilter::default()
            },
            LedgerFormat::Csv,
            &mut out,
        )
        .await
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        let c = header.iter().position(|h| h.contains("機密性")).unwrap();
        let mut changed = row.clone();
        changed[c] = "1".into();
        let file = format!("{}\r\n{}\r\n", header.join(","), changed.join(","));

        let report = app
            .import_ledger(&tanaka, file.as_bytes(), LedgerFormat::Csv, Some("下げる"))
            .await
            .unwrap();
        assert!(!report.written, "{backend}: {report:?}");
        assert!(
            report.errors.iter().any(|e| e.message.contains("承認")),
            "{backend}: {report:?}"
        );
        assert_eq!(
            app.asset(&tanaka, asset.id).await.unwrap().label,
            asset.label
        );
        // The unit's manager may.
        let report = app
            .import_ledger(&sasaki, file.as_bytes(), LedgerFormat::Csv, Some("下げる"))
            .await
            .unwrap();
        assert!(report.written, "{backend}: {report:?}");
    }
}

/// aiosmtpd on a free loopback port, keeping what it receives as a maildir.
struct Smtp {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ensure_aiosmtpd() {
    let have = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        let ok = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "aiosmtpd",
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "aiosmtpd could not be installed from PyPI");
    }
}

async fn smtp_server() -> Smtp {
    ensure_aiosmtpd();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("mamori-smtp-{port}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(dir.join("mail"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Smtp { child, port, dir }
}

impl Smtp {
    /// Every message received, as text.
    fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.join("mail").join(sub)) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

fn mail_config(port: u16) -> mamori_app::notices::MailConfig {
    serde_json::from_value(serde_json::json!({
        "host": "127.0.0.1",
        "port": port,
        "from": "Mamori <mamori@city.example>",
        "security": "none",
        "base_url": "https://mamori.city.example",
    }))
    .unwrap()
}

/// Opening an acknowledgement campaign asks every member of staff by a
/// notice and a mail that the SMTP server receives; a mail that cannot be
/// sent is retried, then given up and shown to the administrator.
#[tokio::test]
async fn notices_reach_people_by_mail_through_a_real_smtp_server() {
    let smtp = smtp_server().await;
    for (backend, store, app) in demo_apps().await {
        let app: App = app.with_mail(Some(mail_config(smtp.port)));
        let security = caller(&app, &store, "security").await;
        let tanaka = caller(&app, &store, "tanaka").await;
        let revision = app
            .policy_revisions(&security, PageRequest::default())
            .await
            .unwrap()
            .items[0]
            .id;
        let campaign = app
            .open_ack_campaign(
                &security,
                mamori_store::org::NewAckCampaign {
                    revision_id: revision,
                    title: format!("メール試験 {backend}"),
                    due_on: None,
                },
            )
            .await
            .unwrap();
        let mine = app
            .my_notices(&tanaka, true, PageRequest::default())
            .await
            .unwrap();
        assert!(
            mine.items
                .iter()
                .any(|n| n.kind == "ack_request" && n.subject.contains(&campaign.title)),
            "{backend}: {mine:?}"
        );
        let sent = app.send_due_mail().await.unwrap();
        assert!(sent >= 10, "{backend}: {sent} sent");
        let received = smtp.messages();
        assert!(
            received
                .iter()
                .any(|m| m.contains("tanaka@demo.city.example")),
            "{backend}: {} messages",
            received.len()
        );
        // Reading marks it read.
        let id = mine.items[0].id;
        app.mark_notices_read(&tanaka, Some(id)).await.unwrap();
        assert_eq!(
            app.my_notices(&tanaka, true, PageRequest::default())
                .await
                .unwrap()
                .items
                .iter()
                .filter(|n| n.id == id)
                .count(),
            0
        );
        // Another person's notice is not found.
        let sasaki = caller(&app, &store, "sasaki").await;
        assert_eq!(
            app.mark_notices_read(&sasaki, Some(id))
                .await
                .unwrap_err()
                .class(),
            Class::NotFound,
            "{backend}"
        );

        // A server that is not there: the try is recorded and retried later.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let down = app.clone().with_mail(Some(mail_config(closed)));
        down.send_reminders(time::macros::date!(2099 - 01 - 01))
            .await
            .unwrap();
        assert_eq!(down.send_due_mail().await.unwrap(), 0, "{backend}");
        let admin = store
            .create_user(
                &mamori_store::Actor::System("test"),
                mamori_store::users::NewUser {
                    username: "mail-admin".into(),
                    display_name: "管理者 メール".into(),
                    email: None,
                    unit_id: None,
                    roles: vec![mamori_core::org::SystemRole::Admin],
                    password: "a long enough passphrase".into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        let admin = app.caller(admin.id).await.unwrap().unwrap();
        let pending = app
            .mail_outbox(&admin, Some("pending"), PageRequest::default())
            .await
            .unwrap();
        assert!(
            pending
                .items
                .iter()
                .any(|m| m.attempts == 1 && !m.last_error.is_empty()),
            "{backend}: {pending:?}"
        );
        // Staff do not see the outbox.
        assert_eq!(
            app.mail_outbox(&tanaka, None, PageRequest::default())
                .await
                .unwrap_err()
                .class(),
            Class::Forbidden
        );
        // After the last try it is given up, logged, and can be retried.
        let one = pending.items.iter().find(|m| m.attempts == 1).unwrap();
        for _ in 1..mamori_store::notices::MAX_ATTEMPTS {
            store
                .mail_failed(one.id, "test", "2000-01-01T00:00:00Z")
                .await
                .unwrap();
        }
        let failed = app
            .mail_outbox(&admin, Some("failed"), PageRequest::default())
            .await
            .unwrap();
        assert!(failed.items.iter().any(|m| m.id == one.id), "{backend}");
        app.retry_mail(&admin, one.id).await.unwrap();
        let before = smtp.messages().len();
        app.send_due_mail().await.unwrap();
        assert!(
            smtp.messages().len() > before,
            "{backend}: the retry was sent"
        );
    }
}
