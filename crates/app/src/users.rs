//! The people who use Mamori: their accounts and system roles, passwords,
//! signing in and out (throttled per user name and address, every attempt in
//! the event log), and the API's bearer tokens.

use mamori_authz::Action;
use mamori_core::org::SystemRole;
use mamori_core::problem::Problem;
use mamori_store::users::{NewUser, SignIn, User, UserUpdate};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What a request for an API token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenGrant {
    /// The token, to send as `Authorization: Bearer TOKEN`.
    Issued(String),
    /// Wrong user name or password (the two are not told apart).
    Rejected,
    /// Too many failures from this address for this user name.
    Throttled { retry_after_secs: u64 },
}

/// What a person's change of their own password came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// Changed: every other session and token of the person has ended.
    Changed,
    /// The current password given was wrong.
    WrongCurrent,
    /// Too many failures: the current password was not checked.
    Throttled { retry_after_secs: u64 },
}

impl App {
    /// The users (by user name, optionally those whose user name or name holds
    /// `q`): everyone for those who may read users, the staff of their own
    /// units for a unit's 情報セキュリティ管理者 or 責任者, forbidden otherwise.
    pub async fn users(
        &self,
        caller: &Caller,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<User>> {
        let scope = self.person_scope(caller).await?;
        if scope.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::Forbidden);
        }
        Ok(self
            .facts()
            .list_users_in(q, scope.as_deref(), page)
            .await?)
    }

    // --- h17ui ---
    /// [`App::users`] in the order asked.
    pub async fn users_sorted(
        &self,
        caller: &Caller,
        q: Option<&str>,
        sort: mamori_store::users::UserSort,
        page: PageRequest,
    ) -> Result<Page<User>> {
        let scope = self.person_scope(caller).await?;
        if scope.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::Forbidden);
        }
        Ok(self
            .facts()
            .list_users_sorted(q, scope.as_deref(), sort, page)
            .await?)
    }

    /// One user: oneself, or anyone for those who may read users.
    pub async fn user(&self, caller: &Caller, id: i64) -> Result<User> {
        if caller.user.id != id {
            self.permit_app(caller, Action::ReadUsers)?;
        }
        Ok(self.facts().user(id).await?)
    }

    /// A user whose account the caller may change (for the edit form).
    pub async fn managed_user(&self, caller: &Caller, id: i64) -> Result<User> {
        let permit = self.permit_app(caller, Action::ManageUsers)?;
        Ok(permit.store().user(id).await?)
    }

    /// Whether the caller may create and change accounts (for a page's buttons).
    pub fn may_manage_users(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManageUsers)
    }

    /// Whether the caller may open the form for a new account (forbidden otherwise).
    pub fn may_create_user(&self, caller: &Caller) -> Result<()> {
        self.permit_app(caller, Action::ManageUsers).map(|_| ())
    }

    /// Creates an account.
    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> Result<User> {
        let permit = self.permit_app(caller, Action::ManageUsers)?;
        Ok(permit.store().create_user(permit.actor(), new).await?)
    }

    /// Changes an account (a field left `None` stays). Nobody may deactivate
    /// themselves or take away their own administrator role.
    pub async fn update_user(&self, caller: &Caller, id: i64, update: UserUpdate) -> Result<User> {
        let permit = self.permit_app(caller, Action::ManageUsers)?;
        if id == caller.user.id {
            let drops_admin = caller.user.has_role(SystemRole::Admin)
                && update
                    .roles
                    .as_ref()
                    .is_some_and(|r| !r.contains(&SystemRole::Admin));
            if update.active == Some(false) || drops_admin {
                let field = if drops_admin { "roles" } else { "active" };
                return Err(Problem::new("MAMORI-USER-SELF-LOCKOUT").field(field).into());
            }
        }
        Ok(permit
            .store()
            .update_user(permit.actor(), id, update)
            .await?)
    }

    /// Sets a new password for someone, which they must change at next sign-in;
    /// their sessions and tokens end.
    pub async fn reset_password(&self, caller: &Caller, id: i64, password: &str) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageUsers)?;
        Ok(permit
            .store()
            .set_password(permit.actor(), id, password, true)
            .await?)
    }

    /// Checks a user name and password from an address: throttled per (user
    /// name, address), every attempt recorded in the event log.
    pub async fn sign_in(&self, username: &str, password: &str, remote: &str) -> Result<SignIn> {
        Ok(self
            .system("auth")
            .store()
            .sign_in(username, password, remote)
            .await?)
    }

    /// A bearer token for a user name and password (valid 12 hours), issued
    /// and logged as the person's own act.
    pub async fn api_token(
        &self,
        username: &str,
        password: &str,
        remote: &str,
    ) -> Result<TokenGrant> {
        Ok(match self.sign_in(username, password, remote).await? {
            SignIn::Ok(user) => TokenGrant::Issued(
                self.system("auth")
                    .store()
                    .issue_token(user.id, &user.username)
                    .await?,
            ),
            SignIn::Rejected => TokenGrant::Rejected,
            SignIn::Throttled { retry_after_secs } => TokenGrant::Throttled { retry_after_secs },
        })
    }

    /// The person a bearer token signs in, when it is valid and they are active.
    pub async fn token_caller(&self, token: &str) -> Result<Option<Caller>> {
        match self.facts().user_for_token(token).await? {
            Some(uid) => self.caller(uid).await,
            None => Ok(None),
        }
    }

    /// A person changes their own password, giving the current one (checked
    /// and throttled as a sign-in). The new one must follow the rules.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        remote: &str,
    ) -> Result<PasswordChange> {
        Ok(
            match self.sign_in(&caller.user.username, current, remote).await? {
                SignIn::Ok(_) => {
                    self.system("auth")
                        .store()
                        .set_password(&caller.actor(), caller.user.id, new, false)
                        .await?;
                    PasswordChange::Changed
                }
                SignIn::Rejected => PasswordChange::WrongCurrent,
                SignIn::Throttled { retry_after_secs } => {
                    PasswordChange::Throttled { retry_after_secs }
                }
            },
        )
    }

    /// Records that a person signed out (the web layer ends the session).
    pub async fn sign_out(&self, caller: &Caller) -> Result<()> {
        Ok(self
            .system("auth")
            .store()
            .record_sign_out(&caller.actor(), &caller.user.username)
            .await?)
    }
}
