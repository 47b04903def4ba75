//! Users, their system roles, passwords and the throttling of failed sign-ins.

use crate::events::{Entity, Verb};
use mamori_core::org::SystemRole;
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;
use std::collections::HashMap;

use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, passwords, tx_run};

/// A user as shown and logged (never with its password hash).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub unit_id: Option<i64>,
    pub active: bool,
    pub must_change_password: bool,
    pub roles: Vec<String>,
    /// The employment type code (see `mamori_core::org::EmploymentType`).
    #[serde(default = "default_employment_type")]
    pub employment_type: String,
    /// 職名 (e.g. 課長, 主事).
    #[serde(default)]
    pub position: String,
    /// 職員番号: the HR system's number, by which an import finds the person again.
    #[serde(default)]
    pub staff_number: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn default_employment_type() -> String {
    "regular".to_string()
}

impl User {
    pub fn has_role(&self, role: SystemRole) -> bool {
        self.roles.iter().any(|r| r == role.code())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    unit_id: Option<i64>,
    active: bool,
    must_change_password: bool,
    employment_type: String,
    position: String,
    staff_number: Option<String>,
    created_at: String,
    updated_at: String,
}

impl UserRow {
    fn with_roles(self, roles: Vec<String>) -> User {
        User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            email: self.email,
            unit_id: self.unit_id,
            active: self.active,
            must_change_password: self.must_change_password,
            roles,
            employment_type: self.employment_type,
            position: self.position,
            staff_number: self.staff_number,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

macro_rules! select_users {
    ($rest:literal) => {
        concat!(
            "SELECT id, username, display_name, email, unit_id, active, must_change_password, employment_type, position, staff_number, created_at, updated_at FROM users ",
            $rest
        )
    };
}

/// What is needed to create a user.
#[derive(Debug, Clone, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub unit_id: Option<i64>,
    pub roles: Vec<SystemRole>,
    pub password: String,
    /// Ask the user to choose a new password at first sign-in.
    pub must_change_password: bool,
}

/// Changes to a user's profile (None leaves a field as it is).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub unit_id: Option<Option<i64>>,
    pub roles: Option<Vec<SystemRole>>,
    pub active: Option<bool>,
}

/// The result of a sign-in attempt.
// Made once per sign-in and matched at once: boxing the user would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    Ok(User),
    /// Wrong user name or password (the two are not told apart).
    Rejected,
    /// Too many failures for this user name from this address: the password was not
    /// checked; the next attempt is checked after this many seconds.
    Throttled {
        retry_after_secs: u64,
    },
}

/// Attempts for one user name from one client address that are checked without
/// waiting. Each attempt is counted before its password is checked; a success
/// clears the count.
pub const FREE_ATTEMPTS: i64 = 5;
/// The wait after the last free attempt (milliseconds); each further attempt
/// doubles it, up to [`MAX_WAIT_MS`].
pub const FIRST_WAIT_MS: i64 = 30_000;
/// The longest wait between two attempts (30 minutes).
pub const MAX_WAIT_MS: i64 = 30 * 60_000;
/// Failures are forgotten this long after the last attempt (24 hours).
pub const THROTTLE_FORGET_MS: i64 = 24 * 3_600_000;

/// Counts one attempt for a (user name, address) and sets when the next may come, in
/// one statement, unless the wait after the previous attempt has not passed (then
/// nothing is written and no row is returned). Parallel attempts are counted one
/// by one by the database (the row is locked on PostgreSQL, the file on SQLite), so
/// no more than [`FREE_ATTEMPTS`] get through at once.
const RESERVE_ATTEMPT: &str = "\
INSERT INTO login_throttle (username, remote, failures, wait_ms, next_at_ms, last_at_ms) \
VALUES ($1, $2, 1, $3, $4 + $3, $4) \
ON CONFLICT (username, remote) DO UPDATE SET \
  failures = login_throttle.failures + 1, \
  wait_ms = CASE WHEN login_throttle.failures + 1 < $5 THEN 0 \
    WHEN login_throttle.wait_ms = 0 THEN $6 \
    WHEN login_throttle.wait_ms * 2 > $7 THEN $7 \
    ELSE login_throttle.wait_ms * 2 END, \
  next_at_ms = $4 + CASE WHEN login_throttle.failures + 1 < $5 THEN 0 \
    WHEN login_throttle.wait_ms = 0 THEN $6 \
    WHEN login_throttle.wait_ms * 2 > $7 THEN $7 \
    ELSE login_throttle.wait_ms * 2 END, \
  last_at_ms = $4 \
WHERE login_throttle.next_at_ms <= $4 \
RETURNING failures";

/// Now, in Unix milliseconds (the throttle's clock).
pub(crate) fn unix_ms_now() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

/// A unique-constraint violation as the problem given; other errors as they are.
pub(crate) fn unique_as(e: StoreError, problem: Problem) -> StoreError {
    match e.on_unique(String::new()) {
        StoreError::Conflict(_) => StoreError::Rejected(problem),
        other => other,
    }
}

/// A unit named by a form or a request that does not exist.
pub(crate) fn no_unit(id: i64) -> StoreError {
    Problem::new("MAMORI-UNIT-NO-SUCH")
        .field("unit_id")
        .with("id", id)
        .into()
}

pub(crate) fn valid_username(username: &str) -> bool {
    !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// A person's name as entered: trimmed, not empty, one line without control
/// or bidirectional-override characters.
pub(crate) fn checked_display_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Problem::new("MAMORI-USER-DISPLAY-NAME-EMPTY")
            .field("display_name")
            .into());
    }
    crate::checks::line("display_name", "氏名", "name", name)?;
    Ok(name.to_string())
}

/// An e-mail address as entered: trimmed, empty meaning none, otherwise a
/// valid address.
pub(crate) fn checked_email(email: Option<String>) -> Result<Option<String>, StoreError> {
    let Some(email) = email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
    else {
        return Ok(None);
    };
    if !mamori_core::text::is_email(&email) {
        return Err(Problem::new("MAMORI-USER-EMAIL-INVALID")
            .field("email")
            .into());
    }
    Ok(Some(email))
}

/// A person as shown: name, user name and unit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PersonName {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_name: Option<String>,
    pub unit_name_en: Option<String>,
}

impl Store {
    /// Creates a user with a password (hashed with argon2id).
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User, StoreError> {
        let username = new.username.trim().to_string();
        if !valid_username(&username) {
            return Err(Problem::new("MAMORI-USER-NAME-INVALID")
                .field("username")
                .into());
        }
        let display_name = checked_display_name(&new.display_name)?;
        passwords::check_strength(&new.password, &username)?;
        if let Some(unit_id) = new.unit_id {
            self.unit(unit_id).await.map_err(|_| no_unit(unit_id))?;
        }
        let hash = hash_blocking(new.password.clone()).await?;
        let now = now_rfc3339();
        let email = checked_email(new.email)?;
        let mut tx = self.db.begin().await?;
        let inserted: Result<i64, StoreError> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO users (username, display_name, email, unit_id, password_hash, active, must_change_password, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $7) RETURNING id",
            )
            .bind(&username)
            .bind(&display_name)
            .bind(&email)
            .bind(new.unit_id)
            .bind(&hash)
            .bind(new.must_change_password)
            .bind(&now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from)
        });
        let id = inserted.map_err(|e| {
            unique_as(
                e,
                Problem::new("MAMORI-USER-NAME-TAKEN")
                    .field("username")
                    .with("username", &username),
            )
        })?;
        let mut roles: Vec<SystemRole> = new.roles;
        roles.sort();
        roles.dedup();
        for role in &roles {
            tx_run!(&mut tx, |c| {
                sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role.code())
                    .execute(&mut *c)
                    .await?;
            });
        }
        let user = User {
            id,
            username,
            display_name,
            email,
            unit_id: new.unit_id,
            active: true,
            must_change_password: new.must_change_password,
            roles: roles.iter().map(|r| r.code().to_string()).collect(),
            employment_type: default_employment_type(),
            position: String::new(),
            staff_number: None,
            created_at: now.clone(),
            updated_at: now,
        };
        tx.append_event(
            actor,
            Entity::User,
            id,
            Verb::Create,
            None::<&User>,
            Some(&user),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// One user by id.
    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let row: Option<UserRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_users!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let row = row.ok_or_else(|| StoreError::not_found("user", id))?;
        Ok(self.attach_roles(vec![row]).await?.remove(0))
    }

    /// One user by user name.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_users!("WHERE username = $1"))
                .bind(username)
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some(row) => Ok(Some(self.attach_roles(vec![row]).await?.remove(0))),
            None => Ok(None),
        }
    }

    /// The names of these users and of their units, in one query: for showing
    /// a person (the log's actors) by name rather than by number.
    pub async fn user_names(&self, ids: &[i64]) -> Result<Vec<PersonName>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<PersonName> = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT u.id, u.username, u.display_name, n.name AS unit_name, n.name_en AS unit_name_en \
                 FROM users u LEFT JOIN units n ON n.id = u.unit_id WHERE u.id IN (",
            );
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// Users ordered by user name, optionally filtered by a text in the user name or
    /// display name.
    pub async fn list_users(
        &self,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError> {
        self.list_users_in(q, None, page).await
    }

    /// [`Store::list_users`] limited to the members of `units` (None: everyone),
    /// for a manager who may see the staff of some units only.
    pub async fn list_users_in(
        &self,
        q: Option<&str>,
        units: Option<&[i64]>,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError> {
        self.list_users_sorted(q, units, UserSort::default(), page)
            .await
    }

    // --- h17ui ---
    /// [`Store::list_users_in`] in the order asked (a whitelisted key, the id
    /// breaking ties).
    pub async fn list_users_sorted(
        &self,
        q: Option<&str>,
        units: Option<&[i64]>,
        sort: UserSort,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError> {
        let dir = if sort.descending { "DESC" } else { "ASC" };
        let order = format!(" ORDER BY {} {dir}, id {dir} LIMIT ", sort.key.sql());
        let pattern = format!("%{}%", q.unwrap_or("").trim().to_lowercase());
        let (rows, total) = db_run!(&self.db, |pool| {
            let filter = |qb: &mut QueryBuilder<_>| {
                qb.push(" WHERE (LOWER(username) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" OR LOWER(display_name) LIKE ")
                    .push_bind(pattern.clone())
                    .push(")");
                if let Some(units) = units {
                    qb.push(" AND unit_id IN (-1");
                    for id in units {
                        qb.push(", ").push_bind(*id);
                    }
                    qb.push(")");
                }
            };
            let mut qb = QueryBuilder::new(select_users!(""));
            filter(&mut qb);
            qb.push(order.as_str())
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let rows: Vec<UserRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM users");
            filter(&mut qb);
            let total: i64 = qb.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok(Page {
            items: self.attach_roles(rows).await?,
            total,
        })
    }

    /// Loads the roles of many users in one query.
    async fn attach_roles(&self, rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let pairs: Vec<(i64, String)> = db_run!(&self.db, |pool| {
            let mut qb =
                QueryBuilder::new("SELECT user_id, role FROM user_roles WHERE user_id IN (");
            let mut sep = qb.separated(", ");
            for id in &ids {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY user_id, role");
            qb.build_query_as().fetch_all(pool).await?
        });
        let mut by_user: HashMap<i64, Vec<String>> = HashMap::new();
        for (uid, role) in pairs {
            by_user.entry(uid).or_default().push(role);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let roles = by_user.remove(&r.id).unwrap_or_default();
                r.with_roles(roles)
            })
            .collect())
    }

    /// Updates a user's profile, roles or active flag. Deactivating ends every session
    /// and API token of the user (the trigger `users_end_sessions` of migration 0014).
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        update: UserUpdate,
    ) -> Result<User, StoreError> {
        let before = self.user(id).await?;
        let mut after = before.clone();
        if let Some(name) = update.display_name {
            after.display_name = checked_display_name(&name)?;
        }
        if let Some(email) = update.email {
            after.email = checked_email(email)?;
        }
        if let Some(unit_id) = update.unit_id {
            if let Some(uid) = unit_id {
                self.unit(uid).await.map_err(|_| no_unit(uid))?;
            }
            after.unit_id = unit_id;
        }
        if let Some(active) = update.active {
            after.active = active;
        }
        if let Some(mut roles) = update.roles {
            roles.sort();
            roles.dedup();
            after.roles = roles.iter().map(|r| r.code().to_string()).collect();
        }
        after.updated_at = now_rfc3339();
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE users SET display_name = $1, email = $2, unit_id = $3, active = $4, updated_at = $5 WHERE id = $6",
            )
            .bind(&after.display_name)
            .bind(&after.email)
            .bind(after.unit_id)
            .bind(after.active)
            .bind(&after.updated_at)
            .bind(id)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            for role in &after.roles {
                sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role)
                    .execute(&mut *c)
                    .await?;
            }
            if !after.active {
                sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            }
        });
        tx.append_event(
            actor,
            Entity::User,
            id,
            Verb::Update,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a new password. `must_change` asks the user to choose another at next sign-in
    /// (an administrator's reset); a user choosing their own clears it. Every session
    /// and API token of the user ends (the trigger `users_end_sessions` of migration
    /// 0014; a user who changed their own password keeps their session under a new id,
    /// see the web layer).
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: i64,
        password: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let user = self.user(id).await?;
        passwords::check_strength(password, &user.username)?;
        let hash = hash_blocking(password.to_string()).await?;
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(&hash)
            .bind(must_change)
            .bind(now_rfc3339())
            .bind(id)
            .execute(&mut *c)
            .await?;
            // A new password ends every API token of the user.
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        });
        let what =
            serde_json::json!({ "password": "changed", "must_change_password": must_change });
        tx.append_event(
            actor,
            Entity::User,
            id,
            Verb::Password,
            None::<&()>,
            Some(&what),
        )
        .await?;
        tx.commit().await
    }

    /// Takes one attempt for a user name from an address (see [`RESERVE_ATTEMPT`]):
    /// None when it may be checked, else the milliseconds left to wait.
    async fn reserve_attempt(&self, key: &str, remote: &str) -> Result<Option<i64>, StoreError> {
        let now = unix_ms_now();
        let first_wait = if FREE_ATTEMPTS > 1 { 0 } else { FIRST_WAIT_MS };
        let (taken, next_at): (Option<i64>, Option<i64>) = db_run!(&self.db, |pool| {
            sqlx::query(
                "DELETE FROM login_throttle WHERE username = $1 AND remote = $2 AND last_at_ms < $3",
            )
            .bind(key)
            .bind(remote)
            .bind(now - THROTTLE_FORGET_MS)
            .execute(pool)
            .await?;
            let taken: Option<i64> = sqlx::query_scalar(RESERVE_ATTEMPT)
                .bind(key)
                .bind(remote)
                .bind(first_wait)
                .bind(now)
                .bind(FREE_ATTEMPTS)
                .bind(FIRST_WAIT_MS)
                .bind(MAX_WAIT_MS)
                .fetch_optional(pool)
                .await?;
            let next_at: Option<i64> = if taken.is_none() {
                sqlx::query_scalar(
                    "SELECT next_at_ms FROM login_throttle WHERE username = $1 AND remote = $2",
                )
                .bind(key)
                .bind(remote)
                .fetch_optional(pool)
                .await?
            } else {
                None
            };
            (taken, next_at)
        });
        Ok(match taken {
            Some(_) => None,
            None => Some(next_at.map_or(1000, |n| (n - now).max(1000))),
        })
    }

    /// Checks a user name and password. Attempts are throttled per user name and
    /// client address: [`FREE_ATTEMPTS`] at once, then a wait that doubles with each
    /// failure, so that an attacker at one address is slowed while the user signs in
    /// from another. Every attempt is recorded in the event log.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        remote: &str,
    ) -> Result<SignIn, StoreError> {
        let username = username.trim();
        // A name that cannot be a user's shares one key (and never fills the table).
        let key = if valid_username(username) {
            username
        } else {
            "(invalid)"
        };
        if let Some(wait_ms) = self.reserve_attempt(key, remote).await? {
            let retry_after_secs = u64::try_from(wait_ms).unwrap_or(1000).div_ceil(1000).max(1);
            let mut tx = self.db.begin().await?;
            let info = serde_json::json!({
                "remote": remote,
                "outcome": "throttled",
                "retry_after_secs": retry_after_secs,
            });
            tx.append_event(
                &Actor::System("auth"),
                Entity::SignIn,
                username,
                Verb::Throttled,
                None::<&()>,
                Some(&info),
            )
            .await?;
            tx.commit().await?;
            return Ok(SignIn::Throttled { retry_after_secs });
        }
        let found: Option<(i64, Option<String>, bool)> = db_run!(&self.db, |pool| {
            sqlx::query_as("SELECT id, password_hash, active FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(pool)
                .await?
        });
        let stored = found
            .as_ref()
            .and_then(|(_, h, active)| if *active { h.clone() } else { None });
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || passwords::verify(&pw, stored.as_deref()))
            .await
            .map_err(|e| StoreError::Internal(format!("password check failed: {e}")))?;
        let mut tx = self.db.begin().await?;
        let info =
            serde_json::json!({ "remote": remote, "outcome": if ok { "ok" } else { "rejected" } });
        match (ok, found) {
            (true, Some((id, _, _))) => {
                tx_run!(&mut tx, |c| {
                    sqlx::query("DELETE FROM login_throttle WHERE username = $1 AND remote = $2")
                        .bind(key)
                        .bind(remote)
                        .execute(&mut *c)
                        .await?;
                });
                let actor = Actor::User {
                    id,
                    username: username.to_string(),
                };
                tx.append_event(
                    &actor,
                    Entity::SignIn,
                    username,
                    Verb::Success,
                    None::<&()>,
                    Some(&info),
                )
                .await?;
                tx.commit().await?;
                Ok(SignIn::Ok(self.user(id).await?))
            }
            _ => {
                // Already counted by reserve_attempt.
                tx.append_event(
                    &Actor::System("auth"),
                    Entity::SignIn,
                    username,
                    Verb::Failure,
                    None::<&()>,
                    Some(&info),
                )
                .await?;
                tx.commit().await?;
                Ok(SignIn::Rejected)
            }
        }
    }

    /// Records that a person signed out (their session has ended).
    pub async fn record_sign_out(&self, actor: &Actor, username: &str) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        tx.append_event(
            actor,
            Entity::SignIn,
            username,
            Verb::SignOut,
            None::<&()>,
            None::<&()>,
        )
        .await?;
        tx.commit().await
    }

    /// Makes sure the administrator account exists. Returns the password when a new
    /// one was made up (to print once), None when the account existed or the given
    /// password was used.
    pub async fn ensure_admin(&self, password: Option<&str>) -> Result<Option<String>, StoreError> {
        if self.user_by_name("admin").await?.is_some() {
            return Ok(None);
        }
        let (password, generated) = match password {
            Some(p) => (p.to_string(), false),
            None => (passwords::random_password(), true),
        };
        self.create_user(
            &Actor::System("setup"),
            NewUser {
                username: "admin".into(),
                display_name: "システム管理者".into(),
                email: None,
                unit_id: None,
                roles: vec![SystemRole::Admin, SystemRole::SecurityOfficer],
                password: password.clone(),
                must_change_password: false,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Rejected(p) if p.field.as_deref() == Some("password") => {
                StoreError::Rejected(p.field("MAMORI_ADMIN_PASSWORD"))
            }
            other => other,
        })?;
        Ok(generated.then_some(password))
    }
}

async fn hash_blocking(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(|e| StoreError::Internal(format!("password hashing failed: {e}")))?
}

// --- h17ui ---
/// What the list of users can be sorted by: whitelisted, each a fixed SQL
/// expression (the user's text never reaches the ORDER BY).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSortKey {
    #[default]
    Username,
    DisplayName,
    /// The unit's name.
    Unit,
}

impl UserSortKey {
    pub const ALL: [UserSortKey; 3] = [
        UserSortKey::Username,
        UserSortKey::DisplayName,
        UserSortKey::Unit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UserSortKey::Username => "username",
            UserSortKey::DisplayName => "display_name",
            UserSortKey::Unit => "unit",
        }
    }

    /// The key of a code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<UserSortKey> {
        UserSortKey::ALL.into_iter().find(|k| k.code() == code)
    }

    fn sql(self) -> &'static str {
        match self {
            UserSortKey::Username => "username",
            UserSortKey::DisplayName => "display_name",
            UserSortKey::Unit => {
                "COALESCE((SELECT n.name FROM units n WHERE n.id = users.unit_id), '')"
            }
        }
    }
}

/// The order of the list of users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserSort {
    pub key: UserSortKey,
    pub descending: bool,
}
