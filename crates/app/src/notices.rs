//! Notices (お知らせ) in the app and by mail. An operation that asks
//! something of someone (an acknowledgement, a training, an approval) or
//! decides it tells them with [`App::notify`]; the notice is written after the
//! operation and a failure to write it is logged, never the operation's
//! failure. Mail goes through the city's SMTP server (`[mail]` in
//! mamori.toml) from an outbox that [`App::run_mail_worker`] empties in the
//! background: sending never blocks a request, a failed try is retried with
//! growing delays and, after the last, shown to the administrator.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mamori_authz::Action;
use mamori_store::notices::{NewNotice, Notice, OutboxMail};
use mamori_store::{Page, PageRequest};
use serde::Deserialize;

use crate::access::{App, Caller};
use crate::error::Result;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// Plain SMTP (a relay inside the city's network).
    None,
    /// STARTTLS on the submission port (the default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// `[mail]` of mamori.toml: the city's SMTP server.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// The sender: `Mamori <mamori@city.example.jp>`.
    pub from: String,
    #[serde(default)]
    pub security: MailSecurity,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The address of Mamori as people open it, for the links in mail
    /// (`https://mamori.city.example.jp`).
    #[serde(default)]
    pub base_url: String,
}

fn default_port() -> u16 {
    587
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// The notices' part of the App: the mail settings (None: no mail) and the
/// bell that wakes the mail worker.
#[derive(Debug, Default)]
pub struct NoticeRuntime {
    pub(crate) mail: Option<MailConfig>,
    pub(crate) wake: tokio::sync::Notify,
}

/// Delays before the next try of a mail that failed, by tries made.
const RETRY_DELAYS: [i64; 5] = [60, 300, 900, 3600, 4 * 3600];

impl App {
    /// This App, sending mail through `mail`.
    pub fn with_mail(mut self, mail: Option<MailConfig>) -> App {
        self.notices = Arc::new(NoticeRuntime {
            mail,
            wake: tokio::sync::Notify::new(),
        });
        self
    }

    /// Whether mail is configured.
    pub fn mail_enabled(&self) -> bool {
        self.notices.mail.is_some()
    }

    /// Makes notices (and queues their mail). A failure is logged, not
    /// returned: the operation that asks it is already done.
    pub(crate) async fn notify(&self, notices: &[NewNotice]) {
        match self.facts().add_notices(notices, self.mail_enabled()).await {
            Ok(n) if n > 0 => self.notices.wake.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "notices could not be written"),
        }
    }

    /// Tells the staff an acknowledgement campaign asks.
    pub(crate) async fn notify_ack_campaign(&self, campaign_id: i64, title: &str) {
        let subject = format!("確認のお願い: {title}");
        let body = format!(
            "「{title}」の内容を読み、確認（誓約）してください。確認のページから行えます。"
        );
        match self
            .facts()
            .notify_ack_campaign(campaign_id, &subject, &body, self.mail_enabled())
            .await
        {
            Ok(n) if n > 0 => self.notices.wake.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "acknowledgement notices could not be written"),
        }
    }

    /// Tells the staff a training assignment asks.
    pub(crate) async fn notify_training_assignment(&self, assignment_id: i64, due_on: &str) {
        let body = format!(
            "研修の受講をお願いします。受講期限: {}。研修のページから確認できます。",
            due_words(due_on)
        );
        match self
            .facts()
            .notify_training_assignment(
                assignment_id,
                "研修の受講依頼: ",
                &body,
                self.mail_enabled(),
            )
            .await
        {
            Ok(n) if n > 0 => self.notices.wake.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "training notices could not be written"),
        }
    }

    /// The day's reminders (trainings and acknowledgements due within a
    /// week, or overdue), once per request and due date. Run by the
    /// background worker at start and every hour.
    pub async fn send_reminders(&self, today: time::Date) -> Result<u64> {
        let soon = today.saturating_add(time::Duration::days(7)).to_string();
        let n = self
            .system("reminders")
            .store()
            .remind_due(&soon, self.mail_enabled())
            .await?;
        if n > 0 {
            self.notices.wake.notify_one();
        }
        Ok(n)
    }

    /// A person's notices, newest first.
    pub async fn my_notices(
        &self,
        caller: &Caller,
        unread: bool,
        page: PageRequest,
    ) -> Result<Page<Notice>> {
        let permit = self.permit_app(caller, Action::View)?;
        Ok(permit
            .store()
            .notices_of(caller.user.id, unread, page)
            .await?)
    }

    /// How many notices the person has not read.
    pub async fn unread_notices(&self, caller: &Caller) -> Result<i64> {
        Ok(self
            .my_notices(caller, true, PageRequest::new(Some(1), Some(1)))
            .await?
            .total)
    }

    /// Marks one of the person's notices read (`None`: all).
    pub async fn mark_notices_read(&self, caller: &Caller, id: Option<i64>) -> Result<u64> {
        let permit = self.permit_app(caller, Action::View)?;
        Ok(permit.store().mark_notices_read(caller.user.id, id).await?)
    }

    /// The mail outbox (the administrator: who may manage users).
    pub async fn mail_outbox(
        &self,
        caller: &Caller,
        state: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<OutboxMail>> {
        let permit = self.permit_app(caller, Action::ManageUsers)?;
        let state = state.filter(|s| ["pending", "sent", "failed"].contains(s));
        Ok(permit.store().list_mail(state, page).await?)
    }

    /// Puts a mail that was given up back in the queue.
    pub async fn retry_mail(&self, caller: &Caller, id: i64) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageUsers)?;
        permit.store().retry_mail(permit.actor(), id).await?;
        self.notices.wake.notify_one();
        Ok(())
    }

    /// Sends the mail that is due; returns how many were sent. Without mail
    /// settings it sends nothing.
    pub async fn send_due_mail(&self) -> Result<usize> {
        let Some(config) = self.notices.mail.clone() else {
            return Ok(0);
        };
        let store = self.system("mail").store();
        let now = mamori_store::now_rfc3339();
        let due = store.due_mail(&now, 100).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let transport = match transport(&config) {
            Ok(t) => t,
            Err(e) => {
                for m in &due {
                    self.mail_try_failed(m, &e).await?;
                }
                return Ok(0);
            }
        };
        let mut sent = 0;
        for m in &due {
            match send_one(&transport, &config, m).await {
                Ok(()) => {
                    store.mail_sent(m.id).await?;
                    sent += 1;
                }
                Err(e) => self.mail_try_failed(m, &e).await?,
            }
        }
        Ok(sent)
    }

    async fn mail_try_failed(&self, m: &OutboxMail, error: &str) -> Result<()> {
        let delay = RETRY_DELAYS
            .get(usize::try_from(m.attempts).unwrap_or(0))
            .copied()
            .unwrap_or(4 * 3600);
        let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(delay);
        let at = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let given_up = self
            .system("mail")
            .store()
            .mail_failed(m.id, error, &at)
            .await?;
        tracing::warn!(mail = m.id, error, given_up, "a mail could not be sent");
        Ok(())
    }

    /// The background worker: sends due mail when woken or every 30 seconds,
    /// and makes the reminders every hour. Runs until the process ends.
    pub async fn run_mail_worker(self) {
        let mut last_reminders: Option<std::time::Instant> = None;
        loop {
            if last_reminders.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
                let today = mamori_store::policy_docs::today_jst();
                if let Err(e) = self.send_reminders(today).await {
                    tracing::warn!(error = %e, "reminders could not be made");
                }
                last_reminders = Some(std::time::Instant::now());
            }
            if let Err(e) = self.send_due_mail().await {
                tracing::warn!(error = %e, "the mail outbox could not be read");
            }
            let _ =
                tokio::time::timeout(Duration::from_secs(30), self.notices.wake.notified()).await;
        }
    }
}

/// A due date as 和暦 with the western date beside it (as entered when it
/// is not a date).
fn due_words(iso: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(iso, &format) {
        Ok(d) => mamori_core::wareki::format_date_ja(d),
        Err(_) => iso.to_string(),
    }
}

fn transport(
    config: &MailConfig,
) -> std::result::Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match config.security {
        MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        MailSecurity::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| format!("SMTP {}: {e}", config.host))?
        }
        MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
            .map_err(|e| format!("SMTP {}: {e}", config.host))?,
    };
    let builder = builder
        .port(config.port)
        .timeout(Some(Duration::from_secs(20)));
    let builder = match (&config.username, &config.password) {
        (Some(u), Some(p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
        _ => builder,
    };
    Ok(builder.build())
}

async fn send_one(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    config: &MailConfig,
    m: &OutboxMail,
) -> std::result::Result<(), String> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| format!("from '{}': {e}", config.from))?;
    let to: Mailbox = m
        .recipient
        .parse()
        .map_err(|e| format!("to '{}': {e}", m.recipient))?;
    let mut body = m.body.clone();
    if !config.base_url.is_empty() {
        body.push_str(&format!(
            "\n\nMamori: {}\n",
            config.base_url.trim_end_matches('/')
        ));
    }
    body.push_str("\n-- \n守り Mamori（情報セキュリティ管理）からの自動送信です。\n");
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(&m.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("message: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e}"))
}
