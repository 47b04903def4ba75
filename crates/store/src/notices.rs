//! Notices to people (お知らせ): in the app, and by mail through an outbox
//! that a background task empties. A notice is made after the operation it
//! tells of has been written (and logged); making it never undoes that
//! operation. A mail that cannot be sent is retried, then given up with its
//! error, which the administrator sees.

use serde::{Deserialize, Serialize};

use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// A notice to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub user_id: i64,
    /// What it is about: ack_request, training_assigned, training_due,
    /// approval_requested, approval_decided, …
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// The page it links to (a path such as `/acknowledgements`).
    pub link: String,
    /// A key that keeps the same reminder from being made twice.
    pub dedup: Option<String>,
}

/// A notice as its reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A mail of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OutboxMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// pending, sent, failed.
    pub state: String,
    pub attempts: i64,
    pub last_error: String,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    pub created_at: String,
}

/// How many times a mail is tried before it is given up.
pub const MAX_ATTEMPTS: i64 = 6;

const MAIL_COLUMNS: &str = "SELECT id, recipient, subject, body, state, attempts, last_error, next_attempt_at, \
     sent_at, created_at FROM mail_outbox";

impl Store {
    /// Makes notices (a reminder already made under its key is skipped) and,
    /// when `mail` is set, queues a mail for each new notice whose person has
    /// an e-mail address. Returns how many notices were made.
    pub async fn add_notices(&self, notices: &[NewNotice], mail: bool) -> Result<u64, StoreError> {
        if notices.is_empty() {
            return Ok(0);
        }
        let batch = crate::tokens::random_token();
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let mut made = 0_u64;
        for chunk in notices.chunks(500) {
            made += tx_run!(&mut tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO notices (user_id, kind, subject, body, link, dedup, batch, created_at) ",
                );
                qb.push_values(chunk, |mut b, n| {
                    b.push_bind(n.user_id)
                        .push_bind(n.kind.clone())
                        .push_bind(n.subject.clone())
                        .push_bind(n.body.clone())
                        .push_bind(n.link.clone())
                        .push_bind(n.dedup.clone())
                        .push_bind(batch.clone())
                        .push_bind(now.clone());
                });
                qb.push(" ON CONFLICT (user_id, dedup) DO NOTHING");
                qb.build().execute(&mut *c).await?.rows_affected()
            });
        }
        if mail && made > 0 {
            queue_mail(&mut tx, &batch, &now).await?;
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Makes one notice per person a set-based query names, in one statement
    /// (an acknowledgement campaign of the whole city, the daily reminders).
    /// `kind`, `subject`, `body` and `link` are the same for each; `subject`
    /// is followed by the text `detail_sql` selects (a course's title …) and
    /// the dedup key is `dedup_prefix` followed by `dedup_sql`.
    async fn add_notices_for(&self, what: &NoticesFor<'_>, mail: bool) -> Result<u64, StoreError> {
        let batch = crate::tokens::random_token();
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let sql = format!(
            "INSERT INTO notices (user_id, kind, subject, body, link, dedup, batch, created_at) \
             SELECT x.user_id, $1, $2 || x.detail, $3, $4, $5 || x.dedup, $6, $7 FROM ({}) x \
             WHERE true ON CONFLICT (user_id, dedup) DO NOTHING",
            what.select
        );
        let made = tx_run!(&mut tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(what.kind)
                .bind(what.subject)
                .bind(what.body)
                .bind(what.link)
                .bind(what.dedup_prefix)
                .bind(&batch)
                .bind(&now);
            for b in what.binds {
                q = q.bind(b.clone());
            }
            q.execute(&mut *c).await?.rows_affected()
        });
        if mail && made > 0 {
            queue_mail(&mut tx, &batch, &now).await?;
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Tells everyone asked by an acknowledgement campaign and not yet
    /// confirmed that they are asked (once per campaign and person).
    pub async fn notify_ack_campaign(
        &self,
        campaign_id: i64,
        subject: &str,
        body: &str,
        mail: bool,
    ) -> Result<u64, StoreError> {
        self.add_notices_for(
            &NoticesFor {
                kind: "ack_request",
                subject,
                body,
                link: "/acknowledgements",
                dedup_prefix: "ack:",
                select: "SELECT r.user_id, '' AS detail, CAST(r.campaign_id AS TEXT) AS dedup FROM ack_requests r \
                         WHERE r.campaign_id = CAST($8 AS BIGINT) AND r.confirmed_at IS NULL",
                binds: &[campaign_id.to_string()],
            },
            mail,
        )
        .await
    }

    /// Tells everyone a training assignment asks that they are asked.
    pub async fn notify_training_assignment(
        &self,
        assignment_id: i64,
        subject: &str,
        body: &str,
        mail: bool,
    ) -> Result<u64, StoreError> {
        self.add_notices_for(
            &NoticesFor {
                kind: "training_assigned",
                subject,
                body,
                link: "/training",
                dedup_prefix: "training:",
                select: "SELECT r.user_id, c.title AS detail, CAST(r.assignment_id AS TEXT) AS dedup \
                         FROM training_requests r JOIN training_assignments a ON a.id = r.assignment_id \
                         JOIN training_courses c ON c.id = a.course_id \
                         WHERE r.assignment_id = CAST($8 AS BIGINT) AND r.completed_on IS NULL",
                binds: &[assignment_id.to_string()],
            },
            mail,
        )
        .await
    }

    /// The day's reminders: trainings due by `soon` (a date) and not done,
    /// acknowledgements due by `soon` and not confirmed, each once per
    /// person, request and due date. Returns how many were made.
    pub async fn remind_due(&self, soon: &str, mail: bool) -> Result<u64, StoreError> {
        let trainings = self
            .add_notices_for(
                &NoticesFor {
                    kind: "training_due",
                    subject: "研修の期限が近づいています: ",
                    body: "受講期限が近い（または過ぎた）研修があります。研修のページで確認してください。",
                    link: "/training",
                    dedup_prefix: "training-due:",
                    select: "SELECT r.user_id, c.title AS detail, \
                             CAST(r.assignment_id AS TEXT) || ':' || r.due_on AS dedup \
                             FROM training_requests r JOIN training_assignments a ON a.id = r.assignment_id \
                             JOIN training_courses c ON c.id = a.course_id \
                             WHERE r.completed_on IS NULL AND r.due_on <= $8",
                    binds: &[soon.to_string()],
                },
                mail,
            )
            .await?;
        let acks = self
            .add_notices_for(
                &NoticesFor {
                    kind: "ack_due",
                    subject: "確認の期限が近づいています: ",
                    body: "期限が近い（または過ぎた）確認依頼があります。確認のページで確認してください。",
                    link: "/acknowledgements",
                    dedup_prefix: "ack-due:",
                    select: "SELECT r.user_id, k.title AS detail, CAST(r.campaign_id AS TEXT) AS dedup \
                             FROM ack_requests r JOIN ack_campaigns k ON k.id = r.campaign_id \
                             WHERE r.confirmed_at IS NULL AND k.due_on IS NOT NULL AND k.due_on <= $8",
                    binds: &[soon.to_string()],
                },
                mail,
            )
            .await?;
        Ok(trainings + acks)
    }

    /// A person's notices, newest first (`unread`: only those not yet read).
    pub async fn notices_of(
        &self,
        user_id: i64,
        unread: bool,
        page: PageRequest,
    ) -> Result<Page<Notice>, StoreError> {
        let only = if unread { " AND read_at IS NULL" } else { "" };
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<Notice> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, kind, subject, body, link, created_at, read_at FROM notices \
                 WHERE user_id = $1{only} ORDER BY id DESC LIMIT $2 OFFSET $3"
            )))
            .bind(user_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM notices WHERE user_id = $1{only}"
            )))
            .bind(user_id)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Marks a person's notice read (`None`: all of them). Another person's
    /// notice is not found.
    pub async fn mark_notices_read(
        &self,
        user_id: i64,
        id: Option<i64>,
    ) -> Result<u64, StoreError> {
        let now = now_rfc3339();
        let n = db_run!(&self.db, |pool| {
            match id {
                Some(id) => sqlx::query(
                    "UPDATE notices SET read_at = COALESCE(read_at, $3) WHERE user_id = $1 AND id = $2",
                )
                .bind(user_id)
                .bind(id)
                .bind(&now)
                .execute(pool)
                .await?
                .rows_affected(),
                None => sqlx::query(
                    "UPDATE notices SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                )
                .bind(user_id)
                .bind(&now)
                .execute(pool)
                .await?
                .rows_affected(),
            }
        });
        if let (Some(id), 0) = (id, n) {
            return Err(StoreError::not_found("notice", id));
        }
        Ok(n)
    }

    /// The active users who hold one of `roles` for one of `units` on `on`
    /// (guideline roles, 第5), and, when `system_roles` is given, those who
    /// hold one of those Mamori roles (the security office …).
    pub async fn role_holders(
        &self,
        units: &[i64],
        roles: &[&str],
        system_roles: &[&str],
        on: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let units = units.to_vec();
        let roles: Vec<String> = roles.iter().map(|r| (*r).to_string()).collect();
        let system_roles: Vec<String> = system_roles.iter().map(|r| (*r).to_string()).collect();
        Ok(db_run!(&self.db, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT DISTINCT u.id FROM users u WHERE u.active AND (u.id IN (SELECT ra.user_id FROM role_assignments ra \
                 WHERE ra.starts_on <= ",
            );
            qb.push_bind(on.to_string())
                .push(" AND (ra.ends_on IS NULL OR ra.ends_on >= ")
                .push_bind(on.to_string())
                .push(") AND ra.unit_id IN (");
            let mut sep = qb.separated(", ");
            sep.push_bind(-1_i64);
            for u in &units {
                sep.push_bind(*u);
            }
            qb.push(") AND ra.role IN (");
            let mut sep = qb.separated(", ");
            sep.push_bind(String::new());
            for r in &roles {
                sep.push_bind(r.clone());
            }
            qb.push(")) OR u.id IN (SELECT ur.user_id FROM user_roles ur WHERE ur.role IN (");
            let mut sep = qb.separated(", ");
            sep.push_bind(String::new());
            for r in &system_roles {
                sep.push_bind(r.clone());
            }
            qb.push("))) ORDER BY u.id");
            qb.build_query_scalar().fetch_all(pool).await?
        }))
    }

    /// The mails due for a try at `now`, oldest first.
    pub async fn due_mail(&self, now: &str, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{MAIL_COLUMNS} WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
            )))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records a mail as sent.
    pub async fn mail_sent(&self, id: i64) -> Result<(), StoreError> {
        let now = now_rfc3339();
        db_run!(&self.db, |pool| {
            sqlx::query(
                "UPDATE mail_outbox SET state = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1",
            )
            .bind(id)
            .bind(&now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records a failed try: retried at `retry_at`, or given up (state
    /// failed, with an event in the log) after [`MAX_ATTEMPTS`].
    pub async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        let attempts: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 \
                 WHERE id = $1 RETURNING attempts",
            )
            .bind(id)
            .bind(error)
            .bind(retry_at)
            .fetch_one(&mut *c)
            .await?
        });
        let given_up = attempts >= MAX_ATTEMPTS;
        if given_up {
            tx_run!(&mut tx, |c| {
                sqlx::query("UPDATE mail_outbox SET state = 'failed' WHERE id = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            });
            let after = serde_json::json!({ "id": id, "attempts": attempts, "error": error });
            tx.append_event(
                &Actor::System("mail"),
                Entity::Mail,
                id,
                Verb::Failure,
                None::<&()>,
                Some(&after),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(given_up)
    }

    /// The outbox for the administrator: `state` pending, sent or failed
    /// (None: all), newest first.
    pub async fn list_mail(
        &self,
        state: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<OutboxMail>, StoreError> {
        let state = state.map(str::to_string);
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<OutboxMail> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{MAIL_COLUMNS} WHERE (CAST($1 AS TEXT) IS NULL OR state = $1) ORDER BY id DESC LIMIT $2 OFFSET $3"
            )))
            .bind(state.clone())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM mail_outbox WHERE (CAST($1 AS TEXT) IS NULL OR state = $1)",
            )
            .bind(state.clone())
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// Puts a failed mail back in the queue (the administrator's retry),
    /// with an event.
    pub async fn retry_mail(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        let n = tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE mail_outbox SET state = 'pending', attempts = 0, next_attempt_at = $2 \
                 WHERE id = $1 AND state = 'failed'",
            )
            .bind(id)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::not_found("mail", id));
        }
        tx.append_event(
            actor,
            Entity::Mail,
            id,
            Verb::Update,
            None::<&()>,
            Some(&serde_json::json!({ "id": id, "state": "pending" })),
        )
        .await?;
        tx.commit().await
    }
}

/// A set of notices made by one query (see `Store::add_notices_for`). The
/// query selects `user_id`, `detail` and `dedup`; its own parameters start
/// at `$8`.
struct NoticesFor<'a> {
    kind: &'a str,
    subject: &'a str,
    body: &'a str,
    link: &'a str,
    dedup_prefix: &'a str,
    select: &'a str,
    binds: &'a [String],
}

/// Queues a mail for each notice of `batch` whose person has an address.
async fn queue_mail(tx: &mut crate::Tx, batch: &str, now: &str) -> Result<(), StoreError> {
    tx_run!(tx, |c| {
        sqlx::query(
            "INSERT INTO mail_outbox (notice_id, recipient, subject, body, state, attempts, last_error, \
             next_attempt_at, created_at) SELECT n.id, u.email, n.subject, n.body, 'pending', 0, '', $2, $2 \
             FROM notices n JOIN users u ON u.id = n.user_id \
             WHERE n.batch = $1 AND u.email IS NOT NULL AND u.email <> '' AND u.active",
        )
        .bind(batch)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
